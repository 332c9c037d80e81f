
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The generic ARM CRUD path of the REST API (ngx_http_sluice_api_resource.c)
 * and the per-type hooks it calls, one file per type:
 *
 *   ngx_http_sluice_api_asset.c               assets
 *   ngx_http_sluice_api_live_output.c         live outputs (LROs)
 *   ngx_http_sluice_api_streaming_policy.c    streaming policies
 *   ngx_http_sluice_api_streaming_locator.c   streaming locators
 *   ngx_http_sluice_api_streaming_endpoint.c  streaming endpoints (LROs)
 *
 * A type validates a document (build: the body of a PUT, a PATCH merged
 * onto the stored document, or a stored document at startup) into the
 * stored document and the fixed fields, checks the rules that involve
 * other resources under the zone mutex (check), and adds what depends on
 * the state or the request to a response (render).
 *
 * Live events (ngx_http_sluice_api_live_event.c) keep their own records
 * but share the mechanisms declared here: JSON merge patch, member set,
 * validation errors and their sending, name checks, action tables, the
 * LRO headers and the answers to operation polls.
 */


#ifndef _NGX_HTTP_SLUICE_API_RESOURCE_H_INCLUDED_
#define _NGX_HTTP_SLUICE_API_RESOURCE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api.h"
#include "core/ngx_sluice_index.h"
#include "core/ngx_sluice_resource.h"


/* type flags */
#define NGX_HTTP_SLUICE_RT_PATCH      0x01  /* PATCH allowed */
#define NGX_HTTP_SLUICE_RT_LRO        0x02  /* create/delete are LROs */
#define NGX_HTTP_SLUICE_RT_TRACKED    0x04  /* location and tags */
#define NGX_HTTP_SLUICE_RT_IMMUTABLE  0x08  /* no update by PUT */
#define NGX_HTTP_SLUICE_RT_LIVE_NAME  0x10  /* ^[a-zA-Z0-9]+(-*[a-zA-Z0-9])*$ */


typedef struct {
    ngx_uint_t                  status;
    const char                 *code;
    u_char                      msg[512];
    size_t                      len;
} ngx_http_sluice_res_err_t;


/* one validation */
typedef struct {
    sluice_alloc_t             *a;
    ngx_pool_t                 *pool;
    ngx_http_sluice_main_conf_t *conf;          /* NULL when loading */
    sluice_json_t              *in;
    sluice_json_t              *old;            /* stored doc, or NULL */
    ngx_str_t                   name;
    ngx_str_t                   parent;
    ngx_uint_t                  load;           /* from a file */

    sluice_json_t              *doc;            /* out: stored document */
    ngx_sluice_res_fields_t     f;              /* out: fixed fields */
    ngx_uint_t                  state;          /* out: initial state */

    ngx_http_sluice_res_err_t   err;
} ngx_http_sluice_res_build_t;


/* a record copied out under the mutex */
typedef struct {
    ngx_uint_t                  type;
    u_char                      parent[NGX_SLUICE_NAME_LEN + 1];
    u_char                      name[NGX_SLUICE_RES_NAME_LEN + 1];
    ngx_uint_t                  state;
    ngx_uint_t                  pending;
    ngx_uint_t                  op_kind;
    ngx_uint_t                  final;          /* state when op is done */
    ngx_sluice_res_fields_t     f;
    ngx_str_t                   json;
    sluice_json_t              *doc;            /* parsed json, lazily */
    uint64_t                    serial;
    uint64_t                    version;
} ngx_http_sluice_res_snap_t;


/* POST {resource}/{action}: an operation changing the state */
typedef struct {
    ngx_str_t                   name;
    ngx_uint_t                  kind;           /* NGX_SLUICE_OP_* */
    ngx_uint_t                  from[2];        /* states it starts in */
    ngx_uint_t                  state;          /* while it runs */
    ngx_uint_t                  target;         /* when it is done */
    ngx_uint_t                  noop;           /* nothing to do in */
} ngx_http_sluice_action_t;


typedef struct ngx_http_sluice_rt_s  ngx_http_sluice_rt_t;

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

    ngx_int_t                 (*build)(ngx_http_sluice_res_build_t *b);

    /* mutex held: rules involving other records; old: the record updated */
    ngx_int_t                 (*check)(ngx_sluice_shctx_t *sh,
                                  ngx_http_sluice_res_build_t *b,
                                  ngx_sluice_res_t *old);

    /* mutex held, in zone_begin(): after a create */
    void                      (*created)(ngx_sluice_shctx_t *sh,
                                  ngx_sluice_res_t *res);

    /* mutex held: may res be deleted?  NGX_OK, or err filled */
    ngx_int_t                 (*deletable)(ngx_sluice_shctx_t *sh,
                                  ngx_sluice_res_t *res,
                                  ngx_http_sluice_res_err_t *err);

    /* mutex held, in zone_begin(): before the record is freed */
    void                      (*deleting)(ngx_sluice_shctx_t *sh,
                                  ngx_sluice_res_t *res, ngx_log_t *log);

    /* outside the mutex, after a delete */
    void                      (*deleted)(ngx_http_request_t *r,
                                  ngx_http_sluice_api_ctx_t *ctx,
                                  ngx_http_sluice_res_snap_t *snap);

    /* properties that depend on the state or the request */
    ngx_int_t                 (*render)(ngx_http_request_t *r,
                                  ngx_http_sluice_api_ctx_t *ctx,
                                  ngx_http_sluice_res_snap_t *snap,
                                  sluice_json_t *res, sluice_json_t *props);

    /* POST {resource}/{action} */
    ngx_int_t                 (*action)(ngx_http_request_t *r,
                                  ngx_http_sluice_api_ctx_t *ctx);
};


extern ngx_http_sluice_rt_t  ngx_http_sluice_rt_asset;
extern ngx_http_sluice_rt_t  ngx_http_sluice_rt_live_output;
extern ngx_http_sluice_rt_t  ngx_http_sluice_rt_streaming_policy;
extern ngx_http_sluice_rt_t  ngx_http_sluice_rt_streaming_locator;
extern ngx_http_sluice_rt_t  ngx_http_sluice_rt_streaming_endpoint;


#define ngx_http_sluice_res_zone(ctx)                                        \
    ((ngx_sluice_zone_ctx_t *) (ctx)->conf->shm_zone->data)

#define ngx_http_sluice_absent(v)                                            \
    ((v) == NULL || (v)->type == SLUICE_JSON_NULL)

/* in a validation: fail with 400 BadRequest and return NGX_DECLINED */
#define ngx_http_sluice_res_bad(err, ...)                                    \
    do {                                                                     \
        ngx_http_sluice_res_fail(err, NGX_HTTP_BAD_REQUEST, "BadRequest",    \
                                 __VA_ARGS__);                               \
        return NGX_DECLINED;                                                 \
    } while (0)

/* in a validation: obj[key] = val, or return NGX_ERROR */
#define ngx_http_sluice_res_put_member(a, obj, key, val)                     \
    do {                                                                     \
        if (ngx_http_sluice_res_set(a, obj, key, val) != NGX_OK) {           \
            return NGX_ERROR;                                                \
        }                                                                    \
    } while (0)


/* generic path (ngx_http_sluice_api_resource.c) */


/*
 * A resource name of 1 to max characters: letters, digits, '-', '_' and
 * inner '.'; with NGX_HTTP_SLUICE_RT_LIVE_NAME in flags letters, digits
 * and inner '-'.
 */
ngx_int_t ngx_http_sluice_res_name_valid(ngx_str_t *name, size_t max,
    ngx_uint_t flags);

/* copies a record out; caller holds the mutex */
ngx_int_t ngx_http_sluice_res_snap(ngx_pool_t *pool, ngx_sluice_res_t *res,
    ngx_http_sluice_res_snap_t *snap);

/* the stored document of a snapshot, parsed */
sluice_json_t *ngx_http_sluice_res_doc(sluice_alloc_t *a,
    ngx_http_sluice_res_snap_t *snap);

/* provisioningState: InProgress while created, Deleting, Succeeded */
const char *ngx_http_sluice_res_provisioning(ngx_uint_t pending,
    ngx_uint_t op_kind, ngx_uint_t deleting);


/* saves a record as snap shows it (write outside, rename under mutex) */
void ngx_http_sluice_res_persist(ngx_pool_t *pool, ngx_log_t *log,
    ngx_sluice_zone_ctx_t *zctx, ngx_http_sluice_res_snap_t *snap);


/* Azure-AsyncOperation, Location, Retry-After of an operation */
ngx_int_t ngx_http_sluice_res_lro_headers(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt,
    u_char *parent, u_char *name, u_char *op_id, ngx_uint_t pending);

/*
 * The same for any resource: Azure-AsyncOperation {base}/{op_collection}/
 * {op_id}, Location {base}/{path}/operationLocations/{op_id} (path: the
 * resource, "liveEvents/x"), Retry-After 1 while pending, else 0.
 */
ngx_int_t ngx_http_sluice_api_lro_headers(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, const char *op_collection,
    ngx_str_t *path, u_char *op_id, ngx_uint_t pending);


/*
 * The answer to a poll of operationLocations/{id} (ctx->op) in state
 * status: 202, 500, 204 after a delete, or 200 with res (the resource,
 * rendered by the caller when the operation succeeded).
 */
ngx_int_t ngx_http_sluice_res_op_result(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_uint_t status, ngx_uint_t kind,
    sluice_json_t *res);

/* the answer to a poll of {op_collection}/{id}; gone: failure message */
ngx_int_t ngx_http_sluice_res_op_status(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, u_char *id, ngx_uint_t status,
    const char *gone);

ngx_int_t ngx_http_sluice_res_send_err(ngx_http_request_t *r,
    ngx_http_sluice_res_err_t *err);
void ngx_http_sluice_res_fail(ngx_http_sluice_res_err_t *err,
    ngx_uint_t status, const char *code, const char *fmt, ...);

/* the action named name in actions (ending with an empty name), or NULL */
ngx_http_sluice_action_t *ngx_http_sluice_res_action(
    ngx_http_sluice_action_t *actions, ngx_str_t *name);

/*
 * May act start on a record in state, with op in flight (or NULL)?
 * NGX_OK, NGX_BUSY (an operation in progress), NGX_DONE (already
 * there), or NGX_ABORT (not from this state).  Mutex held.
 */
ngx_int_t ngx_http_sluice_res_action_check(ngx_http_sluice_action_t *act,
    ngx_sluice_op_t *op, ngx_uint_t state);

/* obj[name] = v; NGX_ERROR when v is NULL (no memory) */
ngx_int_t ngx_http_sluice_res_set(sluice_alloc_t *a, sluice_json_t *obj,
    const char *name, sluice_json_t *v);

/* doc as JSON text in pool; NGX_ERROR: no memory */
ngx_int_t ngx_http_sluice_res_json_text(ngx_pool_t *pool, sluice_json_t *doc,
    ngx_str_t *text);

/* RFC 7396 merge patch */
sluice_json_t *ngx_http_sluice_res_merge(sluice_alloc_t *a,
    sluice_json_t *target, sluice_json_t *patch);

/* "YYYY-MM-DD[THH:MM[:SS[.f*]]][Z|+HH:MM]" -> unix ms; NGX_ERROR if bad */
ngx_int_t ngx_http_sluice_parse_time(u_char *s, size_t len, int64_t *ms);

/* unix ms -> "YYYY-MM-DDTHH:MM:SS.fffZ" (json string) */
sluice_json_t *ngx_http_sluice_time_json(sluice_alloc_t *a, int64_t ms);


/* 36 characters of a new random UUID + NUL */
void ngx_http_sluice_new_uuid(u_char *id);

/*
 * Optional string member: copied into out[name] when present (max
 * length), error when not a string.  NGX_OK, NGX_DECLINED (err), or
 * NGX_ERROR.
 */
ngx_int_t ngx_http_sluice_res_opt_string(ngx_http_sluice_res_build_t *b,
    sluice_json_t *in, sluice_json_t *out, const char *name, size_t max);

/* a validation of a stored document doc (a file, a predefined one) */
void ngx_http_sluice_res_build_load(ngx_http_sluice_res_build_t *b,
    sluice_alloc_t *a, ngx_pool_t *pool, sluice_json_t *doc);

/*
 * The start of a build: *props, the required "properties" object of
 * b->in, *oldp those of b->old (or NULL), b->doc and *np new objects.
 * NGX_OK, NGX_DECLINED (err), or NGX_ERROR.
 */
ngx_int_t ngx_http_sluice_res_build_props(ngx_http_sluice_res_build_t *b,
    sluice_json_t **props, sluice_json_t **oldp, sluice_json_t **np);

/* np.created (and b->f.created_ms) from old properties, or now */
ngx_int_t ngx_http_sluice_res_created(ngx_http_sluice_res_build_t *b,
    sluice_json_t *oldp, sluice_json_t *np);

/* the created/lastModified pair from old (or now) */
ngx_int_t ngx_http_sluice_res_times(ngx_http_sluice_res_build_t *b,
    sluice_json_t *oldp, sluice_json_t *np, ngx_uint_t modified);


/* ngx_http_sluice_api_resource.c: assets, live outputs, policies, ... */

/*
 * Routes the collections other than live events (called by
 * ngx_http_sluice_api_route() with the path segments); NGX_DECLINED
 * when seg[8] is none of them.
 */
ngx_int_t ngx_http_sluice_api_route_resource(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_str_t *seg, ngx_uint_t n);
ngx_int_t ngx_http_sluice_resource_handler(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx);

/* fresh zone: predefined records; one stored file */
ngx_int_t ngx_http_sluice_res_preload(ngx_sluice_zone_ctx_t *zctx,
    ngx_pool_t *pool, ngx_log_t *log);
ngx_int_t ngx_http_sluice_res_load(ngx_sluice_zone_ctx_t *zctx,
    ngx_uint_t type, u_char *data, size_t len, ngx_pool_t *pool,
    ngx_log_t *log);

/* first start: the "default" streaming endpoint, saved */
ngx_int_t ngx_http_sluice_se_create_default(ngx_sluice_zone_ctx_t *zctx,
    ngx_pool_t *pool, ngx_log_t *log);


/* per type */

ngx_int_t ngx_http_sluice_sp_preload(ngx_sluice_zone_ctx_t *zctx,
    ngx_pool_t *pool, ngx_log_t *log);

/*
 * Adds the rule of cidr to acl, and its entry as stored to arr: name (nm,
 * when present), address (addr), subnetPrefixLength (plen, null if < 0).
 * NGX_ERROR: no memory.
 */
ngx_int_t ngx_http_sluice_res_acl_rule(sluice_alloc_t *a,
    ngx_sluice_ip_acl_t *acl, ngx_cidr_t *cidr, sluice_json_t *arr,
    sluice_json_t *nm, sluice_json_t *addr, int64_t plen);


#endif /* _NGX_HTTP_SLUICE_API_RESOURCE_H_INCLUDED_ */
