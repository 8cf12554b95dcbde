#include "common.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// ---------------------------------------------------------------- arguments

static int    g_argc;
static char **g_argv;

void args_init(int argc, char **argv)
{
    g_argc = argc;
    g_argv = argv;
}

const char *arg_str(const char *key, const char *dflt)
{
    size_t klen = strlen(key);
    for (int i = 0; i < g_argc; i++)
        if (strncmp(g_argv[i], key, klen) == 0 && g_argv[i][klen] == '=')
            return g_argv[i] + klen + 1;
    return dflt;
}

const char *arg_required(const char *key)
{
    const char *v = arg_str(key, NULL);
    if (v == NULL)
        fail("missing argument %s=", key);
    return v;
}

long arg_long(const char *key, long dflt)
{
    const char *v = arg_str(key, NULL);
    return v == NULL ? dflt : strtol(v, NULL, 10);
}

int split_list(const char *value, const char **out, int max)
{
    char *copy = strdup(value);
    int   n    = 0;
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok != NULL && n < max; tok = strtok_r(NULL, ",", &save))
        out[n++] = tok;
    return n;
}

// ---------------------------------------------------------------- JSON

static void put(json_t *j, const char *s, size_t n)
{
    if (j->len + n + 1 > j->cap)
    {
        size_t cap = j->cap ? j->cap : 256;
        while (j->len + n + 1 > cap)
            cap *= 2;
        j->buf = realloc(j->buf, cap);
        if (j->buf == NULL)
            abort();
        j->cap = cap;
    }
    memcpy(j->buf + j->len, s, n);
    j->len += n;
    j->buf[j->len] = '\0';
}

static void puts_(json_t *j, const char *s) { put(j, s, strlen(s)); }

static void put_quoted(json_t *j, const char *s)
{
    puts_(j, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    {
        char esc[8];
        switch (*p)
        {
        case '"': puts_(j, "\\\""); break;
        case '\\': puts_(j, "\\\\"); break;
        case '\n': puts_(j, "\\n"); break;
        case '\r': puts_(j, "\\r"); break;
        case '\t': puts_(j, "\\t"); break;
        default:
            if (*p < 0x20)
            {
                snprintf(esc, sizeof(esc), "\\u%04x", *p);
                puts_(j, esc);
            }
            else
                put(j, (const char *)p, 1);
        }
    }
    puts_(j, "\"");
}

static void separator(json_t *j)
{
    if (!j->first)
        puts_(j, ",");
    j->first = false;
}

void json_begin(json_t *j)
{
    memset(j, 0, sizeof(*j));
    puts_(j, "{");
    j->first = true;
}

void json_key(json_t *j, const char *key)
{
    separator(j);
    put_quoted(j, key);
    puts_(j, ":");
}

void json_bool(json_t *j, const char *key, bool v)
{
    json_key(j, key);
    puts_(j, v ? "true" : "false");
}

void json_long(json_t *j, const char *key, long long v)
{
    char num[32];
    snprintf(num, sizeof(num), "%lld", v);
    json_key(j, key);
    puts_(j, num);
}

void json_str(json_t *j, const char *key, const char *v)
{
    json_key(j, key);
    if (v == NULL)
        puts_(j, "null");
    else
        put_quoted(j, v);
}

void json_string_value(json_t *j, const char *v)
{
    separator(j);
    put_quoted(j, v);
}

void json_str_array(json_t *j, const char *key, const char **v, int n)
{
    json_open_array(j, key);
    for (int i = 0; i < n; i++)
        json_string_value(j, v[i]);
    json_close_array(j);
}

void json_long_array(json_t *j, const char *key, const long long *v, int n)
{
    json_open_array(j, key);
    for (int i = 0; i < n; i++)
    {
        char num[32];
        separator(j);
        snprintf(num, sizeof(num), "%lld", v[i]);
        puts_(j, num);
    }
    json_close_array(j);
}

void json_open_object(json_t *j, const char *key)
{
    if (key != NULL)
        json_key(j, key);
    else
        separator(j);
    puts_(j, "{");
    j->first = true;
}

void json_close_object(json_t *j)
{
    puts_(j, "}");
    j->first = false;
}

void json_open_array(json_t *j, const char *key)
{
    json_key(j, key);
    puts_(j, "[");
    j->first = true;
}

void json_close_array(json_t *j)
{
    puts_(j, "]");
    j->first = false;
}

static pthread_mutex_t g_out_lock = PTHREAD_MUTEX_INITIALIZER;

static void print_line(const char *line)
{
    // One lock for all output so the watchdog's line never interleaves with a result line.
    pthread_mutex_lock(&g_out_lock);
    fputs(line, stdout);
    fputc('\n', stdout);
    fflush(stdout);
    pthread_mutex_unlock(&g_out_lock);
}

void json_emit(json_t *j)
{
    puts_(j, "}");
    print_line(j->buf);
    free(j->buf);
    j->buf = NULL;
}

void emit_event(const char *name)
{
    json_t j;
    json_begin(&j);
    json_str(&j, "event", name);
    json_emit(&j);
}

const char *last_error(void)
{
    const char *e = nats_GetLastError(NULL);
    return e != NULL ? e : "";
}

void fail(const char *fmt, ...)
{
    char    msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    json_t j;
    json_begin(&j);
    json_bool(&j, "ok", false);
    json_str(&j, "error", msg);
    json_emit(&j);
    exit(1);
}

// ---------------------------------------------------------------- time

static const char *_Atomic g_stage = "starting";
static const char *g_scenario;
static long        g_timeout_ms;

void set_stage(const char *stage) { g_stage = stage; }

static void *watchdog(void *unused)
{
    (void)unused;
    nats_Sleep(g_timeout_ms);
    char msg[512];
    snprintf(msg, sizeof(msg), "timeout after %ld ms in scenario '%s' while %s", g_timeout_ms, g_scenario, (const char *)g_stage);
    json_t j;
    json_begin(&j);
    json_bool(&j, "ok", false);
    json_str(&j, "error", msg);
    json_emit(&j);
    _exit(3);
    return NULL;
}

void start_watchdog(const char *scenario, long timeout_ms)
{
    pthread_t t;
    g_scenario   = scenario;
    g_timeout_ms = timeout_ms;
    if (pthread_create(&t, NULL, watchdog, NULL) != 0)
        fail("cannot start watchdog thread: %s", strerror(errno));
    pthread_detach(t);
}

void wait_until(bool (*cond)(void *ctx), void *ctx, long timeout_ms, const char *what)
{
    int64_t deadline = nats_Now() + timeout_ms;
    while (!cond(ctx))
    {
        if (nats_Now() > deadline)
            fail("timed out after %ld ms waiting for %s", timeout_ms, what);
        nats_Sleep(10);
    }
}

// ---------------------------------------------------------------- data

char *payload_for(long i, int *len)
{
    long  n   = (i * 37) % 4099;
    char *buf = malloc((size_t)n + 32);
    int   off = sprintf(buf, "%ld:", i);
    for (long k = 0; k < n; k++)
        buf[off + k] = (char)('a' + (i + k) % 26);
    buf[off + n] = '\0';
    *len = off + (int)n;
    return buf;
}

int port_of(const char *url)
{
    const char *colon = strrchr(url, ':');
    if (colon == NULL)
        return -1;
    char *end;
    long  port = strtol(colon + 1, &end, 10);
    return end == colon + 1 ? -1 : (int)port;
}

natsOptions *new_options(const char **servers, int count, const char *name)
{
    natsOptions *opts = NULL;
    CHECK(natsOptions_Create(&opts), "natsOptions_Create");
    CHECK(natsOptions_SetServers(opts, servers, count), "natsOptions_SetServers");
    CHECK(natsOptions_SetName(opts, name), "natsOptions_SetName");
    CHECK(natsOptions_SetTimeout(opts, 5000), "natsOptions_SetTimeout");
    return opts;
}

natsConnection *connect_or_fail(natsOptions *opts, const char *what)
{
    natsConnection *nc = NULL;
    CHECK(natsConnection_Connect(&nc, opts), what);
    return nc;
}
