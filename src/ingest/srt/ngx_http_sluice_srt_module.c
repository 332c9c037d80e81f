
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ngx_http_sluice_srt_module: SRT ingest (ngx_http_sluice_srt.h), set in
 * http{} with sluice_srt_listen.  Worker 0 runs it: it opens the UDP
 * socket at its start, tries to bind again each second while the old
 * worker 0 of a reload holds the port, and stops SRT when the worker
 * begins to exit, while its thread pool still writes.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <ngx_http.h>

#include "core/ngx_sluice_zone.h"
#include "ingest/srt/ngx_http_sluice_srt.h"


#define NGX_HTTP_SLUICE_SRT_TICK   1000     /* ms */


static ngx_int_t ngx_http_sluice_srt_init_process(ngx_cycle_t *cycle);
static void ngx_http_sluice_srt_exit_process(ngx_cycle_t *cycle);
static void ngx_http_sluice_srt_tick(ngx_event_t *ev);
static void ngx_http_sluice_srt_shutdown(ngx_http_sluice_srt_t *srt);
static void *ngx_http_sluice_srt_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_sluice_srt_init_main_conf(ngx_conf_t *cf, void *conf);
static char *ngx_http_sluice_srt_listen(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_sluice_srt_check_passphrase(ngx_conf_t *cf, void *post,
    void *data);


static ngx_conf_post_handler_pt  ngx_http_sluice_srt_passphrase_post =
    ngx_http_sluice_srt_check_passphrase;


static ngx_command_t  ngx_http_sluice_srt_commands[] = {

    { ngx_string("sluice_srt_listen"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_sluice_srt_listen,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sluice_srt_passphrase"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_sluice_srt_conf_t, passphrase),
      &ngx_http_sluice_srt_passphrase_post },

    { ngx_string("sluice_srt_latency"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_sluice_srt_conf_t, latency),
      NULL },

    { ngx_string("sluice_srt_max_queue"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_sluice_srt_conf_t, max_queue),
      NULL },

    { ngx_string("sluice_srt_thread_pool"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_sluice_srt_conf_t, thread_pool_name),
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_sluice_srt_module_ctx = {
    NULL,                                  /* preconfiguration */
    NULL,                                  /* postconfiguration */

    ngx_http_sluice_srt_create_main_conf,  /* create main configuration */
    ngx_http_sluice_srt_init_main_conf,    /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    NULL,                                  /* create location configuration */
    NULL                                   /* merge location configuration */
};


ngx_module_t  ngx_http_sluice_srt_module = {
    NGX_MODULE_V1,
    &ngx_http_sluice_srt_module_ctx,       /* module context */
    ngx_http_sluice_srt_commands,          /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_http_sluice_srt_init_process,      /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_sluice_srt_exit_process,      /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


/* the one SRT of this worker (worker 0) */
static ngx_http_sluice_srt_t   ngx_http_sluice_srt;
static ngx_event_t             ngx_http_sluice_srt_timer;
static ngx_str_t               ngx_http_sluice_srt_default_pool =
    ngx_string("sluice");


static ngx_int_t
ngx_http_sluice_srt_init_process(ngx_cycle_t *cycle)
{
    ngx_str_t                   *name;
    ngx_http_sluice_srt_t       *srt;
    ngx_http_sluice_srt_conf_t  *conf;

    if (ngx_process != NGX_PROCESS_WORKER || ngx_worker != 0) {
        return NGX_OK;
    }

    conf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_sluice_srt_module);

    if (conf == NULL || conf->listen.sockaddr == NULL) {
        return NGX_OK;
    }

    srt = &ngx_http_sluice_srt;
    ngx_memzero(srt, sizeof(ngx_http_sluice_srt_t));

    srt->conf = conf;
    srt->log = cycle->log;
    srt->zone = ngx_sluice_zone_lookup(cycle);

#if (NGX_THREADS)
    name = conf->thread_pool_name.len ? &conf->thread_pool_name
                                      : &ngx_http_sluice_srt_default_pool;

    if (ngx_strcmp(name->data, "off") != 0) {
        srt->thread_pool = ngx_thread_pool_get(cycle, name);
    }

    if (srt->thread_pool == NULL) {
        ngx_log_error(NGX_LOG_WARN, cycle->log, 0,
                      "sluice: no thread pool \"%V\", fragments of SRT "
                      "ingest are written synchronously", name);
    }
#else
    (void) name;
#endif

    ngx_http_sluice_srt_timer.handler = ngx_http_sluice_srt_tick;
    ngx_http_sluice_srt_timer.data = srt;
    ngx_http_sluice_srt_timer.log = cycle->log;

    /*
     * not cancelable: an exiting worker runs it once more, and SRT stops
     * while the thread pools still write
     */

    ngx_http_sluice_srt_tick(&ngx_http_sluice_srt_timer);

    return NGX_OK;
}


/*
 * Each second: bind if not bound yet (a reload's old worker 0 may hold
 * the port), or stop SRT when the worker exits
 */

static void
ngx_http_sluice_srt_tick(ngx_event_t *ev)
{
    ngx_int_t               rc;
    ngx_http_sluice_srt_t  *srt = ev->data;

    if (ngx_exiting || ngx_quit || ngx_terminate) {
        ngx_http_sluice_srt_shutdown(srt);
        return;
    }

    if (srt->udp == NULL) {
        rc = ngx_http_sluice_srt_open(srt);

        if (rc == NGX_ERROR) {
            return;
        }

        if (rc == NGX_AGAIN && ++srt->bind_tries == 30) {
            ngx_log_error(NGX_LOG_ERR, srt->log, 0,
                          "sluice: SRT cannot bind to %V for 30 s, "
                          "trying on", &srt->conf->listen.name);
        }
    }

    ngx_add_timer(ev, NGX_HTTP_SLUICE_SRT_TICK);
}


/*
 * The worker exits: every connection ends (its peer told), the streams
 * end and what they had pending is written (the thread pool runs still)
 */

static void
ngx_http_sluice_srt_shutdown(ngx_http_sluice_srt_t *srt)
{
    if (srt->conf == NULL) {
        return;
    }

    ngx_http_sluice_srt_close(srt);

    srt->conf = NULL;
}


static void
ngx_http_sluice_srt_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_sluice_srt_shutdown(&ngx_http_sluice_srt);
}


static void *
ngx_http_sluice_srt_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_sluice_srt_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_sluice_srt_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     conf->listen = { NULL, 0, { 0, NULL } };
     *     conf->passphrase = { 0, NULL };
     *     conf->thread_pool_name = { 0, NULL };
     */

    conf->latency = NGX_CONF_UNSET_MSEC;
    conf->max_queue = NGX_CONF_UNSET_SIZE;

    return conf;
}


static char *
ngx_http_sluice_srt_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_sluice_srt_conf_t  *scf = conf;

    ngx_conf_init_msec_value(scf->latency, 120);
    ngx_conf_init_size_value(scf->max_queue, 32 * 1024 * 1024);

    if (scf->max_queue < 128 * 1024) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"sluice_srt_max_queue\" must be at least 128k");
        return NGX_CONF_ERROR;
    }

    if (scf->latency > 60000) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"sluice_srt_latency\" must be at most 60s");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* sluice_srt_listen [address:]port */

static char *
ngx_http_sluice_srt_listen(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_sluice_srt_conf_t  *scf = conf;

    ngx_str_t  *value;
    ngx_url_t   u;

    if (scf->listen.sockaddr) {
        return "is duplicate";
    }

    value = cf->args->elts;

    ngx_memzero(&u, sizeof(ngx_url_t));

    u.url = value[1];
    u.listen = 1;
    u.default_port = 9000;

    if (ngx_parse_url(cf->pool, &u) != NGX_OK) {
        if (u.err) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "%s in \"%V\" of \"sluice_srt_listen\"",
                               u.err, &u.url);
        }

        return NGX_CONF_ERROR;
    }

    scf->listen = u.addrs[0];

    return NGX_CONF_OK;
}


/* as libsrt: 10 to 79 bytes */

static char *
ngx_http_sluice_srt_check_passphrase(ngx_conf_t *cf, void *post, void *data)
{
    ngx_str_t  *s = data;

    if (s->len < 10 || s->len > 79) {
        return "must be 10 to 79 characters long";
    }

    return NGX_CONF_OK;
}
