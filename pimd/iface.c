/* SPDX-License-Identifier: ISC */
/*
 * Configured interfaces and their VIFs.
 *
 * Every configured interface has a struct iface from the moment it is
 * configured.  Its kernel side (index, flags, addresses) is resynced from
 * the netlink caches whenever netlink reports a change to that link or its
 * addresses, so the state shown is always the kernel's, and a VIF exists
 * exactly while the link does.  VIF 0 is the PIM register VIF.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "iface.h"
#include "igmp.h"
#include "pim.h"
#include "sg.h"
#include "mrt.h"
#include "pimd.h"

struct iface_list ifaces = TAILQ_HEAD_INITIALIZER(ifaces);
static bool register_vif;

void
iface_init(void)
{
	/* The register VIF lets the kernel hand us packets to encapsulate. */
	if (mrt_vif_add(IFACE_REGISTER_VIF, 0, true) == 0) {
		register_vif = true;
		if (mrt_set_pim(true) < 0)
			log_warnx("iface: kernel PIM register processing unavailable");
	} else
		log_warnx("iface: no PIM register VIF (kernel built without "
		    "CONFIG_IP_PIMSM_V2?); continuing without it");
	/* Packets on the wrong interface tell us the SPT is ready (and need Asserts). */
	mrt_set_assert(true);
}

struct iface *
iface_find_name(const char *name)
{
	struct iface *ifp;

	TAILQ_FOREACH(ifp, &ifaces, entry)
		if (strcmp(ifp->name, name) == 0)
			return ifp;
	return NULL;
}

struct iface *
iface_find_index(int ifindex)
{
	struct iface *ifp;

	if (ifindex <= 0)
		return NULL;
	TAILQ_FOREACH(ifp, &ifaces, entry)
		if (ifp->ifindex == ifindex)
			return ifp;
	return NULL;
}

struct iface *
iface_find_vif(int vif)
{
	struct iface *ifp;

	if (vif < 0)
		return NULL;
	TAILQ_FOREACH(ifp, &ifaces, entry)
		if (ifp->vif == vif)
			return ifp;
	return NULL;
}

enum iface_oper
iface_oper(const struct iface *ifp)
{
	if (ifp->ifindex == 0)
		return IFACE_NOT_PRESENT;
	return ifp->up && ifp->running ? IFACE_UP : IFACE_DOWN;
}

const char *
iface_oper_name(enum iface_oper o)
{
	static const char *const names[] = {
		[IFACE_NOT_PRESENT] = "not-present",
		[IFACE_DOWN] = "down",
		[IFACE_UP] = "up",
	};

	return names[o];
}

/* Tell the protocols: each decides whether it runs here now. */
static void
protocols_update(struct iface *ifp)
{
	pim_iface_update(ifp);
	igmp_iface_update(ifp);
	sg_reevaluate_all();
}

bool
iface_on_link(const struct iface *ifp, struct in_addr addr)
{
	for (unsigned i = 0; i < ifp->naddr; i++) {
		const struct netlink_addr *a = &ifp->addrs[i];
		uint32_t mask = a->prefixlen ? ~0u << (32 - a->prefixlen) : 0;

		if (((ntohl(a->addr.s_addr) ^ ntohl(addr.s_addr)) & mask) == 0)
			return true;
	}
	return false;
}

static void
vif_start(struct iface *ifp)
{
	int vif;

	if (ifp->vif != MRT_VIF_NONE)
		return;
	if ((vif = mrt_vif_free()) < 0) {
		log_warnx("iface %s: no free VIF: the kernel allows %d, "
		    "one of them the register VIF", ifp->name, MRT_MAXVIFS);
		return;
	}
	if (mrt_vif_add(vif, ifp->ifindex, false) == 0) {
		ifp->vif = vif;
		log_info("iface %s: VIF %d on ifindex %d", ifp->name, vif,
		    ifp->ifindex);
	}
}

static void
vif_stop(struct iface *ifp)
{
	if (ifp->vif == MRT_VIF_NONE)
		return;
	mrt_vif_del(ifp->vif);
	log_info("iface %s: VIF %d removed", ifp->name, ifp->vif);
	ifp->vif = MRT_VIF_NONE;
}

static void
addr_collect(const struct netlink_addr *a, void *arg)
{
	struct iface *ifp = arg;

	if (ifp->naddr >= IFACE_MAX_ADDRS)
		return;
	ifp->addrs[ifp->naddr++] = *a;
	if (ifp->primary.s_addr == INADDR_ANY && !a->secondary)
		ifp->primary = a->addr;
}

bool
iface_candidate_addr(const struct cfg_candidate *c, struct in_addr *addr)
{
	struct netlink_link l;
	struct iface tmp = { .naddr = 0 };

	if (c->addr.s_addr != INADDR_ANY) {
		*addr = c->addr;
		return true;
	}
	addr->s_addr = INADDR_ANY;
	if (c->ifname[0] == '\0' || netlink_link_by_name(c->ifname, &l) < 0)
		return false;
	netlink_addr_foreach(l.ifindex, addr_collect, &tmp);
	*addr = tmp.primary;
	return addr->s_addr != INADDR_ANY;
}

static void
addrs_sync(struct iface *ifp)
{
	struct in_addr old = ifp->primary;
	char buf[INET_ADDRSTRLEN];

	ifp->naddr = 0;
	ifp->primary.s_addr = INADDR_ANY;
	if (ifp->ifindex != 0)
		netlink_addr_foreach(ifp->ifindex, addr_collect, ifp);
	if (old.s_addr != ifp->primary.s_addr)
		log_info("iface %s: primary address %s", ifp->name,
		    ifp->primary.s_addr == INADDR_ANY ? "none" :
		    inet_ntop(AF_INET, &ifp->primary, buf, sizeof(buf)));
}

static void
link_gone(struct iface *ifp)
{
	if (ifp->ifindex == 0)
		return;
	log_info("iface %s: link gone", ifp->name);
	vif_stop(ifp);
	ifp->ifindex = 0;
	ifp->up = ifp->running = false;
	ifp->mtu = 0;
	addrs_sync(ifp);
	protocols_update(ifp);
}

static void
link_update(struct iface *ifp, const struct netlink_link *l)
{
	enum iface_oper before = iface_oper(ifp);

	if (ifp->ifindex != 0 && ifp->ifindex != l->ifindex)
		link_gone(ifp);		/* same name, new link */
	ifp->ifindex = l->ifindex;
	ifp->up = l->up;
	ifp->running = l->running;
	ifp->mtu = l->mtu;
	vif_start(ifp);
	addrs_sync(ifp);
	if (iface_oper(ifp) != before)
		log_info("iface %s: %s", ifp->name, iface_oper_name(iface_oper(ifp)));
	protocols_update(ifp);
}

/* Look the interface up in the kernel's links as they are now. */
static void
iface_sync(struct iface *ifp)
{
	struct netlink_link l;

	if (netlink_link_by_name(ifp->name, &l) == 0)
		link_update(ifp, &l);
	else
		link_gone(ifp);
}

void
iface_link_event(enum netlink_event ev, const struct netlink_link *l, void *arg)
{
	struct iface *ifp;

	/* A rename shows as a change of name on a known index. */
	if ((ifp = iface_find_index(l->ifindex)) != NULL &&
	    (ev == NETLINK_DEL || strcmp(ifp->name, l->name) != 0))
		link_gone(ifp);
	if (ev != NETLINK_DEL && (ifp = iface_find_name(l->name)) != NULL)
		link_update(ifp, l);
}

void
iface_addr_event(enum netlink_event ev, const struct netlink_addr *a, void *arg)
{
	struct iface *ifp;

	if ((ifp = iface_find_index(a->ifindex)) != NULL) {
		log_debug(DBG_IFACE, "iface %s: address event %d", ifp->name, ev);
		addrs_sync(ifp);
		protocols_update(ifp);
	}
}

static struct iface *
iface_new(const struct cfg_iface *cfg)
{
	struct iface *ifp;

	if ((ifp = calloc(1, sizeof(*ifp))) == NULL)
		fatal("iface_new");
	snprintf(ifp->name, sizeof(ifp->name), "%s", cfg->name);
	ifp->cfg = cfg;
	ifp->vif = MRT_VIF_NONE;
	TAILQ_INSERT_TAIL(&ifaces, ifp, entry);
	log_info("iface %s: configured (pim %s, igmp %s)", ifp->name,
	    cfg->pim.enable ? "on" : "off", cfg->igmp.enable ? "on" : "off");
	iface_sync(ifp);
	if (ifp->ifindex == 0)
		log_info("iface %s: not present yet; waiting for it", ifp->name);
	return ifp;
}

/*
 * Out of the list first: while the protocols let go of the interface,
 * nothing may find it again by index or name (routing state would take it
 * as its RPF interface once more and keep the pointer past the free).  The
 * old settings stay readable meanwhile: Join/Prunes still queued go out as
 * PIM stops, with their holdtime.  Both callers free the old config only
 * after this.
 */
static void
iface_free(struct iface *ifp)
{
	TAILQ_REMOVE(&ifaces, ifp, entry);
	ifp->removed = true;
	protocols_update(ifp);
	vif_stop(ifp);
	free(ifp);
}

/*
 * Interfaces only in the old config go, those only in the new one come, and
 * those in both keep their VIF and state and take the new settings.
 */
void
iface_apply_config(const struct config *new)
{
	const struct cfg_iface *c;
	struct iface *ifp, *next;

	for (ifp = TAILQ_FIRST(&ifaces); ifp != NULL; ifp = next) {
		next = TAILQ_NEXT(ifp, entry);
		if (config_iface_find(new, ifp->name) == NULL) {
			log_info("iface %s: no longer configured", ifp->name);
			iface_free(ifp);
		}
	}
	TAILQ_FOREACH(c, &new->ifaces, entry) {
		if ((ifp = iface_find_name(c->name)) == NULL) {
			iface_new(c);
			continue;
		}
		if (!cfg_pim_if_equal(&ifp->cfg->pim, &c->pim))
			log_info("iface %s: PIM settings changed", ifp->name);
		if (!cfg_igmp_if_equal(&ifp->cfg->igmp, &c->igmp))
			log_info("iface %s: IGMP settings changed", ifp->name);
		ifp->cfg = c;
		protocols_update(ifp);
	}
}

void
iface_shutdown(void)
{
	struct iface *ifp;

	while ((ifp = TAILQ_FIRST(&ifaces)) != NULL)
		iface_free(ifp);
	if (register_vif)
		mrt_vif_del(IFACE_REGISTER_VIF);
	register_vif = false;
}
