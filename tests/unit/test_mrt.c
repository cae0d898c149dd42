/* SPDX-License-Identifier: ISC */
/* Telling kernel upcalls from IGMP packets on the mroute socket. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mrt.h"

/* An IP header as the kernel lays an igmpmsg over it: type in the TTL byte, 0 protocol. */
static size_t
upcall(uint8_t *buf, uint8_t type, uint8_t vif, const char *src, const char *grp)
{
	memset(buf, 0, 28);
	buf[0] = 0x45;
	buf[8] = type;
	buf[9] = 0;
	buf[10] = vif;
	inet_pton(AF_INET, src, buf + 12);
	inet_pton(AF_INET, grp, buf + 16);
	return 28;
}

static void
nocache(void **state)
{
	uint8_t buf[64];
	struct mrt_upcall up;
	size_t len = upcall(buf, 1, 3, "198.18.1.10", "239.1.2.3");

	assert_int_equal(mrt_parse(buf, len, &up), MRT_MSG_UPCALL);
	assert_int_equal(up.type, MRT_UPCALL_NOCACHE);
	assert_int_equal(up.vif, 3);
	assert_int_equal(up.src.s_addr, inet_addr("198.18.1.10"));
	assert_int_equal(up.grp.s_addr, inet_addr("239.1.2.3"));
	assert_null(up.pkt);
}

static void
wholepkt_carries_the_packet(void **state)
{
	uint8_t buf[64];
	struct mrt_upcall up;

	upcall(buf, 3, 0, "198.18.1.10", "239.1.2.3");
	memset(buf + 20, 0x45, 30);
	assert_int_equal(mrt_parse(buf, 50, &up), MRT_MSG_UPCALL);
	assert_int_equal(up.type, MRT_UPCALL_WHOLEPKT);
	assert_ptr_equal(up.pkt, buf + 20);
	assert_int_equal(up.len, 30);
	/* A WHOLEPKT with no packet behind the header is malformed. */
	assert_int_equal(mrt_parse(buf, 20, &up), MRT_MSG_BAD);
}

static void
igmp_and_garbage(void **state)
{
	uint8_t buf[64];
	struct mrt_upcall up;

	upcall(buf, 1, 0, "198.18.1.10", "224.0.0.1");
	buf[9] = 2;				/* protocol IGMP: a real packet */
	assert_int_equal(mrt_parse(buf, 28, &up), MRT_MSG_IGMP);
	buf[9] = 17;
	assert_int_equal(mrt_parse(buf, 28, &up), MRT_MSG_BAD);
	upcall(buf, 9, 0, "198.18.1.10", "239.1.1.1");	/* unknown type */
	assert_int_equal(mrt_parse(buf, 28, &up), MRT_MSG_BAD);
	assert_int_equal(mrt_parse(buf, 10, &up), MRT_MSG_BAD);
	buf[0] = 0x65;				/* not IPv4 */
	assert_int_equal(mrt_parse(buf, 28, &up), MRT_MSG_BAD);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nocache),
		cmocka_unit_test(wholepkt_carries_the_packet),
		cmocka_unit_test(igmp_and_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
