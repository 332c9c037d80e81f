
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Common Encryption of a stored fragment (styp + moof + mdat of one
 * track, sluice_cmaf.h): every sample encrypted (video: the subsamples of
 * sluice_cenc_nal_subsamples(); audio: whole samples), and the sample
 * auxiliary information added at the end of the traf:
 *
 *   moof                          size + added
 *     traf                        size + added
 *       tfhd, tfdt, trun...       as they were; trun data_offset + added
 *       [tfxd, ...]
 *       senc                      (PIFF: uuid a2394f52-5a9b-4f14-
 *                                 a244-6c427c648df4, same content)
 *       saiz                      after senc, before saio (FFmpeg 5.1
 *       saio                      refuses saio before saiz); saio's
 *                                 offset from the moof to the first IV
 *   mdat                          the samples, encrypted in place
 *
 * The traf's tfhd must not carry a base_data_offset (offsets are from the
 * moof: default-base-is-moof, or the first traf of a Smooth fragment).
 *
 * IVs are deterministic (same input, same bytes: caches and CDNs keep
 * working): the caller gives the first sample's IV ('cenc', 8 bytes, the
 * next sample's is one more) or the constant IV ('cbcs'), and
 * sluice_cenc_iv_derive() makes them from the key, the track and the
 * fragment's time.
 */


#ifndef _SLUICE_CENC_FRAGMENT_H_INCLUDED_
#define _SLUICE_CENC_FRAGMENT_H_INCLUDED_


#include "media/crypto/sluice_cenc_box.h"


/* bytes of a per-sample 'cenc' IV (tenc default_Per_Sample_IV_Size) */
#define SLUICE_CENC_IV_SIZE  8


typedef struct {
    uint32_t             scheme;        /* SLUICE_CENC_SCHEME_CENC, _CBCS */
    uint32_t             codec;         /* sluice_codec_t */
    uint32_t             nal_length_size;
    unsigned             piff:1;        /* PIFF 1.1 box instead of senc */
    uint8_t              key[SLUICE_AES_KEY_SIZE];

    /*
     * 'cbcs' video: the track's parameter sets, to measure slice headers
     * (sluice_slice_params_init() from the sample entry's record; its
     * counters tell how many were measured); NULL: clear lead only
     */
    sluice_slice_params_t  *slices;

    /* 'cenc': the first sample's IV (8 bytes); 'cbcs': the constant IV */
    uint8_t              iv[SLUICE_AES_BLOCK_SIZE];
} sluice_cenc_fragment_t;


/*
 * A deterministic IV (16 bytes; 'cenc' uses the first 8): the first
 * bytes of SHA-256("sluice-cenc-iv", scheme, key, track, time).  Per
 * track (a value the caller makes unique among the tracks sharing a key)
 * and fragment time for 'cenc' (8-byte IVs at random positions: fragments
 * of a key do not meet), per track for the 'cbcs' constant IV (time 0).
 * SLUICE_ERROR when OpenSSL fails.
 */
sluice_status_t sluice_cenc_iv_derive(const uint8_t key[SLUICE_AES_KEY_SIZE],
    uint32_t scheme, uint64_t track, uint64_t time,
    uint8_t iv[SLUICE_AES_BLOCK_SIZE]);

/*
 * The protected fragment of in[0..len): allocated from a with reserve
 * more bytes free at its end (room for boxes the caller adds), in *out
 * and *out_len (without the reserve).  SLUICE_BAD_DATA for a fragment
 * that does not parse or has sample encryption boxes already,
 * SLUICE_UNSUPPORTED for a tfhd base_data_offset, several trafs, a codec
 * without a subsample map, or a sample of more than 40 subsamples with
 * an 8-byte IV (saiz sizes are 8 bits); SLUICE_NO_MEMORY, SLUICE_ERROR
 * (OpenSSL).
 */
sluice_status_t sluice_cenc_fragment_encrypt(EVP_CIPHER_CTX *ctx,
    const sluice_cenc_fragment_t *cf, const uint8_t *in, size_t len,
    size_t reserve, sluice_alloc_t *a, uint8_t **out, size_t *out_len);


#endif /* _SLUICE_CENC_FRAGMENT_H_INCLUDED_ */
