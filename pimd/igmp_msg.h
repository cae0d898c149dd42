/* SPDX-License-Identifier: ISC */
/*
 * IGMP messages (RFC 2236 §2, RFC 3376 §4): decoding into host-order structs
 * after every length and field check, and encoding of queries.  No state.
 */
#ifndef PIMD_IGMP_MSG_H
#define PIMD_IGMP_MSG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IGMP_MEMBERSHIP_QUERY	0x11
#define IGMP_V1_REPORT		0x12
#define IGMP_V2_REPORT		0x16
#define IGMP_V2_LEAVE		0x17
#define IGMP_V3_REPORT		0x22

/* RFC 3376 §4.2.12 record types. */
enum igmp_rec_type {
	IGMP_MODE_IS_INCLUDE = 1,
	IGMP_MODE_IS_EXCLUDE = 2,
	IGMP_CHANGE_TO_INCLUDE = 3,
	IGMP_CHANGE_TO_EXCLUDE = 4,
	IGMP_ALLOW_NEW_SOURCES = 5,
	IGMP_BLOCK_OLD_SOURCES = 6,
};

/* Why a message was rejected; the counters and logs use these names. */
enum igmp_err {
	IGMP_OK,
	IGMP_ERR_SHORT,		/* shorter than its type needs */
	IGMP_ERR_CHECKSUM,
	IGMP_ERR_TYPE,		/* unknown type */
	IGMP_ERR_NSRC,		/* source count runs past the end */
	IGMP_ERR_GROUP,		/* group not a valid multicast address */
	IGMP_ERR_RECORD,	/* unknown group record type */
	IGMP_ERR_MAX
};

const char *igmp_err_name(enum igmp_err);

struct igmp_query {
	uint8_t		version;	/* 1, 2 or 3, from length and code (§7.1) */
	struct in_addr	group;		/* 0.0.0.0: general query */
	uint32_t	max_resp_ds;	/* Max Resp Time, deciseconds */
	bool		s_flag;		/* v3: suppress router-side processing */
	uint8_t		qrv;		/* v3 */
	uint32_t	qqi;		/* v3: querier's query interval, s */
	uint16_t	nsrc;
	const uint8_t	*srcs;		/* nsrc addresses, network order, unaligned */
};

struct igmp_record {
	enum igmp_rec_type type;
	struct in_addr	group;
	uint16_t	nsrc;
	const uint8_t	*srcs;
};

struct igmp_msg {
	uint8_t		type;
	union {
		struct igmp_query query;
		struct in_addr	group;		/* v1/v2 report, v2 leave */
		struct {
			uint16_t	nrec;
			const uint8_t	*recs;	/* records, checked by igmp_decode */
			size_t		len;
		} v3;
	} u;
};

/* Check and decode one IGMP message (the IP payload). */
enum igmp_err igmp_decode(const uint8_t *buf, size_t len, struct igmp_msg *m);
/*
 * Walk the group records of a decoded v3 report: *off starts at 0; returns
 * false after the last one.  igmp_decode has already checked every length.
 */
bool	igmp_next_record(const struct igmp_msg *m, size_t *off, struct igmp_record *r);
struct in_addr igmp_src(const uint8_t *srcs, unsigned i);

/* RFC 3376 §4.1.1 / §4.1.7 floating-point codes. */
uint32_t igmp_code_decode(uint8_t code);
uint8_t	igmp_code_encode(uint32_t value);

/*
 * Build a query into buf (at least 12 + 4 * nsrc bytes); version 2 builds the
 * 8-byte form.  Returns its length.
 */
size_t	igmp_encode_query(uint8_t *buf, uint8_t version, struct in_addr group,
	    uint32_t max_resp_ds, bool s_flag, uint8_t qrv, uint32_t qqi,
	    const struct in_addr *srcs, uint16_t nsrc);

#endif
