/* SPDX-License-Identifier: ISC */
/*
 * IGMP message codec.  Decoding checks everything a packet could get wrong
 * before anything reads a field: the length for its type, the checksum, the
 * group address, every v3 record's type and source count against the bytes
 * that are there.  The state machines never see a message that fails here.
 */
#include <arpa/inet.h>
#include <string.h>

#include "cksum.h"
#include "igmp_msg.h"

#define IGMP_HDR_LEN		8
#define IGMP_V3_QUERY_LEN	12
#define IGMP_V3_REC_HDR		8

/* The names of the drop counters in yang/pimd.yang, and of the log lines. */
static const char *const err_names[IGMP_ERR_MAX] = {
	[IGMP_OK] = "ok",
	[IGMP_ERR_SHORT] = "too-short",
	[IGMP_ERR_CHECKSUM] = "bad-checksum",
	[IGMP_ERR_TYPE] = "unknown-type",
	[IGMP_ERR_NSRC] = "bad-source-count",
	[IGMP_ERR_GROUP] = "bad-group",
	[IGMP_ERR_RECORD] = "bad-record",
};

const char *
igmp_err_name(enum igmp_err e)
{
	return e < IGMP_ERR_MAX ? err_names[e] : "?";
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static struct in_addr
get_addr(const uint8_t *p)
{
	struct in_addr a;

	memcpy(&a, p, sizeof(a));
	return a;
}

struct in_addr
igmp_src(const uint8_t *srcs, unsigned i)
{
	return get_addr(srcs + 4 * i);
}

static bool
is_multicast(struct in_addr a)
{
	return IN_MULTICAST(ntohl(a.s_addr));
}

uint32_t
igmp_code_decode(uint8_t code)
{
	if (code < 128)
		return code;
	/* 1 | exp(3) | mant(4): (mant | 0x10) << (exp + 3) */
	return (uint32_t)((code & 0x0f) | 0x10) << (((code >> 4) & 0x07) + 3);
}

uint8_t
igmp_code_encode(uint32_t value)
{
	unsigned exp;

	if (value < 128)
		return (uint8_t)value;
	/* The largest value the code can carry is 0x1f << 10 = 31744. */
	if (value > 31744)
		value = 31744;
	for (exp = 0; (value >> (exp + 3)) > 0x1f; exp++)
		;
	/* Rounds down, so the encoded time never exceeds the configured one. */
	return (uint8_t)(0x80 | exp << 4 | ((value >> (exp + 3)) & 0x0f));
}

static enum igmp_err
decode_query(const uint8_t *buf, size_t len, struct igmp_query *q)
{
	memset(q, 0, sizeof(*q));
	q->group = get_addr(buf + 4);
	if (q->group.s_addr != INADDR_ANY && !is_multicast(q->group))
		return IGMP_ERR_GROUP;
	/* RFC 3376 §7.1: the version is told by length and Max Resp Code. */
	if (len == IGMP_HDR_LEN) {
		q->version = buf[1] == 0 ? 1 : 2;
		q->max_resp_ds = buf[1] == 0 ? 100 : buf[1];
		return IGMP_OK;
	}
	if (len < IGMP_V3_QUERY_LEN)
		return IGMP_ERR_SHORT;
	q->version = 3;
	q->max_resp_ds = igmp_code_decode(buf[1]);
	q->s_flag = (buf[8] & 0x08) != 0;
	q->qrv = buf[8] & 0x07;
	q->qqi = igmp_code_decode(buf[9]);
	q->nsrc = get16(buf + 10);
	if ((size_t)q->nsrc * 4 > len - IGMP_V3_QUERY_LEN)
		return IGMP_ERR_NSRC;
	q->srcs = buf + IGMP_V3_QUERY_LEN;
	return IGMP_OK;
}

/* *used: the bytes the nrec records take; anything after them is not a record. */
static enum igmp_err
check_records(const uint8_t *p, size_t len, uint16_t nrec, size_t *used)
{
	size_t off = 0;

	for (unsigned i = 0; i < nrec; i++) {
		size_t need;

		if (len - off < IGMP_V3_REC_HDR)
			return IGMP_ERR_SHORT;
		if (p[off] < IGMP_MODE_IS_INCLUDE || p[off] > IGMP_BLOCK_OLD_SOURCES)
			return IGMP_ERR_RECORD;
		if (!is_multicast(get_addr(p + off + 4)))
			return IGMP_ERR_GROUP;
		need = IGMP_V3_REC_HDR + 4 * ((size_t)get16(p + off + 2) +
		    p[off + 1]);
		if (need > len - off)
			return IGMP_ERR_NSRC;
		off += need;
	}
	*used = off;
	return IGMP_OK;
}

enum igmp_err
igmp_decode(const uint8_t *buf, size_t len, struct igmp_msg *m)
{
	memset(m, 0, sizeof(*m));
	if (len < IGMP_HDR_LEN)
		return IGMP_ERR_SHORT;
	if (in_cksum(buf, len) != 0)
		return IGMP_ERR_CHECKSUM;
	m->type = buf[0];
	switch (m->type) {
	case IGMP_MEMBERSHIP_QUERY:
		return decode_query(buf, len, &m->u.query);
	case IGMP_V1_REPORT:
	case IGMP_V2_REPORT:
	case IGMP_V2_LEAVE:
		m->u.group = get_addr(buf + 4);
		return is_multicast(m->u.group) ? IGMP_OK : IGMP_ERR_GROUP;
	case IGMP_V3_REPORT:
		m->u.v3.nrec = get16(buf + 6);
		m->u.v3.recs = buf + IGMP_HDR_LEN;
		/* igmp_next_record walks to len: only what was checked. */
		return check_records(m->u.v3.recs, len - IGMP_HDR_LEN,
		    m->u.v3.nrec, &m->u.v3.len);
	default:
		return IGMP_ERR_TYPE;
	}
}

bool
igmp_next_record(const struct igmp_msg *m, size_t *off, struct igmp_record *r)
{
	const uint8_t *p = m->u.v3.recs + *off;

	if (*off >= m->u.v3.len || m->u.v3.len - *off < IGMP_V3_REC_HDR)
		return false;
	r->type = (enum igmp_rec_type)p[0];
	r->nsrc = get16(p + 2);
	r->group = get_addr(p + 4);
	r->srcs = p + IGMP_V3_REC_HDR;
	*off += IGMP_V3_REC_HDR + 4 * ((size_t)r->nsrc + p[1]);
	return true;
}

size_t
igmp_encode_query(uint8_t *buf, uint8_t version, struct in_addr group,
    uint32_t max_resp_ds, bool s_flag, uint8_t qrv, uint32_t qqi,
    const struct in_addr *srcs, uint16_t nsrc)
{
	size_t len = version == 3 ? IGMP_V3_QUERY_LEN + 4 * (size_t)nsrc : IGMP_HDR_LEN;
	uint16_t ck;

	memset(buf, 0, len);
	buf[0] = IGMP_MEMBERSHIP_QUERY;
	if (version == 3) {
		buf[1] = igmp_code_encode(max_resp_ds);
		/* QRV above 7 is sent as 0 (RFC 3376 §4.1.6). */
		buf[8] = (uint8_t)((s_flag ? 0x08 : 0) | (qrv <= 7 ? qrv : 0));
		buf[9] = igmp_code_encode(qqi);
		buf[10] = (uint8_t)(nsrc >> 8);
		buf[11] = (uint8_t)nsrc;
		if (nsrc > 0)	/* srcs may be NULL then: no memcpy from NULL */
			memcpy(buf + IGMP_V3_QUERY_LEN, srcs, 4 * (size_t)nsrc);
	} else
		buf[1] = (uint8_t)(max_resp_ds > 255 ? 255 : max_resp_ds);
	memcpy(buf + 4, &group, 4);
	ck = in_cksum(buf, len);
	memcpy(buf + 2, &ck, 2);
	return len;
}
