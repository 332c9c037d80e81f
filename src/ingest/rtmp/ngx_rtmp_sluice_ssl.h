
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ngx_rtmp_sluice_ssl.c: RTMPS in the RTMP listener (sluice_ssl_*).
 */


#ifndef _NGX_RTMP_SLUICE_SSL_H_INCLUDED_
#define _NGX_RTMP_SLUICE_SSL_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


extern ngx_module_t  ngx_rtmp_sluice_ssl_module;

/* whether the rtmp server of srv_conf ends TLS (sluice_ssl_certificate) */
ngx_uint_t ngx_rtmp_sluice_ssl_server(void **srv_conf);


#endif /* _NGX_RTMP_SLUICE_SSL_H_INCLUDED_ */
