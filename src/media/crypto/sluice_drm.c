
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include <string.h>
#include <stdio.h>

#include "media/crypto/sluice_cenc_box.h"
#include "media/crypto/sluice_drm.h"


static const uint8_t  sluice_drm_ids[][16] = {
    { 0xed, 0xef, 0x8b, 0xa9, 0x79, 0xd6, 0x4a, 0xce,
      0xa3, 0xc8, 0x27, 0xdc, 0xd5, 0x1d, 0x21, 0xed },
    { 0x9a, 0x04, 0xf0, 0x79, 0x98, 0x40, 0x42, 0x86,
      0xab, 0x92, 0xe6, 0x5b, 0xe0, 0x88, 0x5f, 0x95 },
    { 0x10, 0x77, 0xef, 0xec, 0xc0, 0xb2, 0x4d, 0x02,
      0xac, 0xe3, 0x3c, 0x1e, 0x52, 0xe2, 0xfb, 0x4b },
    { 0x94, 0xce, 0x86, 0xfb, 0x07, 0xff, 0x4f, 0x43,
      0xad, 0xb8, 0x93, 0xd2, 0xfa, 0x96, 0x8c, 0xa2 }
};

static const char  *sluice_drm_uuids[] = {
    "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed",
    "9a04f079-9840-4286-ab92-e65be0885f95",
    "1077efec-c0b2-4d02-ace3-3c1e52e2fb4b",
    "94ce86fb-07ff-4f43-adb8-93d2fa968ca2"
};


static size_t sluice_drm_wrmheader(char *out, size_t size,
    const uint8_t pr_kid[SLUICE_DRM_KID_SIZE], const uint8_t *checksum,
    const char *la_url, const char *custom);
static size_t sluice_drm_base64(char *out, const uint8_t *in, size_t len);
static size_t sluice_drm_xml_escape(char *out, size_t size, const char *s);


const uint8_t *
sluice_drm_system_id(sluice_drm_system_t system)
{
    return sluice_drm_ids[system];
}


const char *
sluice_drm_system_uuid(sluice_drm_system_t system)
{
    return sluice_drm_uuids[system];
}


size_t
sluice_drm_widevine_data(uint8_t *out, const uint8_t kid[SLUICE_DRM_KID_SIZE],
    uint32_t scheme)
{
    uint8_t  *p;

    p = out;

    *p++ = 0x12;                    /* field 2 (key_id), length-delimited */
    *p++ = SLUICE_DRM_KID_SIZE;
    memcpy(p, kid, SLUICE_DRM_KID_SIZE);
    p += SLUICE_DRM_KID_SIZE;

    if (scheme != 0) {
        *p++ = 0x48;                /* field 9 (protection_scheme), varint */

        while (scheme >= 0x80) {
            *p++ = (uint8_t) (scheme | 0x80);
            scheme >>= 7;
        }

        *p++ = (uint8_t) scheme;
    }

    return p - out;
}


void
sluice_drm_playready_kid(uint8_t out[SLUICE_DRM_KID_SIZE],
    const uint8_t kid[SLUICE_DRM_KID_SIZE])
{
    out[0] = kid[3];
    out[1] = kid[2];
    out[2] = kid[1];
    out[3] = kid[0];
    out[4] = kid[5];
    out[5] = kid[4];
    out[6] = kid[7];
    out[7] = kid[6];
    memcpy(out + 8, kid + 8, 8);
}


size_t
sluice_drm_playready_pro(EVP_CIPHER_CTX *ctx, uint8_t *out,
    const uint8_t kid[SLUICE_DRM_KID_SIZE],
    const uint8_t key[SLUICE_DRM_KID_SIZE], int cbcs, const char *la_url,
    const char *custom)
{
    int       n;
    char      xml[2048];
    size_t    len, i, total;
    uint8_t   pr_kid[SLUICE_DRM_KID_SIZE], block[32];

    sluice_drm_playready_kid(pr_kid, kid);

    if (!cbcs) {
        /* CHECKSUM: AES-128-ECB of the PlayReady KID, first 8 bytes */

        if (EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, key, NULL) != 1
            || EVP_CIPHER_CTX_set_padding(ctx, 0) != 1
            || EVP_EncryptUpdate(ctx, block, &n, pr_kid, SLUICE_DRM_KID_SIZE)
               != 1
            || n != SLUICE_DRM_KID_SIZE)
        {
            return 0;
        }
    }

    len = sluice_drm_wrmheader(xml, sizeof(xml), pr_kid,
                               cbcs ? NULL : block, la_url, custom);
    if (len == 0) {
        return 0;
    }

    total = 10 + 2 * len;

    if (total > SLUICE_DRM_PRO_MAX) {
        return 0;
    }

    /* Length, RecordCount, RecordType 1, RecordLength: little-endian */

    out[0] = (uint8_t) total;
    out[1] = (uint8_t) (total >> 8);
    out[2] = (uint8_t) (total >> 16);
    out[3] = (uint8_t) (total >> 24);
    out[4] = 1;
    out[5] = 0;
    out[6] = 1;
    out[7] = 0;
    out[8] = (uint8_t) (2 * len);
    out[9] = (uint8_t) ((2 * len) >> 8);

    /* the XML is ASCII: UTF-16LE is each byte followed by a zero */

    for (i = 0; i < len; i++) {
        if ((unsigned char) xml[i] >= 0x80) {
            return 0;
        }

        out[10 + 2 * i] = (uint8_t) xml[i];
        out[11 + 2 * i] = 0;
    }

    return total;
}


static size_t
sluice_drm_wrmheader(char *out, size_t size,
    const uint8_t pr_kid[SLUICE_DRM_KID_SIZE], const uint8_t *checksum,
    const char *la_url, const char *custom)
{
    int     n;
    char    kid64[32], sum64[16], url[1024];
    size_t  len;

    sluice_drm_base64(kid64, pr_kid, SLUICE_DRM_KID_SIZE);

    if (la_url && la_url[0]) {
        if (sluice_drm_xml_escape(url, sizeof(url), la_url) == 0) {
            return 0;
        }

    } else {
        url[0] = '\0';
    }

#define SLUICE_DRM_WRM_NS                                                    \
    "<WRMHEADER xmlns=\"http://schemas.microsoft.com/DRM/2007/03/"          \
    "PlayReadyHeader\" "

    if (checksum) {
        sluice_drm_base64(sum64, checksum, 8);

        n = snprintf(out, size,
                     SLUICE_DRM_WRM_NS "version=\"4.0.0.0\"><DATA>"
                     "<PROTECTINFO><KEYLEN>16</KEYLEN><ALGID>AESCTR</ALGID>"
                     "</PROTECTINFO><KID>%s</KID><CHECKSUM>%s</CHECKSUM>",
                     kid64, sum64);

    } else {
        n = snprintf(out, size,
                     SLUICE_DRM_WRM_NS "version=\"4.3.0.0\"><DATA>"
                     "<PROTECTINFO><KIDS><KID ALGID=\"AESCBC\" VALUE=\"%s\">"
                     "</KID></KIDS></PROTECTINFO>", kid64);
    }

#undef SLUICE_DRM_WRM_NS

    if (n < 0 || (size_t) n >= size) {
        return 0;
    }

    len = n;

    n = snprintf(out + len, size - len, "%s%s%s%s%s%s</DATA></WRMHEADER>",
                 url[0] ? "<LA_URL>" : "", url, url[0] ? "</LA_URL>" : "",
                 custom && custom[0] ? "<CUSTOMATTRIBUTES>" : "",
                 custom && custom[0] ? custom : "",
                 custom && custom[0] ? "</CUSTOMATTRIBUTES>" : "");

    if (n < 0 || (size_t) n >= size - len) {
        return 0;
    }

    return len + n;
}


static size_t
sluice_drm_base64(char *out, const uint8_t *in, size_t len)
{
    int  n;

    n = EVP_EncodeBlock((unsigned char *) out, in, (int) len);

    return n < 0 ? 0 : (size_t) n;
}


static size_t
sluice_drm_xml_escape(char *out, size_t size, const char *s)
{
    size_t       len, n;
    const char  *e;

    len = 0;

    for ( /* void */ ; *s; s++) {
        switch (*s) {
        case '&':
            e = "&amp;";
            break;
        case '<':
            e = "&lt;";
            break;
        case '>':
            e = "&gt;";
            break;
        case '"':
            e = "&quot;";
            break;
        default:
            e = NULL;
        }

        n = e ? strlen(e) : 1;

        if (len + n >= size || (unsigned char) *s >= 0x80) {
            return 0;
        }

        if (e) {
            memcpy(out + len, e, n);

        } else {
            out[len] = *s;
        }

        len += n;
    }

    out[len] = '\0';

    return len ? len : 0;
}


size_t
sluice_drm_pssh_size(sluice_drm_system_t system, size_t data_len)
{
    if (system == SLUICE_DRM_COMMON) {
        return sluice_cenc_pssh_size(1, 0);
    }

    return sluice_cenc_pssh_size(0, data_len);
}


uint8_t *
sluice_drm_pssh_write(uint8_t *out, sluice_drm_system_t system,
    const uint8_t kid[SLUICE_DRM_KID_SIZE], const uint8_t *data,
    size_t data_len)
{
    if (system == SLUICE_DRM_COMMON) {
        return sluice_cenc_pssh_write(out, sluice_drm_ids[system], kid, 1,
                                      NULL, 0);
    }

    return sluice_cenc_pssh_write(out, sluice_drm_ids[system], NULL, 0, data,
                                  data_len);
}
