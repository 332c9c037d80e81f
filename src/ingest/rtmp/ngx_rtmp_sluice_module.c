
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * RTMP ingest into Sluice live events.  Hooks into nginx-rtmp-module's
 * chains (connect, publish, close_stream) and its audio/video events:
 *
 *   connect   "live/{token}" (OBS style): the token is kept, the app
 *             becomes "live" so that nginx-rtmp finds the application
 *   publish   token -> live event (shared memory), event Running,
 *             client address in input.accessControl.ip.allow;
 *             otherwise the connection is closed with one log line
 *   audio,    FLV tag bodies -> ngx_rtmp_sluice_tags.c
 *   video
 *   close     the fragment in progress is written, tracks become IDLE
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_rtmp.h>
#include <ngx_rtmp_cmd_module.h>
#include <ngx_rtmp_live_module.h>

#include "ingest/rtmp/ngx_rtmp_sluice_module.h"
#include "ingest/rtmp/ngx_rtmp_sluice_tags.h"
#include "ingest/rtmp/ngx_rtmp_sluice_batch.h"
#include "ingest/rtmp/ngx_rtmp_sluice_meta.h"
#include "ingest/rtmp/ngx_rtmp_sluice_cue.h"
#include "ingest/rtmp/ngx_rtmp_sluice_transcode.h"
#include "core/ngx_sluice_index.h"
#include "core/ngx_sluice_zone.h"


typedef struct {
    ngx_flag_t                  ingest;
    ngx_str_t                   thread_pool_name;
    ngx_thread_pool_t          *thread_pool;
    ngx_uint_t                  thread_pool_checked;    /* lazy default */
    ngx_uint_t                  ring;
    size_t                      max_fragment;
    ngx_msec_t                  batch;
} ngx_rtmp_sluice_app_conf_t;


static ngx_int_t ngx_rtmp_sluice_connect(ngx_rtmp_session_t *s,
    ngx_rtmp_connect_t *v);
static ngx_int_t ngx_rtmp_sluice_publish(ngx_rtmp_session_t *s,
    ngx_rtmp_publish_t *v);
static ngx_int_t ngx_rtmp_sluice_close_stream(ngx_rtmp_session_t *s,
    ngx_rtmp_close_stream_t *v);
static ngx_int_t ngx_rtmp_sluice_av(ngx_rtmp_session_t *s,
    ngx_rtmp_header_t *h, ngx_chain_t *in);

static ngx_rtmp_sluice_ctx_t *ngx_rtmp_sluice_get_ctx(ngx_rtmp_session_t *s);
static void ngx_rtmp_sluice_cleanup(void *data);
static ngx_int_t ngx_rtmp_sluice_parse_path(ngx_rtmp_sluice_ctx_t *ctx,
    ngx_rtmp_publish_t *v, ngx_str_t *token);
static void ngx_rtmp_sluice_publish_key(ngx_rtmp_sluice_ctx_t *ctx,
    ngx_rtmp_publish_t *v);
static const char *ngx_rtmp_sluice_admit(ngx_sluice_ingest_t *in,
    ngx_sluice_event_t *ev, void *data);
static ngx_thread_pool_t *ngx_rtmp_sluice_thread_pool(ngx_rtmp_session_t *s,
    ngx_rtmp_sluice_app_conf_t *sacf);

static void *ngx_rtmp_sluice_create_app_conf(ngx_conf_t *cf);
static char *ngx_rtmp_sluice_merge_app_conf(ngx_conf_t *cf, void *parent,
    void *child);
static char *ngx_rtmp_sluice_set_thread_pool(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static ngx_int_t ngx_rtmp_sluice_postconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_rtmp_sluice_init_process(ngx_cycle_t *cycle);
static void ngx_rtmp_sluice_exit_process(ngx_cycle_t *cycle);


ngx_shm_zone_t  *ngx_rtmp_sluice_zone;


static ngx_rtmp_connect_pt         next_connect;
static ngx_rtmp_publish_pt         next_publish;
static ngx_rtmp_close_stream_pt    next_close_stream;


static ngx_conf_num_bounds_t  ngx_rtmp_sluice_ring_bounds = {
    ngx_conf_check_num_bounds, 4, 1000000
};


static ngx_command_t  ngx_rtmp_sluice_commands[] = {

    { ngx_string("sluice_ingest"),
      NGX_RTMP_MAIN_CONF|NGX_RTMP_SRV_CONF|NGX_RTMP_APP_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_RTMP_APP_CONF_OFFSET,
      offsetof(ngx_rtmp_sluice_app_conf_t, ingest),
      NULL },

    { ngx_string("sluice_thread_pool"),
      NGX_RTMP_MAIN_CONF|NGX_RTMP_SRV_CONF|NGX_RTMP_APP_CONF|NGX_CONF_TAKE1,
      ngx_rtmp_sluice_set_thread_pool,
      NGX_RTMP_APP_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sluice_fragment_ring"),
      NGX_RTMP_MAIN_CONF|NGX_RTMP_SRV_CONF|NGX_RTMP_APP_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_RTMP_APP_CONF_OFFSET,
      offsetof(ngx_rtmp_sluice_app_conf_t, ring),
      &ngx_rtmp_sluice_ring_bounds },

    { ngx_string("sluice_max_fragment_size"),
      NGX_RTMP_MAIN_CONF|NGX_RTMP_SRV_CONF|NGX_RTMP_APP_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_RTMP_APP_CONF_OFFSET,
      offsetof(ngx_rtmp_sluice_app_conf_t, max_fragment),
      NULL },

    { ngx_string("sluice_ingest_batch"),
      NGX_RTMP_MAIN_CONF|NGX_RTMP_SRV_CONF|NGX_RTMP_APP_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_RTMP_APP_CONF_OFFSET,
      offsetof(ngx_rtmp_sluice_app_conf_t, batch),
      NULL },

      ngx_null_command
};


static ngx_rtmp_module_t  ngx_rtmp_sluice_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_rtmp_sluice_postconfiguration,     /* postconfiguration */
    NULL,                                  /* create main configuration */
    NULL,                                  /* init main configuration */
    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */
    ngx_rtmp_sluice_create_app_conf,       /* create app configuration */
    ngx_rtmp_sluice_merge_app_conf         /* merge app configuration */
};


ngx_module_t  ngx_rtmp_sluice_module = {
    NGX_MODULE_V1,
    &ngx_rtmp_sluice_module_ctx,           /* module context */
    ngx_rtmp_sluice_commands,              /* module directives */
    NGX_RTMP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_rtmp_sluice_init_process,          /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_rtmp_sluice_exit_process,          /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_str_t  ngx_rtmp_sluice_default_pool = ngx_string("sluice");


/*
 * OBS style: server "rtmp://host/live/{token}", key "{stream}" gives the
 * app "live/{token}".  When "live" is an application with sluice_ingest
 * on, keep the token and connect to "live".
 */

static ngx_int_t
ngx_rtmp_sluice_connect(ngx_rtmp_session_t *s, ngx_rtmp_connect_t *v)
{
    size_t                        alen, tlen;
    u_char                       *slash;
    ngx_uint_t                    n;
    ngx_rtmp_sluice_ctx_t        *ctx;
    ngx_rtmp_core_srv_conf_t     *cscf;
    ngx_rtmp_core_app_conf_t    **cacfp;
    ngx_rtmp_sluice_app_conf_t   *sacf;

    alen = ngx_strlen(v->app);

    slash = (u_char *) ngx_strlchr(v->app, v->app + alen, '/');
    if (slash == NULL) {
        goto next;
    }

    tlen = v->app + alen - (slash + 1);

    if (tlen == 0 || tlen > NGX_SLUICE_TOKEN_LEN
        || ngx_strlchr(slash + 1, v->app + alen, '/'))
    {
        goto next;
    }

    cscf = ngx_rtmp_get_module_srv_conf(s, ngx_rtmp_core_module);

    cacfp = cscf->applications.elts;
    for (n = 0; n < cscf->applications.nelts; n++, cacfp++) {

        if ((*cacfp)->name.len == alen
            && ngx_strncmp((*cacfp)->name.data, v->app, alen) == 0)
        {
            /* the whole app is an application: nothing to do */
            goto next;
        }
    }

    cacfp = cscf->applications.elts;
    for (n = 0; n < cscf->applications.nelts; n++, cacfp++) {

        if ((*cacfp)->name.len != (size_t) (slash - v->app)
            || ngx_strncmp((*cacfp)->name.data, v->app, slash - v->app) != 0)
        {
            continue;
        }

        sacf = (*cacfp)->app_conf[ngx_rtmp_sluice_module.ctx_index];
        if (!sacf->ingest) {
            break;
        }

        ctx = ngx_rtmp_sluice_get_ctx(s);
        if (ctx == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(ctx->app_token, slash + 1, tlen);
        ctx->app_token[tlen] = '\0';
        ctx->app_token_len = tlen;

        *slash = '\0';
        break;
    }

next:

    return next_connect(s, v);
}


static ngx_rtmp_sluice_ctx_t *
ngx_rtmp_sluice_get_ctx(ngx_rtmp_session_t *s)
{
    ngx_pool_cleanup_t     *cln;
    ngx_rtmp_sluice_ctx_t  *ctx;

    ctx = ngx_rtmp_get_module_ctx(s, ngx_rtmp_sluice_module);
    if (ctx) {
        return ctx;
    }

    ctx = ngx_pcalloc(s->connection->pool, sizeof(ngx_rtmp_sluice_ctx_t));
    if (ctx == NULL) {
        return NULL;
    }

    cln = ngx_pool_cleanup_add(s->connection->pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    cln->handler = ngx_rtmp_sluice_cleanup;
    cln->data = ctx;

    ctx->session = s;

    ngx_sluice_ingest_init(&ctx->in);

    ctx->in.log = s->connection->log;
    ctx->in.pool = s->connection->pool;

    ngx_rtmp_set_ctx(s, ctx, ngx_rtmp_sluice_module);

    return ctx;
}


static void
ngx_rtmp_sluice_cleanup(void *data)
{
    ngx_rtmp_sluice_ctx_t  *ctx = data;

    ngx_rtmp_sluice_batch_stop(ctx);

    if (ctx->in.publishing) {
        ngx_sluice_ingest_finish(&ctx->in);
    }

    ngx_rtmp_sluice_transcode_stop(ctx);
    ngx_sluice_ingest_free(&ctx->in);

    if (ctx->msg) {
        ngx_free(ctx->msg);
        ctx->msg = NULL;
    }
}


static ngx_int_t
ngx_rtmp_sluice_publish(ngx_rtmp_session_t *s, ngx_rtmp_publish_t *v)
{
    ngx_str_t                    token;
    const char                  *reason;
    ngx_rtmp_sluice_ctx_t       *ctx;
    ngx_rtmp_live_app_conf_t    *lacf;
    ngx_rtmp_sluice_app_conf_t  *sacf;

    sacf = ngx_rtmp_get_module_app_conf(s, ngx_rtmp_sluice_module);

    if (sacf == NULL || !sacf->ingest) {
        return next_publish(s, v);
    }

    /*
     * nginx-rtmp's live module answers the publish (NetStream.Publish.Start);
     * without it the encoder waits and never sends media
     */

    lacf = ngx_rtmp_get_module_app_conf(s, ngx_rtmp_live_module);

    if (lacf == NULL || !lacf->live) {
        ngx_log_error(NGX_LOG_ERR, s->connection->log, 0,
                      "sluice: publish refused: application \"%V\" has "
                      "\"sluice_ingest on\" without \"live on\"", &s->app);
        return NGX_ERROR;
    }

    ctx = ngx_rtmp_sluice_get_ctx(s);
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    if (ctx->in.publishing) {
        ngx_log_error(NGX_LOG_ERR, s->connection->log, 0,
                      "sluice: publish refused: already publishing");
        return NGX_ERROR;
    }

    if (ngx_rtmp_sluice_parse_path(ctx, v, &token) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, s->connection->log, 0,
                      "sluice: publish refused: no access token and stream "
                      "name in \"%V/%s\"", &s->app, v->name);
        return NGX_ERROR;
    }

    ngx_rtmp_sluice_publish_key(ctx, v);
    ctx->in.layer_key = ctx->xkey[0] ? ctx->xkey : NULL;

    ctx->in.zone = ngx_rtmp_sluice_zone;
    ctx->in.ring = sacf->ring;
    ctx->in.max_fragment = sacf->max_fragment;
    ctx->in.thread_pool = ngx_rtmp_sluice_thread_pool(s, sacf);

    if (ngx_sluice_ingest_attach(&ctx->in, &token, s->connection->sockaddr,
                                 ngx_rtmp_sluice_admit, ctx, &reason)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_log_error(NGX_LOG_INFO, s->connection->log, 0,
                  "sluice: \"%s\" publishing to live event \"%s\" "
                  "generation %uD", ctx->in.stream, ctx->in.event_name,
                  ctx->in.generation);

    ngx_rtmp_sluice_batch_start(ctx, sacf->batch);

    if (ctx->in.redundant
        && token.len + 1 + ctx->in.stream_len + 2 + 2 * NGX_INT_T_LEN
           < NGX_RTMP_MAX_NAME)
    {
        /*
         * the stream's second connection (redundant ingest): a name of
         * its own for the modules after us, whose live module refuses a
         * second publisher of a name in a worker
         */

        *ngx_sprintf(v->name, "%V/%s.%P.%ui", &token, ctx->in.stream,
                     ngx_pid, ctx->in.pub_id) = '\0';

    } else if (ctx->app_token_len
               && token.len + 1 + ctx->in.stream_len < NGX_RTMP_MAX_NAME)
    {
        /*
         * the modules after us (live, record...) see "{token}/{stream}"
         * whatever the URL style, so that two events may both have a
         * stream named "stream"
         */

        *ngx_sprintf(v->name, "%V/%s", &token, ctx->in.stream) = '\0';
    }

    return next_publish(s, v);
}


/*
 * ffmpeg: app "live", name "{token}/{stream}"; OBS: app "live/{token}"
 * (token kept at connect), name "{stream}".  Query strings are already
 * cut off by nginx-rtmp (v->args).
 */

static ngx_int_t
ngx_rtmp_sluice_parse_path(ngx_rtmp_sluice_ctx_t *ctx, ngx_rtmp_publish_t *v,
    ngx_str_t *token)
{
    u_char  *name, *end, *slash, *p;

    name = v->name;
    end = name + ngx_strlen(name);

    p = ngx_strlchr(name, end, '?');
    if (p) {
        end = p;
    }

    if (ctx->app_token_len) {
        token->data = ctx->app_token;
        token->len = ctx->app_token_len;

    } else {
        slash = NULL;

        for (p = name; p < end; p++) {
            if (*p == '/') {
                slash = p;
            }
        }

        if (slash == NULL) {
            return NGX_ERROR;
        }

        /* the segment before the stream name */

        token->data = slash;

        while (token->data > name && token->data[-1] != '/') {
            token->data--;
        }

        token->len = slash - token->data;
        name = slash + 1;
    }

    if (token->len == 0 || token->len > NGX_SLUICE_TOKEN_LEN
        || end == name || (size_t) (end - name) > NGX_SLUICE_STREAM_LEN)
    {
        return NGX_ERROR;
    }

    ctx->in.stream_len = end - name;
    ngx_memcpy(ctx->in.stream, name, ctx->in.stream_len);
    ctx->in.stream[ctx->in.stream_len] = '\0';

    return NGX_OK;
}


/* "sluice_key={hex}" of the publish's query string: a transcoder's layer */

static void
ngx_rtmp_sluice_publish_key(ngx_rtmp_sluice_ctx_t *ctx,
    ngx_rtmp_publish_t *v)
{
    u_char  *p, *last, *end;

    ctx->xkey[0] = '\0';

    p = v->args;
    last = p + ngx_strlen(p);

    while (p < last) {
        end = ngx_strlchr(p, last, '&');
        if (end == NULL) {
            end = last;
        }

        if (end - p > 11 && ngx_strncmp(p, "sluice_key=", 11) == 0
            && end - p - 11 <= NGX_SLUICE_XKEY_LEN)
        {
            ngx_memcpy(ctx->xkey, p + 11, end - p - 11);
            ctx->xkey[end - p - 11] = '\0';
            return;
        }

        p = end + 1;
    }
}


/* RTMP's own admission: a live encoding event's feed or its layers */

static const char *
ngx_rtmp_sluice_admit(ngx_sluice_ingest_t *in, ngx_sluice_event_t *ev,
    void *data)
{
    ngx_rtmp_sluice_ctx_t  *ctx = data;

    if (!ngx_sluice_encoding_live(ev->encoding)) {
        return NULL;
    }

    return ngx_rtmp_sluice_transcode_admit(ctx, ev);
}


static ngx_thread_pool_t *
ngx_rtmp_sluice_thread_pool(ngx_rtmp_session_t *s,
    ngx_rtmp_sluice_app_conf_t *sacf)
{
#if (NGX_THREADS)

    if (sacf->thread_pool || sacf->thread_pool_checked) {
        return sacf->thread_pool;
    }

    /* no "sluice_thread_pool": the pool "sluice" if there is one */

    sacf->thread_pool_checked = 1;

    if (sacf->thread_pool_name.len == 0) {
        sacf->thread_pool = ngx_thread_pool_get((ngx_cycle_t *) ngx_cycle,
                                                &ngx_rtmp_sluice_default_pool);
    }

    if (sacf->thread_pool == NULL) {
        ngx_log_error(NGX_LOG_WARN, s->connection->log, 0,
                      "sluice: no thread pool, fragments are written "
                      "synchronously");
    }

    return sacf->thread_pool;

#else

    return NULL;

#endif
}


static ngx_int_t
ngx_rtmp_sluice_close_stream(ngx_rtmp_session_t *s,
    ngx_rtmp_close_stream_t *v)
{
    ngx_rtmp_sluice_ctx_t  *ctx;

    ctx = ngx_rtmp_get_module_ctx(s, ngx_rtmp_sluice_module);

    if (ctx && ctx->in.publishing) {
        ngx_log_error(NGX_LOG_INFO, s->connection->log, 0,
                      "sluice: \"%s\" stops publishing to live event \"%s\"",
                      ctx->in.stream, ctx->in.event_name);

        ngx_rtmp_sluice_batch_stop(ctx);
        ngx_sluice_ingest_finish(&ctx->in);
        ngx_rtmp_sluice_transcode_stop(ctx);
    }

    return next_close_stream(s, v);
}


static ngx_int_t
ngx_rtmp_sluice_av(ngx_rtmp_session_t *s, ngx_rtmp_header_t *h,
    ngx_chain_t *in)
{
    size_t                  len, cap;
    u_char                 *p;
    ngx_chain_t            *cl;
    ngx_rtmp_sluice_ctx_t  *ctx;

    ctx = ngx_rtmp_get_module_ctx(s, ngx_rtmp_sluice_module);

    if (ctx == NULL || !ctx->in.publishing) {
        return NGX_OK;
    }

    if (ngx_exiting && s->connection->close) {
        /*
         * worker_shutdown_timeout ran out in a worker shutting down (a
         * reload): nginx-rtmp would keep the encoder here, on the old
         * configuration, for as long as it stays connected; closed, it
         * reconnects to a worker of the new one
         */
        ngx_log_error(NGX_LOG_INFO, s->connection->log, 0,
                      "sluice: \"%s\" closed: worker_shutdown_timeout, "
                      "the encoder is to reconnect", ctx->in.stream);
        return NGX_ERROR;
    }

    len = 0;

    for (cl = in; cl; cl = cl->next) {
        len += cl->buf->last - cl->buf->pos;
    }

    if (len == 0) {
        return NGX_OK;
    }

    ngx_rtmp_sluice_batch_account(ctx, len);

    if (len > ctx->msg_cap) {
        if (len > ctx->in.max_fragment) {
            ngx_log_error(NGX_LOG_ERR, s->connection->log, 0,
                          "sluice: message of %uz bytes is too large", len);
            return NGX_ERROR;
        }

        cap = ngx_max(len, 65536);

        p = ngx_alloc(cap, s->connection->log);
        if (p == NULL) {
            return NGX_ERROR;
        }

        if (ctx->msg) {
            ngx_free(ctx->msg);
        }

        ctx->msg = p;
        ctx->msg_cap = cap;
    }

    p = ctx->msg;

    for (cl = in; cl; cl = cl->next) {
        p = ngx_cpymem(p, cl->buf->pos, cl->buf->last - cl->buf->pos);
    }

    if (ctx->source) {
        return ngx_rtmp_sluice_transcode_av(ctx, h->type, h->timestamp,
                                            ctx->msg, len);
    }

    if (h->type == NGX_RTMP_MSG_VIDEO) {
        return ngx_rtmp_sluice_video(ctx, h->timestamp, ctx->msg, len);
    }

    return ngx_rtmp_sluice_audio(ctx, h->timestamp, ctx->msg, len);
}


static void *
ngx_rtmp_sluice_create_app_conf(ngx_conf_t *cf)
{
    ngx_rtmp_sluice_app_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_rtmp_sluice_app_conf_t));
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

    conf->ingest = NGX_CONF_UNSET;
    conf->ring = NGX_CONF_UNSET_UINT;
    conf->max_fragment = NGX_CONF_UNSET_SIZE;
    conf->batch = NGX_CONF_UNSET_MSEC;

    return conf;
}


static char *
ngx_rtmp_sluice_merge_app_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_rtmp_sluice_app_conf_t  *prev = parent;
    ngx_rtmp_sluice_app_conf_t  *conf = child;

    ngx_conf_merge_value(conf->ingest, prev->ingest, 0);
    ngx_conf_merge_uint_value(conf->ring, prev->ring, 512);
    ngx_conf_merge_size_value(conf->max_fragment, prev->max_fragment,
                              32 * 1024 * 1024);
    ngx_conf_merge_msec_value(conf->batch, prev->batch, 100);

    if (conf->thread_pool_name.data == NULL) {
        conf->thread_pool_name = prev->thread_pool_name;
        conf->thread_pool = prev->thread_pool;
        conf->thread_pool_checked = prev->thread_pool_checked;
    }

    if (conf->max_fragment < 65536) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"sluice_max_fragment_size\" must be at least 64k");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* sluice_thread_pool name | off */

static char *
ngx_rtmp_sluice_set_thread_pool(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_rtmp_sluice_app_conf_t  *sacf = conf;

    ngx_str_t  *value;

    if (sacf->thread_pool_name.data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    sacf->thread_pool_name = value[1];

    if (ngx_strcmp(value[1].data, "off") == 0) {
        sacf->thread_pool_checked = 1;
        return NGX_CONF_OK;
    }

#if (NGX_THREADS)

    sacf->thread_pool = ngx_thread_pool_add(cf, &value[1]);
    if (sacf->thread_pool == NULL) {
        return NGX_CONF_ERROR;
    }

    sacf->thread_pool_checked = 1;

    return NGX_CONF_OK;

#else

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "\"sluice_thread_pool\" needs nginx built "
                       "--with-threads");
    return NGX_CONF_ERROR;

#endif
}


static ngx_int_t
ngx_rtmp_sluice_postconfiguration(ngx_conf_t *cf)
{
    ngx_rtmp_handler_pt        *h;
    ngx_rtmp_core_main_conf_t  *cmcf;

    cmcf = ngx_rtmp_conf_get_module_main_conf(cf, ngx_rtmp_core_module);

    h = ngx_array_push(&cmcf->events[NGX_RTMP_MSG_VIDEO]);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_rtmp_sluice_av;

    h = ngx_array_push(&cmcf->events[NGX_RTMP_MSG_AUDIO]);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_rtmp_sluice_av;

    if (ngx_rtmp_sluice_meta_init(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    /* before nginx-rtmp's AMF dispatcher, which moves the chain */

    if (ngx_rtmp_sluice_cue_init(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    next_connect = ngx_rtmp_connect;
    ngx_rtmp_connect = ngx_rtmp_sluice_connect;

    next_publish = ngx_rtmp_publish;
    ngx_rtmp_publish = ngx_rtmp_sluice_publish;

    next_close_stream = ngx_rtmp_close_stream;
    ngx_rtmp_close_stream = ngx_rtmp_sluice_close_stream;

    return NGX_OK;
}


/*
 * The zone of this worker's cycle, found once per worker: a reload
 * forks workers with the new cycle.
 */

static ngx_int_t
ngx_rtmp_sluice_init_process(ngx_cycle_t *cycle)
{
    ngx_rtmp_sluice_zone = ngx_sluice_zone_lookup(cycle);

    return NGX_OK;
}


/* the worker exits: its transcoders end with it, their pipes closed */

static void
ngx_rtmp_sluice_exit_process(ngx_cycle_t *cycle)
{
    ngx_rtmp_sluice_transcode_exit(cycle);
}
