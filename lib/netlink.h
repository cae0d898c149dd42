/* SPDX-License-Identifier: ISC */
/*
 * Links, IPv4 addresses and unicast routes from the kernel, through libnl-3.
 *
 * netlink_init() fills link and address caches and replays what exists as
 * NETLINK_NEW events, then reports every change as it arrives on the event
 * loop.  Route lookups ask the kernel's FIB (RTM_GETROUTE), so policy rules
 * and multipath behave as they do for forwarding; any IPv4 unicast route
 * change is reported so RPF users can look again.
 */
#ifndef LIB_NETLINK_H
#define LIB_NETLINK_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

enum netlink_event { NETLINK_NEW, NETLINK_CHANGE, NETLINK_DEL };

struct netlink_link {
	int		ifindex;
	char		name[IF_NAMESIZE];
	unsigned	flags;		/* IFF_* */
	unsigned	mtu;
	bool		up;		/* IFF_UP: administratively up */
	bool		running;	/* IFF_RUNNING: carrier, operationally up */
};

struct netlink_addr {
	int		ifindex;
	struct in_addr	addr;		/* local address */
	uint8_t		prefixlen;
	bool		secondary;	/* IFA_F_SECONDARY */
};

struct netlink_route {
	struct in_addr	dst;		/* matched prefix */
	uint8_t		prefixlen;
	struct in_addr	gateway;	/* INADDR_ANY when directly connected */
	struct in_addr	prefsrc;	/* INADDR_ANY when the route has none */
	int		ifindex;
	uint32_t	metric;		/* RTA_PRIORITY */
	uint8_t		protocol;	/* RTPROT_* */
	uint8_t		type;		/* RTN_UNICAST, RTN_LOCAL, ... */
	uint32_t	table;
};

struct netlink_handlers {
	void	(*link)(enum netlink_event, const struct netlink_link *, void *arg);
	void	(*addr)(enum netlink_event, const struct netlink_addr *, void *arg);
	/* An IPv4 unicast route to dst/prefixlen was added, changed or removed. */
	void	(*route)(enum netlink_event, struct in_addr dst, uint8_t prefixlen, void *arg);
	void	*arg;
};

int	netlink_init(const struct netlink_handlers *h);	/* 0, or -1 with errno */
void	netlink_fini(void);

int	netlink_link_by_name(const char *name, struct netlink_link *out);	/* 0 or -1 */
int	netlink_link_by_index(int ifindex, struct netlink_link *out);
/* Calls fn for every IPv4 address of ifindex (0: all); returns how many. */
int	netlink_addr_foreach(int ifindex,
	    void (*fn)(const struct netlink_addr *, void *arg), void *arg);
/* The kernel's route to dst from the main lookup: 0, or -1 with errno (ENETUNREACH). */
int	netlink_route_lookup(struct in_addr dst, struct netlink_route *out);

#endif
