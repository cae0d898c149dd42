/* SPDX-License-Identifier: ISC */
/*
 * Event loop glue on libevent.  Timers keep their deadline in the struct
 * timer itself so callers can read it without asking libevent; the libevent
 * handle is created on first start and lives until timer_free().
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

#include <event2/event.h>

#include "event.h"
#include "log.h"

static struct event_base *base;

struct ev_io {
	struct event	*ev;
	void		(*cb)(int, void *);
	void		*arg;
};

struct ev_sig {
	struct event	*ev;
	void		(*cb)(int, void *);
	void		*arg;
};

int
ev_init(void)
{
	struct event_config *cfg;

	if ((cfg = event_config_new()) == NULL)
		return -1;
	/* Millisecond timers need the precise monotonic clock, not the coarse one. */
	event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER);
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	return base ? 0 : -1;
}

void
ev_fini(void)
{
	if (base != NULL)
		event_base_free(base);
	base = NULL;
}

int
ev_run(void)
{
	return event_base_dispatch(base);
}

void
ev_break(void)
{
	event_base_loopbreak(base);
}

struct event_base *
ev_base(void)
{
	return base;
}

uint64_t
clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
io_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ev_io *io = arg;

	io->cb(fd, io->arg);
}

struct ev_io *
ev_io_add(int fd, void (*cb)(int, void *), void *arg)
{
	struct ev_io *io;

	if ((io = calloc(1, sizeof(*io))) == NULL)
		return NULL;
	io->cb = cb;
	io->arg = arg;
	io->ev = event_new(base, fd, EV_READ | EV_PERSIST, io_cb, io);
	if (io->ev == NULL || event_add(io->ev, NULL) < 0) {
		if (io->ev)
			event_free(io->ev);
		free(io);
		return NULL;
	}
	return io;
}

void
ev_io_del(struct ev_io *io)
{
	if (io == NULL)
		return;
	event_free(io->ev);
	free(io);
}

static void
sig_cb(evutil_socket_t signo, short what, void *arg)
{
	struct ev_sig *sig = arg;

	sig->cb(signo, sig->arg);
}

struct ev_sig *
ev_signal_add(int signo, void (*cb)(int, void *), void *arg)
{
	struct ev_sig *sig;

	if ((sig = calloc(1, sizeof(*sig))) == NULL)
		return NULL;
	sig->cb = cb;
	sig->arg = arg;
	sig->ev = evsignal_new(base, signo, sig_cb, sig);
	if (sig->ev == NULL || event_add(sig->ev, NULL) < 0) {
		if (sig->ev)
			event_free(sig->ev);
		free(sig);
		return NULL;
	}
	return sig;
}

void
ev_signal_del(struct ev_sig *sig)
{
	if (sig == NULL)
		return;
	event_free(sig->ev);
	free(sig);
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct timer *t = arg;

	t->deadline = 0;
	t->cb(t->arg);
}

void
timer_init(struct timer *t, void (*cb)(void *), void *arg)
{
	t->cb = cb;
	t->arg = arg;
	t->deadline = 0;
	t->impl = NULL;
}

void
timer_start(struct timer *t, uint32_t ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	if (t->impl == NULL &&
	    (t->impl = evtimer_new(base, timer_cb, t)) == NULL)
		fatalx("timer: out of memory");
	if (evtimer_add((struct event *)t->impl, &tv) < 0)
		fatalx("timer: cannot schedule");
	t->deadline = clock_ms() + ms;
	if (t->deadline == 0)
		t->deadline = 1;
}

void
timer_stop(struct timer *t)
{
	if (t->impl != NULL)
		evtimer_del((struct event *)t->impl);
	t->deadline = 0;
}

void
timer_free(struct timer *t)
{
	if (t->impl != NULL)
		event_free((struct event *)t->impl);
	t->impl = NULL;
	t->deadline = 0;
}

uint32_t
timer_remaining(const struct timer *t)
{
	uint64_t now = clock_ms();

	if (t->deadline == 0 || t->deadline <= now)
		return 0;
	return (uint32_t)(t->deadline - now);
}

uint32_t
rand_ms(uint32_t lo, uint32_t hi)
{
	uint32_t r;

	if (hi <= lo)
		return lo;
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (uint32_t)random();
	return lo + (uint32_t)((uint64_t)r * ((uint64_t)hi - lo + 1) >> 32);
}

uint32_t
jitter_ms(uint32_t ms, unsigned lo_pct, unsigned hi_pct)
{
	uint64_t lo = (uint64_t)ms * lo_pct / 100;
	uint64_t hi = (uint64_t)ms * hi_pct / 100;

	if (hi > UINT32_MAX)
		hi = UINT32_MAX;
	if (lo > hi)
		lo = hi;
	return rand_ms((uint32_t)lo, (uint32_t)hi);
}
