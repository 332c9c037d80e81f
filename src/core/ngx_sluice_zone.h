
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The Sluice shared-memory zone (ngx_sluice_zone.c): its initialisation,
 * the bracket of multi-step changes and their repair, live event
 * records and lookups, long-running operation records.
 */


#ifndef _NGX_SLUICE_ZONE_H_INCLUDED_
#define _NGX_SLUICE_ZONE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "core/ngx_sluice.h"


/* operation records kept at most, and how long a finished one is kept */
#define NGX_SLUICE_MAX_OPS         256
#define NGX_SLUICE_OP_TTL_MS       (3600 * 1000)


/*
 * Sluice's zone is added with a tag of the core, so every module finds
 * it in a cycle's shared memory without knowing which one declared it.
 */
ngx_shm_zone_t *ngx_sluice_zone_add(ngx_conf_t *cf, ngx_str_t *name,
    size_t size);

/* the Sluice zone of cycle, or NULL when none is configured */
ngx_shm_zone_t *ngx_sluice_zone_lookup(ngx_cycle_t *cycle);


/* brackets a multi-step change; repairs the zone if a writer died */
void ngx_sluice_zone_begin(ngx_sluice_shctx_t *sh, ngx_log_t *log);
void ngx_sluice_zone_end(ngx_sluice_shctx_t *sh);

/* a zeroed event with a new serial, not linked; NULL: no memory */
ngx_sluice_event_t *ngx_sluice_event_alloc(ngx_sluice_shctx_t *sh);
void ngx_sluice_event_free(ngx_sluice_shctx_t *sh, ngx_sluice_event_t *ev);

/* replaces ev->json with a slab copy of json */
ngx_int_t ngx_sluice_event_set_json(ngx_sluice_shctx_t *sh,
    ngx_sluice_event_t *ev, u_char *json, size_t len);

/* replaces *dst (slab memory or NULL) with a slab copy of json */
ngx_int_t ngx_sluice_zone_set_json(ngx_sluice_shctx_t *sh, u_char **dst,
    size_t *dst_len, u_char *json, size_t len);

/*
 * A new operation record (id, kind, target), in progress until delay_ms
 * from now, at the tail of ops (*nops of them): finished records are
 * freed when there are too many or no memory.  NULL: no memory.
 */
ngx_sluice_op_t *ngx_sluice_op_alloc(ngx_slab_pool_t *shpool,
    ngx_queue_t *ops, ngx_uint_t *nops, ngx_uint_t kind, ngx_uint_t target,
    ngx_msec_t delay_ms, u_char *id);

/*
 * Repair of a zone left half-changed by a dead worker: relinks the queue
 * from its head, keeping the nodes that lie in the zone (at most limit),
 * and returns how many there are; is op still linked in ops?
 */
ngx_uint_t ngx_sluice_queue_repair(ngx_slab_pool_t *shpool,
    ngx_queue_t *head, ngx_uint_t limit);
ngx_uint_t ngx_sluice_op_linked(ngx_queue_t *ops, ngx_sluice_op_t *op);

/* is the operation to be completed: no longer in progress, or due? */
ngx_uint_t ngx_sluice_op_due(ngx_sluice_op_t *op);

/*
 * Starts an operation on ev: ev->state becomes "state", and "target"
 * once delay_ms has passed (at once when 0).  NULL: no memory.
 */
ngx_sluice_op_t *ngx_sluice_op_start(ngx_sluice_shctx_t *sh,
    ngx_sluice_event_t *ev, ngx_uint_t kind, ngx_uint_t state,
    ngx_uint_t target, ngx_msec_t delay_ms, u_char *id);

/*
 * Tests of the dirty-flag repair (debug builds only): when the file
 * "{data}/.sluice-test-crash" exists, it is removed and the worker aborts
 * there, in the middle of a change, as a crashing worker would.
 */
#if (NGX_DEBUG)
void ngx_sluice_test_crash_point(ngx_str_t *data_path);
#else
#define ngx_sluice_test_crash_point(data_path)
#endif

/* the operation record with this id; settles its event first */
ngx_sluice_op_t *ngx_sluice_op_find(ngx_sluice_shctx_t *sh, u_char *id,
    size_t len);


/* lookups; the caller holds shpool->mutex */
ngx_sluice_event_t *ngx_sluice_event_by_name(ngx_sluice_shctx_t *sh,
    u_char *name, size_t len);
ngx_sluice_event_t *ngx_sluice_event_by_token(ngx_sluice_shctx_t *sh,
    u_char *token, size_t len);
ngx_sluice_event_t *ngx_sluice_event_by_preview(ngx_sluice_shctx_t *sh,
    u_char *locator, size_t len);

/* NGX_OK when sa may connect, NGX_DECLINED otherwise */
ngx_int_t ngx_sluice_ip_allowed(ngx_sluice_ip_acl_t *acl,
    struct sockaddr *sa);

/*
 * Completes the event's pending operation when it is due (state becomes
 * the target; start and reset bump the generation and free the tracks,
 * stop marks them IDLE, delete frees the event).  Returns NGX_DECLINED
 * when the event is gone.  The lookups above call it, so the state they
 * show is current.  Caller holds the mutex.
 */
ngx_int_t ngx_sluice_event_settle(ngx_sluice_shctx_t *sh,
    ngx_sluice_event_t *ev);

/* wall clock in milliseconds (cached time) */
uint64_t ngx_sluice_now_ms(void);


#endif /* _NGX_SLUICE_ZONE_H_INCLUDED_ */
