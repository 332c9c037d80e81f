
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The telemetry actions of a live event (AMS 2022-11-01), from its
 * telemetry block in the zone (core/ngx_sluice_telemetry.h), so any
 * worker answers:
 *
 *   POST liveEvents/{name}/getStatus: LiveEventStatus, the state, a
 *     health status and the descriptions behind it, the ingestion (stream,
 *     begin, end, interruptions) and each track's expected and incoming
 *     bitrates and drift; of a live encoding event, its transcoder
 *     (running, layers, frames per second, lag behind the input, GOPs
 *     dropped, starts);
 *   POST liveEvents/{name}/getStreamEvents: the newest stream events
 *     (LiveEventStreamEvent), oldest first;
 *   POST liveEvents/{name}/getTrackIngestHeartbeats: the newest
 *     heartbeats of the tracks of the current timeline
 *     (LiveEventTrackEvent), in time order.
 *
 * Answered at once (200; the operations are long-running in AMS, which
 * clients accept as done).  Tracks are named "{audio|video}_{bitrate}"
 * everywhere (trackId, trackName), the expected bitrate being the one
 * the encoder declared or the first fragment measured.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api.h"
#include "api/ngx_http_sluice_api_build.h"
#include "api/ngx_http_sluice_api_live_event.h"
#include "core/ngx_sluice_telemetry.h"
#include "core/ngx_sluice_zone.h"
#include "util/sluice_iso8601.h"


/* a live event and its telemetry, copied out under the mutex */
typedef struct {
    ngx_uint_t                  state;
    ngx_uint_t                  encoding;
    ngx_uint_t                  active;         /* tracks fed now */
    ngx_uint_t                  unhealthy;      /* of them */
    ngx_uint_t                  telemetry;      /* sluice_telemetry */
    ngx_msec_t                  gop;
    uint32_t                    generation;
    ngx_sluice_transcode_t      xc;
    ngx_sluice_track_t          tracks[NGX_SLUICE_MAX_TRACKS];
    ngx_sluice_tel_t           *tel;            /* NULL: none yet */
    ngx_sluice_tel_event_t     *events;         /* tel->events, in order */
} ngx_http_sluice_les_t;


#define ngx_http_sluice_les_tracked(st, i)                                   \
    ((st)->tel && (st)->tel->tracks[i].used                                  \
     && (st)->tel->tracks[i].generation == (st)->generation                  \
     && (st)->tracks[i].state != NGX_SLUICE_TRACK_FREE)


static ngx_int_t ngx_http_sluice_les_read(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_les_t *st);
static ngx_int_t ngx_http_sluice_les_respond(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_les_t *st,
    ngx_int_t (*fill)(sluice_alloc_t *a, ngx_http_sluice_les_t *st,
                      sluice_json_t *arr));
static ngx_int_t ngx_http_sluice_les_status(sluice_alloc_t *a,
    ngx_http_sluice_les_t *st, sluice_json_t *arr);
static ngx_int_t ngx_http_sluice_les_ingestion(sluice_alloc_t *a,
    ngx_sluice_tel_t *tel, sluice_json_t *res);
static ngx_int_t ngx_http_sluice_les_track_status(sluice_alloc_t *a,
    ngx_http_sluice_les_t *st, sluice_json_t *arr);
static const char *ngx_http_sluice_les_health(ngx_http_sluice_les_t *st,
    sluice_alloc_t *a, sluice_json_t *desc);
static ngx_int_t ngx_http_sluice_les_track_health(ngx_http_sluice_les_t *st,
    sluice_alloc_t *a, sluice_json_t *desc, ngx_uint_t *score);
static ngx_int_t ngx_http_sluice_les_say(sluice_alloc_t *a,
    sluice_json_t *desc, u_char *p, u_char *last);
static ngx_int_t ngx_http_sluice_les_events(sluice_alloc_t *a,
    ngx_http_sluice_les_t *st, sluice_json_t *arr);
static sluice_json_t *ngx_http_sluice_les_event(sluice_alloc_t *a,
    ngx_sluice_tel_event_t *e);
static ngx_int_t ngx_http_sluice_les_event_track(sluice_alloc_t *a,
    ngx_sluice_tel_event_t *e, sluice_json_t *d);
static ngx_int_t ngx_http_sluice_les_event_unsync(sluice_alloc_t *a,
    ngx_sluice_tel_event_t *e, sluice_json_t *d);
static ngx_int_t ngx_http_sluice_les_beats(sluice_alloc_t *a,
    ngx_http_sluice_les_t *st, sluice_json_t *arr);
static sluice_json_t *ngx_http_sluice_les_beat(sluice_alloc_t *a,
    ngx_sluice_tel_beat_t *b);
static sluice_json_t *ngx_http_sluice_les_track_name(sluice_alloc_t *a,
    ngx_uint_t media, uint32_t bitrate);
static sluice_json_t *ngx_http_sluice_les_u64(sluice_alloc_t *a,
    uint64_t n);
static sluice_json_t *ngx_http_sluice_les_drift(sluice_alloc_t *a,
    int32_t drift);


static const char  *ngx_http_sluice_les_types[] = {
    "StreamEvent/BeginIngest",
    "StreamEvent/EndIngest",
    "StreamEvent/FirstChunkReceived",
    "StreamEvent/ChunkDropped",
    "StreamEvent/UnalignedKeyFrames",
    "StreamEvent/UnalignedPresentation",
    "StreamEvent/Discontinuity",
    "StreamEvent/InvalidConnection"
};


static const char  *ngx_http_sluice_les_levels[] = {
    "Critical", "Error", "Warning", "Information"
};


#define ngx_http_sluice_les_set(a, obj, key, val)                            \
    do {                                                                     \
        if (ngx_http_sluice_res_set(a, obj, key, val) != NGX_OK) {           \
            return NGX_ERROR;                                                \
        }                                                                    \
    } while (0)

#define ngx_http_sluice_les_set_null(a, obj, key, val)                       \
    do {                                                                     \
        if (ngx_http_sluice_res_set(a, obj, key, val) != NGX_OK) {           \
            return NULL;                                                     \
        }                                                                    \
    } while (0)


ngx_int_t
ngx_http_sluice_le_status(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    ngx_http_sluice_les_t  st;

    return ngx_http_sluice_les_respond(r, ctx, &st,
                                       ngx_http_sluice_les_status);
}


ngx_int_t
ngx_http_sluice_le_stream_events(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    ngx_http_sluice_les_t  st;

    return ngx_http_sluice_les_respond(r, ctx, &st,
                                       ngx_http_sluice_les_events);
}


ngx_int_t
ngx_http_sluice_le_heartbeats(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    ngx_http_sluice_les_t  st;

    return ngx_http_sluice_les_respond(r, ctx, &st,
                                       ngx_http_sluice_les_beats);
}


/* {"value": [...]} with the items fill makes */

static ngx_int_t
ngx_http_sluice_les_respond(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_les_t *st,
    ngx_int_t (*fill)(sluice_alloc_t *a, ngx_http_sluice_les_t *st,
                      sluice_json_t *arr))
{
    ngx_int_t        rc;
    sluice_json_t   *res, *arr;
    sluice_alloc_t  *a;

    rc = ngx_http_sluice_les_read(r, ctx, st);

    if (rc == NGX_DECLINED) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "Live event '%V' was not found.", &ctx->name);
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    a = &ctx->alloc;

    res = sluice_json_new(a, SLUICE_JSON_OBJECT);
    arr = sluice_json_new(a, SLUICE_JSON_ARRAY);

    if (res == NULL || arr == NULL
        || fill(a, st, arr) != NGX_OK
        || ngx_http_sluice_res_set(a, res, "value", arr) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_sluice_api_send(r, NGX_HTTP_OK, res);
}


/*
 * The event and a copy of its telemetry, the heartbeats due taken
 * first: NGX_OK, NGX_DECLINED (no such event), NGX_ERROR
 */

static ngx_int_t
ngx_http_sluice_les_read(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_les_t *st)
{
    size_t                  size;
    ngx_uint_t              i, n;
    ngx_sluice_tel_t       *tel;
    ngx_sluice_track_t     *tr;
    ngx_sluice_event_t     *ev;
    ngx_sluice_zone_ctx_t  *zctx;

    zctx = ctx->conf->shm_zone->data;

    ngx_memzero(st, sizeof(ngx_http_sluice_les_t));

    st->telemetry = zctx->telemetry;

    /* room for the copy, taken before the lock */

    size = sizeof(ngx_sluice_tel_t)
           + NGX_SLUICE_TEL_NEVENTS * sizeof(ngx_sluice_tel_event_t);

    tel = ngx_palloc(r->pool, size);
    if (tel == NULL) {
        return NGX_ERROR;
    }

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ev = ngx_sluice_event_by_name(zctx->sh, ctx->name.data, ctx->name.len);

    if (ev) {
        st->state = ev->state;
        st->encoding = ev->encoding;
        st->gop = ev->fragment_ms;
        st->xc = ev->transcode;
        st->generation = ev->generation;

        ngx_memcpy(st->tracks, ev->tracks, sizeof(st->tracks));

        for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
            tr = &ev->tracks[i];

            if (tr->state == NGX_SLUICE_TRACK_ACTIVE) {
                st->active++;

                if (tr->unhealthy) {
                    st->unhealthy++;
                }
            }
        }

        if (ev->tel) {
            ngx_sluice_tel_tick(ev, zctx->heartbeat_ms);

            ngx_memcpy(tel, ev->tel, sizeof(ngx_sluice_tel_t));

            /* the stream events oldest first */

            st->events = (ngx_sluice_tel_event_t *) &tel[1];
            n = tel->events.n;

            for (i = 0; i < n; i++) {
                st->events[i] = ev->tel->events.ev[(tel->events.head + i)
                                                   % tel->events.cap];
            }

            tel->events.ev = st->events;
            tel->events.head = 0;
            st->tel = tel;
        }
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    return ev ? NGX_OK : NGX_DECLINED;
}


/* --- getStatus ----------------------------------------------------------- */

static ngx_int_t
ngx_http_sluice_les_status(sluice_alloc_t *a, ngx_http_sluice_les_t *st,
    sluice_json_t *arr)
{
    const char     *health;
    sluice_json_t  *s, *desc, *tracks;

    s = sluice_json_new(a, SLUICE_JSON_OBJECT);
    desc = sluice_json_new(a, SLUICE_JSON_ARRAY);
    tracks = sluice_json_new(a, SLUICE_JSON_ARRAY);

    if (s == NULL || desc == NULL || tracks == NULL) {
        return NGX_ERROR;
    }

    health = ngx_http_sluice_les_health(st, a, desc);
    if (health == NULL) {
        return NGX_ERROR;
    }

    ngx_http_sluice_les_set(a, s, "state",
        sluice_json_new_cstring(a, st->state == NGX_SLUICE_RUNNING
                                   ? "Running" : "Stopped"));
    ngx_http_sluice_les_set(a, s, "healthStatus",
                            sluice_json_new_cstring(a, health));
    ngx_http_sluice_les_set(a, s, "healthDescriptions", desc);
    ngx_http_sluice_les_set(a, s, "lastUpdatedTime",
        ngx_http_sluice_time_json(a, (int64_t) ngx_sluice_now_ms()));

    if (st->tel && st->tel->generation == st->generation
        && st->tel->begin_ms
        && ngx_http_sluice_les_ingestion(a, st->tel, s) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ngx_http_sluice_les_track_status(a, st, tracks) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_http_sluice_les_set(a, s, "trackStatus", tracks);

    sluice_json_append(arr, s);

    return NGX_OK;
}


/* LiveEventIngestion: the ingest of the current timeline */

static ngx_int_t
ngx_http_sluice_les_ingestion(sluice_alloc_t *a, ngx_sluice_tel_t *tel,
    sluice_json_t *res)
{
    u_char                   buf[64], *p;
    uint64_t                 s;
    ngx_uint_t               i, n, first;
    sluice_json_t           *in, *breaks, *b;
    ngx_sluice_tel_break_t  *br;

    in = sluice_json_new(a, SLUICE_JSON_OBJECT);
    breaks = sluice_json_new(a, SLUICE_JSON_ARRAY);

    if (in == NULL || breaks == NULL) {
        return NGX_ERROR;
    }

    ngx_http_sluice_les_set(a, in, "streamName",
                            sluice_json_new_cstring(a, (char *) tel->stream));
    ngx_http_sluice_les_set(a, in, "begin",
                            ngx_http_sluice_time_json(a, tel->begin_ms));

    if (tel->end_ms) {
        ngx_http_sluice_les_set(a, in, "end",
                                ngx_http_sluice_time_json(a, tel->end_ms));
        ngx_http_sluice_les_set(a, in, "endReason",
            sluice_json_new_cstring(a, (char *) tel->end_reason));
    }

    /* the interruptions that ended, oldest first */

    n = ngx_min(tel->nbreaks, NGX_SLUICE_TEL_NBREAKS);
    first = tel->nbreaks - n;

    for (i = first; i < tel->nbreaks; i++) {
        br = &tel->breaks[i % NGX_SLUICE_TEL_NBREAKS];

        if (br->end_ms == 0 || br->end_ms < br->begin_ms) {
            continue;
        }

        b = sluice_json_new(a, SLUICE_JSON_OBJECT);
        if (b == NULL) {
            return NGX_ERROR;
        }

        s = br->end_ms - br->begin_ms;
        p = ngx_sprintf(buf, "PT%uL.%03uLS", s / 1000, s % 1000);

        ngx_http_sluice_les_set(a, b, "begin",
                                ngx_http_sluice_time_json(a, br->begin_ms));
        ngx_http_sluice_les_set(a, b, "end",
                                ngx_http_sluice_time_json(a, br->end_ms));
        ngx_http_sluice_les_set(a, b, "duration",
                                sluice_json_new_string(a, buf, p - buf));
        ngx_http_sluice_les_set(a, b, "reason",
            sluice_json_new_cstring(a, (char *) br->reason));

        sluice_json_append(breaks, b);
    }

    ngx_http_sluice_les_set(a, in, "ingestInterruptions", breaks);
    ngx_http_sluice_les_set(a, res, "ingestion", in);

    return NGX_OK;
}


/* LiveEventTrackStatus of each track of the current timeline */

static ngx_int_t
ngx_http_sluice_les_track_status(sluice_alloc_t *a, ngx_http_sluice_les_t *st,
    sluice_json_t *arr)
{
    ngx_uint_t               i;
    sluice_json_t           *t;
    ngx_sluice_track_t      *tr;
    ngx_sluice_tel_track_t  *tt;

    for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
        tr = &st->tracks[i];

        if (tr->state == NGX_SLUICE_TRACK_FREE) {
            continue;
        }

        t = sluice_json_new(a, SLUICE_JSON_OBJECT);
        if (t == NULL) {
            return NGX_ERROR;
        }

        ngx_http_sluice_les_set(a, t, "trackId",
            ngx_http_sluice_les_track_name(a, tr->info.media_type,
                                           tr->info.bitrate));
        ngx_http_sluice_les_set(a, t, "expectedBitrate",
                                sluice_json_new_int(a, tr->info.bitrate));

        tt = ngx_http_sluice_les_tracked(st, i) ? &st->tel->tracks[i] : NULL;

        ngx_http_sluice_les_set(a, t, "incomingBitrate",
            sluice_json_new_int(a, (tt && tr->state == NGX_SLUICE_TRACK_ACTIVE)
                                   ? ngx_sluice_tel_incoming(tt) : 0));
        ngx_http_sluice_les_set(a, t, "ingestDrift",
            ngx_http_sluice_les_drift(a, tt ? tt->drift
                                            : NGX_SLUICE_TEL_DRIFT_NA));

        sluice_json_append(arr, t);
    }

    return NGX_OK;
}


/*
 * AMS's health: Excellent when every track comes at 75% or more of its
 * expected bitrate, without discontinuity, overlap or drift, every
 * track written and recorded, and, for live encoding, the transcoder
 * running within one GOP of its input with nothing dropped; Good when
 * the tracks come at 20% or more, the transcoder running; Poor
 * otherwise.  One description per finding.
 */

static const char *
ngx_http_sluice_les_health(ngx_http_sluice_les_t *st, sluice_alloc_t *a,
    sluice_json_t *desc)
{
    u_char      buf[256];
    ngx_uint_t  score;

    score = 2;

    if (st->state != NGX_SLUICE_RUNNING) {
        return ngx_http_sluice_les_say(a, desc, buf,
                   ngx_sprintf(buf, "The live event is not running."))
               == NGX_OK ? "Poor" : NULL;
    }

    if (ngx_sluice_encoding_live(st->encoding)) {

        if (st->xc.owner == 0) {
            score = 0;

            if (ngx_http_sluice_les_say(a, desc, buf,
                    ngx_sprintf(buf, "No contribution stream."))
                != NGX_OK)
            {
                return NULL;
            }

        } else if (st->xc.pid == 0) {
            score = 0;

            if (ngx_http_sluice_les_say(a, desc, buf,
                    ngx_sprintf(buf, "Transcoder not running (started %ui "
                                "times; restarting).", st->xc.starts))
                != NGX_OK)
            {
                return NULL;
            }

        } else {
            if (st->xc.lag_ms < 0 || st->xc.lag_ms > (int64_t) st->gop
                || st->xc.dropped || st->xc.skipped)
            {
                score = 1;
            }

            if (ngx_http_sluice_les_say(a, desc, buf,
                    ngx_sprintf(buf, "Transcoder running (pid %P, started "
                                "%ui times): %ui layers, %ui.%02ui frames/s,"
                                " lag %L ms, %ui GOPs dropped, %ui input "
                                "skips.", st->xc.pid, st->xc.starts,
                                st->xc.layers, st->xc.fps100 / 100,
                                st->xc.fps100 % 100, st->xc.lag_ms,
                                st->xc.dropped, st->xc.skipped))
                != NGX_OK)
            {
                return NULL;
            }
        }
    }

    if (st->active == 0) {
        score = 0;

        if (ngx_http_sluice_les_say(a, desc, buf,
                ngx_sprintf(buf, "No track is being ingested."))
            != NGX_OK)
        {
            return NULL;
        }

    } else if (st->unhealthy) {
        score = ngx_min(score, 1);

        if (ngx_http_sluice_les_say(a, desc, buf,
                ngx_sprintf(buf, "%ui of %ui tracks cannot be written or "
                            "recorded.", st->unhealthy, st->active))
            != NGX_OK)
        {
            return NULL;
        }
    }

    if (!st->telemetry
        && ngx_http_sluice_les_say(a, desc, buf,
               ngx_sprintf(buf, "Track telemetry is off (sluice_telemetry): "
                           "incoming bitrates and drift are not measured."))
           != NGX_OK)
    {
        return NULL;
    }

    if (ngx_http_sluice_les_track_health(st, a, desc, &score) != NGX_OK) {
        return NULL;
    }

    if (desc->count == 0
        && ngx_http_sluice_les_say(a, desc, buf,
               ngx_sprintf(buf, "No issues with ingest."))
           != NGX_OK)
    {
        return NULL;
    }

    return score == 2 ? "Excellent" : (score == 1 ? "Good" : "Poor");
}


/* the tracks being fed: bitrate against the expected one, their windows */

static ngx_int_t
ngx_http_sluice_les_track_health(ngx_http_sluice_les_t *st, sluice_alloc_t *a,
    sluice_json_t *desc, ngx_uint_t *score)
{
    u_char                   buf[256];
    uint64_t                 in, want;
    ngx_uint_t               i, disc, over, back;
    ngx_sluice_track_t      *tr;
    ngx_sluice_tel_beat_t   *b;
    ngx_sluice_tel_track_t  *tt;

    for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
        tr = &st->tracks[i];

        if (tr->state != NGX_SLUICE_TRACK_ACTIVE
            || !ngx_http_sluice_les_tracked(st, i))
        {
            continue;
        }

        tt = &st->tel->tracks[i];

        if (tt->nbeats == 0 && tt->win_media == 0) {
            continue;       /* nothing measured yet */
        }

        in = ngx_sluice_tel_incoming(tt);
        want = tr->info.bitrate;

        /* the last heartbeat's window and the one in progress */

        disc = tt->win_discontinuities;
        over = tt->win_overlaps;
        back = tt->win_nonincreasing;

        if (tt->nbeats) {
            b = &tt->beats[(tt->bhead + tt->nbeats - 1)
                           % NGX_SLUICE_TEL_NBEATS];
            disc += b->discontinuities;
            over += b->overlaps;
            back += b->nonincreasing;
        }

        if (want && in * 100 < want * 20) {
            *score = 0;

        } else if (want && in * 100 < want * 75) {
            *score = ngx_min(*score, 1);

        } else {
            want = 0;       /* nothing to say */
        }

        if (want
            && ngx_http_sluice_les_say(a, desc, buf,
                   ngx_sprintf(buf, "Track %s_%uD: incoming bitrate %uL is "
                               "below %s of the expected %uL.",
                               tr->info.media_type == SLUICE_MEDIA_VIDEO
                               ? "video" : "audio", tr->info.bitrate, in,
                               *score ? "75%" : "20%", want))
               != NGX_OK)
        {
            return NGX_ERROR;
        }

        if (disc + over + back == 0
            && (tt->drift <= 0 || tt->drift == NGX_SLUICE_TEL_DRIFT_NA))
        {
            continue;
        }

        *score = ngx_min(*score, 1);

        if (ngx_http_sluice_les_say(a, desc, buf,
                ngx_sprintf(buf, "Track %s_%uD: %ui discontinuities, %ui "
                            "overlaps, %ui non-increasing timestamps, drift "
                            "%D s/min.",
                            tr->info.media_type == SLUICE_MEDIA_VIDEO
                            ? "video" : "audio", tr->info.bitrate, disc,
                            over, back,
                            tt->drift == NGX_SLUICE_TEL_DRIFT_NA
                            ? 0 : tt->drift))
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_les_say(sluice_alloc_t *a, sluice_json_t *desc, u_char *p,
    u_char *last)
{
    sluice_json_t  *s;

    s = sluice_json_new_string(a, p, last - p);

    if (s == NULL) {
        return NGX_ERROR;
    }

    sluice_json_append(desc, s);

    return NGX_OK;
}


/* --- getStreamEvents ----------------------------------------------------- */

static ngx_int_t
ngx_http_sluice_les_events(sluice_alloc_t *a, ngx_http_sluice_les_t *st,
    sluice_json_t *arr)
{
    ngx_uint_t      i;
    sluice_json_t  *e;

    if (st->tel == NULL) {
        return NGX_OK;
    }

    for (i = 0; i < st->tel->events.n; i++) {
        if (st->events[i].type == NGX_SLUICE_SE_STATE) {
            continue;       /* state changes: notifications only */
        }

        e = ngx_http_sluice_les_event(a, &st->events[i]);
        if (e == NULL) {
            return NGX_ERROR;
        }

        sluice_json_append(arr, e);
    }

    return NGX_OK;
}


static sluice_json_t *
ngx_http_sluice_les_event(sluice_alloc_t *a, ngx_sluice_tel_event_t *e)
{
    u_char          buf[NGX_INT_T_LEN];
    sluice_json_t  *res, *d;

    res = sluice_json_new(a, SLUICE_JSON_OBJECT);
    d = sluice_json_new(a, SLUICE_JSON_OBJECT);

    if (res == NULL || d == NULL
        || e->type >= sizeof(ngx_http_sluice_les_types) / sizeof(char *)
        || e->level >= sizeof(ngx_http_sluice_les_levels) / sizeof(char *))
    {
        return NULL;
    }

    ngx_http_sluice_les_set_null(a, res, "eventType",
        sluice_json_new_cstring(a, ngx_http_sluice_les_types[e->type]));
    ngx_http_sluice_les_set_null(a, res, "eventTime",
        ngx_http_sluice_time_json(a, e->time_ms));
    ngx_http_sluice_les_set_null(a, res, "eventLevel",
        sluice_json_new_cstring(a, ngx_http_sluice_les_levels[e->level]));

    if (e->slot != NGX_SLUICE_TEL_NO_TRACK
        && ngx_http_sluice_les_event_track(a, e, d) != NGX_OK)
    {
        return NULL;
    }

    if (e->type == NGX_SLUICE_SE_UNALIGNED_PRESENTATION
        && ngx_http_sluice_les_event_unsync(a, e, d) != NGX_OK)
    {
        return NULL;
    }

    if (e->stream[0]) {
        ngx_http_sluice_les_set_null(a, d, "streamName",
            sluice_json_new_cstring(a, (char *) e->stream));
    }

    if (e->code[0]) {
        ngx_http_sluice_les_set_null(a, d,
            e->type == NGX_SLUICE_SE_CHUNK_DROPPED ? "fragmentDropReason"
                                                   : "resultCode",
            sluice_json_new_cstring(a, (char *) e->code));
    }

    if (e->msg[0]) {
        ngx_http_sluice_les_set_null(a, d, "resultMessage",
            sluice_json_new_cstring(a, (char *) e->msg));
    }

    if (e->ip[0]) {
        ngx_http_sluice_les_set_null(a, d, "remoteIp",
            sluice_json_new_cstring(a, (char *) e->ip));
        ngx_http_sluice_les_set_null(a, d, "remotePort",
            sluice_json_new_string(a, buf,
                                   ngx_sprintf(buf, "%uD",
                                               (uint32_t) e->port) - buf));
    }

    ngx_http_sluice_les_set_null(a, res, "data", d);

    return res;
}


/* LiveEventStreamEventData of an event of a track */

static ngx_int_t
ngx_http_sluice_les_event_track(sluice_alloc_t *a, ngx_sluice_tel_event_t *e,
    sluice_json_t *d)
{
    u_char  buf[64];

    ngx_http_sluice_les_set(a, d, "trackName",
        ngx_http_sluice_les_track_name(a, e->media, e->bitrate));
    ngx_http_sluice_les_set(a, d, "trackId", sluice_json_new_int(a, e->slot));
    ngx_http_sluice_les_set(a, d, "mediaType",
        sluice_json_new_cstring(a, e->media == SLUICE_MEDIA_VIDEO
                                   ? "video" : "audio"));
    ngx_http_sluice_les_set(a, d, "bitrate",
                            sluice_json_new_int(a, e->bitrate));
    ngx_http_sluice_les_set(a, d, "timescale",
                            ngx_http_sluice_les_u64(a, e->timescale));

    switch (e->type) {

    case NGX_SLUICE_SE_DISCONTINUITY:
        ngx_http_sluice_les_set(a, d, "previousFragmentTimestamp",
                                ngx_http_sluice_les_u64(a, e->prev_ts));
        ngx_http_sluice_les_set(a, d, "previousFragmentDuration",
                                ngx_http_sluice_les_u64(a, e->prev_duration));
        ngx_http_sluice_les_set(a, d, "currentFragmentTimestamp",
                                ngx_http_sluice_les_u64(a, e->ts));
        ngx_http_sluice_les_set(a, d, "discontinuityGap",
                                sluice_json_new_int(a, e->gap));
        break;

    case NGX_SLUICE_SE_CHUNK_DROPPED:
        ngx_http_sluice_les_set(a, d, "currentFragmentTimestamp",
                                ngx_http_sluice_les_u64(a, e->ts));
        ngx_http_sluice_les_set(a, d, "duration",
                                ngx_http_sluice_les_u64(a, e->duration));
        break;

    case NGX_SLUICE_SE_UNALIGNED_KEYFRAMES:
        /* this track's fragment, and the other video track's it overlaps */
        ngx_http_sluice_les_set(a, d, "fragmentOneTimestamp",
                                ngx_http_sluice_les_u64(a, e->ts));
        ngx_http_sluice_les_set(a, d, "fragmentOneDuration",
                                ngx_http_sluice_les_u64(a, e->duration));
        ngx_http_sluice_les_set(a, d, "fragmentTwoTimestamp",
                                ngx_http_sluice_les_u64(a, e->other_ts));
        ngx_http_sluice_les_set(a, d, "fragmentTwoDuration",
                                ngx_http_sluice_les_u64(a, e->other_duration));
        break;

    default:
        ngx_http_sluice_les_set(a, d, "mediaTimestamp",
                                ngx_http_sluice_les_u64(a, e->ts));
        ngx_http_sluice_les_set(a, d, "duration",
                                ngx_http_sluice_les_u64(a, e->duration));
    }

    if (e->media == SLUICE_MEDIA_VIDEO && e->width) {
        ngx_http_sluice_les_set(a, d, "resolution",
            sluice_json_new_string(a, buf,
                                   ngx_sprintf(buf, "%uDx%uD",
                                               (uint32_t) e->width,
                                               (uint32_t) e->height)
                                   - buf));
    }

    return NGX_OK;
}


/*
 * LiveEventStreamEventData of UnalignedPresentation: the earliest and the
 * latest end of what the tracks received, each in its track's timescale
 */

static ngx_int_t
ngx_http_sluice_les_event_unsync(sluice_alloc_t *a, ngx_sluice_tel_event_t *e,
    sluice_json_t *d)
{
    ngx_http_sluice_les_set(a, d, "minTime",
                            ngx_http_sluice_les_u64(a, e->ts));
    ngx_http_sluice_les_set(a, d, "minTimeMediaType",
        sluice_json_new_cstring(a, e->media == SLUICE_MEDIA_VIDEO
                                   ? "Video" : "Audio"));
    ngx_http_sluice_les_set(a, d, "maxTime",
                            ngx_http_sluice_les_u64(a, e->other_ts));
    ngx_http_sluice_les_set(a, d, "maxTimeMediaType",
        sluice_json_new_cstring(a, e->other_media == SLUICE_MEDIA_VIDEO
                                   ? "Video" : "Audio"));
    ngx_http_sluice_les_set(a, d, "timescaleOfMinTime",
                            ngx_http_sluice_les_u64(a, e->timescale));
    ngx_http_sluice_les_set(a, d, "timescaleOfMaxTime",
                            ngx_http_sluice_les_u64(a, e->other_timescale));

    return NGX_OK;
}


/* --- getTrackIngestHeartbeats -------------------------------------------- */

/* the heartbeats of the current timeline's tracks, merged in time order */

static ngx_int_t
ngx_http_sluice_les_beats(sluice_alloc_t *a, ngx_http_sluice_les_t *st,
    sluice_json_t *arr)
{
    ngx_uint_t               i, best, next[NGX_SLUICE_MAX_TRACKS];
    sluice_json_t           *j;
    ngx_sluice_tel_beat_t   *b, *bb;
    ngx_sluice_tel_track_t  *tt;

    ngx_memzero(next, sizeof(next));

    for ( ;; ) {
        bb = NULL;
        best = 0;

        for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
            if (!ngx_http_sluice_les_tracked(st, i)) {
                continue;
            }

            tt = &st->tel->tracks[i];

            if (next[i] >= tt->nbeats) {
                continue;
            }

            b = &tt->beats[(tt->bhead + next[i]) % NGX_SLUICE_TEL_NBEATS];

            if (bb == NULL || b->time_ms < bb->time_ms) {
                bb = b;
                best = i;
            }
        }

        if (bb == NULL) {
            return NGX_OK;
        }

        next[best]++;

        j = ngx_http_sluice_les_beat(a, bb);
        if (j == NULL) {
            return NGX_ERROR;
        }

        sluice_json_append(arr, j);
    }
}


static sluice_json_t *
ngx_http_sluice_les_beat(sluice_alloc_t *a, ngx_sluice_tel_beat_t *b)
{
    sluice_json_t  *res, *d;

    res = sluice_json_new(a, SLUICE_JSON_OBJECT);
    d = sluice_json_new(a, SLUICE_JSON_OBJECT);

    if (res == NULL || d == NULL || b->state > NGX_SLUICE_DELETING) {
        return NULL;
    }

    ngx_http_sluice_les_set_null(a, res, "eventType",
        sluice_json_new_cstring(a, "TrackEvent/IngestHeartbeat"));
    ngx_http_sluice_les_set_null(a, res, "eventTime",
        ngx_http_sluice_time_json(a, b->time_ms));

    ngx_http_sluice_les_set_null(a, d, "trackName",
        ngx_http_sluice_les_track_name(a, b->media, b->bitrate));
    ngx_http_sluice_les_set_null(a, d, "trackType",
        sluice_json_new_cstring(a, b->media == SLUICE_MEDIA_VIDEO
                                   ? "video" : "audio"));
    ngx_http_sluice_les_set_null(a, d, "bitrate",
                                 sluice_json_new_int(a, b->bitrate));
    ngx_http_sluice_les_set_null(a, d, "incomingBitrate",
                                 sluice_json_new_int(a, b->incoming));
    ngx_http_sluice_les_set_null(a, d, "lastTimestamp",
                                 ngx_http_sluice_les_u64(a, b->last_ts));
    ngx_http_sluice_les_set_null(a, d, "timescale",
                                 ngx_http_sluice_les_u64(a, b->timescale));
    ngx_http_sluice_les_set_null(a, d, "overlapCount",
                                 sluice_json_new_int(a, b->overlaps));
    ngx_http_sluice_les_set_null(a, d, "discontinuityCount",
                                 sluice_json_new_int(a, b->discontinuities));
    ngx_http_sluice_les_set_null(a, d, "nonincreasingCount",
                                 sluice_json_new_int(a, b->nonincreasing));
    ngx_http_sluice_les_set_null(a, d, "unexpectedBitrate",
                                 sluice_json_new_bool(a, b->unexpected));
    ngx_http_sluice_les_set_null(a, d, "state",
        sluice_json_new_cstring(a,
                                ngx_http_sluice_rt_live_event.states[b->state]));
    ngx_http_sluice_les_set_null(a, d, "healthy",
                                 sluice_json_new_bool(a, b->healthy));

    if (b->arrival_ms) {
        ngx_http_sluice_les_set_null(a, d, "lastFragmentArrivalTime",
            ngx_http_sluice_time_json(a, b->arrival_ms));
    }

    ngx_http_sluice_les_set_null(a, d, "ingestDriftValue",
                                 ngx_http_sluice_les_drift(a, b->drift));

    /* no live transcription: empty, as AMS without it */

    ngx_http_sluice_les_set_null(a, d, "transcriptionState",
                                 sluice_json_new_cstring(a, ""));
    ngx_http_sluice_les_set_null(a, d, "transcriptionLanguage",
                                 sluice_json_new_cstring(a, ""));

    ngx_http_sluice_les_set_null(a, res, "data", d);

    return res;
}


/* --- values -------------------------------------------------------------- */

static sluice_json_t *
ngx_http_sluice_les_track_name(sluice_alloc_t *a, ngx_uint_t media,
    uint32_t bitrate)
{
    u_char  buf[32];

    return sluice_json_new_string(a, buf,
               ngx_sprintf(buf, "%s_%uD",
                           media == SLUICE_MEDIA_VIDEO ? "video" : "audio",
                           bitrate)
               - buf);
}


/* AMS gives timestamps and timescales as strings */

static sluice_json_t *
ngx_http_sluice_les_u64(sluice_alloc_t *a, uint64_t n)
{
    u_char  buf[NGX_INT64_LEN];

    return sluice_json_new_string(a, buf, ngx_sprintf(buf, "%uL", n) - buf);
}


/* seconds of delay per minute, "n/a" when nothing was received */

static sluice_json_t *
ngx_http_sluice_les_drift(sluice_alloc_t *a, int32_t drift)
{
    u_char  buf[NGX_INT_T_LEN];

    if (drift == NGX_SLUICE_TEL_DRIFT_NA) {
        return sluice_json_new_cstring(a, "n/a");
    }

    return sluice_json_new_string(a, buf, ngx_sprintf(buf, "%D", drift) - buf);
}
