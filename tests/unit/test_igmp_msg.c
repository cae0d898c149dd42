/* SPDX-License-Identifier: ISC */
/*
 * The IGMP codec: query versions told by length and code (RFC 3376 §7.1),
 * v1/v2 reports and leaves (RFC 2236 §2), v3 reports and their group records
 * (RFC 3376 §4.2), every way a message is rejected, the floating-point Max
 * Resp Code / QQIC (§4.1.1, §4.1.7), and query encoding.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cksum.h"
#include "igmp_msg.h"

/* ---- building messages ------------------------------------------------- */

struct pkt {
	uint8_t	b[512];
	size_t	len;
};

static void
put8(struct pkt *p, uint8_t v)
{
	assert_true(p->len < sizeof(p->b));
	p->b[p->len++] = v;
}

static void
put16(struct pkt *p, uint16_t v)
{
	put8(p, (uint8_t)(v >> 8));
	put8(p, (uint8_t)v);
}

static void
put_addr(struct pkt *p, const char *a)
{
	struct in_addr in;

	assert_int_equal(inet_pton(AF_INET, a, &in), 1);
	assert_true(p->len + 4 <= sizeof(p->b));
	memcpy(p->b + p->len, &in, 4);
	p->len += 4;
}

static struct in_addr
ip(const char *a)
{
	struct in_addr in;

	assert_int_equal(inet_pton(AF_INET, a, &in), 1);
	return in;
}

/* Type, code, a checksum to fill in, then the group. */
static void
header(struct pkt *p, uint8_t type, uint8_t code, const char *group)
{
	p->len = 0;
	put8(p, type);
	put8(p, code);
	put16(p, 0);
	put_addr(p, group);
}

/* v3 report header: type, reserved, checksum, reserved, record count. */
static void
report_header(struct pkt *p, uint16_t nrec)
{
	p->len = 0;
	put8(p, IGMP_V3_REPORT);
	put8(p, 0);
	put16(p, 0);
	put16(p, 0);
	put16(p, nrec);
}

/* A group record: type, aux words, sources; aux data follows as 0xaa bytes. */
static void
record(struct pkt *p, uint8_t type, uint8_t aux_words, const char *group,
    unsigned nsrc, const char *const *srcs)
{
	put8(p, type);
	put8(p, aux_words);
	put16(p, (uint16_t)nsrc);
	put_addr(p, group);
	for (unsigned i = 0; i < nsrc; i++)
		put_addr(p, srcs[i]);
	for (unsigned i = 0; i < 4u * aux_words; i++)
		put8(p, 0xaa);
}

/* Fill in the checksum over the whole message. */
static void
seal(struct pkt *p)
{
	uint16_t ck;

	p->b[2] = p->b[3] = 0;
	ck = in_cksum(p->b, p->len);
	memcpy(p->b + 2, &ck, 2);
}

static enum igmp_err
decode(struct pkt *p, struct igmp_msg *m)
{
	seal(p);
	return igmp_decode(p->b, p->len, m);
}

/* v3 query: header, S|QRV, QQIC, sources. */
static void
v3_query(struct pkt *p, uint8_t code, const char *group, uint8_t sqrv,
    uint8_t qqic, unsigned nsrc, const char *const *srcs)
{
	header(p, IGMP_MEMBERSHIP_QUERY, code, group);
	put8(p, sqrv);
	put8(p, qqic);
	put16(p, (uint16_t)nsrc);
	for (unsigned i = 0; i < nsrc; i++)
		put_addr(p, srcs[i]);
}

/* ---- queries (RFC 3376 §7.1) -------------------------------------------- */

/* 8 bytes with code 0: IGMPv1, whose hosts wait up to 10 s. */
static void
query_v1(void **state)
{
	struct pkt p;
	struct igmp_msg m;

	header(&p, IGMP_MEMBERSHIP_QUERY, 0, "0.0.0.0");
	assert_int_equal(decode(&p, &m), IGMP_OK);
	assert_int_equal(m.type, IGMP_MEMBERSHIP_QUERY);
	assert_int_equal(m.u.query.version, 1);
	assert_int_equal(m.u.query.group.s_addr, INADDR_ANY);
	assert_int_equal(m.u.query.max_resp_ds, 100);
	assert_int_equal(m.u.query.nsrc, 0);
	assert_false(m.u.query.s_flag);
}

/* 8 bytes with a code: IGMPv2, the code in deciseconds. */
static void
query_v2(void **state)
{
	struct pkt p;
	struct igmp_msg m;

	header(&p, IGMP_MEMBERSHIP_QUERY, 100, "0.0.0.0");
	assert_int_equal(decode(&p, &m), IGMP_OK);
	assert_int_equal(m.u.query.version, 2);
	assert_int_equal(m.u.query.max_resp_ds, 100);
	assert_int_equal(m.u.query.group.s_addr, INADDR_ANY);

	/* Group specific; a v2 code is linear, even above 127. */
	header(&p, IGMP_MEMBERSHIP_QUERY, 200, "239.1.2.3");
	assert_int_equal(decode(&p, &m), IGMP_OK);
	assert_int_equal(m.u.query.version, 2);
	assert_int_equal(m.u.query.max_resp_ds, 200);
	assert_int_equal(m.u.query.group.s_addr, ip("239.1.2.3").s_addr);
}

/* 12 bytes or more: IGMPv3, with S, QRV, QQIC and sources. */
static void
query_v3(void **state)
{
	const char *srcs[] = { "198.51.100.1", "198.51.100.2" };
	struct pkt p;
	struct igmp_msg m;
	struct igmp_query *q = &m.u.query;

	v3_query(&p, 100, "232.1.1.1", 0x08 | 2, 125, 2, srcs);
	assert_int_equal(decode(&p, &m), IGMP_OK);
	assert_int_equal(q->version, 3);
	assert_int_equal(q->group.s_addr, ip("232.1.1.1").s_addr);
	assert_int_equal(q->max_resp_ds, 100);
	assert_true(q->s_flag);
	assert_int_equal(q->qrv, 2);
	assert_int_equal(q->qqi, 125);
	assert_int_equal(q->nsrc, 2);
	assert_ptr_equal(q->srcs, p.b + 12);
	assert_int_equal(igmp_src(q->srcs, 0).s_addr, ip(srcs[0]).s_addr);
	assert_int_equal(igmp_src(q->srcs, 1).s_addr, ip(srcs[1]).s_addr);

	/* Codes from 128 are floating point; the Resv bits are ignored. */
	v3_query(&p, 0x8f, "0.0.0.0", 0xf0 | 7, 0xff, 0, NULL);
	assert_int_equal(decode(&p, &m), IGMP_OK);
	assert_int_equal(q->version, 3);
	assert_int_equal(q->max_resp_ds, 248);
	assert_false(q->s_flag);
	assert_int_equal(q->qrv, 7);
	assert_int_equal(q->qqi, 31744);
	assert_int_equal(q->nsrc, 0);

	/* A v3 query with code 0 is still v3. */
	v3_query(&p, 0, "0.0.0.0", 0, 0, 0, NULL);
	assert_int_equal(decode(&p, &m), IGMP_OK);
	assert_int_equal(q->version, 3);
	assert_int_equal(q->max_resp_ds, 0);
}

/* Bytes past the sources are allowed (§4.1.10: ignored). */
static void
query_v3_trailing_bytes(void **state)
{
	const char *srcs[] = { "198.51.100.1" };
	struct pkt p;
	struct igmp_msg m;

	v3_query(&p, 10, "232.1.1.1", 2, 125, 1, srcs);
	put16(&p, 0x1234);
	put16(&p, 0x5678);
	assert_int_equal(decode(&p, &m), IGMP_OK);
	assert_int_equal(m.u.query.nsrc, 1);
}

/* 9 to 11 bytes fit no version: silently ignored (§7.1). */
static void
query_9_to_11_bytes_is_short(void **state)
{
	struct pkt p;
	struct igmp_msg m;

	for (size_t len = 9; len <= 11; len++) {
		header(&p, IGMP_MEMBERSHIP_QUERY, 100, "0.0.0.0");
		while (p.len < len)
			put8(&p, 0);
		assert_int_equal(decode(&p, &m), IGMP_ERR_SHORT);
	}
}

static void
query_nsrc_past_end(void **state)
{
	const char *srcs[] = { "198.51.100.1", "198.51.100.2" };
	struct pkt p;
	struct igmp_msg m;

	v3_query(&p, 10, "232.1.1.1", 2, 125, 2, srcs);
	p.b[11] = 3;				/* says 3, carries 2 */
	assert_int_equal(decode(&p, &m), IGMP_ERR_NSRC);
	p.len -= 1;				/* 2 sources minus a byte */
	p.b[11] = 2;
	assert_int_equal(decode(&p, &m), IGMP_ERR_NSRC);
	p.b[10] = 0xff;				/* 65282: no overflow */
	p.b[11] = 0x02;
	assert_int_equal(decode(&p, &m), IGMP_ERR_NSRC);
}

/* A query's group is 0.0.0.0 (general) or multicast. */
static void
query_bad_group(void **state)
{
	struct pkt p;
	struct igmp_msg m;

	header(&p, IGMP_MEMBERSHIP_QUERY, 100, "10.1.2.3");
	assert_int_equal(decode(&p, &m), IGMP_ERR_GROUP);
	v3_query(&p, 100, "255.255.255.255", 2, 125, 0, NULL);
	assert_int_equal(decode(&p, &m), IGMP_ERR_GROUP);
	v3_query(&p, 100, "240.0.0.1", 2, 125, 0, NULL);
	assert_int_equal(decode(&p, &m), IGMP_ERR_GROUP);
	v3_query(&p, 100, "239.255.255.255", 2, 125, 0, NULL);
	assert_int_equal(decode(&p, &m), IGMP_OK);
	v3_query(&p, 100, "224.0.0.0", 2, 125, 0, NULL);
	assert_int_equal(decode(&p, &m), IGMP_OK);
}

/* ---- v1/v2 reports and leaves (RFC 2236 §2) ------------------------------ */

static void
v1_v2_reports_and_leave(void **state)
{
	const uint8_t types[] = { IGMP_V1_REPORT, IGMP_V2_REPORT, IGMP_V2_LEAVE };
	struct pkt p;
	struct igmp_msg m;

	for (unsigned i = 0; i < 3; i++) {
		header(&p, types[i], 0, "239.7.7.7");
		assert_int_equal(decode(&p, &m), IGMP_OK);
		assert_int_equal(m.type, types[i]);
		assert_int_equal(m.u.group.s_addr, ip("239.7.7.7").s_addr);
		/* Longer is fine: the group is all that is read. */
		put16(&p, 0);
		assert_int_equal(decode(&p, &m), IGMP_OK);
		/* The group must be multicast. */
		header(&p, types[i], 0, "0.0.0.0");
		assert_int_equal(decode(&p, &m), IGMP_ERR_GROUP);
		header(&p, types[i], 0, "192.0.2.1");
		assert_int_equal(decode(&p, &m), IGMP_ERR_GROUP);
	}
}

/* ---- v3 reports (RFC 3376 §4.2) --------------------------------------- */

/* Several records, with aux data skipped, walked in order. */
static void
v3_report_records(void **state)
{
	const char *s1[] = { "198.51.100.1", "198.51.100.2", "198.51.100.3" };
	const char *s2[] = { "203.0.113.9" };
	struct pkt p;
	struct igmp_msg m;
	struct igmp_record r;
	size_t off = 0;

	report_header(&p, 4);
	record(&p, IGMP_MODE_IS_INCLUDE, 0, "232.1.1.1", 3, s1);
	record(&p, IGMP_CHANGE_TO_EXCLUDE, 2, "239.1.1.1", 0, NULL);
	record(&p, IGMP_BLOCK_OLD_SOURCES, 1, "232.2.2.2", 1, s2);
	record(&p, IGMP_ALLOW_NEW_SOURCES, 0, "232.3.3.3", 0, NULL);
	assert_int_equal(decode(&p, &m), IGMP_OK);
	assert_int_equal(m.type, IGMP_V3_REPORT);
	assert_int_equal(m.u.v3.nrec, 4);

	assert_true(igmp_next_record(&m, &off, &r));
	assert_int_equal(r.type, IGMP_MODE_IS_INCLUDE);
	assert_int_equal(r.group.s_addr, ip("232.1.1.1").s_addr);
	assert_int_equal(r.nsrc, 3);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(igmp_src(r.srcs, i).s_addr, ip(s1[i]).s_addr);
	assert_int_equal(off, 8 + 12);

	assert_true(igmp_next_record(&m, &off, &r));
	assert_int_equal(r.type, IGMP_CHANGE_TO_EXCLUDE);
	assert_int_equal(r.group.s_addr, ip("239.1.1.1").s_addr);
	assert_int_equal(r.nsrc, 0);
	assert_int_equal(off, 20 + 8 + 8);	/* two aux words */

	assert_true(igmp_next_record(&m, &off, &r));
	assert_int_equal(r.type, IGMP_BLOCK_OLD_SOURCES);
	assert_int_equal(r.group.s_addr, ip("232.2.2.2").s_addr);
	assert_int_equal(r.nsrc, 1);
	assert_int_equal(igmp_src(r.srcs, 0).s_addr, ip(s2[0]).s_addr);

	assert_true(igmp_next_record(&m, &off, &r));
	assert_int_equal(r.type, IGMP_ALLOW_NEW_SOURCES);
	assert_int_equal(r.group.s_addr, ip("232.3.3.3").s_addr);
	assert_int_equal(off, m.u.v3.len);

	assert_false(igmp_next_record(&m, &off, &r));
	assert_false(igmp_next_record(&m, &off, &r));
}

/* Every record type from 1 to 6 decodes. */
static void
v3_report_every_record_type(void **state)
{
	struct pkt p;
	struct igmp_msg m;
	struct igmp_record r;

	for (uint8_t t = IGMP_MODE_IS_INCLUDE; t <= IGMP_BLOCK_OLD_SOURCES; t++) {
		size_t off = 0;

		report_header(&p, 1);
		record(&p, t, 0, "232.1.1.1", 0, NULL);
		assert_int_equal(decode(&p, &m), IGMP_OK);
		assert_true(igmp_next_record(&m, &off, &r));
		assert_int_equal(r.type, t);
		assert_false(igmp_next_record(&m, &off, &r));
	}
}

/* No records: nothing to walk. */
static void
v3_report_empty(void **state)
{
	struct pkt p;
	struct igmp_msg m;
	struct igmp_record r;
	size_t off = 0;

	report_header(&p, 0);
	assert_int_equal(decode(&p, &m), IGMP_OK);
	assert_int_equal(m.u.v3.nrec, 0);
	assert_false(igmp_next_record(&m, &off, &r));
}

/*
 * Bytes after the last record the header counts are not records: the walk
 * must not hand them out, since decode did not check them.
 */
static void
v3_report_trailing_bytes_not_walked(void **state)
{
	struct pkt p;
	struct igmp_msg m;
	struct igmp_record r;
	size_t off = 0;

	report_header(&p, 1);
	record(&p, IGMP_MODE_IS_EXCLUDE, 0, "232.1.1.1", 0, NULL);
	/* What looks like a record claiming 0xffff sources. */
	put8(&p, IGMP_MODE_IS_INCLUDE);
	put8(&p, 0);
	put16(&p, 0xffff);
	put_addr(&p, "232.9.9.9");
	assert_int_equal(decode(&p, &m), IGMP_OK);
	assert_true(igmp_next_record(&m, &off, &r));
	assert_int_equal(r.group.s_addr, ip("232.1.1.1").s_addr);
	assert_false(igmp_next_record(&m, &off, &r));

	/* And with no records at all. */
	report_header(&p, 0);
	record(&p, IGMP_MODE_IS_INCLUDE, 0, "232.1.1.1", 0, NULL);
	assert_int_equal(decode(&p, &m), IGMP_OK);
	off = 0;
	assert_false(igmp_next_record(&m, &off, &r));
}

/* More records counted than carried: the last one is short. */
static void
v3_report_record_short(void **state)
{
	struct pkt p;
	struct igmp_msg m;

	report_header(&p, 2);
	record(&p, IGMP_MODE_IS_EXCLUDE, 0, "232.1.1.1", 0, NULL);
	assert_int_equal(decode(&p, &m), IGMP_ERR_SHORT);
	/* Half a record header. */
	put16(&p, 0x0200);
	put16(&p, 0);
	assert_int_equal(decode(&p, &m), IGMP_ERR_SHORT);
	/* nrec 1 with no record at all. */
	report_header(&p, 1);
	assert_int_equal(decode(&p, &m), IGMP_ERR_SHORT);
}

static void
v3_report_record_nsrc_past_end(void **state)
{
	const char *srcs[] = { "198.51.100.1", "198.51.100.2" };
	struct pkt p;
	struct igmp_msg m;

	report_header(&p, 1);
	record(&p, IGMP_MODE_IS_INCLUDE, 0, "232.1.1.1", 2, srcs);
	p.b[8 + 3] = 3;				/* says 3, carries 2 */
	assert_int_equal(decode(&p, &m), IGMP_ERR_NSRC);

	/* Aux data counts: one aux word that is not there. */
	report_header(&p, 1);
	record(&p, IGMP_MODE_IS_INCLUDE, 0, "232.1.1.1", 2, srcs);
	p.b[8 + 1] = 1;
	assert_int_equal(decode(&p, &m), IGMP_ERR_NSRC);

	/* The largest counts do not wrap around. */
	p.b[8 + 1] = 0xff;
	p.b[8 + 2] = 0xff;
	p.b[8 + 3] = 0xff;
	assert_int_equal(decode(&p, &m), IGMP_ERR_NSRC);

	/* In a second record. */
	report_header(&p, 2);
	record(&p, IGMP_MODE_IS_INCLUDE, 0, "232.1.1.1", 2, srcs);
	record(&p, IGMP_ALLOW_NEW_SOURCES, 0, "232.1.1.2", 1, srcs);
	p.b[p.len - 12 + 3] = 2;
	assert_int_equal(decode(&p, &m), IGMP_ERR_NSRC);
}

static void
v3_report_record_bad_group(void **state)
{
	struct pkt p;
	struct igmp_msg m;

	report_header(&p, 1);
	record(&p, IGMP_MODE_IS_EXCLUDE, 0, "0.0.0.0", 0, NULL);
	assert_int_equal(decode(&p, &m), IGMP_ERR_GROUP);
	report_header(&p, 2);
	record(&p, IGMP_MODE_IS_EXCLUDE, 0, "232.1.1.1", 0, NULL);
	record(&p, IGMP_MODE_IS_EXCLUDE, 0, "10.0.0.1", 0, NULL);
	assert_int_equal(decode(&p, &m), IGMP_ERR_GROUP);
}

static void
v3_report_bad_record_type(void **state)
{
	const uint8_t bad[] = { 0, 7, 0x80, 0xff };
	struct pkt p;
	struct igmp_msg m;

	for (unsigned i = 0; i < sizeof(bad); i++) {
		report_header(&p, 2);
		record(&p, IGMP_MODE_IS_EXCLUDE, 0, "232.1.1.1", 0, NULL);
		record(&p, bad[i], 0, "232.1.1.2", 0, NULL);
		assert_int_equal(decode(&p, &m), IGMP_ERR_RECORD);
	}
}

/* ---- every message ------------------------------------------------------ */

static void
short_messages(void **state)
{
	struct pkt p;
	struct igmp_msg m;

	header(&p, IGMP_V2_REPORT, 0, "239.1.1.1");
	seal(&p);
	for (size_t len = 0; len < 8; len++)
		assert_int_equal(igmp_decode(p.b, len, &m), IGMP_ERR_SHORT);
	assert_int_equal(igmp_decode(p.b, 8, &m), IGMP_OK);
}

static void
bad_checksum(void **state)
{
	const uint8_t types[] = { IGMP_MEMBERSHIP_QUERY, IGMP_V1_REPORT,
	    IGMP_V2_REPORT, IGMP_V2_LEAVE, IGMP_V3_REPORT };
	struct pkt p;
	struct igmp_msg m;

	for (unsigned i = 0; i < sizeof(types); i++) {
		header(&p, types[i], 0, "239.1.1.1");
		seal(&p);
		p.b[2] ^= 0x01;
		assert_int_equal(igmp_decode(p.b, p.len, &m), IGMP_ERR_CHECKSUM);
	}
	/* A flipped bit anywhere in a v3 report. */
	report_header(&p, 1);
	record(&p, IGMP_MODE_IS_EXCLUDE, 0, "232.1.1.1", 0, NULL);
	seal(&p);
	for (size_t i = 0; i < p.len; i++) {
		p.b[i] ^= 0x10;
		assert_int_equal(igmp_decode(p.b, p.len, &m), IGMP_ERR_CHECKSUM);
		p.b[i] ^= 0x10;
	}
	assert_int_equal(igmp_decode(p.b, p.len, &m), IGMP_OK);
}

static void
unknown_type(void **state)
{
	const uint8_t types[] = { 0x00, 0x13, 0x1e, 0x1f, 0x21, 0x23, 0x30, 0xff };
	struct pkt p;
	struct igmp_msg m;

	for (unsigned i = 0; i < sizeof(types); i++) {
		header(&p, types[i], 0, "239.1.1.1");
		assert_int_equal(decode(&p, &m), IGMP_ERR_TYPE);
	}
}

static void
error_names(void **state)
{
	for (int e = IGMP_OK; e < IGMP_ERR_MAX; e++) {
		assert_non_null(igmp_err_name(e));
		assert_string_not_equal(igmp_err_name(e), "?");
	}
	assert_string_equal(igmp_err_name(IGMP_OK), "ok");
	assert_string_equal(igmp_err_name(IGMP_ERR_MAX), "?");
	assert_string_equal(igmp_err_name(99), "?");
}

/* ---- floating-point codes (RFC 3376 §4.1.1, §4.1.7) ---------------------- */

/* Below 128 the code is the value. */
static void
code_linear_below_128(void **state)
{
	for (uint32_t v = 0; v < 128; v++) {
		assert_int_equal(igmp_code_decode((uint8_t)v), v);
		assert_int_equal(igmp_code_encode(v), v);
	}
}

/* 1 exp mant: (mant | 0x10) << (exp + 3). */
static void
code_float_decode(void **state)
{
	assert_int_equal(igmp_code_decode(0x80), 128);
	assert_int_equal(igmp_code_decode(0x81), 136);
	assert_int_equal(igmp_code_decode(0x8f), 248);
	assert_int_equal(igmp_code_decode(0x90), 256);
	assert_int_equal(igmp_code_decode(0xa0), 512);
	assert_int_equal(igmp_code_decode(0xf0), 16384);
	assert_int_equal(igmp_code_decode(0xff), 31744);
}

/* The 127/128 boundary: 127 is linear, 128 is the first float code. */
static void
code_boundary_127_128(void **state)
{
	assert_int_equal(igmp_code_encode(127), 0x7f);
	assert_int_equal(igmp_code_encode(128), 0x80);
	assert_int_equal(igmp_code_encode(135), 0x80);
	assert_int_equal(igmp_code_encode(136), 0x81);
	assert_int_equal(igmp_code_decode(0x7f), 127);
	assert_int_equal(igmp_code_decode(0x80), 128);
}

/* Every code survives decode then encode. */
static void
code_round_trip(void **state)
{
	for (unsigned c = 0; c < 256; c++)
		assert_int_equal(igmp_code_encode(igmp_code_decode((uint8_t)c)), c);
	/* And the float codes are strictly increasing. */
	for (unsigned c = 128; c < 255; c++)
		assert_true(igmp_code_decode((uint8_t)c) <
		    igmp_code_decode((uint8_t)(c + 1)));
}

/*
 * Encoding rounds down, never up: the time sent is the largest the code can
 * carry that does not exceed the one asked for.
 */
static void
code_encode_rounds_down(void **state)
{
	for (uint32_t v = 0; v <= 40000; v++) {
		uint8_t c = igmp_code_encode(v);
		uint32_t got = igmp_code_decode(c);

		assert_true(got <= v);
		if (c < 0xff)
			assert_true(igmp_code_decode((uint8_t)(c + 1)) > v);
	}
	assert_int_equal(igmp_code_decode(igmp_code_encode(1000)), 992);
	assert_int_equal(igmp_code_decode(igmp_code_encode(255)), 248);
	assert_int_equal(igmp_code_decode(igmp_code_encode(256)), 256);
}

/* The largest value is 31744; anything above is sent as that. */
static void
code_max_31744(void **state)
{
	assert_int_equal(igmp_code_encode(31744), 0xff);
	assert_int_equal(igmp_code_encode(31743), 0xfe);
	assert_int_equal(igmp_code_decode(0xfe), 30720);
	assert_int_equal(igmp_code_encode(31745), 0xff);
	assert_int_equal(igmp_code_encode(1000000), 0xff);
	assert_int_equal(igmp_code_encode(UINT32_MAX), 0xff);
}

/* ---- query encoding ----------------------------------------------------- */

static void
encode_v2_query(void **state)
{
	uint8_t buf[64];
	struct igmp_msg m;
	size_t len;

	memset(buf, 0xee, sizeof(buf));
	len = igmp_encode_query(buf, 2, ip("224.0.0.1"), 100, false, 2, 125,
	    NULL, 0);
	assert_int_equal(len, 8);
	/* 0x1164 + 0xe000 + 0x0001 = 0xf165, complemented 0x0e9a. */
	const uint8_t want[] = { 0x11, 0x64, 0x0e, 0x9a, 0xe0, 0x00, 0x00, 0x01 };
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(buf[8], 0xee);		/* nothing past the end */
	assert_int_equal(in_cksum(buf, len), 0);
	assert_int_equal(igmp_decode(buf, len, &m), IGMP_OK);
	assert_int_equal(m.u.query.version, 2);

	/* The v2 code is linear: more than 25.5 s is sent as 255. */
	len = igmp_encode_query(buf, 2, ip("239.1.1.1"), 1000, false, 2, 125,
	    NULL, 0);
	assert_int_equal(buf[1], 255);
	assert_int_equal(in_cksum(buf, len), 0);
	assert_int_equal(igmp_decode(buf, len, &m), IGMP_OK);
	assert_int_equal(m.u.query.group.s_addr, ip("239.1.1.1").s_addr);
	assert_int_equal(m.u.query.max_resp_ds, 255);
}

static void
encode_v3_query(void **state)
{
	const struct in_addr srcs[] = { ip("198.51.100.1"), ip("203.0.113.2") };
	uint8_t buf[64];
	struct igmp_msg m;
	struct igmp_query *q = &m.u.query;
	size_t len;

	memset(buf, 0xee, sizeof(buf));
	len = igmp_encode_query(buf, 3, ip("232.1.1.1"), 10, true, 2, 125,
	    srcs, 2);
	assert_int_equal(len, 12 + 8);
	const uint8_t want[] = {
		0x11, 10, 0, 0, 232, 1, 1, 1, 0x08 | 2, 125, 0, 2,
		198, 51, 100, 1, 203, 0, 113, 2,
	};
	assert_int_equal(in_cksum(buf, len), 0);
	memcpy(buf + 2, "\0\0", 2);
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(buf[len], 0xee);

	/* Round trip through the decoder, with float codes. */
	len = igmp_encode_query(buf, 3, ip("232.1.1.1"), 1000, false, 3, 300,
	    srcs, 2);
	assert_int_equal(in_cksum(buf, len), 0);
	assert_int_equal(igmp_decode(buf, len, &m), IGMP_OK);
	assert_int_equal(q->version, 3);
	assert_int_equal(q->group.s_addr, ip("232.1.1.1").s_addr);
	assert_int_equal(q->max_resp_ds, 992);	/* rounded down */
	assert_false(q->s_flag);
	assert_int_equal(q->qrv, 3);
	assert_int_equal(q->qqi, 288);
	assert_int_equal(q->nsrc, 2);
	assert_int_equal(igmp_src(q->srcs, 0).s_addr, srcs[0].s_addr);
	assert_int_equal(igmp_src(q->srcs, 1).s_addr, srcs[1].s_addr);
}

/* A v3 general query: 12 bytes; QRV above 7 goes out as 0 (§4.1.6). */
static void
encode_v3_general_query(void **state)
{
	uint8_t buf[16];
	struct igmp_msg m;
	size_t len;

	len = igmp_encode_query(buf, 3, ip("0.0.0.0"), 100, false, 8, 125,
	    NULL, 0);
	assert_int_equal(len, 12);
	assert_int_equal(in_cksum(buf, len), 0);
	assert_int_equal(buf[8], 0);
	assert_int_equal(igmp_decode(buf, len, &m), IGMP_OK);
	assert_int_equal(m.u.query.version, 3);
	assert_int_equal(m.u.query.group.s_addr, INADDR_ANY);
	assert_int_equal(m.u.query.qrv, 0);
	assert_int_equal(m.u.query.nsrc, 0);
	len = igmp_encode_query(buf, 3, ip("0.0.0.0"), 100, false, 7, 125,
	    NULL, 0);
	assert_int_equal(buf[8], 7);
	assert_int_equal(in_cksum(buf, len), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(query_v1),
		cmocka_unit_test(query_v2),
		cmocka_unit_test(query_v3),
		cmocka_unit_test(query_v3_trailing_bytes),
		cmocka_unit_test(query_9_to_11_bytes_is_short),
		cmocka_unit_test(query_nsrc_past_end),
		cmocka_unit_test(query_bad_group),
		cmocka_unit_test(v1_v2_reports_and_leave),
		cmocka_unit_test(v3_report_records),
		cmocka_unit_test(v3_report_every_record_type),
		cmocka_unit_test(v3_report_empty),
		cmocka_unit_test(v3_report_trailing_bytes_not_walked),
		cmocka_unit_test(v3_report_record_short),
		cmocka_unit_test(v3_report_record_nsrc_past_end),
		cmocka_unit_test(v3_report_record_bad_group),
		cmocka_unit_test(v3_report_bad_record_type),
		cmocka_unit_test(short_messages),
		cmocka_unit_test(bad_checksum),
		cmocka_unit_test(unknown_type),
		cmocka_unit_test(error_names),
		cmocka_unit_test(code_linear_below_128),
		cmocka_unit_test(code_float_decode),
		cmocka_unit_test(code_boundary_127_128),
		cmocka_unit_test(code_round_trip),
		cmocka_unit_test(code_encode_rounds_down),
		cmocka_unit_test(code_max_31744),
		cmocka_unit_test(encode_v2_query),
		cmocka_unit_test(encode_v3_query),
		cmocka_unit_test(encode_v3_general_query),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
