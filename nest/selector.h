/*
 * metalbird -- Kubernetes label selectors
 *
 * The string form that kubectl's -l takes: comma-separated requirements,
 * each `key`, `!key`, `key=value`, `key==value`, `key!=value`,
 * `key in (a,b)` or `key notin (a,b)`.  Used by `service selector` in pools
 * and `node selector` in protocols.  All requirements must hold.
 */
#ifndef MB_SELECTOR_H
#define MB_SELECTOR_H

#include <stddef.h>

struct arena;

struct label_set {
	int n;
	const char **keys;	/* sorted by key */
	const char **values;
};

enum sel_op { SEL_EXISTS, SEL_NOT_EXISTS, SEL_EQ, SEL_NEQ, SEL_IN, SEL_NOTIN };

struct sel_req {
	enum sel_op op;
	const char *key;
	int nvalues;
	const char **values;
};

struct selector {
	int n;
	struct sel_req *req;
};

/* Parse s; on error returns NULL with a message and the 0-based offset of
 * the fault in s. */
struct selector *selector_parse(struct arena *a, const char *s, char *err, size_t errlen, int *erroff);
int selector_match(const struct selector *sel, const struct label_set *labels);
const char *label_get(const struct label_set *l, const char *key);
/* Canonical text of a selector into buf. */
void selector_format(const struct selector *sel, char *buf, size_t len);

#endif
