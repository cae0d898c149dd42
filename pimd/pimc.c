/* SPDX-License-Identifier: ISC */
/*
 * pimc: the control client.  It sends one request line to pimd's control
 * socket and prints the answer: the body on stdout when the daemon says OK,
 * the error on stderr (exit 1) when it does not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: pimc [-s socket] show interfaces|neighbors|config|version [--json]\n"
	    "       pimc [-s socket] show upstream|mroute|rp|bsr|assert [--json]\n"
	    "       pimc [-s socket] show rp-for GROUP [--json]\n"
	    "       pimc [-s socket] show igmp interfaces|groups|sources [--json]\n"
	    "       pimc [-s socket] reload\n");
	exit(2);
}

/* Turn the arguments into one request line; "--json" becomes the word "json". */
static int
request(int argc, char *argv[], char *buf, size_t size)
{
	bool json = false;
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "-j") == 0) {
			json = true;
			continue;
		}
		if (argv[i][0] == '-' || strchr(argv[i], '\n') != NULL)
			usage();
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		    len ? " " : "", argv[i]);
		if (len >= size)
			return -1;
	}
	if (len == 0)
		usage();
	if (json)
		len += (size_t)snprintf(buf + len, size - len, " json");
	len += (size_t)snprintf(buf + len, size - len, "\n");
	return len < size ? 0 : -1;
}

static int
connect_to(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "pimc: socket path too long: %s\n", path);
		exit(2);
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "pimc: cannot connect to %s: %s (is pimd running?)\n",
		    path, strerror(errno));
		exit(3);
	}
	return fd;
}

static char *
read_all(int fd, size_t *len)
{
	size_t size = 65536;
	char *buf = malloc(size);
	ssize_t n;

	*len = 0;
	while (buf != NULL) {
		if (*len + 1 >= size && (buf = realloc(buf, size *= 2)) == NULL)
			break;
		if ((n = read(fd, buf + *len, size - *len - 1)) < 0) {
			if (errno == EINTR)
				continue;
			perror("pimc: read");
			exit(3);
		}
		if (n == 0) {
			buf[*len] = '\0';
			return buf;
		}
		*len += (size_t)n;
	}
	fprintf(stderr, "pimc: out of memory\n");
	exit(3);
}

int
main(int argc, char *argv[])
{
	const char *path = CONTROL_SOCKET;
	char req[CONTROL_MAX_REQUEST], *answer, *body;
	size_t len;
	int fd, ch;

	/* '+': stop at the first command word so "--json" after it is ours to read. */
	while ((ch = getopt(argc, argv, "+hs:")) != -1) {
		switch (ch) {
		case 's': path = optarg; break;
		default: usage();
		}
	}
	if (request(argc - optind, argv + optind, req, sizeof(req)) < 0)
		usage();
	fd = connect_to(path);
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		perror("pimc: write");
		return 3;
	}
	shutdown(fd, SHUT_WR);
	answer = read_all(fd, &len);
	close(fd);
	if ((body = strchr(answer, '\n')) == NULL) {
		fprintf(stderr, "pimc: no answer from pimd\n");
		free(answer);
		return 3;
	}
	*body++ = '\0';
	if (strcmp(answer, CONTROL_OK) == 0) {
		fputs(body, stdout);
		free(answer);
		return 0;
	}
	fprintf(stderr, "pimc: %s", body);
	free(answer);
	return 1;
}
