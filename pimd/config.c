/* SPDX-License-Identifier: ISC */
/*
 * Configuration: libyang parses and validates the config file against
 * yang/pimd.yang (types, ranges, defaults and cross-leaf constraints are
 * all there), then the validated tree is copied into struct config.  Only
 * the defaults YANG cannot express (values derived from other leaves) are
 * computed here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libyang/libyang.h>

#include "config.h"
#include "log.h"

/* A config file is a few kilobytes; this only stops reading /dev/zero. */
#define CONFIG_MAX_SIZE	(4 * 1024 * 1024)

static struct ly_ctx *cfg_ctx;

int
config_init(const char *yang_dir)
{
	if (cfg_ctx != NULL)
		return 0;
	/*
	 * Keep the error for config_errmsg() instead of letting libyang
	 * print it: one line with file, line and data path reads better.
	 * Only the last: when libyang reports two, the second says more
	 * ("Missing quotation-mark" after "Unexpected end-of-input"), and
	 * the store cannot grow however many errors other code triggers.
	 */
	ly_log_options(LY_LOSTORE_LAST);
	/* Not the current directory: an old pimd.yang there must not win. */
	if (ly_ctx_new(yang_dir, LY_CTX_DISABLE_SEARCHDIR_CWD, &cfg_ctx)
	    != LY_SUCCESS) {
		log_warnx("config: cannot create the YANG context for %s",
		    yang_dir);
		return -1;
	}
	if (ly_ctx_load_module(cfg_ctx, "pimd", NULL, NULL) == NULL) {
		const char *msg = ly_errmsg(cfg_ctx);

		log_warnx("config: cannot load YANG module pimd from %s%s%s",
		    yang_dir, msg ? ": " : "", msg ? msg : "");
		config_fini();
		return -1;
	}
	return 0;
}

void
config_fini(void)
{
	ly_ctx_destroy(cfg_ctx);
	cfg_ctx = NULL;
}

struct ly_ctx *
config_ctx(void)
{
	return cfg_ctx;
}

/* Error messages */

/*
 * Copy at most len bytes of s with every run of whitespace or control
 * characters turned into one space: messages may quote the input, and
 * must stay on one line.
 */
static void
msg_append(char *buf, size_t *used, const char *s, size_t len)
{
	char *p = buf + *used;
	bool space = *used > 0 && p[-1] == ' ';

	for (size_t i = 0; i < len && s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c == 0x7f) {
			if (!space)
				*p++ = ' ';
			space = true;
		} else {
			*p++ = (char)c;
			space = false;
		}
	}
	*p = '\0';
	*used = (size_t)(p - buf);
}

/*
 * strcasestr() needs _GNU_SOURCE; libyang writes "Line number" or
 * "line number" depending on what precedes it.
 */
static const char *
find_nocase(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (; *s != '\0'; s++)
		if (strncasecmp(s, word, n) == 0)
			return s;
	return NULL;
}

/*
 * libyang 2.1 puts the location in the error's path text, in one of
 * these forms:
 *   Line number 3.
 *   Data location "/pimd:pimd/interface[name='eth0']", line number 3.
 *   Data location "/pimd:pimd/register-probe-time".
 *   Schema location "/pimd:pimd/rp/address", data location "...".
 * Take the line number and the last location (data beats schema), which
 * runs to the last double quote since only the line follows it.
 */
static void
err_location(const char *text, unsigned long *line, const char **path,
    size_t *path_len)
{
	static const char *const tags[] = {
		"data location \"", "schema location \"",
	};
	const char *ln, *end;

	*line = 0;
	*path = NULL;
	*path_len = 0;
	if (text == NULL)
		return;
	if ((ln = find_nocase(text, "line number ")) != NULL)
		*line = strtoul(ln + strlen("line number "), NULL, 10);
	end = strrchr(text, '"');
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		const char *p = find_nocase(text, tags[i]);

		if (p == NULL)
			continue;
		p += strlen(tags[i]);
		if (end != NULL && end >= p) {
			*path = p;
			*path_len = (size_t)(end - p);
			return;
		}
	}
}

/* "NAME:LINE: PATH: MESSAGE", without LINE or PATH when unknown. */
static char *
config_errmsg(const char *name)
{
	const struct ly_err_item *e = ly_err_last(cfg_ctx);
	const char *msg = "invalid configuration";
	unsigned long line;
	const char *path;
	size_t path_len, used = 0, size;
	char num[24] = "";
	char *buf;

	if (e != NULL && e->level == LY_LLERR && e->msg != NULL)
		msg = e->msg;
	else
		e = NULL;
	err_location(e ? e->path : NULL, &line, &path, &path_len);
	if (line > 0)
		snprintf(num, sizeof(num), ":%lu", line);
	size = strlen(name) + strlen(num) + path_len + strlen(msg) + 8;
	if ((buf = malloc(size)) == NULL)
		return NULL;
	buf[0] = '\0';
	msg_append(buf, &used, name, strlen(name));
	msg_append(buf, &used, num, strlen(num));
	msg_append(buf, &used, ": ", 2);
	if (path != NULL) {
		msg_append(buf, &used, path, path_len);
		msg_append(buf, &used, ": ", 2);
	}
	msg_append(buf, &used, msg, strlen(msg));
	return buf;
}

static void set_err(char **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_err(char **err, const char *fmt, ...)
{
	va_list ap, ap2;
	int len;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	len = vsnprintf(NULL, 0, fmt, ap);
	if (len >= 0 && (*err = malloc((size_t)len + 1)) != NULL)
		vsnprintf(*err, (size_t)len + 1, fmt, ap2);
	va_end(ap2);
	va_end(ap);
}

/* Conversion from the tree */

static const struct lyd_node_term *
term_at(const struct lyd_node *node, const char *path)
{
	struct lyd_node *found;

	if (lyd_find_path(node, path, 0, &found) != LY_SUCCESS)
		return NULL;
	return (const struct lyd_node_term *)found;
}

/*
 * Where each leaf goes: the C type follows from the YANG base type,
 * checked at run time so that a change in one but not the other fails
 * loudly instead of storing garbage.  decimal64 leaves have one fraction
 * digit and are stored as tenths, which is what libyang keeps.
 */
struct leaf_map {
	const char	*path;
	LY_DATA_TYPE	 type;
	size_t		 off;
	bool		 optional;	/* no YANG default: derived below */
};

#define PIM(p, t, f)	{ "pim/" p, t, offsetof(struct cfg_pim_if, f), false }
#define PIM_OPT(p, t, f) { "pim/" p, t, offsetof(struct cfg_pim_if, f), true }
#define IGMP(p, t, f)	{ "igmp/" p, t, offsetof(struct cfg_igmp_if, f), false }
#define IGMP_OPT(p, t, f) { "igmp/" p, t, offsetof(struct cfg_igmp_if, f), true }
#define GLOBAL(p, t, f)	{ p, t, offsetof(struct config, f), false }

static const struct leaf_map pim_leaves[] = {
	PIM("enable", LY_TYPE_BOOL, enable),
	PIM("passive", LY_TYPE_BOOL, passive),
	PIM("hello-interval", LY_TYPE_UINT16, hello_interval),
	PIM_OPT("hello-holdtime", LY_TYPE_UINT16, hello_holdtime),
	PIM("dr-priority", LY_TYPE_UINT32, dr_priority),
	PIM("join-prune-interval", LY_TYPE_UINT16, jp_interval),
	PIM("propagation-delay", LY_TYPE_UINT16, propagation_delay),
	PIM("override-interval", LY_TYPE_UINT16, override_interval),
	PIM("bsm", LY_TYPE_BOOL, bsm),
	PIM("unicast-bsm", LY_TYPE_BOOL, unicast_bsm),
};

static const struct leaf_map igmp_leaves[] = {
	IGMP("enable", LY_TYPE_BOOL, enable),
	IGMP("version", LY_TYPE_UINT8, version),
	IGMP("query-interval", LY_TYPE_UINT16, query_interval),
	IGMP("query-response-interval", LY_TYPE_DEC64,
	    query_response_interval),
	IGMP("last-member-query-interval", LY_TYPE_DEC64,
	    last_member_query_interval),
	IGMP_OPT("last-member-query-count", LY_TYPE_UINT8,
	    last_member_query_count),
	IGMP("robustness", LY_TYPE_UINT8, robustness),
	IGMP_OPT("startup-query-interval", LY_TYPE_UINT16,
	    startup_query_interval),
	IGMP_OPT("startup-query-count", LY_TYPE_UINT8, startup_query_count),
	IGMP("require-router-alert", LY_TYPE_BOOL, require_router_alert),
	IGMP("max-groups", LY_TYPE_UINT32, max_groups),
};

static const struct leaf_map global_leaves[] = {
	GLOBAL("keepalive-period", LY_TYPE_UINT16, keepalive_period),
	GLOBAL("register-suppression-time", LY_TYPE_UINT16,
	    register_suppression_time),
	GLOBAL("register-probe-time", LY_TYPE_UINT16, register_probe_time),
	GLOBAL("assert-time", LY_TYPE_UINT16, assert_time),
	GLOBAL("assert-override-interval", LY_TYPE_UINT16, assert_override_interval),
	GLOBAL("max-mroutes", LY_TYPE_UINT32, max_mroutes),
	GLOBAL("max-neighbors", LY_TYPE_UINT32, max_neighbors),
	GLOBAL("bsr/bootstrap-period", LY_TYPE_UINT16, bsr.bootstrap_period),
	/* Only with mode threshold, which the YANG must enforces. */
	{ "spt-switchover/threshold-kbps", LY_TYPE_UINT32,
	  offsetof(struct config, spt_threshold_kbps), true },
};

static bool
store_value(void *obj, const struct leaf_map *m, const struct lyd_value *v)
{
	char *dst = (char *)obj + m->off;

	if (v->realtype->basetype != m->type)
		return false;
	switch (m->type) {
	case LY_TYPE_BOOL:
		*(bool *)dst = v->boolean;
		return true;
	case LY_TYPE_UINT8:
		*(uint8_t *)dst = v->uint8;
		return true;
	case LY_TYPE_UINT16:
		*(uint16_t *)dst = v->uint16;
		return true;
	case LY_TYPE_UINT32:
		*(uint32_t *)dst = v->uint32;
		return true;
	case LY_TYPE_DEC64:
		/* The schema's range keeps tenths within 16 bits. */
		if (v->dec64 < 0 || v->dec64 > UINT16_MAX)
			return false;
		*(uint16_t *)dst = (uint16_t)v->dec64;
		return true;
	default:
		return false;
	}
}

/* Copy the leaves of map[] under node into obj; NULL or the failed path. */
static const char *
load_leaves(void *obj, const struct lyd_node *node,
    const struct leaf_map *map, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct lyd_node_term *t = term_at(node, map[i].path);

		if (t == NULL && map[i].optional)
			continue;
		if (t == NULL || !store_value(obj, &map[i], &t->value))
			return map[i].path;
	}
	return NULL;
}

static bool
parse_addr(const char *s, struct in_addr *addr)
{
	return s != NULL && inet_pton(AF_INET, s, addr) == 1;
}

static bool
parse_prefix(const char *s, struct cfg_prefix *p)
{
	char buf[INET_ADDRSTRLEN];
	const char *slash = s ? strchr(s, '/') : NULL;
	char *end;
	unsigned long len;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(buf))
		return false;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (errno != 0 || *end != '\0' || end == slash + 1 || len > 32)
		return false;
	p->len = (uint8_t)len;
	return parse_addr(buf, &p->addr);
}

/* Defaults computed from other leaves, where the YANG leaf was absent. */
static void
derive_defaults(struct cfg_iface *ifc, const struct lyd_node *node)
{
	if (term_at(node, "pim/hello-holdtime") == NULL)
		ifc->pim.hello_holdtime = ifc->pim.hello_interval * 7 / 2;
	if (term_at(node, "igmp/startup-query-interval") == NULL)
		ifc->igmp.startup_query_interval =
		    ifc->igmp.query_interval >= 4 ?
		    ifc->igmp.query_interval / 4 : 1;
	if (term_at(node, "igmp/last-member-query-count") == NULL)
		ifc->igmp.last_member_query_count = ifc->igmp.robustness;
	if (term_at(node, "igmp/startup-query-count") == NULL)
		ifc->igmp.startup_query_count = ifc->igmp.robustness;
}

static const char *
load_iface(struct config *cfg, const struct lyd_node *node)
{
	const struct lyd_node_term *key = term_at(node, "name");
	const char *name = key ? lyd_get_value(&key->node) : NULL;
	struct cfg_iface *ifc;
	const char *bad;

	if ((ifc = calloc(1, sizeof(*ifc))) == NULL)
		return "interface (out of memory)";
	TAILQ_INSERT_TAIL(&cfg->ifaces, ifc, entry);
	cfg->niface++;
	/* The YANG type allows 15 ASCII characters, which fit. */
	if (name == NULL || strlen(name) >= sizeof(ifc->name))
		return "interface/name";
	strcpy(ifc->name, name);
	if ((bad = load_leaves(&ifc->pim, node, pim_leaves,
	    sizeof(pim_leaves) / sizeof(pim_leaves[0]))) != NULL ||
	    (bad = load_leaves(&ifc->igmp, node, igmp_leaves,
	    sizeof(igmp_leaves) / sizeof(igmp_leaves[0]))) != NULL)
		return bad;
	derive_defaults(ifc, node);
	return NULL;
}

/* The leaf-list "group" under node into a new array; false on failure. */
static bool
load_groups(const struct lyd_node *node, struct cfg_prefix **groups, unsigned *ngroups)
{
	const struct lyd_node *c;
	unsigned n = 0;

	LY_LIST_FOR(lyd_child(node), c)
		if (strcmp(c->schema->name, "group") == 0)
			n++;
	if (n > 0 && (*groups = calloc(n, sizeof(**groups))) == NULL)
		return false;
	LY_LIST_FOR(lyd_child(node), c) {
		if (strcmp(c->schema->name, "group") != 0)
			continue;
		if (!parse_prefix(lyd_get_value(c), &(*groups)[(*ngroups)++]))
			return false;
	}
	return true;
}

static const char *
load_rp(struct config *cfg, const struct lyd_node *node)
{
	const struct lyd_node_term *key;
	struct cfg_rp *rp;

	if ((rp = calloc(1, sizeof(*rp))) == NULL)
		return "rp (out of memory)";
	TAILQ_INSERT_TAIL(&cfg->rps, rp, entry);
	cfg->nrp++;
	key = term_at(node, "address");
	if (key == NULL || !parse_addr(lyd_get_value(&key->node), &rp->addr))
		return "rp/address";
	if (!load_groups(node, &rp->groups, &rp->ngroups))
		return "rp/group";
	return NULL;
}

/* A candidate-bsr or candidate-rp container, if present. */
static const char *
load_candidate(struct cfg_candidate *c, const struct lyd_node *top, const char *path)
{
	const struct lyd_node_term *t;
	char p[64];

	if (lyd_find_path(top, path, 0, NULL) != LY_SUCCESS)
		return NULL;
	c->enable = true;
	snprintf(p, sizeof(p), "%s/address", path);
	if ((t = term_at(top, p)) != NULL)
		return parse_addr(lyd_get_value(&t->node), &c->addr) ? NULL : path;
	snprintf(p, sizeof(p), "%s/interface", path);
	/* The YANG type allows 15 ASCII characters, which fit. */
	if ((t = term_at(top, p)) == NULL || strlen(lyd_get_value(&t->node)) >= IF_NAMESIZE)
		return path;
	strcpy(c->ifname, lyd_get_value(&t->node));
	return NULL;
}

static const struct leaf_map cbsr_leaves[] = {
	{ "bsr/candidate-bsr/priority", LY_TYPE_UINT8, offsetof(struct cfg_bsr, cbsr.priority),
	  false },
	{ "bsr/candidate-bsr/hash-mask-length", LY_TYPE_UINT8,
	  offsetof(struct cfg_bsr, hash_masklen), false },
};

static const struct leaf_map crp_leaves[] = {
	{ "bsr/candidate-rp/priority", LY_TYPE_UINT8, offsetof(struct cfg_bsr, crp.priority),
	  false },
	{ "bsr/candidate-rp/advertisement-period", LY_TYPE_UINT16,
	  offsetof(struct cfg_bsr, crp_period), false },
	{ "bsr/candidate-rp/holdtime", LY_TYPE_UINT16,
	  offsetof(struct cfg_bsr, crp_holdtime), true },
};

static const char *
load_bsr(struct cfg_bsr *b, const struct lyd_node *top)
{
	struct lyd_node *crp = NULL;
	const char *bad;

	if ((bad = load_candidate(&b->cbsr, top, "bsr/candidate-bsr")) != NULL ||
	    (bad = load_candidate(&b->crp, top, "bsr/candidate-rp")) != NULL)
		return bad;
	if (b->cbsr.enable && (bad = load_leaves(b, top, cbsr_leaves,
	    sizeof(cbsr_leaves) / sizeof(cbsr_leaves[0]))) != NULL)
		return bad;
	if (!b->crp.enable)
		return NULL;
	if ((bad = load_leaves(b, top, crp_leaves,
	    sizeof(crp_leaves) / sizeof(crp_leaves[0]))) != NULL)
		return bad;
	/* §5: 2.5 x C_RP_Adv_Period, rounded up; the period is at most 3600. */
	if (b->crp_holdtime == 0)
		b->crp_holdtime = (uint16_t)((b->crp_period * 5 + 1) / 2);
	(void)lyd_find_path(top, "bsr/candidate-rp", 0, &crp);
	if (!load_groups(crp, &b->crp_groups, &b->ncrp_groups))
		return "bsr/candidate-rp/group";
	return NULL;
}

static const char *
load_spt(struct config *cfg, const struct lyd_node *top)
{
	const struct lyd_node_term *t = term_at(top, "spt-switchover/mode");
	const char *mode = t ? lyd_get_value(&t->node) : NULL;

	if (mode == NULL)
		return "spt-switchover/mode";
	if (strcmp(mode, "immediate") == 0)
		cfg->spt = CFG_SPT_IMMEDIATE;
	else if (strcmp(mode, "never") == 0)
		cfg->spt = CFG_SPT_NEVER;
	else if (strcmp(mode, "threshold") == 0)
		cfg->spt = CFG_SPT_THRESHOLD;
	else
		return "spt-switchover/mode";
	return NULL;
}

/* Fill cfg from the validated tree; NULL or the path that failed. */
static const char *
load_tree(struct config *cfg)
{
	const struct lyd_node *top = NULL, *c;
	const struct lyd_node_term *ssm, *prec;
	const char *bad;

	LY_LIST_FOR(cfg->tree, c)
		if (strcmp(c->schema->name, "pimd") == 0 &&
		    strcmp(c->schema->module->name, "pimd") == 0)
			top = c;
	if (top == NULL)
		return "/pimd:pimd";
	LY_LIST_FOR(lyd_child(top), c) {
		bad = NULL;
		if (c->schema->nodetype != LYS_LIST)
			continue;
		if (strcmp(c->schema->name, "interface") == 0)
			bad = load_iface(cfg, c);
		else if (strcmp(c->schema->name, "rp") == 0)
			bad = load_rp(cfg, c);
		if (bad != NULL)
			return bad;
	}
	ssm = term_at(top, "ssm-range");
	if (ssm == NULL || !parse_prefix(lyd_get_value(&ssm->node),
	    &cfg->ssm_range))
		return "ssm-range";
	if ((bad = load_spt(cfg, top)) != NULL || (bad = load_bsr(&cfg->bsr, top)) != NULL)
		return bad;
	prec = term_at(top, "rp-precedence");
	if (prec == NULL)
		return "rp-precedence";
	cfg->rp_precedence = strcmp(lyd_get_value(&prec->node), "bsr") == 0 ?
	    CFG_RP_BSR : CFG_RP_STATIC;
	return load_leaves(cfg, top, global_leaves,
	    sizeof(global_leaves) / sizeof(global_leaves[0]));
}

/* Loading */

static LYD_FORMAT
format_of(const char *name)
{
	size_t len = strlen(name);

	if (len >= 4 && strcasecmp(name + len - 4, ".xml") == 0)
		return LYD_XML;
	return LYD_JSON;
}

static struct config *
config_new(const char *name)
{
	struct config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL)
		return NULL;
	TAILQ_INIT(&cfg->ifaces);
	TAILQ_INIT(&cfg->rps);
	if ((cfg->path = strdup(name)) == NULL) {
		free(cfg);
		return NULL;
	}
	return cfg;
}

struct config *
config_load_mem(const char *data, const char *name, char **err)
{
	struct config *cfg;
	const char *bad;
	LY_ERR rc;

	if (err != NULL)
		*err = NULL;
	if (cfg_ctx == NULL) {
		set_err(err, "%s: configuration model not loaded", name);
		return NULL;
	}
	if ((cfg = config_new(name)) == NULL) {
		set_err(err, "%s: %s", name, strerror(ENOMEM));
		return NULL;
	}
	ly_err_clean(cfg_ctx, NULL);
	/*
	 * Strict: unknown nodes are errors, not ignored.  Validation adds
	 * the defaults and checks every type, range and must.
	 */
	rc = lyd_parse_data_mem(cfg_ctx, data, format_of(name),
	    LYD_PARSE_STRICT | LYD_PARSE_NO_STATE, LYD_VALIDATE_NO_STATE,
	    &cfg->tree);
	if (rc != LY_SUCCESS && err != NULL)
		*err = config_errmsg(name);
	ly_err_clean(cfg_ctx, NULL);
	if (rc != LY_SUCCESS) {
		config_free(cfg);
		return NULL;
	}
	if ((bad = load_tree(cfg)) != NULL) {
		set_err(err, "%s: cannot convert %s", name, bad);
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

/* The whole file in a malloc'd NUL-terminated buffer. */
static char *
read_file(const char *path, char **err)
{
	FILE *fp = fopen(path, "r");
	size_t len = 0, size = 4096;
	char *buf = NULL, *nbuf;

	if (fp == NULL)
		goto fail;
	for (;;) {
		if ((nbuf = realloc(buf, size + 1)) == NULL)
			goto fail;
		buf = nbuf;
		len += fread(buf + len, 1, size - len, fp);
		if (len < size)
			break;
		if (size >= CONFIG_MAX_SIZE) {
			errno = EFBIG;
			goto fail;
		}
		size *= 2;
	}
	if (ferror(fp))
		goto fail;
	fclose(fp);
	buf[len] = '\0';
	return buf;
fail:
	set_err(err, "%s: %s", path, strerror(errno));
	if (fp != NULL)
		fclose(fp);
	free(buf);
	return NULL;
}

struct config *
config_load(const char *path, char **err)
{
	struct config *cfg;
	char *data;

	if (err != NULL)
		*err = NULL;
	if ((data = read_file(path, err)) == NULL)
		return NULL;
	cfg = config_load_mem(data, path, err);
	free(data);
	return cfg;
}

void
config_free(struct config *cfg)
{
	struct cfg_iface *ifc;
	struct cfg_rp *rp;

	if (cfg == NULL)
		return;
	while ((ifc = TAILQ_FIRST(&cfg->ifaces)) != NULL) {
		TAILQ_REMOVE(&cfg->ifaces, ifc, entry);
		free(ifc);
	}
	while ((rp = TAILQ_FIRST(&cfg->rps)) != NULL) {
		TAILQ_REMOVE(&cfg->rps, rp, entry);
		free(rp->groups);
		free(rp);
	}
	free(cfg->bsr.crp_groups);
	lyd_free_all(cfg->tree);
	free(cfg->path);
	free(cfg);
}

/* Printing */

#define PRINT_OPTS	(LYD_PRINT_WITHSIBLINGS | LYD_PRINT_WD_ALL)

int
config_print(const struct config *cfg, FILE *fp)
{
	if (lyd_print_file(fp, cfg->tree, LYD_JSON, PRINT_OPTS) != LY_SUCCESS)
		return -1;
	return fflush(fp) == 0 ? 0 : -1;
}

char *
config_print_mem(const struct config *cfg)
{
	char *s = NULL;

	if (lyd_print_mem(&s, cfg->tree, LYD_JSON, PRINT_OPTS) != LY_SUCCESS) {
		free(s);
		return NULL;
	}
	return s;
}

/* Differences */

static const char *
meta_value(const struct lyd_node *node, const char *name)
{
	const struct lyd_meta *m = lyd_find_meta(node->meta, NULL, name);

	return m ? lyd_get_meta_value(m) : NULL;
}

static void
log_leaf_change(const char *path, const char *op, const struct lyd_node *n)
{
	const char *val = lyd_get_value(n);

	if (strcmp(op, "create") == 0)
		log_info("config: %s: (unset) -> %s", path, val);
	else if (strcmp(op, "delete") == 0)
		log_info("config: %s: %s -> (unset)", path, val);
	else {
		const char *old = meta_value(n, "yang:orig-value");

		/* A default made explicit with the same value is no change. */
		if (old != NULL && strcmp(old, val) != 0)
			log_info("config: %s: %s -> %s", path, old, val);
	}
}

/*
 * A diff node carries its operation or inherits its parent's.  Created
 * or deleted subtrees are logged once at their root; "none" nodes are
 * only the way down to changes.
 */
static void
log_diff_node(const struct lyd_node *node, const char *parent_op)
{
	const char *op = meta_value(node, "yang:operation");
	const struct lyd_node *c;
	char *path;

	if (op == NULL)
		op = parent_op;
	if (strcmp(op, "none") != 0 &&
	    (node->schema->nodetype == LYS_LEAF ||
	    strcmp(op, "create") == 0 || strcmp(op, "delete") == 0)) {
		if ((path = lyd_path(node, LYD_PATH_STD, NULL, 0)) == NULL)
			return;
		if (node->schema->nodetype == LYS_LEAF)
			log_leaf_change(path, op, node);
		else
			log_info("config: %s: %s", path,
			    strcmp(op, "create") == 0 ? "added" : "removed");
		free(path);
		return;
	}
	LY_LIST_FOR(lyd_child(node), c)
		log_diff_node(c, op);
}

void
config_log_diff(const struct config *old, const struct config *new)
{
	struct lyd_node *diff = NULL;
	const struct lyd_node *n;

	/* With defaults, so that 30 (default) -> 10 is a change of value. */
	if (lyd_diff_siblings(old ? old->tree : NULL, new ? new->tree : NULL,
	    LYD_DIFF_DEFAULTS, &diff) != LY_SUCCESS) {
		log_warnx("config: cannot compare configurations");
		ly_err_clean(cfg_ctx, NULL);
		return;
	}
	LY_LIST_FOR(diff, n)
		log_diff_node(n, "none");
	lyd_free_all(diff);
}

/* Lookups and comparisons */

const struct cfg_iface *
config_iface_find(const struct config *cfg, const char *name)
{
	const struct cfg_iface *ifc;

	TAILQ_FOREACH(ifc, &cfg->ifaces, entry)
		if (strcmp(ifc->name, name) == 0)
			return ifc;
	return NULL;
}

/* Field by field: memcmp would also compare padding. */
bool
cfg_pim_if_equal(const struct cfg_pim_if *a, const struct cfg_pim_if *b)
{
	return a->enable == b->enable &&
	    a->passive == b->passive &&
	    a->hello_interval == b->hello_interval &&
	    a->hello_holdtime == b->hello_holdtime &&
	    a->dr_priority == b->dr_priority &&
	    a->jp_interval == b->jp_interval &&
	    a->propagation_delay == b->propagation_delay &&
	    a->override_interval == b->override_interval &&
	    a->bsm == b->bsm &&
	    a->unicast_bsm == b->unicast_bsm;
}

bool
cfg_igmp_if_equal(const struct cfg_igmp_if *a, const struct cfg_igmp_if *b)
{
	return a->enable == b->enable &&
	    a->version == b->version &&
	    a->query_interval == b->query_interval &&
	    a->query_response_interval == b->query_response_interval &&
	    a->last_member_query_interval == b->last_member_query_interval &&
	    a->last_member_query_count == b->last_member_query_count &&
	    a->robustness == b->robustness &&
	    a->startup_query_interval == b->startup_query_interval &&
	    a->startup_query_count == b->startup_query_count &&
	    a->require_router_alert == b->require_router_alert &&
	    a->max_groups == b->max_groups;
}
