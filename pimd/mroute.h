/* SPDX-License-Identifier: ISC */
/*
 * Kernel upcalls into routing events (struct mrt_handlers.upcall), and
 * forwarding by hand the packet an upcall carried.
 */
#ifndef PIMD_MROUTE_H
#define PIMD_MROUTE_H

#include "mrt.h"

void	mroute_init(void);
void	mroute_fini(void);
void	mroute_upcall(const struct mrt_upcall *, void *arg);
/* Send a copy of pkt out of every VIF in oifs but the register VIF. */
void	mroute_forward(const uint8_t *pkt, size_t len, uint32_t oifs);

#endif
