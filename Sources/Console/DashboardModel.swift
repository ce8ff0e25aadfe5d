import FleetValues
import JSON
import MQTT
import StackEngine
import TermCore

/// One resource of a stack, as the Stack screen lists it.
public struct ResourceRow: Equatable, Sendable {
    public var name: String
    public var type: String
    public var id: String
    public var protected: Bool
    /// The stack's resources this one depends on (the tree hangs each under its first one).
    public var dependencies: [String]
    /// "ok", or the operation a crashed run left pending ("pending create").
    public var status: String
    /// Its outputs (secrets masked), for the JSON viewer.
    public var properties: JSONValue

    public init(name: String, type: String, id: String, protected: Bool = false, dependencies: [String] = [], status: String = "ok",
                properties: JSONValue = .object(JSONObject())) {
        self.name = name
        self.type = type
        self.id = id
        self.protected = protected
        self.dependencies = dependencies
        self.status = status
        self.properties = properties
    }
}

/// What the Stack screen shows: resources, outputs (secrets masked), pending operations, history.
public struct StackDetail: Equatable, Sendable {
    public var name: String
    public var resources: [ResourceRow]
    public var outputs: [StackDetailReader.Output]
    public var pending: [String]
    public var history: [StackDetailReader.HistoryEntry]

    public init(name: String, resources: [ResourceRow], outputs: [StackDetailReader.Output], pending: [String] = [],
                history: [StackDetailReader.HistoryEntry] = []) {
        self.name = name
        self.resources = resources
        self.outputs = outputs
        self.pending = pending
        self.history = history
    }
}

/// What a plan screen prepares and a deploy screen runs.
public enum Operation: String, Equatable, Sendable, CaseIterable {
    case update, destroy, refresh
}

/// Where the dashboard's data comes from (the composition root fills these in; tests use values).
public struct DashboardData: Sendable {
    public var stacks: @Sendable () async throws -> [StackSummary]
    public var stack: @Sendable (String) async throws -> StackDetail
    /// The plan of an operation on a stack (kept by the data source under its hash for `deploy`).
    public var plan: @Sendable (String, Operation) async throws -> PlanView
    /// Executes the plan with that hash (clearing a destroy's blockers when the flag says so),
    /// reporting engine events; returns a one-line result.
    public var deploy: @Sendable (String, String, Bool, @escaping @Sendable (EngineEvent) -> Void) async throws -> String
    /// Asks the running deploy of a stack to stop after its in-flight steps.
    public var cancel: @Sendable (String) -> Void
    /// The stack's outputs with secrets decrypted (the reveal key).
    public var reveal: @Sendable (String) async throws -> [StackDetailReader.Output]
    /// Who the AWS credentials are ("account 123456789012"), for the status line.
    public var identity: @Sendable () async throws -> String
    /// A theme by name (the user's file over the built-in one) and the problem with it, if any.
    public var theme: @Sendable (String) -> (Theme, Theme.Problem?)
    /// The fleet (devices, groups, certificates, shadows), made on first use; nil where there is
    /// no AWS access. Every screen's fleet query and change is served by it.
    public var fleet: (@Sendable () throws -> any FleetSource)?
    /// Connects to the MQTT broker; its events may come from any thread. Nil: no broker known.
    public var broker: (@Sendable (@escaping @Sendable (BrokerEvent) -> Void) async throws -> BrokerLink)?
    /// A fingerprint of what a stack's plan is made from (program, config, state), polled while
    /// the stack or its review is on screen: a change plans again. Nil: nothing to watch.
    public var sources: (@Sendable (String) async -> String?)?

    public init(stacks: @escaping @Sendable () async throws -> [StackSummary], stack: @escaping @Sendable (String) async throws -> StackDetail,
                plan: @escaping @Sendable (String, Operation) async throws -> PlanView = { _, _ in throw DashboardError(message: "plans are not available here") },
                deploy: @escaping @Sendable (String, String, Bool, @escaping @Sendable (EngineEvent) -> Void) async throws -> String = { _, _, _, _ in
                    throw DashboardError(message: "deploys are not available here") },
                cancel: @escaping @Sendable (String) -> Void = { _ in },
                reveal: @escaping @Sendable (String) async throws -> [StackDetailReader.Output] = { _ in throw DashboardError(message: "secrets cannot be read here") },
                identity: @escaping @Sendable () async throws -> String = { throw DashboardError(message: "no AWS credentials") },
                theme: @escaping @Sendable (String) -> (Theme, Theme.Problem?) = { Theme.load(named: $0, userFile: { _ in nil }, environment: [:]) },
                broker: (@Sendable (@escaping @Sendable (BrokerEvent) -> Void) async throws -> BrokerLink)? = nil, fleet: (@Sendable () throws -> any FleetSource)? = nil, sources: (@Sendable (String) async -> String?)? = nil) {
        self.stacks = stacks
        self.stack = stack
        self.plan = plan
        self.deploy = deploy
        self.cancel = cancel
        self.reveal = reveal
        self.identity = identity
        self.theme = theme
        self.broker = broker
        self.fleet = fleet
        self.sources = sources
    }
}

public struct DashboardError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// The tabs of the Stack screen.
public enum StackTab: String, Equatable, Sendable, CaseIterable {
    case resources, outputs, history
}

/// The Stack screen's state: the stack as read, the tab, the tree's folds, revealed secrets.
public struct StackScreenState: Equatable, Sendable {
    public var detail: StackDetail?
    public var tab = StackTab.resources
    /// Folded nodes of the resource tree.
    public var folded: Set<String> = []
    /// Outputs with secrets in clear, while revealed (cleared on leaving the stack).
    public var revealed: [StackDetailReader.Output]?
    public init() {}
}

/// A screen's cursor and `/` filter, kept while another screen is open over it.
public struct Place: Equatable, Sendable {
    public var selected: Int
    public var filter: String
}

/// The stacks screen's state: the stacks as read (or why they could not be), and their order.
public struct StacksState: Equatable, Sendable {
    public var all: [StackSummary] = []
    public var loading = true
    public var error: String?
    public var order = Table.Order()
    public init() {}
}

/// The inspector's state: the item Enter opened (nil: closed), its cursor and folded paths.
public struct InspectorState: Equatable, Sendable {
    public var item: String?
    public var selected = 0
    public var folded: Set<String> = []
    /// Long lines wrap (else they scroll sideways by `offset` characters).
    public var wrap = false
    public var offset = 0
    /// The search being typed (nil: not typing), and the last one made.
    public var search: String?
    public var query = ""
    public init() {}
}

/// The AWS connection as the status line shows it.
public enum Connection: Equatable, Sendable {
    case checking
    case connected(String)
    case offline(String)
}

/// A change waiting for its `y` (or, on a production fleet, its name typed): what the status
/// line asks, and what the approval runs.
public struct Confirmation: Equatable, Sendable {
    public var question: String
    public var commands: [DashboardCommand]
    /// The name to type and Enter instead of `y` (nil: `y` approves), and what is typed so far.
    public var name: String?
    public var typed = ""

    public init(question: String, commands: [DashboardCommand], name: String? = nil) {
        self.question = question
        self.commands = commands
        self.name = name
    }

    /// The status line's question.
    public var prompt: String {
        guard let name else { return "y to " + question + "; any other key: no" }
        return "type '\(name)' and enter to \(question) (esc: no): \(typed)▏"
    }
}

/// The whole dashboard as a value (the Elm architecture's model).
public struct DashboardState: Equatable, Sendable {
    public var project: String
    public var theme: Theme
    /// `--read-only`: keys and commands that change anything are refused.
    public var readOnly: Bool
    public var screens: [Screen] = [.stacks]
    /// Where each screen under the top one was left (by depth): going back puts it there again.
    public var places: [Int: Place] = [:]
    /// The project's stacks, as the first screen lists them (the other screens read them too).
    public var stacks = StacksState()
    public var selected = 0
    public var showHelp = false
    /// Set where quitting does more than leave (the demo removes what it made): `q` asks this
    /// first, and Ctrl-C quits the same way instead of ending the process.
    public var quitAsks: String?
    public var confirmingQuit = false
    /// A change asked for with a `:` command, waiting for `y` (any other key drops it).
    public var confirming: Confirmation?
    public var quit = false
    public var deploy = DeployState()
    /// One line for the status bar (a refusal, a hint).
    public var notice: String?
    /// The screen the notice was given on.
    public var noticeScreen: Screen?
    /// The `/` filter (a regular expression; a leading `!` inverts it), and whether it is being typed.
    public var filter = ""
    public var editingFilter = false
    /// The `:` command line (with its history), and whether it is open.
    public var command = InputLine()
    public var editingCommand = false
    /// The Stack screen's own state, and the inspector's (whichever screen opened it).
    public var stackScreen = StackScreenState()
    public var inspector = InspectorState()
    public var connection = Connection.checking
    /// Each other screen's own state (`ScreenState`), kept here by the router.
    public var own = ScreenStates()
    /// Seconds since 1970 as of the last fleet load (certificate expiry is counted from it).
    public var now: Int64 = 0
    /// Device messages: the tail's buffer and how it is shown.
    public var messages = MessagesState()
    /// Seconds since the dashboard started (the runtime keeps it current), and when the data on
    /// screen was last asked for: a load that takes long says how long.
    public var uptime: Double = 0
    public var requestedAt: Double = 0
    /// Why the data the screen on top waits for could not be read (its placeholder says so,
    /// rather than counting on); cleared when anything is asked again or another screen opens.
    public var failure: String?
    /// The terminal's size (the runtime keeps it current; clicks are mapped with it).
    public var rows = 24
    public var columns = 80

    public init(project: String, theme: Theme = Theme(name: "plain", styles: [:]), readOnly: Bool = false) {
        self.project = project
        self.theme = theme
        self.readOnly = readOnly
    }

    public var screen: Screen { screens.last ?? .stacks }
}

/// Messages: keys from the terminal, results of background work (which carry what they are for).
/// Thrown by `DashboardData.deploy` when the approved plan is no longer the plan (the program,
/// a file it reads, the config or the state changed): nothing ran; `plan` is the plan now.
public struct PlanReplaced: Error, CustomStringConvertible, Sendable {
    public var plan: PlanView
    public var reason: String
    public init(plan: PlanView, reason: String) {
        self.plan = plan
        self.reason = reason
    }
    public var description: String { reason }
}

public enum DashboardMessage: Sendable {
    case key(TerminalEvent)
    case stacksLoaded([StackSummary])
    case stackLoaded(StackDetail)
    case planned(PlanView, Operation)
    case engine(EngineEvent)
    case deployFinished(String, failed: Bool)
    /// An approved plan refused because it is no longer the plan; the plan as it is now.
    case planReplaced(PlanView, String)
    /// The program, config or state of the stack changed on disk.
    /// The watched stack's sources now have this fingerprint (the plan on screen was made from others).
    case sourcesChanged(String, fingerprint: String)
    case revealed(String, [StackDetailReader.Output])
    case connection(Connection)
    case themeLoaded(Theme, problem: String?)
    /// Seconds since the running deploy started.
    case tick(Double)
    /// Messages from the broker, in the order received, with their arrival times.
    case received([(Message, Double)])
    case broker(BrokerEvent)
    /// The answer to a screen's fleet query or change (`FleetQuery.answer(in:)` reads it).
    case answered(name: String, argument: any Sendable, Result<any Sendable, DashboardError>)
    /// One item of a fleet change done (nil) or not (why).
    case fleetStepDone(String, String?)
    case clock(Int64)
    /// A timer the screen asked for (`DashboardCommand.timer`) is due.
    case timer(String)
    case failed(String)
    /// Something the user should read on the status line (what a pager or editor did).
    case notice(String)
}

/// Effects the runtime performs; each ends in a message.
public enum DashboardCommand: Equatable, Sendable {
    case loadStacks
    case loadStack(String)
    case preview(String, Operation)
    case deploy(String, hash: String, clearBlockers: Bool)
    case cancel(String)
    case reveal(String)
    case checkConnection
    case loadTheme(String)
    case connectBroker
    case subscribe([String])
    case unsubscribe([String])
    case publish(Message)
    /// Appends messages to a JSON-lines recording.
    case record(String, [Record])
    /// A screen's fleet query or change (declared by the screen as a `FleetQuery`, `FleetPages` or `FleetChange`).
    case fleet(FleetRequest)
    /// Puts text on the terminal's clipboard (OSC 52).
    case copyToClipboard(String)
    /// Shows text outside the dashboard, read-only: `$PAGER` (or `$EDITOR`), then back.
    case openOutside(String, name: String, editor: Bool)
    /// Posts `.timer(name)` (with the clock) after `seconds`: a screen that follows something
    /// live asks again then. One timer of a name waits at a time.
    case timer(String, seconds: Double)
}

extension DashboardCommand {
    /// Whether the command changes anything (a stack, the account's devices, a shadow, a
    /// message published): what --read-only refuses.
    var changes: Bool {
        switch self {
        case .deploy, .publish: return true
        case .fleet(let request): return request.changes
        default: return false
        }
    }

    /// Whether the command reads data a screen waits for (its placeholder counts the seconds).
    var loads: Bool {
        switch self {
        case .loadStacks, .loadStack, .preview, .connectBroker: return true
        case .fleet(let request): return request.waits
        default: return false
        }
    }
}
