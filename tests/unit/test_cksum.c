/* SPDX-License-Identifier: ISC */
/* The Internet checksum against worked examples. */
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc1071_example),
		cmocka_unit_test(verifies_to_zero),
		cmocka_unit_test(odd_length),
		cmocka_unit_test(empty_and_all_ones),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
