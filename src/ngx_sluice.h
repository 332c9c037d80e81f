
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
 *                    json  ---> resource document (slab string)
 *     ops     ---> long-running operation records (API)
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
    NGX_SLUICE_ENC_PASSTHROUGH_STANDARD
} ngx_sluice_encoding_e;


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
 * One stored fragment of a track.  Its bytes are the file
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
} ngx_sluice_frag_t;


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

    ngx_msec_t                  updated;        /* last append, ms */
} ngx_sluice_track_t;


typedef struct {
    ngx_queue_t                 queue;

    u_char                      name[NGX_SLUICE_NAME_LEN + 1];
    u_char                      id[NGX_SLUICE_ID_LEN + 1];

    ngx_uint_t                  state;          /* ngx_sluice_event_state_e */
    ngx_uint_t                  encoding;       /* ngx_sluice_encoding_e */

    u_char                      token[NGX_SLUICE_TOKEN_LEN + 1];
    u_char                      preview_locator[NGX_SLUICE_ID_LEN + 1];

    ngx_sluice_ip_acl_t         input_acl;
    ngx_sluice_ip_acl_t         preview_acl;

    ngx_msec_t                  fragment_ms;    /* keyFrameIntervalDuration */

    uint32_t                    generation;     /* bumped by every start */
    int64_t                     ts_offset;      /* input ms -> timeline ms */
    ngx_uint_t                  publishers;

    /* the resource document as the API returns it (slab string) */
    u_char                     *json;
    size_t                      json_len;

    ngx_sluice_track_t          tracks[NGX_SLUICE_MAX_TRACKS];
} ngx_sluice_event_t;


typedef struct {
    ngx_queue_t                 events;
    ngx_queue_t                 ops;            /* API operation records */
    ngx_uint_t                  dirty;
    ngx_uint_t                  nevents;
} ngx_sluice_shctx_t;


typedef struct {
    ngx_sluice_shctx_t         *sh;
    ngx_slab_pool_t            *shpool;
    ngx_str_t                   data_path;      /* absolute, no trailing / */
} ngx_sluice_zone_ctx_t;


/* set by the "sluice_zone" directive; read by the HTTP and RTMP modules */
extern ngx_shm_zone_t  *ngx_sluice_shm_zone;


/* lookups; the caller holds shpool->mutex */
ngx_sluice_event_t *ngx_sluice_event_by_name(ngx_sluice_shctx_t *sh,
    u_char *name, size_t len);
ngx_sluice_event_t *ngx_sluice_event_by_token(ngx_sluice_shctx_t *sh,
    u_char *token, size_t len);
ngx_sluice_event_t *ngx_sluice_event_by_preview(ngx_sluice_shctx_t *sh,
    u_char *locator, size_t len);

ngx_int_t ngx_sluice_ip_allowed(ngx_sluice_ip_acl_t *acl,
    struct sockaddr *sa);


#endif /* _NGX_SLUICE_H_INCLUDED_ */
