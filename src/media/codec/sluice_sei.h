
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Closed captions in SEI: which CEA-608/708 services an H.264 or H.265
 * access unit carries (ATSC A/53 Part 4, ANSI/SCTE 128, CTA-708).
 *
 * Carriage: an SEI NAL unit (H.264 type 6, H.265 prefix 39 or suffix
 * 40) holds sei_message()s; payloadType 4 is
 * user_data_registered_itu_t_t35:
 *
 *     itu_t_t35_country_code       0xB5 (USA)
 *     itu_t_t35_provider_code      0x0031 (ATSC), 16 bits
 *     user_identifier              "GA94" (0x47413934)
 *     user_data_type_code          0x03: cc_data()
 *     cc_data():
 *         reserved(1) process_cc_data_flag(1) additional_data_flag(1)
 *         cc_count(5), em_data(8),
 *         cc_count x { marker(5) cc_valid(1) cc_type(2),
 *                      cc_data_1(8), cc_data_2(8) },
 *         marker_bits(8)
 *
 * cc_type 0: CEA-608 field 1 (CC1, CC2), 1: field 2 (CC3, CC4), 2: DTVCC
 * packet data, 3: DTVCC packet start (CEA-708 services).
 *
 * A service counts as present when a construct of it is valid and not
 * padding: a 608 pair with cc_valid set whose bytes are not both null
 * once their parity bit is dropped (encoders send 0x80 0x80 on field 1
 * while no caption is on), a DTVCC packet start with cc_valid set.
 *
 * The SEI is read over its escaped bytes (emulation prevention bytes
 * skipped as read); the T.35 payload's first SLUICE_SEI_MAX_T35 bytes
 * are copied unescaped and read with the bit reader.  Nothing is
 * allocated: the ingest calls it on every video frame.
 */


#ifndef _SLUICE_SEI_H_INCLUDED_
#define _SLUICE_SEI_H_INCLUDED_


#include "media/codec/sluice_bits.h"
#include "media/codec/sluice_avc.h"
#include "media/codec/sluice_hevc.h"


#define SLUICE_HEVC_NAL_SEI_SUFFIX    40

#define SLUICE_SEI_USER_DATA_T35      4       /* payloadType */

/* T.35 bytes read: header (8) + cc_data of 31 constructs (2 + 93 + 1) */
#define SLUICE_SEI_MAX_T35            128


/*
 * The SLUICE_CAPTIONS_* of one NAL unit (its header included, escaped as
 * stored) of codec (SLUICE_CODEC_AVC or SLUICE_CODEC_HEVC); 0 for any
 * other NAL unit, a malformed one, or an SEI without captions.  SEI
 * messages before a malformed one still count.
 */
uint32_t sluice_sei_nal_captions(const uint8_t *nal, size_t len,
    uint32_t codec);

/*
 * The SLUICE_CAPTIONS_* of a length-prefixed access unit (nal_length_size
 * 1, 2 or 4; the sample as stored): only its SEI NAL units are read.
 * The NAL units before a length that runs past the end still count.
 */
uint32_t sluice_sei_captions(const uint8_t *au, size_t len, uint32_t codec,
    uint32_t nal_length_size);

/*
 * The SLUICE_CAPTIONS_* of a user_data_registered_itu_t_t35 payload
 * (unescaped): 0 unless it is ATSC GA94 cc_data.
 */
uint32_t sluice_sei_t35_captions(const uint8_t *p, size_t len);


#endif /* _SLUICE_SEI_H_INCLUDED_ */
