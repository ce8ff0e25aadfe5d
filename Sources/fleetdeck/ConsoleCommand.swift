import AWSServices
import ArgumentParser
import CFleetdeckSupport
import Console
import ConsoleLive
import Fleet
import AWSCore
import MQTT
import MQTTNet
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

    @Flag(name: .customLong("read-only"), help: "Browse only: approving deploys, destroys and refreshes is disabled (also FLEETDECK_READ_ONLY=1).")
    var readOnlyFlag = false

    @Flag(name: .customLong("debug-crash-after-draw"), help: .hidden)
    var crashAfterDraw = false

    func run() async throws {
        try await MainActor.run { try runOnMain() }
    }

    @MainActor
    private func runOnMain() throws {
        let readOnly = readOnlyFlag || ["1", "true", "yes"].contains(ProcessEnvironment.current["FLEETDECK_READ_ONLY"]?.lowercased() ?? "")
        try Self.openDashboard(global, readOnly: readOnly, crashAfterDraw: crashAfterDraw)
    }

    @MainActor
    static func openTerminal() throws -> NcursesTerminal {
        do {
            return try NcursesTerminal.open(environment: ProcessEnvironment.current)
        } catch {
            throw ValidationFailure(message: "console: \(error)")
        }
    }

    /// Runs the dashboard until the user quits: on the project in `global.directory`, or, outside
    /// a project, on the fleet and messages alone. `start` may set up the first screen (the demo
    /// opens on its messages) and returns commands to run first. The project is checked before
    /// the screen changes.
    @MainActor
    static func openDashboard(_ global: GlobalOptions, readOnly: Bool, crashAfterDraw: Bool = false, environment: [String: String] = ProcessEnvironment.current,
                              start: (inout DashboardState) -> [DashboardCommand] = { _ in [] },
                              running: (DashboardRuntime) -> Void = { _ in }) throws {
        let context = ProjectContext(directory: global.directory, environment: environment)
        let data: DashboardData, project: String
        if AtomicFile.exists(global.directory + "/Pulumi.yaml") {
            do {
                let loaded = try context.loadProject()
                let backend = try context.backend(global, program: loaded.program)
                project = loaded.program.name
                data = LiveData.dashboard(project: project, directory: global.directory, configured: context.configuredStacks, backend: backend,
                                          sources: liveSources(global, environment: environment))
            } catch let diagnostics as Diagnostics {
                throw ValidationFailure(message: diagnostics.items.map(\.description).joined(separator: "\nfleetdeck: "))
            } catch {
                throw ValidationFailure(message: "\(error)")
            }
        } else {
            project = ""
            data = LiveData.fleetOnly(sources: liveSources(global, environment: environment))
        }
        let terminal = try openTerminal()
        defer { terminal.close() }
        let (theme, problem) = data.theme(environment["FLEETDECK_THEME"] ?? "default")
        var state = DashboardState(project: project, theme: terminal.hasColors ? theme : theme.withoutColors, readOnly: readOnly)
        state.notice = problem.map { "theme: \($0) (using \(theme.name))" }
        let first = start(&state)
        let runtime = DashboardRuntime(state: state, data: data, wake: { fd_wake() })
        running(runtime)
        runtime.run(on: terminal, first: first) {
            if crashAfterDraw { fatalError("crash requested by --debug-crash-after-draw") }
        }
    }
}

extension ConsoleCommand {
    /// What the live data makes from the command line's options and the environment.
    static func liveSources(_ options: GlobalOptions, environment: [String: String]) -> LiveSources {
        LiveSources(runner: { try StackCommandContext.runner(options, stack: $0, environment: environment) }, client: { try AWSCommandContext.client(options) },
                    endpoint: {
                        try await BrokerOptions.endpoint(url: environment["FLEETDECK_MQTT_URL"], ca: environment["FLEETDECK_MQTT_CA"],
                                                         cert: environment["FLEETDECK_MQTT_CERT"], key: environment["FLEETDECK_MQTT_KEY"], options)
                    },
                    identity: identity(options), theme: LiveData.themes(environment))
    }

    /// Who the credentials are, for the title bar.
    static func identity(_ options: GlobalOptions) -> @Sendable () async throws -> String {
        {
            let client = try AWSCommandContext.client(options)
            // Asked again each time: it is how the dashboard checks that AWS still answers.
            return "\(try await client.callerIdentity(fresh: true).account) \(client.settings.region)"
        }
    }
}
