/* SPDX-License-Identifier: ISC */
/*
 * The elected BSR's Candidate-RP set (RFC 5059 §3.3): the group-to-RP
 * mappings Candidate-RP-Advertisements bring, each on its own holdtime,
 * and the Bootstrap message built from them.
 */
#ifndef PIMD_BSR_CRP_H
#define PIMD_BSR_CRP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pim_msg.h"

/* changed() is called when a mapping expires (the others come from crpset_adv). */
void	crpset_init(void (*changed)(void));
void	crpset_fini(void);
/* Forget every mapping (this router is no longer the BSR). */
void	crpset_clear(void);

/*
 * Apply an advertisement: each range it lists (224.0.0.0/4 when none, §3.3)
 * gets a mapping to its RP, or loses it with holdtime 0.  True when the
 * RP-set changed: a mapping came or went, or a priority changed.
 */
bool	crpset_adv(const struct pim_crp_adv *a);

/*
 * Build the BSM: every range with its RPs, and each range that lost its
 * last RP within withdraw_ms with RP count 0 (§4.1.1), in fragments of at
 * most mtu bytes with the fields of hdr.  An RP's holdtime is raised to
 * min_holdtime when lower (§3.3: it must outlast BS_Period).  emit() gets
 * each fragment; the number of fragments is returned.
 */
unsigned crpset_build(const struct pim_bsm *hdr, uint16_t min_holdtime, size_t mtu,
	    uint32_t withdraw_ms, void (*emit)(uint8_t *msg, size_t len, void *arg), void *arg);

/* Every mapping, for show. */
void	crpset_foreach(void (*fn)(struct in_addr grp, uint8_t masklen, struct in_addr rp,
	    uint8_t priority, uint16_t holdtime, uint32_t expires_ms, void *arg), void *arg);

#endif
