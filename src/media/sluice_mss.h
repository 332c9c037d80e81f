
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Smooth Streaming client manifest ([MS-SSTR] 2.2.2), the AMS "manifest"
 * URL: a StreamIndex per type (and per audio timescale or language), a
 * QualityLevel per track with its CodecPrivateData (H.264: start code,
 * SPS, start code, PPS; AAC: the AudioSpecificConfig, hex), and the chunk
 * timeline of the first track of the StreamIndex in its own TimeScale,
 * which is also the time of the fragment URLs:
 *
 *   QualityLevels({bitrate})/Fragments(video={start time})
 *
 * While live: IsLive="TRUE", Duration="0", DVRWindowLength; ended:
 * IsLive="FALSE" and the Duration (10 MHz).
 */


#ifndef _SLUICE_MSS_H_INCLUDED_
#define _SLUICE_MSS_H_INCLUDED_


#include "sluice_buf.h"
#include "sluice_presentation.h"


#define SLUICE_MSS_TIMESCALE  10000000


sluice_status_t sluice_mss_manifest(sluice_buf_t *b,
    const sluice_presentation_t *p);


#endif /* _SLUICE_MSS_H_INCLUDED_ */
