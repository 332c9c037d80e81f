
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Common types of the Sluice media library.  Nothing under src/media or
 * src/util includes an nginx header: the library is unit-tested and fuzzed
 * on its own, with the same code nginx runs.
 */


#ifndef _SLUICE_MEDIA_H_INCLUDED_
#define _SLUICE_MEDIA_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/sluice_base.h"


typedef enum {
    SLUICE_MEDIA_VIDEO = 0,
    SLUICE_MEDIA_AUDIO = 1
} sluice_media_type_t;


typedef enum {
    SLUICE_CODEC_NONE = 0,
    SLUICE_CODEC_AVC,           /* H.264, stored as avc1 (length-prefixed) */
    SLUICE_CODEC_HEVC,          /* H.265, stored as hvc1 */
    SLUICE_CODEC_AAC            /* AAC, raw access units */
} sluice_codec_t;


#define SLUICE_MAX_CODEC_CONFIG   512     /* avcC / hvcC / ASC bytes */
#define SLUICE_MAX_CODEC_STRING   32      /* RFC 6381, "avc1.64001f" */
#define SLUICE_MAX_LANG           16      /* RFC 5646 tag and its NUL */


/*
 * Closed captions a video track carries in its SEI (ATSC A/53 cc_data,
 * media/codec/sluice_sei.h), as the manifests signal them
 */
#define SLUICE_CAPTIONS_608_CC1   0x01    /* CEA-608 field 1: CC1 (CC2) */
#define SLUICE_CAPTIONS_608_CC3   0x02    /* CEA-608 field 2: CC3 (CC4) */
#define SLUICE_CAPTIONS_708       0x04    /* CEA-708 DTVCC: SERVICE1 */
#define SLUICE_CAPTIONS_ALL       0x07


/*
 * Everything the writers need to describe one track: the init segment,
 * the manifests (CODECS, RESOLUTION, CodecPrivateData) and TS headers.
 * Filled by the FLV/AVC/AAC parsers at ingest; stored in shared memory.
 */
typedef struct {
    uint32_t             media_type;      /* sluice_media_type_t */
    uint32_t             codec;           /* sluice_codec_t */
    uint32_t             timescale;       /* video 90000, audio rate */
    uint32_t             bitrate;         /* bits per second */

    /* video */
    uint32_t             width;
    uint32_t             height;
    uint32_t             frame_rate_num;  /* 0 when unknown */
    uint32_t             frame_rate_den;
    uint32_t             nal_length_size; /* 1, 2 or 4 */

    /* audio */
    uint32_t             sample_rate;
    uint32_t             channels;
    uint32_t             object_type;     /* AAC audio object type */

    char                 codec_string[SLUICE_MAX_CODEC_STRING];

    /*
     * decoder configuration as carried in the sample entry:
     * AVCDecoderConfigurationRecord, HEVCDecoderConfigurationRecord
     * or AudioSpecificConfig
     */
    uint32_t             config_len;
    uint8_t              config[SLUICE_MAX_CODEC_CONFIG];

    /*
     * language (RFC 5646 tag, sluice_lang_valid()), NUL-terminated; ""
     * when the source gave none.  Recorded asset descriptors of version
     * 1 end before it (core/ngx_sluice_asset.h).
     */
    char                 lang[SLUICE_MAX_LANG];

    /*
     * video: the SLUICE_CAPTIONS_* found in its samples so far (set by
     * the ingest as they appear; a live track keeps them once set).
     * Last: recorded asset descriptors of version 2 end before it.
     */
    uint32_t             captions;
} sluice_track_info_t;


#define SLUICE_SAMPLE_KEY   0x01    /* sync sample */


/* one access unit of a fragment; times in the track's timescale */
typedef struct {
    uint64_t             dts;
    int32_t              cts;       /* pts - dts */
    uint32_t             duration;
    uint32_t             size;
    uint32_t             flags;     /* SLUICE_SAMPLE_* */
    const uint8_t       *data;      /* the access unit as stored */
} sluice_sample_t;


/*
 * One fragment: the unit of storage (a CMAF chunk, styp + moof + mdat,
 * written once by ingest) and of packaging.
 */
typedef struct {
    uint32_t             sequence;  /* mfhd sequence number */
    uint64_t             time;      /* tfdt base media decode time */
    uint64_t             duration;  /* sum of sample durations */
    uint32_t             nsamples;
    sluice_sample_t     *samples;
} sluice_fragment_t;


static inline uint64_t
sluice_rescale(uint64_t v, uint64_t from, uint64_t to)
{
    if (from == to) {
        return v;
    }

    /* exact for all values below 2^64 / to, which covers 64-bit timelines */
    return (v / from) * to + (v % from) * to / from;
}


#endif /* _SLUICE_MEDIA_H_INCLUDED_ */
