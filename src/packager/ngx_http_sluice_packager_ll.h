
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Low latency in the packager (ngx_http_sluice_packager_ll.c): blocking
 * requests parked until what they wait for comes (LL-HLS blocking
 * playlist reload and preload hints), the wake-ups of core/ngx_sluice_ll.h
 * that run them again, their deadlines.
 */


#ifndef _NGX_HTTP_SLUICE_PACKAGER_LL_H_INCLUDED_
#define _NGX_HTTP_SLUICE_PACKAGER_LL_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "packager/ngx_http_sluice_packager.h"


/*
 * Park the request of pkg (pkg->ll_changes: the change count of the
 * event its answer was made from) until the event changes, then run it
 * again (ngx_http_sluice_packager_run()).  Its deadline is set at the
 * first park, 3 target durations (pkg->fragment_ms) later (RFC 8216bis
 * 6.2.5.2); when it passes the request is answered 503, or, parked with
 * pkg->ll_hold, run once more to answer with what there is.  Returns an
 * nginx rc (NGX_DONE: parked).
 */
ngx_int_t ngx_http_sluice_ll_park(ngx_http_sluice_pkg_t *pkg);

/*
 * LL-DASH: the parts of its segment in progress a request has sent so
 * far (its headers are sent once "started" is set); NULL: no memory
 */
typedef struct {
    ngx_uint_t                   started;
    ngx_uint_t                   next;      /* the next part to send */
} ngx_http_sluice_ll_stream_t;

ngx_http_sluice_ll_stream_t *ngx_http_sluice_ll_stream(
    ngx_http_request_t *r);

/*
 * whether the deadline of a request parked with pkg->ll_hold passed: it
 * runs once more and is answered with what there is
 */
ngx_uint_t ngx_http_sluice_ll_expired(ngx_http_request_t *r);

/* whether the request has begun a segment in progress */
ngx_uint_t ngx_http_sluice_ll_started(ngx_http_request_t *r);

/*
 * The blocking reload a request asks for (RFC 8216bis 6.2.5.2): NGX_OK,
 * *msn and *part (-1: none) set; NGX_DECLINED: no _HLS_msn (not a
 * blocking reload); NGX_ERROR: a bad value or _HLS_part alone
 * (pkg->reason, a 400)
 */
ngx_int_t ngx_http_sluice_ll_args(ngx_http_sluice_pkg_t *pkg, uint64_t *msn,
    int64_t *part);

/*
 * A cheap first look at a blocking LL-HLS reload of the preview (mutex
 * held, before any snapshot): NGX_DECLINED (pkg->ll_wait set: park it)
 * when it asks for the part after the last one this worker's last
 * playlist of the track listed (or the first of the next segment) and
 * the track has not changed since; NGX_OK: the whole way.
 * ngx_http_sluice_ll_remember() notes what a playlist listed.
 */
ngx_int_t ngx_http_sluice_ll_precheck(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_event_t *ev, ngx_msec_t window);
void ngx_http_sluice_ll_remember(ngx_http_sluice_pkg_t *pkg,
    ngx_uint_t slot, uint64_t count, ngx_msec_t window, uint64_t msn,
    int64_t part);

/* worker start and exit (the packager module's) */
ngx_int_t ngx_http_sluice_ll_init_process(ngx_cycle_t *cycle,
    ngx_shm_zone_t *zone);
void ngx_http_sluice_ll_exit_process(ngx_shm_zone_t *zone);

/*
 * Under the zone mutex, for a request on live event ev (the preview's, a
 * live asset's): the event's id, generation, latency, part target and
 * change count (ngx_http_sluice_packager_ll_event()); the parts of its
 * tracks, for a live asset's manifests (pkg->ll_tracks).
 */
void ngx_http_sluice_packager_ll_event(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_event_t *ev);
ngx_int_t ngx_http_sluice_packager_ll_tracks(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_event_t *ev);


#endif /* _NGX_HTTP_SLUICE_PACKAGER_LL_H_INCLUDED_ */
