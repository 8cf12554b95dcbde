// CONNS connections to one server, each publishing synchronously to one JetStream stream (a
// PUB with a reply subject of its own, then a wait for that pub ack) for SECS seconds; prints
// the acks per second over all of them. natsbench's jspub --sync has one publisher only: this
// shows whether many synchronous publishers still share group commits (issue 16: a lone
// publisher's commit runs on its reader, FileStore.Inline.cs). Creates the stream MULTI on
// SUBJECT first (file storage; an existing one is kept). Raw protocol, no client library.
//
//   gcc -O2 -pthread -o /tmp/js-multi-sync tools/js-multi-sync/js-multi-sync.c
//   /tmp/js-multi-sync PORT SUBJECT CONNS SECS        e.g. /tmp/js-multi-sync 4222 multi.js 4 5
//   tools/js-multi-sync/run.sh ROUNDS CONNS SECS 'LABEL=SERVER FOLDER' ...   (A/B, fresh servers)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 256

static int port;
static const char *subject;
static volatile int stop;
static long counts[MAX_CONNS];

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int dial(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(0x7f000001);
    if (connect(fd, (void *)&a, sizeof a) != 0) { perror("connect"); exit(1); }
    return fd;
}

static void send_all(int fd, const char *data, int len)
{
    if (write(fd, data, len) != len) { perror("write"); exit(1); }
}

static void *publisher(void *arg)
{
    long id = (long)arg;
    int fd = dial();
    char buf[65536], text[1024];
    if (read(fd, buf, sizeof buf) <= 0) { perror("read INFO"); exit(1); }
    int len = snprintf(text, sizeof text, "CONNECT {\"verbose\":false}\r\nSUB _INBOX.m%ld 1\r\nPING\r\n", id);
    send_all(fd, text, len);
    if (read(fd, buf, sizeof buf) <= 0) { perror("read PONG"); exit(1); }
    len = snprintf(text, sizeof text, "PUB %s _INBOX.m%ld 128\r\n", subject, id);
    memset(text + len, 'x', 128);
    len += 128;
    memcpy(text + len, "\r\n", 2);
    len += 2;
    while (!stop) {
        send_all(fd, text, len);
        // An ack is a MSG line and its payload: two line ends (a server PING may come along).
        int lines = 0;
        while (lines < 2) {
            int n = read(fd, buf, sizeof buf);
            if (n <= 0) { perror("read ack"); exit(1); }
            for (int i = 0; i < n; i++) lines += buf[i] == '\n';
            if (memmem(buf, n, "PING\r\n", 6)) { send_all(fd, "PONG\r\n", 6); lines--; }
        }
        counts[id]++;
    }
    close(fd);
    return NULL;
}

static void create_stream(void)
{
    int fd = dial();
    char buf[65536], body[256], text[1024];
    if (read(fd, buf, sizeof buf) <= 0) { perror("read INFO"); exit(1); }
    int bl = snprintf(body, sizeof body, "{\"name\":\"MULTI\",\"subjects\":[\"%s\"],\"storage\":\"file\"}", subject);
    int len = snprintf(text, sizeof text,
        "CONNECT {\"verbose\":false}\r\nSUB _INBOX.c 1\r\nPUB $JS.API.STREAM.CREATE.MULTI _INBOX.c %d\r\n%s\r\n", bl, body);
    send_all(fd, text, len);
    if (read(fd, buf, sizeof buf) <= 0) { perror("read stream create"); exit(1); }
    close(fd);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s PORT SUBJECT CONNS SECS\n", argv[0]);
        return 2;
    }
    port = atoi(argv[1]);
    subject = argv[2];
    int conns = atoi(argv[3]), secs = atoi(argv[4]);
    if (conns < 1 || conns > MAX_CONNS || secs < 1) {
        fprintf(stderr, "1 <= CONNS <= %d, SECS >= 1\n", MAX_CONNS);
        return 2;
    }
    create_stream();
    pthread_t threads[MAX_CONNS];
    for (long i = 0; i < conns; i++) pthread_create(&threads[i], NULL, publisher, (void *)i);
    double t0 = now();
    sleep(secs);
    stop = 1;
    double t1 = now();
    long total = 0;
    for (int i = 0; i < conns; i++) {
        pthread_join(threads[i], NULL);
        total += counts[i];
    }
    printf("conns=%d acks=%ld acks_s=%.0f\n", conns, total, total / (t1 - t0));
    return 0;
}
