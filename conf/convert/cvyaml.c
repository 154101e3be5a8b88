/*
 * metalbird-convert -- reading YAML with libyaml
 *
 * Every document of the input is composed into libyaml's node graph; the
 * accessors check node kinds and indexes so that callers can walk a
 * MetalLB object by its field names without trusting the input's shape.
 * Aliases may make the graph cyclic (`&a [*a]`), so nothing here walks it
 * recursively: callers go down a fixed schema, one field at a time.
 */
#include "conf/convert/cvyaml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Enough for any real configuration; it bounds what one input can make us
 * allocate. */
#define CV_MAX_DOCS 4096

int cv_yaml_load(const char *file, const char *buf, size_t len, int line_off, struct cv_yaml *y,
		 char *err, size_t errlen)
{
	yaml_parser_t p;

	y->docs = NULL;
	y->n = 0;
	if (!yaml_parser_initialize(&p)) {
		snprintf(err, errlen, "%s:%d: cannot initialise the YAML parser", file, line_off + 1);
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	for (;;) {
		yaml_document_t d;
		if (!yaml_parser_load(&p, &d)) {
			int line = (int)p.problem_mark.line + 1 + line_off;
			snprintf(err, errlen, "%s:%d: %s%s%s", file, line, p.problem ? p.problem : "invalid YAML",
				 p.context ? " " : "", p.context ? p.context : "");
			yaml_parser_delete(&p);
			cv_yaml_free(y);
			return -1;
		}
		if (!yaml_document_get_root_node(&d)) {
			yaml_document_delete(&d);
			break;
		}
		if (y->n == CV_MAX_DOCS) {
			snprintf(err, errlen, "%s:%d: more than %d YAML documents", file,
				 (int)d.start_mark.line + 1 + line_off, CV_MAX_DOCS);
			yaml_document_delete(&d);
			yaml_parser_delete(&p);
			cv_yaml_free(y);
			return -1;
		}
		struct cv_doc *nd = realloc(y->docs, sizeof(*nd) * (size_t)(y->n + 1));
		if (!nd) {
			snprintf(err, errlen, "%s: out of memory", file);
			yaml_document_delete(&d);
			yaml_parser_delete(&p);
			cv_yaml_free(y);
			return -1;
		}
		y->docs = nd;
		y->docs[y->n].d = d;
		y->docs[y->n].file = file;
		y->docs[y->n].line_off = line_off;
		y->n++;
	}
	yaml_parser_delete(&p);
	return 0;
}

void cv_yaml_free(struct cv_yaml *y)
{
	for (int i = 0; i < y->n; i++)
		yaml_document_delete(&y->docs[i].d);
	free(y->docs);
	y->docs = NULL;
	y->n = 0;
}

yaml_node_t *cv_root(struct cv_doc *d)
{
	return yaml_document_get_root_node(&d->d);
}

int cv_line(const struct cv_doc *d, const yaml_node_t *n)
{
	return n ? (int)n->start_mark.line + 1 + d->line_off : d->line_off + 1;
}

const char *cv_str(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

int cv_is_map(const yaml_node_t *n)
{
	return n && n->type == YAML_MAPPING_NODE;
}

int cv_is_seq(const yaml_node_t *n)
{
	return n && n->type == YAML_SEQUENCE_NODE;
}

/* A plain `null`, `~` or empty value means "not given". */
static int is_null(const yaml_node_t *n)
{
	if (!n)
		return 1;
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	const char *s = (const char *)n->data.scalar.value;
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

int cv_seq_len(const yaml_node_t *n)
{
	if (!cv_is_seq(n))
		return 0;
	return (int)(n->data.sequence.items.top - n->data.sequence.items.start);
}

yaml_node_t *cv_seq_item(struct cv_doc *d, yaml_node_t *n, int i)
{
	if (i < 0 || i >= cv_seq_len(n))
		return NULL;
	return yaml_document_get_node(&d->d, n->data.sequence.items.start[i]);
}

int cv_map_len(const yaml_node_t *n)
{
	if (!cv_is_map(n))
		return 0;
	return (int)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
}

yaml_node_t *cv_map_pair(struct cv_doc *d, yaml_node_t *n, int i, const char **key)
{
	*key = NULL;
	if (i < 0 || i >= cv_map_len(n))
		return NULL;
	yaml_node_pair_t *p = &n->data.mapping.pairs.start[i];
	*key = cv_str(yaml_document_get_node(&d->d, p->key));
	return yaml_document_get_node(&d->d, p->value);
}

yaml_node_t *cv_get(struct cv_doc *d, yaml_node_t *n, const char *key)
{
	for (int i = 0; i < cv_map_len(n); i++) {
		const char *k;
		yaml_node_t *v = cv_map_pair(d, n, i, &k);
		if (k && !strcmp(k, key))
			return is_null(v) ? NULL : v;
	}
	return NULL;
}
