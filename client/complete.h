/*
 * metalbirdc -- what may be typed next: completion and `?` help
 *
 * Driven by the shared command table (nest/cmdtab.h) so that the client
 * offers exactly what the daemon accepts, with the same abbreviation rules.
 * Pure functions of the line being edited: the readline glue (rl.c) asks the
 * daemon for names only when compl_analyze says they are wanted.
 */
#ifndef MB_CLIENT_COMPLETE_H
#define MB_CLIENT_COMPLETE_H

#include <stddef.h>

#include "nest/cmdtab.h"

#define COMPL_MAX 512		/* candidates kept */
#define COMPL_STORE 16384	/* bytes of candidate text kept */
#define COMPL_WORD_MAX 256	/* longest word we complete */

/* A set of candidate words, deduplicated, in the order added. */
struct compl_list {
	const char *v[COMPL_MAX];	/* the words */
	int n;				/* how many */
	char store[COMPL_STORE];	/* their text */
	size_t used;			/* bytes of store in use */
};

void compl_list_init(struct compl_list *l);

/* Add word (its first wlen bytes) if it starts with prefix and is not there
 * yet.  Returns 1 if added, 0 if filtered or a duplicate, -1 if full. */
int compl_list_add(struct compl_list *l, const char *word, size_t wlen, const char *prefix);

/* What the word under the cursor may become. */
struct compl_ctx {
	size_t word_start;		/* offset of the word being completed */
	char prefix[COMPL_WORD_MAX];	/* its text up to the cursor */
	int in_string;			/* the cursor is inside "a string" */
	int ntok;			/* whole words typed before it */
	unsigned want;			/* CMD_ARG_PROTO/POOL/SERVICE: names wanted;
					 * CMD_ARG_FILE: a file name */
};

/*
 * Look at line[0..point): fill *cx and add to *out the command words and
 * literal keywords that may stand at the cursor and start with the word typed
 * so far.  Names of protocols, pools or Services, which only the daemon
 * knows, and file names are asked for through cx->want.  Inside a string
 * only a file name can be completed: cx->word_start is then after the quote.
 * Returns 0, or -1 if nothing can be completed here (a string that is not a
 * file name, a line that does not tokenize).
 */
int compl_analyze(const char *line, size_t point, struct compl_ctx *cx, struct compl_list *out);

/* In restricted mode (-r) offer only the read-only commands (CMD_RO), the
 * only ones the daemon will run. */
void compl_restrict(int on);

/* Is offset point of line inside a double-quoted string? */
int compl_in_string(const char *line, size_t point);

/*
 * The commands that fit what is typed in line[0..point): fn is called for
 * each, in table order.  Returns how many.  `show ` lists every show
 * command; `show protocols all ` lists only `show protocols`.
 */
int compl_help(const char *line, size_t point,
	       void (*fn)(const struct cmd_def *d, void *arg), void *arg);

/*
 * The literal keywords of a synopsis: its lower-case words outside quotes
 * ("[all] [NAME | \"PATTERN\"]" gives "all").  fn is called for each.
 */
void compl_synopsis_words(const char *args, void (*fn)(const char *w, size_t n, void *arg),
			  void *arg);

#endif
