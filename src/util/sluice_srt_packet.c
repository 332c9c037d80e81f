
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * SRT packets: parsing and building (sluice_srt_packet.h).
 */


#include <stddef.h>
#include <string.h>

#include "util/sluice_srt_packet.h"


static uint32_t
rd32(const uint8_t *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16
           | (uint32_t) p[2] << 8 | p[3];
}


static uint8_t *
wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t) (v >> 24);
    p[1] = (uint8_t) (v >> 16);
    p[2] = (uint8_t) (v >> 8);
    p[3] = (uint8_t) v;

    return p + 4;
}


sluice_status_t
sluice_srt_packet_parse(sluice_srt_packet_t *pk, const uint8_t *p,
    size_t len)
{
    uint32_t  w0, w1;

    if (len < SLUICE_SRT_HEADER) {
        return SLUICE_BAD_DATA;
    }

    memset(pk, 0, sizeof(sluice_srt_packet_t));

    w0 = rd32(p);
    w1 = rd32(p + 4);

    if (w0 & 0x80000000u) {
        pk->control = 1;
        pk->type = (uint16_t) ((w0 >> 16) & 0x7fff);
        pk->subtype = (uint16_t) w0;
        pk->info = w1;

    } else {
        pk->seq = w0;
        pk->kk = (w1 >> 27) & 3;
        pk->retransmitted = (w1 >> 26) & 1;
        pk->msgno = w1 & 0x03ffffff;
    }

    pk->timestamp = rd32(p + 8);
    pk->dst = rd32(p + 12);
    pk->body = p + SLUICE_SRT_HEADER;
    pk->body_len = len - SLUICE_SRT_HEADER;

    return SLUICE_OK;
}


/* a string extension: each word's bytes reversed, zeros at the end cut */

static size_t
hs_string(uint8_t *out, size_t size, const uint8_t *p, size_t words)
{
    size_t  i, n;

    n = 0;

    for (i = 0; i < words && n + 4 <= size; i++, p += 4) {
        out[n++] = p[3];
        out[n++] = p[2];
        out[n++] = p[1];
        out[n++] = p[0];
    }

    while (n && out[n - 1] == '\0') {
        n--;
    }

    return n;
}


sluice_status_t
sluice_srt_hs_parse(sluice_srt_hs_t *hs, const uint8_t *p, size_t len)
{
    size_t          words;
    uint8_t         cc[16];
    uint32_t        w, lat;
    uint16_t        cmd;
    const uint8_t  *end;

    if (len < SLUICE_SRT_HS_CIF) {
        return SLUICE_BAD_DATA;
    }

    memset(hs, 0, offsetof(sluice_srt_hs_t, sid));
    hs->sid_len = 0;

    hs->version = rd32(p);
    w = rd32(p + 4);
    hs->encryption = (uint16_t) (w >> 16);
    hs->extension = (uint16_t) w;
    hs->isn = rd32(p + 8) & SLUICE_SRT_SEQ_MASK;
    hs->mtu = rd32(p + 12);
    hs->flow_window = rd32(p + 16);
    hs->type = rd32(p + 20);
    hs->id = rd32(p + 24);
    hs->cookie = rd32(p + 28);
    memcpy(hs->peer_ip, p + 32, 16);

    if (hs->version < 5 || hs->type != SLUICE_SRT_HS_CONCLUSION) {
        return SLUICE_OK;
    }

    end = p + len;
    p += SLUICE_SRT_HS_CIF;

    while (end - p >= 4) {
        w = rd32(p);
        cmd = (uint16_t) (w >> 16);
        words = w & 0xffff;
        p += 4;

        if ((size_t) (end - p) / 4 < words) {
            return SLUICE_BAD_DATA;
        }

        switch (cmd) {

        case SLUICE_SRT_CMD_HSREQ:
            if (words < 3) {
                return SLUICE_BAD_DATA;
            }

            hs->has_hsreq = 1;
            hs->srt_version = rd32(p);
            hs->srt_flags = rd32(p + 4);
            lat = rd32(p + 8);
            hs->rcv_latency = (uint16_t) (lat >> 16);
            hs->snd_latency = (uint16_t) lat;
            break;

        case SLUICE_SRT_CMD_KMREQ:
            if (words < 4) {
                return SLUICE_BAD_DATA;
            }

            hs->has_km = 1;
            hs->km = p;
            hs->km_len = words * 4;
            break;

        case SLUICE_SRT_CMD_SID:
            if (words * 4 > SLUICE_SRT_SID_MAX) {
                return SLUICE_BAD_DATA;
            }

            hs->has_sid = 1;
            hs->sid_len = hs_string(hs->sid, sizeof(hs->sid), p, words);
            break;

        case SLUICE_SRT_CMD_CONGESTION:
            if (hs_string(cc, sizeof(cc), p, words) != 4
                || memcmp(cc, "live", 4) != 0)
            {
                hs->congestion_other = 1;
            }

            break;

        case SLUICE_SRT_CMD_FILTER:
            hs->has_filter = 1;
            break;

        case SLUICE_SRT_CMD_GROUP:
            hs->has_group = 1;
            break;

        default:
            break;
        }

        p += words * 4;
    }

    return SLUICE_OK;
}


sluice_status_t
sluice_srt_km_parse(sluice_srt_km_t *km, const uint8_t *p, size_t len)
{
    size_t  slen, klen, nkeys;

    memset(km, 0, sizeof(sluice_srt_km_t));

    /* S, V (1), PT (2: KM), sign; keys; KEKI; cipher, auth, SE; lengths */

    if (len < 16
        || (p[0] >> 4) != 1 || (p[0] & 0xf) != 2
        || (p[1] << 8 | p[2]) != SLUICE_SRT_KM_SIGN)
    {
        return SLUICE_BAD_DATA;
    }

    km->keys = p[3] & 3;
    km->cipher = p[8];
    slen = (size_t) p[14] * 4;
    klen = (size_t) p[15] * 4;

    if (km->keys == 0 || slen != SLUICE_SRT_KM_SALT
        || (klen != 16 && klen != 24 && klen != 32))
    {
        return SLUICE_BAD_DATA;
    }

    if (km->cipher != SLUICE_SRT_KM_CIPHER_CTR || p[9] != 0) {
        return SLUICE_UNSUPPORTED;
    }

    nkeys = (km->keys == 3) ? 2 : 1;

    if (len < 16 + slen + nkeys * klen + 8) {
        return SLUICE_BAD_DATA;
    }

    km->key_len = klen;
    km->salt = p + 16;
    km->wrapped = p + 16 + slen;
    km->wrapped_len = nkeys * klen + 8;

    return SLUICE_OK;
}


size_t
sluice_srt_ctrl_write(uint8_t *p, uint16_t type, uint16_t subtype,
    uint32_t info, uint32_t timestamp, uint32_t dst)
{
    p = wr32(p, 0x80000000u | (uint32_t) (type & 0x7fff) << 16 | subtype);
    p = wr32(p, info);
    p = wr32(p, timestamp);
    (void) wr32(p, dst);

    return SLUICE_SRT_HEADER;
}


size_t
sluice_srt_hs_write(uint8_t *p, size_t size, const sluice_srt_hs_t *hs,
    uint32_t timestamp, uint32_t dst, uint32_t srt_flags, uint16_t latency,
    const uint8_t *km, size_t km_len)
{
    size_t    n, words;
    uint8_t  *q;
    unsigned  ext;

    ext = (hs->type == SLUICE_SRT_HS_CONCLUSION && hs->version >= 5);
    km_len &= ~(size_t) 3;

    n = SLUICE_SRT_HEADER + SLUICE_SRT_HS_CIF;

    if (ext) {
        n += 16 + (km_len ? 4 + km_len : 0);
    }

    if (size < n) {
        return 0;
    }

    q = p + sluice_srt_ctrl_write(p, SLUICE_SRT_HANDSHAKE, 0, 0, timestamp,
                                  dst);

    q = wr32(q, hs->version);
    q = wr32(q, (uint32_t) hs->encryption << 16 | hs->extension);
    q = wr32(q, hs->isn);
    q = wr32(q, hs->mtu);
    q = wr32(q, hs->flow_window);
    q = wr32(q, hs->type);
    q = wr32(q, hs->id);
    q = wr32(q, hs->cookie);
    memcpy(q, hs->peer_ip, 16);
    q += 16;

    if (!ext) {
        return n;
    }

    q = wr32(q, (uint32_t) SLUICE_SRT_CMD_HSRSP << 16 | 3);
    q = wr32(q, hs->srt_version);
    q = wr32(q, srt_flags);
    q = wr32(q, (uint32_t) latency << 16 | latency);

    if (km_len) {
        words = km_len / 4;
        q = wr32(q, (uint32_t) SLUICE_SRT_CMD_KMRSP << 16 | (uint32_t) words);
        memcpy(q, km, km_len);
    }

    return n;
}


size_t
sluice_srt_ack_write(uint8_t *p, uint32_t ackno, uint32_t timestamp,
    uint32_t dst, uint32_t seq, uint32_t rtt, uint32_t rttvar,
    uint32_t avail, uint32_t pkt_rate, uint32_t byte_rate)
{
    uint8_t  *q;

    q = p + sluice_srt_ctrl_write(p, SLUICE_SRT_ACK, 0, ackno, timestamp,
                                  dst);
    q = wr32(q, seq);

    if (ackno == 0) {
        return SLUICE_SRT_HEADER + 4;
    }

    q = wr32(q, rtt);
    q = wr32(q, rttvar);
    q = wr32(q, avail);
    q = wr32(q, pkt_rate);
    q = wr32(q, pkt_rate);          /* the link's capacity: not probed */
    (void) wr32(q, byte_rate);

    return SLUICE_SRT_HEADER + 28;
}


size_t
sluice_srt_nak_write(uint8_t *p, size_t size, uint32_t timestamp,
    uint32_t dst, const sluice_srt_range_t *r, size_t n)
{
    size_t    i, need;
    uint8_t  *q, *end;

    if (size < SLUICE_SRT_HEADER + 4) {
        return 0;
    }

    end = p + size;
    q = p + sluice_srt_ctrl_write(p, SLUICE_SRT_NAK, 0, 0, timestamp, dst);

    for (i = 0; i < n; i++) {
        need = (r[i].from == r[i].to) ? 4 : 8;

        if ((size_t) (end - q) < need) {
            break;
        }

        if (need == 4) {
            q = wr32(q, r[i].from & SLUICE_SRT_SEQ_MASK);

        } else {
            q = wr32(q, 0x80000000u | (r[i].from & SLUICE_SRT_SEQ_MASK));
            q = wr32(q, r[i].to & SLUICE_SRT_SEQ_MASK);
        }
    }

    return (i == 0) ? 0 : (size_t) (q - p);
}
