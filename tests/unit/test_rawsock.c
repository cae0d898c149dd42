/* SPDX-License-Identifier: ISC */
/*
 * raw_parse_ip() on good headers and on every way a header can lie, and
 * what raw_recv() tells its caller's read loop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <cmocka.h>

#include "rawsock.h"

#define SRC	"198.18.0.1"
#define DST	"224.0.0.13"

static const uint8_t payload[8] = { 0x20, 0x00, 0xde, 0xad, 0x00, 0x01, 0x00, 0x02 };

/*
 * A datagram in buf: a 20-byte header, optlen bytes of options (a multiple
 * of 4), then the payload; returns its length.
 */
static size_t
mkpkt(uint8_t *buf, const uint8_t *opts, size_t optlen)
{
	size_t hlen = 20 + optlen, tlen = hlen + sizeof(payload);
	struct in_addr a;

	memset(buf, 0, tlen);
	buf[0] = 0x40 | (uint8_t)(hlen / 4);	/* version 4, IHL */
	buf[2] = (uint8_t)(tlen >> 8);
	buf[3] = (uint8_t)tlen;
	buf[8] = 1;				/* TTL */
	buf[9] = 103;				/* PIM */
	inet_pton(AF_INET, SRC, &a);
	memcpy(buf + 12, &a, sizeof(a));
	inet_pton(AF_INET, DST, &a);
	memcpy(buf + 16, &a, sizeof(a));
	if (optlen > 0)
		memcpy(buf + 20, opts, optlen);
	memcpy(buf + hlen, payload, sizeof(payload));
	return tlen;
}

static void
assert_addr(struct in_addr a, const char *s)
{
	char buf[INET_ADDRSTRLEN];

	assert_string_equal(inet_ntop(AF_INET, &a, buf, sizeof(buf)), s);
}

static void
good_header(void **state)
{
	uint8_t buf[64];
	struct raw_rx rx = { .ifindex = 7 };
	size_t len = mkpkt(buf, NULL, 0);

	assert_int_equal(raw_parse_ip(buf, len, &rx), 0);
	assert_addr(rx.src, SRC);
	assert_addr(rx.dst, DST);
	assert_int_equal(rx.ttl, 1);
	assert_false(rx.router_alert);
	assert_ptr_equal(rx.payload, buf + 20);
	assert_int_equal(rx.len, sizeof(payload));
	assert_memory_equal(rx.payload, payload, sizeof(payload));
	assert_int_equal(rx.ifindex, 7);	/* the socket's business */
}

/* Ethernet pads short frames: the payload ends where the total length says. */
static void
trailing_padding_trimmed(void **state)
{
	uint8_t buf[64];
	struct raw_rx rx;

	mkpkt(buf, NULL, 0);
	assert_int_equal(raw_parse_ip(buf, 46, &rx), 0);
	assert_int_equal(rx.len, sizeof(payload));
}

static void
router_alert(void **state)
{
	const uint8_t opts[] = { 148, 4, 0, 0 };
	uint8_t buf[64];
	struct raw_rx rx;
	size_t len = mkpkt(buf, opts, sizeof(opts));

	assert_int_equal(raw_parse_ip(buf, len, &rx), 0);
	assert_true(rx.router_alert);
	assert_ptr_equal(rx.payload, buf + 24);
	assert_int_equal(rx.len, sizeof(payload));
	assert_memory_equal(rx.payload, payload, sizeof(payload));
}

/* NOPs are single bytes; Router Alert after them still counts. */
static void
nop_then_router_alert(void **state)
{
	const uint8_t opts[] = { 1, 148, 4, 0, 0, 1, 0, 0 };
	uint8_t buf[64];
	struct raw_rx rx;
	size_t len = mkpkt(buf, opts, sizeof(opts));

	assert_int_equal(raw_parse_ip(buf, len, &rx), 0);
	assert_true(rx.router_alert);
	assert_ptr_equal(rx.payload, buf + 28);
}

/* Whatever follows End of Options List is padding, not options. */
static void
eol_ends_options(void **state)
{
	const uint8_t after_eol[] = { 0, 148, 4, 0 };
	const uint8_t garbage_after_eol[] = { 1, 0, 0xff, 0xff };
	uint8_t buf[64];
	struct raw_rx rx;
	size_t len;

	len = mkpkt(buf, after_eol, sizeof(after_eol));
	assert_int_equal(raw_parse_ip(buf, len, &rx), 0);
	assert_false(rx.router_alert);

	len = mkpkt(buf, garbage_after_eol, sizeof(garbage_after_eol));
	assert_int_equal(raw_parse_ip(buf, len, &rx), 0);
	assert_false(rx.router_alert);
	assert_ptr_equal(rx.payload, buf + 24);
}

static void
only_nops(void **state)
{
	const uint8_t opts[] = { 1, 1, 1, 1 };
	uint8_t buf[64];
	struct raw_rx rx;
	size_t len = mkpkt(buf, opts, sizeof(opts));

	assert_int_equal(raw_parse_ip(buf, len, &rx), 0);
	assert_false(rx.router_alert);
}

/* Other options are skipped by their length. */
static void
other_option_skipped(void **state)
{
	const uint8_t opts[] = { 7, 3, 4, 148, 4, 0, 0, 0 };	/* record route, RA */
	uint8_t buf[64];
	struct raw_rx rx;
	size_t len = mkpkt(buf, opts, sizeof(opts));

	assert_int_equal(raw_parse_ip(buf, len, &rx), 0);
	assert_true(rx.router_alert);
}

static void
truncated_header(void **state)
{
	const uint8_t opts[] = { 148, 4, 0, 0 };
	uint8_t buf[64];
	struct raw_rx rx;

	mkpkt(buf, NULL, 0);
	assert_int_equal(raw_parse_ip(buf, 19, &rx), -1);
	assert_int_equal(raw_parse_ip(buf, 0, &rx), -1);
	/* IHL says 24 bytes, only 22 are there */
	mkpkt(buf, opts, sizeof(opts));
	assert_int_equal(raw_parse_ip(buf, 22, &rx), -1);
}

static void
bad_version(void **state)
{
	uint8_t buf[64];
	struct raw_rx rx;
	size_t len = mkpkt(buf, NULL, 0);

	buf[0] = 0x65;
	assert_int_equal(raw_parse_ip(buf, len, &rx), -1);
}

static void
bad_ihl(void **state)
{
	uint8_t buf[64];
	struct raw_rx rx;
	size_t len = mkpkt(buf, NULL, 0);

	buf[0] = 0x44;			/* 16-byte header */
	assert_int_equal(raw_parse_ip(buf, len, &rx), -1);
	buf[0] = 0x40;
	assert_int_equal(raw_parse_ip(buf, len, &rx), -1);
	buf[0] = 0x4f;			/* 60 bytes, more than the datagram */
	assert_int_equal(raw_parse_ip(buf, len, &rx), -1);
}

static void
bad_total_length(void **state)
{
	uint8_t buf[64];
	struct raw_rx rx;
	size_t len = mkpkt(buf, NULL, 0);

	buf[3] = (uint8_t)(len + 1);	/* longer than what was read */
	assert_int_equal(raw_parse_ip(buf, len, &rx), -1);
	buf[3] = 19;			/* shorter than the header */
	assert_int_equal(raw_parse_ip(buf, len, &rx), -1);
	buf[3] = 20;			/* header only: valid, empty payload */
	assert_int_equal(raw_parse_ip(buf, len, &rx), 0);
	assert_int_equal(rx.len, 0);
}

static void
option_overruns_header(void **state)
{
	const uint8_t ra_too_long[] = { 148, 8, 0, 0 };
	const uint8_t rr_too_long[] = { 1, 7, 4, 4 };
	const uint8_t no_room_for_length[] = { 1, 1, 1, 148 };
	uint8_t buf[64];
	struct raw_rx rx;
	size_t len;

	len = mkpkt(buf, ra_too_long, sizeof(ra_too_long));
	assert_int_equal(raw_parse_ip(buf, len, &rx), -1);
	len = mkpkt(buf, rr_too_long, sizeof(rr_too_long));
	assert_int_equal(raw_parse_ip(buf, len, &rx), -1);
	len = mkpkt(buf, no_room_for_length, sizeof(no_room_for_length));
	assert_int_equal(raw_parse_ip(buf, len, &rx), -1);
}

/* A length below 2 would never move the walk forward. */
static void
zero_length_option(void **state)
{
	const uint8_t zero[] = { 130, 0, 0, 0 };
	const uint8_t one[] = { 130, 1, 0, 0 };
	uint8_t buf[64];
	struct raw_rx rx;
	size_t len;

	len = mkpkt(buf, zero, sizeof(zero));
	assert_int_equal(raw_parse_ip(buf, len, &rx), -1);
	len = mkpkt(buf, one, sizeof(one));
	assert_int_equal(raw_parse_ip(buf, len, &rx), -1);
}

/* RFC 2113 fixes Router Alert at 4 bytes. */
static void
router_alert_bad_length(void **state)
{
	const uint8_t opts[] = { 148, 2, 1, 1 };
	uint8_t buf[64];
	struct raw_rx rx;
	size_t len = mkpkt(buf, opts, sizeof(opts));

	assert_int_equal(raw_parse_ip(buf, len, &rx), -1);
}

/*
 * raw_recv on a loopback UDP socket, whose payload stands in for the raw
 * datagram: a good one, a bad one (dropped, read on), then an empty
 * socket, which must end the read loop (-1), not look like a drop.
 */
static void
recv_tells_drop_from_empty(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	uint8_t pkt[64], buf[256];
	struct raw_rx rx;
	size_t len = mkpkt(pkt, NULL, 0);
	int rfd, sfd;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rfd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	sfd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(rfd >= 0 && sfd >= 0);
	assert_int_equal(bind(rfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(rfd, (struct sockaddr *)&a, &alen), 0);
	assert_int_equal(raw_recv(rfd, buf, sizeof(buf), &rx), -1);
	assert_int_equal(sendto(sfd, pkt, len, 0, (struct sockaddr *)&a, alen), len);
	pkt[0] = 0x60;				/* version 6 */
	assert_int_equal(sendto(sfd, pkt, len, 0, (struct sockaddr *)&a, alen), len);
	assert_int_equal(raw_recv(rfd, buf, sizeof(buf), &rx), 1);
	assert_addr(rx.src, SRC);
	assert_int_equal(rx.len, sizeof(payload));
	assert_int_equal(raw_recv(rfd, buf, sizeof(buf), &rx), 0);
	assert_int_equal(raw_recv(rfd, buf, sizeof(buf), &rx), -1);
	close(rfd);
	close(sfd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_header),
		cmocka_unit_test(trailing_padding_trimmed),
		cmocka_unit_test(router_alert),
		cmocka_unit_test(nop_then_router_alert),
		cmocka_unit_test(eol_ends_options),
		cmocka_unit_test(only_nops),
		cmocka_unit_test(other_option_skipped),
		cmocka_unit_test(truncated_header),
		cmocka_unit_test(bad_version),
		cmocka_unit_test(bad_ihl),
		cmocka_unit_test(bad_total_length),
		cmocka_unit_test(option_overruns_header),
		cmocka_unit_test(zero_length_option),
		cmocka_unit_test(router_alert_bad_length),
		cmocka_unit_test(recv_tells_drop_from_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
