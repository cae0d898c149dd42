/* SPDX-License-Identifier: ISC */
/*
 * Timers on the real event loop: order, restarts, and callbacks that start,
 * stop and free timers, their own included; and the jitter helpers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "event.h"

struct fired {
	int		count;
	uint64_t	at;
	struct timer	*other;		/* stopped from the callback */
};

static void
on_timer(void *arg)
{
	struct fired *f = arg;

	f->count++;
	f->at = clock_ms();
	if (f->other != NULL)
		timer_stop(f->other);
}

static void
on_done(void *arg)
{
	ev_break();
}

static int
setup(void **state)
{
	return ev_init();
}

static int
teardown(void **state)
{
	ev_fini();
	return 0;
}

/* Run the loop until a guard timer ends it. */
static void
run_for(uint32_t ms)
{
	struct timer guard;

	timer_init(&guard, on_done, NULL);
	timer_start(&guard, ms);
	ev_run();
	timer_free(&guard);
}

static void
fires_once_after_its_time(void **state)
{
	struct fired f = { 0 };
	struct timer t;
	uint64_t start = clock_ms();

	timer_init(&t, on_timer, &f);
	assert_false(timer_pending(&t));
	timer_start(&t, 20);
	assert_true(timer_pending(&t));
	assert_in_range(timer_remaining(&t), 1, 20);
	run_for(80);
	assert_int_equal(f.count, 1);
	assert_true(f.at >= start + 20);
	assert_false(timer_pending(&t));
	assert_int_equal(timer_remaining(&t), 0);
	timer_free(&t);
}

static void
stop_and_restart(void **state)
{
	struct fired f = { 0 }, g = { 0 };
	struct timer t, u;

	timer_init(&t, on_timer, &f);
	timer_init(&u, on_timer, &g);
	timer_start(&t, 10);
	timer_stop(&t);
	assert_false(timer_pending(&t));
	/* u fires first and stops t, which was restarted later. */
	g.other = &t;
	timer_start(&u, 10);
	timer_start(&t, 40);
	timer_start(&t, 50);	/* a restart moves the deadline */
	run_for(100);
	assert_int_equal(f.count, 0);
	assert_int_equal(g.count, 1);
	timer_free(&t);
	timer_free(&u);
}

/* What fired, in order: each timer's arg is its index in a test's array. */
static struct {
	int		order[512];
	uint64_t	at[512];
	int		n;
} log_;

static void
on_logged(void *arg)
{
	int i = (int)(intptr_t)arg;

	log_.order[log_.n] = i;
	log_.at[log_.n++] = clock_ms();
}

/* Deadline order, whatever the order of starts; a restart moves a timer. */
static void
deadline_order(void **state)
{
	static const uint32_t ms[5] = { 30, 10, 20, 5, 25 };
	static const int expect[5] = { 3, 2, 4, 0, 1 };
	struct timer t[5];

	log_.n = 0;
	for (int i = 0; i < 5; i++) {
		timer_init(&t[i], on_logged, (void *)(intptr_t)i);
		timer_start(&t[i], ms[i]);
	}
	timer_start(&t[1], 35);	/* restarted: now the last */
	run_for(60);
	assert_int_equal(log_.n, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(log_.order[i], expect[i]);
	for (int i = 0; i < 5; i++)
		timer_free(&t[i]);
}

/* Deadlines are clock_ms() modulo 2^32: compare them by difference. */
static bool
not_before(uint64_t at, uint32_t deadline)
{
	return (int32_t)((uint32_t)at - deadline) >= 0;
}

/*
 * Many timers started, restarted and stopped in random order: each fires
 * at most once, not before its deadline, in deadline order, and the
 * stopped ones never.
 */
static void
heap_under_churn(void **state)
{
	enum { N = 400 };
	static struct timer t[N];
	static uint32_t due[N];
	bool stopped[N] = { false };
	int fired[N] = { 0 };

	srandom(7);
	log_.n = 0;
	for (int i = 0; i < N; i++)
		timer_init(&t[i], on_logged, (void *)(intptr_t)i);
	for (int round = 0; round < 3 * N; round++) {
		int i = (int)(random() % N);

		if (random() % 4 == 0) {
			timer_stop(&t[i]);
			stopped[i] = true;
		} else {
			timer_start(&t[i], (uint32_t)(random() % 40));
			due[i] = t[i].deadline;
			stopped[i] = false;
		}
	}
	run_for(80);
	for (int k = 0; k < log_.n; k++) {
		int i = log_.order[k];

		fired[i]++;
		assert_true(not_before(log_.at[k], due[i]));
		if (k > 0)
			assert_true((int32_t)(due[i] - due[log_.order[k - 1]]) >= 0);
	}
	for (int i = 0; i < N; i++) {
		assert_int_equal(fired[i], stopped[i] || due[i] == 0 ? 0 : 1);
		assert_false(timer_pending(&t[i]));
		timer_free(&t[i]);
	}
}

/* A callback's doings: stop or free another that is due, restart itself. */
struct chain {
	struct timer	self;
	struct timer	*victim;	/* stopped or freed when self fires */
	bool		free_victim;
	int		restarts;	/* times self restarts itself */
	int		count;
};

static void
on_chain(void *arg)
{
	struct chain *c = arg;

	c->count++;
	if (c->victim != NULL && c->free_victim)
		timer_free(c->victim);
	else if (c->victim != NULL)
		timer_stop(c->victim);
	if (c->restarts-- > 0)
		timer_start(&c->self, 5);
}

static void
callback_changes_timers(void **state)
{
	struct chain a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 }, e = { 0 };

	timer_init(&a.self, on_chain, &a);
	timer_init(&b.self, on_chain, &b);
	timer_init(&c.self, on_chain, &c);
	timer_init(&d.self, on_chain, &d);
	timer_init(&e.self, on_chain, &e);
	/* Due together, a and b stop each other, c and d free each other. */
	a.victim = &b.self;
	b.victim = &a.self;
	c.victim = &d.self;
	d.victim = &c.self;
	c.free_victim = d.free_victim = true;
	e.restarts = 3;
	timer_start(&a.self, 10);
	timer_start(&b.self, 10);
	timer_start(&c.self, 10);
	timer_start(&d.self, 10);
	timer_start(&e.self, 10);
	run_for(60);
	assert_int_equal(a.count + b.count, 1);
	assert_int_equal(c.count + d.count, 1);
	assert_int_equal(e.count, 4);
	assert_false(timer_pending(&e.self));
	timer_free(&a.self);
	timer_free(&b.self);
	timer_free(&c.self);
	timer_free(&d.self);
	timer_free(&e.self);
}

/* A callback that frees its own timer and the memory holding it. */
static void
on_free_self(void *arg)
{
	struct timer *t = arg;

	timer_free(t);
	free(t);
}

static void
callback_frees_itself(void **state)
{
	struct timer *t = malloc(sizeof(*t));

	assert_non_null(t);
	timer_init(t, on_free_self, t);
	timer_start(t, 5);
	run_for(30);		/* ASan catches a touch after the free */
}

/*
 * A timer started with 0 ms from a timer callback waits for the next pass
 * of the loop, after I/O has been polled: a timer restarting itself with
 * 0 ms cannot keep the loop from its sockets.
 */
static struct {
	int		fds[2];
	struct timer	first, second;
	bool		io_seen, io_before_second;
} pass;

static void
on_pipe(int fd, void *arg)
{
	char c;

	if (read(fd, &c, 1) == 1)
		pass.io_seen = true;
}

static void
on_second(void *arg)
{
	pass.io_before_second = pass.io_seen;
}

static void
on_first(void *arg)
{
	assert_int_equal(write(pass.fds[1], "x", 1), 1);
	timer_start(&pass.second, 0);
}

static void
zero_ms_waits_for_next_pass(void **state)
{
	struct ev_io *io;

	assert_int_equal(pipe(pass.fds), 0);
	assert_non_null(io = ev_io_add(pass.fds[0], on_pipe, NULL));
	timer_init(&pass.first, on_first, NULL);
	timer_init(&pass.second, on_second, NULL);
	timer_start(&pass.first, 5);
	run_for(30);
	assert_true(pass.io_before_second);
	ev_io_del(io);
	close(pass.fds[0]);
	close(pass.fds[1]);
	timer_free(&pass.first);
	timer_free(&pass.second);
}

/* Timers left pending when the loop goes read as stopped. */
static void
fini_stops_pending(void **state)
{
	struct fired f = { 0 };
	struct timer t;

	timer_init(&t, on_timer, &f);
	timer_start(&t, 1000);
	ev_fini();
	assert_false(timer_pending(&t));
	assert_int_equal(ev_init(), 0);
	timer_start(&t, 5);
	run_for(30);
	assert_int_equal(f.count, 1);
	timer_free(&t);
}

static void
random_ranges(void **state)
{
	for (int i = 0; i < 10000; i++) {
		uint32_t r = rand_ms(100, 200), j = jitter_ms(60000, 110, 140);

		assert_in_range(r, 100, 200);
		assert_in_range(j, 66000, 84000);
	}
	assert_int_equal(rand_ms(5, 5), 5);
	assert_int_equal(rand_ms(7, 3), 7);
	assert_int_equal(jitter_ms(0, 50, 150), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(fires_once_after_its_time, setup, teardown),
		cmocka_unit_test_setup_teardown(stop_and_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(deadline_order, setup, teardown),
		cmocka_unit_test_setup_teardown(heap_under_churn, setup, teardown),
		cmocka_unit_test_setup_teardown(callback_changes_timers, setup, teardown),
		cmocka_unit_test_setup_teardown(callback_frees_itself, setup, teardown),
		cmocka_unit_test_setup_teardown(zero_ms_waits_for_next_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(fini_stops_pending, setup, teardown),
		cmocka_unit_test(random_ranges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
