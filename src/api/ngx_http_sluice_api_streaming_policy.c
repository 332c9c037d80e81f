
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Streaming policies (AMS v3 StreamingPolicies, Metadata 2023-01-01):
 * list, GET, PUT (201; policies cannot be updated: 409), DELETE.
 *
 * The six predefined policies are records made in every fresh zone
 * (never saved, never changed or deleted).  Custom policies are stored
 * after a structural validation of their encryption blocks; encryption
 * itself arrives with a later version, so streaming locators refuse
 * policies that encrypt (f.encrypted).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_record.h"
#include "api/ngx_http_sluice_api_streaming_policy.h"


#define NGX_HTTP_SLUICE_SP_CLEAR_KEYS                                        \
    "\"clearTracks\":[],\"contentKeys\":{\"defaultKey\":{},"                 \
    "\"keyToTrackMappings\":[]}"


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
      "\"envelopeEncryption\":{\"enabledProtocols\":{\"download\":false,"
      "\"dash\":true,\"hls\":true,\"smoothStreaming\":true},"
      NGX_HTTP_SLUICE_SP_CLEAR_KEYS "}}}" },

    { "Predefined_MultiDrmCencStreaming",
      "{\"properties\":{\"created\":\"2018-01-01T00:00:00Z\","
      "\"commonEncryptionCenc\":{\"enabledProtocols\":{\"download\":false,"
      "\"dash\":true,\"hls\":false,\"smoothStreaming\":true},"
      NGX_HTTP_SLUICE_SP_CLEAR_KEYS ","
      "\"drm\":{\"playReady\":{},\"widevine\":{}}}}}" },

    { "Predefined_MultiDrmStreaming",
      "{\"properties\":{\"created\":\"2018-01-01T00:00:00Z\","
      "\"commonEncryptionCenc\":{\"enabledProtocols\":{\"download\":false,"
      "\"dash\":true,\"hls\":false,\"smoothStreaming\":true},"
      NGX_HTTP_SLUICE_SP_CLEAR_KEYS ","
      "\"drm\":{\"playReady\":{},\"widevine\":{}}},"
      "\"commonEncryptionCbcs\":{\"enabledProtocols\":{\"download\":false,"
      "\"dash\":false,\"hls\":true,\"smoothStreaming\":false},"
      NGX_HTTP_SLUICE_SP_CLEAR_KEYS ","
      "\"drm\":{\"fairPlay\":{\"allowPersistentLicense\":false}}}}}" }
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


static ngx_int_t
ngx_http_sluice_sp_tracks(ngx_http_sluice_res_build_t *b, sluice_json_t *v,
    const char *where)
{
    sluice_json_t  *t, *s, *c, *p;

    if (ngx_http_sluice_absent(v)) {
        return NGX_OK;
    }

    if (v->type != SLUICE_JSON_ARRAY) {
        ngx_http_sluice_sp_bad("%s must be an array of track selections.",
                               where);
    }

    for (t = v->child; t; t = t->next) {
        s = sluice_json_get(t, "trackSelections");

        if (t->type != SLUICE_JSON_OBJECT
            || (!ngx_http_sluice_absent(s) && s->type != SLUICE_JSON_ARRAY))
        {
            ngx_http_sluice_sp_bad("%s entries must be objects with a "
                                   "trackSelections array.", where);
        }

        for (c = s ? s->child : NULL; c; c = c->next) {
            p = sluice_json_get(c, "property");

            if (c->type != SLUICE_JSON_OBJECT
                || !(sluice_json_str_eq(p, "Unknown")
                     || sluice_json_str_eq(p, "FourCC")))
            {
                ngx_http_sluice_sp_bad("%s: trackSelections[].property must "
                                       "be FourCC or Unknown.", where);
            }

            p = sluice_json_get(c, "operation");

            if (!(sluice_json_str_eq(p, "Unknown")
                  || sluice_json_str_eq(p, "Equal")))
            {
                ngx_http_sluice_sp_bad("%s: trackSelections[].operation must "
                                       "be Equal or Unknown.", where);
            }

            p = sluice_json_get(c, "value");

            if (!ngx_http_sluice_absent(p) && p->type != SLUICE_JSON_STRING) {
                ngx_http_sluice_sp_bad("%s: trackSelections[].value must be "
                                       "a string.", where);
            }
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_sp_strings(ngx_http_sluice_res_build_t *b, sluice_json_t *o,
    const char *where, const char **names)
{
    sluice_json_t  *v;

    if (ngx_http_sluice_absent(o)) {
        return NGX_OK;
    }

    if (o->type != SLUICE_JSON_OBJECT) {
        ngx_http_sluice_sp_bad("%s must be an object.", where);
    }

    for ( /* void */ ; *names; names++) {
        v = sluice_json_get(o, *names);

        if (!ngx_http_sluice_absent(v) && v->type != SLUICE_JSON_STRING) {
            ngx_http_sluice_sp_bad("%s.%s must be a string.", where, *names);
        }
    }

    return NGX_OK;
}


/* an encryption block: structure only */

static ngx_int_t
ngx_http_sluice_sp_scheme(ngx_http_sluice_res_build_t *b, sluice_json_t *v,
    const char *where)
{
    ngx_int_t       rc;
    ngx_uint_t      protocols;
    sluice_json_t  *ck, *m, *drm, *fp, *x;

    static const char  *key[] = { "label", "policyName", NULL };
    static const char  *url[] = { "customLicenseAcquisitionUrlTemplate",
                                  "playReadyCustomAttributes",
                                  "customKeysAcquisitionUrlTemplate",
                                  "customKeyAcquisitionUrlTemplate", NULL };

    if (v->type != SLUICE_JSON_OBJECT) {
        ngx_http_sluice_sp_bad("properties.%s must be an object.", where);
    }

    x = sluice_json_get(v, "enabledProtocols");

    if (!ngx_http_sluice_absent(x)) {
        rc = ngx_http_sluice_sp_protocols(b, x, where, &protocols);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    rc = ngx_http_sluice_sp_tracks(b, sluice_json_get(v, "clearTracks"),
                                   "clearTracks");
    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_sluice_sp_strings(b, v, where, url);
    if (rc != NGX_OK) {
        return rc;
    }

    ck = sluice_json_get(v, "contentKeys");

    if (!ngx_http_sluice_absent(ck)) {
        if (ck->type != SLUICE_JSON_OBJECT) {
            ngx_http_sluice_sp_bad("properties.%s.contentKeys must be an "
                                   "object.", where);
        }

        rc = ngx_http_sluice_sp_strings(b, sluice_json_get(ck, "defaultKey"),
                                        "contentKeys.defaultKey", key);
        if (rc != NGX_OK) {
            return rc;
        }

        m = sluice_json_get(ck, "keyToTrackMappings");

        if (!ngx_http_sluice_absent(m)) {
            if (m->type != SLUICE_JSON_ARRAY) {
                ngx_http_sluice_sp_bad("contentKeys.keyToTrackMappings must "
                                       "be an array.");
            }

            for (m = m->child; m; m = m->next) {
                rc = ngx_http_sluice_sp_strings(b, m,
                                       "contentKeys.keyToTrackMappings[]",
                                       key);
                if (rc != NGX_OK) {
                    return rc;
                }

                rc = ngx_http_sluice_sp_tracks(b,
                         sluice_json_get(m, "tracks"),
                         "contentKeys.keyToTrackMappings[].tracks");
                if (rc != NGX_OK) {
                    return rc;
                }
            }
        }
    }

    drm = sluice_json_get(v, "drm");

    if (!ngx_http_sluice_absent(drm)) {
        if (drm->type != SLUICE_JSON_OBJECT) {
            ngx_http_sluice_sp_bad("properties.%s.drm must be an object.",
                                   where);
        }

        for (x = drm->child; x; x = x->next) {
            rc = ngx_http_sluice_sp_strings(b, x, "drm", url);
            if (rc != NGX_OK) {
                return rc;
            }
        }

        fp = sluice_json_get(drm, "fairPlay");

        if (!ngx_http_sluice_absent(fp)) {
            x = sluice_json_get(fp, "allowPersistentLicense");

            if (x == NULL || x->type != SLUICE_JSON_BOOL) {
                ngx_http_sluice_sp_bad("drm.fairPlay.allowPersistentLicense "
                                       "is required and must be a "
                                       "boolean.");
            }
        }
    }

    x = sluice_json_get(v, "clearKeyEncryptionConfiguration");

    return ngx_http_sluice_sp_strings(b, x,
                                      "clearKeyEncryptionConfiguration", url);
}


static ngx_int_t
ngx_http_sluice_sp_build(ngx_http_sluice_res_build_t *b)
{
    ngx_int_t        rc;
    ngx_uint_t       i, schemes;
    sluice_json_t   *props, *np, *v, *oldp, *ne;
    sluice_alloc_t  *a;

    static const char  *encrypted[] = {
        "envelopeEncryption", "commonEncryptionCenc", "commonEncryptionCbcs"
    };

    a = b->a;

    rc = ngx_http_sluice_res_build_props(b, &props, &oldp, &np);
    if (rc != NGX_OK) {
        return rc;
    }

    if (ngx_http_sluice_res_created(b, oldp, np) != NGX_OK) {
        return NGX_ERROR;
    }

    rc = ngx_http_sluice_res_opt_string(b, props, np,
                                        "defaultContentKeyPolicyName", 260);
    if (rc != NGX_OK) {
        return rc;
    }

    schemes = 0;

    for (i = 0; i < 3; i++) {
        v = sluice_json_get(props, encrypted[i]);

        if (ngx_http_sluice_absent(v)) {
            continue;
        }

        rc = ngx_http_sluice_sp_scheme(b, v, encrypted[i]);
        if (rc != NGX_OK) {
            return rc;
        }

        if (ngx_http_sluice_res_set(a, np, encrypted[i],
                                    sluice_json_copy(a, v))
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        schemes++;
        b->f.encrypted = 1;
    }

    v = sluice_json_get(props, "noEncryption");

    if (!ngx_http_sluice_absent(v)) {
        if (v->type != SLUICE_JSON_OBJECT) {
            ngx_http_sluice_sp_bad("properties.noEncryption must be an "
                                   "object.");
        }

        if (schemes) {
            ngx_http_sluice_sp_bad("properties.noEncryption cannot be "
                                   "combined with an encryption scheme.");
        }

        rc = ngx_http_sluice_sp_protocols(b,
                                      sluice_json_get(v, "enabledProtocols"),
                                      "noEncryption", &b->f.protocols);
        if (rc != NGX_OK) {
            return rc;
        }

        ne = sluice_json_new(a, SLUICE_JSON_OBJECT);

        if (ne == NULL
            || ngx_http_sluice_res_set(a, ne, "enabledProtocols",
                   sluice_json_copy(a, sluice_json_get(v, "enabledProtocols")))
            || ngx_http_sluice_res_set(a, np, "noEncryption", ne))
        {
            return NGX_ERROR;
        }

        schemes++;
    }

    if (schemes == 0) {
        ngx_http_sluice_sp_bad("A streaming policy needs one of noEncryption, "
                               "envelopeEncryption, commonEncryptionCenc, "
                               "commonEncryptionCbcs.");
    }

    return ngx_http_sluice_res_set(a, b->doc, "properties", np);
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

        b.f.builtin = 1;
        json.data = (u_char *) ngx_http_sluice_sp_predefined[i].json;
        json.len = ngx_strlen(json.data);
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
