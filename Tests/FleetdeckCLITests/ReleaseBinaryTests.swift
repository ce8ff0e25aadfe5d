import Foundation
import TestSupport
import Testing

/// The static release binary that scripts/build-release makes (scripts/test builds it first).
@Suite struct ReleaseBinaryTests {
    let binary = ProcessRunner.packageRoot.appendingPathComponent("dist/fleetdeck").path

    @Test func isFullyStaticAndRunsVersion() throws {
        try #require(FileManager.default.isExecutableFile(atPath: binary), "dist/fleetdeck is missing: run scripts/build-release")
        let ldd = try ProcessRunner.run("/usr/bin/ldd", [binary])
        #expect((ldd.stdout + ldd.stderr).contains("not a dynamic executable"), "ldd: \(ldd.stdout)\(ldd.stderr)")
        let version = try ProcessRunner.run(binary, ["version"])
        #expect(version.status == 0)
        #expect(version.stdout.contains("release build"))
        #expect(version.stdout.contains("ncurses 6."))
        #expect(version.stdout.contains("libcurl  7."))
        #expect(version.stdout.contains("OpenSSL/3"))
        #expect(version.stdout.contains("expat_2."))
    }
}

/// `fleetdeck version` of the debug build.
@Suite struct VersionCommandTests {
    @Test func jsonNamesEveryLinkedLibrary() throws {
        let result = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["version", "--json"])
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: String]
        for key in ["version", "commit", "build", "ncurses", "libcurl", "tls", "expat"] {
            #expect(object?[key]?.isEmpty == false, "missing \(key) in \(result.stdout)")
        }
    }
}
