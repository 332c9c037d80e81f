
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include <stdio.h>

#include "media/codec/sluice_bits.h"
#include "media/codec/sluice_avc.h"


#define SLUICE_AVC_MAX_SPS_LEN  1024
#define SLUICE_AVC_MAX_MBS      1024    /* 16384 pixels a side */


/* frame_crop_*_offset */
typedef struct {
    uint32_t                    left;
    uint32_t                    right;
    uint32_t                    top;
    uint32_t                    bottom;
} sluice_avc_crop_t;


static void sluice_avc_skip_scaling_list(sluice_bits_t *b, unsigned size);
static sluice_status_t sluice_avc_parse_sps_bits(sluice_bits_t *b,
    sluice_avc_config_t *c);
static sluice_status_t sluice_avc_parse_chroma(sluice_bits_t *b,
    sluice_avc_config_t *c, uint32_t *separate);
static sluice_status_t sluice_avc_parse_poc(sluice_bits_t *b,
    sluice_avc_config_t *c);
static sluice_status_t sluice_avc_parse_frame_size(sluice_bits_t *b,
    sluice_avc_config_t *c, uint32_t separate);
static sluice_status_t sluice_avc_crop(sluice_avc_config_t *c,
    uint32_t separate, uint32_t width_mbs, uint32_t height_mbs,
    sluice_avc_crop_t *crop);
static void sluice_avc_parse_vui(sluice_bits_t *b, sluice_avc_config_t *c);
static size_t sluice_avc_ps_size(const sluice_str_t *ps, uint32_t n);
static uint8_t *sluice_avc_write_ps(uint8_t *p, const sluice_str_t *ps,
    uint32_t n);


static const uint8_t  sluice_avc_sar[17][2] = {
    { 0, 0 }, { 1, 1 }, { 12, 11 }, { 10, 11 }, { 16, 11 }, { 40, 33 },
    { 24, 11 }, { 20, 11 }, { 32, 11 }, { 80, 33 }, { 18, 11 }, { 15, 11 },
    { 64, 33 }, { 160, 99 }, { 4, 3 }, { 3, 2 }, { 2, 1 }
};


sluice_status_t
sluice_avc_parse_config(const uint8_t *p, size_t len, sluice_avc_config_t *c)
{
    size_t          pos, n;
    uint32_t        i, count;
    sluice_str_t   *ps;

    memset(c, 0, sizeof(sluice_avc_config_t));

    if (len < 7 || p[0] != 1) {
        return SLUICE_BAD_DATA;
    }

    c->record = p;
    c->record_len = len;
    c->profile = p[1];
    c->compat = p[2];
    c->level = p[3];
    c->nal_length_size = (p[4] & 0x03) + 1;

    if (c->nal_length_size == 3) {
        return SLUICE_BAD_DATA;
    }

    pos = 5;

    /* SPS array (5-bit count), then PPS array (8-bit count) */

    for (ps = c->sps; ps; ps = (ps == c->sps) ? c->pps : NULL) {

        if (pos >= len) {
            return SLUICE_BAD_DATA;
        }

        count = (ps == c->sps) ? (p[pos] & 0x1f) : p[pos];
        pos++;

        for (i = 0; i < count; i++) {

            if (len - pos < 2) {
                return SLUICE_BAD_DATA;
            }

            n = sluice_rb16(p + pos);
            pos += 2;

            if (n == 0 || len - pos < n) {
                return SLUICE_BAD_DATA;
            }

            if (i < SLUICE_AVC_MAX_PS) {
                ps[i].data = p + pos;
                ps[i].len = n;
            }

            pos += n;
        }

        if (ps == c->sps) {
            c->nsps = count < SLUICE_AVC_MAX_PS ? count : SLUICE_AVC_MAX_PS;

        } else {
            c->npps = count < SLUICE_AVC_MAX_PS ? count : SLUICE_AVC_MAX_PS;
        }
    }

    if (c->nsps == 0) {
        return SLUICE_UNSUPPORTED;
    }

    return sluice_avc_parse_sps(c->sps[0].data, c->sps[0].len, c);
}


sluice_status_t
sluice_avc_parse_sps(const uint8_t *nal, size_t len, sluice_avc_config_t *c)
{
    size_t         n;
    uint8_t        buf[SLUICE_AVC_MAX_SPS_LEN];
    sluice_bits_t  b;

    if (len < 4 || (nal[0] & 0x1f) != SLUICE_AVC_NAL_SPS) {
        return SLUICE_BAD_DATA;
    }

    nal++;
    len--;

    if (len > SLUICE_AVC_MAX_SPS_LEN) {
        len = SLUICE_AVC_MAX_SPS_LEN;
    }

    n = sluice_nal_unescape(buf, nal, len);

    sluice_bits_init(&b, buf, n);

    return sluice_avc_parse_sps_bits(&b, c);
}


sluice_status_t
sluice_avc_parse_sps_rbsp(const uint8_t *rbsp, size_t len,
    sluice_avc_config_t *c)
{
    sluice_bits_t  b;

    if (len < 3) {
        return SLUICE_BAD_DATA;
    }

    sluice_bits_init(&b, rbsp, len);

    return sluice_avc_parse_sps_bits(&b, c);
}


static sluice_status_t
sluice_avc_parse_sps_bits(sluice_bits_t *b, sluice_avc_config_t *c)
{
    uint32_t         separate;
    sluice_status_t  rc;

    c->sps_profile = sluice_bits_read(b, 8);
    sluice_bits_skip(b, 16);                 /* constraints, level_idc */
    c->sps_id = sluice_bits_ue(b);

    rc = sluice_avc_parse_chroma(b, c, &separate);
    if (rc != SLUICE_OK) {
        return rc;
    }

    c->separate_colour_plane = separate;
    c->log2_max_frame_num_minus4 = sluice_bits_ue(b);

    rc = sluice_avc_parse_poc(b, c);
    if (rc != SLUICE_OK) {
        return rc;
    }

    (void) sluice_bits_ue(b);                /* max_num_ref_frames */
    sluice_bits_skip(b, 1);                  /* gaps_in_frame_num_allowed */

    rc = sluice_avc_parse_frame_size(b, c, separate);
    if (rc != SLUICE_OK) {
        return rc;
    }

    if (sluice_bits_read1(b)) {
        sluice_avc_parse_vui(b, c);
    }

    return SLUICE_OK;
}


/* the chroma format, bit depths and scaling matrices of high profiles */

static sluice_status_t
sluice_avc_parse_chroma(sluice_bits_t *b, sluice_avc_config_t *c,
    uint32_t *separate)
{
    uint32_t  i, n;

    c->chroma_format_idc = 1;
    c->bit_depth_luma = 8;
    c->bit_depth_chroma = 8;
    *separate = 0;

    switch (c->sps_profile) {
    case 100: case 110: case 122: case 244: case 44: case 83: case 86:
    case 118: case 128: case 138: case 139: case 134: case 135:
        break;

    default:
        return SLUICE_OK;
    }

    c->chroma_format_idc = sluice_bits_ue(b);

    if (c->chroma_format_idc > 3) {
        return SLUICE_BAD_DATA;
    }

    if (c->chroma_format_idc == 3) {
        *separate = sluice_bits_read1(b);
    }

    c->bit_depth_luma = sluice_bits_ue(b) + 8;
    c->bit_depth_chroma = sluice_bits_ue(b) + 8;

    if (c->bit_depth_luma > 14 || c->bit_depth_chroma > 14) {
        return SLUICE_BAD_DATA;
    }

    sluice_bits_skip(b, 1);      /* qpprime_y_zero_transform_bypass_flag */

    if (sluice_bits_read1(b)) {              /* seq_scaling_matrix */
        n = (c->chroma_format_idc != 3) ? 8 : 12;

        for (i = 0; i < n && !b->error; i++) {
            if (sluice_bits_read1(b)) {
                sluice_avc_skip_scaling_list(b, i < 6 ? 16 : 64);
            }
        }
    }

    return SLUICE_OK;
}


/* pic_order_cnt_type and what it brings */

static sluice_status_t
sluice_avc_parse_poc(sluice_bits_t *b, sluice_avc_config_t *c)
{
    uint32_t  i, n, poc_type;

    poc_type = sluice_bits_ue(b);
    c->poc_type = poc_type;
    c->log2_max_poc_lsb_minus4 = 0;
    c->delta_pic_order_always_zero = 0;

    if (poc_type == 0) {
        c->log2_max_poc_lsb_minus4 = sluice_bits_ue(b);

    } else if (poc_type == 1) {
        c->delta_pic_order_always_zero = sluice_bits_read1(b);
        (void) sluice_bits_se(b);            /* offset_for_non_ref_pic */
        (void) sluice_bits_se(b);            /* offset_for_top_to_bottom */
        n = sluice_bits_ue(b);

        if (n > 255) {
            return SLUICE_BAD_DATA;
        }

        for (i = 0; i < n && !b->error; i++) {
            (void) sluice_bits_se(b);
        }

    } else if (poc_type != 2) {
        return SLUICE_BAD_DATA;
    }

    return SLUICE_OK;
}


/* the size in macroblocks and the cropping window: c->width, c->height */

static sluice_status_t
sluice_avc_parse_frame_size(sluice_bits_t *b, sluice_avc_config_t *c,
    uint32_t separate)
{
    uint32_t           width_mbs, height_mbs;
    sluice_avc_crop_t  crop;

    width_mbs = sluice_bits_ue(b) + 1;
    height_mbs = sluice_bits_ue(b) + 1;      /* map units */

    c->frame_mbs_only = sluice_bits_read1(b);

    if (!c->frame_mbs_only) {
        sluice_bits_skip(b, 1);              /* mb_adaptive_frame_field */
    }

    sluice_bits_skip(b, 1);                  /* direct_8x8_inference */

    crop.left = crop.right = crop.top = crop.bottom = 0;

    if (sluice_bits_read1(b)) {
        crop.left = sluice_bits_ue(b);
        crop.right = sluice_bits_ue(b);
        crop.top = sluice_bits_ue(b);
        crop.bottom = sluice_bits_ue(b);
    }

    if (b->error
        || width_mbs > SLUICE_AVC_MAX_MBS || height_mbs > SLUICE_AVC_MAX_MBS)
    {
        return SLUICE_BAD_DATA;
    }

    return sluice_avc_crop(c, separate, width_mbs, height_mbs, &crop);
}


static sluice_status_t
sluice_avc_crop(sluice_avc_config_t *c, uint32_t separate,
    uint32_t width_mbs, uint32_t height_mbs, sluice_avc_crop_t *crop)
{
    uint32_t  chroma, crop_x, crop_y, w, h;

    chroma = separate ? 0 : c->chroma_format_idc;

    if (chroma == 0) {
        crop_x = 1;
        crop_y = 2 - c->frame_mbs_only;

    } else {
        crop_x = (chroma == 3) ? 1 : 2;
        crop_y = ((chroma == 1) ? 2 : 1) * (2 - c->frame_mbs_only);
    }

    w = width_mbs * 16;
    h = (2 - c->frame_mbs_only) * height_mbs * 16;

    /* crop values are at most 2^32 - 2 each: compare in 64 bits */

    if ((uint64_t) crop_x * ((uint64_t) crop->left + crop->right) >= w
        || (uint64_t) crop_y * ((uint64_t) crop->top + crop->bottom) >= h)
    {
        return SLUICE_BAD_DATA;
    }

    c->width = w - crop_x * (crop->left + crop->right);
    c->height = h - crop_y * (crop->top + crop->bottom);

    return SLUICE_OK;
}


static void
sluice_avc_skip_scaling_list(sluice_bits_t *b, unsigned size)
{
    int32_t   last, next, delta;
    unsigned  j;

    last = 8;
    next = 8;

    for (j = 0; j < size && !b->error; j++) {

        if (next != 0) {
            delta = sluice_bits_se(b);

            if (delta < -128 || delta > 127) {
                b->error = 1;
                return;
            }

            next = (last + delta + 256) % 256;
        }

        last = (next == 0) ? last : next;
    }
}


static void
sluice_avc_parse_vui(sluice_bits_t *b, sluice_avc_config_t *c)
{
    uint32_t  idc, sar_w, sar_h, units, scale, fixed;

    sar_w = 0;
    sar_h = 0;

    if (sluice_bits_read1(b)) {              /* aspect_ratio_info */
        idc = sluice_bits_read(b, 8);

        if (idc == 255) {
            sar_w = sluice_bits_read(b, 16);
            sar_h = sluice_bits_read(b, 16);

        } else if (idc < 17) {
            sar_w = sluice_avc_sar[idc][0];
            sar_h = sluice_avc_sar[idc][1];
        }
    }

    if (sluice_bits_read1(b)) {              /* overscan_info */
        sluice_bits_skip(b, 1);
    }

    if (sluice_bits_read1(b)) {              /* video_signal_type */
        sluice_bits_skip(b, 4);

        if (sluice_bits_read1(b)) {          /* colour_description */
            sluice_bits_skip(b, 24);
        }
    }

    if (sluice_bits_read1(b)) {              /* chroma_loc_info */
        (void) sluice_bits_ue(b);
        (void) sluice_bits_ue(b);
    }

    if (b->error) {
        return;
    }

    if (sar_w && sar_h) {
        c->sar_num = sar_w;
        c->sar_den = sar_h;
    }

    if (sluice_bits_read1(b)) {              /* timing_info */
        units = sluice_bits_read(b, 32);
        scale = sluice_bits_read(b, 32);
        fixed = sluice_bits_read1(b);

        if (!b->error && units && scale) {
            c->timing_info = 1;
            c->num_units_in_tick = units;
            c->time_scale = scale;
            c->fixed_frame_rate = fixed;
        }
    }
}


static uint64_t
sluice_avc_gcd(uint64_t a, uint64_t b)
{
    uint64_t  t;

    while (b) {
        t = a % b;
        a = b;
        b = t;
    }

    return a;
}


sluice_status_t
sluice_avc_fill_info(const sluice_avc_config_t *c, sluice_track_info_t *ti)
{
    uint64_t  num, den, g;

    if (c->record_len > SLUICE_MAX_CODEC_CONFIG) {
        return SLUICE_UNSUPPORTED;
    }

    memset(ti, 0, sizeof(sluice_track_info_t));

    ti->media_type = SLUICE_MEDIA_VIDEO;
    ti->codec = SLUICE_CODEC_AVC;
    ti->timescale = 90000;
    ti->width = c->width;
    ti->height = c->height;
    ti->nal_length_size = c->nal_length_size;

    if (c->timing_info) {
        /* one frame is two ticks (H.264 E.2.1) */
        num = c->time_scale;
        den = (uint64_t) c->num_units_in_tick * 2;
        g = sluice_avc_gcd(num, den);
        num /= g;
        den /= g;

        if (den <= UINT32_MAX) {
            ti->frame_rate_num = (uint32_t) num;
            ti->frame_rate_den = (uint32_t) den;
        }
    }

    snprintf(ti->codec_string, SLUICE_MAX_CODEC_STRING, "avc1.%02x%02x%02x",
             c->profile & 0xff, c->compat & 0xff, c->level & 0xff);

    memcpy(ti->config, c->record, c->record_len);
    ti->config_len = (uint32_t) c->record_len;

    return SLUICE_OK;
}


sluice_status_t
sluice_avc_make_config(const sluice_str_t *sps, uint32_t nsps,
    const sluice_str_t *pps, uint32_t npps, uint8_t *out, size_t size,
    size_t *len)
{
    size_t               n, sps_len, pps_len, ext;
    uint8_t             *p, head[8];
    sluice_status_t      rc;
    sluice_avc_config_t  c;

    if (nsps == 0 || npps == 0 || nsps > 31 || npps > 255) {
        return SLUICE_UNSUPPORTED;
    }

    sps_len = sluice_avc_ps_size(sps, nsps);
    pps_len = sluice_avc_ps_size(pps, npps);

    if (sps_len == 0 || pps_len == 0) {
        return SLUICE_BAD_DATA;
    }

    memset(&c, 0, sizeof(sluice_avc_config_t));

    rc = sluice_avc_parse_sps(sps[0].data, sps[0].len, &c);
    if (rc != SLUICE_OK) {
        return rc;
    }

    /* profile_idc, constraint flags, level_idc: the header's next bytes */
    n = sluice_nal_unescape(head, sps[0].data,
                            sps[0].len < sizeof(head) ? sps[0].len
                                                      : sizeof(head));
    if (n < 4) {
        return SLUICE_BAD_DATA;
    }

    switch (c.sps_profile) {
    case 100: case 110: case 122: case 144:
        ext = 4;
        break;

    default:
        ext = 0;
    }

    n = 6 + sps_len + 1 + pps_len + ext;

    if (n > size) {
        return SLUICE_UNSUPPORTED;
    }

    p = out;
    *p++ = 1;                                   /* configurationVersion */
    *p++ = head[1];
    *p++ = head[2];
    *p++ = head[3];
    *p++ = 0xff;                                /* lengthSizeMinusOne 3 */
    *p++ = (uint8_t) (0xe0 | nsps);
    p = sluice_avc_write_ps(p, sps, nsps);
    *p++ = (uint8_t) npps;
    p = sluice_avc_write_ps(p, pps, npps);

    if (ext) {
        *p++ = (uint8_t) (0xfc | c.chroma_format_idc);
        *p++ = (uint8_t) (0xf8 | ((c.bit_depth_luma - 8) & 0x07));
        *p++ = (uint8_t) (0xf8 | ((c.bit_depth_chroma - 8) & 0x07));
        *p++ = 0;                           /* numOfSequenceParameterSetExt */
    }

    *len = n;

    return SLUICE_OK;
}


/* the bytes of an array of parameter sets with 16-bit lengths; 0 if bad */

static size_t
sluice_avc_ps_size(const sluice_str_t *ps, uint32_t n)
{
    size_t    len;
    uint32_t  i;

    len = 0;

    for (i = 0; i < n; i++) {
        if (ps[i].len == 0 || ps[i].len > 0xffff) {
            return 0;
        }

        len += 2 + ps[i].len;
    }

    return len;
}


static uint8_t *
sluice_avc_write_ps(uint8_t *p, const sluice_str_t *ps, uint32_t n)
{
    uint32_t  i;

    for (i = 0; i < n; i++) {
        p = sluice_wb16(p, (uint32_t) ps[i].len);
        memcpy(p, ps[i].data, ps[i].len);
        p += ps[i].len;
    }

    return p;
}


void
sluice_avc_nal_iter_init(sluice_avc_nal_iter_t *it, const uint8_t *au,
    size_t len, uint32_t nal_length_size)
{
    it->pos = au;
    it->end = au + len;
    it->nal_length_size = nal_length_size;
}


sluice_status_t
sluice_avc_nal_next(sluice_avc_nal_iter_t *it, sluice_str_t *nal)
{
    size_t    n;
    uint32_t  i;

    if (it->nal_length_size < 1 || it->nal_length_size > 4) {
        return SLUICE_BAD_DATA;
    }

    for ( ;; ) {

        if (it->pos == it->end) {
            return SLUICE_NOT_FOUND;
        }

        if ((size_t) (it->end - it->pos) < it->nal_length_size) {
            return SLUICE_BAD_DATA;
        }

        n = 0;

        for (i = 0; i < it->nal_length_size; i++) {
            n = (n << 8) | *it->pos++;
        }

        if ((size_t) (it->end - it->pos) < n) {
            return SLUICE_BAD_DATA;
        }

        nal->data = it->pos;
        nal->len = n;
        it->pos += n;

        if (n) {
            return SLUICE_OK;
        }
    }
}


int
sluice_avc_has_idr(const uint8_t *au, size_t len, uint32_t nal_length_size)
{
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

        if ((nal.data[0] & 0x1f) == SLUICE_AVC_NAL_IDR) {
            return 1;
        }
    }
}
