
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The DASH event message box; see sluice_emsg.h.
 */


#include "media/codec/sluice_bits.h"
#include "media/signal/sluice_emsg.h"


#define SLUICE_EMSG_HEADER  12      /* size, 'emsg', version and flags */


static int sluice_emsg_cstr_ok(const sluice_str_t *s);
static uint8_t *sluice_emsg_cstr(uint8_t *p, const sluice_str_t *s);
static const uint8_t *sluice_emsg_read_cstr(const uint8_t *p,
    const uint8_t *end, sluice_str_t *s);


static int
sluice_emsg_cstr_ok(const sluice_str_t *s)
{
    return s->len == 0 || memchr(s->data, '\0', s->len) == NULL;
}


size_t
sluice_emsg_size(const sluice_emsg_t *e)
{
    size_t  n;

    if (e->version > 1
        || (e->version == 0 && e->presentation_time > 0xFFFFFFFF)
        || !sluice_emsg_cstr_ok(&e->scheme_id_uri)
        || !sluice_emsg_cstr_ok(&e->value))
    {
        return 0;
    }

    n = SLUICE_EMSG_HEADER + (e->version ? 20 : 16)
        + e->scheme_id_uri.len + 1 + e->value.len + 1;

    if (e->message_data.len > 0xFFFFFFFF - n) {
        return 0;
    }

    return n + e->message_data.len;
}


static uint8_t *
sluice_emsg_cstr(uint8_t *p, const sluice_str_t *s)
{
    if (s->len) {
        memcpy(p, s->data, s->len);
        p += s->len;
    }

    *p++ = '\0';

    return p;
}


uint8_t *
sluice_emsg_write(uint8_t *p, const sluice_emsg_t *e)
{
    p = sluice_wb32(p, (uint32_t) sluice_emsg_size(e));
    memcpy(p, "emsg", 4);
    p += 4;
    p = sluice_wb32(p, e->version << 24);       /* flags 0 */

    if (e->version == 0) {
        p = sluice_emsg_cstr(p, &e->scheme_id_uri);
        p = sluice_emsg_cstr(p, &e->value);
        p = sluice_wb32(p, e->timescale);
        p = sluice_wb32(p, (uint32_t) e->presentation_time);
        p = sluice_wb32(p, e->event_duration);
        p = sluice_wb32(p, e->id);

    } else {
        p = sluice_wb32(p, e->timescale);
        p = sluice_wb64(p, e->presentation_time);
        p = sluice_wb32(p, e->event_duration);
        p = sluice_wb32(p, e->id);
        p = sluice_emsg_cstr(p, &e->scheme_id_uri);
        p = sluice_emsg_cstr(p, &e->value);
    }

    if (e->message_data.len) {
        memcpy(p, e->message_data.data, e->message_data.len);
        p += e->message_data.len;
    }

    return p;
}


/* a NUL-terminated string in p[0..end); NULL if the NUL is missing */
static const uint8_t *
sluice_emsg_read_cstr(const uint8_t *p, const uint8_t *end,
    sluice_str_t *s)
{
    const uint8_t  *nul;

    nul = memchr(p, '\0', end - p);
    if (nul == NULL) {
        return NULL;
    }

    s->data = p;
    s->len = nul - p;

    return nul + 1;
}


sluice_status_t
sluice_emsg_parse(sluice_emsg_t *e, const uint8_t *p, size_t len,
    size_t *used, const char **reason)
{
    size_t          size, fixed;
    const uint8_t  *end;

    memset(e, 0, sizeof(sluice_emsg_t));

    if (len < 8) {
        *used = 8;
        return SLUICE_AGAIN;
    }

    size = sluice_rb32(p);

    if (memcmp(p + 4, "emsg", 4) != 0) {
        *reason = "not an emsg box";
        return SLUICE_BAD_DATA;
    }

    if (size < SLUICE_EMSG_HEADER) {
        *reason = "emsg box size too small (64-bit sizes are refused)";
        return SLUICE_BAD_DATA;
    }

    if (size > len) {
        *used = size;
        return SLUICE_AGAIN;
    }

    *used = size;
    end = p + size;
    e->version = p[8];

    if (e->version > 1) {
        *reason = "emsg version over 1";
        return SLUICE_BAD_DATA;
    }

    p += SLUICE_EMSG_HEADER;
    fixed = e->version ? 20 : 16;

    if (e->version == 0) {
        p = sluice_emsg_read_cstr(p, end, &e->scheme_id_uri);
        p = p ? sluice_emsg_read_cstr(p, end, &e->value) : NULL;

        if (p == NULL) {
            *reason = "emsg string without its NUL";
            return SLUICE_BAD_DATA;
        }
    }

    if ((size_t) (end - p) < fixed) {
        *reason = "emsg fields past the box";
        return SLUICE_BAD_DATA;
    }

    e->timescale = sluice_rb32(p);

    if (e->version == 0) {
        e->presentation_time = sluice_rb32(p + 4);
        p += 8;

    } else {
        e->presentation_time = sluice_rb64(p + 4);
        p += 12;
    }

    e->event_duration = sluice_rb32(p);
    e->id = sluice_rb32(p + 4);
    p += 8;

    if (e->version == 1) {
        p = sluice_emsg_read_cstr(p, end, &e->scheme_id_uri);
        p = p ? sluice_emsg_read_cstr(p, end, &e->value) : NULL;

        if (p == NULL) {
            *reason = "emsg string without its NUL";
            return SLUICE_BAD_DATA;
        }
    }

    e->message_data.data = p;
    e->message_data.len = end - p;

    return SLUICE_OK;
}
