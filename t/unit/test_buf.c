
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the manifest output buffer: modes, numbers, escaping,
 * dates (checked against the C library's gmtime_r).
 *
 *   cc -Isrc/media t/unit/test_buf.c src/media/sluice_buf.c -o test_buf
 */


#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "media/sluice_buf.h"


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


static uint8_t  mem[256];


static int
is(sluice_buf_t *b, const char *s)
{
    int  ok;

    ok = (b->rc == SLUICE_OK && b->len == strlen(s)
          && memcmp(b->data, s, b->len) == 0);

    if (!ok) {
        fprintf(stderr, "got \"%.*s\", want \"%s\"\n", (int) b->len,
                b->data ? (char *) b->data : "", s);
    }

    b->len = 0;

    return ok;
}


/* a pool: blocks are freed at the end */

static void *
test_alloc(void *ctx, size_t size)
{
    void  **blocks = ctx;
    size_t  i;

    for (i = 0; i < 63 && blocks[i]; i++) { /* void */ }

    return (blocks[i] = malloc(size));
}


static void
test_numbers(void)
{
    sluice_buf_t  b;

    sluice_buf_init(&b, NULL, mem, sizeof(mem));

    sluice_buf_u64(&b, 0);
    CHECK(is(&b, "0"));
    sluice_buf_u64(&b, UINT64_MAX);
    CHECK(is(&b, "18446744073709551615"));
    sluice_buf_i64(&b, INT64_MIN);
    CHECK(is(&b, "-9223372036854775808"));
    sluice_buf_fixed(&b, 2000, 3);
    CHECK(is(&b, "2.000"));
    sluice_buf_fixed(&b, 29970, 3);
    CHECK(is(&b, "29.970"));
    sluice_buf_fixed(&b, 5, 3);
    CHECK(is(&b, "0.005"));
    sluice_buf_fixed(&b, 7, 0);
    CHECK(is(&b, "7"));
    sluice_buf_duration(&b, 60000);
    CHECK(is(&b, "PT60.000S"));
    sluice_buf_hex(&b, (const uint8_t *) "\x00\x1f\xab", 3);
    CHECK(is(&b, "001FAB"));
    sluice_buf_xml(&b, (const uint8_t *) "a<b>&\"c'\x01", 9);
    CHECK(is(&b, "a&lt;b&gt;&amp;&quot;c&apos;"));
}


static void
test_dates(void)
{
    char          want[64];
    size_t        i;
    time_t        t;
    int64_t       ms;
    struct tm     tm;
    sluice_buf_t  b;

    static const int64_t  cases[] = {
        0, 999, 86399999, 951782400000LL, 1709164800123LL,
        4102444799999LL, 1795000000000LL, 253402300799999LL
    };

    sluice_buf_init(&b, NULL, mem, sizeof(mem));

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ms = cases[i];
        t = (time_t) (ms / 1000);
        gmtime_r(&t, &tm);
        snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec, (int) (ms % 1000));

        sluice_buf_utc(&b, ms);
        CHECK(is(&b, want));
    }

    /* every day of 400 years, at noon */
    for (ms = 0; ms < 146097LL * 86400000; ms += 86400000) {
        t = (time_t) (ms / 1000) + 43200;
        gmtime_r(&t, &tm);
        snprintf(want, sizeof(want), "%04d-%02d-%02dT12:00:00.000Z",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);

        sluice_buf_utc(&b, ms + 43200000);

        if (!is(&b, want)) {
            CHECK(0);
            break;
        }
    }
}


static void
test_modes(void)
{
    void          *blocks[64];
    size_t         i;
    sluice_alloc_t alloc;
    sluice_buf_t   b, count, small;

    memset(blocks, 0, sizeof(blocks));
    alloc.alloc = test_alloc;
    alloc.ctx = blocks;

    sluice_buf_init(&count, NULL, NULL, 0);
    sluice_buf_init(&b, &alloc, NULL, 0);
    sluice_buf_init(&small, NULL, mem, 10);

    for (i = 0; i < 1000; i++) {
        sluice_buf_cstr(&count, "0123456789");
        sluice_buf_cstr(&b, "0123456789");
        sluice_buf_cstr(&small, "0123456789");
    }

    CHECK(count.rc == SLUICE_OK && count.len == 10000 && count.data == NULL);
    CHECK(b.rc == SLUICE_OK && b.len == 10000 && b.cap >= 10000);
    CHECK(memcmp(b.data + 9990, "0123456789", 10) == 0);
    CHECK(small.rc == SLUICE_NO_MEMORY && small.len == 10);

    for (i = 0; i < 64 && blocks[i]; i++) {
        free(blocks[i]);
    }
}


int
main(void)
{
    test_numbers();
    test_dates();
    test_modes();

    printf("test_buf: %d checks, %d failures\n", checks, failures);

    return failures ? 1 : 0;
}
