/* SPDX-License-Identifier: ISC */
/*
 * PIM Hello, RFC 7761 §4.3.1 and §4.9.2.
 *
 * Hellos go out every Hello_Period with our holdtime, DR priority,
 * Generation ID, LAN Prune Delay (T bit clear: we do join suppression) and
 * our secondary addresses.  The first one, and one after a new neighbour
 * or a restarted one, waits rand(0, Triggered_Hello_Delay) so routers
 * starting together do not all speak at once; unless a Join/Prune or an
 * Assert must go before that (hello_first).
 */
#include <arpa/inet.h>
#include <string.h>

#include "config.h"
#include "hello.h"
#include "iface.h"
#include "nbr.h"
#include "pim.h"
#include "pimd.h"

#define HELLO_MAX_LEN	256

static void
hello_fill(const struct pim_if *pif, struct pim_hello *h, uint16_t holdtime)
{
	const struct cfg_pim_if *c = &pif->ifp->cfg->pim;
	const struct iface *ifp = pif->ifp;

	memset(h, 0, sizeof(*h));
	h->has_holdtime = true;
	h->holdtime = holdtime;
	h->has_lan_prune_delay = true;
	h->propagation_delay = c->propagation_delay;
	h->override_interval = c->override_interval;
	h->has_dr_priority = true;
	h->dr_priority = c->dr_priority;
	h->has_genid = true;
	h->genid = pif->genid;
	/* §4.3.4: the other addresses of the interface, so joins to them count. */
	for (unsigned i = 0; i < ifp->naddr && h->naddr < PIM_HELLO_MAX_ADDRS; i++)
		if (ifp->addrs[i].addr.s_addr != pif->addr.s_addr)
			h->addrs[h->naddr++] = ifp->addrs[i].addr;
}

static void
hello_send(struct pim_if *pif, const struct pim_hello *h)
{
	uint8_t buf[HELLO_MAX_LEN];
	struct in_addr dst;
	size_t len;

	if ((len = pim_hello_encode(buf, sizeof(buf), h)) == 0) {
		log_warnx("pim %s: Hello does not fit", pif->ifp->name);
		return;
	}
	pif->sent = *h;
	inet_pton(AF_INET, PIM_ALL_ROUTERS, &dst);
	pim_send(pif, dst, buf, len, PIM_HELLO);
}

static void
hello_expired(void *arg)
{
	struct pim_if *pif = arg;
	const struct cfg_pim_if *c = &pif->ifp->cfg->pim;
	struct pim_hello h;

	hello_fill(pif, &h, c->hello_holdtime);
	hello_send(pif, &h);
	timer_start(&pif->hello_timer, c->hello_interval * 1000u);
}

/*
 * §4.3.1: a Join/Prune or Assert on an interface where no Hello has gone
 * out yet is preceded by one at once, or neighbours would drop it as from
 * a stranger, and a lost Join waits a whole t_periodic.
 */
void
hello_first(struct pim_if *pif)
{
	if (!pif->passive && !pif->sent.has_holdtime)
		hello_expired(pif);
}

void
hello_start(struct pim_if *pif)
{
	timer_init(&pif->hello_timer, hello_expired, pif);
	hello_trigger(pif);
}

void
hello_trigger(struct pim_if *pif)
{
	uint32_t max = PIM_TRIGGERED_HELLO_DELAY_MS;
	uint32_t period = pif->ifp->cfg->pim.hello_interval * 1000u;
	uint32_t delay;

	/* Short test periods must not wait longer than one period. */
	if (period < max)
		max = period;
	delay = rand_ms(0, max);
	if (!timer_pending(&pif->hello_timer) || timer_remaining(&pif->hello_timer) > delay)
		timer_start(&pif->hello_timer, delay);
}

void
hello_update(struct pim_if *pif)
{
	struct pim_hello h;

	hello_fill(pif, &h, pif->ifp->cfg->pim.hello_holdtime);
	/*
	 * A new DR priority moves the DR at once here (nbr_elect_dr): the
	 * neighbours must hear it as soon, or no router serves the LAN's
	 * members and sources until the triggered Hello (§4.3.2).  It goes
	 * in the next pass of the event loop, once this router has applied
	 * the change: a DR stepping down stops before the next one starts.
	 */
	if (pif->sent.has_dr_priority && h.dr_priority != pif->sent.dr_priority)
		timer_start(&pif->hello_timer, 0);
	else if (memcmp(&h, &pif->sent, sizeof(h)) != 0)
		hello_trigger(pif);
}

/* The last Hello again with holdtime 0; nothing if none was sent yet. */
void
hello_goodbye(struct pim_if *pif)
{
	struct pim_hello h = pif->sent;

	timer_free(&pif->hello_timer);
	if (!h.has_holdtime)
		return;
	h.holdtime = 0;
	hello_send(pif, &h);
}

void
hello_recv(struct pim_if *pif, struct in_addr src, const uint8_t *body, size_t len)
{
	struct pim_hello h;
	enum pim_err e;

	if ((e = pim_hello_decode(body, len, &h)) != PIM_OK) {
		pif->cnt.decode[e]++;
		pif->cnt.drop[PIM_DROP_DECODE]++;
		log_warnx_rl("pim %s: dropped a Hello: %s", pif->ifp->name,
		    pim_err_name(e));
		return;
	}
	nbr_hello(pif, src, &h);
}
