import AWSCore
import AWSCurl
import Console
@testable import ConsoleLive
import Foundation
import StackAWS
import StackEngine
import Synchronization
import TermCore
import Testing

/// The dashboard's live data layer on its own: plans kept by hash until approved and taken
/// once, events routed to the deploy that runs them, and the whole review-approve-deploy loop
/// over a project on a file backend against the sandbox's moto.
@Suite struct LiveDataTests {
    @Test func eventsGoWhereTheDeployIsAndAnUnknownPlanIsNone() {
        let sink = EventSink()
        let seen = Mutex<[String]>([])
        sink.send(.message("before"))  // nowhere to go yet: dropped
        sink.target = { event in if case .message(let text) = event { seen.withLock { $0.append(text) } } }
        sink.send(.message("after"))
        #expect(seen.withLock { $0 } == ["after"])
        let cache = PlanCache()
        #expect(cache.take("nosuch") == nil)
    }

    /// A project with one thing, on a file backend in a temporary folder.
    final class Project {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fd-live-\(UUID().uuidString.prefix(8))").path
        let name = "live\(UUID().uuidString.prefix(6).lowercased())"
        var environment: [String: String] {
            ProcessInfo.processInfo.environment.merging(["PULUMI_CONFIG_PASSPHRASE": "live", "FLEETDECK_BACKEND_URL": "file://\(folder)/state"]) { $1 }
        }

        init() throws {
            guard ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil else { throw SandboxMissing() }
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try program(thingName: "\(name)-a")
            try "config: {}\n".write(toFile: folder + "/Pulumi.dev.yaml", atomically: true, encoding: .utf8)
        }
        deinit { try? FileManager.default.removeItem(atPath: folder) }

        func program(thingName: String) throws {
            try "name: \(name)\nruntime: yaml\nresources:\n  sensor:\n    type: aws-native:iot:Thing\n    properties:\n      thingName: \(thingName)\n"
                .write(toFile: folder + "/Pulumi.yaml", atomically: true, encoding: .utf8)
        }

        func data() throws -> DashboardData {
            let environment = self.environment
            let context = ProjectContext(directory: folder, environment: environment)
            let client: @Sendable () throws -> AWSClient = { AWSClient(settings: try AWSSettings.resolve(environment: environment), http: CurlHTTPClient(environment: environment)) }
            let loaded = try context.loadProject()
            let backend = try context.backend(flag: nil, program: loaded.program, client: client)
            let folder = self.folder
            let sources = LiveSources(runner: { stack in
                try StackRunner(context: ProjectContext(directory: folder, environment: environment), stackFlag: stack, backendFlag: nil) { _, _ in try client() }
            }, client: client, endpoint: { throw DashboardError(message: "no broker in this test") }, identity: { "test" },
                theme: { Theme.load(named: $0, userFile: { _ in nil }, environment: [:]) })
            return LiveData.dashboard(project: loaded.program.name, directory: folder, configured: context.configuredStacks, backend: backend, sources: sources)
        }
    }

    struct SandboxMissing: Error, CustomStringConvertible {
        var description: String { "AWS_ENDPOINT_URL is not set: run the tests with scripts/test (it starts the sandbox)" }
    }

    @Test func reviewApproveAndDeployOverTheEngine() async throws {
        let project = try Project()
        let data = try project.data()
        #expect(try await data.stacks().map(\.name) == ["dev"])

        let plan = try await data.plan("dev", .update)
        #expect(plan.rows.map(\.name) == ["sensor"] && plan.counts.hasPrefix("+1 create"))
        let events = Mutex<[String]>([])
        let result = try await data.deploy("dev", plan.hash, false) { event in
            if case .stepFinished(let step, _) = event { events.withLock { $0.append(step.urn.name) } }
        }
        #expect(result == "Update of dev succeeded: 1 change (plan \(plan.hash))")
        #expect(events.withLock { $0 } == ["sensor"])
        // A plan runs once: its hash is gone after.
        await #expect(throws: DashboardError.self) { try await data.deploy("dev", plan.hash, false) { _ in } }
        #expect(try await data.stack("dev").resources.map(\.id) == ["\(project.name)-a"])

        // What is approved is what runs: the program changed after the review, so the deploy
        // is refused and the plan as it is now comes back for review.
        let rename = try await data.plan("dev", .update)
        #expect(rename.rows.isEmpty)
        try project.program(thingName: "\(project.name)-b")
        let stale = try await data.plan("dev", .update)
        try project.program(thingName: "\(project.name)-c")
        do {
            _ = try await data.deploy("dev", stale.hash, false) { _ in }
            Issue.record("a plan made from files that changed since was deployed")
        } catch let replaced as PlanReplaced {
            #expect(replaced.plan.hash != stale.hash && replaced.plan.rows.first?.diff.joined().contains("\"\(project.name)-c\" (forces replacement)") == true, "\(replaced.plan.rows)")
        }
        #expect(try await data.stack("dev").resources.map(\.id) == ["\(project.name)-a"])

        let destroy = try await data.plan("dev", .destroy)
        #expect(try await data.deploy("dev", destroy.hash, false) { _ in }.hasPrefix("Destroy of dev succeeded: 1 change"))
        #expect(try await data.stack("dev").resources.isEmpty)
    }
}
