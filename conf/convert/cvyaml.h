/*
 * metalbird-convert -- reading YAML with libyaml
 *
 * A thin layer over libyaml's document API: a file (or a string embedded in
 * one, such as the `config` key of MetalLB's legacy ConfigMap) is loaded as a
 * list of documents, and the converter reads nodes through the accessors
 * below, which check every kind and index, so that no caller touches
 * libyaml's node arrays directly.  Line numbers are 1-based lines of the file
 * the text came from.
 */
#ifndef MB_CVYAML_H
#define MB_CVYAML_H

#include <stddef.h>
#include <yaml.h>

struct cv_doc {
	yaml_document_t d;		/* libyaml's document */
	const char *file;		/* file name, for messages */
	int line_off;			/* added to libyaml's 0-based line */
};

struct cv_yaml {
	struct cv_doc *docs;		/* documents in file order */
	int n;
};

/* Load every document of buf.  On a YAML error returns -1 with
 * "FILE:LINE: message" in err. */
int cv_yaml_load(const char *file, const char *buf, size_t len, int line_off, struct cv_yaml *y,
		 char *err, size_t errlen);
void cv_yaml_free(struct cv_yaml *y);

yaml_node_t *cv_root(struct cv_doc *d);
int cv_line(const struct cv_doc *d, const yaml_node_t *n);
/* The value under key in a mapping; NULL when n is not a mapping, the key
 * is absent or its value is null. */
yaml_node_t *cv_get(struct cv_doc *d, yaml_node_t *n, const char *key);
/* A scalar's text (NUL-terminated), or NULL when n is not a scalar. */
const char *cv_str(const yaml_node_t *n);
int cv_is_map(const yaml_node_t *n);
int cv_is_seq(const yaml_node_t *n);
/* Items of a sequence; 0 for anything else. */
int cv_seq_len(const yaml_node_t *n);
yaml_node_t *cv_seq_item(struct cv_doc *d, yaml_node_t *n, int i);
/* Pairs of a mapping; 0 for anything else. */
int cv_map_len(const yaml_node_t *n);
/* The i-th pair; the key must be a scalar, else *key is NULL. */
yaml_node_t *cv_map_pair(struct cv_doc *d, yaml_node_t *n, int i, const char **key);

#endif
