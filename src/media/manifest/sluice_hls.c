
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * HLS master and media playlists; see sluice_hls.h.
 */


#include "media/manifest/sluice_hls.h"
#include "media/signal/sluice_cue_text.h"


/* the cues of one media playlist, as its segments are written */
typedef struct {
    const sluice_presentation_t   *p;
    uint64_t                       start;   /* ms: the first segment's */
    uint32_t                       next;    /* first cue not yet reached */
    uint32_t                       active;  /* first that may be on */
    unsigned                       first:1; /* at the first segment */
} sluice_hls_cues_t;


/*
 * Low latency (LL-HLS) of one media playlist: what the playlist lists,
 * the same for the writer and the blocking checks (sluice_hls_ll_scan())
 */
typedef struct {
    uint32_t                       first;      /* segments [first, last) */
    uint32_t                       last;       /* of t->frags, listed */
    uint64_t                       max;        /* longest segment, ms */
    uint64_t                       msn;        /* of frags[first] */
    uint64_t                       target;     /* TARGETDURATION, ms */
    uint32_t                       part_target;    /* ms */

    /* the segments [parts_seg, last) are listed with their parts */
    uint32_t                       parts_seg;
    uint32_t                       cursor;     /* t->parts, as written */

    /* the parts of the fragment in progress listed: parts[progress..+n) */
    uint32_t                       progress;
    uint32_t                       nprogress;
    unsigned                       hint:1;     /* a preload hint follows */

    uint32_t                       skip;       /* segments skipped */
} sluice_hls_ll_t;


static uint32_t sluice_hls_version(sluice_format_t format,
    const sluice_hls_track_enc_t *te, uint32_t ntracks);
static const sluice_hls_track_enc_t *sluice_hls_track_enc(
    const sluice_presentation_t *p, const sluice_ptrack_t *t,
    const sluice_hls_enc_t *enc);
static void sluice_hls_session_keys(sluice_buf_t *b,
    const sluice_presentation_t *p, const sluice_hls_enc_t *enc);
static int sluice_hls_key_seen(const sluice_hls_enc_t *enc, uint32_t ti,
    uint32_t ki);
static void sluice_hls_key(sluice_buf_t *b, const char *tag,
    const sluice_hls_track_enc_t *te, const sluice_hls_key_t *k,
    const sluice_pfrag_t *f);
static const sluice_ptrack_t *sluice_hls_audio_for(
    const sluice_presentation_t *p, const sluice_ptrack_t *video);
static void sluice_hls_media(sluice_buf_t *b, const sluice_presentation_t *p,
    const sluice_ptrack_t *t, sluice_format_t format, uint32_t first,
    const sluice_hls_enc_t *enc);
static uint32_t sluice_hls_captions(const sluice_ptrack_t *t,
    sluice_format_t format);
static void sluice_hls_cc_media(sluice_buf_t *b,
    const sluice_presentation_t *p, uint32_t cc);
static void sluice_hls_stream_inf(sluice_buf_t *b, const sluice_ptrack_t *t,
    const sluice_ptrack_t *audio, sluice_format_t format, unsigned group,
    const sluice_hls_enc_t *enc);
static void sluice_hls_uri(sluice_buf_t *b, const sluice_ptrack_t *t,
    sluice_format_t format, const sluice_hls_enc_t *enc);
static void sluice_hls_audio_variants(sluice_buf_t *b,
    const sluice_presentation_t *p, sluice_format_t format,
    const sluice_hls_enc_t *enc);
static void sluice_hls_iframe_inf(sluice_buf_t *b,
    const sluice_presentation_t *p, const sluice_ptrack_t *t);
static uint64_t sluice_hls_iframe_bandwidth(const sluice_presentation_t *p,
    const sluice_ptrack_t *t);
static sluice_status_t sluice_hls_media_playlist(sluice_buf_t *b,
    const sluice_presentation_t *p, const sluice_ptrack_t *t,
    sluice_format_t format, const sluice_hls_enc_t *enc, unsigned iframes);
static void sluice_hls_listed(const sluice_presentation_t *p,
    const sluice_ptrack_t *t, uint32_t n, uint32_t *first, uint32_t *last,
    uint64_t *max);
static void sluice_hls_server_control(sluice_buf_t *b,
    const sluice_presentation_t *p, const sluice_hls_ll_t *ll,
    uint64_t target);
static void sluice_hls_ll_scan(const sluice_presentation_t *p,
    const sluice_ptrack_t *t, sluice_hls_ll_t *ll);
static uint32_t sluice_hls_ll_part_target(const sluice_presentation_t *p);
static uint32_t sluice_hls_ll_parts_of(const sluice_ptrack_t *t,
    uint64_t frag_time, uint32_t from, uint32_t *count);
static void sluice_hls_ll_progress(const sluice_ptrack_t *t,
    sluice_hls_ll_t *ll);
static int sluice_hls_ll_whole(const sluice_ptrack_t *t, uint32_t i);
static void sluice_hls_ll_skip(sluice_buf_t *b, const sluice_ptrack_t *t,
    sluice_hls_ll_t *ll, sluice_hls_cues_t *cs);
static void sluice_hls_ll_parts(sluice_buf_t *b, const sluice_ptrack_t *t,
    sluice_hls_ll_t *ll, uint64_t frag_time, const sluice_hls_enc_t *enc);
static void sluice_hls_ll_tail(sluice_buf_t *b,
    const sluice_presentation_t *p, const sluice_ptrack_t *t,
    sluice_hls_ll_t *ll, const sluice_hls_enc_t *enc);
static void sluice_hls_ll_report(sluice_buf_t *b,
    const sluice_presentation_t *p, const sluice_ptrack_t *t,
    const sluice_hls_enc_t *enc);
static void sluice_hls_fragment_uri(sluice_buf_t *b, const sluice_ptrack_t *t,
    uint64_t time, sluice_format_t format, const sluice_hls_enc_t *enc,
    int64_t part);
static uint64_t sluice_hls_ms(const sluice_ptrack_t *t, uint64_t v);
static uint32_t sluice_hls_first(const sluice_ptrack_t *t, uint32_t n);
static int sluice_hls_complete(const sluice_presentation_t *p,
    const sluice_ptrack_t *t, uint32_t i, uint32_t count, uint32_t n);
static void sluice_hls_segment(sluice_buf_t *b,
    const sluice_presentation_t *p, const sluice_ptrack_t *t, uint32_t i,
    uint32_t count, sluice_format_t format, unsigned first,
    const sluice_hls_enc_t *enc, unsigned iframes, sluice_hls_cues_t *cs,
    sluice_hls_ll_t *ll);
static int sluice_hls_cues_init(sluice_hls_cues_t *cs,
    const sluice_presentation_t *p, uint64_t start, uint64_t end);
static int sluice_hls_cues_begin(sluice_hls_cues_t *cs, uint64_t end);
static void sluice_hls_cues_write(sluice_buf_t *b, sluice_hls_cues_t *cs,
    uint64_t start, uint64_t end, unsigned skipped);
static void sluice_hls_daterange(sluice_buf_t *b,
    const sluice_presentation_t *p, uint32_t k);
static void sluice_hls_adobe(sluice_buf_t *b, const sluice_cue_t *c,
    unsigned repeat, uint64_t start);
static const sluice_cue_t *sluice_hls_cue_out(const sluice_presentation_t *p,
    uint32_t k);
static void sluice_hls_cue_id(const sluice_cue_t *c, sluice_str_t *id,
    uint8_t *buf);
static uint64_t sluice_hls_duration(const sluice_ptrack_t *t, uint32_t i,
    uint32_t count);
static void sluice_hls_text(sluice_buf_t *b, const sluice_str_t *s);
static void sluice_hls_hex64(sluice_buf_t *b, uint64_t v);


#define sluice_hls_is_video(t)                                               \
    ((t)->info->media_type == SLUICE_MEDIA_VIDEO)

/* LL-HLS: parts, blocking reloads, delta updates, rendition reports */
#define sluice_hls_ll_on(p, format)                                          \
    ((p)->live && !(p)->ended && (p)->part_ms                                \
     && (format) == SLUICE_FORMAT_HLS_CMAF)


sluice_status_t
sluice_hls_master(sluice_buf_t *b, const sluice_presentation_t *p,
    sluice_format_t format, const sluice_hls_enc_t *enc)
{
    uint32_t                i, first, naudio, nvideo, version, cc;
    const sluice_ptrack_t  *t;

    if (!sluice_format_is_hls(format)) {
        return SLUICE_BAD_REQUEST;
    }

    naudio = 0;
    nvideo = 0;
    cc = 0;

    for (i = 0; i < p->ntracks; i++) {
        if (sluice_hls_is_video(&p->tracks[i])) {
            nvideo++;
            cc |= sluice_hls_captions(&p->tracks[i], format);

        } else {
            naudio++;
        }
    }

    if (nvideo + naudio == 0) {
        return SLUICE_NOT_FOUND;
    }

    version = sluice_hls_version(format, enc ? enc->tracks : NULL,
                                 p->ntracks);

    if ((cc & SLUICE_CAPTIONS_708) && version < 7) {
        version = 7;        /* INSTREAM-ID="SERVICEn" (RFC 8216 7) */
    }

    sluice_buf_cstr(b, "#EXTM3U\n#EXT-X-VERSION:");
    sluice_buf_u64(b, version);
    sluice_buf_cstr(b, "\n#EXT-X-INDEPENDENT-SEGMENTS\n");

    sluice_hls_session_keys(b, p, enc);

    /* audio renditions of the "audio" group */

    first = 1;

    for (i = 0; nvideo && format != SLUICE_FORMAT_HLS_TS_V3
                && i < p->ntracks; i++)
    {
        t = &p->tracks[i];

        if (!sluice_hls_is_video(t)) {
            sluice_hls_media(b, p, t, format, first, enc);
            first = 0;
        }
    }

    /* closed captions in the video of some variants: the "cc" group */

    if (cc) {
        sluice_hls_cc_media(b, p, cc);
    }

    /* variants: video tracks, or audio tracks of an audio-only event */

    for (i = 0; i < p->ntracks; i++) {
        t = &p->tracks[i];

        if (nvideo == 0 || sluice_hls_is_video(t)) {
            sluice_hls_stream_inf(b, t, nvideo ? sluice_hls_audio_for(p, t)
                                               : NULL,
                                  format, naudio
                                          && format != SLUICE_FORMAT_HLS_TS_V3,
                                  enc);
        }
    }

    if (nvideo && p->hls_audio_only) {
        sluice_hls_audio_variants(b, p, format, enc);
    }

    /* I-frame playlists: TS (version 4 at least), clear */

    for (i = 0; format == SLUICE_FORMAT_HLS_TS && enc == NULL
                && i < p->ntracks; i++)
    {
        if (sluice_hls_is_video(&p->tracks[i])) {
            sluice_hls_iframe_inf(b, p, &p->tracks[i]);
        }
    }

    return b->rc;
}


/* audio-only=true: a variant per audio track, its own media playlist */

static void
sluice_hls_audio_variants(sluice_buf_t *b, const sluice_presentation_t *p,
    sluice_format_t format, const sluice_hls_enc_t *enc)
{
    uint32_t  i;

    for (i = 0; i < p->ntracks; i++) {
        if (!sluice_hls_is_video(&p->tracks[i])) {
            sluice_hls_stream_inf(b, &p->tracks[i], NULL, format, 0, enc);
        }
    }
}


/* EXT-X-I-FRAME-STREAM-INF of a video track whose keyframes are known */

static void
sluice_hls_iframe_inf(sluice_buf_t *b, const sluice_presentation_t *p,
    const sluice_ptrack_t *t)
{
    uint64_t                    bw;
    const sluice_track_info_t  *vi;

    bw = sluice_hls_iframe_bandwidth(p, t);
    if (bw == 0) {
        return;
    }

    vi = t->info;

    sluice_buf_cstr(b, "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=");
    sluice_buf_u64(b, bw);

    if (vi->width && vi->height) {
        sluice_buf_cstr(b, ",RESOLUTION=");
        sluice_buf_u64(b, vi->width);
        sluice_buf_cstr(b, "x");
        sluice_buf_u64(b, vi->height);
    }

    if (vi->codec_string[0]) {
        sluice_buf_cstr(b, ",CODECS=\"");
        sluice_buf_cstr(b, vi->codec_string);
        sluice_buf_cstr(b, "\"");
    }

    sluice_buf_cstr(b, ",URI=\"QualityLevels(");
    sluice_buf_u64(b, t->bitrate);
    sluice_buf_cstr(b, ")/Manifest(");
    sluice_hls_text(b, &t->name);
    sluice_buf_cstr(b, ",format=m3u8-aapl,type=keyframes)\"\n");
}


/*
 * The peak bit rate of the I-frame playlist (RFC 8216 4.3.4.2: of its
 * segments, each the keyframe's bytes over its EXTINF); 0 when a
 * keyframe's size is unknown
 */

static uint64_t
sluice_hls_iframe_bandwidth(const sluice_presentation_t *p,
    const sluice_ptrack_t *t)
{
    uint32_t  i, n, count;
    uint64_t  ms, bw, max;

    n = p->fragments_per_segment ? p->fragments_per_segment : 1;
    max = 0;

    for (i = sluice_hls_first(t, n); i < t->nfrags; i += count) {
        count = sluice_hls_segment_frags(t, i, n);

        if (count == 0 || t->frags[i].key_size == 0) {
            return 0;
        }

        ms = sluice_hls_duration(t, i, count);
        bw = (uint64_t) t->frags[i].key_size * 8000 / (ms ? ms : 1);
        max = bw > max ? bw : max;
    }

    return max;
}


/* the version of the format, at least 5 when te[0..n) has a KEYFORMAT */

static uint32_t
sluice_hls_version(sluice_format_t format, const sluice_hls_track_enc_t *te,
    uint32_t n)
{
    uint32_t  i, k;

    switch (format) {

    case SLUICE_FORMAT_HLS_TS_V3:
        return 3;       /* IV= needs 2 */

    case SLUICE_FORMAT_HLS_CMAF:
        return 7;       /* EXT-X-MAP of fMP4 segments */

    default:
        break;
    }

    for (i = 0; te && i < n; i++) {
        for (k = 0; te[i].method && k < te[i].nkeys; k++) {
            if (te[i].keys[k].keyformat) {
                return 5;
            }
        }
    }

    return 4;           /* EXT-X-MEDIA groups */
}


static const sluice_hls_track_enc_t *
sluice_hls_track_enc(const sluice_presentation_t *p, const sluice_ptrack_t *t,
    const sluice_hls_enc_t *enc)
{
    const sluice_hls_track_enc_t  *te;

    if (enc == NULL || enc->tracks == NULL || t < p->tracks
        || t >= p->tracks + p->ntracks)
    {
        return NULL;
    }

    te = &enc->tracks[t - p->tracks];

    return te->method ? te : NULL;
}


/* EXT-X-SESSION-KEY: each distinct key line of the tracks, once */

static void
sluice_hls_session_keys(sluice_buf_t *b, const sluice_presentation_t *p,
    const sluice_hls_enc_t *enc)
{
    uint32_t                       i, k;
    const sluice_hls_track_enc_t  *te;

    for (i = 0; i < p->ntracks; i++) {
        te = sluice_hls_track_enc(p, &p->tracks[i], enc);

        for (k = 0; te && k < te->nkeys; k++) {
            if (!sluice_hls_key_seen(enc, i, k)) {
                sluice_hls_key(b, "#EXT-X-SESSION-KEY:", te, &te->keys[k],
                               NULL);
            }
        }
    }
}


/* a track before ti has the same key line as key ki of track ti */

static int
sluice_hls_key_seen(const sluice_hls_enc_t *enc, uint32_t ti, uint32_t ki)
{
    uint32_t                       i, k;
    const sluice_hls_key_t        *a, *c;
    const sluice_hls_track_enc_t  *te;

    te = &enc->tracks[ti];
    a = &te->keys[ki];

    for (i = 0; i <= ti; i++) {
        if (enc->tracks[i].method == NULL
            || strcmp(enc->tracks[i].method, te->method) != 0)
        {
            continue;
        }

        for (k = 0; k < (i == ti ? ki : enc->tracks[i].nkeys); k++) {
            c = &enc->tracks[i].keys[k];

            if (c->uri.len == a->uri.len
                && memcmp(c->uri.data, a->uri.data, a->uri.len) == 0
                && (c->keyformat == a->keyformat
                    || (c->keyformat && a->keyformat
                        && strcmp(c->keyformat, a->keyformat) == 0)))
            {
                return 1;
            }
        }
    }

    return 0;
}


/* a key line; f: IV=0x{f->seq} */

static void
sluice_hls_key(sluice_buf_t *b, const char *tag,
    const sluice_hls_track_enc_t *te, const sluice_hls_key_t *k,
    const sluice_pfrag_t *f)
{
    sluice_buf_cstr(b, tag);
    sluice_buf_cstr(b, "METHOD=");
    sluice_buf_cstr(b, te->method);
    sluice_buf_cstr(b, ",URI=\"");
    sluice_hls_text(b, &k->uri);
    sluice_buf_cstr(b, "\"");

    if (f) {
        /* the 128-bit big-endian seq: sluice_aes_hls_iv() */
        sluice_buf_cstr(b, ",IV=0x0000000000000000");
        sluice_hls_hex64(b, f->seq);
    }

    if (k->keyformat) {
        sluice_buf_cstr(b, ",KEYFORMAT=\"");
        sluice_buf_cstr(b, k->keyformat);
        sluice_buf_cstr(b, "\",KEYFORMATVERSIONS=\"1\"");
    }

    sluice_buf_cstr(b, "\n");
}


/* the audio of video's encoder stream, else the first audio track */

static const sluice_ptrack_t *
sluice_hls_audio_for(const sluice_presentation_t *p,
    const sluice_ptrack_t *video)
{
    uint32_t                i;
    const sluice_ptrack_t  *t, *audio;

    audio = NULL;

    for (i = 0; i < p->ntracks; i++) {
        t = &p->tracks[i];

        if (sluice_hls_is_video(t)) {
            continue;
        }

        if (t->group == video->group) {
            return t;
        }

        if (audio == NULL) {
            audio = t;
        }
    }

    return audio;
}


static void
sluice_hls_media(sluice_buf_t *b, const sluice_presentation_t *p,
    const sluice_ptrack_t *t, sluice_format_t format, uint32_t first,
    const sluice_hls_enc_t *enc)
{
    uint32_t  i, naudio;

    naudio = 0;

    for (i = 0; i < p->ntracks; i++) {
        naudio += !sluice_hls_is_video(&p->tracks[i]);
    }

    sluice_buf_cstr(b, "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"");
    sluice_hls_text(b, &t->name);

    if (naudio > 1) {
        /* NAME is unique in a group */
        sluice_buf_cstr(b, "_");
        sluice_buf_u64(b, t->bitrate);
    }

    sluice_buf_cstr(b, "\",LANGUAGE=\"");

    if (t->lang.len) {
        sluice_hls_text(b, &t->lang);

    } else {
        sluice_buf_cstr(b, "und");
    }

    sluice_buf_cstr(b, first ? "\",DEFAULT=YES" : "\",DEFAULT=NO");
    sluice_buf_cstr(b, ",AUTOSELECT=YES");

    if (t->info->channels) {
        sluice_buf_cstr(b, ",CHANNELS=\"");
        sluice_buf_u64(b, t->info->channels);
        sluice_buf_cstr(b, "\"");
    }

    sluice_buf_cstr(b, ",URI=\"");
    sluice_hls_uri(b, t, format, enc);
    sluice_buf_cstr(b, "\"\n");
}


/*
 * The closed captions of a video track the master signals: CEA-608
 * (CC1, CC3) and CEA-708 (SERVICE1, which needs version 7: not in the
 * version 3 master, kept for old players)
 */

static uint32_t
sluice_hls_captions(const sluice_ptrack_t *t, sluice_format_t format)
{
    uint32_t  cc;

    cc = t->info->captions & SLUICE_CAPTIONS_ALL;

    if (format == SLUICE_FORMAT_HLS_TS_V3) {
        cc &= ~SLUICE_CAPTIONS_708;
    }

    return cc;
}


/*
 * The renditions of the "cc" group (RFC 8216 4.3.4.1), named as AMS named
 * them: the union of the services of the video tracks, the language of
 * the first video track with captions when it has one.  Variants without
 * captions have no CLOSED-CAPTIONS attribute; none says NONE, which
 * would have to be on every variant.
 */

static void
sluice_hls_cc_media(sluice_buf_t *b, const sluice_presentation_t *p,
    uint32_t cc)
{
    uint32_t                i, k;
    const sluice_str_t     *lang;
    const sluice_ptrack_t  *t;

    static const struct {
        uint32_t     flag;
        const char  *attrs;
    } services[] = {
        { SLUICE_CAPTIONS_708,
          "NAME=\"CEA708_CC\",DEFAULT=YES,INSTREAM-ID=\"SERVICE1\"" },
        { SLUICE_CAPTIONS_608_CC1,
          "NAME=\"CEA608_CC\",INSTREAM-ID=\"CC1\"" },
        { SLUICE_CAPTIONS_608_CC3,
          "NAME=\"CEA608_CC3\",INSTREAM-ID=\"CC3\"" }
    };

    lang = NULL;

    for (i = 0; i < p->ntracks; i++) {
        t = &p->tracks[i];

        if (sluice_hls_is_video(t) && (t->info->captions & cc)) {
            if (t->lang.len && !(t->lang.len == 3
                                 && memcmp(t->lang.data, "und", 3) == 0))
            {
                lang = &t->lang;
            }

            break;
        }
    }

    for (k = 0; k < sizeof(services) / sizeof(services[0]); k++) {
        if (!(cc & services[k].flag)) {
            continue;
        }

        sluice_buf_cstr(b, "#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,"
                           "GROUP-ID=\"cc\",");

        if (lang) {
            sluice_buf_cstr(b, "LANGUAGE=\"");
            sluice_hls_text(b, lang);
            sluice_buf_cstr(b, "\",");
        }

        sluice_buf_cstr(b, services[k].attrs);
        sluice_buf_cstr(b, "\n");
    }
}


static void
sluice_hls_stream_inf(sluice_buf_t *b, const sluice_ptrack_t *t,
    const sluice_ptrack_t *audio, sluice_format_t format, unsigned group,
    const sluice_hls_enc_t *enc)
{
    uint64_t                    rate;
    const sluice_track_info_t  *vi;

    vi = t->info;

    sluice_buf_cstr(b, "#EXT-X-STREAM-INF:BANDWIDTH=");
    sluice_buf_u64(b, (uint64_t) t->bitrate + (audio ? audio->bitrate : 0));

    if (sluice_hls_is_video(t) && vi->width && vi->height) {
        sluice_buf_cstr(b, ",RESOLUTION=");
        sluice_buf_u64(b, vi->width);
        sluice_buf_cstr(b, "x");
        sluice_buf_u64(b, vi->height);
    }

    if (vi->codec_string[0]) {
        sluice_buf_cstr(b, ",CODECS=\"");
        sluice_buf_cstr(b, vi->codec_string);

        if (audio && audio->info->codec_string[0]) {
            sluice_buf_cstr(b, ",");
            sluice_buf_cstr(b, audio->info->codec_string);
        }

        sluice_buf_cstr(b, "\"");
    }

    if (sluice_hls_is_video(t) && vi->frame_rate_num && vi->frame_rate_den) {
        rate = ((uint64_t) vi->frame_rate_num * 1000 + vi->frame_rate_den / 2)
               / vi->frame_rate_den;
        sluice_buf_cstr(b, ",FRAME-RATE=");
        sluice_buf_fixed(b, rate, 3);
    }

    if (audio && group) {
        sluice_buf_cstr(b, ",AUDIO=\"audio\"");
    }

    if (sluice_hls_is_video(t) && sluice_hls_captions(t, format)) {
        sluice_buf_cstr(b, ",CLOSED-CAPTIONS=\"cc\"");
    }

    sluice_buf_cstr(b, "\n");
    sluice_hls_uri(b, t, format, enc);
    sluice_buf_cstr(b, "\n");
}


static void
sluice_hls_uri(sluice_buf_t *b, const sluice_ptrack_t *t,
    sluice_format_t format, const sluice_hls_enc_t *enc)
{
    sluice_buf_cstr(b, "QualityLevels(");
    sluice_buf_u64(b, t->bitrate);
    sluice_buf_cstr(b, ")/Manifest(");
    sluice_hls_text(b, &t->name);
    sluice_buf_cstr(b, ",format=");
    sluice_buf_cstr(b, sluice_format_name(format));

    if (enc) {
        sluice_hls_text(b, &enc->tag);
    }

    sluice_buf_cstr(b, ")");

    if (enc && enc->query.len) {
        sluice_buf_cstr(b, "?");
        sluice_hls_text(b, &enc->query);
    }
}


sluice_status_t
sluice_hls_playlist(sluice_buf_t *b, const sluice_presentation_t *p,
    const sluice_ptrack_t *t, sluice_format_t format,
    const sluice_hls_enc_t *enc)
{
    return sluice_hls_media_playlist(b, p, t, format, enc, 0);
}


sluice_status_t
sluice_hls_iframe_playlist(sluice_buf_t *b, const sluice_presentation_t *p,
    const sluice_ptrack_t *t)
{
    if (!sluice_hls_is_video(t)) {
        return SLUICE_BAD_REQUEST;
    }

    if (sluice_hls_iframe_bandwidth(p, t) == 0 && t->nfrags) {
        return SLUICE_NOT_FOUND;
    }

    return sluice_hls_media_playlist(b, p, t, SLUICE_FORMAT_HLS_TS, NULL, 1);
}


static sluice_status_t
sluice_hls_media_playlist(sluice_buf_t *b, const sluice_presentation_t *p,
    const sluice_ptrack_t *t, sluice_format_t format,
    const sluice_hls_enc_t *enc, unsigned iframes)
{
    uint32_t                       i, k, n, count, first, last, version;
    uint64_t                       ms, max, target;
    sluice_hls_ll_t                lls, *ll;
    sluice_hls_cues_t              cues, *cs;
    const sluice_hls_track_enc_t  *te;

    if (!sluice_format_is_hls(format) || t->info->timescale == 0) {
        return SLUICE_BAD_REQUEST;
    }

    n = sluice_format_is_ts(format) ? p->fragments_per_segment : 1;
    n = n ? n : 1;

    /* segments listed: [first, last) of frags */

    sluice_hls_listed(p, t, n, &first, &last, &max);
    target = max ? (max + 999) / 1000 : 1;

    ll = NULL;

    if (!iframes && sluice_hls_ll_on(p, format)) {
        sluice_hls_ll_scan(p, t, &lls);
        ll = &lls;
    }

    te = sluice_hls_track_enc(p, t, enc);
    version = sluice_hls_version(format, te, 1);

    if (ll && version < 9) {
        version = 9;        /* CAN-SKIP-UNTIL, EXT-X-SKIP (RFC 8216bis 7) */
    }

    sluice_buf_cstr(b, "#EXTM3U\n#EXT-X-VERSION:");
    sluice_buf_u64(b, version);
    sluice_buf_cstr(b, "\n#EXT-X-TARGETDURATION:");
    sluice_buf_u64(b, target);
    sluice_buf_cstr(b, "\n#EXT-X-MEDIA-SEQUENCE:");
    sluice_buf_u64(b, first < t->nfrags ? t->frags[first].seq / n : 0);
    sluice_buf_cstr(b, "\n#EXT-X-DISCONTINUITY-SEQUENCE:");
    sluice_buf_u64(b, t->discontinuities_before);
    sluice_buf_cstr(b, "\n");

    if (!iframes) {
        sluice_hls_server_control(b, p, ll, target);
    }

    if (p->ended && !p->live) {
        /* an asset played as video on demand: it will not change */
        sluice_buf_cstr(b, "#EXT-X-PLAYLIST-TYPE:VOD\n");
    }

    if (iframes) {
        sluice_buf_cstr(b, "#EXT-X-I-FRAMES-ONLY\n");
    }

    if (format == SLUICE_FORMAT_HLS_CMAF) {
        sluice_buf_cstr(b, "#EXT-X-MAP:URI=\"Fragments(");
        sluice_hls_text(b, &t->name);
        sluice_buf_cstr(b, "=i,format=m3u8-cmaf");

        if (enc) {
            sluice_hls_text(b, &enc->tag);
        }

        sluice_buf_cstr(b, ")");
        sluice_buf_cstr(b, sluice_url_segment_ext(format, SLUICE_URL_INIT));
        sluice_buf_cstr(b, "\"\n");
    }

    /* after EXT-X-MAP: the keys do not apply to the init segment */

    for (k = 0; te && !te->segment_iv && k < te->nkeys; k++) {
        sluice_hls_key(b, "#EXT-X-KEY:", te, &te->keys[k], NULL);
    }

    /* cues: tags of ad markers before the segments (not I-frames) */

    cs = NULL;

    if (p->ncues && !iframes && first < last) {
        ms = t->frags[last - 1].time + t->frags[last - 1].duration;

        if (sluice_hls_cues_init(&cues, p,
                                 sluice_hls_ms(t, t->frags[first].time),
                                 sluice_hls_ms(t, ms)))
        {
            cs = &cues;
        }
    }

    i = first;

    if (ll && ll->skip) {
        sluice_hls_ll_skip(b, t, ll, cs);
        i += ll->skip;
    }

    for ( /* void */ ; i < last; i += count) {
        count = sluice_hls_segment_frags(t, i, n);

        if (cs) {
            cs->first = (i == first);
        }

        sluice_hls_segment(b, p, t, i, count, format,
                           i == first + (ll ? ll->skip : 0), enc, iframes, cs,
                           ll);
    }

    if (ll) {
        sluice_hls_ll_tail(b, p, t, ll, enc);
    }

    if (p->ended) {
        sluice_buf_cstr(b, "#EXT-X-ENDLIST\n");
    }

    return b->rc;
}


/*
 * The segments a media playlist lists, [*first, *last) of t->frags, and
 * the longest one (ms, at least the fragment duration)
 */

static void
sluice_hls_listed(const sluice_presentation_t *p, const sluice_ptrack_t *t,
    uint32_t n, uint32_t *first, uint32_t *last, uint64_t *max)
{
    uint32_t  i, count;
    uint64_t  ms;

    *first = sluice_hls_first(t, n);
    *last = *first;
    *max = p->fragment_ms;

    for (i = *first; i < t->nfrags; i += count) {
        count = sluice_hls_segment_frags(t, i, n);

        if (!sluice_hls_complete(p, t, i, count, n)) {
            break;
        }

        ms = sluice_hls_duration(t, i, count);
        *max = ms > *max ? ms : *max;
        *last = i + count;
    }
}


/*
 * EXT-X-SERVER-CONTROL of a live playlist.  LL-HLS (ll): blocking
 * reloads, PART-HOLD-BACK three part targets (the RFC's SHOULD; the
 * player's offset from the live edge), delta updates of the segments
 * more than six target durations (the RFC's minimum) from the end; then
 * EXT-X-PART-INF.  CAN-SKIP-DATERANGES is not offered: it would need the
 * ids of the date ranges removed lately (RECENTLY-REMOVED-DATERANGES),
 * which the window no longer holds; _HLS_skip=v2 is answered as YES.
 * LowLatency (no parts): HOLD-BACK three target durations, the RFC's
 * minimum, so players that start further back by default start there.
 * Default: nothing.
 */

static void
sluice_hls_server_control(sluice_buf_t *b, const sluice_presentation_t *p,
    const sluice_hls_ll_t *ll, uint64_t target)
{
    if (ll) {
        sluice_buf_cstr(b, "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,"
                           "PART-HOLD-BACK=");
        sluice_buf_fixed(b, 3 * (uint64_t) ll->part_target, 3);
        sluice_buf_cstr(b, ",CAN-SKIP-UNTIL=");
        sluice_buf_fixed(b, 6 * 1000 * target, 3);
        sluice_buf_cstr(b, "\n#EXT-X-PART-INF:PART-TARGET=");
        sluice_buf_fixed(b, ll->part_target, 3);
        sluice_buf_cstr(b, "\n");
        return;
    }

    if (p->latency != SLUICE_LATENCY_DEFAULT && p->live && !p->ended) {
        sluice_buf_cstr(b, "#EXT-X-SERVER-CONTROL:HOLD-BACK=");
        sluice_buf_fixed(b, 3 * 1000 * target, 3);
        sluice_buf_cstr(b, "\n");
    }
}


/* milliseconds, rounded, of a duration in the track timescale */

static uint64_t
sluice_hls_ms(const sluice_ptrack_t *t, uint64_t v)
{
    uint64_t  ts;

    ts = t->info->timescale;

    if (ts == 0) {
        /* a track without a timescale has no time */
        return 0;
    }

    return (v / ts) * 1000 + ((v % ts) * 1000 + ts / 2) / ts;
}


/* milliseconds of the fragments [i, i + count) */

static uint64_t
sluice_hls_duration(const sluice_ptrack_t *t, uint32_t i, uint32_t count)
{
    uint64_t  d;

    d = 0;

    while (count--) {
        d += t->frags[i + count].duration;
    }

    return sluice_hls_ms(t, d);
}


/* the first fragment that starts a segment, skipping a cut group */

static uint32_t
sluice_hls_first(const sluice_ptrack_t *t, uint32_t n)
{
    uint32_t  i;

    for (i = 0; i < t->nfrags; i++) {
        if (sluice_hls_segment_frags(t, i, n)) {
            return i;
        }
    }

    return t->nfrags;
}


uint32_t
sluice_hls_segment_frags(const sluice_ptrack_t *t, uint32_t i,
    uint32_t per_segment)
{
    uint32_t               j, key;
    const sluice_pfrag_t  *f;

    if (i >= t->nfrags) {
        return 0;
    }

    if (per_segment <= 1) {
        return 1;
    }

    f = t->frags;
    key = f[i].seq / per_segment;

    if (!(f[i].flags & SLUICE_PFRAG_DISCONTINUITY)) {

        if (i == 0 ? f[i].seq % per_segment != 0
                   : f[i - 1].seq / per_segment == key)
        {
            /* not the start of a group, or the start left the window */
            return 0;
        }
    }

    for (j = i + 1; j < t->nfrags && j - i < per_segment; j++) {
        if (f[j].seq / per_segment != key
            || (f[j].flags & SLUICE_PFRAG_DISCONTINUITY))
        {
            break;
        }
    }

    return j - i;
}


/* a live segment is listed once no more fragments can join it */

static int
sluice_hls_complete(const sluice_presentation_t *p, const sluice_ptrack_t *t,
    uint32_t i, uint32_t count, uint32_t n)
{
    uint32_t  last;

    if (count == 0) {
        return 0;
    }

    if (n <= 1 || p->ended || count == n || i + count < t->nfrags) {
        return 1;
    }

    last = t->frags[i + count - 1].seq;

    return last % n == n - 1;
}


/*
 * A segment: its tags, EXTINF and URI.  With cues (cs), the cue tags
 * before it (sluice_hls_cues_write()) and a program date time on the
 * first segment and on each one an ad marker begins in, whether
 * program_date_time is on or not (RFC 8216bis 4.4.5.1: a playlist with
 * EXT-X-DATERANGE has an EXT-X-PROGRAM-DATE-TIME; AMS dated the segment
 * of the splice).
 */

static void
sluice_hls_segment(sluice_buf_t *b, const sluice_presentation_t *p,
    const sluice_ptrack_t *t, uint32_t i, uint32_t count,
    sluice_format_t format, unsigned first, const sluice_hls_enc_t *enc,
    unsigned iframes, sluice_hls_cues_t *cs, sluice_hls_ll_t *ll)
{
    uint32_t                       k;
    uint64_t                       start, d;
    unsigned                       pdt;
    const sluice_pfrag_t          *f;
    const sluice_hls_track_enc_t  *te;

    f = &t->frags[i];
    start = sluice_hls_ms(t, f->time);
    d = sluice_hls_duration(t, i, count);

    if (f->flags & SLUICE_PFRAG_DISCONTINUITY) {
        sluice_buf_cstr(b, "#EXT-X-DISCONTINUITY\n");
    }

    /* LL-HLS: always dated, players measure their latency by it */
    pdt = (p->program_date_time || ll)
          && (first || (f->flags & SLUICE_PFRAG_DISCONTINUITY));

    if (cs) {
        pdt = pdt || first || sluice_hls_cues_begin(cs, start + d);
    }

    if (pdt) {
        sluice_buf_cstr(b, "#EXT-X-PROGRAM-DATE-TIME:");
        sluice_buf_utc(b, p->epoch_ms + (int64_t) start);
        sluice_buf_cstr(b, "\n");
    }

    if (cs) {
        sluice_hls_cues_write(b, cs, start, start + d, 0);
    }

    te = sluice_hls_track_enc(p, t, enc);

    for (k = 0; te && te->segment_iv && k < te->nkeys; k++) {
        sluice_hls_key(b, "#EXT-X-KEY:", te, &te->keys[k], f);
    }

    if (ll && i >= ll->parts_seg) {
        sluice_hls_ll_parts(b, t, ll, f->time, enc);
    }

    sluice_buf_cstr(b, "#EXTINF:");
    sluice_buf_fixed(b, d, 3);
    sluice_buf_cstr(b, ",\n");

    if (iframes) {
        /* PAT, PMT and the keyframe: the start of the segment */
        sluice_buf_cstr(b, "#EXT-X-BYTERANGE:");
        sluice_buf_u64(b, f->key_size);
        sluice_buf_cstr(b, "@0\n");
    }

    sluice_hls_fragment_uri(b, t, f->time, format, enc, -1);
    sluice_buf_cstr(b, "\n");
}


/*
 * "Fragments({track}={time},format=...{tag}[,part=N]){ext}": a segment,
 * or part N of the fragment at time (LL-HLS)
 */

static void
sluice_hls_fragment_uri(sluice_buf_t *b, const sluice_ptrack_t *t,
    uint64_t time, sluice_format_t format, const sluice_hls_enc_t *enc,
    int64_t part)
{
    sluice_buf_cstr(b, "Fragments(");
    sluice_hls_text(b, &t->name);
    sluice_buf_cstr(b, "=");
    sluice_buf_u64(b, time);
    sluice_buf_cstr(b, ",format=");
    sluice_buf_cstr(b, sluice_format_name(format));

    if (enc) {
        sluice_hls_text(b, &enc->tag);
    }

    if (part >= 0) {
        sluice_buf_cstr(b, ",part=");
        sluice_buf_u64(b, (uint64_t) part);
    }

    sluice_buf_cstr(b, ")");
    sluice_buf_cstr(b, sluice_url_segment_ext(format, SLUICE_URL_SEGMENT));
}


/* a cue with tags in playlists: an ad marker placed on the timeline */

#define sluice_hls_cue_tagged(c)                                             \
    ((c)->has_time && (c)->kind >= SLUICE_CUE_SPLICE_OUT                     \
     && (c)->kind <= SLUICE_CUE_CMD)


/*
 * Cue tags for the segments from start to end (ms): returns 0 when no
 * cue has a tag there, and the playlist is written as without cues.
 * Timed metadata (SLUICE_CUE_METADATA) has none: it travels in the
 * segments (ID3 in TS, emsg in CMAF), where players read it; a
 * DATERANGE too would raise it twice in hls.js.
 */

static int
sluice_hls_cues_init(sluice_hls_cues_t *cs, const sluice_presentation_t *p,
    uint64_t start, uint64_t end)
{
    uint32_t             k;
    const sluice_cue_t  *c;

    for (k = 0; k < p->ncues; k++) {
        c = &p->cues[k];

        if (c->time >= end) {
            break;
        }

        if (sluice_hls_cue_tagged(c) && sluice_cue_after(c, start)) {
            cs->p = p;
            cs->start = start;
            cs->next = 0;
            cs->active = 0;
            cs->first = 1;

            return 1;
        }
    }

    return 0;
}


/* an ad marker begins before end: the segment ending there is dated */

static int
sluice_hls_cues_begin(sluice_hls_cues_t *cs, uint64_t end)
{
    uint32_t             k;
    const sluice_cue_t  *c;

    for (k = cs->next; k < cs->p->ncues; k++) {
        c = &cs->p->cues[k];

        if (c->time >= end) {
            break;
        }

        if (sluice_hls_cue_tagged(c) && sluice_cue_after(c, cs->start)) {
            return 1;
        }
    }

    return 0;
}


/*
 * The cue tags before the segment [start, end): an EXT-X-DATERANGE for
 * each cue that begins in it (at the first segment, each one that began
 * before and is still on, which the window keeps), then AMS's Adobe
 * EXT-X-CUE for those, and again, with ELAPSED, for each ad break (a
 * splice out with a duration) still on at the start of the segment.
 * A segment a delta update skips (skipped): its EXT-X-DATERANGEs alone
 * (playlist tags, not the segment's: RFC 8216bis 6.2.5.1 keeps them).
 * Cues are in time order; "active" only moves past cues that are over,
 * so a segment looks at the cues of its breaks and the new ones alone.
 */

static void
sluice_hls_cues_write(sluice_buf_t *b, sluice_hls_cues_t *cs,
    uint64_t start, uint64_t end, unsigned skipped)
{
    uint32_t             k, n, reached;
    const sluice_cue_t  *c, *cues;

    cues = cs->p->cues;
    n = cs->p->ncues;

    for (k = cs->next; k < n && cues[k].time < end; k++) {
        if (sluice_hls_cue_tagged(&cues[k])
            && sluice_cue_after(&cues[k], cs->start))
        {
            sluice_hls_daterange(b, cs->p, k);
        }
    }

    reached = k;

    for (k = cs->active; !skipped && k < reached; k++) {
        c = &cues[k];

        if (!sluice_hls_cue_tagged(c) || !sluice_cue_after(c, cs->start)) {
            continue;
        }

        if (k >= cs->next && (c->time >= start || !cs->first)) {
            /* begins here (or in a hole before this segment) */
            sluice_hls_adobe(b, c, 0, start);

        } else if (c->kind == SLUICE_CUE_SPLICE_OUT
                   && c->time + c->duration > start)
        {
            /* inside the break */
            sluice_hls_adobe(b, c, 1, start);
        }
    }

    cs->next = reached;

    /* the breaks over by the next segment, and the cues without one */

    while (cs->active < reached) {
        c = &cues[cs->active];

        if (sluice_hls_cue_tagged(c) && c->kind == SLUICE_CUE_SPLICE_OUT
            && c->time + c->duration > end)
        {
            break;
        }

        cs->active++;
    }
}


/*
 * EXT-X-DATERANGE of cue k (RFC 8216bis 4.4.5.1.1): a splice out with
 * its PLANNED-DURATION; a splice in that ends one (the latest splice out
 * before it with the same event id) with that one's ID and START-DATE and
 * the DURATION of the break, as the RFC's example; others at their own
 * time.  SCTE35-OUT, -IN or -CMD: the section, the one Sluice made for
 * AMS's simple mode included; none without a section.
 */

static void
sluice_hls_daterange(sluice_buf_t *b, const sluice_presentation_t *p,
    uint32_t k)
{
    uint8_t                 buf[24];
    const sluice_cue_t     *c, *out;
    sluice_cue_daterange_t  d;

    c = &p->cues[k];

    memset(&d, 0, sizeof(sluice_cue_daterange_t));

    sluice_hls_cue_id(c, &d.id, buf);
    d.start = p->epoch_ms + (int64_t) c->time;
    d.kind = c->kind;
    d.section = c->section;

    if (c->kind == SLUICE_CUE_SPLICE_OUT && c->duration) {
        d.has_planned_duration = 1;
        d.planned_duration = c->duration;
    }

    if (c->kind == SLUICE_CUE_SPLICE_IN) {
        out = sluice_hls_cue_out(p, k);

        if (out) {
            sluice_hls_cue_id(out, &d.id, buf);
            d.start = p->epoch_ms + (int64_t) out->time;
            d.has_duration = 1;
            d.duration = c->time - out->time;
        }
    }

    sluice_cue_hls_daterange(b, &d);
}


/*
 * AMS's Adobe EXT-X-CUE: TYPE="SpliceOut" for simple mode (and Elemental
 * onCuePoint without a section), TYPE="scte35" with the section else;
 * times in seconds of the timeline; repeat: ELAPSED since the cue
 */

static void
sluice_hls_adobe(sluice_buf_t *b, const sluice_cue_t *c, unsigned repeat,
    uint64_t start)
{
    uint8_t             buf[24];
    sluice_cue_adobe_t  a;

    memset(&a, 0, sizeof(sluice_cue_adobe_t));

    sluice_hls_cue_id(c, &a.id, buf);
    a.simple = (c->source == SLUICE_CUE_FROM_SIMPLE || c->section_made
                || c->section.len == 0);
    a.timescale = 1000;
    a.time = c->time;
    a.duration = c->duration;
    a.section = c->section;

    if (repeat) {
        a.has_elapsed = 1;
        a.elapsed = start - c->time;
    }

    sluice_cue_hls_cue(b, &a);
}


/* the splice out that splice in k ends: NULL when none */

static const sluice_cue_t *
sluice_hls_cue_out(const sluice_presentation_t *p, uint32_t k)
{
    const sluice_cue_t  *c, *o;

    c = &p->cues[k];

    if (c->section.len == 0) {
        return NULL;
    }

    while (k--) {
        o = &p->cues[k];

        if (o->kind == SLUICE_CUE_SPLICE_OUT && o->has_time
            && o->section.len && !o->section_made
            && o->event_id == c->event_id && o->time <= c->time)
        {
            return o;
        }
    }

    return NULL;
}


/* the cue's id; without one, its event id, else its time (buf: 21 bytes) */

static void
sluice_hls_cue_id(const sluice_cue_t *c, sluice_str_t *id, uint8_t *buf)
{
    size_t    n;
    uint8_t   d[20];
    uint64_t  v;

    if (c->id.len) {
        *id = c->id;
        return;
    }

    v = c->section.len ? c->event_id : c->time;
    n = 0;

    do {
        d[n++] = (uint8_t) ('0' + v % 10);
        v /= 10;
    } while (v);

    id->data = buf;
    id->len = n;

    while (n) {
        *buf++ = d[--n];
    }
}


/* a name in a quoted-string or a URI line: no quote, no line break */

static void
sluice_hls_text(sluice_buf_t *b, const sluice_str_t *s)
{
    size_t  i;

    for (i = 0; i < s->len; i++) {
        if (s->data[i] != '"' && s->data[i] != '\r' && s->data[i] != '\n') {
            sluice_buf_add(b, &s->data[i], 1);
        }
    }
}


/* 16 lowercase hex digits */

static void
sluice_hls_hex64(sluice_buf_t *b, uint64_t v)
{
    int      i;
    uint8_t  d[16];

    static const char  digits[] = "0123456789abcdef";

    for (i = 15; i >= 0; i--) {
        d[i] = (uint8_t) digits[v & 0x0f];
        v >>= 4;
    }

    sluice_buf_add(b, d, 16);
}


/* LL-HLS ----------------------------------------------------------------- */


/*
 * What an LL-HLS media playlist of t lists (m3u8-cmaf: a segment per
 * fragment): the segments, the parts of the newest of them (those that
 * start within three target durations of the end of the playlist, RFC
 * 8216bis 6.2.2, each with all its parts: from index 0, adding up to
 * the fragment; an older segment or one without all its parts ends the
 * run), the parts of the fragment in progress (from index 0, following
 * the last segment without a hole: after a hole the fragment waits for
 * its EXT-X-DISCONTINUITY, it is listed once complete), and the
 * segments a delta update skips.
 */

static void
sluice_hls_ll_scan(const sluice_presentation_t *p, const sluice_ptrack_t *t,
    sluice_hls_ll_t *ll)
{
    uint32_t               i;
    uint64_t               end, edge, from, boundary;
    const sluice_pfrag_t  *f;
    const sluice_ppart_t  *last;

    memset(ll, 0, sizeof(sluice_hls_ll_t));

    sluice_hls_listed(p, t, 1, &ll->first, &ll->last, &ll->max);
    ll->target = 1000 * (ll->max ? (ll->max + 999) / 1000 : 1);
    ll->msn = ll->first < t->nfrags ? t->frags[ll->first].seq : 0;
    ll->part_target = sluice_hls_ll_part_target(p);
    ll->parts_seg = ll->last;
    ll->progress = t->nparts;

    if (ll->first == ll->last) {
        /* parts once a segment is listed: the numbering starts there */
        return;
    }

    f = &t->frags[ll->last - 1];
    end = sluice_hls_ms(t, f->time + f->duration);

    sluice_hls_ll_progress(t, ll);

    edge = end;

    if (ll->nprogress) {
        last = &t->parts[ll->progress + ll->nprogress - 1];
        edge = sluice_hls_ms(t, last->time + last->duration);
        edge = edge > end ? edge : end;
        ll->hint = 1;

    } else if (ll->progress == t->nparts) {
        /* nothing in progress: part 0 of the next fragment is hinted */
        ll->hint = 1;
    }

    /* the parts of the segments that start within 3 target durations */

    from = edge > 3 * ll->target ? edge - 3 * ll->target : 0;

    for (i = ll->last; i-- > ll->first; ) {
        if (sluice_hls_ms(t, t->frags[i].time) < from) {
            break;
        }

        if (!sluice_hls_ll_whole(t, i)) {
            break;
        }

        ll->parts_seg = i;
    }

    /* a delta update: the segments that start before the skip boundary */

    if (p->hls_skip != SLUICE_HLS_SKIP_NONE && end > 6 * ll->target) {
        boundary = end - 6 * ll->target;

        for (i = ll->first; i < ll->last; i++) {
            if (sluice_hls_ms(t, t->frags[i].time) >= boundary) {
                break;
            }
        }

        ll->skip = i - ll->first;
    }
}


/* the fragment's parts: from index 0 on, adding up to frags[i] */

static int
sluice_hls_ll_whole(const sluice_ptrack_t *t, uint32_t i)
{
    uint32_t  k, from, count;
    uint64_t  d;

    from = sluice_hls_ll_parts_of(t, t->frags[i].time, 0, &count);

    d = 0;

    for (k = from; k < from + count; k++) {
        d += t->parts[k].duration;
    }

    return count && d == t->frags[i].duration;
}


/*
 * The parts of the fragment at frag_time, from t->parts[from] on: returns
 * the index of the first one, *count how many follow in a run of indexes
 * 0, 1, 2... (0 when there are none or the first is not index 0)
 */

static uint32_t
sluice_hls_ll_parts_of(const sluice_ptrack_t *t, uint64_t frag_time,
    uint32_t from, uint32_t *count)
{
    uint32_t  k, n;

    *count = 0;

    for (k = from; k < t->nparts && t->parts[k].frag_time < frag_time; k++) {
        /* void */
    }

    for (n = 0; k + n < t->nparts; n++) {
        if (t->parts[k + n].frag_time != frag_time
            || t->parts[k + n].index != n)
        {
            break;
        }
    }

    *count = n;

    return k;
}


/*
 * The fragment in progress: the parts after the last listed fragment.
 * Listed (nprogress) when they start where it ends, from index 0; the
 * first of several such fragments only (the index lags behind).
 */

static void
sluice_hls_ll_progress(const sluice_ptrack_t *t, sluice_hls_ll_t *ll)
{
    uint32_t               k, n;
    uint64_t               end;
    const sluice_pfrag_t  *f;

    f = &t->frags[ll->last - 1];
    end = f->time + f->duration;

    for (k = 0; k < t->nparts && t->parts[k].frag_time <= f->time; k++) {
        /* void */
    }

    ll->progress = k;
    ll->nprogress = 0;

    if (k == t->nparts || t->parts[k].frag_time != end) {
        return;
    }

    (void) sluice_hls_ll_parts_of(t, end, k, &n);
    ll->nprogress = n;
}


/*
 * PART-TARGET (ms): the part duration of the event, or the longest part
 * of any track when one is longer (a part ends at a frame: a long frame
 * makes a long part; EXT-X-PART DURATION must not exceed PART-TARGET,
 * RFC 8216bis 4.4.3.7).  Over all the tracks, so that every media
 * playlist of the master says the same (6.2.4: the same
 * EXT-X-SERVER-CONTROL in all of them); it goes down again once the
 * long part has left the parts the packager gives.
 */

static uint32_t
sluice_hls_ll_part_target(const sluice_presentation_t *p)
{
    uint32_t                i, k;
    uint64_t                ms, max;
    const sluice_ptrack_t  *t;

    max = p->part_ms;

    for (i = 0; i < p->ntracks; i++) {
        t = &p->tracks[i];

        for (k = 0; k < t->nparts && t->info->timescale; k++) {
            ms = sluice_hls_ms(t, t->parts[k].duration);
            max = ms > max ? ms : max;
        }
    }

    return (uint32_t) (max < UINT32_MAX ? max : UINT32_MAX);
}


/*
 * A delta update (_HLS_skip): EXT-X-SKIP for the segments before the
 * skip boundary, then the EXT-X-DATERANGEs of the cues that begin in them
 * (date ranges are playlist tags: they stay)
 */

static void
sluice_hls_ll_skip(sluice_buf_t *b, const sluice_ptrack_t *t,
    sluice_hls_ll_t *ll, sluice_hls_cues_t *cs)
{
    uint32_t               i;
    uint64_t               start;
    const sluice_pfrag_t  *f;

    sluice_buf_cstr(b, "#EXT-X-SKIP:SKIPPED-SEGMENTS=");
    sluice_buf_u64(b, ll->skip);
    sluice_buf_cstr(b, "\n");

    for (i = ll->first; cs && i < ll->first + ll->skip; i++) {
        f = &t->frags[i];
        start = sluice_hls_ms(t, f->time);

        cs->first = (i == ll->first);
        sluice_hls_cues_write(b, cs, start,
                              start + sluice_hls_ms(t, f->duration), 1);
    }
}


/* the EXT-X-PART lines of the fragment at frag_time */

static void
sluice_hls_ll_parts(sluice_buf_t *b, const sluice_ptrack_t *t,
    sluice_hls_ll_t *ll, uint64_t frag_time, const sluice_hls_enc_t *enc)
{
    uint32_t               k, from, count;
    const sluice_ppart_t  *pt;

    from = sluice_hls_ll_parts_of(t, frag_time, ll->cursor, &count);

    for (k = from; k < from + count; k++) {
        pt = &t->parts[k];

        sluice_buf_cstr(b, "#EXT-X-PART:DURATION=");
        sluice_buf_fixed(b, sluice_hls_ms(t, pt->duration), 3);
        sluice_buf_cstr(b, ",URI=\"");
        sluice_hls_fragment_uri(b, t, frag_time, SLUICE_FORMAT_HLS_CMAF, enc,
                                pt->index);
        sluice_buf_cstr(b, "\"");

        if (pt->flags & SLUICE_PPART_INDEPENDENT) {
            sluice_buf_cstr(b, ",INDEPENDENT=YES");
        }

        sluice_buf_cstr(b, "\n");
    }

    ll->cursor = from + count;
}


/*
 * After the segments: the parts of the fragment in progress, the preload
 * hint of the next part (the next of the fragment in progress, else, or
 * when its last part is there, part 0 of the fragment after it), the
 * rendition reports
 */

static void
sluice_hls_ll_tail(sluice_buf_t *b, const sluice_presentation_t *p,
    const sluice_ptrack_t *t, sluice_hls_ll_t *ll, const sluice_hls_enc_t *enc)
{
    uint32_t               i;
    uint64_t               time, next;
    const sluice_pfrag_t  *f;
    const sluice_ppart_t  *pp;

    if (ll->first < ll->last && ll->hint) {
        f = &t->frags[ll->last - 1];
        time = f->time + f->duration;
        next = 0;

        if (ll->nprogress) {
            ll->cursor = ll->progress;
            sluice_hls_ll_parts(b, t, ll, time, enc);
            pp = &t->parts[ll->progress + ll->nprogress - 1];
            next = pp->index + 1;

            if (pp->flags & SLUICE_PPART_LAST) {
                /* its fragment is cut: part 0 of the next one */
                time = pp->time + pp->duration;
                next = 0;
            }
        }

        sluice_buf_cstr(b, "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"");
        sluice_hls_fragment_uri(b, t, time, SLUICE_FORMAT_HLS_CMAF, enc,
                                (int64_t) next);
        sluice_buf_cstr(b, "\"\n");
    }

    for (i = 0; i < p->ntracks; i++) {
        if (&p->tracks[i] != t
            && !(p->tracks[i].bitrate == t->bitrate
                 && p->tracks[i].info->media_type == t->info->media_type))
        {
            sluice_hls_ll_report(b, p, &p->tracks[i], enc);
        }
    }
}


/*
 * EXT-X-RENDITION-REPORT of track u: the URI the master gives its media
 * playlist, from this one's directory (QualityLevels(...)/), its last
 * segment and part as its own playlist lists them
 */

static void
sluice_hls_ll_report(sluice_buf_t *b, const sluice_presentation_t *p,
    const sluice_ptrack_t *u, const sluice_hls_enc_t *enc)
{
    int64_t   part;
    uint64_t  msn;

    if (!sluice_hls_ll_last(p, u, &msn, &part)) {
        return;
    }

    sluice_buf_cstr(b, "#EXT-X-RENDITION-REPORT:URI=\"../");
    sluice_hls_uri(b, u, SLUICE_FORMAT_HLS_CMAF, enc);
    sluice_buf_cstr(b, "\",LAST-MSN=");
    sluice_buf_u64(b, msn);

    if (part >= 0) {
        sluice_buf_cstr(b, ",LAST-PART=");
        sluice_buf_u64(b, (uint64_t) part);
    }

    sluice_buf_cstr(b, "\n");
}


int
sluice_hls_ll_last(const sluice_presentation_t *p, const sluice_ptrack_t *t,
    uint64_t *msn, int64_t *part)
{
    uint32_t         from, count;
    sluice_hls_ll_t  ll;

    if (t->info->timescale == 0) {
        return 0;
    }

    sluice_hls_ll_scan(p, t, &ll);

    if (ll.first == ll.last) {
        return 0;
    }

    if (ll.nprogress) {
        *msn = ll.msn + (ll.last - ll.first);
        *part = t->parts[ll.progress + ll.nprogress - 1].index;
        return 1;
    }

    *msn = ll.msn + (ll.last - ll.first) - 1;
    *part = -1;

    if (ll.parts_seg < ll.last) {
        from = sluice_hls_ll_parts_of(t, t->frags[ll.last - 1].time, 0,
                                      &count);
        *part = t->parts[from + count - 1].index;
    }

    return 1;
}


sluice_status_t
sluice_hls_ll_check(const sluice_presentation_t *p, const sluice_ptrack_t *t,
    uint64_t msn, int64_t part)
{
    int64_t          last_part, final, limit, nominal, ahead;
    uint64_t         last;
    uint32_t         count;
    unsigned         complete;
    sluice_hls_ll_t  ll;

    if (!p->live || p->ended) {
        /* EXT-X-ENDLIST: the directives are ignored (6.2.5.2) */
        return SLUICE_OK;
    }

    if (!sluice_hls_ll_last(p, t, &last, &last_part)) {
        return SLUICE_AGAIN;
    }

    if (msn > last + 2) {
        return SLUICE_BAD_REQUEST;
    }

    sluice_hls_ll_scan(p, t, &ll);
    complete = (ll.nprogress == 0);

    /* parts a fragment has: as cut, or as the last one was */

    nominal = 1;

    if (p->part_ms) {
        nominal = (p->fragment_ms + p->part_ms - 1) / p->part_ms;
    }

    (void) sluice_hls_ll_parts_of(t, t->frags[ll.last - 1].time, 0, &count);
    nominal = (int64_t) count > nominal ? (int64_t) count : nominal;
    nominal = nominal ? nominal : 1;

    /* the Advance Part Limit: 3 / PART-TARGET (s) below 1 s, else 3 */

    limit = 3;

    if (ll.part_target && ll.part_target < 1000) {
        limit = (3000 + ll.part_target - 1) / ll.part_target;
    }

    if (part < 0) {
        /* a whole segment */
        return (msn < last || (msn == last && complete)) ? SLUICE_OK
                                                         : SLUICE_AGAIN;
    }

    /* the final part of a complete last segment, known or as cut */
    final = last_part;

    if (complete && final < 0) {
        final = nominal - 1;
    }

    if (msn < last) {
        /* a part past a segment's last is part 0 of the next: there */
        return SLUICE_OK;
    }

    if (msn == last) {
        if (part <= final) {
            return SLUICE_OK;
        }

        return (part - final > limit) ? SLUICE_BAD_REQUEST : SLUICE_AGAIN;
    }

    /* parts ahead of the last one: the rest of its fragment, then on */

    ahead = (int64_t) (msn - last - 1) * nominal + part + 1;

    if (!complete && nominal - 1 > final) {
        ahead += nominal - 1 - final;
    }

    return (ahead > limit) ? SLUICE_BAD_REQUEST : SLUICE_AGAIN;
}
