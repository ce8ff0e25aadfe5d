import Foundation
import JSON
import AWSSigning
import Testing

@Suite struct SigningTimeTests {
    @Test func formatsAndParses() {
        let time = SigningTime(secondsSince1970: 1_440_938_160)
        #expect(time.amzDate == "20150830T123600Z")
        #expect(time.dateStamp == "20150830")
        #expect(SigningTime(iso8601: "2015-08-30T12:36:00Z") == time)
        #expect(SigningTime(iso8601: "2015-08-30T14:36:00.123+02:00") == time)
        #expect(SigningTime(iso8601: "2000-02-29T00:00:00Z")?.dateStamp == "20000229")
        #expect(SigningTime(iso8601: "2015-13-30T12:36:00Z") == nil)
        #expect(SigningTime(iso8601: "yesterday") == nil)
    }

    @Test func civilRoundTrip() {
        for seconds: Int64 in [0, 951_782_400, 4_102_444_799, -86_400, 1_709_164_800] {
            #expect(CivilTime(secondsSince1970: seconds).secondsSince1970 == seconds)
        }
    }

    @Test func credentialsNeverPrintSecrets() {
        let credentials = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "very-secret", sessionToken: "token-secret")
        #expect(!"\(credentials)".contains("very-secret") && !"\(credentials)".contains("token-secret"))
    }
}

@Suite struct IoTWebSocketPresignTests {
    let time = SigningTime(secondsSince1970: 1_440_938_160)

    @Test func tokenIsAppendedAfterTheSignatureAndNotSigned() {
        let withToken = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret", sessionToken: "tok/en+=")
        let without = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret")
        let url = SigV4Signer.iotWebSocketURL(host: "abc-ats.iot.eu-west-1.amazonaws.com", region: "eu-west-1", credentials: withToken, time: time)
        let plain = SigV4Signer.iotWebSocketURL(host: "abc-ats.iot.eu-west-1.amazonaws.com", region: "eu-west-1", credentials: without, time: time)
        #expect(url.hasPrefix("wss://abc-ats.iot.eu-west-1.amazonaws.com/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Feu-west-1%2Fiotdevicegateway%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=86400&X-Amz-Signature="))
        #expect(url.hasSuffix("&X-Amz-Security-Token=tok%2Fen%2B%3D"))
        // The token does not take part in the signature: the same URL without it otherwise.
        #expect(url == plain + "&X-Amz-Security-Token=tok%2Fen%2B%3D")
    }

    @Test func theScopeNamesIoTsDeviceGateway() throws {
        let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret")
        let url = SigV4Signer.iotWebSocketURL(host: "abc-ats.iot.ap-south-1.amazonaws.com", region: "ap-south-1", credentials: credentials, time: time)
        let query = try #require(url.split(separator: "?", maxSplits: 1).last)
        var fields: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            fields[parts[0]] = parts.count > 1 ? parts[1].removingPercentEncoding : ""
        }
        let scope = try #require(fields["X-Amz-Credential"]).split(separator: "/").map(String.init)
        #expect(scope == ["AKIDEXAMPLE", "20150830", "ap-south-1", "iotdevicegateway", "aws4_request"])
        #expect(fields["X-Amz-SignedHeaders"] == "host")
    }

    @Test func signatureMatchesAnIndependentComputation() {
        // Canonical request for GET /mqtt, host only, empty-body hash; checked against the
        // signer's own header path (which the conformance suite verifies byte for byte).
        let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "iotdevicegateway")
        let expected = signer.presign(SignableRequest(method: "GET", path: "/mqtt", headers: [("host", "h")]),
                                      payloadHash: SigV4Signer.emptyPayloadHash, expires: 86_400, time: time).signature
        let url = SigV4Signer.iotWebSocketURL(host: "h", region: "us-east-1", credentials: credentials, time: time)
        #expect(url.hasSuffix("X-Amz-Signature=\(expected)"))
    }
}

@Suite struct S3SigningRulesTests {
    @Test func s3KeepsThePathAndAddsTheContentHash() {
        let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        let s3 = SigV4Signer(credentials: credentials, region: "us-east-1", service: "s3", options: .s3)
        let request = SignableRequest(method: "PUT", path: "/bucket/a//b/../c%20d.txt", headers: [("Host", "s3.amazonaws.com")])
        let result = s3.sign(request, payloadHash: SigV4Signer.unsignedPayload, time: SigningTime(secondsSince1970: 1_440_938_160))
        let lines = result.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[1] == "/bucket/a//b/../c%20d.txt")  // neither normalised nor encoded again
        #expect(lines.last == "UNSIGNED-PAYLOAD")
        #expect(result.request.header("x-amz-content-sha256") == "UNSIGNED-PAYLOAD")
        #expect(result.signedHeaders == "host;x-amz-content-sha256;x-amz-date")
        let other = SigV4Signer(credentials: credentials, region: "us-east-1", service: "iot")
        let normal = other.sign(request, payloadHash: SigV4Signer.emptyPayloadHash, time: SigningTime(secondsSince1970: 1_440_938_160))
        #expect(normal.canonicalRequest.split(separator: "\n")[1] == "/bucket/a/c%2520d.txt")
    }
}
