/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * rtmpflood: many RTMP publishers from one process, for
 * bench/load-publishers.sh.  The tags of one FLV file (read once into
 * memory) are replayed in real time on every connection, looped with
 * their timestamps running on, as ffmpeg -re -stream_loop -1 -c copy
 * does, but at the cost of a copy into a socket: one thread, one epoll
 * loop, non-blocking sockets.
 *
 *   rtmpflood -f FILE.flv -p PORT [-H HOST] [-c CHUNK] [-d SECONDS]
 *             [-s SPREAD] [-i STATS] APP/NAME...
 *
 * Each APP/NAME argument is one connection: the part before the last
 * '/' is the application (live/TOKEN), the rest the stream name.  The
 * connections start SPREAD seconds apart in all (default 2: the
 * keyframes of the streams do not line up), then speak the plain RTMP
 * handshake, Set Chunk Size (CHUNK, default 4096, as OBS), connect,
 * releaseStream, FCPublish, createStream and publish (message stream 1,
 * nginx-rtmp's), sent at once; once NetStream.Publish.Start arrives the
 * stream's clock starts and a tag of timestamp T is written at clock T
 * (the sequence headers and metadata only in the first round).  What the
 * server sends is read and dropped.
 *
 * Output (stdout, one line each, times in seconds since the epoch):
 *
 *   publish IDX APP NAME ORIGIN   stream IDX started: its tag of
 *                                 timestamp T left at ORIGIN + T/1000
 *   closed IDX REASON             the connection failed or was closed
 *   stats T up U publishing P failed F mbps M lag_ms L
 *                                 every STATS seconds (default 5): the
 *                                 connections, the bit rate written, and
 *                                 the most a tag was written after its
 *                                 time in that period (publisher or
 *                                 server behind)
 *
 * Runs DURATION seconds (default 0: until SIGINT or SIGTERM), then
 * prints a last stats line.
 */


#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>


#define RF_IDLE        0
#define RF_CONNECTING  1
#define RF_HANDSHAKE   2
#define RF_SETUP       3
#define RF_PUBLISHING  4
#define RF_FAILED      5

#define RF_HS_SIZE     1536
#define RF_IN_SIZE     8192
#define RF_OUT_HIGH    65536        /* stop adding tags beyond this */

#define RF_CS_CONTROL  2
#define RF_CS_COMMAND  3
#define RF_CS_AUDIO    4
#define RF_CS_DATA     5
#define RF_CS_VIDEO    6


typedef struct {
    unsigned char         type;
    unsigned char         first_only;   /* sequence header, metadata */
    uint32_t              ts;
    uint32_t              size;
    const unsigned char  *data;
} rf_tag_t;


typedef struct {
    int                   fd;
    int                   state;
    unsigned              idx;
    char                 *app;
    char                 *name;
    double                start;        /* when to connect */
    double                origin;       /* media clock 0 */
    double                pend_due;     /* oldest unwritten tag's time */
    size_t                next;         /* next tag */
    uint32_t              round;
    unsigned char        *out;
    size_t                out_len;
    size_t                out_pos;
    size_t                out_cap;
    unsigned char         in[RF_IN_SIZE];
    size_t                in_len;
} rf_conn_t;


static rf_tag_t   *tags;
static size_t      ntags;
static uint32_t    loop_ms;
static uint32_t    chunk = 4096;
static int         ep;
static double      max_lag;
static uint64_t    bytes_out;
static volatile sig_atomic_t  stop;


static double
now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}


static void
on_signal(int sig)
{
    (void) sig;
    stop = 1;
}


static uint32_t
be24(const unsigned char *p)
{
    return (uint32_t) p[0] << 16 | (uint32_t) p[1] << 8 | p[2];
}


/* the FLV file's tags; loop_ms: the duration of one round */

static int
load_flv(const char *file)
{
    int             fd;
    size_t          pos, cap;
    uint32_t        size, ts, last_v, last_a, dv, da;
    struct stat     st;
    unsigned char  *d;
    rf_tag_t       *t;

    fd = open(file, O_RDONLY);
    if (fd == -1 || fstat(fd, &st) == -1) {
        perror(file);
        return -1;
    }

    d = malloc(st.st_size);
    if (d == NULL || read(fd, d, st.st_size) != st.st_size) {
        perror(file);
        return -1;
    }
    close(fd);

    if (st.st_size < 13 || memcmp(d, "FLV", 3) != 0) {
        fprintf(stderr, "%s: not FLV\n", file);
        return -1;
    }

    pos = ntohl(*(uint32_t *) (d + 5)) + 4;
    cap = 0;
    last_v = last_a = dv = da = 0;

    while (pos + 11 <= (size_t) st.st_size) {
        size = be24(d + pos + 1);
        ts = be24(d + pos + 4) | (uint32_t) d[pos + 7] << 24;

        if (pos + 11 + size > (size_t) st.st_size) {
            break;
        }

        if (ntags == cap) {
            cap = cap ? cap * 2 : 4096;
            tags = realloc(tags, cap * sizeof(rf_tag_t));
            if (tags == NULL) {
                perror("realloc");
                return -1;
            }
        }

        t = &tags[ntags++];
        t->type = d[pos] & 0x1f;
        t->ts = ts;
        t->size = size;
        t->data = d + pos + 11;
        t->first_only = 0;

        if (t->type == 9 && size >= 2) {
            t->first_only = (t->data[0] & 0x0f) == 7 && t->data[1] == 0;
            if (!t->first_only) {
                dv = ts - last_v;
                last_v = ts;
            }

        } else if (t->type == 8 && size >= 2) {
            t->first_only = (t->data[0] >> 4) == 10 && t->data[1] == 0;
            if (!t->first_only) {
                da = ts - last_a;
                last_a = ts;
            }

        } else {
            t->first_only = 1;
        }

        pos += 11 + size + 4;
    }

    loop_ms = last_v + dv > last_a + da ? last_v + dv : last_a + da;

    if (ntags == 0 || loop_ms == 0) {
        fprintf(stderr, "%s: no media tag\n", file);
        return -1;
    }

    return 0;
}


static int
out_reserve(rf_conn_t *c, size_t n)
{
    size_t          cap;
    unsigned char  *p;

    if (c->out_pos == c->out_len) {
        c->out_pos = c->out_len = 0;
    }

    if (c->out_len + n <= c->out_cap) {
        return 0;
    }

    cap = c->out_cap ? c->out_cap : 65536;
    while (cap < c->out_len + n) {
        cap *= 2;
    }

    p = realloc(c->out, cap);
    if (p == NULL) {
        return -1;
    }

    c->out = p;
    c->out_cap = cap;
    return 0;
}


/* one message: a type 0 chunk, then type 3 continuations */

static int
put_message(rf_conn_t *c, unsigned cs, unsigned type, uint32_t ts,
    uint32_t msid, const unsigned char *pre, size_t pre_len,
    const unsigned char *data, size_t len)
{
    int             ext;
    size_t          total, n, sent, k;
    unsigned char  *p;

    total = pre_len + len;
    ext = ts >= 0xffffff;

    if (out_reserve(c, 16 + total + (total / chunk + 1) * 5) != 0) {
        return -1;
    }

    p = c->out + c->out_len;
    *p++ = cs;
    k = ext ? 0xffffff : ts;
    *p++ = k >> 16; *p++ = k >> 8; *p++ = k;
    *p++ = total >> 16; *p++ = total >> 8; *p++ = total;
    *p++ = type;
    *p++ = msid; *p++ = msid >> 8; *p++ = msid >> 16; *p++ = msid >> 24;
    if (ext) {
        *p++ = ts >> 24; *p++ = ts >> 16; *p++ = ts >> 8; *p++ = ts;
    }

    for (sent = 0; sent < total; sent += n) {
        if (sent) {
            *p++ = 0xc0 | cs;
            if (ext) {
                *p++ = ts >> 24; *p++ = ts >> 16; *p++ = ts >> 8; *p++ = ts;
            }
        }

        n = total - sent < chunk ? total - sent : chunk;

        for (k = 0; k < n; k++) {
            size_t  at = sent + k;

            if (at < pre_len) {
                *p++ = pre[at];

            } else {
                memcpy(p, data + (at - pre_len), n - k);
                p += n - k;
                break;
            }
        }
    }

    c->out_len = p - c->out;
    return 0;
}


/* AMF0 */

static unsigned char *
amf_str(unsigned char *p, const char *s)
{
    size_t  n = strlen(s);

    *p++ = 0x02;
    *p++ = n >> 8;
    *p++ = n;
    memcpy(p, s, n);
    return p + n;
}


static unsigned char *
amf_num(unsigned char *p, double v)
{
    int       i;
    uint64_t  b;

    memcpy(&b, &v, 8);
    *p++ = 0x00;
    for (i = 7; i >= 0; i--) {
        *p++ = b >> (i * 8);
    }
    return p;
}


static unsigned char *
amf_prop(unsigned char *p, const char *k, const char *v)
{
    size_t  n = strlen(k);

    *p++ = n >> 8;
    *p++ = n;
    memcpy(p, k, n);
    return amf_str(p + n, v);
}


static int
put_command(rf_conn_t *c, uint32_t msid, unsigned char *b, unsigned char *e)
{
    return put_message(c, RF_CS_COMMAND, 20, 0, msid, NULL, 0, b, e - b);
}


/* C2, Set Chunk Size, connect ... publish, all at once */

static int
put_setup(rf_conn_t *c, const char *host, int port)
{
    char            tc_url[1024];
    unsigned char   b[2048], *p;
    unsigned char   cs[4];

    if (out_reserve(c, RF_HS_SIZE) != 0) {
        return -1;
    }
    memcpy(c->out + c->out_len, c->in + 1, RF_HS_SIZE);    /* S1 */
    c->out_len += RF_HS_SIZE;

    cs[0] = chunk >> 24; cs[1] = chunk >> 16; cs[2] = chunk >> 8;
    cs[3] = chunk;
    if (put_message(c, RF_CS_CONTROL, 1, 0, 0, NULL, 0, cs, 4) != 0) {
        return -1;
    }
    /* the chunk size applies to what follows */

    snprintf(tc_url, sizeof(tc_url), "rtmp://%s:%d/%s", host, port, c->app);

    p = amf_num(amf_str(b, "connect"), 1);
    *p++ = 0x03;
    p = amf_prop(p, "app", c->app);
    p = amf_prop(p, "type", "nonprivate");
    p = amf_prop(p, "flashVer", "FMLE/3.0 (compatible; rtmpflood)");
    p = amf_prop(p, "tcUrl", tc_url);
    *p++ = 0; *p++ = 0; *p++ = 0x09;
    if (put_command(c, 0, b, p) != 0) {
        return -1;
    }

    p = amf_num(amf_str(b, "releaseStream"), 2);
    *p++ = 0x05;
    p = amf_str(p, c->name);
    if (put_command(c, 0, b, p) != 0) {
        return -1;
    }

    p = amf_num(amf_str(b, "FCPublish"), 3);
    *p++ = 0x05;
    p = amf_str(p, c->name);
    if (put_command(c, 0, b, p) != 0) {
        return -1;
    }

    p = amf_num(amf_str(b, "createStream"), 4);
    *p++ = 0x05;
    if (put_command(c, 0, b, p) != 0) {
        return -1;
    }

    p = amf_num(amf_str(b, "publish"), 0);
    *p++ = 0x05;
    p = amf_str(amf_str(p, c->name), "live");
    return put_command(c, 1, b, p);
}


static void
fail(rf_conn_t *c, const char *why)
{
    if (c->state == RF_FAILED) {
        return;
    }

    printf("closed %u %s\n", c->idx, why);
    if (c->fd != -1) {
        close(c->fd);
        c->fd = -1;
    }
    c->state = RF_FAILED;
}


static void
flush_out(rf_conn_t *c)
{
    ssize_t  n;

    while (c->out_pos < c->out_len) {
        n = send(c->fd, c->out + c->out_pos, c->out_len - c->out_pos,
                 MSG_NOSIGNAL);
        if (n > 0) {
            c->out_pos += n;
            bytes_out += n;
            continue;
        }
        if (n == -1 && errno == EAGAIN) {
            return;
        }
        if (n == -1 && errno == EINTR) {
            continue;
        }
        fail(c, strerror(errno));
        return;
    }

    c->pend_due = 0;
}


static void
start_connect(rf_conn_t *c, struct sockaddr_in *sa)
{
    int                  one = 1;
    struct epoll_event   ev;

    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c->fd == -1) {
        fail(c, strerror(errno));
        return;
    }
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

    if (connect(c->fd, (struct sockaddr *) sa, sizeof(*sa)) == -1
        && errno != EINPROGRESS)
    {
        fail(c, strerror(errno));
        return;
    }

    ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
    ev.data.ptr = c;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) == -1) {
        fail(c, strerror(errno));
        return;
    }

    /* C0 C1: version 3, time 0, zero, not random bytes (nginx-rtmp
     * echoes them and checks nothing) */
    if (out_reserve(c, 1 + RF_HS_SIZE) != 0) {
        fail(c, "no memory");
        return;
    }
    c->out[0] = 3;
    memset(c->out + 1, 0, RF_HS_SIZE);
    c->out_len = 1 + RF_HS_SIZE;
    c->state = RF_CONNECTING;
}


static void
on_input(rf_conn_t *c, const char *host, int port)
{
    ssize_t         n;
    unsigned char   drop[65536];

    for ( ;; ) {
        if (c->state == RF_PUBLISHING) {
            n = recv(c->fd, drop, sizeof(drop), 0);

        } else {
            if (c->in_len == RF_IN_SIZE) {
                /* keep the tail: a status string may straddle */
                memmove(c->in, c->in + RF_IN_SIZE - 256, 256);
                c->in_len = 256;
            }
            n = recv(c->fd, c->in + c->in_len, RF_IN_SIZE - c->in_len, 0);
        }

        if (n == 0) {
            fail(c, "closed by the server");
            return;
        }
        if (n == -1) {
            if (errno == EAGAIN) {
                return;
            }
            if (errno == EINTR) {
                continue;
            }
            fail(c, strerror(errno));
            return;
        }

        if (c->state == RF_PUBLISHING) {
            continue;
        }

        c->in_len += n;

        if (c->state == RF_HANDSHAKE && c->in_len >= 1 + 2 * RF_HS_SIZE) {
            if (put_setup(c, host, port) != 0) {
                fail(c, "no memory");
                return;
            }
            memmove(c->in, c->in + 1 + 2 * RF_HS_SIZE,
                    c->in_len - 1 - 2 * RF_HS_SIZE);
            c->in_len -= 1 + 2 * RF_HS_SIZE;
            c->state = RF_SETUP;
            flush_out(c);
        }

        if (c->state == RF_SETUP) {
            if (memmem(c->in, c->in_len, "NetStream.Publish.Start", 23)) {
                c->state = RF_PUBLISHING;
                c->origin = now();
                c->next = 0;
                c->round = 0;
                printf("publish %u %s %s %.3f\n", c->idx, c->app, c->name,
                       c->origin);

            } else if (memmem(c->in, c->in_len, "_error", 6)
                       || memmem(c->in, c->in_len, "NetStream.Publish.", 18))
            {
                fail(c, "publish refused");
                return;
            }
        }
    }
}


/* the tags due on a publishing connection into its buffer */

static void
pace(rf_conn_t *c, double t)
{
    double          due, lag;
    uint32_t        ts;
    rf_tag_t       *g;
    unsigned char   pre[16];

    while (c->out_len - c->out_pos < RF_OUT_HIGH) {
        g = &tags[c->next];
        ts = g->ts + c->round * loop_ms;
        due = c->origin + ts / 1000.0;

        if (due > t) {
            break;
        }

        if (!g->first_only || c->round == 0) {
            lag = t - due;
            if (lag > max_lag) {
                max_lag = lag;
            }
            if (c->out_pos == c->out_len) {
                c->pend_due = due;
            }

            if (g->type == 18) {
                /* as ffmpeg sends metadata: @setDataFrame first */
                memcpy(pre, "\x02\x00\x0d@setDataFrame", 16);
                if (put_message(c, RF_CS_DATA, 18, ts, 1, pre, 16, g->data,
                                g->size) != 0)
                {
                    fail(c, "no memory");
                    return;
                }

            } else if (put_message(c, g->type == 8 ? RF_CS_AUDIO
                                                   : RF_CS_VIDEO,
                                   g->type, ts, 1, NULL, 0, g->data,
                                   g->size) != 0)
            {
                fail(c, "no memory");
                return;
            }
        }

        if (++c->next == ntags) {
            c->next = 0;
            c->round++;
        }
    }

    if (c->pend_due && t - c->pend_due > max_lag) {
        max_lag = t - c->pend_due;
    }
}


int
main(int argc, char **argv)
{
    int                  opt, port, n, i, stats_every;
    char                *file, *host, *slash;
    double               t, t0, duration, spread, next_stats, last_stats;
    uint64_t             last_bytes;
    unsigned             nconn, up, pub, failed;
    rf_conn_t           *conns, *c;
    struct sockaddr_in   sa;
    struct epoll_event   evs[256];

    file = NULL;
    host = "127.0.0.1";
    port = 1935;
    duration = 0;
    spread = 2;
    stats_every = 5;

    while ((opt = getopt(argc, argv, "f:H:p:c:d:s:i:")) != -1) {
        switch (opt) {
        case 'f': file = optarg; break;
        case 'H': host = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'c': chunk = strtoul(optarg, NULL, 10); break;
        case 'd': duration = atof(optarg); break;
        case 's': spread = atof(optarg); break;
        case 'i': stats_every = atoi(optarg); break;
        default:
            fprintf(stderr, "usage: rtmpflood -f FILE.flv -p PORT [-H HOST]"
                    " [-c CHUNK] [-d SECONDS] [-s SPREAD] [-i STATS]"
                    " APP/NAME...\n");
            return 2;
        }
    }

    if (file == NULL || optind == argc || chunk < 128 || chunk > 0xffffff
        || stats_every < 1)
    {
        fprintf(stderr, "rtmpflood: -f FILE.flv and APP/NAME... needed\n");
        return 2;
    }

    if (load_flv(file) != 0) {
        return 1;
    }

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        fprintf(stderr, "rtmpflood: %s: not an IPv4 address\n", host);
        return 2;
    }

    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);

    ep = epoll_create1(0);
    if (ep == -1) {
        perror("epoll_create1");
        return 1;
    }

    nconn = argc - optind;
    conns = calloc(nconn, sizeof(rf_conn_t));
    if (conns == NULL) {
        perror("calloc");
        return 1;
    }

    t0 = now();

    for (i = 0; i < (int) nconn; i++) {
        c = &conns[i];
        c->idx = i;
        c->fd = -1;
        c->app = strdup(argv[optind + i]);
        slash = strrchr(c->app, '/');
        if (slash == NULL) {
            fprintf(stderr, "rtmpflood: %s: APP/NAME expected\n", c->app);
            return 2;
        }
        *slash = '\0';
        c->name = slash + 1;
        c->start = t0 + spread * i / nconn;
    }

    last_stats = t0;
    next_stats = t0 + stats_every;
    last_bytes = 0;

    while (!stop) {
        n = epoll_wait(ep, evs, 256, 5);
        t = now();

        for (i = 0; i < n; i++) {
            c = evs[i].data.ptr;
            if (c->state == RF_FAILED) {
                continue;
            }

            if (c->state == RF_CONNECTING) {
                if (evs[i].events & (EPOLLERR | EPOLLHUP)) {
                    fail(c, "connect failed");
                    continue;
                }
                c->state = RF_HANDSHAKE;
            }

            if (evs[i].events & EPOLLOUT) {
                flush_out(c);
            }
            if (c->state != RF_FAILED
                && evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
            {
                on_input(c, host, port);
            }
        }

        up = pub = failed = 0;

        for (i = 0; i < (int) nconn; i++) {
            c = &conns[i];

            if (c->state == RF_IDLE && t >= c->start) {
                start_connect(c, &sa);
            }

            if (c->state == RF_PUBLISHING) {
                pace(c, t);
                if (c->state == RF_PUBLISHING && c->out_pos < c->out_len) {
                    flush_out(c);
                }
            }

            up += c->state >= RF_HANDSHAKE && c->state <= RF_PUBLISHING;
            pub += c->state == RF_PUBLISHING;
            failed += c->state == RF_FAILED;
        }

        if (t >= next_stats || stop || (duration && t - t0 >= duration)) {
            printf("stats %.3f up %u publishing %u failed %u mbps %.1f"
                   " lag_ms %.0f\n", t, up, pub, failed,
                   (bytes_out - last_bytes) * 8 / 1e6 / (t - last_stats),
                   max_lag * 1000);
            last_bytes = bytes_out;
            last_stats = t;
            max_lag = 0;
            next_stats = t + stats_every;
        }

        if (duration && t - t0 >= duration) {
            break;
        }
    }

    return 0;
}
