
/*
 * Copyright (C) 2026, The Sluice authors.
 */


#include "media/sluice_lang.h"


#define sluice_lang_alpha(c)                                                  \
    (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))
#define sluice_lang_digit(c)  ((c) >= '0' && (c) <= '9')


int
sluice_lang_valid(const uint8_t *p, size_t len)
{
    size_t  i, n;

    if (len == 0 || len >= SLUICE_MAX_LANG) {
        return 0;
    }

    /* the primary language subtag: 2 or 3 letters */

    for (i = 0; i < len && p[i] != '-'; i++) {
        if (!sluice_lang_alpha(p[i])) {
            return 0;
        }
    }

    if (i < 2 || i > 3) {
        return 0;
    }

    /* then "-" and 1 to 8 letters or digits, any number of times */

    while (i < len) {
        i++;                                    /* the '-' */
        n = 0;

        while (i < len && p[i] != '-') {
            if (!sluice_lang_alpha(p[i]) && !sluice_lang_digit(p[i])) {
                return 0;
            }

            i++;
            n++;
        }

        if (n < 1 || n > 8) {
            return 0;
        }
    }

    return 1;
}
