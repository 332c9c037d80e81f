
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * AMS's Event Grid event types of a live event and the data of each
 * ("Azure Media Services as an Event Grid source"), from the stream
 * events and heartbeats of the telemetry (core/ngx_sluice_telemetry.h).
 * Timestamps, durations, timescales and ports are strings, bitrates
 * numbers, as AMS sends them.  The ingest URL is the first
 * sluice_ingest_url: the access token is a secret and never leaves.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_build.h"
#include "api/ngx_http_sluice_api_live_event.h"
#include "api/ngx_http_sluice_notify.h"


static ngx_int_t ngx_http_sluice_notify_encoder(sluice_alloc_t *a,
    sluice_json_t *d, ngx_sluice_tel_event_t *e, ngx_str_t *ingest_url);
static ngx_int_t ngx_http_sluice_notify_track(sluice_alloc_t *a,
    sluice_json_t *d, ngx_uint_t media, uint32_t bitrate);
static sluice_json_t *ngx_http_sluice_notify_u64(sluice_alloc_t *a,
    uint64_t n);
static sluice_json_t *ngx_http_sluice_notify_i64(sluice_alloc_t *a,
    int64_t n);
static const char *ngx_http_sluice_notify_media(ngx_uint_t media);


static const char  *ngx_http_sluice_notify_names[] = {
    "Microsoft.Media.LiveEventEncoderConnected",
    "Microsoft.Media.LiveEventEncoderDisconnected",
    "Microsoft.Media.LiveEventConnectionRejected",
    "Microsoft.Media.LiveEventIncomingStreamReceived",
    "Microsoft.Media.LiveEventIncomingStreamsOutOfSync",
    "Microsoft.Media.LiveEventIncomingVideoStreamsOutOfSync",
    "Microsoft.Media.LiveEventIncomingDataChunkDropped",
    "Microsoft.Media.LiveEventIngestHeartbeat",
    "Microsoft.Media.LiveEventTrackDiscontinuityDetected",
    "Microsoft.Media.LiveEventStateChange"
};


/* by ngx_sluice_tel_type_e */
static ngx_uint_t  ngx_http_sluice_notify_by_tel[] = {
    NGX_HTTP_SLUICE_NT_CONNECTED,               /* BeginIngest */
    NGX_HTTP_SLUICE_NT_DISCONNECTED,            /* EndIngest */
    NGX_HTTP_SLUICE_NT_RECEIVED,                /* FirstChunkReceived */
    NGX_HTTP_SLUICE_NT_DROPPED,                 /* ChunkDropped */
    NGX_HTTP_SLUICE_NT_VIDEO_OUT_OF_SYNC,       /* UnalignedKeyFrames */
    NGX_HTTP_SLUICE_NT_OUT_OF_SYNC,             /* UnalignedPresentation */
    NGX_HTTP_SLUICE_NT_DISCONTINUITY,           /* Discontinuity */
    NGX_HTTP_SLUICE_NT_REJECTED,                /* InvalidConnection */
    NGX_HTTP_SLUICE_NT_STATE                    /* state changes */
};


#define ngx_http_sluice_nd_set(a, obj, key, val)                             \
    do {                                                                     \
        if (ngx_http_sluice_res_set(a, obj, key, val) != NGX_OK) {           \
            return NULL;                                                     \
        }                                                                    \
    } while (0)

#define ngx_http_sluice_nd_put(a, obj, key, val)                             \
    do {                                                                     \
        if (ngx_http_sluice_res_set(a, obj, key, val) != NGX_OK) {           \
            return NGX_ERROR;                                                \
        }                                                                    \
    } while (0)


ngx_uint_t
ngx_http_sluice_notify_type(ngx_sluice_tel_event_t *e)
{
    if (e->type >= sizeof(ngx_http_sluice_notify_by_tel)
                   / sizeof(ngx_uint_t))
    {
        return NGX_HTTP_SLUICE_NT_COUNT;
    }

    return ngx_http_sluice_notify_by_tel[e->type];
}


const char *
ngx_http_sluice_notify_type_name(ngx_uint_t type)
{
    return type < NGX_HTTP_SLUICE_NT_COUNT
           ? ngx_http_sluice_notify_names[type] : "";
}


ngx_uint_t
ngx_http_sluice_notify_type_find(ngx_str_t *name)
{
    size_t       len, skip;
    ngx_uint_t   i;
    const char  *n;

    skip = sizeof("Microsoft.Media.LiveEvent") - 1;

    for (i = 0; i < NGX_HTTP_SLUICE_NT_COUNT; i++) {
        n = ngx_http_sluice_notify_names[i];
        len = ngx_strlen(n);

        if ((name->len == len
             && ngx_strncasecmp(name->data, (u_char *) n, len) == 0)
            || (name->len == len - skip
                && ngx_strncasecmp(name->data, (u_char *) n + skip,
                                   len - skip) == 0))
        {
            return i;
        }
    }

    return NGX_HTTP_SLUICE_NT_COUNT;
}


sluice_json_t *
ngx_http_sluice_notify_event_data(sluice_alloc_t *a,
    ngx_sluice_tel_event_t *e, ngx_str_t *ingest_url)
{
    sluice_json_t  *d;
    const char     *states;

    d = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (d == NULL) {
        return NULL;
    }

    switch (ngx_http_sluice_notify_type(e)) {

    case NGX_HTTP_SLUICE_NT_CONNECTED:
    case NGX_HTTP_SLUICE_NT_DISCONNECTED:
    case NGX_HTTP_SLUICE_NT_REJECTED:
        if (ngx_http_sluice_notify_encoder(a, d, e, ingest_url) != NGX_OK) {
            return NULL;
        }

        if (e->type != NGX_SLUICE_SE_BEGIN_INGEST) {
            ngx_http_sluice_nd_set(a, d, "resultCode",
                sluice_json_new_cstring(a, (char *) e->code));
        }

        break;

    case NGX_HTTP_SLUICE_NT_RECEIVED:
        if (ngx_http_sluice_notify_encoder(a, d, e, ingest_url) != NGX_OK
            || ngx_http_sluice_notify_track(a, d, e->media, e->bitrate)
               != NGX_OK)
        {
            return NULL;
        }

        ngx_http_sluice_nd_set(a, d, "timestamp",
                               ngx_http_sluice_notify_u64(a, e->ts));
        ngx_http_sluice_nd_set(a, d, "duration",
                               ngx_http_sluice_notify_u64(a, e->duration));
        ngx_http_sluice_nd_set(a, d, "timescale",
                               ngx_http_sluice_notify_u64(a, e->timescale));
        break;

    case NGX_HTTP_SLUICE_NT_OUT_OF_SYNC:
        /* the earliest end (the event's own) and the latest (the other) */
        ngx_http_sluice_nd_set(a, d, "minLastTimestamp",
                               ngx_http_sluice_notify_u64(a, e->ts));
        ngx_http_sluice_nd_set(a, d, "typeOfStreamWithMinLastTimestamp",
            sluice_json_new_cstring(a, e->media == SLUICE_MEDIA_VIDEO
                                       ? "Video" : "Audio"));
        ngx_http_sluice_nd_set(a, d, "maxLastTimestamp",
                               ngx_http_sluice_notify_u64(a, e->other_ts));
        ngx_http_sluice_nd_set(a, d, "typeOfStreamWithMaxLastTimestamp",
            sluice_json_new_cstring(a, e->other_media == SLUICE_MEDIA_VIDEO
                                       ? "Video" : "Audio"));
        ngx_http_sluice_nd_set(a, d, "timescaleOfMinLastTimestamp",
                               ngx_http_sluice_notify_u64(a, e->timescale));
        ngx_http_sluice_nd_set(a, d, "timescaleOfMaxLastTimestamp",
            ngx_http_sluice_notify_u64(a, e->other_timescale));
        break;

    case NGX_HTTP_SLUICE_NT_VIDEO_OUT_OF_SYNC:
        ngx_http_sluice_nd_set(a, d, "firstTimestamp",
                               ngx_http_sluice_notify_u64(a, e->ts));
        ngx_http_sluice_nd_set(a, d, "firstDuration",
                               ngx_http_sluice_notify_u64(a, e->duration));
        ngx_http_sluice_nd_set(a, d, "secondTimestamp",
                               ngx_http_sluice_notify_u64(a, e->other_ts));
        ngx_http_sluice_nd_set(a, d, "secondDuration",
            ngx_http_sluice_notify_u64(a, e->other_duration));
        ngx_http_sluice_nd_set(a, d, "timescale",
                               ngx_http_sluice_notify_u64(a, e->timescale));
        break;

    case NGX_HTTP_SLUICE_NT_DROPPED:
        ngx_http_sluice_nd_set(a, d, "timestamp",
                               ngx_http_sluice_notify_u64(a, e->ts));

        if (ngx_http_sluice_notify_track(a, d, e->media, e->bitrate)
            != NGX_OK)
        {
            return NULL;
        }

        ngx_http_sluice_nd_set(a, d, "timescale",
                               ngx_http_sluice_notify_u64(a, e->timescale));
        ngx_http_sluice_nd_set(a, d, "resultCode",
            sluice_json_new_cstring(a, (char *) e->code));
        break;

    case NGX_HTTP_SLUICE_NT_DISCONTINUITY:
        if (ngx_http_sluice_notify_track(a, d, e->media, e->bitrate)
            != NGX_OK)
        {
            return NULL;
        }

        ngx_http_sluice_nd_set(a, d, "previousTimestamp",
                               ngx_http_sluice_notify_u64(a, e->prev_ts));
        ngx_http_sluice_nd_set(a, d, "newTimestamp",
                               ngx_http_sluice_notify_u64(a, e->ts));
        ngx_http_sluice_nd_set(a, d, "timescale",
                               ngx_http_sluice_notify_u64(a, e->timescale));
        ngx_http_sluice_nd_set(a, d, "discontinuityGap",
                               ngx_http_sluice_notify_i64(a, e->gap));
        break;

    case NGX_HTTP_SLUICE_NT_STATE:
        if (e->state > NGX_SLUICE_DELETING
            || e->prev_state > NGX_SLUICE_DELETING)
        {
            return NULL;
        }

        states = ngx_http_sluice_rt_live_event.states[e->prev_state];
        ngx_http_sluice_nd_set(a, d, "previousState",
                               sluice_json_new_cstring(a, states));
        states = ngx_http_sluice_rt_live_event.states[e->state];
        ngx_http_sluice_nd_set(a, d, "state",
                               sluice_json_new_cstring(a, states));
        break;

    default:
        return NULL;
    }

    return d;
}


sluice_json_t *
ngx_http_sluice_notify_beat_data(sluice_alloc_t *a, ngx_sluice_tel_beat_t *b)
{
    u_char          buf[NGX_INT_T_LEN];
    sluice_json_t  *d;

    d = sluice_json_new(a, SLUICE_JSON_OBJECT);

    if (d == NULL || b->state > NGX_SLUICE_DELETING
        || ngx_http_sluice_notify_track(a, d, b->media, b->bitrate) != NGX_OK)
    {
        return NULL;
    }

    /* no live transcription: empty, as AMS without it */

    ngx_http_sluice_nd_set(a, d, "transcriptionState",
                           sluice_json_new_cstring(a, ""));
    ngx_http_sluice_nd_set(a, d, "transcriptionLanguage",
                           sluice_json_new_cstring(a, ""));
    ngx_http_sluice_nd_set(a, d, "incomingBitrate",
                           sluice_json_new_int(a, b->incoming));
    ngx_http_sluice_nd_set(a, d, "ingestDriftValue",
        b->drift == NGX_SLUICE_TEL_DRIFT_NA
        ? sluice_json_new_cstring(a, "n/a")
        : sluice_json_new_string(a, buf,
                                 ngx_sprintf(buf, "%D", b->drift) - buf));
    ngx_http_sluice_nd_set(a, d, "lastFragmentArrivalTime",
                           b->arrival_ms
                           ? ngx_http_sluice_time_json(a, b->arrival_ms)
                           : sluice_json_new_cstring(a, ""));
    ngx_http_sluice_nd_set(a, d, "lastTimestamp",
                           ngx_http_sluice_notify_u64(a, b->last_ts));
    ngx_http_sluice_nd_set(a, d, "timescale",
                           ngx_http_sluice_notify_u64(a, b->timescale));
    ngx_http_sluice_nd_set(a, d, "overlapCount",
                           sluice_json_new_int(a, b->overlaps));
    ngx_http_sluice_nd_set(a, d, "discontinuityCount",
                           sluice_json_new_int(a, b->discontinuities));
    ngx_http_sluice_nd_set(a, d, "nonincreasingCount",
                           sluice_json_new_int(a, b->nonincreasing));
    ngx_http_sluice_nd_set(a, d, "unexpectedBitrate",
                           sluice_json_new_bool(a, b->unexpected));
    ngx_http_sluice_nd_set(a, d, "state",
        sluice_json_new_cstring(a, ngx_http_sluice_rt_live_event
                                       .states[b->state]));
    ngx_http_sluice_nd_set(a, d, "healthy",
                           sluice_json_new_bool(a, b->healthy));

    return d;
}


/* ingestUrl, streamId, encoderIp, encoderPort */

static ngx_int_t
ngx_http_sluice_notify_encoder(sluice_alloc_t *a, sluice_json_t *d,
    ngx_sluice_tel_event_t *e, ngx_str_t *ingest_url)
{
    u_char  buf[NGX_INT_T_LEN];

    ngx_http_sluice_nd_put(a, d, "ingestUrl",
        sluice_json_new_string(a, ingest_url->data, ingest_url->len));
    ngx_http_sluice_nd_put(a, d, "streamId",
        sluice_json_new_cstring(a, (char *) e->stream));
    ngx_http_sluice_nd_put(a, d, "encoderIp",
        sluice_json_new_cstring(a, (char *) e->ip));
    ngx_http_sluice_nd_put(a, d, "encoderPort",
        e->port ? sluice_json_new_string(a, buf,
                                         ngx_sprintf(buf, "%uD",
                                                     (uint32_t) e->port)
                                         - buf)
                : sluice_json_new_cstring(a, ""));

    return NGX_OK;
}


/* trackType, trackName ("{audio|video}_{bitrate}", as the API), bitrate */

static ngx_int_t
ngx_http_sluice_notify_track(sluice_alloc_t *a, sluice_json_t *d,
    ngx_uint_t media, uint32_t bitrate)
{
    u_char  buf[32];

    ngx_http_sluice_nd_put(a, d, "trackType",
        sluice_json_new_cstring(a, ngx_http_sluice_notify_media(media)));
    ngx_http_sluice_nd_put(a, d, "trackName",
        sluice_json_new_string(a, buf,
                               ngx_sprintf(buf, "%s_%uD",
                                           ngx_http_sluice_notify_media(media),
                                           bitrate)
                               - buf));
    ngx_http_sluice_nd_put(a, d, "bitrate", sluice_json_new_int(a, bitrate));

    return NGX_OK;
}


static sluice_json_t *
ngx_http_sluice_notify_u64(sluice_alloc_t *a, uint64_t n)
{
    u_char  buf[NGX_INT64_LEN];

    return sluice_json_new_string(a, buf, ngx_sprintf(buf, "%uL", n) - buf);
}


static sluice_json_t *
ngx_http_sluice_notify_i64(sluice_alloc_t *a, int64_t n)
{
    u_char  buf[NGX_INT64_LEN + 1];

    return sluice_json_new_string(a, buf, ngx_sprintf(buf, "%L", n) - buf);
}


static const char *
ngx_http_sluice_notify_media(ngx_uint_t media)
{
    return media == SLUICE_MEDIA_VIDEO ? "video" : "audio";
}
