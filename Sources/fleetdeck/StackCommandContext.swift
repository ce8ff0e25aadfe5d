import AWSCore
import ArgumentParser
import StackAWS
import StackEngine
import StackLanguage
import StackModel
#if canImport(Glibc)
import Glibc
#endif

/// The composition root for stack commands.
enum StackCommandContext {
    static func runner(_ global: GlobalOptions, stack: String? = nil, environment: [String: String] = ProcessEnvironment.current) throws -> StackRunner {
        try StackRunner(context: ProjectContext(directory: global.directory, environment: environment), stackFlag: stack ?? global.stack,
                               backendFlag: global.backend, makeClient: { profile, region in
                                   try AWSCommandContext.client(global, profile: profile, region: region)
                               })
    }

    /// The runner of a stack that exists (`-s` naming no stack is refused before anything is
    /// read or written).
    static func existing(_ global: GlobalOptions) async throws -> StackRunner {
        let made = try runner(global)
        try await made.requireStack()
        return made
    }

    /// Runs stack work, turning any failure into one line (diagnostics: one line each).
    static func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let failure as ValidationFailure {
            throw failure
        } catch let diagnostics as Diagnostics {
            throw ValidationFailure(message: diagnostics.items.map(\.description).joined(separator: "\nfleetdeck: "))
        } catch {
            throw ValidationFailure(message: "\(error)")
        }
    }

    /// Asks for `name` typed exactly (a change that cannot be undone); no terminal is never a yes.
    static func confirmTyping(_ name: String, _ question: String) throws -> Bool {
        guard isatty(0) == 1 else {
            throw ValidationFailure(message: "refusing to change anything without a terminal to confirm on: pass --yes to approve the plan shown")
        }
        writeStandardOutput("\(question) ('\(name)'): ")
        return readLine()?.trimmingWhitespace() == name
    }

    /// Asks yes/no/details on the terminal; `no` is the default and no terminal is never a yes.
    static func confirm(_ question: String, details: () -> String) throws -> Bool {
        guard isatty(0) == 1 else {
            throw ValidationFailure(message: "refusing to change anything without a terminal to confirm on: pass --yes to approve the plan shown")
        }
        while true {
            writeStandardOutput("\(question) [yes/no/details] (no): ")
            guard let answer = readLine()?.lowercased().trimmingWhitespace() else { return false }
            switch answer {
            case "yes", "y": return true
            case "details", "d": writeStandardOutput(details() + "\n")
            default: return false
            }
        }
    }
}


extension ProjectContext {
    /// The backend for commands without a runner (stack ls/init/rm, config).
    func backend(_ global: GlobalOptions, program: Program) throws -> any StateBackend {
        try backend(flag: global.backend, program: program, client: { try AWSCommandContext.client(global) })
    }
}
