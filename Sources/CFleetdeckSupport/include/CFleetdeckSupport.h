// Small stateful C that Swift cannot express safely: the terminal guard's signal
// handlers (async-signal context) and the build stamp set by the release script.
#ifndef FLEETDECK_SUPPORT_H
#define FLEETDECK_SUPPORT_H

/// Installs handlers for SIGHUP, SIGINT, SIGTERM, SIGQUIT and the crash signals that call
/// endwin() once and then let the previous disposition act (default, or Swift's backtracer).
void fd_terminal_guard_install(void);
/// Marks whether curses currently owns the terminal (so the guard knows to restore it).
void fd_terminal_guard_set_active(int active);

/// Creates the wake pipe and the SIGWINCH handler that writes to it, and returns the pipe's
/// read end (non-blocking), or -1. The UI thread polls it beside stdin, so a resize or a
/// message from a background task wakes it whichever thread the signal landed on.
int fd_wake_pipe_open(void);
/// Wakes the UI thread (async-signal-safe, callable from any thread).
void fd_wake(void);
/// Empties the wake pipe; returns what happened since the last call: FD_WAKE_RESIZE,
/// FD_WAKE_INTERRUPT and FD_WAKE_SUSPEND bits.
int fd_wake_drain(void);
#define FD_WAKE_RESIZE 1
#define FD_WAKE_INTERRUPT 2
#define FD_WAKE_SUSPEND 4
/// While on, the first SIGINT wakes the UI thread (FD_WAKE_INTERRUPT) instead of ending the
/// process (a deploy cancels gracefully); a second one ends it as usual.
void fd_interrupt_mode(int on);
/// Command-line runs: the first SIGINT writes a byte to the returned pipe instead of ending the
/// process (the caller cancels its work); a second one ends it. -1 if already open.
int fd_graceful_interrupt_open(void);
/// Puts SIGINT back and closes the write end (the reader sees end of file).
void fd_graceful_interrupt_close(void);
/// Closes the read end once the reader is done.
void fd_graceful_interrupt_release(void);
/// Stops the process (Ctrl-Z) after the caller has left curses mode; returns once continued.
void fd_suspend_self(void);
/// 1 when we hold the terminal (foreground process group) but it reads lines and echoes them:
/// someone (a shell resuming us, a stray `stty`) put it back in line mode behind curses' back.
int fd_tty_mode_lost(int fd);
/// The terminal's size from TIOCGWINSZ on the given fd; 0 on success.
int fd_terminal_size(int fd, int *rows, int *columns);

/// The git commit the binary was built from ("unknown" outside the release script).
const char *fd_build_commit(void);
/// The build kind ("debug" or "release"), from the release script.
const char *fd_build_kind(void);
#endif
