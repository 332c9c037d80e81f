
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Self-test of sluice_test.h: failing checks are counted as failures (and
 * reported on stderr, expected here), passing ones as passes.
 */


#include "sluice_test.h"


static void
test_failures_are_counted(void)
{
    unsigned long  passed, failed;
    uint8_t        a[3] = { 1, 2, 3 }, b[3] = { 1, 2, 4 };

    passed = sl_test_passed;
    failed = sl_test_failed;

    fprintf(stderr, "# the next 6 failures are expected\n");

    SL_CHECK(1 == 2);
    SL_CHECK_EQ(-1, 1);
    SL_CHECK_UEQ(3u, 4u);
    SL_CHECK_STR_EQ("a", "b");
    SL_CHECK_STR_EQ("a", NULL);
    SL_CHECK_MEM_EQ(a, b, 3);

    SL_CHECK(2 == 2);
    SL_CHECK_EQ(-1, -1);
    SL_CHECK_UEQ(4u, 4u);
    SL_CHECK_STR_EQ("ab", "ab");
    SL_CHECK_MEM_EQ(a, b, 2);
    SL_CHECK_OK(0);

    failed = sl_test_failed - failed;
    passed = sl_test_passed - passed;

    /* undo the deliberate failures, then check the counts */
    sl_test_failed -= failed;
    sl_test_passed -= passed;

    SL_CHECK_UEQ(failed, 6);
    SL_CHECK_UEQ(passed, 6);
}


int
main(void)
{
    SL_RUN(test_failures_are_counted);

    return SL_DONE();
}
