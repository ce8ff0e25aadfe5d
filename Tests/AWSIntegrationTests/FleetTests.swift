import Synchronization
import AWSCore
import AWSServices
import Fleet
import Foundation
import JSON
import TestSupport
import Testing

@Suite struct FleetModelTests {
    static func model(_ count: Int) -> FleetModel {
        var model = FleetModel()
        model.add((0..<count).map { Device(name: "sensor-" + String(format: "%03d", $0), type: $0 % 2 == 0 ? "gateway" : nil, attributes: ["model": "v\($0 % 3)"]) })
        return model
    }

    @Test func filtersByTextRegexAndInversion() {
        let model = Self.model(500)
        #expect(model.matching("sensor-12").map { model.devices[$0].name } == (120...129).map { "sensor-\($0)" })
        #expect(model.matching("SENSOR-12").count == 10)  // case-insensitive
        #expect(model.matching("model=v2").count == 166)  // attributes are searched
        #expect(model.matching("gateway").count == 250)  // and the type
        #expect(model.matching("^sensor-4[0-9]9 ").count == 10)  // a regex (over "name type attributes")
        #expect(model.matching("^sensor-4\\d9 ").count == 10)  // \\d is not POSIX: Swift's Regex takes it
        #expect(model.matching("sensor-(12|13)[0-4]").count == 10)
        #expect(model.matching("!^sensor-[0-3]").count == 100)
        #expect(model.matching("!sensor-1").count == 500 - 100)
        #expect(model.matching("").count == 500)
    }

    @Test func pagesUpdateDevicesInPlace() {
        var model = Self.model(3)
        model.add([Device(name: "sensor-001", attributes: ["model": "v9"]), Device(name: "new")])
        #expect(model.devices.map(\.name) == ["sensor-000", "sensor-001", "sensor-002", "new"])
        #expect(model.device(named: "sensor-001")?.attributes == ["model": "v9"])
        #expect(model.matching("v9").count == 1)
    }

    @Test func certificateExpiryComesFromTheCertificate() throws {
        // A certificate valid for ten days from now (made with openssl for this test).
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fd-cert-\(UUID().uuidString.prefix(6))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let made = try ProcessRunner.run("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                                             "-keyout", folder + "/k.pem", "-out", folder + "/c.pem", "-subj", "/CN=sensor-001", "-days", "10"])
        try #require(made.status == 0, "\(made.stderr)")
        let pem = try String(contentsOfFile: folder + "/c.pem", encoding: .utf8)
        let (notAfter, subject) = try #require(FleetLoader.expiry(pem))
        let now = Int64(Date().timeIntervalSince1970)
        #expect(abs(notAfter - (now + 10 * 86_400)) < 120, "notAfter \(notAfter), now \(now)")
        #expect(subject.contains("sensor-001"))
        #expect(FleetLoader.expiry("not a certificate") == nil)
        let info = CertificateInfo(id: "x", arn: "a", status: "ACTIVE", notAfter: notAfter, subject: subject, things: [])
        #expect(info.daysLeft(now: notAfter - 86_400 * 10) == 10)
        #expect(info.daysLeft(now: notAfter + 86_400 * 2) == -2)
    }
}

/// The fleet loader against moto: pages of devices, groups in a hierarchy, certificates with
/// expiry, a device's details, shadow updates with version conflicts, adding to a group.
@Suite struct FleetLoaderIntegrationTests {
    @Test func bulkPlansAreReadFromTheAccount() async throws {
        let client = try Sandbox.client()
        let prefix = Sandbox.unique("bulk")
        let iot = IoTOperations.self
        for name in ["\(prefix)-member", "\(prefix)-new", "\(prefix)-bare"] {
            _ = try await client.call(iot.service, iot.createThing, ["thingName": .string(name)])
        }
        _ = try await client.call(iot.service, iot.createThingGroup, ["thingGroupName": .string("\(prefix)-group")])
        _ = try await client.call(iot.service, iot.addThingToThingGroup, ["thingGroupName": .string("\(prefix)-group"), "thingName": .string("\(prefix)-member")])
        let loader = FleetLoader(client: client)
        let outcomes = try await loader.checkAddToGroup(["\(prefix)-member", "\(prefix)-new", "\(prefix)-missing"], group: "\(prefix)-group")
        #expect(outcomes == ["\(prefix)-member": .unchanged("already a member"), "\(prefix)-new": .change, "\(prefix)-missing": .impossible("no such thing")])
        await #expect(throws: BulkRefused(reason: "there is no thing group '\(prefix)-nosuch': nothing was changed")) {
            try await loader.checkAddToGroup(["\(prefix)-new"], group: "\(prefix)-nosuch")
        }

        // Policies: a certificate that has it already, one that does not, a thing without any.
        let policy = "\(prefix)-policy"
        _ = try await client.call(iot.service, iot.createPolicy, ["policyName": .string(policy), "policyDocument": #"{"Version":"2012-10-17","Statement":[]}"#])
        for (thing, attach) in [("\(prefix)-member", true), ("\(prefix)-new", false)] {
            let certificate = try await client.call(iot.service, iot.createKeysAndCertificate, ["setAsActive": true])
            let arn = certificate["certificateArn"]?.stringValue ?? ""
            _ = try await client.call(iot.service, iot.attachThingPrincipal, ["thingName": .string(thing), "principal": .string(arn)])
            if attach { _ = try await client.call(iot.service, iot.attachPolicy, ["policyName": .string(policy), "target": .string(arn)]) }
        }
        let attach = try await loader.checkAttachPolicy(policy, to: ["\(prefix)-member", "\(prefix)-new", "\(prefix)-bare"])
        #expect(attach == ["\(prefix)-member": .unchanged("already attached"), "\(prefix)-new": .change, "\(prefix)-bare": .impossible("no certificate to attach it to")])
        await #expect(throws: BulkRefused(reason: "there is no policy '\(prefix)-nosuch': nothing was changed")) {
            try await loader.checkAttachPolicy("\(prefix)-nosuch", to: ["\(prefix)-new"])
        }
    }

    /// Deactivating and revoking certificates, planned from the account and applied: one already
    /// there is no change, a revoked one cannot change again (as AWS refuses), a missing one is named.
    @Test func certificateStatusPlansAreReadFromTheAccountAndApplied() async throws {
        let client = try Sandbox.client()
        let iot = IoTOperations.self
        let loader = FleetLoader(client: client)
        var ids: [String] = []
        for _ in 0..<2 {
            ids.append(try await client.call(iot.service, iot.createKeysAndCertificate, ["setAsActive": true])["certificateId"]?.stringValue ?? "")
        }
        let missing = String(repeating: "0", count: 64)
        #expect(try await loader.checkCertificateStatus(ids + [missing], status: "INACTIVE")
                == [ids[0]: .change, ids[1]: .change, missing: .impossible("no such certificate")])
        let results = Mutex<[String: String]>([:])  // "" for done
        await loader.setCertificateStatus([ids[0]], status: "INACTIVE") { id, error in results.withLock { $0[id] = error ?? "" } }
        await loader.setCertificateStatus([ids[1]], status: "REVOKED") { id, error in results.withLock { $0[id] = error ?? "" } }
        #expect(results.withLock { $0 } == [ids[0]: "", ids[1]: ""])
        func status(_ id: String) async throws -> String? {
            try await client.call(iot.service, iot.describeCertificate, ["certificateId": .string(id)])["certificateDescription"]?["status"]?.stringValue
        }
        let statuses = [try await status(ids[0]), try await status(ids[1])]
        #expect(statuses == ["INACTIVE", "REVOKED"])
        #expect(try await loader.checkCertificateStatus(ids, status: "INACTIVE")
                == [ids[0]: .unchanged("already INACTIVE"), ids[1]: .impossible("revoked: a revoked certificate stays revoked")])
    }

    /// What an opened item is related to, read from the account: a group's things, a
    /// certificate's policies, a policy's versions (newest first, the default marked).
    @Test func relatedItemsAreReadFromTheAccount() async throws {
        let client = try Sandbox.client()
        let iot = IoTOperations.self
        let prefix = Sandbox.unique("rel")
        let loader = FleetLoader(client: client)
        _ = try await client.call(iot.service, iot.createThingGroup, ["thingGroupName": .string("\(prefix)-group")])
        for name in ["\(prefix)-b", "\(prefix)-a"] {
            _ = try await client.call(iot.service, iot.createThing, ["thingName": .string(name)])
            _ = try await client.call(iot.service, iot.addThingToThingGroup, ["thingGroupName": .string("\(prefix)-group"), "thingName": .string(name)])
        }
        #expect(try await loader.groupMembers("\(prefix)-group") == ["\(prefix)-a", "\(prefix)-b"])

        let policy = "\(prefix)-policy"
        _ = try await client.call(iot.service, iot.createPolicy, ["policyName": .string(policy), "policyDocument": #"{"Version":"2012-10-17","Statement":[]}"#])
        _ = try await client.call(iot.service, iot.createPolicyVersion, ["policyName": .string(policy), "setAsDefault": true,
                                                                         "policyDocument": #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"*"}]}"#])
        let versions = try await loader.policyVersions(policy)
        #expect(versions.count == 2 && versions[0].hasPrefix("v2 (default) ") && versions[1].hasPrefix("v1 ") && !versions[1].contains("default"), "\(versions)")

        let certificate = try await client.call(iot.service, iot.createKeysAndCertificate, ["setAsActive": true])
        let arn = certificate["certificateArn"]?.stringValue ?? ""
        _ = try await client.call(iot.service, iot.attachPolicy, ["policyName": .string(policy), "target": .string(arn)])
        #expect(try await loader.certificatePolicies(arn) == [policy])
    }

    /// A thing that is a Greengrass core device says so in its detail (status, nucleus,
    /// platform); one that is not has none (GetCoreDevice answers 404, which is not an error).
    @Test func aCoreDeviceThingShowsItsGreengrassStatus() async throws {
        let client = try Sandbox.client()
        let iot = IoTOperations.self
        let core = Sandbox.unique("core"), plain = Sandbox.unique("plain")
        for name in [core, plain] { _ = try await client.call(iot.service, iot.createThing, ["thingName": .string(name)]) }
        // The sandbox's stand-in for a nucleus connecting (not an AWS operation; see scripts/moto/greengrass_v2.py).
        let connect = AWSOperation(name: "SandboxConnectCoreDevice", method: "PUT", uri: "/greengrass/v2/coreDevices/{coreDeviceThingName}",
                                   input: [AWSMember("coreDeviceThingName", .uri, "coreDeviceThingName", type: .string)], required: ["coreDeviceThingName"],
                                   payload: nil, rawPayload: false, output: [], outputPayload: nil, rawOutputPayload: false, resultWrapper: nil, pagination: nil)
        _ = try await client.call(GreengrassV2Operations.service, connect, ["coreDeviceThingName": .string(core)])
        let loader = FleetLoader(client: client)
        let detail = try await loader.detail(of: core)
        guard case .success(let device?) = detail.coreDevice else { Issue.record("no core device: \(detail.coreDevice)"); return }
        #expect(device.status == "HEALTHY" && device.coreVersion == "2.12.0" && device.platform == "linux" && device.architecture == "aarch64")
        #expect((device.lastStatusUpdate ?? 0) > 1_700_000_000)
        #expect(try await loader.detail(of: plain).coreDevice == .success(nil))
    }

    @Test func devicesGroupsCertificatesDetailsAndShadows() async throws {
        let client = try Sandbox.client()
        let iot = IoTOperations.self
        let prefix = Sandbox.unique("fl")
        for index in 0..<30 {
            _ = try await client.call(iot.service, iot.createThing, ["thingName": .string("\(prefix)-\(index)"), "attributePayload": ["attributes": ["n": .string("\(index)")]]])
        }
        let loader = FleetLoader(client: client)
        let pages = Counter()
        let collected = Collected()
        try await loader.devices(pageSize: 10) { page in
            pages.add()
            collected.add(page.filter { $0.name.hasPrefix(prefix) })
            return true
        }
        #expect(collected.devices.count == 30)
        #expect(pages.value >= 3)  // it came in pages
        #expect(collected.devices.first { $0.name == "\(prefix)-7" }?.attributes == ["n": "7"])
        // Stopping after the first page stops the listing.
        let stopped = Counter()
        try await loader.devices(pageSize: 10) { _ in stopped.add(); return false }
        #expect(stopped.value == 1)

        _ = try await client.call(iot.service, iot.createThingGroup, ["thingGroupName": .string("\(prefix)-root")])
        _ = try await client.call(iot.service, iot.createThingGroup, ["thingGroupName": .string("\(prefix)-child"), "parentGroupName": .string("\(prefix)-root")])
        await loader.addToGroup(["\(prefix)-1", "\(prefix)-2", "\(prefix)-missing"], group: "\(prefix)-child") { thing, error in
            if thing.hasSuffix("missing") { #expect(error != nil) } else { #expect(error == nil, "\(thing): \(error ?? "")") }
        }
        let groups = try await loader.groups().filter { $0.name.hasPrefix(prefix) }
        #expect(groups.map(\.name) == ["\(prefix)-child", "\(prefix)-root"])
        #expect(groups[0].parent == "\(prefix)-root" && groups[0].members == 2)

        let keys = try await client.call(iot.service, iot.createKeysAndCertificate, ["setAsActive": true])
        let arn = try #require(keys["certificateArn"]?.stringValue)
        _ = try await client.call(iot.service, iot.attachThingPrincipal, ["thingName": .string("\(prefix)-1"), "principal": .string(arn)])
        _ = try await client.call(iot.service, iot.createPolicy, ["policyName": .string("\(prefix)-p"),
                                                                   "policyDocument": #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"*"}]}"#])
        _ = try await client.call(iot.service, iot.attachPolicy, ["policyName": .string("\(prefix)-p"), "target": .string(arn)])
        let certificate = try #require(try await loader.certificates().first { $0.arn == arn })
        #expect(certificate.status == "ACTIVE" && certificate.things == ["\(prefix)-1"])
        let days = try #require(certificate.daysLeft(now: Int64(AWSClient.wallClock())))
        // The sandbox issues certificates as AWS IoT does: valid until the end of 2049.
        let notAfter = try #require(certificate.notAfter)
        #expect(days > 8000 && CivilTime(secondsSince1970: notAfter).date == "2049-12-31")
        let summaries = await loader.certificateSummaries(["\(prefix)-1", "\(prefix)-2"])
        #expect(summaries["\(prefix)-1"]?.count == 1 && summaries["\(prefix)-1"]?.status == "ACTIVE" && summaries["\(prefix)-1"]?.notAfter == certificate.notAfter)
        #expect(summaries["\(prefix)-2"] == DeviceCertificate(count: 0, status: nil, notAfter: nil))

        let thing = "\(prefix)-1"
        _ = try await loader.updateDesired(thing: thing, shadow: "", desired: ["led": "on"], version: nil)
        _ = try await loader.updateDesired(thing: thing, shadow: "config", desired: ["rate": 5], version: nil)
        let detail = try await loader.detail(of: thing)
        #expect(detail.groups == ["\(prefix)-child"])
        #expect(detail.certificates.map(\.arn) == [arn])
        #expect(detail.policies.map(\.0) == ["\(prefix)-p"])
        #expect(detail.shadows.map(\.0) == ["", "config"])
        #expect(detail.shadows[0].1["state"]?["desired"]?["led"] == "on")
        let version = try #require(detail.shadows[0].1["version"]?.intValue)
        let updated = try await loader.updateDesired(thing: thing, shadow: "", desired: ["led": "off"], version: version)
        #expect(updated["version"]?.intValue == version + 1)
        do {
            _ = try await loader.updateDesired(thing: thing, shadow: "", desired: ["led": "blue"], version: version)
            Issue.record("a stale version was accepted")
        } catch let conflict as ShadowConflict {
            #expect(conflict.current["version"]?.intValue == version + 1)  // the server's newer document
            #expect(conflict.current["state"]?["desired"]?["led"] == "off")
        }
        try await loader.deleteShadow(thing: thing, shadow: "config")
        #expect(try await loader.detail(of: thing).shadows.map(\.0) == [""])
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Device] = []
    func add(_ page: [Device]) { lock.lock(); items += page; lock.unlock() }
    var devices: [Device] { lock.lock(); defer { lock.unlock() }; return items }
}
