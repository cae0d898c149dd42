/* SPDX-License-Identifier: ISC */
/*
 * The control socket: a UNIX stream socket (mode 0600) on which pimc sends
 * one request line ("show interfaces json", "reload") and reads the answer:
 * a status line, "OK" or "ERROR", then the body, until the daemon closes.
 */
#ifndef PIMD_CONTROL_H
#define PIMD_CONTROL_H

#include <stdbool.h>

#define CONTROL_SOCKET		RUNSTATEDIR "/pimd.sock"
#define CONTROL_MAX_REQUEST	1024
#define CONTROL_OK		"OK"
#define CONTROL_ERROR		"ERROR"

/* 0, or -1 with *err set (static text plus errno in the log). */
int	control_init(const char *path, const char **err);
void	control_close(void);

#endif
