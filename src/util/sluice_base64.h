
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Base64 (RFC 4648 §4) and base64url (§5) without nginx: token parts
 * and signatures (JWT, SWT), verification keys of content key policies,
 * ClearKey KIDs and keys.
 */


#ifndef _SLUICE_BASE64_H_INCLUDED_
#define _SLUICE_BASE64_H_INCLUDED_


#include "util/sluice_base.h"


/* the most bytes len characters decode to; the length of an encoding */
#define sluice_base64_decoded_len(len)  (((len) + 3) / 4 * 3)
#define sluice_base64_encoded_len(len)  (((len) + 2) / 3 * 4)


/*
 * Decodes s[0..len) into out (sluice_base64_decoded_len(len) bytes) and
 * sets *n.  Standard alphabet ("+/"), or with url set the URL alphabet
 * ("-_").  Padding "=" is optional, but when present it must complete
 * the last group.  SLUICE_BAD_DATA otherwise.
 */
sluice_status_t sluice_base64_decode(const uint8_t *s, size_t len,
    uint8_t *out, size_t *n, int url);

/*
 * Encodes src[0..len) into out; standard with padding, or with url set
 * the URL alphabet without padding.  Returns the length written.
 */
size_t sluice_base64_encode(const uint8_t *src, size_t len, uint8_t *out,
    int url);


#endif /* _SLUICE_BASE64_H_INCLUDED_ */
