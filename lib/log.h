/* SPDX-License-Identifier: ISC */
/*
 * Logging: stderr or syslog, levels, per-subsystem debug switches, and
 * rate limiting for messages a received packet can trigger.
 */
#ifndef LIB_LOG_H
#define LIB_LOG_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Debug subsystems.  lib/ owns the first few; the daemon registers the
 * names of its own with log_debug_names() and numbers them from LOG_SUB_USER.
 */
enum {
	LOG_SUB_EVENT,
	LOG_SUB_NETLINK,
	LOG_SUB_MROUTE,
	LOG_SUB_SOCKET,
	LOG_SUB_USER,
	LOG_SUB_MAX = 32,
};

void	log_init(const char *ident, bool to_stderr);
void	log_set_verbose(int level);	/* 0 info, 1 debug everything enabled */
/* names[i] is the name of subsystem LOG_SUB_USER + i; NULL-terminated. */
void	log_debug_names(const char *const *names);
/* "netlink,mroute" or "all"; returns -1 and names the bad word in *bad. */
int	log_debug_enable(const char *list, const char **bad);
bool	log_debug_on(int sub);
const char *log_debug_list(void);	/* every known subsystem, comma-separated */

void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debugx(int sub, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void	fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#define log_debug(sub, ...) do {				\
	if (log_debug_on(sub))					\
		log_debugx((sub), __VA_ARGS__);			\
} while (0)

/*
 * Rate limiting: at most one message per interval per call site; the next
 * message that gets through says how many were suppressed.
 */
struct log_rl {
	uint64_t	last_ms;
	unsigned	suppressed;
};
#define LOG_RL_INTERVAL_MS 1000

bool	log_rl_pass(struct log_rl *rl, unsigned *suppressed);
void	log_rl_warnx(struct log_rl *rl, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#define log_warnx_rl(...) do {					\
	static struct log_rl rl_;				\
	log_rl_warnx(&rl_, __VA_ARGS__);			\
} while (0)

#endif
