
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The length of H.264 slice headers (ITU-T H.264 7.3.3): what 'cbcs'
 * leaves clear in front of each slice's data (sluice_slice.h).  The
 * fields of the sequence and picture parameter sets a slice header
 * depends on are kept per id; slice headers are read from their RBSP
 * (after the NAL unit header, emulation prevention bytes removed).
 */


#ifndef _SLUICE_AVC_SLICE_H_INCLUDED_
#define _SLUICE_AVC_SLICE_H_INCLUDED_


#include "media/sluice_media.h"


#define SLUICE_AVC_SPS_IDS  32
#define SLUICE_AVC_PPS_IDS  256


typedef struct {
    uint8_t             valid;
    uint8_t             chroma_array_type;      /* 0: monochrome, planes */
    uint8_t             separate_colour_plane;
    uint8_t             log2_max_frame_num;
    uint8_t             frame_mbs_only;
    uint8_t             poc_type;
    uint8_t             log2_max_poc_lsb;
    uint8_t             delta_pic_order_always_zero;
} sluice_avc_slice_sps_t;


typedef struct {
    uint8_t             valid;
    uint8_t             sps_id;
    uint8_t             cabac;                  /* entropy_coding_mode */
    uint8_t             bottom_field_poc;       /* ..._in_frame_present */
    uint8_t             nref[2];                /* default active refs */
    uint8_t             weighted_pred;
    uint8_t             weighted_bipred_idc;
    uint8_t             deblocking_control;
    uint8_t             redundant_pic_cnt;
} sluice_avc_slice_pps_t;


typedef struct {
    sluice_avc_slice_sps_t  sps[SLUICE_AVC_SPS_IDS];
    sluice_avc_slice_pps_t  pps[SLUICE_AVC_PPS_IDS];
} sluice_avc_params_t;


/*
 * Learn an SPS or PPS (type 7 or 8) from its RBSP, replacing the one of
 * the same id.  SLUICE_BAD_DATA when it does not parse (the id, when
 * read, is forgotten), SLUICE_UNSUPPORTED for several slice groups
 * (FMO: its PPS is forgotten too).
 */
sluice_status_t sluice_avc_params_add(sluice_avc_params_t *p, uint32_t type,
    const uint8_t *rbsp, size_t len);

/*
 * The bits of the slice header of a slice NAL unit (types 1 and 5; its
 * header byte in nal_header) read from its RBSP, in *bits: the slice
 * data starts in the byte of the last bit ('cabac_alignment_one_bit's
 * fill that byte with CABAC).  SLUICE_NOT_FOUND for a parameter set not
 * known, SLUICE_UNSUPPORTED for data partitions, SLUICE_BAD_DATA when the
 * header does not parse in len bytes.
 */
sluice_status_t sluice_avc_slice_header_bits(const sluice_avc_params_t *p,
    uint32_t nal_header, const uint8_t *rbsp, size_t len, size_t *bits);


#endif /* _SLUICE_AVC_SLICE_H_INCLUDED_ */
