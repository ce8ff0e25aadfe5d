import ArgumentParser
import CFleetdeckSupport
import Console
import StackAWS
import StackEngine
import StackModel
import TermCore
import TermNcurses
#if canImport(Glibc)
import Glibc
#endif

/// `fleetdeck` / `fleetdeck console`: the dashboard. Refuses in one line without a terminal.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "console", abstract: "Open the dashboard (needs a terminal).")

    @OptionGroup var global: GlobalOptions

    @Flag(name: .customLong("debug-crash-after-draw"), help: .hidden)
    var crashAfterDraw = false

    func run() async throws {
        try await MainActor.run { try runOnMain() }
    }

    @MainActor
    private func runOnMain() throws {
        let environment = ProcessEnvironment.current
        let context = ProjectContext(directory: global.directory, environment: environment)
        // A project folder opens the dashboard on its stacks; it is checked before the screen changes.
        var dashboard: (DashboardData, String)?
        if AtomicFile.exists(global.directory + "/Pulumi.yaml") {
            do {
                let project = try context.loadProject()
                let backend = try context.backend(global, program: project.program)
                let name = project.program.name, directory = global.directory, configured = context.configuredStacks
                let plans = PlanCache()
                let options = global
                dashboard = (DashboardData(stacks: {
                    try await StackSummary.load(project: name, directory: directory, configuredStacks: configured, backend: backend)
                }, stack: { stack in
                    let read = StackDetailReader.read(try await backend.checkpoint(project: name, stack: stack))
                    return StackDetail(name: stack, resources: read.resources.map { ResourceRow(name: $0.name, type: $0.type, id: $0.id, protected: $0.protect) },
                                       outputs: read.outputs, pending: read.pending)
                }, plan: { stack in
                    let runner = try StackCommandContext.runner(options, stack: stack)
                    let sink = EventSink()
                    let prepared = try await runner.preparePlan(events: { sink.send($0) })
                    plans.keep(prepared, runner: runner, sink: sink)
                    let production = StackSummary.isProduction(stack, project: name, config: prepared.session.config)
                    return PlanView(stack: stack, hash: prepared.hash, plan: prepared.plan, production: production)
                }, deploy: { stack, hash, events in
                    guard let (prepared, runner, sink) = plans.take(hash) else { throw ValidationFailure(message: "plan \(hash) is gone: preview again") }
                    sink.target = events  // the engine's events now go to the deploy screen
                    let summary = try await runner.deploy(prepared)
                    let changed = summary.counts.filter { $0.key != .same }.values.reduce(0, +)
                    return "Update of \(stack) succeeded: \(changed) change\(changed == 1 ? "" : "s") (plan \(hash))"
                }), name)
            } catch let diagnostics as Diagnostics {
                throw ValidationFailure(message: diagnostics.items.map(\.description).joined(separator: "\nfleetdeck: "))
            } catch {
                throw ValidationFailure(message: "\(error)")
            }
        }
        let terminal: NcursesTerminal
        do {
            terminal = try NcursesTerminal.open(environment: ProcessEnvironment.current)
        } catch {
            throw ValidationFailure(message: "console: \(error)")
        }
        defer { terminal.close() }
        if let (data, project) = dashboard {
            let (theme, _) = Theme.load(named: environment["FLEETDECK_THEME"] ?? "default", userFile: { name in
                AtomicFile.read((environment["HOME"] ?? "") + "/.config/fleetdeck/themes/\(name).yaml").map { String(decoding: $0, as: UTF8.self) }
            }, environment: environment)
            DashboardRuntime(state: DashboardState(project: project), data: data, theme: theme, wake: { fd_wake() }).run(on: terminal)
            return
        }
        let proof = ConsoleProof(title: "Fleetdeck \(FleetdeckVersion.short)", status: "no stack selected")
        if crashAfterDraw {
            proof.draw(on: terminal)
            fatalError("crash requested by --debug-crash-after-draw")
        }
        proof.run(on: terminal)
    }
}

/// Plans made in the dashboard, kept by hash until they are deployed.
final class PlanCache: @unchecked Sendable {
    private let lock = NSLockless()
    private var plans: [String: (PreparedPlan, StackRunner, EventSink)] = [:]

    func keep(_ plan: PreparedPlan, runner: StackRunner, sink: EventSink) { lock.with { plans[plan.hash] = (plan, runner, sink) } }
    func take(_ hash: String) -> (PreparedPlan, StackRunner, EventSink)? { lock.with { plans.removeValue(forKey: hash) } }
}

/// Where an engine's events go; set when its plan is deployed.
final class EventSink: @unchecked Sendable {
    private let lock = NSLockless()
    private var destination: (@Sendable (EngineEvent) -> Void)?
    var target: (@Sendable (EngineEvent) -> Void)? {
        get { lock.with { destination } }
        set { lock.with { destination = newValue } }
    }
    func send(_ event: EngineEvent) { target?(event) }
}

/// A pthread mutex (no Foundation).
final class NSLockless: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func with<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}
