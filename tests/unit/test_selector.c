/*
 * metalbird -- unit tests of Kubernetes label selectors (nest/selector.c)
 *
 * Parsing of every requirement form kubectl -l accepts, the canonical text,
 * matching against label sets, and errors with the offset of the fault.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "nest/mem.h"
#include "nest/selector.h"

static struct arena *A;
static char err[128];
static int off;

static void setup(void)
{
	A = arena_new();
}

static void teardown(void)
{
	arena_free(A);
}

static struct selector *sel(const char *s)
{
	off = -1;
	err[0] = 0;
	return selector_parse(A, s, err, sizeof err, &off);
}

static const char *fmt(const char *s)
{
	static char buf[256];
	struct selector *x = sel(s);
	ck_assert_msg(x != NULL, "'%s': %s at %d", s, err, off);
	selector_format(x, buf, sizeof buf);
	return buf;
}

/* labels "k=v" pairs, NULL terminated */
static int match(const char *s, const char *const *kv)
{
	const char *keys[16], *vals[16];
	char store[16][64];
	int n = 0;

	for (; kv && kv[n]; n++) {
		snprintf(store[n], sizeof store[n], "%s", kv[n]);
		char *eq = strchr(store[n], '=');
		*eq = 0;
		keys[n] = store[n];
		vals[n] = eq + 1;
	}
	struct label_set l = { n, keys, vals };
	struct selector *x = sel(s);
	ck_assert_msg(x != NULL, "'%s': %s", s, err);
	return selector_match(x, &l);
}

START_TEST(parse_forms)
{
	ck_assert_str_eq(fmt("tier=gold"), "tier=gold");
	ck_assert_str_eq(fmt("tier==gold"), "tier=gold");
	ck_assert_str_eq(fmt(" tier != gold "), "tier!=gold");
	ck_assert_str_eq(fmt("tier"), "tier");
	ck_assert_str_eq(fmt("!tier"), "!tier");
	ck_assert_str_eq(fmt("env in (prod, staging)"), "env in (prod,staging)");
	ck_assert_str_eq(fmt("env notin (dev)"), "env notin (dev)");
	ck_assert_str_eq(fmt("example.com/rack=r1,zone"), "example.com/rack=r1,zone");
	ck_assert_str_eq(fmt("a="), "a=");
	ck_assert_str_eq(fmt(""), "");
	/* a key that starts with "in" is a key, not the operator */
	ck_assert_str_eq(fmt("inner=x,index"), "inner=x,index");
}
END_TEST

START_TEST(parse_errors)
{
	ck_assert_ptr_null(sel("tier in gold"));
	ck_assert_str_eq(err, "expected '(' after in/notin");
	ck_assert_int_eq(off, 8);
	ck_assert_ptr_null(sel("a=b,,c"));
	ck_assert_str_eq(err, "expected a label key");
	ck_assert_int_eq(off, 4);
	ck_assert_ptr_null(sel("a=b,"));
	ck_assert_str_eq(err, "expected a requirement after ','");
	ck_assert_int_eq(off, 4);
	ck_assert_ptr_null(sel("a b"));
	ck_assert_str_eq(err, "expected ',' between requirements");
	ck_assert_int_eq(off, 2);
	ck_assert_ptr_null(sel("a in (x y)"));
	ck_assert_str_eq(err, "expected ',' or ')' in a value set");
	ck_assert_int_eq(off, 8);
	ck_assert_ptr_null(sel("=x"));
	ck_assert_int_eq(off, 0);
	ck_assert_ptr_null(sel("a in (x"));
	ck_assert_int_eq(off, 7);
	ck_assert_ptr_null(sel("!"));
	ck_assert_int_eq(off, 1);
	char big[400];
	memset(big, 'k', sizeof big - 1);
	big[sizeof big - 1] = 0;
	ck_assert_ptr_null(sel(big));
	ck_assert_str_eq(err, "a label name or value is at most 63 characters");
	ck_assert_int_eq(off, 0);
	/* the rules of Kubernetes label keys and values */
	ck_assert_ptr_null(sel("a=b, -x=y"));
	ck_assert_str_eq(err, "a label name or value must start and end with a letter or digit");
	ck_assert_int_eq(off, 5);
	ck_assert_ptr_null(sel("a=b/c"));
	ck_assert_str_eq(err, "a label name or value cannot contain '/' (only a key has one, after its prefix)");
	ck_assert_int_eq(off, 2);
	ck_assert_ptr_null(sel("Example.com/a=b"));
	ck_assert_str_eq(err, "a label key prefix must be a DNS name in lower case");
	ck_assert_ptr_null(sel("/a"));
	ck_assert_str_eq(err, "a label key prefix must be a DNS name of 1-253 characters");
	ck_assert_ptr_null(sel("example.com/"));
	ck_assert_str_eq(err, "a label key needs a name after its prefix");
	ck_assert_ptr_null(sel("a.b/c/d"));
	ck_assert_ptr_null(sel("a in (x, y_)"));
	ck_assert_int_eq(off, 9);
	ck_assert_ptr_nonnull(sel("app.kubernetes.io/name=my-app_1.x"));
	ck_assert_ptr_nonnull(sel("a in (, x)"));		/* an empty value is a value */
}
END_TEST

START_TEST(matching)
{
	const char *gold[] = { "tier=gold", "env=prod", NULL };
	const char *none[] = { NULL };
	ck_assert(match("tier=gold", gold));
	ck_assert(!match("tier=silver", gold));
	ck_assert(match("tier!=silver", gold));
	ck_assert(match("tier!=silver", none));		/* absent key: != holds */
	ck_assert(!match("tier=gold", none));
	ck_assert(match("tier", gold));
	ck_assert(!match("!tier", gold));
	ck_assert(match("!rack", gold));
	ck_assert(match("env in (dev,prod)", gold));
	ck_assert(!match("env notin (dev,prod)", gold));
	ck_assert(match("env notin (dev)", none));
	ck_assert(!match("env in (dev,prod)", none));
	ck_assert(match("tier=gold,env=prod", gold));	/* all must hold */
	ck_assert(!match("tier=gold,env=dev", gold));
	ck_assert(match("", none));			/* empty selects everything */
	ck_assert(selector_match(NULL, NULL));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("selector");
	TCase *t = tcase_create("selector");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, parse_forms);
	tcase_add_test(t, parse_errors);
	tcase_add_test(t, matching);
	suite_add_tcase(s, t);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
