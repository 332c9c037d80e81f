
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * What every ingest protocol shares once its frames are parsed: a
 * publisher of one stream (one video and one audio track at most) of a
 * live event.  ngx_sluice_ingest_admit.c admits it (access token, state,
 * IP allow-list, stream name, the timeline it continues);
 * ngx_sluice_ingest.c takes its decoder configurations and frames and
 * turns them into stored CMAF fragments (timeline, cuts, storage jobs,
 * index appends; docs/architecture.md, "Timeline and cuts").
 *
 * The protocols (ingest/rtmp: FLV tags; ingest/http: fragmented MP4)
 * fill the fields marked "caller" and call in from the event loop.
 */


#ifndef _NGX_SLUICE_INGEST_H_INCLUDED_
#define _NGX_SLUICE_INGEST_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "core/ngx_sluice.h"
#include "core/ngx_sluice_writer.h"


/* video cut points waiting for the audio of the same stream */
#define NGX_SLUICE_INGEST_MAX_CUTS     16


typedef struct {
    uint64_t                    time;       /* audio timescale */
    uint32_t                    seq;
} ngx_sluice_ingest_cut_t;


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
    unsigned                    seamless:1;     /* reopened, no disc */
    unsigned                    synced:1;       /* redundant ingest: the
                                                   next fragment follows
                                                   the track's last */
    unsigned                    backward:1;     /* telemetry: a frame of
                                                   the fragment in progress
                                                   stepped back */

    ngx_uint_t                  slot;
    sluice_track_info_t         info;
    uint32_t                    init_version;
    uint32_t                    frame_len;      /* audio, timescale units */
    uint32_t                    declared;       /* caller: bps, 0: measure */
    ngx_sluice_writer_t        *writer;

    /* "{data}/live/{id}/{generation}/{slot}" */
    ngx_str_t                   dir;

    /* ms: where the track's stored data ends; frames before the resume
       point are stored already (resent after a reconnect) */
    uint64_t                    stored_end;
    uint64_t                    resume;

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

    /*
     * low latency: the first sample of the fragment in progress not yet
     * in a part, the number of the next part, and whether this fragment
     * gets no parts (its first part could not be published)
     */
    ngx_uint_t                  part_next;
    ngx_uint_t                  part_index;
    unsigned                    part_skip:1;
    /*
     * the fragment's parts file, open while its parts are written
     * (NGX_INVALID_FILE otherwise), where the next part goes, and a
     * buffer the parts are made in
     */
    ngx_fd_t                    part_fd;
    uint32_t                    part_off;
    u_char                     *part_buf;
    size_t                      part_cap;

    /* audio: cut points given by the video of the same stream */
    ngx_sluice_ingest_cut_t     cuts[NGX_SLUICE_INGEST_MAX_CUTS];
    ngx_uint_t                  ncuts;
    uint64_t                    arm;            /* first dts accepted */

    ngx_uint_t                  fragments;      /* posted */
} ngx_sluice_ingest_track_t;


typedef struct ngx_sluice_ingest_s  ngx_sluice_ingest_t;

/*
 * A protocol's own check of an admitted publisher of ev, zone mutex
 * held: NULL, or why it is refused (RTMP: a transcoder's contribution
 * feed or layer)
 */
typedef const char *(*ngx_sluice_ingest_admit_pt)(ngx_sluice_ingest_t *in,
    ngx_sluice_event_t *ev, void *data);


struct ngx_sluice_ingest_s {
    ngx_log_t                  *log;            /* caller */
    ngx_pool_t                 *pool;           /* caller: the connection's */
    ngx_shm_zone_t             *zone;           /* caller */
    ngx_uint_t                  protocol;       /* caller: PROTO_* */

    unsigned                    publishing:1;
    unsigned                    offset_checked:1;
    unsigned                    reconnect:1;    /* the stream has data */
    unsigned                    stopped:1;      /* event gone or stopped */

    /* caller: a layer of the event's transcoder keeps its timestamps */
    unsigned                    layer:1;

    /*
     * admitted while another connection published the stream (redundant
     * ingest); at the first frame: shares its timeline
     */
    unsigned                    redundant:1;

    /*
     * caller: a reconnecting publisher resends its last fragments with
     * their timestamps (fragmented-MP4 ingest): the timeline continues
     */
    unsigned                    resend:1;

    /*
     * caller: the key a connection of the event's transcoder presents
     * (RTMP "sluice_key="), NULL: none; with the event's key it is
     * admitted whatever the event's IP allow-list says (the transcoder
     * is a local process the worker started)
     */
    u_char                     *layer_key;

    u_char                      event_id[NGX_SLUICE_ID_LEN + 1];
    u_char                      event_name[NGX_SLUICE_NAME_LEN + 1];
    uint32_t                    generation;
    ngx_msec_t                  fragment_ms;
    ngx_msec_t                  part_ms;        /* LowLatencyV2; 0: none */

    int64_t                     offset;         /* input ms -> timeline */
    uint64_t                    stored_end;     /* ms, at admission */
    ngx_uint_t                  pub_id;         /* in the worker, from 1 */

    /* caller, before admission */
    u_char                      stream[NGX_SLUICE_STREAM_LEN + 1];
    size_t                      stream_len;

    /* language of the stream's tracks (RTMP onMetaData), "" if none */
    char                        lang[SLUICE_MAX_LANG];

    ngx_str_t                   data_path;
    ngx_uint_t                  ring;           /* caller */
    size_t                      max_fragment;   /* caller */
    ngx_thread_pool_t          *thread_pool;    /* caller */

    ngx_sluice_ingest_track_t   video;
    ngx_sluice_ingest_track_t   audio;

    /* the stream's cues to the store (ngx_sluice_cue.c), made at the first */
    ngx_sluice_writer_t        *cue_writer;

    /*
     * telemetry: the bytes of the frames taken, and why the publisher
     * ends (an AMS result code; caller or ingest, NULL: the client
     * closed the session)
     */
    uint64_t                    bytes;
    const char                 *end_code;
};


/* the tracks' media types set, everything else zero */
void ngx_sluice_ingest_init(ngx_sluice_ingest_t *in);

/*
 * The event of access token "token": admitted (NGX_OK, the publisher
 * counted, "publishing" set) or refused (NGX_DECLINED, the reason logged
 * naming the event and the stream, "reason" set for the caller's reply).
 * extra, when not NULL, is the protocol's own check.
 */
ngx_int_t ngx_sluice_ingest_attach(ngx_sluice_ingest_t *in, ngx_str_t *token,
    struct sockaddr *sockaddr, ngx_sluice_ingest_admit_pt extra, void *data,
    const char **reason);

/*
 * Whether a publisher would be admitted, before its connection is
 * accepted, from any thread of the worker (ngx_sluice_ingest_admit.c):
 * NULL, or why not; *found: whether the token names a live event.
 */
const char *ngx_sluice_ingest_precheck(ngx_shm_zone_t *zone,
    ngx_uint_t protocol, ngx_str_t *token, ngx_str_t *stream,
    struct sockaddr *sockaddr, ngx_uint_t *found);

/*
 * A track's first or new decoder configuration; a new one ends the
 * fragment in progress and versions the init segment.  info->lang is
 * taken from in->lang when in->lang is set.
 */
ngx_int_t ngx_sluice_ingest_configure(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, sluice_track_info_t *info);

/*
 * A frame of a configured track at input time ts (ms, 32-bit, wrapping);
 * video: cts in ms and whether it is a keyframe.  NGX_ERROR closes the
 * publisher (logged; in->stopped when the event is gone).
 */
ngx_int_t ngx_sluice_ingest_frame(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, uint32_t ts, int32_t cts, ngx_uint_t key,
    const u_char *p, size_t len);

/*
 * Input milliseconds of a track -> timeline milliseconds (wraps,
 * reconnects, jumps); a transcoder's layer keeps its timestamps, and
 * NGX_DECLINED: a frame of a reconnected layer before its stored end
 */
ngx_int_t ngx_sluice_ingest_timeline(ngx_sluice_ingest_t *in,
    ngx_sluice_ingest_track_t *t, uint32_t ts, int64_t *out);

/* write what is pending, close the tracks, uncount the publisher */
void ngx_sluice_ingest_finish(ngx_sluice_ingest_t *in);

/* free buffers, release writers (pool cleanup) */
void ngx_sluice_ingest_free(ngx_sluice_ingest_t *in);


#endif /* _NGX_SLUICE_INGEST_H_INCLUDED_ */
