
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Comparisons of presentation tracks, the cues of the window; see
 * sluice_presentation.h.
 */


#include <string.h>

#include "media/manifest/sluice_presentation.h"


int
sluice_ptrack_same_kind(const sluice_ptrack_t *a, const sluice_ptrack_t *b)
{
    return a->info->media_type == b->info->media_type
           && a->info->codec == b->info->codec
           && a->info->timescale == b->info->timescale
           && a->lang.len == b->lang.len
           && (a->lang.len == 0
               || memcmp(a->lang.data, b->lang.data, a->lang.len) == 0);
}


int
sluice_ptrack_same_times(const sluice_ptrack_t *a, const sluice_ptrack_t *b)
{
    uint32_t  i;

    if (a->nfrags != b->nfrags) {
        return 0;
    }

    for (i = 0; i < a->nfrags; i++) {
        if (a->frags[i].time != b->frags[i].time
            || a->frags[i].duration != b->frags[i].duration)
        {
            return 0;
        }
    }

    return 1;
}


/* the index of the first fragment of t at or after time, t->nfrags if none */

static uint32_t
sluice_ptrack_find(const sluice_ptrack_t *t, uint64_t time)
{
    uint32_t  lo, hi, mid;

    lo = 0;
    hi = t->nfrags;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;

        if (t->frags[mid].time < time) {
            lo = mid + 1;

        } else {
            hi = mid;
        }
    }

    return lo;
}


int
sluice_ptrack_aligned(const sluice_ptrack_t *a, const sluice_ptrack_t *b)
{
    uint32_t               i, j, n;
    uint64_t               from, to, end;
    const sluice_pfrag_t  *fa, *fb;

    if (!sluice_ptrack_same_kind(a, b) || a->nfrags == 0 || b->nfrags == 0) {
        return 0;
    }

    /* the span both cover */

    from = a->frags[0].time > b->frags[0].time ? a->frags[0].time
                                               : b->frags[0].time;

    fa = &a->frags[a->nfrags - 1];
    fb = &b->frags[b->nfrags - 1];
    to = fa->time + fa->duration;
    end = fb->time + fb->duration;
    to = end < to ? end : to;

    i = sluice_ptrack_find(a, from);
    j = sluice_ptrack_find(b, from);

    if (i == a->nfrags || j == b->nfrags
        || a->frags[i].time != from || b->frags[j].time != from)
    {
        return 0;
    }

    for (n = 0; i < a->nfrags && j < b->nfrags
                && a->frags[i].time + a->frags[i].duration <= to;
         n++)
    {
        if (a->frags[i].time != b->frags[j].time
            || a->frags[i].duration != b->frags[j].duration)
        {
            return 0;
        }

        i++;
        j++;
    }

    /* at most one fragment after the span shared, on either side */

    return n > 0 && a->nfrags - i <= 1 && b->nfrags - j <= 1;
}


sluice_status_t
sluice_presentation_sets(const sluice_presentation_t *p, uint32_t *set)
{
    uint32_t  i, j;

    if (p->ntracks > SLUICE_PRESENTATION_MAX_TRACKS) {
        return SLUICE_UNSUPPORTED;
    }

    for (i = 0; i < p->ntracks; i++) {
        set[i] = i;

        for (j = 0; j < i; j++) {
            if (set[j] == j
                && sluice_ptrack_aligned(&p->tracks[j], &p->tracks[i]))
            {
                set[i] = j;
                break;
            }
        }
    }

    return SLUICE_OK;
}


void
sluice_presentation_set_span(const sluice_presentation_t *p,
    const uint32_t *set, uint32_t first, uint32_t *from, uint32_t *n)
{
    uint32_t                i, k;
    uint64_t                start, to, end;
    const sluice_pfrag_t   *f;
    const sluice_ptrack_t  *t;

    t = &p->tracks[first];

    *from = 0;
    *n = 0;

    if (t->nfrags == 0) {
        return;
    }

    start = t->frags[0].time;
    f = &t->frags[t->nfrags - 1];
    to = f->time + f->duration;

    for (i = first + 1; i < p->ntracks; i++) {
        if (set[i] != set[first] || p->tracks[i].nfrags == 0) {
            continue;
        }

        f = &p->tracks[i].frags[0];
        start = f->time > start ? f->time : start;

        f = &p->tracks[i].frags[p->tracks[i].nfrags - 1];
        end = f->time + f->duration;
        to = end < to ? end : to;
    }

    k = sluice_ptrack_find(t, start);
    *from = k;

    while (k < t->nfrags && t->frags[k].time + t->frags[k].duration <= to) {
        k++;
    }

    *n = k - *from;
}


void
sluice_presentation_cue_window(sluice_presentation_t *p)
{
    uint32_t                i, lo, hi;
    uint64_t                start, end, v, ts;
    const sluice_pfrag_t   *f;
    const sluice_ptrack_t  *t;

    if (p->ncues == 0) {
        return;
    }

    start = UINT64_MAX;
    end = 0;

    for (i = 0; i < p->ntracks; i++) {
        t = &p->tracks[i];
        ts = t->info->timescale;

        if (t->nfrags == 0 || ts == 0) {
            continue;
        }

        v = sluice_rescale(t->frags[0].time, ts, 1000);
        start = v < start ? v : start;

        f = &t->frags[t->nfrags - 1];
        v = sluice_rescale(f->time + f->duration, ts, 1000);
        end = v > end ? v : end;
    }

    if (start == UINT64_MAX) {
        p->cues = NULL;
        p->ncues = 0;
        return;
    }

    if (p->live && !p->ended) {
        end = UINT64_MAX;
    }

    for (lo = 0; lo < p->ncues && !sluice_cue_after(&p->cues[lo], start);
         lo++)
    {
        /* void */
    }

    for (hi = p->ncues; hi > lo && p->cues[hi - 1].time >= end; hi--) {
        /* void */
    }

    p->cues = (hi > lo) ? p->cues + lo : NULL;
    p->ncues = hi - lo;
}
