/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for the PIM codec: any bytes as a PIM message.  The
 * checksum would stop nearly every mutation at the header, so an input
 * whose checksum is wrong is also tried with it fixed.  A message that
 * decodes is read the way the handlers read it (every Join/Prune group and
 * source, every byte of a Register's packet) so the sanitizers see any read
 * past the checked lengths, and whatever can be encoded again is, and must
 * decode to the same:
 *  - a Hello to the same options;
 *  - a Join/Prune, rebuilt entry by entry, to the same entries;
 *  - a Register, Null-Register, Register-Stop or Assert to the same fields;
 * a Bootstrap or C-RP-Advertisement is walked range by range, RP by RP,
 *    and built again (the BSM with the fragment builder) to the same.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cksum.h"
#include "pim_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An IP payload is never longer, so no Join/Prune count can overflow. */
#define MAX_MSG		65535

static volatile uint32_t sink;

/* Check the header of an encoder's output and give its body. */
static void
encoded_body(const uint8_t *buf, size_t len, enum pim_type want,
    const uint8_t **body, size_t *body_len)
{
	enum pim_type t;

	if (len == 0 || pim_decode_header(buf, len, &t, body, body_len) != PIM_OK ||
	    t != want)
		abort();
}

static void
hello(const uint8_t *body, size_t len)
{
	struct pim_hello h, h2;
	uint8_t buf[256];
	const uint8_t *b2;
	size_t n, n2;

	if (pim_hello_decode(body, len, &h) != PIM_OK)
		return;
	if (h.naddr > PIM_HELLO_MAX_ADDRS || h.propagation_delay > 0x7fff)
		abort();
	n = pim_hello_encode(buf, sizeof(buf), &h);
	encoded_body(buf, n, PIM_HELLO, &b2, &n2);
	/* Both structs were zeroed by the decoder: padding compares equal. */
	if (pim_hello_decode(b2, n2, &h2) != PIM_OK || memcmp(&h, &h2, sizeof(h)) != 0)
		abort();
	if (pim_hello_encode(buf, n - 1, &h) != 0)
		abort();
}

/* A 64-bit mix of one Join/Prune entry, summed so order does not matter. */
static uint64_t
entry_hash(struct in_addr group, const struct pim_jp_source *s, bool join)
{
	uint64_t x = (uint64_t)group.s_addr << 32 | s->addr.s_addr;

	x ^= (uint64_t)s->masklen << 8 | (uint64_t)s->sparse << 3 |
	    (uint64_t)s->wildcard << 2 | (uint64_t)s->rpt << 1 | join;
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/*
 * Walk every group and source of a decoded Join/Prune; add each entry to
 * builder b when there is one.  Returns the sum of the entries' hashes.
 */
static uint64_t
walk_jp(const struct pim_jp *jp, struct pim_jp_builder *b, unsigned *nentries)
{
	struct pim_jp_group g;
	struct pim_jp_source s;
	size_t off = 0;
	unsigned ngroups = 0;
	uint64_t sum = 0;

	*nentries = 0;
	while (pim_jp_next_group(jp, &off, &g)) {
		for (unsigned i = 0; i < (unsigned)g.njoin + g.nprune; i++) {
			pim_jp_source(&g, i, &s);
			if (s.masklen > 32)
				abort();	/* decode let a bad source through */
			sum += entry_hash(g.group, &s, i < g.njoin);
			if (b != NULL && !pim_jp_add(b, g.group, &s, i < g.njoin))
				abort();
			(*nentries)++;
		}
		ngroups++;
	}
	if (ngroups != jp->ngroups || off != jp->len)
		abort();
	return sum;
}

/* Rebuilt with the builder, a Join/Prune carries the same entries. */
static void
join_prune(const uint8_t *body, size_t len)
{
	struct pim_jp jp, jp2;
	struct pim_jp_builder b;
	const uint8_t *b2;
	uint8_t *buf;
	size_t size = PIM_HDR_LEN + len + PIM_JP_MIN_SIZE, n, n2;
	unsigned count, count2;
	uint64_t sum, sum2;

	if (pim_jp_decode(body, len, &jp) != PIM_OK)
		return;
	if ((buf = malloc(size)) == NULL)
		abort();
	pim_jp_begin(&b, buf, size, jp.upstream, jp.holdtime);
	sum = walk_jp(&jp, &b, &count);
	n = pim_jp_finish(&b);
	if (count == 0) {
		if (n != 0)
			abort();
		free(buf);
		return;
	}
	encoded_body(buf, n, PIM_JOIN_PRUNE, &b2, &n2);
	if (pim_jp_decode(b2, n2, &jp2) != PIM_OK ||
	    jp2.upstream.s_addr != jp.upstream.s_addr || jp2.holdtime != jp.holdtime)
		abort();
	sum2 = walk_jp(&jp2, NULL, &count2);
	if (count2 != count || sum2 != sum)
		abort();
	free(buf);
}

static void
check_register(const uint8_t *buf, size_t len, const struct pim_register *want)
{
	struct pim_register r;
	const uint8_t *body;
	size_t blen;

	encoded_body(buf, len, PIM_REGISTER, &body, &blen);
	if (in_cksum(buf, 8) != 0 || pim_register_decode(body, blen, &r) != PIM_OK ||
	    r.null_register != want->null_register || r.border ||
	    r.source.s_addr != want->source.s_addr ||
	    r.group.s_addr != want->group.s_addr)
		abort();
	if (want->inner != NULL && (r.inner_len != want->inner_len ||
	    memcmp(r.inner, want->inner, r.inner_len) != 0))
		abort();
}

static void
register_msg(const uint8_t *body, size_t len)
{
	struct pim_register r, null;
	uint8_t nbuf[PIM_NULL_REGISTER_LEN], *buf;
	size_t n;

	if (pim_register_decode(body, len, &r) != PIM_OK)
		return;
	for (size_t i = 0; i < r.inner_len; i++)
		sink ^= r.inner[i];
	if ((buf = malloc(r.inner_len + 8)) == NULL)
		abort();
	n = pim_register_encode(buf, r.inner_len + 8, r.null_register, r.inner,
	    r.inner_len);
	check_register(buf, n, &r);
	free(buf);

	/* A Null-Register for the same (S, G). */
	null = r;
	null.null_register = true;
	null.inner = NULL;
	n = pim_null_register_encode(nbuf, sizeof(nbuf), r.source, r.group);
	check_register(nbuf, n, &null);
}

static void
register_stop(const uint8_t *body, size_t len)
{
	struct pim_register_stop rs, rs2;
	uint8_t buf[64];
	const uint8_t *b2;
	size_t n, n2;

	if (pim_register_stop_decode(body, len, &rs) != PIM_OK)
		return;
	n = pim_register_stop_encode(buf, sizeof(buf), rs.group, rs.source);
	encoded_body(buf, n, PIM_REGISTER_STOP, &b2, &n2);
	if (pim_register_stop_decode(b2, n2, &rs2) != PIM_OK ||
	    rs2.group.s_addr != rs.group.s_addr || rs2.masklen != 32 ||
	    rs2.source.s_addr != rs.source.s_addr)
		abort();
}

static void
assert_msg(const uint8_t *body, size_t len)
{
	struct pim_assert a, a2;
	uint8_t buf[64];
	const uint8_t *b2;
	size_t n, n2;

	if (pim_assert_decode(body, len, &a) != PIM_OK)
		return;
	n = pim_assert_encode(buf, sizeof(buf), &a);
	encoded_body(buf, n, PIM_ASSERT, &b2, &n2);
	if (pim_assert_decode(b2, n2, &a2) != PIM_OK || memcmp(&a, &a2, sizeof(a)) != 0)
		abort();
}

/* The next range of a rebuilt BSM must be g, with the same RPs. */
static void
same_range(const struct pim_bsm *m2, size_t *off2, const struct pim_bsm_group *g)
{
	struct pim_bsm_group g2;
	struct pim_bsm_rp a, b;

	if (!pim_bsm_next_group(m2, off2, &g2) || g2.group.s_addr != g->group.s_addr ||
	    g2.masklen != g->masklen || g2.rp_count != g->rp_count ||
	    g2.frag_rp_count != g->frag_rp_count)
		abort();
	for (unsigned i = 0; i < g->frag_rp_count; i++) {
		pim_bsm_rp(g, i, &a);
		pim_bsm_rp(&g2, i, &b);
		if (a.addr.s_addr != b.addr.s_addr || a.holdtime != b.holdtime ||
		    a.priority != b.priority)
			abort();
	}
}

/*
 * Every range and RP a Bootstrap has, read; then the same built again with
 * the builder, in a buffer of the same size, decoding to the same.
 */
static void
bootstrap(const uint8_t *msg, size_t len)
{
	struct pim_bsm m, m2;
	struct pim_bsm_group g;
	struct pim_bsm_rp rp;
	struct pim_bsm_builder b;
	size_t off = 0, off2 = 0, n2;
	unsigned n = 0;
	uint8_t *buf;

	if (pim_bsm_decode(msg, len, &m) != PIM_OK)
		return;
	if ((buf = malloc(len)) == NULL || !pim_bsm_begin(&b, buf, len, &m))
		abort();
	while (pim_bsm_next_group(&m, &off, &g)) {
		if (g.frag_rp_count > g.rp_count || g.masklen > 32 ||
		    !pim_bsm_add_range(&b, g.group, g.masklen, g.rp_count))
			abort();
		for (unsigned i = 0; i < g.frag_rp_count; i++) {
			pim_bsm_rp(&g, i, &rp);
			sink ^= rp.addr.s_addr ^ rp.holdtime ^ rp.priority;
			if (!pim_bsm_add_rp(&b, &rp))
				abort();
		}
		n++;
	}
	if (n != m.ngroups || off != m.len)
		abort();
	n2 = pim_bsm_finish(&b);
	if (pim_bsm_decode(buf, n2, &m2) != PIM_OK || m2.ngroups != m.ngroups ||
	    m2.no_forward != m.no_forward || m2.frag_tag != m.frag_tag ||
	    m2.priority != m.priority || m2.hash_masklen != m.hash_masklen ||
	    m2.bsr.s_addr != m.bsr.s_addr)
		abort();
	for (off = 0; pim_bsm_next_group(&m, &off, &g);)
		same_range(&m2, &off2, &g);
	free(buf);
}

static void
crp_adv(const uint8_t *body, size_t len)
{
	struct pim_crp_adv a;
	struct in_addr g;
	uint8_t masklen;

	struct pim_crp_adv a2;
	struct in_addr gs[UINT8_MAX];
	uint8_t mls[UINT8_MAX], buf[PIM_HDR_LEN + 10 + UINT8_MAX * 8];
	const uint8_t *b2;
	size_t n, n2;

	if (pim_crp_adv_decode(body, len, &a) != PIM_OK)
		return;
	for (unsigned i = 0; i < a.prefix_count; i++) {
		pim_crp_adv_group(&a, i, &g, &masklen);
		if (!IN_MULTICAST(ntohl(g.s_addr)) || masklen > 32)
			abort();
		gs[i] = g;
		mls[i] = masklen;
	}
	/* Encoded again (never with no prefix), it decodes to the same. */
	if (a.prefix_count == 0)
		return;
	n = pim_crp_adv_encode(buf, sizeof(buf), &a, gs, mls, a.prefix_count);
	encoded_body(buf, n, PIM_CRP_ADV, &b2, &n2);
	if (pim_crp_adv_decode(b2, n2, &a2) != PIM_OK || a2.prefix_count != a.prefix_count ||
	    a2.priority != a.priority || a2.holdtime != a.holdtime ||
	    a2.rp.s_addr != a.rp.s_addr)
		abort();
	for (unsigned i = 0; i < a.prefix_count; i++) {
		pim_crp_adv_group(&a2, i, &g, &masklen);
		if (g.s_addr != gs[i].s_addr || masklen != mls[i])
			abort();
	}
}

/* Decode one message the way pim.c dispatches it; returns the header's verdict. */
static enum pim_err
one_message(const uint8_t *buf, size_t len)
{
	enum pim_type type;
	const uint8_t *body;
	size_t blen;
	enum pim_err e;

	e = pim_decode_header(buf, len, &type, &body, &blen);
	sink ^= (uint32_t)pim_err_name(e)[0];
	if (e != PIM_OK)
		return e;
	sink ^= (uint32_t)pim_type_name(type)[0];
	switch (type) {
	case PIM_HELLO:
		hello(body, blen);
		break;
	case PIM_REGISTER:
		register_msg(body, blen);
		break;
	case PIM_REGISTER_STOP:
		register_stop(body, blen);
		break;
	case PIM_JOIN_PRUNE:
		join_prune(body, blen);
		break;
	case PIM_ASSERT:
		assert_msg(body, blen);
		break;
	case PIM_BOOTSTRAP:
		bootstrap(buf, len);
		break;
	case PIM_CRP_ADV:
		crp_adv(body, blen);
		break;
	default:
		break;		/* no decoder yet */
	}
	return PIM_OK;
}

/* The same bytes with a checksum that verifies: what the decoders then do. */
static void
with_checksum_fixed(const uint8_t *data, size_t size)
{
	uint8_t *buf;
	uint16_t ck;

	if ((buf = malloc(size)) == NULL)
		abort();
	memcpy(buf, data, size);
	buf[2] = buf[3] = 0;
	ck = in_cksum(buf, (buf[0] & 0x0f) == PIM_REGISTER ? 8 : size);
	memcpy(buf + 2, &ck, 2);
	if (one_message(buf, size) != PIM_OK)
		abort();
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_MSG)
		return 0;
	if (one_message(data, size) == PIM_ERR_CHECKSUM)
		with_checksum_fixed(data, size);
	return 0;
}
