
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Common Encryption (ISO/IEC 23001-7) of samples, in place, with
 * OpenSSL's EVP: the 'cenc' scheme (AES-128 CTR) and the 'cbcs' scheme
 * (AES-128 CBC, pattern encryption, constant IV), both with subsamples,
 * and the subsample map of AVC and HEVC samples.  The caller owns the
 * EVP_CIPHER_CTX, as in sluice_aes.h.
 *
 * A sample is a run of subsamples, each a clear range then a protected
 * range (the senc box's BytesOfClearData, BytesOfProtectedData); the
 * ranges cover the whole sample.  A sample encrypted without subsamples
 * (audio) is protected whole.
 */


#ifndef _SLUICE_CENC_H_INCLUDED_
#define _SLUICE_CENC_H_INCLUDED_


#include <openssl/evp.h>

#include "media/codec/sluice_slice.h"
#include "media/crypto/sluice_aes.h"


#define sluice_cenc_fourcc(a, b, c, d)                                        \
    (((uint32_t) (a) << 24) | ((uint32_t) (b) << 16)                          \
     | ((uint32_t) (c) << 8) | (uint32_t) (d))

#define SLUICE_CENC_SCHEME_CENC  sluice_cenc_fourcc('c', 'e', 'n', 'c')
#define SLUICE_CENC_SCHEME_CBCS  sluice_cenc_fourcc('c', 'b', 'c', 's')

#define SLUICE_CENC_MAX_CLEAR    0xffff  /* BytesOfClearData is 16 bits */

/*
 * clear_lead of sluice_cenc_nal_subsamples() (see sluice_cenc.c): 'cbcs'
 * uses its value for a slice whose header is not measured
 */
#define SLUICE_CENC_CENC_CLEAR_LEAD  0
#define SLUICE_CENC_CBCS_CLEAR_LEAD  31

/* pattern of 'cbcs' (crypt:skip blocks) */
#define SLUICE_CENC_VIDEO_CRYPT  1
#define SLUICE_CENC_VIDEO_SKIP   9
#define SLUICE_CENC_AUDIO_CRYPT  1
#define SLUICE_CENC_AUDIO_SKIP   0


typedef struct {
    uint32_t   clear;          /* at most SLUICE_CENC_MAX_CLEAR */
    uint32_t   protect;
} sluice_subsample_t;


/*
 * 'cenc': AES-128 CTR over the protected ranges of a sample, as one
 * keystream: the counter block is the IV (8 bytes: IV || 64-bit block
 * counter from 0; 16 bytes: the IV itself) and goes on from one
 * protected range to the next, mid-block included (23001-7 9.x: clear
 * ranges do not use keystream).  With nss 0 the whole sample is
 * protected.  The counter is incremented as a 128-bit big-endian number
 * (OpenSSL's CTR); with an 8-byte IV its low 64 bits start at 0 and never
 * carry into the IV.  SLUICE_BAD_DATA when the subsamples do not add up
 * to len or a clear range exceeds 16 bits, SLUICE_ERROR when OpenSSL
 * fails.
 */
sluice_status_t sluice_cenc_ctr_encrypt(EVP_CIPHER_CTX *ctx,
    const uint8_t key[SLUICE_AES_KEY_SIZE], const uint8_t *iv, size_t iv_size,
    uint8_t *data, size_t len, const sluice_subsample_t *ss, size_t nss);

/*
 * 'cbcs': AES-128 CBC pattern encryption (23001-7 9.6, 10.4).  In each
 * protected range, from its first byte, crypt 16-byte blocks are
 * encrypted then skip blocks left clear, and so on; a last run of fewer
 * than crypt whole blocks is encrypted, and a trailing partial block
 * (fewer than 16 bytes) stays clear.  The chain goes on through the
 * encrypted blocks of a range and starts again from the constant IV at
 * each range (subsample).  skip 0 is whole-block full encryption (every
 * whole block encrypted: audio, signalled with crypt 1 skip 0); video
 * uses crypt 1 skip 9.  With nss 0 the whole sample is one protected
 * range.  Errors as sluice_cenc_ctr_encrypt(); crypt 0 is
 * SLUICE_BAD_DATA.
 */
sluice_status_t sluice_cenc_cbcs_encrypt(EVP_CIPHER_CTX *ctx,
    const uint8_t key[SLUICE_AES_KEY_SIZE],
    const uint8_t iv[SLUICE_AES_BLOCK_SIZE], uint32_t crypt, uint32_t skip,
    uint8_t *data, size_t len, const sluice_subsample_t *ss, size_t nss);

/*
 * Add n to an IV of 8 or 16 bytes taken as a big-endian integer
 * (wrapping): the next sample's 'cenc' IV is the previous one plus 1
 * (8-byte IVs) or plus the blocks the previous sample used (16-byte IVs)
 * so that no counter block is used twice under one key.
 */
void sluice_cenc_iv_add(uint8_t *iv, size_t iv_size, uint64_t n);

/*
 * The subsample map of an AVC or HEVC sample in length-prefixed form
 * (nal_length_size 1, 2 or 4), written to ss (room for max entries),
 * their number to *nss.  Rules followed (see the comment in
 * sluice_cenc.c): every NAL unit that is not a slice (AVC types 1-5,
 * HEVC types 0-31) is clear; in a slice, the length field, the NAL unit
 * header and the slice header are clear, the rest protected.  With
 * slices (not NULL, 'cbcs'), the slice header is measured with its
 * parameter sets (and the SPS and PPS NAL units met are learnt); without
 * them, or when it cannot be measured, clear_lead bytes after the NAL
 * unit header stand for it.  For 'cenc' the protected range is cut to a
 * multiple of 16 bytes, the
 * remainder going to the clear range before it; a slice left with fewer
 * than 16 protected bytes is clear.  Clear bytes of several NAL units
 * are merged in one subsample, split when above 65535.
 * SLUICE_BAD_DATA when a NAL length runs past len, SLUICE_NO_MEMORY when
 * max is too small (sluice_cenc_subsamples_max() always suffices),
 * SLUICE_UNSUPPORTED for another codec or nal_length_size.
 */
sluice_status_t sluice_cenc_nal_subsamples(const uint8_t *data, size_t len,
    uint32_t codec, uint32_t nal_length_size, uint32_t scheme,
    size_t clear_lead, sluice_slice_params_t *slices, sluice_subsample_t *ss,
    size_t max, size_t *nss);

/* entries sluice_cenc_nal_subsamples() may need for len bytes */
size_t sluice_cenc_subsamples_max(size_t len);


#endif /* _SLUICE_CENC_H_INCLUDED_ */
