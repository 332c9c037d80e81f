
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The fragment index in shared memory: tracks of a live event and their
 * rings of fragment entries.  Written by the ingest worker owning a
 * track, read by every worker through ngx_sluice_snapshot().  Every
 * function here runs with shpool->mutex held by the caller.
 *
 * Ring of one track (capacity entries, slab memory):
 *
 *   frags[head], frags[(head + 1) % capacity], ...  nfrags entries,
 *   oldest first; "appended" counts entries ever appended.
 *
 * An append writes the new entry into the free cell first and only then
 * bumps nfrags; an eviction shortens the ring before moving head.  A
 * worker dying in the middle leaves a consistent ring (at worst one
 * entry short), so these writes do not use sh->dirty.
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "core/ngx_sluice_index.h"
#include "core/ngx_sluice_cue.h"
#include "core/ngx_sluice_ll.h"
#include "core/ngx_sluice_zone.h"


static ngx_int_t ngx_sluice_bitrate_used(ngx_sluice_event_t *ev,
    ngx_uint_t self, uint32_t media_type, uint32_t bitrate);
static uint32_t ngx_sluice_track_number(ngx_sluice_event_t *ev,
    ngx_uint_t self, ngx_sluice_frag_t *frag);
static ngx_int_t ngx_sluice_track_find_ms(ngx_sluice_track_t *tr,
    uint64_t ms, uint64_t tolerance, uint32_t *seq);
static ngx_uint_t ngx_sluice_publisher_alive(ngx_sluice_publisher_t *p);
static ngx_int_t ngx_sluice_snapshot_parts(ngx_pool_t *pool,
    ngx_sluice_event_t *ev, ngx_sluice_track_t *tr,
    ngx_sluice_track_snap_t *ts);


ngx_int_t
ngx_sluice_track_open(ngx_slab_pool_t *shpool, ngx_sluice_event_t *ev,
    u_char *stream, size_t len, sluice_track_info_t *info,
    ngx_uint_t capacity)
{
    ngx_uint_t           i, slot;
    ngx_sluice_track_t  *tr;

    if (len > NGX_SLUICE_STREAM_LEN || capacity == 0) {
        return NGX_ERROR;
    }

    slot = NGX_SLUICE_MAX_TRACKS;

    for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
        tr = &ev->tracks[i];

        if (tr->state == NGX_SLUICE_TRACK_FREE) {
            if (slot == NGX_SLUICE_MAX_TRACKS) {
                slot = i;
            }

            continue;
        }

        if (tr->info.media_type == info->media_type
            && ngx_strlen(tr->stream) == len
            && ngx_strncmp(tr->stream, stream, len) == 0)
        {
            /* a reconnect of the same stream */

            tr->state = NGX_SLUICE_TRACK_ACTIVE;
            tr->owner = ngx_pid;
            tr->index = i;

            return i;
        }
    }

    if (slot == NGX_SLUICE_MAX_TRACKS) {
        return NGX_DECLINED;
    }

    tr = &ev->tracks[slot];

    if (tr->frags == NULL || tr->capacity != capacity) {
        if (tr->frags) {
            ngx_slab_free_locked(shpool, tr->frags);
            tr->frags = NULL;
        }

        tr->frags = ngx_slab_alloc_locked(shpool,
                                          capacity * sizeof(ngx_sluice_frag_t));
        if (tr->frags == NULL) {
            tr->capacity = 0;
            return NGX_ERROR;
        }

        tr->capacity = capacity;
    }

    tr->head = 0;
    tr->nfrags = 0;
    tr->appended = 0;
    tr->evicted_discs = 0;
    tr->updated = ngx_current_msec;
    tr->init_version = 0;
    tr->owner = ngx_pid;
    tr->index = slot;
    tr->claimed = 0;
    tr->claim_pid = 0;
    tr->claim_id = 0;

    ngx_memcpy(tr->stream, stream, len);
    tr->stream[len] = '\0';

    tr->info = *info;

    while (ngx_sluice_bitrate_used(ev, slot, info->media_type,
                                   tr->info.bitrate))
    {
        tr->info.bitrate += 1000;
    }

    /* last: the slot becomes visible to readers */
    tr->state = NGX_SLUICE_TRACK_ACTIVE;

    return slot;
}


static ngx_int_t
ngx_sluice_bitrate_used(ngx_sluice_event_t *ev, ngx_uint_t self,
    uint32_t media_type, uint32_t bitrate)
{
    ngx_uint_t           i;
    ngx_sluice_track_t  *tr;

    for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
        tr = &ev->tracks[i];

        if (i == self || tr->state == NGX_SLUICE_TRACK_FREE) {
            continue;
        }

        if (tr->info.media_type == media_type && tr->info.bitrate == bitrate) {
            return 1;
        }
    }

    return 0;
}


void
ngx_sluice_track_close(ngx_sluice_event_t *ev, ngx_uint_t index)
{
    ngx_sluice_track_t  *tr;

    if (index >= NGX_SLUICE_MAX_TRACKS) {
        return;
    }

    tr = &ev->tracks[index];

    /*
     * any worker may close it (the API on stop); a session of an older
     * generation never gets here, it no longer finds the event
     */

    if (tr->state == NGX_SLUICE_TRACK_ACTIVE) {
        tr->state = NGX_SLUICE_TRACK_IDLE;
    }
}


ngx_int_t
ngx_sluice_track_append(ngx_sluice_shctx_t *sh, ngx_sluice_event_t *ev,
    ngx_uint_t index, ngx_sluice_frag_t *frag, sluice_track_info_t *info,
    ngx_sluice_frag_t *evicted)
{
    uint32_t             bitrate, captions;
    uint64_t             half;
    ngx_int_t            rc;
    ngx_sluice_frag_t   *last;
    ngx_sluice_track_t  *tr;

    if (index >= NGX_SLUICE_MAX_TRACKS) {
        return NGX_ERROR;
    }

    tr = &ev->tracks[index];

    if (tr->state == NGX_SLUICE_TRACK_FREE || tr->capacity == 0) {
        return NGX_ERROR;
    }

    /*
     * Entries stay in time order: with redundant ingest a fragment taken
     * by one connection whose write took longer than the other
     * connection needed to deliver the next one comes too late
     */

    if (tr->nfrags && tr->info.timescale) {
        last = &tr->frags[(tr->head + tr->nfrags - 1) % tr->capacity];
        half = (uint64_t) (ev->fragment_ms ? ev->fragment_ms : 2000)
               * tr->info.timescale / 2000;

        if (frag->time + half < last->time + last->duration) {
            return NGX_DECLINED;
        }
    }

    /*
     * No sh->dirty here (that is the API's protocol, which repairs the
     * queues): every step below leaves a valid ring, at worst one entry
     * short, if this worker dies in the middle.
     */

    rc = NGX_OK;

    if (tr->nfrags == tr->capacity) {
        *evicted = tr->frags[tr->head];

        if (evicted->flags & NGX_SLUICE_FRAG_DISCONTINUITY) {
            tr->evicted_discs++;
        }

        tr->nfrags--;
        tr->head = (tr->head + 1) % tr->capacity;
        rc = NGX_DONE;
    }

    if (info) {
        bitrate = tr->info.bitrate;
        captions = tr->info.captions;
        tr->info = *info;
        tr->info.bitrate = bitrate;
        tr->info.captions |= captions;  /* its window may still have them */
        tr->init_version = frag->init;
    }

    frag->seq = ngx_sluice_track_number(ev, index, frag);

    tr->frags[(tr->head + tr->nfrags) % tr->capacity] = *frag;
    tr->nfrags++;
    tr->appended++;
    tr->updated = ngx_current_msec;

    return rc;
}


/*
 * Fragment numbers (HLS media sequence numbers) go up by one per fragment
 * of a track, whatever the keyframe interval, and agree across the tracks
 * of an event: a fragment starting where a fragment of another track
 * starts (within a quarter of the fragment duration) takes its number.
 * The first fragment of an event is numbered from its time alone,
 * round(t / fragment duration), as the ingest cut it.
 */

static uint32_t
ngx_sluice_track_number(ngx_sluice_event_t *ev, ngx_uint_t self,
    ngx_sluice_frag_t *frag)
{
    uint32_t             seq, next;
    uint64_t             ms, tolerance;
    ngx_uint_t           i, have;
    ngx_sluice_track_t  *tr;

    tr = &ev->tracks[self];

    if (tr->info.timescale == 0) {
        return frag->seq;
    }

    have = (tr->nfrags != 0);
    next = have ? tr->frags[(tr->head + tr->nfrags - 1) % tr->capacity].seq
                  + 1
                : frag->seq;

    ms = frag->time * 1000 / tr->info.timescale;
    tolerance = ev->fragment_ms / 4;

    for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {

        if (i == self || ev->tracks[i].state == NGX_SLUICE_TRACK_FREE) {
            continue;
        }

        if (ngx_sluice_track_find_ms(&ev->tracks[i], ms, tolerance, &seq)
            == NGX_OK)
        {
            return (have && seq < next) ? next : seq;
        }
    }

    return next;
}


static ngx_int_t
ngx_sluice_track_find_ms(ngx_sluice_track_t *tr, uint64_t ms,
    uint64_t tolerance, uint32_t *seq)
{
    uint64_t            t;
    ngx_uint_t          lo, hi, mid;
    ngx_sluice_frag_t  *f;

    if (tr->nfrags == 0 || tr->info.timescale == 0) {
        return NGX_DECLINED;
    }

    /* the first entry starting at or after ms - tolerance */

    lo = 0;
    hi = tr->nfrags;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        f = &tr->frags[(tr->head + mid) % tr->capacity];
        t = f->time * 1000 / tr->info.timescale;

        if (t + tolerance < ms) {
            lo = mid + 1;

        } else {
            hi = mid;
        }
    }

    if (lo == tr->nfrags) {
        return NGX_DECLINED;
    }

    f = &tr->frags[(tr->head + lo) % tr->capacity];
    t = f->time * 1000 / tr->info.timescale;

    if (t > ms + tolerance) {
        return NGX_DECLINED;
    }

    *seq = f->seq;

    return NGX_OK;
}


uint64_t
ngx_sluice_track_end_ms(ngx_sluice_track_t *tr)
{
    ngx_sluice_frag_t  *f;

    if (tr->nfrags == 0 || tr->info.timescale == 0) {
        return 0;
    }

    f = &tr->frags[(tr->head + tr->nfrags - 1) % tr->capacity];

    /* round up: the next fragment must not start before this end */
    return (f->time + f->duration) * 1000 / tr->info.timescale
           + (((f->time + f->duration) * 1000 % tr->info.timescale) ? 1 : 0);
}


void
ngx_sluice_event_free_tracks(ngx_slab_pool_t *shpool, ngx_sluice_event_t *ev)
{
    ngx_uint_t           i;
    ngx_sluice_track_t  *tr;

    /* a new timeline: its first publisher starts at offset 0 */
    ev->ts_offset = 0;
    ev->part_ms = 0;
    ev->record_end_ms = 0;

    for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
        tr = &ev->tracks[i];

        tr->state = NGX_SLUICE_TRACK_FREE;
        tr->nfrags = 0;
        tr->head = 0;
        tr->evicted_discs = 0;

        /* jobs of the old generation find no event when done */
        tr->rec_pending = 0;
        tr->rec_from = 0;
        tr->rec_done_end = 0;

        if (tr->frags) {
            ngx_slab_free_locked(shpool, tr->frags);
            tr->frags = NULL;
        }

        tr->capacity = 0;

        ngx_sluice_ll_parts_free(shpool, tr);
    }

    /* its publishers belong to the old generation: they stop by themselves */
    ngx_memzero(ev->streams, sizeof(ev->streams));

    ngx_sluice_cue_free(shpool, ev);
}


ngx_sluice_event_t *
ngx_sluice_index_event(ngx_sluice_shctx_t *sh, u_char *id,
    uint32_t generation)
{
    ngx_queue_t         *q;
    ngx_sluice_event_t  *ev;

    for (q = ngx_queue_head(&sh->events);
         q != ngx_queue_sentinel(&sh->events);
         q = ngx_queue_next(q))
    {
        ev = ngx_queue_data(q, ngx_sluice_event_t, queue);

        if (ngx_strcmp(ev->id, id) != 0) {
            continue;
        }

        /* a due API operation may stop, reset or delete it first */

        if (ngx_sluice_event_settle(sh, ev) != NGX_OK) {
            return NULL;
        }

        return ev->generation == generation ? ev : NULL;
    }

    return NULL;
}


/*
 * Low latency: the parts of the track's last fragments and of the one in
 * progress (those of a fragment that begins in the window's last
 * fragments: the ring holds a few of them)
 */

static ngx_int_t
ngx_sluice_snapshot_parts(ngx_pool_t *pool, ngx_sluice_event_t *ev,
    ngx_sluice_track_t *tr, ngx_sluice_track_snap_t *ts)
{
    ts->nparts = 0;
    ts->parts = NULL;

    if (ev->part_ms == 0 || tr->parts == NULL || tr->nparts == 0
        || ts->nfrags == 0)
    {
        return NGX_OK;
    }

    ts->parts = ngx_palloc(pool, tr->nparts * sizeof(ngx_sluice_part_t));
    if (ts->parts == NULL) {
        return NGX_ERROR;
    }

    ts->nparts = ngx_sluice_ll_parts_copy(tr, ts->frags[0].time, ts->parts,
                                          tr->nparts);

    return NGX_OK;
}


ngx_int_t
ngx_sluice_snapshot(ngx_pool_t *pool, ngx_sluice_event_t *ev,
    ngx_msec_t window_ms, ngx_sluice_snapshot_t *snap)
{
    uint64_t                  end, from, fend, oldest, ms;
    ngx_uint_t                i, j, n, first;
    ngx_sluice_frag_t        *f;
    ngx_sluice_track_t       *tr;
    ngx_sluice_track_snap_t  *ts;

    ngx_memcpy(snap->id, ev->id, sizeof(snap->id));
    ngx_memcpy(snap->name, ev->name, sizeof(snap->name));
    snap->state = ev->state;
    snap->generation = ev->generation;
    snap->fragment_ms = ev->fragment_ms;
    snap->ntracks = 0;
    snap->ncues = 0;
    snap->cues = NULL;
    snap->latency = ev->latency;
    snap->part_ms = ev->part_ms;
    snap->changes = ev->changes;

    n = 0;

    for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
        if (ev->tracks[i].state != NGX_SLUICE_TRACK_FREE
            && ev->tracks[i].nfrags)
        {
            n++;
        }
    }

    snap->tracks = NULL;

    if (n == 0) {
        return NGX_OK;
    }

    snap->tracks = ngx_pcalloc(pool, n * sizeof(ngx_sluice_track_snap_t));
    if (snap->tracks == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
        tr = &ev->tracks[i];

        if (tr->state == NGX_SLUICE_TRACK_FREE || tr->nfrags == 0) {
            continue;
        }

        ts = &snap->tracks[snap->ntracks++];

        ts->index = i;
        ts->state = tr->state;
        ngx_memcpy(ts->stream, tr->stream, sizeof(ts->stream));
        ts->info = tr->info;
        ts->init_version = tr->init_version;
        ts->appended = tr->appended;
        ts->ll_count = ngx_sluice_ll_track_count(tr);
        ts->updated = tr->updated;

        first = 0;

        if (window_ms && tr->info.timescale) {
            f = &tr->frags[(tr->head + tr->nfrags - 1) % tr->capacity];
            end = f->time + f->duration;
            from = (uint64_t) window_ms * tr->info.timescale / 1000;
            from = end > from ? end - from : 0;

            /* skip entries ending at or before the start of the window */
            while (first < tr->nfrags - 1) {
                f = &tr->frags[(tr->head + first) % tr->capacity];
                fend = f->time + f->duration;

                if (fend > from) {
                    break;
                }

                first++;
            }
        }

        ts->nfrags = tr->nfrags - first;
        ts->frags = ngx_palloc(pool, ts->nfrags * sizeof(ngx_sluice_frag_t));
        if (ts->frags == NULL) {
            return NGX_ERROR;
        }

        for (j = 0; j < ts->nfrags; j++) {
            ts->frags[j] = tr->frags[(tr->head + first + j) % tr->capacity];
        }

        if (ngx_sluice_snapshot_parts(pool, ev, tr, ts) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    /* the cues ending after the start of the window's oldest fragment */

    oldest = (uint64_t) -1;

    for (i = 0; i < snap->ntracks; i++) {
        ts = &snap->tracks[i];

        if (ts->info.timescale == 0) {
            continue;
        }

        ms = ts->frags[0].time * 1000 / ts->info.timescale;

        if (ms < oldest) {
            oldest = ms;
        }
    }

    if (ev->cues == NULL || oldest == (uint64_t) -1) {
        return NGX_OK;
    }

    return ngx_sluice_cue_snapshot(pool, ev, oldest, &snap->cues,
                                   &snap->ncues);
}


u_char *
ngx_sluice_track_dir(u_char *p, ngx_str_t *data_path, u_char *id,
    uint32_t generation, ngx_uint_t track)
{
    return ngx_sprintf(p, "%V/live/%s/%uD/%ui", data_path, id, generation,
                       track);
}


/*
 * The publishers of a stream (redundant ingest).  A publisher whose
 * worker died never removed itself: it is forgotten when met.
 */

ngx_sluice_stream_t *
ngx_sluice_stream_find(ngx_sluice_event_t *ev, u_char *stream)
{
    ngx_uint_t            i, j, n;
    ngx_sluice_stream_t  *st;

    for (i = 0; i < NGX_SLUICE_MAX_STREAMS; i++) {
        st = &ev->streams[i];

        if (st->stream[0] == '\0' || ngx_strcmp(st->stream, stream) != 0) {
            continue;
        }

        n = 0;

        for (j = 0; j < NGX_SLUICE_MAX_REDUNDANT; j++) {
            if (st->pubs[j].pid == 0) {
                continue;
            }

            if (!ngx_sluice_publisher_alive(&st->pubs[j])) {
                st->pubs[j].pid = 0;
                continue;
            }

            n++;
        }

        if (n == 0) {
            st->stream[0] = '\0';
            return NULL;
        }

        return st;
    }

    return NULL;
}


ngx_uint_t
ngx_sluice_stream_others(ngx_sluice_stream_t *st, ngx_uint_t id)
{
    ngx_uint_t  i, n;

    n = 0;

    for (i = 0; i < NGX_SLUICE_MAX_REDUNDANT; i++) {
        if (st->pubs[i].pid == 0
            || (st->pubs[i].pid == ngx_pid && st->pubs[i].id == id))
        {
            continue;
        }

        if (ngx_sluice_publisher_alive(&st->pubs[i])) {
            n++;
        }
    }

    return n;
}


ngx_sluice_stream_t *
ngx_sluice_stream_add(ngx_sluice_event_t *ev, u_char *stream, ngx_uint_t id)
{
    ngx_uint_t            i;
    ngx_sluice_stream_t  *st, *free;

    st = ngx_sluice_stream_find(ev, stream);

    if (st == NULL) {
        free = NULL;

        for (i = 0; i < NGX_SLUICE_MAX_STREAMS; i++) {
            if (ev->streams[i].stream[0] == '\0') {
                free = &ev->streams[i];
                break;
            }
        }

        if (free == NULL) {
            return NULL;
        }

        st = free;
        ngx_memzero(st, sizeof(ngx_sluice_stream_t));
        ngx_cpystrn(st->stream, stream, sizeof(st->stream));
    }

    for (i = 0; i < NGX_SLUICE_MAX_REDUNDANT; i++) {
        if (st->pubs[i].pid == 0) {
            st->pubs[i].pid = ngx_pid;
            st->pubs[i].id = id;
            return st;
        }
    }

    return NULL;
}


ngx_uint_t
ngx_sluice_stream_remove(ngx_sluice_event_t *ev, u_char *stream,
    ngx_uint_t id)
{
    ngx_uint_t            i;
    ngx_sluice_stream_t  *st;

    st = ngx_sluice_stream_find(ev, stream);
    if (st == NULL) {
        return 0;
    }

    for (i = 0; i < NGX_SLUICE_MAX_REDUNDANT; i++) {
        if (st->pubs[i].pid == ngx_pid && st->pubs[i].id == id) {
            st->pubs[i].pid = 0;
        }
    }

    if (ngx_sluice_stream_find(ev, stream) == NULL) {
        return 0;
    }

    return ngx_sluice_stream_others(st, id);
}


static ngx_uint_t
ngx_sluice_publisher_alive(ngx_sluice_publisher_t *p)
{
    return p->pid == ngx_pid || kill(p->pid, 0) == 0
           || ngx_errno == NGX_EPERM;
}
