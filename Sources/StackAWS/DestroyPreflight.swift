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
        let owned = Set(all.filter { $0.type == "aws:iot:PolicyAttachment" }.compactMap { state -> String? in
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
                    let page = try await client.call(S3Operations.service, S3Operations.listObjectsV2, ["Bucket": .string(resource.id), "MaxKeys": 1000])
                    let count = Int(page["KeyCount"]?.intValue ?? 0)
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
                while true {
                    let page = try await client.call(S3Operations.service, S3Operations.listObjectsV2, ["Bucket": .string(bucket), "MaxKeys": 1000])
                    let keys = (page["Contents"]?.arrayValue ?? []).compactMap { $0["Key"] }
                    if keys.isEmpty { break }
                    _ = try await client.call(S3Operations.service, S3Operations.deleteObjects, [
                        "Bucket": .string(bucket), "Delete": ["Object": .array(keys.map { .object(["Key": $0]) }), "Quiet": true]])
                }
            }
        }
    }
}
