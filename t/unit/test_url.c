
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the AMS URL tag parser.
 *
 *   cc -Isrc/media t/unit/test_url.c src/media/sluice_url.c -o test_url
 */


#include <stdio.h>
#include <stdlib.h>

#include "media/sluice_url.h"


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


static sluice_status_t
parse(const char *s, sluice_url_t *url)
{
    const char       *reason;
    sluice_status_t   rc;

    reason = NULL;
    rc = sluice_url_parse(url, (const uint8_t *) s, strlen(s), &reason);

    if (rc == SLUICE_BAD_REQUEST && reason == NULL) {
        fprintf(stderr, "no reason for \"%s\"\n", s);
        failures++;
    }

    return rc;
}


static sluice_status_t
parse_reason(const char *s, const char **reason)
{
    sluice_url_t  u;

    *reason = NULL;

    return sluice_url_parse(&u, (const uint8_t *) s, strlen(s), reason);
}


static int
str_is(sluice_str_t *s, const char *v)
{
    return s->len == strlen(v) && memcmp(s->data, v, s->len) == 0;
}


static void
test_manifests(void)
{
    sluice_url_t  u;

    CHECK(parse("manifest", &u) == SLUICE_OK);
    CHECK(u.kind == SLUICE_URL_MANIFEST && u.format == SLUICE_FORMAT_SMOOTH);

    CHECK(parse("Manifest", &u) == SLUICE_OK);

    CHECK(parse("manifest(format=m3u8-aapl)", &u) == SLUICE_OK);
    CHECK(u.kind == SLUICE_URL_MANIFEST && u.format == SLUICE_FORMAT_HLS_TS);
    CHECK(!u.has_extension && u.audio_only == -1 && u.filter.len == 0);

    CHECK(parse("manifest(format=m3u8-aapl).m3u8", &u) == SLUICE_OK);
    CHECK(u.format == SLUICE_FORMAT_HLS_TS && u.has_extension);

    CHECK(parse("MANIFEST(FORMAT=M3U8-AAPL-V3)", &u) == SLUICE_OK);
    CHECK(u.format == SLUICE_FORMAT_HLS_TS_V3);

    CHECK(parse("manifest(format=m3u8-cmaf)", &u) == SLUICE_OK);
    CHECK(u.format == SLUICE_FORMAT_HLS_CMAF);

    CHECK(parse("manifest(format=mpd-time-csf).mpd", &u) == SLUICE_OK);
    CHECK(u.format == SLUICE_FORMAT_DASH_CSF && u.has_extension);

    CHECK(parse("manifest(format=mpd-time-cmaf)", &u) == SLUICE_OK);
    CHECK(u.format == SLUICE_FORMAT_DASH_CMAF);

    CHECK(parse("manifest(format=m3u8-aapl,filter=a;b,audio-only=false)", &u)
          == SLUICE_OK);
    CHECK(str_is(&u.filter, "a;b") && u.audio_only == 0);

    CHECK(parse("manifest(filter=f1,format=mpd-time-csf,encryption=cbc)", &u)
          == SLUICE_OK);
    CHECK(u.format == SLUICE_FORMAT_DASH_CSF && str_is(&u.filter, "f1"));
    CHECK(u.encryption == SLUICE_ENCRYPTION_CBC);

    CHECK(parse("manifest(format=m3u8-aapl,encryption=CBCS-AAPL)", &u)
          == SLUICE_OK);
    CHECK(u.encryption == SLUICE_ENCRYPTION_CBCS_AAPL);

    CHECK(parse("manifest(encryption=cbcs,format=m3u8-cmaf)", &u)
          == SLUICE_OK);
    CHECK(u.encryption == SLUICE_ENCRYPTION_CBCS);

    CHECK(parse("manifest(encryption=cenc)", &u) == SLUICE_OK);
    CHECK(u.encryption == SLUICE_ENCRYPTION_CENC
          && u.format == SLUICE_FORMAT_SMOOTH);

    CHECK(parse("manifest(encryption=piff)", &u) == SLUICE_OK);
    CHECK(u.encryption == SLUICE_ENCRYPTION_PIFF);

    CHECK(parse("manifest(format=m3u8-aapl)", &u) == SLUICE_OK);
    CHECK(u.encryption == SLUICE_ENCRYPTION_NONE);

    CHECK(parse("manifest(encryption=rot13)", &u) == SLUICE_BAD_REQUEST);

    CHECK(parse("manifest(audio-only=TRUE,format=m3u8-aapl)", &u)
          == SLUICE_OK);
    CHECK(u.audio_only == 1);
}


static void
test_playlists(void)
{
    sluice_url_t  u;

    CHECK(parse("QualityLevels(128000)/Manifest(audio,format=m3u8-aapl)", &u)
          == SLUICE_OK);
    CHECK(u.kind == SLUICE_URL_PLAYLIST && u.format == SLUICE_FORMAT_HLS_TS);
    CHECK(u.bitrate == 128000 && str_is(&u.track, "audio"));

    CHECK(parse("qualitylevels(3000000)/manifest(audio_eng,"
                "format=m3u8-cmaf).m3u8", &u) == SLUICE_OK);
    CHECK(u.format == SLUICE_FORMAT_HLS_CMAF && u.has_extension);
    CHECK(u.bitrate == 3000000 && str_is(&u.track, "audio_eng"));

    CHECK(parse("QualityLevels(1)/Manifest(video,format=m3u8-aapl-v3)", &u)
          == SLUICE_OK);
    CHECK(u.format == SLUICE_FORMAT_HLS_TS_V3 && str_is(&u.track, "video"));

    CHECK(parse("QualityLevels(4294967295)/Manifest(video,format=m3u8-aapl)",
                &u) == SLUICE_OK);
    CHECK(u.bitrate == 4294967295u);
    CHECK(!u.keyframes);

    /* I-frame playlists */
    CHECK(parse("QualityLevels(2000000)/Manifest(video,format=m3u8-aapl,"
                "type=keyframes)", &u) == SLUICE_OK);
    CHECK(u.kind == SLUICE_URL_PLAYLIST && u.keyframes
          && u.format == SLUICE_FORMAT_HLS_TS);
    CHECK(parse("QualityLevels(2000000)/Manifest(video,Type=KeyFrames,"
                "format=m3u8-cmaf).m3u8", &u) == SLUICE_OK);
    CHECK(u.keyframes && u.format == SLUICE_FORMAT_HLS_CMAF
          && u.has_extension);
}


static void
test_smooth_v20(void)
{
    sluice_url_t  u;

    CHECK(parse("manifest(format=fmp4-v20)", &u) == SLUICE_OK);
    CHECK(u.kind == SLUICE_URL_MANIFEST && u.format == SLUICE_FORMAT_SMOOTH
          && u.smooth_v20);
    CHECK(parse("Manifest(filter=a,format=FMP4-V20)", &u) == SLUICE_OK);
    CHECK(u.smooth_v20 && str_is(&u.filter, "a"));
    CHECK(parse("manifest", &u) == SLUICE_OK && !u.smooth_v20);

    /* its fragments are Smooth's */
    CHECK(parse("QualityLevels(1)/Fragments(video=10,format=fmp4-v20)", &u)
          == SLUICE_OK);
    CHECK(u.kind == SLUICE_URL_SEGMENT && u.format == SLUICE_FORMAT_SMOOTH
          && u.smooth_v20 && u.time == 10);
}


static void
test_fragments(void)
{
    sluice_url_t  u;

    CHECK(parse("QualityLevels(3000000)/Fragments(video=900000,"
                "format=m3u8-aapl)", &u) == SLUICE_OK);
    CHECK(u.kind == SLUICE_URL_SEGMENT && u.format == SLUICE_FORMAT_HLS_TS);
    CHECK(u.time == 900000 && u.bitrate == 3000000);
    CHECK(str_is(&u.track, "video"));

    CHECK(parse("QualityLevels(128000)/Fragments(audio=18446744073709551615)",
                &u) == SLUICE_OK);
    CHECK(u.kind == SLUICE_URL_SEGMENT && u.format == SLUICE_FORMAT_SMOOTH);
    CHECK(u.time == UINT64_MAX);

    CHECK(parse("QualityLevels(128000)/Fragments(audio=i,format=m3u8-cmaf)",
                &u) == SLUICE_OK);
    CHECK(u.kind == SLUICE_URL_INIT && u.format == SLUICE_FORMAT_HLS_CMAF);

    CHECK(parse("QualityLevels(1)/fragments(video=I,format=mpd-time-csf)", &u)
          == SLUICE_OK);
    CHECK(u.kind == SLUICE_URL_INIT && u.format == SLUICE_FORMAT_DASH_CSF);

    CHECK(parse("QualityLevels(1)/Fragments(video=0,format=mpd-time-cmaf)",
                &u) == SLUICE_OK);
    CHECK(u.kind == SLUICE_URL_SEGMENT && u.time == 0);
    CHECK(sluice_format_is_cmaf(u.format));

    CHECK(parse("QualityLevels(1)/Fragments(video=5,format=m3u8-aapl-v3)",
                &u) == SLUICE_OK);
    CHECK(sluice_format_is_ts(u.format));
}


/* part=N: the low-latency parts of m3u8-cmaf segments (LL-HLS) */

static void
test_parts(void)
{
    const char    *reason;
    sluice_url_t   u;

    CHECK(parse("QualityLevels(3000000)/Fragments(video=900000,"
                "format=m3u8-cmaf,part=2).m4s", &u) == SLUICE_OK);
    CHECK(u.kind == SLUICE_URL_SEGMENT && u.format == SLUICE_FORMAT_HLS_CMAF);
    CHECK(u.time == 900000 && u.has_part && u.part == 2 && u.has_extension);

    /* any order, with the encryption tag and filters; case of the key */
    CHECK(parse("QualityLevels(1)/Fragments(audio=0,PART=0,encryption=cbcs,"
                "format=m3u8-cmaf,filter=f)", &u) == SLUICE_OK);
    CHECK(u.has_part && u.part == 0 && u.time == 0 && !u.has_extension);
    CHECK(u.encryption == SLUICE_ENCRYPTION_CBCS && str_is(&u.filter, "f"));

    CHECK(parse("QualityLevels(1)/Fragments(video=1,format=m3u8-cmaf,"
                "part=65535).m4s", &u) == SLUICE_OK);
    CHECK(u.part == SLUICE_URL_MAX_PART);
    CHECK(parse("QualityLevels(1)/Fragments(video=1,format=m3u8-cmaf,"
                "part=007)", &u) == SLUICE_OK && u.part == 7);

    /* without it: a whole segment */
    CHECK(parse("QualityLevels(1)/Fragments(video=1,format=m3u8-cmaf).m4s",
                &u) == SLUICE_OK);
    CHECK(!u.has_part && u.part == 0);

    /* the reasons */
    CHECK(parse_reason("QualityLevels(1)/Fragments(video=1,format=m3u8-cmaf,"
                       "part=-1)", &reason) == SLUICE_BAD_REQUEST);
    CHECK(reason && strcmp(reason, "invalid part value") == 0);
    CHECK(parse_reason("QualityLevels(1)/Fragments(video=1,format=m3u8-cmaf,"
                       "part=70000)", &reason) == SLUICE_BAD_REQUEST);
    CHECK(reason && strcmp(reason, "part value too large") == 0);
    CHECK(parse_reason("QualityLevels(1)/Fragments(video=1,format=m3u8-aapl,"
                       "part=1)", &reason) == SLUICE_BAD_REQUEST);
    CHECK(reason && strcmp(reason, "part= is for m3u8-cmaf segments") == 0);
    CHECK(parse_reason("QualityLevels(1)/Fragments(video=1,format=m3u8-cmaf,"
                       "part=1,part=2)", &reason) == SLUICE_BAD_REQUEST);
    CHECK(reason && strcmp(reason, "duplicate part") == 0);
}


static int
media_type(const char *name, size_t len)
{
    sluice_str_t  s;

    s.data = (const uint8_t *) name;
    s.len = len;

    return sluice_url_media_type(&s);
}


static void
test_segment_ext(void)
{
    sluice_url_t  u;

    /* what HLS playlists write, and the parser takes back */
    CHECK(strcmp(sluice_url_segment_ext(SLUICE_FORMAT_HLS_TS,
                                        SLUICE_URL_SEGMENT), ".ts") == 0);
    CHECK(strcmp(sluice_url_segment_ext(SLUICE_FORMAT_HLS_TS_V3,
                                        SLUICE_URL_SEGMENT), ".ts") == 0);
    CHECK(strcmp(sluice_url_segment_ext(SLUICE_FORMAT_HLS_CMAF,
                                        SLUICE_URL_SEGMENT), ".m4s") == 0);
    CHECK(strcmp(sluice_url_segment_ext(SLUICE_FORMAT_HLS_CMAF,
                                        SLUICE_URL_INIT), ".mp4") == 0);
    CHECK(strcmp(sluice_url_segment_ext(SLUICE_FORMAT_SMOOTH,
                                        SLUICE_URL_SEGMENT), "") == 0);
    CHECK(strcmp(sluice_url_segment_ext(SLUICE_FORMAT_HLS_TS,
                                        SLUICE_URL_MANIFEST), "") == 0);

    CHECK(parse("QualityLevels(1)/Fragments(video=7,format=m3u8-aapl).ts",
                &u) == SLUICE_OK);
    CHECK(u.kind == SLUICE_URL_SEGMENT && u.time == 7 && u.has_extension
          && u.format == SLUICE_FORMAT_HLS_TS);
    CHECK(parse("QualityLevels(1)/Fragments(audio=7,format=m3u8-aapl-v3,"
                "encryption=cbc,filter=a).TS", &u) == SLUICE_OK);
    CHECK(u.format == SLUICE_FORMAT_HLS_TS_V3 && str_is(&u.filter, "a"));
    CHECK(parse("QualityLevels(1)/Fragments(video=7,format=m3u8-cmaf).m4s",
                &u) == SLUICE_OK);
    CHECK(u.kind == SLUICE_URL_SEGMENT && u.has_extension);
    CHECK(parse("QualityLevels(1)/Fragments(video=i,format=m3u8-cmaf).mp4",
                &u) == SLUICE_OK);
    CHECK(u.kind == SLUICE_URL_INIT && u.has_extension);

    /* AMS's own URLs, without one, stay valid */
    CHECK(parse("QualityLevels(1)/Fragments(video=7,format=m3u8-aapl)", &u)
          == SLUICE_OK && !u.has_extension);
}


static void
test_media_type(void)
{
    CHECK(media_type("video", 5) == SLUICE_MEDIA_VIDEO);
    CHECK(media_type("VIDEO", 5) == SLUICE_MEDIA_VIDEO);
    CHECK(media_type("Audio", 5) == SLUICE_MEDIA_AUDIO);
    CHECK(media_type("audio", 4) == -1);
    CHECK(media_type("audios", 6) == -1);
    CHECK(media_type("video\0", 6) == -1);
    CHECK(media_type("text", 4) == -1);
    CHECK(media_type("", 0) == -1);
}


static void
test_bad(void)
{
    size_t        i;
    sluice_url_t  u;

    static const char  *bad[] = {
        "",
        "manifes",
        "manifestx",
        "manifest(",
        "manifest()",
        "manifest(format)",
        "manifest(format=)",
        "manifest(=x)",
        "manifest(format=hds)",
        "manifest(format=m3u8-aapl,format=m3u8-cmaf)",
        "manifest(format=m3u8-aapl",
        "manifest(format=m3u8-aapl).mpd",
        "manifest(format=mpd-time-csf).m3u8",
        "manifest.m3u8",
        "manifest(format=m3u8-aapl)x",
        "manifest(format=m3u8-aapl,)",
        "manifest(format=m3u8-aapl(x))",
        "manifest(audio-only=maybe)",
        "manifest(format=fmp4-v20,format=m3u8-aapl)",
        "manifest(format=m3u8-aapl,format=fmp4-v20)",
        "manifest(format=fmp4-v20,format=fmp4-v20)",
        "manifest(format=fmp4-v20).m3u8",
        "manifest(format=m3u8-aapl,type=keyframes)",
        "manifest(format=m3u8-aapl,type=iframes)",
        "QualityLevels(1)/Manifest(video,format=fmp4-v20)",
        "QualityLevels(1)/Manifest(audio,format=m3u8-aapl,type=keyframes)",
        "QualityLevels(1)/Manifest(video,format=m3u8-aapl,type=)",
        "QualityLevels(1)/Fragments(video=1,format=m3u8-aapl,type=keyframes)",
        "QualityLevels()/Manifest(video,format=m3u8-aapl)",
        "QualityLevels(4294967296)/Manifest(video,format=m3u8-aapl)",
        "QualityLevels(12a)/Manifest(video,format=m3u8-aapl)",
        "QualityLevels(1)Manifest(video,format=m3u8-aapl)",
        "QualityLevels(1)/Manifest(video)",
        "QualityLevels(1)/Manifest(video,format=mpd-time-csf)",
        "QualityLevels(1)/Manifest(,format=m3u8-aapl)",
        "QualityLevels(1)/Manifest(vi/deo,format=m3u8-aapl)",
        "QualityLevels(1)/Manifest(video,format=m3u8-aapl).mpd",
        "QualityLevels(1)/Fragments(video=18446744073709551616)",
        "QualityLevels(1)/Fragments(video=)",
        "QualityLevels(1)/Fragments(video)",
        "QualityLevels(1)/Fragments(video=1",
        "QualityLevels(1)/Fragments(video=1x)",
        "QualityLevels(1)/Fragments(video=i)",
        "QualityLevels(1)/Fragments(video=i,format=m3u8-aapl)",
        "QualityLevels(1)/Fragments(video=1,format=m3u8-aapl).m4s",
        "QualityLevels(1)/Fragments(video=1,format=m3u8-aapl).ts.ts",
        "QualityLevels(1)/Fragments(video=1,format=m3u8-aapl).t",
        "QualityLevels(1)/Fragments(video=1,format=m3u8-cmaf).ts",
        "QualityLevels(1)/Fragments(video=1,format=m3u8-cmaf).mp4",
        "QualityLevels(1)/Fragments(video=i,format=m3u8-cmaf).m4s",
        "QualityLevels(1)/Fragments(video=1).ts",
        "QualityLevels(1)/Fragments(video=1).ismv",
        "QualityLevels(1)/Fragments(=1)",
        "QualityLevels(1)/Other(video=1)",
        ("QualityLevels(1)/Fragments(aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1)"),
        /* part=: m3u8-cmaf segments, a decimal index up to 65535, once */
        "QualityLevels(1)/Fragments(video=1,format=m3u8-cmaf,part=)",
        "QualityLevels(1)/Fragments(video=1,format=m3u8-cmaf,part=x)",
        "QualityLevels(1)/Fragments(video=1,format=m3u8-cmaf,part=+1)",
        "QualityLevels(1)/Fragments(video=1,format=m3u8-cmaf,part=1.5)",
        "QualityLevels(1)/Fragments(video=1,format=m3u8-cmaf,part=65536)",
        "QualityLevels(1)/Fragments(video=1,format=m3u8-cmaf,"
        "part=99999999999999999999)",
        "QualityLevels(1)/Fragments(video=1,format=m3u8-cmaf,part=1,part=1)",
        "QualityLevels(1)/Fragments(video=1,format=m3u8-cmaf,part=1).mp4",
        "QualityLevels(1)/Fragments(video=i,format=m3u8-cmaf,part=0)",
        "QualityLevels(1)/Fragments(video=1,format=m3u8-aapl,part=0).ts",
        "QualityLevels(1)/Fragments(video=1,format=mpd-time-cmaf,part=0)",
        "QualityLevels(1)/Fragments(video=1,part=0)",
        "QualityLevels(1)/Manifest(video,format=m3u8-cmaf,part=0)",
        "manifest(format=m3u8-cmaf,part=0)",
    };

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (parse(bad[i], &u) != SLUICE_BAD_REQUEST) {
            fprintf(stderr, "accepted: \"%s\"\n", bad[i]);
            failures++;
        }

        checks++;
    }

    /* an embedded NUL is not a terminator */
    CHECK(sluice_url_parse(&u, (const uint8_t *) "manifest\0", 9, NULL)
          == SLUICE_BAD_REQUEST);
}


int
main(void)
{
    test_manifests();
    test_playlists();
    test_smooth_v20();
    test_fragments();
    test_segment_ext();
    test_parts();
    test_bad();
    test_media_type();

    CHECK(strcmp(sluice_format_name(SLUICE_FORMAT_HLS_TS_V3), "m3u8-aapl-v3")
          == 0);
    CHECK(strcmp(sluice_format_name(99), "") == 0);

    printf("test_url: %d checks, %d failures\n", checks, failures);

    return failures ? 1 : 0;
}
