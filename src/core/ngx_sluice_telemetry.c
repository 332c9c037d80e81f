
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Live event telemetry (ngx_sluice_telemetry.h): the per-event block of
 * counters, stream events and heartbeats in the zone, and the cursor
 * over the stream events of the zone.
 *
 * Heartbeats are windows of the interval (20 s) that begin when a track
 * takes its first fragment.  A window is closed, and its heartbeat
 * taken with the window's end as its time, by whoever comes after its
 * end: the track's next fragment (the ingest worker, which holds the
 * lock then), or a reader (the API, a deliverer) through
 * ngx_sluice_tel_tick().  So no timer is needed, a track that receives
 * nothing still gets its (unhealthy) heartbeats on time, and any worker
 * answers.
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "core/ngx_sluice_telemetry.h"
#include "core/ngx_sluice_zone.h"


static ngx_sluice_tel_event_t *ngx_sluice_tel_push(ngx_sluice_shctx_t *sh,
    ngx_sluice_tel_ring_t *ring, ngx_uint_t type, ngx_uint_t level);
static ngx_sluice_tel_ring_t *ngx_sluice_tel_orphans(ngx_sluice_shctx_t *sh);
static void ngx_sluice_tel_track_reset(ngx_sluice_event_t *ev,
    ngx_sluice_tel_track_t *tt, uint64_t now);
static void ngx_sluice_tel_track_tick(ngx_sluice_event_t *ev,
    ngx_sluice_tel_track_t *tt, ngx_uint_t slot, ngx_msec_t interval,
    uint64_t now);
static void ngx_sluice_tel_beat(ngx_sluice_event_t *ev,
    ngx_sluice_tel_track_t *tt, ngx_uint_t slot, uint64_t end);
static void ngx_sluice_tel_track_event(ngx_sluice_tel_event_t *e,
    ngx_sluice_tel_track_t *tt, ngx_uint_t slot);
static void ngx_sluice_tel_address(ngx_sluice_tel_event_t *e,
    struct sockaddr *sa);
static ngx_sluice_tel_event_t *ngx_sluice_tel_first_after(
    ngx_sluice_tel_ring_t *ring, uint64_t seq);
static void ngx_sluice_tel_sync(ngx_sluice_shctx_t *sh,
    ngx_sluice_event_t *ev, ngx_sluice_tel_t *tel, ngx_sluice_tel_frag_t *f);
static ngx_uint_t ngx_sluice_tel_fed(ngx_sluice_event_t *ev,
    ngx_sluice_tel_t *tel, ngx_uint_t slot);
static void ngx_sluice_tel_presentation(ngx_sluice_shctx_t *sh,
    ngx_sluice_event_t *ev, ngx_sluice_tel_t *tel);
static void ngx_sluice_tel_keyframes(ngx_sluice_shctx_t *sh,
    ngx_sluice_event_t *ev, ngx_sluice_tel_t *tel, ngx_sluice_tel_frag_t *f);


ngx_sluice_tel_t *
ngx_sluice_tel_get(ngx_sluice_shctx_t *sh, ngx_sluice_event_t *ev)
{
    ngx_sluice_tel_t  *tel;

    if (ev->tel) {
        return ev->tel;
    }

    tel = ngx_slab_calloc_locked(sh->shpool, sizeof(ngx_sluice_tel_t)
                                 + NGX_SLUICE_TEL_NEVENTS
                                   * sizeof(ngx_sluice_tel_event_t));
    if (tel == NULL) {
        return NULL;
    }

    tel->events.cap = NGX_SLUICE_TEL_NEVENTS;
    tel->events.ev = (ngx_sluice_tel_event_t *) &tel[1];
    tel->generation = ev->generation;

    ev->tel = tel;

    return tel;
}


void
ngx_sluice_tel_free(ngx_slab_pool_t *shpool, ngx_sluice_event_t *ev)
{
    if (ev->tel) {
        ngx_slab_free_locked(shpool, ev->tel);
        ev->tel = NULL;
    }
}


ngx_sluice_tel_event_t *
ngx_sluice_tel_event(ngx_sluice_shctx_t *sh, ngx_sluice_event_t *ev,
    ngx_uint_t type, ngx_uint_t level)
{
    ngx_sluice_tel_t       *tel;
    ngx_sluice_tel_ring_t  *ring;

    if (ev) {
        tel = ngx_sluice_tel_get(sh, ev);
        ring = tel ? &tel->events : NULL;

    } else {
        ring = ngx_sluice_tel_orphans(sh);
    }

    if (ring == NULL) {
        return NULL;
    }

    return ngx_sluice_tel_push(sh, ring, type, level);
}


static ngx_sluice_tel_event_t *
ngx_sluice_tel_push(ngx_sluice_shctx_t *sh, ngx_sluice_tel_ring_t *ring,
    ngx_uint_t type, ngx_uint_t level)
{
    ngx_sluice_tel_event_t  *e;

    if (ring->n == ring->cap) {
        e = &ring->ev[ring->head];
        ring->head = (ring->head + 1) % ring->cap;

    } else {
        e = &ring->ev[(ring->head + ring->n) % ring->cap];
        ring->n++;
    }

    ngx_memzero(e, sizeof(ngx_sluice_tel_event_t));

    e->seq = ++sh->tel_seq;
    e->time_ms = ngx_sluice_now_ms();
    e->type = (uint8_t) type;
    e->level = (uint8_t) level;
    e->slot = NGX_SLUICE_TEL_NO_TRACK;

    return e;
}


/* the zone's ring of refusals whose token names no live event */

static ngx_sluice_tel_ring_t *
ngx_sluice_tel_orphans(ngx_sluice_shctx_t *sh)
{
    ngx_sluice_tel_ring_t  *ring;

    if (sh->tel_orphans) {
        return sh->tel_orphans;
    }

    ring = ngx_slab_calloc_locked(sh->shpool, sizeof(ngx_sluice_tel_ring_t)
                                  + NGX_SLUICE_TEL_NORPHANS
                                    * sizeof(ngx_sluice_tel_event_t));
    if (ring == NULL) {
        return NULL;
    }

    ring->cap = NGX_SLUICE_TEL_NORPHANS;
    ring->ev = (ngx_sluice_tel_event_t *) &ring[1];

    sh->tel_orphans = ring;

    return ring;
}


void
ngx_sluice_tel_connect(ngx_sluice_shctx_t *sh, ngx_sluice_event_t *ev,
    u_char *stream, struct sockaddr *sa, const char *code,
    const char *message)
{
    uint64_t                 now;
    ngx_sluice_tel_t        *tel;
    ngx_sluice_tel_break_t  *br;
    ngx_sluice_tel_event_t  *e;

    e = ngx_sluice_tel_event(sh, ev,
                             code ? NGX_SLUICE_SE_INVALID_CONNECTION
                                  : NGX_SLUICE_SE_BEGIN_INGEST,
                             code ? NGX_SLUICE_SE_ERROR
                                  : NGX_SLUICE_SE_INFORMATION);
    if (e == NULL) {
        return;
    }

    ngx_cpystrn(e->stream, stream, sizeof(e->stream));
    ngx_cpystrn(e->code, (u_char *) (code ? code : "S_OK"), sizeof(e->code));

    if (message) {
        ngx_cpystrn(e->msg, (u_char *) message, sizeof(e->msg));
    }

    ngx_sluice_tel_address(e, sa);

    if (code || ev == NULL) {
        return;
    }

    /* the ingestion of getStatus: begins, or an interruption ends */

    tel = ev->tel;
    now = e->time_ms;

    if (tel->generation != ev->generation || tel->begin_ms == 0) {
        ngx_memzero(&tel->presentation, sizeof(sluice_sync_episode_t));
        ngx_memzero(&tel->keyframes, sizeof(sluice_sync_episode_t));

        tel->generation = ev->generation;
        tel->begin_ms = now;
        tel->end_ms = 0;
        tel->end_reason[0] = '\0';
        tel->nbreaks = 0;
        ngx_cpystrn(tel->stream, stream, sizeof(tel->stream));
        return;
    }

    if (tel->end_ms && tel->nbreaks) {
        br = &tel->breaks[(tel->nbreaks - 1) % NGX_SLUICE_TEL_NBREAKS];

        if (br->end_ms == 0) {
            br->end_ms = now;
        }
    }

    if (tel->end_ms) {
        /* after an interruption, out of sync again is a new episode */
        ngx_memzero(&tel->presentation, sizeof(sluice_sync_episode_t));
        ngx_memzero(&tel->keyframes, sizeof(sluice_sync_episode_t));
    }

    tel->end_ms = 0;
    tel->end_reason[0] = '\0';
}


void
ngx_sluice_tel_disconnect(ngx_sluice_shctx_t *sh, ngx_sluice_event_t *ev,
    u_char *stream, const char *code, ngx_uint_t others, uint64_t bytes)
{
    u_char                  *p;
    ngx_sluice_tel_t        *tel;
    ngx_sluice_tel_break_t  *br;
    ngx_sluice_tel_event_t  *e;

    e = ngx_sluice_tel_event(sh, ev, NGX_SLUICE_SE_END_INGEST,
                             NGX_SLUICE_SE_INFORMATION);
    if (e == NULL) {
        return;
    }

    ngx_cpystrn(e->stream, stream, sizeof(e->stream));
    ngx_cpystrn(e->code, (u_char *) code, sizeof(e->code));

    p = ngx_snprintf(e->msg, sizeof(e->msg) - 1,
                     "{connections=%ui, receivedBytes=%uL}", others, bytes);
    *p = '\0';

    tel = ev->tel;

    if (others || tel->generation != ev->generation || tel->begin_ms == 0) {
        return;
    }

    tel->end_ms = e->time_ms;
    ngx_cpystrn(tel->end_reason, (u_char *) code, sizeof(tel->end_reason));

    br = &tel->breaks[tel->nbreaks++ % NGX_SLUICE_TEL_NBREAKS];
    br->begin_ms = e->time_ms;
    br->end_ms = 0;
    ngx_cpystrn(br->reason, (u_char *) code, sizeof(br->reason));
}


void
ngx_sluice_tel_state(ngx_sluice_shctx_t *sh, ngx_sluice_event_t *ev,
    ngx_uint_t prev)
{
    ngx_sluice_tel_event_t  *e;

    if (prev == ev->state) {
        return;
    }

    e = ngx_sluice_tel_event(sh, ev, NGX_SLUICE_SE_STATE,
                             NGX_SLUICE_SE_INFORMATION);
    if (e == NULL) {
        return;
    }

    e->state = (uint8_t) ev->state;
    e->prev_state = (uint8_t) prev;
}


void
ngx_sluice_tel_fragment(ngx_sluice_shctx_t *sh, ngx_sluice_event_t *ev,
    ngx_sluice_tel_frag_t *f, ngx_msec_t interval)
{
    int64_t                  media_ms;
    uint64_t                 now, end;
    ngx_sluice_tel_t        *tel;
    ngx_sluice_track_t      *tr;
    ngx_sluice_tel_track_t  *tt;
    ngx_sluice_tel_event_t  *e;

    if (f->slot >= NGX_SLUICE_MAX_TRACKS) {
        return;
    }

    tel = ngx_sluice_tel_get(sh, ev);
    if (tel == NULL) {
        return;
    }

    now = ngx_sluice_now_ms();
    tr = &ev->tracks[f->slot];
    tt = &tel->tracks[f->slot];

    if (!tt->used || tt->generation != ev->generation) {
        ngx_sluice_tel_track_reset(ev, tt, now);
    }

    /* what the track is now (a new configuration may change it) */

    tt->media = (uint8_t) tr->info.media_type;
    tt->bitrate = tr->info.bitrate;
    tt->timescale = tr->info.timescale ? tr->info.timescale : 1000;
    tt->width = (uint16_t) tr->info.width;
    tt->height = (uint16_t) tr->info.height;

    /* the windows that ended before this fragment came */

    ngx_sluice_tel_track_tick(ev, tt, f->slot, interval, now);

    if (f->flags & NGX_SLUICE_TEL_FRAG_BACKWARD) {
        tt->nonincreasing++;
        tt->win_nonincreasing++;
    }

    if (f->flags & (NGX_SLUICE_TEL_FRAG_OVERLAP|NGX_SLUICE_TEL_FRAG_DROPPED)) {

        if (f->flags & NGX_SLUICE_TEL_FRAG_OVERLAP) {
            tt->overlaps++;
            tt->win_overlaps++;

        } else {
            tt->dropped++;
        }

        e = ngx_sluice_tel_event(sh, ev, NGX_SLUICE_SE_CHUNK_DROPPED,
                                 NGX_SLUICE_SE_WARNING);
        if (e) {
            ngx_sluice_tel_track_event(e, tt, f->slot);
            e->ts = f->time;
            e->duration = (uint32_t) f->duration;
            ngx_cpystrn(e->code,
                        (u_char *) ((f->flags & NGX_SLUICE_TEL_FRAG_OVERLAP)
                                    ? "FragmentDrop_OverlapTimestamp"
                                    : f->drop_reason),
                        sizeof(e->code));
            ngx_cpystrn(e->stream, tr->stream, sizeof(e->stream));
        }

        return;
    }

    if (f->flags & NGX_SLUICE_TEL_FRAG_FIRST) {
        e = ngx_sluice_tel_event(sh, ev, NGX_SLUICE_SE_FIRST_CHUNK,
                                 NGX_SLUICE_SE_INFORMATION);
        if (e) {
            ngx_sluice_tel_track_event(e, tt, f->slot);
            e->ts = f->time;
            e->duration = (uint32_t) f->duration;
            ngx_cpystrn(e->code, (u_char *) "S_OK", sizeof(e->code));
            ngx_cpystrn(e->stream, tr->stream, sizeof(e->stream));
        }
    }

    if ((f->flags & NGX_SLUICE_TEL_FRAG_DISC) && tt->fragments) {
        tt->discontinuities++;
        tt->win_discontinuities++;

        e = ngx_sluice_tel_event(sh, ev, NGX_SLUICE_SE_DISCONTINUITY,
                                 NGX_SLUICE_SE_WARNING);
        if (e) {
            ngx_sluice_tel_track_event(e, tt, f->slot);
            e->ts = f->time;
            e->prev_ts = tt->last_ts;
            e->prev_duration = tt->last_duration;
            e->duration = (uint32_t) f->duration;
            e->gap = (int64_t) f->time
                     - (int64_t) (tt->last_ts + tt->last_duration);
            ngx_cpystrn(e->code, (u_char *) "MPE_INGEST_DISCONTINUITY",
                        sizeof(e->code));
            ngx_cpystrn(e->stream, tr->stream, sizeof(e->stream));
        }
    }

    tt->fragments++;
    tt->bytes += f->bytes;
    tt->win_bytes += f->bytes;
    tt->win_media += f->duration;
    tt->last_ts = f->time;
    tt->last_duration = (uint32_t) f->duration;
    tt->arrival_ms = now;

    ngx_sluice_tel_sync(sh, ev, tel, f);

    /*
     * drift: the wall time since the connection's first fragment (or the
     * last discontinuity) less the media time received since then
     */

    end = f->time + f->duration;

    if ((f->flags & (NGX_SLUICE_TEL_FRAG_FIRST|NGX_SLUICE_TEL_FRAG_DISC))
        || !tt->lagging)
    {
        tt->first_ms = now;
        tt->first_ts = end;
        tt->lag_ms = 0;
        tt->win_lag_ms = 0;
        tt->lagging = 1;
        return;
    }

    media_ms = (int64_t) ((end - tt->first_ts) * 1000 / tt->timescale);
    tt->lag_ms = (int64_t) (now - tt->first_ms) - media_ms;
}


/* --- out of sync ------------------------------------------------------- */

/*
 * The checks of a fragment taken (media/sluice_sync.h): the ends of what
 * the tracks fed now received, and for video the keyframes of the other
 * video tracks
 */

static void
ngx_sluice_tel_sync(ngx_sluice_shctx_t *sh, ngx_sluice_event_t *ev,
    ngx_sluice_tel_t *tel, ngx_sluice_tel_frag_t *f)
{
    ngx_sluice_tel_track_t  *tt;

    tt = &tel->tracks[f->slot];
    tt->received = ngx_max(f->time + f->duration, f->received);

    ngx_sluice_tel_presentation(sh, ev, tel);

    if (tt->media == SLUICE_MEDIA_VIDEO) {
        ngx_sluice_tel_keyframes(sh, ev, tel, f);
    }
}


/* a track of the current timeline a publisher feeds, with a fragment */

static ngx_uint_t
ngx_sluice_tel_fed(ngx_sluice_event_t *ev, ngx_sluice_tel_t *tel,
    ngx_uint_t slot)
{
    ngx_sluice_tel_track_t  *tt;

    tt = &tel->tracks[slot];

    return tt->used && tt->generation == ev->generation && tt->fragments
           && ev->tracks[slot].state == NGX_SLUICE_TRACK_ACTIVE;
}


/*
 * UnalignedPresentation: the earliest and the latest end of what the
 * tracks received, further apart than SLUICE_SYNC_PRESENTATION_MS
 */

static void
ngx_sluice_tel_presentation(ngx_sluice_shctx_t *sh, ngx_sluice_event_t *ev,
    ngx_sluice_tel_t *tel)
{
    size_t                   n, lo, hi;
    uint64_t                 spread;
    ngx_uint_t               i, slots[NGX_SLUICE_MAX_TRACKS];
    sluice_sync_end_t        ends[NGX_SLUICE_MAX_TRACKS];
    ngx_sluice_tel_event_t  *e;

    n = 0;

    for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
        if (ngx_sluice_tel_fed(ev, tel, i)) {
            ends[n].end = tel->tracks[i].received;
            ends[n].timescale = tel->tracks[i].timescale;
            slots[n++] = i;
        }
    }

    if (n < 2) {
        return;
    }

    spread = sluice_sync_spread(ends, n, &lo, &hi);

    if (!sluice_sync_presentation(&tel->presentation, spread,
                                  SLUICE_SYNC_PRESENTATION_MS))
    {
        return;
    }

    e = ngx_sluice_tel_event(sh, ev, NGX_SLUICE_SE_UNALIGNED_PRESENTATION,
                             NGX_SLUICE_SE_WARNING);
    if (e == NULL) {
        return;
    }

    /* the earliest as the event's own, the latest as the other */

    e->ts = ends[lo].end;
    e->timescale = ends[lo].timescale;
    e->media = tel->tracks[slots[lo]].media;
    e->other_ts = ends[hi].end;
    e->other_timescale = ends[hi].timescale;
    e->other_media = tel->tracks[slots[hi]].media;
    e->other_slot = (uint8_t) slots[hi];
}


/*
 * UnalignedKeyFrames: the new fragment f of a video track against the
 * newest fragments of the other video tracks fed now.  An episode ends
 * once every video track delivered two fragments in a row that compared
 * aligned (no verdict for a fragment nothing overlapped yet).
 */

static void
ngx_sluice_tel_keyframes(ngx_sluice_shctx_t *sh, ngx_sluice_event_t *ev,
    ngx_sluice_tel_t *tel, ngx_sluice_tel_frag_t *f)
{
    int64_t                  start;
    ngx_uint_t               i, j, nvideo, aligned, bad_slot;
    sluice_sync_frag_t       x, *y, *bad;
    ngx_sluice_tel_track_t  *tt, *ot;
    ngx_sluice_tel_event_t  *e;

    tt = &tel->tracks[f->slot];

    start = (int64_t) f->time + f->pts_offset;

    x.time = f->time;
    x.start = start > 0 ? (uint64_t) start : 0;
    x.duration = (uint32_t) f->duration;
    x.flags = (f->flags & (NGX_SLUICE_TEL_FRAG_FIRST|NGX_SLUICE_TEL_FRAG_DISC))
              ? SLUICE_SYNC_EDGE : 0;

    nvideo = 1;
    aligned = 0;
    bad = NULL;
    bad_slot = 0;

    for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
        ot = &tel->tracks[i];

        if (i == f->slot || ot->media != SLUICE_MEDIA_VIDEO
            || !ngx_sluice_tel_fed(ev, tel, i))
        {
            continue;
        }

        nvideo++;

        for (j = 0; j < ot->nsync; j++) {
            y = &ot->sync[(ot->shead + j) % NGX_SLUICE_TEL_NSYNC];

            switch (sluice_sync_keyframes(&x, tt->timescale, y,
                                          ot->timescale,
                                          SLUICE_SYNC_KEYFRAME_US))
            {
            case SLUICE_SYNC_ALIGNED:
                aligned++;
                break;

            case SLUICE_SYNC_UNALIGNED:
                if (bad == NULL) {
                    bad = y;
                    bad_slot = i;
                }

                break;

            default:
                break;
            }
        }
    }

    /* the track's own ring */

    if (tt->nsync == NGX_SLUICE_TEL_NSYNC) {
        tt->sync[tt->shead] = x;
        tt->shead = (tt->shead + 1) % NGX_SLUICE_TEL_NSYNC;

    } else {
        tt->sync[(tt->shead + tt->nsync++) % NGX_SLUICE_TEL_NSYNC] = x;
    }

    if (!sluice_sync_episode(&tel->keyframes, bad != NULL,
                             bad == NULL && aligned, 2 * nvideo))
    {
        return;
    }

    e = ngx_sluice_tel_event(sh, ev, NGX_SLUICE_SE_UNALIGNED_KEYFRAMES,
                             NGX_SLUICE_SE_WARNING);
    if (e == NULL) {
        return;
    }

    /* both fragments in this track's timescale */

    ot = &tel->tracks[bad_slot];

    ngx_sluice_tel_track_event(e, tt, f->slot);
    e->ts = x.time;
    e->duration = x.duration;
    e->other_ts = sluice_rescale(bad->time, ot->timescale, tt->timescale);
    e->other_duration = (uint32_t) sluice_rescale(bad->duration,
                                                  ot->timescale,
                                                  tt->timescale);
    e->other_timescale = tt->timescale;
    e->other_media = SLUICE_MEDIA_VIDEO;
    e->other_slot = (uint8_t) bad_slot;
    ngx_cpystrn(e->stream, ev->tracks[f->slot].stream, sizeof(e->stream));
}


static void
ngx_sluice_tel_track_reset(ngx_sluice_event_t *ev, ngx_sluice_tel_track_t *tt,
    uint64_t now)
{
    ngx_memzero(tt, sizeof(ngx_sluice_tel_track_t));

    tt->used = 1;
    tt->generation = ev->generation;
    tt->win_ms = now;
    tt->drift = NGX_SLUICE_TEL_DRIFT_NA;
}


void
ngx_sluice_tel_tick(ngx_sluice_event_t *ev, ngx_msec_t interval)
{
    uint64_t                 now;
    ngx_uint_t               i;
    ngx_sluice_tel_track_t  *tt;

    if (ev->tel == NULL) {
        return;
    }

    now = ngx_sluice_now_ms();

    for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
        tt = &ev->tel->tracks[i];

        if (tt->used && tt->generation == ev->generation
            && ev->tracks[i].state == NGX_SLUICE_TRACK_ACTIVE)
        {
            ngx_sluice_tel_track_tick(ev, tt, i, interval, now);
        }
    }
}


void
ngx_sluice_tel_track_end(ngx_sluice_event_t *ev, ngx_uint_t slot,
    ngx_msec_t interval)
{
    uint64_t                 now;
    ngx_sluice_tel_track_t  *tt;

    if (ev->tel == NULL || slot >= NGX_SLUICE_MAX_TRACKS) {
        return;
    }

    tt = &ev->tel->tracks[slot];

    if (!tt->used || tt->generation != ev->generation) {
        return;
    }

    now = ngx_sluice_now_ms();

    ngx_sluice_tel_track_tick(ev, tt, slot, interval, now);

    if (now > tt->win_ms) {
        ngx_sluice_tel_beat(ev, tt, slot, now);
    }
}


/* closes the windows of a track that ended by now, the last ring's worth */

static void
ngx_sluice_tel_track_tick(ngx_sluice_event_t *ev, ngx_sluice_tel_track_t *tt,
    ngx_uint_t slot, ngx_msec_t interval, uint64_t now)
{
    uint64_t  due;

    if (interval == 0) {
        interval = NGX_SLUICE_TEL_HEARTBEAT_MS;
    }

    if (now < tt->win_ms + interval) {
        return;
    }

    due = (now - tt->win_ms) / interval;

    if (due > NGX_SLUICE_TEL_NBEATS) {
        /* windows that would fall out of the ring at once: empty ones */
        ngx_sluice_tel_beat(ev, tt, slot, tt->win_ms + interval);
        due--;

        tt->win_ms += (due - NGX_SLUICE_TEL_NBEATS + 1) * interval;
        due = NGX_SLUICE_TEL_NBEATS - 1;
    }

    while (due--) {
        ngx_sluice_tel_beat(ev, tt, slot, tt->win_ms + interval);
    }
}


/* the heartbeat of the window ending at "end", and a new window */

static void
ngx_sluice_tel_beat(ngx_sluice_event_t *ev, ngx_sluice_tel_track_t *tt,
    ngx_uint_t slot, uint64_t end)
{
    int64_t                 d;
    uint64_t                incoming, len;
    ngx_sluice_tel_beat_t  *b;

    if (tt->nbeats == NGX_SLUICE_TEL_NBEATS) {
        b = &tt->beats[tt->bhead];
        tt->bhead = (tt->bhead + 1) % NGX_SLUICE_TEL_NBEATS;

    } else {
        b = &tt->beats[(tt->bhead + tt->nbeats) % NGX_SLUICE_TEL_NBEATS];
        tt->nbeats++;
    }

    incoming = 0;

    if (tt->win_media && tt->timescale) {
        incoming = tt->win_bytes * 8 * tt->timescale / tt->win_media;
    }

    len = end - tt->win_ms;

    if (tt->win_media == 0 || !tt->lagging || len == 0) {
        tt->drift = NGX_SLUICE_TEL_DRIFT_NA;

    } else {
        /* seconds of delay per minute, what is ahead counts as none */
        d = (tt->lag_ms - tt->win_lag_ms) * 60 / (int64_t) len;
        tt->drift = (int32_t) ngx_max(d, 0);
    }

    tt->incoming = (uint32_t) ngx_min(incoming, 0xffffffff);

    b->time_ms = end;
    b->last_ts = tt->last_ts;
    b->arrival_ms = tt->arrival_ms;
    b->bitrate = tt->bitrate;
    b->incoming = tt->incoming;
    b->timescale = tt->timescale;
    b->overlaps = tt->win_overlaps;
    b->discontinuities = tt->win_discontinuities;
    b->nonincreasing = tt->win_nonincreasing;
    b->drift = tt->drift;
    b->media = tt->media;
    b->state = (uint8_t) ev->state;

    /* AMS: incoming at least twice or at most half the expected, or 0 */
    b->unexpected = (tt->bitrate
                     && (incoming == 0 || incoming >= 2 * (uint64_t) tt->bitrate
                         || incoming * 2 <= tt->bitrate));

    b->healthy = (ev->state == NGX_SLUICE_RUNNING
                  && ev->tracks[slot].state == NGX_SLUICE_TRACK_ACTIVE
                  && ev->tracks[slot].unhealthy == 0
                  && incoming && !b->unexpected
                  && tt->win_overlaps == 0
                  && tt->win_discontinuities == 0);

    tt->win_ms = end;
    tt->win_bytes = 0;
    tt->win_media = 0;
    tt->win_overlaps = 0;
    tt->win_discontinuities = 0;
    tt->win_nonincreasing = 0;
    tt->win_lag_ms = tt->lag_ms;
}


uint32_t
ngx_sluice_tel_incoming(ngx_sluice_tel_track_t *tt)
{
    uint64_t  rate;

    /* the window in progress once it holds 4 s of media, else the last */

    if (tt->win_media == 0 || tt->win_media < 4 * (uint64_t) tt->timescale) {
        if (tt->nbeats || tt->win_media == 0) {
            return tt->incoming;
        }
    }

    rate = tt->win_bytes * 8 * tt->timescale / tt->win_media;

    return (uint32_t) ngx_min(rate, 0xffffffff);
}


static void
ngx_sluice_tel_track_event(ngx_sluice_tel_event_t *e,
    ngx_sluice_tel_track_t *tt, ngx_uint_t slot)
{
    e->slot = (uint8_t) slot;
    e->media = tt->media;
    e->bitrate = tt->bitrate;
    e->timescale = tt->timescale;
    e->width = tt->width;
    e->height = tt->height;
}


/* remoteIp truncated as AMS does ("131.107.8.xxx"), remotePort */

static void
ngx_sluice_tel_address(ngx_sluice_tel_event_t *e, struct sockaddr *sa)
{
    u_char      *p, *last;
    size_t       len;
    socklen_t    socklen;
    const char  *mask;

    if (sa == NULL) {
        return;
    }

    switch (sa->sa_family) {

    case AF_INET:
        socklen = sizeof(struct sockaddr_in);
        mask = "xxx";
        break;

#if (NGX_HAVE_INET6)
    case AF_INET6:
        socklen = sizeof(struct sockaddr_in6);
        mask = "xxxx";
        break;
#endif

    default:
        return;
    }

    len = ngx_sock_ntop(sa, socklen, e->ip, NGX_SLUICE_TEL_IP_LEN - 4, 0);
    e->port = (uint16_t) ngx_inet_get_port(sa);

    last = NULL;

    for (p = e->ip; p < e->ip + len; p++) {
        if (*p == '.' || *p == ':') {
            last = p;
        }
    }

    if (last == NULL) {
        e->ip[len] = '\0';
        return;
    }

    p = ngx_cpymem(last + 1, mask, ngx_strlen(mask));
    *p = '\0';
}


/* --- the cursor ---------------------------------------------------------- */

ngx_uint_t
ngx_sluice_tel_read(ngx_sluice_shctx_t *sh, uint64_t *cursor,
    ngx_sluice_tel_record_t *out, ngx_uint_t n, uint64_t *lost)
{
    ngx_uint_t               copied;
    ngx_queue_t             *q;
    ngx_sluice_event_t      *ev, *best_ev;
    ngx_sluice_tel_event_t  *e, *best;

    *lost = 0;

    if (*cursor > sh->tel_seq) {
        *cursor = 0;
    }

    for (copied = 0; copied < n; copied++) {
        best = NULL;
        best_ev = NULL;

        if (sh->tel_orphans) {
            best = ngx_sluice_tel_first_after(sh->tel_orphans, *cursor);
        }

        for (q = ngx_queue_head(&sh->events);
             q != ngx_queue_sentinel(&sh->events);
             q = ngx_queue_next(q))
        {
            ev = ngx_queue_data(q, ngx_sluice_event_t, queue);

            if (ev->tel == NULL) {
                continue;
            }

            e = ngx_sluice_tel_first_after(&ev->tel->events, *cursor);

            if (e && (best == NULL || e->seq < best->seq)) {
                best = e;
                best_ev = ev;
            }
        }

        if (best == NULL) {
            break;
        }

        *lost += best->seq - *cursor - 1;
        *cursor = best->seq;

        out[copied].e = *best;

        if (best_ev) {
            ngx_cpystrn(out[copied].event, best_ev->name,
                        sizeof(out[copied].event));

        } else {
            out[copied].event[0] = '\0';
        }
    }

    return copied;
}


/* the oldest event of a ring with a number above seq (rings are ordered) */

static ngx_sluice_tel_event_t *
ngx_sluice_tel_first_after(ngx_sluice_tel_ring_t *ring, uint64_t seq)
{
    ngx_uint_t               lo, hi, mid;
    ngx_sluice_tel_event_t  *e;

    lo = 0;
    hi = ring->n;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        e = &ring->ev[(ring->head + mid) % ring->cap];

        if (e->seq <= seq) {
            lo = mid + 1;

        } else {
            hi = mid;
        }
    }

    return lo < ring->n ? &ring->ev[(ring->head + lo) % ring->cap] : NULL;
}
