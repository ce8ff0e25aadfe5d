import FleetValues
import AWSCore
import AWSServices
import JSON
import X509

/// Reads the fleet from AWS IoT: devices page by page (ListThings, or SearchIndex for a fleet
/// index query), groups with their hierarchy and member counts, certificates with expiry.
public struct FleetLoader: Sendable {
    let client: AWSClient
    /// Which stack resource manages what (the project's stacks read by the caller; outside a
    /// project, nothing).
    let managedBy: @Sendable () async throws -> ManagedIndex

    public init(client: AWSClient, managedBy: @escaping @Sendable () async throws -> ManagedIndex = { ManagedIndex() }) {
        self.client = client
        self.managedBy = managedBy
    }

    static func device(_ thing: JSONValue) -> Device {
        var attributes: [String: String] = [:]
        for (key, value) in thing["attributes"]?.objectValue ?? JSONObject() { attributes[key] = value.stringValue ?? value.serialized() }
        return Device(name: thing["thingName"]?.stringValue ?? "", type: thing["thingTypeName"]?.stringValue, attributes: attributes,
                      version: Int(thing["version"]?.intValue ?? 0), connected: thing["connectivity"]?["connected"]?.boolValue,
                      groups: thing["thingGroupNames"].map { $0.arrayValue.compactMap(\.stringValue) })
    }

    /// Every device, a page at a time to `page` (which returns false to stop); stops too when the
    /// task is cancelled. A `query` goes to the fleet index (SearchIndex).
    public func devices(query: String? = nil, pageSize: Int = 250, page: @Sendable ([Device]) async -> Bool) async throws {
        let pages = query.map { client.pages(IoTOperations.service, IoTOperations.searchIndex, ["queryString": .string($0), "maxResults": .integer(Int64(pageSize))]) }
            ?? client.pages(IoTOperations.service, IoTOperations.listThings, ["maxResults": .integer(Int64(pageSize))])
        do {
            for try await response in pages {
                try Task.checkCancellation()
                let things = response["things"]?.arrayValue ?? []
                if !(await page(things.map(Self.device))) { return }
            }
        } catch let error as AWSError where query != nil && error.code == "ResourceNotFoundException" {
            throw indexOff
        }
    }

    /// Every thing a fleet-index query finds, as SearchIndex gives them.
    public func search(_ query: String) async throws -> [JSONValue] {
        do {
            return try await client.all(IoTOperations.service, IoTOperations.searchIndex, ["queryString": .string(query)], key: "things")
        } catch let error as AWSError where error.code == "ResourceNotFoundException" {
            throw indexOff
        }
    }

    /// AWS's answer while fleet indexing is off, said so rather than shown as an HTTP 404.
    var indexOff: AWSError {
        .invalidInput(operation: "SearchIndex", reason: "the fleet index is off in \(client.settings.region): searching needs fleet indexing turned on (thingIndexingMode REGISTRY, e.g. 'aws iot update-indexing-configuration')")
    }

    /// Thing groups with their parents and member counts.
    public func groups() async throws -> [GroupInfo] {
        let listed = try await client.all(IoTOperations.service, IoTOperations.listThingGroups, ["maxResults": 250], key: "thingGroups")
        var groups: [GroupInfo] = []
        for item in listed {
            guard let name = item["groupName"]?.stringValue else { continue }
            let described = try await client.call(IoTOperations.service, IoTOperations.describeThingGroup, ["thingGroupName": .string(name)])
            let members = try await client.all(IoTOperations.service, IoTOperations.listThingsInThingGroup, ["thingGroupName": .string(name)], key: "things")
            groups.append(GroupInfo(name: name, parent: described["thingGroupMetadata"]?["parentGroupName"]?.stringValue, members: members.count,
                                    description: described["thingGroupProperties"]?["thingGroupDescription"]?.stringValue))
        }
        return groups.sorted { $0.name < $1.name }
    }

    /// Each thing's certificates in brief (for the rows on screen).
    public func certificateSummaries(_ things: [String]) async -> [String: DeviceCertificate] {
        var result: [String: DeviceCertificate] = [:]
        for thing in things {
            let principals: [JSONValue]
            do {
                principals = try await client.all(IoTOperations.service, IoTOperations.listThingPrincipals, ["thingName": .string(thing)], key: "principals")
            } catch {
                result[thing] = DeviceCertificate(count: 0, status: nil, notAfter: nil, problem: "\(error)")
                continue
            }
            var best: (String, Int64?)?
            var count = 0
            var problem: String?
            for arn in principals.compactMap(\.stringValue) where arn.contains(":cert/") {
                count += 1
                let id = String(arn.split(separator: "/").last ?? "")
                let described: AWSResponse
                do {
                    described = try await client.call(IoTOperations.service, IoTOperations.describeCertificate, ["certificateId": .string(id)])
                } catch where Self.notFound(error) {
                    count -= 1  // deleted since the listing
                    continue
                } catch {
                    problem = "\(error)"
                    continue
                }
                let status = described["certificateDescription"]?["status"]?.stringValue ?? "?"
                let notAfter = described["certificateDescription"]?["certificatePem"]?.stringValue.flatMap(Self.expiry)?.0
                if best == nil || (notAfter ?? 0) > (best?.1 ?? 0) { best = (status, notAfter) }
            }
            result[thing] = DeviceCertificate(count: count, status: best?.0, notAfter: best?.1, problem: problem)
        }
        return result
    }

    /// Policies with their documents and targets.
    public func policies() async throws -> [PolicyInfo] {
        var policies: [PolicyInfo] = []
        for item in try await client.all(IoTOperations.service, IoTOperations.listPolicies, ["pageSize": 250], key: "policies") {
            guard let name = item["policyName"]?.stringValue else { continue }
            let document = try await client.call(IoTOperations.service, IoTOperations.getPolicy, ["policyName": .string(name)])
            let targets = try await client.all(IoTOperations.service, IoTOperations.listTargetsForPolicy, ["policyName": .string(name)], key: "targets")
            policies.append(PolicyInfo(name: name, document: document["policyDocument"]?.stringValue ?? "", targets: targets.compactMap(\.stringValue).sorted()))
        }
        return policies.sorted { $0.name < $1.name }
    }

    /// Attaches a policy to every certificate of each thing; reports each thing's result.
    public func attachPolicy(_ policy: String, to things: [String], progress: @Sendable (String, String?) -> Void) async {
        for thing in things {
            do {
                let principals = try await client.all(IoTOperations.service, IoTOperations.listThingPrincipals, ["thingName": .string(thing)], key: "principals")
                    .compactMap(\.stringValue).filter { $0.contains(":cert/") }
                guard !principals.isEmpty else { progress(thing, "no certificate to attach it to"); continue }
                for principal in principals {
                    _ = try await client.call(IoTOperations.service, IoTOperations.attachPolicy, ["policyName": .string(policy), "target": .string(principal)])
                }
                progress(thing, nil)
            } catch {
                progress(thing, "\(error)")
            }
        }
    }

    /// Certificates with status, expiry (read from the certificate) and the things they belong to.
    public func certificates() async throws -> [CertificateInfo] {
        let listed = try await client.all(IoTOperations.service, IoTOperations.listCertificates, ["pageSize": 250], key: "certificates")
        var certificates: [CertificateInfo] = []
        for item in listed {
            guard let id = item["certificateId"]?.stringValue, let arn = item["certificateArn"]?.stringValue else { continue }
            let described = try await client.call(IoTOperations.service, IoTOperations.describeCertificate, ["certificateId": .string(id)])
            let pem = described["certificateDescription"]?["certificatePem"]?.stringValue
            let (notAfter, subject) = pem.flatMap(Self.expiry) ?? (nil, nil)
            let things = try await client.all(IoTOperations.service, IoTOperations.listPrincipalThings, ["principal": .string(arn)], key: "things")
            certificates.append(CertificateInfo(id: id, arn: arn, status: item["status"]?.stringValue ?? "?", notAfter: notAfter, subject: subject,
                                                things: things.compactMap(\.stringValue).sorted(),
                                                policies: try await certificatePolicies(arn).sorted()))
        }
        return certificates.sorted { ($0.notAfter ?? .max, $0.id) < ($1.notAfter ?? .max, $1.id) }
    }

    /// notAfter (seconds since 1970) and the subject of a PEM certificate.
    public static func expiry(_ pem: String) -> (Int64, String)? {
        guard let certificate = try? Certificate(pemEncoded: pem) else { return nil }
        return (Int64(certificate.notValidAfter.timeIntervalSince1970), certificate.subject.description)
    }

    /// The thing's Greengrass core device: nil when it is not one (AWS answers 404).
    public func coreDevice(_ thing: String) async -> Result<CoreDevice?, CoreDeviceUnreadable> {
        do {
            let device = try await client.call(GreengrassV2Operations.service, GreengrassV2Operations.getCoreDevice, ["coreDeviceThingName": .string(thing)])
            return .success(CoreDevice(status: device["status"]?.stringValue ?? "?", coreVersion: device["coreVersion"]?.stringValue,
                                       platform: device["platform"]?.stringValue, architecture: device["architecture"]?.stringValue,
                                       lastStatusUpdate: device["lastStatusUpdateTimestamp"]?.doubleValue.map { Int64($0) }))
        } catch where Self.notFound(error) {
            return .success(nil)
        } catch {
            return .failure(CoreDeviceUnreadable(reason: "\(error)"))
        }
    }

    public func detail(of name: String) async throws -> DeviceDetail {
        let groups = try await client.all(IoTOperations.service, IoTOperations.listThingGroupsForThing, ["thingName": .string(name)], key: "thingGroups")
            .compactMap { $0["groupName"]?.stringValue }.sorted()
        let principals = try await client.all(IoTOperations.service, IoTOperations.listThingPrincipals, ["thingName": .string(name)], key: "principals")
            .compactMap(\.stringValue)
        var certificates: [CertificateInfo] = []
        var policies: [(String, String)] = []
        for arn in principals where arn.contains(":cert/") {
            let id = String(arn.split(separator: "/").last ?? "")
            let described = try await client.call(IoTOperations.service, IoTOperations.describeCertificate, ["certificateId": .string(id)])
            let (notAfter, subject) = described["certificateDescription"]?["certificatePem"]?.stringValue.flatMap(Self.expiry) ?? (nil, nil)
            certificates.append(CertificateInfo(id: id, arn: arn, status: described["certificateDescription"]?["status"]?.stringValue ?? "?",
                                                notAfter: notAfter, subject: subject, things: [name]))
            for policy in try await client.all(IoTOperations.service, IoTOperations.listAttachedPolicies, ["target": .string(arn)], key: "policies") {
                guard let policyName = policy["policyName"]?.stringValue, !policies.contains(where: { $0.0 == policyName }) else { continue }
                let document = try await client.call(IoTOperations.service, IoTOperations.getPolicy, ["policyName": .string(policyName)])
                policies.append((policyName, document["policyDocument"]?.stringValue ?? ""))
            }
        }
        var shadows: [(String, JSONValue)] = []
        var names = [""]
        if let named = try? await client.callIoTData(IoTDataPlaneOperations.listNamedShadowsForThing, ["thingName": .string(name)]) {
            names += (named["results"]?.arrayValue ?? []).compactMap(\.stringValue).sorted()
        }
        for shadow in names {
            var input: JSONObject = ["thingName": .string(name)]
            if !shadow.isEmpty { input["shadowName"] = .string(shadow) }
            guard let answer = try? await client.callIoTData(IoTDataPlaneOperations.getThingShadow, input),
                  let document = try? JSONValue.parse(answer.payload) else { continue }
            shadows.append((shadow, document))
        }
        return DeviceDetail(groups: groups, certificates: certificates, policies: policies, shadows: shadows, coreDevice: await coreDevice(name))
    }

    /// Updates a shadow's desired state at `version` (the optimistic lock); returns the new
    /// document, or throws `ShadowConflict` with the server's current one.
    public func updateDesired(thing: String, shadow: String, desired: JSONValue, version: Int64?) async throws -> JSONValue {
        var input: JSONObject = ["thingName": .string(thing)]
        if !shadow.isEmpty { input["shadowName"] = .string(shadow) }
        var document: JSONObject = ["state": ["desired": desired]]
        if let version { document["version"] = .integer(version) }
        do {
            let answer = try await client.callIoTData(IoTDataPlaneOperations.updateThingShadow, input, payload: JSONValue.object(document).bytes)
            return (try? JSONValue.parse(answer.payload)) ?? .null
        } catch let error as AWSError {
            guard case .service(_, 409, _, _, _) = error else { throw error }
            let current = try await client.callIoTData(IoTDataPlaneOperations.getThingShadow, input)
            throw ShadowConflict(current: (try? JSONValue.parse(current.payload)) ?? .null, message: error.description)
        }
    }

    public func deleteShadow(thing: String, shadow: String) async throws {
        var input: JSONObject = ["thingName": .string(thing)]
        if !shadow.isEmpty { input["shadowName"] = .string(shadow) }
        _ = try await client.callIoTData(IoTDataPlaneOperations.deleteThingShadow, input)
    }

    /// Asks each thing for a CSR now (device/<thing>/csr_req, as the audit-actions function asks).
    public func requestRotation(_ things: [String], progress: @Sendable (String, String?) -> Void) async {
        await eachReported(things, progress) { thing in
            _ = try await client.callIoTData(IoTDataPlaneOperations.publish, ["topic": .string("device/\(thing)/csr_req"), "qos": 1], payload: Array("{}".utf8))
        }
    }

    /// A bulk plan's steps: `step` on each item in turn, each reported (item, error or nil).
    func eachReported(_ items: [String], _ progress: @Sendable (String, String?) -> Void, _ step: (String) async throws -> Void) async {
        for item in items {
            do {
                try await step(item)
                progress(item, nil)
            } catch {
                progress(item, "\(error)")
            }
        }
    }

    /// Adds things to a group, one call each; reports each result.
    public func addToGroup(_ things: [String], group: String, progress: @Sendable (String, String?) -> Void) async {
        await eachReported(things, progress) { thing in
            _ = try await client.call(IoTOperations.service, IoTOperations.addThingToThingGroup, ["thingName": .string(thing), "thingGroupName": .string(group)])
        }
    }
}
