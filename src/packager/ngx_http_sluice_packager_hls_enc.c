
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Encrypted HLS; see ngx_http_sluice_packager_hls_enc.h.
 *
 * Key lines of a track, by the encryption served:
 *
 *   cbc                   METHOD=AES-128, the key URL, an IV per segment
 *   cbcs-aapl (TS)        METHOD=SAMPLE-AES, the key URL (identity: the
 *                         clear key the key service gives), an IV per
 *                         segment; FairPlay (skd://) when the policy has it
 *   cbcs-aapl (fMP4)      METHOD=SAMPLE-AES, the key URL, FairPlay,
 *                         Widevine, PlayReady as the policy has them; the
 *                         IV is in the init segment (tenc)
 *   cbcs, cenc (fMP4)     METHOD=SAMPLE-AES or SAMPLE-AES-CTR, FairPlay
 *                         (cbcs), Widevine, PlayReady; with none of them,
 *                         the ClearKey licence URL (KEYFORMAT
 *                         "org.w3.clearkey")
 *
 * Widevine's URI is a data: URI of its pssh box, PlayReady's one of its
 * PlayReady Header Object (UTF-16), as Shaka Packager writes them.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <openssl/evp.h>

#include "packager/ngx_http_sluice_packager_hls_enc.h"
#include "packager/ngx_http_sluice_packager_encryption.h"
#include "packager/ngx_http_sluice_packager_filter.h"
#include "media/crypto/sluice_aes.h"
#include "media/crypto/sluice_sample_aes.h"
#include "media/crypto/sluice_drm.h"


#define NGX_HTTP_SLUICE_HLS_WIDEVINE                                          \
    "urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"
#define NGX_HTTP_SLUICE_HLS_PLAYREADY   "com.microsoft.playready"
#define NGX_HTTP_SLUICE_HLS_FAIRPLAY    "com.apple.streamingkeydelivery"
#define NGX_HTTP_SLUICE_HLS_CLEARKEY    "org.w3.clearkey"


static uint32_t ngx_http_sluice_hls_enc_fourcc(const sluice_track_info_t *ti);
static EVP_CIPHER_CTX *ngx_http_sluice_hls_enc_cipher(
    ngx_http_sluice_pkg_t *pkg);
static void ngx_http_sluice_hls_enc_cipher_free(void *data);
static ngx_int_t ngx_http_sluice_hls_enc_track(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_key_t *key, ngx_uint_t drm, sluice_hls_track_enc_t *te);
static ngx_int_t ngx_http_sluice_hls_enc_line(ngx_http_sluice_pkg_t *pkg,
    sluice_hls_track_enc_t *te, ngx_uint_t what, ngx_sluice_key_t *key,
    const char *keyformat);
static ngx_int_t ngx_http_sluice_hls_enc_pssh(ngx_http_sluice_pkg_t *pkg,
    sluice_hls_track_enc_t *te, ngx_sluice_key_t *key);
static ngx_int_t ngx_http_sluice_hls_enc_pro(ngx_http_sluice_pkg_t *pkg,
    sluice_hls_track_enc_t *te, ngx_sluice_key_t *key);
static ngx_int_t ngx_http_sluice_hls_enc_data(ngx_http_sluice_pkg_t *pkg,
    sluice_hls_track_enc_t *te, const char *prefix, u_char *data,
    size_t len, const char *keyformat);
static void ngx_http_sluice_hls_enc_iv(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_key_t *key, uint8_t iv[SLUICE_AES_BLOCK_SIZE]);
static sluice_status_t ngx_http_sluice_hls_enc_video(
    ngx_http_sluice_pkg_t *pkg, EVP_CIPHER_CTX *ctx,
    const uint8_t *iv, sluice_ts_track_t *tt);


ngx_int_t
ngx_http_sluice_hls_enc_manifest(ngx_http_sluice_pkg_t *pkg,
    const sluice_presentation_t *p, sluice_hls_enc_t **out)
{
    u_char                  *q;
    uint32_t                 i;
    ngx_str_t                tag, *token;
    ngx_uint_t               drm;
    ngx_pool_t              *pool;
    sluice_hls_enc_t        *enc;
    ngx_sluice_key_t        *key;
    sluice_hls_track_enc_t  *te;

    *out = NULL;

    if (!sluice_format_is_hls(pkg->url.format)) {
        return NGX_OK;
    }

    pool = pkg->request->pool;
    token = &pkg->enc.token;

    if (ngx_http_sluice_packager_url_tag(pkg, &tag) != NGX_OK) {
        return NGX_ERROR;
    }

    if (pkg->enc.scheme == NGX_SLUICE_SCHEME_NONE) {
        if (tag.len == 0) {
            return NGX_OK;
        }

        /* clear, the child URLs carry the filters: a tag, no keys */
        enc = ngx_pcalloc(pool, sizeof(sluice_hls_enc_t));
        if (enc == NULL) {
            return NGX_ERROR;
        }

        enc->tag.data = tag.data;
        enc->tag.len = tag.len;
        *out = enc;

        return NGX_OK;
    }

    enc = ngx_pcalloc(pool, sizeof(sluice_hls_enc_t));
    te = ngx_pcalloc(pool, (p->ntracks + 1) * sizeof(sluice_hls_track_enc_t));
    if (enc == NULL || te == NULL) {
        return NGX_ERROR;
    }

    enc->tag.data = tag.data;
    enc->tag.len = tag.len;

    if (token->len) {
        /* child playlists keep the token for the key URLs they name */
        q = ngx_pnalloc(pool, sizeof("token=") - 1 + token->len);
        if (q == NULL) {
            return NGX_ERROR;
        }

        enc->query.data = q;
        enc->query.len = ngx_sprintf(q, "token=%V", token) - q;
    }

    drm = ngx_http_sluice_packager_enc_drm(pkg);

    for (i = 0; i < p->ntracks; i++) {
        key = ngx_http_sluice_packager_enc_key(pkg,
                  ngx_http_sluice_hls_enc_fourcc(p->tracks[i].info));

        if (key == NULL) {
            /* a clear track: no key lines */
            continue;
        }

        if (ngx_http_sluice_hls_enc_track(pkg, key, drm, &te[i]) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    enc->tracks = te;
    *out = enc;

    return NGX_OK;
}


/* the sample entry FourCC of a track, as keyToTrackMappings name it */

static uint32_t
ngx_http_sluice_hls_enc_fourcc(const sluice_track_info_t *ti)
{
    switch (ti->codec) {

    case SLUICE_CODEC_AVC:
        return ('a' << 24) | ('v' << 16) | ('c' << 8) | '1';

    case SLUICE_CODEC_HEVC:
        return ('h' << 24) | ('v' << 16) | ('c' << 8) | '1';

    case SLUICE_CODEC_AAC:
        return ('m' << 24) | ('p' << 16) | ('4' << 8) | 'a';

    default:
        return 0;
    }
}


static ngx_int_t
ngx_http_sluice_hls_enc_track(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_key_t *key, ngx_uint_t drm, sluice_hls_track_enc_t *te)
{
    ngx_uint_t  encryption, ts;

    encryption = pkg->enc.encryption;
    ts = sluice_format_is_ts(pkg->url.format);

    switch (encryption) {

    case SLUICE_ENCRYPTION_CBC:
        te->method = "AES-128";
        te->segment_iv = 1;
        return ngx_http_sluice_hls_enc_line(pkg, te,
                                            NGX_HTTP_SLUICE_ENC_URL_AES, key,
                                            NULL);

    case SLUICE_ENCRYPTION_CBCS_AAPL:
    case SLUICE_ENCRYPTION_CBCS:
        te->method = "SAMPLE-AES";
        te->segment_iv = ts;
        break;

    case SLUICE_ENCRYPTION_CENC:
        te->method = "SAMPLE-AES-CTR";
        drm &= ~NGX_HTTP_SLUICE_DRM_FAIRPLAY;
        break;

    default:
        return NGX_OK;
    }

    if (encryption == SLUICE_ENCRYPTION_CBCS_AAPL
        && ngx_http_sluice_hls_enc_line(pkg, te, NGX_HTTP_SLUICE_ENC_URL_AES,
                                        key, NULL)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    if ((drm & NGX_HTTP_SLUICE_DRM_FAIRPLAY)
        && ngx_http_sluice_hls_enc_line(pkg, te,
                                        NGX_HTTP_SLUICE_ENC_URL_FAIRPLAY, key,
                                        NGX_HTTP_SLUICE_HLS_FAIRPLAY)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ts) {
        /* Widevine and PlayReady do not read SAMPLE-AES TS */
        return NGX_OK;
    }

    if ((drm & NGX_HTTP_SLUICE_DRM_WIDEVINE)
        && ngx_http_sluice_hls_enc_pssh(pkg, te, key) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if ((drm & NGX_HTTP_SLUICE_DRM_PLAYREADY)
        && ngx_http_sluice_hls_enc_pro(pkg, te, key) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (te->nkeys == 0) {
        return ngx_http_sluice_hls_enc_line(pkg, te,
                                            NGX_HTTP_SLUICE_ENC_URL_CLEARKEY,
                                            key, NGX_HTTP_SLUICE_HLS_CLEARKEY);
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_hls_enc_line(ngx_http_sluice_pkg_t *pkg,
    sluice_hls_track_enc_t *te, ngx_uint_t what, ngx_sluice_key_t *key,
    const char *keyformat)
{
    ngx_str_t          url;
    sluice_hls_key_t  *k;

    if (te->nkeys == SLUICE_HLS_MAX_KEYS) {
        return NGX_OK;
    }

    if (ngx_http_sluice_packager_enc_url(pkg, what, key, &url) != NGX_OK) {
        return NGX_ERROR;
    }

    k = &te->keys[te->nkeys++];
    k->uri.data = url.data;
    k->uri.len = url.len;
    k->keyformat = keyformat;

    return NGX_OK;
}


/* Widevine: a data: URI of the whole pssh box */

static ngx_int_t
ngx_http_sluice_hls_enc_pssh(ngx_http_sluice_pkg_t *pkg,
    sluice_hls_track_enc_t *te, ngx_sluice_key_t *key)
{
    u_char    *box;
    size_t     n, size;
    uint32_t   scheme;
    uint8_t    data[SLUICE_DRM_WIDEVINE_DATA_MAX];

    scheme = (pkg->enc.encryption == SLUICE_ENCRYPTION_CENC)
             ? (('c' << 24) | ('e' << 16) | ('n' << 8) | 'c')
             : (('c' << 24) | ('b' << 16) | ('c' << 8) | 's');

    n = sluice_drm_widevine_data(data, key->kid, scheme);
    size = sluice_drm_pssh_size(SLUICE_DRM_WIDEVINE, n);

    box = ngx_pnalloc(pkg->request->pool, size);
    if (box == NULL) {
        return NGX_ERROR;
    }

    if ((size_t) (sluice_drm_pssh_write(box, SLUICE_DRM_WIDEVINE, key->kid,
                                        data, n)
                  - box)
        != size)
    {
        return NGX_ERROR;
    }

    return ngx_http_sluice_hls_enc_data(pkg, te, "data:text/plain;base64,",
                                        box, size,
                                        NGX_HTTP_SLUICE_HLS_WIDEVINE);
}


/* PlayReady: a data: URI of the PlayReady Header Object */

static ngx_int_t
ngx_http_sluice_hls_enc_pro(ngx_http_sluice_pkg_t *pkg,
    sluice_hls_track_enc_t *te, ngx_sluice_key_t *key)
{
    u_char          *pro, *la, *custom;
    size_t           n;
    ngx_str_t        url, attrs;
    ngx_pool_t      *pool;
    EVP_CIPHER_CTX  *ctx;

    pool = pkg->request->pool;

    ctx = ngx_http_sluice_hls_enc_cipher(pkg);
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_sluice_packager_enc_url(pkg,
                                         NGX_HTTP_SLUICE_ENC_URL_PLAYREADY,
                                         key, &url)
        != NGX_OK
        || ngx_http_sluice_packager_enc_playready_attributes(pkg, &attrs)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    la = ngx_pnalloc(pool, url.len + 1);
    custom = ngx_pnalloc(pool, attrs.len + 1);
    pro = ngx_pnalloc(pool, SLUICE_DRM_PRO_MAX);
    if (la == NULL || custom == NULL || pro == NULL) {
        return NGX_ERROR;
    }

    *ngx_cpymem(la, url.data, url.len) = '\0';
    custom[0] = '\0';

    if (attrs.len) {
        *ngx_cpymem(custom, attrs.data, attrs.len) = '\0';
    }

    n = sluice_drm_playready_pro(ctx, pro, key->kid, key->value,
                                 pkg->enc.encryption != SLUICE_ENCRYPTION_CENC,
                                 (char *) la,
                                 attrs.len ? (char *) custom : NULL);
    if (n == 0) {
        ngx_log_error(NGX_LOG_ERR, pkg->request->connection->log, 0,
                      "sluice packager: no PlayReady header for HLS");
        return NGX_ERROR;
    }

    return ngx_http_sluice_hls_enc_data(pkg, te,
                                        "data:text/plain;charset=UTF-16;"
                                        "base64,",
                                        pro, n,
                                        NGX_HTTP_SLUICE_HLS_PLAYREADY);
}


static ngx_int_t
ngx_http_sluice_hls_enc_data(ngx_http_sluice_pkg_t *pkg,
    sluice_hls_track_enc_t *te, const char *prefix, u_char *data,
    size_t len, const char *keyformat)
{
    size_t             n;
    ngx_str_t          src, dst;
    sluice_hls_key_t  *k;

    if (te->nkeys == SLUICE_HLS_MAX_KEYS) {
        return NGX_OK;
    }

    n = ngx_strlen(prefix);

    dst.data = ngx_pnalloc(pkg->request->pool,
                           n + ngx_base64_encoded_length(len));
    if (dst.data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(dst.data, prefix, n);

    src.data = data;
    src.len = len;
    dst.data += n;
    ngx_encode_base64(&dst, &src);
    dst.data -= n;

    k = &te->keys[te->nkeys++];
    k->uri.data = dst.data;
    k->uri.len = n + dst.len;
    k->keyformat = keyformat;

    return NGX_OK;
}


/* an OpenSSL cipher context freed with the request */

static EVP_CIPHER_CTX *
ngx_http_sluice_hls_enc_cipher(ngx_http_sluice_pkg_t *pkg)
{
    EVP_CIPHER_CTX      *ctx;
    ngx_pool_cleanup_t  *cln;

    cln = ngx_pool_cleanup_add(pkg->request->pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        ngx_log_error(NGX_LOG_ERR, pkg->request->connection->log, 0,
                      "sluice packager: EVP_CIPHER_CTX_new() failed");
        return NULL;
    }

    cln->handler = ngx_http_sluice_hls_enc_cipher_free;
    cln->data = ctx;

    return ctx;
}


static void
ngx_http_sluice_hls_enc_cipher_free(void *data)
{
    EVP_CIPHER_CTX_free(data);
}


ngx_int_t
ngx_http_sluice_hls_enc_dash(ngx_http_sluice_pkg_t *pkg,
    sluice_presentation_t *p, sluice_ptrack_t *tracks)
{
    ngx_str_t           url;
    ngx_uint_t          i;
    ngx_sluice_key_t   *key;
    sluice_pprotect_t  *cp;

    if (!sluice_format_is_dash(pkg->url.format)
        || pkg->enc.encryption != SLUICE_ENCRYPTION_CBC)
    {
        return NGX_OK;
    }

    for (i = 0; i < p->ntracks; i++) {
        key = ngx_http_sluice_packager_enc_key(pkg,
                  ngx_http_sluice_hls_enc_fourcc(tracks[i].info));
        if (key == NULL) {
            continue;
        }

        cp = ngx_pcalloc(pkg->request->pool, sizeof(sluice_pprotect_t));
        if (cp == NULL
            || ngx_http_sluice_packager_enc_url(pkg,
                   NGX_HTTP_SLUICE_ENC_URL_AES, key, &url)
               != NGX_OK)
        {
            return NGX_ERROR;
        }

        ngx_memcpy(cp->kid, key->kid, SLUICE_AES_BLOCK_SIZE);
        ngx_memcpy(cp->sea_iv, key->kid, SLUICE_AES_BLOCK_SIZE);
        cp->sea_key_uri.data = url.data;
        cp->sea_key_uri.len = url.len;

        tracks[i].protect = cp;
    }

    return NGX_OK;
}


/* --- segments ----------------------------------------------------------- */

ngx_uint_t
ngx_http_sluice_hls_enc_segment(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_key_t **key)
{
    ngx_uint_t  how;

    *key = NULL;

    if (pkg->enc.scheme == NGX_SLUICE_SCHEME_NONE || pkg->nseg == 0) {
        return NGX_HTTP_SLUICE_HLS_CLEAR;
    }

    if (sluice_format_is_dash(pkg->url.format)) {
        /* DASH AES-128: media and initialization segments */

        if (pkg->enc.encryption != SLUICE_ENCRYPTION_CBC
            || (pkg->url.kind != SLUICE_URL_SEGMENT
                && pkg->url.kind != SLUICE_URL_INIT))
        {
            return NGX_HTTP_SLUICE_HLS_CLEAR;
        }

        how = NGX_HTTP_SLUICE_HLS_AES;

    } else if (!sluice_format_is_hls(pkg->url.format)
               || pkg->url.kind != SLUICE_URL_SEGMENT)
    {
        return NGX_HTTP_SLUICE_HLS_CLEAR;

    } else if (pkg->enc.encryption == SLUICE_ENCRYPTION_CBC) {
        how = NGX_HTTP_SLUICE_HLS_AES;

    } else if (pkg->enc.encryption == SLUICE_ENCRYPTION_CBCS_AAPL
               && sluice_format_is_ts(pkg->url.format))
    {
        how = NGX_HTTP_SLUICE_HLS_SAMPLE_AES;

    } else {
        return NGX_HTTP_SLUICE_HLS_CLEAR;
    }

    /* the key of the track asked for (a muxed audio track goes with it) */
    *key = ngx_http_sluice_packager_enc_key(pkg,
               ngx_http_sluice_hls_enc_fourcc(&pkg->seg[0].info));

    return *key ? how : NGX_HTTP_SLUICE_HLS_CLEAR;
}


/*
 * HLS: the seq of the segment's first fragment, 128-bit big-endian;
 * DASH: the one IV of the crypto period, the KID's bytes
 */

static void
ngx_http_sluice_hls_enc_iv(ngx_http_sluice_pkg_t *pkg, ngx_sluice_key_t *key,
    uint8_t iv[SLUICE_AES_BLOCK_SIZE])
{
    if (sluice_format_is_dash(pkg->url.format)) {
        ngx_memcpy(iv, key->kid, SLUICE_AES_BLOCK_SIZE);
        return;
    }

    sluice_aes_hls_iv(iv, pkg->seg[0].nfrags ? pkg->seg[0].frags[0].seq : 0);
}


ngx_int_t
ngx_http_sluice_hls_enc_aes(ngx_http_sluice_pkg_t *pkg, ngx_sluice_key_t *key,
    u_char *data, size_t len)
{
    uint8_t          iv[SLUICE_AES_BLOCK_SIZE];
    EVP_CIPHER_CTX  *ctx;

    ctx = ngx_http_sluice_hls_enc_cipher(pkg);
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    ngx_http_sluice_hls_enc_iv(pkg, key, iv);

    if (sluice_aes_cbc_encrypt(ctx, key->value, iv, data, len, data)
        != SLUICE_OK)
    {
        ngx_log_error(NGX_LOG_ERR, pkg->request->connection->log, 0,
                      "sluice packager: AES-128 encryption failed");
        return NGX_ERROR;
    }

    return NGX_OK;
}


sluice_status_t
ngx_http_sluice_hls_enc_samples(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_key_t *key, sluice_ts_segment_t *seg)
{
    uint32_t           i;
    uint8_t            iv[SLUICE_AES_BLOCK_SIZE];
    EVP_CIPHER_CTX    *ctx;
    sluice_status_t    rc;
    sluice_ts_track_t *at;

    ctx = ngx_http_sluice_hls_enc_cipher(pkg);
    if (ctx == NULL || sluice_sample_aes_init(ctx, key->value) != SLUICE_OK)
    {
        return SLUICE_ERROR;
    }

    ngx_http_sluice_hls_enc_iv(pkg, key, iv);
    seg->sample_aes = 1;

    if (seg->video.info) {
        if (seg->video.info->codec != SLUICE_CODEC_AVC) {
            /* Apple's SAMPLE-AES for TS is H.264 only */
            return SLUICE_UNSUPPORTED;
        }

        rc = ngx_http_sluice_hls_enc_video(pkg, ctx, iv, &seg->video);
        if (rc != SLUICE_OK) {
            return rc;
        }
    }

    at = &seg->audio;

    for (i = 0; at->info && i < at->nsamples; i++) {

        /* the samples point into the request's own read buffers */
        rc = sluice_sample_aes_aac(ctx, iv, (uint8_t *) at->samples[i].data,
                                   at->samples[i].size);
        if (rc != SLUICE_OK) {
            return rc;
        }
    }

    return SLUICE_OK;
}


/* the video samples, encrypted into new ones: sizes first, then bytes */

static sluice_status_t
ngx_http_sluice_hls_enc_video(ngx_http_sluice_pkg_t *pkg,
    EVP_CIPHER_CTX *ctx, const uint8_t *iv, sluice_ts_track_t *tt)
{
    u_char           *buf;
    size_t            total, n;
    uint32_t          i, nls;
    sluice_status_t   rc;
    sluice_sample_t  *s;

    nls = tt->info->nal_length_size ? tt->info->nal_length_size : 4;
    total = 0;

    for (i = 0; i < tt->nsamples; i++) {
        rc = sluice_sample_aes_avc(ctx, iv, tt->samples[i].data,
                                   tt->samples[i].size, nls, NULL, &n);
        if (rc != SLUICE_OK) {
            return rc;
        }

        total += n;
    }

    s = ngx_palloc(pkg->request->pool, tt->nsamples * sizeof(sluice_sample_t));
    buf = ngx_pnalloc(pkg->request->pool, total ? total : 1);
    if (s == NULL || buf == NULL) {
        return SLUICE_NO_MEMORY;
    }

    for (i = 0; i < tt->nsamples; i++) {
        s[i] = tt->samples[i];

        rc = sluice_sample_aes_avc(ctx, iv, tt->samples[i].data,
                                   tt->samples[i].size, nls, buf, &n);
        if (rc != SLUICE_OK) {
            return rc;
        }

        if (n > total) {
            return SLUICE_ERROR;
        }

        s[i].data = buf;
        s[i].size = (uint32_t) n;
        buf += n;
        total -= n;
    }

    tt->samples = s;

    return SLUICE_OK;
}
