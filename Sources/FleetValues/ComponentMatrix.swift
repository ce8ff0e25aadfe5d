/// The fleet x component matrix: a row per core device, a column per root component, each
/// cell the version installed and its lifecycle state. Stored column by column in flat arrays
/// (10,000 devices x 8 components are 80,000 small cells).
public struct ComponentMatrix: Sendable, Equatable {
    public struct Cell: Sendable, Equatable {
        public var version: String
        public var state: String
        public init(version: String, state: String) {
            self.version = version
            self.state = state
        }
        public var failing: Bool { state == "BROKEN" || state == "ERRORED" }
    }

    /// Device names, in order.
    public private(set) var devices: [String] = []
    /// Root component names, the most installed first.
    public private(set) var components: [String] = []
    /// cells[column][row]; nil: not installed there.
    public private(set) var cells: [[Cell?]] = []
    /// Devices whose components could not be read, and why.
    public var unreadable: [String: String] = [:]

    public init() {}

    /// From each device's root components.
    public init(_ rows: [(device: String, components: [InstalledComponent])]) {
        devices = rows.map(\.device)
        var counts: [String: Int] = [:]
        for row in rows { for component in row.components where component.isRoot { counts[component.name, default: 0] += 1 } }
        components = counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map(\.key)
        let column = Dictionary(uniqueKeysWithValues: components.enumerated().map { ($1, $0) })
        cells = Array(repeating: Array(repeating: nil, count: rows.count), count: components.count)
        for (index, row) in rows.enumerated() {
            for component in row.components where component.isRoot {
                cells[column[component.name]!][index] = Cell(version: component.version, state: component.state)
            }
        }
    }

    /// A column's versions by how many devices run each, the most common first.
    public func versions(_ column: Int) -> [(version: String, devices: Int)] {
        var counts: [String: Int] = [:]
        for cell in cells[column] { if let cell { counts[cell.version, default: 0] += 1 } }
        return counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { ($0.key, $0.value) }
    }

    /// A column's summary: its versions (drift when more than one), and how many fail.
    public func summary(_ column: Int) -> String {
        let versions = versions(column)
        let failing = cells[column].filter { $0?.failing == true }.count
        return components[column] + ": " + versions.prefix(3).map { "\($0.version) (\($0.devices))" }.joined(separator: ", ")
            + (versions.count > 3 ? ", …" : "") + (versions.count > 1 ? " DRIFT" : "") + (failing > 0 ? ", \(failing) failing" : "")
    }
}
