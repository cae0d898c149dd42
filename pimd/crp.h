/* SPDX-License-Identifier: ISC */
/*
 * A Candidate-RP (RFC 5059 §3.2): this router offers itself to the elected
 * BSR as the RP of its configured group ranges.
 */
#ifndef PIMD_CRP_H
#define PIMD_CRP_H

struct config;

/* Start, change or end the candidacy (first config and each reload). */
void	crp_apply_config(const struct config *);
/* The BSR changed (bsr.c's listener): the new one hears from us soon. */
void	crp_bsr_changed(void);
/* Orderly shutdown: holdtime 0, so that the BSR drops this RP at once. */
void	crp_shutdown(void);
void	crp_fini(void);

#endif
