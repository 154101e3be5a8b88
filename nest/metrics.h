/*
 * metalbird -- Prometheus metrics: the registry
 *
 * Modules register a writer that appends their series in the text
 * exposition format (version 0.0.4); sysdep/unix/metrics.c serves them on
 * `metrics listen ADDR port N` at /metrics.  Names follow MetalLB's where
 * one exists, so that existing dashboards keep working.
 */
#ifndef MB_METRICS_H
#define MB_METRICS_H

#include <stddef.h>

struct mbuf {
	char *buf;
	size_t len, cap;
};

void mbuf_printf(struct mbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* HELP and TYPE lines of a family, once per scrape. */
void metrics_family(struct mbuf *b, const char *name, const char *type, const char *help);
/* A label value escaped as the exposition format requires. */
const char *metrics_escape(const char *s, char *buf, size_t len);

typedef void (*metrics_fn)(struct mbuf *b);
void metrics_register(metrics_fn fn);
/* Produce the whole page (the caller frees b->buf). */
void metrics_collect(struct mbuf *b);

#endif
