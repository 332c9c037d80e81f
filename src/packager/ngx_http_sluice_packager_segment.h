
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ngx_http_sluice_packager_segment.c: init segments and fragments (CMAF
 * as stored, TS, Smooth).
 */


#ifndef _NGX_HTTP_SLUICE_PACKAGER_SEGMENT_H_INCLUDED_
#define _NGX_HTTP_SLUICE_PACKAGER_SEGMENT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "packager/ngx_http_sluice_packager.h"


/*
 * The collector, under the zone mutex with the event found by a resolver:
 * it copies what the request needs (no I/O, pool memory only) and returns
 * NGX_OK, NGX_ERROR, or NGX_DECLINED with pkg->status and pkg->reason.
 */
/*
 * A live asset's segment request whose event has parts (mutex held):
 * NGX_OK or NGX_DECLINED as the collector above, served from the event's
 * files (pkg->ll_live); NGX_DONE: an asset segment as usual
 */
ngx_int_t ngx_http_sluice_packager_ll_collect(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_event_t *ev);
/* the used track of an event named "video" or "audio" with this bitrate */
ngx_sluice_track_t *ngx_http_sluice_packager_track(ngx_sluice_event_t *ev,
    sluice_str_t *name, uint32_t bitrate);

ngx_int_t ngx_http_sluice_packager_segment_collect(
    ngx_http_sluice_pkg_t *pkg, ngx_sluice_event_t *ev);

/*
 * A live Smooth fragment (pkg->seg[0].nnext set): NGX_DECLINED with
 * pkg->ll_wait while it has no successor to announce in its tfrf box (the
 * request waits for one), else NGX_OK
 */
ngx_int_t ngx_http_sluice_packager_lookahead(ngx_http_sluice_pkg_t *pkg);

/* then, outside the lock, the response */
ngx_int_t ngx_http_sluice_packager_segment(ngx_http_sluice_pkg_t *pkg);

/*
 * Smooth's sparse track of the ad markers: its fragment URL
 * (QualityLevels(0)/Fragments(scte35={time})), and the cue of such a
 * fragment among cues[0..n) into pkg->snap.cues (NGX_OK), or NGX_DECLINED
 * with pkg->status and pkg->reason
 */
ngx_uint_t ngx_http_sluice_packager_sparse(sluice_url_t *url);
ngx_int_t ngx_http_sluice_packager_sparse_pick(ngx_http_sluice_pkg_t *pkg,
    sluice_cue_t *cues, ngx_uint_t n);


#endif /* _NGX_HTTP_SLUICE_PACKAGER_SEGMENT_H_INCLUDED_ */
