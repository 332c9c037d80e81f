
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Blocking requests (LL-HLS, RFC 8216bis 6.2.5.2 and 6.2.6).
 *
 * A request whose answer is not there yet is parked: it stays in this
 * worker's list with the event's change count it saw, its bit is set in
 * the event's waiters (under the zone mutex, with a check that the event
 * has not changed since), and it holds one reference on the request
 * (r->main->count).  It costs its memory and one timer, its deadline.
 *
 * When any worker changes the event (a part, a fragment, a state change:
 * core/ngx_sluice_ll.h), this worker is woken once.  It walks its parked
 * requests: those whose event changed run again from their URL (and may
 * park again, with the deadline of their first park); the others set
 * their bit again.  A request whose client leaves is removed by its
 * cleanup handler; one whose deadline passes is answered 503.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "packager/ngx_http_sluice_packager_ll.h"
#include "packager/ngx_http_sluice_packager_module.h"
#include "packager/ngx_http_sluice_packager_segment.h"
#include "core/ngx_sluice_ll.h"
#include "core/ngx_sluice_index.h"


typedef struct {
    ngx_queue_t                  queue;     /* in ngx_http_sluice_ll_parked_q */
    ngx_http_request_t          *request;
    ngx_sluice_zone_ctx_t       *zctx;
    u_char                       event_id[NGX_SLUICE_ID_LEN + 1];
    uint32_t                     generation;
    uint64_t                     changes;   /* seen when parked */
    ngx_int_t                    slot;      /* the track waited on, -1 */
    uint64_t                     count;     /* its appends then */
    ngx_msec_t                   deadline;
    ngx_event_t                  timer;
    unsigned                     parked:1;
    unsigned                     ran:1;     /* parked once: a re-run */
    unsigned                     hold:1;    /* at the deadline: answered */
    unsigned                     expired:1; /* its deadline passed */
    /*
     * the pool of a run that left the request to a thread (a live
     * asset's read): freed by the next run, or with the request
     */
    ngx_pool_t                  *run;
    ngx_http_sluice_ll_stream_t  stream;
} ngx_http_sluice_ll_ctx_t;


static ngx_http_sluice_ll_ctx_t *ngx_http_sluice_ll_get(
    ngx_http_request_t *r);
static ngx_http_sluice_ll_ctx_t *ngx_http_sluice_ll_ctx(
    ngx_http_request_t *r);
static ngx_int_t ngx_http_sluice_ll_arm(ngx_http_sluice_ll_ctx_t *ctx);
static void ngx_http_sluice_ll_unpark(ngx_http_sluice_ll_ctx_t *ctx);
static void ngx_http_sluice_ll_wake(ngx_event_t *ev);
static void ngx_http_sluice_ll_run(ngx_http_sluice_ll_ctx_t *ctx);
static void ngx_http_sluice_ll_pool_cleanup(void *data);
static void ngx_http_sluice_ll_expire(ngx_event_t *ev);
static void ngx_http_sluice_ll_cleanup(void *data);
static void ngx_http_sluice_ll_run_cleanup(void *data);
static void ngx_http_sluice_ll_flush(ngx_http_request_t *r);


/*
 * What this worker's last LL-HLS playlist of a track of the preview said
 * its last segment and part were, and the track's appends then: while the
 * track has not changed, a blocking reload for the part after them waits
 * without a snapshot (ngx_http_sluice_ll_precheck())
 */
typedef struct {
    u_char                       event_id[NGX_SLUICE_ID_LEN + 1];
    uint32_t                     generation;
    ngx_uint_t                   slot;
    ngx_msec_t                   window;
    uint64_t                     count;
    uint64_t                     msn;
    int64_t                      part;
} ngx_http_sluice_ll_last_t;

#define NGX_HTTP_SLUICE_LL_LASTS  64

static ngx_http_sluice_ll_last_t
    ngx_http_sluice_ll_lasts[NGX_HTTP_SLUICE_LL_LASTS];

static ngx_queue_t   ngx_http_sluice_ll_parked_q;
static ngx_uint_t    ngx_http_sluice_ll_nparked;


ngx_int_t
ngx_http_sluice_ll_park(ngx_http_sluice_pkg_t *pkg)
{
    ngx_http_request_t        *r;
    ngx_http_sluice_ll_ctx_t  *ctx;

    r = pkg->request;

    ctx = ngx_http_sluice_ll_ctx(r);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ctx->deadline == 0 || ctx->stream.started) {
        /* a segment in progress: three target durations from each part */
        ctx->deadline = ngx_current_msec
                        + 3 * (pkg->fragment_ms ? pkg->fragment_ms : 2000);
    }

    if ((ngx_msec_int_t) (ctx->deadline - ngx_current_msec) <= 0) {

        if (!pkg->ll_hold || ctx->stream.started || ctx->expired) {
            return ngx_http_sluice_packager_error(r,
                       NGX_HTTP_SERVICE_UNAVAILABLE,
                       "not available within three target durations");
        }

        /* held: answered with what there is, at once (below) */
        ctx->expired = 1;
    }

    ctx->hold = pkg->ll_hold;
    ctx->zctx = pkg->zctx;
    ngx_memcpy(ctx->event_id, pkg->ll_event_id, sizeof(ctx->event_id));
    ctx->generation = pkg->ll_generation;
    ctx->changes = pkg->ll_changes;
    ctx->slot = pkg->ll_slot;
    ctx->count = pkg->ll_count;

    if (!ctx->parked) {
        ngx_queue_insert_tail(&ngx_http_sluice_ll_parked_q, &ctx->queue);
        ngx_http_sluice_ll_nparked++;
        ctx->parked = 1;
    }

    ctx->timer.handler = ngx_http_sluice_ll_expire;
    ctx->timer.data = ctx;
    ctx->timer.log = r->connection->log;

    if (!ctx->expired) {
        ngx_add_timer(&ctx->timer, ctx->deadline - ngx_current_msec);
    }

    r->main->count++;
    r->read_event_handler = ngx_http_test_reading;
    r->write_event_handler = ctx->stream.started
                             ? ngx_http_sluice_ll_flush
                             : ngx_http_request_empty_handler;

    pkg->ll_parked = 1;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "sluice ll: parked, changes %uL, %ui parked",
                   ctx->changes, ngx_http_sluice_ll_nparked);

    /*
     * it changed already: run again at once; without a waiter slot it
     * waits for its deadline
     */

    if (ctx->expired || ngx_http_sluice_ll_arm(ctx) == NGX_DECLINED) {
        ngx_http_sluice_ll_unpark(ctx);
        ngx_http_sluice_ll_run(ctx);
    }

    return NGX_DONE;
}


ngx_http_sluice_ll_stream_t *
ngx_http_sluice_ll_stream(ngx_http_request_t *r)
{
    ngx_http_sluice_ll_ctx_t  *ctx;

    ctx = ngx_http_sluice_ll_ctx(r);

    return ctx ? &ctx->stream : NULL;
}


ngx_uint_t
ngx_http_sluice_ll_expired(ngx_http_request_t *r)
{
    ngx_http_sluice_ll_ctx_t  *ctx;

    ctx = ngx_http_sluice_ll_get(r);

    return ctx ? ctx->expired : 0;
}


ngx_uint_t
ngx_http_sluice_ll_started(ngx_http_request_t *r)
{
    ngx_http_sluice_ll_ctx_t  *ctx;

    ctx = ngx_http_sluice_ll_get(r);

    return ctx ? ctx->stream.started : 0;
}


void
ngx_http_sluice_packager_ll_event(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_event_t *ev)
{
    ngx_memcpy(pkg->ll_event_id, ev->id, NGX_SLUICE_ID_LEN + 1);
    pkg->ll_generation = ev->generation;
    pkg->ll_latency = ev->latency;
    pkg->ll_part_ms = ev->part_ms;
    pkg->ll_changes = ev->changes;
    pkg->ll_slot = -1;
}


static ngx_http_sluice_ll_last_t *
ngx_http_sluice_ll_last(u_char *id, ngx_uint_t slot)
{
    ngx_uint_t  h;

    h = ngx_hash_key(id, NGX_SLUICE_ID_LEN) + slot;

    return &ngx_http_sluice_ll_lasts[h % NGX_HTTP_SLUICE_LL_LASTS];
}


void
ngx_http_sluice_ll_remember(ngx_http_sluice_pkg_t *pkg, ngx_uint_t slot,
    uint64_t count, ngx_msec_t window, uint64_t msn, int64_t part)
{
    ngx_http_sluice_ll_last_t  *l;

    l = ngx_http_sluice_ll_last(pkg->ll_event_id, slot);

    ngx_memcpy(l->event_id, pkg->ll_event_id, sizeof(l->event_id));
    l->generation = pkg->ll_generation;
    l->slot = slot;
    l->window = window;
    l->count = count;
    l->msn = msn;
    l->part = part;
}


ngx_int_t
ngx_http_sluice_ll_args(ngx_http_sluice_pkg_t *pkg, uint64_t *msn,
    int64_t *part)
{
    ngx_int_t   n;
    ngx_str_t   v;

    *part = -1;

    if (ngx_http_arg(pkg->request, (u_char *) "_HLS_part", 9, &v) == NGX_OK) {
        n = ngx_atoi(v.data, v.len);
        if (n == NGX_ERROR) {
            pkg->reason = "_HLS_part is not a number";
            return NGX_ERROR;
        }

        *part = n;
    }

    if (ngx_http_arg(pkg->request, (u_char *) "_HLS_msn", 8, &v) != NGX_OK) {
        if (*part >= 0) {
            pkg->reason = "_HLS_part without _HLS_msn";
            return NGX_ERROR;
        }

        return NGX_DECLINED;
    }

    n = ngx_atoi(v.data, v.len);
    if (n == NGX_ERROR) {
        pkg->reason = "_HLS_msn is not a number";
        return NGX_ERROR;
    }

    *msn = (uint64_t) n;

    return NGX_OK;
}


ngx_int_t
ngx_http_sluice_ll_precheck(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_event_t *ev, ngx_msec_t window)
{
    int64_t                     part;
    uint64_t                    msn;
    ngx_uint_t                  slot;
    ngx_sluice_track_t         *tr;
    ngx_http_sluice_ll_last_t  *l;

    if (ev->part_ms == 0 || pkg->nfilters
        || pkg->url.kind != SLUICE_URL_PLAYLIST
        || pkg->url.format != SLUICE_FORMAT_HLS_CMAF
        || ngx_http_sluice_ll_args(pkg, &msn, &part) != NGX_OK)
    {
        return NGX_OK;
    }

    tr = ngx_http_sluice_packager_track(ev, &pkg->url.track,
                                        pkg->url.bitrate);
    if (tr == NULL) {
        return NGX_OK;
    }

    slot = tr - ev->tracks;
    l = ngx_http_sluice_ll_last(ev->id, slot);

    if (l->slot != slot || l->generation != ev->generation
        || l->window != window || l->count != ngx_sluice_ll_track_count(tr)
        || ngx_strcmp(l->event_id, ev->id) != 0)
    {
        return NGX_OK;
    }

    /*
     * the track is as the playlist saw it: the part after its last, or
     * the first of the next segment, is not there yet
     */

    if ((msn == l->msn && part == l->part + 1 && l->part >= 0)
        || (msn == l->msn + 1 && part <= 0))
    {
        pkg->ll_wait = 1;
        pkg->ll_slot = slot;
        pkg->ll_count = l->count;
        pkg->ll_changes = ev->changes;
        pkg->reason = "not yet";
        return NGX_DECLINED;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_sluice_packager_ll_tracks(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_event_t *ev)
{
    ngx_uint_t                i, n;
    ngx_sluice_track_t       *tr;
    ngx_sluice_track_snap_t  *ts;

    if (ev->part_ms == 0) {
        return NGX_OK;
    }

    pkg->ll_tracks = ngx_pcalloc(pkg->request->pool, NGX_SLUICE_MAX_TRACKS
                                            * sizeof(ngx_sluice_track_snap_t));
    if (pkg->ll_tracks == NULL) {
        return NGX_ERROR;
    }

    n = 0;

    for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
        tr = &ev->tracks[i];

        if (tr->state == NGX_SLUICE_TRACK_FREE || tr->nparts == 0) {
            continue;
        }

        ts = &pkg->ll_tracks[n];

        ts->index = i;
        ngx_memcpy(ts->stream, tr->stream, sizeof(ts->stream));
        ts->info = tr->info;

        ts->parts = ngx_palloc(pkg->request->pool,
                               tr->nparts * sizeof(ngx_sluice_part_t));
        if (ts->parts == NULL) {
            return NGX_ERROR;
        }

        ts->nparts = ngx_sluice_ll_parts_copy(tr, 0, ts->parts, tr->nparts);
        n++;
    }

    pkg->ll_ntracks = n;

    return NGX_OK;
}


ngx_int_t
ngx_http_sluice_ll_init_process(ngx_cycle_t *cycle, ngx_shm_zone_t *zone)
{
    ngx_queue_init(&ngx_http_sluice_ll_parked_q);

    if (zone == NULL || zone->data == NULL) {
        return NGX_OK;
    }

    return ngx_sluice_ll_init_process(cycle, zone->data,
                                      ngx_http_sluice_ll_wake);
}


void
ngx_http_sluice_ll_exit_process(ngx_shm_zone_t *zone)
{
    if (zone && zone->data) {
        ngx_sluice_ll_exit_process(zone->data);
    }
}


/* the request's state if it has one */

static ngx_http_sluice_ll_ctx_t *
ngx_http_sluice_ll_get(ngx_http_request_t *r)
{
    ngx_http_sluice_packager_ctx_t  *pctx;

    pctx = ngx_http_get_module_ctx(r, ngx_http_sluice_packager_module);

    return pctx ? pctx->ll : NULL;
}


static ngx_http_sluice_ll_ctx_t *
ngx_http_sluice_ll_ctx(ngx_http_request_t *r)
{
    ngx_pool_cleanup_t              *pcln;
    ngx_http_cleanup_t              *cln;
    ngx_http_sluice_ll_ctx_t        *ctx;
    ngx_http_sluice_packager_ctx_t  *pctx;

    pctx = ngx_http_sluice_packager_ctx(r);
    if (pctx == NULL) {
        return NULL;
    }

    if (pctx->ll) {
        return pctx->ll;
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_sluice_ll_ctx_t));
    if (ctx == NULL) {
        return NULL;
    }

    cln = ngx_http_cleanup_add(r, 0);
    if (cln == NULL) {
        return NULL;
    }

    cln->handler = ngx_http_sluice_ll_cleanup;
    cln->data = ctx;

    /* with the request's pool: never while a thread reads for it */
    pcln = ngx_pool_cleanup_add(r->pool, 0);
    if (pcln == NULL) {
        return NULL;
    }

    pcln->handler = ngx_http_sluice_ll_run_cleanup;
    pcln->data = ctx;

    ctx->request = r;
    pctx->ll = ctx;

    return ctx;
}


/*
 * Set the worker's bit on the event if it has not changed since the
 * request saw it (mutex held for both): NGX_OK; otherwise NGX_DECLINED
 * (changed or gone: run again) or NGX_ERROR (no waiter slot)
 */

static ngx_int_t
ngx_http_sluice_ll_arm(ngx_http_sluice_ll_ctx_t *ctx)
{
    ngx_int_t            rc;
    ngx_sluice_event_t  *ev;

    ngx_shmtx_lock(&ctx->zctx->shpool->mutex);

    ev = ngx_sluice_index_event(ctx->zctx->sh, ctx->event_id,
                                ctx->generation);

    if (ev == NULL
        || (ctx->slot < 0 && ev->changes != ctx->changes)
        || (ctx->slot >= 0
            && (ev->state != NGX_SLUICE_RUNNING
                || ngx_sluice_ll_track_count(&ev->tracks[ctx->slot])
                   != ctx->count)))
    {
        /* what it waits on may be there (or will not come): run again */
        rc = NGX_DECLINED;

    } else {
        rc = ngx_sluice_ll_park(ctx->zctx, ev);
    }

    ngx_shmtx_unlock(&ctx->zctx->shpool->mutex);

    return rc;
}


static void
ngx_http_sluice_ll_unpark(ngx_http_sluice_ll_ctx_t *ctx)
{
    if (ctx->parked) {
        ngx_queue_remove(&ctx->queue);
        ngx_http_sluice_ll_nparked--;
        ctx->parked = 0;
    }

    if (ctx->timer.timer_set) {
        ngx_del_timer(&ctx->timer);
    }
}


/* a change woke the worker: run the requests whose event changed */

static void
ngx_http_sluice_ll_wake(ngx_event_t *ev)
{
    ngx_queue_t                q, *x;
    ngx_http_sluice_ll_ctx_t  *ctx;

    ngx_queue_init(&q);

    x = ngx_queue_head(&ngx_http_sluice_ll_parked_q);

    while (x != ngx_queue_sentinel(&ngx_http_sluice_ll_parked_q)) {
        ctx = ngx_queue_data(x, ngx_http_sluice_ll_ctx_t, queue);
        x = ngx_queue_next(x);

        if (ngx_http_sluice_ll_arm(ctx) != NGX_DECLINED) {
            continue;
        }

        ngx_queue_remove(&ctx->queue);
        ngx_queue_insert_tail(&q, &ctx->queue);
    }

    while (!ngx_queue_empty(&q)) {
        x = ngx_queue_head(&q);
        ctx = ngx_queue_data(x, ngx_http_sluice_ll_ctx_t, queue);

        ngx_queue_remove(x);
        ngx_http_sluice_ll_nparked--;
        ctx->parked = 0;

        if (ctx->timer.timer_set) {
            ngx_del_timer(&ctx->timer);
        }

        ngx_http_sluice_ll_run(ctx);
    }
}


/*
 * The request again from its URL, then finalized (or parked again).  The
 * run allocates from a pool of its own, given to the request as its pool
 * meanwhile: parked again, nothing of the run is kept (the request holds
 * the copies it needs in ctx) and that pool goes, or every wake-up would
 * grow the request's pool by a snapshot of the event; answered, it lives
 * as long as the request's pool.
 */

static void
ngx_http_sluice_ll_run(ngx_http_sluice_ll_ctx_t *ctx)
{
    ngx_int_t            rc;
    ngx_pool_t          *pool, *run;
    ngx_connection_t    *c;
    ngx_pool_cleanup_t  *cln;
    ngx_http_request_t  *r;

    r = ctx->request;
    c = r->connection;

    ngx_http_set_log_request(c->log, r);

    ctx->ran = 1;

    /* a run left to a thread: done, and the request parked again */
    ngx_http_sluice_ll_run_cleanup(ctx);

    pool = r->pool;

    run = ngx_create_pool(NGX_DEFAULT_POOL_SIZE, c->log);
    if (run == NULL) {
        ngx_http_finalize_request(r, r->header_sent
                                     ? NGX_ERROR
                                     : NGX_HTTP_INTERNAL_SERVER_ERROR);
        ngx_http_run_posted_requests(c);
        return;
    }

    r->pool = run;

    rc = ngx_http_sluice_packager_run(r);

    r->pool = pool;

    if (rc == NGX_DONE && ctx->parked && !ctx->stream.started) {
        /*
         * parked again, nothing sent: nothing of the run is in use (a
         * segment in progress keeps its run: its headers and file
         * buffers may still wait in the output)
         */
        ngx_destroy_pool(run);

    } else if (rc == NGX_DONE && r->aio && !ctx->stream.started) {
        /*
         * a thread reads for it: parked again when it is done, its
         * pool goes with the next run; answered, with the request
         */
        ctx->run = run;

    } else {
        cln = ngx_pool_cleanup_add(pool, 0);

        if (cln) {
            cln->handler = ngx_http_sluice_ll_pool_cleanup;
            cln->data = run;

        } else {
            /* the answer may be in it: lost rather than freed under it */
            ngx_log_error(NGX_LOG_ALERT, c->log, 0,
                          "sluice ll: no memory for a pool cleanup");
        }
    }

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE && r->header_sent) {
        /* a segment in progress: no status of its own any more */
        rc = NGX_ERROR;
    }

    ngx_http_finalize_request(r, rc);

    ngx_http_run_posted_requests(c);
}


static void
ngx_http_sluice_ll_pool_cleanup(void *data)
{
    ngx_pool_t  *pool = data;

    ngx_destroy_pool(pool);
}


static void
ngx_http_sluice_ll_expire(ngx_event_t *ev)
{
    ngx_connection_t          *c;
    ngx_http_request_t        *r;
    ngx_http_sluice_ll_ctx_t  *ctx;

    ctx = ev->data;
    r = ctx->request;
    c = r->connection;

    ngx_http_sluice_ll_unpark(ctx);

    if (ctx->hold && !ctx->stream.started) {
        /* what it waited for did not come: answered without it */
        ctx->expired = 1;
        ngx_http_sluice_ll_run(ctx);
        return;
    }

    ngx_http_set_log_request(c->log, r);

    if (ctx->stream.started) {
        /* a segment cut short: the connection closes, no cache keeps it */
        ngx_log_error(NGX_LOG_INFO, c->log, 0,
                      "sluice: segment in progress not completed within "
                      "three target durations");
        ngx_http_finalize_request(r, NGX_ERROR);

    } else {
        ngx_http_finalize_request(r,
            ngx_http_sluice_packager_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                "not available within three target durations"));
    }

    ngx_http_run_posted_requests(c);
}


/* a segment in progress, parked: what the client has not taken yet */

static void
ngx_http_sluice_ll_flush(ngx_http_request_t *r)
{
    if (ngx_http_output_filter(r, NULL) == NGX_ERROR) {
        ngx_http_finalize_request(r, NGX_ERROR);
        return;
    }

    if (ngx_handle_write_event(r->connection->write, 0) != NGX_OK) {
        ngx_http_finalize_request(r, NGX_ERROR);
    }
}


/* the request ends (its client left, or it was answered) */

static void
ngx_http_sluice_ll_cleanup(void *data)
{
    ngx_http_sluice_ll_ctx_t  *ctx = data;

    ngx_http_sluice_ll_unpark(ctx);
}


/*
 * the pool of a run left to a thread, once nothing of it is in use: at
 * the next run, or with the request's pool
 */

static void
ngx_http_sluice_ll_run_cleanup(void *data)
{
    ngx_http_sluice_ll_ctx_t  *ctx = data;

    if (ctx->run) {
        ngx_destroy_pool(ctx->run);
        ctx->run = NULL;
    }
}
