
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Media of an asset, as a live output records it and the packager plays
 * it back (cloud DVR while recording, video on demand after).
 *
 *   {data}/assets/{assetId}/
 *       {slot}/                 one per recorded track: the live event's
 *                               track slot (ngx_sluice_track_t.index)
 *           track               ngx_sluice_asset_track_t, written to
 *                               "track.tmp" then renamed, whenever the
 *                               track opens or its init version changes
 *           init{v}.mp4         hard links of the live event's files
 *           {time}.m4s          (the bytes are stored once)
 *           index               ngx_sluice_frag_t records (as in shared
 *                               memory, with the final seq), appended in
 *                               time order, one write() each, only after
 *                               the fragment's link exists; a trailing
 *                               partial record (crash) is ignored
 *
 * The live fragment ring evicts only the live name of a file; the asset's
 * link keeps the bytes until the archive window trims them (the recorder
 * unlinks fragments ending before last end - archive window; index
 * records of trimmed fragments stay and readers skip them by the same
 * rule).  Recording writes run in the thread pool, never in the event
 * loop.  An asset is live while a live output records into it
 * (ngx_sluice_live_output_by_asset() finds one and its event is Running);
 * otherwise it is video on demand.
 */


#ifndef _NGX_SLUICE_ASSET_H_INCLUDED_
#define _NGX_SLUICE_ASSET_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_sluice.h"


#define NGX_SLUICE_ASSET_MAGIC     0x534c4154     /* "SLAT" */
#define NGX_SLUICE_ASSET_VERSION   1


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


#endif /* _NGX_SLUICE_ASSET_H_INCLUDED_ */
