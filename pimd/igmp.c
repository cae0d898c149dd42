/* SPDX-License-Identifier: ISC */
/*
 * IGMP on LAN interfaces: the querier (RFC 3376 §6.1, §6.6.2; RFC 2236 §3),
 * the receive path and query sending.
 *
 * Packets come from the mroute socket, which the kernel hands every IGMP
 * packet a multicast router must see (Router Alert, and the groups
 * 224.0.0.22 and 224.0.0.2 we join per interface).  igmp_input checks the
 * IP header, the message and where it came from, counts and drops what is
 * wrong, then dispatches on the type.  Queries go out on a separate raw
 * socket that carries the Router Alert option and reads nothing.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "iface.h"
#include "igmp.h"
#include "pimd.h"
#include "rawsock.h"
#include "rp.h"

#define IGMP_ALL_HOSTS		"224.0.0.1"
#define IGMP_ALL_ROUTERS	"224.0.0.2"
#define IGMP_V3_ROUTERS		"224.0.0.22"
#define IGMP_MAX_PKT		(12 + 4 * 366)	/* one Ethernet frame of sources */

static int send_fd = -1;
static void (*listener)(struct iface *, struct in_addr);

/* The names of the drop counters in yang/pimd.yang, and of the log lines. */
static const char *const drop_names[IGMP_DROP_MAX] = {
	[IGMP_DROP_DECODE] = "malformed",
	[IGMP_DROP_TTL] = "ttl-not-1",
	[IGMP_DROP_ROUTER_ALERT] = "no-router-alert",
	[IGMP_DROP_SUBNET] = "source-off-subnet",
	[IGMP_DROP_LINK_LOCAL] = "link-local-group",
	[IGMP_DROP_VERSION] = "version-mismatch",
	[IGMP_DROP_MAX_GROUPS] = "max-groups",
	[IGMP_DROP_SSM_EXCLUDE] = "ssm-exclude",
};

const char *
igmp_drop_name(enum igmp_drop d)
{
	return d < IGMP_DROP_MAX ? drop_names[d] : "?";
}

static struct in_addr
inaddr(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a;
}

static const char *
ntoa(struct in_addr a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

uint32_t
igmp_oqpi_ms(const struct igmp_params *p)
{
	return p->robustness * p->qi_s * 1000 + p->qri_ds * 50;
}

static void
params_from_cfg(struct igmp_params *p, const struct cfg_igmp_if *c)
{
	p->version = c->version;
	p->robustness = c->robustness;
	p->qi_s = c->query_interval;
	p->qri_ds = c->query_response_interval;
	p->lmqi_ds = c->last_member_query_interval;
	p->lmqc = c->last_member_query_count;
	p->max_groups = c->max_groups;
}

/* ---- sending ------------------------------------------------------------ */

static void
send_query(struct igmp_if *igi, struct in_addr dst, struct in_addr grp,
    uint32_t max_resp_ds, const struct in_addr *srcs, unsigned nsrc, bool s_flag)
{
	uint8_t buf[IGMP_MAX_PKT];
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	size_t len;

	/* An IGMPv2 query cannot name sources; v2 hosts answer Q(G) instead. */
	if (igi->p.version == 2 && nsrc > 0)
		return;
	do {
		unsigned n = nsrc > 366 ? 366 : nsrc;

		len = igmp_encode_query(buf, igi->p.version, grp, max_resp_ds,
		    s_flag, igi->p.robustness, igi->p.qi_s, srcs, (uint16_t)n);
		if (raw_send(send_fd, igi->ifp->ifindex, igi->addr, dst, buf, len, 1) < 0)
			log_warn("igmp %s: send query for %s", igi->ifp->name,
			    ntoa(grp, a));
		log_debug(DBG_IGMP, "%s: sent v%u query to %s group %s, %u sources%s",
		    igi->ifp->name, igi->p.version, ntoa(dst, a), ntoa(grp, b), n,
		    s_flag ? " (S)" : "");
		if (n > 0)
			srcs += n;
		nsrc -= n;
	} while (nsrc > 0);
}

static void
send_general(struct igmp_if *igi)
{
	igi->cnt.tx_general++;
	send_query(igi, inaddr(IGMP_ALL_HOSTS), (struct in_addr){ 0 },
	    igi->p.qri_ds, NULL, 0, false);
}

/* Called by igmp_group.c for Q(G) and Q(G,S); sent to the group (RFC 3376 §4.1.12). */
void
igmp_send_query(void *owner, struct in_addr grp, const struct in_addr *srcs,
    unsigned nsrc, bool s_flag)
{
	struct igmp_if *igi = owner;

	if (nsrc == 0)
		igi->cnt.tx_group++;
	else
		igi->cnt.tx_group_source++;
	send_query(igi, grp, grp, igi->p.lmqi_ds, srcs, nsrc, s_flag);
}

/* ---- querier (RFC 3376 §6.1, §6.6.2) -------------------------------------- */

static void
gq_expired(void *arg)
{
	struct igmp_if *igi = arg;
	const struct cfg_igmp_if *c = &igi->ifp->cfg->igmp;

	send_general(igi);
	if (igi->startup_left > 0) {
		igi->startup_left--;
		timer_start(&igi->gq_timer, c->startup_query_interval * 1000);
	} else
		timer_start(&igi->gq_timer, igi->p.qi_s * 1000);
}

static void
become_querier(struct igmp_if *igi, bool startup)
{
	const struct cfg_igmp_if *c = &igi->ifp->cfg->igmp;

	igi->querier = igi->groups.querier = true;
	igi->querier_addr = igi->addr;
	igi->querier_version = igi->p.version;
	/* Our own robustness and interval again, not the old querier's. */
	params_from_cfg(&igi->p, c);
	timer_stop(&igi->oqp_timer);
	igi->startup_left = startup ? c->startup_query_count - 1 : 0;
	gq_expired(igi);
}

static void
oqp_expired(void *arg)
{
	struct igmp_if *igi = arg;
	char a[INET_ADDRSTRLEN];

	log_info("igmp %s: querier %s not heard for the other querier present "
	    "interval; taking over", igi->ifp->name, ntoa(igi->querier_addr, a));
	become_querier(igi, false);
}

static void
recv_query(struct igmp_if *igi, struct in_addr src, const struct igmp_query *q)
{
	char a[INET_ADDRSTRLEN];
	struct in_addr *srcs = NULL;

	igi->cnt.rx_query[q->version]++;
	/*
	 * §7.3: every router of a link must run its lowest version, which only
	 * the operator can assure; a query of another version is still used
	 * for the election and the timers, with a warning.
	 */
	if (q->version != igi->p.version)
		log_warnx_rl("igmp %s: router %s sends IGMPv%u queries, this "
		    "interface runs v%u: configure v%u on every router of the "
		    "link (RFC 3376 §7.3)", igi->ifp->name, ntoa(src, a),
		    q->version, igi->p.version,
		    q->version < igi->p.version ? q->version : igi->p.version);
	/* §6.6.2: the lowest address is querier. */
	if (ntohl(src.s_addr) < ntohl(igi->addr.s_addr)) {
		if (igi->querier || igi->querier_addr.s_addr != src.s_addr)
			log_info("igmp %s: %s has the lower address: it is querier",
			    igi->ifp->name, ntoa(src, a));
		igi->querier = igi->groups.querier = false;
		igi->querier_addr = src;
		igi->querier_version = q->version;
		igi->startup_left = 0;
		timer_stop(&igi->gq_timer);
		/* §4.1.6, §4.1.7: non-queriers take the querier's QRV and QQI. */
		if (q->version == 3 && q->qrv != 0)
			igi->p.robustness = q->qrv;
		if (q->version == 3 && q->qqi != 0)
			igi->p.qi_s = q->qqi;
		timer_start(&igi->oqp_timer, igmp_oqpi_ms(&igi->p));
	}
	/* §6.6.1: a specific query without the S flag lowers the timers. */
	if (q->group.s_addr == INADDR_ANY || q->s_flag)
		return;
	if (q->nsrc > 0 && (srcs = calloc(q->nsrc, sizeof(*srcs))) == NULL)
		fatal("igmp: query sources");
	for (unsigned i = 0; i < q->nsrc; i++)
		srcs[i] = igmp_src(q->srcs, i);
	igmp_group_query(&igi->groups, q->group, srcs, q->nsrc);
	free(srcs);
}

/* ---- reports ------------------------------------------------------------ */

static bool
link_local(struct in_addr grp)
{
	return (ntohl(grp.s_addr) & 0xffffff00) == 0xe0000000;
}

static void
drop(struct igmp_if *igi, enum igmp_drop why, struct in_addr src, const char *detail)
{
	char a[INET_ADDRSTRLEN];

	igi->cnt.drop[why]++;
	log_warnx_rl("igmp %s: dropped a message from %s: %s%s%s", igi->ifp->name,
	    ntoa(src, a), igmp_drop_name(why), detail ? ": " : "",
	    detail ? detail : "");
}

static void
record(struct igmp_if *igi, struct in_addr src, struct in_addr grp,
    enum igmp_rec_type type, const struct in_addr *srcs, unsigned nsrc,
    uint8_t version)
{
	unsigned limited = igi->groups.limit_drops;
	char a[INET_ADDRSTRLEN];

	/* Routers report 224.0.0.13 and 224.0.0.22 all the time: count, don't warn. */
	if (link_local(grp)) {
		igi->cnt.drop[IGMP_DROP_LINK_LOCAL]++;
		log_debug(DBG_IGMP, "%s: ignored a report for link-local %s",
		    igi->ifp->name, ntoa(grp, a));
		return;
	}
	/* RFC 4604 §2.2.1: in the SSM range only INCLUDE-mode (S,G) interest counts. */
	if ((type == IGMP_MODE_IS_EXCLUDE || type == IGMP_CHANGE_TO_EXCLUDE) &&
	    rp_in_ssm(grp)) {
		drop(igi, IGMP_DROP_SSM_EXCLUDE, src, ntoa(grp, a));
		return;
	}
	igmp_group_record(&igi->groups, grp, type, srcs, nsrc, src, version);
	if (igi->groups.limit_drops != limited)
		drop(igi, IGMP_DROP_MAX_GROUPS, src, NULL);
}

static void
recv_v3_report(struct igmp_if *igi, struct in_addr src, const struct igmp_msg *m)
{
	struct igmp_record r;
	size_t off = 0;

	if (igi->p.version == 2) {
		drop(igi, IGMP_DROP_VERSION, src, "IGMPv3 report");
		return;
	}
	while (igmp_next_record(m, &off, &r)) {
		struct in_addr *srcs = NULL;

		if (r.nsrc > 0 && (srcs = calloc(r.nsrc, sizeof(*srcs))) == NULL)
			fatal("igmp: record sources");
		for (unsigned i = 0; i < r.nsrc; i++)
			srcs[i] = igmp_src(r.srcs, i);
		record(igi, src, r.group, r.type, srcs, r.nsrc, 3);
		free(srcs);
	}
}

static void
recv_leave(struct igmp_if *igi, struct in_addr src, struct in_addr grp)
{
	struct igmp_group *g = igmp_group_find(&igi->groups, grp);

	/* §7.3.2: with IGMPv1 hosts about, leaves are ignored. */
	if (g == NULL || igmp_group_compat(g) == 1)
		return;
	record(igi, src, grp, IGMP_CHANGE_TO_INCLUDE, NULL, 0, 0);
}

/* ---- receive path --------------------------------------------------------- */

/* The checks every message passes before it is acted on. */
static bool
accept_from(struct igmp_if *igi, const struct raw_rx *rx, const struct igmp_msg *m)
{
	char a[16];

	if (rx->ttl != 1) {
		snprintf(a, sizeof(a), "TTL %u", rx->ttl);
		drop(igi, IGMP_DROP_TTL, rx->src, a);
		return false;
	}
	if (!rx->router_alert && igi->ifp->cfg->igmp.require_router_alert) {
		drop(igi, IGMP_DROP_ROUTER_ALERT, rx->src, NULL);
		return false;
	}
	/* Reports may come from 0.0.0.0 (RFC 3376 §4.2.13); queries may not. */
	if (rx->src.s_addr == INADDR_ANY ? m->type == IGMP_MEMBERSHIP_QUERY :
	    !iface_on_link(igi->ifp, rx->src)) {
		drop(igi, IGMP_DROP_SUBNET, rx->src, NULL);
		return false;
	}
	return true;
}

void
igmp_input(const uint8_t *pkt, size_t len, int ifindex, void *arg)
{
	struct iface *ifp = iface_find_index(ifindex);
	struct igmp_if *igi;
	struct igmp_msg m;
	struct raw_rx rx;
	enum igmp_err e;

	if (ifp == NULL || (igi = ifp->igmp) == NULL)
		return;		/* not an IGMP interface of ours */
	if (raw_parse_ip(pkt, len, &rx) < 0) {
		igi->cnt.decode[IGMP_ERR_SHORT]++;
		drop(igi, IGMP_DROP_DECODE, (struct in_addr){ 0 }, "bad IP header");
		return;
	}
	if (rx.src.s_addr == igi->addr.s_addr)
		return;		/* our own query, looped back */
	if ((e = igmp_decode(rx.payload, rx.len, &m)) != IGMP_OK) {
		igi->cnt.decode[e]++;
		drop(igi, IGMP_DROP_DECODE, rx.src, igmp_err_name(e));
		return;
	}
	if (!accept_from(igi, &rx, &m))
		return;
	switch (m.type) {
	case IGMP_MEMBERSHIP_QUERY:
		recv_query(igi, rx.src, &m.u.query);
		break;
	case IGMP_V1_REPORT:
		igi->cnt.rx_report[1]++;
		record(igi, rx.src, m.u.group, IGMP_MODE_IS_EXCLUDE, NULL, 0, 1);
		break;
	case IGMP_V2_REPORT:
		igi->cnt.rx_report[2]++;
		record(igi, rx.src, m.u.group, IGMP_MODE_IS_EXCLUDE, NULL, 0, 2);
		break;
	case IGMP_V2_LEAVE:
		igi->cnt.rx_leave++;
		recv_leave(igi, rx.src, m.u.group);
		break;
	case IGMP_V3_REPORT:
		igi->cnt.rx_report[3]++;
		recv_v3_report(igi, rx.src, &m);
		break;
	}
}

/* ---- membership, as the routing side sees it ------------------------------ */

void
igmp_group_changed(void *owner, const struct igmp_group *g, bool deleted)
{
	struct igmp_if *igi = owner;
	char a[INET_ADDRSTRLEN];

	log_debug(DBG_IGMP, "%s: group %s %s, %u sources", igi->ifp->name,
	    ntoa(g->addr, a), deleted ? "gone" :
	    g->mode == IGMP_FILTER_INCLUDE ? "INCLUDE" : "EXCLUDE", g->nsrc);
	if (listener != NULL)
		listener(igi->ifp, g->addr);
}

void
igmp_set_listener(void (*fn)(struct iface *, struct in_addr))
{
	listener = fn;
}

void
igmp_replay(struct iface *ifp)
{
	struct igmp_group *g;

	if (ifp->igmp == NULL || listener == NULL)
		return;
	RB_FOREACH(g, igmp_group_tree, &ifp->igmp->groups.groups)
		listener(ifp, g->addr);
}

bool
igmp_local_include(const struct iface *ifp, struct in_addr src, struct in_addr grp)
{
	struct igmp_group *g;

	if (ifp->igmp == NULL || (g = igmp_group_find(&ifp->igmp->groups, grp)) == NULL)
		return false;
	if (src.s_addr == INADDR_ANY)
		return g->mode == IGMP_FILTER_EXCLUDE;
	return g->mode == IGMP_FILTER_INCLUDE && igmp_group_forwards(g, src);
}

bool
igmp_local_exclude(const struct iface *ifp, struct in_addr src, struct in_addr grp)
{
	struct igmp_group *g;

	if (ifp->igmp == NULL || (g = igmp_group_find(&ifp->igmp->groups, grp)) == NULL)
		return false;
	return g->mode == IGMP_FILTER_EXCLUDE && !igmp_group_forwards(g, src);
}

/* ---- interfaces ------------------------------------------------------------ */

static void
memberships(struct iface *ifp, bool join)
{
	const char *groups[] = { IGMP_V3_ROUTERS, IGMP_ALL_ROUTERS };

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (join)
			raw_join(send_fd, ifp->ifindex, inaddr(groups[i]));
		else
			raw_leave(send_fd, ifp->ifindex, inaddr(groups[i]));
}

static void
igmp_start(struct iface *ifp)
{
	struct igmp_if *igi;
	char a[INET_ADDRSTRLEN];

	if ((igi = calloc(1, sizeof(*igi))) == NULL)
		fatal("igmp_start");
	igi->ifp = ifp;
	igi->addr = ifp->primary;
	igi->started = clock_ms();
	params_from_cfg(&igi->p, &ifp->cfg->igmp);
	igmp_groups_init(&igi->groups, &igi->p, igi);
	timer_init(&igi->gq_timer, gq_expired, igi);
	timer_init(&igi->oqp_timer, oqp_expired, igi);
	ifp->igmp = igi;
	memberships(ifp, true);
	log_info("igmp %s: IGMPv%u on %s, querier until a lower address is heard",
	    ifp->name, igi->p.version, ntoa(igi->addr, a));
	become_querier(igi, true);
}

static void
igmp_stop(struct iface *ifp)
{
	struct igmp_if *igi = ifp->igmp;

	igmp_groups_flush(&igi->groups);
	timer_free(&igi->gq_timer);
	timer_free(&igi->oqp_timer);
	if (ifp->ifindex != 0)
		memberships(ifp, false);
	ifp->igmp = NULL;
	free(igi);
	log_info("igmp %s: stopped", ifp->name);
}

void
igmp_iface_update(struct iface *ifp)
{
	bool want = !ifp->removed && ifp->cfg->igmp.enable &&
	    iface_oper(ifp) == IFACE_UP && ifp->primary.s_addr != INADDR_ANY &&
	    send_fd >= 0;
	struct igmp_if *igi = ifp->igmp;

	if (igi != NULL && (!want || igi->p.version != ifp->cfg->igmp.version ||
	    igi->addr.s_addr != ifp->primary.s_addr))
		igmp_stop(ifp);		/* a new version or address starts afresh */
	else if (igi != NULL) {
		/* New timers take effect now as querier, or when we become it. */
		if (igi->querier)
			params_from_cfg(&igi->p, &ifp->cfg->igmp);
		igi->p.max_groups = ifp->cfg->igmp.max_groups;
		return;
	}
	if (want && ifp->igmp == NULL)
		igmp_start(ifp);
}

int
igmp_init(void)
{
	if ((send_fd = raw_open(IPPROTO_IGMP, true)) < 0)
		return -1;
	/* This socket only sends: IGMP is read from the mroute socket. */
	if (raw_sendonly(send_fd) < 0)
		log_warn("igmp: cannot make the send socket send-only");
	return 0;
}

void
igmp_fini(void)
{
	struct iface *ifp;

	TAILQ_FOREACH(ifp, &ifaces, entry)
		if (ifp->igmp != NULL)
			igmp_stop(ifp);
	if (send_fd >= 0)
		close(send_fd);
	send_fd = -1;
}
