/* SPDX-License-Identifier: ISC */
/*
 * Event loop glue on libevent.  Timers keep their deadline in the struct
 * timer itself so callers can read it without asking libevent, and wait in
 * a binary min-heap here, with one timerfd armed for the earliest:
 * thousands of entries with several timers each would otherwise cost a
 * libevent event (and its malloc) per timer.
 *
 * The timerfd also keeps libevent's timers out of the way: libevent keeps
 * millisecond timers exact only with EVENT_BASE_FLAG_PRECISE_TIMER, which
 * re-arms a timerfd of its own before every wait, a system call per
 * wakeup; ours is set only when the earliest deadline changes.  libevent's
 * own timers (the control socket's timeouts, seconds) run on its coarse
 * clock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "event.h"
#include "log.h"

static struct event_base *base;

/*
 * The pending timers, a min-heap on deadline; heap[i]->slot is i + 1.
 * Deadlines are milliseconds modulo 2^32 and compare by their difference,
 * which is right while they lie within 2^31 ms of each other (TIMER_MAX_MS
 * sees to that).  The timerfd fd is set for heap[0], its deadline in armed
 * (0: not set); it stays set after it expires, until tq_rearm sets it for
 * a later deadline or clears it, which also makes it unreadable again.
 * A heap[0] due already goes to soon instead, a libevent timer of 0 ms:
 * the next pass of the loop then polls without sleeping, where a timerfd
 * set in the past would take a timer interrupt and a wakeup (25 us).
 * While tick_cb runs the timers due at now, firing is set and re-arming
 * waits for the end.
 */
static struct {
	struct timer	**heap;
	uint32_t	len, cap;
	int		fd;
	struct event	*tick, *soon;
	uint32_t	armed;
	bool		firing;
	uint32_t	now;
} tq = { .fd = -1 };

static void tick_cb(evutil_socket_t, short, void *);

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
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (base == NULL)
		return -1;
	if ((tq.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0 ||
	    (tq.tick = event_new(base, tq.fd, EV_READ | EV_PERSIST, tick_cb, NULL)) == NULL ||
	    event_add(tq.tick, NULL) < 0 ||
	    (tq.soon = evtimer_new(base, tick_cb, NULL)) == NULL) {
		ev_fini();
		return -1;
	}
	return 0;
}

/* Timers still pending are dropped, as stopped, so that a new loop can take them. */
void
ev_fini(void)
{
	for (uint32_t i = 0; i < tq.len; i++) {
		tq.heap[i]->slot = 0;
		tq.heap[i]->deadline = 0;
	}
	if (tq.tick != NULL)
		event_free(tq.tick);
	if (tq.soon != NULL)
		event_free(tq.soon);
	if (tq.fd >= 0)
		close(tq.fd);
	free(tq.heap);
	memset(&tq, 0, sizeof(tq));
	tq.fd = -1;
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

/* Milliseconds from now to deadline, negative when it has passed. */
static int32_t
tq_until(uint32_t deadline, uint32_t now)
{
	return (int32_t)(deadline - now);
}

static bool
tq_before(const struct timer *a, const struct timer *b)
{
	return tq_until(a->deadline, b->deadline) < 0;
}

static void
tq_place(struct timer *t, uint32_t i)
{
	tq.heap[i] = t;
	t->slot = i + 1;
}

static void
tq_sift_up(uint32_t i)
{
	struct timer *t = tq.heap[i];

	while (i > 0 && tq_before(t, tq.heap[(i - 1) / 2])) {
		tq_place(tq.heap[(i - 1) / 2], i);
		i = (i - 1) / 2;
	}
	tq_place(t, i);
}

static void
tq_sift_down(uint32_t i)
{
	struct timer *t = tq.heap[i];
	uint32_t c;

	while ((c = 2 * i + 1) < tq.len) {
		if (c + 1 < tq.len && tq_before(tq.heap[c + 1], tq.heap[c]))
			c++;
		if (!tq_before(tq.heap[c], t))
			break;
		tq_place(tq.heap[c], i);
		i = c;
	}
	tq_place(t, i);
}

/* heap[i] has a new key: move it up or down to where it belongs. */
static void
tq_fix(uint32_t i)
{
	tq_sift_up(i);
	tq_sift_down(tq.heap[i]->slot - 1);
}

static void
tq_insert(struct timer *t)
{
	if (tq.len == tq.cap) {
		uint32_t cap = tq.cap ? tq.cap * 2 : 64;
		struct timer **h = reallocarray(tq.heap, cap, sizeof(*h));

		if (h == NULL)
			fatalx("timer: out of memory");
		tq.heap = h;
		tq.cap = cap;
	}
	tq_place(t, tq.len++);
	tq_sift_up(tq.len - 1);
}

static void
tq_remove(struct timer *t)
{
	uint32_t i = t->slot - 1;
	struct timer *last = tq.heap[--tq.len];

	t->slot = 0;
	if (i < tq.len) {
		tq_place(last, i);
		tq_fix(i);
	}
}

/* Set the timerfd for deadline, a point on clock_ms()'s clock; 0 clears it. */
static void
tq_set(uint32_t deadline)
{
	struct itimerspec its = { 0 };
	uint64_t now = clock_ms(), at;
	int32_t ms;

	if (deadline != 0) {
		ms = tq_until(deadline, (uint32_t)now);
		at = ms > 0 ? now + (uint64_t)ms : now;	/* past: expires at once */
		its.it_value.tv_sec = (time_t)(at / 1000);
		its.it_value.tv_nsec = (long)(at % 1000) * 1000000;
	}
	if (timerfd_settime(tq.fd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		fatal("timer: timerfd_settime");
	tq.armed = deadline;
}

static void
tq_rearm(void)
{
	static const struct timeval now = { 0, 0 };
	uint32_t deadline;

	if (tq.firing)
		return;
	if (tq.len == 0) {
		if (tq.armed != 0)
			tq_set(0);
		return;
	}
	deadline = tq.heap[0]->deadline;
	if (tq_until(deadline, (uint32_t)clock_ms()) <= 0) {
		if (!evtimer_pending(tq.soon, NULL) && evtimer_add(tq.soon, &now) < 0)
			fatalx("timer: cannot schedule");
	} else if (deadline != tq.armed)
		tq_set(deadline);
}

/*
 * Fire what is due, earliest first.  A timer started by one of these
 * callbacks is due after now (timer_start), so it waits for a later pass
 * of the loop: one restarting itself with 0 ms cannot starve I/O, and a
 * 0 ms timer that collects work (a Join/Prune flush) runs after every
 * timer due now has added its share.  After an expiry the deadline is
 * still in armed, so tq_rearm sets or clears the timerfd, which reads as
 * empty again.
 */
static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct timer *t;

	tq.now = (uint32_t)clock_ms();
	tq.firing = true;
	while (tq.len > 0 && tq_until((t = tq.heap[0])->deadline, tq.now) <= 0) {
		tq_remove(t);
		t->deadline = 0;
		t->cb(t->arg);
	}
	tq.firing = false;
	tq_rearm();
}

void
timer_init(struct timer *t, void (*cb)(void *), void *arg)
{
	t->cb = cb;
	t->arg = arg;
	t->deadline = 0;
	t->slot = 0;
}

void
timer_start(struct timer *t, uint32_t ms)
{
	uint32_t deadline;

	if (ms > TIMER_MAX_MS)
		ms = TIMER_MAX_MS;
	deadline = (uint32_t)clock_ms() + ms;
	if (tq.firing && tq_until(deadline, tq.now) <= 0)
		deadline = tq.now + 1;
	t->deadline = deadline != 0 ? deadline : 1;	/* 0 reads as stopped */
	if (t->slot != 0)
		tq_fix(t->slot - 1);
	else
		tq_insert(t);
	tq_rearm();
}

void
timer_stop(struct timer *t)
{
	if (t->slot != 0) {
		tq_remove(t);
		tq_rearm();
	}
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
	int32_t ms = tq_until(t->deadline, (uint32_t)clock_ms());

	return t->deadline == 0 || ms <= 0 ? 0 : (uint32_t)ms;
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
