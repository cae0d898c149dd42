/* SPDX-License-Identifier: ISC */
/*
 * Red-black trees from libbsd's <sys/tree.h>.  Its RB_*_STATIC macros need
 * an __unused that glibc does not define, so these spell the attribute out.
 */
#ifndef LIB_TREE_H
#define LIB_TREE_H

#include <bsd/sys/tree.h>

#define RB_STATIC_ATTR	__attribute__((unused)) static
#define RB_PROTOTYPE_STATIC_(name, type, field, cmp)			\
	RB_PROTOTYPE_INTERNAL(name, type, field, cmp, RB_STATIC_ATTR)
#define RB_GENERATE_STATIC_(name, type, field, cmp)			\
	RB_GENERATE_INTERNAL(name, type, field, cmp, RB_STATIC_ATTR)

#endif
