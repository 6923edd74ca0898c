// Debian's libedit (libedit-dev) through its readline-compatible API, plus small C helpers:
// Swift cannot call C variadic functions or hand out capturing callbacks, and the REPL's
// completion generator needs C-owned strings.
#ifndef WSK_CLIBEDIT_SHIM_H
#define WSK_CLIBEDIT_SHIM_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <editline/readline.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define WSK_MAX_COMPLETIONS 64

typedef struct {
    char *words[WSK_MAX_COMPLETIONS];
    int count;
} wsk_completion_list;

// Storage lives in a function-local static: file-scope statics in a header are not emitted
// for Swift's imported inline functions.
static inline wsk_completion_list *wsk_completions(void) {
    static wsk_completion_list list;
    return &list;
}

/// Adds a word that Tab completes at the start of the line (copied).
static inline void wsk_add_completion_word(const char *word) {
    wsk_completion_list *list = wsk_completions();
    if (list->count < WSK_MAX_COMPLETIONS) {
        list->words[list->count++] = strdup(word);
    }
}

static inline char *wsk_completion_generator(const char *text, int state) {
    static int index;
    static size_t length;
    if (state == 0) {
        index = 0;
        length = strlen(text);
    }
    wsk_completion_list *list = wsk_completions();
    while (index < list->count) {
        const char *word = list->words[index++];
        if (strncmp(word, text, length) == 0) {
            return strdup(word);
        }
    }
    return NULL;
}

static inline char **wsk_attempted_completion(const char *text, int start, int end) {
    (void)end;
    rl_attempted_completion_over = 1;  // never fall back to file names
    if (start != 0) {
        return NULL;
    }
    return rl_completion_matches(text, wsk_completion_generator);
}

/// Installs the slash-command completion.
static inline void wsk_install_completion(void) {
    rl_attempted_completion_function = wsk_attempted_completion;
}

/// Writes text to the editor's output stream and flushes it.
static inline void wsk_write_output(const char *text) {
    FILE *out = rl_outstream ? rl_outstream : stdout;
    fputs(text, out);
    fflush(out);
}

/// The cursor's offset in the line being edited (libedit keeps it current after each key).
static inline int wsk_cursor_offset(void) {
    return rl_point;
}

/// The terminal's width in columns, or 0 when unknown.
static inline int wsk_terminal_columns(void) {
    struct winsize size;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0) {
        return size.ws_col;
    }
    return 0;
}

/// What the last Ctrl-C did: 0 nothing, 1 cleared the line, 2 asked to quit (empty line).
static inline int *wsk_interrupt_state(void) {
    static int state;
    return &state;
}

// Ctrl-C as a key (the terminal's ISIG is off while editing): libedit updates rl_point
// and rl_end before calling a bound function, so the line's length is current here.
static inline int wsk_interrupt_key(int count, int key) {
    (void)count;
    (void)key;
    if (rl_end > 0) {
        // Queue Ctrl-U (em-kill-line: the whole line); libedit's rl_delete_text cannot
        // delete through the last character.
        rl_insert(1, 0x15);
        *wsk_interrupt_state() = 1;
    } else {
        *wsk_interrupt_state() = 2;
    }
    return 0;
}

/// Makes Ctrl-C a key handled by the editor instead of SIGINT.
static inline void wsk_install_interrupt_key(void) {
    rl_parse_and_bind("setty -d -isig");
    rl_add_defun("wsk-interrupt", wsk_interrupt_key, 3);
}

/// Returns and resets what the last Ctrl-C did.
static inline int wsk_take_interrupt(void) {
    int state = *wsk_interrupt_state();
    *wsk_interrupt_state() = 0;
    return state;
}

#endif
