
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Event Grid and CloudEvents batches (sluice_notice.h).
 */


#include <string.h>

#include "util/sluice_json.h"
#include "util/sluice_notice.h"


typedef struct {
    uint8_t            *p;          /* NULL: counting */
    size_t              len;
} sluice_notice_out_t;


static void sluice_notice_raw(sluice_notice_out_t *o, const void *s,
    size_t len);
static void sluice_notice_member(sluice_notice_out_t *o, const char *name,
    const sluice_str_t *value, int first);


size_t
sluice_notice_batch(sluice_notice_schema_t schema, const sluice_str_t *topic,
    const sluice_notice_t *ev, size_t n, uint8_t *out)
{
    size_t               i;
    sluice_str_t         v;
    sluice_notice_out_t  o;

    o.p = out;
    o.len = 0;

    sluice_notice_raw(&o, "[", 1);

    for (i = 0; i < n; i++) {
        if (i) {
            sluice_notice_raw(&o, ",", 1);
        }

        if (schema == SLUICE_NOTICE_CLOUDEVENTS) {
            v.data = (const uint8_t *) "1.0";
            v.len = 3;
            sluice_notice_member(&o, "specversion", &v, 1);
            sluice_notice_member(&o, "type", &ev[i].type, 0);
            sluice_notice_member(&o, "source", topic, 0);
            sluice_notice_member(&o, "id", &ev[i].id, 0);
            sluice_notice_member(&o, "time", &ev[i].time, 0);
            sluice_notice_member(&o, "subject", &ev[i].subject, 0);
            v.data = (const uint8_t *) "application/json";
            v.len = sizeof("application/json") - 1;
            sluice_notice_member(&o, "datacontenttype", &v, 0);
            sluice_notice_raw(&o, ",\"data\":", sizeof(",\"data\":") - 1);
            sluice_notice_raw(&o, ev[i].data.data, ev[i].data.len);
            sluice_notice_raw(&o, "}", 1);
            continue;
        }

        sluice_notice_member(&o, "id", &ev[i].id, 1);
        sluice_notice_member(&o, "topic", topic, 0);
        sluice_notice_member(&o, "subject", &ev[i].subject, 0);
        sluice_notice_member(&o, "eventType", &ev[i].type, 0);
        sluice_notice_member(&o, "eventTime", &ev[i].time, 0);
        sluice_notice_raw(&o, ",\"data\":", sizeof(",\"data\":") - 1);
        sluice_notice_raw(&o, ev[i].data.data, ev[i].data.len);
        sluice_notice_raw(&o, ",\"dataVersion\":\"1.0\""
                              ",\"metadataVersion\":\"1\"}",
                          sizeof(",\"dataVersion\":\"1.0\""
                                 ",\"metadataVersion\":\"1\"}") - 1);
    }

    sluice_notice_raw(&o, "]", 1);

    return o.len;
}


const char *
sluice_notice_content_type(sluice_notice_schema_t schema)
{
    return schema == SLUICE_NOTICE_CLOUDEVENTS
           ? "application/cloudevents-batch+json; charset=utf-8"
           : "application/json";
}


void
sluice_notice_id(uint64_t origin, uint64_t seq, uint32_t salt, char *out)
{
    int             i;
    uint8_t         b[16];
    uint64_t        h;
    static const char  hex[] = "0123456789abcdef";

    /* origin and seq as they are (readable in a log), salt mixed in */

    h = seq ^ ((uint64_t) salt << 40);

    for (i = 0; i < 8; i++) {
        b[i] = (uint8_t) (origin >> (56 - 8 * i));
        b[8 + i] = (uint8_t) (h >> (56 - 8 * i));
    }

    for (i = 0; i < 16; i++) {
        *out++ = hex[b[i] >> 4];
        *out++ = hex[b[i] & 0x0f];

        if (i == 3 || i == 5 || i == 7 || i == 9) {
            *out++ = '-';
        }
    }
}


static void
sluice_notice_raw(sluice_notice_out_t *o, const void *s, size_t len)
{
    if (o->p) {
        memcpy(o->p + o->len, s, len);
    }

    o->len += len;
}


static void
sluice_notice_member(sluice_notice_out_t *o, const char *name,
    const sluice_str_t *value, int first)
{
    size_t  len;

    sluice_notice_raw(o, first ? "{\"" : ",\"", 2);
    sluice_notice_raw(o, name, strlen(name));
    sluice_notice_raw(o, "\":", 2);

    len = sluice_json_write_string(value->data, value->len,
                                   o->p ? o->p + o->len : NULL);
    o->len += len;
}
