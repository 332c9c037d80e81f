
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include "media/codec/sluice_bits.h"
#include "media/container/sluice_amf.h"


typedef struct {
    const char     *name;
    size_t          offset;         /* of the double in the metadata */
    uint32_t        have;
} sluice_amf_field_t;


static sluice_status_t sluice_amf_skip(sluice_amf_reader_t *r,
    unsigned depth);
static sluice_status_t sluice_amf_skip_properties(sluice_amf_reader_t *r,
    unsigned depth);
static sluice_status_t sluice_amf_read_key(sluice_amf_reader_t *r,
    sluice_str_t *key);
static sluice_status_t sluice_amf_metadata_value(sluice_amf_reader_t *r,
    sluice_str_t *key, sluice_amf_metadata_t *md);
static int sluice_amf_key_is(sluice_str_t *key, const char *name);


#define sluice_amf_left(r)  ((size_t) ((r)->end - (r)->pos))


static const sluice_amf_field_t  sluice_amf_fields[] = {
    { "width", offsetof(sluice_amf_metadata_t, width),
      SLUICE_AMF_HAVE_WIDTH },
    { "height", offsetof(sluice_amf_metadata_t, height),
      SLUICE_AMF_HAVE_HEIGHT },
    { "videodatarate", offsetof(sluice_amf_metadata_t, videodatarate),
      SLUICE_AMF_HAVE_VIDEODATARATE },
    { "audiodatarate", offsetof(sluice_amf_metadata_t, audiodatarate),
      SLUICE_AMF_HAVE_AUDIODATARATE },
    { "framerate", offsetof(sluice_amf_metadata_t, framerate),
      SLUICE_AMF_HAVE_FRAMERATE },
    { "videocodecid", offsetof(sluice_amf_metadata_t, videocodecid),
      SLUICE_AMF_HAVE_VIDEOCODECID },
    { "audiocodecid", offsetof(sluice_amf_metadata_t, audiocodecid),
      SLUICE_AMF_HAVE_AUDIOCODECID },
    { "audiosamplerate", offsetof(sluice_amf_metadata_t, audiosamplerate),
      SLUICE_AMF_HAVE_AUDIOSAMPLERATE },
    { "audiochannels", offsetof(sluice_amf_metadata_t, audiochannels),
      SLUICE_AMF_HAVE_AUDIOCHANNELS },
    { NULL, 0, 0 }
};


sluice_status_t
sluice_amf_read_number(sluice_amf_reader_t *r, double *v)
{
    uint64_t  bits;

    if (sluice_amf_left(r) < 9 || r->pos[0] != SLUICE_AMF_NUMBER) {
        return SLUICE_BAD_DATA;
    }

    bits = sluice_rb64(r->pos + 1);
    memcpy(v, &bits, sizeof(double));
    r->pos += 9;

    return SLUICE_OK;
}


sluice_status_t
sluice_amf_read_string(sluice_amf_reader_t *r, sluice_str_t *s)
{
    size_t  n, hdr;

    if (sluice_amf_left(r) < 3) {
        return SLUICE_BAD_DATA;
    }

    if (r->pos[0] == SLUICE_AMF_STRING) {
        hdr = 3;
        n = sluice_rb16(r->pos + 1);

    } else if (r->pos[0] == SLUICE_AMF_LONG_STRING) {
        if (sluice_amf_left(r) < 5) {
            return SLUICE_BAD_DATA;
        }

        hdr = 5;
        n = sluice_rb32(r->pos + 1);

    } else {
        return SLUICE_BAD_DATA;
    }

    if (sluice_amf_left(r) - hdr < n) {
        return SLUICE_BAD_DATA;
    }

    s->data = r->pos + hdr;
    s->len = n;
    r->pos += hdr + n;

    return SLUICE_OK;
}


sluice_status_t
sluice_amf_skip_value(sluice_amf_reader_t *r)
{
    return sluice_amf_skip(r, 0);
}


static sluice_status_t
sluice_amf_skip_bytes(sluice_amf_reader_t *r, size_t n)
{
    if (sluice_amf_left(r) < n) {
        return SLUICE_BAD_DATA;
    }

    r->pos += n;

    return SLUICE_OK;
}


static sluice_status_t
sluice_amf_skip(sluice_amf_reader_t *r, unsigned depth)
{
    uint8_t          type;
    uint32_t         i, n;
    sluice_str_t     s;
    sluice_status_t  rc;

    if (depth >= SLUICE_AMF_MAX_DEPTH || sluice_amf_left(r) < 1) {
        return SLUICE_BAD_DATA;
    }

    type = r->pos[0];

    switch (type) {

    case SLUICE_AMF_NUMBER:
        return sluice_amf_skip_bytes(r, 9);

    case SLUICE_AMF_BOOLEAN:
        return sluice_amf_skip_bytes(r, 2);

    case SLUICE_AMF_STRING:
    case SLUICE_AMF_LONG_STRING:
        return sluice_amf_read_string(r, &s);

    case SLUICE_AMF_XML:
        if (sluice_amf_left(r) < 5) {
            return SLUICE_BAD_DATA;
        }

        n = sluice_rb32(r->pos + 1);
        r->pos += 5;

        return sluice_amf_skip_bytes(r, n);

    case SLUICE_AMF_NULL:
    case SLUICE_AMF_UNDEFINED:
    case SLUICE_AMF_UNSUPPORTED:
        r->pos++;
        return SLUICE_OK;

    case SLUICE_AMF_REFERENCE:
        return sluice_amf_skip_bytes(r, 3);

    case SLUICE_AMF_DATE:
        return sluice_amf_skip_bytes(r, 11);

    case SLUICE_AMF_OBJECT:
        r->pos++;
        return sluice_amf_skip_properties(r, depth + 1);

    case SLUICE_AMF_ECMA_ARRAY:
        rc = sluice_amf_skip_bytes(r, 5);

        if (rc != SLUICE_OK) {
            return rc;
        }

        return sluice_amf_skip_properties(r, depth + 1);

    case SLUICE_AMF_TYPED_OBJECT:
        r->pos++;

        if (sluice_amf_read_key(r, &s) != SLUICE_OK) {
            return SLUICE_BAD_DATA;
        }

        return sluice_amf_skip_properties(r, depth + 1);

    case SLUICE_AMF_STRICT_ARRAY:
        if (sluice_amf_left(r) < 5) {
            return SLUICE_BAD_DATA;
        }

        n = sluice_rb32(r->pos + 1);
        r->pos += 5;

        /* every value takes at least one byte */
        if (n > sluice_amf_left(r)) {
            return SLUICE_BAD_DATA;
        }

        for (i = 0; i < n; i++) {
            rc = sluice_amf_skip(r, depth + 1);

            if (rc != SLUICE_OK) {
                return rc;
            }
        }

        return SLUICE_OK;

    default:
        return SLUICE_BAD_DATA;
    }
}


/* a property name: 16-bit length and bytes, no type marker */
static sluice_status_t
sluice_amf_read_key(sluice_amf_reader_t *r, sluice_str_t *key)
{
    size_t  n;

    if (sluice_amf_left(r) < 2) {
        return SLUICE_BAD_DATA;
    }

    n = sluice_rb16(r->pos);

    if (sluice_amf_left(r) - 2 < n) {
        return SLUICE_BAD_DATA;
    }

    key->data = r->pos + 2;
    key->len = n;
    r->pos += 2 + n;

    return SLUICE_OK;
}


/*
 * properties up to the object end marker (empty key, 0x09); the end of
 * the buffer also ends them, as some encoders leave the marker out of
 * ECMA arrays
 */
static sluice_status_t
sluice_amf_skip_properties(sluice_amf_reader_t *r, unsigned depth)
{
    sluice_str_t     key;
    sluice_status_t  rc;

    for ( ;; ) {

        if (sluice_amf_left(r) == 0) {
            return SLUICE_OK;
        }

        if (sluice_amf_read_key(r, &key) != SLUICE_OK) {
            return SLUICE_BAD_DATA;
        }

        if (key.len == 0 && sluice_amf_left(r) > 0
            && r->pos[0] == SLUICE_AMF_OBJECT_END)
        {
            r->pos++;
            return SLUICE_OK;
        }

        rc = sluice_amf_skip(r, depth);

        if (rc != SLUICE_OK) {
            return rc;
        }
    }
}


sluice_status_t
sluice_amf_parse_metadata(const uint8_t *p, size_t len,
    sluice_amf_metadata_t *md)
{
    sluice_str_t         s;
    sluice_amf_reader_t  r;

    memset(md, 0, sizeof(sluice_amf_metadata_t));

    r.pos = p;
    r.end = p + len;

    if (sluice_amf_read_string(&r, &s) != SLUICE_OK) {
        return SLUICE_NOT_FOUND;
    }

    if (sluice_amf_key_is(&s, "@setDataFrame")) {
        if (sluice_amf_read_string(&r, &s) != SLUICE_OK) {
            return SLUICE_NOT_FOUND;
        }
    }

    if (!sluice_amf_key_is(&s, "onMetaData")) {
        return SLUICE_NOT_FOUND;
    }

    return sluice_amf_parse_properties(r.pos, sluice_amf_left(&r), md);
}


sluice_status_t
sluice_amf_parse_properties(const uint8_t *p, size_t len,
    sluice_amf_metadata_t *md)
{
    sluice_str_t         key;
    sluice_status_t      rc;
    sluice_amf_reader_t  r;

    memset(md, 0, sizeof(sluice_amf_metadata_t));

    r.pos = p;
    r.end = p + len;

    if (sluice_amf_left(&r) < 1) {
        return SLUICE_BAD_DATA;
    }

    if (r.pos[0] == SLUICE_AMF_ECMA_ARRAY) {
        if (sluice_amf_left(&r) < 5) {
            return SLUICE_BAD_DATA;
        }

        r.pos += 5;

    } else if (r.pos[0] == SLUICE_AMF_OBJECT) {
        r.pos++;

    } else {
        return SLUICE_BAD_DATA;
    }

    for ( ;; ) {

        if (sluice_amf_left(&r) == 0) {
            return SLUICE_OK;
        }

        if (sluice_amf_read_key(&r, &key) != SLUICE_OK) {
            return SLUICE_BAD_DATA;
        }

        if (key.len == 0 && sluice_amf_left(&r) > 0
            && r.pos[0] == SLUICE_AMF_OBJECT_END)
        {
            return SLUICE_OK;
        }

        rc = sluice_amf_metadata_value(&r, &key, md);

        if (rc != SLUICE_OK) {
            return rc;
        }
    }
}


static sluice_status_t
sluice_amf_metadata_value(sluice_amf_reader_t *r, sluice_str_t *key,
    sluice_amf_metadata_t *md)
{
    double                     v;
    size_t                     n;
    uint32_t                  *fourcc;
    sluice_str_t               s;
    const sluice_amf_field_t  *f;

    if (sluice_amf_left(r) < 1) {
        return SLUICE_BAD_DATA;
    }

    if (r->pos[0] == SLUICE_AMF_NUMBER) {

        if (sluice_amf_read_number(r, &v) != SLUICE_OK) {
            return SLUICE_BAD_DATA;
        }

        for (f = sluice_amf_fields; f->name; f++) {
            if (sluice_amf_key_is(key, f->name)) {
                memcpy((uint8_t *) md + f->offset, &v, sizeof(double));
                md->have |= f->have;
                break;
            }
        }

        return SLUICE_OK;
    }

    if (r->pos[0] == SLUICE_AMF_STRING) {

        if (sluice_amf_read_string(r, &s) != SLUICE_OK) {
            return SLUICE_BAD_DATA;
        }

        if (sluice_amf_key_is(key, "encoder")) {
            n = s.len < SLUICE_AMF_MAX_ENCODER - 1
                ? s.len : SLUICE_AMF_MAX_ENCODER - 1;
            memcpy(md->encoder, s.data, n);
            md->encoder[n] = '\0';
            md->have |= SLUICE_AMF_HAVE_ENCODER;
            return SLUICE_OK;
        }

        if (sluice_amf_key_is(key, "language")) {
            n = s.len < SLUICE_AMF_MAX_LANGUAGE - 1
                ? s.len : SLUICE_AMF_MAX_LANGUAGE - 1;
            memcpy(md->language, s.data, n);
            md->language[n] = '\0';
            md->language_len = s.len;
            md->have |= SLUICE_AMF_HAVE_LANGUAGE;
            return SLUICE_OK;
        }

        fourcc = NULL;

        if (sluice_amf_key_is(key, "videocodecid")) {
            fourcc = &md->videocodec_fourcc;
            md->have |= SLUICE_AMF_HAVE_VIDEOCODECID;

        } else if (sluice_amf_key_is(key, "audiocodecid")) {
            fourcc = &md->audiocodec_fourcc;
            md->have |= SLUICE_AMF_HAVE_AUDIOCODECID;
        }

        if (fourcc && s.len == 4) {
            *fourcc = sluice_rb32(s.data);
        }

        return SLUICE_OK;
    }

    return sluice_amf_skip(r, 1);
}


static int
sluice_amf_key_is(sluice_str_t *key, const char *name)
{
    size_t  i, n;
    int     a, b;

    n = strlen(name);

    if (key->len != n) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        a = key->data[i];
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
