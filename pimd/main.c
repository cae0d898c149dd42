/* SPDX-License-Identifier: ISC */
/*
 * pimd: a PIM-SM and IGMP multicast routing daemon.
 *
 * main() checks the configuration, takes the namespace's multicast routing
 * table (refusing to start when another daemon has it), opens the control
 * socket, follows interfaces through netlink and runs the event loop until
 * SIGTERM, when it removes every VIF and MFC entry it made.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bsr.h"
#include "crp.h"
#include "config.h"
#include "control.h"
#include "event.h"
#include "iface.h"
#include "igmp.h"
#include "log.h"
#include "mroute.h"
#include "mrt.h"
#include "netlink.h"
#include "pim.h"
#include "rp.h"
#include "rpf.h"
#include "sg.h"
#include "pimd.h"

#define PIDFILE		RUNSTATEDIR "/pimd.pid"
#define CONFFILE	"/etc/pimd/pimd.json"

struct pimd pimd;

static const char *const debug_names[] = {
	[DBG_CONFIG - LOG_SUB_USER] = "config",
	[DBG_IFACE - LOG_SUB_USER] = "iface",
	[DBG_CONTROL - LOG_SUB_USER] = "control",
	[DBG_IGMP - LOG_SUB_USER] = "igmp",
	[DBG_PIM - LOG_SUB_USER] = "pim",
	NULL,
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: pimd [-FnVv] [-d subsystems] [-f config] [-p pidfile] [-s socket]\n"
	    "            [-y yangdir]\n"
	    "  -F  stay in the foreground and log to stderr\n"
	    "  -n  check the configuration and exit; with -v print it normalised\n"
	    "  -d  debug subsystems, comma-separated: all,%s\n"
	    "  -V  print the version and exit\n", log_debug_list());
	exit(2);
}

int
pimd_reload(char **err)
{
	struct config *new;

	if ((new = config_load(pimd.conf_path, err)) == NULL) {
		log_warnx("reload rejected, running config unchanged: %s", *err);
		return -1;
	}
	config_log_diff(pimd.conf, new);
	iface_apply_config(new);
	rp_apply_config(new);
	/* The C-RP first: what it withdraws is out of the BSR's last BSM. */
	crp_apply_config(new);
	bsr_apply_config(new);
	config_free(pimd.conf);
	pimd.conf = new;
	log_info("reloaded %s", pimd.conf_path);
	return 0;
}

void
pimd_shutdown(void)
{
	ev_break();
}

static void
on_signal(int signo, void *arg)
{
	char *err = NULL;

	switch (signo) {
	case SIGHUP:
		pimd_reload(&err);
		free(err);
		break;
	case SIGTERM:
	case SIGINT:
		log_info("signal %d: shutting down", signo);
		pimd_shutdown();
		break;
	}
}

static void
pidfile_write(const char *path)
{
	FILE *fp;

	if ((fp = fopen(path, "w")) == NULL) {
		log_warn("cannot write pid file %s", path);
		return;
	}
	fprintf(fp, "%d\n", (int)getpid());
	fclose(fp);
}

/* Say what went wrong with MRT_INIT in words an operator can act on. */
static void __attribute__((noreturn))
mrt_open_failed(int err)
{
	switch (err) {
	case EADDRINUSE:
		fatalx("another multicast routing daemon already runs in this "
		    "network namespace (MRT_INIT: address in use); not starting");
	case EACCES:
	case EPERM:
		fatalx("no permission to open the multicast routing socket "
		    "(needs root or CAP_NET_ADMIN and CAP_NET_RAW)");
	case ENOPROTOOPT:
		fatalx("the kernel has no IPv4 multicast routing "
		    "(CONFIG_IP_MROUTE)");
	default:
		errno = err;
		fatal("cannot open the multicast routing socket");
	}
}

static void
run(bool foreground, const char *debug)
{
	static const struct mrt_handlers mh = {
		.upcall = mroute_upcall,
		.igmp = igmp_input,
	};
	static const struct netlink_handlers nh = {
		.link = iface_link_event,
		.addr = iface_addr_event,
		.route = rpf_route_event,
	};
	struct ev_sig *sigs[4];
	const int signos[4] = { SIGTERM, SIGINT, SIGHUP, 0 };
	const char *err;
	int rc;

	if (ev_init() < 0)
		fatalx("cannot create the event loop");
	/* The routing table first: a second daemon must fail before it touches anything. */
	if ((rc = mrt_open(&mh)) < 0)
		mrt_open_failed(-rc);
	if (control_init(pimd.sock_path, &err) < 0)
		fatal("%s %s", err, pimd.sock_path);
	if (!foreground && daemon(0, 0) < 0)
		fatal("daemon");
	log_init("pimd", foreground);
	pidfile_write(pimd.pid_path);
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; signos[i] != 0; i++)
		sigs[i] = ev_signal_add(signos[i], on_signal, NULL);
	pimd.start_ms = clock_ms();

	iface_init();
	mroute_init();
	if (igmp_init() < 0)
		log_warnx("IGMP disabled: cannot open its raw socket");
	if (pim_init() < 0)
		log_warnx("PIM disabled: cannot open its raw socket");
	igmp_set_listener(sg_membership_changed);
	rp_set_listener(sg_rp_changed);
	bsr_set_listener(crp_bsr_changed);
	if (netlink_init(&nh) < 0)
		fatal("netlink");
	iface_apply_config(pimd.conf);
	rp_apply_config(pimd.conf);
	crp_apply_config(pimd.conf);
	bsr_apply_config(pimd.conf);
	log_info("pimd %s started with %s (debug: %s)", PACKAGE_VERSION,
	    pimd.conf_path, debug ? debug : "none");

	ev_run();

	/* RFC 5059: the BSR drops this RP, and the others elect a BSR, at once. */
	crp_shutdown();
	bsr_shutdown();
	sg_fini();
	/* Groups flushed as IGMP stops must not bring routing state back. */
	igmp_set_listener(NULL);
	/* PIM first, while the interfaces' settings are there for the last Join/Prunes. */
	pim_fini();
	crp_fini();
	bsr_fini();
	iface_shutdown();
	rpf_fini();
	rp_fini();
	igmp_fini();
	mroute_fini();
	mrt_close();
	netlink_fini();
	control_close();
	for (int i = 0; signos[i] != 0; i++)
		ev_signal_del(sigs[i]);
	ev_fini();
	unlink(pimd.pid_path);
	log_info("pimd stopped");
}

int
main(int argc, char *argv[])
{
	const char *yang_dir = YANG_DIR, *debug = NULL, *bad;
	bool foreground = false, check = false;
	int verbose = 0, ch;
	char *err = NULL;

	pimd.conf_path = CONFFILE;
	pimd.sock_path = CONTROL_SOCKET;
	pimd.pid_path = PIDFILE;
	log_debug_names(debug_names);
	while ((ch = getopt(argc, argv, "d:Ff:hnp:s:Vvy:")) != -1) {
		switch (ch) {
		case 'd':
			debug = optarg;
			if (log_debug_enable(debug, &bad) < 0) {
				fprintf(stderr, "pimd: unknown debug subsystem "
				    "\"%.*s\" (known: all,%s)\n", (int)strcspn(bad, ","),
				    bad, log_debug_list());
				return 2;
			}
			break;
		case 'F': foreground = true; break;
		case 'f': pimd.conf_path = optarg; break;
		case 'n': check = true; break;
		case 'p': pimd.pid_path = optarg; break;
		case 's': pimd.sock_path = optarg; break;
		case 'V': printf("pimd %s\n", PACKAGE_VERSION); return 0;
		case 'v': verbose++; break;
		case 'y': yang_dir = optarg; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	log_init("pimd", true);

	if (config_init(yang_dir) < 0) {
		fprintf(stderr, "pimd: cannot load the YANG modules from %s\n", yang_dir);
		return 1;
	}
	if ((pimd.conf = config_load(pimd.conf_path, &err)) == NULL) {
		fprintf(stderr, "pimd: %s\n", err);
		free(err);
		config_fini();
		return 1;
	}
	if (check) {
		if (verbose)
			config_print(pimd.conf, stdout);
		else
			fprintf(stderr, "pimd: configuration OK\n");
	} else
		run(foreground, debug);
	config_free(pimd.conf);
	config_fini();
	return 0;
}
