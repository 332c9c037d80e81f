
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * AMS URL tag parser; see sluice_url.h.
 *
 *   tag      = "manifest" [ "(" options ")" ] [ ext ]
 *            | "QualityLevels(" bitrate ")/" track-tag
 *   track-tag= "Manifest(" name [ "," options ] ")" [ ".m3u8" ]
 *            | "Fragments(" name "=" ( time | "i" ) [ "," options ] ")"
 *              [ seg-ext ]
 *   seg-ext  = ".ts" (TS HLS segments) | ".m4s" (CMAF segments)
 *            | ".mp4" (CMAF init segments); what sluice_url_segment_ext()
 *              gives, for players that check segment URLs' extensions
 *   options  = key "=" value *( "," key "=" value )
 *
 * Options: format= (m3u8-aapl, m3u8-aapl-v3, m3u8-cmaf, mpd-time-csf,
 * mpd-time-cmaf, fmp4-v20), filter=, audio-only=true|false, encryption=,
 * type=keyframes (media playlists of video only), part=N (0 to
 * SLUICE_URL_MAX_PART, decimal without sign: low-latency parts of
 * m3u8-cmaf segments only, the URI of LL-HLS EXT-X-PART); others are
 * ignored.
 */


#include "media/sluice_url.h"


typedef struct {
    const uint8_t     *p;
    const uint8_t     *end;
    const char        *reason;
} sluice_url_ctx_t;


static sluice_status_t sluice_url_fail(sluice_url_ctx_t *ctx,
    const char *reason);
static int sluice_url_word(sluice_url_ctx_t *ctx, const char *word);
static int sluice_url_ieq(const uint8_t *p, size_t len, const char *word);
static sluice_status_t sluice_url_number(sluice_url_ctx_t *ctx,
    uint64_t max, uint64_t *value);
static sluice_status_t sluice_url_name(sluice_url_ctx_t *ctx,
    const uint8_t *stop, sluice_str_t *name);
static sluice_status_t sluice_url_options(sluice_url_ctx_t *ctx,
    sluice_url_t *url);
static sluice_status_t sluice_url_option(sluice_url_ctx_t *ctx,
    sluice_url_t *url, sluice_str_t *key, sluice_str_t *value);
static sluice_status_t sluice_url_format(sluice_url_ctx_t *ctx,
    sluice_url_t *url, sluice_str_t *value);
static sluice_status_t sluice_url_manifest(sluice_url_ctx_t *ctx,
    sluice_url_t *url);
static sluice_status_t sluice_url_extension(sluice_url_ctx_t *ctx,
    sluice_url_t *url);
static sluice_status_t sluice_url_fragment_extension(sluice_url_ctx_t *ctx,
    sluice_url_t *url);
static sluice_status_t sluice_url_quality(sluice_url_ctx_t *ctx,
    sluice_url_t *url);
static sluice_status_t sluice_url_playlist(sluice_url_ctx_t *ctx,
    sluice_url_t *url);
static sluice_status_t sluice_url_fragments(sluice_url_ctx_t *ctx,
    sluice_url_t *url);


static const char  *sluice_format_names[] = {
    "",
    "m3u8-aapl",
    "m3u8-aapl-v3",
    "m3u8-cmaf",
    "mpd-time-csf",
    "mpd-time-cmaf"
};


#define SLUICE_URL_NFORMATS                                                  \
    (sizeof(sluice_format_names) / sizeof(sluice_format_names[0]))


sluice_status_t
sluice_url_parse(sluice_url_t *url, const uint8_t *p, size_t len,
    const char **reason)
{
    sluice_status_t   rc;
    sluice_url_ctx_t  ctx;

    memset(url, 0, sizeof(sluice_url_t));
    url->audio_only = -1;

    ctx.p = p;
    ctx.end = p + len;
    ctx.reason = NULL;

    if (sluice_url_word(&ctx, "manifest")) {
        rc = sluice_url_manifest(&ctx, url);

    } else if (sluice_url_word(&ctx, "qualitylevels(")) {
        rc = sluice_url_quality(&ctx, url);

    } else {
        rc = sluice_url_fail(&ctx, "unknown URL tag");
    }

    if (rc == SLUICE_OK && ctx.p != ctx.end) {
        rc = sluice_url_fail(&ctx, "trailing characters");
    }

    if (reason) {
        *reason = ctx.reason;
    }

    return rc;
}


const char *
sluice_format_name(sluice_format_t format)
{
    if ((size_t) format >= SLUICE_URL_NFORMATS) {
        return "";
    }

    return sluice_format_names[format];
}


int
sluice_url_media_type(const sluice_str_t *track)
{
    if (sluice_url_ieq(track->data, track->len, "video")) {
        return SLUICE_MEDIA_VIDEO;
    }

    if (sluice_url_ieq(track->data, track->len, "audio")) {
        return SLUICE_MEDIA_AUDIO;
    }

    return -1;
}


static sluice_status_t
sluice_url_fail(sluice_url_ctx_t *ctx, const char *reason)
{
    if (ctx->reason == NULL) {
        ctx->reason = reason;
    }

    return SLUICE_BAD_REQUEST;
}


/* consumes "word" (lower case) when the input starts with it */

static int
sluice_url_word(sluice_url_ctx_t *ctx, const char *word)
{
    size_t  n;

    n = strlen(word);

    if ((size_t) (ctx->end - ctx->p) < n
        || !sluice_url_ieq(ctx->p, n, word))
    {
        return 0;
    }

    ctx->p += n;

    return 1;
}


static int
sluice_url_ieq(const uint8_t *p, size_t len, const char *word)
{
    size_t   i;
    uint8_t  c;

    for (i = 0; i < len; i++) {
        if (word[i] == '\0') {
            return 0;
        }

        c = p[i];

        if (c >= 'A' && c <= 'Z') {
            c |= 0x20;
        }

        if (c != (uint8_t) word[i]) {
            return 0;
        }
    }

    return word[len] == '\0';
}


static sluice_status_t
sluice_url_number(sluice_url_ctx_t *ctx, uint64_t max, uint64_t *value)
{
    uint64_t  v, d;
    size_t    n;

    v = 0;

    for (n = 0; ctx->p < ctx->end && *ctx->p >= '0' && *ctx->p <= '9'; n++) {
        d = *ctx->p++ - '0';

        if (v > (max - d) / 10) {
            return sluice_url_fail(ctx, "number too large");
        }

        v = v * 10 + d;
    }

    if (n == 0) {
        return sluice_url_fail(ctx, "number expected");
    }

    *value = v;

    return SLUICE_OK;
}


/* a track name: [A-Za-z0-9_.-]+, ending before one of "stop" */

static sluice_status_t
sluice_url_name(sluice_url_ctx_t *ctx, const uint8_t *stop,
    sluice_str_t *name)
{
    uint8_t         c;
    const uint8_t  *start;

    start = ctx->p;

    while (ctx->p < ctx->end) {
        c = *ctx->p;

        if (strchr((const char *) stop, c) != NULL && c != '\0') {
            break;
        }

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
        {
            return sluice_url_fail(ctx, "invalid character in track name");
        }

        ctx->p++;
    }

    if (ctx->p == start) {
        return sluice_url_fail(ctx, "empty track name");
    }

    if ((size_t) (ctx->p - start) > SLUICE_URL_MAX_NAME) {
        return sluice_url_fail(ctx, "track name too long");
    }

    name->data = start;
    name->len = ctx->p - start;

    return SLUICE_OK;
}


/* key=value pairs separated by ",", up to (not including) ")" */

static sluice_status_t
sluice_url_options(sluice_url_ctx_t *ctx, sluice_url_t *url)
{
    sluice_str_t     key, value;
    sluice_status_t  rc;

    for ( ;; ) {
        key.data = ctx->p;

        while (ctx->p < ctx->end && *ctx->p != '=' && *ctx->p != ','
               && *ctx->p != ')' && *ctx->p != '(')
        {
            ctx->p++;
        }

        key.len = ctx->p - key.data;

        if (key.len == 0 || ctx->p == ctx->end || *ctx->p != '=') {
            return sluice_url_fail(ctx, "malformed option");
        }

        value.data = ++ctx->p;

        while (ctx->p < ctx->end && *ctx->p != ',' && *ctx->p != ')'
               && *ctx->p != '(' && *ctx->p != '=')
        {
            ctx->p++;
        }

        value.len = ctx->p - value.data;

        if (value.len == 0 || ctx->p == ctx->end
            || *ctx->p == '(' || *ctx->p == '=')
        {
            return sluice_url_fail(ctx, "malformed option value");
        }

        rc = sluice_url_option(ctx, url, &key, &value);
        if (rc != SLUICE_OK) {
            return rc;
        }

        if (*ctx->p == ')') {
            return SLUICE_OK;
        }

        ctx->p++;       /* "," */
    }
}


static sluice_status_t sluice_url_encryption(sluice_url_ctx_t *ctx,
    sluice_url_t *url, sluice_str_t *value);
static sluice_status_t sluice_url_part(sluice_url_ctx_t *ctx,
    sluice_url_t *url, sluice_str_t *value);


static sluice_status_t
sluice_url_option(sluice_url_ctx_t *ctx, sluice_url_t *url,
    sluice_str_t *key, sluice_str_t *value)
{
    if (sluice_url_ieq(key->data, key->len, "format")) {
        return sluice_url_format(ctx, url, value);
    }

    if (sluice_url_ieq(key->data, key->len, "filter")) {
        url->filter = *value;
        return SLUICE_OK;
    }

    if (sluice_url_ieq(key->data, key->len, "audio-only")) {

        if (sluice_url_ieq(value->data, value->len, "true")) {
            url->audio_only = 1;

        } else if (sluice_url_ieq(value->data, value->len, "false")) {
            url->audio_only = 0;

        } else {
            return sluice_url_fail(ctx, "invalid audio-only value");
        }

        return SLUICE_OK;
    }

    if (sluice_url_ieq(key->data, key->len, "encryption")) {
        return sluice_url_encryption(ctx, url, value);
    }

    if (sluice_url_ieq(key->data, key->len, "type")) {

        if (!sluice_url_ieq(value->data, value->len, "keyframes")) {
            return sluice_url_fail(ctx, "invalid type value");
        }

        url->keyframes = 1;

        return SLUICE_OK;
    }

    if (sluice_url_ieq(key->data, key->len, "part")) {
        return sluice_url_part(ctx, url, value);
    }

    /* AMS ignores options it does not know */

    return SLUICE_OK;
}


static sluice_status_t
sluice_url_encryption(sluice_url_ctx_t *ctx, sluice_url_t *url,
    sluice_str_t *value)
{
    size_t  i;

    static const struct {
        const char  *name;
        uint32_t     encryption;
    } names[] = {
        { "cbc", SLUICE_ENCRYPTION_CBC },
        { "cenc", SLUICE_ENCRYPTION_CENC },
        { "cbcs-aapl", SLUICE_ENCRYPTION_CBCS_AAPL },
        { "cbcs", SLUICE_ENCRYPTION_CBCS },
        { "piff", SLUICE_ENCRYPTION_PIFF }
    };

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (sluice_url_ieq(value->data, value->len, names[i].name)) {
            url->encryption = names[i].encryption;
            return SLUICE_OK;
        }
    }

    return sluice_url_fail(ctx, "unknown encryption value");
}


/* part=N: a decimal index, checked against the kind of URL at the end */

static sluice_status_t
sluice_url_part(sluice_url_ctx_t *ctx, sluice_url_t *url, sluice_str_t *value)
{
    size_t    i;
    uint32_t  v;

    if (url->has_part) {
        return sluice_url_fail(ctx, "duplicate part");
    }

    v = 0;

    for (i = 0; i < value->len; i++) {
        if (value->data[i] < '0' || value->data[i] > '9') {
            return sluice_url_fail(ctx, "invalid part value");
        }

        v = v * 10 + (value->data[i] - '0');

        if (v > SLUICE_URL_MAX_PART) {
            return sluice_url_fail(ctx, "part value too large");
        }
    }

    url->part = v;
    url->has_part = 1;

    return SLUICE_OK;
}


const char *
sluice_encryption_name(sluice_encryption_t encryption)
{
    static const char  *names[] = { "", "cbc", "cenc", "cbcs-aapl", "cbcs",
                                    "piff" };

    if (encryption >= sizeof(names) / sizeof(names[0])) {
        return "";
    }

    return names[encryption];
}


static sluice_status_t
sluice_url_format(sluice_url_ctx_t *ctx, sluice_url_t *url,
    sluice_str_t *value)
{
    size_t  i;

    if (url->format != SLUICE_FORMAT_SMOOTH || url->smooth_v20) {
        return sluice_url_fail(ctx, "duplicate format");
    }

    if (sluice_url_ieq(value->data, value->len, "fmp4-v20")) {
        url->smooth_v20 = 1;
        return SLUICE_OK;
    }

    for (i = 1; i < SLUICE_URL_NFORMATS; i++) {
        if (sluice_url_ieq(value->data, value->len, sluice_format_names[i])) {
            url->format = (uint32_t) i;
            return SLUICE_OK;
        }
    }

    return sluice_url_fail(ctx, "unknown format");
}


static sluice_status_t
sluice_url_manifest(sluice_url_ctx_t *ctx, sluice_url_t *url)
{
    sluice_status_t  rc;

    url->kind = SLUICE_URL_MANIFEST;

    if (ctx->p == ctx->end) {
        return SLUICE_OK;
    }

    if (*ctx->p == '(') {
        ctx->p++;

        rc = sluice_url_options(ctx, url);
        if (rc != SLUICE_OK) {
            return rc;
        }

        ctx->p++;       /* ")" */
    }

    if (url->keyframes) {
        return sluice_url_fail(ctx, "type=keyframes is for media playlists");
    }

    if (url->has_part) {
        return sluice_url_fail(ctx, "part= is for m3u8-cmaf segments");
    }

    return sluice_url_extension(ctx, url);
}


static sluice_status_t
sluice_url_extension(sluice_url_ctx_t *ctx, sluice_url_t *url)
{
    if (ctx->p == ctx->end) {
        return SLUICE_OK;
    }

    if (sluice_format_is_hls(url->format) && sluice_url_word(ctx, ".m3u8")) {
        url->has_extension = 1;
        return SLUICE_OK;
    }

    if (sluice_format_is_dash(url->format) && sluice_url_word(ctx, ".mpd")) {
        url->has_extension = 1;
        return SLUICE_OK;
    }

    return sluice_url_fail(ctx, "unexpected characters after manifest");
}


static sluice_status_t
sluice_url_quality(sluice_url_ctx_t *ctx, sluice_url_t *url)
{
    uint64_t         bitrate;
    sluice_status_t  rc;

    rc = sluice_url_number(ctx, UINT32_MAX, &bitrate);
    if (rc != SLUICE_OK) {
        return rc;
    }

    url->bitrate = (uint32_t) bitrate;

    if (!sluice_url_word(ctx, ")/")) {
        return sluice_url_fail(ctx, "\")/\" expected after QualityLevels");
    }

    if (sluice_url_word(ctx, "manifest(")) {
        return sluice_url_playlist(ctx, url);
    }

    if (sluice_url_word(ctx, "fragments(")) {
        return sluice_url_fragments(ctx, url);
    }

    return sluice_url_fail(ctx, "Manifest or Fragments expected");
}


static sluice_status_t
sluice_url_playlist(sluice_url_ctx_t *ctx, sluice_url_t *url)
{
    sluice_status_t  rc;

    url->kind = SLUICE_URL_PLAYLIST;

    rc = sluice_url_name(ctx, (const uint8_t *) ",)", &url->track);
    if (rc != SLUICE_OK) {
        return rc;
    }

    if (!sluice_url_word(ctx, ",")) {
        return sluice_url_fail(ctx, "format expected in Manifest()");
    }

    rc = sluice_url_options(ctx, url);
    if (rc != SLUICE_OK) {
        return rc;
    }

    ctx->p++;       /* ")" */

    if (!sluice_format_is_hls(url->format)) {
        return sluice_url_fail(ctx, "media playlists need an HLS format");
    }

    if (url->keyframes && sluice_url_media_type(&url->track)
                          != SLUICE_MEDIA_VIDEO)
    {
        return sluice_url_fail(ctx, "type=keyframes needs a video track");
    }

    if (url->has_part) {
        return sluice_url_fail(ctx, "part= is for m3u8-cmaf segments");
    }

    return sluice_url_extension(ctx, url);
}


static sluice_status_t
sluice_url_fragments(sluice_url_ctx_t *ctx, sluice_url_t *url)
{
    sluice_status_t  rc;

    rc = sluice_url_name(ctx, (const uint8_t *) "=)", &url->track);
    if (rc != SLUICE_OK) {
        return rc;
    }

    if (!sluice_url_word(ctx, "=")) {
        return sluice_url_fail(ctx, "\"=\" expected in Fragments()");
    }

    if (sluice_url_word(ctx, "i")) {
        url->kind = SLUICE_URL_INIT;

    } else {
        url->kind = SLUICE_URL_SEGMENT;

        rc = sluice_url_number(ctx, UINT64_MAX, &url->time);
        if (rc != SLUICE_OK) {
            return rc;
        }
    }

    if (sluice_url_word(ctx, ",")) {
        rc = sluice_url_options(ctx, url);
        if (rc != SLUICE_OK) {
            return rc;
        }
    }

    if (!sluice_url_word(ctx, ")")) {
        return sluice_url_fail(ctx, "\")\" expected after Fragments");
    }

    if (url->keyframes) {
        return sluice_url_fail(ctx, "type=keyframes is for media playlists");
    }

    if (url->kind == SLUICE_URL_INIT && !sluice_format_is_cmaf(url->format)) {
        return sluice_url_fail(ctx, "no init segment in this format");
    }

    if (url->has_part && (url->kind != SLUICE_URL_SEGMENT
                          || url->format != SLUICE_FORMAT_HLS_CMAF))
    {
        return sluice_url_fail(ctx, "part= is for m3u8-cmaf segments");
    }

    return sluice_url_fragment_extension(ctx, url);
}


const char *
sluice_url_segment_ext(sluice_format_t format, sluice_url_kind_t kind)
{
    if (kind == SLUICE_URL_INIT) {
        return sluice_format_is_cmaf(format) ? ".mp4" : "";
    }

    if (kind != SLUICE_URL_SEGMENT) {
        return "";
    }

    if (sluice_format_is_ts(format)) {
        return ".ts";
    }

    return sluice_format_is_cmaf(format) ? ".m4s" : "";
}


static sluice_status_t
sluice_url_fragment_extension(sluice_url_ctx_t *ctx, sluice_url_t *url)
{
    size_t       n;
    const char  *ext;

    if (ctx->p == ctx->end) {
        return SLUICE_OK;
    }

    ext = sluice_url_segment_ext(url->format, url->kind);
    n = strlen(ext);

    if (n == 0
        || (size_t) (ctx->end - ctx->p) != n
        || !sluice_url_word(ctx, ext))
    {
        return sluice_url_fail(ctx, "unexpected characters after Fragments");
    }

    url->has_extension = 1;

    return SLUICE_OK;
}
