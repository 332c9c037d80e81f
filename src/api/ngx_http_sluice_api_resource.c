
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The generic ARM CRUD path for assets, live outputs, streaming policies,
 * streaming locators and streaming endpoints: routing, list ($filter,
 * $orderby, $top, $skiptoken / @odata.nextLink), GET, PUT (201 create,
 * 200 update), PATCH, DELETE, the long-running operation resources, the
 * files and their loading.  Per-type rules are hooks
 * (ngx_http_sluice_api_resource.h).
 *
 * A file holds {"sluice":{meta},"resource":{stored document}}; meta has
 * the name, the parent, the state (when the operation in flight is
 * done) and, for assets, the live output that recorded it.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_resource.h"
#include "util/sluice_iso8601.h"
#include "util/sluice_uuid.h"


static ngx_int_t ngx_http_sluice_res_retry_after(ngx_http_request_t *r,
    ngx_uint_t pending);
static sluice_json_t *ngx_http_sluice_res_render(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_res_snap_t *snap);
static void ngx_http_sluice_res_persist_name(ngx_pool_t *pool, ngx_log_t *log,
    ngx_sluice_zone_ctx_t *zctx, ngx_uint_t type, u_char *parent,
    u_char *name);
static sluice_json_t *ngx_http_sluice_now_json(sluice_alloc_t *a);


#define NGX_HTTP_SLUICE_RES_PAGE  NGX_HTTP_SLUICE_PAGE_SIZE


typedef struct {
    ngx_str_t                   field;
    ngx_uint_t                  op;             /* eq ne gt ge lt le */
    ngx_str_t                   value;
    int64_t                     ms;
    ngx_uint_t                  is_time;
} ngx_http_sluice_res_clause_t;


static ngx_int_t ngx_http_sluice_res_list(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt);
static ngx_int_t ngx_http_sluice_res_get(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt);
static ngx_int_t ngx_http_sluice_res_put(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt,
    ngx_uint_t patch);
static ngx_int_t ngx_http_sluice_res_delete(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt);
static ngx_int_t ngx_http_sluice_res_oploc(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt);
static ngx_int_t ngx_http_sluice_res_asyncop(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt);


static ngx_http_sluice_rt_t  *ngx_http_sluice_res_types[] = {
    &ngx_http_sluice_rt_asset,
    &ngx_http_sluice_rt_live_output,
    &ngx_http_sluice_rt_streaming_policy,
    &ngx_http_sluice_rt_streaming_locator,
    &ngx_http_sluice_rt_streaming_endpoint
};


#define ngx_http_sluice_res_name_ok(rt, name)                                \
    ngx_http_sluice_res_name_valid(name, (rt)->name_max, (rt)->flags)


/* --- routing ------------------------------------------------------------- */

ngx_int_t
ngx_http_sluice_api_route_resource(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_str_t *seg, ngx_uint_t n)
{
    ngx_uint_t             i, flags;
    ngx_http_sluice_rt_t  *rt;

    if (ngx_http_sluice_seg_is(&seg[8], "liveEvents")) {
        if (n < 11 || !ngx_http_sluice_seg_is(&seg[10], "liveOutputs")) {
            return NGX_DECLINED;
        }

        ctx->resource = NGX_SLUICE_RES_LIVE_OUTPUT + 1;
        ctx->parent = seg[9];

        if (ngx_http_sluice_api_route_item(ctx, &seg[11], n - 11,
                                           NGX_HTTP_SLUICE_ROUTE_OPLOC)
            == NGX_OK)
        {
            return NGX_OK;
        }

        goto not_found;
    }

    for (i = 0; i < NGX_SLUICE_RES_NTYPES; i++) {
        rt = ngx_http_sluice_res_types[i];

        if (rt->op_collection
            && seg[8].len == ngx_strlen(rt->op_collection)
            && ngx_strncasecmp(seg[8].data, (u_char *) rt->op_collection,
                               seg[8].len) == 0)
        {
            if (n != 10) {
                goto not_found;
            }

            ctx->resource = i + 1;
            ctx->route = NGX_HTTP_SLUICE_R_ASYNCOP;
            ctx->op = seg[9];
            return NGX_OK;
        }

        if (i == NGX_SLUICE_RES_LIVE_OUTPUT
            || seg[8].len != ngx_strlen(rt->collection)
            || ngx_strncasecmp(seg[8].data, (u_char *) rt->collection,
                               seg[8].len) != 0)
        {
            continue;
        }

        ctx->resource = i + 1;

        flags = NGX_HTTP_SLUICE_ROUTE_ACTION;

        if (rt->flags & NGX_HTTP_SLUICE_RT_LRO) {
            flags |= NGX_HTTP_SLUICE_ROUTE_OPLOC;
        }

        if (ngx_http_sluice_api_route_item(ctx, &seg[9], n - 9, flags)
            == NGX_OK)
        {
            return NGX_OK;
        }

        goto not_found;
    }

    return NGX_DECLINED;

not_found:

    return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                                     "No route matches the request path.");
}


ngx_int_t
ngx_http_sluice_resource_handler(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    ngx_http_sluice_rt_t  *rt;

    rt = ngx_http_sluice_res_types[ctx->resource - 1];

    if (ctx->parent.len) {
        if (ctx->parent.len > NGX_SLUICE_NAME_LEN) {
            return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                       "InvalidResourceName",
                       "The live event name '%V' is invalid.", &ctx->parent);
        }
    }

    if (ctx->name.len && !ngx_http_sluice_res_name_ok(rt, &ctx->name)) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                   "InvalidResourceName",
                   "The %s name '%V' is invalid: 1 to %uz %s are allowed.",
                   rt->what, &ctx->name, rt->name_max,
                   (rt->flags & NGX_HTTP_SLUICE_RT_LIVE_NAME)
                   ? "letters, digits and inner hyphens"
                   : "letters, digits, '-', '_' and '.' (not first)");
    }

    switch (ctx->route) {

    case NGX_HTTP_SLUICE_R_LIST:
        if (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)) {
            return ngx_http_sluice_res_list(r, ctx, rt);
        }

        break;

    case NGX_HTTP_SLUICE_R_EVENT:
        switch (r->method) {
        case NGX_HTTP_GET:
        case NGX_HTTP_HEAD:
            return ngx_http_sluice_res_get(r, ctx, rt);
        case NGX_HTTP_PUT:
            return ngx_http_sluice_res_put(r, ctx, rt, 0);
        case NGX_HTTP_PATCH:
            if (rt->flags & NGX_HTTP_SLUICE_RT_PATCH) {
                return ngx_http_sluice_res_put(r, ctx, rt, 1);
            }
            break;
        case NGX_HTTP_DELETE:
            return ngx_http_sluice_res_delete(r, ctx, rt);
        }

        break;

    case NGX_HTTP_SLUICE_R_ACTION:
        if (r->method == NGX_HTTP_POST) {
            if (rt->action) {
                return rt->action(r, ctx);
            }

            return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND,
                       "NotFound", "Unknown %s action '%V'.", rt->what,
                       &ctx->action);
        }

        break;

    case NGX_HTTP_SLUICE_R_OPLOC:
        if (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)) {
            return ngx_http_sluice_res_oploc(r, ctx, rt);
        }

        break;

    case NGX_HTTP_SLUICE_R_ASYNCOP:
        if (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)) {
            return ngx_http_sluice_res_asyncop(r, ctx, rt);
        }

        break;
    }

    return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_ALLOWED,
                                     "MethodNotAllowed",
                                     "The HTTP method '%V' is not allowed "
                                     "on this resource.", &r->method_name);
}


ngx_int_t
ngx_http_sluice_res_name_valid(ngx_str_t *name, size_t max, ngx_uint_t flags)
{
    u_char      c;
    ngx_uint_t  i;

    if (name->len == 0 || name->len > max) {
        return 0;
    }

    for (i = 0; i < name->len; i++) {
        c = name->data[i];

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
            || (c >= '0' && c <= '9'))
        {
            continue;
        }

        if (flags & NGX_HTTP_SLUICE_RT_LIVE_NAME) {
            if (c == '-' && i != 0 && i != name->len - 1) {
                continue;
            }

            return 0;
        }

        if (c == '-' || c == '_' || (c == '.' && i != 0)) {
            continue;
        }

        return 0;
    }

    return 1;
}


/* --- helpers ------------------------------------------------------------- */

void
ngx_http_sluice_res_fail(ngx_http_sluice_res_err_t *err, ngx_uint_t status,
    const char *code, const char *fmt, ...)
{
    va_list  args;

    err->status = status;
    err->code = code;

    va_start(args, fmt);
    err->len = ngx_vslprintf(err->msg, err->msg + sizeof(err->msg), fmt, args)
               - err->msg;
    va_end(args);
}


ngx_int_t
ngx_http_sluice_res_send_err(ngx_http_request_t *r,
    ngx_http_sluice_res_err_t *err)
{
    return ngx_http_sluice_api_error(r, err->status, err->code, "%*s",
                                     err->len, err->msg);
}


ngx_int_t
ngx_http_sluice_res_set(sluice_alloc_t *a, sluice_json_t *obj,
    const char *name, sluice_json_t *v)
{
    if (v == NULL || sluice_json_set(a, obj, name, v) != SLUICE_OK) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


sluice_json_t *
ngx_http_sluice_res_merge(sluice_alloc_t *a, sluice_json_t *target,
    sluice_json_t *patch)
{
    char            name[256];
    sluice_json_t  *res, *m, *t, *v;

    if (patch->type != SLUICE_JSON_OBJECT) {
        return sluice_json_copy(a, patch);
    }

    if (target == NULL || target->type != SLUICE_JSON_OBJECT) {
        res = sluice_json_new(a, SLUICE_JSON_OBJECT);

    } else {
        res = sluice_json_copy(a, target);
    }

    if (res == NULL) {
        return NULL;
    }

    for (m = patch->child; m; m = m->next) {
        if (m->key.len >= sizeof(name)) {
            continue;
        }

        ngx_memcpy(name, m->key.data, m->key.len);
        name[m->key.len] = '\0';

        if (m->type == SLUICE_JSON_NULL) {
            sluice_json_remove(res, name);
            continue;
        }

        t = sluice_json_get(res, name);

        v = ngx_http_sluice_res_merge(a, t, m);
        if (v == NULL || sluice_json_set(a, res, name, v) != SLUICE_OK) {
            return NULL;
        }
    }

    return res;
}


static ngx_int_t
ngx_http_sluice_res_digits(u_char **pp, u_char *last, ngx_uint_t n,
    ngx_int_t *v)
{
    u_char  *p;

    p = *pp;
    *v = 0;

    if (last - p < (ssize_t) n) {
        return NGX_ERROR;
    }

    while (n--) {
        if (*p < '0' || *p > '9') {
            return NGX_ERROR;
        }

        *v = *v * 10 + (*p++ - '0');
    }

    *pp = p;

    return NGX_OK;
}


/* days since 1970-01-01 of a proleptic Gregorian date */

static int64_t
ngx_http_sluice_days(int64_t y, int64_t m, int64_t d)
{
    int64_t  era, yoe, doy, doe;

    y -= (m <= 2);
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}


ngx_int_t
ngx_http_sluice_parse_time(u_char *s, size_t len, int64_t *ms)
{
    u_char     *p, *last;
    int64_t     t, frac, scale;
    ngx_int_t   y, mo, d, h, mi, sec, oh, om, sign;

    p = s;
    last = s + len;
    h = mi = sec = 0;
    frac = 0;

    if (ngx_http_sluice_res_digits(&p, last, 4, &y) != NGX_OK
        || p == last || *p++ != '-'
        || ngx_http_sluice_res_digits(&p, last, 2, &mo) != NGX_OK
        || p == last || *p++ != '-'
        || ngx_http_sluice_res_digits(&p, last, 2, &d) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (mo < 1 || mo > 12 || d < 1 || d > 31) {
        return NGX_ERROR;
    }

    if (p < last && (*p == 'T' || *p == 't' || *p == ' ')) {
        p++;

        if (ngx_http_sluice_res_digits(&p, last, 2, &h) != NGX_OK
            || p == last || *p++ != ':'
            || ngx_http_sluice_res_digits(&p, last, 2, &mi) != NGX_OK)
        {
            return NGX_ERROR;
        }

        if (p < last && *p == ':') {
            p++;

            if (ngx_http_sluice_res_digits(&p, last, 2, &sec) != NGX_OK) {
                return NGX_ERROR;
            }

            if (p < last && *p == '.') {
                p++;
                scale = 100;

                if (p == last || *p < '0' || *p > '9') {
                    return NGX_ERROR;
                }

                while (p < last && *p >= '0' && *p <= '9') {
                    frac += (*p++ - '0') * scale;
                    scale /= 10;
                }
            }
        }

        if (h > 23 || mi > 59 || sec > 60) {
            return NGX_ERROR;
        }
    }

    t = (ngx_http_sluice_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec)
        * 1000 + frac;

    if (p < last && (*p == 'Z' || *p == 'z')) {
        p++;

    } else if (p < last && (*p == '+' || *p == '-')) {
        sign = (*p++ == '-') ? -1 : 1;

        if (ngx_http_sluice_res_digits(&p, last, 2, &oh) != NGX_OK) {
            return NGX_ERROR;
        }

        if (p < last && *p == ':') {
            p++;
        }

        if (ngx_http_sluice_res_digits(&p, last, 2, &om) != NGX_OK
            || oh > 23 || om > 59)
        {
            return NGX_ERROR;
        }

        t -= sign * (oh * 3600 + om * 60) * 1000;
    }

    if (p != last) {
        return NGX_ERROR;
    }

    *ms = t;

    return NGX_OK;
}


sluice_json_t *
ngx_http_sluice_time_json(sluice_alloc_t *a, int64_t ms)
{
    char    buf[SLUICE_ISO8601_TIME_LEN];
    size_t  n;

    if (ms < 0) {
        ms = 0;
    }

    n = sluice_iso8601_time_format(ms / 1000, (unsigned) (ms % 1000), buf);

    return sluice_json_new_string(a, (uint8_t *) buf, n);
}


static sluice_json_t *
ngx_http_sluice_now_json(sluice_alloc_t *a)
{
    return ngx_http_sluice_time_json(a, (int64_t) ngx_sluice_now_ms());
}


void
ngx_http_sluice_new_uuid(u_char *id)
{
    u_char  rnd[16];

    ngx_http_sluice_random(rnd, sizeof(rnd));
    sluice_uuid_format(rnd, (char *) id);
    id[NGX_SLUICE_ID_LEN] = '\0';
}


ngx_int_t
ngx_http_sluice_res_opt_string(ngx_http_sluice_res_build_t *b,
    sluice_json_t *in, sluice_json_t *out, const char *name, size_t max)
{
    sluice_json_t  *v;

    v = sluice_json_get(in, name);

    if (ngx_http_sluice_absent(v)) {
        return NGX_OK;
    }

    if (v->type != SLUICE_JSON_STRING || v->str.len > max) {
        ngx_http_sluice_res_fail(&b->err, NGX_HTTP_BAD_REQUEST, "BadRequest",
                                 "properties.%s must be a string of at most "
                                 "%uz characters.", name, max);
        return NGX_DECLINED;
    }

    return ngx_http_sluice_res_set(b->a, out, name,
                                   sluice_json_new_string(b->a, v->str.data,
                                                          v->str.len));
}


/*
 * created: kept from the old document (or now); lastModified: now when
 * modified, else kept.  f.created_ms follows created.
 */

void
ngx_http_sluice_res_build_load(ngx_http_sluice_res_build_t *b,
    sluice_alloc_t *a, ngx_pool_t *pool, sluice_json_t *doc)
{
    ngx_memzero(b, sizeof(ngx_http_sluice_res_build_t));

    b->a = a;
    b->pool = pool;
    b->in = doc;
    b->old = doc;
    b->load = 1;
}


ngx_int_t
ngx_http_sluice_res_build_props(ngx_http_sluice_res_build_t *b,
    sluice_json_t **props, sluice_json_t **oldp, sluice_json_t **np)
{
    *props = sluice_json_get(b->in, "properties");

    if (*props == NULL || (*props)->type != SLUICE_JSON_OBJECT) {
        ngx_http_sluice_res_bad(&b->err, "properties is required and must "
                                "be an object.");
    }

    *oldp = sluice_json_get(b->old, "properties");

    b->doc = sluice_json_new(b->a, SLUICE_JSON_OBJECT);
    *np = sluice_json_new(b->a, SLUICE_JSON_OBJECT);
    if (b->doc == NULL || *np == NULL) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_sluice_res_created(ngx_http_sluice_res_build_t *b,
    sluice_json_t *oldp, sluice_json_t *np)
{
    sluice_json_t  *v;

    v = sluice_json_get(oldp, "created");

    if (v && v->type == SLUICE_JSON_STRING
        && ngx_http_sluice_parse_time((u_char *) v->str.data, v->str.len,
                                      (int64_t *) &b->f.created_ms)
           == NGX_OK)
    {
        v = sluice_json_copy(b->a, v);

    } else {
        b->f.created_ms = ngx_sluice_now_ms();
        v = ngx_http_sluice_time_json(b->a, b->f.created_ms);
    }

    return ngx_http_sluice_res_set(b->a, np, "created", v);
}


ngx_int_t
ngx_http_sluice_res_times(ngx_http_sluice_res_build_t *b,
    sluice_json_t *oldp, sluice_json_t *np, ngx_uint_t modified)
{
    int64_t         ms;
    sluice_json_t  *v, *now;

    now = ngx_http_sluice_now_json(b->a);
    if (now == NULL) {
        return NGX_ERROR;
    }

    v = sluice_json_get(oldp, "created");

    if (v && v->type == SLUICE_JSON_STRING
        && ngx_http_sluice_parse_time((u_char *) v->str.data, v->str.len, &ms)
           == NGX_OK)
    {
        b->f.created_ms = ms;
        v = sluice_json_copy(b->a, v);

    } else {
        b->f.created_ms = ngx_sluice_now_ms();
        v = sluice_json_copy(b->a, now);
    }

    if (ngx_http_sluice_res_set(b->a, np, "created", v) != NGX_OK) {
        return NGX_ERROR;
    }

    v = sluice_json_get(oldp, "lastModified");

    if (modified || v == NULL || v->type != SLUICE_JSON_STRING) {
        v = now;
    }

    return ngx_http_sluice_res_set(b->a, np, "lastModified",
                                   sluice_json_copy(b->a, v));
}


ngx_int_t
ngx_http_sluice_res_acl_rule(sluice_alloc_t *a, ngx_sluice_ip_acl_t *acl,
    ngx_cidr_t *cidr, sluice_json_t *arr, sluice_json_t *nm,
    sluice_json_t *addr, int64_t plen)
{
    sluice_json_t         *ne;
    ngx_sluice_ip_rule_t  *rule;

    rule = &acl->rules[acl->nrules++];
    rule->family = cidr->family;

#if (NGX_HAVE_INET6)
    if (cidr->family == AF_INET6) {
        ngx_memcpy(rule->addr, cidr->u.in6.addr.s6_addr, 16);
        ngx_memcpy(rule->mask, cidr->u.in6.mask.s6_addr, 16);

    } else
#endif
    {
        ngx_memcpy(rule->addr, &cidr->u.in.addr, 4);
        ngx_memcpy(rule->mask, &cidr->u.in.mask, 4);
    }

    ne = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (ne == NULL) {
        return NGX_ERROR;
    }

    if (!ngx_http_sluice_absent(nm)) {
        ngx_http_sluice_res_put_member(a, ne, "name",
            sluice_json_new_string(a, nm->str.data, nm->str.len));
    }

    ngx_http_sluice_res_put_member(a, ne, "address",
        sluice_json_new_string(a, addr->str.data, addr->str.len));
    ngx_http_sluice_res_put_member(a, ne, "subnetPrefixLength",
        plen < 0 ? sluice_json_new(a, SLUICE_JSON_NULL)
                 : sluice_json_new_int(a, plen));

    sluice_json_append(arr, ne);

    return NGX_OK;
}


ngx_int_t
ngx_http_sluice_res_json_text(ngx_pool_t *pool, sluice_json_t *doc,
    ngx_str_t *text)
{
    text->len = sluice_json_write(doc, NULL);

    text->data = ngx_pnalloc(pool, text->len);
    if (text->data == NULL) {
        return NGX_ERROR;
    }

    sluice_json_write(doc, text->data);

    return NGX_OK;
}


const char *
ngx_http_sluice_res_provisioning(ngx_uint_t pending, ngx_uint_t op_kind,
    ngx_uint_t deleting)
{
    if (pending && op_kind == NGX_SLUICE_OP_CREATE) {
        return "InProgress";
    }

    return deleting ? "Deleting" : "Succeeded";
}


/* --- snapshots and rendering --------------------------------------------- */

ngx_int_t
ngx_http_sluice_res_snap(ngx_pool_t *pool, ngx_sluice_res_t *res,
    ngx_http_sluice_res_snap_t *snap)
{
    snap->json.data = ngx_pnalloc(pool, res->json_len);
    if (snap->json.data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(snap->json.data, res->json, res->json_len);
    snap->json.len = res->json_len;
    snap->doc = NULL;

    snap->type = res->type;
    ngx_memcpy(snap->parent, res->parent, sizeof(snap->parent));
    ngx_memcpy(snap->name, res->name, sizeof(snap->name));
    snap->state = res->state;
    snap->pending = (res->op != NULL);
    snap->final = res->op ? res->op->target : res->state;
    snap->op_kind = res->op ? res->op->kind : 0;
    snap->f = res->f;
    snap->serial = res->serial;
    snap->version = res->version;

    return NGX_OK;
}


sluice_json_t *
ngx_http_sluice_res_doc(sluice_alloc_t *a, ngx_http_sluice_res_snap_t *snap)
{
    if (snap->doc == NULL
        && sluice_json_parse(a, snap->json.data, snap->json.len, &snap->doc,
                             NULL, NULL)
           != SLUICE_OK)
    {
        snap->doc = NULL;
    }

    return snap->doc;
}


static sluice_json_t *
ngx_http_sluice_res_render(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_res_snap_t *snap)
{
    u_char                *id, *p;
    size_t                 len;
    sluice_json_t         *doc, *res, *props, *v;
    sluice_alloc_t        *a;
    ngx_http_sluice_rt_t  *rt;

    a = &ctx->alloc;
    rt = ngx_http_sluice_res_types[snap->type];

    doc = ngx_http_sluice_res_doc(a, snap);
    if (doc == NULL) {
        return NULL;
    }

    props = sluice_json_get(doc, "properties");
    props = props ? sluice_json_copy(a, props)
                  : sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (props == NULL) {
        return NULL;
    }

    len = sizeof("/subscriptions//resourceGroups//providers/Microsoft.Media"
                 "/mediaservices///liveevents//") - 1
          + ctx->subscription.len + ctx->group.len + ctx->account.len
          + ngx_strlen(rt->id_segment) + NGX_SLUICE_NAME_LEN
          + NGX_SLUICE_RES_NAME_LEN;

    id = ngx_pnalloc(r->pool, len);
    if (id == NULL) {
        return NULL;
    }

    p = ngx_sprintf(id, "/subscriptions/%V/resourceGroups/%V/providers/"
                    "Microsoft.Media/mediaservices/%V/", &ctx->subscription,
                    &ctx->group, &ctx->account);

    if (snap->parent[0]) {
        p = ngx_sprintf(p, "liveevents/%s/", snap->parent);
    }

    p = ngx_sprintf(p, "%s/%s", rt->id_segment, snap->name);

    res = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (res == NULL) {
        return NULL;
    }

    if (ngx_http_sluice_res_set(a, res, "name",
                                sluice_json_new_cstring(a,
                                                   (char *) snap->name))
        || ngx_http_sluice_res_set(a, res, "id",
                                   sluice_json_new_string(a, id, p - id))
        || ngx_http_sluice_res_set(a, res, "type",
                                   sluice_json_new_cstring(a, rt->arm_type)))
    {
        return NULL;
    }

    if (rt->flags & NGX_HTTP_SLUICE_RT_TRACKED) {
        v = sluice_json_get(doc, "location");

        if (ngx_http_sluice_res_set(a, res, "location",
                                    v ? sluice_json_copy(a, v)
                                      : sluice_json_new_cstring(a, "local")))
        {
            return NULL;
        }

        v = sluice_json_get(doc, "tags");

        if (ngx_http_sluice_res_set(a, res, "tags",
                                    v ? sluice_json_copy(a, v)
                                      : sluice_json_new(a,
                                                        SLUICE_JSON_OBJECT)))
        {
            return NULL;
        }
    }

    if (rt->render && rt->render(r, ctx, snap, res, props) != NGX_OK) {
        return NULL;
    }

    if (ngx_http_sluice_res_set(a, res, "properties", props) != NGX_OK) {
        return NULL;
    }

    return res;
}


/* --- persistence --------------------------------------------------------- */

void
ngx_http_sluice_res_persist(ngx_pool_t *pool, ngx_log_t *log,
    ngx_sluice_zone_ctx_t *zctx, ngx_http_sluice_res_snap_t *snap)
{
    u_char            *p;
    ngx_str_t          content, tmp;
    ngx_sluice_res_t  *res, key;

    if (snap->f.builtin) {
        return;
    }

    content.len = sizeof("{\"sluice\":{\"name\":,\"parent\":,\"state\":,"
                         "\"fpts\":,\"manifest\":,\"event\":},"
                         "\"resource\":}") - 1
                  + NGX_INT_T_LEN
                  + sluice_json_write_string(snap->name,
                                             ngx_strlen(snap->name), NULL)
                  + sluice_json_write_string(snap->parent,
                                             ngx_strlen(snap->parent), NULL)
                  + NGX_INT_T_LEN
                  + sluice_json_write_string(snap->f.manifest,
                                             ngx_strlen(snap->f.manifest),
                                             NULL)
                  + sluice_json_write_string(snap->f.event,
                                             ngx_strlen(snap->f.event), NULL)
                  + snap->json.len;

    content.data = ngx_pnalloc(pool, content.len);
    if (content.data == NULL) {
        return;
    }

    p = ngx_cpymem(content.data, "{\"sluice\":{\"name\":",
                   sizeof("{\"sluice\":{\"name\":") - 1);
    p += sluice_json_write_string(snap->name, ngx_strlen(snap->name), p);
    p = ngx_cpymem(p, ",\"parent\":", sizeof(",\"parent\":") - 1);
    p += sluice_json_write_string(snap->parent, ngx_strlen(snap->parent), p);
    p = ngx_sprintf(p, ",\"state\":%ui,\"fpts\":%ui,\"manifest\":",
                    snap->final, snap->f.fragments_per_ts);
    p += sluice_json_write_string(snap->f.manifest,
                                  ngx_strlen(snap->f.manifest), p);
    p = ngx_cpymem(p, ",\"event\":", sizeof(",\"event\":") - 1);
    p += sluice_json_write_string(snap->f.event, ngx_strlen(snap->f.event),
                                  p);
    p = ngx_cpymem(p, "},\"resource\":", sizeof("},\"resource\":") - 1);
    p = ngx_cpymem(p, snap->json.data, snap->json.len);
    *p++ = '}';

    content.len = p - content.data;

    /* the file names of a record only need type, parent and name */

    key.type = snap->type;
    ngx_memcpy(key.parent, snap->parent, sizeof(key.parent));
    ngx_memcpy(key.name, snap->name, sizeof(key.name));

    if (ngx_sluice_res_write(pool, log, &zctx->data_path, &key, &content,
                             &tmp)
        != NGX_OK)
    {
        return;
    }

    ngx_shmtx_lock(&zctx->shpool->mutex);

    res = ngx_sluice_res_find(zctx->sh, snap->type,
                              snap->parent[0] ? snap->parent : NULL,
                              snap->name, ngx_strlen(snap->name));

    if (res && res->serial == snap->serial && res->persisted < snap->version
        && !(res->op && res->op->kind == NGX_SLUICE_OP_DELETE))
    {
        if (ngx_sluice_res_commit(pool, log, &zctx->data_path, res, &tmp)
            == NGX_OK)
        {
            res->persisted = snap->version;
        }

    } else {
        (void) ngx_delete_file(tmp.data);
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);
}


static void
ngx_http_sluice_res_persist_name(ngx_pool_t *pool, ngx_log_t *log,
    ngx_sluice_zone_ctx_t *zctx, ngx_uint_t type, u_char *parent,
    u_char *name)
{
    ngx_int_t                    rc;
    ngx_sluice_res_t            *res;
    ngx_http_sluice_res_snap_t   snap;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    res = ngx_sluice_res_find(zctx->sh, type, parent, name,
                              ngx_strlen(name));

    rc = res ? ngx_http_sluice_res_snap(pool, res, &snap) : NGX_DECLINED;

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (rc == NGX_OK) {
        ngx_http_sluice_res_persist(pool, log, zctx, &snap);
    }
}


/* --- loading ------------------------------------------------------------- */

ngx_int_t
ngx_http_sluice_res_preload(ngx_sluice_zone_ctx_t *zctx, ngx_pool_t *pool,
    ngx_log_t *log)
{
    return ngx_http_sluice_sp_preload(zctx, pool, log);
}


ngx_int_t
ngx_http_sluice_res_load(ngx_sluice_zone_ctx_t *zctx, ngx_uint_t type,
    u_char *data, size_t len, ngx_pool_t *pool, ngx_log_t *log)
{
    u_char                        parent[NGX_SLUICE_NAME_LEN + 1];
    ngx_int_t                     rc;
    sluice_json_t                *root, *meta, *doc, *v, *pv;
    sluice_alloc_t                a;
    ngx_sluice_res_t             *res;
    ngx_sluice_shctx_t           *sh;
    ngx_http_sluice_rt_t         *rt;
    ngx_http_sluice_res_build_t   b;

    rt = ngx_http_sluice_res_types[type];

    ngx_http_sluice_pool_alloc(&a, pool);

    if (sluice_json_parse(&a, data, len, &root, NULL, NULL) != SLUICE_OK) {
        return NGX_DECLINED;
    }

    meta = sluice_json_get(root, "sluice");
    doc = sluice_json_get(root, "resource");
    v = sluice_json_get(meta, "name");
    pv = sluice_json_get(meta, "parent");

    if (doc == NULL || doc->type != SLUICE_JSON_OBJECT
        || v == NULL || v->type != SLUICE_JSON_STRING
        || pv == NULL || pv->type != SLUICE_JSON_STRING
        || pv->str.len > NGX_SLUICE_NAME_LEN)
    {
        return NGX_DECLINED;
    }

    ngx_http_sluice_res_build_load(&b, &a, pool, doc);

    b.name.data = (u_char *) v->str.data;
    b.name.len = v->str.len;
    b.parent.data = (u_char *) pv->str.data;
    b.parent.len = pv->str.len;

    if (!ngx_http_sluice_res_name_ok(rt, &b.name)
        || (type == NGX_SLUICE_RES_LIVE_OUTPUT) != (b.parent.len != 0))
    {
        return NGX_DECLINED;
    }

    rc = rt->build(&b);

    if (rc == NGX_DECLINED) {
        ngx_log_error(NGX_LOG_ALERT, log, 0, "sluice: %s \"%V\": %*s",
                      rt->what, &b.name, b.err.len, b.err.msg);
        return NGX_DECLINED;
    }

    if (rc != NGX_OK) {
        return NGX_ERROR;
    }

    v = sluice_json_get(meta, "state");

    if (v && v->type == SLUICE_JSON_NUMBER && v->number >= 0
        && v->number < 8 && rt->states[(ngx_uint_t) v->number])
    {
        b.state = (ngx_uint_t) v->number;
    }

    v = sluice_json_get(meta, "manifest");

    if (v && v->type == SLUICE_JSON_STRING
        && v->str.len <= NGX_SLUICE_MANIFEST_LEN)
    {
        ngx_memcpy(b.f.manifest, v->str.data, v->str.len);
    }

    v = sluice_json_get(meta, "fpts");

    if (v && v->type == SLUICE_JSON_NUMBER && v->number >= 0
        && v->number <= 60)
    {
        b.f.fragments_per_ts = (ngx_uint_t) v->number;
    }

    v = sluice_json_get(meta, "event");

    if (v && v->type == SLUICE_JSON_STRING
        && v->str.len <= NGX_SLUICE_NAME_LEN)
    {
        ngx_memcpy(b.f.event, v->str.data, v->str.len);
    }

    data = ngx_pnalloc(pool, sluice_json_write(b.doc, NULL));
    if (data == NULL) {
        return NGX_ERROR;
    }

    len = sluice_json_write(b.doc, data);

    sh = zctx->sh;
    rc = NGX_DECLINED;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ngx_memcpy(parent, b.parent.data, b.parent.len);
    parent[b.parent.len] = '\0';

    if (ngx_sluice_res_find(sh, type, b.parent.len ? parent : NULL,
                            b.name.data, b.name.len)
        == NULL
        && (type != NGX_SLUICE_RES_STREAMING_LOCATOR
            || ngx_sluice_locator_by_id(sh, b.f.id, NGX_SLUICE_ID_LEN)
               == NULL))
    {
        /* parent holds a NUL after its text: a copy from the document */
        res = ngx_sluice_res_alloc(sh, type, NULL, b.name.data, b.name.len);

        if (res == NULL
            || ngx_sluice_res_set_json(sh, res, data, len) != NGX_OK)
        {
            if (res) {
                ngx_sluice_res_free(sh, res);
            }

            rc = NGX_ERROR;

        } else {
            ngx_memcpy(res->parent, b.parent.data, b.parent.len);
            res->f = b.f;
            res->state = b.state;
            res->persisted = res->version;
            rc = NGX_OK;
        }
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (rc == NGX_DECLINED) {
        ngx_log_error(NGX_LOG_ALERT, log, 0,
                      "sluice: %s \"%V\" duplicates another one, skipped",
                      rt->what, &b.name);
    }

    return rc;
}


/* --- GET ----------------------------------------------------------------- */

static ngx_int_t
ngx_http_sluice_res_not_found(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt)
{
    if (ctx->parent.len) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "%s '%V' of live event '%V' was not found.", rt->what,
                   &ctx->name, &ctx->parent);
    }

    return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                                     "%s '%V' was not found.", rt->what,
                                     &ctx->name);
}


static u_char *
ngx_http_sluice_res_parent(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    u_char  *p;

    if (ctx->parent.len == 0) {
        return NULL;
    }

    p = ngx_pnalloc(r->pool, ctx->parent.len + 1);
    if (p == NULL) {
        return NULL;
    }

    ngx_memcpy(p, ctx->parent.data, ctx->parent.len);
    p[ctx->parent.len] = '\0';

    return p;
}


static ngx_int_t
ngx_http_sluice_res_get(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt)
{
    u_char                      *parent;
    ngx_int_t                    rc;
    sluice_json_t               *res;
    ngx_sluice_res_t            *rec;
    ngx_sluice_zone_ctx_t       *zctx;
    ngx_http_sluice_res_snap_t   snap;

    zctx = ngx_http_sluice_res_zone(ctx);
    parent = ngx_http_sluice_res_parent(r, ctx);

    ngx_shmtx_lock(&zctx->shpool->mutex);

    rec = ngx_sluice_res_find(zctx->sh, rt->type, parent, ctx->name.data,
                              ctx->name.len);

    rc = rec ? ngx_http_sluice_res_snap(r->pool, rec, &snap) : NGX_DECLINED;

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (rc == NGX_DECLINED) {
        return ngx_http_sluice_res_not_found(r, ctx, rt);
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    res = ngx_http_sluice_res_render(r, ctx, &snap);
    if (res == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_sluice_api_send(r, NGX_HTTP_OK, res);
}


/* --- list ---------------------------------------------------------------- */

static ngx_int_t
ngx_http_sluice_res_arg(ngx_http_request_t *r, const char *name,
    ngx_str_t *value)
{
    u_char  *dst, *src;

    if (ngx_http_arg(r, (u_char *) name, ngx_strlen(name), value) != NGX_OK) {
        value->len = 0;
        return NGX_DECLINED;
    }

    dst = ngx_pnalloc(r->pool, value->len);
    if (dst == NULL) {
        return NGX_ERROR;
    }

    src = value->data;
    value->data = dst;

    ngx_unescape_uri(&dst, &src, value->len, 0);

    value->len = dst - value->data;

    /* '+' is a space in a query */
    for (src = value->data; src < dst; src++) {
        if (*src == '+') {
            *src = ' ';
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_sluice_res_parse_filter(ngx_pool_t *pool, ngx_str_t *s,
    ngx_array_t *clauses)
{
    u_char                        *p, *last, *start;
    ngx_str_t                      word[3];
    ngx_uint_t                     i, k;
    ngx_http_sluice_res_clause_t  *c;

    static const char  *ops[] = { "eq", "ne", "gt", "ge", "lt", "le" };

    p = s->data;
    last = s->data + s->len;

    for ( ;; ) {
        for (k = 0; k < 3; k++) {
            while (p < last && *p == ' ') {
                p++;
            }

            if (p == last) {
                return NGX_ERROR;
            }

            start = p;

            if (k == 2 && *p == '\'') {
                p++;
                start = p;

                while (p < last && *p != '\'') {
                    p++;
                }

                if (p == last) {
                    return NGX_ERROR;
                }

                word[k].data = start;
                word[k].len = p - start;
                p++;
                continue;
            }

            while (p < last && *p != ' ') {
                p++;
            }

            word[k].data = start;
            word[k].len = p - start;
        }

        c = ngx_array_push(clauses);
        if (c == NULL) {
            return NGX_ERROR;
        }

        ngx_memzero(c, sizeof(ngx_http_sluice_res_clause_t));
        c->field = word[0];
        c->value = word[2];

        for (i = 0; i < 6; i++) {
            if (word[1].len == 2
                && ngx_strncasecmp(word[1].data, (u_char *) ops[i], 2) == 0)
            {
                break;
            }
        }

        if (i == 6) {
            return NGX_ERROR;
        }

        c->op = i;

        if (ngx_http_sluice_seg_is(&c->field, "properties/created")
            || ngx_http_sluice_seg_is(&c->field, "properties/lastModified"))
        {
            if (ngx_http_sluice_parse_time(c->value.data, c->value.len,
                                           &c->ms)
                != NGX_OK)
            {
                return NGX_ERROR;
            }

            c->is_time = 1;

        } else if (!ngx_http_sluice_seg_is(&c->field, "name")
                   && !ngx_http_sluice_seg_is(&c->field,
                                              "properties/alternateId")
                   && !ngx_http_sluice_seg_is(&c->field,
                                              "properties/assetId"))
        {
            return NGX_ERROR;
        }

        while (p < last && *p == ' ') {
            p++;
        }

        if (p == last) {
            return NGX_OK;
        }

        if (last - p < 4 || ngx_strncasecmp(p, (u_char *) "and ", 4) != 0) {
            return NGX_ERROR;
        }

        p += 4;
    }
}


static ngx_int_t
ngx_http_sluice_res_cmp_op(ngx_uint_t op, ngx_int_t cmp)
{
    switch (op) {
    case 0:
        return cmp == 0;
    case 1:
        return cmp != 0;
    case 2:
        return cmp > 0;
    case 3:
        return cmp >= 0;
    case 4:
        return cmp < 0;
    default:
        return cmp <= 0;
    }
}


static ngx_int_t
ngx_http_sluice_res_match(sluice_alloc_t *a, ngx_http_sluice_res_snap_t *snap,
    ngx_array_t *clauses)
{
    int64_t                        ms;
    ngx_int_t                      cmp;
    ngx_str_t                      v;
    ngx_uint_t                     i;
    sluice_json_t                 *doc, *props, *j;
    ngx_http_sluice_res_clause_t  *c;

    c = clauses->elts;

    for (i = 0; i < clauses->nelts; i++) {
        doc = ngx_http_sluice_res_doc(a, snap);
        props = sluice_json_get(doc, "properties");

        if (c[i].is_time) {
            j = sluice_json_get(props, (char *) c[i].field.data
                                + sizeof("properties/") - 1);

            if (ngx_http_sluice_seg_is(&c[i].field, "properties/created")) {
                ms = snap->f.created_ms;

            } else if (j == NULL || j->type != SLUICE_JSON_STRING
                       || ngx_http_sluice_parse_time((u_char *) j->str.data,
                                                     j->str.len, &ms)
                          != NGX_OK)
            {
                return 0;
            }

            cmp = (ms > c[i].ms) - (ms < c[i].ms);

        } else {
            if (ngx_http_sluice_seg_is(&c[i].field, "name")) {
                v.data = snap->name;
                v.len = ngx_strlen(snap->name);

            } else if (ngx_http_sluice_seg_is(&c[i].field,
                                              "properties/assetId"))
            {
                v.data = snap->f.id;
                v.len = ngx_strlen(snap->f.id);

            } else {
                j = sluice_json_get(props, "alternateId");

                if (j == NULL || j->type != SLUICE_JSON_STRING) {
                    return 0;
                }

                v.data = (u_char *) j->str.data;
                v.len = j->str.len;
            }

            cmp = ngx_memn2cmp(v.data, c[i].value.data, v.len,
                               c[i].value.len);
            cmp = (cmp > 0) - (cmp < 0);

            if (ngx_http_sluice_seg_is(&c[i].field, "name")
                && v.len == c[i].value.len
                && ngx_strncasecmp(v.data, c[i].value.data, v.len) == 0)
            {
                cmp = 0;
            }
        }

        if (!ngx_http_sluice_res_cmp_op(c[i].op, cmp)) {
            return 0;
        }
    }

    return 1;
}


static ngx_uint_t  ngx_http_sluice_res_by_created;
static ngx_uint_t  ngx_http_sluice_res_desc;


static int ngx_libc_cdecl
ngx_http_sluice_res_cmp(const void *one, const void *two)
{
    int                          c;
    ngx_http_sluice_res_snap_t  *a = *(ngx_http_sluice_res_snap_t **) one;
    ngx_http_sluice_res_snap_t  *b = *(ngx_http_sluice_res_snap_t **) two;

    c = 0;

    if (ngx_http_sluice_res_by_created) {
        c = (a->f.created_ms > b->f.created_ms)
            - (a->f.created_ms < b->f.created_ms);
    }

    if (c == 0) {
        c = ngx_strcasecmp(a->name, b->name);
    }

    return ngx_http_sluice_res_desc ? -c : c;
}


static ngx_int_t
ngx_http_sluice_res_list(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt)
{
    u_char                       *parent, *link, *p;
    size_t                        len;
    ngx_int_t                     rc, top, skip;
    ngx_str_t                     filter, orderby, topv, skipv;
    ngx_uint_t                    i, n, count, total, by_created, desc;
    ngx_array_t                   clauses;
    sluice_json_t                *res, *arr, *item;
    ngx_sluice_res_t             *rec;
    ngx_sluice_zone_ctx_t        *zctx;
    ngx_http_sluice_res_snap_t   *snaps, **sel;

    if (ngx_http_sluice_res_arg(r, "$filter", &filter) == NGX_ERROR
        || ngx_http_sluice_res_arg(r, "$orderby", &orderby) == NGX_ERROR
        || ngx_http_sluice_res_arg(r, "$top", &topv) == NGX_ERROR
        || ngx_http_sluice_res_arg(r, "$skiptoken", &skipv) == NGX_ERROR)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_array_init(&clauses, r->pool, 4,
                       sizeof(ngx_http_sluice_res_clause_t))
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (filter.len
        && ngx_http_sluice_res_parse_filter(r->pool, &filter, &clauses)
           != NGX_OK)
    {
        return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                   "BadRequest",
                   "The $filter '%V' is not supported: use clauses like "
                   "\"name eq 'x'\" or \"properties/created gt "
                   "2024-01-01\" joined by \"and\" (fields name, "
                   "properties/created, properties/lastModified, "
                   "properties/alternateId, properties/assetId; operators "
                   "eq, ne, gt, ge, lt, le).", &filter);
    }

    by_created = 0;
    desc = 0;

    if (orderby.len) {
        p = ngx_strlchr(orderby.data, orderby.data + orderby.len, ' ');
        len = p ? (size_t) (p - orderby.data) : orderby.len;

        if (len == sizeof("properties/created") - 1
            && ngx_strncasecmp(orderby.data, (u_char *) "properties/created",
                               len) == 0)
        {
            by_created = 1;

        } else if (!(len == 4
                     && ngx_strncasecmp(orderby.data, (u_char *) "name", 4)
                        == 0))
        {
            goto bad_orderby;
        }

        if (p) {
            while (p < orderby.data + orderby.len && *p == ' ') {
                p++;
            }

            len = orderby.data + orderby.len - p;

            if (len == 4 && ngx_strncasecmp(p, (u_char *) "desc", 4) == 0) {
                desc = 1;

            } else if (!(len == 3
                         && ngx_strncasecmp(p, (u_char *) "asc", 3) == 0)
                       && len != 0)
            {
                goto bad_orderby;
            }
        }
    }

    top = -1;

    if (topv.len) {
        top = ngx_atoi(topv.data, topv.len);

        if (top == NGX_ERROR) {
            return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                       "BadRequest", "$top must be a non-negative integer.");
        }
    }

    skip = 0;

    if (skipv.len) {
        skip = ngx_atoi(skipv.data, skipv.len);

        if (skip == NGX_ERROR) {
            return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                       "BadRequest", "The $skiptoken is invalid.");
        }
    }

    zctx = ngx_http_sluice_res_zone(ctx);
    parent = ngx_http_sluice_res_parent(r, ctx);
    rc = NGX_OK;
    n = 0;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    if (parent && ngx_sluice_event_by_name(zctx->sh, parent,
                                           ngx_strlen(parent)) == NULL)
    {
        rc = NGX_DECLINED;
    }

    total = ngx_sluice_res_count(zctx->sh, rt->type);

    snaps = ngx_palloc(r->pool,
                       (total + 1) * sizeof(ngx_http_sluice_res_snap_t));
    if (snaps == NULL) {
        rc = NGX_ERROR;
    }

    for (rec = ngx_sluice_res_next(zctx->sh, rt->type, NULL);
         rc == NGX_OK && rec && n < total;
         rec = ngx_sluice_res_next(zctx->sh, rt->type, rec))
    {
        if (parent && ngx_strcasecmp(rec->parent, parent) != 0) {
            continue;
        }

        rc = ngx_http_sluice_res_snap(r->pool, rec, &snaps[n++]);
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (rc == NGX_DECLINED) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "Live event '%V' was not found.", &ctx->parent);
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    sel = ngx_palloc(r->pool, (n + 1) * sizeof(void *));
    if (sel == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    count = 0;

    for (i = 0; i < n; i++) {
        if (clauses.nelts == 0
            || ngx_http_sluice_res_match(&ctx->alloc, &snaps[i], &clauses))
        {
            sel[count++] = &snaps[i];
        }
    }

    ngx_http_sluice_res_by_created = by_created;
    ngx_http_sluice_res_desc = desc;

    ngx_qsort(sel, count, sizeof(void *), ngx_http_sluice_res_cmp);

    res = sluice_json_new(&ctx->alloc, SLUICE_JSON_OBJECT);
    arr = sluice_json_new(&ctx->alloc, SLUICE_JSON_ARRAY);
    if (res == NULL || arr == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    n = 0;

    for (i = skip; i < count && n < NGX_HTTP_SLUICE_RES_PAGE
                   && (top < 0 || (ngx_int_t) n < top); i++)
    {
        item = ngx_http_sluice_res_render(r, ctx, sel[i]);
        if (item == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        sluice_json_append(arr, item);
        n++;
    }

    if (ngx_http_sluice_res_set(&ctx->alloc, res, "value", arr) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (i < count && (top < 0 || (ngx_int_t) n < top)) {
        len = ctx->base.len + ctx->api_version.len + NGX_SLUICE_NAME_LEN
              + sizeof("/liveEvents//liveOutputs?api-version=&$skiptoken="
                       "&$top=&$filter=&$orderby=")
              + 2 * NGX_INT_T_LEN + 3 * (filter.len + orderby.len);

        link = ngx_pnalloc(r->pool, len);
        if (link == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        p = ngx_sprintf(link, "%V/", &ctx->base);

        if (parent) {
            p = ngx_sprintf(p, "liveEvents/%s/", parent);
        }

        p = ngx_sprintf(p, "%s?api-version=%V&$skiptoken=%ui",
                        rt->collection, &ctx->api_version, i);

        if (top >= 0) {
            p = ngx_sprintf(p, "&$top=%i", top - (ngx_int_t) n);
        }

        if (filter.len) {
            p = ngx_cpymem(p, "&$filter=", sizeof("&$filter=") - 1);
            p = (u_char *) ngx_escape_uri(p, filter.data, filter.len,
                                          NGX_ESCAPE_ARGS);
        }

        if (orderby.len) {
            p = ngx_cpymem(p, "&$orderby=", sizeof("&$orderby=") - 1);
            p = (u_char *) ngx_escape_uri(p, orderby.data, orderby.len,
                                          NGX_ESCAPE_ARGS);
        }

        if (ngx_http_sluice_res_set(&ctx->alloc, res, "@odata.nextLink",
                                    sluice_json_new_string(&ctx->alloc, link,
                                                           p - link))
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    return ngx_http_sluice_api_send(r, NGX_HTTP_OK, res);

bad_orderby:

    return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST, "BadRequest",
               "The $orderby '%V' is not supported: use name or "
               "properties/created, optionally followed by asc or desc.",
               &orderby);
}


/* --- PUT, PATCH ---------------------------------------------------------- */

static ngx_int_t
ngx_http_sluice_res_put(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt,
    ngx_uint_t patch)
{
    u_char                       opid[NGX_SLUICE_ID_LEN + 1], *parent;
    ngx_int_t                    rc;
    ngx_str_t                    json, arg;
    ngx_uint_t                   exists, pending, autostart, status;
    uint64_t                     version;
    sluice_json_t               *old, *res;
    ngx_sluice_op_t             *op;
    ngx_sluice_res_t            *rec;
    ngx_sluice_shctx_t          *sh;
    ngx_sluice_zone_ctx_t       *zctx;
    ngx_http_sluice_res_snap_t   snap;
    ngx_http_sluice_res_build_t  b;

    if (ctx->body == NULL || ctx->body->type != SLUICE_JSON_OBJECT) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                   "InvalidRequestContent",
                   "The request body must be a JSON object describing the "
                   "%s.", rt->what);
    }

    autostart = 0;

    if (!patch && rt->type == NGX_SLUICE_RES_STREAMING_ENDPOINT
        && ngx_http_arg(r, (u_char *) "autoStart", sizeof("autoStart") - 1,
                        &arg)
           == NGX_OK)
    {
        if (arg.len == 4
            && ngx_strncasecmp(arg.data, (u_char *) "true", 4) == 0)
        {
            autostart = 1;

        } else if (!(arg.len == 5
                     && ngx_strncasecmp(arg.data, (u_char *) "false", 5)
                        == 0))
        {
            return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                       "BadRequest",
                       "The query parameter autoStart must be true or "
                       "false.");
        }
    }

    zctx = ngx_http_sluice_res_zone(ctx);
    sh = zctx->sh;
    parent = ngx_http_sluice_res_parent(r, ctx);

    ngx_shmtx_lock(&zctx->shpool->mutex);

    if (parent && ngx_sluice_event_by_name(sh, parent, ngx_strlen(parent))
                  == NULL)
    {
        rc = NGX_ABORT;

    } else {
        rec = ngx_sluice_res_find(sh, rt->type, parent, ctx->name.data,
                                  ctx->name.len);

        if (rec == NULL) {
            rc = NGX_DECLINED;

        } else if (rec->op) {
            rc = NGX_BUSY;

        } else {
            rc = ngx_http_sluice_res_snap(r->pool, rec, &snap);
        }
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    switch (rc) {

    case NGX_ABORT:
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "Live event '%V' was not found.", &ctx->parent);

    case NGX_BUSY:
        return ngx_http_sluice_api_error(r, NGX_HTTP_CONFLICT, "Conflict",
                   "%s '%V' has an operation in progress.", rt->what,
                   &ctx->name);

    case NGX_ERROR:
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    exists = (rc == NGX_OK);
    version = exists ? snap.version : 0;

    if (patch && !exists) {
        return ngx_http_sluice_res_not_found(r, ctx, rt);
    }

    if (exists && snap.f.builtin) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                   "BadRequest",
                   "%s '%V' is predefined and cannot be changed.", rt->what,
                   &ctx->name);
    }

    if (exists && (rt->flags & NGX_HTTP_SLUICE_RT_IMMUTABLE)) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_CONFLICT,
                   "ResourceExists",
                   "%s '%V' already exists and cannot be updated: delete "
                   "it first.", rt->what, &ctx->name);
    }

    old = NULL;

    if (exists) {
        old = ngx_http_sluice_res_doc(&ctx->alloc, &snap);
        if (old == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    ngx_memzero(&b, sizeof(ngx_http_sluice_res_build_t));

    b.a = &ctx->alloc;
    b.pool = r->pool;
    b.conf = ctx->conf;
    b.old = old;
    b.name = ctx->name;
    b.parent = ctx->parent;
    b.in = patch ? ngx_http_sluice_res_merge(&ctx->alloc, old, ctx->body)
                 : ctx->body;

    if (b.in == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = rt->build(&b);

    if (rc == NGX_DECLINED) {
        return ngx_http_sluice_res_send_err(r, &b.err);
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (exists) {
        /* what the stored record carries beyond the document */
        ngx_memcpy(b.f.manifest, snap.f.manifest, sizeof(b.f.manifest));
        ngx_memcpy(b.f.event, snap.f.event, sizeof(b.f.event));
        b.f.fragments_per_ts = snap.f.fragments_per_ts;
    }

    if (ngx_http_sluice_res_json_text(r->pool, b.doc, &json) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_sluice_new_uuid(opid);
    pending = 0;
    op = NULL;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ngx_sluice_zone_begin(sh, r->connection->log);

    rec = ngx_sluice_res_find(sh, rt->type, parent, ctx->name.data,
                              ctx->name.len);

    if ((rec == NULL) != !exists
        || (rec && (rec->version != version || rec->op)))
    {
        rc = NGX_BUSY;

    } else if (parent && ngx_sluice_event_by_name(sh, parent,
                                                  ngx_strlen(parent))
                         == NULL)
    {
        rc = NGX_ABORT;

    } else if (rt->check && rt->check(sh, &b, rec) != NGX_OK) {
        rc = NGX_DECLINED;

    } else if (rec) {
        rc = ngx_sluice_res_set_json(sh, rec, json.data, json.len);

        if (rc == NGX_OK) {
            rec->f = b.f;
            rec->version++;
            rc = ngx_http_sluice_res_snap(r->pool, rec, &snap);
        }

    } else {
        rc = NGX_ERROR;

        rec = ngx_sluice_res_alloc(sh, rt->type, parent, ctx->name.data,
                                   ctx->name.len);

        if (rec && ngx_sluice_res_set_json(sh, rec, json.data, json.len)
                   != NGX_OK)
        {
            ngx_sluice_res_free(sh, rec);
            rec = NULL;
        }

        if (rec) {
            rec->f = b.f;
            rec->state = b.state;

            if (rt->flags & NGX_HTTP_SLUICE_RT_LRO) {
                op = ngx_sluice_res_op_start(sh, rec, NGX_SLUICE_OP_CREATE,
                         b.state,
                         autostart ? NGX_SLUICE_SE_RUNNING
                         : (rt->type == NGX_SLUICE_RES_LIVE_OUTPUT
                            ? NGX_SLUICE_LO_RUNNING : NGX_SLUICE_SE_STOPPED),
                         ctx->conf->transition_time, opid);

                if (op == NULL) {
                    ngx_sluice_res_free(sh, rec);
                    rec = NULL;
                }
            }
        }

        if (rec) {
            if (autostart && rec->op) {
                rec->state = NGX_SLUICE_SE_STARTING;
            }

            if (rt->created) {
                rt->created(sh, rec);
            }

            pending = (rec->op != NULL);
            rc = ngx_http_sluice_res_snap(r->pool, rec, &snap);
        }
    }

    ngx_sluice_zone_end(sh);

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    switch (rc) {

    case NGX_OK:
        break;

    case NGX_BUSY:
        return ngx_http_sluice_api_error(r, NGX_HTTP_CONFLICT, "Conflict",
                   "%s '%V' was changed by another request.", rt->what,
                   &ctx->name);

    case NGX_ABORT:
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "Live event '%V' was not found.", &ctx->parent);

    case NGX_DECLINED:
        return ngx_http_sluice_res_send_err(r, &b.err);

    default:
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "sluice: no shared memory for %s \"%V\"", rt->what,
                      &ctx->name);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_sluice_res_persist(r->pool, r->connection->log, zctx, &snap);

    if (!exists && rt->type == NGX_SLUICE_RES_LIVE_OUTPUT) {
        /* the asset now remembers the output that records it */
        ngx_http_sluice_res_persist_name(r->pool, r->connection->log, zctx,
                                         NGX_SLUICE_RES_ASSET, NULL,
                                         snap.f.asset);
    }

    res = ngx_http_sluice_res_render(r, ctx, &snap);
    if (res == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    status = exists ? NGX_HTTP_OK : NGX_HTTP_CREATED;

    if (op) {
        if (ngx_http_sluice_res_lro_headers(r, ctx, rt, snap.parent,
                                            snap.name, opid, pending)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    return ngx_http_sluice_api_send(r, status, res);
}


ngx_int_t
ngx_http_sluice_res_lro_headers(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt, u_char *parent,
    u_char *name, u_char *op_id, ngx_uint_t pending)
{
    u_char     *p;
    ngx_str_t   path;

    path.data = ngx_pnalloc(r->pool, sizeof("liveEvents///") - 1
                                     + NGX_SLUICE_NAME_LEN
                                     + ngx_strlen(rt->collection)
                                     + NGX_SLUICE_RES_NAME_LEN);
    if (path.data == NULL) {
        return NGX_ERROR;
    }

    p = path.data;

    if (parent[0]) {
        p = ngx_sprintf(p, "liveEvents/%s/", parent);
    }

    p = ngx_sprintf(p, "%s/%s", rt->collection, name);
    path.len = p - path.data;

    return ngx_http_sluice_api_lro_headers(r, ctx, rt->op_collection, &path,
                                           op_id, pending);
}


ngx_int_t
ngx_http_sluice_api_lro_headers(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, const char *op_collection,
    ngx_str_t *path, u_char *op_id, ngx_uint_t pending)
{
    u_char     *p;
    size_t      len;
    ngx_str_t   value;

    len = ctx->base.len + sizeof("//?api-version=") - 1
          + ngx_strlen(op_collection) + NGX_SLUICE_ID_LEN
          + ctx->api_version.len;

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    value.data = p;
    value.len = ngx_sprintf(p, "%V/%s/%s?api-version=%V", &ctx->base,
                            op_collection, op_id, &ctx->api_version)
                - p;

    if (ngx_http_sluice_api_add_header(r, "Azure-AsyncOperation", &value)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    len = ctx->base.len + sizeof("//operationLocations/?api-version=") - 1
          + path->len + NGX_SLUICE_ID_LEN + ctx->api_version.len;

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    value.data = p;
    value.len = ngx_sprintf(p, "%V/%V/operationLocations/%s?api-version=%V",
                            &ctx->base, path, op_id, &ctx->api_version)
                - p;

    if (ngx_http_sluice_api_add_header(r, "Location", &value) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_sluice_res_retry_after(r, pending);
}


static ngx_int_t
ngx_http_sluice_res_retry_after(ngx_http_request_t *r, ngx_uint_t pending)
{
    ngx_str_t  value;

    if (pending) {
        ngx_str_set(&value, "1");

    } else {
        ngx_str_set(&value, "0");
    }

    return ngx_http_sluice_api_add_header(r, "Retry-After", &value);
}


/* --- actions ----------------------------------------------------------- */

ngx_http_sluice_action_t *
ngx_http_sluice_res_action(ngx_http_sluice_action_t *actions,
    ngx_str_t *name)
{
    ngx_http_sluice_action_t  *act;

    for (act = actions; act->name.len; act++) {
        if (act->name.len == name->len
            && ngx_strncasecmp(act->name.data, name->data, name->len) == 0)
        {
            return act;
        }
    }

    return NULL;
}


ngx_int_t
ngx_http_sluice_res_action_check(ngx_http_sluice_action_t *act,
    ngx_sluice_op_t *op, ngx_uint_t state)
{
    if (op) {
        return NGX_BUSY;
    }

    if (state == act->noop) {
        return NGX_DONE;
    }

    if (state != act->from[0] && state != act->from[1]) {
        return NGX_ABORT;
    }

    return NGX_OK;
}


/* --- DELETE -------------------------------------------------------------- */

static ngx_int_t
ngx_http_sluice_res_delete(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt)
{
    u_char                       opid[NGX_SLUICE_ID_LEN + 1], *parent;
    ngx_int_t                    rc;
    ngx_uint_t                   lro, pending, state;
    ngx_sluice_op_t             *op;
    ngx_sluice_res_t            *rec;
    ngx_sluice_shctx_t          *sh;
    ngx_sluice_zone_ctx_t       *zctx;
    ngx_http_sluice_res_err_t    err;
    ngx_http_sluice_res_snap_t   snap;

    zctx = ngx_http_sluice_res_zone(ctx);
    sh = zctx->sh;
    parent = ngx_http_sluice_res_parent(r, ctx);
    lro = (rt->flags & NGX_HTTP_SLUICE_RT_LRO) != 0;
    pending = 0;

    ngx_http_sluice_new_uuid(opid);

    ngx_shmtx_lock(&zctx->shpool->mutex);

    rec = ngx_sluice_res_find(sh, rt->type, parent, ctx->name.data,
                              ctx->name.len);

    if (rec == NULL) {
        rc = NGX_DECLINED;

    } else if (rec->f.builtin) {
        rc = NGX_ABORT;

    } else if (rec->op) {
        rc = NGX_BUSY;

    } else if (rt->deletable && rt->deletable(sh, rec, &err) != NGX_OK) {
        rc = NGX_DONE;

    } else {
        rc = ngx_http_sluice_res_snap(r->pool, rec, &snap);
    }

    if (rc == NGX_OK) {
        ngx_sluice_zone_begin(sh, r->connection->log);

        ngx_sluice_res_unlink(r->connection->log, &zctx->data_path, rec);

        if (rt->deleting) {
            rt->deleting(sh, rec, r->connection->log);
        }

        if (lro) {
            state = (rt->type == NGX_SLUICE_RES_LIVE_OUTPUT)
                    ? NGX_SLUICE_LO_DELETING : NGX_SLUICE_SE_DELETING;

            op = ngx_sluice_res_op_start(sh, rec, NGX_SLUICE_OP_DELETE,
                                         state, state,
                                         ctx->conf->transition_time, opid);

            if (op == NULL) {
                ngx_sluice_res_free(sh, rec);
            }

            pending = (ctx->conf->transition_time != 0);

        } else {
            ngx_sluice_res_free(sh, rec);
        }

        ngx_sluice_zone_end(sh);
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    switch (rc) {

    case NGX_OK:
        break;

    case NGX_DECLINED:
        return ngx_http_sluice_api_send(r, NGX_HTTP_NO_CONTENT, NULL);

    case NGX_ABORT:
        return ngx_http_sluice_api_error(r, NGX_HTTP_BAD_REQUEST,
                   "BadRequest",
                   "%s '%V' is predefined and cannot be deleted.", rt->what,
                   &ctx->name);

    case NGX_BUSY:
        return ngx_http_sluice_api_error(r, NGX_HTTP_CONFLICT, "Conflict",
                   "%s '%V' has an operation in progress.", rt->what,
                   &ctx->name);

    case NGX_DONE:
        return ngx_http_sluice_res_send_err(r, &err);

    default:
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rt->deleted) {
        rt->deleted(r, ctx, &snap);
    }

    if (!lro) {
        return ngx_http_sluice_api_send(r, NGX_HTTP_OK, NULL);
    }

    if (ngx_http_sluice_res_lro_headers(r, ctx, rt, snap.parent, snap.name,
                                        opid, pending)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_sluice_api_send(r, NGX_HTTP_ACCEPTED, NULL);
}


/* --- operations ---------------------------------------------------------- */

static ngx_int_t
ngx_http_sluice_res_oploc(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt)
{
    u_char                      *parent;
    ngx_int_t                    rc;
    ngx_uint_t                   status, kind;
    sluice_json_t               *res;
    ngx_sluice_op_t             *op;
    ngx_sluice_res_t            *rec;
    ngx_sluice_zone_ctx_t       *zctx;
    ngx_http_sluice_res_snap_t   snap;

    zctx = ngx_http_sluice_res_zone(ctx);
    parent = ngx_http_sluice_res_parent(r, ctx);
    status = NGX_SLUICE_OP_FAILED;
    kind = 0;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    op = ngx_sluice_res_op_find(zctx->sh, rt->type, ctx->op.data,
                                ctx->op.len);

    if (op == NULL) {
        rc = NGX_DECLINED;

    } else {
        status = op->status;
        kind = op->kind;
        rc = NGX_OK;

        rec = ngx_sluice_res_find(zctx->sh, rt->type, parent, ctx->name.data,
                                  ctx->name.len);

        if (kind != NGX_SLUICE_OP_DELETE
            && (rec == NULL || rec->serial != op->event_serial))
        {
            rc = NGX_DECLINED;

        } else if (status == NGX_SLUICE_OP_SUCCEEDED
                   && kind != NGX_SLUICE_OP_DELETE)
        {
            rc = ngx_http_sluice_res_snap(r->pool, rec, &snap);
        }
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (rc == NGX_DECLINED) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "Operation '%V' of %s '%V' was not found.", &ctx->op,
                   rt->what, &ctx->name);
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    res = NULL;

    if (status == NGX_SLUICE_OP_SUCCEEDED && kind != NGX_SLUICE_OP_DELETE) {
        res = ngx_http_sluice_res_render(r, ctx, &snap);
        if (res == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    return ngx_http_sluice_res_op_result(r, ctx, status, kind, res);
}


ngx_int_t
ngx_http_sluice_res_op_result(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_uint_t status, ngx_uint_t kind,
    sluice_json_t *res)
{
    switch (status) {

    case NGX_SLUICE_OP_IN_PROGRESS:
        if (ngx_http_sluice_res_retry_after(r, 1) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_sluice_api_send(r, NGX_HTTP_ACCEPTED, NULL);

    case NGX_SLUICE_OP_FAILED:
        return ngx_http_sluice_api_error(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
                   "InternalServerError", "Operation '%V' failed.",
                   &ctx->op);
    }

    if (kind == NGX_SLUICE_OP_DELETE) {
        return ngx_http_sluice_api_send(r, NGX_HTTP_NO_CONTENT, NULL);
    }

    return ngx_http_sluice_api_send(r, NGX_HTTP_OK, res);
}


static ngx_int_t
ngx_http_sluice_res_asyncop(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt)
{
    u_char                  id[NGX_SLUICE_ID_LEN + 1];
    ngx_uint_t              status;
    ngx_sluice_op_t        *op;
    ngx_sluice_zone_ctx_t  *zctx;

    zctx = ngx_http_sluice_res_zone(ctx);
    status = NGX_SLUICE_OP_FAILED;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    op = ngx_sluice_res_op_find(zctx->sh, rt->type, ctx->op.data,
                                ctx->op.len);

    if (op) {
        status = op->status;
        ngx_memcpy(id, op->id, sizeof(id));
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    if (op == NULL) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "Operation '%V' was not found.", &ctx->op);
    }

    return ngx_http_sluice_res_op_status(r, ctx, id, status,
                                         "The resource of this operation "
                                         "went away before it completed.");
}


ngx_int_t
ngx_http_sluice_res_op_status(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, u_char *id, ngx_uint_t status,
    const char *gone)
{
    sluice_json_t   *res, *err;
    sluice_alloc_t  *a;

    static const char  *names[] = { "InProgress", "Succeeded", "Failed" };

    a = &ctx->alloc;

    res = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (res == NULL
        || ngx_http_sluice_res_set(a, res, "name",
                                   sluice_json_new_cstring(a, (char *) id))
        || ngx_http_sluice_res_set(a, res, "status",
                                   sluice_json_new_cstring(a,
                                                           names[status])))
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (status == NGX_SLUICE_OP_FAILED) {
        err = sluice_json_new(a, SLUICE_JSON_OBJECT);
        if (err == NULL
            || ngx_http_sluice_res_set(a, err, "code",
                                       sluice_json_new_cstring(a,
                                                      "InternalServerError"))
            || ngx_http_sluice_res_set(a, err, "message",
                                       sluice_json_new_cstring(a, gone))
            || ngx_http_sluice_res_set(a, res, "error", err))
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (status == NGX_SLUICE_OP_IN_PROGRESS
        && ngx_http_sluice_res_retry_after(r, 1) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_sluice_api_send(r, NGX_HTTP_OK, res);
}
