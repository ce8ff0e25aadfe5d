import AWSCore
import AWSServices
import StackEngine
import StackModel

/// What stops resources from being deleted that the stack does not own: an IoT policy still
/// attached to certificates made outside the stack (devices provisioned by the fleet template),
/// a bucket that still holds objects. Found before a destroy, shown, and cleared only when asked.
public struct DestroyBlocker: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case policyAttached(policy: String, target: String)
        case bucketNotEmpty(bucket: String, objects: Int)
    }

    public var kind: Kind
    public var urn: URN

    public var description: String {
        switch kind {
        case let .policyAttached(policy, target): return "policy \(policy) is attached to \(target), which this stack does not own"
        case let .bucketNotEmpty(bucket, objects): return "bucket \(bucket) holds \(objects)\(objects >= 1000 ? "+" : "") object\(objects == 1 ? "" : "s")"
        }
    }

    public var remedy: String {
        switch kind {
        case let .policyAttached(policy, target): return "detach \(policy) from \(target)"
        case let .bucketNotEmpty(bucket, _): return "empty bucket \(bucket)"
        }
    }
}

public enum DestroyPreflight {
    /// Blockers for deleting `resources` (policies and buckets among them).
    public static func blockers(_ resources: [ResourceState], all: [ResourceState], client: AWSClient) async throws -> [DestroyBlocker] {
        let owned = Set(all.filter { $0.type == "aws:iot/policyAttachment:PolicyAttachment" }.compactMap { state -> String? in
            guard let policy = state.inputs["policy"]?.stringValue, let target = state.inputs["target"]?.stringValue else { return nil }
            return "\(policy)|\(target)"
        })
        var blockers: [DestroyBlocker] = []
        for resource in resources {
            do {
                switch resource.type {
                case "aws-native:iot:Policy":
                    let targets = try await client.all(IoTOperations.service, IoTOperations.listTargetsForPolicy, ["policyName": .string(resource.id)])
                    for target in targets.compactMap(\.stringValue).sorted() where !owned.contains("\(resource.id)|\(target)") {
                        blockers.append(DestroyBlocker(kind: .policyAttached(policy: resource.id, target: target), urn: resource.urn))
                    }
                case "aws-native:s3:Bucket":
                    // Versions and delete markers count: a versioned bucket with only those still cannot be deleted.
                    let count = try await versions(of: resource.id, client: client).count
                    if count > 0 { blockers.append(DestroyBlocker(kind: .bucketNotEmpty(bucket: resource.id, objects: count), urn: resource.urn)) }
                default:
                    continue
                }
            } catch let error as AWSError where ["ResourceNotFoundException", "NoSuchBucket"].contains(error.code ?? "") {
                continue  // already gone (a delete an interrupted run made): nothing blocks it
            }
        }
        return blockers
    }

    /// Clears the blockers: detaches the policies, deletes every object of the buckets.
    public static func clear(_ blockers: [DestroyBlocker], client: AWSClient) async throws {
        for blocker in blockers {
            switch blocker.kind {
            case let .policyAttached(policy, target):
                _ = try await client.call(IoTOperations.service, IoTOperations.detachPolicy, ["policyName": .string(policy), "target": .string(target)])
            case let .bucketNotEmpty(bucket, _):
                // Every version and delete marker, as upstream's destroy-infra empties the image bucket.
                while true {
                    let found = try await versions(of: bucket, client: client)
                    if found.isEmpty { break }
                    _ = try await client.call(S3Operations.service, S3Operations.deleteObjects, [
                        "Bucket": .string(bucket), "Delete": ["Object": .array(found.map { .object(["Key": .string($0.key), "VersionId": .string($0.version)]) }),
                                                              "Quiet": true]])
                }
            }
        }
    }

    /// Up to 1,000 object versions and delete markers of a bucket (key, version id).
    static func versions(of bucket: String, client: AWSClient) async throws -> [(key: String, version: String)] {
        let page = try await client.call(S3Operations.service, S3Operations.listObjectVersions, ["Bucket": .string(bucket), "MaxKeys": 1000])
        // XML names: a flattened list of one is one element, which arrayValue reads as a list.
        return ((page["Version"]?.arrayValue ?? []) + (page["DeleteMarker"]?.arrayValue ?? [])).compactMap { item in
            guard let key = item["Key"]?.stringValue else { return nil }
            return (key, item["VersionId"]?.stringValue ?? "null")
        }
    }
}
