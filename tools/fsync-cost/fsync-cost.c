// What one durable append costs the disk's side of this machine, without any server: N times a
// pwrite of SIZE bytes at the end of the data and an fdatasync, as the JetStream file store
// commits one synchronous publish. Prints wall time and the process's CPU (user, system) per
// append and its voluntary context switches (the waits for the write and the cache flush).
// MODE 1: the file fallocated ahead (as the store does), 2: written with zeros ahead, 0: grown
// by each append, 3: fallocated, and each append one pwritev2(RWF_DSYNC) instead of pwrite and
// fdatasync (as the store commits on Linux: one system call less per commit).
// The server's CPU per synchronous publish minus this is what the server adds.
//
//   gcc -O2 -o /tmp/fsync-cost tools/fsync-cost/fsync-cost.c
//   /tmp/fsync-cost /tmp/fsync-cost.dat 10000 1 170     (FILE N MODE SIZE; the file is removed)
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static double seconds(struct timeval t) { return t.tv_sec + t.tv_usec / 1e6; }

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s FILE N MODE(0 grow, 1 fallocate, 2 zeros, 3 fallocate + RWF_DSYNC) [SIZE]\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    int n = atoi(argv[2]), mode = atoi(argv[3]), size = argc > 4 ? atoi(argv[4]) : 170;
    if (n <= 0 || size <= 0 || size > 4096) {
        fprintf(stderr, "N > 0, 0 < SIZE <= 4096\n");
        return 2;
    }
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0) { perror("open"); return 1; }
    off_t total = (off_t)n * size + 4096;
    if ((mode == 1 || mode == 3) && fallocate(fd, 0, 0, total) != 0) { perror("fallocate"); return 1; }
    if (mode == 2) {
        static char zeros[1 << 20];
        for (off_t at = 0; at < total; at += sizeof zeros)
            if (pwrite(fd, zeros, sizeof zeros, at) < 0) { perror("pwrite zeros"); return 1; }
    }
    if (fdatasync(fd) != 0) { perror("fdatasync"); return 1; }
    char record[4096];
    memset(record, 'x', sizeof record);
    struct rusage r0, r1;
    struct timespec t0, t1;
    getrusage(RUSAGE_SELF, &r0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < n; i++) {
        if (mode == 3) {
            struct iovec v = { record, (size_t)size };
            if (pwritev2(fd, &v, 1, (off_t)i * size, RWF_DSYNC) != size) { perror("pwritev2"); return 1; }
            continue;
        }
        if (pwrite(fd, record, size, (off_t)i * size) != size) { perror("pwrite"); return 1; }
        if (fdatasync(fd) != 0) { perror("fdatasync"); return 1; }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    getrusage(RUSAGE_SELF, &r1);
    double wall = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    double user = seconds(r1.ru_utime) - seconds(r0.ru_utime), sys = seconds(r1.ru_stime) - seconds(r0.ru_stime);
    printf("appends=%d mode=%d size=%d wall_us=%.1f cpu_us=%.1f user_us=%.1f sys_us=%.1f vcsw=%.2f (per append)\n",
        n, mode, size, wall / n * 1e6, (user + sys) / n * 1e6, user / n * 1e6, sys / n * 1e6,
        (double)(r1.ru_nvcsw - r0.ru_nvcsw) / n);
    close(fd);
    unlink(path);
    return 0;
}
