/* SPDX-License-Identifier: ISC */
/*
 * Kernel upcalls from the mroute socket, turned into routing events: a
 * packet without an MFC entry (NOCACHE), one on the wrong interface
 * (WRONGVIF, which lib/mrt.c delivers as WRVIFWHOLE, with the packet: the
 * SPT switch, or an Assert where it is an outgoing one), and one for the
 * register VIF to encapsulate (WHOLEPKT).
 *
 * The kernel drops the packet of a WRONGVIF upcall.  When that packet is
 * the one that moves an entry to a new incoming interface, nothing else
 * would deliver it, so the routing code hands it back here to be sent on
 * as the kernel would have (mroute_forward).
 */
#include <unistd.h>

#include "assert.h"
#include "iface.h"
#include "mroute.h"
#include "pimd.h"
#include "rawsock.h"
#include "sg.h"

static int fwd_fd = -1;

void
mroute_init(void)
{
	if ((fwd_fd = raw_open_forward()) < 0)
		log_warnx("mroute: cannot forward packets the kernel reports; "
		    "a switch of incoming interface may lose one");
}

void
mroute_fini(void)
{
	if (fwd_fd >= 0)
		close(fwd_fd);
	fwd_fd = -1;
}

void
mroute_upcall(const struct mrt_upcall *up, void *arg)
{
	switch (up->type) {
	case MRT_UPCALL_NOCACHE:
		sg_nocache(up->src, up->grp, up->vif);
		break;
	case MRT_UPCALL_WRONGVIF:
	case MRT_UPCALL_WRVIFWHOLE:
		/* Data on an interface we forward onto: another router forwards it too (§4.6). */
		assert_wrongvif(up->src, up->grp, up->vif);
		sg_wrongvif(up->src, up->grp, up->vif, up->pkt, up->len);
		break;
	case MRT_UPCALL_WHOLEPKT:
		sg_wholepkt(up->src, up->grp, up->pkt, up->len);
		break;
	}
}

void
mroute_forward(const uint8_t *pkt, size_t len, uint32_t oifs)
{
	struct iface *ifp;

	if (fwd_fd < 0 || pkt == NULL)
		return;
	TAILQ_FOREACH(ifp, &ifaces, entry)
		if (ifp->vif >= 0 && ifp->vif != IFACE_REGISTER_VIF && (oifs & (1u << ifp->vif)) != 0 &&
		    raw_forward(fwd_fd, ifp->ifindex, pkt, len) > 0)
			log_debug(LOG_SUB_MROUTE, "forwarded the reported packet on %s",
			    ifp->name);
}
