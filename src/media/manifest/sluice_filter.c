
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Dynamic manifest filters; see sluice_filter.h.
 */


#include <string.h>
#include <strings.h>

#include "media/manifest/sluice_filter.h"


#define SLUICE_FILTER_MAX_TIMESCALE  10000000000ULL
#define SLUICE_FILTER_INT64_MAX      9223372036854775807ULL


static sluice_status_t sluice_filter_range(const sluice_json_t *r,
    sluice_filter_t *f, const char **reason);
static sluice_status_t sluice_filter_int(const sluice_json_t *v,
    uint64_t *out, unsigned *given);
static sluice_status_t sluice_filter_tracks(sluice_alloc_t *a,
    const sluice_json_t *tracks, sluice_filter_t *f, const char **reason);
static sluice_status_t sluice_filter_cond(const sluice_json_t *c,
    sluice_filter_cond_t *cond, const char **reason);
static int sluice_filter_bitrate(const sluice_str_t *s, uint64_t *lo,
    uint64_t *hi);
static int sluice_filter_ieq(const sluice_str_t *s, const char *c);
static int sluice_filter_str_ieq(const sluice_str_t *a,
    const sluice_str_t *b);
static int sluice_filter_cond_holds(const sluice_filter_cond_t *c,
    const sluice_ptrack_t *t);
static int sluice_filter_trim(sluice_ptrack_t *t, const sluice_filter_t *f,
    uint32_t n, int live);
static void sluice_filter_first(sluice_ptrack_t *tracks, uint32_t n,
    uint32_t bitrate);


sluice_status_t
sluice_filter_parse(sluice_alloc_t *a, const sluice_json_t *props,
    sluice_filter_t *f, const char **reason)
{
    uint64_t              b;
    unsigned              given;
    sluice_status_t       rc;
    const sluice_json_t  *v;

    memset(f, 0, sizeof(sluice_filter_t));
    f->timescale = SLUICE_FILTER_TIMESCALE;

    if (props == NULL || props->type == SLUICE_JSON_NULL) {
        return SLUICE_OK;
    }

    *reason = "properties must be an object.";

    if (props->type != SLUICE_JSON_OBJECT) {
        return SLUICE_BAD_REQUEST;
    }

    v = sluice_json_get(props, "presentationTimeRange");

    if (v && v->type != SLUICE_JSON_NULL) {
        rc = sluice_filter_range(v, f, reason);
        if (rc != SLUICE_OK) {
            return rc;
        }
    }

    v = sluice_json_get(props, "firstQuality");

    if (v && v->type != SLUICE_JSON_NULL) {
        *reason = "properties.firstQuality.bitrate is required: a bitrate "
                  "in bits per second from 1 to 2147483647.";

        if (v->type != SLUICE_JSON_OBJECT
            || sluice_filter_int(sluice_json_get(v, "bitrate"), &b, &given)
               != SLUICE_OK
            || !given || b == 0 || b > 2147483647)
        {
            return SLUICE_BAD_REQUEST;
        }

        f->first_quality = (uint32_t) b;
    }

    v = sluice_json_get(props, "tracks");

    if (v && v->type != SLUICE_JSON_NULL) {
        return sluice_filter_tracks(a, v, f, reason);
    }

    return SLUICE_OK;
}


/* presentationTimeRange */

static sluice_status_t
sluice_filter_range(const sluice_json_t *r, sluice_filter_t *f,
    const char **reason)
{
    unsigned              given;
    const sluice_json_t  *v;

    *reason = "properties.presentationTimeRange must be an object.";

    if (r->type != SLUICE_JSON_OBJECT) {
        return SLUICE_BAD_REQUEST;
    }

    *reason = "properties.presentationTimeRange: startTimestamp, "
              "endTimestamp, presentationWindowDuration, liveBackoffDuration "
              "and timescale must be integers from 0 to "
              "9223372036854775807.";

    if (sluice_filter_int(sluice_json_get(r, "startTimestamp"), &f->start,
                          &given) != SLUICE_OK)
    {
        return SLUICE_BAD_REQUEST;
    }

    f->has_start = given;

    if (sluice_filter_int(sluice_json_get(r, "endTimestamp"), &f->end,
                          &given) != SLUICE_OK)
    {
        return SLUICE_BAD_REQUEST;
    }

    f->has_end = given;

    if (sluice_filter_int(sluice_json_get(r, "presentationWindowDuration"),
                          &f->window, &given) != SLUICE_OK)
    {
        return SLUICE_BAD_REQUEST;
    }

    f->has_window = given;

    if (sluice_filter_int(sluice_json_get(r, "liveBackoffDuration"),
                          &f->backoff, &given) != SLUICE_OK)
    {
        return SLUICE_BAD_REQUEST;
    }

    f->has_backoff = given;

    if (sluice_filter_int(sluice_json_get(r, "timescale"), &f->timescale,
                          &given) != SLUICE_OK)
    {
        return SLUICE_BAD_REQUEST;
    }

    if (!given) {
        f->timescale = SLUICE_FILTER_TIMESCALE;
    }

    if (f->timescale == 0 || f->timescale > SLUICE_FILTER_MAX_TIMESCALE) {
        *reason = "properties.presentationTimeRange.timescale must be from "
                  "1 to 10000000000.";
        return SLUICE_BAD_REQUEST;
    }

    v = sluice_json_get(r, "forceEndTimestamp");

    if (v && v->type != SLUICE_JSON_NULL) {
        if (v->type != SLUICE_JSON_BOOL) {
            *reason = "properties.presentationTimeRange.forceEndTimestamp "
                      "must be true or false.";
            return SLUICE_BAD_REQUEST;
        }

        f->force_end = v->boolean ? 1 : 0;
    }

    if (f->has_window
        && f->window < SLUICE_FILTER_MIN_WINDOW_S * f->timescale)
    {
        *reason = "properties.presentationTimeRange."
                  "presentationWindowDuration must be at least 60 seconds "
                  "(60 x timescale).";
        return SLUICE_BAD_REQUEST;
    }

    if (f->has_backoff
        && f->backoff > SLUICE_FILTER_MAX_BACKOFF_S * f->timescale)
    {
        *reason = "properties.presentationTimeRange.liveBackoffDuration "
                  "must be at most 300 seconds (300 x timescale).";
        return SLUICE_BAD_REQUEST;
    }

    if (f->has_start && f->has_end && f->end <= f->start) {
        *reason = "properties.presentationTimeRange.endTimestamp must be "
                  "after startTimestamp.";
        return SLUICE_BAD_REQUEST;
    }

    if (f->force_end && !f->has_end) {
        *reason = "properties.presentationTimeRange.forceEndTimestamp "
                  "requires endTimestamp.";
        return SLUICE_BAD_REQUEST;
    }

    return SLUICE_OK;
}


/* an integer from 0 to 2^63 - 1, exactly as written; absent or null: 0 */

static sluice_status_t
sluice_filter_int(const sluice_json_t *v, uint64_t *out, unsigned *given)
{
    size_t    i;
    uint64_t  n;

    *given = 0;

    if (v == NULL || v->type == SLUICE_JSON_NULL) {
        return SLUICE_OK;
    }

    if (v->type != SLUICE_JSON_NUMBER || v->str.len == 0
        || v->str.len > 19)
    {
        return SLUICE_BAD_REQUEST;
    }

    n = 0;

    for (i = 0; i < v->str.len; i++) {
        if (v->str.data[i] < '0' || v->str.data[i] > '9') {
            /* a sign, a fraction or an exponent */
            return SLUICE_BAD_REQUEST;
        }

        n = n * 10 + (v->str.data[i] - '0');
    }

    if (n > SLUICE_FILTER_INT64_MAX) {
        return SLUICE_BAD_REQUEST;
    }

    *out = n;
    *given = 1;

    return SLUICE_OK;
}


/* tracks: [ { trackSelections: [ {property, operation, value} ] } ] */

static sluice_status_t
sluice_filter_tracks(sluice_alloc_t *a, const sluice_json_t *tracks,
    sluice_filter_t *f, const char **reason)
{
    uint32_t              i, k;
    sluice_status_t       rc;
    sluice_filter_sel_t  *sel;
    const sluice_json_t  *t, *conds, *c;

    *reason = "properties.tracks must be a list of objects, each with "
              "trackSelections, a list of conditions.";

    if (tracks->type != SLUICE_JSON_ARRAY) {
        return SLUICE_BAD_REQUEST;
    }

    if (tracks->count == 0) {
        return SLUICE_OK;
    }

    f->sels = a->alloc(a->ctx, tracks->count * sizeof(sluice_filter_sel_t));
    if (f->sels == NULL) {
        return SLUICE_NO_MEMORY;
    }

    for (t = tracks->child, i = 0; t; t = t->next, i++) {
        conds = sluice_json_get(t, "trackSelections");

        if (t->type != SLUICE_JSON_OBJECT || conds == NULL
            || conds->type != SLUICE_JSON_ARRAY)
        {
            return SLUICE_BAD_REQUEST;
        }

        sel = &f->sels[i];
        sel->nconds = 0;
        sel->conds = NULL;

        if (conds->count) {
            sel->conds = a->alloc(a->ctx,
                                  conds->count * sizeof(sluice_filter_cond_t));
            if (sel->conds == NULL) {
                return SLUICE_NO_MEMORY;
            }
        }

        for (c = conds->child, k = 0; c; c = c->next, k++) {
            rc = sluice_filter_cond(c, &sel->conds[k], reason);
            if (rc != SLUICE_OK) {
                return rc;
            }
        }

        sel->nconds = k;
    }

    f->nsels = i;

    return SLUICE_OK;
}


static sluice_status_t
sluice_filter_cond(const sluice_json_t *c, sluice_filter_cond_t *cond,
    const char **reason)
{
    const sluice_json_t  *p, *op, *v;

    memset(cond, 0, sizeof(sluice_filter_cond_t));

    p = sluice_json_get(c, "property");
    op = sluice_json_get(c, "operation");
    v = sluice_json_get(c, "value");

    *reason = "properties.tracks: each condition needs property, operation "
              "and value, three strings.";

    if (c->type != SLUICE_JSON_OBJECT
        || p == NULL || p->type != SLUICE_JSON_STRING
        || op == NULL || op->type != SLUICE_JSON_STRING
        || v == NULL || v->type != SLUICE_JSON_STRING)
    {
        return SLUICE_BAD_REQUEST;
    }

    if (sluice_filter_ieq(&p->str, "Type")) {
        cond->property = SLUICE_FILTER_TYPE;

    } else if (sluice_filter_ieq(&p->str, "Name")) {
        cond->property = SLUICE_FILTER_NAME;

    } else if (sluice_filter_ieq(&p->str, "Language")) {
        cond->property = SLUICE_FILTER_LANGUAGE;

    } else if (sluice_filter_ieq(&p->str, "FourCC")) {
        cond->property = SLUICE_FILTER_FOURCC;

    } else if (sluice_filter_ieq(&p->str, "Bitrate")) {
        cond->property = SLUICE_FILTER_BITRATE;

    } else {
        *reason = "properties.tracks: property must be Type, Name, Language, "
                  "FourCC or Bitrate.";
        return SLUICE_BAD_REQUEST;
    }

    if (sluice_filter_ieq(&op->str, "NotEqual")) {
        cond->not_equal = 1;

    } else if (!sluice_filter_ieq(&op->str, "Equal")) {
        *reason = "properties.tracks: operation must be Equal or NotEqual.";
        return SLUICE_BAD_REQUEST;
    }

    cond->value = v->str;

    switch (cond->property) {

    case SLUICE_FILTER_TYPE:
        if (sluice_filter_ieq(&v->str, "Video")) {
            cond->media = SLUICE_MEDIA_VIDEO;

        } else if (sluice_filter_ieq(&v->str, "Audio")) {
            cond->media = SLUICE_MEDIA_AUDIO;

        } else if (sluice_filter_ieq(&v->str, "Text")) {
            cond->media = SLUICE_MEDIA_AUDIO + 1;

        } else {
            *reason = "properties.tracks: the value of Type must be Video, "
                      "Audio or Text.";
            return SLUICE_BAD_REQUEST;
        }

        break;

    case SLUICE_FILTER_BITRATE:
        if (!sluice_filter_bitrate(&v->str, &cond->lo, &cond->hi)) {
            *reason = "properties.tracks: the value of Bitrate must be bits "
                      "per second, \"N\" or a range \"LO-HI\" with LO not "
                      "above HI.";
            return SLUICE_BAD_REQUEST;
        }

        break;

    default:
        if (v->str.len == 0) {
            *reason = "properties.tracks: a condition's value must not be "
                      "empty.";
            return SLUICE_BAD_REQUEST;
        }
    }

    return SLUICE_OK;
}


/* "N" or "LO-HI", decimal, at most 10 digits each */

static int
sluice_filter_bitrate(const sluice_str_t *s, uint64_t *lo, uint64_t *hi)
{
    size_t    i, digits;
    uint64_t  v[2];
    unsigned  k;

    k = 0;
    v[0] = 0;
    v[1] = 0;
    digits = 0;

    for (i = 0; i < s->len; i++) {
        if (s->data[i] == '-' && k == 0 && digits) {
            k = 1;
            digits = 0;
            continue;
        }

        if (s->data[i] < '0' || s->data[i] > '9' || ++digits > 10) {
            return 0;
        }

        v[k] = v[k] * 10 + (s->data[i] - '0');
    }

    if (digits == 0) {
        return 0;
    }

    *lo = v[0];
    *hi = k ? v[1] : v[0];

    return *lo <= *hi;
}


static int
sluice_filter_ieq(const sluice_str_t *s, const char *c)
{
    size_t  n;

    n = strlen(c);

    return s->len == n && strncasecmp((const char *) s->data, c, n) == 0;
}


static int
sluice_filter_str_ieq(const sluice_str_t *a, const sluice_str_t *b)
{
    return a->len == b->len
           && (a->len == 0
               || strncasecmp((const char *) a->data,
                              (const char *) b->data, a->len) == 0);
}


int
sluice_filter_track(const sluice_filter_t *f, const sluice_ptrack_t *t)
{
    uint32_t  i, k;

    if (f->nsels == 0) {
        return 1;
    }

    for (i = 0; i < f->nsels; i++) {
        for (k = 0; k < f->sels[i].nconds; k++) {
            if (!sluice_filter_cond_holds(&f->sels[i].conds[k], t)) {
                break;
            }
        }

        if (k == f->sels[i].nconds) {
            return 1;
        }
    }

    return 0;
}


static int
sluice_filter_cond_holds(const sluice_filter_cond_t *c,
    const sluice_ptrack_t *t)
{
    int            eq;
    size_t         n;
    sluice_str_t   fourcc;
    const char    *cs, *dot;

    switch (c->property) {

    case SLUICE_FILTER_TYPE:
        eq = (t->info->media_type == c->media);
        break;

    case SLUICE_FILTER_NAME:
        eq = sluice_filter_str_ieq(&c->value, &t->name);
        break;

    case SLUICE_FILTER_LANGUAGE:
        eq = sluice_filter_str_ieq(&c->value, &t->lang);
        break;

    case SLUICE_FILTER_FOURCC:
        /* the first element of the RFC 6381 codecs string */
        cs = t->info->codec_string;
        n = strnlen(cs, SLUICE_MAX_CODEC_STRING);
        dot = memchr(cs, '.', n);
        fourcc.data = (const uint8_t *) cs;
        fourcc.len = dot ? (size_t) (dot - cs) : n;
        eq = sluice_filter_str_ieq(&c->value, &fourcc);
        break;

    default: /* SLUICE_FILTER_BITRATE */
        eq = (t->bitrate >= c->lo && t->bitrate <= c->hi);
    }

    return c->not_equal ? !eq : eq;
}


sluice_status_t
sluice_filter_apply(sluice_alloc_t *a, sluice_presentation_t *p,
    const sluice_filter_t *f, uint32_t n)
{
    int               ended;
    uint32_t          i, k, kept, first;
    uint64_t          window_ms;
    sluice_ptrack_t  *tracks;

    if (n == 0) {
        return SLUICE_OK;
    }

    tracks = a->alloc(a->ctx, (p->ntracks ? p->ntracks : 1)
                              * sizeof(sluice_ptrack_t));
    if (tracks == NULL) {
        return SLUICE_NO_MEMORY;
    }

    kept = 0;
    ended = 1;

    for (i = 0; i < p->ntracks; i++) {
        for (k = 0; k < n; k++) {
            if (!sluice_filter_track(&f[k], &p->tracks[i])) {
                break;
            }
        }

        if (k < n) {
            continue;
        }

        tracks[kept] = p->tracks[i];

        if (!sluice_filter_trim(&tracks[kept], f, n, p->live && !p->ended)) {
            ended = 0;
        }

        if (tracks[kept].nfrags) {
            kept++;
        }
    }

    if (kept == 0) {
        return SLUICE_NOT_FOUND;
    }

    first = 0;

    for (k = 0; k < n; k++) {
        if (f[k].first_quality) {
            first = f[k].first_quality;
        }

        if (f[k].has_window) {
            window_ms = sluice_rescale(f[k].window, f[k].timescale, 1000);

            if (p->window_ms == 0 || window_ms < p->window_ms) {
                p->window_ms = window_ms;
            }
        }

        if (f[k].force_end && p->live && ended) {
            /* the forced end is reached: video on demand from now on */
            p->live = 0;
            p->ended = 1;
        }
    }

    if (first) {
        sluice_filter_first(tracks, kept, first);
    }

    p->tracks = tracks;
    p->ntracks = kept;

    return SLUICE_OK;
}


/*
 * The fragments of t within the filters' time range: from the first that
 * ends after the latest start to the last that begins before the
 * earliest end (the end of a live presentation only when forced); live,
 * the newest held back by the longest backoff, then the shortest window
 * back from what is left.  Discontinuities that leave at the front are
 * counted, and the Period start follows, as the packager does when the
 * live window slides.  Returns whether the track reaches the end.
 */

static int
sluice_filter_trim(sluice_ptrack_t *t, const sluice_filter_t *f,
    uint32_t n, int live)
{
    int                    reached;
    uint32_t               k, lo, hi, j;
    uint64_t               start, end, backoff, window, ts, v, edge;
    const sluice_pfrag_t  *fr;

    ts = t->info->timescale;
    fr = t->frags;
    lo = 0;
    hi = t->nfrags;

    if (ts == 0 || hi == 0) {
        return 0;
    }

    start = 0;
    end = UINT64_MAX;
    backoff = 0;
    window = UINT64_MAX;

    for (k = 0; k < n; k++) {
        if (f[k].has_start) {
            v = sluice_rescale(f[k].start, f[k].timescale, ts);
            start = v > start ? v : start;
        }

        if (f[k].has_end && (!live || f[k].force_end)) {
            v = sluice_rescale(f[k].end, f[k].timescale, ts);
            end = v < end ? v : end;
        }

        if (live && f[k].has_backoff) {
            v = sluice_rescale(f[k].backoff, f[k].timescale, ts);
            backoff = v > backoff ? v : backoff;
        }

        if (live && f[k].has_window) {
            v = sluice_rescale(f[k].window, f[k].timescale, ts);
            window = v < window ? v : window;
        }
    }

    while (lo < hi && fr[lo].time + fr[lo].duration <= start) {
        lo++;
    }

    while (hi > lo && fr[hi - 1].time >= end) {
        hi--;
    }

    reached = (end != UINT64_MAX
               && (hi < t->nfrags
                   || fr[hi - 1].time + fr[hi - 1].duration >= end));

    if (backoff && hi > lo) {
        edge = fr[hi - 1].time + fr[hi - 1].duration;
        edge = edge > backoff ? edge - backoff : 0;

        while (hi > lo && fr[hi - 1].time + fr[hi - 1].duration > edge) {
            hi--;
        }
    }

    if (window != UINT64_MAX && hi > lo) {
        edge = fr[hi - 1].time + fr[hi - 1].duration;
        edge = edge > window ? edge - window : 0;

        while (lo < hi && fr[lo].time + fr[lo].duration <= edge) {
            lo++;
        }
    }

    for (j = 0; j < lo; j++) {
        if (fr[j].flags & SLUICE_PFRAG_DISCONTINUITY) {
            t->discontinuities_before++;
        }
    }

    /* the Period begins where the media before the last hole ends */

    for (j = 1; j <= lo && j < t->nfrags; j++) {
        if (fr[j].flags & SLUICE_PFRAG_DISCONTINUITY) {
            v = fr[j - 1].time + fr[j - 1].duration;
            t->period_start = v <= fr[j].time ? v : fr[j].time;
        }
    }

    t->frags = fr + lo;
    t->nfrags = hi - lo;

    return reached;
}


/* the video track of that bitrate, else the nearest, first of the video */

static void
sluice_filter_first(sluice_ptrack_t *tracks, uint32_t n, uint32_t bitrate)
{
    uint32_t         i, best, first;
    uint64_t         d, bd;
    sluice_ptrack_t  t;

    best = n;
    first = n;
    bd = UINT64_MAX;

    for (i = 0; i < n; i++) {
        if (tracks[i].info->media_type != SLUICE_MEDIA_VIDEO) {
            continue;
        }

        if (first == n) {
            first = i;
        }

        d = tracks[i].bitrate > bitrate ? tracks[i].bitrate - bitrate
                                        : bitrate - tracks[i].bitrate;

        if (d < bd) {
            bd = d;
            best = i;
        }
    }

    if (best == n || best == first) {
        return;
    }

    /* moved to the front of the video tracks, the others keep order */

    t = tracks[best];
    memmove(&tracks[first + 1], &tracks[first],
            (best - first) * sizeof(sluice_ptrack_t));
    tracks[first] = t;
}
