
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_rtmp.h>

#include "ngx_sluice.h"


static ngx_rtmp_module_t  ngx_rtmp_sluice_module_ctx = {
    NULL,                                  /* preconfiguration */
    NULL,                                  /* postconfiguration */
    NULL,                                  /* create main configuration */
    NULL,                                  /* init main configuration */
    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */
    NULL,                                  /* create app configuration */
    NULL                                   /* merge app configuration */
};


ngx_module_t  ngx_rtmp_sluice_module = {
    NGX_MODULE_V1,
    &ngx_rtmp_sluice_module_ctx,           /* module context */
    NULL,                                  /* module directives */
    NGX_RTMP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};
