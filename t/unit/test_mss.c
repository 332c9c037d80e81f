
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the Smooth Streaming client manifest writer.
 *
 *   cc -Isrc/media t/unit/test_mss.c src/media/sluice_mss.c \
 *       src/media/sluice_buf.c src/media/sluice_avc.c \
 *       src/media/sluice_bits.c -o test_mss
 */


#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "media/manifest/sluice_mss.h"


static int  failures;
static int  checks;


#define CHECK(cond)                                                          \
    do {                                                                     \
        checks++;                                                            \
        if (!(cond)) {                                                       \
            failures++;                                                      \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond);       \
        }                                                                    \
    } while (0)


static const uint8_t  avcc[] = {
    0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0x00, 0x0a,
    0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9, 0x40, 0x50, 0x05, 0xbb,
    0x01, 0x00, 0x04, 0x68, 0xeb, 0xe3, 0xcb
};

static const uint8_t  asc[] = { 0x11, 0x90 };


static sluice_track_info_t  video_info;
static sluice_track_info_t  audio_info;
static sluice_pfrag_t       vfrags[8];
static sluice_pfrag_t       afrags[8];
static sluice_ptrack_t      tracks[3];
static int                  have_xmllint;


static void
fixture(sluice_presentation_t *p, uint32_t nfrags)
{
    uint32_t  i;

    memset(p, 0, sizeof(*p));
    memset(&video_info, 0, sizeof(video_info));
    memset(&audio_info, 0, sizeof(audio_info));

    video_info.media_type = SLUICE_MEDIA_VIDEO;
    video_info.codec = SLUICE_CODEC_AVC;
    video_info.timescale = 90000;
    video_info.width = 1280;
    video_info.height = 720;
    video_info.config_len = sizeof(avcc);
    memcpy(video_info.config, avcc, sizeof(avcc));

    audio_info.media_type = SLUICE_MEDIA_AUDIO;
    audio_info.codec = SLUICE_CODEC_AAC;
    audio_info.timescale = 48000;
    audio_info.sample_rate = 48000;
    audio_info.channels = 2;
    audio_info.config_len = sizeof(asc);
    memcpy(audio_info.config, asc, sizeof(asc));

    for (i = 0; i < nfrags; i++) {
        vfrags[i].time = 900000 + (uint64_t) i * 180000;
        vfrags[i].duration = 180000;
        vfrags[i].seq = 5 + i;
        vfrags[i].flags = 0;
        afrags[i].time = 480000 + (uint64_t) i * 96000;
        afrags[i].duration = 96000;
        afrags[i].seq = 5 + i;
        afrags[i].flags = 0;
    }

    memset(tracks, 0, sizeof(tracks));

    tracks[0].info = &video_info;
    tracks[0].name = (sluice_str_t) sluice_string("video");
    tracks[0].bitrate = 3000000;
    tracks[0].frags = vfrags;
    tracks[0].nfrags = nfrags;

    tracks[1].info = &audio_info;
    tracks[1].name = (sluice_str_t) sluice_string("audio");
    tracks[1].bitrate = 128000;
    tracks[1].frags = afrags;
    tracks[1].nfrags = nfrags;

    tracks[2] = tracks[0];
    tracks[2].bitrate = 1000000;

    p->tracks = tracks;
    p->ntracks = 3;
    p->live = 1;
    p->epoch_ms = 1795000000000LL;
    p->now_ms = p->epoch_ms + 21500;
    p->window_ms = 60000;
    p->fragment_ms = 2000;
}


static void
well_formed(const char *s)
{
    FILE  *f;
    char   path[] = "/tmp/sluice_test_mss.XXXXXX", cmd[128];
    int    fd;

    if (!have_xmllint) {
        return;
    }

    fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) {
        return;
    }

    f = fdopen(fd, "w");
    fputs(s, f);
    fclose(f);

    snprintf(cmd, sizeof(cmd), "xmllint --noout %s", path);
    CHECK(system(cmd) == 0);
    unlink(path);
}


static char *
render(const sluice_presentation_t *p, sluice_status_t *rc)
{
    char          *s;
    sluice_buf_t   b, count;

    sluice_buf_init(&count, NULL, NULL, 0);
    *rc = sluice_mss_manifest(&count, p);

    if (*rc != SLUICE_OK) {
        return NULL;
    }

    s = malloc(count.len + 1);
    sluice_buf_init(&b, NULL, (uint8_t *) s, count.len);
    *rc = sluice_mss_manifest(&b, p);
    CHECK(*rc == SLUICE_OK && b.len == count.len);
    s[b.len] = '\0';

    if (getenv("SHOW")) {
        fputs(s, stderr);
    }

    well_formed(s);

    return s;
}


static int
count_of(const char *s, const char *needle)
{
    int  n;

    for (n = 0; (s = strstr(s, needle)) != NULL; n++) {
        s += strlen(needle);
    }

    return n;
}


static void
test_live(void)
{
    char                   *s;
    sluice_status_t         rc;
    sluice_presentation_t   p;

    fixture(&p, 5);
    vfrags[3].time += 90000;        /* a gap before the 4th */
    vfrags[4].time += 90000;

    s = render(&p, &rc);
    CHECK(rc == SLUICE_OK && s != NULL);
    if (s == NULL) {
        return;
    }

    CHECK(strstr(s, "<SmoothStreamingMedia MajorVersion=\"2\" "
                 "MinorVersion=\"2\" TimeScale=\"10000000\" Duration=\"0\" "
                 "IsLive=\"TRUE\" LookAheadFragmentCount=\"2\" "
                 "DVRWindowLength=\"600000000\""));
    CHECK(strstr(s, "<StreamIndex Type=\"video\" Name=\"video\" Chunks=\"5\" "
                 "QualityLevels=\"2\" Url=\"QualityLevels({bitrate})/"
                 "Fragments(video={start time})\" "
                 "MaxWidth=\"1280\" MaxHeight=\"720\" DisplayWidth=\"1280\" "
                 "DisplayHeight=\"720\">\n"));
    CHECK(strstr(s, "<QualityLevel Index=\"0\" Bitrate=\"3000000\" "
                 "FourCC=\"H264\" MaxWidth=\"1280\" MaxHeight=\"720\" "
                 "CodecPrivateData=\"000000016764001FACD9405005BB"
                 "0000000168EBE3CB\"/>\n"));
    CHECK(strstr(s, "<QualityLevel Index=\"1\" Bitrate=\"1000000\" "));
    CHECK(strstr(s,
        "    <c t=\"100000000\" d=\"20000000\"/>\n"
        "    <c d=\"20000000\"/>\n"
        "    <c d=\"20000000\"/>\n"
        "    <c t=\"170000000\" d=\"20000000\"/>\n"
        "    <c d=\"20000000\"/>\n"
        "  </StreamIndex>\n"));
    CHECK(strstr(s, "<StreamIndex Type=\"audio\" Name=\"audio\" Chunks=\"5\" "
                 "QualityLevels=\"1\" Url=\"QualityLevels({bitrate})/"
                 "Fragments(audio={start time})\">\n"
                 "    <QualityLevel Index=\"0\" Bitrate=\"128000\" "
                 "FourCC=\"AACL\" SamplingRate=\"48000\" Channels=\"2\" "
                 "BitsPerSample=\"16\" PacketSize=\"4\" AudioTag=\"255\" "
                 "CodecPrivateData=\"1190\"/>\n"
                 "    <c t=\"100000000\" d=\"20000000\"/>\n"));
    CHECK(count_of(s, "<StreamIndex ") == 2);
    /* one TimeScale, 10 MHz, for every stream, as AMS writes it */
    CHECK(count_of(s, "TimeScale=") == 1);
    CHECK(count_of(s, "<c ") == 10);
    CHECK(count_of(s, " r=") == 0);
    free(s);

    /* fmp4-v20: Smooth 2.0, the same chunks one by one */
    p.smooth_v20 = 1;
    s = render(&p, &rc);
    CHECK(s && strstr(s, "<SmoothStreamingMedia MajorVersion=\"2\" "
                      "MinorVersion=\"0\" TimeScale=\"10000000\" "));
    CHECK(s && count_of(s, "<c ") == 10 && count_of(s, " r=") == 0);
    free(s);
}


static void
test_ended(void)
{
    char                   *s;
    sluice_status_t         rc;
    sluice_presentation_t   p;

    fixture(&p, 5);
    p.ended = 1;
    tracks[1].lang = (sluice_str_t) sluice_string("en\"");
    vfrags[2].flags = SLUICE_PFRAG_DISCONTINUITY;

    s = render(&p, &rc);
    CHECK(s != NULL);
    if (s == NULL) {
        return;
    }

    /* 10 s, at 10 MHz */
    CHECK(strstr(s, "TimeScale=\"10000000\" Duration=\"100000000\" "
                 "IsLive=\"FALSE\">"));
    CHECK(count_of(s, "DVRWindowLength") == 0);
    CHECK(strstr(s, "Name=\"audio\" Language=\"en&quot;\""));
    CHECK(strstr(s, "<c t=\"140000000\" d=\"20000000\"/>"));
    free(s);

    /*
     * a rendition one fragment behind (pushed as a stream of its own,
     * indexed moments later): the same StreamIndex, with the chunks both
     * hold (t/114)
     */
    tracks[2].nfrags = 4;
    s = render(&p, &rc);
    CHECK(s && count_of(s, "<StreamIndex ") == 2);
    CHECK(s && strstr(s, "<StreamIndex Type=\"video\" Name=\"video\" "
                      "Chunks=\"4\" QualityLevels=\"2\""));
    CHECK(s && count_of(s, "<c ") == 9);
    free(s);

    /* one that joined later: from its first fragment */
    tracks[2].frags = vfrags + 2;
    tracks[2].nfrags = 3;
    s = render(&p, &rc);
    CHECK(s && count_of(s, "<StreamIndex ") == 2);
    CHECK(s && strstr(s, "<StreamIndex Type=\"video\" Name=\"video\" "
                      "Chunks=\"3\" QualityLevels=\"2\""));
    CHECK(s && strstr(s, "QualityLevels=\"2\" Url=\"QualityLevels"
                      "({bitrate})/Fragments(video={start time})\" "
                      "MaxWidth=\"1280\" MaxHeight=\"720\" "
                      "DisplayWidth=\"1280\" DisplayHeight=\"720\">\n"
                      "    <QualityLevel Index=\"0\" Bitrate=\"3000000\""));
    CHECK(s && count_of(s, "<c ") == 8
          && strstr(s, "<c t=\"140000000\" d=\"20000000\"/>"));
    free(s);
    tracks[2].frags = vfrags;

    /* two behind, or other times: a StreamIndex of its own */
    tracks[2].nfrags = 3;
    s = render(&p, &rc);
    CHECK(s && count_of(s, "<StreamIndex ") == 3);
    CHECK(s && strstr(s, "<StreamIndex Type=\"video\" Name=\"video\" "
                      "Chunks=\"5\" QualityLevels=\"1\""));
    CHECK(s && strstr(s, "<StreamIndex Type=\"video\" Name=\"video_1000000\" "
                      "Chunks=\"3\" QualityLevels=\"1\" Url=\"QualityLevels"
                      "({bitrate})/Fragments(video={start time})\""));
    free(s);
    tracks[2].frags = afrags;
    tracks[2].nfrags = 5;
    s = render(&p, &rc);
    CHECK(s && count_of(s, "<StreamIndex ") == 3);
    free(s);
    tracks[2].frags = vfrags;
    tracks[2].nfrags = 5;

    /*
     * a broken avcC; an avcC given as an hvcC; a codec Smooth does not
     * carry (t/094 checks an HEVC track's FourCC and CodecPrivateData)
     */
    video_info.config[5] = 0xe5;
    CHECK(render(&p, &rc) == NULL && rc != SLUICE_OK);
    video_info.config[5] = 0xe1;
    video_info.codec = SLUICE_CODEC_HEVC;
    CHECK(render(&p, &rc) == NULL && rc != SLUICE_OK);
    video_info.codec = SLUICE_CODEC_NONE;
    CHECK(render(&p, &rc) == NULL && rc == SLUICE_UNSUPPORTED);

    p.ntracks = 0;
    CHECK(render(&p, &rc) == NULL && rc == SLUICE_NOT_FOUND);
}


/*
 * 44.1 kHz audio: 86 AAC frames (88064 samples) are 19969160.99 units of
 * 100 ns; each chunk's d is the difference of its rounded start and end,
 * so d alternates and the chunks never drift from the stored times.
 */

static void
test_rounding(void)
{
    char                   *s;
    uint32_t                i;
    sluice_status_t         rc;
    sluice_presentation_t   p;

    fixture(&p, 4);
    audio_info.timescale = 44100;
    audio_info.sample_rate = 44100;

    for (i = 0; i < 4; i++) {
        afrags[i].time = 441000 + (uint64_t) i * 88064;
        afrags[i].duration = 88064;
    }

    s = render(&p, &rc);
    CHECK(rc == SLUICE_OK && s != NULL);
    if (s == NULL) {
        return;
    }

    /* 441000 / 44100 = 10 s; ends floor(529064e7 / 44100) = 119969160 ... */
    CHECK(strstr(s, "CodecPrivateData=\"1190\"/>\n"
                    "    <c t=\"100000000\" d=\"19969160\"/>\n"
                    "    <c d=\"19969161\"/>\n"
                    "    <c d=\"19969161\"/>\n"
                    "    <c d=\"19969161\"/>\n"));
    CHECK(sluice_mss_time(441000 + 4 * 88064, 44100)
          == 100000000 + 19969160 + 3 * 19969161);
    free(s);
}


/* Common Encryption: the ProtectionHeader first, fragment URLs tagged */

static void
test_protection(void)
{
    char                   *s;
    sluice_status_t         rc;
    sluice_pprotect_t       cp;
    sluice_presentation_t   p;

    fixture(&p, 3);

    memset(&cp, 0, sizeof(cp));
    cp.scheme = 0x63656e63;
    cp.playready_pro.data = (const uint8_t *) "UFJPIQ==";
    cp.playready_pro.len = 8;

    tracks[1].protect = &cp;
    p.url_tag.data = (const uint8_t *) ",encryption=piff";
    p.url_tag.len = 16;

    s = render(&p, &rc);
    CHECK(rc == SLUICE_OK && s != NULL);
    if (s == NULL) {
        return;
    }

    CHECK(strstr(s, ">\n  <Protection>\n"
                    "    <ProtectionHeader SystemID=\"9A04F079-9840-4286-"
                    "AB92-E65BE0885F95\">UFJPIQ==</ProtectionHeader>\n"
                    "  </Protection>\n  <StreamIndex "));
    CHECK(strstr(s, "Url=\"QualityLevels({bitrate})/Fragments(video="
                    "{start time},encryption=piff)\""));
    free(s);

    tracks[1].protect = NULL;
}


/* the ad markers as AMS's sparse text track; metadata left out */

static void
test_cues(void)
{
    char                   *s;
    sluice_cue_t            cues[3];
    sluice_status_t         rc;
    sluice_presentation_t   p;

    static const uint8_t  out[] = {
        0xFC, 0x30, 0x25, 0x00, 0x00, 0x00, 0x00, 0x05, 0xDD, 0x00, 0xFF,
        0xF0, 0x14, 0x05, 0x00, 0x00, 0x03, 0xEA, 0x7F, 0xEF, 0xFE, 0x01,
        0x64, 0x61, 0xB8, 0xFE, 0x00, 0x52, 0x63, 0x63, 0x00, 0x01, 0x01,
        0x01, 0x00, 0x00, 0xF2, 0x0D, 0x5E, 0x37
    };

    fixture(&p, 5);
    memset(cues, 0, sizeof(cues));

    cues[0].kind = SLUICE_CUE_SPLICE_OUT;
    cues[0].id = (sluice_str_t) sluice_string("1002");
    cues[0].time = 12000;
    cues[0].duration = 30000;
    cues[0].section.data = out;
    cues[0].section.len = sizeof(out);

    cues[1].kind = SLUICE_CUE_METADATA;
    cues[1].time = 13000;
    cues[1].scheme_id_uri = (sluice_str_t) sluice_string("urn:x");

    cues[2] = cues[0];
    cues[2].kind = SLUICE_CUE_SPLICE_IN;
    cues[2].id = (sluice_str_t) sluice_string("1003");
    cues[2].time = 42000;
    cues[2].duration = 0;

    p.cues = cues;
    p.ncues = 3;
    p.url_tag = (sluice_str_t) sluice_string(",encryption=cenc");

    s = render(&p, &rc);
    CHECK(s != NULL);
    if (s == NULL) {
        return;
    }

    if (getenv("SHOW")) {
        fputs(s, stdout);
    }

    CHECK(strstr(s,
        "  </StreamIndex>\n"
        "  <StreamIndex Type=\"text\" Name=\"scte35\" Subtype=\"DATA\" "
        "Chunks=\"2\" QualityLevels=\"1\" ParentStreamIndex=\"video\" "
        "ManifestOutput=\"TRUE\" Url=\"QualityLevels({bitrate})/"
        "Fragments(scte35={start time},encryption=cenc)\">\n"
        "    <QualityLevel Index=\"0\" Bitrate=\"0\" CodecPrivateData=\"\" "
        "FourCC=\"scte\">\n"
        "      <CustomAttributes>\n"
        "        <Attribute Name=\"Scheme\" "
        "Value=\"urn:scte:scte35:2013:bin\"/>\n"
        "      </CustomAttributes>\n"
        "    </QualityLevel>\n"
        "    <c t=\"120000000\" d=\"300000000\"><f>AAAAAQAAA+oAAAAA/DAlAAAAAAX"
        "dAP/wFAUAAAPqf+/+AWRhuP4AUmNjAAEBAQAA8g1eNw==</f></c>\n"
        "    <c t=\"420000000\"><f>AAAAAQAAA+sAAAAA/DAlAAAAAAXdAP/wFAUAAAPqf+/"
        "+AWRhuP4AUmNjAAEBAQAA8g1eNw==</f></c>\n"
        "  </StreamIndex>\n"
        "</SmoothStreamingMedia>\n") != NULL);
    free(s);

    /* metadata alone: no sparse track */
    p.cues = &cues[1];
    p.ncues = 1;
    s = render(&p, &rc);
    CHECK(s && strstr(s, "Type=\"text\"") == NULL);
    free(s);
}


int
main(void)
{
    have_xmllint = (system("xmllint --version >/dev/null 2>&1") == 0);

    if (!have_xmllint) {
        printf("test_mss: xmllint missing, XML checks skipped\n");
    }

    test_live();
    test_ended();
    test_rounding();
    test_protection();
    test_cues();

    printf("test_mss: %d checks, %d failures\n", checks, failures);

    return failures ? 1 : 0;
}
