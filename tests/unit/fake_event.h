/* SPDX-License-Identifier: ISC */
/*
 * A stand-in for lib/event.c's clock and timers in unit tests: time moves
 * only when the test calls fake_advance(), which fires due timers in order.
 */
#ifndef TESTS_FAKE_EVENT_H
#define TESTS_FAKE_EVENT_H

#include <stdint.h>

void	fake_time_reset(uint64_t now_ms);
/* Move the clock forward, firing every timer that falls due, in order. */
void	fake_advance(uint64_t ms);
unsigned fake_timers_pending(void);

#endif
