import JSON
import TermCore

/// A screen of the dashboard: the component that shows it, and what it is about when it is
/// about one thing (a stack, a device), with its variant (a review's operation, which fleet
/// list). Each component's file declares its screens (`Screen.stacks`, `Screen.stack(_:)`).
public struct Screen: Equatable, Sendable, CustomStringConvertible {
    let component: any ScreenComponent.Type
    let subject: String?
    let variant: String?

    init(_ component: any ScreenComponent.Type, subject: String? = nil, variant: String? = nil) {
        self.component = component
        self.subject = subject
        self.variant = variant
    }

    public static func == (a: Screen, b: Screen) -> Bool {
        a.shown(by: b.component) && a.subject == b.subject && a.variant == b.variant
    }

    /// Whether `component` is the one that shows it.
    func shown(by component: any ScreenComponent.Type) -> Bool { ObjectIdentifier(self.component) == ObjectIdentifier(component) }

    /// The stack a stack, review or deploy screen is about.
    var stackName: String? { component.aboutAStack ? subject : nil }

    public var description: String { "\(component)" + ([subject, variant].compactMap { $0 }.map { "(\($0))" }.joined()) }
}

extension Dashboard {
    /// The router's table, and a new screen's one registration: its component's line here (its
    /// file declares the screens it shows). Every component is offered the results of background
    /// work and brings its `:` commands.
    static let components: [any ScreenComponent.Type] = [
        StacksScreen.self, StackScreen.self, PlanScreen.self, DeployScreen.self, MessagesScreen.self,
        DevicesScreen.self, DeviceScreen.self, FleetListsScreen.self, FleetPlanScreen.self,
        CoresScreen.self, CoreScreen.self, MatrixScreen.self, ComponentsScreen.self, AuditsScreen.self, RotationScreen.self, ProvisioningScreen.self, JobsScreen.self, JobTemplatesScreen.self, DeploymentsScreen.self, StuckScreen.self, DeploymentReviewScreen.self,
    ]
}

/// One screen of the dashboard: what it draws (and what a click on it does), the keys it takes,
/// its part of `update` for the results of background work, its status-line hints and its help.
/// The dashboard is a router: it hands the screen on top to the component registered for it
/// (`Dashboard.components`), offers every component the results of background work, and keeps
/// only what every screen shares (moving, help, `:` commands, `/` editing, back, quit).
protocol ScreenComponent: SendableMetatype {
    /// Whether its screens are about a stack (their subject is the stack's name).
    static var aboutAStack: Bool { get }
    /// Its name in the breadcrumbs and the help's title.
    static func title(_ screen: Screen) -> String
    /// Keys it takes before anything else (a running deploy, an open editor); nil passes them on.
    static func firstKey(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]?
    /// Its keys; nil for the keys every screen shares.
    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]?
    /// Draws it between the title bar and the status line, and returns what a click on each
    /// part of what it drew does.
    static func view(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea]
    /// A click on one of its hit areas; nil for what every screen does (a row selects it, an
    /// inspector line moves the cursor there, a key target is that key).
    static func clicked(_ state: inout DashboardState, _ target: HitArea.Target) -> [DashboardCommand]?
    /// The rows the shared keys (j k g G, PgDn PgUp, the wheel) move over.
    static func rowCount(_ state: DashboardState) -> Int
    /// Where its list is drawn (first row, height): its view draws there, and the keys scroll by it.
    static func listArea(_ state: DashboardState) -> (top: Int, height: Int)
    /// Its part of the status line: context and key hints.
    static func hints(_ state: DashboardState) -> String
    /// Its lines in the help overlay (after the shared ones).
    static func help(_ state: DashboardState) -> [String]
    /// Whether `/` filters it now, and what to redo when the filter changes.
    static func filters(_ state: DashboardState) -> Bool
    static func filterChanged(_ state: inout DashboardState)
    /// `r`: reads its data again; nil for the shared reload (stacks, the stack on screen).
    static func reload(_ state: inout DashboardState) -> [DashboardCommand]?
    /// The document Enter opened in the inspector (`state.inspector.item` names it), and its title.
    static func inspected(_ state: DashboardState, _ id: String) -> (title: String, value: JSONValue)?
    /// Its part of `update` for the results of background work: every component sees every such
    /// message and takes what is its own (an answer for a screen no longer on top is dropped).
    static func receive(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand]
    /// Work it asked for failed while it is on top (by default the status line says so).
    static func failed(_ state: inout DashboardState, _ error: String)
    /// It is on top again, `leaving` having been closed above it.
    static func returned(_ state: inout DashboardState, from leaving: Screen) -> [DashboardCommand]
    /// The `:` commands it brings (those that open it, those that act on it).
    static var commands: [ScreenCommand] { get }
}

/// A `:` command a screen brings: its names (the first is listed, the others are aliases), the
/// completions of its argument, and what it does with the argument (and the whole line).
struct ScreenCommand: Sendable {
    var names: [String]
    var arguments: @Sendable (DashboardState) -> [String] = { _ in [] }
    var run: @Sendable (_ state: inout DashboardState, _ argument: String, _ line: String) -> [DashboardCommand]
}

extension ScreenComponent {
    static var aboutAStack: Bool { false }
    static func firstKey(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? { nil }
    static func rowCount(_ state: DashboardState) -> Int { 0 }
    static func listArea(_ state: DashboardState) -> (top: Int, height: Int) { (2, 0) }
    static func filters(_ state: DashboardState) -> Bool { false }
    static func filterChanged(_ state: inout DashboardState) {}
    static func reload(_ state: inout DashboardState) -> [DashboardCommand]? { nil }
    static func inspected(_ state: DashboardState, _ id: String) -> (title: String, value: JSONValue)? { nil }
    static func receive(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] { [] }
    static func clicked(_ state: inout DashboardState, _ target: HitArea.Target) -> [DashboardCommand]? { nil }
    static var commands: [ScreenCommand] { [] }
    static func failed(_ state: inout DashboardState, _ error: String) {
        state.notice = error
        state.failure = error
    }
    static func returned(_ state: inout DashboardState, from leaving: Screen) -> [DashboardCommand] {
        state.deploy = DeployState()
        return []
    }
}

/// A part of the screen a click acts on, as a view drew it: on `row`, from `column`, `width` wide.
public struct HitArea: Equatable, Sendable {
    public enum Target: Equatable, Sendable {
        /// A row of the screen's list (its index): selects it.
        case row(Int)
        /// A line of the inspector: moves its cursor there.
        case line(Int)
        /// A column's header: sorts by it (again: the other way).
        case sort(Int)
        /// A label standing for a key (a tab): the click is that key.
        case key(TerminalEvent)
    }

    public var row: Int
    public var column: Int
    public var width: Int
    public var target: Target

    public init(row: Int, column: Int = 0, width: Int, target: Target) {
        self.row = row
        self.column = column
        self.width = width
        self.target = target
    }

    func contains(row: Int, column: Int) -> Bool { row == self.row && column >= self.column && column < self.column + width }

    /// A list's rows as drawn: from `first`, at `top`, as many of `count` as `height` holds.
    static func rows(first: Int, count: Int, top: Int, height: Int, width: Int, _ target: (Int) -> Target = Target.row) -> [HitArea] {
        (first..<max(first, min(count, first + height))).map { HitArea(row: top + $0 - first, width: width, target: target($0)) }
    }

    /// A table's header on `row`: each column's title sorts by it.
    static func header(_ columns: [Table.Column], row: Int, width: Int) -> [HitArea] {
        Table.spans(columns, width: width).enumerated().map { HitArea(row: row, column: $1.start, width: $1.width, target: .sort($0)) }
    }
}

extension Dashboard {
    /// The stack name, PRODUCTION, and for the stack screen its account and region: what the
    /// stack, review and deploy screens' status lines start with.
    static func stackContext(_ state: DashboardState, _ name: String, place: Bool) -> String {
        let summary = state.stacks.all.first { $0.name == name }
        return name + (summary?.production == true ? " PRODUCTION" : "")
            + (place ? (summary?.account.map { " \($0)" } ?? "") + (summary?.region.map { " \($0)" } ?? "") : "")
    }
}

extension Dashboard {
    /// A screen's sortable list in `area`: the table fitted to the width (titles with the sort
    /// mark, the selected row, each row's style), and when no row is shown, why (`empty`, or
    /// nothing matching the filter); returns the hit areas (titles sort, rows select).
    static func sortedList(_ state: DashboardState, into buffer: inout CellBuffer, area: (top: Int, height: Int), titles: [String], rows: [[String]],
                           limits: [Int], sort: (column: Int, ascending: Bool)?, empty: String, style: (Int) -> TerminalStyle) -> [HitArea] {
        let theme = state.theme
        let columns = Table.fitted(titles, rows: rows, limits: limits, sortable: true, width: buffer.columns)
        let first = Table(columns: columns, rows: rows).draw(
            into: &buffer, top: area.top - 1, height: area.height + 1, selected: state.selected, sort: sort,
            header: theme[.header], selectedStyle: theme[.selected], style: style)
        if rows.isEmpty {
            buffer.put(state.filter.isEmpty ? empty : "Nothing matches /\(state.filter).", row: area.top, column: 1, style: theme[.dim])
        }
        return HitArea.header(columns, row: area.top - 1, width: buffer.columns)
            + HitArea.rows(first: first, count: rows.count, top: area.top, height: area.height, width: buffer.columns)
    }
}
