/*
 * metalbird -- protocol l2: what it shows
 *
 * The Info column and `show protocols all` (per interface: its MAC and
 * what is announced on it; per address: the Service, the elected node and
 * why this node does not announce it), the same in JSON, and MetalLB's
 * layer-2 metrics.
 */
#include "proto/l2/l2.h"
#include "nest/cli.h"
#include "nest/filter/filter.h"
#include "nest/metrics.h"
#include "sysdep/linux/iface.h"
#include "sysdep/unix/main.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

int l2_count_owned(const struct l2_proto *lp)
{
	int n = 0;
	for (const struct l2_addr *a = lp->addrs; a; a = a->next)
		n += a->owned;
	return n;
}

int l2_count_ifs(const struct l2_proto *lp)
{
	int n = 0;
	for (const struct l2_if *f = lp->ifs; f; f = f->next)
		n += f->fd >= 0;
	return n;
}

void l2_get_info(struct proto *p, char *buf, size_t len)
{
	struct l2_proto *lp = (struct l2_proto *)p;
	if (p->state != PS_UP) {
		buf[0] = 0;
		return;
	}
	snprintf(buf, len, "%d of %d announced on %d interfaces", l2_count_owned(lp), lp->naddrs, l2_count_ifs(lp));
}

void l2_show_details(struct proto *p, struct cli *c)
{
	struct l2_proto *lp = (struct l2_proto *)p;
	char b[IP_STRLEN], m[18], line[400];

	cli_msg(c, -RC_PROTO_DETAILS, "  Node:           %s", daemon_node_name ? daemon_node_name : "?");
	cli_msg(c, -RC_PROTO_DETAILS, "  Export filter:  %s", filter_name(p->cf->out_filter));
	cli_msg(c, -RC_PROTO_DETAILS, "  Kubernetes:     %s", l2_k8s_db() ? "state known" : "none (every address is announced)");
	cli_msg(c, -RC_PROTO_DETAILS, "  Interfaces:     %d", l2_count_ifs(lp));
	for (struct l2_if *f = lp->ifs; f; f = f->next) {
		size_t o = 0;
		line[0] = 0;
		for (struct l2_addr *a = lp->addrs; a && o < sizeof line; a = a->next)
			if (a->owned)
				o += (size_t)snprintf(line + o, sizeof line - o, " %s", ip_ntop(a->ip, b));
		cli_msg(c, -RC_PROTO_DETAILS, "    %-12s %s  index %d  received %llu, sent %llu", f->name,
			iface_mac_text(f->mac, m), f->index, (unsigned long long)f->rx, (unsigned long long)f->tx);
		cli_msg(c, -RC_PROTO_DETAILS, "      Announced:%s", line[0] ? line : " (nothing)");
	}
	cli_msg(c, -RC_PROTO_DETAILS, "  Addresses:      %d exported, %d elected here", lp->naddrs, l2_count_owned(lp));
	for (struct l2_addr *a = lp->addrs; a; a = a->next) {
		char svc[300];
		if (a->ns)
			snprintf(svc, sizeof svc, "%s/%s", a->ns, a->svc ? a->svc : "?");
		else
			snprintf(svc, sizeof svc, "-");
		cli_msg(c, -RC_PROTO_DETAILS, "    %-24s %-28s elected %s%s%s  (requests %llu, replies %llu, gratuitous %llu)",
			ip_ntop(a->ip, b), svc, a->elected[0] ? a->elected : "(none)", a->why ? ": " : "",
			a->why ? a->why : "", (unsigned long long)a->requests, (unsigned long long)a->replies,
			(unsigned long long)a->gratuitous);
	}
	if (lp->if_error[0])
		cli_msg(c, -RC_PROTO_DETAILS, "  Last error:     %s", lp->if_error);
}

void l2_show_json(struct proto *p, struct json_t *jo)
{
	struct l2_proto *lp = (struct l2_proto *)p;
	json_t *o = (json_t *)jo, *ifs = json_array(), *addrs = json_array();
	char b[IP_STRLEN], m[18];

	for (struct l2_if *f = lp->ifs; f; f = f->next) {
		json_t *ann = json_array();
		for (struct l2_addr *a = lp->addrs; a; a = a->next)
			if (a->owned)
				json_array_append_new(ann, json_string(ip_ntop(a->ip, b)));
		json_array_append_new(ifs, json_pack("{s:s, s:s, s:i, s:I, s:I, s:o}", "name", f->name, "mac",
						     iface_mac_text(f->mac, m), "index", f->index, "received",
						     (json_int_t)f->rx, "sent", (json_int_t)f->tx, "announced", ann));
	}
	for (struct l2_addr *a = lp->addrs; a; a = a->next) {
		json_t *x = json_pack("{s:s, s:b, s:I, s:I, s:I}", "address", ip_ntop(a->ip, b), "elected_here",
				      a->owned, "requests", (json_int_t)a->requests, "replies", (json_int_t)a->replies,
				      "gratuitous", (json_int_t)a->gratuitous);
		json_object_set_new(x, "elected_node", a->elected[0] ? json_string(a->elected) : json_null());
		if (a->ns)
			json_object_set_new(x, "service", json_sprintf("%s/%s", a->ns, a->svc ? a->svc : ""));
		if (a->why)
			json_object_set_new(x, "reason", json_string(a->why));
		json_array_append_new(addrs, x);
	}
	json_object_set_new(o, "interfaces", ifs);
	json_object_set_new(o, "addresses", addrs);
	json_object_set_new(o, "kubernetes_state", json_boolean(l2_k8s_db() != NULL));
	if (lp->if_error[0])
		json_object_set_new(o, "last_error", json_string(lp->if_error));
}

/*
 * MetalLB's layer-2 metrics (METALLB.md), per address, so that existing
 * dashboards keep working; and metallb_speaker_announced for the addresses
 * this node announces.
 */
void l2_metrics(struct mbuf *b)
{
	static const struct { const char *name, *help; } fam[] = {
		{ "metallb_layer2_requests_received", "Number of layer2 requests received for owned IPs" },
		{ "metallb_layer2_responses_sent", "Number of layer2 responses sent for owned IPs" },
		{ "metallb_layer2_gratuitous_sent", "Number of gratuitous layer2 packets sent for owned IPs" },
	};
	char a[IP_STRLEN], e1[300], e2[300];

	for (int k = 0; k < 3; k++) {
		metrics_family(b, fam[k].name, "counter", fam[k].help);
		for (struct l2_proto *lp = l2_running; lp; lp = lp->next_l2)
			for (struct l2_addr *x = lp->addrs; x; x = x->next) {
				uint64_t v = k == 0 ? x->requests : k == 1 ? x->replies : x->gratuitous;
				if (x->owned || v)
					mbuf_printf(b, "%s{ip=\"%s\",protocol=\"%s\"} %llu\n", fam[k].name,
						    ip_ntop(x->ip, a), lp->p.name, (unsigned long long)v);
			}
	}
	metrics_family(b, "metallb_speaker_announced", "gauge", "Services being announced from this node");
	for (struct l2_proto *lp = l2_running; lp; lp = lp->next_l2)
		for (struct l2_addr *x = lp->addrs; x; x = x->next) {
			char svc[300];
			if (!x->owned)
				continue;
			if (x->ns)
				snprintf(svc, sizeof svc, "%s/%s", x->ns, x->svc ? x->svc : "");
			else
				svc[0] = 0;	/* a static address */
			mbuf_printf(b, "metallb_speaker_announced{ip=\"%s\",node=\"%s\",protocol=\"layer2\",service=\"%s\"} 1\n",
				    ip_ntop(x->ip, a), metrics_escape(daemon_node_name ? daemon_node_name : "", e1, sizeof e1),
				    metrics_escape(svc, e2, sizeof e2));
		}
}
