/* SPDX-License-Identifier: ISC */
/* Kernel upcalls into routing events (struct mrt_handlers.upcall). */
#ifndef PIMD_MROUTE_H
#define PIMD_MROUTE_H

#include "mrt.h"

void	mroute_upcall(const struct mrt_upcall *, void *arg);

#endif
