/* SPDX-License-Identifier: MIT */
/*
 * fdlist: write the file descriptors this process was started with to OUT,
 * one "FD TARGET" line each (the directory stream used to list them, and
 * OUT itself, opened afterwards, are not included).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
        if (argc != 2) {
                fprintf(stderr, "usage: fdlist OUT\n");
                return 3;
        }
        DIR *d = opendir("/proc/self/fd");
        if (!d) {
                perror("fdlist: /proc/self/fd");
                return 3;
        }
        char lines[256][300];
        int n = 0;
        struct dirent *de;
        while ((de = readdir(d)) && n < 256) {
                char *end;
                long fd = strtol(de->d_name, &end, 10);
                if (*end != '\0' || de->d_name[0] == '\0' || fd == dirfd(d))
                        continue;
                char path[64], target[256];
                snprintf(path, sizeof(path), "/proc/self/fd/%ld", fd);
                ssize_t len = readlink(path, target, sizeof(target) - 1);
                target[len < 0 ? 0 : len] = '\0';
                snprintf(lines[n++], sizeof(lines[0]), "%ld %s\n", fd, target);
        }
        closedir(d);
        FILE *f = fopen(argv[1], "we");
        if (!f) {
                perror(argv[1]);
                return 3;
        }
        for (int i = 0; i < n; i++)
                fputs(lines[i], f);
        return fclose(f) == 0 ? 0 : 3;
}
