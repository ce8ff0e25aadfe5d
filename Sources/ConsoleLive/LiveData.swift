import AWSCore
import AWSServices
import Console
import Crypto
import Fleet
import MQTT
import MQTTNet
import POSIXFiles
import StackAWS
import StackEngine
import StackModel
import Synchronization
import TermCore

/// How the executable makes what the live data needs (from its options and environment): a
/// stack's runner, the AWS client, the broker's endpoint, who the credentials are, themes.
public struct LiveSources: Sendable {
    public var runner: @Sendable (String) throws -> StackRunner
    public var client: @Sendable () throws -> AWSClient
    public var endpoint: @Sendable () async throws -> BrokerEndpoint
    public var identity: @Sendable () async throws -> String
    public var theme: @Sendable (String) -> (Theme, Theme.Problem?)

    public init(runner: @escaping @Sendable (String) throws -> StackRunner, client: @escaping @Sendable () throws -> AWSClient,
                endpoint: @escaping @Sendable () async throws -> BrokerEndpoint, identity: @escaping @Sendable () async throws -> String,
                theme: @escaping @Sendable (String) -> (Theme, Theme.Problem?)) {
        self.runner = runner
        self.client = client
        self.endpoint = endpoint
        self.identity = identity
        self.theme = theme
    }
}

/// The dashboard's live data: plans and deploys over the engine and a project's state backend
/// (plans kept by hash until approved, so what is approved is what runs), the fleet over AWS
/// IoT, messages over MQTT. The pure dashboard (Console) only sees `DashboardData`.
public enum LiveData {
    /// Outside a project: no stacks, but the fleet and the messages.
    public static func fleetOnly(sources live: LiveSources) -> DashboardData {
        DashboardData(stacks: { [] }, stack: { _ in throw DashboardError(message: "no project here (Pulumi.yaml)") },
                      identity: live.identity, theme: live.theme, broker: broker(live), fleet: fleet(live.client))
    }

    /// Themes by name: the user's file (`Theme.userFile`) over the built-in one.
    public static func themes(_ environment: [String: String]) -> @Sendable (String) -> (Theme, Theme.Problem?) {
        { theme in
            Theme.load(named: theme, userFile: { name in
                AtomicFile.read(Theme.userFile(name, home: environment["HOME"] ?? "")).map { String(decoding: $0, as: UTF8.self) }
            }, environment: environment)
        }
    }

    /// The broker for the Messages screen.
    static func broker(_ live: LiveSources) -> @Sendable (@escaping @Sendable (BrokerEvent) -> Void) async throws -> BrokerLink {
        { events in link(try await live.endpoint(), events: events) }
    }

    /// The dashboard's data source over the engine, the state backend and AWS.
    public static func dashboard(project name: String, directory: String, configured: [String], backend: any StateBackend,
                                 sources live: LiveSources) -> DashboardData {
        let plans = PlanCache()
        let sources = sourcesFingerprint(directory: directory, project: name, backend: backend)
        return DashboardData(stacks: {
            try await StackSummary.load(project: name, directory: directory, configuredStacks: configured, backend: backend)
        }, stack: { stack in
            let read = StackDetailReader.read(try await backend.checkpoint(project: name, stack: stack))
            let pending = Set(read.pending.map { String($0.prefix { $0 != " " }) })
            return StackDetail(name: stack, resources: read.resources.map {
                ResourceRow(name: $0.name, type: $0.type, id: $0.id, protected: $0.protect, dependencies: $0.dependencies,
                            status: pending.contains($0.name) ? "pending" : "ok", properties: $0.properties)
            }, outputs: read.outputs, pending: read.pending, history: StackDetailReader.history(try await backend.history(project: name, stack: stack)))
        }, plan: { stack, operation in
            let runner = try live.runner(stack)
            let sink = EventSink()
            let fingerprint = await sources(stack)  // taken first: a change while planning plans again
            let prepared: PreparedChange
            switch operation {
            case .update: prepared = try await runner.preparePlan(events: { sink.send($0) })
            case .destroy: prepared = try await runner.prepareDestroy(events: { sink.send($0) })
            case .refresh: prepared = try await runner.prepareRefresh(events: { sink.send($0) })
            }
            plans.keep(prepared.hash, prepared, runner: runner, sink: sink)
            var view = PlanView(stack: stack, hash: prepared.hash, plan: prepared.plan,
                                production: StackSummary.isProduction(stack, project: name, config: prepared.session.config), operation: operation,
                                blockers: prepared.blockers.map { ("\($0) (\($0.urn.name))", $0.remedy) })
            view.sources = fingerprint
            return view
        }, deploy: { stack, hash, clearBlockers, events in
            guard let (prepared, runner, sink) = plans.take(hash) else { throw DashboardError(message: "plan \(hash) is gone: review it again") }
            sink.target = events  // the engine's events now go to the deploy screen
            plans.running(stack, prepared.engine)
            defer { plans.running(stack, nil) }
            let summary: DeploymentEngine.Summary
            do {
                summary = try await runner.execute(prepared, clearBlockers: clearBlockers)
            } catch let changed as PlanChanged {
                // The plan now, kept for approval like any reviewed plan (its events go to a
                // sink of its own), and shown instead of the refused one.
                let sink = EventSink()
                let fingerprint = await sources(stack)
                let current = try await runner.preparePlan(targets: changed.current.targets, events: { sink.send($0) })
                plans.keep(current.hash, current, runner: runner, sink: sink)
                var view = PlanView(stack: stack, hash: current.hash, plan: current.plan,
                                    production: StackSummary.isProduction(stack, project: name, config: current.session.config))
                view.sources = fingerprint
                throw PlanReplaced(plan: view, reason: "\(changed)")
            }
            let changed = summary.counts.filter { $0.key != .same }.values.reduce(0, +)
            let verb = prepared.kind.rawValue.prefix(1).uppercased() + prepared.kind.rawValue.dropFirst()
            return "\(verb) of \(stack) succeeded: \(changed) change\(changed == 1 ? "" : "s") (plan \(hash))"
        }, cancel: { stack in
            plans.cancel(stack)
        }, reveal: { stack in
            let outputs = try await live.runner(stack).outputs()
            return outputs.keys.sorted().map { key in
                let value = outputs[key]!.plainJSON
                return StackDetailReader.Output(name: key, value: value.stringValue ?? value.serialized(), secret: outputs[key]!.isSecret)
            }
        }, identity: live.identity, theme: live.theme, broker: broker(live), fleet: fleet(live.client, managedBy: {
            // Which stack resource manages each thing, group, policy and rule of the account.
            var entries: [String: String] = [:]
            for summary in try await StackSummary.load(project: name, directory: directory, configuredStacks: configured, backend: backend) {
                for resource in StackDetailReader.read(try await backend.checkpoint(project: name, stack: summary.name)).resources {
                    if let kind = ManagedIndex.kinds[resource.type] { entries["\(kind):\(resource.id)"] = "\(summary.name)/\(resource.name)" }
                }
            }
            return ManagedIndex(entries)
        }), sources: sources)
    }

    /// A fingerprint of what a stack's plan is made from: the program, the stack config and (on
    /// file://, where reading it costs nothing) the state.
    public static func sourcesFingerprint(directory: String, project name: String, backend: any StateBackend) -> @Sendable (String) async -> String? {
        { stack in
            var bytes = ProjectFolder.programFiles(directory: directory).flatMap { (AtomicFile.read($0) ?? []) + [0] }
                + (AtomicFile.read("\(directory)/Pulumi.\(stack).yaml") ?? []) + [0]
            if backend is FileBackend {
                bytes += ((try? await backend.checkpoint(project: name, stack: stack)) ?? nil) ?? []
                bytes += ((try? await backend.journal(project: name, stack: stack)) ?? nil) ?? []
            }
            return Hex.encode(SHA256.hash(data: bytes))
        }
    }

    /// The fleet screens' data over AWS IoT (one client for the session, made on first use), and
    /// which stack manages what.
    public static func fleet(_ makeClient: @escaping @Sendable () throws -> AWSClient,
                             managedBy: @escaping @Sendable () async throws -> ManagedIndex = { ManagedIndex() }) -> @Sendable () throws -> any FleetSource {
        let client = ClientBox(makeClient)
        return { FleetLoader(client: try client.get(), managedBy: managedBy) }
    }

    /// The dashboard's broker link over an MQTT client thread.
    public static func link(_ endpoint: BrokerEndpoint, events: @escaping @Sendable (BrokerEvent) -> Void) -> BrokerLink {
        let client = Client(options: Session.Options(clientID: "fleetdeck-console-\(UInt32.random(in: 0...UInt32.max))"),
                            open: { () throws(TransportError) in try endpoint.open() }) { event in
            switch event {
            case .connected: events(.connected)
            case .disconnected(let why): events(.disconnected(why))
            case .refused(let why): events(.disconnected("\(why): not retrying (check the credentials and the policy)"))
            case .message(let message, let time): events(.message(message, time: time))
            case .subscribed(let filters, let codes):
                let refused = zip(filters, codes).filter { $0.1 == 0x80 }.map(\.0)
                if !refused.isEmpty { events(.disconnected("the broker refused the subscription to \(refused.joined(separator: ", "))")) }
            case .published, .idle: break
            }
        }
        client.start()
        return BrokerLink(name: endpoint.description, subscribe: { client.subscribe($0.map { Subscription($0, qos: .atLeastOnce) }) },
                          unsubscribe: { client.unsubscribe($0) }, publish: { client.publish($0) }, stop: { client.stop() })
    }
}

/// Plans made in the dashboard, kept by hash until they are deployed; the engines running.
final class PlanCache: Sendable {
    private struct State {
        var plans: [String: (PreparedChange, StackRunner, EventSink)] = [:]
        var engines: [String: DeploymentEngine] = [:]
        /// Cancels asked for before the deploy's task registered its engine.
        var cancelled: Set<String> = []
    }

    private let state = Mutex(State())

    func keep(_ hash: String, _ plan: PreparedChange, runner: StackRunner, sink: EventSink) { state.withLock { $0.plans[hash] = (plan, runner, sink) } }
    func take(_ hash: String) -> (PreparedChange, StackRunner, EventSink)? { state.withLock { $0.plans.removeValue(forKey: hash) } }

    func running(_ stack: String, _ engine: DeploymentEngine?) {
        let cancel = state.withLock { state in
            state.engines[stack] = engine
            return state.cancelled.remove(stack) != nil
        }
        if cancel { engine?.cancel() }
    }

    func cancel(_ stack: String) {
        let engine = state.withLock { state in
            if state.engines[stack] == nil { state.cancelled.insert(stack) }
            return state.engines[stack]
        }
        engine?.cancel()
    }
}

/// Where an engine's events go; set when its plan is deployed.
final class EventSink: Sendable {
    private let destination = Mutex<(@Sendable (EngineEvent) -> Void)?>(nil)
    var target: (@Sendable (EngineEvent) -> Void)? {
        get { destination.withLock { $0 } }
        set { destination.withLock { $0 = newValue } }
    }
    func send(_ event: EngineEvent) { target?(event) }
}
