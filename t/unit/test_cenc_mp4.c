
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the CENC rewriters of src/media/crypto: the protected
 * init segment (sluice_cenc_init.c) and the encrypted fragment
 * (sluice_cenc_fragment.c), on init segments and fragments made by the
 * CMAF writer as ingest stores them.  Boxes are walked and checked byte
 * for byte against the box writers and the reference vectors; samples
 * are decrypted here with OpenSSL alone (AES-CTR for 'cenc', AES-CBC
 * over the pattern's encrypted blocks for 'cbcs') from what the senc box
 * says, and compared with the clear samples.
 */


#include <stdlib.h>

#include "media/codec/sluice_bits.h"
#include "media/container/sluice_cmaf.h"
#include "media/crypto/sluice_cenc_init.h"
#include "media/crypto/sluice_cenc_fragment.h"
#include "media/crypto/sluice_drm.h"
#include "sluice_test.h"


#define CHECK(cond)  SL_CHECK(cond)

#define MAX_ALLOCS   1024


static EVP_CIPHER_CTX  *ctx;
static void            *allocs[MAX_ALLOCS];
static size_t           nallocs;


static void *
test_alloc(void *c, size_t size)
{
    void  *p;

    if (nallocs == MAX_ALLOCS) {
        return NULL;
    }

    p = malloc(size ? size : 1);
    allocs[nallocs++] = p;

    return p;
}


static void
free_all(void)
{
    while (nallocs) {
        free(allocs[--nallocs]);
    }
}


static sluice_alloc_t  alloc = { test_alloc, NULL };


static const uint8_t  kid[16] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
    0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff
};

static const uint8_t  key012[16] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
};

/* avcC of a 640x360 High profile stream: SPS and PPS */
static const uint8_t  avcc[] = {
    0x01, 0x64, 0x00, 0x1e, 0xff, 0xe1, 0x00, 0x0a,
    0x67, 0x64, 0x00, 0x1e, 0xac, 0xd9, 0x40, 0xa0, 0x2f, 0xf9,
    0x01, 0x00, 0x05, 0x68, 0xeb, 0xe3, 0xcb, 0x22
};

/* AudioSpecificConfig: AAC LC, 48 kHz, stereo */
static const uint8_t  asc[] = { 0x11, 0x90 };


/* a box in p[0..len) found by a path of types, e.g. "moov/trak/mdia" */
static const uint8_t *
find_box(const uint8_t *p, size_t len, const char *path, size_t *size)
{
    size_t  off, n;

    for ( ;; ) {
        if (sluice_cenc_box_child(p, len, path, &off, &n, NULL)
            != SLUICE_OK)
        {
            return NULL;
        }

        if (path[4] == '\0') {
            *size = n;
            return p + off;
        }

        p += off + 8;
        len = n - 8;
        path += 5;
    }
}


/* every box of p[0..len) fits its parent, down the containers */
static int
tree_ok(const uint8_t *p, size_t len)
{
    size_t  pos, n;

    static const char  *containers[] = {
        "moov", "trak", "mdia", "minf", "stbl", "moof", "traf", "sinf",
        "schi", NULL
    };
    const char  **c;

    for (pos = 0; pos < len; pos += n) {
        if (len - pos < 8) {
            return 0;
        }

        n = sluice_rb32(p + pos);

        if (n < 8 || n > len - pos) {
            return 0;
        }

        for (c = containers; *c; c++) {
            if (memcmp(p + pos + 4, *c, 4) == 0
                && !tree_ok(p + pos + 8, n - 8))
            {
                return 0;
            }
        }
    }

    return 1;
}


static void
track_info(sluice_track_info_t *ti, int video)
{
    memset(ti, 0, sizeof(sluice_track_info_t));

    if (video) {
        ti->media_type = SLUICE_MEDIA_VIDEO;
        ti->codec = SLUICE_CODEC_AVC;
        ti->timescale = 90000;
        ti->width = 640;
        ti->height = 360;
        ti->nal_length_size = 4;
        memcpy(ti->config, avcc, sizeof(avcc));
        ti->config_len = sizeof(avcc);

    } else {
        ti->media_type = SLUICE_MEDIA_AUDIO;
        ti->codec = SLUICE_CODEC_AAC;
        ti->timescale = 48000;
        ti->sample_rate = 48000;
        ti->channels = 2;
        ti->bitrate = 128000;
        memcpy(ti->config, asc, sizeof(asc));
        ti->config_len = sizeof(asc);
    }
}


static uint8_t *
clear_init(int video, size_t *len)
{
    uint8_t              *p;
    sluice_track_info_t   ti;

    track_info(&ti, video);

    *len = sluice_cmaf_init_size(&ti, 1);
    p = test_alloc(NULL, *len);
    sluice_cmaf_init_write(p, &ti, 1);

    return p;
}


static void
check_init(int video, const sluice_cenc_track_t *t)
{
    size_t          len, size, plen, n, sinf, moov0, moov1, entry_size;
    uint8_t        *in, *out, *pssh, *end, want[128];
    const uint8_t  *moov, *stsd, *entry, *clear_stsd;

    in = clear_init(video, &len);

    plen = sluice_drm_pssh_size(SLUICE_DRM_COMMON, 0);
    pssh = test_alloc(NULL, plen);
    sluice_drm_pssh_write(pssh, SLUICE_DRM_COMMON, kid, NULL, 0);

    sinf = sluice_cenc_sinf_size(t);

    SL_CHECK_OK(sluice_cenc_init_size(in, len, t, plen, &size));
    SL_CHECK_UEQ(size, len + sinf + plen);

    out = test_alloc(NULL, size);
    end = sluice_cenc_init_write(out, in, len, t, pssh, plen);
    CHECK(end == out + size);
    CHECK(tree_ok(out, size));

    /* the ftyp unchanged, the moov grown by the sinf and the pssh */
    SL_CHECK_MEM_EQ(out, in, sluice_rb32(in));

    moov = find_box(out, size, "moov", &moov1);
    CHECK(find_box(in, len, "moov", &moov0) != NULL);
    CHECK(moov != NULL);
    SL_CHECK_UEQ(moov1, moov0 + sinf + plen);

    /* the common pssh last in the moov (content-protection.md §12) */
    SL_CHECK_MEM_EQ(moov + moov1 - plen, pssh, plen);
    SL_CHECK_UEQ(plen, (size_t) 52);

    /* the sample entry renamed, its boxes kept, the sinf appended */
    stsd = find_box(out, size, "moov/trak/mdia/minf/stbl/stsd", &n);
    clear_stsd = find_box(in, len, "moov/trak/mdia/minf/stbl/stsd", &n);
    CHECK(stsd != NULL && clear_stsd != NULL);

    if (stsd == NULL || clear_stsd == NULL) {
        return;
    }

    entry = stsd + 16;
    entry_size = sluice_rb32(clear_stsd + 16);
    SL_CHECK_UEQ(sluice_rb32(entry), entry_size + sinf);
    SL_CHECK_MEM_EQ(entry + 4, video ? "encv" : "enca", 4);
    SL_CHECK_MEM_EQ(entry + 8, clear_stsd + 24, entry_size - 8);

    sluice_cenc_sinf_write(want, t, video ? "avc1" : "mp4a");
    SL_CHECK_MEM_EQ(entry + entry_size, want, sinf);
    SL_CHECK_MEM_EQ(entry + entry_size + 16, video ? "avc1" : "mp4a", 4);
}


static void
test_init(void)
{
    size_t               len, size;
    uint8_t             *in, *out;
    sluice_cenc_track_t  t;

    memset(&t, 0, sizeof(t));
    t.scheme = SLUICE_CENC_SCHEME_CENC;
    t.iv_size = 8;
    memcpy(t.kid, kid, 16);

    check_init(1, &t);
    check_init(0, &t);

    /* cbcs: tenc v1 with a pattern and a constant IV */
    t.scheme = SLUICE_CENC_SCHEME_CBCS;
    t.iv_size = 0;
    t.crypt = 1;
    t.skip = 9;
    memset(t.constant_iv, 0x5a, 16);

    check_init(1, &t);

    t.skip = 0;
    check_init(0, &t);

    /* refusals: protected already, truncated, not an init segment */
    in = clear_init(1, &len);
    SL_CHECK_OK(sluice_cenc_init_size(in, len, &t, 0, &size));
    out = test_alloc(NULL, size);
    CHECK(sluice_cenc_init_write(out, in, len, &t, NULL, 0) != NULL);
    CHECK(tree_ok(out, size));

    SL_CHECK_EQ(sluice_cenc_init_size(out, size, &t, 0, &len),
                SLUICE_BAD_DATA);
    CHECK(sluice_cenc_init_write(out, out, size, &t, NULL, 0) == NULL);
    SL_CHECK_EQ(sluice_cenc_init_size(in, 100, &t, 0, &size),
                SLUICE_BAD_DATA);
    SL_CHECK_EQ(sluice_cenc_init_size(in, 0, &t, 0, &size),
                SLUICE_BAD_DATA);

    free_all();
}


/* a length-prefixed NAL unit of n bytes: header byte, then a pattern */
static uint8_t *
nal(uint8_t *p, uint8_t header, size_t n, uint8_t seed)
{
    size_t  i;

    p = sluice_wb32(p, (uint32_t) n);
    *p++ = header;

    for (i = 1; i < n; i++) {
        *p++ = (uint8_t) (seed + i * 13);
    }

    return p;
}


#define NSAMPLES  5

/* samples: IDR with SPS/PPS, slices, a tiny slice, a large SEI */
static size_t
video_samples(uint8_t *buf, sluice_sample_t *s)
{
    uint8_t  *p, *start;
    size_t    i;

    p = buf;
    memset(s, 0, NSAMPLES * sizeof(sluice_sample_t));

    for (i = 0; i < NSAMPLES; i++) {
        start = p;

        switch (i) {
        case 0:
            p = nal(p, 0x67, 10, 1);
            p = nal(p, 0x68, 4, 2);
            p = nal(p, 0x65, 1000, 3);
            break;
        case 1:
            p = nal(p, 0x41, 333, 4);
            p = nal(p, 0x41, 77, 5);
            break;
        case 2:
            p = nal(p, 0x41, 9, 6);             /* too small: clear */
            break;
        case 3:
            p = nal(p, 0x06, 70000, 7);         /* clear, split at 64 KiB */
            p = nal(p, 0x41, 4000, 8);
            break;
        default:
            p = nal(p, 0x01, 48, 9);
            break;
        }

        s[i].dts = 900000 + i * 3000;
        s[i].duration = 3000;
        s[i].cts = (i == 1) ? 6000 : 0;
        s[i].size = (uint32_t) (p - start);
        s[i].flags = (i == 0) ? SLUICE_SAMPLE_KEY : 0;
        s[i].data = start;
    }

    return (size_t) (p - buf);
}


static size_t
audio_samples(uint8_t *buf, sluice_sample_t *s)
{
    size_t  i, j, n;
    uint8_t  *p;

    p = buf;
    memset(s, 0, NSAMPLES * sizeof(sluice_sample_t));

    for (i = 0; i < NSAMPLES; i++) {
        n = 7 + i * 101;                        /* 7: no whole block */

        for (j = 0; j < n; j++) {
            p[j] = (uint8_t) (i + j * 31);
        }

        s[i].dts = 48000 + i * 1024;
        s[i].duration = 1024;
        s[i].size = (uint32_t) n;
        s[i].flags = SLUICE_SAMPLE_KEY;
        s[i].data = p;
        p += n;
    }

    return (size_t) (p - buf);
}


static uint8_t *
make_fragment(int video, uint32_t flags, uint8_t *media, size_t *len,
    sluice_fragment_t *f)
{
    uint8_t          *p;
    sluice_sample_t  *s;

    s = test_alloc(NULL, NSAMPLES * sizeof(sluice_sample_t));

    if (video) {
        video_samples(media, s);

    } else {
        audio_samples(media, s);
    }

    memset(f, 0, sizeof(sluice_fragment_t));
    f->sequence = 8;
    f->time = s[0].dts;
    f->nsamples = NSAMPLES;
    f->samples = s;

    *len = sluice_cmaf_fragment_size(f, 1, flags);
    p = test_alloc(NULL, *len);
    sluice_cmaf_fragment_write(p, f, 1, flags);

    return p;
}


/* what the senc (or PIFF box) says of sample i */
typedef struct {
    uint8_t             iv[16];
    uint32_t            nss;
    sluice_subsample_t  ss[64];
} info_t;


static const uint8_t *
senc_info(const uint8_t *p, uint32_t iv_size, info_t *info, uint32_t n)
{
    uint32_t  i, j, flags;

    flags = sluice_rb24(p + 1);
    p += 4;

    CHECK(sluice_rb32(p) == n);
    p += 4;

    for (i = 0; i < n; i++) {
        memset(&info[i], 0, sizeof(info_t));
        memcpy(info[i].iv, p, iv_size);
        p += iv_size;

        if (!(flags & SLUICE_CENC_SENC_SUBSAMPLES)) {
            continue;
        }

        info[i].nss = sluice_rb16(p);
        p += 2;

        for (j = 0; j < info[i].nss && j < 64; j++) {
            info[i].ss[j].clear = sluice_rb16(p);
            info[i].ss[j].protect = sluice_rb32(p + 2);
            p += 6;
        }
    }

    return p;
}


/* decrypt one sample in place with OpenSSL alone */
static void
decrypt(uint32_t scheme, int video, const uint8_t *iv, uint8_t *d,
    size_t size, const info_t *info)
{
    int                 len;
    size_t              i, k, blocks, pos;
    uint8_t             counter[16];
    sluice_subsample_t  whole;
    const sluice_subsample_t  *ss;
    size_t              nss;

    whole.clear = 0;
    whole.protect = (uint32_t) size;
    ss = info->nss ? info->ss : &whole;
    nss = info->nss ? info->nss : 1;

    if (scheme == SLUICE_CENC_SCHEME_CENC) {
        memset(counter, 0, 16);
        memcpy(counter, iv, 8);
        CHECK(EVP_DecryptInit_ex(ctx, EVP_aes_128_ctr(), NULL, key012,
                                 counter) == 1);

        for (pos = 0, i = 0; i < nss; i++) {
            pos += ss[i].clear;
            CHECK(EVP_DecryptUpdate(ctx, d + pos, &len, d + pos,
                                    (int) ss[i].protect) == 1);
            pos += ss[i].protect;
        }

        return;
    }

    /* cbcs: 1:9 (video) or 1:0 (audio), chain over the encrypted blocks */

    for (pos = 0, i = 0; i < nss; i++) {
        pos += ss[i].clear;
        blocks = ss[i].protect / 16;

        CHECK(EVP_DecryptInit_ex(ctx, EVP_aes_128_cbc(), NULL, key012, iv)
              == 1);
        EVP_CIPHER_CTX_set_padding(ctx, 0);

        for (k = 0; k < blocks; k += video ? 10 : 1) {
            CHECK(EVP_DecryptUpdate(ctx, d + pos + k * 16, &len,
                                    d + pos + k * 16, 16) == 1);
        }

        pos += ss[i].protect;
    }
}


static void
check_fragment(int video, uint32_t scheme, int piff, uint32_t flags)
{
    int                      changed;
    size_t                   len, olen, size, off, n, iv_size;
    uint8_t                 *in, *out, *again, *media, iv[16], d[80000];
    uint32_t                 i, def;
    const uint8_t           *moof, *traf, *senc, *saiz, *saio, *p;
    sluice_fragment_t        f, back;
    sluice_cenc_fragment_t   cf;
    static info_t            info[NSAMPLES];

    static const uint8_t  piff_uuid[16] = {
        0xa2, 0x39, 0x4f, 0x52, 0x5a, 0x9b, 0x4f, 0x14,
        0xa2, 0x44, 0x6c, 0x42, 0x7c, 0x64, 0x8d, 0xf4
    };

    media = test_alloc(NULL, 100000);
    in = make_fragment(video, flags, media, &len, &f);

    memset(&cf, 0, sizeof(cf));
    cf.scheme = scheme;
    cf.codec = video ? SLUICE_CODEC_AVC : SLUICE_CODEC_AAC;
    cf.nal_length_size = 4;
    cf.piff = piff;
    memcpy(cf.key, key012, 16);
    SL_CHECK_OK(sluice_cenc_iv_derive(key012, scheme, 7, f.time, cf.iv));

    SL_CHECK_OK(sluice_cenc_fragment_encrypt(ctx, &cf, in, len, 100, &alloc,
                                             &out, &olen));
    CHECK(olen > len);
    CHECK(tree_ok(out, olen));

    /* the same bytes for the same input */
    SL_CHECK_OK(sluice_cenc_fragment_encrypt(ctx, &cf, in, len, 0, &alloc,
                                             &again, &size));
    SL_CHECK_UEQ(size, olen);
    SL_CHECK_MEM_EQ(again, out, olen);

    /* the samples where trun says, same sizes, times and flags */
    SL_CHECK_OK(sluice_cmaf_fragment_parse(out, olen, &alloc, &back));
    SL_CHECK_UEQ(back.nsamples, (uint32_t) NSAMPLES);

    moof = find_box(out, olen, "moof", &n);
    traf = find_box(out, olen, "moof/traf", &n);
    CHECK(moof != NULL && traf != NULL);

    if (moof == NULL || traf == NULL) {
        return;
    }

    if (piff) {
        /* the uuid box of that type among the traf's (tfxd is one too) */
        senc = NULL;

        for (off = 8; off + 24 <= n; off += sluice_rb32(traf + off)) {
            if (memcmp(traf + off + 4, "uuid", 4) == 0
                && memcmp(traf + off + 8, piff_uuid, 16) == 0)
            {
                senc = traf + off + 16;
                break;
            }
        }

        CHECK(senc != NULL && find_box(traf + 8, n - 8, "senc", &size)
                              == NULL);
        if (senc == NULL) {
            return;
        }

    } else {
        senc = find_box(traf + 8, n - 8, "senc", &size);
        CHECK(senc != NULL);
    }

    saiz = find_box(traf + 8, n - 8, "saiz", &size);
    saio = find_box(traf + 8, n - 8, "saio", &size);
    CHECK(saiz != NULL && saio != NULL);
    CHECK(senc < saiz && saiz < saio);

    iv_size = (scheme == SLUICE_CENC_SCHEME_CENC) ? 8 : 0;
    p = senc_info(senc + 8, (uint32_t) iv_size, info, NSAMPLES);

    /* saiz sizes add up to the senc content; saio points at the first IV */
    def = saiz[12];
    SL_CHECK_UEQ(sluice_rb32(saiz + 13), (uint32_t) NSAMPLES);

    for (size = 0, i = 0; i < NSAMPLES; i++) {
        size += def ? def : saiz[17 + i];
    }

    SL_CHECK_UEQ(size, (size_t) (p - (senc + 16)));
    SL_CHECK_UEQ(sluice_rb32(saio + 12), 1u);
    off = sluice_rb32(saio + 16);
    CHECK(moof + off == senc + 16);

    for (i = 0; i < NSAMPLES; i++) {
        SL_CHECK_UEQ(back.samples[i].size, f.samples[i].size);
        SL_CHECK_UEQ(back.samples[i].duration, f.samples[i].duration);
        SL_CHECK_EQ(back.samples[i].cts, f.samples[i].cts);
        SL_CHECK_UEQ(back.samples[i].flags, f.samples[i].flags);

        /* 'cenc': the IVs count up from the one given */
        if (iv_size) {
            memcpy(iv, cf.iv, 8);
            sluice_cenc_iv_add(iv, 8, i);
            SL_CHECK_MEM_EQ(info[i].iv, iv, 8);
        }

        if (video) {
            CHECK(info[i].nss > 0);

        } else {
            SL_CHECK_UEQ(info[i].nss, 0u);
        }

        memcpy(d, back.samples[i].data, back.samples[i].size);
        changed = memcmp(d, f.samples[i].data, f.samples[i].size) != 0;

        decrypt(scheme, video, iv_size ? info[i].iv : cf.iv, d,
                back.samples[i].size, &info[i]);
        SL_CHECK_MEM_EQ(d, f.samples[i].data, f.samples[i].size);

        /* encrypted, except a tiny slice and a sub-block 'cbcs' sample */
        CHECK(changed == !((video && i == 2)
                           || (!video && i == 0
                               && scheme == SLUICE_CENC_SCHEME_CBCS)));
    }

    /* a protected fragment cannot be protected again */
    SL_CHECK_EQ(sluice_cenc_fragment_encrypt(ctx, &cf, out, olen, 0, &alloc,
                                             &again, &size),
                SLUICE_BAD_DATA);

    free_all();
}


static void
test_fragment_subsamples(void)
{
    size_t                  len, olen, n;
    uint8_t                *in, *out, *media;
    const uint8_t          *senc;
    sluice_fragment_t       f;
    sluice_cenc_fragment_t  cf;
    static info_t           info[NSAMPLES];

    /* the large SEI of sample 3 splits its clear bytes: 65535 + rest */
    media = test_alloc(NULL, 100000);
    in = make_fragment(1, SLUICE_CMAF_STYP, media, &len, &f);

    memset(&cf, 0, sizeof(cf));
    cf.scheme = SLUICE_CENC_SCHEME_CENC;
    cf.codec = SLUICE_CODEC_AVC;
    cf.nal_length_size = 4;
    memcpy(cf.key, key012, 16);

    SL_CHECK_OK(sluice_cenc_fragment_encrypt(ctx, &cf, in, len, 0, &alloc,
                                             &out, &olen));

    senc = find_box(out, olen, "moof/traf/senc", &n);
    CHECK(senc != NULL);

    if (senc) {
        senc_info(senc + 8, 8, info, NSAMPLES);

        /* SEI 4 + 70000 clear, slice 4 + 1 clear + 3984 protected */
        SL_CHECK_UEQ(info[3].nss, 2u);
        SL_CHECK_UEQ(info[3].ss[0].clear, 65535u);
        SL_CHECK_UEQ(info[3].ss[0].protect, 0u);
        SL_CHECK_UEQ(info[3].ss[1].clear, 70004u + 5 + 15 - 65535);
        SL_CHECK_UEQ(info[3].ss[1].protect, 3984u);

        /* SPS and PPS clear with the IDR's length and header */
        SL_CHECK_UEQ(info[0].nss, 1u);
        SL_CHECK_UEQ(info[0].ss[0].clear, 14u + 8 + 5 + 7);
        SL_CHECK_UEQ(info[0].ss[0].protect, 992u);
    }

    /* another codec, a bad NAL length size */
    cf.codec = SLUICE_CODEC_HEVC + 10;
    SL_CHECK_EQ(sluice_cenc_fragment_encrypt(ctx, &cf, in, len, 0, &alloc,
                                             &out, &olen),
                SLUICE_UNSUPPORTED);
    cf.codec = SLUICE_CODEC_AVC;
    cf.nal_length_size = 3;
    SL_CHECK_EQ(sluice_cenc_fragment_encrypt(ctx, &cf, in, len, 0, &alloc,
                                             &out, &olen),
                SLUICE_UNSUPPORTED);

    /* not a fragment */
    cf.nal_length_size = 4;
    SL_CHECK_EQ(sluice_cenc_fragment_encrypt(ctx, &cf, in, 40, 0, &alloc,
                                             &out, &olen),
                SLUICE_BAD_DATA);

    free_all();
}


static void
test_iv_derive(void)
{
    uint8_t       a[16], b[16], in[14 + 4 + 16 + 16], md[32];
    unsigned int  n;

    SL_CHECK_OK(sluice_cenc_iv_derive(key012, SLUICE_CENC_SCHEME_CENC, 1, 2,
                                      a));

    /* SHA-256 of the label, scheme, key, track and time, big-endian */
    memcpy(in, "sluice-cenc-iv", 14);
    memcpy(in + 14, "cenc", 4);
    memcpy(in + 18, key012, 16);
    memset(in + 34, 0, 16);
    in[41] = 1;
    in[49] = 2;
    CHECK(EVP_Digest(in, sizeof(in), md, &n, EVP_sha256(), NULL) == 1);
    SL_CHECK_MEM_EQ(a, md, 16);

    SL_CHECK_OK(sluice_cenc_iv_derive(key012, SLUICE_CENC_SCHEME_CENC, 1, 3,
                                      b));
    CHECK(memcmp(a, b, 16) != 0);
    SL_CHECK_OK(sluice_cenc_iv_derive(key012, SLUICE_CENC_SCHEME_CENC, 2, 2,
                                      b));
    CHECK(memcmp(a, b, 16) != 0);
    SL_CHECK_OK(sluice_cenc_iv_derive(key012, SLUICE_CENC_SCHEME_CBCS, 1, 2,
                                      b));
    CHECK(memcmp(a, b, 16) != 0);
}


static void
test_fragments(void)
{
    uint32_t  smooth;

    smooth = SLUICE_CMAF_SMOOTH | SLUICE_CMAF_NO_TFDT;

    check_fragment(1, SLUICE_CENC_SCHEME_CENC, 0, SLUICE_CMAF_STYP);
    check_fragment(0, SLUICE_CENC_SCHEME_CENC, 0, SLUICE_CMAF_STYP);
    check_fragment(1, SLUICE_CENC_SCHEME_CBCS, 0, SLUICE_CMAF_STYP);
    check_fragment(0, SLUICE_CENC_SCHEME_CBCS, 0, SLUICE_CMAF_STYP);

    /* Smooth: senc ('cenc') or the PIFF box ('piff') */
    check_fragment(1, SLUICE_CENC_SCHEME_CENC, 0, smooth);
    check_fragment(1, SLUICE_CENC_SCHEME_CENC, 1, smooth);
    check_fragment(0, SLUICE_CENC_SCHEME_CENC, 1, smooth);
}


int
main(void)
{
    ctx = EVP_CIPHER_CTX_new();

    SL_RUN(test_init);
    SL_RUN(test_iv_derive);
    SL_RUN(test_fragments);
    SL_RUN(test_fragment_subsamples);

    EVP_CIPHER_CTX_free(ctx);
    free_all();

    return SL_DONE();
}
