
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the fragmented MP4 ingest reader (sluice_fmp4.h) on
 * hand-built boxes, then on what ffmpeg writes when it is there: Smooth
 * Streaming push (-f ismv, H.264 and HEVC) and CMAF-like fragments with
 * tfdt (-f mp4, separate moof per track), walked as an ingest would walk
 * the stream.
 */


#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "media/codec/sluice_bits.h"
#include "media/codec/sluice_avc.h"
#include "media/codec/sluice_hevc.h"
#include "media/container/sluice_fmp4.h"
#include "sluice_test.h"


#define CHECK(cond)  SL_CHECK(cond)

#define fourcc(s)                                                             \
    (((uint32_t) (s)[0] << 24) | ((uint32_t) (s)[1] << 16)                    \
     | ((uint32_t) (s)[2] << 8) | (uint32_t) (s)[3])


static void *
test_alloc(void *ctx, size_t size)
{
    return malloc(size);
}


static sluice_alloc_t  alloc = { test_alloc, NULL };


/* a box builder: open() pushes a box, close() writes its size */

typedef struct {
    uint8_t   b[81920];
    size_t    n;
    size_t    open[16];
    int       depth;
} bb_t;


static void
u8(bb_t *bb, uint32_t v)
{
    bb->b[bb->n++] = (uint8_t) v;
}


static void
u16(bb_t *bb, uint32_t v)
{
    u8(bb, v >> 8);
    u8(bb, v);
}


static void
u32(bb_t *bb, uint32_t v)
{
    u16(bb, v >> 16);
    u16(bb, v);
}


static void
u64(bb_t *bb, uint64_t v)
{
    u32(bb, (uint32_t) (v >> 32));
    u32(bb, (uint32_t) v);
}


static void
bytes(bb_t *bb, const void *p, size_t n)
{
    memcpy(bb->b + bb->n, p, n);
    bb->n += n;
}


static void
zeros(bb_t *bb, size_t n)
{
    memset(bb->b + bb->n, 0, n);
    bb->n += n;
}


static void
box(bb_t *bb, const char *type)
{
    bb->open[bb->depth++] = bb->n;
    u32(bb, 0);
    bytes(bb, type, 4);
}


static void
full(bb_t *bb, const char *type, uint32_t version, uint32_t flags)
{
    box(bb, type);
    u32(bb, (version << 24) | flags);
}


static void
end(bb_t *bb)
{
    size_t  at;

    at = bb->open[--bb->depth];
    sluice_wb32(bb->b + at, (uint32_t) (bb->n - at));
}


/* ffmpeg's SPS and PPS of testsrc2 320x240, High profile level 1.3 */

static const uint8_t  sps[] = {
    0x67, 0x64, 0x00, 0x0d, 0xac, 0xd9, 0x41, 0x41, 0xfb, 0x01, 0x10, 0x00,
    0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0xc0, 0xf1, 0x42, 0x99,
    0x60
};

static const uint8_t  pps[] = { 0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0 };

static const uint8_t  asc_mono_48k[] = { 0x11, 0x88 };

static const uint8_t  tfxd_uuid[16] = {
    0x6d, 0x1d, 0x9b, 0x05, 0x42, 0xd5, 0x44, 0xe6,
    0x80, 0xe2, 0x14, 0x1d, 0xaf, 0xf7, 0x57, 0xb2
};

static const uint8_t  manifest_uuid[16] = {
    0xa5, 0xd4, 0x0b, 0x30, 0xe8, 0x14, 0x11, 0xdd,
    0xba, 0x2f, 0x08, 0x00, 0x20, 0x0c, 0x9a, 0x66
};


/* ISO 639-2/T code packed as mdhd has it */
static uint32_t
lang_code(const char *s)
{
    return ((uint32_t) (s[0] - 0x60) << 10) | ((uint32_t) (s[1] - 0x60) << 5)
           | (uint32_t) (s[2] - 0x60);
}


typedef struct {
    uint32_t        id;
    const char     *handler;
    const char     *entry;          /* sample entry fourcc */
    uint32_t        timescale;
    const char     *lang;
    uint32_t        mdhd_version;
    uint32_t        oti;            /* mp4a: object type indication */
    uint32_t        avg_bitrate;    /* esds, or btrt of video */
} trak_spec_t;


static void
avcc(bb_t *bb)
{
    box(bb, "avcC");
    u8(bb, 1);
    u8(bb, 0x64);
    u8(bb, 0x00);
    u8(bb, 0x0d);
    u8(bb, 0xff);
    u8(bb, 0xe1);
    u16(bb, sizeof(sps));
    bytes(bb, sps, sizeof(sps));
    u8(bb, 1);
    u16(bb, sizeof(pps));
    bytes(bb, pps, sizeof(pps));
    end(bb);
}


static void
esds(bb_t *bb, uint32_t oti, uint32_t avg_bitrate)
{
    full(bb, "esds", 0, 0);
    u8(bb, 0x03);                       /* ES_Descriptor */
    u8(bb, 3 + 2 + 13 + 2 + sizeof(asc_mono_48k));
    u16(bb, 1);                         /* ES_ID */
    u8(bb, 0);
    u8(bb, 0x04);                       /* DecoderConfigDescriptor */
    u8(bb, 13 + 2 + sizeof(asc_mono_48k));
    u8(bb, oti);
    u8(bb, 0x15);                       /* audio stream */
    u8(bb, 0);
    u16(bb, 0);                         /* bufferSizeDB */
    u32(bb, 128000);                    /* maxBitrate */
    u32(bb, avg_bitrate);
    u8(bb, 0x05);                       /* DecoderSpecificInfo */
    u8(bb, sizeof(asc_mono_48k));
    bytes(bb, asc_mono_48k, sizeof(asc_mono_48k));
    end(bb);
}


static void
sample_entry(bb_t *bb, const trak_spec_t *t)
{
    box(bb, t->entry);
    zeros(bb, 6);
    u16(bb, 1);                         /* data_reference_index */

    if (strcmp(t->handler, "vide") == 0) {
        zeros(bb, 16);
        u16(bb, 320);
        u16(bb, 240);
        u32(bb, 0x00480000);
        u32(bb, 0x00480000);
        u32(bb, 0);
        u16(bb, 1);
        zeros(bb, 32);
        u16(bb, 0x18);
        u16(bb, 0xffff);

        if (strcmp(t->entry, "avc1") == 0) {
            avcc(bb);
        }

        box(bb, "btrt");
        u32(bb, 0);
        u32(bb, 0);
        u32(bb, t->avg_bitrate);
        end(bb);

    } else if (strcmp(t->handler, "soun") == 0) {
        zeros(bb, 8);
        u16(bb, 2);                     /* channelcount (the ASC says 1) */
        u16(bb, 16);
        u32(bb, 0);
        u32(bb, 48000u << 16);

        if (strcmp(t->entry, "mp4a") == 0) {
            esds(bb, t->oti, t->avg_bitrate);
        }

    } else {
        zeros(bb, 8);
    }

    end(bb);
}


static void
trak(bb_t *bb, const trak_spec_t *t)
{
    box(bb, "trak");

    full(bb, "tkhd", 0, 7);
    u32(bb, 0);
    u32(bb, 0);
    u32(bb, t->id);
    zeros(bb, 4 + 4 + 8 + 2 + 2 + 2 + 2 + 36 + 4 + 4);
    end(bb);

    box(bb, "mdia");

    full(bb, "mdhd", t->mdhd_version, 0);

    if (t->mdhd_version == 1) {
        u64(bb, 0);
        u64(bb, 0);
        u32(bb, t->timescale);
        u64(bb, 0);

    } else {
        u32(bb, 0);
        u32(bb, 0);
        u32(bb, t->timescale);
        u32(bb, 0);
    }

    u16(bb, lang_code(t->lang));
    u16(bb, 0);
    end(bb);

    full(bb, "hdlr", 0, 0);
    u32(bb, 0);
    bytes(bb, t->handler, 4);
    zeros(bb, 12);
    bytes(bb, "x", 2);
    end(bb);

    box(bb, "minf");
    box(bb, "stbl");
    full(bb, "stsd", 0, 0);
    u32(bb, 1);
    sample_entry(bb, t);
    end(bb);
    end(bb);
    end(bb);

    end(bb);                            /* mdia */
    end(bb);                            /* trak */
}


static void
trex(bb_t *bb, uint32_t id, uint32_t duration, uint32_t size, uint32_t flags)
{
    full(bb, "trex", 0, 0);
    u32(bb, id);
    u32(bb, 1);
    u32(bb, duration);
    u32(bb, size);
    u32(bb, flags);
    end(bb);
}


static const trak_spec_t  video_trak = {
    1, "vide", "avc1", 90000, "und", 0, 0, 700000
};

static const trak_spec_t  audio_trak = {
    2, "soun", "mp4a", 10000000, "eng", 1, 0x40, 96000
};


/* moov of the video and audio tracks above, then the extra ones */
static void
moov(bb_t *bb, const trak_spec_t *extra, int nextra)
{
    int  i;

    box(bb, "moov");

    full(bb, "mvhd", 0, 0);
    zeros(bb, 96);
    end(bb);

    trak(bb, &video_trak);
    trak(bb, &audio_trak);

    for (i = 0; i < nextra; i++) {
        trak(bb, &extra[i]);
    }

    box(bb, "mvex");
    trex(bb, 1, 3000, 0, 0x01010000);
    trex(bb, 2, 213333, 77, 0x02000000);
    end(bb);

    end(bb);
}


static void
parse_moov(sluice_fmp4_header_t *h)
{
    static bb_t  bb;

    bb.n = 0;
    moov(&bb, NULL, 0);
    SL_CHECK_OK(sluice_fmp4_moov_parse(bb.b, bb.n, h));
}


static void
test_box_header(void)
{
    size_t    hl;
    uint8_t   b[16];
    uint32_t  type;
    uint64_t  size;

    memcpy(b, "\0\0\0\x64moov", 8);

    SL_CHECK_EQ(sluice_fmp4_box_header(b, 7, &type, &size, &hl),
                SLUICE_AGAIN);
    SL_CHECK_OK(sluice_fmp4_box_header(b, 8, &type, &size, &hl));
    SL_CHECK_UEQ(type, fourcc("moov"));
    SL_CHECK_UEQ(size, 100);
    SL_CHECK_UEQ(hl, 8);

    /* largesize */

    memcpy(b, "\0\0\0\x01mdat\0\0\0\x01\0\0\0\x10", 16);

    SL_CHECK_EQ(sluice_fmp4_box_header(b, 8, &type, &size, &hl),
                SLUICE_AGAIN);
    SL_CHECK_EQ(sluice_fmp4_box_header(b, 15, &type, &size, &hl),
                SLUICE_AGAIN);
    SL_CHECK_OK(sluice_fmp4_box_header(b, 16, &type, &size, &hl));
    SL_CHECK_UEQ(type, fourcc("mdat"));
    SL_CHECK_UEQ(size, 0x100000010ULL);
    SL_CHECK_UEQ(hl, 16);

    /* smaller than its header; 0, to the end of the file */

    memcpy(b, "\0\0\0\x01mdat\0\0\0\0\0\0\0\x0f", 16);
    SL_CHECK_EQ(sluice_fmp4_box_header(b, 16, &type, &size, &hl),
                SLUICE_BAD_DATA);

    memcpy(b, "\0\0\0\x07moof", 8);
    SL_CHECK_EQ(sluice_fmp4_box_header(b, 8, &type, &size, &hl),
                SLUICE_BAD_DATA);

    memcpy(b, "\0\0\0\0mdat", 8);
    SL_CHECK_EQ(sluice_fmp4_box_header(b, 8, &type, &size, &hl),
                SLUICE_BAD_DATA);
}


static void
test_moov(void)
{
    sluice_fmp4_track_t   *v, *a;
    sluice_fmp4_header_t   h;

    parse_moov(&h);

    SL_CHECK_UEQ(h.ntracks, 2);

    v = &h.tracks[0];
    SL_CHECK_UEQ(v->track_id, 1);
    SL_CHECK_UEQ(v->handler, fourcc("vide"));
    SL_CHECK_UEQ(v->info.media_type, SLUICE_MEDIA_VIDEO);
    SL_CHECK_UEQ(v->info.codec, SLUICE_CODEC_AVC);
    SL_CHECK_STR_EQ(v->info.codec_string, "avc1.64000d");
    SL_CHECK_UEQ(v->info.timescale, 90000);
    SL_CHECK_UEQ(v->info.width, 320);
    SL_CHECK_UEQ(v->info.height, 240);
    SL_CHECK_UEQ(v->info.nal_length_size, 4);
    SL_CHECK_UEQ(v->info.config_len, 8 + sizeof(sps) + 3 + sizeof(pps));
    SL_CHECK_UEQ(v->info.bitrate, 700000);             /* btrt */
    SL_CHECK_STR_EQ(v->info.lang, "");                  /* und */
    SL_CHECK_STR_EQ(v->name, "");
    SL_CHECK_UEQ(v->default_duration, 3000);
    SL_CHECK_UEQ(v->default_size, 0);
    SL_CHECK_UEQ(v->default_flags, 0x01010000);

    a = &h.tracks[1];
    SL_CHECK_UEQ(a->track_id, 2);
    SL_CHECK_UEQ(a->info.media_type, SLUICE_MEDIA_AUDIO);
    SL_CHECK_UEQ(a->info.codec, SLUICE_CODEC_AAC);
    SL_CHECK_STR_EQ(a->info.codec_string, "mp4a.40.2");
    SL_CHECK_UEQ(a->info.timescale, 10000000);          /* mdhd, v1 */
    SL_CHECK_UEQ(a->info.sample_rate, 48000);
    SL_CHECK_UEQ(a->info.channels, 1);                  /* the ASC's */
    SL_CHECK_UEQ(a->info.object_type, 2);
    SL_CHECK_UEQ(a->info.config_len, 2);
    SL_CHECK_MEM_EQ(a->info.config, asc_mono_48k, 2);
    SL_CHECK_UEQ(a->info.bitrate, 96000);               /* esds */
    SL_CHECK_STR_EQ(a->info.lang, "eng");               /* no 639-1 map */
    SL_CHECK_UEQ(a->default_duration, 213333);
    SL_CHECK_UEQ(a->default_size, 77);
    SL_CHECK_UEQ(a->default_flags, 0x02000000);
}


static void
test_moov_other_tracks(void)
{
    static bb_t           bb;
    sluice_fmp4_header_t  h;

    static const trak_spec_t  extra[] = {
        { 3, "vide", "vp09", 90000, "und", 0, 0, 0 },
        { 4, "text", "wvtt", 1000, "fra", 0, 0, 0 },
        { 5, "soun", "mp4a", 44100, "deu", 0, 0x6b, 0 },
        { 6, "soun", "avc1", 44100, "und", 0, 0, 0 },
    };

    bb.n = 0;
    moov(&bb, extra, 4);
    SL_CHECK_OK(sluice_fmp4_moov_parse(bb.b, bb.n, &h));
    SL_CHECK_UEQ(h.ntracks, 6);

    SL_CHECK_UEQ(h.tracks[2].track_id, 3);
    SL_CHECK_UEQ(h.tracks[2].info.codec, SLUICE_CODEC_NONE);
    SL_CHECK_UEQ(h.tracks[2].info.media_type, SLUICE_MEDIA_VIDEO);
    SL_CHECK_STR_EQ(h.tracks[2].info.codec_string, "vp09");
    SL_CHECK_UEQ(h.tracks[2].info.timescale, 90000);

    SL_CHECK_UEQ(h.tracks[3].info.codec, SLUICE_CODEC_NONE);
    SL_CHECK_UEQ(h.tracks[3].info.media_type, SLUICE_FMP4_MEDIA_OTHER);
    SL_CHECK_UEQ(h.tracks[3].handler, fourcc("text"));
    SL_CHECK_STR_EQ(h.tracks[3].info.codec_string, "wvtt");
    SL_CHECK_STR_EQ(h.tracks[3].info.lang, "fra");

    SL_CHECK_UEQ(h.tracks[4].info.codec, SLUICE_CODEC_NONE);
    SL_CHECK_UEQ(h.tracks[4].info.media_type, SLUICE_MEDIA_AUDIO);
    SL_CHECK_STR_EQ(h.tracks[4].info.codec_string, "mp4a.6b");

    SL_CHECK_UEQ(h.tracks[5].info.codec, SLUICE_CODEC_NONE);
    SL_CHECK_STR_EQ(h.tracks[5].info.codec_string, "avc1");
}


static void
test_moov_refused(void)
{
    int                   i;
    static bb_t           bb;
    trak_spec_t           extra[7];
    sluice_fmp4_header_t  h;

    /* 9 tracks */

    for (i = 0; i < 7; i++) {
        extra[i] = video_trak;
        extra[i].id = 10 + i;
    }

    bb.n = 0;
    moov(&bb, extra, 6);
    SL_CHECK_OK(sluice_fmp4_moov_parse(bb.b, bb.n, &h));
    SL_CHECK_UEQ(h.ntracks, 8);

    bb.n = 0;
    moov(&bb, extra, 7);
    SL_CHECK_EQ(sluice_fmp4_moov_parse(bb.b, bb.n, &h), SLUICE_UNSUPPORTED);

    /* timescale 0 */

    extra[0].timescale = 0;
    bb.n = 0;
    moov(&bb, extra, 1);
    SL_CHECK_EQ(sluice_fmp4_moov_parse(bb.b, bb.n, &h), SLUICE_BAD_DATA);

    /* two traks of one track_ID */

    extra[0] = audio_trak;
    bb.n = 0;
    moov(&bb, extra, 1);
    SL_CHECK_EQ(sluice_fmp4_moov_parse(bb.b, bb.n, &h), SLUICE_BAD_DATA);

    /* a box past its parent; not the whole buffer; not a moov */

    bb.n = 0;
    moov(&bb, NULL, 0);
    SL_CHECK_OK(sluice_fmp4_moov_parse(bb.b, bb.n, &h));
    SL_CHECK_EQ(sluice_fmp4_moov_parse(bb.b, bb.n - 1, &h), SLUICE_BAD_DATA);
    SL_CHECK_EQ(sluice_fmp4_moov_parse(bb.b, bb.n + 1, &h), SLUICE_BAD_DATA);
    sluice_wb32(bb.b + 8 + 108, 0x7fffffff);            /* the first trak */
    SL_CHECK_EQ(sluice_fmp4_moov_parse(bb.b, bb.n, &h), SLUICE_BAD_DATA);

    bb.n = 0;
    moov(&bb, NULL, 0);
    memcpy(bb.b + 4, "moof", 4);
    SL_CHECK_EQ(sluice_fmp4_moov_parse(bb.b, bb.n, &h), SLUICE_BAD_DATA);

    /* an stsd counting more entries than it holds */

    bb.n = 0;
    moov(&bb, NULL, 0);

    for (i = 0; (size_t) i + 8 <= bb.n; i++) {
        if (memcmp(bb.b + i, "stsd", 4) == 0) {
            sluice_wb32(bb.b + i + 8, 1000);
            break;
        }
    }

    SL_CHECK_EQ(sluice_fmp4_moov_parse(bb.b, bb.n, &h), SLUICE_BAD_DATA);
}


static void
manifest(bb_t *bb, const char *xml)
{
    box(bb, "uuid");
    bytes(bb, manifest_uuid, 16);
    u32(bb, 0);
    bytes(bb, xml, strlen(xml));
    end(bb);
}


static void
test_manifest(void)
{
    static bb_t           bb;
    sluice_fmp4_header_t  h;

    parse_moov(&h);

    bb.n = 0;
    manifest(&bb,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<smil xmlns=\"http://www.w3.org/2001/SMIL20/Language\">\n"
        "<body>\n<switch>\n"
        "<video systemBitrate=\"0\">\n"
        "<param name=\"systemBitrate\" value=\"0\" valuetype=\"data\"/>\n"
        "<param name=\"trackID\" value=\"1\" valuetype=\"data\"/>\n"
        "<param name=\"systemLanguage\" value=\"und\" valuetype=\"data\"/>\n"
        "<param name=\"trackName\" value=\"video\" valuetype=\"data\"/>\n"
        "</video>\n"
        "<audio systemBitrate=\"96000\">\n"
        "<param name=\"systemBitrate\" value=\"128000\" valuetype=\"data\"/>"
        "\n<param value='2' name = 'trackID'/>\n"
        "<param name=\"systemLanguage\" value=\"fr-CA\" valuetype=\"data\"/>\n"
        "<param name=\"trackName\" value=\"audio_fra\" valuetype=\"data\"/>\n"
        "</audio>\n"
        "<audio systemBitrate=\"64000\" trackID=\"3\">\n"
        "</audio>\n"
        "</switch>\n</body>\n</smil>\n");

    CHECK(sluice_fmp4_is_manifest(bb.b, bb.n));
    SL_CHECK_OK(sluice_fmp4_manifest_apply(bb.b, bb.n, &h));

    SL_CHECK_UEQ(h.tracks[0].info.bitrate, 700000);     /* 0 ignored */
    SL_CHECK_STR_EQ(h.tracks[0].info.lang, "");
    SL_CHECK_STR_EQ(h.tracks[0].name, "video");

    SL_CHECK_UEQ(h.tracks[1].info.bitrate, 128000);     /* the param */
    SL_CHECK_STR_EQ(h.tracks[1].info.lang, "fr-CA");
    SL_CHECK_STR_EQ(h.tracks[1].name, "audio_fra");
    SL_CHECK_UEQ(h.tfxd_pts, 0);

    /* ffmpeg's: its tfxd times are presentation times */

    bb.n = 0;
    manifest(&bb,
        "<smil><head><meta name=\"generator\" content=\"Lavf\"/>"
        "<meta name=\"creator\" content=\"Lavf59.27.100\" />"
        "</head><body></body></smil>");
    SL_CHECK_OK(sluice_fmp4_manifest_apply(bb.b, bb.n, &h));
    SL_CHECK_UEQ(h.tfxd_pts, 1);

    /* the attribute, a trackID attribute, a cut element; "und" kept out */

    parse_moov(&h);

    bb.n = 0;
    manifest(&bb,
        "<smil><switch><video trackID=\"1\" systemBitrate=\"1500000\">"
        "<param name=\"systemLanguage\" value=\"und\"/></video>"
        "<audio systemBitrate=\"48000\"><param name=\"trackID\" value=\"2\""
        "/><param name=\"trackName\" value=\"a\tb\"/><param name=\"tra");

    SL_CHECK_OK(sluice_fmp4_manifest_apply(bb.b, bb.n, &h));
    SL_CHECK_UEQ(h.tracks[0].info.bitrate, 1500000);
    SL_CHECK_UEQ(h.tracks[1].info.bitrate, 48000);
    SL_CHECK_STR_EQ(h.tracks[1].info.lang, "eng");
    SL_CHECK_STR_EQ(h.tracks[1].name, "");              /* a tab */

    /* nothing to apply; not the manifest */

    bb.n = 0;
    manifest(&bb, "");
    SL_CHECK_OK(sluice_fmp4_manifest_apply(bb.b, bb.n, &h));

    bb.n = 0;
    box(&bb, "uuid");
    bytes(&bb, tfxd_uuid, 16);
    u32(&bb, 0);
    end(&bb);
    CHECK(!sluice_fmp4_is_manifest(bb.b, bb.n));
    SL_CHECK_EQ(sluice_fmp4_manifest_apply(bb.b, bb.n, &h), SLUICE_BAD_DATA);
    SL_CHECK_EQ(sluice_fmp4_manifest_apply(bb.b, 8, &h), SLUICE_BAD_DATA);
}


/* a moof and its mdat, built from a description */

typedef struct {
    uint32_t        track_id;
    uint32_t        tfhd_flags;
    uint64_t        base_data_offset;
    uint32_t        tfhd_duration;
    uint32_t        tfhd_size;
    uint32_t        tfhd_sample_flags;

    int             tfdt;           /* -1: none, else its version */
    uint64_t        tfdt_time;
    int             tfxd;           /* the same */
    uint64_t        tfxd_time;

    uint32_t        trun_version;
    uint32_t        trun_flags;
    int32_t         data_offset;    /* added to the mdat payload's */
    uint32_t        first_flags;
    uint32_t        n;
    uint32_t        duration[4];
    uint32_t        size[4];
    uint32_t        flags[4];
    int32_t         cts[4];

    int             ntraf;
    uint32_t        mdat_len;       /* payload; 0: the samples' sizes */
} frag_spec_t;


static const frag_spec_t  ismv_video = {
    1, 0x20, 0, 0, 0, 0x01010000,
    -1, 0, 1, 1234567890123ULL,
    1, 0xb05, 0, 0x02000000,
    3, { 333333, 333333, 333334 }, { 100, 20, 30 }, { 0 },
    { 666666, -333333, 0 },
    1, 0
};


static void
fragment(bb_t *moof, bb_t *mdat, const frag_spec_t *f)
{
    int       t;
    size_t    at;
    uint32_t  i, total;

    moof->n = 0;
    mdat->n = 0;
    at = 0;

    box(moof, "moof");
    full(moof, "mfhd", 0, 0);
    u32(moof, 7);
    end(moof);

    for (t = 0; t < f->ntraf; t++) {
        box(moof, "traf");

        full(moof, "tfhd", 0, f->tfhd_flags);
        u32(moof, f->track_id);

        if (f->tfhd_flags & 0x01) {
            u64(moof, f->base_data_offset);
        }

        if (f->tfhd_flags & 0x02) {
            u32(moof, 1);
        }

        if (f->tfhd_flags & 0x08) {
            u32(moof, f->tfhd_duration);
        }

        if (f->tfhd_flags & 0x10) {
            u32(moof, f->tfhd_size);
        }

        if (f->tfhd_flags & 0x20) {
            u32(moof, f->tfhd_sample_flags);
        }

        end(moof);

        if (f->tfdt >= 0) {
            full(moof, "tfdt", f->tfdt, 0);

            if (f->tfdt) {
                u64(moof, f->tfdt_time);

            } else {
                u32(moof, (uint32_t) f->tfdt_time);
            }

            end(moof);
        }

        full(moof, "trun", f->trun_version, f->trun_flags);
        u32(moof, f->n);

        if (f->trun_flags & 0x01) {
            at = moof->n;
            u32(moof, 0);
        }

        if (f->trun_flags & 0x04) {
            u32(moof, f->first_flags);
        }

        for (i = 0; i < f->n; i++) {
            if (f->trun_flags & 0x100) {
                u32(moof, f->duration[i]);
            }

            if (f->trun_flags & 0x200) {
                u32(moof, f->size[i]);
            }

            if (f->trun_flags & 0x400) {
                u32(moof, f->flags[i]);
            }

            if (f->trun_flags & 0x800) {
                u32(moof, (uint32_t) f->cts[i]);
            }
        }

        end(moof);

        /* the tfxd after the trun, as ffmpeg writes it */

        if (f->tfxd >= 0) {
            box(moof, "uuid");
            bytes(moof, tfxd_uuid, 16);
            u32(moof, (uint32_t) f->tfxd << 24);

            if (f->tfxd) {
                u64(moof, f->tfxd_time);
                u64(moof, 1000000);

            } else {
                u32(moof, (uint32_t) f->tfxd_time);
                u32(moof, 1000000);
            }

            end(moof);
        }

        end(moof);                      /* traf */
    }

    end(moof);

    if (at) {
        sluice_wb32(moof->b + at, (uint32_t) (moof->n + 8 + f->data_offset));
    }

    total = 0;

    for (i = 0; i < f->n; i++) {
        total += f->size[i];
    }

    if (f->mdat_len) {
        total = f->mdat_len;
    }

    box(mdat, "mdat");

    for (i = 0; i < total; i++) {
        u8(mdat, i);
    }

    end(mdat);
}


/*
 * Parse built buffers, expecting success: on failure, zeroed samples
 * stand in, so the checks that follow fail without crashing
 */
static void
bufs_ok(const sluice_fmp4_header_t *h, const bb_t *moof, const bb_t *mdat,
    sluice_fmp4_fragment_t *out)
{
    SL_CHECK_OK(sluice_fmp4_fragment_parse(h, moof->b, moof->n, mdat->b,
                                           mdat->n, &alloc, out));

    if (out->frag.samples == NULL) {
        out->frag.samples = calloc(4, sizeof(sluice_sample_t));
    }
}


static void
frag_ok(const sluice_fmp4_header_t *h, const frag_spec_t *f,
    sluice_fmp4_fragment_t *out)
{
    static bb_t  moof, mdat;

    fragment(&moof, &mdat, f);
    bufs_ok(h, &moof, &mdat, out);
}


/* the status of parsing a fragment expected to fail */
static sluice_status_t
frag_rc(const sluice_fmp4_header_t *h, const frag_spec_t *f)
{
    sluice_status_t         rc;
    sluice_fmp4_fragment_t  out;
    static bb_t             moof, mdat;

    fragment(&moof, &mdat, f);

    rc = sluice_fmp4_fragment_parse(h, moof.b, moof.n, mdat.b, mdat.n,
                                    &alloc, &out);
    if (rc == SLUICE_OK) {
        free(out.frag.samples);
    }

    return rc;
}


static void
test_fragment_tfxd(void)
{
    static bb_t             moof, mdat;
    sluice_sample_t        *s;
    sluice_fmp4_header_t    h;
    sluice_fmp4_fragment_t  out;

    parse_moov(&h);

    fragment(&moof, &mdat, &ismv_video);
    bufs_ok(&h, &moof, &mdat, &out);

    SL_CHECK_UEQ(out.track, 0);
    SL_CHECK_UEQ(out.frag.sequence, 7);
    SL_CHECK_UEQ(out.frag.time, 1234567890123ULL);
    SL_CHECK_UEQ(out.frag.duration, 1000000);
    SL_CHECK_UEQ(out.frag.nsamples, 3);

    s = out.frag.samples;
    SL_CHECK_UEQ(s[0].dts, 1234567890123ULL);
    SL_CHECK_UEQ(s[1].dts, 1234567890123ULL + 333333);
    SL_CHECK_UEQ(s[2].dts, 1234567890123ULL + 666666);
    SL_CHECK_EQ(s[0].cts, 666666);
    SL_CHECK_EQ(s[1].cts, -333333);
    SL_CHECK_UEQ(s[0].flags, SLUICE_SAMPLE_KEY);        /* first flags */
    SL_CHECK_UEQ(s[1].flags, 0);                        /* tfhd default */
    SL_CHECK_UEQ(s[2].flags, 0);
    SL_CHECK_UEQ(s[0].size, 100);
    CHECK(s[0].data == mdat.b + 8);
    CHECK(s[1].data == mdat.b + 108);
    CHECK(s[2].data == mdat.b + 128);

    free(out.frag.samples);

    /* ffmpeg's tfxd: the first sample's presentation time */

    h.tfxd_pts = 1;
    bufs_ok(&h, &moof, &mdat, &out);
    SL_CHECK_UEQ(out.frag.time, 1234567890123ULL - 666666);
    SL_CHECK_UEQ(out.frag.samples[0].dts, 1234567890123ULL - 666666);
    SL_CHECK_UEQ(out.frag.samples[0].dts + out.frag.samples[0].cts,
                 1234567890123ULL);
    free(out.frag.samples);
    h.tfxd_pts = 0;

    /* version 0: 32 bits */

    {
        frag_spec_t  f = ismv_video;

        f.tfxd = 0;
        f.tfxd_time = 0x89abcdef;
        frag_ok(&h, &f, &out);
        SL_CHECK_UEQ(out.frag.time, 0x89abcdef);
        free(out.frag.samples);

        /* no time at all */

        f.tfxd = -1;
        SL_CHECK_EQ(frag_rc(&h, &f), SLUICE_BAD_DATA);

        f.tfxd = 2;
        SL_CHECK_EQ(frag_rc(&h, &f), SLUICE_BAD_DATA);
    }
}


static void
test_fragment_tfdt(void)
{
    frag_spec_t             f;
    sluice_fmp4_header_t    h;
    sluice_fmp4_fragment_t  out;

    parse_moov(&h);
    h.tfxd_pts = 1;                     /* no matter: tfdt first */

    /* CMAF: default-base-is-moof, tfdt v1, per-sample flags; the tfxd */

    f = ismv_video;
    f.tfhd_flags = 0x020000;
    f.tfdt = 1;
    f.tfdt_time = 90000ULL * 3600 * 24 * 400;
    f.trun_flags = 0xf01;
    f.flags[0] = 0x02000000;
    f.flags[1] = 0x01010000;
    f.flags[2] = 0x00000000;            /* depends unknown, sync */

    frag_ok(&h, &f, &out);
    SL_CHECK_UEQ(out.frag.time, 90000ULL * 3600 * 24 * 400);
    SL_CHECK_UEQ(out.frag.samples[2].dts,
                 90000ULL * 3600 * 24 * 400 + 666666);
    SL_CHECK_UEQ(out.frag.samples[0].flags, SLUICE_SAMPLE_KEY);
    SL_CHECK_UEQ(out.frag.samples[1].flags, 0);
    SL_CHECK_UEQ(out.frag.samples[2].flags, SLUICE_SAMPLE_KEY);
    free(out.frag.samples);

    /* tfdt version 0; depends on others without the non-sync bit */

    f.tfdt = 0;
    f.tfdt_time = 12345;
    f.tfxd = -1;
    f.flags[2] = 0x01000000;
    frag_ok(&h, &f, &out);
    SL_CHECK_UEQ(out.frag.time, 12345);
    SL_CHECK_UEQ(out.frag.samples[2].flags, 0);
    free(out.frag.samples);
}


static void
test_fragment_cts(void)
{
    frag_spec_t             f;
    sluice_fmp4_header_t    h;
    sluice_fmp4_fragment_t  out;

    parse_moov(&h);

    f = ismv_video;
    f.cts[0] = 3000;
    f.cts[1] = -3000;
    f.cts[2] = -2147483647 - 1;

    frag_ok(&h, &f, &out);
    SL_CHECK_EQ(out.frag.samples[0].cts, 3000);
    SL_CHECK_EQ(out.frag.samples[1].cts, -3000);
    SL_CHECK_EQ(out.frag.samples[2].cts, -2147483647 - 1);
    free(out.frag.samples);

    /* version 0 and offsets below 2^31: unsigned */

    f.trun_version = 0;
    f.cts[1] = 0x7fffffff;
    frag_ok(&h, &f, &out);
    SL_CHECK_EQ(out.frag.samples[1].cts, 0x7fffffff);
    free(out.frag.samples);
}


static void
test_fragment_defaults(void)
{
    frag_spec_t             f;
    sluice_fmp4_header_t    h;
    sluice_fmp4_fragment_t  out;

    parse_moov(&h);

    /* audio: sizes and durations from tfhd, every sample a key */

    memset(&f, 0, sizeof(frag_spec_t));
    f.track_id = 2;
    f.tfhd_flags = 0x38;
    f.tfhd_duration = 21333;
    f.tfhd_size = 40;
    f.tfhd_sample_flags = 0x01010000;
    f.tfdt = 1;
    f.tfdt_time = 5;
    f.tfxd = -1;
    f.trun_flags = 0x001;
    f.n = 3;
    f.size[0] = f.size[1] = f.size[2] = 40;
    f.ntraf = 1;

    frag_ok(&h, &f, &out);
    SL_CHECK_UEQ(out.track, 1);
    SL_CHECK_UEQ(out.frag.duration, 3 * 21333);
    SL_CHECK_UEQ(out.frag.samples[2].dts, 5 + 2 * 21333);
    SL_CHECK_UEQ(out.frag.samples[2].size, 40);
    SL_CHECK_UEQ(out.frag.samples[1].flags, SLUICE_SAMPLE_KEY);
    free(out.frag.samples);

    /* from trex: duration 213333, size 77 */

    f.tfhd_flags = 0;
    f.size[0] = f.size[1] = f.size[2] = 77;
    frag_ok(&h, &f, &out);
    SL_CHECK_UEQ(out.frag.duration, 3 * 213333);
    SL_CHECK_UEQ(out.frag.samples[1].size, 77);
    SL_CHECK_UEQ(out.frag.samples[1].dts, 5 + 213333);
    free(out.frag.samples);

    /* video: trex flags 0x01010000, no first-sample-flags */

    f.track_id = 1;
    f.trun_flags = 0x201;
    f.tfhd_flags = 0x02;                /* sample-description-index */
    frag_ok(&h, &f, &out);
    SL_CHECK_UEQ(out.track, 0);
    SL_CHECK_UEQ(out.frag.samples[0].flags, 0);
    SL_CHECK_UEQ(out.frag.samples[0].duration, 3000);
    free(out.frag.samples);

    /* a size of 0 */

    f.size[1] = 0;
    SL_CHECK_EQ(frag_rc(&h, &f), SLUICE_BAD_DATA);
}


static void
test_fragment_offsets(void)
{
    static bb_t             moof, mdat;
    frag_spec_t             f;
    sluice_fmp4_header_t    h;
    sluice_fmp4_fragment_t  out;

    parse_moov(&h);

    /* base-data-offset, a file offset: the data offset counts from moof */

    f = ismv_video;
    f.tfhd_flags |= 0x01;
    f.base_data_offset = 1000000;
    fragment(&moof, &mdat, &f);
    bufs_ok(&h, &moof, &mdat, &out);
    CHECK(out.frag.samples[0].data == mdat.b + 8);
    free(out.frag.samples);

    /* a base-data-offset counted from the moof */

    f.base_data_offset = 100;
    f.data_offset = 8 - 100;            /* into the moof, + 100: the mdat */
    f.mdat_len = 8 + 150;
    fragment(&moof, &mdat, &f);
    bufs_ok(&h, &moof, &mdat, &out);
    CHECK(out.frag.samples[0].data == mdat.b + 16);
    free(out.frag.samples);

    /* no data offset: the mdat payload; two truns follow each other */

    f = ismv_video;
    f.trun_flags &= ~0x01u;
    fragment(&moof, &mdat, &f);
    bufs_ok(&h, &moof, &mdat, &out);
    CHECK(out.frag.samples[0].data == mdat.b + 8);
    CHECK(out.frag.samples[2].data == mdat.b + 128);
    free(out.frag.samples);

    /* a data offset into the moof, past the mdat */

    f = ismv_video;
    f.data_offset = -8;
    SL_CHECK_EQ(frag_rc(&h, &f), SLUICE_BAD_DATA);

    f.data_offset = 1;
    SL_CHECK_EQ(frag_rc(&h, &f), SLUICE_BAD_DATA);

    f.data_offset = 0;
    f.mdat_len = 149;
    SL_CHECK_EQ(frag_rc(&h, &f), SLUICE_BAD_DATA);

    f.mdat_len = 150;
    frag_ok(&h, &f, &out);
    free(out.frag.samples);

    /* a larger mdat is fine; an mdat or moof not whole is not */

    f.mdat_len = 4000;
    fragment(&moof, &mdat, &f);
    bufs_ok(&h, &moof, &mdat, &out);
    free(out.frag.samples);
    SL_CHECK_EQ(sluice_fmp4_fragment_parse(&h, moof.b, moof.n, mdat.b,
                                           mdat.n - 1, &alloc, &out),
                SLUICE_BAD_DATA);
    SL_CHECK_EQ(sluice_fmp4_fragment_parse(&h, moof.b, moof.n - 1, mdat.b,
                                           mdat.n, &alloc, &out),
                SLUICE_BAD_DATA);
    SL_CHECK_EQ(sluice_fmp4_fragment_parse(&h, mdat.b, mdat.n, moof.b,
                                           moof.n, &alloc, &out),
                SLUICE_BAD_DATA);
}


/* the fragment with the trun's sample_count replaced by n */
static sluice_status_t
parse_count(const sluice_fmp4_header_t *h, const frag_spec_t *f, uint32_t n)
{
    size_t                  i;
    sluice_status_t         rc;
    sluice_fmp4_fragment_t  out;
    static bb_t             moof, mdat;

    fragment(&moof, &mdat, f);

    for (i = 0; i + 4 <= moof.n; i++) {
        if (memcmp(moof.b + i, "trun", 4) == 0) {
            sluice_wb32(moof.b + i + 8, n);
            break;
        }
    }

    rc = sluice_fmp4_fragment_parse(h, moof.b, moof.n, mdat.b, mdat.n,
                                    &alloc, &out);

    if (rc == SLUICE_OK) {
        SL_CHECK_UEQ(out.frag.nsamples, n);
        free(out.frag.samples);
    }

    return rc;
}


static void
test_fragment_refused(void)
{
    frag_spec_t             f;
    sluice_fmp4_header_t    h;

    parse_moov(&h);

    f = ismv_video;
    f.ntraf = 2;
    SL_CHECK_EQ(frag_rc(&h, &f), SLUICE_UNSUPPORTED);

    f.ntraf = 0;
    SL_CHECK_EQ(frag_rc(&h, &f), SLUICE_BAD_DATA);

    f = ismv_video;
    f.track_id = 3;
    SL_CHECK_EQ(frag_rc(&h, &f), SLUICE_BAD_DATA);

    f = ismv_video;
    f.n = 0;
    SL_CHECK_EQ(frag_rc(&h, &f), SLUICE_BAD_DATA);

    /* more samples announced than the trun holds, or than allowed */

    f = ismv_video;
    SL_CHECK_EQ(parse_count(&h, &f, 4), SLUICE_BAD_DATA);

    f.trun_flags = 0x001;
    f.tfhd_flags = 0x38;
    f.tfhd_size = 1;
    f.mdat_len = 70000;
    SL_CHECK_EQ(parse_count(&h, &f, 65537), SLUICE_BAD_DATA);
    SL_CHECK_OK(parse_count(&h, &f, 65536));
}


/* real files: what ffmpeg writes */

typedef struct {
    uint32_t        nfrag;
    uint32_t        nsamples;
    int64_t         time;           /* of the last fragment */
    int64_t         end;
    uint32_t        nonkey_first;
    uint32_t        gaps;
    uint32_t        not_increasing;
    uint32_t        bad_data;
} walk_track_t;


typedef struct {
    sluice_fmp4_header_t   h;
    walk_track_t           t[SLUICE_FMP4_MAX_TRACKS];
    uint32_t               nmoov;
    uint32_t               nmanifest;
    uint32_t               failures;
    char                   order[64];  /* first top-level boxes */
} walk_t;


static uint8_t *
read_file(const char *path, size_t *len)
{
    long      n;
    FILE     *f;
    uint8_t  *p;

    f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }

    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);

    p = malloc(n > 0 ? n : 1);

    if (p && fread(p, 1, n, f) != (size_t) n) {
        free(p);
        p = NULL;
    }

    fclose(f);
    *len = (size_t) n;

    return p;
}


/* the first sample of a video fragment starts a picture one can decode */
static int
random_access(const sluice_track_info_t *ti, const sluice_sample_t *s)
{
    if (ti->codec == SLUICE_CODEC_HEVC) {
        return sluice_hevc_has_irap(s->data, s->size, ti->nal_length_size)
               == 1;
    }

    return sluice_avc_has_idr(s->data, s->size, ti->nal_length_size) == 1;
}


static void
walk_fragment(walk_t *w, const uint8_t *moof, size_t moof_len,
    const uint8_t *mdat, size_t mdat_len)
{
    int64_t                  time;
    uint32_t                 i;
    walk_track_t            *t;
    sluice_sample_t         *s;
    sluice_fmp4_track_t     *tr;
    sluice_fmp4_fragment_t   out;

    if (sluice_fmp4_fragment_parse(&w->h, moof, moof_len, mdat, mdat_len,
                                   &alloc, &out) != SLUICE_OK)
    {
        w->failures++;
        return;
    }

    t = &w->t[out.track];
    tr = &w->h.tracks[out.track];
    time = (int64_t) out.frag.time;
    s = out.frag.samples;

    if (t->nfrag) {
        t->not_increasing += (time <= t->time);
        t->gaps += (time - t->end > 1 || t->end - time > 1);
    }

    if (tr->info.media_type == SLUICE_MEDIA_VIDEO
        && (!(s[0].flags & SLUICE_SAMPLE_KEY)
            || !random_access(&tr->info, &s[0])))
    {
        t->nonkey_first++;
    }

    for (i = 0; i < out.frag.nsamples; i++) {
        t->bad_data += (s[i].data < mdat + 8
                        || s[i].data + s[i].size > mdat + mdat_len
                        || s[i].dts != (i ? s[i - 1].dts + s[i - 1].duration
                                          : out.frag.time));
    }

    t->nfrag++;
    t->nsamples += out.frag.nsamples;
    t->time = time;
    t->end = time + (int64_t) out.frag.duration;

    free(out.frag.samples);
}


/* walk a file as an ingest walks its stream: box by box */
static void
walk_file(walk_t *w, const uint8_t *p, size_t len)
{
    size_t          pos, hl, manifest_len;
    uint32_t        type;
    uint64_t        size, next;
    const uint8_t  *moof, *manifest;

    memset(w, 0, sizeof(walk_t));
    moof = NULL;
    manifest = NULL;
    manifest_len = 0;

    for (pos = 0; pos < len; pos += (size_t) size) {
        if (sluice_fmp4_box_header(p + pos, len - pos, &type, &size, &hl)
            != SLUICE_OK || size > len - pos)
        {
            w->failures++;
            return;
        }

        if (strlen(w->order) + 10 < sizeof(w->order)) {
            memcpy(w->order + strlen(w->order), p + pos + 4, 4);
            strcat(w->order, type == fourcc("moof") ? " mdat " : " ");
        }

        if (type == fourcc("uuid") && sluice_fmp4_is_manifest(p + pos, size)) {
            manifest = p + pos;
            manifest_len = (size_t) size;
            w->nmanifest++;

        } else if (type == fourcc("moov")) {
            w->nmoov++;

            if (sluice_fmp4_moov_parse(p + pos, size, &w->h) != SLUICE_OK
                || (manifest && sluice_fmp4_manifest_apply(manifest,
                                                           manifest_len,
                                                           &w->h)
                                != SLUICE_OK))
            {
                w->failures++;
                return;
            }

        } else if (type == fourcc("moof")) {
            moof = p + pos;
            next = size;

            if (sluice_fmp4_box_header(p + pos + next, len - pos - next,
                                       &type, &size, &hl) != SLUICE_OK
                || type != fourcc("mdat") || size > len - pos - next)
            {
                w->failures++;
                return;
            }

            walk_fragment(w, moof, next, p + pos + next, size);
            size += next;
        }
    }
}


static int
ffmpeg(const char *args, const char *out)
{
    char  cmd[2048];

    snprintf(cmd, sizeof(cmd), "ffmpeg -nostdin -v error -y -f lavfi "
             "-i testsrc2=size=320x240:rate=30 -f lavfi "
             "-i sine=frequency=440:sample_rate=48000 -t 4 %s %s", args, out);

    return system(cmd);
}


static void
check_walk(walk_t *w, const char *video, uint32_t codec, const char *lang,
    int smooth)
{
    uint32_t              i;
    sluice_fmp4_track_t  *v, *a;

    SL_CHECK_UEQ(w->failures, 0);
    SL_CHECK_UEQ(w->nmoov, 1);
    SL_CHECK_UEQ(w->nmanifest, smooth ? 1 : 0);
    SL_CHECK_UEQ(w->h.ntracks, 2);

    v = &w->h.tracks[0];
    a = &w->h.tracks[1];

    SL_CHECK_UEQ(v->info.codec, codec);
    CHECK(strncmp(v->info.codec_string, video, 5) == 0);
    SL_CHECK_UEQ(v->info.width, 320);
    SL_CHECK_UEQ(v->info.height, 240);

    SL_CHECK_UEQ(a->info.codec, SLUICE_CODEC_AAC);
    SL_CHECK_STR_EQ(a->info.codec_string, "mp4a.40.2");
    SL_CHECK_UEQ(a->info.sample_rate, 48000);
    SL_CHECK_UEQ(a->info.channels, 1);                  /* sine: mono */
    SL_CHECK_STR_EQ(a->info.lang, lang);

    SL_CHECK_UEQ(w->h.tfxd_pts, smooth ? 1 : 0);

    if (smooth) {
        SL_CHECK_UEQ(v->info.timescale, 10000000);
        SL_CHECK_UEQ(a->info.timescale, 10000000);
        SL_CHECK_UEQ(a->info.bitrate, 96000);           /* the manifest */
        SL_CHECK_STR_EQ(v->name, "video");
        CHECK(strncmp(a->name, "audio", 5) == 0);
        CHECK(strncmp(w->order, "ftyp uuid moov moof mdat moof ", 30) == 0);
    }

    for (i = 0; i < 2; i++) {
        SL_CHECK_UEQ(w->t[i].not_increasing, 0);
        SL_CHECK_UEQ(w->t[i].gaps, 0);
        SL_CHECK_UEQ(w->t[i].bad_data, 0);
        CHECK(w->t[i].nfrag >= 4);
    }

    SL_CHECK_UEQ(w->t[0].nonkey_first, 0);
    SL_CHECK_UEQ(w->t[0].nsamples, 120);
    CHECK(w->t[1].nsamples >= 4 * 48000 / 1024);

    if (sl_test_failed) {
        fprintf(stderr, "boxes: %s\n", w->order);
    }
}


static void
test_real(const char *dir, const char *name, const char *args,
    const char *video, uint32_t codec, const char *lang, int smooth)
{
    size_t    len;
    char      path[512];
    uint8_t  *p;
    walk_t   *w;

    snprintf(path, sizeof(path), "%s/%s", dir, name);

    if (ffmpeg(args, path) != 0) {
        fprintf(stderr, "ffmpeg failed: %s\n", args);
        SL_CHECK(0);
        return;
    }

    p = read_file(path, &len);
    SL_CHECK(p != NULL);

    if (p == NULL) {
        return;
    }

    w = calloc(1, sizeof(walk_t));
    walk_file(w, p, len);
    check_walk(w, video, codec, lang, smooth);

    free(w);
    free(p);
}


static void
test_ffmpeg(void)
{
    int   x265;
    char  dir[64], cmd[128];

    if (system("ffmpeg -version >/dev/null 2>&1") != 0) {
        printf("# skipped: no ffmpeg\n");
        return;
    }

    snprintf(dir, sizeof(dir), "/tmp/sluice-fmp4-XXXXXX");

    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        SL_CHECK(0);
        return;
    }

    x265 = (system("ffmpeg -hide_banner -encoders 2>/dev/null "
                   "| grep -q libx265") == 0);

    sl_test_current = "test_ffmpeg_ismv_avc";
    test_real(dir, "avc.ismv", "-c:v libx264 -g 30 -c:a aac -b:a 96k "
              "-metadata:s:a:0 language=fra -movflags isml+frag_keyframe "
              "-f ismv", "avc1.", SLUICE_CODEC_AVC, "fra", 1);

    if (x265) {
        sl_test_current = "test_ffmpeg_ismv_hevc";
        test_real(dir, "hevc.ismv", "-c:v libx265 -tag:v hvc1 "
                  "-x265-params log-level=error -g 30 -c:a aac -b:a 96k "
                  "-metadata:s:a:0 language=fra "
                  "-movflags isml+frag_keyframe -f ismv", "hvc1.",
                  SLUICE_CODEC_HEVC, "fra", 1);

        /* CMAF-like: tfdt, default-base-is-moof, one moof per track */

        sl_test_current = "test_ffmpeg_mp4_hevc";
        test_real(dir, "hevc.mp4", "-c:v libx265 -tag:v hvc1 "
                  "-x265-params log-level=error -g 30 -c:a aac -b:a 96k "
                  "-metadata:s:a:0 language=eng -movflags "
                  "frag_keyframe+empty_moov+default_base_moof+separate_moof "
                  "-f mp4", "hvc1.", SLUICE_CODEC_HEVC, "eng", 0);
    }

    sl_test_current = "test_ffmpeg_mp4_avc";
    test_real(dir, "avc.mp4", "-c:v libx264 -g 30 -c:a aac -b:a 96k "
              "-movflags "
              "frag_keyframe+empty_moov+default_base_moof+separate_moof "
              "-f mp4", "avc1.", SLUICE_CODEC_AVC, "", 0);

    if (sl_test_failed == 0) {
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        (void) system(cmd);

    } else {
        fprintf(stderr, "files kept in %s\n", dir);
    }
}


int
main(void)
{
    SL_RUN(test_box_header);
    SL_RUN(test_moov);
    SL_RUN(test_moov_other_tracks);
    SL_RUN(test_moov_refused);
    SL_RUN(test_manifest);
    SL_RUN(test_fragment_tfxd);
    SL_RUN(test_fragment_tfdt);
    SL_RUN(test_fragment_cts);
    SL_RUN(test_fragment_defaults);
    SL_RUN(test_fragment_offsets);
    SL_RUN(test_fragment_refused);
    SL_RUN(test_ffmpeg);

    return SL_DONE();
}
