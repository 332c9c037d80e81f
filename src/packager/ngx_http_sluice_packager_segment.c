
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Segments:
 *
 *   CMAF (m3u8-cmaf, mpd-time-csf, mpd-time-cmaf): the init segment and
 *   the fragments as stored, sent from the file (sendfile, zero copy);
 *
 *   TS (m3u8-aapl, m3u8-aapl-v3): the stored fragment read into memory,
 *   parsed, and muxed into MPEG-TS; with m3u8-aapl-v3 the audio fragment
 *   of the same stream and seq is muxed in; the timed metadata cues of
 *   its time as ID3 tags (in the video's segments, the audio's without
 *   video: pkg->snap.cues, copied by the collector);
 *
 *   Smooth (no format): the stored fragment rewritten as a PIFF fragment
 *   (tfxd, no styp); a fragment of the sparse track "scte35" (the ad
 *   markers, sluice_mss.h) is made from the cue of its time.
 *
 *   With 'cenc' or 'cbcs' (streaming locators): CMAF init segments and
 *   fragments are read into memory like the TS ones and encrypted, and
 *   Smooth fragments encrypted once written
 *   (ngx_http_sluice_packager_cenc.c).
 *
 *   Encrypted HLS (ngx_http_sluice_packager_hls_enc.c): with AES-128 the
 *   TS segment, or the stored CMAF fragment read into memory like a TS
 *   one, is encrypted whole before it is sent; with SAMPLE-AES the
 *   samples are encrypted before the TS muxer runs.  HLS init segments
 *   stay clear; DASH AES-128 (ISO/IEC 23009-4) encrypts them too.
 *
 *   Cues (issue 13): a CMAF media segment of a video track (of an audio
 *   track when there is no video) gets the emsg boxes of the cues that
 *   start in it (the live event's, or for a streaming locator its
 *   asset's: ngx_http_sluice_packager_asset.c) after its styp, outside
 *   the moof: from memory between two ranges of the stored file
 *   (sendfile stays), or inserted into the data read for 'cenc'/'cbcs'
 *   (before encryption: the boxes stay clear) or AES-128 (encrypted
 *   with the rest, as the whole segment is).  Without cues the path is
 *   the same as before: the collector finds the event's cue list empty
 *   (an asset: no cues file).
 *
 * Reads are bounded (NGX_HTTP_SLUICE_MAX_READ) and go through the
 * location's thread pool when "aio threads" is on; otherwise they are
 * plain reads of small files that ingest wrote moments ago (page cache).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "packager/ngx_http_sluice_packager_segment.h"
#include "packager/ngx_http_sluice_packager_module.h"
#include "packager/ngx_http_sluice_packager_asset.h"
#include "packager/ngx_http_sluice_packager_cenc.h"
#include "packager/ngx_http_sluice_packager_hls_enc.h"
#include "packager/ngx_http_sluice_packager_buffer.h"
#include "packager/ngx_http_sluice_packager_filter.h"
#include "packager/ngx_http_sluice_packager_ll.h"
#include "core/ngx_sluice_cue.h"
#include "core/ngx_sluice_ll.h"
#include "media/crypto/sluice_aes.h"
#include "media/container/sluice_cmaf.h"
#include "media/manifest/sluice_mss.h"
#include "media/container/sluice_ts.h"
#include "media/signal/sluice_cue_text.h"
#include "media/signal/sluice_id3.h"
#include "media/signal/sluice_cue_box.h"


/* a stored fragment larger than this is not read into memory (TS, Smooth) */
#define NGX_HTTP_SLUICE_MAX_READ         (64 * 1024 * 1024)

/* uuid box: header, usertype, version and flags, count, n (time, dur) */
#define NGX_HTTP_SLUICE_TFRF_SIZE(n)  (8 + 16 + 4 + 1 + 16 * (n))


typedef struct {
    ngx_http_sluice_pkg_t       *pkg;
    ngx_uint_t                   encrypt;   /* NGX_HTTP_SLUICE_HLS_* */
    ngx_sluice_key_t            *key;
    ngx_uint_t                   nfiles;
    ngx_uint_t                   next;      /* file being read */
    ngx_file_t                  *files;     /* seg[0] frags, seg[1] frags */
    ngx_str_t                   *data;      /* file contents */
    time_t                       mtime;     /* the newest file */
    ngx_buf_t                   *emsg;      /* cues: emsg boxes, or NULL */
} ngx_http_sluice_seg_ctx_t;


static ngx_int_t ngx_http_sluice_seg_find(ngx_sluice_track_t *tr,
    uint64_t key, ngx_uint_t by_seq, ngx_uint_t smooth);
static void ngx_http_sluice_seg_next(ngx_http_sluice_seg_track_t *st,
    ngx_sluice_track_t *tr, ngx_uint_t pos);
static void ngx_http_sluice_seg_copy(ngx_http_sluice_seg_track_t *st,
    ngx_sluice_track_t *tr);
static ngx_int_t ngx_http_sluice_seg_path(ngx_http_sluice_pkg_t *pkg,
    ngx_http_sluice_seg_track_t *st, ngx_uint_t init, ngx_uint_t k,
    ngx_str_t *path);
static time_t ngx_http_sluice_seg_max_age(ngx_http_sluice_pkg_t *pkg);
static ngx_int_t ngx_http_sluice_seg_join(ngx_http_sluice_seg_ctx_t *ctx,
    sluice_fragment_t *f, ngx_uint_t from, ngx_uint_t n,
    sluice_ts_track_t *tt);
static ngx_int_t ngx_http_sluice_seg_open(ngx_http_request_t *r,
    ngx_str_t *path, ngx_uint_t grows, ngx_open_file_info_t *of);
static void ngx_http_sluice_seg_hot(ngx_http_request_t *r, ngx_buf_t *b);
static ngx_int_t ngx_http_sluice_seg_part(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_event_t *ev, ngx_sluice_track_t *tr);
static ngx_int_t ngx_http_sluice_seg_stream_collect(
    ngx_http_sluice_pkg_t *pkg, ngx_sluice_event_t *ev,
    ngx_sluice_track_t *tr, ngx_uint_t complete);
static ngx_int_t ngx_http_sluice_seg_stream(ngx_http_sluice_pkg_t *pkg);
static ngx_int_t ngx_http_sluice_seg_stream_part(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_part_t *part, ngx_chain_t ***ll);
static ngx_int_t ngx_http_sluice_seg_cues(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_event_t *ev, ngx_sluice_track_t *tr);
static ngx_int_t ngx_http_sluice_seg_sparse_collect(
    ngx_http_sluice_pkg_t *pkg, ngx_sluice_event_t *ev);
static ngx_int_t ngx_http_sluice_seg_sparse(ngx_http_sluice_pkg_t *pkg);
static ngx_int_t ngx_http_sluice_seg_emsg(ngx_http_sluice_pkg_t *pkg,
    ngx_buf_t **emsg);
static ngx_int_t ngx_http_sluice_seg_insert(ngx_http_sluice_seg_ctx_t *ctx);
static ngx_int_t ngx_http_sluice_seg_send_file(ngx_http_sluice_pkg_t *pkg,
    ngx_uint_t init, ngx_buf_t *emsg);
static ngx_int_t ngx_http_sluice_seg_load(ngx_http_sluice_pkg_t *pkg,
    ngx_uint_t encrypt, ngx_sluice_key_t *key, ngx_buf_t *emsg);
static ngx_int_t ngx_http_sluice_seg_filtered(ngx_http_sluice_pkg_t *pkg);
static ngx_int_t ngx_http_sluice_seg_open_file(ngx_http_sluice_seg_ctx_t *ctx,
    ngx_uint_t i, ngx_http_sluice_seg_track_t *st, ngx_uint_t k);
static ngx_int_t ngx_http_sluice_seg_read(ngx_http_sluice_seg_ctx_t *ctx);
static void ngx_http_sluice_seg_resume(ngx_http_request_t *r);
static ngx_int_t ngx_http_sluice_seg_produce(ngx_http_sluice_seg_ctx_t *ctx);
static ngx_int_t ngx_http_sluice_seg_smooth(ngx_http_sluice_seg_ctx_t *ctx,
    sluice_fragment_t *f);
static ngx_int_t ngx_http_sluice_seg_smooth_cenc(ngx_http_sluice_pkg_t *pkg,
    ngx_buf_t *b, size_t *size, size_t tfrf);
static size_t ngx_http_sluice_seg_box(u_char *p, size_t len,
    const char *type);
static u_char *ngx_http_sluice_seg_wb32(u_char *p, uint32_t v);
static u_char *ngx_http_sluice_seg_wb64(u_char *p, uint64_t v);
static ngx_int_t ngx_http_sluice_seg_tfrf(ngx_http_sluice_seg_track_t *st,
    u_char *p, size_t len);
static ngx_int_t ngx_http_sluice_seg_ts(ngx_http_sluice_seg_ctx_t *ctx,
    sluice_fragment_t *f);
static ngx_int_t ngx_http_sluice_seg_cmaf_aes(
    ngx_http_sluice_seg_ctx_t *ctx);
static ngx_int_t ngx_http_sluice_seg_collect_cues(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_event_t *ev);
static ngx_int_t ngx_http_sluice_seg_id3(ngx_http_sluice_pkg_t *pkg,
    sluice_ts_segment_t *seg);
static ngx_int_t ngx_http_sluice_seg_id3_tag(ngx_http_sluice_pkg_t *pkg,
    const sluice_cue_t *c, sluice_str_t *tag);
#if (NGX_THREADS)
static ngx_int_t ngx_http_sluice_seg_thread_handler(ngx_thread_task_t *task,
    ngx_file_t *file);
#endif


ngx_int_t
ngx_http_sluice_packager_segment_collect(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_event_t *ev)
{
    ngx_int_t                     i, rc;
    ngx_uint_t                    k;
    sluice_url_t                 *url;
    ngx_sluice_track_t           *tr, *atr;
    ngx_http_sluice_seg_track_t  *st;

    url = &pkg->url;

    pkg->status = NGX_HTTP_NOT_FOUND;

    if (ngx_http_sluice_packager_sparse(url)) {
        return ngx_http_sluice_seg_sparse_collect(pkg, ev);
    }

    tr = ngx_http_sluice_packager_track(ev, &url->track, url->bitrate);
    if (tr == NULL) {
        pkg->reason = "unknown track";
        return NGX_DECLINED;
    }

    st = &pkg->seg[0];
    ngx_http_sluice_seg_copy(st, tr);
    pkg->nseg = 1;

    if (url->kind == SLUICE_URL_INIT) {
        return NGX_OK;
    }

    if (url->has_part) {
        return ngx_http_sluice_seg_part(pkg, ev, tr);
    }

    i = ngx_http_sluice_seg_find(tr, url->time, 0,
                                 url->format == SLUICE_FORMAT_SMOOTH);

    if (ev->part_ms && url->format == SLUICE_FORMAT_DASH_CMAF
        && (i == NGX_DECLINED || ngx_http_sluice_ll_started(pkg->request)))
    {
        rc = ngx_http_sluice_seg_stream_collect(pkg, ev, tr,
                                                i != NGX_DECLINED);
        if (rc != NGX_DONE) {
            return rc;
        }
    }

    if (i == NGX_DECLINED) {
        pkg->reason = "unknown fragment time";
        return NGX_DECLINED;
    }

    st->frags[0] = tr->frags[i];
    st->nfrags = 1;

    if (sluice_format_is_cmaf(url->format)
        && ngx_http_sluice_seg_cues(pkg, ev, tr) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (url->format == SLUICE_FORMAT_SMOOTH) {
        ngx_http_sluice_seg_next(st, tr, i);

        if (ev->state != NGX_SLUICE_RUNNING) {
            return NGX_OK;
        }

        /* held, it waits for its own track's next fragment only */
        pkg->ll_slot = tr - ev->tracks;
        pkg->ll_count = ngx_sluice_ll_track_count(tr);

        return ngx_http_sluice_packager_lookahead(pkg);
    }

    if (sluice_format_is_ts(url->format)
        && ngx_http_sluice_seg_collect_cues(pkg, ev) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (url->format != SLUICE_FORMAT_HLS_TS_V3
        || tr->info.media_type != SLUICE_MEDIA_VIDEO)
    {
        return NGX_OK;
    }

    /* m3u8-aapl-v3: the audio of the same stream, same seq */

    for (k = 0; k < NGX_SLUICE_MAX_TRACKS; k++) {
        atr = &ev->tracks[k];

        if (atr->state == NGX_SLUICE_TRACK_FREE
            || atr->nfrags == 0
            || atr->info.media_type != SLUICE_MEDIA_AUDIO
            || ngx_strcmp(atr->stream, tr->stream) != 0)
        {
            continue;
        }

        i = ngx_http_sluice_seg_find(atr, st->frags[0].seq, 1, 0);
        if (i == NGX_DECLINED) {
            break;
        }

        ngx_http_sluice_seg_copy(&pkg->seg[1], atr);
        pkg->seg[1].frags[0] = atr->frags[i];
        pkg->seg[1].nfrags = 1;
        pkg->nseg = 2;

        break;
    }

    return NGX_OK;
}


/*
 * A live asset's segment request, when its event has parts (the
 * locator's collector, mutex held): a part, the segment in progress
 * (LL-DASH), or the event's newest fragment (which the asset may not
 * have yet: its files are links of the event's) come from the event's
 * files (pkg->ll_live); NGX_DONE: the asset's files, as for any asset.
 */

ngx_int_t
ngx_http_sluice_packager_ll_collect(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_event_t *ev)
{
    ngx_int_t                     i, rc;
    sluice_url_t                 *url;
    ngx_sluice_track_t           *tr;
    ngx_http_sluice_seg_track_t  *st;

    url = &pkg->url;

    if (ev->part_ms == 0 || url->kind != SLUICE_URL_SEGMENT
        || !(url->has_part || url->format == SLUICE_FORMAT_DASH_CMAF))
    {
        return NGX_DONE;
    }

    tr = ngx_http_sluice_packager_track(ev, &url->track, url->bitrate);
    if (tr == NULL || tr->nfrags == 0) {
        return NGX_DONE;
    }

    st = &pkg->seg[0];
    ngx_http_sluice_seg_copy(st, tr);
    pkg->nseg = 1;
    pkg->ll_live = 1;

    if (url->has_part) {
        return ngx_http_sluice_seg_part(pkg, ev, tr);
    }

    i = ngx_http_sluice_seg_find(tr, url->time, 0, 0);

    if (i == NGX_DECLINED || ngx_http_sluice_ll_started(pkg->request)) {
        rc = ngx_http_sluice_seg_stream_collect(pkg, ev, tr,
                                                i != NGX_DECLINED);
        if (rc != NGX_DONE) {
            return rc;
        }
    }

    if (i != NGX_DECLINED
        && (ngx_uint_t) i == (tr->head + tr->nfrags - 1) % tr->capacity)
    {
        st->frags[0] = tr->frags[i];
        st->nfrags = 1;
        return NGX_OK;
    }

    pkg->ll_live = 0;
    pkg->nseg = 0;

    return NGX_DONE;
}


/*
 * Low latency: part url->part of the fragment that starts at url->time
 * (mutex held).  A part not there yet but close ahead of the track's
 * last one (the preload hint, or up to NGX_HTTP_SLUICE_LL_AHEAD parts
 * later: the fragment in progress or the next) makes the request wait
 * (pkg->ll_wait); one behind the ring, or too far ahead, is 404.
 */

static ngx_int_t
ngx_http_sluice_seg_part(ngx_http_sluice_pkg_t *pkg, ngx_sluice_event_t *ev,
    ngx_sluice_track_t *tr)
{
    uint64_t            end;
    ngx_uint_t          i;
    sluice_url_t       *url;
    ngx_sluice_frag_t  *f;
    ngx_sluice_part_t  *pt, *last;

    url = &pkg->url;
    pkg->ll_changes = ev->changes;
    pkg->ll_slot = tr - ev->tracks;
    pkg->ll_count = ngx_sluice_ll_track_count(tr);

    if (ev->part_ms == 0 || url->format != SLUICE_FORMAT_HLS_CMAF) {
        pkg->reason = "no parts: not a LowLatencyV2 event";
        return NGX_DECLINED;
    }

    last = NULL;

    for (i = 0; tr->parts && i < tr->nparts; i++) {
        pt = &tr->parts[(tr->parts_head + i) % NGX_SLUICE_LL_PARTS];

        if (pt->frag_time == url->time && pt->index == url->part) {
            pkg->part = *pt;
            pkg->has_part = 1;
            return NGX_OK;
        }

        last = pt;
    }

    if (ev->state != NGX_SLUICE_RUNNING || tr->nfrags == 0) {
        pkg->reason = "unknown part";
        return NGX_DECLINED;
    }

    f = &tr->frags[(tr->head + tr->nfrags - 1) % tr->capacity];
    end = f->time + f->duration;

    /* the fragment in progress, or the next one (the first part hinted) */

    if (last && (last->flags & NGX_SLUICE_PART_LAST)) {
        /* the fragment in progress is cut: the next one follows */
        end = ngx_max(end, last->time + last->duration);
    }

    if ((last && last->frag_time >= end && url->time == last->frag_time
         && url->part > last->index
         && url->part <= (uint32_t) last->index + NGX_HTTP_SLUICE_LL_AHEAD)
        || (url->time == end && url->part < NGX_HTTP_SLUICE_LL_AHEAD
            && (last == NULL || last->frag_time < end)))
    {
        pkg->ll_wait = 1;
        pkg->reason = "part not yet available";
        return NGX_DECLINED;
    }

    pkg->reason = "unknown part";
    return NGX_DECLINED;
}


/*
 * LL-DASH (mutex held): the segment in progress at url->time, sent as
 * its parts come (pkg->streaming): the parts there so far, and whether
 * the fragment is complete.  The segment that follows the track's last
 * fragment, before its first part, makes the request wait.
 */

static ngx_int_t
ngx_http_sluice_seg_stream_collect(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_event_t *ev, ngx_sluice_track_t *tr, ngx_uint_t complete)
{
    uint64_t            end;
    ngx_uint_t          i, n;
    ngx_sluice_frag_t  *f;
    ngx_sluice_part_t  *pt;

    pkg->ll_changes = ev->changes;
    pkg->ll_slot = tr - ev->tracks;
    pkg->ll_count = ngx_sluice_ll_track_count(tr);

    n = 0;

    for (i = 0; tr->parts && i < tr->nparts; i++) {
        pt = &tr->parts[(tr->parts_head + i) % NGX_SLUICE_LL_PARTS];

        if (pt->frag_time == pkg->url.time && n < NGX_HTTP_SLUICE_LL_STREAM) {
            pkg->stream[n++] = *pt;
        }
    }

    pkg->nstream = n;

    if (n == 0 || pkg->stream[0].index != 0) {
        if (ngx_http_sluice_ll_started(pkg->request)) {
            pkg->reason = "parts of the segment in progress gone";
            return NGX_DECLINED;
        }

        if (complete) {
            return NGX_DONE;        /* a fragment without parts: whole */
        }

        f = tr->nfrags ? &tr->frags[(tr->head + tr->nfrags - 1)
                                    % tr->capacity]
                       : NULL;
        end = f ? f->time + f->duration : 0;

        if (ev->state == NGX_SLUICE_RUNNING && f && pkg->url.time == end) {
            pkg->ll_wait = 1;
            pkg->reason = "segment not yet begun";
            return NGX_DECLINED;
        }

        pkg->reason = "unknown fragment time";
        return NGX_DECLINED;
    }

    pkg->streaming = 1;
    pkg->stream_complete = complete;

    return NGX_OK;
}


/*
 * A TS segment of the live event: its cues from the segment's start on
 * (ngx_sluice_cue_snapshot(): none copied when the event has none), kept
 * when timed metadata begins in the segment and the segment carries it
 * (video, or audio of an event without video)
 */

static ngx_int_t
ngx_http_sluice_seg_collect_cues(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_event_t *ev)
{
    uint64_t                      from, to;
    ngx_uint_t                    i, n;
    sluice_cue_t                 *cues;
    ngx_http_sluice_seg_track_t  *st;

    st = &pkg->seg[0];

    pkg->snap.cues = NULL;
    pkg->snap.ncues = 0;

    if (st->nfrags == 0 || st->info.timescale == 0) {
        return NGX_OK;
    }

    from = sluice_rescale(st->frags[0].time, st->info.timescale, 1000);
    to = sluice_rescale(st->frags[st->nfrags - 1].time
                        + st->frags[st->nfrags - 1].duration,
                        st->info.timescale, 1000);

    if (ngx_sluice_cue_snapshot(pkg->request->pool, ev, from, &cues, &n)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    for (i = 0; i < n; i++) {
        if (cues[i].kind == SLUICE_CUE_METADATA && cues[i].time >= from
            && cues[i].time < to)
        {
            break;
        }
    }

    if (i == n) {
        return NGX_OK;
    }

    if (st->info.media_type != SLUICE_MEDIA_VIDEO) {
        for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
            if (ev->tracks[i].state != NGX_SLUICE_TRACK_FREE
                && ev->tracks[i].nfrags
                && ev->tracks[i].info.media_type == SLUICE_MEDIA_VIDEO)
            {
                /* the video's segments carry them */
                return NGX_OK;
            }
        }
    }

    pkg->snap.cues = cues;
    pkg->snap.ncues = n;

    return NGX_OK;
}


/* the used track of an event named "video" or "audio" with this bitrate */

ngx_sluice_track_t *
ngx_http_sluice_packager_track(ngx_sluice_event_t *ev, sluice_str_t *name,
    uint32_t bitrate)
{
    ngx_int_t            type;
    ngx_uint_t           i;
    ngx_sluice_track_t  *tr;

    type = sluice_url_media_type(name);
    if (type < 0) {
        return NULL;
    }

    for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
        tr = &ev->tracks[i];

        if (tr->state != NGX_SLUICE_TRACK_FREE
            && tr->nfrags != 0
            && tr->info.media_type == type
            && tr->info.bitrate == bitrate)
        {
            return tr;
        }
    }

    return NULL;
}


/*
 * The cues of a CMAF segment, under the zone mutex: those of the event
 * that end after the segment's start (the pure writer keeps the ones
 * that start in it; the zone holds NGX_SLUICE_MAX_CUES at most) into
 * pkg->snap.cues, for the tracks that carry them: video, or
 * audio when the event has no video (a player gets each event once; one
 * of the video Representations is always fetched).
 */

static ngx_int_t
ngx_http_sluice_seg_cues(ngx_http_sluice_pkg_t *pkg, ngx_sluice_event_t *ev,
    ngx_sluice_track_t *tr)
{
    uint64_t                      from;
    ngx_uint_t                    i;
    ngx_http_sluice_seg_track_t  *st;

    if (tr->info.media_type != SLUICE_MEDIA_VIDEO) {
        for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
            if (ev->tracks[i].state != NGX_SLUICE_TRACK_FREE
                && ev->tracks[i].nfrags != 0
                && ev->tracks[i].info.media_type == SLUICE_MEDIA_VIDEO)
            {
                return NGX_OK;
            }
        }
    }

    st = &pkg->seg[0];

    if (st->info.timescale == 0) {
        return NGX_OK;
    }

    from = sluice_rescale(st->frags[0].time, st->info.timescale, 1000);

    /* nothing to copy (no allocation) when the event has no cue there */
    return ngx_sluice_cue_snapshot(pkg->request->pool, ev, from,
                                   &pkg->snap.cues, &pkg->snap.ncues);
}


ngx_uint_t
ngx_http_sluice_packager_sparse(sluice_url_t *url)
{
    return url->format == SLUICE_FORMAT_SMOOTH
           && url->kind == SLUICE_URL_SEGMENT
           && url->track.len == sizeof(SLUICE_MSS_SPARSE_NAME) - 1
           && ngx_strncasecmp((u_char *) url->track.data,
                              (u_char *) SLUICE_MSS_SPARSE_NAME,
                              url->track.len)
              == 0;
}


/* the cue of a sparse fragment, under the zone mutex */

static ngx_int_t
ngx_http_sluice_seg_sparse_collect(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_event_t *ev)
{
    ngx_uint_t     n;
    sluice_cue_t  *cues;

    if (ngx_sluice_cue_snapshot(pkg->request->pool, ev,
                                pkg->url.time / (SLUICE_MSS_TIMESCALE / 1000),
                                &cues, &n)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_sluice_packager_sparse_pick(pkg, cues, n);
}


ngx_int_t
ngx_http_sluice_packager_sparse_pick(ngx_http_sluice_pkg_t *pkg,
    sluice_cue_t *cues, ngx_uint_t n)
{
    ngx_uint_t  i;

    pkg->status = NGX_HTTP_NOT_FOUND;

    if (pkg->url.bitrate != 0) {
        pkg->reason = "unknown track";
        return NGX_DECLINED;
    }

    for (i = 0; i < n; i++) {
        if (sluice_cue_is_scte35(&cues[i])
            && sluice_cue_time(cues[i].time, SLUICE_MSS_TIMESCALE)
               == pkg->url.time
            && sluice_cue_sparse_size(&cues[i]) <= SLUICE_MSS_SPARSE_MAX)
        {
            pkg->snap.cues = &cues[i];
            pkg->snap.ncues = 1;
            pkg->nseg = 0;
            return NGX_OK;
        }
    }

    pkg->reason = "unknown fragment time";

    return NGX_DECLINED;
}


/*
 * A fragment of the sparse track: moof (mfhd, traf: tfhd, trun, tfxd)
 * and mdat of one sample, the cue's (sluice_cue_box.h), at the cue's
 * time, of its duration (0 when unknown), every time in 100 ns units as
 * AMS's sparse fragments.  A cue may still be replaced (same id and
 * time): cached like a live manifest.
 */

static ngx_int_t
ngx_http_sluice_seg_sparse(ngx_http_sluice_pkg_t *pkg)
{
    size_t               size;
    uint8_t             *data;
    uint64_t             d;
    ngx_buf_t           *b;
    ngx_str_t            type;
    sluice_cue_t        *c;
    sluice_sample_t      sample;
    sluice_fragment_t    f;
    ngx_http_request_t  *r;

    r = pkg->request;
    c = pkg->snap.cues;

    if (pkg->snap.ncues != 1) {
        return ngx_http_sluice_packager_error(r, NGX_HTTP_NOT_FOUND,
                                              "unknown fragment time");
    }

    data = ngx_pnalloc(r->pool, sluice_cue_sparse_size(c));
    if (data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    d = sluice_cue_time(c->duration, SLUICE_MSS_TIMESCALE);

    ngx_memzero(&sample, sizeof(sluice_sample_t));
    sample.dts = sluice_cue_time(c->time, SLUICE_MSS_TIMESCALE);
    sample.duration = (d < 0xFFFFFFFF) ? (uint32_t) d : 0xFFFFFFFF;
    sample.size = (uint32_t) sluice_cue_sparse_size(c);
    sample.flags = SLUICE_SAMPLE_KEY;
    sample.data = data;
    sluice_cue_sparse_write(data, c);

    ngx_memzero(&f, sizeof(sluice_fragment_t));
    f.sequence = 1;
    f.time = sample.dts;
    f.duration = sample.duration;
    f.nsamples = 1;
    f.samples = &sample;

    size = sluice_cmaf_fragment_size(&f, 1,
                                     SLUICE_CMAF_SMOOTH | SLUICE_CMAF_NO_TFDT);
    if (size == 0) {
        return ngx_http_sluice_packager_error(r,
                                              NGX_HTTP_INTERNAL_SERVER_ERROR,
                                              "cannot write fragment");
    }

    b = ngx_create_temp_buf(r->pool, size);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->last = sluice_cmaf_fragment_write(b->pos, &f, 1,
                                         SLUICE_CMAF_SMOOTH
                                         | SLUICE_CMAF_NO_TFDT);

    if (b->last == NULL || (size_t) (b->last - b->pos) != size) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "sluice packager: sparse fragment size mismatch");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_str_set(&type, "video/mp4");

    return ngx_http_sluice_packager_send(r, &type, b,
               ngx_max((time_t) (pkg->fragment_ms / 2000), 1));
}


/*
 * Binary search of the ring for the fragment of this time (or seq): its
 * position in frags[] or NGX_DECLINED.  With smooth, key is a Smooth
 * time in 100 ns units, compared with sluice_mss_time() of each fragment
 * as the manifest writes it (monotonic: the order holds).
 */

static ngx_int_t
ngx_http_sluice_seg_find(ngx_sluice_track_t *tr, uint64_t key,
    ngx_uint_t by_seq, ngx_uint_t smooth)
{
    uint64_t            v;
    ngx_uint_t          lo, hi, mid;
    ngx_sluice_frag_t  *f;

    lo = 0;
    hi = tr->nfrags;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        f = &tr->frags[(tr->head + mid) % tr->capacity];

        if (by_seq) {
            v = f->seq;

        } else if (smooth) {
            v = sluice_mss_time(f->time, tr->info.timescale);

        } else {
            v = f->time;
        }

        if (v == key) {
            return (tr->head + mid) % tr->capacity;
        }

        if (v < key) {
            lo = mid + 1;

        } else {
            hi = mid;
        }
    }

    return NGX_DECLINED;
}


/* the entries after ring position pos, for a Smooth tfrf box */

static void
ngx_http_sluice_seg_next(ngx_http_sluice_seg_track_t *st,
    ngx_sluice_track_t *tr, ngx_uint_t pos)
{
    ngx_uint_t  k, n;

    /* index of pos counted from the oldest entry */
    k = (pos + tr->capacity - tr->head) % tr->capacity;

    for (n = 0; n < NGX_HTTP_SLUICE_SMOOTH_LOOKAHEAD; n++) {
        if (k + 1 + n >= tr->nfrags) {
            break;
        }

        st->next[n] = tr->frags[(tr->head + k + 1 + n) % tr->capacity];
    }

    st->nnext = n;
}


/*
 * A live Smooth fragment announces the fragment after it in its tfrf box:
 * Smooth players (dash.js) extend their timeline from there only and never
 * reload the manifest, so the newest fragment, fetched before its
 * successor exists, would end their play.  Its request waits for the
 * successor (parked: NGX_DECLINED with pkg->ll_wait), as IIS held a
 * fragment back until its lookahead came; when the deadline passes (the
 * stream stalled) it is answered without.
 */

ngx_int_t
ngx_http_sluice_packager_lookahead(ngx_http_sluice_pkg_t *pkg)
{
    if (!pkg->live || pkg->seg[0].nnext > 0 || pkg->ll_event_id[0] == '\0'
        || ngx_http_sluice_ll_expired(pkg->request))
    {
        return NGX_OK;
    }

    pkg->ll_wait = 1;
    pkg->ll_hold = 1;
    pkg->reason = "next fragment not yet available";

    return NGX_DECLINED;
}


static void
ngx_http_sluice_seg_copy(ngx_http_sluice_seg_track_t *st,
    ngx_sluice_track_t *tr)
{
    st->index = tr->index;
    st->init_version = tr->init_version;
    st->info = tr->info;
    st->nfrags = 0;
}


/* the track of a segment must pass the request's filters */

static ngx_int_t
ngx_http_sluice_seg_filtered(ngx_http_sluice_pkg_t *pkg)
{
    sluice_ptrack_t  t;

    if (pkg->nfilters == 0) {
        return NGX_OK;
    }

    ngx_memzero(&t, sizeof(sluice_ptrack_t));

    t.info = &pkg->seg[0].info;
    t.name.data = (const uint8_t *) pkg->url.track.data;
    t.name.len = pkg->url.track.len;
    t.bitrate = pkg->url.bitrate ? pkg->url.bitrate
                                 : pkg->seg[0].info.bitrate;
    ngx_http_sluice_packager_lang(t.info, &t.lang);

    return ngx_http_sluice_packager_filter_track(pkg, &t);
}


ngx_int_t
ngx_http_sluice_packager_segment(ngx_http_sluice_pkg_t *pkg)
{
    ngx_buf_t           *emsg;
    ngx_uint_t           cenc, encrypt;
    ngx_sluice_key_t    *key;
    ngx_http_request_t  *r;

    r = pkg->request;

    if (ngx_http_sluice_packager_sparse(&pkg->url)) {
        return ngx_http_sluice_seg_sparse(pkg);
    }

    if (!pkg->has_part && ngx_http_sluice_seg_filtered(pkg) != NGX_OK) {
        return ngx_http_sluice_packager_error(r, pkg->status, pkg->reason);
    }

    /* CENC: the stored file read and encrypted (packager_cenc.c) */
    cenc = ngx_http_sluice_packager_cenc_on(pkg, &pkg->seg[0].info);

    /* AES-128: HLS segments, DASH segments and init segments */
    encrypt = ngx_http_sluice_hls_enc_segment(pkg, &key);

    if (pkg->url.kind == SLUICE_URL_INIT) {
        if (!sluice_format_is_cmaf(pkg->url.format)) {
            return ngx_http_sluice_packager_error(r, NGX_HTTP_NOT_FOUND,
                                      "no init segment in this format");
        }

        return (cenc || encrypt != NGX_HTTP_SLUICE_HLS_CLEAR)
               ? ngx_http_sluice_seg_load(pkg, encrypt, key, NULL)
               : ngx_http_sluice_seg_send_file(pkg, 1, NULL);
    }

    if (pkg->streaming) {
        if (cenc || encrypt != NGX_HTTP_SLUICE_HLS_CLEAR) {
            return ngx_http_sluice_packager_error(r, NGX_HTTP_NOT_FOUND,
                                      "segments in progress are clear only");
        }

        return ngx_http_sluice_seg_stream(pkg);
    }

    if (pkg->has_part) {
        if (cenc || encrypt != NGX_HTTP_SLUICE_HLS_CLEAR) {
            return ngx_http_sluice_packager_error(r, NGX_HTTP_NOT_FOUND,
                                                  "parts are clear only");
        }

        return ngx_http_sluice_seg_send_file(pkg, 0, NULL);
    }

    emsg = NULL;

    if (pkg->snap.ncues && sluice_format_is_cmaf(pkg->url.format)
        && ngx_http_sluice_seg_emsg(pkg, &emsg) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (sluice_format_is_cmaf(pkg->url.format) && !cenc
        && encrypt == NGX_HTTP_SLUICE_HLS_CLEAR)
    {
        return ngx_http_sluice_seg_send_file(pkg, 0, emsg);
    }

    return ngx_http_sluice_seg_load(pkg, encrypt, key, emsg);
}


/*
 * The emsg boxes of the cues that start in the segment (in the track
 * timescale), in a memory buffer; *emsg NULL when none
 */

static ngx_int_t
ngx_http_sluice_seg_emsg(ngx_http_sluice_pkg_t *pkg, ngx_buf_t **emsg)
{
    size_t                        size;
    uint64_t                      start, end;
    ngx_buf_t                    *b;
    ngx_http_sluice_seg_track_t  *st;

    st = &pkg->seg[0];

    if (st->nfrags == 0 || st->info.timescale == 0) {
        return NGX_OK;
    }

    start = st->frags[0].time;
    end = st->frags[st->nfrags - 1].time
          + st->frags[st->nfrags - 1].duration;

    size = sluice_cue_emsg_range_size(pkg->snap.cues,
                                      (uint32_t) pkg->snap.ncues, start, end,
                                      st->info.timescale);
    if (size == 0) {
        return NGX_OK;
    }

    b = ngx_create_temp_buf(pkg->request->pool, size);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->last = sluice_cue_emsg_range_write(b->pos, pkg->snap.cues,
                                          (uint32_t) pkg->snap.ncues, start,
                                          end, st->info.timescale);

    if ((size_t) (b->last - b->pos) != size) {
        ngx_log_error(NGX_LOG_ALERT, pkg->request->connection->log, 0,
                      "sluice packager: emsg size mismatch");
        return NGX_ERROR;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, pkg->request->connection->log, 0,
                   "sluice packager: %uz bytes of emsg at %uL", size, start);

    *emsg = b;

    return NGX_OK;
}


/*
 * The fragment read into ctx->data[0] with the emsg boxes after its styp
 * (before its first box when it has none), in a new buffer with room
 * for the padding of AES-128
 */

static ngx_int_t
ngx_http_sluice_seg_insert(ngx_http_sluice_seg_ctx_t *ctx)
{
    size_t      head, len, n;
    u_char     *p, *data;
    ngx_buf_t  *emsg;

    emsg = ctx->emsg;
    data = ctx->data[0].data;
    len = ctx->data[0].len;
    n = emsg->last - emsg->pos;

    head = ngx_http_sluice_seg_box(data, len, "styp");

    p = ngx_http_sluice_packager_buffer(ctx->pkg->request->pool,
                                        len + n + SLUICE_AES_BLOCK_SIZE);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ctx->data[0].data = p;
    ctx->data[0].len = len + n;

    p = ngx_cpymem(p, data, head);
    p = ngx_cpymem(p, emsg->pos, n);
    ngx_memcpy(p, data + head, len - head);

    return NGX_OK;
}


/*
 * "{data}/live/{id}/{generation}/{track}/init{v}.mp4" or "/{time}.m4s" of
 * the k-th fragment; for an asset "{data}/assets/{assetId}/{slot}/..."
 */

static ngx_int_t
ngx_http_sluice_seg_path(ngx_http_sluice_pkg_t *pkg,
    ngx_http_sluice_seg_track_t *st, ngx_uint_t init, ngx_uint_t k,
    ngx_str_t *path)
{
    u_char                 *p;
    ngx_str_t               name;
    ngx_sluice_zone_ctx_t  *zctx;
    u_char                  buf[NGX_SLUICE_FILE_LEN];

    zctx = pkg->zctx;

    if (pkg->asset_id[0] && !pkg->ll_live) {
        name.data = buf;

        if (init) {
            name.len = ngx_sprintf(buf, "init%uD.mp4", st->init_version)
                       - buf;

        } else {
            name.len = ngx_sprintf(buf, "%uL.m4s", st->frags[k].time) - buf;
        }

        return ngx_http_sluice_asset_path(pkg, st->index, &name, path);
    }

    p = ngx_pnalloc(pkg->request->pool, zctx->data_path.len
                    + NGX_SLUICE_TRACK_DIR_LEN + NGX_SLUICE_PART_FILE_LEN
                    + NGX_SLUICE_FILE_LEN + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    path->data = p;

    if (pkg->ll_live) {
        /* a live asset's newest media: its event's files */
        p = ngx_sluice_track_dir(p, &zctx->data_path, pkg->ll_event_id,
                                 pkg->ll_generation, st->index);

    } else {
        p = ngx_sluice_track_dir(p, &zctx->data_path, pkg->event_id,
                                 pkg->generation, st->index);
    }

    if (init) {
        p = ngx_sprintf(p, "/init%uD.mp4", st->init_version);

    } else if (pkg->has_part) {
        /* the parts of a fragment, one after the other */
        p = ngx_sprintf(p, "/%uL.m4p", pkg->part.frag_time);

    } else {
        p = ngx_sprintf(p, "/%uL.m4s", st->frags[k].time);
    }

    path->len = p - path->data;
    *p = '\0';

    return NGX_OK;
}


/*
 * grows: a fragment's parts file, which grows while the fragment is cut:
 * its size is read now, not taken from the open file cache
 */

static ngx_int_t
ngx_http_sluice_seg_open(ngx_http_request_t *r, ngx_str_t *path,
    ngx_uint_t grows, ngx_open_file_info_t *of)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    ngx_memzero(of, sizeof(ngx_open_file_info_t));

    of->read_ahead = clcf->read_ahead;
    of->directio = NGX_OPEN_FILE_DIRECTIO_OFF;
    of->valid = clcf->open_file_cache_valid;
    of->min_uses = clcf->open_file_cache_min_uses;
    of->errors = clcf->open_file_cache_errors;
    of->events = clcf->open_file_cache_events;

    if (ngx_open_cached_file(grows ? NULL : clcf->open_file_cache,
                             path, of, r->pool)
        != NGX_OK)
    {
        if (of->err == NGX_ENOENT || of->err == NGX_ENOTDIR) {
            /* evicted since the snapshot, or removed */
            return NGX_DECLINED;
        }

        ngx_log_error(NGX_LOG_CRIT, r->connection->log, of->err,
                      "%s \"%s\" failed", of->failed, path->data);

        return NGX_ERROR;
    }

    if (!of->is_file) {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/*
 * A part was written moments ago, by the event loop of the ingest's
 * worker: its bytes are in the page cache.  They are read into memory
 * at once if all of them are there (preadv2() with RWF_NOWAIT never
 * waits for the disk), which spares the request a round trip through
 * the thread pool for its sendfile() ("aio threads"): parts are small
 * and many, a blocking reload's client asks for each.  Otherwise, or
 * without RWF_NOWAIT, b stays a file buffer.  Whole fragments stay file
 * buffers: sendfile() without a copy.
 */

#define NGX_HTTP_SLUICE_HOT_MAX  (1024 * 1024)

static void
ngx_http_sluice_seg_hot(ngx_http_request_t *r, ngx_buf_t *b)
{
#if (NGX_LINUX && defined RWF_NOWAIT)
    size_t         size;
    u_char        *p;
    ssize_t        n;
    struct iovec   iov;

    size = (size_t) (b->file_last - b->file_pos);

    if (!b->in_file || size == 0 || size > NGX_HTTP_SLUICE_HOT_MAX) {
        return;
    }

    p = ngx_pnalloc(r->pool, size);
    if (p == NULL) {
        return;
    }

    iov.iov_base = p;
    iov.iov_len = size;

    n = preadv2(b->file->fd, &iov, 1, b->file_pos, RWF_NOWAIT);

    if (n != (ssize_t) size) {
        /* not all cached (EAGAIN, a short read): the file buffer stays */
        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, ngx_errno,
                       "sluice packager: part not hot, %z of %uz", n, size);
        return;
    }

    b->pos = p;
    b->last = p + size;
    b->temporary = 1;
    b->in_file = 0;
    b->file_pos = b->file_last;
    b->file = NULL;
#endif
}


static ngx_int_t
ngx_http_sluice_seg_send_file(ngx_http_sluice_pkg_t *pkg, ngx_uint_t init,
    ngx_buf_t *emsg)
{
    off_t                  styp;
    ngx_int_t              rc;
    ngx_buf_t             *b, *tail;
    ngx_str_t              path, type;
    ngx_chain_t            out[3];
    ngx_http_request_t    *r;
    ngx_open_file_info_t   of;

    r = pkg->request;

    if (ngx_http_sluice_seg_path(pkg, &pkg->seg[0], init, 0, &path)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "sluice packager: file \"%V\"", &path);

    rc = ngx_http_sluice_seg_open(r, &path, pkg->has_part, &of);

    if (rc == NGX_DECLINED) {
        return ngx_http_sluice_packager_error(r, NGX_HTTP_NOT_FOUND,
                                              "fragment not stored");
    }

    if (rc != NGX_OK) {
        return ngx_http_sluice_packager_error(r,
                                              NGX_HTTP_INTERNAL_SERVER_ERROR,
                                              "cannot open fragment");
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->file = ngx_pcalloc(r->pool, sizeof(ngx_file_t));
    if (b->file == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->file_pos = 0;
    b->file_last = of.size;

    if (pkg->has_part) {
        /* the part's bytes in its fragment's parts file */
        if ((off_t) pkg->part.offset + pkg->part.size > of.size) {
            return ngx_http_sluice_packager_error(r, NGX_HTTP_NOT_FOUND,
                                                  "part not stored");
        }

        b->file_pos = pkg->part.offset;
        b->file_last = (off_t) pkg->part.offset + pkg->part.size;
    }

    b->in_file = (b->file_last > b->file_pos) ? 1 : 0;

    b->file->fd = of.fd;
    b->file->name = path;
    b->file->log = r->connection->log;
    b->file->directio = of.is_directio;

    /* a parts file grows: its parts are named by their place, no dates */
    r->headers_out.last_modified_time = pkg->has_part ? -1 : of.mtime;

    if (pkg->seg[0].info.media_type == SLUICE_MEDIA_VIDEO) {
        ngx_str_set(&type, "video/mp4");

    } else {
        ngx_str_set(&type, "audio/mp4");
    }

    styp = (off_t) sluice_cmaf_styp_size();

    if (emsg == NULL || of.size <= styp) {
        if (pkg->has_part) {
            ngx_http_sluice_seg_hot(r, b);
        }

        return ngx_http_sluice_packager_send(r, &type, b,
                                             ngx_http_sluice_seg_max_age(pkg));
    }

    /* the stored styp, the emsg boxes, the rest of the file */

    tail = ngx_calloc_buf(r->pool);
    if (tail == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    *tail = *b;
    tail->file_pos = styp;
    b->file_last = styp;

    out[0].buf = b;
    out[0].next = &out[1];
    out[1].buf = emsg;
    out[1].next = &out[2];
    out[2].buf = tail;
    out[2].next = NULL;

    return ngx_http_sluice_packager_send_chain(r, &type, out,
                                             ngx_http_sluice_seg_max_age(pkg));
}


/* segments: immutable, unless the streaming endpoint sets maxCacheAge */

static time_t
ngx_http_sluice_seg_max_age(ngx_http_sluice_pkg_t *pkg)
{
    if (pkg->max_age >= 0) {
        return (time_t) pkg->max_age;
    }

    return NGX_HTTP_SLUICE_SEGMENT_MAX_AGE;
}


/*
 * LL-DASH: the segment in progress, chunked: its headers once, then each
 * part as it comes; the request waits (parked) between parts and ends
 * with the fragment.  A part missing in the middle ends the connection:
 * no cache may keep a segment with a hole.
 */

static ngx_int_t
ngx_http_sluice_seg_stream(ngx_http_sluice_pkg_t *pkg)
{
    ngx_int_t                     rc;
    ngx_buf_t                    *b;
    ngx_str_t                     type;
    ngx_uint_t                    k;
    ngx_chain_t                  *out, **ll;
    ngx_http_request_t           *r;
    ngx_http_sluice_ll_stream_t  *st;

    r = pkg->request;

    st = ngx_http_sluice_ll_stream(r);
    if (st == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (!st->started) {
        if (pkg->seg[0].info.media_type == SLUICE_MEDIA_VIDEO) {
            ngx_str_set(&type, "video/mp4");

        } else {
            ngx_str_set(&type, "audio/mp4");
        }

        rc = ngx_http_sluice_packager_send_open(r, &type,
                                            ngx_http_sluice_seg_max_age(pkg));

        if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
            return rc;
        }

        st->started = 1;
    }

    out = NULL;
    ll = &out;

    for (k = st->next; k < pkg->nstream; k++) {
        if (pkg->stream[k].index != k) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "sluice: part %ui of the segment in progress "
                          "missing", k);
            return NGX_ERROR;
        }

        if (ngx_http_sluice_seg_stream_part(pkg, &pkg->stream[k], &ll)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    st->next = pkg->nstream;

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    if (pkg->stream_complete) {
        b->last_buf = 1;
        b->last_in_chain = 1;

    } else {
        b->flush = 1;
    }

    *ll = ngx_alloc_chain_link(r->pool);
    if (*ll == NULL) {
        return NGX_ERROR;
    }

    (*ll)->buf = b;
    (*ll)->next = NULL;

    rc = ngx_http_output_filter(r, out);

    if (rc == NGX_ERROR || pkg->stream_complete) {
        return rc;
    }

    /* the next part: the request waits for it */
    return ngx_http_sluice_ll_park(pkg);
}


/* a part's file, appended to the chain at **ll */

static ngx_int_t
ngx_http_sluice_seg_stream_part(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_part_t *part, ngx_chain_t ***ll)
{
    ngx_int_t              rc;
    ngx_str_t              path;
    ngx_buf_t             *b;
    ngx_chain_t           *cl;
    ngx_http_request_t    *r;
    ngx_open_file_info_t   of;

    r = pkg->request;

    pkg->part = *part;
    pkg->has_part = 1;

    rc = ngx_http_sluice_seg_path(pkg, &pkg->seg[0], 0, 0, &path);

    pkg->has_part = 0;

    if (rc != NGX_OK
        || ngx_http_sluice_seg_open(r, &path, 1, &of) != NGX_OK)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "sluice: part \"%V\" of the segment in progress "
                      "cannot be opened", &path);
        return NGX_ERROR;
    }

    b = ngx_calloc_buf(r->pool);
    cl = ngx_alloc_chain_link(r->pool);

    if (b == NULL || cl == NULL) {
        return NGX_ERROR;
    }

    b->file = ngx_pcalloc(r->pool, sizeof(ngx_file_t));
    if (b->file == NULL) {
        return NGX_ERROR;
    }

    if ((off_t) part->offset + part->size > of.size) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "sluice: part %ui of the segment in progress "
                      "not stored", (ngx_uint_t) part->index);
        return NGX_ERROR;
    }

    b->file_pos = part->offset;
    b->file_last = (off_t) part->offset + part->size;
    b->in_file = part->size ? 1 : 0;
    b->file->fd = of.fd;
    b->file->name = path;
    b->file->log = r->connection->log;
    b->file->directio = of.is_directio;

    ngx_http_sluice_seg_hot(r, b);

    cl->buf = b;
    cl->next = NULL;

    **ll = cl;
    *ll = &cl->next;

    return NGX_OK;
}


/* TS, Smooth and AES-128 CMAF: open and read the stored fragments */

static ngx_int_t
ngx_http_sluice_seg_load(ngx_http_sluice_pkg_t *pkg, ngx_uint_t encrypt,
    ngx_sluice_key_t *key, ngx_buf_t *emsg)
{
    ngx_int_t                        rc;
    ngx_uint_t                       i, j, k, init;
    ngx_http_request_t              *r;
    ngx_http_sluice_seg_ctx_t       *ctx;
    ngx_http_sluice_packager_ctx_t  *pctx;

    r = pkg->request;

    pctx = ngx_http_sluice_packager_ctx(r);
    if (pctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_sluice_seg_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->pkg = pkg;
    ctx->encrypt = encrypt;
    ctx->key = key;
    ctx->emsg = emsg;

    /* an init segment (CENC) is one file, seg[0]'s */
    init = (pkg->url.kind == SLUICE_URL_INIT);
    ctx->nfiles = init;

    for (j = 0; j < pkg->nseg && !init; j++) {
        ctx->nfiles += pkg->seg[j].nfrags;
    }

    if (ctx->nfiles == 0) {
        return ngx_http_sluice_packager_error(r, NGX_HTTP_NOT_FOUND,
                                              "fragment not stored");
    }

    ctx->files = ngx_pcalloc(r->pool, ctx->nfiles * sizeof(ngx_file_t));
    ctx->data = ngx_pcalloc(r->pool, ctx->nfiles * sizeof(ngx_str_t));
    if (ctx->files == NULL || ctx->data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j = 0;
    k = 0;

    for (i = 0; i < ctx->nfiles; i++, k++) {

        /* file i: fragment k of seg[j] */
        while (!init && k >= pkg->seg[j].nfrags) {
            j++;
            k = 0;
        }

        rc = ngx_http_sluice_seg_open_file(ctx, i, &pkg->seg[j], k);

        if (rc == NGX_ERROR) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (rc != NGX_OK) {
            return ngx_http_sluice_packager_error(r, pkg->status,
                                                  pkg->reason);
        }
    }

    rc = ngx_http_sluice_seg_read(ctx);

    if (rc == NGX_AGAIN) {
        r->main->count++;
        r->write_event_handler = ngx_http_sluice_seg_resume;
        pctx->segment = ctx;
        return NGX_DONE;
    }

    if (rc != NGX_OK) {
        return ngx_http_sluice_packager_error(r,
                                              NGX_HTTP_INTERNAL_SERVER_ERROR,
                                              "cannot read fragment");
    }

    return ngx_http_sluice_seg_produce(ctx);
}


/*
 * Opens files[i], fragment k of st, and allocates its buffer: NGX_OK,
 * NGX_ERROR, or NGX_DECLINED with pkg->status and pkg->reason.
 */

static ngx_int_t
ngx_http_sluice_seg_open_file(ngx_http_sluice_seg_ctx_t *ctx, ngx_uint_t i,
    ngx_http_sluice_seg_track_t *st, ngx_uint_t k)
{
    ngx_int_t               rc;
    ngx_str_t               path;
    ngx_file_t             *file;
    ngx_http_request_t     *r;
    ngx_open_file_info_t    of;
    ngx_http_sluice_pkg_t  *pkg;

    pkg = ctx->pkg;
    r = pkg->request;

    if (ngx_http_sluice_seg_path(pkg, st, pkg->url.kind == SLUICE_URL_INIT,
                                 k, &path)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    rc = ngx_http_sluice_seg_open(r, &path, 0, &of);

    if (rc == NGX_DECLINED) {
        pkg->status = NGX_HTTP_NOT_FOUND;
        pkg->reason = "fragment not stored";
        return NGX_DECLINED;
    }

    pkg->status = NGX_HTTP_INTERNAL_SERVER_ERROR;

    if (rc != NGX_OK) {
        pkg->reason = "cannot open fragment";
        return NGX_DECLINED;
    }

    if (of.size <= 0 || of.size > NGX_HTTP_SLUICE_MAX_READ) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "sluice packager: fragment \"%V\" has %O bytes",
                      &path, of.size);
        pkg->reason = "fragment too large";
        return NGX_DECLINED;
    }

    if (of.mtime > ctx->mtime) {
        ctx->mtime = of.mtime;
    }

    file = &ctx->files[i];
    file->fd = of.fd;
    file->name = path;
    file->log = r->connection->log;

    ctx->data[i].len = (size_t) of.size;

    /* room for the padding of AES-128, in place */
    ctx->data[i].data = ngx_http_sluice_packager_buffer(r->pool,
                            ctx->data[i].len + SLUICE_AES_BLOCK_SIZE);
    if (ctx->data[i].data == NULL) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* reads files[next..]; NGX_AGAIN while a thread reads one */

static ngx_int_t
ngx_http_sluice_seg_read(ngx_http_sluice_seg_ctx_t *ctx)
{
    ssize_t                    n;
    ngx_file_t                *file;
    ngx_http_request_t        *r;
    ngx_http_core_loc_conf_t  *clcf;

    r = ctx->pkg->request;
    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    while (ctx->next < ctx->nfiles) {
        file = &ctx->files[ctx->next];

#if (NGX_THREADS)
        if (clcf->aio == NGX_HTTP_AIO_THREADS) {
            file->thread_handler = ngx_http_sluice_seg_thread_handler;
            file->thread_ctx = r;

            n = ngx_thread_read(file, ctx->data[ctx->next].data,
                                ctx->data[ctx->next].len, 0, r->pool);

            if (n == NGX_AGAIN) {
                return NGX_AGAIN;
            }

        } else {
            n = ngx_read_file(file, ctx->data[ctx->next].data,
                              ctx->data[ctx->next].len, 0);
        }
#else
        (void) clcf;

        n = ngx_read_file(file, ctx->data[ctx->next].data,
                          ctx->data[ctx->next].len, 0);
#endif

        if (n == NGX_ERROR) {
            return NGX_ERROR;
        }

        if ((size_t) n != ctx->data[ctx->next].len) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "sluice packager: read only %z of %uz bytes "
                          "of \"%V\"", n, ctx->data[ctx->next].len,
                          &file->name);
            return NGX_ERROR;
        }

        ctx->next++;
    }

    return NGX_OK;
}


static void
ngx_http_sluice_seg_resume(ngx_http_request_t *r)
{
    ngx_int_t                   rc;
    ngx_http_sluice_seg_ctx_t  *ctx;

    if (r->aio) {
        /* a thread still reads */
        return;
    }

    ctx = ((ngx_http_sluice_packager_ctx_t *)
           ngx_http_get_module_ctx(r, ngx_http_sluice_packager_module))
          ->segment;

    rc = ngx_http_sluice_seg_read(ctx);

    if (rc == NGX_AGAIN) {
        return;
    }

    r->write_event_handler = ngx_http_request_empty_handler;

    if (rc != NGX_OK) {
        rc = ngx_http_sluice_packager_error(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                            "cannot read fragment");

    } else {
        rc = ngx_http_sluice_seg_produce(ctx);
    }

    ngx_http_finalize_request(r, rc);
}


#if (NGX_THREADS)

static ngx_int_t
ngx_http_sluice_seg_thread_handler(ngx_thread_task_t *task, ngx_file_t *file)
{
    ngx_http_request_t  *r;

    r = file->thread_ctx;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "sluice packager: thread read \"%V\"", &file->name);

    return ngx_http_sluice_packager_thread_post(r, task);
}

#endif


static ngx_int_t
ngx_http_sluice_seg_produce(ngx_http_sluice_seg_ctx_t *ctx)
{
    ngx_uint_t              i;
    sluice_status_t         rc;
    sluice_fragment_t      *f;
    ngx_http_request_t     *r;
    ngx_http_sluice_pkg_t  *pkg;

    pkg = ctx->pkg;
    r = pkg->request;

    if (sluice_format_is_cmaf(pkg->url.format)) {
        /* read to be encrypted: ngx_http_sluice_packager_segment() */
        r->headers_out.last_modified_time = ctx->mtime;

        if (ctx->emsg && ngx_http_sluice_seg_insert(ctx) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (ctx->encrypt == NGX_HTTP_SLUICE_HLS_AES) {
            /* AES-128 of the stored fragment: not parsed */
            return ngx_http_sluice_seg_cmaf_aes(ctx);
        }

        return ngx_http_sluice_packager_cenc_segment(pkg, &ctx->data[0],
                   ngx_http_sluice_seg_max_age(pkg));
    }

    f = ngx_pcalloc(r->pool, ctx->nfiles * sizeof(sluice_fragment_t));
    if (f == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    for (i = 0; i < ctx->nfiles; i++) {
        rc = sluice_cmaf_fragment_parse(ctx->data[i].data, ctx->data[i].len,
                                        &pkg->alloc, &f[i]);

        if (rc != SLUICE_OK) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "sluice packager: bad stored fragment \"%V\": %d",
                          &ctx->files[i].name, rc);

            return ngx_http_sluice_packager_error(r,
                       ngx_http_sluice_packager_http_status(rc),
                       "bad stored fragment");
        }
    }

    /* Last-Modified and an ETag (with the length) from the stored files */
    r->headers_out.last_modified_time = ctx->mtime;

    if (pkg->url.format == SLUICE_FORMAT_SMOOTH) {
        return ngx_http_sluice_seg_smooth(ctx, f);
    }

    return ngx_http_sluice_seg_ts(ctx, f);
}


/*
 * A Smooth fragment: moof (tfxd, no tfdt, as AMS) and mdat written from
 * the parsed samples, every time in 100 ns units.  A live one also
 * carries a tfrf box announcing the fragments that follow, which Smooth
 * clients need to go on without reloading the manifest; until all
 * NGX_HTTP_SLUICE_SMOOTH_LOOKAHEAD exist, the answer changes and is
 * cached like a manifest.
 */

static ngx_int_t
ngx_http_sluice_seg_smooth(ngx_http_sluice_seg_ctx_t *ctx,
    sluice_fragment_t *f)
{
    size_t                        size, tfrf;
    time_t                        max_age;
    ngx_buf_t                    *b;
    ngx_str_t                     type;
    ngx_http_request_t           *r;
    ngx_http_sluice_pkg_t        *pkg;
    ngx_http_sluice_seg_track_t  *st;

    pkg = ctx->pkg;
    r = pkg->request;
    st = &pkg->seg[0];

    /* every Smooth time is in 100 ns units, as in the manifest */
    if (st->info.timescale == 0
        || sluice_cmaf_fragment_rescale(&f[0], st->info.timescale,
                                        SLUICE_MSS_TIMESCALE)
           != SLUICE_OK)
    {
        return ngx_http_sluice_packager_error(r,
                                              NGX_HTTP_INTERNAL_SERVER_ERROR,
                                              "cannot rescale fragment");
    }

    size = sluice_cmaf_fragment_size(&f[0], 1,
                                     SLUICE_CMAF_SMOOTH | SLUICE_CMAF_NO_TFDT);
    if (size == 0) {
        return ngx_http_sluice_packager_error(r,
                                              NGX_HTTP_INTERNAL_SERVER_ERROR,
                                              "cannot write fragment");
    }

    tfrf = pkg->live ? NGX_HTTP_SLUICE_TFRF_SIZE(st->nnext) : 0;

    b = ngx_create_temp_buf(r->pool, size + tfrf);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->last = sluice_cmaf_fragment_write(b->pos, &f[0], 1,
                                         SLUICE_CMAF_SMOOTH
                                         | SLUICE_CMAF_NO_TFDT);

    if (b->last == NULL || (size_t) (b->last - b->pos) != size) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "sluice packager: smooth fragment size mismatch");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_sluice_packager_cenc_on(pkg, &st->info)
        && ngx_http_sluice_seg_smooth_cenc(pkg, b, &size, tfrf) != NGX_OK)
    {
        return ngx_http_sluice_packager_error(r,
                                              NGX_HTTP_INTERNAL_SERVER_ERROR,
                                              "cannot encrypt fragment");
    }

    max_age = ngx_http_sluice_seg_max_age(pkg);

    if (pkg->live) {
        if (ngx_http_sluice_seg_tfrf(st, b->pos, size) != NGX_OK) {
            ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                          "sluice packager: cannot add tfrf");
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        b->last += tfrf;

        if (st->nnext < NGX_HTTP_SLUICE_SMOOTH_LOOKAHEAD) {
            max_age = ngx_max((time_t) (pkg->fragment_ms / 2000), 1);
        }
    }

    ngx_str_set(&type, "video/mp4");

    return ngx_http_sluice_packager_send(r, &type, b, max_age);
}


/*
 * The Smooth fragment in b (size bytes) encrypted ('cenc' boxes or PIFF)
 * into a new buffer with tfrf bytes free after it
 */

static ngx_int_t
ngx_http_sluice_seg_smooth_cenc(ngx_http_sluice_pkg_t *pkg, ngx_buf_t *b,
    size_t *size, size_t tfrf)
{
    ngx_str_t  in, out;

    in.data = b->pos;
    in.len = *size;

    if (ngx_http_sluice_packager_cenc_smooth(pkg, &in,
                                             pkg->seg[0].frags[0].time, tfrf,
                                             &out)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    b->start = out.data;
    b->pos = out.data;
    b->last = out.data + out.len;
    b->end = b->last + tfrf;
    *size = out.len;

    return NGX_OK;
}


/* the box at p[0..len): its size (0 if it does not fit) */

static size_t
ngx_http_sluice_seg_box(u_char *p, size_t len, const char *type)
{
    size_t  size;

    if (len < 8) {
        return 0;
    }

    size = ((size_t) p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];

    if (size < 8 || size > len
        || (type != NULL && ngx_memcmp(p + 4, type, 4) != 0))
    {
        return 0;
    }

    return size;
}


static u_char *
ngx_http_sluice_seg_wb32(u_char *p, uint32_t v)
{
    *p++ = (u_char) (v >> 24);
    *p++ = (u_char) (v >> 16);
    *p++ = (u_char) (v >> 8);
    *p++ = (u_char) v;

    return p;
}


static u_char *
ngx_http_sluice_seg_wb64(u_char *p, uint64_t v)
{
    p = ngx_http_sluice_seg_wb32(p, (uint32_t) (v >> 32));
    return ngx_http_sluice_seg_wb32(p, (uint32_t) v);
}


/*
 * Inserts a tfrf box (PIFF, [MS-SSTR] 2.2.4.5; version 1) at the end of
 * the traf of the Smooth fragment p[0..len) (room for it follows len),
 * growing traf and moof and moving the trun data offset past it.
 */

static ngx_int_t
ngx_http_sluice_seg_tfrf(ngx_http_sluice_seg_track_t *st, u_char *p,
    size_t len)
{
    u_char      *traf, *box, *q;
    size_t       moof, traf_size, size, tfrf, off;
    uint32_t     v, ts;
    uint64_t     start;
    ngx_uint_t   i;

    static u_char  uuid[16] = {
        0xd4, 0x80, 0x7e, 0xf2, 0xca, 0x39, 0x46, 0x95,
        0x8e, 0x54, 0x26, 0xcb, 0x9e, 0x46, 0xa7, 0x9f
    };

    tfrf = NGX_HTTP_SLUICE_TFRF_SIZE(st->nnext);

    moof = ngx_http_sluice_seg_box(p, len, "moof");
    if (moof == 0) {
        return NGX_ERROR;
    }

    /* the traf among the children of moof */

    traf = NULL;
    traf_size = 0;

    for (off = 8; off < moof; off += size) {
        size = ngx_http_sluice_seg_box(p + off, moof - off, NULL);
        if (size == 0) {
            return NGX_ERROR;
        }

        if (ngx_memcmp(p + off + 4, "traf", 4) == 0) {
            traf = p + off;
            traf_size = size;
            break;
        }
    }

    if (traf == NULL) {
        return NGX_ERROR;
    }

    /* trun data_offset (flag 0x000001) is relative to the moof start */

    for (off = 8; off < traf_size; off += size) {
        box = traf + off;
        size = ngx_http_sluice_seg_box(box, traf_size - off, NULL);
        if (size == 0) {
            return NGX_ERROR;
        }

        if (ngx_memcmp(box + 4, "trun", 4) == 0 && size >= 20
            && (box[11] & 0x01))
        {
            v = ((uint32_t) box[16] << 24) | (box[17] << 16)
                | (box[18] << 8) | box[19];
            ngx_http_sluice_seg_wb32(box + 16, v + (uint32_t) tfrf);
        }
    }

    /* make room at the end of the traf */

    q = traf + traf_size;
    ngx_memmove(q + tfrf, q, p + len - q);

    q = ngx_http_sluice_seg_wb32(q, (uint32_t) tfrf);
    q = ngx_cpymem(q, "uuid", 4);
    q = ngx_cpymem(q, uuid, 16);
    q = ngx_http_sluice_seg_wb32(q, 0x01000000);     /* version 1 */
    *q++ = (u_char) st->nnext;

    /* in 100 ns units, as the manifest's chunks */
    ts = st->info.timescale;

    for (i = 0; i < st->nnext; i++) {
        start = sluice_mss_time(st->next[i].time, ts);
        q = ngx_http_sluice_seg_wb64(q, start);
        q = ngx_http_sluice_seg_wb64(q,
                sluice_mss_time(st->next[i].time + st->next[i].duration, ts)
                - start);
    }

    ngx_http_sluice_seg_wb32(traf, (uint32_t) (traf_size + tfrf));
    ngx_http_sluice_seg_wb32(p, (uint32_t) (moof + tfrf));

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_seg_ts(ngx_http_sluice_seg_ctx_t *ctx, sluice_fragment_t *f)
{
    size_t                  size;
    ngx_uint_t              i, from;
    ngx_buf_t              *b;
    ngx_str_t               type;
    sluice_status_t         rc;
    sluice_ts_track_t      *tt;
    ngx_http_request_t     *r;
    sluice_ts_segment_t     seg;
    ngx_http_sluice_pkg_t  *pkg;

    pkg = ctx->pkg;
    r = pkg->request;

    ngx_memzero(&seg, sizeof(sluice_ts_segment_t));

    from = 0;

    for (i = 0; i < pkg->nseg; i++) {
        tt = (pkg->seg[i].info.media_type == SLUICE_MEDIA_VIDEO)
             ? &seg.video : &seg.audio;

        tt->info = &pkg->seg[i].info;

        if (ngx_http_sluice_seg_join(ctx, f, from, pkg->seg[i].nfrags, tt)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        from += pkg->seg[i].nfrags;
    }

    if (pkg->snap.ncues && ngx_http_sluice_seg_id3(pkg, &seg) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ctx->encrypt == NGX_HTTP_SLUICE_HLS_SAMPLE_AES) {
        rc = ngx_http_sluice_hls_enc_samples(pkg, ctx->key, &seg);

        if (rc != SLUICE_OK) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "sluice packager: cannot encrypt the samples of "
                          "\"%V\" with SAMPLE-AES: %d",
                          &ctx->files[0].name, rc);

            return ngx_http_sluice_packager_error(r,
                       ngx_http_sluice_packager_http_status(rc),
                       "cannot encrypt with SAMPLE-AES");
        }
    }

    rc = sluice_ts_segment_size(&seg, &size);

    if (rc != SLUICE_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "sluice packager: cannot mux \"%V\" into TS: %d",
                      &ctx->files[0].name, rc);

        return ngx_http_sluice_packager_error(r,
                   ngx_http_sluice_packager_http_status(rc),
                   "cannot mux TS");
    }

    /* AES-128: encrypted in place, padding included */
    b = ngx_create_temp_buf(r->pool, sluice_aes_cbc_size(size));
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = sluice_ts_segment_write(&seg, b->pos, size);

    if (rc != SLUICE_OK) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "sluice packager: TS write failed: %d", rc);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ctx->encrypt == NGX_HTTP_SLUICE_HLS_AES) {
        if (ngx_http_sluice_hls_enc_aes(pkg, ctx->key, b->pos, size)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        size = sluice_aes_cbc_size(size);
    }

    b->last = b->pos + size;

    ngx_str_set(&type, "video/mp2t");

    return ngx_http_sluice_packager_send(r, &type, b,
                                         ngx_http_sluice_seg_max_age(pkg));
}


/* the samples of fragments f[from, from + n) of one track, in one array */

static ngx_int_t
ngx_http_sluice_seg_join(ngx_http_sluice_seg_ctx_t *ctx,
    sluice_fragment_t *f, ngx_uint_t from, ngx_uint_t n,
    sluice_ts_track_t *tt)
{
    uint32_t          total;
    ngx_uint_t        i;
    sluice_sample_t  *s, *p;

    if (n == 1) {
        tt->samples = f[from].samples;
        tt->nsamples = f[from].nsamples;
        return NGX_OK;
    }

    total = 0;

    for (i = from; i < from + n; i++) {
        total += f[i].nsamples;
    }

    s = ngx_palloc(ctx->pkg->request->pool, total * sizeof(sluice_sample_t));
    if (s == NULL) {
        return NGX_ERROR;
    }

    p = s;

    for (i = from; i < from + n; i++) {
        ngx_memcpy(p, f[i].samples, f[i].nsamples * sizeof(sluice_sample_t));
        p += f[i].nsamples;
    }

    tt->samples = s;
    tt->nsamples = total;

    return NGX_OK;
}


/* AES-128 of a stored CMAF fragment (m3u8-cmaf), sent from memory */

static ngx_int_t
ngx_http_sluice_seg_cmaf_aes(ngx_http_sluice_seg_ctx_t *ctx)
{
    size_t                  len;
    ngx_buf_t              *b;
    ngx_str_t               type;
    ngx_http_request_t     *r;
    ngx_http_sluice_pkg_t  *pkg;

    pkg = ctx->pkg;
    r = pkg->request;
    len = ctx->data[0].len;

    if (ctx->encrypt != NGX_HTTP_SLUICE_HLS_AES || ctx->nfiles != 1) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "sluice packager: CMAF fragment read for nothing");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_sluice_hls_enc_aes(pkg, ctx->key, ctx->data[0].data, len)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->start = ctx->data[0].data;
    b->pos = b->start;
    b->last = b->pos + sluice_aes_cbc_size(len);
    b->end = b->last;
    b->memory = 1;

    if (pkg->seg[0].info.media_type == SLUICE_MEDIA_VIDEO) {
        ngx_str_set(&type, "video/mp4");

    } else {
        ngx_str_set(&type, "audio/mp4");
    }

    return ngx_http_sluice_packager_send(r, &type, b,
                                         ngx_http_sluice_seg_max_age(pkg));
}


/*
 * The ID3 tags of the timed metadata cues that begin in the segment
 * (pkg->snap.cues: those from its time on, copied by the collector), at
 * their time on the 90 kHz clock of the segment's samples
 */

static ngx_int_t
ngx_http_sluice_seg_id3(ngx_http_sluice_pkg_t *pkg, sluice_ts_segment_t *seg)
{
    uint64_t                      from, to;
    ngx_uint_t                    i, n;
    sluice_ts_id3_t              *m;
    const sluice_cue_t           *c;
    ngx_http_sluice_seg_track_t  *st;

    st = &pkg->seg[0];

    if (st->nfrags == 0 || st->info.timescale == 0) {
        return NGX_OK;
    }

    from = sluice_rescale(st->frags[0].time, st->info.timescale, 1000);
    to = sluice_rescale(st->frags[st->nfrags - 1].time
                        + st->frags[st->nfrags - 1].duration,
                        st->info.timescale, 1000);

    m = ngx_palloc(pkg->request->pool,
                   pkg->snap.ncues * sizeof(sluice_ts_id3_t));
    if (m == NULL) {
        return NGX_ERROR;
    }

    n = 0;

    for (i = 0; i < pkg->snap.ncues; i++) {
        c = &pkg->snap.cues[i];

        if (c->kind != SLUICE_CUE_METADATA || !c->has_time
            || c->time < from || c->time >= to)
        {
            continue;
        }

        switch (ngx_http_sluice_seg_id3_tag(pkg, c, &m[n].tag)) {

        case NGX_OK:
            m[n++].time = c->time * 90;
            break;

        case NGX_DECLINED:
            break;

        default:
            return NGX_ERROR;
        }
    }

    seg->id3 = m;
    seg->nid3 = (uint32_t) n;

    return NGX_OK;
}


/*
 * The ID3 tag of a cue, as the emsg of CMAF segments carries it: under
 * the AOM ID3 scheme its data when that is an ID3v2 tag ("ID3", version
 * 2 to 4, a synchsafe size), else the data as the value of one TXXX frame
 * without description (PRIV owned by the scheme when it holds a NUL);
 * under another scheme one PRIV frame owned by the scheme.  NGX_DECLINED
 * when it cannot be one.
 */

static ngx_int_t
ngx_http_sluice_seg_id3_tag(ngx_http_sluice_pkg_t *pkg,
    const sluice_cue_t *c, sluice_str_t *tag)
{
    size_t              size;
    uint8_t            *p;
    const u_char       *d;
    sluice_id3_frame_t  f;

    d = c->data.data;

    f.frame = SLUICE_ID3_PRIV;
    f.owner = c->scheme_id_uri;
    f.data = c->data;

    if (c->scheme_id_uri.len == sizeof(SLUICE_CUE_SCHEME_ID3) - 1
        && ngx_strncmp(c->scheme_id_uri.data, SLUICE_CUE_SCHEME_ID3,
                       c->scheme_id_uri.len)
           == 0)
    {
        if (c->data.len >= SLUICE_ID3_HEADER
            && ngx_strncmp(d, "ID3", 3) == 0 && d[3] >= 2 && d[3] <= 4
            && ((d[6] | d[7] | d[8] | d[9]) & 0x80) == 0)
        {
            *tag = c->data;
            return NGX_OK;
        }

        if (c->data.len == 0
            || ngx_strlchr((u_char *) d, (u_char *) d + c->data.len, '\0')
               == NULL)
        {
            f.frame = SLUICE_ID3_TXXX;
            f.owner.data = (const uint8_t *) "";
            f.owner.len = 0;
        }
    }

    size = sluice_id3_size(&f);
    if (size == 0) {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, pkg->request->connection->log, 0,
                       "sluice packager: a cue that is no ID3 tag");
        return NGX_DECLINED;
    }

    p = ngx_pnalloc(pkg->request->pool, size);
    if (p == NULL) {
        return NGX_ERROR;
    }

    sluice_id3_write(p, &f);

    tag->data = p;
    tag->len = size;

    return NGX_OK;
}
