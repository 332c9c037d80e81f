
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * H.265 / HEVC: HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1)
 * and the picture size from the sequence parameter set (ITU-T H.265
 * 7.3.2.2), for ingest of HEVC over (enhanced) RTMP.
 */


#ifndef _SLUICE_HEVC_H_INCLUDED_
#define _SLUICE_HEVC_H_INCLUDED_


#include "media/codec/sluice_bits.h"


#define SLUICE_HEVC_MAX_PS       8      /* VPS, SPS or PPS kept per record */

/* nal_unit_type values */
#define SLUICE_HEVC_NAL_BLA_W_LP     16     /* 16..23: IRAP pictures */
#define SLUICE_HEVC_NAL_RSV_IRAP_23  23
#define SLUICE_HEVC_NAL_VPS          32
#define SLUICE_HEVC_NAL_SPS          33
#define SLUICE_HEVC_NAL_PPS          34
#define SLUICE_HEVC_NAL_AUD          35
#define SLUICE_HEVC_NAL_SEI_PREFIX   39

#define sluice_hevc_nal_type(p)  (((p)[0] >> 1) & 0x3f)


typedef struct {
    /* the record itself, as given to sluice_hevc_parse_config() */
    const uint8_t  *record;
    size_t          record_len;

    uint32_t        profile_space;
    uint32_t        tier;
    uint32_t        profile_idc;
    uint32_t        compat_flags;       /* as in the record, flag 0 = MSB */
    uint8_t         constraints[6];
    uint32_t        level_idc;
    uint32_t        avg_frame_rate;     /* frames per 256 s, 0 unknown */
    uint32_t        nal_length_size;    /* 1, 2 or 4 */

    /* parameter sets, NAL header included; pointers into record */
    uint32_t        nvps;
    uint32_t        nsps;
    uint32_t        npps;
    sluice_str_t    vps[SLUICE_HEVC_MAX_PS];
    sluice_str_t    sps[SLUICE_HEVC_MAX_PS];
    sluice_str_t    pps[SLUICE_HEVC_MAX_PS];

    /* from the first SPS */
    uint32_t        chroma_format_idc;
    uint32_t        bit_depth_luma;
    uint32_t        bit_depth_chroma;
    uint32_t        width;              /* after the conformance window */
    uint32_t        height;
} sluice_hevc_config_t;


/*
 * Parse an HEVCDecoderConfigurationRecord and its first SPS.  Pointers
 * point into p.  SLUICE_BAD_DATA if malformed, SLUICE_UNSUPPORTED if the
 * record holds no SPS.
 */
sluice_status_t sluice_hevc_parse_config(const uint8_t *p, size_t len,
    sluice_hevc_config_t *c);

/* parse one SPS NAL unit (2-byte header included, still escaped) */
sluice_status_t sluice_hevc_parse_sps(const uint8_t *nal, size_t len,
    sluice_hevc_config_t *c);

/*
 * Reset ti, then fill a track: media video, codec HEVC, codec_string per
 * ISO/IEC 14496-15 E.3 ("hvc1.1.6.L93.B0"), width, height, frame rate
 * (avgFrameRate, when set), nal length size, timescale 90000 and config:
 * the record with its VPS, SPS and PPS arrays only (SEI arrays, which
 * encoders fill with their banner, are left out).  SLUICE_UNSUPPORTED if
 * that still exceeds SLUICE_MAX_CODEC_CONFIG.
 */
sluice_status_t sluice_hevc_fill_info(const sluice_hevc_config_t *c,
    sluice_track_info_t *ti);

/*
 * Build an HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1)
 * from parameter sets as a stream carries them in band (2-byte NAL
 * header included, emulation prevention bytes present): general profile
 * space, tier, profile, compatibility flags, constraint flags and level
 * copied from the profile_tier_level of the first SPS, chroma format and
 * bit depths from its fields, numTemporalLayers and temporalIdNested
 * from its first byte; min_spatial_segmentation_idc, parallelismType,
 * avgFrameRate and constantFrameRate 0 (not known); lengthSizeMinusOne 3
 * (4-byte lengths); then one array each of VPS, SPS and PPS, complete,
 * the sets in the order given.  Writes at most size bytes at out, the
 * record's length in *len.  SLUICE_BAD_DATA if the first SPS does not
 * parse or a set is empty or longer than 65535 bytes; SLUICE_UNSUPPORTED
 * if an array would be empty or the record exceeds size.
 */
sluice_status_t sluice_hevc_make_config(const sluice_str_t *vps,
    uint32_t nvps, const sluice_str_t *sps, uint32_t nsps,
    const sluice_str_t *pps, uint32_t npps, uint8_t *out, size_t size,
    size_t *len);

/* skip profile_tier_level(1, sub_layers) (H.265 7.3.3) */
void sluice_hevc_skip_ptl(sluice_bits_t *b, uint32_t sub_layers);

/* 1 if a length-prefixed access unit has an IRAP picture, 0 if not, -1 bad */
int sluice_hevc_has_irap(const uint8_t *au, size_t len,
    uint32_t nal_length_size);


#endif /* _SLUICE_HEVC_H_INCLUDED_ */
