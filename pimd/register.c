/* SPDX-License-Identifier: ISC */
/*
 * Register and Register-Stop, RFC 7761 §4.4.
 *
 * First-hop DR (§4.4.1): while CouldRegister(S,G) holds, the register VIF
 * is in the (S,G) MFC entry's outgoing list, so the kernel hands us each
 * packet (WHOLEPKT) and we send it to the RP in a Register.  A
 * Register-Stop takes the VIF out for a randomised Register_Suppression_Time;
 * a Null-Register Register_Probe_Time before it ends asks the RP whether it
 * still wants the data.
 *
 * RP (§4.4.2): the kernel decapsulates Registers itself (MRT_PIM) and
 * feeds the inner packets in through the register VIF; here the RP only
 * decides whether to answer with a Register-Stop.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "cksum.h"
#include "config.h"
#include "iface.h"
#include "netlink.h"
#include "pim.h"
#include "pimd.h"
#include "rawsock.h"
#include "register.h"
#include "rp.h"
#include "rpf.h"
#include "sg.h"

#define REG_MAX_LEN	65535

/* What a first-hop DR keeps for an (S,G) while its Register state is not NoInfo. */
struct sg_reg_state {
	struct timer	timer;		/* Register-Stop Timer */
	struct in_addr	rp;		/* the RP the tunnel goes to */
	struct in_addr	src;		/* our address toward the RP */
};

const char *
sg_reg_name(enum sg_reg r)
{
	static const char *const names[] = {
		[SG_REG_NO_INFO] = "no-info",
		[SG_REG_JOIN] = "join",
		[SG_REG_JOIN_PENDING] = "join-pending",
		[SG_REG_PRUNE] = "prune",
	};

	return names[r];
}

/* Register-Stop timer: rand(0.5, 1.5) x Register_Suppression_Time - Register_Probe_Time. */
static uint32_t
reg_suppression_ms(void)
{
	uint32_t rst = pimd.conf->register_suppression_time * 1000u;
	uint32_t probe = pimd.conf->register_probe_time * 1000u;
	uint32_t t = jitter_ms(rst, 50, 150);

	return t > probe ? t - probe : 0;
}

/* Our source address toward the RP: the route's, else its interface's (§4.4.1). */
static struct in_addr
reg_lookup_source(struct in_addr rp)
{
	struct netlink_route r;
	struct iface *ifp;
	struct in_addr none = { INADDR_ANY };

	if (netlink_route_lookup(rp, &r) < 0)
		return none;
	if (r.prefsrc.s_addr != INADDR_ANY)
		return r.prefsrc;
	if ((ifp = iface_find_index(r.ifindex)) != NULL)
		return ifp->primary;
	return none;
}

/*
 * Thousands of sources may start registering within a second, all toward
 * the same RP: the answer is kept until a route event may have changed it.
 */
static struct in_addr
reg_source(struct in_addr rp)
{
	static struct {
		bool		valid;
		uint32_t	generation;
		struct in_addr	rp, src;
	} last;

	if (!last.valid || last.rp.s_addr != rp.s_addr ||
	    last.generation != rpf_generation()) {
		last.src = reg_lookup_source(rp);
		last.rp = rp;
		last.generation = rpf_generation();
		last.valid = true;
	}
	return last.src;
}

static void
reg_send(struct sg *sg, const uint8_t *buf, size_t len)
{
	struct in_addr rp = rp_for_group(sg->grp);

	if (rp.s_addr == INADDR_ANY)
		return;
	pim_send_unicast(sg->regst->src, rp, buf, len, PIM_REGISTER);
}

static void
reg_set(struct sg *sg, enum sg_reg state)
{
	if (sg->reg == state)
		return;
	log_debug(DBG_PIM, "register (%s): %s -> %s", inet_ntoa(sg->src),
	    sg_reg_name(sg->reg), sg_reg_name(state));
	sg->reg = state;
}

static void
reg_timer_expired(void *arg)
{
	struct sg *sg = arg;
	uint8_t buf[PIM_NULL_REGISTER_LEN];
	size_t len;

	switch (sg->reg) {
	case SG_REG_PRUNE:
		/* Ask the RP with a Null-Register whether it still wants data. */
		reg_set(sg, SG_REG_JOIN_PENDING);
		if ((len = pim_null_register_encode(buf, sizeof(buf), sg->src, sg->grp)) > 0)
			reg_send(sg, buf, len);
		timer_start(&sg->regst->timer, pimd.conf->register_probe_time * 1000u);
		break;
	case SG_REG_JOIN_PENDING:
		/* No Register-Stop came back: register again. */
		reg_set(sg, SG_REG_JOIN);
		sg_update(sg);
		break;
	default:
		break;
	}
}

void
reg_could_register(struct sg *sg, bool could)
{
	if (could && sg->reg == SG_REG_NO_INFO) {
		if ((sg->regst = calloc(1, sizeof(*sg->regst))) == NULL)
			fatal("register: out of memory");
		timer_init(&sg->regst->timer, reg_timer_expired, sg);
		sg->regst->rp = rp_for_group(sg->grp);
		sg->regst->src = reg_source(sg->regst->rp);
		reg_set(sg, SG_REG_JOIN);
	} else if (!could && sg->reg != SG_REG_NO_INFO) {
		reg_free(sg);
	}
}

/*
 * §4.4.1, RP changed: the tunnel goes to the new RP, and a Register-Stop
 * from the old one no longer holds: register to the new one at once.
 */
void
reg_rp_changed(struct sg *sg)
{
	struct in_addr rp = rp_for_group(sg->grp);
	char a[INET_ADDRSTRLEN];

	if (sg->reg == SG_REG_NO_INFO || sg->regst->rp.s_addr == rp.s_addr)
		return;
	log_debug(DBG_PIM, "register (%s): RP now %s", inet_ntoa(sg->src),
	    inet_ntop(AF_INET, &rp, a, sizeof(a)));
	sg->regst->rp = rp;
	sg->regst->src = reg_source(rp);
	timer_stop(&sg->regst->timer);
	reg_set(sg, SG_REG_JOIN);
}

void
reg_stop_received(struct sg *sg)
{
	if (sg->reg != SG_REG_JOIN && sg->reg != SG_REG_JOIN_PENDING)
		return;
	reg_set(sg, SG_REG_PRUNE);
	timer_start(&sg->regst->timer, reg_suppression_ms());
	sg_update(sg);
}

void
reg_send_data(struct sg *sg, const uint8_t *pkt, size_t len)
{
	static uint8_t buf[REG_MAX_LEN];
	size_t n;

	if (sg->reg != SG_REG_JOIN)
		return;
	if ((n = pim_register_encode(buf, sizeof(buf), false, pkt, len)) == 0)
		return;
	udp_cksum_fill(buf + n - len, len);
	reg_send(sg, buf, n);
}

void
reg_free(struct sg *sg)
{
	if (sg->regst != NULL) {
		timer_free(&sg->regst->timer);
		free(sg->regst);
		sg->regst = NULL;
	}
	reg_set(sg, SG_REG_NO_INFO);
}

static void
send_register_stop(struct in_addr from, struct in_addr to, struct in_addr src,
    struct in_addr grp)
{
	uint8_t buf[64];
	size_t len;

	if ((len = pim_register_stop_encode(buf, sizeof(buf), grp, src)) > 0)
		pim_send_unicast(from, to, buf, len, PIM_REGISTER_STOP);
}

/* §4.4.2: a Register reached this router. */
void
register_recv(struct pim_if *pif, const struct raw_rx *rx, const uint8_t *body, size_t len)
{
	struct pim_register r;
	struct in_addr rp;
	char sa[INET_ADDRSTRLEN], da[INET_ADDRSTRLEN], ga[INET_ADDRSTRLEN];
	enum pim_err e;

	if ((e = pim_register_decode(body, len, &r)) != PIM_OK) {
		pif->cnt.decode[e]++;
		pif->cnt.drop[PIM_DROP_DECODE]++;
		log_warnx_rl("pim %s: dropped a Register: %s", pif->ifp->name,
		    pim_err_name(e));
		return;
	}
	rp = rp_for_group(r.group);
	/*
	 * Sent to one of our addresses that the BSR's RP-set lists for the
	 * group, but not RP(G) here: the DR had the new RP-set first.  A
	 * Register-Stop would silence it for Register_Suppression_Time; let
	 * the next Register find this router the RP (RFC 5059 §3.3 floods the
	 * set hop by hop, so routers learn it one after the other).
	 */
	if (rp.s_addr != rx->dst.s_addr && rp_bsr_lists(r.group, rx->dst) &&
	    rp_is_local(rx->dst)) {
		log_debug(DBG_PIM, "register (%s): to %s, not yet the RP of %s here: dropped",
		    inet_ntop(AF_INET, &r.source, sa, sizeof(sa)),
		    inet_ntop(AF_INET, &rx->dst, da, sizeof(da)),
		    inet_ntop(AF_INET, &r.group, ga, sizeof(ga)));
		return;
	}
	/* Not the RP for the group at that address: tell the DR to stop. */
	if (rp.s_addr != rx->dst.s_addr || !rp_is_local(rp) ||
	    sg_register_received(r.source, r.group, r.null_register))
		send_register_stop(rx->dst, rx->src, r.source, r.group);
}

void
register_stop_recv(struct pim_if *pif, struct in_addr src, const uint8_t *body, size_t len)
{
	struct pim_register_stop rs;
	enum pim_err e;

	if ((e = pim_register_stop_decode(body, len, &rs)) != PIM_OK) {
		pif->cnt.decode[e]++;
		pif->cnt.drop[PIM_DROP_DECODE]++;
		log_warnx_rl("pim %s: dropped a Register-Stop: %s", pif->ifp->name,
		    pim_err_name(e));
		return;
	}
	sg_register_stop(rs.source, rs.group);
}
