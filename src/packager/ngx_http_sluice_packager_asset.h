
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ngx_http_sluice_packager_asset.c: reading the files of an asset (its
 * tracks and index records) for manifests and segments.
 */


#ifndef _NGX_HTTP_SLUICE_PACKAGER_ASSET_H_INCLUDED_
#define _NGX_HTTP_SLUICE_PACKAGER_ASSET_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "packager/ngx_http_sluice_packager.h"


/*
 * What the request needs of the asset: the snapshot (manifests) or the
 * fragments of the segment.  Runs in the event loop, or in a thread of
 * the location's pool ("aio threads"): it then touches only pkg and
 * pkg->apool, a pool of its own.
 */
ngx_int_t ngx_http_sluice_asset_read(ngx_http_sluice_pkg_t *pkg);

/* "{data}/assets/{assetId}/{slot}/" + name, NUL-terminated */
ngx_int_t ngx_http_sluice_asset_path(ngx_http_sluice_pkg_t *pkg,
    ngx_uint_t slot, ngx_str_t *name, ngx_str_t *path);


#endif /* _NGX_HTTP_SLUICE_PACKAGER_ASSET_H_INCLUDED_ */
