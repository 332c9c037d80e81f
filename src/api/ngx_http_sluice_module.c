
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ngx_http_sluice_module: the shared-memory zone, the data directory and
 * the AMS-shaped REST API ("sluice_api").
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_module.h"
#include "api/ngx_http_sluice_api.h"
#include "api/ngx_http_sluice_api_auth.h"
#include "api/ngx_http_sluice_api_metrics.h"
#include "api/ngx_http_sluice_api_resource.h"
#include "api/ngx_http_sluice_api_streaming_endpoint.h"
#include "core/ngx_sluice_ladder.h"
#include "core/ngx_sluice_resource.h"
#include "core/ngx_sluice_store.h"
#include "core/ngx_sluice_zone.h"


#define NGX_HTTP_SLUICE_MAX_EVENTS  64


static void *ngx_http_sluice_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_sluice_init_main_conf(ngx_conf_t *cf, void *conf);
static char *ngx_http_sluice_zone(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_sluice_api_error_pages(ngx_conf_t *cf,
    ngx_http_core_loc_conf_t *clcf);
static char *ngx_http_sluice_api(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_sluice_url(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_http_sluice_init_module(ngx_cycle_t *cycle);


static ngx_conf_num_bounds_t  ngx_http_sluice_max_events_bounds = {
    ngx_conf_check_num_bounds, 1, 4096
};


/* low-latency parts: from 100 ms to 5 s */
static ngx_conf_num_bounds_t  ngx_http_sluice_part_bounds = {
    ngx_conf_check_num_bounds, 100, 5000
};


/* track ingest heartbeats: from 1 s to 1 h */
static ngx_conf_num_bounds_t  ngx_http_sluice_heartbeat_bounds = {
    ngx_conf_check_num_bounds, 1000, 3600000
};


static ngx_command_t  ngx_http_sluice_commands[] = {

    { ngx_string("sluice_zone"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE2,
      ngx_http_sluice_zone,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sluice_data_path"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_sluice_main_conf_t, data_path),
      NULL },

    { ngx_string("sluice_account"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_sluice_main_conf_t, account),
      NULL },

    { ngx_string("sluice_api_key"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE123,
      ngx_http_sluice_api_key,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sluice_api_jwks"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_sluice_api_jwks,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sluice_api_jwt_issuer"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_sluice_api_jwt_strings,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_sluice_main_conf_t, auth.issuers),
      NULL },

    { ngx_string("sluice_api_jwt_audience"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_sluice_api_jwt_strings,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_sluice_main_conf_t, auth.audiences),
      NULL },

    { ngx_string("sluice_api_jwt_role"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE2,
      ngx_http_sluice_api_jwt_role,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sluice_api_jwt_default_role"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_sluice_api_jwt_default_role,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("sluice_ingest_url"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_sluice_url,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_sluice_main_conf_t, ingest_urls),
      NULL },

    { ngx_string("sluice_preview_url"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_sluice_url,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_sluice_main_conf_t, preview_url),
      NULL },

    { ngx_string("sluice_max_live_events"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_sluice_main_conf_t, max_events),
      &ngx_http_sluice_max_events_bounds },

    { ngx_string("sluice_transition_time"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_sluice_main_conf_t, transition_time),
      NULL },

    { ngx_string("sluice_splice_conditioning"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_sluice_main_conf_t, splice_conditioning),
      NULL },

    { ngx_string("sluice_part_duration"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_sluice_main_conf_t, part_ms),
      &ngx_http_sluice_part_bounds },

    { ngx_string("sluice_heartbeat_interval"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_sluice_main_conf_t, heartbeat_ms),
      &ngx_http_sluice_heartbeat_bounds },

    { ngx_string("sluice_telemetry"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_sluice_main_conf_t, telemetry),
      NULL },

    { ngx_string("sluice_transcoder"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_sluice_main_conf_t, transcode.path),
      NULL },

    { ngx_string("sluice_transcoder_encoder"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_sluice_main_conf_t, transcode.encoder),
      NULL },

    { ngx_string("sluice_transcoder_preset"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_sluice_main_conf_t, transcode.preset),
      NULL },

    { ngx_string("sluice_ladder"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_BLOCK|NGX_CONF_TAKE1,
      ngx_sluice_ladder_block,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_sluice_main_conf_t, transcode),
      NULL },

    { ngx_string("sluice_api"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_sluice_api,
      0,
      0,
      NULL },

    { ngx_string("sluice_metrics"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_sluice_metrics,
      0,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_sluice_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_http_sluice_api_init_body_filter,  /* postconfiguration */

    ngx_http_sluice_create_main_conf,      /* create main configuration */
    ngx_http_sluice_init_main_conf,        /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    NULL,                                  /* create location configuration */
    NULL                                   /* merge location configuration */
};


ngx_module_t  ngx_http_sluice_module = {
    NGX_MODULE_V1,
    &ngx_http_sluice_module_ctx,           /* module context */
    ngx_http_sluice_commands,              /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    ngx_http_sluice_init_module,           /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static void *
ngx_http_sluice_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_sluice_main_conf_t  *smcf;

    smcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_sluice_main_conf_t));
    if (smcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     smcf->shm_zone = NULL;
     *     smcf->data_path = { 0, NULL };
     *     smcf->account = { 0, NULL };
     *     smcf->preview_url = { 0, NULL };
     *     smcf->transcode = { { 0, NULL }, ... NULL };
     *     smcf->auth = { NULL, ... };
     */

    smcf->auth.default_role = NGX_CONF_UNSET_UINT;
    smcf->ingest_urls = NGX_CONF_UNSET_PTR;
    smcf->max_events = NGX_CONF_UNSET_UINT;
    smcf->transition_time = NGX_CONF_UNSET_MSEC;
    smcf->splice_conditioning = NGX_CONF_UNSET;
    smcf->part_ms = NGX_CONF_UNSET_MSEC;
    smcf->heartbeat_ms = NGX_CONF_UNSET_MSEC;
    smcf->telemetry = NGX_CONF_UNSET;

    return smcf;
}


static char *
ngx_http_sluice_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_sluice_main_conf_t *smcf = conf;

    ngx_sluice_zone_ctx_t  *ctx;

    if (smcf->data_path.data == NULL) {
        ngx_str_set(&smcf->data_path, "sluice");
    }

    if (ngx_conf_full_name(cf->cycle, &smcf->data_path, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    while (smcf->data_path.len > 1
           && smcf->data_path.data[smcf->data_path.len - 1] == '/')
    {
        smcf->data_path.len--;
    }

    if (smcf->account.data == NULL) {
        ngx_str_set(&smcf->account, "local");
    }

    if (ngx_http_sluice_auth_init(cf, &smcf->auth) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    ngx_conf_init_ptr_value(smcf->ingest_urls, NULL);
    ngx_conf_init_uint_value(smcf->max_events, NGX_HTTP_SLUICE_MAX_EVENTS);
    ngx_conf_init_msec_value(smcf->transition_time, 0);
    ngx_conf_init_value(smcf->splice_conditioning, 0);
    ngx_conf_init_msec_value(smcf->part_ms, 500);
    ngx_conf_init_msec_value(smcf->heartbeat_ms, 20000);
    ngx_conf_init_value(smcf->telemetry, 1);

    if (smcf->transcode.path.len
        && ngx_conf_full_name(cf->cycle, &smcf->transcode.path, 0) != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    if (smcf->transcode.encoder.data == NULL) {
        ngx_str_set(&smcf->transcode.encoder, "libx264");
    }

    if (smcf->transcode.preset.data == NULL) {
        ngx_str_set(&smcf->transcode.preset, "veryfast");
    }

    if (smcf->shm_zone) {
        ctx = smcf->shm_zone->data;
        ctx->data_path = smcf->data_path;
        ctx->transcode = &smcf->transcode;
        ctx->splice_conditioning = smcf->splice_conditioning;
        ctx->part_ms = smcf->part_ms;
        ctx->heartbeat_ms = smcf->heartbeat_ms;
        ctx->telemetry = smcf->telemetry;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_sluice_zone(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_sluice_main_conf_t *smcf = conf;

    ssize_t     size;
    ngx_str_t  *value;

    if (smcf->shm_zone) {
        return "is duplicate";
    }

    value = cf->args->elts;

    size = ngx_parse_size(&value[2]);

    if (size == NGX_ERROR || size < (ssize_t) (8 * ngx_pagesize)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid sluice zone size \"%V\"", &value[2]);
        return NGX_CONF_ERROR;
    }

    smcf->shm_zone = ngx_sluice_zone_add(cf, &value[1], size);
    if (smcf->shm_zone == NULL) {
        return NGX_CONF_ERROR;
    }

    /* the core loads the API's files through these */

    ngx_sluice_store_hooks.preload = ngx_http_sluice_res_preload;
    ngx_sluice_store_hooks.load = ngx_http_sluice_res_load;
    ngx_sluice_store_hooks.first_start = ngx_http_sluice_se_create_default;

    return NGX_CONF_OK;
}


/* an absolute URL without a trailing slash; for arrays and strings */

static char *
ngx_http_sluice_url(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    char  *p = conf;

    ngx_str_t     *value, *s;
    ngx_array_t  **a;

    value = cf->args->elts;

    if (ngx_strlchr(value[1].data, value[1].data + value[1].len, ':') == NULL
        || ngx_strstr(value[1].data, "://") == NULL
        || ngx_strlchr(value[1].data, value[1].data + value[1].len, '"')
        || ngx_strlchr(value[1].data, value[1].data + value[1].len, '\\'))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid URL \"%V\"", &value[1]);
        return NGX_CONF_ERROR;
    }

    while (value[1].len && value[1].data[value[1].len - 1] == '/') {
        value[1].len--;
    }

    if (cmd->offset == offsetof(ngx_http_sluice_main_conf_t, ingest_urls)) {
        a = (ngx_array_t **) (p + cmd->offset);

        if (*a == NGX_CONF_UNSET_PTR) {
            *a = ngx_array_create(cf->pool, 2, sizeof(ngx_str_t));
            if (*a == NULL) {
                return NGX_CONF_ERROR;
            }
        }

        s = ngx_array_push(*a);
        if (s == NULL) {
            return NGX_CONF_ERROR;
        }

        *s = value[1];
        return NGX_CONF_OK;
    }

    s = (ngx_str_t *) (p + cmd->offset);

    if (s->data) {
        return "is duplicate";
    }

    *s = value[1];

    return NGX_CONF_OK;
}


static char *
ngx_http_sluice_api(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t     *clcf;
    ngx_http_sluice_main_conf_t  *smcf;

    smcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_sluice_module);

    if (smcf->shm_zone == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"sluice_api\" needs \"sluice_zone\" before it "
                           "in the http block");
        return NGX_CONF_ERROR;
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->handler) {
        return "is duplicate";
    }

    clcf->handler = ngx_http_sluice_api_handler;

    /* the API bounds its bodies itself (api.c), in AMS shape */

    if (clcf->client_max_body_size == NGX_CONF_UNSET) {
        clcf->client_max_body_size = 0;
    }

    return ngx_http_sluice_api_error_pages(cf, clcf);
}


/*
 * what nginx refuses in the location before the handler runs (a body
 * over client_max_body_size: 413; a malformed chunked body: 400) goes
 * back to the API through "error_page 400 413 $uri", which answers it
 * in AMS shape; error_page lines of the location before sluice_api win
 */

static char *
ngx_http_sluice_api_error_pages(ngx_conf_t *cf, ngx_http_core_loc_conf_t *clcf)
{
    ngx_str_t                          uri;
    ngx_uint_t                         i, j;
    ngx_http_err_page_t               *err;
    ngx_http_complex_value_t          *cv;
    ngx_http_compile_complex_value_t   ccv;

    static ngx_int_t  statuses[] = {
        NGX_HTTP_BAD_REQUEST, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE
    };

    if (clcf->error_pages == NULL) {
        clcf->error_pages = ngx_array_create(cf->pool, 2,
                                             sizeof(ngx_http_err_page_t));
        if (clcf->error_pages == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    cv = ngx_palloc(cf->pool, sizeof(ngx_http_complex_value_t));
    if (cv == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_str_set(&uri, "$uri");

    ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));

    ccv.cf = cf;
    ccv.value = &uri;
    ccv.complex_value = cv;

    if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {

        err = clcf->error_pages->elts;

        for (j = 0; j < clcf->error_pages->nelts; j++) {
            if (err[j].status == statuses[i]) {
                break;
            }
        }

        if (j < clcf->error_pages->nelts) {
            continue;
        }

        err = ngx_array_push(clcf->error_pages);
        if (err == NULL) {
            return NGX_CONF_ERROR;
        }

        err->status = statuses[i];
        err->overwrite = -1;
        err->value = *cv;
        ngx_str_null(&err->args);
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_sluice_init_module(ngx_cycle_t *cycle)
{
    ngx_http_sluice_main_conf_t  *smcf;

    if (cycle->conf_ctx[ngx_http_module.index] == NULL) {
        return NGX_OK;
    }

    smcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_sluice_module);
    if (smcf == NULL || smcf->shm_zone == NULL) {
        return NGX_OK;
    }

    if (ngx_sluice_store_init_dirs(cycle, &smcf->data_path) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_sluice_res_init_dirs(cycle, &smcf->data_path,
                                    smcf->shm_zone->data);
}
