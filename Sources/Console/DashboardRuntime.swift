import FleetValues
import JSON
import MQTT
import StackEngine
import Synchronization
import TermCore
#if canImport(Glibc)
import Glibc
#endif

/// Runs the dashboard: terminal events and finished background work become messages, `update`
/// makes the next state and its commands, commands run as tasks off the UI thread, and each
/// state is drawn through the frame renderer (changed cells only).
@MainActor
public final class DashboardRuntime {
    public internal(set) var state: DashboardState
    let data: DashboardData
    let wake: @Sendable () -> Void
    let mailbox = Mailbox()
    let renderer = FrameRenderer()
    /// Whether Ctrl-C is currently routed to the dashboard (while a deploy runs).
    private var interruptible = false
    /// The broker connection, made on first use.
    let broker = BrokerBox()
    /// The requests under way that a new one of the same name replaces (a page-by-page load).
    private var replaceable: [String: Task<Void, Never>] = [:]
    /// The timers waiting, by name.
    private var timers: Set<String> = []
    let inbox = MessageInbox()
    let watcher = SourceWatcher()
    let started = ContinuousClock.now
    /// Acts on the terminal itself (the clipboard, a pager): set while `run` has one.
    private var onTerminal: ((DashboardCommand) -> Void)?

    public init(state: DashboardState, data: DashboardData, wake: @escaping @Sendable () -> Void) {
        self.state = state
        self.data = data
        self.wake = wake
    }

    /// Hands a message heard elsewhere (by the demo's devices) to the messages screen, as if
    /// the broker had brought it; from any thread.
    public nonisolated func deliver(_ message: Message, time: Double) {
        if inbox.post(message, time: time) { wake() }
    }

    /// Says `text` on the status line; from any thread.
    public nonisolated func say(_ text: String) {
        mailbox.post(.notice(text))
        wake()
    }

    /// Runs until the user quits or input ends.
    public func run(on terminal: some TerminalDevice, first: [DashboardCommand] = [], afterFirstDraw: () -> Void = {}) {
        (state.rows, state.columns) = terminal.size
        onTerminal = { [unowned self] command in self.act(command, on: terminal) }
        defer { onTerminal = nil }
        // The clock from the start: certificate expiry is counted from now, not from 1970.
        if data.fleet != nil { perform(Dashboard.update(&state, .clock(Int64(time(nil))))) }
        perform([.loadStacks, .checkConnection] + first)
        draw(on: terminal)
        afterFirstDraw()
        if let sources = data.sources { watcher.start(sources: sources, mailbox: mailbox, wake: wake) }
        defer { watcher.stop() }
        // Ctrl-C is a key while a deploy runs, and all along where quitting cleans up.
        func routeInterrupt() {
            let wanted = Dashboard.deployRunning(state) || state.quitAsks != nil
            if wanted != interruptible {
                interruptible = wanted
                terminal.interruptible(wanted)
            }
        }
        routeInterrupt()
        while !state.quit, let event = terminal.nextEvent() {
            switch event {
            case .wake:
                for message in mailbox.drain() {
                    if case .timer(let name) = message { timers.remove(name) }
                    perform(Dashboard.update(&state, message))
                }
                let batch = inbox.drain()
                if !batch.isEmpty { perform(Dashboard.update(&state, .received(batch))) }
            case .resize:
                (state.rows, state.columns) = terminal.size
                renderer.invalidate()
            default:
                perform(Dashboard.update(&state, .key(event)))
            }
            watcher.watch(Dashboard.watchedStack(state), since: state.deploy.plan?.sources)
            routeInterrupt()
            draw(on: terminal)
        }
        if interruptible { terminal.interruptible(false) }
        broker.stop()
    }

    /// Connects once, in the background; messages go through the inbox (one wake-up per batch),
    /// the rest through the mailbox. Requests made before the link exists wait in the box.
    func connectBroker() {
        guard !broker.started else { return }
        guard let connect = data.broker else {
            perform(Dashboard.update(&state, .failed("no MQTT broker: set FLEETDECK_MQTT_URL (or AWS credentials for AWS IoT)")))
            return
        }
        broker.started = true
        let mailbox = self.mailbox, inbox = self.inbox, wake = self.wake, box = self.broker
        Task.detached {
            do {
                let link = try await connect { event in
                    if case .message(let message, let time) = event {
                        if inbox.post(message, time: time) { wake() }
                    } else {
                        mailbox.post(.broker(event))
                        wake()
                    }
                }
                box.link(link)
                mailbox.post(.broker(.linked(link.name)))
            } catch {
                mailbox.post(.broker(.disconnected("\(error)")))
                box.started = false
            }
            wake()
        }
    }

    /// Runs a screen's fleet query or change: its answer, or why there is none, goes back to the
    /// screen that declared it; a change's items are reported as they are done.
    nonisolated static func run(_ request: FleetRequest, _ fleet: (@Sendable () throws -> any FleetSource)?, mailbox: Mailbox,
                                wake: @escaping @Sendable () -> Void) async -> DashboardMessage {
        do {
            guard let fleet else { throw DashboardError(message: "no AWS access for the fleet") }
            let source = try fleet()
            mailbox.post(.clock(source.now()))
            let value = try await request.run(source) { message in
                guard !Task.isCancelled else { return false }
                mailbox.post(message)
                wake()
                return true
            }
            return .answered(name: request.name, argument: request.argument, .success(value))
        } catch let error as DashboardError {
            return .answered(name: request.name, argument: request.argument, .failure(error))
        } catch {
            return .answered(name: request.name, argument: request.argument, .failure(DashboardError(message: "\(error)")))
        }
    }

    /// Starts a request that a later one of its name replaces: the one before is stopped and
    /// nothing more of it is posted.
    func replacing(_ request: FleetRequest) {
        replaceable[request.name]?.cancel()
        let data = self.data, mailbox = self.mailbox, wake = self.wake
        replaceable[request.name] = Task.detached {
            let answer = await Self.run(request, data.fleet, mailbox: mailbox, wake: wake)
            guard !Task.isCancelled else { return }
            mailbox.post(answer)
            wake()
        }
    }

    /// Appends records to a JSON-lines file (created 0600).
    nonisolated static func append(_ records: [Record], to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array(records.map(\.line).joined().utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    func draw(on terminal: some TerminalDevice) {
        let elapsed = ContinuousClock.now - started
        state.uptime = DeploymentEngine.seconds(elapsed)
        let (rows, columns) = terminal.size
        renderer.render(Dashboard.view(state, rows: rows, columns: columns), on: terminal)
    }

    /// Starts each command as a task; its result comes back through the mailbox and a wake-up.
    func perform(_ commands: [DashboardCommand]) {
        for command in commands {
            let data = self.data, mailbox = self.mailbox, wake = self.wake
            switch command {
            case .cancel(let stack):
                data.cancel(stack)
                continue
            case .connectBroker:
                connectBroker()
                continue
            case .fleet(let request) where request.replaces:
                replacing(request)
                continue
            case .subscribe(let filters):
                broker.send { $0.subscribe(filters) }
                continue
            case .unsubscribe(let filters):
                broker.send { $0.unsubscribe(filters) }
                continue
            case .publish(let message):
                broker.send { $0.publish(message) }
                continue
            case .copyToClipboard, .openOutside:
                onTerminal?(command)
                continue
            case .timer(let name, let seconds):
                guard timers.insert(name).inserted else { continue }
                Task.detached {
                    try? await Task.sleep(for: .seconds(seconds))
                    mailbox.post(.clock(Int64(time(nil))))
                    mailbox.post(.timer(name))
                    wake()
                }
                continue
            default:
                break
            }
            Task.detached {
                let message: DashboardMessage
                do {
                    switch command {
                    case .loadStacks: message = .stacksLoaded(try await data.stacks())
                    case .loadStack(let name): message = .stackLoaded(try await data.stack(name))
                    case .preview(let name, let operation): message = .planned(try await data.plan(name, operation), operation)
                    case .reveal(let name): message = .revealed(name, try await data.reveal(name))
                    case .loadTheme(let name):
                        let (theme, problem) = data.theme(name)
                        message = .themeLoaded(theme, problem: problem?.description)
                    case .checkConnection:
                        do { message = .connection(.connected(try await data.identity())) } catch { message = .connection(.offline("\(error)")) }
                    case .deploy(let name, let hash, let clearBlockers):
                        let ticker = Ticker(mailbox: mailbox, wake: wake)
                        do {
                            let result = try await data.deploy(name, hash, clearBlockers) { event in
                                mailbox.post(.engine(event))
                                wake()
                            }
                            message = .deployFinished(result, failed: false)
                        } catch let replaced as PlanReplaced {
                            message = .planReplaced(replaced.plan, replaced.reason)
                        } catch {
                            message = .deployFinished("\(error)", failed: true)
                        }
                        ticker.stop()
                    case .record(let path, let records):
                        Self.append(records, to: path)
                        return
                    case .cancel, .connectBroker, .subscribe, .unsubscribe, .publish, .copyToClipboard, .openOutside, .timer:
                        return
                    case .fleet(let request):
                        message = await Self.run(request, data.fleet, mailbox: mailbox, wake: wake)
                    }
                } catch {
                    message = .failed("\(error)")
                }
                mailbox.post(message)
                wake()
            }
        }
    }
}

/// Polls the sources of the stack on screen once a second and posts `.sourcesChanged` once when
/// their fingerprint differs from the one the plan on screen was made from (an edit of the
/// program or config, a deploy from elsewhere).
final class SourceWatcher: Sendable {
    private struct Watching {
        var stack: String?
        var since: String?
        var posted: String?
        var stopped = false
    }

    private let state = Mutex(Watching())

    func watch(_ stack: String?, since: String?) { state.withLock { $0.stack = stack; $0.since = since } }
    func stop() { state.withLock { $0.stopped = true } }

    func start(sources: @escaping @Sendable (String) async -> String?, mailbox: Mailbox, wake: @escaping @Sendable () -> Void) {
        Task.detached { [self] in
            while true {
                try? await Task.sleep(for: .seconds(1))
                let watching = state.withLock { $0 }
                if watching.stopped { return }
                guard let stack = watching.stack, let since = watching.since, watching.posted != since,
                      let now = await sources(stack), now != since else { continue }
                state.withLock { $0.posted = since }
                // With what it found: the plan on screen may have been made again meanwhile.
                mailbox.post(.sourcesChanged(stack, fingerprint: now))
                wake()
            }
        }
    }
}

/// Posts the elapsed time of a running deploy twice a second until stopped.
final class Ticker: Sendable {
    private let stopped = Atomic<Bool>(false)

    init(mailbox: Mailbox, wake: @escaping @Sendable () -> Void) {
        let start = ContinuousClock.now
        Task.detached { [self] in
            while !self.stopped.load(ordering: .relaxed) {
                try? await Task.sleep(for: .milliseconds(500))
                let elapsed = ContinuousClock.now - start
                mailbox.post(.tick(DeploymentEngine.seconds(elapsed)))
                wake()
            }
        }
    }

    func stop() { stopped.store(true, ordering: .relaxed) }
}

/// The broker link once made, and what was asked of it before.
final class BrokerBox: @unchecked Sendable {
    private let lock = Mutex<(link: BrokerLink?, waiting: [@Sendable (BrokerLink) -> Void], started: Bool)>((nil, [], false))

    var started: Bool {
        get { lock.withLock { $0.started } }
        set { lock.withLock { $0.started = newValue } }
    }

    func link(_ link: BrokerLink) {
        let waiting = lock.withLock { value -> [@Sendable (BrokerLink) -> Void] in
            value.link = link
            defer { value.waiting = [] }
            return value.waiting
        }
        for request in waiting { request(link) }
    }

    func send(_ request: @escaping @Sendable (BrokerLink) -> Void) {
        let link = lock.withLock { value -> BrokerLink? in
            if value.link == nil { value.waiting.append(request) }
            return value.link
        }
        if let link { request(link) }
    }

    func stop() { lock.withLock { $0.link }?.stop() }
}

/// Broker messages on their way to the UI thread: batched, with at most one wake-up pending.
final class MessageInbox: Sendable {
    private let state = Mutex<(items: [(Message, Double)], woken: Bool)>(([], false))

    /// Adds a message; true when the UI thread needs waking.
    func post(_ message: Message, time: Double) -> Bool {
        state.withLock { value in
            value.items.append((message, time))
            defer { value.woken = true }
            return !value.woken
        }
    }

    func drain() -> [(Message, Double)] {
        state.withLock { value in
            defer { value = ([], false) }
            return value.items
        }
    }
}

/// Messages from background tasks to the UI thread.
final class Mailbox: Sendable {
    private let queue = Mutex<[DashboardMessage]>([])
    func post(_ message: DashboardMessage) { queue.withLock { $0.append(message) } }
    func drain() -> [DashboardMessage] { queue.withLock { queue in defer { queue.removeAll() }; return queue } }
}
