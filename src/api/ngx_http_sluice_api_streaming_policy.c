
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Streaming policies (AMS v3 StreamingPolicies, Metadata 2023-01-01):
 * list, GET, PUT (201; policies cannot be updated: 409), DELETE.
 *
 * The six predefined policies are records made in every fresh zone
 * (never saved, never changed or deleted).  A policy is noEncryption, or
 * any of envelopeEncryption, commonEncryptionCenc, commonEncryptionCbcs:
 * their enabled protocols go into f.enc_protocols[scheme] (noEncryption's
 * into f.protocols and f.enc_protocols[NGX_SLUICE_SCHEME_NONE]), the
 * FourCCs of clearTracks into f.clear[scheme]; content keys (labels,
 * keyToTrackMappings, content key policy names) are checked by
 * ngx_http_sluice_api_content_keys.c.  Blocks are stored as AMS echoes
 * them: clearTracks and keyToTrackMappings [] when absent, the DRM
 * settings and URL templates kept (the packager reads them from the
 * document), unknown members dropped.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_content_keys.h"
#include "api/ngx_http_sluice_api_record.h"
#include "api/ngx_http_sluice_api_streaming_policy.h"


#define NGX_HTTP_SLUICE_SP_URL_LEN  2048


/* the predefined policies, stored as their build makes them */

#define NGX_HTTP_SLUICE_SP_KEY(label)                                        \
    "\"contentKeys\":{\"defaultKey\":{\"label\":\"" label "\"}}"

#define NGX_HTTP_SLUICE_SP_PROTOCOLS(dash, hls, smooth)                      \
    "\"enabledProtocols\":{\"download\":false,\"dash\":" dash ","            \
    "\"hls\":" hls ",\"smoothStreaming\":" smooth "}"


static struct {
    const char  *name;
    const char  *json;
} ngx_http_sluice_sp_predefined[] = {

    { "Predefined_DownloadOnly",
      "{\"properties\":{\"created\":\"2018-01-01T00:00:00Z\","
      "\"noEncryption\":{\"enabledProtocols\":{\"download\":true,"
      "\"dash\":false,\"hls\":false,\"smoothStreaming\":false}}}}" },

    { "Predefined_ClearStreamingOnly",
      "{\"properties\":{\"created\":\"2018-01-01T00:00:00Z\","
      "\"noEncryption\":{\"enabledProtocols\":{\"download\":false,"
      "\"dash\":true,\"hls\":true,\"smoothStreaming\":true}}}}" },

    { "Predefined_DownloadAndClearStreaming",
      "{\"properties\":{\"created\":\"2018-01-01T00:00:00Z\","
      "\"noEncryption\":{\"enabledProtocols\":{\"download\":true,"
      "\"dash\":true,\"hls\":true,\"smoothStreaming\":true}}}}" },

    { "Predefined_ClearKey",
      "{\"properties\":{\"created\":\"2018-01-01T00:00:00Z\","
      "\"envelopeEncryption\":{"
      NGX_HTTP_SLUICE_SP_PROTOCOLS("true", "true", "true") ","
      NGX_HTTP_SLUICE_SP_KEY("aesDefaultKey") "}}}" },

    { "Predefined_MultiDrmCencStreaming",
      "{\"properties\":{\"created\":\"2018-01-01T00:00:00Z\","
      "\"commonEncryptionCenc\":{"
      NGX_HTTP_SLUICE_SP_PROTOCOLS("true", "false", "true") ","
      NGX_HTTP_SLUICE_SP_KEY("cencDefaultKey") ","
      "\"drm\":{\"playReady\":{},\"widevine\":{}}}}}" },

    { "Predefined_MultiDrmStreaming",
      "{\"properties\":{\"created\":\"2018-01-01T00:00:00Z\","
      "\"commonEncryptionCenc\":{"
      NGX_HTTP_SLUICE_SP_PROTOCOLS("true", "false", "true") ","
      NGX_HTTP_SLUICE_SP_KEY("cencDefaultKey") ","
      "\"drm\":{\"playReady\":{},\"widevine\":{}}},"
      "\"commonEncryptionCbcs\":{"
      NGX_HTTP_SLUICE_SP_PROTOCOLS("false", "true", "false") ","
      NGX_HTTP_SLUICE_SP_KEY("cbcsDefaultKey") ","
      "\"drm\":{\"fairPlay\":{\"allowPersistentLicense\":false}}}}}" }
};


/* the members of a settings object: name, JSON type, required */
typedef struct {
    const char                 *name;
    ngx_uint_t                  type;
    ngx_uint_t                  required;
} ngx_http_sluice_sp_member_t;


static ngx_http_sluice_sp_member_t  ngx_http_sluice_sp_playready[] = {
    { "customLicenseAcquisitionUrlTemplate", SLUICE_JSON_STRING, 0 },
    { "playReadyCustomAttributes", SLUICE_JSON_STRING, 0 },
    { NULL, 0, 0 }
};

static ngx_http_sluice_sp_member_t  ngx_http_sluice_sp_widevine[] = {
    { "customLicenseAcquisitionUrlTemplate", SLUICE_JSON_STRING, 0 },
    { NULL, 0, 0 }
};

static ngx_http_sluice_sp_member_t  ngx_http_sluice_sp_fairplay[] = {
    { "customLicenseAcquisitionUrlTemplate", SLUICE_JSON_STRING, 0 },
    { "allowPersistentLicense", SLUICE_JSON_BOOL, 1 },
    { NULL, 0, 0 }
};

static ngx_http_sluice_sp_member_t  ngx_http_sluice_sp_clear_key[] = {
    { "customKeysAcquisitionUrlTemplate", SLUICE_JSON_STRING, 0 },
    { NULL, 0, 0 }
};


/* the DRM systems of a scheme's drm object */
typedef struct {
    const char                   *name;
    ngx_uint_t                    schemes;      /* 1 << NGX_SLUICE_SCHEME_* */
    ngx_http_sluice_sp_member_t  *members;
} ngx_http_sluice_sp_drm_t;


#define NGX_HTTP_SLUICE_SP_CENC  (1 << NGX_SLUICE_SCHEME_CENC)
#define NGX_HTTP_SLUICE_SP_CBCS  (1 << NGX_SLUICE_SCHEME_CBCS)

static ngx_http_sluice_sp_drm_t  ngx_http_sluice_sp_drms[] = {
    { "fairPlay", NGX_HTTP_SLUICE_SP_CBCS, ngx_http_sluice_sp_fairplay },
    { "playReady", NGX_HTTP_SLUICE_SP_CENC | NGX_HTTP_SLUICE_SP_CBCS,
      ngx_http_sluice_sp_playready },
    { "widevine", NGX_HTTP_SLUICE_SP_CENC | NGX_HTTP_SLUICE_SP_CBCS,
      ngx_http_sluice_sp_widevine },
    { NULL, 0, NULL }
};


#define ngx_http_sluice_sp_bad(...)                                          \
    ngx_http_sluice_res_bad(&b->err, __VA_ARGS__)


/* EnabledProtocols: four required booleans */

static ngx_int_t
ngx_http_sluice_sp_protocols(ngx_http_sluice_res_build_t *b,
    sluice_json_t *v, const char *where, ngx_uint_t *protocols)
{
    ngx_uint_t      i;
    sluice_json_t  *p;

    static const char  *names[] = { "download", "dash", "hls",
                                    "smoothStreaming" };

    *protocols = 0;

    if (v == NULL || v->type != SLUICE_JSON_OBJECT) {
        ngx_http_sluice_sp_bad("properties.%s.enabledProtocols is required "
                               "and must be an object.", where);
    }

    for (i = 0; i < 4; i++) {
        p = sluice_json_get(v, names[i]);

        if (p == NULL || p->type != SLUICE_JSON_BOOL) {
            ngx_http_sluice_sp_bad("properties.%s.enabledProtocols.%s is "
                                   "required and must be a boolean.", where,
                                   names[i]);
        }

        if (p->boolean) {
            *protocols |= 1 << i;
        }
    }

    if (*protocols == 0) {
        ngx_http_sluice_sp_bad("properties.%s.enabledProtocols enables no "
                               "protocol.", where);
    }

    return NGX_OK;
}


/* a settings object: the members of the table, checked and copied */

static ngx_int_t
ngx_http_sluice_sp_object(ngx_http_sluice_res_build_t *b, sluice_json_t *in,
    const char *where, ngx_http_sluice_sp_member_t *m, sluice_json_t **out)
{
    sluice_json_t  *v;

    if (in->type != SLUICE_JSON_OBJECT) {
        ngx_http_sluice_sp_bad("%s must be an object.", where);
    }

    *out = sluice_json_new(b->a, SLUICE_JSON_OBJECT);
    if (*out == NULL) {
        return NGX_ERROR;
    }

    for ( /* void */ ; m->name; m++) {
        v = sluice_json_get(in, m->name);

        if (ngx_http_sluice_absent(v)) {
            if (m->required) {
                ngx_http_sluice_sp_bad("%s.%s is required.", where, m->name);
            }

            continue;
        }

        if ((ngx_uint_t) v->type != m->type
            || (v->type == SLUICE_JSON_STRING
                && v->str.len > NGX_HTTP_SLUICE_SP_URL_LEN))
        {
            ngx_http_sluice_sp_bad("%s.%s must be a %s.", where, m->name,
                                   m->type == SLUICE_JSON_BOOL
                                   ? "boolean" : "string (at most 2048)");
        }

        ngx_http_sluice_res_put_member(b->a, *out, m->name,
                                       sluice_json_copy(b->a, v));
    }

    return NGX_OK;
}


/* drm: the DRM systems a common encryption scheme signals */

static ngx_int_t
ngx_http_sluice_sp_drm(ngx_http_sluice_res_build_t *b, sluice_json_t *v,
    ngx_uint_t scheme, sluice_json_t *out)
{
    u_char                     where[64];
    ngx_int_t                  rc;
    sluice_json_t             *nd, *o, *x;
    ngx_http_sluice_sp_drm_t  *d;

    if (v->type != SLUICE_JSON_OBJECT) {
        ngx_http_sluice_sp_bad("properties.%s.drm must be an object.",
                               ngx_http_sluice_ck_block[scheme]);
    }

    for (x = v->child; x; x = x->next) {
        for (d = ngx_http_sluice_sp_drms; d->name; d++) {
            if (x->key.len == ngx_strlen(d->name)
                && ngx_strncmp(x->key.data, d->name, x->key.len) == 0
                && (d->schemes & (1 << scheme)))
            {
                break;
            }
        }

        if (d->name == NULL) {
            ngx_http_sluice_sp_bad("properties.%s.drm.%*s is not a DRM "
                                   "system of this scheme.",
                                   ngx_http_sluice_ck_block[scheme],
                                   ngx_min(x->key.len, 64), x->key.data);
        }
    }

    nd = sluice_json_new(b->a, SLUICE_JSON_OBJECT);
    if (nd == NULL) {
        return NGX_ERROR;
    }

    for (d = ngx_http_sluice_sp_drms; d->name; d++) {
        x = sluice_json_get(v, d->name);

        if (ngx_http_sluice_absent(x)) {
            continue;
        }

        ngx_sprintf(where, "drm.%s%Z", d->name);

        rc = ngx_http_sluice_sp_object(b, x, (char *) where, d->members, &o);
        if (rc != NGX_OK) {
            return rc;
        }

        ngx_http_sluice_res_put_member(b->a, nd, d->name, o);
    }

    return ngx_http_sluice_res_set(b->a, out, "drm", nd);
}


/* the members that depend on the scheme: URL templates, DRM systems */

static ngx_int_t
ngx_http_sluice_sp_settings(ngx_http_sluice_res_build_t *b, sluice_json_t *v,
    ngx_uint_t scheme, sluice_json_t *out)
{
    ngx_int_t       rc;
    sluice_json_t  *x, *o;

    static ngx_http_sluice_sp_member_t  envelope[] = {
        { "customKeyAcquisitionUrlTemplate", SLUICE_JSON_STRING, 0 },
        { NULL, 0, 0 }
    };

    if (scheme == NGX_SLUICE_SCHEME_ENVELOPE) {
        if (!ngx_http_sluice_absent(sluice_json_get(v, "drm"))
            || !ngx_http_sluice_absent(sluice_json_get(v,
                                        "clearKeyEncryptionConfiguration")))
        {
            ngx_http_sluice_sp_bad("properties.envelopeEncryption has no drm "
                                   "or clearKeyEncryptionConfiguration: "
                                   "its keys are AES-128 keys.");
        }

        rc = ngx_http_sluice_sp_object(b, v, "envelopeEncryption", envelope,
                                       &o);
        if (rc != NGX_OK) {
            return rc;
        }

        x = sluice_json_get(o, "customKeyAcquisitionUrlTemplate");

        return x ? ngx_http_sluice_res_set(b->a, out,
                                           "customKeyAcquisitionUrlTemplate",
                                           sluice_json_copy(b->a, x))
                 : NGX_OK;
    }

    x = sluice_json_get(v, "drm");

    if (!ngx_http_sluice_absent(x)) {
        rc = ngx_http_sluice_sp_drm(b, x, scheme, out);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    x = sluice_json_get(v, "clearKeyEncryptionConfiguration");

    if (ngx_http_sluice_absent(x)) {
        return NGX_OK;
    }

    rc = ngx_http_sluice_sp_object(b, x, "clearKeyEncryptionConfiguration",
                                   ngx_http_sluice_sp_clear_key, &o);
    if (rc != NGX_OK) {
        return rc;
    }

    return ngx_http_sluice_res_set(b->a, out,
                                   "clearKeyEncryptionConfiguration", o);
}


/* contentKeys as AMS echoes it (checked by ngx_http_sluice_ck_plan()) */

static sluice_json_t *
ngx_http_sluice_sp_keys(sluice_alloc_t *a, sluice_json_t *ck)
{
    sluice_json_t  *out, *v;

    out = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (out == NULL) {
        return NULL;
    }

    v = sluice_json_get(ck, "defaultKey");

    if (ngx_http_sluice_res_set(a, out, "defaultKey",
                                ngx_http_sluice_absent(v)
                                ? sluice_json_new(a, SLUICE_JSON_OBJECT)
                                : sluice_json_copy(a, v))
        != NGX_OK)
    {
        return NULL;
    }

    v = sluice_json_get(ck, "keyToTrackMappings");

    if (ngx_http_sluice_res_set(a, out, "keyToTrackMappings",
                                ngx_http_sluice_absent(v)
                                ? sluice_json_new(a, SLUICE_JSON_ARRAY)
                                : sluice_json_copy(a, v))
        != NGX_OK)
    {
        return NULL;
    }

    return out;
}


/* an encryption block -> *out, f.enc_protocols[scheme], f.clear[scheme] */

static ngx_int_t
ngx_http_sluice_sp_scheme(ngx_http_sluice_res_build_t *b, sluice_json_t *v,
    ngx_uint_t scheme, sluice_json_t **out)
{
    ngx_int_t        rc;
    ngx_uint_t       n;
    const char      *where;
    sluice_json_t   *x, *nb;
    sluice_alloc_t  *a;

    a = b->a;
    where = ngx_http_sluice_ck_block[scheme];

    if (v->type != SLUICE_JSON_OBJECT) {
        ngx_http_sluice_sp_bad("properties.%s must be an object.", where);
    }

    nb = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (nb == NULL) {
        return NGX_ERROR;
    }

    x = sluice_json_get(v, "enabledProtocols");

    if (!ngx_http_sluice_absent(x)) {
        rc = ngx_http_sluice_sp_protocols(b, x, where,
                                          &b->f.enc_protocols[scheme]);
        if (rc != NGX_OK) {
            return rc;
        }

        ngx_http_sluice_res_put_member(a, nb, "enabledProtocols",
                                       sluice_json_copy(a, x));
    }

    if (scheme == NGX_SLUICE_SCHEME_CBCS
        && (b->f.enc_protocols[scheme] & NGX_SLUICE_PROTO_SMOOTH))
    {
        ngx_http_sluice_sp_bad("properties.commonEncryptionCbcs cannot "
                               "enable smoothStreaming: Smooth Streaming "
                               "has no cbcs.");
    }

    x = sluice_json_get(v, "clearTracks");

    rc = ngx_http_sluice_ck_tracks(b, x, "clearTracks", b->f.clear[scheme],
                                   NGX_SLUICE_MAX_CLEAR, &n);
    if (rc != NGX_OK) {
        return rc;
    }

    ngx_http_sluice_res_put_member(a, nb, "clearTracks",
                                   ngx_http_sluice_absent(x)
                                   ? sluice_json_new(a, SLUICE_JSON_ARRAY)
                                   : sluice_json_copy(a, x));
    ngx_http_sluice_res_put_member(a, nb, "contentKeys",
                                   ngx_http_sluice_sp_keys(a,
                                       sluice_json_get(v, "contentKeys")));

    rc = ngx_http_sluice_sp_settings(b, v, scheme, nb);

    *out = nb;

    return rc;
}


static ngx_int_t
ngx_http_sluice_sp_clear(ngx_http_sluice_res_build_t *b, sluice_json_t *v,
    sluice_json_t *np)
{
    ngx_int_t       rc;
    sluice_json_t  *ne;

    if (v->type != SLUICE_JSON_OBJECT) {
        ngx_http_sluice_sp_bad("properties.noEncryption must be an object.");
    }

    rc = ngx_http_sluice_sp_protocols(b, sluice_json_get(v, "enabledProtocols"),
                                      "noEncryption", &b->f.protocols);
    if (rc != NGX_OK) {
        return rc;
    }

    b->f.enc_protocols[NGX_SLUICE_SCHEME_NONE] = b->f.protocols;

    ne = sluice_json_new(b->a, SLUICE_JSON_OBJECT);
    if (ne == NULL) {
        return NGX_ERROR;
    }

    ngx_http_sluice_res_put_member(b->a, ne, "enabledProtocols",
              sluice_json_copy(b->a, sluice_json_get(v, "enabledProtocols")));

    return ngx_http_sluice_res_set(b->a, np, "noEncryption", ne);
}


static ngx_int_t
ngx_http_sluice_sp_build(ngx_http_sluice_res_build_t *b)
{
    ngx_int_t                   rc;
    ngx_uint_t                  scheme, schemes;
    sluice_json_t              *props, *np, *v, *oldp, *nb;
    ngx_http_sluice_ck_plan_t   plan;

    rc = ngx_http_sluice_res_build_props(b, &props, &oldp, &np);
    if (rc != NGX_OK) {
        return rc;
    }

    if (ngx_http_sluice_res_created(b, oldp, np) != NGX_OK) {
        return NGX_ERROR;
    }

    rc = ngx_http_sluice_res_opt_string(b, props, np,
                                        "defaultContentKeyPolicyName",
                                        NGX_SLUICE_RES_NAME_LEN);
    if (rc == NGX_OK) {
        rc = ngx_http_sluice_ck_plan(b, props, &plan);
    }

    if (rc != NGX_OK) {
        return rc;
    }

    schemes = 0;

    for (scheme = NGX_SLUICE_SCHEME_ENVELOPE;
         scheme < NGX_SLUICE_SCHEME_N;
         scheme++)
    {
        v = sluice_json_get(props, ngx_http_sluice_ck_block[scheme]);

        if (ngx_http_sluice_absent(v)) {
            continue;
        }

        rc = ngx_http_sluice_sp_scheme(b, v, scheme, &nb);
        if (rc != NGX_OK) {
            return rc;
        }

        ngx_http_sluice_res_put_member(b->a, np,
                                       ngx_http_sluice_ck_block[scheme], nb);
        schemes++;
        b->f.encrypted = 1;
    }

    v = sluice_json_get(props, "noEncryption");

    if (!ngx_http_sluice_absent(v)) {
        if (schemes) {
            ngx_http_sluice_sp_bad("properties.noEncryption cannot be "
                                   "combined with an encryption scheme.");
        }

        rc = ngx_http_sluice_sp_clear(b, v, np);
        if (rc != NGX_OK) {
            return rc;
        }

        schemes++;
    }

    if (schemes == 0) {
        ngx_http_sluice_sp_bad("A streaming policy needs one of noEncryption, "
                               "envelopeEncryption, commonEncryptionCenc, "
                               "commonEncryptionCbcs.");
    }

    return ngx_http_sluice_res_set(b->a, b->doc, "properties", np);
}


static ngx_int_t
ngx_http_sluice_sp_deletable(ngx_sluice_shctx_t *sh, void *rec,
    ngx_http_sluice_res_err_t *err)
{
    size_t             len;
    ngx_sluice_res_t  *loc, *res;

    res = rec;
    len = ngx_strlen(res->name);

    for (loc = ngx_sluice_res_next(sh, NGX_SLUICE_RES_STREAMING_LOCATOR,
                                   NULL);
         loc;
         loc = ngx_sluice_res_next(sh, NGX_SLUICE_RES_STREAMING_LOCATOR,
                                   loc))
    {
        if (ngx_strncasecmp(loc->f.policy, res->name, len) == 0
            && loc->f.policy[len] == '\0')
        {
            ngx_http_sluice_res_refuse(err, NGX_HTTP_CONFLICT, "Conflict",
                                       "Streaming policy '%s' is used by "
                                       "streaming locator '%s'.", res->name,
                                       loc->name);
        }
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_sluice_sp_preload(ngx_sluice_zone_ctx_t *zctx, ngx_pool_t *pool,
    ngx_log_t *log)
{
    void                         *rec;
    ngx_str_t                     json;
    ngx_uint_t                    i;
    sluice_json_t                *doc;
    sluice_alloc_t                a;
    ngx_http_sluice_res_build_t   b;

    ngx_http_sluice_pool_alloc(&a, pool);

    for (i = 0; i < sizeof(ngx_http_sluice_sp_predefined)
                    / sizeof(ngx_http_sluice_sp_predefined[0]); i++)
    {
        if (sluice_json_parse(&a,
                              (u_char *) ngx_http_sluice_sp_predefined[i].json,
                              ngx_strlen(ngx_http_sluice_sp_predefined[i].json),
                              &doc, NULL, NULL)
            != SLUICE_OK)
        {
            return NGX_ERROR;
        }

        ngx_http_sluice_res_build_load(&b, &a, pool, doc);

        if (ngx_http_sluice_sp_build(&b) != NGX_OK) {
            ngx_log_error(NGX_LOG_EMERG, log, 0,
                          "sluice: predefined streaming policy \"%s\": %*s",
                          ngx_http_sluice_sp_predefined[i].name, b.err.len,
                          b.err.msg);
            return NGX_ERROR;
        }

        if (ngx_http_sluice_res_json_text(pool, b.doc, &json) != NGX_OK) {
            return NGX_ERROR;
        }

        b.f.builtin = 1;
        b.name.data = (u_char *) ngx_http_sluice_sp_predefined[i].name;
        b.name.len = ngx_strlen(b.name.data);

        ngx_shmtx_lock(&zctx->shpool->mutex);

        rec = ngx_http_sluice_res_insert(zctx,
                                         &ngx_http_sluice_rt_streaming_policy,
                                         &b, &json, 0);

        ngx_shmtx_unlock(&zctx->shpool->mutex);

        if (rec == NULL) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


ngx_http_sluice_rt_t  ngx_http_sluice_rt_streaming_policy = {
    .type = NGX_SLUICE_RES_STREAMING_POLICY,
    .collection = "streamingPolicies",
    .id_segment = "streamingPolicies",
    .arm_type = "Microsoft.Media/mediaservices/streamingPolicies",
    .what = "Streaming policy",
    .name_max = NGX_SLUICE_RES_NAME_LEN,
    .flags = NGX_HTTP_SLUICE_RT_IMMUTABLE,
    .kind = &ngx_http_sluice_rk_res,
    .build = ngx_http_sluice_sp_build,
    .deletable = ngx_http_sluice_sp_deletable,
};
