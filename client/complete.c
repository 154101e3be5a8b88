/*
 * metalbirdc -- what may be typed next: completion and `?` help
 *
 * A line being edited is split with the daemon's own tokenizer (cmd_tokenize)
 * and held against the shared command table.  At the cursor there may stand
 *  - the next fixed word of every command whose earlier fixed words fit what
 *    is typed, each typed word being any prefix of the table's word, as in
 *    cmd_match;
 *  - once the typed words name a command (cmd_match), its arguments: the
 *    literal keywords of its synopsis, `json` for commands that take it, and
 *    the names of protocols, pools or Services, which the caller fetches
 *    from the daemon when cx->want asks for them.
 * After a keyword that the synopsis follows by a value ("pool NAME",
 * "timeout N") only that value fits, so keywords are not offered there.
 * Commands flagged CMD_ARG_FILE get file names, which the caller completes,
 * inside a string or where the word looks like a path.
 */
#include "client/complete.h"

#include <string.h>

static int compl_ro_only;	/* restricted session: CMD_RO commands only */

void compl_restrict(int on)
{
	compl_ro_only = on;
}

/* Commands not offered: hidden ones, and in a restricted session those the
 * daemon would refuse. */
static int cmd_offered(const struct cmd_def *d)
{
	return !(d->flags & CMD_HIDDEN) && (!compl_ro_only || (d->flags & CMD_RO));
}

void compl_list_init(struct compl_list *l)
{
	l->n = 0;
	l->used = 0;
}

int compl_list_add(struct compl_list *l, const char *word, size_t wlen, const char *prefix)
{
	size_t plen = strlen(prefix);

	if (wlen < plen || strncmp(word, prefix, plen))
		return 0;
	for (int i = 0; i < l->n; i++)
		if (strlen(l->v[i]) == wlen && !strncmp(l->v[i], word, wlen))
			return 0;
	if (l->n == COMPL_MAX || wlen + 1 > sizeof l->store - l->used)
		return -1;
	char *s = l->store + l->used;
	memcpy(s, word, wlen);
	s[wlen] = 0;
	l->used += wlen + 1;
	l->v[l->n++] = s;
	return 1;
}

/* Where the string open at point starts (its quote), or -1 if none is. */
static long string_start(const char *line, size_t point)
{
	long start = -1;

	for (size_t i = 0; i < point && line[i]; i++) {
		if (start >= 0 && line[i] == '\\' && i + 1 < point && line[i + 1])
			i++;
		else if (line[i] == '"')
			start = start >= 0 ? -1 : (long)i;
	}
	return start;
}

int compl_in_string(const char *line, size_t point)
{
	return string_start(line, point) >= 0;
}

/* Does a typed token stand for table word w?  The rule of cmd_match: any
 * non-empty prefix of the word, never a quoted string. */
static int word_fits(const struct cmd_tok *t, const char *w)
{
	size_t n = strlen(t->s);

	return !t->quoted && n > 0 && !strncmp(t->s, w, n);
}

/* Do the first k typed tokens fit the first k fixed words of d? */
static int words_fit(const struct cmd_def *d, const struct cmd_tok *tok, int k)
{
	char w[64];

	for (int i = 0; i < k; i++) {
		if (!cmd_word(d, i, w, sizeof w) || !word_fits(&tok[i], w))
			return 0;
	}
	return 1;
}

static const struct cmd_def *match_tokens(const struct cmd_tok *tok, int k, int *nw)
{
	static struct cmd_line l;	/* large; the client is single threaded */
	char err[512];

	if (k <= 0 || k > CMD_MAX_TOKENS)
		return NULL;
	l.ntok = k;
	l.line = "";
	memcpy(l.tok, tok, (size_t)k * sizeof *tok);
	return cmd_match(&l, nw, err, sizeof err);
}

/* --- the synopsis ------------------------------------------------------ */

/* One token of a synopsis: a word of [A-Za-z0-9_./-] or a "quoted" string;
 * the punctuation [ ] | { } ( ) separates.  Returns the next position, or
 * NULL at the end. */
static const char *syn_next(const char *p, const char **tok, size_t *n, int *quoted)
{
	while (*p && !(*p == '"' || *p == '_' || *p == '.' || *p == '/' || *p == '-' ||
		       (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		       (*p >= '0' && *p <= '9')))
		p++;
	if (!*p)
		return NULL;
	*tok = p;
	*quoted = *p == '"';
	if (*quoted) {
		p++;
		while (*p && *p != '"')
			p++;
		if (*p)
			p++;
	} else {
		while (*p == '_' || *p == '.' || *p == '/' || *p == '-' ||
		       (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		       (*p >= '0' && *p <= '9'))
			p++;
	}
	*n = (size_t)(p - *tok);
	return p;
}

static int syn_is_keyword(const char *t, size_t n, int quoted)
{
	if (quoted || !n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(t[i] >= 'a' && t[i] <= 'z'))
			return 0;
	return 1;
}

void compl_synopsis_words(const char *args, void (*fn)(const char *w, size_t n, void *arg),
			  void *arg)
{
	const char *t;
	size_t n;
	int q;

	for (const char *p = args; (p = syn_next(p, &t, &n, &q));)
		if (syn_is_keyword(t, n, q))
			fn(t, n, arg);
}

/* Is kw a keyword of the synopsis followed by a value (an upper-case
 * placeholder or a quoted string)?  "pool NAME": yes; "[all]": no. */
static int syn_takes_value(const char *args, const char *kw)
{
	const char *t, *p = args;
	size_t n, kwlen = strlen(kw);
	int q;

	while ((p = syn_next(p, &t, &n, &q))) {
		if (q || n != kwlen || strncmp(t, kw, n))
			continue;
		/* the value is the next token of the same group: "[pool NAME]"
		 * yes, "[all] [NAME]" no */
		const char *t2, *b = p;
		size_t n2;
		int q2;
		while (*b == ' ')
			b++;
		if (syn_next(p, &t2, &n2, &q2) && t2 == b && (q2 || !syn_is_keyword(t2, n2, q2)))
			return 1;
	}
	return 0;
}

/* Does the synopsis take a name only as the value of a keyword, as in
 * "[export NAME] [protocol NAME]"?  Then a name alone does not fit. */
static int syn_names_bound(const char *args)
{
	const char *t, *p = args, *prev = NULL;
	size_t n, prevn = 0;
	int q, prevq = 0, bound = 0, free_ = 0;

	while ((p = syn_next(p, &t, &n, &q))) {
		if (!q && memmem(t, n, "NAME", 4)) {
			/* bound: right after a keyword, with only blanks between */
			int b = prev && syn_is_keyword(prev, prevn, prevq);
			for (const char *x = prev ? prev + prevn : t; b && x < t; x++)
				b = *x == ' ';
			bound += b;
			free_ += !b;
		}
		prev = t;
		prevn = n;
		prevq = q;
	}
	return bound > 0 && free_ == 0;
}

/* --- completion -------------------------------------------------------- */

struct kw_ctx {
	struct compl_list *out;		/* where candidates go */
	const struct compl_ctx *cx;	/* the word being completed */
	const struct cmd_tok *typed;	/* the argument tokens typed so far */
	int ntyped;			/* how many */
};

static void add_keyword(const char *w, size_t n, void *arg)
{
	struct kw_ctx *k = arg;

	/* a keyword already given is not offered again */
	for (int i = 0; i < k->ntyped; i++)
		if (!k->typed[i].quoted && strlen(k->typed[i].s) == n && !strncmp(k->typed[i].s, w, n))
			return;
	compl_list_add(k->out, w, n, k->cx->prefix);
}

static void compl_tokens(const struct cmd_tok *tok, int k, struct compl_ctx *cx,
			 struct compl_list *out)
{
	char w[64];

	/* the next fixed word */
	for (int i = 0; i < CMD__COUNT; i++) {
		const struct cmd_def *d = &cmd_table[i];
		if (!cmd_offered(d) || cmd_nwords(d) <= k || !words_fit(d, tok, k))
			continue;
		if (cmd_word(d, k, w, sizeof w))
			compl_list_add(out, w, strlen(w), cx->prefix);
	}

	/* the arguments of the command named so far */
	int nw;
	const struct cmd_def *d = match_tokens(tok, k, &nw);
	if (!d || !cmd_offered(d))
		return;
	if (d->id == CMD_HELP) {
		/* help takes a command: complete that */
		compl_tokens(tok + nw, k - nw, cx, out);
		return;
	}
	if (k > nw) {
		const struct cmd_tok *prev = &tok[k - 1];
		if (!prev->quoted && syn_takes_value(d->args, prev->s)) {
			if (!strcmp(prev->s, "pool"))
				cx->want |= CMD_ARG_POOL;
			else if (!strcmp(prev->s, "protocol") || !strcmp(prev->s, "export"))
				cx->want |= CMD_ARG_PROTO;
			return;
		}
	}
	struct kw_ctx kc = { out, cx, tok + nw, k - nw };
	compl_synopsis_words(d->args, add_keyword, &kc);
	if (d->flags & CMD_JSON)
		add_keyword("json", 4, &kc);
	if (!syn_names_bound(d->args))
		cx->want |= d->flags & (CMD_ARG_PROTO | CMD_ARG_POOL | CMD_ARG_SERVICE);
	/* a file name of one word needs no quotes; one that looks like a path
	 * is completed as one */
	if ((d->flags & CMD_ARG_FILE) && strchr("/.~", cx->prefix[0]) && cx->prefix[0])
		cx->want |= CMD_ARG_FILE;
}

/* The cursor is in the string that opens at q: a file name, if the words
 * before it name a command that takes one. */
static int compl_string(const char *line, size_t q, size_t point, struct compl_ctx *cx,
			char *head, struct cmd_line *cl)
{
	const char *err;
	int nw;

	if (q >= CMD_MAX_LINE || point - q - 1 >= sizeof cx->prefix)
		return -1;
	memcpy(head, line, q);
	head[q] = 0;
	if (cmd_tokenize(head, cl, &err) < 0)
		return -1;
	const struct cmd_def *d = match_tokens(cl->tok, cl->ntok, &nw);
	if (!d || !cmd_offered(d) || !(d->flags & CMD_ARG_FILE))
		return -1;
	cx->ntok = cl->ntok;
	cx->word_start = q + 1;
	memcpy(cx->prefix, line + q + 1, point - q - 1);
	cx->prefix[point - q - 1] = 0;
	cx->want = CMD_ARG_FILE;
	return 0;
}

int compl_analyze(const char *line, size_t point, struct compl_ctx *cx, struct compl_list *out)
{
	static struct cmd_line cl;
	static char head[CMD_MAX_LINE];
	const char *err;
	size_t ws;

	memset(cx, 0, sizeof *cx);
	if (point > strlen(line))
		point = strlen(line);
	long q = string_start(line, point);
	if (q >= 0) {
		cx->in_string = 1;
		return compl_string(line, (size_t)q, point, cx, head, &cl);
	}
	for (ws = point; ws > 0 && line[ws - 1] != ' ' && line[ws - 1] != '\t'; ws--)
		;
	cx->word_start = ws;
	if (point - ws >= sizeof cx->prefix || ws >= sizeof head)
		return -1;
	memcpy(cx->prefix, line + ws, point - ws);
	cx->prefix[point - ws] = 0;
	if (cx->prefix[0] == '"')
		return -1;
	memcpy(head, line, ws);
	head[ws] = 0;
	if (cmd_tokenize(head, &cl, &err) < 0)
		return -1;
	cx->ntok = cl.ntok;
	compl_tokens(cl.tok, cl.ntok, cx, out);
	return 0;
}

/* --- `?` ------------------------------------------------------------------ */

int compl_help(const char *line, size_t point,
	       void (*fn)(const struct cmd_def *d, void *arg), void *arg)
{
	static struct cmd_line cl;
	static char head[CMD_MAX_LINE];
	const char *err;
	int count = 0;

	if (point > strlen(line))
		point = strlen(line);
	if (point >= sizeof head)
		return 0;
	memcpy(head, line, point);
	head[point] = 0;
	if (cmd_tokenize(head, &cl, &err) < 0)
		return 0;

	int k = cl.ntok, nw;
	const struct cmd_def *named = match_tokens(cl.tok, k, &nw);
	for (int i = 0; i < CMD__COUNT; i++) {
		const struct cmd_def *d = &cmd_table[i];
		int n = cmd_nwords(d);
		if (!cmd_offered(d))
			continue;
		if (!words_fit(d, cl.tok, n < k ? n : k))
			continue;
		/* With arguments typed after its words, a command fits only if
		 * it is the one the daemon would pick. */
		if (n < k && d != named)
			continue;
		fn(d, arg);
		count++;
	}
	return count;
}
