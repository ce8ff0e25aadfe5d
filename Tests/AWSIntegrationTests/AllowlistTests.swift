import Fleet
import Foundation
import TestSupport
import Testing

/// One allowlist format for the pre-provisioning hook (Python, in the example) and
/// `fleet reconcile` (Swift): both read the shared cases the same way, line and column included.
@Suite struct AllowlistTests {
    static let casesFile = ProcessRunner.packageRoot.appendingPathComponent("examples/iot-ref-arch/allowlist-cases.json")

    static func cases() throws -> [[String: Any]] {
        try #require(JSONSerialization.jsonObject(with: Data(contentsOf: casesFile)) as? [[String: Any]])
    }

    @Test func theReconcilerReadsTheSharedCases() throws {
        let cases = try Self.cases()
        #expect(cases.count >= 7)
        for item in cases {
            let name = item["name"] as? String ?? "?"
            let text = try #require(item["text"] as? String)
            if let expected = item["error"] as? [String: Int] {
                do {
                    let allowed = try Allowlist.parse(Array(text.utf8), file: "allowlist.txt")
                    Issue.record("\(name): read as \(allowed)")
                } catch {
                    #expect([error.line, error.column] == [expected["line"], expected["column"]], "\(name): \(error)")
                    #expect(error.description.hasPrefix("allowlist.txt:\(error.line):\(error.column): "))
                }
            } else {
                let allowed = try Allowlist.parse(Array(text.utf8), file: "allowlist.txt")
                #expect(allowed == Set(item["allowed"] as? [String] ?? []), "\(name)")
                for serial in item["accepts"] as? [String] ?? [] { #expect(allowed.contains(serial), "\(name): \(serial)") }
                for serial in item["rejects"] as? [String] ?? [] { #expect(!allowed.contains(serial), "\(name): \(serial)") }
            }
        }
        #expect(throws: Allowlist.Problem.self) { try Allowlist.parse([0x47, 0x0A, 0xFF], file: "a.txt") }
    }

    @Test func theHookReadsTheSharedCasesAsTheReconcilerDoes() throws {
        let script = """
        import json, sys
        sys.path.insert(0, "examples/iot-ref-arch/lambdas")
        import pre_provisioning_hook as hook
        for case in json.load(open("examples/iot-ref-arch/allowlist-cases.json")):
            try:
                allowed = sorted(hook.parse_allowlist(case["text"]))
                print(case["name"], "->", ",".join(allowed), "|", ",".join(s for s in case.get("accepts", []) if s in allowed),
                      "|", ",".join(s for s in case.get("rejects", []) if s in allowed))
            except hook.AllowlistError as error:
                print(case["name"], "-> error", error.line, error.column)
        """
        let result = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", script],
                                           environment: ProcessRunner.environment(["AWS_DEFAULT_REGION": "us-east-1"]))
        #expect(result.status == 0, "\(result.stderr)")
        var expected = ""
        for item in try Self.cases() {
            let name = item["name"] as? String ?? "?"
            if let error = item["error"] as? [String: Int] {
                expected += "\(name) -> error \(error["line"]!) \(error["column"]!)\n"
            } else {
                let allowed = (item["allowed"] as? [String] ?? []).sorted()
                let accepts = (item["accepts"] as? [String] ?? []).filter(allowed.contains)
                expected += "\(name) -> \(allowed.joined(separator: ",")) | \(accepts.joined(separator: ",")) | \n"
            }
        }
        #expect(result.stdout == expected)
    }
}

/// The reference architecture's Lambda handlers, tested with pytest against moto in process on
/// upstream's event shapes (examples/iot-ref-arch/tests).
@Suite struct ExampleHandlerTests {
    @Test func theHandlersKeepUpstreamsDeviceContract() throws {
        let result = try ProcessRunner.run("/usr/bin/env", ["python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", "examples/iot-ref-arch/tests"],
                                           timeout: 300)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("8 passed"), "\(result.stdout)")
    }
}
