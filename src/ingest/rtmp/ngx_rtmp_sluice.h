
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Types shared by the files of the RTMP ingest: the context of a
 * publishing connection (ngx_rtmp_sluice_module.c makes it), its tracks
 * (ngx_rtmp_sluice_fragmenter.c) and its receive batching
 * (ngx_rtmp_sluice_batch.c).  What each file exports is declared in its
 * own header.
 */


#ifndef _NGX_RTMP_SLUICE_H_INCLUDED_
#define _NGX_RTMP_SLUICE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_rtmp.h>

#include "core/ngx_sluice.h"
#include "core/ngx_sluice_writer.h"


/* video cut points waiting for the audio of the same stream */
#define NGX_RTMP_SLUICE_MAX_CUTS       16


typedef struct {
    uint64_t                    time;       /* audio timescale */
    uint32_t                    seq;
} ngx_rtmp_sluice_cut_t;


typedef struct {
    ngx_uint_t                  media_type;     /* sluice_media_type_t */

    unsigned                    configured:1;   /* sequence header seen */
    unsigned                    opened:1;       /* slot in the event */
    unsigned                    frag_open:1;    /* a fragment has begun */
    unsigned                    ts_started:1;
    unsigned                    info_new:1;     /* info with next append */
    unsigned                    init_pending:1; /* init before next frag */
    unsigned                    disc:1;         /* next frag: discontinuity */
    unsigned                    armed:1;        /* audio: video began */

    ngx_uint_t                  slot;
    sluice_track_info_t         info;
    uint32_t                    init_version;
    uint32_t                    frame_len;      /* audio, timescale units */
    ngx_sluice_writer_t        *writer;

    /* "{data}/live/{id}/{generation}/{slot}" */
    ngx_str_t                   dir;

    /* input timestamps, unwrapped, and the timeline */
    uint32_t                    last_ts32;
    int64_t                     last_ts64;
    int64_t                     last_t;         /* timeline ms */

    /* the fragment in progress: samples and their bytes, in order */
    sluice_sample_t            *samples;
    ngx_uint_t                  nsamples;
    ngx_uint_t                  nalloc;
    u_char                     *buf;
    size_t                      len;
    size_t                      cap;
    uint32_t                    seq;

    /* audio: cut points given by the video of the same stream */
    ngx_rtmp_sluice_cut_t       cuts[NGX_RTMP_SLUICE_MAX_CUTS];
    ngx_uint_t                  ncuts;
    uint64_t                    arm;            /* first dts accepted */

    ngx_uint_t                  fragments;      /* posted */
} ngx_rtmp_sluice_track_t;


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

    unsigned                    publishing:1;
    unsigned                    offset_checked:1;
    unsigned                    reconnect:1;    /* the stream has data */
    unsigned                    stopped:1;      /* event gone or stopped */

    /* live encoding: the contribution feed, or a layer of its transcoder */
    unsigned                    source:1;
    unsigned                    layer:1;

    u_char                      event_id[NGX_SLUICE_ID_LEN + 1];
    u_char                      event_name[NGX_SLUICE_NAME_LEN + 1];
    uint32_t                    generation;
    ngx_msec_t                  fragment_ms;

    int64_t                     offset;         /* input ms -> timeline */
    uint64_t                    stored_end;     /* ms, at publish */

    u_char                      stream[NGX_SLUICE_STREAM_LEN + 1];
    size_t                      stream_len;

    /* onMetaData "language" (ngx_rtmp_sluice_meta.c), "" if none */
    char                        lang[SLUICE_MAX_LANG];

    ngx_str_t                   data_path;
    ngx_uint_t                  ring;
    size_t                      max_fragment;
    ngx_thread_pool_t          *thread_pool;

    /* the current message body, contiguous */
    u_char                     *msg;
    size_t                      msg_cap;

    ngx_rtmp_sluice_batch_t     batch;

    ngx_rtmp_sluice_track_t     video;
    ngx_rtmp_sluice_track_t     audio;

    /* the publish's "sluice_key=" (a layer), "" */
    u_char                      xkey[NGX_SLUICE_XKEY_LEN + 1];

    /* the source's transcoder (ngx_rtmp_sluice_transcode.c) */
    struct ngx_rtmp_sluice_xc_s  *xc;
} ngx_rtmp_sluice_ctx_t;


#endif /* _NGX_RTMP_SLUICE_H_INCLUDED_ */
