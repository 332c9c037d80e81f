
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The resource engine of the REST API: one ARM CRUD path for every
 * resource type (ngx_http_sluice_api_resource.c): routing, GET, PUT (201
 * create, 200 update), PATCH, DELETE, the list
 * (ngx_http_sluice_api_list.c), POST {name}/{action}, long-running
 * operations (Azure-AsyncOperation, operationLocations), the files and
 * their loading.  A type is a table (ngx_http_sluice_rt_t) of names,
 * states, actions and a few hooks, one file each:
 *
 *   ngx_http_sluice_api_live_event.c          live events
 *   ngx_http_sluice_api_live_output.c         live outputs
 *   ngx_http_sluice_api_asset.c               assets
 *   ngx_http_sluice_api_streaming_policy.c    streaming policies
 *   ngx_http_sluice_api_streaming_locator.c   streaming locators
 *   ngx_http_sluice_api_streaming_endpoint.c  streaming endpoints
 *   ngx_http_sluice_api_content_key_policy.c  content key policies
 *   ngx_http_sluice_api_account_filter.c      account filters
 *   ngx_http_sluice_api_asset_filter.c        asset filters
 *
 * A type validates a document (build: the body of a PUT, a PATCH merged
 * onto the stored document, or a stored document at startup) into the
 * stored document and the fixed fields, checks the rules that involve
 * other resources under the zone mutex (unique, check), and adds what
 * depends on the state or the request to a response (render).
 *
 * Where a type's records live is its record kind (ngx_http_sluice_rk_t):
 * the generic records of the core (ngx_sluice_res_t,
 * ngx_http_sluice_api_record.c), or those of live events
 * (ngx_sluice_event_t, which the data path reads).
 */


#ifndef _NGX_HTTP_SLUICE_API_RESOURCE_H_INCLUDED_
#define _NGX_HTTP_SLUICE_API_RESOURCE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_build.h"
#include "core/ngx_sluice_index.h"
#include "core/ngx_sluice_resource.h"


/* the types of the API: the core's generic ones, then live events */
#define NGX_HTTP_SLUICE_RES_LIVE_EVENT  NGX_SLUICE_RES_LIVE_EVENT
#define NGX_HTTP_SLUICE_RES_NTYPES      (NGX_SLUICE_RES_NTYPES + 1)


/* a record copied out under the mutex */
typedef struct {
    ngx_uint_t                  type;
    u_char                      parent[NGX_SLUICE_RES_NAME_LEN + 1];
    u_char                      name[NGX_SLUICE_RES_NAME_LEN + 1];
    ngx_uint_t                  state;
    ngx_uint_t                  pending;
    ngx_uint_t                  op_kind;
    ngx_uint_t                  final;          /* state when op is done */
    ngx_sluice_res_fields_t     f;              /* live events: f.id */
    uint32_t                    generation;     /* live events */
    ngx_str_t                   json;
    sluice_json_t              *doc;            /* parsed json, lazily */
    uint64_t                    serial;
    uint64_t                    version;
} ngx_http_sluice_res_snap_t;


/* the API bookkeeping of a record: where its fields are (shared memory) */
typedef struct {
    u_char                     *name;
    u_char                     *parent;         /* "" when none */
    ngx_uint_t                 *state;
    ngx_sluice_op_t           **op;
    u_char                    **json;
    size_t                     *json_len;
    uint64_t                   *serial;
    uint64_t                   *version;
    uint64_t                   *persisted;
} ngx_http_sluice_rec_t;


/* POST {resource}/{action}: an operation changing the state */
typedef struct {
    ngx_str_t                   name;
    ngx_uint_t                  kind;           /* NGX_SLUICE_OP_* */
    ngx_uint_t                  from[2];        /* states it starts in */
    ngx_uint_t                  state;          /* while it runs */
    ngx_uint_t                  target;         /* when it is done */
    ngx_uint_t                  noop;           /* nothing to do in */
    ngx_uint_t                  flags;
} ngx_http_sluice_action_t;

#define NGX_HTTP_SLUICE_ACT_INSTANT    0x01   /* done at once */
#define NGX_HTTP_SLUICE_ACT_ANY_STATE  0x02   /* from any settled state */


/* what an action was asked for beyond its name (the body) */
typedef struct {
    sluice_json_t              *patch;          /* of the document */
    ngx_uint_t                  option;         /* a type's own */
} ngx_http_sluice_act_in_t;


/* the operation an action starts; a type's hook may change it */
typedef struct {
    ngx_uint_t                  state;
    ngx_uint_t                  target;
    ngx_msec_t                  delay;
} ngx_http_sluice_op_plan_t;


typedef struct ngx_http_sluice_rt_s  ngx_http_sluice_rt_t;


/* a record kind; the mutex is held in all but file() and write() */
typedef struct {
    void                     *(*find)(ngx_sluice_shctx_t *sh,
                                  ngx_http_sluice_rt_t *rt, u_char *parent,
                                  u_char *name, size_t len);
    void                     *(*next)(ngx_sluice_shctx_t *sh,
                                  ngx_http_sluice_rt_t *rt, void *prev);
    ngx_uint_t                (*count)(ngx_sluice_shctx_t *sh,
                                  ngx_http_sluice_rt_t *rt);
    void                      (*view)(void *rec, ngx_http_sluice_rec_t *v);

    /* the fixed fields into a snapshot; from a validation into rec */
    void                      (*fields)(void *rec,
                                  ngx_http_sluice_res_snap_t *snap);
    void                      (*apply)(void *rec,
                                  ngx_http_sluice_res_build_t *b,
                                  ngx_uint_t update);

    /*
     * a new record named b->name (under b->parent) with the document
     * json and the fixed fields of b, linked; NULL: no memory
     */
    void                     *(*create)(ngx_sluice_zone_ctx_t *zctx,
                                  ngx_http_sluice_rt_t *rt,
                                  ngx_http_sluice_res_build_t *b,
                                  ngx_str_t *json);
    void                      (*free)(ngx_sluice_shctx_t *sh, void *rec);

    ngx_sluice_op_t          *(*op_start)(ngx_sluice_shctx_t *sh, void *rec,
                                  ngx_uint_t kind, ngx_uint_t state,
                                  ngx_uint_t target, ngx_msec_t delay_ms,
                                  u_char *id);
    ngx_sluice_op_t          *(*op_find)(ngx_sluice_shctx_t *sh,
                                  ngx_http_sluice_rt_t *rt, u_char *id,
                                  size_t len);

    /* files: content, written aside, renamed in place, removed */
    ngx_int_t                 (*file)(ngx_pool_t *pool,
                                  ngx_http_sluice_res_snap_t *snap,
                                  ngx_str_t *content);
    ngx_int_t                 (*write)(ngx_pool_t *pool, ngx_log_t *log,
                                  ngx_sluice_zone_ctx_t *zctx,
                                  ngx_http_sluice_res_snap_t *snap,
                                  ngx_str_t *content, ngx_str_t *tmp);
    ngx_int_t                 (*commit)(ngx_pool_t *pool, ngx_log_t *log,
                                  ngx_sluice_zone_ctx_t *zctx,
                                  ngx_http_sluice_res_snap_t *snap,
                                  ngx_str_t *tmp);
    /* NGX_ERROR: the file stays (errno says why), the record too */
    ngx_int_t                 (*unlink)(ngx_pool_t *pool, ngx_log_t *log,
                                  ngx_sluice_zone_ctx_t *zctx, void *rec);

    /*
     * loading a file {"sluice":{meta},"resource":{doc}}: the name (and
     * parent) before the validation, the rest of meta after it;
     * NGX_DECLINED: skipped
     */
    ngx_int_t                 (*load_name)(ngx_http_sluice_res_build_t *b,
                                  sluice_json_t *meta, sluice_json_t *doc);
    ngx_int_t                 (*load_meta)(ngx_http_sluice_rt_t *rt,
                                  ngx_http_sluice_res_build_t *b,
                                  sluice_json_t *meta);
} ngx_http_sluice_rk_t;


struct ngx_http_sluice_rt_s {
    ngx_uint_t                  type;
    const char                 *collection;     /* route: "assets" */
    const char                 *id_segment;     /* in ids: "assets" */
    const char                 *arm_type;       /* "Microsoft.Media/..." */
    const char                 *what;           /* "Asset" in messages */
    const char                 *op_collection;  /* LRO: "...Operations" */
    const char                 *states[8];      /* resourceState names */
    size_t                      name_max;
    ngx_uint_t                  flags;
    ngx_http_sluice_rk_t       *kind;           /* where records live */

    /* nested: {parent collection}/{p}/{collection}/{name}, p exists */
    ngx_http_sluice_rt_t       *parent;

    ngx_http_sluice_action_t   *create;         /* LRO: the creation */
    ngx_http_sluice_action_t   *autostart;      /* PUT ?autoStart=true */
    ngx_uint_t                  delete_state;   /* LRO: while deleted */
    ngx_http_sluice_action_t   *actions;        /* POST {name}/{action} */

    ngx_int_t                 (*build)(ngx_http_sluice_res_build_t *b);

    /* mutex held: is the new record b unique?  old: the one updated */
    ngx_int_t                 (*unique)(ngx_sluice_shctx_t *sh,
                                  ngx_http_sluice_res_build_t *b, void *old);

    /*
     * mutex held: rules involving other records; also when loading a
     * file with NGX_HTTP_SLUICE_RT_LOAD_CHECK
     */
    ngx_int_t                 (*check)(ngx_sluice_shctx_t *sh,
                                  ngx_http_sluice_res_build_t *b, void *old);

    /* mutex held, in zone_begin(): after a create */
    void                      (*created)(ngx_sluice_shctx_t *sh, void *rec);

    /* mutex held: may rec be deleted?  NGX_OK, or err filled */
    ngx_int_t                 (*deletable)(ngx_sluice_shctx_t *sh,
                                  void *rec, ngx_http_sluice_res_err_t *err);

    /* mutex held, in zone_begin(): before the record goes */
    void                      (*deleting)(ngx_sluice_shctx_t *sh, void *rec,
                                  ngx_log_t *log);

    /* outside the mutex, after a create or a delete (NGX_SLUICE_OP_*) */
    void                      (*done)(ngx_http_request_t *r,
                                  ngx_http_sluice_api_ctx_t *ctx,
                                  ngx_http_sluice_res_snap_t *snap,
                                  ngx_uint_t kind);

    /* properties that depend on the state or the request */
    ngx_int_t                 (*render)(ngx_http_request_t *r,
                                  ngx_http_sluice_api_ctx_t *ctx,
                                  ngx_http_sluice_res_snap_t *snap,
                                  sluice_json_t *res, sluice_json_t *props);

    /* an action's body: NGX_OK with in filled, or NGX_DECLINED (err) */
    ngx_int_t                 (*act_body)(ngx_http_sluice_api_ctx_t *ctx,
                                  ngx_http_sluice_action_t *act,
                                  ngx_http_sluice_act_in_t *in,
                                  ngx_http_sluice_res_err_t *err);

    /* mutex held, in zone_begin(): an action starts; NGX_DECLINED: err */
    ngx_int_t                 (*acting)(ngx_sluice_shctx_t *sh, void *rec,
                                  ngx_http_sluice_action_t *act,
                                  ngx_http_sluice_act_in_t *in,
                                  ngx_http_sluice_op_plan_t *plan,
                                  ngx_http_sluice_res_err_t *err,
                                  ngx_log_t *log);

    /* POST {name}/{action} of actions a type answers itself (queries) */
    ngx_int_t                 (*post)(ngx_http_request_t *r,
                                  ngx_http_sluice_api_ctx_t *ctx);
};


#define ngx_http_sluice_res_zone(ctx)                                        \
    ((ngx_sluice_zone_ctx_t *) (ctx)->conf->shm_zone->data)


/*
 * Routes the collections of the resource types (called by
 * ngx_http_sluice_api_route() with the path segments); NGX_DECLINED
 * when seg[8] is none of them.
 */
ngx_int_t ngx_http_sluice_api_route_resource(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_str_t *seg, ngx_uint_t n);
ngx_int_t ngx_http_sluice_resource_handler(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx);

/* the type of ctx->resource, and of a type index */
ngx_http_sluice_rt_t *ngx_http_sluice_res_type(ngx_uint_t type);

/* copies a record of rt out; caller holds the mutex */
ngx_int_t ngx_http_sluice_res_snap(ngx_pool_t *pool, ngx_http_sluice_rt_t *rt,
    void *rec, ngx_http_sluice_res_snap_t *snap);

/* the stored document of a snapshot, parsed */
sluice_json_t *ngx_http_sluice_res_doc(sluice_alloc_t *a,
    ngx_http_sluice_res_snap_t *snap);

/* the resource as the API returns it */
sluice_json_t *ngx_http_sluice_res_render(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_res_snap_t *snap);

/* ctx->parent NUL-terminated in the pool, or NULL */
u_char *ngx_http_sluice_res_parent(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx);

/* mutex held: the parent record (a nested rt) named parent exists */
ngx_uint_t ngx_http_sluice_res_parent_exists(ngx_sluice_shctx_t *sh,
    ngx_http_sluice_rt_t *rt, u_char *parent);

/*
 * saves a record as snap shows it, synchronously (startup): written
 * aside and fsync()ed, renamed under the mutex, the directory fsync()ed;
 * requests use ngx_http_sluice_store() (ngx_http_sluice_api_store.h)
 */
void ngx_http_sluice_res_persist(ngx_pool_t *pool, ngx_log_t *log,
    ngx_sluice_zone_ctx_t *zctx, ngx_http_sluice_res_snap_t *snap);

/* ngx_http_sluice_store() of the record named so, if there is one */
ngx_int_t ngx_http_sluice_res_store_name(ngx_http_request_t *r,
    ngx_sluice_zone_ctx_t *zctx, ngx_uint_t type, u_char *parent,
    u_char *name);

/*
 * A new record of rt from a validation b (json: b->doc as text), in
 * state; caller holds the mutex inside zone_begin().  NULL: no memory.
 */
void *ngx_http_sluice_res_insert(ngx_sluice_zone_ctx_t *zctx,
    ngx_http_sluice_rt_t *rt, ngx_http_sluice_res_build_t *b,
    ngx_str_t *json, ngx_uint_t state);

/* fresh zone: predefined records; one stored file of a type */
ngx_int_t ngx_http_sluice_res_preload(ngx_sluice_zone_ctx_t *zctx,
    ngx_pool_t *pool, ngx_log_t *log);
ngx_int_t ngx_http_sluice_res_load(ngx_sluice_zone_ctx_t *zctx,
    ngx_uint_t type, u_char *data, size_t len, ngx_pool_t *pool,
    ngx_log_t *log);

/*
 * Azure-AsyncOperation {base}/{op_collection}/{op_id}, Location
 * {base}/{path of the resource}/operationLocations/{op_id}, Retry-After
 * 1 while pending, else 0.
 */
ngx_int_t ngx_http_sluice_res_lro_headers(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt,
    u_char *parent, u_char *name, u_char *op_id, ngx_uint_t pending);


#endif /* _NGX_HTTP_SLUICE_API_RESOURCE_H_INCLUDED_ */
