
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * POST liveEvents/{name}/getStatus (AMS 2022-11-01, LiveEventStatus):
 * the state, a health status and the descriptions behind it; of a live
 * encoding event, its transcoder (running, layers, frames per second,
 * lag behind the input, GOPs dropped, starts).  Answered at once (200;
 * the operation is long-running in AMS, which clients accept as done).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "api/ngx_http_sluice_api.h"
#include "api/ngx_http_sluice_api_build.h"
#include "api/ngx_http_sluice_api_live_event.h"
#include "core/ngx_sluice_zone.h"
#include "util/sluice_iso8601.h"


typedef struct {
    ngx_uint_t                  state;
    ngx_uint_t                  encoding;
    ngx_uint_t                  active;         /* tracks fed now */
    ngx_uint_t                  unhealthy;      /* of them */
    ngx_msec_t                  gop;
    ngx_sluice_transcode_t      xc;
} ngx_http_sluice_les_t;


static ngx_int_t ngx_http_sluice_les_read(ngx_http_sluice_api_ctx_t *ctx,
    ngx_http_sluice_les_t *st);
static const char *ngx_http_sluice_les_health(ngx_http_sluice_les_t *st,
    sluice_alloc_t *a, sluice_json_t *desc);
static ngx_int_t ngx_http_sluice_les_say(sluice_alloc_t *a,
    sluice_json_t *desc, u_char *p, u_char *last);


ngx_int_t
ngx_http_sluice_le_status(ngx_http_request_t *r,
    ngx_http_sluice_api_ctx_t *ctx)
{
    char                    now[SLUICE_ISO8601_TIME_LEN];
    size_t                  nlen;
    ngx_time_t             *tp;
    const char             *health;
    sluice_json_t          *res, *arr, *st, *desc;
    sluice_alloc_t         *a;
    ngx_http_sluice_les_t   les;

    if (ngx_http_sluice_les_read(ctx, &les) != NGX_OK) {
        return ngx_http_sluice_api_error(r, NGX_HTTP_NOT_FOUND, "NotFound",
                   "Live event '%V' was not found.", &ctx->name);
    }

    a = &ctx->alloc;
    tp = ngx_timeofday();
    nlen = sluice_iso8601_time_format(tp->sec, tp->msec, now);

    res = sluice_json_new(a, SLUICE_JSON_OBJECT);
    arr = sluice_json_new(a, SLUICE_JSON_ARRAY);
    st = sluice_json_new(a, SLUICE_JSON_OBJECT);
    desc = sluice_json_new(a, SLUICE_JSON_ARRAY);

    if (res == NULL || arr == NULL || st == NULL || desc == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    health = ngx_http_sluice_les_health(&les, a, desc);

    if (health == NULL
        || ngx_http_sluice_res_set(a, st, "state",
               sluice_json_new_cstring(a, les.state == NGX_SLUICE_RUNNING
                                          ? "Running" : "Stopped"))
           != NGX_OK
        || ngx_http_sluice_res_set(a, st, "healthStatus",
                                   sluice_json_new_cstring(a, health))
           != NGX_OK
        || ngx_http_sluice_res_set(a, st, "healthDescriptions", desc)
           != NGX_OK
        || ngx_http_sluice_res_set(a, st, "lastUpdatedTime",
               sluice_json_new_string(a, (uint8_t *) now, nlen))
           != NGX_OK
        || ngx_http_sluice_res_set(a, res, "value", arr) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    sluice_json_append(arr, st);

    return ngx_http_sluice_api_send(r, NGX_HTTP_OK, res);
}


static ngx_int_t
ngx_http_sluice_les_read(ngx_http_sluice_api_ctx_t *ctx,
    ngx_http_sluice_les_t *st)
{
    ngx_uint_t              i;
    ngx_sluice_track_t     *tr;
    ngx_sluice_event_t     *ev;
    ngx_sluice_zone_ctx_t  *zctx;

    zctx = ctx->conf->shm_zone->data;

    ngx_memzero(st, sizeof(ngx_http_sluice_les_t));

    ngx_shmtx_lock(&zctx->shpool->mutex);

    ev = ngx_sluice_event_by_name(zctx->sh, ctx->name.data, ctx->name.len);

    if (ev) {
        st->state = ev->state;
        st->encoding = ev->encoding;
        st->gop = ev->fragment_ms;
        st->xc = ev->transcode;

        for (i = 0; i < NGX_SLUICE_MAX_TRACKS; i++) {
            tr = &ev->tracks[i];

            if (tr->state == NGX_SLUICE_TRACK_ACTIVE) {
                st->active++;

                if (tr->unhealthy) {
                    st->unhealthy++;
                }
            }
        }
    }

    ngx_shmtx_unlock(&zctx->shpool->mutex);

    return ev ? NGX_OK : NGX_DECLINED;
}


/*
 * Excellent: fed, every track healthy, the transcoder (if any) running
 * and within a GOP of its input; Good: fed, the transcoder running;
 * Poor: otherwise.  One description per finding.
 */

static const char *
ngx_http_sluice_les_health(ngx_http_sluice_les_t *st, sluice_alloc_t *a,
    sluice_json_t *desc)
{
    u_char      buf[256];
    ngx_uint_t  score;

    score = 2;

    if (st->state != NGX_SLUICE_RUNNING) {
        return ngx_http_sluice_les_say(a, desc, buf,
                   ngx_sprintf(buf, "The live event is not running."))
               == NGX_OK ? "Poor" : NULL;
    }

    if (ngx_sluice_encoding_live(st->encoding)) {

        if (st->xc.owner == 0) {
            score = 0;

            if (ngx_http_sluice_les_say(a, desc, buf,
                    ngx_sprintf(buf, "No contribution stream."))
                != NGX_OK)
            {
                return NULL;
            }

        } else if (st->xc.pid == 0) {
            score = 0;

            if (ngx_http_sluice_les_say(a, desc, buf,
                    ngx_sprintf(buf, "Transcoder not running (started %ui "
                                "times; restarting).", st->xc.starts))
                != NGX_OK)
            {
                return NULL;
            }

        } else {
            if (st->xc.lag_ms < 0 || st->xc.lag_ms > (int64_t) st->gop
                || st->xc.dropped || st->xc.skipped)
            {
                score = 1;
            }

            if (ngx_http_sluice_les_say(a, desc, buf,
                    ngx_sprintf(buf, "Transcoder running (pid %P, started "
                                "%ui times): %ui layers, %ui.%02ui frames/s,"
                                " lag %L ms, %ui GOPs dropped, %ui input "
                                "skips.", st->xc.pid, st->xc.starts,
                                st->xc.layers, st->xc.fps100 / 100,
                                st->xc.fps100 % 100, st->xc.lag_ms,
                                st->xc.dropped, st->xc.skipped))
                != NGX_OK)
            {
                return NULL;
            }
        }
    }

    if (st->active == 0) {
        score = 0;

        if (ngx_http_sluice_les_say(a, desc, buf,
                ngx_sprintf(buf, "No track is being ingested."))
            != NGX_OK)
        {
            return NULL;
        }

    } else if (st->unhealthy) {
        score = ngx_min(score, 1);

        if (ngx_http_sluice_les_say(a, desc, buf,
                ngx_sprintf(buf, "%ui of %ui tracks cannot be written or "
                            "recorded.", st->unhealthy, st->active))
            != NGX_OK)
        {
            return NULL;
        }
    }

    return score == 2 ? "Excellent" : (score == 1 ? "Good" : "Poor");
}


static ngx_int_t
ngx_http_sluice_les_say(sluice_alloc_t *a, sluice_json_t *desc, u_char *p,
    u_char *last)
{
    sluice_json_t  *s;

    s = sluice_json_new_string(a, p, last - p);

    if (s == NULL) {
        return NGX_ERROR;
    }

    sluice_json_append(desc, s);

    return NGX_OK;
}
