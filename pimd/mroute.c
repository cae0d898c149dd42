/* SPDX-License-Identifier: ISC */
/*
 * Kernel upcalls from the mroute socket, turned into routing events: a
 * packet without an MFC entry (NOCACHE), one on the wrong interface
 * (WRONGVIF: the SPT switch, or an Assert where it is an outgoing one),
 * and one for the register VIF to encapsulate (WHOLEPKT).
 */
#include "assert.h"
#include "mroute.h"
#include "pimd.h"
#include "sg.h"

void
mroute_upcall(const struct mrt_upcall *up, void *arg)
{
	/* Data on an interface we forward onto: another router forwards it too (§4.6). */
	if (up->type == MRT_UPCALL_WRONGVIF)
		assert_wrongvif(up->src, up->grp, up->vif);
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
