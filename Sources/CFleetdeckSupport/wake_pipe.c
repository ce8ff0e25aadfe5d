#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "CFleetdeckSupport.h"

static int fd_wake_fds[2] = { -1, -1 };
static volatile sig_atomic_t fd_resize_pending = 0;

static void fd_wake_on_winch(int sig) {
    (void)sig;
    int saved = errno;
    fd_resize_pending = 1;
    fd_wake();
    errno = saved;
}

int fd_wake_pipe_open(void) {
    if (fd_wake_fds[0] >= 0) return fd_wake_fds[0];
    if (pipe2(fd_wake_fds, O_NONBLOCK | O_CLOEXEC) != 0) return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fd_wake_on_winch;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGWINCH, &sa, NULL);
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
    int resized = fd_resize_pending;
    fd_resize_pending = 0;
    return resized;
}

int fd_terminal_size(int fd, int *rows, int *columns) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0) return -1;
    *rows = ws.ws_row;
    *columns = ws.ws_col;
    return 0;
}
