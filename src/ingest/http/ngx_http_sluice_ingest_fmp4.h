
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ngx_http_sluice_ingest_fmp4.c: the fragmented-MP4 body of an ingest
 * request, box by box, to the core's ingest.
 */


#ifndef _NGX_HTTP_SLUICE_INGEST_FMP4_H_INCLUDED_
#define _NGX_HTTP_SLUICE_INGEST_FMP4_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ingest/http/ngx_http_sluice_ingest.h"


/*
 * len more bytes of the body: every whole box is read.  NGX_ERROR: the
 * request must end (the cause logged, naming the stream)
 */
ngx_int_t ngx_http_sluice_ingest_fmp4_feed(ngx_http_sluice_ingest_ctx_t *ctx,
    u_char *p, size_t len);

/* the body ended or the request did: what is pending is written */
void ngx_http_sluice_ingest_fmp4_finish(ngx_http_sluice_ingest_ctx_t *ctx);

/* buffers freed (request pool cleanup) */
void ngx_http_sluice_ingest_fmp4_free(ngx_http_sluice_ingest_ctx_t *ctx);


#endif /* _NGX_HTTP_SLUICE_INGEST_FMP4_H_INCLUDED_ */
