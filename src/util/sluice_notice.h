
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Event notifications as a receiver gets them: a batch of events in the
 * Azure Event Grid schema (a JSON array of { id, topic, subject,
 * eventType, eventTime, data, dataVersion, metadataVersion }) or in the
 * CloudEvents 1.0 JSON batch format (a JSON array of { specversion, type,
 * source, id, time, subject, datacontenttype, data }).  The data of each
 * event is written by the caller (any JSON value) and copied as it is.
 */


#ifndef _SLUICE_NOTICE_H_INCLUDED_
#define _SLUICE_NOTICE_H_INCLUDED_


#include "util/sluice_base.h"


#define SLUICE_NOTICE_ID_LEN  36


typedef enum {
    SLUICE_NOTICE_EVENTGRID = 0,
    SLUICE_NOTICE_CLOUDEVENTS
} sluice_notice_schema_t;


typedef struct {
    sluice_str_t        id;
    sluice_str_t        type;           /* Microsoft.Media.... */
    sluice_str_t        subject;        /* liveEvent/{name} */
    sluice_str_t        time;           /* RFC 3339 */
    sluice_str_t        data;           /* a JSON value, as written */
} sluice_notice_t;


/*
 * The batch of the n notices of ev, topic being the Event Grid topic
 * (CloudEvents "source"); out == NULL: count only.  Returns the length.
 */
size_t sluice_notice_batch(sluice_notice_schema_t schema,
    const sluice_str_t *topic, const sluice_notice_t *ev, size_t n,
    uint8_t *out);

/* the Content-Type of a batch */
const char *sluice_notice_content_type(sluice_notice_schema_t schema);

/*
 * A stable event id, 8-4-4-4-12 lowercase hex (SLUICE_NOTICE_ID_LEN
 * bytes, no NUL): the same (origin, seq, salt) always gives the same id,
 * so that a receiver can drop what a retry delivers twice
 */
void sluice_notice_id(uint64_t origin, uint64_t seq, uint32_t salt,
    char *out);


#endif /* _SLUICE_NOTICE_H_INCLUDED_ */
