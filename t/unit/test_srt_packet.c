
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of Sluice's SRT receiver, pure part: packets and handshakes
 * (sluice_srt_packet.c), the receive window (sluice_srt_rcv.c) and the
 * key material and payload decryption (sluice_srt_crypto.c).
 */


#include <stdlib.h>

#include <openssl/evp.h>

#include "sluice_test.h"
#include "util/sluice_srt_packet.h"
#include "util/sluice_srt_rcv.h"
#include "util/sluice_srt_crypto.h"


static uint8_t *
w32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t) (v >> 24);
    p[1] = (uint8_t) (v >> 16);
    p[2] = (uint8_t) (v >> 8);
    p[3] = (uint8_t) v;

    return p + 4;
}


static uint32_t
r32(const uint8_t *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16
           | (uint32_t) p[2] << 8 | p[3];
}


/* a caller's conclusion as libsrt sends it: CIF, HSREQ, KMREQ, SID */

static size_t
conclusion(uint8_t *buf, const char *sid, const uint8_t *km, size_t km_len)
{
    size_t    i, n, words;
    uint8_t  *p, w[4];

    p = buf;
    p = w32(p, 5);
    p = w32(p, 0x00020000 | SLUICE_SRT_EXT_HSREQ | SLUICE_SRT_EXT_CONFIG
               | (km_len ? SLUICE_SRT_EXT_KMREQ : 0));
    p = w32(p, 123456789);                      /* ISN */
    p = w32(p, 1500);
    p = w32(p, 8192);
    p = w32(p, SLUICE_SRT_HS_CONCLUSION);
    p = w32(p, 0x11223344);                     /* the caller's id */
    p = w32(p, 0xcafebabe);
    memset(p, 0, 16);
    p += 16;

    p = w32(p, (uint32_t) SLUICE_SRT_CMD_HSREQ << 16 | 3);
    p = w32(p, 0x010501);
    p = w32(p, SLUICE_SRT_OPT_TSBPDSND | SLUICE_SRT_OPT_TLPKTDROP);
    p = w32(p, 120u << 16 | 400);

    if (km_len) {
        p = w32(p, (uint32_t) SLUICE_SRT_CMD_KMREQ << 16
                   | (uint32_t) (km_len / 4));
        memcpy(p, km, km_len);
        p += km_len;
    }

    n = strlen(sid);
    words = (n + 3) / 4;
    p = w32(p, (uint32_t) SLUICE_SRT_CMD_SID << 16 | (uint32_t) words);

    for (i = 0; i < words; i++) {
        memset(w, 0, 4);
        memcpy(w, sid + i * 4, (n - i * 4) < 4 ? (n - i * 4) : 4);
        *p++ = w[3];
        *p++ = w[2];
        *p++ = w[1];
        *p++ = w[0];
    }

    return (size_t) (p - buf);
}


static void
test_seq(void)
{
    sl_test_current = "seq";

    SL_CHECK_EQ(sluice_srt_seq_off(10, 15), 5);
    SL_CHECK_EQ(sluice_srt_seq_off(15, 10), -5);
    SL_CHECK_EQ(sluice_srt_seq_off(0x7ffffffe, 1), 3);
    SL_CHECK_EQ(sluice_srt_seq_off(1, 0x7ffffffe), -3);
    SL_CHECK_UEQ(sluice_srt_seq_add(0x7fffffff, 1), 0);
    SL_CHECK_UEQ(sluice_srt_seq_add(0, -1), 0x7fffffff);
}


static void
test_header(void)
{
    uint8_t              b[64];
    sluice_srt_packet_t  pk;

    sl_test_current = "header";

    w32(b, 77);
    w32(b + 4, 0xc0000000u | 2u << 27 | 1u << 26 | 42);
    w32(b + 8, 1000);
    w32(b + 12, 9);

    SL_CHECK_EQ(sluice_srt_packet_parse(&pk, b, 20), SLUICE_OK);
    SL_CHECK(!pk.control);
    SL_CHECK_UEQ(pk.seq, 77);
    SL_CHECK_UEQ(pk.kk, 2);
    SL_CHECK(pk.retransmitted);
    SL_CHECK_UEQ(pk.msgno, 42);
    SL_CHECK_UEQ(pk.timestamp, 1000);
    SL_CHECK_UEQ(pk.dst, 9);
    SL_CHECK_UEQ(pk.body_len, 4);

    SL_CHECK_EQ(sluice_srt_ctrl_write(b, SLUICE_SRT_USER,
                                      SLUICE_SRT_CMD_KMRSP, 5, 6, 7), 16);
    SL_CHECK_EQ(sluice_srt_packet_parse(&pk, b, 16), SLUICE_OK);
    SL_CHECK(pk.control);
    SL_CHECK_UEQ(pk.type, SLUICE_SRT_USER);
    SL_CHECK_UEQ(pk.subtype, SLUICE_SRT_CMD_KMRSP);
    SL_CHECK_UEQ(pk.info, 5);
    SL_CHECK_UEQ(pk.dst, 7);

    SL_CHECK_EQ(sluice_srt_packet_parse(&pk, b, 15), SLUICE_BAD_DATA);
}


static void
test_handshake(void)
{
    size_t           n;
    uint8_t          buf[1500], out[300];
    sluice_srt_hs_t  hs, rsp;
    sluice_srt_packet_t  pk;

    sl_test_current = "handshake";

    n = conclusion(buf, "#!::r=abc/s1,m=publish", NULL, 0);

    SL_CHECK_EQ(sluice_srt_hs_parse(&hs, buf, n), SLUICE_OK);
    SL_CHECK_UEQ(hs.version, 5);
    SL_CHECK_UEQ(hs.type, SLUICE_SRT_HS_CONCLUSION);
    SL_CHECK_UEQ(hs.isn, 123456789);
    SL_CHECK_UEQ(hs.id, 0x11223344);
    SL_CHECK_UEQ(hs.cookie, 0xcafebabe);
    SL_CHECK(hs.has_hsreq);
    SL_CHECK(!hs.has_km);
    SL_CHECK_UEQ(hs.snd_latency, 400);
    SL_CHECK_UEQ(hs.rcv_latency, 120);
    SL_CHECK(hs.has_sid);
    SL_CHECK_UEQ(hs.sid_len, 22);
    SL_CHECK(memcmp(hs.sid, "#!::r=abc/s1,m=publish", 22) == 0);

    /* an extension longer than the packet */
    SL_CHECK_EQ(sluice_srt_hs_parse(&hs, buf, n - 4), SLUICE_BAD_DATA);
    SL_CHECK_EQ(sluice_srt_hs_parse(&hs, buf, 47), SLUICE_BAD_DATA);

    /* the response: CIF, HSRSP, KMRSP */
    SL_CHECK_EQ(sluice_srt_hs_parse(&hs, buf, n), SLUICE_OK);
    rsp = hs;
    rsp.id = 99;
    rsp.srt_version = 0x010501;

    n = sluice_srt_hs_write(out, sizeof(out), &rsp, 10, hs.id, 0x3f, 400,
                            (const uint8_t *) "KMKMKMKM", 8);
    SL_CHECK_EQ(n, 16 + 48 + 16 + 12);
    SL_CHECK_EQ(sluice_srt_packet_parse(&pk, out, n), SLUICE_OK);
    SL_CHECK(pk.control && pk.type == SLUICE_SRT_HANDSHAKE);
    SL_CHECK_UEQ(pk.dst, 0x11223344);
    SL_CHECK_UEQ(r32(out + 16 + 24), 99);
    SL_CHECK_UEQ(r32(out + 64), (uint32_t) SLUICE_SRT_CMD_HSRSP << 16 | 3);
    SL_CHECK_UEQ(r32(out + 72), 0x3f);
    SL_CHECK_UEQ(r32(out + 76), 400u << 16 | 400);
    SL_CHECK_UEQ(r32(out + 80), (uint32_t) SLUICE_SRT_CMD_KMRSP << 16 | 2);
    SL_CHECK(memcmp(out + 84, "KMKMKMKM", 8) == 0);

    /* too small a buffer */
    SL_CHECK_EQ(sluice_srt_hs_write(out, 60, &rsp, 0, 1, 0, 0, NULL, 0), 0);

    /* a rejection: the CIF only */
    rsp.type = SLUICE_SRT_HS_REJECT + SLUICE_SRT_REJX_FORBIDDEN;
    n = sluice_srt_hs_write(out, sizeof(out), &rsp, 0, 1, 0, 0, NULL, 0);
    SL_CHECK_EQ(n, 64);
    SL_CHECK_UEQ(r32(out + 16 + 20), 2403);
}


static void
test_ack_nak(void)
{
    size_t              n;
    uint8_t             out[64];
    sluice_srt_range_t  r[3] = { { 5, 5 }, { 7, 9 }, { 20, 30 } };

    sl_test_current = "ack_nak";

    n = sluice_srt_ack_write(out, 3, 100, 8, 1234, 5000, 2500, 99, 280,
                             400000);
    SL_CHECK_EQ(n, 44);
    SL_CHECK_UEQ(r32(out), 0x80020000u);
    SL_CHECK_UEQ(r32(out + 4), 3);
    SL_CHECK_UEQ(r32(out + 16), 1234);
    SL_CHECK_UEQ(r32(out + 20), 5000);
    SL_CHECK_UEQ(r32(out + 28), 99);
    SL_CHECK_UEQ(r32(out + 40), 400000);

    SL_CHECK_EQ(sluice_srt_ack_write(out, 0, 100, 8, 1234, 0, 0, 0, 0, 0),
                20);

    n = sluice_srt_nak_write(out, sizeof(out), 0, 8, r, 3);
    SL_CHECK_EQ(n, 16 + 4 + 8 + 8);
    SL_CHECK_UEQ(r32(out), 0x80030000u);
    SL_CHECK_UEQ(r32(out + 16), 5);
    SL_CHECK_UEQ(r32(out + 20), 0x80000007u);
    SL_CHECK_UEQ(r32(out + 24), 9);
    SL_CHECK_UEQ(r32(out + 28), 0x80000014u);

    /* what fits */
    SL_CHECK_EQ(sluice_srt_nak_write(out, 27, 0, 8, r, 3), 20);
}


/* the receive window */

static uint8_t  got[4096];
static size_t   got_len;


static void
deliver(void *data, const uint8_t *p, size_t len)
{
    memcpy(got + got_len, p, len);
    got_len += len;
}


static void
test_rcv(void)
{
    uint8_t             b;
    size_t              n;
    uint32_t            isn, i;
    sluice_srt_rcv_t   *r;
    sluice_srt_range_t  gap, naks[8];

    sl_test_current = "rcv";

    /* across the wrap of the sequence numbers */
    isn = 0x7ffffffd;
    got_len = 0;

    r = sluice_srt_rcv_create(isn, 100, deliver, NULL);
    SL_CHECK(r != NULL);
    SL_CHECK_UEQ(sluice_srt_rcv_size(r), 64);

    b = 'a';
    SL_CHECK_EQ(sluice_srt_rcv_packet(r, isn, &b, 1, 0, &gap), 0);
    SL_CHECK_EQ(got_len, 1);

    /* isn + 1, + 2 lost */
    b = 'd';
    SL_CHECK_EQ(sluice_srt_rcv_packet(r, isn + 3, &b, 1, 10, &gap), 1);
    SL_CHECK_UEQ(gap.from, 0x7ffffffe);
    SL_CHECK_UEQ(gap.to, 0x7fffffff);
    SL_CHECK_EQ(got_len, 1);

    /* isn + 5 (0x2) after isn + 4 lost */
    b = 'f';
    SL_CHECK_EQ(sluice_srt_rcv_packet(r, sluice_srt_seq_add(isn, 5), &b, 1,
                                      12, &gap), 1);
    SL_CHECK_UEQ(gap.from, 1);
    SL_CHECK_UEQ(gap.to, 1);

    /* NAK again after the interval only */
    SL_CHECK_EQ(sluice_srt_rcv_nak(r, 20, 20, naks, 8), 0);
    n = sluice_srt_rcv_nak(r, 31, 20, naks, 8);
    SL_CHECK_EQ(n, 1);
    SL_CHECK_UEQ(naks[0].from, 0x7ffffffe);
    n = sluice_srt_rcv_nak(r, 40, 20, naks, 8);
    SL_CHECK_EQ(n, 1);
    SL_CHECK_UEQ(naks[0].from, 1);

    /* a duplicate, then the middle of the first gap, then its head */
    b = 'x';
    SL_CHECK_EQ(sluice_srt_rcv_packet(r, isn + 3, &b, 1, 41, &gap), 0);
    SL_CHECK_UEQ(sluice_srt_rcv_stats(r)->duplicates, 1);
    b = 'c';
    SL_CHECK_EQ(sluice_srt_rcv_packet(r, isn + 2, &b, 1, 42, &gap), 0);
    SL_CHECK_EQ(got_len, 1);
    b = 'b';
    SL_CHECK_EQ(sluice_srt_rcv_packet(r, isn + 1, &b, 1, 43, &gap), 0);
    SL_CHECK_EQ(got_len, 4);
    SL_CHECK(memcmp(got, "abcd", 4) == 0);
    SL_CHECK_UEQ(sluice_srt_rcv_ack(r), 1);

    /* the gap at 1: too late after 100 ms from the arrival of 2 */
    SL_CHECK_EQ(sluice_srt_rcv_late(r, 100, 100), 0);
    SL_CHECK_EQ(sluice_srt_rcv_late(r, 112, 100), 1);
    SL_CHECK_EQ(got_len, 5);
    SL_CHECK(memcmp(got, "abcdf", 5) == 0);
    SL_CHECK_UEQ(sluice_srt_rcv_ack(r), 3);
    SL_CHECK_EQ(sluice_srt_rcv_nak(r, 1000, 20, naks, 8), 0);

    /* a drop request over a gap */
    b = 'h';
    SL_CHECK_EQ(sluice_srt_rcv_packet(r, 6, &b, 1, 200, &gap), 1);
    sluice_srt_rcv_drop(r, 3, 5);
    SL_CHECK_EQ(got_len, 6);
    SL_CHECK_UEQ(sluice_srt_rcv_ack(r), 7);

    /* beyond the window, before it */
    SL_CHECK_EQ(sluice_srt_rcv_packet(r, 7 + 64, &b, 1, 201, &gap), 0);
    SL_CHECK_UEQ(sluice_srt_rcv_stats(r)->beyond, 1);
    SL_CHECK_EQ(sluice_srt_rcv_packet(r, 2, &b, 1, 201, &gap), 0);

    /* many gaps: the loss list merges, nothing is lost */
    got_len = 0;
    for (i = 0; i < 30; i++) {
        b = (uint8_t) i;
        (void) sluice_srt_rcv_packet(r, 7 + 2 * i + 1, &b, 1, 300, &gap);
    }
    for (i = 0; i < 30; i++) {
        b = 100;
        (void) sluice_srt_rcv_packet(r, 7 + 2 * i, &b, 1, 301, &gap);
    }
    SL_CHECK_EQ(got_len, 60);
    SL_CHECK_EQ(sluice_srt_rcv_nak(r, 5000, 20, naks, 8), 0);
    SL_CHECK_UEQ(sluice_srt_rcv_avail(r), 64);

    sluice_srt_rcv_free(r);
}


/* key material made as a sender makes it, with OpenSSL */

static size_t
make_km(uint8_t *km, const char *pass, const uint8_t *salt,
    const uint8_t *even, const uint8_t *odd)
{
    int              n, m;
    uint8_t          kek[16], keys[32];
    EVP_CIPHER_CTX  *w;

    memset(km, 0, 16);
    km[0] = 0x12;
    km[1] = 0x20;
    km[2] = 0x29;
    km[3] = 3;
    km[8] = 2;
    km[10] = 2;
    km[14] = 4;
    km[15] = 4;
    memcpy(km + 16, salt, 16);

    PKCS5_PBKDF2_HMAC_SHA1(pass, (int) strlen(pass), salt + 8, 8, 2048, 16,
                           kek);
    memcpy(keys, even, 16);
    memcpy(keys + 16, odd, 16);

    w = EVP_CIPHER_CTX_new();
    EVP_CIPHER_CTX_set_flags(w, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
    EVP_EncryptInit_ex(w, EVP_aes_128_wrap(), NULL, kek, NULL);
    EVP_EncryptUpdate(w, km + 32, &n, keys, 32);
    EVP_EncryptFinal_ex(w, km + 32 + n, &m);
    EVP_CIPHER_CTX_free(w);

    return 32 + (size_t) (n + m);
}


static void
test_crypto(void)
{
    int                   n;
    size_t               len;
    uint8_t              km[128], salt[16], even[16], odd[16], iv[16];
    uint8_t              plain[188 * 7], data[188 * 7];
    uint32_t             seq, i;
    EVP_CIPHER_CTX      *e;
    sluice_srt_km_t      k;
    sluice_srt_crypto_t *c;

    sl_test_current = "crypto";

    for (i = 0; i < 16; i++) {
        salt[i] = (uint8_t) (i * 17 + 1);
        even[i] = (uint8_t) (i + 0x40);
        odd[i] = (uint8_t) (i + 0x80);
    }

    len = make_km(km, "sluice-secret-1", salt, even, odd);
    SL_CHECK_EQ(len, 72);

    SL_CHECK_EQ(sluice_srt_km_parse(&k, km, len), SLUICE_OK);
    SL_CHECK_UEQ(k.keys, 3);
    SL_CHECK_UEQ(k.key_len, 16);
    SL_CHECK_UEQ(k.wrapped_len, 40);
    SL_CHECK_EQ(sluice_srt_km_parse(&k, km, len - 1), SLUICE_BAD_DATA);
    km[8] = 3;
    SL_CHECK_EQ(sluice_srt_km_parse(&k, km, len), SLUICE_UNSUPPORTED);
    km[8] = 2;
    SL_CHECK_EQ(sluice_srt_km_parse(&k, km, len), SLUICE_OK);

    c = sluice_srt_crypto_create();
    SL_CHECK(c != NULL);

    SL_CHECK_EQ(sluice_srt_crypto_set(c, &k, (const uint8_t *) "wrong-one-x",
                                      11), SLUICE_BAD_DATA);
    SL_CHECK_EQ(sluice_srt_crypto_set(c, &k,
                                      (const uint8_t *) "sluice-secret-1",
                                      15), SLUICE_OK);

    /* a packet encrypted with the odd key, the IV of its sequence */

    for (i = 0; i < sizeof(plain); i++) {
        plain[i] = (uint8_t) (i * 7);
    }

    seq = 0x01020304;
    memcpy(iv, salt, 14);
    iv[10] ^= 1;
    iv[11] ^= 2;
    iv[12] ^= 3;
    iv[13] ^= 4;
    iv[14] = 0;
    iv[15] = 0;

    e = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex(e, EVP_aes_128_ctr(), NULL, odd, iv);
    EVP_EncryptUpdate(e, data, &n, plain, (int) sizeof(plain));
    EVP_CIPHER_CTX_free(e);

    SL_CHECK(memcmp(data, plain, sizeof(plain)) != 0);
    SL_CHECK_EQ(sluice_srt_crypto_decrypt(c, 2, seq, data, sizeof(data)),
                SLUICE_OK);
    SL_CHECK(memcmp(data, plain, sizeof(plain)) == 0);

    /* no key 3, no clear packet */
    SL_CHECK_EQ(sluice_srt_crypto_decrypt(c, 3, seq, data, 16),
                SLUICE_BAD_DATA);
    SL_CHECK_EQ(sluice_srt_crypto_decrypt(c, 0, seq, data, 16),
                SLUICE_BAD_DATA);

    sluice_srt_crypto_free(c);

    /* the key material in a handshake */
    {
        uint8_t          buf[1500];
        sluice_srt_hs_t  hs;

        len = conclusion(buf, "abc", km, len);
        SL_CHECK_EQ(sluice_srt_hs_parse(&hs, buf, len), SLUICE_OK);
        SL_CHECK(hs.has_km);
        SL_CHECK_UEQ(hs.km_len, 72);
        SL_CHECK(memcmp(hs.km, km, 72) == 0);
        SL_CHECK_UEQ(hs.sid_len, 3);
    }
}


int
main(void)
{
    SL_RUN(test_seq);
    SL_RUN(test_header);
    SL_RUN(test_handshake);
    SL_RUN(test_ack_nak);
    SL_RUN(test_rcv);
    SL_RUN(test_crypto);

    return SL_DONE();
}
