
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * DASH MPD writer; see sluice_dash.h.
 */


#include "media/manifest/sluice_dash.h"
#include "media/signal/sluice_cue_box.h"
#include "media/signal/sluice_cue_text.h"
#include "util/sluice_uuid.h"


#define SLUICE_DASH_MAX_PERIODS  64
#define SLUICE_DASH_MAX_TRACKS   64

/* the 'cbcs' scheme FourCC of sluice_pprotect_t */
#define SLUICE_DASH_CBCS         0x63626373

/* EventStream@timescale: 100 ns, as AMS wrote its events */
#define SLUICE_DASH_EVENT_TIMESCALE  10000000

/* the EventStreams of cues: SCTE-35 sections, AMS simple mode, metadata */
#define SLUICE_DASH_CUES_SCTE35      1
#define SLUICE_DASH_CUES_SIMPLE      2
#define SLUICE_DASH_CUES_METADATA    3


typedef struct {
    sluice_buf_t                 *b;
    const sluice_presentation_t  *p;
    sluice_format_t               format;
    uint64_t                      start_ms;
    uint64_t                      end_ms;
    uint32_t                      nsets;

    /* LL-DASH: chunked segments, the fragment in progress listed */
    unsigned                      ll:1;

    /* Period starts on the timeline (ms), from the first video track */
    uint64_t                      periods[SLUICE_DASH_MAX_PERIODS];
    uint32_t                      nperiods;
    uint32_t                      period;       /* the one being written */

    /* the tracks restricted to the fragments of that Period */
    sluice_ptrack_t               views[SLUICE_DASH_MAX_TRACKS];
} sluice_dash_ctx_t;


static void sluice_dash_span(sluice_dash_ctx_t *ctx);
static void sluice_dash_periods(sluice_dash_ctx_t *ctx);
static void sluice_dash_period(sluice_dash_ctx_t *ctx, uint32_t k);
static void sluice_dash_view(sluice_dash_ctx_t *ctx, uint32_t k,
    const sluice_ptrack_t *t, sluice_ptrack_t *v);
static void sluice_dash_mpd_open(sluice_dash_ctx_t *ctx);
static uint64_t sluice_dash_ll_target(const sluice_presentation_t *p);
static void sluice_dash_service(sluice_dash_ctx_t *ctx);
static void sluice_dash_prt(sluice_dash_ctx_t *ctx, uint32_t first);
static void sluice_dash_utc(sluice_buf_t *b, const sluice_presentation_t *p,
    const char *indent);
static int sluice_dash_progress(sluice_dash_ctx_t *ctx,
    const sluice_ptrack_t *t, sluice_pfrag_t *next);
static void sluice_dash_set(sluice_dash_ctx_t *ctx, uint32_t first);
static void sluice_dash_set_attrs(sluice_dash_ctx_t *ctx, uint32_t first);
static void sluice_dash_protection(sluice_buf_t *b,
    const sluice_pprotect_t *cp);
static void sluice_dash_sea(sluice_buf_t *b, const sluice_pprotect_t *cp);
static void sluice_dash_captions(sluice_dash_ctx_t *ctx, uint32_t first);
static void sluice_dash_events(sluice_dash_ctx_t *ctx, uint32_t k);
static void sluice_dash_event_stream(sluice_dash_ctx_t *ctx, uint32_t k,
    const sluice_cue_t *first);
static int sluice_dash_cue_in(sluice_dash_ctx_t *ctx, uint32_t k,
    const sluice_cue_t *c);
static uint32_t sluice_dash_cue_class(const sluice_cue_t *c);
static int sluice_dash_same_stream(const sluice_cue_t *a,
    const sluice_cue_t *b);
static void sluice_dash_inband(sluice_dash_ctx_t *ctx, uint32_t first);
static void sluice_dash_system(sluice_buf_t *b, const char *uuid,
    const char *value, const sluice_str_t *pssh, const sluice_str_t *pro,
    const sluice_str_t *laurl);
static void sluice_dash_representation(sluice_dash_ctx_t *ctx,
    const sluice_ptrack_t *t, unsigned template);
static void sluice_dash_template(sluice_dash_ctx_t *ctx,
    const sluice_ptrack_t *t, const char *indent);
static void sluice_dash_timeline(sluice_dash_ctx_t *ctx,
    const sluice_ptrack_t *t, const char *indent);
static void sluice_dash_s(sluice_buf_t *b, const char *indent,
    const sluice_pfrag_t *f, unsigned with_t, uint32_t repeat);
static void sluice_dash_attr_u64(sluice_buf_t *b, const char *name,
    uint64_t v);
static uint64_t sluice_dash_ms(const sluice_ptrack_t *t, uint64_t v);


#define sluice_dash_is_video(t)                                              \
    ((t)->info->media_type == SLUICE_MEDIA_VIDEO)


sluice_status_t
sluice_dash_mpd(sluice_buf_t *b, const sluice_presentation_t *p,
    sluice_format_t format)
{
    uint32_t           i, k;
    sluice_dash_ctx_t  ctx;

    if (!sluice_format_is_dash(format)) {
        return SLUICE_BAD_REQUEST;
    }

    if (p->ntracks == 0) {
        return SLUICE_NOT_FOUND;
    }

    if (p->ntracks > SLUICE_DASH_MAX_TRACKS) {
        return SLUICE_BAD_DATA;
    }

    for (i = 0; i < p->ntracks; i++) {
        if (p->tracks[i].info->timescale == 0) {
            return SLUICE_BAD_DATA;
        }
    }

    ctx.b = b;
    ctx.p = p;
    ctx.format = format;
    ctx.nsets = 0;
    ctx.ll = (p->live && !p->ended && p->part_ms
              && format == SLUICE_FORMAT_DASH_CMAF);

    sluice_dash_span(&ctx);
    sluice_dash_periods(&ctx);
    sluice_dash_mpd_open(&ctx);

    if (ctx.ll) {
        sluice_dash_service(&ctx);
    }

    for (k = 0; k < ctx.nperiods; k++) {
        sluice_dash_period(&ctx, k);
    }

    if (p->live && !p->ended) {
        sluice_dash_utc(b, p, "  ");
    }

    sluice_buf_cstr(b, "</MPD>\n");

    return b->rc;
}


/* first and last milliseconds over all tracks */

static void
sluice_dash_span(sluice_dash_ctx_t *ctx)
{
    uint32_t                i;
    uint64_t                start, end;
    const sluice_pfrag_t   *last;
    const sluice_ptrack_t  *t;

    ctx->start_ms = UINT64_MAX;
    ctx->end_ms = 0;

    for (i = 0; i < ctx->p->ntracks; i++) {
        t = &ctx->p->tracks[i];

        if (t->nfrags == 0) {
            continue;
        }

        last = &t->frags[t->nfrags - 1];
        start = sluice_dash_ms(t, t->frags[0].time);
        end = sluice_dash_ms(t, last->time + last->duration);

        ctx->start_ms = start < ctx->start_ms ? start : ctx->start_ms;
        ctx->end_ms = end > ctx->end_ms ? end : ctx->end_ms;
    }

    if (ctx->start_ms == UINT64_MAX) {
        ctx->start_ms = 0;
    }
}


/*
 * A Period per discontinuity (DASH-IF IOP: availabilityStartTime stays,
 * the media times stay on the wall clock).  A new Period starts where the
 * media before the hole ends, so the hole is at the start of the Period
 * whose media follows it (a player that joins or seeks into the hole
 * finds that media ahead of it in the same Period; with the hole at the
 * end of the earlier Period, dash.js waits there for segments that never
 * come).  The split points come from the first video track (the first
 * track without video); the first Period starts as the ring says
 * (ptrack->period_start) when known, so its id and start stay while the
 * window slides.
 * Static: the first Period starts with the first fragment, at PT0S.
 */

static void
sluice_dash_periods(sluice_dash_ctx_t *ctx)
{
    uint32_t                i;
    uint64_t                ms, origin;
    const sluice_ptrack_t  *t, *ref;

    ref = NULL;

    for (i = 0; i < ctx->p->ntracks; i++) {
        t = &ctx->p->tracks[i];

        if (t->nfrags == 0) {
            continue;
        }

        if (ref == NULL
            || (sluice_dash_is_video(t) && !sluice_dash_is_video(ref)))
        {
            ref = t;
        }
    }

    ctx->nperiods = 1;
    ctx->periods[0] = 0;

    if (ref == NULL) {
        ctx->periods[0] = ctx->start_ms;
        return;
    }

    ms = sluice_dash_ms(ref, ref->frags[0].time);
    origin = sluice_dash_ms(ref, ref->period_start);

    if (origin > ms
        || (origin == 0
            && (ref->frags[0].flags & SLUICE_PFRAG_DISCONTINUITY)))
    {
        origin = ms;
    }

    ctx->periods[0] = origin;

    for (i = 1; i < ref->nfrags; i++) {
        if (!(ref->frags[i].flags & SLUICE_PFRAG_DISCONTINUITY)) {
            continue;
        }

        /*
         * the new Period begins where the media before the hole ends: a
         * player joining inside the hole is in the Period that has media
         * ahead of it, and moves to its first segment
         */

        ms = sluice_dash_ms(ref, ref->frags[i - 1].time
                                 + ref->frags[i - 1].duration);

        if (ms > sluice_dash_ms(ref, ref->frags[i].time)) {
            ms = sluice_dash_ms(ref, ref->frags[i].time);
        }

        if (ms > ctx->periods[ctx->nperiods - 1]
            && ctx->nperiods < SLUICE_DASH_MAX_PERIODS)
        {
            ctx->periods[ctx->nperiods++] = ms;
        }
    }

    if (!ctx->p->live || ctx->p->ended) {
        ctx->periods[0] = ctx->start_ms;
    }
}


static void
sluice_dash_period(sluice_dash_ctx_t *ctx, uint32_t k)
{
    uint32_t                i, j;
    uint64_t                start, end;
    sluice_buf_t           *b;
    const sluice_ptrack_t  *v;

    b = ctx->b;
    ctx->period = k;
    ctx->nsets = 0;

    for (i = 0; i < ctx->p->ntracks; i++) {
        sluice_dash_view(ctx, k, &ctx->p->tracks[i], &ctx->views[i]);
    }

    start = ctx->periods[k];

    sluice_buf_cstr(b, "  <Period id=\"");
    sluice_buf_u64(b, start);
    sluice_buf_cstr(b, "\" start=\"");

    if (!ctx->p->live || ctx->p->ended) {
        end = (k + 1 < ctx->nperiods) ? ctx->periods[k + 1] : ctx->end_ms;
        end = end > start ? end : start;

        if (start > ctx->periods[0]) {
            sluice_buf_duration(b, start - ctx->periods[0]);

        } else {
            sluice_buf_cstr(b, "PT0S");
        }

        sluice_buf_cstr(b, "\" duration=\"");
        sluice_buf_duration(b, end - start);

    } else if (start) {
        sluice_buf_duration(b, start);

    } else {
        sluice_buf_cstr(b, "PT0S");
    }

    sluice_buf_cstr(b, "\">\n");

    if (ctx->p->ncues) {
        sluice_dash_events(ctx, k);
    }

    /* an AdaptationSet at the first track of each kind */

    for (i = 0; i < ctx->p->ntracks; i++) {
        v = &ctx->views[i];

        if (v->nfrags == 0) {
            continue;
        }

        for (j = 0; j < i; j++) {
            if (ctx->views[j].nfrags
                && sluice_ptrack_same_kind(&ctx->views[j], v))
            {
                break;
            }
        }

        if (j == i) {
            sluice_dash_set(ctx, i);
        }
    }

    sluice_buf_cstr(b, "  </Period>\n");
}


/*
 * The fragments of a track in Period k: a fragment goes to the last
 * Period it starts in, within half a fragment before the split when it
 * is a discontinuity (audio cut at the video cut time, rounded).
 */

static void
sluice_dash_view(sluice_dash_ctx_t *ctx, uint32_t k, const sluice_ptrack_t *t,
    sluice_ptrack_t *v)
{
    uint32_t               i, p, first, n;
    uint64_t               ms, tol, split;
    const sluice_pfrag_t  *f;

    *v = *t;
    v->nfrags = 0;

    tol = (ctx->p->fragment_ms ? ctx->p->fragment_ms : 2000) / 2;
    p = 0;
    first = 0;
    n = 0;

    for (i = 0; i < t->nfrags; i++) {
        f = &t->frags[i];
        ms = sluice_dash_ms(t, f->time);

        while (p + 1 < ctx->nperiods) {
            split = ctx->periods[p + 1];

            if (ms >= split
                || (ms + tol >= split
                    && (f->flags & SLUICE_PFRAG_DISCONTINUITY)))
            {
                p++;
                continue;
            }

            break;
        }

        if (p < k) {
            continue;
        }

        if (p > k) {
            break;
        }

        if (n == 0) {
            first = i;
        }

        n++;
    }

    v->frags = t->frags + first;
    v->nfrags = n;
}


static void
sluice_dash_mpd_open(sluice_dash_ctx_t *ctx)
{
    uint32_t                      i;
    uint64_t                      frag, window, update, delay;
    sluice_buf_t                 *b;
    const sluice_presentation_t  *p;

    b = ctx->b;
    p = ctx->p;
    frag = p->fragment_ms ? p->fragment_ms : 2000;

    sluice_buf_cstr(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                       "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" ");

    for (i = 0; i < p->ntracks; i++) {
        if (p->tracks[i].protect) {
            sluice_buf_cstr(b, "xmlns:cenc=\"urn:mpeg:cenc:2013\" "
                               "xmlns:mspr=\"urn:microsoft:playready\" "
                               "xmlns:dashif=\"https://dashif.org/CPS\" "
                               "xmlns:clearkey=\"http://dashif.org/"
                               "guidelines/clearKey\" "
                               "xmlns:sea=\"urn:mpeg:dash:schema:sea:2012\" ");
            break;
        }
    }

    sluice_buf_cstr(b, "profiles=\"urn:mpeg:dash:profile:isoff-live:2011");

    if (ctx->format == SLUICE_FORMAT_DASH_CMAF) {
        sluice_buf_cstr(b, ",urn:mpeg:dash:profile:cmaf:2019");
    }

    if (!p->live || p->ended) {
        sluice_buf_cstr(b, "\" type=\"static\" mediaPresentationDuration=\"");
        sluice_buf_duration(b, ctx->end_ms - ctx->start_ms);
        sluice_buf_cstr(b, "\" minBufferTime=\"");
        sluice_buf_duration(b, frag);
        sluice_buf_cstr(b, "\">\n");
        return;
    }

    window = p->window_ms ? p->window_ms : ctx->end_ms - ctx->start_ms;

    /*
     * LL-DASH: the timeline changes every fragment and ends with the one
     * in progress; a player must see the next before that one ends: an
     * update every part.  The delay: the Latency target (dash.js takes
     * the ServiceDescription's first).  LowLatency: 2 fragments behind.
     */
    update = ctx->ll ? p->part_ms : frag;
    delay = ctx->ll ? sluice_dash_ll_target(p)
            : (p->latency != SLUICE_LATENCY_DEFAULT) ? 2 * frag : 3 * frag;

    sluice_buf_cstr(b, "\" type=\"dynamic\" availabilityStartTime=\"");
    sluice_buf_utc(b, p->epoch_ms);
    sluice_buf_cstr(b, "\" publishTime=\"");
    sluice_buf_utc(b, p->now_ms);
    sluice_buf_cstr(b, "\" minimumUpdatePeriod=\"");
    sluice_buf_duration(b, update);
    sluice_buf_cstr(b, "\" timeShiftBufferDepth=\"");
    sluice_buf_duration(b, window);
    sluice_buf_cstr(b, "\" suggestedPresentationDelay=\"");
    sluice_buf_duration(b, delay);
    sluice_buf_cstr(b, "\" minBufferTime=\"");
    sluice_buf_duration(b, frag);
    sluice_buf_cstr(b, "\">\n");
}


static void
sluice_dash_set(sluice_dash_ctx_t *ctx, uint32_t first)
{
    uint32_t                i;
    unsigned                shared;
    sluice_buf_t           *b;
    const sluice_ptrack_t  *t, *f;

    b = ctx->b;
    f = &ctx->views[first];
    shared = 1;

    for (i = first + 1; i < ctx->p->ntracks; i++) {
        t = &ctx->views[i];

        if (t->nfrags && sluice_ptrack_same_kind(f, t)
            && !sluice_ptrack_same_times(f, t))
        {
            shared = 0;
        }
    }

    sluice_dash_set_attrs(ctx, first);

    if (!sluice_dash_is_video(f) && f->info->channels) {
        sluice_buf_cstr(b, "      <AudioChannelConfiguration schemeIdUri=\""
                           "urn:mpeg:dash:23003:3:audio_channel_"
                           "configuration:2011\" value=\"");
        sluice_buf_u64(b, f->info->channels);
        sluice_buf_cstr(b, "\"/>\n");
    }

    if (f->protect) {
        sluice_dash_protection(b, f->protect);
    }

    if (ctx->p->inband_cues) {
        sluice_dash_inband(ctx, first);
    }

    if (ctx->ll) {
        sluice_dash_prt(ctx, first);
    }

    if (sluice_dash_is_video(f)) {
        sluice_dash_captions(ctx, first);
    }

    if (shared) {
        sluice_dash_template(ctx, f, "      ");
    }

    for (i = first; i < ctx->p->ntracks; i++) {
        t = &ctx->views[i];

        if (t->nfrags && sluice_ptrack_same_kind(f, t)) {
            sluice_dash_representation(ctx, t, !shared);
        }
    }

    sluice_buf_cstr(b, "    </AdaptationSet>\n");
}


static void
sluice_dash_set_attrs(sluice_dash_ctx_t *ctx, uint32_t first)
{
    uint32_t                i, w, h;
    sluice_buf_t           *b;
    const sluice_ptrack_t  *t, *f;

    b = ctx->b;
    f = &ctx->views[first];

    sluice_buf_cstr(b, "    <AdaptationSet id=\"");
    sluice_buf_u64(b, ctx->nsets++);

    if (!sluice_dash_is_video(f)) {
        sluice_buf_cstr(b, "\" contentType=\"audio\" mimeType=\"audio/mp4\""
                           " lang=\"");

        if (f->lang.len) {
            sluice_buf_xml(b, f->lang.data, f->lang.len);

        } else {
            sluice_buf_cstr(b, "und");
        }

        sluice_buf_cstr(b, "\" segmentAlignment=\"true\" "
                           "startWithSAP=\"1\">\n");
        return;
    }

    w = 0;
    h = 0;

    for (i = first; i < ctx->p->ntracks; i++) {
        t = &ctx->views[i];

        if (t->nfrags && sluice_ptrack_same_kind(f, t)) {
            w = t->info->width > w ? t->info->width : w;
            h = t->info->height > h ? t->info->height : h;
        }
    }

    sluice_buf_cstr(b, "\" contentType=\"video\" mimeType=\"video/mp4\" "
                       "segmentAlignment=\"true\" startWithSAP=\"1\"");

    if (w && h) {
        sluice_dash_attr_u64(b, "maxWidth", w);
        sluice_dash_attr_u64(b, "maxHeight", h);
    }

    sluice_buf_cstr(b, ">\n");
}


/*
 * Closed captions in the video of the set's Representations (SCTE 214-1,
 * DASH-IF IOP 6.4.3): Accessibility after the ContentProtection, as the
 * schema orders them, CEA-608 as "CC1=eng;CC3=eng", CEA-708 service 1
 * as "1=lang:eng", in the video's language when it has one, else "eng"
 * (the schemes name a language for every channel)
 */

static void
sluice_dash_captions(sluice_dash_ctx_t *ctx, uint32_t first)
{
    uint32_t                i, cc;
    sluice_buf_t           *b;
    sluice_str_t            lang;
    const sluice_ptrack_t  *t, *f;

    b = ctx->b;
    f = &ctx->views[first];
    cc = 0;

    for (i = first; i < ctx->p->ntracks; i++) {
        t = &ctx->views[i];

        if (t->nfrags && sluice_ptrack_same_kind(f, t)) {
            cc |= t->info->captions;
        }
    }

    if (f->lang.len == 0
        || (f->lang.len == 3 && memcmp(f->lang.data, "und", 3) == 0))
    {
        lang = (sluice_str_t) sluice_string("eng");

    } else {
        lang = f->lang;
    }

    if (cc & (SLUICE_CAPTIONS_608_CC1 | SLUICE_CAPTIONS_608_CC3)) {
        sluice_buf_cstr(b, "      <Accessibility schemeIdUri=\"urn:scte:dash:"
                           "cc:cea-608:2015\" value=\"");

        if (cc & SLUICE_CAPTIONS_608_CC1) {
            sluice_buf_cstr(b, "CC1=");
            sluice_buf_xml(b, lang.data, lang.len);
        }

        if (cc & SLUICE_CAPTIONS_608_CC3) {
            sluice_buf_cstr(b, (cc & SLUICE_CAPTIONS_608_CC1) ? ";CC3="
                                                              : "CC3=");
            sluice_buf_xml(b, lang.data, lang.len);
        }

        sluice_buf_cstr(b, "\"/>\n");
    }

    if (cc & SLUICE_CAPTIONS_708) {
        sluice_buf_cstr(b, "      <Accessibility schemeIdUri=\"urn:scte:dash:"
                           "cc:cea-708:2015\" value=\"1=lang:");
        sluice_buf_xml(b, lang.data, lang.len);
        sluice_buf_cstr(b, "\"/>\n");
    }
}


/*
 * The cues of Period k (ISO/IEC 23009-1 5.10.2, SCTE 214-1, AMS):
 * EventStreams of the Period's cues, each cue in the Period it starts in
 * (those that began before the first Period, still running, in the
 * first), presentationTime on the media timeline with the Period's
 * presentationTimeOffset, as its SegmentTemplates: SCTE-35 sections in
 * urn:scte:scte35:2014:xml+bin (value "scte35"), AMS's simple mode in
 * urn:com:adobe:dpi:simple:2015 (value "simplesignal", empty Events),
 * timed metadata in its own scheme and value, its data in base64.
 */

static void
sluice_dash_events(sluice_dash_ctx_t *ctx, uint32_t k)
{
    uint32_t             i, j;
    const sluice_cue_t  *c;

    for (i = 0; i < ctx->p->ncues; i++) {
        c = &ctx->p->cues[i];

        if (!sluice_dash_cue_in(ctx, k, c)) {
            continue;
        }

        /* a stream at the first cue of the Period that belongs to it */

        for (j = 0; j < i; j++) {
            if (sluice_dash_cue_in(ctx, k, &ctx->p->cues[j])
                && sluice_dash_same_stream(&ctx->p->cues[j], c))
            {
                break;
            }
        }

        if (j == i) {
            sluice_dash_event_stream(ctx, k, c);
        }
    }
}


static void
sluice_dash_event_stream(sluice_dash_ctx_t *ctx, uint32_t k,
    const sluice_cue_t *first)
{
    uint32_t                 i;
    uint64_t                 pto;
    sluice_buf_t            *b;
    sluice_str_t             scheme, value;
    const sluice_cue_t      *c;
    sluice_cue_dash_event_t  e;

    static const sluice_str_t  xml_bin =
                                sluice_string(SLUICE_CUE_SCHEME_SCTE35_XML_BIN);
    static const sluice_str_t  simple =
                                sluice_string(SLUICE_CUE_SCHEME_ADOBE_SIMPLE);

    b = ctx->b;

    switch (sluice_dash_cue_class(first)) {

    case SLUICE_DASH_CUES_SCTE35:
        scheme = xml_bin;
        value = (sluice_str_t) sluice_string("scte35");
        break;

    case SLUICE_DASH_CUES_SIMPLE:
        scheme = simple;
        value = (sluice_str_t) sluice_string("simplesignal");
        break;

    default:
        scheme = first->scheme_id_uri;
        value = first->value;
    }

    sluice_buf_cstr(b, "    <EventStream schemeIdUri=\"");
    sluice_buf_xml(b, scheme.data, scheme.len);
    sluice_buf_cstr(b, "\"");

    if (value.len) {
        sluice_buf_cstr(b, " value=\"");
        sluice_buf_xml(b, value.data, value.len);
        sluice_buf_cstr(b, "\"");
    }

    sluice_dash_attr_u64(b, "timescale", SLUICE_DASH_EVENT_TIMESCALE);

    /* media times, as the Period's SegmentTemplates */
    pto = sluice_cue_time(ctx->periods[k], SLUICE_DASH_EVENT_TIMESCALE);

    if (pto) {
        sluice_dash_attr_u64(b, "presentationTimeOffset", pto);
    }

    sluice_buf_cstr(b, ">\n");

    for (i = (uint32_t) (first - ctx->p->cues); i < ctx->p->ncues; i++) {
        c = &ctx->p->cues[i];

        if (!sluice_dash_cue_in(ctx, k, c)
            || !sluice_dash_same_stream(first, c))
        {
            continue;
        }

        memset(&e, 0, sizeof(sluice_cue_dash_event_t));
        e.presentation_time = sluice_cue_time(c->time,
                                              SLUICE_DASH_EVENT_TIMESCALE);
        e.has_duration = c->duration ? 1 : 0;
        e.duration = sluice_cue_time(c->duration,
                                     SLUICE_DASH_EVENT_TIMESCALE);
        e.id = sluice_cue_id(c);

        if (c->kind != SLUICE_CUE_METADATA) {
            if (sluice_dash_cue_class(c) == SLUICE_DASH_CUES_SCTE35) {
                e.section = c->section;
            }

            sluice_cue_dash_event(b, 6, &e);
            continue;
        }

        sluice_buf_cstr(b, "      <Event");
        sluice_dash_attr_u64(b, "presentationTime", e.presentation_time);

        if (e.has_duration) {
            sluice_dash_attr_u64(b, "duration", e.duration);
        }

        sluice_dash_attr_u64(b, "id", e.id);

        if (c->data.len == 0) {
            sluice_buf_cstr(b, "/>\n");
            continue;
        }

        sluice_buf_cstr(b, " contentEncoding=\"base64\">");
        sluice_cue_base64(b, c->data.data, c->data.len);
        sluice_buf_cstr(b, "</Event>\n");
    }

    sluice_cue_dash_event_stream_end(b, 4);
}


/* a cue starts in Period k (or before the first, in it) */

static int
sluice_dash_cue_in(sluice_dash_ctx_t *ctx, uint32_t k, const sluice_cue_t *c)
{
    if (k > 0 && c->time < ctx->periods[k]) {
        return 0;
    }

    return k + 1 == ctx->nperiods || c->time < ctx->periods[k + 1];
}


static uint32_t
sluice_dash_cue_class(const sluice_cue_t *c)
{
    if (c->kind == SLUICE_CUE_METADATA) {
        return SLUICE_DASH_CUES_METADATA;
    }

    return c->section_made ? SLUICE_DASH_CUES_SIMPLE
                           : SLUICE_DASH_CUES_SCTE35;
}


static int
sluice_dash_same_stream(const sluice_cue_t *a, const sluice_cue_t *b)
{
    uint32_t  k;

    k = sluice_dash_cue_class(a);

    if (k != sluice_dash_cue_class(b)) {
        return 0;
    }

    if (k != SLUICE_DASH_CUES_METADATA) {
        return 1;
    }

    /* an empty string may have no data */
    return a->scheme_id_uri.len == b->scheme_id_uri.len
           && a->value.len == b->value.len
           && (a->scheme_id_uri.len == 0
               || memcmp(a->scheme_id_uri.data, b->scheme_id_uri.data,
                         a->scheme_id_uri.len) == 0)
           && (a->value.len == 0
               || memcmp(a->value.data, b->value.data, a->value.len) == 0);
}


/*
 * InbandEventStream (ISO/IEC 23009-1 5.10.3.2) on the AdaptationSets
 * whose segments carry the cues as emsg (p->inband_cues): those of video,
 * of audio when there is no video, so a player gets each event once.
 * SCTE-35 (SCTE 214-3) and ID3 (AOM id3-emsg) always, value "" as the
 * emsg boxes have it (dash.js matches scheme and value); the other
 * metadata schemes of the cues listed, with their values.
 */

static void
sluice_dash_inband(sluice_dash_ctx_t *ctx, uint32_t first)
{
    uint32_t             i, j;
    sluice_buf_t        *b;
    const sluice_cue_t  *c;

    b = ctx->b;

    if (!sluice_dash_is_video(&ctx->views[first])) {
        for (i = 0; i < ctx->p->ntracks; i++) {
            if (ctx->p->tracks[i].nfrags
                && sluice_dash_is_video(&ctx->p->tracks[i]))
            {
                return;
            }
        }
    }

    sluice_buf_cstr(b, "      <InbandEventStream schemeIdUri=\""
                       SLUICE_CUE_SCHEME_SCTE35_BIN "\" value=\"\"/>\n"
                       "      <InbandEventStream schemeIdUri=\""
                       SLUICE_CUE_SCHEME_ID3 "\" value=\"\"/>\n");

    for (i = 0; i < ctx->p->ncues; i++) {
        c = &ctx->p->cues[i];

        if (c->kind != SLUICE_CUE_METADATA
            || (c->value.len == 0
                && c->scheme_id_uri.len == sizeof(SLUICE_CUE_SCHEME_ID3) - 1
                && memcmp(c->scheme_id_uri.data, SLUICE_CUE_SCHEME_ID3,
                          c->scheme_id_uri.len) == 0))
        {
            continue;
        }

        for (j = 0; j < i; j++) {
            if (ctx->p->cues[j].kind == SLUICE_CUE_METADATA
                && sluice_dash_same_stream(&ctx->p->cues[j], c))
            {
                break;
            }
        }

        if (j < i) {
            continue;
        }

        sluice_buf_cstr(b, "      <InbandEventStream schemeIdUri=\"");
        sluice_buf_xml(b, c->scheme_id_uri.data, c->scheme_id_uri.len);
        sluice_buf_cstr(b, "\" value=\"");
        sluice_buf_xml(b, c->value.data, c->value.len);
        sluice_buf_cstr(b, "\"/>\n");
    }
}


/*
 * ContentProtection of an AdaptationSet (ISO/IEC 23009-1 5.8.4.1, 23001-7
 * 11, DASH-IF IOP): the scheme with the default KID, then ClearKey with
 * its licence URL (DASH-IF's dashif:Laurl and the older clearkey:Laurl),
 * Widevine and PlayReady with their pssh boxes when signalled.
 */

static void
sluice_dash_protection(sluice_buf_t *b, const sluice_pprotect_t *cp)
{
    char                 kid[SLUICE_UUID_LEN + 1];
    static sluice_str_t  none = { NULL, 0 };

    if (cp->sea_key_uri.len) {
        sluice_dash_sea(b, cp);
        return;
    }

    sluice_uuid_print(cp->kid, kid);
    kid[SLUICE_UUID_LEN] = '\0';

    sluice_buf_cstr(b, "      <ContentProtection schemeIdUri=\"urn:mpeg:"
                       "dash:mp4protection:2011\" value=\"");
    sluice_buf_cstr(b, cp->scheme == SLUICE_DASH_CBCS ? "cbcs" : "cenc");
    sluice_buf_cstr(b, "\" cenc:default_KID=\"");
    sluice_buf_cstr(b, kid);
    sluice_buf_cstr(b, "\"/>\n");

    if (cp->clearkey_laurl.len) {
        sluice_buf_cstr(b, "      <ContentProtection schemeIdUri=\"urn:uuid:"
                           "e2719d58-a985-b3c9-781a-b030af78d30e\" "
                           "value=\"ClearKey1.0\">\n"
                           "        <dashif:Laurl>");
        sluice_buf_xml(b, cp->clearkey_laurl.data, cp->clearkey_laurl.len);
        sluice_buf_cstr(b, "</dashif:Laurl>\n"
                           "        <clearkey:Laurl Lic_type=\"EME-1.0\">");
        sluice_buf_xml(b, cp->clearkey_laurl.data, cp->clearkey_laurl.len);
        sluice_buf_cstr(b, "</clearkey:Laurl>\n"
                           "      </ContentProtection>\n");
    }

    if (cp->widevine_pssh.len) {
        sluice_dash_system(b, "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed",
                           "Widevine", &cp->widevine_pssh, &none,
                           &cp->widevine_laurl);
    }

    if (cp->playready_pssh.len) {
        sluice_dash_system(b, "9a04f079-9840-4286-ab92-e65be0885f95",
                           "MSPR 2.0", &cp->playready_pssh,
                           &cp->playready_pro, &none);
    }
}


/*
 * AES-128 Segment Encryption (ISO/IEC 23009-4): every segment, the
 * initialization segment too, whole in AES-128-CBC with the one IV of
 * the crypto period, the key from keyUriTemplate
 */

static void
sluice_dash_sea(sluice_buf_t *b, const sluice_pprotect_t *cp)
{
    char  iv[2 * 16 + 1];

    sluice_hex_format(cp->sea_iv, 16, iv);
    iv[2 * 16] = '\0';

    sluice_buf_cstr(b, "      <ContentProtection schemeIdUri=\"urn:mpeg:"
                       "dash:sea:2012\">\n"
                       "        <sea:SegmentEncryption schemeIdUri=\"urn:"
                       "mpeg:dash:sea:aes128-cbc:2013\"/>\n"
                       "        <sea:KeySystem keySystemUri=\"urn:mpeg:dash:"
                       "sea:keysys:http:2013\"/>\n"
                       "        <sea:CryptoPeriod IV=\"0x");
    sluice_buf_cstr(b, iv);
    sluice_buf_cstr(b, "\" keyUriTemplate=\"");
    sluice_buf_xml(b, cp->sea_key_uri.data, cp->sea_key_uri.len);
    sluice_buf_cstr(b, "\"/>\n      </ContentProtection>\n");
}


static void
sluice_dash_system(sluice_buf_t *b, const char *uuid, const char *value,
    const sluice_str_t *pssh, const sluice_str_t *pro,
    const sluice_str_t *laurl)
{
    sluice_buf_cstr(b, "      <ContentProtection schemeIdUri=\"urn:uuid:");
    sluice_buf_cstr(b, uuid);
    sluice_buf_cstr(b, "\" value=\"");
    sluice_buf_cstr(b, value);
    sluice_buf_cstr(b, "\">\n        <cenc:pssh>");
    sluice_buf_str(b, pssh);
    sluice_buf_cstr(b, "</cenc:pssh>\n");

    if (pro->len) {
        sluice_buf_cstr(b, "        <mspr:pro>");
        sluice_buf_str(b, pro);
        sluice_buf_cstr(b, "</mspr:pro>\n");
    }

    if (laurl->len) {
        sluice_buf_cstr(b, "        <dashif:Laurl>");
        sluice_buf_xml(b, laurl->data, laurl->len);
        sluice_buf_cstr(b, "</dashif:Laurl>\n");
    }

    sluice_buf_cstr(b, "      </ContentProtection>\n");
}


static void
sluice_dash_representation(sluice_dash_ctx_t *ctx, const sluice_ptrack_t *t,
    unsigned template)
{
    sluice_buf_t               *b;
    const sluice_track_info_t  *info;

    b = ctx->b;
    info = t->info;

    sluice_buf_cstr(b, "      <Representation id=\"");
    sluice_buf_xml(b, t->name.data, t->name.len);
    sluice_buf_cstr(b, "_");
    sluice_buf_u64(b, t->bitrate);
    sluice_buf_cstr(b, "\"");
    sluice_dash_attr_u64(b, "bandwidth", t->bitrate);

    if (info->codec_string[0]) {
        sluice_buf_cstr(b, " codecs=\"");
        sluice_buf_xml(b, (const uint8_t *) info->codec_string,
                       strnlen(info->codec_string, SLUICE_MAX_CODEC_STRING));
        sluice_buf_cstr(b, "\"");
    }

    if (sluice_dash_is_video(t)) {
        if (info->width && info->height) {
            sluice_dash_attr_u64(b, "width", info->width);
            sluice_dash_attr_u64(b, "height", info->height);
        }

        if (info->frame_rate_num && info->frame_rate_den) {
            sluice_buf_cstr(b, " frameRate=\"");
            sluice_buf_u64(b, info->frame_rate_num);

            if (info->frame_rate_den != 1) {
                sluice_buf_cstr(b, "/");
                sluice_buf_u64(b, info->frame_rate_den);
            }

            sluice_buf_cstr(b, "\"");
        }

    } else if (info->sample_rate) {
        sluice_dash_attr_u64(b, "audioSamplingRate", info->sample_rate);
    }

    if (!template) {
        sluice_buf_cstr(b, "/>\n");
        return;
    }

    sluice_buf_cstr(b, ">\n");
    sluice_dash_template(ctx, t, "        ");
    sluice_buf_cstr(b, "      </Representation>\n");
}


static void
sluice_dash_template(sluice_dash_ctx_t *ctx, const sluice_ptrack_t *t,
    const char *indent)
{
    uint64_t         ts;
    sluice_buf_t    *b;
    const char      *format;

    b = ctx->b;
    ts = t->info->timescale;
    format = sluice_format_name(ctx->format);

    sluice_buf_cstr(b, indent);
    sluice_buf_cstr(b, "<SegmentTemplate");
    sluice_dash_attr_u64(b, "timescale", ts);

    if (ctx->ll && ctx->p->fragment_ms > ctx->p->part_ms) {
        /* a segment can be asked for once its first part is there */
        sluice_buf_cstr(b, " availabilityTimeOffset=\"");
        sluice_buf_fixed(b, ctx->p->fragment_ms - ctx->p->part_ms, 3);
        sluice_buf_cstr(b, "\" availabilityTimeComplete=\"false\"");
    }

    if (ctx->periods[ctx->period]) {
        sluice_dash_attr_u64(b, "presentationTimeOffset",
                             sluice_rescale(ctx->periods[ctx->period], 1000,
                                            ts));
    }

    sluice_buf_cstr(b, " media=\"QualityLevels($Bandwidth$)/Fragments(");
    sluice_buf_xml(b, t->name.data, t->name.len);
    sluice_buf_cstr(b, "=$Time$,format=");
    sluice_buf_cstr(b, format);
    sluice_buf_xml(b, ctx->p->url_tag.data, ctx->p->url_tag.len);
    sluice_buf_cstr(b, ")\" initialization=\"QualityLevels($Bandwidth$)/"
                       "Fragments(");
    sluice_buf_xml(b, t->name.data, t->name.len);
    sluice_buf_cstr(b, "=i,format=");
    sluice_buf_cstr(b, format);
    sluice_buf_xml(b, ctx->p->url_tag.data, ctx->p->url_tag.len);
    sluice_buf_cstr(b, ")\">\n");

    sluice_dash_timeline(ctx, t, indent);

    sluice_buf_cstr(b, indent);
    sluice_buf_cstr(b, "</SegmentTemplate>\n");
}


/*
 * <S t d r/>: t at the start and after a gap, r for equal durations;
 * LL-DASH: the fragment in progress last (sluice_dash_progress())
 */

static void
sluice_dash_timeline(sluice_dash_ctx_t *ctx, const sluice_ptrack_t *t,
    const char *indent)
{
    uint32_t               i, n, repeat;
    uint64_t               end;
    unsigned               with_t;
    sluice_buf_t          *b;
    sluice_pfrag_t         next;
    const sluice_pfrag_t  *f, *run;

    b = ctx->b;

    sluice_buf_cstr(b, indent);
    sluice_buf_cstr(b, "  <SegmentTimeline>\n");

    n = t->nfrags + (ctx->ll ? sluice_dash_progress(ctx, t, &next) : 0);
    run = NULL;
    repeat = 0;
    with_t = 1;
    end = 0;

    for (i = 0; i < n; i++) {
        f = (i < t->nfrags) ? &t->frags[i] : &next;

        if (run
            && f->duration == run->duration
            && f->time == end
            && !(f->flags & SLUICE_PFRAG_DISCONTINUITY))
        {
            repeat++;
            end += f->duration;
            continue;
        }

        if (run) {
            sluice_dash_s(b, indent, run, with_t, repeat);
            with_t = (f->time != end
                      || (f->flags & SLUICE_PFRAG_DISCONTINUITY));
        }

        run = f;
        repeat = 0;
        end = f->time + f->duration;
    }

    if (run) {
        sluice_dash_s(b, indent, run, with_t, repeat);
    }

    sluice_buf_cstr(b, indent);
    sluice_buf_cstr(b, "  </SegmentTimeline>\n");
}


/*
 * LL-DASH: the fragment in progress of t (a view of the last Period
 * that ends with the track's last fragment): parts that start where
 * that fragment ends.  It is listed with the nominal fragment duration,
 * so that a player asks for it as soon as its first part is there
 * (availabilityTimeOffset) and gets it chunk by chunk; its real
 * duration replaces it once it is complete.  Returns 1 and *next when
 * there is one.
 */

static int
sluice_dash_progress(sluice_dash_ctx_t *ctx, const sluice_ptrack_t *t,
    sluice_pfrag_t *next)
{
    uint32_t                i;
    uint64_t                end;
    const sluice_pfrag_t   *last;
    const sluice_ptrack_t  *track;

    if (t->nfrags == 0 || ctx->period + 1 != ctx->nperiods
        || ctx->p->fragment_ms == 0
        || t < ctx->views || t >= ctx->views + ctx->p->ntracks)
    {
        return 0;
    }

    last = &t->frags[t->nfrags - 1];
    track = &ctx->p->tracks[t - ctx->views];

    if (last != &track->frags[track->nfrags - 1]) {
        return 0;
    }

    end = last->time + last->duration;

    for (i = 0; i < t->nparts; i++) {
        if (t->parts[i].frag_time == end && t->parts[i].index == 0) {
            break;
        }
    }

    if (i == t->nparts) {
        return 0;
    }

    memset(next, 0, sizeof(sluice_pfrag_t));
    next->time = end;
    next->duration = (uint32_t) sluice_rescale(ctx->p->fragment_ms, 1000,
                                               t->info->timescale);
    next->seq = last->seq + 1;

    return 1;
}


static void
sluice_dash_s(sluice_buf_t *b, const char *indent, const sluice_pfrag_t *f,
    unsigned with_t, uint32_t repeat)
{
    sluice_buf_cstr(b, indent);
    sluice_buf_cstr(b, "    <S");

    if (with_t) {
        sluice_dash_attr_u64(b, "t", f->time);
    }

    sluice_dash_attr_u64(b, "d", f->duration);

    if (repeat) {
        sluice_dash_attr_u64(b, "r", repeat);
    }

    sluice_buf_cstr(b, "/>\n");
}


static void
sluice_dash_attr_u64(sluice_buf_t *b, const char *name, uint64_t v)
{
    sluice_buf_cstr(b, " ");
    sluice_buf_cstr(b, name);
    sluice_buf_cstr(b, "=\"");
    sluice_buf_u64(b, v);
    sluice_buf_cstr(b, "\"");
}


/* milliseconds, rounded down, of a time in the track timescale */

static uint64_t
sluice_dash_ms(const sluice_ptrack_t *t, uint64_t v)
{
    return sluice_rescale(v, t->info->timescale, 1000);
}


/*
 * LL-DASH Latency@target (ms): three parts (the one being cut, the one
 * in flight, one of margin, as LL-HLS's PART-HOLD-BACK) and 500 ms for
 * the player's own buffer and the network: 2 s with 0.5 s parts, which
 * with capture, encoding and ingest ahead of the epoch keeps glass to
 * glass at about 2.5 s
 */

static uint64_t
sluice_dash_ll_target(const sluice_presentation_t *p)
{
    return 3 * (uint64_t) p->part_ms + 500;
}


/*
 * ServiceDescription (ISO/IEC 23009-1 K): the latency to aim at, the
 * ProducerReferenceTime of id 0 its reference; min two parts (nearer the
 * player waits for parts not cut yet), max the target and two fragments
 * (behind that, a seek into the DVR window rather than a slow player:
 * dash.js leaves its catch-up alone there); playback rate within 4 %,
 * unheard in speech and music
 */

static void
sluice_dash_service(sluice_dash_ctx_t *ctx)
{
    uint64_t      target;
    sluice_buf_t *b;

    b = ctx->b;
    target = sluice_dash_ll_target(ctx->p);

    sluice_buf_cstr(b, "  <ServiceDescription id=\"0\">\n    <Latency");
    sluice_dash_attr_u64(b, "target", target);
    sluice_dash_attr_u64(b, "min", 2 * (uint64_t) ctx->p->part_ms);
    sluice_dash_attr_u64(b, "max", target + 2 * (uint64_t) ctx->p->fragment_ms);
    sluice_buf_cstr(b, " referenceId=\"0\"/>\n"
                       "    <PlaybackRate min=\"0.96\" max=\"1.04\"/>\n"
                       "  </ServiceDescription>\n");
}


/*
 * ProducerReferenceTime of an AdaptationSet (ISO/IEC 23009-1 5.12): the
 * wall clock of its first segment, epoch_ms + its time (the timeline is
 * the wall clock of ingest), with the MPD's time service
 */

static void
sluice_dash_prt(sluice_dash_ctx_t *ctx, uint32_t first)
{
    sluice_buf_t           *b;
    const sluice_ptrack_t  *f;

    b = ctx->b;
    f = &ctx->views[first];

    sluice_buf_cstr(b, "      <ProducerReferenceTime id=\"0\" "
                       "type=\"encoder\" wallClockTime=\"");
    sluice_buf_utc(b, ctx->p->epoch_ms
                      + (int64_t) sluice_dash_ms(f, f->frags[0].time));
    sluice_buf_cstr(b, "\"");
    sluice_dash_attr_u64(b, "presentationTime", f->frags[0].time);
    sluice_buf_cstr(b, ">\n");
    sluice_dash_utc(b, ctx->p, "        ");
    sluice_buf_cstr(b, "      </ProducerReferenceTime>\n");
}


/*
 * UTCTiming (at the end of the MPD, ISO/IEC 23009-1 5.3.1.2): Sluice's
 * time service first when it has one (urn:mpeg:dash:utc:http-iso:2014:
 * without one that answers, dash.js asks a server on the Internet), then
 * the time of the request (direct)
 */

static void
sluice_dash_utc(sluice_buf_t *b, const sluice_presentation_t *p,
    const char *indent)
{
    if (p->utc_timing_url.len) {
        sluice_buf_cstr(b, indent);
        sluice_buf_cstr(b, "<UTCTiming schemeIdUri=\"urn:mpeg:dash:utc:"
                           "http-iso:2014\" value=\"");
        sluice_buf_xml(b, p->utc_timing_url.data, p->utc_timing_url.len);
        sluice_buf_cstr(b, "\"/>\n");
    }

    sluice_buf_cstr(b, indent);
    sluice_buf_cstr(b, "<UTCTiming schemeIdUri=\"urn:mpeg:dash:utc:"
                       "direct:2014\" value=\"");
    sluice_buf_utc(b, p->now_ms);
    sluice_buf_cstr(b, "\"/>\n");
}
