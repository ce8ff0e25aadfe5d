#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include "CFleetdeckSupport.h"

static int fd_wake_fds[2] = { -1, -1 };
// One flag per cause: a signal handler only ever stores to its own.
static volatile sig_atomic_t fd_resize_pending = 0, fd_suspend_pending = 0, fd_interrupt_pending = 0;

static void fd_wake_on_signal(int sig) {
    int saved = errno;
    if (sig == SIGWINCH) fd_resize_pending = 1; else fd_suspend_pending = 1;
    fd_wake();
    errno = saved;
}

static void fd_install(int sig) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fd_wake_on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(sig, &sa, NULL);
}

static volatile sig_atomic_t fd_interrupt_on = 0;
static struct sigaction fd_interrupt_previous;

static void fd_on_interrupt(int sig) {
    int saved = errno;
    // The first Ctrl-C asks; the next one acts as it would have without us.
    sigaction(SIGINT, &fd_interrupt_previous, NULL);
    fd_interrupt_on = 0;
    fd_interrupt_pending = 1;
    fd_wake();
    (void)sig;
    errno = saved;
}

void fd_interrupt_mode(int on) {
    if (on && !fd_interrupt_on) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = fd_on_interrupt;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        fd_interrupt_on = 1;
        sigaction(SIGINT, &sa, &fd_interrupt_previous);
    } else if (!on && fd_interrupt_on) {
        fd_interrupt_on = 0;
        sigaction(SIGINT, &fd_interrupt_previous, NULL);
    }
}

void fd_suspend_self(void) {
    signal(SIGTSTP, SIG_DFL);
    kill(getpid(), SIGTSTP);
    // Continued (fg): take Ctrl-Z back.
    fd_install(SIGTSTP);
}

int fd_wake_pipe_open(void) {
    if (fd_wake_fds[0] >= 0) return fd_wake_fds[0];
    if (pipe2(fd_wake_fds, O_NONBLOCK | O_CLOEXEC) != 0) return -1;
    // Installed before newterm, so ncurses leaves SIGWINCH and SIGTSTP to us: in a Swift
    // process a signal usually lands on a worker thread, where curses must not run.
    fd_install(SIGWINCH);
    fd_install(SIGTSTP);
    return fd_wake_fds[0];
}

void fd_wake(void) {
    if (fd_wake_fds[1] < 0) return;
    char byte = 1;
    ssize_t ignored = write(fd_wake_fds[1], &byte, 1);
    (void)ignored;
}

int fd_wake_drain(void) {
    char buffer[256];
    while (fd_wake_fds[0] >= 0 && read(fd_wake_fds[0], buffer, sizeof(buffer)) > 0) {}
    int pending = 0;
    if (fd_resize_pending) { fd_resize_pending = 0; pending |= FD_WAKE_RESIZE; }
    if (fd_suspend_pending) { fd_suspend_pending = 0; pending |= FD_WAKE_SUSPEND; }
    if (fd_interrupt_pending) { fd_interrupt_pending = 0; pending |= FD_WAKE_INTERRUPT; }
    return pending;
}

int fd_tty_mode_lost(int fd) {
    struct termios mode;
    // Only the foreground process group may set the mode (and the check is moot otherwise).
    if (tcgetpgrp(fd) != getpgrp() || tcgetattr(fd, &mode) != 0) return 0;
    return (mode.c_lflag & (ICANON | ECHO)) != 0;
}

int fd_terminal_size(int fd, int *rows, int *columns) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0) return -1;
    *rows = ws.ws_row;
    *columns = ws.ws_col;
    return 0;
}

/* Graceful Ctrl-C for command-line runs: the first SIGINT becomes a byte on a pipe (a
 * watcher thread cancels the work), the next one acts as it would have without us. */
static int fd_graceful_fds[2] = { -1, -1 };
static struct sigaction fd_graceful_previous;
static volatile sig_atomic_t fd_graceful_armed = 0;

static void fd_on_graceful_interrupt(int sig) {
    int saved = errno;
    (void)sig;
    sigaction(SIGINT, &fd_graceful_previous, NULL);
    fd_graceful_armed = 0;
    char byte = 1;
    ssize_t ignored = write(fd_graceful_fds[1], &byte, 1);
    (void)ignored;
    errno = saved;
}

int fd_graceful_interrupt_open(void) {
    if (fd_graceful_fds[0] >= 0) return -1;
    if (pipe2(fd_graceful_fds, O_CLOEXEC) != 0) return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fd_on_graceful_interrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, &fd_graceful_previous);
    fd_graceful_armed = 1;
    return fd_graceful_fds[0];
}

void fd_graceful_interrupt_close(void) {
    if (fd_graceful_armed) {
        sigaction(SIGINT, &fd_graceful_previous, NULL);
        fd_graceful_armed = 0;
    }
    if (fd_graceful_fds[1] >= 0) close(fd_graceful_fds[1]);  /* the watcher reads end of file */
    fd_graceful_fds[1] = -1;
}

void fd_graceful_interrupt_release(void) {
    if (fd_graceful_fds[0] >= 0) close(fd_graceful_fds[0]);
    fd_graceful_fds[0] = -1;
}
