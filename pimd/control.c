/* SPDX-License-Identifier: ISC */
/*
 * The control socket.  Each connection carries one request line and one
 * answer; libevent's bufferevents do the non-blocking reading and writing,
 * so a slow client never stalls the daemon.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "control.h"
#include "event.h"
#include "oper.h"
#include "pimd.h"

#define CONTROL_TIMEOUT_S	5

struct cmd {
	const char	*words;		/* the request, "json" removed */
	char		*(*fn)(bool json, char **err);
	/* or, for a command that takes one more word, the argument */
	char		*(*fn_arg)(const char *arg, bool json, char **err);
};

static char *cmd_reload(bool, char **);

static const struct cmd cmds[] = {
	{ "show interfaces",	.fn = oper_show_interfaces },
	{ "show config",	.fn = oper_show_config },
	{ "show version",	.fn = oper_show_version },
	{ "show neighbors",	.fn = oper_show_neighbors },
	{ "show upstream",	.fn = oper_show_upstream },
	{ "show mroute",	.fn = oper_show_mroute },
	{ "show rp",		.fn = oper_show_rp },
	{ "show bsr",		.fn = oper_show_bsr },
	{ "show rp-for",	.fn_arg = oper_show_rp_for },
	{ "show assert",	.fn = oper_show_assert },
	{ "show igmp interfaces", .fn = oper_show_igmp_interfaces },
	{ "show igmp groups",	.fn = oper_show_igmp_groups },
	{ "show igmp sources",	.fn = oper_show_igmp_sources },
	{ "reload",		.fn = cmd_reload },
};

static struct evconnlistener *listener;
static char *sock_path;

static char *
cmd_reload(bool json, char **err)
{
	if (pimd_reload(err) < 0)
		return NULL;
	return strdup("configuration reloaded\n");
}

/*
 * Split off a trailing "json" word; the rest must name a command exactly,
 * or one that takes an argument followed by one more word, *arg.
 */
static const struct cmd *
cmd_find(char *line, bool *json, const char **arg)
{
	size_t len = strlen(line), n;

	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\r'))
		line[--len] = '\0';
	*json = len >= 5 && strcmp(line + len - 5, " json") == 0;
	if (*json)
		line[len - 5] = '\0';
	*arg = NULL;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		n = strlen(cmds[i].words);
		if (cmds[i].fn != NULL && strcmp(cmds[i].words, line) == 0)
			return &cmds[i];
		if (cmds[i].fn_arg != NULL && strncmp(cmds[i].words, line, n) == 0 &&
		    line[n] == ' ' && line[n + 1] != '\0' && strchr(line + n + 1, ' ') == NULL) {
			*arg = line + n + 1;
			return &cmds[i];
		}
	}
	return NULL;
}

static void
conn_written(struct bufferevent *bev, void *arg)
{
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		bufferevent_free(bev);
}

static void
conn_answer(struct bufferevent *bev, char *line)
{
	const struct cmd *c;
	const char *arg;
	char *body = NULL, *err = NULL;
	bool json;

	log_debug(DBG_CONTROL, "request: %s", line);
	if ((c = cmd_find(line, &json, &arg)) == NULL) {
		if (asprintf(&err, "unknown command \"%s\"", line) < 0)
			err = NULL;
	} else if (arg != NULL)
		body = c->fn_arg(arg, json, &err);
	else
		body = c->fn(json, &err);
	if (body != NULL)
		evbuffer_add_printf(bufferevent_get_output(bev), "%s\n%s",
		    CONTROL_OK, body);
	else
		evbuffer_add_printf(bufferevent_get_output(bev), "%s\n%s\n",
		    CONTROL_ERROR, err ? err : "out of memory");
	free(body);
	free(err);
	bufferevent_disable(bev, EV_READ);
	bufferevent_setcb(bev, NULL, conn_written, NULL, NULL);
}

static void
conn_read(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);
	char *line;

	if ((line = evbuffer_readln(in, NULL, EVBUFFER_EOL_LF)) != NULL) {
		conn_answer(bev, line);
		free(line);
	} else if (evbuffer_get_length(in) > CONTROL_MAX_REQUEST) {
		log_warnx_rl("control: request too long; closing");
		bufferevent_free(bev);
	}
}

static void
conn_event(struct bufferevent *bev, short what, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len = evbuffer_get_length(in);

	/* A client that shut down its side without a newline still gets an answer. */
	if ((what & BEV_EVENT_EOF) && len > 0 && len <= CONTROL_MAX_REQUEST) {
		char line[CONTROL_MAX_REQUEST + 1];

		evbuffer_remove(in, line, len);
		line[len] = '\0';
		conn_answer(bev, line);
		return;
	}
	bufferevent_free(bev);
}

static void
conn_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct timeval tv = { CONTROL_TIMEOUT_S, 0 };
	struct bufferevent *bev;

	if ((bev = bufferevent_socket_new(ev_base(), fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		close(fd);
		return;
	}
	bufferevent_setcb(bev, conn_read, NULL, conn_event, NULL);
	bufferevent_set_timeouts(bev, &tv, &tv);
	bufferevent_enable(bev, EV_READ);
}

/* A socket someone answers on belongs to a running daemon: leave it alone. */
static bool
socket_alive(const struct sockaddr_un *sun)
{
	int fd;
	bool alive;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return false;
	alive = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0;
	close(fd);
	return alive;
}

int
control_init(const char *path, const char **err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t old;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		*err = "control socket path too long";
		return -1;
	}
	strcpy(sun.sun_path, path);
	if (socket_alive(&sun)) {
		*err = "control socket is in use: another pimd answers on it";
		return -1;
	}
	unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		*err = "cannot create the control socket";
		return -1;
	}
	old = umask(077);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		umask(old);
		close(fd);
		*err = "cannot bind the control socket";
		return -1;
	}
	umask(old);
	chmod(path, 0600);
	listener = evconnlistener_new(ev_base(), conn_accept, NULL,
	    LEV_OPT_CLOSE_ON_FREE, 16, fd);
	if (listener == NULL) {
		close(fd);
		unlink(path);
		*err = "cannot listen on the control socket";
		return -1;
	}
	sock_path = strdup(path);
	return 0;
}

void
control_close(void)
{
	if (listener == NULL)
		return;
	evconnlistener_free(listener);
	listener = NULL;
	unlink(sock_path);
	free(sock_path);
	sock_path = NULL;
}
