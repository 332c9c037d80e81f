
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Dynamic manifest filters of a request; see
 * ngx_http_sluice_packager_filter.h.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "packager/ngx_http_sluice_packager_filter.h"
#include "packager/ngx_http_sluice_packager_encryption.h"
#include "core/ngx_sluice_resource.h"
#include "media/manifest/sluice_filter.h"
#include "util/sluice_json.h"


static ngx_int_t ngx_http_sluice_filter_locator(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_res_t *loc, ngx_sluice_res_t *asset);
static ngx_int_t ngx_http_sluice_filter_url(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_res_t *asset);
static ngx_int_t ngx_http_sluice_filter_add(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_res_t *asset, u_char *name, size_t len);
static ngx_int_t ngx_http_sluice_filter_parse(ngx_http_sluice_pkg_t *pkg);


ngx_int_t
ngx_http_sluice_packager_filter_copy(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_res_t *loc, ngx_sluice_res_t *asset)
{
    ngx_int_t  rc;

    pkg->nfilters = 0;

    if (loc) {
        rc = ngx_http_sluice_filter_locator(pkg, loc, asset);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    rc = ngx_http_sluice_filter_url(pkg, asset);
    if (rc != NGX_OK) {
        return rc;
    }

    /* parsed at once (small documents): the window narrows the copy */
    return ngx_http_sluice_filter_parse(pkg);
}


ngx_msec_t
ngx_http_sluice_packager_filter_window(ngx_http_sluice_pkg_t *pkg,
    ngx_msec_t window)
{
    uint64_t                w, back, v;
    ngx_uint_t              i;
    const sluice_filter_t  *f;

    w = UINT64_MAX;
    back = 0;

    for (i = 0; i < pkg->nfilters; i++) {
        f = &pkg->filters[i];

        if (f->has_window) {
            v = sluice_rescale(f->window, f->timescale, 1000);
            w = ngx_min(w, v);
        }

        if (f->has_backoff) {
            v = sluice_rescale(f->backoff, f->timescale, 1000);
            back = ngx_max(back, v);
        }
    }

    if (w == UINT64_MAX) {
        return window;
    }

    /* the window counts back from the edge the backoff leaves, a fragment
     * more for the one across its start */
    w += back + ngx_max(pkg->fragment_ms, 1000);

    return (window == 0 || w < window) ? (ngx_msec_t) w : window;
}


/* the locator's filters (properties.filters), fixed at its creation */

static ngx_int_t
ngx_http_sluice_filter_locator(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_res_t *loc, ngx_sluice_res_t *asset)
{
    ngx_int_t       rc;
    sluice_json_t  *doc, *v;

    /* most locators have none: no parse for them */
    if (loc->json == NULL
        || ngx_strlcasestrn(loc->json, loc->json + loc->json_len,
                            (u_char *) "\"filters\"", 9 - 1)
           == NULL)
    {
        return NGX_OK;
    }

    if (sluice_json_parse(&pkg->alloc, loc->json, loc->json_len, &doc, NULL,
                          NULL)
        != SLUICE_OK)
    {
        return NGX_ERROR;
    }

    v = sluice_json_get(sluice_json_get(doc, "properties"), "filters");

    if (v == NULL || v->type != SLUICE_JSON_ARRAY) {
        return NGX_OK;
    }

    for (v = v->child; v; v = v->next) {
        if (v->type != SLUICE_JSON_STRING) {
            continue;
        }

        rc = ngx_http_sluice_filter_add(pkg, asset, (u_char *) v->str.data,
                                        v->str.len);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    return NGX_OK;
}


/* filter=a;b;c of the URL */

static ngx_int_t
ngx_http_sluice_filter_url(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_res_t *asset)
{
    u_char      *p, *end, *semi;
    ngx_int_t    rc;
    ngx_uint_t   n;

    p = (u_char *) pkg->url.filter.data;
    end = p + pkg->url.filter.len;
    n = 0;

    while (p < end) {
        semi = ngx_strlchr(p, end, ';');
        if (semi == NULL) {
            semi = end;
        }

        if (++n > SLUICE_FILTER_MAX_PER_URL) {
            pkg->status = NGX_HTTP_BAD_REQUEST;
            pkg->reason = "at most 3 filters in a URL";
            return NGX_DECLINED;
        }

        if (semi > p) {
            rc = ngx_http_sluice_filter_add(pkg, asset, p, semi - p);
            if (rc != NGX_OK) {
                return rc;
            }
        }

        p = semi + 1;
    }

    return NGX_OK;
}


/* the asset's filter of that name, else the account's, copied */

static ngx_int_t
ngx_http_sluice_filter_add(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_res_t *asset, u_char *name, size_t len)
{
    u_char              *p;
    ngx_str_t           *json;
    ngx_sluice_res_t    *f;
    ngx_sluice_shctx_t  *sh;

    sh = pkg->zctx->sh;
    f = NULL;

    if (asset) {
        f = ngx_sluice_res_find(sh, NGX_SLUICE_RES_ASSET_FILTER, asset->name,
                                name, len);
    }

    if (f == NULL) {
        f = ngx_sluice_res_find(sh, NGX_SLUICE_RES_ACCOUNT_FILTER, NULL,
                                name, len);
    }

    if (f == NULL) {
        p = ngx_pnalloc(pkg->request->pool, sizeof("unknown filter \"\"")
                                            + len);
        if (p == NULL) {
            return NGX_ERROR;
        }

        *ngx_sprintf(p, "unknown filter \"%*s\"", len, name) = '\0';

        pkg->status = NGX_HTTP_NOT_FOUND;
        pkg->reason = (const char *) p;
        return NGX_DECLINED;
    }

    if (pkg->nfilters == NGX_HTTP_SLUICE_MAX_FILTERS) {
        pkg->status = NGX_HTTP_BAD_REQUEST;
        pkg->reason = "too many filters";
        return NGX_DECLINED;
    }

    json = &pkg->filter_json[pkg->nfilters++];

    json->len = f->json_len;
    json->data = ngx_pnalloc(pkg->request->pool, f->json_len ? f->json_len
                                                             : 1);
    if (json->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(json->data, f->json, f->json_len);

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_filter_parse(ngx_http_sluice_pkg_t *pkg)
{
    ngx_uint_t       i;
    const char      *reason;
    sluice_json_t   *doc, *props;
    sluice_status_t  rc;

    if (pkg->nfilters == 0) {
        return NGX_OK;
    }

    pkg->filters = ngx_palloc(pkg->request->pool,
                              pkg->nfilters * sizeof(sluice_filter_t));
    if (pkg->filters == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < pkg->nfilters; i++) {
        reason = "not JSON";

        rc = sluice_json_parse(&pkg->alloc, pkg->filter_json[i].data,
                               pkg->filter_json[i].len, &doc, NULL, NULL);

        if (rc == SLUICE_OK) {
            props = sluice_json_get(doc, "properties");
            rc = sluice_filter_parse(&pkg->alloc, props ? props : doc,
                                     &pkg->filters[i], &reason);
        }

        if (rc != SLUICE_OK) {
            /* checked when it was stored: a damaged record */
            ngx_log_error(NGX_LOG_ERR, pkg->request->connection->log, 0,
                          "sluice packager: stored filter: %s", reason);
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_sluice_packager_filter_apply(ngx_http_sluice_pkg_t *pkg,
    sluice_presentation_t *p)
{
    sluice_status_t  rc;

    if (pkg->nfilters == 0 || p->ntracks == 0) {
        return NGX_OK;
    }

    rc = sluice_filter_apply(&pkg->alloc, p, pkg->filters,
                             (uint32_t) pkg->nfilters);

    if (rc == SLUICE_NOT_FOUND) {
        pkg->status = NGX_HTTP_NOT_FOUND;
        pkg->reason = "the filters leave no track";
        return NGX_DECLINED;
    }

    return rc == SLUICE_OK ? NGX_OK : NGX_ERROR;
}


ngx_int_t
ngx_http_sluice_packager_filter_track(ngx_http_sluice_pkg_t *pkg,
    const sluice_ptrack_t *t)
{
    ngx_uint_t  i;

    for (i = 0; i < pkg->nfilters; i++) {
        if (!sluice_filter_track(&pkg->filters[i], t)) {
            pkg->status = NGX_HTTP_NOT_FOUND;
            pkg->reason = "a track the filters leave out";
            return NGX_DECLINED;
        }
    }

    return NGX_OK;
}


/* what child URLs carry: ",encryption=...,filter=a;b" */

ngx_int_t
ngx_http_sluice_packager_url_tag(ngx_http_sluice_pkg_t *pkg, ngx_str_t *tag)
{
    u_char     *p;
    ngx_str_t   enc;

    ngx_http_sluice_packager_enc_tag(pkg, &enc);

    if (pkg->url.filter.len == 0) {
        *tag = enc;
        return NGX_OK;
    }

    p = ngx_pnalloc(pkg->request->pool, enc.len + sizeof(",filter=") - 1
                                        + pkg->url.filter.len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    tag->data = p;

    if (enc.len) {
        /* (no copy from the NULL of an empty tag) */
        p = ngx_cpymem(p, enc.data, enc.len);
    }
    p = ngx_cpymem(p, ",filter=", sizeof(",filter=") - 1);
    p = ngx_cpymem(p, pkg->url.filter.data, pkg->url.filter.len);
    tag->len = p - tag->data;

    return NGX_OK;
}
