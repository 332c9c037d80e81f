
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The MPEG-TS of an SRT connection (ngx_http_sluice_srt.h), as its
 * receive window delivers it in order, demuxed and fed to the ingest
 * core.  The first video and the first audio track of the program make
 * the stream of the stream id; every other track is a stream of its own,
 * "{stream}_{n}", n its place in the PMT.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>

#include "core/ngx_sluice.h"
#include "core/ngx_sluice_ingest.h"
#include "core/ngx_sluice_cue.h"
#include "media/container/sluice_tsdemux.h"
#include "media/signal/sluice_adcue.h"
#include "media/signal/sluice_scte35.h"
#include "ingest/srt/ngx_http_sluice_srt.h"


#define NGX_HTTP_SLUICE_SRT_STREAMS   SLUICE_TSDEMUX_MAX_TRACKS


typedef struct {
    ngx_http_sluice_srt_t       *srt;
    ngx_http_sluice_srt_conn_t  *conn;
    ngx_pool_t                  *pool;
    ngx_log_t                   *log;

    u_char                       addr[NGX_SOCKADDR_STRLEN];
    ngx_str_t                    addr_text;

    sluice_tsdemux_t            *demux;

    ngx_sluice_ingest_t         *streams[NGX_HTTP_SLUICE_SRT_STREAMS];
    ngx_uint_t                   nstreams;

    /* per demuxed track: its stream and its track there */
    ngx_sluice_ingest_t         *stream_of[SLUICE_TSDEMUX_MAX_TRACKS];
    ngx_sluice_ingest_track_t   *track_of[SLUICE_TSDEMUX_MAX_TRACKS];

    const char                  *failed;        /* why it closes */
    off_t                        received;
} ngx_http_sluice_srt_session_t;


static ngx_sluice_ingest_t *ngx_http_sluice_srt_stream(
    ngx_http_sluice_srt_session_t *s, ngx_str_t *name);
static void ngx_http_sluice_srt_track(void *data, uint32_t index,
    const sluice_track_info_t *info);
static int ngx_http_sluice_srt_frame(void *data, uint32_t index,
    uint64_t dts, int32_t cts, int key, const uint8_t *p, size_t len);
static void ngx_http_sluice_srt_section(void *data, uint32_t pid,
    const uint8_t *p, size_t len, uint64_t now);


void *
ngx_http_sluice_srt_session_start(ngx_http_sluice_srt_t *srt,
    ngx_http_sluice_srt_conn_t *c)
{
    ngx_pool_t                     *pool;
    sluice_tsdemux_handler_t        h;
    ngx_http_sluice_srt_session_t  *s;

    pool = ngx_create_pool(4096, srt->log);
    if (pool == NULL) {
        goto failed;
    }

    s = ngx_pcalloc(pool, sizeof(ngx_http_sluice_srt_session_t));
    if (s == NULL) {
        ngx_destroy_pool(pool);
        goto failed;
    }

    s->srt = srt;
    s->conn = c;
    s->pool = pool;
    s->log = srt->log;

    s->addr_text.data = s->addr;
    s->addr_text.len = ngx_sock_ntop((struct sockaddr *) &c->sockaddr,
                                     c->socklen, s->addr, sizeof(s->addr),
                                     1);

    h.track = ngx_http_sluice_srt_track;
    h.frame = ngx_http_sluice_srt_frame;
    h.section = ngx_http_sluice_srt_section;
    h.data = s;

    s->demux = sluice_tsdemux_create(&h);

    c->session = s;

    if (s->demux == NULL) {
        s->failed = "out of memory";
        return s;
    }

    if (ngx_http_sluice_srt_stream(s, &c->stream) == NULL) {
        s->failed = "refused";
        return s;
    }

    ngx_log_error(NGX_LOG_INFO, s->log, 0,
                  "sluice: \"%V\" publishing to live event \"%s\" "
                  "generation %uD over SRT from %V", &c->stream,
                  s->streams[0]->event_name, s->streams[0]->generation,
                  &s->addr_text);

    return s;

failed:

    ngx_log_error(NGX_LOG_ERR, srt->log, 0,
                  "sluice: SRT publish of \"%V\" closed: out of memory",
                  &c->stream);

    return NULL;
}


/* a stream of the session, admitted (logged when refused) */

static ngx_sluice_ingest_t *
ngx_http_sluice_srt_stream(ngx_http_sluice_srt_session_t *s,
    ngx_str_t *name)
{
    const char           *reason;
    ngx_sluice_ingest_t  *in;

    if (s->nstreams == NGX_HTTP_SLUICE_SRT_STREAMS) {
        return NULL;
    }

    in = ngx_pcalloc(s->pool, sizeof(ngx_sluice_ingest_t));
    if (in == NULL) {
        return NULL;
    }

    ngx_sluice_ingest_init(in);

    in->log = s->log;
    in->pool = s->pool;
    in->zone = s->srt->zone;
    in->protocol = NGX_SLUICE_PROTO_SRT;
    in->ring = 512;
    in->max_fragment = 64 * 1024 * 1024;
    in->thread_pool = s->srt->thread_pool;

    ngx_memcpy(in->stream, name->data, name->len);
    in->stream[name->len] = '\0';
    in->stream_len = name->len;

    s->streams[s->nstreams++] = in;

    if (ngx_sluice_ingest_attach(in, &s->conn->token,
                                 (struct sockaddr *) &s->conn->sockaddr,
                                 NULL, NULL, &reason)
        != NGX_OK)
    {
        return NULL;
    }

    return in;
}


void
ngx_http_sluice_srt_session_feed(void *data, const uint8_t *p, size_t len)
{
    ngx_http_sluice_srt_session_t  *s = data;

    const sluice_tsdemux_stats_t  *st;

    if (s->failed) {
        return;
    }

    s->received += len;

    switch (sluice_tsdemux_feed(s->demux, p, len)) {

    case SLUICE_OK:
        return;

    case SLUICE_BAD_DATA:
        st = sluice_tsdemux_stats(s->demux);
        ngx_log_error(NGX_LOG_WARN, s->log, 0,
                      "sluice: SRT stream \"%V\": a PES over 16 MB dropped "
                      "(%uL PES dropped in all)", &s->conn->stream,
                      st->bad_pes);
        return;

    case SLUICE_NO_MEMORY:
        s->failed = "out of memory";
        return;

    default:
        if (s->failed == NULL) {
            s->failed = "the ingest failed";
        }
    }
}


/* a track known or reconfigured: its stream, its configuration */

/*
 * A SCTE 35 section of the program (stream type 0x86): a splice_insert
 * or time_signal becomes a cue of the session's stream at its splice
 * time (pts_time + pts_adjustment on the demuxer's clock), else (splice
 * immediate, no time given) where the stream is; splice_null heartbeats
 * and other commands are not cues.  Encoders repeat a section: the same
 * id and time again changes nothing.
 */

static void
ngx_http_sluice_srt_section(void *data, uint32_t pid, const uint8_t *p,
    size_t len, uint64_t now)
{
    ngx_http_sluice_srt_session_t  *s = data;

    u_char               id[32];
    uint64_t             t90;
    const char          *reason;
    sluice_cue_t         cue;
    sluice_scte35_t      sc;
    ngx_sluice_ingest_t  *in;

    if (s->failed || s->nstreams == 0) {
        return;
    }

    in = s->streams[0];
    reason = "";

    if (sluice_scte35_parse(&sc, p, len, &reason) != SLUICE_OK) {
        ngx_log_error(NGX_LOG_WARN, s->log, 0,
                      "sluice: live event \"%s\": a SCTE 35 section of "
                      "stream \"%s\" (PID %uD) dropped: %s", in->event_name,
                      in->stream, pid, reason);
        return;
    }

    if (sc.command_type != SLUICE_SCTE35_SPLICE_INSERT
        && sc.command_type != SLUICE_SCTE35_TIME_SIGNAL)
    {
        ngx_log_debug2(NGX_LOG_DEBUG_CORE, s->log, 0,
                       "sluice: SCTE 35 command %uD of PID %uD: no cue",
                       sc.command_type, pid);
        return;
    }

    t90 = sc.time_specified
          ? sluice_tsdemux_time(s->demux, sluice_scte35_splice_pts(&sc))
          : now;

    ngx_memzero(&cue, sizeof(sluice_cue_t));
    cue.source = SLUICE_CUE_FROM_TS;

    if (sluice_adcue_from_section(&cue, p, len, id, sizeof(id), &reason)
        != SLUICE_OK)
    {
        ngx_log_error(NGX_LOG_WARN, s->log, 0,
                      "sluice: live event \"%s\": a SCTE 35 section of "
                      "stream \"%s\" (PID %uD) dropped: %s", in->event_name,
                      in->stream, pid, reason);
        return;
    }

    /* 90 kHz -> the core's milliseconds, as frames */

    (void) ngx_sluice_cue_ingest(in, &cue, (uint32_t) (t90 / 90),
                                 NGX_SLUICE_CUE_STREAM);
}


static void
ngx_http_sluice_srt_track(void *data, uint32_t index,
    const sluice_track_info_t *info)
{
    ngx_http_sluice_srt_session_t  *s = data;

    u_char                     *p;
    ngx_str_t                   name;
    ngx_sluice_ingest_t        *in;
    sluice_track_info_t         ti;
    ngx_sluice_ingest_track_t  *t;
    u_char                      buf[NGX_SLUICE_STREAM_LEN];

    if (s->failed || index >= SLUICE_TSDEMUX_MAX_TRACKS) {
        return;
    }

    if (s->track_of[index] == NULL) {
        in = s->streams[0];
        t = (info->media_type == SLUICE_MEDIA_VIDEO) ? &in->video
                                                     : &in->audio;

        if (t->configured) {
            p = ngx_snprintf(buf, sizeof(buf), "%V_%uD", &s->conn->stream,
                             index);
            name.data = buf;
            name.len = p - buf;

            in = ngx_http_sluice_srt_stream(s, &name);
            if (in == NULL) {
                ngx_log_error(NGX_LOG_WARN, s->log, 0,
                              "sluice: SRT stream \"%V\": track %uD left "
                              "out", &s->conn->stream, index);
                return;
            }

            t = (info->media_type == SLUICE_MEDIA_VIDEO) ? &in->video
                                                         : &in->audio;
        }

        s->stream_of[index] = in;
        s->track_of[index] = t;
    }

    in = s->stream_of[index];
    t = s->track_of[index];

    ti = *info;

    if (ngx_sluice_ingest_configure(in, t, &ti) != NGX_OK) {
        s->failed = in->stopped ? "the live event stopped"
                                : "the track's configuration was refused";
    }
}


static int
ngx_http_sluice_srt_frame(void *data, uint32_t index, uint64_t dts,
    int32_t cts, int key, const uint8_t *p, size_t len)
{
    ngx_http_sluice_srt_session_t  *s = data;

    ngx_sluice_ingest_t        *in;
    ngx_sluice_ingest_track_t  *t;

    if (s->failed) {
        return 1;
    }

    if (index >= SLUICE_TSDEMUX_MAX_TRACKS || s->track_of[index] == NULL) {
        return 0;
    }

    in = s->stream_of[index];
    t = s->track_of[index];

    /* 90 kHz -> the core's milliseconds, 32 bits, wrapping */

    if (ngx_sluice_ingest_frame(in, t, (uint32_t) (dts / 90), cts / 90, key,
                                p, len)
        != NGX_OK)
    {
        s->failed = in->stopped ? "the live event stopped"
                                : "the ingest failed";
        return 1;
    }

    return 0;
}


const char *
ngx_http_sluice_srt_session_failed(void *data)
{
    ngx_http_sluice_srt_session_t  *s = data;

    return s->failed;
}


void
ngx_http_sluice_srt_session_stop(void *data, const char *why)
{
    ngx_http_sluice_srt_session_t  *s = data;

    ngx_uint_t  i;

    if (s->demux) {
        if (s->failed == NULL) {
            (void) sluice_tsdemux_flush(s->demux);
        }

        sluice_tsdemux_free(s->demux);
        s->demux = NULL;
    }

    ngx_log_error(NGX_LOG_INFO, s->log, 0,
                  "sluice: SRT stream \"%V\" of live event \"%s\" from %V "
                  "ended after %O bytes: %s", &s->conn->stream,
                  s->nstreams ? (char *) s->streams[0]->event_name : "",
                  &s->addr_text, s->received, why ? why : "closed");

    for (i = 0; i < s->nstreams; i++) {
        if (s->streams[i]->publishing) {
            ngx_sluice_ingest_finish(s->streams[i]);
        }

        ngx_sluice_ingest_free(s->streams[i]);
    }

    ngx_destroy_pool(s->pool);
}
