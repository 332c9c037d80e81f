
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "util/sluice_json.h"


#define SLUICE_JSON_MAX_MEMBERS  1024


typedef struct {
    sluice_alloc_t      *alloc;
    const uint8_t       *pos;
    const uint8_t       *start;
    const uint8_t       *end;
    const char          *reason;
    sluice_status_t      status;
} sluice_json_parser_t;


static sluice_json_t *sluice_json_parse_value(sluice_json_parser_t *p,
    unsigned depth);
static sluice_json_t *sluice_json_parse_object(sluice_json_parser_t *p,
    unsigned depth);
static sluice_json_t *sluice_json_parse_array(sluice_json_parser_t *p,
    unsigned depth);
static sluice_status_t sluice_json_parse_string(sluice_json_parser_t *p,
    sluice_str_t *out);
static sluice_status_t sluice_json_parse_escape(sluice_json_parser_t *p,
    uint8_t **d);
static sluice_status_t sluice_json_parse_unicode(sluice_json_parser_t *p,
    uint32_t *cp);
static sluice_json_t *sluice_json_parse_number(sluice_json_parser_t *p);
static sluice_json_t *sluice_json_parse_literal(sluice_json_parser_t *p);
static size_t sluice_json_utf8_len(const uint8_t *p, const uint8_t *end);
static int sluice_json_hex4(const uint8_t *p, uint32_t *v);
static void *sluice_json_alloc(sluice_json_parser_t *p, size_t size);


static const char  sluice_json_hex[] = "0123456789abcdef";


static void *
sluice_json_alloc(sluice_json_parser_t *p, size_t size)
{
    void  *m;

    m = p->alloc->alloc(p->alloc->ctx, size);
    if (m == NULL) {
        p->status = SLUICE_NO_MEMORY;
        p->reason = "out of memory";
    }

    return m;
}


static sluice_json_t *
sluice_json_fail(sluice_json_parser_t *p, const char *reason)
{
    if (p->status == SLUICE_OK) {
        p->status = SLUICE_BAD_REQUEST;
        p->reason = reason;
    }

    return NULL;
}


static void
sluice_json_skip_ws(sluice_json_parser_t *p)
{
    while (p->pos < p->end
           && (*p->pos == ' ' || *p->pos == '\t' || *p->pos == '\n'
               || *p->pos == '\r'))
    {
        p->pos++;
    }
}


sluice_status_t
sluice_json_parse(sluice_alloc_t *a, const uint8_t *data, size_t len,
    sluice_json_t **root, const char **reason, size_t *offset)
{
    sluice_json_t         *v;
    sluice_json_parser_t   p;

    p.alloc = a;
    p.start = data;
    p.pos = data;
    p.end = data + len;
    p.reason = NULL;
    p.status = SLUICE_OK;

    sluice_json_skip_ws(&p);

    v = sluice_json_parse_value(&p, 0);

    if (v != NULL) {
        sluice_json_skip_ws(&p);

        if (p.pos != p.end) {
            v = sluice_json_fail(&p, "unexpected data after the JSON value");
        }
    }

    if (v == NULL) {
        if (reason) {
            *reason = p.reason;
        }

        if (offset) {
            *offset = p.pos - p.start;
        }

        return p.status;
    }

    *root = v;

    return SLUICE_OK;
}


static sluice_json_t *
sluice_json_parse_value(sluice_json_parser_t *p, unsigned depth)
{
    sluice_json_t  *v;

    if (p->pos == p->end) {
        return sluice_json_fail(p, "unexpected end of JSON");
    }

    switch (*p->pos) {

    case '{':
        if (depth >= SLUICE_JSON_MAX_DEPTH) {
            return sluice_json_fail(p, "JSON nested too deeply");
        }

        return sluice_json_parse_object(p, depth + 1);

    case '[':
        if (depth >= SLUICE_JSON_MAX_DEPTH) {
            return sluice_json_fail(p, "JSON nested too deeply");
        }

        return sluice_json_parse_array(p, depth + 1);

    case '"':
        v = sluice_json_alloc(p, sizeof(sluice_json_t));
        if (v == NULL) {
            return NULL;
        }

        memset(v, 0, sizeof(sluice_json_t));
        v->type = SLUICE_JSON_STRING;

        if (sluice_json_parse_string(p, &v->str) != SLUICE_OK) {
            return NULL;
        }

        return v;

    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        return sluice_json_parse_number(p);

    default:
        return sluice_json_parse_literal(p);
    }
}


static sluice_json_t *
sluice_json_parse_object(sluice_json_parser_t *p, unsigned depth)
{
    sluice_str_t    key;
    sluice_json_t  *obj, *v, *m;

    obj = sluice_json_alloc(p, sizeof(sluice_json_t));
    if (obj == NULL) {
        return NULL;
    }

    memset(obj, 0, sizeof(sluice_json_t));
    obj->type = SLUICE_JSON_OBJECT;

    p->pos++;   /* '{' */
    sluice_json_skip_ws(p);

    if (p->pos < p->end && *p->pos == '}') {
        p->pos++;
        return obj;
    }

    for ( ;; ) {
        sluice_json_skip_ws(p);

        if (p->pos == p->end || *p->pos != '"') {
            return sluice_json_fail(p, "expected a member name");
        }

        if (sluice_json_parse_string(p, &key) != SLUICE_OK) {
            return NULL;
        }

        for (m = obj->child; m; m = m->next) {
            if (m->key.len == key.len
                && memcmp(m->key.data, key.data, key.len) == 0)
            {
                return sluice_json_fail(p, "duplicate member name");
            }
        }

        if (obj->count >= SLUICE_JSON_MAX_MEMBERS) {
            return sluice_json_fail(p, "too many members in an object");
        }

        sluice_json_skip_ws(p);

        if (p->pos == p->end || *p->pos != ':') {
            return sluice_json_fail(p, "expected ':'");
        }

        p->pos++;
        sluice_json_skip_ws(p);

        v = sluice_json_parse_value(p, depth);
        if (v == NULL) {
            return NULL;
        }

        v->key = key;
        sluice_json_append(obj, v);

        sluice_json_skip_ws(p);

        if (p->pos == p->end) {
            return sluice_json_fail(p, "unexpected end of JSON");
        }

        if (*p->pos == ',') {
            p->pos++;
            continue;
        }

        if (*p->pos == '}') {
            p->pos++;
            return obj;
        }

        return sluice_json_fail(p, "expected ',' or '}'");
    }
}


static sluice_json_t *
sluice_json_parse_array(sluice_json_parser_t *p, unsigned depth)
{
    sluice_json_t  *arr, *v;

    arr = sluice_json_alloc(p, sizeof(sluice_json_t));
    if (arr == NULL) {
        return NULL;
    }

    memset(arr, 0, sizeof(sluice_json_t));
    arr->type = SLUICE_JSON_ARRAY;

    p->pos++;   /* '[' */
    sluice_json_skip_ws(p);

    if (p->pos < p->end && *p->pos == ']') {
        p->pos++;
        return arr;
    }

    for ( ;; ) {
        sluice_json_skip_ws(p);

        v = sluice_json_parse_value(p, depth);
        if (v == NULL) {
            return NULL;
        }

        sluice_json_append(arr, v);

        sluice_json_skip_ws(p);

        if (p->pos == p->end) {
            return sluice_json_fail(p, "unexpected end of JSON");
        }

        if (*p->pos == ',') {
            p->pos++;
            continue;
        }

        if (*p->pos == ']') {
            p->pos++;
            return arr;
        }

        return sluice_json_fail(p, "expected ',' or ']'");
    }
}


static int
sluice_json_hex4(const uint8_t *p, uint32_t *v)
{
    int       i;
    uint8_t   c;
    uint32_t  n;

    n = 0;

    for (i = 0; i < 4; i++) {
        c = p[i];

        if (c >= '0' && c <= '9') {
            n = n * 16 + (c - '0');

        } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
            n = n * 16 + ((c | 0x20) - 'a' + 10);

        } else {
            return -1;
        }
    }

    *v = n;

    return 0;
}


/* length of a valid UTF-8 sequence at p, 0 when invalid */

static size_t
sluice_json_utf8_len(const uint8_t *p, const uint8_t *end)
{
    uint8_t  c;
    size_t   n, i;

    c = p[0];

    if (c < 0x80) {
        return 1;
    }

    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;

    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;

    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;

    } else {
        return 0;
    }

    if ((size_t) (end - p) < n) {
        return 0;
    }

    for (i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
    }

    /* overlong forms, surrogates, beyond U+10FFFF */

    if ((c == 0xe0 && p[1] < 0xa0)
        || (c == 0xed && p[1] > 0x9f)
        || (c == 0xf0 && p[1] < 0x90)
        || (c == 0xf4 && p[1] > 0x8f))
    {
        return 0;
    }

    return n;
}


static uint8_t *
sluice_json_put_utf8(uint8_t *d, uint32_t cp)
{
    if (cp < 0x80) {
        *d++ = (uint8_t) cp;

    } else if (cp < 0x800) {
        *d++ = (uint8_t) (0xc0 | (cp >> 6));
        *d++ = (uint8_t) (0x80 | (cp & 0x3f));

    } else if (cp < 0x10000) {
        *d++ = (uint8_t) (0xe0 | (cp >> 12));
        *d++ = (uint8_t) (0x80 | ((cp >> 6) & 0x3f));
        *d++ = (uint8_t) (0x80 | (cp & 0x3f));

    } else {
        *d++ = (uint8_t) (0xf0 | (cp >> 18));
        *d++ = (uint8_t) (0x80 | ((cp >> 12) & 0x3f));
        *d++ = (uint8_t) (0x80 | ((cp >> 6) & 0x3f));
        *d++ = (uint8_t) (0x80 | (cp & 0x3f));
    }

    return d;
}


static sluice_status_t
sluice_json_parse_string(sluice_json_parser_t *p, sluice_str_t *out)
{
    size_t            n;
    uint8_t          *d, *buf;
    const uint8_t    *s;
    sluice_status_t   rc;

    p->pos++;   /* '"' */

    /* find the end and validate; the unescaped form is never longer */

    for (s = p->pos; s < p->end && *s != '"'; s++) {
        if (*s == '\\') {
            s++;
            if (s == p->end) {
                break;
            }
        }
    }

    if (s == p->end) {
        sluice_json_fail(p, "unterminated string");
        return p->status;
    }

    buf = sluice_json_alloc(p, (s - p->pos) + 1);
    if (buf == NULL) {
        return p->status;
    }

    d = buf;

    while (*p->pos != '"') {

        if (*p->pos < 0x20) {
            sluice_json_fail(p, "control character in a string");
            return p->status;
        }

        if (*p->pos == '\\') {
            rc = sluice_json_parse_escape(p, &d);
            if (rc != SLUICE_OK) {
                return rc;
            }

            continue;
        }

        n = sluice_json_utf8_len(p->pos, p->end);
        if (n == 0) {
            sluice_json_fail(p, "invalid UTF-8 in a string");
            return p->status;
        }

        memcpy(d, p->pos, n);
        d += n;
        p->pos += n;
    }

    p->pos++;   /* '"' */

    *d = '\0';
    out->data = buf;
    out->len = d - buf;

    return SLUICE_OK;
}


/* the escape at p->pos ('\\'): its character written at *d, then passed */

static sluice_status_t
sluice_json_parse_escape(sluice_json_parser_t *p, uint8_t **d)
{
    uint32_t  cp;

    p->pos++;

    switch (*p->pos) {
    case '"':  cp = '"'; break;
    case '\\': cp = '\\'; break;
    case '/':  cp = '/'; break;
    case 'b':  cp = '\b'; break;
    case 'f':  cp = '\f'; break;
    case 'n':  cp = '\n'; break;
    case 'r':  cp = '\r'; break;
    case 't':  cp = '\t'; break;

    case 'u':
        if (sluice_json_parse_unicode(p, &cp) != SLUICE_OK) {
            return p->status;
        }

        break;

    default:
        sluice_json_fail(p, "invalid escape in a string");
        return p->status;
    }

    *d = sluice_json_put_utf8(*d, cp);
    p->pos++;

    return SLUICE_OK;
}


/*
 * "\uXXXX" at p->pos ('u'), or a surrogate pair "\uXXXX\uXXXX": the code
 * point; p->pos is left on the last hex digit
 */

static sluice_status_t
sluice_json_parse_unicode(sluice_json_parser_t *p, uint32_t *cp)
{
    uint32_t  lo;

    if (p->end - p->pos < 5 || sluice_json_hex4(p->pos + 1, cp) != 0) {
        sluice_json_fail(p, "invalid \\u escape");
        return p->status;
    }

    p->pos += 4;

    if (*cp >= 0xdc00 && *cp <= 0xdfff) {
        sluice_json_fail(p, "lone low surrogate in a string");
        return p->status;
    }

    if (*cp >= 0xd800 && *cp <= 0xdbff) {
        if (p->end - p->pos < 7
            || p->pos[1] != '\\' || p->pos[2] != 'u'
            || sluice_json_hex4(p->pos + 3, &lo) != 0
            || lo < 0xdc00 || lo > 0xdfff)
        {
            sluice_json_fail(p, "lone high surrogate in a string");
            return p->status;
        }

        p->pos += 6;
        *cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
    }

    if (*cp == 0) {
        sluice_json_fail(p, "NUL character in a string");
        return p->status;
    }

    return SLUICE_OK;
}


static sluice_json_t *
sluice_json_parse_number(sluice_json_parser_t *p)
{
    char           *text;
    size_t          len;
    sluice_json_t  *v;
    const uint8_t  *s;

    s = p->pos;

    if (s < p->end && *s == '-') {
        s++;
    }

    if (s == p->end || *s < '0' || *s > '9') {
        return sluice_json_fail(p, "invalid number");
    }

    if (*s == '0') {
        s++;

    } else {
        while (s < p->end && *s >= '0' && *s <= '9') {
            s++;
        }
    }

    if (s < p->end && *s == '.') {
        s++;

        if (s == p->end || *s < '0' || *s > '9') {
            return sluice_json_fail(p, "invalid number");
        }

        while (s < p->end && *s >= '0' && *s <= '9') {
            s++;
        }
    }

    if (s < p->end && (*s == 'e' || *s == 'E')) {
        s++;

        if (s < p->end && (*s == '+' || *s == '-')) {
            s++;
        }

        if (s == p->end || *s < '0' || *s > '9') {
            return sluice_json_fail(p, "invalid number");
        }

        while (s < p->end && *s >= '0' && *s <= '9') {
            s++;
        }
    }

    len = s - p->pos;

    if (len > 64) {
        return sluice_json_fail(p, "number too long");
    }

    v = sluice_json_alloc(p, sizeof(sluice_json_t) + len + 1);
    if (v == NULL) {
        return NULL;
    }

    memset(v, 0, sizeof(sluice_json_t));
    text = (char *) (v + 1);
    memcpy(text, p->pos, len);
    text[len] = '\0';

    v->type = SLUICE_JSON_NUMBER;
    v->str.data = (uint8_t *) text;
    v->str.len = len;
    v->number = strtod(text, NULL);

    p->pos = s;

    return v;
}


static sluice_json_t *
sluice_json_parse_literal(sluice_json_parser_t *p)
{
    size_t          left;
    sluice_json_t  *v;

    left = p->end - p->pos;

    v = sluice_json_alloc(p, sizeof(sluice_json_t));
    if (v == NULL) {
        return NULL;
    }

    memset(v, 0, sizeof(sluice_json_t));

    if (left >= 4 && memcmp(p->pos, "null", 4) == 0) {
        v->type = SLUICE_JSON_NULL;
        p->pos += 4;

    } else if (left >= 4 && memcmp(p->pos, "true", 4) == 0) {
        v->type = SLUICE_JSON_BOOL;
        v->boolean = 1;
        p->pos += 4;

    } else if (left >= 5 && memcmp(p->pos, "false", 5) == 0) {
        v->type = SLUICE_JSON_BOOL;
        p->pos += 5;

    } else {
        return sluice_json_fail(p, "invalid JSON value");
    }

    return v;
}


size_t
sluice_json_write_string(const uint8_t *s, size_t len, uint8_t *out)
{
    size_t   n, i;
    uint8_t  c;

    n = 0;

    if (out) {
        out[n] = '"';
    }

    n++;

    for (i = 0; i < len; i++) {
        c = s[i];

        if (c == '"' || c == '\\') {
            if (out) {
                out[n] = '\\';
                out[n + 1] = c;
            }

            n += 2;

        } else if (c < 0x20 || c == 0x7f) {
            if (out) {
                out[n] = '\\';
                out[n + 1] = 'u';
                out[n + 2] = '0';
                out[n + 3] = '0';
                out[n + 4] = sluice_json_hex[c >> 4];
                out[n + 5] = sluice_json_hex[c & 0xf];
            }

            n += 6;

        } else {
            if (out) {
                out[n] = c;
            }

            n++;
        }
    }

    if (out) {
        out[n] = '"';
    }

    return n + 1;
}


static size_t
sluice_json_write_raw(const char *s, size_t len, uint8_t *out)
{
    if (out) {
        memcpy(out, s, len);
    }

    return len;
}


size_t
sluice_json_write(const sluice_json_t *v, uint8_t *out)
{
    size_t          n;
    sluice_json_t  *c;

    switch (v->type) {

    case SLUICE_JSON_NULL:
        return sluice_json_write_raw("null", 4, out);

    case SLUICE_JSON_BOOL:
        return v->boolean ? sluice_json_write_raw("true", 4, out)
                          : sluice_json_write_raw("false", 5, out);

    case SLUICE_JSON_NUMBER:
        return sluice_json_write_raw((const char *) v->str.data, v->str.len,
                                     out);

    case SLUICE_JSON_STRING:
        return sluice_json_write_string(v->str.data, v->str.len, out);

    case SLUICE_JSON_ARRAY:
    case SLUICE_JSON_OBJECT:
        break;
    }

    n = sluice_json_write_raw(v->type == SLUICE_JSON_ARRAY ? "[" : "{", 1,
                              out);

    for (c = v->child; c; c = c->next) {
        if (c != v->child) {
            n += sluice_json_write_raw(",", 1, out ? out + n : NULL);
        }

        if (v->type == SLUICE_JSON_OBJECT) {
            n += sluice_json_write_string(c->key.data, c->key.len,
                                          out ? out + n : NULL);
            n += sluice_json_write_raw(":", 1, out ? out + n : NULL);
        }

        n += sluice_json_write(c, out ? out + n : NULL);
    }

    n += sluice_json_write_raw(v->type == SLUICE_JSON_ARRAY ? "]" : "}", 1,
                               out ? out + n : NULL);

    return n;
}


sluice_json_t *
sluice_json_get(const sluice_json_t *v, const char *name)
{
    return sluice_json_get_n(v, name, strlen(name));
}


sluice_json_t *
sluice_json_get_n(const sluice_json_t *v, const char *name, size_t len)
{
    sluice_json_t  *m;

    if (v == NULL || v->type != SLUICE_JSON_OBJECT) {
        return NULL;
    }

    for (m = v->child; m; m = m->next) {
        if (m->key.len == len && memcmp(m->key.data, name, len) == 0) {
            return m;
        }
    }

    return NULL;
}


int
sluice_json_str_eq(const sluice_json_t *v, const char *s)
{
    size_t  len;

    if (v == NULL || v->type != SLUICE_JSON_STRING) {
        return 0;
    }

    len = strlen(s);

    return v->str.len == len && memcmp(v->str.data, s, len) == 0;
}


sluice_json_t *
sluice_json_new(sluice_alloc_t *a, sluice_json_type_t type)
{
    sluice_json_t  *v;

    v = a->alloc(a->ctx, sizeof(sluice_json_t));
    if (v == NULL) {
        return NULL;
    }

    memset(v, 0, sizeof(sluice_json_t));
    v->type = type;

    return v;
}


sluice_json_t *
sluice_json_new_string(sluice_alloc_t *a, const uint8_t *s, size_t len)
{
    uint8_t        *d;
    sluice_json_t  *v;

    v = a->alloc(a->ctx, sizeof(sluice_json_t) + len + 1);
    if (v == NULL) {
        return NULL;
    }

    memset(v, 0, sizeof(sluice_json_t));
    d = (uint8_t *) (v + 1);

    if (len) {
        memcpy(d, s, len);
    }

    d[len] = '\0';

    v->type = SLUICE_JSON_STRING;
    v->str.data = d;
    v->str.len = len;

    return v;
}


sluice_json_t *
sluice_json_new_cstring(sluice_alloc_t *a, const char *s)
{
    return sluice_json_new_string(a, (const uint8_t *) s, strlen(s));
}


sluice_json_t *
sluice_json_new_bool(sluice_alloc_t *a, int b)
{
    sluice_json_t  *v;

    v = sluice_json_new(a, SLUICE_JSON_BOOL);
    if (v) {
        v->boolean = b ? 1 : 0;
    }

    return v;
}


sluice_json_t *
sluice_json_new_int(sluice_alloc_t *a, int64_t n)
{
    char            buf[32];
    int             len;
    sluice_json_t  *v;

    len = snprintf(buf, sizeof(buf), "%lld", (long long) n);

    v = sluice_json_new_string(a, (const uint8_t *) buf, len);
    if (v) {
        v->type = SLUICE_JSON_NUMBER;
        v->number = (double) n;
    }

    return v;
}


sluice_json_t *
sluice_json_copy(sluice_alloc_t *a, const sluice_json_t *v)
{
    sluice_json_t  *n, *c, *cc;

    if (v->type == SLUICE_JSON_STRING || v->type == SLUICE_JSON_NUMBER) {
        n = sluice_json_new_string(a, v->str.data, v->str.len);
        if (n == NULL) {
            return NULL;
        }

        n->type = v->type;
        n->number = v->number;

    } else {
        n = sluice_json_new(a, v->type);
        if (n == NULL) {
            return NULL;
        }

        n->boolean = v->boolean;
    }

    n->key = v->key;

    for (c = v->child; c; c = c->next) {
        cc = sluice_json_copy(a, c);
        if (cc == NULL) {
            return NULL;
        }

        sluice_json_append(n, cc);
    }

    return n;
}


sluice_status_t
sluice_json_set(sluice_alloc_t *a, sluice_json_t *obj, const char *name,
    sluice_json_t *val)
{
    size_t          len;
    uint8_t        *key;
    sluice_json_t  *m, *prev;

    len = strlen(name);

    key = a->alloc(a->ctx, len + 1);
    if (key == NULL) {
        return SLUICE_NO_MEMORY;
    }

    memcpy(key, name, len + 1);
    val->key.data = key;
    val->key.len = len;

    prev = NULL;

    for (m = obj->child; m; prev = m, m = m->next) {
        if (m->key.len == len && memcmp(m->key.data, name, len) == 0) {
            val->next = m->next;

            if (prev) {
                prev->next = val;

            } else {
                obj->child = val;
            }

            if (obj->last == m) {
                obj->last = val;
            }

            return SLUICE_OK;
        }
    }

    sluice_json_append(obj, val);

    return SLUICE_OK;
}


void
sluice_json_remove(sluice_json_t *obj, const char *name)
{
    size_t          len;
    sluice_json_t  *m, *prev;

    len = strlen(name);
    prev = NULL;

    for (m = obj->child; m; prev = m, m = m->next) {
        if (m->key.len == len && memcmp(m->key.data, name, len) == 0) {
            if (prev) {
                prev->next = m->next;

            } else {
                obj->child = m->next;
            }

            if (obj->last == m) {
                obj->last = prev;
            }

            obj->count--;
            return;
        }
    }
}


void
sluice_json_append(sluice_json_t *arr, sluice_json_t *val)
{
    val->next = NULL;

    if (arr->last) {
        arr->last->next = val;

    } else {
        arr->child = val;
    }

    arr->last = val;
    arr->count++;
}
