
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Akamai signature header authentication ("G2O", ghost to origin), the
 * check behind a streaming endpoint's accessControl.akamai in AMS: the
 * CDN's edge signs each request it forwards with a key shared with the
 * origin,
 *
 *   X-Akamai-G2O-Auth-Data: {version}, {edge ip}, {client ip}, {time},
 *                           {unique id}, {nonce}
 *   X-Akamai-G2O-Auth-Sign: base64(HMAC(key, {data}{path}))
 *
 * version 3 HMAC-MD5, 4 HMAC-SHA1, 5 HMAC-SHA256; {time} in seconds since
 * the epoch; {nonce} names the key (AMS's identifier); {path} is the
 * request's path and query as sent.
 */


#ifndef _SLUICE_G2O_H_INCLUDED_
#define _SLUICE_G2O_H_INCLUDED_


#include "util/sluice_base.h"


/* how far {time} may be from the origin's clock, in seconds */
#define SLUICE_G2O_SKEW  30


typedef struct {
    const uint8_t      *id;         /* identifier: the nonce */
    size_t              id_len;
    const uint8_t      *key;        /* the key, decoded from base64Key */
    size_t              key_len;
    int64_t             expires;    /* seconds since the epoch; 0: never */
} sluice_g2o_key_t;


/*
 * SLUICE_OK when sign is the signature of data and path by a key of
 * keys[0..n) named by data's nonce, unexpired at now, with data's time
 * within SLUICE_G2O_SKEW of now; SLUICE_BAD_REQUEST otherwise, *reason
 * a static message.
 */
sluice_status_t sluice_g2o_verify(const uint8_t *data, size_t data_len,
    const uint8_t *sign, size_t sign_len, const uint8_t *path,
    size_t path_len, const sluice_g2o_key_t *keys, size_t n, int64_t now,
    const char **reason);

/*
 * A UTC date-time "YYYY-MM-DDTHH:MM:SS[.fff]Z" (as
 * sluice_iso8601_time_format() writes it) into seconds since the epoch.
 */
sluice_status_t sluice_g2o_time(const uint8_t *s, size_t len, int64_t *sec);


#endif /* _SLUICE_G2O_H_INCLUDED_ */
