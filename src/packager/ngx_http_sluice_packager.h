
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Types shared by the files of the packaging handler (sluice_packager):
 * one request (ngx_http_sluice_pkg_t), from the URL to what its collector
 * copied out of the index, and the fragments of a segment.  What each
 * file exports is declared in its own header:
 *
 *   ngx_http_sluice_packager_module.h    routing, HTTP responses
 *   ngx_http_sluice_packager_manifest.h  manifests from the index snapshot
 *   ngx_http_sluice_packager_segment.h   init segments and fragments:
 *                                        CMAF as stored, TS, Smooth
 *   ngx_http_sluice_packager_locator.h   streaming locators and endpoints
 *   ngx_http_sluice_packager_asset.h     reading an asset's files
 */


#ifndef _NGX_HTTP_SLUICE_PACKAGER_H_INCLUDED_
#define _NGX_HTTP_SLUICE_PACKAGER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "core/ngx_sluice.h"
#include "core/ngx_sluice_index.h"
#include "core/ngx_sluice_resource.h"
#include "media/sluice_url.h"
#include "media/manifest/sluice_filter.h"
#include "util/sluice_json.h"


/* fragments muxed into one TS segment at most (fragmentsPerTsSegment) */
#define NGX_HTTP_SLUICE_MAX_SEG_FRAGS    60

/* filters of one request: the locator's and three of the URL */
#define NGX_HTTP_SLUICE_MAX_FILTERS      (16 + SLUICE_FILTER_MAX_PER_URL)

/* Sluice's time service (DASH UTCTiming urn:mpeg:dash:utc:http-iso) */
#define NGX_HTTP_SLUICE_TIME_URI         "/sluice/time"

/* LL-DASH: parts of a segment sent as they come, at most */
#define NGX_HTTP_SLUICE_LL_STREAM        64

/* low latency: parts a request may ask for ahead of the last one */
#define NGX_HTTP_SLUICE_LL_AHEAD         3

/* Smooth: fragments announced in a live fragment's tfrf box */
#define NGX_HTTP_SLUICE_SMOOTH_LOOKAHEAD  2


/* a live asset's records not shown: the event track's, from "from" on */
typedef struct {
    u_char                       stream[NGX_SLUICE_STREAM_LEN + 1];
    ngx_uint_t                   media_type;
    uint64_t                     from;
} ngx_http_sluice_unsynced_t;


/* the stored fragments of one track that make a requested segment */
typedef struct {
    ngx_uint_t                   index;     /* track slot: path component */
    uint32_t                     init_version;
    sluice_track_info_t          info;
    ngx_uint_t                   nfrags;
    ngx_sluice_frag_t            frags[NGX_HTTP_SLUICE_MAX_SEG_FRAGS];

    /* Smooth: the fragments that follow, for the tfrf box */
    ngx_uint_t                   nnext;
    ngx_sluice_frag_t            next[NGX_HTTP_SLUICE_SMOOTH_LOOKAHEAD];
} ngx_http_sluice_seg_track_t;


/*
 * Dynamic encryption of a request (streaming locators only; the preview
 * and clear policies: scheme NGX_SLUICE_SCHEME_NONE), filled under the
 * zone mutex by ngx_http_sluice_packager_enc_select()
 */
typedef struct {
    ngx_uint_t                   scheme;        /* ngx_sluice_scheme_e */
    ngx_uint_t                   encryption;    /* sluice_encryption_t:
                                                   the URL's or the
                                                   default served */
    ngx_uint_t                   tagged;        /* the URL had the tag */

    /* the locator's keys of that scheme, the FourCCs it leaves clear */
    ngx_uint_t                   nkeys;
    ngx_sluice_key_t             keys[NGX_SLUICE_MAX_KEYS];
    uint32_t                     clear[NGX_SLUICE_MAX_CLEAR];

    /* the request's token= argument (encoded), "" when none */
    ngx_str_t                    token;

    /*
     * manifests and playlists: copies of the documents (templates), and
     * their parses once needed
     */
    ngx_str_t                    policy_json;
    ngx_str_t                    locator_json;
    sluice_json_t               *policy_doc;
    sluice_json_t               *locator_doc;
} ngx_http_sluice_enc_t;


/*
 * The packager's module context of a request: each part of the packager
 * that keeps state across event-loop turns has its own slot
 */
typedef struct {
    void                        *asset;     /* a thread reads the asset */
    void                        *segment;   /* a thread reads fragments */
    void                        *ll;        /* a blocking request */

    /*
     * metrics (ngx_sluice_metrics.h): the request's format and kind once
     * its URL parsed (metered), and when the packager took it (last run)
     */
    ngx_uint_t                   mx_format;
    ngx_uint_t                   mx_kind;
    uint64_t                     mx_start;  /* microseconds, monotonic */
    unsigned                     metered:1;
} ngx_http_sluice_packager_ctx_t;


/* one request, from the URL to the snapshot of the index it reads */
typedef struct {
    ngx_http_request_t          *request;

    /* "/{locator}/{name}.ism/{tail}" */
    ngx_str_t                    locator;
    ngx_str_t                    name;
    ngx_str_t                    tail;

    sluice_url_t                 url;

    /* the zone of this request's configuration */
    ngx_sluice_zone_ctx_t       *zctx;

    /* the source found by a resolver */
    u_char                       event_id[NGX_SLUICE_ID_LEN + 1];
    uint32_t                     generation;
    ngx_msec_t                   fragment_ms;
    int64_t                      epoch_ms;
    ngx_uint_t                   live;      /* manifests change */

    /*
     * streaming locators: the asset played ("" for the preview), its
     * windows and settings, and the streaming endpoint's maxCacheAge
     */
    u_char                       asset_id[NGX_SLUICE_ID_LEN + 1];
    ngx_msec_t                   window_ms;     /* DVR window; 0: conf */
    ngx_msec_t                   archive_ms;    /* older records: gone */
    ngx_uint_t                   per_segment;   /* HLS TS fragments */
    ngx_uint_t                   final;         /* no recording output */
    ngx_int_t                    max_age;       /* -1: not set */
    ngx_pool_t                  *apool;         /* asset reads */
    ngx_http_sluice_enc_t        enc;

    /* dynamic manifest filters: documents copied, then parsed */
    ngx_uint_t                   nfilters;
    ngx_str_t                    filter_json[NGX_HTTP_SLUICE_MAX_FILTERS];
    sluice_filter_t             *filters;

    /*
     * manifests and playlists: the window of every track; TS segments:
     * snap.cues only, the cues from the segment's time on when timed
     * metadata begins in it (ID3), else none
     */
    ngx_sluice_snapshot_t        snap;
    uint32_t                    *discontinuities;   /* before the window */
    uint64_t                    *period_starts;     /* DASH: last one's time */

    /* segments: the track asked for, then a muxed audio track (TS v3) */
    ngx_http_sluice_seg_track_t  seg[2];
    ngx_uint_t                   nseg;
    /*
     * low latency: the part asked for (URL part=), found by the segment
     * collector; ll_wait: what the request asks for is not there yet but
     * may come (a blocking request: ngx_http_sluice_packager_ll.c parks
     * it), ll_changes the event's change count it saw; ll_parked: parked,
     * what it needs copied (nothing of pkg is used any more)
     */
    ngx_sluice_part_t            part;
    unsigned                     has_part:1;
    unsigned                     ll_wait:1;
    unsigned                     ll_parked:1;
    /* ll_wait with an answer at the deadline (a Smooth lookahead) */
    unsigned                     ll_hold:1;
    uint64_t                     ll_changes;
    /*
     * the event's track the request waits on (-1: any change of the
     * event) and its fragments and parts appended then
     */
    ngx_int_t                    ll_slot;
    uint64_t                     ll_count;

    /*
     * the live event of the request (the preview's, or a live asset's
     * recording one) when it has parts: its id, generation, latency mode
     * and part target; ll_live: the segment is served from the event's
     * own files (parts, a segment in progress, the event's newest
     * fragment a live asset may not have yet)
     */
    u_char                       ll_event_id[NGX_SLUICE_ID_LEN + 1];
    uint32_t                     ll_generation;
    ngx_uint_t                   ll_latency;
    ngx_msec_t                   ll_part_ms;
    unsigned                     ll_live:1;

    /* a live asset: the parts of its event's tracks, for its manifests */
    ngx_uint_t                   ll_ntracks;
    ngx_sluice_track_snap_t     *ll_tracks;

    /*
     * a live asset: the event's tracks whose newest records may not be
     * synced yet (being recorded), and from which time on
     */
    ngx_uint_t                   nunsynced;
    ngx_http_sluice_unsynced_t  *unsynced;

    /*
     * LL-DASH: the segment in progress sent as its parts come (chunked);
     * its parts so far, and whether the fragment is complete
     */
    unsigned                     streaming:1;
    unsigned                     stream_complete:1;
    ngx_uint_t                   nstream;
    ngx_sluice_part_t            stream[NGX_HTTP_SLUICE_LL_STREAM];

    /* an error found by a collector: HTTP status and text */
    ngx_uint_t                   status;
    const char                  *reason;

    sluice_alloc_t               alloc;     /* r->pool */
} ngx_http_sluice_pkg_t;


#endif /* _NGX_HTTP_SLUICE_PACKAGER_H_INCLUDED_ */
