
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * GET of a collection, for every resource type: the records copied out
 * under the mutex, then filtered ($filter), sorted ($orderby: name or
 * properties/created, asc or desc), paged (at most
 * NGX_HTTP_SLUICE_PAGE_SIZE, $top) with @odata.nextLink.  $skiptoken is
 * the index of the next record, or, for types with
 * NGX_HTTP_SLUICE_RT_NAME_CURSOR (live events, which read no other
 * option), the last name of the page: stable under deletes.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_list.h"


typedef struct {
    ngx_str_t                   field;
    ngx_uint_t                  op;             /* eq ne gt ge lt le */
    ngx_str_t                   value;
    int64_t                     ms;
    ngx_uint_t                  is_time;
} ngx_http_sluice_res_clause_t;


/* the options of a list request */
typedef struct {
    ngx_str_t                   filter;
    ngx_str_t                   orderby;
    ngx_str_t                   skip;
    ngx_array_t                 clauses;
    ngx_uint_t                  by_created;
    ngx_uint_t                  desc;
    ngx_uint_t                  cursor;         /* skip is a name */
    ngx_int_t                   top;            /* -1: none */
    ngx_uint_t                  first;          /* index of the page */
} ngx_http_sluice_res_query_t;


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
            /* the field is a part of the query: not NUL-terminated */
            j = sluice_json_get_n(props, (char *) c[i].field.data
                                  + sizeof("properties/") - 1,
                                  c[i].field.len
                                  - (sizeof("properties/") - 1));

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



/* $orderby: name or properties/created, then asc or desc */

static ngx_int_t
ngx_http_sluice_res_orderby(ngx_http_sluice_res_query_t *q)
{
    u_char  *p, *last;
    size_t   len;

    last = q->orderby.data + q->orderby.len;
    p = ngx_strlchr(q->orderby.data, last, ' ');
    len = p ? (size_t) (p - q->orderby.data) : q->orderby.len;

    if (len == sizeof("properties/created") - 1
        && ngx_strncasecmp(q->orderby.data, (u_char *) "properties/created",
                           len) == 0)
    {
        q->by_created = 1;

    } else if (!(len == 4
                 && ngx_strncasecmp(q->orderby.data, (u_char *) "name", 4)
                    == 0))
    {
        return NGX_ERROR;
    }

    if (p == NULL) {
        return NGX_OK;
    }

    while (p < last && *p == ' ') {
        p++;
    }

    len = last - p;

    if (len == 4 && ngx_strncasecmp(p, (u_char *) "desc", 4) == 0) {
        q->desc = 1;
        return NGX_OK;
    }

    if (len == 0 || (len == 3 && ngx_strncasecmp(p, (u_char *) "asc", 3) == 0))
    {
        return NGX_OK;
    }

    return NGX_ERROR;
}


/* the options of the request: NGX_OK, NGX_DECLINED (err), NGX_ERROR */

static ngx_int_t
ngx_http_sluice_res_query(ngx_http_request_t *r, ngx_http_sluice_rt_t *rt,
    ngx_http_sluice_res_query_t *q, ngx_http_sluice_res_err_t *err)
{
    ngx_int_t  skip;
    ngx_str_t  top;

    ngx_memzero(q, sizeof(ngx_http_sluice_res_query_t));
    q->top = -1;

    if (ngx_array_init(&q->clauses, r->pool, 4,
                       sizeof(ngx_http_sluice_res_clause_t))
        != NGX_OK
        || ngx_http_sluice_res_arg(r, "$skiptoken", &q->skip) == NGX_ERROR)
    {
        return NGX_ERROR;
    }

    if (rt->flags & NGX_HTTP_SLUICE_RT_NAME_CURSOR) {
        q->cursor = 1;

        if (q->skip.len > NGX_SLUICE_RES_NAME_LEN) {
            ngx_http_sluice_res_bad(err, "The $skiptoken is invalid.");
        }

        return NGX_OK;
    }

    if (ngx_http_sluice_res_arg(r, "$filter", &q->filter) == NGX_ERROR
        || ngx_http_sluice_res_arg(r, "$orderby", &q->orderby) == NGX_ERROR
        || ngx_http_sluice_res_arg(r, "$top", &top) == NGX_ERROR)
    {
        return NGX_ERROR;
    }

    if (q->filter.len
        && ngx_http_sluice_res_parse_filter(r->pool, &q->filter, &q->clauses)
           != NGX_OK)
    {
        ngx_http_sluice_res_bad(err,
                   "The $filter '%V' is not supported: use clauses like "
                   "\"name eq 'x'\" or \"properties/created gt "
                   "2024-01-01\" joined by \"and\" (fields name, "
                   "properties/created, properties/lastModified, "
                   "properties/alternateId, properties/assetId; operators "
                   "eq, ne, gt, ge, lt, le).", &q->filter);
    }

    if (q->orderby.len && ngx_http_sluice_res_orderby(q) != NGX_OK) {
        ngx_http_sluice_res_bad(err,
                   "The $orderby '%V' is not supported: use name or "
                   "properties/created, optionally followed by asc or desc.",
                   &q->orderby);
    }

    if (top.len) {
        q->top = ngx_atoi(top.data, top.len);

        if (q->top == NGX_ERROR) {
            ngx_http_sluice_res_bad(err, "$top must be a non-negative "
                                    "integer.");
        }
    }

    if (q->skip.len) {
        skip = ngx_atoi(q->skip.data, q->skip.len);

        if (skip == NGX_ERROR) {
            ngx_http_sluice_res_bad(err, "The $skiptoken is invalid.");
        }

        q->first = skip;
    }

    return NGX_OK;
}


/* the records of rt (under parent) copied out: NGX_OK, NGX_DECLINED */

static ngx_int_t
ngx_http_sluice_res_collect(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt, u_char *parent,
    ngx_http_sluice_res_snap_t **snaps, ngx_uint_t *n)
{
    void                   *rec;
    ngx_int_t               rc;
    ngx_uint_t              total;
    ngx_sluice_zone_ctx_t  *zctx;
    ngx_http_sluice_rec_t   v;

    zctx = ngx_http_sluice_res_zone(ctx);
    rc = NGX_OK;
    *n = 0;

    ngx_shmtx_lock(&zctx->shpool->mutex);

    if (!ngx_http_sluice_res_parent_exists(zctx->sh, rt, parent)) {
        rc = NGX_DECLINED;
    }

    total = rt->kind->count(zctx->sh, rt);

    *snaps = ngx_palloc(r->pool,
                        (total + 1) * sizeof(ngx_http_sluice_res_snap_t));
    if (*snaps == NULL) {
        rc = NGX_ERROR;
    }

    for (rec = rt->kind->next(zctx->sh, rt, NULL);
         rc == NGX_OK && rec && *n < total;
         rec = rt->kind->next(zctx->sh, rt, rec))
    {
        rt->kind->view(rec, &v);

        if (parent && ngx_strcasecmp(v.parent, parent) != 0) {
            continue;
        }

        rc = ngx_http_sluice_res_snap(r->pool, rt, rec, &(*snaps)[(*n)++]);
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    return rc;
}


/* the records the filter keeps, sorted; *count of them */

static ngx_http_sluice_res_snap_t **
ngx_http_sluice_res_select(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_res_query_t *q,
    ngx_http_sluice_res_snap_t *snaps, ngx_uint_t n, ngx_uint_t *count)
{
    ngx_uint_t                    i;
    ngx_http_sluice_res_snap_t  **sel;

    sel = ngx_palloc(r->pool, (n + 1) * sizeof(void *));
    if (sel == NULL) {
        return NULL;
    }

    *count = 0;

    for (i = 0; i < n; i++) {
        if (q->clauses.nelts == 0
            || ngx_http_sluice_res_match(&ctx->alloc, &snaps[i],
                                         &q->clauses))
        {
            sel[(*count)++] = &snaps[i];
        }
    }

    ngx_http_sluice_res_by_created = q->by_created;
    ngx_http_sluice_res_desc = q->desc;

    ngx_qsort(sel, *count, sizeof(void *), ngx_http_sluice_res_cmp);

    if (q->cursor && q->skip.len) {
        /* a name cursor: the names after it, in order */

        while (q->first < *count
               && ngx_strncasecmp(sel[q->first]->name, q->skip.data,
                                  q->skip.len) <= 0
               && !(ngx_strncasecmp(sel[q->first]->name, q->skip.data,
                                    q->skip.len) == 0
                    && sel[q->first]->name[q->skip.len] != '\0'))
        {
            q->first++;
        }
    }

    return sel;
}


/* @odata.nextLink: the same request from the next record (at i) on */

static sluice_json_t *
ngx_http_sluice_res_next_link(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt,
    ngx_http_sluice_res_query_t *q, u_char *parent, ngx_uint_t i,
    ngx_uint_t n, u_char *last)
{
    u_char  *link, *p;
    size_t   len;

    len = ctx->base.len + ctx->api_version.len + 2 * NGX_SLUICE_RES_NAME_LEN
          + sizeof("/liveEvents//liveOutputs?api-version=&$skiptoken="
                   "&$top=&$filter=&$orderby=")
          + 2 * NGX_INT_T_LEN + 3 * (q->filter.len + q->orderby.len);

    link = ngx_pnalloc(r->pool, len);
    if (link == NULL) {
        return NULL;
    }

    p = ngx_sprintf(link, "%V/", &ctx->base);

    if (parent && rt->parent) {
        p = ngx_sprintf(p, "%s/%s/", rt->parent->collection, parent);
    }

    p = ngx_sprintf(p, "%s?api-version=%V&$skiptoken=", rt->collection,
                    &ctx->api_version);

    if (rt->flags & NGX_HTTP_SLUICE_RT_NAME_CURSOR) {
        p = ngx_sprintf(p, "%s", last);

    } else {
        p = ngx_sprintf(p, "%ui", i);
    }

    if (q->top >= 0) {
        p = ngx_sprintf(p, "&$top=%i", q->top - (ngx_int_t) n);
    }

    if (q->filter.len) {
        p = ngx_cpymem(p, "&$filter=", sizeof("&$filter=") - 1);
        p = (u_char *) ngx_escape_uri(p, q->filter.data, q->filter.len,
                                      NGX_ESCAPE_ARGS);
    }

    if (q->orderby.len) {
        p = ngx_cpymem(p, "&$orderby=", sizeof("&$orderby=") - 1);
        p = (u_char *) ngx_escape_uri(p, q->orderby.data, q->orderby.len,
                                      NGX_ESCAPE_ARGS);
    }

    return sluice_json_new_string(&ctx->alloc, link, p - link);
}


ngx_int_t
ngx_http_sluice_res_list(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx, ngx_http_sluice_rt_t *rt)
{
    u_char                        *parent;
    ngx_int_t                      rc;
    ngx_uint_t                     i, n, count;
    sluice_json_t                 *res, *arr, *item;
    ngx_http_sluice_res_err_t      err;
    ngx_http_sluice_res_snap_t    *snaps, **sel;
    ngx_http_sluice_res_query_t    q;

    rc = ngx_http_sluice_res_query(r, rt, &q, &err);

    if (rc == NGX_DECLINED) {
        return ngx_http_sluice_res_send_err(r, &err);
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    parent = ngx_http_sluice_res_parent(r, ctx);

    rc = ngx_http_sluice_res_collect(r, ctx, rt, parent, &snaps, &n);

    if (rc == NGX_DECLINED) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "%s '%V' was not found.", rt->parent->what,
                   &ctx->parent);
    }

    sel = (rc == NGX_OK) ? ngx_http_sluice_res_select(r, ctx, &q, snaps, n,
                                                      &count)
                         : NULL;

    res = sluice_json_new(&ctx->alloc, SLUICE_JSON_OBJECT);
    arr = sluice_json_new(&ctx->alloc, SLUICE_JSON_ARRAY);
    if (sel == NULL || res == NULL || arr == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    n = 0;

    for (i = q.first; i < count && n < NGX_HTTP_SLUICE_PAGE_SIZE
                      && (q.top < 0 || (ngx_int_t) n < q.top); i++)
    {
        item = ngx_http_sluice_res_render(r, ctx, sel[i]);
        if (item == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        sluice_json_append(arr, item);
        n++;
    }

    if (ngx_http_sluice_res_set(&ctx->alloc, res, "value", arr) != NGX_OK
        || (i < count && (q.top < 0 || (ngx_int_t) n < q.top)
            && ngx_http_sluice_res_set(&ctx->alloc, res, "@odata.nextLink",
                   ngx_http_sluice_res_next_link(r, ctx, rt, &q, parent, i,
                                                 n, sel[i - 1]->name))
               != NGX_OK))
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_sluice_api_send(r, NGX_HTTP_OK, res);
}
