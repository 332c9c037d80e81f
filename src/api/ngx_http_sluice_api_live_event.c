
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Live events (AMS v3 LiveEvents, api-version 2022-08-01), a type of
 * the resource engine (ngx_http_sluice_api_resource.h): its table, the
 * validation of its document, its rules (one access token and preview
 * locator per event, a quota, deletion only when Stopped, the fragment
 * duration changed only when Stopped), its actions (allocate, start,
 * stop, reset), the endpoints of a response, and its record kind.
 *
 * Each event keeps in shared memory the fixed fields ingest and packager
 * read (state, token, preview locator, allow-lists, fragment duration,
 * generation: ngx_sluice_event_t) and its stored document (event->json):
 * the resource as created, without what depends on the request or the
 * state (id, resourceState, provisioningState, endpoints), which are
 * added on each response.  The file of an event is
 *
 *   {"sluice":{"id":"...","generation":N,"resourceState":"..."},
 *    "resource":{stored document}}
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_live_event.h"
#include "core/ngx_sluice_store.h"
#include "util/sluice_iso8601.h"
#include "util/sluice_uuid.h"


#define NGX_HTTP_SLUICE_MIN_FRAGMENT_MS  1000
#define NGX_HTTP_SLUICE_MAX_FRAGMENT_MS  20000


/* the fixed fields of an event, taken from a document (and a file) */
typedef struct {
    u_char                      token[NGX_SLUICE_TOKEN_LEN + 1];
    u_char                      locator[NGX_SLUICE_ID_LEN + 1];
    ngx_uint_t                  encoding;
    ngx_uint_t                  protocol;       /* NGX_SLUICE_PROTO_* */
    ngx_msec_t                  fragment_ms;
    ngx_uint_t                  latency;        /* NGX_SLUICE_LATENCY_* */
    u_char                      preset[NGX_SLUICE_PRESET_LEN + 1];
    ngx_uint_t                  stretch;
    ngx_sluice_ip_acl_t         input_acl;
    ngx_sluice_ip_acl_t         preview_acl;
    u_char                      id[NGX_SLUICE_ID_LEN + 1];  /* a file's */
    uint32_t                    generation;                 /* a file's */
} ngx_http_sluice_le_fields_t;


/* a string set at creation and never changed */
typedef struct {
    const char                 *name;           /* member */
    const char                 *what;           /* in messages */
    ngx_uint_t                  caseless;
    size_t                    (*make)(u_char *value);   /* a new one */
} ngx_http_sluice_le_fixed_t;


static size_t ngx_http_sluice_le_new_token(u_char *token);
static size_t ngx_http_sluice_le_new_locator(u_char *id);
static ngx_uint_t ngx_http_sluice_le_live(sluice_json_t *props);
static ngx_uint_t ngx_http_sluice_le_url_protocol(ngx_str_t *url);
static const char *ngx_http_sluice_le_protocol(ngx_uint_t protocol);
static ngx_int_t ngx_http_sluice_le_passthrough_encoding(sluice_json_t *enc,
    ngx_http_sluice_res_err_t *err);
static ngx_int_t ngx_http_sluice_le_build_live_encoding(
    ngx_http_sluice_res_build_t *b, sluice_json_t *enc, sluice_json_t *oldp,
    sluice_json_t *ne, ngx_http_sluice_le_fields_t *f);


/* the POST actions that change nothing */

static ngx_int_t
ngx_http_sluice_le_post(ngx_http_request_t *r, ngx_http_sluice_api_ctx_t *ctx)
{
#define ngx_http_sluice_le_action_is(s)                                      \
    ngx_http_sluice_seg_is(&ctx->action, s)

    if (ngx_http_sluice_le_action_is("getStatus")) {
        return ngx_http_sluice_le_status(r, ctx);
    }

    if (ngx_http_sluice_le_action_is("getStreamEvents")) {
        return ngx_http_sluice_le_stream_events(r, ctx);
    }

    if (ngx_http_sluice_le_action_is("getTrackIngestHeartbeats")) {
        return ngx_http_sluice_le_heartbeats(r, ctx);
    }

#undef ngx_http_sluice_le_action_is

    return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
               "Unknown live event action '%V'.", &ctx->action);
}


static ngx_http_sluice_action_t  ngx_http_sluice_le_actions[] = {

    { ngx_string("allocate"), NGX_SLUICE_OP_ALLOCATE,
      { NGX_SLUICE_STOPPED, NGX_SLUICE_STOPPED },
      NGX_SLUICE_ALLOCATING, NGX_SLUICE_STANDBY, NGX_SLUICE_STANDBY, 0 },

    { ngx_string("start"), NGX_SLUICE_OP_START,
      { NGX_SLUICE_STOPPED, NGX_SLUICE_STANDBY },
      NGX_SLUICE_STARTING, NGX_SLUICE_RUNNING, NGX_SLUICE_RUNNING, 0 },

    { ngx_string("stop"), NGX_SLUICE_OP_STOP,
      { NGX_SLUICE_RUNNING, NGX_SLUICE_STANDBY },
      NGX_SLUICE_STOPPING, NGX_SLUICE_STOPPED, NGX_SLUICE_STOPPED, 0 },

    /* noop: never */
    { ngx_string("reset"), NGX_SLUICE_OP_RESET,
      { NGX_SLUICE_RUNNING, NGX_SLUICE_RUNNING },
      NGX_SLUICE_RUNNING, NGX_SLUICE_RUNNING, NGX_SLUICE_DELETING, 0 },

    { ngx_null_string, 0, { 0, 0 }, 0, 0, 0, 0 }
};


/* created Stopped at once; with ?autoStart=true, started */

static ngx_http_sluice_action_t  ngx_http_sluice_le_create_op = {
    ngx_null_string, NGX_SLUICE_OP_CREATE, { 0, 0 },
    NGX_SLUICE_STOPPED, NGX_SLUICE_STOPPED, 0, NGX_HTTP_SLUICE_ACT_INSTANT
};


static ngx_http_sluice_action_t  ngx_http_sluice_le_autostart = {
    ngx_null_string, NGX_SLUICE_OP_CREATE, { 0, 0 },
    NGX_SLUICE_STARTING, NGX_SLUICE_RUNNING, 0, 0
};


#define ngx_http_sluice_le_state_name(state)                                 \
    ngx_http_sluice_rt_live_event.states[state]


static const char  *ngx_http_sluice_le_encodings[] = {
    "None",
    "PassthroughBasic",
    "PassthroughStandard",
    "Standard",
    "Premium1080p"
};

#define NGX_HTTP_SLUICE_LE_NENCODINGS  5


static const char  *ngx_http_sluice_le_stretch[] = {
    "None",
    "AutoSize",
    "AutoFit"
};


static ngx_http_sluice_le_fixed_t  ngx_http_sluice_le_token = {
    "accessToken", "properties.input.accessToken", 0,
    ngx_http_sluice_le_new_token
};


static ngx_http_sluice_le_fixed_t  ngx_http_sluice_le_locator = {
    "previewLocator", "properties.preview.previewLocator", 1,
    ngx_http_sluice_le_new_locator
};


/* --- rules ----------------------------------------------------------- */

static ngx_int_t
ngx_http_sluice_le_unique(ngx_sluice_shctx_t *sh,
    ngx_http_sluice_res_build_t *b, void *old)
{
    ngx_sluice_event_t           *other;
    ngx_http_sluice_le_fields_t  *f;

    f = b->data;

    if (old == NULL && b->conf && sh->nevents >= b->conf->max_events) {
        ngx_http_sluice_res_refuse(&b->err, NGX_HTTP_CONFLICT, "QuotaExceeded",
                                   "The account already has the maximum "
                                   "number of live events (%ui).",
                                   b->conf->max_events);
    }

    other = ngx_sluice_event_by_token(sh, f->token, ngx_strlen(f->token));

    if (other && other != old) {
        ngx_http_sluice_res_bad(&b->err, "The accessToken is already used "
                                "by another live event.");
    }

    other = ngx_sluice_event_by_preview(sh, f->locator,
                                        ngx_strlen(f->locator));

    if (other && other != old) {
        ngx_http_sluice_res_bad(&b->err, "The previewLocator is already "
                                "used by another live event.");
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_le_check(ngx_sluice_shctx_t *sh,
    ngx_http_sluice_res_build_t *b, void *old)
{
    ngx_sluice_event_t           *ev;
    ngx_http_sluice_le_fields_t  *f;

    ev = old;
    f = b->data;

    if (ev && f->fragment_ms != ev->fragment_ms
        && ev->state != NGX_SLUICE_STOPPED)
    {
        ngx_http_sluice_res_bad(&b->err, "keyFrameIntervalDuration of live "
                                "event '%V' can only be changed while it is "
                                "Stopped.", &b->name);
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_le_deletable(ngx_sluice_shctx_t *sh, void *rec,
    ngx_http_sluice_res_err_t *err)
{
    ngx_sluice_event_t  *ev = rec;

    if (ev->state == NGX_SLUICE_STOPPED) {
        return NGX_OK;
    }

    ngx_http_sluice_res_fail(err, NGX_HTTP_CONFLICT, "InvalidResourceState",
                             "Live event '%s' is %s: stop it before deleting "
                             "it.", ev->name,
                             ngx_http_sluice_le_state_name(ev->state));

    return NGX_DECLINED;
}


/* its live outputs go (their assets stay) */

static void
ngx_http_sluice_le_deleting(ngx_sluice_shctx_t *sh, void *rec,
    ngx_log_t *log)
{
    ngx_sluice_event_t  *ev = rec;

    ngx_sluice_live_outputs_remove(sh, ev->name, log);
}


/* POST stop|reset {"removeOutputsOnStop": bool}; the body is optional */

static ngx_int_t
ngx_http_sluice_le_act_body(ngx_http_sluice_api_ctx_t *ctx,
    ngx_http_sluice_action_t *act, ngx_http_sluice_act_in_t *in,
    ngx_http_sluice_res_err_t *err)
{
    sluice_json_t  *v;

    v = NULL;

    if (ctx->body) {
        v = sluice_json_get(ctx->body, "removeOutputsOnStop");

        if (ctx->body->type != SLUICE_JSON_OBJECT
            || (v && v->type != SLUICE_JSON_BOOL
                && v->type != SLUICE_JSON_NULL))
        {
            ngx_http_sluice_res_bad(err, "The body must be an object like "
                                    "{\"removeOutputsOnStop\": false}.");
        }
    }

    in->option = (v && v->type == SLUICE_JSON_BOOL && v->boolean);

    return NGX_OK;
}


/* stop (removeOutputsOnStop) and reset end the live outputs */

static ngx_int_t
ngx_http_sluice_le_acting(ngx_sluice_shctx_t *sh, void *rec,
    ngx_http_sluice_action_t *act, ngx_http_sluice_act_in_t *in,
    ngx_http_sluice_op_plan_t *plan, ngx_http_sluice_res_err_t *err,
    ngx_log_t *log)
{
    ngx_sluice_event_t  *ev = rec;

    if (act->kind == NGX_SLUICE_OP_STOP && !in->option
        && ngx_sluice_live_outputs_count(sh, ev->name))
    {
        ngx_http_sluice_res_bad(err, "Live event '%s' has live outputs: "
                                "delete them first, or stop with "
                                "{\"removeOutputsOnStop\": true}.",
                                ev->name);
    }

    if (act->kind == NGX_SLUICE_OP_STOP || act->kind == NGX_SLUICE_OP_RESET) {
        ngx_sluice_live_outputs_remove(sh, ev->name, log);
    }

    return NGX_OK;
}


/* --- responses ------------------------------------------------------- */

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


/*
 * one input endpoint of base url "base": {base}/live/{token} (RTMP),
 * {base}/{token}/ingest.isml (FragmentedMP4), or
 * {base}?streamid=#!::r={token},m=publish (SRT)
 */

static ngx_int_t
ngx_http_sluice_le_input(ngx_http_request_t *r, sluice_alloc_t *a,
    sluice_json_t *arr, ngx_str_t *base, u_char *token, ngx_uint_t protocol)
{
    u_char         *p, *url;
    size_t          len;
    sluice_json_t  *e;

    len = base->len + sizeof("?streamid=#!::r=,m=publish") - 1
          + ngx_strlen(token);

    url = ngx_pnalloc(r->pool, len);
    if (url == NULL) {
        return NGX_ERROR;
    }

    switch (protocol) {

    case NGX_SLUICE_PROTO_FMP4:
        p = ngx_sprintf(url, "%V/%s/ingest.isml", base, token);
        break;

    case NGX_SLUICE_PROTO_SRT:
        p = ngx_sprintf(url, "%V?streamid=#!::r=%s,m=publish", base, token);
        break;

    default:
        p = ngx_sprintf(url, "%V/live/%s", base, token);
    }

    e = ngx_http_sluice_le_endpoint(a, ngx_http_sluice_le_protocol(protocol),
                                    url, p - url);
    if (e == NULL) {
        return NGX_ERROR;
    }

    sluice_json_append(arr, e);

    return NGX_OK;
}


/*
 * No sluice_ingest_url of the protocol: rtmp://{host}:1935,
 * srt://{host}:9000, or the scheme and Host of the API request
 * (FragmentedMP4)
 */

static ngx_int_t
ngx_http_sluice_le_default_base(ngx_http_request_t *r, ngx_uint_t protocol,
    ngx_str_t *base)
{
    ngx_str_t  host;

    host = ngx_http_sluice_le_hostname(r);

    if (protocol == NGX_SLUICE_PROTO_FMP4 && r->headers_in.host) {
        host = r->headers_in.host->value;
    }

    base->len = sizeof("https://:1935") - 1 + host.len;
    base->data = ngx_pnalloc(r->pool, base->len);
    if (base->data == NULL) {
        return NGX_ERROR;
    }

    if (protocol == NGX_SLUICE_PROTO_RTMP) {
        base->len = ngx_sprintf(base->data, "rtmp://%V:1935", &host)
                    - base->data;
        return NGX_OK;
    }

    if (protocol == NGX_SLUICE_PROTO_SRT) {
        base->len = ngx_sprintf(base->data, "srt://%V:9000", &host)
                    - base->data;
        return NGX_OK;
    }

    base->len = ngx_sprintf(base->data, "%s://%V",
#if (NGX_HTTP_SSL)
                            r->connection->ssl ? "https" : "http",
#else
                            "http",
#endif
                            &host)
                - base->data;

    return NGX_OK;
}


/* the protocol of a sluice_ingest_url, by its scheme */

static ngx_uint_t
ngx_http_sluice_le_url_protocol(ngx_str_t *url)
{
    if (url->len >= 4 && ngx_strncasecmp(url->data, (u_char *) "http", 4) == 0)
    {
        return NGX_SLUICE_PROTO_FMP4;
    }

    if (url->len >= 6 && ngx_strncasecmp(url->data, (u_char *) "srt://", 6)
                         == 0)
    {
        return NGX_SLUICE_PROTO_SRT;
    }

    return NGX_SLUICE_PROTO_RTMP;
}


/* input.streamingProtocol and input.endpoints[].protocol */

static const char *
ngx_http_sluice_le_protocol(ngx_uint_t protocol)
{
    switch (protocol) {
    case NGX_SLUICE_PROTO_FMP4:
        return "FragmentedMP4";
    case NGX_SLUICE_PROTO_SRT:
        return "SRT";
    default:
        return "RTMP";
    }
}


static ngx_int_t
ngx_http_sluice_le_endpoints(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, sluice_json_t *props, u_char *token,
    u_char *locator)
{
    u_char                       *p, *url;
    size_t                        len;
    ngx_str_t                    *urls, base;
    ngx_uint_t                    i, n, protocol;
    sluice_json_t                *input, *preview, *arr, *e, *v;
    sluice_alloc_t               *a;
    ngx_http_sluice_main_conf_t  *smcf;

    a = &ctx->alloc;
    smcf = ctx->conf;

    input = sluice_json_get(props, "input");
    preview = sluice_json_get(props, "preview");

    if (input == NULL || preview == NULL) {
        return NGX_ERROR;
    }

    /*
     * input: for each sluice_ingest_url of the event's protocol (by its
     * scheme: rtmp://, rtmps://; http://, https://; srt://) an endpoint
     */

    v = sluice_json_get(input, "streamingProtocol");
    protocol = NGX_SLUICE_PROTO_RTMP;

    if (v && v->type == SLUICE_JSON_STRING) {
        if (v->str.len == 13) {
            protocol = NGX_SLUICE_PROTO_FMP4;

        } else if (v->str.len == 3) {
            protocol = NGX_SLUICE_PROTO_SRT;
        }
    }

    arr = sluice_json_new(a, SLUICE_JSON_ARRAY);
    if (arr == NULL) {
        return NGX_ERROR;
    }

    urls = NULL;
    n = 0;

    if (smcf->ingest_urls) {
        urls = smcf->ingest_urls->elts;
        n = smcf->ingest_urls->nelts;
    }

    for (i = 0; i < n; i++) {
        if (ngx_http_sluice_le_url_protocol(&urls[i]) != protocol) {
            continue;
        }

        if (ngx_http_sluice_le_input(r, a, arr, &urls[i], token, protocol)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (arr->count == 0) {
        if (ngx_http_sluice_le_default_base(r, protocol, &base) != NGX_OK
            || ngx_http_sluice_le_input(r, a, arr, &base, token, protocol)
               != NGX_OK)
        {
            return NGX_ERROR;
        }
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

    } else if (ngx_http_sluice_le_default_base(r, NGX_SLUICE_PROTO_FMP4,
                                               &base)
               != NGX_OK)
    {
        return NGX_ERROR;
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


/* resourceState, provisioningState and the endpoints */

static ngx_int_t
ngx_http_sluice_le_render(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_res_snap_t *snap,
    sluice_json_t *res, sluice_json_t *props)
{
    u_char          *token, *locator;
    const char      *prov;
    sluice_json_t   *v;
    sluice_alloc_t  *a;

    a = &ctx->alloc;

    prov = ngx_http_sluice_res_provisioning(snap->pending, snap->op_kind,
                                            snap->state == NGX_SLUICE_DELETING);

    v = sluice_json_get(sluice_json_get(props, "input"), "accessToken");
    token = v ? (u_char *) v->str.data : (u_char *) "";
    v = sluice_json_get(sluice_json_get(props, "preview"), "previewLocator");
    locator = v ? (u_char *) v->str.data : (u_char *) "";

    if (ngx_http_sluice_res_set(a, props, "resourceState",
                                sluice_json_new_cstring(a,
                                    ngx_http_sluice_le_state_name(
                                        snap->state)))
        || ngx_http_sluice_res_set(a, props, "provisioningState",
                                   sluice_json_new_cstring(a, prov))
        || ngx_http_sluice_le_endpoints(r, ctx, props, token, locator))
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* --- validation ------------------------------------------------------ */

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
ngx_http_sluice_le_acl(ngx_http_sluice_res_build_t *b, sluice_json_t *in,
    const char *what, ngx_sluice_ip_acl_t *acl, sluice_json_t *out)
{
    ngx_int_t       rc;
    sluice_json_t  *v, *ip, *norm, *o;

    v = sluice_json_get(in, "accessControl");
    ip = NULL;

    if (!ngx_http_sluice_absent(v)) {
        if (v->type != SLUICE_JSON_OBJECT) {
            ngx_http_sluice_res_bad(&b->err, "%s must be an object.", what);
        }

        ip = sluice_json_get(v, "ip");
    }

    rc = ngx_http_sluice_res_ip_allow(b->a, &b->err, ip, what, acl, &norm);
    if (rc != NGX_OK || norm == NULL) {
        return rc;
    }

    o = sluice_json_new(b->a, SLUICE_JSON_OBJECT);
    ip = sluice_json_new(b->a, SLUICE_JSON_OBJECT);
    if (o == NULL || ip == NULL) {
        return NGX_ERROR;
    }

    ngx_http_sluice_res_put_member(b->a, ip, "allow",
                                   sluice_json_get(norm, "allow"));
    ngx_http_sluice_res_put_member(b->a, o, "ip", ip);
    ngx_http_sluice_res_put_member(b->a, out, "accessControl", o);

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
ngx_http_sluice_le_build_input(ngx_http_sluice_res_build_t *b,
    sluice_json_t *props, sluice_json_t *oldp, sluice_json_t *np,
    ngx_http_sluice_le_fields_t *f)
{
    char                        dur[SLUICE_ISO8601_DURATION_LEN];
    uint64_t                    ms;
    ngx_int_t                   rc;
    sluice_json_t              *input, *ni, *v, *old;
    sluice_alloc_t             *a;
    ngx_http_sluice_res_err_t  *err;

    a = b->a;
    err = &b->err;

    input = sluice_json_get(props, "input");

    if (input == NULL || input->type != SLUICE_JSON_OBJECT) {
        ngx_http_sluice_le_bad("properties.input is required and must be an "
                               "object.");
    }

    v = sluice_json_get(input, "streamingProtocol");

    if (v == NULL || v->type != SLUICE_JSON_STRING) {
        ngx_http_sluice_le_bad("properties.input.streamingProtocol is "
                               "required: RTMP, FragmentedMP4 or SRT.");
    }

    if (v->str.len == 13
        && ngx_strncasecmp((u_char *) v->str.data, (u_char *) "FragmentedMP4",
                           13) == 0)
    {
        f->protocol = NGX_SLUICE_PROTO_FMP4;

    } else if (v->str.len == 4
               && ngx_strncasecmp((u_char *) v->str.data, (u_char *) "RTMP", 4)
                  == 0)
    {
        f->protocol = NGX_SLUICE_PROTO_RTMP;

    } else if (v->str.len == 3
               && ngx_strncasecmp((u_char *) v->str.data, (u_char *) "SRT", 3)
                  == 0)
    {
        f->protocol = NGX_SLUICE_PROTO_SRT;

    } else {
        ngx_http_sluice_le_bad("properties.input.streamingProtocol must be "
                               "RTMP, FragmentedMP4 or SRT (an extension of "
                               "Sluice).");
    }

    if (f->protocol != NGX_SLUICE_PROTO_RTMP && ngx_http_sluice_le_live(props))
    {
        ngx_http_sluice_le_bad("live encoding takes its contribution feed "
                               "over RTMP: set properties.input."
                               "streamingProtocol to RTMP.");
    }

    ni = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (ni == NULL) {
        return NGX_ERROR;
    }

    ngx_http_sluice_le_put_member(ni, "streamingProtocol",
        sluice_json_new_cstring(a,
                                ngx_http_sluice_le_protocol(f->protocol)));

    /*
     * keyFrameIntervalDuration: the fragment duration (pass-through; live
     * encoding sets encoding.keyFrameInterval instead, as AMS)
     */

    v = sluice_json_get(input, "keyFrameIntervalDuration");

    if (ngx_http_sluice_le_live(props)
        && !(ngx_http_sluice_absent(v)
             || (v->type == SLUICE_JSON_STRING && v->str.len == 0)))
    {
        ngx_http_sluice_le_bad("properties.input.keyFrameIntervalDuration "
                               "must be empty for live encoding events; "
                               "set properties.encoding.keyFrameInterval.");
    }

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
        ngx_http_sluice_le_live(props)
        ? sluice_json_new_cstring(a, "")
        : sluice_json_new_string(a, (uint8_t *) dur,
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

    rc = ngx_http_sluice_le_acl(b, input, "properties.input.accessControl",
                                &f->input_acl, ni);
    if (rc != NGX_OK) {
        return rc;
    }

    ngx_http_sluice_le_put_member(np, "input", ni);

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_le_build_preview(ngx_http_sluice_res_build_t *b,
    sluice_json_t *props, sluice_json_t *oldp, sluice_json_t *np,
    ngx_http_sluice_le_fields_t *f)
{
    ngx_int_t                   rc;
    sluice_json_t              *preview, *npv, *v, *old, *s;
    sluice_alloc_t             *a;
    ngx_http_sluice_res_err_t  *err;

    a = b->a;
    err = &b->err;

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

    rc = ngx_http_sluice_le_acl(b, preview,
                                "properties.preview.accessControl",
                                &f->preview_acl, npv);
    if (rc != NGX_OK) {
        return rc;
    }

    ngx_http_sluice_le_put_member(np, "preview", npv);

    return NGX_OK;
}


/* properties.encoding.encodingType is one of live encoding */

static ngx_uint_t
ngx_http_sluice_le_live(sluice_json_t *props)
{
    sluice_json_t  *v;

    v = sluice_json_get(sluice_json_get(props, "encoding"), "encodingType");

    return v && v->type == SLUICE_JSON_STRING
           && ((v->str.len == 8
                && ngx_strncasecmp((u_char *) v->str.data,
                                   (u_char *) "Standard", 8) == 0)
               || (v->str.len == 12
                   && ngx_strncasecmp((u_char *) v->str.data,
                                      (u_char *) "Premium1080p", 12) == 0));
}


/* what only live encoding events may set */

static ngx_int_t
ngx_http_sluice_le_passthrough_encoding(sluice_json_t *enc,
    ngx_http_sluice_res_err_t *err)
{
    sluice_json_t  *v;

    v = sluice_json_get(enc, "presetName");

    if (!ngx_http_sluice_absent(v)
        && !(v->type == SLUICE_JSON_STRING && v->str.len == 0))
    {
        ngx_http_sluice_le_bad("properties.encoding.presetName is only valid "
                               "for live encoding (encodingType Standard or "
                               "Premium1080p).");
    }

    v = sluice_json_get(enc, "keyFrameInterval");

    if (!ngx_http_sluice_absent(v)
        && !(v->type == SLUICE_JSON_STRING && v->str.len == 0))
    {
        ngx_http_sluice_le_bad("properties.encoding.keyFrameInterval cannot "
                               "be set for pass-through live events; use "
                               "input.keyFrameIntervalDuration.");
    }

    v = sluice_json_get(enc, "stretchMode");

    if (!ngx_http_sluice_absent(v) && !sluice_json_str_eq(v, "None")) {
        ngx_http_sluice_le_bad("properties.encoding.stretchMode is only "
                               "valid for live encoding.");
    }

    return NGX_OK;
}


/* presetName, keyFrameInterval and stretchMode of a live encoding event */

static ngx_int_t
ngx_http_sluice_le_build_live_encoding(ngx_http_sluice_res_build_t *b,
    sluice_json_t *enc, sluice_json_t *oldp, sluice_json_t *ne,
    ngx_http_sluice_le_fields_t *f)
{
    char                          dur[SLUICE_ISO8601_DURATION_LEN];
    size_t                        len;
    u_char                       *name;
    uint64_t                      ms;
    ngx_str_t                     lname;
    ngx_uint_t                    i;
    sluice_json_t                *v, *old;
    sluice_alloc_t               *a;
    ngx_http_sluice_res_err_t    *err;
    const ngx_sluice_ladder_t    *ld;
    ngx_sluice_transcode_conf_t  *tc;

    a = b->a;
    err = &b->err;
    tc = b->zctx ? b->zctx->transcode : NULL;

    /*
     * a stored event loads whatever nginx.conf says now (its publisher
     * is refused with the reason while the configuration lacks it)
     */

    if (!b->load && (tc == NULL || tc->path.len == 0)) {
        ngx_http_sluice_le_bad("live encoding (encodingType %s) needs "
                               "\"sluice_transcoder\" in nginx.conf; this "
                               "server has none.",
                               ngx_http_sluice_le_encodings[f->encoding]);
    }

    /* presetName: a ladder; AMS's default of the encodingType */

    v = sluice_json_get(enc, "presetName");

    if (ngx_http_sluice_absent(v)
        || (v->type == SLUICE_JSON_STRING && v->str.len == 0))
    {
        name = (u_char *) ngx_sluice_ladder_default(f->encoding);
        len = ngx_strlen(name);

    } else if (v->type != SLUICE_JSON_STRING) {
        ngx_http_sluice_le_bad("properties.encoding.presetName must be a "
                               "string.");

    } else {
        name = (u_char *) v->str.data;
        len = v->str.len;
    }

    ld = ngx_sluice_ladder_find(tc, name, len);

    if (ld) {
        lname = ld->name;

    } else if (b->load) {
        lname.data = name;
        lname.len = ngx_min(len, NGX_SLUICE_PRESET_LEN);

    } else {
        ngx_http_sluice_le_bad("properties.encoding.presetName '%*s' is not "
                               "a ladder: Default720p, Default1080p or a "
                               "sluice_ladder of nginx.conf.", (int) len,
                               name);
    }

    if ((f->encoding == NGX_SLUICE_ENC_STANDARD
         && lname.len == 12
         && ngx_strncmp(lname.data, "Default1080p", 12) == 0)
        || (f->encoding == NGX_SLUICE_ENC_PREMIUM_1080P
            && lname.len == 11
            && ngx_strncmp(lname.data, "Default720p", 11) == 0))
    {
        ngx_http_sluice_le_bad("presetName %V goes with encodingType %s.",
                               &lname,
                               f->encoding == NGX_SLUICE_ENC_STANDARD
                               ? "Premium1080p" : "Standard");
    }

    old = sluice_json_get(sluice_json_get(oldp, "encoding"), "presetName");

    if (old && old->type == SLUICE_JSON_STRING
        && !(old->str.len == lname.len
             && ngx_strncasecmp((u_char *) old->str.data, lname.data,
                                lname.len) == 0))
    {
        ngx_http_sluice_le_bad("properties.encoding.presetName cannot be "
                               "changed.");
    }

    ngx_memcpy(f->preset, lname.data, lname.len);
    f->preset[lname.len] = '\0';

    /* keyFrameInterval: the GOP and fragment of every layer */

    v = sluice_json_get(enc, "keyFrameInterval");

    if (ngx_http_sluice_absent(v)
        || (v->type == SLUICE_JSON_STRING && v->str.len == 0))
    {
        ms = 2000;

    } else if (v->type != SLUICE_JSON_STRING
               || sluice_iso8601_duration_parse(v->str.data, v->str.len, &ms)
                  != SLUICE_OK)
    {
        ngx_http_sluice_le_bad("properties.encoding.keyFrameInterval must be "
                               "an ISO 8601 duration like PT2S.");

    } else if (ms < 500 || ms > NGX_HTTP_SLUICE_MAX_FRAGMENT_MS) {
        ngx_http_sluice_le_bad("properties.encoding.keyFrameInterval must be "
                               "from PT0.5S to PT20S.");
    }

    f->fragment_ms = (ngx_msec_t) ms;

    /* stretchMode */

    v = sluice_json_get(enc, "stretchMode");
    f->stretch = NGX_SLUICE_STRETCH_NONE;

    if (!ngx_http_sluice_absent(v)) {
        for (i = 0; i < 3; i++) {
            if (sluice_json_str_eq(v, ngx_http_sluice_le_stretch[i])) {
                break;
            }
        }

        if (i == 3) {
            ngx_http_sluice_le_bad("properties.encoding.stretchMode must be "
                                   "None, AutoSize or AutoFit.");
        }

        f->stretch = i;
    }

    ngx_http_sluice_le_put_member(ne, "presetName",
        sluice_json_new_string(a, lname.data, lname.len));
    ngx_http_sluice_le_put_member(ne, "keyFrameInterval",
        sluice_json_new_string(a, (uint8_t *) dur,
                               sluice_iso8601_duration_format(ms, dur)));
    ngx_http_sluice_le_put_member(ne, "stretchMode",
        sluice_json_new_cstring(a, ngx_http_sluice_le_stretch[f->stretch]));

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_le_build_encoding(ngx_http_sluice_res_build_t *b,
    sluice_json_t *props, sluice_json_t *oldp, sluice_json_t *np,
    ngx_http_sluice_le_fields_t *f)
{
    size_t                      len;
    ngx_int_t                   rc;
    ngx_uint_t                  i;
    sluice_json_t              *enc, *v, *old, *ne;
    sluice_alloc_t             *a;
    ngx_http_sluice_res_err_t  *err;

    a = b->a;
    err = &b->err;

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

        for (i = 0; i < NGX_HTTP_SLUICE_LE_NENCODINGS; i++) {
            len = ngx_strlen(ngx_http_sluice_le_encodings[i]);

            if (v->str.len == len
                && ngx_strncasecmp((u_char *) v->str.data,
                       (u_char *) ngx_http_sluice_le_encodings[i], len) == 0)
            {
                break;
            }
        }

        if (i == NGX_HTTP_SLUICE_LE_NENCODINGS) {
            ngx_http_sluice_le_bad("properties.encoding.encodingType must be "
                                   "None, PassthroughBasic, "
                                   "PassthroughStandard, Standard or "
                                   "Premium1080p.");
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

    ne = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (ne == NULL) {
        return NGX_ERROR;
    }

    ngx_http_sluice_le_put_member(ne, "encodingType",
        sluice_json_new_cstring(a, ngx_http_sluice_le_encodings[f->encoding]));

    if (ngx_sluice_encoding_live(f->encoding)) {
        rc = ngx_http_sluice_le_build_live_encoding(b, enc, oldp, ne, f);
        if (rc != NGX_OK) {
            return rc;
        }

    } else {
        rc = ngx_http_sluice_le_passthrough_encoding(enc, err);
        if (rc != NGX_OK) {
            return rc;
        }

        ngx_http_sluice_le_put_member(ne, "presetName",
                                      sluice_json_new(a, SLUICE_JSON_NULL));
    }

    ngx_http_sluice_le_put_member(np, "encoding", ne);

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_le_build_misc(sluice_alloc_t *a, sluice_json_t *props,
    sluice_json_t *oldp, sluice_json_t *np, ngx_http_sluice_le_fields_t *f,
    ngx_http_sluice_res_err_t *err)
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

    /* create-only, as in AMS: an update keeps the options of the event */

    v = sluice_json_get(oldp, "streamOptions");

    if (ngx_http_sluice_absent(v)) {
        v = sluice_json_get(props, "streamOptions");
    }

    arr = sluice_json_new(a, SLUICE_JSON_ARRAY);
    if (arr == NULL) {
        return NGX_ERROR;
    }

    f->latency = NGX_SLUICE_LATENCY_DEFAULT;

    if (!ngx_http_sluice_absent(v)) {
        if (v->type != SLUICE_JSON_ARRAY || v->count > 3) {
            ngx_http_sluice_le_bad("properties.streamOptions must be an "
                                   "array of Default, LowLatency or "
                                   "LowLatencyV2.");
        }

        for (e = v->child; e; e = e->next) {
            if (sluice_json_str_eq(e, "LowLatencyV2")) {
                f->latency = NGX_SLUICE_LATENCY_LOW_V2;

            } else if (sluice_json_str_eq(e, "LowLatency")) {
                if (f->latency == NGX_SLUICE_LATENCY_DEFAULT) {
                    f->latency = NGX_SLUICE_LATENCY_LOW;
                }

            } else if (!sluice_json_str_eq(e, "Default")) {
                ngx_http_sluice_le_bad("properties.streamOptions entries "
                                       "must be Default, LowLatency or "
                                       "LowLatencyV2.");
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
 * stored document, or a stored document at startup) into the stored
 * document b->doc and the fixed fields b->data.  b->old is the stored
 * document of an existing event (for values that cannot change).
 */

static ngx_int_t
ngx_http_sluice_le_build(ngx_http_sluice_res_build_t *b)
{
    char                          now[SLUICE_ISO8601_TIME_LEN];
    size_t                        nlen;
    ngx_int_t                     rc;
    ngx_str_t                    *name;
    ngx_time_t                   *tp;
    sluice_json_t                *in, *old, *props, *oldp, *doc, *np, *v;
    sluice_json_t                *s;
    sluice_alloc_t               *a;
    ngx_http_sluice_res_err_t    *err;
    ngx_http_sluice_le_fields_t  *f;

    a = b->a;
    err = &b->err;
    in = b->in;
    old = b->old;
    name = &b->name;

    f = b->data;

    if (f == NULL) {
        f = ngx_pcalloc(b->pool, sizeof(ngx_http_sluice_le_fields_t));
        if (f == NULL) {
            return NGX_ERROR;
        }

        b->data = f;
    }


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

    rc = ngx_http_sluice_res_tracked(b, doc);
    if (rc != NGX_OK) {
        return rc;
    }

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

    rc = ngx_http_sluice_le_build_input(b, props, oldp, np, f);
    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_sluice_le_build_preview(b, props, oldp, np, f);
    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_sluice_le_build_encoding(b, props, oldp, np, f);
    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_sluice_le_build_misc(a, props, oldp, np, f, err);
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
        b->load && v && v->type == SLUICE_JSON_STRING
        ? sluice_json_new_string(a, v->str.data, v->str.len)
        : sluice_json_new_string(a, (uint8_t *) now, nlen));

    ngx_http_sluice_le_put_member(doc, "properties", np);

    b->doc = doc;

    return NGX_OK;
}


/* --- records: ngx_sluice_event_t ------------------------------------ */

static void *
ngx_http_sluice_le_find(ngx_sluice_shctx_t *sh, ngx_http_sluice_rt_t *rt,
    u_char *parent, u_char *name, size_t len)
{
    return ngx_sluice_event_by_name(sh, name, len);
}


/* the next event after prev, settled; those a settling frees are skipped */

static void *
ngx_http_sluice_le_next(ngx_sluice_shctx_t *sh, ngx_http_sluice_rt_t *rt,
    void *prev)
{
    ngx_queue_t         *q, *next;
    ngx_sluice_event_t  *ev;

    q = prev ? ngx_queue_next(&((ngx_sluice_event_t *) prev)->queue)
             : ngx_queue_head(&sh->events);

    while (q != ngx_queue_sentinel(&sh->events)) {
        next = ngx_queue_next(q);
        ev = ngx_queue_data(q, ngx_sluice_event_t, queue);

        if (ngx_sluice_event_settle(sh, ev) == NGX_OK) {
            return ev;
        }

        q = next;
    }

    return NULL;
}


static ngx_uint_t
ngx_http_sluice_le_count(ngx_sluice_shctx_t *sh, ngx_http_sluice_rt_t *rt)
{
    return sh->nevents;
}


static void
ngx_http_sluice_le_view(void *rec, ngx_http_sluice_rec_t *v)
{
    ngx_sluice_event_t  *ev = rec;

    v->name = ev->name;
    v->parent = (u_char *) "";
    v->state = &ev->state;
    v->op = &ev->op;
    v->json = &ev->json;
    v->json_len = &ev->json_len;
    v->serial = &ev->serial;
    v->version = &ev->version;
    v->persisted = &ev->persisted;
}


static void
ngx_http_sluice_le_fields(void *rec, ngx_http_sluice_res_snap_t *snap)
{
    ngx_sluice_event_t  *ev = rec;

    ngx_memcpy(snap->f.id, ev->id, sizeof(ev->id));
    snap->generation = ev->generation;
}


static void
ngx_http_sluice_le_apply(void *rec, ngx_http_sluice_res_build_t *b,
    ngx_uint_t update)
{
    ngx_sluice_event_t           *ev = rec;
    ngx_http_sluice_le_fields_t  *f = b->data;

    ngx_memcpy(ev->token, f->token, sizeof(ev->token));
    ngx_memcpy(ev->preview_locator, f->locator, sizeof(ev->preview_locator));
    ev->encoding = f->encoding;
    ev->protocol = f->protocol;
    ev->fragment_ms = f->fragment_ms;
    ev->latency = f->latency;
    ngx_memcpy(ev->preset, f->preset, sizeof(ev->preset));
    ev->stretch = f->stretch;
    ev->input_acl = f->input_acl;
    ev->preview_acl = f->preview_acl;
}


/*
 * A new event: a new id (or its file's), the generation after its file's
 * (a fresh zone has no fragments); debug builds may crash half-way here
 * (ngx_sluice_test_crash_point()) when a request creates it.
 */

static void *
ngx_http_sluice_le_create(ngx_sluice_zone_ctx_t *zctx,
    ngx_http_sluice_rt_t *rt, ngx_http_sluice_res_build_t *b,
    ngx_str_t *json)
{
    ngx_sluice_shctx_t           *sh;
    ngx_sluice_event_t           *ev;
    ngx_http_sluice_le_fields_t  *f;

    sh = zctx->sh;
    f = b->data;

    if (b->name.len > NGX_SLUICE_NAME_LEN) {
        return NULL;
    }

    ev = ngx_sluice_event_alloc(sh);
    if (ev == NULL) {
        return NULL;
    }

    ngx_memcpy(ev->name, b->name.data, b->name.len);

    if (f->id[0]) {
        ngx_memcpy(ev->id, f->id, sizeof(ev->id));

    } else {
        ngx_http_sluice_new_uuid(ev->id);
    }

    ev->generation = f->generation;
    ev->version = 1;

    ngx_http_sluice_le_apply(ev, b, 0);

    if (ngx_sluice_event_set_json(sh, ev, json->data, json->len) != NGX_OK) {
        ngx_sluice_event_free(sh, ev);
        return NULL;
    }

    ngx_queue_insert_tail(&sh->events, &ev->queue);

    if (b->conf) {
        ngx_sluice_test_crash_point(&zctx->data_path);
    }

    sh->nevents++;

    return ev;
}


static void
ngx_http_sluice_le_free(ngx_sluice_shctx_t *sh, void *rec)
{
    ngx_sluice_event_free(sh, rec);
}


static ngx_sluice_op_t *
ngx_http_sluice_le_op_start(ngx_sluice_shctx_t *sh, void *rec,
    ngx_uint_t kind, ngx_uint_t state, ngx_uint_t target,
    ngx_msec_t delay_ms, u_char *id)
{
    return ngx_sluice_op_start(sh, rec, kind, state, target, delay_ms, id);
}


static ngx_sluice_op_t *
ngx_http_sluice_le_op_find(ngx_sluice_shctx_t *sh, ngx_http_sluice_rt_t *rt,
    u_char *id, size_t len)
{
    return ngx_sluice_op_find(sh, id, len);
}


/* the file names the generation the event runs in once started */

static ngx_int_t
ngx_http_sluice_le_file(ngx_pool_t *pool, ngx_http_sluice_res_snap_t *snap,
    ngx_str_t *content)
{
    u_char    *p;
    uint32_t   gen;

    gen = snap->generation;

    if (snap->pending && snap->final == NGX_SLUICE_RUNNING
        && snap->op_kind != NGX_SLUICE_OP_UPDATE)
    {
        gen++;
    }

    content->len = sizeof("{\"sluice\":{\"id\":\"\",\"generation\":,"
                          "\"resourceState\":\"\"},\"resource\":}") - 1
                   + NGX_SLUICE_ID_LEN + NGX_INT32_LEN
                   + sizeof("Allocating") + snap->json.len;

    content->data = ngx_pnalloc(pool, content->len);
    if (content->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(content->data,
                    "{\"sluice\":{\"id\":\"%s\",\"generation\":%uD,"
                    "\"resourceState\":\"%s\"},\"resource\":%V}",
                    snap->f.id, gen,
                    ngx_http_sluice_le_state_name(snap->final), &snap->json);

    content->len = p - content->data;

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_le_write(ngx_pool_t *pool, ngx_log_t *log,
    ngx_sluice_zone_ctx_t *zctx, ngx_http_sluice_res_snap_t *snap,
    ngx_str_t *content, ngx_str_t *tmp)
{
    return ngx_sluice_store_write(pool, log, &zctx->data_path, snap->name,
                                  content, tmp);
}


static ngx_int_t
ngx_http_sluice_le_commit(ngx_pool_t *pool, ngx_log_t *log,
    ngx_sluice_zone_ctx_t *zctx, ngx_http_sluice_res_snap_t *snap,
    ngx_str_t *tmp)
{
    return ngx_sluice_store_commit(pool, log, &zctx->data_path, snap->name,
                                   tmp);
}


static ngx_int_t
ngx_http_sluice_le_unlink(ngx_pool_t *pool, ngx_log_t *log,
    ngx_sluice_zone_ctx_t *zctx, void *rec)
{
    return ngx_sluice_store_remove(pool, log, &zctx->data_path,
                                   ((ngx_sluice_event_t *) rec)->name);
}


static ngx_int_t
ngx_http_sluice_le_load_name(ngx_http_sluice_res_build_t *b,
    sluice_json_t *meta, sluice_json_t *doc)
{
    sluice_json_t  *v;

    v = sluice_json_get(doc, "name");

    if (v == NULL || v->type != SLUICE_JSON_STRING) {
        return NGX_DECLINED;
    }

    b->name.data = (u_char *) v->str.data;
    b->name.len = v->str.len;

    return NGX_OK;
}


/*
 * The state, id and generation of a file.  Transitions in flight
 * complete: an event that ran, runs again; one being deleted is gone.
 */

static ngx_int_t
ngx_http_sluice_le_load_meta(ngx_http_sluice_rt_t *rt,
    ngx_http_sluice_res_build_t *b, sluice_json_t *meta)
{
    ngx_uint_t                    i;
    sluice_json_t                *v;
    ngx_http_sluice_le_fields_t  *f;

    f = b->data;
    b->state = NGX_SLUICE_STOPPED;

    v = sluice_json_get(meta, "resourceState");

    for (i = 0; v && i < 8 && rt->states[i]; i++) {
        if (sluice_json_str_eq(v, rt->states[i])) {
            b->state = i;
        }
    }

    switch (b->state) {
    case NGX_SLUICE_ALLOCATING:
        b->state = NGX_SLUICE_STANDBY;
        break;
    case NGX_SLUICE_STARTING:
        b->state = NGX_SLUICE_RUNNING;
        break;
    case NGX_SLUICE_STOPPING:
        b->state = NGX_SLUICE_STOPPED;
        break;
    case NGX_SLUICE_DELETING:
        return NGX_DECLINED;
    }

    v = sluice_json_get(meta, "id");

    if (v && v->type == SLUICE_JSON_STRING
        && sluice_uuid_valid(v->str.data, v->str.len))
    {
        ngx_memcpy(f->id, v->str.data, NGX_SLUICE_ID_LEN);
    }

    v = sluice_json_get(meta, "generation");

    if (v && v->type == SLUICE_JSON_NUMBER && v->number >= 0
        && v->number < 4294967295.0)
    {
        f->generation = (uint32_t) v->number + 1;
    }

    return NGX_OK;
}


/* where live events are: ngx_sluice_event_t, {data}/api/liveEvents/ */

static ngx_http_sluice_rk_t  ngx_http_sluice_le_kind = {
    .find = ngx_http_sluice_le_find,
    .next = ngx_http_sluice_le_next,
    .count = ngx_http_sluice_le_count,
    .view = ngx_http_sluice_le_view,
    .fields = ngx_http_sluice_le_fields,
    .apply = ngx_http_sluice_le_apply,
    .create = ngx_http_sluice_le_create,
    .free = ngx_http_sluice_le_free,
    .op_start = ngx_http_sluice_le_op_start,
    .op_find = ngx_http_sluice_le_op_find,
    .file = ngx_http_sluice_le_file,
    .write = ngx_http_sluice_le_write,
    .commit = ngx_http_sluice_le_commit,
    .unlink = ngx_http_sluice_le_unlink,
    .load_name = ngx_http_sluice_le_load_name,
    .load_meta = ngx_http_sluice_le_load_meta,
};


ngx_http_sluice_rt_t  ngx_http_sluice_rt_live_event = {
    .type = NGX_HTTP_SLUICE_RES_LIVE_EVENT,
    .collection = "liveEvents",
    .id_segment = "liveevents",
    .arm_type = "Microsoft.Media/mediaservices/liveevents",
    .what = "Live event",
    .op_collection = "liveEventOperations",
    .states = { "Stopped", "Allocating", "StandBy", "Starting", "Running",
                "Stopping", "Deleting" },
    .name_max = NGX_SLUICE_NAME_LEN,
    .flags = NGX_HTTP_SLUICE_RT_PATCH|NGX_HTTP_SLUICE_RT_LRO
             |NGX_HTTP_SLUICE_RT_TRACKED|NGX_HTTP_SLUICE_RT_LIVE_NAME
             |NGX_HTTP_SLUICE_RT_NAME_CURSOR,
    .kind = &ngx_http_sluice_le_kind,
    .create = &ngx_http_sluice_le_create_op,
    .autostart = &ngx_http_sluice_le_autostart,
    .delete_state = NGX_SLUICE_DELETING,
    .actions = ngx_http_sluice_le_actions,
    .build = ngx_http_sluice_le_build,
    .unique = ngx_http_sluice_le_unique,
    .check = ngx_http_sluice_le_check,
    .deletable = ngx_http_sluice_le_deletable,
    .deleting = ngx_http_sluice_le_deleting,
    .render = ngx_http_sluice_le_render,
    .act_body = ngx_http_sluice_le_act_body,
    .acting = ngx_http_sluice_le_acting,
    .post = ngx_http_sluice_le_post,
};
