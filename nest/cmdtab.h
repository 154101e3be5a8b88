/*
 * metalbird -- the table of control commands
 *
 * Every control command is declared once, in nest/cmdtab.def, as
 *   CMD(ID, "fixed words", "argument synopsis", "help text", FLAGS)
 * The daemon's dispatcher, the client's completion and help, and the
 * reply-code documentation are all driven by that one list.  This header is
 * shared by the daemon and the client; it knows nothing of handlers (the
 * daemon maps ID -> handler in nest/cmds.c).
 *
 * Matching (used by both sides): a command line is split into tokens
 * (whitespace separated; "double quoted" strings are one token and never
 * match a command word).  Each fixed word of an entry may be abbreviated to
 * any prefix.  Among the entries whose fixed words all match, the one with
 * the most fixed words wins; a tie is resolved by an exact word match, then
 * by the CMD_PREFERRED flag (so that `sh p` is `show protocols`), and is an
 * "ambiguous" error otherwise.
 */
#ifndef MB_CMDTAB_H
#define MB_CMDTAB_H

#include <stddef.h>

/* Flags of a command. */
#define CMD_RO		0x01	/* read-only: allowed in restricted mode */
#define CMD_PREFERRED	0x02	/* wins an ambiguous abbreviation */
#define CMD_HIDDEN	0x04	/* not listed by help / completion */
#define CMD_ARG_PROTO	0x10	/* takes a protocol name: complete it */
#define CMD_ARG_POOL	0x20	/* takes a pool name */
#define CMD_ARG_SERVICE	0x40	/* takes NAMESPACE/NAME of a Service */
#define CMD_ARG_FILE	0x80	/* takes a file name */
#define CMD_JSON	0x100	/* accepts `json` as its last word */

enum cmd_id {
#define CMD(id, words, args, help, flags) id,
#include "nest/cmdtab.def"
#undef CMD
	CMD__COUNT
};

struct cmd_def {
	enum cmd_id id;
	const char *words;	/* fixed words, space separated */
	const char *args;	/* synopsis of what may follow */
	const char *help;	/* one line */
	unsigned flags;		/* CMD_* */
};

extern const struct cmd_def cmd_table[CMD__COUNT];

#define CMD_MAX_TOKENS 64
#define CMD_MAX_LINE 4096

struct cmd_tok {
	const char *s;		/* token text, unquoted, NUL terminated */
	int quoted;		/* was given in double quotes */
	int col;		/* 0-based column in the line */
};

struct cmd_line {
	char buf[CMD_MAX_LINE];	/* token storage */
	struct cmd_tok tok[CMD_MAX_TOKENS];
	int ntok;
	const char *line;	/* the original line */
};

/* Split a line into tokens; returns 0, or -1 with *err set (unterminated
 * string, too many tokens, line too long). */
int cmd_tokenize(const char *line, struct cmd_line *out, const char **err);

/* Find the command for a tokenized line.  Returns the entry and sets
 * *nwords to the number of tokens its fixed words used, or NULL with a
 * message in errbuf ("unknown command 'x'", "ambiguous: ..."). */
const struct cmd_def *cmd_match(const struct cmd_line *l, int *nwords,
				char *errbuf, size_t errlen);

/* Number of fixed words of an entry, and the i-th one copied into buf. */
int cmd_nwords(const struct cmd_def *d);
const char *cmd_word(const struct cmd_def *d, int i, char *buf, size_t len);

#endif
