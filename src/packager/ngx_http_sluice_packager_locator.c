
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Streaming locators and streaming endpoints (the AMS resource model):
 *
 *   /{streamingLocatorId}/{manifestName}.ism/{tail}
 *       the streaming endpoint of the request (below) must be running and
 *       allow the client address (else 404, 403); then the locator by
 *       id, within its startTime and endTime (else 404), its asset,
 *       whose manifestName (of the live output that recorded it) must be
 *       the one of the URL, case-insensitive (else 404, as AMS answers
 *       for a name the asset has no .ism of), and its streaming policy
 *       must enable the protocol of the request (else 404).  The asset
 *       is live while a live output records into it and that output's
 *       live event is Running (DVR window: the output's rewind window,
 *       else its archive window); otherwise it is video on demand.
 *
 *   /crossdomain.xml, /clientaccesspolicy.xml
 *       crossSiteAccessPolicies of the request's streaming endpoint
 *       (404 when not set or the endpoint is not running).
 *
 * The streaming endpoint of a request: the one whose customHostNames has
 * the request's Host, else the one named "default"; none: 404.  Every
 * endpoint is served by this nginx (their hostName is the same), so
 * custom host names are what tells them apart.  The preview is not
 * governed by streaming endpoints.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "packager/ngx_http_sluice_packager_locator.h"
#include "packager/ngx_http_sluice_packager_module.h"
#include "packager/ngx_http_sluice_packager_manifest.h"
#include "packager/ngx_http_sluice_packager_asset.h"
#include "packager/ngx_http_sluice_packager_encryption.h"
#include "packager/ngx_http_sluice_packager_filter.h"
#include "packager/ngx_http_sluice_packager_ll.h"
#include "packager/ngx_http_sluice_packager_segment.h"
#include "core/ngx_sluice_zone.h"
#include "core/ngx_sluice_resource.h"
#include "util/sluice_base64.h"
#include "util/sluice_g2o.h"
#include "util/sluice_json.h"


#define NGX_HTTP_SLUICE_MAX_ENDPOINTS  64


/* what a request needs of a streaming endpoint, copied under the mutex */
typedef struct {
    ngx_uint_t                   state;
    ngx_int_t                    max_cache_age;
    ngx_uint_t                   is_default;
    ngx_str_t                    json;      /* when it may be the one */
    ngx_sluice_ip_acl_t          acl;
} ngx_http_sluice_se_t;


static ngx_int_t ngx_http_sluice_endpoint_find(ngx_http_sluice_pkg_t *pkg,
    ngx_http_sluice_se_t **found);
static ngx_int_t ngx_http_sluice_endpoint_has_host(
    ngx_http_sluice_pkg_t *pkg, ngx_http_sluice_se_t *se, ngx_str_t *host);
static sluice_json_t *ngx_http_sluice_endpoint_props(
    ngx_http_sluice_pkg_t *pkg, ngx_http_sluice_se_t *se);
static ngx_int_t ngx_http_sluice_endpoint(ngx_http_sluice_pkg_t *pkg,
    ngx_http_sluice_se_t **found);
static ngx_int_t ngx_http_sluice_endpoint_akamai(ngx_http_sluice_pkg_t *pkg,
    ngx_http_sluice_se_t *se);
static ngx_int_t ngx_http_sluice_akamai_keys(ngx_http_sluice_pkg_t *pkg,
    sluice_json_t *list, sluice_g2o_key_t *keys, size_t *n);
static ngx_str_t *ngx_http_sluice_header(ngx_http_request_t *r,
    const char *name);
static ngx_int_t ngx_http_sluice_locator_collect(ngx_http_sluice_pkg_t *pkg);
static ngx_int_t ngx_http_sluice_locator_unsynced(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_event_t *ev);
static ngx_uint_t ngx_http_sluice_locator_fed(ngx_sluice_event_t *ev,
    ngx_sluice_track_t *tr);
#if (NGX_THREADS)
static ngx_int_t ngx_http_sluice_asset_post(ngx_http_sluice_pkg_t *pkg);
static void ngx_http_sluice_asset_thread(void *data, ngx_log_t *log);
static void ngx_http_sluice_asset_resume(ngx_http_request_t *r);
static void ngx_http_sluice_asset_pool_cleanup(void *data);


typedef struct {
    ngx_http_sluice_pkg_t       *pkg;
    ngx_int_t                    rc;
} ngx_http_sluice_asset_task_t;
#endif


/*
 * The endpoint of the request: NGX_OK (*found set) or NGX_DECLINED with
 * pkg->status and pkg->reason.  Checks its state and address list.
 */

static ngx_int_t
ngx_http_sluice_endpoint(ngx_http_sluice_pkg_t *pkg,
    ngx_http_sluice_se_t **found)
{
    ngx_int_t              rc;
    ngx_http_sluice_se_t  *se;

    rc = ngx_http_sluice_endpoint_find(pkg, &se);
    if (rc != NGX_OK) {
        return rc;
    }

    pkg->status = NGX_HTTP_NOT_FOUND;

    if (se == NULL) {
        pkg->reason = "no streaming endpoint";
        return NGX_DECLINED;
    }

    if (se->state != NGX_SLUICE_SE_RUNNING
        && se->state != NGX_SLUICE_SE_SCALING)
    {
        pkg->reason = "streaming endpoint not running";
        return NGX_DECLINED;
    }

    if (ngx_sluice_ip_allowed(&se->acl, pkg->request->connection->sockaddr)
        != NGX_OK)
    {
        pkg->status = NGX_HTTP_FORBIDDEN;
        pkg->reason = "client address not allowed";
        return NGX_DECLINED;
    }

    rc = ngx_http_sluice_endpoint_akamai(pkg, se);
    if (rc != NGX_OK) {
        return rc;
    }

    pkg->max_age = se->max_cache_age;
    *found = se;

    return NGX_OK;
}


/*
 * accessControl.akamai: with at least one key, a request must carry the
 * Akamai signature headers (util/sluice_g2o.h), signed by one of them;
 * otherwise 403.  NGX_OK, NGX_DECLINED (pkg->status set) or NGX_ERROR.
 */

static ngx_int_t
ngx_http_sluice_endpoint_akamai(ngx_http_sluice_pkg_t *pkg,
    ngx_http_sluice_se_t *se)
{
    size_t               n;
    ngx_str_t           *data, *sign, path;
    const char          *reason;
    sluice_json_t       *props, *list;
    sluice_g2o_key_t    *keys;
    ngx_http_request_t  *r;

    static u_char  member[] = "akamaiSignatureHeaderAuthenticationKeyList";

    if (se->json.len == 0
        || ngx_strlcasestrn(se->json.data, se->json.data + se->json.len,
                            member, sizeof(member) - 2)
           == NULL)
    {
        return NGX_OK;
    }

    r = pkg->request;

    props = ngx_http_sluice_endpoint_props(pkg, se);
    list = sluice_json_get(sluice_json_get(sluice_json_get(props,
                                                           "accessControl"),
                                           "akamai"),
                           (char *) member);

    if (list == NULL || list->type != SLUICE_JSON_ARRAY || list->count == 0) {
        return NGX_OK;
    }

    keys = ngx_palloc(r->pool, list->count * sizeof(sluice_g2o_key_t));
    if (keys == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_sluice_akamai_keys(pkg, list, keys, &n) != NGX_OK) {
        return NGX_ERROR;
    }

    data = ngx_http_sluice_header(r, "X-Akamai-G2O-Auth-Data");
    sign = ngx_http_sluice_header(r, "X-Akamai-G2O-Auth-Sign");

    /* the path and query as sent: what the edge signed */

    path = r->unparsed_uri;

    if (data == NULL || sign == NULL) {
        reason = "no Akamai signature headers";

    } else if (sluice_g2o_verify(data->data, data->len, sign->data,
                                 sign->len, path.data, path.len, keys, n,
                                 (int64_t) ngx_time(), &reason)
               == SLUICE_OK)
    {
        return NGX_OK;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "sluice packager: refused by accessControl.akamai: %s",
                  reason);

    pkg->status = NGX_HTTP_FORBIDDEN;
    pkg->reason = "Akamai signature required";

    return NGX_DECLINED;
}


/* the usable keys of the list: decoded, their expiration in seconds */

static ngx_int_t
ngx_http_sluice_akamai_keys(ngx_http_sluice_pkg_t *pkg, sluice_json_t *list,
    sluice_g2o_key_t *keys, size_t *n)
{
    u_char            *key;
    size_t             len;
    sluice_json_t     *k, *id, *b64, *exp;
    sluice_g2o_key_t  *g;

    *n = 0;

    for (k = list->child; k; k = k->next) {
        id = sluice_json_get(k, "identifier");
        b64 = sluice_json_get(k, "base64Key");
        exp = sluice_json_get(k, "expiration");

        if (id == NULL || id->type != SLUICE_JSON_STRING
            || b64 == NULL || b64->type != SLUICE_JSON_STRING)
        {
            continue;
        }

        key = ngx_pnalloc(pkg->request->pool,
                          sluice_base64_decoded_len(b64->str.len) + 1);
        if (key == NULL) {
            return NGX_ERROR;
        }

        g = &keys[*n];

        if (sluice_base64_decode(b64->str.data, b64->str.len, key, &len, 0)
            != SLUICE_OK)
        {
            continue;
        }

        g->id = id->str.data;
        g->id_len = id->str.len;
        g->key = key;
        g->key_len = len;
        g->expires = 0;

        if (exp && exp->type == SLUICE_JSON_STRING
            && sluice_g2o_time(exp->str.data, exp->str.len, &g->expires)
               != SLUICE_OK)
        {
            continue;
        }

        (*n)++;
    }

    return NGX_OK;
}


static ngx_str_t *
ngx_http_sluice_header(ngx_http_request_t *r, const char *name)
{
    size_t            len;
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    len = ngx_strlen(name);
    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                return NULL;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len == len
            && ngx_strncasecmp(h[i].key.data, (u_char *) name, len) == 0)
        {
            return &h[i].value;
        }
    }
}


static ngx_int_t
ngx_http_sluice_endpoint_find(ngx_http_sluice_pkg_t *pkg,
    ngx_http_sluice_se_t **found)
{
    u_char                 *data;
    size_t                  len;
    ngx_str_t               host;
    ngx_uint_t              i, n, max, hit;
    ngx_pool_t             *pool;
    ngx_sluice_res_t       *res;
    ngx_slab_pool_t        *shpool;
    ngx_http_sluice_se_t   *ses, *se, *def;

    pool = pkg->request->pool;
    host = pkg->request->headers_in.server;
    shpool = pkg->zctx->shpool;
    n = 0;

    /* at most the number seen now: the array is allocated outside the lock */

    ngx_shmtx_lock(&shpool->mutex);
    max = ngx_sluice_res_count(pkg->zctx->sh,
                               NGX_SLUICE_RES_STREAMING_ENDPOINT);
    ngx_shmtx_unlock(&shpool->mutex);

    max = ngx_min(max, NGX_HTTP_SLUICE_MAX_ENDPOINTS);

    if (max == 0) {
        *found = NULL;
        return NGX_OK;
    }

    ses = ngx_pcalloc(pool, max * sizeof(ngx_http_sluice_se_t));
    if (ses == NULL) {
        return NGX_ERROR;
    }

    ngx_shmtx_lock(&shpool->mutex);

    for (res = ngx_sluice_res_next(pkg->zctx->sh,
                                   NGX_SLUICE_RES_STREAMING_ENDPOINT, NULL);
         res && n < max;
         res = ngx_sluice_res_next(pkg->zctx->sh,
                                   NGX_SLUICE_RES_STREAMING_ENDPOINT, res))
    {
        se = &ses[n++];

        se->state = res->state;
        se->max_cache_age = res->f.max_cache_age;
        se->acl = res->f.acl;
        se->is_default = (ngx_strcasecmp(res->name, (u_char *) "default")
                          == 0);

        data = res->json;
        len = res->json_len;

        hit = (data && host.len
               && ngx_strlcasestrn(data, data + len, host.data,
                                   host.len - 1)
                  != NULL);

        if (data && (se->is_default || hit)) {
            se->json.data = ngx_pnalloc(pool, len);
            if (se->json.data == NULL) {
                ngx_shmtx_unlock(&shpool->mutex);
                return NGX_ERROR;
            }

            ngx_memcpy(se->json.data, data, len);
            se->json.len = len;
        }
    }

    ngx_shmtx_unlock(&shpool->mutex);

    /* outside the lock: customHostNames of the candidates */

    def = NULL;

    for (i = 0; i < n; i++) {
        se = &ses[i];

        if (se->is_default && def == NULL) {
            def = se;
        }

        if (se->json.len && host.len
            && ngx_http_sluice_endpoint_has_host(pkg, se, &host) == NGX_OK)
        {
            *found = se;
            return NGX_OK;
        }
    }

    *found = def;

    return NGX_OK;
}


static sluice_json_t *
ngx_http_sluice_endpoint_props(ngx_http_sluice_pkg_t *pkg,
    ngx_http_sluice_se_t *se)
{
    sluice_json_t  *doc, *props;

    if (se->json.len == 0
        || sluice_json_parse(&pkg->alloc, se->json.data, se->json.len, &doc,
                             NULL, NULL)
           != SLUICE_OK)
    {
        return NULL;
    }

    props = sluice_json_get(doc, "properties");

    return props ? props : doc;
}


static ngx_int_t
ngx_http_sluice_endpoint_has_host(ngx_http_sluice_pkg_t *pkg,
    ngx_http_sluice_se_t *se, ngx_str_t *host)
{
    sluice_json_t  *props, *v, *e;

    props = ngx_http_sluice_endpoint_props(pkg, se);
    if (props == NULL) {
        return NGX_DECLINED;
    }

    v = sluice_json_get(props, "customHostNames");
    if (v == NULL || v->type != SLUICE_JSON_ARRAY) {
        return NGX_DECLINED;
    }

    for (e = v->child; e; e = e->next) {
        if (e->type == SLUICE_JSON_STRING && e->str.len == host->len
            && ngx_strncasecmp((u_char *) e->str.data, host->data, host->len)
               == 0)
        {
            return NGX_OK;
        }
    }

    return NGX_DECLINED;
}


/* /crossdomain.xml and /clientaccesspolicy.xml */

ngx_int_t
ngx_http_sluice_packager_policy_file(ngx_http_sluice_pkg_t *pkg,
    const char *member)
{
    time_t                 max_age;
    ngx_buf_t             *b;
    ngx_str_t              type;
    sluice_json_t         *props, *v;
    ngx_http_sluice_se_t  *se;

    if (ngx_http_sluice_endpoint(pkg, &se) != NGX_OK) {
        return ngx_http_sluice_packager_error(pkg->request, pkg->status,
                                              pkg->reason);
    }

    props = ngx_http_sluice_endpoint_props(pkg, se);
    v = props ? sluice_json_get(props, "crossSiteAccessPolicies") : NULL;
    v = v ? sluice_json_get(v, member) : NULL;

    if (v == NULL || v->type != SLUICE_JSON_STRING || v->str.len == 0) {
        return ngx_http_sluice_packager_error(pkg->request,
                                              NGX_HTTP_NOT_FOUND,
                                              "no such policy");
    }

    b = ngx_calloc_buf(pkg->request->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->pos = (u_char *) v->str.data;
    b->last = b->pos + v->str.len;
    b->start = b->pos;
    b->end = b->last;
    b->memory = 1;

    ngx_str_set(&type, "text/xml");

    max_age = (se->max_cache_age >= 0) ? (time_t) se->max_cache_age : 3600;

    return ngx_http_sluice_packager_send(pkg->request, &type, b, max_age);
}


/*
 * The resolver of streaming locators (any manifest name): endpoint,
 * locator, asset, then the asset's files read outside the lock.
 */

ngx_int_t
ngx_http_sluice_packager_resolve_locator(ngx_http_sluice_pkg_t *pkg)
{
    ngx_int_t                  rc;
    ngx_http_sluice_se_t      *se;
#if (NGX_THREADS)
    ngx_http_core_loc_conf_t  *clcf;
#endif

    pkg->max_age = -1;

    rc = ngx_http_sluice_endpoint(pkg, &se);
    if (rc != NGX_OK) {
        return rc;
    }

    pkg->status = NGX_HTTP_NOT_FOUND;

    rc = ngx_http_sluice_locator_collect(pkg);
    if (rc != NGX_OK) {
        return rc;
    }

    if (pkg->ll_live) {
        /* low latency: the event's files, no asset to read */
        return NGX_OK;
    }

#if (NGX_THREADS)
    clcf = ngx_http_get_module_loc_conf(pkg->request, ngx_http_core_module);

    if (clcf->aio == NGX_HTTP_AIO_THREADS) {
        return ngx_http_sluice_asset_post(pkg);
    }
#endif

    return ngx_http_sluice_asset_read(pkg);
}


#if (NGX_THREADS)

/*
 * The asset's files are read by a thread of the location's pool, with a
 * pool of its own (the request's is not touched meanwhile); the request
 * is blocked until the thread is done, then ngx_http_sluice_asset_resume()
 * responds.
 */

static ngx_int_t
ngx_http_sluice_asset_post(ngx_http_sluice_pkg_t *pkg)
{
    ngx_pool_t                      *pool;
    ngx_thread_task_t               *task;
    ngx_pool_cleanup_t              *cln;
    ngx_http_request_t              *r;
    ngx_http_sluice_asset_task_t    *at;
    ngx_http_sluice_packager_ctx_t  *pctx;

    r = pkg->request;

    pctx = ngx_http_sluice_packager_ctx(r);
    if (pctx == NULL) {
        return NGX_ERROR;
    }

    pool = ngx_create_pool(4096, r->connection->log);
    if (pool == NULL) {
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        ngx_destroy_pool(pool);
        return NGX_ERROR;
    }

    cln->handler = ngx_http_sluice_asset_pool_cleanup;
    cln->data = pool;

    task = ngx_thread_task_alloc(r->pool,
                                 sizeof(ngx_http_sluice_asset_task_t));
    if (task == NULL) {
        return NGX_ERROR;
    }

    at = task->ctx;
    at->pkg = pkg;
    at->rc = NGX_ERROR;

    pkg->apool = pool;

    task->handler = ngx_http_sluice_asset_thread;

    if (ngx_http_sluice_packager_thread_post(r, task) != NGX_OK) {
        pkg->apool = r->pool;
        return NGX_ERROR;
    }

    ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "sluice packager: asset read in a thread");

    r->write_event_handler = ngx_http_sluice_asset_resume;
    pctx->asset = at;

    return NGX_DONE;
}


static void
ngx_http_sluice_asset_thread(void *data, ngx_log_t *log)
{
    ngx_http_sluice_asset_task_t  *at = data;

    at->rc = ngx_http_sluice_asset_read(at->pkg);
}


static void
ngx_http_sluice_asset_resume(ngx_http_request_t *r)
{
    ngx_int_t                      rc;
    ngx_http_sluice_asset_task_t  *at;

    if (r->aio) {
        /* the thread still reads */
        return;
    }

    at = ((ngx_http_sluice_packager_ctx_t *)
          ngx_http_get_module_ctx(r, ngx_http_sluice_packager_module))->asset;

    r->write_event_handler = ngx_http_request_empty_handler;

    rc = ngx_http_sluice_packager_respond(at->pkg, at->rc);

    ngx_http_finalize_request(r, rc);
}


static void
ngx_http_sluice_asset_pool_cleanup(void *data)
{
    ngx_destroy_pool(data);
}

#endif


/* under the mutex: the locator, its asset, policy, output and event */

static ngx_int_t
ngx_http_sluice_locator_collect(ngx_http_sluice_pkg_t *pkg)
{
    int64_t                 now;
    ngx_int_t               rc;
    ngx_sluice_res_t       *loc, *asset, *policy, *out;
    ngx_slab_pool_t        *shpool;
    ngx_sluice_event_t     *ev;
    ngx_sluice_shctx_t     *sh;

    sh = pkg->zctx->sh;
    shpool = pkg->zctx->shpool;
    now = (int64_t) ngx_sluice_now_ms();
    rc = NGX_DECLINED;

    ngx_shmtx_lock(&shpool->mutex);

    loc = ngx_sluice_locator_by_id(sh, pkg->locator.data, pkg->locator.len);

    if (loc == NULL) {
        pkg->reason = "unknown locator";
        goto done;
    }

    if (now < loc->f.start_ms || now >= loc->f.end_ms) {
        pkg->reason = "streaming locator not active";
        goto done;
    }

    asset = ngx_sluice_res_find(sh, NGX_SLUICE_RES_ASSET, NULL, loc->f.asset,
                                ngx_strlen(loc->f.asset));
    if (asset == NULL) {
        pkg->reason = "unknown asset";
        goto done;
    }

    if (asset->f.manifest[0] == '\0'
        || ngx_strlen(asset->f.manifest) != pkg->name.len
        || ngx_strncasecmp(asset->f.manifest, pkg->name.data, pkg->name.len)
           != 0)
    {
        pkg->reason = "unknown manifest name";
        goto done;
    }

    policy = ngx_sluice_res_find(sh, NGX_SLUICE_RES_STREAMING_POLICY, NULL,
                                 loc->f.policy, ngx_strlen(loc->f.policy));

    if (policy == NULL) {
        pkg->reason = "unknown streaming policy";
        goto done;
    }

    if (ngx_http_sluice_packager_enc_select(pkg, loc, policy) != NGX_OK) {
        goto done;
    }

    rc = ngx_http_sluice_packager_filter_copy(pkg, loc, asset);
    if (rc != NGX_OK) {
        goto done;
    }

    rc = NGX_DECLINED;

    ngx_memcpy(pkg->asset_id, asset->f.id, NGX_SLUICE_ID_LEN + 1);

    out = ngx_sluice_live_output_by_asset(sh, asset->name,
                                          ngx_strlen(asset->name));

    ev = asset->f.event[0]
         ? ngx_sluice_event_by_name(sh, asset->f.event,
                                    ngx_strlen(asset->f.event))
         : NULL;

    pkg->final = (out == NULL);
    pkg->per_segment = ngx_max(asset->f.fragments_per_ts, 1);

    if (ev) {
        pkg->fragment_ms = ev->fragment_ms;
    }

    if (out) {
        pkg->per_segment = ngx_max(out->f.fragments_per_ts, 1);
    }

    if (out && ev && ev->state == NGX_SLUICE_RUNNING) {
        pkg->live = 1;
        pkg->window_ms = out->f.rewind_ms ? out->f.rewind_ms
                                          : out->f.archive_ms;
        pkg->window_ms = ngx_http_sluice_packager_filter_window(pkg,
                                                            pkg->window_ms);
        pkg->archive_ms = out->f.archive_ms;

        if (pkg->url.kind == SLUICE_URL_MANIFEST
            || pkg->url.kind == SLUICE_URL_PLAYLIST)
        {
            ngx_http_sluice_packager_event_epoch(pkg, ev);
        }

        if (ngx_http_sluice_locator_unsynced(pkg, ev) != NGX_OK) {
            rc = NGX_ERROR;
            goto done;
        }

        /* low latency: the event's parts (its files, its wake-ups) */

        ngx_http_sluice_packager_ll_event(pkg, ev);

        if (pkg->url.kind == SLUICE_URL_MANIFEST
            || pkg->url.kind == SLUICE_URL_PLAYLIST)
        {
            if (ngx_http_sluice_packager_ll_tracks(pkg, ev) != NGX_OK) {
                rc = NGX_ERROR;
                goto done;
            }

        } else {
            rc = ngx_http_sluice_packager_ll_collect(pkg, ev);

            if (rc != NGX_DONE) {
                goto done;
            }
        }

    } else if (ev && ev->epoch_ms > 0) {
        /*
         * a recording on demand: the dates of its HLS cues (START-DATE,
         * program date times) on its event's clock while the event is
         * there; else on the clock of the timeline (1970, consistent)
         */
        pkg->epoch_ms = ev->epoch_ms;
    }

    rc = NGX_OK;

done:

    ngx_shmtx_unlock(&shpool->mutex);

    return rc;
}


/*
 * A live asset (mutex held): for each track of its event that may still
 * get a recording job, where records that may not be synced yet begin;
 * the asset's reads (later, in a thread) do not show them
 * (docs/architecture.md, "Durability"):
 *
 *   a recording job running: the start of its fragment;
 *   else, while the track is fed (a publisher of its stream, or a
 *   fragment appended within two fragment durations: a publisher's last
 *   one), the end of the last job's fragment (a job posted after this
 *   records a later fragment), or with no job done in this generation the
 *   start of the track's newest fragment (the first job records it or a
 *   later one).
 */

static ngx_int_t
ngx_http_sluice_locator_unsynced(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_event_t *ev)
{
    ngx_uint_t                   i;
    ngx_sluice_track_t          *tr;
    ngx_http_sluice_unsynced_t  *u;

    pkg->nunsynced = 0;

    pkg->unsynced = ngx_palloc(pkg->request->pool, NGX_SLUICE_MAX_TRACKS
                                          * sizeof(ngx_http_sluice_unsynced_t));
    if (pkg->unsynced == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
        tr = &ev->tracks[i];

        if (tr->state == NGX_SLUICE_TRACK_FREE || tr->nfrags == 0
            || (tr->rec_pending == 0
                && !ngx_http_sluice_locator_fed(ev, tr)))
        {
            continue;
        }

        u = &pkg->unsynced[pkg->nunsynced++];

        ngx_memcpy(u->stream, tr->stream, sizeof(u->stream));
        u->media_type = tr->info.media_type;

        if (tr->rec_pending) {
            u->from = tr->rec_from;

        } else if (tr->rec_done_end) {
            u->from = tr->rec_done_end;

        } else {
            u->from = tr->frags[(tr->head + tr->nfrags - 1)
                                % tr->capacity].time;
        }
    }

    return NGX_OK;
}


/* a track that may get a fragment, and its recording job, any moment */

static ngx_uint_t
ngx_http_sluice_locator_fed(ngx_sluice_event_t *ev, ngx_sluice_track_t *tr)
{
    ngx_uint_t            i, k;
    ngx_sluice_stream_t  *st;

    if ((ngx_msec_int_t) (ngx_current_msec - tr->updated)
        < (ngx_msec_int_t) (2 * ngx_max(ev->fragment_ms, 1000)))
    {
        return 1;
    }

    for (i = 0; i < NGX_SLUICE_MAX_STREAMS; i++) {
        st = &ev->streams[i];

        if (ngx_strcmp(st->stream, tr->stream) != 0) {
            continue;
        }

        for (k = 0; k < NGX_SLUICE_MAX_REDUNDANT; k++) {
            if (st->pubs[k].pid) {
                return 1;
            }
        }
    }

    return 0;
}
