/* SPDX-License-Identifier: ISC */
/*
 * Logging to stderr (foreground) or syslog.  Debug messages are switched
 * per subsystem; rate limiting keeps a flood of bad packets from flooding
 * the log as well.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static const char *const lib_names[LOG_SUB_USER] = {
	[LOG_SUB_EVENT] = "event",
	[LOG_SUB_NETLINK] = "netlink",
	[LOG_SUB_MROUTE] = "mroute",
	[LOG_SUB_SOCKET] = "socket",
};

static bool		 log_stderr = true;
static uint32_t		 debug_mask;
static const char *const *user_names;
static char		 name_list[512];

void
log_init(const char *ident, bool to_stderr)
{
	log_stderr = to_stderr;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_verbose(int level)
{
	if (level > 0)
		debug_mask = UINT32_MAX;
}

void
log_debug_names(const char *const *names)
{
	user_names = names;
}

static const char *
sub_name(int sub)
{
	if (sub < LOG_SUB_USER)
		return lib_names[sub];
	if (user_names == NULL)
		return NULL;
	for (int i = 0; user_names[i] != NULL; i++)
		if (LOG_SUB_USER + i == sub)
			return user_names[i];
	return NULL;
}

static int
sub_by_name(const char *name, size_t len)
{
	for (int sub = 0; sub < LOG_SUB_MAX; sub++) {
		const char *n = sub_name(sub);

		if (n != NULL && strlen(n) == len && strncmp(n, name, len) == 0)
			return sub;
	}
	return -1;
}

int
log_debug_enable(const char *list, const char **bad)
{
	uint32_t mask = 0;
	const char *p = list;

	while (*p != '\0') {
		size_t len = strcspn(p, ",");
		int sub;

		if (len == 3 && strncmp(p, "all", 3) == 0)
			mask = UINT32_MAX;
		else if (len > 0) {
			if ((sub = sub_by_name(p, len)) < 0) {
				if (bad != NULL)
					*bad = p;
				return -1;
			}
			mask |= 1u << sub;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	debug_mask |= mask;
	return 0;
}

bool
log_debug_on(int sub)
{
	return sub >= 0 && sub < LOG_SUB_MAX && (debug_mask & (1u << sub));
}

const char *
log_debug_list(void)
{
	size_t off = 0;

	name_list[0] = '\0';
	for (int sub = 0; sub < LOG_SUB_MAX; sub++) {
		const char *n = sub_name(sub);

		if (n != NULL)
			off += snprintf(name_list + off, sizeof(name_list) - off,
			    "%s%s", off ? "," : "", n);
		if (off >= sizeof(name_list))
			break;
	}
	return name_list;
}

static void
vlog(int pri, const char *prefix, const char *fmt, va_list ap, const char *err)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_stderr) {
		struct timespec ts;
		struct tm tm;
		char tbuf[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld %s%s%s%s\n", tbuf, ts.tv_nsec / 1000000,
		    prefix, msg, err ? ": " : "", err ? err : "");
		fflush(stderr);
	} else
		syslog(pri, "%s%s%s%s", prefix, msg, err ? ": " : "", err ? err : "");
}

void
log_warn(const char *fmt, ...)
{
	const char *err = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, "", fmt, ap, err);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, "", fmt, ap, NULL);
	va_end(ap);
}

void
log_notice(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_NOTICE, "", fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, "", fmt, ap, NULL);
	va_end(ap);
}

void
log_debugx(int sub, const char *fmt, ...)
{
	char prefix[32];
	const char *n = sub_name(sub);
	va_list ap;

	snprintf(prefix, sizeof(prefix), "%s: ", n ? n : "debug");
	va_start(ap, fmt);
	vlog(LOG_DEBUG, prefix, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	const char *err = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, "fatal: ", fmt, ap, err);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, "fatal: ", fmt, ap, NULL);
	va_end(ap);
	exit(1);
}

static uint64_t
rl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * True when a message may go out now; *suppressed is how many were held
 * back since the last one.  The first call always passes.
 */
bool
log_rl_pass(struct log_rl *rl, unsigned *suppressed)
{
	uint64_t now = rl_now_ms();

	if (rl->last_ms != 0 && now - rl->last_ms < LOG_RL_INTERVAL_MS) {
		rl->suppressed++;
		return false;
	}
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	rl->last_ms = now ? now : 1;
	return true;
}

void
log_rl_warnx(struct log_rl *rl, const char *fmt, ...)
{
	char msg[1024];
	unsigned suppressed;
	va_list ap;

	if (!log_rl_pass(rl, &suppressed))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (suppressed > 0)
		log_warnx("%s (%u similar messages suppressed)", msg, suppressed);
	else
		log_warnx("%s", msg);
}
