
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * MPEG-2 transport stream segments (ISO/IEC 13818-1) for HLS, muxed from
 * stored samples: PAT, PMT, then one PES per video access unit and one
 * per group of AAC frames, interleaved by decode time.
 *
 *   video  PID 0x100, H.264 (stream type 0x1b) or H.265 (0x24), Annex B
 *          with an access unit delimiter, parameter sets before each
 *          sync sample, PCR in the first packet of each access unit
 *   audio  PID 0x101, AAC in ADTS (0x0f); carries the PCR when alone
 *   ID3    PID 0x102, timed metadata (Apple, "Timed Metadata for HTTP
 *          Live Streaming"): stream type 0x15 (metadata in PES) with a
 *          metadata_descriptor, a metadata_pointer_descriptor in the
 *          program info (both format 'ID3 '), one PES (stream_id 0xbd,
 *          private_stream_1, data_alignment_indicator set) per tag at its
 *          PTS; only in segments that have tags, after the first video
 *          access unit (an I-frame playlist's byte range of PAT, PMT and
 *          keyframe stays the same), else in time order
 *
 * Timestamps are the track times at 90 kHz modulo 2^33, so consecutive
 * segments continue each other.  Size first (Content-Length, Range),
 * then write: both run the same code.
 */


#ifndef _SLUICE_TS_H_INCLUDED_
#define _SLUICE_TS_H_INCLUDED_


#include "media/sluice_media.h"


#define SLUICE_TS_PACKET        188
#define SLUICE_TS_PID_PMT       0x1000
#define SLUICE_TS_PID_VIDEO     0x100
#define SLUICE_TS_PID_AUDIO     0x101
#define SLUICE_TS_PID_ID3       0x102


typedef struct {
    const sluice_track_info_t  *info;      /* NULL: no such track */
    const sluice_sample_t      *samples;   /* dts order */
    uint32_t                    nsamples;
} sluice_ts_track_t;


/* a timed metadata sample: a complete ID3v2 tag */
typedef struct {
    uint64_t                    time;       /* 90 kHz, not wrapped */
    sluice_str_t                tag;        /* at most 65000 bytes */
} sluice_ts_id3_t;


typedef struct {
    sluice_ts_track_t           video;
    sluice_ts_track_t           audio;

    /* ID3 tags in time order (none: no PID, the PMT without them) */
    const sluice_ts_id3_t      *id3;
    uint32_t                    nid3;

    /*
     * the samples are encrypted with Apple SAMPLE-AES (the caller does
     * it, media/crypto/sluice_sample_aes.h): the PMT says so with the
     * stream types and descriptors of Apple's "MPEG-2 Stream Encryption
     * Format for HTTP Live Streaming" (3.0): H.264 0xdb with a
     * private_data_indicator_descriptor 'zavc', AAC 0xcf with 'aacd'
     * and a registration_descriptor 'apad' holding the audio setup
     * information (2.3.4: 'zaac', 'zach' or 'zacp', priming 0, version
     * 1, the AudioSpecificConfig).  H.265 cannot: SLUICE_UNSUPPORTED.
     */
    unsigned                    sample_aes:1;
} sluice_ts_segment_t;


/*
 * The exact size in bytes of the segment.  SLUICE_BAD_DATA for a
 * malformed sample or configuration, SLUICE_UNSUPPORTED for a codec or
 * AAC configuration that TS cannot carry.
 */
sluice_status_t sluice_ts_segment_size(const sluice_ts_segment_t *seg,
    size_t *size);

/* writes the segment into out, of the size given by the function above */
sluice_status_t sluice_ts_segment_write(const sluice_ts_segment_t *seg,
    uint8_t *out, size_t size);

/*
 * CRC-32/MPEG-2 of PSI sections (13818-1 annex A): polynomial 0x04c11db7,
 * not reflected, no final xor; 0 over a section with its CRC_32
 */
uint32_t sluice_ts_crc32(const uint8_t *p, size_t len);


#endif /* _SLUICE_TS_H_INCLUDED_ */
