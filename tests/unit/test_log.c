/* SPDX-License-Identifier: ISC */
/* Debug subsystem switches and rate limiting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "log.h"

static const char *const names[] = { "config", "igmp", NULL };

static void
subsystems(void **state)
{
	const char *bad = NULL;

	log_debug_names(names);
	assert_false(log_debug_on(LOG_SUB_NETLINK));
	assert_int_equal(log_debug_enable("netlink,igmp", &bad), 0);
	assert_true(log_debug_on(LOG_SUB_NETLINK));
	assert_true(log_debug_on(LOG_SUB_USER + 1));
	assert_false(log_debug_on(LOG_SUB_USER));
	assert_false(log_debug_on(LOG_SUB_MROUTE));
	assert_int_equal(log_debug_enable("config,bogus", &bad), -1);
	assert_string_equal(bad, "bogus");
	/* A rejected list changes nothing. */
	assert_false(log_debug_on(LOG_SUB_USER));
	assert_int_equal(log_debug_enable("all", &bad), 0);
	assert_true(log_debug_on(LOG_SUB_USER));
	assert_false(log_debug_on(LOG_SUB_MAX));
	assert_non_null(strstr(log_debug_list(), "netlink"));
	assert_non_null(strstr(log_debug_list(), "igmp"));
}

static void
rate_limit(void **state)
{
	struct log_rl rl = { 0 };
	unsigned suppressed = 99;

	assert_true(log_rl_pass(&rl, &suppressed));
	assert_int_equal(suppressed, 0);
	for (int i = 0; i < 5; i++)
		assert_false(log_rl_pass(&rl, &suppressed));
	/* Pretend the interval has passed. */
	rl.last_ms -= LOG_RL_INTERVAL_MS;
	assert_true(log_rl_pass(&rl, &suppressed));
	assert_int_equal(suppressed, 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(subsystems),
		cmocka_unit_test(rate_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
