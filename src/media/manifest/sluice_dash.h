
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * DASH MPD (ISO/IEC 23009-1) of a presentation, AMS style
 * (manifest(format=mpd-time-csf) and manifest(format=mpd-time-cmaf)):
 * profile isoff-live (and cmaf:2019 for mpd-time-cmaf), a Period per
 * discontinuity, an AdaptationSet per type (and per audio timescale or
 * language),
 * SegmentTemplate with $Bandwidth$ and $Time$ URLs relative to the MPD:
 *
 *   QualityLevels($Bandwidth$)/Fragments(video=$Time$,format=mpd-time-csf)
 *   QualityLevels($Bandwidth$)/Fragments(video=i,format=mpd-time-csf)
 *
 * and a run-length encoded SegmentTimeline.  The template sits on the
 * AdaptationSet when all its Representations share one timeline, on each
 * Representation otherwise.
 *
 * Closed captions in the video (info->captions of the Representations
 * of a video AdaptationSet): Accessibility elements of schemes
 * urn:scte:dash:cc:cea-608:2015 (value "CC1=eng;CC3=eng") and
 * urn:scte:dash:cc:cea-708:2015 ("1=lang:eng"), in the video's language
 * when known, else "eng".
 *
 * Periods (DASH-IF IOP: a dynamic MPD keeps its availabilityStartTime; a
 * timeline that restarts after a hole starts a new Period): split at the
 * discontinuities of the first video track (of the first track without
 * video), the fragments of every track going to the Period they start in
 * (a discontinuity up to half a fragment before the split belongs to the
 * new one).  Period@id is its start in timeline ms, Period@start the end
 * of the media before the hole (the end of the fragment before the
 * discontinuity; the hole is at the start of the new Period), the first
 * Period's from ptrack->period_start when known, so it stays while the
 * window slides; SegmentTemplate@presentationTimeOffset is that start in
 * the timescale, so media times stay on the wall clock.
 *
 * While live: type "dynamic", availabilityStartTime = p->epoch_ms (the
 * wall clock of timeline time 0, so segment times match the wall clock),
 * publishTime and UTCTiming (urn:mpeg:dash:utc:direct:2014) = p->now_ms,
 * minimumUpdatePeriod = the fragment duration, timeShiftBufferDepth = the
 * window.  Ended: type "static" with mediaPresentationDuration, the
 * first Period at PT0S (offset by the first fragment's time), every
 * Period with its duration (to the next one's start, holes included).
 */


#ifndef _SLUICE_DASH_H_INCLUDED_
#define _SLUICE_DASH_H_INCLUDED_


#include "media/sluice_buf.h"
#include "media/manifest/sluice_presentation.h"
#include "media/sluice_url.h"


/* format: SLUICE_FORMAT_DASH_CSF or SLUICE_FORMAT_DASH_CMAF */
sluice_status_t sluice_dash_mpd(sluice_buf_t *b,
    const sluice_presentation_t *p, sluice_format_t format);


#endif /* _SLUICE_DASH_H_INCLUDED_ */
