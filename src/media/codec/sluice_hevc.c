
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include <stdio.h>

#include "media/codec/sluice_bits.h"
#include "media/codec/sluice_avc.h"
#include "media/codec/sluice_hevc.h"


#define SLUICE_HEVC_RECORD_HEADER  23
#define SLUICE_HEVC_MAX_SPS_LEN    1024
#define SLUICE_HEVC_MAX_SIZE       16888    /* level 6.2 limit a side */


static uint32_t sluice_hevc_reverse(uint32_t v);
static size_t sluice_hevc_array_size(const sluice_str_t *ps, uint32_t n);
static uint8_t *sluice_hevc_write_array(uint8_t *p, uint32_t type,
    const sluice_str_t *ps, uint32_t n);


sluice_status_t
sluice_hevc_parse_config(const uint8_t *p, size_t len,
    sluice_hevc_config_t *c)
{
    size_t         pos, n;
    uint32_t       i, j, narrays, count, type, *np;
    sluice_str_t  *ps;

    memset(c, 0, sizeof(sluice_hevc_config_t));

    if (len < SLUICE_HEVC_RECORD_HEADER || p[0] != 1) {
        return SLUICE_BAD_DATA;
    }

    c->record = p;
    c->record_len = len;
    c->profile_space = p[1] >> 6;
    c->tier = (p[1] >> 5) & 1;
    c->profile_idc = p[1] & 0x1f;
    c->compat_flags = sluice_rb32(p + 2);
    memcpy(c->constraints, p + 6, 6);
    c->level_idc = p[12];
    c->avg_frame_rate = sluice_rb16(p + 19);
    c->nal_length_size = (p[21] & 0x03) + 1;

    if (c->nal_length_size == 3) {
        return SLUICE_BAD_DATA;
    }

    narrays = p[22];
    pos = SLUICE_HEVC_RECORD_HEADER;

    for (i = 0; i < narrays; i++) {

        if (len - pos < 3) {
            return SLUICE_BAD_DATA;
        }

        type = p[pos] & 0x3f;
        count = sluice_rb16(p + pos + 1);
        pos += 3;

        switch (type) {
        case SLUICE_HEVC_NAL_VPS:
            ps = c->vps;
            np = &c->nvps;
            break;
        case SLUICE_HEVC_NAL_SPS:
            ps = c->sps;
            np = &c->nsps;
            break;
        case SLUICE_HEVC_NAL_PPS:
            ps = c->pps;
            np = &c->npps;
            break;
        default:
            ps = NULL;
            np = NULL;
            break;
        }

        for (j = 0; j < count; j++) {

            if (len - pos < 2) {
                return SLUICE_BAD_DATA;
            }

            n = sluice_rb16(p + pos);
            pos += 2;

            if (n == 0 || len - pos < n) {
                return SLUICE_BAD_DATA;
            }

            if (ps && *np < SLUICE_HEVC_MAX_PS) {
                ps[*np].data = p + pos;
                ps[*np].len = n;
                (*np)++;
            }

            pos += n;
        }
    }

    if (c->nsps == 0) {
        return SLUICE_UNSUPPORTED;
    }

    return sluice_hevc_parse_sps(c->sps[0].data, c->sps[0].len, c);
}


sluice_status_t
sluice_hevc_parse_sps(const uint8_t *nal, size_t len, sluice_hevc_config_t *c)
{
    size_t         n;
    uint8_t        buf[SLUICE_HEVC_MAX_SPS_LEN];
    uint32_t       sub_layers, chroma, separate, w, h, sub_w, sub_h;
    uint32_t       left, right, top, bottom;
    sluice_bits_t  b;

    if (len < 4 || sluice_hevc_nal_type(nal) != SLUICE_HEVC_NAL_SPS) {
        return SLUICE_BAD_DATA;
    }

    nal += 2;
    len -= 2;

    if (len > SLUICE_HEVC_MAX_SPS_LEN) {
        len = SLUICE_HEVC_MAX_SPS_LEN;
    }

    n = sluice_nal_unescape(buf, nal, len);
    sluice_bits_init(&b, buf, n);

    sluice_bits_skip(&b, 4);                    /* sps_video_parameter_set */
    sub_layers = sluice_bits_read(&b, 3);       /* max_sub_layers_minus1 */
    sluice_bits_skip(&b, 1);                    /* temporal_id_nesting */

    if (sub_layers > 6) {
        return SLUICE_BAD_DATA;
    }

    sluice_hevc_skip_ptl(&b, sub_layers);

    (void) sluice_bits_ue(&b);                  /* sps_seq_parameter_set_id */
    chroma = sluice_bits_ue(&b);
    separate = 0;

    if (chroma > 3) {
        return SLUICE_BAD_DATA;
    }

    if (chroma == 3) {
        separate = sluice_bits_read1(&b);
    }

    w = sluice_bits_ue(&b);
    h = sluice_bits_ue(&b);

    left = right = top = bottom = 0;

    if (sluice_bits_read1(&b)) {                /* conformance_window */
        left = sluice_bits_ue(&b);
        right = sluice_bits_ue(&b);
        top = sluice_bits_ue(&b);
        bottom = sluice_bits_ue(&b);
    }

    c->bit_depth_luma = sluice_bits_ue(&b) + 8;
    c->bit_depth_chroma = sluice_bits_ue(&b) + 8;

    if (b.error || w == 0 || h == 0 || w > SLUICE_HEVC_MAX_SIZE
        || h > SLUICE_HEVC_MAX_SIZE || c->bit_depth_luma > 16
        || c->bit_depth_chroma > 16)
    {
        return SLUICE_BAD_DATA;
    }

    c->chroma_format_idc = chroma;

    if (separate) {
        chroma = 0;
    }

    sub_w = (chroma == 1 || chroma == 2) ? 2 : 1;
    sub_h = (chroma == 1) ? 2 : 1;

    if ((uint64_t) sub_w * ((uint64_t) left + right) >= w
        || (uint64_t) sub_h * ((uint64_t) top + bottom) >= h)
    {
        return SLUICE_BAD_DATA;
    }

    c->width = w - sub_w * (left + right);
    c->height = h - sub_h * (top + bottom);

    return SLUICE_OK;
}


void
sluice_hevc_skip_ptl(sluice_bits_t *b, uint32_t sub_layers)
{
    uint32_t  i, profile[8], level[8];

    sluice_bits_skip(b, 96);                    /* general profile, level */

    for (i = 0; i < sub_layers; i++) {
        profile[i] = sluice_bits_read1(b);
        level[i] = sluice_bits_read1(b);
    }

    if (sub_layers > 0) {
        sluice_bits_skip(b, 2 * (8 - sub_layers));
    }

    for (i = 0; i < sub_layers; i++) {
        if (profile[i]) {
            sluice_bits_skip(b, 88);
        }

        if (level[i]) {
            sluice_bits_skip(b, 8);
        }
    }
}


static uint32_t
sluice_hevc_reverse(uint32_t v)
{
    uint32_t  r, i;

    r = 0;

    for (i = 0; i < 32; i++) {
        r = (r << 1) | ((v >> i) & 1);
    }

    return r;
}


static sluice_status_t
sluice_hevc_codec_string(const sluice_hevc_config_t *c, char *out)
{
    int     n, last;
    char    buf[64];
    size_t  len;

    static const char  *space[] = { "", "A", "B", "C" };

    len = (size_t) snprintf(buf, sizeof(buf), "hvc1.%s%u.%X.%c%u",
                            space[c->profile_space & 3],
                            (unsigned) c->profile_idc,
                            (unsigned) sluice_hevc_reverse(c->compat_flags),
                            c->tier ? 'H' : 'L', (unsigned) c->level_idc);

    /* constraint bytes, trailing zero bytes left out */

    for (last = 5; last >= 0 && c->constraints[last] == 0; last--) {
        /* void */
    }

    for (n = 0; n <= last; n++) {
        len += (size_t) snprintf(buf + len, sizeof(buf) - len, ".%X",
                                 (unsigned) c->constraints[n]);
    }

    if (len >= SLUICE_MAX_CODEC_STRING) {
        return SLUICE_UNSUPPORTED;
    }

    memcpy(out, buf, len + 1);

    return SLUICE_OK;
}


/* the record with its VPS, SPS and PPS arrays only */
static sluice_status_t
sluice_hevc_compact(const sluice_hevc_config_t *c, sluice_track_info_t *ti)
{
    size_t               n, len;
    uint8_t             *p;
    uint32_t             i, k, narrays, count;
    const sluice_str_t  *ps;

    static const uint32_t  types[3] = {
        SLUICE_HEVC_NAL_VPS, SLUICE_HEVC_NAL_SPS, SLUICE_HEVC_NAL_PPS
    };

    len = SLUICE_HEVC_RECORD_HEADER;
    narrays = 0;

    for (k = 0; k < 3; k++) {
        ps = (k == 0) ? c->vps : (k == 1) ? c->sps : c->pps;
        count = (k == 0) ? c->nvps : (k == 1) ? c->nsps : c->npps;

        if (count) {
            narrays++;
            len += 3;
        }

        for (i = 0; i < count; i++) {
            len += 2 + ps[i].len;
        }
    }

    if (len > SLUICE_MAX_CODEC_CONFIG) {
        return SLUICE_UNSUPPORTED;
    }

    p = ti->config;
    memcpy(p, c->record, SLUICE_HEVC_RECORD_HEADER - 1);
    p += SLUICE_HEVC_RECORD_HEADER - 1;
    *p++ = (uint8_t) narrays;

    for (k = 0; k < 3; k++) {
        ps = (k == 0) ? c->vps : (k == 1) ? c->sps : c->pps;
        count = (k == 0) ? c->nvps : (k == 1) ? c->nsps : c->npps;

        if (count == 0) {
            continue;
        }

        *p++ = (uint8_t) (0x80 | types[k]);     /* array_completeness */
        p = sluice_wb16(p, count);

        for (i = 0; i < count; i++) {
            n = ps[i].len;
            p = sluice_wb16(p, (uint32_t) n);
            memcpy(p, ps[i].data, n);
            p += n;
        }
    }

    ti->config_len = (uint32_t) len;

    return SLUICE_OK;
}


sluice_status_t
sluice_hevc_fill_info(const sluice_hevc_config_t *c, sluice_track_info_t *ti)
{
    uint32_t         num, den;
    sluice_status_t  rc;

    memset(ti, 0, sizeof(sluice_track_info_t));

    ti->media_type = SLUICE_MEDIA_VIDEO;
    ti->codec = SLUICE_CODEC_HEVC;
    ti->timescale = 90000;
    ti->width = c->width;
    ti->height = c->height;
    ti->nal_length_size = c->nal_length_size;

    if (c->avg_frame_rate) {
        num = c->avg_frame_rate;
        den = 256;

        /* reduce by powers of two: 256 has no other factor */
        while (den > 1 && (num & 1) == 0) {
            num >>= 1;
            den >>= 1;
        }

        ti->frame_rate_num = num;
        ti->frame_rate_den = den;
    }

    rc = sluice_hevc_codec_string(c, ti->codec_string);

    if (rc != SLUICE_OK) {
        return rc;
    }

    return sluice_hevc_compact(c, ti);
}


sluice_status_t
sluice_hevc_make_config(const sluice_str_t *vps, uint32_t nvps,
    const sluice_str_t *sps, uint32_t nsps, const sluice_str_t *pps,
    uint32_t npps, uint8_t *out, size_t size, size_t *len)
{
    size_t                n, vps_len, sps_len, pps_len;
    uint8_t              *p, head[32];
    sluice_status_t       rc;
    sluice_hevc_config_t  c;

    if (nvps == 0 || nsps == 0 || npps == 0
        || nvps > 0xffff || nsps > 0xffff || npps > 0xffff)
    {
        return SLUICE_UNSUPPORTED;
    }

    vps_len = sluice_hevc_array_size(vps, nvps);
    sps_len = sluice_hevc_array_size(sps, nsps);
    pps_len = sluice_hevc_array_size(pps, npps);

    if (vps_len == 0 || sps_len == 0 || pps_len == 0) {
        return SLUICE_BAD_DATA;
    }

    memset(&c, 0, sizeof(sluice_hevc_config_t));

    rc = sluice_hevc_parse_sps(sps[0].data, sps[0].len, &c);
    if (rc != SLUICE_OK) {
        return rc;
    }

    /*
     * after the NAL header: sps_video_parameter_set_id(4),
     * sps_max_sub_layers_minus1(3), sps_temporal_id_nesting_flag(1), then
     * the 12 bytes of the general profile, tier and level, as the record
     * has them
     */

    n = sps[0].len - 2 < sizeof(head) ? sps[0].len - 2 : sizeof(head);
    n = sluice_nal_unescape(head, sps[0].data + 2, n);

    if (n < 13) {
        return SLUICE_BAD_DATA;
    }

    n = SLUICE_HEVC_RECORD_HEADER + vps_len + sps_len + pps_len;

    if (n > size) {
        return SLUICE_UNSUPPORTED;
    }

    p = out;
    *p++ = 1;                                   /* configurationVersion */
    memcpy(p, head + 1, 12);
    p += 12;
    *p++ = 0xf0;                        /* min_spatial_segmentation_idc 0 */
    *p++ = 0x00;
    *p++ = 0xfc;                                /* parallelismType 0 */
    *p++ = (uint8_t) (0xfc | c.chroma_format_idc);
    *p++ = (uint8_t) (0xf8 | ((c.bit_depth_luma - 8) & 0x07));
    *p++ = (uint8_t) (0xf8 | ((c.bit_depth_chroma - 8) & 0x07));
    *p++ = 0x00;                                /* avgFrameRate 0 */
    *p++ = 0x00;

    /* constantFrameRate 0, numTemporalLayers, temporalIdNested, length 4 */
    *p++ = (uint8_t) ((((head[0] >> 1) & 0x07) + 1) << 3
                      | (head[0] & 0x01) << 2 | 0x03);
    *p++ = 3;                                   /* numOfArrays */

    p = sluice_hevc_write_array(p, SLUICE_HEVC_NAL_VPS, vps, nvps);
    p = sluice_hevc_write_array(p, SLUICE_HEVC_NAL_SPS, sps, nsps);
    (void) sluice_hevc_write_array(p, SLUICE_HEVC_NAL_PPS, pps, npps);

    *len = n;

    return SLUICE_OK;
}


/* the bytes of a record's array of parameter sets; 0 if one is bad */

static size_t
sluice_hevc_array_size(const sluice_str_t *ps, uint32_t n)
{
    size_t    len;
    uint32_t  i;

    len = 3;

    for (i = 0; i < n; i++) {
        if (ps[i].len == 0 || ps[i].len > 0xffff) {
            return 0;
        }

        len += 2 + ps[i].len;
    }

    return len;
}


static uint8_t *
sluice_hevc_write_array(uint8_t *p, uint32_t type, const sluice_str_t *ps,
    uint32_t n)
{
    uint32_t  i;

    *p++ = (uint8_t) (0x80 | type);             /* array_completeness */
    p = sluice_wb16(p, n);

    for (i = 0; i < n; i++) {
        p = sluice_wb16(p, (uint32_t) ps[i].len);
        memcpy(p, ps[i].data, ps[i].len);
        p += ps[i].len;
    }

    return p;
}


int
sluice_hevc_has_irap(const uint8_t *au, size_t len, uint32_t nal_length_size)
{
    uint32_t               type;
    sluice_str_t           nal;
    sluice_status_t        rc;
    sluice_avc_nal_iter_t  it;

    sluice_avc_nal_iter_init(&it, au, len, nal_length_size);

    for ( ;; ) {
        rc = sluice_avc_nal_next(&it, &nal);

        if (rc == SLUICE_NOT_FOUND) {
            return 0;
        }

        if (rc != SLUICE_OK) {
            return -1;
        }

        type = sluice_hevc_nal_type(nal.data);

        if (type >= SLUICE_HEVC_NAL_BLA_W_LP
            && type <= SLUICE_HEVC_NAL_RSV_IRAP_23)
        {
            return 1;
        }
    }
}
