/*
 * metalbird -- unit tests of the reply framing (nest/cli.c)
 *
 * BIRD's line protocol (SPEC section 2): "DDDD-text" opens a block that more
 * lines follow, " text" continues the same code, "DDDD text" ends the reply.
 * A reader that follows only these rules must get back exactly what the
 * handlers wrote, also for JSON documents and multi-line messages.
 */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "nest/cli.h"

/* cli.c formats times relative to the loop's clock: a fixed one here. */
double now_real(void);
double now_real(void)
{
	return 1700000000.0;
}

static char out[65536];
static size_t outlen;

static void w(struct cli *c, const char *buf, size_t len)
{
	ck_assert(outlen + len < sizeof out);
	memcpy(out + outlen, buf, len);
	outlen += len;
	out[outlen] = 0;
}

static struct cli C;

static void setup(void)
{
	memset(&C, 0, sizeof C);
	C.write = w;
	C.last_code = -1;
	outlen = 0;
	out[0] = 0;
}

START_TEST(single_final_line)
{
	cli_msg(&C, RC_STATUS, "Daemon is up and running");
	ck_assert_str_eq(out, "0013 Daemon is up and running\n");
	ck_assert_int_eq(C.errors, 0);
}
END_TEST

START_TEST(continuations)
{
	cli_msg(&C, -RC_PROTO_HEADING, "Name Proto");
	cli_msg(&C, -RC_PROTO_LIST, "a static");
	cli_msg(&C, -RC_PROTO_LIST, "b static");
	cli_msg(&C, -RC_PROTO_LIST, "c static");
	cli_ok(&C);
	ck_assert_str_eq(out, "2002-Name Proto\n1002-a static\n b static\n c static\n0000 \n");
	/* the next reply starts with a code again */
	outlen = 0;
	cli_msg(&C, -RC_PROTO_LIST, "d");
	cli_msg(&C, RC_PROTO_LIST, "e");
	ck_assert_str_eq(out, "1002-d\n1002 e\n");
}
END_TEST

START_TEST(embedded_newlines)
{
	cli_msg(&C, RC_E_CONFIG, "first\nsecond\nthird");
	ck_assert_str_eq(out, "8002-first\n second\n8002 third\n");
	ck_assert_int_eq(C.errors, 3);
	outlen = 0;
	cli_msg(&C, -RC_PROTO_DETAILS, "x\ny");
	cli_ok(&C);
	ck_assert_str_eq(out, "1006-x\n y\n0000 \n");
}
END_TEST

/* Parse the framing back: every line has a code or continues one; the
 * reply ends at the first "DDDD " line.  Returns the payload lines joined. */
static char *unframe(const char *s, int *final_code)
{
	char *res = calloc(1, strlen(s) + 1);
	const char *p = s;
	int code = -1;

	*final_code = -1;
	while (*p) {
		const char *nl = strchr(p, '\n');
		ck_assert_ptr_nonnull(nl);
		if (*p == ' ') {
			ck_assert_int_ge(code, 0);
			strncat(res, p + 1, (size_t)(nl - p));
		} else {
			ck_assert(nl - p >= 5);
			for (int i = 0; i < 4; i++)
				ck_assert(p[i] >= '0' && p[i] <= '9');
			code = atoi(p);
			ck_assert(p[4] == '-' || p[4] == ' ');
			strncat(res, p + 5, (size_t)(nl - p - 4));
			if (p[4] == ' ') {
				*final_code = code;
				ck_assert_msg(nl[1] == 0, "text after the final line");
			}
		}
		p = nl + 1;
	}
	return res;
}

START_TEST(json_reply)
{
	json_t *doc = json_pack("{s:s, s:[i,i], s:{s:s}}", "name", "line one\nline \"two\"", "n", 1, 2,
				"o", "k", "v");
	cli_json(&C, RC_JSON, doc);
	int fc;
	char *payload = unframe(out, &fc);
	ck_assert_int_eq(fc, 0);
	ck_assert(!strncmp(out, "1040-{\n", 7));
	json_error_t e;
	json_t *back = json_loads(payload, 0, &e);
	ck_assert_msg(back != NULL, "%s: %s", e.text, payload);
	ck_assert_str_eq(json_string_value(json_object_get(back, "name")), "line one\nline \"two\"");
	ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(back, "n"), 1)), 2);
	json_decref(back);
	free(payload);
}
END_TEST

START_TEST(framing_round_trip)
{
	int fc;
	cli_msg(&C, -RC_VERSION, "metalbird 0.1.0");
	cli_msg(&C, -RC_UPTIME, "Router ID is 192.0.2.1");
	cli_msg(&C, -RC_UPTIME, " starts with a space");
	cli_msg(&C, -RC_UPTIME, "%s", "");
	cli_msg(&C, RC_STATUS, "Daemon is up and running");
	char *payload = unframe(out, &fc);
	ck_assert_int_eq(fc, RC_STATUS);
	ck_assert_str_eq(payload, "metalbird 0.1.0\nRouter ID is 192.0.2.1\n starts with a space\n\nDaemon is up and running\n");
	free(payload);
}
END_TEST

START_TEST(times)
{
	char b[64];
	cli_fmt_since(1700000000.0 - 10, b, sizeof b);
	ck_assert_int_eq((int)strlen(b), 12);		/* HH:MM:SS.mmm today */
	cli_fmt_since(1700000000.0 - 3 * 86400, b, sizeof b);
	ck_assert_int_eq((int)strlen(b), 10);		/* YYYY-MM-DD before */
	cli_fmt_time(1700000000.25, b, sizeof b);
	ck_assert_str_eq(b + 19, ".250");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cli");
	TCase *t = tcase_create("framing");
	tcase_add_checked_fixture(t, setup, NULL);
	tcase_add_test(t, single_final_line);
	tcase_add_test(t, continuations);
	tcase_add_test(t, embedded_newlines);
	tcase_add_test(t, json_reply);
	tcase_add_test(t, framing_round_trip);
	tcase_add_test(t, times);
	suite_add_tcase(s, t);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
