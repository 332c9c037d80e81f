
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ISO BMFF boxes of Common Encryption (ISO/IEC 23001-7, ISO/IEC 14496-12
 * 8.12): the protection scheme information of an encrypted sample entry
 * (sinf: frma, schm, schi/tenc), pssh, and the per-fragment sample
 * auxiliary information (senc, saiz, saio).  Writers are size-first as in
 * sluice_cmaf.h: each size function returns the exact byte count its
 * write function produces; write returns p + size.
 *
 *   sinf
 *     frma                 original sample entry type (avc1, mp4a...)
 *     schm                 scheme 'cenc' or 'cbcs', version 0x00010000
 *     schi
 *       tenc               version 0 ('cenc'), 1 with a pattern ('cbcs'):
 *                          protected, per-sample IV size, KID
 *                          [, constant IV when the IV size is 0]
 */


#ifndef _SLUICE_CENC_BOX_H_INCLUDED_
#define _SLUICE_CENC_BOX_H_INCLUDED_


#include "media/crypto/sluice_cenc.h"


#define SLUICE_CENC_KID_SIZE       16
#define SLUICE_CENC_SYSTEM_ID_SIZE 16

/* senc flags: subsample information present */
#define SLUICE_CENC_SENC_SUBSAMPLES  0x000002

/* bytes from the start of a senc box to its first sample's IV */
#define SLUICE_CENC_SENC_HEADER      16


/* the track's default encryption parameters (tenc) */
typedef struct {
    uint32_t   scheme;          /* SLUICE_CENC_SCHEME_CENC or _CBCS */
    uint32_t   iv_size;         /* per-sample IV size: 8, 16, or 0 */
    uint32_t   crypt;           /* pattern; 0 and 0: tenc version 0 */
    uint32_t   skip;
    uint8_t    kid[SLUICE_CENC_KID_SIZE];
    uint8_t    constant_iv[SLUICE_AES_BLOCK_SIZE];  /* when iv_size 0 */
} sluice_cenc_track_t;


/* one sample's auxiliary information (senc, saiz) */
typedef struct {
    uint8_t              iv[SLUICE_AES_BLOCK_SIZE];   /* iv_size used */
    uint32_t             nsubsamples;
    sluice_subsample_t  *subsamples;
} sluice_cenc_sample_t;


size_t sluice_cenc_tenc_size(const sluice_cenc_track_t *t);
uint8_t *sluice_cenc_tenc_write(uint8_t *p, const sluice_cenc_track_t *t);

/* sinf with frma (original_format, e.g. "avc1"), schm, schi and tenc */
size_t sluice_cenc_sinf_size(const sluice_cenc_track_t *t);
uint8_t *sluice_cenc_sinf_write(uint8_t *p, const sluice_cenc_track_t *t,
    const char *original_format);

/*
 * pssh of a DRM system: version 0 without KIDs (nkids 0), version 1 with
 * nkids KIDs (16 bytes each, in kids), then the system's data.
 */
size_t sluice_cenc_pssh_size(size_t nkids, size_t data_len);
uint8_t *sluice_cenc_pssh_write(uint8_t *p, const uint8_t *system_id,
    const uint8_t *kids, size_t nkids, const uint8_t *data, size_t data_len);

/*
 * senc of n samples, each with iv_size bytes of IV (0 with a constant
 * IV) and, with flags SLUICE_CENC_SENC_SUBSAMPLES, its subsamples.
 * saiz gives each sample's information size (a default size when they
 * are all equal), saio the offset of the first sample's information
 * (the senc box's offset from the moof plus SLUICE_CENC_SENC_HEADER, for
 * a traf whose tfhd has default-base-is-moof); saio is version 1 when
 * the offset needs 64 bits.  The senc and saiz size functions return 0
 * when iv_size is not 0, 8 or 16 or a sample's information exceeds the
 * 255 bytes saiz can give (more than 40 subsamples with an 8-byte IV);
 * their write functions then return NULL.
 */
size_t sluice_cenc_senc_size(const sluice_cenc_sample_t *s, size_t n,
    uint32_t iv_size, uint32_t flags);
uint8_t *sluice_cenc_senc_write(uint8_t *p, const sluice_cenc_sample_t *s,
    size_t n, uint32_t iv_size, uint32_t flags);

size_t sluice_cenc_saiz_size(const sluice_cenc_sample_t *s, size_t n,
    uint32_t iv_size, uint32_t flags);
uint8_t *sluice_cenc_saiz_write(uint8_t *p, const sluice_cenc_sample_t *s,
    size_t n, uint32_t iv_size, uint32_t flags);

size_t sluice_cenc_saio_size(uint64_t offset);
uint8_t *sluice_cenc_saio_write(uint8_t *p, uint64_t offset);

/*
 * Reading, for the rewriters of src/media/crypto: the first box of type
 * among the boxes that fill p[0..len) (the payload of a container):
 * its offset from p and its whole size in *off and *size, and in *count
 * (when not NULL) how many boxes of that type there are.
 * SLUICE_NOT_FOUND when there is none; SLUICE_BAD_DATA when a box does
 * not fit, or has a 64-bit or a to-the-end size (Sluice writes neither).
 */
sluice_status_t sluice_cenc_box_child(const uint8_t *p, size_t len,
    const char *type, size_t *off, size_t *size, size_t *count);


#endif /* _SLUICE_CENC_BOX_H_INCLUDED_ */
