/* SPDX-License-Identifier: ISC */
/*
 * Configured interfaces and their VIFs.  An interface is tracked from the
 * moment it is configured, whether or not the kernel has it yet, and follows
 * the kernel's links and addresses through netlink: it gets a VIF when the
 * link appears and loses it when the link goes away.
 */
#ifndef PIMD_IFACE_H
#define PIMD_IFACE_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "netlink.h"

struct cfg_candidate;
struct cfg_iface;
struct igmp_if;
struct pim_if;
struct config;

#define IFACE_MAX_ADDRS	16

struct iface {
	TAILQ_ENTRY(iface) entry;
	char		name[IF_NAMESIZE];
	const struct cfg_iface *cfg;	/* points into the running config */
	bool		removed;	/* going: out of the config, protocols stop */
	int		ifindex;	/* 0: the kernel has no such link */
	int		vif;		/* MRT_VIF_NONE when none */
	bool		up;		/* IFF_UP */
	bool		running;	/* IFF_RUNNING */
	unsigned	mtu;
	struct in_addr	primary;	/* first primary IPv4 address; 0: none */
	unsigned	naddr;
	struct netlink_addr addrs[IFACE_MAX_ADDRS];
	struct igmp_if	*igmp;		/* NULL while IGMP does not run here */
	struct pim_if	*pim;		/* NULL while PIM does not run here */
};

TAILQ_HEAD(iface_list, iface);
extern struct iface_list ifaces;

enum iface_oper { IFACE_NOT_PRESENT, IFACE_DOWN, IFACE_UP };

/* The register VIF: PIM's pseudo-interface for Register messages (RFC 7761 §4.4). */
#define IFACE_REGISTER_VIF	0

void	iface_init(void);
/* Bring the interface set in line with a new config. */
void	iface_apply_config(const struct config *new);
void	iface_shutdown(void);

struct iface *iface_find_name(const char *name);
struct iface *iface_find_index(int ifindex);
struct iface *iface_find_vif(int vif);
enum iface_oper iface_oper(const struct iface *);
const char *iface_oper_name(enum iface_oper);
/*
 * A candidate's address (RFC 5059): its configured one, or the first primary
 * address of its link, configured here or not; false while it has none.
 */
bool	iface_candidate_addr(const struct cfg_candidate *, struct in_addr *addr);
/* Is addr on one of the interface's subnets? */
bool	iface_on_link(const struct iface *, struct in_addr addr);

/* netlink handlers */
void	iface_link_event(enum netlink_event, const struct netlink_link *, void *);
void	iface_addr_event(enum netlink_event, const struct netlink_addr *, void *);

#endif
