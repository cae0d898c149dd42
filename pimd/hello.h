/* SPDX-License-Identifier: ISC */
/* PIM Hello (RFC 7761 §4.3.1, §4.9.2): sending, receiving, triggering. */
#ifndef PIMD_HELLO_H
#define PIMD_HELLO_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

struct pim_if;

void	hello_start(struct pim_if *);
/* Before another message on the interface: our first Hello, if none went out yet. */
void	hello_first(struct pim_if *);
/* A Hello after rand(0, Triggered_Hello_Delay), unless one is due sooner. */
void	hello_trigger(struct pim_if *);
/* A triggered Hello if our Hello options changed (config, addresses). */
void	hello_update(struct pim_if *);
/* Holdtime 0: neighbours forget us at once (sent when PIM stops here). */
void	hello_goodbye(struct pim_if *);
void	hello_recv(struct pim_if *, struct in_addr src, const uint8_t *body, size_t len);

#endif
