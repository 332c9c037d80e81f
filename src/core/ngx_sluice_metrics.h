
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Prometheus metrics (ngx_sluice_metrics.c): the counters every worker
 * updates, in one fixed block of the zone, and the page a scrape gets
 * (text exposition format 0.0.4), written from that block and from the
 * live events' telemetry (ngx_sluice_telemetry.h).
 *
 *   ngx_sluice_shctx_t.metrics ---> ngx_sluice_metrics_t (made with the
 *                                   zone, kept across a reload)
 *     requests, bytes, latency buckets of the packager, by format and
 *     kind; key requests and refusals; store errors
 *
 * The counters are ngx_atomic_t, updated with ngx_atomic_fetch_add()
 * and never under the zone mutex: the packager adds a request's numbers
 * once, in the log phase.  A scrape reads them without a lock (each
 * value is read whole; a page is not one instant, but every counter on
 * it only grows).  The live events' part is copied out under the mutex.
 * See docs/metrics.md.
 */


#ifndef _NGX_SLUICE_METRICS_H_INCLUDED_
#define _NGX_SLUICE_METRICS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "core/ngx_sluice.h"


/* label "format" */
#define NGX_SLUICE_MX_HLS_TS           0
#define NGX_SLUICE_MX_HLS_CMAF         1
#define NGX_SLUICE_MX_DASH             2
#define NGX_SLUICE_MX_SMOOTH           3
#define NGX_SLUICE_MX_FORMATS          4

/* label "kind" */
#define NGX_SLUICE_MX_MANIFEST         0    /* manifests and playlists */
#define NGX_SLUICE_MX_SEGMENT          1
#define NGX_SLUICE_MX_PART             2    /* low-latency parts */
#define NGX_SLUICE_MX_INIT             3
#define NGX_SLUICE_MX_KINDS            4

/* label "code": the class of the status sent */
#define NGX_SLUICE_MX_CODES            4    /* 2xx, 3xx, 4xx, 5xx */

/* latency buckets: upper bounds 1 ms .. 1 s, then +Inf */
#define NGX_SLUICE_MX_BUCKETS          11

/* label "kind" of key requests */
#define NGX_SLUICE_MX_KEY_AES          0    /* AES-128 (HLS) */
#define NGX_SLUICE_MX_KEY_CLEARKEY     1    /* ClearKey licence */
#define NGX_SLUICE_MX_KEY_KINDS        2

/* label "reason" of key refusals */
#define NGX_SLUICE_MX_REFUSED_TOKEN    0    /* token missing or invalid */
#define NGX_SLUICE_MX_REFUSED_KEY      1    /* no such key, or inactive */
#define NGX_SLUICE_MX_REFUSED_POLICY   2    /* no option it could meet */
#define NGX_SLUICE_MX_REFUSALS         3

/* label "kind" of store errors */
#define NGX_SLUICE_MX_STORE_FRAGMENT   0    /* a live fragment or init */
#define NGX_SLUICE_MX_STORE_RECORD     1    /* an asset's (live output) */
#define NGX_SLUICE_MX_STORE_API        2    /* a resource's file */
#define NGX_SLUICE_MX_STORES           3


typedef struct ngx_sluice_metrics_s {
    ngx_atomic_t                requests[NGX_SLUICE_MX_FORMATS]
                                        [NGX_SLUICE_MX_KINDS]
                                        [NGX_SLUICE_MX_CODES];
    ngx_atomic_t                bytes[NGX_SLUICE_MX_FORMATS]
                                     [NGX_SLUICE_MX_KINDS];
    /* by bucket, not cumulative; the last one: above 1 s */
    ngx_atomic_t                latency[NGX_SLUICE_MX_FORMATS]
                                       [NGX_SLUICE_MX_KINDS]
                                       [NGX_SLUICE_MX_BUCKETS];
    ngx_atomic_t                latency_us[NGX_SLUICE_MX_FORMATS]
                                          [NGX_SLUICE_MX_KINDS];

    ngx_atomic_t                key_requests[NGX_SLUICE_MX_KEY_KINDS];
    ngx_atomic_t                key_refusals[NGX_SLUICE_MX_REFUSALS];
    ngx_atomic_t                store_errors[NGX_SLUICE_MX_STORES];
} ngx_sluice_metrics_t;


/* one packager response */
typedef struct {
    ngx_uint_t                  format;         /* NGX_SLUICE_MX_* */
    ngx_uint_t                  kind;
    ngx_uint_t                  status;         /* HTTP */
    off_t                       bytes;          /* of the body sent */
    uint64_t                    usec;           /* its latency */
} ngx_sluice_mx_response_t;


/* the zone's block, made when missing (fresh zone); NGX_ERROR: no memory */
ngx_int_t ngx_sluice_metrics_init_zone(ngx_sluice_shctx_t *sh);

/* lock-free updates; sh may be NULL (no zone), then nothing is counted */
void ngx_sluice_metrics_response(ngx_sluice_shctx_t *sh,
    ngx_sluice_mx_response_t *resp);
void ngx_sluice_metrics_add(ngx_sluice_shctx_t *sh, ngx_atomic_t *counter);

#define ngx_sluice_metrics_count(sh, field, i)                               \
    ngx_sluice_metrics_add(sh, ((sh) && (sh)->metrics)                       \
                               ? &(sh)->metrics->field[i] : NULL)

/* the same in the zone of zctx, unless sluice_telemetry is off there */
#define ngx_sluice_metrics_zcount(zctx, field, i)                            \
    ngx_sluice_metrics_count((zctx)->telemetry ? (zctx)->sh : NULL, field, i)

/*
 * A store error of kind when the shared context is not at hand: the
 * zone of the running cycle
 */
void ngx_sluice_metrics_store_error(ngx_uint_t kind);

/* a monotonic clock in microseconds, for latencies */
uint64_t ngx_sluice_metrics_usec(void);

/*
 * The page: the counters and the live events of the zone, in the text
 * exposition format (version 0.0.4), in a chain of buffers of pool, its
 * length in *len.  Takes the zone mutex (twice, briefly).  NULL: no
 * memory.
 */
ngx_chain_t *ngx_sluice_metrics_page(ngx_sluice_zone_ctx_t *zctx,
    ngx_pool_t *pool, off_t *len);


#endif /* _NGX_SLUICE_METRICS_H_INCLUDED_ */
