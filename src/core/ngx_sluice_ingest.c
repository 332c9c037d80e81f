
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * From frames to stored CMAF fragments, for every ingest protocol
 * (docs/architecture.md, "Timeline and cuts"):
 *
 *   - input milliseconds are unwrapped to 64 bits and moved to the event
 *     timeline by the session offset; a reconnect moves the offset so
 *     that the timeline goes on at the wall clock (now - the event's
 *     epoch, fixed per generation: DASH availabilityStartTime must not
 *     move), or at the stored end when that is later; a jump continues
 *     at the end; both flag the next fragments as discontinuities (a new
 *     DASH Period, EXT-X-DISCONTINUITY);
 *   - video is cut at a keyframe whose time t gives round(t / F) greater
 *     than the current fragment number; the cut time is handed to the
 *     audio of the same stream, which cuts there with the same number;
 *     audio alone cuts at the boundaries;
 *   - a fragment goes to its track's writer (thread pool): the file is
 *     written, then the index entry is appended in the event loop.
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "core/ngx_sluice_ingest.h"
#include "core/ngx_sluice_cue.h"
#include "core/ngx_sluice_ll.h"
#include "media/codec/sluice_aac.h"
#include "media/codec/sluice_sei.h"
#include "media/container/sluice_cmaf.h"
#include "media/container/sluice_ts.h"
#include "core/ngx_sluice_index.h"
#include "core/ngx_sluice_metrics.h"
#include "core/ngx_sluice_recorder.h"
#include "core/ngx_sluice_telemetry.h"
#include "core/ngx_sluice_writer.h"


/* a forward timestamp jump beyond this (plus 2 fragments) is a gap, ms */
#define NGX_SLUICE_INGEST_MAX_GAP      10000

/* fragments an encoder may resend when it reconnects (AMS: the last 2) */
#define NGX_SLUICE_INGEST_RESEND       3

/* a backward timestamp step beyond this is a jump, ms */
#define NGX_SLUICE_INGEST_MAX_BACK     1000

/*
 * redundant ingest: a fragment starting this close to the end of the
 * track's last one follows it (ms: the two connections' audio sample
 * counts may differ by a rounding)
 */
#define NGX_SLUICE_INGEST_ALIGN        10

/* what ngx_sluice_ingest_claim() decided */
#define NGX_SLUICE_INGEST_TAKE         0
#define NGX_SLUICE_INGEST_TAKE_OVER    1    /* from the other connection */
#define NGX_SLUICE_INGEST_DUPLICATE    2
#define NGX_SLUICE_INGEST_WAIT         3

/* the track id in init segments and fragments */
#define NGX_SLUICE_INGEST_TRACK_ID     1

/*
 * the least capacity of a track's sample buffer (it doubles as needed;
 * each fragment hands it to its write job and the track takes a new one
 * of the same capacity): about 2 s of 3 Mbps video, of 256 kbps audio
 */
#define NGX_SLUICE_INGEST_BUF_VIDEO    (256 * 1024)
#define NGX_SLUICE_INGEST_BUF_AUDIO    (64 * 1024)


#define NGX_SLUICE_INGEST_JOB_INIT     0
#define NGX_SLUICE_INGEST_JOB_FRAGMENT 1
#define NGX_SLUICE_INGEST_JOB_REMOVE   2


/* what a storage job carries back to the event loop */
typedef struct {
    ngx_shm_zone_t             *zone;
    u_char                      id[NGX_SLUICE_ID_LEN + 1];
    uint32_t                    generation;
    ngx_uint_t                  slot;
    ngx_uint_t                  kind;
    ngx_sluice_frag_t           frag;
    sluice_track_info_t        *info;       /* install with the entry */
    ngx_str_t                   dir;
} ngx_sluice_ingest_job_t;


static ngx_int_t ngx_sluice_ingest_layer_time(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, int64_t ts64, int64_t gap, int64_t *out);
static int64_t ngx_sluice_ingest_unwrap(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, uint32_t ts);
static void ngx_sluice_ingest_first_time(ngx_sluice_ingest_t *in,
    int64_t ts64, int64_t gap);
static ngx_uint_t ngx_sluice_ingest_join(ngx_sluice_ingest_t *in,
    ngx_sluice_event_t *ev, ngx_sluice_stream_t *st, int64_t ts64,
    int64_t gap);
static ngx_uint_t ngx_sluice_ingest_reconnected(ngx_sluice_ingest_t *in,
    int64_t ts64, int64_t gap, int64_t wall);
static ngx_uint_t ngx_sluice_ingest_resent(ngx_sluice_ingest_t *in,
    int64_t tl);
static ngx_int_t ngx_sluice_ingest_jump(ngx_sluice_ingest_t *in,
    int64_t ts64, int64_t d);
static void ngx_sluice_ingest_set_offset(ngx_sluice_ingest_t *in);
static uint32_t ngx_sluice_ingest_frame_len(sluice_track_info_t *info);
static void ngx_sluice_ingest_captions(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, const u_char *p, size_t len);
static void ngx_sluice_ingest_set_epoch(ngx_sluice_event_t *ev,
    ngx_uint_t slot, ngx_sluice_frag_t *frag);
static ngx_int_t ngx_sluice_ingest_video_frame(ngx_sluice_ingest_t *in,
    int64_t tl, int32_t cts, ngx_uint_t key, const u_char *p, size_t len);
static ngx_uint_t ngx_sluice_ingest_splice(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, int64_t tl);
static ngx_int_t ngx_sluice_ingest_audio_frame(ngx_sluice_ingest_t *in,
    int64_t tl, const u_char *p, size_t len);
static ngx_int_t ngx_sluice_ingest_audio_cuts(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *a);
static void ngx_sluice_ingest_push_cut(ngx_sluice_ingest_track_t *a,
    uint64_t time, uint32_t seq);
static ngx_uint_t ngx_sluice_ingest_parts_open(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t);
static ngx_int_t ngx_sluice_ingest_parts(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, ngx_uint_t avail, uint64_t limit);
static ngx_int_t ngx_sluice_ingest_final_part(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, ngx_uint_t n);
static ngx_int_t ngx_sluice_ingest_post_part(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, ngx_uint_t from, ngx_uint_t to,
    ngx_uint_t last);
static ngx_int_t ngx_sluice_ingest_part_write(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, ngx_sluice_part_t *part);
static void ngx_sluice_ingest_part_close(ngx_sluice_ingest_track_t *t);
static void ngx_sluice_ingest_part_publish(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, ngx_sluice_part_t *part);
static ngx_int_t ngx_sluice_ingest_remove(ngx_sluice_writer_t *w,
    u_char *path);
static ngx_int_t ngx_sluice_ingest_flush(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t);
static ngx_int_t ngx_sluice_ingest_append(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, uint64_t dts, int32_t cts, ngx_uint_t key,
    const u_char *p, size_t len);
static ngx_int_t ngx_sluice_ingest_emit(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, ngx_uint_t n, uint32_t seq);
static ngx_int_t ngx_sluice_ingest_ready(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, ngx_uint_t n);
static ngx_int_t ngx_sluice_ingest_post_fragment(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, ngx_uint_t n, uint32_t seq);
static void ngx_sluice_ingest_fragment(ngx_sluice_ingest_track_t *t,
    ngx_uint_t n, uint32_t seq, sluice_fragment_t *f);
static ngx_int_t ngx_sluice_ingest_fragment_job(ngx_sluice_ingest_track_t *t,
    ngx_sluice_wjob_t *job, sluice_fragment_t *f, uint32_t seq, size_t size);
static uint32_t ngx_sluice_ingest_key_size(ngx_sluice_ingest_track_t *t,
    sluice_fragment_t *f);
static void ngx_sluice_ingest_consume(ngx_sluice_ingest_track_t *t,
    ngx_uint_t n);
static ngx_int_t ngx_sluice_ingest_hand_over(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, ngx_sluice_wjob_t *job, ngx_uint_t n,
    size_t bytes);
static void ngx_sluice_ingest_free_buf(void *data);
static void ngx_sluice_ingest_drop_samples(ngx_sluice_ingest_track_t *t,
    ngx_uint_t n);
static ngx_int_t ngx_sluice_ingest_open(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, ngx_uint_t n);
static ngx_uint_t ngx_sluice_ingest_claim(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, ngx_sluice_event_t *ev, ngx_uint_t n,
    int64_t *shift);
static void ngx_sluice_ingest_claimed(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, ngx_uint_t n, ngx_uint_t claim,
    int64_t shift);
static ngx_uint_t ngx_sluice_ingest_leave(ngx_sluice_ingest_t *in);
static void ngx_sluice_ingest_telemetry(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, ngx_sluice_event_t *ev, ngx_uint_t claim,
    int64_t shift, ngx_uint_t n);
static void ngx_sluice_ingest_init_version(ngx_sluice_ingest_track_t *t,
    ngx_sluice_track_t *tr);
static ngx_int_t ngx_sluice_ingest_open_writer(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, uint32_t bitrate);
static uint32_t ngx_sluice_ingest_bitrate(ngx_sluice_ingest_track_t *t,
    ngx_uint_t n);
static ngx_int_t ngx_sluice_ingest_post_init(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t);
static ngx_sluice_wjob_t *ngx_sluice_ingest_job(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, size_t len, ngx_uint_t kind);
static void ngx_sluice_ingest_job_done(ngx_sluice_wjob_t *job);
static void ngx_sluice_ingest_job_failed(ngx_sluice_wjob_t *job);


/* the timescale of a track's samples: 90 kHz video, the audio's own */
#define ngx_sluice_ingest_scale(t)                                            \
    ((t)->media_type == SLUICE_MEDIA_AUDIO ? (t)->info.timescale : 90000)


static ngx_inline uint32_t
ngx_sluice_ingest_seq(ngx_sluice_ingest_t *in, int64_t tl)
{
    return (uint32_t) ((tl + (int64_t) in->fragment_ms / 2)
                       / (int64_t) in->fragment_ms);
}


/* AAC samples per frame at the output rate (2048 with implicit SBR) */

static uint32_t
ngx_sluice_ingest_frame_len(sluice_track_info_t *info)
{
    sluice_aac_config_t  c;

    if (sluice_aac_parse_config(info->config, info->config_len, &c)
        != SLUICE_OK
        || c.sample_rate == 0)
    {
        return 1024;
    }

    return (uint32_t) ((uint64_t) (c.frame_length ? c.frame_length : 1024)
                       * info->timescale / c.sample_rate);
}


void
ngx_sluice_ingest_init(ngx_sluice_ingest_t *in)
{
    ngx_memzero(in, sizeof(ngx_sluice_ingest_t));

    in->video.media_type = SLUICE_MEDIA_VIDEO;
    in->audio.media_type = SLUICE_MEDIA_AUDIO;
    in->video.part_fd = NGX_INVALID_FILE;
    in->audio.part_fd = NGX_INVALID_FILE;
}


ngx_int_t
ngx_sluice_ingest_frame(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, uint32_t ts, int32_t cts, ngx_uint_t key,
    const u_char *p, size_t len)
{
    int64_t    tl;
    ngx_int_t  rc;

    if (!t->configured || len == 0) {
        return NGX_OK;
    }

    in->bytes += len;

    rc = ngx_sluice_ingest_timeline(in, t, ts, &tl);

    if (rc == NGX_DECLINED) {
        return NGX_OK;      /* a layer's time already stored */
    }

    if (rc == NGX_OK) {
        if (t == &in->video) {
            ngx_sluice_ingest_captions(in, t, p, len);
            rc = ngx_sluice_ingest_video_frame(in, tl, cts, key, p, len);

        } else {
            rc = ngx_sluice_ingest_audio_frame(in, tl, p, len);
        }
    }

    if (rc == NGX_ERROR || in->stopped) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * Closed captions in the SEI of a video frame (only its SEI NAL units are
 * read): services not seen before join the track's info, which goes
 * into the index with the next fragment (info_new), so the manifests
 * signal them from then on
 */

static void
ngx_sluice_ingest_captions(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, const u_char *p, size_t len)
{
    uint32_t  cc;

    if (t->info.captions == SLUICE_CAPTIONS_ALL) {
        return;
    }

    cc = sluice_sei_captions(p, len, t->info.codec,
                             t->info.nal_length_size
                             ? t->info.nal_length_size : 4);

    if ((cc & ~t->info.captions) == 0) {
        return;
    }

    t->info.captions |= cc;
    t->info_new = 1;

    ngx_log_error(NGX_LOG_INFO, in->log, 0,
                  "sluice: closed captions in the video of \"%s\":%s%s%s",
                  in->stream,
                  (cc & SLUICE_CAPTIONS_608_CC1) ? " CEA-608 CC1" : "",
                  (cc & SLUICE_CAPTIONS_608_CC3) ? " CEA-608 CC3" : "",
                  (cc & SLUICE_CAPTIONS_708) ? " CEA-708" : "");
}


ngx_int_t
ngx_sluice_ingest_configure(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, sluice_track_info_t *info)
{
    ngx_int_t  rc;

    if (in->lang[0]) {
        ngx_memcpy(info->lang, in->lang, sizeof(info->lang));
    }

    if (info->media_type == SLUICE_MEDIA_AUDIO) {
        t->frame_len = ngx_sluice_ingest_frame_len(info);
    }

    if (!t->configured) {
        t->info = *info;
        t->configured = 1;

        if (t == &in->audio && in->video.frag_open && in->video.nsamples) {
            /*
             * audio known after the video began (MPEG-TS: the first
             * ADTS frame completes after the first video frames): it
             * joins the video's fragment in progress
             */
            t->armed = 1;
            t->arm = sluice_rescale(in->video.samples[0].dts, 90000,
                                    info->timescale);
            t->seq = in->video.seq;
        }

        return NGX_OK;
    }

    if (t->info.codec == info->codec
        && t->info.config_len == info->config_len
        && ngx_memcmp(t->info.config, info->config, info->config_len) == 0)
    {
        return NGX_OK;
    }

    /* the fragment in progress ends with the old configuration */

    rc = ngx_sluice_ingest_flush(in, t);
    if (rc == NGX_ERROR) {
        return rc;
    }

    t->info = *info;
    t->disc = 1;

    if (t->opened) {
        t->init_version++;
        t->info_new = 1;
        t->init_pending = 1;
    }

    ngx_log_error(NGX_LOG_INFO, in->log, 0,
                  "sluice: %s configuration of \"%s\" changed (%s), "
                  "init version %uD",
                  t->media_type == SLUICE_MEDIA_VIDEO ? "video" : "audio",
                  in->stream, info->codec_string, t->init_version);

    return NGX_OK;
}


/*
 * Input milliseconds -> timeline milliseconds, handling 32-bit wraps,
 * reconnects behind the stored end and jumps.
 */

ngx_int_t
ngx_sluice_ingest_timeline(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, uint32_t ts, int64_t *out)
{
    int64_t    ts64, tl, d, gap;
    ngx_int_t  rc;

    ts64 = ngx_sluice_ingest_unwrap(in, t, ts);
    gap = NGX_SLUICE_INGEST_MAX_GAP + 2 * (int64_t) in->fragment_ms;

    if (in->layer) {
        return ngx_sluice_ingest_layer_time(in, t, ts64, gap, out);
    }

    if (!in->offset_checked) {
        in->offset_checked = 1;
        ngx_sluice_ingest_first_time(in, ts64, gap);
    }

    tl = ts64 + in->offset;

    if (t->resume) {
        if (tl < (int64_t) t->resume) {
            return NGX_DECLINED;    /* resent: stored already */
        }

        t->resume = 0;
    }

    if (t->ts_started) {
        d = tl - t->last_t;

        if (d > gap || d < -NGX_SLUICE_INGEST_MAX_BACK) {
            rc = ngx_sluice_ingest_jump(in, ts64, d);
            if (rc == NGX_ERROR) {
                return rc;
            }

            tl = ts64 + in->offset;

        } else if (d < 0) {
            tl = t->last_t;
            t->backward = 1;
        }
    }

    if (tl < 0) {
        tl = 0;
    }

    t->ts_started = 1;
    t->last_ts32 = ts;
    t->last_ts64 = ts64;
    t->last_t = tl;

    *out = tl;

    return NGX_OK;
}


/*
 * A layer of the event's transcoder: its timestamps are the timeline
 * (the transcoder keeps the contribution feed's), never moved; a gap (the
 * transcoder restarted, or skipped a GOP while behind) or a reconnect
 * marks a discontinuity; backward steps are clamped.
 */

static ngx_int_t
ngx_sluice_ingest_layer_time(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, int64_t ts64, int64_t gap, int64_t *out)
{
    int64_t  tl, d;

    if (!in->offset_checked) {
        in->offset_checked = 1;

        if (in->reconnect) {
            in->video.disc = 1;
            in->audio.disc = 1;
        }
    }

    tl = ts64;

    /*
     * a restarted transcoder begins at the feed's last keyframe, which
     * its predecessor may have encoded already: what is stored stays
     */

    if (in->reconnect && !t->ts_started && tl < (int64_t) in->stored_end) {
        return NGX_DECLINED;
    }

    if (t->ts_started) {
        d = tl - t->last_t;

        if (d > gap) {
            in->video.disc = 1;
            in->audio.disc = 1;

        } else if (d < 0) {
            tl = t->last_t;
            t->backward = 1;
        }
    }

    if (tl < 0) {
        tl = 0;
    }

    t->ts_started = 1;
    t->last_ts32 = (uint32_t) ts64;
    t->last_ts64 = ts64;
    t->last_t = tl;

    *out = tl;

    return NGX_OK;
}


/*
 * A 32-bit input timestamp in 64 bits: after the last one of the track,
 * or of the other track of the stream when this one has none yet
 */

static int64_t
ngx_sluice_ingest_unwrap(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, uint32_t ts)
{
    ngx_sluice_ingest_track_t  *o;

    o = (t == &in->video) ? &in->audio : &in->video;

    if (t->ts_started) {
        return t->last_ts64 + (int32_t) (ts - t->last_ts32);
    }

    if (o->ts_started) {
        return o->last_ts64 + (int32_t) (ts - o->last_ts32);
    }

    return ts;
}


/* how a publisher's first timestamp met the timeline */
#define NGX_SLUICE_INGEST_FIRST        0    /* as it is */
#define NGX_SLUICE_INGEST_JOINED       1    /* the other connection's */
#define NGX_SLUICE_INGEST_RECONNECTED  2    /* continued, discontinuity */
#define NGX_SLUICE_INGEST_RESENT       3    /* continued seamlessly */
#define NGX_SLUICE_INGEST_MISALIGNED   4    /* a second connection whose
                                               times are not the first's */


/*
 * The first timestamp of a publisher, ts64, in one critical section (two
 * connections of a stream may start at once, in two workers): a second
 * connection of the stream whose timestamps match the first's takes its
 * offset (redundant ingest); a reconnect continues the timeline; the
 * stream keeps the offset for a connection that joins it later.
 */

static void
ngx_sluice_ingest_first_time(ngx_sluice_ingest_t *in, int64_t ts64,
    int64_t gap)
{
    int64_t                 wall;
    ngx_uint_t              how, others;
    ngx_time_t             *tp;
    ngx_sluice_event_t     *ev;
    ngx_sluice_stream_t    *st;
    ngx_sluice_zone_ctx_t  *zctx;

    zctx = in->zone->data;
    tp = ngx_timeofday();
    how = NGX_SLUICE_INGEST_FIRST;
    wall = -1;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ev = ngx_sluice_index_event(zctx->sh, in->event_id, in->generation);

    if (ev == NULL) {
        /* stopped: the next fragment notices */
        ngx_shmtx_unlock(&zctx->shpool->mutex);
        return;
    }

    st = ngx_sluice_stream_find(ev, in->stream);
    others = st ? ngx_sluice_stream_others(st, in->pub_id) : 0;

    if (others && st->timed) {
        how = ngx_sluice_ingest_join(in, ev, st, ts64, gap);
    }

    if (how != NGX_SLUICE_INGEST_JOINED && in->reconnect) {
        /*
         * another rendition of the encoder may have moved the event's
         * offset; the wall clock position of the timeline, now - epoch
         * (none yet after an nginx restart: the stored end, a
         * recording's end, decides)
         */

        in->offset = ev->ts_offset;

        if (ev->epoch_generation == ev->generation && ev->epoch_ms > 0) {
            wall = (int64_t) tp->sec * 1000 + (int64_t) tp->msec
                   - ev->epoch_ms;
        }

        if (ngx_sluice_ingest_reconnected(in, ts64, gap, wall)) {
            how = NGX_SLUICE_INGEST_RESENT;

        } else {
            ev->ts_offset = in->offset;

            if (how == NGX_SLUICE_INGEST_FIRST) {
                how = NGX_SLUICE_INGEST_RECONNECTED;
            }
        }
    }

    if (st && (!st->timed || !others)) {
        st->ts_offset = in->offset;
        st->timed = 1;
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    switch (how) {

    case NGX_SLUICE_INGEST_JOINED:
        ngx_log_error(NGX_LOG_INFO, in->log, 0,
                      "sluice: \"%s\" joins the stream's other connection "
                      "(redundant ingest): input %L ms is timeline %L ms",
                      in->stream, ts64, ts64 + in->offset);
        break;

    case NGX_SLUICE_INGEST_MISALIGNED:
        ngx_log_error(NGX_LOG_WARN, in->log, 0,
                      "sluice: \"%s\": the timestamps of this second "
                      "connection are not those of the first one, input "
                      "%L ms is timeline %L ms (stored end %uL ms)",
                      in->stream, ts64, ts64 + in->offset, in->stored_end);
        break;

    case NGX_SLUICE_INGEST_RECONNECTED:
        ngx_log_error(NGX_LOG_INFO, in->log, 0,
                      "sluice: \"%s\" reconnected, input %L ms is timeline "
                      "%L ms (stored end %uL ms, wall clock %L ms)",
                      in->stream, ts64, ts64 + in->offset, in->stored_end,
                      wall);
        break;

    case NGX_SLUICE_INGEST_RESENT:
        ngx_log_error(NGX_LOG_INFO, in->log, 0,
                      "sluice: \"%s\" reconnected, its timeline continues: "
                      "input %L ms is timeline %L ms, stored until %uL ms",
                      in->stream, ts64, ts64 + in->offset, in->stored_end);
        break;

    default:
        break;
    }
}


/*
 * A connection of a stream another connection publishes (mutex held):
 * with the offset of the stream, its first timestamp must fall where the
 * stream's fragments end (at most NGX_SLUICE_INGEST_RESEND fragments
 * before, the allowed gap after; anywhere before the first fragment):
 * then it shares the timeline, and its fragments are those of the other
 * connection (ngx_sluice_ingest_claim()).  Else its timestamps are not
 * the other's (an encoder restarted on its own): it goes on as a
 * reconnect would.
 */

static ngx_uint_t
ngx_sluice_ingest_join(ngx_sluice_ingest_t *in, ngx_sluice_event_t *ev,
    ngx_sluice_stream_t *st, int64_t ts64, int64_t gap)
{
    int64_t              tl, ref, end, fms;
    ngx_uint_t           i;
    ngx_sluice_track_t  *tr;

    fms = (int64_t) in->fragment_ms;
    ref = -1;

    for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
        tr = &ev->tracks[i];

        if (tr->state == NGX_SLUICE_TRACK_FREE || tr->claim_pid == 0
            || tr->info.timescale == 0
            || ngx_strcmp(tr->stream, in->stream) != 0)
        {
            continue;
        }

        end = (int64_t) (tr->claimed * 1000 / tr->info.timescale);

        if (end > ref) {
            ref = end;
        }
    }

    tl = ts64 + st->ts_offset;

    if (ref >= 0 && (tl < ref - NGX_SLUICE_INGEST_RESEND * fms
                     || tl > ref + gap))
    {
        return NGX_SLUICE_INGEST_MISALIGNED;
    }

    in->offset = st->ts_offset;
    in->reconnect = 0;

    in->video.seamless = 1;
    in->audio.seamless = 1;
    in->video.disc = 0;
    in->audio.disc = 0;

    return NGX_SLUICE_INGEST_JOINED;
}


/*
 * The first timestamp of a reconnected publisher, ts64 (mutex held): the
 * timeline goes on at the stored end, or at the wall clock after an
 * outage, unless another rendition's offset already puts it there.
 * Returns 1 when a resending encoder continues the timeline seamlessly.
 */

static ngx_uint_t
ngx_sluice_ingest_reconnected(ngx_sluice_ingest_t *in, int64_t ts64,
    int64_t gap, int64_t wall)
{
    int64_t  tl, end, fms;

    fms = (int64_t) in->fragment_ms;
    end = (int64_t) in->stored_end;

    if (wall > end) {
        /*
         * after an outage: at the next fragment boundary (ahead of the
         * wall clock, never behind it: players ask for what the wall
         * clock says exists)
         */
        end = (wall + fms - 1) / fms * fms;
    }

    /* a rendition that reconnected first may have moved it */
    tl = ts64 + in->offset;

    if (in->resend && ngx_sluice_ingest_resent(in, tl)) {
        return 1;
    }

    if (tl < (int64_t) in->stored_end || tl < wall - fms
        || tl > end + gap)
    {
        in->offset = end - ts64;
    }

    in->video.disc = 1;
    in->audio.disc = 1;

    return 0;
}


/*
 * Fragmented-MP4 ingest as AMS specified it: a reconnecting encoder
 * resends its last fragments with the timestamps it gave them.  A first
 * frame at most NGX_SLUICE_INGEST_RESEND fragments before the stored
 * end, and not beyond the gap after it, continues the timeline as it
 * is: no new offset, no discontinuity; the frames of each track before
 * its stored end are dropped (they are stored).
 */

static ngx_uint_t
ngx_sluice_ingest_resent(ngx_sluice_ingest_t *in, int64_t tl)
{
    int64_t  end, fms;

    fms = (int64_t) in->fragment_ms;
    end = (int64_t) in->stored_end;

    if (tl < end - NGX_SLUICE_INGEST_RESEND * fms
        || tl > end + NGX_SLUICE_INGEST_MAX_GAP)
    {
        return 0;
    }

    in->video.resume = in->video.stored_end;
    in->video.seamless = 1;
    in->audio.resume = in->audio.stored_end;
    in->audio.seamless = 1;

    return 1;
}


/* a jump of d ms at input ts64: end what we have, continue after it */

static ngx_int_t
ngx_sluice_ingest_jump(ngx_sluice_ingest_t *in, int64_t ts64, int64_t d)
{
    int64_t    end;
    ngx_int_t  rc;

    rc = ngx_sluice_ingest_flush(in, &in->video);
    if (rc == NGX_ERROR) {
        return rc;
    }

    rc = ngx_sluice_ingest_flush(in, &in->audio);
    if (rc == NGX_ERROR) {
        return rc;
    }

    end = ngx_max(in->video.last_t, in->audio.last_t) + 1;

    in->offset = end - ts64;
    ngx_sluice_ingest_set_offset(in);

    in->video.disc = 1;
    in->audio.disc = 1;

    ngx_log_error(NGX_LOG_WARN, in->log, 0,
                  "sluice: timestamp jump of %L ms in \"%s\", "
                  "timeline continues at %L ms", d, in->stream,
                  ts64 + in->offset);

    return NGX_OK;
}


/*
 * The wall clock of timeline time 0 (DASH availabilityStartTime, HLS
 * program date time), set once per generation by its first fragment: the
 * time it is indexed minus its end.  Called with the zone locked.
 */

static void
ngx_sluice_ingest_set_epoch(ngx_sluice_event_t *ev, ngx_uint_t slot,
    ngx_sluice_frag_t *frag)
{
    uint64_t     end;
    uint32_t     timescale;
    ngx_time_t  *tp;

    if (ev->epoch_generation == ev->generation && ev->epoch_ms > 0) {
        return;
    }

    timescale = ev->tracks[slot].info.timescale;
    if (timescale == 0) {
        return;
    }

    end = sluice_rescale(frag->time + frag->duration, timescale, 1000);
    tp = ngx_timeofday();

    ev->epoch_ms = (int64_t) tp->sec * 1000 + (int64_t) tp->msec
                   - (int64_t) end;
    ev->epoch_generation = ev->generation;
}


/*
 * The event keeps the last offset: renditions restarting together agree;
 * so does the stream, for a connection joining it
 */

static void
ngx_sluice_ingest_set_offset(ngx_sluice_ingest_t *in)
{
    ngx_sluice_event_t     *ev;
    ngx_sluice_stream_t    *st;
    ngx_sluice_zone_ctx_t  *zctx;

    zctx = in->zone->data;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ev = ngx_sluice_index_event(zctx->sh, in->event_id, in->generation);
    if (ev) {
        ev->ts_offset = in->offset;

        st = ngx_sluice_stream_find(ev, in->stream);
        if (st) {
            st->ts_offset = in->offset;
            st->timed = 1;
        }
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);
}


static ngx_int_t
ngx_sluice_ingest_video_frame(ngx_sluice_ingest_t *in, int64_t tl,
    int32_t cts, ngx_uint_t key, const uint8_t *p, size_t len)
{
    uint32_t                  seq;
    uint64_t                  dts, adts;
    ngx_int_t                 rc;
    sluice_sample_t          *last;
    ngx_sluice_ingest_track_t  *t, *a;

    t = &in->video;
    a = &in->audio;

    dts = (uint64_t) tl * 90;
    seq = ngx_sluice_ingest_seq(in, tl);

    last = t->nsamples ? &t->samples[t->nsamples - 1] : NULL;

    if (last) {
        last->duration = dts > last->dts ? (uint32_t) (dts - last->dts) : 1;
    }

    if (!t->frag_open) {
        if (!key) {
            return NGX_OK;      /* wait for a keyframe */
        }

        t->frag_open = 1;
        t->seq = seq;

        if (a->configured) {
            adts = sluice_rescale(dts, 90000, a->info.timescale);

            if (a->frag_open) {
                /* audio began alone: end its fragment */
                rc = ngx_sluice_ingest_flush(in, a);
                if (rc == NGX_ERROR) {
                    return rc;
                }
            }

            if (a->armed) {
                ngx_sluice_ingest_push_cut(a, adts, a->seq);

            } else {
                a->armed = 1;
                a->arm = adts;
            }

            a->seq = seq;
        }

    } else if (key
               && (seq > t->seq || ngx_sluice_ingest_splice(in, t, tl)))
    {
        rc = ngx_sluice_ingest_emit(in, t, t->nsamples, t->seq);
        if (rc == NGX_ERROR) {
            return rc;
        }

        if (a->armed) {
            adts = sluice_rescale(dts, 90000, a->info.timescale);
            ngx_sluice_ingest_push_cut(a, adts, t->seq);
            a->seq = seq;
        }

        t->seq = seq;

        if (a->armed) {
            rc = ngx_sluice_ingest_audio_cuts(in, a);
            if (rc == NGX_ERROR) {
                return rc;
            }
        }
    }

    if (in->part_ms) {
        if (ngx_sluice_ingest_parts(in, t, t->nsamples, (uint64_t) -1)
            == NGX_ERROR)
        {
            return NGX_ERROR;
        }

        /* the audio up to this frame: no video cut can fall before it */

        if (a->armed && a->nsamples > 1
            && ngx_sluice_ingest_parts(in, a, a->nsamples - 1,
                   sluice_rescale(dts, 90000, a->info.timescale))
               == NGX_ERROR)
        {
            return NGX_ERROR;
        }
    }

    return ngx_sluice_ingest_append(in, t, dts, cts * 90, key, p, len);
}


/*
 * Splice-point conditioning (sluice_splice_conditioning): a keyframe at a
 * splice point (the first frame at or after it) inside the fragment
 * cuts it there, when the piece before is a quarter of a fragment or
 * more.  The cue must be in the zone before the keyframe comes (SCTE 35
 * pre-rolls are seconds): every rendition and every origin fed the same
 * stream and cues then cuts at the same times.  The piece after keeps
 * the fragment's cut number (the index numbers fragments one by one).
 *
 * A layer of a live encoding event cuts at the points its transcoder was
 * told in time (ngx_sluice_cue_force()): there every video layer has an
 * IDR at the same frame, and an audio layer (every sample a sync
 * sample) cuts at its first sample at or after the point.
 */

static ngx_uint_t
ngx_sluice_ingest_splice(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, int64_t tl)
{
    uint64_t                start, prev, at, scale;
    ngx_sluice_zone_ctx_t  *zctx;

    zctx = in->zone->data;

    if (!zctx->splice_conditioning || t->nsamples == 0) {
        return 0;
    }

    scale = ngx_sluice_ingest_scale(t);
    if (scale == 0) {
        return 0;
    }

    start = t->samples[0].dts * 1000 / scale;
    prev = t->samples[t->nsamples - 1].dts * 1000 / scale;

    if ((uint64_t) tl < start + in->fragment_ms / 4) {
        return 0;
    }

    at = ngx_sluice_cue_splice(zctx, in->event_id, in->generation, prev,
                               (uint64_t) tl, in->layer);
    if (at == 0) {
        return 0;
    }

    ngx_log_error(NGX_LOG_INFO, in->log, 0,
                  "sluice: live event \"%s\": stream \"%s\" cut at its "
                  "%s %L ms, the splice point at %uL ms",
                  in->event_name, in->stream,
                  (t->media_type == SLUICE_MEDIA_AUDIO) ? "sample"
                                                        : "keyframe",
                  tl, at);

    return 1;
}


static ngx_int_t
ngx_sluice_ingest_audio_frame(ngx_sluice_ingest_t *in, int64_t tl,
    const uint8_t *p, size_t len)
{
    uint32_t                  seq;
    uint64_t                  dts, scaled, expected;
    ngx_int_t                 rc;
    sluice_sample_t          *last;
    ngx_sluice_ingest_track_t  *a;

    a = &in->audio;

    scaled = (uint64_t) tl * a->info.timescale / 1000;

    last = a->nsamples ? &a->samples[a->nsamples - 1] : NULL;

    /* count samples; follow the input only when it drifts a frame away */

    dts = scaled;

    if (last) {
        expected = last->dts + a->frame_len;

        if (scaled + a->frame_len >= expected
            && scaled <= expected + a->frame_len)
        {
            dts = expected;
        }

        if (dts <= last->dts) {
            dts = expected;
        }

        last->duration = (uint32_t) (dts - last->dts);
    }

    if (in->video.configured) {

        if (!a->armed || dts < a->arm) {
            return NGX_OK;      /* before the first video keyframe */
        }

        rc = ngx_sluice_ingest_append(in, a, dts, 0, 1, p, len);
        if (rc != NGX_OK) {
            return rc;
        }

        rc = ngx_sluice_ingest_audio_cuts(in, a);

        if (rc != NGX_OK || !in->part_ms || in->video.nsamples == 0) {
            return rc;
        }

        /* up to the video's last frame: no video cut can fall before it */

        return ngx_sluice_ingest_parts(in, a, a->nsamples - 1,
                   sluice_rescale(in->video.samples[in->video.nsamples - 1]
                                  .dts, 90000, a->info.timescale));
    }

    /*
     * audio only: every sample may begin a fragment, so cut at the
     * boundaries themselves (k * F), not half way as round() would
     */

    seq = (uint32_t) (tl / (int64_t) in->fragment_ms);

    if (!a->frag_open) {
        a->frag_open = 1;
        a->seq = seq;

    } else if (seq > a->seq
               || (in->layer && ngx_sluice_ingest_splice(in, a, tl)))
    {
        rc = ngx_sluice_ingest_emit(in, a, a->nsamples, a->seq);
        if (rc == NGX_ERROR) {
            return rc;
        }

        a->seq = seq;
    }

    if (in->part_ms
        && ngx_sluice_ingest_parts(in, a, a->nsamples, (uint64_t) -1)
           == NGX_ERROR)
    {
        return NGX_ERROR;
    }

    return ngx_sluice_ingest_append(in, a, dts, 0, 1, p, len);
}


/* cut the audio at the video cut times it has reached */

static ngx_int_t
ngx_sluice_ingest_audio_cuts(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *a)
{
    ngx_int_t   rc;
    ngx_uint_t  n;

    while (a->ncuts) {

        if (a->nsamples == 0
            || a->samples[a->nsamples - 1].dts < a->cuts[0].time)
        {
            break;
        }

        for (n = 0; n < a->nsamples; n++) {
            if (a->samples[n].dts >= a->cuts[0].time) {
                break;
            }
        }

        rc = ngx_sluice_ingest_emit(in, a, n, a->cuts[0].seq);
        if (rc == NGX_ERROR) {
            return rc;
        }

        a->ncuts--;
        ngx_memmove(&a->cuts[0], &a->cuts[1],
                    a->ncuts * sizeof(ngx_sluice_ingest_cut_t));
    }

    return NGX_OK;
}


static void
ngx_sluice_ingest_push_cut(ngx_sluice_ingest_track_t *a, uint64_t time,
    uint32_t seq)
{
    if (a->ncuts == NGX_SLUICE_INGEST_MAX_CUTS) {
        /* audio far behind: merge the two oldest fragments */
        a->ncuts--;
        ngx_memmove(&a->cuts[0], &a->cuts[1],
                    a->ncuts * sizeof(ngx_sluice_ingest_cut_t));
    }

    a->cuts[a->ncuts].time = time;
    a->cuts[a->ncuts].seq = seq;
    a->ncuts++;
}


/* write everything pending of a track; the next fragment begins anew */

static ngx_int_t
ngx_sluice_ingest_flush(ngx_sluice_ingest_t *in, ngx_sluice_ingest_track_t *t)
{
    ngx_int_t         rc;
    ngx_uint_t        n;
    sluice_sample_t  *last;

    rc = NGX_OK;

    while (t->ncuts && rc != NGX_ERROR) {
        for (n = 0; n < t->nsamples; n++) {
            if (t->samples[n].dts >= t->cuts[0].time) {
                break;
            }
        }

        rc = ngx_sluice_ingest_emit(in, t, n, t->cuts[0].seq);

        t->ncuts--;
        ngx_memmove(&t->cuts[0], &t->cuts[1],
                    t->ncuts * sizeof(ngx_sluice_ingest_cut_t));
    }

    if (t->nsamples && rc != NGX_ERROR) {
        last = &t->samples[t->nsamples - 1];

        if (t->media_type == SLUICE_MEDIA_AUDIO) {
            last->duration = t->frame_len;

        } else if (t->nsamples > 1) {
            last->duration = t->samples[t->nsamples - 2].duration;

        } else if (t->info.frame_rate_num) {
            last->duration = (uint32_t) ((uint64_t) 90000
                                         * t->info.frame_rate_den
                                         / t->info.frame_rate_num);

        } else {
            last->duration = 3000;
        }

        if (last->duration == 0) {
            last->duration = 1;
        }

        rc = ngx_sluice_ingest_emit(in, t, t->nsamples, t->seq);
    }

    ngx_sluice_ingest_consume(t, t->nsamples);

    t->frag_open = 0;
    t->armed = 0;
    t->ncuts = 0;

    return rc == NGX_ERROR ? NGX_ERROR : NGX_OK;
}


static ngx_int_t
ngx_sluice_ingest_append(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, uint64_t dts, int32_t cts, ngx_uint_t key,
    const uint8_t *p, size_t len)
{
    size_t            cap, least;
    u_char           *buf;
    ngx_uint_t        nalloc;
    sluice_sample_t  *s, *samples;

    if (t->len + len > in->max_fragment) {
        ngx_log_error(NGX_LOG_ERR, in->log, 0,
                      "sluice: %s fragment of \"%s\" exceeds %uz bytes "
                      "(no keyframe?), closing",
                      t->media_type == SLUICE_MEDIA_VIDEO ? "video" : "audio",
                      in->stream, in->max_fragment);
        in->end_code = "MPE_INGEST_RTMP_TOO_LARGE_UNPROCESSED_FLV";
        return NGX_ERROR;
    }

    if (t->len + len > t->cap) {
        cap = ngx_max(t->cap * 2, t->len + len);
        least = (t->media_type == SLUICE_MEDIA_AUDIO)
                ? NGX_SLUICE_INGEST_BUF_AUDIO : NGX_SLUICE_INGEST_BUF_VIDEO;
        cap = ngx_max(cap, least);
        cap = ngx_min(cap, in->max_fragment);

        buf = ngx_alloc(cap, in->log);
        if (buf == NULL) {
            return NGX_ERROR;
        }

        if (t->buf) {
            ngx_memcpy(buf, t->buf, t->len);
            ngx_free(t->buf);
        }

        t->buf = buf;
        t->cap = cap;
    }

    if (t->nsamples == t->nalloc) {
        nalloc = t->nalloc ? t->nalloc * 2 : 256;

        samples = ngx_alloc(nalloc * sizeof(sluice_sample_t),
                            in->log);
        if (samples == NULL) {
            return NGX_ERROR;
        }

        if (t->samples) {
            ngx_memcpy(samples, t->samples,
                       t->nsamples * sizeof(sluice_sample_t));
            ngx_free(t->samples);
        }

        t->samples = samples;
        t->nalloc = nalloc;
    }

    s = &t->samples[t->nsamples++];

    s->dts = dts;
    s->cts = cts;
    s->duration = 0;
    s->size = (uint32_t) len;
    s->flags = key ? SLUICE_SAMPLE_KEY : 0;
    s->data = NULL;

    ngx_memcpy(t->buf + t->len, p, len);
    t->len += len;

    return NGX_OK;
}


/*
 * The first n samples make a fragment: open the track if needed, post
 * the init segment if pending, then the fragment.  NGX_DECLINED when the
 * event is no longer running (the samples are dropped, as they are when
 * the stream's other connection delivered the fragment first).
 */

static ngx_int_t
ngx_sluice_ingest_emit(ngx_sluice_ingest_t *in, ngx_sluice_ingest_track_t *t,
    ngx_uint_t n, uint32_t seq)
{
    ngx_int_t  rc;

    if (n == 0) {
        return NGX_OK;
    }

    rc = ngx_sluice_ingest_ready(in, t, n);

    if (rc == NGX_OK && in->part_ms) {
        rc = ngx_sluice_ingest_final_part(in, t, n);
    }

    if (rc == NGX_OK) {
        rc = ngx_sluice_ingest_post_fragment(in, t, n, seq);

        if (rc == NGX_OK) {
            n = 0;          /* its samples went with the fragment */
        }

    } else if (rc == NGX_DONE) {
        rc = NGX_OK;        /* the stream's other connection has it */
    }

    ngx_sluice_ingest_consume(t, n);

    /* the next fragment's parts */
    ngx_sluice_ingest_part_close(t);
    t->part_next = 0;
    t->part_index = 0;
    t->part_skip = 0;

    return rc;
}


/*
 * the track is open, has its writer and its current init segment posted;
 * NGX_DONE: the fragment is not to be written (redundant ingest)
 */

static ngx_int_t
ngx_sluice_ingest_ready(ngx_sluice_ingest_t *in, ngx_sluice_ingest_track_t *t,
    ngx_uint_t n)
{
    ngx_int_t  rc;

    if (in->stopped) {
        return NGX_DECLINED;
    }

    rc = ngx_sluice_ingest_open(in, t, n);

    if ((rc == NGX_OK || rc == NGX_DONE) && t->writer == NULL) {
        rc = NGX_ERROR;     /* opening failed half way (no memory) */
    }

    if (rc != NGX_OK) {
        return rc;
    }

    if (t->init_pending) {
        if (ngx_sluice_ingest_post_init(in, t) != NGX_OK) {
            return NGX_ERROR;
        }

        t->init_pending = 0;
    }

    return NGX_OK;
}


/*
 * The CMAF fragment of the first n samples, posted to the track's writer;
 * NGX_OK: the samples went with it (ngx_sluice_ingest_hand_over())
 */

static ngx_int_t
ngx_sluice_ingest_post_fragment(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, ngx_uint_t n, uint32_t seq)
{
    size_t              size, bytes;
    uint8_t            *end;
    ngx_uint_t          i;
    sluice_fragment_t   f;
    ngx_sluice_wjob_t  *job;

    ngx_sluice_ingest_fragment(t, n, seq, &f);

    size = sluice_cmaf_fragment_size(&f, NGX_SLUICE_INGEST_TRACK_ID,
                                     SLUICE_CMAF_STYP);
    if (size == 0 || size > 0xffffffff) {
        ngx_log_error(NGX_LOG_ERR, in->log, 0,
                      "sluice: fragment of \"%s\" cannot be written",
                      in->stream);
        return NGX_ERROR;
    }

    /* the boxes in the job's data; the samples, after them, stay put */

    bytes = 0;

    for (i = 0; i < n; i++) {
        bytes += t->samples[i].size;
    }

    job = ngx_sluice_ingest_job(in, t, size - bytes,
                                NGX_SLUICE_INGEST_JOB_FRAGMENT);
    if (job == NULL) {
        return NGX_ERROR;
    }

    end = sluice_cmaf_fragment_write(job->data, &f, NGX_SLUICE_INGEST_TRACK_ID,
                                     SLUICE_CMAF_STYP | SLUICE_CMAF_NO_DATA);

    if (end != job->data + size - bytes) {
        ngx_log_error(NGX_LOG_ALERT, in->log, 0,
                      "sluice: fragment size mismatch");
        ngx_destroy_pool(job->pool);
        return NGX_ERROR;
    }

    if (ngx_sluice_ingest_fragment_job(t, job, &f, seq, size) != NGX_OK
        || ngx_sluice_ingest_hand_over(in, t, job, n, bytes) != NGX_OK)
    {
        ngx_destroy_pool(job->pool);
        return NGX_ERROR;
    }

    ngx_log_debug4(NGX_LOG_DEBUG_CORE, in->log, 0,
                   "sluice: fragment %s seq %uD, %ui samples, %uz bytes",
                   job->path, seq, n, size);

    ngx_sluice_writer_post(t->writer, job);

    t->fragments++;
    t->disc = 0;
    t->info_new = 0;

    return NGX_OK;
}


/*
 * The track's buffer goes to the job, whose file gets its first "bytes"
 * bytes (the data of the first n samples) after the boxes: no copy of the
 * media.  The track goes on in a new buffer holding the rest, and without
 * those samples.
 */

static ngx_int_t
ngx_sluice_ingest_hand_over(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, ngx_sluice_wjob_t *job, ngx_uint_t n,
    size_t bytes)
{
    u_char              *buf;
    ngx_pool_cleanup_t  *cln;

    cln = ngx_pool_cleanup_add(job->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    buf = ngx_alloc(t->cap, in->log);
    if (buf == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(buf, t->buf + bytes, t->len - bytes);

    cln->handler = ngx_sluice_ingest_free_buf;
    cln->data = t->buf;

    job->more = t->buf;
    job->more_len = bytes;

    t->buf = buf;
    t->len -= bytes;

    ngx_sluice_ingest_drop_samples(t, n);

    return NGX_OK;
}


static void
ngx_sluice_ingest_free_buf(void *data)
{
    ngx_free(data);
}


/* the first n samples as a fragment: their data in t->buf, in order */

static void
ngx_sluice_ingest_fragment(ngx_sluice_ingest_track_t *t, ngx_uint_t n,
    uint32_t seq, sluice_fragment_t *f)
{
    u_char      *p;
    ngx_uint_t   i;

    p = t->buf;

    f->sequence = seq + 1;
    f->time = t->samples[0].dts;
    f->duration = 0;
    f->nsamples = (uint32_t) n;
    f->samples = t->samples;

    for (i = 0; i < n; i++) {
        t->samples[i].data = p;
        p += t->samples[i].size;
        f->duration += t->samples[i].duration;
    }
}


/*
 * The TS bytes of the fragment's keyframe at the start of a video-only
 * segment (PAT, PMT, its PES): the same muxer on the first sample alone,
 * whose packets do not depend on the samples after it
 */

static uint32_t
ngx_sluice_ingest_key_size(ngx_sluice_ingest_track_t *t, sluice_fragment_t *f)
{
    size_t               size;
    sluice_ts_segment_t  seg;

    if (t->info.media_type != SLUICE_MEDIA_VIDEO || f->nsamples == 0) {
        return 0;
    }

    ngx_memzero(&seg, sizeof(sluice_ts_segment_t));
    seg.video.info = &t->info;
    seg.video.samples = f->samples;
    seg.video.nsamples = 1;

    if (sluice_ts_segment_size(&seg, &size) != SLUICE_OK
        || size > 0xffffffff)
    {
        return 0;
    }

    return (uint32_t) size;
}


/* what a fragment's job carries back (its index entry), and its file */

static ngx_int_t
ngx_sluice_ingest_fragment_job(ngx_sluice_ingest_track_t *t,
    ngx_sluice_wjob_t *job, sluice_fragment_t *f, uint32_t seq, size_t size)
{
    ngx_sluice_ingest_job_t  *jc;

    jc = job->ctx;

    jc->frag.time = f->time;
    jc->frag.duration = (uint32_t) f->duration;
    jc->frag.seq = seq;
    jc->frag.size = (uint32_t) size;
    jc->frag.flags = t->disc ? NGX_SLUICE_FRAG_DISCONTINUITY : 0;
    jc->frag.init = (uint16_t) t->init_version;
    jc->frag.key_size = ngx_sluice_ingest_key_size(t, f);

    if (t->info_new) {
        jc->info = ngx_palloc(job->pool, sizeof(sluice_track_info_t));
        if (jc->info == NULL) {
            return NGX_ERROR;
        }

        *jc->info = t->info;
    }

    job->path = ngx_pnalloc(job->pool, t->dir.len + 1 + NGX_INT64_LEN
                                       + sizeof(".m4s"));
    if (job->path == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(job->path, "%V/%uL.m4s%Z", &t->dir, f->time);

    return NGX_OK;
}


/*
 * Low latency (in->part_ms): the samples of the fragment in progress
 * from t->part_next on make parts, each cut as soon as one more sample
 * as long as its last would make it longer than part_ms (so a part stays
 * within PART-TARGET and is not much shorter).  Only the first "avail"
 * samples may go (their durations are known), and none that ends after
 * "limit" (audio: the video's last frame; a video cut, which ends the
 * audio fragment, cannot fall before it).  A fragment whose first part
 * cannot be published (the track not yet open, a new init segment, a
 * redundant connection) gets no parts: players fetch it whole.
 */

static ngx_int_t
ngx_sluice_ingest_parts(ngx_sluice_ingest_t *in, ngx_sluice_ingest_track_t *t,
    ngx_uint_t avail, uint64_t limit)
{
    uint64_t          target, acc, scale;
    ngx_uint_t        i;
    sluice_sample_t  *s;

    if (t->part_skip || avail > t->nsamples) {
        return NGX_OK;
    }

    scale = ngx_sluice_ingest_scale(t);
    target = (uint64_t) in->part_ms * scale / 1000;

    while (t->part_next < avail) {
        acc = 0;

        for (i = t->part_next; i < avail; i++) {
            s = &t->samples[i];

            if (s->dts + s->duration > limit) {
                return NGX_OK;
            }

            acc += s->duration;

            if (acc + s->duration > target) {
                break;
            }
        }

        if (i == avail) {
            return NGX_OK;
        }

        if (t->part_index == 0
            && !ngx_sluice_ingest_parts_open(in, t))
        {
            t->part_skip = 1;
            return NGX_OK;
        }

        if (ngx_sluice_ingest_post_part(in, t, t->part_next, i + 1, 0)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/*
 * Whether the fragment in progress may get parts, asked at its first:
 * the track has its slot, writer and current init segment, and this
 * connection is its only publisher
 */

static ngx_uint_t
ngx_sluice_ingest_parts_open(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t)
{
    return t->opened && t->writer && !t->init_pending && !t->info_new
           && !in->redundant && !in->stopped;
}


/*
 * The fragment of the first n samples is cut: what is left of it after
 * its parts is its last part (or, when it is no longer than a part, its
 * only one)
 */

static ngx_int_t
ngx_sluice_ingest_final_part(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, ngx_uint_t n)
{
    uint64_t    acc, scale;
    ngx_uint_t  i;

    if (t->part_skip || t->part_next >= n) {
        return NGX_OK;
    }

    if (t->part_index == 0) {
        scale = ngx_sluice_ingest_scale(t);
        acc = 0;

        for (i = 0; i < n; i++) {
            acc += t->samples[i].duration;
        }

        if (acc * 1000 > (uint64_t) in->part_ms * scale
            || !ngx_sluice_ingest_parts_open(in, t))
        {
            return NGX_OK;
        }
    }

    return ngx_sluice_ingest_post_part(in, t, t->part_next, n,
                                       NGX_SLUICE_PART_LAST);
}


/*
 * Samples [from, to) of the fragment in progress as its next part (last:
 * NGX_SLUICE_PART_LAST when it ends the fragment): appended to the
 * fragment's parts file, then to the track's part ring.  Written here, in
 * the event loop, not by the writer's thread: one write() of one part
 * (at most part duration of media) into the page cache, no fsync (parts
 * are a copy of the live edge; the fragment, synced, replaces them), as
 * nginx writes its temporary files; a thread-pool round trip per part
 * cost more than the part (docs/benchmarks.md, "Low latency").  A failed
 * write ends the parts of this fragment, nothing else.
 */

static ngx_int_t
ngx_sluice_ingest_post_part(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, ngx_uint_t from, ngx_uint_t to,
    ngx_uint_t last)
{
    size_t              size;
    u_char             *p;
    uint8_t            *end;
    ngx_uint_t          i, flags;
    sluice_fragment_t   f;
    ngx_sluice_part_t   part;

    p = t->buf;

    for (i = 0; i < to; i++) {
        t->samples[i].data = p;
        p += t->samples[i].size;
    }

    f.sequence = t->seq + 1;
    f.time = t->samples[from].dts;
    f.duration = 0;
    f.nsamples = (uint32_t) (to - from);
    f.samples = &t->samples[from];

    for (i = from; i < to; i++) {
        f.duration += t->samples[i].duration;
    }

    flags = (t->part_index == 0) ? SLUICE_CMAF_STYP : 0;

    size = sluice_cmaf_fragment_size(&f, NGX_SLUICE_INGEST_TRACK_ID, flags);
    if (size == 0 || size > 0x7fffffff - (size_t) t->part_off) {
        t->part_skip = 1;
        return NGX_OK;
    }

    if (size > t->part_cap) {
        if (t->part_buf) {
            ngx_free(t->part_buf);
        }

        t->part_cap = ngx_max(size, 64 * 1024);
        t->part_buf = ngx_alloc(t->part_cap, in->log);

        if (t->part_buf == NULL) {
            t->part_cap = 0;
            return NGX_ERROR;
        }
    }

    end = sluice_cmaf_fragment_write(t->part_buf, &f,
                                     NGX_SLUICE_INGEST_TRACK_ID, flags);
    if (end != t->part_buf + size) {
        ngx_log_error(NGX_LOG_ALERT, in->log, 0,
                      "sluice: part size mismatch");
        return NGX_ERROR;
    }

    part.frag_time = t->samples[0].dts;
    part.time = f.time;
    part.duration = (uint32_t) f.duration;
    part.size = (uint32_t) size;
    part.index = (uint16_t) t->part_index;
    part.flags = (uint16_t) (((t->samples[from].flags & SLUICE_SAMPLE_KEY)
                              ? NGX_SLUICE_PART_INDEPENDENT : 0)
                             | last);
    part.offset = t->part_off;

    if (ngx_sluice_ingest_part_write(in, t, &part) != NGX_OK) {
        ngx_sluice_ingest_part_close(t);
        t->part_skip = 1;
        return NGX_OK;
    }

    t->part_off += (uint32_t) size;
    t->part_next = to;
    t->part_index++;

    if (last) {
        ngx_sluice_ingest_part_close(t);
    }

    ngx_sluice_ingest_part_publish(in, t, &part);

    return NGX_OK;
}


/* the part's bytes (t->part_buf) at the end of its fragment's file */

static ngx_int_t
ngx_sluice_ingest_part_write(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, ngx_sluice_part_t *part)
{
    u_char     *p;
    ssize_t     n;
    ngx_err_t   err;
    u_char      path[NGX_MAX_PATH];

    if (t->part_fd == NGX_INVALID_FILE) {
        if (part->index != 0
            || t->dir.len + NGX_SLUICE_PART_FILE_LEN + 1 > NGX_MAX_PATH)
        {
            return NGX_ERROR;
        }

        (void) ngx_sluice_ll_part_path(path, &t->dir, part->frag_time);

        t->part_fd = ngx_open_file(path, NGX_FILE_WRONLY, NGX_FILE_TRUNCATE,
                                   NGX_FILE_DEFAULT_ACCESS);

        if (t->part_fd == NGX_INVALID_FILE && ngx_errno == NGX_ENOENT) {
            /* the track's first fragment is still being written */
            if (ngx_create_full_path(path, 0755) == 0) {
                t->part_fd = ngx_open_file(path, NGX_FILE_WRONLY,
                                           NGX_FILE_TRUNCATE,
                                           NGX_FILE_DEFAULT_ACCESS);
            }
        }

        if (t->part_fd == NGX_INVALID_FILE) {
            ngx_log_error(NGX_LOG_WARN, in->log, ngx_errno,
                          ngx_open_file_n " \"%s\" failed: no parts for "
                          "this fragment", path);
            return NGX_ERROR;
        }

        t->part_off = 0;
        part->offset = 0;
    }

    p = t->part_buf;

    while (p < t->part_buf + part->size) {
        n = write(t->part_fd, p, t->part_buf + part->size - p);

        if (n == -1) {
            err = ngx_errno;

            if (err == NGX_EINTR) {
                continue;
            }

            ngx_log_error(NGX_LOG_WARN, in->log, err,
                          "write() of a part of \"%s\" failed: no more "
                          "parts for this fragment", in->stream);
            return NGX_ERROR;
        }

        p += n;
    }

    return NGX_OK;
}


static void
ngx_sluice_ingest_part_close(ngx_sluice_ingest_track_t *t)
{
    if (t->part_fd != NGX_INVALID_FILE) {
        (void) ngx_close_file(t->part_fd);
        t->part_fd = NGX_INVALID_FILE;
    }
}


/*
 * The part enters the track's part ring, and the workers with requests
 * parked on the event are woken.  A stale part (its fragment already in
 * the index: a reconnect) is not listed; a fragment's parts file goes
 * once all its parts have left the ring.
 */

static void
ngx_sluice_ingest_part_publish(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, ngx_sluice_part_t *part)
{
    ngx_int_t               rc;
    ngx_sluice_part_t       evicted;
    ngx_sluice_track_t     *tr;
    ngx_sluice_event_t     *ev;
    ngx_sluice_ll_wake_t    wake;
    ngx_sluice_zone_ctx_t  *zctx;
    u_char                  path[NGX_MAX_PATH];

    zctx = in->zone->data;
    wake.n = 0;
    rc = NGX_DECLINED;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ev = ngx_sluice_index_event(zctx->sh, in->event_id, in->generation);

    if (ev && t->slot < NGX_SLUICE_MAX_TRACKS) {
        rc = ngx_sluice_ll_part_append(zctx->shpool, ev, t->slot, part,
                                       &evicted);

        if (rc == NGX_OK || rc == NGX_DONE) {
            ngx_sluice_ll_changed(zctx->sh, ev, &wake);
        }

        if (rc == NGX_DONE) {
            tr = &ev->tracks[t->slot];

            if (tr->parts[tr->parts_head].frag_time == evicted.frag_time) {
                rc = NGX_OK;
            }
        }
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (wake.n) {
        ngx_sluice_ll_wake(&wake, ngx_cycle->log);
    }

    if (rc == NGX_ERROR) {
        ngx_log_error(NGX_LOG_WARN, in->log, 0,
                      "sluice: no shared memory for the parts of live "
                      "event \"%s\"", in->event_name);
    }

    if (rc != NGX_DONE
        || t->dir.len + NGX_SLUICE_PART_FILE_LEN + 1 > NGX_MAX_PATH)
    {
        return;
    }

    /* after the writes queued before: the file goes in the writer's turn */
    (void) ngx_sluice_ll_part_path(path, &t->dir, evicted.frag_time);
    (void) ngx_sluice_ingest_remove(t->writer, path);
}


/* drop the first n samples and their bytes */

static void
ngx_sluice_ingest_consume(ngx_sluice_ingest_track_t *t, ngx_uint_t n)
{
    size_t      bytes;
    ngx_uint_t  i;

    if (n == 0) {
        return;
    }

    if (n >= t->nsamples) {
        t->nsamples = 0;
        t->len = 0;
        return;
    }

    bytes = 0;

    for (i = 0; i < n; i++) {
        bytes += t->samples[i].size;
    }

    ngx_sluice_ingest_drop_samples(t, n);

    ngx_memmove(t->buf, t->buf + bytes, t->len - bytes);
    t->len -= bytes;
}


/* drop the first n samples' records (their bytes: the caller's) */

static void
ngx_sluice_ingest_drop_samples(ngx_sluice_ingest_track_t *t, ngx_uint_t n)
{
    ngx_memmove(t->samples, &t->samples[n],
                (t->nsamples - n) * sizeof(sluice_sample_t));
    t->nsamples -= n;
}


/*
 * At each fragment: the event must still be running with our generation;
 * the first time, the track gets its slot in the event; the fragment is
 * claimed (ngx_sluice_ingest_claim()): NGX_DONE when it is not ours to
 * write.
 */

static ngx_int_t
ngx_sluice_ingest_open(ngx_sluice_ingest_t *in, ngx_sluice_ingest_track_t *t,
    ngx_uint_t n)
{
    int64_t                 shift;
    ngx_int_t               slot;
    ngx_uint_t              claim, opened;
    ngx_sluice_event_t     *ev;
    sluice_track_info_t     info;
    ngx_sluice_zone_ctx_t  *zctx;

    zctx = in->zone->data;
    opened = 0;

    if (!t->opened) {
        info = t->info;
        info.bitrate = ngx_sluice_ingest_bitrate(t, n);
    }

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ev = ngx_sluice_index_event(zctx->sh, in->event_id, in->generation);

    if (ev == NULL || ev->state != NGX_SLUICE_RUNNING) {
        ngx_shmtx_unlock(&zctx->shpool->mutex);

        in->stopped = 1;
        in->end_code = "SLUICE_LIVE_EVENT_STOPPED";

        ngx_log_error(NGX_LOG_INFO, in->log, 0,
                      "sluice: live event \"%s\" is no longer running, "
                      "closing \"%s\"", in->event_name, in->stream);
        return NGX_DECLINED;
    }

    if (!t->opened) {
        slot = ngx_sluice_track_open(zctx->shpool, ev, in->stream,
                                     in->stream_len, &info, in->ring);

        if (slot < 0) {
            ngx_shmtx_unlock(&zctx->shpool->mutex);

            ngx_log_error(NGX_LOG_ERR, in->log, 0,
                          "sluice: no %s for a new track of \"%s\" in live "
                          "event \"%s\", closing",
                          slot == NGX_DECLINED ? "free track slot"
                                               : "shared memory",
                          in->stream, in->event_name);
            return NGX_ERROR;
        }

        ngx_sluice_ingest_init_version(t, &ev->tracks[slot]);

        t->slot = slot;
        opened = 1;
    }

    claim = ngx_sluice_ingest_claim(in, t, ev, n, &shift);

    ngx_sluice_ingest_telemetry(in, t, ev, claim, shift, n);

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    ngx_sluice_ingest_claimed(in, t, n, claim, shift);

    if (opened) {
        t->opened = 1;
        t->init_pending = 1;

        if (ngx_sluice_ingest_open_writer(in, t, info.bitrate) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return (claim == NGX_SLUICE_INGEST_DUPLICATE
            || claim == NGX_SLUICE_INGEST_WAIT) ? NGX_DONE : NGX_OK;
}


/*
 * Redundant ingest (mutex held): is the fragment of the first n samples
 * of t the track's next one?  Decided here, where every publisher of the
 * stream sees the same track, before anything is written, so that each
 * fragment is written once, by the connection that delivers it first:
 *
 *   - starting before the end of the last fragment taken: a duplicate;
 *   - starting there (within NGX_SLUICE_INGEST_ALIGN ms): taken, its
 *     samples moved by *shift to start exactly there (the two
 *     connections' audio sample counts may differ by a rounding);
 *   - starting after it: taken (a gap in the input), unless this
 *     connection has not yet followed the track since it began (its
 *     first fragment starts where it joined, not at a cut) while the
 *     other connection is alive and delivering (took a fragment within
 *     two fragment durations): the other one has that media.
 *
 * Cuts depend on timestamps alone, so both connections cut the same
 * fragments, and each connection's fragments follow one another: one
 * that followed the track once stays in step.
 */

static ngx_uint_t
ngx_sluice_ingest_claim(ngx_sluice_ingest_t *in, ngx_sluice_ingest_track_t *t,
    ngx_sluice_event_t *ev, ngx_uint_t n, int64_t *shift)
{
    uint64_t              start, end, tol;
    ngx_uint_t            i, claim;
    ngx_sluice_track_t   *tr;
    ngx_sluice_stream_t  *st;

    tr = &ev->tracks[t->slot];
    *shift = 0;

    start = t->samples[0].dts;
    end = start;

    for (i = 0; i < n; i++) {
        end += t->samples[i].duration;
    }

    claim = NGX_SLUICE_INGEST_TAKE;

    if (tr->claim_pid != 0) {
        tol = (uint64_t) t->info.timescale * NGX_SLUICE_INGEST_ALIGN / 1000;

        if (start + tol < tr->claimed
            && !(t->disc && tr->claim_pid == ngx_pid
                 && tr->claim_id == in->pub_id))
        {
            /*
             * (the first fragment after this connection's own timestamp
             * jump continues at its last frame's time + 1 ms, before the
             * end its last fragment claimed with an estimated duration:
             * a discontinuity, not a duplicate)
             */
            t->synced = 1;
            return NGX_SLUICE_INGEST_DUPLICATE;
        }

        if (start <= tr->claimed + tol) {
            if (!t->disc) {
                *shift = (int64_t) tr->claimed - (int64_t) start;
            }

        } else if (!t->synced
                   && ngx_current_msec - tr->claim_msec
                      < 2 * in->fragment_ms)
        {
            st = ngx_sluice_stream_find(ev, in->stream);

            if (st && ngx_sluice_stream_others(st, in->pub_id)) {
                return NGX_SLUICE_INGEST_WAIT;
            }
        }

        if (tr->claim_pid != ngx_pid || tr->claim_id != in->pub_id) {
            claim = NGX_SLUICE_INGEST_TAKE_OVER;
        }
    }

    tr->claimed = end + *shift;
    tr->claim_pid = ngx_pid;
    tr->claim_id = in->pub_id;
    tr->claim_msec = ngx_current_msec;

    t->synced = 1;

    return claim;
}


/*
 * Telemetry of the fragment of the first n samples of t (mutex held,
 * once per fragment): its bytes and duration, whether it follows a
 * discontinuity, had a frame stepping back, or overlaps what this
 * connection delivered before; its first frame's composition offset and
 * the end of what t holds, for the out-of-sync checks.  A fragment the stream's other connection
 * delivers (redundant ingest) is not counted twice.
 */

static void
ngx_sluice_ingest_telemetry(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, ngx_sluice_event_t *ev, ngx_uint_t claim,
    int64_t shift, ngx_uint_t n)
{
    ngx_uint_t              i;
    sluice_sample_t        *last;
    ngx_sluice_track_t     *tr;
    ngx_sluice_tel_frag_t   f;
    ngx_sluice_zone_ctx_t  *zctx;

    zctx = in->zone->data;

    if (!zctx->telemetry) {
        t->backward = 0;
        return;         /* sluice_telemetry off */
    }

    tr = &ev->tracks[t->slot];

    /* the newest sample held: audio waits there for the video's cuts */
    last = &t->samples[t->nsamples - 1];

    f.slot = t->slot;
    f.flags = t->backward ? NGX_SLUICE_TEL_FRAG_BACKWARD : 0;
    f.time = t->samples[0].dts + shift;
    f.duration = 0;
    f.bytes = 0;
    f.pts_offset = t->samples[0].cts;
    f.received = last->dts + shift + last->duration;
    f.drop_reason = NULL;

    t->backward = 0;

    switch (claim) {

    case NGX_SLUICE_INGEST_DUPLICATE:
        if (tr->claim_pid != ngx_pid || tr->claim_id != in->pub_id) {
            return;
        }

        f.flags |= NGX_SLUICE_TEL_FRAG_OVERLAP;
        break;

    case NGX_SLUICE_INGEST_WAIT:
        return;

    default:
        if (t->disc) {
            f.flags |= NGX_SLUICE_TEL_FRAG_DISC;
        }

        if (t->fragments == 0) {
            f.flags |= NGX_SLUICE_TEL_FRAG_FIRST;
        }
    }

    for (i = 0; i < n; i++) {
        f.bytes += t->samples[i].size;
        f.duration += t->samples[i].duration;
    }

    ngx_sluice_tel_fragment(zctx->sh, ev, &f, zctx->heartbeat_ms);
}


/* after the claim: the samples moved, what was decided logged */

static void
ngx_sluice_ingest_claimed(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, ngx_uint_t n, ngx_uint_t claim,
    int64_t shift)
{
    ngx_uint_t   i;
    const char  *type;

    type = (t->media_type == SLUICE_MEDIA_VIDEO) ? "video" : "audio";

    switch (claim) {

    case NGX_SLUICE_INGEST_DUPLICATE:
        ngx_log_error(NGX_LOG_INFO, in->log, 0,
                      "sluice: %s fragment %uL of \"%s\" is a duplicate, "
                      "dropped (redundant ingest)",
                      type, t->samples[0].dts, in->stream);
        return;

    case NGX_SLUICE_INGEST_WAIT:
        ngx_log_error(NGX_LOG_INFO, in->log, 0,
                      "sluice: %s fragment %uL of \"%s\" dropped: the "
                      "stream's other connection has not delivered what "
                      "comes before it (redundant ingest)",
                      type, t->samples[0].dts, in->stream);
        return;

    case NGX_SLUICE_INGEST_TAKE_OVER:
        ngx_log_error(NGX_LOG_INFO, in->log, 0,
                      "sluice: %s fragment %uL of \"%s\" is taken from "
                      "this connection (redundant ingest)",
                      type, t->samples[0].dts + shift, in->stream);
        break;

    default:
        break;
    }

    if (shift == 0) {
        return;
    }

    for (i = 0; i < n; i++) {
        t->samples[i].dts += shift;
    }
}


/*
 * The init version of a track given its slot tr (mutex held): a reconnect
 * keeps the stored one unless the configuration differs
 */

static void
ngx_sluice_ingest_init_version(ngx_sluice_ingest_track_t *t,
    ngx_sluice_track_t *tr)
{
    if (!tr->appended) {
        t->init_version = 0;
        return;
    }

    if (tr->info.codec == t->info.codec
        && tr->info.config_len == t->info.config_len
        && ngx_memcmp(tr->info.config, t->info.config,
                      t->info.config_len) == 0)
    {
        t->init_version = tr->init_version;

    } else {
        t->init_version = tr->init_version + 1;
        t->info_new = 1;
    }

    /* a new language: the manifests say it, the init segment is the same */

    if (ngx_strcmp(tr->info.lang, t->info.lang) != 0) {
        t->info_new = 1;
    }

    t->disc = !t->seamless;
}


/* a track given its slot: its directory and its writer */

static ngx_int_t
ngx_sluice_ingest_open_writer(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, uint32_t bitrate)
{
    u_char  *p;

    t->dir.data = ngx_pnalloc(in->pool,
                              in->data_path.len + NGX_SLUICE_TRACK_DIR_LEN);
    if (t->dir.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sluice_track_dir(t->dir.data, &in->data_path, in->event_id,
                             in->generation, t->slot);
    t->dir.len = p - t->dir.data;

    t->writer = ngx_sluice_writer_create(in->thread_pool,
                                         in->log);
    if (t->writer == NULL) {
        return NGX_ERROR;
    }

    ngx_log_error(NGX_LOG_INFO, in->log, 0,
                  "sluice: %s track %ui of live event \"%s\": \"%s\" %s, "
                  "%uD bps, init version %uD",
                  t->media_type == SLUICE_MEDIA_VIDEO ? "video" : "audio",
                  t->slot, in->event_name, in->stream,
                  t->info.codec_string, bitrate, t->init_version);

    return NGX_OK;
}


/* the bitrate the publisher declared, else measured, in 1000s */

static uint32_t
ngx_sluice_ingest_bitrate(ngx_sluice_ingest_track_t *t, ngx_uint_t n)
{
    uint64_t    bytes, duration, rate;
    ngx_uint_t  i;

    if (t->declared) {
        return t->declared;
    }

    bytes = 0;
    duration = 0;

    for (i = 0; i < n; i++) {
        bytes += t->samples[i].size;
        duration += t->samples[i].duration;
    }

    if (duration == 0 || t->info.timescale == 0) {
        return 1000;
    }

    rate = bytes * 8 * t->info.timescale / duration;
    rate = (rate + 500) / 1000 * 1000;

    return rate ? (uint32_t) rate : 1000;
}


static ngx_int_t
ngx_sluice_ingest_post_init(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t)
{
    size_t              size;
    uint8_t            *end;
    ngx_sluice_wjob_t  *job;

    size = sluice_cmaf_init_size(&t->info, NGX_SLUICE_INGEST_TRACK_ID);
    if (size == 0) {
        ngx_log_error(NGX_LOG_ERR, in->log, 0,
                      "sluice: no init segment for %s of \"%s\"",
                      t->info.codec_string, in->stream);
        return NGX_ERROR;
    }

    job = ngx_sluice_ingest_job(in, t, size, NGX_SLUICE_INGEST_JOB_INIT);
    if (job == NULL) {
        return NGX_ERROR;
    }

    end = sluice_cmaf_init_write(job->data, &t->info,
                                 NGX_SLUICE_INGEST_TRACK_ID);

    job->path = ngx_pnalloc(job->pool, t->dir.len + NGX_SLUICE_FILE_LEN + 1);

    if (end != job->data + size || job->path == NULL) {
        ngx_destroy_pool(job->pool);
        return NGX_ERROR;
    }

    ngx_sprintf(job->path, "%V/init%uD.mp4%Z", &t->dir, t->init_version);

    ngx_sluice_writer_post(t->writer, job);

    return NGX_OK;
}


static ngx_sluice_wjob_t *
ngx_sluice_ingest_job(ngx_sluice_ingest_t *in, ngx_sluice_ingest_track_t *t,
    size_t len, ngx_uint_t kind)
{
    ngx_sluice_wjob_t      *job;
    ngx_sluice_ingest_job_t  *jc;

    job = ngx_sluice_wjob_create(len, sizeof(ngx_sluice_ingest_job_t),
                                 in->log);
    if (job == NULL) {
        return NULL;
    }

    jc = job->ctx;

    ngx_memcpy(jc->id, in->event_id, sizeof(jc->id));
    jc->zone = in->zone;
    jc->generation = in->generation;
    jc->slot = t->slot;
    jc->kind = kind;

    jc->dir.data = ngx_pnalloc(job->pool, t->dir.len);
    if (jc->dir.data == NULL) {
        ngx_destroy_pool(job->pool);
        return NULL;
    }

    ngx_memcpy(jc->dir.data, t->dir.data, t->dir.len);
    jc->dir.len = t->dir.len;

    job->done = ngx_sluice_ingest_job_done;

    return job;
}


/*
 * In the event loop, after a job ran; the session may be gone.  A written
 * fragment enters the index; an evicted one is removed by a new job.
 */

static void
ngx_sluice_ingest_job_done(ngx_sluice_wjob_t *job)
{
    ngx_int_t               rc;
    ngx_uint_t              was, nrec;
    ngx_sluice_frag_t       evicted;
    ngx_sluice_event_t     *ev;
    ngx_sluice_rec_req_t    req;
    ngx_sluice_ll_wake_t    wake;
    ngx_sluice_ingest_job_t  *jc;
    ngx_sluice_zone_ctx_t  *zctx;
    u_char                  path[NGX_MAX_PATH];

    jc = job->ctx;
    wake.n = 0;

    if (jc->kind == NGX_SLUICE_INGEST_JOB_REMOVE) {
        return;
    }

    if (job->failed) {
        ngx_sluice_ingest_job_failed(job);
        return;
    }

    zctx = jc->zone->data;

    rc = NGX_OK;
    was = 0;
    nrec = 0;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ev = ngx_sluice_index_event(zctx->sh, jc->id, jc->generation);

    if (ev && jc->slot < NGX_SLUICE_MAX_TRACKS) {
        was = ev->tracks[jc->slot].unhealthy & NGX_SLUICE_UNHEALTHY_WRITE;
        ev->tracks[jc->slot].unhealthy &= ~NGX_SLUICE_UNHEALTHY_WRITE;

        if (jc->kind == NGX_SLUICE_INGEST_JOB_FRAGMENT) {
            rc = ngx_sluice_track_append(zctx->sh, ev, jc->slot, &jc->frag,
                                         jc->info, &evicted);

            /* the live outputs record it (jc->frag has the final seq) */

            if (rc == NGX_OK || rc == NGX_DONE) {
                ngx_sluice_ingest_set_epoch(ev, jc->slot, &jc->frag);

                nrec = ngx_sluice_recorder_collect(zctx->sh, ev, jc->slot,
                                                   &jc->frag, &req);

                ngx_sluice_ll_changed(zctx->sh, ev, &wake);
            }
        }
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (wake.n) {
        ngx_sluice_ll_wake(&wake, ngx_cycle->log);
    }

    if (was) {
        ngx_log_error(NGX_LOG_NOTICE, ngx_cycle->log, 0,
                      "sluice: writes of track %ui of live event %s "
                      "resumed with \"%s\"", jc->slot, jc->id, job->path);
    }

    if (nrec
        && ngx_sluice_recorder_post(job->writer, zctx, &jc->dir, jc->id,
                                    jc->generation, &req, ngx_cycle->log)
           != NGX_OK)
    {
        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                      "sluice: recording: fragment \"%s\" not recorded "
                      "(no memory)", job->path);
    }

    if (rc == NGX_DECLINED) {
        ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                      "sluice: \"%s\" written after a later fragment of "
                      "its track, dropped (redundant ingest)", job->path);

        evicted = jc->frag;
        rc = NGX_DONE;
    }

    if (rc != NGX_DONE
        || jc->dir.len + 1 + NGX_INT64_LEN + sizeof(".m4s") > NGX_MAX_PATH)
    {
        return;
    }

    ngx_sprintf(path, "%V/%uL.m4s%Z", &jc->dir, evicted.time);

    (void) ngx_sluice_ingest_remove(job->writer, path);
}


/* a job of writer w removes a file (path: NUL-terminated) */

static ngx_int_t
ngx_sluice_ingest_remove(ngx_sluice_writer_t *w, u_char *path)
{
    size_t              len;
    ngx_sluice_wjob_t  *rm;

    rm = ngx_sluice_wjob_create(0, sizeof(ngx_sluice_ingest_job_t),
                                ngx_cycle->log);
    if (rm == NULL) {
        return NGX_ERROR;
    }

    ((ngx_sluice_ingest_job_t *) rm->ctx)->kind = NGX_SLUICE_INGEST_JOB_REMOVE;

    len = ngx_strlen(path) + 1;

    rm->unlink = ngx_pnalloc(rm->pool, len);
    if (rm->unlink == NULL) {
        ngx_destroy_pool(rm->pool);
        return NGX_ERROR;
    }

    ngx_memcpy(rm->unlink, path, len);

    rm->done = ngx_sluice_ingest_job_done;

    ngx_sluice_writer_post(w, rm);

    return NGX_OK;
}


/* log once per burst; the track is marked unhealthy, nothing stored lost */

static void
ngx_sluice_ingest_job_failed(ngx_sluice_wjob_t *job)
{
    ngx_sluice_event_t     *ev;
    ngx_sluice_ingest_job_t  *jc;
    ngx_sluice_zone_ctx_t  *zctx;

    static ngx_msec_t       logged;
    static ngx_uint_t       quiet;

    jc = job->ctx;

    if (logged == 0 || ngx_current_msec - logged >= 10000) {
        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, job->err,
                      "sluice: %s \"%s\" failed, %s dropped, "
                      "%ui other failures since the last report",
                      job->failed, job->path,
                      jc->kind == NGX_SLUICE_INGEST_JOB_INIT ? "init segment"
                                                           : "fragment",
                      quiet);
        logged = ngx_current_msec;
        quiet = 0;

    } else {
        quiet++;
    }

    zctx = jc->zone->data;

    ngx_sluice_metrics_count(zctx->sh, store_errors,
                             NGX_SLUICE_MX_STORE_FRAGMENT);

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ev = ngx_sluice_index_event(zctx->sh, jc->id, jc->generation);

    if (ev && jc->slot < NGX_SLUICE_MAX_TRACKS) {
        ev->tracks[jc->slot].unhealthy |= NGX_SLUICE_UNHEALTHY_WRITE;
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);
}


void
ngx_sluice_ingest_finish(ngx_sluice_ingest_t *in)
{
    ngx_uint_t              i, others;
    ngx_sluice_track_t     *tr;
    ngx_sluice_event_t     *ev;
    ngx_sluice_zone_ctx_t  *zctx;

    if (!in->publishing) {
        return;
    }

    others = ngx_sluice_ingest_leave(in);

    if (!in->stopped) {
        if (others) {
            /*
             * redundant ingest: the fragments in progress end early here;
             * the other connection delivers them whole
             */
            ngx_sluice_ingest_consume(&in->video, in->video.nsamples);
            ngx_sluice_ingest_consume(&in->audio, in->audio.nsamples);

            ngx_log_error(NGX_LOG_INFO, in->log, 0,
                          "sluice: \"%s\" goes on with its other "
                          "connection (redundant ingest)", in->stream);

        } else {
            (void) ngx_sluice_ingest_flush(in, &in->video);
            (void) ngx_sluice_ingest_flush(in, &in->audio);
        }
    }

    in->publishing = 0;

    zctx = in->zone->data;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ev = ngx_sluice_index_event(zctx->sh, in->event_id, in->generation);

    if (ev) {
        /* the stream's tracks rest once its last publisher left */

        if (ngx_sluice_stream_find(ev, in->stream) == NULL) {
            for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
                tr = &ev->tracks[i];

                if (tr->state != NGX_SLUICE_TRACK_FREE
                    && ngx_strcmp(tr->stream, in->stream) == 0)
                {
                    if (tr->state == NGX_SLUICE_TRACK_ACTIVE) {
                        ngx_sluice_tel_track_end(ev, i, zctx->heartbeat_ms);
                    }

                    ngx_sluice_track_close(ev, i);
                }
            }
        }

        if (ev->publishers) {
            ev->publishers--;
        }

        ngx_sluice_tel_disconnect(zctx->sh, ev, in->stream,
                                  in->end_code
                                  ? in->end_code
                                  : (in->stopped
                                     ? "SLUICE_LIVE_EVENT_STOPPED"
                                     : "MPE_CLIENT_TERMINATED_SESSION"),
                                  ev->publishers, in->bytes);
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);
}


/*
 * The publisher leaves its stream: how many other connections still
 * publish it.  One critical section: of two connections leaving at once,
 * the last writes what is pending.
 */

static ngx_uint_t
ngx_sluice_ingest_leave(ngx_sluice_ingest_t *in)
{
    ngx_uint_t              others;
    ngx_sluice_event_t     *ev;
    ngx_sluice_zone_ctx_t  *zctx;

    zctx = in->zone->data;
    others = 0;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ev = ngx_sluice_index_event(zctx->sh, in->event_id, in->generation);

    if (ev) {
        others = ngx_sluice_stream_remove(ev, in->stream, in->pub_id);
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    return others;
}


void
ngx_sluice_ingest_free(ngx_sluice_ingest_t *in)
{
    ngx_uint_t                i;
    ngx_sluice_ingest_track_t  *t;

    for (i = 0; i < 2; i++) {
        t = i ? &in->audio : &in->video;

        if (t->writer) {
            ngx_sluice_writer_release(t->writer);
            t->writer = NULL;
        }

        if (t->buf) {
            ngx_free(t->buf);
            t->buf = NULL;
        }

        if (t->samples) {
            ngx_free(t->samples);
            t->samples = NULL;
        }

        ngx_sluice_ingest_part_close(t);

        if (t->part_buf) {
            ngx_free(t->part_buf);
            t->part_buf = NULL;
            t->part_cap = 0;
        }

        t->len = 0;
        t->cap = 0;
        t->nsamples = 0;
        t->nalloc = 0;
    }

    if (in->cue_writer) {
        ngx_sluice_writer_release(in->cue_writer);
        in->cue_writer = NULL;
    }
}
