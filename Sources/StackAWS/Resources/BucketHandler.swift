import AWSCore
import AWSServices
import JSON
import StackEngine
import StackModel

/// `aws-native:s3:Bucket`: its declaration and its cloud calls.
struct BucketHandler: SupportingHandler {
    static let declaration = ResourceType("aws-native:s3:Bucket", naming: .init(property: "bucketName", lowercase: true), deleteMayBeBlocked: true)
    let context: HandlerContext

    func create(name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue]) {
        let bucket = inputs["bucketName"]?.stringValue ?? name
        var input: JSONObject = ["Bucket": .string(bucket)]
        if let acl = inputs["accessControl"]?.stringValue { input["ACL"] = .string(Self.cannedACL(acl)) }
        if client.settings.region != "us-east-1" { input["CreateBucketConfiguration"] = ["LocationConstraint": .string(client.settings.region)] }
        _ = try await client.call(S3Operations.service, S3Operations.createBucket, input)
        try await configureBucket(bucket, inputs: inputs)
        return (bucket, inputs.merging(["bucketName": .string(bucket), "arn": .string("arn:aws:s3:::\(bucket)"),
                                        "domainName": .string("\(bucket).s3.amazonaws.com")]) { _, new in new })
    }

    func read(id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]? {
        var live = LiveValues(inputs: inputs)
        _ = try await client.call(S3Operations.service, S3Operations.headBucket, ["Bucket": .string(id)])
        live.output("bucketName", .string(id))
        live.output("arn", .string("arn:aws:s3:::\(id)"))
        let versioning = try await client.call(S3Operations.service, S3Operations.getBucketVersioning, ["Bucket": .string(id)])["Status"]?.stringValue
        live.set("versioningConfiguration", versioning.map { .object(["status": .string($0)]) })
        var block: JSONValue?
        do {
            block = try await client.call(S3Operations.service, S3Operations.getPublicAccessBlock, ["Bucket": .string(id)])["PublicAccessBlockConfiguration"]
        } catch let error as AWSError where error.code == "NoSuchPublicAccessBlockConfiguration" {}
        live.set("publicAccessBlockConfiguration", block.flatMap { json -> PropertyValue? in
            guard case .object(let fields) = json else { return nil }
            var lowered: [String: PropertyValue] = [:]
            for (key, value) in fields { lowered[key.prefix(1).lowercased() + key.dropFirst()] = PropertyValue(json: value) }
            return .object(lowered)
        })
        return live.values
    }

    func update(id: String, old: ResourceState, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue] {
        try await configureBucket(id, inputs: inputs)
        return try await readAfterUpdate(id: id, inputs: inputs) ?? inputs
    }

    func delete(id: String, old: ResourceState) async throws {
        _ = try await client.call(S3Operations.service, S3Operations.deleteBucket, ["Bucket": .string(id)])
    }

    /// CloudFormation's AccessControl names (`Private`, `PublicRead`, `BucketOwnerFullControl`)
    /// as S3's canned ACLs (`private`, `public-read`, `bucket-owner-full-control`).
    static func cannedACL(_ name: String) -> String { ResourceNames.words(name, separator: "-", uppercased: false) }

    func configureBucket(_ bucket: String, inputs: [String: PropertyValue]) async throws {
        if let block = inputs["publicAccessBlockConfiguration"] {
            _ = try await client.call(S3Operations.service, S3Operations.putPublicAccessBlock, ["Bucket": .string(bucket),
                                                                                               "PublicAccessBlockConfiguration": Self.upper(block.plainJSON)])
        }
        if let status = inputs["versioningConfiguration"]?["status"]?.stringValue {
            _ = try await client.call(S3Operations.service, S3Operations.putBucketVersioning, ["Bucket": .string(bucket),
                                                                                              "VersioningConfiguration": ["Status": .string(status)]])
        }
    }
}
