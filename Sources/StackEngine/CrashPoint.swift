#if canImport(Glibc)
import Glibc
#endif

/// A test hook for crash testing: `FLEETDECK_CRASH_AT=NAME[:PHASE]:POINT` makes the process kill
/// itself with SIGKILL (as `kill -9` would) when the step of the resource with logical name NAME
/// reaches POINT: `before-call` (its begin record written, the cloud not yet called), `after-call`
/// (the cloud answered, nothing recorded) or `after-journal` (its end record written). PHASE, when
/// given, narrows it to one phase: `create`, `update`, `replace`, `import` (the step's cloud call)
/// or `delete` (a delete, including a replaced resource's old version). Unset, it costs one
/// comparison per step.
public enum CrashPoint: String, Sendable {
    case beforeCall = "before-call"
    case afterCall = "after-call"
    case afterJournal = "after-journal"

    static let target: (name: String, phase: String?, point: CrashPoint)? = {
        guard let value = getenv("FLEETDECK_CRASH_AT").map({ String(cString: $0) }) else { return nil }
        let parts = value.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3, let point = CrashPoint(rawValue: parts.last!) else { return nil }
        return (parts[0], parts.count == 3 ? parts[1] : nil, point)
    }()

    static func reach(_ point: CrashPoint, resource name: String, phase: String) {
        guard let target, target.point == point, target.name == name, target.phase == nil || target.phase == phase else { return }
        kill(getpid(), SIGKILL)
    }
}
