
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The validation of a resource document, as the type hooks of the
 * resource engine (ngx_http_sluice_api_resource.h) do it: the build
 * state, its errors, and the pieces most types share.
 */


#ifndef _NGX_HTTP_SLUICE_API_BUILD_H_INCLUDED_
#define _NGX_HTTP_SLUICE_API_BUILD_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api.h"
#include "core/ngx_sluice_resource.h"


/* type flags (ngx_http_sluice_rt_t.flags), also read by name checks */
#define NGX_HTTP_SLUICE_RT_PATCH        0x01  /* PATCH allowed */
#define NGX_HTTP_SLUICE_RT_LRO          0x02  /* create/delete are LROs */
#define NGX_HTTP_SLUICE_RT_TRACKED      0x04  /* location and tags */
#define NGX_HTTP_SLUICE_RT_IMMUTABLE    0x08  /* no update by PUT */
#define NGX_HTTP_SLUICE_RT_LIVE_NAME    0x10  /* letters, digits, inner - */
#define NGX_HTTP_SLUICE_RT_NAME_CURSOR  0x20  /* list: $skiptoken is a name */
#define NGX_HTTP_SLUICE_RT_LOAD_CHECK   0x40  /* check() when loading too */


#define NGX_HTTP_SLUICE_MAX_TAGS        50


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
    ngx_sluice_zone_ctx_t      *zctx;           /* lookups (lock it) */
    sluice_json_t              *in;
    sluice_json_t              *old;            /* stored doc, or NULL */
    ngx_str_t                   name;
    ngx_str_t                   parent;
    ngx_uint_t                  load;           /* from a file */

    sluice_json_t              *doc;            /* out: stored document */
    ngx_sluice_res_fields_t     f;              /* out: fixed fields */
    ngx_uint_t                  state;          /* out: initial state */
    void                       *data;           /* out: a type's own
                                                   fixed fields */

    ngx_http_sluice_res_err_t   err;
} ngx_http_sluice_res_build_t;


#define ngx_http_sluice_absent(v)                                            \
    ((v) == NULL || (v)->type == SLUICE_JSON_NULL)

/* in a validation: fail with 400 BadRequest and return NGX_DECLINED */
#define ngx_http_sluice_res_bad(err, ...)                                    \
    do {                                                                     \
        ngx_http_sluice_res_fail(err, NGX_HTTP_BAD_REQUEST, "BadRequest",    \
                                 __VA_ARGS__);                               \
        return NGX_DECLINED;                                                 \
    } while (0)

/* in a check: fail with status and code, and return NGX_DECLINED */
#define ngx_http_sluice_res_refuse(err, status, code, ...)                   \
    do {                                                                     \
        ngx_http_sluice_res_fail(err, status, code, __VA_ARGS__);           \
        return NGX_DECLINED;                                                 \
    } while (0)

/* in a validation: obj[key] = val, or return NGX_ERROR */
#define ngx_http_sluice_res_put_member(a, obj, key, val)                     \
    do {                                                                     \
        if (ngx_http_sluice_res_set(a, obj, key, val) != NGX_OK) {           \
            return NGX_ERROR;                                                \
        }                                                                    \
    } while (0)


/*
 * A resource name of 1 to max characters: letters, digits, '-', '_' and
 * inner '.'; with NGX_HTTP_SLUICE_RT_LIVE_NAME in flags letters, digits
 * and inner '-'.
 */
ngx_int_t ngx_http_sluice_res_name_valid(ngx_str_t *name, size_t max,
    ngx_uint_t flags);

ngx_int_t ngx_http_sluice_res_send_err(ngx_http_request_t *r,
    ngx_http_sluice_res_err_t *err);
void ngx_http_sluice_res_fail(ngx_http_sluice_res_err_t *err,
    ngx_uint_t status, const char *code, const char *fmt, ...);

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

/* provisioningState: InProgress while created, Deleting, Succeeded */
const char *ngx_http_sluice_res_provisioning(ngx_uint_t pending,
    ngx_uint_t op_kind, ngx_uint_t deleting);

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

/* build_props, then the optional properties.description */
ngx_int_t ngx_http_sluice_res_build_start(ngx_http_sluice_res_build_t *b,
    sluice_json_t **props, sluice_json_t **oldp, sluice_json_t **np);

/* the end of a build: created, lastModified, b->doc.properties = np */
ngx_int_t ngx_http_sluice_res_build_end(ngx_http_sluice_res_build_t *b,
    sluice_json_t *oldp, sluice_json_t *np);

/* np.created (and b->f.created_ms) from old properties, or now */
ngx_int_t ngx_http_sluice_res_created(ngx_http_sluice_res_build_t *b,
    sluice_json_t *oldp, sluice_json_t *np);

/* the created/lastModified pair from old (or now) */
ngx_int_t ngx_http_sluice_res_times(ngx_http_sluice_res_build_t *b,
    sluice_json_t *oldp, sluice_json_t *np, ngx_uint_t modified);

/*
 * doc.location (required, or kept from b->old) and doc.tags (at most
 * NGX_HTTP_SLUICE_MAX_TAGS strings) of a tracked resource.  NGX_OK,
 * NGX_DECLINED (b->err), or NGX_ERROR.
 */
ngx_int_t ngx_http_sluice_res_tracked(ngx_http_sluice_res_build_t *b,
    sluice_json_t *doc);

/*
 * An IP allow-list, {"allow":[{name, address, subnetPrefixLength}]}
 * (what: where it is, for messages) -> acl and *norm, the list as
 * stored; no list (ip or allow absent): everyone, *norm NULL.
 * NGX_OK, NGX_DECLINED (err), or NGX_ERROR.
 */
ngx_int_t ngx_http_sluice_res_ip_allow(sluice_alloc_t *a,
    ngx_http_sluice_res_err_t *err, sluice_json_t *ip, const char *what,
    ngx_sluice_ip_acl_t *acl, sluice_json_t **norm);


#endif /* _NGX_HTTP_SLUICE_API_BUILD_H_INCLUDED_ */
