
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The binary forms of a cue in segments; see sluice_cue_box.h.
 */


#include "media/codec/sluice_bits.h"
#include "media/signal/sluice_cue_box.h"
#include "media/signal/sluice_cue_text.h"
#include "media/signal/sluice_emsg.h"
#include "media/signal/sluice_id3.h"
#include "media/signal/sluice_scte35.h"


#define SLUICE_CUE_SPARSE_HEADER  12    /* version, id, time delta */


static void sluice_cue_emsg_fill(const sluice_cue_t *c, uint32_t timescale,
    sluice_emsg_t *e, sluice_id3_frame_t *id3, size_t *id3_size);
static int sluice_cue_is_id3_scheme(const sluice_cue_t *c);
static int sluice_cue_is_id3_tag(const sluice_str_t *s);


uint32_t
sluice_cue_id(const sluice_cue_t *c)
{
    size_t    i;
    uint64_t  v;

    if (c->id.len == 0) {
        return c->section.len ? c->event_id : 0;
    }

    v = 0;

    for (i = 0; i < c->id.len && i < 10; i++) {
        if (c->id.data[i] < '0' || c->id.data[i] > '9') {
            break;
        }

        v = v * 10 + (c->id.data[i] - '0');
    }

    if (i == c->id.len && v <= 0xFFFFFFFF) {
        return (uint32_t) v;
    }

    return sluice_scte35_crc32(c->id.data, c->id.len);
}


static int
sluice_cue_is_id3_scheme(const sluice_cue_t *c)
{
    return c->scheme_id_uri.len == sizeof(SLUICE_CUE_SCHEME_ID3) - 1
           && memcmp(c->scheme_id_uri.data, SLUICE_CUE_SCHEME_ID3,
                     sizeof(SLUICE_CUE_SCHEME_ID3) - 1)
              == 0;
}


/*
 * An ID3v2 tag header (ID3 tag version 2.4.0 3.1): "ID3", a major
 * version 2 to 4, a revision below 0xFF, four synchsafe size bytes
 */

static int
sluice_cue_is_id3_tag(const sluice_str_t *s)
{
    const uint8_t  *p;

    p = s->data;

    return s->len >= SLUICE_ID3_HEADER
           && memcmp(p, "ID3", 3) == 0
           && p[3] >= 2 && p[3] <= 4 && p[4] != 0xFF
           && ((p[6] | p[7] | p[8] | p[9]) & 0x80) == 0;
}


/*
 * The emsg of a cue, its message_data empty when the message is an ID3
 * tag to make (*id3_size bytes, from *id3); e->version 2 (unwritable)
 * when the cue has nothing to carry
 */

static void
sluice_cue_emsg_fill(const sluice_cue_t *c, uint32_t timescale,
    sluice_emsg_t *e, sluice_id3_frame_t *id3, size_t *id3_size)
{
    uint64_t                   d;
    static const sluice_str_t  scte35 =
                                   sluice_string(SLUICE_CUE_SCHEME_SCTE35_BIN);
    static const sluice_str_t  id3_owner =
                                   sluice_string(SLUICE_CUE_SCHEME_ID3);

    memset(e, 0, sizeof(sluice_emsg_t));
    *id3_size = 0;

    e->version = 1;
    e->timescale = timescale;
    e->presentation_time = sluice_cue_time(c->time, timescale);
    e->id = sluice_cue_id(c);
    e->event_duration = SLUICE_EMSG_DURATION_UNKNOWN;

    if (c->duration) {
        d = sluice_cue_time(c->duration, timescale);
        e->event_duration = d < SLUICE_EMSG_DURATION_UNKNOWN
                            ? (uint32_t) d : SLUICE_EMSG_DURATION_UNKNOWN - 1;
    }

    if (c->kind != SLUICE_CUE_METADATA) {
        if (c->section.len == 0) {
            e->version = 2;
        }

        e->scheme_id_uri = scte35;
        e->message_data = c->section;
        return;
    }

    e->scheme_id_uri = c->scheme_id_uri;
    e->value = c->value;
    e->message_data = c->data;

    if (!sluice_cue_is_id3_scheme(c) || sluice_cue_is_id3_tag(&c->data)) {
        return;
    }

    id3->frame = SLUICE_ID3_TXXX;
    id3->owner.data = NULL;
    id3->owner.len = 0;
    id3->data = c->data;

    if (c->data.len && memchr(c->data.data, '\0', c->data.len)) {
        id3->frame = SLUICE_ID3_PRIV;
        id3->owner = id3_owner;
    }

    *id3_size = sluice_id3_size(id3);
    e->message_data.len = 0;

    if (*id3_size == 0) {
        e->version = 2;
    }
}


size_t
sluice_cue_emsg_size(const sluice_cue_t *c, uint32_t timescale)
{
    size_t              n, id3_size;
    sluice_emsg_t       e;
    sluice_id3_frame_t  id3;

    sluice_cue_emsg_fill(c, timescale, &e, &id3, &id3_size);

    n = sluice_emsg_size(&e);

    if (n == 0 || id3_size > 0xFFFFFFFF - n) {
        return 0;
    }

    return n + id3_size;
}


uint8_t *
sluice_cue_emsg_write(uint8_t *p, const sluice_cue_t *c, uint32_t timescale)
{
    size_t              n, id3_size;
    sluice_emsg_t       e;
    sluice_id3_frame_t  id3;

    sluice_cue_emsg_fill(c, timescale, &e, &id3, &id3_size);

    n = sluice_emsg_size(&e);

    if (n == 0) {
        return p;
    }

    /* the box without its message, then its size with the tag after it */
    sluice_emsg_write(p, &e);

    if (id3_size == 0) {
        return p + n;
    }

    sluice_wb32(p, (uint32_t) (n + id3_size));

    return sluice_id3_write(p + n, &id3);
}


size_t
sluice_cue_emsg_range_size(const sluice_cue_t *cues, uint32_t n,
    uint64_t start, uint64_t end, uint32_t timescale)
{
    size_t    size;
    uint32_t  i;
    uint64_t  t;

    size = 0;

    for (i = 0; i < n; i++) {
        t = sluice_cue_time(cues[i].time, timescale);

        if (t >= start && t < end) {
            size += sluice_cue_emsg_size(&cues[i], timescale);
        }
    }

    return size;
}


uint8_t *
sluice_cue_emsg_range_write(uint8_t *p, const sluice_cue_t *cues,
    uint32_t n, uint64_t start, uint64_t end, uint32_t timescale)
{
    uint32_t  i;
    uint64_t  t;

    for (i = 0; i < n; i++) {
        t = sluice_cue_time(cues[i].time, timescale);

        if (t >= start && t < end
            && sluice_cue_emsg_size(&cues[i], timescale) != 0)
        {
            p = sluice_cue_emsg_write(p, &cues[i], timescale);
        }
    }

    return p;
}


size_t
sluice_cue_sparse_size(const sluice_cue_t *c)
{
    if (!sluice_cue_is_scte35(c)) {
        return 0;
    }

    return SLUICE_CUE_SPARSE_HEADER + c->section.len;
}


uint8_t *
sluice_cue_sparse_write(uint8_t *p, const sluice_cue_t *c)
{
    if (!sluice_cue_is_scte35(c)) {
        return p;
    }

    p = sluice_wb32(p, 1);
    p = sluice_wb32(p, sluice_cue_id(c));
    p = sluice_wb32(p, 0);
    memcpy(p, c->section.data, c->section.len);

    return p + c->section.len;
}
