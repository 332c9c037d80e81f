
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ngx_http_sluice_packager_cenc.c: Common Encryption of what the
 * packager serves for a streaming locator whose request selected the
 * 'cenc' or 'cbcs' scheme (pkg->enc): CMAF init segments and fragments
 * (DASH, HLS fMP4), Smooth fragments ('cenc' boxes or PIFF 1.1), and
 * its signalling in DASH and Smooth manifests.  The bytes are made by
 * src/media/crypto/ (sluice_cenc_init.h, sluice_cenc_fragment.h,
 * sluice_drm.h).
 */


#ifndef _NGX_HTTP_SLUICE_PACKAGER_CENC_H_INCLUDED_
#define _NGX_HTTP_SLUICE_PACKAGER_CENC_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "packager/ngx_http_sluice_packager.h"
#include "media/manifest/sluice_presentation.h"


/*
 * Whether the segments of a track of this request are encrypted here:
 * 'cenc' or 'cbcs' on a CMAF format or Smooth, and a key for the track
 * (not in clearTracks)
 */
ngx_uint_t ngx_http_sluice_packager_cenc_on(ngx_http_sluice_pkg_t *pkg,
    const sluice_track_info_t *info);

/*
 * Sends the protected init segment or fragment of pkg->seg[0] made from
 * the stored file's bytes (in): Content-Length, HEAD, ranges and caching
 * headers as for the stored file.  Returns an nginx rc.
 */
ngx_int_t ngx_http_sluice_packager_cenc_segment(ngx_http_sluice_pkg_t *pkg,
    ngx_str_t *in, time_t max_age);

/*
 * A Smooth fragment (in, the PIFF fragment written from the stored one)
 * encrypted into *out, with reserve free bytes after it; time: the
 * stored fragment's time (its IVs are the same as DASH's).
 */
ngx_int_t ngx_http_sluice_packager_cenc_smooth(ngx_http_sluice_pkg_t *pkg,
    ngx_str_t *in, uint64_t time, size_t reserve, ngx_str_t *out);

/*
 * DASH and Smooth manifests: the protection of each track (tracks, the
 * ntracks of p) and the encryption tag of child URLs.  NGX_OK or
 * NGX_ERROR.
 */
ngx_int_t ngx_http_sluice_packager_cenc_presentation(
    ngx_http_sluice_pkg_t *pkg, sluice_presentation_t *p,
    sluice_ptrack_t *tracks);


#endif /* _NGX_HTTP_SLUICE_PACKAGER_CENC_H_INCLUDED_ */
