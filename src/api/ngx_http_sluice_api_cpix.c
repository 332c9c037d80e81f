
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * CPIX export (beyond AMS): POST .../streamingLocators/{name}/exportCpix
 * answers the locator's content keys as a DASH-IF CPIX 2.3 document, so
 * that a DRM vendor can issue licences for keys Sluice made:
 *
 *   <cpix:CPIX contentId="{streamingLocatorId}" version="2.3">
 *     <cpix:ContentKeyList>      one ContentKey per key: kid, PlainValue,
 *                                commonEncryptionScheme (cenc, cbcs; none
 *                                for an envelope key)
 *     <cpix:DRMSystemList>       per key, the systems its scheme signals:
 *       envelope      Clear Key AES-128 (HLS EXT-X-KEY, EXT-X-SESSION-KEY)
 *       cenc, cbcs    Widevine (pssh), PlayReady (pssh, Smooth header
 *                     object for cenc) as the policy's drm has them;
 *                     the W3C common pssh (ClearKey) with
 *                     clearKeyEncryptionConfiguration or without drm
 *       cbcs          FairPlay (skd:// EXT-X-KEY) with drm.fairPlay,
 *                     else Clear Key SAMPLE-AES (EXT-X-KEY)
 *
 * URLs are the policy's templates ({ContentKeyId}, {AlternativeMediaId}
 * substituted) or those of the key delivery service under the body's
 * keyDeliveryUrl, by default {scheme}://{Host}/keydelivery of the request
 * (what the packager uses without sluice_key_delivery_url).  Every
 * variable part of the document is a UUID or base64: nothing to escape.
 * The answer holds the keys in the clear: it is sent with Cache-Control:
 * no-store, and only to the API's callers.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_content_keys.h"
#include "api/ngx_http_sluice_api_cpix.h"
#include "api/ngx_http_sluice_api_streaming_locator.h"
#include "media/crypto/sluice_drm.h"
#include "util/sluice_uuid.h"


/* DASH-IF content protection identifiers of HLS clear key methods */
#define NGX_HTTP_SLUICE_CPIX_AES128      "3ea8778f-7742-4bf9-b18b-e834b2acbd47"
#define NGX_HTTP_SLUICE_CPIX_SAMPLE_AES  "be58615b-19c4-4684-88b3-c8c57e99e957"

#define NGX_HTTP_SLUICE_CPIX_FAIRPLAY_FORMAT                                 \
    ",KEYFORMAT=\"com.apple.streamingkeydelivery\",KEYFORMATVERSIONS=\"1\""


typedef struct {
    ngx_http_request_t         *r;
    ngx_array_t                 parts;          /* ngx_str_t */
    ngx_str_t                   base;           /* key delivery URL */
    ngx_str_t                   alt;            /* alternativeMediaId */
    sluice_json_t              *policy;         /* its properties */
    EVP_CIPHER_CTX             *evp;
    u_char                      kid[SLUICE_UUID_LEN + 1];
} ngx_http_sluice_cpix_t;


/* --- the document's pieces ------------------------------------------------ */

static ngx_int_t
ngx_http_sluice_cpix_add(ngx_http_sluice_cpix_t *cx, u_char *data,
    size_t len)
{
    ngx_str_t  *s;

    s = ngx_array_push(&cx->parts);
    if (s == NULL) {
        return NGX_ERROR;
    }

    s->data = data;
    s->len = len;

    return NGX_OK;
}


#define ngx_http_sluice_cpix_text(cx, lit)                                   \
    ngx_http_sluice_cpix_add(cx, (u_char *) lit, sizeof(lit) - 1)


/* base64 of data */

static ngx_int_t
ngx_http_sluice_cpix_b64(ngx_http_sluice_cpix_t *cx, u_char *data,
    size_t len)
{
    ngx_str_t  src, dst;

    dst.data = ngx_pnalloc(cx->r->pool, ngx_base64_encoded_length(len));
    if (dst.data == NULL) {
        return NGX_ERROR;
    }

    src.data = data;
    src.len = len;
    ngx_encode_base64(&dst, &src);

    return ngx_http_sluice_cpix_add(cx, dst.data, dst.len);
}


/* <open>base64 of data</close> */

static ngx_int_t
ngx_http_sluice_cpix_element(ngx_http_sluice_cpix_t *cx, const char *open,
    u_char *data, size_t len, const char *close)
{
    if (ngx_http_sluice_cpix_add(cx, (u_char *) open, ngx_strlen(open))
        != NGX_OK
        || ngx_http_sluice_cpix_b64(cx, data, len) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_sluice_cpix_add(cx, (u_char *) close, ngx_strlen(close));
}


/* a URL: the policy's template (substituted) or base + path [+ kid] */

static ngx_int_t
ngx_http_sluice_cpix_url(ngx_http_sluice_cpix_t *cx, sluice_json_t *tpl,
    const char *scheme, const char *path, ngx_uint_t with_kid,
    ngx_str_t *url)
{
    u_char      *p, *s, *end;
    size_t       len;
    ngx_str_t    host;
    ngx_uint_t   n;

    if (tpl && tpl->type == SLUICE_JSON_STRING) {
        s = (u_char *) tpl->str.data;
        end = s + tpl->str.len;

        for (n = 0, p = s; p < end; p++) {
            n += (*p == '{');
        }

        len = tpl->str.len + n * ngx_max(cx->alt.len, SLUICE_UUID_LEN);

        url->data = ngx_pnalloc(cx->r->pool, len);
        if (url->data == NULL) {
            return NGX_ERROR;
        }

        for (p = url->data; s < end; /* void */) {
            if (end - s >= 14 && ngx_strncmp(s, "{ContentKeyId}", 14) == 0) {
                p = ngx_cpymem(p, cx->kid, SLUICE_UUID_LEN);
                s += 14;

            } else if (end - s >= 20
                       && ngx_strncmp(s, "{AlternativeMediaId}", 20) == 0)
            {
                if (cx->alt.len) {
                    p = ngx_cpymem(p, cx->alt.data, cx->alt.len);
                }

                s += 20;

            } else {
                *p++ = *s++;
            }
        }

        url->len = p - url->data;

        return NGX_OK;
    }

    host = cx->base;

    if (scheme) {
        /* skd://{host of the base}{path} */
        p = ngx_strlcasestrn(host.data, host.data + host.len,
                             (u_char *) "://", 3 - 1);
        if (p) {
            host.len -= p + 3 - host.data;
            host.data = p + 3;
        }

        p = ngx_strlchr(host.data, host.data + host.len, '/');
        if (p) {
            host.len = p - host.data;
        }
    }

    len = sizeof("skd://") + host.len + ngx_strlen(path) + SLUICE_UUID_LEN;

    url->data = ngx_pnalloc(cx->r->pool, len);
    if (url->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(url->data, "%s%V%s", scheme ? scheme : "", &host, path);

    if (with_kid) {
        p = ngx_cpymem(p, cx->kid, SLUICE_UUID_LEN);
    }

    url->len = p - url->data;

    return NGX_OK;
}


/* HLS: URIExtXKey and HLSSignalingData (EXT-X-KEY, EXT-X-SESSION-KEY) */

static ngx_int_t
ngx_http_sluice_cpix_hls(ngx_http_sluice_cpix_t *cx, ngx_str_t *url,
    const char *method, const char *format)
{
    u_char      *line, *p;
    size_t       len;
    ngx_uint_t   i;

    static const char  *tags[] = { "#EXT-X-KEY", "#EXT-X-SESSION-KEY" };
    static const char  *opening[] = {
        "<cpix:HLSSignalingData playlist=\"media\">",
        "<cpix:HLSSignalingData playlist=\"master\">"
    };

    if (ngx_http_sluice_cpix_element(cx, "<cpix:URIExtXKey>", url->data,
                                     url->len, "</cpix:URIExtXKey>")
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    for (i = 0; i < 2; i++) {
        len = sizeof("#EXT-X-SESSION-KEY:METHOD=,URI=\"\"") + url->len
              + ngx_strlen(method) + ngx_strlen(format);

        line = ngx_pnalloc(cx->r->pool, len);
        if (line == NULL) {
            return NGX_ERROR;
        }

        p = ngx_sprintf(line, "%s:METHOD=%s,URI=\"%V\"%s", tags[i], method,
                        url, format);

        if (ngx_http_sluice_cpix_element(cx, opening[i], line, p - line,
                                         "</cpix:HLSSignalingData>")
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* <cpix:DRMSystem kid systemId> */

static ngx_int_t
ngx_http_sluice_cpix_system(ngx_http_sluice_cpix_t *cx, const char *id)
{
    u_char  *p, *s;

    s = ngx_pnalloc(cx->r->pool, sizeof("<cpix:DRMSystem kid=\"\" "
                                        "systemId=\"\">")
                                 + 2 * SLUICE_UUID_LEN);
    if (s == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(s, "<cpix:DRMSystem kid=\"%s\" systemId=\"%s\">",
                    cx->kid, id);

    return ngx_http_sluice_cpix_add(cx, s, p - s);
}


/* a pssh box of system with data, as <cpix:PSSH> */

static ngx_int_t
ngx_http_sluice_cpix_pssh(ngx_http_sluice_cpix_t *cx,
    sluice_drm_system_t system, ngx_sluice_key_t *key, u_char *data,
    size_t len)
{
    u_char  *box, *end;

    box = ngx_pnalloc(cx->r->pool, sluice_drm_pssh_size(system, len));
    if (box == NULL) {
        return NGX_ERROR;
    }

    end = sluice_drm_pssh_write(box, system, key->kid, data, len);

    return ngx_http_sluice_cpix_element(cx, "<cpix:PSSH>", box, end - box,
                                        "</cpix:PSSH>");
}


#define ngx_http_sluice_cpix_drm(cx, block, name, member)                    \
    sluice_json_get(sluice_json_get(sluice_json_get(block, "drm"), name),    \
                    member)


static ngx_int_t
ngx_http_sluice_cpix_widevine(ngx_http_sluice_cpix_t *cx,
    ngx_sluice_key_t *key)
{
    u_char  data[SLUICE_DRM_WIDEVINE_DATA_MAX];
    size_t  len;

    len = sluice_drm_widevine_data(data, key->kid,
                                   key->scheme == NGX_SLUICE_SCHEME_CBCS
                                   ? 0x63626373 : 0x63656e63);

    if (ngx_http_sluice_cpix_system(cx,
                              sluice_drm_system_uuid(SLUICE_DRM_WIDEVINE))
        != NGX_OK
        || ngx_http_sluice_cpix_pssh(cx, SLUICE_DRM_WIDEVINE, key, data, len)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_sluice_cpix_text(cx, "</cpix:DRMSystem>");
}


/* PlayReady: pssh and (cenc) the Smooth Streaming header object */

static ngx_int_t
ngx_http_sluice_cpix_playready(ngx_http_sluice_cpix_t *cx,
    sluice_json_t *block, ngx_sluice_key_t *key)
{
    u_char         *pro, *la, *custom;
    size_t          len;
    ngx_str_t       url;
    sluice_json_t  *v;

    if (ngx_http_sluice_cpix_url(cx, ngx_http_sluice_cpix_drm(cx, block,
                                     "playReady",
                                     "customLicenseAcquisitionUrlTemplate"),
                                 NULL, "/PlayReady/", 0, &url)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    v = ngx_http_sluice_cpix_drm(cx, block, "playReady",
                                 "playReadyCustomAttributes");

    la = ngx_pnalloc(cx->r->pool, url.len + 1);
    custom = (v && v->type == SLUICE_JSON_STRING)
             ? ngx_pnalloc(cx->r->pool, v->str.len + 1) : NULL;
    pro = ngx_pnalloc(cx->r->pool, SLUICE_DRM_PRO_MAX);

    if (la == NULL || pro == NULL || (v && custom == NULL
                                      && v->type == SLUICE_JSON_STRING))
    {
        return NGX_ERROR;
    }

    ngx_cpystrn(la, url.data, url.len + 1);

    if (custom) {
        ngx_cpystrn(custom, (u_char *) v->str.data, v->str.len + 1);
    }

    len = sluice_drm_playready_pro(cx->evp, pro, key->kid, key->value,
                                   key->scheme == NGX_SLUICE_SCHEME_CBCS,
                                   (char *) la, (char *) custom);
    if (len == 0) {
        return NGX_DECLINED;
    }

    if (ngx_http_sluice_cpix_system(cx,
                              sluice_drm_system_uuid(SLUICE_DRM_PLAYREADY))
        != NGX_OK
        || ngx_http_sluice_cpix_pssh(cx, SLUICE_DRM_PLAYREADY, key, pro, len)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (key->scheme == NGX_SLUICE_SCHEME_CENC
        && ngx_http_sluice_cpix_element(cx,
                             "<cpix:SmoothStreamingProtectionHeaderData>",
                             pro, len,
                             "</cpix:SmoothStreamingProtectionHeaderData>")
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_sluice_cpix_text(cx, "</cpix:DRMSystem>");
}


/* an HLS system: Clear Key AES-128 / SAMPLE-AES, or FairPlay */

static ngx_int_t
ngx_http_sluice_cpix_hls_system(ngx_http_sluice_cpix_t *cx,
    sluice_json_t *block, ngx_sluice_key_t *key)
{
    ngx_int_t       rc;
    ngx_str_t       url;
    sluice_json_t  *fp;

    fp = sluice_json_get(sluice_json_get(block, "drm"), "fairPlay");

    if (key->scheme == NGX_SLUICE_SCHEME_CBCS && fp) {
        rc = ngx_http_sluice_cpix_system(cx,
                              sluice_drm_system_uuid(SLUICE_DRM_FAIRPLAY));

        if (rc == NGX_OK) {
            rc = ngx_http_sluice_cpix_url(cx,
                       sluice_json_get(fp,
                                       "customLicenseAcquisitionUrlTemplate"),
                       "skd://", "/FairPlay/?kid=", 1, &url);
        }

        if (rc == NGX_OK) {
            rc = ngx_http_sluice_cpix_hls(cx, &url, "SAMPLE-AES",
                                    NGX_HTTP_SLUICE_CPIX_FAIRPLAY_FORMAT);
        }

    } else {
        rc = ngx_http_sluice_cpix_system(cx,
                                 key->scheme == NGX_SLUICE_SCHEME_CBCS
                                 ? NGX_HTTP_SLUICE_CPIX_SAMPLE_AES
                                 : NGX_HTTP_SLUICE_CPIX_AES128);

        if (rc == NGX_OK) {
            rc = ngx_http_sluice_cpix_url(cx,
                       sluice_json_get(block,
                                       "customKeyAcquisitionUrlTemplate"),
                       NULL, "/?kid=", 1, &url);
        }

        if (rc == NGX_OK) {
            rc = ngx_http_sluice_cpix_hls(cx, &url,
                                    key->scheme == NGX_SLUICE_SCHEME_CBCS
                                    ? "SAMPLE-AES" : "AES-128", "");
        }
    }

    if (rc != NGX_OK) {
        return rc;
    }

    return ngx_http_sluice_cpix_text(cx, "</cpix:DRMSystem>");
}


/* the DRM systems of one key */

static ngx_int_t
ngx_http_sluice_cpix_systems(ngx_http_sluice_cpix_t *cx,
    ngx_sluice_key_t *key)
{
    ngx_int_t       rc;
    sluice_json_t  *block, *drm;

    block = sluice_json_get(cx->policy, ngx_http_sluice_ck_block[key->scheme]);
    drm = sluice_json_get(block, "drm");

    *ngx_http_sluice_ck_kid_text(cx->kid, key->kid) = '\0';

    if (key->scheme != NGX_SLUICE_SCHEME_CENC) {
        rc = ngx_http_sluice_cpix_hls_system(cx, block, key);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    if (key->scheme == NGX_SLUICE_SCHEME_ENVELOPE) {
        return NGX_OK;
    }

    if (sluice_json_get(drm, "widevine")
        && ngx_http_sluice_cpix_widevine(cx, key) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (sluice_json_get(drm, "playReady")) {
        rc = ngx_http_sluice_cpix_playready(cx, block, key);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    if (drm && !sluice_json_get(block, "clearKeyEncryptionConfiguration")) {
        return NGX_OK;
    }

    if (ngx_http_sluice_cpix_system(cx,
                                sluice_drm_system_uuid(SLUICE_DRM_COMMON))
        != NGX_OK
        || ngx_http_sluice_cpix_pssh(cx, SLUICE_DRM_COMMON, key, NULL, 0)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_sluice_cpix_text(cx, "</cpix:DRMSystem>");
}


/* <cpix:ContentKey kid commonEncryptionScheme><cpix:Data>... */

static ngx_int_t
ngx_http_sluice_cpix_key(ngx_http_sluice_cpix_t *cx, ngx_sluice_key_t *key)
{
    u_char  *s, *p;

    static const char  *schemes[] = { "", "", "cenc", "cbcs" };

    s = ngx_pnalloc(cx->r->pool, sizeof("<cpix:ContentKey kid=\"\" "
                                        "commonEncryptionScheme=\"cbcs\">"
                                        "<cpix:Data><pskc:Secret>"
                                        "<pskc:PlainValue>")
                                 + SLUICE_UUID_LEN);
    if (s == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(s, "<cpix:ContentKey kid=\"",
                   sizeof("<cpix:ContentKey kid=\"") - 1);
    p = ngx_http_sluice_ck_kid_text(p, key->kid);
    p = ngx_sprintf(p, "\"");

    if (schemes[key->scheme][0]) {
        p = ngx_sprintf(p, " commonEncryptionScheme=\"%s\"",
                        schemes[key->scheme]);
    }

    p = ngx_sprintf(p, "><cpix:Data><pskc:Secret><pskc:PlainValue>");

    if (ngx_http_sluice_cpix_add(cx, s, p - s) != NGX_OK
        || ngx_http_sluice_cpix_b64(cx, key->value, NGX_SLUICE_KEY_LEN)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_sluice_cpix_text(cx, "</pskc:PlainValue></pskc:Secret>"
                                         "</cpix:Data></cpix:ContentKey>");
}


/* the base URL of the key delivery service: the body's, or the default */

static ngx_int_t
ngx_http_sluice_cpix_base(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_str_t *base)
{
    u_char         *p;
    ngx_str_t       host;
    sluice_json_t  *v;

    v = sluice_json_get(ctx->body, "keyDeliveryUrl");

    if (v) {
        if (v->type != SLUICE_JSON_STRING || v->str.len > 2048
            || !((v->str.len > 7
                  && ngx_strncasecmp((u_char *) v->str.data,
                                     (u_char *) "http://", 7) == 0)
                 || (v->str.len > 8
                     && ngx_strncasecmp((u_char *) v->str.data,
                                        (u_char *) "https://", 8) == 0)))
        {
            return NGX_DECLINED;
        }

        base->data = (u_char *) v->str.data;
        base->len = v->str.len;

    } else {
        host = r->headers_in.host ? r->headers_in.host->value
                                  : r->headers_in.server;

        base->data = ngx_pnalloc(r->pool, sizeof("https:///keydelivery")
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
    }

    while (base->len && base->data[base->len - 1] == '/') {
        base->len--;
    }

    return NGX_OK;
}


/*
 * The locator (snap) and its policy's document, copied out under the
 * mutex; NGX_DECLINED: no such locator.
 */

static ngx_int_t
ngx_http_sluice_cpix_locator(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_res_snap_t *snap,
    ngx_str_t *policy)
{
    ngx_int_t               rc;
    ngx_sluice_res_t       *loc, *sp;
    ngx_sluice_zone_ctx_t  *zctx;

    zctx = ngx_http_sluice_res_zone(ctx);
    policy->len = 0;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    loc = ngx_sluice_res_find(zctx->sh, NGX_SLUICE_RES_STREAMING_LOCATOR,
                              NULL, ctx->name.data, ctx->name.len);
    if (loc == NULL) {
        rc = NGX_DECLINED;

    } else {
        rc = ngx_http_sluice_res_snap(r->pool,
                                      &ngx_http_sluice_rt_streaming_locator,
                                      loc, snap);

        sp = ngx_sluice_res_find(zctx->sh, NGX_SLUICE_RES_STREAMING_POLICY,
                                 NULL, loc->f.policy,
                                 ngx_strlen(loc->f.policy));

        if (rc == NGX_OK && sp) {
            policy->data = ngx_pnalloc(r->pool, sp->json_len);

            if (policy->data == NULL) {
                rc = NGX_ERROR;

            } else {
                policy->len = sp->json_len;
                ngx_memcpy(policy->data, sp->json, sp->json_len);
            }
        }
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    return rc;
}


static void
ngx_http_sluice_cpix_cleanup(void *data)
{
    EVP_CIPHER_CTX_free(data);
}


/* the whole document into cx->parts */

static ngx_int_t
ngx_http_sluice_cpix_document(ngx_http_sluice_cpix_t *cx,
    ngx_http_sluice_res_snap_t *snap)
{
    u_char      *s, *p;
    ngx_int_t    rc;
    ngx_uint_t   i, j, pass;

    s = ngx_pnalloc(cx->r->pool, 256 + NGX_SLUICE_ID_LEN);
    if (s == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<cpix:CPIX xmlns:cpix=\"urn:dashif:org:cpix\" "
                    "xmlns:pskc=\"urn:ietf:params:xml:ns:keyprov:pskc\" "
                    "contentId=\"%s\" version=\"2.3\">"
                    "<cpix:ContentKeyList>", snap->f.id);

    if (ngx_http_sluice_cpix_add(cx, s, p - s) != NGX_OK) {
        return NGX_ERROR;
    }

    /* each KID once (a mapping's key has an entry per FourCC) */

    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < snap->f.nkeys; i++) {
            for (j = 0; j < i; j++) {
                if (ngx_memcmp(snap->f.keys[j].kid, snap->f.keys[i].kid,
                               NGX_SLUICE_KEY_LEN)
                    == 0)
                {
                    break;
                }
            }

            if (j < i) {
                continue;
            }

            rc = pass ? ngx_http_sluice_cpix_systems(cx, &snap->f.keys[i])
                      : ngx_http_sluice_cpix_key(cx, &snap->f.keys[i]);
            if (rc != NGX_OK) {
                return rc;
            }
        }

        if (ngx_http_sluice_cpix_add(cx, (u_char *) (pass
                                 ? "</cpix:DRMSystemList></cpix:CPIX>\n"
                                 : "</cpix:ContentKeyList>"
                                   "<cpix:DRMSystemList>"),
                                 pass ? sizeof("</cpix:DRMSystemList>"
                                               "</cpix:CPIX>\n") - 1
                                      : sizeof("</cpix:ContentKeyList>"
                                               "<cpix:DRMSystemList>") - 1)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_cpix_send(ngx_http_sluice_cpix_t *cx)
{
    u_char              *p;
    size_t               len;
    ngx_int_t            rc;
    ngx_str_t           *s, cc;
    ngx_buf_t           *b;
    ngx_uint_t           i;
    ngx_chain_t          out;
    ngx_http_request_t  *r;

    r = cx->r;
    s = cx->parts.elts;
    len = 0;

    for (i = 0; i < cx->parts.nelts; i++) {
        len += s[i].len;
    }

    b = ngx_create_temp_buf(r->pool, len);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    for (p = b->last, i = 0; i < cx->parts.nelts; i++) {
        p = ngx_cpymem(p, s[i].data, s[i].len);
    }

    b->last = p;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    ngx_str_set(&cc, "no-store");

    if (ngx_http_sluice_api_add_header(r, "Cache-Control", &cc) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.status = NGX_HTTP_OK;
    ngx_str_set(&r->headers_out.content_type, "application/xml");
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_length_n = len;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


ngx_int_t
ngx_http_sluice_cpix_export(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    ngx_int_t                    rc;
    ngx_str_t                    policy;
    sluice_json_t               *doc, *v;
    ngx_pool_cleanup_t          *cln;
    ngx_http_sluice_cpix_t       cx;
    ngx_http_sluice_res_snap_t   snap;

    ngx_memzero(&cx, sizeof(ngx_http_sluice_cpix_t));
    cx.r = r;

    rc = ngx_http_sluice_cpix_base(r, ctx, &cx.base);

    if (rc == NGX_DECLINED) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                   "BadRequest",
                   "keyDeliveryUrl must be an http:// or https:// URL.");
    }

    if (rc == NGX_OK) {
        rc = ngx_http_sluice_cpix_locator(r, ctx, &snap, &policy);
    }

    if (rc == NGX_DECLINED) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "Streaming locator '%V' was not found.", &ctx->name);
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (snap.f.nkeys == 0 || policy.len == 0) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                   "BadRequest",
                   "Streaming locator '%V' has no content keys: its "
                   "streaming policy does not encrypt.", &ctx->name);
    }

    doc = ngx_http_sluice_res_doc(&ctx->alloc, &snap);
    v = sluice_json_get(sluice_json_get(doc, "properties"),
                        "alternativeMediaId");

    if (v && v->type == SLUICE_JSON_STRING) {
        cx.alt.data = (u_char *) v->str.data;
        cx.alt.len = v->str.len;
    }

    if (sluice_json_parse(&ctx->alloc, policy.data, policy.len, &doc, NULL,
                          NULL)
        != SLUICE_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cx.policy = sluice_json_get(doc, "properties");

    cln = ngx_pool_cleanup_add(r->pool, 0);
    cx.evp = EVP_CIPHER_CTX_new();

    if (cln == NULL || cx.evp == NULL
        || ngx_array_init(&cx.parts, r->pool, 64, sizeof(ngx_str_t))
           != NGX_OK)
    {
        EVP_CIPHER_CTX_free(cx.evp);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln->handler = ngx_http_sluice_cpix_cleanup;
    cln->data = cx.evp;

    rc = ngx_http_sluice_cpix_document(&cx, &snap);

    if (rc == NGX_DECLINED) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                   "BadRequest",
                   "The PlayReady header of streaming locator '%V' cannot "
                   "be made: its licence URL and custom attributes must be "
                   "short ASCII.", &ctx->name);
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_sluice_cpix_send(&cx);
}
