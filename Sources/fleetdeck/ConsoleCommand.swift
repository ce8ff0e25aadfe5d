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
                dashboard = (DashboardData(stacks: {
                    try await StackSummary.load(project: name, directory: directory, configuredStacks: configured, backend: backend)
                }, stack: { stack in
                    let read = StackDetailReader.read(try await backend.checkpoint(project: name, stack: stack))
                    return StackDetail(name: stack, resources: read.resources.map { ResourceRow(name: $0.name, type: $0.type, id: $0.id, protected: $0.protect) },
                                       outputs: read.outputs, pending: read.pending)
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
