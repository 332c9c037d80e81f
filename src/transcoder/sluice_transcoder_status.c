
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * What sluice-transcoder says.  stdout: machine-readable lines for the
 * nginx worker that started it,
 *
 *   layers 1280x720:3500 960x540:2200 ... audio 128      (once, at start)
 *   progress frames=N fps=F lag_ms=L dropped=D layers=K  (every 2 s)
 *
 * frames: frames encoded on the top layer; fps: their rate over the last
 * 2 s (a last line at the end, with the final counts); lag_ms: how far,
 * in timeline milliseconds, the newest frame encoded (on the slowest
 * layer) is behind the newest input frame read;
 * dropped: input video frames skipped to catch up; layers: video layers.
 * stderr: human-readable lines "sluice-transcoder: ...", warnings about
 * the input at most one per kind per 10 s (with the count of those not
 * printed).
 */


#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "transcoder/sluice_transcoder.h"


#define SLUICE_TC_STATUS_MS     2000
#define SLUICE_TC_WARN_MS       10000
/* after SIGTERM: network calls are abandoned after this, then exit */
#define SLUICE_TC_GRACE_MS      10000
#define SLUICE_TC_KILL_MS       15000


static void sluice_tc_vlog(const char *fmt, va_list args);
static void sluice_tc_av_log(void *avcl, int level, const char *fmt,
    va_list args);
static void *sluice_tc_status_thread(void *arg);
static void sluice_tc_status_print(sluice_tc_t *tc, int64_t *frames,
    int64_t ms);
static int64_t sluice_tc_now_ms(void);


static pthread_mutex_t  sluice_tc_log_lock = PTHREAD_MUTEX_INITIALIZER;
static const char      *sluice_tc_log_name;
static int64_t          sluice_tc_log_last[SLUICE_TC_LOG_KINDS];
static unsigned         sluice_tc_log_skipped[SLUICE_TC_LOG_KINDS];
static int              sluice_tc_status_quit;


void
sluice_tc_log_init(const char *name)
{
    sluice_tc_log_name = name;
    av_log_set_callback(sluice_tc_av_log);
}


void
sluice_tc_error(const char *fmt, ...)
{
    va_list  args;

    va_start(args, fmt);
    pthread_mutex_lock(&sluice_tc_log_lock);
    sluice_tc_vlog(fmt, args);
    pthread_mutex_unlock(&sluice_tc_log_lock);
    va_end(args);
}


void
sluice_tc_warn(sluice_tc_log_e kind, const char *fmt, ...)
{
    int64_t   now;
    va_list   args;
    unsigned  skipped;

    now = sluice_tc_now_ms();

    pthread_mutex_lock(&sluice_tc_log_lock);

    if (sluice_tc_log_last[kind]
        && now - sluice_tc_log_last[kind] < SLUICE_TC_WARN_MS)
    {
        sluice_tc_log_skipped[kind]++;
        pthread_mutex_unlock(&sluice_tc_log_lock);
        return;
    }

    skipped = sluice_tc_log_skipped[kind];
    sluice_tc_log_last[kind] = now;
    sluice_tc_log_skipped[kind] = 0;

    va_start(args, fmt);
    sluice_tc_vlog(fmt, args);
    va_end(args);

    if (skipped) {
        /* the same line's count, on a line of its own */
        fprintf(stderr, "sluice-transcoder: %s%s(and %u more like it in"
                " the last %d s)\n",
                sluice_tc_log_name ? sluice_tc_log_name : "",
                sluice_tc_log_name ? ": " : "", skipped,
                SLUICE_TC_WARN_MS / 1000);
    }

    pthread_mutex_unlock(&sluice_tc_log_lock);
}


const char *
sluice_tc_av_err(int err, char *buf, size_t size)
{
    av_strerror(err, buf, size);
    return buf;
}


/* one line, under the lock */

static void
sluice_tc_vlog(const char *fmt, va_list args)
{
    char  line[1024];

    vsnprintf(line, sizeof(line), fmt, args);

    fprintf(stderr, "sluice-transcoder: %s%s%s\n",
            sluice_tc_log_name ? sluice_tc_log_name : "",
            sluice_tc_log_name ? ": " : "", line);
}


/* FFmpeg's own messages: errors and warnings, one line each, limited */

static void
sluice_tc_av_log(void *avcl, int level, const char *fmt, va_list args)
{
    int          print;
    char         line[1024];
    size_t       len;
    static int   prefix = 1;

    if (level > AV_LOG_WARNING) {
        return;
    }

    print = prefix;
    av_log_format_line2(avcl, level, fmt, args, line, sizeof(line), &print);

    len = strlen(line);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
        line[--len] = '\0';
    }

    if (len) {
        sluice_tc_warn(SLUICE_TC_LOG_LIBAV, "%s", line);
    }
}


int
sluice_tc_status_start(sluice_tc_t *tc)
{
    setvbuf(stdout, NULL, _IOLBF, 0);

    return pthread_create(&tc->status, NULL, sluice_tc_status_thread, tc);
}


void
sluice_tc_status_stop(sluice_tc_t *tc)
{
    sluice_tc_store(&sluice_tc_status_quit, 1);
    pthread_join(tc->status, NULL);
}


/* "layers 1280x720:3500 960x540:2200 audio 128" */

void
sluice_tc_status_layers(sluice_tc_t *tc)
{
    char    line[512];
    size_t  i, len;

    len = snprintf(line, sizeof(line), "layers");

    for (i = 0; i < tc->nlayers && len < sizeof(line); i++) {
        len += snprintf(line + len, sizeof(line) - len, " %ux%u:%u",
                        tc->layers[i].l.width, tc->layers[i].l.height,
                        tc->layers[i].l.kbps);
    }

    if (len < sizeof(line)) {
        len += snprintf(line + len, sizeof(line) - len, " audio");
    }

    for (i = 0; i < tc->naudio && len < sizeof(line); i++) {
        len += snprintf(line + len, sizeof(line) - len, " %u",
                        tc->audio_kbps[i]);
    }

    printf("%s\n", line);
}


/*
 * In timeline ms, jumps in the input's times left out: how far the
 * reader is ahead of the frame the main thread took last (the readers'
 * clock, sluice_tc_input_clock()), plus how far that frame is ahead of the
 * newest frame encoded on the slowest layer; after a skip or a jump the
 * frame taken there counts as encoded.  With no video, the audio's.
 */

int64_t
sluice_tc_lag(sluice_tc_t *tc)
{
    size_t   i, n;
    int64_t  in, out, t, lag;

    n = sluice_tc_load(&tc->nlayers);

    if (n == 0) {
        in = sluice_tc_load(&tc->newest_in_audio);
        out = sluice_tc_load(&tc->newest_audio_out);

        if (in == SLUICE_TC_NO_TS || out == SLUICE_TC_NO_TS) {
            return 0;
        }

        return in > out ? in - out : 0;
    }

    lag = sluice_tc_load(&tc->in_clock) - sluice_tc_load(&tc->proc_clock);

    in = sluice_tc_load(&tc->last_video);
    out = INT64_MAX;

    for (i = 0; i < n; i++) {
        t = sluice_tc_load(&tc->layers[i].newest_out);
        if (t < out) {
            out = t;
        }
    }

    t = sluice_tc_load(&tc->resume);
    if (t > out) {
        out = t;
    }

    if (in != SLUICE_TC_NO_TS && out != SLUICE_TC_NO_TS && in > out) {
        lag += in - out;
    }

    return lag > 0 ? lag : 0;
}


static void *
sluice_tc_status_thread(void *arg)
{
    int64_t           frames, now, last, stop_at;
    sluice_tc_t      *tc;
    struct timespec   ts;

    tc = arg;
    frames = 0;
    last = sluice_tc_now_ms();
    stop_at = 0;

    for ( ;; ) {
        if (sluice_tc_load(&sluice_tc_status_quit)) {
            /* the last line: the whole run's counts */
            now = sluice_tc_now_ms();
            sluice_tc_status_print(tc, &frames, now > last ? now - last : 1);
            break;
        }

        ts.tv_sec = 0;
        ts.tv_nsec = 100 * 1000000;
        nanosleep(&ts, NULL);

        now = sluice_tc_now_ms();

        if (sluice_tc_stopping && stop_at == 0) {
            stop_at = now;
        }

        if (stop_at && now - stop_at > SLUICE_TC_GRACE_MS) {
            sluice_tc_stopping = 2;
        }

        if (stop_at && now - stop_at > SLUICE_TC_KILL_MS) {
            sluice_tc_error("not done %d s after the stop, exiting",
                            SLUICE_TC_KILL_MS / 1000);
            _exit(1);
        }

        if (now - last >= SLUICE_TC_STATUS_MS) {
            sluice_tc_status_print(tc, &frames, now - last);
            last = now;
        }
    }

    return NULL;
}


static void
sluice_tc_status_print(sluice_tc_t *tc, int64_t *frames, int64_t ms)
{
    size_t   n;
    int64_t  f;

    n = sluice_tc_load(&tc->nlayers);
    f = n ? sluice_tc_load(&tc->layers[0].encoded) : 0;

    printf("progress frames=%lld fps=%.2f lag_ms=%lld dropped=%lld"
           " layers=%zu\n",
           (long long) f, (double) (f - *frames) * 1000.0 / (double) ms,
           (long long) sluice_tc_lag(tc),
           (long long) sluice_tc_load(&tc->dropped), n);

    *frames = f;
}


static int64_t
sluice_tc_now_ms(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
