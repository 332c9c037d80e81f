
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Where the data of an AVC or HEVC slice starts: the length of its NAL
 * unit header and slice header, in the NAL unit as stored (emulation
 * prevention bytes included).  'cbcs' keeps that much of every slice
 * clear (ISO/IEC 23001-7 10.4).
 *
 * The parameter sets come from the track's decoder configuration record
 * (avcC, hvcC) and from those carried in the samples, learnt in order as
 * the NAL units go by (sluice_slice_params_nal()).  The slice header is
 * read from its RBSP, emulation prevention bytes removed, then its
 * length mapped back to the escaped bytes: the slice data starts in the
 * byte holding the header's last bit (AVC CAVLC), after the
 * cabac_alignment_one_bits (AVC CABAC) or after byte_alignment() (HEVC).
 */


#ifndef _SLUICE_SLICE_H_INCLUDED_
#define _SLUICE_SLICE_H_INCLUDED_


#include "media/codec/sluice_avc_slice.h"
#include "media/codec/sluice_hevc_slice.h"


/* escaped bytes of a NAL unit read at first, at most */
#define SLUICE_SLICE_FIRST_READ  128
#define SLUICE_SLICE_MAX_READ    4096   /* longer headers are not read */


typedef struct {
    uint32_t                 codec;         /* sluice_codec_t */
    size_t                   measured;      /* slice headers measured */
    size_t                   failed;        /* slices not measured */

    union {
        sluice_avc_params_t  avc;
        sluice_hevc_params_t hevc;
    } u;

    uint8_t                  rbsp[SLUICE_SLICE_MAX_READ];   /* scratch */
} sluice_slice_params_t;


/*
 * Reset sp for codec (AVC or HEVC) and learn the parameter sets of its
 * decoder configuration record (config may be NULL).  The record's
 * problems are not errors (slices of unknown parameter sets are just not
 * measured): SLUICE_OK, or SLUICE_UNSUPPORTED for another codec.
 */
sluice_status_t sluice_slice_params_init(sluice_slice_params_t *sp,
    uint32_t codec, const uint8_t *config, size_t len);

/* learn the NAL unit if it is an SPS or a PPS (header included, escaped) */
void sluice_slice_params_nal(sluice_slice_params_t *sp, const uint8_t *nal,
    size_t len);

/*
 * The bytes of a slice NAL unit (header included, escaped) before its
 * slice data, in *size, counted in sp->measured; the errors of
 * sluice_avc_slice_header_bits() and sluice_hevc_slice_header_bits()
 * otherwise (a header longer than SLUICE_SLICE_MAX_READ is
 * SLUICE_BAD_DATA), counted in sp->failed.
 */
sluice_status_t sluice_slice_header_size(sluice_slice_params_t *sp,
    const uint8_t *nal, size_t len, size_t *size);


#endif /* _SLUICE_SLICE_H_INCLUDED_ */
