/* SPDX-License-Identifier: ISC */
/*
 * PIM on interfaces and the one receive path for PIM messages.
 *
 * pim_read takes a datagram off the PIM raw socket, checks the IP header
 * (raw_recv), finds the interface and drops what is not ours, checks the
 * PIM header and checksum (pim_decode_header), checks where it came from
 * and where it went, counts and logs each drop by reason, and dispatches on
 * the message type to the file that handles it: hello.c, join_prune.c,
 * register.c, assert.c, bsr.c.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/random.h>
#include <unistd.h>

#include "assert.h"
#include "bsr.h"
#include "config.h"
#include "hello.h"
#include "iface.h"
#include "join_prune.h"
#include "nbr.h"
#include "pim.h"
#include "pimd.h"
#include "rawsock.h"
#include "register.h"

#define PIM_READ_BURST	64
#define PIM_BUFSIZE	65536

static int pim_fd = -1;
static struct ev_io *pim_io;
static uint8_t *pim_buf;
static struct in_addr all_routers;

/* The names of the drop counters in yang/pimd.yang, and of the log lines. */
static const char *const drop_names[PIM_DROP_MAX] = {
	[PIM_DROP_DECODE] = "malformed",
	[PIM_DROP_SUBNET] = "source-off-subnet",
	[PIM_DROP_DESTINATION] = "bad-destination",
	[PIM_DROP_PASSIVE] = "passive-interface",
	[PIM_DROP_NOT_NEIGHBOR] = "not-a-neighbor",
	[PIM_DROP_UNSUPPORTED] = "unsupported-type",
	[PIM_DROP_BSM_RPF] = "bootstrap-not-from-rpf",
	[PIM_DROP_BSM_NOT_PREFERRED] = "bootstrap-not-preferred",
	[PIM_DROP_BSM_FILTERED] = "bootstrap-filtered",
	[PIM_DROP_BSM_UNEXPECTED] = "bootstrap-unexpected",
	[PIM_DROP_CRP_NOT_BSR] = "candidate-rp-advertisement-not-bsr",
};

const char *
pim_drop_name(enum pim_drop d)
{
	return d < PIM_DROP_MAX ? drop_names[d] : "?";
}

bool
pim_is_dr(const struct pim_if *pif)
{
	return pif->dr.s_addr == pif->addr.s_addr;
}

void
pim_send(struct pim_if *pif, struct in_addr dst, const uint8_t *buf, size_t len,
    enum pim_type type)
{
	char a[INET_ADDRSTRLEN];

	if (type != PIM_HELLO)
		hello_first(pif);
	if (raw_send(pim_fd, pif->ifp->ifindex, pif->addr, dst, buf, len, 1) < 0) {
		log_warn("pim %s: send %s to %s", pif->ifp->name, pim_type_name(type),
		    inet_ntop(AF_INET, &dst, a, sizeof(a)));
		return;
	}
	pif->cnt.tx[type]++;
}

void
pim_send_unicast(struct in_addr src, struct in_addr dst, const uint8_t *buf, size_t len,
    enum pim_type type)
{
	struct iface *ifp;
	char a[INET_ADDRSTRLEN];

	/* Unicast goes where the kernel's routes say, with a normal TTL. */
	if (raw_send(pim_fd, 0, src, dst, buf, len, 64) < 0) {
		log_warn("pim: send %s to %s", pim_type_name(type),
		    inet_ntop(AF_INET, &dst, a, sizeof(a)));
		return;
	}
	TAILQ_FOREACH(ifp, &ifaces, entry)
		if (ifp->pim != NULL && ifp->primary.s_addr == src.s_addr)
			ifp->pim->cnt.tx[type]++;
}

void
pim_drop(struct pim_if *pif, enum pim_drop why, struct in_addr src, const char *detail)
{
	char a[INET_ADDRSTRLEN];

	pif->cnt.drop[why]++;
	log_warnx_rl("pim %s: dropped a message from %s: %s%s%s", pif->ifp->name,
	    inet_ntop(AF_INET, &src, a, sizeof(a)), pim_drop_name(why),
	    detail ? ": " : "", detail ? detail : "");
}

/* Messages that only make sense between neighbours on one link (§4.9). */
static bool
link_local_type(enum pim_type t)
{
	return t == PIM_HELLO || t == PIM_JOIN_PRUNE || t == PIM_ASSERT;
}

/* RFC 5059: Bootstrap and Candidate-RP-Advertisement go to bsr.c. */
static void
bsr_msg(struct pim_if *pif, enum pim_type type, const struct raw_rx *rx,
    const uint8_t *body, size_t len)
{
	struct pim_bsm m;
	struct pim_crp_adv a;
	enum pim_err e;

	e = type == PIM_BOOTSTRAP ? pim_bsm_decode(rx->payload, rx->len, &m) :
	    pim_crp_adv_decode(body, len, &a);
	if (e != PIM_OK) {
		pif->cnt.decode[e]++;
		pim_drop(pif, PIM_DROP_DECODE, rx->src, pim_err_name(e));
	} else if (type == PIM_BOOTSTRAP)
		bsr_recv(pif, rx, &m);
	else
		bsr_crp_adv_recv(pif, rx, &a);
}

static void
pim_input(struct pim_if *pif, const struct raw_rx *rx)
{
	const uint8_t *body;
	enum pim_type type;
	enum pim_err e;
	size_t len;

	if ((e = pim_decode_header(rx->payload, rx->len, &type, &body, &len)) != PIM_OK) {
		pif->cnt.decode[e]++;
		pim_drop(pif, PIM_DROP_DECODE, rx->src, pim_err_name(e));
		return;
	}
	pif->cnt.rx[type]++;
	if (pif->ifp->cfg->pim.passive) {
		pim_drop(pif, PIM_DROP_PASSIVE, rx->src, pim_type_name(type));
		return;
	}
	if (link_local_type(type) && rx->dst.s_addr != all_routers.s_addr) {
		pim_drop(pif, PIM_DROP_DESTINATION, rx->src, pim_type_name(type));
		return;
	}
	if (link_local_type(type) && !iface_on_link(pif->ifp, rx->src)) {
		pim_drop(pif, PIM_DROP_SUBNET, rx->src, pim_type_name(type));
		return;
	}
	switch (type) {
	case PIM_HELLO:
		hello_recv(pif, rx->src, body, len);
		break;
	case PIM_JOIN_PRUNE:
		jp_recv(pif, rx->src, body, len);
		break;
	case PIM_REGISTER:
		register_recv(pif, rx, body, len);
		break;
	case PIM_REGISTER_STOP:
		register_stop_recv(pif, rx->src, body, len);
		break;
	case PIM_ASSERT:
		assert_recv(pif, rx->src, body, len);
		break;
	case PIM_BOOTSTRAP:
	case PIM_CRP_ADV:
		bsr_msg(pif, type, rx, body, len);
		break;
	default:
		pim_drop(pif, PIM_DROP_UNSUPPORTED, rx->src, pim_type_name(type));
		break;
	}
}

static void
pim_read(int fd, void *arg)
{
	for (int i = 0; i < PIM_READ_BURST; i++) {
		struct iface *ifp;
		struct raw_rx rx;
		int rc;

		if ((rc = raw_recv(fd, pim_buf, PIM_BUFSIZE, &rx)) < 0)
			return;
		if (rc == 0)
			continue;	/* raw_recv logged a bad IP header */
		if ((ifp = iface_find_index(rx.ifindex)) == NULL || ifp->pim == NULL)
			continue;	/* not a PIM interface of ours */
		if (rx.src.s_addr == ifp->pim->addr.s_addr)
			continue;	/* our own */
		pim_input(ifp->pim, &rx);
	}
}

static uint32_t
new_genid(void)
{
	uint32_t g;

	if (getrandom(&g, sizeof(g), 0) != sizeof(g))
		g = (uint32_t)random();
	return g;
}

static void
pim_start(struct iface *ifp)
{
	struct pim_if *pif;
	char a[INET_ADDRSTRLEN];

	if ((pif = calloc(1, sizeof(*pif))) == NULL)
		fatal("pim_start");
	pif->ifp = ifp;
	pif->addr = ifp->primary;
	pif->dr = ifp->primary;
	pif->genid = new_genid();
	pif->passive = ifp->cfg->pim.passive;
	pif->started = clock_ms();
	TAILQ_INIT(&pif->nbrs);
	jp_init(pif);
	ifp->pim = pif;
	log_info("pim %s: PIM on %s%s, generation ID %08x", ifp->name,
	    inet_ntop(AF_INET, &pif->addr, a, sizeof(a)),
	    ifp->cfg->pim.passive ? " (passive)" : "", pif->genid);
	/* Passive too, so that Hellos arriving there are seen and counted. */
	raw_join(pim_fd, ifp->ifindex, all_routers);
	if (!pif->passive)
		hello_start(pif);
}

static void
pim_stop(struct iface *ifp)
{
	struct pim_if *pif = ifp->pim;
	bool active = !pif->passive;

	jp_fini(pif);		/* prunes queued on the way out still go */
	/* §4.3.1: a Hello with holdtime 0 tells neighbours at once. */
	if (active && ifp->ifindex != 0 && iface_oper(ifp) == IFACE_UP)
		hello_goodbye(pif);
	else
		timer_free(&pif->hello_timer);
	nbr_flush(pif);
	if (ifp->ifindex != 0)
		raw_leave(pim_fd, ifp->ifindex, all_routers);
	ifp->pim = NULL;
	free(pif);
	log_info("pim %s: stopped", ifp->name);
}

void
pim_iface_update(struct iface *ifp)
{
	bool want = !ifp->removed && ifp->cfg->pim.enable &&
	    iface_oper(ifp) == IFACE_UP && ifp->primary.s_addr != INADDR_ANY &&
	    pim_fd >= 0;
	struct pim_if *pif = ifp->pim;

	/* A new address or passive setting starts afresh, with a new GenID. */
	if (pif != NULL && (!want || pif->addr.s_addr != ifp->primary.s_addr ||
	    pif->passive != ifp->cfg->pim.passive))
		pim_stop(ifp);
	if (want && ifp->pim == NULL)
		pim_start(ifp);
	else if (want && !ifp->pim->passive) {
		/* Neighbours hear new settings now, not a Hello_Period later. */
		hello_update(ifp->pim);
		nbr_elect_dr(ifp->pim);
	}
}

int
pim_init(void)
{
	inet_pton(AF_INET, PIM_ALL_ROUTERS, &all_routers);
	if ((pim_fd = raw_open(IPPROTO_PIM, false)) < 0)
		return -1;
	if ((pim_buf = malloc(PIM_BUFSIZE)) == NULL ||
	    (pim_io = ev_io_add(pim_fd, pim_read, NULL)) == NULL)
		fatal("pim_init");
	return 0;
}

void
pim_fini(void)
{
	struct iface *ifp;

	TAILQ_FOREACH(ifp, &ifaces, entry)
		if (ifp->pim != NULL)
			pim_stop(ifp);
	ev_io_del(pim_io);
	if (pim_fd >= 0)
		close(pim_fd);
	free(pim_buf);
	pim_fd = -1;
	pim_io = NULL;
	pim_buf = NULL;
}
