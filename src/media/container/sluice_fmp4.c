
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include "media/sluice_lang.h"
#include "media/codec/sluice_bits.h"
#include "media/codec/sluice_avc.h"
#include "media/codec/sluice_hevc.h"
#include "media/codec/sluice_aac.h"
#include "media/container/sluice_cmaf.h"
#include "media/container/sluice_fmp4.h"


/* sample_flags: sample_depends_on */
#define sluice_fmp4_depends_on(f)   (((f) >> 24) & 0x03)

/* fixed fields of sample entries after the box header */
#define SLUICE_FMP4_VISUAL_ENTRY    78
#define SLUICE_FMP4_AUDIO_ENTRY     28


typedef struct {
    sluice_cmaf_box_t   codec;          /* avcC, hvcC or esds */
    uint32_t            btrt_bitrate;
    uint32_t            width;
    uint32_t            height;
    uint32_t            channels;
} sluice_fmp4_entry_t;


typedef struct {
    const sluice_fmp4_header_t  *h;
    const uint8_t               *mdat;          /* payload */

    /* positions counted from the first byte of the moof */
    uint64_t                     mdat_start;
    uint64_t                     mdat_end;
    uint64_t                     base;
    uint32_t                     base_given;
    uint64_t                     next;          /* after the last trun */

    uint32_t                     track;
    uint32_t                     audio;
    uint32_t                     default_duration;
    uint32_t                     default_size;
    uint32_t                     default_flags;

    uint32_t                     have_time;     /* 1: tfxd, 2: tfdt */
    int32_t                      first_cts;
    uint32_t                     ntrun;
    uint32_t                     nsamples;
    uint64_t                     dts;
    sluice_sample_t             *samples;       /* NULL while counting */
} sluice_fmp4_reader_t;


static const uint8_t  sluice_fmp4_manifest_uuid[16] = {
    0xa5, 0xd4, 0x0b, 0x30, 0xe8, 0x14, 0x11, 0xdd,
    0xba, 0x2f, 0x08, 0x00, 0x20, 0x0c, 0x9a, 0x66
};


/* stream framing */

sluice_status_t
sluice_fmp4_box_header(const uint8_t *p, size_t len, uint32_t *type,
    uint64_t *size, size_t *header_len)
{
    size_t    hdr;
    uint64_t  n;

    if (len < 8) {
        return SLUICE_AGAIN;
    }

    n = sluice_rb32(p);
    hdr = 8;

    if (n == 1) {
        if (len < 16) {
            return SLUICE_AGAIN;
        }

        n = sluice_rb64(p + 8);
        hdr = 16;
    }

    /* size 0 ("to the end of the file") is smaller than any header */

    if (n < hdr) {
        return SLUICE_BAD_DATA;
    }

    *type = sluice_rb32(p + 4);
    *size = n;
    *header_len = hdr;

    return SLUICE_OK;
}


/* p[0..len) is exactly one box of type; its payload in box */
static sluice_status_t
sluice_fmp4_whole_box(const uint8_t *p, size_t len, uint32_t type,
    sluice_cmaf_box_t *box)
{
    if (sluice_cmaf_read_box(p, len, box) != SLUICE_OK
        || box->type != type || box->size != len)
    {
        return SLUICE_BAD_DATA;
    }

    return SLUICE_OK;
}


/*
 * The first child of type among the boxes of p[0..len), each of which
 * must fit: SLUICE_OK, SLUICE_NOT_FOUND or SLUICE_BAD_DATA.
 */
static sluice_status_t
sluice_fmp4_child(const uint8_t *p, size_t len, uint32_t type,
    sluice_cmaf_box_t *found)
{
    sluice_status_t    rc;
    sluice_cmaf_box_t  box;

    memset(found, 0, sizeof(sluice_cmaf_box_t));

    while (len) {
        rc = sluice_cmaf_read_box(p, len, &box);

        if (rc != SLUICE_OK) {
            return rc;
        }

        if (box.type == type && found->data == NULL) {
            *found = box;
        }

        p += box.size;
        len -= box.size;
    }

    return found->data ? SLUICE_OK : SLUICE_NOT_FOUND;
}


/* the same, a missing child being malformed */
static sluice_status_t
sluice_fmp4_need(const sluice_cmaf_box_t *parent, uint32_t type,
    sluice_cmaf_box_t *found)
{
    sluice_status_t  rc;

    rc = sluice_fmp4_child(parent->data, parent->len, type, found);

    return (rc == SLUICE_NOT_FOUND) ? SLUICE_BAD_DATA : rc;
}


/* moov: track header boxes */

static sluice_status_t
sluice_fmp4_parse_tkhd(const sluice_cmaf_box_t *box, uint32_t *track_id)
{
    size_t  off;

    off = (box->len >= 1 && box->data[0] == 1) ? 20 : 12;

    if (box->len < off + 4) {
        return SLUICE_BAD_DATA;
    }

    *track_id = sluice_rb32(box->data + off);

    return *track_id ? SLUICE_OK : SLUICE_BAD_DATA;
}


/* ISO 639-2/T packed in 15 bits; "" for "und" and what is not 3 letters */
static void
sluice_fmp4_lang(uint32_t code, char *lang)
{
    uint8_t   s[3];
    uint32_t  i, c;

    lang[0] = '\0';

    for (i = 0; i < 3; i++) {
        c = (code >> (10 - 5 * i)) & 0x1f;

        if (c < 1 || c > 26) {
            return;
        }

        s[i] = (uint8_t) (c + 0x60);
    }

    if (memcmp(s, "und", 3) == 0 || !sluice_lang_valid(s, 3)) {
        return;
    }

    memcpy(lang, s, 3);
    lang[3] = '\0';
}


static sluice_status_t
sluice_fmp4_parse_mdhd(const sluice_cmaf_box_t *box, uint32_t *timescale,
    char *lang)
{
    size_t  ts, lg;

    if (box->len >= 1 && box->data[0] == 1) {
        ts = 20;                /* version, flags, 64-bit times */
        lg = 32;                /* after the 64-bit duration */

    } else {
        ts = 12;
        lg = 20;
    }

    if (box->len < lg + 2) {
        return SLUICE_BAD_DATA;
    }

    *timescale = sluice_rb32(box->data + ts);
    sluice_fmp4_lang(sluice_rb16(box->data + lg), lang);

    return *timescale ? SLUICE_OK : SLUICE_BAD_DATA;
}


static sluice_status_t
sluice_fmp4_parse_hdlr(const sluice_cmaf_box_t *box, uint32_t *handler)
{
    if (box->len < 12) {
        return SLUICE_BAD_DATA;
    }

    *handler = sluice_rb32(box->data + 8);

    return SLUICE_OK;
}


/*
 * stsd: its first sample entry into entry (entry->data NULL if none);
 * every entry counted must fit
 */
static sluice_status_t
sluice_fmp4_parse_stsd(const sluice_cmaf_box_t *box, sluice_cmaf_box_t *entry)
{
    size_t             len;
    uint32_t           i, n;
    const uint8_t     *p;
    sluice_status_t    rc;
    sluice_cmaf_box_t  e;

    if (box->len < 8) {
        return SLUICE_BAD_DATA;
    }

    n = sluice_rb32(box->data + 4);
    p = box->data + 8;
    len = box->len - 8;
    memset(entry, 0, sizeof(sluice_cmaf_box_t));

    for (i = 0; i < n; i++) {
        rc = sluice_cmaf_read_box(p, len, &e);

        if (rc != SLUICE_OK) {
            return rc;
        }

        if (i == 0) {
            *entry = e;
        }

        p += e.size;
        len -= e.size;
    }

    return SLUICE_OK;
}


/* moov: sample entries */

/* the children of a sample entry after its fixed fields */
static sluice_status_t
sluice_fmp4_entry_children(const uint8_t *p, size_t len,
    sluice_fmp4_entry_t *e)
{
    sluice_status_t    rc;
    sluice_cmaf_box_t  box;

    while (len) {
        rc = sluice_cmaf_read_box(p, len, &box);

        if (rc != SLUICE_OK) {
            return rc;
        }

        switch (box.type) {

        case sluice_fourcc('a', 'v', 'c', 'C'):
        case sluice_fourcc('h', 'v', 'c', 'C'):
        case sluice_fourcc('e', 's', 'd', 's'):
            if (e->codec.data == NULL) {
                e->codec = box;
            }

            break;

        case sluice_fourcc('b', 't', 'r', 't'):
            if (box.len < 12) {
                return SLUICE_BAD_DATA;
            }

            e->btrt_bitrate = sluice_rb32(box.data + 8);
            break;

        default:
            break;
        }

        p += box.size;
        len -= box.size;
    }

    return SLUICE_OK;
}


static sluice_status_t
sluice_fmp4_parse_entry(const sluice_cmaf_box_t *box, uint32_t media_type,
    sluice_fmp4_entry_t *e)
{
    size_t          fixed;
    const uint8_t  *p;

    memset(e, 0, sizeof(sluice_fmp4_entry_t));
    p = box->data;

    if (media_type == SLUICE_MEDIA_VIDEO) {
        fixed = SLUICE_FMP4_VISUAL_ENTRY;

        if (box->len < fixed) {
            return SLUICE_BAD_DATA;
        }

        e->width = sluice_rb16(p + 24);
        e->height = sluice_rb16(p + 26);

    } else {
        fixed = SLUICE_FMP4_AUDIO_ENTRY;

        if (box->len < fixed) {
            return SLUICE_BAD_DATA;
        }

        /* QuickTime sound description versions 1 and 2 add fields */

        switch (sluice_rb16(p + 8)) {
        case 1:
            fixed += 16;
            break;
        case 2:
            fixed += 36;
            break;
        default:
            break;
        }

        if (box->len < fixed) {
            return SLUICE_BAD_DATA;
        }

        e->channels = sluice_rb16(p + 16);
    }

    return sluice_fmp4_entry_children(p + fixed, box->len - fixed, e);
}


/*
 * An MPEG-4 descriptor at *pp (end the end of its container): its tag
 * and payload; *pp moves to the payload.
 */
static sluice_status_t
sluice_fmp4_desc(const uint8_t **pp, const uint8_t *end, uint32_t *tag,
    size_t *size)
{
    size_t          n;
    uint32_t        i, c;
    const uint8_t  *p;

    p = *pp;

    if (p >= end) {
        return SLUICE_BAD_DATA;
    }

    *tag = *p++;
    n = 0;

    for (i = 0; i < 4; i++) {
        if (p >= end) {
            return SLUICE_BAD_DATA;
        }

        c = *p++;
        n = (n << 7) | (c & 0x7f);

        if (!(c & 0x80)) {
            break;
        }
    }

    if (i == 4 || n > (size_t) (end - p)) {
        return SLUICE_BAD_DATA;
    }

    *pp = p;
    *size = n;

    return SLUICE_OK;
}


/* the first descriptor of tag among those of p[0..len) */
static sluice_status_t
sluice_fmp4_desc_find(const uint8_t *p, size_t len, uint32_t want,
    sluice_str_t *found)
{
    size_t           n;
    uint32_t         tag;
    const uint8_t   *end;
    sluice_status_t  rc;

    end = p + len;

    while (p < end) {
        rc = sluice_fmp4_desc(&p, end, &tag, &n);

        if (rc != SLUICE_OK) {
            return rc;
        }

        if (tag == want) {
            found->data = p;
            found->len = n;
            return SLUICE_OK;
        }

        p += n;
    }

    return SLUICE_NOT_FOUND;
}


/*
 * esds: ES_Descriptor (3), its DecoderConfigDescriptor (4): object type
 * indication, avgBitrate, and the DecoderSpecificInfo (5), asc->len 0 if
 * none
 */
static sluice_status_t
sluice_fmp4_parse_esds(const sluice_cmaf_box_t *box, uint32_t *oti,
    uint32_t *bitrate, sluice_str_t *asc)
{
    size_t           skip;
    uint32_t         flags;
    sluice_str_t     es, dcd;
    sluice_status_t  rc;

    asc->len = 0;

    if (box->len < 4) {
        return SLUICE_BAD_DATA;
    }

    rc = sluice_fmp4_desc_find(box->data + 4, box->len - 4, 3, &es);

    if (rc != SLUICE_OK || es.len < 3) {
        return SLUICE_BAD_DATA;
    }

    /* ES_ID, flags, then dependsOn_ES_ID, URL, OCR_ES_Id as flagged */

    flags = es.data[2];
    skip = 3 + ((flags & 0x80) ? 2 : 0) + ((flags & 0x20) ? 2 : 0);

    if (flags & 0x40) {
        if (es.len < skip + 1) {
            return SLUICE_BAD_DATA;
        }

        skip += 1 + es.data[skip];
    }

    if (es.len < skip) {
        return SLUICE_BAD_DATA;
    }

    rc = sluice_fmp4_desc_find(es.data + skip, es.len - skip, 4, &dcd);

    if (rc != SLUICE_OK || dcd.len < 13) {
        return SLUICE_BAD_DATA;
    }

    *oti = dcd.data[0];
    *bitrate = sluice_rb32(dcd.data + 9);

    rc = sluice_fmp4_desc_find(dcd.data + 13, dcd.len - 13, 5, asc);

    return (rc == SLUICE_NOT_FOUND) ? SLUICE_OK : rc;
}


/* "mp4a.6b": non-AAC MPEG-4 audio named by its object type indication */
static void
sluice_fmp4_oti_string(uint32_t oti, char *s)
{
    static const char  hex[] = "0123456789abcdef";

    memcpy(s, "mp4a.", 5);
    s[5] = hex[(oti >> 4) & 0x0f];
    s[6] = hex[oti & 0x0f];
    s[7] = '\0';
}


static sluice_status_t
sluice_fmp4_fill_aac(const sluice_fmp4_entry_t *e, sluice_track_info_t *ti,
    char *name)
{
    uint32_t             oti, bitrate;
    sluice_str_t         asc;
    sluice_status_t      rc;
    sluice_aac_config_t  c;

    oti = 0;
    bitrate = 0;

    rc = sluice_fmp4_parse_esds(&e->codec, &oti, &bitrate, &asc);

    if (rc != SLUICE_OK) {
        return rc;
    }

    if (oti != 0x40 && (oti < 0x66 || oti > 0x68)) {
        sluice_fmp4_oti_string(oti, name);
        return SLUICE_UNSUPPORTED;
    }

    if (asc.len == 0) {
        return SLUICE_UNSUPPORTED;
    }

    rc = sluice_aac_parse_config(asc.data, asc.len, &c);

    if (rc == SLUICE_OK) {
        rc = sluice_aac_fill_info(&c, ti);
    }

    if (rc != SLUICE_OK) {
        return rc;
    }

    if (ti->channels == 0) {
        ti->channels = e->channels;     /* channel configuration 0: PCE */
    }

    ti->bitrate = bitrate ? bitrate : e->btrt_bitrate;

    return SLUICE_OK;
}


static sluice_status_t
sluice_fmp4_fill_video(const sluice_fmp4_entry_t *e, uint32_t hevc,
    sluice_track_info_t *ti)
{
    sluice_status_t       rc;
    sluice_avc_config_t   avc;
    sluice_hevc_config_t  hvc;

    if (hevc) {
        rc = sluice_hevc_parse_config(e->codec.data, e->codec.len, &hvc);

        if (rc == SLUICE_OK) {
            rc = sluice_hevc_fill_info(&hvc, ti);
        }

    } else {
        rc = sluice_avc_parse_config(e->codec.data, e->codec.len, &avc);

        if (rc == SLUICE_OK) {
            rc = sluice_avc_fill_info(&avc, ti);
        }
    }

    if (rc != SLUICE_OK) {
        return rc;
    }

    if (ti->width == 0 || ti->height == 0) {
        ti->width = e->width;
        ti->height = e->height;
    }

    ti->bitrate = e->btrt_bitrate;

    return SLUICE_OK;
}


/*
 * The codec of a sample entry into ti: SLUICE_OK, SLUICE_BAD_DATA or
 * SLUICE_UNSUPPORTED (name, the entry's fourcc, may then say more)
 */
static sluice_status_t
sluice_fmp4_fill_codec(const sluice_cmaf_box_t *entry, uint32_t media_type,
    sluice_track_info_t *ti, char *name)
{
    uint32_t             want;
    sluice_status_t      rc;
    sluice_fmp4_entry_t  e;

    switch (entry->type) {

    case sluice_fourcc('a', 'v', 'c', '1'):
    case sluice_fourcc('a', 'v', 'c', '3'):
        want = sluice_fourcc('a', 'v', 'c', 'C');
        break;

    case sluice_fourcc('h', 'v', 'c', '1'):
    case sluice_fourcc('h', 'e', 'v', '1'):
        want = sluice_fourcc('h', 'v', 'c', 'C');
        break;

    case sluice_fourcc('m', 'p', '4', 'a'):
        want = sluice_fourcc('e', 's', 'd', 's');
        break;

    default:
        return SLUICE_UNSUPPORTED;
    }

    /* a video entry in a sound track or the reverse: not understood */

    if ((want == sluice_fourcc('e', 's', 'd', 's'))
        != (media_type == SLUICE_MEDIA_AUDIO))
    {
        return SLUICE_UNSUPPORTED;
    }

    rc = sluice_fmp4_parse_entry(entry, media_type, &e);

    if (rc != SLUICE_OK) {
        return rc;
    }

    if (e.codec.data == NULL || e.codec.type != want) {
        return SLUICE_UNSUPPORTED;
    }

    if (media_type == SLUICE_MEDIA_AUDIO) {
        return sluice_fmp4_fill_aac(&e, ti, name);
    }

    return sluice_fmp4_fill_video(&e, want == sluice_fourcc('h', 'v', 'c',
                                                            'C'), ti);
}


/* moov: one trak */

/* a fourcc as a string, what is not printable as '?' */
static void
sluice_fmp4_fourcc_string(uint32_t type, char *s)
{
    uint32_t  i, c;

    for (i = 0; i < 4; i++) {
        c = (type >> (24 - 8 * i)) & 0xff;
        s[i] = (c >= 0x20 && c < 0x7f) ? (char) c : '?';
    }

    s[4] = '\0';
}


static uint32_t
sluice_fmp4_media_type(uint32_t handler)
{
    switch (handler) {
    case sluice_fourcc('v', 'i', 'd', 'e'):
        return SLUICE_MEDIA_VIDEO;
    case sluice_fourcc('s', 'o', 'u', 'n'):
        return SLUICE_MEDIA_AUDIO;
    default:
        return SLUICE_FMP4_MEDIA_OTHER;
    }
}


/* the stsd of a mdia box, NULL data if it has none */
static sluice_status_t
sluice_fmp4_find_entry(const sluice_cmaf_box_t *mdia, sluice_cmaf_box_t *entry)
{
    sluice_status_t    rc;
    sluice_cmaf_box_t  minf, stbl, stsd;

    memset(entry, 0, sizeof(sluice_cmaf_box_t));

    rc = sluice_fmp4_child(mdia->data, mdia->len,
                           sluice_fourcc('m', 'i', 'n', 'f'), &minf);

    if (rc == SLUICE_OK) {
        rc = sluice_fmp4_child(minf.data, minf.len,
                               sluice_fourcc('s', 't', 'b', 'l'), &stbl);
    }

    if (rc == SLUICE_OK) {
        rc = sluice_fmp4_child(stbl.data, stbl.len,
                               sluice_fourcc('s', 't', 's', 'd'), &stsd);
    }

    if (rc == SLUICE_OK) {
        rc = sluice_fmp4_parse_stsd(&stsd, entry);
    }

    return (rc == SLUICE_NOT_FOUND) ? SLUICE_OK : rc;
}


/* the codec of the track, or the fourcc of its sample entry */
static sluice_status_t
sluice_fmp4_track_codec(const sluice_cmaf_box_t *entry, uint32_t handler,
    sluice_track_info_t *ti)
{
    char             name[SLUICE_MAX_CODEC_STRING];
    uint32_t         media_type;
    sluice_status_t  rc;

    media_type = sluice_fmp4_media_type(handler);
    rc = SLUICE_UNSUPPORTED;
    name[0] = '\0';

    if (entry->data) {
        sluice_fmp4_fourcc_string(entry->type, name);

        if (media_type != SLUICE_FMP4_MEDIA_OTHER) {
            rc = sluice_fmp4_fill_codec(entry, media_type, ti, name);
        }
    }

    if (rc != SLUICE_UNSUPPORTED) {
        return rc;
    }

    /* listed, without codec: the caller says what it refuses */

    memset(ti, 0, sizeof(sluice_track_info_t));
    ti->media_type = media_type;
    memcpy(ti->codec_string, name, sizeof(name));

    return SLUICE_OK;
}


static sluice_status_t
sluice_fmp4_parse_trak(const sluice_cmaf_box_t *trak, sluice_fmp4_track_t *t)
{
    char               lang[SLUICE_MAX_LANG];
    uint32_t           timescale;
    sluice_status_t    rc;
    sluice_cmaf_box_t  tkhd, mdia, mdhd, hdlr, entry;

    memset(t, 0, sizeof(sluice_fmp4_track_t));

    rc = sluice_fmp4_need(trak, sluice_fourcc('t', 'k', 'h', 'd'), &tkhd);
    if (rc != SLUICE_OK) {
        return rc;
    }

    rc = sluice_fmp4_parse_tkhd(&tkhd, &t->track_id);
    if (rc != SLUICE_OK) {
        return rc;
    }

    rc = sluice_fmp4_need(trak, sluice_fourcc('m', 'd', 'i', 'a'), &mdia);
    if (rc != SLUICE_OK) {
        return rc;
    }

    rc = sluice_fmp4_need(&mdia, sluice_fourcc('m', 'd', 'h', 'd'), &mdhd);
    if (rc != SLUICE_OK) {
        return rc;
    }

    rc = sluice_fmp4_parse_mdhd(&mdhd, &timescale, lang);
    if (rc != SLUICE_OK) {
        return rc;
    }

    rc = sluice_fmp4_need(&mdia, sluice_fourcc('h', 'd', 'l', 'r'), &hdlr);
    if (rc != SLUICE_OK) {
        return rc;
    }

    rc = sluice_fmp4_parse_hdlr(&hdlr, &t->handler);
    if (rc != SLUICE_OK) {
        return rc;
    }

    rc = sluice_fmp4_find_entry(&mdia, &entry);
    if (rc != SLUICE_OK) {
        return rc;
    }

    rc = sluice_fmp4_track_codec(&entry, t->handler, &t->info);
    if (rc != SLUICE_OK) {
        return rc;
    }

    /* fragment times are in mdhd's timescale, whatever the codec says */

    t->info.timescale = timescale;
    memcpy(t->info.lang, lang, SLUICE_MAX_LANG);

    return SLUICE_OK;
}


/* moov: trex defaults of the tracks */

static sluice_status_t
sluice_fmp4_parse_mvex(const sluice_cmaf_box_t *mvex, sluice_fmp4_header_t *h)
{
    size_t             len;
    uint32_t           i, id;
    const uint8_t     *p;
    sluice_status_t    rc;
    sluice_cmaf_box_t  box;

    p = mvex->data;
    len = mvex->len;

    while (len) {
        rc = sluice_cmaf_read_box(p, len, &box);

        if (rc != SLUICE_OK) {
            return rc;
        }

        p += box.size;
        len -= box.size;

        if (box.type != sluice_fourcc('t', 'r', 'e', 'x')) {
            continue;
        }

        if (box.len < 24) {
            return SLUICE_BAD_DATA;
        }

        id = sluice_rb32(box.data + 4);

        for (i = 0; i < h->ntracks; i++) {
            if (h->tracks[i].track_id == id) {
                h->tracks[i].default_duration = sluice_rb32(box.data + 12);
                h->tracks[i].default_size = sluice_rb32(box.data + 16);
                h->tracks[i].default_flags = sluice_rb32(box.data + 20);
            }
        }
    }

    return SLUICE_OK;
}


static sluice_status_t
sluice_fmp4_add_trak(const sluice_cmaf_box_t *trak, sluice_fmp4_header_t *h)
{
    uint32_t             i;
    sluice_status_t      rc;
    sluice_fmp4_track_t  *t;

    if (h->ntracks == SLUICE_FMP4_MAX_TRACKS) {
        return SLUICE_UNSUPPORTED;
    }

    t = &h->tracks[h->ntracks];

    rc = sluice_fmp4_parse_trak(trak, t);
    if (rc != SLUICE_OK) {
        return rc;
    }

    for (i = 0; i < h->ntracks; i++) {
        if (h->tracks[i].track_id == t->track_id) {
            return SLUICE_BAD_DATA;
        }
    }

    h->ntracks++;

    return SLUICE_OK;
}


sluice_status_t
sluice_fmp4_moov_parse(const uint8_t *p, size_t len, sluice_fmp4_header_t *h)
{
    size_t             left;
    const uint8_t     *pos;
    sluice_status_t    rc;
    sluice_cmaf_box_t  moov, box, mvex;

    memset(h, 0, sizeof(sluice_fmp4_header_t));

    rc = sluice_fmp4_whole_box(p, len, sluice_fourcc('m', 'o', 'o', 'v'),
                               &moov);
    if (rc != SLUICE_OK) {
        return rc;
    }

    pos = moov.data;
    left = moov.len;
    memset(&mvex, 0, sizeof(sluice_cmaf_box_t));

    while (left) {
        rc = sluice_cmaf_read_box(pos, left, &box);

        if (rc == SLUICE_OK) {
            if (box.type == sluice_fourcc('t', 'r', 'a', 'k')) {
                rc = sluice_fmp4_add_trak(&box, h);

            } else if (box.type == sluice_fourcc('m', 'v', 'e', 'x')) {
                mvex = box;
            }
        }

        if (rc != SLUICE_OK) {
            return rc;
        }

        pos += box.size;
        left -= box.size;
    }

    if (h->ntracks == 0) {
        return SLUICE_BAD_DATA;
    }

    return mvex.data ? sluice_fmp4_parse_mvex(&mvex, h) : SLUICE_OK;
}


/* the Smooth live server manifest */

int
sluice_fmp4_is_manifest(const uint8_t *p, size_t len)
{
    sluice_cmaf_box_t  box;

    return sluice_fmp4_whole_box(p, len, sluice_fourcc('u', 'u', 'i', 'd'),
                                 &box) == SLUICE_OK
           && box.len >= 16
           && memcmp(box.data, sluice_fmp4_manifest_uuid, 16) == 0;
}


/* the first s in p[0..end), NULL if none */
static const uint8_t *
sluice_fmp4_strstr(const uint8_t *p, const uint8_t *end, const char *s)
{
    size_t  n;

    n = strlen(s);

    for ( /* void */ ; (size_t) (end - p) >= n; p++) {
        if (memcmp(p, s, n) == 0) {
            return p;
        }
    }

    return NULL;
}


#define sluice_fmp4_space(c)                                                  \
    ((c) == ' ' || (c) == '\t' || (c) == '\r' || (c) == '\n')


/* the value of attribute name in the tag p[0..end) (after its '<') */
static int
sluice_fmp4_attr(const uint8_t *p, const uint8_t *end, const char *name,
    sluice_str_t *value)
{
    uint8_t         q;
    size_t          n;
    const uint8_t  *a, *v;

    n = strlen(name);

    for (a = sluice_fmp4_strstr(p, end, name); a;
         a = sluice_fmp4_strstr(a + 1, end, name))
    {
        if (a == p || !sluice_fmp4_space(a[-1])) {
            continue;
        }

        for (v = a + n; v < end && sluice_fmp4_space(*v); v++) { /* void */ }

        if (v == end || *v != '=') {
            continue;
        }

        for (v++; v < end && sluice_fmp4_space(*v); v++) { /* void */ }

        if (v == end || (*v != '"' && *v != '\'')) {
            continue;
        }

        q = *v++;
        value->data = v;

        for ( /* void */ ; v < end && *v != q; v++) { /* void */ }

        if (v == end) {
            return 0;
        }

        value->len = (size_t) (v - value->data);

        return 1;
    }

    return 0;
}


/* a decimal number that fits 32 bits */
static int
sluice_fmp4_uint(const sluice_str_t *s, uint32_t *n)
{
    size_t    i;
    uint64_t  v;

    if (s->len == 0 || s->len > 10) {
        return 0;
    }

    v = 0;

    for (i = 0; i < s->len; i++) {
        if (s->data[i] < '0' || s->data[i] > '9') {
            return 0;
        }

        v = v * 10 + (s->data[i] - '0');
    }

    if (v > 0xffffffff) {
        return 0;
    }

    *n = (uint32_t) v;

    return 1;
}


/* s is the string lit */
static int
sluice_fmp4_is(const sluice_str_t *s, const char *lit)
{
    return s->len == strlen(lit) && memcmp(s->data, lit, s->len) == 0;
}


/*
 * The end of the tag starting at p: its '>', or a '<' (a tag cut short),
 * or end; so that every scan of a tag stays within it
 */
static const uint8_t *
sluice_fmp4_tag_end(const uint8_t *p, const uint8_t *end)
{
    for ( /* void */ ; p < end && *p != '>' && *p != '<'; p++) { /* void */ }

    return p;
}


/* what a <video> or <audio> element says of its track */
typedef struct {
    sluice_str_t    track_id;
    sluice_str_t    bitrate;
    sluice_str_t    lang;
    sluice_str_t    name;
} sluice_fmp4_smil_t;


/* the <param name="..." value="..."/> elements of p[0..end) */
static void
sluice_fmp4_params(const uint8_t *p, const uint8_t *end,
    sluice_fmp4_smil_t *s)
{
    const uint8_t  *tag;
    sluice_str_t    name, value, *to;

    while ((p = sluice_fmp4_strstr(p, end, "<param")) != NULL) {
        p += 6;

        tag = sluice_fmp4_tag_end(p, end);

        if (!sluice_fmp4_attr(p, tag, "name", &name)
            || !sluice_fmp4_attr(p, tag, "value", &value))
        {
            continue;
        }

        to = NULL;

        if (sluice_fmp4_is(&name, "trackID")) {
            to = &s->track_id;

        } else if (sluice_fmp4_is(&name, "systemBitrate")) {
            to = &s->bitrate;

        } else if (sluice_fmp4_is(&name, "systemLanguage")) {
            to = &s->lang;

        } else if (sluice_fmp4_is(&name, "trackName")) {
            to = &s->name;
        }

        if (to) {
            *to = value;
        }
    }
}


static void
sluice_fmp4_smil_apply(const sluice_fmp4_smil_t *s, sluice_fmp4_track_t *t)
{
    size_t    i;
    uint32_t  bitrate;

    if (sluice_fmp4_uint(&s->bitrate, &bitrate) && bitrate) {
        t->info.bitrate = bitrate;
    }

    if (sluice_lang_valid(s->lang.data, s->lang.len)
        && !(s->lang.len == 3 && memcmp(s->lang.data, "und", 3) == 0))
    {
        memcpy(t->info.lang, s->lang.data, s->lang.len);
        t->info.lang[s->lang.len] = '\0';
    }

    if (s->name.len == 0) {
        return;
    }

    for (i = 0; i < s->name.len; i++) {
        if (s->name.data[i] < 0x20 || s->name.data[i] == 0x7f) {
            return;
        }
    }

    i = s->name.len < sizeof(t->name) ? s->name.len : sizeof(t->name) - 1;
    memcpy(t->name, s->name.data, i);
    t->name[i] = '\0';
}


/* one <video> or <audio> element: p after its name, end of the element */
static void
sluice_fmp4_element(const uint8_t *p, const uint8_t *end,
    sluice_fmp4_header_t *h)
{
    uint32_t            i, id;
    const uint8_t      *tag;
    sluice_fmp4_smil_t  s;

    memset(&s, 0, sizeof(sluice_fmp4_smil_t));

    tag = sluice_fmp4_tag_end(p, end);

    sluice_fmp4_attr(p, tag, "systemBitrate", &s.bitrate);
    sluice_fmp4_attr(p, tag, "trackID", &s.track_id);
    sluice_fmp4_params(tag, end, &s);

    if (!sluice_fmp4_uint(&s.track_id, &id)) {
        return;
    }

    for (i = 0; i < h->ntracks; i++) {
        if (h->tracks[i].track_id == id) {
            sluice_fmp4_smil_apply(&s, &h->tracks[i]);
        }
    }
}


/* ffmpeg's manifest: <meta name="creator" content="Lavf59.27.100" /> */
static uint32_t
sluice_fmp4_lavf(const uint8_t *p, const uint8_t *end)
{
    const uint8_t  *tag;
    sluice_str_t    name, content;

    while ((p = sluice_fmp4_strstr(p, end, "<meta")) != NULL) {
        p += 5;

        tag = sluice_fmp4_tag_end(p, end);

        if (sluice_fmp4_attr(p, tag, "name", &name)
            && sluice_fmp4_attr(p, tag, "content", &content)
            && sluice_fmp4_is(&name, "creator")
            && content.len >= 4 && memcmp(content.data, "Lavf", 4) == 0)
        {
            return 1;
        }
    }

    return 0;
}


/* the next "<video" or "<audio" element start in p[0..end) */
static const uint8_t *
sluice_fmp4_next_element(const uint8_t *p, const uint8_t *end,
    const char **close)
{
    for ( /* void */ ; (size_t) (end - p) > 6; p++) {
        if (p[0] != '<' || !(sluice_fmp4_space(p[6]) || p[6] == '>'
                             || p[6] == '/'))
        {
            continue;
        }

        if (memcmp(p + 1, "video", 5) == 0) {
            *close = "</video";
            return p;
        }

        if (memcmp(p + 1, "audio", 5) == 0) {
            *close = "</audio";
            return p;
        }
    }

    return NULL;
}


sluice_status_t
sluice_fmp4_manifest_apply(const uint8_t *p, size_t len,
    sluice_fmp4_header_t *h)
{
    const char         *close;
    const uint8_t      *end, *el, *el_end;
    sluice_cmaf_box_t   box;

    if (!sluice_fmp4_is_manifest(p, len)
        || sluice_cmaf_read_box(p, len, &box) != SLUICE_OK)
    {
        return SLUICE_BAD_DATA;
    }

    /* usertype, version and flags, then the XML */

    if (box.len < 16 + 4) {
        return SLUICE_OK;
    }

    p = box.data + 16 + 4;
    end = box.data + box.len;

    if (sluice_fmp4_lavf(p, end)) {
        h->tfxd_pts = 1;
    }

    while ((el = sluice_fmp4_next_element(p, end, &close)) != NULL) {
        el_end = sluice_fmp4_strstr(el + 6, end, close);

        if (el_end == NULL) {
            el_end = end;
        }

        sluice_fmp4_element(el + 6, el_end, h);
        p = el_end;
    }

    return SLUICE_OK;
}


/* fragments */

static sluice_status_t
sluice_fmp4_parse_tfhd(sluice_fmp4_reader_t *r, const sluice_cmaf_box_t *box)
{
    size_t                      need;
    uint32_t                    flags, id, i;
    const uint8_t              *p;
    const sluice_fmp4_track_t  *t;

    if (box->len < 8) {
        return SLUICE_BAD_DATA;
    }

    p = box->data;
    flags = sluice_rb32(p) & 0xffffff;
    id = sluice_rb32(p + 4);

    need = 8 + ((flags & SLUICE_TFHD_BASE_DATA_OFFSET) ? 8 : 0)
           + ((flags & SLUICE_TFHD_DESCRIPTION_INDEX) ? 4 : 0)
           + ((flags & SLUICE_TFHD_DEFAULT_DURATION) ? 4 : 0)
           + ((flags & SLUICE_TFHD_DEFAULT_SIZE) ? 4 : 0)
           + ((flags & SLUICE_TFHD_DEFAULT_FLAGS) ? 4 : 0);

    if (box->len < need) {
        return SLUICE_BAD_DATA;
    }

    for (i = 0; i < r->h->ntracks; i++) {
        if (r->h->tracks[i].track_id == id) {
            break;
        }
    }

    if (i == r->h->ntracks) {
        return SLUICE_BAD_DATA;
    }

    t = &r->h->tracks[i];
    r->track = i;
    r->audio = (t->info.media_type == SLUICE_MEDIA_AUDIO);
    r->default_duration = t->default_duration;
    r->default_size = t->default_size;
    r->default_flags = t->default_flags;

    p += 8;

    if (flags & SLUICE_TFHD_BASE_DATA_OFFSET) {
        r->base = sluice_rb64(p);
        r->base_given = 1;
        p += 8;
    }

    if (flags & SLUICE_TFHD_DESCRIPTION_INDEX) {
        p += 4;                 /* one sample entry described */
    }

    if (flags & SLUICE_TFHD_DEFAULT_DURATION) {
        r->default_duration = sluice_rb32(p);
        p += 4;
    }

    if (flags & SLUICE_TFHD_DEFAULT_SIZE) {
        r->default_size = sluice_rb32(p);
        p += 4;
    }

    if (flags & SLUICE_TFHD_DEFAULT_FLAGS) {
        r->default_flags = sluice_rb32(p);
    }

    return SLUICE_OK;
}


static sluice_status_t
sluice_fmp4_parse_tfdt(sluice_fmp4_reader_t *r, const sluice_cmaf_box_t *box)
{
    if (box->len < 8 || (box->data[0] == 1 && box->len < 12)) {
        return SLUICE_BAD_DATA;
    }

    r->dts = (box->data[0] == 1) ? sluice_rb64(box->data + 4)
                                 : sluice_rb32(box->data + 4);
    r->have_time = 2;

    return SLUICE_OK;
}


/* a uuid box of the traf: the tfxd time, unless a tfdt gave one */
static sluice_status_t
sluice_fmp4_parse_uuid(sluice_fmp4_reader_t *r, const sluice_cmaf_box_t *box)
{
    uint32_t        version;
    const uint8_t  *p;

    if (box->len < 16) {
        return SLUICE_BAD_DATA;
    }

    if (memcmp(box->data, sluice_cmaf_tfxd_uuid, 16) != 0) {
        return SLUICE_OK;
    }

    /* usertype, version and flags, time and duration (32 or 64 bits) */

    if (box->len < 16 + 4) {
        return SLUICE_BAD_DATA;
    }

    p = box->data + 16;
    version = p[0];

    if (version > 1 || box->len < 16 + 4 + (version ? 16 : 8)) {
        return SLUICE_BAD_DATA;
    }

    if (r->have_time < 2) {
        r->dts = (version == 1) ? sluice_rb64(p + 4) : sluice_rb32(p + 4);
        r->have_time = 1;
    }

    return SLUICE_OK;
}


/* the traf's boxes but its truns: tfhd, tfdt, tfxd */
static sluice_status_t
sluice_fmp4_parse_traf(sluice_fmp4_reader_t *r, const sluice_cmaf_box_t *traf)
{
    size_t             len;
    uint32_t           have_tfhd;
    const uint8_t     *p;
    sluice_status_t    rc;
    sluice_cmaf_box_t  box;

    have_tfhd = 0;
    p = traf->data;
    len = traf->len;

    while (len) {
        rc = sluice_cmaf_read_box(p, len, &box);
        if (rc != SLUICE_OK) {
            return rc;
        }

        switch (box.type) {

        case sluice_fourcc('t', 'f', 'h', 'd'):
            rc = have_tfhd++ ? SLUICE_BAD_DATA
                             : sluice_fmp4_parse_tfhd(r, &box);
            break;

        case sluice_fourcc('t', 'f', 'd', 't'):
            rc = sluice_fmp4_parse_tfdt(r, &box);
            break;

        case sluice_fourcc('u', 'u', 'i', 'd'):
            rc = sluice_fmp4_parse_uuid(r, &box);
            break;

        default:
            rc = SLUICE_OK;
            break;
        }

        if (rc != SLUICE_OK) {
            return rc;
        }

        p += box.size;
        len -= box.size;
    }

    return (have_tfhd && r->have_time) ? SLUICE_OK : SLUICE_BAD_DATA;
}


#define sluice_fmp4_in_mdat(r, pos)                                           \
    ((pos) >= (r)->mdat_start && (pos) < (r)->mdat_end)


/*
 * Where the data of a trun starts (positions count from the moof): its
 * data offset from the moof, or from tfhd's base-data-offset when only
 * that lands in the mdat; without data offset, where the previous trun
 * ended, the first at the mdat payload.
 */
static sluice_status_t
sluice_fmp4_trun_start(sluice_fmp4_reader_t *r, const sluice_trun_t *t,
    uint64_t *pos)
{
    int64_t  off;

    if (!t->has_offset) {
        *pos = r->ntrun ? r->next : r->mdat_start;
        return SLUICE_OK;
    }

    off = t->offset;

    if (off >= 0 && sluice_fmp4_in_mdat(r, (uint64_t) off)) {
        *pos = (uint64_t) off;
        return SLUICE_OK;
    }

    /* unsigned arithmetic: a wrapped sum lands nowhere in the mdat */

    if (r->base_given && sluice_fmp4_in_mdat(r, r->base + (uint64_t) off)) {
        *pos = r->base + (uint64_t) off;
        return SLUICE_OK;
    }

    return SLUICE_BAD_DATA;
}


/* a sample read from a trun (s->flags still the sample_flags), at pos */
static sluice_status_t
sluice_fmp4_trun_sample(sluice_fmp4_reader_t *r, uint32_t i, uint64_t pos,
    sluice_sample_t *s)
{
    uint32_t  f;

    /* an empty sample is no access unit; refusing it bounds the count */

    if (s->size == 0 || !sluice_fmp4_in_mdat(r, pos)
        || r->mdat_end - pos < s->size)
    {
        return SLUICE_BAD_DATA;
    }

    if (r->samples == NULL) {
        if (r->nsamples + i == 0) {
            r->first_cts = s->cts;
        }

        return SLUICE_OK;
    }

    f = s->flags;
    s->flags = (r->audio || (sluice_fmp4_depends_on(f) != 1
                             && !(f & SLUICE_SAMPLE_IS_NON_SYNC)))
               ? SLUICE_SAMPLE_KEY : 0;
    s->dts = r->dts;
    s->data = r->mdat + (pos - r->mdat_start);

    r->samples[r->nsamples + i] = *s;

    return SLUICE_OK;
}


static sluice_status_t
sluice_fmp4_parse_trun(sluice_fmp4_reader_t *r, const sluice_cmaf_box_t *box)
{
    uint32_t             i;
    uint64_t             pos;
    sluice_trun_t        t;
    sluice_sample_t      s;
    sluice_status_t      rc;
    sluice_trun_entry_t  e;

    rc = sluice_trun_open(&t, box->data, box->len,
                          SLUICE_FMP4_MAX_SAMPLES - r->nsamples);
    if (rc != SLUICE_OK) {
        return rc;
    }

    t.default_duration = r->default_duration;
    t.default_size = r->default_size;
    t.default_flags = r->default_flags;

    rc = sluice_fmp4_trun_start(r, &t, &pos);
    if (rc != SLUICE_OK) {
        return rc;
    }

    for (i = 0; i < t.count; i++) {
        sluice_trun_next(&t, &e);

        s.duration = e.duration;
        s.size = e.size;
        s.flags = e.flags;
        s.cts = e.cts;

        rc = sluice_fmp4_trun_sample(r, i, pos, &s);
        if (rc != SLUICE_OK) {
            return rc;
        }

        pos += s.size;
        r->dts += s.duration;
    }

    r->next = pos;
    r->nsamples += t.count;
    r->ntrun++;

    return SLUICE_OK;
}


/* every trun of the traf, counting (r->samples NULL) or filling */
static sluice_status_t
sluice_fmp4_parse_runs(sluice_fmp4_reader_t *r, const sluice_cmaf_box_t *traf,
    uint64_t time)
{
    size_t             len;
    const uint8_t     *p;
    sluice_status_t    rc;
    sluice_cmaf_box_t  box;

    r->ntrun = 0;
    r->nsamples = 0;
    r->next = 0;
    r->dts = time;
    p = traf->data;
    len = traf->len;

    while (len) {
        rc = sluice_cmaf_read_box(p, len, &box);

        if (rc == SLUICE_OK && box.type == sluice_fourcc('t', 'r', 'u', 'n')) {
            rc = sluice_fmp4_parse_trun(r, &box);
        }

        if (rc != SLUICE_OK) {
            return rc;
        }

        p += box.size;
        len -= box.size;
    }

    return r->nsamples ? SLUICE_OK : SLUICE_BAD_DATA;
}


/* the moof's mfhd and its only traf */
static sluice_status_t
sluice_fmp4_parse_moof(const sluice_cmaf_box_t *moof, uint32_t *sequence,
    sluice_cmaf_box_t *traf)
{
    size_t             len;
    uint32_t           ntraf;
    const uint8_t     *p;
    sluice_status_t    rc;
    sluice_cmaf_box_t  box;

    ntraf = 0;
    p = moof->data;
    len = moof->len;
    memset(traf, 0, sizeof(sluice_cmaf_box_t));

    while (len) {
        rc = sluice_cmaf_read_box(p, len, &box);
        if (rc != SLUICE_OK) {
            return rc;
        }

        if (box.type == sluice_fourcc('m', 'f', 'h', 'd')) {
            if (box.len < 8) {
                return SLUICE_BAD_DATA;
            }

            *sequence = sluice_rb32(box.data + 4);

        } else if (box.type == sluice_fourcc('t', 'r', 'a', 'f')) {
            if (ntraf++) {
                return SLUICE_UNSUPPORTED;      /* one track per moof */
            }

            *traf = box;
        }

        p += box.size;
        len -= box.size;
    }

    return ntraf ? SLUICE_OK : SLUICE_BAD_DATA;
}


sluice_status_t
sluice_fmp4_fragment_parse(const sluice_fmp4_header_t *h,
    const uint8_t *moof, size_t moof_len, const uint8_t *mdat,
    size_t mdat_len, sluice_alloc_t *a, sluice_fmp4_fragment_t *out)
{
    uint32_t              i;
    uint64_t              time;
    sluice_status_t       rc;
    sluice_cmaf_box_t     moof_box, mdat_box, traf;
    sluice_fmp4_reader_t  r;

    memset(out, 0, sizeof(sluice_fmp4_fragment_t));
    memset(&r, 0, sizeof(sluice_fmp4_reader_t));

    if (sluice_fmp4_whole_box(moof, moof_len,
                              sluice_fourcc('m', 'o', 'o', 'f'), &moof_box)
        != SLUICE_OK
        || sluice_fmp4_whole_box(mdat, mdat_len,
                                 sluice_fourcc('m', 'd', 'a', 't'), &mdat_box)
           != SLUICE_OK)
    {
        return SLUICE_BAD_DATA;
    }

    r.h = h;
    r.mdat = mdat_box.data;
    r.mdat_start = (uint64_t) moof_len + (uint64_t) (mdat_box.data - mdat);
    r.mdat_end = (uint64_t) moof_len + mdat_len;

    rc = sluice_fmp4_parse_moof(&moof_box, &out->frag.sequence, &traf);
    if (rc != SLUICE_OK) {
        return rc;
    }

    rc = sluice_fmp4_parse_traf(&r, &traf);
    if (rc != SLUICE_OK) {
        return rc;
    }

    time = r.dts;

    /* count and check, allocate, fill */

    rc = sluice_fmp4_parse_runs(&r, &traf, time);
    if (rc != SLUICE_OK) {
        return rc;
    }

    if (r.have_time == 1 && h->tfxd_pts) {
        time -= (uint64_t) (int64_t) r.first_cts;
    }

    r.samples = a->alloc(a->ctx, r.nsamples * sizeof(sluice_sample_t));
    if (r.samples == NULL) {
        return SLUICE_NO_MEMORY;
    }

    rc = sluice_fmp4_parse_runs(&r, &traf, time);
    if (rc != SLUICE_OK) {
        return rc;
    }

    out->track = r.track;
    out->frag.time = time;
    out->frag.nsamples = r.nsamples;
    out->frag.samples = r.samples;

    for (i = 0; i < r.nsamples; i++) {
        out->frag.duration += r.samples[i].duration;
    }

    return SLUICE_OK;
}
