
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * What the key service reads of an AMS content key policy document:
 * the @odata.type of its options' configurations and restrictions, and
 * a token restriction (#Microsoft.Media.ContentKeyPolicyTokenRestriction)
 * as a sluice_token_restriction_t, its verification keys decoded.
 */


#ifndef _SLUICE_TOKEN_POLICY_H_INCLUDED_
#define _SLUICE_TOKEN_POLICY_H_INCLUDED_


#include "util/sluice_token.h"


/*
 * obj has the @odata.type "#Microsoft.Media.ContentKeyPolicy" + type
 * (compared case-insensitively), e.g. "ClearKeyConfiguration"
 */
int sluice_token_policy_is(const sluice_json_t *obj, const char *type);

/*
 * A TokenRestriction object into *r: restrictionTokenType Jwt or Swt,
 * issuer, audience, primaryVerificationKey then alternateVerificationKeys
 * (symmetric, RSA, X509; other types are skipped), requiredClaims.  The
 * key bytes are decoded into memory from a; r keeps pointers into the
 * JSON for the strings.  SLUICE_BAD_DATA when it is not a restriction
 * of that shape (the API validated it when it was stored).
 */
sluice_status_t sluice_token_policy_restriction(sluice_alloc_t *a,
    const sluice_json_t *restriction, sluice_token_restriction_t *r);


#endif /* _SLUICE_TOKEN_POLICY_H_INCLUDED_ */
