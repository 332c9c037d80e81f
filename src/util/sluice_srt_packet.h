
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * SRT packets (draft-sharabayko-srt), as a live-mode receiver that only
 * listens needs them: the 16-byte header of data and control packets,
 * the handshake (version 5: induction, conclusion, rejection) with its
 * HSREQ/HSRSP, KMREQ/KMRSP and stream id extensions, the key material
 * message, and the control packets the receiver sends (ACK, NAK,
 * keepalive, shutdown, KMRSP).  Sequence numbers are 31 bits and wrap.
 *
 * Parsing never allocates and never reads past the input; the results
 * point into it.  Everything on the wire is big-endian, except the
 * stream id, whose 32-bit words libsrt sends byte-reversed.
 */


#ifndef _SLUICE_SRT_PACKET_H_INCLUDED_
#define _SLUICE_SRT_PACKET_H_INCLUDED_


#include "util/sluice_base.h"


#define SLUICE_SRT_HEADER           16
#define SLUICE_SRT_HS_CIF           48
#define SLUICE_SRT_MTU              1500
#define SLUICE_SRT_PAYLOAD_MAX      (SLUICE_SRT_MTU - 28 - SLUICE_SRT_HEADER)
#define SLUICE_SRT_SEQ_MASK         0x7fffffffu
#define SLUICE_SRT_SID_MAX          512
#define SLUICE_SRT_MAGIC            0x4a17

/* control packet types */
#define SLUICE_SRT_HANDSHAKE        0
#define SLUICE_SRT_KEEPALIVE        1
#define SLUICE_SRT_ACK              2
#define SLUICE_SRT_NAK              3
#define SLUICE_SRT_CONGESTION       4
#define SLUICE_SRT_SHUTDOWN         5
#define SLUICE_SRT_ACKACK           6
#define SLUICE_SRT_DROPREQ          7
#define SLUICE_SRT_PEERERROR        8
#define SLUICE_SRT_USER             0x7fff

/* handshake types; rejections are SLUICE_SRT_HS_REJECT + reason */
#define SLUICE_SRT_HS_INDUCTION     1
#define SLUICE_SRT_HS_WAVEAHAND     0
#define SLUICE_SRT_HS_CONCLUSION    0xffffffffu
#define SLUICE_SRT_HS_AGREEMENT     0xfffffffeu
#define SLUICE_SRT_HS_REJECT        1000

/* handshake extension flags and types (also USER control subtypes) */
#define SLUICE_SRT_EXT_HSREQ        0x1
#define SLUICE_SRT_EXT_KMREQ        0x2
#define SLUICE_SRT_EXT_CONFIG       0x4

#define SLUICE_SRT_CMD_HSREQ        1
#define SLUICE_SRT_CMD_HSRSP        2
#define SLUICE_SRT_CMD_KMREQ        3
#define SLUICE_SRT_CMD_KMRSP        4
#define SLUICE_SRT_CMD_SID          5
#define SLUICE_SRT_CMD_CONGESTION   6
#define SLUICE_SRT_CMD_FILTER       7
#define SLUICE_SRT_CMD_GROUP        8

/* HSREQ/HSRSP flags */
#define SLUICE_SRT_OPT_TSBPDSND     0x01
#define SLUICE_SRT_OPT_TSBPDRCV     0x02
#define SLUICE_SRT_OPT_CRYPT        0x04
#define SLUICE_SRT_OPT_TLPKTDROP    0x08
#define SLUICE_SRT_OPT_NAKREPORT    0x10
#define SLUICE_SRT_OPT_REXMITFLG    0x20
#define SLUICE_SRT_OPT_STREAM       0x40
#define SLUICE_SRT_OPT_FILTERCAP    0x80

/* reject reasons below 1000 (libsrt's SRT_REJ_*); 1000 + HTTP above */
#define SLUICE_SRT_REJ_RESOURCE     3
#define SLUICE_SRT_REJ_ROGUE        4
#define SLUICE_SRT_REJ_BACKLOG      5
#define SLUICE_SRT_REJ_CLOSE        7
#define SLUICE_SRT_REJ_VERSION      8
#define SLUICE_SRT_REJ_BADSECRET    10
#define SLUICE_SRT_REJ_UNSECURE     11
#define SLUICE_SRT_REJ_MESSAGEAPI   12
#define SLUICE_SRT_REJ_CONGESTION   13
#define SLUICE_SRT_REJ_FILTER       14
#define SLUICE_SRT_REJ_GROUP        15
#define SLUICE_SRT_REJX_KEY_NOTSUP  1001
#define SLUICE_SRT_REJX_BAD_REQUEST 1400
#define SLUICE_SRT_REJX_FORBIDDEN   1403
#define SLUICE_SRT_REJX_NOTFOUND    1404
#define SLUICE_SRT_REJX_BAD_MODE    1405
#define SLUICE_SRT_REJX_UNACCEPTABLE 1406
#define SLUICE_SRT_REJX_CONFLICT    1409
#define SLUICE_SRT_REJX_NOTSUP_MEDIA 1415

/* key material */
#define SLUICE_SRT_KM_SIGN          0x2029      /* "HAI" */
#define SLUICE_SRT_KM_EVEN          0x1
#define SLUICE_SRT_KM_ODD           0x2
#define SLUICE_SRT_KM_CIPHER_CTR    2
#define SLUICE_SRT_KM_SALT          16
#define SLUICE_SRT_KM_MAX           (16 + 16 + 2 * 32 + 8)
#define SLUICE_SRT_KM_S_NOSECRET    3
#define SLUICE_SRT_KM_S_BADSECRET   4


typedef struct {
    unsigned        control:1;
    unsigned        retransmitted:1;
    unsigned        kk:2;           /* data: 0 clear, 1 even, 2 odd key */

    uint32_t        seq;            /* data */
    uint32_t        msgno;          /* data */

    uint16_t        type;           /* control */
    uint16_t        subtype;        /* control */
    uint32_t        info;           /* control: type-specific */

    uint32_t        timestamp;      /* microseconds of the sender */
    uint32_t        dst;            /* destination socket id */

    const uint8_t  *body;           /* payload or control information */
    size_t          body_len;
} sluice_srt_packet_t;


typedef struct {
    uint32_t        version;
    uint16_t        encryption;     /* key length / 8 advertised, 0 none */
    uint16_t        extension;      /* SLUICE_SRT_EXT_* or the magic */
    uint32_t        isn;
    uint32_t        mtu;
    uint32_t        flow_window;
    uint32_t        type;           /* SLUICE_SRT_HS_* */
    uint32_t        id;             /* the sender's socket id */
    uint32_t        cookie;
    uint8_t         peer_ip[16];    /* as the wire has it */

    /* extensions of a conclusion, parsed */
    unsigned        has_hsreq:1;
    unsigned        has_km:1;
    unsigned        has_sid:1;
    unsigned        has_filter:1;
    unsigned        has_group:1;
    unsigned        congestion_other:1;     /* not "live" */

    uint32_t        srt_version;
    uint32_t        srt_flags;
    uint16_t        rcv_latency;    /* ms: the peer's receiving latency */
    uint16_t        snd_latency;    /* ms: the latency the peer sends with */

    const uint8_t  *km;             /* KMREQ: the key material message */
    size_t          km_len;

    uint8_t         sid[SLUICE_SRT_SID_MAX];
    size_t          sid_len;
} sluice_srt_hs_t;


typedef struct {
    unsigned        keys:2;         /* SLUICE_SRT_KM_EVEN | _ODD */
    uint8_t         cipher;
    size_t          key_len;        /* 16, 24, 32 */
    const uint8_t  *salt;           /* SLUICE_SRT_KM_SALT bytes */
    const uint8_t  *wrapped;        /* RFC 3394 of the even, odd keys */
    size_t          wrapped_len;
} sluice_srt_km_t;


typedef struct {
    uint32_t        from;
    uint32_t        to;             /* inclusive */
} sluice_srt_range_t;


/* b - a, sequence numbers of 31 bits: negative when b is before a */
static inline int32_t
sluice_srt_seq_off(uint32_t a, uint32_t b)
{
    return (int32_t) ((b - a) << 1) >> 1;
}


static inline uint32_t
sluice_srt_seq_add(uint32_t a, int32_t n)
{
    return (a + (uint32_t) n) & SLUICE_SRT_SEQ_MASK;
}


/* SLUICE_OK or SLUICE_BAD_DATA (shorter than a header) */
sluice_status_t sluice_srt_packet_parse(sluice_srt_packet_t *pk,
    const uint8_t *p, size_t len);

/*
 * The handshake of a control packet's body; the extensions of a
 * conclusion too.  SLUICE_BAD_DATA when short, or an extension runs
 * past the end, or is malformed
 */
sluice_status_t sluice_srt_hs_parse(sluice_srt_hs_t *hs, const uint8_t *p,
    size_t len);

/* SLUICE_OK, SLUICE_BAD_DATA, or SLUICE_UNSUPPORTED (not AES-CTR) */
sluice_status_t sluice_srt_km_parse(sluice_srt_km_t *km, const uint8_t *p,
    size_t len);

/* a control packet's header; 16 */
size_t sluice_srt_ctrl_write(uint8_t *p, uint16_t type, uint16_t subtype,
    uint32_t info, uint32_t timestamp, uint32_t dst);

/*
 * A handshake packet (header and CIF) to dst; a conclusion response
 * gets an HSRSP with flags and latency, and a KMRSP when km_len (the
 * message echoed, or 4 bytes of a KM state).  The length written, 0
 * when size is too small
 */
size_t sluice_srt_hs_write(uint8_t *p, size_t size, const sluice_srt_hs_t *hs,
    uint32_t timestamp, uint32_t dst, uint32_t srt_flags, uint16_t latency,
    const uint8_t *km, size_t km_len);

/* a full ACK (ackno > 0) or a light one (ackno 0, the sequence only) */
size_t sluice_srt_ack_write(uint8_t *p, uint32_t ackno, uint32_t timestamp,
    uint32_t dst, uint32_t seq, uint32_t rtt, uint32_t rttvar,
    uint32_t avail, uint32_t pkt_rate, uint32_t byte_rate);

/* a NAK of ranges, as many as fit in size */
size_t sluice_srt_nak_write(uint8_t *p, size_t size, uint32_t timestamp,
    uint32_t dst, const sluice_srt_range_t *r, size_t n);


#endif /* _SLUICE_SRT_PACKET_H_INCLUDED_ */
