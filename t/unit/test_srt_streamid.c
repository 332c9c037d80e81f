
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Unit tests of the SRT stream id parser.
 */


#include <stdio.h>
#include <string.h>

#include "util/sluice_srt_streamid.h"


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


static sluice_srt_sid_error_t
parse(const char *s, sluice_srt_streamid_t *sid)
{
    const char              *reason;
    sluice_srt_sid_error_t   rc;

    reason = NULL;
    rc = sluice_srt_streamid_parse(sid, (const uint8_t *) s, strlen(s),
                                   &reason);

    if (rc != SLUICE_SRT_SID_OK && reason == NULL) {
        fprintf(stderr, "no reason for \"%s\"\n", s);
        failures++;
    }

    return rc;
}


static int
is(sluice_str_t *v, const char *s)
{
    return v->len == strlen(s) && memcmp(v->data, s, v->len) == 0;
}


static void
test_keyed(void)
{
    sluice_srt_streamid_t  sid;

    CHECK(parse("#!::r=abc123/video1,m=publish", &sid) == SLUICE_SRT_SID_OK);
    CHECK(is(&sid.token, "abc123"));
    CHECK(is(&sid.stream, "video1"));

    /* order, ignored keys, "live/" prefix, no stream, no mode */
    CHECK(parse("#!::m=publish,u=enc,r=live/0a-Bc", &sid)
          == SLUICE_SRT_SID_OK);
    CHECK(is(&sid.token, "0a-Bc"));
    CHECK(sid.stream.len == 0);

    CHECK(parse("#!::r=tok/s_1.x-y,t=stream,h=example.com,s=42,xyz=1",
                &sid) == SLUICE_SRT_SID_OK);
    CHECK(is(&sid.stream, "s_1.x-y"));

    CHECK(parse("#!::r=tok,m=request", &sid) == SLUICE_SRT_SID_MODE);
    CHECK(parse("#!::r=tok,m=bidirectional", &sid) == SLUICE_SRT_SID_MODE);
    CHECK(parse("#!::r=tok,m=", &sid) == SLUICE_SRT_SID_MODE);
    CHECK(parse("#!::r=tok,t=file", &sid) == SLUICE_SRT_SID_TYPE);
    CHECK(parse("#!::r=tok,q=1", &sid) == SLUICE_SRT_SID_KEY);
    CHECK(parse("#!::m=publish", &sid) == SLUICE_SRT_SID_NO_RESOURCE);
    CHECK(parse("#!::", &sid) == SLUICE_SRT_SID_NO_RESOURCE);
    CHECK(parse("#!::r=a,r=b", &sid) == SLUICE_SRT_SID_SYNTAX);
    CHECK(parse("#!::r=tok,", &sid) == SLUICE_SRT_SID_SYNTAX);
    CHECK(parse("#!::r=tok,,m=publish", &sid) == SLUICE_SRT_SID_SYNTAX);
    CHECK(parse("#!::rtok", &sid) == SLUICE_SRT_SID_SYNTAX);
    CHECK(parse("#!::=x,r=tok", &sid) == SLUICE_SRT_SID_SYNTAX);
    CHECK(parse("#!::r=", &sid) == SLUICE_SRT_SID_SYNTAX);
    CHECK(parse("#!::r=tok/", &sid) == SLUICE_SRT_SID_SYNTAX);
    CHECK(parse("#!::r=tok/a/b", &sid) == SLUICE_SRT_SID_SYNTAX);
    CHECK(parse("#!::r=to k", &sid) == SLUICE_SRT_SID_SYNTAX);
    CHECK(parse("#!::r=tok/st ream", &sid) == SLUICE_SRT_SID_SYNTAX);
}


static void
test_plain(void)
{
    char                   buf[600];
    sluice_srt_streamid_t  sid;

    CHECK(parse("0123456789abcdef0123456789abcdef/main", &sid)
          == SLUICE_SRT_SID_OK);
    CHECK(is(&sid.token, "0123456789abcdef0123456789abcdef"));
    CHECK(is(&sid.stream, "main"));

    CHECK(parse("live/tok", &sid) == SLUICE_SRT_SID_OK);
    CHECK(is(&sid.token, "tok"));

    /* "live" alone is a token */
    CHECK(parse("live", &sid) == SLUICE_SRT_SID_OK);
    CHECK(is(&sid.token, "live"));

    CHECK(parse("", &sid) == SLUICE_SRT_SID_SYNTAX);
    CHECK(parse("/stream", &sid) == SLUICE_SRT_SID_SYNTAX);
    CHECK(parse("tok%20", &sid) == SLUICE_SRT_SID_SYNTAX);

    /* limits: token 64, stream 48, whole 512 */
    memset(buf, 'a', 64);
    buf[64] = '\0';
    CHECK(parse(buf, &sid) == SLUICE_SRT_SID_OK);
    memset(buf, 'a', 65);
    buf[65] = '\0';
    CHECK(parse(buf, &sid) == SLUICE_SRT_SID_SYNTAX);

    memcpy(buf, "t/", 2);
    memset(buf + 2, 's', 48);
    buf[50] = '\0';
    CHECK(parse(buf, &sid) == SLUICE_SRT_SID_OK);
    CHECK(sid.stream.len == 48);
    buf[50] = 's';
    buf[51] = '\0';
    CHECK(parse(buf, &sid) == SLUICE_SRT_SID_SYNTAX);

    memcpy(buf, "#!::r=t,", 8);
    memset(buf + 8, 'x', 510);
    buf[518] = '\0';
    CHECK(parse(buf, &sid) == SLUICE_SRT_SID_SYNTAX);

    /* not NUL-terminated: the length is the end */
    CHECK(sluice_srt_streamid_parse(&sid, (const uint8_t *) "tok/abcdef", 6,
                                    &(const char *) { NULL })
          == SLUICE_SRT_SID_OK);
    CHECK(is(&sid.stream, "ab"));
}


int
main(void)
{
    test_keyed();
    test_plain();

    printf("srt_streamid: %d checks, %d failures\n", checks, failures);

    return failures != 0;
}
