
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The protected init segment of a track (ISO/IEC 23001-7 §4, 14496-12
 * §8.12) made from the clear one Sluice stores (sluice_cmaf_init_write):
 *
 *   moov                         size + sinf + pssh
 *     trak/mdia/minf/stbl        sizes + sinf
 *       stsd                     size + sinf
 *         avc1 -> encv           (hvc1, hev1, avc3 -> encv; mp4a -> enca)
 *           ...                  the entry's boxes as they were
 *           sinf                 appended: frma (the original FourCC),
 *                                schm, schi/tenc (sluice_cenc_box.h)
 *     ...
 *     pssh...                    appended at the end of the moov
 *
 * Everything else is copied byte for byte.  One track (one trak, one
 * sample entry) only, as Sluice stores them; 32-bit box sizes only.
 */


#ifndef _SLUICE_CENC_INIT_H_INCLUDED_
#define _SLUICE_CENC_INIT_H_INCLUDED_


#include "media/crypto/sluice_cenc_box.h"


/*
 * The size of the protected init segment of in[0..len) with track t's
 * sinf and pssh_len bytes of pssh boxes: SLUICE_OK and *size, or
 * SLUICE_BAD_DATA (not an init segment, already protected) or
 * SLUICE_UNSUPPORTED (several tracks or entries, another codec).
 */
sluice_status_t sluice_cenc_init_size(const uint8_t *in, size_t len,
    const sluice_cenc_track_t *t, size_t pssh_len, size_t *size);

/*
 * Writes it to out (sluice_cenc_init_size() bytes); pssh holds pssh_len
 * bytes of whole pssh boxes (sluice_drm_pssh_write()).  Returns the end
 * of what was written, NULL when sluice_cenc_init_size() fails.
 */
uint8_t *sluice_cenc_init_write(uint8_t *out, const uint8_t *in, size_t len,
    const sluice_cenc_track_t *t, const uint8_t *pssh, size_t pssh_len);


#endif /* _SLUICE_CENC_INIT_H_INCLUDED_ */
