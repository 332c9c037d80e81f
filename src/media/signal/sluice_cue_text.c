
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The text forms of a cue in HLS and DASH manifests; see
 * sluice_cue_text.h.
 */


#include "media/signal/sluice_adcue.h"
#include "media/signal/sluice_cue_text.h"
#include "util/sluice_base64.h"


static void sluice_cue_quoted(sluice_buf_t *b, const sluice_str_t *s);
static void sluice_cue_seconds(sluice_buf_t *b, uint64_t v,
    uint32_t timescale, uint32_t decimals);
static void sluice_cue_indent(sluice_buf_t *b, size_t indent);


void
sluice_cue_hls_daterange(sluice_buf_t *b, const sluice_cue_daterange_t *d)
{
    sluice_buf_cstr(b, "#EXT-X-DATERANGE:ID=\"");
    sluice_cue_quoted(b, &d->id);
    sluice_buf_cstr(b, "\"");

    if (d->class_name.len) {
        sluice_buf_cstr(b, ",CLASS=\"");
        sluice_cue_quoted(b, &d->class_name);
        sluice_buf_cstr(b, "\"");
    }

    sluice_buf_cstr(b, ",START-DATE=\"");
    sluice_buf_utc(b, d->start);
    sluice_buf_cstr(b, "\"");

    if (d->has_duration) {
        sluice_buf_cstr(b, ",DURATION=");
        sluice_buf_fixed(b, d->duration, 3);
    }

    if (d->has_planned_duration) {
        sluice_buf_cstr(b, ",PLANNED-DURATION=");
        sluice_buf_fixed(b, d->planned_duration, 3);
    }

    if (d->section.len) {
        switch (d->kind) {

        case SLUICE_CUE_SPLICE_OUT:
            sluice_buf_cstr(b, ",SCTE35-OUT=0x");
            break;

        case SLUICE_CUE_SPLICE_IN:
            sluice_buf_cstr(b, ",SCTE35-IN=0x");
            break;

        case SLUICE_CUE_CMD:
            sluice_buf_cstr(b, ",SCTE35-CMD=0x");
            break;

        default:
            goto done;
        }

        sluice_buf_hex(b, d->section.data, d->section.len);
    }

done:

    sluice_buf_cstr(b, "\n");
}


void
sluice_cue_hls_cue(sluice_buf_t *b, const sluice_cue_adobe_t *c)
{
    sluice_buf_cstr(b, "#EXT-X-CUE:ID=");

    if (c->simple) {
        sluice_cue_quoted(b, &c->id);
        sluice_buf_cstr(b, ",TYPE=\"SpliceOut\"");

    } else {
        sluice_buf_cstr(b, "\"");
        sluice_cue_quoted(b, &c->id);
        sluice_buf_cstr(b, "\",TYPE=\"scte35\"");
    }

    sluice_buf_cstr(b, ",DURATION=");
    sluice_cue_seconds(b, c->duration, c->timescale, 6);
    sluice_buf_cstr(b, ",TIME=");
    sluice_cue_seconds(b, c->time, c->timescale, 6);

    if (!c->simple) {
        sluice_buf_cstr(b, ",CUE=\"");
        sluice_cue_base64(b, c->section.data, c->section.len);
        sluice_buf_cstr(b, "\"");
    }

    if (c->has_elapsed) {
        sluice_buf_cstr(b, ",ELAPSED=");
        sluice_cue_seconds(b, c->elapsed, c->timescale, 6);
    }

    sluice_buf_cstr(b, "\n");
}


void
sluice_cue_hls_cue_out(sluice_buf_t *b, uint64_t duration)
{
    sluice_buf_cstr(b, "#EXT-X-CUE-OUT");

    if (duration) {
        sluice_buf_cstr(b, ":DURATION=");
        sluice_buf_fixed(b, duration, 3);
    }

    sluice_buf_cstr(b, "\n");
}


void
sluice_cue_hls_cue_out_cont(sluice_buf_t *b, uint64_t elapsed,
    uint64_t duration)
{
    sluice_buf_cstr(b, "#EXT-X-CUE-OUT-CONT:ELAPSED=");
    sluice_buf_fixed(b, elapsed, 3);

    if (duration) {
        sluice_buf_cstr(b, ",DURATION=");
        sluice_buf_fixed(b, duration, 3);
    }

    sluice_buf_cstr(b, "\n");
}


void
sluice_cue_hls_cue_in(sluice_buf_t *b)
{
    sluice_buf_cstr(b, "#EXT-X-CUE-IN\n");
}


void
sluice_cue_dash_event_stream_start(sluice_buf_t *b, size_t indent,
    const char *scheme, const sluice_str_t *value, uint32_t timescale)
{
    sluice_cue_indent(b, indent);
    sluice_buf_cstr(b, "<EventStream schemeIdUri=\"");
    sluice_buf_xml(b, (const uint8_t *) scheme, strlen(scheme));
    sluice_buf_cstr(b, "\"");

    if (value && value->len) {
        sluice_buf_cstr(b, " value=\"");
        sluice_buf_xml(b, value->data, value->len);
        sluice_buf_cstr(b, "\"");
    }

    sluice_buf_cstr(b, " timescale=\"");
    sluice_buf_u64(b, timescale);
    sluice_buf_cstr(b, "\">\n");
}


void
sluice_cue_dash_event(sluice_buf_t *b, size_t indent,
    const sluice_cue_dash_event_t *e)
{
    sluice_cue_indent(b, indent);
    sluice_buf_cstr(b, "<Event presentationTime=\"");
    sluice_buf_u64(b, e->presentation_time);

    if (e->has_duration) {
        sluice_buf_cstr(b, "\" duration=\"");
        sluice_buf_u64(b, e->duration);
    }

    sluice_buf_cstr(b, "\" id=\"");
    sluice_buf_u64(b, e->id);

    if (e->section.len == 0) {
        sluice_buf_cstr(b, "\"/>\n");
        return;
    }

    sluice_buf_cstr(b, "\">\n");
    sluice_cue_indent(b, indent + 2);
    sluice_buf_cstr(b, "<scte35:Signal xmlns:scte35=\""
                       SLUICE_CUE_SCTE35_NAMESPACE "\">\n");
    sluice_cue_indent(b, indent + 4);
    sluice_buf_cstr(b, "<scte35:Binary>");
    sluice_cue_base64(b, e->section.data, e->section.len);
    sluice_buf_cstr(b, "</scte35:Binary>\n");
    sluice_cue_indent(b, indent + 2);
    sluice_buf_cstr(b, "</scte35:Signal>\n");
    sluice_cue_indent(b, indent);
    sluice_buf_cstr(b, "</Event>\n");
}


void
sluice_cue_dash_event_stream_end(sluice_buf_t *b, size_t indent)
{
    sluice_cue_indent(b, indent);
    sluice_buf_cstr(b, "</EventStream>\n");
}


void
sluice_cue_base64(sluice_buf_t *b, const uint8_t *p, size_t n)
{
    size_t   k;
    uint8_t  tmp[sluice_base64_encoded_len(48)];

    /* whole 3-byte groups until the last piece, so no padding between */
    while (n) {
        k = n > 48 ? 48 : n;
        sluice_buf_add(b, tmp, sluice_base64_encode(p, k, tmp, 0));
        p += k;
        n -= k;
    }
}


/* an attribute's quoted-string: no '"', CR or LF (RFC 8216 4.2) */
static void
sluice_cue_quoted(sluice_buf_t *b, const sluice_str_t *s)
{
    size_t  i, start;

    start = 0;

    for (i = 0; i < s->len; i++) {
        if (s->data[i] == '"' || s->data[i] == '\r' || s->data[i] == '\n') {
            sluice_buf_add(b, s->data + start, i - start);
            start = i + 1;
        }
    }

    sluice_buf_add(b, s->data + start, s->len - start);
}


/* v / timescale in seconds with decimals (at most 9) digits, rounded */
static void
sluice_cue_seconds(sluice_buf_t *b, uint64_t v, uint32_t timescale,
    uint32_t decimals)
{
    uint8_t   digits[9];
    uint32_t  i;
    uint64_t  scale, whole, frac;

    if (timescale == 0) {
        timescale = 1000;
    }

    if (decimals > sizeof(digits)) {
        decimals = sizeof(digits);
    }

    for (scale = 1, i = 0; i < decimals; i++) {
        scale *= 10;
    }

    whole = v / timescale;
    frac = ((v % timescale) * scale + timescale / 2) / timescale;

    if (frac >= scale) {
        whole++;
        frac -= scale;
    }

    sluice_buf_u64(b, whole);

    if (decimals == 0) {
        return;
    }

    for (i = decimals; i > 0; i--) {
        digits[i - 1] = (uint8_t) ('0' + frac % 10);
        frac /= 10;
    }

    sluice_buf_add(b, ".", 1);
    sluice_buf_add(b, digits, decimals);
}


static void
sluice_cue_indent(sluice_buf_t *b, size_t indent)
{
    static const char  spaces[] = "                ";

    while (indent) {
        sluice_buf_add(b, spaces, indent > 16 ? 16 : indent);
        indent -= indent > 16 ? 16 : indent;
    }
}
