import FleetValues

/// A read a screen asks of the fleet, declared in the screen's own file
/// (`static let detail = FleetQuery<String, DeviceDetail>("device") { try await $0.detail(of: $1) }`):
/// the runtime serves every query the same way, through the `FleetSource`, and the answer comes
/// back to the screen, typed, with the argument it was asked for (`answer(in:)`). A query is
/// handed a `FleetReader` only: it cannot change the account.
public struct FleetQuery<Argument: Sendable, Answer: Sendable>: Sendable {
    let name: String
    /// A screen waits for it (its placeholder counts the seconds).
    let waits: Bool
    let read: @Sendable (any FleetReader, Argument) async throws -> Answer

    init(_ name: String, waits: Bool = true, read: @escaping @Sendable (any FleetReader, Argument) async throws -> Answer) {
        self.name = name
        self.waits = waits
        self.read = read
    }

    /// The command that asks it (two commands with the same name and argument are the same).
    public func callAsFunction(_ argument: Argument) -> DashboardCommand {
        let read = self.read
        return .fleet(FleetRequest(name: name, argument: argument, changes: false, waits: waits) { source, _ in try await read(source, argument) })
    }

    /// Its answer, if `message` is one: the argument it was asked for and the value or why none.
    func answer(in message: DashboardMessage) -> FleetAnswer<Argument, Answer>? { FleetAnswer(name, message) }

    /// The message its answer arrives in (what a test sends).
    public func answered(_ argument: Argument, _ result: Result<Answer, DashboardError>) -> DashboardMessage {
        .answered(name: name, argument: argument, result.map { $0 })
    }
}

extension FleetQuery where Argument == Void {
    public var command: DashboardCommand { self(()) }
    public func answered(_ value: Answer) -> DashboardMessage { answered((), .success(value)) }
}

/// A change a screen makes to the fleet after its plan was approved: like a query, but handed
/// the whole `FleetSource`; --read-only drops every command that changes anything. Items it
/// acts on one by one are reported as they are done (`DashboardMessage.fleetStepDone`).
public struct FleetChange<Argument: Sendable, Answer: Sendable>: Sendable {
    let name: String
    let apply: @Sendable (any FleetSource, Argument, @escaping @Sendable (String, String?) -> Void) async throws -> Answer

    init(_ name: String, apply: @escaping @Sendable (any FleetSource, Argument, @escaping @Sendable (String, String?) -> Void) async throws -> Answer) {
        self.name = name
        self.apply = apply
    }

    public func callAsFunction(_ argument: Argument) -> DashboardCommand {
        let apply = self.apply
        return .fleet(FleetRequest(name: name, argument: argument, changes: true, waits: false) { source, post in
            try await apply(source, argument) { item, error in _ = post(.fleetStepDone(item, error)) }
        })
    }

    func answer(in message: DashboardMessage) -> FleetAnswer<Argument, Answer>? { FleetAnswer(name, message) }

    public func answered(_ argument: Argument, _ result: Result<Answer, DashboardError>) -> DashboardMessage {
        .answered(name: name, argument: argument, result.map { $0 })
    }
}

/// A read whose answer comes in pages (every device of an account): each page is answered as it
/// arrives, then an empty last one with `done`; asking again stops the read before (a new filter
/// replaces the load under way), and a failure is the last answer.
public struct FleetPages<Argument: Sendable, Item: Sendable>: Sendable {
    let name: String
    let read: @Sendable (any FleetReader, Argument, _ page: @escaping @Sendable ([Item]) -> Bool) async throws -> Void

    init(_ name: String, read: @escaping @Sendable (any FleetReader, Argument, _ page: @escaping @Sendable ([Item]) -> Bool) async throws -> Void) {
        self.name = name
        self.read = read
    }

    public func callAsFunction(_ argument: Argument) -> DashboardCommand {
        let read = self.read, name = self.name
        return .fleet(FleetRequest(name: name, argument: argument, changes: false, waits: true, replaces: true) { source, post in
            try await read(source, argument) { items in post(.answered(name: name, argument: argument, .success(FleetPage(items: items, done: false)))) }
            return FleetPage<Item>(items: [], done: true)
        })
    }

    func answer(in message: DashboardMessage) -> FleetAnswer<Argument, FleetPage<Item>>? { FleetAnswer(name, message) }

    /// The message a page arrives in (what a test sends).
    public func answered(_ argument: Argument, _ items: [Item], done: Bool) -> DashboardMessage {
        .answered(name: name, argument: argument, .success(FleetPage(items: items, done: done)))
    }
}

/// One page of a `FleetPages` read; the last has `done`.
public struct FleetPage<Item: Sendable>: Sendable {
    public var items: [Item]
    public var done: Bool
}

/// A query's or a change's answer as its screen receives it.
struct FleetAnswer<Argument, Answer> {
    var argument: Argument
    var result: Result<Answer, DashboardError>

    init?(_ name: String, _ message: DashboardMessage) {
        guard case .answered(name, let argument, let result) = message else { return nil }
        // One name is one declaration; a mismatch is a programming error, said, never dropped.
        guard let argument = argument as? Argument else { preconditionFailure("\(name): answered for a \(type(of: argument)), not a \(Argument.self)") }
        self.argument = argument
        switch result {
        case .success(let value as Answer): self.result = .success(value)
        case .success(let value): preconditionFailure("\(name): the answer is a \(type(of: value)), not a \(Answer.self)")
        case .failure(let error): self.result = .failure(error)
        }
    }

    /// The value; a failure goes to the screen on top's status line, as any failed work does.
    func value(_ state: inout DashboardState) -> Answer? {
        switch result {
        case .success(let value): return value
        case .failure(let error):
            state.screen.component.failed(&state, error.message)
            return nil
        }
    }
}

/// What the runtime runs for a `FleetQuery`, `FleetPages` or `FleetChange` (made only by them).
public struct FleetRequest: Equatable, Sendable, CustomStringConvertible {
    public let name: String
    let argument: any Sendable
    /// Whether it changes the account (what --read-only refuses), and whether a screen waits for it.
    public let changes: Bool
    let waits: Bool
    /// A new request of the same name stops this one (its later answers are never posted).
    let replaces: Bool
    /// Reads or changes, posting what comes before the answer (pages, items done; false once
    /// the request was replaced), and returns the answer.
    let run: @Sendable (any FleetSource, _ post: @escaping @Sendable (DashboardMessage) -> Bool) async throws -> any Sendable

    fileprivate init(name: String, argument: any Sendable, changes: Bool, waits: Bool, replaces: Bool = false,
                     run: @escaping @Sendable (any FleetSource, _ post: @escaping @Sendable (DashboardMessage) -> Bool) async throws -> any Sendable) {
        self.name = name
        self.argument = argument
        self.changes = changes
        self.waits = waits
        self.replaces = replaces
        self.run = run
    }

    public static func == (a: FleetRequest, b: FleetRequest) -> Bool { a.description == b.description && a.changes == b.changes }

    public var description: String { argument is Void ? name : "\(name)(\(argument))" }
}
