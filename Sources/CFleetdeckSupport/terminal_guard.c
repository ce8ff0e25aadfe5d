#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "CFleetdeckSupport.h"

static volatile sig_atomic_t fd_guard_active = 0;
static const int fd_guard_signals[] = { SIGHUP, SIGINT, SIGTERM, SIGQUIT, SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE };
#define FD_GUARD_COUNT (sizeof(fd_guard_signals) / sizeof(fd_guard_signals[0]))
static struct sigaction fd_guard_previous[FD_GUARD_COUNT];
static int fd_guard_installed = 0;

static void fd_guard_handler(int sig) {
    if (fd_guard_active) {
        fd_guard_active = 0;
        endwin();
    }
    for (unsigned i = 0; i < FD_GUARD_COUNT; i++) {
        if (fd_guard_signals[i] == sig) {
            sigaction(sig, &fd_guard_previous[i], NULL);
            break;
        }
    }
    // A fault re-executes and reaches the previous handler; an async signal is re-raised.
    raise(sig);
}

void fd_terminal_guard_install(void) {
    if (fd_guard_installed) return;
    fd_guard_installed = 1;
    for (unsigned i = 0; i < FD_GUARD_COUNT; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = fd_guard_handler;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_ONSTACK;
        sigaction(fd_guard_signals[i], &sa, &fd_guard_previous[i]);
    }
}

void fd_terminal_guard_set_active(int active) { fd_guard_active = active ? 1 : 0; }
