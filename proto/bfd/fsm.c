/*
 * metalbird -- the BFD session state machine (RFC 5880 section 6)
 *
 * Asynchronous mode only: we never ask for Demand mode and treat a remote's
 * Demand bit as not in use (6.6: we would have to stop sending, which a
 * single-hop BGP helper does not need).  Timer changes go through the Poll
 * Sequence of 6.5; the rules of 6.8.3 on when a change takes effect are
 * kept in act_tx/act_rx.
 */
#include "proto/bfd/fsm.h"

#include <string.h>

static uint32_t max32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

/* 6.8.3: the advertised values for a state; not Up: at least 1 s TX. */
static int apply_timers(struct bfd_fsm *f)
{
	uint32_t tx = f->state == BFD_S_UP ? f->cfg_min_tx : max32(f->cfg_min_tx, BFD_SLOW_TX);
	uint32_t rx = f->cfg_min_rx;
	int ev = 0;

	if (tx == f->des_min_tx && rx == f->req_min_rx)
		return 0;
	/* 6.8.3: "If bfd.DesiredMinTxInterval is increased and
	 * bfd.SessionState is Up, the actual transmission interval used MUST
	 * NOT change until the Poll Sequence ... has terminated." and "If
	 * bfd.RequiredMinRxInterval is reduced and bfd.SessionState is Up,
	 * the previous value ... MUST be used when calculating the Detection
	 * Time for the remote system until the Poll Sequence ... has
	 * terminated." */
	if (!(f->state == BFD_S_UP && tx > f->act_tx))
		f->act_tx = tx;
	if (!(f->state == BFD_S_UP && rx < f->act_rx))
		f->act_rx = rx;
	f->des_min_tx = tx;
	f->req_min_rx = rx;
	/* 6.8.3: a change of either while the session runs starts a Poll */
	f->poll = 1;
	ev |= BFD_EV_TIMERS | BFD_EV_SEND;
	return ev;
}

static int set_state(struct bfd_fsm *f, int state, int diag)
{
	if (f->state == state)
		return 0;
	f->state = (uint8_t)state;
	if (state != BFD_S_UP)
		f->diag = (uint8_t)diag;
	return BFD_EV_STATE | BFD_EV_SEND | apply_timers(f);
}

void bfd_fsm_init(struct bfd_fsm *f, uint32_t local_disc, uint32_t min_tx, uint32_t min_rx, uint8_t mult)
{
	memset(f, 0, sizeof *f);
	f->state = BFD_S_DOWN;
	f->remote_state = BFD_S_DOWN;
	f->local_disc = local_disc;
	f->mult = mult ? mult : 1;
	f->cfg_min_tx = min_tx ? min_tx : 1;
	f->cfg_min_rx = min_rx;
	f->des_min_tx = f->act_tx = max32(f->cfg_min_tx, BFD_SLOW_TX);
	f->req_min_rx = f->act_rx = f->cfg_min_rx;
	/* 6.8.1: bfd.RemoteMinRxInterval "MUST be initialized to 1" */
	f->remote_min_rx = 1;
}

int bfd_fsm_set_params(struct bfd_fsm *f, uint32_t min_tx, uint32_t min_rx, uint8_t mult)
{
	int ev = 0;

	f->cfg_min_tx = min_tx ? min_tx : 1;
	f->cfg_min_rx = min_rx;
	if (mult && mult != f->mult) {
		f->mult = mult;
		ev |= BFD_EV_SEND;
	}
	return ev | apply_timers(f);
}

int bfd_fsm_rx(struct bfd_fsm *f, const struct bfd_pkt *p)
{
	int ev = 0;

	/* 6.8.6, in its order */
	f->remote_disc = p->my_disc;
	f->remote_state = p->state;
	f->remote_diag = p->diag;
	if (f->remote_min_rx != p->req_min_rx || f->remote_des_tx != p->des_min_tx || f->remote_mult != p->mult)
		ev |= BFD_EV_TIMERS;
	f->remote_min_rx = p->req_min_rx;
	f->remote_des_tx = p->des_min_tx;
	f->remote_mult = p->mult;
	/* "If the Final (F) bit is set, and a Poll Sequence is in progress,
	 * the Poll Sequence MUST be terminated." and the new values apply. */
	if ((p->flags & BFD_F_FINAL) && f->poll) {
		f->poll = 0;
		f->act_tx = f->des_min_tx;
		f->act_rx = f->req_min_rx;
		ev |= BFD_EV_TIMERS;
	}
	if (f->state == BFD_S_ADMIN_DOWN)
		return ev | BFD_EV_DISCARD;
	if (p->state == BFD_S_ADMIN_DOWN) {
		if (f->state != BFD_S_DOWN)
			ev |= set_state(f, BFD_S_DOWN, BFD_D_NEIGHBOR_DOWN);
	} else if (f->state == BFD_S_DOWN) {
		if (p->state == BFD_S_DOWN)
			ev |= set_state(f, BFD_S_INIT, BFD_D_NONE);
		else if (p->state == BFD_S_INIT)
			ev |= set_state(f, BFD_S_UP, BFD_D_NONE);
	} else if (f->state == BFD_S_INIT) {
		if (p->state == BFD_S_INIT || p->state == BFD_S_UP)
			ev |= set_state(f, BFD_S_UP, BFD_D_NONE);
	} else {	/* Up */
		if (p->state == BFD_S_DOWN)
			ev |= set_state(f, BFD_S_DOWN, BFD_D_NEIGHBOR_DOWN);
	}
	/* "If the Poll (P) bit is set, send a BFD Control packet to the
	 * remote system with the Poll (P) bit clear, and the Final (F) bit
	 * set" */
	if (p->flags & BFD_F_POLL)
		ev |= BFD_EV_FINAL;
	return ev;
}

int bfd_fsm_timeout(struct bfd_fsm *f)
{
	int ev = 0;

	/* 6.8.1: bfd.RemoteDiscr is zeroed when a Detection Time passes */
	f->remote_disc = 0;
	f->remote_mult = 0;
	f->remote_state = BFD_S_DOWN;
	if (f->state == BFD_S_INIT || f->state == BFD_S_UP)
		ev |= set_state(f, BFD_S_DOWN, BFD_D_DETECT_EXPIRED);
	return ev | BFD_EV_TIMERS;
}

int bfd_fsm_admin(struct bfd_fsm *f, int down)
{
	if (down)
		return set_state(f, BFD_S_ADMIN_DOWN, BFD_D_ADMIN_DOWN);
	if (f->state == BFD_S_ADMIN_DOWN)
		return set_state(f, BFD_S_DOWN, BFD_D_NONE);
	return 0;
}

void bfd_fsm_build(const struct bfd_fsm *f, int final, struct bfd_pkt *p)
{
	memset(p, 0, sizeof *p);
	p->vers = BFD_VERSION;
	p->diag = f->diag;
	p->state = f->state;
	/* 6.8.7: a packet answering a Poll carries F and not P */
	if (final)
		p->flags |= BFD_F_FINAL;
	else if (f->poll)
		p->flags |= BFD_F_POLL;
	p->mult = f->mult;
	p->length = BFD_PKT_LEN;
	p->my_disc = f->local_disc;
	p->your_disc = f->remote_disc;
	p->des_min_tx = f->des_min_tx;
	p->req_min_rx = f->req_min_rx;
	p->req_min_echo_rx = 0;		/* no echo function */
}

uint32_t bfd_fsm_tx_interval(const struct bfd_fsm *f)
{
	/* 6.8.7: "MUST NOT transmit BFD Control packets if
	 * bfd.RemoteDiscr is zero and the system is taking the Passive
	 * role" (we are active), nor periodic ones when RemoteMinRxInterval
	 * is zero; else the larger of DesiredMinTx and RemoteMinRx. */
	if (!f->remote_min_rx)
		return 0;
	return max32(f->act_tx, f->remote_min_rx);
}

uint64_t bfd_fsm_detect_time(const struct bfd_fsm *f)
{
	/* 6.8.4, asynchronous mode: the remote's Detect Mult times the
	 * larger of our RequiredMinRx and its DesiredMinTx */
	if (!f->remote_mult)
		return 0;
	return (uint64_t)f->remote_mult * max32(f->act_rx, f->remote_des_tx);
}

uint32_t bfd_jitter(uint32_t interval, uint8_t mult, double rnd)
{
	/* 6.8.7: "reduced by a random value of 0 to 25%"; with Detect Mult 1
	 * "no more than 90% of the negotiated transmission interval, and MUST
	 * be no less than 75%". */
	double lo = 0.75, hi = mult == 1 ? 0.90 : 1.0;
	if (rnd < 0)
		rnd = 0;
	if (rnd >= 1)
		rnd = 0.999999;
	return (uint32_t)((double)interval * (lo + (hi - lo) * rnd));
}
