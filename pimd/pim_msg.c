/* SPDX-License-Identifier: ISC */
/*
 * PIMv2 message codec (RFC 7761 §4.9), IPv4 only.  Decoding checks
 * everything a packet could get wrong before anything reads a field: the
 * version, type and checksum, every length, each encoded address's family,
 * encoding type and mask length, group and source counts against the bytes
 * that are there, and that group addresses are multicast.  The handlers
 * never see a message that fails here.  Encoders fill a caller's buffer and
 * the checksum.
 */
#include <arpa/inet.h>
#include <string.h>

#include "cksum.h"
#include "pim_msg.h"

#define PIM_VERSION		2

/* §4.9.1 encoded addresses: IANA family 1 (IPv4), encoding type 0 (native). */
#define PIM_AF_IPV4		1
#define PIM_AF_IPV6		2
#define PIM_ENC_NATIVE		0
#define ENC_UNICAST_LEN		6
#define ENC_UNICAST6_LEN	18
#define ENC_GROUP_LEN		8
#define ENC_SOURCE_LEN		8
#define SRC_SPARSE		0x04	/* Encoded-Source flags: S, W, R */
#define SRC_WILDCARD		0x02
#define SRC_RPT			0x01

/* §4.9.2 Hello options. */
#define OPT_HDR_LEN		4
#define OPT_HOLDTIME		1
#define OPT_LAN_PRUNE_DELAY	2
#define OPT_DR_PRIORITY		19
#define OPT_GENID		20
#define OPT_ADDR_LIST		24
#define LPD_T_BIT		0x8000

/* §4.9.5 Join/Prune: upstream, reserved, group count, holdtime; then groups. */
#define JP_FIXED_LEN		(ENC_UNICAST_LEN + 4)
#define JP_NGROUPS_OFF		(PIM_HDR_LEN + ENC_UNICAST_LEN + 1)
#define JP_GROUP_HDR_LEN	(ENC_GROUP_LEN + 4)

/* §4.9.3 Register: the B and N bits lead the word after the header. */
#define REG_FLAGS_LEN		4
#define REG_CKSUM_LEN		(PIM_HDR_LEN + REG_FLAGS_LEN)
#define REG_BORDER		0x80
#define REG_NULL		0x40
#define IP_HDR_LEN		20

/*
 * RFC 5059 §4.1 Bootstrap: fragment tag, hash mask length, BSR priority,
 * BSR address; per range an Encoded-Group, RP count, fragment RP count and
 * a reserved word; per RP an Encoded-Unicast, holdtime, priority, reserved.
 */
#define BSM_NO_FORWARD		0x80	/* in the PIM header's reserved byte */
#define BSM_FIXED_LEN		(4 + ENC_UNICAST_LEN)
#define GROUP_ADMIN_SCOPE	0x01	/* Z bit of an Encoded-Group's flags */
/* §4.2 Candidate-RP-Advertisement: prefix count, priority, holdtime, RP. */
#define CRP_FIXED_LEN		(4 + ENC_UNICAST_LEN)

#define REGISTER_STOP_LEN	(ENC_GROUP_LEN + ENC_UNICAST_LEN)
#define ASSERT_LEN		(ENC_GROUP_LEN + ENC_UNICAST_LEN + 8)
#define ASSERT_RPT		0x80000000u
#define ASSERT_PREF_MAX		0x7fffffffu

/* The names of the drop counters in yang/pimd.yang, and of the log lines. */
static const char *const err_names[PIM_ERR_MAX] = {
	[PIM_OK] = "ok",
	[PIM_ERR_SHORT] = "too-short",
	[PIM_ERR_VERSION] = "bad-version",
	[PIM_ERR_TYPE] = "unknown-type",
	[PIM_ERR_CHECKSUM] = "bad-checksum",
	[PIM_ERR_ENCODING] = "bad-encoding",
	[PIM_ERR_COUNT] = "bad-count",
	[PIM_ERR_GROUP] = "bad-group",
	[PIM_ERR_OPTION] = "bad-option",
};

static const char *const type_names[PIM_TYPE_MAX] = {
	[PIM_HELLO] = "hello",
	[PIM_REGISTER] = "register",
	[PIM_REGISTER_STOP] = "register-stop",
	[PIM_JOIN_PRUNE] = "join-prune",
	[PIM_BOOTSTRAP] = "bootstrap",
	[PIM_ASSERT] = "assert",
	[PIM_GRAFT] = "graft",
	[PIM_GRAFT_ACK] = "graft-ack",
	[PIM_CRP_ADV] = "candidate-rp-advertisement",
};

const char *
pim_err_name(enum pim_err e)
{
	return e < PIM_ERR_MAX ? err_names[e] : "?";
}

const char *
pim_type_name(enum pim_type t)
{
	return t < PIM_TYPE_MAX ? type_names[t] : "?";
}

/* ---- reading and writing fields ------------------------------------------ */

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static struct in_addr
get_addr(const uint8_t *p)
{
	struct in_addr a;

	memcpy(&a, p, sizeof(a));
	return a;
}

/* The writers return where the next field goes. */
static uint8_t *
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static uint8_t *
put32(uint8_t *p, uint32_t v)
{
	return put16(put16(p, (uint16_t)(v >> 16)), (uint16_t)v);
}

static uint8_t *
put_addr(uint8_t *p, struct in_addr a)
{
	memcpy(p, &a, sizeof(a));
	return p + sizeof(a);
}

static bool
is_multicast(struct in_addr a)
{
	return IN_MULTICAST(ntohl(a.s_addr));
}

/* ---- encoded addresses (§4.9.1) ----------------------------------------- */

static bool
is_ipv4_native(const uint8_t *p)
{
	return p[0] == PIM_AF_IPV4 && p[1] == PIM_ENC_NATIVE;
}

/* Encoded-Unicast: family, encoding type, address. */
static enum pim_err
get_unicast(const uint8_t *p, struct in_addr *a)
{
	if (!is_ipv4_native(p))
		return PIM_ERR_ENCODING;
	*a = get_addr(p + 2);
	return PIM_OK;
}

/* An address a router can have: not 0.0.0.0, multicast or broadcast. */
static enum pim_err
get_router(const uint8_t *p, struct in_addr *a)
{
	uint32_t h;

	if (get_unicast(p, a) != PIM_OK)
		return PIM_ERR_ENCODING;
	h = ntohl(a->s_addr);
	return h == INADDR_ANY || h == INADDR_BROADCAST || IN_MULTICAST(h) ?
	    PIM_ERR_ENCODING : PIM_OK;
}

/* Encoded-Group: family, encoding type, B/Z flags (ignored), mask length, group. */
static enum pim_err
get_group(const uint8_t *p, struct in_addr *g, uint8_t *masklen)
{
	if (!is_ipv4_native(p) || p[3] > 32)
		return PIM_ERR_ENCODING;
	*masklen = p[3];
	*g = get_addr(p + 4);
	return is_multicast(*g) ? PIM_OK : PIM_ERR_GROUP;
}

/* Encoded-Source: family, encoding type, S/W/R flags, mask length, source. */
static enum pim_err
check_source(const uint8_t *p)
{
	return is_ipv4_native(p) && p[3] <= 32 ? PIM_OK : PIM_ERR_ENCODING;
}

static uint8_t *
put_unicast(uint8_t *p, struct in_addr a)
{
	p[0] = PIM_AF_IPV4;
	p[1] = PIM_ENC_NATIVE;
	return put_addr(p + 2, a);
}

static uint8_t *
put_group(uint8_t *p, struct in_addr g, uint8_t masklen)
{
	p[0] = PIM_AF_IPV4;
	p[1] = PIM_ENC_NATIVE;
	p[2] = 0;			/* B and Z clear: PIM-SM, no zone (§4.9.1) */
	p[3] = masklen;
	return put_addr(p + 4, g);
}

static uint8_t *
put_source(uint8_t *p, const struct pim_jp_source *s)
{
	p[0] = PIM_AF_IPV4;
	p[1] = PIM_ENC_NATIVE;
	p[2] = (uint8_t)((s->sparse ? SRC_SPARSE : 0) |
	    (s->wildcard ? SRC_WILDCARD : 0) | (s->rpt ? SRC_RPT : 0));
	p[3] = s->masklen;
	return put_addr(p + 4, s->addr);
}

/* ---- the header (§4.9) --------------------------------------------------- */

static uint8_t *
put_header(uint8_t *buf, enum pim_type type)
{
	buf[0] = (uint8_t)(PIM_VERSION << 4 | type);
	buf[1] = 0;
	return put16(buf + 2, 0);
}

/* The checksum over the first cksum_len bytes, with its field zeroed. */
static void
seal(uint8_t *buf, size_t cksum_len)
{
	uint16_t ck;

	buf[2] = buf[3] = 0;
	ck = in_cksum(buf, cksum_len);
	memcpy(buf + 2, &ck, sizeof(ck));
}

static bool
checksum_ok(const uint8_t *buf, size_t len, enum pim_type type)
{
	/*
	 * §4.9.3: a Register's checksum covers the header and the flags word
	 * only, but one over the whole message is to be accepted as well.
	 */
	if (type == PIM_REGISTER && in_cksum(buf, REG_CKSUM_LEN) == 0)
		return true;
	return in_cksum(buf, len) == 0;
}

enum pim_err
pim_decode_header(const uint8_t *buf, size_t len, enum pim_type *type,
    const uint8_t **body, size_t *body_len)
{
	unsigned t;

	if (len < PIM_HDR_LEN)
		return PIM_ERR_SHORT;
	if (buf[0] >> 4 != PIM_VERSION)
		return PIM_ERR_VERSION;
	t = buf[0] & 0x0f;
	if (t >= PIM_TYPE_MAX)
		return PIM_ERR_TYPE;
	if (t == PIM_REGISTER && len < REG_CKSUM_LEN)
		return PIM_ERR_SHORT;
	if (!checksum_ok(buf, len, (enum pim_type)t))
		return PIM_ERR_CHECKSUM;
	*type = (enum pim_type)t;
	*body = buf + PIM_HDR_LEN;
	*body_len = len - PIM_HDR_LEN;
	return PIM_OK;
}

/* ---- Hello (§4.9.2) ------------------------------------------------------ */

/* Option 24: Encoded-Unicast addresses back to back; IPv6 ones skipped. */
static enum pim_err
hello_addr_list(struct pim_hello *h, const uint8_t *p, size_t len)
{
	size_t off = 0;

	while (off < len) {
		size_t entry;

		if (len - off < 2)
			return PIM_ERR_OPTION;
		if (p[off + 1] != PIM_ENC_NATIVE)
			return PIM_ERR_ENCODING;
		if (p[off] == PIM_AF_IPV4)
			entry = ENC_UNICAST_LEN;
		else if (p[off] == PIM_AF_IPV6)
			entry = ENC_UNICAST6_LEN;
		else
			return PIM_ERR_ENCODING;
		if (len - off < entry)
			return PIM_ERR_OPTION;
		if (entry == ENC_UNICAST_LEN && h->naddr < PIM_HELLO_MAX_ADDRS)
			h->addrs[h->naddr++] = get_addr(p + off + 2);
		off += entry;
	}
	return PIM_OK;
}

static enum pim_err
hello_option(struct pim_hello *h, uint16_t type, const uint8_t *p, uint16_t len)
{
	switch (type) {
	case OPT_HOLDTIME:
		if (len != 2)
			return PIM_ERR_OPTION;
		h->has_holdtime = true;
		h->holdtime = get16(p);
		return PIM_OK;
	case OPT_LAN_PRUNE_DELAY:
		if (len != 4)
			return PIM_ERR_OPTION;
		h->has_lan_prune_delay = true;
		h->t_bit = (get16(p) & LPD_T_BIT) != 0;
		h->propagation_delay = get16(p) & ~LPD_T_BIT;
		h->override_interval = get16(p + 2);
		return PIM_OK;
	case OPT_DR_PRIORITY:
		if (len != 4)
			return PIM_ERR_OPTION;
		h->has_dr_priority = true;
		h->dr_priority = get32(p);
		return PIM_OK;
	case OPT_GENID:
		if (len != 4)
			return PIM_ERR_OPTION;
		h->has_genid = true;
		h->genid = get32(p);
		return PIM_OK;
	case OPT_ADDR_LIST:
		return hello_addr_list(h, p, len);
	default:
		return PIM_OK;	/* §4.9.2: unknown options are ignored */
	}
}

enum pim_err
pim_hello_decode(const uint8_t *body, size_t len, struct pim_hello *h)
{
	size_t off = 0;

	memset(h, 0, sizeof(*h));
	while (off < len) {
		uint16_t type, olen;
		enum pim_err e;

		if (len - off < OPT_HDR_LEN)
			return PIM_ERR_OPTION;
		type = get16(body + off);
		olen = get16(body + off + 2);
		off += OPT_HDR_LEN;
		if (olen > len - off)
			return PIM_ERR_OPTION;
		if ((e = hello_option(h, type, body + off, olen)) != PIM_OK)
			return e;
		off += olen;
	}
	return PIM_OK;
}

static size_t
hello_len(const struct pim_hello *h, unsigned naddr)
{
	size_t len = PIM_HDR_LEN;

	if (h->has_holdtime)
		len += OPT_HDR_LEN + 2;
	if (h->has_lan_prune_delay)
		len += OPT_HDR_LEN + 4;
	if (h->has_dr_priority)
		len += OPT_HDR_LEN + 4;
	if (h->has_genid)
		len += OPT_HDR_LEN + 4;
	if (naddr > 0)
		len += OPT_HDR_LEN + ENC_UNICAST_LEN * (size_t)naddr;
	return len;
}

static uint8_t *
put_option(uint8_t *p, uint16_t type, size_t len)
{
	return put16(put16(p, type), (uint16_t)len);
}

size_t
pim_hello_encode(uint8_t *buf, size_t size, const struct pim_hello *h)
{
	unsigned naddr = h->naddr < PIM_HELLO_MAX_ADDRS ? h->naddr : PIM_HELLO_MAX_ADDRS;
	size_t len = hello_len(h, naddr);
	uint8_t *p;

	if (len > size)
		return 0;
	p = put_header(buf, PIM_HELLO);
	if (h->has_holdtime)
		p = put16(put_option(p, OPT_HOLDTIME, 2), h->holdtime);
	if (h->has_lan_prune_delay) {
		uint16_t delay = h->propagation_delay < LPD_T_BIT ?
		    h->propagation_delay : LPD_T_BIT - 1;

		p = put_option(p, OPT_LAN_PRUNE_DELAY, 4);
		p = put16(p, (uint16_t)((h->t_bit ? LPD_T_BIT : 0) | delay));
		p = put16(p, h->override_interval);
	}
	if (h->has_dr_priority)
		p = put32(put_option(p, OPT_DR_PRIORITY, 4), h->dr_priority);
	if (h->has_genid)
		p = put32(put_option(p, OPT_GENID, 4), h->genid);
	if (naddr > 0) {
		p = put_option(p, OPT_ADDR_LIST, ENC_UNICAST_LEN * (size_t)naddr);
		for (unsigned i = 0; i < naddr; i++)
			p = put_unicast(p, h->addrs[i]);
	}
	seal(buf, len);
	return len;
}

/* ---- Join/Prune (§4.9.5) -------------------------------------------------- */

/* One group record: its group, then its counts against what is left, then each source. */
static enum pim_err
check_jp_group(const uint8_t *p, size_t left, size_t *used)
{
	struct in_addr group;
	uint8_t masklen;
	size_t nsrc;
	enum pim_err e;

	if (left < JP_GROUP_HDR_LEN)
		return PIM_ERR_COUNT;
	if ((e = get_group(p, &group, &masklen)) != PIM_OK)
		return e;
	nsrc = (size_t)get16(p + ENC_GROUP_LEN) + get16(p + ENC_GROUP_LEN + 2);
	if (nsrc > (left - JP_GROUP_HDR_LEN) / ENC_SOURCE_LEN)
		return PIM_ERR_COUNT;
	for (size_t i = 0; i < nsrc; i++)
		if ((e = check_source(p + JP_GROUP_HDR_LEN + ENC_SOURCE_LEN * i)) != PIM_OK)
			return e;
	*used = JP_GROUP_HDR_LEN + ENC_SOURCE_LEN * nsrc;
	return PIM_OK;
}

enum pim_err
pim_jp_decode(const uint8_t *body, size_t len, struct pim_jp *jp)
{
	enum pim_err e;
	size_t off = 0;

	memset(jp, 0, sizeof(*jp));
	if (len < JP_FIXED_LEN)
		return PIM_ERR_SHORT;
	if ((e = get_unicast(body, &jp->upstream)) != PIM_OK)
		return e;
	jp->ngroups = body[ENC_UNICAST_LEN + 1];
	jp->holdtime = get16(body + ENC_UNICAST_LEN + 2);
	jp->groups = body + JP_FIXED_LEN;
	len -= JP_FIXED_LEN;
	for (unsigned i = 0; i < jp->ngroups; i++) {
		size_t used;

		if ((e = check_jp_group(jp->groups + off, len - off, &used)) != PIM_OK)
			return e;
		off += used;
	}
	/* pim_jp_next_group walks to here: only what was checked. */
	jp->len = off;
	return PIM_OK;
}

bool
pim_jp_next_group(const struct pim_jp *jp, size_t *off, struct pim_jp_group *g)
{
	const uint8_t *p;

	if (*off >= jp->len)
		return false;
	p = jp->groups + *off;
	g->masklen = p[3];
	g->group = get_addr(p + 4);
	g->njoin = get16(p + ENC_GROUP_LEN);
	g->nprune = get16(p + ENC_GROUP_LEN + 2);
	g->srcs = p + JP_GROUP_HDR_LEN;
	*off += JP_GROUP_HDR_LEN + ENC_SOURCE_LEN * ((size_t)g->njoin + g->nprune);
	return true;
}

void
pim_jp_source(const struct pim_jp_group *g, unsigned i, struct pim_jp_source *s)
{
	const uint8_t *p = g->srcs + ENC_SOURCE_LEN * (size_t)i;

	s->sparse = (p[2] & SRC_SPARSE) != 0;
	s->wildcard = (p[2] & SRC_WILDCARD) != 0;
	s->rpt = (p[2] & SRC_RPT) != 0;
	s->masklen = p[3];
	s->addr = get_addr(p + 4);
}

void
pim_jp_begin(struct pim_jp_builder *b, uint8_t *buf, size_t size,
    struct in_addr upstream, uint16_t holdtime)
{
	uint8_t *p;

	b->buf = buf;
	b->len = 0;
	b->ngroups = 0;
	/* Too small for one entry: a size of 0 makes every add fail. */
	b->size = size >= PIM_JP_MIN_SIZE ? size : 0;
	if (b->size == 0)
		return;
	p = put_unicast(put_header(buf, PIM_JOIN_PRUNE), upstream);
	*p++ = 0;			/* reserved */
	*p++ = 0;			/* number of groups, counted up by pim_jp_add */
	p = put16(p, holdtime);
	b->len = (size_t)(p - buf);
}

/* The offset of group's record in the message, 0 if it has none yet. */
static size_t
jp_find_group(const struct pim_jp_builder *b, struct in_addr group)
{
	size_t off = PIM_HDR_LEN + JP_FIXED_LEN;

	for (unsigned i = 0; i < b->ngroups; i++) {
		const uint8_t *p = b->buf + off;

		if (memcmp(p + 4, &group, sizeof(group)) == 0)
			return off;
		off += JP_GROUP_HDR_LEN + ENC_SOURCE_LEN *
		    ((size_t)get16(p + ENC_GROUP_LEN) + get16(p + ENC_GROUP_LEN + 2));
	}
	return 0;
}

/* Append an empty record for group; returns its offset. */
static size_t
jp_new_group(struct pim_jp_builder *b, struct in_addr group)
{
	size_t off = b->len;
	uint8_t *p = put_group(b->buf + off, group, 32);

	put16(put16(p, 0), 0);
	b->len += JP_GROUP_HDR_LEN;
	b->buf[JP_NGROUPS_OFF] = ++b->ngroups;
	return off;
}

bool
pim_jp_add(struct pim_jp_builder *b, struct in_addr group,
    const struct pim_jp_source *src, bool join)
{
	size_t grp = jp_find_group(b, group);
	size_t need = ENC_SOURCE_LEN + (grp == 0 ? JP_GROUP_HDR_LEN : 0);
	uint8_t *count;
	uint16_t njoin, nprune;
	size_t at;

	if (b->size - b->len < need || (grp == 0 && b->ngroups == UINT8_MAX))
		return false;
	if (grp == 0)
		grp = jp_new_group(b, group);
	count = b->buf + grp + ENC_GROUP_LEN + (join ? 0 : 2);
	if (get16(count) == UINT16_MAX)
		return false;
	njoin = get16(b->buf + grp + ENC_GROUP_LEN);
	nprune = get16(b->buf + grp + ENC_GROUP_LEN + 2);
	/* Joins go after the group's joins, prunes after its prunes. */
	at = grp + JP_GROUP_HDR_LEN + ENC_SOURCE_LEN * ((size_t)njoin + (join ? 0 : nprune));
	memmove(b->buf + at + ENC_SOURCE_LEN, b->buf + at, b->len - at);
	put_source(b->buf + at, src);
	b->len += ENC_SOURCE_LEN;
	put16(count, (uint16_t)(get16(count) + 1));
	return true;
}

bool
pim_jp_fits(const struct pim_jp_builder *b, unsigned nsources)
{
	if (b->ngroups == 0)
		return true;	/* a group too big for any message fills this one */
	return b->ngroups < UINT8_MAX &&
	    b->size - b->len >= JP_GROUP_HDR_LEN + ENC_SOURCE_LEN * (size_t)nsources;
}

size_t
pim_jp_finish(struct pim_jp_builder *b)
{
	if (b->ngroups == 0)
		return 0;
	seal(b->buf, b->len);
	return b->len;
}

/* ---- Register (§4.9.3) ---------------------------------------------------- */

/*
 * The encapsulated packet: an IPv4 header to a group.  A Null-Register's
 * dummy header says nothing about a length worth checking (§4.4.1).
 */
static enum pim_err
check_inner(struct pim_register *r)
{
	const uint8_t *ip = r->inner;
	size_t hlen = 4 * (size_t)(ip[0] & 0x0f), total;

	if (ip[0] >> 4 != 4 || hlen < IP_HDR_LEN)
		return PIM_ERR_ENCODING;
	if (hlen > r->inner_len)
		return PIM_ERR_SHORT;
	if (!r->null_register) {
		total = get16(ip + 2);
		if (total < hlen)
			return PIM_ERR_ENCODING;
		if (total > r->inner_len)
			return PIM_ERR_SHORT;
		r->inner_len = total;	/* drop anything after the packet */
	}
	r->source = get_addr(ip + 12);
	r->group = get_addr(ip + 16);
	return is_multicast(r->group) ? PIM_OK : PIM_ERR_GROUP;
}

enum pim_err
pim_register_decode(const uint8_t *body, size_t len, struct pim_register *r)
{
	memset(r, 0, sizeof(*r));
	if (len < REG_FLAGS_LEN + IP_HDR_LEN)
		return PIM_ERR_SHORT;
	r->border = (body[0] & REG_BORDER) != 0;
	r->null_register = (body[0] & REG_NULL) != 0;
	r->inner = body + REG_FLAGS_LEN;
	r->inner_len = len - REG_FLAGS_LEN;
	return check_inner(r);
}

size_t
pim_register_encode(uint8_t *buf, size_t size, bool null_register,
    const uint8_t *inner, size_t inner_len)
{
	if (size < REG_CKSUM_LEN || size - REG_CKSUM_LEN < inner_len)
		return 0;
	memmove(buf + REG_CKSUM_LEN, inner, inner_len);
	put32(put_header(buf, PIM_REGISTER), null_register ? (uint32_t)REG_NULL << 24 : 0);
	seal(buf, REG_CKSUM_LEN);
	return REG_CKSUM_LEN + inner_len;
}

size_t
pim_null_register_encode(uint8_t *buf, size_t size, struct in_addr source,
    struct in_addr group)
{
	uint8_t *ip = buf + REG_CKSUM_LEN;
	uint16_t ck;

	if (size < PIM_NULL_REGISTER_LEN)
		return 0;
	/* Version 4, 20 bytes, no data; TTL and protocol only for the look of it. */
	memset(ip, 0, IP_HDR_LEN);
	ip[0] = 0x45;
	put16(ip + 2, IP_HDR_LEN);
	ip[8] = 1;
	ip[9] = IPPROTO_PIM;
	put_addr(put_addr(ip + 12, source), group);
	ck = in_cksum(ip, IP_HDR_LEN);
	memcpy(ip + 10, &ck, sizeof(ck));
	return pim_register_encode(buf, size, true, ip, IP_HDR_LEN);
}

/* ---- Register-Stop (§4.9.4) ----------------------------------------------- */

enum pim_err
pim_register_stop_decode(const uint8_t *body, size_t len, struct pim_register_stop *rs)
{
	enum pim_err e;

	memset(rs, 0, sizeof(*rs));
	if (len < REGISTER_STOP_LEN)
		return PIM_ERR_SHORT;
	if ((e = get_group(body, &rs->group, &rs->masklen)) != PIM_OK)
		return e;
	return get_unicast(body + ENC_GROUP_LEN, &rs->source);
}

size_t
pim_register_stop_encode(uint8_t *buf, size_t size, struct in_addr group,
    struct in_addr source)
{
	size_t len = PIM_HDR_LEN + REGISTER_STOP_LEN;

	if (size < len)
		return 0;
	put_unicast(put_group(put_header(buf, PIM_REGISTER_STOP), group, 32), source);
	seal(buf, len);
	return len;
}

/* ---- Assert (§4.9.6) ---------------------------------------------------------- */

enum pim_err
pim_assert_decode(const uint8_t *body, size_t len, struct pim_assert *a)
{
	const uint8_t *p;
	enum pim_err e;

	memset(a, 0, sizeof(*a));
	if (len < ASSERT_LEN)
		return PIM_ERR_SHORT;
	if ((e = get_group(body, &a->group, &a->masklen)) != PIM_OK)
		return e;
	if ((e = get_unicast(body + ENC_GROUP_LEN, &a->source)) != PIM_OK)
		return e;
	/* R bit and Metric Preference share a word; then the Metric. */
	p = body + ENC_GROUP_LEN + ENC_UNICAST_LEN;
	a->rpt = (get32(p) & ASSERT_RPT) != 0;
	a->preference = get32(p) & ASSERT_PREF_MAX;
	a->metric = get32(p + 4);
	return PIM_OK;
}

size_t
pim_assert_encode(uint8_t *buf, size_t size, const struct pim_assert *a)
{
	size_t len = PIM_HDR_LEN + ASSERT_LEN;
	uint32_t pref = a->preference < ASSERT_PREF_MAX ? a->preference : ASSERT_PREF_MAX;
	uint8_t *p;

	if (size < len)
		return 0;
	p = put_header(buf, PIM_ASSERT);
	p = put_group(p, a->group, a->masklen < 32 ? a->masklen : 32);
	p = put_unicast(p, a->source);
	put32(put32(p, (a->rpt ? ASSERT_RPT : 0) | pref), a->metric);
	seal(buf, len);
	return len;
}

/* ---- Bootstrap (RFC 5059 §4.1) -------------------------------------------- */

/* One range at p with left bytes to go; *used is what it takes. */
static enum pim_err
check_bsm_group(const uint8_t *p, size_t left, size_t *used)
{
	struct in_addr g, rp;
	uint8_t masklen, count, frag;
	enum pim_err e;

	if (left < PIM_BSM_RANGE_LEN)
		return PIM_ERR_SHORT;
	if ((e = get_group(p, &g, &masklen)) != PIM_OK)
		return e;
	count = p[ENC_GROUP_LEN];
	frag = p[ENC_GROUP_LEN + 1];
	if (frag > count || (size_t)frag * PIM_BSM_RP_LEN > left - PIM_BSM_RANGE_LEN)
		return PIM_ERR_COUNT;
	p += PIM_BSM_RANGE_LEN;
	for (unsigned i = 0; i < frag; i++, p += PIM_BSM_RP_LEN)
		if ((e = get_router(p, &rp)) != PIM_OK)
			return e;
	*used = PIM_BSM_RANGE_LEN + (size_t)frag * PIM_BSM_RP_LEN;
	return PIM_OK;
}

enum pim_err
pim_bsm_decode(const uint8_t *msg, size_t len, struct pim_bsm *m)
{
	const uint8_t *body = msg + PIM_HDR_LEN;
	size_t off, used;
	enum pim_err e;

	memset(m, 0, sizeof(*m));
	if (len < PIM_HDR_LEN + BSM_FIXED_LEN)
		return PIM_ERR_SHORT;
	len -= PIM_HDR_LEN;
	if (body[2] > 32)
		return PIM_ERR_ENCODING;
	if ((e = get_router(body + 4, &m->bsr)) != PIM_OK)
		return e;
	m->no_forward = (msg[1] & BSM_NO_FORWARD) != 0;
	m->frag_tag = get16(body);
	m->hash_masklen = body[2];
	m->priority = body[3];
	m->groups = body + BSM_FIXED_LEN;
	m->len = len - BSM_FIXED_LEN;
	for (off = 0; off < m->len; off += used, m->ngroups++)
		if ((e = check_bsm_group(m->groups + off, m->len - off, &used)) != PIM_OK)
			return e;
	return PIM_OK;
}

bool
pim_bsm_next_group(const struct pim_bsm *m, size_t *off, struct pim_bsm_group *g)
{
	const uint8_t *p = m->groups + *off;

	if (*off >= m->len)
		return false;
	(void)get_group(p, &g->group, &g->masklen);
	g->admin_scope = (p[2] & GROUP_ADMIN_SCOPE) != 0;
	g->rp_count = p[ENC_GROUP_LEN];
	g->frag_rp_count = p[ENC_GROUP_LEN + 1];
	g->rps = p + PIM_BSM_RANGE_LEN;
	*off += PIM_BSM_RANGE_LEN + (size_t)g->frag_rp_count * PIM_BSM_RP_LEN;
	return true;
}

void
pim_bsm_rp(const struct pim_bsm_group *g, unsigned i, struct pim_bsm_rp *rp)
{
	const uint8_t *p = g->rps + (size_t)i * PIM_BSM_RP_LEN;

	(void)get_unicast(p, &rp->addr);
	rp->holdtime = get16(p + ENC_UNICAST_LEN);
	rp->priority = p[ENC_UNICAST_LEN + 2];
}

bool
pim_bsm_begin(struct pim_bsm_builder *b, uint8_t *buf, size_t size, const struct pim_bsm *m)
{
	uint8_t *p;

	b->buf = buf;
	b->range = NULL;
	b->size = size;
	b->len = 0;
	if (size < PIM_HDR_LEN + BSM_FIXED_LEN)
		return false;
	p = put_header(buf, PIM_BOOTSTRAP);
	if (m->no_forward)
		buf[1] |= BSM_NO_FORWARD;
	p = put16(p, m->frag_tag);
	*p++ = m->hash_masklen;
	*p++ = m->priority;
	p = put_unicast(p, m->bsr);
	b->len = (size_t)(p - buf);
	return true;
}

bool
pim_bsm_add_range(struct pim_bsm_builder *b, struct in_addr group, uint8_t masklen,
    uint8_t rp_count)
{
	uint8_t *p = b->buf + b->len;

	if (b->len == 0 || b->size - b->len < PIM_BSM_RANGE_LEN)
		return false;
	b->range = p;
	p = put_group(p, group, masklen);
	*p++ = rp_count;
	*p++ = 0;			/* fragment RP count, counted up by add_rp */
	p = put16(p, 0);
	b->len = (size_t)(p - b->buf);
	return true;
}

bool
pim_bsm_add_rp(struct pim_bsm_builder *b, const struct pim_bsm_rp *rp)
{
	uint8_t *p = b->buf + b->len;

	if (b->range == NULL || b->size - b->len < PIM_BSM_RP_LEN ||
	    b->range[ENC_GROUP_LEN + 1] == b->range[ENC_GROUP_LEN])
		return false;
	p = put_unicast(p, rp->addr);
	p = put16(p, rp->holdtime);
	*p++ = rp->priority;
	*p++ = 0;
	b->range[ENC_GROUP_LEN + 1]++;
	b->len = (size_t)(p - b->buf);
	return true;
}

size_t
pim_bsm_finish(struct pim_bsm_builder *b)
{
	if (b->len > 0)
		seal(b->buf, b->len);
	return b->len;
}

void
pim_bsm_set_no_forward(uint8_t *msg, size_t len)
{
	msg[1] |= BSM_NO_FORWARD;
	seal(msg, len);
}

/* ---- Candidate-RP-Advertisement (RFC 5059 §4.2) ------------------------------ */

enum pim_err
pim_crp_adv_decode(const uint8_t *body, size_t len, struct pim_crp_adv *a)
{
	struct in_addr g;
	uint8_t masklen;
	enum pim_err e;

	memset(a, 0, sizeof(*a));
	if (len < CRP_FIXED_LEN)
		return PIM_ERR_SHORT;
	if ((e = get_router(body + 4, &a->rp)) != PIM_OK)
		return e;
	if ((size_t)body[0] * ENC_GROUP_LEN > len - CRP_FIXED_LEN)
		return PIM_ERR_COUNT;
	a->groups = body + CRP_FIXED_LEN;
	for (unsigned i = 0; i < body[0]; i++)
		if ((e = get_group(a->groups + (size_t)i * ENC_GROUP_LEN, &g, &masklen)) != PIM_OK)
			return e;
	a->prefix_count = body[0];
	a->priority = body[1];
	a->holdtime = get16(body + 2);
	return PIM_OK;
}

void
pim_crp_adv_group(const struct pim_crp_adv *a, unsigned i, struct in_addr *group,
    uint8_t *masklen)
{
	(void)get_group(a->groups + (size_t)i * ENC_GROUP_LEN, group, masklen);
}

size_t
pim_crp_adv_encode(uint8_t *buf, size_t size, const struct pim_crp_adv *a,
    const struct in_addr *groups, const uint8_t *masklens, unsigned n)
{
	size_t len = PIM_HDR_LEN + CRP_FIXED_LEN + (size_t)n * ENC_GROUP_LEN;
	uint8_t *p;

	if (n == 0 || n > UINT8_MAX || size < len)
		return 0;
	p = put_header(buf, PIM_CRP_ADV);
	*p++ = (uint8_t)n;
	*p++ = a->priority;
	p = put16(p, a->holdtime);
	p = put_unicast(p, a->rp);
	for (unsigned i = 0; i < n; i++)
		p = put_group(p, groups[i], masklens[i]);
	seal(buf, len);
	return len;
}
