/*
 * libFuzzer harness of the control-command front end (nest/cmdtab.c): every
 * line a control client sends is tokenized and matched against the command
 * table before any handler runs.  Checks: tokens stay inside the line's
 * storage and are NUL-terminated, columns point into the line, a match
 * names a real entry whose fixed words are prefixes of the tokens, and an
 * error always comes with a message.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nest/cmdtab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cmd_line l;
	char err[512], w[64];
	const char *e = NULL;
	int nw = -1;

	if (size >= CMD_MAX_LINE)
		return 0;
	char *line = malloc(size + 1);
	memcpy(line, data, size);
	line[size] = 0;
	if (cmd_tokenize(line, &l, &e) < 0) {
		assert(e && *e);
		free(line);
		return 0;
	}
	size_t len = strlen(line);
	assert(l.ntok >= 0 && l.ntok <= CMD_MAX_TOKENS);
	for (int i = 0; i < l.ntok; i++) {
		assert(l.tok[i].s >= l.buf && l.tok[i].s < l.buf + sizeof l.buf);
		assert(memchr(l.tok[i].s, 0, (size_t)(l.buf + sizeof l.buf - l.tok[i].s)));
		assert(l.tok[i].col >= 0 && (size_t)l.tok[i].col < len);
		assert(!l.tok[i].quoted || line[l.tok[i].col] == '"');
	}
	err[0] = 0;
	const struct cmd_def *d = cmd_match(&l, &nw, err, sizeof err);
	if (!d) {
		assert(err[0]);
	} else {
		assert(d >= cmd_table && d < cmd_table + CMD__COUNT);
		assert(nw == cmd_nwords(d) && nw <= l.ntok);
		for (int i = 0; i < nw; i++) {
			assert(!l.tok[i].quoted);
			assert(cmd_word(d, i, w, sizeof w));
			assert(!strncmp(l.tok[i].s, w, strlen(l.tok[i].s)));
		}
	}
	free(line);
	return 0;
}
