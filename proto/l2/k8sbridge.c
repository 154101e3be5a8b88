/*
 * metalbird -- protocol l2: following protocol kubernetes
 *
 * The election needs the Kubernetes state and must run again on every
 * change of a Node, EndpointSlice or Service, including changes that leave
 * this node's route table alone (another node goes NotReady).  The
 * Kubernetes source calls us after every sync and when it stops
 * (k8s_change_hook_add); its state is read where it keeps it
 * (k8s_instance->db, live at every call, so a stopped source is never
 * read).
 */
#include "proto/l2/l2.h"
#include "proto/kubernetes/k8s.h"

const struct k8s_db *l2_bridge_db(void)
{
	const struct k8s_proto *k = k8s_instance;
	return k && k->have_state ? &k->db : NULL;
}

static int following;

static void changed(void)
{
	if (following)
		l2_k8s_poke();
}

void l2_bridge_start(void)
{
	k8s_change_hook_add(changed);
	following = 1;
	l2_k8s_poke();
}

void l2_bridge_stop(void)
{
	following = 0;
}
