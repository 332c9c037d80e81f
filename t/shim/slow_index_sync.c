
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * A test shim (LD_PRELOAD, t/133-archive-unsynced.t): fdatasync() of a
 * file named "index" (an asset's archive index) takes 1.5 s longer, the
 * time a slow disk takes, so that a test can look at what the server
 * shows while an index record waits for its sync.  Other files are
 * synced as usual.
 */

#define _GNU_SOURCE

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


#define SLOW_INDEX_SYNC_NS  1500000000L


int
fdatasync(int fd)
{
    char              link[64], path[4096];
    ssize_t           n;
    struct timespec   ts;

    static int      (*real)(int);

    if (real == NULL) {
        real = (int (*)(int)) dlsym(RTLD_NEXT, "fdatasync");
    }

    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);

    n = readlink(link, path, sizeof(path) - 1);

    if (n > 6) {
        path[n] = '\0';

        if (strcmp(path + n - 6, "/index") == 0) {
            ts.tv_sec = SLOW_INDEX_SYNC_NS / 1000000000L;
            ts.tv_nsec = SLOW_INDEX_SYNC_NS % 1000000000L;
            (void) nanosleep(&ts, NULL);
        }
    }

    return real(fd);
}
