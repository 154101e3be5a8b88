/*
 * Unit tests of how metalbirdc turns its arguments into one command line
 * (client/cmdline.c).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "client/cmdline.h"
#include "nest/cmdtab.h"

static char buf[CMD_MAX_LINE];
static const char *err;

#define JOIN(...) join((char *[]){ __VA_ARGS__, NULL })

static int join(char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	err = NULL;
	return cmdline_join(argc, argv, buf, sizeof buf, &err);
}

START_TEST(test_plain_words)
{
	ck_assert_int_eq(JOIN("show", "protocols", "all"), 0);
	ck_assert_str_eq(buf, "show protocols all");
	ck_assert_int_eq(JOIN("down"), 0);
	ck_assert_str_eq(buf, "down");
}
END_TEST

START_TEST(test_requote)
{
	/* the shell ate the quotes of "vswitch 1" */
	ck_assert_int_eq(JOIN("peer", "remove", "198.51.100.1", "interface", "vswitch 1"), 0);
	ck_assert_str_eq(buf, "peer remove 198.51.100.1 interface \"vswitch 1\"");
	ck_assert_int_eq(JOIN("configure", "/tmp/a\tb.conf"), 0);
	ck_assert_str_eq(buf, "configure \"/tmp/a\tb.conf\"");
	ck_assert_int_eq(JOIN("peer", "set", "198.51.100.1", "password", ""), 0);
	ck_assert_str_eq(buf, "peer set 198.51.100.1 password \"\"");
	/* a backslash inside quotes must survive the tokenizer */
	ck_assert_int_eq(JOIN("configure", "C:\\my dir"), 0);
	ck_assert_str_eq(buf, "configure \"C:\\\\my dir\"");
	/* a single word needs no quotes (SPEC: string arguments of one word) */
	ck_assert_int_eq(JOIN("configure", "/etc/metalbird/x.conf"), 0);
	ck_assert_str_eq(buf, "configure /etc/metalbird/x.conf");
}
END_TEST

/* What the joined line means to the daemon's tokenizer. */
START_TEST(test_roundtrip)
{
	static struct cmd_line l;
	const char *terr;

	ck_assert_int_eq(JOIN("peer", "remove", "198.51.100.1", "interface", "a \\ b", ""), 0);
	ck_assert_int_eq(cmd_tokenize(buf, &l, &terr), 0);
	ck_assert_int_eq(l.ntok, 6);
	ck_assert_str_eq(l.tok[4].s, "a \\ b");
	ck_assert_int_eq(l.tok[4].quoted, 1);
	ck_assert_str_eq(l.tok[5].s, "");
	ck_assert_int_eq(l.tok[5].quoted, 1);
}
END_TEST

START_TEST(test_verbatim)
{
	/* the whole command in one argument, as people type for birdc */
	ck_assert_int_eq(JOIN("show protocols all"), 0);
	ck_assert_str_eq(buf, "show protocols all");
	/* already quoted by the user */
	ck_assert_int_eq(JOIN("show", "protocols", "\"tor*\""), 0);
	ck_assert_str_eq(buf, "show protocols \"tor*\"");
	ck_assert_int_eq(JOIN("show", "route", "where net ~ \"x\""), 0);
	ck_assert_str_eq(buf, "show route where net ~ \"x\"");
}
END_TEST

START_TEST(test_errors)
{
	ck_assert_int_eq(JOIN("show", "protocols\nshow status"), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(JOIN("show\r"), -1);
	ck_assert_int_eq(JOIN(""), -1);
	ck_assert_str_eq(err, "empty command");
	ck_assert_int_eq(JOIN("  "), -1);

	/* the longest line the daemon takes fits, one more byte does not */
	static char big[CMD_MAX_LINE + 10];
	memset(big, 'x', CMD_MAX_LINE - 1);
	big[CMD_MAX_LINE - 1] = 0;
	ck_assert_int_eq(JOIN(big), 0);
	ck_assert_uint_eq(strlen(buf), CMD_MAX_LINE - 1);
	big[CMD_MAX_LINE - 1] = 'x';
	big[CMD_MAX_LINE] = 0;
	ck_assert_int_eq(JOIN(big), -1);
	ck_assert_str_eq(err, "command too long");
	memset(big, 'x', CMD_MAX_LINE - 2);
	big[CMD_MAX_LINE - 2] = 0;
	ck_assert_int_eq(JOIN("a", big), -1);	/* "a " + (CMD_MAX_LINE - 2) */
	ck_assert_int_eq(JOIN(big, "a"), -1);
	big[CMD_MAX_LINE - 3] = 0;
	ck_assert_int_eq(JOIN("a", big), 0);
	ck_assert_uint_eq(strlen(buf), CMD_MAX_LINE - 1);
}
END_TEST

START_TEST(test_words)
{
	ck_assert(cmdline_is("exit", "exit"));
	ck_assert(cmdline_is("  quit \t", "quit"));
	ck_assert(!cmdline_is("exits", "exit"));
	ck_assert(!cmdline_is("exit now", "exit"));
	ck_assert(!cmdline_is("", "exit"));
	ck_assert(cmdline_blank(""));
	ck_assert(cmdline_blank(" \t "));
	ck_assert(!cmdline_blank(" x "));
}
END_TEST

static Suite *cmdline_suite(void)
{
	Suite *s = suite_create("client_cmdline");
	TCase *tc = tcase_create("join");

	tcase_add_test(tc, test_plain_words);
	tcase_add_test(tc, test_requote);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_verbatim);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_words);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cmdline_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
