@testable import Console
import FleetValues
import JSON

/// The fleet screens' queries and changes under short names, and their answers as messages, as
/// the tests write them (the screens declare them; these only name them).
extension DashboardCommand {
    static func loadDevice(_ thing: String) -> DashboardCommand { DeviceScreen.detail(thing) }
    static var loadGroups: DashboardCommand { FleetListsScreen.groups.command }
    static var loadCertificates: DashboardCommand { FleetListsScreen.certificates.command }
    static var loadPolicies: DashboardCommand { FleetListsScreen.policies.command }
    static func loadDeviceCertificates(_ things: [String]) -> DashboardCommand { DevicesScreen.certificates(things) }
    static func loadRelated(_ kind: Related, _ id: String) -> DashboardCommand { FleetListsScreen.related(.init(kind: kind, id: id)) }
    static func checkFleetPlan(_ action: BulkAction, _ items: [String]) -> DashboardCommand { FleetPlanScreen.check(BulkItems(action: action, items: items)) }
    static func addToGroup(_ things: [String], _ group: String) -> DashboardCommand { FleetPlanScreen.apply(BulkItems(action: .addToGroup(group), items: things)) }
    static func attachPolicy(_ things: [String], _ policy: String) -> DashboardCommand { FleetPlanScreen.apply(BulkItems(action: .attachPolicy(policy), items: things)) }
    static func setCertificateStatus(_ ids: [String], _ status: String) -> DashboardCommand {
        FleetPlanScreen.apply(BulkItems(action: .setCertificateStatus(status), items: ids))
    }
    static func updateShadow(_ thing: String, _ shadow: String, _ desired: JSONValue, _ version: Int64?) -> DashboardCommand {
        DeviceScreen.writeShadow(.init(thing: thing, shadow: shadow, desired: desired, version: version))
    }
    static func deleteShadow(_ thing: String, _ shadow: String) -> DashboardCommand { DeviceScreen.writeShadow(.init(thing: thing, shadow: shadow)) }

    /// Whether it is a fleet request of that name ("device", "groups").
    func isFleet(_ name: String) -> Bool {
        if case .fleet(let request) = self { return request.name == name }
        return false
    }
}

extension DashboardMessage {
    static func deviceLoaded(_ thing: String, _ detail: DeviceDetail) -> DashboardMessage { DeviceScreen.detail.answered(thing, .success(detail)) }
    static func groupsLoaded(_ groups: [GroupInfo]) -> DashboardMessage { FleetListsScreen.groups.answered(groups) }
    static func certificatesLoaded(_ certificates: [CertificateInfo]) -> DashboardMessage { FleetListsScreen.certificates.answered(certificates) }
    static func policiesLoaded(_ policies: [PolicyInfo]) -> DashboardMessage { FleetListsScreen.policies.answered(policies) }
    static func deviceCertificates(_ summaries: [String: DeviceCertificate]) -> DashboardMessage {
        DevicesScreen.certificates.answered(summaries.keys.sorted(), .success(summaries))
    }
    static func relatedLoaded(_ kind: Related, _ id: String, _ result: Result<[String], DashboardError>) -> DashboardMessage {
        FleetListsScreen.related.answered(.init(kind: kind, id: id), result)
    }
    static func fleetPlanChecked(_ result: Result<[String: BulkOutcome], BulkRefused>) -> DashboardMessage {
        FleetPlanScreen.check.answered(BulkItems(action: .addToGroup(""), items: []), .success(result))
    }
    static func shadowUpdated(_ thing: String, _ shadow: String, _ document: JSONValue) -> DashboardMessage {
        DeviceScreen.writeShadow.answered(.init(thing: thing, shadow: shadow, desired: [:]), .success(.updated(document)))
    }
    static func shadowConflict(_ thing: String, _ shadow: String, _ current: JSONValue, _ message: String) -> DashboardMessage {
        DeviceScreen.writeShadow.answered(.init(thing: thing, shadow: shadow, desired: [:]), .success(.conflict(current, message)))
    }
    static func shadowDeleted(_ thing: String, _ shadow: String) -> DashboardMessage {
        DeviceScreen.writeShadow.answered(.init(thing: thing, shadow: shadow), .success(.deleted))
    }
}
