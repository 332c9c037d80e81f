
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the language tag check (ingest metadata).
 */


#include "media/sluice_lang.h"
#include "sluice_test.h"


static int
valid(const char *s)
{
    return sluice_lang_valid((const uint8_t *) s, strlen(s));
}


static void
test_valid(void)
{
    SL_CHECK(valid("fr"));
    SL_CHECK(valid("fra"));
    SL_CHECK(valid("ENG"));
    SL_CHECK(valid("en-US"));
    SL_CHECK(valid("es-419"));
    SL_CHECK(valid("zh-Hant-TW"));
    SL_CHECK(valid("de-CH-1901"));
    SL_CHECK(valid("sl-rozaj-biske"));          /* 14 bytes */
    SL_CHECK(valid("en-abcdefgh"));             /* an 8-character subtag */
}


static void
test_invalid(void)
{
    SL_CHECK(!valid(""));
    SL_CHECK(!valid("f"));
    SL_CHECK(!valid("fren"));                   /* 4 letters */
    SL_CHECK(!valid("english"));
    SL_CHECK(!valid("12"));
    SL_CHECK(!valid("fr-"));
    SL_CHECK(!valid("-fr"));
    SL_CHECK(!valid("fr--CA"));
    SL_CHECK(!valid("en-abcdefghi"));           /* a 9-character subtag */
    SL_CHECK(!valid("en_US"));
    SL_CHECK(!valid("en US"));
    SL_CHECK(!valid("fr\""));
    SL_CHECK(!valid("x-klingon"));
    SL_CHECK(!valid("zh-Hant-TW-abcde"));       /* 16 bytes: too long */

    /* a NUL inside: the length counts, not the C string */
    SL_CHECK(!sluice_lang_valid((const uint8_t *) "fr\0", 3));
    SL_CHECK(sluice_lang_valid((const uint8_t *) "fra", 2));
}


int
main(void)
{
    SL_RUN(test_valid);
    SL_RUN(test_invalid);

    return SL_DONE();
}
