/* SPDX-License-Identifier: ISC */
/*
 * PIMv2 messages (RFC 7761 §4.9), IPv4 only: decoding into host-order
 * structs after every length and field check, and encoding into a caller's
 * buffer with the checksum filled in.  No sockets, no state, no logging.
 */
#ifndef PIMD_PIM_MSG_H
#define PIMD_PIM_MSG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* §4.9: the Type field of the PIM header. */
enum pim_type {
	PIM_HELLO = 0,
	PIM_REGISTER = 1,
	PIM_REGISTER_STOP = 2,
	PIM_JOIN_PRUNE = 3,
	PIM_BOOTSTRAP = 4,
	PIM_ASSERT = 5,
	PIM_GRAFT = 6,
	PIM_GRAFT_ACK = 7,
	PIM_CRP_ADV = 8,
	PIM_TYPE_MAX
};

/* Why a message was rejected; the counters and logs use these names. */
enum pim_err {
	PIM_OK,
	PIM_ERR_SHORT,		/* shorter than its type needs */
	PIM_ERR_VERSION,	/* not PIM version 2 */
	PIM_ERR_TYPE,		/* unknown type */
	PIM_ERR_CHECKSUM,
	PIM_ERR_ENCODING,	/* address family, encoding type or mask length */
	PIM_ERR_COUNT,		/* counts run past the end, or disagree */
	PIM_ERR_GROUP,		/* group address not multicast */
	PIM_ERR_OPTION,		/* malformed Hello option */
	PIM_ERR_MAX
};

const char *pim_err_name(enum pim_err);
const char *pim_type_name(enum pim_type);

#define PIM_HDR_LEN	4

/*
 * Check the header and checksum of a whole PIM message (the IP payload):
 * version 2, a known type, the checksum (§4.9; for a Register the first 8
 * bytes, or the whole message as some routers send it, §4.9.3).  On success
 * *type is set and body/body_len are what follows the 4-byte header.
 */
enum pim_err pim_decode_header(const uint8_t *buf, size_t len, enum pim_type *type,
	    const uint8_t **body, size_t *body_len);

/* ---- Hello (§4.9.2) ----------------------------------------------------- */

#define PIM_HELLO_MAX_ADDRS	16

struct pim_hello {
	bool		has_holdtime;		/* option 1, seconds */
	uint16_t	holdtime;
	bool		has_lan_prune_delay;	/* option 2 */
	bool		t_bit;			/* join suppression disabled */
	uint16_t	propagation_delay;	/* ms, 15 bits */
	uint16_t	override_interval;	/* ms */
	bool		has_dr_priority;	/* option 19 */
	uint32_t	dr_priority;
	bool		has_genid;		/* option 20 */
	uint32_t	genid;
	unsigned	naddr;			/* option 24: secondary addresses */
	struct in_addr	addrs[PIM_HELLO_MAX_ADDRS];
};

/*
 * Unknown options are skipped; a known one with the wrong length, or one
 * running past the end, is PIM_ERR_OPTION.  The address list keeps its
 * first PIM_HELLO_MAX_ADDRS IPv4 entries and skips IPv6 ones; any other
 * family or encoding is PIM_ERR_ENCODING.
 */
enum pim_err pim_hello_decode(const uint8_t *body, size_t len, struct pim_hello *h);
/*
 * The whole message, header included, with the options h has, in option
 * number order.  A propagation delay over 0x7fff is sent as 0x7fff and at
 * most PIM_HELLO_MAX_ADDRS addresses are sent.  Returns the length, 0 if it
 * does not fit in size.
 */
size_t	pim_hello_encode(uint8_t *buf, size_t size, const struct pim_hello *h);

/* ---- Join/Prune (§4.9.5) ------------------------------------------------ */

/* An Encoded-Source address (§4.9.1) with its Sparse, WildCard, RPT bits. */
struct pim_jp_source {
	struct in_addr	addr;
	uint8_t		masklen;
	bool		sparse, wildcard, rpt;
};

struct pim_jp_group {
	struct in_addr	group;
	uint8_t		masklen;
	uint16_t	njoin, nprune;
	const uint8_t	*srcs;		/* njoin joins, then nprune prunes */
};

struct pim_jp {
	struct in_addr	upstream;
	uint16_t	holdtime;	/* seconds */
	uint8_t		ngroups;
	const uint8_t	*groups;	/* checked by pim_jp_decode */
	size_t		len;		/* bytes the ngroups groups take */
};

/*
 * Checks the upstream address and every group and source before anything
 * is read; bytes after the last group are ignored.
 */
enum pim_err pim_jp_decode(const uint8_t *body, size_t len, struct pim_jp *jp);
/* Walk the groups: *off starts at 0; false after the last one. */
bool	pim_jp_next_group(const struct pim_jp *jp, size_t *off, struct pim_jp_group *g);
/* Source i of a group, i < njoin + nprune: the joins, then the prunes. */
void	pim_jp_source(const struct pim_jp_group *g, unsigned i, struct pim_jp_source *s);

/*
 * Building Join/Prunes to fit a size (the interface MTU minus the IP
 * header).  Entries may be added in any order: each goes into its group's
 * record (a group appears once per message, with mask length 32), joins
 * before prunes.  An entry added twice is sent twice.
 *
 *	pim_jp_begin(&b, buf, size, upstream, holdtime);
 *	for each entry:
 *		if (!pim_jp_add(&b, g, &s, join)) {
 *			send(buf, pim_jp_finish(&b));
 *			pim_jp_begin(&b, buf, size, upstream, holdtime);
 *			pim_jp_add(&b, g, &s, join);
 *		}
 *	if ((len = pim_jp_finish(&b)) > 0)
 *		send(buf, len);
 *
 * A message just begun always takes one entry when size is at least
 * PIM_JP_MIN_SIZE; below that every add fails.
 */
struct pim_jp_builder {
	uint8_t		*buf;
	size_t		size;
	size_t		len;
	/* private: */
	uint8_t		ngroups;
};

#define PIM_JP_MIN_SIZE	(PIM_HDR_LEN + 10 + 12 + 8)	/* one group, one source */

void	pim_jp_begin(struct pim_jp_builder *b, uint8_t *buf, size_t size,
	    struct in_addr upstream, uint16_t holdtime);
/* False when the message is full: finish it and begin another.  Needs masklen <= 32. */
bool	pim_jp_add(struct pim_jp_builder *b, struct in_addr group,
	    const struct pim_jp_source *src, bool join);
/*
 * Would a new group's record with nsources entries fit?  Always true for
 * an empty message, where a record too big for any message must go.
 */
bool	pim_jp_fits(const struct pim_jp_builder *b, unsigned nsources);
/* The final length with the checksum in; 0 if nothing was added. */
size_t	pim_jp_finish(struct pim_jp_builder *b);

/* ---- Register (§4.9.3), Register-Stop (§4.9.4), Assert (§4.9.6) ---------- */

struct pim_register {
	bool		border, null_register;	/* B and N bits */
	const uint8_t	*inner;			/* the IPv4 packet */
	size_t		inner_len;
	struct in_addr	source, group;		/* from the inner IP header */
};

/*
 * The inner packet is checked as an IPv4 header with a multicast
 * destination.  A Null-Register carries only a dummy header (§4.4.1), whose
 * total length is not checked; a data Register's total length must fit in
 * what is there, and inner_len is trimmed to it.
 */
enum pim_err pim_register_decode(const uint8_t *body, size_t len, struct pim_register *r);
/*
 * Encapsulate inner (which may already sit at buf + 8) with the checksum
 * over the first 8 bytes only.  Returns the length, 0 if it does not fit.
 */
size_t	pim_register_encode(uint8_t *buf, size_t size, bool null_register,
	    const uint8_t *inner, size_t inner_len);

#define PIM_NULL_REGISTER_LEN	(PIM_HDR_LEN + 4 + 20)

/* A Null-Register for (S, G): N bit set, a dummy IP header S -> G (§4.4.1). */
size_t	pim_null_register_encode(uint8_t *buf, size_t size, struct in_addr source,
	    struct in_addr group);

struct pim_register_stop {
	struct in_addr	group;
	uint8_t		masklen;
	struct in_addr	source;		/* 0.0.0.0: any source */
};

enum pim_err pim_register_stop_decode(const uint8_t *body, size_t len,
	    struct pim_register_stop *rs);
/* Group mask length 32.  Returns the length, 0 if it does not fit. */
size_t	pim_register_stop_encode(uint8_t *buf, size_t size, struct in_addr group,
	    struct in_addr source);

struct pim_assert {
	struct in_addr	group;
	uint8_t		masklen;
	struct in_addr	source;		/* 0.0.0.0 in a (*,G) Assert */
	bool		rpt;		/* R bit */
	uint32_t	preference;	/* 31 bits */
	uint32_t	metric;
};

enum pim_err pim_assert_decode(const uint8_t *body, size_t len, struct pim_assert *a);
/*
 * A preference over 0x7fffffff is sent as 0x7fffffff (the worst) and a
 * mask length over 32 as 32.  Returns the length, 0 if it does not fit.
 */
size_t	pim_assert_encode(uint8_t *buf, size_t size, const struct pim_assert *a);

/* ---- Bootstrap (RFC 5059 §4.1) ------------------------------------------ */

/* One group range of a Bootstrap message, with its RPs in this fragment. */
struct pim_bsm_group {
	struct in_addr	group;
	uint8_t		masklen;
	bool		admin_scope;	/* Z bit of the Encoded-Group */
	uint8_t		rp_count;	/* the range's RPs in the whole BSM */
	uint8_t		frag_rp_count;	/* of those, how many are in this one */
	const uint8_t	*rps;		/* checked by pim_bsm_decode */
};

struct pim_bsm_rp {
	struct in_addr	addr;
	uint16_t	holdtime;	/* seconds */
	uint8_t		priority;	/* the lower the better */
};

struct pim_bsm {
	bool		no_forward;	/* N bit, in the PIM header */
	uint16_t	frag_tag;
	uint8_t		hash_masklen;
	uint8_t		priority;	/* the BSR's: the higher the better */
	struct in_addr	bsr;
	unsigned	ngroups;
	const uint8_t	*groups;	/* checked by pim_bsm_decode */
	size_t		len;		/* bytes the ngroups ranges take */
};

/*
 * msg and len are the whole message, header included, as
 * pim_decode_header() accepted it: the No-Forward bit is in the header.
 * The BSR and every RP must be unicast addresses, the hash mask length at
 * most 32, and each range's fragment RP count at most its RP count, with
 * all its RPs present (PIM_ERR_COUNT); a range cut short is PIM_ERR_SHORT.
 */
enum pim_err pim_bsm_decode(const uint8_t *msg, size_t len, struct pim_bsm *m);
/* Walk the ranges: *off starts at 0; false after the last one. */
bool	pim_bsm_next_group(const struct pim_bsm *m, size_t *off, struct pim_bsm_group *g);
/* RP i of a range, i < frag_rp_count. */
void	pim_bsm_rp(const struct pim_bsm_group *g, unsigned i, struct pim_bsm_rp *rp);

/*
 * Building a BSM fragment (§4.1.1): begin with the fields every fragment of
 * one BSM shares (m's no_forward, frag_tag, hash_masklen, priority, bsr),
 * then add ranges and their RPs while they fit.  A range's RPs may go on in
 * the next fragment: add the range there again, with the same rp_count.
 */
struct pim_bsm_builder {
	uint8_t		*buf;
	size_t		size, len;
	uint8_t		*range;		/* the last range's header */
};

#define PIM_BSM_RANGE_LEN	12	/* Encoded-Group, RP count, fragment RP count */
#define PIM_BSM_RP_LEN		10	/* Encoded-Unicast, holdtime, priority */

/* false when buf cannot hold even the fixed part. */
bool	pim_bsm_begin(struct pim_bsm_builder *b, uint8_t *buf, size_t size,
	    const struct pim_bsm *m);
/* false when it does not fit: finish this fragment, begin the next. */
bool	pim_bsm_add_range(struct pim_bsm_builder *b, struct in_addr group, uint8_t masklen,
	    uint8_t rp_count);
bool	pim_bsm_add_rp(struct pim_bsm_builder *b, const struct pim_bsm_rp *rp);
/* Seal the fragment; its length. */
size_t	pim_bsm_finish(struct pim_bsm_builder *b);
/* Set the No-Forward bit of an encoded BSM and seal it again (§3.5). */
void	pim_bsm_set_no_forward(uint8_t *msg, size_t len);

/* ---- Candidate-RP-Advertisement (RFC 5059 §4.2) ------------------------- */

struct pim_crp_adv {
	uint8_t		prefix_count;	/* 0: every multicast group */
	uint8_t		priority;	/* the lower the better */
	uint16_t	holdtime;	/* seconds; 0 withdraws the RP */
	struct in_addr	rp;
	const uint8_t	*groups;	/* prefix_count Encoded-Groups, checked */
};

/* The RP must be unicast; bytes after the last group are ignored. */
enum pim_err pim_crp_adv_decode(const uint8_t *body, size_t len, struct pim_crp_adv *a);
/* Group prefix i, i < prefix_count. */
void	pim_crp_adv_group(const struct pim_crp_adv *a, unsigned i, struct in_addr *group,
	    uint8_t *masklen);
/*
 * An advertisement for rp with a's priority and holdtime and the n ranges
 * groups[i]/masklens[i] (n: 1 to 255); its length, 0 if it does not fit.
 */
size_t	pim_crp_adv_encode(uint8_t *buf, size_t size, const struct pim_crp_adv *a,
	    const struct in_addr *groups, const uint8_t *masklens, unsigned n);

#endif
