
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Manifests and HLS media playlists, written per request from a snapshot
 * of the fragment index (the live window of every track that has one
 * fragment at least).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "packager/ngx_http_sluice_packager_manifest.h"
#include "packager/ngx_http_sluice_packager_ll.h"
#include "packager/ngx_http_sluice_packager_module.h"
#include "packager/ngx_http_sluice_packager_cenc.h"
#include "packager/ngx_http_sluice_packager_hls_enc.h"
#include "packager/ngx_http_sluice_packager_filter.h"
#include "media/sluice_buf.h"
#include "media/manifest/sluice_presentation.h"
#include "media/manifest/sluice_hls.h"
#include "media/manifest/sluice_dash.h"
#include "media/manifest/sluice_mss.h"


/* video on demand manifests without a maxCacheAge, seconds */
#define NGX_HTTP_SLUICE_VOD_MAX_AGE      86400


static uint32_t ngx_http_sluice_discontinuities_before(
    ngx_sluice_track_t *tr, uint64_t time, uint64_t *last);
static void ngx_http_sluice_epoch(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_event_t *ev);
static ngx_int_t ngx_http_sluice_presentation(ngx_http_sluice_pkg_t *pkg,
    sluice_presentation_t *p);
static ngx_uint_t ngx_http_sluice_packager_protected(
    sluice_presentation_t *p);
static ngx_sluice_track_snap_t *ngx_http_sluice_packager_snap_track(
    ngx_http_sluice_pkg_t *pkg, const sluice_ptrack_t *pt);
static void ngx_http_sluice_packager_ll_note(ngx_http_sluice_pkg_t *pkg,
    sluice_presentation_t *p, const sluice_ptrack_t *pt);
static void ngx_http_sluice_packager_ll_track(ngx_http_sluice_pkg_t *pkg,
    const sluice_ptrack_t *pt);
static void ngx_http_sluice_presentation_asset_parts(
    ngx_http_sluice_pkg_t *pkg, ngx_sluice_track_snap_t *ts);
static ngx_int_t ngx_http_sluice_presentation_parts(
    ngx_http_sluice_pkg_t *pkg, ngx_sluice_track_snap_t *ts,
    sluice_ptrack_t *pt);
static ngx_int_t ngx_http_sluice_packager_blocking(ngx_http_sluice_pkg_t *pkg,
    sluice_presentation_t *p, const sluice_ptrack_t *pt);
static ngx_int_t ngx_http_sluice_packager_utc_url(ngx_http_sluice_pkg_t *pkg,
    sluice_str_t *url);
static const sluice_ptrack_t *ngx_http_sluice_find_ptrack(
    sluice_presentation_t *p, sluice_url_t *url);
static void ngx_http_sluice_packager_cues(ngx_http_sluice_pkg_t *pkg,
    sluice_presentation_t *p);


ngx_int_t
ngx_http_sluice_packager_manifest_collect(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_event_t *ev)
{
    ngx_uint_t                            i;
    ngx_sluice_track_t                   *tr;
    ngx_sluice_track_snap_t              *ts;
    ngx_http_sluice_packager_loc_conf_t  *plcf;

    plcf = ngx_http_get_module_loc_conf(pkg->request,
                                        ngx_http_sluice_packager_module);

    if (ngx_http_sluice_ll_precheck(pkg, ev, plcf->live_window)
        != NGX_OK)
    {
        return NGX_DECLINED;    /* a blocking reload waits */
    }

    if (ngx_sluice_snapshot(pkg->request->pool, ev,
                            ngx_http_sluice_packager_filter_window(pkg,
                                plcf->live_window),
                            &pkg->snap)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (pkg->snap.ntracks == 0) {
        pkg->status = NGX_HTTP_NOT_FOUND;
        pkg->reason = "no media ingested yet";
        return NGX_DECLINED;
    }

    pkg->discontinuities = ngx_pcalloc(pkg->request->pool,
                                       pkg->snap.ntracks * sizeof(uint32_t));
    if (pkg->discontinuities == NULL) {
        return NGX_ERROR;
    }

    pkg->period_starts = ngx_pcalloc(pkg->request->pool,
                                     pkg->snap.ntracks * sizeof(uint64_t));
    if (pkg->period_starts == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < pkg->snap.ntracks; i++) {
        ts = &pkg->snap.tracks[i];

        if (ts->nfrags == 0 || ts->index >= NGX_SLUICE_MAX_TRACKS) {
            continue;
        }

        tr = &ev->tracks[ts->index];

        pkg->discontinuities[i] =
            ngx_http_sluice_discontinuities_before(tr, ts->frags[0].time,
                                                   &pkg->period_starts[i]);
    }

    ngx_http_sluice_epoch(pkg, ev);

    return NGX_OK;
}


/*
 * The wall clock time of timeline time 0: fixed for a generation (DASH
 * availabilityStartTime must not change in a dynamic MPD).  The ingest
 * sets it when the first fragment of the generation is indexed (the time
 * it was appended minus its end) and continues the timeline of a
 * reconnected publisher at the wall clock, so the live edge stays there.
 * An event without one (none indexed by this zone yet) gets the same
 * estimate here, once.  Called with the zone locked.
 */

static void
ngx_http_sluice_epoch(ngx_http_sluice_pkg_t *pkg, ngx_sluice_event_t *ev)
{
    int64_t                   now;
    uint64_t                  end;
    ngx_uint_t                i;
    ngx_time_t               *tp;
    ngx_msec_int_t            age;
    ngx_sluice_frag_t        *f;
    ngx_sluice_track_snap_t  *ts, *newest;

    if (ev->epoch_generation == ev->generation && ev->epoch_ms > 0) {
        pkg->epoch_ms = ev->epoch_ms;
        return;
    }

    newest = NULL;

    for (i = 0; i < pkg->snap.ntracks; i++) {
        ts = &pkg->snap.tracks[i];

        if (ts->nfrags == 0 || ts->info.timescale == 0) {
            continue;
        }

        if (newest == NULL
            || (ngx_msec_int_t) (ts->updated - newest->updated) > 0)
        {
            newest = ts;
        }
    }

    if (newest == NULL) {
        pkg->epoch_ms = ev->epoch_ms;
        return;
    }

    f = &newest->frags[newest->nfrags - 1];
    end = sluice_rescale(f->time + f->duration, newest->info.timescale,
                         1000);

    age = (ngx_msec_int_t) (ngx_current_msec - newest->updated);
    if (age < 0) {
        age = 0;
    }

    tp = ngx_timeofday();
    now = (int64_t) tp->sec * 1000 + (int64_t) tp->msec;

    ev->epoch_ms = now - age - (int64_t) end;
    ev->epoch_generation = ev->generation;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, pkg->request->connection->log, 0,
                   "sluice packager: epoch %L", ev->epoch_ms);

    pkg->epoch_ms = ev->epoch_ms;
}


/*
 * The epoch of an event whose recording an asset plays (live): the same
 * estimate the preview makes, from a snapshot of the newest fragments.
 */

void
ngx_http_sluice_packager_event_epoch(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_event_t *ev)
{
    ngx_msec_t  window;

    window = ngx_max(ev->fragment_ms, 1000);

    if (ngx_sluice_snapshot(pkg->request->pool, ev, window, &pkg->snap)
        != NGX_OK)
    {
        pkg->epoch_ms = ev->epoch_ms;

    } else {
        ngx_http_sluice_epoch(pkg, ev);
    }

    ngx_memzero(&pkg->snap, sizeof(ngx_sluice_snapshot_t));
}


/*
 * Discontinuities before the window, those evicted from the ring and
 * those of its entries before the window: they keep
 * EXT-X-DISCONTINUITY-SEQUENCE steady while the window slides and the
 * ring turns (RFC 8216 6.2.2: it never goes down); "last" is
 * the start of the DASH Period the window's first fragment is in: the end
 * of the fragment before the last discontinuity at or before it (where the
 * hole begins), that discontinuity's time when the ring does not hold the
 * fragment before it, 0 when the ring has none.
 */

static uint32_t
ngx_http_sluice_discontinuities_before(ngx_sluice_track_t *tr,
    uint64_t time, uint64_t *last)
{
    uint32_t            n;
    uint64_t            end;
    ngx_uint_t          i;
    ngx_sluice_frag_t  *f;

    n = tr->evicted_discs;
    end = 0;
    *last = 0;

    for (i = 0; i < tr->nfrags; i++) {
        f = &tr->frags[(tr->head + i) % tr->capacity];

        if (f->time > time) {
            break;
        }

        if (f->flags & NGX_SLUICE_FRAG_DISCONTINUITY) {

            /* the Period begins where the media before the hole ends */

            *last = (i > 0 && end <= f->time) ? end : f->time;

            if (f->time < time) {
                n++;
            }
        }

        end = f->time + f->duration;
    }

    return n;
}


ngx_int_t
ngx_http_sluice_packager_manifest(ngx_http_sluice_pkg_t *pkg)
{
    time_t                  max_age;
    ngx_buf_t              *b;
    ngx_str_t               type;
    sluice_buf_t            out;
    sluice_status_t         rc;
    sluice_hls_enc_t       *enc;
    ngx_http_request_t     *r;
    ngx_uint_t              blocking;
    const sluice_ptrack_t  *pt;
    sluice_presentation_t   p;

    r = pkg->request;
    blocking = 0;

    if (ngx_http_sluice_presentation(pkg, &p) != NGX_OK) {
        return ngx_http_sluice_packager_error(r,
                                              NGX_HTTP_INTERNAL_SERVER_ERROR,
                                              "internal error");
    }

    switch (ngx_http_sluice_packager_filter_apply(pkg, &p)) {

    case NGX_OK:
        /* the cues of what the filters left: their windows */
        sluice_presentation_cue_window(&p);
        break;

    case NGX_DECLINED:
        return ngx_http_sluice_packager_error(r, pkg->status, pkg->reason);

    default:
        return ngx_http_sluice_packager_error(r,
                                              NGX_HTTP_INTERNAL_SERVER_ERROR,
                                              "internal error");
    }

    if (ngx_http_sluice_packager_cenc_presentation(pkg, &p,
               (sluice_ptrack_t *) p.tracks)
           != NGX_OK
        || ngx_http_sluice_hls_enc_dash(pkg, &p, (sluice_ptrack_t *) p.tracks)
           != NGX_OK)
    {
        return ngx_http_sluice_packager_error(r,
                                              NGX_HTTP_INTERNAL_SERVER_ERROR,
                                              "internal error");
    }

    if (p.ntracks == 0) {
        return ngx_http_sluice_packager_error(r, NGX_HTTP_NOT_FOUND,
                                              "no media ingested yet");
    }

    sluice_buf_init(&out, &pkg->alloc, NULL, 4096);

    /* HLS key lines, encryption tag and token; NULL: clear */
    if (ngx_http_sluice_hls_enc_manifest(pkg, &p, &enc) != NGX_OK) {
        return ngx_http_sluice_packager_error(r,
                                              NGX_HTTP_INTERNAL_SERVER_ERROR,
                                              "internal error");
    }

    /* low-latency parts are clear only: encrypted, the segments alone */
    if (enc != NULL || ngx_http_sluice_packager_protected(&p)) {
        p.part_ms = 0;
    }

    if (pkg->url.kind == SLUICE_URL_PLAYLIST) {

        if (!sluice_format_is_hls(pkg->url.format)) {
            return ngx_http_sluice_packager_error(r, NGX_HTTP_NOT_FOUND,
                                           "playlists are HLS only");
        }

        pt = ngx_http_sluice_find_ptrack(&p, &pkg->url);
        if (pt == NULL) {
            return ngx_http_sluice_packager_error(r, NGX_HTTP_NOT_FOUND,
                                                  "unknown track");
        }

        if (pkg->url.keyframes
            && (pkg->url.format != SLUICE_FORMAT_HLS_TS || enc != NULL))
        {
            return ngx_http_sluice_packager_error(r, NGX_HTTP_NOT_FOUND,
                       "I-frame playlists are m3u8-aapl, clear, only");
        }

        if (p.part_ms && p.live && pkg->url.format == SLUICE_FORMAT_HLS_CMAF) {
            switch (ngx_http_sluice_packager_blocking(pkg, &p, pt)) {

            case NGX_OK:
                blocking = 1;
                break;

            case NGX_AGAIN:
                ngx_http_sluice_packager_ll_track(pkg, pt);
                return ngx_http_sluice_ll_park(pkg);

            default:
                return ngx_http_sluice_packager_error(r,
                                                      NGX_HTTP_BAD_REQUEST,
                                                      pkg->reason);
            }
        }

        rc = pkg->url.keyframes ? sluice_hls_iframe_playlist(&out, &p, pt)
                                : sluice_hls_playlist(&out, &p, pt,
                                                      pkg->url.format, enc);

        if (rc == SLUICE_OK && p.part_ms
            && pkg->url.format == SLUICE_FORMAT_HLS_CMAF)
        {
            ngx_http_sluice_packager_ll_note(pkg, &p, pt);
        }
        ngx_str_set(&type, "application/vnd.apple.mpegurl");

    } else if (sluice_format_is_hls(pkg->url.format)) {
        rc = sluice_hls_master(&out, &p, pkg->url.format, enc);
        ngx_str_set(&type, "application/vnd.apple.mpegurl");

    } else if (sluice_format_is_dash(pkg->url.format)) {
        rc = sluice_dash_mpd(&out, &p, pkg->url.format);
        ngx_str_set(&type, "application/dash+xml");

    } else {
        rc = sluice_mss_manifest(&out, &p);
        ngx_str_set(&type, "text/xml");
    }

    if (rc == SLUICE_NOT_FOUND && pkg->url.keyframes) {
        /*
         * a keyframe size is unknown (version 1 asset records, a codec TS
         * cannot carry): the master offers no I-frame playlist; a request
         * for one is the client's, not a failure to log
         */
        return ngx_http_sluice_packager_error(r, NGX_HTTP_NOT_FOUND,
                                              "no I-frame playlist: keyframe "
                                              "sizes unknown");
    }

    if (rc != SLUICE_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "sluice packager: manifest writer failed: %d", rc);

        return ngx_http_sluice_packager_error(r,
                   ngx_http_sluice_packager_http_status(rc),
                   "manifest writer failed");
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->pos = out.data;
    b->last = out.data + out.len;
    b->start = b->pos;
    b->end = b->last;
    b->memory = 1;

    /* a live manifest changes once a fragment is added */
    max_age = (time_t) (pkg->fragment_ms / 2000);

    if (p.part_ms) {
        /*
         * low latency: a playlist changes with every part; the answer to
         * a blocking request (its query in the cache key) stays right
         * for longer, as its client moves on to the next
         */
        max_age = blocking ? (time_t) (3 * pkg->fragment_ms / 1000) : 1;
    }

    if (max_age < 1) {
        max_age = 1;
    }

    if (!pkg->live) {
        /* an asset that a live output may still record into: short */
        max_age = 60;
    }

    if (!pkg->live && pkg->final) {
        /* video on demand for good: the endpoint's maxCacheAge */
        max_age = (pkg->max_age >= 0) ? (time_t) pkg->max_age
                                      : NGX_HTTP_SLUICE_VOD_MAX_AGE;
    }

    return ngx_http_sluice_packager_send(r, &type, b, max_age);
}


static ngx_int_t
ngx_http_sluice_presentation(ngx_http_sluice_pkg_t *pkg,
    sluice_presentation_t *p)
{
    ngx_uint_t                            i, j, k, n;
    ngx_time_t                           *tp;
    sluice_pfrag_t                       *pf;
    sluice_ptrack_t                      *pt, *tracks;
    ngx_sluice_frag_t                    *f;
    ngx_sluice_track_snap_t              *ts;
    ngx_http_sluice_packager_loc_conf_t  *plcf;

    ngx_memzero(p, sizeof(sluice_presentation_t));

    plcf = ngx_http_get_module_loc_conf(pkg->request,
                                        ngx_http_sluice_packager_module);

    tracks = ngx_pcalloc(pkg->request->pool,
                         (pkg->snap.ntracks + 1) * sizeof(sluice_ptrack_t));
    if (tracks == NULL) {
        return NGX_ERROR;
    }

    n = 0;

    for (i = 0; i < pkg->snap.ntracks; i++) {
        ts = &pkg->snap.tracks[i];

        if (ts->nfrags == 0) {
            continue;
        }

        pt = &tracks[n++];

        pt->info = &ts->info;

        if (ts->info.media_type == SLUICE_MEDIA_VIDEO) {
            pt->name.data = (const uint8_t *) "video";
            pt->name.len = 5;

        } else {
            pt->name.data = (const uint8_t *) "audio";
            pt->name.len = 5;
        }

        pt->bitrate = ts->info.bitrate;
        ngx_http_sluice_packager_lang(&ts->info, &pt->lang);

        /* the group of a track: the first track fed by the same stream */
        pt->group = (uint32_t) i;

        for (j = 0; j < i; j++) {
            if (ngx_strcmp(pkg->snap.tracks[j].stream, ts->stream) == 0) {
                pt->group = (uint32_t) j;
                break;
            }
        }

        pf = ngx_palloc(pkg->request->pool,
                        ts->nfrags * sizeof(sluice_pfrag_t));
        if (pf == NULL) {
            return NGX_ERROR;
        }

        for (k = 0; k < ts->nfrags; k++) {
            f = &ts->frags[k];

            pf[k].time = f->time;
            pf[k].duration = f->duration;
            pf[k].seq = f->seq;
            pf[k].flags = (f->flags & NGX_SLUICE_FRAG_DISCONTINUITY)
                          ? SLUICE_PFRAG_DISCONTINUITY : 0;
            pf[k].key_size = f->key_size;
        }

        pt->frags = pf;
        pt->nfrags = (uint32_t) ts->nfrags;

        if (ngx_http_sluice_presentation_parts(pkg, ts, pt) != NGX_OK) {
            return NGX_ERROR;
        }

        pt->discontinuities_before = pkg->discontinuities
                                     ? pkg->discontinuities[i] : 0;
        pt->period_start = pkg->period_starts ? pkg->period_starts[i] : 0;
    }

    tp = ngx_timeofday();

    p->tracks = tracks;
    p->ntracks = (uint32_t) n;
    p->live = pkg->live ? 1 : 0;
    p->ended = pkg->live ? 0 : 1;
    p->epoch_ms = pkg->epoch_ms;
    p->program_date_time = (pkg->live && pkg->epoch_ms != 0) ? 1 : 0;
    p->now_ms = (int64_t) tp->sec * 1000 + tp->msec;
    p->window_ms = pkg->window_ms ? pkg->window_ms : plcf->live_window;
    p->fragment_ms = (uint32_t) pkg->fragment_ms;
    p->fragments_per_segment = pkg->per_segment ? pkg->per_segment : 1;
    p->hls_audio_only = (pkg->url.audio_only == 1) ? 1 : 0;
    p->smooth_v20 = pkg->url.smooth_v20;

    if (pkg->live) {
        p->latency = (uint32_t) pkg->ll_latency;
        p->part_ms = (uint32_t) pkg->ll_part_ms;

        if (p->part_ms
            && ngx_http_sluice_packager_utc_url(pkg, &p->utc_timing_url)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    ngx_http_sluice_packager_cues(pkg, p);

    return NGX_OK;
}


/*
 * A live asset's track: the parts of the event's track fed by the same
 * stream with the same media type, from the track's first fragment on
 */

static void
ngx_http_sluice_presentation_asset_parts(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_track_snap_t *ts)
{
    ngx_uint_t                i, k;
    ngx_sluice_track_snap_t  *lt;

    for (i = 0; i < pkg->ll_ntracks; i++) {
        lt = &pkg->ll_tracks[i];

        if (lt->info.media_type != ts->info.media_type
            || ngx_strcmp(lt->stream, ts->stream) != 0)
        {
            continue;
        }

        for (k = 0; k < lt->nparts; k++) {
            if (lt->parts[k].frag_time >= ts->frags[0].time) {
                ts->parts = &lt->parts[k];
                ts->nparts = lt->nparts - k;
                return;
            }
        }

        return;
    }
}


/*
 * A blocking playlist reload waits on the event's track of its playlist
 * (the preview's snapshot); a live asset's, on any change of its event
 */

static void
ngx_http_sluice_packager_ll_track(ngx_http_sluice_pkg_t *pkg,
    const sluice_ptrack_t *pt)
{
    ngx_sluice_track_snap_t  *ts;

    ts = ngx_http_sluice_packager_snap_track(pkg, pt);

    pkg->ll_slot = ts ? (ngx_int_t) ts->index : -1;
    pkg->ll_count = ts ? ts->ll_count : 0;
}


/*
 * LL-HLS: what this playlist listed last, for a cheaper first look at the
 * next blocking reload of the track (the preview's, unfiltered)
 */

static void
ngx_http_sluice_packager_ll_note(ngx_http_sluice_pkg_t *pkg,
    sluice_presentation_t *p, const sluice_ptrack_t *pt)
{
    int64_t                               part;
    uint64_t                              msn;
    ngx_sluice_track_snap_t              *ts;
    ngx_http_sluice_packager_loc_conf_t  *plcf;

    ts = ngx_http_sluice_packager_snap_track(pkg, pt);

    if (ts == NULL || pkg->nfilters || !sluice_hls_ll_last(p, pt, &msn, &part))
    {
        return;
    }

    plcf = ngx_http_get_module_loc_conf(pkg->request,
                                        ngx_http_sluice_packager_module);

    ngx_http_sluice_ll_remember(pkg, ts->index, ts->ll_count,
                                plcf->live_window, msn, part);
}


/*
 * The preview's snapshot track a presentation track was made of; NULL
 * for a live asset's (its tracks are the asset's, not the event's)
 */

static ngx_sluice_track_snap_t *
ngx_http_sluice_packager_snap_track(ngx_http_sluice_pkg_t *pkg,
    const sluice_ptrack_t *pt)
{
    ngx_uint_t  i;

    if (pkg->asset_id[0]) {
        return NULL;
    }

    for (i = 0; i < pkg->snap.ntracks; i++) {
        if (pt->info == &pkg->snap.tracks[i].info) {
            return &pkg->snap.tracks[i];
        }
    }

    return NULL;
}


/* whether a track of p is encrypted (Common Encryption, DASH AES) */

static ngx_uint_t
ngx_http_sluice_packager_protected(sluice_presentation_t *p)
{
    uint32_t  i;

    for (i = 0; i < p->ntracks; i++) {
        if (p->tracks[i].protect) {
            return 1;
        }
    }

    return 0;
}


/* low latency: the parts of a track as the writers take them */

static ngx_int_t
ngx_http_sluice_presentation_parts(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_track_snap_t *ts, sluice_ptrack_t *pt)
{
    ngx_uint_t          k;
    sluice_ppart_t     *pp;
    ngx_sluice_part_t  *sp;

    if (!pkg->live) {
        return NGX_OK;
    }

    if (ts->nparts == 0 && pkg->ll_ntracks && ts->nfrags) {
        /* a live asset: the parts of its event's track of the stream */
        ngx_http_sluice_presentation_asset_parts(pkg, ts);
    }

    if (ts->nparts == 0) {
        return NGX_OK;
    }

    pp = ngx_palloc(pkg->request->pool, ts->nparts * sizeof(sluice_ppart_t));
    if (pp == NULL) {
        return NGX_ERROR;
    }

    for (k = 0; k < ts->nparts; k++) {
        sp = &ts->parts[k];

        pp[k].time = sp->time;
        pp[k].duration = sp->duration;
        pp[k].flags = ((sp->flags & NGX_SLUICE_PART_INDEPENDENT)
                       ? SLUICE_PPART_INDEPENDENT : 0)
                      | ((sp->flags & NGX_SLUICE_PART_LAST)
                         ? SLUICE_PPART_LAST : 0);
        pp[k].frag_time = sp->frag_time;
        pp[k].index = sp->index;
        pp[k].size = sp->size;
    }

    pt->parts = pp;
    pt->nparts = (uint32_t) ts->nparts;

    return NGX_OK;
}


/*
 * Blocking playlist reload (LL-HLS): _HLS_msn, _HLS_part and _HLS_skip
 * of the request.  NGX_OK: answer now (p->hls_skip set); NGX_AGAIN: not
 * yet, park the request; NGX_DECLINED: a bad request (pkg->reason).
 */

static ngx_int_t
ngx_http_sluice_packager_blocking(ngx_http_sluice_pkg_t *pkg,
    sluice_presentation_t *p, const sluice_ptrack_t *pt)
{
    int64_t              part;
    uint64_t             msn;
    ngx_str_t            v;
    sluice_status_t      rc;
    ngx_http_request_t  *r;

    r = pkg->request;

    if (ngx_http_arg(r, (u_char *) "_HLS_skip", 9, &v) == NGX_OK) {
        if (v.len == 3 && ngx_strncmp(v.data, "YES", 3) == 0) {
            p->hls_skip = SLUICE_HLS_SKIP_YES;

        } else if (v.len == 2 && ngx_strncmp(v.data, "v2", 2) == 0) {
            p->hls_skip = SLUICE_HLS_SKIP_V2;
        }
    }

    switch (ngx_http_sluice_ll_args(pkg, &msn, &part)) {

    case NGX_DECLINED:
        return NGX_OK;          /* not a blocking reload */

    case NGX_ERROR:
        return NGX_DECLINED;    /* pkg->reason */

    default:
        break;
    }

    rc = sluice_hls_ll_check(p, pt, msn, part);

    if (rc == SLUICE_OK) {
        return NGX_OK;
    }

    if (rc == SLUICE_AGAIN) {
        return NGX_AGAIN;
    }

    pkg->reason = "_HLS_msn or _HLS_part too far ahead";
    return NGX_DECLINED;
}


/*
 * The URL of Sluice's time service (DASH UTCTiming http-iso): on the
 * host and scheme of the request
 */

static ngx_int_t
ngx_http_sluice_packager_utc_url(ngx_http_sluice_pkg_t *pkg,
    sluice_str_t *url)
{
    u_char              *p;
    ngx_str_t           *host;
    ngx_http_request_t  *r;

    r = pkg->request;

    if (r->headers_in.host == NULL) {
        return NGX_OK;      /* HTTP/1.0: the direct scheme only */
    }

    host = &r->headers_in.host->value;

    p = ngx_pnalloc(r->pool, sizeof("https://") - 1 + host->len
                             + sizeof(NGX_HTTP_SLUICE_TIME_URI) - 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    url->data = p;

#if (NGX_HTTP_SSL)
    if (r->connection->ssl) {
        p = ngx_cpymem(p, "https://", 8);

    } else
#endif
    {
        p = ngx_cpymem(p, "http://", 7);
    }

    p = ngx_cpymem(p, host->data, host->len);
    p = ngx_cpymem(p, NGX_HTTP_SLUICE_TIME_URI,
                   sizeof(NGX_HTTP_SLUICE_TIME_URI) - 1);

    url->len = p - url->data;

    return NGX_OK;
}


/*
 * The cues of the snapshot (a live event's, copied with its fragments)
 * for the writers; the CMAF segments carry them as emsg
 * (ngx_http_sluice_packager_segment.c)
 */

static void
ngx_http_sluice_packager_cues(ngx_http_sluice_pkg_t *pkg,
    sluice_presentation_t *p)
{
    /* ad markers and timed metadata: the event's, or the asset's */
    p->cues = pkg->snap.cues;
    p->ncues = (uint32_t) pkg->snap.ncues;
    p->inband_cues = 1;
}


static const sluice_ptrack_t *
ngx_http_sluice_find_ptrack(sluice_presentation_t *p, sluice_url_t *url)
{
    uint32_t                i;
    const sluice_ptrack_t  *pt;

    for (i = 0; i < p->ntracks; i++) {
        pt = &p->tracks[i];

        if (pt->bitrate == url->bitrate
            && pt->name.len == url->track.len
            && ngx_strncasecmp((u_char *) pt->name.data,
                               (u_char *) url->track.data, url->track.len)
               == 0)
        {
            return pt;
        }
    }

    return NULL;
}
