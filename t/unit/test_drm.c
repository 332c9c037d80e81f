
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of src/media/crypto/sluice_drm.c against the vectors of
 * content-protection.md §12 (KID 00112233-4455-6677-8899-aabbccddeeff,
 * key 000102...0f): Widevine pssh data and box, the W3C common pssh,
 * the PlayReady KID byte order, CHECKSUM and Header Object; and a
 * PlayReady Header Object read back by a decoder written here from the
 * PlayReady Header Specification (lengths, record, UTF-16LE XML).
 */


#include <stdlib.h>
#include <string.h>

#include "media/crypto/sluice_drm.h"
#include "sluice_test.h"


#define CHECK(cond)  SL_CHECK(cond)


static EVP_CIPHER_CTX  *ctx;

static const uint8_t  kid[16] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
    0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff
};

static const uint8_t  key[16] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
    0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f
};


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


static void
b64(char *out, const uint8_t *in, size_t len)
{
    EVP_EncodeBlock((unsigned char *) out, in, (int) len);
}


static void
test_system_ids(void)
{
    uint8_t  want[16];

    hex(want, "edef8ba979d64acea3c827dcd51d21ed");
    SL_CHECK_MEM_EQ(sluice_drm_system_id(SLUICE_DRM_WIDEVINE), want, 16);
    hex(want, "9a04f07998404286ab92e65be0885f95");
    SL_CHECK_MEM_EQ(sluice_drm_system_id(SLUICE_DRM_PLAYREADY), want, 16);
    hex(want, "1077efecc0b24d02ace33c1e52e2fb4b");
    SL_CHECK_MEM_EQ(sluice_drm_system_id(SLUICE_DRM_COMMON), want, 16);
    CHECK(strcmp(sluice_drm_system_uuid(SLUICE_DRM_PLAYREADY),
                 "9a04f079-9840-4286-ab92-e65be0885f95") == 0);
}


static void
test_widevine(void)
{
    char     text[128];
    size_t   n, m;
    uint8_t  data[SLUICE_DRM_WIDEVINE_DATA_MAX], want[64], box[128];

    n = sluice_drm_widevine_data(data, kid, 0x63656e63);
    m = hex(want, "1210 00112233445566778899aabbccddeeff 48 e3dc959b06");
    SL_CHECK_UEQ(n, m);
    SL_CHECK_MEM_EQ(data, want, m);

    n = sluice_drm_widevine_data(data, kid, 0x63626373);
    m = hex(want, "1210 00112233445566778899aabbccddeeff 48 f3c6899b06");
    SL_CHECK_UEQ(n, m);
    SL_CHECK_MEM_EQ(data, want, m);

    /* no scheme: the KID alone */
    SL_CHECK_UEQ(sluice_drm_widevine_data(data, kid, 0), (size_t) 18);

    /* the whole v0 box of the reference */
    n = sluice_drm_widevine_data(data, kid, 0x63656e63);
    m = sluice_drm_pssh_size(SLUICE_DRM_WIDEVINE, n);
    SL_CHECK_UEQ(m, (size_t) 56);
    CHECK(sluice_drm_pssh_write(box, SLUICE_DRM_WIDEVINE, kid, data, n)
          == box + m);
    b64(text, box, m);
    SL_CHECK_STR_EQ(text, "AAAAOHBzc2gAAAAA7e+LqXnWSs6jyCfc1R0h7QAAABgSEAAR"
                          "IjNEVWZ3iJmqu8zd7v9I49yVmwY=");
}


static void
test_common(void)
{
    char     text[128];
    size_t   m;
    uint8_t  box[128];

    m = sluice_drm_pssh_size(SLUICE_DRM_COMMON, 0);
    SL_CHECK_UEQ(m, (size_t) 52);
    CHECK(sluice_drm_pssh_write(box, SLUICE_DRM_COMMON, kid, NULL, 0)
          == box + m);
    b64(text, box, m);
    SL_CHECK_STR_EQ(text, "AAAANHBzc2gBAAAAEHfv7MCyTQKs4zweUuL7SwAAAAEAESIz"
                          "RFVmd4iZqrvM3e7/AAAAAA==");
}


/*
 * A PlayReady Header Object decoder from the specification: Length (u32
 * LE) equals the size, RecordCount (u16 LE), then records of RecordType
 * (u16 LE), RecordLength (u16 LE) and that many bytes.  Returns the
 * type-1 record's XML narrowed from UTF-16LE (ASCII only), or NULL.
 */
static char *
pro_xml(const uint8_t *p, size_t size, char *xml, size_t xml_size)
{
    size_t    off, i, rlen;
    uint32_t  len;
    unsigned  count, type;

    if (size < 6) {
        return NULL;
    }

    len = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t) p[3] << 24;
    count = p[4] | p[5] << 8;

    if (len != size || count == 0) {
        return NULL;
    }

    for (off = 6; count--; off += rlen) {
        if (off + 4 > size) {
            return NULL;
        }

        type = p[off] | p[off + 1] << 8;
        rlen = p[off + 2] | p[off + 3] << 8;
        off += 4;

        if (off + rlen > size || rlen % 2) {
            return NULL;
        }

        if (type != 1) {
            continue;
        }

        if (rlen / 2 >= xml_size) {
            return NULL;
        }

        for (i = 0; i < rlen / 2; i++) {
            if (p[off + 2 * i + 1] != 0) {
                return NULL;
            }

            xml[i] = (char) p[off + 2 * i];
        }

        xml[i] = '\0';

        return xml;
    }

    return NULL;
}


static void
test_playready(void)
{
    char     text[64], xml[2048];
    size_t   n;
    uint8_t  pr[16], *pro, want[16], box[2048];

    sluice_drm_playready_kid(pr, kid);
    hex(want, "33221100554477668899aabbccddeeff");
    SL_CHECK_MEM_EQ(pr, want, 16);
    b64(text, pr, 16);
    SL_CHECK_STR_EQ(text, "MyIRAFVEd2aImaq7zN3u/w==");

    pro = malloc(SLUICE_DRM_PRO_MAX);
    if (pro == NULL) {
        CHECK(0);
        return;
    }

    n = sluice_drm_playready_pro(ctx, pro, kid, key, 0,
                                 "https://keys.example.com/PlayReady/", NULL);

    /* the reference's object: 622 bytes, 1 record of 612 bytes */
    SL_CHECK_UEQ(n, (size_t) 622);
    hex(want, "6e020000 0100 0100 6402");
    SL_CHECK_MEM_EQ(pro, want, 10);

    CHECK(pro_xml(pro, n, xml, sizeof(xml)) != NULL);
    SL_CHECK_STR_EQ(xml,
        "<WRMHEADER xmlns=\"http://schemas.microsoft.com/DRM/2007/03/"
        "PlayReadyHeader\" version=\"4.0.0.0\"><DATA><PROTECTINFO>"
        "<KEYLEN>16</KEYLEN><ALGID>AESCTR</ALGID></PROTECTINFO>"
        "<KID>MyIRAFVEd2aImaq7zN3u/w==</KID><CHECKSUM>KpOvXRLUXfs=</CHECKSUM>"
        "<LA_URL>https://keys.example.com/PlayReady/</LA_URL></DATA>"
        "</WRMHEADER>");

    /* its pssh box: 654 bytes */
    SL_CHECK_UEQ(sluice_drm_pssh_size(SLUICE_DRM_PLAYREADY, n), (size_t) 654);
    CHECK(sluice_drm_pssh_write(box, SLUICE_DRM_PLAYREADY, kid, pro, n)
          == box + 654);
    hex(want, "0000028e 70737368 00000000");
    SL_CHECK_MEM_EQ(box, want, 12);

    /* cbcs: 4.3.0.0, AESCBC, no checksum; an escaped URL, attributes */
    n = sluice_drm_playready_pro(ctx, pro, kid, key, 1, "https://k/?a=1&b=2",
                                 "<IIS_DRM_VERSION>8</IIS_DRM_VERSION>");
    CHECK(n > 0 && pro_xml(pro, n, xml, sizeof(xml)) != NULL);
    CHECK(strstr(xml, "version=\"4.3.0.0\"") != NULL);
    CHECK(strstr(xml, "<KID ALGID=\"AESCBC\" VALUE=\"MyIRAFVEd2aImaq7zN3u"
                      "/w==\"></KID>") != NULL);
    CHECK(strstr(xml, "CHECKSUM") == NULL);
    CHECK(strstr(xml, "<LA_URL>https://k/?a=1&amp;b=2</LA_URL>") != NULL);
    CHECK(strstr(xml, "<CUSTOMATTRIBUTES><IIS_DRM_VERSION>8"
                      "</IIS_DRM_VERSION></CUSTOMATTRIBUTES>") != NULL);

    /* no URL: no LA_URL; non-ASCII: refused */
    n = sluice_drm_playready_pro(ctx, pro, kid, key, 0, NULL, NULL);
    CHECK(n > 0 && pro_xml(pro, n, xml, sizeof(xml)) != NULL);
    CHECK(strstr(xml, "LA_URL") == NULL);
    SL_CHECK_UEQ(sluice_drm_playready_pro(ctx, pro, kid, key, 0,
                                          "https://k/\xc3\xa9", NULL),
                 (size_t) 0);

    free(pro);
}


int
main(void)
{
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        return 1;
    }

    SL_RUN(test_system_ids);
    SL_RUN(test_widevine);
    SL_RUN(test_common);
    SL_RUN(test_playready);

    EVP_CIPHER_CTX_free(ctx);

    return SL_DONE();
}
