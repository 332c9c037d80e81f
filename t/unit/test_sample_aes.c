
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of src/media/crypto/sluice_sample_aes.c (Apple SAMPLE-AES
 * for MPEG-TS) and of the PMT the TS muxer writes for it.  Every
 * encrypted NAL unit and AAC frame is decrypted here the way the
 * decryptors do (FFmpeg's hls_sample_encryption.c, hls.js): emulation
 * prevention bytes removed, then AES-128 CBC with OpenSSL on the 1-in-10
 * pattern, the IV reset per NAL unit; the result must be the clear NAL
 * unit as it was stored, its own emulation prevention bytes included:
 * the decryptors hand it to the decoder as it comes out.
 */


#include <stdlib.h>

#include "media/crypto/sluice_sample_aes.h"
#include "media/container/sluice_ts.h"
#include "sluice_test.h"


#define CHECK(cond)  SL_CHECK(cond)


static EVP_CIPHER_CTX  *ctx;

static const uint8_t  key[16] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
    0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f
};

static const uint8_t  iv[16] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7
};


static uint32_t  seed = 12345;


static uint8_t
rnd(void)
{
    seed = seed * 1103515245 + 12345;
    return (uint8_t) (seed >> 16);
}


/* emulation prevention, written here on its own (H.264 7.4.1) */

static size_t
escape(uint8_t *out, const uint8_t *in, size_t len)
{
    size_t  i, n, zeros;

    n = 0;
    zeros = 0;

    for (i = 0; i < len; i++) {
        if (zeros >= 2 && in[i] <= 3) {
            out[n++] = 3;
            zeros = 0;
        }

        out[n++] = in[i];
        zeros = in[i] == 0 ? zeros + 1 : 0;
    }

    return n;
}


/* as FFmpeg's remove_scep_3_bytes(): a final 0x03 is kept */

static size_t
unescape(uint8_t *p, size_t len)
{
    size_t  i, j;

    for (i = 0, j = 0; i < len; ) {
        if (len - i > 3 && p[i] == 0 && p[i + 1] == 0 && p[i + 2] == 3) {
            p[j++] = p[i++];
            p[j++] = p[i++];
            i++;

        } else {
            p[j++] = p[i++];
        }
    }

    return j;
}


/* the decryptor's loop of Apple's listing 2-1, in place */

static void
decrypt_nal(uint8_t *p, size_t len)
{
    int     n;
    size_t  rem;

    EVP_CIPHER_CTX  *d;

    d = EVP_CIPHER_CTX_new();
    EVP_DecryptInit_ex(d, EVP_aes_128_cbc(), NULL, key, iv);
    EVP_CIPHER_CTX_set_padding(d, 0);

    p += 32;
    rem = len - 32;

    while (rem > 0) {
        if (rem > 16) {
            EVP_DecryptUpdate(d, p, &n, p, 16);
            p += 16;
            rem -= 16;
        }

        n = rem < 144 ? (int) rem : 144;
        p += n;
        rem -= (size_t) n;
    }

    EVP_CIPHER_CTX_free(d);
}


/* no start code inside a NAL unit: no 00 00 00, 00 00 01, 00 00 02 */

static int
no_start_code(const uint8_t *p, size_t len)
{
    size_t  i;

    for (i = 0; i + 2 < len; i++) {
        if (p[i] == 0 && p[i + 1] == 0 && p[i + 2] <= 2) {
            return 0;
        }
    }

    return 1;
}


typedef struct {
    uint8_t   raw[2048];
    size_t    raw_len;
    uint8_t   esc[4096];
    size_t    esc_len;
} nal_t;


static void
make_nal(nal_t *nal, uint8_t type, size_t raw_len, unsigned zero_runs)
{
    size_t  i;

    nal->raw[0] = type;

    for (i = 1; i < raw_len; i++) {
        nal->raw[i] = rnd();

        /* runs of zeros make emulation prevention bytes */
        if (zero_runs && rnd() < 40) {
            nal->raw[i] = 0;
        }
    }

    /* a NAL unit does not end with 0x00 */
    if (nal->raw[raw_len - 1] == 0) {
        nal->raw[raw_len - 1] = 0x80;
    }

    nal->raw_len = raw_len;
    nal->esc_len = escape(nal->esc, nal->raw, raw_len);
}


/* an access unit of the NAL units, length-prefixed */

static size_t
make_au(uint8_t *au, nal_t *nals, size_t n, uint32_t nls)
{
    size_t    i, k, pos;

    pos = 0;

    for (i = 0; i < n; i++) {
        for (k = 0; k < nls; k++) {
            au[pos++] = (uint8_t) (nals[i].esc_len >> (8 * (nls - 1 - k)));
        }

        memcpy(au + pos, nals[i].esc, nals[i].esc_len);
        pos += nals[i].esc_len;
    }

    return pos;
}


/*
 * Checks the encryption of nals[0..n): the NAL units come out in order,
 * those not encrypted as they were, the encrypted ones without start
 * codes and decrypting to their stored (escaped) bytes.  Returns the
 * encrypted ones.
 */

static size_t
check_au(nal_t *nals, size_t n, uint32_t nls)
{
    size_t     i, k, len, size, size2, pos, nal_len, encrypted;
    uint8_t   *au, *out, *p;

    au = malloc(65536);
    out = malloc(131072);

    len = make_au(au, nals, n, nls);

    CHECK(sluice_sample_aes_avc(ctx, iv, au, len, nls, NULL, &size)
          == SLUICE_OK);
    memset(out, 0xee, 131072);
    CHECK(sluice_sample_aes_avc(ctx, iv, au, len, nls, out, &size2)
          == SLUICE_OK);
    CHECK(size == size2);
    CHECK(out[size] == 0xee);

    /* the same input gives the same bytes */
    CHECK(sluice_sample_aes_avc(ctx, iv, au, len, nls, au + len, &size2)
          == SLUICE_OK && memcmp(au + len, out, size) == 0);

    pos = 0;
    encrypted = 0;

    for (i = 0; i < n && pos < size; i++) {
        nal_len = 0;

        for (k = 0; k < nls; k++) {
            nal_len = (nal_len << 8) | out[pos++];
        }

        p = out + pos;
        pos += nal_len;

        if ((nals[i].esc[0] & 0x1f) != 1 && (nals[i].esc[0] & 0x1f) != 5)
        {
            CHECK(nal_len == nals[i].esc_len
                  && memcmp(p, nals[i].esc, nal_len) == 0);
            continue;
        }

        if (nals[i].esc_len <= 48) {
            /* too short: clear, as it was */
            CHECK(nal_len == nals[i].esc_len
                  && memcmp(p, nals[i].esc, nal_len) == 0);
            continue;
        }

        encrypted++;

        CHECK(no_start_code(p, nal_len));

        /* the leader and the bytes after the first block are clear */
        nal_len = unescape(p, nal_len);
        CHECK(nal_len == nals[i].esc_len);
        CHECK(memcmp(p, nals[i].esc, 32) == 0);
        CHECK(memcmp(p + 32, nals[i].esc + 32, 16) != 0);
        CHECK(memcmp(p + 48, nals[i].esc + 48,
                     nal_len < 192 ? nal_len - 48 : 144) == 0);

        decrypt_nal(p, nal_len);
        CHECK(memcmp(p, nals[i].esc, nals[i].esc_len) == 0);
    }

    CHECK(i == n && pos == size);

    free(au);
    free(out);

    return encrypted;
}


static void
test_avc(void)
{
    int      n;
    size_t   i;
    nal_t   *nals;

    nals = calloc(8, sizeof(nal_t));

    make_nal(&nals[0], 0x67, 12, 0);           /* SPS */
    make_nal(&nals[1], 0x06, 200, 1);          /* SEI: never encrypted */
    make_nal(&nals[2], 0x65, 1500, 1);         /* IDR slice */
    make_nal(&nals[3], 0x41, 48, 0);           /* 48 bytes: clear */
    make_nal(&nals[4], 0x41, 49, 0);           /* one block, one byte */
    make_nal(&nals[5], 0x41, 64, 0);           /* one block, 16 clear */
    make_nal(&nals[6], 0x01, 209, 1);          /* two blocks */

    CHECK(check_au(nals, 7, 4) == 4);
    CHECK(check_au(nals, 7, 2) == 4);

    /* many random slices, with and without zero runs */
    n = 0;

    for (i = 0; i < 300; i++) {
        make_nal(&nals[0], (i & 1) ? 0x65 : 0x41, 33 + rnd() * 6, i & 2);
        make_nal(&nals[1], 0x41, 40 + rnd(), 1);
        n += (int) check_au(nals, 2, 4);
    }

    CHECK(n > 300);

    free(nals);
}


/*
 * sets the first protected block of the NAL unit as stored so that it
 * encrypts to cipher
 */

static void
force_block(nal_t *nal, const uint8_t cipher[16])
{
    int     n;
    size_t  i;

    EVP_CIPHER_CTX  *d;

    /* plain = D(cipher) xor iv: the first block of the chain */
    d = EVP_CIPHER_CTX_new();
    EVP_DecryptInit_ex(d, EVP_aes_128_ecb(), NULL, key, NULL);
    EVP_CIPHER_CTX_set_padding(d, 0);
    EVP_DecryptUpdate(d, nal->esc + 32, &n, cipher, 16);
    EVP_CIPHER_CTX_free(d);

    for (i = 0; i < 16; i++) {
        nal->esc[32 + i] ^= iv[i];
    }
}


/*
 * A plaintext whose first encrypted block comes out as 00 00 00 01
 * 00 00 03 ...: the encryptor must insert emulation prevention bytes
 * in the encrypted bytes, which the decryptors remove.
 */

static void
test_avc_start_code_in_ciphertext(void)
{
    uint8_t   cipher[16];
    nal_t    *nal;

    nal = calloc(1, sizeof(nal_t));
    make_nal(nal, 0x65, 100, 0);

    memset(cipher, 0, 16);
    cipher[3] = 0x01;
    cipher[6] = 0x03;
    force_block(nal, cipher);

    CHECK(check_au(nal, 1, 4) == 1);

    free(nal);
}


static void
test_avc_errors(void)
{
    size_t   size;
    uint8_t  au[300];
    nal_t   *nal;

    nal = calloc(1, sizeof(nal_t));

    /* a NAL length past the end */
    au[0] = 0;
    au[1] = 0;
    au[2] = 1;
    au[3] = 0;
    au[4] = 0x65;
    CHECK(sluice_sample_aes_avc(ctx, iv, au, 5, 4, NULL, &size)
          == SLUICE_BAD_DATA);

    CHECK(sluice_sample_aes_avc(ctx, iv, au, 5, 3, NULL, &size)
          == SLUICE_UNSUPPORTED);

    /*
     * 253 bytes in a 1-byte length field whose first block encrypts to
     * zeros: 7 emulation prevention bytes more, no longer fits
     */
    memset(nal->esc, 0x55, 253);
    nal->esc[0] = 0x65;
    nal->esc_len = 253;
    force_block(nal, (const uint8_t *) "\0\0\0\0\0\0\0\0"
                                       "\0\0\0\0\0\0\0\x80");

    if (nal->esc_len <= 255) {
        make_au(au, nal, 1, 1);
        CHECK(sluice_sample_aes_avc(ctx, iv, au, nal->esc_len + 1, 1, NULL,
                                    &size) == SLUICE_UNSUPPORTED);
        CHECK(sluice_sample_aes_avc(ctx, iv, au, nal->esc_len + 1, 4, NULL,
                                    &size) == SLUICE_BAD_DATA);
    }

    CHECK(nal->esc_len <= 255);

    /* an empty access unit */
    CHECK(sluice_sample_aes_avc(ctx, iv, au, 0, 4, NULL, &size) == SLUICE_OK
          && size == 0);

    free(nal);
}


static void
test_aac(void)
{
    int       n;
    size_t    len, blocks;
    uint8_t   frame[400], clear[400];

    EVP_CIPHER_CTX  *d;

    for (len = 0; len < sizeof(frame); len++) {
        for (n = 0; n < (int) len; n++) {
            clear[n] = rnd();
        }

        memcpy(frame, clear, len);
        CHECK(sluice_sample_aes_aac(ctx, iv, frame, len) == SLUICE_OK);

        blocks = len >= 32 ? (len - 16) / 16 : 0;

        /* leader and tail clear */
        CHECK(len < 16 || memcmp(frame, clear, 16) == 0);
        CHECK(memcmp(frame + 16 + blocks * 16, clear + 16 + blocks * 16,
                     len < 16 ? 0 : len - 16 - blocks * 16) == 0);

        if (blocks == 0) {
            CHECK(memcmp(frame, clear, len) == 0);
            continue;
        }

        CHECK(memcmp(frame + 16, clear + 16, 16) != 0);

        d = EVP_CIPHER_CTX_new();
        EVP_DecryptInit_ex(d, EVP_aes_128_cbc(), NULL, key, iv);
        EVP_CIPHER_CTX_set_padding(d, 0);
        EVP_DecryptUpdate(d, frame + 16, &n, frame + 16, (int) blocks * 16);
        EVP_CIPHER_CTX_free(d);

        CHECK(memcmp(frame, clear, len) == 0);
    }
}


/* the PMT of a SAMPLE-AES segment: stream types and descriptors */

static void
test_pmt(void)
{
    size_t               size;
    uint8_t             *p, *pmt;
    uint8_t              au[64], aac[20];
    sluice_sample_t      vs, as;
    sluice_ts_segment_t  seg;
    sluice_track_info_t  vi, ai;

    static const uint8_t  avcc[] = {
        0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0x00, 0x0a,
        0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9, 0x40, 0x50, 0x05, 0xbb,
        0x01, 0x00, 0x04, 0x68, 0xeb, 0xe3, 0xcb
    };

    static const uint8_t  video_entry[] = {
        0xdb, 0xe1, 0x00, 0xf0, 0x06, 0x0f, 0x04, 'z', 'a', 'v', 'c'
    };

    static const uint8_t  audio_entry[] = {
        0xcf, 0xe1, 0x01, 0xf0, 0x16,
        0x0f, 0x04, 'a', 'a', 'c', 'd',
        0x05, 0x0e, 'a', 'p', 'a', 'd',
        'z', 'a', 'a', 'c', 0x00, 0x00, 0x01, 0x02, 0x11, 0x90
    };

    memset(&vi, 0, sizeof(vi));
    vi.media_type = SLUICE_MEDIA_VIDEO;
    vi.codec = SLUICE_CODEC_AVC;
    vi.timescale = 90000;
    vi.config_len = sizeof(avcc);
    memcpy(vi.config, avcc, sizeof(avcc));

    memset(&ai, 0, sizeof(ai));
    ai.media_type = SLUICE_MEDIA_AUDIO;
    ai.codec = SLUICE_CODEC_AAC;
    ai.timescale = 48000;
    ai.config_len = 2;
    ai.config[0] = 0x11;            /* AAC LC, 48 kHz, stereo */
    ai.config[1] = 0x90;

    memset(au, 0x22, sizeof(au));
    au[0] = 0;
    au[1] = 0;
    au[2] = 0;
    au[3] = sizeof(au) - 4;
    au[4] = 0x65;

    memset(aac, 0x33, sizeof(aac));

    memset(&vs, 0, sizeof(vs));
    vs.size = sizeof(au);
    vs.flags = SLUICE_SAMPLE_KEY;
    vs.data = au;

    memset(&as, 0, sizeof(as));
    as.size = sizeof(aac);
    as.data = aac;

    memset(&seg, 0, sizeof(seg));
    seg.video.info = &vi;
    seg.video.samples = &vs;
    seg.video.nsamples = 1;
    seg.audio.info = &ai;
    seg.audio.samples = &as;
    seg.audio.nsamples = 1;
    seg.sample_aes = 1;

    CHECK(sluice_ts_segment_size(&seg, &size) == SLUICE_OK);

    p = malloc(size);
    CHECK(sluice_ts_segment_write(&seg, p, size) == SLUICE_OK);

    /* the PMT: second packet, pointer field, 12 bytes of section header */
    pmt = p + SLUICE_TS_PACKET;
    CHECK(pmt[0] == 0x47 && pmt[4] == 0 && pmt[5] == 0x02);
    CHECK(memcmp(pmt + 5 + 12, video_entry, sizeof(video_entry)) == 0);
    CHECK(memcmp(pmt + 5 + 12 + sizeof(video_entry), audio_entry,
                 sizeof(audio_entry))
          == 0);
    /* section_length: after the length field to the CRC, included */
    CHECK(pmt[7] == 9 + sizeof(video_entry) + sizeof(audio_entry) + 4);
    free(p);

    /* HE-AAC is 'zach' */
    ai.object_type = 5;
    ai.config_len = 3;
    ai.config[0] = 0x2b;            /* SBR: 24 kHz core, 48 kHz, LC */
    ai.config[1] = 0x11;
    ai.config[2] = 0x88;
    seg.video.info = NULL;
    CHECK(sluice_ts_segment_size(&seg, &size) == SLUICE_OK);
    p = malloc(size);
    CHECK(sluice_ts_segment_write(&seg, p, size) == SLUICE_OK);
    pmt = p + SLUICE_TS_PACKET;
    CHECK(memcmp(pmt + 5 + 12 + 17, "zach", 4) == 0);
    free(p);

    /* an AudioSpecificConfig too large for the PMT packet */
    ai.config_len = 65;
    CHECK(sluice_ts_segment_size(&seg, &size) == SLUICE_UNSUPPORTED);
    ai.config_len = 2;

    /* no SAMPLE-AES for H.265 in TS */
    seg.video.info = &vi;
    vi.codec = SLUICE_CODEC_HEVC;
    CHECK(sluice_ts_segment_size(&seg, &size) == SLUICE_UNSUPPORTED);
}


int
main(void)
{
    ctx = EVP_CIPHER_CTX_new();

    if (ctx == NULL || sluice_sample_aes_init(ctx, key) != SLUICE_OK) {
        fprintf(stderr, "cannot set up OpenSSL\n");
        return 1;
    }

    SL_RUN(test_avc);
    SL_RUN(test_avc_start_code_in_ciphertext);
    SL_RUN(test_avc_errors);
    SL_RUN(test_aac);
    SL_RUN(test_pmt);

    EVP_CIPHER_CTX_free(ctx);

    return SL_DONE();
}
