/* SPDX-License-Identifier: ISC */
/*
 * Asserts, RFC 7761 §4.6: where more than one router would forward the
 * same packets onto a LAN, they compare their routes toward the source (or
 * the RP) and only the winner forwards.  The (S,G) and (*,G) Assert state
 * machines per interface (§4.6.1, §4.6.2), the metrics (§4.6.3), and the
 * macros the routing state reads (§4.1.6, §4.6.5): lost_assert,
 * AssertWinner == me, and RPF' toward the winner.
 */
#ifndef PIMD_ASSERT_H
#define PIMD_ASSERT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include "event.h"

struct iface;
struct pim_if;
struct sg;

enum assert_state { ASSERT_NOINFO, ASSERT_WINNER, ASSERT_LOSER, ASSERT_STATE_MAX };

/* §4.6.3: compared RPT bit first (clear wins), then preference, metric, address. */
struct assert_metric {
	bool		rpt;		/* toward the RP, not the source */
	uint32_t	preference;	/* metric_preference, 31 bits */
	uint32_t	metric;
	struct in_addr	addr;		/* the router's address on the LAN */
};

/* The Assert state of one (S,G) or (*,G) entry on one interface, not NoInfo. */
struct assert_if {
	TAILQ_ENTRY(assert_if) entry;
	struct sg	*sg;
	struct iface	*ifp;
	enum assert_state state;
	struct assert_metric winner;	/* AssertWinner and AssertWinnerMetric */
	struct timer	timer;		/* Assert Timer */
	struct timer	handover;	/* won from a forwarding winner: not forwarding yet */
	bool		upstream;	/* lost while I was the RPF interface */
	struct in_addr	src;		/* (*,G): the source its Asserts name */
	uint64_t	since;
};

TAILQ_HEAD(assert_if_list, assert_if);

struct assert_counters {
	uint64_t	received;	/* well-formed, from a neighbour */
	uint64_t	malformed;	/* dropped: failed decoding */
	uint64_t	ignored;	/* no state machine had an event for it */
	uint64_t	sent;		/* Asserts and AssertCancels */
	uint64_t	cancels_sent;
	uint64_t	won;		/* transitions into I am Assert Winner */
	uint64_t	lost;		/* transitions into I am Assert Loser */
};

extern struct assert_counters assert_cnt;

/* A PIM Assert from neighbour src on pif (pim.c has checked where it went). */
void	assert_recv(struct pim_if *, struct in_addr src, const uint8_t *body, size_t len);
/* The kernel: (S,G) data arrived on vif, not the entry's incoming one (WRONGVIF). */
void	assert_wrongvif(struct in_addr src, struct in_addr grp, int vif);
/* Neighbour nbr on pif restarted or went away; the caller re-evaluates all entries. */
void	assert_nbr_gone(struct pim_if *, struct in_addr nbr);

/*
 * For sg.c.  assert_lost: lost_assert(S,G,I) or lost_assert(*,G,I), the
 * interface leaves the olists.  assert_won: AssertWinner == me, so local
 * members count there though we are not the DR.  assert_rpf_nbr: *nbr
 * becomes the winner where we lost on the RPF interface (§4.6.5).
 */
bool	assert_lost(const struct sg *, const struct iface *);
bool	assert_won(const struct sg *, const struct iface *);
void	assert_rpf_nbr(const struct sg *, const struct iface *, struct in_addr *nbr);
/*
 * The entry's inputs changed (sg_update, last): evaluate CouldAssert,
 * AssertTrackingDesired, the metrics and the RPF interface against the
 * machines.  true: a transition happened, so the olists must be computed
 * again.
 */
bool	assert_update(struct sg *);
/* A Join for the entry arrived on ifp, addressed to us. */
void	assert_join_received(struct sg *, struct iface *);
/* The entry goes: drop its Assert state. */
void	assert_free(struct sg *);

/* my_assert_metric() on the state's interface (for show). */
void	assert_my_metric(const struct assert_if *, struct assert_metric *);
const char *assert_state_name(enum assert_state);

#endif
