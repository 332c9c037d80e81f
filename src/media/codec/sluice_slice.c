
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include "media/codec/sluice_bits.h"
#include "media/codec/sluice_avc.h"
#include "media/codec/sluice_hevc.h"
#include "media/codec/sluice_slice.h"


static void sluice_slice_params_avc(sluice_slice_params_t *sp,
    const uint8_t *config, size_t len);
static void sluice_slice_params_hevc(sluice_slice_params_t *sp,
    const uint8_t *config, size_t len);
static size_t sluice_slice_unescape(sluice_slice_params_t *sp,
    const uint8_t *nal, size_t len, size_t hdr, size_t max);
static sluice_status_t sluice_slice_bits(sluice_slice_params_t *sp,
    const uint8_t *nal, size_t n, size_t *bits);


sluice_status_t
sluice_slice_params_init(sluice_slice_params_t *sp, uint32_t codec,
    const uint8_t *config, size_t len)
{
    memset(sp, 0, offsetof(sluice_slice_params_t, rbsp));

    if (codec != SLUICE_CODEC_AVC && codec != SLUICE_CODEC_HEVC) {
        return SLUICE_UNSUPPORTED;
    }

    sp->codec = codec;

    if (config == NULL || len == 0) {
        return SLUICE_OK;
    }

    if (codec == SLUICE_CODEC_AVC) {
        sluice_slice_params_avc(sp, config, len);

    } else {
        sluice_slice_params_hevc(sp, config, len);
    }

    return SLUICE_OK;
}


static void
sluice_slice_params_avc(sluice_slice_params_t *sp, const uint8_t *config,
    size_t len)
{
    uint32_t             i;
    sluice_avc_config_t  c;

    /* the arrays are filled even when the first SPS does not parse */
    (void) sluice_avc_parse_config(config, len, &c);

    for (i = 0; i < c.nsps; i++) {
        sluice_slice_params_nal(sp, c.sps[i].data, c.sps[i].len);
    }

    for (i = 0; i < c.npps; i++) {
        sluice_slice_params_nal(sp, c.pps[i].data, c.pps[i].len);
    }
}


static void
sluice_slice_params_hevc(sluice_slice_params_t *sp, const uint8_t *config,
    size_t len)
{
    uint32_t              i;
    sluice_hevc_config_t  c;

    (void) sluice_hevc_parse_config(config, len, &c);

    for (i = 0; i < c.nsps; i++) {
        sluice_slice_params_nal(sp, c.sps[i].data, c.sps[i].len);
    }

    for (i = 0; i < c.npps; i++) {
        sluice_slice_params_nal(sp, c.pps[i].data, c.pps[i].len);
    }
}


void
sluice_slice_params_nal(sluice_slice_params_t *sp, const uint8_t *nal,
    size_t len)
{
    size_t    n;
    uint32_t  type;

    if (sp->codec == SLUICE_CODEC_AVC) {
        type = (len > 1) ? (nal[0] & 0x1f) : 0;

        if (type == SLUICE_AVC_NAL_SPS || type == SLUICE_AVC_NAL_PPS) {
            n = sluice_slice_unescape(sp, nal, len, 1,
                                      SLUICE_SLICE_MAX_READ);
            (void) sluice_avc_params_add(&sp->u.avc, type, sp->rbsp, n);
        }

        return;
    }

    type = (len > 2) ? sluice_hevc_nal_type(nal) : 0;

    if (sp->codec == SLUICE_CODEC_HEVC
        && (type == SLUICE_HEVC_NAL_SPS || type == SLUICE_HEVC_NAL_PPS))
    {
        n = sluice_slice_unescape(sp, nal, len, 2, SLUICE_SLICE_MAX_READ);
        (void) sluice_hevc_params_add(&sp->u.hevc, nal, sp->rbsp, n);
    }
}


sluice_status_t
sluice_slice_header_size(sluice_slice_params_t *sp, const uint8_t *nal,
    size_t len, size_t *size)
{
    size_t           hdr, n, bits;
    sluice_status_t  rc;

    hdr = (sp->codec == SLUICE_CODEC_AVC) ? 1 : 2;

    if (len <= hdr) {
        sp->failed++;
        return SLUICE_BAD_DATA;
    }

    /* most headers are short: the whole read only when they are not */

    n = sluice_slice_unescape(sp, nal, len, hdr, SLUICE_SLICE_FIRST_READ);
    rc = sluice_slice_bits(sp, nal, n, &bits);

    if (rc == SLUICE_BAD_DATA && len - hdr > SLUICE_SLICE_FIRST_READ) {
        n = sluice_slice_unescape(sp, nal, len, hdr, SLUICE_SLICE_MAX_READ);
        rc = sluice_slice_bits(sp, nal, n, &bits);
    }

    if (rc != SLUICE_OK) {
        sp->failed++;
        return rc;
    }

    *size = hdr + sluice_nal_escaped_size(nal + hdr, len - hdr,
                                          (bits + 7) / 8);
    sp->measured++;

    return SLUICE_OK;
}


static sluice_status_t
sluice_slice_bits(sluice_slice_params_t *sp, const uint8_t *nal, size_t n,
    size_t *bits)
{
    if (sp->codec == SLUICE_CODEC_AVC) {
        return sluice_avc_slice_header_bits(&sp->u.avc, nal[0], sp->rbsp, n,
                                            bits);
    }

    if (sp->codec == SLUICE_CODEC_HEVC) {
        return sluice_hevc_slice_header_bits(&sp->u.hevc, nal, sp->rbsp, n,
                                             bits);
    }

    return SLUICE_UNSUPPORTED;
}


/* the RBSP after the hdr header bytes, at most max escaped bytes of it */

static size_t
sluice_slice_unescape(sluice_slice_params_t *sp, const uint8_t *nal,
    size_t len, size_t hdr, size_t max)
{
    len -= hdr;

    if (len > max) {
        len = max;
    }

    return sluice_nal_unescape(sp->rbsp, nal + hdr, len);
}
