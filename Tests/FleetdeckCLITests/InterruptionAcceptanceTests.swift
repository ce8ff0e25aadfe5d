import Foundation
import TestSupport
import Testing

/// `kill -9` at random moments of a 200-resource deploy, and two concurrent deploys.
@Suite(.serialized) struct InterruptionAcceptanceTests {
    static func program(_ prefix: String, count: Int) -> String {
        var text = "name: \(prefix)\nruntime: yaml\nresources:\n"
        for index in 0..<count {
            text += "  t\(index):\n    type: aws-native:iot:Thing\n    properties:\n      thingName: \(prefix)-\(index)\n"
            if index % 10 == 0 { text += "      attributePayload:\n        attributes:\n          batch: \"\(index / 10)\"\n" }
        }
        return text
    }

    static func things(prefix: String) throws -> [String] {
        let result = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", """
            import boto3, os
            iot = boto3.client('iot', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')
            # One page (see DeployAcceptanceTests.boto): tests delete things concurrently.
            names = [t['thingName'] for t in iot.list_things(maxResults=100000)['things']]
            print('\\n'.join(sorted(n for n in names if n.startswith('\(prefix)-'))))
            """])
        return result.stdout.split(separator: "\n").map(String.init)
    }

    static func journalLines(_ path: String) -> Int {
        (try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n").count ?? 0
    }

    @Test func killDashNineAtRandomMomentsLeavesNothingOrphanedOrDuplicated() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        var generator = SystemRandomNumberGenerator()
        for round in 0..<10 {
            let prefix = "kill\(round)\(UUID().uuidString.prefix(4).lowercased())"
            let project = try DeployAcceptanceTests.Project(program: Self.program(prefix, count: 200))
            let journal = "\(project.folder)/state/.pulumi/stacks/\(prefix)/dev.journal"
            let environment = ProcessRunner.environment(project.environment)
            let moment = Int.random(in: 1...400, using: &generator)
            let pid = try ProcessRunner.spawn(ProcessRunner.fleetdeckBinary, ["up", "--yes", "-C", project.folder, "-s", "dev"], environment: environment)
            // Poll (no fixed sleep) until the run has journalled `moment` records or finished.
            eventually(timeout: .seconds(60), interval: .milliseconds(2)) {
                Self.journalLines(journal) >= moment || waitpid(pid, nil, WNOHANG) == pid
            }
            kill(pid, SIGKILL)
            _ = ProcessRunner.waitForExit(pid)

            let resumed = try project.fleetdeck(["up", "--yes"])
            #expect(resumed.status == 0, "round \(round) (killed after \(moment) records): \(resumed.stderr)")
            let names = try Self.things(prefix: prefix)
            #expect(names.count == 200 && Set(names).count == 200, "round \(round): \(names.count) things")
            let preview = try project.fleetdeck(["preview", "--expect-no-changes"])
            #expect(preview.status == 0, "round \(round): \(preview.stdout)")
            #expect(!FileManager.default.fileExists(atPath: journal))
            #expect(try project.fleetdeck(["destroy", "--yes"]).status == 0)
            #expect(try Self.things(prefix: prefix).isEmpty)
        }
    }

    @Test func twoConcurrentDeploysOneFailsAtOnceNamingTheHolder() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let prefix = "race\(UUID().uuidString.prefix(5).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: Self.program(prefix, count: 60))
        let environment = ProcessRunner.environment(project.environment)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fd-race-\(UUID().uuidString.prefix(6))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var pids: [pid_t] = []
        for index in 0..<2 {
            let out = open("\(folder)/\(index).out", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            let err = open("\(folder)/\(index).err", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            pids.append(try ProcessRunner.spawn(ProcessRunner.fleetdeckBinary, ["up", "--yes", "-C", project.folder, "-s", "dev"],
                                                environment: environment, stdout: out, stderr: err))
            close(out)
            close(err)
        }
        let statuses = pids.map { ProcessRunner.waitForExit($0).code }
        #expect(statuses.sorted() == [0, 1], "statuses \(statuses)")
        let loser = statuses.firstIndex(of: 1) ?? 0
        let message = (try? String(contentsOfFile: "\(folder)/\(loser).err", encoding: .utf8)) ?? ""
        #expect(message.hasPrefix("fleetdeck: stack 'dev' is locked by "), "\(message)")
        #expect(message.contains("(pid \(pids[1 - loser]))"))
        #expect(try Self.things(prefix: prefix).count == 60)
        #expect(try project.fleetdeck(["preview", "--expect-no-changes"]).status == 0)
        #expect(try project.fleetdeck(["destroy", "--yes"]).status == 0)
    }

    @Test func ctrlCDuringUpCancelsGracefullyAndTheStateKeepsWhatWasMade() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let prefix = "sig\(UUID().uuidString.prefix(5).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: Self.program(prefix, count: 64))
        // Every request held 200 ms, so the deploy is mid-way when Ctrl-C comes.
        let proxy = try SlowProxy(folder: project.folder, delayMS: 200)
        defer { proxy.stop() }
        var environment = project.environment
        environment["http_proxy"] = proxy.url
        let outPath = project.folder + "/up.out", errPath = project.folder + "/up.err"
        let out = open(outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644), err = open(errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let pid = try ProcessRunner.spawn(ProcessRunner.fleetdeckBinary, ["up", "--yes", "-C", project.folder, "-s", "dev"],
                                          environment: ProcessRunner.environment(environment), stdout: out, stderr: err)
        close(out)
        close(err)
        #expect(eventually(timeout: .seconds(60)) { ((try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "").contains(" created (") })
        kill(pid, SIGINT)
        #expect(ProcessRunner.waitForExit(pid).code == 1)
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        #expect(stderr.hasPrefix("^C: cancelling: no new step starts; the steps in flight finish and are recorded"), "\(stderr)")
        #expect(stderr.contains("fleetdeck: cancelled after ") && stderr.contains(" of 64 changes"), "\(stderr)")
        let made = try Self.things(prefix: prefix).count
        #expect(made > 0 && made < 64)
        let exported = try project.fleetdeck(["stack", "export"]).stdout
        #expect(exported.components(separatedBy: "\"type\": \"aws-native:iot:Thing\"").count - 1 == made)
        // The cancelled update's record says what it did (it created `made` things).
        let history = try project.fleetdeck(["stack", "history"]).stdout
        #expect(history.contains("update   cancelled  create \(made)"), "\(history)")
        #expect(try project.fleetdeck(["up", "--yes"]).status == 0)
        #expect(try Self.things(prefix: prefix).count == 64)
        #expect(try project.fleetdeck(["destroy", "--yes"]).status == 0)
    }
}
