/*
 * clusterbench: throughput of messages published on one cluster member and received on
 * another. Raw sockets on both sides (so the client costs little CPU), sequence numbers in
 * the payload to check that nothing is lost or reordered.
 *
 *   clusterbench PUB_PORT SUB_PORT COUNT SIZE
 *
 * Prints one line: RESULT msgs=N delivered=D lost=L secs=S msgs_s=R
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dial(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { perror("connect"); exit(2); }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void send_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) { if (errno == EINTR) continue; perror("write"); exit(2); }
        p += w; n -= (size_t)w;
    }
}

/* Reads until the buffer holds `needle`; returns the bytes after it stay in buf. */
static void read_until(int fd, const char *needle) {
    char buf[65536]; size_t len = 0;
    while (1) {
        ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);
        if (r <= 0) { fprintf(stderr, "closed waiting for %s\n", needle); exit(2); }
        len += (size_t)r; buf[len] = 0;
        if (strstr(buf, needle)) return;
        if (len > sizeof buf / 2) { memmove(buf, buf + len / 2, len - len / 2); len -= len / 2; }
    }
}

static long g_count, g_size, g_delivered, g_lost;
static double g_last;
static volatile int g_done;

/* The subscriber: parses MSG frames and checks the sequence number in each payload. */
static void *subscriber(void *arg) {
    int fd = *(int *)arg;
    static char buf[1 << 20];
    size_t len = 0, pos = 0;
    uint64_t expect = 0;
    while (g_delivered < g_count) {
        if (pos > 0 && pos == len) { pos = len = 0; }
        if (len == sizeof buf) { memmove(buf, buf + pos, len - pos); len -= pos; pos = 0; }
        ssize_t r = read(fd, buf + len, sizeof buf - len);
        if (r <= 0) break;
        len += (size_t)r;
        while (1) {
            char *nl = memchr(buf + pos, '\n', len - pos);
            if (!nl) break;
            if (strncmp(buf + pos, "PING", 4) == 0) { send_all(fd, "PONG\r\n", 6); pos = nl - buf + 1; continue; }
            if (strncmp(buf + pos, "MSG ", 4) != 0) { pos = nl - buf + 1; continue; }
            char *sp = nl; while (sp > buf + pos && sp[-1] != ' ') sp--;
            long size = strtol(sp, NULL, 10);
            size_t frame = (size_t)(nl - (buf + pos)) + 1 + (size_t)size + 2;
            if (len - pos < frame) break;
            uint64_t seq; memcpy(&seq, nl + 1, sizeof seq);
            if (seq != expect) { g_lost += (long)(seq > expect ? seq - expect : 0); }
            expect = seq + 1;
            g_delivered++;
            pos += frame;
        }
        if (pos > 0 && len - pos < 65536) { memmove(buf, buf + pos, len - pos); len -= pos; pos = 0; }
    }
    g_last = now();
    g_done = 1;
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: clusterbench PUB_PORT SUB_PORT COUNT SIZE\n"); return 2; }
    int pub_port = atoi(argv[1]), sub_port = atoi(argv[2]);
    g_count = atol(argv[3]); g_size = atol(argv[4]);
    if (g_size < 8) g_size = 8;

    int sub = dial(sub_port);
    read_until(sub, "\r\n");
    const char *hello = "CONNECT {\"verbose\":false,\"pedantic\":false,\"protocol\":1}\r\nSUB bench.x 1\r\nPING\r\n";
    send_all(sub, hello, strlen(hello));
    read_until(sub, "PONG\r\n");

    int pub = dial(pub_port);
    read_until(pub, "\r\n");
    const char *phello = "CONNECT {\"verbose\":false,\"pedantic\":false,\"protocol\":1}\r\nPING\r\n";
    send_all(pub, phello, strlen(phello));
    read_until(pub, "PONG\r\n");
    usleep(500000); /* interest reaches the publisher's server over the route */

    pthread_t t;
    pthread_create(&t, NULL, subscriber, &sub);

    char header[64];
    int hl = snprintf(header, sizeof header, "PUB bench.x %ld\r\n", g_size);
    size_t frame = (size_t)hl + (size_t)g_size + 2;
    size_t per_batch = 32768 / frame; if (per_batch == 0) per_batch = 1;
    char *batch = calloc(per_batch, frame);
    double start = now();
    uint64_t seq = 0;
    while ((long)seq < g_count) {
        size_t n = 0, off = 0;
        for (; n < per_batch && (long)seq < g_count; n++, seq++) {
            memcpy(batch + off, header, (size_t)hl); off += (size_t)hl;
            memcpy(batch + off, &seq, sizeof seq);
            memset(batch + off + sizeof seq, 'x', (size_t)g_size - sizeof seq); off += (size_t)g_size;
            memcpy(batch + off, "\r\n", 2); off += 2;
        }
        send_all(pub, batch, off);
    }
    double deadline = now() + 30;
    while (!g_done && now() < deadline) usleep(1000);
    double end = g_done ? g_last : now();
    long lost = g_lost + (g_count - g_delivered);
    printf("RESULT msgs=%ld delivered=%ld lost=%ld secs=%.3f msgs_s=%.0f\n",
           g_count, g_delivered, lost, end - start, g_delivered / (end - start));
    return lost == 0 ? 0 : 1;
}
