
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Which encryption a streaming locator request gets.  The encryption=
 * tag names a scheme (cbc: envelope, cenc and piff: CENC, cbcs-aapl and
 * cbcs: CBCS), which the locator's streaming policy must enable for the
 * request's protocol, and which the format must be able to carry:
 *
 *   cbc        HLS (TS, fMP4), DASH (ISO/IEC 23009-4 AES-128)
 *   cenc       DASH, Smooth, HLS fMP4
 *   cbcs-aapl  HLS TS (not m3u8-aapl-v3), HLS fMP4
 *   cbcs       HLS fMP4, DASH
 *   piff       Smooth
 *
 * Without a tag: clear when the policy's noEncryption enables the
 * protocol, else the protocol's first scheme the policy enables (HLS:
 * cbc, then cbcs-aapl; DASH: cenc, then cbcs; Smooth: cenc), never clear
 * content for a protocol the policy only enables encrypted.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "packager/ngx_http_sluice_packager_module.h"
#include "packager/ngx_http_sluice_packager_encryption.h"
#include "util/sluice_uuid.h"


static ngx_uint_t ngx_http_sluice_enc_protocol(sluice_format_t format);
static ngx_int_t ngx_http_sluice_enc_carries(sluice_format_t format,
    ngx_uint_t encryption);
static ngx_uint_t ngx_http_sluice_enc_default(sluice_format_t format,
    ngx_uint_t enabled);
static ngx_int_t ngx_http_sluice_enc_copy(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_res_t *loc, ngx_sluice_res_t *policy);
static ngx_int_t ngx_http_sluice_enc_dup(ngx_pool_t *pool, ngx_str_t *dst,
    u_char *src, size_t len);
static sluice_json_t *ngx_http_sluice_enc_block(ngx_http_sluice_pkg_t *pkg);
static sluice_json_t *ngx_http_sluice_enc_path(sluice_json_t *v, ...);
static ngx_int_t ngx_http_sluice_enc_template(ngx_http_sluice_pkg_t *pkg,
    sluice_json_t *tpl, ngx_sluice_key_t *key, ngx_str_t *url);
static ngx_int_t ngx_http_sluice_enc_base(ngx_http_sluice_pkg_t *pkg,
    ngx_str_t *base);


/* the scheme of each sluice_encryption_t */
static ngx_uint_t  ngx_http_sluice_enc_schemes[] = {
    NGX_SLUICE_SCHEME_NONE,         /* none */
    NGX_SLUICE_SCHEME_ENVELOPE,     /* cbc */
    NGX_SLUICE_SCHEME_CENC,         /* cenc */
    NGX_SLUICE_SCHEME_CBCS,         /* cbcs-aapl */
    NGX_SLUICE_SCHEME_CBCS,         /* cbcs */
    NGX_SLUICE_SCHEME_CENC          /* piff */
};


/* the policy blocks, by scheme */
static const char  *ngx_http_sluice_enc_blocks[] = {
    "noEncryption", "envelopeEncryption", "commonEncryptionCenc",
    "commonEncryptionCbcs"
};


ngx_int_t
ngx_http_sluice_packager_enc_select(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_res_t *loc, ngx_sluice_res_t *policy)
{
    ngx_uint_t      proto, enabled, s, encryption;
    sluice_format_t format;

    format = pkg->url.format;
    proto = ngx_http_sluice_enc_protocol(format);
    encryption = pkg->url.encryption;

    enabled = 0;

    for (s = 0; s < NGX_SLUICE_SCHEME_N; s++) {
        if (policy->f.enc_protocols[s] & proto) {
            enabled |= 1 << s;
        }
    }

    if (policy->f.protocols & proto) {
        enabled |= 1 << NGX_SLUICE_SCHEME_NONE;
    }

    if (encryption == SLUICE_ENCRYPTION_NONE) {

        if (enabled & (1 << NGX_SLUICE_SCHEME_NONE)) {
            return NGX_OK;
        }

        encryption = ngx_http_sluice_enc_default(format, enabled);

        if (encryption == SLUICE_ENCRYPTION_NONE) {
            pkg->status = NGX_HTTP_NOT_FOUND;
            pkg->reason = "protocol not enabled by the streaming policy";
            return NGX_DECLINED;
        }

    } else {
        pkg->enc.tagged = 1;

        if (ngx_http_sluice_enc_carries(format, encryption) != NGX_OK) {
            pkg->status = NGX_HTTP_BAD_REQUEST;
            pkg->reason = "this format cannot carry that encryption";
            return NGX_DECLINED;
        }

        if (!(enabled & (1 << ngx_http_sluice_enc_schemes[encryption]))) {
            pkg->status = NGX_HTTP_FORBIDDEN;
            pkg->reason = "encryption scheme not enabled by the streaming "
                          "policy for this protocol";
            return NGX_DECLINED;
        }
    }

    pkg->enc.encryption = encryption;
    pkg->enc.scheme = ngx_http_sluice_enc_schemes[encryption];

    return ngx_http_sluice_enc_copy(pkg, loc, policy);
}


static ngx_uint_t
ngx_http_sluice_enc_protocol(sluice_format_t format)
{
    if (sluice_format_is_hls(format)) {
        return NGX_SLUICE_PROTO_HLS;
    }

    if (sluice_format_is_dash(format)) {
        return NGX_SLUICE_PROTO_DASH;
    }

    return NGX_SLUICE_PROTO_SMOOTH;
}


static ngx_int_t
ngx_http_sluice_enc_carries(sluice_format_t format, ngx_uint_t encryption)
{
    switch (encryption) {

    case SLUICE_ENCRYPTION_CBC:
        return (sluice_format_is_hls(format) || sluice_format_is_dash(format))
               ? NGX_OK : NGX_DECLINED;

    case SLUICE_ENCRYPTION_CENC:
        return (sluice_format_is_dash(format)
                || format == SLUICE_FORMAT_SMOOTH
                || format == SLUICE_FORMAT_HLS_CMAF)
               ? NGX_OK : NGX_DECLINED;

    case SLUICE_ENCRYPTION_CBCS_AAPL:
        return (format == SLUICE_FORMAT_HLS_TS
                || format == SLUICE_FORMAT_HLS_CMAF)
               ? NGX_OK : NGX_DECLINED;

    case SLUICE_ENCRYPTION_CBCS:
        return (format == SLUICE_FORMAT_HLS_CMAF
                || sluice_format_is_dash(format))
               ? NGX_OK : NGX_DECLINED;

    case SLUICE_ENCRYPTION_PIFF:
        return format == SLUICE_FORMAT_SMOOTH ? NGX_OK : NGX_DECLINED;
    }

    return NGX_DECLINED;
}


static ngx_uint_t
ngx_http_sluice_enc_default(sluice_format_t format, ngx_uint_t enabled)
{
#define ngx_http_sluice_enc_on(s)  (enabled & (1 << NGX_SLUICE_SCHEME_##s))

    if (sluice_format_is_hls(format)) {
        if (ngx_http_sluice_enc_on(ENVELOPE)) {
            return SLUICE_ENCRYPTION_CBC;
        }

        if (ngx_http_sluice_enc_on(CBCS) && format != SLUICE_FORMAT_HLS_TS_V3)
        {
            return SLUICE_ENCRYPTION_CBCS_AAPL;
        }

        return SLUICE_ENCRYPTION_NONE;
    }

    if (ngx_http_sluice_enc_on(CENC)) {
        return SLUICE_ENCRYPTION_CENC;
    }

    if (sluice_format_is_dash(format) && ngx_http_sluice_enc_on(CBCS)) {
        return SLUICE_ENCRYPTION_CBCS;
    }

#undef ngx_http_sluice_enc_on

    return SLUICE_ENCRYPTION_NONE;
}


/* the scheme's keys, clear FourCCs, token and documents (mutex held) */

static ngx_int_t
ngx_http_sluice_enc_copy(ngx_http_sluice_pkg_t *pkg, ngx_sluice_res_t *loc,
    ngx_sluice_res_t *policy)
{
    ngx_uint_t              i;
    ngx_http_request_t     *r;
    ngx_http_sluice_enc_t  *enc;

    r = pkg->request;
    enc = &pkg->enc;

    for (i = 0; i < loc->f.nkeys && i < NGX_SLUICE_MAX_KEYS; i++) {
        if (loc->f.keys[i].scheme == enc->scheme) {
            enc->keys[enc->nkeys++] = loc->f.keys[i];
        }
    }

    if (enc->nkeys == 0) {
        pkg->status = NGX_HTTP_FORBIDDEN;
        pkg->reason = "the streaming locator has no content key for this "
                      "encryption scheme";
        return NGX_DECLINED;
    }

    ngx_memcpy(enc->clear, loc->f.clear[enc->scheme], sizeof(enc->clear));

    if (ngx_http_arg(r, (u_char *) "token", 5, &enc->token) != NGX_OK) {
        ngx_str_null(&enc->token);
    }

    /* init segments too: their pssh boxes name the DRM systems */
    if (pkg->url.kind != SLUICE_URL_MANIFEST
        && pkg->url.kind != SLUICE_URL_PLAYLIST
        && pkg->url.kind != SLUICE_URL_INIT)
    {
        return NGX_OK;
    }

    if (ngx_http_sluice_enc_dup(r->pool, &enc->policy_json, policy->json,
                                policy->json_len)
        != NGX_OK
        || ngx_http_sluice_enc_dup(r->pool, &enc->locator_json, loc->json,
                                   loc->json_len)
           != NGX_OK)
    {
        pkg->status = NGX_HTTP_INTERNAL_SERVER_ERROR;
        pkg->reason = "no memory";
        return NGX_DECLINED;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_enc_dup(ngx_pool_t *pool, ngx_str_t *dst, u_char *src,
    size_t len)
{
    if (src == NULL || len == 0) {
        ngx_str_null(dst);
        return NGX_OK;
    }

    dst->data = ngx_pnalloc(pool, len);
    if (dst->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(dst->data, src, len);
    dst->len = len;

    return NGX_OK;
}


ngx_sluice_key_t *
ngx_http_sluice_packager_enc_key(ngx_http_sluice_pkg_t *pkg, uint32_t fourcc)
{
    ngx_uint_t              i;
    ngx_sluice_key_t       *def;
    ngx_http_sluice_enc_t  *enc;

    enc = &pkg->enc;

    if (enc->scheme == NGX_SLUICE_SCHEME_NONE) {
        return NULL;
    }

    for (i = 0; i < NGX_SLUICE_MAX_CLEAR && enc->clear[i]; i++) {
        if (enc->clear[i] == fourcc) {
            return NULL;
        }
    }

    def = NULL;

    for (i = 0; i < enc->nkeys; i++) {
        if (enc->keys[i].fourcc == 0) {
            def = &enc->keys[i];

        } else if (enc->keys[i].fourcc == fourcc) {
            return &enc->keys[i];
        }
    }

    return def;
}


/* --- URLs for manifests ------------------------------------------------- */

ngx_int_t
ngx_http_sluice_packager_enc_url(ngx_http_sluice_pkg_t *pkg, ngx_uint_t what,
    ngx_sluice_key_t *key, ngx_str_t *url)
{
    u_char         *p;
    size_t          len;
    ngx_str_t       base;
    sluice_json_t  *block, *tpl;
    char            kid[SLUICE_UUID_LEN + 1];

    static const char  *paths[] = { "/?kid=", "/ClearKey/", "/Widevine/?kid=",
                                    "/PlayReady/", "/FairPlay/?kid=" };

    block = ngx_http_sluice_enc_block(pkg);

    switch (what) {

    case NGX_HTTP_SLUICE_ENC_URL_AES:
        tpl = ngx_http_sluice_enc_path(block,
                                       "customKeyAcquisitionUrlTemplate",
                                       NULL);
        break;

    case NGX_HTTP_SLUICE_ENC_URL_CLEARKEY:
        tpl = ngx_http_sluice_enc_path(block,
                                       "clearKeyEncryptionConfiguration",
                                       "customKeysAcquisitionUrlTemplate",
                                       NULL);
        break;

    case NGX_HTTP_SLUICE_ENC_URL_WIDEVINE:
        tpl = ngx_http_sluice_enc_path(block, "drm", "widevine",
                                       "customLicenseAcquisitionUrlTemplate",
                                       NULL);
        break;

    case NGX_HTTP_SLUICE_ENC_URL_PLAYREADY:
        tpl = ngx_http_sluice_enc_path(block, "drm", "playReady",
                                       "customLicenseAcquisitionUrlTemplate",
                                       NULL);
        break;

    default: /* NGX_HTTP_SLUICE_ENC_URL_FAIRPLAY */
        tpl = ngx_http_sluice_enc_path(block, "drm", "fairPlay",
                                       "customLicenseAcquisitionUrlTemplate",
                                       NULL);
        break;
    }

    if (tpl && tpl->type == SLUICE_JSON_STRING && tpl->str.len) {
        return ngx_http_sluice_enc_template(pkg, tpl, key, url);
    }

    if (ngx_http_sluice_enc_base(pkg, &base) != NGX_OK) {
        return NGX_ERROR;
    }

    if (what == NGX_HTTP_SLUICE_ENC_URL_FAIRPLAY) {
        /* skd://{host of the base}: scheme replaced */
        p = ngx_strlchr(base.data, base.data + base.len, ':');

        if (p && p + 3 <= base.data + base.len && p[1] == '/' && p[2] == '/') {
            base.len -= p + 3 - base.data;
            base.data = p + 3;
        }
    }

    kid[0] = '\0';

    if (key && (what == NGX_HTTP_SLUICE_ENC_URL_AES
                || what == NGX_HTTP_SLUICE_ENC_URL_WIDEVINE
                || what == NGX_HTTP_SLUICE_ENC_URL_FAIRPLAY))
    {
        sluice_uuid_print(key->kid, kid);
        kid[SLUICE_UUID_LEN] = '\0';
    }

    len = sizeof("skd://") - 1 + base.len + ngx_strlen(paths[what])
          + ngx_strlen(kid) + sizeof("&token=") - 1 + pkg->enc.token.len;

    url->data = ngx_pnalloc(pkg->request->pool, len);
    if (url->data == NULL) {
        return NGX_ERROR;
    }

    p = url->data;

    if (what == NGX_HTTP_SLUICE_ENC_URL_FAIRPLAY) {
        p = ngx_cpymem(p, "skd://", sizeof("skd://") - 1);
    }

    p = ngx_cpymem(p, base.data, base.len);
    p = ngx_sprintf(p, "%s%s", paths[what], kid);

    if (pkg->enc.token.len) {
        p = ngx_sprintf(p, "%ctoken=%V",
                        ngx_strlchr(url->data, p, '?') ? '&' : '?',
                        &pkg->enc.token);
    }

    url->len = p - url->data;

    return NGX_OK;
}


/* the policy's block of the scheme served, parsed once; NULL if none */

static sluice_json_t *
ngx_http_sluice_enc_block(ngx_http_sluice_pkg_t *pkg)
{
    ngx_http_sluice_enc_t  *enc;

    enc = &pkg->enc;

    if (enc->policy_doc == NULL && enc->policy_json.len) {
        if (sluice_json_parse(&pkg->alloc, enc->policy_json.data,
                              enc->policy_json.len, &enc->policy_doc, NULL,
                              NULL)
            != SLUICE_OK)
        {
            enc->policy_doc = NULL;
        }
    }

    return ngx_http_sluice_enc_path(enc->policy_doc, "properties",
                                    ngx_http_sluice_enc_blocks[enc->scheme],
                                    NULL);
}


/* v.a.b... (names up to a NULL); NULL when a step is missing */

static sluice_json_t *
ngx_http_sluice_enc_path(sluice_json_t *v, ...)
{
    va_list      args;
    const char  *name;

    va_start(args, v);

    while (v && (name = va_arg(args, const char *)) != NULL) {
        v = (v->type == SLUICE_JSON_OBJECT) ? sluice_json_get(v, name)
                                            : NULL;
    }

    va_end(args);

    return v;
}


/* {ContentKeyId} and {AlternativeMediaId} substituted, others as they are */

static ngx_int_t
ngx_http_sluice_enc_template(ngx_http_sluice_pkg_t *pkg, sluice_json_t *tpl,
    ngx_sluice_key_t *key, ngx_str_t *url)
{
    u_char                 *p, *s, *end;
    size_t                  len;
    sluice_json_t          *alt;
    ngx_http_sluice_enc_t  *enc;
    char                    kid[SLUICE_UUID_LEN];

    enc = &pkg->enc;

    if (enc->locator_doc == NULL && enc->locator_json.len) {
        if (sluice_json_parse(&pkg->alloc, enc->locator_json.data,
                              enc->locator_json.len, &enc->locator_doc,
                              NULL, NULL)
            != SLUICE_OK)
        {
            enc->locator_doc = NULL;
        }
    }

    alt = ngx_http_sluice_enc_path(enc->locator_doc, "properties",
                                   "alternativeMediaId", NULL);

    if (alt && alt->type != SLUICE_JSON_STRING) {
        alt = NULL;
    }

    if (key) {
        sluice_uuid_print(key->kid, kid);
    }

    /* each {token} grows by at most a UUID or the alternative id */
    len = tpl->str.len * (1 + SLUICE_UUID_LEN + (alt ? alt->str.len : 0));

    url->data = ngx_pnalloc(pkg->request->pool, len);
    if (url->data == NULL) {
        return NGX_ERROR;
    }

    p = url->data;
    s = (u_char *) tpl->str.data;
    end = s + tpl->str.len;

#define ngx_http_sluice_enc_at(name)                                         \
    ((size_t) (end - s) >= sizeof(name) - 1                                  \
     && ngx_strncmp(s, name, sizeof(name) - 1) == 0)

    while (s < end) {
        if (key && ngx_http_sluice_enc_at("{ContentKeyId}")) {
            p = ngx_cpymem(p, kid, SLUICE_UUID_LEN);
            s += sizeof("{ContentKeyId}") - 1;

        } else if (alt && ngx_http_sluice_enc_at("{AlternativeMediaId}")) {
            p = ngx_cpymem(p, alt->str.data, alt->str.len);
            s += sizeof("{AlternativeMediaId}") - 1;

        } else {
            *p++ = *s++;
        }
    }

#undef ngx_http_sluice_enc_at

    url->len = p - url->data;

    return NGX_OK;
}


/* sluice_key_delivery_url, or {scheme}://{Host}/keydelivery */

static ngx_int_t
ngx_http_sluice_enc_base(ngx_http_sluice_pkg_t *pkg, ngx_str_t *base)
{
    u_char                               *p;
    ngx_str_t                             host;
    ngx_http_request_t                   *r;
    ngx_http_sluice_packager_loc_conf_t  *plcf;

    r = pkg->request;
    plcf = ngx_http_get_module_loc_conf(r, ngx_http_sluice_packager_module);

    if (plcf->key_url) {
        if (ngx_http_complex_value(r, plcf->key_url, base) != NGX_OK) {
            return NGX_ERROR;
        }

        while (base->len && base->data[base->len - 1] == '/') {
            base->len--;
        }

        return NGX_OK;
    }

    if (r->headers_in.host) {
        host = r->headers_in.host->value;

    } else {
        host = r->headers_in.server;
    }

    base->data = ngx_pnalloc(r->pool, sizeof("https:///keydelivery") - 1
                                      + host.len);
    if (base->data == NULL) {
        return NGX_ERROR;
    }

#if (NGX_HTTP_SSL)
    p = ngx_sprintf(base->data, "%s://%V/keydelivery",
                    r->connection->ssl ? "https" : "http", &host);
#else
    p = ngx_sprintf(base->data, "http://%V/keydelivery", &host);
#endif

    base->len = p - base->data;

    return NGX_OK;
}


ngx_uint_t
ngx_http_sluice_packager_enc_drm(ngx_http_sluice_pkg_t *pkg)
{
    ngx_uint_t      drm;
    sluice_json_t  *block;

    block = ngx_http_sluice_enc_block(pkg);
    drm = 0;

    if (ngx_http_sluice_enc_path(block, "drm", "playReady", NULL)) {
        drm |= NGX_HTTP_SLUICE_DRM_PLAYREADY;
    }

    if (ngx_http_sluice_enc_path(block, "drm", "widevine", NULL)) {
        drm |= NGX_HTTP_SLUICE_DRM_WIDEVINE;
    }

    if (ngx_http_sluice_enc_path(block, "drm", "fairPlay", NULL)) {
        drm |= NGX_HTTP_SLUICE_DRM_FAIRPLAY;
    }

    return drm;
}


ngx_int_t
ngx_http_sluice_packager_enc_playready_attributes(ngx_http_sluice_pkg_t *pkg,
    ngx_str_t *value)
{
    sluice_json_t  *v;

    v = ngx_http_sluice_enc_path(ngx_http_sluice_enc_block(pkg), "drm",
                                 "playReady", "playReadyCustomAttributes",
                                 NULL);

    if (v && v->type == SLUICE_JSON_STRING) {
        value->data = (u_char *) v->str.data;
        value->len = v->str.len;
        return NGX_OK;
    }

    ngx_str_null(value);

    return NGX_OK;
}


void
ngx_http_sluice_packager_enc_tag(ngx_http_sluice_pkg_t *pkg, ngx_str_t *tag)
{
    static ngx_str_t  tags[] = {
        ngx_null_string,
        ngx_string(",encryption=cbc"),
        ngx_string(",encryption=cenc"),
        ngx_string(",encryption=cbcs-aapl"),
        ngx_string(",encryption=cbcs"),
        ngx_string(",encryption=piff")
    };

    if (!pkg->enc.tagged
        || pkg->enc.encryption >= sizeof(tags) / sizeof(tags[0]))
    {
        ngx_str_null(tag);
        return;
    }

    *tag = tags[pkg->enc.encryption];
}


char *
ngx_http_sluice_packager_enc_conf_url(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_sluice_packager_loc_conf_t *plcf = conf;

    ngx_str_t                         *value;
    ngx_http_compile_complex_value_t   ccv;

    if (plcf->key_url != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    plcf->key_url = ngx_palloc(cf->pool, sizeof(ngx_http_complex_value_t));
    if (plcf->key_url == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));

    ccv.cf = cf;
    ccv.value = &value[1];
    ccv.complex_value = plcf->key_url;

    if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}
