
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Common Encryption of segments and its signalling in manifests; see
 * ngx_http_sluice_packager_cenc.h.
 *
 * Per track (the key of its sample entry FourCC, pkg->enc):
 *
 *   'cenc'  tenc v0, 8-byte per-sample IVs; the first sample's IV of a
 *           fragment is sluice_cenc_iv_derive(key, track, fragment time),
 *           the next ones count up;
 *   'cbcs'  tenc v1, 1:9 video, 1:0 audio, a constant IV per track,
 *           sluice_cenc_iv_derive(key, track, 0);
 *
 * where the track is its media type and bitrate (unique among the tracks
 * of a presentation, so that no two tracks under one key share IVs).
 * The same URL thus always gives the same bytes, and a Smooth fragment
 * carries the same encrypted samples as the DASH one.
 *
 * pssh boxes in the moov of init segments: the W3C common system with
 * the KID (ClearKey), Widevine and PlayReady when the streaming policy
 * signals them.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "packager/ngx_http_sluice_packager_cenc.h"
#include "packager/ngx_http_sluice_packager_buffer.h"
#include "packager/ngx_http_sluice_packager_filter.h"
#include "packager/ngx_http_sluice_packager_module.h"
#include "packager/ngx_http_sluice_packager_encryption.h"
#include "media/crypto/sluice_cenc_init.h"
#include "media/crypto/sluice_cenc_fragment.h"
#include "media/crypto/sluice_drm.h"


/* what a track is encrypted with */
typedef struct {
    ngx_sluice_key_t            *key;
    sluice_cenc_track_t          track;     /* tenc */
    uint64_t                     id;        /* for the IVs */
} ngx_http_sluice_cenc_t;


static ngx_int_t ngx_http_sluice_cenc_get(ngx_http_sluice_pkg_t *pkg,
    const sluice_track_info_t *info, ngx_http_sluice_cenc_t *c);
static uint32_t ngx_http_sluice_cenc_fourcc(const sluice_track_info_t *info);
static EVP_CIPHER_CTX *ngx_http_sluice_cenc_evp(ngx_http_request_t *r);
static void ngx_http_sluice_cenc_evp_cleanup(void *data);
static void *ngx_http_sluice_cenc_buffer(void *ctx, size_t size);
static ngx_int_t ngx_http_sluice_cenc_init(ngx_http_sluice_pkg_t *pkg,
    ngx_http_sluice_cenc_t *c, ngx_str_t *in, ngx_str_t *out);
static ngx_int_t ngx_http_sluice_cenc_fragment(ngx_http_sluice_pkg_t *pkg,
    ngx_http_sluice_cenc_t *c, const sluice_track_info_t *info,
    ngx_str_t *in, uint64_t time, ngx_uint_t piff, size_t reserve,
    ngx_str_t *out);
static sluice_slice_params_t *ngx_http_sluice_cenc_slices(
    ngx_http_request_t *r, const sluice_track_info_t *info);
static ngx_int_t ngx_http_sluice_cenc_pssh(ngx_http_sluice_pkg_t *pkg,
    EVP_CIPHER_CTX *evp, sluice_drm_system_t system,
    ngx_http_sluice_cenc_t *c, ngx_str_t *box);
static ngx_int_t ngx_http_sluice_cenc_pro(ngx_http_sluice_pkg_t *pkg,
    EVP_CIPHER_CTX *evp, ngx_http_sluice_cenc_t *c, ngx_str_t *pro);
static ngx_int_t ngx_http_sluice_cenc_protect(ngx_http_sluice_pkg_t *pkg,
    EVP_CIPHER_CTX *evp, ngx_http_sluice_cenc_t *c, sluice_pprotect_t *cp);
static ngx_int_t ngx_http_sluice_cenc_base64(ngx_pool_t *pool,
    ngx_str_t *bin, sluice_str_t *out);
static char *ngx_http_sluice_cenc_cstr(ngx_pool_t *pool, ngx_str_t *s);


ngx_uint_t
ngx_http_sluice_packager_cenc_on(ngx_http_sluice_pkg_t *pkg,
    const sluice_track_info_t *info)
{
    if ((pkg->enc.scheme != NGX_SLUICE_SCHEME_CENC
         && pkg->enc.scheme != NGX_SLUICE_SCHEME_CBCS)
        || (!sluice_format_is_cmaf(pkg->url.format)
            && pkg->url.format != SLUICE_FORMAT_SMOOTH))
    {
        return 0;
    }

    return ngx_http_sluice_packager_enc_key(pkg,
               ngx_http_sluice_cenc_fourcc(info)) != NULL;
}


/* the key, tenc and IV track of a track; NGX_DECLINED: it stays clear */

static ngx_int_t
ngx_http_sluice_cenc_get(ngx_http_sluice_pkg_t *pkg,
    const sluice_track_info_t *info, ngx_http_sluice_cenc_t *c)
{
    int                   video;
    sluice_cenc_track_t  *t;

    if (!ngx_http_sluice_packager_cenc_on(pkg, info)) {
        return NGX_DECLINED;
    }

    c->key = ngx_http_sluice_packager_enc_key(pkg,
                 ngx_http_sluice_cenc_fourcc(info));
    c->id = ((uint64_t) info->media_type << 32) | info->bitrate;

    t = &c->track;
    ngx_memzero(t, sizeof(sluice_cenc_track_t));
    ngx_memcpy(t->kid, c->key->kid, SLUICE_CENC_KID_SIZE);

    if (pkg->enc.scheme == NGX_SLUICE_SCHEME_CENC) {
        t->scheme = SLUICE_CENC_SCHEME_CENC;
        t->iv_size = SLUICE_CENC_IV_SIZE;
        return NGX_OK;
    }

    video = (info->media_type == SLUICE_MEDIA_VIDEO);

    t->scheme = SLUICE_CENC_SCHEME_CBCS;
    t->iv_size = 0;
    t->crypt = video ? SLUICE_CENC_VIDEO_CRYPT : SLUICE_CENC_AUDIO_CRYPT;
    t->skip = video ? SLUICE_CENC_VIDEO_SKIP : SLUICE_CENC_AUDIO_SKIP;

    if (sluice_cenc_iv_derive(c->key->value, t->scheme, c->id, 0,
                              t->constant_iv)
        != SLUICE_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* the sample entry FourCC of the stored init segment, big-endian */

static uint32_t
ngx_http_sluice_cenc_fourcc(const sluice_track_info_t *info)
{
    switch (info->codec) {

    case SLUICE_CODEC_AVC:
        return sluice_cenc_fourcc('a', 'v', 'c', '1');

    case SLUICE_CODEC_HEVC:
        return sluice_cenc_fourcc('h', 'v', 'c', '1');

    default:
        return sluice_cenc_fourcc('m', 'p', '4', 'a');
    }
}


/* an OpenSSL context for the request, freed with its pool */

static EVP_CIPHER_CTX *
ngx_http_sluice_cenc_evp(ngx_http_request_t *r)
{
    EVP_CIPHER_CTX      *evp;
    ngx_pool_cleanup_t  *cln;

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    evp = EVP_CIPHER_CTX_new();
    if (evp == NULL) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "sluice packager: EVP_CIPHER_CTX_new() failed");
        return NULL;
    }

    cln->handler = ngx_http_sluice_cenc_evp_cleanup;
    cln->data = evp;

    return evp;
}


static void
ngx_http_sluice_cenc_evp_cleanup(void *data)
{
    EVP_CIPHER_CTX_free(data);
}


ngx_int_t
ngx_http_sluice_packager_cenc_segment(ngx_http_sluice_pkg_t *pkg,
    ngx_str_t *in, time_t max_age)
{
    ngx_int_t                     rc;
    ngx_buf_t                    *b;
    ngx_str_t                     out, type;
    ngx_http_request_t           *r;
    ngx_http_sluice_cenc_t        c;
    ngx_http_sluice_seg_track_t  *st;

    r = pkg->request;
    st = &pkg->seg[0];

    rc = ngx_http_sluice_cenc_get(pkg, &st->info, &c);

    if (rc == NGX_DECLINED) {
        out = *in;

    } else if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;

    } else if (pkg->url.kind == SLUICE_URL_INIT) {
        rc = ngx_http_sluice_cenc_init(pkg, &c, in, &out);

    } else {
        rc = ngx_http_sluice_cenc_fragment(pkg, &c, &st->info, in,
                                           st->frags[0].time, 0, 0, &out);
    }

    if (rc != NGX_OK && rc != NGX_DECLINED) {
        return ngx_http_sluice_packager_error(r,
                                              NGX_HTTP_INTERNAL_SERVER_ERROR,
                                              "cannot encrypt");
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->start = out.data;
    b->pos = out.data;
    b->last = out.data + out.len;
    b->end = b->last;
    b->memory = 1;

    if (st->info.media_type == SLUICE_MEDIA_VIDEO) {
        ngx_str_set(&type, "video/mp4");

    } else {
        ngx_str_set(&type, "audio/mp4");
    }

    return ngx_http_sluice_packager_send(r, &type, b, max_age);
}


static ngx_int_t
ngx_http_sluice_cenc_init(ngx_http_sluice_pkg_t *pkg,
    ngx_http_sluice_cenc_t *c, ngx_str_t *in, ngx_str_t *out)
{
    u_char              *p;
    size_t               size;
    ngx_str_t            pssh, box;
    ngx_uint_t           drm, i;
    EVP_CIPHER_CTX      *evp;
    sluice_status_t      rc;
    ngx_http_request_t  *r;

    static sluice_drm_system_t  systems[] = {
        SLUICE_DRM_COMMON, SLUICE_DRM_WIDEVINE, SLUICE_DRM_PLAYREADY
    };

    r = pkg->request;

    evp = ngx_http_sluice_cenc_evp(r);
    if (evp == NULL) {
        return NGX_ERROR;
    }

    /* the pssh boxes: W3C common always, the DRMs the policy signals */

    drm = ngx_http_sluice_packager_enc_drm(pkg);
    ngx_str_null(&pssh);

    for (i = 0; i < sizeof(systems) / sizeof(systems[0]); i++) {
        if ((systems[i] == SLUICE_DRM_WIDEVINE
             && !(drm & NGX_HTTP_SLUICE_DRM_WIDEVINE))
            || (systems[i] == SLUICE_DRM_PLAYREADY
                && !(drm & NGX_HTTP_SLUICE_DRM_PLAYREADY)))
        {
            continue;
        }

        if (ngx_http_sluice_cenc_pssh(pkg, evp, systems[i], c, &box)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        p = ngx_pnalloc(r->pool, pssh.len + box.len);
        if (p == NULL) {
            return NGX_ERROR;
        }

        if (pssh.len) {
            ngx_memcpy(p, pssh.data, pssh.len);
        }

        ngx_memcpy(p + pssh.len, box.data, box.len);
        pssh.data = p;
        pssh.len += box.len;
    }

    rc = sluice_cenc_init_size(in->data, in->len, &c->track, pssh.len, &size);

    if (rc != SLUICE_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "sluice packager: cannot protect the init segment "
                      "of track %ui: %d", pkg->seg[0].index, rc);
        return NGX_ERROR;
    }

    out->data = ngx_pnalloc(r->pool, size);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    p = sluice_cenc_init_write(out->data, in->data, in->len, &c->track,
                               pssh.data, pssh.len);

    if (p == NULL || (size_t) (p - out->data) != size) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "sluice packager: protected init size mismatch");
        return NGX_ERROR;
    }

    out->len = size;

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_cenc_fragment(ngx_http_sluice_pkg_t *pkg,
    ngx_http_sluice_cenc_t *c, const sluice_track_info_t *info,
    ngx_str_t *in, uint64_t time, ngx_uint_t piff, size_t reserve,
    ngx_str_t *out)
{
    EVP_CIPHER_CTX          *evp;
    sluice_alloc_t           big;
    sluice_status_t          rc;
    ngx_http_request_t      *r;
    sluice_slice_params_t   *sp;
    sluice_cenc_fragment_t   cf;

    r = pkg->request;
    sp = NULL;

    evp = ngx_http_sluice_cenc_evp(r);
    if (evp == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(&cf, sizeof(sluice_cenc_fragment_t));

    cf.scheme = c->track.scheme;
    cf.codec = info->codec;
    cf.nal_length_size = info->nal_length_size;
    cf.piff = piff ? 1 : 0;
    ngx_memcpy(cf.key, c->key->value, SLUICE_AES_KEY_SIZE);

    if (cf.scheme == SLUICE_CENC_SCHEME_CBCS) {
        ngx_memcpy(cf.iv, c->track.constant_iv, SLUICE_AES_BLOCK_SIZE);

        if (info->media_type == SLUICE_MEDIA_VIDEO) {
            sp = ngx_http_sluice_cenc_slices(r, info);
            if (sp == NULL) {
                ngx_explicit_memzero(&cf, sizeof(sluice_cenc_fragment_t));
                return NGX_ERROR;
            }

            cf.slices = sp;
        }

    } else if (sluice_cenc_iv_derive(cf.key, cf.scheme, c->id, time, cf.iv)
               != SLUICE_OK)
    {
        ngx_explicit_memzero(&cf, sizeof(sluice_cenc_fragment_t));
        return NGX_ERROR;
    }

    /* the fragment's new copy from the worker's kept buffers */
    big.alloc = ngx_http_sluice_cenc_buffer;
    big.ctx = r->pool;

    rc = sluice_cenc_fragment_encrypt(evp, &cf, in->data, in->len, reserve,
                                      &big, &out->data, &out->len);

    ngx_explicit_memzero(&cf, sizeof(sluice_cenc_fragment_t));

    if (rc != SLUICE_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "sluice packager: cannot encrypt fragment %uL of "
                      "track %ui: %d", time, pkg->seg[0].index, rc);
        return NGX_ERROR;
    }

    if (sp && sp->failed) {
        ngx_log_debug3(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "sluice packager: cbcs fragment %uL: %uz slice "
                       "headers measured, %uz with the fixed clear lead",
                       time, sp->measured, sp->failed);
    }

    return NGX_OK;
}


/* the parameter sets of a video track's sample entry, for 'cbcs' */

static sluice_slice_params_t *
ngx_http_sluice_cenc_slices(ngx_http_request_t *r,
    const sluice_track_info_t *info)
{
    sluice_slice_params_t  *sp;

    sp = ngx_palloc(r->pool, sizeof(sluice_slice_params_t));
    if (sp == NULL) {
        return NULL;
    }

    /* a record that does not parse: slices get the fixed clear lead */

    if (sluice_slice_params_init(sp, info->codec, info->config,
                                 info->config_len)
        != SLUICE_OK)
    {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "sluice packager: no slice parameters for codec %uD",
                       info->codec);
    }

    return sp;
}


ngx_int_t
ngx_http_sluice_packager_cenc_smooth(ngx_http_sluice_pkg_t *pkg,
    ngx_str_t *in, uint64_t time, size_t reserve, ngx_str_t *out)
{
    ngx_int_t                     rc;
    ngx_http_sluice_cenc_t        c;
    ngx_http_sluice_seg_track_t  *st;

    st = &pkg->seg[0];

    rc = ngx_http_sluice_cenc_get(pkg, &st->info, &c);
    if (rc != NGX_OK) {
        return rc;
    }

    return ngx_http_sluice_cenc_fragment(pkg, &c, &st->info, in, time,
               pkg->enc.encryption == SLUICE_ENCRYPTION_PIFF, reserve, out);
}


/* a whole pssh box of a system for the track's key */

static ngx_int_t
ngx_http_sluice_cenc_pssh(ngx_http_sluice_pkg_t *pkg, EVP_CIPHER_CTX *evp,
    sluice_drm_system_t system, ngx_http_sluice_cenc_t *c, ngx_str_t *box)
{
    size_t     n;
    u_char    *end;
    ngx_str_t  data;
    uint8_t    wv[SLUICE_DRM_WIDEVINE_DATA_MAX];

    ngx_str_null(&data);

    if (system == SLUICE_DRM_WIDEVINE) {
        data.len = sluice_drm_widevine_data(wv, c->key->kid,
                                            c->track.scheme);
        data.data = wv;

    } else if (system == SLUICE_DRM_PLAYREADY) {
        if (ngx_http_sluice_cenc_pro(pkg, evp, c, &data) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    n = sluice_drm_pssh_size(system, data.len);

    box->data = ngx_pnalloc(pkg->request->pool, n);
    if (box->data == NULL) {
        return NGX_ERROR;
    }

    end = sluice_drm_pssh_write(box->data, system, c->key->kid, data.data,
                                data.len);
    box->len = end - box->data;

    return box->len == n ? NGX_OK : NGX_ERROR;
}


/* the PlayReady Header Object: LA_URL and the policy's custom attributes */

static ngx_int_t
ngx_http_sluice_cenc_pro(ngx_http_sluice_pkg_t *pkg, EVP_CIPHER_CTX *evp,
    ngx_http_sluice_cenc_t *c, ngx_str_t *pro)
{
    char                *la, *custom;
    ngx_str_t            url, attrs;
    ngx_http_request_t  *r;

    r = pkg->request;

    if (ngx_http_sluice_packager_enc_url(pkg,
                                         NGX_HTTP_SLUICE_ENC_URL_PLAYREADY,
                                         c->key, &url)
        != NGX_OK
        || ngx_http_sluice_packager_enc_playready_attributes(pkg, &attrs)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    la = ngx_http_sluice_cenc_cstr(r->pool, &url);
    custom = ngx_http_sluice_cenc_cstr(r->pool, &attrs);

    pro->data = ngx_pnalloc(r->pool, SLUICE_DRM_PRO_MAX);
    if (la == NULL || custom == NULL || pro->data == NULL) {
        return NGX_ERROR;
    }

    pro->len = sluice_drm_playready_pro(evp, pro->data, c->key->kid,
                   c->key->value, c->track.scheme == SLUICE_CENC_SCHEME_CBCS,
                   la, attrs.len ? custom : NULL);

    if (pro->len == 0) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "sluice packager: cannot make the PlayReady header "
                      "(LA_URL or playReadyCustomAttributes too long or "
                      "not ASCII)");
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_sluice_packager_cenc_presentation(ngx_http_sluice_pkg_t *pkg,
    sluice_presentation_t *p, sluice_ptrack_t *tracks)
{
    ngx_int_t                rc;
    ngx_str_t                tag;
    ngx_uint_t               i, j, n;
    EVP_CIPHER_CTX          *evp;
    sluice_pprotect_t       *cp;
    ngx_http_sluice_cenc_t   c;
    ngx_sluice_key_t        *keys[NGX_SLUICE_MAX_KEYS];
    sluice_pprotect_t       *made[NGX_SLUICE_MAX_KEYS];

    if (!sluice_format_is_dash(pkg->url.format)
        && pkg->url.format != SLUICE_FORMAT_SMOOTH)
    {
        return NGX_OK;
    }

    if (ngx_http_sluice_packager_url_tag(pkg, &tag) != NGX_OK) {
        return NGX_ERROR;
    }

    p->url_tag.data = tag.data;
    p->url_tag.len = tag.len;

    evp = NULL;
    n = 0;

    for (i = 0; i < p->ntracks; i++) {
        rc = ngx_http_sluice_cenc_get(pkg, tracks[i].info, &c);

        if (rc == NGX_DECLINED) {
            continue;
        }

        if (rc != NGX_OK) {
            return NGX_ERROR;
        }

        /* one signalling per key */

        for (j = 0; j < n; j++) {
            if (keys[j] == c.key) {
                break;
            }
        }

        if (j < n) {
            tracks[i].protect = made[j];
            continue;
        }

        if (evp == NULL) {
            evp = ngx_http_sluice_cenc_evp(pkg->request);
            if (evp == NULL) {
                return NGX_ERROR;
            }
        }

        cp = ngx_pcalloc(pkg->request->pool, sizeof(sluice_pprotect_t));
        if (cp == NULL
            || ngx_http_sluice_cenc_protect(pkg, evp, &c, cp) != NGX_OK)
        {
            return NGX_ERROR;
        }

        if (n < NGX_SLUICE_MAX_KEYS) {
            keys[n] = c.key;
            made[n++] = cp;
        }

        tracks[i].protect = cp;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_cenc_protect(ngx_http_sluice_pkg_t *pkg, EVP_CIPHER_CTX *evp,
    ngx_http_sluice_cenc_t *c, sluice_pprotect_t *cp)
{
    ngx_str_t    url, bin;
    ngx_uint_t   drm, smooth;
    ngx_pool_t  *pool;

    pool = pkg->request->pool;
    drm = ngx_http_sluice_packager_enc_drm(pkg);
    smooth = (pkg->url.format == SLUICE_FORMAT_SMOOTH);

    cp->scheme = c->track.scheme;
    ngx_memcpy(cp->kid, c->key->kid, SLUICE_CENC_KID_SIZE);

    if (ngx_http_sluice_packager_enc_url(pkg, NGX_HTTP_SLUICE_ENC_URL_CLEARKEY,
                                         c->key, &url)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    cp->clearkey_laurl.data = url.data;
    cp->clearkey_laurl.len = url.len;

    if ((drm & NGX_HTTP_SLUICE_DRM_WIDEVINE) && !smooth) {
        if (ngx_http_sluice_cenc_pssh(pkg, evp, SLUICE_DRM_WIDEVINE, c, &bin)
            != NGX_OK
            || ngx_http_sluice_cenc_base64(pool, &bin, &cp->widevine_pssh)
               != NGX_OK
            || ngx_http_sluice_packager_enc_url(pkg,
                   NGX_HTTP_SLUICE_ENC_URL_WIDEVINE, c->key, &url)
               != NGX_OK)
        {
            return NGX_ERROR;
        }

        cp->widevine_laurl.data = url.data;
        cp->widevine_laurl.len = url.len;
    }

    /* Smooth: the ProtectionHeader names the KID, PlayReady or not */

    if (!(drm & NGX_HTTP_SLUICE_DRM_PLAYREADY) && !smooth) {
        return NGX_OK;
    }

    if (ngx_http_sluice_cenc_pro(pkg, evp, c, &bin) != NGX_OK
        || ngx_http_sluice_cenc_base64(pool, &bin, &cp->playready_pro)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (smooth) {
        return NGX_OK;
    }

    if (ngx_http_sluice_cenc_pssh(pkg, evp, SLUICE_DRM_PLAYREADY, c, &bin)
        != NGX_OK
        || ngx_http_sluice_cenc_base64(pool, &bin, &cp->playready_pssh)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_cenc_base64(ngx_pool_t *pool, ngx_str_t *bin,
    sluice_str_t *out)
{
    ngx_str_t  s;

    s.data = ngx_pnalloc(pool, ngx_base64_encoded_length(bin->len));
    if (s.data == NULL) {
        return NGX_ERROR;
    }

    ngx_encode_base64(&s, bin);

    out->data = s.data;
    out->len = s.len;

    return NGX_OK;
}


static char *
ngx_http_sluice_cenc_cstr(ngx_pool_t *pool, ngx_str_t *s)
{
    u_char  *p;

    p = ngx_pnalloc(pool, s->len + 1);
    if (p == NULL) {
        return NULL;
    }

    if (s->len) {
        ngx_memcpy(p, s->data, s->len);
    }

    p[s->len] = '\0';

    return (char *) p;
}


static void *
ngx_http_sluice_cenc_buffer(void *ctx, size_t size)
{
    return ngx_http_sluice_packager_buffer(ctx, size);
}
