/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for the IGMP codec: any bytes as an IGMP message.  A
 * message that decodes is read the way igmp.c reads it (every record, every
 * source) so the sanitizers see any read past the checked lengths, and:
 *  - a v3 report walks to exactly the record count its header gives;
 *  - a query re-encodes to bytes that decode to the same query.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cksum.h"
#include "igmp_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint32_t sink;

static void
read_sources(const uint8_t *srcs, unsigned nsrc)
{
	for (unsigned i = 0; i < nsrc; i++)
		sink ^= igmp_src(srcs, i).s_addr;
}

static void
walk_report(const struct igmp_msg *m)
{
	struct igmp_record r;
	size_t off = 0;
	unsigned n = 0;

	while (igmp_next_record(m, &off, &r)) {
		if (r.type < IGMP_MODE_IS_INCLUDE || r.type > IGMP_BLOCK_OLD_SOURCES)
			abort();	/* decode let a bad record through */
		sink ^= r.group.s_addr;
		read_sources(r.srcs, r.nsrc);
		n++;
	}
	if (n != m->u.v3.nrec)
		abort();
}

/* Encoding what was decoded gives a query that decodes the same. */
static void
reencode_query(const struct igmp_query *q)
{
	struct igmp_msg m2;
	struct in_addr *srcs = NULL;
	uint8_t *buf;
	size_t len;

	if (q->version == 1)
		return;		/* we never send v1 queries */
	if ((buf = malloc(12 + 4 * (size_t)q->nsrc)) == NULL ||
	    (q->nsrc > 0 && (srcs = calloc(q->nsrc, sizeof(*srcs))) == NULL))
		abort();
	for (unsigned i = 0; i < q->nsrc; i++)
		srcs[i] = igmp_src(q->srcs, i);
	len = igmp_encode_query(buf, q->version, q->group, q->max_resp_ds,
	    q->s_flag, q->qrv, q->qqi, srcs, q->nsrc);
	if (in_cksum(buf, len) != 0 || igmp_decode(buf, len, &m2) != IGMP_OK ||
	    m2.type != IGMP_MEMBERSHIP_QUERY ||
	    m2.u.query.version != q->version ||
	    m2.u.query.group.s_addr != q->group.s_addr ||
	    m2.u.query.max_resp_ds != q->max_resp_ds)
		abort();
	if (q->version == 3 &&
	    (m2.u.query.s_flag != q->s_flag || m2.u.query.qrv != q->qrv ||
	    m2.u.query.qqi != q->qqi || m2.u.query.nsrc != q->nsrc ||
	    (q->nsrc > 0 &&
	    memcmp(m2.u.query.srcs, q->srcs, 4 * (size_t)q->nsrc) != 0)))
		abort();
	free(srcs);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct igmp_msg m;
	enum igmp_err e;

	/* The codes round-trip whatever byte they are (RFC 3376 §4.1.1). */
	if (size > 0 && igmp_code_encode(igmp_code_decode(data[0])) != data[0])
		abort();
	e = igmp_decode(data, size, &m);
	sink ^= (uint32_t)igmp_err_name(e)[0];
	if (e != IGMP_OK)
		return 0;
	switch (m.type) {
	case IGMP_MEMBERSHIP_QUERY:
		read_sources(m.u.query.srcs, m.u.query.nsrc);
		reencode_query(&m.u.query);
		break;
	case IGMP_V3_REPORT:
		walk_report(&m);
		break;
	default:
		sink ^= m.u.group.s_addr;
		break;
	}
	return 0;
}
