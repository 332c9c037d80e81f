
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The EventStream document of an RTMP onUserDataEvent; see
 * sluice_eventstream.h.
 */


#include <strings.h>

#include "media/signal/sluice_eventstream.h"
#include "util/sluice_base64.h"


#define SLUICE_XML_MAX_ATTRS  16


typedef struct {
    const uint8_t      *pos;
    const uint8_t      *end;
    uint8_t            *out;        /* decoded strings go here */
    uint8_t            *out_end;
    const char         *reason;
} sluice_xml_t;


typedef struct {
    sluice_str_t        name;       /* local name, without prefix */
    sluice_str_t        value;      /* decoded */
} sluice_xml_attr_t;


typedef struct {
    sluice_str_t        name;       /* as written, with its prefix */
    sluice_str_t        local;
    uint32_t            nattrs;
    sluice_xml_attr_t   attrs[SLUICE_XML_MAX_ATTRS];
    unsigned            empty:1;    /* <name ... /> */
} sluice_xml_tag_t;


static sluice_status_t sluice_xml_fail(sluice_xml_t *x, const char *why);
static int sluice_xml_starts(sluice_xml_t *x, const char *s);
static sluice_status_t sluice_xml_misc(sluice_xml_t *x);
static sluice_status_t sluice_xml_skip_to(sluice_xml_t *x, const char *s);
static int sluice_xml_name_char(uint8_t c, int first);
static sluice_status_t sluice_xml_name(sluice_xml_t *x, sluice_str_t *name,
    sluice_str_t *local);
static sluice_status_t sluice_xml_start_tag(sluice_xml_t *x,
    sluice_xml_tag_t *tag);
static sluice_status_t sluice_xml_end_tag(sluice_xml_t *x,
    const sluice_xml_tag_t *tag);
static sluice_status_t sluice_xml_decode(sluice_xml_t *x, const uint8_t *p,
    size_t n, sluice_str_t *out);
static sluice_status_t sluice_xml_entity(sluice_xml_t *x, const uint8_t **pp,
    const uint8_t *end, uint8_t **op);
static sluice_status_t sluice_xml_text(sluice_xml_t *x, sluice_str_t *text);
static int sluice_xml_is(const sluice_str_t *s, const char *name);
static const sluice_str_t *sluice_xml_attr(const sluice_xml_tag_t *tag,
    const char *name);
static sluice_status_t sluice_xml_number(sluice_xml_t *x,
    const sluice_str_t *s, uint64_t *v);
static sluice_status_t sluice_eventstream_head(sluice_xml_t *x,
    sluice_eventstream_t *es, sluice_xml_tag_t *tag);
static sluice_status_t sluice_eventstream_event(sluice_xml_t *x,
    sluice_eventstream_t *es, sluice_xml_tag_t *tag);
static sluice_status_t sluice_eventstream_data(sluice_xml_t *x,
    sluice_eventstream_t *es, const sluice_str_t *text);


#define sluice_xml_left(x)  ((size_t) ((x)->end - (x)->pos))
#define sluice_xml_ws(c)                                                      \
    ((c) == ' ' || (c) == '\t' || (c) == '\r' || (c) == '\n')


sluice_status_t
sluice_eventstream_parse(sluice_eventstream_t *es, const uint8_t *p,
    size_t len, uint8_t *buf, size_t size, const char **reason)
{
    sluice_xml_t      x;
    sluice_status_t   rc;
    sluice_xml_tag_t  stream, tag;

    memset(es, 0, sizeof(sluice_eventstream_t));
    es->timescale = 1000;

    x.pos = p;
    x.end = p + len;
    x.out = buf;
    x.out_end = buf + size;
    x.reason = NULL;

    rc = sluice_eventstream_head(&x, es, &stream);

    while (rc == SLUICE_OK) {
        rc = sluice_xml_misc(&x);
        if (rc != SLUICE_OK) {
            break;
        }

        if (sluice_xml_starts(&x, "</")) {
            rc = sluice_xml_end_tag(&x, &stream);
            break;
        }

        if (sluice_xml_left(&x) == 0 || x.pos[0] != '<') {
            rc = sluice_xml_fail(&x, "text or end of data inside EventStream");
            break;
        }

        rc = sluice_xml_start_tag(&x, &tag);
        if (rc != SLUICE_OK) {
            break;
        }

        rc = sluice_eventstream_event(&x, es, &tag);
    }

    if (rc == SLUICE_OK) {
        rc = sluice_xml_misc(&x);
    }

    if (rc == SLUICE_OK && sluice_xml_left(&x)) {
        rc = sluice_xml_fail(&x, "data after </EventStream>");
    }

    if (rc == SLUICE_OK && es->nevents == 0) {
        rc = sluice_xml_fail(&x, "EventStream without an Event");
    }

    if (rc != SLUICE_OK) {
        *reason = x.reason ? x.reason : "malformed EventStream";
        return SLUICE_BAD_DATA;
    }

    return SLUICE_OK;
}


static sluice_status_t
sluice_eventstream_head(sluice_xml_t *x, sluice_eventstream_t *es,
    sluice_xml_tag_t *tag)
{
    const sluice_str_t  *a;

    if (sluice_xml_misc(x) != SLUICE_OK
        || sluice_xml_start_tag(x, tag) != SLUICE_OK)
    {
        return sluice_xml_fail(x, "no EventStream element");
    }

    if (!sluice_xml_is(&tag->local, "EventStream")) {
        return sluice_xml_fail(x, "the root element is not EventStream");
    }

    if (tag->empty) {
        return sluice_xml_fail(x, "EventStream without an Event");
    }

    a = sluice_xml_attr(tag, "schemeIdUri");
    if (a == NULL || a->len == 0) {
        return sluice_xml_fail(x, "EventStream without a schemeIdUri");
    }

    es->scheme_id_uri = *a;

    a = sluice_xml_attr(tag, "value");
    if (a) {
        es->value = *a;
    }

    a = sluice_xml_attr(tag, "timescale");
    if (a) {
        if (sluice_xml_number(x, a, &es->timescale) != SLUICE_OK
            || es->timescale == 0)
        {
            return sluice_xml_fail(x, "bad EventStream@timescale");
        }
    }

    return SLUICE_OK;
}


static sluice_status_t
sluice_eventstream_event(sluice_xml_t *x, sluice_eventstream_t *es,
    sluice_xml_tag_t *tag)
{
    uint64_t             v;
    sluice_str_t         text;
    const sluice_str_t  *a;

    if (!sluice_xml_is(&tag->local, "Event")) {
        return sluice_xml_fail(x, "an element other than Event in "
                               "EventStream");
    }

    text.data = NULL;
    text.len = 0;

    if (!tag->empty) {
        if (sluice_xml_text(x, &text) != SLUICE_OK
            || sluice_xml_end_tag(x, tag) != SLUICE_OK)
        {
            return SLUICE_BAD_DATA;
        }
    }

    if (es->nevents++) {
        return SLUICE_OK;           /* only the first is kept */
    }

    a = sluice_xml_attr(tag, "presentationTime");
    if (a) {
        if (sluice_xml_number(x, a, &v) != SLUICE_OK) {
            return sluice_xml_fail(x, "bad Event@presentationTime");
        }

        es->has_time = 1;
        es->presentation_time = v;
    }

    a = sluice_xml_attr(tag, "duration");
    if (a) {
        if (sluice_xml_number(x, a, &v) != SLUICE_OK) {
            return sluice_xml_fail(x, "bad Event@duration");
        }

        es->has_duration = 1;
        es->duration = v;
    }

    a = sluice_xml_attr(tag, "id");
    if (a) {
        es->id = *a;
    }

    a = sluice_xml_attr(tag, "contentEncoding");
    if (a) {
        if (a->len != 6 || strncasecmp((const char *) a->data, "base64", 6)) {
            return sluice_xml_fail(x, "Event@contentEncoding is not base64");
        }

        es->base64 = 1;
    }

    a = sluice_xml_attr(tag, "messageData");
    if (a) {
        if (text.len) {
            return sluice_xml_fail(x, "Event with both messageData and text");
        }

        text = *a;
    }

    return sluice_eventstream_data(x, es, &text);
}


static sluice_status_t
sluice_eventstream_data(sluice_xml_t *x, sluice_eventstream_t *es,
    const sluice_str_t *text)
{
    size_t    i, n;
    uint8_t  *s;

    es->data = *text;

    if (!es->base64 || text->len == 0) {
        return SLUICE_OK;
    }

    /*
     * base64 text, white space removed, decoded in place: text is in
     * our output buffer, and the decoder writes each 3 bytes after
     * reading their 4 characters (t/unit/test_eventstream.c checks it)
     */
    s = (uint8_t *) text->data;
    n = 0;

    for (i = 0; i < text->len; i++) {
        if (!sluice_xml_ws(s[i])) {
            s[n++] = s[i];
        }
    }

    if (sluice_base64_decode(s, n, s, &n, 0) != SLUICE_OK) {
        return sluice_xml_fail(x, "Event data is not base64");
    }

    es->data.data = s;
    es->data.len = n;

    return SLUICE_OK;
}


static sluice_status_t
sluice_xml_fail(sluice_xml_t *x, const char *why)
{
    if (x->reason == NULL) {
        x->reason = why;
    }

    return SLUICE_BAD_DATA;
}


static int
sluice_xml_starts(sluice_xml_t *x, const char *s)
{
    size_t  n;

    n = strlen(s);

    return sluice_xml_left(x) >= n && memcmp(x->pos, s, n) == 0;
}


static sluice_status_t
sluice_xml_skip_to(sluice_xml_t *x, const char *s)
{
    size_t  n;

    n = strlen(s);

    while (sluice_xml_left(x) >= n) {
        if (memcmp(x->pos, s, n) == 0) {
            x->pos += n;
            return SLUICE_OK;
        }

        x->pos++;
    }

    return sluice_xml_fail(x, "unterminated comment, CDATA or declaration");
}


/* white space, comments and processing instructions (the declaration) */
static sluice_status_t
sluice_xml_misc(sluice_xml_t *x)
{
    for ( ;; ) {
        while (sluice_xml_left(x) && sluice_xml_ws(x->pos[0])) {
            x->pos++;
        }

        if (sluice_xml_starts(x, "<!--")) {
            x->pos += 4;

            if (sluice_xml_skip_to(x, "-->") != SLUICE_OK) {
                return SLUICE_BAD_DATA;
            }

            continue;
        }

        if (sluice_xml_starts(x, "<?")) {
            if (sluice_xml_skip_to(x, "?>") != SLUICE_OK) {
                return SLUICE_BAD_DATA;
            }

            continue;
        }

        if (sluice_xml_starts(x, "<!")) {
            return sluice_xml_fail(x, "DOCTYPE and declarations are refused");
        }

        return SLUICE_OK;
    }
}


static int
sluice_xml_name_char(uint8_t c, int first)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
        || c == ':' || c >= 0x80)
    {
        return 1;
    }

    return !first && ((c >= '0' && c <= '9') || c == '-' || c == '.');
}


static sluice_status_t
sluice_xml_name(sluice_xml_t *x, sluice_str_t *name, sluice_str_t *local)
{
    const uint8_t  *p;

    p = x->pos;

    if (p == x->end || !sluice_xml_name_char(*p, 1)) {
        return sluice_xml_fail(x, "bad XML name");
    }

    while (p < x->end && sluice_xml_name_char(*p, 0)) {
        p++;
    }

    name->data = x->pos;
    name->len = p - x->pos;
    *local = *name;

    while (p > name->data && p[-1] != ':') {
        p--;
    }

    if (p > name->data) {
        local->data = p;
        local->len = name->data + name->len - p;
    }

    x->pos = name->data + name->len;

    return local->len ? SLUICE_OK : sluice_xml_fail(x, "bad XML name");
}


static sluice_status_t
sluice_xml_start_tag(sluice_xml_t *x, sluice_xml_tag_t *tag)
{
    uint8_t             q;
    sluice_str_t        name;
    const uint8_t      *v;
    sluice_xml_attr_t  *a, dummy;

    memset(tag, 0, sizeof(sluice_xml_tag_t));

    if (!sluice_xml_starts(x, "<")) {
        return sluice_xml_fail(x, "an element expected");
    }

    x->pos++;

    if (sluice_xml_name(x, &tag->name, &tag->local) != SLUICE_OK) {
        return SLUICE_BAD_DATA;
    }

    for ( ;; ) {
        while (sluice_xml_left(x) && sluice_xml_ws(x->pos[0])) {
            x->pos++;
        }

        if (sluice_xml_starts(x, "/>")) {
            x->pos += 2;
            tag->empty = 1;
            return SLUICE_OK;
        }

        if (sluice_xml_starts(x, ">")) {
            x->pos++;
            return SLUICE_OK;
        }

        a = tag->nattrs < SLUICE_XML_MAX_ATTRS
            ? &tag->attrs[tag->nattrs++] : &dummy;

        if (sluice_xml_name(x, &name, &a->name) != SLUICE_OK) {
            return SLUICE_BAD_DATA;
        }

        while (sluice_xml_left(x) && sluice_xml_ws(x->pos[0])) {
            x->pos++;
        }

        if (!sluice_xml_starts(x, "=")) {
            return sluice_xml_fail(x, "attribute without a value");
        }

        x->pos++;

        while (sluice_xml_left(x) && sluice_xml_ws(x->pos[0])) {
            x->pos++;
        }

        if (sluice_xml_left(x) == 0
            || (x->pos[0] != '"' && x->pos[0] != '\''))
        {
            return sluice_xml_fail(x, "attribute value without quotes");
        }

        q = *x->pos++;
        v = memchr(x->pos, q, sluice_xml_left(x));

        if (v == NULL || memchr(x->pos, '<', v - x->pos)) {
            return sluice_xml_fail(x, "bad attribute value");
        }

        if (sluice_xml_decode(x, x->pos, v - x->pos, &a->value)
            != SLUICE_OK)
        {
            return SLUICE_BAD_DATA;
        }

        x->pos = v + 1;
    }
}


static sluice_status_t
sluice_xml_end_tag(sluice_xml_t *x, const sluice_xml_tag_t *tag)
{
    sluice_str_t  name, local;

    if (!sluice_xml_starts(x, "</")) {
        return sluice_xml_fail(x, "an end tag expected");
    }

    x->pos += 2;

    if (sluice_xml_name(x, &name, &local) != SLUICE_OK) {
        return SLUICE_BAD_DATA;
    }

    while (sluice_xml_left(x) && sluice_xml_ws(x->pos[0])) {
        x->pos++;
    }

    if (!sluice_xml_starts(x, ">")
        || name.len != tag->name.len
        || memcmp(name.data, tag->name.data, name.len) != 0)
    {
        return sluice_xml_fail(x, "mismatched end tag");
    }

    x->pos++;

    return SLUICE_OK;
}


/* p[0..n) with entities and character references decoded, to x->out */
static sluice_status_t
sluice_xml_decode(sluice_xml_t *x, const uint8_t *p, size_t n,
    sluice_str_t *out)
{
    uint8_t        *o;
    const uint8_t  *end;

    if (n > (size_t) (x->out_end - x->out)) {
        return sluice_xml_fail(x, "no room for the decoded text");
    }

    o = x->out;
    end = p + n;
    out->data = o;

    while (p < end) {
        if (*p != '&') {
            *o++ = *p++;
            continue;
        }

        if (sluice_xml_entity(x, &p, end, &o) != SLUICE_OK) {
            return SLUICE_BAD_DATA;
        }
    }

    out->len = o - out->data;
    x->out = o;

    return SLUICE_OK;
}


/* one "&...;" at *pp: never longer decoded than written */
static sluice_status_t
sluice_xml_entity(sluice_xml_t *x, const uint8_t **pp, const uint8_t *end,
    uint8_t **op)
{
    size_t          i, n;
    uint8_t        *o;
    uint32_t        c, base, d;
    const uint8_t  *p, *semi;

    static const struct {
        const char  *name;
        uint8_t      c;
    }  named[] = {
        { "lt", '<' }, { "gt", '>' }, { "amp", '&' }, { "quot", '"' },
        { "apos", '\'' }
    };

    p = *pp + 1;
    semi = memchr(p, ';', end - p);

    if (semi == NULL || semi == p || semi - p > 10) {
        return sluice_xml_fail(x, "bad entity");
    }

    n = semi - p;
    o = *op;
    *pp = semi + 1;

    if (p[0] != '#') {
        for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
            if (strlen(named[i].name) == n
                && memcmp(named[i].name, p, n) == 0)
            {
                *o++ = named[i].c;
                *op = o;
                return SLUICE_OK;
            }
        }

        return sluice_xml_fail(x, "unknown entity");
    }

    p++;
    base = 10;

    if (p < semi && *p == 'x') {
        base = 16;
        p++;
    }

    if (p == semi) {
        return sluice_xml_fail(x, "bad character reference");
    }

    for (c = 0; p < semi; p++) {
        if (*p >= '0' && *p <= '9') {
            d = *p - '0';

        } else if (base == 16 && (*p | 0x20) >= 'a' && (*p | 0x20) <= 'f') {
            d = (*p | 0x20) - 'a' + 10;

        } else {
            return sluice_xml_fail(x, "bad character reference");
        }

        c = c * base + d;

        if (c > 0x10FFFF) {
            return sluice_xml_fail(x, "bad character reference");
        }
    }

    if (c == 0 || (c >= 0xD800 && c <= 0xDFFF)) {
        return sluice_xml_fail(x, "bad character reference");
    }

    /* UTF-8 */
    if (c < 0x80) {
        *o++ = (uint8_t) c;

    } else if (c < 0x800) {
        *o++ = (uint8_t) (0xC0 | (c >> 6));
        *o++ = (uint8_t) (0x80 | (c & 0x3F));

    } else if (c < 0x10000) {
        *o++ = (uint8_t) (0xE0 | (c >> 12));
        *o++ = (uint8_t) (0x80 | ((c >> 6) & 0x3F));
        *o++ = (uint8_t) (0x80 | (c & 0x3F));

    } else {
        *o++ = (uint8_t) (0xF0 | (c >> 18));
        *o++ = (uint8_t) (0x80 | ((c >> 12) & 0x3F));
        *o++ = (uint8_t) (0x80 | ((c >> 6) & 0x3F));
        *o++ = (uint8_t) (0x80 | (c & 0x3F));
    }

    *op = o;

    return SLUICE_OK;
}


/* the text content of an element up to its end tag: no child element */
static sluice_status_t
sluice_xml_text(sluice_xml_t *x, sluice_str_t *text)
{
    sluice_str_t    piece;
    const uint8_t  *p, *start;

    text->data = x->out;
    text->len = 0;

    for ( ;; ) {
        start = x->pos;
        p = memchr(start, '<', sluice_xml_left(x));

        if (p == NULL) {
            return sluice_xml_fail(x, "Event without its end tag");
        }

        if (sluice_xml_decode(x, start, p - start, &piece) != SLUICE_OK) {
            return SLUICE_BAD_DATA;
        }

        text->len += piece.len;
        x->pos = p;

        if (sluice_xml_starts(x, "<![CDATA[")) {
            x->pos += 9;
            start = x->pos;

            if (sluice_xml_skip_to(x, "]]>") != SLUICE_OK) {
                return SLUICE_BAD_DATA;
            }

            /* raw bytes: copied as they are */
            if ((size_t) (x->pos - 3 - start)
                > (size_t) (x->out_end - x->out))
            {
                return sluice_xml_fail(x, "no room for the decoded text");
            }

            memcpy(x->out, start, x->pos - 3 - start);
            x->out += x->pos - 3 - start;
            text->len += x->pos - 3 - start;
            continue;
        }

        if (sluice_xml_starts(x, "<!--")) {
            x->pos += 4;

            if (sluice_xml_skip_to(x, "-->") != SLUICE_OK) {
                return SLUICE_BAD_DATA;
            }

            continue;
        }

        if (sluice_xml_starts(x, "</")) {
            return SLUICE_OK;
        }

        return sluice_xml_fail(x, "child elements of Event are refused");
    }
}


static int
sluice_xml_is(const sluice_str_t *s, const char *name)
{
    return s->len == strlen(name) && memcmp(s->data, name, s->len) == 0;
}


static const sluice_str_t *
sluice_xml_attr(const sluice_xml_tag_t *tag, const char *name)
{
    uint32_t  i;

    for (i = 0; i < tag->nattrs; i++) {
        if (sluice_xml_is(&tag->attrs[i].name, name)) {
            return &tag->attrs[i].value;
        }
    }

    return NULL;
}


/* xs:unsignedLong, optional surrounding white space */
static sluice_status_t
sluice_xml_number(sluice_xml_t *x, const sluice_str_t *s, uint64_t *v)
{
    size_t    i, n;
    uint64_t  r;

    i = 0;
    n = s->len;

    while (i < n && sluice_xml_ws(s->data[i])) {
        i++;
    }

    while (n > i && sluice_xml_ws(s->data[n - 1])) {
        n--;
    }

    if (i == n) {
        return SLUICE_BAD_DATA;
    }

    for (r = 0; i < n; i++) {
        if (s->data[i] < '0' || s->data[i] > '9'
            || r > (UINT64_MAX - (s->data[i] - '0')) / 10)
        {
            return SLUICE_BAD_DATA;
        }

        r = r * 10 + (s->data[i] - '0');
    }

    *v = r;

    return SLUICE_OK;
}
