
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * AAC: AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1) and ADTS headers
 * (ISO/IEC 14496-3 1.A.2) for MPEG-TS output.
 */


#ifndef _SLUICE_AAC_H_INCLUDED_
#define _SLUICE_AAC_H_INCLUDED_


#include "media/sluice_media.h"


#define SLUICE_AAC_ADTS_HEADER_LEN   7
#define SLUICE_AAC_ADTS_MAX_PAYLOAD  (0x1fff - SLUICE_AAC_ADTS_HEADER_LEN)


typedef struct {
    /* the AudioSpecificConfig, as given to sluice_aac_parse_config() */
    const uint8_t  *asc;
    size_t          asc_len;

    uint32_t        object_type;        /* as signalled first (2 LC, 5 SBR) */
    uint32_t        base_object_type;   /* core coder (2 for HE-AAC) */
    uint32_t        sample_rate_index;  /* 15: explicit rate */
    uint32_t        sample_rate;        /* of the core coder */
    uint32_t        ext_sample_rate;    /* SBR output rate, 0 if none */
    uint32_t        channel_config;     /* 0: in a PCE */
    uint32_t        channels;           /* derived; 0 if unknown */
    uint32_t        frame_length;       /* 1024 or 960 samples */
} sluice_aac_config_t;


/*
 * Parse an AudioSpecificConfig: audio object type (escape 31 included),
 * sampling frequency index or explicit 24-bit rate, channel config and,
 * for explicit SBR/PS signalling (types 5 and 29), the extension rate and
 * core object type.  c->asc points into p.
 */
sluice_status_t sluice_aac_parse_config(const uint8_t *p, size_t len,
    sluice_aac_config_t *c);

/*
 * Reset ti, then fill a track: media audio, codec AAC, codec_string
 * "mp4a.40.N" (N the object type as signalled), sample_rate (the output
 * rate), channels, timescale = sample rate, object_type and config (a
 * copy of the ASC).
 */
sluice_status_t sluice_aac_fill_info(const sluice_aac_config_t *c,
    sluice_track_info_t *ti);

/*
 * Write the 7-byte ADTS header (no CRC) of a raw AAC frame of payload_len
 * bytes.  ADTS carries profiles 1..4 (object types 1..4) and indexed
 * rates; HE-AAC is written as its core (LC, core rate), as is usual.
 * SLUICE_UNSUPPORTED if the config cannot be expressed in ADTS,
 * SLUICE_BAD_DATA if payload_len exceeds SLUICE_AAC_ADTS_MAX_PAYLOAD.
 */
sluice_status_t sluice_aac_write_adts(uint8_t out[SLUICE_AAC_ADTS_HEADER_LEN],
    const sluice_aac_config_t *c, size_t payload_len);

/* sampling frequency of an index (0..12), 0 for others */
uint32_t sluice_aac_rate_from_index(uint32_t index);


#endif /* _SLUICE_AAC_H_INCLUDED_ */
