
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * A tiny unit-test framework for t/unit/test_*.c.
 *
 *   #include "sluice_test.h"
 *
 *   static void
 *   test_something(void)
 *   {
 *       SL_CHECK(1 + 1 == 2);
 *       SL_CHECK_EQ(sluice_foo(), 42);             integers, printed signed
 *       SL_CHECK_UEQ(len, (size_t) 7);             unsigned, printed unsigned
 *       SL_CHECK_STR_EQ(name, "video");            NUL-terminated strings
 *       SL_CHECK_MEM_EQ(buf, expected, 16);        bytes, first difference shown
 *       SL_CHECK_OK(sluice_parse(...));            == SLUICE_OK (0)
 *   }
 *
 *   int
 *   main(void)
 *   {
 *       SL_RUN(test_something);
 *       return SL_DONE();                          prints "N passed, N failed"
 *   }
 *
 * ./build.sh unit builds every t/unit/test_NAME.c against all the sources
 * of src/media and src/util and fails when a binary exits non-zero or
 * reports a failure on its last line; SL_DONE() returns 1
 * when any check failed.  Checks go on after a failure (no abort), so one
 * run reports every failing check with file and line on stderr.
 */


#ifndef SLUICE_TEST_H
#define SLUICE_TEST_H


#include <stdint.h>
#include <stdio.h>
#include <string.h>


static unsigned long  sl_test_passed;
static unsigned long  sl_test_failed;
static const char    *sl_test_current = "";


#define SL_FAIL_(fmt, ...)                                                    \
    do {                                                                      \
        sl_test_failed++;                                                     \
        fprintf(stderr, "%s:%d: %s: " fmt "\n", __FILE__, __LINE__,           \
                sl_test_current, __VA_ARGS__);                                \
    } while (0)


#define SL_CHECK(cond)                                                        \
    do {                                                                      \
        if (cond) {                                                           \
            sl_test_passed++;                                                 \
        } else {                                                              \
            SL_FAIL_("check failed: %s", #cond);                              \
        }                                                                     \
    } while (0)


#define SL_CHECK_EQ(a, b)                                                     \
    do {                                                                      \
        long long  sl_a_ = (long long) (a), sl_b_ = (long long) (b);          \
                                                                              \
        if (sl_a_ == sl_b_) {                                                 \
            sl_test_passed++;                                                 \
        } else {                                                              \
            SL_FAIL_("%s == %s: %lld != %lld", #a, #b, sl_a_, sl_b_);         \
        }                                                                     \
    } while (0)


#define SL_CHECK_UEQ(a, b)                                                    \
    do {                                                                      \
        unsigned long long  sl_a_ = (unsigned long long) (a);                 \
        unsigned long long  sl_b_ = (unsigned long long) (b);                 \
                                                                              \
        if (sl_a_ == sl_b_) {                                                 \
            sl_test_passed++;                                                 \
        } else {                                                              \
            SL_FAIL_("%s == %s: %llu != %llu", #a, #b, sl_a_, sl_b_);         \
        }                                                                     \
    } while (0)


#define SL_CHECK_OK(expr)  SL_CHECK_EQ((expr), 0)


#define SL_CHECK_STR_EQ(a, b)                                                 \
    do {                                                                      \
        const char  *sl_a_ = (a), *sl_b_ = (b);                               \
                                                                              \
        if (sl_a_ != NULL && sl_b_ != NULL && strcmp(sl_a_, sl_b_) == 0) {    \
            sl_test_passed++;                                                 \
        } else {                                                              \
            SL_FAIL_("%s == %s: \"%s\" != \"%s\"", #a, #b,                    \
                     sl_a_ ? sl_a_ : "(null)", sl_b_ ? sl_b_ : "(null)");     \
        }                                                                     \
    } while (0)


#define SL_CHECK_MEM_EQ(a, b, n)                                              \
    do {                                                                      \
        const uint8_t  *sl_a_ = (const uint8_t *) (a);                        \
        const uint8_t  *sl_b_ = (const uint8_t *) (b);                        \
        size_t          sl_n_ = (n), sl_i_;                                   \
                                                                              \
        for (sl_i_ = 0; sl_i_ < sl_n_; sl_i_++) {                             \
            if (sl_a_[sl_i_] != sl_b_[sl_i_]) {                               \
                break;                                                        \
            }                                                                 \
        }                                                                     \
                                                                              \
        if (sl_i_ == sl_n_) {                                                 \
            sl_test_passed++;                                                 \
        } else {                                                              \
            SL_FAIL_("%s == %s: byte %zu differs: %02x != %02x", #a, #b,      \
                     sl_i_, sl_a_[sl_i_], sl_b_[sl_i_]);                      \
        }                                                                     \
    } while (0)


#define SL_RUN(fn)                                                            \
    do {                                                                      \
        sl_test_current = #fn;                                                \
        fn();                                                                 \
        sl_test_current = "";                                                 \
    } while (0)


#define SL_DONE()                                                             \
    (printf("%lu passed, %lu failed\n", sl_test_passed, sl_test_failed),      \
     fflush(stdout), sl_test_failed ? 1 : 0)


#endif /* SLUICE_TEST_H */
