/* SPDX-License-Identifier: ISC */
/*
 * Configuration: the pimd YANG module loaded with libyang, a config file
 * (YANG JSON, RFC 7951, or XML) parsed and validated strictly, and the
 * validated tree turned into the plain structs below, which is all the
 * protocol code reads.  Ranges and defaults live in yang/pimd.yang.
 */
#ifndef PIMD_CONFIG_H
#define PIMD_CONFIG_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/queue.h>

struct ly_ctx;
struct lyd_node;

struct cfg_prefix {
	struct in_addr	addr;
	uint8_t		len;
};

struct cfg_pim_if {
	bool		enable;
	bool		passive;
	uint16_t	hello_interval;		/* s */
	uint16_t	hello_holdtime;		/* s; default 3.5 x hello_interval */
	uint32_t	dr_priority;
	uint16_t	jp_interval;		/* s, t_periodic */
	uint16_t	propagation_delay;	/* ms */
	uint16_t	override_interval;	/* ms */
	bool		bsm;			/* take and send Bootstrap messages */
	bool		unicast_bsm;		/* ... unicast to a new neighbour too */
};

struct cfg_igmp_if {
	bool		enable;
	uint8_t		version;		/* 2 or 3 */
	uint16_t	query_interval;		/* s */
	uint16_t	query_response_interval; /* deciseconds */
	uint16_t	last_member_query_interval; /* deciseconds */
	uint8_t		last_member_query_count; /* default: robustness */
	uint8_t		robustness;
	uint16_t	startup_query_interval;	/* s; default query_interval / 4 */
	uint8_t		startup_query_count;	/* default: robustness */
	bool		require_router_alert;
	uint32_t	max_groups;		/* 0: no limit */
};

struct cfg_iface {
	TAILQ_ENTRY(cfg_iface) entry;
	char		name[IF_NAMESIZE];
	struct cfg_pim_if pim;
	struct cfg_igmp_if igmp;
};

struct cfg_rp {
	TAILQ_ENTRY(cfg_rp) entry;
	struct in_addr	addr;
	unsigned	ngroups;
	struct cfg_prefix *groups;		/* default 224.0.0.0/4 */
};

/* A candidate BSR or RP: a fixed address, or an interface's first one. */
struct cfg_candidate {
	bool		enable;
	struct in_addr	addr;			/* INADDR_ANY: use ifname's */
	char		ifname[IF_NAMESIZE];
	uint8_t		priority;
};

/* RFC 5059. */
struct cfg_bsr {
	uint16_t	bootstrap_period;	/* s, BS_Period */
	struct cfg_candidate cbsr;
	uint8_t		hash_masklen;
	struct cfg_candidate crp;
	uint16_t	crp_period;		/* s, C_RP_Adv_Period */
	uint16_t	crp_holdtime;		/* s; default 2.5 x crp_period */
	unsigned	ncrp_groups;
	struct cfg_prefix *crp_groups;
};

enum cfg_rp_precedence {
	CFG_RP_STATIC,		/* a static range wins at equal length */
	CFG_RP_BSR,		/* a BSR range wins at equal length */
};

enum cfg_spt {
	CFG_SPT_IMMEDIATE,
	CFG_SPT_NEVER,
	CFG_SPT_THRESHOLD,
};

struct config {
	char		*path;
	struct lyd_node	*tree;		/* validated, with defaults */
	struct cfg_prefix ssm_range;	/* 232.0.0.0/8 */
	enum cfg_rp_precedence rp_precedence;
	struct cfg_bsr	bsr;
	enum cfg_spt	spt;
	uint32_t	spt_threshold_kbps;	/* CFG_SPT_THRESHOLD */
	uint16_t	keepalive_period;	/* s, 210 */
	uint16_t	register_suppression_time; /* s, 60 */
	uint16_t	register_probe_time;	/* s, 5 */
	uint16_t	assert_time;		/* s, 180 */
	uint16_t	assert_override_interval; /* s, 3 */
	uint32_t	max_mroutes;		/* 0: no limit */
	uint32_t	max_neighbors;		/* 0: no limit */
	unsigned	niface;
	unsigned	nrp;
	TAILQ_HEAD(, cfg_iface) ifaces;
	TAILQ_HEAD(, cfg_rp) rps;
};

/* Create the libyang context and load the modules from dir (YANG_DIR). */
int	config_init(const char *yang_dir);
void	config_fini(void);
struct ly_ctx *config_ctx(void);

/*
 * Parse, validate and convert a config file.  On error returns NULL and sets
 * *err to a malloc'd message: "FILE:LINE: PATH: what is wrong" (the line
 * where libyang gives one).
 */
struct config *config_load(const char *path, char **err);
/* The same from a string, for tests and fuzzing; name stands for the file. */
struct config *config_load_mem(const char *data, const char *name, char **err);
void	config_free(struct config *);

/* Print the normalised config with every default, as YANG JSON. */
int	config_print(const struct config *, FILE *);
/* The same into a malloc'd string. */
char	*config_print_mem(const struct config *);
/* Log (log_info) each difference between two configs, one line a node. */
void	config_log_diff(const struct config *old, const struct config *new);

const struct cfg_iface *config_iface_find(const struct config *, const char *name);
bool	cfg_pim_if_equal(const struct cfg_pim_if *, const struct cfg_pim_if *);
bool	cfg_igmp_if_equal(const struct cfg_igmp_if *, const struct cfg_igmp_if *);

#endif
