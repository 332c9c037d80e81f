
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include "media/codec/sluice_bits.h"
#include "media/codec/sluice_avc.h"
#include "media/codec/sluice_avc_slice.h"


/* slice_type % 5 */
#define SLUICE_AVC_P   0
#define SLUICE_AVC_B   1
#define SLUICE_AVC_I   2
#define SLUICE_AVC_SP  3
#define SLUICE_AVC_SI  4

#define SLUICE_AVC_MAX_REFS  32     /* num_ref_idx_lX_active_minus1 < 32 */

/* commands of a list modification or a marking: at most one per ref, */
#define SLUICE_AVC_MAX_OPS   100    /* and a few more; bounds bad input */


typedef struct {
    uint32_t                       type;        /* slice_type % 5 */
    uint32_t                       idr;
    uint32_t                       ref_idc;
    uint32_t                       field;
    uint32_t                       nref[2];
    const sluice_avc_slice_sps_t  *sps;
    const sluice_avc_slice_pps_t  *pps;
} sluice_avc_slice_t;


static sluice_status_t sluice_avc_params_sps(sluice_avc_params_t *p,
    const uint8_t *rbsp, size_t len);
static sluice_status_t sluice_avc_params_pps(sluice_avc_params_t *p,
    const uint8_t *rbsp, size_t len);
static sluice_status_t sluice_avc_slice_ids(sluice_bits_t *b,
    const sluice_avc_params_t *p, sluice_avc_slice_t *s);
static void sluice_avc_slice_pic(sluice_bits_t *b, sluice_avc_slice_t *s);
static sluice_status_t sluice_avc_slice_refs(sluice_bits_t *b,
    sluice_avc_slice_t *s);
static sluice_status_t sluice_avc_list_modification(sluice_bits_t *b);
static void sluice_avc_pred_weight_table(sluice_bits_t *b,
    sluice_avc_slice_t *s);
static sluice_status_t sluice_avc_dec_ref_pic_marking(sluice_bits_t *b,
    sluice_avc_slice_t *s);
static void sluice_avc_slice_tail(sluice_bits_t *b, sluice_avc_slice_t *s);


sluice_status_t
sluice_avc_params_add(sluice_avc_params_t *p, uint32_t type,
    const uint8_t *rbsp, size_t len)
{
    if (type == SLUICE_AVC_NAL_SPS) {
        return sluice_avc_params_sps(p, rbsp, len);
    }

    if (type == SLUICE_AVC_NAL_PPS) {
        return sluice_avc_params_pps(p, rbsp, len);
    }

    return SLUICE_OK;
}


static sluice_status_t
sluice_avc_params_sps(sluice_avc_params_t *p, const uint8_t *rbsp,
    size_t len)
{
    sluice_status_t          rc;
    sluice_avc_config_t      c;
    sluice_avc_slice_sps_t  *sps;

    memset(&c, 0, sizeof(sluice_avc_config_t));

    rc = sluice_avc_parse_sps_rbsp(rbsp, len, &c);

    if (c.sps_id >= SLUICE_AVC_SPS_IDS) {
        return SLUICE_BAD_DATA;
    }

    sps = &p->sps[c.sps_id];
    sps->valid = 0;

    if (rc != SLUICE_OK
        || c.log2_max_frame_num_minus4 > 12
        || c.log2_max_poc_lsb_minus4 > 12)
    {
        return SLUICE_BAD_DATA;
    }

    sps->separate_colour_plane = (uint8_t) c.separate_colour_plane;
    sps->chroma_array_type = c.separate_colour_plane
                             ? 0 : (uint8_t) c.chroma_format_idc;
    sps->log2_max_frame_num = (uint8_t) (c.log2_max_frame_num_minus4 + 4);
    sps->frame_mbs_only = (uint8_t) c.frame_mbs_only;
    sps->poc_type = (uint8_t) c.poc_type;
    sps->log2_max_poc_lsb = (uint8_t) (c.log2_max_poc_lsb_minus4 + 4);
    sps->delta_pic_order_always_zero = (uint8_t) c.delta_pic_order_always_zero;
    sps->valid = 1;

    return SLUICE_OK;
}


/* H.264 7.3.2.2, up to redundant_pic_cnt_present_flag */

static sluice_status_t
sluice_avc_params_pps(sluice_avc_params_t *p, const uint8_t *rbsp,
    size_t len)
{
    uint32_t                 id, sps_id, groups, l0, l1;
    sluice_bits_t            b;
    sluice_avc_slice_pps_t   pps, *slot;

    sluice_bits_init(&b, rbsp, len);

    id = sluice_bits_ue(&b);

    if (b.error || id >= SLUICE_AVC_PPS_IDS) {
        return SLUICE_BAD_DATA;
    }

    slot = &p->pps[id];
    slot->valid = 0;

    sps_id = sluice_bits_ue(&b);
    pps.cabac = (uint8_t) sluice_bits_read1(&b);
    pps.bottom_field_poc = (uint8_t) sluice_bits_read1(&b);
    groups = sluice_bits_ue(&b);             /* num_slice_groups_minus1 */

    if (groups > 0) {
        return b.error ? SLUICE_BAD_DATA : SLUICE_UNSUPPORTED;
    }

    l0 = sluice_bits_ue(&b);
    l1 = sluice_bits_ue(&b);
    pps.weighted_pred = (uint8_t) sluice_bits_read1(&b);
    pps.weighted_bipred_idc = (uint8_t) sluice_bits_read(&b, 2);
    (void) sluice_bits_se(&b);               /* pic_init_qp_minus26 */
    (void) sluice_bits_se(&b);               /* pic_init_qs_minus26 */
    (void) sluice_bits_se(&b);               /* chroma_qp_index_offset */
    pps.deblocking_control = (uint8_t) sluice_bits_read1(&b);
    sluice_bits_skip(&b, 1);                 /* constrained_intra_pred */
    pps.redundant_pic_cnt = (uint8_t) sluice_bits_read1(&b);

    if (b.error || sps_id >= SLUICE_AVC_SPS_IDS
        || l0 >= SLUICE_AVC_MAX_REFS || l1 >= SLUICE_AVC_MAX_REFS
        || pps.weighted_bipred_idc > 2)
    {
        return SLUICE_BAD_DATA;
    }

    pps.sps_id = (uint8_t) sps_id;
    pps.nref[0] = (uint8_t) (l0 + 1);
    pps.nref[1] = (uint8_t) (l1 + 1);
    pps.valid = 1;

    *slot = pps;

    return SLUICE_OK;
}


sluice_status_t
sluice_avc_slice_header_bits(const sluice_avc_params_t *p,
    uint32_t nal_header, const uint8_t *rbsp, size_t len, size_t *bits)
{
    uint32_t            type;
    sluice_bits_t       b;
    sluice_status_t     rc;
    sluice_avc_slice_t  s;

    type = nal_header & 0x1f;

    if (type != SLUICE_AVC_NAL_SLICE && type != SLUICE_AVC_NAL_IDR) {
        return SLUICE_UNSUPPORTED;
    }

    memset(&s, 0, sizeof(sluice_avc_slice_t));
    s.idr = (type == SLUICE_AVC_NAL_IDR);
    s.ref_idc = (nal_header >> 5) & 3;

    sluice_bits_init(&b, rbsp, len);

    rc = sluice_avc_slice_ids(&b, p, &s);
    if (rc != SLUICE_OK) {
        return rc;
    }

    sluice_avc_slice_pic(&b, &s);

    rc = sluice_avc_slice_refs(&b, &s);
    if (rc != SLUICE_OK) {
        return rc;
    }

    if (s.ref_idc != 0) {
        rc = sluice_avc_dec_ref_pic_marking(&b, &s);
        if (rc != SLUICE_OK) {
            return rc;
        }
    }

    sluice_avc_slice_tail(&b, &s);

    if (b.error) {
        return SLUICE_BAD_DATA;
    }

    *bits = b.pos;

    return SLUICE_OK;
}


/* first_mb_in_slice, slice_type, pic_parameter_set_id: the PPS, the SPS */

static sluice_status_t
sluice_avc_slice_ids(sluice_bits_t *b, const sluice_avc_params_t *p,
    sluice_avc_slice_t *s)
{
    uint32_t  type, id;

    (void) sluice_bits_ue(b);                /* first_mb_in_slice */
    type = sluice_bits_ue(b);
    id = sluice_bits_ue(b);

    if (b->error || type > 9) {
        return SLUICE_BAD_DATA;
    }

    if (id >= SLUICE_AVC_PPS_IDS || !p->pps[id].valid
        || !p->sps[p->pps[id].sps_id].valid)
    {
        return SLUICE_NOT_FOUND;
    }

    s->type = type % 5;
    s->pps = &p->pps[id];
    s->sps = &p->sps[s->pps->sps_id];
    s->nref[0] = s->pps->nref[0];
    s->nref[1] = s->pps->nref[1];

    return SLUICE_OK;
}


/* colour_plane_id .. redundant_pic_cnt */

static void
sluice_avc_slice_pic(sluice_bits_t *b, sluice_avc_slice_t *s)
{
    const sluice_avc_slice_sps_t  *sps;
    const sluice_avc_slice_pps_t  *pps;

    sps = s->sps;
    pps = s->pps;

    if (sps->separate_colour_plane) {
        sluice_bits_skip(b, 2);              /* colour_plane_id */
    }

    sluice_bits_skip(b, sps->log2_max_frame_num);       /* frame_num */

    if (!sps->frame_mbs_only) {
        s->field = sluice_bits_read1(b);     /* field_pic_flag */

        if (s->field) {
            sluice_bits_skip(b, 1);          /* bottom_field_flag */
        }
    }

    if (s->idr) {
        (void) sluice_bits_ue(b);            /* idr_pic_id */
    }

    if (sps->poc_type == 0) {
        sluice_bits_skip(b, sps->log2_max_poc_lsb);

        if (pps->bottom_field_poc && !s->field) {
            (void) sluice_bits_se(b);        /* delta_pic_order_cnt_bottom */
        }
    }

    if (sps->poc_type == 1 && !sps->delta_pic_order_always_zero) {
        (void) sluice_bits_se(b);            /* delta_pic_order_cnt[0] */

        if (pps->bottom_field_poc && !s->field) {
            (void) sluice_bits_se(b);        /* delta_pic_order_cnt[1] */
        }
    }

    if (pps->redundant_pic_cnt) {
        (void) sluice_bits_ue(b);            /* redundant_pic_cnt */
    }
}


/* direct_spatial_mv_pred .. pred_weight_table */

static sluice_status_t
sluice_avc_slice_refs(sluice_bits_t *b, sluice_avc_slice_t *s)
{
    uint32_t                       i;
    sluice_status_t                rc;
    const sluice_avc_slice_pps_t  *pps;

    pps = s->pps;

    if (s->type == SLUICE_AVC_B) {
        sluice_bits_skip(b, 1);              /* direct_spatial_mv_pred */
    }

    if (s->type == SLUICE_AVC_P || s->type == SLUICE_AVC_SP
        || s->type == SLUICE_AVC_B)
    {
        if (sluice_bits_read1(b)) {          /* num_ref_idx_override */
            s->nref[0] = sluice_bits_ue(b) + 1;

            if (s->type == SLUICE_AVC_B) {
                s->nref[1] = sluice_bits_ue(b) + 1;
            }
        }
    }

    if (b->error || s->nref[0] > SLUICE_AVC_MAX_REFS
        || s->nref[1] > SLUICE_AVC_MAX_REFS)
    {
        return SLUICE_BAD_DATA;
    }

    /* ref_pic_list_modification(): l0 unless I or SI, l1 for B */

    for (i = 0; i < 2; i++) {
        if ((i == 0 && (s->type == SLUICE_AVC_I || s->type == SLUICE_AVC_SI))
            || (i == 1 && s->type != SLUICE_AVC_B))
        {
            continue;
        }

        rc = sluice_avc_list_modification(b);
        if (rc != SLUICE_OK) {
            return rc;
        }
    }

    if ((pps->weighted_pred
         && (s->type == SLUICE_AVC_P || s->type == SLUICE_AVC_SP))
        || (pps->weighted_bipred_idc == 1 && s->type == SLUICE_AVC_B))
    {
        sluice_avc_pred_weight_table(b, s);
    }

    return SLUICE_OK;
}


/* one list of ref_pic_list_modification() */

static sluice_status_t
sluice_avc_list_modification(sluice_bits_t *b)
{
    uint32_t  i, idc;

    if (!sluice_bits_read1(b)) {             /* ..._modification_flag_lX */
        return SLUICE_OK;
    }

    for (i = 0; i < SLUICE_AVC_MAX_OPS; i++) {
        idc = sluice_bits_ue(b);             /* modification_of_pic_nums */

        if (b->error || idc > 5) {
            return SLUICE_BAD_DATA;
        }

        if (idc == 3) {
            return SLUICE_OK;
        }

        /* abs_diff_pic_num_minus1, long_term_pic_num, abs_diff_view_idx */
        (void) sluice_bits_ue(b);
    }

    return SLUICE_BAD_DATA;
}


static void
sluice_avc_pred_weight_table(sluice_bits_t *b, sluice_avc_slice_t *s)
{
    uint32_t  l, i, lists, chroma;

    chroma = s->sps->chroma_array_type != 0;

    (void) sluice_bits_ue(b);                /* luma_log2_weight_denom */

    if (chroma) {
        (void) sluice_bits_ue(b);            /* chroma_log2_weight_denom */
    }

    lists = (s->type == SLUICE_AVC_B) ? 2 : 1;

    for (l = 0; l < lists; l++) {
        for (i = 0; i < s->nref[l] && !b->error; i++) {

            if (sluice_bits_read1(b)) {      /* luma_weight_lX_flag */
                (void) sluice_bits_se(b);
                (void) sluice_bits_se(b);
            }

            if (chroma && sluice_bits_read1(b)) {   /* chroma_weight_lX */
                (void) sluice_bits_se(b);
                (void) sluice_bits_se(b);
                (void) sluice_bits_se(b);
                (void) sluice_bits_se(b);
            }
        }
    }
}


static sluice_status_t
sluice_avc_dec_ref_pic_marking(sluice_bits_t *b, sluice_avc_slice_t *s)
{
    uint32_t  i, op;

    if (s->idr) {
        sluice_bits_skip(b, 2);   /* no_output_of_prior_pics, long_term_ref */
        return SLUICE_OK;
    }

    if (!sluice_bits_read1(b)) {             /* adaptive_ref_pic_marking */
        return SLUICE_OK;
    }

    for (i = 0; i < SLUICE_AVC_MAX_OPS; i++) {
        op = sluice_bits_ue(b);        /* memory_management_control_op */

        if (b->error || op > 6) {
            return SLUICE_BAD_DATA;
        }

        if (op == 0) {
            return SLUICE_OK;
        }

        if (op == 1 || op == 3) {
            (void) sluice_bits_ue(b);        /* difference_of_pic_nums */
        }

        if (op == 2) {
            (void) sluice_bits_ue(b);        /* long_term_pic_num */
        }

        if (op == 3 || op == 6) {
            (void) sluice_bits_ue(b);        /* long_term_frame_idx */
        }

        if (op == 4) {
            (void) sluice_bits_ue(b);        /* max_long_term_frame_idx */
        }
    }

    return SLUICE_BAD_DATA;
}


/* cabac_init_idc .. the deblocking filter fields */

static void
sluice_avc_slice_tail(sluice_bits_t *b, sluice_avc_slice_t *s)
{
    if (s->pps->cabac && s->type != SLUICE_AVC_I && s->type != SLUICE_AVC_SI)
    {
        (void) sluice_bits_ue(b);            /* cabac_init_idc */
    }

    (void) sluice_bits_se(b);                /* slice_qp_delta */

    if (s->type == SLUICE_AVC_SP || s->type == SLUICE_AVC_SI) {
        if (s->type == SLUICE_AVC_SP) {
            sluice_bits_skip(b, 1);          /* sp_for_switch_flag */
        }

        (void) sluice_bits_se(b);            /* slice_qs_delta */
    }

    if (s->pps->deblocking_control) {
        if (sluice_bits_ue(b) != 1) {        /* disable_deblocking_filter */
            (void) sluice_bits_se(b);        /* slice_alpha_c0_offset_div2 */
            (void) sluice_bits_se(b);        /* slice_beta_offset_div2 */
        }
    }
}
