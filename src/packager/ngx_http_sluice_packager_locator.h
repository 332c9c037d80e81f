
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ngx_http_sluice_packager_locator.c: streaming locators and endpoints.
 */


#ifndef _NGX_HTTP_SLUICE_PACKAGER_LOCATOR_H_INCLUDED_
#define _NGX_HTTP_SLUICE_PACKAGER_LOCATOR_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "packager/ngx_http_sluice_packager.h"


/*
 * The resolver of "/{streamingLocatorId}/{manifestName}.ism/..."
 * (streaming endpoint, locator, asset, then the asset's files), and the
 * endpoint's crossSiteAccessPolicies member ("crossDomainPolicy",
 * "clientAccessPolicy") served as a file; returns an nginx rc.
 */
ngx_int_t ngx_http_sluice_packager_resolve_locator(
    ngx_http_sluice_pkg_t *pkg);
ngx_int_t ngx_http_sluice_packager_policy_file(ngx_http_sluice_pkg_t *pkg,
    const char *member);


#endif /* _NGX_HTTP_SLUICE_PACKAGER_LOCATOR_H_INCLUDED_ */
