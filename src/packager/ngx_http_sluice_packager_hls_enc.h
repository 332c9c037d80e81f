
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Encrypted HLS (streaming locators): the key lines of playlists, and
 * the segments encrypted on the way out:
 *
 *   encryption=cbc        AES-128: each segment whole, CBC with PKCS#7
 *                         (TS as muxed, fMP4 as stored; the init
 *                         segment stays clear)
 *   encryption=cbcs-aapl  TS: Apple SAMPLE-AES of the H.264 and AAC
 *                         samples, signalled in the PMT
 *
 * The IV of a segment is the number (seq) of its first fragment as a
 * 128-bit big-endian integer, written in the playlist (IV=0x...) before
 * each segment: the same URL always gives the same bytes.  fMP4 cbcs and
 * cenc segments are the CENC code's; their playlists are written here.
 */


#ifndef _NGX_HTTP_SLUICE_PACKAGER_HLS_ENC_H_INCLUDED_
#define _NGX_HTTP_SLUICE_PACKAGER_HLS_ENC_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "packager/ngx_http_sluice_packager.h"
#include "media/manifest/sluice_hls.h"
#include "media/container/sluice_ts.h"


/* what ngx_http_sluice_hls_enc_segment() finds */
#define NGX_HTTP_SLUICE_HLS_CLEAR       0   /* or not HLS encryption's */
#define NGX_HTTP_SLUICE_HLS_AES         1   /* the whole segment */
#define NGX_HTTP_SLUICE_HLS_SAMPLE_AES  2   /* TS samples */


/*
 * The encryption of an HLS manifest or playlist of presentation p: the
 * key lines of each track, the encryption tag and the token for child
 * URIs.  *enc is NULL when the request is clear.
 */
ngx_int_t ngx_http_sluice_hls_enc_manifest(ngx_http_sluice_pkg_t *pkg,
    const sluice_presentation_t *p, sluice_hls_enc_t **enc);

/*
 * DASH AES-128 (encryption=cbc on mpd-time-csf/-cmaf): the Segment
 * Encryption signalling (key URI, IV) of each encrypted track of p
 */
ngx_int_t ngx_http_sluice_hls_enc_dash(ngx_http_sluice_pkg_t *pkg,
    sluice_presentation_t *p, sluice_ptrack_t *tracks);

/*
 * how a media segment of the request is encrypted, and with which key;
 * also DASH AES-128, whose initialization segments are encrypted too
 */
ngx_uint_t ngx_http_sluice_hls_enc_segment(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_key_t **key);

/*
 * AES-128 of the segment data[0..len), in place: data has room for
 * sluice_aes_cbc_size(len) bytes, the new length.  NGX_OK or NGX_ERROR.
 */
ngx_int_t ngx_http_sluice_hls_enc_aes(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_key_t *key, u_char *data, size_t len);

/*
 * SAMPLE-AES of the samples of seg (video copied, audio in place: the
 * request's own buffers) before the TS muxer runs; sets seg->sample_aes.
 */
sluice_status_t ngx_http_sluice_hls_enc_samples(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_key_t *key, sluice_ts_segment_t *seg);


#endif /* _NGX_HTTP_SLUICE_PACKAGER_HLS_ENC_H_INCLUDED_ */
