
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
 * HEVC, which has no ingest yet, end to end: x265's fragmented MP4 with
 * 79-byte slice headers encrypted here as the packager does; without the
 * key FFmpeg must read the same headers as from the clear fragments (it
 * does not with the old fixed lead), and decrypt to the same frames.
 *
 * Then the hand-made cases: unknown parameter sets, FMO, truncated
 * headers, and the subsample map of 'cbcs' built on the measure.
 */


#include <stdlib.h>
#include <unistd.h>

#include "media/codec/sluice_bits.h"
#include "media/codec/sluice_slice.h"
#include "media/crypto/sluice_cenc.h"
#include "media/crypto/sluice_cenc_init.h"
#include "media/crypto/sluice_cenc_fragment.h"
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


/* the allocator of the CENC rewriters: freed after each fragment */

#define MAX_ALLOCS  64

static void    *allocs[MAX_ALLOCS];
static size_t   nallocs;


static void *
test_alloc(void *c, size_t size)
{
    void  *p;

    if (nallocs == MAX_ALLOCS) {
        return NULL;
    }

    p = malloc(size ? size : 1);
    allocs[nallocs++] = p;

    return p;
}


static void
free_all(void)
{
    while (nallocs) {
        free(allocs[--nallocs]);
    }
}


/* FFmpeg's header trace of a file, without a key: slice data is not read */
static char *
trace_all(const char *file)
{
    char    cmd[1024], line[512], *out, *p;
    FILE   *f;
    size_t  len, n, cap;

    /*
     * -nostats: a progress report (every half second, ended by \r) glues
     * the next line to it, a line lost from one trace and not the other
     */
    snprintf(cmd, sizeof(cmd), "ffmpeg -nostdin -hide_banner -nostats -i %s "
             "-c copy -bsf:v trace_headers -f null - 2>&1", file);

    f = popen(cmd, "r");
    if (f == NULL) {
        return NULL;
    }

    cap = 1 << 20;
    out = malloc(cap);
    len = 0;

    while (out && fgets(line, sizeof(line), f)) {
        p = strstr(line, "] ");

        /*
         * ciphertext may hold an emulated start code (00 00 01) that
         * FFmpeg's NAL reader takes for the end of a slice: its warning
         * is about slice data, not headers
         */
        if (strncmp(line, "[trace_headers", 14) != 0 || p == NULL
            || strncmp(p + 2, "Invalid NAL unit", 16) == 0)
        {
            continue;
        }

        n = strlen(p + 2);

        if (len + n + 1 > cap) {
            cap *= 2;
            out = realloc(out, cap);
            if (out == NULL) {
                break;
            }
        }

        memcpy(out + len, p + 2, n);
        len += n;
    }

    pclose(f);

    if (out) {
        out[len] = '\0';
    }

    return out;
}


/*
 * The init segment and the k-th fragment of a clear fragmented MP4 (ftyp,
 * moov, then moof + mdat pairs), as a player fetches them: encrypted with
 * 'cbcs' as the packager does, slice headers measured (slices) or not
 * (NULL), or left clear (clear), written to out.  1 when there is no k-th
 * fragment.
 */
static int
encrypt_file(const uint8_t *in, size_t len, uint32_t codec,
    sluice_slice_params_t *slices, int clear, size_t k, const char *out)
{
    int                      rc;
    FILE                    *f;
    size_t                   pos, size, init, olen, i;
    uint8_t                 *o;
    sluice_alloc_t           a;
    EVP_CIPHER_CTX          *ctx;
    sluice_cenc_track_t      t;
    sluice_cenc_fragment_t   cf;

    a.alloc = test_alloc;
    a.ctx = NULL;

    memset(&t, 0, sizeof(t));
    t.scheme = SLUICE_CENC_SCHEME_CBCS;
    t.crypt = SLUICE_CENC_VIDEO_CRYPT;
    t.skip = SLUICE_CENC_VIDEO_SKIP;
    memset(t.kid, 0x11, sizeof(t.kid));
    memset(t.constant_iv, 0x22, sizeof(t.constant_iv));

    memset(&cf, 0, sizeof(cf));
    cf.scheme = SLUICE_CENC_SCHEME_CBCS;
    cf.codec = codec;
    cf.nal_length_size = 4;
    cf.slices = slices;
    memset(cf.key, 0x33, sizeof(cf.key));
    memcpy(cf.iv, t.constant_iv, sizeof(cf.iv));

    /* the init segment: every box before the first moof */
    for (init = 0; init + 8 <= len; init += sluice_rb32(in + init)) {
        if (memcmp(in + init + 4, "moof", 4) == 0
            || sluice_rb32(in + init) < 8)
        {
            break;
        }
    }

    f = fopen(out, "wb");
    ctx = EVP_CIPHER_CTX_new();
    rc = -1;

    if (f == NULL || ctx == NULL
        || sluice_cenc_init_size(in, init, &t, 0, &size) != SLUICE_OK)
    {
        goto done;
    }

    o = malloc(size);

    if (sluice_cenc_init_write(o, in, init, &t, NULL, 0) != o + size) {
        free(o);
        goto done;
    }

    fwrite(clear ? in : o, 1, clear ? init : size, f);
    free(o);

    /* the k-th moof + mdat */
    for (pos = init, i = 0; pos + 8 <= len; pos += size, i++) {
        if (memcmp(in + pos + 4, "moof", 4) != 0) {
            rc = 1;
            goto done;
        }

        size = sluice_rb32(in + pos);
        size += (pos + size + 8 <= len) ? sluice_rb32(in + pos + size) : 0;

        if (size < 16 || size > len - pos) {
            goto done;
        }

        if (i == k) {
            break;
        }
    }

    if (pos + 8 > len) {
        rc = 1;
        goto done;
    }

    if (clear) {
        fwrite(in + pos, 1, size, f);

    } else {
        if (sluice_cenc_fragment_encrypt(ctx, &cf, in + pos, size, 0, &a,
                                         &o, &olen)
            != SLUICE_OK)
        {
            goto done;
        }

        fwrite(o, 1, olen, f);
    }

    rc = 0;

done:

    free_all();

    if (f) {
        fclose(f);
    }

    EVP_CIPHER_CTX_free(ctx);

    return rc;
}


/*
 * HEVC has no ingest yet: x265's fragmented MP4 with 79-byte slice
 * headers (an entry point per 16x16 CTU row) is encrypted here; without
 * the key FFmpeg must read the same headers as from the clear file (it
 * does not with the fixed 32-byte lead), and with the key the same
 * frames.
 */
static void
test_hevc_cbcs(void)
{
    int                   long_headers;
    char                  cmd[2048], src[300], clear[300], enc[300];
    char                  fixed[300], *tc, *te, *tf;
    size_t                len, k;
    uint8_t              *data;
    const uint8_t        *p;

    snprintf(src, sizeof(src), "%s/hevc-src.mp4", tmp);
    snprintf(clear, sizeof(clear), "%s/hevc.mp4", tmp);
    snprintf(enc, sizeof(enc), "%s/hevc-cbcs.mp4", tmp);
    snprintf(fixed, sizeof(fixed), "%s/hevc-fixed.mp4", tmp);

    snprintf(cmd, sizeof(cmd), "ffmpeg -nostdin -v error -y -f lavfi -i "
             "testsrc2=size=1280x720:rate=25,fade=in:0:25 -t 1 -pix_fmt "
             "yuv420p -c:v libx265 -x265-params log-level=error:ctu=16:"
             "min-cu-size=8:wpp=1:ref=4:bframes=3:weightp=1:keyint=12 "
             "-tag:v hvc1 -movflags +frag_keyframe+empty_moov"
             "+default_base_moof -f mp4 %s", src);
    CHECK(system(cmd) == 0);

    data = read_file(src, &len);
    CHECK(data != NULL);

    if (data == NULL) {
        return;
    }

    long_headers = 0;

    /* the parameter sets from the sample entry's hvcC */
    for (p = data; p + 8 < data + len && memcmp(p, "hvcC", 4) != 0; p++) {
        /* void */
    }

    CHECK(p + 8 < data + len);

    for (k = 0; k < 10; k++) {
        SL_CHECK_OK(sluice_slice_params_init(&params, SLUICE_CODEC_HEVC,
                                             p + 4, sluice_rb32(p - 4) - 8));

        if (encrypt_file(data, len, SLUICE_CODEC_HEVC, NULL, 1, k, clear)
            != 0)
        {
            break;
        }

        CHECK(encrypt_file(data, len, SLUICE_CODEC_HEVC, &params, 0, k, enc)
              == 0);
        CHECK(encrypt_file(data, len, SLUICE_CODEC_HEVC, NULL, 0, k, fixed)
              == 0);
        CHECK(params.measured > 0);
        SL_CHECK_UEQ(params.failed, (size_t) 0);

        tc = trace_all(clear);
        te = trace_all(enc);
        tf = trace_all(fixed);
        CHECK(tc && te && tf && strstr(tc, "Slice Segment Header") != NULL);

        if (tc && te && tf) {
            CHECK(strcmp(tc, te) == 0);
            long_headers += (strcmp(tc, tf) != 0);
        }

        free(tc);
        free(te);
        free(tf);

        /* decrypted: the frames of the clear fragment */
        snprintf(cmd, sizeof(cmd), "ffmpeg -nostdin -v error -i %s "
                 "-f framemd5 - 2>&1 | grep -v '^#' > %s.md5 && ffmpeg "
                 "-nostdin -v error -decryption_key "
                 "33333333333333333333333333333333 -i %s -f framemd5 - 2>&1 "
                 "| grep -v '^#' | cmp -s - %s.md5", clear, clear, enc,
                 clear);
        CHECK(system(cmd) == 0);
    }

    /* the fixed lead cuts into the headers of the inter fragments */
    CHECK(k >= 2);
    CHECK(long_headers > 0);
    printf("# HEVC cbcs: %zu fragments read as clear without the key, %d "
           "not with the fixed lead\n", k, long_headers);

    free(data);
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

    if (system("ffmpeg -hide_banner -encoders 2>/dev/null "
               "| grep -q libx265") == 0)
    {
        SL_RUN(test_hevc_cbcs);
    }

    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
    (void) system(cmd);

    return SL_DONE();
}
