/*
 * metalbird -- unit tests of the command table (nest/cmdtab.c)
 *
 * Tokenizing (quotes, escapes, columns, limits) and matching with unique-
 * prefix abbreviation as in birdc: `sh p` = show protocols (preferred),
 * `sh po` = show pools, ambiguous prefixes are errors that list the
 * candidates, and the longest entry wins (`configure check` over
 * `configure`).
 */
#include <check.h>
#include <string.h>

#include "nest/cmdtab.h"

static struct cmd_line L;
static char err[512];

static const struct cmd_def *m(const char *line, int *nw)
{
	const char *e = NULL;
	int dummy;
	ck_assert_msg(cmd_tokenize(line, &L, &e) == 0, "%s", e);
	err[0] = 0;
	return cmd_match(&L, nw ? nw : &dummy, err, sizeof err);
}

static const char *words(const char *line)
{
	const struct cmd_def *d = m(line, NULL);
	return d ? d->words : err;
}

START_TEST(tokenize)
{
	const char *e = NULL;
	ck_assert_int_eq(cmd_tokenize("  show  protocols \"a b\" x\\y", &L, &e), 0);
	ck_assert_int_eq(L.ntok, 4);
	ck_assert_str_eq(L.tok[0].s, "show");
	ck_assert_int_eq(L.tok[0].col, 2);
	ck_assert_str_eq(L.tok[1].s, "protocols");
	ck_assert_str_eq(L.tok[2].s, "a b");
	ck_assert(L.tok[2].quoted);
	ck_assert_int_eq(L.tok[2].col, 18);
	ck_assert_str_eq(L.tok[3].s, "x\\y");	/* backslash only escapes inside quotes */
	ck_assert(!L.tok[3].quoted);
	ck_assert_int_eq(cmd_tokenize("configure \"a\\\"b\"", &L, &e), 0);
	ck_assert_str_eq(L.tok[1].s, "a\"b");
	ck_assert_int_eq(cmd_tokenize("", &L, &e), 0);
	ck_assert_int_eq(L.ntok, 0);
	ck_assert_int_eq(cmd_tokenize("configure \"open", &L, &e), -1);
	ck_assert_str_eq(e, "unterminated string");
	/* a name in apostrophes is that name, not a pattern */
	ck_assert_int_eq(cmd_tokenize("show protocols 'tor-1' all", &L, &e), 0);
	ck_assert_int_eq(L.ntok, 4);
	ck_assert_str_eq(L.tok[2].s, "tor-1");
	ck_assert(!L.tok[2].quoted);
	ck_assert_int_eq(L.tok[2].col, 15);
	ck_assert_str_eq(L.tok[3].s, "all");
	ck_assert_int_eq(cmd_tokenize("show protocols 'tor-1", &L, &e), -1);
	ck_assert_str_eq(e, "unterminated name in apostrophes");
	ck_assert_int_eq(cmd_tokenize("\"\"", &L, &e), 0);
	ck_assert_int_eq(L.ntok, 1);
	ck_assert_str_eq(L.tok[0].s, "");
	char many[4 * (CMD_MAX_TOKENS + 1) + 1];
	many[0] = 0;
	for (int i = 0; i <= CMD_MAX_TOKENS; i++)
		strcat(many, "ab ");
	ck_assert_int_eq(cmd_tokenize(many, &L, &e), -1);
	ck_assert_str_eq(e, "too many words");
}
END_TEST

/* Token storage filled exactly, then an empty quoted token: its terminator
 * does not fit and must not be written past the end. */
START_TEST(tokenize_storage_full)
{
	static char line[CMD_MAX_LINE * 2];
	const char *e = NULL;
	size_t o = 0;

	for (int i = 0; i < 63; i++) {
		int n = i < 62 ? 64 : 65;	/* 62 * 65 + 66 = 4096 bytes with terminators */
		memset(line + o, 'a', (size_t)n);
		o += (size_t)n;
		line[o++] = ' ';
	}
	strcpy(line + o, "\"\"");
	ck_assert_int_eq(62 * 65 + 66, (int)sizeof L.buf);
	ck_assert_int_eq(cmd_tokenize(line, &L, &e), -1);
	ck_assert_str_eq(e, "command too long");
	line[o - 1] = 0;	/* without the empty token it just fits */
	ck_assert_int_eq(cmd_tokenize(line, &L, &e), 0);
	ck_assert_int_eq(L.ntok, 63);
}
END_TEST

START_TEST(abbreviations)
{
	int nw;
	ck_assert_str_eq(words("show protocols"), "show protocols");
	ck_assert_str_eq(words("sh p"), "show protocols");
	ck_assert_str_eq(words("sh po"), "show pools");
	ck_assert_str_eq(words("sh pr all"), "show protocols");
	ck_assert_str_eq(words("s s"), "ambiguous command, possible expansions are: 'show status' 'show services' 'show symbols'");
	ck_assert_str_eq(words("sh st"), "show status");
	ck_assert_str_eq(words("sh ser"), "show services");
	ck_assert_str_eq(words("sh r"), "show route");
	ck_assert_str_eq(words("configure"), "configure");
	ck_assert_str_eq(words("configure check"), "configure check");
	ck_assert_str_eq(words("conf ch"), "configure check");
	ck_assert_str_eq(words("configure \"x.conf\""), "configure");	/* a quoted word is never a command word */
	ck_assert_str_eq(words("configure timeout 5"), "configure timeout");
	ck_assert_str_eq(words("do"), "down");
	ck_assert_str_eq(words("?"), "unknown command '?'; type 'help' for the list");
	const struct cmd_def *d = m("sh p all foo", &nw);
	ck_assert_int_eq(d->id, CMD_SHOW_PROTOCOLS);
	ck_assert_int_eq(nw, 2);
}
END_TEST

START_TEST(ambiguity)
{
	ck_assert_ptr_null(m("d", NULL));
	ck_assert_str_eq(err, "ambiguous command, possible expansions are: 'disable' 'debug' 'down'");
	ck_assert_ptr_null(m("co c", NULL));
	ck_assert_str_eq(err, "ambiguous command, possible expansions are: 'configure check' 'configure confirm'");
	ck_assert_ptr_null(m("bogus", NULL));
	ck_assert_str_eq(err, "unknown command 'bogus'; type 'help' for the list");
	ck_assert_ptr_null(m("", NULL));
	ck_assert_str_eq(err, "empty command");
}
END_TEST

START_TEST(table_is_sane)
{
	char w[64];
	for (int i = 0; i < CMD__COUNT; i++) {
		const struct cmd_def *d = &cmd_table[i];
		ck_assert_int_eq(d->id, i);
		ck_assert(cmd_nwords(d) >= 1);
		/* every entry matches itself, exactly */
		const struct cmd_def *f = m(d->words, NULL);
		ck_assert_msg(f == d, "'%s' matches '%s'", d->words, f ? f->words : err);
		ck_assert_ptr_nonnull(cmd_word(d, cmd_nwords(d) - 1, w, sizeof w));
		ck_assert_ptr_null(cmd_word(d, cmd_nwords(d), w, sizeof w));
		/* show commands are read-only; nothing that changes state is */
		if (!strncmp(d->words, "show ", 5))
			ck_assert_msg(d->flags & CMD_RO, "%s", d->words);
	}
	ck_assert(!(cmd_table[CMD_CONFIGURE].flags & CMD_RO));
	ck_assert(!(cmd_table[CMD_DOWN].flags & CMD_RO));
	ck_assert(!(cmd_table[CMD_PEER_SET].flags & CMD_RO));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cmdtab");
	TCase *t = tcase_create("cmdtab");
	tcase_add_test(t, tokenize);
	tcase_add_test(t, tokenize_storage_full);
	tcase_add_test(t, abbreviations);
	tcase_add_test(t, ambiguity);
	tcase_add_test(t, table_is_sane);
	suite_add_tcase(s, t);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
