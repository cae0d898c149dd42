/* SPDX-License-Identifier: ISC */
/*
 * Links, IPv4 addresses and unicast route changes from the kernel, through
 * libnl-3.
 *
 * Four netlink sockets:
 *  - the cache manager's, subscribed to link and address notifications; the
 *    manager keeps the route/link and route/addr caches current and calls
 *    link_change() / addr_change() with what differs;
 *  - a route socket subscribed to RTNLGRP_IPV4_ROUTE.  Route notifications
 *    are passed on but not stored: the kernel's FIB is the table, and
 *    netlink_route_lookup() asks it;
 *  - a blocking socket for those RTM_GETROUTE lookups;
 *  - a blocking socket to dump links and addresses again after a
 *    notification socket overran.  It is not the lookup socket because the
 *    handlers called during such a dump may well look routes up.
 *
 * A route report for 0.0.0.0/0 means "anything may have changed, look
 * every route up again": it follows socket overruns, and link changes and
 * address removals, after which the kernel flushes IPv4 routes without
 * sending RTM_DELROUTE.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "event.h"
#include "log.h"
#include "netlink.h"

/* Room for a burst of notifications, e.g. a routing daemon's full table. */
#define NETLINK_RCVBUF	(8 * 1024 * 1024)

static struct {
	bool			 active;
	struct netlink_handlers	 h;
	struct nl_sock		*mngr_sk;	/* ours; the manager reads it */
	struct nl_cache_mngr	*mngr;
	struct nl_cache		*links;		/* owned by the manager */
	struct nl_cache		*addrs;
	struct nl_sock		*route_sk;
	struct nl_sock		*lookup_sk;
	struct nl_sock		*dump_sk;
	struct ev_io		*mngr_io;
	struct ev_io		*route_io;
} nl;

/* What the lookup callbacks found for netlink_route_lookup(). */
struct lookup {
	struct netlink_route	*out;
	int			 error;		/* errno the kernel answered */
	bool			 found;
};

static const char *
ntoa(struct in_addr a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static int
nlerr_errno(int err)
{
	switch (-err) {
	case NLE_NOMEM:		return ENOMEM;
	case NLE_PERM:		return EPERM;
	case NLE_NOACCESS:	return EACCES;
	case NLE_AGAIN:		return EAGAIN;
	case NLE_INVAL:		return EINVAL;
	default:		return EIO;
	}
}

static bool
event_of(int action, enum netlink_event *ev)
{
	switch (action) {
	case NL_ACT_NEW:	*ev = NETLINK_NEW;	return true;
	case NL_ACT_CHANGE:	*ev = NETLINK_CHANGE;	return true;
	case NL_ACT_DEL:	*ev = NETLINK_DEL;	return true;
	default:		return false;
	}
}

static const char *
event_name(enum netlink_event ev)
{
	switch (ev) {
	case NETLINK_NEW:	return "new";
	case NETLINK_CHANGE:	return "change";
	default:		return "del";
	}
}

/* An IPv4 address out of a libnl address; INADDR_ANY for none or another family. */
static struct in_addr
addr4(struct nl_addr *a)
{
	struct in_addr in = { .s_addr = INADDR_ANY };

	if (a != NULL && nl_addr_get_family(a) == AF_INET &&
	    nl_addr_get_len(a) == sizeof(in))
		memcpy(&in, nl_addr_get_binary_addr(a), sizeof(in));
	return in;
}

static void
route_report(enum netlink_event ev, struct in_addr dst, uint8_t prefixlen)
{
	char buf[INET_ADDRSTRLEN];

	log_debug(LOG_SUB_NETLINK, "route %s %s/%u", event_name(ev),
	    ntoa(dst, buf), prefixlen);
	if (nl.h.route != NULL)
		nl.h.route(ev, dst, prefixlen, nl.h.arg);
}

static void
route_report_all(void)
{
	struct in_addr any = { .s_addr = INADDR_ANY };

	route_report(NETLINK_CHANGE, any, 0);
}

/*
 * Links.  The link cache also holds per-family entries (AF_BRIDGE ports,
 * AF_INET6 link info) for the same ifindex; only AF_UNSPEC is the link.
 */
static bool
is_link(struct rtnl_link *l)
{
	return rtnl_link_get_family(l) == AF_UNSPEC;
}

static void
link_fill(struct rtnl_link *l, struct netlink_link *out)
{
	const char *name = rtnl_link_get_name(l);

	memset(out, 0, sizeof(*out));
	out->ifindex = rtnl_link_get_ifindex(l);
	snprintf(out->name, sizeof(out->name), "%s", name != NULL ? name : "");
	out->flags = rtnl_link_get_flags(l);
	out->mtu = rtnl_link_get_mtu(l);
	out->up = (out->flags & IFF_UP) != 0;
	out->running = (out->flags & IFF_RUNNING) != 0;
}

static void
link_change(struct nl_cache *cache, struct nl_object *obj, int action, void *arg)
{
	struct rtnl_link *l = (struct rtnl_link *)obj;
	struct netlink_link link;
	enum netlink_event ev;

	if (!is_link(l) || !event_of(action, &ev))
		return;
	link_fill(l, &link);
	log_debug(LOG_SUB_NETLINK, "link %s %s ifindex %d flags %#x mtu %u%s%s",
	    event_name(ev), link.name, link.ifindex, link.flags, link.mtu,
	    link.up ? " up" : "", link.running ? " running" : "");
	if (nl.h.link != NULL)
		nl.h.link(ev, &link, nl.h.arg);
	/* Down or gone, its routes were flushed without a notification. */
	if (ev != NETLINK_NEW)
		route_report_all();
}

static void
addr_fill(struct rtnl_addr *a, struct netlink_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->ifindex = rtnl_addr_get_ifindex(a);
	out->addr = addr4(rtnl_addr_get_local(a));
	out->prefixlen = rtnl_addr_get_prefixlen(a);
	out->secondary = (rtnl_addr_get_flags(a) & IFA_F_SECONDARY) != 0;
}

static void
addr_change(struct nl_cache *cache, struct nl_object *obj, int action, void *arg)
{
	struct rtnl_addr *a = (struct rtnl_addr *)obj;
	struct netlink_addr addr;
	enum netlink_event ev;
	char buf[INET_ADDRSTRLEN];

	if (rtnl_addr_get_family(a) != AF_INET || !event_of(action, &ev))
		return;
	addr_fill(a, &addr);
	log_debug(LOG_SUB_NETLINK, "address %s %s/%u ifindex %d%s",
	    event_name(ev), ntoa(addr.addr, buf), addr.prefixlen, addr.ifindex,
	    addr.secondary ? " secondary" : "");
	if (nl.h.addr != NULL)
		nl.h.addr(ev, &addr, nl.h.arg);
	/* The last address of a link going takes all its routes along. */
	if (ev == NETLINK_DEL)
		route_report_all();
}

static void
replay_link(struct nl_object *obj, void *arg)
{
	link_change(nl.links, obj, NL_ACT_NEW, arg);
}

static void
replay_addr(struct nl_object *obj, void *arg)
{
	addr_change(nl.addrs, obj, NL_ACT_NEW, arg);
}

/*
 * Notifications were lost (socket overrun, or a message libnl could not
 * take): dump both caches again; libnl diffs the dump against the cache
 * and calls the change functions with what differs.
 */
static void
caches_resync(void)
{
	int err;

	if ((err = nl_cache_resync(nl.dump_sk, nl.links, link_change, NULL)) < 0 ||
	    (err = nl_cache_resync(nl.dump_sk, nl.addrs, addr_change, NULL)) < 0)
		log_warnx("netlink: resynchronising links and addresses: %s",
		    nl_geterror(err));
	route_report_all();
}

/*
 * After an overrun the kernel reports ENOBUFS before the messages queued
 * ahead of the loss.  Those predate the dump we are about to take: applied
 * after it, they would bring back links or addresses that are gone since,
 * so they are dropped unread.
 */
static void
mngr_drain(int fd)
{
	while (recv(fd, NULL, 0, MSG_DONTWAIT | MSG_TRUNC) >= 0 ||
	    errno == ENOBUFS || errno == EINTR)
		;
}

static void
mngr_readable(int fd, void *arg)
{
	int err;

	err = nl_cache_mngr_data_ready(nl.mngr);
	if (err >= 0)
		return;
	/* ENOBUFS (an overrun) shows up as NLE_NOMEM. */
	log_warnx("netlink: link/address notifications lost (%s), "
	    "resynchronising", nl_geterror(err));
	mngr_drain(fd);
	caches_resync();
}

/* Routes that change where unicast traffic, and so RPF, goes. */
static bool
route_matters(struct rtnl_route *r)
{
	if (rtnl_route_get_family(r) != AF_INET ||
	    (rtnl_route_get_flags(r) & RTM_F_CLONED) != 0)
		return false;
	switch (rtnl_route_get_type(r)) {
	case RTN_UNICAST:
	case RTN_UNREACHABLE:
	case RTN_PROHIBIT:
	case RTN_BLACKHOLE:
	case RTN_THROW:
		return true;
	default:
		return false;	/* local, broadcast, multicast, ... */
	}
}

static uint8_t
route_prefixlen(struct rtnl_route *r)
{
	struct nl_addr *dst = rtnl_route_get_dst(r);

	return dst != NULL ? nl_addr_get_prefixlen(dst) : 0;
}

static int
route_msg(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct rtnl_route *r;
	enum netlink_event ev;
	int err;

	if (nlh->nlmsg_type == RTM_NEWROUTE)
		ev = (nlh->nlmsg_flags & NLM_F_REPLACE) ? NETLINK_CHANGE : NETLINK_NEW;
	else if (nlh->nlmsg_type == RTM_DELROUTE)
		ev = NETLINK_DEL;
	else
		return NL_SKIP;

	if ((err = rtnl_route_parse(nlh, &r)) < 0) {
		log_warnx_rl("netlink: route notification: %s", nl_geterror(err));
		route_report_all();	/* some route changed, we can't say which */
		return NL_SKIP;
	}
	if (route_matters(r))
		route_report(ev, addr4(rtnl_route_get_dst(r)), route_prefixlen(r));
	rtnl_route_put(r);
	return NL_OK;
}

static void
route_readable(int fd, void *arg)
{
	int err;

	/* One datagram per call; the event loop calls again while more wait. */
	err = nl_recvmsgs_default(nl.route_sk);
	if (err >= 0 || err == -NLE_AGAIN)
		return;
	log_warnx("netlink: route notifications lost (%s)", nl_geterror(err));
	route_report_all();
}

/* Best effort: beyond net.core.rmem_max needs CAP_NET_ADMIN. */
static void
set_rcvbuf(struct nl_sock *sk)
{
	int size = NETLINK_RCVBUF;
	int err;

	if ((err = nl_socket_set_buffer_size(sk, size, 0)) < 0)
		log_warnx("netlink: receive buffer: %s", nl_geterror(err));
	(void)setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVBUFFORCE,
	    &size, sizeof(size));
}

static int
caches_open(void)
{
	int err;

	if ((nl.mngr_sk = nl_socket_alloc()) == NULL)
		return -NLE_NOMEM;
	/* Connects the socket, makes it non-blocking; NL_AUTO_PROVIDE off. */
	if ((err = nl_cache_mngr_alloc(nl.mngr_sk, NETLINK_ROUTE, 0, &nl.mngr)) < 0)
		return err;
	set_rcvbuf(nl.mngr_sk);
	if ((err = nl_cache_mngr_add(nl.mngr, "route/link", link_change, NULL,
	    &nl.links)) < 0 ||
	    (err = nl_cache_mngr_add(nl.mngr, "route/addr", addr_change, NULL,
	    &nl.addrs)) < 0)
		return err;
	/*
	 * IPv6 notifications would only be filtered out, and could fill the
	 * buffer; the IPv6 entries of the initial dump stay unused.
	 */
	(void)nl_socket_drop_membership(nl.mngr_sk, RTNLGRP_IPV6_IFINFO);
	(void)nl_socket_drop_membership(nl.mngr_sk, RTNLGRP_IPV6_IFADDR);
	return 0;
}

static int
route_sock_open(void)
{
	struct nl_sock *sk;
	int err;

	if ((nl.route_sk = sk = nl_socket_alloc()) == NULL)
		return -NLE_NOMEM;
	/* Notifications carry no sequence numbers of ours. */
	nl_socket_disable_seq_check(sk);
	if ((err = nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, route_msg,
	    NULL)) < 0 ||
	    (err = nl_connect(sk, NETLINK_ROUTE)) < 0 ||
	    (err = nl_socket_set_nonblocking(sk)) < 0 ||
	    (err = nl_socket_add_membership(sk, RTNLGRP_IPV4_ROUTE)) < 0)
		return err;
	set_rcvbuf(sk);
	return 0;
}

static int
sync_sock_open(struct nl_sock **skp)
{
	if ((*skp = nl_socket_alloc()) == NULL)
		return -NLE_NOMEM;
	return nl_connect(*skp, NETLINK_ROUTE);
}

static int
socks_open(void)
{
	int err;

	if ((err = caches_open()) < 0 ||
	    (err = route_sock_open()) < 0 ||
	    (err = sync_sock_open(&nl.lookup_sk)) < 0 ||
	    (err = sync_sock_open(&nl.dump_sk)) < 0)
		return err;
	/* A lookup reads one answer; an ACK after it would be left queued. */
	nl_socket_disable_auto_ack(nl.lookup_sk);
	return 0;
}

int
netlink_init(const struct netlink_handlers *h)
{
	int err;

	if (nl.active) {
		errno = EALREADY;
		return -1;
	}
	if (h != NULL)
		nl.h = *h;
	if ((err = socks_open()) < 0) {
		log_warnx("netlink: %s", nl_geterror(err));
		netlink_fini();
		errno = nlerr_errno(err);
		return -1;
	}
	nl.mngr_io = ev_io_add(nl_cache_mngr_get_fd(nl.mngr), mngr_readable, NULL);
	nl.route_io = ev_io_add(nl_socket_get_fd(nl.route_sk), route_readable, NULL);
	if (nl.mngr_io == NULL || nl.route_io == NULL) {
		err = errno;
		log_warnx("netlink: cannot watch the netlink sockets");
		netlink_fini();
		errno = err != 0 ? err : ENOMEM;
		return -1;
	}
	nl.active = true;
	nl_cache_foreach(nl.links, replay_link, NULL);
	nl_cache_foreach(nl.addrs, replay_addr, NULL);
	return 0;
}

void
netlink_fini(void)
{
	if (nl.mngr_io != NULL)
		ev_io_del(nl.mngr_io);
	if (nl.route_io != NULL)
		ev_io_del(nl.route_io);
	/* Frees the caches and closes, but does not free, our socket. */
	nl_cache_mngr_free(nl.mngr);
	nl_socket_free(nl.mngr_sk);
	nl_socket_free(nl.route_sk);
	nl_socket_free(nl.lookup_sk);
	nl_socket_free(nl.dump_sk);
	memset(&nl, 0, sizeof(nl));
}

int
netlink_link_by_name(const char *name, struct netlink_link *out)
{
	struct nl_object *obj;
	struct rtnl_link *l;
	const char *n;

	if (!nl.active)
		return -1;
	for (obj = nl_cache_get_first(nl.links); obj != NULL;
	    obj = nl_cache_get_next(obj)) {
		l = (struct rtnl_link *)obj;
		n = rtnl_link_get_name(l);
		if (is_link(l) && n != NULL && strcmp(n, name) == 0) {
			link_fill(l, out);
			return 0;
		}
	}
	return -1;
}

int
netlink_link_by_index(int ifindex, struct netlink_link *out)
{
	struct nl_object *obj;
	struct rtnl_link *l;

	if (!nl.active)
		return -1;
	for (obj = nl_cache_get_first(nl.links); obj != NULL;
	    obj = nl_cache_get_next(obj)) {
		l = (struct rtnl_link *)obj;
		if (is_link(l) && rtnl_link_get_ifindex(l) == ifindex) {
			link_fill(l, out);
			return 0;
		}
	}
	return -1;
}

int
netlink_addr_foreach(int ifindex,
    void (*fn)(const struct netlink_addr *, void *arg), void *arg)
{
	struct nl_object *obj;
	struct rtnl_addr *a;
	struct netlink_addr addr;
	int n = 0;

	if (!nl.active)
		return 0;
	for (obj = nl_cache_get_first(nl.addrs); obj != NULL;
	    obj = nl_cache_get_next(obj)) {
		a = (struct rtnl_addr *)obj;
		if (rtnl_addr_get_family(a) != AF_INET ||
		    (ifindex != 0 && rtnl_addr_get_ifindex(a) != ifindex))
			continue;
		addr_fill(a, &addr);
		fn(&addr, arg);
		n++;
	}
	return n;
}

static void
route_fill(struct rtnl_route *r, struct netlink_route *out)
{
	struct rtnl_nexthop *nh = rtnl_route_nexthop_n(r, 0);

	memset(out, 0, sizeof(*out));
	out->dst = addr4(rtnl_route_get_dst(r));
	out->prefixlen = route_prefixlen(r);
	out->prefsrc = addr4(rtnl_route_get_pref_src(r));
	if (nh != NULL) {
		out->gateway = addr4(rtnl_route_nh_get_gateway(nh));
		out->ifindex = rtnl_route_nh_get_ifindex(nh);
	}
	out->metric = rtnl_route_get_priority(r);
	out->protocol = rtnl_route_get_protocol(r);
	out->type = rtnl_route_get_type(r);
	out->table = rtnl_route_get_table(r);
}

static int
lookup_answer(struct nl_msg *msg, void *arg)
{
	struct lookup *lk = arg;
	struct rtnl_route *r;
	int err;

	if (nlmsg_hdr(msg)->nlmsg_type != RTM_NEWROUTE)
		return NL_SKIP;
	if ((err = rtnl_route_parse(nlmsg_hdr(msg), &r)) < 0) {
		log_warnx("netlink: route lookup answer: %s", nl_geterror(err));
		lk->error = EPROTO;
		return NL_STOP;
	}
	route_fill(r, lk->out);
	rtnl_route_put(r);
	lk->found = true;
	return NL_STOP;
}

static int
lookup_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct lookup *lk = arg;

	lk->error = -e->error;
	return NL_STOP;
}

/*
 * RTM_GETROUTE for dst/32 as `ip route get` sends it, policy rules and all.
 * RTM_F_FIB_MATCH (Linux 4.13) makes the kernel answer with the FIB entry
 * that matched, so its prefix, gateway and own preferred source, instead of
 * a /32 result with a source chosen for us; RTM_F_LOOKUP_TABLE has it name
 * the table the entry is in rather than always main.
 */
static int
lookup_send(struct in_addr dst)
{
	struct rtmsg rtm = {
		.rtm_family = AF_INET,
		.rtm_dst_len = 32,
		.rtm_flags = RTM_F_FIB_MATCH | RTM_F_LOOKUP_TABLE,
	};
	struct nl_msg *msg;
	int err;

	if ((msg = nlmsg_alloc_simple(RTM_GETROUTE, 0)) == NULL)
		return -NLE_NOMEM;
	if ((err = nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO)) >= 0 &&
	    (err = nla_put(msg, RTA_DST, sizeof(dst), &dst)) >= 0)
		err = nl_send_auto(nl.lookup_sk, msg);
	nlmsg_free(msg);
	return err;
}

/* Kernel errors meaning "no usable route": unreachable, prohibit, blackhole. */
static int
lookup_errno(int error)
{
	switch (error) {
	case ENETUNREACH:
		return ENETUNREACH;
	case EHOSTUNREACH:
	case EACCES:
	case EINVAL:
		return EHOSTUNREACH;
	default:
		return error;
	}
}

/*
 * Such routes mostly make the kernel answer with an error instead; a route
 * through a blackhole nexthop object is answered with type blackhole.
 */
static bool
type_unreachable(uint8_t type)
{
	return type == RTN_UNREACHABLE || type == RTN_PROHIBIT ||
	    type == RTN_BLACKHOLE || type == RTN_THROW;
}

int
netlink_route_lookup(struct in_addr dst, struct netlink_route *out)
{
	struct lookup lk = { .out = out };
	char buf[INET_ADDRSTRLEN];
	int err;

	if (!nl.active) {
		errno = ENOTCONN;
		return -1;
	}
	if ((err = lookup_send(dst)) >= 0) {
		nl_socket_modify_cb(nl.lookup_sk, NL_CB_VALID, NL_CB_CUSTOM,
		    lookup_answer, &lk);
		nl_socket_modify_err_cb(nl.lookup_sk, NL_CB_CUSTOM, lookup_error, &lk);
		err = nl_recvmsgs_default(nl.lookup_sk);
	}
	if (lk.error != 0) {
		log_debug(LOG_SUB_NETLINK, "route lookup %s: %s", ntoa(dst, buf),
		    strerror(lk.error));
		errno = lookup_errno(lk.error);
		return -1;
	}
	if (err < 0 || !lk.found) {
		log_warnx("netlink: route lookup %s: %s", ntoa(dst, buf),
		    err < 0 ? nl_geterror(err) : "no answer");
		errno = err < 0 ? nlerr_errno(err) : EIO;
		return -1;
	}
	if (type_unreachable(out->type)) {
		errno = EHOSTUNREACH;
		return -1;
	}
	return 0;
}
