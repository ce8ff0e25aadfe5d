import Foundation
import TestSupport
import Testing

/// whoami, things and shadow commands of the real binaries against the sandbox's moto.
@Suite struct AWSCommandTests {
    static var sandbox: [String: String] { ProcessInfo.processInfo.environment }

    func fleetdeck(_ arguments: [String], binary: String = ProcessRunner.fleetdeckBinary, _ changes: [String: String?] = [:]) throws -> ProcessResult {
        try #require(Self.sandbox["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        return try ProcessRunner.run(binary, arguments, environment: ProcessRunner.environment(changes))
    }

    @Test func thingsListReturnsEachThingExactlyOnce() throws {
        let prefix = "ls-\(UUID().uuidString.prefix(6).lowercased())"
        let type = prefix + "-type"
        let seed = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", """
            import boto3, os
            c = boto3.client('iot', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')
            c.create_thing_type(thingTypeName='\(type)')
            for i in range(250): c.create_thing(thingName='\(prefix)-%03d' % i, thingTypeName='\(type)')
            """])
        #expect(seed.status == 0, "\(seed.stderr)")
        let result = try fleetdeck(["things", "ls", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let things = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
        let mine = things.compactMap { $0["thingName"] as? String }.filter { $0.hasPrefix(prefix + "-") }
        #expect(mine.count == 250)
        #expect(Set(mine).count == 250)
    }

    @Test func thingsByGroupAndByFleetIndexQuery() throws {
        let prefix = "q\(UUID().uuidString.prefix(6).lowercased())"
        let seed = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", """
            import boto3, os
            c = boto3.client('iot', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')
            c.update_indexing_configuration(thingIndexingConfiguration={'thingIndexingMode': 'REGISTRY'})
            c.create_thing_group(thingGroupName='\(prefix)-group')
            for i in range(5):
                c.create_thing(thingName='\(prefix)-sensor-%d' % i)
            for i in (1, 3):
                c.add_thing_to_thing_group(thingGroupName='\(prefix)-group', thingName='\(prefix)-sensor-%d' % i)
            """])
        #expect(seed.status == 0, "\(seed.stderr)")
        let grouped = try fleetdeck(["things", "ls", "--group", "\(prefix)-group", "--json"])
        let names = (try JSONSerialization.jsonObject(with: Data(grouped.stdout.utf8)) as? [[String: Any]] ?? []).compactMap { $0["thingName"] as? String }
        #expect(names.sorted() == ["\(prefix)-sensor-1", "\(prefix)-sensor-3"])
        let queried = try fleetdeck(["things", "ls", "--query", "thingName:\(prefix)-sensor-2"])
        #expect(queried.status == 0, "\(queried.stderr)")
        #expect(queried.stdout.contains("\(prefix)-sensor-2"))
        #expect(queried.stdout.hasSuffix("1 thing\n"))
        // Where fleet indexing is off (no test turns it on in eu-west-2), AWS has no index to search: said so.
        let off = try fleetdeck(["things", "ls", "--query", "thingName:x", "--region", "eu-west-2"])
        #expect(off.status == 1 && off.stderr.contains("the fleet index is off in eu-west-2: searching needs fleet indexing turned on"), "\(off.stderr)")
    }

    @Test(arguments: [
        (["AWS_ENDPOINT_URL": "http://127.0.0.1:1", "AWS_MAX_ATTEMPTS": "1"], "fleetdeck: cannot reach http://127.0.0.1:1: "),
        (["AWS_REGION": "atlantis"], "fleetdeck: unknown AWS region 'atlantis' (expected a name like us-east-1 or eu-west-2)"),
        (["AWS_ENDPOINT_URL_IOT": "not a url"], "fleetdeck: AWS_ENDPOINT_URL_IOT is not a URL: 'not a url'"),
        (["AWS_ACCESS_KEY_ID": nil, "AWS_SECRET_ACCESS_KEY": "x"], "fleetdeck: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"),
    ] as [([String: String?], String)])
    func badSettingsAreOneLine(changes: [String: String?], expected: String) throws {
        let result = try fleetdeck(["things", "ls"], changes)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix(expected), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func malformedCredentialsFileNamesFileAndLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fd-creds-\(UUID().uuidString)").path
        try "[default]\naws_access_key_id = A\n  stray = indented\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try fleetdeck(["whoami"], ["AWS_SHARED_CREDENTIALS_FILE": path])
        #expect(result.status == 1)
        #expect(result.stderr == "fleetdeck: \(path):3: unexpected indented line (a continuation needs 'key =' above it)\n")
    }

    @Test func unknownProfileIsOneLineNamingIt() throws {
        let result = try fleetdeck(["things", "ls"], ["AWS_PROFILE": "nope"])
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("fleetdeck: AWS profile 'nope' is not in ") == true)
    }

    @Test func shadowUpdateRoundTripsAndConflictsAreReported() throws {
        let thing = "cli-\(UUID().uuidString.prefix(6).lowercased())"
        let seed = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", """
            import boto3, os
            boto3.client('iot', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1').create_thing(thingName='\(thing)')
            """])
        #expect(seed.status == 0)
        let update = try fleetdeck(["shadow", "update", thing, "--desired", #"{"led":"on"}"#, "--json"])
        #expect(update.status == 0, "\(update.stderr)")
        let get = try fleetdeck(["shadow", "get", thing, "--json"])
        let document = try JSONSerialization.jsonObject(with: Data(get.stdout.utf8)) as? [String: Any]
        #expect((document?["state"] as? [String: Any])?["desired"] as? [String: String] == ["led": "on"])
        #expect(document?["version"] as? Int == 1)
        let stale = try fleetdeck(["shadow", "update", thing, "--desired", #"{"led":"off"}"#, "--version", "7"])
        #expect(stale.status == 1)
        #expect(stale.stderr.hasPrefix("fleetdeck: UpdateThingShadow failed: ConflictException"), "\(stale.stderr)")
        #expect(stale.stderr.split(separator: "\n").count == 1)
        let bad = try fleetdeck(["shadow", "update", thing, "--desired", "{led: on}"])
        #expect(bad.stderr == "fleetdeck: --desired is not JSON: line 1, column 2: expected a string key\n")
    }

    /// The static release binary speaks HTTPS with libcurl and OpenSSL inside: the sandbox's
    /// TLS moto answers with the test CA, and a wrong CA is refused.
    @Test func releaseBinaryVerifiesTLS() throws {
        let binary = ProcessRunner.packageRoot.appendingPathComponent("dist/fleetdeck").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "dist/fleetdeck is missing: run scripts/build-release")
        let https = try #require(Self.sandbox["FLEETDECK_SANDBOX_HTTPS_URL"])
        let good = try fleetdeck(["whoami", "--json"], binary: binary, ["AWS_ENDPOINT_URL": https, "AWS_CA_BUNDLE": Self.sandbox["FLEETDECK_MQTT_CA"]])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.contains(#""account":"123456789012""#))
        let bad = try fleetdeck(["whoami"], binary: binary, ["AWS_ENDPOINT_URL": https, "AWS_CA_BUNDLE": Self.sandbox["FLEETDECK_SANDBOX_OTHER_CA"],
                                                              "AWS_MAX_ATTEMPTS": "1"])
        #expect(bad.status == 1)
        #expect(bad.stderr.hasPrefix("fleetdeck: cannot reach \(https): "), "\(bad.stderr)")
        #expect(bad.stderr.contains("certificate"))
    }
}
