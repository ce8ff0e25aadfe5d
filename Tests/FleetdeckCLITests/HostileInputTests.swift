import Foundation
import TestSupport
import Testing

/// Issue 16: hostile input never writes outside the project or the backend, and is refused with a
/// one-line error naming what is wrong.
@Suite struct HostileInputTests {
    @Test func stackNamesThatLeaveTheBackendAreRefusedEverywhere() throws {
        let project = try DeployAcceptanceTests.Project(program: "name: hostile\nruntime: yaml\noutputs:\n  greeting: hello\n")
        let elsewhere = project.folder + "/elsewhere"
        let names = ["../../../../elsewhere/x", "..", ".", "a/b", "dev x", String(repeating: "s", count: 101)]
        for name in names {
            for (arguments, environment) in [(["up", "--yes", "-s", name], [String: String?]()), (["preview"], ["FLEETDECK_STACK": name]),
                                             (["stack", "init", name], [:]), (["config", "set", "k", "v", "-s", name], [:])] {
                var env = project.environment
                for (key, value) in environment { env[key] = value }
                let result = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments + ["-C", project.folder], environment: ProcessRunner.environment(env))
                #expect(result.status == 1, "\(arguments) \(name): \(result.stdout)")
                #expect(result.stderr.contains("is not a stack name: stack names may only contain letters, digits, hyphens, underscores and periods"),
                        "\(arguments) \(name): \(result.stderr)")
                #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: elsewhere))
        let written = try ProcessRunner.shell("cd \(project.folder) && find . -type f | sort").stdout
        #expect(written == "./Pulumi.dev.yaml\n./Pulumi.yaml\n", "files written: \(written)")
    }

    func fleetdeck(_ arguments: [String], in folder: String) throws -> ProcessResult {
        try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments + ["-C", folder, "-s", "dev"],
                              environment: ProcessRunner.environment(["PULUMI_CONFIG_PASSPHRASE": "hostile", "FLEETDECK_BACKEND_URL": "file://\(folder)/state"]))
    }

    @Test func programsThatWouldBeMisreadStopAtTheirPosition() throws {
        let project = try DeployAcceptanceTests.Project(program: "")
        let path = project.folder + "/Pulumi.yaml"
        let cases: [([UInt8], String)] = [
            // A key with an invalid UTF-8 byte would become U+FFFD: a different resource.
            (Array("name: p\nruntime: yaml\nresources:\n  t".utf8) + [0xFF] + Array("2:\n    type: aws-native:iot:Thing\n".utf8),
             "Pulumi.yaml:4:4: error: invalid UTF-8: the file must be UTF-8 text"),
            // A CloudFormation tag would be dropped and leave a literal.
            (Array("name: p\nruntime: yaml\nresources:\n  t:\n    type: aws-native:iot:Thing\n    properties:\n      thingName: !Ref other\n".utf8),
             "Pulumi.yaml:7:18: error: YAML syntax: the YAML tag '!Ref' is not supported"),
            (Array("name: p\nruntime: yaml\nvariables:\n  v: !GetAtt [a, b]\n".utf8), "Pulumi.yaml:4:6: error: YAML syntax: the YAML tag '!GetAtt' is not supported"),
            // An index beyond any integer.
            (Array("name: p\nruntime: yaml\nvariables:\n  v:\n    fn::select: [99999999999999999999999, [a, b]]\noutputs:\n  o: ${v}\n".utf8),
             "fn::select: index 1e+23 is out of range (the list has 2 items)"),
        ]
        for (bytes, message) in cases {
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
            let result = try fleetdeck(["preview"], in: project.folder)
            #expect(result.status == 1 && !result.terminatedBySignal, "\(message): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: project.folder + "/state"))
    }

    @Test func commandLineNumbersOutOfRangeAreRefusedWithOneLine() throws {
        for (arguments, message) in [(["tail", "--duration", "1e300"], "fleetdeck: --duration must be between 0.001 and 31536000.0 seconds, not 1e+300\n"),
                                     (["tail", "--count=-3"], "fleetdeck: --count must be between 1 and 100000000, not -3\n"),
                                     (["simulate", "--rate", "nan"], "fleetdeck: --rate must be between 0.001 and 100000.0 messages per second, not nan\n"),
                                     (["simulate", "--devices", "0"], "fleetdeck: --devices must be between 1 and 100000, not 0\n")] {
            let result = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments + ["--url", "mqtt://127.0.0.1:9"])
            #expect(result.status == 1 && !result.terminatedBySignal)
            #expect(result.stderr == message, "\(arguments): \(result.stderr)")
        }
    }

    @Test func shadowDocumentsMustBeObjects() throws {
        for desired in ["null", "[]", "\"str\"", "42"] {
            let result = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["shadow", "update", "sensor-1", "--desired", desired])
            #expect(result.status == 1)
            #expect(result.stderr == "fleetdeck: --desired must be a JSON object such as '{\"led\":\"on\"}', not \(desired)\n", "\(result.stderr)")
        }
    }

    @Test func aMalformedAllowlistIsRefusedBeforeAnyRequest() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fd-allow-\(UUID().uuidString.prefix(6))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (text, message) in [("GG-0001\nGG-0002 # bench\n", "allowlist.txt:2:8: 'GG-0002 # bench' is not a thing name: whitespace is not allowed"),
                                ("# nobody\n", "allowlist.txt:1:1: the allowlist lists no serial numbers (reconciling with it would remove every thing)")] {
            try text.write(toFile: folder + "/allowlist.txt", atomically: true, encoding: .utf8)
            // An endpoint nothing listens on: a request would fail differently.
            let result = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["fleet", "reconcile", "--allowlist", folder + "/allowlist.txt", "--yes"],
                                               environment: ProcessRunner.environment(["AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_REGION": "us-east-1",
                                                                                       "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"]))
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix("fleetdeck: \(folder)/\(message)"), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test func aBrokenCheckpointIsNamedAndLeftAsItIs() throws {
        let project = try DeployAcceptanceTests.Project(program: "name: broken\nruntime: yaml\noutputs:\n  greeting: hello\n")
        #expect(try fleetdeck(["up", "--yes"], in: project.folder).status == 0)
        let checkpoint = project.folder + "/state/.pulumi/stacks/broken/dev.json"
        let broken = "{\"version\": 3, \"checkpoint\": {\"latest\": {\"resources\": [\"unterminated"
        try broken.write(toFile: checkpoint, atomically: true, encoding: .utf8)
        for command in [["preview"], ["up", "--yes"], ["destroy", "--yes"]] {
            let result = try fleetdeck(command, in: project.folder)
            #expect(result.status == 1, "\(command)")
            #expect(result.stderr.hasPrefix("fleetdeck: \(checkpoint): unreadable checkpoint ("), "\(command): \(result.stderr)")
        }
        #expect(try String(contentsOfFile: checkpoint, encoding: .utf8) == broken)
    }

    @Test func deepNestingAliasBombsAndFilesThatNeverEndAreRefused() throws {
        let project = try DeployAcceptanceTests.Project(program: "")
        let path = project.folder + "/Pulumi.yaml"
        var bomb = "name: p\nruntime: yaml\nvariables:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            bomb += "  \(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
            previous = name
        }
        _ = mkfifo(project.folder + "/fifo", 0o600)
        FileManager.default.createFile(atPath: project.folder + "/big.bin", contents: Data(count: 17 * 1_048_576))
        let reading = { (file: String) in "name: p\nruntime: yaml\nvariables:\n  v:\n    fn::readFile: \(file)\noutputs:\n  o: ${v}\n" }
        let packaging = { (function: String, file: String) in "name: p\nruntime: yaml\noutputs:\n  o:\n    \(function): \(file)\n" }
        try FileManager.default.createDirectory(atPath: project.folder + "/code/lib", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: project.folder + "/code/index.py", contents: Data("def handler(e, c): pass\n".utf8))
        _ = mkfifo(project.folder + "/code/lib/pipe", 0o600)
        FileManager.default.createFile(atPath: project.folder + "/code.tar", contents: Data("not a zip".utf8))
        FileManager.default.createFile(atPath: project.folder + "/huge.bin", contents: nil)
        _ = truncate(project.folder + "/huge.bin", 65 * 1_048_576)  // sparse: the size is what counts
        let cases: [(String, String)] = [
            ("name: p\nruntime: yaml\nvariables:\n  v: " + String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000) + "\n",
             "Pulumi.yaml:4:260: error: YAML syntax: nesting deeper than 256 levels: refused"),
            (bomb, "Pulumi.yaml:10:10: error: YAML syntax: the document expands to more than 1000000 nodes (through its aliases): refused"),
            (reading("/dev/zero"), "fn::readFile: cannot read /dev/zero: not a regular file (a folder, device or FIFO)"),
            (reading("fifo"), "fn::readFile: cannot read \(project.folder)/fifo: not a regular file (a folder, device or FIFO)"),
            (reading("big.bin"), "fn::readFile: cannot read \(project.folder)/big.bin: 17825792 bytes is more than the 16 MiB allowed"),
            // Assets and archives: the same limits, and nothing in a folder is skipped.
            (packaging("fn::fileAsset", "/dev/zero"), "Pulumi.yaml:5:5: error: fn::fileAsset: cannot read /dev/zero: not a regular file (a folder, device or FIFO)"),
            (packaging("fn::fileAsset", "huge.bin"), "fn::fileAsset: cannot read \(project.folder)/huge.bin: 68157440 bytes is more than the 64 MiB allowed"),
            (packaging("fn::fileAsset", "missing.py"), "fn::fileAsset: cannot read \(project.folder)/missing.py: No such file or directory"),
            (packaging("fn::fileArchive", "code"), "fn::fileArchive: cannot read \(project.folder)/code/lib/pipe: not a regular file (a folder, device or FIFO)"),
            (packaging("fn::fileArchive", "fifo"), "fn::fileArchive: cannot read \(project.folder)/fifo: not a folder or a .zip file (a device or FIFO)"),
            (packaging("fn::fileArchive", "code.tar"), "fn::fileArchive: cannot read \(project.folder)/code.tar: an archive file must be a .zip (or name a folder)"),
        ]
        // A deployed stack first: no refused program may touch its state or journal.
        try "name: p\nruntime: yaml\noutputs:\n  o: deployed\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try fleetdeck(["up", "--yes"], in: project.folder).status == 0)
        let state = { try ProcessRunner.shell("cd \(project.folder)/state && find . -type f -exec sha256sum {} + | sort").stdout }
        let before = try state()
        for (program, message) in cases {
            try program.write(toFile: path, atomically: true, encoding: .utf8)
            for command in [["preview"], ["up", "--yes"]] {
                let result = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, command + ["-C", project.folder, "-s", "dev"],
                                                   environment: ProcessRunner.environment(["PULUMI_CONFIG_PASSPHRASE": "hostile", "FLEETDECK_BACKEND_URL": "file://\(project.folder)/state"]),
                                                   timeout: 30)
                #expect(result.status == 1 && !result.terminatedBySignal, "\(command) \(message): \(result.status) \(result.stderr)")
                #expect(result.stderr.contains(message), "\(result.stderr)")
                let after = try state()
                #expect(after == before, "\(command) \(message): the state changed: \(before) -> \(after)")
            }
        }
    }

    @Test func anArchiveFolderIsHashedSoAnEditedFileIsAChange() throws {
        let project = try DeployAcceptanceTests.Project(program: "name: p\nruntime: yaml\noutputs:\n  code:\n    fn::fileArchive: ./code\n")
        try FileManager.default.createDirectory(atPath: project.folder + "/code/lib", withIntermediateDirectories: true)
        try "def handler(e, c): return 1\n".write(toFile: project.folder + "/code/lib/index.py", atomically: true, encoding: .utf8)
        #expect(try fleetdeck(["up", "--yes"], in: project.folder).status == 0)
        #expect(try fleetdeck(["preview", "--expect-no-changes"], in: project.folder).status == 0)
        try "def handler(e, c): return 2\n".write(toFile: project.folder + "/code/lib/index.py", atomically: true, encoding: .utf8)
        let changed = try fleetdeck(["preview", "--expect-no-changes"], in: project.folder)
        #expect(changed.status != 0, "an edited file inside the archive is a change: \(changed.stdout)")
    }

    @Test func aThemeNestedAHundredThousandDeepIsRefusedAndTheDashboardRuns() throws {
        let project = try DeployAcceptanceTests.Project(program: "name: themed\nruntime: yaml\noutputs:\n  o: x\n")
        let themes = project.folder + "/home/.config/fleetdeck/themes"
        try FileManager.default.createDirectory(atPath: themes, withIntermediateDirectories: true)
        try ("roles: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n")
            .write(toFile: themes + "/deep.yaml", atomically: true, encoding: .utf8)
        var environment = project.terminalEnvironment
        environment["HOME"] = project.folder + "/home"
        environment["FLEETDECK_THEME"] = "deep"
        let session = try TmuxSession("cd \(project.folder) && \(ProcessRunner.fleetdeckBinary); echo EXITED=$?; sleep 60", width: 200, height: 30, environment: environment)
        #expect(session.waitFor(text: "nesting deeper than 256 levels"), "\(session.screen)")
        #expect(session.waitFor(text: "(using default)"), "\(session.screen)")
        try session.sendKeys("q")
        #expect(session.waitFor(text: "EXITED=0"), "\(session.screen)")
    }

    /// Starts `scripts/hostile-broker MODE`; its URL, the file counting its connections, and its pid.
    func hostileBroker(_ mode: String) throws -> (url: String, connections: String, pid: pid_t) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fd-broker-\(UUID().uuidString.prefix(6))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let portFile = folder + "/port"
        let pid = try ProcessRunner.spawn(ProcessRunner.packageRoot.appendingPathComponent("scripts/hostile-broker").path, [mode, portFile])
        #expect(eventually { FileManager.default.fileExists(atPath: portFile) })
        return ("mqtt://127.0.0.1:" + (try String(contentsOfFile: portFile, encoding: .utf8)), portFile + ".connections", pid)
    }

    @Test func brokersThatRefuseAreErrorsNotSilenceOrEndlessRetries() throws {
        // A refused subscription: tail stops with the filter named, instead of printing nothing and exiting 0.
        let subscribe = try hostileBroker("refuse-subscribe")
        defer { kill(subscribe.pid, SIGTERM); _ = ProcessRunner.waitForExit(subscribe.pid) }
        let refused = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["tail", "secret/#", "--url", subscribe.url, "--duration", "20"], timeout: 30)
        #expect(refused.status == 1)
        #expect(refused.stderr.hasSuffix("refused the subscription to secret/# (not authorised, or an invalid filter)\n"), "\(refused.stderr)")

        // Bad credentials: one attempt, the reason, exit 1 (it was retried forever).
        let connect = try hostileBroker("refuse-connect-4")
        defer { kill(connect.pid, SIGTERM); _ = ProcessRunner.waitForExit(connect.pid) }
        let denied = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["tail", "#", "--url", connect.url, "--duration", "20"], timeout: 30)
        #expect(denied.status == 1)
        #expect(denied.stderr.hasSuffix("the broker refused the connection: bad user name or password\n"), "\(denied.stderr)")
        #expect((try String(contentsOfFile: connect.connections, encoding: .utf8)).split(separator: "\n").count == 1)

        // A broker that accepts and then breaks the protocol: the backoff keeps growing (0.5, 1,
        // 2, 4 s...), so 6 seconds see at most 5 connections, not one every half second (12).
        let broken = try hostileBroker("break-protocol")
        defer { kill(broken.pid, SIGTERM); _ = ProcessRunner.waitForExit(broken.pid) }
        let tail = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["tail", "#", "--url", broken.url, "--duration", "6"], timeout: 30)
        #expect(tail.status == 0, "\(tail.stderr)")
        let attempts = (try String(contentsOfFile: broken.connections, encoding: .utf8)).split(separator: "\n").count
        #expect(attempts >= 2 && attempts <= 5, "\(attempts) connections in 6 s")

        // The same refusals on the Messages screen, as a person sees them.
        for (broker, filter, message) in [(subscribe, "secret/#", "the broker refused the subscription to secret/#"),
                                          (connect, "#", "bad user name or password: not retrying")] {
            let session = try TmuxSession("\(ProcessRunner.fleetdeckBinary) console; echo EXITED=$?; sleep 60", width: 160, height: 30,
                                          environment: ["FLEETDECK_MQTT_URL": broker.url, "AWS_REGION": "us-east-1"])
            #expect(session.waitFor(text: "q quit"), "\(session.screen)")
            try session.sendKeys("-l", ":tail \(filter)")
            try session.sendKeys("Enter")
            #expect(session.waitFor(text: message, timeout: .seconds(20)), "\(session.screen)")
            try session.sendKeys("q")  // back to the first screen, then out
            #expect(session.waitFor(text: "0 stacks"), "\(session.screen)")
            try session.sendKeys("q")
            #expect(session.waitFor(text: "EXITED=0"), "\(session.screen)")
        }
    }
}
