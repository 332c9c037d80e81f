
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Live events of the REST API (AMS v3 LiveEvents, api-version
 * 2022-08-01): list, get, create/update (PUT), update (PATCH), delete,
 * allocate, start, stop, reset, and the two long-running operation
 * resources (liveEventOperations/{id}, operationLocations/{id}).
 *
 * Each event keeps in shared memory the fixed fields ingest and packager
 * read (state, token, preview locator, allow-lists, fragment duration,
 * generation) and its "stored document" (event->json): the resource as
 * created, without what depends on the request or the state (id,
 * resourceState, provisioningState, endpoints), which are added on each
 * response.  The file of an event is
 *
 *   {"sluice":{"id":"...","generation":N,"resourceState":"..."},
 *    "resource":{stored document}}
 *
 * Lock discipline: lookups and changes under shpool->mutex, with copies
 * taken out; JSON work and file writes outside it.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_live_event.h"
#include "api/ngx_http_sluice_api_resource.h"
#include "util/sluice_iso8601.h"
#include "util/sluice_uuid.h"


#define NGX_HTTP_SLUICE_MIN_FRAGMENT_MS  1000
#define NGX_HTTP_SLUICE_MAX_FRAGMENT_MS  20000
#define NGX_HTTP_SLUICE_MAX_TAGS         50


/* the fixed fields of an event, taken from a document */
typedef struct {
    u_char                      token[NGX_SLUICE_TOKEN_LEN + 1];
    u_char                      locator[NGX_SLUICE_ID_LEN + 1];
    ngx_uint_t                  encoding;
    ngx_msec_t                  fragment_ms;
    ngx_sluice_ip_acl_t         input_acl;
    ngx_sluice_ip_acl_t         preview_acl;
} ngx_http_sluice_le_fields_t;


/* a string set at creation and never changed */
typedef struct {
    const char                 *name;           /* member */
    const char                 *what;           /* in messages */
    ngx_uint_t                  caseless;
    size_t                    (*make)(u_char *value);   /* a new one */
} ngx_http_sluice_le_fixed_t;


/* what a response needs of an event, copied out under the mutex */
typedef struct {
    u_char                      name[NGX_SLUICE_NAME_LEN + 1];
    ngx_str_t                   json;
    ngx_uint_t                  state;
    ngx_uint_t                  final;          /* state when op is done */
    ngx_uint_t                  op_kind;
    ngx_uint_t                  pending;
    uint64_t                    serial;
    uint64_t                    version;
    u_char                      id[NGX_SLUICE_ID_LEN + 1];
    uint32_t                    generation;
} ngx_http_sluice_le_snap_t;


static ngx_int_t ngx_http_sluice_le_list(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx);
static ngx_int_t ngx_http_sluice_le_get(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx);
static ngx_int_t ngx_http_sluice_le_put(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_uint_t patch);
static ngx_int_t ngx_http_sluice_le_create(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, sluice_json_t *doc,
    ngx_http_sluice_le_fields_t *f, ngx_uint_t autostart);
static ngx_int_t ngx_http_sluice_le_delete(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx);
static ngx_int_t ngx_http_sluice_le_action(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx);
static ngx_int_t ngx_http_sluice_le_oploc(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx);
static ngx_int_t ngx_http_sluice_le_asyncop(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx);

static ngx_int_t ngx_http_sluice_le_build(sluice_alloc_t *a,
    sluice_json_t *in, sluice_json_t *old, ngx_str_t *name,
    ngx_uint_t keep_times, sluice_json_t **out,
    ngx_http_sluice_le_fields_t *f, ngx_http_sluice_res_err_t *err);
static ngx_int_t ngx_http_sluice_le_acl(sluice_alloc_t *a, sluice_json_t *in,
    const char *what, ngx_sluice_ip_acl_t *acl, sluice_json_t *out,
    ngx_http_sluice_res_err_t *err);
static sluice_json_t *ngx_http_sluice_le_render(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_le_snap_t *snap);
static ngx_int_t ngx_http_sluice_le_snap(ngx_pool_t *pool,
    ngx_sluice_event_t *ev, ngx_http_sluice_le_snap_t *snap);
static void ngx_http_sluice_le_apply(ngx_sluice_event_t *ev,
    ngx_http_sluice_le_fields_t *f);
static void ngx_http_sluice_le_persist(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_le_snap_t *snap);
static ngx_int_t ngx_http_sluice_le_lro_headers(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, u_char *name, u_char *op_id,
    ngx_uint_t pending);
static ngx_int_t ngx_http_sluice_le_conflict(ngx_http_request_t *r,
    ngx_str_t *name, const char *what);
static size_t ngx_http_sluice_le_new_token(u_char *token);
static size_t ngx_http_sluice_le_new_locator(u_char *id);


/* ^[a-zA-Z0-9]+(-*[a-zA-Z0-9])*$, 1..32 */
#define ngx_http_sluice_le_name_ok(name)                                     \
    ngx_http_sluice_res_name_valid(name, NGX_SLUICE_NAME_LEN,                \
                                   NGX_HTTP_SLUICE_RT_LIVE_NAME)


static const char  *ngx_http_sluice_le_states[] = {
    "Stopped",
    "Allocating",
    "StandBy",
    "Starting",
    "Running",
    "Stopping",
    "Deleting"
};


static ngx_http_sluice_action_t  ngx_http_sluice_le_actions[] = {

    { ngx_string("allocate"), NGX_SLUICE_OP_ALLOCATE,
      { NGX_SLUICE_STOPPED, NGX_SLUICE_STOPPED },
      NGX_SLUICE_ALLOCATING, NGX_SLUICE_STANDBY, NGX_SLUICE_STANDBY },

    { ngx_string("start"), NGX_SLUICE_OP_START,
      { NGX_SLUICE_STOPPED, NGX_SLUICE_STANDBY },
      NGX_SLUICE_STARTING, NGX_SLUICE_RUNNING, NGX_SLUICE_RUNNING },

    { ngx_string("stop"), NGX_SLUICE_OP_STOP,
      { NGX_SLUICE_RUNNING, NGX_SLUICE_STANDBY },
      NGX_SLUICE_STOPPING, NGX_SLUICE_STOPPED, NGX_SLUICE_STOPPED },

    /* noop: never */
    { ngx_string("reset"), NGX_SLUICE_OP_RESET,
      { NGX_SLUICE_RUNNING, NGX_SLUICE_RUNNING },
      NGX_SLUICE_RUNNING, NGX_SLUICE_RUNNING, NGX_SLUICE_DELETING },

    { ngx_null_string, 0, { 0, 0 }, 0, 0, 0 }
};


static const char  *ngx_http_sluice_le_encodings[] = {
    "None",
    "PassthroughBasic",
    "PassthroughStandard"
};


static ngx_http_sluice_le_fixed_t  ngx_http_sluice_le_token = {
    "accessToken", "properties.input.accessToken", 0,
    ngx_http_sluice_le_new_token
};


static ngx_http_sluice_le_fixed_t  ngx_http_sluice_le_locator = {
    "previewLocator", "properties.preview.previewLocator", 1,
    ngx_http_sluice_le_new_locator
};


ngx_int_t
ngx_http_sluice_live_event_handler(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    switch (ctx->route) {

    case NGX_HTTP_SLUICE_R_LIST:
        if (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)) {
            return ngx_http_sluice_le_list(r, ctx);
        }

        break;

    case NGX_HTTP_SLUICE_R_EVENT:
        if (!ngx_http_sluice_le_name_ok(&ctx->name)) {
            return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                       "InvalidResourceName",
                       "The live event name '%V' is invalid: 1 to 32 "
                       "letters, digits and inner hyphens are allowed.",
                       &ctx->name);
        }

        switch (r->method) {
        case NGX_HTTP_GET:
        case NGX_HTTP_HEAD:
            return ngx_http_sluice_le_get(r, ctx);
        case NGX_HTTP_PUT:
            return ngx_http_sluice_le_put(r, ctx, 0);
        case NGX_HTTP_PATCH:
            return ngx_http_sluice_le_put(r, ctx, 1);
        case NGX_HTTP_DELETE:
            return ngx_http_sluice_le_delete(r, ctx);
        }

        break;

    case NGX_HTTP_SLUICE_R_ACTION:
        if (r->method == NGX_HTTP_POST) {
            return ngx_http_sluice_le_action(r, ctx);
        }

        break;

    case NGX_HTTP_SLUICE_R_OPLOC:
        if (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)) {
            return ngx_http_sluice_le_oploc(r, ctx);
        }

        break;

    case NGX_HTTP_SLUICE_R_ASYNCOP:
        if (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)) {
            return ngx_http_sluice_le_asyncop(r, ctx);
        }

        break;
    }

    return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_ALLOWED,
                                     "MethodNotAllowed",
                                     "The HTTP method '%V' is not allowed "
                                     "on this resource.", &r->method_name);
}


static ngx_int_t
ngx_http_sluice_le_conflict(ngx_http_request_t *r, ngx_str_t *name,
    const char *what)
{
    return ngx_http_sluice_api_error(r, NGX_HTTP_CONFLICT, "Conflict",
                                     "Live event '%V' %s.", name, what);
}


static ngx_int_t
ngx_http_sluice_le_not_found(ngx_http_request_t *r, ngx_str_t *name)
{
    return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                                     "Live event '%V' was not found.", name);
}


/* copy out what a response and a file need; caller holds the mutex */

static ngx_int_t
ngx_http_sluice_le_snap(ngx_pool_t *pool, ngx_sluice_event_t *ev,
    ngx_http_sluice_le_snap_t *snap)
{
    snap->json.data = ngx_pnalloc(pool, ev->json_len);
    if (snap->json.data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(snap->json.data, ev->json, ev->json_len);
    snap->json.len = ev->json_len;

    ngx_memcpy(snap->name, ev->name, sizeof(snap->name));
    ngx_memcpy(snap->id, ev->id, sizeof(snap->id));
    snap->state = ev->state;
    snap->pending = (ev->op != NULL);
    snap->final = ev->op ? ev->op->target : ev->state;
    snap->op_kind = ev->op ? ev->op->kind : 0;
    snap->serial = ev->serial;
    snap->version = ev->version;
    snap->generation = ev->generation;

    return NGX_OK;
}


static void
ngx_http_sluice_le_apply(ngx_sluice_event_t *ev,
    ngx_http_sluice_le_fields_t *f)
{
    ngx_memcpy(ev->token, f->token, sizeof(ev->token));
    ngx_memcpy(ev->preview_locator, f->locator, sizeof(ev->preview_locator));
    ev->encoding = f->encoding;
    ev->fragment_ms = f->fragment_ms;
    ev->input_acl = f->input_acl;
    ev->preview_acl = f->preview_acl;
}


static sluice_json_t *
ngx_http_sluice_le_endpoint(sluice_alloc_t *a, const char *protocol,
    u_char *url, size_t len)
{
    sluice_json_t  *e;

    e = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (e == NULL
        || ngx_http_sluice_res_set(a, e, "protocol",
                                   sluice_json_new_cstring(a, protocol))
        || ngx_http_sluice_res_set(a, e, "url",
                                   sluice_json_new_string(a, url, len)))
    {
        return NULL;
    }

    return e;
}


/* the host of the request without its port */

static ngx_str_t
ngx_http_sluice_le_hostname(ngx_http_request_t *r)
{
    u_char     *p;
    ngx_str_t   host;

    if (r->headers_in.host == NULL) {
        ngx_str_set(&host, "127.0.0.1");
        return host;
    }

    host = r->headers_in.host->value;

    if (host.len && host.data[0] == '[') {
        p = ngx_strlchr(host.data, host.data + host.len, ']');
        if (p) {
            host.len = p + 1 - host.data;
        }

        return host;
    }

    p = ngx_strlchr(host.data, host.data + host.len, ':');
    if (p) {
        host.len = p - host.data;
    }

    return host;
}


static ngx_int_t
ngx_http_sluice_le_endpoints(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, sluice_json_t *props, u_char *token,
    u_char *locator)
{
    u_char                       *p, *url;
    size_t                        len;
    ngx_str_t                    *urls, host, base;
    ngx_uint_t                    i, n;
    sluice_json_t                *input, *preview, *arr, *e;
    sluice_alloc_t               *a;
    ngx_http_sluice_main_conf_t  *smcf;

    a = &ctx->alloc;
    smcf = ctx->conf;

    input = sluice_json_get(props, "input");
    preview = sluice_json_get(props, "preview");

    if (input == NULL || preview == NULL) {
        return NGX_ERROR;
    }

    /* input: {ingest url}/live/{token} for each sluice_ingest_url */

    arr = sluice_json_new(a, SLUICE_JSON_ARRAY);
    if (arr == NULL) {
        return NGX_ERROR;
    }

    host = ngx_http_sluice_le_hostname(r);

    if (smcf->ingest_urls) {
        urls = smcf->ingest_urls->elts;
        n = smcf->ingest_urls->nelts;

    } else {
        urls = &base;
        n = 1;

        base.len = sizeof("rtmp://:1935") - 1 + host.len;
        base.data = ngx_pnalloc(r->pool, base.len);
        if (base.data == NULL) {
            return NGX_ERROR;
        }

        ngx_sprintf(base.data, "rtmp://%V:1935", &host);
    }

    for (i = 0; i < n; i++) {
        len = urls[i].len + sizeof("/live/") - 1 + ngx_strlen(token);
        url = ngx_pnalloc(r->pool, len);
        if (url == NULL) {
            return NGX_ERROR;
        }

        p = ngx_sprintf(url, "%V/live/%s", &urls[i], token);

        e = ngx_http_sluice_le_endpoint(a, "RTMP", url, p - url);
        if (e == NULL) {
            return NGX_ERROR;
        }

        sluice_json_append(arr, e);
    }

    if (ngx_http_sluice_res_set(a, input, "endpoints", arr) != NGX_OK
        || ngx_http_sluice_res_set(a, input, "timedMetadataEndpoints",
                                   sluice_json_new(a, SLUICE_JSON_ARRAY))
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* preview: {preview url}/{locator}/preview.ism/manifest */

    if (smcf->preview_url.len) {
        base = smcf->preview_url;

    } else {
        base.len = sizeof("https://") - 1
                   + (r->headers_in.host ? r->headers_in.host->value.len
                                         : host.len);
        base.data = ngx_pnalloc(r->pool, base.len);
        if (base.data == NULL) {
            return NGX_ERROR;
        }

        base.len = ngx_sprintf(base.data, "%s://%V",
#if (NGX_HTTP_SSL)
                               r->connection->ssl ? "https" : "http",
#else
                               "http",
#endif
                               r->headers_in.host ? &r->headers_in.host->value
                                                  : &host)
                   - base.data;
    }

    len = base.len + 1 + ngx_strlen(locator)
          + sizeof("/preview.ism/manifest") - 1;
    url = ngx_pnalloc(r->pool, len);
    if (url == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(url, "%V/%s/preview.ism/manifest", &base, locator);

    arr = sluice_json_new(a, SLUICE_JSON_ARRAY);
    e = ngx_http_sluice_le_endpoint(a, "FragmentedMP4", url, p - url);
    if (arr == NULL || e == NULL) {
        return NGX_ERROR;
    }

    sluice_json_append(arr, e);

    return ngx_http_sluice_res_set(a, preview, "endpoints", arr);
}


/* the resource as the API returns it */

static sluice_json_t *
ngx_http_sluice_le_render(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_le_snap_t *snap)
{
    u_char          *id, *p, *token, *locator;
    size_t           len;
    const char      *prov;
    sluice_json_t   *doc, *res, *props, *v, *location, *tags;
    sluice_alloc_t  *a;

    a = &ctx->alloc;

    if (sluice_json_parse(a, snap->json.data, snap->json.len, &doc, NULL,
                          NULL)
        != SLUICE_OK)
    {
        return NULL;
    }

    /* detached copies: setting a node relinks it */

    props = sluice_json_get(doc, "properties");
    location = sluice_json_get(doc, "location");
    tags = sluice_json_get(doc, "tags");

    if (props == NULL || location == NULL || tags == NULL) {
        return NULL;
    }

    props = sluice_json_copy(a, props);
    location = sluice_json_copy(a, location);
    tags = sluice_json_copy(a, tags);

    if (props == NULL || location == NULL || tags == NULL) {
        return NULL;
    }

    len = sizeof("/subscriptions//resourceGroups/"
                 "/providers/Microsoft.Media/mediaservices//liveevents/") - 1
          + ctx->subscription.len + ctx->group.len + ctx->account.len
          + NGX_SLUICE_NAME_LEN;

    id = ngx_pnalloc(r->pool, len);
    if (id == NULL) {
        return NULL;
    }

    p = ngx_sprintf(id, "/subscriptions/%V/resourceGroups/%V/providers/"
                    "Microsoft.Media/mediaservices/%V/liveevents/%s",
                    &ctx->subscription, &ctx->group, &ctx->account,
                    snap->name);

    res = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (res == NULL) {
        return NULL;
    }

    prov = ngx_http_sluice_res_provisioning(snap->pending, snap->op_kind,
                                            snap->state == NGX_SLUICE_DELETING);

    v = sluice_json_get(sluice_json_get(props, "input"), "accessToken");
    token = v ? (u_char *) v->str.data : (u_char *) "";
    v = sluice_json_get(sluice_json_get(props, "preview"), "previewLocator");
    locator = v ? (u_char *) v->str.data : (u_char *) "";

    if (ngx_http_sluice_res_set(a, res, "name",
                                sluice_json_new_cstring(a,
                                                   (char *) snap->name))
        || ngx_http_sluice_res_set(a, res, "id",
                                   sluice_json_new_string(a, id, p - id))
        || ngx_http_sluice_res_set(a, res, "type",
                                   sluice_json_new_cstring(a,
                                       "Microsoft.Media/mediaservices/"
                                       "liveevents"))
        || ngx_http_sluice_res_set(a, res, "location", location)
        || ngx_http_sluice_res_set(a, res, "tags", tags)
        || ngx_http_sluice_res_set(a, props, "resourceState",
                                   sluice_json_new_cstring(a,
                                       ngx_http_sluice_le_states[snap->state]))
        || ngx_http_sluice_res_set(a, props, "provisioningState",
                                   sluice_json_new_cstring(a, prov))
        || ngx_http_sluice_le_endpoints(r, ctx, props, token, locator)
        || ngx_http_sluice_res_set(a, res, "properties", props))
    {
        return NULL;
    }

    return res;
}


static ngx_int_t
ngx_http_sluice_le_get(ngx_http_request_t *r, ngx_http_sluice_api_ctx_t *ctx)
{
    ngx_int_t                   rc;
    sluice_json_t              *res;
    ngx_sluice_event_t         *ev;
    ngx_sluice_zone_ctx_t      *zctx;
    ngx_http_sluice_le_snap_t   snap;

    zctx = ngx_http_sluice_res_zone(ctx);

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ev = ngx_sluice_event_by_name(zctx->sh, ctx->name.data, ctx->name.len);

    rc = ev ? ngx_http_sluice_le_snap(r->pool, ev, &snap) : NGX_DECLINED;

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (rc == NGX_DECLINED) {
        return ngx_http_sluice_le_not_found(r, &ctx->name);
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    res = ngx_http_sluice_le_render(r, ctx, &snap);
    if (res == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_sluice_api_send(r, NGX_HTTP_OK, res);
}


static int ngx_libc_cdecl
ngx_http_sluice_le_cmp(const void *one, const void *two)
{
    ngx_sluice_event_t  *a = *(ngx_sluice_event_t **) one;
    ngx_sluice_event_t  *b = *(ngx_sluice_event_t **) two;

    return ngx_strcasecmp(a->name, b->name);
}


static ngx_int_t
ngx_http_sluice_le_list(ngx_http_request_t *r, ngx_http_sluice_api_ctx_t *ctx)
{
    u_char                      *p, *link;
    size_t                       len;
    ngx_int_t                    rc;
    ngx_str_t                    skip;
    ngx_uint_t                   i, n, first, count, more;
    ngx_queue_t                 *q, *next;
    sluice_json_t               *res, *arr, *item;
    ngx_sluice_event_t         **all, *ev;
    ngx_sluice_zone_ctx_t       *zctx;
    ngx_http_sluice_le_snap_t   *snaps;

    if (ngx_http_arg(r, (u_char *) "$skiptoken", sizeof("$skiptoken") - 1,
                     &skip)
        != NGX_OK)
    {
        skip.len = 0;
    }

    if (skip.len > NGX_SLUICE_NAME_LEN) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                                         "BadRequest",
                                         "The $skiptoken is invalid.");
    }

    snaps = ngx_pcalloc(r->pool, NGX_HTTP_SLUICE_PAGE_SIZE
                                 * sizeof(ngx_http_sluice_le_snap_t));
    if (snaps == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    zctx = ngx_http_sluice_res_zone(ctx);
    rc = NGX_OK;
    count = 0;
    more = 0;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    all = ngx_palloc(r->pool, (zctx->sh->nevents + 1) * sizeof(void *));
    if (all == NULL) {
        ngx_shmtx_unlock(&zctx->shpool->mutex);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    n = 0;

    for (q = ngx_queue_head(&zctx->sh->events);
         q != ngx_queue_sentinel(&zctx->sh->events) && n <= zctx->sh->nevents;
         q = next)
    {
        next = ngx_queue_next(q);
        ev = ngx_queue_data(q, ngx_sluice_event_t, queue);

        if (ngx_sluice_event_settle(zctx->sh, ev) == NGX_OK) {
            all[n++] = ev;
        }
    }

    ngx_qsort(all, n, sizeof(void *), ngx_http_sluice_le_cmp);

    for (first = 0; skip.len && first < n; first++) {
        /* names after the token, in order: stable under deletes */
        if (ngx_strncasecmp(all[first]->name, skip.data, skip.len) > 0
            || (ngx_strncasecmp(all[first]->name, skip.data, skip.len) == 0
                && all[first]->name[skip.len] != '\0'))
        {
            break;
        }
    }

    for (i = first; i < n; i++) {
        if (count == NGX_HTTP_SLUICE_PAGE_SIZE) {
            more = 1;
            break;
        }

        rc = ngx_http_sluice_le_snap(r->pool, all[i], &snaps[count++]);
        if (rc != NGX_OK) {
            break;
        }
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    res = sluice_json_new(&ctx->alloc, SLUICE_JSON_OBJECT);
    arr = sluice_json_new(&ctx->alloc, SLUICE_JSON_ARRAY);
    if (res == NULL || arr == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    for (i = 0; i < count; i++) {
        item = ngx_http_sluice_le_render(r, ctx, &snaps[i]);
        if (item == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        sluice_json_append(arr, item);
    }

    if (ngx_http_sluice_res_set(&ctx->alloc, res, "value", arr) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (more) {
        len = ctx->base.len + sizeof("/liveEvents?api-version=&$skiptoken=")
              + ctx->api_version.len + NGX_SLUICE_NAME_LEN;

        link = ngx_pnalloc(r->pool, len);
        if (link == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        p = ngx_sprintf(link, "%V/liveEvents?api-version=%V&$skiptoken=%s",
                        &ctx->base, &ctx->api_version,
                        snaps[count - 1].name);

        if (ngx_http_sluice_res_set(&ctx->alloc, res, "@odata.nextLink",
                                    sluice_json_new_string(&ctx->alloc, link,
                                                           p - link))
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    return ngx_http_sluice_api_send(r, NGX_HTTP_OK, res);
}


static ngx_int_t
ngx_http_sluice_le_put(ngx_http_request_t *r, ngx_http_sluice_api_ctx_t *ctx,
    ngx_uint_t patch)
{
    ngx_int_t                     rc;
    ngx_str_t                     arg, json;
    ngx_uint_t                    autostart;
    sluice_json_t                *old, *in, *doc, *res;
    ngx_sluice_event_t           *ev;
    ngx_sluice_zone_ctx_t        *zctx;
    ngx_http_sluice_res_err_t     err;
    ngx_http_sluice_le_snap_t     snap;
    ngx_http_sluice_le_fields_t   f;

    if (ctx->body == NULL || ctx->body->type != SLUICE_JSON_OBJECT) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                   "InvalidRequestContent",
                   "The request body must be a JSON object describing the "
                   "live event.");
    }

    autostart = 0;

    if (ngx_http_arg(r, (u_char *) "autoStart", sizeof("autoStart") - 1,
                     &arg)
        == NGX_OK)
    {
        if (arg.len == 4 && ngx_strncasecmp(arg.data, (u_char *) "true", 4)
                            == 0)
        {
            autostart = 1;

        } else if (!(arg.len == 5
                     && ngx_strncasecmp(arg.data, (u_char *) "false", 5)
                        == 0))
        {
            return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                       "BadRequest",
                       "The query parameter autoStart must be true or "
                       "false.");
        }
    }

    zctx = ngx_http_sluice_res_zone(ctx);

    /* the current document, if any */

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ev = ngx_sluice_event_by_name(zctx->sh, ctx->name.data, ctx->name.len);

    if (ev == NULL) {
        rc = NGX_DECLINED;

    } else if (ev->op) {
        rc = NGX_BUSY;

    } else {
        rc = ngx_http_sluice_le_snap(r->pool, ev, &snap);
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (rc == NGX_BUSY) {
        return ngx_http_sluice_le_conflict(r, &ctx->name,
                                           "has an operation in progress");
    }

    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    old = NULL;

    if (rc == NGX_OK
        && sluice_json_parse(&ctx->alloc, snap.json.data, snap.json.len,
                             &old, NULL, NULL)
           != SLUICE_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (patch && old == NULL) {
        return ngx_http_sluice_le_not_found(r, &ctx->name);
    }

    in = ctx->body;

    if (patch) {
        in = ngx_http_sluice_res_merge(&ctx->alloc, old, ctx->body);
        if (in == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (old) {
        /* the name keeps the case it was created with */
        ctx->name.len = ngx_strlen(snap.name);
        ctx->name.data = ngx_pnalloc(r->pool, ctx->name.len);
        if (ctx->name.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_memcpy(ctx->name.data, snap.name, ctx->name.len);
    }

    rc = ngx_http_sluice_le_build(&ctx->alloc, in, old, &ctx->name, 0, &doc,
                                  &f, &err);
    if (rc == NGX_DECLINED) {
        return ngx_http_sluice_res_send_err(r, &err);
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (old == NULL) {
        return ngx_http_sluice_le_create(r, ctx, doc, &f, autostart);
    }

    if (ngx_http_sluice_res_json_text(r->pool, doc, &json) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* update */

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ev = ngx_sluice_event_by_name(zctx->sh, ctx->name.data, ctx->name.len);

    if (ev == NULL || ev->serial != snap.serial) {
        rc = NGX_DECLINED;

    } else if (ev->op || ev->version != snap.version) {
        rc = NGX_BUSY;

    } else if (f.fragment_ms != ev->fragment_ms
               && ev->state != NGX_SLUICE_STOPPED)
    {
        rc = NGX_ABORT;

    } else {
        ngx_sluice_zone_begin(zctx->sh, r->connection->log);

        rc = ngx_sluice_event_set_json(zctx->sh, ev, json.data, json.len);

        if (rc == NGX_OK) {
            ngx_http_sluice_le_apply(ev, &f);
            ev->version++;
            rc = ngx_http_sluice_le_snap(r->pool, ev, &snap);
        }

        ngx_sluice_zone_end(zctx->sh);
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    switch (rc) {

    case NGX_OK:
        break;

    case NGX_DECLINED:
        return ngx_http_sluice_le_conflict(r, &ctx->name,
                                           "was deleted meanwhile");

    case NGX_BUSY:
        return ngx_http_sluice_le_conflict(r, &ctx->name,
                                           "was changed by another request "
                                           "or has an operation in progress");

    case NGX_ABORT:
        return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                   "BadRequest",
                   "keyFrameIntervalDuration of live event '%V' can only be "
                   "changed while it is Stopped.", &ctx->name);

    default:
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_sluice_le_persist(r, ctx, &snap);

    res = ngx_http_sluice_le_render(r, ctx, &snap);
    if (res == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_sluice_api_send(r, NGX_HTTP_OK, res);
}


static ngx_int_t
ngx_http_sluice_le_create(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, sluice_json_t *doc,
    ngx_http_sluice_le_fields_t *f, ngx_uint_t autostart)
{
    u_char                      opid[NGX_SLUICE_ID_LEN + 1];
    u_char                      id[NGX_SLUICE_ID_LEN + 1];
    ngx_int_t                   rc;
    ngx_str_t                   json;
    ngx_uint_t                  pending;
    sluice_json_t              *res;
    ngx_sluice_op_t            *op;
    ngx_sluice_shctx_t         *sh;
    ngx_sluice_event_t         *ev;
    ngx_sluice_zone_ctx_t      *zctx;
    ngx_http_sluice_le_snap_t   snap;

    if (ngx_http_sluice_res_json_text(r->pool, doc, &json) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_sluice_new_uuid(id);

    ngx_http_sluice_new_uuid(opid);

    zctx = ngx_http_sluice_res_zone(ctx);
    sh = zctx->sh;
    pending = 0;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ngx_sluice_zone_begin(sh, r->connection->log);

    if (ngx_sluice_event_by_name(sh, ctx->name.data, ctx->name.len)) {
        rc = NGX_BUSY;

    } else if (sh->nevents >= ctx->conf->max_events) {
        rc = NGX_DECLINED;

    } else if (ngx_sluice_event_by_token(sh, f->token,
                                         ngx_strlen(f->token)))
    {
        rc = NGX_ABORT;

    } else if (ngx_sluice_event_by_preview(sh, f->locator,
                                           ngx_strlen(f->locator)))
    {
        rc = NGX_DONE;

    } else {
        rc = NGX_ERROR;

        ev = ngx_sluice_event_alloc(sh);

        if (ev) {
            ngx_memcpy(ev->name, ctx->name.data, ctx->name.len);
            ngx_memcpy(ev->id, id, sizeof(ev->id));
            ngx_http_sluice_le_apply(ev, f);

            if (ngx_sluice_event_set_json(sh, ev, json.data, json.len)
                != NGX_OK)
            {
                ngx_sluice_event_free(sh, ev);
                ev = NULL;
            }
        }

        if (ev) {
            ngx_queue_insert_tail(&sh->events, &ev->queue);
            ngx_sluice_test_crash_point(&zctx->data_path);
            sh->nevents++;
            ev->version = 1;

            op = ngx_sluice_op_start(sh, ev, NGX_SLUICE_OP_CREATE,
                          autostart ? NGX_SLUICE_STARTING : NGX_SLUICE_STOPPED,
                          autostart ? NGX_SLUICE_RUNNING : NGX_SLUICE_STOPPED,
                          autostart ? ctx->conf->transition_time : 0, opid);

            if (op == NULL) {
                ngx_sluice_event_free(sh, ev);

            } else {
                pending = (ev->op != NULL);
                rc = ngx_http_sluice_le_snap(r->pool, ev, &snap);
            }
        }
    }

    ngx_sluice_zone_end(sh);

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    switch (rc) {

    case NGX_OK:
        break;

    case NGX_BUSY:
        return ngx_http_sluice_le_conflict(r, &ctx->name,
                                           "was created by another request");

    case NGX_DECLINED:
        return ngx_http_sluice_api_error(r, NGX_HTTP_CONFLICT,
                   "QuotaExceeded",
                   "The account already has the maximum number of live "
                   "events (%ui).", ctx->conf->max_events);

    case NGX_ABORT:
        return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                   "BadRequest",
                   "The accessToken is already used by another live event.");

    case NGX_DONE:
        return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                   "BadRequest",
                   "The previewLocator is already used by another live "
                   "event.");

    default:
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "sluice: no shared memory for live event \"%V\"",
                      &ctx->name);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_sluice_le_persist(r, ctx, &snap);

    res = ngx_http_sluice_le_render(r, ctx, &snap);
    if (res == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_sluice_le_lro_headers(r, ctx, snap.name, opid, pending)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_sluice_api_send(r, NGX_HTTP_CREATED, res);
}


static ngx_int_t
ngx_http_sluice_le_lro_headers(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, u_char *name, u_char *op_id,
    ngx_uint_t pending)
{
    ngx_str_t  path;

    path.data = ngx_pnalloc(r->pool, sizeof("liveEvents/") - 1
                                     + NGX_SLUICE_NAME_LEN);
    if (path.data == NULL) {
        return NGX_ERROR;
    }

    path.len = ngx_sprintf(path.data, "liveEvents/%s", name) - path.data;

    return ngx_http_sluice_api_lro_headers(r, ctx, "liveEventOperations",
                                           &path, op_id, pending);
}


/*
 * Saves the event as snap shows it.  The file is written outside the
 * mutex, and renamed under it only if the event is still the same one
 * and no newer version was saved meanwhile.
 */

static void
ngx_http_sluice_le_persist(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_le_snap_t *snap)
{
    u_char                 *p;
    uint32_t                gen;
    ngx_str_t               content, tmp;
    ngx_sluice_event_t     *ev;
    ngx_sluice_zone_ctx_t  *zctx;

    zctx = ngx_http_sluice_res_zone(ctx);

    gen = snap->generation;

    if (snap->pending && snap->final == NGX_SLUICE_RUNNING
        && snap->op_kind != NGX_SLUICE_OP_UPDATE)
    {
        gen++;
    }

    content.len = sizeof("{\"sluice\":{\"id\":\"\",\"generation\":,"
                         "\"resourceState\":\"\"},\"resource\":}") - 1
                  + NGX_SLUICE_ID_LEN + NGX_INT32_LEN
                  + sizeof("Allocating") + snap->json.len;

    content.data = ngx_pnalloc(r->pool, content.len);
    if (content.data == NULL) {
        return;
    }

    p = ngx_sprintf(content.data,
                    "{\"sluice\":{\"id\":\"%s\",\"generation\":%uD,"
                    "\"resourceState\":\"%s\"},\"resource\":%V}",
                    snap->id, gen, ngx_http_sluice_le_states[snap->final],
                    &snap->json);

    content.len = p - content.data;

    if (ngx_sluice_store_write(r->pool, r->connection->log,
                               &zctx->data_path, snap->name, &content, &tmp)
        != NGX_OK)
    {
        return;
    }

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ev = ngx_sluice_event_by_name(zctx->sh, snap->name,
                                  ngx_strlen(snap->name));

    if (ev && ev->serial == snap->serial && ev->persisted < snap->version
        && ev->state != NGX_SLUICE_DELETING)
    {
        if (ngx_sluice_store_commit(r->pool, r->connection->log,
                                    &zctx->data_path, snap->name, &tmp)
            == NGX_OK)
        {
            ev->persisted = snap->version;
        }

    } else {
        ngx_sluice_store_discard(r->connection->log, &tmp);
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);
}


static ngx_int_t
ngx_http_sluice_le_delete(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    u_char                  opid[NGX_SLUICE_ID_LEN + 1];
    u_char                  name[NGX_SLUICE_NAME_LEN + 1];
    ngx_int_t               rc;
    ngx_uint_t              state;
    ngx_sluice_op_t        *op;
    ngx_sluice_event_t     *ev;
    ngx_sluice_zone_ctx_t  *zctx;

    ngx_http_sluice_new_uuid(opid);

    zctx = ngx_http_sluice_res_zone(ctx);
    state = NGX_SLUICE_STOPPED;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ev = ngx_sluice_event_by_name(zctx->sh, ctx->name.data, ctx->name.len);

    if (ev == NULL) {
        rc = NGX_DECLINED;

    } else if (ev->op) {
        rc = NGX_BUSY;

    } else if (ev->state != NGX_SLUICE_STOPPED) {
        state = ev->state;
        rc = NGX_ABORT;

    } else {
        ngx_sluice_zone_begin(zctx->sh, r->connection->log);

        ngx_memcpy(name, ev->name, sizeof(name));

        /* its live outputs go (their assets stay) */
        ngx_sluice_live_outputs_remove(zctx->sh, ev->name,
                                       r->connection->log);

        op = ngx_sluice_op_start(zctx->sh, ev, NGX_SLUICE_OP_DELETE,
                                 NGX_SLUICE_DELETING, NGX_SLUICE_DELETING,
                                 ctx->conf->transition_time, opid);

        /* ev is freed when the deletion completed at once */

        if (op == NULL) {
            rc = NGX_ERROR;

        } else {
            rc = NGX_OK;
            (void) ngx_sluice_store_remove(r->pool, r->connection->log,
                                           &zctx->data_path, name);
        }

        ngx_sluice_zone_end(zctx->sh);
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    switch (rc) {

    case NGX_OK:
        break;

    case NGX_DECLINED:
        return ngx_http_sluice_api_send(r, NGX_HTTP_NO_CONTENT, NULL);

    case NGX_BUSY:
        return ngx_http_sluice_le_conflict(r, &ctx->name,
                                           "has an operation in progress");

    case NGX_ABORT:
        return ngx_http_sluice_api_error(r, NGX_HTTP_CONFLICT,
                   "InvalidResourceState",
                   "Live event '%V' is %s: stop it before deleting it.",
                   &ctx->name, ngx_http_sluice_le_states[state]);

    default:
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_sluice_le_lro_headers(r, ctx, name, opid,
                                       ctx->conf->transition_time != 0)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_sluice_api_send(r, NGX_HTTP_ACCEPTED, NULL);
}


static ngx_int_t
ngx_http_sluice_le_action(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    u_char                      opid[NGX_SLUICE_ID_LEN + 1];
    ngx_int_t                   rc;
    ngx_uint_t                  state, keep;
    sluice_json_t              *v;
    ngx_sluice_op_t            *op;
    ngx_sluice_event_t         *ev;
    ngx_sluice_zone_ctx_t      *zctx;
    ngx_http_sluice_le_snap_t   snap;
    ngx_http_sluice_action_t   *act;

    act = ngx_http_sluice_res_action(ngx_http_sluice_le_actions,
                                     &ctx->action);
    if (act == NULL) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "Unknown live event action '%V'.", &ctx->action);
    }

    if (!ngx_http_sluice_le_name_ok(&ctx->name)) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                   "InvalidResourceName",
                   "The live event name '%V' is invalid.", &ctx->name);
    }

    v = NULL;

    if (ctx->body) {
        v = sluice_json_get(ctx->body, "removeOutputsOnStop");

        if (ctx->body->type != SLUICE_JSON_OBJECT
            || (v && v->type != SLUICE_JSON_BOOL
                && v->type != SLUICE_JSON_NULL))
        {
            return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                       "BadRequest",
                       "The body must be an object like "
                       "{\"removeOutputsOnStop\": false}.");
        }
    }

    keep = !(v && v->type == SLUICE_JSON_BOOL && v->boolean);

    ngx_http_sluice_new_uuid(opid);

    zctx = ngx_http_sluice_res_zone(ctx);

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ev = ngx_sluice_event_by_name(zctx->sh, ctx->name.data, ctx->name.len);

    state = NGX_SLUICE_STOPPED;
    rc = NGX_DECLINED;

    if (ev) {
        state = ev->state;
        rc = ngx_http_sluice_res_action_check(act, ev->op, ev->state);
    }

    if (rc == NGX_OK && act->kind == NGX_SLUICE_OP_STOP && keep
        && ngx_sluice_live_outputs_count(zctx->sh, ev->name))
    {
        rc = NGX_AGAIN;
    }

    if (rc == NGX_OK) {
        ngx_sluice_zone_begin(zctx->sh, r->connection->log);

        /* stop (removeOutputsOnStop) and reset end the live outputs */
        if (act->kind == NGX_SLUICE_OP_STOP
            || act->kind == NGX_SLUICE_OP_RESET)
        {
            ngx_sluice_live_outputs_remove(zctx->sh, ev->name,
                                           r->connection->log);
        }

        op = ngx_sluice_op_start(zctx->sh, ev, act->kind, act->state,
                                 act->target, ctx->conf->transition_time,
                                 opid);
        if (op == NULL) {
            rc = NGX_ERROR;

        } else {
            ev->version++;
            rc = ngx_http_sluice_le_snap(r->pool, ev, &snap);
        }

        ngx_sluice_zone_end(zctx->sh);
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    switch (rc) {

    case NGX_OK:
        break;

    case NGX_DECLINED:
        return ngx_http_sluice_le_not_found(r, &ctx->name);

    case NGX_BUSY:
        return ngx_http_sluice_le_conflict(r, &ctx->name,
                                           "has an operation in progress");

    case NGX_DONE:
        /* already there: nothing to do */
        return ngx_http_sluice_api_send(r, NGX_HTTP_OK, NULL);

    case NGX_ABORT:
        return ngx_http_sluice_api_error(r, NGX_HTTP_CONFLICT,
                   "InvalidResourceState",
                   "Live event '%V' is %s: the %V action is not allowed in "
                   "this state.", &ctx->name,
                   ngx_http_sluice_le_states[state], &ctx->action);

    case NGX_AGAIN:
        return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                   "BadRequest",
                   "Live event '%V' has live outputs: delete them first, "
                   "or stop with {\"removeOutputsOnStop\": true}.",
                   &ctx->name);

    default:
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_sluice_le_persist(r, ctx, &snap);

    if (ngx_http_sluice_le_lro_headers(r, ctx, snap.name, opid,
                                       snap.pending)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_sluice_api_send(r, NGX_HTTP_ACCEPTED, NULL);
}


static ngx_int_t
ngx_http_sluice_le_oploc(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    ngx_int_t                   rc;
    ngx_uint_t                  status, kind;
    sluice_json_t              *res;
    ngx_sluice_op_t            *op;
    ngx_sluice_event_t         *ev;
    ngx_sluice_zone_ctx_t      *zctx;
    ngx_http_sluice_le_snap_t   snap;

    zctx = ngx_http_sluice_res_zone(ctx);
    status = NGX_SLUICE_OP_FAILED;
    kind = 0;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    op = ngx_sluice_op_find(zctx->sh, ctx->op.data, ctx->op.len);

    if (op == NULL
        || ngx_strlen(op->event) != ctx->name.len
        || ngx_strncasecmp(op->event, ctx->name.data, ctx->name.len) != 0)
    {
        rc = NGX_DECLINED;

    } else {
        status = op->status;
        kind = op->kind;
        rc = NGX_OK;

        if (status == NGX_SLUICE_OP_SUCCEEDED
            && kind != NGX_SLUICE_OP_DELETE)
        {
            ev = ngx_sluice_event_by_name(zctx->sh, ctx->name.data,
                                          ctx->name.len);

            if (ev == NULL || ev->serial != op->event_serial) {
                rc = NGX_DECLINED;

            } else {
                rc = ngx_http_sluice_le_snap(r->pool, ev, &snap);
            }
        }
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (rc == NGX_DECLINED) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "Operation '%V' of live event '%V' was not found.",
                   &ctx->op, &ctx->name);
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    res = NULL;

    if (status == NGX_SLUICE_OP_SUCCEEDED && kind != NGX_SLUICE_OP_DELETE) {
        res = ngx_http_sluice_le_render(r, ctx, &snap);
        if (res == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    return ngx_http_sluice_res_op_result(r, ctx, status, kind, res);
}


static ngx_int_t
ngx_http_sluice_le_asyncop(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    u_char                  id[NGX_SLUICE_ID_LEN + 1];
    ngx_uint_t              status;
    ngx_sluice_op_t        *op;
    ngx_sluice_zone_ctx_t  *zctx;

    zctx = ngx_http_sluice_res_zone(ctx);
    status = NGX_SLUICE_OP_FAILED;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    op = ngx_sluice_op_find(zctx->sh, ctx->op.data, ctx->op.len);

    if (op) {
        status = op->status;
        ngx_memcpy(id, op->id, sizeof(id));
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (op == NULL) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "Operation '%V' was not found.", &ctx->op);
    }

    return ngx_http_sluice_res_op_status(r, ctx, id, status,
                                         "The live event of this operation "
                                         "went away before it completed.");
}


#define ngx_http_sluice_le_bad(...)                                          \
    ngx_http_sluice_res_bad(err, __VA_ARGS__)

#define ngx_http_sluice_le_put_member(obj, key, val)                         \
    ngx_http_sluice_res_put_member(a, obj, key, val)


/* an optional string or null: copied, or null when absent */

static ngx_int_t
ngx_http_sluice_le_opt_string(sluice_alloc_t *a, sluice_json_t *v,
    const char *what, sluice_json_t **out, ngx_http_sluice_res_err_t *err)
{
    if (ngx_http_sluice_absent(v)) {
        *out = sluice_json_new(a, SLUICE_JSON_NULL);

    } else if (v->type == SLUICE_JSON_STRING) {
        if (v->str.len > 16384) {
            ngx_http_sluice_le_bad("%s is too long.", what);
        }

        *out = sluice_json_new_string(a, v->str.data, v->str.len);

    } else {
        ngx_http_sluice_le_bad("%s must be a string.", what);
    }

    return *out ? NGX_OK : NGX_ERROR;
}


static ngx_int_t
ngx_http_sluice_le_token_ok(sluice_json_t *v)
{
    u_char  c;
    size_t  i;

    if (v->str.len == 0 || v->str.len > NGX_SLUICE_TOKEN_LEN) {
        return 0;
    }

    for (i = 0; i < v->str.len; i++) {
        c = v->str.data[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '-'))
        {
            return 0;
        }
    }

    return 1;
}


/* in.accessControl -> acl; out.accessControl: as stored, when given */

static ngx_int_t
ngx_http_sluice_le_acl(sluice_alloc_t *a, sluice_json_t *in,
    const char *what, ngx_sluice_ip_acl_t *acl, sluice_json_t *out,
    ngx_http_sluice_res_err_t *err)
{
    u_char                 text[NGX_SOCKADDR_STRLEN + 8], *last;
    size_t                 i;
    int64_t                plen;
    ngx_int_t              rc;
    ngx_str_t              s;
    ngx_uint_t             v6;
    ngx_cidr_t             cidr;
    sluice_json_t         *v, *ip, *allow, *e, *nm, *addr, *pl, *arr, *o;

    ngx_memzero(acl, sizeof(ngx_sluice_ip_acl_t));

    v = sluice_json_get(in, "accessControl");

    ip = NULL;
    allow = NULL;

    if (!ngx_http_sluice_absent(v)) {
        if (v->type != SLUICE_JSON_OBJECT) {
            ngx_http_sluice_le_bad("%s must be an object.", what);
        }

        ip = sluice_json_get(v, "ip");

        if (!ngx_http_sluice_absent(ip)) {
            if (ip->type != SLUICE_JSON_OBJECT) {
                ngx_http_sluice_le_bad("%s.ip must be an object.", what);
            }

            allow = sluice_json_get(ip, "allow");
        }
    }

    if (ngx_http_sluice_absent(allow)) {
        acl->allow_all = 1;
        return NGX_OK;
    }

    if (allow->type != SLUICE_JSON_ARRAY) {
        ngx_http_sluice_le_bad("%s.ip.allow must be an array.", what);
    }

    if (allow->count > NGX_SLUICE_MAX_IP_RULES) {
        ngx_http_sluice_le_bad("%s.ip.allow has more than %d entries.", what,
                               NGX_SLUICE_MAX_IP_RULES);
    }

    arr = sluice_json_new(a, SLUICE_JSON_ARRAY);
    if (arr == NULL) {
        return NGX_ERROR;
    }

    for (e = allow->child; e; e = e->next) {
        if (e->type != SLUICE_JSON_OBJECT) {
            ngx_http_sluice_le_bad("%s.ip.allow entries must be objects.",
                                   what);
        }

        nm = sluice_json_get(e, "name");
        addr = sluice_json_get(e, "address");
        pl = sluice_json_get(e, "subnetPrefixLength");

        if (!ngx_http_sluice_absent(nm) && nm->type != SLUICE_JSON_STRING)
        {
            ngx_http_sluice_le_bad("%s.ip.allow[].name must be a string.",
                                   what);
        }

        if (addr == NULL || addr->type != SLUICE_JSON_STRING
            || addr->str.len == 0 || addr->str.len > NGX_SOCKADDR_STRLEN)
        {
            ngx_http_sluice_le_bad("%s.ip.allow[].address must be an IP "
                                   "address.", what);
        }

        v6 = 0;

        for (i = 0; i < addr->str.len; i++) {
            if (addr->str.data[i] == ':') {
                v6 = 1;

            } else if (!(addr->str.data[i] == '.'
                         || (addr->str.data[i] >= '0'
                             && addr->str.data[i] <= '9')
                         || ((addr->str.data[i] | 0x20) >= 'a'
                             && (addr->str.data[i] | 0x20) <= 'f')))
            {
                ngx_http_sluice_le_bad("%s: invalid address \"%s\".", what,
                                       addr->str.data);
            }
        }

        if (ngx_http_sluice_absent(pl)) {
            plen = -1;

        } else if (pl->type == SLUICE_JSON_NUMBER && pl->number >= 0
                   && pl->number <= (v6 ? 128 : 32)
                   && pl->number == (double) (int64_t) pl->number)
        {
            plen = (int64_t) pl->number;

        } else {
            ngx_http_sluice_le_bad("%s: subnetPrefixLength of \"%s\" must "
                                   "be an integer from 0 to %d.", what,
                                   addr->str.data, v6 ? 128 : 32);
        }

        last = ngx_sprintf(text, "%*s/%L", addr->str.len, addr->str.data,
                           plen < 0 ? (int64_t) (v6 ? 128 : 32) : plen);

        s.data = text;
        s.len = last - text;

        rc = ngx_ptocidr(&s, &cidr);

        if (rc == NGX_ERROR) {
            ngx_http_sluice_le_bad("%s: invalid address \"%s\".", what,
                                   addr->str.data);
        }

        if (ngx_http_sluice_res_acl_rule(a, acl, &cidr, arr, nm, addr, plen)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    o = sluice_json_new(a, SLUICE_JSON_OBJECT);
    ip = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (o == NULL || ip == NULL) {
        return NGX_ERROR;
    }

    ngx_http_sluice_le_put_member(ip, "allow", arr);
    ngx_http_sluice_le_put_member(o, "ip", ip);
    ngx_http_sluice_le_put_member(out, "accessControl", o);

    return NGX_OK;
}


static size_t
ngx_http_sluice_le_new_token(u_char *token)
{
    u_char  rnd[16];

    ngx_http_sluice_random(rnd, sizeof(rnd));
    sluice_hex_format(rnd, sizeof(rnd), (char *) token);

    return 2 * sizeof(rnd);
}


static size_t
ngx_http_sluice_le_new_locator(u_char *id)
{
    ngx_http_sluice_new_uuid(id);

    return NGX_SLUICE_ID_LEN;
}


/*
 * A string set at creation and never changed: v (valid, or absent) must
 * equal old when there is one; absent, it is old, or a new one.  It goes
 * to field (size bytes, NUL-padded) and to obj.
 */

static ngx_int_t
ngx_http_sluice_le_fixed(sluice_alloc_t *a, ngx_http_sluice_le_fixed_t *fx,
    sluice_json_t *v, sluice_json_t *old, u_char *field, size_t size,
    sluice_json_t *obj, ngx_http_sluice_res_err_t *err)
{
    ngx_int_t  same;

    if (!ngx_http_sluice_absent(v)) {
        same = old == NULL
               || (old->str.len == v->str.len
                   && (fx->caseless
                       ? ngx_strncasecmp((u_char *) old->str.data,
                                         (u_char *) v->str.data, v->str.len)
                       : ngx_strncmp(old->str.data, v->str.data, v->str.len))
                      == 0);

        if (!same) {
            ngx_http_sluice_le_bad("%s cannot be changed.", fx->what);
        }

    } else if (old) {
        v = old;

    } else {
        v = sluice_json_new_string(a, field, fx->make(field));
        if (v == NULL) {
            return NGX_ERROR;
        }
    }

    ngx_memzero(field, size);
    ngx_memcpy(field, v->str.data, v->str.len);

    ngx_http_sluice_le_put_member(obj, fx->name,
        sluice_json_new_string(a, v->str.data, v->str.len));

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_le_build_input(sluice_alloc_t *a, sluice_json_t *props,
    sluice_json_t *oldp, sluice_json_t *np, ngx_http_sluice_le_fields_t *f,
    ngx_http_sluice_res_err_t *err)
{
    char            dur[SLUICE_ISO8601_DURATION_LEN];
    uint64_t        ms;
    ngx_int_t       rc;
    sluice_json_t  *input, *ni, *v, *old;

    input = sluice_json_get(props, "input");

    if (input == NULL || input->type != SLUICE_JSON_OBJECT) {
        ngx_http_sluice_le_bad("properties.input is required and must be an "
                               "object.");
    }

    v = sluice_json_get(input, "streamingProtocol");

    if (v == NULL || v->type != SLUICE_JSON_STRING) {
        ngx_http_sluice_le_bad("properties.input.streamingProtocol is "
                               "required: RTMP.");
    }

    if (v->str.len == 13
        && ngx_strncasecmp((u_char *) v->str.data, (u_char *) "FragmentedMP4",
                           13) == 0)
    {
        ngx_http_sluice_le_bad("FragmentedMP4 ingest is not supported yet; "
                               "use streamingProtocol RTMP.");
    }

    if (!(v->str.len == 4
          && ngx_strncasecmp((u_char *) v->str.data, (u_char *) "RTMP", 4)
             == 0))
    {
        ngx_http_sluice_le_bad("properties.input.streamingProtocol must be "
                               "RTMP.");
    }

    ni = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (ni == NULL) {
        return NGX_ERROR;
    }

    ngx_http_sluice_le_put_member(ni, "streamingProtocol",
                                  sluice_json_new_cstring(a, "RTMP"));

    /* keyFrameIntervalDuration: the fragment duration */

    v = sluice_json_get(input, "keyFrameIntervalDuration");

    if (ngx_http_sluice_absent(v)
        || (v->type == SLUICE_JSON_STRING && v->str.len == 0))
    {
        ms = 2000;

    } else if (v->type != SLUICE_JSON_STRING
               || sluice_iso8601_duration_parse(v->str.data, v->str.len, &ms)
                  != SLUICE_OK)
    {
        ngx_http_sluice_le_bad("properties.input.keyFrameIntervalDuration "
                               "must be an ISO 8601 duration like PT2S.");

    } else if (ms < NGX_HTTP_SLUICE_MIN_FRAGMENT_MS
               || ms > NGX_HTTP_SLUICE_MAX_FRAGMENT_MS)
    {
        ngx_http_sluice_le_bad("properties.input.keyFrameIntervalDuration "
                               "must be from PT1S to PT20S.");
    }

    f->fragment_ms = (ngx_msec_t) ms;

    ngx_http_sluice_le_put_member(ni, "keyFrameIntervalDuration",
        sluice_json_new_string(a, (uint8_t *) dur,
                               sluice_iso8601_duration_format(ms, dur)));

    /* accessToken: given at creation, or generated; never changed */

    v = sluice_json_get(input, "accessToken");
    old = sluice_json_get(sluice_json_get(oldp, "input"), "accessToken");

    if (!ngx_http_sluice_absent(v)
        && (v->type != SLUICE_JSON_STRING || !ngx_http_sluice_le_token_ok(v)))
    {
        ngx_http_sluice_le_bad("properties.input.accessToken must be 1 to 64 "
                               "letters, digits or hyphens.");
    }

    rc = ngx_http_sluice_le_fixed(a, &ngx_http_sluice_le_token, v, old,
                                  f->token, sizeof(f->token), ni, err);
    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_sluice_le_acl(a, input, "properties.input.accessControl",
                                &f->input_acl, ni, err);
    if (rc != NGX_OK) {
        return rc;
    }

    ngx_http_sluice_le_put_member(np, "input", ni);

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_le_build_preview(sluice_alloc_t *a, sluice_json_t *props,
    sluice_json_t *oldp, sluice_json_t *np, ngx_http_sluice_le_fields_t *f,
    ngx_http_sluice_res_err_t *err)
{
    ngx_int_t       rc;
    sluice_json_t  *preview, *npv, *v, *old, *s;

    preview = sluice_json_get(props, "preview");

    if (!ngx_http_sluice_absent(preview)
        && preview->type != SLUICE_JSON_OBJECT)
    {
        ngx_http_sluice_le_bad("properties.preview must be an object.");
    }

    npv = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (npv == NULL) {
        return NGX_ERROR;
    }

    v = sluice_json_get(preview, "previewLocator");
    old = sluice_json_get(sluice_json_get(oldp, "preview"), "previewLocator");

    if (!ngx_http_sluice_absent(v)
        && (v->type != SLUICE_JSON_STRING
            || !sluice_uuid_valid(v->str.data, v->str.len)))
    {
        ngx_http_sluice_le_bad("properties.preview.previewLocator must be a "
                               "GUID.");
    }

    rc = ngx_http_sluice_le_fixed(a, &ngx_http_sluice_le_locator, v, old,
                                  f->locator, sizeof(f->locator), npv, err);
    if (rc != NGX_OK) {
        return rc;
    }

    if (ngx_http_sluice_le_opt_string(a,
            sluice_json_get(preview, "streamingPolicyName"),
            "properties.preview.streamingPolicyName", &s, err)
        != NGX_OK)
    {
        return err->status ? NGX_DECLINED : NGX_ERROR;
    }

    ngx_http_sluice_le_put_member(npv, "streamingPolicyName", s);

    v = sluice_json_get(preview, "alternativeMediaId");

    if (!ngx_http_sluice_absent(v)) {
        if (ngx_http_sluice_le_opt_string(a, v,
                "properties.preview.alternativeMediaId", &s, err)
            != NGX_OK)
        {
            return err->status ? NGX_DECLINED : NGX_ERROR;
        }

        ngx_http_sluice_le_put_member(npv, "alternativeMediaId", s);
    }

    rc = ngx_http_sluice_le_acl(a, preview,
                                "properties.preview.accessControl",
                                &f->preview_acl, npv, err);
    if (rc != NGX_OK) {
        return rc;
    }

    ngx_http_sluice_le_put_member(np, "preview", npv);

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_le_build_encoding(sluice_alloc_t *a, sluice_json_t *props,
    sluice_json_t *oldp, sluice_json_t *np, ngx_http_sluice_le_fields_t *f,
    ngx_http_sluice_res_err_t *err)
{
    size_t          len;
    ngx_uint_t      i;
    sluice_json_t  *enc, *v, *old, *ne;

    enc = sluice_json_get(props, "encoding");

    if (!ngx_http_sluice_absent(enc) && enc->type != SLUICE_JSON_OBJECT) {
        ngx_http_sluice_le_bad("properties.encoding must be an object.");
    }

    v = sluice_json_get(enc, "encodingType");
    f->encoding = NGX_SLUICE_ENC_NONE;

    if (!ngx_http_sluice_absent(v)) {
        if (v->type != SLUICE_JSON_STRING) {
            ngx_http_sluice_le_bad("properties.encoding.encodingType must be "
                                   "a string.");
        }

        if (sluice_json_str_eq(v, "Standard")
            || sluice_json_str_eq(v, "Premium1080p"))
        {
            ngx_http_sluice_le_bad("live encoding is not supported yet "
                                   "(encodingType %s); use None, "
                                   "PassthroughBasic or PassthroughStandard.",
                                   v->str.data);
        }

        for (i = 0; i < 3; i++) {
            len = ngx_strlen(ngx_http_sluice_le_encodings[i]);

            if (v->str.len == len
                && ngx_strncasecmp((u_char *) v->str.data,
                       (u_char *) ngx_http_sluice_le_encodings[i], len) == 0)
            {
                break;
            }
        }

        if (i == 3) {
            ngx_http_sluice_le_bad("properties.encoding.encodingType must be "
                                   "None, PassthroughBasic or "
                                   "PassthroughStandard.");
        }

        f->encoding = i;
    }

    old = sluice_json_get(sluice_json_get(oldp, "encoding"), "encodingType");

    if (old && !sluice_json_str_eq(old,
                                   ngx_http_sluice_le_encodings[f->encoding]))
    {
        ngx_http_sluice_le_bad("properties.encoding.encodingType cannot be "
                               "changed.");
    }

    v = sluice_json_get(enc, "presetName");

    if (!ngx_http_sluice_absent(v)
        && !(v->type == SLUICE_JSON_STRING && v->str.len == 0))
    {
        ngx_http_sluice_le_bad("properties.encoding.presetName is only valid "
                               "for live encoding, which is not supported.");
    }

    v = sluice_json_get(enc, "keyFrameInterval");

    if (!ngx_http_sluice_absent(v)) {
        ngx_http_sluice_le_bad("properties.encoding.keyFrameInterval cannot "
                               "be set for pass-through live events; use "
                               "input.keyFrameIntervalDuration.");
    }

    v = sluice_json_get(enc, "stretchMode");

    if (!ngx_http_sluice_absent(v) && !sluice_json_str_eq(v, "None")) {
        ngx_http_sluice_le_bad("properties.encoding.stretchMode is only "
                               "valid for live encoding.");
    }

    ne = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (ne == NULL) {
        return NGX_ERROR;
    }

    ngx_http_sluice_le_put_member(ne, "encodingType",
        sluice_json_new_cstring(a, ngx_http_sluice_le_encodings[f->encoding]));
    ngx_http_sluice_le_put_member(ne, "presetName",
                                  sluice_json_new(a, SLUICE_JSON_NULL));
    ngx_http_sluice_le_put_member(np, "encoding", ne);

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_le_build_misc(sluice_alloc_t *a, sluice_json_t *props,
    sluice_json_t *np, ngx_http_sluice_res_err_t *err)
{
    size_t          i;
    sluice_json_t  *v, *o, *s, *arr, *e;

    v = sluice_json_get(props, "transcriptions");

    if (!ngx_http_sluice_absent(v)
        && !(v->type == SLUICE_JSON_ARRAY && v->count == 0))
    {
        ngx_http_sluice_le_bad("live transcriptions are not supported yet.");
    }

    ngx_http_sluice_le_put_member(np, "transcriptions",
                                  sluice_json_new(a, SLUICE_JSON_ARRAY));

    v = sluice_json_get(props, "crossSiteAccessPolicies");

    if (!ngx_http_sluice_absent(v) && v->type != SLUICE_JSON_OBJECT) {
        ngx_http_sluice_le_bad("properties.crossSiteAccessPolicies must be "
                               "an object.");
    }

    o = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (o == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_sluice_le_opt_string(a,
            sluice_json_get(v, "clientAccessPolicy"),
            "properties.crossSiteAccessPolicies.clientAccessPolicy", &s, err)
        != NGX_OK)
    {
        return err->status ? NGX_DECLINED : NGX_ERROR;
    }

    ngx_http_sluice_le_put_member(o, "clientAccessPolicy", s);

    if (ngx_http_sluice_le_opt_string(a,
            sluice_json_get(v, "crossDomainPolicy"),
            "properties.crossSiteAccessPolicies.crossDomainPolicy", &s, err)
        != NGX_OK)
    {
        return err->status ? NGX_DECLINED : NGX_ERROR;
    }

    ngx_http_sluice_le_put_member(o, "crossDomainPolicy", s);
    ngx_http_sluice_le_put_member(np, "crossSiteAccessPolicies", o);

    v = sluice_json_get(props, "useStaticHostname");

    if (!ngx_http_sluice_absent(v) && v->type != SLUICE_JSON_BOOL) {
        ngx_http_sluice_le_bad("properties.useStaticHostname must be a "
                               "boolean.");
    }

    ngx_http_sluice_le_put_member(np, "useStaticHostname",
        sluice_json_new_bool(a, v && v->type == SLUICE_JSON_BOOL
                                && v->boolean));

    v = sluice_json_get(props, "hostnamePrefix");

    if (!ngx_http_sluice_absent(v)) {
        if (v->type != SLUICE_JSON_STRING || v->str.len > 63) {
            ngx_http_sluice_le_bad("properties.hostnamePrefix must be a "
                                   "string of at most 63 characters.");
        }

        for (i = 0; i < v->str.len; i++) {
            if (!(isalnum(v->str.data[i]) || v->str.data[i] == '-')) {
                ngx_http_sluice_le_bad("properties.hostnamePrefix may only "
                                       "hold letters, digits and hyphens.");
            }
        }

        ngx_http_sluice_le_put_member(np, "hostnamePrefix",
            sluice_json_new_string(a, v->str.data, v->str.len));
    }

    v = sluice_json_get(props, "streamOptions");

    arr = sluice_json_new(a, SLUICE_JSON_ARRAY);
    if (arr == NULL) {
        return NGX_ERROR;
    }

    if (!ngx_http_sluice_absent(v)) {
        if (v->type != SLUICE_JSON_ARRAY || v->count > 3) {
            ngx_http_sluice_le_bad("properties.streamOptions must be an "
                                   "array of Default or LowLatency.");
        }

        for (e = v->child; e; e = e->next) {
            if (sluice_json_str_eq(e, "LowLatencyV2")) {
                ngx_http_sluice_le_bad("streamOptions LowLatencyV2 needs "
                                       "live encoding, which is not "
                                       "supported yet.");
            }

            if (!sluice_json_str_eq(e, "Default")
                && !sluice_json_str_eq(e, "LowLatency"))
            {
                ngx_http_sluice_le_bad("properties.streamOptions entries "
                                       "must be Default or LowLatency.");
            }

            s = sluice_json_new_string(a, e->str.data, e->str.len);
            if (s == NULL) {
                return NGX_ERROR;
            }

            sluice_json_append(arr, s);
        }
    }

    ngx_http_sluice_le_put_member(np, "streamOptions", arr);

    return NGX_OK;
}


/*
 * Validates a live event (the body of a PUT, or a PATCH merged onto the
 * stored document, or a stored document at startup) and makes the
 * stored document *out and the fixed fields *f.  old is the stored
 * document of an existing event (for values that cannot change).
 * NGX_DECLINED with *err filled when invalid.
 */

static ngx_int_t
ngx_http_sluice_le_build(sluice_alloc_t *a, sluice_json_t *in,
    sluice_json_t *old, ngx_str_t *name, ngx_uint_t keep_times,
    sluice_json_t **out, ngx_http_sluice_le_fields_t *f,
    ngx_http_sluice_res_err_t *err)
{
    char            now[SLUICE_ISO8601_TIME_LEN];
    size_t          nlen;
    ngx_int_t       rc;
    ngx_time_t     *tp;
    sluice_json_t  *props, *oldp, *doc, *np, *v, *m, *tags, *s;

    err->status = 0;
    ngx_memzero(f, sizeof(ngx_http_sluice_le_fields_t));

    if (in->type != SLUICE_JSON_OBJECT) {
        ngx_http_sluice_le_bad("The live event must be a JSON object.");
    }

    props = sluice_json_get(in, "properties");

    if (props == NULL || props->type != SLUICE_JSON_OBJECT) {
        ngx_http_sluice_le_bad("properties is required and must be an "
                               "object.");
    }

    oldp = sluice_json_get(old, "properties");

    doc = sluice_json_new(a, SLUICE_JSON_OBJECT);
    np = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (doc == NULL || np == NULL) {
        return NGX_ERROR;
    }

    ngx_http_sluice_le_put_member(doc, "name",
                                  sluice_json_new_string(a, name->data,
                                                         name->len));

    v = sluice_json_get(in, "location");

    if (ngx_http_sluice_absent(v)) {
        v = sluice_json_get(old, "location");

        if (v == NULL) {
            ngx_http_sluice_res_fail(err, NGX_HTTP_BAD_REQUEST,
                                     "LocationRequired",
                                     "The location property is required for "
                                     "this definition.");
            return NGX_DECLINED;
        }
    }

    if (v->type != SLUICE_JSON_STRING || v->str.len == 0
        || v->str.len > 128)
    {
        ngx_http_sluice_le_bad("location must be a non-empty string.");
    }

    ngx_http_sluice_le_put_member(doc, "location",
        sluice_json_new_string(a, v->str.data, v->str.len));

    v = sluice_json_get(in, "tags");
    tags = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (tags == NULL) {
        return NGX_ERROR;
    }

    if (!ngx_http_sluice_absent(v)) {
        if (v->type != SLUICE_JSON_OBJECT
            || v->count > NGX_HTTP_SLUICE_MAX_TAGS)
        {
            ngx_http_sluice_le_bad("tags must be an object of at most %d "
                                   "strings.", NGX_HTTP_SLUICE_MAX_TAGS);
        }

        for (m = v->child; m; m = m->next) {
            if (m->type != SLUICE_JSON_STRING || m->key.len > 512
                || m->str.len > 256)
            {
                ngx_http_sluice_le_bad("tag values must be strings (names "
                                       "up to 512, values up to 256 "
                                       "characters).");
            }

            s = sluice_json_copy(a, m);
            if (s == NULL) {
                return NGX_ERROR;
            }

            sluice_json_append(tags, s);
        }
    }

    ngx_http_sluice_le_put_member(doc, "tags", tags);

    if (ngx_http_sluice_le_opt_string(a, sluice_json_get(props, "description"),
                                      "properties.description", &s, err)
        != NGX_OK)
    {
        return err->status ? NGX_DECLINED : NGX_ERROR;
    }

    if (s->type == SLUICE_JSON_NULL) {
        s = sluice_json_new_cstring(a, "");
    }

    ngx_http_sluice_le_put_member(np, "description", s);

    rc = ngx_http_sluice_le_build_input(a, props, oldp, np, f, err);
    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_sluice_le_build_preview(a, props, oldp, np, f, err);
    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_sluice_le_build_encoding(a, props, oldp, np, f, err);
    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_sluice_le_build_misc(a, props, np, err);
    if (rc != NGX_OK) {
        return rc;
    }

    tp = ngx_timeofday();
    nlen = sluice_iso8601_time_format(tp->sec, tp->msec, now);

    v = sluice_json_get(oldp, "created");

    ngx_http_sluice_le_put_member(np, "created",
        v && v->type == SLUICE_JSON_STRING
        ? sluice_json_new_string(a, v->str.data, v->str.len)
        : sluice_json_new_string(a, (uint8_t *) now, nlen));

    v = sluice_json_get(oldp, "lastModified");

    ngx_http_sluice_le_put_member(np, "lastModified",
        keep_times && v && v->type == SLUICE_JSON_STRING
        ? sluice_json_new_string(a, v->str.data, v->str.len)
        : sluice_json_new_string(a, (uint8_t *) now, nlen));

    ngx_http_sluice_le_put_member(doc, "properties", np);

    *out = doc;

    return NGX_OK;
}


ngx_int_t
ngx_http_sluice_live_event_load(ngx_sluice_zone_ctx_t *zctx, u_char *data,
    size_t len, ngx_pool_t *pool, ngx_log_t *log)
{
    ngx_int_t                     rc;
    ngx_str_t                     name, json;
    ngx_uint_t                    state, i;
    sluice_json_t                *root, *meta, *res, *doc, *v;
    sluice_alloc_t                a;
    ngx_sluice_shctx_t           *sh;
    ngx_sluice_event_t           *ev;
    ngx_http_sluice_res_err_t     err;
    ngx_http_sluice_le_fields_t   f;

    ngx_http_sluice_pool_alloc(&a, pool);

    if (sluice_json_parse(&a, data, len, &root, NULL, NULL) != SLUICE_OK) {
        return NGX_DECLINED;
    }

    meta = sluice_json_get(root, "sluice");
    res = sluice_json_get(root, "resource");
    v = sluice_json_get(res, "name");

    if (meta == NULL || meta->type != SLUICE_JSON_OBJECT
        || res == NULL || v == NULL || v->type != SLUICE_JSON_STRING)
    {
        return NGX_DECLINED;
    }

    name.data = (u_char *) v->str.data;
    name.len = v->str.len;

    if (!ngx_http_sluice_le_name_ok(&name)) {
        return NGX_DECLINED;
    }

    rc = ngx_http_sluice_le_build(&a, res, res, &name, 1, &doc, &f, &err);

    if (rc == NGX_DECLINED) {
        ngx_log_error(NGX_LOG_ALERT, log, 0,
                      "sluice: live event \"%V\": %*s", &name, err.len,
                      err.msg);
        return NGX_DECLINED;
    }

    if (rc != NGX_OK) {
        return NGX_ERROR;
    }

    /* transitions in flight complete: an event that ran, runs again */

    state = NGX_SLUICE_STOPPED;
    v = sluice_json_get(meta, "resourceState");

    for (i = 0; v && i < sizeof(ngx_http_sluice_le_states) / sizeof(char *);
         i++)
    {
        if (sluice_json_str_eq(v, ngx_http_sluice_le_states[i])) {
            state = i;
        }
    }

    switch (state) {
    case NGX_SLUICE_ALLOCATING:
        state = NGX_SLUICE_STANDBY;
        break;
    case NGX_SLUICE_STARTING:
        state = NGX_SLUICE_RUNNING;
        break;
    case NGX_SLUICE_STOPPING:
        state = NGX_SLUICE_STOPPED;
        break;
    case NGX_SLUICE_DELETING:
        return NGX_DECLINED;
    }

    if (ngx_http_sluice_res_json_text(pool, doc, &json) != NGX_OK) {
        return NGX_ERROR;
    }

    sh = zctx->sh;
    rc = NGX_DECLINED;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    if (ngx_sluice_event_by_name(sh, name.data, name.len) == NULL
        && ngx_sluice_event_by_token(sh, f.token, ngx_strlen(f.token)) == NULL
        && ngx_sluice_event_by_preview(sh, f.locator, ngx_strlen(f.locator))
           == NULL)
    {
        ev = ngx_sluice_event_alloc(sh);

        if (ev == NULL
            || ngx_sluice_event_set_json(sh, ev, json.data, json.len)
               != NGX_OK)
        {
            if (ev) {
                ngx_sluice_event_free(sh, ev);
            }

            rc = NGX_ERROR;

        } else {
            ngx_memcpy(ev->name, name.data, name.len);
            ngx_http_sluice_le_apply(ev, &f);

            v = sluice_json_get(meta, "id");

            if (v && v->type == SLUICE_JSON_STRING
                && sluice_uuid_valid(v->str.data, v->str.len))
            {
                ngx_memcpy(ev->id, v->str.data, NGX_SLUICE_ID_LEN);

            } else {
                ngx_http_sluice_new_uuid(ev->id);
            }

            /* a fresh zone has no fragments: start a new generation */

            v = sluice_json_get(meta, "generation");

            if (v && v->type == SLUICE_JSON_NUMBER && v->number >= 0
                && v->number < 4294967295.0)
            {
                ev->generation = (uint32_t) v->number + 1;
            }

            ev->state = state;
            ev->version = 1;
            ev->persisted = 1;

            ngx_queue_insert_tail(&sh->events, &ev->queue);
            sh->nevents++;

            rc = NGX_OK;
        }
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (rc == NGX_DECLINED) {
        ngx_log_error(NGX_LOG_ALERT, log, 0,
                      "sluice: live event \"%V\" duplicates another one, "
                      "skipped", &name);
    }

    return rc;
}
