/* SPDX-License-Identifier: ISC */
/* Timers on the real event loop, and the jitter helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

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
		cmocka_unit_test(random_ranges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
