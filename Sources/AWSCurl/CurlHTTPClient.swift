import AWSCore
import CCurl
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The HTTP client over libcurl: one multi handle driven by one thread, so many requests are
/// in flight without a thread each; connections are reused and HTTP/2 is used where the server
/// offers it. TLS verification is always on; `AWS_CA_BUNDLE` names the CA file; the proxy comes
/// from `HTTPS_PROXY`/`https_proxy` (`http_proxy` for plain HTTP) and `NO_PROXY`/`no_proxy` of
/// the environment given, not from libcurl's own reading of the process environment.
public final class CurlHTTPClient: HTTPClient, @unchecked Sendable {
    private let multi: UnsafeMutableRawPointer
    private let incoming = Mutex<[CurlTransfer]>([])
    private let caBundle: String?
    private let proxy: ProxySettings
    private var thread = pthread_t()
    private let stopping = Atomic<Bool>(false)
    private let connections = Atomic<Int>(0)

    /// New connections opened so far (a reused connection is not counted).
    public var connectionsOpened: Int { connections.load(ordering: .relaxed) }

    public init(environment: [String: String]) {
        CurlHTTPClient.globalInit
        multi = curl_multi_init()!
        caBundle = environment["AWS_CA_BUNDLE"].flatMap { $0.isEmpty ? nil : $0 }
        proxy = ProxySettings(environment: environment)
        _ = fd_curl_multi_setopt_long(multi, CURLMOPT_PIPELINING, 2)  // CURLPIPE_MULTIPLEX
        _ = fd_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 32)
        let context = Unmanaged.passUnretained(self).toOpaque()
        pthread_create(&thread, nil, { context in
            Unmanaged<CurlHTTPClient>.fromOpaque(context!).takeUnretainedValue().runLoop()
            return nil
        }, context)
    }

    deinit {
        stopping.store(true, ordering: .releasing)
        curl_multi_wakeup(multi)
        pthread_join(thread, nil)
        curl_multi_cleanup(multi)
    }

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_ALL)) }()

    public func send(_ request: HTTPRequest, timeoutSeconds: Double) async throws -> HTTPResponse {
        try await withCheckedThrowingContinuation { continuation in
            let transfer = CurlTransfer(request: request, timeoutSeconds: timeoutSeconds, caBundle: caBundle, proxy: proxy, continuation: continuation)
            incoming.withLock { $0.append(transfer) }
            curl_multi_wakeup(multi)
        }
    }

    /// The transfer thread: add new transfers, drive the multi handle, finish completed ones.
    private func runLoop() {
        var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
        while !stopping.load(ordering: .acquiring) {
            for transfer in incoming.withLock({ queue in defer { queue.removeAll() }; return queue }) {
                if let failure = transfer.prepare() {
                    transfer.finish(.failure(failure))
                    continue
                }
                active[transfer.easy] = transfer
                curl_multi_add_handle(multi, transfer.easy)
            }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                let code = message.pointee.data.result
                curl_multi_remove_handle(multi, easy)
                if let transfer = active.removeValue(forKey: easy) {
                    var opened = 0
                    _ = fd_curl_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &opened)
                    connections.add(opened, ordering: .relaxed)
                    transfer.complete(code: code)
                }
            }
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        for transfer in active.values {
            curl_multi_remove_handle(multi, transfer.easy)
            transfer.finish(.failure(AWSError.transport(url: transfer.request.url, reason: "the HTTP client was shut down", timedOut: false)))
        }
    }
}

/// One request in flight: owns the easy handle, the header list and the buffers libcurl reads
/// and writes until it completes. Handed to the transfer thread, which alone touches it then.
final class CurlTransfer: @unchecked Sendable {
    let request: HTTPRequest
    let timeoutSeconds: Double
    let caBundle: String?
    let proxy: ProxySettings
    var continuation: CheckedContinuation<HTTPResponse, any Error>?
    let easy: UnsafeMutableRawPointer
    var headerList: UnsafeMutablePointer<curl_slist>?
    /// The request body in memory libcurl may point at (a Swift array's storage may move).
    let body: UnsafeMutableRawBufferPointer
    var responseBody: [UInt8] = []
    var responseHeaders: [(name: String, value: String)] = []
    let errorBuffer: UnsafeMutablePointer<CChar>
    var strings: [UnsafeMutablePointer<CChar>] = []

    init(request: HTTPRequest, timeoutSeconds: Double, caBundle: String?, proxy: ProxySettings,
         continuation: CheckedContinuation<HTTPResponse, any Error>) {
        self.request = request
        self.proxy = proxy
        self.timeoutSeconds = timeoutSeconds
        self.caBundle = caBundle
        self.continuation = continuation
        body = UnsafeMutableRawBufferPointer.allocate(byteCount: max(request.body.count, 1), alignment: 1)
        body.copyBytes(from: request.body)
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        easy = curl_easy_init()!
    }

    deinit {
        curl_slist_free_all(headerList)
        curl_easy_cleanup(easy)
        strings.forEach { free($0) }
        body.deallocate()
        errorBuffer.deallocate()
    }

    /// A C string that lives as long as the transfer (libcurl keeps some pointers).
    private func keep(_ text: String) -> UnsafeMutablePointer<CChar> {
        let copy = strdup(text)!
        strings.append(copy)
        return copy
    }

    func prepare() -> AWSError? {
        let context = Unmanaged.passUnretained(self).toOpaque()
        _ = fd_curl_easy_setopt_string(easy, CURLOPT_URL, keep(request.url))
        _ = fd_curl_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = fd_curl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        _ = fd_curl_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        _ = fd_curl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(min(timeoutSeconds, 10) * 1000))
        _ = fd_curl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, Int(timeoutSeconds * 1000))
        _ = fd_curl_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
        _ = fd_curl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1)
        _ = fd_curl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2)
        if let caBundle { _ = fd_curl_easy_setopt_string(easy, CURLOPT_CAINFO, keep(caBundle)) }
        // An explicit (possibly empty) proxy: libcurl then ignores the process environment.
        let chosen = request.endpoint.scheme == "https" ? proxy.https : proxy.http
        _ = fd_curl_easy_setopt_string(easy, CURLOPT_PROXY, keep(chosen ?? ""))
        if let noProxy = proxy.noProxy { _ = fd_curl_easy_setopt_string(easy, CURLOPT_NOPROXY, keep(noProxy)) }
        _ = fd_curl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer)
        switch request.method {
        case "GET": _ = fd_curl_easy_setopt_long(easy, CURLOPT_HTTPGET, 1)
        case "HEAD": _ = fd_curl_easy_setopt_long(easy, CURLOPT_NOBODY, 1)
        default:
            _ = fd_curl_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, keep(request.method))
            _ = fd_curl_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
            _ = fd_curl_easy_setopt_pointer(easy, CURLOPT_POSTFIELDS, body.baseAddress)
        }
        var names = Set<String>()
        for header in request.headers {
            names.insert(header.name.lowercased())
            headerList = curl_slist_append(headerList, "\(header.name): \(header.value)")
        }
        // No libcurl defaults that were not signed: no Expect: 100-continue, no form content type.
        headerList = curl_slist_append(headerList, "Expect:")
        if !names.contains("content-type") { headerList = curl_slist_append(headerList, "Content-Type:") }
        headerList = curl_slist_append(headerList, "Accept:")
        _ = fd_curl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList)
        _ = fd_curl_easy_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            data!.withMemoryRebound(to: UInt8.self, capacity: length) { transfer.responseBody.append(contentsOf: UnsafeBufferPointer(start: $0, count: length)) }
            return length
        }
        _ = fd_curl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context)
        _ = fd_curl_easy_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            let line = data!.withMemoryRebound(to: UInt8.self, capacity: length) { String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self) }
            transfer.headerLine(line)
            return length
        }
        _ = fd_curl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context)
        return nil
    }

    func headerLine(_ line: String) {
        if line.hasPrefix("HTTP/") {
            responseHeaders.removeAll()  // a new response (after 100 Continue or a redirect)
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = String(line[..<colon])
        var value = Substring(line[line.index(after: colon)...])
        while let first = value.first, first == " " || first == "\t" { value.removeFirst() }
        while let last = value.last, last.isNewline || last == " " { value.removeLast() }  // "\r\n" is one Character
        responseHeaders.append((name, String(value)))
    }

    func complete(code: CURLcode) {
        if code != CURLE_OK {
            let detail = String(cString: UnsafePointer(errorBuffer))
            let reason = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            finish(.failure(AWSError.transport(url: request.endpoint.origin, reason: reason, timedOut: code == CURLE_OPERATION_TIMEDOUT)))
            return
        }
        var status = 0
        _ = fd_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        finish(.success(HTTPResponse(status: status, headers: responseHeaders, body: responseBody)))
    }

    func finish(_ result: Result<HTTPResponse, any Error>) {
        continuation?.resume(with: result)
        continuation = nil
    }
}

/// Proxy settings read from an environment value, the way curl and the AWS CLI read them.
struct ProxySettings: Sendable {
    var http: String?
    var https: String?
    var noProxy: String?

    init(environment: [String: String]) {
        func first(_ names: String...) -> String? {
            names.lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
        }
        http = first("http_proxy", "HTTP_PROXY")
        https = first("https_proxy", "HTTPS_PROXY")
        noProxy = first("no_proxy", "NO_PROXY")
    }
}
