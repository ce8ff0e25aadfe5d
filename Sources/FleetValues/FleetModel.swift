import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// A registered device (an IoT thing) as the fleet screens list it.
public struct Device: Sendable, Equatable {
    public var name: String
    public var type: String?
    /// The attributes, sorted by key, packed in one string (key US value RS key US value, with
    /// the ASCII unit and record separators): a million devices' attributes as dictionaries
    /// or lists of pairs cost 50-70 MB more. (AWS IoT attribute names and values are
    /// [a-zA-Z0-9_.,@/:#-]: neither separator can occur in them.)
    private var packedAttributes: String
    public var attributes: [String: String] {
        get {
            var result: [String: String] = [:]
            for pair in packedAttributes.split(separator: "\u{1E}") {
                let parts = pair.split(separator: "\u{1F}", maxSplits: 1, omittingEmptySubsequences: false)
                result[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
            }
            return result
        }
        set { packedAttributes = Self.pack(newValue) }
    }
    public var version: Int
    /// From the fleet index when it is on: whether the device is connected now, and its groups.
    public var connected: Bool?
    public var groups: [String]?
    /// The stack resource that manages it ("dev/sensor1"), nil when unmanaged.
    public var managedBy: String?

    public init(name: String, type: String? = nil, attributes: [String: String] = [:], version: Int = 1, connected: Bool? = nil,
                groups: [String]? = nil, managedBy: String? = nil) {
        self.name = name
        self.type = type
        packedAttributes = Self.pack(attributes)
        self.version = version
        self.connected = connected
        self.groups = groups
        self.managedBy = managedBy
    }

    /// The attributes as one line ("model=v2 site=lab"), sorted by key.
    public var attributeText: String {
        String(packedAttributes.map { $0 == "\u{1E}" ? " " : $0 == "\u{1F}" ? "=" : $0 })
    }

    static func pack(_ attributes: [String: String]) -> String {
        attributes.sorted { $0.key < $1.key }.map { "\($0.key)\u{1F}\($0.value)" }.joined(separator: "\u{1E}")
    }
}

/// The fleet in memory: devices as they load (page by page), searchable fast enough for
/// 100,000 of them on every keystroke.
public struct FleetModel: Sendable, Equatable {
    public private(set) var devices: [Device] = []
    /// Every device's searchable text ("name type attributes", lower-cased, NUL-terminated for
    /// regexec) in one buffer, and where each starts and ends: a million of them are one
    /// allocation that a filter scans in order, not a million small arrays.
    private var haystackBytes: [UInt8] = []
    private var haystackRanges: [(start: Int32, end: Int32)] = []
    private var index: [String: Int] = [:]
    public var complete = false
    public var error: String?
    /// Whether the devices came from the fleet index (they know their groups and whether they
    /// are connected); the registry's list does not say, and such columns are not shown.
    public private(set) var indexed = false

    public init() {}

    public static func == (lhs: FleetModel, rhs: FleetModel) -> Bool {
        lhs.devices == rhs.devices && lhs.complete == rhs.complete && lhs.error == rhs.error
    }

    public mutating func add(_ page: [Device]) {
        for device in page {
            if device.connected != nil || device.groups != nil { indexed = true }
            // An updated device's text is appended and its range moved (the old bytes stay unused).
            let start = Int32(haystackBytes.count)
            haystackBytes.append(contentsOf: Self.haystack(device))
            let range = (start: start, end: Int32(haystackBytes.count - 1))  // the NUL excluded
            if let existing = index[device.name] {
                devices[existing] = device
                haystackRanges[existing] = range
            } else {
                index[device.name] = devices.count
                devices.append(device)
                haystackRanges.append(range)
            }
        }
    }

    public mutating func update(_ device: Device) { add([device]) }

    public func device(named name: String) -> Device? { index[name].map { devices[$0] } }

    /// Lower-cased and NUL-terminated (for regexec).
    static func haystack(_ device: Device) -> [UInt8] {
        Array((device.name + " " + (device.type ?? "") + " " + device.attributeText).lowercased().utf8) + [0]
    }

    /// Indices of the devices matching `filter` (see `TextFilter`).
    public func matching(_ filter: String) -> [Int] {
        let matcher = TextFilter(filter)
        if matcher.isEmpty { return Array(devices.indices) }
        return haystackBytes.withUnsafeBufferPointer { all in
            haystackRanges.withUnsafeBufferPointer { ranges in
                let texts = Texts(bytes: all.baseAddress!, ranges: ranges.baseAddress!)
                return matcher.indices(count: ranges.count) { texts[$0] }
            }
        }
    }
}

/// The devices' texts by pointer, for the filter's slices (the buffers outlive the scan).
struct Texts: @unchecked Sendable {
    let bytes: UnsafePointer<UInt8>
    let ranges: UnsafePointer<(start: Int32, end: Int32)>
    subscript(index: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: bytes + Int(ranges[index].start), count: Int(ranges[index].end - ranges[index].start) + 1)
    }
}

/// Each slice's matches, written by its own thread into its own cell.
final class SliceResults: @unchecked Sendable {
    private var cells: [[Int]]
    init(count: Int) { cells = Array(repeating: [], count: count) }
    func store(_ found: [Int], at slice: Int) { cells.withUnsafeMutableBufferPointer { $0[slice] = found } }
    func joined() -> [Int] { Array(cells.joined()) }
}

/// A filter as typed after `/`: plain text is a case-insensitive substring search over bytes;
/// text with regular-expression syntax is a POSIX extended regular expression (fast enough for
/// 100,000 rows per keystroke; what POSIX does not know, like \d, goes to Swift's Regex); an
/// invalid pattern is plain text; a leading `!` inverts.
public final class TextFilter: @unchecked Sendable {
    enum Kind {
        case all
        case text([UInt8])
        case posix
        case swift(Regex<AnyRegexOutput>)
    }

    let kind: Kind
    let inverted: Bool
    /// The pattern as typed (without a leading `!`).
    let pattern: String
    private var compiled = regex_t()
    /// Text every match of the regular expression contains (lower-cased), checked with memmem
    /// before regexec: `plant-[ab]` first looks for `plant-`, as grep does.
    let requiredText: [UInt8]?

    public init(_ filter: String) {
        inverted = filter.hasPrefix("!")
        let pattern = inverted ? String(filter.dropFirst()) : filter
        self.pattern = pattern
        requiredText = Self.requiredText(of: pattern)
        guard !pattern.isEmpty else { kind = .all; return }
        if pattern.contains(where: { "\\^$.|?*+()[]{}".contains($0) }) {
            let posix = !pattern.contains("\\d") && !pattern.contains("\\D") && !pattern.contains("(?")
            if posix, regcomp(&compiled, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB) == 0 {
                kind = .posix
                return
            }
            if let regex = try? Regex(pattern).ignoresCase() {
                kind = .swift(regex)
                return
            }
        }
        kind = .text(Array(pattern.lowercased().utf8))
    }

    deinit {
        if case .posix = kind { regfree(&compiled) }
    }

    public var isEmpty: Bool {
        if case .all = kind { return true }
        return false
    }

    /// The indices below `count` whose text (lower-cased, NUL-terminated: `text(index)`)
    /// passes. The pattern is taken apart once, not for each of a million texts (switching on
    /// the pattern's kind per text copied its payload every time).
    /// Large fleets are scanned in slices on both (or all) cores, each slice with its own
    /// compiled pattern (glibc's regexec locks a shared one), and the matches joined in order.
    public func indices(count: Int, text: @escaping @Sendable (Int) -> UnsafeBufferPointer<UInt8>) -> [Int] {
        if case .all = kind { return Array(0..<count) }
        let slices = count < 50_000 ? 1 : max(1, min(8, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        guard slices > 1 else { return scan(0..<count, text: text) }
        let results = SliceResults(count: slices)
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            results.store(scan((count * slice / slices)..<(count * (slice + 1) / slices), text: text), at: slice)
        }
        return results.joined()
    }

    /// The passing indices of one slice, the pattern read once for all of them.
    func scan(_ range: Range<Int>, text: (Int) -> UnsafeBufferPointer<UInt8>) -> [Int] {
        func body(_ index: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(text(index)).dropLast()) }
        switch kind {
        case .all:
            return Array(range)
        case .text(let needle):
            return needle.withUnsafeBytes { needle in range.filter { FleetModel.contains(body($0), needle) != inverted } }
        case .posix:
            var own = regex_t()
            guard regcomp(&own, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB) == 0 else { return [] }  // compiled once already
            defer { regfree(&own) }
            let required = requiredText ?? []
            return required.withUnsafeBytes { required in
                range.filter { index in
                    let found = FleetModel.contains(body(index), required)
                        && text(index).withMemoryRebound(to: CChar.self) { regexec(&own, $0.baseAddress, 0, nil, 0) == 0 }
                    return found != inverted
                }
            }
        case .swift:
            return range.filter { matches(lowercasedNulTerminated: text($0)) }
        }
    }

    /// Whether lower-cased, NUL-terminated text passes.
    public func matches(lowercasedNulTerminated bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let found: Bool
        switch kind {
        case .all: return true
        case .text(let needle):
            found = needle.withUnsafeBytes { FleetModel.contains(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes).dropLast()), $0) }
        case .posix:
            if let requiredText, !requiredText.withUnsafeBytes({ FleetModel.contains(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes).dropLast()), $0) }) {
                found = false
            } else {
                found = bytes.withMemoryRebound(to: CChar.self) { regexec(&compiled, $0.baseAddress, 0, nil, 0) == 0 }
            }
        case .swift(let regex):
            found = String(decoding: bytes.dropLast(), as: UTF8.self).contains(regex)
        }
        return found != inverted
    }

    /// The longest run of plain characters outside groups and brackets that every match must
    /// contain; nil when there is none or the pattern has alternatives (`a|b`). A run followed
    /// by `?`, `*` or `{` loses its last character (the quantifier applies to it alone).
    static func requiredText(of pattern: String) -> [UInt8]? {
        guard !pattern.contains("|") else { return nil }
        var best: [UInt8] = [], run: [UInt8] = [], depth = 0, inBrackets = false, escaped = false
        func close(optionalLast: Bool) {
            if optionalLast, !run.isEmpty { run.removeLast() }
            if run.count > best.count { best = run }
            run = []
        }
        for character in pattern.lowercased() {
            if escaped { escaped = false; close(optionalLast: false); continue }
            if inBrackets { if character == "]" { inBrackets = false }; continue }
            switch character {
            case "\\": escaped = true; close(optionalLast: false)
            case "[": inBrackets = true; close(optionalLast: false)
            case "(": depth += 1; close(optionalLast: false)
            case ")": depth = max(0, depth - 1); close(optionalLast: false)
            case "?", "*", "{": close(optionalLast: true)
            case "+", "^", "$", ".", "}": close(optionalLast: false)
            default:
                if depth == 0 { run.append(contentsOf: Array(String(character).utf8)) } else { close(optionalLast: false) }
            }
        }
        close(optionalLast: false)
        return best.count >= 2 ? best : nil
    }

    /// Whether `text` passes.
    public func matches(_ text: String) -> Bool {
        if case .all = kind { return true }
        let bytes = Array(text.lowercased().utf8) + [0]
        return bytes.withUnsafeBufferPointer { matches(lowercasedNulTerminated: $0) }
    }
}

extension FleetModel {
    /// Whether `needle` occurs in `hay` (bytes).
    static func contains(_ hay: UnsafeRawBufferPointer, _ needle: UnsafeRawBufferPointer) -> Bool {
        guard needle.count > 0 else { return true }
        guard hay.count >= needle.count, let hayStart = hay.baseAddress, let needleStart = needle.baseAddress else { return false }
        // memchr (vectorised) to each candidate first byte; its last byte must match too before
        // the memcmp (names share prefixes: most candidates fail there).
        let first = Int32(needle[0]), lastByte = needle[needle.count - 1], last = hay.count - needle.count
        var offset = 0
        while offset <= last, let found = memchr(hayStart + offset, first, last - offset + 1) {
            let at = UnsafeRawPointer(found) - hayStart
            if hay[at + needle.count - 1] == lastByte && memcmp(found, needleStart, needle.count) == 0 { return true }
            offset = at + 1
        }
        return false
    }
}

/// A thing group with its place in the hierarchy and how many things it holds.
public struct GroupInfo: Sendable, Equatable {
    public var name: String
    public var parent: String?
    public var members: Int
    public var description: String?
    public var managedBy: String?

    public init(name: String, parent: String?, members: Int, description: String? = nil, managedBy: String? = nil) {
        self.name = name
        self.parent = parent
        self.members = members
        self.description = description
        self.managedBy = managedBy
    }
}

/// A device's certificates in brief, for the list: the status of the one expiring last and when.
public struct DeviceCertificate: Sendable, Equatable {
    public var count: Int
    public var status: String?
    public var notAfter: Int64?
    /// Why a certificate of the thing (or its list) could not be read (`r` reads it again).
    public var problem: String?

    public init(count: Int, status: String?, notAfter: Int64?, problem: String? = nil) {
        self.count = count
        self.status = status
        self.notAfter = notAfter
        self.problem = problem
    }

    public func text(now: Int64) -> String {
        if let problem, status == nil { return "unreadable: " + problem }
        guard count > 0, let status else { return "none" }
        let days = notAfter.map { " \(Int(($0 - now) / 86_400))d" } ?? ""
        return status + days + (count > 1 ? " +\(count - 1)" : "")
    }
}

/// An IoT policy: its document and how many targets (certificates) it is attached to.
public struct PolicyInfo: Sendable, Equatable {
    public var name: String
    public var document: String
    public var targets: [String]
    public var managedBy: String?

    public init(name: String, document: String, targets: [String], managedBy: String? = nil) {
        self.name = name
        self.document = document
        self.targets = targets
        self.managedBy = managedBy
    }
}

/// Which stack resource manages a cloud resource: "thing:NAME", "group:NAME", "policy:NAME",
/// "rule:NAME" to "stack/resource".
public struct ManagedIndex: Sendable, Equatable {
    public var entries: [String: String]
    public init(_ entries: [String: String] = [:]) { self.entries = entries }

    public static let kinds = ["aws-native:iot:Thing": "thing", "aws-native:iot:ThingGroup": "group", "aws-native:iot:Policy": "policy",
                               "aws-native:iot:TopicRule": "rule"]

    public func thing(_ name: String) -> String? { entries["thing:" + name] }
    public func group(_ name: String) -> String? { entries["group:" + name] }
    public func policy(_ name: String) -> String? { entries["policy:" + name] }
}
