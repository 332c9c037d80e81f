
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Prometheus metrics: the zone's block of counters (updated without a
 * lock by every worker) and the page of a scrape, in the text exposition
 * format version 0.0.4:
 *
 *   # HELP name text
 *   # TYPE name counter|gauge|histogram
 *   name{label="value",...} number
 *
 * one HELP and TYPE per family, its samples right after them.  Label
 * values are escaped (\\, \", \n).  The families and their labels are
 * listed in docs/metrics.md; every label has a bounded set of values:
 * formats, kinds, status classes, buckets and reasons are fixed lists,
 * live_event is one of the zone's live events (sluice_max_live_events
 * at most), track one of its 16 track slots.
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "core/ngx_sluice_metrics.h"
#include "core/ngx_sluice_telemetry.h"
#include "core/ngx_sluice_zone.h"


/* the buffers of a page, and the longest line written */
#define NGX_SLUICE_MX_BUF_SIZE         16384
#define NGX_SLUICE_MX_LINE             512

/* "video_4294967295_15" */
#define NGX_SLUICE_MX_TRACK_LEN        24


typedef struct {
    u_char                      name[NGX_SLUICE_MX_TRACK_LEN];
    uint32_t                    incoming;       /* bps, 0: not fed */
    uint64_t                    bytes;
    uint64_t                    fragments;
    uint64_t                    discontinuities;
    uint64_t                    dropped;
} ngx_sluice_mx_track_t;


typedef struct {
    u_char                      name[NGX_SLUICE_NAME_LEN + 1];
    ngx_uint_t                  state;
    ngx_uint_t                  encoding;
    ngx_uint_t                  publishers;
    int64_t                     lag_ms;         /* -1: no transcoder */
    ngx_uint_t                  ntracks;
    ngx_sluice_mx_track_t       tracks[NGX_SLUICE_MAX_TRACKS];
} ngx_sluice_mx_event_t;


typedef struct {
    ngx_pool_t                 *pool;
    ngx_chain_t                *out;
    ngx_chain_t               **last;
    ngx_buf_t                  *b;
    off_t                       len;
    ngx_uint_t                  error;
} ngx_sluice_mx_writer_t;


static ngx_uint_t ngx_sluice_mx_bucket(uint64_t usec);
static ngx_uint_t ngx_sluice_mx_snapshot(ngx_sluice_zone_ctx_t *zctx,
    ngx_sluice_mx_event_t *evs, ngx_uint_t max);
static void ngx_sluice_mx_copy_event(ngx_sluice_event_t *ev,
    ngx_sluice_mx_event_t *me);
static void ngx_sluice_mx_packager(ngx_sluice_mx_writer_t *w,
    ngx_sluice_metrics_t *m);
static void ngx_sluice_mx_others(ngx_sluice_mx_writer_t *w,
    ngx_sluice_metrics_t *m);
static void ngx_sluice_mx_zone(ngx_sluice_mx_writer_t *w, size_t size,
    size_t used);
static void ngx_sluice_mx_events(ngx_sluice_mx_writer_t *w,
    ngx_sluice_mx_event_t *evs, ngx_uint_t n);
static void ngx_sluice_mx_tracks(ngx_sluice_mx_writer_t *w,
    ngx_sluice_mx_event_t *evs, ngx_uint_t n, ngx_uint_t field);
static void ngx_sluice_mx_family(ngx_sluice_mx_writer_t *w, char *name,
    char *type, char *help);
static u_char *ngx_sluice_mx_room(ngx_sluice_mx_writer_t *w);
static void ngx_sluice_mx_done(ngx_sluice_mx_writer_t *w, u_char *p);
static u_char *ngx_sluice_mx_escape(u_char *p, u_char *s, size_t len);


static char  *ngx_sluice_mx_formats[] = {
    "hls_ts", "hls_cmaf", "dash", "smooth"
};

static char  *ngx_sluice_mx_kinds[] = {
    "manifest", "segment", "part", "init"
};

static char  *ngx_sluice_mx_codes[] = {
    "2xx", "3xx", "4xx", "5xx"
};

static char  *ngx_sluice_mx_key_kinds[] = {
    "aes128", "clearkey"
};

static char  *ngx_sluice_mx_refusals[] = {
    "token", "key", "policy"
};

static char  *ngx_sluice_mx_stores[] = {
    "fragment", "record", "api"
};

/* AMS's LiveEventResourceState, by ngx_sluice_event_state_e */
static char  *ngx_sluice_mx_states[] = {
    "Stopped", "Allocating", "StandBy", "Starting", "Running", "Stopping",
    "Deleting"
};

/* upper bounds of the latency buckets, microseconds, and their "le" */
static uint64_t  ngx_sluice_mx_bounds[NGX_SLUICE_MX_BUCKETS - 1] = {
    1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000
};

static char  *ngx_sluice_mx_le[NGX_SLUICE_MX_BUCKETS] = {
    "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
    "0.5", "1", "+Inf"
};


ngx_int_t
ngx_sluice_metrics_init_zone(ngx_sluice_shctx_t *sh)
{
    if (sh->metrics) {
        return NGX_OK;
    }

    sh->metrics = ngx_slab_calloc(sh->shpool, sizeof(ngx_sluice_metrics_t));

    return sh->metrics ? NGX_OK : NGX_ERROR;
}


void
ngx_sluice_metrics_add(ngx_sluice_shctx_t *sh, ngx_atomic_t *counter)
{
    if (counter) {
        (void) ngx_atomic_fetch_add(counter, 1);
    }
}


void
ngx_sluice_metrics_response(ngx_sluice_shctx_t *sh,
    ngx_sluice_mx_response_t *resp)
{
    ngx_uint_t             f, k, c;
    ngx_sluice_metrics_t  *m;

    if (sh == NULL || sh->metrics == NULL
        || resp->format >= NGX_SLUICE_MX_FORMATS
        || resp->kind >= NGX_SLUICE_MX_KINDS)
    {
        return;
    }

    m = sh->metrics;
    f = resp->format;
    k = resp->kind;

    c = resp->status < 300 ? 0
        : resp->status < 400 ? 1
        : resp->status < 500 ? 2 : 3;

    (void) ngx_atomic_fetch_add(&m->requests[f][k][c], 1);

    if (resp->bytes > 0) {
        (void) ngx_atomic_fetch_add(&m->bytes[f][k],
                                    (ngx_atomic_int_t) resp->bytes);
    }

    (void) ngx_atomic_fetch_add(&m->latency[f][k]
                                          [ngx_sluice_mx_bucket(resp->usec)],
                                1);
    (void) ngx_atomic_fetch_add(&m->latency_us[f][k],
                                (ngx_atomic_int_t) resp->usec);
}


static ngx_uint_t
ngx_sluice_mx_bucket(uint64_t usec)
{
    ngx_uint_t  i;

    for (i = 0; i < NGX_SLUICE_MX_BUCKETS - 1; i++) {
        if (usec <= ngx_sluice_mx_bounds[i]) {
            return i;
        }
    }

    return NGX_SLUICE_MX_BUCKETS - 1;
}


void
ngx_sluice_metrics_store_error(ngx_uint_t kind)
{
    ngx_shm_zone_t         *zone;
    ngx_sluice_zone_ctx_t  *zctx;

    zone = ngx_sluice_zone_lookup((ngx_cycle_t *) ngx_cycle);

    if (zone == NULL || zone->data == NULL || kind >= NGX_SLUICE_MX_STORES) {
        return;
    }

    zctx = zone->data;

    ngx_sluice_metrics_count(zctx->sh, store_errors, kind);
}


uint64_t
ngx_sluice_metrics_usec(void)
{
    struct timespec  ts;

    (void) clock_gettime(CLOCK_MONOTONIC, &ts);

    return (uint64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}


/* --- the page ------------------------------------------------------------ */

ngx_chain_t *
ngx_sluice_metrics_page(ngx_sluice_zone_ctx_t *zctx, ngx_pool_t *pool,
    off_t *len)
{
    size_t                   size, used;
    ngx_uint_t               n, max, pages;
    ngx_slab_pool_t         *shpool;
    ngx_sluice_mx_event_t   *evs;
    ngx_sluice_mx_writer_t   w;

    /* room for the events, taken before the lock; a few may come */

    shpool = zctx->shpool;

    ngx_shmtx_lock(&shpool->mutex);
    max = zctx->sh->nevents + 8;
    pages = (shpool->end - shpool->start) / ngx_pagesize;
    used = (pages - shpool->pfree) * ngx_pagesize;
    ngx_shmtx_unlock(&shpool->mutex);

    size = pages * ngx_pagesize;

    evs = ngx_palloc(pool, max * sizeof(ngx_sluice_mx_event_t));
    if (evs == NULL) {
        return NULL;
    }

    n = ngx_sluice_mx_snapshot(zctx, evs, max);

    ngx_memzero(&w, sizeof(ngx_sluice_mx_writer_t));
    w.pool = pool;
    w.last = &w.out;

    if (zctx->sh->metrics) {
        ngx_sluice_mx_packager(&w, zctx->sh->metrics);
        ngx_sluice_mx_others(&w, zctx->sh->metrics);
    }

    ngx_sluice_mx_zone(&w, size, used);
    ngx_sluice_mx_events(&w, evs, n);

    if (w.error || w.b == NULL) {
        return NULL;
    }

    *len = w.len;

    return w.out;
}


/* the live events and their tracks, copied under the mutex */

static ngx_uint_t
ngx_sluice_mx_snapshot(ngx_sluice_zone_ctx_t *zctx,
    ngx_sluice_mx_event_t *evs, ngx_uint_t max)
{
    ngx_uint_t           n;
    ngx_queue_t         *q, *next;
    ngx_sluice_event_t  *ev;
    ngx_sluice_shctx_t  *sh;

    sh = zctx->sh;
    n = 0;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    for (q = ngx_queue_head(&sh->events);
         q != ngx_queue_sentinel(&sh->events) && n < max;
         q = next)
    {
        next = ngx_queue_next(q);
        ev = ngx_queue_data(q, ngx_sluice_event_t, queue);

        /* a due operation first: the state shown is the current one */

        if (ngx_sluice_event_settle(sh, ev) != NGX_OK) {
            continue;
        }

        if (ev->tel) {
            ngx_sluice_tel_tick(ev, zctx->heartbeat_ms);
        }

        ngx_sluice_mx_copy_event(ev, &evs[n++]);
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    return n;
}


static void
ngx_sluice_mx_copy_event(ngx_sluice_event_t *ev, ngx_sluice_mx_event_t *me)
{
    u_char                  *p;
    ngx_uint_t               i, j;
    ngx_sluice_track_t      *tr;
    ngx_sluice_mx_track_t   *mt;
    ngx_sluice_tel_track_t  *tt;

    ngx_memcpy(me->name, ev->name, NGX_SLUICE_NAME_LEN + 1);
    me->state = ev->state;
    me->encoding = ev->encoding;
    me->publishers = ev->publishers;
    me->lag_ms = ev->transcode.pid ? ev->transcode.lag_ms : -1;
    me->ntracks = 0;

    if (ev->tel == NULL) {
        return;
    }

    for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
        tr = &ev->tracks[i];
        tt = &ev->tel->tracks[i];

        if (tr->state == NGX_SLUICE_TRACK_FREE || !tt->used
            || tt->generation != ev->generation)
        {
            continue;
        }

        mt = &me->tracks[me->ntracks];

        /* "{audio|video}_{bitrate}" as the API names it; unique */

        p = ngx_sprintf(mt->name, "%s_%uD",
                        tr->info.media_type == SLUICE_MEDIA_VIDEO
                        ? "video" : "audio", tr->info.bitrate);
        *p = '\0';

        for (j = 0; j < me->ntracks; j++) {
            if (ngx_strcmp(me->tracks[j].name, mt->name) == 0) {
                p = ngx_sprintf(p, "_%ui", i);
                *p = '\0';
                break;
            }
        }

        mt->incoming = tr->state == NGX_SLUICE_TRACK_ACTIVE
                       ? ngx_sluice_tel_incoming(tt) : 0;
        mt->bytes = tt->bytes;
        mt->fragments = tt->fragments;
        mt->discontinuities = tt->discontinuities;
        mt->dropped = tt->dropped;

        me->ntracks++;
    }
}


static void
ngx_sluice_mx_packager(ngx_sluice_mx_writer_t *w, ngx_sluice_metrics_t *m)
{
    u_char      *p;
    uint64_t     cum, us;
    ngx_uint_t   f, k, c, i;

    ngx_sluice_mx_family(w, "sluice_packager_requests_total", "counter",
        "Responses of the packager by format, kind and status class.");

    for (f = 0; f < NGX_SLUICE_MX_FORMATS; f++) {
        for (k = 0; k < NGX_SLUICE_MX_KINDS; k++) {
            for (c = 0; c < NGX_SLUICE_MX_CODES; c++) {
                p = ngx_sluice_mx_room(w);
                if (p == NULL) {
                    return;
                }

                p = ngx_sprintf(p, "sluice_packager_requests_total"
                                "{format=\"%s\",kind=\"%s\",code=\"%s\"} "
                                "%uA\n",
                                ngx_sluice_mx_formats[f],
                                ngx_sluice_mx_kinds[k],
                                ngx_sluice_mx_codes[c],
                                m->requests[f][k][c]);
                ngx_sluice_mx_done(w, p);
            }
        }
    }

    ngx_sluice_mx_family(w, "sluice_packager_response_bytes_total", "counter",
        "Bytes of the response bodies of the packager.");

    for (f = 0; f < NGX_SLUICE_MX_FORMATS; f++) {
        for (k = 0; k < NGX_SLUICE_MX_KINDS; k++) {
            p = ngx_sluice_mx_room(w);
            if (p == NULL) {
                return;
            }

            p = ngx_sprintf(p, "sluice_packager_response_bytes_total"
                            "{format=\"%s\",kind=\"%s\"} %uA\n",
                            ngx_sluice_mx_formats[f], ngx_sluice_mx_kinds[k],
                            m->bytes[f][k]);
            ngx_sluice_mx_done(w, p);
        }
    }

    ngx_sluice_mx_family(w, "sluice_packager_response_seconds", "histogram",
        "Time from the packager taking a request to its last byte "
        "written, seconds.");

    for (f = 0; f < NGX_SLUICE_MX_FORMATS; f++) {
        for (k = 0; k < NGX_SLUICE_MX_KINDS; k++) {
            cum = 0;

            for (i = 0; i < NGX_SLUICE_MX_BUCKETS; i++) {
                cum += m->latency[f][k][i];

                p = ngx_sluice_mx_room(w);
                if (p == NULL) {
                    return;
                }

                p = ngx_sprintf(p, "sluice_packager_response_seconds_bucket"
                                "{format=\"%s\",kind=\"%s\",le=\"%s\"} %uL\n",
                                ngx_sluice_mx_formats[f],
                                ngx_sluice_mx_kinds[k],
                                ngx_sluice_mx_le[i], cum);
                ngx_sluice_mx_done(w, p);
            }

            us = m->latency_us[f][k];

            p = ngx_sluice_mx_room(w);
            if (p == NULL) {
                return;
            }

            p = ngx_sprintf(p, "sluice_packager_response_seconds_sum"
                            "{format=\"%s\",kind=\"%s\"} %uL.%06uL\n"
                            "sluice_packager_response_seconds_count"
                            "{format=\"%s\",kind=\"%s\"} %uL\n",
                            ngx_sluice_mx_formats[f], ngx_sluice_mx_kinds[k],
                            us / 1000000, us % 1000000,
                            ngx_sluice_mx_formats[f], ngx_sluice_mx_kinds[k],
                            cum);
            ngx_sluice_mx_done(w, p);
        }
    }
}


/* key delivery and the store */

static void
ngx_sluice_mx_others(ngx_sluice_mx_writer_t *w, ngx_sluice_metrics_t *m)
{
    u_char      *p;
    ngx_uint_t   i;

    ngx_sluice_mx_family(w, "sluice_key_requests_total", "counter",
        "Requests to key delivery by kind.");

    for (i = 0; i < NGX_SLUICE_MX_KEY_KINDS; i++) {
        p = ngx_sluice_mx_room(w);
        if (p == NULL) {
            return;
        }

        p = ngx_sprintf(p, "sluice_key_requests_total{kind=\"%s\"} %uA\n",
                        ngx_sluice_mx_key_kinds[i], m->key_requests[i]);
        ngx_sluice_mx_done(w, p);
    }

    ngx_sluice_mx_family(w, "sluice_key_refusals_total", "counter",
        "Key requests refused, by reason (token: missing or invalid).");

    for (i = 0; i < NGX_SLUICE_MX_REFUSALS; i++) {
        p = ngx_sluice_mx_room(w);
        if (p == NULL) {
            return;
        }

        p = ngx_sprintf(p, "sluice_key_refusals_total{reason=\"%s\"} %uA\n",
                        ngx_sluice_mx_refusals[i], m->key_refusals[i]);
        ngx_sluice_mx_done(w, p);
    }

    ngx_sluice_mx_family(w, "sluice_store_errors_total", "counter",
        "Writes to the data directory that failed, by what was written.");

    for (i = 0; i < NGX_SLUICE_MX_STORES; i++) {
        p = ngx_sluice_mx_room(w);
        if (p == NULL) {
            return;
        }

        p = ngx_sprintf(p, "sluice_store_errors_total{kind=\"%s\"} %uA\n",
                        ngx_sluice_mx_stores[i], m->store_errors[i]);
        ngx_sluice_mx_done(w, p);
    }
}


#define NGX_SLUICE_MX_BITRATE          0
#define NGX_SLUICE_MX_BYTES            1
#define NGX_SLUICE_MX_FRAGMENTS        2
#define NGX_SLUICE_MX_DISCONTINUITIES  3
#define NGX_SLUICE_MX_DROPPED          4


/* the zone's pages: all, and those in use (whole pages, however full) */

static void
ngx_sluice_mx_zone(ngx_sluice_mx_writer_t *w, size_t size, size_t used)
{
    u_char  *p;

    ngx_sluice_mx_family(w, "sluice_zone_size_bytes", "gauge",
        "Pages of the shared memory zone, in bytes.");

    p = ngx_sluice_mx_room(w);
    if (p == NULL) {
        return;
    }

    ngx_sluice_mx_done(w, ngx_sprintf(p, "sluice_zone_size_bytes %uz\n",
                                      size));

    ngx_sluice_mx_family(w, "sluice_zone_used_bytes", "gauge",
        "Pages of the shared memory zone in use, in bytes.");

    p = ngx_sluice_mx_room(w);
    if (p == NULL) {
        return;
    }

    ngx_sluice_mx_done(w, ngx_sprintf(p, "sluice_zone_used_bytes %uz\n",
                                      used));
}


static void
ngx_sluice_mx_events(ngx_sluice_mx_writer_t *w, ngx_sluice_mx_event_t *evs,
    ngx_uint_t n)
{
    u_char      *p;
    ngx_uint_t   i, s;

    ngx_sluice_mx_family(w, "sluice_live_events", "gauge",
        "Live events in the zone.");

    p = ngx_sluice_mx_room(w);
    if (p == NULL) {
        return;
    }

    ngx_sluice_mx_done(w, ngx_sprintf(p, "sluice_live_events %ui\n", n));

    ngx_sluice_mx_family(w, "sluice_live_event_state", "gauge",
        "1 for the state the live event is in, 0 for the others.");

    for (i = 0; i < n; i++) {
        for (s = 0; s < 7; s++) {
            p = ngx_sluice_mx_room(w);
            if (p == NULL) {
                return;
            }

            p = ngx_cpymem(p, "sluice_live_event_state{live_event=\"",
                           sizeof("sluice_live_event_state{live_event=\"")
                           - 1);
            p = ngx_sluice_mx_escape(p, evs[i].name,
                                     ngx_strlen(evs[i].name));
            p = ngx_sprintf(p, "\",state=\"%s\"} %d\n",
                            ngx_sluice_mx_states[s], evs[i].state == s);
            ngx_sluice_mx_done(w, p);
        }
    }

    ngx_sluice_mx_family(w, "sluice_live_event_encoders", "gauge",
        "Encoders connected to the live event (publishing).");

    for (i = 0; i < n; i++) {
        p = ngx_sluice_mx_room(w);
        if (p == NULL) {
            return;
        }

        p = ngx_cpymem(p, "sluice_live_event_encoders{live_event=\"",
                       sizeof("sluice_live_event_encoders{live_event=\"") - 1);
        p = ngx_sluice_mx_escape(p, evs[i].name, ngx_strlen(evs[i].name));
        p = ngx_sprintf(p, "\"} %ui\n", evs[i].publishers);
        ngx_sluice_mx_done(w, p);
    }

    ngx_sluice_mx_family(w, "sluice_live_event_transcoder_lag_seconds",
        "gauge", "How far the live encoder is behind its input, seconds "
        "(live encoding events; 0 without a transcoder running).");

    for (i = 0; i < n; i++) {
        if (!ngx_sluice_encoding_live(evs[i].encoding)) {
            continue;
        }

        p = ngx_sluice_mx_room(w);
        if (p == NULL) {
            return;
        }

        p = ngx_cpymem(p, "sluice_live_event_transcoder_lag_seconds"
                       "{live_event=\"",
                       sizeof("sluice_live_event_transcoder_lag_seconds"
                              "{live_event=\"") - 1);
        p = ngx_sluice_mx_escape(p, evs[i].name, ngx_strlen(evs[i].name));
        p = ngx_sprintf(p, "\"} %uL.%03uL\n",
                        (uint64_t) ngx_max(evs[i].lag_ms, 0) / 1000,
                        (uint64_t) ngx_max(evs[i].lag_ms, 0) % 1000);
        ngx_sluice_mx_done(w, p);
    }

    ngx_sluice_mx_family(w, "sluice_ingest_bitrate_bits_per_second", "gauge",
        "Incoming bitrate of a track over the last heartbeat window or so "
        "(0: not fed).");
    ngx_sluice_mx_tracks(w, evs, n, NGX_SLUICE_MX_BITRATE);

    ngx_sluice_mx_family(w, "sluice_ingest_bytes_total", "counter",
        "Media bytes received for a track (since the live event's start "
        "or reset).");
    ngx_sluice_mx_tracks(w, evs, n, NGX_SLUICE_MX_BYTES);

    ngx_sluice_mx_family(w, "sluice_ingest_fragments_total", "counter",
        "Fragments cut from a track (since the live event's start or "
        "reset).");
    ngx_sluice_mx_tracks(w, evs, n, NGX_SLUICE_MX_FRAGMENTS);

    ngx_sluice_mx_family(w, "sluice_ingest_discontinuities_total", "counter",
        "Discontinuities of a track's timestamps (since the live event's "
        "start or reset).");
    ngx_sluice_mx_tracks(w, evs, n, NGX_SLUICE_MX_DISCONTINUITIES);

    ngx_sluice_mx_family(w, "sluice_ingest_dropped_fragments_total",
        "counter", "Fragments of a track not stored (since the live "
        "event's start or reset).");
    ngx_sluice_mx_tracks(w, evs, n, NGX_SLUICE_MX_DROPPED);
}


static void
ngx_sluice_mx_tracks(ngx_sluice_mx_writer_t *w, ngx_sluice_mx_event_t *evs,
    ngx_uint_t n, ngx_uint_t field)
{
    u_char                 *p;
    uint64_t                v;
    ngx_uint_t              i, j;
    const char             *name;
    ngx_sluice_mx_track_t  *mt;

    static const char  *names[] = {
        "sluice_ingest_bitrate_bits_per_second",
        "sluice_ingest_bytes_total",
        "sluice_ingest_fragments_total",
        "sluice_ingest_discontinuities_total",
        "sluice_ingest_dropped_fragments_total"
    };

    name = names[field];

    for (i = 0; i < n; i++) {
        for (j = 0; j < evs[i].ntracks; j++) {
            mt = &evs[i].tracks[j];

            switch (field) {
            case NGX_SLUICE_MX_BITRATE:
                v = mt->incoming;
                break;
            case NGX_SLUICE_MX_BYTES:
                v = mt->bytes;
                break;
            case NGX_SLUICE_MX_FRAGMENTS:
                v = mt->fragments;
                break;
            case NGX_SLUICE_MX_DISCONTINUITIES:
                v = mt->discontinuities;
                break;
            default:
                v = mt->dropped;
            }

            p = ngx_sluice_mx_room(w);
            if (p == NULL) {
                return;
            }

            p = ngx_sprintf(p, "%s{live_event=\"", name);
            p = ngx_sluice_mx_escape(p, evs[i].name, ngx_strlen(evs[i].name));
            p = ngx_cpymem(p, "\",track=\"", sizeof("\",track=\"") - 1);
            p = ngx_sluice_mx_escape(p, mt->name, ngx_strlen(mt->name));
            p = ngx_sprintf(p, "\"} %uL\n", v);
            ngx_sluice_mx_done(w, p);
        }
    }
}


static void
ngx_sluice_mx_family(ngx_sluice_mx_writer_t *w, char *name, char *type,
    char *help)
{
    u_char  *p;

    p = ngx_sluice_mx_room(w);
    if (p == NULL) {
        return;
    }

    p = ngx_sprintf(p, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
                    type);
    ngx_sluice_mx_done(w, p);
}


/* room for a line at w->b->last: NULL on error */

static u_char *
ngx_sluice_mx_room(ngx_sluice_mx_writer_t *w)
{
    ngx_chain_t  *cl;

    if (w->error) {
        return NULL;
    }

    if (w->b && w->b->end - w->b->last >= NGX_SLUICE_MX_LINE) {
        return w->b->last;
    }

    cl = ngx_alloc_chain_link(w->pool);
    if (cl == NULL) {
        w->error = 1;
        return NULL;
    }

    cl->buf = ngx_create_temp_buf(w->pool, NGX_SLUICE_MX_BUF_SIZE);
    if (cl->buf == NULL) {
        w->error = 1;
        return NULL;
    }

    cl->next = NULL;
    *w->last = cl;
    w->last = &cl->next;
    w->b = cl->buf;

    return w->b->last;
}


static void
ngx_sluice_mx_done(ngx_sluice_mx_writer_t *w, u_char *p)
{
    w->len += p - w->b->last;
    w->b->last = p;
}


/* a label value: backslash, double quote and line feed escaped */

static u_char *
ngx_sluice_mx_escape(u_char *p, u_char *s, size_t len)
{
    while (len--) {
        switch (*s) {
        case '\\':
        case '"':
            *p++ = '\\';
            *p++ = *s;
            break;
        case '\n':
            *p++ = '\\';
            *p++ = 'n';
            break;
        default:
            *p++ = *s;
        }

        s++;
    }

    return p;
}
