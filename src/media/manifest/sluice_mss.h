
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Smooth Streaming client manifest ([MS-SSTR] 2.2.2), the AMS "manifest"
 * URL: a StreamIndex per type (and per audio timescale or language), a
 * QualityLevel per track with its CodecPrivateData (H.264: start code,
 * SPS, start code, PPS; AAC: the AudioSpecificConfig, hex), and the chunk
 * timeline of the first track of the StreamIndex.  As AMS does, every
 * time is in 100 ns units (TimeScale="10000000" on SmoothStreamingMedia,
 * none per StreamIndex): chunk times, durations, Duration,
 * DVRWindowLength and the time of the fragment URLs:
 *
 *   QualityLevels({bitrate})/Fragments(video={start time})
 *
 * A fragment stored at time T (track timescale ts) is named
 * sluice_mss_time(T, ts); its duration is sluice_mss_time(end, ts) -
 * sluice_mss_time(T, ts).  The packager finds fragments with the same
 * function and rewrites them with sluice_cmaf_fragment_rescale(), which
 * gives the same times.
 *
 * While live: IsLive="TRUE", Duration="0", DVRWindowLength; ended:
 * IsLive="FALSE" and the Duration.
 *
 * Chunks are written one <c> each, never with the 2.2 repeat attribute
 * "r", so every manifest suits Smooth 2.0 clients; p->smooth_v20 (the
 * AMS "manifest(format=fmp4-v20)") also says MinorVersion="0".
 *
 * Ad markers (p->cues with a splice_info_section): AMS's sparse text
 * StreamIndex, Subtype DATA, ParentStreamIndex "video", ManifestOutput
 * (the fragment's sample in base64 in each chunk's <f>), FourCC "scte".
 *
 * Closed captions in the video's SEI (info->captions) are not signalled:
 * [MS-SSTR] has no attribute for them (its captions are text
 * StreamIndexes of their own, TTML), and AMS wrote none; the SEI stays
 * in the video fragments, for players told to look for it.
 */


#ifndef _SLUICE_MSS_H_INCLUDED_
#define _SLUICE_MSS_H_INCLUDED_


#include "media/sluice_buf.h"
#include "media/manifest/sluice_presentation.h"


#define SLUICE_MSS_TIMESCALE  10000000

/*
 * The sparse track of the ad markers (AMS): its StreamIndex Name and
 * fragment URL track, and the largest sample it carries (a larger cue
 * is left out)
 */
#define SLUICE_MSS_SPARSE_NAME  "scte35"
#define SLUICE_MSS_SPARSE_MAX   (12 + 4096)


/* a time of timescale ts in SLUICE_MSS_TIMESCALE units (rounded down) */
#define sluice_mss_time(time, ts)                                            \
    sluice_rescale(time, ts, SLUICE_MSS_TIMESCALE)


sluice_status_t sluice_mss_manifest(sluice_buf_t *b,
    const sluice_presentation_t *p);


#endif /* _SLUICE_MSS_H_INCLUDED_ */
