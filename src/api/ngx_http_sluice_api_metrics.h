
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * sluice_metrics: the Prometheus page of a location
 * (ngx_http_sluice_api_metrics.c; the page itself is written by
 * core/ngx_sluice_metrics.c).  docs/metrics.md lists what it holds.
 */


#ifndef _NGX_HTTP_SLUICE_API_METRICS_H_INCLUDED_
#define _NGX_HTTP_SLUICE_API_METRICS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


/* the "sluice_metrics" directive: the location's content handler */
char *ngx_http_sluice_metrics(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);


#endif /* _NGX_HTTP_SLUICE_API_METRICS_H_INCLUDED_ */
