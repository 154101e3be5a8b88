/*
 * Unit tests of the client's session code (client/conn.c) against a scripted
 * daemon: a child process on a Unix socket in a temporary directory that
 * greets, checks the lines it receives and answers with canned replies.  The
 * tests cover the greeting, restricted mode, error replies, a daemon that
 * closes mid-reply, replies handed on line by line before they end, and how
 * client_print_line renders lines.  Every wait is bounded by Check's per-test
 * timeout and by the child's own alarm.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client/client.h"

static char dir[64];
static char path[96];
static pid_t child;
static int listen_fd = -1;
static int sync_pipe[2];	/* parent -> child: "go on" */

/* --- the scripted daemon ---------------------------------------------------- */

static void child_write(int fd, const char *s)
{
	size_t n = strlen(s);
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w <= 0)
			_exit(90);
		s += w;
		n -= (size_t)w;
	}
}

/* Read one line; exit with 91 unless it is what we expect. */
static void child_expect(int fd, const char *want)
{
	char line[512];
	size_t n = 0;

	for (;;) {
		char ch;
		ssize_t r = read(fd, &ch, 1);
		if (r <= 0)
			_exit(92);
		if (ch == '\n')
			break;
		if (n + 1 < sizeof line)
			line[n++] = ch;
	}
	line[n] = 0;
	if (strcmp(line, want))
		_exit(91);
}

typedef void (*script_fn)(int fd);

/* Start the daemon; it serves one connection with script. */
static void serve(script_fn script)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(listen_fd, 0);
	ck_assert_int_eq(bind(listen_fd, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(listen(listen_fd, 1), 0);
	ck_assert_int_eq(pipe(sync_pipe), 0);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		alarm(10);
		close(sync_pipe[1]);
		int fd = accept(listen_fd, NULL, NULL);
		if (fd < 0)
			_exit(93);
		script(fd);
		close(fd);
		_exit(0);
	}
	close(sync_pipe[0]);
	close(listen_fd);
	listen_fd = -1;
}

/* Wait for the daemon; its exit status says whether it saw what it expected. */
static int served(void)
{
	int st;

	close(sync_pipe[1]);
	ck_assert_int_eq(waitpid(child, &st, 0), child);
	unlink(path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100;
}

static void setup(void)
{
	strcpy(dir, "/tmp/mbc-conn-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/mb.ctl", dir);
}

static void teardown(void)
{
	unlink(path);
	rmdir(dir);
}

/* --- what the client saw ------------------------------------------------------ */

struct seen {
	int n;
	int code[32];
	int final[32];
	char text[32][128];
};

static void collect(const struct reply_line *l, void *arg)
{
	struct seen *s = arg;

	ck_assert_int_lt(s->n, 32);
	s->code[s->n] = l->code;
	s->final[s->n] = l->final;
	snprintf(s->text[s->n], sizeof s->text[0], "%.*s", (int)l->len, l->text);
	s->n++;
}

/* --- scripts and tests -------------------------------------------------------- */

static void script_status(int fd)
{
	child_write(fd, "0001 metalbird 0.1.0 ready.\n");
	child_expect(fd, "show status");
	child_write(fd, "1000-metalbird 0.1.0\n1011-Router ID is 192.0.2.1\n Node name is n1\n");
	child_write(fd, "0013 Daemon is up and running\n");
	child_expect(fd, "frob");
	child_write(fd, "9001 unknown command 'frob'\n");
	/* stay connected until the parent has checked conn_alive() */
	char b;
	if (read(sync_pipe[0], &b, 1) != 0)
		_exit(96);
}

START_TEST(test_command_and_error)
{
	struct conn c;
	struct seen g = { 0 }, s = { 0 };

	serve(script_status);
	conn_init(&c, path, 0);
	ck_assert_int_eq(conn_open(&c, collect, &g), 0);
	ck_assert_int_eq(g.n, 1);
	ck_assert_int_eq(g.code[0], 1);
	ck_assert_str_eq(g.text[0], "metalbird 0.1.0 ready.");

	ck_assert_int_eq(conn_send(&c, "show status"), 0);
	ck_assert_int_eq(conn_reply(&c, collect, &s), CONN_OK);
	ck_assert_int_eq(s.n, 4);
	ck_assert_int_eq(s.code[2], 1011);
	ck_assert_str_eq(s.text[2], "Node name is n1");
	ck_assert_int_eq(s.final[3], 1);
	ck_assert_int_eq(s.code[3], 13);

	s.n = 0;
	ck_assert_int_eq(conn_send(&c, "frob"), 0);
	ck_assert_int_eq(conn_reply(&c, collect, &s), CONN_EREPLY);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_eq(s.code[0], 9001);
	ck_assert(conn_alive(&c));
	conn_close(&c);
	ck_assert_int_eq(served(), 0);
}
END_TEST

static void script_restrict(int fd)
{
	child_write(fd, "0001 metalbird 0.1.0 ready.\n");
	child_expect(fd, "restrict");
	child_write(fd, "0016 Access restricted\n");
	child_expect(fd, "show pools");
	child_write(fd, "0000 \n");
}

START_TEST(test_restricted)
{
	struct conn c;

	serve(script_restrict);
	conn_init(&c, path, 1);
	ck_assert_int_eq(conn_open(&c, NULL, NULL), 0);
	ck_assert_int_eq(conn_send(&c, "show pools"), 0);
	ck_assert_int_eq(conn_reply(&c, NULL, NULL), CONN_OK);
	conn_close(&c);
	ck_assert_int_eq(served(), 0);
}
END_TEST

/* A daemon that does not confirm restricted mode is not used. */
static void script_no_restrict(int fd)
{
	child_write(fd, "0001 metalbird 0.1.0 ready.\n");
	child_expect(fd, "restrict");
	child_write(fd, "9001 unknown command 'restrict'\n");
	char b;
	if (read(fd, &b, 1) != 0)	/* the client must hang up, not go on */
		_exit(94);
}

START_TEST(test_restrict_refused)
{
	struct conn c;

	serve(script_no_restrict);
	conn_init(&c, path, 1);
	ck_assert_int_eq(conn_open(&c, NULL, NULL), -1);
	ck_assert_int_eq(c.fd, -1);
	ck_assert_int_eq(served(), 0);
}
END_TEST

static void script_bad_greeting(int fd)
{
	child_write(fd, "8007 Too many connections\n");
}

START_TEST(test_greeting_refused)
{
	struct conn c;

	serve(script_bad_greeting);
	conn_init(&c, path, 0);
	ck_assert_int_eq(conn_open(&c, NULL, NULL), -1);
	ck_assert_int_eq(c.fd, -1);
	ck_assert_int_eq(served(), 0);
}
END_TEST

/* A daemon that accepts but never greets: the client gives up. */
static void script_silent(int fd)
{
	char b;

	if (read(sync_pipe[0], &b, 1) != 0)
		_exit(97);
}

START_TEST(test_silent_daemon)
{
	struct conn c;

	serve(script_silent);
	conn_init(&c, path, 0);
	c.setup_wait_ms = 200;
	ck_assert_int_eq(conn_open(&c, NULL, NULL), -1);
	ck_assert_int_eq(c.fd, -1);
	ck_assert_int_eq(c.wait_ms, 0);
	ck_assert_int_eq(served(), 0);
}
END_TEST

START_TEST(test_no_daemon)
{
	struct conn c;

	conn_init(&c, path, 0);
	ck_assert_int_eq(conn_open(&c, NULL, NULL), -1);
	conn_init(&c, "/tmp/mbc-nonexistent-dir/x/y.ctl", 0);
	ck_assert_int_eq(conn_open(&c, NULL, NULL), -1);
	/* longer than sun_path */
	static char longpath[300];
	memset(longpath, 'a', sizeof longpath - 1);
	conn_init(&c, longpath, 0);
	ck_assert_int_eq(conn_open(&c, NULL, NULL), -1);
}
END_TEST

static void script_die(int fd)
{
	child_write(fd, "0001 metalbird 0.1.0 ready.\n");
	child_expect(fd, "show route");
	child_write(fd, "1007-Table master4:\n 192.0.2.10/32  unicast\n 198.51");
}

START_TEST(test_closed_mid_reply)
{
	struct conn c;
	struct seen s = { 0 };

	serve(script_die);
	conn_init(&c, path, 0);
	ck_assert_int_eq(conn_open(&c, NULL, NULL), 0);
	ck_assert_int_eq(conn_send(&c, "show route"), 0);
	ck_assert_int_eq(conn_reply(&c, collect, &s), CONN_ELOST);
	ck_assert_int_eq(s.n, 2);	/* the whole lines, not the half one */
	ck_assert_int_eq(c.fd, -1);
	ck_assert_int_eq(served(), 0);
}
END_TEST

/* The daemon sends the rest of the reply only after the client has seen
 * the first line: a client that waited for the whole reply would hang. */
static void script_stream(int fd)
{
	char b;

	child_write(fd, "0001 metalbird 0.1.0 ready.\n");
	child_expect(fd, "show route");
	child_write(fd, "1007-first\n");
	if (read(sync_pipe[0], &b, 1) != 1)
		_exit(95);
	child_write(fd, " second\n0000 \n");
}

static void stream_line(const struct reply_line *l, void *arg)
{
	struct seen *s = arg;

	collect(l, arg);
	if (s->n == 1)
		ck_assert_int_eq(write(sync_pipe[1], "g", 1), 1);
}

START_TEST(test_streaming)
{
	struct conn c;
	struct seen s = { 0 };

	serve(script_stream);
	conn_init(&c, path, 0);
	ck_assert_int_eq(conn_open(&c, NULL, NULL), 0);
	ck_assert_int_eq(conn_send(&c, "show route"), 0);
	ck_assert_int_eq(conn_reply(&c, stream_line, &s), CONN_OK);
	ck_assert_int_eq(s.n, 3);
	ck_assert_str_eq(s.text[1], "second");
	conn_close(&c);
	ck_assert_int_eq(served(), 0);
}
END_TEST

/* Two replies in one read: the second waits for the second command. */
static void script_pipelined(int fd)
{
	child_write(fd, "0001 metalbird 0.1.0 ready.\n1000-a\n0000 \n");
	child_expect(fd, "one");
	child_expect(fd, "two");
	child_write(fd, "0003 Reconfigured\n");
}

START_TEST(test_leftover)
{
	struct conn c;
	struct seen s = { 0 };

	serve(script_pipelined);
	conn_init(&c, path, 0);
	ck_assert_int_eq(conn_open(&c, NULL, NULL), 0);
	ck_assert_int_eq(conn_send(&c, "one"), 0);
	ck_assert_int_eq(conn_reply(&c, collect, &s), CONN_OK);
	ck_assert_int_eq(s.n, 2);
	ck_assert_str_eq(s.text[0], "a");
	ck_assert_int_eq(conn_send(&c, "two"), 0);
	ck_assert_int_eq(conn_reply(&c, collect, &s), CONN_OK);
	ck_assert_int_eq(s.n, 3);
	ck_assert_int_eq(s.code[2], 3);
	conn_close(&c);
	ck_assert_int_eq(served(), 0);
}
END_TEST

static void script_hangup(int fd)
{
	child_write(fd, "0001 metalbird 0.1.0 ready.\n");
}

START_TEST(test_alive)
{
	struct conn c;

	serve(script_hangup);
	conn_init(&c, path, 0);
	ck_assert_int_eq(conn_open(&c, NULL, NULL), 0);
	ck_assert_int_eq(served(), 0);	/* the daemon is gone */
	ck_assert_int_eq(conn_alive(&c), 0);
	ck_assert_int_eq(c.fd, -1);
	ck_assert_int_eq(conn_send(&c, "show status"), -1);
}
END_TEST

/* --- rendering ------------------------------------------------------------------ */

/* Run lines through client_print_line with stdout sent to a file. */
static void render(const char *input, int raw, char *out, size_t len)
{
	struct reply_parser p;
	struct reply_line l;
	char tmpl[] = "/tmp/mbc-out-XXXXXX";
	int fd = mkstemp(tmpl), saved;
	size_t used, off = 0, n = strlen(input);

	ck_assert_int_ge(fd, 0);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	reply_init(&p);
	while (off < n && reply_feed(&p, input + off, n - off, &used, &l)) {
		off += used;
		client_print_line(&l, &raw);
	}
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	ssize_t r = pread(fd, out, len - 1, 0);
	ck_assert_int_ge(r, 0);
	out[r] = 0;
	close(fd);
	unlink(tmpl);
}

START_TEST(test_render)
{
	char out[1024];
	const char *in = "2002-Name  Proto\n1002-tor1  BGP\n tor2  BGP\n+log\n?bad\n0000 \n";

	render(in, 0, out, sizeof out);
	ck_assert_str_eq(out, "Name  Proto\ntor1  BGP\ntor2  BGP\n>>> log\n??? <?bad>\n");
	render(in, 1, out, sizeof out);
	ck_assert_str_eq(out, "2002-Name  Proto\n1002-tor1  BGP\n tor2  BGP\n+log\n?bad\n0000 \n");
	render("0003 Reconfigured\n", 0, out, sizeof out);
	ck_assert_str_eq(out, "Reconfigured\n");
	render("0000 OK\n", 0, out, sizeof out);
	ck_assert_str_eq(out, "OK\n");
}
END_TEST

static Suite *conn_suite(void)
{
	Suite *s = suite_create("client_conn");
	TCase *tc = tcase_create("session");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_command_and_error);
	tcase_add_test(tc, test_restricted);
	tcase_add_test(tc, test_restrict_refused);
	tcase_add_test(tc, test_greeting_refused);
	tcase_add_test(tc, test_silent_daemon);
	tcase_add_test(tc, test_no_daemon);
	tcase_add_test(tc, test_closed_mid_reply);
	tcase_add_test(tc, test_streaming);
	tcase_add_test(tc, test_leftover);
	tcase_add_test(tc, test_alive);
	tcase_add_test(tc, test_render);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(conn_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
