/* SPDX-License-Identifier: ISC */
/* The daemon as a whole: its running config and its debug subsystems. */
#ifndef PIMD_PIMD_H
#define PIMD_PIMD_H

#include <stdint.h>

#include "log.h"

/* Debug subsystems of the daemon, after lib/'s own (see main.c for names). */
enum {
	DBG_CONFIG = LOG_SUB_USER,
	DBG_IFACE,
	DBG_CONTROL,
	DBG_IGMP,
	DBG_PIM,
};

struct config;

struct pimd {
	struct config	*conf;		/* running config */
	const char	*conf_path;
	const char	*sock_path;
	const char	*pid_path;
	uint64_t	start_ms;	/* clock_ms() at start */
};

extern struct pimd pimd;

/* Load the config file again and apply what changed; *err on failure. */
int	pimd_reload(char **err);
/* Leave the event loop; main() then tears everything down. */
void	pimd_shutdown(void);

#endif
