/* SPDX-License-Identifier: ISC */
/*
 * PIM neighbours (RFC 7761 §4.3): learnt from Hellos, timed out by their
 * holdtime, and the DR election over them (§4.3.2) and the LAN delay
 * values they advertise (§4.3.3).
 */
#ifndef PIMD_NBR_H
#define PIMD_NBR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "event.h"
#include "pim.h"
#include "pim_msg.h"

struct pim_nbr {
	TAILQ_ENTRY(pim_nbr) entry;
	struct pim_if	*pif;
	struct in_addr	addr;
	struct pim_hello hello;		/* the options of its last Hello */
	struct timer	liveness;	/* Neighbor Liveness Timer */
	uint64_t	created;
};

/* A Hello from src on pif: add, refresh, restart or remove the neighbour. */
void	nbr_hello(struct pim_if *, struct in_addr src, const struct pim_hello *);
struct pim_nbr *nbr_find(struct pim_if *, struct in_addr addr);
/* Remove every neighbour of the interface (PIM stops there). */
void	nbr_flush(struct pim_if *);
/* Run the DR election again (§4.3.2); true when the DR changed. */
bool	nbr_elect_dr(struct pim_if *);

/* §4.3.3: LAN delay values in force on the interface. */
bool	nbr_lan_delay_enabled(const struct pim_if *);
bool	nbr_suppression_enabled(const struct pim_if *);
uint16_t nbr_effective_propagation_delay(const struct pim_if *);
uint16_t nbr_effective_override_interval(const struct pim_if *);

#endif
