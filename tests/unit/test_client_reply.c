/*
 * Unit tests of the client's reply-line parser (client/reply.c): framing,
 * continuation codes, the end of a reply, error codes, lines split across
 * reads and lines longer than the parser keeps.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "client/reply.h"

#define MAXL 64

/* What the parser handed out, copied. */
struct got {
	int n;
	enum reply_kind kind[MAXL];
	int code[MAXL];
	char *text[MAXL];
	size_t len[MAXL];
	int final[MAXL];
	int truncated[MAXL];
	int error[MAXL];	/* reply_error() after each line */
};

static void got_free(struct got *g)
{
	for (int i = 0; i < g->n; i++)
		free(g->text[i]);
	g->n = 0;
}

/* Feed s to p in pieces of at most chunk bytes, collecting lines. */
static void feed(struct reply_parser *p, const char *s, size_t slen, size_t chunk, struct got *g)
{
	size_t off = 0;

	while (off < slen) {
		size_t piece = slen - off < chunk ? slen - off : chunk;
		const char *d = s + off;
		off += piece;
		while (piece > 0) {
			struct reply_line l;
			size_t used = 0;
			int r = reply_feed(p, d, piece, &used, &l);
			ck_assert_uint_le(used, piece);
			d += used;
			piece -= used;
			if (!r) {
				ck_assert_uint_eq(piece, 0);
				break;
			}
			ck_assert_int_lt(g->n, MAXL);
			ck_assert_uint_eq(strlen(l.text), l.len);
			g->kind[g->n] = l.kind;
			g->code[g->n] = l.code;
			g->text[g->n] = strndup(l.text, l.len);
			g->len[g->n] = l.len;
			g->final[g->n] = l.final;
			g->truncated[g->n] = l.truncated;
			g->error[g->n] = reply_error(p);
			g->n++;
		}
	}
}

static void feed_str(struct reply_parser *p, const char *s, size_t chunk, struct got *g)
{
	feed(p, s, strlen(s), chunk, g);
}

START_TEST(test_single_line)
{
	struct reply_parser p;
	struct got g = { 0 };

	reply_init(&p);
	feed_str(&p, "0001 metalbird 0.1.0 ready.\n", 4096, &g);
	ck_assert_int_eq(g.n, 1);
	ck_assert_int_eq(g.kind[0], REPLY_LAST);
	ck_assert_int_eq(g.code[0], 1);
	ck_assert_str_eq(g.text[0], "metalbird 0.1.0 ready.");
	ck_assert_int_eq(g.final[0], 1);
	ck_assert_int_eq(g.error[0], 0);
	ck_assert(!reply_pending(&p));
	got_free(&g);
}
END_TEST

static const char table[] =
	"2002-Name       Proto      Table\n"
	"1002-tor1       BGP        ---\n"
	" tor2       BGP        ---\n"
	" k8s        Static     master4\n"
	"0000 \n";

static void check_table(const struct got *g)
{
	ck_assert_int_eq(g->n, 5);
	ck_assert_int_eq(g->kind[0], REPLY_MORE);
	ck_assert_int_eq(g->code[0], 2002);
	ck_assert_str_eq(g->text[0], "Name       Proto      Table");
	ck_assert_int_eq(g->kind[1], REPLY_MORE);
	ck_assert_int_eq(g->code[1], 1002);
	ck_assert_int_eq(g->kind[2], REPLY_CONT);
	ck_assert_int_eq(g->code[2], 1002);
	ck_assert_str_eq(g->text[2], "tor2       BGP        ---");
	ck_assert_int_eq(g->kind[3], REPLY_CONT);
	ck_assert_int_eq(g->code[3], 1002);
	ck_assert_int_eq(g->kind[4], REPLY_LAST);
	ck_assert_int_eq(g->code[4], 0);
	ck_assert_str_eq(g->text[4], "");
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(g->final[i], 0);
	ck_assert_int_eq(g->final[4], 1);
	ck_assert_int_eq(g->error[4], 0);
}

START_TEST(test_continuation_and_final)
{
	struct reply_parser p;
	struct got g = { 0 };

	reply_init(&p);
	feed_str(&p, table, 4096, &g);
	check_table(&g);
	got_free(&g);
}
END_TEST

/* The same reply cut at every possible size of read. */
START_TEST(test_split_reads)
{
	for (size_t chunk = 1; chunk <= sizeof table; chunk++) {
		struct reply_parser p;
		struct got g = { 0 };

		reply_init(&p);
		feed_str(&p, table, chunk, &g);
		check_table(&g);
		got_free(&g);
	}
}
END_TEST

START_TEST(test_hidden_final)
{
	struct reply_line l = { .kind = REPLY_LAST, .code = 0, .text = "", .len = 0 };

	ck_assert(reply_line_hidden(&l));
	l.text = "OK";
	l.len = 2;
	ck_assert(!reply_line_hidden(&l));
	l.text = "";
	l.len = 0;
	l.code = 13;
	ck_assert(!reply_line_hidden(&l));
	l.code = 0;
	l.kind = REPLY_MORE;
	ck_assert(!reply_line_hidden(&l));
}
END_TEST

START_TEST(test_error_codes)
{
	struct reply_parser p;
	struct got g = { 0 };

	ck_assert(!reply_code_is_error(0));
	ck_assert(!reply_code_is_error(1010));
	ck_assert(!reply_code_is_error(7999));
	ck_assert(reply_code_is_error(8000));
	ck_assert(reply_code_is_error(8002));
	ck_assert(reply_code_is_error(9001));
	ck_assert(reply_code_is_error(9999));

	reply_init(&p);
	feed_str(&p, "0002-Reading configuration from x.conf\n"
		     "8002 x.conf:3:7 syntax error\n"
		     "0003 Reconfigured\n"
		     "8003-No protocols match\n"
		     " still an error\n"
		     "0000 \n", 7, &g);
	ck_assert_int_eq(g.n, 6);
	ck_assert_int_eq(g.error[0], 0);
	ck_assert_int_eq(g.error[1], 1);	/* the first reply failed */
	ck_assert_int_eq(g.final[1], 1);
	ck_assert_int_eq(g.error[2], 0);	/* the next one did not */
	ck_assert_int_eq(g.final[2], 1);
	ck_assert_int_eq(g.error[3], 1);
	ck_assert_int_eq(g.code[4], 8003);
	ck_assert_int_eq(g.error[5], 1);	/* an error earlier in the reply counts */
	ck_assert_int_eq(g.final[5], 1);
	got_free(&g);
}
END_TEST

START_TEST(test_bad_lines)
{
	struct reply_parser p;
	struct got g = { 0 };

	reply_init(&p);
	/* a continuation before any coded line */
	feed_str(&p, " orphan\n", 4096, &g);
	ck_assert_int_eq(g.n, 1);
	ck_assert_int_eq(g.kind[0], REPLY_BAD);
	ck_assert_int_eq(g.code[0], -1);
	ck_assert_str_eq(g.text[0], " orphan");
	got_free(&g);

	/* a continuation after the last line of a reply */
	feed_str(&p, "0000 done\n after\n", 4096, &g);
	ck_assert_int_eq(g.n, 2);
	ck_assert_int_eq(g.kind[0], REPLY_LAST);
	ck_assert_int_eq(g.kind[1], REPLY_BAD);
	got_free(&g);

	feed_str(&p, "12 short\n1234x\nabcd text\n\n12a4-x\n", 4096, &g);
	ck_assert_int_eq(g.n, 5);
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(g.kind[i], REPLY_BAD);
		ck_assert_int_eq(g.final[i], 0);
	}
	ck_assert_str_eq(g.text[1], "1234x");
	ck_assert_str_eq(g.text[3], "");
	got_free(&g);
}
END_TEST

START_TEST(test_bare_code_and_crlf)
{
	struct reply_parser p;
	struct got g = { 0 };

	reply_init(&p);
	feed_str(&p, "1000-text\r\n more\r\n0000\r\n", 3, &g);
	ck_assert_int_eq(g.n, 3);
	ck_assert_str_eq(g.text[0], "text");
	ck_assert_str_eq(g.text[1], "more");
	ck_assert_int_eq(g.code[1], 1000);
	ck_assert_int_eq(g.kind[2], REPLY_LAST);
	ck_assert_int_eq(g.code[2], 0);
	ck_assert_str_eq(g.text[2], "");
	ck_assert_int_eq(g.final[2], 1);
	got_free(&g);
}
END_TEST

START_TEST(test_async)
{
	struct reply_parser p;
	struct got g = { 0 };

	reply_init(&p);
	feed_str(&p, "1007-route a\n+log line\n route b\n0000 \n", 5, &g);
	ck_assert_int_eq(g.n, 4);
	ck_assert_int_eq(g.kind[1], REPLY_ASYNC);
	ck_assert_str_eq(g.text[1], "log line");
	ck_assert_int_eq(g.final[1], 0);
	/* the continuation still has the code from before the async line */
	ck_assert_int_eq(g.kind[2], REPLY_CONT);
	ck_assert_int_eq(g.code[2], 1007);
	ck_assert_int_eq(g.final[3], 1);
	got_free(&g);
}
END_TEST

START_TEST(test_overlong_line)
{
	size_t big = REPLY_LINE_MAX * 3 + 17;
	char *s = malloc(big + 64);
	struct reply_parser p;
	struct got g = { 0 };

	memcpy(s, "1007-", 5);
	memset(s + 5, 'x', big - 5);
	strcpy(s + big, "\n after\n0000 ok\n");
	for (size_t chunk = 1; chunk <= REPLY_LINE_MAX + 10; chunk += chunk < 8 ? 1 : 997) {
		reply_init(&p);
		feed(&p, s, strlen(s), chunk, &g);
		ck_assert_int_eq(g.n, 3);
		ck_assert_int_eq(g.truncated[0], 1);
		ck_assert_int_eq(g.kind[0], REPLY_MORE);
		ck_assert_int_eq(g.code[0], 1007);
		ck_assert_uint_eq(g.len[0], REPLY_LINE_MAX - 5);
		/* the tail was dropped; the stream goes on in step */
		ck_assert_int_eq(g.truncated[1], 0);
		ck_assert_int_eq(g.kind[1], REPLY_CONT);
		ck_assert_int_eq(g.code[1], 1007);
		ck_assert_str_eq(g.text[1], "after");
		ck_assert_int_eq(g.kind[2], REPLY_LAST);
		ck_assert_str_eq(g.text[2], "ok");
		ck_assert(!reply_pending(&p));
		got_free(&g);
	}
	free(s);
}
END_TEST

/* A line of exactly REPLY_LINE_MAX bytes is kept whole. */
START_TEST(test_longest_line)
{
	char *s = malloc(REPLY_LINE_MAX + 2);
	struct reply_parser p;
	struct got g = { 0 };

	memcpy(s, "0000 ", 5);
	memset(s + 5, 'y', REPLY_LINE_MAX - 5);
	s[REPLY_LINE_MAX] = '\n';
	s[REPLY_LINE_MAX + 1] = 0;
	reply_init(&p);
	feed_str(&p, s, 1000, &g);
	ck_assert_int_eq(g.n, 1);
	ck_assert_int_eq(g.truncated[0], 0);
	ck_assert_uint_eq(g.len[0], REPLY_LINE_MAX - 5);
	ck_assert_int_eq(g.final[0], 1);
	got_free(&g);
	free(s);
}
END_TEST

START_TEST(test_pending)
{
	struct reply_parser p;
	struct got g = { 0 };

	reply_init(&p);
	feed_str(&p, "1007-half a li", 4096, &g);
	ck_assert_int_eq(g.n, 0);
	ck_assert(reply_pending(&p));
	feed_str(&p, "ne\n", 4096, &g);
	ck_assert_int_eq(g.n, 1);
	ck_assert_str_eq(g.text[0], "half a line");
	ck_assert(!reply_pending(&p));
	got_free(&g);
}
END_TEST

/* Several lines in one read come out one per call, with the right offsets. */
START_TEST(test_used_offsets)
{
	const char *s = "1000-a\n bc\n0000 \n";
	struct reply_parser p;
	struct reply_line l;
	size_t used;

	reply_init(&p);
	ck_assert_int_eq(reply_feed(&p, s, strlen(s), &used, &l), 1);
	ck_assert_uint_eq(used, 7);
	ck_assert_str_eq(l.raw, "1000-a");
	ck_assert_int_eq(reply_feed(&p, s + 7, strlen(s) - 7, &used, &l), 1);
	ck_assert_uint_eq(used, 4);
	ck_assert_str_eq(l.raw, " bc");
	ck_assert_uint_eq(l.rawlen, 3);
	ck_assert_int_eq(reply_feed(&p, s + 11, strlen(s) - 11, &used, &l), 1);
	ck_assert_uint_eq(used, 6);
	ck_assert_int_eq(l.final, 1);
	ck_assert_int_eq(reply_feed(&p, "", 0, &used, &l), 0);
	ck_assert_uint_eq(used, 0);
}
END_TEST

static Suite *reply_suite(void)
{
	Suite *s = suite_create("client_reply");
	TCase *tc = tcase_create("parser");

	tcase_add_test(tc, test_single_line);
	tcase_add_test(tc, test_continuation_and_final);
	tcase_add_test(tc, test_split_reads);
	tcase_add_test(tc, test_hidden_final);
	tcase_add_test(tc, test_error_codes);
	tcase_add_test(tc, test_bad_lines);
	tcase_add_test(tc, test_bare_code_and_crlf);
	tcase_add_test(tc, test_async);
	tcase_add_test(tc, test_overlong_line);
	tcase_add_test(tc, test_longest_line);
	tcase_add_test(tc, test_pending);
	tcase_add_test(tc, test_used_offsets);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(reply_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
