import AWSSigning
import Foundation
import TestSupport
import Testing

/// The AWS SigV4 conformance suite (Tests/Fixtures/aws-sigv4-suite, see its SOURCE.md): every case, header and
/// query forms, every intermediate file byte for byte. New case folders are picked up.
@Suite struct SigV4SuiteTests {
    static let suiteFolder: URL = {
        if let path = ProcessInfo.processInfo.environment["FLEETDECK_SIGV4_SUITE"] { return URL(fileURLWithPath: path) }
        return ProcessRunner.packageRoot.appendingPathComponent("Tests/Fixtures/aws-sigv4-suite")
    }()

    static var caseNames: [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: suiteFolder.path)) ?? []
        return entries.filter { FileManager.default.fileExists(atPath: suiteFolder.appendingPathComponent("\($0)/context.json").path) }.sorted()
    }

    struct Case {
        var request: SignableRequest
        var body: [UInt8]
        var signer: SigV4Signer
        var time: SigningTime
        var expires: Int
        var signBody: Bool

        init(folder: URL) throws {
            let context = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("context.json"))) as! [String: Any]
            let credentials = context["credentials"] as! [String: String]
            var options = SigV4Signer.Options()
            options.normalizePath = context["normalize"] as? Bool ?? true
            signBody = context["sign_body"] as? Bool ?? false
            options.addContentHashHeader = signBody
            options.omitSessionTokenFromSignature = context["omit_session_token"] as? Bool ?? false
            signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: credentials["access_key_id"]!,
                                                             secretAccessKey: credentials["secret_access_key"]!,
                                                             sessionToken: credentials["token"]),
                                 region: context["region"] as! String, service: context["service"] as! String, options: options)
            time = SigningTime(iso8601: context["timestamp"] as! String)!
            expires = context["expiration_in_seconds"] as? Int ?? 3600
            (request, body) = try Self.parse(Array(Data(contentsOf: folder.appendingPathComponent("request.txt"))))
        }

        /// Parses request.txt: request line, headers (indented lines continue a value), blank line, body.
        static func parse(_ bytes: [UInt8]) throws -> (SignableRequest, [UInt8]) {
            let text = String(decoding: bytes, as: UTF8.self)
            let (head, body): (Substring, Substring)
            if let range = text.range(of: "\n\n") {
                (head, body) = (text[..<range.lowerBound], text[range.upperBound...])
            } else {
                (head, body) = (Substring(text.hasSuffix("\n") ? String(text.dropLast()) : text), "")
            }
            var lines = head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let requestLine = lines.removeFirst().split(separator: " ")
            let target = requestLine[1..<(requestLine.count - 1)].joined(separator: " ")
            let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            var headers: [(name: String, value: String)] = []
            for line in lines {
                if line.first == " " || line.first == "\t", !headers.isEmpty {
                    headers[headers.count - 1].value += "\n" + line
                } else if let colon = line.firstIndex(of: ":") {
                    headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
                }
            }
            return (SignableRequest(method: String(requestLine[0]), path: String(parts[0]),
                                    query: parts.count > 1 ? String(parts[1]) : "", headers: headers), Array(body.utf8))
        }

        var payloadHash: String { SigV4Signer.hexSHA256(body) }

        func render(_ request: SignableRequest) -> String {
            let target = request.query.isEmpty ? request.path : request.path + "?" + request.query
            var text = "\(request.method) \(target) HTTP/1.1\n"
            for header in request.headers { text += "\(header.name):\(header.value)\n" }
            return text + "\n" + String(decoding: body, as: UTF8.self)
        }
    }

    func expected(_ name: String, _ file: String) throws -> String {
        try String(contentsOf: Self.suiteFolder.appendingPathComponent("\(name)/\(file)"), encoding: .utf8)
    }

    @Test func suiteIsPresent() {
        #expect(Self.caseNames.count >= 30, "no SigV4 suite at \(Self.suiteFolder.path)")
    }

    @Test(arguments: caseNames)
    func headerSigning(name: String) throws {
        let testCase = try Case(folder: Self.suiteFolder.appendingPathComponent(name))
        let result = testCase.signer.sign(testCase.request, payloadHash: testCase.payloadHash, time: testCase.time)
        #expect(result.canonicalRequest == (try expected(name, "header-canonical-request.txt")))
        #expect(result.stringToSign == (try expected(name, "header-string-to-sign.txt")))
        #expect(result.signature == (try expected(name, "header-signature.txt")))
        #expect(testCase.render(result.request) == (try expected(name, "header-signed-request.txt")))
    }

    @Test(arguments: caseNames)
    func queryPresigning(name: String) throws {
        let testCase = try Case(folder: Self.suiteFolder.appendingPathComponent(name))
        let result = testCase.signer.presign(testCase.request, payloadHash: testCase.payloadHash, expires: testCase.expires, time: testCase.time)
        #expect(result.canonicalRequest == (try expected(name, "query-canonical-request.txt")))
        #expect(result.stringToSign == (try expected(name, "query-string-to-sign.txt")))
        #expect(result.signature == (try expected(name, "query-signature.txt")))
        #expect(testCase.render(result.request) == (try expected(name, "query-signed-request.txt")))
    }
}
