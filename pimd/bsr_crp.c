/* SPDX-License-Identifier: ISC */
/*
 * The elected BSR's Candidate-RP set (RFC 5059 §3.3).
 *
 * Each range a Candidate-RP-Advertisement lists maps to its RP for the
 * advertised holdtime (CGET); a new advertisement refreshes it, holdtime 0
 * removes it at once.  The BSM is this set, range by range.  A range that
 * lost its last RP is still sent, with RP count 0, for a while, so that
 * routers drop it rather than keep it until its RPs' holdtimes run out
 * (§4.1.1).  Fragments are semantic (§4.1.1): each holds whole ranges, and
 * only a range with more RPs than a fragment holds goes on in the next.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "bsr_crp.h"
#include "event.h"
#include "log.h"
#include "pimd.h"

struct mapping {
	struct in_addr	grp;
	uint8_t		masklen;
	struct in_addr	rp;
	uint8_t		priority;
	uint16_t	holdtime;
	uint64_t	expires;	/* clock_ms() */
};

struct withdrawn {
	struct in_addr	grp;
	uint8_t		masklen;
	uint64_t	since;		/* clock_ms() */
};

#define CRPSET_MAX	4096	/* mappings kept; advertisements beyond are ignored */

static struct {
	struct mapping	*m;
	unsigned	n, size;
	struct withdrawn *w;
	unsigned	nw, wsize;
	struct timer	timer;
	bool		ready;
	void		(*changed)(void);
} cs;

static void
grow(void **arr, unsigned *size, unsigned n, size_t elem)
{
	if (n < *size)
		return;
	*size = *size ? *size * 2 : 16;
	if ((*arr = reallocarray(*arr, *size, elem)) == NULL)
		fatal("crpset: out of memory");
}

/* Ranges in address then length order, and RPs within a range in address order. */
static int
cmp_range(struct in_addr ga, uint8_t la, struct in_addr gb, uint8_t lb)
{
	if (ga.s_addr != gb.s_addr)
		return ntohl(ga.s_addr) < ntohl(gb.s_addr) ? -1 : 1;
	return la == lb ? 0 : la < lb ? -1 : 1;
}

static int
cmp_mapping(const void *a, const void *b)
{
	const struct mapping *x = a, *y = b;
	int c = cmp_range(x->grp, x->masklen, y->grp, y->masklen);

	if (c != 0 || x->rp.s_addr == y->rp.s_addr)
		return c;
	return ntohl(x->rp.s_addr) < ntohl(y->rp.s_addr) ? -1 : 1;
}

static bool
range_has_rp(struct in_addr grp, uint8_t masklen)
{
	for (unsigned i = 0; i < cs.n; i++)
		if (cmp_range(cs.m[i].grp, cs.m[i].masklen, grp, masklen) == 0)
			return true;
	return false;
}

static void
withdrawn_set(struct in_addr grp, uint8_t masklen, bool on)
{
	for (unsigned i = 0; i < cs.nw; i++)
		if (cmp_range(cs.w[i].grp, cs.w[i].masklen, grp, masklen) == 0) {
			if (!on)
				cs.w[i] = cs.w[--cs.nw];
			else
				cs.w[i].since = clock_ms();
			return;
		}
	if (!on)
		return;
	grow((void **)&cs.w, &cs.wsize, cs.nw, sizeof(*cs.w));
	cs.w[cs.nw++] = (struct withdrawn){ .grp = grp, .masklen = masklen,
	    .since = clock_ms() };
}

static void
timer_arm(void)
{
	uint64_t first = UINT64_MAX;

	for (unsigned i = 0; i < cs.n; i++)
		if (cs.m[i].expires < first)
			first = cs.m[i].expires;
	timer_start_at(&cs.timer, first);
}

static void
remove_at(unsigned i, const char *why)
{
	struct mapping m = cs.m[i];
	char g[INET_ADDRSTRLEN], r[INET_ADDRSTRLEN];

	memmove(&cs.m[i], &cs.m[i + 1], (cs.n - i - 1) * sizeof(*cs.m));
	cs.n--;
	log_info("bsr: C-RP %s for %s/%u %s", inet_ntop(AF_INET, &m.rp, r, sizeof(r)),
	    inet_ntop(AF_INET, &m.grp, g, sizeof(g)), m.masklen, why);
	if (!range_has_rp(m.grp, m.masklen))
		withdrawn_set(m.grp, m.masklen, true);
}

static void
expired(void *arg)
{
	uint64_t now = clock_ms();
	bool any = false;

	for (unsigned i = 0; i < cs.n;)
		if (cs.m[i].expires <= now) {
			remove_at(i, "expired");
			any = true;
		} else
			i++;
	timer_arm();
	if (any && cs.changed != NULL)
		cs.changed();
}

void
crpset_init(void (*changed)(void))
{
	if (!cs.ready)
		timer_init(&cs.timer, expired, NULL);
	cs.ready = true;
	cs.changed = changed;
}

void
crpset_clear(void)
{
	cs.n = cs.nw = 0;
	if (cs.ready)
		timer_stop(&cs.timer);
}

void
crpset_fini(void)
{
	if (cs.ready)
		timer_free(&cs.timer);
	free(cs.m);
	free(cs.w);
	memset(&cs, 0, sizeof(cs));
}

/* One range of an advertisement; true when the RP-set changed. */
static bool
adv_range(const struct pim_crp_adv *a, struct in_addr grp, uint8_t masklen)
{
	struct mapping key = { .grp = grp, .masklen = masklen, .rp = a->rp }, *m;
	char g[INET_ADDRSTRLEN], r[INET_ADDRSTRLEN];
	bool changed = false;

	m = cs.n ? bsearch(&key, cs.m, cs.n, sizeof(*cs.m), cmp_mapping) : NULL;
	if (a->holdtime == 0) {
		if (m != NULL)
			remove_at((unsigned)(m - cs.m), "withdrawn (holdtime 0)");
		return m != NULL;
	}
	if (m == NULL) {
		if (cs.n >= CRPSET_MAX) {
			log_warnx_rl("bsr: C-RP set full (%u mappings): %s for %s/%u ignored",
			    cs.n, inet_ntop(AF_INET, &a->rp, r, sizeof(r)),
			    inet_ntop(AF_INET, &grp, g, sizeof(g)), masklen);
			return false;
		}
		grow((void **)&cs.m, &cs.size, cs.n, sizeof(*cs.m));
		cs.m[cs.n++] = key;
		changed = true;
		qsort(cs.m, cs.n, sizeof(*cs.m), cmp_mapping);
		m = bsearch(&key, cs.m, cs.n, sizeof(*cs.m), cmp_mapping);
		withdrawn_set(grp, masklen, false);
		log_info("bsr: C-RP %s for %s/%u, priority %u, holdtime %us",
		    inet_ntop(AF_INET, &a->rp, r, sizeof(r)),
		    inet_ntop(AF_INET, &grp, g, sizeof(g)), masklen, a->priority, a->holdtime);
	}
	if (!changed && m->priority != a->priority)
		log_info("bsr: C-RP %s for %s/%u: priority %u -> %u",
		    inet_ntop(AF_INET, &a->rp, r, sizeof(r)),
		    inet_ntop(AF_INET, &grp, g, sizeof(g)), masklen, m->priority, a->priority);
	changed |= m->priority != a->priority || m->holdtime != a->holdtime;
	m->priority = a->priority;
	m->holdtime = a->holdtime;
	m->expires = clock_ms() + a->holdtime * 1000ull;
	return changed;
}

bool
crpset_adv(const struct pim_crp_adv *a)
{
	struct in_addr grp;
	uint8_t masklen;
	bool changed = false;

	if (a->prefix_count == 0) {
		inet_pton(AF_INET, "224.0.0.0", &grp);
		changed = adv_range(a, grp, 4);
	}
	for (unsigned i = 0; i < a->prefix_count; i++) {
		pim_crp_adv_group(a, i, &grp, &masklen);
		/* The range as a prefix: host bits off, as the BSM carries it. */
		grp.s_addr &= masklen ? htonl(~0u << (32 - masklen)) : 0;
		changed |= adv_range(a, grp, masklen);
	}
	timer_arm();
	return changed;
}

/* ---- the Bootstrap message ---------------------------------------------- */

struct build {
	struct pim_bsm_builder b;
	const struct pim_bsm *hdr;
	uint8_t		*buf;
	size_t		mtu;
	unsigned	nfrags;
	void		(*emit)(uint8_t *, size_t, void *);
	void		*arg;
};

static void
frag_flush(struct build *bd)
{
	size_t len = pim_bsm_finish(&bd->b);

	bd->emit(bd->buf, len, bd->arg);
	bd->nfrags++;
	pim_bsm_begin(&bd->b, bd->buf, bd->mtu, bd->hdr);
}

/* A range header, in a fresh fragment when this one is full. */
static void
add_range(struct build *bd, struct in_addr grp, uint8_t masklen, uint8_t count)
{
	if (!pim_bsm_add_range(&bd->b, grp, masklen, count)) {
		frag_flush(bd);
		(void)pim_bsm_add_range(&bd->b, grp, masklen, count);
	}
}

/* The RPs of the range starting at mapping i, at most 255; the index after it. */
static unsigned
add_mappings(struct build *bd, unsigned i, uint16_t min_holdtime)
{
	unsigned end = i;
	uint8_t count;

	while (end < cs.n && cmp_range(cs.m[end].grp, cs.m[end].masklen, cs.m[i].grp,
	    cs.m[i].masklen) == 0)
		end++;
	count = end - i > UINT8_MAX ? UINT8_MAX : (uint8_t)(end - i);
	/* A range that fits a fragment of its own is not split (§4.1.1). */
	if (bd->b.len + PIM_BSM_RANGE_LEN + count * PIM_BSM_RP_LEN > bd->mtu &&
	    bd->b.range != NULL)
		frag_flush(bd);
	add_range(bd, cs.m[i].grp, cs.m[i].masklen, count);
	for (unsigned k = 0; k < count; k++) {
		struct pim_bsm_rp rp = { .addr = cs.m[i + k].rp,
		    .priority = cs.m[i + k].priority,
		    .holdtime = cs.m[i + k].holdtime < min_holdtime ? min_holdtime :
		    cs.m[i + k].holdtime };

		if (!pim_bsm_add_rp(&bd->b, &rp)) {
			frag_flush(bd);
			add_range(bd, cs.m[i].grp, cs.m[i].masklen, count);
			(void)pim_bsm_add_rp(&bd->b, &rp);
		}
	}
	return end;
}

unsigned
crpset_build(const struct pim_bsm *hdr, uint16_t min_holdtime, size_t mtu,
    uint32_t withdraw_ms, void (*emit)(uint8_t *, size_t, void *), void *arg)
{
	struct build bd = { .hdr = hdr, .mtu = mtu, .emit = emit, .arg = arg };
	uint64_t now = clock_ms();

	/* Room for the fixed part, one range and one RP, whatever the MTU says. */
	if (bd.mtu < PIM_HDR_LEN + 10 + PIM_BSM_RANGE_LEN + PIM_BSM_RP_LEN)
		bd.mtu = PIM_HDR_LEN + 10 + PIM_BSM_RANGE_LEN + PIM_BSM_RP_LEN;
	if ((bd.buf = malloc(bd.mtu)) == NULL)
		fatal("crpset: out of memory");
	pim_bsm_begin(&bd.b, bd.buf, bd.mtu, hdr);
	for (unsigned i = 0; i < cs.n;)
		i = add_mappings(&bd, i, min_holdtime);
	for (unsigned i = 0; i < cs.nw;)
		if (now - cs.w[i].since >= withdraw_ms)
			cs.w[i] = cs.w[--cs.nw];
		else {
			add_range(&bd, cs.w[i].grp, cs.w[i].masklen, 0);
			i++;
		}
	/* The last fragment, or the one empty BSM a new BSR sends (§3.3). */
	if (bd.b.range != NULL || bd.nfrags == 0)
		frag_flush(&bd);
	free(bd.buf);
	return bd.nfrags;
}

void
crpset_foreach(void (*fn)(struct in_addr, uint8_t, struct in_addr, uint8_t, uint16_t,
    uint32_t, void *), void *arg)
{
	uint64_t now = clock_ms();

	for (unsigned i = 0; i < cs.n; i++)
		fn(cs.m[i].grp, cs.m[i].masklen, cs.m[i].rp, cs.m[i].priority,
		    cs.m[i].holdtime,
		    cs.m[i].expires > now ? (uint32_t)(cs.m[i].expires - now) : 0, arg);
}
