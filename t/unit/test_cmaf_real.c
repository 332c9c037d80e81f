
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Real-data proof of the FLV, AVC, AAC and CMAF code: ffmpeg makes an FLV
 * file (H.264 + AAC, keyframes every 2 s), flv2cmaf.c cuts it into CMAF
 * fragments (every fragment is parsed back and compared), then ffprobe and
 * ffmpeg read init.mp4 + fragments of each track: codec, size, packet
 * timestamps, sizes and key flags must equal those ffprobe reads from the
 * FLV file itself, and decoding must give no error.  The Smooth variant
 * is checked the same way.  Skipped (0 checks) without ffmpeg.
 *
 * Then the other way round: fragmented MP4 written by ffmpeg (H.264 with
 * B-frames, HEVC when libx265 is there) goes through the fragment reader
 * and the AVC/HEVC record parsers, is written again by the CMAF writer,
 * and ffprobe must read the same packets from both.
 */


#define SLUICE_FLV2CMAF_LIB
#include "flv2cmaf.c"

#include <unistd.h>

#include "media/codec/sluice_hevc.h"
#include "sluice_test.h"


#define CHECK(cond)  SL_CHECK(cond)


#define MAX_PACKETS  4096


typedef struct {
    long long   pts;
    long long   dts;
    long long   size;
    int         key;
} packet_t;


static char  tmp[256];


static int
run(const char *fmt, const char *a, const char *b)
{
    char  cmd[2048];

    snprintf(cmd, sizeof(cmd), fmt, a, b);

    return system(cmd);
}


/* read "pts=..|dts=..|size=..|flags=K_" lines from ffprobe */
static int
probe_packets(const char *input, const char *stream, packet_t *pk)
{
    int    n;
    char   cmd[1024], line[256], *tok, *save;
    FILE  *f;

    snprintf(cmd, sizeof(cmd), "ffprobe -v error -select_streams %s "
             "-show_entries packet=pts,dts,size,flags -of compact=p=0 %s",
             stream, input);

    f = popen(cmd, "r");

    if (f == NULL) {
        return -1;
    }

    n = 0;

    while (n < MAX_PACKETS && fgets(line, sizeof(line), f)) {
        memset(&pk[n], 0, sizeof(packet_t));

        for (tok = strtok_r(line, "|\n", &save); tok;
             tok = strtok_r(NULL, "|\n", &save))
        {
            if (strncmp(tok, "pts=", 4) == 0) {
                pk[n].pts = atoll(tok + 4);

            } else if (strncmp(tok, "dts=", 4) == 0) {
                pk[n].dts = atoll(tok + 4);

            } else if (strncmp(tok, "size=", 5) == 0) {
                pk[n].size = atoll(tok + 5);

            } else if (strncmp(tok, "flags=", 6) == 0) {
                pk[n].key = (tok[6] == 'K');
            }
        }

        n++;
    }

    pclose(f);

    return n;
}


static void
probe_stream(const char *input, char *out, size_t len)
{
    char    cmd[1024];
    size_t  n;
    FILE   *f;

    snprintf(cmd, sizeof(cmd), "ffprobe -v error -show_entries "
             "stream=codec_name,width,height,sample_rate,channels "
             "-of compact=p=0 %s", input);

    out[0] = '\0';
    f = popen(cmd, "r");

    if (f == NULL) {
        return;
    }

    n = fread(out, 1, len - 1, f);
    out[n] = '\0';

    if (n && out[n - 1] == '\n') {
        out[n - 1] = '\0';
    }

    pclose(f);
}


static int
decodes_cleanly(const char *input)
{
    char         err[512];
    struct stat  st;

    snprintf(err, sizeof(err), "%s/decode.err", tmp);

    if (run("ffmpeg -nostdin -v error -i %s -f null - 2>%s", input, err)
        != 0)
    {
        return 0;
    }

    return stat(err, &st) == 0 && st.st_size == 0;
}


static void
check_track(const char *dir, const char *name, const char *expect,
    packet_t *ref, int nref, uint64_t scale)
{
    int        i, n, same;
    char       all[512], info[512], cmd[1024];
    packet_t  *pk;

    snprintf(all, sizeof(all), "%s/%s.mp4", dir, name);

    snprintf(cmd, sizeof(cmd), "cd %s/%s && cat init.mp4 "
             "$(ls *.m4s | sort) > %s", dir, name, all);
    CHECK(system(cmd) == 0);

    probe_stream(all, info, sizeof(info));
    CHECK(strcmp(info, expect) == 0);

    if (strcmp(info, expect) != 0) {
        fprintf(stderr, "  got \"%s\"\n  expected \"%s\"\n", info, expect);
    }

    pk = calloc(MAX_PACKETS, sizeof(packet_t));
    n = probe_packets(all, name[0] == 'v' ? "v" : "a", pk);

    CHECK(n == nref && n > 0);

    same = (n == nref);

    for (i = 0; same && i < n; i++) {
        if (pk[i].pts != ref[i].pts * (long long) scale
            || pk[i].dts != ref[i].dts * (long long) scale
            || pk[i].size != ref[i].size || pk[i].key != ref[i].key)
        {
            fprintf(stderr, "  %s packet %d: %lld/%lld/%lld/%d, FLV "
                    "%lld/%lld/%lld/%d\n", name, i, pk[i].pts, pk[i].dts,
                    pk[i].size, pk[i].key, ref[i].pts, ref[i].dts,
                    ref[i].size, ref[i].key);
            same = 0;
        }
    }

    CHECK(same);
    CHECK(decodes_cleanly(all));

    free(pk);
}


static void
convert(const char *flv, const char *dir, uint32_t flags, packet_t *vref,
    int nvref, packet_t *aref, int naref)
{
    f2c_t  c;

    memset(&c, 0, sizeof(f2c_t));
    c.frag_ms = 2000;
    c.flags = flags;
    c.check = 1;

    CHECK(f2c_convert(&c, flv, dir) == 0);
    CHECK(c.errors == 0);
    CHECK(c.have_meta && c.meta.width == 640 && c.meta.height == 360);
    CHECK(c.meta.videocodecid == 7 && c.meta.audiocodecid == 10);
    CHECK(c.video.nfragments == 3);
    CHECK(c.audio.nfragments == 3);
    CHECK(c.video.nsamples == (uint32_t) nvref);
    CHECK(c.audio.nsamples == (uint32_t) naref);
    CHECK(strcmp(c.video.info.codec_string, "avc1.64001e") == 0
          || strncmp(c.video.info.codec_string, "avc1.64", 7) == 0);
    CHECK(c.video.info.frame_rate_num == 30 * c.video.info.frame_rate_den);

    f2c_free(&c);

    check_track(dir, "video",
                "codec_name=h264|width=640|height=360", vref, nvref, 90);
    check_track(dir, "audio",
                "codec_name=aac|sample_rate=48000|channels=1", aref, naref,
                48);
}


static const uint8_t *
find_box(const uint8_t *p, size_t len, const char *type)
{
    size_t  i;

    for (i = 4; i + 4 <= len; i++) {
        if (memcmp(p + i, type, 4) == 0 && sluice_rb32(p + i - 4) >= 8
            && sluice_rb32(p + i - 4) <= len - i + 4)
        {
            return p + i - 4;
        }
    }

    return NULL;
}


/* ffmpeg's fragmented MP4 -> fragment reader -> CMAF writer -> ffprobe */
static void
rewrap(const char *encoder, const char *codec_box, const char *expect)
{
    int                   i, n, nref, nfrag, same;
    char                  src[512], dir[600], path[700], cmd[2048];
    size_t                pos, size, moof, out_len;
    uint8_t              *out, *end;
    const uint8_t        *box;
    packet_t             *ref, *pk;
    sluice_alloc_t        a;
    sluice_fragment_t     f;
    sluice_track_info_t   ti;
    sluice_avc_config_t   avc;
    sluice_hevc_config_t  hevc;
    f2c_t                 c;

    snprintf(src, sizeof(src), "%s/%s.mp4", tmp, encoder);
    snprintf(cmd, sizeof(cmd), "ffmpeg -nostdin -v error -y -f lavfi "
             "-i testsrc2=size=320x240:rate=25 -t 4 -c:v %s -g 25 -bf 2 "
             "%s -tag:v %s -movflags +frag_keyframe+empty_moov"
             "+default_base_moof -f mp4 %s", encoder,
             strcmp(encoder, "libx265") == 0
                 ? "-x265-params log-level=error" : "",
             codec_box[0] == 'h' ? "hvc1" : "avc1", src);

    SL_CHECK(system(cmd) == 0);

    memset(&c, 0, sizeof(f2c_t));

    if (f2c_read_file(&c, src) != 0) {
        SL_CHECK(0);
        return;
    }

    /* the track: record from the sample entry, timescale from mdhd */

    memset(&ti, 0, sizeof(ti));
    box = find_box(c.file, c.file_len, codec_box);
    SL_CHECK(box != NULL);

    if (box && codec_box[0] == 'a') {
        SL_CHECK_OK(sluice_avc_parse_config(box + 8, sluice_rb32(box) - 8,
                                            &avc));
        SL_CHECK_OK(sluice_avc_fill_info(&avc, &ti));

    } else if (box) {
        SL_CHECK_OK(sluice_hevc_parse_config(box + 8, sluice_rb32(box) - 8,
                                             &hevc));
        SL_CHECK_OK(sluice_hevc_fill_info(&hevc, &ti));
        SL_CHECK(strncmp(ti.codec_string, "hvc1.1.6.L", 10) == 0);
    }

    SL_CHECK(ti.width == 320 && ti.height == 240);

    box = find_box(c.file, c.file_len, "mdhd");
    SL_CHECK(box != NULL);
    ti.timescale = box ? sluice_rb32(box + 20) : 90000;

    snprintf(dir, sizeof(dir), "%s/rewrap-%s", tmp, encoder);
    mkdir(dir, 0755);

    size = sluice_cmaf_init_size(&ti, 1);
    out = malloc(size);
    SL_CHECK(size && sluice_cmaf_init_write(out, &ti, 1) == out + size);
    snprintf(path, sizeof(path), "%s/init.mp4", dir);
    SL_CHECK(f2c_write(&c, path, out, size) == 0);
    free(out);

    /* every moof and the mdat after it */

    a.alloc = f2c_alloc;
    a.ctx = NULL;
    nfrag = 0;
    moof = 0;

    for (pos = 0; pos + 8 <= c.file_len; pos += size) {
        size = sluice_rb32(c.file + pos);

        if (size < 8 || size > c.file_len - pos) {
            SL_CHECK(0);
            break;
        }

        if (memcmp(c.file + pos + 4, "moof", 4) == 0) {
            moof = pos;
            continue;
        }

        if (memcmp(c.file + pos + 4, "mdat", 4) != 0) {
            continue;
        }

        SL_CHECK_OK(sluice_cmaf_fragment_parse(c.file + moof,
                                               pos + size - moof, &a, &f));
        if (f.nsamples == 0) {
            continue;
        }

        SL_CHECK(f.samples[0].flags & SLUICE_SAMPLE_KEY);
        SL_CHECK(sluice_avc_has_idr(f.samples[0].data, f.samples[0].size, 4)
                 == 1 || codec_box[0] == 'h');
        SL_CHECK(sluice_hevc_has_irap(f.samples[0].data, f.samples[0].size,
                                      4) == 1 || codec_box[0] == 'a');

        out_len = sluice_cmaf_fragment_size(&f, 1, SLUICE_CMAF_STYP);
        out = malloc(out_len);
        end = sluice_cmaf_fragment_write(out, &f, 1, SLUICE_CMAF_STYP);
        SL_CHECK(end == out + out_len);

        snprintf(path, sizeof(path), "%s/%020llu.m4s", dir,
                 (unsigned long long) f.time);
        SL_CHECK(f2c_write(&c, path, out, out_len) == 0);

        free(out);
        free(f.samples);
        nfrag++;
    }

    SL_CHECK_EQ(nfrag, 4);
    f2c_free(&c);

    /* ffprobe: the same packets from ffmpeg's file and from ours */

    snprintf(path, sizeof(path), "%s/all.mp4", dir);
    snprintf(cmd, sizeof(cmd), "cd %s && cat init.mp4 $(ls *.m4s | sort) "
             "> all.mp4", dir);
    SL_CHECK(system(cmd) == 0);

    probe_stream(path, cmd, sizeof(cmd));
    SL_CHECK_STR_EQ(cmd, expect);

    ref = calloc(MAX_PACKETS, sizeof(packet_t));
    pk = calloc(MAX_PACKETS, sizeof(packet_t));
    nref = probe_packets(src, "v", ref);
    n = probe_packets(path, "v", pk);

    SL_CHECK(nref == 100 && n == nref);

    same = (n == nref);

    for (i = 0; same && i < n; i++) {
        same = pk[i].pts == ref[i].pts && pk[i].dts == ref[i].dts
               && pk[i].size == ref[i].size && pk[i].key == ref[i].key;
    }

    SL_CHECK(same);
    SL_CHECK(decodes_cleanly(path));

    free(ref);
    free(pk);
}


int
main(void)
{
    int        nv, na;
    char       flv[512], dir[512];
    packet_t  *vref, *aref;

    if (system("ffmpeg -version >/dev/null 2>&1") != 0
        || system("ffprobe -version >/dev/null 2>&1") != 0)
    {
        printf("# skipped: no ffmpeg/ffprobe\n0 passed, 0 failed\n");
        return 0;
    }

    snprintf(tmp, sizeof(tmp), "/tmp/sluice-cmaf-real-XXXXXX");

    if (mkdtemp(tmp) == NULL) {
        perror("mkdtemp");
        return 1;
    }

    snprintf(flv, sizeof(flv), "%s/x.flv", tmp);

    CHECK(run("ffmpeg -nostdin -v error -y -f lavfi "
              "-i testsrc2=size=640x360:rate=30 -f lavfi "
              "-i sine=frequency=440:sample_rate=48000 -t 6 -c:v libx264 "
              "-g 60 -keyint_min 60 -sc_threshold 0 -c:a aac -f flv %s%s",
              flv, "") == 0);

    vref = calloc(MAX_PACKETS, sizeof(packet_t));
    aref = calloc(MAX_PACKETS, sizeof(packet_t));

    nv = probe_packets(flv, "v", vref);
    na = probe_packets(flv, "a", aref);

    CHECK(nv == 180);
    CHECK(na > 250);

    snprintf(dir, sizeof(dir), "%s/cmaf", tmp);
    convert(flv, dir, SLUICE_CMAF_STYP, vref, nv, aref, na);

    snprintf(dir, sizeof(dir), "%s/smooth", tmp);
    convert(flv, dir, SLUICE_CMAF_SMOOTH, vref, nv, aref, na);

    free(vref);
    free(aref);

    rewrap("libx264", "avcC", "codec_name=h264|width=320|height=240");

    if (system("ffmpeg -hide_banner -encoders 2>/dev/null "
               "| grep -q libx265") == 0)
    {
        rewrap("libx265", "hvcC", "codec_name=hevc|width=320|height=240");
    }

    if (sl_test_failed == 0) {
        run("rm -rf %s%s", tmp, "");

    } else {
        fprintf(stderr, "files kept in %s\n", tmp);
    }

    return SL_DONE();
}
