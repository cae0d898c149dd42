/* SPDX-License-Identifier: ISC */
/*
 * RPF: the unicast route toward a target (an RP or a source), which RFC 7761
 * §4.5's RPF'(*,G) and RPF'(S,G) and §4.6's assert metrics build on.
 *
 * The answer is the kernel's FIB (netlink_route_lookup(), `ip route get`),
 * cached per target and shared by everyone who watches that target.  Route
 * changes (rpf_route_event(), the netlink route handler) mark the targets
 * they cover; a short timer then looks them all up again in one pass, so a
 * burst of route changes costs one lookup per target, and each watcher of a
 * target whose answer changed is called.
 */
#ifndef PIMD_RPF_H
#define PIMD_RPF_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "netlink.h"

/*
 * What RPF needs of the route to target.
 *
 *  - valid, !local: ifindex is the RPF interface and nexthop the upstream
 *    (MRIB.next_hop): the gateway, or the target itself when directly
 *    connected.
 *  - valid, local: the target is one of this router's addresses (this
 *    router is the RP, or the source is local).  There is no upstream and
 *    no RPF interface (RFC 7761 leaves RPF toward oneself undefined; the RP
 *    is the root of the RP tree and receives through the register VIF):
 *    ifindex 0, nexthop INADDR_ANY, metric and preference 0.
 *  - !valid: no usable route (none, unreachable, prohibit, blackhole, or the
 *    lookup failed); every other field but target is zero.
 */
struct rpf {
	struct in_addr	target;
	bool		valid;
	bool		local;
	int		ifindex;
	struct in_addr	nexthop;
	uint32_t	metric;		/* the route's metric (RTA_PRIORITY) */
	/*
	 * RFC 7761 §4.6 metric_preference, from the protocol that installed
	 * the route, so routers compare like with like in an Assert:
	 * connected (kernel) 0, static (static, boot) 1, then the usual
	 * administrative distances: BGP 20, OSPF 110, IS-IS 115, RIP 120,
	 * and 200 for any other protocol (DHCP, RA, Babel, unknown ...).
	 */
	uint32_t	preference;
	struct in_addr	prefix;		/* the FIB entry that matched */
	uint8_t		prefixlen;
};

struct rpf_entry;

/*
 * A watch on the route to a target.  The watcher embeds it (there is one
 * per routing entry: a separate allocation would cost more than the
 * watch) and finds itself from it in the callback; the fields are rpf.c's.
 * All zeros is a watch on nothing.
 */
struct rpf_watch {
	TAILQ_ENTRY(rpf_watch) entry;
	struct rpf_entry *e;		/* NULL: watching nothing */
	void		(*cb)(const struct rpf *, struct rpf_watch *);
};

/*
 * Watch the route to target (w watching nothing): looked up now if no one
 * watches it yet, read with rpf_get().  cb is called whenever valid, local,
 * ifindex, nexthop, metric or preference change, never from inside
 * rpf_watch() or rpf_unwatch().  A callback may watch and unwatch freely,
 * itself included; a watch made during a round of callbacks is not called
 * in that round.
 */
void	rpf_watch(struct rpf_watch *w, struct in_addr target,
	    void (*cb)(const struct rpf *, struct rpf_watch *));
/* The route; NULL when w watches nothing. */
const struct rpf *rpf_get(const struct rpf_watch *);
/* Stop watching; w then watches nothing (already so: nothing happens). */
void	rpf_unwatch(struct rpf_watch *);

/* struct netlink_handlers.route: dst/prefixlen changed; 0.0.0.0/0: anything. */
void	rpf_route_event(enum netlink_event ev, struct in_addr dst,
	    uint8_t prefixlen, void *arg);

/*
 * Moves on with every route event: an answer netlink_route_lookup() gave
 * while it stays the same still holds (link and address changes that
 * move routes come as route events too).
 */
uint32_t rpf_generation(void);

/* Drop every cache entry, at shutdown: the watches are their watchers', gone by then. */
void	rpf_fini(void);

#endif
