
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * libFuzzer target of the SCTE 35 splice_info_section parser: every
 * string of a parsed section lies inside the input, a refusal has a
 * reason, and a parsed splice_insert or time_signal written again
 * parses to the same fields.  Each input is parsed as it is and once
 * more with its CRC_32 made right, so that the fuzzer gets past it.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *       t/fuzz/fuzz_scte35.c src/media/signal/sluice_scte35.c \
 *       src/media/codec/sluice_bits.c -o fuzz_scte35
 *   ./fuzz_scte35 t/fuzz/corpus/scte35
 */


#include <stdlib.h>

#include "media/signal/sluice_scte35.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static void
inside(const sluice_str_t *s, const uint8_t *data, size_t size)
{
    if (s->len && (s->data < data || s->data + s->len > data + size)) {
        abort();
    }
}


static void
rewrite(const sluice_scte35_t *s)
{
    uint8_t                 buf[SLUICE_SCTE35_MAX_SECTION], *end;
    size_t                  n;
    const char             *reason;
    sluice_scte35_t         t;
    sluice_scte35_splice_t  sp;

    if (!s->program_splice && s->command_type == SLUICE_SCTE35_SPLICE_INSERT
        && !s->event_cancel)
    {
        return;
    }

    memset(&sp, 0, sizeof(sp));
    sp.command_type = s->command_type;
    sp.pts_adjustment = s->pts_adjustment;
    sp.event_id = s->event_id;
    sp.event_cancel = s->event_cancel;
    sp.out_of_network = s->out_of_network;
    sp.splice_immediate = s->splice_immediate;
    sp.has_duration = s->duration_flag;
    sp.auto_return = s->auto_return;
    sp.duration = s->break_duration;
    sp.time_specified = s->time_specified;
    sp.pts_time = s->pts_time;
    sp.unique_program_id = s->unique_program_id;
    sp.avail_num = s->avail_num;
    sp.avails_expected = s->avails_expected;
    sp.descriptor_loop = s->descriptor_loop;

    n = sluice_scte35_size(&sp);
    if (n == 0 || n > sizeof(buf)) {
        abort();
    }

    end = sluice_scte35_write(buf, &sp);
    if ((size_t) (end - buf) != n) {
        abort();
    }

    if (sluice_scte35_parse(&t, buf, n, &reason) != SLUICE_OK
        || t.command_type != s->command_type
        || t.pts_time != s->pts_time
        || t.event_id != s->event_id
        || t.break_duration != s->break_duration
        || t.descriptor_loop.len != s->descriptor_loop.len
        || t.nsegmentations != s->nsegmentations)
    {
        abort();
    }
}


static void
parse(const uint8_t *data, size_t size)
{
    uint32_t          i;
    const char       *reason;
    sluice_scte35_t   s;
    sluice_status_t   rc;

    reason = NULL;
    rc = sluice_scte35_parse(&s, data, size, &reason);

    if (rc != SLUICE_OK) {
        if (reason == NULL
            || (rc != SLUICE_BAD_DATA && rc != SLUICE_UNSUPPORTED))
        {
            abort();
        }

        return;
    }

    inside(&s.section, data, size);
    inside(&s.command, data, size);
    inside(&s.descriptor_loop, data, size);

    for (i = 0; i < s.ndescriptors; i++) {
        inside(&s.descriptors[i].raw, data, size);
    }

    for (i = 0; i < s.nsegmentations; i++) {
        inside(&s.segmentations[i].upid, data, size);
    }

    if (sluice_scte35_crc32(s.section.data, s.section.len) != 0) {
        abort();
    }

    if (s.command_type == SLUICE_SCTE35_SPLICE_INSERT
        || s.command_type == SLUICE_SCTE35_TIME_SIGNAL
        || s.command_type == SLUICE_SCTE35_SPLICE_NULL)
    {
        rewrite(&s);
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t     total;
    uint8_t   *copy;
    uint32_t   crc;

    parse(data, size);

    if (size < 7) {
        return 0;
    }

    total = 3 + (((size_t) data[1] & 0x0F) << 8 | data[2]);

    if (total < 7 || total > size) {
        return 0;
    }

    copy = malloc(size);
    if (copy == NULL) {
        return 0;
    }

    memcpy(copy, data, size);
    crc = sluice_scte35_crc32(copy, total - 4);
    copy[total - 4] = (uint8_t) (crc >> 24);
    copy[total - 3] = (uint8_t) (crc >> 16);
    copy[total - 2] = (uint8_t) (crc >> 8);
    copy[total - 1] = (uint8_t) crc;

    parse(copy, size);
    free(copy);

    return 0;
}
