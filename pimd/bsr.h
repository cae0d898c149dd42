/* SPDX-License-Identifier: ISC */
/*
 * The Bootstrap Router mechanism (RFC 5059), as a router that is no
 * candidate: which BSR it listens to, the RP-set that BSR announces, and
 * the Bootstrap messages it passes on.
 */
#ifndef PIMD_BSR_H
#define PIMD_BSR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "pim_msg.h"

struct pim_if;
struct raw_rx;

/* §3.1.2 Non-Candidate-BSR states. */
enum bsr_state {
	BSR_NO_INFO,
	BSR_ACCEPT_ANY,
	BSR_ACCEPT_PREFERRED,
	BSR_STATE_MAX
};

/* §3.1.2's events. */
enum bsr_event {
	BSR_EV_PREFERRED,	/* Receive Preferred BSM */
	BSR_EV_NOT_PREFERRED,	/* Receive Non-preferred BSM */
	BSR_EV_BS_TIMER,	/* Bootstrap Timer expires */
	BSR_EV_SZ_TIMER,	/* Scope-Zone Expiry Timer expires */
	BSR_EV_MAX
};

enum bsr_action {
	BSR_ACT_NONE,		/* no transition: nothing happens */
	BSR_ACT_ACCEPT,		/* forward the BSM, store its RP-set, set BST and SZT */
	BSR_ACT_DROP,		/* drop the BSM */
	BSR_ACT_CLEAR,		/* cancel the timers, clear the state and the RP-set */
};

/* RFC 5059 §5. */
#define BSR_BS_TIMEOUT_MS	130000u
#define BSR_SZ_TIMEOUT_MS	1300000u	/* 10 x BS_Timeout */

/* The table: the action and next state for event in state. */
enum bsr_action bsr_fsm(enum bsr_state state, enum bsr_event ev, enum bsr_state *next);
const char *bsr_state_name(enum bsr_state);

/*
 * A Bootstrap message pim_input() decoded: from m->bsr's RPF neighbour on
 * the RPF interface (multicast), or from a neighbour (unicast, §3.4), it
 * runs the machine; otherwise it is dropped and counted.
 */
void	bsr_recv(struct pim_if *pif, const struct raw_rx *rx, const struct pim_bsm *m);
void	bsr_fini(void);

struct bsr_info {
	enum bsr_state	state;
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
