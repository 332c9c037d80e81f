
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ngx_http_sluice_packager_manifest.c: manifests and playlists from the
 * snapshot of the index.
 */


#ifndef _NGX_HTTP_SLUICE_PACKAGER_MANIFEST_H_INCLUDED_
#define _NGX_HTTP_SLUICE_PACKAGER_MANIFEST_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "packager/ngx_http_sluice_packager.h"


/*
 * The collector, under the zone mutex with the event found by a resolver:
 * it copies what the request needs (no I/O, pool memory only) and returns
 * NGX_OK, NGX_ERROR, or NGX_DECLINED with pkg->status and pkg->reason.
 */
ngx_int_t ngx_http_sluice_packager_manifest_collect(
    ngx_http_sluice_pkg_t *pkg, ngx_sluice_event_t *ev);

/* the wall clock of timeline time 0 of a running event (mutex held) */
void ngx_http_sluice_packager_event_epoch(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_event_t *ev);

/* then, outside the lock, the response */
ngx_int_t ngx_http_sluice_packager_manifest(ngx_http_sluice_pkg_t *pkg);


#endif /* _NGX_HTTP_SLUICE_PACKAGER_MANIFEST_H_INCLUDED_ */
