
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ngx_http_sluice_notify_module: webhooks (sluice_event_webhook) and the
 * JSON log (sluice_json_log).  docs/architecture.md, "Notifications":
 *
 * One process delivers: worker 0 (or the single process).  nginx gives
 * the number 0 to one worker of each generation and respawns a dead
 * worker with its number, so there is always one deliverer and no lock;
 * a worker that is shutting down (reload) stops at once, its successor
 * goes on from the cursor on disk.
 *
 * Per webhook, a timer: every second (sooner after a full batch, later
 * while failing: 1 s doubling to 60 s) the deliverer takes, under the
 * zone mutex, the heartbeats due (ngx_sluice_tel_tick()), the stream
 * events after its cursor (ngx_sluice_tel_read()) and the heartbeats
 * after its time mark, leaves the lock, writes the batch and POSTs it
 * (ngx_http_sluice_notify_http.c).  Only a 2xx moves the cursor, which
 * is then written to {data}/notify/webhook-{crc}.cursor (tmp, fsync,
 * rename): at least once, across reloads and restarts.  Nothing of this
 * touches the ingest but the zone mutex, held for copies only.
 *
 * The JSON log: API requests are written by the worker that served them,
 * from the log phase, one line each (one write(2) to a file opened with
 * O_APPEND); ingest events by the deliverer, from the same records.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_module.h"
#include "api/ngx_http_sluice_api.h"
#include "api/ngx_http_sluice_api_auth.h"
#include "api/ngx_http_sluice_api_build.h"
#include "api/ngx_http_sluice_api_store.h"
#include "api/ngx_http_sluice_notify.h"
#include "core/ngx_sluice_store.h"
#include "core/ngx_sluice_telemetry.h"
#include "core/ngx_sluice_zone.h"
#include "util/sluice_iso8601.h"


#define NGX_HTTP_SLUICE_NOTIFY_TICK      1000
#define NGX_HTTP_SLUICE_NOTIFY_BACKOFF   1000
#define NGX_HTTP_SLUICE_NOTIFY_MAX_WAIT  60000
#define NGX_HTTP_SLUICE_NOTIFY_BATCH     32
#define NGX_HTTP_SLUICE_NOTIFY_BEATS     256    /* per batch, about */
#define NGX_HTTP_SLUICE_NOTIFY_DIR       "/notify"


typedef struct {
    ngx_array_t                *hooks;      /* of ngx_http_sluice_hook_t */
    ngx_open_file_t            *json_log;
    ngx_int_t                   request_id;     /* variable index */
    ngx_str_t                   log_state;      /* the log's cursor file */
    ngx_str_t                   ingest_url;     /* ingestUrl of the data */
    ngx_str_t                   topic;          /* the default topic */
    ngx_http_sluice_main_conf_t  *smcf;

    /* the deliverer's JSON log cursor */
    ngx_uint_t                  log_loaded;
    uint64_t                    log_epoch;
    uint64_t                    log_seq;
    ngx_event_t                 log_timer;
    ngx_sluice_writer_t        *log_writer;
} ngx_http_sluice_notify_conf_t;


static ngx_int_t ngx_http_sluice_notify_postconf(ngx_conf_t *cf);
static void *ngx_http_sluice_notify_create_conf(ngx_conf_t *cf);
static char *ngx_http_sluice_notify_init_conf(ngx_conf_t *cf, void *conf);
static char *ngx_http_sluice_notify_webhook(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_sluice_notify_json_log(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static ngx_int_t ngx_http_sluice_notify_init_module(ngx_cycle_t *cycle);
static ngx_int_t ngx_http_sluice_notify_init_process(ngx_cycle_t *cycle);
static void ngx_http_sluice_notify_exit_process(ngx_cycle_t *cycle);

static void ngx_http_sluice_hook_tick(ngx_event_t *ev);
static ngx_int_t ngx_http_sluice_hook_batch(ngx_http_sluice_hook_t *hook,
    ngx_http_sluice_notify_conf_t *nmcf, ngx_str_t *body);
static ngx_uint_t ngx_http_sluice_hook_beats(ngx_sluice_shctx_t *sh,
    uint64_t from, uint64_t *to, ngx_http_sluice_beat_rec_t *out,
    ngx_uint_t n);
static void ngx_http_sluice_hook_done(ngx_http_sluice_hook_t *hook,
    ngx_int_t status);
static void ngx_http_sluice_hook_retry(ngx_http_sluice_hook_t *hook);
static void ngx_http_sluice_hook_lost(ngx_http_sluice_hook_t *hook,
    ngx_sluice_tel_record_t *rec, uint64_t lost);

static void ngx_http_sluice_log_tick(ngx_event_t *ev);
static ngx_int_t ngx_http_sluice_log_handler(ngx_http_request_t *r);
static void ngx_http_sluice_log_write(ngx_open_file_t *file,
    sluice_json_t *line, ngx_pool_t *pool, ngx_log_t *log);

static void ngx_http_sluice_cursor_saved(ngx_sluice_wjob_t *job);
static ngx_int_t ngx_http_sluice_cursor_load(ngx_str_t *path,
    ngx_pool_t *pool, ngx_log_t *log, uint64_t *epoch, uint64_t *seq,
    uint64_t *beat_ms);
static ngx_int_t ngx_http_sluice_cursor_save(ngx_sluice_writer_t **wp,
    ngx_str_t *path,
    ngx_log_t *log, uint64_t epoch, uint64_t seq, uint64_t beat_ms);
static ngx_int_t ngx_http_sluice_notify_time(sluice_alloc_t *a,
    uint64_t ms, sluice_str_t *out);


static ngx_command_t  ngx_http_sluice_notify_commands[] = {

    { ngx_string("sluice_event_webhook"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_sluice_notify_webhook,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sluice_json_log"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_sluice_notify_json_log,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_sluice_notify_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_http_sluice_notify_postconf,       /* postconfiguration */

    ngx_http_sluice_notify_create_conf,    /* create main configuration */
    ngx_http_sluice_notify_init_conf,      /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    NULL,                                  /* create location configuration */
    NULL                                   /* merge location configuration */
};


ngx_module_t  ngx_http_sluice_notify_module = {
    NGX_MODULE_V1,
    &ngx_http_sluice_notify_module_ctx,    /* module context */
    ngx_http_sluice_notify_commands,       /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    ngx_http_sluice_notify_init_module,    /* init module */
    ngx_http_sluice_notify_init_process,   /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_sluice_notify_exit_process,   /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_str_t  ngx_http_sluice_request_id = ngx_string("request_id");


/* --- configuration ------------------------------------------------------- */

static void *
ngx_http_sluice_notify_create_conf(ngx_conf_t *cf)
{
    ngx_http_sluice_notify_conf_t  *nmcf;

    nmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_sluice_notify_conf_t));
    if (nmcf == NULL) {
        return NULL;
    }

    nmcf->json_log = NGX_CONF_UNSET_PTR;
    nmcf->request_id = NGX_ERROR;

    return nmcf;
}


/*
 * sluice_event_webhook http://host[:port][/path] [schema=eventgrid|
 *     cloudevents] [events=Type,...] [topic=...] [timeout=10s] [batch=32]
 */

static char *
ngx_http_sluice_notify_webhook(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_sluice_notify_conf_t *nmcf = conf;

    u_char                  *p, *last, *comma;
    ngx_int_t                n;
    ngx_str_t               *value, s, name;
    ngx_uint_t               i, t;
    ngx_http_sluice_hook_t  *hook;

    value = cf->args->elts;

    if (nmcf->hooks == NULL) {
        nmcf->hooks = ngx_array_create(cf->pool, 2,
                                       sizeof(ngx_http_sluice_hook_t));
        if (nmcf->hooks == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    hook = ngx_array_push(nmcf->hooks);
    if (hook == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(hook, sizeof(ngx_http_sluice_hook_t));

    hook->url = value[1];
    hook->schema = SLUICE_NOTICE_EVENTGRID;
    hook->types = (1 << NGX_HTTP_SLUICE_NT_COUNT) - 1;
    hook->timeout = 10000;
    hook->batch = NGX_HTTP_SLUICE_NOTIFY_BATCH;

    /* the URL: http only (no TLS client here), a host nginx resolves now */

    if (value[1].len > 8
        && ngx_strncasecmp(value[1].data, (u_char *) "https://", 8) == 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "webhook URL \"%V\": https is not supported, "
                           "use http:// (a local relay for TLS)", &value[1]);
        return NGX_CONF_ERROR;
    }

    if (value[1].len <= 7
        || ngx_strncasecmp(value[1].data, (u_char *) "http://", 7) != 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid webhook URL \"%V\": not http://",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    for (p = value[1].data; p < value[1].data + value[1].len; p++) {
        if (*p <= ' ' || *p >= 0x7f || *p == '"' || *p == '\\'
            || *p == '#')
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid webhook URL \"%V\": bad character",
                               &value[1]);
            return NGX_CONF_ERROR;
        }
    }

    hook->u.url.data = value[1].data + 7;
    hook->u.url.len = value[1].len - 7;
    hook->u.default_port = 80;
    hook->u.uri_part = 1;

    if (ngx_parse_url(cf->pool, &hook->u) != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid webhook URL \"%V\": %s", &value[1],
                           hook->u.err ? hook->u.err : "cannot parse");
        return NGX_CONF_ERROR;
    }

    if (hook->u.host.len == 0 || hook->u.naddrs == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid webhook URL \"%V\": no host", &value[1]);
        return NGX_CONF_ERROR;
    }

    hook->uri = hook->u.uri;

    if (hook->uri.len == 0) {
        ngx_str_set(&hook->uri, "/");

    } else if (hook->uri.data[0] == '?') {
        /* "http://host?x": the path "/" */
        p = ngx_pnalloc(cf->pool, hook->uri.len + 1);
        if (p == NULL) {
            return NGX_CONF_ERROR;
        }

        p[0] = '/';
        ngx_memcpy(p + 1, hook->uri.data, hook->uri.len);
        hook->uri.data = p;
        hook->uri.len++;
    }

    for (i = 2; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "schema=", 7) == 0) {
            s.data = value[i].data + 7;
            s.len = value[i].len - 7;

            if (s.len == 9 && ngx_strncmp(s.data, "eventgrid", 9) == 0) {
                hook->schema = SLUICE_NOTICE_EVENTGRID;

            } else if (s.len == 11
                       && ngx_strncmp(s.data, "cloudevents", 11) == 0)
            {
                hook->schema = SLUICE_NOTICE_CLOUDEVENTS;

            } else {
                goto invalid;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "events=", 7) == 0) {
            hook->types = 0;
            p = value[i].data + 7;
            last = value[i].data + value[i].len;

            while (p < last) {
                comma = ngx_strlchr(p, last, ',');
                if (comma == NULL) {
                    comma = last;
                }

                name.data = p;
                name.len = comma - p;

                t = ngx_http_sluice_notify_type_find(&name);

                if (t == NGX_HTTP_SLUICE_NT_COUNT) {
                    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                       "unknown event type \"%V\"", &name);
                    return NGX_CONF_ERROR;
                }

                hook->types |= 1 << t;
                p = comma + 1;
            }

            if (hook->types == 0) {
                goto invalid;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "topic=", 6) == 0) {
            hook->topic.data = value[i].data + 6;
            hook->topic.len = value[i].len - 6;

            if (hook->topic.len == 0) {
                goto invalid;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "timeout=", 8) == 0) {
            s.data = value[i].data + 8;
            s.len = value[i].len - 8;

            n = ngx_parse_time(&s, 0);
            if (n == NGX_ERROR || n < 100 || n > 600000) {
                goto invalid;
            }

            hook->timeout = (ngx_msec_t) n;
            continue;
        }

        if (ngx_strncmp(value[i].data, "batch=", 6) == 0) {
            n = ngx_atoi(value[i].data + 6, value[i].len - 6);
            if (n == NGX_ERROR || n < 1 || n > 1000) {
                goto invalid;
            }

            hook->batch = n;
            continue;
        }

        goto invalid;
    }

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid parameter \"%V\"", &value[i]);

    return NGX_CONF_ERROR;
}


/* sluice_json_log FILE | off */

static char *
ngx_http_sluice_notify_json_log(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_sluice_notify_conf_t *nmcf = conf;

    ngx_str_t  *value;

    if (nmcf->json_log != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        nmcf->json_log = NULL;
        return NGX_CONF_OK;
    }

    nmcf->json_log = ngx_conf_open_file(cf->cycle, &value[1]);
    if (nmcf->json_log == NULL) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_sluice_notify_init_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_sluice_notify_conf_t *nmcf = conf;

    u_char                       *p;
    uint32_t                      crc;
    ngx_str_t                    *urls;
    ngx_uint_t                    i, j;
    ngx_http_sluice_hook_t       *hook;
    ngx_http_sluice_main_conf_t  *smcf;

    ngx_conf_init_ptr_value(nmcf->json_log, NULL);

    smcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_sluice_module);
    nmcf->smcf = smcf;

    if (nmcf->hooks == NULL && nmcf->json_log == NULL) {
        return NGX_CONF_OK;
    }

    if (smcf->shm_zone == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"sluice_event_webhook\" and \"sluice_json_log\" "
                           "need \"sluice_zone\"");
        return NGX_CONF_ERROR;
    }

    /* ingestUrl: the first sluice_ingest_url, without a token */

    if (smcf->ingest_urls && smcf->ingest_urls != NGX_CONF_UNSET_PTR
        && smcf->ingest_urls->nelts)
    {
        urls = smcf->ingest_urls->elts;
        nmcf->ingest_url = urls[0];
    }

    /* Event Grid topic of a Media Services account */

    nmcf->topic.len = sizeof("/providers/Microsoft.Media/mediaservices/") - 1
                      + smcf->account.len;
    nmcf->topic.data = ngx_pnalloc(cf->pool, nmcf->topic.len);
    if (nmcf->topic.data == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_sprintf(nmcf->topic.data, "/providers/Microsoft.Media/mediaservices/%V",
                &smcf->account);

    /* the cursors' files: {data}/notify/webhook-{crc32 of URL, schema} */

    if (nmcf->hooks) {
        hook = nmcf->hooks->elts;

        for (i = 0; i < nmcf->hooks->nelts; i++) {
            if (hook[i].topic.len == 0) {
                hook[i].topic = nmcf->topic;
            }

            for (j = 0; j < i; j++) {
                if (hook[j].schema == hook[i].schema
                    && hook[j].url.len == hook[i].url.len
                    && ngx_strncmp(hook[j].url.data, hook[i].url.data,
                                   hook[i].url.len) == 0)
                {
                    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                       "duplicate webhook \"%V\"",
                                       &hook[i].url);
                    return NGX_CONF_ERROR;
                }
            }

            ngx_crc32_init(crc);
            ngx_crc32_update(&crc, hook[i].url.data, hook[i].url.len);
            ngx_crc32_update(&crc, (u_char *) &hook[i].schema, 1);
            ngx_crc32_final(crc);

            p = ngx_pnalloc(cf->pool, smcf->data_path.len
                                      + sizeof(NGX_HTTP_SLUICE_NOTIFY_DIR
                                               "/webhook-12345678.cursor"));
            if (p == NULL) {
                return NGX_CONF_ERROR;
            }

            hook[i].state_path.data = p;
            hook[i].state_path.len = ngx_sprintf(p, "%V"
                                         NGX_HTTP_SLUICE_NOTIFY_DIR
                                         "/webhook-%08xD.cursor%Z",
                                         &smcf->data_path, crc)
                                     - p - 1;
        }
    }

    if (nmcf->json_log) {
        p = ngx_pnalloc(cf->pool, smcf->data_path.len
                                  + sizeof(NGX_HTTP_SLUICE_NOTIFY_DIR
                                           "/jsonlog.cursor"));
        if (p == NULL) {
            return NGX_CONF_ERROR;
        }

        nmcf->log_state.data = p;
        nmcf->log_state.len = ngx_sprintf(p, "%V" NGX_HTTP_SLUICE_NOTIFY_DIR
                                             "/jsonlog.cursor%Z",
                                          &smcf->data_path)
                              - p - 1;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_sluice_notify_postconf(ngx_conf_t *cf)
{
    ngx_http_handler_pt            *h;
    ngx_http_core_main_conf_t      *cmcf;
    ngx_http_sluice_notify_conf_t  *nmcf;

    nmcf = ngx_http_conf_get_module_main_conf(cf,
                                              ngx_http_sluice_notify_module);

    if (nmcf->json_log == NULL || nmcf->json_log == NGX_CONF_UNSET_PTR) {
        return NGX_OK;
    }

    nmcf->request_id = ngx_http_get_variable_index(cf,
                                                  &ngx_http_sluice_request_id);
    if (nmcf->request_id == NGX_ERROR) {
        return NGX_ERROR;
    }

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_LOG_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_sluice_log_handler;

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_notify_init_module(ngx_cycle_t *cycle)
{
    u_char                         *p;
    ngx_http_sluice_notify_conf_t  *nmcf;

    if (cycle->conf_ctx[ngx_http_module.index] == NULL) {
        return NGX_OK;
    }

    nmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_sluice_notify_module);

    if (nmcf == NULL || (nmcf->hooks == NULL && nmcf->json_log == NULL)) {
        return NGX_OK;
    }

    p = ngx_pnalloc(cycle->pool, nmcf->smcf->data_path.len
                                 + sizeof(NGX_HTTP_SLUICE_NOTIFY_DIR));
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(p, "%V" NGX_HTTP_SLUICE_NOTIFY_DIR "%Z",
                &nmcf->smcf->data_path);

    if (ngx_sluice_mkdir(cycle, p, ngx_sluice_dir_user(cycle)) == NGX_ERROR) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* --- the deliverer ------------------------------------------------------- */

static ngx_int_t
ngx_http_sluice_notify_init_process(ngx_cycle_t *cycle)
{
    ngx_uint_t                      i;
    ngx_http_sluice_hook_t         *hook;
    ngx_http_sluice_notify_conf_t  *nmcf;

    if (cycle->conf_ctx[ngx_http_module.index] == NULL) {
        return NGX_OK;
    }

    if (!((ngx_process == NGX_PROCESS_WORKER && ngx_worker == 0)
          || ngx_process == NGX_PROCESS_SINGLE))
    {
        return NGX_OK;
    }

    nmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_sluice_notify_module);
    if (nmcf == NULL) {
        return NGX_OK;
    }

    if (nmcf->hooks) {
        hook = nmcf->hooks->elts;

        for (i = 0; i < nmcf->hooks->nelts; i++) {
            hook[i].log = cycle->log;
            hook[i].done = ngx_http_sluice_hook_done;
            hook[i].timer.handler = ngx_http_sluice_hook_tick;
            hook[i].timer.data = &hook[i];
            hook[i].timer.log = cycle->log;
            hook[i].timer.cancelable = 1;

            ngx_add_timer(&hook[i].timer, NGX_HTTP_SLUICE_NOTIFY_TICK);
        }
    }

    if (nmcf->json_log) {
        nmcf->log_timer.handler = ngx_http_sluice_log_tick;
        nmcf->log_timer.data = nmcf;
        nmcf->log_timer.log = cycle->log;
        nmcf->log_timer.cancelable = 1;

        ngx_add_timer(&nmcf->log_timer, NGX_HTTP_SLUICE_NOTIFY_TICK);
    }

    return NGX_OK;
}


static void
ngx_http_sluice_notify_exit_process(ngx_cycle_t *cycle)
{
    ngx_uint_t                      i;
    ngx_http_sluice_hook_t         *hook;
    ngx_http_sluice_notify_conf_t  *nmcf;

    if (cycle->conf_ctx[ngx_http_module.index] == NULL) {
        return;
    }

    nmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_sluice_notify_module);
    if (nmcf == NULL || nmcf->hooks == NULL) {
        return;
    }

    hook = nmcf->hooks->elts;

    for (i = 0; i < nmcf->hooks->nelts; i++) {
        ngx_http_sluice_hook_close(&hook[i]);

        if (hook[i].pool) {
            ngx_destroy_pool(hook[i].pool);
            hook[i].pool = NULL;
        }
    }
}


static void
ngx_http_sluice_hook_tick(ngx_event_t *ev)
{
    ngx_int_t                       rc;
    ngx_str_t                       body;
    uint64_t                        epoch, seq, beat_ms;
    ngx_sluice_zone_ctx_t          *zctx;
    ngx_http_sluice_hook_t         *hook;
    ngx_http_sluice_notify_conf_t  *nmcf;

    hook = ev->data;

    if (ngx_exiting || ngx_quit || ngx_terminate) {
        return;         /* the next worker 0 goes on from the file */
    }

    if (hook->request) {
        return;         /* a POST in flight */
    }

    nmcf = ngx_http_cycle_get_module_main_conf(ngx_cycle,
                                               ngx_http_sluice_notify_module);
    zctx = nmcf->smcf->shm_zone->data;

    hook->pool = ngx_create_pool(4096, hook->log);
    if (hook->pool == NULL) {
        ngx_add_timer(&hook->timer, NGX_HTTP_SLUICE_NOTIFY_TICK);
        return;
    }

    /* the cursor: kept on disk; the numbers are those of one zone */

    if (!hook->loaded) {
        epoch = 0;
        seq = 0;
        beat_ms = 0;

        rc = ngx_http_sluice_cursor_load(&hook->state_path, hook->pool,
                                         hook->log, &epoch, &seq, &beat_ms);
        if (rc == NGX_ERROR) {
            goto next;
        }

        hook->loaded = 1;
        hook->epoch = zctx->sh->tel_epoch;
        hook->beat_ms = beat_ms;
        hook->seq = 0;

        if (rc == NGX_OK && epoch == zctx->sh->tel_epoch) {
            hook->seq = seq;

        } else if (rc == NGX_OK) {
            ngx_log_error(NGX_LOG_NOTICE, hook->log, 0,
                          "sluice: webhook \"%V\": a new zone (nginx "
                          "restarted): stream events it did not deliver "
                          "before are gone with the old one", &hook->url);
        }
    }

    rc = ngx_http_sluice_hook_batch(hook, nmcf, &body);

    if (rc == NGX_DECLINED) {
        goto next;      /* nothing to send */
    }

    if (rc == NGX_OK) {
        rc = ngx_http_sluice_hook_post(hook, &body);
    }

    if (rc != NGX_OK) {
        hook->request = NULL;
        ngx_http_sluice_hook_retry(hook);
    }

    return;

next:

    ngx_destroy_pool(hook->pool);
    hook->pool = NULL;

    ngx_add_timer(&hook->timer, NGX_HTTP_SLUICE_NOTIFY_TICK);
}


/*
 * The next batch into body: NGX_OK; NGX_DECLINED: nothing to send (the
 * cursor may have moved past events of types not subscribed: saved);
 * NGX_ERROR
 */

static ngx_int_t
ngx_http_sluice_hook_batch(ngx_http_sluice_hook_t *hook,
    ngx_http_sluice_notify_conf_t *nmcf, ngx_str_t *body)
{
    u_char                      *p;
    uint64_t                     cursor, lost, mark;
    ngx_uint_t                   i, n, nb, nn, t;
    ngx_queue_t                 *q;
    sluice_str_t                 topic;
    sluice_json_t               *d;
    sluice_alloc_t               a;
    sluice_notice_t             *notices, *nt;
    ngx_sluice_event_t          *ev;
    ngx_sluice_zone_ctx_t       *zctx;
    ngx_sluice_tel_record_t     *recs;
    ngx_http_sluice_beat_rec_t  *beats;
    char                         id[SLUICE_NOTICE_ID_LEN];

    zctx = nmcf->smcf->shm_zone->data;

    recs = ngx_palloc(hook->pool, hook->batch
                                  * sizeof(ngx_sluice_tel_record_t));
    beats = ngx_palloc(hook->pool, NGX_HTTP_SLUICE_NOTIFY_BEATS
                                   * sizeof(ngx_http_sluice_beat_rec_t));
    if (recs == NULL || beats == NULL) {
        return NGX_ERROR;
    }

    cursor = hook->seq;
    nb = 0;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    if (zctx->sh->tel_epoch != hook->epoch) {
        /* cannot happen but with a zone made anew under a live worker */
        hook->epoch = zctx->sh->tel_epoch;
        cursor = 0;
    }

    n = ngx_sluice_tel_read(zctx->sh, &cursor, recs, hook->batch, &lost);

    mark = hook->beat_ms;

    if (hook->types & (1 << NGX_HTTP_SLUICE_NT_HEARTBEAT)) {

        /* the heartbeats due now are made, then those after the mark */

        for (q = ngx_queue_head(&zctx->sh->events);
             q != ngx_queue_sentinel(&zctx->sh->events);
             q = ngx_queue_next(q))
        {
            ev = ngx_queue_data(q, ngx_sluice_event_t, queue);
            ngx_sluice_tel_tick(ev, zctx->heartbeat_ms);
        }

        mark = ngx_sluice_now_ms();
        nb = ngx_http_sluice_hook_beats(zctx->sh, hook->beat_ms, &mark,
                                        beats, NGX_HTTP_SLUICE_NOTIFY_BEATS);
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (lost) {
        ngx_http_sluice_hook_lost(hook, n ? &recs[0] : NULL, lost);
    }

    hook->next_seq = cursor;
    hook->next_beat_ms = mark;
    hook->full = (n == hook->batch || nb == NGX_HTTP_SLUICE_NOTIFY_BEATS);

    /* the notices */

    notices = ngx_palloc(hook->pool, (n + nb) * sizeof(sluice_notice_t) + 1);
    if (notices == NULL) {
        return NGX_ERROR;
    }

    ngx_http_sluice_pool_alloc(&a, hook->pool);
    nn = 0;

    for (i = 0; i < n; i++) {
        t = ngx_http_sluice_notify_type(&recs[i].e);

        if (t == NGX_HTTP_SLUICE_NT_COUNT || !(hook->types & (1 << t))) {
            continue;
        }

        d = ngx_http_sluice_notify_event_data(&a, &recs[i].e,
                                              &nmcf->ingest_url);
        if (d == NULL) {
            return NGX_ERROR;
        }

        nt = &notices[nn++];

        sluice_notice_id(hook->epoch, recs[i].e.seq, 0, id);

        if (ngx_http_sluice_notify_time(&a, recs[i].e.time_ms, &nt->time)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        p = ngx_pnalloc(hook->pool, SLUICE_NOTICE_ID_LEN
                                    + sizeof("liveEvent/")
                                    + NGX_SLUICE_NAME_LEN);
        if (p == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(p, id, SLUICE_NOTICE_ID_LEN);
        nt->id.data = p;
        nt->id.len = SLUICE_NOTICE_ID_LEN;
        p += SLUICE_NOTICE_ID_LEN;
        nt->subject.data = p;
        nt->subject.len = ngx_sprintf(p, "liveEvent/%s", recs[i].event) - p;

        nt->type.data = (uint8_t *) ngx_http_sluice_notify_type_name(t);
        nt->type.len = ngx_strlen(nt->type.data);

        nt->data.len = sluice_json_write(d, NULL);
        nt->data.data = ngx_pnalloc(hook->pool, nt->data.len);
        if (nt->data.data == NULL) {
            return NGX_ERROR;
        }

        sluice_json_write(d, (uint8_t *) nt->data.data);
    }

    for (i = 0; i < nb; i++) {
        d = ngx_http_sluice_notify_beat_data(&a, &beats[i].b);
        if (d == NULL) {
            return NGX_ERROR;
        }

        nt = &notices[nn++];

        /* stable: the window's end, the live event, the track */
        sluice_notice_id(beats[i].b.time_ms, beats[i].serial,
                         0x100 + beats[i].slot, id);

        if (ngx_http_sluice_notify_time(&a, beats[i].b.time_ms, &nt->time)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        p = ngx_pnalloc(hook->pool, SLUICE_NOTICE_ID_LEN
                                    + sizeof("liveEvent/")
                                    + NGX_SLUICE_NAME_LEN);
        if (p == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(p, id, SLUICE_NOTICE_ID_LEN);
        nt->id.data = p;
        nt->id.len = SLUICE_NOTICE_ID_LEN;
        p += SLUICE_NOTICE_ID_LEN;
        nt->subject.data = p;
        nt->subject.len = ngx_sprintf(p, "liveEvent/%s", beats[i].event) - p;

        nt->type.data = (uint8_t *) ngx_http_sluice_notify_type_name(
                                              NGX_HTTP_SLUICE_NT_HEARTBEAT);
        nt->type.len = ngx_strlen(nt->type.data);

        nt->data.len = sluice_json_write(d, NULL);
        nt->data.data = ngx_pnalloc(hook->pool, nt->data.len);
        if (nt->data.data == NULL) {
            return NGX_ERROR;
        }

        sluice_json_write(d, (uint8_t *) nt->data.data);
    }

    if (nn == 0) {
        /* nothing for this hook: the cursor moves on all the same */

        if (hook->next_seq != hook->seq || hook->next_beat_ms != hook->beat_ms)
        {
            hook->seq = hook->next_seq;
            hook->beat_ms = hook->next_beat_ms;

            if (n) {
                (void) ngx_http_sluice_cursor_save(&hook->writer,
                                                   &hook->state_path,
                                                   hook->log, hook->epoch,
                                                   hook->seq, hook->beat_ms);
            }
        }

        return NGX_DECLINED;
    }

    topic.data = hook->topic.data;
    topic.len = hook->topic.len;

    body->len = sluice_notice_batch(hook->schema, &topic, notices, nn, NULL);
    body->data = ngx_pnalloc(hook->pool, body->len);
    if (body->data == NULL) {
        return NGX_ERROR;
    }

    sluice_notice_batch(hook->schema, &topic, notices, nn, body->data);

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, hook->log, 0,
                   "sluice webhook: %ui events, cursor %uL, beats to %uL",
                   nn, hook->next_seq, hook->next_beat_ms);

    return NGX_OK;
}


/*
 * The heartbeats of every track with a time in (from, *to], in time
 * order, at most about n: when there are more, *to comes earlier (a
 * shorter span, the rest next time).  Zone mutex held.
 */

static ngx_uint_t
ngx_http_sluice_hook_beats(ngx_sluice_shctx_t *sh, uint64_t from,
    uint64_t *to, ngx_http_sluice_beat_rec_t *out, ngx_uint_t n)
{
    uint64_t                     t;
    ngx_uint_t                   i, j, k, count, pass;
    ngx_queue_t                 *q;
    ngx_sluice_event_t          *ev;
    ngx_sluice_tel_beat_t       *b;
    ngx_sluice_tel_track_t      *tt;
    ngx_http_sluice_beat_rec_t   tmp;

    for (pass = 0; /* void */ ; pass++) {
        count = 0;

        for (q = ngx_queue_head(&sh->events);
             q != ngx_queue_sentinel(&sh->events);
             q = ngx_queue_next(q))
        {
            ev = ngx_queue_data(q, ngx_sluice_event_t, queue);

            if (ev->tel == NULL) {
                continue;
            }

            for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
                tt = &ev->tel->tracks[i];

                if (!tt->used) {
                    continue;
                }

                for (j = 0; j < tt->nbeats; j++) {
                    b = &tt->beats[(tt->bhead + j) % NGX_SLUICE_TEL_NBEATS];

                    if (b->time_ms <= from || b->time_ms > *to) {
                        continue;
                    }

                    if (count < n) {
                        ngx_cpystrn(out[count].event, ev->name,
                                    NGX_SLUICE_NAME_LEN + 1);
                        out[count].serial = ev->serial;
                        out[count].slot = i;
                        out[count].b = *b;
                    }

                    count++;
                }
            }
        }

        if (count <= n || *to - from <= 1 || pass == 32) {
            break;
        }

        /* too many (a long outage): half the span */
        *to = from + (*to - from) / 2;
    }

    count = ngx_min(count, n);

    if (pass == 32 || (count == n && *to - from <= 1)) {
        /* many at one time: what was copied is sent, the mark moves on */
        t = 0;

        for (i = 0; i < count; i++) {
            t = ngx_max(t, out[i].b.time_ms);
        }

        *to = t;
    }

    /* in time order (insertion sort: few, mostly ordered) */

    for (i = 1; i < count; i++) {
        tmp = out[i];

        for (k = i; k > 0 && out[k - 1].b.time_ms > tmp.b.time_ms; k--) {
            out[k] = out[k - 1];
        }

        out[k] = tmp;
    }

    return count;
}


static void
ngx_http_sluice_hook_done(ngx_http_sluice_hook_t *hook, ngx_int_t status)
{
    if (status >= 200 && status < 300) {

        if (hook->failures) {
            ngx_log_error(NGX_LOG_NOTICE, hook->log, 0,
                          "sluice: webhook \"%V\": delivered again after "
                          "%ui failures", &hook->url, hook->failures);
        }

        hook->failures = 0;
        hook->backoff = 0;
        hook->seq = hook->next_seq;
        hook->beat_ms = hook->next_beat_ms;

        ngx_destroy_pool(hook->pool);
        hook->pool = NULL;

        if (ngx_exiting || ngx_quit || ngx_terminate) {
            /*
             * not saved: the next worker 0 may have gone further already;
             * it sends these again (at least once)
             */
            return;
        }

        (void) ngx_http_sluice_cursor_save(&hook->writer,
                                                   &hook->state_path, hook->log,
                                           hook->epoch, hook->seq,
                                           hook->beat_ms);

        ngx_add_timer(&hook->timer,
                      hook->full ? 1 : NGX_HTTP_SLUICE_NOTIFY_TICK);
        return;
    }

    if (status) {
        ngx_log_error(NGX_LOG_WARN, hook->log, 0,
                      "sluice: webhook \"%V\" answered %i", &hook->url,
                      status);
    }

    ngx_http_sluice_hook_retry(hook);
}


/* a failure: the same events again after 1 s, 2 s, 4 s ... 60 s */

static void
ngx_http_sluice_hook_retry(ngx_http_sluice_hook_t *hook)
{
    hook->failures++;

    hook->backoff = hook->backoff
                    ? ngx_min(hook->backoff * 2,
                              NGX_HTTP_SLUICE_NOTIFY_MAX_WAIT)
                    : NGX_HTTP_SLUICE_NOTIFY_BACKOFF;

    if (hook->failures == 1 || hook->backoff == NGX_HTTP_SLUICE_NOTIFY_MAX_WAIT)
    {
        ngx_log_error(NGX_LOG_WARN, hook->log, 0,
                      "sluice: webhook \"%V\": delivery failed (%ui in a "
                      "row), next try in %M ms", &hook->url, hook->failures,
                      hook->backoff);
    }

    if (hook->pool) {
        ngx_destroy_pool(hook->pool);
        hook->pool = NULL;
    }

    if (ngx_exiting || ngx_quit || ngx_terminate) {
        return;
    }

    ngx_add_timer(&hook->timer, hook->backoff);
}


/* events that left their ring before they were sent: said once */

static void
ngx_http_sluice_hook_lost(ngx_http_sluice_hook_t *hook,
    ngx_sluice_tel_record_t *rec, uint64_t lost)
{
    uint64_t  upto;

    upto = rec ? rec->e.seq : hook->seq + lost;

    if (upto <= hook->lost_seq) {
        return;         /* a retry of the same batch */
    }

    hook->lost_seq = upto;

    ngx_log_error(NGX_LOG_WARN, hook->log, 0,
                  "sluice: webhook \"%V\": %uL stream events were no longer "
                  "kept when their turn came (receiver down too long, or "
                  "their live event deleted): lost", &hook->url, lost);
}


/* --- the JSON log -------------------------------------------------------- */

static void
ngx_http_sluice_log_tick(ngx_event_t *ev)
{
    ngx_int_t                       rc;
    uint64_t                        cursor, lost, epoch, seq, beat_ms;
    ngx_uint_t                      i, n, t;
    ngx_pool_t                     *pool;
    sluice_json_t                  *line, *d;
    sluice_alloc_t                  a;
    ngx_sluice_zone_ctx_t          *zctx;
    ngx_sluice_tel_record_t         recs[16];
    ngx_http_sluice_notify_conf_t  *nmcf;

    static const char  *levels[] = {
        "Critical", "Error", "Warning", "Information"
    };

    nmcf = ev->data;

    if (ngx_exiting || ngx_quit || ngx_terminate) {
        return;
    }

    zctx = nmcf->smcf->shm_zone->data;

    pool = ngx_create_pool(4096, ev->log);
    if (pool == NULL) {
        goto next;
    }

    if (!nmcf->log_loaded) {
        epoch = 0;
        seq = 0;

        rc = ngx_http_sluice_cursor_load(&nmcf->log_state, pool, ev->log,
                                         &epoch, &seq, &beat_ms);
        if (rc == NGX_ERROR) {
            goto done;
        }

        nmcf->log_loaded = 1;
        nmcf->log_epoch = zctx->sh->tel_epoch;
        nmcf->log_seq = (rc == NGX_OK && epoch == nmcf->log_epoch) ? seq : 0;
    }

    ngx_http_sluice_pool_alloc(&a, pool);

    for ( ;; ) {
        cursor = nmcf->log_seq;

        ngx_shmtx_lock(&zctx->shpool->mutex);
        n = ngx_sluice_tel_read(zctx->sh, &cursor, recs, 16, &lost);
        ngx_shmtx_unlock(&zctx->shpool->mutex);

        if (n == 0) {
            break;
        }

        for (i = 0; i < n; i++) {
            t = ngx_http_sluice_notify_type(&recs[i].e);

            line = sluice_json_new(&a, SLUICE_JSON_OBJECT);
            d = ngx_http_sluice_notify_event_data(&a, &recs[i].e,
                                                  &nmcf->ingest_url);

            if (line == NULL || d == NULL
                || ngx_http_sluice_res_set(&a, line, "time",
                       ngx_http_sluice_time_json(&a, recs[i].e.time_ms))
                   != NGX_OK
                || ngx_http_sluice_res_set(&a, line, "kind",
                       sluice_json_new_cstring(&a, "ingest")) != NGX_OK
                || ngx_http_sluice_res_set(&a, line, "event",
                       sluice_json_new_cstring(&a,
                           ngx_http_sluice_notify_type_name(t))) != NGX_OK
                || ngx_http_sluice_res_set(&a, line, "liveEvent",
                       sluice_json_new_cstring(&a, (char *) recs[i].event))
                   != NGX_OK
                || ngx_http_sluice_res_set(&a, line, "seq",
                       sluice_json_new_int(&a, (int64_t) recs[i].e.seq))
                   != NGX_OK
                || ngx_http_sluice_res_set(&a, line, "level",
                       sluice_json_new_cstring(&a,
                           levels[recs[i].e.level & 3])) != NGX_OK
                || ngx_http_sluice_res_set(&a, line, "data", d) != NGX_OK)
            {
                goto done;
            }

            if (lost && i == 0
                && ngx_http_sluice_res_set(&a, line, "lostBefore",
                       sluice_json_new_int(&a, (int64_t) lost)) != NGX_OK)
            {
                goto done;
            }

            ngx_http_sluice_log_write(nmcf->json_log, line, pool, ev->log);
        }

        nmcf->log_seq = cursor;

        (void) ngx_http_sluice_cursor_save(&nmcf->log_writer,
                                           &nmcf->log_state, ev->log,
                                           nmcf->log_epoch, nmcf->log_seq, 0);

        if (n < 16) {
            break;
        }
    }

done:

    ngx_destroy_pool(pool);

next:

    ngx_add_timer(ev, NGX_HTTP_SLUICE_NOTIFY_TICK);
}


/* an API request: who did what, with what result */

static ngx_int_t
ngx_http_sluice_log_handler(ngx_http_request_t *r)
{
    const char                     *type;
    ngx_str_t                       name;
    sluice_json_t                  *line, *v;
    sluice_alloc_t                  a;
    ngx_http_variable_value_t      *rid;
    ngx_http_sluice_api_ctx_t      *ctx;
    ngx_http_sluice_notify_conf_t  *nmcf;

    ctx = ngx_http_get_module_ctx(r, ngx_http_sluice_module);
    if (ctx == NULL) {
        return NGX_OK;      /* not an API request */
    }

    nmcf = ngx_http_get_module_main_conf(r, ngx_http_sluice_notify_module);

    ngx_http_sluice_pool_alloc(&a, r->pool);

    line = sluice_json_new(&a, SLUICE_JSON_OBJECT);
    if (line == NULL) {
        return NGX_OK;
    }

    rid = ngx_http_get_indexed_variable(r, nmcf->request_id);

    /* the path only: no query string, no header (keys, tokens) */

    if (ngx_http_sluice_res_set(&a, line, "time",
            ngx_http_sluice_time_json(&a, ngx_sluice_now_ms())) != NGX_OK
        || ngx_http_sluice_res_set(&a, line, "kind",
               sluice_json_new_cstring(&a, "api")) != NGX_OK
        || ngx_http_sluice_res_set(&a, line, "event",
               sluice_json_new_cstring(&a, "ApiRequest")) != NGX_OK
        || ngx_http_sluice_res_set(&a, line, "requestId",
               (rid && !rid->not_found)
               ? sluice_json_new_string(&a, rid->data, rid->len)
               : sluice_json_new(&a, SLUICE_JSON_NULL)) != NGX_OK
        || ngx_http_sluice_res_set(&a, line, "method",
               sluice_json_new_string(&a, r->method_name.data,
                                      r->method_name.len)) != NGX_OK
        || ngx_http_sluice_res_set(&a, line, "path",
               sluice_json_new_string(&a, r->uri.data, r->uri.len))
           != NGX_OK
        || ngx_http_sluice_res_set(&a, line, "status",
               sluice_json_new_int(&a, r->headers_out.status)) != NGX_OK)
    {
        return NGX_OK;
    }

    if (ctx->principal.len) {
        ngx_http_sluice_api_identity(r, &name, &type);
        v = sluice_json_new_string(&a, name.data, name.len);

    } else {
        type = NULL;
        v = sluice_json_new(&a, SLUICE_JSON_NULL);
    }

    if (ngx_http_sluice_res_set(&a, line, "identity", v) != NGX_OK
        || ngx_http_sluice_res_set(&a, line, "identityType",
               type ? sluice_json_new_cstring(&a, type)
                    : sluice_json_new(&a, SLUICE_JSON_NULL)) != NGX_OK)
    {
        return NGX_OK;
    }

    ngx_http_sluice_log_write(nmcf->json_log, line, r->pool,
                              r->connection->log);

    return NGX_OK;
}


/* one line, one write(2): lines of several workers do not mix */

static void
ngx_http_sluice_log_write(ngx_open_file_t *file, sluice_json_t *line,
    ngx_pool_t *pool, ngx_log_t *log)
{
    size_t    len;
    u_char   *p;
    ssize_t   n;

    len = sluice_json_write(line, NULL);

    p = ngx_pnalloc(pool, len + 1);
    if (p == NULL) {
        return;
    }

    sluice_json_write(line, p);
    p[len++] = LF;

    n = ngx_write_fd(file->fd, p, len);

    if (n != (ssize_t) len) {
        ngx_log_error(NGX_LOG_ALERT, log, n == -1 ? ngx_errno : 0,
                      ngx_write_fd_n " to \"%s\" failed", file->name.data);
    }
}


/* --- cursors on disk ----------------------------------------------------- */

/*
 * "{epoch} {seq} {beat_ms}\n": NGX_OK, NGX_DECLINED (no file: a first
 * start; a malformed file is logged and taken as none), NGX_ERROR
 */

static ngx_int_t
ngx_http_sluice_cursor_load(ngx_str_t *path, ngx_pool_t *pool,
    ngx_log_t *log, uint64_t *epoch, uint64_t *seq, uint64_t *beat_ms)
{
    u_char           *p, *last, *sp;
    ngx_int_t         rc;
    ngx_str_t         content;
    ngx_uint_t        i;
    uint64_t         *v[3];
    ngx_file_info_t   fi;

    if (ngx_file_info(path->data, &fi) == NGX_FILE_ERROR) {
        if (ngx_errno == NGX_ENOENT) {
            return NGX_DECLINED;
        }

        ngx_log_error(NGX_LOG_ALERT, log, ngx_errno,
                      ngx_file_info_n " \"%s\" failed", path->data);
        return NGX_ERROR;
    }

    rc = ngx_sluice_file_read(pool, log, path->data, 256, &content);
    if (rc != NGX_OK) {
        return rc;
    }

    v[0] = epoch;
    v[1] = seq;
    v[2] = beat_ms;

    p = content.data;
    last = content.data + content.len;

    for (i = 0; i < 3; i++) {
        for (sp = p; sp < last && *sp >= '0' && *sp <= '9'; sp++) {
            /* void */
        }

        if (sp == p || sp - p > 19 || sp == last
            || (*sp != ' ' && *sp != LF))
        {
            ngx_log_error(NGX_LOG_WARN, log, 0,
                          "sluice: \"%s\" is malformed: ignored", path->data);
            return NGX_DECLINED;
        }

        *v[i] = 0;

        for ( /* void */ ; p < sp; p++) {
            *v[i] = *v[i] * 10 + (*p - '0');
        }

        p = sp + 1;
    }

    return NGX_OK;
}


/*
 * written to a new file, synced, renamed over the old one and the
 * directory synced, by a writer of the cursor's own in the thread pool
 * (the worker does not wait for the disk; the writes stay in order)
 */

static ngx_int_t
ngx_http_sluice_cursor_save(ngx_sluice_writer_t **wp, ngx_str_t *path,
    ngx_log_t *log, uint64_t epoch, uint64_t seq, uint64_t beat_ms)
{
    u_char             *last, buf[3 * NGX_INT64_LEN + 4];
    ngx_sluice_wjob_t  *job;

    if (*wp == NULL) {
        *wp = ngx_sluice_writer_create(ngx_http_sluice_store_pool(log), log);
        if (*wp == NULL) {
            return NGX_ERROR;
        }
    }

    last = ngx_sprintf(buf, "%uL %uL %uL\n", epoch, seq, beat_ms);

    job = ngx_sluice_wjob_create(last - buf, 0, log);
    if (job == NULL) {
        return NGX_ERROR;
    }

    job->path = ngx_pnalloc(job->pool, path->len + 1);
    if (job->path == NULL) {
        ngx_destroy_pool(job->pool);
        return NGX_ERROR;
    }

    ngx_memcpy(job->data, buf, last - buf);
    ngx_cpystrn(job->path, path->data, path->len + 1);
    job->done = ngx_http_sluice_cursor_saved;

    ngx_sluice_writer_post(*wp, job);

    return NGX_OK;
}


static void
ngx_http_sluice_cursor_saved(ngx_sluice_wjob_t *job)
{
    if (job->failed) {
        ngx_log_error(NGX_LOG_ALERT, ngx_cycle->log, job->err,
                      "sluice: %s \"%s\" failed (a webhook or JSON log "
                      "cursor: what follows it may be sent again)",
                      job->failed, job->path);
    }
}


/* an RFC 3339 time as a string of pool memory (out) */

static ngx_int_t
ngx_http_sluice_notify_time(sluice_alloc_t *a, uint64_t ms, sluice_str_t *out)
{
    sluice_json_t  *v;

    v = ngx_http_sluice_time_json(a, (int64_t) ms);
    if (v == NULL) {
        return NGX_ERROR;
    }

    *out = v->str;

    return NGX_OK;
}
