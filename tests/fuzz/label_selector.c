/*
 * libFuzzer harness of Kubernetes label selectors (nest/selector.c): a
 * selector comes from the config (`service selector`, `node selector`).
 * A selector that parses is formatted, and the text must parse again to the
 * same form and select the same; an error comes with a message and an
 * offset inside the input.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nest/mem.h"
#include "nest/selector.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[128], f1[4096], f2[4096];
	int off = -1;

	if (size > 2048)
		return 0;
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = 0;
	struct arena *a = arena_new();
	struct selector *sel = selector_parse(a, s, err, sizeof err, &off);
	if (!sel) {
		assert(err[0]);
		assert(off >= 0 && (size_t)off <= strlen(s));
	} else {
		selector_format(sel, f1, sizeof f1);
		struct selector *again = selector_parse(a, f1, err, sizeof err, &off);
		assert(again);
		selector_format(again, f2, sizeof f2);
		assert(!strcmp(f1, f2));
		/* the same labels are selected: try the selector's own words */
		const char *keys[1], *vals[1];
		for (int i = 0; i < sel->n; i++) {
			keys[0] = sel->req[i].key;
			vals[0] = sel->req[i].nvalues ? sel->req[i].values[0] : "";
			struct label_set l = { 1, keys, vals };
			assert(selector_match(sel, &l) == selector_match(again, &l));
		}
	}
	arena_free(a);
	free(s);
	return 0;
}
