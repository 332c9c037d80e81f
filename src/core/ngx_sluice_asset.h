
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Media of an asset, as a live output records it and the packager plays
 * it back (cloud DVR while recording, video on demand after).
 *
 *   {data}/assets/{assetId}/
 *       {slot}/                 one per recorded track (stream and media
 *                               type): the live event's track slot
 *                               (ngx_sluice_track_t.index) when free, else
 *                               the first free number (after a restart)
 *           track               ngx_sluice_asset_track_t, written to
 *                               "track.tmp" then renamed, whenever the
 *                               track opens, its init version changes
 *                               or closed captions appear in it
 *           init{v}.mp4         hard links of the live event's files
 *           {time}.m4s          (the bytes are stored once)
 *           index               ngx_sluice_frag_t records (as in shared
 *                               memory, with the final seq; "init" is
 *                               the asset's init version, see below),
 *                               appended in time order, one write() each
 *                               and fdatasync, only after
 *                               the fragment's link exists; a trailing
 *                               partial record (crash) is ignored
 *           gaps                the numbers (uint64, little-endian) of
 *                               the index records flagged
 *                               NGX_SLUICE_FRAG_DISCONTINUITY (a hole
 *                               before them), each appended and synced
 *                               before its record: readers count the
 *                               discontinuities before a window from it
 *                               (an entry whose record is not flagged or
 *                               not there, a crash between the two
 *                               writes, is skipped)
 *
 * The live fragment ring evicts only the live name of a file; the asset's
 * link keeps the bytes until the archive window trims them (the recorder
 * unlinks fragments ending before last end - archive window; index
 * records of trimmed fragments stay and readers skip them by the same
 * rule).  The recorder keeps one fragment more than that (it unlinks
 * those ending before last end - archive window - the last fragment's
 * duration), so a reader whose window starts anywhere in
 * [last end - archive window, ...) never names a trimmed file, whether
 * it keeps records ending at or after the start.  Index records are in
 * strictly increasing time and seq order, also across restarts (the live
 * timeline continues after what was recorded).  Recording writes run in
 * the thread pool, never in the event loop.  An asset is live while a
 * live output records into it (ngx_sluice_live_output_by_asset() finds
 * one and its event is Running);
 * otherwise it is video on demand.
 */


#ifndef _NGX_SLUICE_ASSET_H_INCLUDED_
#define _NGX_SLUICE_ASSET_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "core/ngx_sluice.h"


#define NGX_SLUICE_ASSET_MAGIC     0x534c4154     /* "SLAT" */
#define NGX_SLUICE_ASSET_VERSION   3


typedef struct {
    uint32_t                    magic;
    uint32_t                    version;

    uint32_t                    slot;
    uint32_t                    init_version;   /* newest init{v}.mp4 */
    uint64_t                    archive_ms;     /* archive window when
                                                   recorded */
    u_char                      stream[NGX_SLUICE_STREAM_LEN + 1];

    sluice_track_info_t         info;           /* info.bitrate as in the
                                                   live event */
} ngx_sluice_asset_track_t;


/*
 * Versions.  A slot keeps the version it was created with: the recorder
 * goes on writing a version 1 slot as version 1, and readers take both.
 *
 *   1  descriptors end before info.lang (no language); index records are
 *      the first 24 bytes of ngx_sluice_frag_t (no key_size)
 *   2  descriptors end before info.captions (no closed captions); index
 *      records of sizeof(ngx_sluice_frag_t) (32 bytes)
 *   3  the whole structures: descriptors with info.captions, index
 *      records as in version 2
 *
 * A slot's descriptor is rewritten when the init version changes and
 * when captions appear (version 3 only: a version 1 or 2 slot goes on
 * without them).
 */

#define NGX_SLUICE_ASSET_V1_TRACK                                             \
    ngx_align(offsetof(ngx_sluice_asset_track_t, info)                        \
              + offsetof(sluice_track_info_t, lang), 8)
#define NGX_SLUICE_ASSET_V2_TRACK                                             \
    ngx_align(offsetof(ngx_sluice_asset_track_t, info)                        \
              + offsetof(sluice_track_info_t, captions), 8)
#define NGX_SLUICE_ASSET_V1_REC    offsetof(ngx_sluice_frag_t, key_size)


static ngx_inline size_t
ngx_sluice_asset_track_size(uint32_t version)
{
    switch (version) {
    case 1:
        return NGX_SLUICE_ASSET_V1_TRACK;
    case 2:
        return NGX_SLUICE_ASSET_V2_TRACK;
    default:
        return sizeof(ngx_sluice_asset_track_t);
    }
}


static ngx_inline size_t
ngx_sluice_asset_rec_size(uint32_t version)
{
    return version == 1 ? NGX_SLUICE_ASSET_V1_REC : sizeof(ngx_sluice_frag_t);
}


/*
 * n bytes of a descriptor were read into *at: NGX_OK if they are one of
 * versions 1 to 3 (the members an older version lacks are zeroed), its
 * strings terminated; else NGX_DECLINED
 */

static ngx_inline ngx_int_t
ngx_sluice_asset_track_check(ngx_sluice_asset_track_t *at, ssize_t n)
{
    if (n < (ssize_t) NGX_SLUICE_ASSET_V1_TRACK
        || at->magic != NGX_SLUICE_ASSET_MAGIC
        || at->version < 1 || at->version > NGX_SLUICE_ASSET_VERSION
        || n != (ssize_t) ngx_sluice_asset_track_size(at->version))
    {
        return NGX_DECLINED;
    }

    if (at->version == 1) {
        ngx_memzero(at->info.lang, sizeof(at->info.lang));
    }

    if (at->version < 3) {
        at->info.captions = 0;
    }

    at->stream[NGX_SLUICE_STREAM_LEN] = '\0';
    at->info.lang[SLUICE_MAX_LANG - 1] = '\0';

    return NGX_OK;
}


/*
 * Records of a version 1 index were read packed at recs: spread them in
 * place to whole ngx_sluice_frag_t (from the last, as they grow), with
 * no key_size.
 */

static ngx_inline void
ngx_sluice_asset_recs_widen(ngx_sluice_frag_t *recs, uint64_t n)
{
    u_char  *p;

    p = (u_char *) recs;

    while (n--) {
        ngx_memmove(&recs[n], p + n * NGX_SLUICE_ASSET_V1_REC,
                    NGX_SLUICE_ASSET_V1_REC);
        recs[n].key_size = 0;
        recs[n].reserved = 0;
    }
}


/*
 * Recorder (src/ngx_sluice_recorder.c), used by the ingest.
 *
 * After a fragment entered the live index (event loop, mutex held),
 * ngx_sluice_recorder_collect() lists the assets of the event's live
 * outputs (not being deleted) and copies what their records need; then,
 * without the mutex, ngx_sluice_recorder_post() queues one job on the
 * track's writer, first in line (it runs before fragments queued
 * earlier), which for each asset in the thread pool: finds or claims the
 * asset slot of the stream and media type (mkdir), links the init
 * segment and writes the descriptor when the init version changes,
 * links the fragment, appends its record (fdatasync), then unlinks at
 * most a few fragments older than the archive window.  Its done handler
 * marks the live track NGX_SLUICE_UNHEALTHY_RECORD on failure and logs
 * (once per burst, and when recording resumes).
 *
 * The asset's own init versions: a slot continued by a later session
 * (a reconnect, a restart with a new generation) keeps its bitrate; its
 * init versions go on from the slot's newest (same bytes: same version).
 * So an index record's "init" names the asset's init{v}.mp4, which may
 * differ from the live event's number.
 */


#endif /* _NGX_SLUICE_ASSET_H_INCLUDED_ */
