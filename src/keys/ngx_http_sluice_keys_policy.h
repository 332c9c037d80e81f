
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ngx_http_sluice_keys_policy.c: the content keys of a request looked up
 * by KID in the shared zone (the streaming locator holding each, its key
 * and the document of its content key policy copied out under the
 * mutex), then each key's policy applied outside the lock.
 */


#ifndef _NGX_HTTP_SLUICE_KEYS_POLICY_H_INCLUDED_
#define _NGX_HTTP_SLUICE_KEYS_POLICY_H_INCLUDED_


#include "keys/ngx_http_sluice_keys.h"


/* kr->keys[0..nkeys): found, value, policy, json; NGX_OK or NGX_ERROR */
ngx_int_t ngx_http_sluice_keys_lookup(ngx_http_sluice_keys_req_t *kr);

/*
 * Decides whether the request gets key: its status becomes 0, or the
 * status, code and message of the refusal (logged at info, without the
 * token).  NGX_ERROR: no memory.
 *
 * The options of the key's content key policy whose configuration is
 * ClearKey (AES-128 keys and ClearKey licences alike) are tried in
 * order; the first whose restriction is satisfied (Open, or a Token
 * restriction the request's token meets) wins.  None: 401 when the
 * token is missing or not authentic (signature, issuer, audience,
 * times), 403 when an authentic token does not grant this key (required
 * claims, content key identifier), explained by the option whose check
 * got furthest; 403 also when the policy has no ClearKey option or the
 * key has no policy; 404 when no locator has the KID, or when its
 * locator is not active (before its startTime, from its endTime on).
 */
ngx_int_t ngx_http_sluice_keys_authorize(ngx_http_sluice_keys_req_t *kr,
    ngx_http_sluice_key_t *key);

/* the KID as 8-4-4-4-12 lowercase hex, for logs (36 bytes, no NUL) */
void ngx_http_sluice_keys_kid_text(u_char *kid, u_char *out);


#endif /* _NGX_HTTP_SLUICE_KEYS_POLICY_H_INCLUDED_ */
