
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Dynamic manifest filters of a request (AMS account and asset filters):
 * the locator's filters and the URL's filter=a;b;c (three at most, else
 * 400), each an asset filter of the locator's asset or else an account
 * filter of that name (unknown: 404), copied under the zone mutex,
 * parsed outside it, then applied by media/manifest/sluice_filter.c to
 * manifests and playlists; a segment or playlist of a track they leave
 * out is refused (404).  Child URLs carry ",filter=a;b" so that what a
 * filtered manifest names is filtered too.
 */


#ifndef _NGX_HTTP_SLUICE_PACKAGER_FILTER_H_INCLUDED_
#define _NGX_HTTP_SLUICE_PACKAGER_FILTER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "packager/ngx_http_sluice_packager.h"
#include "media/manifest/sluice_presentation.h"


/*
 * Under the zone mutex: the documents of the request's filters copied
 * and parsed into pkg->filters (loc and asset: NULL for the preview,
 * which has account filters only).  NGX_DECLINED with pkg->status and
 * pkg->reason; NGX_ERROR.
 */
ngx_int_t ngx_http_sluice_packager_filter_copy(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_res_t *loc, ngx_sluice_res_t *asset);

/*
 * a live window (ms; 0: unbounded) narrowed to what the filters'
 * presentationWindowDuration and liveBackoffDuration can show, so that
 * only that much of the index is copied
 */
ngx_msec_t ngx_http_sluice_packager_filter_window(ngx_http_sluice_pkg_t *pkg,
    ngx_msec_t window);

/* applied to a manifest's presentation; NGX_DECLINED: no track left */
ngx_int_t ngx_http_sluice_packager_filter_apply(ngx_http_sluice_pkg_t *pkg,
    sluice_presentation_t *p);

/*
 * the language a track is presented and filtered with: the one its
 * source gave (onMetaData "language"), else "und" (ISO 639-2: undetermined)
 */
static ngx_inline void
ngx_http_sluice_packager_lang(const sluice_track_info_t *info,
    sluice_str_t *lang)
{
    if (info->lang[0] != '\0') {
        lang->data = (const uint8_t *) info->lang;
        lang->len = ngx_strlen(info->lang);

    } else {
        lang->data = (const uint8_t *) "und";
        lang->len = 3;
    }
}

/* the track t passes every filter of the request */
ngx_int_t ngx_http_sluice_packager_filter_track(ngx_http_sluice_pkg_t *pkg,
    const sluice_ptrack_t *t);

/*
 * what the child URLs of a manifest carry after their format: the
 * encryption tag, then the URL's ",filter=a;b"; "" when neither
 */
ngx_int_t ngx_http_sluice_packager_url_tag(ngx_http_sluice_pkg_t *pkg,
    ngx_str_t *tag);


#endif /* _NGX_HTTP_SLUICE_PACKAGER_FILTER_H_INCLUDED_ */
