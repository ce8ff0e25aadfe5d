import AWSCore
import AWSServices
import AWSSigning
import Synchronization
import Testing

/// The client's own logic with an in-memory HTTP double: the retry loop, signing, the IoT data
/// endpoint discovery, and the credential cache.
@Suite struct AWSClientTests {
    static let settingsEnvironment = ["AWS_REGION": "eu-west-1", "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"]
    let credentials = StaticCredentials(AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret"))

    func client(_ http: ScriptedHTTPClient, environment: [String: String] = [:]) throws -> AWSClient {
        let settings = try AWSSettings.resolve(environment: Self.settingsEnvironment.merging(environment) { $1 })
        return AWSClient(settings: settings, http: http, credentials: credentials, now: { 1_440_938_160 }, random: { 0 })
    }

    @Test func retriesThrottlingThenSucceedsSignedEachTime() async throws {
        let http = ScriptedHTTPClient([
            ScriptedHTTPClient.json(400, #"{"message":"slow down"}"#, headers: [("x-amzn-ErrorType", "ThrottlingException:http://internal")]),
            .failure(.transport(url: "https://iot.eu-west-1.amazonaws.com", reason: "connection reset", timedOut: false)),
            ScriptedHTTPClient.json(200, #"{"things":[{"thingName":"a"}]}"#),
        ])
        let answer = try await client(http).call(IoTOperations.service, IoTOperations.listThings, ["maxResults": 10])
        #expect(answer["things"]?[0]?["thingName"] == "a")
        #expect(http.requests.count == 3)
        let request = http.requests[0]
        #expect(request.url == "https://iot.eu-west-1.amazonaws.com/things?maxResults=10")
        #expect(request.header("Authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKID/20150830/eu-west-1/iot/aws4_request, SignedHeaders=host;x-amz-date, Signature=") == true)
        #expect(request.header("X-Amz-Date") == "20150830T123600Z")
    }

    @Test func doesNotRetryClientErrorsAndStopsAfterMaxAttempts() async throws {
        let notFound = ScriptedHTTPClient([ScriptedHTTPClient.json(404, #"{"message":"no such thing"}"#, headers: [("x-amzn-ErrorType", "ResourceNotFoundException")])])
        await #expect(throws: AWSError.service(operation: "DescribeThing", status: 404, code: "ResourceNotFoundException", message: "no such thing", requestID: nil)) {
            _ = try await client(notFound).call(IoTOperations.service, IoTOperations.describeThing, ["thingName": "x"])
        }
        #expect(notFound.requests.count == 1)
        let unavailable = ScriptedHTTPClient(Array(repeating: ScriptedHTTPClient.json(503, ""), count: 5))
        await #expect(throws: AWSError.self) {
            _ = try await client(unavailable, environment: ["AWS_MAX_ATTEMPTS": "4"]).call(IoTOperations.service, IoTOperations.listThings)
        }
        #expect(unavailable.requests.count == 4)
    }

    @Test func iotDataEndpointIsDiscoveredOnce() async throws {
        let http = ScriptedHTTPClient([
            ScriptedHTTPClient.json(200, #"{"endpointAddress":"abc123-ats.iot.eu-west-1.amazonaws.com"}"#),
            .success(HTTPResponse(status: 200, body: Array(#"{"state":{},"version":3}"#.utf8))),
            .success(HTTPResponse(status: 200, body: Array(#"{"state":{},"version":3}"#.utf8))),
        ])
        let client = try client(http)
        _ = try await client.callIoTData(IoTDataPlaneOperations.getThingShadow, ["thingName": "pump 7"])
        let second = try await client.callIoTData(IoTDataPlaneOperations.getThingShadow, ["thingName": "pump 7", "shadowName": "cfg"])
        #expect(second.payload == Array(#"{"state":{},"version":3}"#.utf8))
        #expect(http.requests.map(\.url) == [
            "https://iot.eu-west-1.amazonaws.com/endpoint?endpointType=iot%3AData-ATS",
            "https://abc123-ats.iot.eu-west-1.amazonaws.com/things/pump%207/shadow",
            "https://abc123-ats.iot.eu-west-1.amazonaws.com/things/pump%207/shadow?name=cfg",
        ])
        #expect(http.requests[1].header("Authorization")?.contains("/eu-west-1/iotdata/aws4_request") == true)
    }

    @Test func endpointOverridesWinInOrder() throws {
        let settings = try AWSSettings.resolve(environment: Self.settingsEnvironment.merging([
            "AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_ENDPOINT_URL_IOT_DATA_PLANE": "https://data.example:8443"]) { $1 })
        #expect(try settings.endpoint(for: IoTOperations.service)?.endpoint.origin == "http://127.0.0.1:5000")
        #expect(try settings.endpoint(for: IoTDataPlaneOperations.service)?.endpoint.origin == "https://data.example:8443")
        let standard = try AWSSettings.resolve(environment: Self.settingsEnvironment)
        #expect(try standard.endpoint(for: IAMOperations.service)?.endpoint.origin == "https://iam.amazonaws.com")
        #expect(try standard.endpoint(for: IAMOperations.service)?.signingRegion == "us-east-1")
        #expect(try standard.endpoint(for: LambdaOperations.service)?.endpoint.origin == "https://lambda.eu-west-1.amazonaws.com")
        #expect(try standard.endpoint(for: IoTDataPlaneOperations.service) == nil)
        let broken = try AWSSettings.resolve(environment: Self.settingsEnvironment.merging(["AWS_ENDPOINT_URL_IOT": "localhost:99"]) { $1 })
        #expect(throws: AWSError.configuration("AWS_ENDPOINT_URL_IOT is not a URL: 'localhost:99' (expected http[s]://host[:port])")) {
            try broken.endpoint(for: IoTOperations.service)
        }
    }

    @Test func profileEndpointAndRegionFromTheSharedConfig() throws {
        let folder = "/tmp/fd-profile-\(UInt64.random(in: 0...UInt64.max))"
        try FileManagerShim.write("\(folder)/config", "[profile lab]\nregion = ap-south-1\nendpoint_url = http://127.0.0.1:4566\n")
        let settings = try AWSSettings.resolve(environment: ["AWS_CONFIG_FILE": "\(folder)/config", "AWS_SHARED_CREDENTIALS_FILE": "\(folder)/none",
                                                             "AWS_PROFILE": "lab"])
        #expect(settings.region == "ap-south-1")
        let resolved = try settings.endpoint(for: IoTOperations.service)
        #expect(resolved?.endpoint.origin == "http://127.0.0.1:4566")
        #expect(resolved?.source == "endpoint_url of profile 'lab'")
        #expect(throws: AWSError.self) { try AWSSettings.resolve(environment: ["AWS_CONFIG_FILE": "\(folder)/config", "AWS_SHARED_CREDENTIALS_FILE": "\(folder)/none"]) }
    }

    @Test func queryProtocolRequestsAndXMLErrors() async throws {
        let http = ScriptedHTTPClient([.success(HTTPResponse(status: 403, body: Array("""
            <ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error><RequestId>r-1</RequestId></ErrorResponse>
            """.utf8)))])
        do {
            _ = try await client(http).call(IAMOperations.service, IAMOperations.getRole, ["RoleName": "tes role"])
            Issue.record("expected an error")
        } catch let error as AWSError {
            #expect(error.description == "GetRole failed: ExpiredToken: The security token included in the request is expired (HTTP 403, request id r-1)")
        }
        let request = try #require(http.requests.first)
        #expect(request.method == "POST")
        #expect(request.url == "https://iam.amazonaws.com/")
        #expect(String(decoding: request.body, as: UTF8.self) == "Action=GetRole&Version=2010-05-08&RoleName=tes%20role")
        #expect(request.header("Authorization")?.contains("/us-east-1/iam/aws4_request") == true)
    }
}

@Suite struct CredentialCacheTests {
    final class Clock: Sendable {
        let now = Atomic<Int64>(1_000_000)
    }

    @Test func oneRefreshInFlightForConcurrentCallers() async throws {
        let calls = Atomic<Int>(0)
        let cache = CredentialCache(now: { 1_000_000 }) {
            calls.add(1, ordering: .relaxed)
            try await Task.sleep(nanoseconds: 20_000_000)
            return AWSCredentials(accessKeyID: "A", secretAccessKey: "S", expiration: 2_000_000)
        }
        try await withThrowingTaskGroup(of: AWSCredentials.self) { group in
            for _ in 0..<20 { group.addTask { try await cache.credentials() } }
            for try await credentials in group { #expect(credentials.accessKeyID == "A") }
        }
        #expect(calls.load(ordering: .relaxed) == 1)
    }

    @Test func refreshesFiveMinutesBeforeExpiry() async throws {
        let clock = Clock()
        let serial = Atomic<Int>(0)
        let cache = CredentialCache(now: { clock.now.load(ordering: .relaxed) }) {
            let n = serial.add(1, ordering: .relaxed).newValue
            return AWSCredentials(accessKeyID: "K\(n)", secretAccessKey: "S", expiration: clock.now.load(ordering: .relaxed) + 3600)
        }
        #expect(try await cache.credentials().accessKeyID == "K1")
        clock.now.add(3000, ordering: .relaxed)
        #expect(try await cache.credentials().accessKeyID == "K1")
        clock.now.add(301, ordering: .relaxed)
        #expect(try await cache.credentials().accessKeyID == "K2")
    }

    @Test func alreadyExpiredCredentialsAreAnError() async throws {
        let cache = CredentialCache(now: { 1_000_000 }) {
            AWSCredentials(accessKeyID: "A", secretAccessKey: "S", expiration: 999_000)
        }
        await #expect(throws: AWSError.credentials("the AWS credentials expired at 1970-01-12T13:30:00Z; get fresh ones (a new session token, aws sso login, or the credential_process)")) {
            _ = try await cache.credentials()
        }
    }
}

import Foundation

enum FileManagerShim {
    static func write(_ path: String, _ text: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
