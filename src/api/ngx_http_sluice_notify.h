
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ngx_http_sluice_notify_module: event notifications (webhooks in the
 * Event Grid or CloudEvents schema) and JSON logs, both from the stream
 * events of the zone's telemetry (core/ngx_sluice_telemetry.h) and its
 * track heartbeats (docs/architecture.md, "Notifications"):
 *
 *   ngx_http_sluice_notify_module.c   directives, the delivering worker's
 *                                     timer, batches, cursors on disk,
 *                                     the JSON log
 *   ngx_http_sluice_notify_http.c     the POST: a small non-blocking
 *                                     HTTP/1.1 client on the event loop
 *   ngx_http_sluice_notify_data.c     AMS's event types and the data of
 *                                     each, from a telemetry record
 */


#ifndef _NGX_HTTP_SLUICE_NOTIFY_H_INCLUDED_
#define _NGX_HTTP_SLUICE_NOTIFY_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "core/ngx_sluice_telemetry.h"
#include "core/ngx_sluice_writer.h"
#include "util/sluice_json.h"
#include "util/sluice_notice.h"


/* notification types, bits of a webhook's "events=" */
typedef enum {
    NGX_HTTP_SLUICE_NT_CONNECTED = 0,
    NGX_HTTP_SLUICE_NT_DISCONNECTED,
    NGX_HTTP_SLUICE_NT_REJECTED,
    NGX_HTTP_SLUICE_NT_RECEIVED,
    NGX_HTTP_SLUICE_NT_OUT_OF_SYNC,
    NGX_HTTP_SLUICE_NT_VIDEO_OUT_OF_SYNC,
    NGX_HTTP_SLUICE_NT_DROPPED,
    NGX_HTTP_SLUICE_NT_HEARTBEAT,
    NGX_HTTP_SLUICE_NT_DISCONTINUITY,
    NGX_HTTP_SLUICE_NT_STATE,
    NGX_HTTP_SLUICE_NT_COUNT
} ngx_http_sluice_nt_e;


/* a heartbeat copied out of a track's ring, with its event and track */
typedef struct {
    u_char                      event[NGX_SLUICE_NAME_LEN + 1];
    uint64_t                    serial;         /* of the live event */
    ngx_uint_t                  slot;
    ngx_sluice_tel_beat_t       b;
} ngx_http_sluice_beat_rec_t;


typedef struct ngx_http_sluice_hook_s  ngx_http_sluice_hook_t;

typedef void (*ngx_http_sluice_hook_done_pt)(ngx_http_sluice_hook_t *hook,
    ngx_int_t status);


/* a webhook: sluice_event_webhook */
struct ngx_http_sluice_hook_s {
    ngx_str_t                   url;            /* as configured */
    ngx_url_t                   u;              /* resolved at start */
    ngx_str_t                   uri;            /* path and query */
    ngx_uint_t                  schema;         /* sluice_notice_schema_t */
    ngx_uint_t                  types;          /* 1 << ngx_http_sluice_nt_e */
    ngx_str_t                   topic;
    ngx_msec_t                  timeout;
    ngx_uint_t                  batch;          /* events per POST at most */
    ngx_str_t                   state_path;     /* the cursor's file */
    ngx_sluice_writer_t        *writer;         /* writes it, in order */

    /* the delivering worker's state */
    ngx_uint_t                  loaded;         /* the cursor was read */
    uint64_t                    epoch;          /* the zone's, of seq */
    uint64_t                    seq;            /* stream events done */
    uint64_t                    beat_ms;        /* heartbeats done up to */
    uint64_t                    next_seq;       /* once the POST is done */
    uint64_t                    next_beat_ms;
    uint64_t                    lost_seq;       /* loss logged up to */
    ngx_uint_t                  full;           /* the batch was full */
    ngx_uint_t                  failures;       /* in a row */
    ngx_msec_t                  backoff;
    ngx_event_t                 timer;
    ngx_pool_t                  *pool;          /* of the POST in flight */

    /* the POST (ngx_http_sluice_notify_http.c) */
    ngx_peer_connection_t       peer;
    ngx_buf_t                  *request;
    u_char                      response[512];
    size_t                      response_len;
    ngx_http_sluice_hook_done_pt  done;
    ngx_log_t                  *log;
};


/*
 * POSTs body (of hook->pool) to the hook's URL; hook->done is called
 * with the response status (2xx...), or 0 when there is none (refused,
 * timeout, malformed response), from the event loop, never from this
 * call.  NGX_ERROR, NGX_DECLINED (refused at once): nothing was started,
 * nothing will be called.
 */
ngx_int_t ngx_http_sluice_hook_post(ngx_http_sluice_hook_t *hook,
    ngx_str_t *body);
/* closes a POST in flight without calling done */
void ngx_http_sluice_hook_close(ngx_http_sluice_hook_t *hook);


/* ngx_http_sluice_notify_data.c */

/* the type of a stream event; NGX_HTTP_SLUICE_NT_COUNT: none */
ngx_uint_t ngx_http_sluice_notify_type(ngx_sluice_tel_event_t *e);
/* "Microsoft.Media.LiveEvent..." */
const char *ngx_http_sluice_notify_type_name(ngx_uint_t type);
/* the type by its name, short ("EncoderConnected") or full; COUNT: none */
ngx_uint_t ngx_http_sluice_notify_type_find(ngx_str_t *name);

/* the data of a stream event, a heartbeat (AMS's fields) */
sluice_json_t *ngx_http_sluice_notify_event_data(sluice_alloc_t *a,
    ngx_sluice_tel_event_t *e, ngx_str_t *ingest_url);
sluice_json_t *ngx_http_sluice_notify_beat_data(sluice_alloc_t *a,
    ngx_sluice_tel_beat_t *b);


#endif /* _NGX_HTTP_SLUICE_NOTIFY_H_INCLUDED_ */
