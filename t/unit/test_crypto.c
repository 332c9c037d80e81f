
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of src/media/crypto: HLS AES-128 and Common Encryption
 * ('cenc', 'cbcs') against the NIST SP 800-38A vectors (F.2.1 CBC-AES128,
 * F.5.1 CTR-AES128) and the vectors of content-protection.md §12;
 * round trips decrypted with OpenSSL directly (CBC, CTR, and 'cbcs'
 * rebuilt block by block from AES-ECB); the AVC/HEVC subsample map; and
 * the boxes byte for byte.
 */


#include <stdlib.h>

#include "media/crypto/sluice_aes.h"
#include "media/crypto/sluice_cenc.h"
#include "media/crypto/sluice_cenc_box.h"
#include "sluice_test.h"


#define CHECK(cond)  SL_CHECK(cond)


static EVP_CIPHER_CTX  *ctx;


/* hex digits (spaces ignored) to bytes; returns the byte count */
static size_t
hex(uint8_t *out, const char *s)
{
    size_t        n;
    unsigned int  v;

    for (n = 0; *s; ) {
        if (*s == ' ') {
            s++;
            continue;
        }

        sscanf(s, "%2x", &v);
        out[n++] = (uint8_t) v;
        s += 2;
    }

    return n;
}


static const char  nist_key[] = "2b7e151628aed2a6abf7158809cf4f3c";

static const char  nist_plain[] =
    "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710";

static const uint8_t  kid[16] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
    0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff
};

static const uint8_t  key012[16] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
};


static void
test_hls_iv(void)
{
    uint8_t  iv[16], want[16];

    sluice_aes_hls_iv(iv, 7);
    hex(want, "00000000000000000000000000000007");
    SL_CHECK_MEM_EQ(iv, want, 16);

    sluice_aes_hls_iv(iv, 0x0102030405060708ULL);
    hex(want, "00000000000000000102030405060708");
    SL_CHECK_MEM_EQ(iv, want, 16);
}


/* NIST SP 800-38A F.2.1: the first 64 bytes; then one padding block */
static void
test_cbc_nist(void)
{
    size_t   n;
    uint8_t  key[16], iv[16], in[64], out[80], want[64], back[80];
    int      len, last;

    hex(key, nist_key);
    hex(iv, "000102030405060708090a0b0c0d0e0f");
    hex(in, nist_plain);
    hex(want, "7649abac8119b246cee98e9b12e9197d"
              "5086cb9b507219ee95db113a917678b2"
              "73bed6b8e3c1743b7116e69e22229516"
              "3ff1caa1681fac09120eca307586e1a7");

    SL_CHECK_UEQ(sluice_aes_cbc_size(64), (size_t) 80);
    SL_CHECK_OK(sluice_aes_cbc_encrypt(ctx, key, iv, in, 64, out));
    SL_CHECK_MEM_EQ(out, want, 64);

    /* PKCS#7: a whole block of 0x10, removed by OpenSSL on decryption */
    CHECK(EVP_DecryptInit_ex(ctx, EVP_aes_128_cbc(), NULL, key, iv) == 1);
    CHECK(EVP_DecryptUpdate(ctx, back, &len, out, 80) == 1);
    CHECK(EVP_DecryptFinal_ex(ctx, back + len, &last) == 1);
    SL_CHECK_EQ(len + last, 64);
    SL_CHECK_MEM_EQ(back, in, 64);

    /* in pieces, in place */
    memcpy(out, in, 64);
    SL_CHECK_OK(sluice_aes_cbc_init(ctx, key, iv));
    SL_CHECK_OK(sluice_aes_cbc_update(ctx, out, 7, out, &n));
    SL_CHECK_UEQ(n, (size_t) 0);
    memcpy(back, out, 7);
    SL_CHECK_OK(sluice_aes_cbc_update(ctx, in + 7, 57, out, &n));
    SL_CHECK_UEQ(n, (size_t) 64);
    SL_CHECK_MEM_EQ(out, want, 64);
    SL_CHECK_OK(sluice_aes_cbc_final(ctx, out + 64, &n));
    SL_CHECK_UEQ(n, (size_t) 16);
}


/* content-protection.md §12: IV = sequence 7, one zero block */
static void
test_cbc_reference(void)
{
    uint8_t  iv[16], in[16], out[32], want[16];

    memset(in, 0, sizeof(in));
    sluice_aes_hls_iv(iv, 7);
    hex(want, "b9322f19c62b38e9bed82bd3e67b1319");

    SL_CHECK_OK(sluice_aes_cbc_encrypt(ctx, key012, iv, in, 16, out));
    SL_CHECK_MEM_EQ(out, want, 16);

    /* a short segment: 5 bytes give one block */
    SL_CHECK_UEQ(sluice_aes_cbc_size(5), (size_t) 16);
    SL_CHECK_UEQ(sluice_aes_cbc_size(0), (size_t) 16);
}


/* NIST SP 800-38A F.5.1 with a 16-byte IV, whole sample and subsamples */
static void
test_ctr_nist(void)
{
    uint8_t             key[16], iv[16], buf[64], want[64], in[64];
    sluice_subsample_t  ss[3] = { { 0, 5 }, { 0, 30 }, { 0, 29 } };

    hex(key, nist_key);
    hex(iv, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    hex(in, nist_plain);
    hex(want, "874d6191b620e3261bef6864990db6ce"
              "9806f66b7970fdff8617187bb9fffdff"
              "5ae4df3edbd5d35e5b4f09020db03eab"
              "1e031dda2fbe03d1792170a0f3009cee");

    memcpy(buf, in, 64);
    SL_CHECK_OK(sluice_cenc_ctr_encrypt(ctx, key, iv, 16, buf, 64, NULL, 0));
    SL_CHECK_MEM_EQ(buf, want, 64);

    /* protected ranges cut mid-block: one keystream all the same */
    memcpy(buf, in, 64);
    SL_CHECK_OK(sluice_cenc_ctr_encrypt(ctx, key, iv, 16, buf, 64, ss, 3));
    SL_CHECK_MEM_EQ(buf, want, 64);
}


/* content-protection.md §12: 8-byte IV, 32 zero bytes */
static void
test_ctr_reference(void)
{
    uint8_t  iv[8], buf[32], want[32];

    hex(iv, "0102030405060708");
    memset(buf, 0, sizeof(buf));
    hex(want, "18ba69bb4661fee5a7cc9ec1a731e278"
              "cf91ad9eddf9ce645b515e2382d1c8cc");

    SL_CHECK_OK(sluice_cenc_ctr_encrypt(ctx, key012, iv, 8, buf, 32, NULL,
                                        0));
    SL_CHECK_MEM_EQ(buf, want, 32);
}


/* subsamples: clear bytes untouched, protected ones = one CTR stream */
static void
test_ctr_subsamples(void)
{
    int                 n;
    size_t              i, j, pos, np;
    uint8_t             iv[8], in[300], buf[300], prot[300], dec[300];
    sluice_subsample_t  ss[3] = { { 10, 37 }, { 100, 3 }, { 0, 150 } };

    hex(iv, "a1a2a3a4a5a6a7a8");

    for (i = 0; i < sizeof(in); i++) {
        in[i] = (uint8_t) (i * 7 + 3);
    }

    memcpy(buf, in, 300);
    SL_CHECK_OK(sluice_cenc_ctr_encrypt(ctx, key012, iv, 8, buf, 300, ss,
                                        3));

    np = 0;
    pos = 0;

    for (i = 0; i < 3; i++) {
        SL_CHECK_MEM_EQ(buf + pos, in + pos, ss[i].clear);
        pos += ss[i].clear;

        for (j = 0; j < ss[i].protect; j++) {
            prot[np + j] = buf[pos + j];
        }

        CHECK(memcmp(buf + pos, in + pos, ss[i].protect) != 0);
        pos += ss[i].protect;
        np += ss[i].protect;
    }

    /* iv || 0 as OpenSSL's counter block */
    memset(dec, 0, 16);
    memcpy(dec, iv, 8);
    CHECK(EVP_DecryptInit_ex(ctx, EVP_aes_128_ctr(), NULL, key012, dec) == 1);
    CHECK(EVP_DecryptUpdate(ctx, dec, &n, prot, (int) np) == 1);
    SL_CHECK_UEQ((size_t) n, np);

    np = 0;
    pos = 0;

    for (i = 0; i < 3; i++) {
        pos += ss[i].clear;
        SL_CHECK_MEM_EQ(dec + np, in + pos, ss[i].protect);
        pos += ss[i].protect;
        np += ss[i].protect;
    }

    /* subsamples that do not cover the sample */
    ss[2].protect = 149;
    CHECK(sluice_cenc_ctr_encrypt(ctx, key012, iv, 8, buf, 300, ss, 3)
          == SLUICE_BAD_DATA);
    ss[2].protect = 150;
    ss[0].clear = 0x10000;
    CHECK(sluice_cenc_ctr_encrypt(ctx, key012, iv, 8, buf, 300, ss, 3)
          == SLUICE_BAD_DATA);
    CHECK(sluice_cenc_ctr_encrypt(ctx, key012, iv, 12, buf, 300, NULL, 0)
          == SLUICE_BAD_DATA);
}


/*
 * 'cbcs' checked from AES-ECB: in each protected range, block i is
 * encrypted when i % (crypt + skip) < crypt, chained from the IV
 */
static void
cbcs_verify(const uint8_t *clear, const uint8_t *enc, size_t len,
    const sluice_subsample_t *ss, size_t nss, const uint8_t *iv,
    uint32_t crypt, uint32_t skip)
{
    int      n;
    size_t   i, k, b, pos, blocks;
    uint8_t  prev[16], plain[16];

    pos = 0;

    for (i = 0; i < nss; i++) {
        SL_CHECK_MEM_EQ(enc + pos, clear + pos, ss[i].clear);
        pos += ss[i].clear;
        memcpy(prev, iv, 16);
        blocks = ss[i].protect / 16;

        for (b = 0; b < blocks; b++) {
            const uint8_t  *c = enc + pos + b * 16;

            if (skip != 0 && b % (crypt + skip) >= crypt) {
                SL_CHECK_MEM_EQ(c, clear + pos + b * 16, 16);
                continue;
            }

            CHECK(EVP_DecryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, key012,
                                     NULL) == 1);
            EVP_CIPHER_CTX_set_padding(ctx, 0);
            CHECK(EVP_DecryptUpdate(ctx, plain, &n, c, 16) == 1);

            for (k = 0; k < 16; k++) {
                plain[k] ^= prev[k];
            }

            SL_CHECK_MEM_EQ(plain, clear + pos + b * 16, 16);
            CHECK(memcmp(c, clear + pos + b * 16, 16) != 0);
            memcpy(prev, c, 16);
        }

        /* the partial last block stays clear */
        SL_CHECK_MEM_EQ(enc + pos + blocks * 16, clear + pos + blocks * 16,
                        ss[i].protect % 16);
        pos += ss[i].protect;
    }

    SL_CHECK_UEQ(pos, len);
}


static void
test_cbcs(void)
{
    size_t              i;
    uint8_t             iv[16], in[1000], buf[1000];
    sluice_subsample_t  ss[3] = { { 5, 16 * 23 + 7 }, { 100, 15 },
                                  { 0, 1000 - 5 - 375 - 100 - 15 } };
    sluice_subsample_t  whole = { 0, 1000 };

    hex(iv, "0f0e0d0c0b0a09080706050403020100");

    for (i = 0; i < sizeof(in); i++) {
        in[i] = (uint8_t) (i * 13 + 1);
    }

    /* video 1:9 with subsamples */
    memcpy(buf, in, sizeof(buf));
    SL_CHECK_OK(sluice_cenc_cbcs_encrypt(ctx, key012, iv, 1, 9, buf, 1000,
                                         ss, 3));
    cbcs_verify(in, buf, 1000, ss, 3, iv, 1, 9);

    /* another pattern, 2:3, to see runs of several blocks chained */
    memcpy(buf, in, sizeof(buf));
    SL_CHECK_OK(sluice_cenc_cbcs_encrypt(ctx, key012, iv, 2, 3, buf, 1000,
                                         ss, 3));
    cbcs_verify(in, buf, 1000, ss, 3, iv, 2, 3);

    /* audio: whole-block full sample encryption, no subsamples */
    memcpy(buf, in, sizeof(buf));
    SL_CHECK_OK(sluice_cenc_cbcs_encrypt(ctx, key012, iv, 1, 0, buf, 1000,
                                         NULL, 0));
    cbcs_verify(in, buf, 1000, &whole, 1, iv, 1, 0);

    CHECK(sluice_cenc_cbcs_encrypt(ctx, key012, iv, 0, 9, buf, 1000, NULL, 0)
          == SLUICE_BAD_DATA);
}


static void
test_iv_add(void)
{
    uint8_t  iv[16], want[16];

    hex(iv, "00000000000000ff");
    sluice_cenc_iv_add(iv, 8, 1);
    hex(want, "0000000000000100");
    SL_CHECK_MEM_EQ(iv, want, 8);

    hex(iv, "ffffffffffffffffffffffffffffffff");
    sluice_cenc_iv_add(iv, 16, 2);
    hex(want, "00000000000000000000000000000001");
    SL_CHECK_MEM_EQ(iv, want, 16);

    hex(iv, "0000000000000000 00000000fffffff0");
    sluice_cenc_iv_add(iv, 16, 0x100000010ULL);
    hex(want, "0000000000000000 0000000200000000");
    SL_CHECK_MEM_EQ(iv, want, 16);
}


/* an AVC sample: 4-byte lengths, SPS (20 bytes), IDR slice (100 bytes) */
static size_t
avc_sample(uint8_t *p, size_t sei)
{
    size_t  n, i;

    n = 0;

    p[n++] = 0; p[n++] = 0; p[n++] = 0; p[n++] = 20;
    p[n++] = 0x67;
    for (i = 1; i < 20; i++) {
        p[n++] = (uint8_t) i;
    }

    if (sei) {
        p[n++] = (uint8_t) (sei >> 24); p[n++] = (uint8_t) (sei >> 16);
        p[n++] = (uint8_t) (sei >> 8); p[n++] = (uint8_t) sei;
        p[n++] = 0x06;
        memset(p + n, 0x5a, sei - 1);
        n += sei - 1;
    }

    p[n++] = 0; p[n++] = 0; p[n++] = 0; p[n++] = 100;
    p[n++] = 0x65;
    for (i = 1; i < 100; i++) {
        p[n++] = (uint8_t) (i * 3);
    }

    return n;
}


static void
test_subsamples_avc(void)
{
    size_t              len, n;
    uint8_t            *p;
    sluice_subsample_t  ss[8];

    p = malloc(200000);
    len = avc_sample(p, 0);

    /* cenc: 24 (SPS) + 4 + 1 + 3 clear, 96 protected */
    SL_CHECK_OK(sluice_cenc_nal_subsamples(p, len, SLUICE_CODEC_AVC, 4,
                                           SLUICE_CENC_SCHEME_CENC,
                                           SLUICE_CENC_CENC_CLEAR_LEAD,
                                           NULL, ss, 8, &n));
    SL_CHECK_UEQ(n, (size_t) 1);
    SL_CHECK_UEQ(ss[0].clear, 32u);
    SL_CHECK_UEQ(ss[0].protect, 96u);

    /* cbcs: 24 + 4 + 1 + 31 clear, 68 protected (not aligned) */
    SL_CHECK_OK(sluice_cenc_nal_subsamples(p, len, SLUICE_CODEC_AVC, 4,
                                           SLUICE_CENC_SCHEME_CBCS,
                                           SLUICE_CENC_CBCS_CLEAR_LEAD,
                                           NULL, ss, 8, &n));
    SL_CHECK_UEQ(n, (size_t) 1);
    SL_CHECK_UEQ(ss[0].clear, 60u);
    SL_CHECK_UEQ(ss[0].protect, 68u);

    /* a 70000-byte SEI before the slice: the clear run is split */
    len = avc_sample(p, 70000);
    SL_CHECK_OK(sluice_cenc_nal_subsamples(p, len, SLUICE_CODEC_AVC, 4,
                                           SLUICE_CENC_SCHEME_CENC, 0,
                                           NULL, ss, 8, &n));
    SL_CHECK_UEQ(n, (size_t) 2);
    SL_CHECK_UEQ(ss[0].clear, 65535u);
    SL_CHECK_UEQ(ss[0].protect, 0u);
    SL_CHECK_UEQ(ss[1].clear, 24u + 70004 + 8 - 65535);
    SL_CHECK_UEQ(ss[1].protect, 96u);
    SL_CHECK_UEQ(sluice_cenc_subsamples_max(len) >= 2, 1u);

    CHECK(sluice_cenc_nal_subsamples(p, len, SLUICE_CODEC_AVC, 4,
                                     SLUICE_CENC_SCHEME_CENC, 0, NULL, ss, 1,
                                     &n)
          == SLUICE_NO_MEMORY);

    /* a length past the end */
    len = avc_sample(p, 0);
    CHECK(sluice_cenc_nal_subsamples(p, len - 1, SLUICE_CODEC_AVC, 4,
                                     SLUICE_CENC_SCHEME_CENC, 0, NULL, ss, 8,
                                     &n)
          == SLUICE_BAD_DATA);
    CHECK(sluice_cenc_nal_subsamples(p, len, SLUICE_CODEC_AAC, 4,
                                     SLUICE_CENC_SCHEME_CENC, 0, NULL, ss, 8,
                                     &n)
          == SLUICE_UNSUPPORTED);

    /* the map drives the encryption: every byte accounted for */
    SL_CHECK_OK(sluice_cenc_nal_subsamples(p, len, SLUICE_CODEC_AVC, 4,
                                           SLUICE_CENC_SCHEME_CBCS, 31,
                                           NULL, ss, 8, &n));
    SL_CHECK_OK(sluice_cenc_cbcs_encrypt(ctx, key012, key012, 1, 9, p, len,
                                         ss, n));

    free(p);
}


static void
test_subsamples_hevc(void)
{
    size_t              n, i;
    uint8_t             p[2 + 12 + 2 + 62 + 2 + 12];
    sluice_subsample_t  ss[4];

    /* 2-byte lengths: VPS (type 32, 10 bytes), TRAIL_R (60), short slice */
    p[0] = 0; p[1] = 12; p[2] = 32 << 1; p[3] = 1;
    memset(p + 4, 0xaa, 10);
    p[14] = 0; p[15] = 62; p[16] = 1 << 1; p[17] = 1;
    for (i = 0; i < 60; i++) {
        p[18 + i] = (uint8_t) i;
    }
    p[78] = 0; p[79] = 12; p[80] = 1 << 1; p[81] = 1;
    memset(p + 82, 0xbb, 10);

    SL_CHECK_OK(sluice_cenc_nal_subsamples(p, sizeof(p), SLUICE_CODEC_HEVC, 2,
                                           SLUICE_CENC_SCHEME_CENC, 0,
                                           NULL, ss, 4, &n));

    /* 14 + 2 + 2 + (60 % 16) clear, 48 protected; 14 clear at the end */
    SL_CHECK_UEQ(n, (size_t) 2);
    SL_CHECK_UEQ(ss[0].clear, 14u + 4 + 12);
    SL_CHECK_UEQ(ss[0].protect, 48u);
    SL_CHECK_UEQ(ss[1].clear, 14u);
    SL_CHECK_UEQ(ss[1].protect, 0u);
}


static void
test_tenc(void)
{
    size_t               n;
    uint8_t              buf[64], want[64];
    sluice_cenc_track_t  t;

    memset(&t, 0, sizeof(t));
    t.scheme = SLUICE_CENC_SCHEME_CENC;
    t.iv_size = 8;
    memcpy(t.kid, kid, 16);

    n = hex(want, "0000002074656e63 00000000 0000 0108"
                  "00112233445566778899aabbccddeeff");
    SL_CHECK_UEQ(sluice_cenc_tenc_size(&t), n);
    CHECK(sluice_cenc_tenc_write(buf, &t) == buf + n);
    SL_CHECK_MEM_EQ(buf, want, n);

    t.scheme = SLUICE_CENC_SCHEME_CBCS;
    t.iv_size = 0;
    t.crypt = 1;
    t.skip = 9;
    hex(t.constant_iv, "0f0e0d0c0b0a09080706050403020100");

    n = hex(want, "0000003174656e63 01000000 00 19 01 00"
                  "00112233445566778899aabbccddeeff 10"
                  "0f0e0d0c0b0a09080706050403020100");
    SL_CHECK_UEQ(sluice_cenc_tenc_size(&t), n);
    CHECK(sluice_cenc_tenc_write(buf, &t) == buf + n);
    SL_CHECK_MEM_EQ(buf, want, n);
}


static void
test_sinf(void)
{
    size_t               n;
    uint8_t              buf[128], want[128];
    sluice_cenc_track_t  t;

    memset(&t, 0, sizeof(t));
    t.scheme = SLUICE_CENC_SCHEME_CENC;
    t.iv_size = 8;
    memcpy(t.kid, kid, 16);

    n = hex(want, "0000005073696e66"
                  "0000000c66726d61 61766331"
                  "000000147363686d 00000000 63656e63 00010000"
                  "0000002873636869"
                  "0000002074656e63 00000000 0000 0108"
                  "00112233445566778899aabbccddeeff");
    SL_CHECK_UEQ(sluice_cenc_sinf_size(&t), n);
    CHECK(sluice_cenc_sinf_write(buf, &t, "avc1") == buf + n);
    SL_CHECK_MEM_EQ(buf, want, n);
}


static void
test_pssh(void)
{
    size_t   n;
    uint8_t  buf[128], want[128], sys[16], data[32];

    /* W3C common pssh v1 with one KID (content-protection.md §12) */
    hex(sys, "1077efecc0b24d02ace33c1e52e2fb4b");
    n = hex(want, "0000003470737368 01000000 1077efecc0b24d02ace33c1e52e2fb4b"
                  "00000001 00112233445566778899aabbccddeeff 00000000");
    SL_CHECK_UEQ(sluice_cenc_pssh_size(1, 0), n);
    CHECK(sluice_cenc_pssh_write(buf, sys, kid, 1, NULL, 0) == buf + n);
    SL_CHECK_MEM_EQ(buf, want, n);

    /* Widevine v0, base64 AAAAOHBzc2gAAAAA7e+LqXnWSs6jyCfc1R0h7QAAABgSEAAR
       IjNEVWZ3iJmqu8zd7v9I49yVmwY= */
    hex(sys, "edef8ba979d64acea3c827dcd51d21ed");
    hex(data, "1210 00112233445566778899aabbccddeeff 48e3dc959b06");
    n = hex(want, "0000003870737368 00000000 edef8ba979d64acea3c827dcd51d21ed"
                  "00000018 1210 00112233445566778899aabbccddeeff"
                  "48e3dc959b06");
    SL_CHECK_UEQ(sluice_cenc_pssh_size(0, 24), n);
    CHECK(sluice_cenc_pssh_write(buf, sys, NULL, 0, data, 24) == buf + n);
    SL_CHECK_MEM_EQ(buf, want, n);
}


static void
test_senc_saiz_saio(void)
{
    size_t                n;
    uint8_t               buf[256], want[256];
    sluice_subsample_t    ss0[2] = { { 5, 32 }, { 7, 0 } };
    sluice_subsample_t    ss1[1] = { { 300, 0x12345 } };
    sluice_cenc_sample_t  s[2];

    memset(s, 0, sizeof(s));
    hex(s[0].iv, "0102030405060708");
    hex(s[1].iv, "0102030405060709");
    s[0].subsamples = ss0;
    s[0].nsubsamples = 2;
    s[1].subsamples = ss1;
    s[1].nsubsamples = 1;

    n = hex(want, "0000003673656e63 00000002 00000002"
                  "0102030405060708 0002 0005 00000020 0007 00000000"
                  "0102030405060709 0001 012c 00012345");
    SL_CHECK_UEQ(sluice_cenc_senc_size(s, 2, 8, SLUICE_CENC_SENC_SUBSAMPLES),
                 n);
    CHECK(sluice_cenc_senc_write(buf, s, 2, 8, SLUICE_CENC_SENC_SUBSAMPLES)
          == buf + n);
    SL_CHECK_MEM_EQ(buf, want, n);

    /* sizes differ: 8 + 2 + 12 = 22, 8 + 2 + 6 = 16 */
    n = hex(want, "0000001373616970 00000000 00 00000002 16 10");
    memcpy(want + 4, "saiz", 4);
    SL_CHECK_UEQ(sluice_cenc_saiz_size(s, 2, 8, SLUICE_CENC_SENC_SUBSAMPLES),
                 n);
    CHECK(sluice_cenc_saiz_write(buf, s, 2, 8, SLUICE_CENC_SENC_SUBSAMPLES)
          == buf + n);
    SL_CHECK_MEM_EQ(buf, want, n);

    /* cbcs audio: constant IV, no subsamples: senc of counts only */
    n = 16;
    SL_CHECK_UEQ(sluice_cenc_senc_size(s, 2, 0, 0), n);
    CHECK(sluice_cenc_senc_write(buf, s, 2, 0, 0) == buf + n);
    SL_CHECK_MEM_EQ(buf, "\0\0\0\x10senc\0\0\0\0\0\0\0\x02", n);

    /* equal sizes: the default size, no table */
    n = hex(want, "0000001173616970 00000000 08 00000002");
    memcpy(want + 4, "saiz", 4);
    SL_CHECK_UEQ(sluice_cenc_saiz_size(s, 2, 8, 0), n);
    CHECK(sluice_cenc_saiz_write(buf, s, 2, 8, 0) == buf + n);
    SL_CHECK_MEM_EQ(buf, want, n);

    n = hex(want, "0000001473616970 00000000 00000001 00000064");
    memcpy(want + 4, "saio", 4);
    SL_CHECK_UEQ(sluice_cenc_saio_size(100), n);
    CHECK(sluice_cenc_saio_write(buf, 100) == buf + n);
    SL_CHECK_MEM_EQ(buf, want, n);

    n = hex(want, "0000001873616970 01000000 00000001 0000000100000000");
    memcpy(want + 4, "saio", 4);
    SL_CHECK_UEQ(sluice_cenc_saio_size(0x100000000ULL), n);
    CHECK(sluice_cenc_saio_write(buf, 0x100000000ULL) == buf + n);
    SL_CHECK_MEM_EQ(buf, want, n);

    /* too many subsamples for saiz, a bad IV size */
    s[1].nsubsamples = 50;
    SL_CHECK_UEQ(sluice_cenc_saiz_size(s, 2, 8, SLUICE_CENC_SENC_SUBSAMPLES),
                 (size_t) 0);
    CHECK(sluice_cenc_senc_write(buf, s, 2, 8, SLUICE_CENC_SENC_SUBSAMPLES)
          == NULL);
    SL_CHECK_UEQ(sluice_cenc_senc_size(s, 2, 12, 0), (size_t) 0);
}


int
main(void)
{
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        return 1;
    }

    SL_RUN(test_hls_iv);
    SL_RUN(test_cbc_nist);
    SL_RUN(test_cbc_reference);
    SL_RUN(test_ctr_nist);
    SL_RUN(test_ctr_reference);
    SL_RUN(test_ctr_subsamples);
    SL_RUN(test_cbcs);
    SL_RUN(test_iv_add);
    SL_RUN(test_subsamples_avc);
    SL_RUN(test_subsamples_hevc);
    SL_RUN(test_tenc);
    SL_RUN(test_sinf);
    SL_RUN(test_pssh);
    SL_RUN(test_senc_saiz_saio);

    EVP_CIPHER_CTX_free(ctx);

    return SL_DONE();
}
