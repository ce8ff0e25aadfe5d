import MQTT
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An MQTT client on its own thread: it connects (again, with backoff, after any loss, and
/// subscribes again), keeps the connection alive, and hands events to `onEvent` on that thread.
public final class Client: Sendable {
    public enum Event: Sendable {
        case connected(sessionPresent: Bool)
        /// The connection was lost or could not be made; messages may be missed until `connected`.
        case disconnected(String)
        /// The broker refused the connection for good (credentials, authorisation): the client stopped.
        case refused(String)
        case message(Message, time: Double)
        case subscribed([String], [UInt8])
        case published(UInt16)
        /// Everything received so far was handed over (a moment to flush output).
        case idle
    }

    enum Request: Sendable {
        case subscribe([Subscription])
        case unsubscribe([String])
        case publish(Message)
        case stop
    }

    private let open: @Sendable () throws(TransportError) -> any Transport
    private let options: Session.Options
    private let onEvent: @Sendable (Event) -> Void
    /// How long a connection must last before a loss starts the backoff over.
    static let stableSeconds: Double = 10
    private let requests = Mutex<[Request]>([])
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let thread = Mutex<pthread_t?>(nil)

    /// `open` makes a new transport for each attempt (so a presigned URL can be signed anew).
    public init(options: Session.Options, open: @escaping @Sendable () throws(TransportError) -> any Transport, onEvent: @escaping @Sendable (Event) -> Void) {
        self.options = options
        self.open = open
        self.onEvent = onEvent
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        for fd in fds { _ = fcntl(fd, F_SETFL, O_NONBLOCK); _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    deinit {
        Glibc.close(wakeRead)
        Glibc.close(wakeWrite)
    }

    public func start() {
        let handle = startThread { [self] in run() }
        thread.withLock { $0 = handle }
    }

    public func subscribe(_ subscriptions: [Subscription]) { post(.subscribe(subscriptions)) }
    public func unsubscribe(_ filters: [String]) { post(.unsubscribe(filters)) }
    public func publish(_ message: Message) { post(.publish(message)) }

    /// Disconnects cleanly and waits for the thread to end.
    public func stop() {
        post(.stop)
        if let handle = thread.withLock({ value -> pthread_t? in defer { value = nil }; return value }) { pthread_join(handle, nil) }
    }

    private func post(_ request: Request) {
        requests.withLock { $0.append(request) }
        var byte: UInt8 = 1
        _ = Glibc.write(wakeWrite, &byte, 1)
    }

    public static func monotonic() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    public static func wallClock() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Waits up to `seconds` for the socket (if any) or a request; returns whether the socket is readable.
    private func wait(_ socket: Int32?, seconds: Double) -> Bool {
        var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        if let socket { fds.append(pollfd(fd: socket, events: Int16(POLLIN), revents: 0)) }
        _ = poll(&fds, nfds_t(fds.count), Int32(max(0, min(seconds, 3600)) * 1000))
        return fds.count > 1 && fds[1].revents != 0
    }

    private func run() {
        var session = Session(options)
        var decoder = PacketDecoder()
        var transport: (any Transport)?
        var backoff = Backoff()
        var stopping = false
        /// When the current connection was accepted: the backoff starts over only after a
        /// connection has stayed up, so a broker that accepts and then breaks the protocol is not
        /// hammered every half second.
        var connectedAt: Double?

        func lose(_ reason: String) {
            transport?.close()
            transport = nil
            session.closed()
            decoder = PacketDecoder()
            if let connectedAt, Self.monotonic() - connectedAt >= Self.stableSeconds { backoff.reset() }
            let accepted = connectedAt != nil
            connectedAt = nil
            // AWS IoT answers a CONNECT it refuses by closing the connection, without a CONNACK.
            onEvent(.disconnected(accepted ? reason : reason + " before accepting it (AWS IoT does so when the certificate is not"
                                  + " registered and ACTIVE, or no policy on it allows iot:Connect for this client ID)"))
        }

        func perform(_ actions: [Session.Action]) {
            for action in actions {
                switch action {
                case .send(let packet):
                    guard let current = transport else { return }
                    do { try current.write(PacketEncoder.encode(packet)) } catch { lose(error.description); return }
                case .deliver(let message): onEvent(.message(message, time: Self.wallClock()))
                case .connected(let present):
                    connectedAt = Self.monotonic()
                    onEvent(.connected(sessionPresent: present))
                case .subscribed(let filters, let codes): onEvent(.subscribed(filters, codes))
                case .published(let id): onEvent(.published(id))
                case .close(let reason): lose(reason); return
                case .refused(let reason):
                    transport?.close()
                    transport = nil
                    stopping = true
                    onEvent(.refused(reason))
                    return
                }
            }
        }

        func handleRequests() {
            var drain = [UInt8](repeating: 0, count: 64)
            while Glibc.read(wakeRead, &drain, drain.count) > 0 {}
            let pending = requests.withLock { list -> [Request] in defer { list.removeAll() }; return list }
            for request in pending {
                let now = Self.monotonic()
                switch request {
                case .subscribe(let wanted): perform(session.subscribe(wanted, now: now))
                case .unsubscribe(let filters): perform(session.unsubscribe(filters, now: now))
                case .publish(let message): perform(session.publish(message, now: now))
                case .stop: stopping = true
                }
            }
        }

        while !stopping {
            if transport == nil {
                do {
                    transport = try open()
                    perform(session.opened(now: Self.monotonic()))
                } catch {
                    onEvent(.disconnected(error.description))
                    _ = wait(nil, seconds: backoff.next())
                    handleRequests()
                    continue
                }
            }
            guard let current = transport else { continue }
            let deadline = session.nextDeadline().map { $0 - Self.monotonic() } ?? 3600
            let readable = wait(current.socket, seconds: max(0.01, deadline))
            handleRequests()
            if readable, transport === current {
                readLoop: while transport === current {
                    let bytes: [UInt8]
                    do { bytes = try current.read() } catch { lose(error.description); break }
                    if bytes.isEmpty { break }
                    decoder.append(bytes)
                    while transport === current {
                        let packet: Packet?
                        do { packet = try decoder.next() } catch { lose(error.description); break readLoop }
                        guard let packet else { break }
                        perform(session.received(packet, now: Self.monotonic()))
                    }
                }
            }
            if readable { onEvent(.idle) }
            if transport != nil { perform(session.tick(now: Self.monotonic())) }
            if transport == nil && !stopping { _ = wait(nil, seconds: backoff.next()) }
        }
        perform(session.disconnect(now: Self.monotonic()))
        transport?.close()
    }
}

/// Runs `body` on a new thread of its own (blocking work stays off Swift's small task pool).
public func startThread(_ body: @escaping @Sendable () -> Void) -> pthread_t {
    final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
    let box = Unmanaged.passRetained(Body(body))
    var handle = pthread_t()
    pthread_create(&handle, nil, { raw in
        Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
        return nil
    }, box.toOpaque())
    return handle
}
