import JSON

/// What the Device screen shows besides the device itself.
public struct DeviceDetail: Sendable, Equatable {
    public var groups: [String]
    public var certificates: [CertificateInfo]
    /// Policies attached to its certificates: name and document.
    public var policies: [(String, String)]
    /// Shadow names ("" for the classic shadow) and their documents.
    public var shadows: [(String, JSONValue)]
    /// The Greengrass V2 core device this thing is (nil: it is not one), or why that could
    /// not be read (Greengrass not offered in the region, no permission).
    public var coreDevice: Result<CoreDevice?, CoreDeviceUnreadable>

    public init(groups: [String], certificates: [CertificateInfo], policies: [(String, String)], shadows: [(String, JSONValue)],
                coreDevice: Result<CoreDevice?, CoreDeviceUnreadable> = .success(nil)) {
        self.groups = groups
        self.certificates = certificates
        self.policies = policies
        self.shadows = shadows
        self.coreDevice = coreDevice
    }

    public static func == (lhs: DeviceDetail, rhs: DeviceDetail) -> Bool {
        lhs.groups == rhs.groups && lhs.certificates == rhs.certificates && lhs.policies.map(\.0) == rhs.policies.map(\.0)
            && lhs.policies.map(\.1) == rhs.policies.map(\.1) && lhs.shadows.map(\.0) == rhs.shadows.map(\.0) && lhs.shadows.map(\.1) == rhs.shadows.map(\.1)
            && lhs.coreDevice == rhs.coreDevice
    }
}

/// A Greengrass V2 core device as GetCoreDevice describes it.
public struct CoreDevice: Sendable, Equatable {
    public var status: String
    public var coreVersion: String?
    public var platform: String?
    public var architecture: String?
    /// Seconds since 1970 of its last status report.
    public var lastStatusUpdate: Int64?

    public init(status: String, coreVersion: String? = nil, platform: String? = nil, architecture: String? = nil, lastStatusUpdate: Int64? = nil) {
        self.status = status
        self.coreVersion = coreVersion
        self.platform = platform
        self.architecture = architecture
        self.lastStatusUpdate = lastStatusUpdate
    }
}

public struct CoreDeviceUnreadable: Error, Sendable, Equatable {
    public var reason: String
    public init(reason: String) { self.reason = reason }
}

/// A shadow update refused because the shadow moved on: the server's document, never swallowed.
public struct ShadowConflict: Error, Sendable, CustomStringConvertible {
    public var current: JSONValue
    public var message: String
    public init(current: JSONValue, message: String) {
        self.current = current
        self.message = message
    }
    public var description: String { "version conflict: the shadow is at version \(current["version"]?.intValue ?? 0) now (\(message))" }
}
