#if canImport(Glibc)
import Glibc
#endif

/// A registered device (an IoT thing) as the fleet screens list it.
public struct Device: Sendable, Equatable {
    public var name: String
    public var type: String?
    public var attributes: [String: String]
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
        self.attributes = attributes
        self.version = version
        self.connected = connected
        self.groups = groups
        self.managedBy = managedBy
    }

    /// The attributes as one line ("model=v2 site=lab"), sorted by key.
    public var attributeText: String { attributes.keys.sorted().map { "\($0)=\(attributes[$0]!)" }.joined(separator: " ") }
}

/// The fleet in memory: devices as they load (page by page), searchable fast enough for
/// 100,000 of them on every keystroke.
public struct FleetModel: Sendable, Equatable {
    public private(set) var devices: [Device] = []
    /// Each device's searchable text, lower-cased bytes ("name type attributes").
    private var haystacks: [[UInt8]] = []
    private var index: [String: Int] = [:]
    public var complete = false
    public var error: String?

    public init() {}

    public static func == (lhs: FleetModel, rhs: FleetModel) -> Bool {
        lhs.devices == rhs.devices && lhs.complete == rhs.complete && lhs.error == rhs.error
    }

    public mutating func add(_ page: [Device]) {
        for device in page {
            if let existing = index[device.name] {
                devices[existing] = device
                haystacks[existing] = Self.haystack(device)
            } else {
                index[device.name] = devices.count
                devices.append(device)
                haystacks.append(Self.haystack(device))
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
        return haystacks.indices.filter { index in
            haystacks[index].withUnsafeBufferPointer { matcher.matches(lowercasedNulTerminated: $0) }
        }
    }
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
    private var compiled = regex_t()

    public init(_ filter: String) {
        inverted = filter.hasPrefix("!")
        let pattern = inverted ? String(filter.dropFirst()) : filter
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

    /// Whether lower-cased, NUL-terminated text passes.
    public func matches(lowercasedNulTerminated bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let found: Bool
        switch kind {
        case .all: return true
        case .text(let needle):
            found = needle.withUnsafeBytes { FleetModel.contains(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes).dropLast()), $0) }
        case .posix:
            found = bytes.withMemoryRebound(to: CChar.self) { regexec(&compiled, $0.baseAddress, 0, nil, 0) == 0 }
        case .swift(let regex):
            found = String(decoding: bytes.dropLast(), as: UTF8.self).contains(regex)
        }
        return found != inverted
    }

    /// Whether `text` passes.
    public func matches(_ text: String) -> Bool {
        if case .all = kind { return true }
        let bytes = Array(text.lowercased().utf8) + [0]
        return bytes.withUnsafeBufferPointer { matches(lowercasedNulTerminated: $0) }
    }
}

extension FleetModel {
    /// Whether `needle` occurs in `hay` (bytes; a first-byte scan, then a compare).
    static func contains(_ hay: UnsafeRawBufferPointer, _ needle: UnsafeRawBufferPointer) -> Bool {
        let count = needle.count, limit = hay.count - count
        guard count > 0 else { return true }
        guard limit >= 0 else { return false }
        let first = needle[0]
        var start = 0
        while start <= limit {
            if hay[start] == first {
                var offset = 1
                while offset < count && hay[start + offset] == needle[offset] { offset += 1 }
                if offset == count { return true }
            }
            start += 1
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

    public init(count: Int, status: String?, notAfter: Int64?) {
        self.count = count
        self.status = status
        self.notAfter = notAfter
    }

    public func text(now: Int64) -> String {
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

/// A certificate: its status, when it expires (parsed from the certificate itself) and the
/// things it is attached to.
public struct CertificateInfo: Sendable, Equatable {
    public var id: String
    public var arn: String
    public var status: String
    /// Seconds since 1970 of notAfter; nil when the PEM could not be read.
    public var notAfter: Int64?
    public var subject: String?
    public var things: [String]

    public init(id: String, arn: String, status: String, notAfter: Int64?, subject: String?, things: [String]) {
        self.id = id
        self.arn = arn
        self.status = status
        self.notAfter = notAfter
        self.subject = subject
        self.things = things
    }

    /// Days until expiry (negative once expired), from `now`.
    public func daysLeft(now: Int64) -> Int? { notAfter.map { Int(($0 - now) / 86_400) } }
}
