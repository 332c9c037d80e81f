
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * sluice_packager: packaging on request.
 *
 *   /{locator}/{name}.ism/{tail}
 *
 * The locator and name select a source through a resolver (preview
 * locators of running live events; streaming locators of assets, in
 * _locator.c), which copies what the request needs out of the
 * shared-memory index under the zone mutex (assets: out of their files,
 * after the lock).  The tail (an AMS URL tag) selects a manifest, a playlist or
 * a segment, written or served outside the lock.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "packager/ngx_http_sluice_packager_module.h"
#include "packager/ngx_http_sluice_packager_manifest.h"
#include "packager/ngx_http_sluice_packager_segment.h"
#include "packager/ngx_http_sluice_packager_locator.h"
#include "packager/ngx_http_sluice_packager_encryption.h"
#include "packager/ngx_http_sluice_packager_filter.h"
#include "packager/ngx_http_sluice_packager_ll.h"
#include "core/ngx_sluice_metrics.h"
#include "core/ngx_sluice_zone.h"


typedef struct {
    ngx_shm_zone_t              *shm_zone;  /* "sluice_zone", or NULL */
} ngx_http_sluice_packager_main_conf_t;


/* the skeleton of an error's body */
#define NGX_HTTP_SLUICE_ERROR_JSON                                           \
    "{\"error\":{\"code\":\"\",\"message\":\"\"}}"


typedef ngx_int_t (*ngx_http_sluice_resolve_pt)(ngx_http_sluice_pkg_t *pkg);


typedef struct {
    ngx_str_t                    name;      /* "" matches every name */
    ngx_http_sluice_resolve_pt   resolve;
} ngx_http_sluice_resolver_t;


static ngx_int_t ngx_http_sluice_packager_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_sluice_packager_options(ngx_http_request_t *r);
static ngx_int_t ngx_http_sluice_packager_time(ngx_http_request_t *r);
static ngx_int_t ngx_http_sluice_packager_split(ngx_http_sluice_pkg_t *pkg);
static ngx_int_t ngx_http_sluice_packager_zone(ngx_http_sluice_pkg_t *pkg);
static ngx_int_t ngx_http_sluice_packager_resolve(ngx_http_sluice_pkg_t *pkg);
static ngx_int_t ngx_http_sluice_packager_collect(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_event_t *ev);
static ngx_int_t ngx_http_sluice_resolve_preview(ngx_http_sluice_pkg_t *pkg);
static ngx_int_t ngx_http_sluice_packager_sent(ngx_http_request_t *r,
    ngx_uint_t status, const char *reason);
static ngx_int_t ngx_http_sluice_packager_cors(ngx_http_request_t *r);
static ngx_int_t ngx_http_sluice_packager_header(ngx_http_request_t *r,
    char *key, ngx_str_t *value);
static void *ngx_http_sluice_packager_alloc(void *ctx, size_t size);
#if (NGX_THREADS)
static ngx_thread_pool_t *ngx_http_sluice_packager_thread_pool(
    ngx_http_request_t *r);
static void ngx_http_sluice_packager_thread_done(ngx_event_t *ev);
#endif
static void ngx_http_sluice_packager_meter(ngx_http_sluice_pkg_t *pkg);
static ngx_int_t ngx_http_sluice_packager_log(ngx_http_request_t *r);
static ngx_int_t ngx_http_sluice_packager_init(ngx_conf_t *cf);
static ngx_int_t ngx_http_sluice_packager_init_process(ngx_cycle_t *cycle);
static void ngx_http_sluice_packager_exit_process(ngx_cycle_t *cycle);
static void *ngx_http_sluice_packager_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_sluice_packager_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_sluice_packager_merge_loc_conf(ngx_conf_t *cf,
    void *parent, void *child);
static char *ngx_http_sluice_packager(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);


/*
 * Tried in order; a resolver returning NGX_AGAIN ("not mine") passes the
 * request on to the next one that matches.
 */
static ngx_http_sluice_resolver_t  ngx_http_sluice_resolvers[] = {
    { ngx_string("preview"), ngx_http_sluice_resolve_preview },
    { ngx_string(""), ngx_http_sluice_packager_resolve_locator },
    { ngx_null_string, NULL }
};


/* sluice_status_t -> HTTP status, indexed by -rc */
static ngx_uint_t  ngx_http_sluice_packager_statuses[] = {
    NGX_HTTP_OK,                        /* SLUICE_OK */
    NGX_HTTP_INTERNAL_SERVER_ERROR,     /* SLUICE_ERROR */
    NGX_HTTP_INTERNAL_SERVER_ERROR,     /* SLUICE_BAD_DATA: stored data */
    NGX_HTTP_INTERNAL_SERVER_ERROR,     /* SLUICE_NO_MEMORY */
    NGX_HTTP_BAD_REQUEST,               /* SLUICE_BAD_REQUEST */
    NGX_HTTP_NOT_FOUND,                 /* SLUICE_NOT_FOUND */
    NGX_HTTP_NOT_FOUND,                 /* SLUICE_UNSUPPORTED: no such
                                           representation */
    NGX_HTTP_SERVICE_UNAVAILABLE        /* SLUICE_AGAIN: not there yet */
};


static ngx_command_t  ngx_http_sluice_packager_commands[] = {

    { ngx_string("sluice_packager"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_sluice_packager,
      0,
      0,
      NULL },

    { ngx_string("sluice_live_window"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sluice_packager_loc_conf_t, live_window),
      NULL },

    { ngx_string("sluice_key_delivery_url"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_sluice_packager_enc_conf_url,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_sluice_packager_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_http_sluice_packager_init,         /* postconfiguration */

    ngx_http_sluice_packager_create_main_conf, /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_sluice_packager_create_loc_conf,  /* create location conf */
    ngx_http_sluice_packager_merge_loc_conf    /* merge location conf */
};


ngx_module_t  ngx_http_sluice_packager_module = {
    NGX_MODULE_V1,
    &ngx_http_sluice_packager_module_ctx,  /* module context */
    ngx_http_sluice_packager_commands,     /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_http_sluice_packager_init_process, /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_sluice_packager_exit_process, /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


/* blocking requests (LL-HLS): this worker's socket and waiter slot */

static ngx_int_t
ngx_http_sluice_packager_init_process(ngx_cycle_t *cycle)
{
    ngx_http_sluice_packager_main_conf_t  *pmcf;

    pmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_sluice_packager_module);

    return ngx_http_sluice_ll_init_process(cycle, pmcf ? pmcf->shm_zone
                                                       : NULL);
}


static void
ngx_http_sluice_packager_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_sluice_packager_main_conf_t  *pmcf;

    pmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_sluice_packager_module);

    ngx_http_sluice_ll_exit_process(pmcf ? pmcf->shm_zone : NULL);
}


static ngx_int_t
ngx_http_sluice_packager_handler(ngx_http_request_t *r)
{
    ngx_int_t  rc;

    if (r->method == NGX_HTTP_OPTIONS) {
        return ngx_http_sluice_packager_options(r);
    }

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        rc = ngx_http_discard_request_body(r);

        if (rc != NGX_OK) {
            return rc;
        }

        if (ngx_http_sluice_packager_header(r, "Allow", NULL) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_sluice_packager_error(r, NGX_HTTP_NOT_ALLOWED,
                                              "method not allowed");
    }

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    return ngx_http_sluice_packager_run(r);
}


ngx_http_sluice_packager_ctx_t *
ngx_http_sluice_packager_ctx(ngx_http_request_t *r)
{
    ngx_http_sluice_packager_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_sluice_packager_module);

    if (ctx == NULL) {
        ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_sluice_packager_ctx_t));
        if (ctx == NULL) {
            return NULL;
        }

        ngx_http_set_ctx(r, ctx, ngx_http_sluice_packager_module);
    }

    return ctx;
}


/*
 * A GET or HEAD from the URL on; run again for a blocking request when
 * what it waits for may have come (ngx_http_sluice_packager_ll.c)
 */

ngx_int_t
ngx_http_sluice_packager_run(ngx_http_request_t *r)
{
    ngx_int_t               rc;
    const char             *reason;
    sluice_status_t         src;
    ngx_http_sluice_pkg_t  *pkg;

    pkg = ngx_pcalloc(r->pool, sizeof(ngx_http_sluice_pkg_t));
    if (pkg == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    pkg->request = r;
    pkg->alloc.alloc = ngx_http_sluice_packager_alloc;
    pkg->alloc.ctx = r->pool;
    pkg->max_age = -1;
    pkg->apool = r->pool;

    if (r->uri.len == sizeof("/crossdomain.xml") - 1
        && ngx_strncasecmp(r->uri.data, (u_char *) "/crossdomain.xml",
                           r->uri.len)
           == 0)
    {
        if (ngx_http_sluice_packager_zone(pkg) != NGX_OK) {
            return ngx_http_sluice_packager_error(r, pkg->status,
                                                  pkg->reason);
        }

        return ngx_http_sluice_packager_policy_file(pkg, "crossDomainPolicy");
    }

    if (r->uri.len == sizeof("/clientaccesspolicy.xml") - 1
        && ngx_strncasecmp(r->uri.data, (u_char *) "/clientaccesspolicy.xml",
                           r->uri.len)
           == 0)
    {
        if (ngx_http_sluice_packager_zone(pkg) != NGX_OK) {
            return ngx_http_sluice_packager_error(r, pkg->status,
                                                  pkg->reason);
        }

        return ngx_http_sluice_packager_policy_file(pkg, "clientAccessPolicy");
    }

    if (r->uri.len == sizeof(NGX_HTTP_SLUICE_TIME_URI) - 1
        && ngx_strncmp(r->uri.data, NGX_HTTP_SLUICE_TIME_URI, r->uri.len)
           == 0)
    {
        return ngx_http_sluice_packager_time(r);
    }

    if (ngx_http_sluice_packager_split(pkg) != NGX_OK) {
        return ngx_http_sluice_packager_error(r, NGX_HTTP_NOT_FOUND,
                                              "not a streaming URL");
    }

    reason = NULL;
    src = sluice_url_parse(&pkg->url, pkg->tail.data, pkg->tail.len,
                           &reason);
    if (src != SLUICE_OK) {
        return ngx_http_sluice_packager_error(r,
                   ngx_http_sluice_packager_http_status(src),
                   reason ? reason : "bad URL tag");
    }

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "sluice packager: kind:%uD format:%uD bitrate:%uD "
                   "time:%uL", pkg->url.kind, pkg->url.format,
                   pkg->url.bitrate, pkg->url.time);

    ngx_http_sluice_packager_meter(pkg);

    rc = ngx_http_sluice_packager_resolve(pkg);

    if (rc == NGX_DONE) {
        /* a thread reads the asset; ngx_http_sluice_packager_respond() */
        r->main->count++;
        return NGX_DONE;
    }

    rc = ngx_http_sluice_packager_respond(pkg, rc);

    if (rc == NGX_DONE && pkg->ll_parked) {
        /*
         * parked: the request keeps what it needs; pkg, kilobytes, is a
         * large allocation of the pool, which ngx_pfree() frees
         */
        ngx_pfree(r->pool, pkg);
    }

    return rc;
}


ngx_int_t
ngx_http_sluice_packager_respond(ngx_http_sluice_pkg_t *pkg, ngx_int_t rc)
{
    const char          *reason;
    ngx_http_request_t  *r;

    r = pkg->request;

    if (ngx_http_sluice_ll_started(r) && (rc != NGX_OK || !pkg->streaming)) {
        /*
         * a segment in progress whose headers went out goes on with its
         * parts only: an error, or the fragment now found whole (in the
         * asset once its live output went, or its event stopped), cannot
         * be a response of its own: the connection ends
         */
        if (rc == NGX_OK) {
            reason = "no longer in progress";

        } else if (rc == NGX_ERROR || pkg->reason == NULL) {
            reason = "internal error";

        } else {
            reason = pkg->reason;
        }

        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "sluice: segment in progress ended: %s", reason);
        return NGX_ERROR;
    }

    if (rc == NGX_ERROR) {
        return ngx_http_sluice_packager_error(r,
                                              NGX_HTTP_INTERNAL_SERVER_ERROR,
                                              "internal error");
    }

    if (rc != NGX_OK && pkg->ll_wait) {
        /* a blocking request: what it asks for may come */
        return ngx_http_sluice_ll_park(pkg);
    }

    if (rc != NGX_OK) {
        return ngx_http_sluice_packager_error(r, pkg->status, pkg->reason);
    }

    if (pkg->url.kind == SLUICE_URL_MANIFEST
        || pkg->url.kind == SLUICE_URL_PLAYLIST)
    {
        return ngx_http_sluice_packager_manifest(pkg);
    }

    return ngx_http_sluice_packager_segment(pkg);
}


/*
 * Metrics: the request's format and kind, and the time the packager takes
 * it (again when a blocking request is woken: its wait for media that
 * was not there yet is not counted); the log phase adds it up
 */

static void
ngx_http_sluice_packager_meter(ngx_http_sluice_pkg_t *pkg)
{
    sluice_url_t                          *url;
    ngx_sluice_zone_ctx_t                 *zctx;
    ngx_http_sluice_packager_ctx_t        *ctx;
    ngx_http_sluice_packager_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(pkg->request,
                                         ngx_http_sluice_packager_module);
    zctx = pmcf->shm_zone ? pmcf->shm_zone->data : NULL;

    if (zctx == NULL || !zctx->telemetry) {
        return;         /* no zone, or sluice_telemetry off: not counted */
    }

    ctx = ngx_http_sluice_packager_ctx(pkg->request);
    if (ctx == NULL) {
        return;
    }

    url = &pkg->url;

    ctx->mx_format = sluice_format_is_ts(url->format) ? NGX_SLUICE_MX_HLS_TS
                     : url->format == SLUICE_FORMAT_HLS_CMAF
                       ? NGX_SLUICE_MX_HLS_CMAF
                     : sluice_format_is_dash(url->format) ? NGX_SLUICE_MX_DASH
                     : NGX_SLUICE_MX_SMOOTH;

    ctx->mx_kind = url->kind == SLUICE_URL_INIT ? NGX_SLUICE_MX_INIT
                   : url->kind == SLUICE_URL_SEGMENT
                     ? (url->has_part ? NGX_SLUICE_MX_PART
                                      : NGX_SLUICE_MX_SEGMENT)
                   : NGX_SLUICE_MX_MANIFEST;

    ctx->mx_start = ngx_sluice_metrics_usec();
    ctx->metered = 1;
}


/*
 * The log phase of every request: a packager request with a streaming
 * URL is counted (status class, body bytes as $body_bytes_sent, latency
 * to its last byte written), with a few atomic additions
 */

static ngx_int_t
ngx_http_sluice_packager_log(ngx_http_request_t *r)
{
    off_t                                  sent;
    ngx_sluice_zone_ctx_t                 *zctx;
    ngx_sluice_mx_response_t               resp;
    ngx_http_sluice_packager_ctx_t        *ctx;
    ngx_http_sluice_packager_main_conf_t  *pmcf;

    ctx = ngx_http_get_module_ctx(r, ngx_http_sluice_packager_module);

    if (ctx == NULL || !ctx->metered) {
        return NGX_OK;
    }

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_sluice_packager_module);

    if (pmcf->shm_zone == NULL || pmcf->shm_zone->data == NULL) {
        return NGX_OK;
    }

    zctx = pmcf->shm_zone->data;

    sent = r->connection->sent - r->header_size;

    resp.format = ctx->mx_format;
    resp.kind = ctx->mx_kind;
    resp.status = r->err_status ? r->err_status : r->headers_out.status;
    resp.bytes = sent > 0 ? sent : 0;
    resp.usec = ngx_sluice_metrics_usec() - ctx->mx_start;

    ngx_sluice_metrics_response(zctx->sh, &resp);

    return NGX_OK;
}


/*
 * Sluice's time service: the wall clock as ISO 8601 with milliseconds
 * (DASH UTCTiming urn:mpeg:dash:utc:http-iso:2014), never cached
 */

static ngx_int_t
ngx_http_sluice_packager_time(ngx_http_request_t *r)
{
    u_char      *p;
    ngx_tm_t     tm;
    ngx_buf_t   *b;
    ngx_str_t    type, cc;
    ngx_time_t  *tp;
    ngx_chain_t  out;

    ngx_time_update();
    tp = ngx_timeofday();

    b = ngx_create_temp_buf(r->pool, sizeof("1970-01-01T00:00:00.000Z") - 1);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_gmtime(tp->sec, &tm);

    p = ngx_sprintf(b->pos, "%4d-%02d-%02dT%02d:%02d:%02d.%03MZ",
                    tm.ngx_tm_year, tm.ngx_tm_mon, tm.ngx_tm_mday,
                    tm.ngx_tm_hour, tm.ngx_tm_min, tm.ngx_tm_sec, tp->msec);
    b->last = p;
    b->last_buf = 1;
    b->last_in_chain = 1;

    ngx_str_set(&type, "text/plain");
    ngx_str_set(&cc, "no-store");

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = b->last - b->pos;
    r->headers_out.content_type = type;
    r->headers_out.content_type_len = type.len;

    if (ngx_http_sluice_packager_cors(r) != NGX_OK
        || ngx_http_sluice_packager_header(r, "Cache-Control", &cc) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_send_header(r) == NGX_ERROR || r->header_only) {
        return NGX_OK;
    }

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/* CORS preflight */

static ngx_int_t
ngx_http_sluice_packager_options(ngx_http_request_t *r)
{
    ngx_int_t  rc;

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    if (ngx_http_sluice_packager_cors(r) != NGX_OK
        || ngx_http_sluice_packager_header(r, "Access-Control-Allow-Methods",
                                           NULL)
           != NGX_OK
        || ngx_http_sluice_packager_header(r, "Access-Control-Allow-Headers",
                                           NULL)
           != NGX_OK
        || ngx_http_sluice_packager_header(r, "Access-Control-Max-Age",
                                           NULL)
           != NGX_OK
        || ngx_http_sluice_packager_header(r, "Allow", NULL) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.status = NGX_HTTP_NO_CONTENT;
    r->headers_out.content_length_n = 0;
    r->header_only = 1;

    return ngx_http_send_header(r);
}


/* "/{locator}/{name}.ism/{tail}" */

static ngx_int_t
ngx_http_sluice_packager_split(ngx_http_sluice_pkg_t *pkg)
{
    u_char              *p, *last, *slash;
    ngx_http_request_t  *r;

    r = pkg->request;

    p = r->uri.data;
    last = p + r->uri.len;

    if (p == last || *p != '/') {
        return NGX_DECLINED;
    }

    p++;

    slash = ngx_strlchr(p, last, '/');
    if (slash == NULL || slash == p) {
        return NGX_DECLINED;
    }

    pkg->locator.data = p;
    pkg->locator.len = slash - p;

    p = slash + 1;

    slash = ngx_strlchr(p, last, '/');
    if (slash == NULL || slash - p <= 4
        || ngx_strncasecmp(slash - 4, (u_char *) ".ism", 4) != 0)
    {
        return NGX_DECLINED;
    }

    pkg->name.data = p;
    pkg->name.len = slash - 4 - p;

    pkg->tail.data = slash + 1;
    pkg->tail.len = last - (slash + 1);

    if (pkg->tail.len == 0) {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/*
 * NGX_OK: the source was found and the collector copied what the request
 * needs; NGX_DECLINED: pkg->status and pkg->reason tell why not; NGX_DONE:
 * a thread goes on (assets), NGX_ERROR.
 */

static ngx_int_t
ngx_http_sluice_packager_resolve(ngx_http_sluice_pkg_t *pkg)
{
    ngx_int_t                    rc;
    ngx_http_sluice_resolver_t  *res;

    if (ngx_http_sluice_packager_zone(pkg) != NGX_OK) {
        return NGX_DECLINED;
    }

    pkg->status = NGX_HTTP_NOT_FOUND;
    pkg->reason = "unknown locator";

    for (res = ngx_http_sluice_resolvers; res->resolve; res++) {

        if (res->name.len != 0
            && (res->name.len != pkg->name.len
                || ngx_strncasecmp(res->name.data, pkg->name.data,
                                   pkg->name.len)
                   != 0))
        {
            continue;
        }

        rc = res->resolve(pkg);

        if (rc != NGX_AGAIN) {
            return rc;
        }

        pkg->status = NGX_HTTP_NOT_FOUND;
        pkg->reason = "unknown locator";
    }

    return NGX_DECLINED;
}


/* the zone of the request's configuration: NGX_OK or NGX_DECLINED */

static ngx_int_t
ngx_http_sluice_packager_zone(ngx_http_sluice_pkg_t *pkg)
{
    ngx_http_sluice_packager_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(pkg->request,
                                         ngx_http_sluice_packager_module);

    if (pmcf->shm_zone == NULL || pmcf->shm_zone->data == NULL) {
        ngx_log_error(NGX_LOG_ERR, pkg->request->connection->log, 0,
                      "sluice_packager needs a \"sluice_zone\"");
        pkg->status = NGX_HTTP_INTERNAL_SERVER_ERROR;
        pkg->reason = "no sluice_zone";
        return NGX_DECLINED;
    }

    pkg->zctx = pmcf->shm_zone->data;

    return NGX_OK;
}


/* runs the collector of the request kind; the caller holds the mutex */

static ngx_int_t
ngx_http_sluice_packager_collect(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_event_t *ev)
{
    ngx_int_t  rc;

    ngx_memcpy(pkg->event_id, ev->id, NGX_SLUICE_ID_LEN + 1);
    pkg->generation = ev->generation;
    pkg->fragment_ms = ev->fragment_ms;

    ngx_http_sluice_packager_ll_event(pkg, ev);

    if (pkg->url.kind == SLUICE_URL_MANIFEST
        || pkg->url.kind == SLUICE_URL_PLAYLIST)
    {
        rc = ngx_http_sluice_packager_manifest_collect(pkg, ev);

    } else {
        rc = ngx_http_sluice_packager_segment_collect(pkg, ev);
    }

    if (rc == NGX_OK || rc == NGX_DECLINED) {
        return rc;
    }

    pkg->status = NGX_HTTP_INTERNAL_SERVER_ERROR;
    pkg->reason = "internal error";

    return NGX_DECLINED;
}


/*
 * "/{previewLocator}/preview.ism/": a live event in state Running whose
 * preview endpoint allows the client address.
 */

static ngx_int_t
ngx_http_sluice_resolve_preview(ngx_http_sluice_pkg_t *pkg)
{
    ngx_int_t               rc;
    ngx_slab_pool_t        *shpool;
    ngx_sluice_event_t     *ev;
    ngx_sluice_zone_ctx_t  *zctx;

    zctx = pkg->zctx;
    shpool = zctx->shpool;

    ngx_shmtx_lock(&shpool->mutex);

    ev = ngx_sluice_event_by_preview(zctx->sh, pkg->locator.data,
                                     pkg->locator.len);

    if (ev == NULL) {
        /* not a preview locator: perhaps a streaming locator */
        rc = NGX_AGAIN;

    } else if (ev->state != NGX_SLUICE_RUNNING) {
        pkg->reason = "live event not running";
        rc = NGX_DECLINED;

    } else if (ngx_sluice_ip_allowed(&ev->preview_acl,
                                     pkg->request->connection->sockaddr)
               != NGX_OK)
    {
        pkg->status = NGX_HTTP_FORBIDDEN;
        pkg->reason = "client address not allowed";
        rc = NGX_DECLINED;

    } else {
        pkg->live = 1;
        rc = ngx_http_sluice_packager_filter_copy(pkg, NULL, NULL);

        if (rc == NGX_OK) {
            rc = ngx_http_sluice_packager_collect(pkg, ev);
        }
    }

    ngx_shmtx_unlock(&shpool->mutex);

    return rc;
}


ngx_uint_t
ngx_http_sluice_packager_http_status(sluice_status_t rc)
{
    ngx_uint_t  i;

    i = (ngx_uint_t) -rc;

    if (rc > 0 || i >= sizeof(ngx_http_sluice_packager_statuses)
                       / sizeof(ngx_uint_t))
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_sluice_packager_statuses[i];
}


#if (NGX_THREADS)

ngx_int_t
ngx_http_sluice_packager_thread_post(ngx_http_request_t *r,
    ngx_thread_task_t *task)
{
    ngx_thread_pool_t  *tp;

    tp = ngx_http_sluice_packager_thread_pool(r);
    if (tp == NULL) {
        return NGX_ERROR;
    }

    task->event.data = r;
    task->event.handler = ngx_http_sluice_packager_thread_done;

    if (ngx_thread_task_post(tp, task) != NGX_OK) {
        return NGX_ERROR;
    }

    r->main->blocked++;
    r->aio = 1;

    return NGX_OK;
}


/* the thread pool of the request's location; NULL: none */

static ngx_thread_pool_t *
ngx_http_sluice_packager_thread_pool(ngx_http_request_t *r)
{
    ngx_str_t                  name;
    ngx_thread_pool_t         *tp;
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    if (clcf->thread_pool) {
        return clcf->thread_pool;
    }

    if (ngx_http_complex_value(r, clcf->thread_pool_value, &name) != NGX_OK) {
        return NULL;
    }

    tp = ngx_thread_pool_get((ngx_cycle_t *) ngx_cycle, &name);

    if (tp == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "thread pool \"%V\" not found", &name);
    }

    return tp;
}

/* the thread is done: the request's write handler goes on (or ends it) */

static void
ngx_http_sluice_packager_thread_done(ngx_event_t *ev)
{
    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    r = ev->data;
    c = r->connection;

    ngx_http_set_log_request(c->log, r);

    r->main->blocked--;
    r->aio = 0;

    r->write_event_handler(r);

    ngx_http_run_posted_requests(c);
}

#endif


ngx_int_t
ngx_http_sluice_packager_send(ngx_http_request_t *r, ngx_str_t *type,
    ngx_buf_t *b, time_t max_age)
{
    ngx_chain_t  out;

    out.buf = b;
    out.next = NULL;

    return ngx_http_sluice_packager_send_chain(r, type, &out, max_age);
}


ngx_int_t
ngx_http_sluice_packager_send_open(ngx_http_request_t *r, ngx_str_t *type,
    time_t max_age)
{
    u_char     *p;
    ngx_str_t   cc, no;

    p = ngx_pnalloc(r->pool, sizeof("public, max-age=") + NGX_TIME_T_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    cc.data = p;
    cc.len = ngx_sprintf(p, "public, max-age=%T", max_age) - p;

    ngx_str_set(&no, "no");

    /* an nginx in front (proxy_pass) passes each chunk on as it comes */

    if (ngx_http_sluice_packager_cors(r) != NGX_OK
        || ngx_http_sluice_packager_header(r, "Cache-Control", &cc) != NGX_OK
        || ngx_http_sluice_packager_header(r, "X-Accel-Buffering", &no)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_type = *type;
    r->headers_out.content_type_len = type->len;
    r->headers_out.content_type_lowcase = NULL;
    r->headers_out.content_length_n = -1;

    return ngx_http_send_header(r);
}


ngx_int_t
ngx_http_sluice_packager_send_chain(ngx_http_request_t *r, ngx_str_t *type,
    ngx_chain_t *out, time_t max_age)
{
    off_t         size;
    u_char       *p;
    ngx_int_t     rc;
    ngx_str_t     cc;
    ngx_chain_t  *cl, *last;

    if (r->header_sent) {
        return ngx_http_sluice_packager_sent(r, NGX_HTTP_OK, "media");
    }

    size = 0;
    last = out;

    for (cl = out; cl; cl = cl->next) {
        size += ngx_buf_size(cl->buf);
        last = cl;
    }

    p = ngx_pnalloc(r->pool, sizeof("public, max-age=, immutable")
                             + NGX_TIME_T_LEN);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cc.data = p;

    if (max_age >= NGX_HTTP_SLUICE_SEGMENT_MAX_AGE) {
        cc.len = ngx_sprintf(p, "public, max-age=%T, immutable", max_age)
                 - p;

    } else {
        cc.len = ngx_sprintf(p, "public, max-age=%T", max_age) - p;
    }

    if (ngx_http_sluice_packager_cors(r) != NGX_OK
        || ngx_http_sluice_packager_header(r, "Cache-Control", &cc) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_type = *type;
    r->headers_out.content_type_len = type->len;
    r->headers_out.content_type_lowcase = NULL;
    r->headers_out.content_length_n = size;
    r->allow_ranges = 1;
    r->single_range = (out->next != NULL);

    /* stored files: Last-Modified and ETag, so that 304 works */
    if (r->headers_out.last_modified_time != -1
        && ngx_http_set_etag(r) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (size == 0) {
        r->header_only = 1;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    last->buf->last_buf = (r == r->main) ? 1 : 0;
    last->buf->last_in_chain = 1;

    return ngx_http_output_filter(r, out);
}


ngx_int_t
ngx_http_sluice_packager_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *reason)
{
    size_t        len;
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_str_t     cc;
    ngx_chain_t   out;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "sluice packager: %ui \"%s\"", status, reason);

    if (r->header_sent) {
        return ngx_http_sluice_packager_sent(r, status, reason);
    }

    ngx_str_set(&cc, "max-age=1");

    if (ngx_http_sluice_packager_cors(r) != NGX_OK
        || ngx_http_sluice_packager_header(r, "Cache-Control", &cc) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* {"error":{"code":"404","message":"..."}}, as the API's errors */

    len = ngx_strlen(reason);

    b = ngx_create_temp_buf(r->pool, sizeof(NGX_HTTP_SLUICE_ERROR_JSON)
                            + NGX_INT_T_LEN + len
                            + ngx_escape_json(NULL, (u_char *) reason, len));
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->last = ngx_sprintf(b->last, "{\"error\":{\"code\":\"%ui\","
                          "\"message\":\"", status);
    b->last = (u_char *) ngx_escape_json(b->last, (u_char *) reason, len);
    b->last = ngx_cpymem(b->last, "\"}}", 3);
    *b->last++ = LF;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    r->headers_out.status = status;
    ngx_str_set(&r->headers_out.content_type, "application/json");
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_type_lowcase = NULL;
    r->headers_out.content_length_n = b->last - b->pos;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/*
 * A response asked for once the headers of another went out (nginx would
 * log "header already sent" and close): the connection ends, what the
 * client got is cut short
 */

static ngx_int_t
ngx_http_sluice_packager_sent(ngx_http_request_t *r, ngx_uint_t status,
    const char *reason)
{
    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "sluice packager: %ui \"%s\" after the headers of "
                  "another response, closing", status, reason);

    return NGX_ERROR;
}


static ngx_int_t
ngx_http_sluice_packager_cors(ngx_http_request_t *r)
{
    ngx_str_t  v;

    ngx_str_set(&v, "*");

    if (ngx_http_sluice_packager_header(r, "Access-Control-Allow-Origin", &v)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (r->method == NGX_HTTP_OPTIONS) {
        return NGX_OK;
    }

    ngx_str_set(&v, "Content-Length, Content-Range, Date");

    return ngx_http_sluice_packager_header(r, "Access-Control-Expose-Headers",
                                           &v);
}


/* adds a response header; value NULL: the fixed value known for key */

static ngx_int_t
ngx_http_sluice_packager_header(ngx_http_request_t *r, char *key,
    ngx_str_t *value)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key.data = (u_char *) key;
    h->key.len = ngx_strlen(key);

    if (value) {
        h->value = *value;
        return NGX_OK;
    }

    if (ngx_strcmp(key, "Access-Control-Allow-Headers") == 0) {
        ngx_str_set(&h->value, "Range, Origin, Accept, Content-Type");

    } else if (ngx_strcmp(key, "Access-Control-Max-Age") == 0) {
        ngx_str_set(&h->value, "86400");

    } else {
        /* Allow, Access-Control-Allow-Methods */
        ngx_str_set(&h->value, "GET, HEAD, OPTIONS");
    }

    return NGX_OK;
}


static void *
ngx_http_sluice_packager_alloc(void *ctx, size_t size)
{
    return ngx_palloc(ctx, size);
}


static void *
ngx_http_sluice_packager_create_main_conf(ngx_conf_t *cf)
{
    /*
     * set by ngx_pcalloc():
     *
     *     pmcf->shm_zone = NULL;
     */

    return ngx_pcalloc(cf->pool,
                       sizeof(ngx_http_sluice_packager_main_conf_t));
}


/*
 * The zone of this configuration ("sluice_zone", parsed by then), kept
 * per configuration: a request always runs with its own.  The log
 * handler counts the metrics, unless sluice_telemetry is off (the zone's
 * context has it: every module's main configuration is done by now).
 */

static ngx_int_t
ngx_http_sluice_packager_init(ngx_conf_t *cf)
{
    ngx_http_handler_pt                   *h;
    ngx_sluice_zone_ctx_t                 *zctx;
    ngx_http_core_main_conf_t             *cmcf;
    ngx_http_sluice_packager_main_conf_t  *pmcf;

    pmcf = ngx_http_conf_get_module_main_conf(cf,
                                              ngx_http_sluice_packager_module);

    pmcf->shm_zone = ngx_sluice_zone_lookup(cf->cycle);

    zctx = pmcf->shm_zone ? pmcf->shm_zone->data : NULL;

    if (zctx == NULL || !zctx->telemetry) {
        return NGX_OK;
    }

    /* metrics: each request counted once it is done */

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_LOG_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_sluice_packager_log;

    return NGX_OK;
}


static void *
ngx_http_sluice_packager_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_sluice_packager_loc_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_sluice_packager_loc_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    conf->live_window = NGX_CONF_UNSET_MSEC;
    conf->key_url = NGX_CONF_UNSET_PTR;

    return conf;
}


static char *
ngx_http_sluice_packager_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child)
{
    ngx_http_sluice_packager_loc_conf_t *prev = parent;
    ngx_http_sluice_packager_loc_conf_t *conf = child;

    ngx_conf_merge_msec_value(conf->live_window, prev->live_window, 60000);
    ngx_conf_merge_ptr_value(conf->key_url, prev->key_url, NULL);

    if (conf->live_window < 1000) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"sluice_live_window\" must be at least 1s");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_sluice_packager(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->handler) {
        return "is duplicate or conflicts with another content handler";
    }

    clcf->handler = ngx_http_sluice_packager_handler;

    return NGX_CONF_OK;
}
