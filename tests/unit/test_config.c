/* SPDX-License-Identifier: ISC */
/*
 * Config loading: defaults and derived values, every kind of error with
 * its "FILE:LINE: PATH: MESSAGE" form, printing, diff logging, and that
 * docs/pimd.conf.5 documents every config leaf of yang/pimd.yang with the
 * model's range and default, and no node the model does not have.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libyang/libyang.h>

/* By path: the build's own config.h is also on the include path. */
#include "../../pimd/config.h"

#ifndef YANG_DIR
#error "YANG_DIR must name the source yang/ directory"
#endif
#ifndef DOCS_DIR
#define DOCS_DIR YANG_DIR "/../docs"
#endif

static struct config *
load_ok(const char *text)
{
	char *err = NULL;
	struct config *cfg = config_load_mem(text, "t.json", &err);

	if (cfg == NULL)
		fail_msg("unexpected error: %s", err);
	assert_null(err);
	return cfg;
}

/* Load text that must fail; returns the malloc'd message. */
static char *
load_err(const char *name, const char *text)
{
	char *err = NULL;
	struct config *cfg = config_load_mem(text, name, &err);

	if (cfg != NULL) {
		config_free(cfg);
		fail_msg("config accepted: %s", text);
	}
	assert_non_null(err);
	/* One line, whatever the input quoted back. */
	assert_null(strchr(err, '\n'));
	return err;
}

/* The error must start with prefix ("t.json:3: /path: ") and contain what. */
static void
expect_err(const char *text, const char *prefix, const char *what)
{
	char *err = load_err("t.json", text);

	if (strncmp(err, prefix, strlen(prefix)) != 0 ||
	    strstr(err, what) == NULL) {
		print_error("got:      %s\nexpected: %s...%s\n", err, prefix,
		    what);
		free(err);
		fail();
	}
	free(err);
}

static const char *
addr_str(struct in_addr a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* Defaults */

static void
test_empty(void **state)
{
	static const char *const texts[] = { "", "{}", " \n\t\n", "{ }\n" };

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct config *cfg = load_ok(texts[i]);
		char buf[INET_ADDRSTRLEN];

		assert_string_equal(cfg->path, "t.json");
		assert_non_null(cfg->tree);
		assert_int_equal(cfg->niface, 0);
		assert_int_equal(cfg->nrp, 0);
		assert_null(TAILQ_FIRST(&cfg->ifaces));
		assert_null(TAILQ_FIRST(&cfg->rps));
		assert_string_equal(addr_str(cfg->ssm_range.addr, buf),
		    "232.0.0.0");
		assert_int_equal(cfg->ssm_range.len, 8);
		assert_int_equal(cfg->spt, CFG_SPT_IMMEDIATE);
		assert_int_equal(cfg->spt_threshold_kbps, 0);
		assert_int_equal(cfg->keepalive_period, 210);
		assert_int_equal(cfg->register_suppression_time, 60);
		assert_int_equal(cfg->register_probe_time, 5);
		assert_int_equal(cfg->max_mroutes, 0);
		assert_int_equal(cfg->max_neighbors, 0);
		config_free(cfg);
	}
}

static void
test_iface_defaults(void **state)
{
	struct config *cfg = load_ok(
	    "{\"pimd:pimd\": {\"interface\": [{\"name\": \"eth0\"}]}}");
	const struct cfg_iface *ifc;

	(void)state;
	assert_int_equal(cfg->niface, 1);
	ifc = config_iface_find(cfg, "eth0");
	assert_non_null(ifc);
	assert_ptr_equal(ifc, TAILQ_FIRST(&cfg->ifaces));
	assert_null(config_iface_find(cfg, "eth1"));
	assert_string_equal(ifc->name, "eth0");
	assert_true(ifc->pim.enable);
	assert_false(ifc->pim.passive);
	assert_int_equal(ifc->pim.hello_interval, 30);
	assert_int_equal(ifc->pim.hello_holdtime, 105);
	assert_int_equal(ifc->pim.dr_priority, 1);
	assert_int_equal(ifc->pim.jp_interval, 60);
	assert_int_equal(ifc->pim.propagation_delay, 500);
	assert_int_equal(ifc->pim.override_interval, 2500);
	assert_true(ifc->igmp.enable);
	assert_int_equal(ifc->igmp.version, 3);
	assert_int_equal(ifc->igmp.query_interval, 125);
	assert_int_equal(ifc->igmp.query_response_interval, 100);
	assert_int_equal(ifc->igmp.last_member_query_interval, 10);
	assert_int_equal(ifc->igmp.last_member_query_count, 2);
	assert_int_equal(ifc->igmp.robustness, 2);
	assert_int_equal(ifc->igmp.startup_query_interval, 31);
	assert_int_equal(ifc->igmp.startup_query_count, 2);
	assert_false(ifc->igmp.require_router_alert);
	assert_int_equal(ifc->igmp.max_groups, 0);
	config_free(cfg);
}

static void
test_iface_values(void **state)
{
	struct config *cfg = load_ok(
	    "{\"pimd:pimd\": {\"interface\": [\n"
	    " {\"name\": \"eth1\", \"pim\": {\"enable\": false,\n"
	    "  \"passive\": true, \"hello-interval\": 10,\n"
	    "  \"dr-priority\": 4294967295, \"join-prune-interval\": 20,\n"
	    "  \"propagation-delay\": 0, \"override-interval\": 65535},\n"
	    "  \"igmp\": {\"enable\": false, \"version\": 2,\n"
	    "  \"query-interval\": 3, \"query-response-interval\": \"2.5\",\n"
	    "  \"last-member-query-interval\": \"25.5\", \"robustness\": 7,\n"
	    "  \"require-router-alert\": true, \"max-groups\": 100}},\n"
	    " {\"name\": \"eth2\", \"pim\": {\"hello-holdtime\": 31},\n"
	    "  \"igmp\": {\"query-response-interval\": \"3174.4\",\n"
	    "  \"query-interval\": 31744, \"startup-query-interval\": 7,\n"
	    "  \"startup-query-count\": 1, \"last-member-query-count\": 9}}\n"
	    "]}}");
	const struct cfg_iface *a = config_iface_find(cfg, "eth1");
	const struct cfg_iface *b = config_iface_find(cfg, "eth2");

	(void)state;
	assert_int_equal(cfg->niface, 2);
	assert_non_null(a);
	assert_non_null(b);
	assert_false(a->pim.enable);
	assert_true(a->pim.passive);
	assert_int_equal(a->pim.hello_interval, 10);
	assert_int_equal(a->pim.hello_holdtime, 35);	/* derived */
	assert_int_equal(a->pim.dr_priority, UINT32_MAX);
	assert_int_equal(a->pim.jp_interval, 20);
	assert_int_equal(a->pim.propagation_delay, 0);
	assert_int_equal(a->pim.override_interval, 65535);
	assert_false(a->igmp.enable);
	assert_int_equal(a->igmp.version, 2);
	assert_int_equal(a->igmp.query_interval, 3);
	assert_int_equal(a->igmp.query_response_interval, 25);
	assert_int_equal(a->igmp.last_member_query_interval, 255);
	assert_int_equal(a->igmp.robustness, 7);
	assert_int_equal(a->igmp.last_member_query_count, 7);	/* derived */
	assert_int_equal(a->igmp.startup_query_count, 7);	/* derived */
	assert_int_equal(a->igmp.startup_query_interval, 1);	/* 3/4 -> 1 */
	assert_true(a->igmp.require_router_alert);
	assert_int_equal(a->igmp.max_groups, 100);

	assert_int_equal(b->pim.hello_interval, 30);
	assert_int_equal(b->pim.hello_holdtime, 31);	/* explicit */
	assert_int_equal(b->igmp.query_interval, 31744);
	assert_int_equal(b->igmp.query_response_interval, 31744);
	assert_int_equal(b->igmp.startup_query_interval, 7);
	assert_int_equal(b->igmp.startup_query_count, 1);
	assert_int_equal(b->igmp.last_member_query_count, 9);
	assert_int_equal(b->igmp.robustness, 2);

	assert_false(cfg_pim_if_equal(&a->pim, &b->pim));
	assert_false(cfg_igmp_if_equal(&a->igmp, &b->igmp));
	assert_true(cfg_pim_if_equal(&a->pim, &a->pim));
	assert_true(cfg_igmp_if_equal(&b->igmp, &b->igmp));
	config_free(cfg);
}

/* Each field of the per-interface structs takes part in the comparison. */
static void
test_equal(void **state)
{
	struct config *cfg = load_ok(
	    "{\"pimd:pimd\": {\"interface\": [{\"name\": \"eth0\"}]}}");
	const struct cfg_iface *ifc = TAILQ_FIRST(&cfg->ifaces);
	struct cfg_pim_if pim;
	struct cfg_igmp_if igmp;

	(void)state;
#define CHANGES(s, orig, field) do {					\
	s = orig;							\
	assert_true(cfg_##s##_if_equal(&s, &orig));			\
	s.field ^= 1;							\
	assert_false(cfg_##s##_if_equal(&s, &orig));			\
} while (0)
	CHANGES(pim, ifc->pim, enable);
	CHANGES(pim, ifc->pim, passive);
	CHANGES(pim, ifc->pim, hello_interval);
	CHANGES(pim, ifc->pim, hello_holdtime);
	CHANGES(pim, ifc->pim, dr_priority);
	CHANGES(pim, ifc->pim, jp_interval);
	CHANGES(pim, ifc->pim, propagation_delay);
	CHANGES(pim, ifc->pim, override_interval);
	CHANGES(igmp, ifc->igmp, enable);
	CHANGES(igmp, ifc->igmp, version);
	CHANGES(igmp, ifc->igmp, query_interval);
	CHANGES(igmp, ifc->igmp, query_response_interval);
	CHANGES(igmp, ifc->igmp, last_member_query_interval);
	CHANGES(igmp, ifc->igmp, last_member_query_count);
	CHANGES(igmp, ifc->igmp, robustness);
	CHANGES(igmp, ifc->igmp, startup_query_interval);
	CHANGES(igmp, ifc->igmp, startup_query_count);
	CHANGES(igmp, ifc->igmp, require_router_alert);
	CHANGES(igmp, ifc->igmp, max_groups);
#undef CHANGES
	config_free(cfg);
}

static void
test_globals(void **state)
{
	struct config *cfg = load_ok(
	    "{\"pimd:pimd\": {\n"
	    " \"rp\": [{\"address\": \"10.0.0.1\"},\n"
	    "  {\"address\": \"198.51.100.7\",\n"
	    "   \"group\": [\"239.1.2.3/16\", \"225.0.0.0/8\"]}],\n"
	    " \"ssm-range\": \"232.1.0.0/16\",\n"
	    " \"spt-switchover\": {\"mode\": \"threshold\",\n"
	    "  \"threshold-kbps\": 64},\n"
	    " \"keepalive-period\": 65535, \"register-suppression-time\": 6,\n"
	    " \"register-probe-time\": 2, \"max-mroutes\": 1000,\n"
	    " \"max-neighbors\": 50}}");
	const struct cfg_rp *rp;
	char buf[INET_ADDRSTRLEN];

	(void)state;
	assert_int_equal(cfg->nrp, 2);
	rp = TAILQ_FIRST(&cfg->rps);
	assert_string_equal(addr_str(rp->addr, buf), "10.0.0.1");
	assert_int_equal(rp->ngroups, 1);
	assert_string_equal(addr_str(rp->groups[0].addr, buf), "224.0.0.0");
	assert_int_equal(rp->groups[0].len, 4);
	rp = TAILQ_NEXT(rp, entry);
	assert_string_equal(addr_str(rp->addr, buf), "198.51.100.7");
	assert_int_equal(rp->ngroups, 2);
	/* Host bits are cleared by the ipv4-prefix type. */
	assert_string_equal(addr_str(rp->groups[0].addr, buf), "239.1.0.0");
	assert_int_equal(rp->groups[0].len, 16);
	assert_string_equal(addr_str(rp->groups[1].addr, buf), "225.0.0.0");
	assert_int_equal(rp->groups[1].len, 8);
	assert_string_equal(addr_str(cfg->ssm_range.addr, buf), "232.1.0.0");
	assert_int_equal(cfg->ssm_range.len, 16);
	assert_int_equal(cfg->spt, CFG_SPT_THRESHOLD);
	assert_int_equal(cfg->spt_threshold_kbps, 64);
	assert_int_equal(cfg->keepalive_period, 65535);
	assert_int_equal(cfg->register_suppression_time, 6);
	assert_int_equal(cfg->register_probe_time, 2);
	assert_int_equal(cfg->max_mroutes, 1000);
	assert_int_equal(cfg->max_neighbors, 50);
	config_free(cfg);

	cfg = load_ok("{\"pimd:pimd\": {\"spt-switchover\": "
	    "{\"mode\": \"never\"}}}");
	assert_int_equal(cfg->spt, CFG_SPT_NEVER);
	config_free(cfg);
}

static void
test_xml(void **state)
{
	char *err = NULL;
	struct config *cfg = config_load_mem(
	    "<pimd xmlns=\"urn:pimd:yang:pimd\">\n"
	    "  <interface><name>eth0</name>\n"
	    "    <pim><hello-interval>10</hello-interval></pim>\n"
	    "    <igmp><query-response-interval>2.5</query-response-interval>"
	    "</igmp>\n"
	    "  </interface>\n"
	    "</pimd>\n", "t.XML", &err);

	(void)state;
	assert_non_null(cfg);
	assert_int_equal(TAILQ_FIRST(&cfg->ifaces)->pim.hello_interval, 10);
	assert_int_equal(
	    TAILQ_FIRST(&cfg->ifaces)->igmp.query_response_interval, 25);
	config_free(cfg);

	err = load_err("t.xml",
	    "<pimd xmlns=\"urn:pimd:yang:pimd\">\n"
	    "  <interface><name>eth0</name>\n"
	    "    <pim><hello-interval>x</hello-interval></pim>\n"
	    "  </interface>\n"
	    "</pimd>\n");
	assert_string_equal(err, "t.xml:3: "
	    "/pimd:pimd/interface[name='eth0']/pim/hello-interval: "
	    "Invalid type uint16 value \"x\".");
	free(err);
}

/* Errors */

static void
test_err_syntax(void **state)
{
	(void)state;
	expect_err("garbage", "t.json:1: ", "Invalid character sequence");
	expect_err("{\n\"pimd:pimd\": {\n  \"interface\": [\n",
	    "t.json:4: /pimd:pimd: ", "");
	expect_err("{\"pimd:pimd\": {}, \"pimd:pimd\": {}}",
	    "t.json: /pimd:pimd: ", "Duplicate instance");
	expect_err("[1]", "t.json:1: ", "top-level JSON object");
	expect_err("{\n\n\"foo:bar\": 1}", "t.json:3: ", "No module named");
	/* Of "Unexpected end-of-input" and this, the one that says more. */
	expect_err("{\"pimd:pimd\": {\"interface\": [{\"name\": \"eth",
	    "t.json:1: /pimd:pimd/interface: ", "Missing quotation-mark");
	/* Input quoted back in the message stays on one line. */
	expect_err("\n\n\"bad\nline\"", "t.json:", "JSON string \"bad \"");
}

static void
test_err_types(void **state)
{
	(void)state;
	expect_err("{\"pimd:pimd\": {\"interface\": [{\"name\": \"eth0\",\n"
	    "  \"pim\": {\"enable\": \"yes\"}}]}}",
	    "t.json:2: /pimd:pimd/interface[name='eth0']/pim/enable: ",
	    "boolean");
	expect_err("{\"pimd:pimd\": {\"interface\": [{\"name\": \"eth0\",\n"
	    "  \"pim\": {\"hello-interval\": \"10\"}}]}}",
	    "t.json:2: /pimd:pimd/interface[name='eth0']/pim/hello-interval: ",
	    "uint16");
	/* RFC 7951 encodes decimal64 as a string. */
	expect_err("{\"pimd:pimd\": {\"interface\": [{\"name\": \"eth0\",\n"
	    "  \"igmp\": {\"query-response-interval\": 5.5}}]}}",
	    "t.json:2: /pimd:pimd/interface[name='eth0']/igmp/"
	    "query-response-interval: ", "decimal64");
	expect_err("{\"pimd:pimd\": {\"interface\": [{\"name\": \"eth0\",\n"
	    "  \"igmp\": {\"last-member-query-interval\": \"1.25\"}}]}}",
	    "t.json:2: /pimd:pimd/interface[name='eth0']/igmp/"
	    "last-member-query-interval: ", "");
	expect_err("{\"pimd:pimd\": {\"spt-switchover\": {\"mode\": \"fast\"}}}",
	    "t.json:1: /pimd:pimd/spt-switchover/mode: ", "enumeration");
}

static void
test_err_ranges(void **state)
{
	(void)state;
	expect_err("{\"pimd:pimd\": {\"interface\": [{\"name\": \"eth0\",\n"
	    "  \"pim\": {\n    \"hello-interval\": 0}}]}}",
	    "t.json:3: /pimd:pimd/interface[name='eth0']/pim/hello-interval: ",
	    "hello-interval must be 1 to 18000 seconds");
	expect_err("{\"pimd:pimd\": {\"interface\": [{\"name\": \"eth0\",\n"
	    "  \"pim\": {\"hello-interval\": 70000}}]}}",
	    "t.json:2: /pimd:pimd/interface[name='eth0']/pim/hello-interval: ",
	    "70000");
	expect_err("{\"pimd:pimd\": {\"interface\": [{\"name\": \"eth0\",\n"
	    "  \"igmp\": {\"robustness\": 1}}]}}",
	    "t.json:2: /pimd:pimd/interface[name='eth0']/igmp/robustness: ",
	    "robustness must be 2 to 7");
	expect_err("{\"pimd:pimd\": {\"interface\": [{\"name\": \"eth0\",\n"
	    "  \"igmp\": {\"version\": 1}}]}}",
	    "t.json:2: /pimd:pimd/interface[name='eth0']/igmp/version: ",
	    "version must be 2 or 3");
	expect_err("{\"pimd:pimd\": {\"interface\": [{\"name\": \"eth0\",\n"
	    "  \"igmp\": {\"query-response-interval\": \"0.0\"}}]}}",
	    "t.json:2: /pimd:pimd/interface[name='eth0']/igmp/"
	    "query-response-interval: ", "0.1 to 3174.4 seconds");
	expect_err("{\"pimd:pimd\": {\"keepalive-period\": 0}}",
	    "t.json:1: /pimd:pimd/keepalive-period: ", "1 to 65535");
	expect_err("{\"pimd:pimd\": {\"spt-switchover\": "
	    "{\"mode\": \"threshold\", \"threshold-kbps\": 0}}}",
	    "t.json:1: /pimd:pimd/spt-switchover/threshold-kbps: ",
	    "at least 1");
}

static void
test_err_unknown(void **state)
{
	(void)state;
	expect_err("{\"pimd:pimd\": {\"interface\": [{\"name\": \"eth0\",\n"
	    "  \"pim\": {\"hello-intervl\": 10}}]}}",
	    "t.json:2: /pimd:pimd/interface[name='eth0']/pim: ",
	    "\"hello-intervl\" not found");
	expect_err("{\"pimd:pimd\": {\"interfaces\": []}}",
	    "t.json:1: /pimd:pimd: ", "\"interfaces\" not found");
	/* Operational state is not configuration. */
	expect_err("{\"pimd:pimd\": {\n\"state\": {\"pid\": 1}}}",
	    "t.json:2: /pimd:pimd/state: ", "state");
}

static void
test_err_addresses(void **state)
{
	static const char *const bad_rps[] = {
		"224.1.1.1", "0.0.0.0", "127.0.0.1", "255.255.255.255",
		"239.0.0.1", "0.1.2.3",
	};
	char text[128];

	(void)state;
	for (size_t i = 0; i < sizeof(bad_rps) / sizeof(bad_rps[0]); i++) {
		snprintf(text, sizeof(text),
		    "{\"pimd:pimd\": {\"rp\": [{\"address\": \"%s\"}]}}",
		    bad_rps[i]);
		expect_err(text, "t.json:1: /pimd:pimd/rp/address: ",
		    "must be a unicast IPv4 address");
	}
	expect_err("{\"pimd:pimd\": {\"rp\": [{\"address\": \"10.0.0.256\"}]}}",
	    "t.json:1: /pimd:pimd/rp/address: ", "");
	expect_err("{\"pimd:pimd\": {\"rp\": [{\"address\": \"10.0.0.1\",\n"
	    "  \"group\": [\"239.0.0.0/8\", \"10.0.0.0/8\"]}]}}",
	    "t.json:2: /pimd:pimd/rp[address='10.0.0.1']/group: ",
	    "within the multicast range 224.0.0.0/4");
	/* Starts in 224/4 but is wider than it. */
	expect_err("{\"pimd:pimd\": {\"rp\": [{\"address\": \"10.0.0.1\",\n"
	    "  \"group\": [\"224.0.0.0/3\"]}]}}",
	    "t.json:2: /pimd:pimd/rp[address='10.0.0.1']/group: ",
	    "224.0.0.0/4");
	expect_err("{\"pimd:pimd\": {\"ssm-range\": \"10.0.0.0/8\"}}",
	    "t.json:1: /pimd:pimd/ssm-range: ", "multicast range");
}

static void
test_err_names(void **state)
{
	static const char *const bad[] = {
		"eth0123456789012", "a/b", "a:b", "a b", "", ".", "..",
		"\xc3\xa9th0",
	};
	char text[128];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text),
		    "{\"pimd:pimd\": {\"interface\": [{\"name\": \"%s\"}]}}",
		    bad[i]);
		expect_err(text, "t.json:1: /pimd:pimd/interface/name: ", "");
	}
	expect_err("{\"pimd:pimd\": {\"interface\": [{\"name\": \"eth0\"},\n"
	    "  {\"name\": \"eth0\"}]}}",
	    "t.json:2: /pimd:pimd/interface[name='eth0']: ", "Duplicate");
}

/* A config with n interfaces eth0..eth<n-1>. */
static char *
many_ifaces(int n)
{
	size_t size = 64 + (size_t)n * 32, off;
	char *s = malloc(size);

	assert_non_null(s);
	off = (size_t)snprintf(s, size, "{\"pimd:pimd\": {\"interface\": [");
	for (int i = 0; i < n; i++)
		off += (size_t)snprintf(s + off, size - off,
		    "%s{\"name\": \"eth%d\"}", i ? ", " : "", i);
	snprintf(s + off, size - off, "]}}");
	return s;
}

static void
test_err_max_ifaces(void **state)
{
	char *text = many_ifaces(31);
	struct config *cfg = load_ok(text);

	(void)state;
	assert_int_equal(cfg->niface, 31);
	config_free(cfg);
	free(text);
	text = many_ifaces(32);
	expect_err(text, "t.json: /pimd:pimd/interface[name='eth0']: ",
	    "At most 31 interfaces");
	free(text);
}

static void
test_err_musts(void **state)
{
	(void)state;
	expect_err("{\"pimd:pimd\": {\"interface\": [{\"name\": \"eth0\",\n"
	    "  \"pim\": {\"hello-interval\": 30, \"hello-holdtime\": 30}}]}}",
	    "t.json: /pimd:pimd/interface[name='eth0']/pim/hello-holdtime: ",
	    "must be greater than hello-interval");
	/* Against the default hello-interval of 30. */
	expect_err("{\"pimd:pimd\": {\"interface\": [{\"name\": \"eth0\",\n"
	    "  \"pim\": {\"hello-holdtime\": 20}}]}}",
	    "t.json: /pimd:pimd/interface[name='eth0']/pim/hello-holdtime: ",
	    "must be greater than hello-interval");
	expect_err("{\"pimd:pimd\": {\"spt-switchover\": "
	    "{\"mode\": \"threshold\"}}}",
	    "t.json: /pimd:pimd/spt-switchover/mode: ", "needs threshold-kbps");
	expect_err("{\"pimd:pimd\": {\"spt-switchover\": "
	    "{\"threshold-kbps\": 10}}}",
	    "t.json: /pimd:pimd/spt-switchover/threshold-kbps: ",
	    "only valid with spt-switchover mode");
	/* The default query-response-interval (10 s) against 10 s. */
	expect_err("{\"pimd:pimd\": {\"interface\": [{\"name\": \"eth0\",\n"
	    "  \"igmp\": {\"query-interval\": 10}}]}}",
	    "t.json: /pimd:pimd/interface[name='eth0']/igmp/"
	    "query-response-interval: ", "less than query-interval");
	expect_err("{\"pimd:pimd\": {\"interface\": [{\"name\": \"eth0\",\n"
	    "  \"igmp\": {\"version\": 2, \"query-response-interval\": "
	    "\"25.6\"}}]}}",
	    "t.json: /pimd:pimd/interface[name='eth0']/igmp/"
	    "query-response-interval: ", "IGMPv2");
	/* The default register-probe-time (5 s) against 6 s. */
	expect_err("{\"pimd:pimd\": {\"register-suppression-time\": 6}}",
	    "t.json: /pimd:pimd/register-probe-time: ",
	    "less than half of register-suppression-time");
}

/* Files */

static char *
write_tmp(const char *suffix, const char *text)
{
	char *path = malloc(64);
	int fd;

	assert_non_null(path);
	snprintf(path, 64, "/tmp/test_config_XXXXXX%s", suffix);
	fd = mkstemps(path, (int)strlen(suffix));
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void
test_files(void **state)
{
	char *json = write_tmp(".json",
	    "{\"pimd:pimd\": {\"interface\": [{\"name\": \"lo\"}]}}");
	char *xml = write_tmp(".xml",
	    "<pimd xmlns=\"urn:pimd:yang:pimd\"><keepalive-period>99"
	    "</keepalive-period></pimd>");
	char *bad = write_tmp(".json", "{\n\"pimd:pimd\": 1}");
	char *err = NULL, expect[128];
	struct config *cfg;

	(void)state;
	cfg = config_load(json, &err);
	assert_non_null(cfg);
	assert_null(err);
	assert_string_equal(cfg->path, json);
	assert_non_null(config_iface_find(cfg, "lo"));
	config_free(cfg);

	cfg = config_load(xml, &err);
	assert_non_null(cfg);
	assert_int_equal(cfg->keepalive_period, 99);
	config_free(cfg);

	assert_null(config_load(bad, &err));
	snprintf(expect, sizeof(expect), "%s:2: ", bad);
	assert_memory_equal(err, expect, strlen(expect));
	free(err);

	assert_null(config_load("/nonexistent/pimd.json", &err));
	assert_string_equal(err,
	    "/nonexistent/pimd.json: No such file or directory");
	free(err);
	assert_null(config_load("/", &err));
	assert_string_equal(err, "/: Is a directory");
	free(err);

	unlink(json);
	unlink(xml);
	unlink(bad);
	free(json);
	free(xml);
	free(bad);
}

/* Printing */

static void
test_print(void **state)
{
	struct config *cfg = load_ok(
	    "{\"pimd:pimd\": {\"interface\": [{\"name\": \"eth0\", "
	    "\"pim\": {\"hello-holdtime\": 100}}],"
	    " \"rp\": [{\"address\": \"10.0.0.1\"}]}}");
	struct config *again;
	char *text = config_print_mem(cfg), *text2, *file_text;
	FILE *fp = tmpfile();
	long len;

	(void)state;
	assert_non_null(text);
	/* Every default is there, and the derived-only leaf as given. */
	assert_non_null(strstr(text, "\"hello-interval\": 30"));
	assert_non_null(strstr(text, "\"hello-holdtime\": 100"));
	assert_non_null(strstr(text, "\"query-response-interval\": \"10.0\""));
	assert_non_null(strstr(text, "\"224.0.0.0/4\""));
	assert_non_null(strstr(text, "\"ssm-range\": \"232.0.0.0/8\""));
	assert_null(strstr(text, "startup-query-count"));
	assert_int_equal(text[strlen(text) - 1], '\n');

	/* The printed form loads back to the same. */
	again = load_ok(text);
	text2 = config_print_mem(again);
	assert_string_equal(text, text2);
	assert_true(cfg_pim_if_equal(&TAILQ_FIRST(&cfg->ifaces)->pim,
	    &TAILQ_FIRST(&again->ifaces)->pim));

	assert_non_null(fp);
	assert_int_equal(config_print(cfg, fp), 0);
	len = ftell(fp);
	assert_int_equal(len, (long)strlen(text));
	file_text = calloc(1, (size_t)len + 1);
	rewind(fp);
	assert_int_equal(fread(file_text, 1, (size_t)len, fp), (size_t)len);
	assert_string_equal(file_text, text);

	fclose(fp);
	free(file_text);
	free(text);
	free(text2);
	config_free(cfg);
	config_free(again);
}

/* Diff logging: log.c writes to stderr, so catch that. */
static char *
diff_output(const char *old_text, const char *new_text)
{
	struct config *old = load_ok(old_text), *new = load_ok(new_text);
	FILE *tmp = tmpfile();
	int saved;
	long len;
	char *out;

	assert_non_null(tmp);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fileno(tmp), STDERR_FILENO);
	config_log_diff(old, new);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	len = ftell(tmp);
	out = calloc(1, (size_t)len + 1);
	assert_non_null(out);
	rewind(tmp);
	assert_int_equal(fread(out, 1, (size_t)len, tmp), (size_t)len);
	fclose(tmp);
	config_free(old);
	config_free(new);
	return out;
}

static unsigned
count_lines(const char *s)
{
	unsigned n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static void
test_diff(void **state)
{
	static const char old[] =
	    "{\"pimd:pimd\": {\"interface\": [{\"name\": \"eth0\"},"
	    " {\"name\": \"eth1\", \"pim\": {\"hello-holdtime\": 100}}],"
	    " \"rp\": [{\"address\": \"10.0.0.1\"}],"
	    " \"spt-switchover\": {\"mode\": \"threshold\","
	    " \"threshold-kbps\": 10}}}";
	static const char new[] =
	    "{\"pimd:pimd\": {\"interface\": [{\"name\": \"eth0\","
	    " \"pim\": {\"hello-interval\": 10, \"dr-priority\": 1}},"
	    " {\"name\": \"eth2\"}],"
	    " \"rp\": [{\"address\": \"10.0.0.1\","
	    " \"group\": [\"239.0.0.0/8\"]}],"
	    " \"spt-switchover\": {\"mode\": \"threshold\","
	    " \"threshold-kbps\": 20}}}";
	static const char *const lines[] = {
		"config: /pimd:pimd/interface[name='eth0']/pim/hello-interval: "
		    "30 -> 10\n",
		"config: /pimd:pimd/interface[name='eth1']: removed\n",
		"config: /pimd:pimd/interface[name='eth2']: added\n",
		"config: /pimd:pimd/rp[address='10.0.0.1']/group"
		    "[.='224.0.0.0/4']: removed\n",
		"config: /pimd:pimd/rp[address='10.0.0.1']/group"
		    "[.='239.0.0.0/8']: added\n",
		"config: /pimd:pimd/spt-switchover/threshold-kbps: 10 -> 20\n",
	};
	char *out = diff_output(old, new);

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (strstr(out, lines[i]) == NULL)
			fail_msg("missing \"%s\" in:\n%s", lines[i], out);
	/* dr-priority 1 made explicit is not a change. */
	assert_int_equal(count_lines(out), sizeof(lines) / sizeof(lines[0]));
	free(out);

	out = diff_output(new, new);
	assert_string_equal(out, "");
	free(out);

	out = diff_output("{\"pimd:pimd\": {\"interface\": [{\"name\": \"e\","
	    " \"igmp\": {\"startup-query-count\": 3}}]}}",
	    "{\"pimd:pimd\": {\"interface\": [{\"name\": \"e\","
	    " \"pim\": {\"hello-holdtime\": 40}}]}}");
	assert_non_null(strstr(out, "config: /pimd:pimd/interface[name='e']"
	    "/igmp/startup-query-count: 3 -> (unset)\n"));
	assert_non_null(strstr(out, "config: /pimd:pimd/interface[name='e']"
	    "/pim/hello-holdtime: (unset) -> 40\n"));
	assert_int_equal(count_lines(out), 2);
	free(out);
}

/* Init */

static void
test_init(void **state)
{
	char *err = NULL;
	struct ly_ctx *ctx = config_ctx();

	(void)state;
	assert_non_null(ctx);
	assert_non_null(ly_ctx_get_module_implemented(ctx, "pimd"));
	/* Again is harmless. */
	assert_int_equal(config_init(YANG_DIR), 0);
	assert_ptr_equal(config_ctx(), ctx);

	config_fini();
	assert_null(config_ctx());
	assert_null(config_load_mem("{}", "t.json", &err));
	assert_string_equal(err, "t.json: configuration model not loaded");
	free(err);
	assert_int_equal(config_init("/nonexistent"), -1);
	assert_null(config_ctx());
	assert_int_equal(config_init(YANG_DIR), 0);
}

/* Documentation */

static char *
read_all(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long len;

	if (fp == NULL)
		fail_msg("cannot open %s", path);
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	buf = calloc(1, (size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	return buf;
}

/* roff writes a literal '-' as "\-"; compare the plain text. */
static void
unescape_minus(char *s)
{
	char *d = s;

	for (; *s != '\0'; s++)
		if (!(s[0] == '\\' && s[1] == '-'))
			*d++ = *s;
	*d = '\0';
}

struct doc_check {
	char		*man;
	unsigned	 nleaves;
	unsigned	 missing;
	unsigned	 wrong;
};

/*
 * The text of an entry from p, its first line after the heading, up to
 * the next .TP, .SS or .SH, with roff requests (".B", ".BR", ...) dropped
 * and blanks collapsed: ".B true\n." reads "true .".
 */
static void
entry_text(const char *p, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	while (*p != '\0' && strncmp(p, ".TP", 3) != 0 &&
	    strncmp(p, ".SS", 3) != 0 && strncmp(p, ".SH", 3) != 0) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		const char *text = p;

		if (*p == '.') {	/* a request: its arguments are text */
			const char *sp = memchr(p, ' ', len);

			text = sp ? sp + 1 : p + len;
		}
		for (; text < p + len && used + 2 < size; text++)
			if (*text != ' ' || (used > 0 && out[used - 1] != ' '))
				out[used++] = *text;
		if (used > 0 && out[used - 1] != ' ' && used + 2 < size)
			out[used++] = ' ';
		out[used] = '\0';
		p += len + (eol != NULL);
	}
}

/* A range bound as the YANG text writes it: decimal64 with its digits. */
static void
bound(char *buf, size_t size, const struct lysc_type *t, bool is_min,
    const struct lysc_range_part *r)
{
	if (t->basetype == LY_TYPE_DEC64) {
		unsigned fd = ((const struct lysc_type_dec *)t)->fraction_digits;
		int64_t v = is_min ? r->min_64 : r->max_64, scale = 1;

		assert_true(fd >= 1 && fd <= 18);
		for (unsigned i = 0; i < fd; i++)
			scale *= 10;
		snprintf(buf, size, "%s%lld.%0*lld", v < 0 ? "-" : "",
		    (long long)(llabs(v) / scale), (int)(fd & 0x1f),
		    (long long)(llabs(v) % scale));
	} else if (t->basetype >= LY_TYPE_INT8)
		snprintf(buf, size, "%lld", (long long)(is_min ? r->min_64 : r->max_64));
	else
		snprintf(buf, size, "%llu",
		    (unsigned long long)(is_min ? r->min_u64 : r->max_u64));
}

/* The largest value of an unsigned type, for "at least N" ranges. */
static uint64_t
type_max(LY_DATA_TYPE t)
{
	switch (t) {
	case LY_TYPE_UINT8: return UINT8_MAX;
	case LY_TYPE_UINT16: return UINT16_MAX;
	case LY_TYPE_UINT32: return UINT32_MAX;
	default: return UINT64_MAX;
	}
}

static const struct lysc_range *
type_range(const struct lysc_type *t)
{
	switch (t->basetype) {
	case LY_TYPE_UINT8: case LY_TYPE_UINT16: case LY_TYPE_UINT32:
	case LY_TYPE_UINT64: case LY_TYPE_INT8: case LY_TYPE_INT16:
	case LY_TYPE_INT32: case LY_TYPE_INT64:
		return ((const struct lysc_type_num *)t)->range;
	case LY_TYPE_DEC64:
		return ((const struct lysc_type_dec *)t)->range;
	case LY_TYPE_STRING:
		return ((const struct lysc_type_str *)t)->length;
	default:
		return NULL;
	}
}

static bool
says(struct doc_check *dc, const char *path, const char *text, const char *what)
{
	if (strstr(text, what) != NULL)
		return true;
	print_error("docs/pimd.conf.5: %s does not say \"%s\": %s\n", path, what, text);
	dc->wrong++;
	return false;
}

/* The entry gives the leaf's range ("1 to 18000", "2 or 3", "at least 1"). */
static void
check_range(struct doc_check *dc, const char *path, const char *text,
    const struct lysc_type *t)
{
	const struct lysc_range *r = type_range(t);
	char lo[64], hi[64], a[160], b[160];

	if (r == NULL)
		return;
	for (LY_ARRAY_COUNT_TYPE i = 0; i < LY_ARRAY_COUNT(r->parts); i++) {
		const struct lysc_range_part *p = &r->parts[i];

		bound(lo, sizeof(lo), t, true, p);
		bound(hi, sizeof(hi), t, false, p);
		snprintf(a, sizeof(a), "%s to %s", lo, hi);
		b[0] = '\0';
		if (t->basetype < LY_TYPE_DEC64 && p->max_u64 == p->min_u64 + 1)
			snprintf(b, sizeof(b), "%s or %s", lo, hi);
		else if (t->basetype < LY_TYPE_DEC64 && p->max_u64 == type_max(t->basetype))
			snprintf(b, sizeof(b), "at least %s", lo);
		if (b[0] != '\0' && strstr(text, b) != NULL)
			continue;
		says(dc, path, text, a);
	}
}

/* The entry gives the default the model has, as "default VALUE". */
static void
check_default(struct doc_check *dc, const char *path, const char *text,
    const struct lysc_node *node)
{
	const struct ly_ctx *ctx = config_ctx();
	char want[96];

	if (node->nodetype == LYS_LEAF) {
		const struct lysc_node_leaf *l = (const void *)node;

		if (l->dflt == NULL)
			return;
		snprintf(want, sizeof(want), "default %s",
		    lyd_value_get_canonical(ctx, l->dflt));
		says(dc, path, text, want);
	} else {
		const struct lysc_node_leaflist *l = (const void *)node;
		LY_ARRAY_COUNT_TYPE i;

		LY_ARRAY_FOR(l->dflts, i) {
			snprintf(want, sizeof(want), "default %s",
			    lyd_value_get_canonical(ctx, l->dflts[i]));
			says(dc, path, text, want);
		}
	}
}

/*
 * Each config leaf has an entry headed by its path below the top
 * container: ".TP", then ".B interface/pim/hello\-interval" on a line of
 * its own; the entry gives the leaf's range and default as the model has
 * them.
 */
static LY_ERR
check_documented(struct lysc_node *node, void *data, ly_bool *skip)
{
	static const char top[] = "/pimd:pimd/";
	struct doc_check *dc = data;
	char path[256], heading[300], text[2048];
	const char *at;

	if (!(node->flags & LYS_CONFIG_W)) {
		*skip = 1;
		return LY_SUCCESS;
	}
	if (!(node->nodetype & (LYS_LEAF | LYS_LEAFLIST)))
		return LY_SUCCESS;
	assert_non_null(lysc_path(node, LYSC_PATH_DATA, path, sizeof(path)));
	assert_memory_equal(path, top, strlen(top));
	dc->nleaves++;
	snprintf(heading, sizeof(heading), "\n.TP\n.B %s\n", path + strlen(top));
	if ((at = strstr(dc->man, heading)) == NULL) {
		print_error("docs/pimd.conf.5 does not document %s\n",
		    path + strlen(top));
		dc->missing++;
		return LY_SUCCESS;
	}
	entry_text(at + strlen(heading), text, sizeof(text));
	check_range(dc, path + strlen(top), text, ((const struct lysc_node_leaf *)node)->type);
	check_default(dc, path + strlen(top), text, node);
	return LY_SUCCESS;
}

/* Every entry heading names a node of the model: no entry outlives its leaf. */
static unsigned
stale_entries(const char *man)
{
	static const char tag[] = "\n.TP\n.B ";
	unsigned stale = 0;

	for (const char *p = strstr(man, tag); p != NULL; p = strstr(p + 1, tag)) {
		char path[300];
		const char *name = p + strlen(tag);
		int n = (int)strcspn(name, "\n ");

		snprintf(path, sizeof(path), "/pimd:pimd/%.*s", n, name);
		if (lys_find_path(config_ctx(), NULL, path, 0) == NULL) {
			print_error("docs/pimd.conf.5 documents %s, which the model "
			    "does not have\n", path);
			stale++;
		}
	}
	return stale;
}

static void
test_docs(void **state)
{
	const struct lys_module *mod =
	    ly_ctx_get_module_implemented(config_ctx(), "pimd");
	struct doc_check dc = { .man = read_all(DOCS_DIR "/pimd.conf.5") };

	(void)state;
	assert_non_null(mod);
	unescape_minus(dc.man);
	assert_int_equal(lysc_tree_dfs_full(mod->compiled->data,
	    check_documented, &dc), LY_SUCCESS);
	assert_true(dc.nleaves >= 30);
	assert_int_equal(dc.missing, 0);
	assert_int_equal(dc.wrong, 0);
	assert_int_equal(stale_entries(dc.man), 0);
	free(dc.man);
}

static int
setup(void **state)
{
	(void)state;
	return config_init(YANG_DIR);
}

static int
teardown(void **state)
{
	(void)state;
	config_fini();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_iface_defaults),
		cmocka_unit_test(test_iface_values),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_globals),
		cmocka_unit_test(test_xml),
		cmocka_unit_test(test_err_syntax),
		cmocka_unit_test(test_err_types),
		cmocka_unit_test(test_err_ranges),
		cmocka_unit_test(test_err_unknown),
		cmocka_unit_test(test_err_addresses),
		cmocka_unit_test(test_err_names),
		cmocka_unit_test(test_err_max_ifaces),
		cmocka_unit_test(test_err_musts),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_docs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
