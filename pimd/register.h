/* SPDX-License-Identifier: ISC */
/*
 * Register and Register-Stop (RFC 7761 §4.4): the first-hop DR's Register
 * state machine (§4.4.1), encapsulating data toward the RP, and the RP's
 * side of receiving Registers (§4.4.2).
 */
#ifndef PIMD_REGISTER_H
#define PIMD_REGISTER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pim_if;
struct raw_rx;
struct sg;

/* CouldRegister(S,G) is now `could` (§4.4.1); returns the state's change. */
void	reg_could_register(struct sg *, bool could);
/* RP(G) may have changed: a tunnel to the old RP moves to the new one. */
void	reg_rp_changed(struct sg *);
/* Register-Stop(S,G) received (§4.4.1). */
void	reg_stop_received(struct sg *);
/* Encapsulate one data packet of (S,G) in a Register to the RP. */
void	reg_send_data(struct sg *, const uint8_t *pkt, size_t len);
void	reg_free(struct sg *);

void	register_recv(struct pim_if *, const struct raw_rx *, const uint8_t *body, size_t len);
void	register_stop_recv(struct pim_if *, struct in_addr src, const uint8_t *body,
	    size_t len);

#endif
