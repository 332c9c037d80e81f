
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * H.264 / AVC: AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3),
 * sequence parameter set (ITU-T H.264 7.3.2.1) and length-prefixed
 * access units as carried in FLV and MP4.
 */


#ifndef _SLUICE_AVC_H_INCLUDED_
#define _SLUICE_AVC_H_INCLUDED_


#include "media/sluice_media.h"


#define SLUICE_AVC_MAX_PS        8      /* SPS or PPS kept per record */

/* nal_unit_type values */
#define SLUICE_AVC_NAL_SLICE     1
#define SLUICE_AVC_NAL_IDR       5
#define SLUICE_AVC_NAL_SEI       6
#define SLUICE_AVC_NAL_SPS       7
#define SLUICE_AVC_NAL_PPS       8
#define SLUICE_AVC_NAL_AUD       9


typedef struct {
    /* the record itself, as given to sluice_avc_parse_config() */
    const uint8_t  *record;
    size_t          record_len;

    uint32_t        profile;            /* AVCProfileIndication */
    uint32_t        compat;             /* profile_compatibility */
    uint32_t        level;              /* AVCLevelIndication */
    uint32_t        nal_length_size;    /* 1, 2 or 4 */

    /* parameter sets, NAL header included; pointers into record */
    uint32_t        nsps;
    uint32_t        npps;
    sluice_str_t    sps[SLUICE_AVC_MAX_PS];
    sluice_str_t    pps[SLUICE_AVC_MAX_PS];

    /* from the first SPS */
    uint32_t        sps_profile;        /* profile_idc */
    uint32_t        chroma_format_idc;
    uint32_t        bit_depth_luma;
    uint32_t        bit_depth_chroma;
    uint32_t        frame_mbs_only;
    uint32_t        width;              /* after cropping */
    uint32_t        height;
    uint32_t        sar_num;            /* 0 when not signalled */
    uint32_t        sar_den;
    uint32_t        timing_info;        /* VUI timing present */
    uint32_t        num_units_in_tick;
    uint32_t        time_scale;
    uint32_t        fixed_frame_rate;

    /* what slice headers depend on (sluice_avc_slice.h), as coded */
    uint32_t        sps_id;             /* seq_parameter_set_id */
    uint32_t        separate_colour_plane;
    uint32_t        log2_max_frame_num_minus4;
    uint32_t        poc_type;           /* pic_order_cnt_type */
    uint32_t        log2_max_poc_lsb_minus4;
    uint32_t        delta_pic_order_always_zero;
} sluice_avc_config_t;


/*
 * Parse an AVCDecoderConfigurationRecord and its first SPS.  c->sps[] and
 * c->pps[] point into p, so p must outlive c.  Returns SLUICE_BAD_DATA for
 * a malformed record or SPS, SLUICE_UNSUPPORTED for a record without SPS.
 */
sluice_status_t sluice_avc_parse_config(const uint8_t *p, size_t len,
    sluice_avc_config_t *c);

/*
 * Parse one SPS NAL unit (header byte included, emulation prevention
 * bytes present) into the sps_profile..fixed_frame_rate fields of c.
 */
sluice_status_t sluice_avc_parse_sps(const uint8_t *nal, size_t len,
    sluice_avc_config_t *c);

/* the same from the SPS's RBSP: after the header, emulation prevention off */
sluice_status_t sluice_avc_parse_sps_rbsp(const uint8_t *rbsp, size_t len,
    sluice_avc_config_t *c);

/*
 * Reset ti, then fill a track: media video, codec AVC, codec_string
 * "avc1.PPCCLL" (lowercase hex), width, height, frame rate (from VUI
 * timing when present: time_scale / 2 num_units_in_tick), nal length
 * size, timescale 90000 and config (a copy of the record).
 * SLUICE_UNSUPPORTED if the record exceeds SLUICE_MAX_CODEC_CONFIG.
 */
sluice_status_t sluice_avc_fill_info(const sluice_avc_config_t *c,
    sluice_track_info_t *ti);

/*
 * Build an AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1) from
 * parameter sets as a stream carries them in band (NAL header included,
 * emulation prevention bytes present): profile, compatibility and level
 * from the first SPS, lengthSizeMinusOne 3 (4-byte lengths), the SPS and
 * PPS arrays in the order given and, for the High profiles 100, 110, 122
 * and 144, the chroma format and bit depths of the first SPS.  Writes at
 * most size bytes at out, the record's length in *len.  SLUICE_BAD_DATA
 * if the first SPS does not parse or a parameter set is empty or longer
 * than 65535 bytes; SLUICE_UNSUPPORTED without SPS or PPS, with more
 * than 31 SPS or 255 PPS, or if the record exceeds size.
 */
sluice_status_t sluice_avc_make_config(const sluice_str_t *sps, uint32_t nsps,
    const sluice_str_t *pps, uint32_t npps, uint8_t *out, size_t size,
    size_t *len);


/* iterate the NAL units of a length-prefixed access unit */
typedef struct {
    const uint8_t  *pos;
    const uint8_t  *end;
    uint32_t        nal_length_size;
} sluice_avc_nal_iter_t;


void sluice_avc_nal_iter_init(sluice_avc_nal_iter_t *it, const uint8_t *au,
    size_t len, uint32_t nal_length_size);

/*
 * Next NAL unit (without its length prefix) into nal: SLUICE_OK,
 * SLUICE_NOT_FOUND at the end, SLUICE_BAD_DATA if a length runs past the
 * end of the access unit.  Zero-length NAL units are skipped.
 */
sluice_status_t sluice_avc_nal_next(sluice_avc_nal_iter_t *it,
    sluice_str_t *nal);

/* 1 if the access unit has an IDR slice, 0 if not, -1 if malformed */
int sluice_avc_has_idr(const uint8_t *au, size_t len,
    uint32_t nal_length_size);


#endif /* _SLUICE_AVC_H_INCLUDED_ */
