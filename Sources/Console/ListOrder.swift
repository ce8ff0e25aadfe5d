import FleetValues
import TermCore

/// What the list screens share: their rows through the `/` filter and in the chosen order, and
/// the keys that choose it (`s` the next column, `S` the other way, a click on a header).
extension Table.Order {
    /// The rows whose cells pass `filter`, in this order, each with its cells.
    func shown<Row>(_ rows: [Row], filter: String, cells: (Row) -> [String]) -> [(Row, [String])] {
        let matcher = TextFilter(filter)
        let kept = rows.map { ($0, cells($0)) }.filter { matcher.matches($0.1.joined(separator: " ")) }
        return Table.order(kept.map(\.1), by: column, ascending: ascending).map { kept[$0] }
    }

    /// The order `event` chooses (nil: not a sorting key).
    func chosen(by event: TerminalEvent, columns: Int) -> Table.Order? {
        switch event {
        case .character("s"): return next(of: columns)
        case .character("S"): return reversed
        default: return nil
        }
    }
}
