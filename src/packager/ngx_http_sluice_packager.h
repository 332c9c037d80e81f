
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Internal interface of the packaging handler (sluice_packager), shared by
 * ngx_http_sluice_packager_module.c (routing, HTTP), _manifest.c
 * (manifests from the index snapshot) and _segment.c (init segments and
 * fragments: CMAF as stored, TS, Smooth).
 */


#ifndef _NGX_HTTP_SLUICE_PACKAGER_H_INCLUDED_
#define _NGX_HTTP_SLUICE_PACKAGER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "core/ngx_sluice.h"
#include "core/ngx_sluice_index.h"
#include "core/ngx_sluice_zone.h"
#include "media/sluice_url.h"
#include "media/container/sluice_cmaf.h"
#include "media/container/sluice_ts.h"


/* a stored fragment larger than this is not read into memory (TS, Smooth) */
#define NGX_HTTP_SLUICE_MAX_READ         (64 * 1024 * 1024)

/* fragments muxed into one TS segment at most (fragmentsPerTsSegment) */
#define NGX_HTTP_SLUICE_MAX_SEG_FRAGS    60

/* index records of an asset track read for one manifest at most */
#define NGX_HTTP_SLUICE_MAX_RECORDS      (256 * 1024)

/* Smooth: fragments announced in a live fragment's tfrf box */
#define NGX_HTTP_SLUICE_SMOOTH_LOOKAHEAD  2

/* Cache-Control max-age of segments and of errors, seconds */
#define NGX_HTTP_SLUICE_SEGMENT_MAX_AGE  31536000
#define NGX_HTTP_SLUICE_ERROR_MAX_AGE    1

/* video on demand manifests without a maxCacheAge, seconds */
#define NGX_HTTP_SLUICE_VOD_MAX_AGE      86400


typedef struct {
    ngx_shm_zone_t              *shm_zone;  /* "sluice_zone", or NULL */
} ngx_http_sluice_packager_main_conf_t;


typedef struct {
    ngx_msec_t                   live_window;
} ngx_http_sluice_packager_loc_conf_t;


/* the stored fragments of one track that make a requested segment */
typedef struct {
    ngx_uint_t                   index;     /* track slot: path component */
    uint32_t                     init_version;
    sluice_track_info_t          info;
    ngx_uint_t                   nfrags;
    ngx_sluice_frag_t            frags[NGX_HTTP_SLUICE_MAX_SEG_FRAGS];

    /* Smooth: the fragments that follow, for the tfrf box */
    ngx_uint_t                   nnext;
    ngx_sluice_frag_t            next[NGX_HTTP_SLUICE_SMOOTH_LOOKAHEAD];
} ngx_http_sluice_seg_track_t;


/* one request, from the URL to the snapshot of the index it reads */
typedef struct {
    ngx_http_request_t          *request;

    /* "/{locator}/{name}.ism/{tail}" */
    ngx_str_t                    locator;
    ngx_str_t                    name;
    ngx_str_t                    tail;

    sluice_url_t                 url;

    /* the zone of this request's configuration */
    ngx_sluice_zone_ctx_t       *zctx;

    /* the source found by a resolver */
    u_char                       event_id[NGX_SLUICE_ID_LEN + 1];
    uint32_t                     generation;
    ngx_msec_t                   fragment_ms;
    int64_t                      epoch_ms;
    ngx_uint_t                   live;      /* manifests change */

    /*
     * streaming locators: the asset played ("" for the preview), its
     * windows and settings, and the streaming endpoint's maxCacheAge
     */
    u_char                       asset_id[NGX_SLUICE_ID_LEN + 1];
    ngx_msec_t                   window_ms;     /* DVR window; 0: conf */
    ngx_msec_t                   archive_ms;    /* older records: gone */
    ngx_uint_t                   per_segment;   /* HLS TS fragments */
    ngx_uint_t                   final;         /* no recording output */
    ngx_int_t                    max_age;       /* -1: not set */
    ngx_pool_t                  *apool;         /* asset reads */

    /* manifests and playlists: the window of every track */
    ngx_sluice_snapshot_t        snap;
    uint32_t                    *discontinuities;   /* before the window */
    uint64_t                    *period_starts;     /* DASH: last one's time */

    /* segments: the track asked for, then a muxed audio track (TS v3) */
    ngx_http_sluice_seg_track_t  seg[2];
    ngx_uint_t                   nseg;

    /* an error found by a collector: HTTP status and text */
    ngx_uint_t                   status;
    const char                  *reason;

    sluice_alloc_t               alloc;     /* r->pool */
} ngx_http_sluice_pkg_t;


extern ngx_module_t  ngx_http_sluice_packager_module;


/* sends a complete response of status with one buffer (memory or file) */
ngx_int_t ngx_http_sluice_packager_send(ngx_http_request_t *r,
    ngx_str_t *type, ngx_buf_t *b, time_t max_age);
/* sends an error response with a short text body; returns an nginx rc */
ngx_int_t ngx_http_sluice_packager_error(ngx_http_request_t *r,
    ngx_uint_t status, const char *reason);
ngx_uint_t ngx_http_sluice_packager_http_status(sluice_status_t rc);

/*
 * Collectors run under the zone mutex with the event found by a resolver:
 * they copy what the request needs (no I/O, pool memory only) and return
 * NGX_OK, NGX_ERROR, or NGX_DECLINED with pkg->status and pkg->reason.
 */
ngx_int_t ngx_http_sluice_packager_manifest_collect(
    ngx_http_sluice_pkg_t *pkg, ngx_sluice_event_t *ev);
ngx_int_t ngx_http_sluice_packager_segment_collect(
    ngx_http_sluice_pkg_t *pkg, ngx_sluice_event_t *ev);

/* the wall clock of timeline time 0 of a running event (mutex held) */
void ngx_http_sluice_packager_event_epoch(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_event_t *ev);


/* either of them by the request kind (may run in a thread) */
ngx_int_t ngx_http_sluice_asset_read(ngx_http_sluice_pkg_t *pkg);

/*
 * The response once the source is known (resolvers, or the end of an
 * asset read in a thread): manifest, segment, or the error of
 * pkg->status/pkg->reason when rc is not NGX_OK.  Returns an nginx rc.
 */
ngx_int_t ngx_http_sluice_packager_respond(ngx_http_sluice_pkg_t *pkg,
    ngx_int_t rc);

/*
 * Streaming locators (ngx_http_sluice_packager_locator.c): the resolver
 * of "/{streamingLocatorId}/{manifestName}.ism/..." (streaming endpoint,
 * locator, asset, then the asset's files), and the endpoint's
 * crossSiteAccessPolicies member ("crossDomainPolicy",
 * "clientAccessPolicy") served as a file; returns an nginx rc.
 */
ngx_int_t ngx_http_sluice_packager_resolve_locator(
    ngx_http_sluice_pkg_t *pkg);
ngx_int_t ngx_http_sluice_packager_policy_file(ngx_http_sluice_pkg_t *pkg,
    const char *member);

/* "{data}/assets/{assetId}/{slot}/" + name, NUL-terminated */
ngx_int_t ngx_http_sluice_asset_path(ngx_http_sluice_pkg_t *pkg,
    ngx_uint_t slot, ngx_str_t *name, ngx_str_t *path);

/* then, outside the lock, they produce the response */
ngx_int_t ngx_http_sluice_packager_manifest(ngx_http_sluice_pkg_t *pkg);
ngx_int_t ngx_http_sluice_packager_segment(ngx_http_sluice_pkg_t *pkg);


#endif /* _NGX_HTTP_SLUICE_PACKAGER_H_INCLUDED_ */
