
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include "media/codec/sluice_bits.h"
#include "media/codec/sluice_hevc.h"
#include "media/codec/sluice_hevc_slice.h"


/* slice_type */
#define SLUICE_HEVC_B  0
#define SLUICE_HEVC_P  1
#define SLUICE_HEVC_I  2

#define SLUICE_HEVC_NAL_IDR_W_RADL  19
#define SLUICE_HEVC_NAL_IDR_N_LP    20
#define SLUICE_HEVC_NAL_CRA         21

#define SLUICE_HEVC_MAX_REFS        15      /* num_ref_idx_lX_active */
#define SLUICE_HEVC_MAX_DELTAS      32      /* NumDeltaPocs of a set */
#define SLUICE_HEVC_MAX_LT          32      /* long-term pictures */
#define SLUICE_HEVC_MAX_ENTRIES     8192    /* num_entry_point_offsets */

/* general_profile_idc of the screen content coding profiles */
#define SLUICE_HEVC_PROFILE_SCC     9
#define SLUICE_HEVC_PROFILE_HT_SCC  11


typedef struct {
    uint32_t                        nal_type;
    uint32_t                        type;        /* slice_type */
    uint32_t                        nref[2];
    uint32_t                        total_curr;  /* NumPicTotalCurr */
    uint32_t                        tmvp;
    uint32_t                        sao;
    const sluice_hevc_slice_sps_t  *sps;
    const sluice_hevc_slice_pps_t  *pps;
} sluice_hevc_slice_t;


static sluice_status_t sluice_hevc_params_sps(sluice_hevc_params_t *p,
    const uint8_t *rbsp, size_t len);
static sluice_status_t sluice_hevc_sps_head(sluice_bits_t *b,
    sluice_hevc_slice_sps_t *sps, uint32_t sub_layers);
static sluice_status_t sluice_hevc_sps_refs(sluice_bits_t *b,
    sluice_hevc_slice_sps_t *sps);
static sluice_status_t sluice_hevc_params_pps(sluice_hevc_params_t *p,
    const uint8_t *rbsp, size_t len);
static void sluice_hevc_pps_tools(sluice_bits_t *b,
    sluice_hevc_slice_pps_t *pps);
static sluice_status_t sluice_hevc_pps_tail(sluice_bits_t *b,
    sluice_hevc_slice_pps_t *pps, uint32_t transform_skip);
static void sluice_hevc_skip_scaling_lists(sluice_bits_t *b);
static sluice_status_t sluice_hevc_st_rps(sluice_bits_t *b,
    const uint8_t *deltas, uint32_t idx, uint32_t num, uint8_t *nd,
    uint8_t *nu);
static sluice_status_t sluice_hevc_slice_fields(sluice_bits_t *b,
    sluice_hevc_slice_t *s);
static sluice_status_t sluice_hevc_slice_rps(sluice_bits_t *b,
    sluice_hevc_slice_t *s);
static sluice_status_t sluice_hevc_slice_inter(sluice_bits_t *b,
    sluice_hevc_slice_t *s);
static void sluice_hevc_pred_weight_table(sluice_bits_t *b,
    sluice_hevc_slice_t *s);
static void sluice_hevc_slice_filters(sluice_bits_t *b,
    sluice_hevc_slice_t *s);
static sluice_status_t sluice_hevc_slice_tail(sluice_bits_t *b,
    const sluice_hevc_slice_pps_t *pps);
static uint32_t sluice_hevc_ceil_log2(uint32_t n);


sluice_status_t
sluice_hevc_params_add(sluice_hevc_params_t *p, const uint8_t nal_header[2],
    const uint8_t *rbsp, size_t len)
{
    uint32_t  type, layer;

    type = sluice_hevc_nal_type(nal_header);
    layer = ((nal_header[0] & 1) << 5) | (nal_header[1] >> 3);

    if (layer != 0) {
        return SLUICE_OK;
    }

    if (type == SLUICE_HEVC_NAL_SPS) {
        return sluice_hevc_params_sps(p, rbsp, len);
    }

    if (type == SLUICE_HEVC_NAL_PPS) {
        return sluice_hevc_params_pps(p, rbsp, len);
    }

    return SLUICE_OK;
}


/* H.265 7.3.2.2.1, up to sps_temporal_mvp_enabled_flag */

static sluice_status_t
sluice_hevc_params_sps(sluice_hevc_params_t *p, const uint8_t *rbsp,
    size_t len)
{
    uint32_t                 sub_layers, profile, compat, id;
    sluice_bits_t            b, ptl;
    sluice_status_t          rc;
    sluice_hevc_slice_sps_t  sps;

    sluice_bits_init(&b, rbsp, len);

    sluice_bits_skip(&b, 4);                 /* sps_video_parameter_set_id */
    sub_layers = sluice_bits_read(&b, 3);    /* sps_max_sub_layers_minus1 */
    sluice_bits_skip(&b, 1);                 /* temporal_id_nesting */

    if (sub_layers > 6) {
        return SLUICE_BAD_DATA;
    }

    ptl = b;
    sluice_bits_skip(&ptl, 3);               /* profile_space, tier */
    profile = sluice_bits_read(&ptl, 5);
    compat = sluice_bits_read(&ptl, 32);     /* flag j is bit 31 - j */

    sluice_hevc_skip_ptl(&b, sub_layers);
    id = sluice_bits_ue(&b);

    if (b.error || id >= SLUICE_HEVC_SPS_IDS) {
        return SLUICE_BAD_DATA;
    }

    p->sps[id].valid = 0;

    if (profile == SLUICE_HEVC_PROFILE_SCC
        || profile == SLUICE_HEVC_PROFILE_HT_SCC
        || (compat & (1u << (31 - SLUICE_HEVC_PROFILE_SCC)))
        || (compat & (1u << (31 - SLUICE_HEVC_PROFILE_HT_SCC))))
    {
        return SLUICE_UNSUPPORTED;
    }

    memset(&sps, 0, sizeof(sluice_hevc_slice_sps_t));

    rc = sluice_hevc_sps_head(&b, &sps, sub_layers);
    if (rc != SLUICE_OK) {
        return rc;
    }

    rc = sluice_hevc_sps_refs(&b, &sps);
    if (rc != SLUICE_OK) {
        return rc;
    }

    sps.valid = 1;
    p->sps[id] = sps;

    return SLUICE_OK;
}


/* chroma_format_idc .. sample_adaptive_offset_enabled_flag */

static sluice_status_t
sluice_hevc_sps_head(sluice_bits_t *b, sluice_hevc_slice_sps_t *sps,
    uint32_t sub_layers)
{
    uint32_t  chroma, w, h, poc, i, min_cb, ctb, size;

    chroma = sluice_bits_ue(b);

    if (chroma > 3) {
        return SLUICE_BAD_DATA;
    }

    sps->separate_colour_plane = (chroma == 3) ? sluice_bits_read1(b) : 0;
    sps->chroma_array_type = sps->separate_colour_plane ? 0 : chroma;

    w = sluice_bits_ue(b);                   /* pic_width_in_luma_samples */
    h = sluice_bits_ue(b);

    if (sluice_bits_read1(b)) {              /* conformance_window_flag */
        for (i = 0; i < 4; i++) {
            (void) sluice_bits_ue(b);
        }
    }

    (void) sluice_bits_ue(b);                /* bit_depth_luma_minus8 */
    (void) sluice_bits_ue(b);                /* bit_depth_chroma_minus8 */
    poc = sluice_bits_ue(b);                 /* log2_max_poc_lsb_minus4 */

    /* sub_layer_ordering_info: for one or all sub-layers */
    i = sluice_bits_read1(b) ? 0 : sub_layers;

    for ( /* void */ ; i <= sub_layers && !b->error; i++) {
        (void) sluice_bits_ue(b);
        (void) sluice_bits_ue(b);
        (void) sluice_bits_ue(b);
    }

    min_cb = sluice_bits_ue(b) + 3;          /* MinCbLog2SizeY */
    ctb = min_cb + sluice_bits_ue(b);        /* CtbLog2SizeY */

    for (i = 0; i < 4; i++) {   /* transform block sizes, hierarchy depths */
        (void) sluice_bits_ue(b);
    }

    if (sluice_bits_read1(b) && sluice_bits_read1(b)) {
        sluice_hevc_skip_scaling_lists(b);   /* sps_scaling_list_data */
    }

    sluice_bits_skip(b, 1);                  /* amp_enabled_flag */
    sps->sao = (uint8_t) sluice_bits_read1(b);

    if (b->error || poc > 12 || w == 0 || h == 0 || w > 65535 || h > 65535
        || min_cb > 7 || ctb > 7)
    {
        return SLUICE_BAD_DATA;
    }

    size = ((w + (1u << ctb) - 1) >> ctb) * ((h + (1u << ctb) - 1) >> ctb);

    sps->log2_max_poc_lsb = (uint8_t) (poc + 4);
    sps->address_bits = (uint8_t) sluice_hevc_ceil_log2(size);

    return SLUICE_OK;
}


/* pcm .. sps_temporal_mvp_enabled_flag */

static sluice_status_t
sluice_hevc_sps_refs(sluice_bits_t *b, sluice_hevc_slice_sps_t *sps)
{
    uint32_t         i, n;
    sluice_status_t  rc;

    if (sluice_bits_read1(b)) {              /* pcm_enabled_flag */
        sluice_bits_skip(b, 8);              /* pcm sample bit depths */
        (void) sluice_bits_ue(b);
        (void) sluice_bits_ue(b);
        sluice_bits_skip(b, 1);              /* pcm_loop_filter_disabled */
    }

    n = sluice_bits_ue(b);                   /* num_short_term_ref_pic_sets */

    if (b->error || n > SLUICE_HEVC_MAX_ST_RPS) {
        return SLUICE_BAD_DATA;
    }

    sps->num_st_rps = (uint8_t) n;

    for (i = 0; i < n; i++) {
        rc = sluice_hevc_st_rps(b, sps->rps_deltas, i, n,
                                &sps->rps_deltas[i], &sps->rps_used[i]);
        if (rc != SLUICE_OK) {
            return rc;
        }
    }

    sps->long_term_refs = (uint8_t) sluice_bits_read1(b);

    if (sps->long_term_refs) {
        n = sluice_bits_ue(b);               /* num_long_term_ref_pics_sps */

        if (b->error || n > SLUICE_HEVC_MAX_LT) {
            return SLUICE_BAD_DATA;
        }

        sps->num_lt_sps = (uint8_t) n;

        for (i = 0; i < n; i++) {
            sluice_bits_skip(b, sps->log2_max_poc_lsb);
            sps->lt_used |= sluice_bits_read1(b) << i;
        }
    }

    sps->temporal_mvp = (uint8_t) sluice_bits_read1(b);

    return b->error ? SLUICE_BAD_DATA : SLUICE_OK;
}


/*
 * st_ref_pic_set(idx) of an SPS (idx < num) or a slice header (idx ==
 * num): its NumDeltaPocs in *nd, the pictures used by the current one in
 * *nu.  A set predicted from another keeps the entries whose
 * used_by_curr_pic_flag or use_delta_flag is set (as the HM reference
 * decoder counts them).
 */

static sluice_status_t
sluice_hevc_st_rps(sluice_bits_t *b, const uint8_t *deltas, uint32_t idx,
    uint32_t num, uint8_t *nd, uint8_t *nu)
{
    uint32_t  i, j, ref, used, neg, pos, d, u;

    if (idx != 0 && sluice_bits_read1(b)) {  /* inter_ref_pic_set_pred */
        ref = 1;

        if (idx == num) {
            ref = sluice_bits_ue(b) + 1;     /* delta_idx_minus1 */
        }

        if (b->error || ref > idx) {
            return SLUICE_BAD_DATA;
        }

        ref = idx - ref;
        sluice_bits_skip(b, 1);              /* delta_rps_sign */
        (void) sluice_bits_ue(b);            /* abs_delta_rps_minus1 */

        d = 0;
        u = 0;

        for (j = 0; j <= deltas[ref] && !b->error; j++) {
            used = sluice_bits_read1(b);     /* used_by_curr_pic_flag */
            u += used;
            d += used ? 1 : sluice_bits_read1(b);   /* use_delta_flag */
        }

    } else {
        neg = sluice_bits_ue(b);             /* num_negative_pics */
        pos = sluice_bits_ue(b);             /* num_positive_pics */

        if (neg > SLUICE_HEVC_MAX_DELTAS || pos > SLUICE_HEVC_MAX_DELTAS) {
            return SLUICE_BAD_DATA;
        }

        d = neg + pos;
        u = 0;

        for (i = 0; i < d && !b->error; i++) {
            (void) sluice_bits_ue(b);        /* delta_poc_sX_minus1 */
            u += sluice_bits_read1(b);       /* used_by_curr_pic_sX_flag */
        }
    }

    if (b->error || d > SLUICE_HEVC_MAX_DELTAS) {
        return SLUICE_BAD_DATA;
    }

    *nd = (uint8_t) d;
    *nu = (uint8_t) u;

    return SLUICE_OK;
}


static void
sluice_hevc_skip_scaling_lists(sluice_bits_t *b)
{
    uint32_t  size, m, i, n;

    for (size = 0; size < 4; size++) {
        for (m = 0; m < 6 && !b->error; m += (size == 3) ? 3 : 1) {

            if (!sluice_bits_read1(b)) {     /* scaling_list_pred_mode */
                (void) sluice_bits_ue(b);    /* pred_matrix_id_delta */
                continue;
            }

            n = (size == 0) ? 16 : 64;

            if (size > 1) {
                (void) sluice_bits_se(b);    /* scaling_list_dc_coef */
            }

            for (i = 0; i < n && !b->error; i++) {
                (void) sluice_bits_se(b);    /* scaling_list_delta_coef */
            }
        }
    }
}


/* H.265 7.3.2.3.1 and pps_range_extension() up to the chroma offsets */

static sluice_status_t
sluice_hevc_params_pps(sluice_hevc_params_t *p, const uint8_t *rbsp,
    size_t len)
{
    uint32_t                 id, sps_id, l0, l1, transform_skip;
    sluice_bits_t            b;
    sluice_status_t          rc;
    sluice_hevc_slice_pps_t  pps;

    sluice_bits_init(&b, rbsp, len);

    id = sluice_bits_ue(&b);

    if (b.error || id >= SLUICE_HEVC_PPS_IDS) {
        return SLUICE_BAD_DATA;
    }

    p->pps[id].valid = 0;
    memset(&pps, 0, sizeof(sluice_hevc_slice_pps_t));

    sps_id = sluice_bits_ue(&b);
    pps.dependent_slices = (uint8_t) sluice_bits_read1(&b);
    pps.output_flag = (uint8_t) sluice_bits_read1(&b);
    pps.extra_bits = (uint8_t) sluice_bits_read(&b, 3);
    sluice_bits_skip(&b, 1);                 /* sign_data_hiding */
    pps.cabac_init = (uint8_t) sluice_bits_read1(&b);
    l0 = sluice_bits_ue(&b);
    l1 = sluice_bits_ue(&b);
    (void) sluice_bits_se(&b);               /* init_qp_minus26 */
    sluice_bits_skip(&b, 1);                 /* constrained_intra_pred */
    transform_skip = sluice_bits_read1(&b);

    if (sluice_bits_read1(&b)) {             /* cu_qp_delta_enabled_flag */
        (void) sluice_bits_ue(&b);           /* diff_cu_qp_delta_depth */
    }

    (void) sluice_bits_se(&b);               /* pps_cb_qp_offset */
    (void) sluice_bits_se(&b);               /* pps_cr_qp_offset */

    if (b.error || sps_id >= SLUICE_HEVC_SPS_IDS
        || l0 >= SLUICE_HEVC_MAX_REFS || l1 >= SLUICE_HEVC_MAX_REFS)
    {
        return SLUICE_BAD_DATA;
    }

    pps.sps_id = (uint8_t) sps_id;
    pps.nref[0] = (uint8_t) (l0 + 1);
    pps.nref[1] = (uint8_t) (l1 + 1);

    sluice_hevc_pps_tools(&b, &pps);

    rc = sluice_hevc_pps_tail(&b, &pps, transform_skip);
    if (rc != SLUICE_OK) {
        return rc;
    }

    pps.valid = 1;
    p->pps[id] = pps;

    return SLUICE_OK;
}


/* pps_slice_chroma_qp_offsets_present_flag .. the deblocking fields */

static void
sluice_hevc_pps_tools(sluice_bits_t *b, sluice_hevc_slice_pps_t *pps)
{
    uint32_t  tiles, wavefronts, cols, rows, i;

    pps->chroma_qp_offsets = (uint8_t) sluice_bits_read1(b);
    pps->weighted_pred = (uint8_t) sluice_bits_read1(b);
    pps->weighted_bipred = (uint8_t) sluice_bits_read1(b);
    sluice_bits_skip(b, 1);                  /* transquant_bypass */
    tiles = sluice_bits_read1(b);
    wavefronts = sluice_bits_read1(b);       /* entropy_coding_sync */
    pps->entry_points = (uint8_t) (tiles || wavefronts);

    if (tiles) {
        cols = sluice_bits_ue(b);            /* num_tile_columns_minus1 */
        rows = sluice_bits_ue(b);

        if (!sluice_bits_read1(b)) {         /* uniform_spacing_flag */
            for (i = 0; i < cols && !b->error; i++) {
                (void) sluice_bits_ue(b);    /* column_width_minus1 */
            }

            for (i = 0; i < rows && !b->error; i++) {
                (void) sluice_bits_ue(b);    /* row_height_minus1 */
            }
        }

        sluice_bits_skip(b, 1);              /* loop_filter_across_tiles */
    }

    pps->loop_filter_across = (uint8_t) sluice_bits_read1(b);

    if (sluice_bits_read1(b)) {              /* deblocking_filter_control */
        pps->deblocking_override = (uint8_t) sluice_bits_read1(b);
        pps->deblocking_disabled = (uint8_t) sluice_bits_read1(b);

        if (!pps->deblocking_disabled) {
            (void) sluice_bits_se(b);        /* pps_beta_offset_div2 */
            (void) sluice_bits_se(b);        /* pps_tc_offset_div2 */
        }
    }
}


/* pps_scaling_list_data .. pps_range_extension() */

static sluice_status_t
sluice_hevc_pps_tail(sluice_bits_t *b, sluice_hevc_slice_pps_t *pps,
    uint32_t transform_skip)
{
    uint32_t  ext;

    if (sluice_bits_read1(b)) {              /* pps_scaling_list_data */
        sluice_hevc_skip_scaling_lists(b);
    }

    pps->lists_modification = (uint8_t) sluice_bits_read1(b);
    (void) sluice_bits_ue(b);                /* log2_parallel_merge_level */
    pps->header_extension = (uint8_t) sluice_bits_read1(b);

    ext = 0;

    if (sluice_bits_read1(b)) {              /* pps_extension_present */
        ext = sluice_bits_read(b, 8);        /* range, multilayer, 3d, scc */
    }

    if (b->error) {
        return SLUICE_BAD_DATA;
    }

    if (ext & 0x70) {
        return SLUICE_UNSUPPORTED;
    }

    if (ext & 0x80) {                        /* pps_range_extension() */
        if (transform_skip) {
            (void) sluice_bits_ue(b);    /* log2_max_transform_skip_size */
        }

        sluice_bits_skip(b, 1);              /* cross_component_prediction */
        pps->chroma_qp_offset_list = (uint8_t) sluice_bits_read1(b);
    }

    return b->error ? SLUICE_BAD_DATA : SLUICE_OK;
}


sluice_status_t
sluice_hevc_slice_header_bits(const sluice_hevc_params_t *p,
    const uint8_t nal_header[2], const uint8_t *rbsp, size_t len,
    size_t *bits)
{
    uint32_t             first, id, dependent, layer;
    sluice_bits_t        b;
    sluice_status_t      rc;
    sluice_hevc_slice_t  s;

    memset(&s, 0, sizeof(sluice_hevc_slice_t));
    s.nal_type = sluice_hevc_nal_type(nal_header);
    layer = ((nal_header[0] & 1) << 5) | (nal_header[1] >> 3);

    if (layer != 0
        || (s.nal_type > 9 && s.nal_type < SLUICE_HEVC_NAL_BLA_W_LP)
        || s.nal_type > SLUICE_HEVC_NAL_CRA)
    {
        return SLUICE_UNSUPPORTED;
    }

    sluice_bits_init(&b, rbsp, len);

    first = sluice_bits_read1(&b);      /* first_slice_segment_in_pic_flag */

    if (s.nal_type >= SLUICE_HEVC_NAL_BLA_W_LP) {
        sluice_bits_skip(&b, 1);             /* no_output_of_prior_pics */
    }

    id = sluice_bits_ue(&b);                 /* slice_pic_parameter_set_id */

    if (b.error) {
        return SLUICE_BAD_DATA;
    }

    if (id >= SLUICE_HEVC_PPS_IDS || !p->pps[id].valid
        || !p->sps[p->pps[id].sps_id].valid)
    {
        return SLUICE_NOT_FOUND;
    }

    s.pps = &p->pps[id];
    s.sps = &p->sps[s.pps->sps_id];
    dependent = 0;

    if (!first) {
        if (s.pps->dependent_slices) {
            dependent = sluice_bits_read1(&b);
        }

        sluice_bits_skip(&b, s.sps->address_bits);  /* slice_segment_address */
    }

    if (!dependent) {
        rc = sluice_hevc_slice_fields(&b, &s);
        if (rc != SLUICE_OK) {
            return rc;
        }
    }

    rc = sluice_hevc_slice_tail(&b, s.pps);
    if (rc != SLUICE_OK) {
        return rc;
    }

    *bits = b.pos;

    return SLUICE_OK;
}


/* the fields of an independent slice segment */

static sluice_status_t
sluice_hevc_slice_fields(sluice_bits_t *b, sluice_hevc_slice_t *s)
{
    sluice_status_t                 rc;
    const sluice_hevc_slice_sps_t  *sps;
    const sluice_hevc_slice_pps_t  *pps;

    sps = s->sps;
    pps = s->pps;

    sluice_bits_skip(b, pps->extra_bits);    /* slice_reserved_flag */
    s->type = sluice_bits_ue(b);

    if (b->error || s->type > SLUICE_HEVC_I) {
        return SLUICE_BAD_DATA;
    }

    if (pps->output_flag) {
        sluice_bits_skip(b, 1);              /* pic_output_flag */
    }

    if (sps->separate_colour_plane) {
        sluice_bits_skip(b, 2);              /* colour_plane_id */
    }

    if (s->nal_type != SLUICE_HEVC_NAL_IDR_W_RADL
        && s->nal_type != SLUICE_HEVC_NAL_IDR_N_LP)
    {
        rc = sluice_hevc_slice_rps(b, s);
        if (rc != SLUICE_OK) {
            return rc;
        }
    }

    if (sps->sao) {
        s->sao = sluice_bits_read1(b);       /* slice_sao_luma_flag */

        if (sps->chroma_array_type != 0) {
            s->sao |= sluice_bits_read1(b);  /* slice_sao_chroma_flag */
        }
    }

    if (s->type != SLUICE_HEVC_I) {
        rc = sluice_hevc_slice_inter(b, s);
        if (rc != SLUICE_OK) {
            return rc;
        }
    }

    sluice_hevc_slice_filters(b, s);

    return b->error ? SLUICE_BAD_DATA : SLUICE_OK;
}


/* slice_pic_order_cnt_lsb .. slice_temporal_mvp_enabled_flag */

static sluice_status_t
sluice_hevc_slice_rps(sluice_bits_t *b, sluice_hevc_slice_t *s)
{
    uint8_t                         nd, nu;
    uint32_t                        i, idx, nsps, npics;
    sluice_status_t                 rc;
    const sluice_hevc_slice_sps_t  *sps;

    sps = s->sps;

    sluice_bits_skip(b, sps->log2_max_poc_lsb);   /* slice_pic_order_cnt */

    if (!sluice_bits_read1(b)) {        /* short_term_ref_pic_set_sps_flag */
        rc = sluice_hevc_st_rps(b, sps->rps_deltas, sps->num_st_rps,
                                sps->num_st_rps, &nd, &nu);
        if (rc != SLUICE_OK) {
            return rc;
        }

        s->total_curr = nu;

    } else {
        idx = sluice_bits_read(b, sluice_hevc_ceil_log2(sps->num_st_rps));

        if (idx >= sps->num_st_rps) {
            return SLUICE_BAD_DATA;
        }

        s->total_curr = sps->rps_used[idx];
    }

    if (sps->long_term_refs) {
        nsps = (sps->num_lt_sps > 0) ? sluice_bits_ue(b) : 0;
        npics = sluice_bits_ue(b);

        if (b->error || nsps > sps->num_lt_sps
            || npics > SLUICE_HEVC_MAX_LT)
        {
            return SLUICE_BAD_DATA;
        }

        for (i = 0; i < nsps + npics && !b->error; i++) {
            if (i < nsps) {
                idx = sluice_bits_read(b,
                                       sluice_hevc_ceil_log2(sps->num_lt_sps));
                s->total_curr += (sps->lt_used >> idx) & 1;

            } else {
                sluice_bits_skip(b, sps->log2_max_poc_lsb);   /* poc_lsb_lt */
                s->total_curr += sluice_bits_read1(b);  /* used_by_curr_lt */
            }

            if (sluice_bits_read1(b)) {      /* delta_poc_msb_present_flag */
                (void) sluice_bits_ue(b);    /* delta_poc_msb_cycle_lt */
            }
        }
    }

    if (sps->temporal_mvp) {
        s->tmvp = sluice_bits_read1(b);
    }

    return b->error ? SLUICE_BAD_DATA : SLUICE_OK;
}


/* num_ref_idx_active_override_flag .. five_minus_max_num_merge_cand */

static sluice_status_t
sluice_hevc_slice_inter(sluice_bits_t *b, sluice_hevc_slice_t *s)
{
    uint32_t                        bi, n, col_l0;
    const sluice_hevc_slice_pps_t  *pps;

    pps = s->pps;
    bi = (s->type == SLUICE_HEVC_B);
    s->nref[0] = pps->nref[0];
    s->nref[1] = bi ? pps->nref[1] : 0;

    if (sluice_bits_read1(b)) {              /* num_ref_idx_active_override */
        s->nref[0] = sluice_bits_ue(b) + 1;

        if (bi) {
            s->nref[1] = sluice_bits_ue(b) + 1;
        }
    }

    if (b->error || s->nref[0] > SLUICE_HEVC_MAX_REFS
        || s->nref[1] > SLUICE_HEVC_MAX_REFS)
    {
        return SLUICE_BAD_DATA;
    }

    if (pps->lists_modification && s->total_curr > 1) {
        n = sluice_hevc_ceil_log2(s->total_curr);   /* list_entry_lX bits */

        if (sluice_bits_read1(b)) {
            sluice_bits_skip(b, s->nref[0] * n);
        }

        if (bi && sluice_bits_read1(b)) {
            sluice_bits_skip(b, s->nref[1] * n);
        }
    }

    if (bi) {
        sluice_bits_skip(b, 1);              /* mvd_l1_zero_flag */
    }

    if (pps->cabac_init) {
        sluice_bits_skip(b, 1);              /* cabac_init_flag */
    }

    if (s->tmvp) {
        col_l0 = bi ? sluice_bits_read1(b) : 1;  /* collocated_from_l0 */

        if ((col_l0 && s->nref[0] > 1) || (!col_l0 && s->nref[1] > 1)) {
            (void) sluice_bits_ue(b);        /* collocated_ref_idx */
        }
    }

    if ((pps->weighted_pred && s->type == SLUICE_HEVC_P)
        || (pps->weighted_bipred && bi))
    {
        sluice_hevc_pred_weight_table(b, s);
    }

    (void) sluice_bits_ue(b);                /* five_minus_max_num_merge */

    return b->error ? SLUICE_BAD_DATA : SLUICE_OK;
}


/*
 * pred_weight_table(): a flag per reference, read for every reference of
 * a base layer picture without the current picture as a reference (the
 * screen content extension, refused)
 */

static void
sluice_hevc_pred_weight_table(sluice_bits_t *b, sluice_hevc_slice_t *s)
{
    uint32_t  l, i, luma, chroma, has_chroma;

    has_chroma = (s->sps->chroma_array_type != 0);

    (void) sluice_bits_ue(b);                /* luma_log2_weight_denom */

    if (has_chroma) {
        (void) sluice_bits_se(b);            /* delta_chroma_log2_weight */
    }

    for (l = 0; l < 2; l++) {
        luma = 0;
        chroma = 0;

        for (i = 0; i < s->nref[l]; i++) {
            luma |= sluice_bits_read1(b) << i;
        }

        for (i = 0; has_chroma && i < s->nref[l]; i++) {
            chroma |= sluice_bits_read1(b) << i;
        }

        for (i = 0; i < s->nref[l] && !b->error; i++) {
            if (luma & (1u << i)) {
                (void) sluice_bits_se(b);    /* delta_luma_weight */
                (void) sluice_bits_se(b);    /* luma_offset */
            }

            if (chroma & (1u << i)) {
                (void) sluice_bits_se(b);    /* delta_chroma_weight, */
                (void) sluice_bits_se(b);    /* delta_chroma_offset, */
                (void) sluice_bits_se(b);    /* for Cb then Cr */
                (void) sluice_bits_se(b);
            }
        }
    }
}


/* slice_qp_delta .. slice_loop_filter_across_slices_enabled_flag */

static void
sluice_hevc_slice_filters(sluice_bits_t *b, sluice_hevc_slice_t *s)
{
    uint32_t                        disabled;
    const sluice_hevc_slice_pps_t  *pps;

    pps = s->pps;

    (void) sluice_bits_se(b);                /* slice_qp_delta */

    if (pps->chroma_qp_offsets) {
        (void) sluice_bits_se(b);            /* slice_cb_qp_offset */
        (void) sluice_bits_se(b);            /* slice_cr_qp_offset */
    }

    if (pps->chroma_qp_offset_list) {
        sluice_bits_skip(b, 1);              /* cu_chroma_qp_offset_enabled */
    }

    disabled = pps->deblocking_disabled;

    if (pps->deblocking_override && sluice_bits_read1(b)) {
        disabled = sluice_bits_read1(b);

        if (!disabled) {
            (void) sluice_bits_se(b);        /* slice_beta_offset_div2 */
            (void) sluice_bits_se(b);        /* slice_tc_offset_div2 */
        }
    }

    if (pps->loop_filter_across && (s->sao || !disabled)) {
        sluice_bits_skip(b, 1);
    }
}


/* entry points, the header extension, byte_alignment() */

static sluice_status_t
sluice_hevc_slice_tail(sluice_bits_t *b, const sluice_hevc_slice_pps_t *pps)
{
    uint32_t  n, bits;

    if (pps->entry_points) {
        n = sluice_bits_ue(b);               /* num_entry_point_offsets */

        if (n > SLUICE_HEVC_MAX_ENTRIES) {
            return SLUICE_BAD_DATA;
        }

        if (n > 0) {
            bits = sluice_bits_ue(b) + 1;    /* offset_len_minus1 + 1 */

            if (bits > 32) {
                return SLUICE_BAD_DATA;
            }

            sluice_bits_skip(b, (size_t) n * bits);
        }
    }

    if (pps->header_extension) {
        n = sluice_bits_ue(b);       /* slice_segment_header_extension_len */

        if (n > 256) {
            return SLUICE_BAD_DATA;
        }

        sluice_bits_skip(b, (size_t) n * 8);
    }

    if (sluice_bits_read1(b) != 1) {         /* alignment_bit_equal_to_one */
        return SLUICE_BAD_DATA;
    }

    sluice_bits_align(b);

    return b->error ? SLUICE_BAD_DATA : SLUICE_OK;
}


static uint32_t
sluice_hevc_ceil_log2(uint32_t n)
{
    uint32_t  k;

    for (k = 0; k < 32 && ((uint64_t) 1 << k) < n; k++) {
        /* void */
    }

    return k;
}
