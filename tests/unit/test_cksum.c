/* SPDX-License-Identifier: ISC */
/* The Internet checksum and UDP's against worked examples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cksum.h"

/* RFC 1071 §3's example words 0001 f203 f4f5 f6f7 sum to ddf2; the checksum is its complement. */
static void
rfc1071_example(void **state)
{
	const uint8_t data[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	uint16_t c = in_cksum(data, sizeof(data));
	const uint8_t *b = (const uint8_t *)&c;

	assert_int_equal(b[0], 0x22);
	assert_int_equal(b[1], 0x0d);
}

/* Storing the checksum in the data makes the sum verify to zero. */
static void
verifies_to_zero(void **state)
{
	uint8_t pim_hello[] = {
		0x20, 0x00, 0x00, 0x00,	/* PIMv2 Hello, checksum 0 */
		0x00, 0x01, 0x00, 0x02, 0x00, 0x69,	/* holdtime 105 */
		0x00, 0x14, 0x00, 0x04, 0x12, 0x34, 0x56, 0x78,	/* GenID */
	};
	uint16_t c = in_cksum(pim_hello, sizeof(pim_hello));

	memcpy(pim_hello + 2, &c, 2);
	assert_int_equal(in_cksum(pim_hello, sizeof(pim_hello)), 0);
	pim_hello[9] ^= 1;
	assert_int_not_equal(in_cksum(pim_hello, sizeof(pim_hello)), 0);
}

/* An odd length pads the last byte with zero. */
static void
odd_length(void **state)
{
	const uint8_t odd[] = { 0x12, 0x34, 0x56 };
	const uint8_t even[] = { 0x12, 0x34, 0x56, 0x00 };

	assert_int_equal(in_cksum(odd, sizeof(odd)), in_cksum(even, sizeof(even)));
}

static void
empty_and_all_ones(void **state)
{
	const uint8_t ones[] = { 0xff, 0xff };

	assert_int_equal(in_cksum(NULL, 0), 0xffff);
	assert_int_equal(in_cksum(ones, sizeof(ones)), 0);
}

/* IP 198.18.0.1 > 239.1.1.1 TTL 16, UDP 40000 > 5000 "seq 1": checksum 0x846f (scapy). */
static const uint8_t udp_pkt[] = {
	0x45, 0x00, 0x00, 0x21, 0x12, 0x34, 0x00, 0x00, 0x10, 0x11, 0xe2, 0x82,
	0xc6, 0x12, 0x00, 0x01, 0xef, 0x01, 0x01, 0x01,
	0x9c, 0x40, 0x13, 0x88, 0x00, 0x0d, 0x84, 0x6f,
	0x73, 0x65, 0x71, 0x20, 0x31,
};

/* A checksum left for offload (here: garbage) is replaced by the right one. */
static void
udp_fill_completes(void **state)
{
	uint8_t p[sizeof(udp_pkt)];

	memcpy(p, udp_pkt, sizeof(p));
	udp_cksum_fill(p, sizeof(p));
	assert_memory_equal(p, udp_pkt, sizeof(p));
	p[26] = 0x12;
	p[27] = 0x34;
	udp_cksum_fill(p, sizeof(p));
	assert_memory_equal(p, udp_pkt, sizeof(p));
}

/* No checksum (0), fragments, other protocols and lying lengths stay as they are. */
static void
udp_fill_leaves_others(void **state)
{
	uint8_t p[sizeof(udp_pkt)], q[sizeof(udp_pkt)];
	static const struct { size_t off; uint8_t val; } edits[] = {
		{ 26, 0x00 },		/* with 27 below: no checksum */
		{ 6, 0x20 },		/* more fragments */
		{ 7, 0x01 },		/* a fragment offset */
		{ 9, 0x06 },		/* TCP */
		{ 25, 0x40 },		/* UDP length past the packet */
		{ 25, 0x04 },		/* UDP length shorter than its header */
	};

	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		memcpy(p, udp_pkt, sizeof(p));
		p[27] = 0xaa;
		if (edits[i].off == 26)
			p[27] = 0;
		p[edits[i].off] = edits[i].val;
		memcpy(q, p, sizeof(q));
		udp_cksum_fill(p, sizeof(p));
		assert_memory_equal(p, q, sizeof(p));
	}
	/* too short for the headers it claims */
	memcpy(p, udp_pkt, sizeof(p));
	p[27] = 0xaa;
	memcpy(q, p, sizeof(q));
	udp_cksum_fill(p, 24);
	assert_memory_equal(p, q, sizeof(p));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc1071_example),
		cmocka_unit_test(verifies_to_zero),
		cmocka_unit_test(odd_length),
		cmocka_unit_test(empty_and_all_ones),
		cmocka_unit_test(udp_fill_completes),
		cmocka_unit_test(udp_fill_leaves_others),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
