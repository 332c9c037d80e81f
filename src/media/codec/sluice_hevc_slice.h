
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The length of H.265 slice segment headers (ITU-T H.265 7.3.6.1): what
 * 'cbcs' leaves clear in front of each slice segment's data
 * (sluice_slice.h).  The fields of the sequence and picture parameter
 * sets a slice segment header depends on are kept per id (the VPS has
 * none); headers are read from their RBSP (after the 2-byte NAL unit
 * header, emulation prevention bytes removed).  Base layer only; the
 * screen content coding extensions are refused.
 */


#ifndef _SLUICE_HEVC_SLICE_H_INCLUDED_
#define _SLUICE_HEVC_SLICE_H_INCLUDED_


#include "media/sluice_media.h"


#define SLUICE_HEVC_SPS_IDS      16
#define SLUICE_HEVC_PPS_IDS      64
#define SLUICE_HEVC_MAX_ST_RPS   64     /* num_short_term_ref_pic_sets */


typedef struct {
    uint8_t             valid;
    uint8_t             chroma_array_type;
    uint8_t             separate_colour_plane;
    uint8_t             log2_max_poc_lsb;
    uint8_t             address_bits;       /* Ceil(Log2(PicSizeInCtbsY)) */
    uint8_t             num_st_rps;
    uint8_t             long_term_refs;
    uint8_t             num_lt_sps;         /* num_long_term_ref_pics_sps */
    uint8_t             temporal_mvp;
    uint8_t             sao;
    uint32_t            lt_used;            /* used_by_curr_pic_lt_sps_flag */

    /* each short-term RPS: NumDeltaPocs, pictures used by the current */
    uint8_t             rps_deltas[SLUICE_HEVC_MAX_ST_RPS];
    uint8_t             rps_used[SLUICE_HEVC_MAX_ST_RPS];
} sluice_hevc_slice_sps_t;


typedef struct {
    uint8_t             valid;
    uint8_t             sps_id;
    uint8_t             dependent_slices;
    uint8_t             output_flag;
    uint8_t             extra_bits;         /* num_extra_slice_header_bits */
    uint8_t             cabac_init;
    uint8_t             nref[2];            /* default active refs */
    uint8_t             chroma_qp_offsets;  /* pps_slice_chroma_qp_... */
    uint8_t             weighted_pred;
    uint8_t             weighted_bipred;
    uint8_t             entry_points;       /* tiles or wavefronts */
    uint8_t             loop_filter_across;
    uint8_t             deblocking_override;
    uint8_t             deblocking_disabled;
    uint8_t             lists_modification;
    uint8_t             header_extension;
    uint8_t             chroma_qp_offset_list;
} sluice_hevc_slice_pps_t;


typedef struct {
    sluice_hevc_slice_sps_t  sps[SLUICE_HEVC_SPS_IDS];
    sluice_hevc_slice_pps_t  pps[SLUICE_HEVC_PPS_IDS];
} sluice_hevc_params_t;


/*
 * Learn an SPS or PPS (type 33 or 34, base layer) from its RBSP,
 * replacing the one of the same id; other types are ignored.
 * SLUICE_BAD_DATA when it does not parse (the id, when read, is
 * forgotten), SLUICE_UNSUPPORTED for the screen content, multilayer and
 * 3D extensions (forgotten too).
 */
sluice_status_t sluice_hevc_params_add(sluice_hevc_params_t *p,
    const uint8_t nal_header[2], const uint8_t *rbsp, size_t len);

/*
 * The bits of the slice segment header of a VCL NAL unit (types 0-9,
 * 16-21; its 2 header bytes in nal_header) read from its RBSP, its
 * byte_alignment() included, in *bits (a multiple of 8).
 * SLUICE_NOT_FOUND for a parameter set not known, SLUICE_UNSUPPORTED for
 * another type or layer, SLUICE_BAD_DATA when the header does not parse
 * in len bytes.
 */
sluice_status_t sluice_hevc_slice_header_bits(const sluice_hevc_params_t *p,
    const uint8_t nal_header[2], const uint8_t *rbsp, size_t len,
    size_t *bits);


#endif /* _SLUICE_HEVC_SLICE_H_INCLUDED_ */
