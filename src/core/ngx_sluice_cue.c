
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Cues of a live event's timeline (ngx_sluice_cue.h; docs/architecture.md,
 * "Cues").
 *
 *   ingest (event loop)      ngx_sluice_cue_ingest(): input time ->
 *                            timeline, id made when none
 *   zone (mutex)             ngx_sluice_cue_add(): limits, the cue into
 *                            the event's list (time order, the newest
 *                            NGX_SLUICE_MAX_CUES), the assets recording
 *   writer (thread pool)     one job: the record appended to the live
 *                            store and to each asset's cues, fdatasync
 *   readers                  ngx_sluice_cue_snapshot() (mutex held),
 *                            ngx_sluice_cue_read() (an asset's file)
 *
 * The list in shared memory:
 *
 *   ngx_sluice_cue_list_t (one slab block per event)
 *       cue[0 .. n)          ngx_sluice_cue_slot_t, time order
 *           blob ---> id, section, scheme_id_uri, value, data (one slab
 *                     block per cue, NULL when all are empty)
 *
 * A change sets list->dirty first and clears it after; a list found
 * dirty (a worker died in the middle) is emptied, its blocks left
 * allocated (they may be named twice), with one log line.
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "core/ngx_sluice_cue.h"
#include "core/ngx_sluice_index.h"
#include "core/ngx_sluice_recorder.h"
#include "core/ngx_sluice_zone.h"


#define NGX_SLUICE_CUE_NSTR          5      /* strings of a cue */
#define NGX_SLUICE_CUE_READ_MAX      (64 * 1024 * 1024)
#define NGX_SLUICE_CUE_LOG_MS        10000  /* store failures: one line */

#define NGX_SLUICE_CUE_ID_MADE       0x01
#define NGX_SLUICE_CUE_HAS_ELAPSED   0x02
#define NGX_SLUICE_CUE_SECTION_MADE  0x04
/* the zone's only (never in a record): the transcoder forced an IDR */
#define NGX_SLUICE_CUE_FORCED_AT     0x100  /* at the cue's time */
#define NGX_SLUICE_CUE_FORCED_END    0x200  /* where a splice out ends */


typedef struct {
    uint64_t                    time;
    uint64_t                    duration;
    uint64_t                    elapsed;
    uint32_t                    kind;
    uint32_t                    source;
    uint32_t                    event_id;
    uint32_t                    flags;
    uint32_t                    len[NGX_SLUICE_CUE_NSTR];
    u_char                     *blob;
} ngx_sluice_cue_slot_t;


typedef struct ngx_sluice_cue_list_s {
    ngx_uint_t                  dirty;
    ngx_uint_t                  n;

    /* floods: arrivals (ngx_current_msec) of the last ad cues, metadata */
    ngx_msec_t                  ad_msec[NGX_SLUICE_CUE_AD_BURST];
    ngx_uint_t                  ad_seen;
    ngx_msec_t                  meta_msec;
    ngx_uint_t                  meta_seen;

    ngx_sluice_cue_slot_t       cue[NGX_SLUICE_MAX_CUES];
} ngx_sluice_cue_list_t;


/* the store job: one record, to the live store and the assets' files */
typedef struct {
    ngx_uint_t                  npaths;
    u_char                     *path[1 + NGX_SLUICE_REC_MAX];
    size_t                      base;           /* data path length */

    u_char                      event[NGX_SLUICE_NAME_LEN + 1];
    uint64_t                    time;

    /* results */
    ngx_uint_t                  failed;
    const char                 *call;
    ngx_err_t                   err;
    u_char                     *failed_path;
} ngx_sluice_cue_job_t;


/* a record read back from a file, and its place in it */
typedef struct {
    sluice_cue_t                cue;
    ngx_uint_t                  order;
} ngx_sluice_cue_rec_t;


static void ngx_sluice_cue_strings(const sluice_cue_t *cue,
    const sluice_str_t **s);
static ngx_int_t ngx_sluice_cue_same(ngx_sluice_cue_slot_t *slot,
    const sluice_cue_t *cue);
static const char *ngx_sluice_cue_check(ngx_sluice_event_t *ev,
    const sluice_cue_t *cue);
static const char *ngx_sluice_cue_flood(ngx_sluice_cue_list_t *list,
    const sluice_cue_t *cue, ngx_uint_t commit);
static const char *ngx_sluice_cue_put(ngx_slab_pool_t *shpool,
    ngx_sluice_event_t *ev, const sluice_cue_t *cue, ngx_uint_t limits,
    ngx_uint_t *stored);
static void ngx_sluice_cue_set(ngx_sluice_cue_slot_t *slot,
    const sluice_cue_t *cue, u_char *blob);
static ngx_int_t ngx_sluice_cue_post(ngx_sluice_zone_ctx_t *zctx,
    ngx_sluice_writer_t *w, u_char *event_id, uint32_t generation,
    u_char *name, ngx_sluice_rec_req_t *req, const sluice_cue_t *cue,
    ngx_log_t *log);
static void ngx_sluice_cue_run(ngx_sluice_wjob_t *job, ngx_log_t *log);
static ngx_int_t ngx_sluice_cue_append(ngx_sluice_cue_job_t *cj,
    u_char *path, u_char *data, size_t len);
static ngx_int_t ngx_sluice_cue_mkdirs(u_char *path, size_t base,
    ngx_uint_t *made);
static void ngx_sluice_cue_done(ngx_sluice_wjob_t *job);
static size_t ngx_sluice_cue_rec_size(const sluice_cue_t *cue);
static u_char *ngx_sluice_cue_rec_write(u_char *p, const sluice_cue_t *cue);
static ngx_int_t ngx_sluice_cue_rec_parse(u_char *p, size_t avail,
    sluice_cue_t *cue, size_t *len);
static ngx_int_t ngx_sluice_cue_load(u_char *path, ngx_log_t *log,
    u_char **buf, ngx_sluice_cue_rec_t **recs, ngx_uint_t *n);
static int ngx_libc_cdecl ngx_sluice_cue_cmp(const void *a, const void *b);
static ngx_int_t ngx_sluice_cue_copy(ngx_pool_t *pool, sluice_cue_t *dst,
    const sluice_cue_t *src);
static ngx_uint_t ngx_sluice_cue_ends_after(uint64_t time, uint64_t duration,
    uint64_t from_ms);


/* --- ingest -------------------------------------------------------------- */

ngx_int_t
ngx_sluice_cue_ingest(ngx_sluice_ingest_t *in, const sluice_cue_t *cue,
    uint32_t ts, ngx_uint_t mode)
{
    uint64_t  time;

    return ngx_sluice_cue_ingest_at(in, cue, ts, mode, &time);
}


ngx_int_t
ngx_sluice_cue_ingest_at(ngx_sluice_ingest_t *in, const sluice_cue_t *cue,
    uint32_t ts, ngx_uint_t mode, uint64_t *time)
{
    u_char                     *p, id[NGX_INT64_LEN];
    int64_t                     ts64, tl;
    uint32_t                    in32;
    sluice_cue_t                c;
    ngx_sluice_ingest_track_t  *t;

    t = in->video.ts_started ? &in->video
        : in->audio.ts_started ? &in->audio : NULL;

    in32 = cue->has_time ? (uint32_t) cue->time : ts;

    if (mode == NGX_SLUICE_CUE_DIRECT) {
        /* a live encoding's feed: its times are the layers' timeline */
        tl = (t == NULL) ? (int64_t) in32
             : t->last_ts64 + (int32_t) (in32 - t->last_ts32);

    } else if (t == NULL && mode == NGX_SLUICE_CUE_SPARSE) {
        tl = (int64_t) in32 + in->offset;

    } else if (t == NULL) {
        ngx_log_error(NGX_LOG_WARN, in->log, 0,
                      "sluice: live event \"%s\": a cue of stream \"%s\" "
                      "came before its first frame, dropped",
                      in->event_name, in->stream);
        return NGX_DECLINED;

    } else {
        ts64 = t->last_ts64 + (int32_t) (in32 - t->last_ts32);
        tl = in->layer ? ts64 : ts64 + in->offset;
    }

    if (tl < 0
        || (t && tl > t->last_t + NGX_SLUICE_CUE_AHEAD_MS)
        || (t && tl + (int64_t) cue->duration + NGX_SLUICE_CUE_BEHIND_MS
                 < t->last_t))
    {
        ngx_log_error(NGX_LOG_WARN, in->log, 0,
                      "sluice: live event \"%s\": a cue of stream \"%s\" "
                      "at %L ms of the timeline is too far from the "
                      "stream's position (%L ms), dropped", in->event_name,
                      in->stream, tl, t ? t->last_t : 0);
        return NGX_DECLINED;
    }

    c = *cue;
    c.time = (uint64_t) tl;
    c.has_time = 1;

    *time = c.time;

    if (c.id.len == 0) {
        p = ngx_sprintf(id, "%uL", c.time);
        c.id.data = id;
        c.id.len = p - id;
        c.id_made = 1;
    }

    if (in->cue_writer == NULL) {
        in->cue_writer = ngx_sluice_writer_create(in->thread_pool,
                                                  ngx_cycle->log);
        if (in->cue_writer == NULL) {
            return NGX_ERROR;
        }
    }

    return ngx_sluice_cue_add(in->zone->data, in->event_id, in->generation,
                              &c, in->cue_writer, in->log);
}


/* --- zone ---------------------------------------------------------------- */

ngx_int_t
ngx_sluice_cue_add(ngx_sluice_zone_ctx_t *zctx, u_char *event_id,
    uint32_t generation, const sluice_cue_t *cue, ngx_sluice_writer_t *w,
    ngx_log_t *log)
{
    size_t                 size;
    ngx_int_t              rc;
    ngx_uint_t             i, stored;
    const char            *reason;
    ngx_sluice_event_t    *ev;
    const sluice_str_t    *s[NGX_SLUICE_CUE_NSTR];
    ngx_sluice_rec_req_t   req;
    u_char                 name[NGX_SLUICE_NAME_LEN + 1];

    ngx_sluice_cue_strings(cue, s);

    size = 0;

    for (i = 0; i < NGX_SLUICE_CUE_NSTR; i++) {
        size += s[i]->len;
    }

    reason = NULL;
    stored = 0;
    req.n = 0;
    name[0] = '\0';

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ev = ngx_sluice_index_event(zctx->sh, event_id, generation);

    if (ev == NULL) {
        reason = "its live event is gone or restarted";

    } else if (size > NGX_SLUICE_CUE_MAX_SIZE) {
        reason = "its id and payload are over 4096 bytes";

    } else {
        reason = ngx_sluice_cue_check(ev, cue);

        if (reason == NULL) {
            reason = ngx_sluice_cue_put(zctx->shpool, ev, cue, 1, &stored);
        }
    }

    if (ev) {
        ngx_memcpy(name, ev->name, sizeof(name));

        if (stored && w) {
            (void) ngx_sluice_recorder_outputs(zctx->sh, ev, &req);
        }
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (reason) {
        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "sluice: live event \"%s\": cue \"%*s\" at %uL ms "
                      "dropped: %s", name[0] ? name : event_id,
                      ngx_min(cue->id.len, 64), cue->id.data, cue->time,
                      reason);
        return NGX_DECLINED;
    }

    if (!stored || w == NULL) {
        return NGX_OK;
    }

    ngx_log_error(NGX_LOG_INFO, log, 0,
                  "sluice: live event \"%s\": cue \"%*s\" kind %uD at %uL ms "
                  "duration %uL ms", name, ngx_min(cue->id.len, 64),
                  cue->id.data, cue->kind, cue->time, cue->duration);

    rc = ngx_sluice_cue_post(zctx, w, event_id, generation, name, &req, cue,
                             log);

    if (rc != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "sluice: live event \"%s\": cue \"%*s\" kept in memory "
                      "but not stored (no memory)", name,
                      ngx_min(cue->id.len, 64), cue->id.data);
    }

    return NGX_OK;
}


static void
ngx_sluice_cue_strings(const sluice_cue_t *cue, const sluice_str_t **s)
{
    s[0] = &cue->id;
    s[1] = &cue->section;
    s[2] = &cue->scheme_id_uri;
    s[3] = &cue->value;
    s[4] = &cue->data;
}


/* a cue far from the live edge of the event's fragments is absurd */

static const char *
ngx_sluice_cue_check(ngx_sluice_event_t *ev, const sluice_cue_t *cue)
{
    uint64_t    edge, end;
    ngx_uint_t  i;

    if (!cue->has_time || cue->duration > SLUICE_CUE_MAX_DURATION) {
        return "no time on the timeline, or an absurd duration";
    }

    edge = ev->record_end_ms;

    for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
        if (ev->tracks[i].state == NGX_SLUICE_TRACK_FREE) {
            continue;
        }

        end = ngx_sluice_track_end_ms(&ev->tracks[i]);

        if (end > edge) {
            edge = end;
        }
    }

    if (edge == 0) {
        return NULL;
    }

    if (cue->time > edge + NGX_SLUICE_CUE_AHEAD_MS) {
        return "it starts more than 10 minutes after the live edge";
    }

    if (cue->time + cue->duration + NGX_SLUICE_CUE_BEHIND_MS < edge) {
        return "it ended more than 10 minutes before the live edge";
    }

    return NULL;
}


/*
 * AMS's limits: ad cues at most NGX_SLUICE_CUE_AD_BURST per
 * NGX_SLUICE_CUE_AD_MS, timed metadata one per NGX_SLUICE_CUE_META_MS;
 * commit: count this one
 */

static const char *
ngx_sluice_cue_flood(ngx_sluice_cue_list_t *list, const sluice_cue_t *cue,
    ngx_uint_t commit)
{
    ngx_uint_t  i;

    if (cue->kind == SLUICE_CUE_METADATA) {
        if (list->meta_seen
            && ngx_current_msec - list->meta_msec < NGX_SLUICE_CUE_META_MS)
        {
            return "timed metadata comes more often than once per 500 ms";
        }

        if (commit) {
            list->meta_seen = 1;
            list->meta_msec = ngx_current_msec;
        }

        return NULL;
    }

    /* ad_msec[0] is the oldest of the last NGX_SLUICE_CUE_AD_BURST */

    if (list->ad_seen >= NGX_SLUICE_CUE_AD_BURST
        && ngx_current_msec - list->ad_msec[0] < NGX_SLUICE_CUE_AD_MS)
    {
        return "ad cues come more often than 2 per second";
    }

    if (commit) {
        for (i = 1; i < NGX_SLUICE_CUE_AD_BURST; i++) {
            list->ad_msec[i - 1] = list->ad_msec[i];
        }

        list->ad_msec[NGX_SLUICE_CUE_AD_BURST - 1] = ngx_current_msec;

        if (list->ad_seen < NGX_SLUICE_CUE_AD_BURST) {
            list->ad_seen++;
        }

        if (list->ad_seen < NGX_SLUICE_CUE_AD_BURST) {
            /* fewer than a burst so far: the oldest is the first */
            list->ad_msec[0] = list->ad_msec[NGX_SLUICE_CUE_AD_BURST
                                             - list->ad_seen];
        }
    }

    return NULL;
}


/*
 * The cue into the event's list: the same id and time replaces (an
 * update or a cancel; *stored 0 when it is the same cue again, the other
 * connection of a redundant pair); the oldest goes beyond
 * NGX_SLUICE_MAX_CUES; limits: floods are counted.  NULL, or why it is
 * refused.
 */

static const char *
ngx_sluice_cue_put(ngx_slab_pool_t *shpool, ngx_sluice_event_t *ev,
    const sluice_cue_t *cue, ngx_uint_t limits, ngx_uint_t *stored)
{
    u_char                 *blob, *p;
    size_t                  size;
    ngx_uint_t              i, at, found;
    const char             *reason;
    const sluice_str_t     *s[NGX_SLUICE_CUE_NSTR];
    ngx_sluice_cue_list_t  *list;
    ngx_sluice_cue_slot_t  *slot;

    list = ev->cues;

    if (list == NULL) {
        list = ngx_slab_calloc_locked(shpool, sizeof(ngx_sluice_cue_list_t));
        if (list == NULL) {
            return "no shared memory";
        }

        ev->cues = list;
    }

    if (list->dirty) {
        ngx_log_error(NGX_LOG_ALERT, ngx_cycle->log, 0,
                      "sluice: live event \"%s\": its cues were being "
                      "changed by a worker that died, they are dropped",
                      ev->name);
        list->n = 0;
        list->dirty = 0;
    }

    /* the first cue later than this one, or the same id and time */

    found = 0;

    for (at = list->n; at > 0; at--) {
        slot = &list->cue[at - 1];

        if (slot->time < cue->time) {
            break;
        }

        if (slot->time == cue->time && slot->len[0] == cue->id.len
            && (cue->id.len == 0
                || ngx_memcmp(slot->blob, cue->id.data, cue->id.len) == 0))
        {
            found = 1;
            at--;
            break;
        }
    }

    if (found && ngx_sluice_cue_same(&list->cue[at], cue)) {
        return NULL;
    }

    if (!found && list->n == NGX_SLUICE_MAX_CUES && at == 0) {
        return "it is older than the cues kept";
    }

    if (limits) {
        reason = ngx_sluice_cue_flood(list, cue, 0);
        if (reason) {
            return reason;
        }
    }

    ngx_sluice_cue_strings(cue, s);

    size = 0;

    for (i = 0; i < NGX_SLUICE_CUE_NSTR; i++) {
        size += s[i]->len;
    }

    blob = NULL;

    if (size) {
        blob = ngx_slab_alloc_locked(shpool, size);
        if (blob == NULL) {
            return "no shared memory";
        }

        p = blob;

        for (i = 0; i < NGX_SLUICE_CUE_NSTR; i++) {
            p = ngx_cpymem(p, s[i]->data, s[i]->len);
        }
    }

    if (limits) {
        (void) ngx_sluice_cue_flood(list, cue, 1);
    }

    list->dirty = 1;

    if (found) {
        slot = &list->cue[at];

        if (slot->blob) {
            ngx_slab_free_locked(shpool, slot->blob);
        }

        ngx_sluice_cue_set(slot, cue, blob);

    } else {
        if (list->n == NGX_SLUICE_MAX_CUES) {
            /* the oldest goes */

            if (list->cue[0].blob) {
                ngx_slab_free_locked(shpool, list->cue[0].blob);
            }

            ngx_memmove(&list->cue[0], &list->cue[1],
                        (at - 1) * sizeof(ngx_sluice_cue_slot_t));
            at--;

        } else {
            ngx_memmove(&list->cue[at + 1], &list->cue[at],
                        (list->n - at) * sizeof(ngx_sluice_cue_slot_t));
            list->n++;
        }

        ngx_sluice_cue_set(&list->cue[at], cue, blob);
    }

    list->dirty = 0;

    *stored = 1;

    return NULL;
}


static ngx_int_t
ngx_sluice_cue_same(ngx_sluice_cue_slot_t *slot, const sluice_cue_t *cue)
{
    u_char              *p;
    ngx_uint_t           i;
    const sluice_str_t  *s[NGX_SLUICE_CUE_NSTR];

    if (slot->kind != cue->kind || slot->duration != cue->duration
        || slot->event_id != cue->event_id)
    {
        return 0;
    }

    ngx_sluice_cue_strings(cue, s);

    p = slot->blob;

    for (i = 0; i < NGX_SLUICE_CUE_NSTR; i++) {
        if (slot->len[i] != s[i]->len
            || (s[i]->len && ngx_memcmp(p, s[i]->data, s[i]->len) != 0))
        {
            return 0;
        }

        p += s[i]->len;
    }

    return 1;
}


static void
ngx_sluice_cue_set(ngx_sluice_cue_slot_t *slot, const sluice_cue_t *cue,
    u_char *blob)
{
    ngx_uint_t           i;
    const sluice_str_t  *s[NGX_SLUICE_CUE_NSTR];

    ngx_sluice_cue_strings(cue, s);

    slot->time = cue->time;
    slot->duration = cue->duration;
    slot->elapsed = cue->has_elapsed ? cue->elapsed : 0;
    slot->kind = cue->kind;
    slot->source = cue->source;
    slot->event_id = cue->event_id;
    slot->flags = (cue->id_made ? NGX_SLUICE_CUE_ID_MADE : 0)
                  | (cue->has_elapsed ? NGX_SLUICE_CUE_HAS_ELAPSED : 0)
                  | (cue->section_made ? NGX_SLUICE_CUE_SECTION_MADE : 0);

    for (i = 0; i < NGX_SLUICE_CUE_NSTR; i++) {
        slot->len[i] = s[i]->len;
    }

    slot->blob = blob;
}


ngx_int_t
ngx_sluice_cue_snapshot(ngx_pool_t *pool, ngx_sluice_event_t *ev,
    uint64_t from_ms, sluice_cue_t **cues, ngx_uint_t *ncues)
{
    u_char                 *p;
    size_t                  size;
    ngx_uint_t              i, j, first, n;
    sluice_cue_t           *c;
    sluice_str_t           *s[NGX_SLUICE_CUE_NSTR];
    ngx_sluice_cue_list_t  *list;
    ngx_sluice_cue_slot_t  *slot;

    *cues = NULL;
    *ncues = 0;

    list = ev->cues;

    if (list == NULL || list->dirty || list->n == 0) {
        return NGX_OK;
    }

    /* in time order: those ending before the window may come anywhere */

    n = 0;
    size = 0;
    first = list->n;

    for (i = 0; i < list->n; i++) {
        slot = &list->cue[i];

        if (!ngx_sluice_cue_ends_after(slot->time, slot->duration, from_ms)) {
            continue;
        }

        if (first == list->n) {
            first = i;
        }

        n++;

        for (j = 0; j < NGX_SLUICE_CUE_NSTR; j++) {
            size += slot->len[j];
        }
    }

    if (n == 0) {
        return NGX_OK;
    }

    *cues = ngx_pcalloc(pool, n * sizeof(sluice_cue_t));
    p = size ? ngx_pnalloc(pool, size) : NULL;

    if (*cues == NULL || (size && p == NULL)) {
        return NGX_ERROR;
    }

    for (i = first; i < list->n; i++) {
        slot = &list->cue[i];

        if (!ngx_sluice_cue_ends_after(slot->time, slot->duration, from_ms)) {
            continue;
        }

        c = &(*cues)[(*ncues)++];

        c->kind = slot->kind;
        c->source = slot->source;
        c->time = slot->time;
        c->duration = slot->duration;
        c->elapsed = slot->elapsed;
        c->event_id = slot->event_id;
        c->has_time = 1;
        c->id_made = (slot->flags & NGX_SLUICE_CUE_ID_MADE) ? 1 : 0;
        c->has_elapsed = (slot->flags & NGX_SLUICE_CUE_HAS_ELAPSED) ? 1 : 0;
        c->section_made = (slot->flags & NGX_SLUICE_CUE_SECTION_MADE) ? 1 : 0;

        s[0] = &c->id;
        s[1] = &c->section;
        s[2] = &c->scheme_id_uri;
        s[3] = &c->value;
        s[4] = &c->data;

        size = 0;

        for (j = 0; j < NGX_SLUICE_CUE_NSTR; j++) {
            s[j]->data = p + size;
            s[j]->len = slot->len[j];
            size += slot->len[j];
        }

        if (size) {
            p = ngx_cpymem(p, slot->blob, size);
        }
    }

    return NGX_OK;
}


uint64_t
ngx_sluice_cue_splice(ngx_sluice_zone_ctx_t *zctx, u_char *event_id,
    uint32_t generation, uint64_t from, uint64_t to, ngx_uint_t forced)
{
    uint64_t                p, found;
    ngx_uint_t              i;
    ngx_sluice_event_t     *ev;
    ngx_sluice_cue_list_t  *list;
    ngx_sluice_cue_slot_t  *slot;

    found = 0;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ev = ngx_sluice_index_event(zctx->sh, event_id, generation);
    list = ev ? ev->cues : NULL;

    for (i = 0; list && !list->dirty && i < list->n && !found; i++) {
        slot = &list->cue[i];

        if (slot->kind != SLUICE_CUE_SPLICE_OUT
            && slot->kind != SLUICE_CUE_SPLICE_IN)
        {
            continue;
        }

        p = slot->time;

        if (p > from && p <= to
            && (!forced || (slot->flags & NGX_SLUICE_CUE_FORCED_AT)))
        {
            found = p;
            break;
        }

        p += slot->duration;

        if (slot->kind == SLUICE_CUE_SPLICE_OUT && slot->duration
            && p > from && p <= to
            && (!forced || (slot->flags & NGX_SLUICE_CUE_FORCED_END)))
        {
            found = p;
        }
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    return found;
}


void
ngx_sluice_cue_force(ngx_sluice_zone_ctx_t *zctx, u_char *event_id,
    uint32_t generation, uint64_t point)
{
    ngx_uint_t              i;
    ngx_sluice_event_t     *ev;
    ngx_sluice_cue_list_t  *list;
    ngx_sluice_cue_slot_t  *slot;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ev = ngx_sluice_index_event(zctx->sh, event_id, generation);
    list = ev ? ev->cues : NULL;

    for (i = 0; list && !list->dirty && i < list->n; i++) {
        slot = &list->cue[i];

        if (slot->kind != SLUICE_CUE_SPLICE_OUT
            && slot->kind != SLUICE_CUE_SPLICE_IN)
        {
            continue;
        }

        if (slot->time == point) {
            slot->flags |= NGX_SLUICE_CUE_FORCED_AT;
        }

        if (slot->kind == SLUICE_CUE_SPLICE_OUT && slot->duration
            && slot->time + slot->duration == point)
        {
            slot->flags |= NGX_SLUICE_CUE_FORCED_END;
        }
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);
}


static ngx_uint_t
ngx_sluice_cue_ends_after(uint64_t time, uint64_t duration, uint64_t from_ms)
{
    return duration ? time + duration > from_ms : time >= from_ms;
}


void
ngx_sluice_cue_free(ngx_slab_pool_t *shpool, ngx_sluice_event_t *ev)
{
    ngx_uint_t              i;
    ngx_sluice_cue_list_t  *list;

    list = ev->cues;

    if (list == NULL) {
        return;
    }

    ev->cues = NULL;

    /* a dirty list may name a block twice: its blocks are left */

    if (!list->dirty) {
        for (i = 0; i < list->n; i++) {
            if (list->cue[i].blob) {
                ngx_slab_free_locked(shpool, list->cue[i].blob);
            }
        }
    }

    ngx_slab_free_locked(shpool, list);
}


/* --- store --------------------------------------------------------------- */

static ngx_int_t
ngx_sluice_cue_post(ngx_sluice_zone_ctx_t *zctx, ngx_sluice_writer_t *w,
    u_char *event_id, uint32_t generation, u_char *name,
    ngx_sluice_rec_req_t *req, const sluice_cue_t *cue, ngx_log_t *log)
{
    size_t                 len;
    u_char                *p;
    ngx_uint_t             i;
    ngx_sluice_wjob_t     *job;
    ngx_sluice_cue_job_t  *cj;

    job = ngx_sluice_wjob_create(ngx_sluice_cue_rec_size(cue),
                                 sizeof(ngx_sluice_cue_job_t), log);
    if (job == NULL) {
        return NGX_ERROR;
    }

    (void) ngx_sluice_cue_rec_write(job->data, cue);

    cj = job->ctx;
    cj->base = zctx->data_path.len;
    cj->time = cue->time;
    ngx_memcpy(cj->event, name, sizeof(cj->event));

    len = zctx->data_path.len + sizeof("/assets//cues") + NGX_SLUICE_ID_LEN
          + NGX_INT32_LEN;

    for (i = 0; i <= req->n; i++) {
        p = ngx_pnalloc(job->pool, len);
        if (p == NULL) {
            ngx_destroy_pool(job->pool);
            return NGX_ERROR;
        }

        if (i == 0) {
            ngx_sprintf(p, "%V/live/%s/%uD/cues%Z", &zctx->data_path,
                        event_id, generation);

        } else {
            ngx_sprintf(p, "%V/assets/%s/cues%Z", &zctx->data_path,
                        req->asset_id[i - 1]);
        }

        cj->path[cj->npaths++] = p;
    }

    job->run = ngx_sluice_cue_run;
    job->done = ngx_sluice_cue_done;

    ngx_sluice_writer_post(w, job);

    return NGX_OK;
}


/* thread */

static void
ngx_sluice_cue_run(ngx_sluice_wjob_t *job, ngx_log_t *log)
{
    ngx_uint_t             i;
    ngx_sluice_cue_job_t  *cj;

    cj = job->ctx;

    for (i = 0; i < cj->npaths; i++) {
        if (ngx_sluice_cue_append(cj, cj->path[i], job->data, job->len)
            != NGX_OK)
        {
            cj->failed++;
        }
    }
}


/* one write() of the whole record with O_APPEND, then fdatasync */

static ngx_int_t
ngx_sluice_cue_append(ngx_sluice_cue_job_t *cj, u_char *path, u_char *data,
    size_t len)
{
    ssize_t          n;
    ngx_fd_t         fd;
    ngx_uint_t       made;
    ngx_file_info_t  fi;

    made = 0;

    fd = ngx_open_file(path, NGX_FILE_WRONLY|NGX_FILE_APPEND,
                       NGX_FILE_CREATE_OR_OPEN, NGX_FILE_DEFAULT_ACCESS);

    if (fd == NGX_INVALID_FILE && ngx_errno == NGX_ENOENT
        && ngx_sluice_cue_mkdirs(path, cj->base, &made) == NGX_OK)
    {
        fd = ngx_open_file(path, NGX_FILE_WRONLY|NGX_FILE_APPEND,
                           NGX_FILE_CREATE_OR_OPEN, NGX_FILE_DEFAULT_ACCESS);
    }

    if (fd == NGX_INVALID_FILE) {
        goto failed_open;
    }

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        cj->call = ngx_fd_info_n;
        goto failed;
    }

    n = write(fd, data, len);

    if (n != (ssize_t) len) {
        if (n >= 0) {
            ngx_set_errno(NGX_ENOSPC);
        }

        cj->call = "write()";
        goto failed;
    }

    if (fdatasync(fd) == -1) {
        cj->call = "fdatasync()";
        goto failed;
    }

    (void) ngx_close_file(fd);

    /*
     * a new file: its name on stable storage too, and the names of the
     * directories made for it (docs: "Durability")
     */

    if (ngx_file_size(&fi) == 0
        && ngx_sluice_sync_dirs(path, 1 + made) != NGX_OK)
    {
        cj->call = "fsync() of the directory of";
        cj->err = ngx_errno;
        cj->failed_path = path;
        return NGX_ERROR;
    }

    return NGX_OK;

failed_open:

    cj->call = ngx_open_file_n;
    cj->err = ngx_errno;
    cj->failed_path = path;

    return NGX_ERROR;

failed:

    cj->err = ngx_errno;
    cj->failed_path = path;
    (void) ngx_close_file(fd);

    return NGX_ERROR;
}


/* the directories of path after the data path ("mkdir -p") */

static ngx_int_t
ngx_sluice_cue_mkdirs(u_char *path, size_t base, ngx_uint_t *made)
{
    u_char  *p;

    for (p = path + base + 1; *p; p++) {
        if (*p != '/') {
            continue;
        }

        *p = '\0';

        if (ngx_create_dir(path, 0755) != NGX_FILE_ERROR) {
            (*made)++;

        } else if (ngx_errno != NGX_EEXIST) {
            *p = '/';
            return NGX_ERROR;
        }

        *p = '/';
    }

    return NGX_OK;
}


static void
ngx_sluice_cue_done(ngx_sluice_wjob_t *job)
{
    ngx_sluice_cue_job_t  *cj;

    static ngx_msec_t      logged;
    static ngx_uint_t      quiet;

    cj = job->ctx;

    if (!cj->failed) {
        return;
    }

    if (logged && ngx_current_msec - logged < NGX_SLUICE_CUE_LOG_MS) {
        quiet++;
        return;
    }

    ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, cj->err,
                  "sluice: live event \"%s\": %s \"%s\" failed, the cue "
                  "at %uL ms is missing from %ui cues file(s), %ui other "
                  "failures since the last report", cj->event, cj->call,
                  cj->failed_path, cj->time, cj->failed, quiet);

    logged = ngx_current_msec;
    quiet = 0;
}


/* --- records ------------------------------------------------------------- */

static size_t
ngx_sluice_cue_rec_size(const sluice_cue_t *cue)
{
    return NGX_SLUICE_CUE_REC_HEADER + cue->id.len + cue->section.len
           + cue->scheme_id_uri.len + cue->value.len + cue->data.len + 4;
}


#define ngx_sluice_put16(p, v)                                               \
    ((p)[0] = (u_char) (v), (p)[1] = (u_char) ((v) >> 8), (p) + 2)

#define ngx_sluice_get16(p)   ((uint32_t) (p)[0] | ((uint32_t) (p)[1] << 8))

static u_char *
ngx_sluice_put32(u_char *p, uint32_t v)
{
    p[0] = (u_char) v;
    p[1] = (u_char) (v >> 8);
    p[2] = (u_char) (v >> 16);
    p[3] = (u_char) (v >> 24);

    return p + 4;
}


static u_char *
ngx_sluice_put64(u_char *p, uint64_t v)
{
    p = ngx_sluice_put32(p, (uint32_t) v);

    return ngx_sluice_put32(p, (uint32_t) (v >> 32));
}


static uint32_t
ngx_sluice_get32(u_char *p)
{
    return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16)
           | ((uint32_t) p[3] << 24);
}


static uint64_t
ngx_sluice_get64(u_char *p)
{
    return (uint64_t) ngx_sluice_get32(p)
           | ((uint64_t) ngx_sluice_get32(p + 4) << 32);
}


static u_char *
ngx_sluice_cue_rec_write(u_char *p, const sluice_cue_t *cue)
{
    u_char              *start;
    ngx_uint_t           i;
    const sluice_str_t  *s[NGX_SLUICE_CUE_NSTR];

    start = p;

    p = ngx_cpymem(p, "SCUE", 4);
    p = ngx_sluice_put32(p, (uint32_t) ngx_sluice_cue_rec_size(cue));
    *p++ = NGX_SLUICE_CUE_REC_VERSION;
    *p++ = (u_char) cue->kind;
    *p++ = (u_char) cue->source;
    *p++ = (u_char) ((cue->id_made ? NGX_SLUICE_CUE_ID_MADE : 0)
                     | (cue->has_elapsed ? NGX_SLUICE_CUE_HAS_ELAPSED : 0)
                     | (cue->section_made ? NGX_SLUICE_CUE_SECTION_MADE : 0));
    p = ngx_sluice_put32(p, cue->event_id);
    p = ngx_sluice_put64(p, cue->time);
    p = ngx_sluice_put64(p, cue->duration);
    p = ngx_sluice_put64(p, cue->has_elapsed ? cue->elapsed : 0);
    p = ngx_sluice_put16(p, cue->id.len);
    p = ngx_sluice_put16(p, cue->scheme_id_uri.len);
    p = ngx_sluice_put16(p, cue->value.len);
    p = ngx_sluice_put16(p, 0);
    p = ngx_sluice_put32(p, (uint32_t) cue->section.len);
    p = ngx_sluice_put32(p, (uint32_t) cue->data.len);

    ngx_sluice_cue_strings(cue, s);

    for (i = 0; i < NGX_SLUICE_CUE_NSTR; i++) {
        p = ngx_cpymem(p, s[i]->data, s[i]->len);
    }

    return ngx_sluice_put32(p, ngx_crc32_long(start, p - start));
}


/*
 * The record at p (avail bytes): NGX_OK (cue, its strings in p),
 * NGX_DECLINED (a valid record of another version: *len to skip),
 * NGX_ERROR (no record starts here)
 */

static ngx_int_t
ngx_sluice_cue_rec_parse(u_char *p, size_t avail, sluice_cue_t *cue,
    size_t *len)
{
    size_t       n, lens[NGX_SLUICE_CUE_NSTR];
    u_char      *q;
    ngx_uint_t   i;
    sluice_str_t  *s[NGX_SLUICE_CUE_NSTR];

    if (avail < NGX_SLUICE_CUE_REC_HEADER + 4
        || ngx_memcmp(p, "SCUE", 4) != 0)
    {
        return NGX_ERROR;
    }

    n = ngx_sluice_get32(p + 4);

    if (n < NGX_SLUICE_CUE_REC_HEADER + 4 || n > avail
        || ngx_crc32_long(p, n - 4) != ngx_sluice_get32(p + n - 4))
    {
        return NGX_ERROR;
    }

    *len = n;

    if (p[8] != NGX_SLUICE_CUE_REC_VERSION) {
        return NGX_DECLINED;
    }

    lens[0] = ngx_sluice_get16(p + 40);
    lens[1] = ngx_sluice_get32(p + 48);
    lens[2] = ngx_sluice_get16(p + 42);
    lens[3] = ngx_sluice_get16(p + 44);
    lens[4] = ngx_sluice_get32(p + 52);

    if (NGX_SLUICE_CUE_REC_HEADER + lens[0] + lens[1] + lens[2] + lens[3]
        + lens[4] + 4 != n)
    {
        return NGX_ERROR;
    }

    ngx_memzero(cue, sizeof(sluice_cue_t));

    cue->kind = p[9];
    cue->source = p[10];
    cue->id_made = (p[11] & NGX_SLUICE_CUE_ID_MADE) ? 1 : 0;
    cue->has_elapsed = (p[11] & NGX_SLUICE_CUE_HAS_ELAPSED) ? 1 : 0;
    cue->section_made = (p[11] & NGX_SLUICE_CUE_SECTION_MADE) ? 1 : 0;
    cue->has_time = 1;
    cue->event_id = ngx_sluice_get32(p + 12);
    cue->time = ngx_sluice_get64(p + 16);
    cue->duration = ngx_sluice_get64(p + 24);
    cue->elapsed = ngx_sluice_get64(p + 32);

    s[0] = &cue->id;
    s[1] = &cue->section;
    s[2] = &cue->scheme_id_uri;
    s[3] = &cue->value;
    s[4] = &cue->data;

    q = p + NGX_SLUICE_CUE_REC_HEADER;

    for (i = 0; i < NGX_SLUICE_CUE_NSTR; i++) {
        s[i]->data = q;
        s[i]->len = lens[i];
        q += lens[i];
    }

    return NGX_OK;
}


/*
 * The records of a cues file (its last NGX_SLUICE_CUE_READ_MAX bytes),
 * sorted by time and id, the last of an id and time kept; *buf and
 * *recs are ngx_alloc()ed (NULL when none).  NGX_DECLINED: no file.
 */

static ngx_int_t
ngx_sluice_cue_load(u_char *path, ngx_log_t *log, u_char **buf,
    ngx_sluice_cue_rec_t **recs, ngx_uint_t *n)
{
    off_t                  size, from;
    size_t                 len, got, max, reclen;
    ssize_t                r;
    ngx_fd_t               fd;
    ngx_int_t              rc;
    ngx_uint_t             i, k;
    ngx_file_info_t        fi;
    ngx_sluice_cue_rec_t  *rec;

    *buf = NULL;
    *recs = NULL;
    *n = 0;

    fd = ngx_open_file(path, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

    if (fd == NGX_INVALID_FILE) {
        if (ngx_errno == NGX_ENOENT) {
            return NGX_DECLINED;
        }

        ngx_log_error(NGX_LOG_ERR, log, ngx_errno,
                      ngx_open_file_n " \"%s\" failed", path);
        return NGX_ERROR;
    }

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_ERR, log, ngx_errno,
                      ngx_fd_info_n " \"%s\" failed", path);
        (void) ngx_close_file(fd);
        return NGX_ERROR;
    }

    size = ngx_file_size(&fi);
    from = (size > NGX_SLUICE_CUE_READ_MAX)
           ? size - NGX_SLUICE_CUE_READ_MAX : 0;
    len = (size_t) (size - from);

    if (len == 0) {
        (void) ngx_close_file(fd);
        return NGX_OK;
    }

    *buf = ngx_alloc(len, log);
    if (*buf == NULL) {
        (void) ngx_close_file(fd);
        return NGX_ERROR;
    }

    for (got = 0; got < len; got += r) {
        r = pread(fd, *buf + got, len - got, from + got);

        if (r <= 0) {
            if (r < 0) {
                ngx_log_error(NGX_LOG_ERR, log, ngx_errno,
                              "pread() \"%s\" failed", path);
            }

            break;
        }
    }

    (void) ngx_close_file(fd);

    len = got;

    /* at most one record per NGX_SLUICE_CUE_REC_HEADER + 4 bytes */

    max = len / (NGX_SLUICE_CUE_REC_HEADER + 4) + 1;

    *recs = ngx_alloc(max * sizeof(ngx_sluice_cue_rec_t), log);
    if (*recs == NULL) {
        ngx_free(*buf);
        *buf = NULL;
        return NGX_ERROR;
    }

    for (got = 0; got < len; /* void */) {
        rec = &(*recs)[*n];

        rc = ngx_sluice_cue_rec_parse(*buf + got, len - got, &rec->cue,
                                      &reclen);

        if (rc == NGX_ERROR) {
            got++;                  /* torn or foreign: resynchronise */
            continue;
        }

        got += reclen;

        if (rc == NGX_OK) {
            rec->order = (*n)++;
        }
    }

    if (*n == 0) {
        return NGX_OK;
    }

    ngx_qsort(*recs, *n, sizeof(ngx_sluice_cue_rec_t), ngx_sluice_cue_cmp);

    /* of the records of one id and time, the last one written wins */

    for (i = 0, k = 0; i < *n; i++) {
        if (i + 1 < *n
            && (*recs)[i + 1].cue.time == (*recs)[i].cue.time
            && (*recs)[i + 1].cue.id.len == (*recs)[i].cue.id.len
            && ngx_memcmp((*recs)[i + 1].cue.id.data, (*recs)[i].cue.id.data,
                          (*recs)[i].cue.id.len) == 0)
        {
            continue;
        }

        (*recs)[k++] = (*recs)[i];
    }

    *n = k;

    return NGX_OK;
}


static int ngx_libc_cdecl
ngx_sluice_cue_cmp(const void *a, const void *b)
{
    size_t                      len;
    ngx_int_t                   rc;
    const ngx_sluice_cue_rec_t  *x, *y;

    x = a;
    y = b;

    if (x->cue.time != y->cue.time) {
        return x->cue.time < y->cue.time ? -1 : 1;
    }

    len = ngx_min(x->cue.id.len, y->cue.id.len);
    rc = len ? ngx_memcmp(x->cue.id.data, y->cue.id.data, len) : 0;

    if (rc != 0) {
        return rc < 0 ? -1 : 1;
    }

    if (x->cue.id.len != y->cue.id.len) {
        return x->cue.id.len < y->cue.id.len ? -1 : 1;
    }

    return x->order < y->order ? -1 : (x->order > y->order);
}


ngx_int_t
ngx_sluice_cue_read(ngx_str_t *data_path, u_char *asset_id, uint64_t from_ms,
    uint64_t to_ms, ngx_pool_t *pool, sluice_cue_t **cues, ngx_uint_t *ncues,
    ngx_log_t *log)
{
    u_char                *buf, *path;
    ngx_int_t              rc;
    ngx_uint_t             i, n, k;
    sluice_cue_t          *c;
    ngx_sluice_cue_rec_t  *recs;

    *cues = NULL;
    *ncues = 0;

    path = ngx_pnalloc(pool, data_path->len + sizeof("/assets//cues")
                             + ngx_strlen(asset_id));
    if (path == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(path, "%V/assets/%s/cues%Z", data_path, asset_id);

    rc = ngx_sluice_cue_load(path, log, &buf, &recs, &n);

    if (rc == NGX_DECLINED) {
        return NGX_OK;
    }

    if (rc != NGX_OK) {
        return NGX_ERROR;
    }

    k = 0;

    for (i = 0; i < n; i++) {
        c = &recs[i].cue;

        if (!ngx_sluice_cue_ends_after(c->time, c->duration, from_ms)
            || (to_ms && c->time >= to_ms))
        {
            continue;
        }

        recs[k++] = recs[i];
    }

    rc = NGX_OK;

    if (k) {
        *cues = ngx_palloc(pool, k * sizeof(sluice_cue_t));

        if (*cues == NULL) {
            rc = NGX_ERROR;

        } else {
            for (i = 0; i < k; i++) {
                if (ngx_sluice_cue_copy(pool, &(*cues)[i], &recs[i].cue)
                    != NGX_OK)
                {
                    rc = NGX_ERROR;
                    break;
                }
            }

            *ncues = (rc == NGX_OK) ? k : 0;
        }
    }

    if (buf) {
        ngx_free(buf);
    }

    if (recs) {
        ngx_free(recs);
    }

    return rc;
}


/* *dst = *src with its strings in one block of pool */

static ngx_int_t
ngx_sluice_cue_copy(ngx_pool_t *pool, sluice_cue_t *dst,
    const sluice_cue_t *src)
{
    u_char              *p;
    size_t               size;
    ngx_uint_t           i;
    sluice_str_t        *d[NGX_SLUICE_CUE_NSTR];
    const sluice_str_t  *s[NGX_SLUICE_CUE_NSTR];

    *dst = *src;

    ngx_sluice_cue_strings(src, s);

    d[0] = &dst->id;
    d[1] = &dst->section;
    d[2] = &dst->scheme_id_uri;
    d[3] = &dst->value;
    d[4] = &dst->data;

    size = 0;

    for (i = 0; i < NGX_SLUICE_CUE_NSTR; i++) {
        size += s[i]->len;
    }

    p = NULL;

    if (size) {
        p = ngx_pnalloc(pool, size);
        if (p == NULL) {
            return NGX_ERROR;
        }
    }

    for (i = 0; i < NGX_SLUICE_CUE_NSTR; i++) {
        d[i]->data = p;

        if (s[i]->len) {
            p = ngx_cpymem(p, s[i]->data, s[i]->len);
        }
    }

    return NGX_OK;
}


/* --- restart ------------------------------------------------------------- */

/*
 * A fresh zone loads each live event with a new generation.  When its
 * timeline continues after what its live outputs recorded
 * (record_end_ms), the cues of the previous generation's store are on
 * that timeline: the newest NGX_SLUICE_MAX_CUES of them go back into
 * the zone, so a break that began before the restart still shows.
 * Without a recording the new timeline starts again at 0 and the old
 * cues are left in the old store (the assets keep their own).
 */

void
ngx_sluice_cue_init_zone(ngx_sluice_zone_ctx_t *zctx, ngx_log_t *log)
{
    u_char                *buf, *path;
    ngx_uint_t             i, n, stored, taken;
    ngx_queue_t           *q;
    const char            *reason;
    ngx_sluice_event_t    *ev;
    ngx_sluice_cue_rec_t  *recs;
    u_char                 pbuf[NGX_MAX_PATH];

    if (zctx->data_path.len == 0
        || zctx->data_path.len + 128 > NGX_MAX_PATH)
    {
        return;
    }

    for (q = ngx_queue_head(&zctx->sh->events);
         q != ngx_queue_sentinel(&zctx->sh->events);
         q = ngx_queue_next(q))
    {
        ev = ngx_queue_data(q, ngx_sluice_event_t, queue);

        if (ev->record_end_ms == 0 || ev->generation == 0) {
            continue;
        }

        path = pbuf;
        ngx_sprintf(path, "%V/live/%s/%uD/cues%Z", &zctx->data_path, ev->id,
                    ev->generation - 1);

        if (ngx_sluice_cue_load(path, log, &buf, &recs, &n) != NGX_OK) {
            continue;
        }

        taken = 0;

        for (i = (n > NGX_SLUICE_MAX_CUES) ? n - NGX_SLUICE_MAX_CUES : 0;
             i < n;
             i++)
        {
            stored = 0;
            reason = ngx_sluice_cue_put(zctx->shpool, ev, &recs[i].cue, 0,
                                        &stored);

            if (reason == NULL && stored) {
                taken++;
            }
        }

        if (buf) {
            ngx_free(buf);
        }

        if (recs) {
            ngx_free(recs);
        }

        if (taken) {
            ngx_log_error(NGX_LOG_INFO, log, 0,
                          "sluice: live event \"%s\": %ui cue(s) of \"%s\" "
                          "taken back, the timeline continues", ev->name,
                          taken, path);
        }
    }
}
