
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * One cue from an RTMP AMF0 data message; see sluice_adcue.h.
 */


#include <stdlib.h>

#include "media/codec/sluice_bits.h"
#include "media/container/sluice_amf.h"
#include "media/signal/sluice_adcue.h"
#include "media/signal/sluice_eventstream.h"
#include "media/signal/sluice_scte35.h"
#include "util/sluice_base64.h"


#define SLUICE_ADCUE_MAX_MS   (1ULL << 53)    /* where doubles stay exact */


/* the fields of an onAdCue object or of onCuePoint's parameters */
typedef struct {
    sluice_str_t         name;
    sluice_str_t         type;
    sluice_str_t         cue;
    sluice_str_t         id;
    uint64_t             time;          /* ms */
    uint64_t             duration;
    uint64_t             elapsed;
    unsigned             has_name:1;
    unsigned             has_type:1;
    unsigned             has_cue:1;
    unsigned             has_id:1;
    unsigned             has_time:1;
    unsigned             has_duration:1;
    unsigned             has_elapsed:1;
    sluice_amf_reader_t  params;        /* onCuePoint's parameters */
} sluice_adcue_fields_t;


typedef struct {
    uint8_t             *pos;
    uint8_t             *end;
} sluice_adcue_arena_t;


static sluice_status_t sluice_adcue_ad_cue(sluice_cue_t *cue,
    sluice_amf_reader_t *r, sluice_adcue_arena_t *a, const char **reason);
static sluice_status_t sluice_adcue_cue_point(sluice_cue_t *cue,
    sluice_amf_reader_t *r, sluice_adcue_arena_t *a, const char **reason);
static sluice_status_t sluice_adcue_user_data(sluice_cue_t *cue,
    sluice_amf_reader_t *r, sluice_adcue_arena_t *a, const char **reason);
static sluice_status_t sluice_adcue_fields(sluice_amf_reader_t *r,
    sluice_adcue_fields_t *f, sluice_adcue_arena_t *a, int top,
    const char **reason);
static sluice_status_t sluice_adcue_field(sluice_amf_reader_t *r,
    const sluice_str_t *key, sluice_adcue_fields_t *f,
    sluice_adcue_arena_t *a, int top, const char **reason);
static sluice_status_t sluice_adcue_ms(sluice_amf_reader_t *r,
    uint64_t *ms, const char **reason);
static sluice_status_t sluice_adcue_seconds(double v, uint64_t *ms,
    const char **reason);
static sluice_status_t sluice_adcue_id(sluice_amf_reader_t *r,
    sluice_str_t *id, sluice_adcue_arena_t *a, const char **reason);
static sluice_status_t sluice_adcue_common(sluice_cue_t *cue,
    const sluice_adcue_fields_t *f, const char **reason);
static sluice_status_t sluice_adcue_section(sluice_cue_t *cue,
    const sluice_str_t *b64, sluice_adcue_arena_t *a, const char **reason);
static sluice_status_t sluice_adcue_binary(sluice_cue_t *cue,
    const uint8_t *p, size_t len, sluice_adcue_arena_t *a,
    const char **reason);
static uint32_t sluice_adcue_kind(const sluice_scte35_t *s);
static sluice_status_t sluice_adcue_make(sluice_cue_t *cue,
    sluice_adcue_arena_t *a, const char **reason);
static int sluice_adcue_is(const sluice_str_t *s, const char *name);
static uint8_t *sluice_adcue_decimal(sluice_adcue_arena_t *a, uint64_t v,
    sluice_str_t *s);
static int sluice_adcue_u32(const sluice_str_t *s, uint32_t *v);


#define sluice_adcue_left(r)  ((size_t) ((r)->end - (r)->pos))


sluice_status_t
sluice_adcue_parse(sluice_cue_t *cue, const uint8_t *p, size_t len,
    uint8_t *buf, size_t size, const char **reason)
{
    sluice_str_t          name;
    sluice_amf_reader_t   r;
    sluice_adcue_arena_t  a;

    memset(cue, 0, sizeof(sluice_cue_t));

    r.pos = p;
    r.end = p + len;
    a.pos = buf;
    a.end = buf + size;

    if (sluice_amf_read_string(&r, &name) != SLUICE_OK) {
        *reason = "not an AMF0 data message";
        return SLUICE_NOT_FOUND;
    }

    if (sluice_adcue_is(&name, "@setDataFrame")
        && sluice_amf_read_string(&r, &name) != SLUICE_OK)
    {
        *reason = "not an AMF0 data message";
        return SLUICE_NOT_FOUND;
    }

    if (sluice_adcue_is(&name, "onAdCue")) {
        return sluice_adcue_ad_cue(cue, &r, &a, reason);
    }

    if (sluice_adcue_is(&name, "onCuePoint")) {
        return sluice_adcue_cue_point(cue, &r, &a, reason);
    }

    if (sluice_adcue_is(&name, "onUserDataEvent")) {
        return sluice_adcue_user_data(cue, &r, &a, reason);
    }

    *reason = "not a cue message";
    return SLUICE_NOT_FOUND;
}


static sluice_status_t
sluice_adcue_ad_cue(sluice_cue_t *cue, sluice_amf_reader_t *r,
    sluice_adcue_arena_t *a, const char **reason)
{
    int                    simple;
    sluice_status_t        rc;
    sluice_adcue_fields_t  f;

    rc = sluice_adcue_fields(r, &f, a, 0, reason);
    if (rc != SLUICE_OK) {
        return rc;
    }

    if (f.has_type) {
        if (sluice_adcue_is(&f.type, "SpliceOut")) {
            simple = 1;

        } else if (sluice_adcue_is(&f.type, "scte35")
                   || sluice_adcue_is(&f.type, "urn:scte:scte35:2013:bin"))
        {
            simple = 0;

        } else {
            *reason = "onAdCue type is neither SpliceOut nor scte35";
            return SLUICE_BAD_DATA;
        }

    } else if (f.has_cue) {
        /* the 2019 revision of AMS's spec names the type "cue" */
        simple = sluice_adcue_is(&f.cue, "SpliceOut");

    } else {
        *reason = "onAdCue without a type or a cue";
        return SLUICE_BAD_DATA;
    }

    if (!f.has_time) {
        *reason = "onAdCue without a time";
        return SLUICE_BAD_DATA;
    }

    rc = sluice_adcue_common(cue, &f, reason);
    if (rc != SLUICE_OK) {
        return rc;
    }

    if (simple) {
        if (!f.has_duration) {
            *reason = "onAdCue SpliceOut without a duration";
            return SLUICE_BAD_DATA;
        }

        cue->source = SLUICE_CUE_FROM_SIMPLE;
        cue->kind = SLUICE_CUE_SPLICE_OUT;

        return sluice_adcue_make(cue, a, reason);
    }

    if (!f.has_cue) {
        *reason = "onAdCue scte35 without a cue";
        return SLUICE_BAD_DATA;
    }

    cue->source = SLUICE_CUE_FROM_SCTE35;

    return sluice_adcue_section(cue, &f.cue, a, reason);
}


static sluice_status_t
sluice_adcue_cue_point(sluice_cue_t *cue, sluice_amf_reader_t *r,
    sluice_adcue_arena_t *a, const char **reason)
{
    sluice_status_t        rc;
    sluice_adcue_fields_t  f, pf;

    rc = sluice_adcue_fields(r, &f, a, 1, reason);
    if (rc != SLUICE_OK) {
        return rc;
    }

    if (!f.has_name || !sluice_adcue_is(&f.name, "scte35")) {
        *reason = "onCuePoint name is not scte35";
        return SLUICE_UNSUPPORTED;
    }

    if (!f.has_type || !sluice_adcue_is(&f.type, "event")) {
        *reason = "onCuePoint type is not event";
        return SLUICE_UNSUPPORTED;
    }

    memset(&pf, 0, sizeof(pf));

    if (f.params.pos) {
        rc = sluice_adcue_fields(&f.params, &pf, a, 0, reason);
        if (rc != SLUICE_OK) {
            return rc;
        }
    }

    /* the parameters give id, duration and cue; time is the message's */
    if (!f.has_id && pf.has_id) {
        f.id = pf.id;
        f.has_id = 1;
    }

    if (!f.has_duration && pf.has_duration) {
        f.duration = pf.duration;
        f.has_duration = 1;
    }

    if (!f.has_time && pf.has_time) {
        f.time = pf.time;
        f.has_time = 1;
    }

    if (!f.has_time) {
        *reason = "onCuePoint without a time";
        return SLUICE_BAD_DATA;
    }

    rc = sluice_adcue_common(cue, &f, reason);
    if (rc != SLUICE_OK) {
        return rc;
    }

    cue->source = SLUICE_CUE_FROM_CUEPOINT;

    if (pf.has_cue || f.has_cue) {
        return sluice_adcue_section(cue, pf.has_cue ? &pf.cue : &f.cue, a,
                                    reason);
    }

    cue->kind = SLUICE_CUE_SPLICE_OUT;

    return sluice_adcue_make(cue, a, reason);
}


static sluice_status_t
sluice_adcue_user_data(sluice_cue_t *cue, sluice_amf_reader_t *r,
    sluice_adcue_arena_t *a, const char **reason)
{
    sluice_str_t          xml;
    sluice_status_t       rc;
    sluice_eventstream_t  es;

    if (sluice_amf_read_string(r, &xml) != SLUICE_OK) {
        *reason = "onUserDataEvent without an EventStream string";
        return SLUICE_BAD_DATA;
    }

    rc = sluice_eventstream_parse(&es, xml.data, xml.len, a->pos,
                                  a->end - a->pos, reason);
    if (rc != SLUICE_OK) {
        return rc;
    }

    cue->kind = SLUICE_CUE_METADATA;
    cue->source = SLUICE_CUE_FROM_USERDATA;
    cue->scheme_id_uri = es.scheme_id_uri;
    cue->value = es.value;
    cue->data = es.data;
    cue->id = es.id;

    if (es.has_time) {
        if (es.presentation_time / es.timescale
            >= SLUICE_ADCUE_MAX_MS / 1000)
        {
            *reason = "Event@presentationTime too large";
            return SLUICE_BAD_DATA;
        }

        cue->has_time = 1;
        cue->time = sluice_rescale(es.presentation_time, es.timescale, 1000);
    }

    if (es.has_duration) {
        if (es.duration / es.timescale > SLUICE_CUE_MAX_DURATION / 1000) {
            *reason = "Event@duration over 24 hours";
            return SLUICE_BAD_DATA;
        }

        cue->duration = sluice_rescale(es.duration, es.timescale, 1000);

        if (cue->duration > SLUICE_CUE_MAX_DURATION) {
            *reason = "Event@duration over 24 hours";
            return SLUICE_BAD_DATA;
        }
    }

    return SLUICE_OK;
}


/* an object or an ECMA array of properties */
static sluice_status_t
sluice_adcue_fields(sluice_amf_reader_t *r, sluice_adcue_fields_t *f,
    sluice_adcue_arena_t *a, int top, const char **reason)
{
    size_t           n;
    sluice_str_t     key;
    sluice_status_t  rc;

    memset(f, 0, sizeof(sluice_adcue_fields_t));

    if (sluice_adcue_left(r) >= 1 && r->pos[0] == SLUICE_AMF_OBJECT) {
        r->pos++;

    } else if (sluice_adcue_left(r) >= 5
               && r->pos[0] == SLUICE_AMF_ECMA_ARRAY)
    {
        r->pos += 5;

    } else {
        *reason = "cue message without an object of properties";
        return SLUICE_BAD_DATA;
    }

    for ( ;; ) {

        /* some encoders leave the end marker out */
        if (sluice_adcue_left(r) == 0) {
            return SLUICE_OK;
        }

        if (sluice_adcue_left(r) < 2
            || sluice_adcue_left(r) - 2 < (n = sluice_rb16(r->pos)))
        {
            *reason = "malformed AMF0 property name";
            return SLUICE_BAD_DATA;
        }

        key.data = r->pos + 2;
        key.len = n;
        r->pos += 2 + n;

        if (n == 0 && sluice_adcue_left(r)
            && r->pos[0] == SLUICE_AMF_OBJECT_END)
        {
            r->pos++;
            return SLUICE_OK;
        }

        rc = sluice_adcue_field(r, &key, f, a, top, reason);
        if (rc != SLUICE_OK) {
            return rc;
        }
    }
}


static sluice_status_t
sluice_adcue_field(sluice_amf_reader_t *r, const sluice_str_t *key,
    sluice_adcue_fields_t *f, sluice_adcue_arena_t *a, int top,
    const char **reason)
{
    unsigned       marker, params;
    sluice_str_t  *s;

    marker = sluice_adcue_left(r) ? r->pos[0] : 0xFF;
    params = 0;
    s = NULL;

    if (sluice_adcue_is(key, "time")) {
        f->has_time = 1;
        return sluice_adcue_ms(r, &f->time, reason);
    }

    if (sluice_adcue_is(key, "duration")) {
        f->has_duration = 1;

        if (sluice_adcue_ms(r, &f->duration, reason) != SLUICE_OK) {
            return SLUICE_BAD_DATA;
        }

        if (f->duration > SLUICE_CUE_MAX_DURATION) {
            *reason = "duration over 24 hours";
            return SLUICE_BAD_DATA;
        }

        return SLUICE_OK;
    }

    if (sluice_adcue_is(key, "elapsed")) {
        f->has_elapsed = 1;
        return sluice_adcue_ms(r, &f->elapsed, reason);
    }

    if (sluice_adcue_is(key, "id")) {
        f->has_id = 1;
        return sluice_adcue_id(r, &f->id, a, reason);
    }

    if (sluice_adcue_is(key, "type")) {
        s = &f->type;
        f->has_type = 1;

    } else if (sluice_adcue_is(key, "cue")) {
        s = &f->cue;
        f->has_cue = 1;

    } else if (sluice_adcue_is(key, "name")) {
        s = &f->name;
        f->has_name = 1;

    } else if (top && sluice_adcue_is(key, "parameters")
               && (marker == SLUICE_AMF_OBJECT
                   || marker == SLUICE_AMF_ECMA_ARRAY))
    {
        f->params.pos = r->pos;
        params = 1;
    }

    if (s) {
        if (sluice_amf_read_string(r, s) != SLUICE_OK) {
            *reason = "type, cue or name is not a string";
            return SLUICE_BAD_DATA;
        }

        return SLUICE_OK;
    }

    if (sluice_amf_skip_value(r) != SLUICE_OK) {
        *reason = "malformed AMF0 value";
        return SLUICE_BAD_DATA;
    }

    if (params) {
        f->params.end = r->pos;
    }

    return SLUICE_OK;
}


/* seconds, a number or a decimal string, to milliseconds */
static sluice_status_t
sluice_adcue_ms(sluice_amf_reader_t *r, uint64_t *ms, const char **reason)
{
    char          tmp[32], *end;
    double        v;
    sluice_str_t  s;

    if (sluice_adcue_left(r) && r->pos[0] == SLUICE_AMF_NUMBER) {
        if (sluice_amf_read_number(r, &v) != SLUICE_OK) {
            *reason = "malformed AMF0 number";
            return SLUICE_BAD_DATA;
        }

        return sluice_adcue_seconds(v, ms, reason);
    }

    if (sluice_amf_read_string(r, &s) != SLUICE_OK
        || s.len == 0 || s.len >= sizeof(tmp))
    {
        *reason = "time, duration or elapsed is not a number of seconds";
        return SLUICE_BAD_DATA;
    }

    memcpy(tmp, s.data, s.len);
    tmp[s.len] = '\0';

    /* a decimal number: no hexadecimal, "inf" or "nan" */
    if (strspn(tmp, "0123456789.-+eE") != s.len) {
        *reason = "time, duration or elapsed is not a number of seconds";
        return SLUICE_BAD_DATA;
    }

    v = strtod(tmp, &end);

    if (*end != '\0') {
        *reason = "time, duration or elapsed is not a number of seconds";
        return SLUICE_BAD_DATA;
    }

    return sluice_adcue_seconds(v, ms, reason);
}


static sluice_status_t
sluice_adcue_seconds(double v, uint64_t *ms, const char **reason)
{
    if (v != v) {
        *reason = "time, duration or elapsed is not a number";
        return SLUICE_BAD_DATA;
    }

    if (v < 0) {
        *reason = "negative time, duration or elapsed";
        return SLUICE_BAD_DATA;
    }

    if (v * 1000 >= (double) SLUICE_ADCUE_MAX_MS) {
        *reason = "time, duration or elapsed too large";
        return SLUICE_BAD_DATA;
    }

    *ms = (uint64_t) (v * 1000 + 0.5);

    return SLUICE_OK;
}


/* a string, or an integral number written in decimal */
static sluice_status_t
sluice_adcue_id(sluice_amf_reader_t *r, sluice_str_t *id,
    sluice_adcue_arena_t *a, const char **reason)
{
    double  v;

    if (sluice_adcue_left(r) && r->pos[0] == SLUICE_AMF_NUMBER) {
        if (sluice_amf_read_number(r, &v) != SLUICE_OK
            || v != v || v < 0 || v >= (double) SLUICE_ADCUE_MAX_MS
            || v != (double) (uint64_t) v)
        {
            *reason = "id is neither a string nor a whole number";
            return SLUICE_BAD_DATA;
        }

        if (sluice_adcue_decimal(a, (uint64_t) v, id) == NULL) {
            *reason = "no room for the cue";
            return SLUICE_NO_MEMORY;
        }

        return SLUICE_OK;
    }

    if (sluice_amf_read_string(r, id) != SLUICE_OK) {
        *reason = "id is neither a string nor a whole number";
        return SLUICE_BAD_DATA;
    }

    return SLUICE_OK;
}


static sluice_status_t
sluice_adcue_common(sluice_cue_t *cue, const sluice_adcue_fields_t *f,
    const char **reason)
{
    cue->has_time = 1;
    cue->time = f->time;

    if (f->has_id) {
        cue->id = f->id;
    }

    if (f->has_duration) {
        cue->duration = f->duration;
    }

    if (f->has_elapsed) {
        if (f->elapsed > SLUICE_CUE_MAX_DURATION) {
            *reason = "elapsed over 24 hours";
            return SLUICE_BAD_DATA;
        }

        cue->has_elapsed = 1;
        cue->elapsed = f->elapsed;
    }

    return SLUICE_OK;
}


/* a base64 splice_info_section: decoded, checked, its kind */
static sluice_status_t
sluice_adcue_section(sluice_cue_t *cue, const sluice_str_t *b64,
    sluice_adcue_arena_t *a, const char **reason)
{
    size_t  n;

    if (sluice_base64_decoded_len(b64->len)
        > (size_t) (a->end - a->pos))
    {
        *reason = "no room for the cue";
        return SLUICE_NO_MEMORY;
    }

    if (sluice_base64_decode(b64->data, b64->len, a->pos, &n, 0)
        != SLUICE_OK)
    {
        *reason = "cue is not base64";
        return SLUICE_BAD_DATA;
    }

    a->pos += n;

    return sluice_adcue_binary(cue, a->pos - n, n, a, reason);
}


sluice_status_t
sluice_adcue_from_section(sluice_cue_t *cue, const uint8_t *p, size_t len,
    uint8_t *buf, size_t size, const char **reason)
{
    sluice_adcue_arena_t  a;

    a.pos = buf;
    a.end = buf + size;

    return sluice_adcue_binary(cue, p, len, &a, reason);
}


/* a binary splice_info_section p[0..len): checked, its kind */
static sluice_status_t
sluice_adcue_binary(sluice_cue_t *cue, const uint8_t *p, size_t len,
    sluice_adcue_arena_t *a, const char **reason)
{
    uint64_t         d;
    sluice_status_t  rc;
    sluice_scte35_t  s;

    rc = sluice_scte35_parse(&s, p, len, reason);
    if (rc != SLUICE_OK) {
        return rc;
    }

    cue->section = s.section;

    cue->kind = sluice_adcue_kind(&s);
    cue->event_id = s.event_id;

    if (s.command_type == SLUICE_SCTE35_TIME_SIGNAL && s.nsegmentations) {
        cue->event_id = s.segmentations[0].event_id;
    }

    /* the message's duration first, else the section's */
    if (cue->duration == 0) {
        d = 0;

        if (s.command_type == SLUICE_SCTE35_SPLICE_INSERT
            && s.duration_flag)
        {
            d = s.break_duration;

        } else if (s.nsegmentations && s.segmentations[0].has_duration) {
            d = s.segmentations[0].duration;
        }

        cue->duration = (d + 45) / 90;

        if (cue->duration > SLUICE_CUE_MAX_DURATION) {
            *reason = "splice_info_section duration over 24 hours";
            return SLUICE_BAD_DATA;
        }
    }

    if (cue->id.len == 0) {
        if (sluice_adcue_decimal(a, cue->event_id, &cue->id) == NULL) {
            *reason = "no room for the cue";
            return SLUICE_NO_MEMORY;
        }

        cue->id_made = 1;
    }

    return SLUICE_OK;
}


static uint32_t
sluice_adcue_kind(const sluice_scte35_t *s)
{
    uint32_t  t;

    if (s->command_type == SLUICE_SCTE35_SPLICE_INSERT) {
        if (s->event_cancel) {
            return SLUICE_CUE_CMD;
        }

        return s->out_of_network ? SLUICE_CUE_SPLICE_OUT
                                 : SLUICE_CUE_SPLICE_IN;
    }

    if (s->command_type != SLUICE_SCTE35_TIME_SIGNAL
        || s->nsegmentations == 0 || s->segmentations[0].cancel)
    {
        return SLUICE_CUE_CMD;
    }

    t = s->segmentations[0].type_id;

    switch (t) {

    case 0x22:      /* break start */
    case 0x30:      /* provider advertisement start */
    case 0x32:      /* distributor advertisement start */
    case 0x34:      /* provider placement opportunity start */
    case 0x36:      /* distributor placement opportunity start */
    case 0x38:      /* provider overlay placement opportunity start */
    case 0x3A:      /* distributor overlay placement opportunity start */
    case 0x44:      /* provider ad block start */
    case 0x46:      /* distributor ad block start */
        return SLUICE_CUE_SPLICE_OUT;

    case 0x23:
    case 0x31:
    case 0x33:
    case 0x35:
    case 0x37:
    case 0x39:
    case 0x3B:
    case 0x45:
    case 0x47:
        return SLUICE_CUE_SPLICE_IN;

    default:
        return SLUICE_CUE_CMD;
    }
}


/* simple mode: the splice_insert the cue stands for */
static sluice_status_t
sluice_adcue_make(sluice_cue_t *cue, sluice_adcue_arena_t *a,
    const char **reason)
{
    size_t                  n;
    uint32_t                id;
    sluice_scte35_splice_t  sp;

    if (!sluice_adcue_u32(&cue->id, &id)) {
        id = cue->id.len ? sluice_scte35_crc32(cue->id.data, cue->id.len)
                         : 0;
    }

    memset(&sp, 0, sizeof(sp));
    sp.command_type = SLUICE_SCTE35_SPLICE_INSERT;
    sp.event_id = id;
    sp.out_of_network = 1;
    sp.time_specified = 1;
    sp.pts_time = (cue->time * 90) & SLUICE_SCTE35_PTS_MASK;
    sp.has_duration = cue->duration ? 1 : 0;
    sp.auto_return = 1;
    sp.duration = cue->duration * 90;
    sp.unique_program_id = 1;

    n = sluice_scte35_size(&sp);

    if (n > (size_t) (a->end - a->pos)) {
        *reason = "no room for the cue";
        return SLUICE_NO_MEMORY;
    }

    cue->section.data = a->pos;
    cue->section.len = n;
    cue->section_made = 1;
    cue->event_id = id;
    a->pos = sluice_scte35_write(a->pos, &sp);

    return SLUICE_OK;
}


static int
sluice_adcue_is(const sluice_str_t *s, const char *name)
{
    size_t  i, n;
    int     a, b;

    n = strlen(name);

    if (s->len != n) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        a = s->data[i];
        b = (unsigned char) name[i];

        if (a >= 'A' && a <= 'Z') {
            a += 'a' - 'A';
        }

        if (b >= 'A' && b <= 'Z') {
            b += 'a' - 'A';
        }

        if (a != b) {
            return 0;
        }
    }

    return 1;
}


static uint8_t *
sluice_adcue_decimal(sluice_adcue_arena_t *a, uint64_t v, sluice_str_t *s)
{
    uint8_t   tmp[20], *p;
    size_t    n;

    p = tmp + sizeof(tmp);

    do {
        *--p = (uint8_t) ('0' + v % 10);
        v /= 10;
    } while (v);

    n = tmp + sizeof(tmp) - p;

    if (n > (size_t) (a->end - a->pos)) {
        return NULL;
    }

    s->data = memcpy(a->pos, p, n);
    s->len = n;
    a->pos += n;

    return a->pos;
}


/* a decimal that fits 32 bits */
static int
sluice_adcue_u32(const sluice_str_t *s, uint32_t *v)
{
    size_t    i;
    uint64_t  r;

    if (s->len == 0 || s->len > 10) {
        return 0;
    }

    for (r = 0, i = 0; i < s->len; i++) {
        if (s->data[i] < '0' || s->data[i] > '9') {
            return 0;
        }

        r = r * 10 + (s->data[i] - '0');
    }

    if (r > 0xFFFFFFFF) {
        return 0;
    }

    *v = (uint32_t) r;

    return 1;
}
