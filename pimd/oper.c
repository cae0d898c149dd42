/* SPDX-License-Identifier: ISC */
/*
 * Operational state.  JSON answers are YANG data built under
 * /pimd:pimd/state and printed by libyang, so they always match the model;
 * text answers are aligned tables of the same values.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libyang/libyang.h>

#include "assert.h"
#include "bsr.h"
#include "bsr_crp.h"
#include "config.h"
#include "mrt.h"
#include "event.h"
#include "iface.h"
#include "igmp.h"
#include "nbr.h"
#include "pim.h"
#include "rp.h"
#include "sg.h"
#include "oper.h"
#include "pimd.h"

#define STATE "/pimd:pimd/state"

/* Tree building stops at the first error, which is kept for the answer. */
struct oper {
	struct lyd_node	*tree;
	LY_ERR		rc;
};

static void __attribute__((format(printf, 3, 4)))
oper_set(struct oper *o, const char *value, const char *fmt, ...)
{
	char path[512];
	va_list ap;

	if (o->rc != LY_SUCCESS)
		return;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	o->rc = lyd_new_path(o->tree, config_ctx(), path, value, 0,
	    o->tree ? NULL : &o->tree);
}

static char *
oper_print(struct oper *o, char **err)
{
	char *out = NULL;

	if (o->rc == LY_SUCCESS && o->tree == NULL)
		out = strdup("{}\n");
	else if (o->rc == LY_SUCCESS &&
	    lyd_print_mem(&out, o->tree, LYD_JSON, LYD_PRINT_WITHSIBLINGS) != LY_SUCCESS)
		out = NULL;
	if (out == NULL && asprintf(err, "cannot build operational data: %s",
	    ly_errmsg(config_ctx())) < 0)
		*err = NULL;
	lyd_free_all(o->tree);
	return out;
}

static const char *
fmt_u(char *buf, size_t size, unsigned long v)
{
	snprintf(buf, size, "%lu", v);
	return buf;
}

static const char *
fmt_prefix(char *buf, size_t size, const struct netlink_addr *a)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a->addr, ip, sizeof(ip));
	snprintf(buf, size, "%s/%u", ip, a->prefixlen);
	return buf;
}

static void
oper_iface(struct oper *o, const struct iface *ifp)
{
	char key[64], buf[64];

	snprintf(key, sizeof(key), STATE "/interface[name='%s']", ifp->name);
	oper_set(o, iface_oper_name(iface_oper(ifp)), "%s/oper-status", key);
	oper_set(o, ifp->cfg->pim.enable ? "true" : "false", "%s/pim-enabled", key);
	oper_set(o, ifp->cfg->igmp.enable ? "true" : "false", "%s/igmp-enabled", key);
	oper_set(o, ifp->cfg->pim.passive ? "true" : "false", "%s/passive", key);
	if (ifp->ifindex == 0)
		return;
	oper_set(o, fmt_u(buf, sizeof(buf), ifp->ifindex), "%s/ifindex", key);
	if (ifp->vif >= 0)
		oper_set(o, fmt_u(buf, sizeof(buf), ifp->vif), "%s/vif", key);
	oper_set(o, ifp->up ? "true" : "false", "%s/link-up", key);
	oper_set(o, ifp->running ? "true" : "false", "%s/carrier", key);
	oper_set(o, fmt_u(buf, sizeof(buf), ifp->mtu), "%s/mtu", key);
	if (ifp->primary.s_addr != INADDR_ANY)
		oper_set(o, inet_ntop(AF_INET, &ifp->primary, buf, sizeof(buf)),
		    "%s/primary-address", key);
	for (unsigned i = 0; i < ifp->naddr; i++)
		oper_set(o, fmt_prefix(buf, sizeof(buf), &ifp->addrs[i]),
		    "%s/address", key);
}

static void oper_pim_iface(struct oper *, const struct iface *);

/* A growing text buffer for the tables. */
struct text {
	char	*buf;
	size_t	len;
	size_t	size;
};

static void __attribute__((format(printf, 2, 3)))
text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->buf ? t->buf + t->len : NULL,
		    t->buf ? t->size - t->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (t->buf != NULL && t->len + (size_t)n < t->size) {
			t->len += (size_t)n;
			return;
		}
		t->size = (t->size + (size_t)n + 1) * 2;
		if ((t->buf = realloc(t->buf, t->size)) == NULL)
			fatal("oper: text");
	}
}

static char *
text_ifaces(void)
{
	struct text t = { 0 };
	const struct iface *ifp;
	char vif[8], idx[12], dr[INET_ADDRSTRLEN], nbrs[8], buf[32];

	text_add(&t, "%-15s %-11s %7s %3s %5s %-4s %4s %-15s %-4s %s\n", "Interface",
	    "State", "Ifindex", "VIF", "MTU", "PIM", "Nbrs", "DR", "IGMP", "Addresses");
	TAILQ_FOREACH(ifp, &ifaces, entry) {
		snprintf(vif, sizeof(vif), ifp->vif >= 0 ? "%d" : "-", ifp->vif);
		snprintf(idx, sizeof(idx), ifp->ifindex ? "%d" : "-", ifp->ifindex);
		snprintf(nbrs, sizeof(nbrs), "-");
		snprintf(dr, sizeof(dr), "-");
		if (ifp->pim != NULL && !ifp->pim->passive) {
			snprintf(nbrs, sizeof(nbrs), "%u", ifp->pim->nnbr);
			inet_ntop(AF_INET, &ifp->pim->dr, dr, sizeof(dr));
		}
		text_add(&t, "%-15s %-11s %7s %3s %5u %-4s %4s %-15s %-4s", ifp->name,
		    iface_oper_name(iface_oper(ifp)), idx, vif, ifp->mtu,
		    !ifp->cfg->pim.enable ? "off" : ifp->cfg->pim.passive ? "pas" : "on",
		    nbrs, dr, ifp->cfg->igmp.enable ? "on" : "off");
		for (unsigned i = 0; i < ifp->naddr; i++)
			text_add(&t, "%s%s", i ? ", " : " ",
			    fmt_prefix(buf, sizeof(buf), &ifp->addrs[i]));
		text_add(&t, "\n");
	}
	return t.buf;
}

char *
oper_show_interfaces(bool json, char **err)
{
	struct oper o = { 0 };
	const struct iface *ifp;

	if (!json)
		return text_ifaces();
	TAILQ_FOREACH(ifp, &ifaces, entry) {
		oper_iface(&o, ifp);
		if (ifp->pim != NULL)
			oper_pim_iface(&o, ifp);
	}
	return oper_print(&o, err);
}

/* Seconds left on a timer, rounded up so only a stopped timer shows 0. */
static unsigned long
secs_left(const struct timer *t)
{
	return (timer_remaining(t) + 999) / 1000;
}

static unsigned long
secs_since(uint64_t ms)
{
	return (unsigned long)((clock_ms() - ms) / 1000);
}

/* For times kept as clock_ms() / 1000 in 32 bits, which lasts 136 years. */
static unsigned long
secs_since_s(uint32_t s)
{
	return (unsigned long)((uint32_t)(clock_ms() / 1000) - s);
}

static const char *
ntoa(struct in_addr a, char *buf, size_t size)
{
	return inet_ntop(AF_INET, &a, buf, (socklen_t)size);
}

static void
oper_igmp_counters(struct oper *o, const char *key, const struct igmp_counters *c)
{
	char buf[32];
	static const char *const rx[] = { NULL, "v1", "v2", "v3" };

	for (int v = 1; v <= 3; v++) {
		oper_set(o, fmt_u(buf, sizeof(buf), c->rx_query[v]),
		    "%s/counters/queries-received-%s", key, rx[v]);
		oper_set(o, fmt_u(buf, sizeof(buf), c->rx_report[v]),
		    "%s/counters/reports-received-%s", key, rx[v]);
	}
	oper_set(o, fmt_u(buf, sizeof(buf), c->rx_leave), "%s/counters/leaves-received", key);
	oper_set(o, fmt_u(buf, sizeof(buf), c->tx_general),
	    "%s/counters/general-queries-sent", key);
	oper_set(o, fmt_u(buf, sizeof(buf), c->tx_group),
	    "%s/counters/group-queries-sent", key);
	oper_set(o, fmt_u(buf, sizeof(buf), c->tx_group_source),
	    "%s/counters/group-source-queries-sent", key);
	/* Malformed messages are counted by what igmp_decode found wrong. */
	for (int d = IGMP_DROP_DECODE + 1; d < IGMP_DROP_MAX; d++)
		oper_set(o, fmt_u(buf, sizeof(buf), c->drop[d]),
		    "%s/counters/drops/%s", key, igmp_drop_name(d));
	for (int e = IGMP_OK + 1; e < IGMP_ERR_MAX; e++)
		oper_set(o, fmt_u(buf, sizeof(buf), c->decode[e]),
		    "%s/counters/drops/%s", key, igmp_err_name(e));
}

static void
oper_igmp_iface(struct oper *o, const struct iface *ifp)
{
	const struct igmp_if *igi = ifp->igmp;
	char key[96], buf[32];

	snprintf(key, sizeof(key), STATE "/interface[name='%s']/igmp", ifp->name);
	oper_set(o, fmt_u(buf, sizeof(buf), igi->p.version), "%s/version", key);
	oper_set(o, igi->querier ? "true" : "false", "%s/querier", key);
	oper_set(o, ntoa(igi->querier_addr, buf, sizeof(buf)), "%s/querier-address", key);
	oper_set(o, fmt_u(buf, sizeof(buf), igi->querier_version), "%s/querier-version", key);
	oper_set(o, fmt_u(buf, sizeof(buf), igi->p.robustness), "%s/robustness", key);
	oper_set(o, fmt_u(buf, sizeof(buf), igi->p.qi_s), "%s/query-interval", key);
	oper_set(o, fmt_u(buf, sizeof(buf), secs_left(&igi->gq_timer)),
	    "%s/general-query-expires", key);
	oper_set(o, fmt_u(buf, sizeof(buf), secs_left(&igi->oqp_timer)),
	    "%s/other-querier-expires", key);
	oper_set(o, fmt_u(buf, sizeof(buf), secs_since(igi->started)), "%s/uptime", key);
	oper_set(o, fmt_u(buf, sizeof(buf), igi->groups.ngroups), "%s/group-count", key);
	oper_igmp_counters(o, key, &igi->cnt);
}

static void
oper_igmp_group(struct oper *o, const struct iface *ifp, struct igmp_group *g)
{
	struct igmp_source *s;
	char key[128], buf[32], ga[INET_ADDRSTRLEN];

	snprintf(key, sizeof(key), STATE "/igmp-group[interface='%s'][group='%s']",
	    ifp->name, ntoa(g->addr, ga, sizeof(ga)));
	oper_set(o, g->mode == IGMP_FILTER_INCLUDE ? "include" : "exclude",
	    "%s/filter-mode", key);
	oper_set(o, fmt_u(buf, sizeof(buf), igmp_group_compat(g)),
	    "%s/compatibility-version", key);
	oper_set(o, fmt_u(buf, sizeof(buf), secs_since(g->created)), "%s/uptime", key);
	oper_set(o, fmt_u(buf, sizeof(buf), secs_left(&g->timer)), "%s/expires", key);
	oper_set(o, ntoa(g->last_reporter, buf, sizeof(buf)), "%s/last-reporter", key);
	RB_FOREACH(s, igmp_source_tree, &g->sources) {
		char skey[192], sa[INET_ADDRSTRLEN];

		snprintf(skey, sizeof(skey), "%s/source[address='%s']", key,
		    ntoa(s->addr, sa, sizeof(sa)));
		oper_set(o, fmt_u(buf, sizeof(buf), secs_since(s->created)), "%s/uptime", skey);
		oper_set(o, fmt_u(buf, sizeof(buf), secs_left(&s->timer)), "%s/expires", skey);
		oper_set(o, igmp_group_forwards(g, s->addr) ? "true" : "false",
		    "%s/forwarding", skey);
	}
}

static char *
text_igmp_ifaces(void)
{
	struct text t = { 0 };
	const struct iface *ifp;
	char qa[INET_ADDRSTRLEN];

	text_add(&t, "%-15s %3s %-15s %-7s %6s %5s %2s %10s %11s\n", "Interface", "Ver",
	    "Querier", "Is-us", "Groups", "QI", "RV", "Next-query", "Other-quer.");
	TAILQ_FOREACH(ifp, &ifaces, entry) {
		const struct igmp_if *igi = ifp->igmp;

		if (igi == NULL)
			continue;
		text_add(&t, "%-15s %3u %-15s %-7s %6u %5u %2u %9lus %10lus\n", ifp->name,
		    igi->p.version, ntoa(igi->querier_addr, qa, sizeof(qa)),
		    igi->querier ? "yes" : "no", igi->groups.ngroups, igi->p.qi_s,
		    igi->p.robustness, secs_left(&igi->gq_timer),
		    secs_left(&igi->oqp_timer));
	}
	return t.buf;
}

static char *
text_igmp_groups(bool sources)
{
	struct text t = { 0 };
	const struct iface *ifp;
	struct igmp_group *g;
	struct igmp_source *s;
	char ga[INET_ADDRSTRLEN], ra[INET_ADDRSTRLEN];

	if (sources)
		text_add(&t, "%-15s %-15s %-15s %-3s %8s %8s\n", "Interface", "Group",
		    "Source", "Fwd", "Uptime", "Expires");
	else
		text_add(&t, "%-15s %-15s %-7s %3s %7s %8s %8s %s\n", "Interface", "Group",
		    "Mode", "Ver", "Sources", "Uptime", "Expires", "Last reporter");
	TAILQ_FOREACH(ifp, &ifaces, entry) {
		if (ifp->igmp == NULL)
			continue;
		RB_FOREACH(g, igmp_group_tree, &ifp->igmp->groups.groups) {
			ntoa(g->addr, ga, sizeof(ga));
			if (!sources) {
				text_add(&t, "%-15s %-15s %-7s %3u %7u %7lus %7lus %s\n",
				    ifp->name, ga, g->mode == IGMP_FILTER_INCLUDE ?
				    "include" : "exclude", igmp_group_compat(g), g->nsrc,
				    secs_since(g->created), secs_left(&g->timer),
				    ntoa(g->last_reporter, ra, sizeof(ra)));
				continue;
			}
			RB_FOREACH(s, igmp_source_tree, &g->sources)
				text_add(&t, "%-15s %-15s %-15s %-3s %7lus %7lus\n",
				    ifp->name, ga, ntoa(s->addr, ra, sizeof(ra)),
				    igmp_group_forwards(g, s->addr) ? "yes" : "no",
				    secs_since(s->created), secs_left(&s->timer));
		}
	}
	return t.buf;
}

static void
oper_pim_counters(struct oper *o, const char *key, const struct pim_counters *c)
{
	char buf[32];

	for (int t = 0; t < PIM_TYPE_MAX; t++) {
		oper_set(o, fmt_u(buf, sizeof(buf), c->rx[t]), "%s/counters/%s-received",
		    key, pim_type_name(t));
		oper_set(o, fmt_u(buf, sizeof(buf), c->tx[t]), "%s/counters/%s-sent",
		    key, pim_type_name(t));
	}
	/* Malformed messages are counted by what pim_msg.c found wrong. */
	for (int d = PIM_DROP_DECODE + 1; d < PIM_DROP_MAX; d++)
		oper_set(o, fmt_u(buf, sizeof(buf), c->drop[d]),
		    "%s/counters/drops/%s", key, pim_drop_name(d));
	for (int e = PIM_OK + 1; e < PIM_ERR_MAX; e++)
		oper_set(o, fmt_u(buf, sizeof(buf), c->decode[e]),
		    "%s/counters/drops/%s", key, pim_err_name(e));
}

static void
oper_pim_iface(struct oper *o, const struct iface *ifp)
{
	const struct pim_if *pif = ifp->pim;
	char key[96], buf[32];

	snprintf(key, sizeof(key), STATE "/interface[name='%s']/pim", ifp->name);
	oper_set(o, ntoa(pif->dr, buf, sizeof(buf)), "%s/dr-address", key);
	oper_set(o, pim_is_dr(pif) ? "true" : "false", "%s/dr", key);
	oper_set(o, fmt_u(buf, sizeof(buf), ifp->cfg->pim.dr_priority), "%s/dr-priority", key);
	oper_set(o, fmt_u(buf, sizeof(buf), pif->genid), "%s/generation-id", key);
	oper_set(o, fmt_u(buf, sizeof(buf), secs_left(&pif->hello_timer)),
	    "%s/hello-expires", key);
	oper_set(o, fmt_u(buf, sizeof(buf), pif->nnbr), "%s/neighbor-count", key);
	oper_set(o, fmt_u(buf, sizeof(buf), nbr_effective_propagation_delay(pif)),
	    "%s/effective-propagation-delay", key);
	oper_set(o, fmt_u(buf, sizeof(buf), nbr_effective_override_interval(pif)),
	    "%s/effective-override-interval", key);
	oper_set(o, fmt_u(buf, sizeof(buf), secs_since(pif->started)), "%s/uptime", key);
	oper_pim_counters(o, key, &pif->cnt);
}

static void
oper_nbr(struct oper *o, const struct pim_nbr *n)
{
	char key[128], buf[32], na[INET_ADDRSTRLEN];

	snprintf(key, sizeof(key), STATE "/neighbor[interface='%s'][address='%s']",
	    n->pif->ifp->name, ntoa(n->addr, na, sizeof(na)));
	oper_set(o, fmt_u(buf, sizeof(buf), secs_since(n->created)), "%s/uptime", key);
	oper_set(o, fmt_u(buf, sizeof(buf), secs_left(&n->liveness)), "%s/expires", key);
	if (n->hello.has_holdtime)
		oper_set(o, fmt_u(buf, sizeof(buf), n->hello.holdtime), "%s/holdtime", key);
	if (n->hello.has_dr_priority)
		oper_set(o, fmt_u(buf, sizeof(buf), n->hello.dr_priority),
		    "%s/dr-priority", key);
	if (n->hello.has_genid)
		oper_set(o, fmt_u(buf, sizeof(buf), n->hello.genid),
		    "%s/generation-id", key);
	if (n->hello.has_lan_prune_delay) {
		oper_set(o, fmt_u(buf, sizeof(buf), n->hello.propagation_delay),
		    "%s/propagation-delay", key);
		oper_set(o, fmt_u(buf, sizeof(buf), n->hello.override_interval),
		    "%s/override-interval", key);
	}
	oper_set(o, n->pif->dr.s_addr == n->addr.s_addr ? "true" : "false", "%s/dr", key);
	for (unsigned i = 0; i < n->hello.naddr; i++)
		oper_set(o, ntoa(n->hello.addrs[i], buf, sizeof(buf)),
		    "%s/secondary-address", key);
}

static char *
text_nbrs(void)
{
	struct text t = { 0 };
	const struct iface *ifp;
	const struct pim_nbr *n;
	char na[INET_ADDRSTRLEN];

	text_add(&t, "%-15s %-15s %8s %8s %11s %8s %-3s\n", "Interface", "Neighbor",
	    "Uptime", "Expires", "DR-priority", "GenID", "DR");
	TAILQ_FOREACH(ifp, &ifaces, entry) {
		if (ifp->pim == NULL)
			continue;
		TAILQ_FOREACH(n, &ifp->pim->nbrs, entry) {
			char prio[12] = "-";

			if (n->hello.has_dr_priority)
				snprintf(prio, sizeof(prio), "%u", n->hello.dr_priority);
			text_add(&t, "%-15s %-15s %7lus %7lus %11s %08x %-3s\n", ifp->name,
			    ntoa(n->addr, na, sizeof(na)), secs_since(n->created),
			    secs_left(&n->liveness), prio, n->hello.genid,
			    ifp->pim->dr.s_addr == n->addr.s_addr ? "yes" : "");
		}
	}
	return t.buf;
}

char *
oper_show_neighbors(bool json, char **err)
{
	struct oper o = { 0 };
	const struct iface *ifp;
	const struct pim_nbr *n;

	if (!json)
		return text_nbrs();
	TAILQ_FOREACH(ifp, &ifaces, entry)
		if (ifp->pim != NULL)
			TAILQ_FOREACH(n, &ifp->pim->nbrs, entry)
				oper_nbr(&o, n);
	return oper_print(&o, err);
}

/* ---- (S,G) state, MFC, RPs ---------------------------------------------- */

static const char *
sg_key(char *key, size_t size, const char *list, const struct sg *sg)
{
	char sa[INET_ADDRSTRLEN], ga[INET_ADDRSTRLEN];

	snprintf(key, size, STATE "/%s[source='%s'][group='%s']", list,
	    ntoa(sg->src, sa, sizeof(sa)), ntoa(sg->grp, ga, sizeof(ga)));
	return key;
}

/* One interface's downstream state under an upstream entry: list[interface]. */
static void
oper_downstream(struct oper *o, const char *key, const char *list, const struct iface *ifp,
    const char *state, const struct timer *expiry, uint32_t since_s)
{
	char dkey[192], buf[32];

	snprintf(dkey, sizeof(dkey), "%s/%s[interface='%s']", key, list, ifp->name);
	oper_set(o, state, "%s/state", dkey);
	oper_set(o, fmt_u(buf, sizeof(buf), secs_left(expiry)), "%s/expires", dkey);
	oper_set(o, fmt_u(buf, sizeof(buf), secs_since_s(since_s)), "%s/uptime", dkey);
}

static void
oper_upstream(struct oper *o, const struct sg *sg)
{
	const struct sg_if *d;
	const struct rpt_if *r;
	char key[128], buf[32];

	sg_key(key, sizeof(key), "upstream", sg);
	oper_set(o, sg_up_name(sg->up), "%s/state", key);
	if (sg->rpf_ifp != NULL)
		oper_set(o, sg->rpf_ifp->name, "%s/rpf-interface", key);
	if (sg->rpf_nbr.s_addr != INADDR_ANY)
		oper_set(o, ntoa(sg->rpf_nbr, buf, sizeof(buf)), "%s/rpf-neighbor", key);
	oper_set(o, sg->src_local ? "true" : "false", "%s/source-connected", key);
	oper_set(o, fmt_u(buf, sizeof(buf), secs_since_s(sg->created_s)), "%s/uptime", key);
	oper_set(o, fmt_u(buf, sizeof(buf), secs_left(&sg->join_timer)),
	    "%s/join-timer-expires", key);
	LIST_FOREACH(d, &sg->ds, entry)
		oper_downstream(o, key, "downstream", d->ifp, sg_ds_name(d->state),
		    &d->expiry, d->since_s);
	if (sg_is_wc(sg))
		return;
	oper_set(o, fmt_u(buf, sizeof(buf), (sg_kat_remaining(sg) + 999) / 1000),
	    "%s/keepalive-expires", key);
	oper_set(o, sg->spt ? "true" : "false", "%s/spt-bit", key);
	oper_set(o, rpt_up_name(sg->rpt_up), "%s/rpt-state", key);
	LIST_FOREACH(r, &sg->rpt_ds, entry)
		oper_downstream(o, key, "rpt-prune", r->ifp, rpt_ds_name(r->state),
		    &r->expiry, r->since_s);
}

static void
oper_mroute(struct oper *o, const struct sg *sg)
{
	const struct iface *ifp = iface_find_vif(sg->mfc_iif);
	struct mrt_sg_stats st;
	char key[128], buf[32];

	sg_key(key, sizeof(key), "mroute", sg);
	if (ifp != NULL)
		oper_set(o, ifp->name, "%s/incoming-interface", key);
	for (int vif = 0; vif < MRT_MAXVIFS; vif++)
		if (sg_mfc_oif(sg, vif) && (ifp = iface_find_vif(vif)) != NULL)
			oper_set(o, ifp->name, "%s/outgoing-interface", key);
	if (mrt_sg_stats(sg->src, sg->grp, &st) == 0) {
		oper_set(o, fmt_u(buf, sizeof(buf), st.pkts), "%s/packets", key);
		oper_set(o, fmt_u(buf, sizeof(buf), st.bytes), "%s/bytes", key);
		oper_set(o, fmt_u(buf, sizeof(buf), st.wrong_if), "%s/wrong-interface", key);
	}
}

static char *
text_upstream(void)
{
	struct text t = { 0 };
	struct sg *sg;
	const struct sg_if *d;
	const struct rpt_if *r;
	char sa[INET_ADDRSTRLEN], ga[INET_ADDRSTRLEN], na[INET_ADDRSTRLEN];

	text_add(&t, "%-15s %-15s %-10s %-15s %-15s %7s %s\n", "Source", "Group",
	    "State", "RPF iface", "RPF neighbor", "JT", "Downstream");
	RB_FOREACH(sg, sg_tree, &sgs) {
		text_add(&t, "%-15s %-15s %-10s %-15s %-15s %6lus", ntoa(sg->src, sa, sizeof(sa)),
		    ntoa(sg->grp, ga, sizeof(ga)), sg_up_name(sg->up),
		    sg->rpf_ifp ? sg->rpf_ifp->name : "-",
		    sg->src_local ? "(connected)" : sg->rpf_nbr.s_addr ?
		    ntoa(sg->rpf_nbr, na, sizeof(na)) : "-", secs_left(&sg->join_timer));
		LIST_FOREACH(d, &sg->ds, entry)
			text_add(&t, " %s(%s)", d->ifp->name, sg_ds_name(d->state));
		LIST_FOREACH(r, &sg->rpt_ds, entry)
			text_add(&t, " %s(rpt %s)", r->ifp->name, rpt_ds_name(r->state));
		if (sg->rpt_up == RPT_UP_PRUNED)
			text_add(&t, " [pruned off the RP tree]");
		text_add(&t, "\n");
	}
	return t.buf;
}

static char *
text_mroute(void)
{
	struct text t = { 0 };
	struct sg *sg;
	struct mrt_sg_stats st;
	const struct iface *ifp;
	char sa[INET_ADDRSTRLEN], ga[INET_ADDRSTRLEN];

	text_add(&t, "%-15s %-15s %-15s %10s %s\n", "Source", "Group", "Incoming",
	    "Packets", "Outgoing");
	RB_FOREACH(sg, sg_tree, &sgs) {
		if (!sg->mfc)
			continue;
		if (mrt_sg_stats(sg->src, sg->grp, &st) < 0)
			st.pkts = 0;
		ifp = iface_find_vif(sg->mfc_iif);
		text_add(&t, "%-15s %-15s %-15s %10lu", ntoa(sg->src, sa, sizeof(sa)),
		    ntoa(sg->grp, ga, sizeof(ga)), ifp ? ifp->name : "?",
		    (unsigned long)st.pkts);
		for (int vif = 0; vif < MRT_MAXVIFS; vif++)
			if (sg_mfc_oif(sg, vif) && (ifp = iface_find_vif(vif)) != NULL)
				text_add(&t, " %s", ifp->name);
		text_add(&t, "\n");
	}
	return t.buf;
}

char *
oper_show_upstream(bool json, char **err)
{
	struct oper o = { 0 };
	struct sg *sg;

	if (!json)
		return text_upstream();
	RB_FOREACH(sg, sg_tree, &sgs)
		oper_upstream(&o, sg);
	return oper_print(&o, err);
}

char *
oper_show_mroute(bool json, char **err)
{
	struct oper o = { 0 };
	struct sg *sg;

	if (!json)
		return text_mroute();
	RB_FOREACH(sg, sg_tree, &sgs)
		if (sg->mfc)
			oper_mroute(&o, sg);
	return oper_print(&o, err);
}

/* ---- Asserts (§4.6) --------------------------------------------------------- */

static void
oper_assert(struct oper *o, const struct assert_if *a)
{
	struct assert_metric mine;
	char key[192], buf[32], sa[INET_ADDRSTRLEN], ga[INET_ADDRSTRLEN];

	assert_my_metric(a, &mine);
	snprintf(key, sizeof(key), STATE "/assert[source='%s'][group='%s'][interface='%s']",
	    ntoa(a->sg->src, sa, sizeof(sa)), ntoa(a->sg->grp, ga, sizeof(ga)), a->ifp->name);
	oper_set(o, assert_state_name(a->state), "%s/state", key);
	oper_set(o, ntoa(a->winner.addr, buf, sizeof(buf)), "%s/winner", key);
	oper_set(o, a->winner.rpt ? "true" : "false", "%s/winner-rpt-bit", key);
	oper_set(o, fmt_u(buf, sizeof(buf), a->winner.preference),
	    "%s/winner-metric-preference", key);
	oper_set(o, fmt_u(buf, sizeof(buf), a->winner.metric), "%s/winner-metric", key);
	oper_set(o, mine.rpt ? "true" : "false", "%s/rpt-bit", key);
	oper_set(o, fmt_u(buf, sizeof(buf), mine.preference), "%s/metric-preference", key);
	oper_set(o, fmt_u(buf, sizeof(buf), mine.metric), "%s/metric", key);
	oper_set(o, fmt_u(buf, sizeof(buf), secs_left(&a->timer)),
	    "%s/assert-timer-expires", key);
	oper_set(o, fmt_u(buf, sizeof(buf), secs_since(a->since)), "%s/uptime", key);
}

static void
oper_assert_counters(struct oper *o)
{
	const struct { const char *name; uint64_t v; } c[] = {
		{ "received", assert_cnt.received }, { "malformed", assert_cnt.malformed },
		{ "ignored", assert_cnt.ignored }, { "sent", assert_cnt.sent },
		{ "cancels-sent", assert_cnt.cancels_sent }, { "won", assert_cnt.won },
		{ "lost", assert_cnt.lost },
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		oper_set(o, fmt_u(buf, sizeof(buf), c[i].v), STATE "/assert-counters/%s",
		    c[i].name);
}

static char *
text_assert(void)
{
	struct text t = { 0 };
	const struct assert_if *a;
	struct assert_metric mine;
	struct sg *sg;
	char sa[INET_ADDRSTRLEN], ga[INET_ADDRSTRLEN], wa[INET_ADDRSTRLEN];

	text_add(&t, "%-15s %-15s %-15s %-6s %-15s %-16s %-16s %5s\n", "Source", "Group",
	    "Interface", "State", "Winner", "Winner pref/met", "Own pref/met", "AT");
	RB_FOREACH(sg, sg_tree, &sgs) {
		if (sg->asserts == NULL)
			continue;
		TAILQ_FOREACH(a, sg->asserts, entry) {
			char w[24], m[24];

			assert_my_metric(a, &mine);
			snprintf(w, sizeof(w), "%s%u/%u", a->winner.rpt ? "R " : "",
			    a->winner.preference, a->winner.metric);
			snprintf(m, sizeof(m), "%s%u/%u", mine.rpt ? "R " : "",
			    mine.preference, mine.metric);
			text_add(&t, "%-15s %-15s %-15s %-6s %-15s %-16s %-16s %4lus\n",
			    sg_is_wc(sg) ? "*" : ntoa(sg->src, sa, sizeof(sa)),
			    ntoa(sg->grp, ga, sizeof(ga)), a->ifp->name,
			    assert_state_name(a->state), ntoa(a->winner.addr, wa, sizeof(wa)),
			    w, m, secs_left(&a->timer));
		}
	}
	text_add(&t, "\nAsserts: %lu received, %lu malformed, %lu ignored, %lu sent "
	    "(%lu cancels); %lu won, %lu lost\n", (unsigned long)assert_cnt.received,
	    (unsigned long)assert_cnt.malformed, (unsigned long)assert_cnt.ignored,
	    (unsigned long)assert_cnt.sent, (unsigned long)assert_cnt.cancels_sent,
	    (unsigned long)assert_cnt.won, (unsigned long)assert_cnt.lost);
	return t.buf;
}

char *
oper_show_assert(bool json, char **err)
{
	struct oper o = { 0 };
	const struct assert_if *a;
	struct sg *sg;

	if (!json)
		return text_assert();
	RB_FOREACH(sg, sg_tree, &sgs)
		if (sg->asserts != NULL)
			TAILQ_FOREACH(a, sg->asserts, entry)
				oper_assert(&o, a);
	oper_assert_counters(&o);
	return oper_print(&o, err);
}

struct rp_show {
	struct oper	*o;
	struct text	*t;
};

/* One row of `show rp`: a range and an RP, static or from the BSR. */
static void
rp_row(struct rp_show *rs, struct in_addr grp, uint8_t masklen, struct in_addr rp,
    bool bsr, uint8_t priority, uint32_t expires_ms)
{
	char key[160], ra[INET_ADDRSTRLEN], pfx[INET_ADDRSTRLEN + 4], ga[INET_ADDRSTRLEN];
	char buf[32], pr[8] = "-", ex[16] = "-";
	bool local = rp_is_local(rp);

	ntoa(rp, ra, sizeof(ra));
	snprintf(pfx, sizeof(pfx), "%s/%u", ntoa(grp, ga, sizeof(ga)), masklen);
	if (rs->o == NULL) {
		if (bsr) {
			snprintf(pr, sizeof(pr), "%u", priority);
			snprintf(ex, sizeof(ex), "%lus", (unsigned long)(expires_ms / 1000));
		}
		text_add(rs->t, "%-18s %-15s %-6s %8s %7s %s\n", pfx, ra, bsr ? "bsr" : "static",
		    pr, ex, local ? "yes" : "no");
		return;
	}
	snprintf(key, sizeof(key), STATE "/rp[group='%s'][address='%s'][origin='%s']", pfx, ra,
	    bsr ? "bsr" : "static");
	oper_set(rs->o, local ? "true" : "false", "%s/local", key);
	if (bsr) {
		oper_set(rs->o, fmt_u(buf, sizeof(buf), priority), "%s/priority", key);
		oper_set(rs->o, fmt_u(buf, sizeof(buf), expires_ms / 1000), "%s/expires", key);
	}
}

static void
rp_static_one(struct in_addr rp, const struct cfg_prefix *groups, unsigned ngroups,
    bool local, void *arg)
{
	for (unsigned i = 0; i < ngroups; i++)
		rp_row(arg, groups[i].addr, groups[i].len, rp, false, 0, 0);
}

static void
rp_bsr_one(struct in_addr grp, uint8_t masklen, struct in_addr rp, uint8_t priority,
    uint32_t expires_ms, void *arg)
{
	rp_row(arg, grp, masklen, rp, true, priority, expires_ms);
}

char *
oper_show_rp(bool json, char **err)
{
	struct oper o = { 0 };
	struct text t = { 0 };
	struct rp_show rs = { json ? &o : NULL, &t };

	if (!json)
		text_add(&t, "%-18s %-15s %-6s %8s %7s %s\n", "Group range", "RP", "Origin",
		    "Priority", "Expires", "This router");
	rp_foreach(rp_static_one, &rs);
	bsr_rpset_foreach(rp_bsr_one, &rs);
	return json ? oper_print(&o, err) : t.buf;
}

/* `show rp-for GROUP`: RP(G) and why (RFC 7761 §4.7.1). */
char *
oper_show_rp_for(const char *arg, bool json, char **err)
{
	struct oper o = { 0 };
	struct text t = { 0 };
	struct rp_choice c;
	struct in_addr g;
	char ra[INET_ADDRSTRLEN], ga[INET_ADDRSTRLEN], pfx[INET_ADDRSTRLEN + 4], buf[32];

	if (inet_pton(AF_INET, arg, &g) != 1 || !IN_MULTICAST(ntohl(g.s_addr))) {
		if (asprintf(err, "\"%s\" is not an IPv4 multicast group address", arg) < 0)
			*err = NULL;
		return NULL;
	}
	rp_explain(g, &c);
	ntoa(g, ga, sizeof(ga));
	snprintf(pfx, sizeof(pfx), "%s/%u", ntoa(c.range.addr, buf, sizeof(buf)), c.range.len);
	ntoa(c.rp, ra, sizeof(ra));
	if (!json) {
		text_add(&t, "%s: ", ga);
		if (c.origin == RP_ORIGIN_NONE)
			text_add(&t, "no RP serves it\n");
		else if (c.origin == RP_ORIGIN_SSM)
			text_add(&t, "no RP: in the SSM range %s\n", pfx);
		else if (c.origin == RP_ORIGIN_STATIC)
			text_add(&t, "RP %s, static, range %s\n", ra, pfx);
		else
			text_add(&t, "RP %s, from the BSR, range %s, priority %u, hash %u "
			    "(mask length %u)\n", ra, pfx, c.priority, c.hash, c.hash_masklen);
		return t.buf;
	}
	oper_set(&o, ga, STATE "/rp-for/group");
	oper_set(&o, rp_origin_name(c.origin), STATE "/rp-for/origin");
	if (c.origin == RP_ORIGIN_NONE)
		return oper_print(&o, err);
	oper_set(&o, pfx, STATE "/rp-for/group-range");
	if (c.origin == RP_ORIGIN_SSM)
		return oper_print(&o, err);
	oper_set(&o, ra, STATE "/rp-for/address");
	if (c.origin == RP_ORIGIN_BSR) {
		oper_set(&o, fmt_u(buf, sizeof(buf), c.priority), STATE "/rp-for/priority");
		oper_set(&o, fmt_u(buf, sizeof(buf), c.hash), STATE "/rp-for/hash");
		oper_set(&o, fmt_u(buf, sizeof(buf), c.hash_masklen),
		    STATE "/rp-for/hash-mask-length");
	}
	return oper_print(&o, err);
}

/* A range and an RP as text, and the key of their entry in list. */
struct range_rp {
	char	pfx[INET_ADDRSTRLEN + 4], ra[INET_ADDRSTRLEN], key[128];
};

static void
range_rp(struct range_rp *r, const char *list, struct in_addr grp, uint8_t masklen,
    struct in_addr rp)
{
	char ga[INET_ADDRSTRLEN];

	ntoa(rp, r->ra, sizeof(r->ra));
	snprintf(r->pfx, sizeof(r->pfx), "%s/%u", ntoa(grp, ga, sizeof(ga)), masklen);
	snprintf(r->key, sizeof(r->key), STATE "/bsr/%s[group='%s'][address='%s']", list,
	    r->pfx, r->ra);
}

static void
bsr_rp_one(struct in_addr grp, uint8_t masklen, struct in_addr rp, uint8_t priority,
    uint32_t expires_ms, void *arg)
{
	struct rp_show *rs = arg;
	struct range_rp r;
	char buf[32];

	range_rp(&r, "rp-set", grp, masklen, rp);
	if (rs->o == NULL) {
		text_add(rs->t, "%-18s %-15s %8u %6lus\n", r.pfx, r.ra, priority,
		    (unsigned long)(expires_ms / 1000));
		return;
	}
	oper_set(rs->o, fmt_u(buf, sizeof(buf), priority), "%s/priority", r.key);
	oper_set(rs->o, fmt_u(buf, sizeof(buf), expires_ms / 1000), "%s/expires", r.key);
}

/* At the elected BSR: the Candidate-RP set it builds the BSM from. */
static void
crp_one(struct in_addr grp, uint8_t masklen, struct in_addr rp, uint8_t priority,
    uint16_t holdtime, uint32_t expires_ms, void *arg)
{
	struct rp_show *rs = arg;
	struct range_rp r;
	char buf[32];

	range_rp(&r, "candidate-rp", grp, masklen, rp);
	if (rs->o == NULL) {
		text_add(rs->t, "%-18s %-15s %8u %8us %6lus\n", r.pfx, r.ra, priority, holdtime,
		    (unsigned long)(expires_ms / 1000));
		return;
	}
	oper_set(rs->o, fmt_u(buf, sizeof(buf), priority), "%s/priority", r.key);
	oper_set(rs->o, fmt_u(buf, sizeof(buf), holdtime), "%s/holdtime", r.key);
	oper_set(rs->o, fmt_u(buf, sizeof(buf), expires_ms / 1000), "%s/expires", r.key);
}

char *
oper_show_bsr(bool json, char **err)
{
	struct oper o = { 0 };
	struct text t = { 0 };
	struct rp_show rs = { json ? &o : NULL, &t };
	struct bsr_info b;
	char a[INET_ADDRSTRLEN], buf[32];
	unsigned long up, bst;

	bsr_get(&b);
	up = b.addr.s_addr == INADDR_ANY ? 0 : (unsigned long)((clock_ms() - b.since_ms) / 1000);
	bst = b.bs_timer_ms / 1000;
	if (!json) {
		text_add(&t, "%-15s %-16s %8s %4s %7s %7s\n", "BSR", "State", "Priority",
		    "Hash", "Uptime", "Expires");
		text_add(&t, "%-15s %-16s %8u %4u %6lus %6lus\n",
		    b.addr.s_addr == INADDR_ANY ? "-" : ntoa(b.addr, a, sizeof(a)),
		    bsr_state_name(b.state), b.priority, b.hash_masklen, up, bst);
		text_add(&t, "\n%-18s %-15s %8s %7s\n", "Group range", "RP", "Priority",
		    "Expires");
		bsr_rpset_foreach(bsr_rp_one, &rs);
		if (b.state == BSR_ELECTED) {
			text_add(&t, "\nCandidate-RPs\n%-18s %-15s %8s %9s %7s\n",
			    "Group range", "RP", "Priority", "Holdtime", "Expires");
			crpset_foreach(crp_one, &rs);
		}
		return t.buf;
	}
	oper_set(&o, bsr_state_name(b.state), STATE "/bsr/state");
	crpset_foreach(crp_one, &rs);
	if (b.addr.s_addr != INADDR_ANY) {
		oper_set(&o, ntoa(b.addr, a, sizeof(a)), STATE "/bsr/address");
		oper_set(&o, fmt_u(buf, sizeof(buf), b.priority), STATE "/bsr/priority");
		oper_set(&o, fmt_u(buf, sizeof(buf), b.hash_masklen),
		    STATE "/bsr/hash-mask-length");
		oper_set(&o, fmt_u(buf, sizeof(buf), up), STATE "/bsr/uptime");
		oper_set(&o, fmt_u(buf, sizeof(buf), bst), STATE "/bsr/bootstrap-timer");
	}
	bsr_rpset_foreach(bsr_rp_one, &rs);
	return oper_print(&o, err);
}

char *
oper_show_igmp_interfaces(bool json, char **err)
{
	struct oper o = { 0 };
	const struct iface *ifp;

	if (!json)
		return text_igmp_ifaces();
	TAILQ_FOREACH(ifp, &ifaces, entry)
		if (ifp->igmp != NULL)
			oper_igmp_iface(&o, ifp);
	return oper_print(&o, err);
}

static char *
igmp_groups_json(char **err)
{
	struct oper o = { 0 };
	const struct iface *ifp;
	struct igmp_group *g;

	TAILQ_FOREACH(ifp, &ifaces, entry)
		if (ifp->igmp != NULL)
			RB_FOREACH(g, igmp_group_tree, &ifp->igmp->groups.groups)
				oper_igmp_group(&o, ifp, g);
	return oper_print(&o, err);
}

char *
oper_show_igmp_groups(bool json, char **err)
{
	return json ? igmp_groups_json(err) : text_igmp_groups(false);
}

char *
oper_show_igmp_sources(bool json, char **err)
{
	return json ? igmp_groups_json(err) : text_igmp_groups(true);
}

char *
oper_show_version(bool json, char **err)
{
	struct oper o = { 0 };
	unsigned long up = (unsigned long)((clock_ms() - pimd.start_ms) / 1000);
	char buf[32], *out;

	if (!json) {
		if (asprintf(&out, "pimd %s\npid %d\nuptime %lus\nconfig %s\n",
		    PACKAGE_VERSION, (int)getpid(), up, pimd.conf_path) < 0)
			return NULL;
		return out;
	}
	oper_set(&o, PACKAGE_VERSION, STATE "/version");
	oper_set(&o, fmt_u(buf, sizeof(buf), (unsigned long)getpid()), STATE "/pid");
	oper_set(&o, fmt_u(buf, sizeof(buf), up), STATE "/uptime");
	oper_set(&o, pimd.conf_path, STATE "/config-file");
	return oper_print(&o, err);
}

char *
oper_show_config(bool json, char **err)
{
	char *out = config_print_mem(pimd.conf);

	if (out == NULL && (*err = strdup("cannot print the configuration")) == NULL)
		return NULL;
	return out;
}
