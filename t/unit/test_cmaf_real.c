
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
 */


#define SLUICE_FLV2CMAF_LIB
#include "flv2cmaf.c"

#include <unistd.h>

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

    if (sl_test_failed == 0) {
        run("rm -rf %s%s", tmp, "");

    } else {
        fprintf(stderr, "files kept in %s\n", tmp);
    }

    return SL_DONE();
}
