
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * sluice_fmp4_ingest: fragmented-MP4 ingest over HTTP into live events
 * whose input.streamingProtocol is FragmentedMP4, at AMS's URLs:
 *
 *   POST|PUT {...}/{accessToken}/ingest.isml/Streams({name})
 *            a long-running (chunked) body: ftyp, [Smooth live server
 *            manifest], moov, then moof + mdat pairs
 *            (ngx_http_sluice_ingest_fmp4.c); 200 once it ends
 *   POST     {...}/{accessToken}/ingest.isml[/Streams({name})], empty:
 *            the encoder's probe, 200 if it may publish
 *
 * The publisher is admitted as an RTMP one is (core/ngx_sluice_ingest.h:
 * token, state, IP allow-list, stream not publishing already) before a
 * byte of the body is read: 404 for an unknown token, 403 otherwise.
 * The body is read as it comes (request_body_no_buffering), never kept:
 * a box at a time, at most sluice_max_fragment_size bytes.  A bad box,
 * a codec the event cannot take, or no data for client_body_timeout
 * ends the request, with the cause logged, and closes the connection;
 * what is stored stays.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ingest/http/ngx_http_sluice_ingest.h"
#include "ingest/http/ngx_http_sluice_ingest_fmp4.h"
#include "core/ngx_sluice_zone.h"


typedef struct {
    ngx_shm_zone_t             *zone;       /* "sluice_zone", or NULL */
} ngx_http_sluice_ingest_main_conf_t;


typedef struct {
    ngx_uint_t                  ring;
    size_t                      max_fragment;
    ngx_str_t                   thread_pool_name;
    ngx_thread_pool_t          *thread_pool;
    ngx_uint_t                  thread_pool_checked;
} ngx_http_sluice_ingest_loc_conf_t;


static ngx_int_t ngx_http_sluice_ingest_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_sluice_ingest_parse(ngx_http_request_t *r,
    ngx_str_t *token, ngx_str_t *name);
static ngx_int_t ngx_http_sluice_ingest_file(u_char *p, u_char *last,
    ngx_str_t *name);
static ngx_int_t ngx_http_sluice_ingest_name_ok(ngx_str_t *name);
static ngx_int_t ngx_http_sluice_ingest_probe(ngx_http_request_t *r,
    ngx_str_t *token, ngx_str_t *name);
static ngx_int_t ngx_http_sluice_ingest_find(ngx_http_request_t *r,
    ngx_str_t *token, ngx_str_t *name, ngx_http_sluice_ingest_ctx_t **ctxp);
static ngx_int_t ngx_http_sluice_ingest_start(ngx_http_request_t *r,
    ngx_pool_t *pool, ngx_str_t *token, ngx_str_t *name,
    ngx_http_sluice_ingest_ctx_t **ctxp);
static void ngx_http_sluice_ingest_conn_cleanup(void *data);
static void ngx_http_sluice_ingest_body_start(ngx_http_request_t *r);
static void ngx_http_sluice_ingest_read(ngx_http_request_t *r);
static void ngx_http_sluice_ingest_consume(ngx_http_request_t *r,
    ngx_http_sluice_ingest_ctx_t *ctx);
static void ngx_http_sluice_ingest_close(ngx_http_request_t *r,
    ngx_http_sluice_ingest_ctx_t *ctx, ngx_int_t status);
static ngx_int_t ngx_http_sluice_ingest_respond(ngx_http_request_t *r,
    ngx_uint_t status, const char *text);
static ngx_thread_pool_t *ngx_http_sluice_ingest_thread_pool(
    ngx_http_request_t *r, ngx_http_sluice_ingest_loc_conf_t *ilcf);

static void *ngx_http_sluice_ingest_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_sluice_ingest_init_main_conf(ngx_conf_t *cf,
    void *conf);
static void *ngx_http_sluice_ingest_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_sluice_ingest_merge_loc_conf(ngx_conf_t *cf,
    void *parent, void *child);
static char *ngx_http_sluice_fmp4_ingest(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);


static ngx_command_t  ngx_http_sluice_ingest_commands[] = {

    { ngx_string("sluice_fmp4_ingest"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_sluice_fmp4_ingest,
      0,
      0,
      NULL },

    { ngx_string("sluice_fmp4_fragment_ring"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sluice_ingest_loc_conf_t, ring),
      NULL },

    { ngx_string("sluice_fmp4_max_fragment_size"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sluice_ingest_loc_conf_t, max_fragment),
      NULL },

    { ngx_string("sluice_fmp4_thread_pool"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_sluice_ingest_loc_conf_t, thread_pool_name),
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_sluice_ingest_module_ctx = {
    NULL,                                   /* preconfiguration */
    NULL,                                   /* postconfiguration */

    ngx_http_sluice_ingest_create_main_conf, /* create main configuration */
    ngx_http_sluice_ingest_init_main_conf,  /* init main configuration */

    NULL,                                   /* create server configuration */
    NULL,                                   /* merge server configuration */

    ngx_http_sluice_ingest_create_loc_conf, /* create location configuration */
    ngx_http_sluice_ingest_merge_loc_conf   /* merge location configuration */
};


ngx_module_t  ngx_http_sluice_ingest_module = {
    NGX_MODULE_V1,
    &ngx_http_sluice_ingest_module_ctx,     /* module context */
    ngx_http_sluice_ingest_commands,        /* module directives */
    NGX_HTTP_MODULE,                        /* module type */
    NULL,                                   /* init master */
    NULL,                                   /* init module */
    NULL,                                   /* init process */
    NULL,                                   /* init thread */
    NULL,                                   /* exit thread */
    NULL,                                   /* exit process */
    NULL,                                   /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_str_t  ngx_http_sluice_ingest_default_pool = ngx_string("sluice");


static ngx_int_t
ngx_http_sluice_ingest_handler(ngx_http_request_t *r)
{
    ngx_int_t                      rc;
    ngx_str_t                      token, name;
    ngx_http_sluice_ingest_ctx_t  *ctx;

    if (!(r->method & (NGX_HTTP_POST|NGX_HTTP_PUT))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_sluice_ingest_parse(r, &token, &name);

    if (rc == NGX_DECLINED) {

        /* a DASH MPD describing the tracks: not needed */

        rc = ngx_http_discard_request_body(r);
        if (rc != NGX_OK) {
            return rc;
        }

        return ngx_http_sluice_ingest_respond(r, NGX_HTTP_OK, NULL);
    }

    if (rc != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "sluice: ingest refused: \"%V\" is not "
                      "{token}/ingest.isml/Streams({name})", &r->uri);

        return ngx_http_sluice_ingest_respond(r, NGX_HTTP_BAD_REQUEST,
                   "the URL should be {scheme}://{host}/{accessToken}"
                   "/ingest.isml/Streams({name})\n");
    }

    if (r->headers_in.content_length_n <= 0 && !r->headers_in.chunked) {
        return ngx_http_sluice_ingest_probe(r, &token, &name);
    }

    if (name.len == 0) {
        return ngx_http_sluice_ingest_respond(r, NGX_HTTP_BAD_REQUEST,
                   "media is posted to .../ingest.isml/Streams({name})\n");
    }

    rc = ngx_http_sluice_ingest_find(r, &token, &name, &ctx);

    if (rc == NGX_HTTP_NOT_FOUND || rc == NGX_HTTP_FORBIDDEN) {
        return ngx_http_sluice_ingest_respond(r, rc, ctx->refused);
    }

    if (rc != NGX_OK) {
        return rc;
    }

    ctx->request = r;
    ctx->req_moov = 0;
    ctx->req_fragments = 0;

    ngx_http_set_ctx(r, ctx, ngx_http_sluice_ingest_module);

    r->request_body_no_buffering = 1;

    rc = ngx_http_read_client_request_body(r,
                                           ngx_http_sluice_ingest_body_start);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


/* the encoder's empty POST: whether it may publish */

static ngx_int_t
ngx_http_sluice_ingest_probe(ngx_http_request_t *r, ngx_str_t *token,
    ngx_str_t *name)
{
    ngx_int_t                      rc;
    ngx_http_sluice_ingest_ctx_t  *ctx;

    rc = ngx_http_sluice_ingest_start(r, r->pool, token, name, &ctx);

    if (rc == NGX_HTTP_NOT_FOUND || rc == NGX_HTTP_FORBIDDEN) {
        return ngx_http_sluice_ingest_respond(r, rc, ctx->refused);
    }

    if (rc != NGX_OK) {
        return rc;
    }

    ngx_http_sluice_ingest_fmp4_finish(ctx);
    ngx_http_sluice_ingest_fmp4_free(ctx);

    return ngx_http_sluice_ingest_respond(r, NGX_HTTP_OK, NULL);
}


/*
 * The stream of a request: the one of this name the connection carries
 * (CMAF ingest: a request per header and per segment), or a new one,
 * admitted, living as long as the connection
 */

static ngx_int_t
ngx_http_sluice_ingest_find(ngx_http_request_t *r, ngx_str_t *token,
    ngx_str_t *name, ngx_http_sluice_ingest_ctx_t **ctxp)
{
    ngx_int_t                      rc;
    ngx_uint_t                     i;
    ngx_pool_cleanup_t            *cln;
    ngx_http_sluice_ingest_ctx_t  *ctx;
    ngx_http_sluice_ingest_conn_t *ic;

    ic = NULL;

    for (cln = r->connection->pool->cleanup; cln; cln = cln->next) {
        if (cln->handler == ngx_http_sluice_ingest_conn_cleanup) {
            ic = cln->data;
            break;
        }
    }

    if (ic == NULL) {
        cln = ngx_pool_cleanup_add(r->connection->pool,
                                   sizeof(ngx_http_sluice_ingest_conn_t));
        if (cln == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ic = cln->data;
        ngx_memzero(ic, sizeof(ngx_http_sluice_ingest_conn_t));

        cln->handler = ngx_http_sluice_ingest_conn_cleanup;
    }

    for (i = 0; i < ic->nctxs; i++) {
        ctx = ic->ctxs[i];

        if (!ctx->done
            && ctx->name.len == name->len
            && ngx_strncmp(ctx->name.data, name->data, name->len) == 0
            && ctx->token.len == token->len
            && ngx_strncmp(ctx->token.data, token->data, token->len) == 0)
        {
            *ctxp = ctx;
            return NGX_OK;
        }
    }

    if (ic->nctxs == NGX_HTTP_SLUICE_INGEST_MAX_CONN) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "sluice: ingest refused: more than %d streams on one "
                      "connection", NGX_HTTP_SLUICE_INGEST_MAX_CONN);
        return NGX_HTTP_BAD_REQUEST;
    }

    rc = ngx_http_sluice_ingest_start(r, r->connection->pool, token, name,
                                      ctxp);

    if (rc == NGX_OK) {
        ic->ctxs[ic->nctxs++] = *ctxp;
    }

    return rc;
}


/*
 * "{...}/{token}/ingest.isml" then nothing or "/Streams({name})"
 * ("streams" in any case); name.len 0 without it
 */

static ngx_int_t
ngx_http_sluice_ingest_parse(ngx_http_request_t *r, ngx_str_t *token,
    ngx_str_t *name)
{
    u_char  *p, *last, *isml, *q;

    static const char  ingest[] = "/ingest.isml";

    p = r->uri.data;
    last = p + r->uri.len;
    isml = NULL;

    for (q = p; q + sizeof(ingest) - 1 <= last; q++) {
        if (ngx_strncasecmp(q, (u_char *) ingest, sizeof(ingest) - 1) == 0) {
            isml = q;
        }
    }

    if (isml == NULL || isml == p) {
        return NGX_ERROR;
    }

    token->data = isml;

    while (token->data > p && token->data[-1] != '/') {
        token->data--;
    }

    token->len = isml - token->data;

    if (token->len == 0 || token->len > NGX_SLUICE_TOKEN_LEN) {
        return NGX_ERROR;
    }

    p = isml + sizeof(ingest) - 1;

    if (p == last || (p + 1 == last && *p == '/')) {
        name->len = 0;
        name->data = p;
        return NGX_OK;
    }

    if (last - p < (ssize_t) sizeof("/Streams()") - 1
        || ngx_strncasecmp(p, (u_char *) "/Streams(", 9) != 0
        || last[-1] != ')')
    {
        return ngx_http_sluice_ingest_file(p, last, name);
    }

    name->data = p + 9;
    name->len = last - 1 - name->data;

    return ngx_http_sluice_ingest_name_ok(name);
}


/*
 * CMAF ingest without the Streams() keyword: the segment files of a
 * DASH packager, "/{file}" after ingest.isml, name the track:
 * "init-stream0.m4s", "chunk-stream0-00042.m4s" -> "stream0" (the
 * extension, an "init-" or "chunk-" prefix and a "-{number}" suffix
 * dropped).  NGX_DECLINED: an MPD, taken and ignored.
 */

static ngx_int_t
ngx_http_sluice_ingest_file(u_char *p, u_char *last, ngx_str_t *name)
{
    u_char  *q, *dot;

    if (*p++ != '/' || ngx_strlchr(p, last, '/')) {
        return NGX_ERROR;
    }

    dot = NULL;

    for (q = p; q < last; q++) {
        if (*q == '.') {
            dot = q;
        }
    }

    if (dot && last - dot == 4 && ngx_strncasecmp(dot, (u_char *) ".mpd", 4)
                                  == 0)
    {
        return NGX_DECLINED;
    }

    if (dot) {
        last = dot;
    }

    if (last - p > 5 && ngx_strncasecmp(p, (u_char *) "init-", 5) == 0) {
        p += 5;

    } else if (last - p > 6
               && ngx_strncasecmp(p, (u_char *) "chunk-", 6) == 0)
    {
        p += 6;

        for (q = last; q > p && q[-1] >= '0' && q[-1] <= '9'; q--) {
            /* void */
        }

        if (q < last && q > p && q[-1] == '-') {
            last = q - 1;
        }
    }

    name->data = p;
    name->len = last - p;

    return ngx_http_sluice_ingest_name_ok(name);
}


/* letters, digits, "-", "_", "."; room for "_{trackID}" */

static ngx_int_t
ngx_http_sluice_ingest_name_ok(ngx_str_t *name)
{
    u_char  c, *q;

    if (name->len == 0 || name->len > NGX_SLUICE_STREAM_LEN - 11) {
        return NGX_ERROR;
    }

    for (q = name->data; q < name->data + name->len; q++) {
        c = ngx_tolower(*q);

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
              || c == '-' || c == '_' || c == '.'))
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/*
 * The request's context and its first stream, admitted: NGX_OK, or
 * NGX_HTTP_NOT_FOUND (unknown token) or NGX_HTTP_FORBIDDEN with
 * ctx->refused, or NGX_HTTP_INTERNAL_SERVER_ERROR
 */

static ngx_int_t
ngx_http_sluice_ingest_start(ngx_http_request_t *r, ngx_pool_t *pool,
    ngx_str_t *token, ngx_str_t *name, ngx_http_sluice_ingest_ctx_t **ctxp)
{
    const char                          *reason;
    ngx_sluice_ingest_t                 *in;
    ngx_http_sluice_ingest_ctx_t        *ctx;
    ngx_http_sluice_ingest_loc_conf_t   *ilcf;
    ngx_http_sluice_ingest_main_conf_t  *imcf;

    imcf = ngx_http_get_module_main_conf(r, ngx_http_sluice_ingest_module);
    ilcf = ngx_http_get_module_loc_conf(r, ngx_http_sluice_ingest_module);

    ctx = ngx_pcalloc(pool, sizeof(ngx_http_sluice_ingest_ctx_t));
    in = ngx_pcalloc(pool, sizeof(ngx_sluice_ingest_t));

    if (ctx == NULL || in == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the URI is the request's: the connection's streams keep a copy */

    ctx->token.data = ngx_pstrdup(pool, token);
    ctx->token.len = token->len;
    ctx->name.data = ngx_pnalloc(pool, name->len + 1);

    if (ctx->token.data == NULL || ctx->name.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(ctx->name.data, name->data, name->len);
    ctx->name.len = name->len;

    ctx->request = r;
    ctx->log = r->connection->log;
    ctx->pool = pool;
    ctx->sockaddr = r->connection->sockaddr;
    ctx->zone = imcf->zone;
    ctx->max_fragment = ilcf->max_fragment;
    ctx->streams[0] = in;

    ngx_sluice_ingest_init(in);

    in->log = r->connection->log;
    in->pool = pool;
    in->zone = imcf->zone;
    in->protocol = NGX_SLUICE_PROTO_FMP4;
    in->resend = 1;
    in->ring = ilcf->ring;
    in->max_fragment = ilcf->max_fragment;
    in->thread_pool = ngx_http_sluice_ingest_thread_pool(r, ilcf);

    ngx_memcpy(in->stream, name->data, name->len);
    in->stream[name->len] = '\0';
    in->stream_len = name->len;

    *ctxp = ctx;

    if (ngx_sluice_ingest_attach(in, token, r->connection->sockaddr, NULL,
                                 NULL, &reason)
        != NGX_OK)
    {
        ctx->refused = reason;

        return ngx_strcmp(reason, "unknown access token") == 0
               ? NGX_HTTP_NOT_FOUND : NGX_HTTP_FORBIDDEN;
    }

    if (name->len) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "sluice: \"%V\" publishing to live event \"%s\" "
                      "generation %uD over HTTP", name, in->event_name,
                      in->generation);
    }

    return NGX_OK;
}


/* the connection closes: its streams end, what is pending is written */

static void
ngx_http_sluice_ingest_conn_cleanup(void *data)
{
    ngx_http_sluice_ingest_conn_t  *ic = data;

    ngx_uint_t  i;

    for (i = 0; i < ic->nctxs; i++) {
        ngx_http_sluice_ingest_fmp4_finish(ic->ctxs[i]);
        ngx_http_sluice_ingest_fmp4_free(ic->ctxs[i]);
    }
}


/* the body's first bytes are there (or all of them) */

static void
ngx_http_sluice_ingest_body_start(ngx_http_request_t *r)
{
    ngx_http_sluice_ingest_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_sluice_ingest_module);

    r->read_event_handler = ngx_http_sluice_ingest_read;

    ngx_http_sluice_ingest_consume(r, ctx);
}


static void
ngx_http_sluice_ingest_read(ngx_http_request_t *r)
{
    ngx_int_t                      rc;
    ngx_http_sluice_ingest_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_sluice_ingest_module);

    rc = ngx_http_read_unbuffered_request_body(r);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        if (rc == NGX_HTTP_REQUEST_TIME_OUT) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "sluice: ingest of \"%V\": no data for "
                          "client_body_timeout, closing", &ctx->name);

        } else {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "sluice: ingest of \"%V\" ended by the client "
                          "after %O bytes", &ctx->name, ctx->received);
        }

        ngx_http_sluice_ingest_close(r, ctx, rc);
        return;
    }

    ngx_http_sluice_ingest_consume(r, ctx);
}


/*
 * What was read goes to the boxes; reading goes on while the socket has
 * data (a full buffer is only read again once consumed)
 */

static void
ngx_http_sluice_ingest_consume(ngx_http_request_t *r,
    ngx_http_sluice_ingest_ctx_t *ctx)
{
    ngx_int_t                 rc;
    ngx_buf_t                *b;
    ngx_chain_t              *cl;
    ngx_http_request_body_t  *rb;

    rb = r->request_body;

    for ( ;; ) {
        for (cl = rb->bufs; cl; cl = cl->next) {
            b = cl->buf;

            if (b->last > b->pos
                && ngx_http_sluice_ingest_fmp4_feed(ctx, b->pos,
                                                    b->last - b->pos)
                   != NGX_OK)
            {
                b->pos = b->last;
                ngx_http_sluice_ingest_close(r, ctx,
                                             ctx->streams[0]->stopped
                                             ? NGX_HTTP_FORBIDDEN
                                             : NGX_HTTP_BAD_REQUEST);
                return;
            }

            b->pos = b->last;
        }

        rb->bufs = NULL;

        if (!r->reading_body) {
            break;
        }

        rc = ngx_http_read_unbuffered_request_body(r);

        if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
            ngx_http_sluice_ingest_close(r, ctx, rc);
            return;
        }

        if (rb->bufs == NULL) {
            return;         /* NGX_AGAIN: the read event calls again */
        }
    }

    if (ctx->len) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "sluice: ingest of \"%V\": the body ended inside a "
                      "box, closing", &ctx->name);
        ngx_http_sluice_ingest_close(r, ctx, NGX_HTTP_BAD_REQUEST);
        return;
    }

    if (ctx->req_moov && ctx->req_fragments) {

        /* a whole stream (Smooth): the encoder stopped */

        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "sluice: \"%V\" stops publishing to live event "
                      "\"%s\" (%ui fragments, %O bytes)", &ctx->name,
                      ctx->streams[0]->event_name, ctx->fragments,
                      ctx->received);

        ngx_http_sluice_ingest_fmp4_finish(ctx);
    }

    /* CMAF ingest: the header or a segment; the stream goes on */

    ngx_http_finalize_request(r,
        ngx_http_sluice_ingest_respond(r, NGX_HTTP_OK, NULL));
}


/* the request ends early: what is pending is written, the connection closed */

static void
ngx_http_sluice_ingest_close(ngx_http_request_t *r,
    ngx_http_sluice_ingest_ctx_t *ctx, ngx_int_t status)
{
    ngx_http_sluice_ingest_fmp4_finish(ctx);

    r->keepalive = 0;

    /* DASH-IF ingest: 412 for a segment without its header */

    ngx_http_finalize_request(r, ctx->no_header ? NGX_HTTP_PRECONDITION_FAILED
                                                : status);
}


static ngx_int_t
ngx_http_sluice_ingest_respond(ngx_http_request_t *r, ngx_uint_t status,
    const char *text)
{
    size_t        len;
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_chain_t   out;

    len = text ? ngx_strlen(text) : 0;

    r->headers_out.status = status;
    r->headers_out.content_length_n = len;

    if (len) {
        ngx_str_set(&r->headers_out.content_type, "text/plain");
        r->headers_out.content_type_len = r->headers_out.content_type.len;
    }

    if (status != NGX_HTTP_OK) {
        r->keepalive = 0;
    }

    if (len == 0 || r->method == NGX_HTTP_HEAD) {
        r->header_only = 1;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->pos = (u_char *) text;
    b->last = b->pos + len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


static ngx_thread_pool_t *
ngx_http_sluice_ingest_thread_pool(ngx_http_request_t *r,
    ngx_http_sluice_ingest_loc_conf_t *ilcf)
{
#if (NGX_THREADS)

    ngx_str_t  *name;

    if (ilcf->thread_pool_checked) {
        return ilcf->thread_pool;
    }

    /* "sluice_fmp4_thread_pool", or the pool "sluice" if there is one */

    ilcf->thread_pool_checked = 1;

    name = ilcf->thread_pool_name.len ? &ilcf->thread_pool_name
                                      : &ngx_http_sluice_ingest_default_pool;

    if (ngx_strcmp(name->data, "off") != 0) {
        ilcf->thread_pool = ngx_thread_pool_get((ngx_cycle_t *) ngx_cycle,
                                                name);
    }

    if (ilcf->thread_pool == NULL) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "sluice: no thread pool \"%V\", fragments of HTTP "
                      "ingest are written synchronously", name);
    }

    return ilcf->thread_pool;

#else

    return NULL;

#endif
}


static void *
ngx_http_sluice_ingest_create_main_conf(ngx_conf_t *cf)
{
    return ngx_pcalloc(cf->pool, sizeof(ngx_http_sluice_ingest_main_conf_t));
}


static char *
ngx_http_sluice_ingest_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_sluice_ingest_main_conf_t  *imcf = conf;

    imcf->zone = ngx_sluice_zone_lookup(cf->cycle);

    return NGX_CONF_OK;
}


static void *
ngx_http_sluice_ingest_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_sluice_ingest_loc_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_sluice_ingest_loc_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     conf->thread_pool_name = { 0, NULL };
     *     conf->thread_pool = NULL;
     *     conf->thread_pool_checked = 0;
     */

    conf->ring = NGX_CONF_UNSET_UINT;
    conf->max_fragment = NGX_CONF_UNSET_SIZE;

    return conf;
}


static char *
ngx_http_sluice_ingest_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child)
{
    ngx_http_sluice_ingest_loc_conf_t  *prev = parent;
    ngx_http_sluice_ingest_loc_conf_t  *conf = child;

    ngx_conf_merge_uint_value(conf->ring, prev->ring, 512);
    ngx_conf_merge_size_value(conf->max_fragment, prev->max_fragment,
                              32 * 1024 * 1024);
    ngx_conf_merge_str_value(conf->thread_pool_name, prev->thread_pool_name,
                             "");

    if (conf->max_fragment < 65536) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"sluice_fmp4_max_fragment_size\" must be at "
                           "least 64k");
        return NGX_CONF_ERROR;
    }

    if (conf->ring < 4) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"sluice_fmp4_fragment_ring\" must be at "
                           "least 4");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * sluice_fmp4_ingest: the location's handler; its body size is not
 * limited unless client_max_body_size says otherwise (an ingest POST
 * never ends)
 */

static char *
ngx_http_sluice_fmp4_ingest(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->handler) {
        return "is duplicate or conflicts with another content handler";
    }

    clcf->handler = ngx_http_sluice_ingest_handler;

    if (clcf->client_max_body_size == NGX_CONF_UNSET) {
        clcf->client_max_body_size = 0;
    }

    return NGX_CONF_OK;
}
