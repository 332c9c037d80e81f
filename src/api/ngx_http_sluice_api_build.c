
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * What the validation of a resource document (a type's build hook) is
 * made of: resource names, errors, JSON members, RFC 7396 merge patches,
 * ISO 8601 times, new UUIDs, the created/lastModified pair, IP allow-list
 * entries.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_build.h"
#include "util/sluice_iso8601.h"
#include "util/sluice_uuid.h"


static sluice_json_t *ngx_http_sluice_now_json(sluice_alloc_t *a);
static ngx_int_t ngx_http_sluice_res_acl_rule(sluice_alloc_t *a,
    ngx_sluice_ip_acl_t *acl, ngx_cidr_t *cidr, sluice_json_t *arr,
    sluice_json_t *nm, sluice_json_t *addr, int64_t plen);
static ngx_int_t ngx_http_sluice_res_ip_entry(sluice_alloc_t *a,
    ngx_http_sluice_res_err_t *err, sluice_json_t *e, const char *what,
    ngx_sluice_ip_acl_t *acl, sluice_json_t *arr);


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
        ngx_http_sluice_res_refuse(&b->err, NGX_HTTP_BAD_REQUEST, "BadRequest",
                                   "properties.%s must be a string of at most "
                                   "%uz characters.", name, max);
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
ngx_http_sluice_res_build_start(ngx_http_sluice_res_build_t *b,
    sluice_json_t **props, sluice_json_t **oldp, sluice_json_t **np)
{
    ngx_int_t  rc;

    rc = ngx_http_sluice_res_build_props(b, props, oldp, np);
    if (rc != NGX_OK) {
        return rc;
    }

    return ngx_http_sluice_res_opt_string(b, *props, *np, "description",
                                          4096);
}


ngx_int_t
ngx_http_sluice_res_build_end(ngx_http_sluice_res_build_t *b,
    sluice_json_t *oldp, sluice_json_t *np)
{
    ngx_int_t  rc;

    rc = ngx_http_sluice_res_times(b, oldp, np, !b->load);
    if (rc != NGX_OK) {
        return rc;
    }

    return ngx_http_sluice_res_set(b->a, b->doc, "properties", np);
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


static ngx_int_t
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
ngx_http_sluice_res_tracked(ngx_http_sluice_res_build_t *b, sluice_json_t *doc)
{
    sluice_json_t   *v, *m, *tags;
    sluice_alloc_t  *a;

    a = b->a;
    v = sluice_json_get(b->in, "location");

    if (ngx_http_sluice_absent(v)) {
        v = sluice_json_get(b->old, "location");

        if (v == NULL) {
            ngx_http_sluice_res_refuse(&b->err, NGX_HTTP_BAD_REQUEST,
                                       "LocationRequired",
                                       "The location property is required for "
                                       "this definition.");
        }
    }

    if (v->type != SLUICE_JSON_STRING || v->str.len == 0
        || v->str.len > 128)
    {
        ngx_http_sluice_res_bad(&b->err, "location must be a non-empty "
                                "string.");
    }

    ngx_http_sluice_res_put_member(a, doc, "location",
                                   sluice_json_copy(a, v));

    v = sluice_json_get(b->in, "tags");
    tags = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (tags == NULL) {
        return NGX_ERROR;
    }

    if (!ngx_http_sluice_absent(v)
        && (v->type != SLUICE_JSON_OBJECT
            || v->count > NGX_HTTP_SLUICE_MAX_TAGS))
    {
        ngx_http_sluice_res_bad(&b->err, "tags must be an object of at most "
                                "%d strings.", NGX_HTTP_SLUICE_MAX_TAGS);
    }

    for (m = ngx_http_sluice_absent(v) ? NULL : v->child; m; m = m->next) {
        if (m->type != SLUICE_JSON_STRING || m->key.len > 512
            || m->str.len > 256)
        {
            ngx_http_sluice_res_bad(&b->err, "tag values must be strings "
                                    "(names up to 512, values up to 256 "
                                    "characters).");
        }

        v = sluice_json_copy(a, m);
        if (v == NULL) {
            return NGX_ERROR;
        }

        sluice_json_append(tags, v);
    }

    return ngx_http_sluice_res_set(a, doc, "tags", tags);
}


ngx_int_t
ngx_http_sluice_res_ip_allow(sluice_alloc_t *a, ngx_http_sluice_res_err_t *err,
    sluice_json_t *ip, const char *what, ngx_sluice_ip_acl_t *acl,
    sluice_json_t **norm)
{
    ngx_int_t       rc;
    sluice_json_t  *allow, *e, *arr;

    ngx_memzero(acl, sizeof(ngx_sluice_ip_acl_t));
    *norm = NULL;

    allow = NULL;

    if (!ngx_http_sluice_absent(ip)) {
        if (ip->type != SLUICE_JSON_OBJECT) {
            ngx_http_sluice_res_bad(err, "%s.ip must be an object.",
                                    what);
        }

        allow = sluice_json_get(ip, "allow");
    }

    if (ngx_http_sluice_absent(allow)) {
        acl->allow_all = 1;
        return NGX_OK;
    }

    if (allow->type != SLUICE_JSON_ARRAY) {
        ngx_http_sluice_res_bad(err, "%s.ip.allow must be an array.",
                                what);
    }

    if (allow->count > NGX_SLUICE_MAX_IP_RULES) {
        ngx_http_sluice_res_bad(err, "%s.ip.allow has more than %d "
                                "entries.", what, NGX_SLUICE_MAX_IP_RULES);
    }

    arr = sluice_json_new(a, SLUICE_JSON_ARRAY);
    *norm = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (arr == NULL || *norm == NULL) {
        return NGX_ERROR;
    }

    for (e = allow->child; e; e = e->next) {
        rc = ngx_http_sluice_res_ip_entry(a, err, e, what, acl, arr);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    return ngx_http_sluice_res_set(a, *norm, "allow", arr);
}


/* one entry of an allow-list: its rule to acl, as stored to arr */

static ngx_int_t
ngx_http_sluice_res_ip_entry(sluice_alloc_t *a, ngx_http_sluice_res_err_t *err,
    sluice_json_t *e, const char *what, ngx_sluice_ip_acl_t *acl,
    sluice_json_t *arr)
{
    u_char          text[NGX_SOCKADDR_STRLEN + 8], *last, c;
    size_t          i;
    int64_t         plen, max;
    ngx_str_t       s;
    ngx_cidr_t      cidr;
    sluice_json_t  *nm, *addr, *pl;

    if (e->type != SLUICE_JSON_OBJECT) {
        ngx_http_sluice_res_bad(err, "%s.ip.allow entries must be "
                                "objects.", what);
    }

    nm = sluice_json_get(e, "name");
    addr = sluice_json_get(e, "address");
    pl = sluice_json_get(e, "subnetPrefixLength");

    if (!ngx_http_sluice_absent(nm) && nm->type != SLUICE_JSON_STRING) {
        ngx_http_sluice_res_bad(err, "%s.ip.allow[].name must be a "
                                "string.", what);
    }

    if (addr == NULL || addr->type != SLUICE_JSON_STRING
        || addr->str.len == 0 || addr->str.len > NGX_SOCKADDR_STRLEN)
    {
        ngx_http_sluice_res_bad(err, "%s.ip.allow[].address must be an "
                                "IP address.", what);
    }

    max = 32;

    for (i = 0; i < addr->str.len; i++) {
        c = addr->str.data[i];

        if (c == ':') {
            max = 128;

        } else if (!(c == '.' || (c >= '0' && c <= '9')
                     || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')))
        {
            ngx_http_sluice_res_bad(err, "%s: invalid address \"%*s\".",
                                    what, addr->str.len, addr->str.data);
        }
    }

    if (ngx_http_sluice_absent(pl)) {
        plen = -1;

    } else if (pl->type == SLUICE_JSON_NUMBER && pl->number >= 0
               && pl->number <= max
               && pl->number == (double) (int64_t) pl->number)
    {
        plen = (int64_t) pl->number;

    } else {
        ngx_http_sluice_res_bad(err, "%s: subnetPrefixLength of \"%*s\" "
                                "must be an integer from 0 to %L.", what,
                                addr->str.len, addr->str.data, max);
    }

    last = ngx_sprintf(text, "%*s/%L", addr->str.len, addr->str.data,
                       plen < 0 ? max : plen);

    s.data = text;
    s.len = last - text;

    if (ngx_ptocidr(&s, &cidr) == NGX_ERROR) {
        ngx_http_sluice_res_bad(err, "%s: invalid address \"%*s\".",
                                what, addr->str.len, addr->str.data);
    }

    return ngx_http_sluice_res_acl_rule(a, acl, &cidr, arr, nm, addr,
                                        plen);
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

