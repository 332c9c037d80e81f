
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Generic API resources in the shared zone: assets, live outputs,
 * streaming policies, streaming locators, streaming endpoints, content
 * key policies, account filters and asset filters.
 *
 *   ngx_sluice_shctx_t.res (ngx_sluice_res_root_t)
 *     queues[type]: ngx_sluice_res_t <-> ...  (creation order)
 *     ops:          ngx_sluice_op_t <-> ...   (long-running operations of
 *                   live outputs and streaming endpoints, oldest first)
 *
 * A record holds the resource document as the API stores it (json, a
 * slab string) and the fixed fields the data path reads (f), both set
 * from one validation.  Lookups and changes hold shpool->mutex; changes
 * of several fields are bracketed by ngx_sluice_zone_begin()/_end().
 *
 * For the data path (ingest, packager), with the mutex held:
 *
 *   ngx_sluice_res_find(sh, TYPE, parent, name, len)
 *       any record by name (parent: the live event of a live output,
 *       NULL otherwise); settles a due operation first
 *   ngx_sluice_locator_by_id(sh, id, len)
 *       a streaming locator by streamingLocatorId: f.asset, f.policy,
 *       f.start_ms/f.end_ms (enforcement is the packager's), then
 *   ngx_sluice_res_find(sh, NGX_SLUICE_RES_ASSET, NULL, f.asset, ...)
 *       its asset: f.id (assetId: media in {data}/assets/{assetId}/),
 *       f.manifest (manifestName of the live output that recorded it,
 *       "" if none), f.event (that live event's name)
 *   ngx_sluice_live_output_by_asset(sh, asset, len)
 *       the live output recording into an asset, if any: f.archive_ms,
 *       f.rewind_ms, f.fragments_per_ts, f.snap_time; parent = event
 *   ngx_sluice_res_next(sh, TYPE, prev)
 *       iteration (prev NULL: first), e.g. the live outputs of an event
 *   ngx_sluice_res_find(sh, NGX_SLUICE_RES_ASSET_FILTER, asset, name, len)
 *   ngx_sluice_res_find(sh, NGX_SLUICE_RES_ACCOUNT_FILTER, NULL, name, len)
 *       a filter of an asset, else of the account: its document's
 *       properties are MediaFilterProperties (sluice_filter_parse())
 *   streaming endpoints: state (NGX_SLUICE_SE_*), f.acl (accessControl.ip),
 *       f.max_cache_age (-1: not set), f.scale_units; their
 *       crossSiteAccessPolicies and customHostNames are in the document
 *       (copy json out, parse it outside the lock: properties.
 *       crossSiteAccessPolicies.clientAccessPolicy / crossDomainPolicy,
 *       properties.customHostNames).
 */


#ifndef _NGX_SLUICE_RESOURCE_H_INCLUDED_
#define _NGX_SLUICE_RESOURCE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "core/ngx_sluice.h"


#define NGX_SLUICE_RES_NAME_LEN      200   /* file names stay < 255 */
#define NGX_SLUICE_MANIFEST_LEN      128
#define NGX_SLUICE_MAX_OUTPUTS       3     /* per live event */


typedef enum {
    NGX_SLUICE_RES_ASSET = 0,
    NGX_SLUICE_RES_LIVE_OUTPUT,
    NGX_SLUICE_RES_STREAMING_POLICY,
    NGX_SLUICE_RES_STREAMING_LOCATOR,
    NGX_SLUICE_RES_STREAMING_ENDPOINT,
    NGX_SLUICE_RES_CONTENT_KEY_POLICY,
    NGX_SLUICE_RES_ACCOUNT_FILTER,
    NGX_SLUICE_RES_ASSET_FILTER,          /* parent: the asset */
    NGX_SLUICE_RES_NTYPES
} ngx_sluice_res_type_e;


/* live events: records of their own (ngx_sluice_event_t), as "type" */
#define NGX_SLUICE_RES_LIVE_EVENT    NGX_SLUICE_RES_NTYPES


/* live output resourceState */
typedef enum {
    NGX_SLUICE_LO_CREATING = 0,
    NGX_SLUICE_LO_RUNNING,
    NGX_SLUICE_LO_DELETING
} ngx_sluice_lo_state_e;


/* streaming endpoint resourceState */
typedef enum {
    NGX_SLUICE_SE_STOPPED = 0,
    NGX_SLUICE_SE_STARTING,
    NGX_SLUICE_SE_RUNNING,
    NGX_SLUICE_SE_STOPPING,
    NGX_SLUICE_SE_DELETING,
    NGX_SLUICE_SE_SCALING
} ngx_sluice_se_state_e;


/* streaming policy protocols (f.protocols) */
#define NGX_SLUICE_PROTO_DOWNLOAD    0x01
#define NGX_SLUICE_PROTO_DASH        0x02
#define NGX_SLUICE_PROTO_HLS         0x04
#define NGX_SLUICE_PROTO_SMOOTH      0x08


/*
 * Encryption schemes of a streaming policy and of a locator's content
 * keys (AMS StreamingPolicy blocks, ContentKey "type")
 */
typedef enum {
    NGX_SLUICE_SCHEME_NONE = 0,     /* noEncryption */
    NGX_SLUICE_SCHEME_ENVELOPE,     /* envelopeEncryption: AES-128 CBC */
    NGX_SLUICE_SCHEME_CENC,         /* commonEncryptionCenc */
    NGX_SLUICE_SCHEME_CBCS,         /* commonEncryptionCbcs */
    NGX_SLUICE_SCHEME_N
} ngx_sluice_scheme_e;


#define NGX_SLUICE_KEY_LEN           16    /* AES-128 key, KID bytes */
#define NGX_SLUICE_MAX_KEYS          8     /* content keys per locator */
#define NGX_SLUICE_MAX_CLEAR         4     /* clearTracks FourCCs */


/*
 * A content key of a streaming locator: the scheme's default key
 * (fourcc 0) or the key of the tracks whose FourCC is fourcc
 * (keyToTrackMappings with a FourCC Equal condition).  The value is a
 * secret: never logged, never in a plain GET.
 */
typedef struct {
    u_char                      kid[NGX_SLUICE_KEY_LEN];   /* UUID bytes */
    u_char                      value[NGX_SLUICE_KEY_LEN];
    uint32_t                    scheme;         /* ngx_sluice_scheme_e */
    uint32_t                    fourcc;         /* 0: default key */

    /* the content key policy that guards it ("" none) */
    u_char                      policy[NGX_SLUICE_RES_NAME_LEN + 1];
} ngx_sluice_key_t;


/* the fixed fields of a resource; which ones a type uses is noted */
typedef struct {
    /*
     * asset: assetId; locator: streamingLocatorId (UUID text); asset
     * filter: the assetId of its asset (its file name)
     */
    u_char                      id[NGX_SLUICE_ID_LEN + 1];

    /* locator, live output: assetName */
    u_char                      asset[NGX_SLUICE_RES_NAME_LEN + 1];

    /* locator: streamingPolicyName */
    u_char                      policy[NGX_SLUICE_RES_NAME_LEN + 1];

    /*
     * live output: manifestName; asset: manifestName of the live output
     * that recorded it ("" when never recorded)
     */
    u_char                      manifest[NGX_SLUICE_MANIFEST_LEN + 1];

    /* asset: the live event that recorded it ("" when never recorded) */
    u_char                      event[NGX_SLUICE_NAME_LEN + 1];

    uint64_t                    created_ms;     /* unix ms, every type */

    /* locator: startTime, endTime in unix ms (0 / INT64_MAX: absent) */
    int64_t                     start_ms;
    int64_t                     end_ms;

    /* live output */
    ngx_msec_t                  archive_ms;     /* archiveWindowLength */
    ngx_msec_t                  rewind_ms;      /* rewindWindowLength, or
                                                   the archive window */
    ngx_uint_t                  fragments_per_ts;   /* hls, >= 1 */
    int64_t                     snap_time;      /* outputSnapTime */

    /* streaming policy: NGX_SLUICE_PROTO_* of noEncryption; encrypted */
    ngx_uint_t                  protocols;
    ngx_uint_t                  encrypted;
    ngx_uint_t                  builtin;        /* predefined: read-only */

    /*
     * streaming policy, and copied into each of its locators at
     * creation (policies cannot change): NGX_SLUICE_PROTO_* per scheme
     * (enc_protocols[NGX_SLUICE_SCHEME_NONE] == protocols), the FourCCs
     * each scheme leaves clear (clearTracks; 0 ends the list)
     */
    ngx_uint_t                  enc_protocols[NGX_SLUICE_SCHEME_N];
    uint32_t                    clear[NGX_SLUICE_SCHEME_N]
                                     [NGX_SLUICE_MAX_CLEAR];

    /* locator: its content keys (listContentKeys) */
    ngx_uint_t                  nkeys;
    ngx_sluice_key_t            keys[NGX_SLUICE_MAX_KEYS];

    /* streaming endpoint */
    ngx_uint_t                  scale_units;
    ngx_int_t                   max_cache_age;  /* seconds; -1: not set */
    ngx_sluice_ip_acl_t         acl;            /* accessControl.ip */
} ngx_sluice_res_fields_t;


typedef struct {
    ngx_queue_t                 queue;
    ngx_uint_t                  type;           /* ngx_sluice_res_type_e */

    /* live output: its live event; asset filter: its asset */
    u_char                      parent[NGX_SLUICE_RES_NAME_LEN + 1];
    u_char                      name[NGX_SLUICE_RES_NAME_LEN + 1];

    ngx_uint_t                  state;          /* NGX_SLUICE_LO/SE_* */
    ngx_sluice_res_fields_t     f;

    /* the stored document (slab string) */
    u_char                     *json;
    size_t                      json_len;

    uint64_t                    serial;         /* unique per creation */
    uint64_t                    version;        /* bumped per change */
    uint64_t                    persisted;      /* version on disk */
    ngx_sluice_op_t            *op;             /* pending operation */
} ngx_sluice_res_t;


typedef struct ngx_sluice_res_root_s {
    ngx_queue_t                 queues[NGX_SLUICE_RES_NTYPES];
    ngx_uint_t                  counts[NGX_SLUICE_RES_NTYPES];
    ngx_queue_t                 ops;
    ngx_uint_t                  nops;
    uint64_t                    serial;

    /*
     * sluice_data_path of the running configuration (set by the master
     * at every start and reload), for changes made without a request
     */
    ngx_str_t                   data_path;
    u_char                      path[NGX_MAX_PATH];
} ngx_sluice_res_root_t;


#define ngx_sluice_res_root(sh)  ((ngx_sluice_res_root_t *) (sh)->res)


/* zone life (ngx_sluice_zone.c, ngx_http_sluice_module.c call these) */

/* fresh zone: root, predefined policies, then the files on disk */
ngx_int_t ngx_sluice_res_init_zone(ngx_sluice_zone_ctx_t *zctx,
    ngx_log_t *log);

/* master, at startup: directories; the default endpoint at first start */
ngx_int_t ngx_sluice_res_init_dirs(ngx_cycle_t *cycle, ngx_str_t *path,
    ngx_sluice_zone_ctx_t *zctx);

/* relinks the queues after a writer died half-way (zone repair) */
void ngx_sluice_res_repair(ngx_sluice_shctx_t *sh);


/* lookups; the caller holds the mutex */

ngx_sluice_res_t *ngx_sluice_res_find(ngx_sluice_shctx_t *sh,
    ngx_uint_t type, u_char *parent, u_char *name, size_t len);
ngx_sluice_res_t *ngx_sluice_res_next(ngx_sluice_shctx_t *sh,
    ngx_uint_t type, ngx_sluice_res_t *prev);
ngx_sluice_res_t *ngx_sluice_locator_by_id(ngx_sluice_shctx_t *sh,
    u_char *id, size_t len);
ngx_sluice_res_t *ngx_sluice_live_output_by_asset(ngx_sluice_shctx_t *sh,
    u_char *asset, size_t len);

/*
 * The streaming locator holding the content key kid (16 bytes), and the
 * key in it; NULL if none.  Key delivery's lookup.
 */
ngx_sluice_res_t *ngx_sluice_locator_by_kid(ngx_sluice_shctx_t *sh,
    u_char *kid, ngx_sluice_key_t **key);

/*
 * The key a locator uses for scheme on a track of that FourCC: the
 * mapping for the FourCC, else the scheme's default key; NULL when the
 * track stays clear (clearTracks) or the locator has no such key.
 */
ngx_sluice_key_t *ngx_sluice_locator_key(ngx_sluice_res_t *loc,
    ngx_uint_t scheme, uint32_t fourcc);

ngx_uint_t ngx_sluice_res_count(ngx_sluice_shctx_t *sh, ngx_uint_t type);


/*
 * Live event hooks (ngx_http_sluice_api_live_event.c), mutex held:
 * the number of live outputs of an event, and their removal (stop with
 * removeOutputsOnStop, reset, delete): records freed, files removed;
 * their assets stay.
 */
ngx_uint_t ngx_sluice_live_outputs_count(ngx_sluice_shctx_t *sh,
    u_char *event);
void ngx_sluice_live_outputs_remove(ngx_sluice_shctx_t *sh, u_char *event,
    ngx_log_t *log);

/* the same for the records of a type under parent (asset filters) */
void ngx_sluice_res_remove_children(ngx_sluice_shctx_t *sh, ngx_uint_t type,
    u_char *parent, ngx_log_t *log);


/* changes; the caller holds the mutex inside zone_begin()/_end() */

ngx_sluice_res_t *ngx_sluice_res_alloc(ngx_sluice_shctx_t *sh,
    ngx_uint_t type, u_char *parent, u_char *name, size_t len);
void ngx_sluice_res_free(ngx_sluice_shctx_t *sh, ngx_sluice_res_t *res);
ngx_int_t ngx_sluice_res_set_json(ngx_sluice_shctx_t *sh,
    ngx_sluice_res_t *res, u_char *json, size_t len);

/*
 * Starts an operation on res: state becomes "state", then "target" once
 * delay_ms passed (at once when 0); a delete frees res when done.
 */
ngx_sluice_op_t *ngx_sluice_res_op_start(ngx_sluice_shctx_t *sh,
    ngx_sluice_res_t *res, ngx_uint_t kind, ngx_uint_t state,
    ngx_uint_t target, ngx_msec_t delay_ms, u_char *id);
ngx_sluice_op_t *ngx_sluice_res_op_find(ngx_sluice_shctx_t *sh,
    ngx_uint_t type, u_char *id, size_t len);


/*
 * files: {data}/api/{collection}/{[parent.]name, lowercase}.json; the
 * parent of an asset filter is its f.id, the assetId (short enough)
 */

ngx_int_t ngx_sluice_res_write(ngx_pool_t *pool, ngx_log_t *log,
    ngx_str_t *data_path, ngx_sluice_res_t *res, ngx_str_t *json,
    ngx_str_t *tmp);
ngx_int_t ngx_sluice_res_commit(ngx_pool_t *pool, ngx_log_t *log,
    ngx_str_t *data_path, ngx_sluice_res_t *res, ngx_str_t *tmp);
/* fsync() of every directory of API files (blocks); errno on NGX_ERROR */
ngx_int_t ngx_sluice_res_sync_dirs(ngx_str_t *data_path);

/* NGX_ERROR (logged, errno kept): the file stays */
ngx_int_t ngx_sluice_res_unlink(ngx_log_t *log, ngx_str_t *data_path,
    ngx_sluice_res_t *res);

/*
 * Removes {data}/assets/{assetId}/ without blocking: renamed to
 * {data}/assets/.deleted-{assetId} at once, then emptied by a timer of
 * this worker, a bounded number of entries per tick.
 */
void ngx_sluice_asset_remove_media(ngx_str_t *data_path, u_char *asset_id,
    ngx_log_t *log);


#endif /* _NGX_SLUICE_RESOURCE_H_INCLUDED_ */
