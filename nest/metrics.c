/*
 * metalbird -- Prometheus metrics: registry and the core's own series
 *
 * The registry collects the writers that modules register and produces
 * one page in the text exposition format (version 0.0.4).  The core's own
 * series are here: the config (loaded, stale, reloads, last reload result
 * and time), the protocols (up, time of the last state change), and the
 * pool allocator (addresses in use and total per pool, Services allocated
 * and pending), under MetalLB's names where it has one (METALLB.md), so
 * that MetalLB's dashboards and alerts keep working.
 */
#include "nest/metrics.h"
#include "conf/commit.h"
#include "nest/mem.h"
#include "nest/protocol.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WRITERS 16
static metrics_fn writers[MAX_WRITERS];
static int nwriters;

void mbuf_printf(struct mbuf *b, const char *fmt, ...)
{
	va_list ap;

	for (;;) {
		size_t room = b->cap - b->len;
		va_start(ap, fmt);
		int n = vsnprintf(b->buf ? b->buf + b->len : NULL, b->buf ? room : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (b->buf && (size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		b->cap = b->cap * 2 + (size_t)n + 256;
		b->buf = xrealloc(b->buf, b->cap);
	}
}

/*
 * MetalLB names some gauges with the counter suffix _total
 * (metallb_bgp_announced_prefixes_total, metallb_allocator_addresses_in_use_total)
 * and some counters without it (metallb_layer2_requests_received).  The
 * names must stay for the dashboards, but either is a problem to
 * Prometheus' linter (promtool check metrics), and calling a value that
 * goes down a counter would break rate().  Such families are declared
 * untyped, which is what the format offers for "a value, no promise about
 * its kind"; queries on the names work as with MetalLB.
 */
void metrics_family(struct mbuf *b, const char *name, const char *type, const char *help)
{
	size_t n = strlen(name);
	int total = n > 6 && !strcmp(name + n - 6, "_total");
	int counter = !strcmp(type, "counter");

	if (counter != total)
		type = "untyped";
	mbuf_printf(b, "# HELP %s ", name);
	/* HELP text escapes only backslash and newline (exposition format) */
	for (const char *h = help; *h; h++) {
		if (*h == '\\')
			mbuf_printf(b, "\\\\");
		else if (*h == '\n')
			mbuf_printf(b, "\\n");
		else
			mbuf_printf(b, "%c", *h);
	}
	mbuf_printf(b, "\n# TYPE %s %s\n", name, type);
}

const char *metrics_escape(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	for (; *s && o + 2 < len; s++) {
		if (*s == '\\' || *s == '"') {
			buf[o++] = '\\';
			buf[o++] = *s;
		} else if (*s == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else
			buf[o++] = *s;
	}
	buf[o] = 0;
	return buf;
}

void metrics_register(metrics_fn fn)
{
	if (nwriters < MAX_WRITERS)
		writers[nwriters++] = fn;
}

static void config_metrics(struct mbuf *b)
{
	metrics_family(b, "metalbird_build_info", "gauge", "Always 1; the version is a label");
	mbuf_printf(b, "metalbird_build_info{version=\"%s\"} 1\n", MB_VERSION);
	metrics_family(b, "metallb_k8s_client_config_loaded_bool", "gauge",
		       "1 if the configuration was loaded successfully");
	mbuf_printf(b, "metallb_k8s_client_config_loaded_bool %d\n", config ? 1 : 0);
	/* MetalLB: stale = the last config update failed and an older one runs */
	metrics_family(b, "metallb_k8s_client_config_stale_bool", "gauge",
		       "1 if running on a stale configuration, because the latest config failed to load");
	mbuf_printf(b, "metallb_k8s_client_config_stale_bool %d\n", !config_last_reload_ok);
	metrics_family(b, "metalbird_config_last_reload_successful", "gauge",
		       "1 if the last reload succeeded, 0 if it failed");
	mbuf_printf(b, "metalbird_config_last_reload_successful %d\n", config_last_reload_ok);
	metrics_family(b, "metalbird_config_reloads_total", "counter", "Reloads attempted");
	mbuf_printf(b, "metalbird_config_reloads_total %d\n", config_reload_count);
	metrics_family(b, "metalbird_config_last_reload_timestamp_seconds", "gauge",
		       "Wall-clock time the running configuration was committed");
	mbuf_printf(b, "metalbird_config_last_reload_timestamp_seconds %.3f\n", config ? config->load_time : 0.0);
	metrics_family(b, "metalbird_start_time_seconds", "gauge", "Wall-clock time the daemon started");
	mbuf_printf(b, "metalbird_start_time_seconds %.3f\n", config_start_time);
}

static void proto_metrics(struct mbuf *b)
{
	char esc[256];
	double last = 0;

	metrics_family(b, "metalbird_protocol_up", "gauge", "1 if the protocol is up");
	for (struct proto *p = proto_list; p; p = p->next)
		mbuf_printf(b, "metalbird_protocol_up{protocol=\"%s\",proto=\"%s\"} %d\n",
			    metrics_escape(p->name, esc, sizeof esc), p->class->name, p->state == PS_UP);
	metrics_family(b, "metalbird_protocol_state_change_timestamp_seconds", "gauge",
		       "Wall-clock time of the protocol's last state change");
	for (struct proto *p = proto_list; p; p = p->next) {
		mbuf_printf(b, "metalbird_protocol_state_change_timestamp_seconds{protocol=\"%s\"} %.3f\n",
			    metrics_escape(p->name, esc, sizeof esc), p->since);
		if (p->since > last)
			last = p->since;
	}
	metrics_family(b, "metalbird_last_state_change_timestamp_seconds", "gauge",
		       "Wall-clock time of the last state change of any protocol");
	mbuf_printf(b, "metalbird_last_state_change_timestamp_seconds %.3f\n", last);
}

void metrics_collect(struct mbuf *b)
{
	config_metrics(b);
	proto_metrics(b);
	for (int i = 0; i < nwriters; i++)
		writers[i](b);
}
