/* SPDX-License-Identifier: ISC */
/*
 * Kernel upcalls from the mroute socket, turned into routing events: a
 * packet without an MFC entry (NOCACHE), one on the wrong interface
 * (WRONGVIF), and one for the register VIF to encapsulate (WHOLEPKT).
 */
#include "mroute.h"
#include "pimd.h"
#include "sg.h"

void
mroute_upcall(const struct mrt_upcall *up, void *arg)
{
	switch (up->type) {
	case MRT_UPCALL_NOCACHE:
		sg_nocache(up->src, up->grp, up->vif);
		break;
	case MRT_UPCALL_WRONGVIF:
	case MRT_UPCALL_WRVIFWHOLE:
		sg_wrongvif(up->src, up->grp, up->vif);
		break;
	case MRT_UPCALL_WHOLEPKT:
		sg_wholepkt(up->src, up->grp, up->pkt, up->len);
		break;
	}
}
