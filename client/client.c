/*
 * metalbirdc -- the control client of metalbird
 *
 *   metalbirdc [-s SOCKET] [-l] [-r] [-v] [COMMAND ...]
 *
 * With a COMMAND it sends that one line, prints the reply without its codes
 * and exits 0, 1 on an error reply (or a broken connection), 2 when no
 * session could be had.  Without one it reads commands: with readline when
 * stdin is a terminal (rl.c), else line by line, as a script would feed it.
 */
#include "client/client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/cmdline.h"
#include "nest/cmdtab.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: metalbirdc [-s SOCKET] [-l] [-r] [-v] [COMMAND ...]\n"
		"  -s SOCKET  control socket (default " CLIENT_DEFAULT_SOCKET ")\n"
		"  -l         use " CLIENT_LOCAL_SOCKET "\n"
		"  -r         restricted: only read-only commands\n"
		"  -v         show the raw reply lines with their codes\n"
		"  -h         this help\n"
		"Without a COMMAND, commands are read from the terminal or stdin.\n");
}

/* Send one command and print its reply. */
static int run_one(struct conn *c, const char *cmd, int verbose)
{
	if (conn_send(c, cmd) < 0)
		return CONN_ELOST;
	return conn_reply(c, client_print_line, &verbose);
}

/* Commands from stdin that is not a terminal: no prompt, no greeting. */
static int batch_main(struct conn *c, int verbose)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int status = CLIENT_EXIT_OK;

	while ((n = getline(&line, &cap, stdin)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = 0;
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = 0;
		if (cmdline_blank(line))
			continue;
		if (cmdline_is(line, "exit") || cmdline_is(line, "quit"))
			break;
		if ((size_t)n >= CMD_MAX_LINE) {
			fprintf(stderr, "metalbirdc: command too long\n");
			status = CLIENT_EXIT_ERROR;
			continue;
		}
		int r = run_one(c, line, verbose);
		if (r == CONN_ELOST) {
			status = CLIENT_EXIT_ERROR;
			break;
		}
		if (r == CONN_EREPLY)
			status = CLIENT_EXIT_ERROR;
	}
	free(line);
	return status;
}

int main(int argc, char *argv[])
{
	const char *path = NULL;
	int local = 0, restricted = 0, verbose = 0, opt;
	static struct conn c;

	/* '+': the first word that is not an option starts the command */
	while ((opt = getopt(argc, argv, "+s:lrvh")) != -1) {
		switch (opt) {
		case 's':
			path = optarg;
			break;
		case 'l':
			local = 1;
			break;
		case 'r':
			restricted = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return CLIENT_EXIT_OK;
		default:
			usage(stderr);
			return CLIENT_EXIT_ERROR;
		}
	}
	/* -s wins over -l, whatever their order */
	if (!path)
		path = local ? CLIENT_LOCAL_SOCKET : CLIENT_DEFAULT_SOCKET;
	conn_init(&c, path, restricted);

	if (optind < argc) {
		static char cmd[CMD_MAX_LINE];
		const char *err;

		if (cmdline_join(argc - optind, argv + optind, cmd, sizeof cmd, &err) < 0) {
			fprintf(stderr, "metalbirdc: %s\n", err);
			return CLIENT_EXIT_ERROR;
		}
		if (cmdline_is(cmd, "exit") || cmdline_is(cmd, "quit"))
			return CLIENT_EXIT_OK;
		if (conn_open(&c, verbose ? client_print_line : NULL, &verbose) < 0)
			return CLIENT_EXIT_CONNECT;
		int r = run_one(&c, cmd, verbose);
		conn_close(&c);
		return r == CONN_OK ? CLIENT_EXIT_OK : CLIENT_EXIT_ERROR;
	}

	if (isatty(STDIN_FILENO))
		return ia_main(&c, verbose);

	if (conn_open(&c, verbose ? client_print_line : NULL, &verbose) < 0)
		return CLIENT_EXIT_CONNECT;
	int status = batch_main(&c, verbose);
	conn_close(&c);
	return status;
}
