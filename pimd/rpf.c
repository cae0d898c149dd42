/* SPDX-License-Identifier: ISC */
/*
 * RPF route cache (see rpf.h).
 *
 * One entry per watched target, in a tree ordered by address so that a
 * route change finds the targets it covers as one range of the tree.  An
 * entry lives as long as someone watches it, and also while its watchers
 * are being called, so a callback may drop the last watch safely.
 *
 * A route change never looks anything up by itself: it puts the covered
 * entries on the dirty queue and arms a short timer.  When the timer fires,
 * every dirty entry is looked up once, the changed ones go on the notify
 * queue, and only then are callbacks run, so nothing a callback does can
 * disturb the lookups.
 */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "event.h"
#include "log.h"
#include "rpf.h"
#include "tree.h"

/*
 * How long route changes are gathered before looking up again.  Not
 * restarted by further changes, so a steady stream of them cannot hold RPF
 * back for long.
 */
#define RPF_COALESCE_MS	10

struct rpf_entry {
	RB_ENTRY(rpf_entry) node;
	struct rpf	rpf;
	unsigned	refs;		/* watches, +1 while calling them */
	TAILQ_HEAD(, rpf_watch) watches;
	struct rpf_watch *cursor;	/* next watch to call, while calling */
	bool		dirty;		/* on dirtyq: look up again */
	bool		notify;		/* on notifyq: changed, call watchers */
	TAILQ_ENTRY(rpf_entry) dirty_q;
	TAILQ_ENTRY(rpf_entry) notify_q;
};

RB_HEAD(rpf_tree, rpf_entry);
TAILQ_HEAD(rpf_queue, rpf_entry);

static struct rpf_tree cache = RB_INITIALIZER(&cache);
static struct rpf_queue dirtyq = TAILQ_HEAD_INITIALIZER(dirtyq);
static struct rpf_queue notifyq = TAILQ_HEAD_INITIALIZER(notifyq);
static struct timer resolve_timer;
static bool timer_ready;
static uint32_t generation;

static uint32_t
host(struct in_addr a)
{
	return ntohl(a.s_addr);
}

static int
entry_cmp(const struct rpf_entry *a, const struct rpf_entry *b)
{
	uint32_t x = host(a->rpf.target), y = host(b->rpf.target);

	return x < y ? -1 : x > y;
}

RB_GENERATE_STATIC_(rpf_tree, rpf_entry, node, entry_cmp)

/* ---- looking up ---------------------------------------------------------- */

/* RFC 7761 §4.6 metric_preference by route protocol; see struct rpf. */
static uint32_t
protocol_preference(uint8_t protocol)
{
	switch (protocol) {
	case RTPROT_KERNEL:
		return 0;
	case RTPROT_BOOT:
	case RTPROT_STATIC:
		return 1;
	case RTPROT_BGP:
		return 20;
	case RTPROT_OSPF:
		return 110;
	case RTPROT_ISIS:
		return 115;
	case RTPROT_RIP:
		return 120;
	default:
		return 200;
	}
}

/*
 * Turn the kernel's answer into struct rpf.  A local route means the target
 * is ours.  Anything but a unicast route with an interface (broadcast,
 * multicast, or a route without a nexthop device) cannot lead upstream.
 */
static void
rpf_from_route(struct rpf *p, const struct netlink_route *r)
{
	bool local = r->type == RTN_LOCAL;

	if (!local && (r->type != RTN_UNICAST || r->ifindex <= 0))
		return;
	p->valid = true;
	p->local = local;
	p->prefix = r->dst;
	p->prefixlen = r->prefixlen;
	if (local)
		return;
	p->ifindex = r->ifindex;
	p->nexthop = r->gateway.s_addr != htonl(INADDR_ANY) ? r->gateway : p->target;
	p->metric = r->metric;
	p->preference = protocol_preference(r->protocol);
}

static struct rpf
rpf_lookup(struct in_addr target)
{
	struct rpf p = { .target = target };
	struct netlink_route r;

	if (netlink_route_lookup(target, &r) == 0)
		rpf_from_route(&p, &r);
	return p;
}

/* What watchers care about; the matched prefix alone is not a change. */
static bool
rpf_differs(const struct rpf *a, const struct rpf *b)
{
	return a->valid != b->valid || a->local != b->local ||
	    a->ifindex != b->ifindex || a->nexthop.s_addr != b->nexthop.s_addr ||
	    a->metric != b->metric || a->preference != b->preference;
}

static const char *
rpf_describe(const struct rpf *p, char *buf, size_t len)
{
	char nh[INET_ADDRSTRLEN];
	struct netlink_link link;
	char ifname[IF_NAMESIZE + 16];

	if (!p->valid)
		return "unreachable";
	if (p->local)
		return "local";
	if (netlink_link_by_index(p->ifindex, &link) == 0)
		snprintf(ifname, sizeof(ifname), "%s", link.name);
	else
		snprintf(ifname, sizeof(ifname), "ifindex %d", p->ifindex);
	if (p->nexthop.s_addr == p->target.s_addr)
		snprintf(buf, len, "connected on %s", ifname);
	else
		snprintf(buf, len, "via %s on %s",
		    inet_ntop(AF_INET, &p->nexthop, nh, sizeof(nh)), ifname);
	snprintf(buf + strlen(buf), len - strlen(buf),
	    " pref %u metric %u", p->preference, p->metric);
	return buf;
}

/* Look the entry up again; true (and logged) when watchers must hear of it. */
static bool
entry_resolve(struct rpf_entry *e)
{
	struct rpf new = rpf_lookup(e->rpf.target);
	char t[INET_ADDRSTRLEN], a[128], b[128];
	bool changed = rpf_differs(&e->rpf, &new);

	if (changed)
		log_info("rpf: %s %s (was %s)",
		    inet_ntop(AF_INET, &new.target, t, sizeof(t)),
		    rpf_describe(&new, a, sizeof(a)),
		    rpf_describe(&e->rpf, b, sizeof(b)));
	e->rpf = new;
	return changed;
}

/* ---- entries ------------------------------------------------------------- */

static struct rpf_entry *
entry_get(struct in_addr target)
{
	struct rpf_entry key = { .rpf.target = target }, *e;

	if ((e = RB_FIND(rpf_tree, &cache, &key)) != NULL)
		return e;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		fatal("rpf: out of memory");
	e->rpf = rpf_lookup(target);
	TAILQ_INIT(&e->watches);
	RB_INSERT(rpf_tree, &cache, e);
	return e;
}

static void
entry_unref(struct rpf_entry *e)
{
	if (--e->refs > 0)
		return;
	if (e->dirty)
		TAILQ_REMOVE(&dirtyq, e, dirty_q);
	if (e->notify)
		TAILQ_REMOVE(&notifyq, e, notify_q);
	RB_REMOVE(rpf_tree, &cache, e);
	free(e);
}

/*
 * Call every watcher of a changed entry.  The cursor is the next watch to
 * call, so a callback that unwatches that one moves it on (rpf_unwatch());
 * new watches go in at the head, behind the cursor, and are not called:
 * they read the new value when they are made.
 */
static void
entry_notify(struct rpf_entry *e)
{
	struct rpf_watch *w;

	e->refs++;
	for (w = TAILQ_FIRST(&e->watches); w != NULL; w = e->cursor) {
		e->cursor = TAILQ_NEXT(w, entry);
		w->cb(&e->rpf, w);
	}
	entry_unref(e);
}

static void
resolve_dirty(void *arg)
{
	struct rpf_entry *e;

	while ((e = TAILQ_FIRST(&dirtyq)) != NULL) {
		TAILQ_REMOVE(&dirtyq, e, dirty_q);
		e->dirty = false;
		if (entry_resolve(e) && !e->notify) {
			TAILQ_INSERT_TAIL(&notifyq, e, notify_q);
			e->notify = true;
		}
	}
	while ((e = TAILQ_FIRST(&notifyq)) != NULL) {
		TAILQ_REMOVE(&notifyq, e, notify_q);
		e->notify = false;
		entry_notify(e);
	}
}

static void
entry_mark_dirty(struct rpf_entry *e)
{
	if (e->dirty)
		return;
	TAILQ_INSERT_TAIL(&dirtyq, e, dirty_q);
	e->dirty = true;
	if (!timer_ready) {
		timer_init(&resolve_timer, resolve_dirty, NULL);
		timer_ready = true;
	}
	if (!timer_pending(&resolve_timer))
		timer_start(&resolve_timer, RPF_COALESCE_MS);
}

/* ---- the API ------------------------------------------------------------- */

void
rpf_watch(struct rpf_watch *w, struct in_addr target,
    void (*cb)(const struct rpf *, struct rpf_watch *))
{
	w->e = entry_get(target);
	w->cb = cb;
	TAILQ_INSERT_HEAD(&w->e->watches, w, entry);
	w->e->refs++;
}

const struct rpf *
rpf_get(const struct rpf_watch *w)
{
	return w->e != NULL ? &w->e->rpf : NULL;
}

void
rpf_unwatch(struct rpf_watch *w)
{
	struct rpf_entry *e = w->e;

	if (e == NULL)
		return;
	if (e->cursor == w)
		e->cursor = TAILQ_NEXT(w, entry);
	TAILQ_REMOVE(&e->watches, w, entry);
	w->e = NULL;
	entry_unref(e);
}

/*
 * The kernel's answer for a target can only change with a route whose
 * prefix contains the target: the covered targets are the tree's range
 * [dst, dst | ~mask].
 */
void
rpf_route_event(enum netlink_event ev, struct in_addr dst, uint8_t prefixlen,
    void *arg)
{
	uint32_t mask = prefixlen == 0 ? 0 :
	    prefixlen >= 32 ? 0xffffffffu : 0xffffffffu << (32 - prefixlen);
	uint32_t lo = host(dst) & mask, hi = lo | ~mask;
	struct rpf_entry key = { .rpf.target.s_addr = htonl(lo) }, *e;

	generation++;
	for (e = RB_NFIND(rpf_tree, &cache, &key);
	    e != NULL && host(e->rpf.target) <= hi;
	    e = RB_NEXT(rpf_tree, &cache, e))
		entry_mark_dirty(e);
}

uint32_t
rpf_generation(void)
{
	return generation;
}

void
rpf_fini(void)
{
	struct rpf_entry *e;

	if (timer_ready)
		timer_free(&resolve_timer);
	timer_ready = false;
	TAILQ_INIT(&dirtyq);
	TAILQ_INIT(&notifyq);
	while ((e = RB_MIN(rpf_tree, &cache)) != NULL) {
		RB_REMOVE(rpf_tree, &cache, e);
		free(e);
	}
}
