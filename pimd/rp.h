/* SPDX-License-Identifier: ISC */
/*
 * The RP set (RFC 7761 §4.7): which Rendezvous Point serves a group.
 *
 * The set has two sources: the static config (each configured RP with the
 * group ranges it serves, and the SSM range, whose groups have no RP, RFC
 * 4607) and the RP-set the BSR announces (bsr.c).  A group is served by
 * the RP whose range matches it with the longest prefix.  Between static
 * RPs of one range the highest address wins (as yang/pimd.yang and
 * pimd.conf(5) document); between the BSR's RPs of one range the lowest
 * priority value, then the highest rp_hash(), then the highest address
 * (§4.7.1, §4.7.2).  A static range wins over a BSR range of the same
 * length: what the operator typed is not overridden.
 */
#ifndef PIMD_RP_H
#define PIMD_RP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"

/*
 * Rebuild the set from a config (the first one or a reload).  Each change of
 * the RP serving a group range, and of the SSM range, is logged, and the
 * listener is called once when anything changed.
 */
void	rp_apply_config(const struct config *);
void	rp_fini(void);

/* Called after rp_apply_config() or rp_set_bsr() changed the RP of some groups. */
void	rp_set_listener(void (*fn)(void));

/* An RP of the BSR's RP-set and the range it is for. */
struct rp_bsr {
	struct cfg_prefix grp;
	struct in_addr	rp;
	uint8_t		priority;	/* the lower the better */
};

/* The BSR's RP-set (copied) and hash mask length, replacing the last one. */
void	rp_set_bsr(const struct rp_bsr *set, unsigned n, uint8_t hash_masklen);

/* RP(G), or INADDR_ANY when no RP serves grp or grp is in the SSM range. */
struct in_addr rp_for_group(struct in_addr grp);

enum rp_origin {
	RP_ORIGIN_NONE,		/* no RP serves the group */
	RP_ORIGIN_SSM,		/* in the SSM range: no RP */
	RP_ORIGIN_STATIC,
	RP_ORIGIN_BSR,
};

/* RP(G) and why: the range that matched and, from the BSR, priority and hash. */
struct rp_choice {
	enum rp_origin	origin;
	struct in_addr	rp;		/* INADDR_ANY unless static or BSR */
	struct cfg_prefix range;
	uint8_t		priority;	/* BSR only */
	uint8_t		hash_masklen;	/* BSR only */
	uint32_t	hash;		/* BSR only: Value(G, M, C) */
};

void	rp_explain(struct in_addr grp, struct rp_choice *);
/* The BSR's RP-set has rp for a range that grp is in. */
bool	rp_bsr_lists(struct in_addr grp, struct in_addr rp);
const char *rp_origin_name(enum rp_origin);
bool	rp_in_ssm(struct in_addr grp);
/* The address is one of this router's: this router is that RP. */
bool	rp_is_local(struct in_addr rp);

/* RFC 7761 §4.7.2: Value(G, M, C) for group grp, hash mask length masklen. */
uint32_t rp_hash(struct in_addr grp, uint8_t masklen, struct in_addr rp);

/* Every configured RP in address order, with the ranges configured for it. */
void	rp_foreach(void (*fn)(struct in_addr rp, const struct cfg_prefix *groups,
	    unsigned ngroups, bool local, void *arg), void *arg);

#endif
