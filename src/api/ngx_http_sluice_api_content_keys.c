
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Content keys of streaming policies and streaming locators.
 *
 * A policy's encryption blocks (envelopeEncryption, commonEncryptionCenc,
 * commonEncryptionCbcs) each ask for a default key and one key per
 * keyToTrackMappings entry; tracks are chosen by FourCC (a condition
 * "FourCC Equal"), the only track property Sluice supports.  A key's
 * label is its defaultKey/mapping label; a default key without one is
 * labelled aesDefaultKey, cencDefaultKey or cbcsDefaultKey (the labels
 * of the AMS examples, also those of the predefined policies).
 *
 * A locator's keys are given (contentKeys, matched by
 * labelReferenceInStreamingPolicy: id required, value optional) or made
 * here: a random value and a random version 4 UUID as KID, both from
 * OpenSSL's RAND_bytes().  They are stored with the locator's document
 * (values included: the file is readable by the nginx user only) and in
 * f.keys, one entry per FourCC of a mapping (the same KID and value);
 * GET and list responses show them without value and policyName, as AMS
 * does; listContentKeys (the locator's file) shows them whole.  A value
 * never goes into a message or a log line.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <openssl/rand.h>

#include "api/ngx_http_sluice_api_content_keys.h"
#include "util/sluice_uuid.h"


#define NGX_HTTP_SLUICE_CK_LABEL_LEN  260


const char  *ngx_http_sluice_ck_block[NGX_SLUICE_SCHEME_N] = {
    "noEncryption", "envelopeEncryption", "commonEncryptionCenc",
    "commonEncryptionCbcs"
};


const char  *ngx_http_sluice_ck_type[NGX_SLUICE_SCHEME_N] = {
    "NoEncryption", "EnvelopeEncryption", "CommonEncryptionCenc",
    "CommonEncryptionCbcs"
};


static const char  *ngx_http_sluice_ck_label[NGX_SLUICE_SCHEME_N] = {
    "", "aesDefaultKey", "cencDefaultKey", "cbcsDefaultKey"
};


#define ngx_http_sluice_ck_bad(...)                                          \
    ngx_http_sluice_res_bad(&b->err, __VA_ARGS__)


/* --- track selections -------------------------------------------------- */

/* one TrackSelection: {"trackSelections":[{FourCC, Equal, value}]} */

static ngx_int_t
ngx_http_sluice_ck_fourcc(ngx_http_sluice_res_build_t *b, sluice_json_t *t,
    const char *where, uint32_t *fourcc)
{
    ngx_uint_t      i;
    sluice_json_t  *s, *c, *v;

    s = sluice_json_get(t, "trackSelections");

    if (t->type != SLUICE_JSON_OBJECT || s == NULL
        || s->type != SLUICE_JSON_ARRAY || s->count != 1
        || s->child->type != SLUICE_JSON_OBJECT)
    {
        ngx_http_sluice_ck_bad("%s: each entry needs a trackSelections array "
                               "of one condition (FourCC Equal).", where);
    }

    c = s->child;

    if (!sluice_json_str_eq(sluice_json_get(c, "property"), "FourCC")
        || !sluice_json_str_eq(sluice_json_get(c, "operation"), "Equal"))
    {
        ngx_http_sluice_ck_bad("%s: only conditions with property FourCC and "
                               "operation Equal are supported.", where);
    }

    v = sluice_json_get(c, "value");

    if (v == NULL || v->type != SLUICE_JSON_STRING || v->str.len != 4) {
        ngx_http_sluice_ck_bad("%s: a FourCC value is 4 characters, like "
                               "avc1 or hev1.", where);
    }

    *fourcc = 0;

    for (i = 0; i < 4; i++) {
        if (v->str.data[i] < 0x20 || v->str.data[i] > 0x7e) {
            ngx_http_sluice_ck_bad("%s: a FourCC value is 4 printable "
                                   "characters.", where);
        }

        *fourcc = (*fourcc << 8) | v->str.data[i];
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_sluice_ck_tracks(ngx_http_sluice_res_build_t *b, sluice_json_t *v,
    const char *where, uint32_t *fourcc, ngx_uint_t max, ngx_uint_t *n)
{
    uint32_t        cc;
    ngx_int_t       rc;
    ngx_uint_t      i;
    sluice_json_t  *t;

    *n = 0;

    if (ngx_http_sluice_absent(v)) {
        return NGX_OK;
    }

    if (v->type != SLUICE_JSON_ARRAY) {
        ngx_http_sluice_ck_bad("%s must be an array of track selections.",
                               where);
    }

    for (t = v->child; t; t = t->next) {
        rc = ngx_http_sluice_ck_fourcc(b, t, where, &cc);
        if (rc != NGX_OK) {
            return rc;
        }

        for (i = 0; i < *n && fourcc[i] != cc; i++) { /* void */ }

        if (i < *n) {
            continue;
        }

        if (*n == max) {
            ngx_http_sluice_ck_bad("%s: at most %ui different FourCCs.",
                                   where, max);
        }

        fourcc[(*n)++] = cc;
    }

    return NGX_OK;
}


/* --- the keys a policy asks for ------------------------------------------ */

/* label and policyName of a defaultKey or a mapping (o may be absent) */

static ngx_int_t
ngx_http_sluice_ck_names(ngx_http_sluice_res_build_t *b, sluice_json_t *o,
    const char *where, ngx_http_sluice_ck_slot_t *slot)
{
    sluice_json_t  *v;

    if (!ngx_http_sluice_absent(o) && o->type != SLUICE_JSON_OBJECT) {
        ngx_http_sluice_ck_bad("%s must be an object.", where);
    }

    v = sluice_json_get(o, "label");

    if (!ngx_http_sluice_absent(v)) {
        if (v->type != SLUICE_JSON_STRING || v->str.len == 0
            || v->str.len > NGX_HTTP_SLUICE_CK_LABEL_LEN)
        {
            ngx_http_sluice_ck_bad("%s.label must be a string of 1 to %d "
                                   "characters.", where,
                                   NGX_HTTP_SLUICE_CK_LABEL_LEN);
        }

        slot->label.data = (u_char *) v->str.data;
        slot->label.len = v->str.len;
    }

    v = sluice_json_get(o, "policyName");

    if (!ngx_http_sluice_absent(v)) {
        if (v->type != SLUICE_JSON_STRING || v->str.len == 0
            || v->str.len > NGX_SLUICE_RES_NAME_LEN)
        {
            ngx_http_sluice_ck_bad("%s.policyName must be a content key "
                                   "policy name.", where);
        }

        slot->policy.data = (u_char *) v->str.data;
        slot->policy.len = v->str.len;
    }

    return NGX_OK;
}


/* the keyToTrackMappings of a scheme */

static ngx_int_t
ngx_http_sluice_ck_mappings(ngx_http_sluice_res_build_t *b,
    sluice_json_t *m, ngx_uint_t scheme, ngx_http_sluice_ck_plan_t *plan)
{
    ngx_int_t                   rc;
    ngx_http_sluice_ck_slot_t  *slot;

    static const char  *where = "contentKeys.keyToTrackMappings[]";

    if (ngx_http_sluice_absent(m)) {
        return NGX_OK;
    }

    if (m->type != SLUICE_JSON_ARRAY) {
        ngx_http_sluice_ck_bad("contentKeys.keyToTrackMappings must be an "
                               "array.");
    }

    for (m = m->child; m; m = m->next) {
        if (plan->n == NGX_SLUICE_MAX_KEYS) {
            ngx_http_sluice_ck_bad("A streaming policy can ask for at most "
                                   "%d content keys.", NGX_SLUICE_MAX_KEYS);
        }

        slot = &plan->slot[plan->n++];
        ngx_memzero(slot, sizeof(ngx_http_sluice_ck_slot_t));
        slot->scheme = scheme;

        if (m->type != SLUICE_JSON_OBJECT) {
            ngx_http_sluice_ck_bad("%s must be an object.", where);
        }

        rc = ngx_http_sluice_ck_names(b, m, where, slot);
        if (rc != NGX_OK) {
            return rc;
        }

        if (slot->label.len == 0) {
            ngx_http_sluice_ck_bad("%s.label is required: a locator's "
                                   "contentKeys refer to it.", where);
        }

        slot->tracks = sluice_json_get(m, "tracks");

        rc = ngx_http_sluice_ck_tracks(b, slot->tracks,
                                       "contentKeys.keyToTrackMappings[]"
                                       ".tracks", slot->fourcc,
                                       NGX_SLUICE_MAX_KEYS, &slot->nfourcc);
        if (rc != NGX_OK) {
            return rc;
        }

        if (slot->nfourcc == 0) {
            ngx_http_sluice_ck_bad("%s.tracks is required: the tracks "
                                   "(FourCC Equal) that use the key.", where);
        }
    }

    return NGX_OK;
}


/* no two keys with one label; at most NGX_SLUICE_MAX_KEYS f.keys */

static ngx_int_t
ngx_http_sluice_ck_plan_check(ngx_http_sluice_res_build_t *b,
    ngx_http_sluice_ck_plan_t *plan)
{
    ngx_uint_t                  i, j, entries;
    ngx_http_sluice_ck_slot_t  *s;

    entries = 0;

    for (i = 0; i < plan->n; i++) {
        s = &plan->slot[i];
        entries += s->nfourcc ? s->nfourcc : 1;

        for (j = 0; j < i; j++) {
            if (plan->slot[j].label.len == s->label.len
                && ngx_strncmp(plan->slot[j].label.data, s->label.data,
                               s->label.len) == 0)
            {
                ngx_http_sluice_ck_bad("Content key label '%V' is used "
                                       "twice: labels name a locator's keys "
                                       "and must differ.", &s->label);
            }
        }
    }

    if (entries > NGX_SLUICE_MAX_KEYS) {
        ngx_http_sluice_ck_bad("A streaming policy can ask for at most %d "
                               "content keys (a default key per scheme, one "
                               "per FourCC of keyToTrackMappings).",
                               NGX_SLUICE_MAX_KEYS);
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_sluice_ck_plan(ngx_http_sluice_res_build_t *b, sluice_json_t *props,
    ngx_http_sluice_ck_plan_t *plan)
{
    ngx_int_t                   rc;
    ngx_uint_t                  scheme;
    sluice_json_t              *blk, *ck, *v;
    ngx_http_sluice_ck_slot_t  *slot;

    ngx_memzero(plan, sizeof(ngx_http_sluice_ck_plan_t));

    v = sluice_json_get(props, "defaultContentKeyPolicyName");

    if (v && v->type == SLUICE_JSON_STRING) {
        plan->policy.data = (u_char *) v->str.data;
        plan->policy.len = v->str.len;
    }

    for (scheme = NGX_SLUICE_SCHEME_ENVELOPE;
         scheme < NGX_SLUICE_SCHEME_N;
         scheme++)
    {
        blk = sluice_json_get(props, ngx_http_sluice_ck_block[scheme]);

        if (ngx_http_sluice_absent(blk)) {
            continue;
        }

        ck = sluice_json_get(blk, "contentKeys");

        if (!ngx_http_sluice_absent(ck) && ck->type != SLUICE_JSON_OBJECT) {
            ngx_http_sluice_ck_bad("properties.%s.contentKeys must be an "
                                   "object.",
                                   ngx_http_sluice_ck_block[scheme]);
        }

        slot = &plan->slot[plan->n++];
        ngx_memzero(slot, sizeof(ngx_http_sluice_ck_slot_t));
        slot->scheme = scheme;

        rc = ngx_http_sluice_ck_names(b, sluice_json_get(ck, "defaultKey"),
                                      "contentKeys.defaultKey", slot);
        if (rc != NGX_OK) {
            return rc;
        }

        if (slot->label.len == 0) {
            slot->label.data = (u_char *) ngx_http_sluice_ck_label[scheme];
            slot->label.len = ngx_strlen(slot->label.data);
        }

        rc = ngx_http_sluice_ck_mappings(b,
                                   sluice_json_get(ck, "keyToTrackMappings"),
                                   scheme, plan);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    return ngx_http_sluice_ck_plan_check(b, plan);
}


/* --- a locator's keys ---------------------------------------------------- */

ngx_int_t
ngx_http_sluice_ck_kid(u_char *text, size_t len, u_char *kid)
{
    u_char      c, d;
    ngx_uint_t  i, n;

    if (!sluice_uuid_valid(text, len)) {
        return NGX_ERROR;
    }

    n = 0;

    for (i = 0; i < len; i++) {
        c = text[i];

        if (c == '-') {
            continue;
        }

        c |= 0x20;
        d = (c >= 'a') ? c - 'a' + 10 : c - '0';

        if (n & 1) {
            kid[n / 2] |= d;

        } else {
            kid[n / 2] = d << 4;
        }

        n++;
    }

    return NGX_OK;
}


u_char *
ngx_http_sluice_ck_kid_text(u_char *p, u_char *kid)
{
    ngx_uint_t  i;

    /* not sluice_uuid_format(): it would set version bits of a given id */

    for (i = 0; i < NGX_SLUICE_KEY_LEN; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            *p++ = '-';
        }

        p = ngx_hex_dump(p, &kid[i], 1);
    }

    return p;
}


static ngx_int_t
ngx_http_sluice_ck_random(ngx_http_sluice_res_build_t *b, u_char *buf,
    size_t n)
{
    if (RAND_bytes(buf, (int) n) != 1) {
        ngx_log_error(NGX_LOG_ALERT, ngx_cycle->log, 0,
                      "sluice: RAND_bytes() failed: no content key made");
        ngx_http_sluice_res_fail(&b->err, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                 "InternalError",
                                 "No random bytes for a content key.");
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/* the label matched by a given contentKeys entry: match[slot] = e */

static ngx_int_t
ngx_http_sluice_ck_match(ngx_http_sluice_res_build_t *b,
    ngx_http_sluice_ck_plan_t *plan, sluice_json_t *e, sluice_json_t **match)
{
    ngx_uint_t      i;
    sluice_json_t  *l;

    if (e->type != SLUICE_JSON_OBJECT) {
        ngx_http_sluice_ck_bad("properties.contentKeys entries must be "
                               "objects.");
    }

    l = sluice_json_get(e, "labelReferenceInStreamingPolicy");

    if (ngx_http_sluice_absent(l)) {
        if (plan->n != 1) {
            ngx_http_sluice_ck_bad("properties.contentKeys[]."
                                   "labelReferenceInStreamingPolicy is "
                                   "required: streaming policy '%s' has %ui "
                                   "keys.", b->f.policy, plan->n);
        }

        i = 0;

    } else {
        if (l->type != SLUICE_JSON_STRING) {
            ngx_http_sluice_ck_bad("properties.contentKeys[]."
                                   "labelReferenceInStreamingPolicy must be "
                                   "a string.");
        }

        for (i = 0; i < plan->n; i++) {
            if (plan->slot[i].label.len == l->str.len
                && ngx_strncmp(plan->slot[i].label.data, l->str.data,
                               l->str.len) == 0)
            {
                break;
            }
        }

        if (i == plan->n) {
            ngx_http_sluice_ck_bad("properties.contentKeys: label '%*s' is "
                                   "not a key of streaming policy '%s'.",
                                   ngx_min(l->str.len, 64), l->str.data,
                                   b->f.policy);
        }
    }

    if (match[i]) {
        ngx_http_sluice_ck_bad("properties.contentKeys: key '%V' is given "
                               "twice.", &plan->slot[i].label);
    }

    match[i] = e;

    return NGX_OK;
}


/* kid and value: given (e), stored (e, at load), or new */

static ngx_int_t
ngx_http_sluice_ck_material(ngx_http_sluice_res_build_t *b,
    ngx_http_sluice_ck_slot_t *slot, sluice_json_t *e, u_char *kid,
    u_char *value)
{
    u_char          buf[NGX_SLUICE_KEY_LEN + 4];
    ngx_int_t       rc;
    ngx_str_t       src, dst;
    sluice_json_t  *v;

    if (e == NULL) {
        if (b->load) {
            ngx_http_sluice_ck_bad("content key '%V' is not in the stored "
                                   "document.", &slot->label);
        }

        rc = ngx_http_sluice_ck_random(b, kid, NGX_SLUICE_KEY_LEN);

        if (rc == NGX_OK) {
            kid[6] = (kid[6] & 0x0f) | 0x40;    /* a version 4 UUID */
            kid[8] = (kid[8] & 0x3f) | 0x80;
            rc = ngx_http_sluice_ck_random(b, value, NGX_SLUICE_KEY_LEN);
        }

        return rc;
    }

    v = sluice_json_get(e, "id");

    if (v == NULL || v->type != SLUICE_JSON_STRING
        || ngx_http_sluice_ck_kid((u_char *) v->str.data, v->str.len, kid)
           != NGX_OK)
    {
        ngx_http_sluice_ck_bad("properties.contentKeys[].id (key '%V') is "
                               "required and must be a UUID.", &slot->label);
    }

    v = sluice_json_get(e, "value");

    if (ngx_http_sluice_absent(v)) {
        if (b->load) {
            ngx_http_sluice_ck_bad("content key '%V' has no stored value.",
                                   &slot->label);
        }

        return ngx_http_sluice_ck_random(b, value, NGX_SLUICE_KEY_LEN);
    }

    src.data = (u_char *) v->str.data;
    src.len = v->str.len;
    dst.data = buf;

    if (v->type != SLUICE_JSON_STRING
        || ngx_base64_decoded_length(src.len) > sizeof(buf)
        || ngx_decode_base64(&dst, &src) != NGX_OK
        || dst.len != NGX_SLUICE_KEY_LEN)
    {
        ngx_explicit_memzero(buf, sizeof(buf));
        ngx_http_sluice_ck_bad("properties.contentKeys[].value (key '%V') "
                               "must be the base64 of 16 bytes.",
                               &slot->label);
    }

    ngx_memcpy(value, buf, NGX_SLUICE_KEY_LEN);
    ngx_explicit_memzero(buf, sizeof(buf));

    return NGX_OK;
}


/* the content key policy of a key: its own, the locator's, the policy's */

static ngx_int_t
ngx_http_sluice_ck_policy(ngx_http_sluice_res_build_t *b,
    sluice_json_t *props, ngx_http_sluice_ck_plan_t *plan,
    ngx_http_sluice_ck_slot_t *slot, ngx_str_t *name)
{
    sluice_json_t  *v;

    *name = slot->policy;

    if (name->len == 0) {
        v = sluice_json_get(props, "defaultContentKeyPolicyName");

        if (v && v->type == SLUICE_JSON_STRING) {
            name->data = (u_char *) v->str.data;
            name->len = v->str.len;
        }
    }

    if (name->len == 0) {
        *name = plan->policy;
    }

    if (name->len == 0) {
        ngx_http_sluice_res_refuse(&b->err, NGX_HTTP_BAD_REQUEST,
                                   "BadRequest",
                                   "Content key '%V' (%s) has no content key "
                                   "policy: set defaultContentKeyPolicyName "
                                   "of the streaming locator.", &slot->label,
                                   ngx_http_sluice_ck_type[slot->scheme]);
    }

    if (name->len > NGX_SLUICE_RES_NAME_LEN) {
        ngx_http_sluice_ck_bad("Content key policy names have at most %d "
                               "characters.", NGX_SLUICE_RES_NAME_LEN);
    }

    return NGX_OK;
}


/* the f.keys entries of a key: one, or one per FourCC of its tracks */

static ngx_int_t
ngx_http_sluice_ck_entries(ngx_http_sluice_res_build_t *b,
    ngx_http_sluice_ck_slot_t *slot, u_char *kid, u_char *value,
    ngx_str_t *policy)
{
    ngx_uint_t         i, n;
    ngx_sluice_key_t  *k;

    for (i = 0; i < b->f.nkeys; i++) {
        if (ngx_memcmp(b->f.keys[i].kid, kid, NGX_SLUICE_KEY_LEN) == 0) {
            ngx_http_sluice_ck_bad("properties.contentKeys: two keys have "
                                   "the id of key '%V'.", &slot->label);
        }
    }

    n = slot->nfourcc ? slot->nfourcc : 1;

    for (i = 0; i < n; i++) {
        k = &b->f.keys[b->f.nkeys++];

        ngx_memcpy(k->kid, kid, NGX_SLUICE_KEY_LEN);
        ngx_memcpy(k->value, value, NGX_SLUICE_KEY_LEN);
        k->scheme = slot->scheme;
        k->fourcc = slot->nfourcc ? slot->fourcc[i] : 0;
        ngx_memcpy(k->policy, policy->data, policy->len);
        k->policy[policy->len] = '\0';
    }

    return NGX_OK;
}


/* one key of a locator: {id, type, label, value, policyName, tracks} */

static ngx_int_t
ngx_http_sluice_ck_key(ngx_http_sluice_res_build_t *b, sluice_json_t *props,
    ngx_http_sluice_ck_plan_t *plan, ngx_http_sluice_ck_slot_t *slot,
    sluice_json_t *given, sluice_json_t *arr)
{
    u_char           kid[NGX_SLUICE_KEY_LEN], value[NGX_SLUICE_KEY_LEN];
    u_char           id[SLUICE_UUID_LEN], b64[32];
    ngx_int_t        rc;
    ngx_str_t        policy, src, dst;
    sluice_json_t   *e;
    sluice_alloc_t  *a;

    a = b->a;
    ngx_memzero(value, sizeof(value));

    rc = ngx_http_sluice_ck_material(b, slot, given, kid, value);

    if (rc == NGX_OK) {
        rc = ngx_http_sluice_ck_policy(b, props, plan, slot, &policy);
    }

    if (rc == NGX_OK) {
        rc = ngx_http_sluice_ck_entries(b, slot, kid, value, &policy);
    }

    src.data = value;
    src.len = NGX_SLUICE_KEY_LEN;
    dst.data = b64;
    ngx_encode_base64(&dst, &src);
    ngx_explicit_memzero(value, sizeof(value));

    if (rc != NGX_OK) {
        return rc;
    }

    ngx_http_sluice_ck_kid_text(id, kid);

    e = sluice_json_new(a, SLUICE_JSON_OBJECT);
    if (e == NULL) {
        return NGX_ERROR;
    }

    ngx_http_sluice_res_put_member(a, e, "id",
                                   sluice_json_new_string(a, id,
                                                          SLUICE_UUID_LEN));
    ngx_http_sluice_res_put_member(a, e, "type",
                   sluice_json_new_cstring(a,
                                   ngx_http_sluice_ck_type[slot->scheme]));
    ngx_http_sluice_res_put_member(a, e, "labelReferenceInStreamingPolicy",
                                   sluice_json_new_string(a, slot->label.data,
                                                          slot->label.len));
    ngx_http_sluice_res_put_member(a, e, "value",
                                   sluice_json_new_string(a, dst.data,
                                                          dst.len));
    ngx_http_sluice_res_put_member(a, e, "policyName",
                                   sluice_json_new_string(a, policy.data,
                                                          policy.len));
    ngx_http_sluice_res_put_member(a, e, "tracks",
                                   slot->tracks
                                   ? sluice_json_copy(a, slot->tracks)
                                   : sluice_json_new(a, SLUICE_JSON_ARRAY));

    ngx_explicit_memzero(b64, sizeof(b64));

    sluice_json_append(arr, e);

    return NGX_OK;
}


ngx_int_t
ngx_http_sluice_ck_locator(ngx_http_sluice_res_build_t *b,
    sluice_json_t *props, sluice_json_t *np, ngx_http_sluice_ck_plan_t *plan)
{
    ngx_int_t       rc;
    ngx_uint_t      i;
    sluice_json_t  *given, *e, *arr;
    sluice_json_t  *match[NGX_SLUICE_MAX_KEYS];

    given = sluice_json_get(props, "contentKeys");

    if (ngx_http_sluice_absent(given)) {
        given = NULL;

    } else if (given->type != SLUICE_JSON_ARRAY) {
        ngx_http_sluice_ck_bad("properties.contentKeys must be an array.");

    } else if (given->count && plan->n == 0) {
        ngx_http_sluice_ck_bad("properties.contentKeys: streaming policy "
                               "'%s' does not encrypt; it has no content "
                               "keys.", b->f.policy);
    }

    ngx_memzero(match, sizeof(match));

    for (e = given ? given->child : NULL; e; e = e->next) {
        rc = ngx_http_sluice_ck_match(b, plan, e, match);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    arr = sluice_json_new(b->a, SLUICE_JSON_ARRAY);
    if (arr == NULL) {
        return NGX_ERROR;
    }

    b->f.nkeys = 0;

    for (i = 0; i < plan->n; i++) {
        rc = ngx_http_sluice_ck_key(b, props, plan, &plan->slot[i], match[i],
                                    arr);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    return ngx_http_sluice_res_set(b->a, np, "contentKeys", arr);
}


ngx_int_t
ngx_http_sluice_ck_render(sluice_alloc_t *a, sluice_json_t *props)
{
    ngx_uint_t      scheme;
    sluice_json_t  *keys, *e, *c, *arr;

    keys = sluice_json_get(props, "contentKeys");

    if (keys == NULL || keys->type != SLUICE_JSON_ARRAY || keys->count == 0) {
        return NGX_OK;
    }

    arr = sluice_json_new(a, SLUICE_JSON_ARRAY);
    if (arr == NULL) {
        return NGX_ERROR;
    }

    /* AMS lists cbcs, cenc, envelope keys in that order */

    for (scheme = NGX_SLUICE_SCHEME_N - 1;
         scheme > NGX_SLUICE_SCHEME_NONE;
         scheme--)
    {
        for (e = keys->child; e; e = e->next) {
            if (!sluice_json_str_eq(sluice_json_get(e, "type"),
                                    ngx_http_sluice_ck_type[scheme]))
            {
                continue;
            }

            c = sluice_json_copy(a, e);
            if (c == NULL) {
                return NGX_ERROR;
            }

            sluice_json_remove(c, "value");
            sluice_json_remove(c, "policyName");
            sluice_json_append(arr, c);
        }
    }

    return ngx_http_sluice_res_set(a, props, "contentKeys", arr);
}
