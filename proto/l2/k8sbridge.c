/*
 * metalbird -- protocol l2: following protocol kubernetes
 *
 * The election needs the Kubernetes state and must run again on every
 * change of a Node, EndpointSlice or Service, including changes that leave
 * this node's route table alone (another node goes NotReady).  The
 * Kubernetes source has no change hook yet, so this reads its state where
 * it keeps it (k8s_instance->db, live at every call, so a stopped source is
 * never read) and notices a change by its sync counter, looked at every
 * 20 ms (a loser that notices late answers beside the new owner for that
 * long).  Once the source calls l2_k8s_changed() after each sync, this file
 * goes away.
 */
#include "proto/l2/l2.h"
#include "proto/kubernetes/k8s.h"
#include "sysdep/unix/loop.h"

static struct {
	struct timer *tm;
	const struct k8s_proto *inst;	/* the source last seen */
	unsigned long syncs;		/* its sync count then */
} br;

const struct k8s_db *l2_bridge_db(void)
{
	const struct k8s_proto *k = k8s_instance;
	return k && k->have_state ? &k->db : NULL;
}

static void br_poll(void *data)
{
	const struct k8s_proto *k = k8s_instance;
	unsigned long syncs = k ? k->syncs : 0;

	if (k != br.inst || syncs != br.syncs) {
		br.inst = k;
		br.syncs = syncs;
		l2_k8s_poke();
	}
	tm_start(br.tm, 0.02);
}

void l2_bridge_start(void)
{
	if (!br.tm)
		br.tm = tm_new(br_poll, NULL);
	if (!tm_active(br.tm))
		br_poll(NULL);
}

void l2_bridge_stop(void)
{
	if (br.tm)
		tm_stop(br.tm);
	br.inst = NULL;
	br.syncs = 0;
}
