/// What a screen keeps for itself (its rows, its order, what is loading), declared in its own
/// file; the router keeps one value of each kind, so a new screen adds no field to a shared struct.
protocol ScreenState: Equatable, Sendable {
    init()
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
