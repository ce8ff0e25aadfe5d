import TermCore

/// What a screen keeps for itself (its rows, its order, what is loading), declared in its own
/// file; the router keeps one value of each kind, so a new screen adds no field to a shared struct.
protocol ScreenState: Equatable, Sendable {
    init()
}

/// A screen state whose table the user sorts (`s`/`S`, a click on a column's title).
protocol SortedState: ScreenState {
    var order: Table.Order { get set }
}

extension SortedState {
    /// `s`/`S` on a table of `columns` columns: the commands (none) when the key sorted it, nil
    /// when the key is not a sorting one.
    static func sortKey(_ state: inout DashboardState, _ event: TerminalEvent, columns: Int) -> [DashboardCommand]? {
        guard let order = state.own[Self.self].order.chosen(by: event, columns: columns) else { return nil }
        state.own[Self.self].order = order
        return []
    }

    /// A click on a column's title sorts by it; nil for any other click.
    static func sortClicked(_ state: inout DashboardState, _ target: HitArea.Target) -> [DashboardCommand]? {
        guard case .sort(let column) = target else { return nil }
        state.own[Self.self].order = state.own[Self.self].order.clicked(column)
        return []
    }
}

/// The screens' own states, one per kind, each as its screen left it (a fresh one until then).
public struct ScreenStates: Equatable, Sendable {
    private var values: [ObjectIdentifier: any ScreenState] = [:]

    public init() {}

    subscript<State: ScreenState>(_ kind: State.Type) -> State {
        get { values[ObjectIdentifier(kind)] as? State ?? State() }
        set { values[ObjectIdentifier(kind)] = newValue }
        // Taken out while it is changed, so its arrays stay uniquely held (a change to one row of
        // a million devices does not copy them).
        _modify {
            let key = ObjectIdentifier(kind)
            var value = values.removeValue(forKey: key) as? State ?? State()
            defer { values[key] = value }
            yield &value
        }
    }

    public static func == (a: ScreenStates, b: ScreenStates) -> Bool {
        a.values.count == b.values.count && a.values.allSatisfy { key, value in b.values[key].map { value.isEqual(to: $0) } ?? false }
    }
}

extension ScreenState {
    fileprivate func isEqual(to other: any ScreenState) -> Bool { (other as? Self) == self }
}
