
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Content keys (ngx_http_sluice_api_content_keys.c): what the encryption
 * blocks of a streaming policy ask for (track selections, key labels,
 * content key policies) and the keys of a streaming locator made from
 * them (given or generated, stored in its document, in f.keys).
 */


#ifndef _NGX_HTTP_SLUICE_API_CONTENT_KEYS_H_INCLUDED_
#define _NGX_HTTP_SLUICE_API_CONTENT_KEYS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api_build.h"


/*
 * A key a streaming policy asks for: a scheme's default key (no FourCC)
 * or one of its keyToTrackMappings (the FourCCs of its tracks)
 */
typedef struct {
    ngx_uint_t                  scheme;         /* NGX_SLUICE_SCHEME_* */
    ngx_str_t                   label;
    ngx_str_t                   policy;         /* policyName, or empty */
    sluice_json_t              *tracks;         /* NULL: a default key */
    ngx_uint_t                  nfourcc;
    uint32_t                    fourcc[NGX_SLUICE_MAX_KEYS];
} ngx_http_sluice_ck_slot_t;


typedef struct {
    ngx_uint_t                  n;
    ngx_http_sluice_ck_slot_t   slot[NGX_SLUICE_MAX_KEYS];
    ngx_str_t                   policy;     /* defaultContentKeyPolicyName */
} ngx_http_sluice_ck_plan_t;


/* per NGX_SLUICE_SCHEME_*: the policy member, the key "type" */
extern const char  *ngx_http_sluice_ck_block[NGX_SLUICE_SCHEME_N];
extern const char  *ngx_http_sluice_ck_type[NGX_SLUICE_SCHEME_N];


/*
 * An array of TrackSelection whose conditions are FourCC Equal (one per
 * selection): the FourCCs into fourcc (at most max).  NGX_OK,
 * NGX_DECLINED (b->err), NGX_ERROR.
 */
ngx_int_t ngx_http_sluice_ck_tracks(ngx_http_sluice_res_build_t *b,
    sluice_json_t *v, const char *where, uint32_t *fourcc, ngx_uint_t max,
    ngx_uint_t *n);

/*
 * The keys of a streaming policy's properties (as stored): one per
 * encryption block and one per keyToTrackMappings entry, labels unique,
 * at most NGX_SLUICE_MAX_KEYS f.keys entries in all.
 */
ngx_int_t ngx_http_sluice_ck_plan(ngx_http_sluice_res_build_t *b,
    sluice_json_t *props, ngx_http_sluice_ck_plan_t *plan);

/*
 * A streaming locator's properties.contentKeys (props: the request or
 * the stored document) for the keys of its policy: matched by label,
 * generated when not given; into np.contentKeys (values included: the
 * stored document) and b->f.keys.
 */
ngx_int_t ngx_http_sluice_ck_locator(ngx_http_sluice_res_build_t *b,
    sluice_json_t *props, sluice_json_t *np,
    ngx_http_sluice_ck_plan_t *plan);

/* a GET: contentKeys without value and policyName, last scheme first */
ngx_int_t ngx_http_sluice_ck_render(sluice_alloc_t *a, sluice_json_t *props);

/* "00112233-4455-..." (36 characters) -> 16 bytes; NGX_ERROR if bad */
ngx_int_t ngx_http_sluice_ck_kid(u_char *text, size_t len, u_char *kid);

/* 16 bytes -> 36 characters of UUID text at p, as they are; the end */
u_char *ngx_http_sluice_ck_kid_text(u_char *p, u_char *kid);


#endif /* _NGX_HTTP_SLUICE_API_CONTENT_KEYS_H_INCLUDED_ */
