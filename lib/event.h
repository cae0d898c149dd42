/* SPDX-License-Identifier: ISC */
/*
 * Event loop glue on libevent: file descriptors, signals, and timers in
 * milliseconds on the monotonic clock.
 *
 * Protocol code sees only struct timer and clock_ms(); unit tests link a
 * fake implementation of the same functions and drive time themselves.
 */
#ifndef LIB_EVENT_H
#define LIB_EVENT_H

#include <stdbool.h>
#include <stdint.h>

struct event_base;

int	ev_init(void);
void	ev_fini(void);
int	ev_run(void);			/* until ev_break() */
void	ev_break(void);
struct event_base *ev_base(void);

/* Monotonic milliseconds. */
uint64_t clock_ms(void);

struct ev_io;
struct ev_io *ev_io_add(int fd, void (*cb)(int fd, void *arg), void *arg);
void	ev_io_del(struct ev_io *io);

struct ev_sig;
struct ev_sig *ev_signal_add(int signo, void (*cb)(int signo, void *arg), void *arg);
void	ev_signal_del(struct ev_sig *sig);

/*
 * A timer lives in the object it times (thousands of entries have several
 * each, so it is kept small); while pending it costs a pointer in the
 * event loop's one heap of timers.  Timers fire in deadline order, to the
 * millisecond; a callback may start, stop or free any timer, itself
 * included, and a timer it starts is due a millisecond later at the
 * earliest.  The deadline wraps every 49.7 days, so a timer runs for at
 * most TIMER_MAX_MS.
 */
struct timer {
	void	(*cb)(void *arg);
	void	*arg;
	uint32_t deadline;		/* (uint32_t)clock_ms() when it fires; 0: stopped */
	uint32_t slot;			/* the event loop's: heap index + 1; 0: none */
};

#define TIMER_MAX_MS	(1u << 30)	/* 12.4 days; the longest holdtime is 18 h */

void	timer_init(struct timer *t, void (*cb)(void *arg), void *arg);
void	timer_start(struct timer *t, uint32_t ms);
void	timer_stop(struct timer *t);
void	timer_free(struct timer *t);	/* stop and release; init again to reuse */
uint32_t timer_remaining(const struct timer *t);	/* ms; 0 when stopped */

/* Fire at clock_ms() time `when`, at once if that is past; UINT64_MAX stops it. */
static inline void
timer_start_at(struct timer *t, uint64_t when)
{
	uint64_t now;

	if (when == UINT64_MAX) {
		timer_stop(t);
		return;
	}
	now = clock_ms();
	timer_start(t, when > now ? (uint32_t)(when - now) : 0);
}

static inline bool
timer_pending(const struct timer *t)
{
	return t->deadline != 0;
}

/* Uniformly random in [lo, hi] (ms); for the jitter the RFCs ask for. */
uint32_t rand_ms(uint32_t lo, uint32_t hi);
/* ms scaled by a random factor in [lo_pct, hi_pct] percent. */
uint32_t jitter_ms(uint32_t ms, unsigned lo_pct, unsigned hi_pct);

#endif
