
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Dynamic encryption of a streaming locator's request: the scheme served
 * (from the encryption= URL tag and the locator's streaming policy), the
 * locator's keys of that scheme, and the URLs manifests point players
 * at (key delivery, licence servers, the policy's custom templates).
 * The data itself is encrypted by src/media/crypto/.
 */


#ifndef _NGX_HTTP_SLUICE_PACKAGER_ENCRYPTION_H_INCLUDED_
#define _NGX_HTTP_SLUICE_PACKAGER_ENCRYPTION_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "packager/ngx_http_sluice_packager.h"
#include "core/ngx_sluice_resource.h"


/* what ngx_http_sluice_packager_enc_url() makes */
typedef enum {
    NGX_HTTP_SLUICE_ENC_URL_AES = 0,    /* {base}/?kid=: the AES key */
    NGX_HTTP_SLUICE_ENC_URL_CLEARKEY,   /* {base}/ClearKey/ */
    NGX_HTTP_SLUICE_ENC_URL_WIDEVINE,   /* {base}/Widevine/?kid= */
    NGX_HTTP_SLUICE_ENC_URL_PLAYREADY,  /* {base}/PlayReady/ */
    NGX_HTTP_SLUICE_ENC_URL_FAIRPLAY    /* skd://{host}/FairPlay/?kid= */
} ngx_http_sluice_enc_url_e;


/* the DRM systems a policy signals for the scheme served */
#define NGX_HTTP_SLUICE_DRM_PLAYREADY  0x01
#define NGX_HTTP_SLUICE_DRM_WIDEVINE   0x02
#define NGX_HTTP_SLUICE_DRM_FAIRPLAY   0x04


/*
 * Streaming locators, under the zone mutex, after the policy was found:
 * fills pkg->enc for the request's format and encryption= tag.  NGX_OK,
 * or NGX_DECLINED with pkg->status and pkg->reason (403: the policy does
 * not enable that scheme for the protocol; 400: a tag the format cannot
 * carry).  Manifest and playlist requests also get copies of the policy
 * and locator documents, for ngx_http_sluice_packager_enc_url().
 */
ngx_int_t ngx_http_sluice_packager_enc_select(ngx_http_sluice_pkg_t *pkg,
    ngx_sluice_res_t *loc, ngx_sluice_res_t *policy);

/* the key of a track of that sample entry FourCC; NULL: stays clear */
ngx_sluice_key_t *ngx_http_sluice_packager_enc_key(ngx_http_sluice_pkg_t *pkg,
    uint32_t fourcc);

/*
 * An absolute URL for a manifest: the policy's custom template with
 * {ContentKeyId} and {AlternativeMediaId} substituted when it has one
 * for that use, else the key delivery service's (sluice_key_delivery_url,
 * default {scheme}://{Host}/keydelivery); the request's token= is
 * appended to key delivery URLs.  key may be NULL for ClearKey.
 */
ngx_int_t ngx_http_sluice_packager_enc_url(ngx_http_sluice_pkg_t *pkg,
    ngx_uint_t what, ngx_sluice_key_t *key, ngx_str_t *url);

/* NGX_HTTP_SLUICE_DRM_* the policy signals for the scheme served */
ngx_uint_t ngx_http_sluice_packager_enc_drm(ngx_http_sluice_pkg_t *pkg);

/* playReadyCustomAttributes of the scheme served ("" when none) */
ngx_int_t ngx_http_sluice_packager_enc_playready_attributes(
    ngx_http_sluice_pkg_t *pkg, ngx_str_t *value);

/*
 * ",encryption=cbc" etc.: what child URLs carry so that playlists,
 * init segments and fragments keep the encryption asked for ("" when
 * the request had no encryption= tag)
 */
void ngx_http_sluice_packager_enc_tag(ngx_http_sluice_pkg_t *pkg,
    ngx_str_t *tag);

/* sluice_key_delivery_url */
char *ngx_http_sluice_packager_enc_conf_url(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);


#endif /* _NGX_HTTP_SLUICE_PACKAGER_ENCRYPTION_H_INCLUDED_ */
