import StackEngine
import Synchronization
import TermCore

/// Runs the dashboard: terminal events and finished background work become messages, `update`
/// makes the next state and its commands, commands run as tasks off the UI thread, and each
/// state is drawn through the frame renderer (changed cells only).
@MainActor
public final class DashboardRuntime {
    public private(set) var state: DashboardState
    let data: DashboardData
    let wake: @Sendable () -> Void
    let mailbox = Mailbox()
    let renderer = FrameRenderer()
    /// Whether Ctrl-C is currently routed to the dashboard (while a deploy runs).
    private var interruptible = false

    public init(state: DashboardState, data: DashboardData, wake: @escaping @Sendable () -> Void) {
        self.state = state
        self.data = data
        self.wake = wake
    }

    /// Runs until the user quits or input ends.
    public func run(on terminal: some TerminalDevice) {
        (state.rows, state.columns) = terminal.size
        perform([.loadStacks, .checkConnection])
        draw(on: terminal)
        while !state.quit, let event = terminal.nextEvent() {
            switch event {
            case .wake:
                for message in mailbox.drain() { perform(Dashboard.update(&state, message)) }
            case .resize:
                (state.rows, state.columns) = terminal.size
                renderer.invalidate()
            default:
                perform(Dashboard.update(&state, .key(event)))
            }
            let running = Dashboard.deployRunning(state)
            if running != interruptible {
                interruptible = running
                terminal.interruptible(running)
            }
            draw(on: terminal)
        }
        if interruptible { terminal.interruptible(false) }
    }

    func draw(on terminal: some TerminalDevice) {
        let (rows, columns) = terminal.size
        renderer.render(Dashboard.view(state, rows: rows, columns: columns), on: terminal)
    }

    /// Starts each command as a task; its result comes back through the mailbox and a wake-up.
    func perform(_ commands: [DashboardCommand]) {
        for command in commands {
            let data = self.data, mailbox = self.mailbox, wake = self.wake
            if case .cancel(let stack) = command {
                data.cancel(stack)
                continue
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
                        } catch {
                            message = .deployFinished("\(error)", failed: true)
                        }
                        ticker.stop()
                    case .cancel:
                        return
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

/// Posts the elapsed time of a running deploy twice a second until stopped.
final class Ticker: Sendable {
    private let stopped = Atomic<Bool>(false)

    init(mailbox: Mailbox, wake: @escaping @Sendable () -> Void) {
        let start = ContinuousClock.now
        Task.detached { [self] in
            while !self.stopped.load(ordering: .relaxed) {
                try? await Task.sleep(for: .milliseconds(500))
                let elapsed = ContinuousClock.now - start
                mailbox.post(.tick(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
                wake()
            }
        }
    }

    func stop() { stopped.store(true, ordering: .relaxed) }
}

/// Messages from background tasks to the UI thread.
final class Mailbox: Sendable {
    private let queue = Mutex<[DashboardMessage]>([])
    func post(_ message: DashboardMessage) { queue.withLock { $0.append(message) } }
    func drain() -> [DashboardMessage] { queue.withLock { queue in defer { queue.removeAll() }; return queue } }
}
