/*
 * metalbird -- the table of control commands, tokenizer and matcher
 *
 * Shared by the daemon (dispatch) and the client (completion, help), so that
 * abbreviations mean the same on both sides: see nest/cmdtab.h.
 */
#include "nest/cmdtab.h"

#include <stdio.h>
#include <string.h>

const struct cmd_def cmd_table[CMD__COUNT] = {
#define CMD(id, words, args, help, flags) { id, words, args, help, flags },
#include "nest/cmdtab.def"
#undef CMD
};

int cmd_tokenize(const char *line, struct cmd_line *out, const char **err)
{
	const char *p = line;
	char *o = out->buf, *end = out->buf + sizeof out->buf;

	out->ntok = 0;
	out->line = line;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p)
			return 0;
		if (out->ntok == CMD_MAX_TOKENS) {
			*err = "too many words";
			return -1;
		}
		struct cmd_tok *t = &out->tok[out->ntok++];
		t->s = o;
		t->col = (int)(p - line);
		t->quoted = *p == '"';
		if (t->quoted) {
			p++;
			while (*p && *p != '"') {
				if (*p == '\\' && p[1])
					p++;
				if (o + 1 >= end)
					goto toolong;
				*o++ = *p++;
			}
			if (*p != '"') {
				*err = "unterminated string";
				return -1;
			}
			p++;
		} else if (*p == '\'') {
			/* a name in apostrophes, as the config writes 'prod-pool':
			 * the name itself, not a pattern */
			p++;
			while (*p && *p != '\'') {
				if (o + 1 >= end)
					goto toolong;
				*o++ = *p++;
			}
			if (*p != '\'') {
				*err = "unterminated name in apostrophes";
				return -1;
			}
			p++;
		} else {
			while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') {
				if (o + 1 >= end)
					goto toolong;
				*o++ = *p++;
			}
		}
		/* an empty token ("") writes only its terminator: check it too */
		if (o >= end)
			goto toolong;
		*o++ = 0;
	}
toolong:
	*err = "command too long";
	return -1;
}

int cmd_nwords(const struct cmd_def *d)
{
	int n = 1;

	for (const char *p = d->words; *p; p++)
		n += *p == ' ';
	return n;
}

const char *cmd_word(const struct cmd_def *d, int i, char *buf, size_t len)
{
	const char *p = d->words;

	while (i-- > 0) {
		p = strchr(p, ' ');
		if (!p)
			return NULL;
		p++;
	}
	size_t n = strcspn(p, " ");
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = 0;
	return buf;
}

/* How well token t matches word w: 0 no, 1 prefix, 2 exact. */
static int word_match(const struct cmd_tok *t, const char *w)
{
	size_t n = strlen(t->s);

	if (t->quoted || !n || strncmp(t->s, w, n))
		return 0;
	return w[n] ? 1 : 2;
}

/* Score an entry against the line: -1 no match, else the number of exact
 * word matches (for tie breaking). */
static int entry_score(const struct cmd_def *d, const struct cmd_line *l)
{
	char w[64];
	int nw = cmd_nwords(d), exact = 0;

	if (nw > l->ntok)
		return -1;
	for (int i = 0; i < nw; i++) {
		int m = word_match(&l->tok[i], cmd_word(d, i, w, sizeof w));
		if (!m)
			return -1;
		exact += m == 2;
	}
	return exact;
}

const struct cmd_def *cmd_match(const struct cmd_line *l, int *nwords,
				char *errbuf, size_t errlen)
{
	const struct cmd_def *best = NULL;
	int best_nw = 0, best_exact = -1, tie = 0;

	if (!l->ntok) {
		snprintf(errbuf, errlen, "empty command");
		return NULL;
	}
	for (int i = 0; i < CMD__COUNT; i++) {
		const struct cmd_def *d = &cmd_table[i];
		int exact = entry_score(d, l);
		if (exact < 0)
			continue;
		int nw = cmd_nwords(d);
		int better = !best || nw > best_nw ||
			     (nw == best_nw && exact > best_exact);
		if (better) {
			best = d;
			best_nw = nw;
			best_exact = exact;
			tie = 0;
		} else if (nw == best_nw && exact == best_exact) {
			if ((d->flags & CMD_PREFERRED) && !(best->flags & CMD_PREFERRED)) {
				best = d;
				tie = 0;
			} else if (!(best->flags & CMD_PREFERRED))
				tie = 1;
		}
	}
	if (!best) {
		snprintf(errbuf, errlen, "unknown command '%s'; type 'help' for the list",
			 l->tok[0].s);
		return NULL;
	}
	if (tie) {
		/* list the candidates of the same shape */
		size_t off = (size_t)snprintf(errbuf, errlen, "ambiguous command, possible expansions are:");
		for (int i = 0; i < CMD__COUNT && off < errlen; i++) {
			const struct cmd_def *d = &cmd_table[i];
			if (cmd_nwords(d) == best_nw && entry_score(d, l) == best_exact)
				off += (size_t)snprintf(errbuf + off, errlen - off, " '%s'", d->words);
		}
		return NULL;
	}
	*nwords = best_nw;
	return best;
}
