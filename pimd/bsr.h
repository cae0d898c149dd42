/* SPDX-License-Identifier: ISC */
/*
 * The Bootstrap Router mechanism (RFC 5059): the election of the BSR, as
 * a Candidate-BSR or not, the RP-set the BSR announces, the Bootstrap
 * messages passed on, and those this router originates when elected.
 */
#ifndef PIMD_BSR_H
#define PIMD_BSR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "pim_msg.h"

struct config;
struct pim_if;
struct raw_rx;

/* The states of both machines: §3.1.2 Non-Candidate-BSR, §3.1.1 Candidate-BSR. */
enum bsr_state {
	BSR_NO_INFO,
	BSR_ACCEPT_ANY,
	BSR_ACCEPT_PREFERRED,
	BSR_CANDIDATE,		/* C-BSR: another router is the preferred BSR */
	BSR_PENDING,		/* P-BSR: none is, this one is not elected yet */
	BSR_ELECTED,		/* E-BSR */
	BSR_STATE_MAX
};

/* The events of §3.1.1 and §3.1.2. */
enum bsr_event {
	BSR_EV_PREFERRED,	/* Receive Preferred BSM */
	BSR_EV_NOT_PREFERRED,	/* Receive Non-preferred BSM */
	BSR_EV_NOT_PREFERRED_ELECTED, /* ... from the Elected BSR (C-BSR only) */
	BSR_EV_BS_TIMER,	/* Bootstrap Timer expires */
	BSR_EV_SZ_TIMER,	/* Scope-Zone Expiry Timer expires */
	BSR_EV_MAX
};

enum bsr_action {
	BSR_ACT_NONE,		/* no transition: nothing happens */
	BSR_ACT_ACCEPT,		/* forward the BSM, store its RP-set, BST = BS_Timeout */
	BSR_ACT_DROP,		/* drop the BSM */
	BSR_ACT_CLEAR,		/* cancel the timers, clear the state and the RP-set */
	BSR_ACT_FORWARD,	/* forward the BSM only */
	BSR_ACT_OVERRIDE,	/* BST = BS_Rand_Override */
	BSR_ACT_FORWARD_OVERRIDE, /* forward the BSM; BST = BS_Rand_Override */
	BSR_ACT_ORIGINATE,	/* originate a BSM; BST = BS_Period */
};

/* RFC 5059 §5, from BS_Period (bsr/bootstrap-period, 60 s by default). */
#define BSR_DEFAULT_PERIOD_S	60
#define BSR_MIN_INTERVAL_MS	10000u	/* BS_Min_Interval between originated BSMs */

/* The table: the action and next state for event in state. */
enum bsr_action bsr_fsm(enum bsr_state state, enum bsr_event ev, enum bsr_state *next);
const char *bsr_state_name(enum bsr_state);

/*
 * A Bootstrap message pim_input() decoded: from m->bsr's RPF neighbour on
 * the RPF interface (multicast), or from a neighbour (unicast, §3.4), it
 * runs the machine; otherwise it is dropped and counted.
 */
void	bsr_recv(struct pim_if *pif, const struct raw_rx *rx, const struct pim_bsm *m);
/* A Candidate-RP-Advertisement: taken only by the elected BSR (§3.3). */
void	bsr_crp_adv_recv(struct pim_if *pif, const struct raw_rx *rx,
	    const struct pim_crp_adv *a);
/* The same from this router's own Candidate-RP, when it is the BSR. */
void	bsr_crp_adv_local(const struct pim_crp_adv *a);
/* A new or restarted neighbour gets the current BSM (§3.5), after our Hello. */
void	bsr_nbr_new(struct pim_if *pif, struct in_addr nbr);

/* Candidate-BSR or not, BS_Period; from the first config and each reload. */
void	bsr_apply_config(const struct config *);
/* Called when the BSR address changes (crp.c advertises to the new one). */
void	bsr_set_listener(void (*fn)(void));
/* Before PIM stops: an elected BSR's last BSM, at priority 0 (§3.3). */
void	bsr_shutdown(void);
void	bsr_fini(void);

/* BS_Timeout for bootstrap-period period_s: 2 x BS_Period + 10 s (§5). */
uint32_t bsr_bs_timeout_ms(uint16_t period_s);
/*
 * BS_Rand_Override (§5), in ms, for a candidate of priority prio and
 * address addr, when the best BSR known has best_prio and best_addr.
 */
uint32_t bsr_rand_override_ms(uint8_t prio, struct in_addr addr, uint8_t best_prio,
	    struct in_addr best_addr);

struct bsr_info {
	enum bsr_state	state;
	bool		candidate;	/* a Candidate-BSR: the §3.1.1 machine */
	struct in_addr	addr;		/* the BSR: INADDR_ANY in NoInfo */
	uint8_t		priority;
	uint8_t		hash_masklen;
	uint64_t	since_ms;	/* clock_ms() when it became our BSR */
	uint32_t	bs_timer_ms;	/* remaining; 0: stopped */
};

void	bsr_get(struct bsr_info *);
/* Every RP of the stored RP-set, by range. */
void	bsr_rpset_foreach(void (*fn)(struct in_addr grp, uint8_t masklen,
	    struct in_addr rp, uint8_t priority, uint32_t expires_ms, void *arg), void *arg);

#endif
