/* SPDX-License-Identifier: ISC */
/*
 * Operational state as YANG data (the `state` container of yang/pimd.yang),
 * printed as JSON by libyang or as aligned tables for people.
 */
#ifndef PIMD_OPER_H
#define PIMD_OPER_H

#include <stdbool.h>

/* Each returns a malloc'd answer, or NULL with *err set (malloc'd). */
char	*oper_show_interfaces(bool json, char **err);
char	*oper_show_version(bool json, char **err);
char	*oper_show_config(bool json, char **err);
char	*oper_show_neighbors(bool json, char **err);
char	*oper_show_upstream(bool json, char **err);
char	*oper_show_mroute(bool json, char **err);
char	*oper_show_rp(bool json, char **err);
char	*oper_show_bsr(bool json, char **err);
char	*oper_show_rp_for(const char *group, bool json, char **err);
char	*oper_show_assert(bool json, char **err);
char	*oper_show_igmp_interfaces(bool json, char **err);
char	*oper_show_igmp_groups(bool json, char **err);
char	*oper_show_igmp_sources(bool json, char **err);

#endif
