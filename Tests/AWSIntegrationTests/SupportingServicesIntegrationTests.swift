import AWSCore
import AWSServices
import Foundation
import TestSupport
import Testing

/// IAM and SNS (query protocol with XML answers), Lambda (REST-JSON), S3 (REST-XML) on moto.
@Suite struct SupportingServicesIntegrationTests {
    static let trust: JSONValue = ["Version": "2012-10-17", "Statement": [["Effect": "Allow", "Principal": ["Service": "lambda.amazonaws.com"], "Action": "sts:AssumeRole"]]]

    @Test func iamRolesAndPolicies() async throws {
        let client = try Sandbox.client()
        let iam = IAMOperations.self
        let role = Sandbox.unique("role")
        let created = try await client.call(iam.service, iam.createRole, ["RoleName": .string(role), "AssumeRolePolicyDocument": .string(Self.trust.serialized()),
                                                                          "Description": "hook", "MaxSessionDuration": 3600, "Path": "/fleet/"])
        #expect(created["Role"]?["Arn"]?.stringValue == "arn:aws:iam::123456789012:role/fleet/\(role)")
        _ = try await client.call(iam.service, iam.updateRole, ["RoleName": .string(role), "Description": "pre-provisioning hook"])
        _ = try await client.call(iam.service, iam.tagRole, ["RoleName": .string(role), "Tags": [["Key": "stack", "Value": "dev"], ["Key": "owner", "Value": "fleet"]]])
        _ = try await client.call(iam.service, iam.untagRole, ["RoleName": .string(role), "TagKeys": ["owner"]])
        let tags = try await client.call(iam.service, iam.getRole, ["RoleName": .string(role)])["Role"]?["Tags"]?.arrayValue ?? []
        #expect(tags.compactMap { $0["Key"]?.stringValue } == ["stack"])
        _ = try await client.call(iam.service, iam.updateAssumeRolePolicy, ["RoleName": .string(role), "PolicyDocument": .string(Self.trust.serialized())])
        #expect(try await client.call(iam.service, iam.getRole, ["RoleName": .string(role)])["Role"]?["Description"] == "pre-provisioning hook")
        let policy: JSONValue = ["Version": "2012-10-17", "Statement": [["Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::certs/*"]]]
        _ = try await client.call(iam.service, iam.putRolePolicy, ["RoleName": .string(role), "PolicyName": "hook", "PolicyDocument": .string(policy.serialized())])
        let inline = try await client.call(iam.service, iam.getRolePolicy, ["RoleName": .string(role), "PolicyName": "hook"])
        let document = try JSONValue.parse(URIEncodingForTests.decode(inline["PolicyDocument"]?.stringValue ?? ""))
        #expect(document == policy)
        #expect(try await client.all(iam.service, iam.listRolePolicies, ["RoleName": .string(role)], key: "PolicyNames") == ["hook"])
        let managed = "arn:aws:iam::aws:policy/service-role/AWSIoTThingsRegistration"
        _ = try await client.call(iam.service, iam.attachRolePolicy, ["RoleName": .string(role), "PolicyArn": .string(managed)])
        let attached = try await client.all(iam.service, iam.listAttachedRolePolicies, ["RoleName": .string(role)], key: "AttachedPolicies")
        #expect(attached.compactMap { $0["PolicyArn"]?.stringValue } == [managed])
        _ = try await client.call(iam.service, iam.detachRolePolicy, ["RoleName": .string(role), "PolicyArn": .string(managed)])
        _ = try await client.call(iam.service, iam.deleteRolePolicy, ["RoleName": .string(role), "PolicyName": "hook"])
        #expect(try await client.all(iam.service, iam.listRoles, [:], key: "Roles").contains { $0["RoleName"]?.stringValue == role })
        _ = try await client.call(iam.service, iam.deleteRole, ["RoleName": .string(role)])
        do {
            _ = try await client.call(iam.service, iam.getRole, ["RoleName": .string(role)])
            Issue.record("deleted role still there")
        } catch let error as AWSError {
            #expect(error.code == "NoSuchEntity")
        }
    }

    @Test func lambdaFunctionsAndPermissions() async throws {
        let client = try Sandbox.client()
        let iam = IAMOperations.self, lambda = LambdaOperations.self
        let role = Sandbox.unique("fn-role"), function = Sandbox.unique("hook")
        let roleArn = try await client.call(iam.service, iam.createRole, ["RoleName": .string(role), "AssumeRolePolicyDocument": .string(Self.trust.serialized())])["Role"]?["Arn"]
        let zip = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", """
            import base64, io, zipfile
            b = io.BytesIO(); z = zipfile.ZipFile(b, 'w'); z.writestr('index.py', 'def handler(e, c):\\n    return {"allowProvisioning": True}\\n'); z.close()
            print(base64.b64encode(b.getvalue()).decode())
            """]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let created = try await client.call(lambda.service, lambda.createFunction, [
            "FunctionName": .string(function), "Runtime": "python3.12", "Role": roleArn ?? .null, "Handler": "index.handler",
            "Code": ["ZipFile": .string(zip)], "Architectures": ["arm64"], "Timeout": 30, "MemorySize": 128,
            "Environment": ["Variables": ["BUCKET": "certs"]]])
        #expect(created["FunctionName"]?.stringValue == function)
        _ = try await client.call(lambda.service, lambda.updateFunctionConfiguration, ["FunctionName": .string(function), "Timeout": 60])
        _ = try await client.call(lambda.service, lambda.updateFunctionCode, ["FunctionName": .string(function), "ZipFile": .string(zip)])
        let configuration = try await client.call(lambda.service, lambda.getFunctionConfiguration, ["FunctionName": .string(function)])
        #expect(configuration["Timeout"] == 60)
        #expect(configuration["Environment"]?["Variables"]?["BUCKET"] == "certs")
        let got = try await client.call(lambda.service, lambda.getFunction, ["FunctionName": .string(function)])
        #expect(got["Configuration"]?["Runtime"] == "python3.12")
        _ = try await client.call(lambda.service, lambda.addPermission, ["FunctionName": .string(function), "StatementId": "iot",
                                                                         "Action": "lambda:InvokeFunction", "Principal": "iot.amazonaws.com",
                                                                         "SourceAccount": "123456789012", "SourceArn": "arn:aws:iot:us-east-1:123456789012:*"])
        let policy = try JSONValue.parse(try await client.call(lambda.service, lambda.getPolicy, ["FunctionName": .string(function)])["Policy"]?.stringValue ?? "")
        #expect(policy["Statement"]?.arrayValue.first?["Sid"] == "iot")
        _ = try await client.call(lambda.service, lambda.removePermission, ["FunctionName": .string(function), "StatementId": "iot"])
        #expect(try await client.all(lambda.service, lambda.listFunctions, [:], key: "Functions").contains { $0["FunctionName"]?.stringValue == function })
        _ = try await client.call(lambda.service, lambda.deleteFunction, ["FunctionName": .string(function)])
    }

    @Test func snsTopicsAttributesAndSubscriptions() async throws {
        let client = try Sandbox.client()
        let sns = SNSOperations.self
        let name = Sandbox.unique("device_certificate_expiring")
        let topic = try #require(try await client.call(sns.service, sns.createTopic, ["Name": .string(name), "Attributes": ["DisplayName": "expiring"]])["TopicArn"])
        _ = try await client.call(sns.service, sns.setTopicAttributes, ["TopicArn": topic, "AttributeName": "DisplayName", "AttributeValue": "certs"])
        let attributes = try await client.call(sns.service, sns.getTopicAttributes, ["TopicArn": topic])
        #expect(attributes["Attributes"]?["DisplayName"] == "certs")
        let subscription = try await client.call(sns.service, sns.subscribe, ["TopicArn": topic, "Protocol": "lambda",
                                                                             "Endpoint": "arn:aws:lambda:us-east-1:123456789012:function:audit"])
        let subscriptionArn = try #require(subscription["SubscriptionArn"])
        let listed = try await client.all(sns.service, sns.listSubscriptionsByTopic, ["TopicArn": topic], key: "Subscriptions")
        #expect(listed.compactMap { $0["Protocol"]?.stringValue } == ["lambda"])
        #expect(try await client.call(sns.service, sns.getSubscriptionAttributes, ["SubscriptionArn": subscriptionArn])["Attributes"]?["Protocol"] == "lambda")
        _ = try await client.call(sns.service, sns.unsubscribe, ["SubscriptionArn": subscriptionArn])
        #expect(try await client.all(sns.service, sns.listTopics, [:], key: "Topics").contains { $0["TopicArn"] == topic })
        _ = try await client.call(sns.service, sns.deleteTopic, ["TopicArn": topic])
    }

    @Test func s3BucketsObjectsAndConditionalWrites() async throws {
        let client = try Sandbox.client()
        let s3 = S3Operations.self
        let bucket = Sandbox.unique("fleet-state")
        _ = try await client.call(s3.service, s3.createBucket, ["Bucket": .string(bucket)])
        _ = try await client.call(s3.service, s3.headBucket, ["Bucket": .string(bucket)])
        _ = try await client.call(s3.service, s3.putPublicAccessBlock, ["Bucket": .string(bucket), "PublicAccessBlockConfiguration": [
            "BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true]])
        let block = try await client.call(s3.service, s3.getPublicAccessBlock, ["Bucket": .string(bucket)])
        #expect(block["BlockPublicAcls"] == "true")
        let key = ".pulumi/locks/organization/iot-ref-arch/dev/lock 1.json"
        let put = try await client.call(s3.service, s3.putObject, ["Bucket": .string(bucket), "Key": .string(key), "IfNoneMatch": "*"],
                                        payload: Array(#"{"pid":1}"#.utf8))
        #expect(put["ETag"] != nil)
        do {
            _ = try await client.call(s3.service, s3.putObject, ["Bucket": .string(bucket), "Key": .string(key), "IfNoneMatch": "*"], payload: Array("{}".utf8))
            Issue.record("a second If-None-Match:* write succeeded")
        } catch let error as AWSError {
            #expect(error.code == "PreconditionFailed")
        }
        let object = try await client.call(s3.service, s3.getObject, ["Bucket": .string(bucket), "Key": .string(key)])
        #expect(object.payload == Array(#"{"pid":1}"#.utf8))
        _ = try await client.call(s3.service, s3.putObject, ["Bucket": .string(bucket), "Key": "scratch"], payload: Array("x".utf8))
        _ = try await client.call(s3.service, s3.deleteObject, ["Bucket": .string(bucket), "Key": "scratch"])
        do {
            _ = try await client.call(s3.service, s3.headObject, ["Bucket": .string(bucket), "Key": "scratch"])
            Issue.record("deleted object still there")
        } catch let error as AWSError {
            #expect(error.code == "NotFound")
        }
        #expect(try await client.call(s3.service, s3.headObject, ["Bucket": .string(bucket), "Key": .string(key)])["ContentLength"] == "9")
        for index in 0..<3 {
            _ = try await client.call(s3.service, s3.putObject, ["Bucket": .string(bucket), "Key": .string("allowlist/\(index).txt")], payload: Array("S\(index)".utf8))
        }
        var keys: [String] = []
        for try await page in client.pages(s3.service, s3.listObjectsV2, ["Bucket": .string(bucket), "Prefix": "allowlist/", "MaxKeys": 2]) {
            keys += page["Contents"]?.arrayValue.compactMap { $0["Key"]?.stringValue } ?? []
        }
        #expect(keys == ["allowlist/0.txt", "allowlist/1.txt", "allowlist/2.txt"])
        let all = (keys + [key]).map { JSONValue.object(["Key": .string($0)]) }
        _ = try await client.call(s3.service, s3.deleteObjects, ["Bucket": .string(bucket), "Delete": ["Object": .array(all), "Quiet": true]])
        #expect(try await client.call(s3.service, s3.listObjectsV2, ["Bucket": .string(bucket)])["KeyCount"] == "0")
        _ = try await client.call(s3.service, s3.putBucketVersioning, ["Bucket": .string(bucket), "VersioningConfiguration": ["Status": "Enabled"]])
        #expect(try await client.call(s3.service, s3.getBucketVersioning, ["Bucket": .string(bucket)])["Status"] == "Enabled")
        _ = try await client.call(s3.service, s3.deleteBucket, ["Bucket": .string(bucket)])
        #expect(!(try await client.call(s3.service, s3.listBuckets)["Buckets"]?["Bucket"]?.arrayValue ?? []).contains { $0["Name"]?.stringValue == bucket })
    }
}

enum URIEncodingForTests {
    /// IAM returns policy documents URL-encoded.
    static func decode(_ text: String) -> String { text.removingPercentEncoding ?? text }
}
