
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "keys/ngx_http_sluice_keys_policy.h"
#include "core/ngx_sluice_metrics.h"
#include "core/ngx_sluice_zone.h"
#include "util/sluice_json.h"
#include "util/sluice_token.h"
#include "util/sluice_token_policy.h"
#include "util/sluice_uuid.h"


static ngx_int_t ngx_http_sluice_keys_copy(ngx_http_sluice_keys_req_t *kr,
    ngx_http_sluice_key_t *key);
static ngx_int_t ngx_http_sluice_keys_options(ngx_http_sluice_keys_req_t *kr,
    ngx_http_sluice_key_t *key, sluice_json_t *options);
static sluice_token_result_t ngx_http_sluice_keys_token(
    ngx_http_sluice_keys_req_t *kr, ngx_http_sluice_key_t *key,
    sluice_json_t *restriction);
static void ngx_http_sluice_keys_refuse(ngx_http_sluice_keys_req_t *kr,
    ngx_http_sluice_key_t *key, ngx_uint_t reason, ngx_uint_t status,
    const char *code, const char *message);


ngx_int_t
ngx_http_sluice_keys_lookup(ngx_http_sluice_keys_req_t *kr)
{
    ngx_int_t         rc;
    ngx_uint_t        i;
    ngx_slab_pool_t  *shpool;

    shpool = kr->zctx->shpool;
    kr->now_ms = (int64_t) ngx_sluice_now_ms();
    rc = NGX_OK;

    ngx_shmtx_lock(&shpool->mutex);

    for (i = 0; i < kr->nkeys && rc == NGX_OK; i++) {
        rc = ngx_http_sluice_keys_copy(kr, &kr->keys[i]);
    }

    ngx_shmtx_unlock(&shpool->mutex);

    return rc;
}


/* mutex held: the key of a KID, its policy's name and document */

static ngx_int_t
ngx_http_sluice_keys_copy(ngx_http_sluice_keys_req_t *kr,
    ngx_http_sluice_key_t *key)
{
    ngx_pool_t        *pool;
    ngx_sluice_key_t  *k;
    ngx_sluice_res_t  *loc, *pol;

    pool = kr->request->pool;

    loc = ngx_sluice_locator_by_kid(kr->zctx->sh, key->kid, &k);
    if (loc == NULL) {
        return NGX_OK;
    }

    key->found = 1;
    key->inactive = (kr->now_ms < loc->f.start_ms
                     || kr->now_ms >= loc->f.end_ms);
    ngx_memcpy(key->value, k->value, NGX_SLUICE_KEY_LEN);

    key->policy.len = ngx_strlen(k->policy);
    key->policy.data = ngx_pnalloc(pool, key->policy.len + 1);

    if (key->policy.data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(key->policy.data, k->policy, key->policy.len);

    if (key->policy.len == 0) {
        return NGX_OK;
    }

    pol = ngx_sluice_res_find(kr->zctx->sh, NGX_SLUICE_RES_CONTENT_KEY_POLICY,
                              NULL, k->policy, key->policy.len);

    if (pol == NULL || pol->json == NULL) {
        return NGX_OK;
    }

    key->json.len = pol->json_len;
    key->json.data = ngx_pnalloc(pool, pol->json_len);

    if (key->json.data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(key->json.data, pol->json, pol->json_len);

    return NGX_OK;
}


ngx_int_t
ngx_http_sluice_keys_authorize(ngx_http_sluice_keys_req_t *kr,
    ngx_http_sluice_key_t *key)
{
    sluice_json_t  *doc, *props;

    if (!key->found) {
        ngx_http_sluice_keys_refuse(kr, key, NGX_SLUICE_MX_REFUSED_KEY,
                                    NGX_HTTP_NOT_FOUND,
                                    "ContentKeyNotFound",
                                    "No streaming locator has a content key "
                                    "with this KID.");
        return NGX_OK;
    }

    if (key->inactive) {
        ngx_http_sluice_keys_refuse(kr, key, NGX_SLUICE_MX_REFUSED_KEY,
                                    NGX_HTTP_NOT_FOUND,
                                    "StreamingLocatorNotActive",
                                    "The streaming locator of this content "
                                    "key is not active (its startTime or "
                                    "endTime).");
        return NGX_OK;
    }

    doc = NULL;

    if (key->json.len
        && sluice_json_parse(&kr->alloc, key->json.data, key->json.len,
                             &doc, NULL, NULL)
           != SLUICE_OK)
    {
        ngx_log_error(NGX_LOG_ALERT, kr->request->connection->log, 0,
                      "sluice key delivery: the stored document of content "
                      "key policy \"%V\" does not parse", &key->policy);
        return NGX_ERROR;
    }

    props = sluice_json_get(doc, "properties");

    if (props == NULL) {
        ngx_http_sluice_keys_refuse(kr, key, NGX_SLUICE_MX_REFUSED_POLICY,
                                    NGX_HTTP_FORBIDDEN,
                                    "ContentKeyPolicyNotFound",
                                    "The content key has no content key "
                                    "policy: it is not delivered.");
        return NGX_OK;
    }

    return ngx_http_sluice_keys_options(kr, key,
                                        sluice_json_get(props, "options"));
}


/* the ClearKey options in order; the first satisfied wins */

static ngx_int_t
ngx_http_sluice_keys_options(ngx_http_sluice_keys_req_t *kr,
    ngx_http_sluice_key_t *key, sluice_json_t *options)
{
    ngx_uint_t              tried;
    sluice_json_t          *opt, *rs;
    sluice_token_result_t   rc, best;

    tried = 0;
    best = SLUICE_TOKEN_OK;

    for (opt = options ? options->child : NULL; opt; opt = opt->next) {

        if (!sluice_token_policy_is(sluice_json_get(opt, "configuration"),
                                    "ClearKeyConfiguration"))
        {
            continue;
        }

        rs = sluice_json_get(opt, "restriction");

        if (sluice_token_policy_is(rs, "OpenRestriction")) {
            return NGX_OK;
        }

        if (!sluice_token_policy_is(rs, "TokenRestriction")) {
            continue;
        }

        rc = ngx_http_sluice_keys_token(kr, key, rs);

        if (rc == SLUICE_TOKEN_OK) {
            return NGX_OK;
        }

        if (rc == SLUICE_TOKEN_ERROR) {
            return NGX_ERROR;
        }

        if (tried++ == 0 || rc > best) {
            best = rc;
        }
    }

    if (tried == 0) {
        ngx_http_sluice_keys_refuse(kr, key, NGX_SLUICE_MX_REFUSED_POLICY,
                                    NGX_HTTP_FORBIDDEN,
                                    "NoClearKeyOption",
                                    "The content key policy has no ClearKey "
                                    "option this service could satisfy.");
        return NGX_OK;
    }

    ngx_http_sluice_keys_refuse(kr, key, NGX_SLUICE_MX_REFUSED_TOKEN,
                                best >= SLUICE_TOKEN_CLAIM_MISSING
                                ? NGX_HTTP_FORBIDDEN : NGX_HTTP_UNAUTHORIZED,
                                sluice_token_result_code(best),
                                sluice_token_result_text(best));
    return NGX_OK;
}


static sluice_token_result_t
ngx_http_sluice_keys_token(ngx_http_sluice_keys_req_t *kr,
    ngx_http_sluice_key_t *key, sluice_json_t *restriction)
{
    sluice_status_t              rc;
    sluice_token_restriction_t  *tr;

    if (kr->token.len == 0) {
        return SLUICE_TOKEN_MISSING;
    }

    tr = ngx_palloc(kr->request->pool, sizeof(sluice_token_restriction_t));
    if (tr == NULL) {
        return SLUICE_TOKEN_ERROR;
    }

    rc = sluice_token_policy_restriction(&kr->alloc, restriction, tr);

    if (rc == SLUICE_NO_MEMORY) {
        return SLUICE_TOKEN_ERROR;
    }

    if (rc != SLUICE_OK) {
        /* the API validated it: a file edited by hand, an older shape */
        ngx_log_error(NGX_LOG_ERR, kr->request->connection->log, 0,
                      "sluice key delivery: a token restriction of content "
                      "key policy \"%V\" is not usable", &key->policy);
        return SLUICE_TOKEN_SIGNATURE;
    }

    return sluice_token_verify(&kr->alloc, tr, kr->token.data,
                               kr->token.len, key->kid, ngx_time(),
                               kr->skew);
}


/*
 * A refusal is the client's business: logged at info, as nginx logs
 * client errors, without the request line (a token may be in its query)
 */

static void
ngx_http_sluice_keys_refuse(ngx_http_sluice_keys_req_t *kr,
    ngx_http_sluice_key_t *key, ngx_uint_t reason, ngx_uint_t status,
    const char *code, const char *message)
{
    u_char             kid[SLUICE_UUID_LEN];
    ngx_log_t          log;
    ngx_connection_t  *c;

    key->reason = reason;
    key->status = status;
    key->code = code;
    key->message = message;

    c = kr->request->connection;

    log = *c->log;
    log.handler = NULL;
    log.data = NULL;

    ngx_http_sluice_keys_kid_text(key->kid, kid);

    ngx_log_error(NGX_LOG_INFO, &log, 0,
                  "sluice key delivery: key %*s (policy \"%V\") refused "
                  "to %V: %ui %s", (size_t) SLUICE_UUID_LEN, kid,
                  &key->policy, &c->addr_text, status, code);
}


void
ngx_http_sluice_keys_kid_text(u_char *kid, u_char *out)
{
    ngx_uint_t  i;

    for (i = 0; i < NGX_SLUICE_KEY_LEN; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            *out++ = '-';
        }

        out = ngx_sprintf(out, "%02xd", kid[i]);
    }
}
