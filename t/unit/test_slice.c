
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Slice header lengths (sluice_slice.h) against an independent reader:
 * x264 and x265 (through ffmpeg) encode streams whose slice headers are
 * long (16 references, weighted prediction, reference list reordering
 * and memory management commands, B-pyramids, several slices per
 * picture, CAVLC and CABAC, interlaced, wavefront entry points, parameter
 * sets that change from picture to picture), and FFmpeg's
 * coded-bitstream reader (the trace_headers bitstream filter) prints
 * every field of every slice header with its bit position: the header
 * ends after its last field (cabac_alignment_one_bits and
 * byte_alignment() included).  Every slice of every stream must be
 * measured, to the byte FFmpeg says, mapped back over emulation
 * prevention bytes.  Skipped (0 checks) without ffmpeg or an encoder.
 *
 * Then the hand-made cases: unknown parameter sets, FMO, truncated
 * headers, and the subsample map of 'cbcs' built on the measure.
 */


#include <stdlib.h>
#include <unistd.h>

#include "media/codec/sluice_bits.h"
#include "media/codec/sluice_slice.h"
#include "media/crypto/sluice_cenc.h"
#include "sluice_test.h"


#define CHECK(cond)  SL_CHECK(cond)

#define MAX_SLICES   8192


typedef struct {
    size_t          bits;           /* header end, NAL header included */
} ref_t;


static char                    tmp[256];
static ref_t                   refs[MAX_SLICES];
static sluice_slice_params_t   params;


/* the slices' header ends from FFmpeg's trace of every NAL unit */
static size_t
trace(const char *file, ref_t *r, size_t max)
{
    int     slice;
    char    cmd[1024], line[512], name[128], bits[256], *p;
    FILE   *f;
    size_t  n, pos, end;

    snprintf(cmd, sizeof(cmd), "ffmpeg -nostdin -hide_banner -i %s -c copy "
             "-bsf:v trace_headers -f null - 2>&1", file);

    f = popen(cmd, "r");
    if (f == NULL) {
        return 0;
    }

    n = 0;
    slice = 0;
    end = 0;

    while (fgets(line, sizeof(line), f)) {
        p = strstr(line, "] ");

        if (strstr(line, "trace_headers") == NULL || p == NULL
            || sscanf(p + 2, "%zu %127s %255s", &pos, name, bits) != 3)
        {
            continue;
        }

        if (pos == 0) {                      /* forbidden_zero_bit */
            if (slice && n < max) {
                r[n++].bits = end;
            }

            slice = 0;
            end = 0;
        }

        if (strcmp(name, "first_mb_in_slice") == 0
            || strcmp(name, "first_slice_segment_in_pic_flag") == 0)
        {
            slice = 1;
        }

        if (pos + strlen(bits) > end) {
            end = pos + strlen(bits);
        }
    }

    if (slice && n < max) {
        r[n++].bits = end;
    }

    pclose(f);

    return n;
}


/* escaped bytes holding the first n bytes of the RBSP, counted here */
static size_t
escaped(const uint8_t *nal, size_t len, size_t n)
{
    size_t  i, out, zeros;

    for (i = 0, out = 0, zeros = 0; i < len && out < n; i++) {
        if (zeros >= 2 && nal[i] == 3) {     /* emulation prevention */
            zeros = 0;
            continue;
        }

        zeros = nal[i] ? 0 : zeros + 1;
        out++;
    }

    return i;
}


/* a bit writer for hand-made parameter sets */

typedef struct {
    uint8_t   buf[64];
    size_t    bits;
} bw_t;


static void
put(bw_t *w, uint32_t v, unsigned n)
{
    while (n--) {
        if ((v >> n) & 1) {
            w->buf[w->bits >> 3] |= (uint8_t) (0x80 >> (w->bits & 7));
        }

        w->bits++;
    }
}


static void
put_ue(bw_t *w, uint32_t v)
{
    unsigned  n;

    for (n = 0; ((v + 1) >> (n + 1)) != 0; n++) {
        /* void */
    }

    put(w, 0, n);
    put(w, v + 1, n + 1);
}


static size_t
finish(bw_t *w)
{
    put(w, 1, 1);                            /* rbsp_stop_one_bit */

    return (w->bits + 7) / 8;
}


/* Baseline SPS 0: 352x288, frame_num 4 bits, POC type 2 */
static size_t
make_sps(uint8_t *out)
{
    bw_t  w;

    memset(&w, 0, sizeof(w));
    put(&w, 0x67, 8);
    put(&w, 66, 8);
    put(&w, 0xc0, 8);
    put(&w, 30, 8);
    put_ue(&w, 0);                           /* seq_parameter_set_id */
    put_ue(&w, 0);                           /* log2_max_frame_num - 4 */
    put_ue(&w, 2);                           /* pic_order_cnt_type */
    put_ue(&w, 1);                           /* max_num_ref_frames */
    put(&w, 0, 1);
    put_ue(&w, 21);                          /* 22 macroblocks wide */
    put_ue(&w, 17);                          /* 18 high */
    put(&w, 0xc, 4);                  /* frame_mbs_only, direct_8x8, no */
    memcpy(out, w.buf, finish(&w));   /* cropping, no VUI */

    return (w.bits + 7) / 8;
}


/* PPS id of SPS 0, CAVLC, groups slice groups */
static size_t
make_pps(uint8_t *out, uint32_t id, uint32_t groups)
{
    bw_t  w;

    memset(&w, 0, sizeof(w));
    put(&w, 0x68, 8);
    put_ue(&w, id);
    put_ue(&w, 0);                           /* seq_parameter_set_id */
    put(&w, 0, 2);                  /* entropy_coding_mode, bottom_field */
    put_ue(&w, groups - 1);

    if (groups > 1) {
        put_ue(&w, 0);                       /* slice_group_map_type */
        put_ue(&w, 10);
        put_ue(&w, 10);
    }

    put_ue(&w, 0);                           /* num_ref_idx_l0_default */
    put_ue(&w, 0);
    put(&w, 0, 3);                           /* no weighted prediction */
    put_ue(&w, 0);
    put_ue(&w, 0);
    put_ue(&w, 0);
    put(&w, 0, 3);                  /* deblocking, constrained, redundant */
    memcpy(out, w.buf, finish(&w));

    return (w.bits + 7) / 8;
}


static uint8_t *
read_file(const char *name, size_t *len)
{
    long      n;
    FILE     *f;
    uint8_t  *p;

    f = fopen(name, "rb");
    if (f == NULL) {
        return NULL;
    }

    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);

    p = malloc(n > 0 ? (size_t) n : 1);

    if (p && fread(p, 1, (size_t) n, f) != (size_t) n) {
        free(p);
        p = NULL;
    }

    fclose(f);
    *len = (size_t) n;

    return p;
}


/* the next NAL unit of an Annex B stream, trailing zeros left out */
static int
next_nal(const uint8_t *p, size_t len, size_t *pos, const uint8_t **nal,
    size_t *n)
{
    size_t  i, start;

    for (i = *pos; i + 3 <= len; i++) {
        if (p[i] == 0 && p[i + 1] == 0 && p[i + 2] == 1) {
            break;
        }
    }

    if (i + 3 > len) {
        return 0;
    }

    start = i + 3;

    for (i = start; i + 3 <= len; i++) {
        if (p[i] == 0 && p[i + 1] == 0 && (p[i + 2] == 1 || p[i + 2] == 0)) {
            break;
        }
    }

    if (i + 3 > len) {
        i = len;
    }

    *pos = i;
    *nal = p + start;
    *n = i - start;

    while (*n > 0 && (*nal)[*n - 1] == 0) {
        (*n)--;
    }

    return 1;
}


static int
is_slice(uint32_t codec, const uint8_t *nal)
{
    uint32_t  t;

    if (codec == SLUICE_CODEC_AVC) {
        t = nal[0] & 0x1f;
        return t == 1 || t == 5;
    }

    t = (nal[0] >> 1) & 0x3f;

    return t <= 9 || (t >= 16 && t <= 21);
}


/* encode with ffmpeg, measure every slice, compare with FFmpeg's trace */
static void
check_stream(uint32_t codec, const char *src, const char *encoder,
    const char *params_opt, const char *extra)
{
    int             epb;
    char            cmd[1024], file[300];
    size_t          len, pos, n, nrefs, i, size, want, hdr, longest;
    uint8_t        *data;
    const uint8_t  *nal;

    snprintf(file, sizeof(file), "%s/s.%s", tmp,
             codec == SLUICE_CODEC_AVC ? "264" : "265");
    snprintf(cmd, sizeof(cmd), "ffmpeg -nostdin -v error -y -f lavfi -i "
             "'%s' -t 1 -pix_fmt yuv420p -c:v %s %s '%s' -f %s %s", src,
             encoder, params_opt, extra,
             codec == SLUICE_CODEC_AVC ? "h264" : "hevc", file);

    if (system(cmd) != 0) {
        SL_FAIL_("cannot encode: %s", cmd);
        return;
    }

    nrefs = trace(file, refs, MAX_SLICES);
    data = read_file(file, &len);
    CHECK(nrefs > 0 && data != NULL);

    if (data == NULL) {
        return;
    }

    sluice_slice_params_init(&params, codec, NULL, 0);
    hdr = (codec == SLUICE_CODEC_AVC) ? 1 : 2;
    pos = 0;
    i = 0;
    epb = 0;
    longest = 0;

    while (next_nal(data, len, &pos, &nal, &n)) {
        if (n <= hdr) {
            continue;
        }

        if (!is_slice(codec, nal)) {
            sluice_slice_params_nal(&params, nal, n);
            continue;
        }

        if (i == nrefs) {
            i++;
            break;
        }

        want = escaped(nal, n, (refs[i].bits + 7) / 8);
        epb += (want != (refs[i].bits + 7) / 8);

        if (sluice_slice_header_size(&params, nal, n, &size) != SLUICE_OK
            || size != want)
        {
            SL_FAIL_("%s '%s': slice %zu (type %u): %zu bytes, FFmpeg %zu",
                     encoder, extra, i, (unsigned) nal[0], size, want);

        } else {
            sl_test_passed++;
        }

        if (want > longest) {
            longest = want;
        }

        i++;
    }

    SL_CHECK_UEQ(i, nrefs);
    SL_CHECK_UEQ(params.failed, (size_t) 0);
    SL_CHECK_UEQ(params.measured, nrefs);

    printf("# %s %s: %zu slices, longest header %zu bytes, %d with "
           "emulation prevention\n", encoder, extra, nrefs, longest, epb);

    free(data);
}


static void
test_real_streams(void)
{
    static const char  *x264[] = {
        /* long headers: reordering, weights, MMCO; CABAC and CAVLC */
        "ref=16:weightp=2:b-pyramid=normal:bframes=3:slices=4",
        "ref=16:weightp=2:b-pyramid=strict:bframes=5:slices=4:cabac=0",
        "ref=8:weightp=1:bframes=3:interlaced=1:slices=2",
        "ref=4:bframes=0:slices=3:cabac=0",              /* POC type 2 */
        "ref=6:bframes=2:slice-max-size=400:weightp=2",  /* many slices */
        "ref=3:bframes=3:b-pyramid=normal:keyint=10:open-gop=1",
        NULL
    };

    /* a fade: weights on many references, headers of 30 to 40 bytes */
    static const char  *fade = "testsrc2=size=1280x720:rate=25,"
                               "fade=in:0:25";
    static const char  *small = "testsrc2=size=352x288:rate=25";

    static const char  *x265[] = {
        "ref=5:bframes=4:weightp=1:weightb=1:slices=3",
        "ref=6:bframes=8:b-pyramid=1:weightp=1:weightb=1:no-wpp=1:"
            "no-sao=1",
        "ref=4:bframes=3:opt-qp-pps=1:opt-ref-list-length-pps=1:"
            "repeat-headers=1:slices=4",
        "ref=3:bframes=2:lossless=1:wpp=1",
        "ref=5:bframes=4:b-intra=1:keyint=12:open-gop=1:"
            "temporal-layers=1:slices=2",
        NULL
    };

    const char  **p;
    char          opt[512];

    for (p = x264; *p; p++) {
        check_stream(SLUICE_CODEC_AVC, small, "libx264", "-x264-params", *p);
    }

    check_stream(SLUICE_CODEC_AVC, fade, "libx264", "-x264-params",
                 "ref=16:weightp=2:b-pyramid=normal:bframes=3:slices=8");
    check_stream(SLUICE_CODEC_AVC, fade, "libx264", "-x264-params",
                 "ref=16:weightp=2:bframes=0:slices=8:cabac=0");

    if (system("ffmpeg -hide_banner -encoders 2>/dev/null "
               "| grep -q libx265") != 0)
    {
        printf("# no libx265: HEVC skipped\n");
        return;
    }

    for (p = x265; *p; p++) {
        snprintf(opt, sizeof(opt), "log-level=error:%s", *p);
        check_stream(SLUICE_CODEC_HEVC, small, "libx265", "-x265-params",
                     opt);
    }

    /* 16x16 CTUs and wavefronts: an entry point per CTU row */
    check_stream(SLUICE_CODEC_HEVC, fade, "libx265", "-x265-params",
                 "log-level=error:ctu=16:min-cu-size=8:wpp=1:ref=4:"
                 "bframes=3:weightp=1:weightb=1");
}


/* hand-made AVC parameter sets and slices */
static void
test_avc_cases(void)
{
    size_t           size, nsps, npps, nfmo;
    uint8_t          nal[64], sps[64], pps[64], fmo[64];
    sluice_status_t  rc;

    nsps = make_sps(sps);
    npps = make_pps(pps, 0, 1);
    nfmo = make_pps(fmo, 1, 2);

    sluice_slice_params_init(&params, SLUICE_CODEC_AVC, NULL, 0);
    sluice_slice_params_nal(&params, sps, nsps);
    sluice_slice_params_nal(&params, pps, npps);
    sluice_slice_params_nal(&params, fmo, nfmo);

    CHECK(params.u.avc.sps[0].valid);
    SL_CHECK_UEQ(params.u.avc.sps[0].poc_type, 2u);
    SL_CHECK_UEQ(params.u.avc.sps[0].log2_max_frame_num, 4u);
    CHECK(params.u.avc.pps[0].valid);
    CHECK(!params.u.avc.pps[1].valid);

    /*
     * IDR I slice: first_mb 0 (1), slice_type 7 (0001000), pps 0 (1),
     * frame_num (4 bits 0000), idr_pic_id 0 (1), no_output 0,
     * long_term 0, slice_qp_delta 0 (1): 1+7+1+4+1+2+1 = 17 bits
     */
    memset(nal, 0xff, sizeof(nal));
    nal[0] = 0x65;
    nal[1] = 0x88;                           /* 1 0001000 */
    nal[2] = 0x84;                           /* 1 0000 1 00 */
    nal[3] = 0xff;                           /* 1 (qp) then data */

    SL_CHECK_OK(sluice_slice_header_size(&params, nal, sizeof(nal), &size));
    SL_CHECK_UEQ(size, (size_t) 1 + 3);      /* bit 17 is in byte 3 */

    /* the same with pic_parameter_set_id 1 (FMO: forgotten) */
    nal[2] = 0x42;                           /* 010 0001 0 */
    rc = sluice_slice_header_size(&params, nal, sizeof(nal), &size);
    SL_CHECK_EQ(rc, SLUICE_NOT_FOUND);

    /* an unknown PPS id (2: 011) */
    nal[2] = 0x62;
    SL_CHECK_EQ(sluice_slice_header_size(&params, nal, sizeof(nal), &size),
                SLUICE_NOT_FOUND);

    /* truncated */
    nal[2] = 0x84;
    SL_CHECK_EQ(sluice_slice_header_size(&params, nal, 3, &size),
                SLUICE_BAD_DATA);

    /* a data partition (type 2) is not measured */
    nal[0] = 0x62;
    SL_CHECK_EQ(sluice_slice_header_size(&params, nal, sizeof(nal), &size),
                SLUICE_UNSUPPORTED);

    SL_CHECK_UEQ(params.measured, (size_t) 1);
    SL_CHECK_UEQ(params.failed, (size_t) 4);

    /* the escaped size of RBSP bytes */
    SL_CHECK_UEQ(sluice_nal_escaped_size((const uint8_t *) "\x00\x00\x03"
                                         "\x01\x02", 5, 3), (size_t) 4);
    SL_CHECK_UEQ(sluice_nal_escaped_size((const uint8_t *) "\x00\x00\x03"
                                         "\x01\x02", 5, 2), (size_t) 2);
    SL_CHECK_UEQ(sluice_nal_escaped_size((const uint8_t *) "\x01", 1, 5),
                 (size_t) 1);

    /* another codec */
    SL_CHECK_EQ(sluice_slice_params_init(&params, SLUICE_CODEC_AAC, NULL, 0),
                SLUICE_UNSUPPORTED);
}


/* a length-prefixed NAL unit */
static size_t
put_nal(uint8_t *p, const uint8_t *nal, size_t n)
{
    sluice_wb32(p, (uint32_t) n);
    memcpy(p + 4, nal, n);

    return 4 + n;
}


/* the 'cbcs' map on the measure; 'cenc' unchanged */
static void
test_cbcs_map(void)
{
    size_t              n, len, nsps, npps, lead;
    uint8_t             s[300], sps[64], pps[64], idr[100];
    sluice_subsample_t  ss[8];

    nsps = make_sps(sps);
    npps = make_pps(pps, 0, 1);

    memset(idr, 0x5a, sizeof(idr));
    idr[0] = 0x65;
    idr[1] = 0x88;
    idr[2] = 0x84;
    idr[3] = 0xff;

    /* SPS, PPS in band, then an IDR slice of 100 bytes */
    len = put_nal(s, sps, nsps);
    len += put_nal(s + len, pps, npps);
    lead = len;
    len += put_nal(s + len, idr, sizeof(idr));

    sluice_slice_params_init(&params, SLUICE_CODEC_AVC, NULL, 0);

    /* 'cbcs': the parameter sets, the NAL header and slice header clear */
    SL_CHECK_OK(sluice_cenc_nal_subsamples(s, len, SLUICE_CODEC_AVC, 4,
                                           SLUICE_CENC_SCHEME_CBCS,
                                           SLUICE_CENC_CBCS_CLEAR_LEAD,
                                           &params, ss, 8, &n));
    SL_CHECK_UEQ(n, (size_t) 1);
    SL_CHECK_UEQ(ss[0].clear, lead + 4 + 4);
    SL_CHECK_UEQ(ss[0].protect, 96u);
    SL_CHECK_UEQ(params.measured, (size_t) 1);

    /* without parameter sets: the fixed lead */
    sluice_slice_params_init(&params, SLUICE_CODEC_AVC, NULL, 0);
    SL_CHECK_OK(sluice_cenc_nal_subsamples(s + lead, len - lead,
                                           SLUICE_CODEC_AVC, 4,
                                           SLUICE_CENC_SCHEME_CBCS,
                                           SLUICE_CENC_CBCS_CLEAR_LEAD,
                                           &params, ss, 8, &n));
    SL_CHECK_UEQ(ss[0].clear, 4u + 1 + 31);
    SL_CHECK_UEQ(params.failed, (size_t) 1);

    /* 'cenc' measures nothing: 4 + 1 + (99 % 16) clear */
    SL_CHECK_OK(sluice_cenc_nal_subsamples(s, len, SLUICE_CODEC_AVC, 4,
                                           SLUICE_CENC_SCHEME_CENC,
                                           SLUICE_CENC_CENC_CLEAR_LEAD,
                                           NULL, ss, 8, &n));
    SL_CHECK_UEQ(ss[0].clear, lead + 4 + 1 + 3);
    SL_CHECK_UEQ(ss[0].protect, 96u);
}


int
main(void)
{
    char  cmd[300];

    snprintf(tmp, sizeof(tmp), "/tmp/sluice-slice-%d", (int) getpid());

    SL_RUN(test_avc_cases);
    SL_RUN(test_cbcs_map);

    if (system("ffmpeg -hide_banner -encoders 2>/dev/null "
               "| grep -q libx264") != 0)
    {
        printf("# skipped the real streams: no ffmpeg with libx264\n");
        return SL_DONE();
    }

    snprintf(cmd, sizeof(cmd), "mkdir -p %s", tmp);
    CHECK(system(cmd) == 0);

    SL_RUN(test_real_streams);

    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
    (void) system(cmd);

    return SL_DONE();
}
