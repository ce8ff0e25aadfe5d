import CFleetdeckSupport
import CNcursesw
import TermCore
#if canImport(Glibc)
import Glibc
#endif

/// Why the terminal could not be opened; each reads as one line a user can act on.
public enum TerminalError: Error, CustomStringConvertible, Equatable {
    case notATerminal
    case termUnset
    case unknownTerm(String)
    case initFailed(String)

    public var description: String {
        switch self {
        case .notATerminal:
            return "the dashboard needs a terminal: standard input and output must be a TTY (use the command line, e.g. 'fleetdeck stack ls', in scripts)"
        case .termUnset:
            return "the dashboard needs a terminal type: TERM is not set"
        case .unknownTerm(let name):
            return "the dashboard cannot drive terminal type '\(name)': no terminfo entry (try TERM=xterm-256color)"
        case .initFailed(let why):
            return "the terminal could not be initialised: \(why)"
        }
    }
}

/// The only owner of ncurses in the process. Opening it checks that a usable terminal is
/// there before touching it (ncurses' initscr would exit(1) otherwise), installs the guard
/// that restores the terminal on signals and crashes, and switches to the alternate screen.
/// All calls must come from the main actor: ncurses is not thread-safe.
@MainActor
public final class NcursesTerminal: TerminalDevice {
    private var screen: OpaquePointer?
    private var wakeFD: Int32 = -1
    private var queued: [TerminalEvent] = []
    public private(set) var hasColors = false
    public private(set) var hasMouse = false

    /// Opens the terminal on stdin/stdout, or throws without having changed it.
    public static func open(environment: [String: String]) throws(TerminalError) -> NcursesTerminal {
        guard isatty(0) == 1, isatty(1) == 1 else { throw .notATerminal }
        guard let term = environment["TERM"], !term.isEmpty else { throw .termUnset }
        var status: Int32 = 0
        if setupterm(term, 1, &status) != OK {
            throw .unknownTerm(term)
        }
        fd_del_cur_term()
        setlocale(LC_ALL, "")
        fd_terminal_guard_install()
        // Our SIGWINCH handler goes in before newterm so ncurses leaves SIGWINCH to us.
        let wakeFD = fd_wake_pipe_open()
        guard let screen = fd_newterm(term) else { throw .initFailed("newterm failed for '\(term)'") }
        fd_terminal_guard_set_active(1)
        let terminal = NcursesTerminal()
        terminal.screen = screen
        terminal.wakeFD = wakeFD
        set_term(screen)
        // Esc is a key here, not the start of a sequence the terminal is still sending: 25 ms
        // (ncurses waits a whole second by default) unless ESCDELAY says otherwise.
        if environment["ESCDELAY"] == nil { _ = set_escdelay(25) }
        cbreak()
        noecho()
        nonl()
        keypad(fd_stdscr(), true)
        curs_set(0)
        terminal.hasMouse = fd_mouse_enable() != 0
        if has_colors() {
            start_color()
            use_default_colors()
            terminal.hasColors = true
        }
        return terminal
    }

    /// Rows and columns of the terminal now.
    public var size: (rows: Int, columns: Int) {
        (Int(fd_getmaxy(fd_stdscr())), Int(fd_getmaxx(fd_stdscr())))
    }

    private var pairs: [Int32: Int16] = [:]

    /// The colour pair for a foreground/background (made on first use). Colours beyond what the
    /// terminal has (256, 16 or 8) are folded down; no colours at all gives pair 0.
    func colorPair(foreground: Int16, background: Int16) -> Int16 {
        guard hasColors, foreground >= 0 || background >= 0 else { return 0 }
        let available = Int(fd_colors())
        let (fg, bg) = (ColorFold.fold(foreground, available: available), ColorFold.fold(background, available: available))
        let key = Int32(fg) << 16 | Int32(UInt16(bitPattern: bg))
        if let pair = pairs[key] { return pair }
        let next = Int16(pairs.count + 1)
        guard Int32(next) < fd_color_pairs() else { return 0 }
        init_pair(next, fg, bg)
        pairs[key] = next
        return next
    }

    public func defineColor(pair: Int16, foreground: Int16, background: Int16) {
        guard hasColors else { return }
        init_pair(pair, foreground, background)
    }

    public func erase() { werase(fd_stdscr()) }

    /// Writes text at (row, column), clipped to `limit` display cells of the screen.
    public func put(row: Int, column: Int, _ text: String, style: TerminalStyle, limit: Int?) {
        let (rows, columns) = size
        guard row >= 0, row < rows, column >= 0, column < columns else { return }
        var attrs = fd_a_normal()
        if style.bold { attrs |= fd_a_bold() }
        if style.reverse { attrs |= fd_a_reverse() }
        if style.dim { attrs |= fd_a_dim() }
        if style.underline { attrs |= fd_a_underline() }
        let pair = style.colorPair != 0 ? style.colorPair : colorPair(foreground: style.foreground, background: style.background)
        var wide = text.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
        let room = min(limit ?? columns - column, columns - column)
        if wide.count > room { wide.removeLast(wide.count - room) }
        wide.append(0)
        _ = fd_put(Int32(row), Int32(column), wide, Int32(wide.count - 1), attrs, pair)
    }

    public func refresh() { wrefresh(fd_stdscr()) }

    /// Blocks until a key, a resize or a wake-up arrives; nil when input has ended.
    /// Keys are read in a burst after poll() says stdin is readable, so bytes that ncurses
    /// already buffered (escape sequences, pastes) are not left waiting.
    public func nextEvent() -> TerminalEvent? {
        while true {
            if !queued.isEmpty { return queued.removeFirst() }
            var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
            // Not forever: once a second the terminal's mode is checked (see `takeScreenBack`).
            let ready = poll(&fds, wakeFD >= 0 ? 2 : 1, 1000)
            if ready < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if ready == 0 {
                // A heartbeat: what counts seconds on screen (a slow load) is drawn again.
                queued.append(fd_tty_mode_lost(1) != 0 ? takeScreenBack() : .wake)
                continue
            }
            if wakeFD >= 0, fds[1].revents != 0 {
                let pending = fd_wake_drain()
                if pending & FD_WAKE_SUSPEND != 0 { suspend() }
                if pending & (FD_WAKE_RESIZE | FD_WAKE_SUSPEND) != 0 {
                    var rows: Int32 = 0, columns: Int32 = 0
                    if fd_terminal_size(1, &rows, &columns) == 0 { resizeterm(rows, columns) }
                    queued.append(.resize)
                }
                if pending & FD_WAKE_INTERRUPT != 0 { queued.append(.interrupt) }
                // Background work may have posted too: the runtime drains its mailbox on .wake.
                queued.append(.wake)
                continue
            }
            if fds[0].revents != 0 {
                if !readKeys() { return nil }
            }
        }
    }

    /// Reads every key ncurses can give without blocking; false at end of input.
    private func readKeys() -> Bool {
        nodelay(fd_stdscr(), true)
        defer { nodelay(fd_stdscr(), false) }
        var gotAny = false
        while true {
            var ch: wint_t = 0
            let kind = fd_get_wch(&ch)
            if kind == ERR { break }
            gotAny = true
            if kind == fd_key_code_yes() {
                if Int32(ch) == fd_key_mouse() {
                    var y: Int32 = 0, x: Int32 = 0
                    let button = fd_mouse_read(&y, &x)
                    // ncurses' button numbers stop here: 1 a press, 4 and 5 the wheel.
                    if button == 4 || button == 5 {
                        queued.append(.wheel(up: button == 4, row: Int(y), column: Int(x)))
                    } else if button > 0 {
                        queued.append(.click(row: Int(y), column: Int(x)))
                    }
                } else if let key = Self.keys[Int32(ch)] {
                    queued.append(.key(key))
                }
            } else if ch == 0x0C {
                // Ctrl-L, as in every full-screen program: redraw the whole screen.
                queued.append(takeScreenBack())
            } else if ch == 0x1B {
                // Esc with b or f right behind it (in the same read) is Alt-B or Alt-F.
                var next: wint_t = 0
                let nextKind = fd_get_wch(&next)
                if nextKind != ERR, nextKind != fd_key_code_yes(), next == 0x62 || next == 0x66 {
                    queued.append(.key(next == 0x62 ? .wordLeft : .wordRight))
                } else {
                    queued.append(.key(.escape))
                    if nextKind != ERR { unget_wch(wchar_t(next)) }
                }
            } else if let scalar = Unicode.Scalar(UInt32(ch)) {
                queued.append(TerminalEvent.character(Character(scalar)).normalized)
            }
        }
        return gotAny
    }

    /// ncurses' key codes for the keys the dashboard reads; the rest (function keys, its own
    /// KEY_RESIZE, since resizes come from our SIGWINCH handler) are dropped here.
    private static let keys: [Int32: Key] = [
        KEY_UP: .up, KEY_DOWN: .down, KEY_LEFT: .left, KEY_RIGHT: .right, KEY_HOME: .home, KEY_END: .end,
        KEY_PPAGE: .pageUp, KEY_NPAGE: .pageDown, KEY_ENTER: .enter, KEY_BACKSPACE: .backspace, KEY_DC: .delete, KEY_BTAB: .backTab,
    ]

    /// Puts the terminal back in curses' mode if something changed it behind our back (a shell
    /// that resumed us in line mode, a stray `stty`, output from another process), and has
    /// every cell repainted: the returned `.resize` makes the caller redraw the whole frame.
    private func takeScreenBack() -> TerminalEvent {
        if fd_tty_mode_lost(1) != 0 { reset_prog_mode() }
        fd_clear_on_next_refresh()
        return .resize
    }

    /// Ctrl-Z: leaves curses mode, stops until the shell continues us, then takes the screen
    /// back (the caller redraws everything).
    private func suspend() {
        fd_terminal_guard_set_active(0)
        endwin()
        fd_suspend_self()
        fd_terminal_guard_set_active(1)
        refresh()
        _ = takeScreenBack()
    }

    public func send(_ sequence: String) {
        refresh()
        let bytes = Array(sequence.utf8)
        _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
    }

    /// A pager or an editor in the terminal: curses mode left, the program run to its end, the
    /// screen taken back and repainted (as after Ctrl-Z).
    public func runOutside(_ arguments: [String], environment: [String: String]) -> Int32 {
        fd_terminal_guard_set_active(0)
        endwin()
        defer {
            fd_terminal_guard_set_active(1)
            refresh()
            _ = takeScreenBack()
        }
        // As system(3): Ctrl-C and Ctrl-\ are the program's while it runs, not ours; it starts
        // with their default handling.
        var ignore = sigaction(), savedInterrupt = sigaction(), savedQuit = sigaction()
        ignore.__sigaction_handler.sa_handler = SIG_IGN
        sigaction(SIGINT, &ignore, &savedInterrupt)
        sigaction(SIGQUIT, &ignore, &savedQuit)
        defer {
            sigaction(SIGINT, &savedInterrupt, nil)
            sigaction(SIGQUIT, &savedQuit, nil)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGQUIT)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        guard posix_spawnp(&pid, arguments[0], nil, &attributes, argv, envp) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }

    /// While a deploy runs, the first Ctrl-C becomes `.interrupt` (cancel) instead of an exit.
    public func interruptible(_ on: Bool) { fd_interrupt_mode(on ? 1 : 0) }

    /// Leaves curses mode and restores the terminal; safe to call more than once.
    public func close() {
        guard let screen else { return }
        fd_terminal_guard_set_active(0)
        endwin()
        delscreen(screen)
        self.screen = nil
    }
}
