
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the JSON reader/writer, ISO 8601 durations and UUIDs.
 *
 *   cc -Wall -Werror -Isrc/util t/unit/test_json.c src/util/sluice_json.c \
 *       src/util/sluice_iso8601.c src/util/sluice_uuid.c -o test_json
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/sluice_json.h"
#include "util/sluice_iso8601.h"
#include "util/sluice_uuid.h"


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


static void *
test_alloc(void *ctx, size_t size)
{
    void  **list, **m;

    /* chain every block so that the test frees them at exit */
    list = ctx;
    m = malloc(sizeof(void *) + size);
    if (m == NULL) {
        return NULL;
    }

    m[0] = *list;
    *list = m;

    return m + 1;
}


static void        *blocks;
static sluice_alloc_t  alloc = { test_alloc, &blocks };


static sluice_json_t *
parse(const char *s)
{
    sluice_json_t  *v;

    v = NULL;

    if (sluice_json_parse(&alloc, (const uint8_t *) s, strlen(s), &v, NULL,
                          NULL)
        != SLUICE_OK)
    {
        return NULL;
    }

    return v;
}


/* parse then write; compares the output with expect */

static int
roundtrip(const char *in, const char *expect)
{
    size_t          n, m;
    uint8_t        *out;
    sluice_json_t  *v;
    int             ok;

    v = parse(in);
    if (v == NULL) {
        fprintf(stderr, "parse failed: %s\n", in);
        return 0;
    }

    n = sluice_json_write(v, NULL);
    out = malloc(n + 1);
    m = sluice_json_write(v, out);
    out[m] = '\0';

    ok = (n == m && strcmp((char *) out, expect) == 0);
    if (!ok) {
        fprintf(stderr, "got %s expected %s\n", out, expect);
    }

    free(out);

    return ok;
}


static void
test_parse_ok(void)
{
    sluice_json_t  *v, *m;

    CHECK(roundtrip("{}", "{}"));
    CHECK(roundtrip(" [ ] ", "[]"));
    CHECK(roundtrip("{\"a\" : [1, -2.5e3, true, false, null, \"x\"]}",
                    "{\"a\":[1,-2.5e3,true,false,null,\"x\"]}"));
    CHECK(roundtrip("\"\\u00e9\\ud83d\\ude00\\n\\\"\\\\\\/\"",
                    "\"\xc3\xa9\xf0\x9f\x98\x80\\u000a\\\"\\\\/\""));
    CHECK(roundtrip("\"\\u007f\\t\"", "\"\\u007f\\u0009\""));
    CHECK(roundtrip("0", "0"));
    CHECK(roundtrip("\"caf\xc3\xa9\"", "\"caf\xc3\xa9\""));

    v = parse("{\"name\":\"ev1\",\"n\":42,\"o\":{\"b\":true}}");
    CHECK(v != NULL);
    if (v == NULL) {
        return;
    }

    CHECK(v->count == 3);
    CHECK(sluice_json_str_eq(sluice_json_get(v, "name"), "ev1"));
    m = sluice_json_get(v, "n");
    CHECK(m && m->type == SLUICE_JSON_NUMBER && m->number == 42);
    m = sluice_json_get(sluice_json_get(v, "o"), "b");
    CHECK(m && m->type == SLUICE_JSON_BOOL && m->boolean);
    CHECK(sluice_json_get(v, "missing") == NULL);
    CHECK(sluice_json_get(m, "x") == NULL);
}


static void
test_parse_bad(void)
{
    int          i;
    size_t       off;
    const char  *reason;
    sluice_json_t  *v;
    static const char  *bad[] = {
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\"}", "{a:1}",
        "01", "1.", ".5", "-", "1e", "+1", "tru", "nul", "[1 2]",
        "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"",
        "\"\\ud800\\u0041\"", "\"\\u0000\"", "\"a\x01\"", "\"\xc0\xaf\"",
        "\"\xed\xa0\x80\"", "\"\xf5\x80\x80\x80\"", "\"\xe2\x82\"",
        "{\"a\":1,\"a\":2}", "[] []", "{\"a\":1}x", "NaN", "'a'",
        NULL
    };

    for (i = 0; bad[i]; i++) {
        reason = NULL;
        v = NULL;
        CHECK(sluice_json_parse(&alloc, (const uint8_t *) bad[i],
                                strlen(bad[i]), &v, &reason, &off)
              == SLUICE_BAD_REQUEST);
        CHECK(reason != NULL);
    }
}


static void
test_depth(void)
{
    char    buf[400];
    size_t  i;

    for (i = 0; i < 64; i++) {
        buf[i] = '[';
        buf[127 - i] = ']';
    }

    buf[128] = '\0';
    CHECK(parse(buf) != NULL);

    for (i = 0; i < 65; i++) {
        buf[i] = '[';
        buf[129 - i] = ']';
    }

    buf[130] = '\0';
    CHECK(parse(buf) == NULL);
}


static void
test_build(void)
{
    char            out[256];
    size_t          n;
    sluice_json_t  *o, *a;

    o = sluice_json_new(&alloc, SLUICE_JSON_OBJECT);
    CHECK(sluice_json_set(&alloc, o, "a", sluice_json_new_int(&alloc, -7))
          == SLUICE_OK);
    CHECK(sluice_json_set(&alloc, o, "b", sluice_json_new_cstring(&alloc,
                                                          "q\"<\x1f"))
          == SLUICE_OK);
    a = sluice_json_new(&alloc, SLUICE_JSON_ARRAY);
    sluice_json_append(a, sluice_json_new_bool(&alloc, 1));
    sluice_json_append(a, sluice_json_new(&alloc, SLUICE_JSON_NULL));
    CHECK(sluice_json_set(&alloc, o, "c", a) == SLUICE_OK);

    /* replace keeps the place */
    CHECK(sluice_json_set(&alloc, o, "a", sluice_json_new_int(&alloc, 1))
          == SLUICE_OK);

    n = sluice_json_write(o, (uint8_t *) out);
    out[n] = '\0';
    CHECK(n == sluice_json_write(o, NULL));
    CHECK(strcmp(out, "{\"a\":1,\"b\":\"q\\\"<\\u001f\",\"c\":[true,null]}")
          == 0);

    sluice_json_remove(o, "b");
    sluice_json_remove(o, "c");
    CHECK(o->count == 1 && o->last == o->child);
    CHECK(sluice_json_set(&alloc, o, "d", sluice_json_copy(&alloc, a))
          == SLUICE_OK);
    n = sluice_json_write(o, (uint8_t *) out);
    out[n] = '\0';
    CHECK(strcmp(out, "{\"a\":1,\"d\":[true,null]}") == 0);
}


static void
test_duration(void)
{
    char      buf[SLUICE_ISO8601_DURATION_LEN];
    size_t    n;
    uint64_t  ms;

#define DUR(s)  sluice_iso8601_duration_parse((const uint8_t *) s,           \
                                              strlen(s), &ms)

    CHECK(DUR("PT2S") == SLUICE_OK && ms == 2000);
    CHECK(DUR("PT0.5S") == SLUICE_OK && ms == 500);
    CHECK(DUR("PT1.25S") == SLUICE_OK && ms == 1250);
    CHECK(DUR("PT1M30S") == SLUICE_OK && ms == 90000);
    CHECK(DUR("PT1H") == SLUICE_OK && ms == 3600000);
    CHECK(DUR("P1DT1S") == SLUICE_OK && ms == 86401000);
    CHECK(DUR("P1D") == SLUICE_OK && ms == 86400000);
    CHECK(DUR("pt20s") == SLUICE_OK && ms == 20000);
    CHECK(DUR("PT0S") == SLUICE_OK && ms == 0);
    CHECK(DUR("PT") != SLUICE_OK);
    CHECK(DUR("P") != SLUICE_OK);
    CHECK(DUR("2S") != SLUICE_OK);
    CHECK(DUR("PT2") != SLUICE_OK);
    CHECK(DUR("PT2X") != SLUICE_OK);
    CHECK(DUR("PT1S2M") != SLUICE_OK);
    CHECK(DUR("PT1.5M") != SLUICE_OK);
    CHECK(DUR("PT0.0001S") != SLUICE_OK);
    CHECK(DUR("PT-1S") != SLUICE_OK);
    CHECK(DUR("PT99999999999999999999S") != SLUICE_OK);
    CHECK(DUR("PT2S ") != SLUICE_OK);

    n = sluice_iso8601_duration_format(2000, buf);
    CHECK(n == 4 && memcmp(buf, "PT2S", 4) == 0);
    n = sluice_iso8601_duration_format(500, buf);
    CHECK(n == 6 && memcmp(buf, "PT0.5S", 6) == 0);
    n = sluice_iso8601_duration_format(1250, buf);
    CHECK(n == 7 && memcmp(buf, "PT1.25S", 7) == 0);
    n = sluice_iso8601_duration_format(1001, buf);
    CHECK(n == 8 && memcmp(buf, "PT1.001S", 8) == 0);
}


static void
test_time(void)
{
    char  buf[SLUICE_ISO8601_TIME_LEN];

    sluice_iso8601_time_format(0, 0, buf);
    CHECK(strcmp(buf, "1970-01-01T00:00:00.000Z") == 0);
    sluice_iso8601_time_format(951782400 + 86399, 7, buf);
    CHECK(strcmp(buf, "2000-02-29T23:59:59.007Z") == 0);
    sluice_iso8601_time_format(1795556790LL, 123, buf);
    CHECK(strcmp(buf, "2026-11-24T21:46:30.123Z") == 0);
}


static void
test_uuid(void)
{
    char     out[SLUICE_UUID_LEN + 1];
    uint8_t  rnd[16];

    memset(rnd, 0xff, sizeof(rnd));
    sluice_uuid_format(rnd, out);
    out[SLUICE_UUID_LEN] = '\0';
    CHECK(strcmp(out, "ffffffff-ffff-4fff-bfff-ffffffffffff") == 0);
    CHECK(sluice_uuid_valid((uint8_t *) out, SLUICE_UUID_LEN));
    CHECK(sluice_uuid_valid((uint8_t *) "C91726B4-880c-4090-94aa-e6ddb1384b37",
                            36));
    CHECK(!sluice_uuid_valid((uint8_t *) "c91726b4-880c-4090-94aa-e6ddb1384b3",
                             35));
    CHECK(!sluice_uuid_valid((uint8_t *) "c91726b4x880c-4090-94aa-e6ddb1384b37",
                             36));
    CHECK(!sluice_uuid_valid((uint8_t *) "g91726b4-880c-4090-94aa-e6ddb1384b37",
                             36));

    memset(rnd, 0xa5, sizeof(rnd));
    sluice_hex_format(rnd, 2, out);
    CHECK(memcmp(out, "a5a5", 4) == 0);
}


int
main(void)
{
    void  *b, *next;

    test_parse_ok();
    test_parse_bad();
    test_depth();
    test_build();
    test_duration();
    test_time();
    test_uuid();

    for (b = blocks; b; b = next) {
        next = *(void **) b;
        free(b);
    }

    printf("%d checks, %d failures\n", checks, failures);

    return failures ? 1 : 0;
}
