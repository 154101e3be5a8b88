/*
 * metalbird -- Prometheus metrics: registry and the core's own series
 */
#include "nest/metrics.h"
#include "conf/commit.h"
#include "nest/mem.h"
#include "nest/protocol.h"

#include <stdarg.h>
#include <stdio.h>
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

void metrics_family(struct mbuf *b, const char *name, const char *type, const char *help)
{
	mbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
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

static void core_metrics(struct mbuf *b)
{
	char esc[256];

	metrics_family(b, "metallb_k8s_client_config_loaded_bool", "gauge",
		       "1 if the configuration was loaded successfully");
	mbuf_printf(b, "metallb_k8s_client_config_loaded_bool %d\n", config ? 1 : 0);
	metrics_family(b, "metalbird_config_last_reload_successful", "gauge",
		       "1 if the last reload succeeded, 0 if it failed");
	mbuf_printf(b, "metalbird_config_last_reload_successful %d\n", config_last_reload_ok);
	metrics_family(b, "metalbird_config_reloads_total", "counter", "Reloads attempted");
	mbuf_printf(b, "metalbird_config_reloads_total %d\n", config_reload_count);
	metrics_family(b, "metalbird_protocol_up", "gauge", "1 if the protocol is up");
	for (struct proto *p = proto_list; p; p = p->next)
		mbuf_printf(b, "metalbird_protocol_up{protocol=\"%s\",proto=\"%s\"} %d\n",
			    metrics_escape(p->name, esc, sizeof esc), p->class->name, p->state == PS_UP);
	metrics_family(b, "metalbird_protocol_state_change_timestamp_seconds", "gauge",
		       "Wall-clock time of the protocol's last state change");
	for (struct proto *p = proto_list; p; p = p->next)
		mbuf_printf(b, "metalbird_protocol_state_change_timestamp_seconds{protocol=\"%s\"} %.3f\n",
			    metrics_escape(p->name, esc, sizeof esc), p->since);
}

void metrics_collect(struct mbuf *b)
{
	core_metrics(b);
	for (int i = 0; i < nwriters; i++)
		writers[i](b);
}
