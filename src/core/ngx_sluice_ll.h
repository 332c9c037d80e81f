
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Low latency (streamOptions LowLatencyV2), what every worker shares
 * (ngx_sluice_ll.c; docs/architecture.md, "Low latency"):
 *
 *   - the parts of a track: a ring of the newest parts (CMAF chunks of
 *     the fragment in progress and of the last fragments) in the zone,
 *     appended by the ingest worker once the part is written to its
 *     fragment's parts file;
 *
 *   - blocking requests across workers: a request that waits for a part
 *     or a segment (LL-HLS blocking playlist reload, preload hints,
 *     LL-DASH chunked segments) is parked in the worker that received it.
 *     Every part, fragment and state change of an event bumps
 *     ev->changes and wakes, once, the workers whose bit is set in
 *     ev->waiting: one datagram to each on a UNIX socket of its own
 *     (abstract name "sluice-ll-{pid}"), or a posted event for the
 *     worker itself.  A woken worker re-checks its parked requests and
 *     sets its bit again for those still waiting.  The check and the
 *     bit are set under the zone mutex, as the change is made, so no
 *     wake-up is lost; while nothing changes, parked requests cost no
 *     CPU and no timer but their deadline.
 */


#ifndef _NGX_SLUICE_LL_H_INCLUDED_
#define _NGX_SLUICE_LL_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>

#include "core/ngx_sluice.h"


/* parts kept per track (a ring in slab memory) */
#define NGX_SLUICE_LL_PARTS         64

/* waiter slots of a zone: processes with parked requests at once */
#define NGX_SLUICE_LL_WAITERS       64

/* "/{frag_time}.m4p": the parts of a fragment, one after the other */
#define NGX_SLUICE_PART_FILE_LEN   (sizeof("/.m4p") - 1 + NGX_INT64_LEN)


/*
 * Append a part to track "slot" (mutex held).  NGX_DECLINED: the part
 * is stale (its fragment starts before the end of the track's last
 * fragment, or it does not follow the track's last part), not appended.
 * NGX_DONE: appended, the oldest part removed and copied to *evicted
 * (the caller removes its file).  NGX_ERROR: no shared memory.
 */
ngx_int_t ngx_sluice_ll_part_append(ngx_slab_pool_t *shpool,
    ngx_sluice_event_t *ev, ngx_uint_t slot, ngx_sluice_part_t *part,
    ngx_sluice_part_t *evicted);

/*
 * What a request waiting on one track compares: its fragments and parts
 * ever appended (mutex held)
 */
#define ngx_sluice_ll_track_count(tr)  ((tr)->appended + (tr)->parts_total)

/* the parts of a track whose fragment starts at or after "from" */
ngx_uint_t ngx_sluice_ll_parts_copy(ngx_sluice_track_t *tr, uint64_t from,
    ngx_sluice_part_t *out, ngx_uint_t max);

/* free a track's part ring (mutex held) */
void ngx_sluice_ll_parts_free(ngx_slab_pool_t *shpool,
    ngx_sluice_track_t *tr);

/* "{dir}/{frag_time}.m4p", NUL-terminated; returns the end */
u_char *ngx_sluice_ll_part_path(u_char *p, ngx_str_t *dir,
    uint64_t frag_time);


/* the workers to wake after a change, collected under the mutex */
typedef struct {
    ngx_uint_t                  n;
    ngx_pid_t                   pids[NGX_SLUICE_LL_WAITERS];
} ngx_sluice_ll_wake_t;

/*
 * Something of ev changed (mutex held): ev->changes bumped, the waiting
 * workers moved to *w (ev->waiting cleared); w->n is 0 when none waits.
 */
void ngx_sluice_ll_changed(ngx_sluice_shctx_t *sh, ngx_sluice_event_t *ev,
    ngx_sluice_ll_wake_t *w);

/* after the mutex is released: wake the workers of w */
void ngx_sluice_ll_wake(ngx_sluice_ll_wake_t *w, ngx_log_t *log);

/*
 * This worker holds a request parked on ev (mutex held): its bit is set
 * in ev->waiting; NGX_ERROR when the process has no waiter slot.
 */
ngx_int_t ngx_sluice_ll_park(ngx_sluice_zone_ctx_t *zctx,
    ngx_sluice_event_t *ev);

/*
 * In a worker, once: its socket and, in each zone given, its waiter slot;
 * "handler" runs in the event loop when a change wakes the worker.
 */
ngx_int_t ngx_sluice_ll_init_process(ngx_cycle_t *cycle,
    ngx_sluice_zone_ctx_t *zctx, ngx_event_handler_pt handler);
void ngx_sluice_ll_exit_process(ngx_sluice_zone_ctx_t *zctx);


#endif /* _NGX_SLUICE_LL_H_INCLUDED_ */
