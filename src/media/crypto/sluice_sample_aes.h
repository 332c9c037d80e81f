
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Apple SAMPLE-AES for MPEG-TS segments (HLS METHOD=SAMPLE-AES; Apple,
 * "MPEG-2 Stream Encryption Format for HTTP Live Streaming", 2.2 H.264
 * and 2.3.2 AAC).  Each protected block is encrypted with AES-128 CBC, no
 * padding, the chain starting again from the segment's IV at every
 * protected block:
 *
 *   H.264  NAL units of type 1 and 5 only.  The nal_unit_type byte and
 *          the 31 bytes after it stay clear; then, while more than 16
 *          bytes remain, 16 bytes are encrypted and up to 144 left clear
 *          (1 block in 10).  The pattern runs over the NAL unit as
 *          stored, its emulation prevention bytes included; emulation
 *          prevention is then applied over the whole result (encrypted
 *          bytes may form 0x000001, clear ones gain a 0x03 after each
 *          0x0000), which the decryptors remove before they decrypt.  A
 *          NAL unit of 48 bytes or fewer stays clear.
 *   AAC    each frame (the ADTS header, written by the TS muxer, stays
 *          clear): 16 bytes clear, then every whole 16-byte block
 *          encrypted, a partial last block clear.
 *
 * The TS muxer signals the encryption in the PMT (sluice_ts.h).  The
 * caller owns the EVP_CIPHER_CTX, as in sluice_aes.h.
 */


#ifndef _SLUICE_SAMPLE_AES_H_INCLUDED_
#define _SLUICE_SAMPLE_AES_H_INCLUDED_


#include <openssl/evp.h>

#include "media/crypto/sluice_aes.h"


#define SLUICE_SAMPLE_AES_VIDEO_LEADER   32     /* type byte + 31 */
#define SLUICE_SAMPLE_AES_VIDEO_SKIP     144    /* clear after a block */
#define SLUICE_SAMPLE_AES_AUDIO_LEADER   16


/*
 * Sets the key of ctx for the calls below (AES-128 CBC, no padding);
 * they then only reset the IV.  SLUICE_ERROR when OpenSSL fails.
 */
sluice_status_t sluice_sample_aes_init(EVP_CIPHER_CTX *ctx,
    const uint8_t key[SLUICE_AES_KEY_SIZE]);

/*
 * An H.264 access unit in length-prefixed form (nal_length_size 1, 2 or
 * 4) into the same form with its slice NAL units encrypted; the lengths
 * are written again (emulation prevention may add bytes).  With out
 * NULL only *out_len is set: the size to allocate; then the same call
 * with out writes exactly that many bytes.  SLUICE_BAD_DATA when a NAL
 * length runs past len, SLUICE_UNSUPPORTED when an encrypted NAL unit
 * no longer fits its length field, SLUICE_ERROR when OpenSSL fails.
 */
sluice_status_t sluice_sample_aes_avc(EVP_CIPHER_CTX *ctx,
    const uint8_t iv[SLUICE_AES_BLOCK_SIZE], const uint8_t *in, size_t len,
    uint32_t nal_length_size, uint8_t *out, size_t *out_len);

/* an AAC frame (raw, no ADTS header) of len bytes, in place */
sluice_status_t sluice_sample_aes_aac(EVP_CIPHER_CTX *ctx,
    const uint8_t iv[SLUICE_AES_BLOCK_SIZE], uint8_t *frame, size_t len);


#endif /* _SLUICE_SAMPLE_AES_H_INCLUDED_ */
