
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * sluice_metrics: a GET (or HEAD) of the location answers the zone's
 * metrics in the Prometheus text exposition format, version 0.0.4,
 * never cached.  Any worker answers for the whole server: the counters
 * and the live events are in the zone, which a reload keeps.  Who may
 * scrape is the location's business (allow/deny, auth_basic...).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_module.h"
#include "api/ngx_http_sluice_api_metrics.h"
#include "core/ngx_sluice_metrics.h"


static ngx_int_t ngx_http_sluice_metrics_handler(ngx_http_request_t *r);


static ngx_int_t
ngx_http_sluice_metrics_handler(ngx_http_request_t *r)
{
    off_t                         len;
    ngx_int_t                     rc;
    ngx_buf_t                    *b;
    ngx_chain_t                  *out, *cl;
    ngx_table_elt_t              *h;
    ngx_http_sluice_main_conf_t  *smcf;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    smcf = ngx_http_get_module_main_conf(r, ngx_http_sluice_module);

    if (smcf->shm_zone == NULL || smcf->shm_zone->data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    out = ngx_sluice_metrics_page(smcf->shm_zone->data, r->pool, &len);
    if (out == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Cache-Control");
    ngx_str_set(&h->value, "no-store");

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = len;
    ngx_str_set(&r->headers_out.content_type,
                "text/plain; version=0.0.4; charset=utf-8");
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_type_lowcase = NULL;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    for (cl = out; cl->next; cl = cl->next) { /* void */ }

    b = cl->buf;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    return ngx_http_output_filter(r, out);
}


char *
ngx_http_sluice_metrics(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t     *clcf;
    ngx_http_sluice_main_conf_t  *smcf;

    smcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_sluice_module);

    if (smcf->shm_zone == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"sluice_metrics\" needs \"sluice_zone\" before "
                           "it in the http block");
        return NGX_CONF_ERROR;
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->handler) {
        return "is duplicate or conflicts with another content handler";
    }

    clcf->handler = ngx_http_sluice_metrics_handler;

    return NGX_CONF_OK;
}
