
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ngx_http_sluice_packager_module.c: the module (directives, routing),
 * its location configuration, and the HTTP responses the other files of
 * the packager send through it.
 */


#ifndef _NGX_HTTP_SLUICE_PACKAGER_MODULE_H_INCLUDED_
#define _NGX_HTTP_SLUICE_PACKAGER_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "packager/ngx_http_sluice_packager.h"


/*
 * Cache-Control max-age of segments, seconds: a response sent with it
 * is also "immutable"
 */
#define NGX_HTTP_SLUICE_SEGMENT_MAX_AGE  31536000


typedef struct {
    ngx_msec_t                   live_window;
    ngx_http_complex_value_t    *key_url;   /* sluice_key_delivery_url */
} ngx_http_sluice_packager_loc_conf_t;


extern ngx_module_t  ngx_http_sluice_packager_module;


/* sends a complete response of status with one buffer (memory or file) */
ngx_int_t ngx_http_sluice_packager_send(ngx_http_request_t *r,
    ngx_str_t *type, ngx_buf_t *b, time_t max_age);
/*
 * the same with the buffers of a chain (segments with emsg boxes added
 * to a stored file): one range at most is served (nginx serves several
 * of a single buffer only)
 */
/*
 * The headers of a response whose length is not known yet (sent in
 * chunks as its media comes: LL-DASH); the body follows with
 * ngx_http_output_filter().  Returns ngx_http_send_header()'s rc.
 */
ngx_int_t ngx_http_sluice_packager_send_open(ngx_http_request_t *r,
    ngx_str_t *type, time_t max_age);
ngx_int_t ngx_http_sluice_packager_send_chain(ngx_http_request_t *r,
    ngx_str_t *type, ngx_chain_t *out, time_t max_age);
/*
 * sends an error response with a short text body; returns an nginx rc
 * (NGX_ERROR, the connection to close, once the headers of a response
 * went out: so does send_chain)
 */
ngx_int_t ngx_http_sluice_packager_error(ngx_http_request_t *r,
    ngx_uint_t status, const char *reason);
ngx_uint_t ngx_http_sluice_packager_http_status(sluice_status_t rc);

#if (NGX_THREADS)
/*
 * Posts task to the thread pool of the request's location ("aio
 * threads") and blocks the request until it is done; then the request's
 * write_event_handler runs.
 */
ngx_int_t ngx_http_sluice_packager_thread_post(ngx_http_request_t *r,
    ngx_thread_task_t *task);
#endif

/* the request's packager context, made at the first call; NULL: no memory */
ngx_http_sluice_packager_ctx_t *ngx_http_sluice_packager_ctx(
    ngx_http_request_t *r);

/*
 * A GET or HEAD from its URL on (the handler; a blocking request again,
 * once woken).  Returns an nginx rc.
 */
ngx_int_t ngx_http_sluice_packager_run(ngx_http_request_t *r);

/*
 * The response once the source is known (resolvers, or the end of an
 * asset read in a thread): manifest, segment, or the error of
 * pkg->status/pkg->reason when rc is not NGX_OK (a blocking request
 * waiting, pkg->ll_wait: parked).  Returns an nginx rc.
 */
ngx_int_t ngx_http_sluice_packager_respond(ngx_http_sluice_pkg_t *pkg,
    ngx_int_t rc);


#endif /* _NGX_HTTP_SLUICE_PACKAGER_MODULE_H_INCLUDED_ */
