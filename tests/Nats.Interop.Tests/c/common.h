// Shared helpers for the libnats interop scenarios. See main.c for the output contract.
#ifndef INTEROP_COMMON_H
#define INTEROP_COMMON_H

#include <nats/nats.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// ---- arguments (key=value after the scenario name) ----
void args_init(int argc, char **argv);
const char *arg_str(const char *key, const char *dflt);   // dflt may be NULL
const char *arg_required(const char *key);                 // fails the scenario when missing
long arg_long(const char *key, long dflt);

// Splits a comma-separated list in place (the copy is leaked on purpose: lives until exit).
int split_list(const char *value, const char **out, int max);

// ---- result / failure output ----
// A tiny JSON object writer; every scenario's result and event lines go through it.
typedef struct
{
    char  *buf;
    size_t len, cap;
    bool   first;   // no member written yet at the current nesting level
} json_t;

void json_begin(json_t *j);                                 // "{"
void json_key(json_t *j, const char *key);                  // "key": (value follows)
void json_bool(json_t *j, const char *key, bool v);
void json_long(json_t *j, const char *key, long long v);
void json_str(json_t *j, const char *key, const char *v);   // NULL -> null
void json_str_array(json_t *j, const char *key, const char **v, int n);
void json_long_array(json_t *j, const char *key, const long long *v, int n);
void json_open_object(json_t *j, const char *key);          // key NULL inside arrays
void json_close_object(json_t *j);
void json_open_array(json_t *j, const char *key);
void json_close_array(json_t *j);
void json_string_value(json_t *j, const char *v);           // array element
// Closes the object, prints it as one line and frees the buffer.
void json_emit(json_t *j);

// Prints {"event":name} (a progress event the harness may wait for).
void emit_event(const char *name);

// Prints {"ok":false,"error":...} and exits 1.
void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

// Fails with the status text and the library's last error when s != NATS_OK.
#define CHECK(s, what)                                                            \
    do {                                                                          \
        natsStatus _s = (s);                                                      \
        if (_s != NATS_OK)                                                        \
            fail("%s: %s (%s)", (what), natsStatus_GetText(_s), last_error());    \
    } while (0)

const char *last_error(void);

// ---- time / waiting ----
// Starts the watchdog thread that reports a timeout result and exits after timeout_ms.
void start_watchdog(const char *scenario, long timeout_ms);
// What the scenario is doing now; the watchdog quotes it in its timeout error.
void set_stage(const char *stage);
// Polls cond(ctx) every 10 ms; fails with `what` after timeout_ms.
void wait_until(bool (*cond)(void *ctx), void *ctx, long timeout_ms, const char *what);

// ---- data ----
// Deterministic payload for message i, identical to payloadFor() in js/lib/harness.mjs.
// Returns a malloc'd NUL-terminated string; *len gets its length.
char *payload_for(long i, int *len);
int port_of(const char *url);  // -1 when the URL has no port

// Options every scenario connection starts from (servers, name, short connect timeout).
natsOptions *new_options(const char **servers, int count, const char *name);
natsConnection *connect_or_fail(natsOptions *opts, const char *what);

#endif
