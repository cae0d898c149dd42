/* SPDX-License-Identifier: ISC */
/*
 * The PIM codec (RFC 7761 §4.9): the header and its checksum, Hello options
 * (§4.9.2), Join/Prune (§4.9.5) decoding and the splitting builder, Register
 * (§4.9.3) with its 8-byte checksum, Register-Stop (§4.9.4) and Assert
 * (§4.9.6), and RFC 5059's Bootstrap (§4.1) and Candidate-RP-Advertisement
 * (§4.2); hand-written messages against the RFC layout, every encoder
 * through its decoder, and every way a message is rejected.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cksum.h"
#include "pim_msg.h"

/* ---- building messages ------------------------------------------------- */

struct pkt {
	uint8_t	b[8192];	/* 200 BSM ranges of one RP */
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
put32(struct pkt *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p, (uint16_t)v);
}

static struct in_addr
ip(const char *a)
{
	struct in_addr in;

	assert_int_equal(inet_pton(AF_INET, a, &in), 1);
	return in;
}

static void
put_addr(struct pkt *p, const char *a)
{
	struct in_addr in = ip(a);

	assert_true(p->len + 4 <= sizeof(p->b));
	memcpy(p->b + p->len, &in, 4);
	p->len += 4;
}

static void
set_bytes(struct pkt *p, const uint8_t *bytes, size_t len)
{
	assert_true(len <= sizeof(p->b));
	memcpy(p->b, bytes, len);
	p->len = len;
}

/* Version 2, the type, reserved, a checksum to fill in. */
static void
header(struct pkt *p, uint8_t type)
{
	p->len = 0;
	put8(p, (uint8_t)(0x20 | type));
	put8(p, 0);
	put16(p, 0);
}

/* §4.9.1 encoded addresses, IPv4 native unless said otherwise. */
static void
enc_unicast(struct pkt *p, const char *a)
{
	put8(p, 1);
	put8(p, 0);
	put_addr(p, a);
}

/* The same, for an address given in host order. */
static void
enc_unicast_n(struct pkt *p, uint32_t a)
{
	put8(p, 1);
	put8(p, 0);
	put32(p, a);
}

static void
enc_group(struct pkt *p, const char *g, uint8_t masklen)
{
	put8(p, 1);
	put8(p, 0);
	put8(p, 0);
	put8(p, masklen);
	put_addr(p, g);
}

#define S_BIT	0x04
#define W_BIT	0x02
#define R_BIT	0x01

static void
enc_source(struct pkt *p, uint8_t flags, uint8_t masklen, const char *s)
{
	put8(p, 1);
	put8(p, 0);
	put8(p, flags);
	put8(p, masklen);
	put_addr(p, s);
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

/* Seal, check the header says type, and give the body. */
static void
body_of(struct pkt *p, enum pim_type type, const uint8_t **body, size_t *len)
{
	enum pim_type t;

	seal(p);
	assert_int_equal(pim_decode_header(p->b, p->len, &t, body, len), PIM_OK);
	assert_int_equal(t, type);
	assert_ptr_equal(*body, p->b + 4);
	assert_int_equal(*len, p->len - 4);
}

static enum pim_err
decode_hello(struct pkt *p, struct pim_hello *h)
{
	const uint8_t *body;
	size_t len;

	body_of(p, PIM_HELLO, &body, &len);
	return pim_hello_decode(body, len, h);
}

static enum pim_err
decode_jp(struct pkt *p, struct pim_jp *jp)
{
	const uint8_t *body;
	size_t len;

	body_of(p, PIM_JOIN_PRUNE, &body, &len);
	return pim_jp_decode(body, len, jp);
}

static enum pim_err
decode_register_stop(struct pkt *p, struct pim_register_stop *rs)
{
	const uint8_t *body;
	size_t len;

	body_of(p, PIM_REGISTER_STOP, &body, &len);
	return pim_register_stop_decode(body, len, rs);
}

static enum pim_err
decode_assert(struct pkt *p, struct pim_assert *a)
{
	const uint8_t *body;
	size_t len;

	body_of(p, PIM_ASSERT, &body, &len);
	return pim_assert_decode(body, len, a);
}

/* A Register's body as is: its checksum is set by whoever built it. */
static enum pim_err
decode_register(const uint8_t *buf, size_t len, struct pim_register *r)
{
	const uint8_t *body;
	size_t blen;
	enum pim_type t;
	enum pim_err e;

	if ((e = pim_decode_header(buf, len, &t, &body, &blen)) != PIM_OK)
		return e;
	assert_int_equal(t, PIM_REGISTER);
	return pim_register_decode(body, blen, r);
}

/* A 20-byte IPv4 header S -> G with total length total, then data bytes. */
static void
ip_packet(struct pkt *p, const char *s, const char *g, uint16_t total, size_t data)
{
	size_t start = p->len;
	uint16_t ck;

	put8(p, 0x45);
	put8(p, 0);
	put16(p, total);
	put32(p, 0);
	put8(p, 64);
	put8(p, 17);
	put16(p, 0);
	put_addr(p, s);
	put_addr(p, g);
	ck = in_cksum(p->b + start, 20);
	memcpy(p->b + start + 10, &ck, 2);
	for (size_t i = 0; i < data; i++)
		put8(p, (uint8_t)i);
}

/* A Register: header, flags word, the IPv4 packet; checksum over 8 bytes. */
static void
register_msg(struct pkt *p, uint8_t flags, const char *s, const char *g, size_t data)
{
	uint16_t ck;

	header(p, PIM_REGISTER);
	put8(p, flags);
	put8(p, 0);
	put16(p, 0);
	ip_packet(p, s, g, (uint16_t)(20 + data), data);
	ck = in_cksum(p->b, 8);
	memcpy(p->b + 2, &ck, 2);
}

/* ---- the header (§4.9) --------------------------------------------------- */

static void
header_every_type(void **state)
{
	struct pkt p;
	const uint8_t *body;
	size_t len;
	enum pim_type t;

	for (uint8_t type = 0; type < PIM_TYPE_MAX; type++) {
		header(&p, type);
		put32(&p, 0x01020304);
		seal(&p);
		assert_int_equal(pim_decode_header(p.b, p.len, &t, &body, &len), PIM_OK);
		assert_int_equal(t, type);
		assert_ptr_equal(body, p.b + 4);
		assert_int_equal(len, 4);
	}
	/* The reserved byte is ignored. */
	header(&p, PIM_HELLO);
	p.b[1] = 0xff;
	seal(&p);
	assert_int_equal(pim_decode_header(p.b, p.len, &t, &body, &len), PIM_OK);
	assert_int_equal(len, 0);
}

static void
header_short(void **state)
{
	struct pkt p;
	const uint8_t *body;
	size_t len;
	enum pim_type t;

	header(&p, PIM_HELLO);
	seal(&p);
	for (size_t n = 0; n < 4; n++)
		assert_int_equal(pim_decode_header(p.b, n, &t, &body, &len), PIM_ERR_SHORT);
	/* A Register needs its 8 checksummed bytes. */
	header(&p, PIM_REGISTER);
	put32(&p, 0);
	seal(&p);
	for (size_t n = 4; n < 8; n++)
		assert_int_equal(pim_decode_header(p.b, n, &t, &body, &len), PIM_ERR_SHORT);
	assert_int_equal(pim_decode_header(p.b, 8, &t, &body, &len), PIM_OK);
}

static void
header_bad_version(void **state)
{
	const uint8_t versions[] = { 0, 1, 3, 15 };
	struct pkt p;
	const uint8_t *body;
	size_t len;
	enum pim_type t;

	for (unsigned i = 0; i < sizeof(versions); i++) {
		header(&p, PIM_HELLO);
		p.b[0] = (uint8_t)(versions[i] << 4);
		seal(&p);
		assert_int_equal(pim_decode_header(p.b, p.len, &t, &body, &len),
		    PIM_ERR_VERSION);
	}
}

static void
header_unknown_type(void **state)
{
	struct pkt p;
	const uint8_t *body;
	size_t len;
	enum pim_type t;

	for (uint8_t type = PIM_TYPE_MAX; type < 16; type++) {
		header(&p, type);
		put32(&p, 0);
		seal(&p);
		assert_int_equal(pim_decode_header(p.b, p.len, &t, &body, &len),
		    PIM_ERR_TYPE);
	}
}

/* A flipped bit anywhere in a Hello, an odd length padded with zero. */
static void
header_bad_checksum(void **state)
{
	struct pkt p;
	const uint8_t *body;
	size_t len;
	enum pim_type t;

	header(&p, PIM_HELLO);
	put16(&p, 1);
	put16(&p, 2);
	put16(&p, 105);
	put8(&p, 0x5a);
	seal(&p);
	assert_int_equal(pim_decode_header(p.b, p.len, &t, &body, &len), PIM_OK);
	for (size_t i = 0; i < p.len; i++) {
		p.b[i] ^= 0x01;
		/* In byte 0 this makes it a Register, whose 8 bytes are covered too. */
		assert_int_equal(pim_decode_header(p.b, p.len, &t, &body, &len),
		    PIM_ERR_CHECKSUM);
		p.b[i] ^= 0x01;
	}
}

/*
 * §4.9.3: a Register's checksum covers the first 8 bytes only, so the data
 * packet may change under it; one over the whole message is accepted too.
 */
static void
register_checksum_8_bytes(void **state)
{
	struct pkt p;
	struct pim_register r;
	uint16_t ck;

	register_msg(&p, 0, "10.1.1.1", "239.1.1.1", 16);
	assert_int_equal(in_cksum(p.b, 8), 0);
	assert_int_equal(decode_register(p.b, p.len, &r), PIM_OK);
	/* The inner packet is not covered. */
	for (size_t i = 8; i < p.len; i++) {
		if (i == 8 || (i >= 10 && i < 12) || (i >= 24 && i < 28))
			continue;	/* keep it an IPv4 packet to a group */
		p.b[i] ^= 0x40;
		assert_int_equal(decode_register(p.b, p.len, &r), PIM_OK);
		p.b[i] ^= 0x40;
	}
	/* The flags word is. */
	for (size_t i = 4; i < 8; i++) {
		p.b[i] ^= 0x01;
		assert_int_equal(decode_register(p.b, p.len, &r), PIM_ERR_CHECKSUM);
		p.b[i] ^= 0x01;
	}
	/* A checksum over everything, as some routers send it. */
	p.b[2] = p.b[3] = 0;
	ck = in_cksum(p.b, p.len);
	memcpy(p.b + 2, &ck, 2);
	assert_int_not_equal(in_cksum(p.b, 8), 0);
	assert_int_equal(decode_register(p.b, p.len, &r), PIM_OK);
	p.b[p.len - 1] ^= 0x01;
	assert_int_equal(decode_register(p.b, p.len, &r), PIM_ERR_CHECKSUM);
}

static void
names(void **state)
{
	const char *const types[] = { "hello", "register", "register-stop",
	    "join-prune", "bootstrap", "assert", "graft", "graft-ack",
	    "candidate-rp-advertisement" };

	for (int e = PIM_OK; e < PIM_ERR_MAX; e++) {
		assert_non_null(pim_err_name(e));
		assert_string_not_equal(pim_err_name(e), "?");
	}
	assert_string_equal(pim_err_name(PIM_OK), "ok");
	assert_string_equal(pim_err_name(PIM_ERR_SHORT), "too-short");
	assert_string_equal(pim_err_name(PIM_ERR_VERSION), "bad-version");
	assert_string_equal(pim_err_name(PIM_ERR_TYPE), "unknown-type");
	assert_string_equal(pim_err_name(PIM_ERR_CHECKSUM), "bad-checksum");
	assert_string_equal(pim_err_name(PIM_ERR_ENCODING), "bad-encoding");
	assert_string_equal(pim_err_name(PIM_ERR_COUNT), "bad-count");
	assert_string_equal(pim_err_name(PIM_ERR_GROUP), "bad-group");
	assert_string_equal(pim_err_name(PIM_ERR_OPTION), "bad-option");
	assert_string_equal(pim_err_name(PIM_ERR_MAX), "?");
	assert_string_equal(pim_err_name(99), "?");
	for (int t = PIM_HELLO; t < PIM_TYPE_MAX; t++)
		assert_string_equal(pim_type_name(t), types[t]);
	assert_string_equal(pim_type_name(PIM_TYPE_MAX), "?");
	assert_string_equal(pim_type_name(99), "?");
}

/* ---- Hello (§4.9.2) ------------------------------------------------------- */

/* What a router sends: holdtime 105, LAN Prune Delay, DR priority, GenID, two addresses. */
static const uint8_t real_hello[] = {
	0x20, 0x00, 0x9d, 0x29,			/* v2 Hello, checksum */
	0x00, 0x01, 0x00, 0x02, 0x00, 0x69,	/* Holdtime 105 s */
	0x00, 0x02, 0x00, 0x04, 0x01, 0xf4, 0x09, 0xc4, /* T 0, 500 ms, 2500 ms */
	0x00, 0x13, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, /* DR priority 1 */
	0x00, 0x14, 0x00, 0x04, 0x12, 0x34, 0x56, 0x78, /* GenID */
	0x00, 0x18, 0x00, 0x0c,			/* Address List, 2 entries */
	0x01, 0x00, 10, 0, 0, 2,
	0x01, 0x00, 192, 168, 1, 1,
};

static void
hello_real_router(void **state)
{
	struct pkt p;
	struct pim_hello h;
	const uint8_t *body;
	size_t len;
	enum pim_type t;

	set_bytes(&p, real_hello, sizeof(real_hello));
	assert_int_equal(pim_decode_header(p.b, p.len, &t, &body, &len), PIM_OK);
	assert_int_equal(t, PIM_HELLO);
	assert_int_equal(pim_hello_decode(body, len, &h), PIM_OK);
	assert_true(h.has_holdtime);
	assert_int_equal(h.holdtime, 105);
	assert_true(h.has_lan_prune_delay);
	assert_false(h.t_bit);
	assert_int_equal(h.propagation_delay, 500);
	assert_int_equal(h.override_interval, 2500);
	assert_true(h.has_dr_priority);
	assert_int_equal(h.dr_priority, 1);
	assert_true(h.has_genid);
	assert_int_equal(h.genid, 0x12345678);
	assert_int_equal(h.naddr, 2);
	assert_int_equal(h.addrs[0].s_addr, ip("10.0.0.2").s_addr);
	assert_int_equal(h.addrs[1].s_addr, ip("192.168.1.1").s_addr);
}

/* Encoding the same options gives the same bytes, in option number order. */
static void
hello_encode_layout(void **state)
{
	struct pim_hello h = {
		.has_holdtime = true, .holdtime = 105,
		.has_lan_prune_delay = true, .propagation_delay = 500,
		.override_interval = 2500,
		.has_dr_priority = true, .dr_priority = 1,
		.has_genid = true, .genid = 0x12345678,
		.naddr = 2,
	};
	uint8_t buf[128];

	h.addrs[0] = ip("10.0.0.2");
	h.addrs[1] = ip("192.168.1.1");
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(pim_hello_encode(buf, sizeof(buf), &h), sizeof(real_hello));
	assert_memory_equal(buf, real_hello, sizeof(real_hello));
	assert_int_equal(buf[sizeof(real_hello)], 0xee);
	/* One byte short: nothing. */
	assert_int_equal(pim_hello_encode(buf, sizeof(real_hello) - 1, &h), 0);
	assert_int_equal(pim_hello_encode(buf, sizeof(real_hello), &h), sizeof(real_hello));
}

static void
hello_round_trip(void **state)
{
	struct pim_hello h, d;
	uint8_t buf[256];
	const uint8_t *body;
	size_t len, blen;
	enum pim_type t;

	/* Every subset of the options. */
	for (unsigned mask = 0; mask < 32; mask++) {
		memset(&h, 0, sizeof(h));
		h.has_holdtime = mask & 1;
		h.holdtime = mask & 1 ? 0xffff : 0;
		h.has_lan_prune_delay = mask & 2;
		if (h.has_lan_prune_delay) {
			h.t_bit = true;
			h.propagation_delay = 0x7fff;
			h.override_interval = 0xffff;
		}
		h.has_dr_priority = mask & 4;
		h.dr_priority = mask & 4 ? 0xffffffff : 0;
		h.has_genid = mask & 8;
		h.genid = mask & 8 ? 0x80000001 : 0;
		if (mask & 16) {
			h.naddr = PIM_HELLO_MAX_ADDRS;
			for (unsigned i = 0; i < h.naddr; i++)
				h.addrs[i].s_addr = htonl(0x0a000001 + i);
		}
		len = pim_hello_encode(buf, sizeof(buf), &h);
		assert_int_not_equal(len, 0);
		assert_int_equal(in_cksum(buf, len), 0);
		assert_int_equal(pim_decode_header(buf, len, &t, &body, &blen), PIM_OK);
		assert_int_equal(t, PIM_HELLO);
		assert_int_equal(pim_hello_decode(body, blen, &d), PIM_OK);
		assert_memory_equal(&d, &h, sizeof(h));
	}
}

/* Out-of-range values are sent as the most the field holds. */
static void
hello_encode_clamps(void **state)
{
	struct pim_hello h = { .has_lan_prune_delay = true, .propagation_delay = 0x8123,
	    .naddr = PIM_HELLO_MAX_ADDRS + 5 };
	struct pim_hello d;
	uint8_t buf[256];
	size_t len;

	for (unsigned i = 0; i < PIM_HELLO_MAX_ADDRS; i++)
		h.addrs[i].s_addr = htonl(0x0a000001 + i);
	len = pim_hello_encode(buf, sizeof(buf), &h);
	assert_int_equal(len, 4 + 8 + 4 + 6 * PIM_HELLO_MAX_ADDRS);
	assert_int_equal(pim_hello_decode(buf + 4, len - 4, &d), PIM_OK);
	assert_false(d.t_bit);
	assert_int_equal(d.propagation_delay, 0x7fff);
	assert_int_equal(d.naddr, PIM_HELLO_MAX_ADDRS);
	assert_memory_equal(d.addrs, h.addrs, sizeof(h.addrs));
}

static void
hello_t_bit_and_empty(void **state)
{
	struct pkt p;
	struct pim_hello h;

	header(&p, PIM_HELLO);
	put16(&p, 2);
	put16(&p, 4);
	put16(&p, 0x8000 | 1000);
	put16(&p, 3000);
	assert_int_equal(decode_hello(&p, &h), PIM_OK);
	assert_true(h.has_lan_prune_delay);
	assert_true(h.t_bit);
	assert_int_equal(h.propagation_delay, 1000);
	assert_int_equal(h.override_interval, 3000);
	assert_false(h.has_holdtime);

	/* No options at all: nothing set. */
	header(&p, PIM_HELLO);
	assert_int_equal(decode_hello(&p, &h), PIM_OK);
	assert_false(h.has_holdtime || h.has_lan_prune_delay || h.has_dr_priority ||
	    h.has_genid);
	assert_int_equal(h.naddr, 0);
}

/* Unknown options, of any length including 0, are skipped. */
static void
hello_unknown_options_skipped(void **state)
{
	struct pkt p;
	struct pim_hello h;

	header(&p, PIM_HELLO);
	put16(&p, 21);			/* bidir capable, empty */
	put16(&p, 0);
	put16(&p, 65001);		/* an old address list, 3 odd bytes */
	put16(&p, 3);
	put8(&p, 1);
	put8(&p, 2);
	put8(&p, 3);
	put16(&p, 1);
	put16(&p, 2);
	put16(&p, 35);
	put16(&p, 0xffff);		/* last: a type we do not know */
	put16(&p, 1);
	put8(&p, 0);
	assert_int_equal(decode_hello(&p, &h), PIM_OK);
	assert_true(h.has_holdtime);
	assert_int_equal(h.holdtime, 35);
	assert_false(h.has_dr_priority);
}

/* A known option with the wrong length is rejected, not guessed at. */
static void
hello_option_wrong_length(void **state)
{
	const struct { uint16_t type, len; } bad[] = {
		{ 1, 0 }, { 1, 1 }, { 1, 4 },
		{ 2, 2 }, { 2, 8 },
		{ 19, 2 }, { 19, 8 },
		{ 20, 0 }, { 20, 6 },
	};
	struct pkt p;
	struct pim_hello h;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		header(&p, PIM_HELLO);
		put16(&p, bad[i].type);
		put16(&p, bad[i].len);
		for (unsigned j = 0; j < bad[i].len; j++)
			put8(&p, 0);
		assert_int_equal(decode_hello(&p, &h), PIM_ERR_OPTION);
	}
}

static void
hello_option_past_end(void **state)
{
	struct pkt p;
	struct pim_hello h;

	/* Length one past what is there. */
	header(&p, PIM_HELLO);
	put16(&p, 1);
	put16(&p, 3);
	put16(&p, 105);
	assert_int_equal(decode_hello(&p, &h), PIM_ERR_OPTION);
	/* An unknown option too. */
	header(&p, PIM_HELLO);
	put16(&p, 1000);
	put16(&p, 0xffff);
	put32(&p, 0);
	assert_int_equal(decode_hello(&p, &h), PIM_ERR_OPTION);
	/* 1 to 3 bytes after the last option: half an option header. */
	for (unsigned extra = 1; extra < 4; extra++) {
		header(&p, PIM_HELLO);
		put16(&p, 1);
		put16(&p, 2);
		put16(&p, 105);
		for (unsigned i = 0; i < extra; i++)
			put8(&p, 0);
		assert_int_equal(decode_hello(&p, &h), PIM_ERR_OPTION);
	}
}

static void
hello_address_list(void **state)
{
	struct pkt p;
	struct pim_hello h;

	/* An IPv6 entry (family 2, 18 bytes) between two IPv4 ones is skipped. */
	header(&p, PIM_HELLO);
	put16(&p, 24);
	put16(&p, 6 + 18 + 6);
	enc_unicast(&p, "10.0.0.1");
	put8(&p, 2);
	put8(&p, 0);
	for (unsigned i = 0; i < 16; i++)
		put8(&p, 0xfe);
	enc_unicast(&p, "10.0.0.3");
	assert_int_equal(decode_hello(&p, &h), PIM_OK);
	assert_int_equal(h.naddr, 2);
	assert_int_equal(h.addrs[0].s_addr, ip("10.0.0.1").s_addr);
	assert_int_equal(h.addrs[1].s_addr, ip("10.0.0.3").s_addr);

	/* Empty: fine. */
	header(&p, PIM_HELLO);
	put16(&p, 24);
	put16(&p, 0);
	assert_int_equal(decode_hello(&p, &h), PIM_OK);
	assert_int_equal(h.naddr, 0);

	/* More than fit: the first ones are kept; two options add up. */
	header(&p, PIM_HELLO);
	put16(&p, 24);
	put16(&p, 6 * 10);
	for (unsigned i = 0; i < 10; i++)
		enc_unicast_n(&p, 0x0a000000 + i);
	put16(&p, 24);
	put16(&p, 6 * 10);
	for (unsigned i = 10; i < 20; i++)
		enc_unicast_n(&p, 0x0a000000 + i);
	assert_int_equal(decode_hello(&p, &h), PIM_OK);
	assert_int_equal(h.naddr, PIM_HELLO_MAX_ADDRS);
	for (unsigned i = 0; i < PIM_HELLO_MAX_ADDRS; i++)
		assert_int_equal(h.addrs[i].s_addr, htonl(0x0a000000 + i));
}

static void
hello_address_list_errors(void **state)
{
	struct pkt p;
	struct pim_hello h;

	/* Unknown family: its length is unknown. */
	header(&p, PIM_HELLO);
	put16(&p, 24);
	put16(&p, 6);
	put8(&p, 3);
	put8(&p, 0);
	put32(&p, 0);
	assert_int_equal(decode_hello(&p, &h), PIM_ERR_ENCODING);
	/* Unknown encoding type. */
	p.b[8] = 1;
	p.b[9] = 1;
	assert_int_equal(decode_hello(&p, &h), PIM_ERR_ENCODING);
	/* An IPv4 entry cut short by the option length. */
	header(&p, PIM_HELLO);
	put16(&p, 24);
	put16(&p, 6 + 4);
	enc_unicast(&p, "10.0.0.1");
	put8(&p, 1);
	put8(&p, 0);
	put16(&p, 0);
	assert_int_equal(decode_hello(&p, &h), PIM_ERR_OPTION);
	/* Half an entry header. */
	header(&p, PIM_HELLO);
	put16(&p, 24);
	put16(&p, 7);
	enc_unicast(&p, "10.0.0.1");
	put8(&p, 1);
	assert_int_equal(decode_hello(&p, &h), PIM_ERR_OPTION);
	/* An IPv6 entry cut short. */
	header(&p, PIM_HELLO);
	put16(&p, 24);
	put16(&p, 6);
	put8(&p, 2);
	put8(&p, 0);
	put32(&p, 0);
	assert_int_equal(decode_hello(&p, &h), PIM_ERR_OPTION);
}

/* ---- Join/Prune (§4.9.5) -------------------------------------------------- */

/* Upstream neighbour, reserved, number of groups, holdtime. */
static void
jp_header(struct pkt *p, const char *upstream, uint8_t ngroups, uint16_t holdtime)
{
	header(p, PIM_JOIN_PRUNE);
	enc_unicast(p, upstream);
	put8(p, 0);
	put8(p, ngroups);
	put16(p, holdtime);
}

static void
jp_group(struct pkt *p, const char *group, uint16_t njoin, uint16_t nprune)
{
	enc_group(p, group, 32);
	put16(p, njoin);
	put16(p, nprune);
}

static void
check_source(const struct pim_jp_group *g, unsigned i, const char *addr,
    bool sparse, bool wildcard, bool rpt)
{
	struct pim_jp_source s;

	pim_jp_source(g, i, &s);
	assert_int_equal(s.addr.s_addr, ip(addr).s_addr);
	assert_int_equal(s.masklen, 32);
	assert_int_equal(s.sparse, sparse);
	assert_int_equal(s.wildcard, wildcard);
	assert_int_equal(s.rpt, rpt);
}

/*
 * Byte by byte: a (*,G) join and an (S,G,rpt) prune for one group, an
 * (S,G) join for another.
 */
static void
jp_decode_layout(void **state)
{
	const uint8_t msg[] = {
		0x23, 0x00, 0x00, 0x00,
		1, 0, 10, 0, 0, 1,		/* upstream 10.0.0.1 */
		0, 2, 0x00, 0xd2,		/* reserved, 2 groups, holdtime 210 */
		1, 0, 0, 32, 239, 1, 1, 1,	/* group 239.1.1.1/32 */
		0, 1, 0, 1,			/* 1 join, 1 prune */
		1, 0, 0x07, 32, 10, 9, 9, 9,	/* join (*,G): S W R, RP 10.9.9.9 */
		1, 0, 0x05, 32, 10, 1, 1, 1,	/* prune (S,G,rpt): S R */
		1, 0, 0, 32, 232, 1, 1, 1,	/* group 232.1.1.1/32 */
		0, 1, 0, 0,			/* 1 join */
		1, 0, 0x04, 32, 10, 2, 2, 2,	/* join (S,G): S */
	};
	struct pkt p;
	struct pim_jp jp;
	struct pim_jp_group g;
	size_t off = 0;

	set_bytes(&p, msg, sizeof(msg));
	assert_int_equal(decode_jp(&p, &jp), PIM_OK);
	assert_int_equal(jp.upstream.s_addr, ip("10.0.0.1").s_addr);
	assert_int_equal(jp.holdtime, 210);
	assert_int_equal(jp.ngroups, 2);
	assert_int_equal(jp.len, sizeof(msg) - 14);

	assert_true(pim_jp_next_group(&jp, &off, &g));
	assert_int_equal(g.group.s_addr, ip("239.1.1.1").s_addr);
	assert_int_equal(g.masklen, 32);
	assert_int_equal(g.njoin, 1);
	assert_int_equal(g.nprune, 1);
	check_source(&g, 0, "10.9.9.9", true, true, true);
	check_source(&g, 1, "10.1.1.1", true, false, true);

	assert_true(pim_jp_next_group(&jp, &off, &g));
	assert_int_equal(g.group.s_addr, ip("232.1.1.1").s_addr);
	assert_int_equal(g.njoin, 1);
	assert_int_equal(g.nprune, 0);
	check_source(&g, 0, "10.2.2.2", true, false, false);

	assert_false(pim_jp_next_group(&jp, &off, &g));
	assert_false(pim_jp_next_group(&jp, &off, &g));
}

/* Each of S, W and R on its own; the reserved flag bits are ignored. */
static void
jp_swr_bits(void **state)
{
	struct pkt p;
	struct pim_jp jp;
	struct pim_jp_group g;
	struct pim_jp_source s;
	size_t off = 0;

	jp_header(&p, "10.0.0.1", 1, 210);
	jp_group(&p, "239.1.1.1", 8, 0);
	for (uint8_t f = 0; f < 8; f++)
		enc_source(&p, (uint8_t)(0xf8 | f), 32, "10.1.1.1");
	assert_int_equal(decode_jp(&p, &jp), PIM_OK);
	assert_true(pim_jp_next_group(&jp, &off, &g));
	for (unsigned f = 0; f < 8; f++) {
		pim_jp_source(&g, f, &s);
		assert_int_equal(s.sparse, (f & S_BIT) != 0);
		assert_int_equal(s.wildcard, (f & W_BIT) != 0);
		assert_int_equal(s.rpt, (f & R_BIT) != 0);
	}
}

/* Groups and sources of any mask length up to 32; no groups at all. */
static void
jp_masklens_and_no_groups(void **state)
{
	struct pkt p;
	struct pim_jp jp;
	struct pim_jp_group g;
	struct pim_jp_source s;
	size_t off = 0;

	jp_header(&p, "10.0.0.1", 1, 0xffff);
	enc_group(&p, "224.0.0.0", 4);
	put16(&p, 1);
	put16(&p, 0);
	enc_source(&p, S_BIT, 0, "0.0.0.0");
	assert_int_equal(decode_jp(&p, &jp), PIM_OK);
	assert_int_equal(jp.holdtime, 0xffff);
	assert_true(pim_jp_next_group(&jp, &off, &g));
	assert_int_equal(g.masklen, 4);
	pim_jp_source(&g, 0, &s);
	assert_int_equal(s.masklen, 0);

	jp_header(&p, "10.0.0.1", 0, 210);
	assert_int_equal(decode_jp(&p, &jp), PIM_OK);
	assert_int_equal(jp.ngroups, 0);
	off = 0;
	assert_false(pim_jp_next_group(&jp, &off, &g));
}

/* Bytes after the counted groups are not groups: not checked, not walked. */
static void
jp_trailing_bytes_not_walked(void **state)
{
	struct pkt p;
	struct pim_jp jp;
	struct pim_jp_group g;
	size_t off = 0;

	jp_header(&p, "10.0.0.1", 1, 210);
	jp_group(&p, "239.1.1.1", 0, 1);
	enc_source(&p, S_BIT | R_BIT, 32, "10.1.1.1");
	jp_group(&p, "10.1.1.1", 0xffff, 0xffff);	/* garbage */
	assert_int_equal(decode_jp(&p, &jp), PIM_OK);
	assert_int_equal(jp.len, 12 + 8);
	assert_true(pim_jp_next_group(&jp, &off, &g));
	assert_int_equal(g.nprune, 1);
	assert_false(pim_jp_next_group(&jp, &off, &g));
}

static void
jp_short(void **state)
{
	struct pkt p;
	struct pim_jp jp;

	for (size_t n = 0; n < 10; n++) {
		jp_header(&p, "10.0.0.1", 0, 210);
		p.len = 4 + n;
		assert_int_equal(decode_jp(&p, &jp), PIM_ERR_SHORT);
	}
}

static void
jp_bad_encoding(void **state)
{
	struct pkt p;
	struct pim_jp jp;

	/* Upstream family 2 (IPv6), then encoding type 1. */
	jp_header(&p, "10.0.0.1", 0, 210);
	p.b[4] = 2;
	assert_int_equal(decode_jp(&p, &jp), PIM_ERR_ENCODING);
	p.b[4] = 1;
	p.b[5] = 1;
	assert_int_equal(decode_jp(&p, &jp), PIM_ERR_ENCODING);

	/* Group: family, encoding type, mask length 33. */
	for (unsigned i = 0; i < 3; i++) {
		jp_header(&p, "10.0.0.1", 1, 210);
		jp_group(&p, "239.1.1.1", 0, 0);
		if (i == 0)
			p.b[14] = 0;
		else if (i == 1)
			p.b[15] = 1;
		else
			p.b[17] = 33;
		assert_int_equal(decode_jp(&p, &jp), PIM_ERR_ENCODING);
	}

	/* A source in the prune list of the second group: family, encoding, masklen. */
	for (unsigned i = 0; i < 3; i++) {
		jp_header(&p, "10.0.0.1", 2, 210);
		jp_group(&p, "239.1.1.1", 1, 0);
		enc_source(&p, S_BIT, 32, "10.1.1.1");
		jp_group(&p, "239.1.1.2", 1, 1);
		enc_source(&p, S_BIT, 32, "10.1.1.1");
		enc_source(&p, S_BIT, 32, "10.1.1.2");
		assert_int_equal(decode_jp(&p, &jp), PIM_OK);
		p.b[p.len - 8 + (i == 0 ? 0 : i == 1 ? 1 : 3)] = i == 2 ? 33 : 2;
		assert_int_equal(decode_jp(&p, &jp), PIM_ERR_ENCODING);
	}
}

static void
jp_bad_group(void **state)
{
	const char *bad[] = { "0.0.0.0", "10.1.1.1", "240.0.0.1", "255.255.255.255" };
	struct pkt p;
	struct pim_jp jp;

	for (unsigned i = 0; i < 4; i++) {
		jp_header(&p, "10.0.0.1", 2, 210);
		jp_group(&p, "239.1.1.1", 0, 0);
		jp_group(&p, bad[i], 0, 0);
		assert_int_equal(decode_jp(&p, &jp), PIM_ERR_GROUP);
	}
}

static void
jp_counts_past_end(void **state)
{
	struct pkt p;
	struct pim_jp jp;

	/* Three groups counted, two there. */
	jp_header(&p, "10.0.0.1", 3, 210);
	jp_group(&p, "239.1.1.1", 0, 0);
	jp_group(&p, "239.1.1.2", 0, 0);
	assert_int_equal(decode_jp(&p, &jp), PIM_ERR_COUNT);
	/* Part of a third group header. */
	enc_group(&p, "239.1.1.3", 32);
	assert_int_equal(decode_jp(&p, &jp), PIM_ERR_COUNT);
	put16(&p, 0);
	assert_int_equal(decode_jp(&p, &jp), PIM_ERR_COUNT);
	put16(&p, 0);
	assert_int_equal(decode_jp(&p, &jp), PIM_OK);

	/* One join and one prune counted, one source there. */
	jp_header(&p, "10.0.0.1", 1, 210);
	jp_group(&p, "239.1.1.1", 1, 1);
	enc_source(&p, S_BIT, 32, "10.1.1.1");
	assert_int_equal(decode_jp(&p, &jp), PIM_ERR_COUNT);
	/* Or a source less a byte. */
	enc_source(&p, S_BIT, 32, "10.1.1.2");
	p.len--;
	assert_int_equal(decode_jp(&p, &jp), PIM_ERR_COUNT);
	p.len++;
	assert_int_equal(decode_jp(&p, &jp), PIM_OK);
	/* The largest counts do not wrap around. */
	p.b[14 + 8] = p.b[14 + 9] = p.b[14 + 10] = p.b[14 + 11] = 0xff;
	assert_int_equal(decode_jp(&p, &jp), PIM_ERR_COUNT);
	/* Counts that overrun in the second group, with the first one fine. */
	jp_header(&p, "10.0.0.1", 2, 210);
	jp_group(&p, "239.1.1.1", 1, 0);
	enc_source(&p, S_BIT, 32, "10.1.1.1");
	jp_group(&p, "239.1.1.2", 0, 2);
	enc_source(&p, S_BIT, 32, "10.1.1.1");
	assert_int_equal(decode_jp(&p, &jp), PIM_ERR_COUNT);
}

/* ---- the Join/Prune builder ------------------------------------------------ */

struct entry {
	struct in_addr		group;
	struct pim_jp_source	src;
	bool			join;
	unsigned		seen;
};

static bool
same_source(const struct pim_jp_source *a, const struct pim_jp_source *b)
{
	return a->addr.s_addr == b->addr.s_addr && a->masklen == b->masklen &&
	    a->sparse == b->sparse && a->wildcard == b->wildcard && a->rpt == b->rpt;
}

/* Count, in e[], each (group, source, join/prune) a message carries. */
static void
tally(const uint8_t *buf, size_t len, struct entry *e, unsigned n,
    struct in_addr upstream, uint16_t holdtime)
{
	struct pim_jp jp;
	struct pim_jp_group g, g2;
	const uint8_t *body;
	size_t blen, off = 0;
	enum pim_type t;

	assert_int_equal(in_cksum(buf, len), 0);
	assert_int_equal(pim_decode_header(buf, len, &t, &body, &blen), PIM_OK);
	assert_int_equal(t, PIM_JOIN_PRUNE);
	assert_int_equal(pim_jp_decode(body, blen, &jp), PIM_OK);
	assert_int_equal(jp.upstream.s_addr, upstream.s_addr);
	assert_int_equal(jp.holdtime, holdtime);
	assert_int_equal(jp.len, blen - 10);		/* nothing after the groups */
	while (pim_jp_next_group(&jp, &off, &g)) {
		size_t off2 = off;

		assert_int_equal(g.masklen, 32);
		/* A group appears once in a message. */
		while (pim_jp_next_group(&jp, &off2, &g2))
			assert_int_not_equal(g.group.s_addr, g2.group.s_addr);
		for (unsigned i = 0; i < (unsigned)g.njoin + g.nprune; i++) {
			struct pim_jp_source s;
			bool join = i < g.njoin, found = false;

			pim_jp_source(&g, i, &s);
			for (unsigned k = 0; k < n && !found; k++)
				if (e[k].group.s_addr == g.group.s_addr &&
				    e[k].join == join && same_source(&e[k].src, &s)) {
					e[k].seen++;
					found = true;
				}
			assert_true(found);
		}
	}
}

/* Joins and prunes added in any order come out joins first, each in its group. */
static void
jp_builder_round_trip(void **state)
{
	struct entry e[] = {
		{ ip("239.1.1.1"), { ip("10.1.1.1"), 32, true, false, true }, false, 0 },
		{ ip("239.2.2.2"), { ip("10.2.2.2"), 32, true, false, false }, true, 0 },
		{ ip("239.1.1.1"), { ip("10.9.9.9"), 32, true, true, true }, true, 0 },
		{ ip("239.1.1.1"), { ip("10.1.1.2"), 32, true, false, true }, false, 0 },
		{ ip("239.2.2.2"), { ip("10.2.2.3"), 24, false, false, false }, false, 0 },
		{ ip("239.1.1.1"), { ip("10.1.1.3"), 32, true, false, false }, true, 0 },
	};
	struct pim_jp_builder b;
	struct pim_jp jp;
	struct pim_jp_group g;
	struct pim_jp_source s;
	uint8_t buf[1500];
	size_t len, off = 0;

	memset(buf, 0xee, sizeof(buf));
	pim_jp_begin(&b, buf, sizeof(buf), ip("10.0.0.254"), 210);
	for (unsigned i = 0; i < 6; i++)
		assert_true(pim_jp_add(&b, e[i].group, &e[i].src, e[i].join));
	len = pim_jp_finish(&b);
	assert_int_equal(len, 4 + 10 + 2 * 12 + 6 * 8);
	assert_int_equal(buf[len], 0xee);
	tally(buf, len, e, 6, ip("10.0.0.254"), 210);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(e[i].seen, 1);

	/* The order: groups as first added, joins then prunes, each in order added. */
	assert_int_equal(pim_jp_decode(buf + 4, len - 4, &jp), PIM_OK);
	assert_int_equal(jp.ngroups, 2);
	assert_true(pim_jp_next_group(&jp, &off, &g));
	assert_int_equal(g.group.s_addr, ip("239.1.1.1").s_addr);
	assert_int_equal(g.njoin, 2);
	assert_int_equal(g.nprune, 2);
	pim_jp_source(&g, 0, &s);
	assert_true(same_source(&s, &e[2].src));
	pim_jp_source(&g, 1, &s);
	assert_true(same_source(&s, &e[5].src));
	pim_jp_source(&g, 2, &s);
	assert_true(same_source(&s, &e[0].src));
	pim_jp_source(&g, 3, &s);
	assert_true(same_source(&s, &e[3].src));
	assert_true(pim_jp_next_group(&jp, &off, &g));
	assert_int_equal(g.group.s_addr, ip("239.2.2.2").s_addr);
	assert_int_equal(g.njoin, 1);
	assert_int_equal(g.nprune, 1);
	pim_jp_source(&g, 1, &s);
	assert_true(same_source(&s, &e[4].src));
	assert_false(pim_jp_next_group(&jp, &off, &g));

	/* Finishing twice gives the same message. */
	assert_int_equal(pim_jp_finish(&b), len);
	assert_int_equal(in_cksum(buf, len), 0);
}

/*
 * At 100 bytes, 5 groups of 12 entries each (a (*,G) join, (S,G) joins and
 * (S,G,rpt) prunes), added interleaved, split into several messages that
 * carry each entry exactly once.
 */
static void
jp_builder_splits(void **state)
{
	enum { NG = 5, NS = 12, N = NG * NS, SIZE = 100 };
	struct entry e[N];
	struct pim_jp_builder b;
	uint8_t buf[SIZE + 16];
	struct in_addr up = ip("192.0.2.1");
	unsigned nmsg = 0;
	size_t len;

	for (unsigned s = 0; s < NS; s++)
		for (unsigned g = 0; g < NG; g++) {
			struct entry *x = &e[s * NG + g];

			memset(x, 0, sizeof(*x));
			x->group.s_addr = htonl(0xef010100 + g);
			x->src.addr.s_addr = htonl(0x0a000000 | g << 8 | s);
			x->src.masklen = 32;
			x->src.sparse = true;
			x->join = s == 0 || (s + g) % 2 == 0;
			x->src.wildcard = s == 0;
			x->src.rpt = s == 0 || !x->join;
		}
	memset(buf, 0xee, sizeof(buf));
	pim_jp_begin(&b, buf, SIZE, up, 210);
	for (unsigned i = 0; i < N; i++) {
		if (pim_jp_add(&b, e[i].group, &e[i].src, e[i].join))
			continue;
		len = pim_jp_finish(&b);
		assert_true(len > 0 && len <= SIZE);
		/* Full: no room for a new group with a source. */
		assert_true(len + 12 + 8 > SIZE);
		tally(buf, len, e, N, up, 210);
		nmsg++;
		pim_jp_begin(&b, buf, SIZE, up, 210);
		assert_true(pim_jp_add(&b, e[i].group, &e[i].src, e[i].join));
	}
	len = pim_jp_finish(&b);
	assert_true(len > 0 && len <= SIZE);
	tally(buf, len, e, N, up, 210);
	nmsg++;
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(buf[SIZE + i], 0xee);
	for (unsigned i = 0; i < N; i++)
		assert_int_equal(e[i].seen, 1);
	/* At most (100 - 14 - 12) / 8 = 9 entries a message. */
	assert_true(nmsg >= (N + 8) / 9);
}

static void
jp_builder_sizes(void **state)
{
	struct pim_jp_source s = { ip("10.1.1.1"), 32, true, false, false };
	struct pim_jp_builder b;
	uint8_t buf[64];

	/* Nothing added: nothing to send. */
	pim_jp_begin(&b, buf, sizeof(buf), ip("10.0.0.1"), 210);
	assert_int_equal(pim_jp_finish(&b), 0);

	/* Exactly one entry fits in PIM_JP_MIN_SIZE. */
	assert_int_equal(PIM_JP_MIN_SIZE, 34);
	pim_jp_begin(&b, buf, PIM_JP_MIN_SIZE, ip("10.0.0.1"), 210);
	assert_true(pim_jp_add(&b, ip("239.1.1.1"), &s, true));
	assert_false(pim_jp_add(&b, ip("239.1.1.1"), &s, false));
	assert_false(pim_jp_add(&b, ip("239.1.1.2"), &s, true));
	assert_int_equal(pim_jp_finish(&b), PIM_JP_MIN_SIZE);

	/* Smaller: every add fails, and nothing is written. */
	memset(buf, 0xee, sizeof(buf));
	for (size_t size = 0; size < PIM_JP_MIN_SIZE; size++) {
		pim_jp_begin(&b, buf, size, ip("10.0.0.1"), 210);
		assert_false(pim_jp_add(&b, ip("239.1.1.1"), &s, true));
		assert_int_equal(pim_jp_finish(&b), 0);
	}
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xee);
}

/* pim_jp_fits: a new group's record of n entries fits in what is left; an empty message takes any. */
static void
jp_builder_fits(void **state)
{
	struct pim_jp_source s = { ip("10.1.1.1"), 32, true, false, false };
	struct pim_jp_builder b;
	uint8_t buf[14 + 20 + 12 + 8 * 3];

	pim_jp_begin(&b, buf, sizeof(buf), ip("10.0.0.1"), 210);
	assert_true(pim_jp_fits(&b, 1000));		/* empty */
	assert_true(pim_jp_add(&b, ip("239.1.1.1"), &s, true));
	assert_true(pim_jp_fits(&b, 3));
	assert_false(pim_jp_fits(&b, 4));
	assert_true(pim_jp_add(&b, ip("239.1.1.3"), &s, true));
	assert_false(pim_jp_fits(&b, 1));		/* 16 bytes left, 20 needed */
}

/* The group count is 8 bits: the 256th group needs another message. */
static void
jp_builder_255_groups(void **state)
{
	static uint8_t buf[8192];
	struct pim_jp_source s = { ip("10.1.1.1"), 32, true, false, false };
	struct pim_jp_builder b;
	struct pim_jp jp;
	size_t len;

	pim_jp_begin(&b, buf, sizeof(buf), ip("10.0.0.1"), 210);
	for (unsigned g = 0; g < 255; g++)
		assert_true(pim_jp_add(&b, (struct in_addr){ htonl(0xe8000000 + g) }, &s, true));
	assert_false(pim_jp_add(&b, ip("239.9.9.9"), &s, true));
	/* A group already there still takes sources. */
	assert_true(pim_jp_add(&b, (struct in_addr){ htonl(0xe8000000) }, &s, false));
	len = pim_jp_finish(&b);
	assert_int_equal(len, 14 + 255 * 20 + 8);
	assert_int_equal(pim_jp_decode(buf + 4, len - 4, &jp), PIM_OK);
	assert_int_equal(jp.ngroups, 255);
}

/* The source counts are 16 bits: a 65536th join needs another message. */
static void
jp_builder_65535_sources(void **state)
{
	static uint8_t buf[14 + 12 + 8 * 65537];
	struct pim_jp_source s = { ip("10.1.1.1"), 32, true, false, false };
	struct pim_jp_builder b;
	struct pim_jp jp;
	struct pim_jp_group g;
	size_t len, off = 0;

	pim_jp_begin(&b, buf, sizeof(buf), ip("10.0.0.1"), 210);
	for (unsigned i = 0; i < 65535; i++)
		assert_true(pim_jp_add(&b, ip("239.1.1.1"), &s, true));
	assert_false(pim_jp_add(&b, ip("239.1.1.1"), &s, true));
	/* Its prunes are counted apart. */
	assert_true(pim_jp_add(&b, ip("239.1.1.1"), &s, false));
	len = pim_jp_finish(&b);
	assert_int_equal(len, sizeof(buf) - 8);
	assert_int_equal(pim_jp_decode(buf + 4, len - 4, &jp), PIM_OK);
	assert_true(pim_jp_next_group(&jp, &off, &g));
	assert_int_equal(g.njoin, 65535);
	assert_int_equal(g.nprune, 1);
}

/* ---- Register (§4.9.3) ------------------------------------------------------ */

static void
register_decode_layout(void **state)
{
	const uint8_t msg[] = {
		0x21, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00,			/* B 0, N 0 */
		0x45, 0x00, 0x00, 0x1c, 0, 0, 0, 0,	/* IPv4, 28 bytes */
		0x40, 0x11, 0x00, 0x00,			/* TTL 64, UDP */
		10, 1, 1, 1, 239, 1, 1, 1,		/* 10.1.1.1 -> 239.1.1.1 */
		0x04, 0x00, 0x04, 0x00, 0x00, 0x08, 0x00, 0x00,
	};
	struct pkt p;
	struct pim_register r;
	uint16_t ck;

	set_bytes(&p, msg, sizeof(msg));
	ck = in_cksum(p.b, 8);
	memcpy(p.b + 2, &ck, 2);
	assert_int_equal(decode_register(p.b, p.len, &r), PIM_OK);
	assert_false(r.border);
	assert_false(r.null_register);
	assert_ptr_equal(r.inner, p.b + 8);
	assert_int_equal(r.inner_len, 28);
	assert_int_equal(r.source.s_addr, ip("10.1.1.1").s_addr);
	assert_int_equal(r.group.s_addr, ip("239.1.1.1").s_addr);

	/* B and N are the top two bits; the rest of the word is ignored. */
	p.b[4] = 0x80 | 0x3f;
	p.b[7] = 0xff;
	ck = 0;
	memcpy(p.b + 2, &ck, 2);
	ck = in_cksum(p.b, 8);
	memcpy(p.b + 2, &ck, 2);
	assert_int_equal(decode_register(p.b, p.len, &r), PIM_OK);
	assert_true(r.border);
	assert_false(r.null_register);
	register_msg(&p, 0x40, "10.1.1.1", "239.1.1.1", 0);
	assert_int_equal(decode_register(p.b, p.len, &r), PIM_OK);
	assert_false(r.border);
	assert_true(r.null_register);
}

/* Bytes after the inner packet's total length are not part of it. */
static void
register_trailing_bytes_trimmed(void **state)
{
	struct pkt p;
	struct pim_register r;

	register_msg(&p, 0, "10.1.1.1", "239.1.1.1", 8);
	put32(&p, 0xdeadbeef);
	assert_int_equal(decode_register(p.b, p.len, &r), PIM_OK);
	assert_int_equal(r.inner_len, 28);
	/* IP options: a 24-byte header. */
	register_msg(&p, 0, "10.1.1.1", "239.1.1.1", 8);
	p.b[8] = 0x46;
	assert_int_equal(decode_register(p.b, p.len, &r), PIM_OK);
	assert_int_equal(r.inner_len, 28);
}

static void
register_errors(void **state)
{
	struct pkt p;
	struct pim_register r;

	/* Less than the flags word and an IPv4 header. */
	register_msg(&p, 0, "10.1.1.1", "239.1.1.1", 0);
	for (size_t n = 8; n < 28; n++)
		assert_int_equal(decode_register(p.b, n, &r), PIM_ERR_SHORT);
	assert_int_equal(decode_register(p.b, 28, &r), PIM_OK);
	/* Not IPv4: IPv6 or version 0. */
	p.b[8] = 0x65;
	assert_int_equal(decode_register(p.b, p.len, &r), PIM_ERR_ENCODING);
	p.b[8] = 0x05;
	assert_int_equal(decode_register(p.b, p.len, &r), PIM_ERR_ENCODING);
	/* A header length under 20 bytes. */
	p.b[8] = 0x44;
	assert_int_equal(decode_register(p.b, p.len, &r), PIM_ERR_ENCODING);
	/* A header length past the end: 24 bytes, 20 there. */
	p.b[8] = 0x46;
	assert_int_equal(decode_register(p.b, p.len, &r), PIM_ERR_SHORT);
	p.b[8] = 0x45;
	/* To a unicast address. */
	register_msg(&p, 0, "10.1.1.1", "10.2.2.2", 4);
	assert_int_equal(decode_register(p.b, p.len, &r), PIM_ERR_GROUP);
	/* Total length past the end, or under the header length. */
	register_msg(&p, 0, "10.1.1.1", "239.1.1.1", 4);
	p.b[8 + 3] = 25;
	assert_int_equal(decode_register(p.b, p.len, &r), PIM_ERR_SHORT);
	p.b[8 + 3] = 19;
	assert_int_equal(decode_register(p.b, p.len, &r), PIM_ERR_ENCODING);
	p.b[8 + 2] = 0xff;
	assert_int_equal(decode_register(p.b, p.len, &r), PIM_ERR_SHORT);
	/* A Null-Register's dummy header may say any total length. */
	register_msg(&p, 0x40, "10.1.1.1", "239.1.1.1", 0);
	p.b[8 + 2] = p.b[8 + 3] = 0;
	assert_int_equal(decode_register(p.b, p.len, &r), PIM_OK);
	assert_int_equal(r.inner_len, 20);
	p.b[8 + 2] = 0xff;
	assert_int_equal(decode_register(p.b, p.len, &r), PIM_OK);
	/* But it is still an IPv4 header to a group. */
	p.b[8] = 0x46;
	assert_int_equal(decode_register(p.b, p.len, &r), PIM_ERR_SHORT);
	register_msg(&p, 0x40, "10.1.1.1", "192.0.2.1", 0);
	assert_int_equal(decode_register(p.b, p.len, &r), PIM_ERR_GROUP);
}

static void
register_encode_round_trip(void **state)
{
	struct pkt inner;
	struct pim_register r;
	uint8_t buf[256];
	size_t len;

	inner.len = 0;
	ip_packet(&inner, "10.1.1.1", "239.1.1.1", 20 + 100, 100);
	memset(buf, 0xee, sizeof(buf));
	len = pim_register_encode(buf, sizeof(buf), false, inner.b, inner.len);
	assert_int_equal(len, 8 + 120);
	assert_int_equal(buf[0], 0x21);
	assert_int_equal(buf[1], 0);
	assert_memory_equal(buf + 4, "\0\0\0\0", 4);
	assert_memory_equal(buf + 8, inner.b, inner.len);
	assert_int_equal(buf[len], 0xee);
	/* §4.9.3: the checksum covers the first 8 bytes only. */
	assert_int_equal(in_cksum(buf, 8), 0);
	assert_int_equal(decode_register(buf, len, &r), PIM_OK);
	assert_false(r.null_register);
	assert_false(r.border);
	assert_int_equal(r.inner_len, inner.len);
	assert_memory_equal(r.inner, inner.b, inner.len);
	assert_int_equal(r.source.s_addr, ip("10.1.1.1").s_addr);
	assert_int_equal(r.group.s_addr, ip("239.1.1.1").s_addr);
	/* A change to the data packet does not break it. */
	buf[len - 1] ^= 0xff;
	assert_int_equal(decode_register(buf, len, &r), PIM_OK);

	/* With N set. */
	len = pim_register_encode(buf, sizeof(buf), true, inner.b, inner.len);
	assert_int_equal(buf[4], 0x40);
	assert_int_equal(decode_register(buf, len, &r), PIM_OK);
	assert_true(r.null_register);

	/* In place: the packet already at buf + 8. */
	memcpy(buf + 8, inner.b, inner.len);
	len = pim_register_encode(buf, sizeof(buf), false, buf + 8, inner.len);
	assert_int_equal(len, 8 + inner.len);
	assert_memory_equal(buf + 8, inner.b, inner.len);
	assert_int_equal(decode_register(buf, len, &r), PIM_OK);

	/* Does not fit. */
	assert_int_equal(pim_register_encode(buf, 8 + 119, false, inner.b, inner.len), 0);
	assert_int_equal(pim_register_encode(buf, 7, false, inner.b, 0), 0);
	assert_int_equal(pim_register_encode(buf, 8 + 120, false, inner.b, inner.len), 128);
}

/* §4.4.1: a Null-Register carries a dummy IP header from S to G, no data. */
static void
null_register_encode(void **state)
{
	uint8_t buf[64];
	struct pim_register r;
	size_t len;

	memset(buf, 0xee, sizeof(buf));
	len = pim_null_register_encode(buf, sizeof(buf), ip("10.1.1.1"), ip("232.1.2.3"));
	assert_int_equal(len, PIM_NULL_REGISTER_LEN);
	assert_int_equal(len, 28);
	assert_int_equal(buf[len], 0xee);
	assert_int_equal(buf[0], 0x21);
	assert_int_equal(buf[4], 0x40);		/* N */
	assert_int_equal(in_cksum(buf, 8), 0);
	/* A valid IPv4 header of total length 20. */
	assert_int_equal(buf[8], 0x45);
	assert_int_equal(buf[10], 0);
	assert_int_equal(buf[11], 20);
	assert_int_equal(in_cksum(buf + 8, 20), 0);
	assert_int_equal(decode_register(buf, len, &r), PIM_OK);
	assert_true(r.null_register);
	assert_false(r.border);
	assert_int_equal(r.inner_len, 20);
	assert_int_equal(r.source.s_addr, ip("10.1.1.1").s_addr);
	assert_int_equal(r.group.s_addr, ip("232.1.2.3").s_addr);
	assert_int_equal(pim_null_register_encode(buf, 27, ip("10.1.1.1"),
	    ip("232.1.2.3")), 0);
}

/* ---- Register-Stop (§4.9.4) ------------------------------------------------- */

static const uint8_t register_stop_msg[] = {
	0x22, 0x00, 0xe0, 0xda,
	1, 0, 0, 32, 239, 1, 1, 1,		/* group 239.1.1.1/32 */
	1, 0, 10, 1, 1, 1,			/* source 10.1.1.1 */
};

static void
register_stop_layout(void **state)
{
	struct pkt p;
	struct pim_register_stop rs;
	uint8_t buf[64];
	const uint8_t *body;
	size_t len;
	enum pim_type t;

	set_bytes(&p, register_stop_msg, sizeof(register_stop_msg));
	assert_int_equal(pim_decode_header(p.b, p.len, &t, &body, &len), PIM_OK);
	assert_int_equal(t, PIM_REGISTER_STOP);
	assert_int_equal(pim_register_stop_decode(body, len, &rs), PIM_OK);
	assert_int_equal(rs.group.s_addr, ip("239.1.1.1").s_addr);
	assert_int_equal(rs.masklen, 32);
	assert_int_equal(rs.source.s_addr, ip("10.1.1.1").s_addr);

	memset(buf, 0xee, sizeof(buf));
	len = pim_register_stop_encode(buf, sizeof(buf), ip("239.1.1.1"), ip("10.1.1.1"));
	assert_int_equal(len, sizeof(register_stop_msg));
	assert_memory_equal(buf, register_stop_msg, len);
	assert_int_equal(buf[len], 0xee);
	assert_int_equal(pim_register_stop_encode(buf, len - 1, ip("239.1.1.1"),
	    ip("10.1.1.1")), 0);
}

/* The wildcard source, round trip. */
static void
register_stop_round_trip(void **state)
{
	struct pim_register_stop rs;
	uint8_t buf[32];
	const uint8_t *body;
	size_t len, blen;
	enum pim_type t;

	len = pim_register_stop_encode(buf, sizeof(buf), ip("232.255.0.1"), ip("0.0.0.0"));
	assert_int_equal(in_cksum(buf, len), 0);
	assert_int_equal(pim_decode_header(buf, len, &t, &body, &blen), PIM_OK);
	assert_int_equal(pim_register_stop_decode(body, blen, &rs), PIM_OK);
	assert_int_equal(rs.group.s_addr, ip("232.255.0.1").s_addr);
	assert_int_equal(rs.source.s_addr, INADDR_ANY);
}

static void
register_stop_errors(void **state)
{
	struct pkt p;
	struct pim_register_stop rs;

	for (size_t n = 0; n < 14; n++) {
		set_bytes(&p, register_stop_msg, sizeof(register_stop_msg));
		p.len = 4 + n;
		assert_int_equal(decode_register_stop(&p, &rs), PIM_ERR_SHORT);
	}
	set_bytes(&p, register_stop_msg, sizeof(register_stop_msg));
	p.b[4] = 2;					/* group family */
	assert_int_equal(decode_register_stop(&p, &rs), PIM_ERR_ENCODING);
	set_bytes(&p, register_stop_msg, sizeof(register_stop_msg));
	p.b[7] = 33;					/* group masklen */
	assert_int_equal(decode_register_stop(&p, &rs), PIM_ERR_ENCODING);
	set_bytes(&p, register_stop_msg, sizeof(register_stop_msg));
	p.b[8] = 10;					/* 10.1.1.1 */
	assert_int_equal(decode_register_stop(&p, &rs), PIM_ERR_GROUP);
	set_bytes(&p, register_stop_msg, sizeof(register_stop_msg));
	p.b[13] = 1;					/* source encoding */
	assert_int_equal(decode_register_stop(&p, &rs), PIM_ERR_ENCODING);
}

/* ---- Assert (§4.9.6) --------------------------------------------------------- */

static const uint8_t assert_msg[] = {
	0x25, 0x00, 0xdd, 0x61,
	1, 0, 0, 32, 239, 1, 1, 1,		/* group 239.1.1.1/32 */
	1, 0, 10, 1, 1, 1,			/* source 10.1.1.1 */
	0x00, 0x00, 0x00, 101,			/* R 0, preference 101 */
	0x00, 0x00, 0x00, 20,			/* metric 20 */
};

static void
assert_layout(void **state)
{
	struct pkt p;
	struct pim_assert a;
	uint8_t buf[64];
	const uint8_t *body;
	size_t len;
	enum pim_type t;

	set_bytes(&p, assert_msg, sizeof(assert_msg));
	assert_int_equal(pim_decode_header(p.b, p.len, &t, &body, &len), PIM_OK);
	assert_int_equal(t, PIM_ASSERT);
	assert_int_equal(pim_assert_decode(body, len, &a), PIM_OK);
	assert_int_equal(a.group.s_addr, ip("239.1.1.1").s_addr);
	assert_int_equal(a.masklen, 32);
	assert_int_equal(a.source.s_addr, ip("10.1.1.1").s_addr);
	assert_false(a.rpt);
	assert_int_equal(a.preference, 101);
	assert_int_equal(a.metric, 20);

	memset(buf, 0xee, sizeof(buf));
	len = pim_assert_encode(buf, sizeof(buf), &a);
	assert_int_equal(len, sizeof(assert_msg));
	assert_memory_equal(buf, assert_msg, len);
	assert_int_equal(buf[len], 0xee);
	assert_int_equal(pim_assert_encode(buf, len - 1, &a), 0);

	/* R is the top bit of the preference word. */
	set_bytes(&p, assert_msg, sizeof(assert_msg));
	p.b[18] = 0xff;
	assert_int_equal(decode_assert(&p, &a), PIM_OK);
	assert_true(a.rpt);
	assert_int_equal(a.preference, 0x7f000065);
}

/* A (*,G) Assert: R set, source 0, the worst metric. */
static void
assert_round_trip(void **state)
{
	struct pim_assert a = { ip("232.1.1.1"), 32, ip("0.0.0.0"), true,
	    0x7fffffff, 0xffffffff }, d;
	uint8_t buf[64];
	const uint8_t *body;
	size_t len, blen;
	enum pim_type t;

	len = pim_assert_encode(buf, sizeof(buf), &a);
	assert_int_equal(len, 26);
	assert_int_equal(in_cksum(buf, len), 0);
	assert_int_equal(pim_decode_header(buf, len, &t, &body, &blen), PIM_OK);
	assert_int_equal(t, PIM_ASSERT);
	assert_int_equal(pim_assert_decode(body, blen, &d), PIM_OK);
	assert_int_equal(d.group.s_addr, a.group.s_addr);
	assert_int_equal(d.masklen, 32);
	assert_int_equal(d.source.s_addr, INADDR_ANY);
	assert_true(d.rpt);
	assert_int_equal(d.preference, 0x7fffffff);
	assert_int_equal(d.metric, 0xffffffff);

	/* A preference over 31 bits goes out as the worst, not as 0 with R. */
	a.rpt = false;
	a.preference = 0x80000000;
	a.masklen = 40;
	len = pim_assert_encode(buf, sizeof(buf), &a);
	assert_int_equal(pim_assert_decode(buf + 4, len - 4, &d), PIM_OK);
	assert_false(d.rpt);
	assert_int_equal(d.preference, 0x7fffffff);
	assert_int_equal(d.masklen, 32);
}

static void
assert_errors(void **state)
{
	struct pkt p;
	struct pim_assert a;

	for (size_t n = 0; n < 22; n++) {
		set_bytes(&p, assert_msg, sizeof(assert_msg));
		p.len = 4 + n;
		assert_int_equal(decode_assert(&p, &a), PIM_ERR_SHORT);
	}
	set_bytes(&p, assert_msg, sizeof(assert_msg));
	p.b[5] = 1;					/* group encoding */
	assert_int_equal(decode_assert(&p, &a), PIM_ERR_ENCODING);
	set_bytes(&p, assert_msg, sizeof(assert_msg));
	p.b[7] = 255;					/* group masklen */
	assert_int_equal(decode_assert(&p, &a), PIM_ERR_ENCODING);
	set_bytes(&p, assert_msg, sizeof(assert_msg));
	p.b[8] = 192;					/* 192.1.1.1 */
	assert_int_equal(decode_assert(&p, &a), PIM_ERR_GROUP);
	set_bytes(&p, assert_msg, sizeof(assert_msg));
	p.b[12] = 2;					/* source family */
	assert_int_equal(decode_assert(&p, &a), PIM_ERR_ENCODING);
	/* Longer is fine. */
	set_bytes(&p, assert_msg, sizeof(assert_msg));
	put32(&p, 0);
	assert_int_equal(decode_assert(&p, &a), PIM_OK);
}

/* ---- Bootstrap (RFC 5059 §4.1) ------------------------------------------------ */

/* BSR 10.9.9.9, priority 64, hash mask 30, tag 0x1234. */
static void
bsm_head(struct pkt *p)
{
	header(p, PIM_BOOTSTRAP);
	put16(p, 0x1234);
	put8(p, 30);
	put8(p, 64);
	enc_unicast(p, "10.9.9.9");
}

static void
bsm_range(struct pkt *p, const char *g, uint8_t masklen, uint8_t count, uint8_t frag)
{
	enc_group(p, g, masklen);
	put8(p, count);
	put8(p, frag);
	put16(p, 0);
}

static void
bsm_rp(struct pkt *p, const char *rp, uint16_t holdtime, uint8_t priority)
{
	enc_unicast(p, rp);
	put16(p, holdtime);
	put8(p, priority);
	put8(p, 0);
}

static enum pim_err
decode_bsm(struct pkt *p, struct pim_bsm *m)
{
	const uint8_t *body;
	size_t len;

	body_of(p, PIM_BOOTSTRAP, &body, &len);
	return pim_bsm_decode(p->b, p->len, m);
}

/* A two-range BSM as a router sends it, byte for byte. */
static const uint8_t bsm_msg[] = {
	0x24, 0x80, 0x00, 0x00,			/* No-Forward set; checksum below */
	0xbe, 0xef, 30, 200,			/* tag, hash mask, BSR priority */
	1, 0, 198, 18, 0, 1,			/* BSR 198.18.0.1 */
	1, 0, 0, 4, 224, 0, 0, 0,		/* 224.0.0.0/4 */
	2, 2, 0, 0,				/* 2 RPs, both here */
	1, 0, 198, 19, 0, 1, 0, 150, 192, 0,	/* 198.19.0.1, 150 s, 192 */
	1, 0, 198, 19, 0, 2, 0, 150, 10, 0,	/* 198.19.0.2, 150 s, 10 */
	1, 0, 1, 24, 239, 1, 2, 0,		/* 239.1.2.0/24, admin scope */
	3, 1, 0, 0,				/* 3 RPs, 1 here */
	1, 0, 198, 19, 0, 3, 0xff, 0xff, 0, 0,	/* 198.19.0.3, 65535 s, 0 */
};

static void
bsm_layout(void **state)
{
	struct pkt p;
	struct pim_bsm m;
	struct pim_bsm_group g;
	struct pim_bsm_rp rp;
	size_t off = 0;

	set_bytes(&p, bsm_msg, sizeof(bsm_msg));
	assert_int_equal(decode_bsm(&p, &m), PIM_OK);
	assert_true(m.no_forward);
	assert_int_equal(m.frag_tag, 0xbeef);
	assert_int_equal(m.hash_masklen, 30);
	assert_int_equal(m.priority, 200);
	assert_int_equal(m.bsr.s_addr, ip("198.18.0.1").s_addr);
	assert_int_equal(m.ngroups, 2);

	assert_true(pim_bsm_next_group(&m, &off, &g));
	assert_int_equal(g.group.s_addr, ip("224.0.0.0").s_addr);
	assert_int_equal(g.masklen, 4);
	assert_false(g.admin_scope);
	assert_int_equal(g.rp_count, 2);
	assert_int_equal(g.frag_rp_count, 2);
	pim_bsm_rp(&g, 0, &rp);
	assert_int_equal(rp.addr.s_addr, ip("198.19.0.1").s_addr);
	assert_int_equal(rp.holdtime, 150);
	assert_int_equal(rp.priority, 192);
	pim_bsm_rp(&g, 1, &rp);
	assert_int_equal(rp.addr.s_addr, ip("198.19.0.2").s_addr);
	assert_int_equal(rp.priority, 10);

	assert_true(pim_bsm_next_group(&m, &off, &g));
	assert_int_equal(g.group.s_addr, ip("239.1.2.0").s_addr);
	assert_int_equal(g.masklen, 24);
	assert_true(g.admin_scope);
	assert_int_equal(g.rp_count, 3);
	assert_int_equal(g.frag_rp_count, 1);
	pim_bsm_rp(&g, 0, &rp);
	assert_int_equal(rp.addr.s_addr, ip("198.19.0.3").s_addr);
	assert_int_equal(rp.holdtime, 65535);
	assert_int_equal(rp.priority, 0);
	assert_false(pim_bsm_next_group(&m, &off, &g));
	assert_int_equal(off, m.len);
}

/* No ranges at all is an empty RP-set, and a range may list no RP. */
static void
bsm_empty(void **state)
{
	struct pkt p;
	struct pim_bsm m;
	struct pim_bsm_group g;
	size_t off = 0;

	bsm_head(&p);
	assert_int_equal(decode_bsm(&p, &m), PIM_OK);
	assert_false(m.no_forward);
	assert_int_equal(m.ngroups, 0);
	assert_false(pim_bsm_next_group(&m, &off, &g));

	bsm_range(&p, "239.0.0.0", 8, 0, 0);
	assert_int_equal(decode_bsm(&p, &m), PIM_OK);
	assert_int_equal(m.ngroups, 1);
	assert_true(pim_bsm_next_group(&m, &off, &g));
	assert_int_equal(g.rp_count, 0);
	assert_false(pim_bsm_next_group(&m, &off, &g));
}

static void
bsm_errors(void **state)
{
	struct pkt p;
	struct pim_bsm m;

	/* Cut anywhere inside the fixed part. */
	for (size_t cut = 4; cut < 14; cut++) {
		bsm_head(&p);
		p.len = cut;
		assert_int_equal(decode_bsm(&p, &m), PIM_ERR_SHORT);
	}
	bsm_head(&p);
	p.b[6] = 33;					/* hash mask length */
	assert_int_equal(decode_bsm(&p, &m), PIM_ERR_ENCODING);
	bsm_head(&p);
	p.b[8] = 2;					/* BSR family IPv6 */
	assert_int_equal(decode_bsm(&p, &m), PIM_ERR_ENCODING);
	for (unsigned i = 0; i < 3; i++) {		/* BSR no router's address */
		static const char *const bad[] = { "0.0.0.0", "224.0.0.13", "255.255.255.255" };

		header(&p, PIM_BOOTSTRAP);
		put32(&p, 0);
		enc_unicast(&p, bad[i]);
		assert_int_equal(decode_bsm(&p, &m), PIM_ERR_ENCODING);
	}
	/* A range cut short of its header. */
	bsm_head(&p);
	bsm_range(&p, "239.0.0.0", 8, 1, 1);
	bsm_rp(&p, "10.0.0.1", 150, 1);
	p.len -= 10 + 1;
	assert_int_equal(decode_bsm(&p, &m), PIM_ERR_SHORT);
	/* RPs past the end. */
	bsm_head(&p);
	bsm_range(&p, "239.0.0.0", 8, 2, 2);
	bsm_rp(&p, "10.0.0.1", 150, 1);
	assert_int_equal(decode_bsm(&p, &m), PIM_ERR_COUNT);
	p.len -= 1;					/* and cut inside the RP */
	assert_int_equal(decode_bsm(&p, &m), PIM_ERR_COUNT);
	/* More RPs in the fragment than in the range. */
	bsm_head(&p);
	bsm_range(&p, "239.0.0.0", 8, 1, 2);
	bsm_rp(&p, "10.0.0.1", 150, 1);
	bsm_rp(&p, "10.0.0.2", 150, 1);
	assert_int_equal(decode_bsm(&p, &m), PIM_ERR_COUNT);
	/* Not a group; a group of another family; a mask over 32. */
	bsm_head(&p);
	bsm_range(&p, "10.0.0.0", 8, 0, 0);
	assert_int_equal(decode_bsm(&p, &m), PIM_ERR_GROUP);
	bsm_head(&p);
	bsm_range(&p, "239.0.0.0", 8, 0, 0);
	p.b[14] = 2;
	assert_int_equal(decode_bsm(&p, &m), PIM_ERR_ENCODING);
	bsm_head(&p);
	bsm_range(&p, "239.0.0.0", 33, 0, 0);
	assert_int_equal(decode_bsm(&p, &m), PIM_ERR_ENCODING);
	/* An RP of another family, or multicast. */
	bsm_head(&p);
	bsm_range(&p, "239.0.0.0", 8, 1, 1);
	bsm_rp(&p, "10.0.0.1", 150, 1);
	p.b[26] = 2;
	assert_int_equal(decode_bsm(&p, &m), PIM_ERR_ENCODING);
	bsm_head(&p);
	bsm_range(&p, "239.0.0.0", 8, 1, 1);
	bsm_rp(&p, "239.9.9.9", 150, 1);
	assert_int_equal(decode_bsm(&p, &m), PIM_ERR_ENCODING);
	/* An error in the last range fails the whole message. */
	bsm_head(&p);
	bsm_range(&p, "239.0.0.0", 8, 0, 0);
	bsm_range(&p, "239.1.0.0", 16, 1, 1);
	assert_int_equal(decode_bsm(&p, &m), PIM_ERR_COUNT);
}

/* 200 ranges of one RP each: every one walked, in order. */
static void
bsm_many_ranges(void **state)
{
	struct pkt p;
	struct pim_bsm m;
	struct pim_bsm_group g;
	struct pim_bsm_rp rp;
	size_t off = 0;
	unsigned n = 0;

	bsm_head(&p);
	for (unsigned i = 0; i < 200; i++) {
		enc_group(&p, "239.0.0.0", 24);
		p.b[p.len - 2] = (uint8_t)i;		/* 239.0.i.0/24 */
		put32(&p, 0x01010000);
		enc_unicast_n(&p, 0x0a000001 + i);
		put32(&p, 150u << 16 | i << 8);	/* holdtime, priority i */
	}
	assert_int_equal(decode_bsm(&p, &m), PIM_OK);
	assert_int_equal(m.ngroups, 200);
	while (pim_bsm_next_group(&m, &off, &g)) {
		assert_int_equal(ntohl(g.group.s_addr), 0xef000000u | n << 8);
		pim_bsm_rp(&g, 0, &rp);
		assert_int_equal(ntohl(rp.addr.s_addr), 0x0a000001u + n);
		assert_int_equal(rp.priority, n);
		n++;
	}
	assert_int_equal(n, 200);
}

/* ---- Candidate-RP-Advertisement (RFC 5059 §4.2) -------------------------------- */

static const uint8_t crp_msg[] = {
	0x28, 0x00, 0x00, 0x00,
	2, 192, 0, 150,				/* 2 prefixes, priority 192, 150 s */
	1, 0, 198, 19, 0, 1,			/* RP 198.19.0.1 */
	1, 0, 0, 8, 239, 0, 0, 0,		/* 239.0.0.0/8 */
	1, 0, 0, 16, 233, 252, 0, 0,		/* 233.252.0.0/16 */
};

static enum pim_err
decode_crp(struct pkt *p, struct pim_crp_adv *a)
{
	const uint8_t *body;
	size_t len;

	body_of(p, PIM_CRP_ADV, &body, &len);
	return pim_crp_adv_decode(body, len, a);
}

static void
crp_layout(void **state)
{
	struct pkt p;
	struct pim_crp_adv a;
	struct in_addr g;
	uint8_t masklen;

	set_bytes(&p, crp_msg, sizeof(crp_msg));
	assert_int_equal(decode_crp(&p, &a), PIM_OK);
	assert_int_equal(a.prefix_count, 2);
	assert_int_equal(a.priority, 192);
	assert_int_equal(a.holdtime, 150);
	assert_int_equal(a.rp.s_addr, ip("198.19.0.1").s_addr);
	pim_crp_adv_group(&a, 0, &g, &masklen);
	assert_int_equal(g.s_addr, ip("239.0.0.0").s_addr);
	assert_int_equal(masklen, 8);
	pim_crp_adv_group(&a, 1, &g, &masklen);
	assert_int_equal(g.s_addr, ip("233.252.0.0").s_addr);
	assert_int_equal(masklen, 16);

	/* No prefix: every group; holdtime 0 withdraws. Trailing bytes ignored. */
	set_bytes(&p, crp_msg, 14);
	p.b[4] = 0;
	p.b[7] = 0;
	put16(&p, 0);
	assert_int_equal(decode_crp(&p, &a), PIM_OK);
	assert_int_equal(a.prefix_count, 0);
	assert_int_equal(a.holdtime, 0);
}

/* The builder writes what bsm_msg spells out by hand (its first range). */
static void
bsm_encode_layout(void **state)
{
	struct pim_bsm hdr = { .no_forward = true, .frag_tag = 0xbeef, .hash_masklen = 30,
	    .priority = 200, .bsr = ip("198.18.0.1") }, m;
	struct pim_bsm_rp r1 = { ip("198.19.0.1"), 150, 192 }, r2 = { ip("198.19.0.2"), 150, 10 };
	struct pim_bsm_builder b;
	enum pim_type type;
	const uint8_t *body;
	uint8_t buf[46];
	size_t len, blen;

	assert_false(pim_bsm_begin(&b, buf, 13, &hdr));
	assert_true(pim_bsm_begin(&b, buf, sizeof(buf), &hdr));
	assert_false(pim_bsm_add_rp(&b, &r1));		/* no range yet */
	assert_true(pim_bsm_add_range(&b, ip("224.0.0.0"), 4, 2));
	assert_true(pim_bsm_add_rp(&b, &r1));
	assert_true(pim_bsm_add_rp(&b, &r2));
	assert_false(pim_bsm_add_rp(&b, &r2));		/* the range has its 2 */
	assert_false(pim_bsm_add_range(&b, ip("239.0.0.0"), 8, 1));	/* full */
	len = pim_bsm_finish(&b);
	assert_int_equal(len, 46);
	assert_memory_equal(buf, bsm_msg, 2);
	assert_memory_equal(buf + 4, bsm_msg + 4, len - 4);
	assert_int_equal(pim_decode_header(buf, len, &type, &body, &blen), PIM_OK);
	assert_int_equal(pim_bsm_decode(buf, len, &m), PIM_OK);
	assert_true(m.no_forward);
	/* Setting the No-Forward bit afterwards keeps the checksum right. */
	hdr.no_forward = false;
	pim_bsm_begin(&b, buf, sizeof(buf), &hdr);
	len = pim_bsm_finish(&b);
	pim_bsm_set_no_forward(buf, len);
	assert_int_equal(pim_decode_header(buf, len, &type, &body, &blen), PIM_OK);
	assert_int_equal(pim_bsm_decode(buf, len, &m), PIM_OK);
	assert_true(m.no_forward);
	assert_int_equal(m.ngroups, 0);
}

static void
crp_encode_layout(void **state)
{
	struct pim_crp_adv a = { .priority = 192, .holdtime = 150, .rp = ip("198.19.0.1") };
	struct in_addr g[2] = { ip("239.0.0.0"), ip("233.252.0.0") };
	uint8_t ml[2] = { 8, 16 }, buf[64];
	enum pim_type type;
	const uint8_t *body;
	size_t len, blen;

	assert_int_equal(pim_crp_adv_encode(buf, sizeof(buf), &a, g, ml, 0), 0);
	assert_int_equal(pim_crp_adv_encode(buf, sizeof(crp_msg) - 1, &a, g, ml, 2), 0);
	len = pim_crp_adv_encode(buf, sizeof(buf), &a, g, ml, 2);
	assert_int_equal(len, sizeof(crp_msg));
	assert_memory_equal(buf, crp_msg, 2);
	assert_memory_equal(buf + 4, crp_msg + 4, len - 4);
	assert_int_equal(pim_decode_header(buf, len, &type, &body, &blen), PIM_OK);
	assert_int_equal(type, PIM_CRP_ADV);
}

static void
crp_errors(void **state)
{
	struct pkt p;
	struct pim_crp_adv a;

	for (size_t cut = 4; cut < 14; cut++) {
		set_bytes(&p, crp_msg, cut);
		assert_int_equal(decode_crp(&p, &a), PIM_ERR_SHORT);
	}
	set_bytes(&p, crp_msg, sizeof(crp_msg) - 1);	/* the last prefix cut */
	assert_int_equal(decode_crp(&p, &a), PIM_ERR_COUNT);
	set_bytes(&p, crp_msg, sizeof(crp_msg));
	p.b[4] = 3;					/* one prefix more than there */
	assert_int_equal(decode_crp(&p, &a), PIM_ERR_COUNT);
	set_bytes(&p, crp_msg, sizeof(crp_msg));
	p.b[8] = 2;					/* RP family */
	assert_int_equal(decode_crp(&p, &a), PIM_ERR_ENCODING);
	set_bytes(&p, crp_msg, sizeof(crp_msg));
	p.b[10] = 239;					/* RP multicast */
	assert_int_equal(decode_crp(&p, &a), PIM_ERR_ENCODING);
	set_bytes(&p, crp_msg, sizeof(crp_msg));
	p.b[26] = 10;					/* second prefix not multicast */
	assert_int_equal(decode_crp(&p, &a), PIM_ERR_GROUP);
	set_bytes(&p, crp_msg, sizeof(crp_msg));
	p.b[17] = 33;					/* first prefix's mask */
	assert_int_equal(decode_crp(&p, &a), PIM_ERR_ENCODING);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(header_every_type),
		cmocka_unit_test(header_short),
		cmocka_unit_test(header_bad_version),
		cmocka_unit_test(header_unknown_type),
		cmocka_unit_test(header_bad_checksum),
		cmocka_unit_test(register_checksum_8_bytes),
		cmocka_unit_test(names),
		cmocka_unit_test(hello_real_router),
		cmocka_unit_test(hello_encode_layout),
		cmocka_unit_test(hello_round_trip),
		cmocka_unit_test(hello_encode_clamps),
		cmocka_unit_test(hello_t_bit_and_empty),
		cmocka_unit_test(hello_unknown_options_skipped),
		cmocka_unit_test(hello_option_wrong_length),
		cmocka_unit_test(hello_option_past_end),
		cmocka_unit_test(hello_address_list),
		cmocka_unit_test(hello_address_list_errors),
		cmocka_unit_test(jp_decode_layout),
		cmocka_unit_test(jp_swr_bits),
		cmocka_unit_test(jp_masklens_and_no_groups),
		cmocka_unit_test(jp_trailing_bytes_not_walked),
		cmocka_unit_test(jp_short),
		cmocka_unit_test(jp_bad_encoding),
		cmocka_unit_test(jp_bad_group),
		cmocka_unit_test(jp_counts_past_end),
		cmocka_unit_test(jp_builder_round_trip),
		cmocka_unit_test(jp_builder_splits),
		cmocka_unit_test(jp_builder_fits),
		cmocka_unit_test(jp_builder_sizes),
		cmocka_unit_test(jp_builder_255_groups),
		cmocka_unit_test(jp_builder_65535_sources),
		cmocka_unit_test(register_decode_layout),
		cmocka_unit_test(register_trailing_bytes_trimmed),
		cmocka_unit_test(register_errors),
		cmocka_unit_test(register_encode_round_trip),
		cmocka_unit_test(null_register_encode),
		cmocka_unit_test(register_stop_layout),
		cmocka_unit_test(register_stop_round_trip),
		cmocka_unit_test(register_stop_errors),
		cmocka_unit_test(assert_layout),
		cmocka_unit_test(assert_round_trip),
		cmocka_unit_test(assert_errors),
		cmocka_unit_test(bsm_layout),
		cmocka_unit_test(bsm_empty),
		cmocka_unit_test(bsm_errors),
		cmocka_unit_test(bsm_many_ranges),
		cmocka_unit_test(crp_layout),
		cmocka_unit_test(crp_errors),
		cmocka_unit_test(bsm_encode_layout),
		cmocka_unit_test(crp_encode_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
