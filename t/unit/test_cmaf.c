
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the CMAF writer and reader on hand-built tracks and
 * fragments.  test_cmaf_real.c checks the same code against ffmpeg.
 */


#include <stdio.h>
#include <stdlib.h>

#include "media/codec/sluice_bits.h"
#include "media/container/sluice_cmaf.h"
#include "sluice_test.h"


#define CHECK(cond)  SL_CHECK(cond)


static void *
test_alloc(void *ctx, size_t size)
{
    return malloc(size);
}


static sluice_alloc_t  alloc = { test_alloc, NULL };


/*
 * find a box by path ("moov/trak/tkhd") in a buffer of boxes; children
 * of sample entries start after a fixed header given by skip()
 */
static size_t
entry_skip(const uint8_t *type)
{
    if (memcmp(type, "stsd", 4) == 0) {
        return 8;
    }

    if (memcmp(type, "avc1", 4) == 0 || memcmp(type, "hvc1", 4) == 0) {
        return 78;
    }

    if (memcmp(type, "mp4a", 4) == 0) {
        return 28;
    }

    if (memcmp(type, "dref", 4) == 0) {
        return 8;
    }

    return 0;
}


static const uint8_t *
find(const uint8_t *p, size_t len, const char *path, size_t *box_len)
{
    size_t  size, n;

    n = strcspn(path, "/");

    while (len >= 8) {
        size = sluice_rb32(p);

        if (size < 8 || size > len) {
            return NULL;
        }

        if (memcmp(p + 4, path, n) == 0) {
            if (path[n] == '\0') {
                *box_len = size;
                return p;
            }

            return find(p + 8 + entry_skip(p + 4),
                        size - 8 - entry_skip(p + 4), path + n + 1, box_len);
        }

        p += size;
        len -= size;
    }

    return NULL;
}


/* boxes cover the buffer exactly, recursively for containers */
static int
well_formed(const uint8_t *p, size_t len)
{
    size_t  size, skip;

    static const char  *containers[] = {
        "moov", "trak", "mdia", "minf", "stbl", "stsd", "dinf", "dref",
        "mvex", "moof", "traf", "avc1", "hvc1", "mp4a", NULL
    };

    const char  **c;

    while (len) {
        if (len < 8) {
            return 0;
        }

        size = sluice_rb32(p);

        if (size < 8 || size > len) {
            return 0;
        }

        for (c = containers; *c; c++) {
            if (memcmp(p + 4, *c, 4) == 0) {
                skip = entry_skip(p + 4);

                if (size < 8 + skip || !well_formed(p + 8 + skip,
                                                    size - 8 - skip))
                {
                    return 0;
                }
            }
        }

        p += size;
        len -= size;
    }

    return 1;
}


static void
video_info(sluice_track_info_t *ti)
{
    static uint8_t  avcc[] = {
        0x01, 0x64, 0x00, 0x1e, 0xff, 0xe1, 0x00, 0x04, 0x67, 0x64, 0x00,
        0x1e, 0x01, 0x00, 0x02, 0x68, 0xeb
    };

    memset(ti, 0, sizeof(sluice_track_info_t));
    ti->media_type = SLUICE_MEDIA_VIDEO;
    ti->codec = SLUICE_CODEC_AVC;
    ti->timescale = 90000;
    ti->width = 1280;
    ti->height = 720;
    ti->nal_length_size = 4;
    memcpy(ti->config, avcc, sizeof(avcc));
    ti->config_len = sizeof(avcc);
}


static void
audio_info(sluice_track_info_t *ti)
{
    memset(ti, 0, sizeof(sluice_track_info_t));
    ti->media_type = SLUICE_MEDIA_AUDIO;
    ti->codec = SLUICE_CODEC_AAC;
    ti->timescale = 44100;
    ti->sample_rate = 44100;
    ti->channels = 2;
    ti->bitrate = 128000;
    ti->config[0] = 0x12;
    ti->config[1] = 0x10;
    ti->config_len = 2;
}


static void
test_init(void)
{
    size_t               size, n;
    uint8_t             *buf, *end;
    const uint8_t       *b;
    sluice_track_info_t  ti;

    video_info(&ti);

    size = sluice_cmaf_init_size(&ti, 1);
    CHECK(size > 0);
    buf = malloc(size);
    end = sluice_cmaf_init_write(buf, &ti, 1);
    CHECK(end == buf + size);
    CHECK(well_formed(buf, size));

    CHECK(memcmp(buf + 4, "ftyp", 4) == 0);
    CHECK(memcmp(buf + 8, "iso6", 4) == 0);

    b = find(buf, size, "moov/trak/tkhd", &n);
    CHECK(b && n == 92);
    CHECK(b && sluice_rb32(b + 20) == 1);               /* track_ID */
    CHECK(b && sluice_rb32(b + 84) == 1280 << 16);
    CHECK(b && sluice_rb32(b + 88) == 720 << 16);

    b = find(buf, size, "moov/trak/mdia/mdhd", &n);
    CHECK(b && sluice_rb32(b + 20) == 90000);
    CHECK(b && sluice_rb16(b + 28) == 0x55c4);          /* und */

    b = find(buf, size, "moov/trak/mdia/hdlr", &n);
    CHECK(b && memcmp(b + 16, "vide", 4) == 0);

    CHECK(find(buf, size, "moov/trak/mdia/minf/vmhd", &n) != NULL);
    CHECK(find(buf, size, "moov/trak/mdia/minf/dinf/dref/url ", &n) != NULL);

    b = find(buf, size, "moov/trak/mdia/minf/stbl/stsd/avc1", &n);
    CHECK(b && sluice_rb16(b + 32) == 1280 && sluice_rb16(b + 34) == 720);

    b = find(buf, size, "moov/trak/mdia/minf/stbl/stsd/avc1/avcC", &n);
    CHECK(b && n == 8 + ti.config_len);
    CHECK(b && memcmp(b + 8, ti.config, ti.config_len) == 0);

    CHECK(find(buf, size, "moov/trak/mdia/minf/stbl/stts", &n) && n == 16);
    CHECK(find(buf, size, "moov/trak/mdia/minf/stbl/stsz", &n) && n == 20);

    b = find(buf, size, "moov/mvex/trex", &n);
    CHECK(b && sluice_rb32(b + 12) == 1);

    b = find(buf, size, "moov/mvhd", &n);
    CHECK(b && sluice_rb32(b + 104) == 2);              /* next_track_ID */

    free(buf);

    /* HEVC: same layout with hvc1/hvcC */
    ti.codec = SLUICE_CODEC_HEVC;
    size = sluice_cmaf_init_size(&ti, 3);
    buf = malloc(size);
    CHECK(sluice_cmaf_init_write(buf, &ti, 3) == buf + size);
    CHECK(find(buf, size, "moov/trak/mdia/minf/stbl/stsd/hvc1/hvcC", &n)
          != NULL);
    free(buf);

    audio_info(&ti);
    size = sluice_cmaf_init_size(&ti, 2);
    buf = malloc(size);
    CHECK(sluice_cmaf_init_write(buf, &ti, 2) == buf + size);
    CHECK(well_formed(buf, size));

    b = find(buf, size, "moov/trak/tkhd", &n);
    CHECK(b && sluice_rb16(b + 44) == 0x0100);          /* volume */
    CHECK(b && sluice_rb32(b + 84) == 0);

    b = find(buf, size, "moov/trak/mdia/hdlr", &n);
    CHECK(b && memcmp(b + 16, "soun", 4) == 0);
    CHECK(find(buf, size, "moov/trak/mdia/minf/smhd", &n) != NULL);

    b = find(buf, size, "moov/trak/mdia/minf/stbl/stsd/mp4a", &n);
    CHECK(b && sluice_rb16(b + 24) == 2);               /* channels */
    CHECK(b && sluice_rb32(b + 32) == 44100u << 16);

    b = find(buf, size, "moov/trak/mdia/minf/stbl/stsd/mp4a/esds", &n);
    CHECK(b != NULL);

    if (b) {
        /* ES 03, DCD 04 (0x40 audio), DSI 05 holding the ASC, SL 06 */
        static const uint8_t  esds[] = {
            0x03, 0x19, 0x00, 0x02, 0x00,
            0x04, 0x11, 0x40, 0x15, 0x00, 0x00, 0x00,
            0x00, 0x01, 0xf4, 0x00, 0x00, 0x01, 0xf4, 0x00,
            0x05, 0x02, 0x12, 0x10,
            0x06, 0x01, 0x02
        };

        CHECK(n == 12 + sizeof(esds));
        CHECK(n == 12 + sizeof(esds) && memcmp(b + 12, esds, n - 12) == 0);
    }

    free(buf);

    /* a large ASC needs multi-byte descriptor lengths */
    ti.config_len = 300;
    size = sluice_cmaf_init_size(&ti, 2);
    buf = malloc(size);
    CHECK(sluice_cmaf_init_write(buf, &ti, 2) == buf + size);
    CHECK(well_formed(buf, size));
    b = find(buf, size, "moov/trak/mdia/minf/stbl/stsd/mp4a/esds", &n);
    CHECK(b && b[12] == 0x03 && b[13] == 0x82);
    free(buf);

    /* unsupported */
    ti.codec = SLUICE_CODEC_NONE;
    CHECK(sluice_cmaf_init_size(&ti, 1) == 0);
    CHECK(sluice_cmaf_init_write(NULL, &ti, 1) == NULL);

    audio_info(&ti);
    ti.config_len = 0;
    CHECK(sluice_cmaf_init_size(&ti, 1) == 0);

    video_info(&ti);
    ti.media_type = SLUICE_MEDIA_AUDIO;
    CHECK(sluice_cmaf_init_size(&ti, 1) == 0);
}


static uint8_t  payload[4][64];


static void
make_fragment(sluice_fragment_t *f, sluice_sample_t *s, int with_cts,
    int negative)
{
    int  i;

    memset(f, 0, sizeof(sluice_fragment_t));
    f->sequence = 7;
    f->time = 0x100000000ULL + 9000;
    f->samples = s;
    f->nsamples = 4;

    for (i = 0; i < 4; i++) {
        memset(payload[i], 0x10 + i, sizeof(payload[i]));
        memset(&s[i], 0, sizeof(sluice_sample_t));
        s[i].dts = f->time + (uint64_t) i * 3000;
        s[i].duration = 3000;
        s[i].size = 10 + i * 7;
        s[i].data = payload[i];
        s[i].flags = (i == 0) ? SLUICE_SAMPLE_KEY : 0;
        s[i].cts = with_cts ? (i == 2 && negative ? -3000 : 6000) : 0;
    }
}


static void
check_same(sluice_fragment_t *a, sluice_fragment_t *b)
{
    uint32_t  i;
    int       same;

    CHECK(a->nsamples == b->nsamples);
    CHECK(b->time == a->samples[0].dts);
    CHECK(b->sequence == a->sequence);
    CHECK(b->duration == 3000 * a->nsamples);

    same = (a->nsamples == b->nsamples);

    for (i = 0; same && i < a->nsamples; i++) {
        same = a->samples[i].dts == b->samples[i].dts
               && a->samples[i].cts == b->samples[i].cts
               && a->samples[i].duration == b->samples[i].duration
               && a->samples[i].size == b->samples[i].size
               && a->samples[i].flags == b->samples[i].flags
               && memcmp(a->samples[i].data, b->samples[i].data,
                         a->samples[i].size) == 0;
    }

    CHECK(same);
}


static void
test_fragment(void)
{
    int                i;
    size_t             size, head, n, k;
    uint8_t           *buf, *hbuf;
    const uint8_t     *b, *moof;
    sluice_sample_t    s[4];
    sluice_fragment_t  f, back;

    for (i = 0; i < 3; i++) {
        make_fragment(&f, s, i > 0, i == 2);

        size = sluice_cmaf_fragment_size(&f, 1, SLUICE_CMAF_STYP);
        buf = malloc(size);
        CHECK(sluice_cmaf_fragment_write(buf, &f, 1, SLUICE_CMAF_STYP)
              == buf + size);
        CHECK(well_formed(buf, size));
        CHECK(memcmp(buf + 4, "styp", 4) == 0);

        b = find(buf, size, "moof/mfhd", &n);
        CHECK(b && sluice_rb32(b + 12) == 7);

        b = find(buf, size, "moof/traf/tfhd", &n);
        CHECK(b && sluice_rb32(b + 8) == 0x00020000);
        CHECK(b && sluice_rb32(b + 12) == 1);

        b = find(buf, size, "moof/traf/tfdt", &n);
        CHECK(b && b[8] == 1 && sluice_rb64(b + 12) == f.time);

        b = find(buf, size, "moof/traf/trun", &n);
        CHECK(b && sluice_rb32(b + 12) == 4);
        CHECK(b && n == 20 + 4 * (i ? 16 : 12));
        CHECK(b && b[8] == (i ? 1 : 0));
        CHECK(b && (sluice_rb32(b + 8) & 0xffffff) == (i ? 0xf01u : 0x701u));

        /* the data offset points at the first sample byte in mdat */
        moof = find(buf, size, "moof", &n);
        CHECK(b && moof && memcmp(moof + sluice_rb32(b + 16), payload[0], 10)
                           == 0);
        CHECK(b && sluice_rb32(b + 28) == SLUICE_CMAF_SAMPLE_SYNC);
        CHECK(b && sluice_rb32(b + 28 + (i ? 16 : 12))
                   == SLUICE_CMAF_SAMPLE_NON_SYNC);

        CHECK(find(buf, size, "moof/traf/uuid", &n) == NULL);

        CHECK(sluice_cmaf_fragment_parse(buf, size, &alloc, &back)
              == SLUICE_OK);
        check_same(&f, &back);
        free(back.samples);

        /* header only: the same bytes as the head of the whole */
        head = sluice_cmaf_fragment_size(&f, 1, SLUICE_CMAF_STYP
                                                | SLUICE_CMAF_NO_DATA);
        CHECK(head == size - (10 + 17 + 24 + 31));
        hbuf = malloc(head);
        CHECK(sluice_cmaf_fragment_write(hbuf, &f, 1, SLUICE_CMAF_STYP
                                                      | SLUICE_CMAF_NO_DATA)
              == hbuf + head);
        CHECK(memcmp(hbuf, buf, head) == 0);
        free(hbuf);

        /* every truncation is refused without reading past the end */
        for (k = 0; k < size; k++) {
            hbuf = malloc(k ? k : 1);
            memcpy(hbuf, buf, k);

            if (sluice_cmaf_fragment_parse(hbuf, k, &alloc, &back)
                == SLUICE_OK)
            {
                CHECK(k == size);
                free(back.samples);
            }

            free(hbuf);
        }

        free(buf);
    }
}


static void
test_smooth(void)
{
    size_t             size, n;
    uint8_t           *buf;
    const uint8_t     *b;
    sluice_sample_t    s[4];
    sluice_fragment_t  f, back;

    make_fragment(&f, s, 1, 0);

    /* SMOOTH wins over STYP */
    size = sluice_cmaf_fragment_size(&f, 1,
                                     SLUICE_CMAF_SMOOTH | SLUICE_CMAF_STYP);
    CHECK(size == sluice_cmaf_fragment_size(&f, 1, SLUICE_CMAF_SMOOTH));
    buf = malloc(size);
    CHECK(sluice_cmaf_fragment_write(buf, &f, 1, SLUICE_CMAF_SMOOTH)
          == buf + size);
    CHECK(well_formed(buf, size));
    CHECK(memcmp(buf + 4, "moof", 4) == 0);

    b = find(buf, size, "moof/traf/tfhd", &n);
    CHECK(b && sluice_rb32(b + 8) == 0);

    b = find(buf, size, "moof/traf/trun", &n);
    CHECK(b && b[8] == 0);                      /* version 0: cts >= 0 */

    b = find(buf, size, "moof/traf/uuid", &n);
    CHECK(b && n == 44);
    CHECK(b && memcmp(b + 8, "\x6d\x1d\x9b\x05\x42\xd5\x44\xe6"
                             "\x80\xe2\x14\x1d\xaf\xf7\x57\xb2", 16) == 0);
    CHECK(b && sluice_rb32(b + 24) == 0x01000000);
    CHECK(b && sluice_rb64(b + 28) == f.time);
    CHECK(b && sluice_rb64(b + 36) == 12000);

    CHECK(sluice_cmaf_fragment_parse(buf, size, &alloc, &back) == SLUICE_OK);
    check_same(&f, &back);
    free(back.samples);
    free(buf);

    /* negative offsets need version 1 even for Smooth */
    make_fragment(&f, s, 1, 1);
    size = sluice_cmaf_fragment_size(&f, 1, SLUICE_CMAF_SMOOTH);
    buf = malloc(size);
    CHECK(sluice_cmaf_fragment_write(buf, &f, 1, SLUICE_CMAF_SMOOTH)
          == buf + size);
    b = find(buf, size, "moof/traf/trun", &n);
    CHECK(b && b[8] == 1);
    free(buf);

    s[3].size = 0;
    CHECK(sluice_cmaf_fragment_size(&f, 1, 0) == 0);
    CHECK(sluice_cmaf_fragment_write(NULL, &f, 1, 0) == NULL);

    f.nsamples = 0;
    CHECK(sluice_cmaf_fragment_size(&f, 1, 0) == 0);
    CHECK(sluice_cmaf_fragment_write(NULL, &f, 1, 0) == NULL);
}


/*
 * Rescale to 100 ns (Smooth): video from RTMP (ms x 90) is exact, audio
 * rounds each absolute time down, durations are the differences (no
 * drift), and the Smooth fragment written afterwards is exactly its size
 * and reads back with the new times.
 */

static void
test_rescale(void)
{
    int                i;
    size_t             size, n, k;
    uint8_t           *buf, *hbuf;
    uint64_t           end;
    const uint8_t     *b;
    sluice_sample_t    s[4], orig[4];
    sluice_fragment_t  f, g, back;

    static const uint32_t  ms[4] = { 33, 33, 34, 33 };
    static const int32_t   cts[4] = { 6030, 0, -2970, 6030 };
    static const uint32_t  adur[4] = { 232199, 232200, 232199, 232200 };

    make_fragment(&f, s, 1, 0);

    end = 3600000;              /* ms */

    for (i = 0; i < 4; i++) {
        s[i].dts = end * 90;
        s[i].duration = ms[i] * 90;
        s[i].cts = cts[i];
        end += ms[i];
    }

    memcpy(orig, s, sizeof(s));

    CHECK(sluice_cmaf_fragment_rescale(&f, 90000, 10000000) == SLUICE_OK);
    CHECK(f.time == 36000000000ULL);
    CHECK(f.duration == 1330000);
    CHECK(s[1].dts == 36000330000ULL && s[3].dts == 36001000000ULL);
    CHECK(s[2].duration == 340000 && s[3].duration == 330000);
    CHECK(s[0].cts == 670000 && s[1].cts == 0 && s[2].cts == -330000);
    CHECK(s[0].size == orig[0].size && s[0].data == orig[0].data
          && s[0].flags == orig[0].flags);

    size = sluice_cmaf_fragment_size(&f, 1, SLUICE_CMAF_SMOOTH);
    buf = malloc(size);
    CHECK(sluice_cmaf_fragment_write(buf, &f, 1, SLUICE_CMAF_SMOOTH)
          == buf + size);
    CHECK(well_formed(buf, size));

    b = find(buf, size, "moof/traf/tfdt", &n);
    CHECK(b && sluice_rb64(b + 12) == 36000000000ULL);

    b = find(buf, size, "moof/traf/uuid", &n);
    CHECK(b && sluice_rb64(b + 28) == 36000000000ULL);
    CHECK(b && sluice_rb64(b + 36) == 1330000);

    CHECK(sluice_cmaf_fragment_parse(buf, size, &alloc, &back) == SLUICE_OK);
    CHECK(back.time == f.time && back.duration == f.duration);

    for (i = 0; i < 4; i++) {
        CHECK(back.samples[i].dts == s[i].dts
              && back.samples[i].duration == s[i].duration
              && back.samples[i].cts == s[i].cts);
    }

    free(back.samples);

    /* as the packager sends it: no tfdt, the same bytes otherwise */
    n = sluice_cmaf_fragment_size(&f, 1, SLUICE_CMAF_SMOOTH
                                         | SLUICE_CMAF_NO_TFDT);
    CHECK(n == size - 20);
    hbuf = malloc(n);
    CHECK(sluice_cmaf_fragment_write(hbuf, &f, 1, SLUICE_CMAF_SMOOTH
                                                  | SLUICE_CMAF_NO_TFDT)
          == hbuf + n);
    CHECK(well_formed(hbuf, n));
    CHECK(find(hbuf, n, "moof/traf/tfdt", &k) == NULL);
    b = find(hbuf, n, "moof/traf/uuid", &k);
    CHECK(b && sluice_rb64(b + 28) == 36000000000ULL);
    CHECK(memcmp(hbuf + n - 180, buf + size - 180, 180) == 0);
    CHECK(sluice_cmaf_fragment_parse(hbuf, n, &alloc, &back) == SLUICE_OK);
    CHECK(back.nsamples == 4 && back.samples[3].duration == 330000);
    free(back.samples);
    free(hbuf);
    free(buf);

    /* 44.1 kHz AAC: 1024 samples are 232199.5 units; two fragments */
    make_fragment(&f, s, 0, 0);

    for (i = 0; i < 4; i++) {
        s[i].dts = 441000 + (uint64_t) i * 1024;
        s[i].duration = 1024;
    }

    g = f;
    g.samples = s + 2;
    g.nsamples = 2;
    f.nsamples = 2;

    CHECK(sluice_cmaf_fragment_rescale(&f, 44100, 10000000) == SLUICE_OK);
    CHECK(sluice_cmaf_fragment_rescale(&g, 44100, 10000000) == SLUICE_OK);
    CHECK(f.time == 100000000 && f.duration == 464399);
    CHECK(g.time == f.time + f.duration);
    CHECK(g.time + g.duration == 100928798);

    for (i = 0; i < 4; i++) {
        CHECK(s[i].duration == adur[i] && s[i].cts == 0);
    }

    f.nsamples = 4;
    size = sluice_cmaf_fragment_size(&f, 1, SLUICE_CMAF_SMOOTH);
    CHECK(size == sluice_cmaf_fragment_size(&f, 1, 0) + 44);  /* tfxd */
    buf = malloc(size);
    CHECK(sluice_cmaf_fragment_write(buf, &f, 1, SLUICE_CMAF_SMOOTH)
          == buf + size);
    free(buf);

    /* refused: no timescale, no samples, a duration beyond 32 bits */
    CHECK(sluice_cmaf_fragment_rescale(&f, 0, 10000000) == SLUICE_BAD_DATA);
    CHECK(sluice_cmaf_fragment_rescale(&f, 44100, 0) == SLUICE_BAD_DATA);
    make_fragment(&f, s, 0, 0);
    s[1].duration = 1000;
    CHECK(sluice_cmaf_fragment_rescale(&f, 1, 10000000) == SLUICE_BAD_DATA);
    make_fragment(&f, s, 0, 0);
    s[1].cts = 1000;
    CHECK(sluice_cmaf_fragment_rescale(&f, 3000, 10000000) == SLUICE_OK);
    CHECK(s[1].cts == 3333333 && s[0].duration == 10000000);
    f.nsamples = 0;
    CHECK(sluice_cmaf_fragment_rescale(&f, 3000, 10000000)
          == SLUICE_BAD_DATA);
}


/* a builder for foreign fragments */

typedef struct {
    uint8_t   buf[1024];
    size_t    len;
    size_t    open[8];
    int       depth;
} mk_t;


static void
mk_u32(mk_t *m, uint32_t v)
{
    sluice_wb32(m->buf + m->len, v);
    m->len += 4;
}


static void
mk_u64(mk_t *m, uint64_t v)
{
    sluice_wb64(m->buf + m->len, v);
    m->len += 8;
}


static void
mk_open(mk_t *m, const char *type)
{
    m->open[m->depth++] = m->len;
    mk_u32(m, 0);
    memcpy(m->buf + m->len, type, 4);
    m->len += 4;
}


static void
mk_close(mk_t *m)
{
    size_t  start;

    start = m->open[--m->depth];
    sluice_wb32(m->buf + start, (uint32_t) (m->len - start));
}


static void
mk_bytes(mk_t *m, int c, size_t n)
{
    memset(m->buf + m->len, c, n);
    m->len += n;
}


/*
 * tfhd with base-data-offset and defaults, tfdt version 0, two truns:
 * the second without a data offset continues after the first
 */
static size_t
mk_foreign(mk_t *m, int variant)
{
    size_t  moof, off_pos, mdat;

    memset(m, 0, sizeof(mk_t));

    mk_open(m, "sidx");
    mk_bytes(m, 0, 12);
    mk_close(m);

    moof = m->len;
    mk_open(m, "moof");
    mk_open(m, "mfhd");
    mk_u32(m, 0);
    mk_u32(m, 42);
    mk_close(m);
    mk_open(m, "traf");

    mk_open(m, "tfhd");
    mk_u32(m, 0x000039);        /* base offset, duration, size, flags */
    mk_u32(m, 5);
    off_pos = m->len;
    mk_u64(m, 0);               /* patched below */
    mk_u32(m, 1024);            /* default duration */
    mk_u32(m, variant == 3 ? 0 : 20);           /* default size */
    mk_u32(m, 0x01010000);      /* default flags: non-sync */
    mk_close(m);

    mk_open(m, "tfdt");
    mk_u32(m, 0);
    mk_u32(m, 5000);
    mk_close(m);

    mk_open(m, "trun");         /* 2 samples, first-sample-flags: sync */
    mk_u32(m, 0x000005);
    mk_u32(m, 2);
    mk_u32(m, 0);
    mk_u32(m, 0x02000000);
    mk_close(m);

    mk_open(m, "trun");         /* 1 sample, explicit size and cts */
    mk_u32(m, 0x000a00);
    mk_u32(m, variant == 2 ? 0x7fffffff : 1);
    mk_u32(m, 7);
    mk_u32(m, (uint32_t) -512);
    mk_close(m);

    mk_close(m);                /* traf */

    if (variant == 1) {
        mk_open(m, "traf");
        mk_close(m);
    }

    mk_close(m);                /* moof */

    mk_open(m, "free");
    mk_close(m);

    mdat = m->len;
    mk_open(m, "mdat");
    mk_bytes(m, 0xaa, 20);
    mk_bytes(m, 0xbb, 20);
    mk_bytes(m, 0xcc, 7);
    mk_close(m);

    sluice_wb64(m->buf + off_pos, mdat + 8);
    (void) moof;

    return mdat;
}


static void
test_foreign(void)
{
    size_t             mdat;
    mk_t               m;
    sluice_fragment_t  f;

    mdat = mk_foreign(&m, 0);

    CHECK(sluice_cmaf_fragment_parse(m.buf, m.len, &alloc, &f) == SLUICE_OK);
    CHECK(f.nsamples == 3 && f.sequence == 42 && f.time == 5000);
    CHECK(f.duration == 3 * 1024);

    if (f.nsamples == 3) {
        CHECK(f.samples[0].flags == SLUICE_SAMPLE_KEY);
        CHECK(f.samples[1].flags == 0 && f.samples[2].flags == 0);
        CHECK(f.samples[0].data == m.buf + mdat + 8);
        CHECK(f.samples[1].data[0] == 0xbb && f.samples[1].size == 20);
        CHECK(f.samples[2].data[0] == 0xcc && f.samples[2].size == 7);
        CHECK(f.samples[2].cts == -512);
        CHECK(f.samples[2].dts == 5000 + 2048);
    }

    free(f.samples);

    /* two trafs, absurd sample count */
    mk_foreign(&m, 1);
    CHECK(sluice_cmaf_fragment_parse(m.buf, m.len, &alloc, &f)
          == SLUICE_BAD_DATA);
    mk_foreign(&m, 2);
    CHECK(sluice_cmaf_fragment_parse(m.buf, m.len, &alloc, &f)
          == SLUICE_BAD_DATA);

    /* empty samples */
    mk_foreign(&m, 3);
    CHECK(sluice_cmaf_fragment_parse(m.buf, m.len, &alloc, &f)
          == SLUICE_BAD_DATA);

    /* base offset beyond the mdat data */
    mdat = mk_foreign(&m, 0);
    sluice_wb64(m.buf + 60, mdat + 9);
    CHECK(sluice_cmaf_fragment_parse(m.buf, m.len, &alloc, &f)
          == SLUICE_BAD_DATA);
    sluice_wb64(m.buf + 60, 0xffffffffffffff00ULL);
    CHECK(sluice_cmaf_fragment_parse(m.buf, m.len, &alloc, &f)
          == SLUICE_BAD_DATA);
    sluice_wb64(m.buf + 60, mdat);              /* mdat header, not data */
    CHECK(sluice_cmaf_fragment_parse(m.buf, m.len, &alloc, &f)
          == SLUICE_BAD_DATA);

    /* mdat before moof; nothing at all */
    memset(&m, 0, sizeof(m));
    mk_open(&m, "mdat");
    mk_close(&m);
    CHECK(sluice_cmaf_fragment_parse(m.buf, m.len, &alloc, &f)
          == SLUICE_BAD_DATA);
    CHECK(sluice_cmaf_fragment_parse(m.buf, 0, &alloc, &f)
          == SLUICE_BAD_DATA);
}


int
main(void)
{
    SL_RUN(test_init);
    SL_RUN(test_fragment);
    SL_RUN(test_smooth);
    SL_RUN(test_rescale);
    SL_RUN(test_foreign);

    return SL_DONE();
}
