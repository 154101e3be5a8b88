/*
 * metalbird -- unit tests of the config lexer and the base grammar
 *
 * Lexer: tokens and their positions as errors report them, comments,
 * strings, numbers, addresses, includes (relative to the including file,
 * globs, loops, depth), and that no state leaks from a failed parse into the
 * next.  Grammar: each top-level statement lands in its struct config field,
 * with its default when absent.
 */
#include <check.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "nest/log.h"
#include "nest/pool.h"
#include "nest/protocol.h"

static char err[1024];

static struct config *parse(const char *text)
{
	return config_parse_string("t.conf", text, err, sizeof err);
}

/* Parse text that must fail; returns the error. */
static const char *parse_err(const char *text)
{
	struct config *c = parse(text);
	ck_assert_msg(!c, "parsed, but should fail: %s", text);
	return err;
}

#define ck_fail_with(text, expect) ck_assert_str_eq(parse_err(text), expect)

/* --- lexer -------------------------------------------------------------- */

START_TEST(lex_comments_and_positions)
{
	struct config *c = parse("# hash comment\n/* c\n comment */ router id /* x */ 192.0.2.1; # end\n");
	ck_assert_ptr_nonnull(c);
	ck_assert(c->router_id_set);
	ck_assert_uint_eq(ip4_get(c->router_id), 0xc0000201);
	config_free(c);
	/* the column of a token after a comment on the same line */
	ck_fail_with("/* x */ rooter id 1.2.3.4;", "t.conf:1:9: unknown statement 'rooter'");
	/* tabs count as one column, lines count from 1 */
	ck_fail_with("\n\n\tbogus;", "t.conf:3:2: unknown statement 'bogus'");
	/* a comment is not closed by a nested opener */
	ck_fail_with("router id 1.2.3.4;\n  /* a /* b */ */", "t.conf:2:16: unexpected '*': expected ';', 'router', 'node', 'log', 'debug', 'state', 'metrics', 'peers', 'pool', 'protocol', ...");
}
END_TEST

START_TEST(lex_strings)
{
	struct config *c = parse("node name \"a\\\"b\\\\c\\td\";");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->node_name, "a\"b\\c\td");
	config_free(c);
	ck_fail_with("node name \"abc\n\";", "t.conf:1:11: unterminated string (a string must end with \" on the same line)");
	ck_fail_with("node name \"abc", "t.conf:1:11: unterminated string (a string must end with \" on the same line)");
}
END_TEST

START_TEST(lex_numbers)
{
	struct config *c = parse("pool p { addresses 203.0.113.0/24; priority 0x7fffffff; }");
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->pools->priority, 0x7fffffff);
	config_free(c);
	ck_fail_with("pool p { addresses 203.0.113.0/24; priority 4294967296; }",
		     "t.conf:1:45: number 4294967296 is too big (the largest is 4294967295)");
	ck_fail_with("pool p { addresses 203.0.113.0/24; priority 00000000000000000001; }",
		     "t.conf:1:45: number 00000000000000000001 is too big (the largest is 4294967295)");
}
END_TEST

START_TEST(lex_addresses)
{
	ck_fail_with("router id 1.2.3.256;", "t.conf:1:11: invalid IPv4 address '1.2.3.256'");
	ck_fail_with("router id 1.2.3.4.5;", "t.conf:1:18: unexpected '.' after 'router id 1.2.3.4': expected ';'");
	ck_fail_with("pool p { addresses 2001:db8:::1; }", "t.conf:1:20: invalid IPv6 address '2001:db8:::1'");
	/* an IPv4-mapped IPv6 literal would turn into IPv4 silently */
	ck_fail_with("pool p { addresses ::ffff:203.0.113.0/120; }",
		     "t.conf:1:20: '::ffff:203.0.113.0' is an IPv4-mapped IPv6 address: write the IPv4 address 203.0.113.0 instead");
	struct config *c = parse("pool p { addresses ::203.0.113.0/128, 2001:db8::/64, ::/128; }");
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_int_eq(c->pools->ranges->af, AF_IP6);
	config_free(c);
}
END_TEST

START_TEST(lex_bad_chars)
{
	ck_fail_with("router id 1.2.3.4;\n`", "t.conf:2:1: unexpected character '`'");
	ck_fail_with("router\x01 id", "t.conf:1:7: unexpected character (byte 0x01)");
	ck_fail_with("node name \"x\"; \xc3\xa9", "t.conf:1:16: unexpected character (byte 0xc3)");
}
END_TEST

/* No state of a failed parse leaks into the next one: a parse that ends
 * inside a comment, a string, an include or a block is followed by a parse
 * that must see a clean lexer. */
START_TEST(lex_state_reset_after_error)
{
	const char *bad[] = {
		"/* open comment", "node name \"x", "pool p { addresses", "router id 1.2.3.4 x",
		"pool p { addresses 203.0.113.0/24; } pool q {", "include \"/nonexistent/x.conf\";",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_ptr_null(parse(bad[i]));
		struct config *c = parse("router id 192.0.2.9;\nrooter");
		ck_assert_ptr_null(c);
		ck_assert_str_eq(err, "t.conf:2:1: unknown statement 'rooter'");
		c = parse("router id 192.0.2.9;");
		ck_assert_ptr_nonnull(c);
		config_free(c);
	}
}
END_TEST

/* The parser's stacks outgrow their first space on deep nesting and are
 * then on the heap; an error leaves the parser by longjmp, and what it had
 * allocated must still be freed: repeated failing deep parses do not grow
 * the heap. */
START_TEST(deep_nesting_error_frees_parser_stacks)
{
	enum { DEPTH = 3000 };
	static char text[DEPTH + 64];
	size_t o = (size_t)snprintf(text, sizeof text, "define x = ");
	memset(text + o, '(', DEPTH);
	strcpy(text + o + DEPTH, "1 +");	/* and the file ends */

	struct config *c = parse(text);
	ck_assert_ptr_null(c);
	struct mallinfo2 m = mallinfo2();
	size_t before = m.uordblks + m.hblkhd;	/* big blocks are mmapped */
	for (int i = 0; i < 50; i++)
		ck_assert_ptr_null(parse(text));
	m = mallinfo2();
	size_t after = m.uordblks + m.hblkhd;
	ck_assert_msg(after < before + (1u << 20), "the heap grew by %zu bytes over 50 failed parses",
		      after - before);
	/* and deep nesting that closes is fine */
	o = (size_t)snprintf(text, sizeof text, "define x = ");
	for (int i = 0; i < 300; i++)
		text[o++] = '(';
	text[o++] = '1';
	for (int i = 0; i < 300; i++)
		text[o++] = ')';
	strcpy(text + o, ";");
	c = parse(text);
	ck_assert_msg(c != NULL, "%s", err);
	config_free(c);
}
END_TEST

/* --- includes ------------------------------------------------------------ */

static char tmpdir[256];

static void write_file(const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void mk_tmp(void)
{
	snprintf(tmpdir, sizeof tmpdir, "%s/mb-conf-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	char sub[512];
	snprintf(sub, sizeof sub, "%s/sub", tmpdir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
}

static void rm_tmp(void)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct config *parse_file(const char *rel)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
	return config_parse(path, err, sizeof err);
}

START_TEST(include_relative_and_glob)
{
	mk_tmp();
	write_file("main.conf", "include \"sub/p-*.conf\";\nrouter id 192.0.2.1;\n");
	write_file("sub/p-2.conf", "pool two { addresses 198.51.100.0/24; }\n");
	write_file("sub/p-1.conf", "pool one { addresses 203.0.113.0/24; }\ninclude \"name.inc\";\n");
	write_file("sub/name.inc", "node name \"inc\";\n");
	struct config *c = parse_file("main.conf");
	ck_assert_msg(c != NULL, "%s", err);
	/* glob matches in name order, nested include relative to sub/ */
	ck_assert_str_eq(c->pools->name, "one");
	ck_assert_str_eq(c->pools->next->name, "two");
	ck_assert_str_eq(c->node_name, "inc");
	ck_assert(c->router_id_set);
	config_free(c);
	rm_tmp();
}
END_TEST

START_TEST(include_errors)
{
	char want[1024];

	mk_tmp();
	/* an error inside an included file names that file */
	write_file("main.conf", "router id 192.0.2.1;\ninclude \"sub/bad.conf\";\n");
	write_file("sub/bad.conf", "\n  bogus;\n");
	ck_assert_ptr_null(parse_file("main.conf"));
	snprintf(want, sizeof want, "%s/sub/bad.conf:2:3: unknown statement 'bogus'", tmpdir);
	ck_assert_str_eq(err, want);
	/* a missing file is reported at the include */
	write_file("main.conf", "router id 192.0.2.1;\n  include \"none.conf\";\n");
	ck_assert_ptr_null(parse_file("main.conf"));
	snprintf(want, sizeof want, "%s/main.conf:2:3: cannot read '%s/none.conf': No such file or directory",
		 tmpdir, tmpdir);
	ck_assert_str_eq(err, want);
	/* a glob without a match is fine */
	write_file("main.conf", "include \"sub/none-*.conf\";\nrouter id 192.0.2.1;\n");
	struct config *c = parse_file("main.conf");
	ck_assert_msg(c != NULL, "%s", err);
	config_free(c);
	/* a file that includes itself */
	write_file("main.conf", "include \"main.conf\";\n");
	ck_assert_ptr_null(parse_file("main.conf"));
	ck_assert_msg(strstr(err, "include loop") != NULL, "%s", err);
	/* the same file read twice in a row is no loop */
	write_file("main.conf", "include \"sub/name.inc\";\ninclude \"sub/name.inc\";\n");
	write_file("sub/name.inc", "node name \"x\";\n");
	c = parse_file("main.conf");
	ck_assert_msg(c != NULL, "%s", err);
	config_free(c);
	rm_tmp();
}
END_TEST

/* --- grammar: top-level statements --------------------------------------- */

START_TEST(grammar_defaults)
{
	struct config *c = parse("");
	ck_assert_ptr_nonnull(c);
	ck_assert(!c->router_id_set);
	ck_assert_ptr_null(c->node_name);
	ck_assert_ptr_null(c->logs);
	ck_assert_uint_eq(c->debug_protos, 0);
	ck_assert_str_eq(c->state_dir, "/var/lib/metalbird");
	ck_assert_int_eq(c->metrics_port, 0);
	ck_assert_ptr_null(c->peers_file);
	ck_assert_ptr_null(c->pools);
	/* only protocols the core runs by default (SPEC: implicit protocol l2) */
	for (struct proto_config *p = c->protos; p; p = p->next)
		ck_assert_msg(p->class->implicit_unless != NULL, "protocol %s in an empty config", p->name);
	config_free(c);
}
END_TEST

START_TEST(grammar_top_level)
{
	struct config *c = parse(
		"router id 192.0.2.10;\n"
		"node name \"node-1\";\n"
		"log stderr all;\n"
		"log syslog { info, warning, error };\n"
		"log \"/tmp/x.log\" { bug };\n"
		"debug protocols { states, events };\n"
		"state dir \"/srv/mb\";\n"
		"metrics listen ::1 port 7472;\n"
		"peers file \"/etc/mb/peers.conf\";\n");
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(ip4_get(c->router_id), 0xc000020a);
	ck_assert_str_eq(c->node_name, "node-1");
	struct log_cfg *l = c->logs;
	ck_assert_int_eq(l->type, LOG_T_STDERR);
	ck_assert_uint_eq(l->mask, ~0u);
	l = l->next;
	ck_assert_int_eq(l->type, LOG_T_SYSLOG);
	ck_assert_uint_eq(l->mask, 1u << L_INFO | 1u << L_WARN | 1u << L_ERR);
	l = l->next;
	ck_assert_int_eq(l->type, LOG_T_FILE);
	ck_assert_str_eq(l->path, "/tmp/x.log");
	ck_assert_uint_eq(l->mask, 1u << L_BUG);
	ck_assert_ptr_null(l->next);
	ck_assert_uint_eq(c->debug_protos, D_STATES | D_EVENTS);
	ck_assert_str_eq(c->state_dir, "/srv/mb");
	ck_assert_int_eq(c->metrics_port, 7472);
	ck_assert_int_eq(ip_af(c->metrics_addr), AF_IP6);
	ck_assert_str_eq(c->peers_file, "/etc/mb/peers.conf");
	config_free(c);

	c = parse("debug protocols all;");
	ck_assert_uint_eq(c->debug_protos, D_ALL);
	config_free(c);
	c = parse("debug protocols all; debug protocols off;");
	ck_assert_uint_eq(c->debug_protos, 0);
	config_free(c);
}
END_TEST

/* Relative paths are relative to the main file's directory (SPEC 3). */
START_TEST(grammar_relative_paths)
{
	char p[600];

	mk_tmp();
	write_file("main.conf", "state dir \"st\";\npeers file \"peers.conf\";\nlog \"mb.log\" all;\n");
	struct config *c = parse_file("main.conf");
	ck_assert_msg(c != NULL, "%s", err);
	snprintf(p, sizeof p, "%s/st", tmpdir);
	ck_assert_str_eq(c->state_dir, p);
	snprintf(p, sizeof p, "%s/peers.conf", tmpdir);
	ck_assert_str_eq(c->peers_file, p);
	snprintf(p, sizeof p, "%s/mb.log", tmpdir);
	ck_assert_str_eq(c->logs->path, p);
	config_free(c);
	/* the peers file is read as if included at the end */
	write_file("main.conf", "peers file \"peers.conf\";\npool a { addresses 203.0.113.0/24; }\n");
	write_file("peers.conf", "pool b { addresses 203.0.113.128/25; }\n");
	ck_assert_ptr_null(parse_file("main.conf"));
	ck_assert_msg(strstr(err, "peers.conf:1:20: pool 'b' addresses") != NULL, "%s", err);
	rm_tmp();
}
END_TEST

START_TEST(grammar_errors)
{
	ck_fail_with("router id 2001:db8::1;", "t.conf:1:11: router id must be an IPv4 address (a 32-bit identifier), not IPv6");
	ck_fail_with("router id 0.0.0.0;", "t.conf:1:11: router id 0.0.0.0 is not allowed: give a non-zero IPv4 address");
	ck_fail_with("metrics listen 127.0.0.1 port 0;", "t.conf:1:31: port 0 is out of range (1-65535)");
	ck_fail_with("metrics listen 127.0.0.1 port 65536;", "t.conf:1:31: port 65536 is out of range (1-65535)");
	ck_fail_with("node name \"\";", "t.conf:1:11: node name must not be empty");
	ck_fail_with("router id 192.0.2.1\nnode name \"x\";", "t.conf:2:1: missing ';' before 'node'");
	ck_fail_with("router id 192.0.2.1 \"x\";", "t.conf:1:21: missing ';' before '\"x\"'");
	ck_fail_with("router id", "t.conf:1:10: unexpected end of file after 'router id': expected an IPv4 address or an IPv6 address");
	ck_fail_with("pool p {\n\taddresses 203.0.113.0/24;\n", "t.conf:3:1: unexpected end of file in pool p: missing '}' to close the block opened at line 1");
	ck_fail_with("pool p {\n\tadresses 203.0.113.0/24;\n}", "t.conf:2:2: unknown option 'adresses' in pool p");
	ck_fail_with("pool p {\n\tauto asign no;\n}", "t.conf:2:7: unknown option 'auto asign' in pool p");
	ck_fail_with("pool p { addresses 203.0.113.0/24; auto assign maybe; }", "t.conf:1:48: 'maybe' is not a yes/no value: write yes, no, on, off, true or false");
	ck_fail_with("protocol static s { node selektor \"a\"; }", "t.conf:1:26: unknown option 'node selektor' in protocol static");
	ck_fail_with("protocol nosuch x { }", "t.conf:1:10: unknown protocol type 'nosuch'");
	ck_fail_with("define x = 1; define x = 2;", "t.conf:1:22: 'x' is already defined as a constant at t.conf:1:8");
	ck_fail_with("define x == 1;", "t.conf:1:10: '==' is not an operator here: write '=' (it both compares and assigns)");
	ck_fail_with("}", "t.conf:1:1: unexpected '}': no block is open here");
}
END_TEST

START_TEST(grammar_protocols)
{
	struct config *c = parse(
		"template static t { description \"d\"; debug { states }; }\n"
		"protocol static a from t { route 203.0.113.0/24; }\n"
		"protocol static { disabled; route 198.51.100.0/24; }\n");
	ck_assert_msg(c != NULL, "%s", err);
	struct proto_config *p = c->protos;
	ck_assert_str_eq(p->name, "a");
	ck_assert_str_eq(p->description, "d");
	ck_assert_uint_eq(p->debug, D_STATES);
	ck_assert(!p->disabled);
	p = p->next;
	ck_assert_str_eq(p->name, "static1");
	ck_assert(p->disabled);
	/* (the core may add a protocol of its own, never another static one) */
	ck_assert(!p->next || strcmp(p->next->class->name, "static"));
	config_free(c);
	ck_fail_with("protocol static a { }\nprotocol static a { }",
		     "t.conf:2:17: 'a' is already defined as a protocol at t.conf:1:17");
	ck_fail_with("protocol static a from nosuch { }", "t.conf:1:24: unknown template 'nosuch'");
	ck_fail_with("template static { }", "t.conf:1:1: a template needs a name: template static NAME { ... }");
	ck_fail_with("protocol static a { route 203.0.113.0/24; route 203.0.113.0/24; }",
		     "t.conf:1:49: route 203.0.113.0/24 is already given at line 1");
}
END_TEST

/* The canonical dump parses back to the same dump. */
START_TEST(grammar_dump_round_trip)
{
	const char *text =
		"router id 192.0.2.10; node name \"n\"; log stderr { info, error }; debug protocols all;\n"
		"metrics listen 127.0.0.1 port 9; state dir \"/s\";\n"
		"pool p { addresses 203.0.113.0/24, 198.51.100.1-198.51.100.9, 2001:db8::/64;\n"
		"  auto assign no; avoid buggy ips yes; aggregation length 32, 24; aggregation length6 64;\n"
		"  namespaces \"a\", \"b\"; service selector \"x=y\"; priority 3; }\n"
		"protocol static s { description \"q \\\"quoted\\\" back\\\\slash\\ttab\\nnewline\"; route 203.0.113.7/32;\n"
		"  node selector \"r in (a,b)\"; export none; }\n"
		"peers file \"/x/p\\\"q.conf\";\n";
	char *d1 = NULL, *d2 = NULL;
	size_t n1 = 0, n2 = 0;
	struct config *c = parse(text);
	ck_assert_msg(c != NULL, "%s", err);
	FILE *f = open_memstream(&d1, &n1);
	config_dump(f, c);
	fclose(f);
	config_free(c);
	c = parse(d1);
	ck_assert_msg(c != NULL, "%s\n%s", err, d1);
	f = open_memstream(&d2, &n2);
	config_dump(f, c);
	fclose(f);
	config_free(c);
	ck_assert_str_eq(d1, d2);
	ck_assert_ptr_nonnull(strstr(d1, "\taddresses 198.51.100.1-198.51.100.9;\n"));
	/* strings come back escaped, so that they read the same */
	ck_assert_ptr_nonnull(strstr(d1, "\tdescription \"q \\\"quoted\\\" back\\\\slash\\ttab\\nnewline\";\n"));
	ck_assert_ptr_nonnull(strstr(d1, "peers file \"/x/p\\\"q.conf\";\n"));
	free(d1);
	free(d2);
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *t = tcase_create("lexer");
	tcase_add_test(t, lex_comments_and_positions);
	tcase_add_test(t, lex_strings);
	tcase_add_test(t, lex_numbers);
	tcase_add_test(t, lex_addresses);
	tcase_add_test(t, lex_bad_chars);
	tcase_add_test(t, lex_state_reset_after_error);
	tcase_add_test(t, deep_nesting_error_frees_parser_stacks);
	tcase_add_test(t, include_relative_and_glob);
	tcase_add_test(t, include_errors);
	suite_add_tcase(s, t);
	t = tcase_create("grammar");
	tcase_add_test(t, grammar_defaults);
	tcase_add_test(t, grammar_top_level);
	tcase_add_test(t, grammar_relative_paths);
	tcase_add_test(t, grammar_errors);
	tcase_add_test(t, grammar_protocols);
	tcase_add_test(t, grammar_dump_round_trip);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(conf_suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
