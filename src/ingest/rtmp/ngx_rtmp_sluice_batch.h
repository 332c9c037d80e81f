
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ngx_rtmp_sluice_batch.c: receive batching of a publishing connection
 * (SO_RCVLOWAT sized from the measured bitrate, sluice_ingest_batch).
 */


#ifndef _NGX_RTMP_SLUICE_BATCH_H_INCLUDED_
#define _NGX_RTMP_SLUICE_BATCH_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ingest/rtmp/ngx_rtmp_sluice.h"


/* at publish: batch about time ms of media (0: off) */
void ngx_rtmp_sluice_batch_start(ngx_rtmp_sluice_ctx_t *ctx,
    ngx_msec_t time);
/* len bytes of a message were read */
void ngx_rtmp_sluice_batch_account(ngx_rtmp_sluice_ctx_t *ctx, size_t len);
/* the publisher stopped or the connection closes */
void ngx_rtmp_sluice_batch_stop(ngx_rtmp_sluice_ctx_t *ctx);


#endif /* _NGX_RTMP_SLUICE_BATCH_H_INCLUDED_ */
