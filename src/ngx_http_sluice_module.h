
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ngx_http_sluice_module: main configuration (zone, data path, REST API
 * settings) and the interfaces between its files:
 *
 *   ngx_http_sluice_module.c          directives, data directories
 *   ngx_sluice_zone.c                 zone init, lookups, operations,
 *                                     dirty-flag repair
 *   ngx_sluice_store.c                crash-safe files of API resources
 *   ngx_http_sluice_api.c             routing, auth, errors, bodies
 *   ngx_http_sluice_api_live_event.c  live events
 */


#ifndef _NGX_HTTP_SLUICE_MODULE_H_INCLUDED_
#define _NGX_HTTP_SLUICE_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_sluice.h"
#include "util/sluice_json.h"


#define NGX_HTTP_SLUICE_MAX_BODY      65536
#define NGX_HTTP_SLUICE_PAGE_SIZE     10
#define NGX_HTTP_SLUICE_MAX_OPS       256
#define NGX_HTTP_SLUICE_OP_TTL_MS     (3600 * 1000)


typedef struct {
    ngx_shm_zone_t             *shm_zone;
    ngx_str_t                   data_path;      /* absolute */
    ngx_str_t                   account;
    ngx_array_t                *api_keys;       /* of ngx_str_t */
    ngx_array_t                *ingest_urls;    /* of ngx_str_t */
    ngx_str_t                   preview_url;
    ngx_uint_t                  max_events;
    ngx_msec_t                  transition_time;
} ngx_http_sluice_main_conf_t;


extern ngx_module_t  ngx_http_sluice_module;


/* ngx_sluice_zone.c */

ngx_int_t ngx_sluice_init_zone(ngx_shm_zone_t *shm_zone, void *data);

/* brackets a multi-step change; repairs the zone if a writer died */
void ngx_sluice_zone_begin(ngx_sluice_shctx_t *sh, ngx_log_t *log);
void ngx_sluice_zone_end(ngx_sluice_shctx_t *sh);

/* a zeroed event with a new serial, not linked; NULL: no memory */
ngx_sluice_event_t *ngx_sluice_event_alloc(ngx_sluice_shctx_t *sh);
void ngx_sluice_event_free(ngx_sluice_shctx_t *sh, ngx_sluice_event_t *ev);

/* replaces ev->json with a slab copy of json */
ngx_int_t ngx_sluice_event_set_json(ngx_sluice_shctx_t *sh,
    ngx_sluice_event_t *ev, u_char *json, size_t len);

/* replaces *dst (slab memory or NULL) with a slab copy of json */
ngx_int_t ngx_sluice_zone_set_json(ngx_sluice_shctx_t *sh, u_char **dst,
    size_t *dst_len, u_char *json, size_t len);

/*
 * A new operation record (id, kind, target), in progress until delay_ms
 * from now, at the tail of ops (*nops of them): finished records are
 * freed when there are too many or no memory.  NULL: no memory.
 */
ngx_sluice_op_t *ngx_sluice_op_alloc(ngx_slab_pool_t *shpool,
    ngx_queue_t *ops, ngx_uint_t *nops, ngx_uint_t kind, ngx_uint_t target,
    ngx_msec_t delay_ms, u_char *id);

/* is the operation to be completed: no longer in progress, or due? */
ngx_uint_t ngx_sluice_op_due(ngx_sluice_op_t *op);

/*
 * Starts an operation on ev: ev->state becomes "state", and "target"
 * once delay_ms has passed (at once when 0).  NULL: no memory.
 */
ngx_sluice_op_t *ngx_sluice_op_start(ngx_sluice_shctx_t *sh,
    ngx_sluice_event_t *ev, ngx_uint_t kind, ngx_uint_t state,
    ngx_uint_t target, ngx_msec_t delay_ms, u_char *id);

/*
 * Tests of the dirty-flag repair (debug builds only): when the file
 * "{data}/.sluice-test-crash" exists, it is removed and the worker aborts
 * there, in the middle of a change, as a crashing worker would.
 */
#if (NGX_DEBUG)
void ngx_sluice_test_crash_point(ngx_str_t *data_path);
#else
#define ngx_sluice_test_crash_point(data_path)
#endif

/* the operation record with this id; settles its event first */
ngx_sluice_op_t *ngx_sluice_op_find(ngx_sluice_shctx_t *sh, u_char *id,
    size_t len);


/* ngx_sluice_store.c */

ngx_int_t ngx_sluice_store_init_dirs(ngx_cycle_t *cycle, ngx_str_t *path);

/* the owner of data directories: nginx's user when run as root */
ngx_uid_t ngx_sluice_dir_user(ngx_cycle_t *cycle);

/* creates path (NGX_OK) or finds it (NGX_DECLINED), owned by user */
ngx_int_t ngx_sluice_mkdir(ngx_cycle_t *cycle, u_char *path, ngx_uid_t user);

/* writes a temporary file with json; *tmp gets its NUL-terminated path */
ngx_int_t ngx_sluice_store_write(ngx_pool_t *pool, ngx_log_t *log,
    ngx_str_t *data_path, u_char *name, ngx_str_t *json, ngx_str_t *tmp);

/* renames tmp over the resource file of name (or removes tmp) */
ngx_int_t ngx_sluice_store_commit(ngx_pool_t *pool, ngx_log_t *log,
    ngx_str_t *data_path, u_char *name, ngx_str_t *tmp);
void ngx_sluice_store_discard(ngx_log_t *log, ngx_str_t *tmp);

ngx_int_t ngx_sluice_store_remove(ngx_pool_t *pool, ngx_log_t *log,
    ngx_str_t *data_path, u_char *name);

/* loads every resource file into a fresh zone */
ngx_int_t ngx_sluice_store_load(ngx_sluice_zone_ctx_t *ctx, ngx_log_t *log);

/* files of the API: one implementation for live events and resources */

typedef ngx_int_t (*ngx_sluice_file_load_pt)(ngx_sluice_zone_ctx_t *zctx,
    ngx_uint_t type, u_char *path, ngx_pool_t *pool, ngx_log_t *log);

/* writes content to a new file at path; path removed on failure */
ngx_int_t ngx_sluice_file_write(ngx_log_t *log, u_char *path,
    ngx_str_t *content);

/* renames from to to; logs a failure, from stays */
ngx_int_t ngx_sluice_file_rename(ngx_log_t *log, u_char *from, u_char *to);

/* a whole file of at most max bytes: NGX_OK, NGX_DECLINED (logged), or
 * NGX_ERROR */
ngx_int_t ngx_sluice_file_read(ngx_pool_t *pool, ngx_log_t *log,
    u_char *path, size_t max, ngx_str_t *content);

/*
 * Calls load for each "*.json" file of dirname (NUL-terminated) and
 * removes the ".*.tmp" files of changes never committed.  A missing
 * directory is empty.
 */
ngx_int_t ngx_sluice_dir_load(ngx_sluice_zone_ctx_t *zctx, ngx_uint_t type,
    ngx_str_t *dirname, ngx_sluice_file_load_pt load, ngx_pool_t *pool,
    ngx_log_t *log);


/* ngx_http_sluice_api.c */

typedef enum {
    NGX_HTTP_SLUICE_R_LIST = 0,     /* .../liveEvents */
    NGX_HTTP_SLUICE_R_EVENT,        /* .../liveEvents/{name} */
    NGX_HTTP_SLUICE_R_ACTION,       /* .../liveEvents/{name}/{action} */
    NGX_HTTP_SLUICE_R_OPLOC,        /* .../{name}/operationLocations/{id} */
    NGX_HTTP_SLUICE_R_ASYNCOP       /* .../liveEventOperations/{id} */
} ngx_http_sluice_route_e;


typedef struct {
    ngx_uint_t                  route;          /* ngx_http_sluice_route_e */
    ngx_str_t                   subscription;
    ngx_str_t                   group;
    ngx_str_t                   account;
    ngx_str_t                   name;
    ngx_str_t                   action;
    ngx_str_t                   op;
    ngx_str_t                   api_version;

    /* 0: live events; else ngx_sluice_res_type_e + 1 (resource.c) */
    ngx_uint_t                  resource;
    ngx_str_t                   parent;         /* live event of outputs */

    /* "{scheme}://{host}/subscriptions/.../mediaservices/{account}" */
    ngx_str_t                   base;

    sluice_alloc_t              alloc;          /* from r->pool */
    sluice_json_t              *body;           /* parsed, or NULL */
    ngx_http_sluice_main_conf_t *conf;
} ngx_http_sluice_api_ctx_t;


ngx_int_t ngx_http_sluice_api_handler(ngx_http_request_t *r);

/* sends {"error":{"code","message"}} with status; returns for the handler */
ngx_int_t ngx_http_sluice_api_error(ngx_http_request_t *r,
    ngx_uint_t status, const char *code, const char *fmt, ...);

/* sends body (NULL: no body) with status */
ngx_int_t ngx_http_sluice_api_send(ngx_http_request_t *r, ngx_uint_t status,
    sluice_json_t *body);

ngx_int_t ngx_http_sluice_api_add_header(ngx_http_request_t *r,
    const char *key, ngx_str_t *value);

#define ngx_http_sluice_seg_is(s, lit)                                       \
    ((s)->len == sizeof(lit) - 1                                             \
     && ngx_strncasecmp((s)->data, (u_char *) lit, sizeof(lit) - 1) == 0)

#define NGX_HTTP_SLUICE_ROUTE_ACTION  0x01
#define NGX_HTTP_SLUICE_ROUTE_OPLOC   0x02

/*
 * The route of the n segments after a collection: its list, {name},
 * {name}/{action} and {name}/operationLocations/{id} as flags allow.
 * NGX_OK, or NGX_DECLINED (no route).
 */
ngx_int_t ngx_http_sluice_api_route_item(ngx_http_sluice_api_ctx_t *ctx,
    ngx_str_t *seg, ngx_uint_t n, ngx_uint_t flags);

/* fills buf with n random bytes */
void ngx_http_sluice_random(u_char *buf, size_t n);

/* a sluice_alloc_t allocating from pool */
void ngx_http_sluice_pool_alloc(sluice_alloc_t *a, ngx_pool_t *pool);


/* ngx_http_sluice_api_live_event.c */

ngx_int_t ngx_http_sluice_live_event_handler(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx);

/* makes an event of a stored document (startup); NGX_DECLINED: invalid */
ngx_int_t ngx_http_sluice_live_event_load(ngx_sluice_zone_ctx_t *zctx,
    u_char *data, size_t len, ngx_pool_t *pool, ngx_log_t *log);


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


#endif /* _NGX_HTTP_SLUICE_MODULE_H_INCLUDED_ */
