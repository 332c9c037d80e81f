
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util/sluice_base64.h"
#include "util/sluice_g2o.h"


#define SLUICE_G2O_FIELDS  6
#define SLUICE_G2O_MAX     1024     /* data + path signed, bytes */


static int sluice_g2o_number(const uint8_t *s, size_t len, int64_t *v);
static const EVP_MD *sluice_g2o_md(int64_t version);


sluice_status_t
sluice_g2o_verify(const uint8_t *data, size_t data_len, const uint8_t *sign,
    size_t sign_len, const uint8_t *path, size_t path_len,
    const sluice_g2o_key_t *keys, size_t n, int64_t now, const char **reason)
{
    size_t                   i, f, flen[SLUICE_G2O_FIELDS];
    int64_t                  version, t;
    unsigned                 mlen;
    const EVP_MD            *md;
    const uint8_t           *p, *last, *field[SLUICE_G2O_FIELDS];
    const sluice_g2o_key_t  *k;
    uint8_t                  msg[SLUICE_G2O_MAX];
    uint8_t                  mac[EVP_MAX_MD_SIZE];
    uint8_t                  b64[sluice_base64_encoded_len(EVP_MAX_MD_SIZE)];

    *reason = "malformed X-Akamai-G2O-Auth-Data";

    /* "a, b, c, d, e, f": six fields, blanks around them dropped */

    p = data;
    last = data + data_len;

    for (f = 0; f < SLUICE_G2O_FIELDS; f++) {
        while (p < last && *p == ' ') {
            p++;
        }

        field[f] = p;

        while (p < last && *p != ',') {
            p++;
        }

        flen[f] = p - field[f];

        while (flen[f] && field[f][flen[f] - 1] == ' ') {
            flen[f]--;
        }

        if (p < last) {
            p++;

        } else if (f != SLUICE_G2O_FIELDS - 1) {
            return SLUICE_BAD_REQUEST;
        }
    }

    if (p != last || flen[5] == 0
        || !sluice_g2o_number(field[0], flen[0], &version)
        || !sluice_g2o_number(field[3], flen[3], &t))
    {
        return SLUICE_BAD_REQUEST;
    }

    md = sluice_g2o_md(version);
    if (md == NULL) {
        *reason = "unsupported G2O version";
        return SLUICE_BAD_REQUEST;
    }

    if (t > now + SLUICE_G2O_SKEW || t < now - SLUICE_G2O_SKEW) {
        *reason = "G2O time too far from the origin's";
        return SLUICE_BAD_REQUEST;
    }

    k = NULL;

    for (i = 0; i < n; i++) {
        if (keys[i].id_len == flen[5]
            && memcmp(keys[i].id, field[5], flen[5]) == 0)
        {
            k = &keys[i];
            break;
        }
    }

    if (k == NULL) {
        *reason = "no key of that G2O nonce";
        return SLUICE_BAD_REQUEST;
    }

    if (k->expires && now > k->expires) {
        *reason = "the G2O key expired";
        return SLUICE_BAD_REQUEST;
    }

    if (data_len + path_len > sizeof(msg)) {
        *reason = "G2O data and path too long";
        return SLUICE_BAD_REQUEST;
    }

    memcpy(msg, data, data_len);
    memcpy(msg + data_len, path, path_len);

    if (HMAC(md, k->key, (int) k->key_len, msg, data_len + path_len, mac,
             &mlen)
        == NULL)
    {
        *reason = "HMAC failed";
        return SLUICE_BAD_REQUEST;
    }

    i = sluice_base64_encode(mac, mlen, b64, 0);

    while (sign_len && sign[sign_len - 1] == ' ') {
        sign_len--;
    }

    if (sign_len != i || CRYPTO_memcmp(sign, b64, i) != 0) {
        *reason = "wrong X-Akamai-G2O-Auth-Sign";
        return SLUICE_BAD_REQUEST;
    }

    return SLUICE_OK;
}


static int
sluice_g2o_number(const uint8_t *s, size_t len, int64_t *v)
{
    size_t  i;

    if (len == 0 || len > 12) {
        return 0;
    }

    *v = 0;

    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }

        *v = *v * 10 + (s[i] - '0');
    }

    return 1;
}


static const EVP_MD *
sluice_g2o_md(int64_t version)
{
    switch (version) {
    case 3:
        return EVP_md5();
    case 4:
        return EVP_sha1();
    case 5:
        return EVP_sha256();
    default:
        return NULL;
    }
}


sluice_status_t
sluice_g2o_time(const uint8_t *s, size_t len, int64_t *sec)
{
    size_t   i;
    int64_t  v[6], y, m, d, era, yoe, doy, doe;

    static const size_t  at[6] = { 0, 5, 8, 11, 14, 17 };
    static const size_t  width[6] = { 4, 2, 2, 2, 2, 2 };
    static const char    sep[6] = { '-', '-', 'T', ':', ':', 0 };

    if (len < 20 || s[len - 1] != 'Z') {
        return SLUICE_BAD_DATA;
    }

    for (i = 0; i < 6; i++) {
        if (!sluice_g2o_number(s + at[i], width[i], &v[i])
            || (sep[i] && s[at[i] + width[i]] != sep[i]))
        {
            return SLUICE_BAD_DATA;
        }
    }

    if (len != 20 && s[19] != '.') {
        return SLUICE_BAD_DATA;
    }

    /* days from civil (proleptic Gregorian) */

    y = v[0];
    m = v[1];
    d = v[2];

    if (m < 1 || m > 12 || d < 1 || d > 31) {
        return SLUICE_BAD_DATA;
    }

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    *sec = (era * 146097 + doe - 719468) * 86400
           + v[3] * 3600 + v[4] * 60 + v[5];

    return SLUICE_OK;
}
