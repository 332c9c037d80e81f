
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * SRT's encryption, as a receiver: the key material of a KMREQ (its keys
 * wrapped, RFC 3394, with a key derived from the passphrase by
 * PBKDF2-HMAC-SHA1 over the salt's last 8 bytes, 2048 rounds) installs
 * the even and the odd stream key; each data packet is then AES-CTR
 * decrypted in place, its counter the salt's first 112 bits XOR the
 * packet's sequence number at bytes 10 to 13.  OpenSSL does the work.
 */


#ifndef _SLUICE_SRT_CRYPTO_H_INCLUDED_
#define _SLUICE_SRT_CRYPTO_H_INCLUDED_


#include "util/sluice_base.h"
#include "util/sluice_srt_packet.h"


typedef struct sluice_srt_crypto_s  sluice_srt_crypto_t;


sluice_srt_crypto_t *sluice_srt_crypto_create(void);
void sluice_srt_crypto_free(sluice_srt_crypto_t *c);

/*
 * The keys of km installed: SLUICE_OK, SLUICE_BAD_DATA (the passphrase
 * does not unwrap them), SLUICE_ERROR (OpenSSL failed)
 */
sluice_status_t sluice_srt_crypto_set(sluice_srt_crypto_t *c,
    const sluice_srt_km_t *km, const uint8_t *pass, size_t pass_len);

/* kk: the packet's key (1 even, 2 odd); SLUICE_BAD_DATA: no such key */
sluice_status_t sluice_srt_crypto_decrypt(sluice_srt_crypto_t *c,
    unsigned kk, uint32_t seq, uint8_t *p, size_t len);


#endif /* _SLUICE_SRT_CRYPTO_H_INCLUDED_ */
