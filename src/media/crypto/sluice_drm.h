
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * DRM signalling data (no licences): the system IDs of the DRM systems
 * Sluice signals, Widevine's pssh data (a WidevinePsshData protobuf with
 * the KID and the protection scheme), the PlayReady Header Object
 * (PlayReady Header Specification: a little-endian record list holding
 * the WRMHEADER XML in UTF-16LE) and a whole pssh box of each system.
 */


#ifndef _SLUICE_DRM_H_INCLUDED_
#define _SLUICE_DRM_H_INCLUDED_


#include <openssl/evp.h>

#include "media/sluice_media.h"


#define SLUICE_DRM_KID_SIZE      16

/* the largest PlayReady Header Object sluice_drm_playready_pro() makes */
#define SLUICE_DRM_PRO_MAX       (10 + 2 * 2048)


typedef enum {
    SLUICE_DRM_WIDEVINE = 0,
    SLUICE_DRM_PLAYREADY,
    SLUICE_DRM_COMMON,          /* W3C common PSSH: ClearKey */
    SLUICE_DRM_FAIRPLAY
} sluice_drm_system_t;


/* 16 bytes of the system ID */
const uint8_t *sluice_drm_system_id(sluice_drm_system_t system);

/* "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed" etc. (lower case) */
const char *sluice_drm_system_uuid(sluice_drm_system_t system);

/*
 * Widevine pssh data: key_id (field 2) and, unless scheme is 0,
 * protection_scheme (field 9): the big-endian value of the FourCC
 * ("cenc" 0x63656e63, "cbcs" 0x63626373).
 * out must hold SLUICE_DRM_WIDEVINE_DATA_MAX bytes; returns the length.
 */
#define SLUICE_DRM_WIDEVINE_DATA_MAX  (2 + SLUICE_DRM_KID_SIZE + 1 + 5)

size_t sluice_drm_widevine_data(uint8_t *out,
    const uint8_t kid[SLUICE_DRM_KID_SIZE], uint32_t scheme);

/*
 * KID in the GUID byte order PlayReady uses: the first three fields
 * little-endian, the last 8 bytes as they are.
 */
void sluice_drm_playready_kid(uint8_t out[SLUICE_DRM_KID_SIZE],
    const uint8_t kid[SLUICE_DRM_KID_SIZE]);

/*
 * The PlayReady Header Object of a key: WRMHEADER 4.0.0.0 with AESCTR,
 * KID and CHECKSUM (the first 8 bytes of AES-128-ECB(key, PlayReady
 * KID)) for cenc (cbcs 0); 4.3.0.0 with an AESCBC KID and no checksum
 * for cbcs (cbcs 1).  la_url (may be NULL) becomes LA_URL, XML-escaped;
 * custom (may be NULL) is put as CUSTOMATTRIBUTES' content as it is;
 * both must be ASCII.
 * out holds SLUICE_DRM_PRO_MAX bytes; returns the length, 0 when the
 * header would not fit or OpenSSL failed (ctx: a caller's EVP context).
 */
size_t sluice_drm_playready_pro(EVP_CIPHER_CTX *ctx, uint8_t *out,
    const uint8_t kid[SLUICE_DRM_KID_SIZE],
    const uint8_t key[SLUICE_DRM_KID_SIZE], int cbcs, const char *la_url,
    const char *custom);

/*
 * A whole pssh box of system with the data given: version 0 for
 * Widevine and PlayReady, version 1 with the KID and no data for the
 * common system.  out holds sluice_drm_pssh_size(); returns its end.
 */
size_t sluice_drm_pssh_size(sluice_drm_system_t system, size_t data_len);
uint8_t *sluice_drm_pssh_write(uint8_t *out, sluice_drm_system_t system,
    const uint8_t kid[SLUICE_DRM_KID_SIZE], const uint8_t *data,
    size_t data_len);


#endif /* _SLUICE_DRM_H_INCLUDED_ */
