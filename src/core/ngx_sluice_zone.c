
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The Sluice shared-memory zone: initialization (fresh, or reused on
 * reload), live event lookups, IP allow-lists, API operation records and
 * the repair of a zone left half-changed by a worker that died.
 *
 *   ngx_sluice_shctx_t (shpool->data)
 *     events: ngx_sluice_event_t <-> ... (creation order)
 *     ops:    ngx_sluice_op_t <-> ...    (oldest first, at most
 *             NGX_SLUICE_MAX_OPS; pending ones linked from
 *             event->op)
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "core/ngx_sluice_zone.h"
#include "core/ngx_sluice_ll.h"
#include "core/ngx_sluice_asset.h"
#include "core/ngx_sluice_cue.h"
#include "core/ngx_sluice_index.h"
#include "core/ngx_sluice_metrics.h"
#include "core/ngx_sluice_recorder.h"
#include "core/ngx_sluice_resource.h"
#include "core/ngx_sluice_store.h"
#include "core/ngx_sluice_telemetry.h"


static ngx_int_t ngx_sluice_init_zone(ngx_shm_zone_t *shm_zone, void *data);
static void ngx_sluice_zone_repair(ngx_sluice_shctx_t *sh, ngx_log_t *log);
static void ngx_sluice_op_complete(ngx_sluice_shctx_t *sh,
    ngx_sluice_event_t *ev, ngx_sluice_op_t *op);
static ngx_int_t ngx_sluice_op_expire(ngx_slab_pool_t *shpool,
    ngx_queue_t *ops, ngx_uint_t *nops);


/* the tag of Sluice's zone: its address, not its value, is what counts */
static ngx_uint_t  ngx_sluice_zone_tag;


ngx_shm_zone_t *
ngx_sluice_zone_add(ngx_conf_t *cf, ngx_str_t *name, size_t size)
{
    ngx_shm_zone_t         *shm_zone;
    ngx_sluice_zone_ctx_t  *ctx;

    ctx = ngx_pcalloc(cf->pool, sizeof(ngx_sluice_zone_ctx_t));
    if (ctx == NULL) {
        return NULL;
    }

    ctx->waiter = -1;

    shm_zone = ngx_shared_memory_add(cf, name, size, &ngx_sluice_zone_tag);
    if (shm_zone == NULL) {
        return NULL;
    }

    if (shm_zone->data) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "duplicate zone \"%V\"", name);
        return NULL;
    }

    shm_zone->init = ngx_sluice_init_zone;
    shm_zone->data = ctx;

    return shm_zone;
}


ngx_shm_zone_t *
ngx_sluice_zone_lookup(ngx_cycle_t *cycle)
{
    ngx_uint_t        i;
    ngx_shm_zone_t   *zone;
    ngx_list_part_t  *part;

    part = &cycle->shared_memory.part;
    zone = part->elts;

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                return NULL;
            }

            part = part->next;
            zone = part->elts;
            i = 0;
        }

        if (zone[i].tag == &ngx_sluice_zone_tag) {
            return &zone[i];
        }
    }
}


static ngx_int_t
ngx_sluice_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_sluice_zone_ctx_t  *octx = data;

    size_t                  len;
    ngx_sluice_zone_ctx_t  *ctx;

    ctx = shm_zone->data;

    if (octx) {
        /* reload: the zone and its events survive */
        ctx->sh = octx->sh;
        ctx->shpool = octx->shpool;
        return NGX_OK;
    }

    ctx->shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        ctx->sh = ctx->shpool->data;
        return NGX_OK;
    }

    ctx->sh = ngx_slab_calloc(ctx->shpool, sizeof(ngx_sluice_shctx_t));
    if (ctx->sh == NULL) {
        return NGX_ERROR;
    }

    ctx->shpool->data = ctx->sh;

    ngx_queue_init(&ctx->sh->events);
    ngx_queue_init(&ctx->sh->ops);
    ctx->sh->shpool = ctx->shpool;
    ctx->sh->tel_epoch = ngx_sluice_now_ms();

    if (ngx_sluice_metrics_init_zone(ctx->sh) != NGX_OK) {
        return NGX_ERROR;
    }

    len = sizeof(" in sluice zone \"\"") + shm_zone->shm.name.len;

    ctx->shpool->log_ctx = ngx_slab_alloc(ctx->shpool, len);
    if (ctx->shpool->log_ctx == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(ctx->shpool->log_ctx, " in sluice zone \"%V\"%Z",
                &shm_zone->shm.name);

    ctx->shpool->log_nomem = 0;

    /* a fresh zone: bring back the resources saved on disk */

    if (ngx_sluice_store_load(ctx, shm_zone->shm.log) != NGX_OK) {
        return NGX_ERROR;
    }

    /* assets, live outputs, policies, locators, endpoints */

    if (ngx_sluice_res_init_zone(ctx, shm_zone->shm.log) != NGX_OK) {
        return NGX_ERROR;
    }

    /* recordings go on after what live outputs recorded before */

    ngx_sluice_recorder_init_zone(ctx, shm_zone->shm.log);

    /* and the live cues of those timelines */

    ngx_sluice_cue_init_zone(ctx, shm_zone->shm.log);

    return NGX_OK;
}


uint64_t
ngx_sluice_now_ms(void)
{
    ngx_time_t  *tp;

    tp = ngx_timeofday();

    return (uint64_t) tp->sec * 1000 + tp->msec;
}


void
ngx_sluice_zone_begin(ngx_sluice_shctx_t *sh, ngx_log_t *log)
{
    if (sh->dirty) {
        ngx_sluice_zone_repair(sh, log);
    }

    sh->dirty = 1;
}


void
ngx_sluice_zone_end(ngx_sluice_shctx_t *sh)
{
    sh->dirty = 0;
}


/*
 * A worker died between zone_begin() and zone_end(): the master unlocked
 * the mutex, but a queue may be half-linked and counters off.  Relink
 * both queues from their heads, keeping the nodes that lie in the zone,
 * recount, and drop links to operation records that are gone.
 */

static void
ngx_sluice_zone_repair(ngx_sluice_shctx_t *sh, ngx_log_t *log)
{
    ngx_queue_t         *q;
    ngx_sluice_event_t  *ev;

    ngx_log_error(NGX_LOG_ALERT, log, 0,
                  "sluice: zone left half-changed by a dead worker, "
                  "repairing");

    sh->nevents = ngx_sluice_queue_repair(sh->shpool, &sh->events, 65536);
    sh->nops = ngx_sluice_queue_repair(sh->shpool, &sh->ops, 65536);

    for (q = ngx_queue_head(&sh->events);
         q != ngx_queue_sentinel(&sh->events);
         q = ngx_queue_next(q))
    {
        ev = ngx_queue_data(q, ngx_sluice_event_t, queue);

        if (ev->op && !ngx_sluice_op_linked(&sh->ops, ev->op)) {
            ev->op = NULL;
        }
    }

    ngx_sluice_res_repair(sh);

    sh->dirty = 0;
}


ngx_uint_t
ngx_sluice_queue_repair(ngx_slab_pool_t *shpool, ngx_queue_t *head,
    ngx_uint_t limit)
{
    u_char       *start, *end;
    ngx_uint_t    n;
    ngx_queue_t  *q, *prev;

    start = (u_char *) shpool->start;
    end = (u_char *) shpool->end;

    n = 0;
    prev = head;
    q = head->next;

    while (q != head) {
        if ((u_char *) q < start || (u_char *) q + sizeof(ngx_queue_t) > end
            || n == limit)
        {
            break;
        }

        q->prev = prev;
        prev = q;
        q = q->next;
        n++;
    }

    prev->next = head;
    head->prev = prev;

    return n;
}


ngx_uint_t
ngx_sluice_op_linked(ngx_queue_t *ops, ngx_sluice_op_t *op)
{
    ngx_queue_t  *q;

    for (q = ngx_queue_head(ops);
         q != ngx_queue_sentinel(ops);
         q = ngx_queue_next(q))
    {
        if (q == &op->queue) {
            return 1;
        }
    }

    return 0;
}


#if (NGX_DEBUG)

void
ngx_sluice_test_crash_point(ngx_str_t *data_path)
{
    u_char  path[NGX_MAX_PATH];

    if (data_path->len + sizeof("/.sluice-test-crash") > sizeof(path)) {
        return;
    }

    ngx_sprintf(path, "%V/.sluice-test-crash%Z", data_path);

    if (ngx_delete_file(path) == 0) {
        ngx_log_error(NGX_LOG_NOTICE, ngx_cycle->log, 0,
                      "sluice: test crash point reached, aborting");
        abort();
    }
}

#endif


ngx_sluice_event_t *
ngx_sluice_event_alloc(ngx_sluice_shctx_t *sh)
{
    ngx_sluice_event_t  *ev;

    ev = ngx_slab_calloc_locked(sh->shpool, sizeof(ngx_sluice_event_t));
    if (ev == NULL) {
        return NULL;
    }

    ev->serial = ++sh->serial;

    return ev;
}


/* unlinks (when linked) and frees an event; caller inside zone_begin() */

void
ngx_sluice_event_free(ngx_sluice_shctx_t *sh, ngx_sluice_event_t *ev)
{
    if (ev->queue.next) {
        ngx_queue_remove(&ev->queue);
        sh->nevents--;
    }

    ngx_sluice_event_free_tracks(sh->shpool, ev);
    ngx_sluice_tel_free(sh->shpool, ev);

    if (ev->json) {
        ngx_slab_free_locked(sh->shpool, ev->json);
    }

    if (ev->op && ev->op->status == NGX_SLUICE_OP_IN_PROGRESS) {
        ev->op->status = NGX_SLUICE_OP_SUCCEEDED;
    }

    /* no reader may take this for a live event any more */
    ev->serial = 0;
    ev->state = NGX_SLUICE_DELETING;
    ev->id[0] = '\0';
    ev->token[0] = '\0';
    ev->preview_locator[0] = '\0';

    ngx_slab_free_locked(sh->shpool, ev);
}


ngx_int_t
ngx_sluice_event_set_json(ngx_sluice_shctx_t *sh, ngx_sluice_event_t *ev,
    u_char *json, size_t len)
{
    return ngx_sluice_zone_set_json(sh, &ev->json, &ev->json_len, json, len);
}


ngx_int_t
ngx_sluice_zone_set_json(ngx_sluice_shctx_t *sh, u_char **dst,
    size_t *dst_len, u_char *json, size_t len)
{
    u_char  *p;

    p = ngx_slab_alloc_locked(sh->shpool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(p, json, len);

    if (*dst) {
        ngx_slab_free_locked(sh->shpool, *dst);
    }

    *dst = p;
    *dst_len = len;

    return NGX_OK;
}


ngx_int_t
ngx_sluice_event_settle(ngx_sluice_shctx_t *sh, ngx_sluice_event_t *ev)
{
    ngx_sluice_op_t  *op;

    op = ev->op;

    if (op == NULL || !ngx_sluice_op_due(op)) {
        return NGX_OK;
    }

    ngx_sluice_op_complete(sh, ev, op);

    return op->kind == NGX_SLUICE_OP_DELETE ? NGX_DECLINED : NGX_OK;
}


static void
ngx_sluice_op_complete(ngx_sluice_shctx_t *sh, ngx_sluice_event_t *ev,
    ngx_sluice_op_t *op)
{
    ngx_uint_t            i, prev;
    ngx_sluice_ll_wake_t  w;

    /*
     * requests parked on the event are answered: a datagram per worker,
     * rare enough to be sent under the mutex
     */
    ngx_sluice_ll_changed(sh, ev, &w);
    ngx_sluice_ll_wake(&w, ngx_cycle->log);

    sh->dirty = 1;

    ev->op = NULL;
    op->status = NGX_SLUICE_OP_SUCCEEDED;

    switch (op->kind) {

    case NGX_SLUICE_OP_DELETE:
        ngx_sluice_event_free(sh, ev);
        sh->dirty = 0;
        return;

    case NGX_SLUICE_OP_RESET:
        ev->generation++;
        ngx_sluice_event_free_tracks(sh->shpool, ev);
        break;

    case NGX_SLUICE_OP_STOP:
        for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
            if (ev->tracks[i].state == NGX_SLUICE_TRACK_ACTIVE) {
                ngx_sluice_track_close(ev, i);
            }
        }

        break;

    default:
        break;
    }

    if (op->target == NGX_SLUICE_RUNNING
        && op->kind != NGX_SLUICE_OP_RESET
        && op->kind != NGX_SLUICE_OP_UPDATE)
    {
        /* a start: a new timeline */
        ev->generation++;
        ngx_sluice_event_free_tracks(sh->shpool, ev);
    }

    prev = ev->state;
    ev->state = op->target;

    ngx_sluice_tel_state(sh, ev, prev);

    sh->dirty = 0;
}


ngx_sluice_op_t *
ngx_sluice_op_start(ngx_sluice_shctx_t *sh, ngx_sluice_event_t *ev,
    ngx_uint_t kind, ngx_uint_t state, ngx_uint_t target,
    ngx_msec_t delay_ms, u_char *id)
{
    ngx_uint_t        prev;
    ngx_sluice_op_t  *op;

    op = ngx_sluice_op_alloc(sh->shpool, &sh->ops, &sh->nops, kind, target,
                             delay_ms, id);
    if (op == NULL) {
        return NULL;
    }

    ngx_cpystrn(op->event, ev->name, NGX_SLUICE_NAME_LEN + 1);
    op->event_serial = ev->serial;

    prev = ev->state;
    ev->state = state;
    ev->op = op;

    ngx_sluice_tel_state(sh, ev, prev);

    if (delay_ms == 0) {
        ngx_sluice_op_complete(sh, ev, op);
    }

    return op;
}


ngx_uint_t
ngx_sluice_op_due(ngx_sluice_op_t *op)
{
    return op->status != NGX_SLUICE_OP_IN_PROGRESS
           || ngx_sluice_now_ms() >= op->done_ms;
}


ngx_sluice_op_t *
ngx_sluice_op_alloc(ngx_slab_pool_t *shpool, ngx_queue_t *ops,
    ngx_uint_t *nops, ngx_uint_t kind, ngx_uint_t target,
    ngx_msec_t delay_ms, u_char *id)
{
    uint64_t          now;
    ngx_sluice_op_t  *op;

    if (*nops >= NGX_SLUICE_MAX_OPS
        && ngx_sluice_op_expire(shpool, ops, nops) != NGX_OK)
    {
        return NULL;
    }

    op = ngx_slab_calloc_locked(shpool, sizeof(ngx_sluice_op_t));
    if (op == NULL) {
        if (ngx_sluice_op_expire(shpool, ops, nops) != NGX_OK) {
            return NULL;
        }

        op = ngx_slab_calloc_locked(shpool, sizeof(ngx_sluice_op_t));
        if (op == NULL) {
            return NULL;
        }
    }

    now = ngx_sluice_now_ms();

    ngx_memcpy(op->id, id, NGX_SLUICE_ID_LEN);
    op->kind = kind;
    op->status = NGX_SLUICE_OP_IN_PROGRESS;
    op->target = target;
    op->created_ms = now;
    op->done_ms = now + delay_ms;

    ngx_queue_insert_tail(ops, &op->queue);
    (*nops)++;

    return op;
}


/* frees the oldest finished record, and every one past its time */

static ngx_int_t
ngx_sluice_op_expire(ngx_slab_pool_t *shpool, ngx_queue_t *ops,
    ngx_uint_t *nops)
{
    uint64_t          now;
    ngx_int_t         rc;
    ngx_queue_t      *q, *next;
    ngx_sluice_op_t  *op;

    now = ngx_sluice_now_ms();
    rc = NGX_DECLINED;

    for (q = ngx_queue_head(ops); q != ngx_queue_sentinel(ops); q = next) {
        next = ngx_queue_next(q);
        op = ngx_queue_data(q, ngx_sluice_op_t, queue);

        if (op->status == NGX_SLUICE_OP_IN_PROGRESS) {
            continue;
        }

        if (rc == NGX_OK && op->created_ms + NGX_SLUICE_OP_TTL_MS > now) {
            break;
        }

        ngx_queue_remove(q);
        (*nops)--;
        ngx_slab_free_locked(shpool, op);

        rc = NGX_OK;
    }

    return rc;
}


ngx_sluice_op_t *
ngx_sluice_op_find(ngx_sluice_shctx_t *sh, u_char *id, size_t len)
{
    ngx_queue_t         *q;
    ngx_sluice_op_t     *op;
    ngx_sluice_event_t  *ev;

    if (len != NGX_SLUICE_ID_LEN) {
        return NULL;
    }

    for (q = ngx_queue_head(&sh->ops);
         q != ngx_queue_sentinel(&sh->ops);
         q = ngx_queue_next(q))
    {
        op = ngx_queue_data(q, ngx_sluice_op_t, queue);

        if (ngx_strncasecmp(op->id, id, len) != 0) {
            continue;
        }

        if (op->status == NGX_SLUICE_OP_IN_PROGRESS) {
            ev = ngx_sluice_event_by_name(sh, op->event,
                                          ngx_strlen(op->event));
            /* the lookup completes the operation when it is due */

            if (op->status == NGX_SLUICE_OP_IN_PROGRESS
                && (ev == NULL || ev->serial != op->event_serial
                    || ev->op != op))
            {
                /* its event went away (a repaired zone) */
                op->status = NGX_SLUICE_OP_FAILED;
            }
        }

        return op;
    }

    return NULL;
}


ngx_sluice_event_t *
ngx_sluice_event_by_name(ngx_sluice_shctx_t *sh, u_char *name, size_t len)
{
    ngx_queue_t         *q;
    ngx_sluice_event_t  *ev;

    if (len == 0 || len > NGX_SLUICE_NAME_LEN) {
        return NULL;
    }

    for (q = ngx_queue_head(&sh->events);
         q != ngx_queue_sentinel(&sh->events);
         q = ngx_queue_next(q))
    {
        ev = ngx_queue_data(q, ngx_sluice_event_t, queue);

        if (ngx_strncasecmp(ev->name, name, len) == 0
            && ev->name[len] == '\0')
        {
            return ngx_sluice_event_settle(sh, ev) == NGX_OK ? ev : NULL;
        }
    }

    return NULL;
}


ngx_sluice_event_t *
ngx_sluice_event_by_token(ngx_sluice_shctx_t *sh, u_char *token, size_t len)
{
    ngx_queue_t         *q;
    ngx_sluice_event_t  *ev;

    if (len == 0 || len > NGX_SLUICE_TOKEN_LEN) {
        return NULL;
    }

    for (q = ngx_queue_head(&sh->events);
         q != ngx_queue_sentinel(&sh->events);
         q = ngx_queue_next(q))
    {
        ev = ngx_queue_data(q, ngx_sluice_event_t, queue);

        if (ngx_strncmp(ev->token, token, len) == 0
            && ev->token[len] == '\0')
        {
            return ngx_sluice_event_settle(sh, ev) == NGX_OK ? ev : NULL;
        }
    }

    return NULL;
}


ngx_sluice_event_t *
ngx_sluice_event_by_preview(ngx_sluice_shctx_t *sh, u_char *locator,
    size_t len)
{
    ngx_queue_t         *q;
    ngx_sluice_event_t  *ev;

    if (len != NGX_SLUICE_ID_LEN) {
        return NULL;
    }

    for (q = ngx_queue_head(&sh->events);
         q != ngx_queue_sentinel(&sh->events);
         q = ngx_queue_next(q))
    {
        ev = ngx_queue_data(q, ngx_sluice_event_t, queue);

        if (ngx_strncasecmp(ev->preview_locator, locator, len) == 0) {
            return ngx_sluice_event_settle(sh, ev) == NGX_OK ? ev : NULL;
        }
    }

    return NULL;
}


ngx_int_t
ngx_sluice_ip_allowed(ngx_sluice_ip_acl_t *acl, struct sockaddr *sa)
{
    u_char                 *addr;
    ngx_uint_t              i, j, family, n;
    ngx_sluice_ip_rule_t   *rule;
    struct sockaddr_in     *sin;
#if (NGX_HAVE_INET6)
    struct sockaddr_in6    *sin6;
#endif

    if (acl->allow_all) {
        return NGX_OK;
    }

    switch (sa->sa_family) {

    case AF_INET:
        sin = (struct sockaddr_in *) sa;
        addr = (u_char *) &sin->sin_addr.s_addr;
        family = AF_INET;
        break;

#if (NGX_HAVE_INET6)
    case AF_INET6:
        sin6 = (struct sockaddr_in6 *) sa;
        addr = sin6->sin6_addr.s6_addr;
        family = AF_INET6;

        if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
            addr += 12;
            family = AF_INET;
        }

        break;
#endif

    default:
        /* unix sockets: local */
        return NGX_OK;
    }

    n = (family == AF_INET) ? 4 : 16;

    for (i = 0; i < acl->nrules && i < NGX_SLUICE_MAX_IP_RULES; i++) {
        rule = &acl->rules[i];

        if (rule->family != family) {
            continue;
        }

        for (j = 0; j < n; j++) {
            if ((addr[j] & rule->mask[j]) != rule->addr[j]) {
                break;
            }
        }

        if (j == n) {
            return NGX_OK;
        }
    }

    return NGX_DECLINED;
}
