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

#include "config.h"
#include "event.h"
#include "iface.h"
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
	char vif[8], idx[12], buf[32];

	text_add(&t, "%-15s %-11s %7s %3s %5s %-3s %-4s %s\n", "Interface",
	    "State", "Ifindex", "VIF", "MTU", "PIM", "IGMP", "Addresses");
	TAILQ_FOREACH(ifp, &ifaces, entry) {
		snprintf(vif, sizeof(vif), ifp->vif >= 0 ? "%d" : "-", ifp->vif);
		snprintf(idx, sizeof(idx), ifp->ifindex ? "%d" : "-", ifp->ifindex);
		text_add(&t, "%-15s %-11s %7s %3s %5u %-3s %-4s", ifp->name,
		    iface_oper_name(iface_oper(ifp)), idx, vif, ifp->mtu,
		    ifp->cfg->pim.enable ? "on" : "off",
		    ifp->cfg->igmp.enable ? "on" : "off");
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
	TAILQ_FOREACH(ifp, &ifaces, entry)
		oper_iface(&o, ifp);
	return oper_print(&o, err);
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
