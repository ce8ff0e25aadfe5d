import AWSCore
import AWSCurl
import AWSServices
import Foundation
import TestSupport
import Testing

/// The libcurl transport against real servers on loopback: concurrency without a thread per
/// request, connection reuse, timeouts, proxies.
@Suite struct TransportIntegrationTests {
    /// moto closes every connection (werkzeug's dev server), so reuse is measured against a
    /// small keep-alive HTTP/1.1 server started here.
    @Test func manyRequestsInFlightReuseConnections() async throws {
        let server = try KeepAliveServer()
        defer { server.stop() }
        let endpoint = Endpoint(scheme: "http", host: "127.0.0.1", port: server.port)
        let http = CurlHTTPClient(environment: [:])
        let request = HTTPRequest(method: "GET", endpoint: endpoint, path: "/ping", headers: [("Host", endpoint.hostHeader)])
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<200 { group.addTask { try await http.send(request, timeoutSeconds: 30).status } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.count == 200 && statuses.allSatisfy { $0 == 200 })
        #expect(http.connectionsOpened <= 64, "opened \(http.connectionsOpened) connections for 200 requests")  // 32 per host, plus a few re-opened under load; 200 without reuse
        let before = http.connectionsOpened
        for _ in 0..<20 { _ = try await http.send(request, timeoutSeconds: 30) }
        #expect(http.connectionsOpened - before <= 1, "sequential requests did not reuse the connection")
    }

    @Test func aSilentServerTimesOut() async throws {
        // A listening socket that never answers: the connection is accepted by the kernel.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) } }
        listen(listener, 8)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let http = CurlHTTPClient(environment: [:])
        let endpoint = Endpoint(scheme: "http", host: "127.0.0.1", port: port)
        do {
            _ = try await http.send(HTTPRequest(method: "GET", endpoint: endpoint, path: "/"), timeoutSeconds: 0.5)
            Issue.record("a silent server answered")
        } catch let error as AWSError {
            guard case .transport(_, _, let timedOut) = error else { Issue.record("\(error)"); return }
            #expect(timedOut)
        }
    }

    @Test func proxyVariablesAreHonoured() async throws {
        let url = try Sandbox.require("AWS_ENDPOINT_URL")
        let viaDeadProxy = try Sandbox.client(["http_proxy": "http://127.0.0.1:1", "AWS_MAX_ATTEMPTS": "1"])
        await #expect(throws: AWSError.self) { _ = try await viaDeadProxy.call(STSOperations.service, STSOperations.getCallerIdentity) }
        let bypassed = try Sandbox.client(["http_proxy": "http://127.0.0.1:1", "NO_PROXY": "127.0.0.1", "AWS_MAX_ATTEMPTS": "1"])
        let identity = try await bypassed.call(STSOperations.service, STSOperations.getCallerIdentity)
        #expect(identity["Account"] == "123456789012", "direct to \(url)")
    }
}

/// A threaded HTTP/1.1 keep-alive server on a free loopback port (Python's http.server).
final class KeepAliveServer {
    let pid: pid_t
    let port: Int
    private let portFile: String

    init() throws {
        portFile = FileManager.default.temporaryDirectory.appendingPathComponent(Sandbox.unique("port")).path
        let script = """
        import http.server, socketserver, sys
        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'
            def do_GET(self):
                self.send_response(200); self.send_header('Content-Length', '2'); self.end_headers(); self.wfile.write(b'ok')
            def log_message(self, *a): pass
        class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            request_queue_size = 256
        s = S(('127.0.0.1', 0), H)
        open(sys.argv[1] + '.tmp', 'w').write(str(s.server_address[1]))
        import os; os.rename(sys.argv[1] + '.tmp', sys.argv[1])
        s.serve_forever()
        """
        let child = try ProcessRunner.spawn("/usr/bin/env", ["python3", "-c", script, portFile])
        pid = child
        let file = portFile
        guard eventually(timeout: .seconds(10), { FileManager.default.fileExists(atPath: file) }),
              let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text) else {
            kill(child, SIGKILL)
            _ = ProcessRunner.waitForExit(child)
            throw SandboxMissing(key: "a keep-alive test server")
        }
        self.port = port
    }

    func stop() {
        kill(pid, SIGTERM)
        _ = ProcessRunner.waitForExit(pid)
        try? FileManager.default.removeItem(atPath: portFile)
    }
}
