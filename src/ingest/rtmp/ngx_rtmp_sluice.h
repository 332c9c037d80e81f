
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Types shared by the files of the RTMP ingest: the context of a
 * publishing connection (ngx_rtmp_sluice_module.c makes it), holding the
 * core's ingest of its stream (ngx_rtmp_sluice_tags.c feeds it), and its
 * receive batching (ngx_rtmp_sluice_batch.c).  What each file exports
 * is declared in its own header.
 */


#ifndef _NGX_RTMP_SLUICE_H_INCLUDED_
#define _NGX_RTMP_SLUICE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_rtmp.h>

#include "core/ngx_sluice.h"
#include "core/ngx_sluice_ingest.h"


/* receive batching of a publishing connection (ngx_rtmp_sluice_batch.c) */

typedef struct {
    ngx_event_t                 watchdog;
    ngx_msec_t                  time;           /* sluice_ingest_batch */
    ngx_msec_t                  start;          /* of the measurement */
    size_t                      bytes;          /* since start */
    size_t                      lowat;          /* set, 0: the default */
    ngx_uint_t                  reads;          /* since the watchdog */
    unsigned                    failed:1;
} ngx_rtmp_sluice_batch_t;


typedef struct {
    ngx_rtmp_session_t         *session;

    /* token taken from the connect app ("live/{token}") */
    u_char                      app_token[NGX_SLUICE_TOKEN_LEN + 1];
    size_t                      app_token_len;

    /* live encoding: the contribution feed (a layer: in.layer) */
    unsigned                    source:1;

    /* the stream and its tracks (in.log, in.pool: the connection's) */
    ngx_sluice_ingest_t         in;

    /* the current message body, contiguous */
    u_char                     *msg;
    size_t                      msg_cap;

    ngx_rtmp_sluice_batch_t     batch;

    /* the publish's "sluice_key=" (a layer), "" */
    u_char                      xkey[NGX_SLUICE_XKEY_LEN + 1];

    /* the source's transcoder (ngx_rtmp_sluice_transcode.c) */
    struct ngx_rtmp_sluice_xc_s  *xc;
} ngx_rtmp_sluice_ctx_t;


#endif /* _NGX_RTMP_SLUICE_H_INCLUDED_ */
