
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * An ID3v2.4 tag of one frame (ID3 tag version 2.4.0, main structure
 * and native frames): the timed metadata AMS carried in HLS TS (PES
 * stream_id 0xBD, stream_type 0x15) and in CMAF emsg boxes.
 *
 *   "ID3" 04 00 | flags 00 | size (synchsafe, after the header)
 *   frame id | size (synchsafe, after the frame header) | flags 00 00
 *   PRIV: owner identifier, NUL, private data
 *   TXXX: encoding 03 (UTF-8), description, NUL, value
 *
 * No unsynchronisation, no extended header, no footer.  Size first, then
 * write (write returns p + size).
 */


#ifndef _SLUICE_ID3_H_INCLUDED_
#define _SLUICE_ID3_H_INCLUDED_


#include "media/sluice_media.h"


#define SLUICE_ID3_PRIV         0x50524956      /* "PRIV" */
#define SLUICE_ID3_TXXX         0x54585858      /* "TXXX" */

#define SLUICE_ID3_HEADER       10
#define SLUICE_ID3_MAX_SIZE     0x0FFFFFFF      /* 28 synchsafe bits */


typedef struct {
    uint32_t        frame;      /* SLUICE_ID3_PRIV or SLUICE_ID3_TXXX */
    sluice_str_t    owner;      /* PRIV owner, TXXX description: no NUL */
    sluice_str_t    data;       /* PRIV data, TXXX value (UTF-8) */
} sluice_id3_frame_t;


/*
 * The tag's size; 0 when it cannot be written: another frame, a NUL in
 * the owner (or in a TXXX value), over SLUICE_ID3_MAX_SIZE
 */
size_t sluice_id3_size(const sluice_id3_frame_t *f);
uint8_t *sluice_id3_write(uint8_t *p, const sluice_id3_frame_t *f);

/* a 28-bit value as 4 synchsafe bytes (7 bits each, high bit 0) */
uint8_t *sluice_id3_synchsafe(uint8_t *p, uint32_t v);


#endif /* _SLUICE_ID3_H_INCLUDED_ */
