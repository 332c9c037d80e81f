
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The REST API shaped like Azure Media Services v3 (ARM): routing of
 *
 *   /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Media/
 *       mediaservices/{account}/...
 *
 * authentication and authorization (ngx_http_sluice_api_auth.c),
 * api-version checks, request bodies (bounded,
 * parsed as JSON) and ARM-shaped errors
 * {"error":{"code":"...","message":"..."}}.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <sys/random.h>

#include "api/ngx_http_sluice_api.h"
#include "api/ngx_http_sluice_api_auth.h"
#include "api/ngx_http_sluice_api_resource.h"


static ngx_int_t ngx_http_sluice_api_version(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx);
static ngx_int_t ngx_http_sluice_api_route(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx);
static ngx_int_t ngx_http_sluice_api_raw_path_ok(ngx_http_request_t *r);
static ngx_int_t ngx_http_sluice_api_raw_segment_ok(u_char *p, u_char *last);
static ngx_int_t ngx_http_sluice_api_base(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx);
static void ngx_http_sluice_api_body(ngx_http_request_t *r);
static ngx_int_t ngx_http_sluice_api_parse_body(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx);
static void *ngx_http_sluice_api_alloc(void *pool, size_t size);
static ngx_int_t ngx_http_sluice_api_refused(ngx_http_request_t *r);
static ngx_int_t ngx_http_sluice_api_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);


static ngx_http_request_body_filter_pt  ngx_http_next_request_body_filter;


#define NGX_HTTP_SLUICE_MAX_SEGMENTS  14


static ngx_str_t  ngx_http_sluice_api_versions[] = {
    ngx_string("2022-08-01"),
    ngx_string("2022-11-01"),
    ngx_string("2023-01-01"),
    ngx_null_string
};


static ngx_str_t  ngx_http_sluice_json_type =
    ngx_string("application/json; charset=utf-8");


ngx_int_t
ngx_http_sluice_api_handler(ngx_http_request_t *r)
{
    ngx_int_t                     rc;
    ngx_http_sluice_api_ctx_t    *ctx;
    ngx_http_sluice_main_conf_t  *smcf;

    smcf = ngx_http_get_module_main_conf(r, ngx_http_sluice_module);

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_sluice_api_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->conf = smcf;
    ngx_http_sluice_pool_alloc(&ctx->alloc, r->pool);

    ngx_http_set_ctx(r, ctx, ngx_http_sluice_module);

    if (r->internal && r->err_status >= NGX_HTTP_BAD_REQUEST) {
        return ngx_http_sluice_api_refused(r);
    }

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD|NGX_HTTP_PUT|NGX_HTTP_POST
                       |NGX_HTTP_PATCH|NGX_HTTP_DELETE)))
    {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_ALLOWED,
                                         "MethodNotAllowed",
                                         "The HTTP method is not allowed.");
    }

    /* these send an error themselves when they fail */

    rc = ngx_http_sluice_api_authenticate(r, ctx);
    if (rc != NGX_OK || r->header_sent) {
        return rc;
    }

    rc = ngx_http_sluice_api_version(r, ctx);
    if (rc != NGX_OK || r->header_sent) {
        return rc;
    }

    rc = ngx_http_sluice_api_route(r, ctx);
    if (rc != NGX_OK || r->header_sent) {
        return rc;
    }

    rc = ngx_http_sluice_api_authorize(r, ctx);
    if (rc != NGX_OK || r->header_sent) {
        return rc;
    }

    if (ngx_http_sluice_api_base(r, ctx) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (!(r->method & (NGX_HTTP_PUT|NGX_HTTP_POST|NGX_HTTP_PATCH))) {
        rc = ngx_http_discard_request_body(r);

        if (rc != NGX_OK) {
            return rc;
        }

        return ngx_http_sluice_resource_handler(r, ctx);
    }

    if (r->headers_in.content_length_n > NGX_HTTP_SLUICE_MAX_BODY) {
        return ngx_http_sluice_api_error(r,
                   NGX_HTTP_REQUEST_ENTITY_TOO_LARGE, "RequestEntityTooLarge",
                   "The request body is larger than %d bytes.",
                   NGX_HTTP_SLUICE_MAX_BODY);
    }

    rc = ngx_http_read_client_request_body(r, ngx_http_sluice_api_body);

    if (rc == NGX_HTTP_REQUEST_ENTITY_TOO_LARGE) {
        return ngx_http_sluice_api_error(r,
                   NGX_HTTP_REQUEST_ENTITY_TOO_LARGE, "RequestEntityTooLarge",
                   "The request body is larger than %d bytes.",
                   NGX_HTTP_SLUICE_MAX_BODY);
    }

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


static void
ngx_http_sluice_api_body(ngx_http_request_t *r)
{
    ngx_int_t                   rc;
    ngx_http_sluice_api_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_sluice_module);

    rc = ngx_http_sluice_api_parse_body(r, ctx);

    if (rc == NGX_OK && !r->header_sent) {
        rc = ngx_http_sluice_resource_handler(r, ctx);
    }

    ngx_http_finalize_request(r, rc);
}


/* NGX_OK with ctx->body (NULL when empty), or a response already sent */

static ngx_int_t
ngx_http_sluice_api_parse_body(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    u_char       *data, *p;
    off_t         len;
    size_t        offset;
    ssize_t       n;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;
    const char   *reason;

    if (r->request_body == NULL) {
        return NGX_OK;
    }

    len = 0;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        len += ngx_buf_size(cl->buf);
    }

    if (len > NGX_HTTP_SLUICE_MAX_BODY) {
        return ngx_http_sluice_api_error(r,
                   NGX_HTTP_REQUEST_ENTITY_TOO_LARGE, "RequestEntityTooLarge",
                   "The request body is larger than %d bytes.",
                   NGX_HTTP_SLUICE_MAX_BODY);
    }

    if (len == 0) {
        return NGX_OK;
    }

    data = ngx_pnalloc(r->pool, (size_t) len);
    if (data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = data;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (b->in_file) {
            /* a small body spilled to a temporary file: in the page cache */
            n = ngx_read_file(b->file, p, (size_t) (b->file_last
                                                    - b->file_pos),
                              b->file_pos);
            if (n != b->file_last - b->file_pos) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            p += n;
            continue;
        }

        p = ngx_cpymem(p, b->pos, b->last - b->pos);
    }

    reason = NULL;
    offset = 0;

    switch (sluice_json_parse(&ctx->alloc, data, p - data, &ctx->body,
                              &reason, &offset))
    {
    case SLUICE_OK:
        return NGX_OK;

    case SLUICE_NO_MEMORY:
        return NGX_HTTP_INTERNAL_SERVER_ERROR;

    default:
        return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                   "InvalidRequestContent",
                   "The request content was invalid and could not be "
                   "deserialized: %s at byte %uz.",
                   reason ? reason : "invalid JSON", offset);
    }
}


static ngx_int_t
ngx_http_sluice_api_version(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    ngx_str_t   value;
    ngx_uint_t  i;

    if (ngx_http_arg(r, (u_char *) "api-version", sizeof("api-version") - 1,
                     &value)
        != NGX_OK || value.len == 0)
    {
        return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                   "MissingApiVersionParameter",
                   "The api-version query parameter (?api-version=) is "
                   "required for all requests.");
    }

    for (i = 0; ngx_http_sluice_api_versions[i].len; i++) {
        if (value.len == ngx_http_sluice_api_versions[i].len
            && ngx_strncmp(value.data, ngx_http_sluice_api_versions[i].data,
                           value.len) == 0)
        {
            ctx->api_version = ngx_http_sluice_api_versions[i];
            return NGX_OK;
        }
    }

    return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
               "InvalidApiVersionParameter",
               "The api-version '%V' is invalid. The supported versions are "
               "'2022-08-01,2022-11-01,2023-01-01'.", &value);
}


static ngx_int_t
ngx_http_sluice_api_segment_ok(ngx_str_t *s, size_t max)
{
    size_t  i;
    u_char  c;

    if (s->len == 0 || s->len > max) {
        return 0;
    }

    for (i = 0; i < s->len; i++) {
        c = s->data[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'
              || c == '(' || c == ')'))
        {
            return 0;
        }
    }

    return 1;
}


/*
 * The path as the client sent it: nginx has decoded it and removed its
 * "." and ".." segments, so "assets/x%2F..%2Fy" reached us as "assets/y".
 * A segment that is "." or ".." or holds '/', '\' or NUL once decoded is
 * refused: no name reaches a resource by way of another path.
 */

static ngx_int_t
ngx_http_sluice_api_raw_path_ok(ngx_http_request_t *r)
{
    u_char  *p, *last, *start;

    p = r->unparsed_uri.data;
    last = p + r->unparsed_uri.len;

    if (p == NULL) {
        return NGX_OK;
    }

    start = p;

    for ( /* void */ ; p < last && *p != '?'; p++) {
        if (*p != '/') {
            continue;
        }

        if (ngx_http_sluice_api_raw_segment_ok(start, p) != NGX_OK) {
            return NGX_DECLINED;
        }

        start = p + 1;
    }

    return ngx_http_sluice_api_raw_segment_ok(start, p);
}


static ngx_int_t
ngx_http_sluice_api_raw_segment_ok(u_char *p, u_char *last)
{
    u_char      c;
    ngx_uint_t  dots, other;

    dots = 0;
    other = 0;

    while (p < last) {
        c = *p++;

        if (c == '%' && last - p >= 2) {
            c = (u_char) ngx_hextoi(p, 2);
            p += 2;
        }

        if (c == '/' || c == '\\' || c == '\0') {
            return NGX_DECLINED;
        }

        if (c == '.') {
            dots++;

        } else {
            other++;
        }
    }

    return (other == 0 && (dots == 1 || dots == 2)) ? NGX_DECLINED : NGX_OK;
}


static ngx_int_t
ngx_http_sluice_api_route(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    u_char      *p, *last, *start;
    ngx_int_t    rc;
    ngx_str_t    seg[NGX_HTTP_SLUICE_MAX_SEGMENTS + 1];
    ngx_uint_t   n;

    if (ngx_http_sluice_api_raw_path_ok(r) != NGX_OK) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                   "InvalidResourceName",
                   "The request path holds a '.' or '..' segment, or an "
                   "encoded '/', '\\' or NUL.");
    }

    p = r->uri.data;
    last = r->uri.data + r->uri.len;
    n = 0;

    while (p < last) {
        while (p < last && *p == '/') {
            p++;
        }

        if (p == last) {
            break;
        }

        start = p;

        while (p < last && *p != '/') {
            p++;
        }

        if (n == NGX_HTTP_SLUICE_MAX_SEGMENTS + 1) {
            goto not_found;
        }

        seg[n].data = start;
        seg[n].len = p - start;
        n++;
    }

    if (n < 9
        || !ngx_http_sluice_seg_is(&seg[0], "subscriptions")
        || !ngx_http_sluice_seg_is(&seg[2], "resourceGroups")
        || !ngx_http_sluice_seg_is(&seg[4], "providers")
        || !ngx_http_sluice_seg_is(&seg[6], "mediaservices"))
    {
        goto not_found;
    }

    if (!ngx_http_sluice_api_segment_ok(&seg[1], 64)
        || !ngx_http_sluice_api_segment_ok(&seg[3], 90)
        || !ngx_http_sluice_api_segment_ok(&seg[7], 64))
    {
        return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                   "BadRequest",
                   "The subscription, resource group or account name in "
                   "the path is invalid.");
    }

    if (!ngx_http_sluice_seg_is(&seg[5], "Microsoft.Media")) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND,
                   "InvalidResourceNamespace",
                   "The resource namespace '%V' is invalid.", &seg[5]);
    }

    ctx->subscription = seg[1];
    ctx->group = seg[3];
    ctx->account = seg[7];

    if (seg[7].len != ctx->conf->account.len
        || ngx_strncasecmp(seg[7].data, ctx->conf->account.data,
                           seg[7].len) != 0)
    {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND,
                   "ResourceNotFound",
                   "The Resource 'Microsoft.Media/mediaservices/%V' under "
                   "resource group '%V' was not found.", &seg[7], &seg[3]);
    }

    /* live events, live outputs, assets, policies, locators, endpoints */

    rc = ngx_http_sluice_api_route_resource(r, ctx, seg, n);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND,
               "InvalidResourceType",
               "The resource type '%V' could not be found in the "
               "namespace 'Microsoft.Media' for api version '%V'.",
               &seg[8], &ctx->api_version);

not_found:

    return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                                     "No route matches the request path.");
}


ngx_int_t
ngx_http_sluice_api_route_item(ngx_http_sluice_api_ctx_t *ctx,
    ngx_str_t *seg, ngx_uint_t n, ngx_uint_t flags)
{
    switch (n) {

    case 0:
        ctx->route = NGX_HTTP_SLUICE_R_LIST;
        return NGX_OK;

    case 1:
        ctx->route = NGX_HTTP_SLUICE_R_EVENT;
        ctx->name = seg[0];
        return NGX_OK;

    case 2:
        if (!(flags & NGX_HTTP_SLUICE_ROUTE_ACTION)) {
            break;
        }

        ctx->route = NGX_HTTP_SLUICE_R_ACTION;
        ctx->name = seg[0];
        ctx->action = seg[1];
        return NGX_OK;

    case 3:
        if (!(flags & NGX_HTTP_SLUICE_ROUTE_OPLOC)
            || !ngx_http_sluice_seg_is(&seg[1], "operationLocations"))
        {
            break;
        }

        ctx->route = NGX_HTTP_SLUICE_R_OPLOC;
        ctx->name = seg[0];
        ctx->op = seg[2];
        return NGX_OK;
    }

    return NGX_DECLINED;
}


static ngx_int_t
ngx_http_sluice_api_base(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    u_char                    *p;
    size_t                     len;
    ngx_str_t                  host;
    ngx_http_core_srv_conf_t  *cscf;

    if (r->headers_in.host) {
        host = r->headers_in.host->value;

    } else {
        cscf = ngx_http_get_module_srv_conf(r, ngx_http_core_module);
        host = cscf->server_name;
    }

    len = sizeof("https://") - 1 + host.len
          + sizeof("/subscriptions/") - 1 + ctx->subscription.len
          + sizeof("/resourceGroups/") - 1 + ctx->group.len
          + sizeof("/providers/Microsoft.Media/mediaservices/") - 1
          + ctx->account.len;

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ctx->base.data = p;

#if (NGX_HTTP_SSL)
    if (r->connection->ssl) {
        p = ngx_cpymem(p, "https://", sizeof("https://") - 1);

    } else
#endif
    {
        p = ngx_cpymem(p, "http://", sizeof("http://") - 1);
    }

    p = ngx_sprintf(p, "%V/subscriptions/%V/resourceGroups/%V"
                    "/providers/Microsoft.Media/mediaservices/%V",
                    &host, &ctx->subscription, &ctx->group, &ctx->account);

    ctx->base.len = p - ctx->base.data;

    return NGX_OK;
}


ngx_int_t
ngx_http_sluice_api_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *fmt, ...)
{
    u_char                      msg[1024], *last;
    va_list                     args;
    ngx_str_t                   value;
    sluice_json_t              *root, *err, *m;
    ngx_http_sluice_api_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_sluice_module);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    va_start(args, fmt);
    last = ngx_vslprintf(msg, msg + sizeof(msg), fmt, args);
    va_end(args);

    /* the message may echo the request: not logged */
    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "sluice api: %ui %s", status, code);

    root = sluice_json_new(&ctx->alloc, SLUICE_JSON_OBJECT);
    err = sluice_json_new(&ctx->alloc, SLUICE_JSON_OBJECT);
    if (root == NULL || err == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    m = sluice_json_new_cstring(&ctx->alloc, code);
    if (m == NULL || sluice_json_set(&ctx->alloc, err, "code", m)) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    m = sluice_json_new_string(&ctx->alloc, msg, last - msg);
    if (m == NULL || sluice_json_set(&ctx->alloc, err, "message", m)) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (sluice_json_set(&ctx->alloc, root, "error", err)) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (status == NGX_HTTP_UNAUTHORIZED) {
        /* RFC 6750 §3: error only when a credential was presented */
        if (ctx->invalid_token) {
            ngx_str_set(&value,
                        "Bearer realm=\"sluice\", error=\"invalid_token\"");

        } else {
            ngx_str_set(&value, "Bearer realm=\"sluice\"");
        }

        if (ngx_http_sluice_api_add_header(r, "WWW-Authenticate", &value)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (status == NGX_HTTP_NOT_ALLOWED) {
        switch (ctx->route) {
        case NGX_HTTP_SLUICE_R_EVENT:
            ngx_str_set(&value, "GET, PUT, PATCH, DELETE");
            break;
        case NGX_HTTP_SLUICE_R_ACTION:
            ngx_str_set(&value, "POST");
            break;
        default:
            ngx_str_set(&value, "GET");
            break;
        }

        if (ngx_http_sluice_api_add_header(r, "Allow", &value) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (status == NGX_HTTP_REQUEST_ENTITY_TOO_LARGE) {
        r->keepalive = 0;
    }

    if (ngx_http_discard_request_body(r) != NGX_OK) {
        r->keepalive = 0;
    }

    return ngx_http_sluice_api_send(r, status, root);
}


ngx_int_t
ngx_http_sluice_api_init_body_filter(ngx_conf_t *cf)
{
    ngx_http_next_request_body_filter = ngx_http_top_request_body_filter;
    ngx_http_top_request_body_filter = ngx_http_sluice_api_body_filter;

    return NGX_OK;
}


/*
 * an API body (chunked: its length is not known before) stops at
 * NGX_HTTP_SLUICE_MAX_BODY while it is read, not once it is all stored;
 * the 413 comes back to the API through error_page (module.c)
 */

static ngx_int_t
ngx_http_sluice_api_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    ngx_chain_t                *cl;
    ngx_http_core_loc_conf_t   *clcf;
    ngx_http_sluice_api_ctx_t  *ctx;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    if (clcf->handler != ngx_http_sluice_api_handler) {
        return ngx_http_next_request_body_filter(r, in);
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_sluice_module);

    if (ctx == NULL) {
        return ngx_http_next_request_body_filter(r, in);
    }

    for (cl = in; cl; cl = cl->next) {
        ctx->body_len += ngx_buf_size(cl->buf);
    }

    if (ctx->body_len > NGX_HTTP_SLUICE_MAX_BODY) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "sluice api: request body over %d bytes",
                      NGX_HTTP_SLUICE_MAX_BODY);
        return NGX_HTTP_REQUEST_ENTITY_TOO_LARGE;
    }

    return ngx_http_next_request_body_filter(r, in);
}


/*
 * a request nginx refused before the API could read it (a body over
 * client_max_body_size, a malformed chunked body, a bad request line),
 * reached through error_page: the same status, in AMS shape
 */

static ngx_int_t
ngx_http_sluice_api_refused(ngx_http_request_t *r)
{
    ngx_uint_t   status;
    const char  *code, *msg;

    status = r->err_status;

    switch (status) {

    case NGX_HTTP_REQUEST_ENTITY_TOO_LARGE:
        code = "RequestEntityTooLarge";
        msg = "The request body is larger than the server accepts.";
        break;

    case NGX_HTTP_REQUEST_URI_TOO_LARGE:
        code = "RequestUriTooLong";
        msg = "The request URI is too long.";
        break;

    case NGX_HTTP_REQUEST_TIME_OUT:
        code = "RequestTimeout";
        msg = "The request was not received in time.";
        break;

    case NGX_HTTP_BAD_REQUEST:     /* and 494: error_page makes it 400 */
        code = "BadRequest";
        msg = "The request is malformed or too large (its request line, "
              "headers or body encoding).";
        break;

    default:
        if (status >= NGX_HTTP_INTERNAL_SERVER_ERROR) {
            code = "InternalServerError";
            msg = "The server could not handle the request.";

        } else {
            code = "BadRequest";
            msg = "The request was refused.";
        }

        break;
    }

    r->keepalive = 0;

    return ngx_http_sluice_api_error(r, status, code, "%s", msg);
}


ngx_int_t
ngx_http_sluice_api_send(ngx_http_request_t *r, ngx_uint_t status,
    sluice_json_t *body)
{
    size_t        len;
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_chain_t   out;

    r->headers_out.status = status;

    if (body == NULL) {
        r->headers_out.content_length_n = 0;
        r->header_only = 1;

        return ngx_http_send_header(r);
    }

    len = sluice_json_write(body, NULL);

    b = ngx_create_temp_buf(r->pool, len);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->last += sluice_json_write(body, b->pos);
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    r->headers_out.content_type = ngx_http_sluice_json_type;
    r->headers_out.content_type_len = sizeof("application/json") - 1;
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
ngx_http_sluice_api_add_header(ngx_http_request_t *r, const char *key,
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
    h->value = *value;

    return NGX_OK;
}


void
ngx_http_sluice_random(u_char *buf, size_t n)
{
    size_t    i;
    ssize_t   got;
    uint32_t  v;

    got = getrandom(buf, n, GRND_NONBLOCK);

    if (got == (ssize_t) n) {
        return;
    }

    /* no kernel entropy yet: nginx's generator, mixed with time and pid */

    for (i = 0; i < n; i++) {
        v = (uint32_t) ngx_random() ^ (uint32_t) ngx_current_msec
            ^ ((uint32_t) ngx_pid << 8);
        buf[i] = (u_char) (v >> (i % 3) * 8);
    }
}


void
ngx_http_sluice_pool_alloc(sluice_alloc_t *a, ngx_pool_t *pool)
{
    a->alloc = ngx_http_sluice_api_alloc;
    a->ctx = pool;
}


static void *
ngx_http_sluice_api_alloc(void *pool, size_t size)
{
    return ngx_palloc(pool, size);
}
