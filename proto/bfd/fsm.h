/*
 * metalbird -- the BFD session state machine (RFC 5880 section 6)
 *
 * Pure functions over struct bfd_fsm: what a received packet or an expired
 * detection timer does to the session's state and timers, and what the
 * next packet we send says.  No clock, sockets or randomness here: the
 * protocol (bfd.c) arms the timers from bfd_fsm_tx_interval() and
 * bfd_fsm_detect_time() and draws the jitter.  All intervals are in
 * microseconds, as on the wire.
 */
#ifndef MB_BFD_FSM_H
#define MB_BFD_FSM_H

#include <stdint.h>

#include "proto/bfd/packets.h"

/* RFC 5880 6.8.3: while not Up, at least one second between packets. */
#define BFD_SLOW_TX 1000000u

struct bfd_fsm {
	uint8_t state;			/* bfd.SessionState */
	uint8_t remote_state;		/* bfd.RemoteSessionState */
	uint8_t diag;			/* bfd.LocalDiag */
	uint8_t remote_diag;
	uint32_t local_disc;		/* bfd.LocalDiscr, nonzero */
	uint32_t remote_disc;		/* bfd.RemoteDiscr */
	uint8_t mult;			/* bfd.DetectMult */
	uint32_t cfg_min_tx;		/* configured desired min TX for Up */
	uint32_t cfg_min_rx;		/* configured required min RX */
	uint32_t des_min_tx;		/* bfd.DesiredMinTxInterval: what we send */
	uint32_t req_min_rx;		/* bfd.RequiredMinRxInterval: what we send */
	uint32_t act_tx;		/* the desired TX in effect (6.8.3: old value until poll ends) */
	uint32_t act_rx;		/* the required RX in effect for the detection time */
	uint32_t remote_min_rx;		/* bfd.RemoteMinRxInterval */
	uint32_t remote_des_tx;		/* the remote's Desired Min TX */
	uint8_t remote_mult;		/* the remote's Detect Mult, 0 = never heard */
	uint8_t poll;			/* a Poll Sequence is in progress */
};

/* What a call changed, for the caller to act on. */
#define BFD_EV_STATE	0x01	/* state changed: tell the requests */
#define BFD_EV_FINAL	0x02	/* send a packet with the Final bit now */
#define BFD_EV_TIMERS	0x04	/* TX interval or detection time changed */
#define BFD_EV_DISCARD	0x08	/* packet dropped (state AdminDown) */
#define BFD_EV_SEND	0x10	/* send a packet soon (poll started, state changed) */

/* A new session: Down, with the configured intervals and multiplier. */
void bfd_fsm_init(struct bfd_fsm *f, uint32_t local_disc, uint32_t min_tx, uint32_t min_rx, uint8_t mult);
/* New configured intervals; starts a poll sequence if what we send changes. */
int bfd_fsm_set_params(struct bfd_fsm *f, uint32_t min_tx, uint32_t min_rx, uint8_t mult);
/* A packet that passed bfd_pkt_decode() and was matched to this session
 * (RFC 5880 6.8.6, from "Set bfd.RemoteDiscr" on). */
int bfd_fsm_rx(struct bfd_fsm *f, const struct bfd_pkt *p);
/* The detection time passed without a packet (RFC 5880 6.8.4). */
int bfd_fsm_timeout(struct bfd_fsm *f);
/* Administrative down (RFC 5880 6.8.16) or back. */
int bfd_fsm_admin(struct bfd_fsm *f, int down);
/* The next packet we send; final: answer a poll. */
void bfd_fsm_build(const struct bfd_fsm *f, int final, struct bfd_pkt *p);

/* Interval between periodic packets before jitter; 0: do not send
 * (the remote asked for none, RemoteMinRxInterval 0). */
uint32_t bfd_fsm_tx_interval(const struct bfd_fsm *f);
/* The detection time; 0 while nothing was heard from the remote. */
uint64_t bfd_fsm_detect_time(const struct bfd_fsm *f);
/* RFC 5880 6.8.7: the interval reduced by a random 0-25% (at least 10% when
 * the multiplier is 1); rnd is uniform in [0, 1). */
uint32_t bfd_jitter(uint32_t interval, uint8_t mult, double rnd);

#endif
