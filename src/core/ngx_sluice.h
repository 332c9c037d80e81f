
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Shared-memory layout of Sluice: live events, their tracks and the
 * fragment index, seen by every worker.  See docs/architecture.md.
 *
 *   ngx_sluice_shctx_t (shpool->data)
 *     events  ---> ngx_sluice_event_t ---> ngx_sluice_event_t ...
 *                    tracks[NGX_SLUICE_MAX_TRACKS]
 *                      frags ---> ngx_sluice_frag_t[capacity] (ring)
 *                    cues  ---> the newest cues, time order, each with
 *                               its strings in one slab block
 *                    json  ---> resource document (slab string)
 *                    tel   ---> telemetry: counters, stream events,
 *                               heartbeats (ngx_sluice_telemetry.h)
 *     ops     ---> long-running operation records (API)
 *     metrics ---> Prometheus counters, updated with atomic additions
 *                  without the mutex (ngx_sluice_metrics.h)
 *
 * All pointers point into the zone itself, which every worker maps at the
 * same address.  Every read and write holds shpool->mutex; critical
 * sections are short (copy out, then work outside the lock).  A writer
 * that changes several fields sets sh->dirty first and clears it after, so
 * that a writer dying half way (the master unlocks its mutex) is detected
 * and repaired by the next one.
 */


#ifndef _NGX_SLUICE_H_INCLUDED_
#define _NGX_SLUICE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "media/sluice_media.h"


#define NGX_SLUICE_NAME_LEN        32   /* AMS live event name, 1..32 */
#define NGX_SLUICE_ID_LEN          36   /* UUID text */
#define NGX_SLUICE_TOKEN_LEN       64   /* input.accessToken */
#define NGX_SLUICE_STREAM_LEN      64   /* RTMP stream name */
#define NGX_SLUICE_MAX_TRACKS      16
#define NGX_SLUICE_MAX_STREAMS     32   /* publishing at once */
#define NGX_SLUICE_MAX_IP_RULES    16


typedef enum {
    NGX_SLUICE_STOPPED = 0,
    NGX_SLUICE_ALLOCATING,
    NGX_SLUICE_STANDBY,
    NGX_SLUICE_STARTING,
    NGX_SLUICE_RUNNING,
    NGX_SLUICE_STOPPING,
    NGX_SLUICE_DELETING
} ngx_sluice_event_state_e;


typedef enum {
    NGX_SLUICE_ENC_NONE = 0,
    NGX_SLUICE_ENC_PASSTHROUGH_BASIC,
    NGX_SLUICE_ENC_PASSTHROUGH_STANDARD,
    NGX_SLUICE_ENC_STANDARD,                /* live encoding, 720p */
    NGX_SLUICE_ENC_PREMIUM_1080P            /* live encoding, 1080p */
} ngx_sluice_encoding_e;

#define ngx_sluice_encoding_live(e)                                          \
    ((e) == NGX_SLUICE_ENC_STANDARD || (e) == NGX_SLUICE_ENC_PREMIUM_1080P)


typedef enum {
    NGX_SLUICE_STRETCH_NONE = 0,
    NGX_SLUICE_STRETCH_AUTOSIZE,
    NGX_SLUICE_STRETCH_AUTOFIT
} ngx_sluice_stretch_e;


/* input.streamingProtocol: how a live event's encoders publish */
/* streamOptions (create-only), as SLUICE_LATENCY_* of the manifests */
#define NGX_SLUICE_LATENCY_DEFAULT     0
#define NGX_SLUICE_LATENCY_LOW         1    /* LowLatency */
#define NGX_SLUICE_LATENCY_LOW_V2      2    /* LowLatencyV2: parts */

#define NGX_SLUICE_PROTO_RTMP      0
#define NGX_SLUICE_PROTO_FMP4      1    /* FragmentedMP4: HTTP POST */
#define NGX_SLUICE_PROTO_SRT       2    /* SRT (MPEG-TS): an extension */

#define NGX_SLUICE_PRESET_LEN      32   /* presetName of a ladder */
#define NGX_SLUICE_XKEY_LEN        32   /* hex of the transcoder's key */


/*
 * The transcoder of a live encoding event (ngx_rtmp_sluice_transcode.c):
 * run by the worker holding the contribution feed; its layers publish
 * back with the key.  Status as the transcoder last reported it.
 */
typedef struct {
    ngx_pid_t                   owner;          /* worker of the feed, 0 */
    ngx_pid_t                   pid;            /* the transcoder, 0 */
    u_char                      key[NGX_SLUICE_XKEY_LEN + 1];
    ngx_uint_t                  starts;         /* spawned, this feed */
    ngx_uint_t                  layers;         /* video layers */
    ngx_uint_t                  fps100;         /* frames/s x 100 */
    int64_t                     lag_ms;
    ngx_uint_t                  dropped;        /* GOPs skipped */
    ngx_uint_t                  skipped;        /* by the worker */
    uint64_t                    updated_ms;     /* wall clock */
} ngx_sluice_transcode_t;


/* one entry of an IP allow-list (accessControl.ip.allow) */
typedef struct {
    ngx_uint_t                  family;         /* AF_INET, AF_INET6 */
    u_char                      addr[16];
    u_char                      mask[16];
} ngx_sluice_ip_rule_t;


typedef struct {
    ngx_uint_t                  allow_all;      /* no accessControl given */
    ngx_uint_t                  nrules;         /* 0 and !allow_all: deny */
    ngx_sluice_ip_rule_t        rules[NGX_SLUICE_MAX_IP_RULES];
} ngx_sluice_ip_acl_t;


#define NGX_SLUICE_FRAG_DISCONTINUITY  0x0001   /* gap before this one */


/*
 * One stored fragment of a track (also the record of an asset's index
 * file, 32 bytes).  Its bytes are the file
 * {data}/live/{event id}/{generation}/{track}/{time}.m4s, written and
 * synced before the entry is appended, so the index only ever points at
 * complete fragments.
 */
typedef struct {
    uint64_t                    time;           /* track timescale */
    uint32_t                    duration;       /* track timescale */
    uint32_t                    seq;            /* round(start ms / frag ms) */
    uint32_t                    size;           /* bytes of the .m4s file */
    uint16_t                    flags;          /* NGX_SLUICE_FRAG_* */
    uint16_t                    init;           /* init segment version */

    /*
     * video: the bytes of PAT, PMT and the keyframe at the start of an
     * m3u8-aapl TS segment starting here (HLS I-frame playlists); 0:
     * unknown (audio, or a codec TS cannot carry)
     */
    uint32_t                    key_size;
    uint32_t                    reserved;
} ngx_sluice_frag_t;


/*
 * Low latency (streamOptions LowLatencyV2): a part of a fragment, a CMAF
 * chunk appended to its fragment's parts file "{frag_time}.m4p" in the
 * track's directory as soon as it is cut (ngx_sluice_ll.h)
 */
#define NGX_SLUICE_PART_INDEPENDENT    0x0001   /* begins with a keyframe */
#define NGX_SLUICE_PART_LAST           0x0002   /* ends its fragment */

typedef struct {
    uint64_t                    frag_time;      /* its fragment's start */
    uint64_t                    time;           /* track timescale */
    uint32_t                    duration;       /* track timescale */
    uint32_t                    size;           /* bytes of the file */
    uint16_t                    index;          /* in its fragment */
    uint16_t                    flags;          /* NGX_SLUICE_PART_* */
    uint32_t                    offset;         /* in the parts file */
} ngx_sluice_part_t;


typedef enum {
    NGX_SLUICE_TRACK_FREE = 0,
    NGX_SLUICE_TRACK_ACTIVE,        /* a publisher is feeding it */
    NGX_SLUICE_TRACK_IDLE           /* publisher gone; data kept */
} ngx_sluice_track_state_e;


typedef struct {
    ngx_uint_t                  state;          /* ngx_sluice_track_state_e */
    ngx_pid_t                   owner;          /* worker that feeds it */
    ngx_uint_t                  index;          /* position in tracks[] */

    /* the RTMP stream feeding it; audio and video of a stream share it */
    u_char                      stream[NGX_SLUICE_STREAM_LEN + 1];

    sluice_track_info_t         info;
    uint32_t                    init_version;   /* init{version}.mp4 */

    /* fragment ring */
    ngx_sluice_frag_t          *frags;
    ngx_uint_t                  capacity;
    ngx_uint_t                  head;           /* oldest entry */
    ngx_uint_t                  nfrags;
    uint64_t                    appended;       /* ever; a version */
    /* discontinuities evicted from the ring (EXT-X-DISCONTINUITY-SEQ) */
    uint32_t                    evicted_discs;

    ngx_msec_t                  updated;        /* last append, ms */
    ngx_uint_t                  unhealthy;      /* last write failed:
                                                   NGX_SLUICE_UNHEALTHY_* */

    /*
     * redundant ingest: the end (track timescale) of the last fragment a
     * publisher of the stream took to write, who took it and when
     * (ngx_current_msec); a fragment starting before it is a duplicate
     */
    uint64_t                    claimed;
    ngx_pid_t                   claim_pid;      /* 0: nothing taken yet */
    ngx_uint_t                  claim_id;
    ngx_msec_t                  claim_msec;
    /* low latency: the newest parts (slab ring, NULL until the first) */
    ngx_sluice_part_t          *parts;
    ngx_uint_t                  parts_head;
    ngx_uint_t                  nparts;
    uint64_t                    parts_total;    /* ever appended */
    /*
     * recording (ngx_sluice_recorder.c): its jobs posted and not done,
     * where the oldest one's fragment starts (from there on, the records
     * of this track in its assets' indexes may not be on stable storage
     * yet, and a live asset does not show them), and where the fragment
     * of the last job done ends (0: none done in this generation)
     */
    ngx_uint_t                  rec_pending;
    uint64_t                    rec_from;
    uint64_t                    rec_done_end;
} ngx_sluice_track_t;


/* ngx_sluice_track_t.unhealthy: non-zero when a write failed */
#define NGX_SLUICE_UNHEALTHY_WRITE     0x01     /* live fragment */
#define NGX_SLUICE_UNHEALTHY_RECORD    0x02     /* asset (live output) */


/* publishers of one stream at once: a primary and a backup connection */
#define NGX_SLUICE_MAX_REDUNDANT       2


/* one publishing connection: its worker and its number in the worker */
typedef struct {
    ngx_pid_t                   pid;            /* 0: none */
    ngx_uint_t                  id;
} ngx_sluice_publisher_t;


/*
 * A stream being published (ngx_sluice_ingest_admit.c): by one
 * connection, or two sending the same media (redundant ingest), which
 * share its timeline: the offset the first of them chose.
 */
typedef struct {
    /* the stream's name; "": a free record */
    u_char                      stream[NGX_SLUICE_STREAM_LEN + 1];
    ngx_sluice_publisher_t      pubs[NGX_SLUICE_MAX_REDUNDANT];
    int64_t                     ts_offset;      /* input ms -> timeline */
    ngx_uint_t                  timed;          /* ts_offset is set */
} ngx_sluice_stream_t;


typedef struct {
    ngx_queue_t                 queue;

    u_char                      name[NGX_SLUICE_NAME_LEN + 1];
    u_char                      id[NGX_SLUICE_ID_LEN + 1];

    ngx_uint_t                  state;          /* ngx_sluice_event_state_e */
    ngx_uint_t                  encoding;       /* ngx_sluice_encoding_e */
    ngx_uint_t                  protocol;       /* NGX_SLUICE_PROTO_* */

    u_char                      token[NGX_SLUICE_TOKEN_LEN + 1];
    u_char                      preview_locator[NGX_SLUICE_ID_LEN + 1];

    ngx_sluice_ip_acl_t         input_acl;
    ngx_sluice_ip_acl_t         preview_acl;

    ngx_msec_t                  fragment_ms;    /* keyFrameIntervalDuration,
                                                   keyFrameInterval */
    /*
     * streamOptions (create-only): NGX_SLUICE_LATENCY_*, and with
     * LowLatencyV2 the part duration the fragmenter aims at, ms (0: no
     * parts; set from sluice_part_duration when a timeline begins)
     */
    ngx_uint_t                  latency;
    ngx_msec_t                  part_ms;
    /*
     * blocking requests (ngx_sluice_ll.h): bumped by every part, fragment
     * and state change of the event; the waiter slots of the workers
     * that hold requests parked on a change (bit i: sh->waiters[i])
     */
    uint64_t                    changes;
    uint64_t                    waiting;

    /* live encoding: the ladder's presetName, stretchMode */
    u_char                      preset[NGX_SLUICE_PRESET_LEN + 1];
    ngx_uint_t                  stretch;        /* ngx_sluice_stretch_e */
    ngx_sluice_transcode_t      transcode;

    uint32_t                    generation;     /* bumped by every start */
    int64_t                     ts_offset;      /* input ms -> timeline ms */
    ngx_uint_t                  publishers;

    /*
     * unix ms of timeline time 0 (DASH availabilityStartTime, HLS
     * program date time), estimated by the packager for "epoch_generation"
     */
    int64_t                     epoch_ms;
    uint32_t                    epoch_generation;

    /* the resource document as the API returns it (slab string) */
    u_char                     *json;
    size_t                      json_len;

    /*
     * end (timeline ms) of what its live outputs recorded before nginx
     * restarted (a fresh zone; ngx_sluice_recorder_init_zone()): the
     * first publisher of the new generation continues after it, so the
     * assets' timelines go on; 0 otherwise
     */
    uint64_t                    record_end_ms;

    /* API bookkeeping (ngx_sluice_zone.c, ngx_http_sluice_api_*.c) */
    uint64_t                    serial;         /* unique per creation */
    uint64_t                    version;        /* bumped per change */
    uint64_t                    persisted;      /* version on disk */
    struct ngx_sluice_op_s     *op;             /* pending operation */

    ngx_sluice_track_t          tracks[NGX_SLUICE_MAX_TRACKS];

    /* streams being published, cleared with the tracks */
    ngx_sluice_stream_t         streams[NGX_SLUICE_MAX_STREAMS];

    /*
     * the newest cues of the timeline (ngx_sluice_cue.c: slab memory,
     * freed with the tracks), NULL until the first one
     */
    struct ngx_sluice_cue_list_s  *cues;

    /*
     * telemetry (ngx_sluice_telemetry.h): counters, stream events and
     * heartbeats, made at the first ingest, freed with the event
     */
    struct ngx_sluice_tel_s    *tel;
} ngx_sluice_event_t;


typedef enum {
    NGX_SLUICE_OP_IN_PROGRESS = 0,
    NGX_SLUICE_OP_SUCCEEDED,
    NGX_SLUICE_OP_FAILED
} ngx_sluice_op_status_e;


typedef enum {
    NGX_SLUICE_OP_CREATE = 0,
    NGX_SLUICE_OP_UPDATE,
    NGX_SLUICE_OP_DELETE,
    NGX_SLUICE_OP_ALLOCATE,
    NGX_SLUICE_OP_START,
    NGX_SLUICE_OP_STOP,
    NGX_SLUICE_OP_RESET
} ngx_sluice_op_kind_e;


/*
 * A long-running API operation (ARM Azure-AsyncOperation).  A pending
 * one is linked from its event (event->op) and completes, applying
 * "target" to the event, once the wall clock passes done_ms; whoever
 * looks at the event first does it (ngx_sluice_event_settle()).
 */
typedef struct ngx_sluice_op_s {
    ngx_queue_t                 queue;
    u_char                      id[NGX_SLUICE_ID_LEN + 1];
    u_char                      event[NGX_SLUICE_NAME_LEN + 1];
    uint64_t                    event_serial;
    ngx_uint_t                  kind;           /* ngx_sluice_op_kind_e */
    ngx_uint_t                  status;         /* ngx_sluice_op_status_e */
    ngx_uint_t                  target;         /* event state when done */
    uint64_t                    created_ms;     /* wall clock */
    uint64_t                    done_ms;
} ngx_sluice_op_t;


typedef struct {
    ngx_queue_t                 events;
    ngx_queue_t                 ops;            /* API operation records */
    ngx_uint_t                  dirty;
    ngx_uint_t                  nevents;

    ngx_slab_pool_t            *shpool;         /* the zone's pool */
    ngx_uint_t                  nops;
    uint64_t                    serial;         /* last event serial */

    /* assets, live outputs, policies, locators, endpoints */
    struct ngx_sluice_res_root_s  *res;         /* ngx_sluice_resource.h */
    /* processes holding parked requests, by waiter slot (ngx_sluice_ll.h) */
    ngx_pid_t                   waiters[64];

    /*
     * telemetry: the last stream event's number (zone-wide), the
     * refusals of no live event (ngx_sluice_telemetry.h)
     */
    uint64_t                    tel_seq;
    struct ngx_sluice_tel_ring_s  *tel_orphans;
    /* when the zone was made (unix ms): a cursor kept on disk belongs to
       this zone's numbers only if it was saved with the same value */
    uint64_t                    tel_epoch;

    /* Prometheus counters (ngx_sluice_metrics.h), made with the zone */
    struct ngx_sluice_metrics_s   *metrics;
} ngx_sluice_shctx_t;


typedef struct {
    ngx_sluice_shctx_t         *sh;
    ngx_slab_pool_t            *shpool;
    ngx_str_t                   data_path;      /* absolute, no trailing / */

    /* live encoding: sluice_transcoder* and sluice_ladder (http main) */
    struct ngx_sluice_transcode_conf_s  *transcode;

    /* sluice_splice_conditioning: cut fragments at splice points */
    ngx_flag_t                  splice_conditioning;
    /* sluice_part_duration: low-latency parts (LowLatencyV2), ms */
    ngx_msec_t                  part_ms;
    /* sluice_heartbeat_interval: track ingest heartbeats, ms */
    ngx_msec_t                  heartbeat_ms;
    /*
     * sluice_telemetry: the per-fragment accounting of the telemetry
     * and the packager's and key delivery's metrics counters
     */
    ngx_flag_t                  telemetry;
    /* this process's waiter slot in the zone (ngx_sluice_ll.h), -1: none */
    ngx_int_t                   waiter;
} ngx_sluice_zone_ctx_t;


#endif /* _NGX_SLUICE_H_INCLUDED_ */
