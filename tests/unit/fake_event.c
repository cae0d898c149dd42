/* SPDX-License-Identifier: ISC */
/* Injected time for state machine tests: see fake_event.h. */
#include <stdlib.h>

#include "event.h"
#include "fake_event.h"

#define FAKE_MAX_TIMERS	4096

static uint64_t now = 1000000;
static struct timer *timers[FAKE_MAX_TIMERS];
static unsigned ntimers;

static void
forget(struct timer *t)
{
	for (unsigned i = 0; i < ntimers; i++)
		if (timers[i] == t) {
			timers[i] = timers[--ntimers];
			return;
		}
}

void
fake_time_reset(uint64_t now_ms)
{
	now = now_ms;
	ntimers = 0;
}

uint64_t
clock_ms(void)
{
	return now;
}

void
timer_init(struct timer *t, void (*cb)(void *), void *arg)
{
	t->cb = cb;
	t->arg = arg;
	t->deadline = 0;
}

void
timer_start(struct timer *t, uint32_t ms)
{
	forget(t);
	if (ntimers == FAKE_MAX_TIMERS)
		abort();
	t->deadline = now + ms;
	timers[ntimers++] = t;
}

void
timer_stop(struct timer *t)
{
	forget(t);
	t->deadline = 0;
}

void
timer_free(struct timer *t)
{
	timer_stop(t);
}

uint32_t
timer_remaining(const struct timer *t)
{
	return t->deadline == 0 || t->deadline <= now ? 0 :
	    (uint32_t)(t->deadline - now);
}

uint32_t
rand_ms(uint32_t lo, uint32_t hi)
{
	return lo + (hi - lo) / 2;
}

uint32_t
jitter_ms(uint32_t ms, unsigned lo_pct, unsigned hi_pct)
{
	return (uint32_t)((uint64_t)ms * (lo_pct + hi_pct) / 200);
}

unsigned
fake_timers_pending(void)
{
	return ntimers;
}

void
fake_advance(uint64_t ms)
{
	uint64_t end = now + ms;

	for (;;) {
		struct timer *next = NULL;

		for (unsigned i = 0; i < ntimers; i++)
			if (timers[i]->deadline <= end &&
			    (next == NULL || timers[i]->deadline < next->deadline))
				next = timers[i];
		if (next == NULL)
			break;
		now = next->deadline;
		forget(next);
		next->deadline = 0;
		next->cb(next->arg);
	}
	now = end;
}
