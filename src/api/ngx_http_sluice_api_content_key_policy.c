
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Content key policies (AMS v3 ContentKeyPolicies, Metadata 2023-01-01):
 * PUT (201 create, 200 update), PATCH, GET, list, DELETE, and POST
 * getPolicyPropertiesWithSecrets.  A policy has options, each a
 * configuration (ClearKey, Widevine, PlayReady, FairPlay, Unknown: what
 * the key service hands out) and a restriction (Open, Unknown, or Token:
 * issuer, audience, verification keys, required claims, JWT or SWT).
 *
 * The document is stored as given once validated, with policyId and each
 * option's policyOptionId kept across updates (new UUIDs when absent).
 * The secrets in it (token verification keys, FairPlay ASK, PFX and its
 * password) come back only from getPolicyPropertiesWithSecrets; a GET
 * or a list shows them as null, as AMS did.  Files are readable by the
 * nginx user only (core/ngx_sluice_store.c).  A policy that guards a
 * content key of a streaming locator cannot be deleted (409) until the
 * locator is.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_content_key_policy.h"
#include "api/ngx_http_sluice_api_record.h"
#include "util/sluice_uuid.h"


#define NGX_HTTP_SLUICE_CKP_MAX_OPTIONS  30
#define NGX_HTTP_SLUICE_CKP_MAX_KEYS     10
#define NGX_HTTP_SLUICE_CKP_MAX_CLAIMS   30
#define NGX_HTTP_SLUICE_CKP_MAX_STRING   65536

#define NGX_HTTP_SLUICE_CKP_TYPE  "#Microsoft.Media.ContentKeyPolicy"


/* an @odata.type and the members it requires (NULL-terminated) */
typedef struct {
    const char                 *type;           /* after the prefix */
    const char                 *required[6];
    const char                 *secrets[4];     /* nulled in a GET */
} ngx_http_sluice_ckp_kind_t;


static ngx_http_sluice_ckp_kind_t  ngx_http_sluice_ckp_configurations[] = {
    { "ClearKeyConfiguration", { NULL }, { NULL } },
    { "WidevineConfiguration", { "widevineTemplate", NULL }, { NULL } },
    { "PlayReadyConfiguration", { "licenses", NULL }, { NULL } },
    { "FairPlayConfiguration",
      { "ask", "fairPlayPfxPassword", "fairPlayPfx",
        "rentalAndLeaseKeyType", "rentalDuration", NULL },
      { "ask", "fairPlayPfxPassword", "fairPlayPfx", NULL } },
    { "UnknownConfiguration", { NULL }, { NULL } },
    { NULL, { NULL }, { NULL } }
};


static ngx_http_sluice_ckp_kind_t  ngx_http_sluice_ckp_restrictions[] = {
    { "OpenRestriction", { NULL }, { NULL } },
    { "UnknownRestriction", { NULL }, { NULL } },
    { "TokenRestriction",
      { "issuer", "audience", "primaryVerificationKey",
        "restrictionTokenType", NULL },
      { NULL } },
    { NULL, { NULL }, { NULL } }
};


static ngx_http_sluice_ckp_kind_t  ngx_http_sluice_ckp_keys[] = {
    { "SymmetricTokenKey", { "keyValue", NULL }, { "keyValue", NULL } },
    { "RsaTokenKey", { "exponent", "modulus", NULL },
      { "exponent", "modulus", NULL } },
    { "X509CertificateTokenKey", { "rawBody", NULL }, { "rawBody", NULL } },
    { NULL, { NULL }, { NULL } }
};


#define ngx_http_sluice_ckp_bad(...)                                         \
    ngx_http_sluice_res_bad(&b->err, __VA_ARGS__)


/* the kind of obj by its @odata.type, or NULL */

static ngx_http_sluice_ckp_kind_t *
ngx_http_sluice_ckp_kind(sluice_json_t *obj, ngx_http_sluice_ckp_kind_t *kinds)
{
    size_t          n;
    sluice_json_t  *t;

    t = sluice_json_get(obj, "@odata.type");

    n = sizeof(NGX_HTTP_SLUICE_CKP_TYPE) - 1;

    if (t == NULL || t->type != SLUICE_JSON_STRING || t->str.len <= n
        || ngx_strncasecmp((u_char *) t->str.data,
                           (u_char *) NGX_HTTP_SLUICE_CKP_TYPE, n)
           != 0)
    {
        return NULL;
    }

    for ( /* void */ ; kinds->type; kinds++) {
        if (t->str.len - n == ngx_strlen(kinds->type)
            && ngx_strncasecmp((u_char *) t->str.data + n,
                               (u_char *) kinds->type, t->str.len - n)
               == 0)
        {
            return kinds;
        }
    }

    return NULL;
}


/* obj: one of kinds (what: where, for messages), its required members */

static ngx_int_t
ngx_http_sluice_ckp_typed(ngx_http_sluice_res_build_t *b, sluice_json_t *obj,
    ngx_http_sluice_ckp_kind_t *kinds, const char *what)
{
    ngx_uint_t                   i;
    sluice_json_t               *v;
    ngx_http_sluice_ckp_kind_t  *k;

    if (obj == NULL || obj->type != SLUICE_JSON_OBJECT) {
        ngx_http_sluice_ckp_bad("%s is required and must be an object.",
                                what);
    }

    k = ngx_http_sluice_ckp_kind(obj, kinds);
    if (k == NULL) {
        ngx_http_sluice_ckp_bad("%s has no supported @odata.type.", what);
    }

    for (i = 0; k->required[i]; i++) {
        v = sluice_json_get(obj, k->required[i]);

        if (ngx_http_sluice_absent(v)) {
            ngx_http_sluice_ckp_bad("%s.%s is required.", what,
                                    k->required[i]);
        }

        if (v->type == SLUICE_JSON_STRING
            && v->str.len > NGX_HTTP_SLUICE_CKP_MAX_STRING)
        {
            ngx_http_sluice_ckp_bad("%s.%s is too long.", what,
                                    k->required[i]);
        }
    }

    return NGX_OK;
}


/* base64 members of a verification key must decode */

static ngx_int_t
ngx_http_sluice_ckp_key(ngx_http_sluice_res_build_t *b, sluice_json_t *key,
    const char *what)
{
    u_char                       *buf;
    ngx_int_t                     rc;
    ngx_str_t                     src, dst;
    ngx_uint_t                    i;
    sluice_json_t                *v;
    ngx_http_sluice_ckp_kind_t   *k;

    rc = ngx_http_sluice_ckp_typed(b, key, ngx_http_sluice_ckp_keys, what);
    if (rc != NGX_OK) {
        return rc;
    }

    k = ngx_http_sluice_ckp_kind(key, ngx_http_sluice_ckp_keys);

    for (i = 0; k->required[i]; i++) {
        v = sluice_json_get(key, k->required[i]);

        if (v->type != SLUICE_JSON_STRING || v->str.len == 0) {
            ngx_http_sluice_ckp_bad("%s.%s must be base64.", what,
                                    k->required[i]);
        }

        src.data = (u_char *) v->str.data;
        src.len = v->str.len;

        buf = ngx_pnalloc(b->pool, ngx_base64_decoded_length(src.len));
        if (buf == NULL) {
            return NGX_ERROR;
        }

        dst.data = buf;

        if (ngx_decode_base64(&dst, &src) != NGX_OK) {
            ngx_http_sluice_ckp_bad("%s.%s must be base64.", what,
                                    k->required[i]);
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_ckp_claims(ngx_http_sluice_res_build_t *b, sluice_json_t *r)
{
    sluice_json_t  *v, *c, *t;

    v = sluice_json_get(r, "requiredClaims");

    if (ngx_http_sluice_absent(v)) {
        return NGX_OK;
    }

    if (v->type != SLUICE_JSON_ARRAY
        || v->count > NGX_HTTP_SLUICE_CKP_MAX_CLAIMS)
    {
        ngx_http_sluice_ckp_bad("restriction.requiredClaims must be an array "
                                "of at most %d claims.",
                                NGX_HTTP_SLUICE_CKP_MAX_CLAIMS);
    }

    for (c = v->child; c; c = c->next) {
        t = sluice_json_get(c, "claimType");

        if (c->type != SLUICE_JSON_OBJECT || t == NULL
            || t->type != SLUICE_JSON_STRING || t->str.len == 0)
        {
            ngx_http_sluice_ckp_bad("restriction.requiredClaims entries need "
                                    "a claimType.");
        }

        t = sluice_json_get(c, "claimValue");

        if (!ngx_http_sluice_absent(t) && t->type != SLUICE_JSON_STRING) {
            ngx_http_sluice_ckp_bad("restriction.requiredClaims[].claimValue "
                                    "must be a string.");
        }
    }

    return NGX_OK;
}


/* a token restriction: issuer, audience, keys, claims, token type */

static ngx_int_t
ngx_http_sluice_ckp_token(ngx_http_sluice_res_build_t *b, sluice_json_t *r)
{
    ngx_int_t       rc;
    sluice_json_t  *v, *k;

    if (ngx_http_sluice_ckp_kind(r, ngx_http_sluice_ckp_restrictions)
        != &ngx_http_sluice_ckp_restrictions[2])
    {
        return NGX_OK;
    }

    v = sluice_json_get(r, "restrictionTokenType");

    if (!sluice_json_str_eq(v, "Jwt") && !sluice_json_str_eq(v, "Swt")) {
        ngx_http_sluice_ckp_bad("restriction.restrictionTokenType must be "
                                "Jwt or Swt.");
    }

    v = sluice_json_get(r, "issuer");
    k = sluice_json_get(r, "audience");

    if (v->type != SLUICE_JSON_STRING || k->type != SLUICE_JSON_STRING) {
        ngx_http_sluice_ckp_bad("restriction.issuer and restriction.audience "
                                "must be strings.");
    }

    rc = ngx_http_sluice_ckp_key(b, sluice_json_get(r,
                                                    "primaryVerificationKey"),
                                 "restriction.primaryVerificationKey");
    if (rc != NGX_OK) {
        return rc;
    }

    v = sluice_json_get(r, "alternateVerificationKeys");

    if (!ngx_http_sluice_absent(v)
        && (v->type != SLUICE_JSON_ARRAY
            || v->count > NGX_HTTP_SLUICE_CKP_MAX_KEYS))
    {
        ngx_http_sluice_ckp_bad("restriction.alternateVerificationKeys must "
                                "be an array of at most %d keys.",
                                NGX_HTTP_SLUICE_CKP_MAX_KEYS);
    }

    for (k = ngx_http_sluice_absent(v) ? NULL : v->child; k; k = k->next) {
        rc = ngx_http_sluice_ckp_key(b, k,
                                     "restriction.alternateVerificationKeys[]");
        if (rc != NGX_OK) {
            return rc;
        }
    }

    v = sluice_json_get(r, "openIdConnectDiscoveryDocument");

    if (!ngx_http_sluice_absent(v) && v->type != SLUICE_JSON_STRING) {
        ngx_http_sluice_ckp_bad("restriction.openIdConnectDiscoveryDocument "
                                "must be a string.");
    }

    return ngx_http_sluice_ckp_claims(b, r);
}


/* the policyOptionId an option keeps: its own, or a new one */

static sluice_json_t *
ngx_http_sluice_ckp_option_id(ngx_http_sluice_res_build_t *b,
    sluice_json_t *opt)
{
    u_char          id[NGX_SLUICE_ID_LEN + 1];
    sluice_json_t  *v;

    v = sluice_json_get(opt, "policyOptionId");

    if (v && v->type == SLUICE_JSON_STRING
        && sluice_uuid_valid(v->str.data, v->str.len))
    {
        return sluice_json_copy(b->a, v);
    }

    ngx_http_sluice_new_uuid(id);

    return sluice_json_new_cstring(b->a, (char *) id);
}


static ngx_int_t
ngx_http_sluice_ckp_option(ngx_http_sluice_res_build_t *b, sluice_json_t *opt,
    sluice_json_t *arr)
{
    ngx_int_t       rc;
    sluice_json_t  *no, *v;

    if (opt->type != SLUICE_JSON_OBJECT) {
        ngx_http_sluice_ckp_bad("properties.options entries must be "
                                "objects.");
    }

    v = sluice_json_get(opt, "name");

    if (!ngx_http_sluice_absent(v)
        && (v->type != SLUICE_JSON_STRING || v->str.len > 256))
    {
        ngx_http_sluice_ckp_bad("an option's name must be a string of at "
                                "most 256 characters.");
    }

    rc = ngx_http_sluice_ckp_typed(b, sluice_json_get(opt, "configuration"),
                                   ngx_http_sluice_ckp_configurations,
                                   "configuration");
    if (rc == NGX_OK) {
        rc = ngx_http_sluice_ckp_typed(b, sluice_json_get(opt, "restriction"),
                                       ngx_http_sluice_ckp_restrictions,
                                       "restriction");
    }

    if (rc == NGX_OK) {
        rc = ngx_http_sluice_ckp_token(b, sluice_json_get(opt,
                                                          "restriction"));
    }

    if (rc != NGX_OK) {
        return rc;
    }

    no = sluice_json_copy(b->a, opt);
    if (no == NULL) {
        return NGX_ERROR;
    }

    ngx_http_sluice_res_put_member(b->a, no, "policyOptionId",
                                   ngx_http_sluice_ckp_option_id(b, opt));

    sluice_json_append(arr, no);

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_ckp_build(ngx_http_sluice_res_build_t *b)
{
    u_char           id[NGX_SLUICE_ID_LEN + 1];
    ngx_int_t        rc;
    sluice_json_t   *props, *oldp, *np, *v, *arr, *opt;
    sluice_alloc_t  *a;

    a = b->a;

    rc = ngx_http_sluice_res_build_start(b, &props, &oldp, &np);
    if (rc != NGX_OK) {
        return rc;
    }

    v = sluice_json_get(oldp, "policyId");

    if (v == NULL || v->type != SLUICE_JSON_STRING) {
        ngx_http_sluice_new_uuid(id);
        v = sluice_json_new_cstring(a, (char *) id);
    }

    ngx_http_sluice_res_put_member(a, np, "policyId",
                                   sluice_json_copy(a, v));

    v = sluice_json_get(props, "options");

    if (v == NULL || v->type != SLUICE_JSON_ARRAY || v->count == 0
        || v->count > NGX_HTTP_SLUICE_CKP_MAX_OPTIONS)
    {
        ngx_http_sluice_ckp_bad("properties.options is required: 1 to %d "
                                "options.", NGX_HTTP_SLUICE_CKP_MAX_OPTIONS);
    }

    arr = sluice_json_new(a, SLUICE_JSON_ARRAY);
    if (arr == NULL) {
        return NGX_ERROR;
    }

    for (opt = v->child; opt; opt = opt->next) {
        rc = ngx_http_sluice_ckp_option(b, opt, arr);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    ngx_http_sluice_res_put_member(a, np, "options", arr);

    return ngx_http_sluice_res_build_end(b, oldp, np);
}


/* a policy guarding a key of a streaming locator stays (409) */

static ngx_int_t
ngx_http_sluice_ckp_deletable(ngx_sluice_shctx_t *sh, void *rec,
    ngx_http_sluice_res_err_t *err)
{
    ngx_uint_t         i;
    ngx_sluice_res_t  *loc, *res;

    res = rec;

    for (loc = ngx_sluice_res_next(sh, NGX_SLUICE_RES_STREAMING_LOCATOR,
                                   NULL);
         loc;
         loc = ngx_sluice_res_next(sh, NGX_SLUICE_RES_STREAMING_LOCATOR,
                                   loc))
    {
        for (i = 0; i < loc->f.nkeys; i++) {
            if (ngx_strcasecmp(loc->f.keys[i].policy, res->name) == 0) {
                ngx_http_sluice_res_refuse(err, NGX_HTTP_CONFLICT,
                                           "Conflict",
                                           "Content key policy '%s' is used "
                                           "by the content keys of streaming "
                                           "locator '%s'.", res->name,
                                           loc->name);
            }
        }
    }

    return NGX_OK;
}


/* --- secrets ------------------------------------------------------------- */

static ngx_int_t
ngx_http_sluice_ckp_hide(sluice_alloc_t *a, sluice_json_t *obj,
    ngx_http_sluice_ckp_kind_t *kinds)
{
    ngx_uint_t                   i;
    ngx_http_sluice_ckp_kind_t  *k;

    k = ngx_http_sluice_ckp_kind(obj, kinds);

    for (i = 0; k && k->secrets[i]; i++) {
        if (sluice_json_get(obj, k->secrets[i])
            && ngx_http_sluice_res_set(a, obj, k->secrets[i],
                                       sluice_json_new(a, SLUICE_JSON_NULL))
               != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* a GET or a list: the secrets of every option are null */

static ngx_int_t
ngx_http_sluice_ckp_render(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_res_snap_t *snap,
    sluice_json_t *res, sluice_json_t *props)
{
    sluice_json_t   *opt, *rs, *k;
    sluice_alloc_t  *a;

    a = &ctx->alloc;
    opt = sluice_json_get(props, "options");

    for (opt = opt ? opt->child : NULL; opt; opt = opt->next) {
        rs = sluice_json_get(opt, "restriction");
        k = sluice_json_get(rs, "alternateVerificationKeys");

        if (ngx_http_sluice_ckp_hide(a, sluice_json_get(opt,
                                                        "configuration"),
                                     ngx_http_sluice_ckp_configurations)
            != NGX_OK
            || ngx_http_sluice_ckp_hide(a, sluice_json_get(rs,
                                                   "primaryVerificationKey"),
                                        ngx_http_sluice_ckp_keys)
               != NGX_OK)
        {
            return NGX_ERROR;
        }

        for (k = k ? k->child : NULL; k; k = k->next) {
            if (ngx_http_sluice_ckp_hide(a, k, ngx_http_sluice_ckp_keys)
                != NGX_OK)
            {
                return NGX_ERROR;
            }
        }
    }

    return NGX_OK;
}


/* POST {name}/getPolicyPropertiesWithSecrets: the properties as stored */

#define ngx_http_sluice_ckp_action_is(s)                                     \
    ngx_http_sluice_seg_is(&ctx->action, s)


static ngx_int_t
ngx_http_sluice_ckp_post(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    void                        *rec;
    ngx_int_t                    rc;
    sluice_json_t               *props;
    ngx_http_sluice_rt_t        *rt;
    ngx_sluice_zone_ctx_t       *zctx;
    ngx_http_sluice_res_snap_t   snap;

    if (!ngx_http_sluice_ckp_action_is("getPolicyPropertiesWithSecrets")) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "Unknown content key policy action '%V'.", &ctx->action);
    }

    rt = &ngx_http_sluice_rt_content_key_policy;
    zctx = ngx_http_sluice_res_zone(ctx);

    ngx_shmtx_lock(&zctx->shpool->mutex);

    rec = rt->kind->find(zctx->sh, rt, NULL, ctx->name.data, ctx->name.len);
    rc = rec ? ngx_http_sluice_res_snap(r->pool, rt, rec, &snap)
             : NGX_DECLINED;

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (rc == NGX_DECLINED) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "Content key policy '%V' was not found.", &ctx->name);
    }

    props = (rc == NGX_OK)
            ? sluice_json_get(ngx_http_sluice_res_doc(&ctx->alloc, &snap),
                              "properties")
            : NULL;

    if (props == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_sluice_api_send(r, NGX_HTTP_OK, props);
}


ngx_http_sluice_rt_t  ngx_http_sluice_rt_content_key_policy = {
    .type = NGX_SLUICE_RES_CONTENT_KEY_POLICY,
    .collection = "contentKeyPolicies",
    .id_segment = "contentKeyPolicies",
    .arm_type = "Microsoft.Media/mediaservices/contentKeyPolicies",
    .what = "Content key policy",
    .name_max = NGX_SLUICE_RES_NAME_LEN,
    .flags = NGX_HTTP_SLUICE_RT_PATCH,
    .kind = &ngx_http_sluice_rk_res,
    .build = ngx_http_sluice_ckp_build,
    .deletable = ngx_http_sluice_ckp_deletable,
    .render = ngx_http_sluice_ckp_render,
    .post = ngx_http_sluice_ckp_post,
};
