/*
 * Unit tests of the client's completion and `?` help (client/complete.c)
 * against the real command table (nest/cmdtab.def).  They name only
 * commands that SPEC.md section 5 promises.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/complete.h"

static struct compl_list L;
static struct compl_ctx C;

static int has(const char *w)
{
	for (int i = 0; i < L.n; i++)
		if (!strcmp(L.v[i], w))
			return 1;
	return 0;
}

/* Complete at the end of line. */
static int run(const char *line)
{
	compl_list_init(&L);
	return compl_analyze(line, strlen(line), &C, &L);
}

START_TEST(test_list)
{
	struct compl_list l;

	compl_list_init(&l);
	ck_assert_int_eq(compl_list_add(&l, "protocols", 9, "pro"), 1);
	ck_assert_int_eq(compl_list_add(&l, "protocols", 9, "pro"), 0);	/* duplicate */
	ck_assert_int_eq(compl_list_add(&l, "pools", 5, "pro"), 0);		/* filtered */
	ck_assert_int_eq(compl_list_add(&l, "protoXYZ", 5, ""), 1);		/* length counts */
	ck_assert_int_eq(l.n, 2);
	ck_assert_str_eq(l.v[1], "proto");
	ck_assert_int_eq(compl_list_add(&l, "protocol", 8, ""), 1);		/* a prefix is another word */

	char w[16];
	int r = 0;
	for (int i = 0; i < COMPL_MAX + 5 && r >= 0; i++) {
		snprintf(w, sizeof w, "w%d", i);
		r = compl_list_add(&l, w, strlen(w), "");
	}
	ck_assert_int_eq(r, -1);
	ck_assert_int_eq(l.n, COMPL_MAX);
}
END_TEST

START_TEST(test_first_word)
{
	ck_assert_int_eq(run(""), 0);
	ck_assert_int_eq(C.ntok, 0);
	ck_assert_uint_eq(C.word_start, 0);
	ck_assert(has("show"));
	ck_assert(has("configure"));
	ck_assert(has("enable"));
	ck_assert(has("disable"));
	ck_assert(has("restart"));
	ck_assert(has("peer"));
	ck_assert(has("down"));
	ck_assert(has("help"));
	ck_assert(!has("restrict"));	/* CMD_HIDDEN */
	ck_assert_int_eq(C.want, 0);

	ck_assert_int_eq(run("sh"), 0);
	ck_assert_int_eq(L.n, 1);
	ck_assert_str_eq(L.v[0], "show");
	ck_assert_str_eq(C.prefix, "sh");

	ck_assert_int_eq(run("  d"), 0);
	ck_assert_uint_eq(C.word_start, 2);
	ck_assert(has("disable") && has("down") && has("debug"));
	ck_assert(!has("enable"));

	ck_assert_int_eq(run("xyz"), 0);
	ck_assert_int_eq(L.n, 0);
	ck_assert_int_eq(run("xyz "), 0);
	ck_assert_int_eq(L.n, 0);
	ck_assert_int_eq(C.want, 0);
}
END_TEST

START_TEST(test_second_word)
{
	ck_assert_int_eq(run("show p"), 0);
	ck_assert_int_eq(C.ntok, 1);
	ck_assert(has("protocols") && has("pools") && has("peers"));
	ck_assert(!has("route") && !has("status"));
	ck_assert_int_eq(C.want, 0);

	/* typed words abbreviate as in cmd_match */
	ck_assert_int_eq(run("s p"), 0);
	ck_assert(has("protocols") && has("pools") && has("peers"));
	ck_assert_int_eq(run("sh "), 0);
	ck_assert(has("route") && has("status") && has("bfd") && has("services"));
	ck_assert(!has("show"));
	ck_assert_int_eq(run("sh b"), 0);
	ck_assert_int_eq(L.n, 1);
	ck_assert_str_eq(L.v[0], "bfd");
	ck_assert_int_eq(run("sh b s"), 0);
	ck_assert_int_eq(L.n, 1);
	ck_assert_str_eq(L.v[0], "sessions");

	/* a quoted word is never a command word */
	ck_assert_int_eq(run("\"show\" "), 0);
	ck_assert_int_eq(L.n, 0);
}
END_TEST

START_TEST(test_arguments)
{
	ck_assert_int_eq(run("show protocols "), 0);
	ck_assert_int_eq(C.want, CMD_ARG_PROTO);
	ck_assert(has("all") && has("json"));
	ck_assert_int_eq(L.n, 2);

	/* `sh p` is show protocols (CMD_PREFERRED) */
	ck_assert_int_eq(run("sh p "), 0);
	ck_assert_int_eq(C.want, CMD_ARG_PROTO);
	ck_assert(has("all"));

	ck_assert_int_eq(run("show protocols a"), 0);
	ck_assert_int_eq(L.n, 1);
	ck_assert_str_eq(L.v[0], "all");
	ck_assert_str_eq(C.prefix, "a");

	/* a keyword given is not offered again */
	ck_assert_int_eq(run("show protocols all "), 0);
	ck_assert(!has("all"));
	ck_assert(has("json"));
	ck_assert_int_eq(C.want, CMD_ARG_PROTO);

	ck_assert_int_eq(run("show pools "), 0);
	ck_assert_int_eq(C.want, CMD_ARG_POOL);
	ck_assert(has("json"));
	ck_assert_int_eq(run("show services "), 0);
	ck_assert_int_eq(C.want, CMD_ARG_SERVICE);
	ck_assert_int_eq(run("show status "), 0);
	ck_assert_int_eq(C.want, 0);
	ck_assert_int_eq(L.n, 1);
	ck_assert_str_eq(L.v[0], "json");

	ck_assert_int_eq(run("enable "), 0);
	ck_assert_int_eq(C.want, CMD_ARG_PROTO);
	ck_assert(has("all"));
	ck_assert(!has("json"));
	ck_assert_int_eq(run("debug "), 0);
	ck_assert_int_eq(C.want, CMD_ARG_PROTO);
	ck_assert_int_eq(run("show protocols all "), 0);
	ck_assert_int_eq(C.want, CMD_ARG_PROTO);

	/* the hidden command completes nothing */
	ck_assert_int_eq(run("restrict "), 0);
	ck_assert_int_eq(L.n, 0);
	ck_assert_int_eq(C.want, 0);
}
END_TEST

/* After a keyword that takes a value, only that value fits. */
START_TEST(test_keyword_values)
{
	ck_assert_int_eq(run("show route "), 0);
	ck_assert(has("all") && has("count") && has("for") && has("where") && has("export") &&
		  has("protocol") && has("pool") && has("json"));
	/* its names are only values of keywords: no name alone */
	ck_assert_int_eq(C.want, 0);
	ck_assert_int_eq(run("show route all "), 0);
	ck_assert_int_eq(C.want, 0);

	ck_assert_int_eq(run("show route pool "), 0);
	ck_assert_int_eq(C.want, CMD_ARG_POOL);
	ck_assert_int_eq(L.n, 0);
	ck_assert_int_eq(run("show route protocol t"), 0);
	ck_assert_int_eq(C.want, CMD_ARG_PROTO);
	ck_assert_int_eq(L.n, 0);
	ck_assert_int_eq(run("show route export "), 0);
	ck_assert_int_eq(C.want, CMD_ARG_PROTO);
	ck_assert_int_eq(run("show route for "), 0);
	ck_assert_int_eq(C.want, 0);
	ck_assert_int_eq(L.n, 0);

	/* and after the value, the keywords again */
	ck_assert_int_eq(run("show route pool public "), 0);
	ck_assert(has("all") && !has("pool"));
}
END_TEST

START_TEST(test_configure)
{
	/* `configure` is a command, and the first word of others */
	ck_assert_int_eq(run("configure "), 0);
	ck_assert(has("check") && has("timeout") && has("confirm") && has("undo") && has("status"));
	int n = 0;
	for (int i = 0; i < L.n; i++)
		n += !strcmp(L.v[i], "timeout");
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(run("conf c"), 0);
	ck_assert(has("check") && has("confirm"));
	ck_assert(!has("undo"));
}
END_TEST

START_TEST(test_strings)
{
	ck_assert(!compl_in_string("configure ", 10));
	ck_assert(compl_in_string("configure \"/tmp/x", 17));
	ck_assert(!compl_in_string("configure \"/tmp/x\" ", 19));
	ck_assert(compl_in_string("a \"x\\\" y", 8));		/* \" does not end it */
	ck_assert(!compl_in_string("a \"x\" \"y\"", 9));

	/* in a string only a file name is completed */
	ck_assert_int_eq(run("configure \"/tmp/x"), 0);
	ck_assert_int_eq(C.in_string, 1);
	ck_assert_int_eq(C.want, CMD_ARG_FILE);
	ck_assert_uint_eq(C.word_start, 11);
	ck_assert_str_eq(C.prefix, "/tmp/x");
	ck_assert_int_eq(L.n, 0);
	ck_assert_int_eq(run("conf ch \"a b"), 0);
	ck_assert_int_eq(C.want, CMD_ARG_FILE);
	ck_assert_str_eq(C.prefix, "a b");
	ck_assert_int_eq(run("configure timeout 30 \""), 0);
	ck_assert_int_eq(C.want, CMD_ARG_FILE);
	ck_assert_str_eq(C.prefix, "");
	ck_assert_int_eq(run("show protocols \"tor"), -1);
	ck_assert_int_eq(C.in_string, 1);
	ck_assert_int_eq(run("\"configure"), -1);
	ck_assert_int_eq(run("configure \"a\" \"b"), 0);	/* the second string */
	ck_assert_str_eq(C.prefix, "b");
	/* a path needs no quotes */
	ck_assert_int_eq(run("configure /etc/"), 0);
	ck_assert_int_eq(C.want, CMD_ARG_FILE);
	ck_assert_int_eq(run("configure c"), 0);
	ck_assert_int_eq(C.want, 0);
	ck_assert_int_eq(run("show protocols /x"), 0);
	ck_assert_int_eq(C.want, CMD_ARG_PROTO);
	ck_assert_int_eq(run("configure \"a b\" "), 0);
	ck_assert(has("timeout"));
	ck_assert_int_eq(run("show \"unterminated\\"), -1);
}
END_TEST

START_TEST(test_help_command)
{
	ck_assert_int_eq(run("help "), 0);
	ck_assert(has("show") && has("configure"));
	ck_assert_int_eq(run("help sh p"), 0);
	ck_assert(has("protocols") && has("pools"));
	ck_assert_int_eq(C.want, 0);
}
END_TEST

/* The cursor in the middle of the line. */
START_TEST(test_cursor)
{
	const char *line = "show protocols all";

	compl_list_init(&L);
	ck_assert_int_eq(compl_analyze(line, 6, &C, &L), 0);
	ck_assert_uint_eq(C.word_start, 5);
	ck_assert_str_eq(C.prefix, "p");
	ck_assert(has("protocols") && has("pools"));
	compl_list_init(&L);
	ck_assert_int_eq(compl_analyze(line, 1000, &C, &L), 0);	/* clamped */
	ck_assert_str_eq(C.prefix, "all");
}
END_TEST

struct seen {
	int n;
	const struct cmd_def *d[CMD__COUNT];
};

static void collect(const struct cmd_def *d, void *arg)
{
	struct seen *s = arg;

	ck_assert_int_lt(s->n, CMD__COUNT);
	s->d[s->n++] = d;
}

static int seen_words(const struct seen *s, const char *words)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->d[i]->words, words))
			return 1;
	return 0;
}

START_TEST(test_help)
{
	struct seen s = { 0 };
	int visible = 0, shows = 0;

	for (int i = 0; i < CMD__COUNT; i++) {
		visible += !(cmd_table[i].flags & CMD_HIDDEN);
		shows += !(cmd_table[i].flags & CMD_HIDDEN) && !strncmp(cmd_table[i].words, "show ", 5);
	}

	ck_assert_int_eq(compl_help("", 0, collect, &s), visible);
	ck_assert_int_eq(s.n, visible);
	ck_assert(!seen_words(&s, "restrict"));

	s.n = 0;
	ck_assert_int_eq(compl_help("show ", 5, collect, &s), shows);
	for (int i = 0; i < s.n; i++)
		ck_assert(!strncmp(s.d[i]->words, "show ", 5));

	s.n = 0;
	ck_assert_int_eq(compl_help("sh p", 4, collect, &s), 3);
	ck_assert(seen_words(&s, "show protocols") && seen_words(&s, "show pools") &&
		  seen_words(&s, "show peers"));

	/* arguments typed: only the command the daemon would run */
	s.n = 0;
	ck_assert_int_eq(compl_help("show protocols all ", 19, collect, &s), 1);
	ck_assert_str_eq(s.d[0]->words, "show protocols");
	s.n = 0;
	ck_assert_int_eq(compl_help("sh p tor1 ", 10, collect, &s), 1);
	ck_assert_str_eq(s.d[0]->words, "show protocols");

	s.n = 0;
	ck_assert_int_eq(compl_help("configure c", 11, collect, &s), 2);
	ck_assert(seen_words(&s, "configure check") && seen_words(&s, "configure confirm"));
	s.n = 0;
	ck_assert_int_eq(compl_help("configure \"x.conf\" ", 19, collect, &s), 1);
	ck_assert_str_eq(s.d[0]->words, "configure");

	/* only the part before the cursor counts */
	s.n = 0;
	ck_assert_int_eq(compl_help("show protocols", 6, collect, &s), 3);

	s.n = 0;
	ck_assert_int_eq(compl_help("frobnicate ", 11, collect, &s), 0);
}
END_TEST

START_TEST(test_restricted)
{
	struct seen s = { 0 };
	int ro = 0;

	for (int i = 0; i < CMD__COUNT; i++)
		ro += (cmd_table[i].flags & (CMD_RO | CMD_HIDDEN)) == CMD_RO;
	compl_restrict(1);
	ck_assert_int_eq(run(""), 0);
	ck_assert(has("show") && has("help"));
	ck_assert(!has("down") && !has("enable") && !has("peer"));
	ck_assert_int_eq(run("configure "), 0);
	ck_assert(has("status"));
	ck_assert(!has("check") && !has("timeout"));
	ck_assert_int_eq(run("enable "), 0);
	ck_assert_int_eq(L.n, 0);
	ck_assert_int_eq(C.want, 0);
	ck_assert_int_eq(run("show protocols "), 0);
	ck_assert_int_eq(C.want, CMD_ARG_PROTO);
	ck_assert_int_eq(compl_help("", 0, collect, &s), ro);
	for (int i = 0; i < s.n; i++)
		ck_assert(s.d[i]->flags & CMD_RO);
	compl_restrict(0);
	ck_assert_int_eq(run(""), 0);
	ck_assert(has("down"));
}
END_TEST

static void syn_collect(const char *w, size_t n, void *arg)
{
	char *out = arg;

	strncat(out, w, n);
	strcat(out, ",");
}

START_TEST(test_synopsis)
{
	char out[512];

	out[0] = 0;
	compl_synopsis_words("[all] [NAME | \"PATTERN\"]", syn_collect, out);
	ck_assert_str_eq(out, "all,");
	out[0] = 0;
	compl_synopsis_words("NAME | \"PATTERN\" | all (all | off | { states | routes })",
			     syn_collect, out);
	ck_assert_str_eq(out, "all,all,off,states,routes,");
	out[0] = 0;
	compl_synopsis_words("ADDRESS as ASN [local as ASN] [interface \"NAME\"] [hold time N]",
			     syn_collect, out);
	ck_assert_str_eq(out, "as,local,as,interface,hold,time,");
	out[0] = 0;
	compl_synopsis_words("", syn_collect, out);
	ck_assert_str_eq(out, "");
	out[0] = 0;
	compl_synopsis_words("[\"unterminated all", syn_collect, out);
	ck_assert_str_eq(out, "");
}
END_TEST

static Suite *complete_suite(void)
{
	Suite *s = suite_create("client_complete");
	TCase *tc = tcase_create("complete");

	tcase_add_test(tc, test_list);
	tcase_add_test(tc, test_first_word);
	tcase_add_test(tc, test_second_word);
	tcase_add_test(tc, test_arguments);
	tcase_add_test(tc, test_keyword_values);
	tcase_add_test(tc, test_configure);
	tcase_add_test(tc, test_strings);
	tcase_add_test(tc, test_help_command);
	tcase_add_test(tc, test_cursor);
	tcase_add_test(tc, test_help);
	tcase_add_test(tc, test_restricted);
	tcase_add_test(tc, test_synopsis);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(complete_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
