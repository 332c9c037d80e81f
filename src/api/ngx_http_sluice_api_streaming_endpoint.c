
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Streaming endpoints (AMS v3 StreamingEndpoints, Streaming 2022-11-01),
 * long-running operations like live events: PUT (201, ?autoStart), PATCH
 * (200), GET, list, DELETE (202), start, stop, scale (202, or 200 when
 * already there), streamingEndpointOperations/{id} and
 * operationLocations/{id}.
 *
 * A "default" endpoint, Stopped, is made at the first start (when
 * {data}/api/streamingEndpoints did not exist yet); deleted, it stays
 * deleted.  Every endpoint is served by this nginx: hostName is the host
 * (and port) of sluice_preview_url, else the Host of the request.
 *
 * Fixed fields for the packager: state, f.acl (accessControl.ip; no
 * accessControl: everyone), f.max_cache_age, f.scale_units; the
 * crossSiteAccessPolicies and customHostNames are in the document.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_record.h"
#include "api/ngx_http_sluice_api_streaming_endpoint.h"
#include "util/sluice_base64.h"
#include "util/sluice_iso8601.h"


#define NGX_HTTP_SLUICE_SE_MAX_UNITS    10
#define NGX_HTTP_SLUICE_SE_MAX_HOSTS    10


/* scale: from Running, or at once when Stopped (no state check) */

static ngx_http_sluice_action_t  ngx_http_sluice_se_actions[] = {

    { ngx_string("start"), NGX_SLUICE_OP_START,
      { NGX_SLUICE_SE_STOPPED, NGX_SLUICE_SE_STOPPED },
      NGX_SLUICE_SE_STARTING, NGX_SLUICE_SE_RUNNING, NGX_SLUICE_SE_RUNNING,
      0 },

    { ngx_string("stop"), NGX_SLUICE_OP_STOP,
      { NGX_SLUICE_SE_RUNNING, NGX_SLUICE_SE_RUNNING },
      NGX_SLUICE_SE_STOPPING, NGX_SLUICE_SE_STOPPED, NGX_SLUICE_SE_STOPPED,
      0 },

    { ngx_string("scale"), NGX_SLUICE_OP_UPDATE,
      { NGX_SLUICE_SE_RUNNING, NGX_SLUICE_SE_RUNNING },
      NGX_SLUICE_SE_SCALING, NGX_SLUICE_SE_RUNNING, NGX_SLUICE_SE_DELETING,
      NGX_HTTP_SLUICE_ACT_ANY_STATE },

    { ngx_null_string, 0, { 0, 0 }, 0, 0, 0, 0 }
};


/* created Stopped; with ?autoStart=true, started */

static ngx_http_sluice_action_t  ngx_http_sluice_se_create = {
    ngx_null_string, NGX_SLUICE_OP_CREATE, { 0, 0 },
    NGX_SLUICE_SE_STOPPED, NGX_SLUICE_SE_STOPPED, 0, 0
};


static ngx_http_sluice_action_t  ngx_http_sluice_se_autostart = {
    ngx_null_string, NGX_SLUICE_OP_CREATE, { 0, 0 },
    NGX_SLUICE_SE_STARTING, NGX_SLUICE_SE_RUNNING, 0, 0
};


#define ngx_http_sluice_se_bad(...)                                          \
    ngx_http_sluice_res_bad(&b->err, __VA_ARGS__)


#define ngx_http_sluice_se_put(obj, key, val)                                \
    ngx_http_sluice_res_put_member(a, obj, key, val)


/*
 * An Akamai key: identifier and base64Key required, expiration optional;
 * the expiration is stored in UTC ("...Z"), as the packager reads it.
 */

static ngx_int_t
ngx_http_sluice_se_akamai_key(ngx_http_sluice_res_build_t *b,
    sluice_json_t *k, sluice_json_t *list)
{
    u_char           key[256];
    size_t           n;
    int64_t          ms;
    sluice_json_t   *id, *b64, *exp, *nk;
    sluice_alloc_t  *a;
    char             iso[SLUICE_ISO8601_TIME_LEN];

    a = b->a;

    id = sluice_json_get(k, "identifier");
    b64 = sluice_json_get(k, "base64Key");
    exp = sluice_json_get(k, "expiration");

    if (k->type != SLUICE_JSON_OBJECT
        || id == NULL || id->type != SLUICE_JSON_STRING || id->str.len == 0
        || id->str.len > 256
        || b64 == NULL || b64->type != SLUICE_JSON_STRING
        || b64->str.len == 0 || b64->str.len > 340
        || sluice_base64_decode(b64->str.data, b64->str.len, key, &n, 0)
           != SLUICE_OK
        || n == 0)
    {
        ngx_http_sluice_se_bad("each akamai key must have an identifier and "
                               "a base64Key (base64, at most 255 bytes).");
    }

    nk = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (nk == NULL) {
        return NGX_ERROR;
    }

    ngx_http_sluice_se_put(nk, "identifier", sluice_json_copy(a, id));
    ngx_http_sluice_se_put(nk, "base64Key", sluice_json_copy(a, b64));

    if (!ngx_http_sluice_absent(exp)) {
        if (exp->type != SLUICE_JSON_STRING
            || ngx_http_sluice_parse_time((u_char *) exp->str.data,
                                          exp->str.len, &ms)
               != NGX_OK)
        {
            ngx_http_sluice_se_bad("an akamai key's expiration must be an "
                                   "ISO 8601 date-time.");
        }

        n = sluice_iso8601_time_format(ms / 1000, (unsigned) (ms % 1000),
                                       iso);

        ngx_http_sluice_se_put(nk, "expiration",
                               sluice_json_new_string(a, (uint8_t *) iso, n));
    }

    sluice_json_append(list, nk);

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_se_access(ngx_http_sluice_res_build_t *b,
    sluice_json_t *props, sluice_json_t *np)
{
    ngx_int_t        rc;
    sluice_json_t   *ac, *ak, *list, *k, *nac, *norm, *nlist, *nak;
    sluice_alloc_t  *a;

    a = b->a;
    ac = sluice_json_get(props, "accessControl");

    if (ngx_http_sluice_absent(ac)) {
        b->f.acl.allow_all = 1;
        return NGX_OK;
    }

    if (ac->type != SLUICE_JSON_OBJECT) {
        ngx_http_sluice_se_bad("properties.accessControl must be an "
                               "object.");
    }

    nac = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (nac == NULL) {
        return NGX_ERROR;
    }

    ak = sluice_json_get(ac, "akamai");

    if (!ngx_http_sluice_absent(ak)) {
        list = sluice_json_get(ak,
                           "akamaiSignatureHeaderAuthenticationKeyList");

        if (ak->type != SLUICE_JSON_OBJECT
            || (!ngx_http_sluice_absent(list)
                && list->type != SLUICE_JSON_ARRAY))
        {
            ngx_http_sluice_se_bad("properties.accessControl.akamai must be "
                                   "an object with an "
                                   "akamaiSignatureHeaderAuthenticationKey"
                                   "List array.");
        }

        nlist = sluice_json_new(a, SLUICE_JSON_ARRAY);
        nak = sluice_json_new(a, SLUICE_JSON_OBJECT);
        if (nlist == NULL || nak == NULL) {
            return NGX_ERROR;
        }

        for (k = list ? list->child : NULL; k; k = k->next) {
            rc = ngx_http_sluice_se_akamai_key(b, k, nlist);
            if (rc != NGX_OK) {
                return rc;
            }
        }

        /* enforced by the packager (ngx_http_sluice_packager_locator.c) */
        ngx_http_sluice_se_put(nak,
                               "akamaiSignatureHeaderAuthenticationKeyList",
                               nlist);
        ngx_http_sluice_se_put(nac, "akamai", nak);
    }

    rc = ngx_http_sluice_res_ip_allow(a, &b->err, sluice_json_get(ac, "ip"),
                                      "properties.accessControl", &b->f.acl,
                                      &norm);
    if (rc != NGX_OK) {
        return rc;
    }

    if (norm) {
        ngx_http_sluice_se_put(nac, "ip", norm);
    }

    ngx_http_sluice_se_put(np, "accessControl", nac);

    return NGX_OK;
}


/* customHostNames: host names */

static ngx_int_t
ngx_http_sluice_se_hosts(ngx_http_sluice_res_build_t *b,
    sluice_json_t *props, sluice_json_t *np)
{
    ngx_uint_t       i;
    sluice_json_t   *v, *arr, *e;
    sluice_alloc_t  *a;

    a = b->a;

    v = sluice_json_get(props, "customHostNames");
    arr = sluice_json_new(a, SLUICE_JSON_ARRAY);
    if (arr == NULL) {
        return NGX_ERROR;
    }

    if (!ngx_http_sluice_absent(v)) {
        if (v->type != SLUICE_JSON_ARRAY
            || v->count > NGX_HTTP_SLUICE_SE_MAX_HOSTS)
        {
            ngx_http_sluice_se_bad("properties.customHostNames must be an "
                                   "array of at most %d host names.",
                                   NGX_HTTP_SLUICE_SE_MAX_HOSTS);
        }

        for (e = v->child; e; e = e->next) {
            if (e->type != SLUICE_JSON_STRING || e->str.len == 0
                || e->str.len > 253)
            {
                ngx_http_sluice_se_bad("properties.customHostNames entries "
                                       "must be host names.");
            }

            for (i = 0; i < e->str.len; i++) {
                if (!(isalnum(e->str.data[i]) || e->str.data[i] == '-'
                      || e->str.data[i] == '.'))
                {
                    ngx_http_sluice_se_bad("properties.customHostNames: "
                                           "invalid host name \"%*s\".",
                                           e->str.len, e->str.data);
                }
            }

            sluice_json_append(arr, sluice_json_copy(a, e));
        }
    }

    ngx_http_sluice_se_put(np, "customHostNames", arr);

    return NGX_OK;
}


/* cdnEnabled (false: no CDN of its own), cdn*, crossSiteAccessPolicies */

static ngx_int_t
ngx_http_sluice_se_cdn(ngx_http_sluice_res_build_t *b, sluice_json_t *props,
    sluice_json_t *np)
{
    ngx_int_t        rc;
    sluice_json_t   *v, *o;
    sluice_alloc_t  *a;

    a = b->a;

    v = sluice_json_get(props, "cdnEnabled");

    if (!ngx_http_sluice_absent(v)
        && (v->type != SLUICE_JSON_BOOL || v->boolean))
    {
        ngx_http_sluice_res_refuse(&b->err, NGX_HTTP_BAD_REQUEST,
                                   "NotSupported",
                                   "properties.cdnEnabled: there is no CDN "
                                   "integration; put a CDN or nginx "
                                   "proxy_cache in front of Sluice.");
    }

    ngx_http_sluice_se_put(np, "cdnEnabled", sluice_json_new_bool(a, 0));

    rc = ngx_http_sluice_res_opt_string(b, props, np, "cdnProvider", 256);
    if (rc == NGX_OK) {
        rc = ngx_http_sluice_res_opt_string(b, props, np, "cdnProfile", 256);
    }

    if (rc == NGX_OK) {
        rc = ngx_http_sluice_res_opt_string(b, props, np,
                                            "availabilitySetName", 256);
    }

    if (rc != NGX_OK) {
        return rc;
    }

    v = sluice_json_get(props, "crossSiteAccessPolicies");

    if (!ngx_http_sluice_absent(v)) {
        if (v->type != SLUICE_JSON_OBJECT) {
            ngx_http_sluice_se_bad("properties.crossSiteAccessPolicies must "
                                   "be an object.");
        }

        o = sluice_json_new(a, SLUICE_JSON_OBJECT);
        if (o == NULL) {
            return NGX_ERROR;
        }

        rc = ngx_http_sluice_res_opt_string(b, v, o, "clientAccessPolicy",
                                            NGX_HTTP_SLUICE_MAX_BODY);
        if (rc == NGX_OK) {
            rc = ngx_http_sluice_res_opt_string(b, v, o, "crossDomainPolicy",
                                                NGX_HTTP_SLUICE_MAX_BODY);
        }

        if (rc != NGX_OK) {
            return rc;
        }

        ngx_http_sluice_se_put(np, "crossSiteAccessPolicies", o);
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_se_misc(ngx_http_sluice_res_build_t *b, sluice_json_t *props,
    sluice_json_t *np)
{
    ngx_int_t        rc;
    sluice_json_t   *v;
    sluice_alloc_t  *a;

    a = b->a;

    v = sluice_json_get(props, "maxCacheAge");
    b->f.max_cache_age = -1;

    if (!ngx_http_sluice_absent(v)) {
        if (v->type != SLUICE_JSON_NUMBER || v->number < 0
            || v->number > 2147483647.0
            || v->number != (double) (int64_t) v->number)
        {
            ngx_http_sluice_se_bad("properties.maxCacheAge must be a number "
                                   "of seconds.");
        }

        b->f.max_cache_age = (ngx_int_t) v->number;
        ngx_http_sluice_se_put(np, "maxCacheAge",
                               sluice_json_new_int(a, b->f.max_cache_age));

    } else {
        ngx_http_sluice_se_put(np, "maxCacheAge",
                               sluice_json_new(a, SLUICE_JSON_NULL));
    }

    rc = ngx_http_sluice_se_hosts(b, props, np);

    if (rc == NGX_OK) {
        rc = ngx_http_sluice_se_cdn(b, props, np);
    }

    return rc;
}


static ngx_int_t
ngx_http_sluice_se_build(ngx_http_sluice_res_build_t *b)
{
    ngx_int_t        rc;
    sluice_json_t   *props, *oldp, *np, *v;
    sluice_alloc_t  *a;

    a = b->a;

    rc = ngx_http_sluice_res_build_props(b, &props, &oldp, &np);
    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_sluice_res_tracked(b, b->doc);
    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_sluice_res_opt_string(b, props, np, "description", 4096);
    if (rc != NGX_OK) {
        return rc;
    }

    v = sluice_json_get(props, "scaleUnits");

    if (v == NULL || v->type != SLUICE_JSON_NUMBER || v->number < 0
        || v->number > NGX_HTTP_SLUICE_SE_MAX_UNITS
        || v->number != (double) (int64_t) v->number)
    {
        ngx_http_sluice_se_bad("properties.scaleUnits is required: an "
                               "integer from 0 to %d.",
                               NGX_HTTP_SLUICE_SE_MAX_UNITS);
    }

    b->f.scale_units = (ngx_uint_t) v->number;

    ngx_http_sluice_se_put(np, "scaleUnits",
                           sluice_json_new_int(a, b->f.scale_units));

    rc = ngx_http_sluice_se_access(b, props, np);
    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_sluice_se_misc(b, props, np);
    if (rc != NGX_OK) {
        return rc;
    }

    b->state = NGX_SLUICE_SE_STOPPED;

    return ngx_http_sluice_res_build_end(b, oldp, np);
}


/* the host (and port) players use */

static ngx_int_t
ngx_http_sluice_se_host(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_str_t *host)
{
    u_char     *p, *last;
    ngx_str_t  *url;

    url = &ctx->conf->preview_url;

    if (url->len) {
        p = (u_char *) ngx_strstr(url->data, "://");
        last = url->data + url->len;

        if (p && p + 3 < last) {
            p += 3;
            host->data = p;

            while (p < last && *p != '/') {
                p++;
            }

            host->len = p - host->data;
            return NGX_OK;
        }
    }

    if (r->headers_in.host) {
        *host = r->headers_in.host->value;

    } else {
        ngx_str_set(host, "127.0.0.1");
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_se_render(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_res_snap_t *snap,
    sluice_json_t *res, sluice_json_t *props)
{
    const char      *prov, *state;
    ngx_str_t        host;
    sluice_json_t   *sku;
    sluice_alloc_t  *a;

    a = &ctx->alloc;

    prov = ngx_http_sluice_res_provisioning(snap->pending, snap->op_kind,
                                            snap->state
                                            == NGX_SLUICE_SE_DELETING);

    (void) ngx_http_sluice_se_host(r, ctx, &host);

    sku = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (sku == NULL) {
        return NGX_ERROR;
    }

    ngx_http_sluice_se_put(sku, "name",
                           sluice_json_new_cstring(a, snap->f.scale_units
                                                      ? "Premium"
                                                      : "Standard"));
    ngx_http_sluice_se_put(sku, "capacity",
                           sluice_json_new_int(a, snap->f.scale_units));

    ngx_http_sluice_se_put(props, "hostName",
                           sluice_json_new_string(a, host.data, host.len));
    state = ngx_http_sluice_rt_streaming_endpoint.states[snap->state & 7];

    ngx_http_sluice_se_put(props, "resourceState",
                           sluice_json_new_cstring(a, state ? state
                                                            : "Stopped"));
    ngx_http_sluice_se_put(props, "provisioningState",
                           sluice_json_new_cstring(a, prov));
    ngx_http_sluice_se_put(res, "sku", sku);

    return NGX_OK;
}


/* --- start, stop, scale -------------------------------------------------- */

/* scale: {"scaleUnit": n}, a change of properties.scaleUnits */

static ngx_int_t
ngx_http_sluice_se_act_body(ngx_http_sluice_api_ctx_t *ctx,
    ngx_http_sluice_action_t *act, ngx_http_sluice_act_in_t *in,
    ngx_http_sluice_res_err_t *err)
{
    sluice_json_t   *v, *props;
    sluice_alloc_t  *a;

    if (act->kind != NGX_SLUICE_OP_UPDATE) {
        return NGX_OK;
    }

    a = &ctx->alloc;
    v = sluice_json_get(ctx->body, "scaleUnit");

    if (v == NULL || v->type != SLUICE_JSON_NUMBER || v->number < 0
        || v->number > NGX_HTTP_SLUICE_SE_MAX_UNITS
        || v->number != (double) (int64_t) v->number)
    {
        ngx_http_sluice_res_bad(err, "The body must be {\"scaleUnit\": n} "
                                "with n from 0 to %d.",
                                NGX_HTTP_SLUICE_SE_MAX_UNITS);
    }

    in->patch = sluice_json_new(a, SLUICE_JSON_OBJECT);
    props = sluice_json_new(a, SLUICE_JSON_OBJECT);

    if (in->patch == NULL || props == NULL
        || ngx_http_sluice_res_set(a, props, "scaleUnits",
                                   sluice_json_new_int(a,
                                                       (int64_t) v->number))
        || ngx_http_sluice_res_set(a, in->patch, "properties", props))
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* a stopped endpoint scales at once and stays stopped */

static ngx_int_t
ngx_http_sluice_se_acting(ngx_sluice_shctx_t *sh, void *rec,
    ngx_http_sluice_action_t *act, ngx_http_sluice_act_in_t *in,
    ngx_http_sluice_op_plan_t *plan, ngx_http_sluice_res_err_t *err,
    ngx_log_t *log)
{
    ngx_sluice_res_t  *res = rec;

    if (act->kind != NGX_SLUICE_OP_UPDATE) {
        return NGX_OK;
    }

    plan->target = res->state;

    if (res->state == NGX_SLUICE_SE_STOPPED) {
        plan->state = NGX_SLUICE_SE_STOPPED;
        plan->delay = 0;
    }

    return NGX_OK;
}


/* --- the default endpoint ------------------------------------------------ */

ngx_int_t
ngx_http_sluice_se_create_default(ngx_sluice_zone_ctx_t *zctx,
    ngx_pool_t *pool, ngx_log_t *log)
{
    void                         *rec;
    ngx_int_t                     rc;
    ngx_str_t                     json;
    sluice_json_t                *in;
    sluice_alloc_t                a;
    ngx_http_sluice_rt_t         *rt;
    ngx_http_sluice_res_snap_t    snap;
    ngx_http_sluice_res_build_t   b;

    static u_char  body[] =
        "{\"location\":\"local\",\"tags\":{},\"properties\":{"
        "\"description\":\"\",\"scaleUnits\":0,\"cdnEnabled\":false}}";

    rt = &ngx_http_sluice_rt_streaming_endpoint;

    ngx_http_sluice_pool_alloc(&a, pool);

    if (sluice_json_parse(&a, body, sizeof(body) - 1, &in, NULL, NULL)
        != SLUICE_OK)
    {
        return NGX_ERROR;
    }

    ngx_memzero(&b, sizeof(ngx_http_sluice_res_build_t));
    b.a = &a;
    b.pool = pool;
    b.in = in;
    ngx_str_set(&b.name, "default");

    if (ngx_http_sluice_se_build(&b) != NGX_OK
        || ngx_http_sluice_res_json_text(pool, b.doc, &json) != NGX_OK)
    {
        return NGX_ERROR;
    }

    rc = NGX_DECLINED;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    if (rt->kind->find(zctx->sh, rt, NULL, b.name.data, b.name.len) == NULL)
    {
        rec = ngx_http_sluice_res_insert(zctx, rt, &b, &json,
                                         NGX_SLUICE_SE_STOPPED);

        rc = rec ? ngx_http_sluice_res_snap(pool, rt, rec, &snap)
                 : NGX_ERROR;
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (rc == NGX_OK) {
        ngx_http_sluice_res_persist(pool, log, zctx, &snap);
    }

    return rc == NGX_ERROR ? NGX_ERROR : NGX_OK;
}


ngx_http_sluice_rt_t  ngx_http_sluice_rt_streaming_endpoint = {
    .type = NGX_SLUICE_RES_STREAMING_ENDPOINT,
    .collection = "streamingEndpoints",
    .id_segment = "streamingendpoints",
    .arm_type = "Microsoft.Media/mediaservices/streamingEndpoints",
    .what = "Streaming endpoint",
    .op_collection = "streamingEndpointOperations",
    .states = { "Stopped", "Starting", "Running", "Stopping", "Deleting",
                "Scaling" },
    .name_max = 24,
    .flags = NGX_HTTP_SLUICE_RT_PATCH|NGX_HTTP_SLUICE_RT_LRO
             |NGX_HTTP_SLUICE_RT_TRACKED|NGX_HTTP_SLUICE_RT_LIVE_NAME,
    .kind = &ngx_http_sluice_rk_res,
    .create = &ngx_http_sluice_se_create,
    .autostart = &ngx_http_sluice_se_autostart,
    .delete_state = NGX_SLUICE_SE_DELETING,
    .actions = ngx_http_sluice_se_actions,
    .build = ngx_http_sluice_se_build,
    .render = ngx_http_sluice_se_render,
    .act_body = ngx_http_sluice_se_act_body,
    .acting = ngx_http_sluice_se_acting,
};
