
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The admission of a publisher, whatever its protocol: its access token
 * names a live event, which must be running and allow the client's
 * address; a stream may have two publishers at once, a primary and a
 * backup connection sending the same media (redundant ingest: the
 * second is "redundant"), never three; a stream that had data continues
 * its timeline (a reconnect).
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "core/ngx_sluice_ingest.h"
#include "core/ngx_sluice_index.h"
#include "core/ngx_sluice_telemetry.h"
#include "core/ngx_sluice_zone.h"


/* numbers the publishers of this worker (ngx_sluice_ingest_t.pub_id) */
static ngx_uint_t  ngx_sluice_ingest_publishers;


static const char *ngx_sluice_ingest_admit(ngx_sluice_ingest_t *in,
    ngx_sluice_event_t *ev, struct sockaddr *sockaddr);
static ngx_uint_t ngx_sluice_ingest_transcoder(ngx_sluice_ingest_t *in,
    ngx_sluice_event_t *ev);
static const char *ngx_sluice_ingest_stored_end(ngx_sluice_ingest_t *in,
    ngx_sluice_event_t *ev);
static ngx_uint_t ngx_sluice_ingest_fresh_timeline(ngx_sluice_event_t *ev);
static uint64_t ngx_sluice_ingest_claimed_ms(ngx_sluice_track_t *tr);
static void ngx_sluice_ingest_tel_admit(ngx_sluice_ingest_t *in,
    ngx_sluice_shctx_t *sh, ngx_sluice_event_t *ev, struct sockaddr *sa,
    const char *why);


/*
 * The checks of ngx_sluice_ingest_attach(), made before a connection is
 * accepted (an SRT handshake, before its response): NULL, or why the
 * publisher would be refused and *found, whether the token names an
 * event.  It takes the zone mutex, and neither logs nor allocates nor
 * counts the publisher: the admission proper follows in the event loop.
 */

const char *
ngx_sluice_ingest_precheck(ngx_shm_zone_t *zone, ngx_uint_t protocol,
    ngx_str_t *token, ngx_str_t *stream, struct sockaddr *sockaddr,
    ngx_uint_t *found)
{
    const char             *why;
    ngx_slab_pool_t        *shpool;
    ngx_sluice_event_t     *ev;
    ngx_sluice_ingest_t     in;
    ngx_sluice_zone_ctx_t  *zctx;

    *found = 0;

    if (zone == NULL || zone->data == NULL) {
        return "no \"sluice_zone\" configured";
    }

    if (stream->len > NGX_SLUICE_STREAM_LEN) {
        return "stream name too long";
    }

    ngx_sluice_ingest_init(&in);

    in.protocol = protocol;
    ngx_memcpy(in.stream, stream->data, stream->len);
    in.stream[stream->len] = '\0';
    in.stream_len = stream->len;

    zctx = zone->data;
    shpool = zctx->shpool;

    ngx_shmtx_lock(&shpool->mutex);

    ev = ngx_sluice_event_by_token(zctx->sh, token->data, token->len);

    *found = (ev != NULL);
    why = ngx_sluice_ingest_admit(&in, ev, sockaddr);

    ngx_shmtx_unlock(&shpool->mutex);

    return why;
}


ngx_int_t
ngx_sluice_ingest_attach(ngx_sluice_ingest_t *in, ngx_str_t *token,
    struct sockaddr *sockaddr, ngx_sluice_ingest_admit_pt extra, void *data,
    const char **reason)
{
    const char             *why;
    ngx_slab_pool_t        *shpool;
    ngx_sluice_event_t     *ev;
    ngx_sluice_zone_ctx_t  *zctx;

    if (in->zone == NULL || in->zone->data == NULL) {
        *reason = "no \"sluice_zone\" configured";

        ngx_log_error(NGX_LOG_ERR, in->log, 0,
                      "sluice: publish refused: %s", *reason);
        return NGX_DECLINED;
    }

    zctx = in->zone->data;
    shpool = zctx->shpool;

    in->data_path = zctx->data_path;

    ngx_shmtx_lock(&shpool->mutex);

    ev = ngx_sluice_event_by_token(zctx->sh, token->data, token->len);

    why = ngx_sluice_ingest_admit(in, ev, sockaddr);

    if (why == NULL && extra) {
        why = extra(in, ev, data);
    }

    if (why == NULL && in->redundant && in->layer) {
        /* the transcoder's layers have one connection each */
        why = "stream is already being published";
    }

    if (why == NULL) {
        if (in->pub_id == 0) {
            in->pub_id = ++ngx_sluice_ingest_publishers;
        }

        /* a record is free or the stream's has room: checked above */
        (void) ngx_sluice_stream_add(ev, in->stream, in->pub_id);
        ev->publishers++;
    }

    ngx_sluice_ingest_tel_admit(in, zctx->sh, ev, sockaddr, why);

    ngx_shmtx_unlock(&shpool->mutex);

    *reason = why;

    if (why == NULL) {
        in->publishing = 1;

        if (in->redundant) {
            ngx_log_error(NGX_LOG_INFO, in->log, 0,
                          "sluice: \"%s\" of live event \"%s\" has a "
                          "second publisher: redundant ingest",
                          in->stream, in->event_name);
        }

        return NGX_OK;
    }

    if (ev) {
        ngx_log_error(NGX_LOG_ERR, in->log, 0,
                      "sluice: publish refused: %s, live event \"%s\", "
                      "stream \"%s\"", why, in->event_name, in->stream);

    } else {
        ngx_log_error(NGX_LOG_ERR, in->log, 0,
                      "sluice: publish refused: %s, stream \"%s\"",
                      why, in->stream);
    }

    return NGX_DECLINED;
}


/*
 * The checks of a publisher of event ev (mutex held), which, once
 * admitted, takes the event's timeline: NULL, or why it is refused.
 */

static const char *
ngx_sluice_ingest_admit(ngx_sluice_ingest_t *in, ngx_sluice_event_t *ev,
    struct sockaddr *sockaddr)
{
    if (ev == NULL) {
        return "unknown access token";
    }

    ngx_memcpy(in->event_name, ev->name, sizeof(in->event_name));

    if (ev->state != NGX_SLUICE_RUNNING) {
        return "live event is not running";
    }

    if (ngx_sluice_ip_allowed(&ev->input_acl, sockaddr) != NGX_OK
        && !ngx_sluice_ingest_transcoder(in, ev))
    {
        return "client address not allowed by the live event";
    }

    if (ev->protocol != in->protocol) {
        switch (ev->protocol) {
        case NGX_SLUICE_PROTO_FMP4:
            return "the live event's streamingProtocol is FragmentedMP4";
        case NGX_SLUICE_PROTO_SRT:
            return "the live event's streamingProtocol is SRT";
        default:
            return "the live event's streamingProtocol is RTMP";
        }
    }

    ngx_memcpy(in->event_id, ev->id, sizeof(in->event_id));
    in->generation = ev->generation;
    in->fragment_ms = ev->fragment_ms ? ev->fragment_ms : 2000;
    /* low latency: the part duration of the timeline, set once */

    if (ev->latency == NGX_SLUICE_LATENCY_LOW_V2 && ev->part_ms == 0) {
        ev->part_ms = ((ngx_sluice_zone_ctx_t *) in->zone->data)->part_ms;
    }

    in->part_ms = (ev->latency == NGX_SLUICE_LATENCY_LOW_V2) ? ev->part_ms
                                                             : 0;
    in->offset = ev->ts_offset;
    in->stored_end = 0;
    in->reconnect = 0;
    in->redundant = 0;

    return ngx_sluice_ingest_stored_end(in, ev);
}


/*
 * A connection presenting the key of the event's transcoder: one of its
 * layers, from a process a worker started (mutex held).  The comparison
 * does not stop at the first difference.
 */

static ngx_uint_t
ngx_sluice_ingest_transcoder(ngx_sluice_ingest_t *in, ngx_sluice_event_t *ev)
{
    u_char      diff;
    size_t      len;
    ngx_uint_t  i;

    if (in->layer_key == NULL || !ngx_sluice_encoding_live(ev->encoding)
        || ev->transcode.key[0] == '\0')
    {
        return 0;
    }

    len = ngx_strlen(ev->transcode.key);

    if (ngx_strlen(in->layer_key) != len) {
        return 0;
    }

    diff = 0;

    for (i = 0; i < len; i++) {
        diff |= in->layer_key[i] ^ ev->transcode.key[i];
    }

    return diff == 0;
}


/*
 * Whether the stream had data in the event (a reconnect), and where it
 * ended; NULL, or why the publisher is refused (mutex held).
 */

static const char *
ngx_sluice_ingest_stored_end(ngx_sluice_ingest_t *in, ngx_sluice_event_t *ev)
{
    uint64_t                    end;
    ngx_uint_t                  i, n;
    ngx_sluice_track_t         *tr;
    ngx_sluice_stream_t        *st;
    ngx_sluice_ingest_track_t  *t;

    in->video.stored_end = 0;
    in->audio.stored_end = 0;

    /* publishers of dead workers are forgotten: their tracks are stale */

    st = ngx_sluice_stream_find(ev, in->stream);
    n = st ? ngx_sluice_stream_others(st, 0) : 0;

    if (n >= NGX_SLUICE_MAX_REDUNDANT) {
        return "stream is already being published by two connections "
               "(primary and backup)";
    }

    in->redundant = (n != 0);

    if (st == NULL) {
        for (i = 0; i < NGX_SLUICE_MAX_STREAMS; i++) {
            if (ev->streams[i].stream[0] == '\0') {
                break;
            }
        }

        if (i == NGX_SLUICE_MAX_STREAMS) {
            return "too many streams are publishing to the live event";
        }
    }

    for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
        tr = &ev->tracks[i];

        if (tr->state == NGX_SLUICE_TRACK_FREE
            || ngx_strcmp(tr->stream, in->stream) != 0)
        {
            continue;
        }

        in->reconnect = 1;

        /* fragments being written count: they are stored soon */

        end = ngx_max(ngx_sluice_track_end_ms(tr),
                      ngx_sluice_ingest_claimed_ms(tr));
        if (end > in->stored_end) {
            in->stored_end = end;
        }

        t = (tr->info.media_type == SLUICE_MEDIA_VIDEO) ? &in->video
                                                        : &in->audio;
        if (end > t->stored_end) {
            t->stored_end = end;
        }
    }

    /*
     * nginx restarted while live outputs recorded: the first publisher of
     * the new timeline continues after the recordings (renditions joining
     * later take the event's offset, as usual)
     */

    if (ev->record_end_ms > in->stored_end
        && ngx_sluice_ingest_fresh_timeline(ev))
    {
        in->reconnect = 1;
        in->stored_end = ev->record_end_ms;
    }

    return NULL;
}


/* the end of what the track's publishers took to write, ms (rounded up) */

static uint64_t
ngx_sluice_ingest_claimed_ms(ngx_sluice_track_t *tr)
{
    if (tr->claim_pid == 0 || tr->info.timescale == 0) {
        return 0;
    }

    return (tr->claimed * 1000 + tr->info.timescale - 1) / tr->info.timescale;
}


/* no track of the event has data yet */

static ngx_uint_t
ngx_sluice_ingest_fresh_timeline(ngx_sluice_event_t *ev)
{
    ngx_uint_t  i;

    for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
        if (ev->tracks[i].state != NGX_SLUICE_TRACK_FREE
            && ev->tracks[i].appended)
        {
            return 0;
        }
    }

    return 1;
}


/*
 * Telemetry of an admission (mutex held): BeginIngest, or
 * InvalidConnection with AMS's result code where AMS has one (a token
 * naming no event is the zone's, not an event's)
 */

static void
ngx_sluice_ingest_tel_admit(ngx_sluice_ingest_t *in, ngx_sluice_shctx_t *sh,
    ngx_sluice_event_t *ev, struct sockaddr *sa, const char *why)
{
    u_char       msg[NGX_SLUICE_TEL_MSG_LEN + 1], *p;
    const char  *code, *proto;

    if (why == NULL) {
        proto = (in->protocol == NGX_SLUICE_PROTO_FMP4) ? "FragmentedMP4"
                : (in->protocol == NGX_SLUICE_PROTO_SRT) ? "SRT" : "RTMP";

        p = ngx_snprintf(msg, sizeof(msg) - 1, "{protocol=%s, redundant=%ui%s}",
                         proto, (ngx_uint_t) in->redundant,
                         in->layer ? ", transcoder=1" : "");
        *p = '\0';

        ngx_sluice_tel_connect(sh, ev, in->stream, sa, NULL, (char *) msg);
        return;
    }

    if (ev == NULL) {
        code = "MPE_RTMP_APPID_AUTH_FAILURE";

    } else if (ngx_strstr(why, "address not allowed")) {
        code = "MPE_INGEST_ENCODER_CONNECTION_DENIED";

    } else if (ngx_strstr(why, "not running")) {
        code = "SLUICE_LIVE_EVENT_NOT_RUNNING";

    } else if (ngx_strstr(why, "streamingProtocol")) {
        code = "SLUICE_STREAMING_PROTOCOL_MISMATCH";

    } else if (ngx_strstr(why, "already being published")
               || ngx_strstr(why, "too many streams"))
    {
        code = "MPE_CAPACITY_LIMIT_REACHED";

    } else {
        code = "SLUICE_CONNECTION_REFUSED";
    }

    ngx_sluice_tel_connect(sh, ev, in->stream, sa, code, why);
}
