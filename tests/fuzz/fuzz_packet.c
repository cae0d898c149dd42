/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for what arrives from the kernel on raw sockets: the
 * mroute socket's upcall/IGMP split and the IP header (with options) parser.
 */
#include <stddef.h>
#include <stdint.h>

#include "mrt.h"
#include "rawsock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mrt_upcall up;
	struct raw_rx rx;
	volatile uint8_t sink = 0;

	if (mrt_parse(data, size, &up) == MRT_MSG_UPCALL && up.pkt != NULL)
		for (size_t i = 0; i < up.len; i++)
			sink ^= up.pkt[i];
	if (raw_parse_ip(data, size, &rx) == 0)
		for (size_t i = 0; i < rx.len; i++)
			sink ^= rx.payload[i];
	(void)sink;
	return 0;
}
