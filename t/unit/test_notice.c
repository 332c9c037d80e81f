
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the Event Grid and CloudEvents batches (sluice_notice.c):
 * the counted length is the written one, the batch parses as JSON with
 * every envelope member, data is copied as written, strings are escaped,
 * ids are stable and distinct.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/sluice_json.h"
#include "util/sluice_notice.h"


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


#define S(s)  { (const uint8_t *) (s), sizeof(s) - 1 }


static sluice_notice_t  evs[2] = {
    { S("00000000-0000-0000-0000-000000000001"),
      S("Microsoft.Media.LiveEventEncoderConnected"), S("liveEvent/le1"),
      S("2026-01-02T03:04:05.678Z"),
      S("{\"streamId\":\"s1\",\"encoderPort\":\"1234\"}") },
    { S("00000000-0000-0000-0000-000000000002"),
      S("Microsoft.Media.LiveEventEncoderDisconnected"),
      S("liveEvent/a\"b\\c\n"), S("2026-01-02T03:04:06Z"),
      S("{\"resultCode\":\"S_OK\"}") }
};

static sluice_str_t  topic = S("/providers/Microsoft.Media/mediaservices/x");


static sluice_json_t *
batch(sluice_notice_schema_t schema, size_t n)
{
    size_t          len, len2, off;
    uint8_t        *buf;
    const char     *reason;
    sluice_json_t  *root;

    len = sluice_notice_batch(schema, &topic, evs, n, NULL);
    buf = test_alloc(&blocks, len + 1);
    memset(buf, '#', len + 1);
    len2 = sluice_notice_batch(schema, &topic, evs, n, buf);

    CHECK(len == len2);
    CHECK(buf[len] == '#');

    root = NULL;
    reason = NULL;

    if (sluice_json_parse(&alloc, buf, len, &root, &reason, &off)
        != SLUICE_OK)
    {
        fprintf(stderr, "parse: %s at %zu: %.*s\n", reason, off, (int) len,
                buf);
        CHECK(0);
        return NULL;
    }

    return root;
}


static int
str_is(sluice_json_t *v, const char *name, const char *s)
{
    return sluice_json_str_eq(sluice_json_get(v, name), s);
}


static void
test_eventgrid(void)
{
    sluice_json_t  *root, *e, *d;

    root = batch(SLUICE_NOTICE_EVENTGRID, 2);
    if (root == NULL) {
        return;
    }

    CHECK(root->type == SLUICE_JSON_ARRAY && root->count == 2);

    e = root->child;
    CHECK(str_is(e, "id", "00000000-0000-0000-0000-000000000001"));
    CHECK(str_is(e, "topic", "/providers/Microsoft.Media/mediaservices/x"));
    CHECK(str_is(e, "subject", "liveEvent/le1"));
    CHECK(str_is(e, "eventType", "Microsoft.Media.LiveEventEncoderConnected"));
    CHECK(str_is(e, "eventTime", "2026-01-02T03:04:05.678Z"));
    CHECK(str_is(e, "dataVersion", "1.0"));
    CHECK(str_is(e, "metadataVersion", "1"));
    CHECK(e->count == 8);

    d = sluice_json_get(e, "data");
    CHECK(d && d->type == SLUICE_JSON_OBJECT);
    CHECK(str_is(d, "streamId", "s1"));
    CHECK(str_is(d, "encoderPort", "1234"));

    e = e->next;
    CHECK(str_is(e, "subject", "liveEvent/a\"b\\c\n"));
    CHECK(str_is(sluice_json_get(e, "data"), "resultCode", "S_OK"));

    /* an empty batch is an empty array */
    root = batch(SLUICE_NOTICE_EVENTGRID, 0);
    CHECK(root && root->type == SLUICE_JSON_ARRAY && root->count == 0);
}


static void
test_cloudevents(void)
{
    sluice_json_t  *root, *e;

    root = batch(SLUICE_NOTICE_CLOUDEVENTS, 2);
    if (root == NULL) {
        return;
    }

    CHECK(root->type == SLUICE_JSON_ARRAY && root->count == 2);

    e = root->child;
    CHECK(str_is(e, "specversion", "1.0"));
    CHECK(str_is(e, "type", "Microsoft.Media.LiveEventEncoderConnected"));
    CHECK(str_is(e, "source", "/providers/Microsoft.Media/mediaservices/x"));
    CHECK(str_is(e, "id", "00000000-0000-0000-0000-000000000001"));
    CHECK(str_is(e, "time", "2026-01-02T03:04:05.678Z"));
    CHECK(str_is(e, "subject", "liveEvent/le1"));
    CHECK(str_is(e, "datacontenttype", "application/json"));
    CHECK(str_is(sluice_json_get(e, "data"), "streamId", "s1"));
    CHECK(sluice_json_get(e, "eventType") == NULL);

    CHECK(strstr(sluice_notice_content_type(SLUICE_NOTICE_CLOUDEVENTS),
                 "cloudevents-batch+json") != NULL);
    CHECK(strcmp(sluice_notice_content_type(SLUICE_NOTICE_EVENTGRID),
                 "application/json") == 0);
}


static void
test_id(void)
{
    char  a[SLUICE_NOTICE_ID_LEN + 1], b[SLUICE_NOTICE_ID_LEN + 1];
    char  c[SLUICE_NOTICE_ID_LEN + 1];

    a[SLUICE_NOTICE_ID_LEN] = b[SLUICE_NOTICE_ID_LEN] = '\0';
    c[SLUICE_NOTICE_ID_LEN] = '\0';

    sluice_notice_id(0x0123456789abcdefULL, 42, 0, a);
    sluice_notice_id(0x0123456789abcdefULL, 42, 0, b);
    CHECK(strcmp(a, b) == 0);
    CHECK(strcmp(a, "01234567-89ab-cdef-0000-00000000002a") == 0);

    sluice_notice_id(0x0123456789abcdefULL, 43, 0, c);
    CHECK(strcmp(a, c) != 0);
    sluice_notice_id(0x0123456789abcdefULL, 42, 7, c);
    CHECK(strcmp(a, c) != 0);
    sluice_notice_id(0x0123456789abcdeeULL, 42, 0, c);
    CHECK(strcmp(a, c) != 0);
}


int
main(void)
{
    void  **m, **next;

    test_eventgrid();
    test_cloudevents();
    test_id();

    for (m = blocks; m; m = next) {
        next = m[0];
        free(m);
    }

    printf("%d checks, %d failures\n", checks, failures);

    return failures ? 1 : 0;
}
