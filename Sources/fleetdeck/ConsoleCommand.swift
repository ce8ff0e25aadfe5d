import ArgumentParser
import Console
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
        let terminal: NcursesTerminal
        do {
            terminal = try NcursesTerminal.open(environment: ProcessEnvironment.current)
        } catch {
            throw ValidationFailure(message: "console: \(error)")
        }
        defer { terminal.close() }
        let proof = ConsoleProof(title: "Fleetdeck \(FleetdeckVersion.short)", status: "no stack selected")
        if crashAfterDraw {
            proof.draw(on: terminal)
            fatalError("crash requested by --debug-crash-after-draw")
        }
        proof.run(on: terminal)
    }
}
