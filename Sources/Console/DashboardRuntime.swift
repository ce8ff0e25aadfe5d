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
    let theme: Theme
    let wake: @Sendable () -> Void
    let mailbox = Mailbox()
    let renderer = FrameRenderer()

    public init(state: DashboardState, data: DashboardData, theme: Theme, wake: @escaping @Sendable () -> Void) {
        self.state = state
        self.data = data
        self.theme = theme
        self.wake = wake
    }

    /// Runs until the user quits or input ends.
    public func run(on terminal: some TerminalDevice) {
        perform(Dashboard.update(&state, .key(.function(0))) + [.loadStacks])
        draw(on: terminal)
        while !state.quit, let event = terminal.nextEvent() {
            switch event {
            case .wake:
                for message in mailbox.drain() { perform(Dashboard.update(&state, message)) }
            case .resize:
                renderer.invalidate()
            default:
                perform(Dashboard.update(&state, .key(event)))
            }
            draw(on: terminal)
        }
    }

    func draw(on terminal: some TerminalDevice) {
        let (rows, columns) = terminal.size
        renderer.render(Dashboard.view(state, theme: theme, rows: rows, columns: columns), on: terminal)
    }

    /// Starts each command as a task; its result comes back through the mailbox and a wake-up.
    func perform(_ commands: [DashboardCommand]) {
        for command in commands {
            let data = self.data, mailbox = self.mailbox, wake = self.wake
            Task.detached {
                let message: DashboardMessage
                do {
                    switch command {
                    case .loadStacks: message = .stacksLoaded(try await data.stacks())
                    case .loadStack(let name): message = .stackLoaded(try await data.stack(name))
                    case .preview(let name): message = .planned(try await data.plan(name))
                    case .deploy(let name, let hash):
                        do {
                            let result = try await data.deploy(name, hash) { event in
                                mailbox.post(.engine(event))
                                wake()
                            }
                            message = .deployFinished(result, failed: false)
                        } catch {
                            message = .deployFinished("\(error)", failed: true)
                        }
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

/// Messages from background tasks to the UI thread.
final class Mailbox: Sendable {
    private let queue = Mutex<[DashboardMessage]>([])
    func post(_ message: DashboardMessage) { queue.withLock { $0.append(message) } }
    func drain() -> [DashboardMessage] { queue.withLock { queue in defer { queue.removeAll() }; return queue } }
}
