
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of src/media/manifest/sluice_filter.c: the AMS filter
 * properties parsed (the example of the AMS specification, int64 values
 * exactly, every refusal), track selections (OR of ANDs, each property
 * and operation), and filters applied to a presentation: trims at
 * fragment boundaries, live window and backoff, several filters
 * intersecting, firstQuality, a forced end, discontinuities counted.
 */


#include <stdlib.h>

#include "media/manifest/sluice_filter.h"
#include "sluice_test.h"


#define CHECK(cond)  SL_CHECK(cond)


static void *
test_alloc(void *ctx, size_t size)
{
    void  **list, **m;

    list = ctx;
    m = malloc(sizeof(void *) + size);
    if (m == NULL) {
        return NULL;
    }

    m[0] = *list;
    *list = m;

    return m + 1;
}


static void            *blocks;
static sluice_alloc_t   alloc = { test_alloc, &blocks };


static sluice_status_t
parse(const char *json, sluice_filter_t *f, const char **reason)
{
    sluice_json_t  *v;

    *reason = NULL;

    if (sluice_json_parse(&alloc, (const uint8_t *) json, strlen(json), &v,
                          NULL, NULL)
        != SLUICE_OK)
    {
        return SLUICE_ERROR;
    }

    return sluice_filter_parse(&alloc, v, f, reason);
}


/* the AMS example (accountFilters-create.json) */

static void
test_parse_example(void)
{
    const char       *reason;
    sluice_filter_t   f;

    CHECK(parse("{\"presentationTimeRange\":{\"startTimestamp\":0,"
                "\"endTimestamp\":170000000,"
                "\"presentationWindowDuration\":9223372036854774806,"
                "\"liveBackoffDuration\":0,\"timescale\":10000000,"
                "\"forceEndTimestamp\":false},"
                "\"firstQuality\":{\"bitrate\":128000},"
                "\"tracks\":[{\"trackSelections\":["
                "{\"property\":\"Type\",\"operation\":\"Equal\","
                "\"value\":\"Audio\"},"
                "{\"property\":\"Language\",\"operation\":\"NotEqual\","
                "\"value\":\"en\"},"
                "{\"property\":\"FourCC\",\"operation\":\"NotEqual\","
                "\"value\":\"EC-3\"}]},"
                "{\"trackSelections\":["
                "{\"property\":\"Type\",\"operation\":\"Equal\","
                "\"value\":\"Video\"},"
                "{\"property\":\"Bitrate\",\"operation\":\"Equal\","
                "\"value\":\"3000000-5000000\"}]}]}", &f, &reason)
          == SLUICE_OK);

    CHECK(f.has_start && f.start == 0);
    CHECK(f.has_end && f.end == 170000000);
    CHECK(f.has_window && f.window == 9223372036854774806ULL);
    CHECK(f.has_backoff && f.backoff == 0);
    CHECK(f.timescale == 10000000 && !f.force_end);
    CHECK(f.first_quality == 128000);
    CHECK(f.nsels == 2);
    CHECK(f.sels[0].nconds == 3 && f.sels[1].nconds == 2);
    CHECK(f.sels[0].conds[0].property == SLUICE_FILTER_TYPE
          && f.sels[0].conds[0].media == SLUICE_MEDIA_AUDIO
          && !f.sels[0].conds[0].not_equal);
    CHECK(f.sels[0].conds[1].property == SLUICE_FILTER_LANGUAGE
          && f.sels[0].conds[1].not_equal);
    CHECK(f.sels[1].conds[1].property == SLUICE_FILTER_BITRATE
          && f.sels[1].conds[1].lo == 3000000
          && f.sels[1].conds[1].hi == 5000000);

    /* nothing at all, null, an empty object: every track, all the time */
    CHECK(sluice_filter_parse(&alloc, NULL, &f, &reason) == SLUICE_OK
          && f.nsels == 0 && !f.has_start && f.timescale == 10000000);
    CHECK(parse("null", &f, &reason) == SLUICE_OK && f.nsels == 0);
    CHECK(parse("{}", &f, &reason) == SLUICE_OK && f.nsels == 0);
    CHECK(parse("{\"tracks\":[],\"presentationTimeRange\":null}", &f,
                &reason) == SLUICE_OK && f.nsels == 0);
    CHECK(parse("{\"tracks\":[{\"trackSelections\":[{\"property\":"
                "\"bitrate\",\"operation\":\"notequal\",\"value\":"
                "\"800000\"}]}]}", &f, &reason) == SLUICE_OK
          && f.sels[0].conds[0].lo == 800000
          && f.sels[0].conds[0].hi == 800000
          && f.sels[0].conds[0].not_equal);
}


static void
test_parse_refusals(void)
{
    size_t            i;
    const char       *reason;
    sluice_filter_t   f;

    static const char  *bad[] = {
        "[]",
        "{\"presentationTimeRange\":1}",
        "{\"presentationTimeRange\":{\"startTimestamp\":-1}}",
        "{\"presentationTimeRange\":{\"startTimestamp\":1.5}}",
        "{\"presentationTimeRange\":{\"startTimestamp\":1e3}}",
        "{\"presentationTimeRange\":{\"startTimestamp\":\"10\"}}",
        "{\"presentationTimeRange\":{\"startTimestamp\":"
            "9223372036854775808}}",
        "{\"presentationTimeRange\":{\"timescale\":0}}",
        "{\"presentationTimeRange\":{\"presentationWindowDuration\":"
            "599999999}}",
        "{\"presentationTimeRange\":{\"presentationWindowDuration\":59,"
            "\"timescale\":1}}",
        "{\"presentationTimeRange\":{\"liveBackoffDuration\":3000000001}}",
        "{\"presentationTimeRange\":{\"liveBackoffDuration\":301,"
            "\"timescale\":1}}",
        "{\"presentationTimeRange\":{\"startTimestamp\":10,"
            "\"endTimestamp\":10}}",
        "{\"presentationTimeRange\":{\"startTimestamp\":10,"
            "\"endTimestamp\":9}}",
        "{\"presentationTimeRange\":{\"forceEndTimestamp\":true}}",
        "{\"presentationTimeRange\":{\"forceEndTimestamp\":1,"
            "\"endTimestamp\":9}}",
        "{\"firstQuality\":{}}",
        "{\"firstQuality\":{\"bitrate\":0}}",
        "{\"firstQuality\":{\"bitrate\":2147483648}}",
        "{\"firstQuality\":128000}",
        "{\"tracks\":{}}",
        "{\"tracks\":[1]}",
        "{\"tracks\":[{}]}",
        "{\"tracks\":[{\"trackSelections\":{}}]}",
        "{\"tracks\":[{\"trackSelections\":[{\"property\":\"Codec\","
            "\"operation\":\"Equal\",\"value\":\"avc1\"}]}]}",
        "{\"tracks\":[{\"trackSelections\":[{\"property\":\"Unknown\","
            "\"operation\":\"Equal\",\"value\":\"x\"}]}]}",
        "{\"tracks\":[{\"trackSelections\":[{\"property\":\"Type\","
            "\"operation\":\"GreaterThan\",\"value\":\"Video\"}]}]}",
        "{\"tracks\":[{\"trackSelections\":[{\"property\":\"Type\","
            "\"operation\":\"Equal\",\"value\":\"Subtitles\"}]}]}",
        "{\"tracks\":[{\"trackSelections\":[{\"property\":\"Type\","
            "\"operation\":\"Equal\"}]}]}",
        "{\"tracks\":[{\"trackSelections\":[{\"property\":\"Name\","
            "\"operation\":\"Equal\",\"value\":\"\"}]}]}",
        "{\"tracks\":[{\"trackSelections\":[{\"property\":\"Name\","
            "\"operation\":\"Equal\",\"value\":3}]}]}",
        "{\"tracks\":[{\"trackSelections\":[{\"property\":\"Bitrate\","
            "\"operation\":\"Equal\",\"value\":\"2000-1000\"}]}]}",
        "{\"tracks\":[{\"trackSelections\":[{\"property\":\"Bitrate\","
            "\"operation\":\"Equal\",\"value\":\"-1000\"}]}]}",
        "{\"tracks\":[{\"trackSelections\":[{\"property\":\"Bitrate\","
            "\"operation\":\"Equal\",\"value\":\"1000-\"}]}]}",
        "{\"tracks\":[{\"trackSelections\":[{\"property\":\"Bitrate\","
            "\"operation\":\"Equal\",\"value\":\"1k\"}]}]}",
        "{\"tracks\":[{\"trackSelections\":[{\"property\":\"Bitrate\","
            "\"operation\":\"Equal\",\"value\":\"1-2-3\"}]}]}",
        "{\"tracks\":[{\"trackSelections\":[{\"property\":\"Bitrate\","
            "\"operation\":\"Equal\",\"value\":\"\"}]}]}",
    };

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (parse(bad[i], &f, &reason) != SLUICE_BAD_REQUEST
            || reason == NULL || strncmp(reason, "properties", 10) != 0)
        {
            SL_FAIL_("accepted or no reason: %s", bad[i]);

        } else {
            sl_test_passed++;
        }
    }

    /* the limits themselves are accepted */
    CHECK(parse("{\"presentationTimeRange\":{\"presentationWindowDuration\":"
                "600000000,\"liveBackoffDuration\":3000000000}}", &f,
                &reason) == SLUICE_OK);
    CHECK(parse("{\"presentationTimeRange\":{\"endTimestamp\":9,"
                "\"forceEndTimestamp\":true}}", &f, &reason) == SLUICE_OK
          && f.force_end && f.has_end && !f.has_start);
}


/* --- a presentation: two video, two audio tracks, 2 s fragments --------- */

#define NFRAGS  30

static sluice_track_info_t  vinfo[2], ainfo[2];
static sluice_pfrag_t       vfrags[NFRAGS], afrags[NFRAGS];
static sluice_ptrack_t      ptracks[4];


static void
make_presentation(sluice_presentation_t *p, int live)
{
    uint32_t  i;

    memset(vinfo, 0, sizeof(vinfo));
    memset(ainfo, 0, sizeof(ainfo));
    memset(ptracks, 0, sizeof(ptracks));

    for (i = 0; i < 2; i++) {
        vinfo[i].media_type = SLUICE_MEDIA_VIDEO;
        vinfo[i].timescale = 90000;
        strcpy(vinfo[i].codec_string, i ? "hvc1.1.6.L93.B0" : "avc1.4d401f");
        ainfo[i].media_type = SLUICE_MEDIA_AUDIO;
        ainfo[i].timescale = 48000;
        strcpy(ainfo[i].codec_string, "mp4a.40.2");
    }

    for (i = 0; i < NFRAGS; i++) {
        vfrags[i].time = (uint64_t) i * 180000;
        vfrags[i].duration = 180000;
        vfrags[i].seq = i;
        vfrags[i].flags = 0;
        afrags[i].time = (uint64_t) i * 96000;
        afrags[i].duration = 96000;
        afrags[i].seq = i;
        afrags[i].flags = 0;
    }

    ptracks[0].info = &vinfo[0];
    ptracks[0].bitrate = 3500000;
    ptracks[1].info = &vinfo[1];
    ptracks[1].bitrate = 800000;
    ptracks[2].info = &ainfo[0];
    ptracks[2].bitrate = 128000;
    ptracks[3].info = &ainfo[1];
    ptracks[3].bitrate = 96000;

    for (i = 0; i < 4; i++) {
        ptracks[i].name.data = (const uint8_t *) (i < 2 ? "video" : "audio");
        ptracks[i].name.len = 5;
        ptracks[i].lang.data = (const uint8_t *) (i == 3 ? "fr" : "en");
        ptracks[i].lang.len = 2;
        ptracks[i].frags = i < 2 ? vfrags : afrags;
        ptracks[i].nfrags = NFRAGS;
    }

    memset(p, 0, sizeof(sluice_presentation_t));
    p->tracks = ptracks;
    p->ntracks = 4;
    p->live = live ? 1 : 0;
    p->ended = live ? 0 : 1;
    p->window_ms = live ? 60000 : 0;
}


/* the tracks of p by their bitrates, e.g. "3500000,128000" */

static const char *
bitrates(const sluice_presentation_t *p)
{
    uint32_t     i;
    static char  s[128];

    s[0] = '\0';

    for (i = 0; i < p->ntracks; i++) {
        sprintf(s + strlen(s), "%s%u", i ? "," : "",
                (unsigned) p->tracks[i].bitrate);
    }

    return s;
}


static sluice_status_t
apply(sluice_presentation_t *p, const char **json, uint32_t n)
{
    uint32_t          i;
    const char       *reason;
    sluice_filter_t   f[SLUICE_FILTER_MAX_PER_URL];

    for (i = 0; i < n; i++) {
        if (parse(json[i], &f[i], &reason) != SLUICE_OK) {
            SL_FAIL_("bad filter: %s", json[i]);
            return SLUICE_ERROR;
        }
    }

    return sluice_filter_apply(&alloc, p, f, n);
}


#define SEL(c)  "{\"tracks\":[{\"trackSelections\":[" c "]}]}"
#define COND(p, o, v)                                                        \
    "{\"property\":\"" p "\",\"operation\":\"" o "\",\"value\":\"" v "\"}"


static void
test_tracks(void)
{
    sluice_presentation_t  p;
    const char            *j[3];

    static const struct {
        const char  *json;
        const char  *want;
    } cases[] = {
        { SEL(COND("Type", "Equal", "video")), "3500000,800000" },
        { SEL(COND("Type", "NotEqual", "Video")), "128000,96000" },
        { SEL(COND("Type", "Equal", "Text")), "" },
        { SEL(COND("Bitrate", "Equal", "0-1000000")),
          "800000,128000,96000" },
        { SEL(COND("Bitrate", "NotEqual", "800000")),
          "3500000,128000,96000" },
        { SEL(COND("Language", "Equal", "FR")), "96000" },
        { SEL(COND("Language", "NotEqual", "en")), "96000" },
        { SEL(COND("FourCC", "Equal", "HVC1")), "800000" },
        { SEL(COND("FourCC", "NotEqual", "mp4a")), "3500000,800000" },
        { SEL(COND("Name", "Equal", "audio")), "128000,96000" },
        /* AND within a selection */
        { SEL(COND("Type", "Equal", "Audio") ","
              COND("Language", "NotEqual", "en")), "96000" },
        /* OR between selections: the AMS example's shape */
        { "{\"tracks\":[{\"trackSelections\":["
              COND("Type", "Equal", "Audio") ","
              COND("Language", "Equal", "en") "]},"
          "{\"trackSelections\":["
              COND("Type", "Equal", "Video") ","
              COND("Bitrate", "Equal", "3000000-5000000") "]}]}",
          "3500000,128000" },
    };

    size_t  i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        make_presentation(&p, 0);
        j[0] = cases[i].json;

        if (cases[i].want[0] == '\0') {
            CHECK(apply(&p, j, 1) == SLUICE_NOT_FOUND);
            continue;
        }

        CHECK(apply(&p, j, 1) == SLUICE_OK);

        if (strcmp(bitrates(&p), cases[i].want) != 0) {
            SL_FAIL_("case %u: %s, want %s", (unsigned) i, bitrates(&p),
                     cases[i].want);

        } else {
            sl_test_passed++;
        }
    }

    /* several filters intersect */
    make_presentation(&p, 0);
    j[0] = SEL(COND("Bitrate", "Equal", "100000-4000000"));
    j[1] = SEL(COND("Type", "Equal", "Audio"));
    CHECK(apply(&p, j, 2) == SLUICE_OK);
    CHECK(strcmp(bitrates(&p), "128000") == 0);

    make_presentation(&p, 0);
    j[2] = SEL(COND("Type", "Equal", "Video"));
    CHECK(apply(&p, j, 3) == SLUICE_NOT_FOUND);
    CHECK(p.ntracks == 4 && p.tracks == ptracks);

    /* the track test alone, for segment requests */
    make_presentation(&p, 0);
    {
        const char       *reason;
        sluice_filter_t   f;

        CHECK(parse(SEL(COND("Type", "Equal", "Video")), &f, &reason)
              == SLUICE_OK);
        CHECK(sluice_filter_track(&f, &ptracks[0]));
        CHECK(!sluice_filter_track(&f, &ptracks[2]));
    }
}


static void
test_first_quality(void)
{
    sluice_presentation_t  p;
    const char            *j[2];

    make_presentation(&p, 0);
    j[0] = "{\"firstQuality\":{\"bitrate\":800000}}";
    CHECK(apply(&p, j, 1) == SLUICE_OK);
    CHECK(strcmp(bitrates(&p), "800000,3500000,128000,96000") == 0);

    /* the nearest; the last filter's wins */
    make_presentation(&p, 0);
    j[0] = "{\"firstQuality\":{\"bitrate\":800000}}";
    j[1] = "{\"firstQuality\":{\"bitrate\":3000000}}";
    CHECK(apply(&p, j, 2) == SLUICE_OK);
    CHECK(strcmp(bitrates(&p), "3500000,800000,128000,96000") == 0);

    /* the fragments are untouched */
    CHECK(p.tracks[0].nfrags == NFRAGS && p.tracks[0].frags == vfrags);
}


static void
test_time_archive(void)
{
    sluice_presentation_t  p;
    const char            *j[2];

    /* 10 s to 20 s at 10 MHz: video fragments 5 to 9 */
    make_presentation(&p, 0);
    j[0] = "{\"presentationTimeRange\":{\"startTimestamp\":100000000,"
           "\"endTimestamp\":200000000}}";
    CHECK(apply(&p, j, 1) == SLUICE_OK);
    CHECK(p.tracks[0].frags == vfrags + 5 && p.tracks[0].nfrags == 5);
    CHECK(p.tracks[2].frags == afrags + 5 && p.tracks[2].nfrags == 5);

    /* across boundaries (ms timescale): the fragments stay whole */
    make_presentation(&p, 0);
    j[0] = "{\"presentationTimeRange\":{\"startTimestamp\":11000,"
           "\"endTimestamp\":19000,\"timescale\":1000}}";
    CHECK(apply(&p, j, 1) == SLUICE_OK);
    CHECK(p.tracks[0].frags == vfrags + 5 && p.tracks[0].nfrags == 5);

    /* two filters: the latest start, the earliest end */
    make_presentation(&p, 0);
    j[0] = "{\"presentationTimeRange\":{\"startTimestamp\":4,"
           "\"timescale\":1}}";
    j[1] = "{\"presentationTimeRange\":{\"startTimestamp\":2,"
           "\"endTimestamp\":12,\"timescale\":1}}";
    CHECK(apply(&p, j, 2) == SLUICE_OK);
    CHECK(p.tracks[0].frags == vfrags + 2 && p.tracks[0].nfrags == 4);

    /* window and backoff do nothing to an archive */
    make_presentation(&p, 0);
    j[0] = "{\"presentationTimeRange\":{\"presentationWindowDuration\":60,"
           "\"liveBackoffDuration\":10,\"timescale\":1}}";
    CHECK(apply(&p, j, 1) == SLUICE_OK);
    CHECK(p.tracks[0].nfrags == NFRAGS);

    /* a range past the media: nothing left */
    make_presentation(&p, 0);
    j[0] = "{\"presentationTimeRange\":{\"startTimestamp\":600,"
           "\"timescale\":1}}";
    CHECK(apply(&p, j, 1) == SLUICE_NOT_FOUND);
}


static void
test_time_live(void)
{
    sluice_presentation_t  p;
    const char            *j[2];

    /* 60 s window of a 60 s live media: all */
    make_presentation(&p, 1);
    j[0] = "{\"presentationTimeRange\":{\"presentationWindowDuration\":"
           "600000000}}";
    CHECK(apply(&p, j, 1) == SLUICE_OK);
    CHECK(p.tracks[0].nfrags == NFRAGS && p.window_ms == 60000);

    /* backoff 10 s: 5 fragments held back; window 60 s from there */
    make_presentation(&p, 1);
    j[0] = "{\"presentationTimeRange\":{\"liveBackoffDuration\":10,"
           "\"timescale\":1}}";
    CHECK(apply(&p, j, 1) == SLUICE_OK);
    CHECK(p.tracks[0].frags == vfrags && p.tracks[0].nfrags == NFRAGS - 5);
    CHECK(p.tracks[3].nfrags == NFRAGS - 5);

    /* backoff 5 s (not on a boundary): 3 fragments held back */
    make_presentation(&p, 1);
    j[0] = "{\"presentationTimeRange\":{\"liveBackoffDuration\":5,"
           "\"timescale\":1}}";
    CHECK(apply(&p, j, 1) == SLUICE_OK);
    CHECK(p.tracks[0].nfrags == NFRAGS - 3);

    /* a 30 s media, window 60 s, backoff 20 s: the longest backoff, the
     * shortest window */
    make_presentation(&p, 1);
    p.window_ms = 0;
    j[0] = "{\"presentationTimeRange\":{\"liveBackoffDuration\":20,"
           "\"presentationWindowDuration\":90,\"timescale\":1}}";
    j[1] = "{\"presentationTimeRange\":{\"liveBackoffDuration\":4,"
           "\"presentationWindowDuration\":60,\"timescale\":1}}";
    CHECK(apply(&p, j, 2) == SLUICE_OK);
    /* held back to 40 s (fragments 0-19), 60 s back from there: all */
    CHECK(p.tracks[0].frags == vfrags && p.tracks[0].nfrags == 20);
    CHECK(p.window_ms == 60000);

    /* the end is ignored live, unless forced */
    make_presentation(&p, 1);
    j[0] = "{\"presentationTimeRange\":{\"endTimestamp\":20,"
           "\"timescale\":1}}";
    CHECK(apply(&p, j, 1) == SLUICE_OK);
    CHECK(p.tracks[0].nfrags == NFRAGS && p.live && !p.ended);

    make_presentation(&p, 1);
    j[0] = "{\"presentationTimeRange\":{\"endTimestamp\":20,"
           "\"forceEndTimestamp\":true,\"timescale\":1}}";
    CHECK(apply(&p, j, 1) == SLUICE_OK);
    CHECK(p.tracks[0].nfrags == 10 && !p.live && p.ended);

    /* forced, not reached yet: still live */
    make_presentation(&p, 1);
    j[0] = "{\"presentationTimeRange\":{\"endTimestamp\":100,"
           "\"forceEndTimestamp\":true,\"timescale\":1}}";
    CHECK(apply(&p, j, 1) == SLUICE_OK);
    CHECK(p.tracks[0].nfrags == NFRAGS && p.live && !p.ended);
}


static void
test_discontinuities(void)
{
    sluice_presentation_t  p;
    const char            *j[1];

    /* discontinuities before fragments 3 (at 6 s) and 8 (at 16 s) */
    make_presentation(&p, 0);
    vfrags[3].flags = SLUICE_PFRAG_DISCONTINUITY;
    vfrags[8].flags = SLUICE_PFRAG_DISCONTINUITY;
    ptracks[0].discontinuities_before = 2;

    /* from 10 s: fragment 5 on, one discontinuity left the window */
    j[0] = "{\"presentationTimeRange\":{\"startTimestamp\":10,"
           "\"timescale\":1}}";
    CHECK(apply(&p, j, 1) == SLUICE_OK);
    CHECK(p.tracks[0].frags == vfrags + 5);
    CHECK(p.tracks[0].discontinuities_before == 3);
    CHECK(p.tracks[0].period_start == 6 * 90000);

    /* from 17 s: fragment 8 first, its own discontinuity not counted */
    make_presentation(&p, 0);
    vfrags[3].flags = SLUICE_PFRAG_DISCONTINUITY;
    vfrags[8].flags = SLUICE_PFRAG_DISCONTINUITY;
    j[0] = "{\"presentationTimeRange\":{\"startTimestamp\":17,"
           "\"timescale\":1}}";
    CHECK(apply(&p, j, 1) == SLUICE_OK);
    CHECK(p.tracks[0].frags == vfrags + 8);
    CHECK(p.tracks[0].discontinuities_before == 1);
    CHECK(p.tracks[0].period_start == 16 * 90000);
}


int
main(void)
{
    SL_RUN(test_parse_example);
    SL_RUN(test_parse_refusals);
    SL_RUN(test_tracks);
    SL_RUN(test_first_quality);
    SL_RUN(test_time_archive);
    SL_RUN(test_time_live);
    SL_RUN(test_discontinuities);

    return SL_DONE();
}
