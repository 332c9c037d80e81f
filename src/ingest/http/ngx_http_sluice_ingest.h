
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Types shared by the files of the HTTP ingest: the context of one
 * ingested stream (ngx_http_sluice_ingest_module.c makes it) and its
 * fragmented-MP4 boxes (ngx_http_sluice_ingest_fmp4.c reads them).  A
 * context lives as long as its connection: a Smooth POST carries the
 * whole stream, CMAF ingest sends the header and each segment in
 * requests of their own on one persistent connection.
 */


#ifndef _NGX_HTTP_SLUICE_INGEST_H_INCLUDED_
#define _NGX_HTTP_SLUICE_INGEST_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "core/ngx_sluice_ingest.h"
#include "media/container/sluice_fmp4.h"


/*
 * The streams of a request: the first video and the first audio track of
 * the moov make the stream named in the URL; each other track is a
 * stream of its own, "{name}_{trackID}"
 */
#define NGX_HTTP_SLUICE_INGEST_MAX_STREAMS  SLUICE_FMP4_MAX_TRACKS


typedef struct {
    ngx_http_request_t         *request;        /* the current one */
    ngx_log_t                  *log;            /* the connection's */
    ngx_pool_t                 *pool;           /* the connection's */
    struct sockaddr            *sockaddr;

    ngx_str_t                   token;
    ngx_str_t                   name;           /* Streams({name}) */

    ngx_shm_zone_t             *zone;
    ngx_thread_pool_t          *thread_pool;
    ngx_uint_t                  ring;
    size_t                      max_fragment;

    /* the body's bytes not yet made into boxes */
    u_char                     *buf;
    size_t                      len;
    size_t                      cap;
    off_t                       received;       /* body bytes */

    /* a fragment's samples array, reused */
    void                       *scratch;
    size_t                      scratch_cap;

    const char                 *refused;        /* why, at admission */

    unsigned                    header:1;       /* a moov was read */
    unsigned                    no_header:1;    /* a moof came first */
    unsigned                    done:1;         /* finished */

    /* of the current request: a whole stream (Smooth), or a CMAF part */
    ngx_uint_t                  req_moov;
    ngx_uint_t                  req_fragments;

    /* the moov, to recognise it sent again (CMAF ingest) */
    u_char                     *moov_bytes;
    size_t                      moov_len;
    unsigned                    failed:1;

    /* the live server manifest (Smooth), kept until the moov */
    u_char                     *manifest;
    size_t                      manifest_len;

    sluice_fmp4_header_t        moov;

    /* per moov track: its stream and track there, or NULL (skipped) */
    ngx_sluice_ingest_t        *stream_of[SLUICE_FMP4_MAX_TRACKS];
    ngx_sluice_ingest_track_t  *track_of[SLUICE_FMP4_MAX_TRACKS];

    ngx_sluice_ingest_t        *streams[NGX_HTTP_SLUICE_INGEST_MAX_STREAMS];
    ngx_uint_t                  nstreams;

    ngx_uint_t                  fragments;      /* moof + mdat read */

    /* per moov track: a Smooth sparse track of SCTE 35 (meta, scte) */
    u_char                      sparse[SLUICE_FMP4_MAX_TRACKS];

    /* emsg boxes (CMAF ingest) waiting for the fragment they precede */
    u_char                     *emsg;
    size_t                      emsg_len;
} ngx_http_sluice_ingest_ctx_t;


/* the streams a connection carries (CMAF ingest: one per track or more) */

#define NGX_HTTP_SLUICE_INGEST_MAX_CONN  8

typedef struct {
    ngx_http_sluice_ingest_ctx_t  *ctxs[NGX_HTTP_SLUICE_INGEST_MAX_CONN];
    ngx_uint_t                     nctxs;
} ngx_http_sluice_ingest_conn_t;


#endif /* _NGX_HTTP_SLUICE_INGEST_H_INCLUDED_ */
