// Wide-character ncurses for Swift. SwiftPM drops pkg-config's -D flags, so the
// wide-char switch is set here, before curses.h. Macros and globals that Swift cannot
// import (or rejects as not concurrency-safe) get static inline wrappers.
#ifndef FLEETDECK_CNCURSESW_SHIM_H
#define FLEETDECK_CNCURSESW_SHIM_H
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <wchar.h>
#include <stdio.h>
#include <curses.h>
#include <term.h>

static inline WINDOW *fd_stdscr(void) { return stdscr; }
static inline int fd_lines(void) { return LINES; }
static inline int fd_cols(void) { return COLS; }
static inline int fd_colors(void) { return COLORS; }
static inline int fd_color_pairs(void) { return COLOR_PAIRS; }
/// The next refresh repaints every cell (the terminal's picture can no longer be trusted).
static inline void fd_clear_on_next_refresh(void) { clearok(curscr, TRUE); }
static inline int fd_getmaxy(WINDOW *w) { int y, x; getmaxyx(w, y, x); (void)x; return y; }
static inline int fd_getmaxx(WINDOW *w) { int y, x; getmaxyx(w, y, x); (void)y; return x; }

static inline attr_t fd_a_normal(void) { return A_NORMAL; }
static inline attr_t fd_a_bold(void) { return A_BOLD; }
static inline attr_t fd_a_dim(void) { return A_DIM; }
static inline attr_t fd_a_underline(void) { return A_UNDERLINE; }
static inline attr_t fd_a_reverse(void) { return A_REVERSE; }
static inline attr_t fd_a_italic(void) { return A_ITALIC; }
static inline attr_t fd_a_blink(void) { return A_BLINK; }
static inline int fd_color_pair(int n) { return (int)COLOR_PAIR(n); }

static inline int fd_key_mouse(void) { return KEY_MOUSE; }
static inline int fd_key_code_yes(void) { return KEY_CODE_YES; }

/// Writes one wide string with attributes and colour pair at (y, x), clipped by ncurses.
static inline int fd_put(int y, int x, const wchar_t *s, int n, attr_t attrs, short pair) {
    attr_set(attrs, pair, NULL);
    return mvaddnwstr(y, x, s, n);
}

/// Reads one key: returns OK with a character, KEY_CODE_YES with a function key, or ERR.
static inline int fd_get_wch(wint_t *out) { return get_wch(out); }

/// newterm on the process's stdout/stdin (Swift 6 rejects the C globals directly).
static inline SCREEN *fd_newterm(const char *term) { return newterm(term, stdout, stdin); }
/// Frees the TERMINAL that a probing setupterm() left behind.
static inline void fd_del_cur_term(void) { if (cur_term) del_curterm(cur_term); }

static inline const char *fd_ncurses_version(void) { return curses_version(); }

/// Reports button-1 presses (and wheel steps) as KEY_MOUSE; 0 when the terminal has no mouse.
static inline int fd_mouse_enable(void) {
    mouseinterval(0);
    return mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL) != 0;
}
/// The last mouse event: position and 1 (press), 4 (wheel up), 5 (wheel down); -1 on error.
static inline int fd_mouse_read(int *y, int *x) {
    MEVENT event;
    if (getmouse(&event) != OK) return -1;
    *y = event.y;
    *x = event.x;
    if (event.bstate & BUTTON4_PRESSED) return 4;
    if (event.bstate & BUTTON5_PRESSED) return 5;
    return 1;
}
#endif
