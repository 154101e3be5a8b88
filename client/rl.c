/*
 * metalbirdc -- interactive use with GNU readline
 *
 * Line editing and history (~/.metalbirdc_history), TAB completion and the
 * `?` key.  What may be typed is decided by complete.c from the shared
 * command table; the names of protocols, pools and Services come from the
 * daemon (`show symbols protocol|pool|service`, one `1010` line per name)
 * when the cursor stands where one fits.  Only readline's public API is used.
 */
#include "client/client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "client/cmdline.h"
#include "client/complete.h"

#define RL_PROMPT "metalbird> "
#define RL_HISTORY ".metalbirdc_history"
#define RL_HISTORY_LINES 1000
#define IA_HELP_COLUMN 40	/* where `?` prints the help text */

static struct conn *ia_conn;		/* the session, for fetching names */
static struct compl_list ia_cands;	/* candidates of the current TAB */
static char ia_breaks[] = " \t";	/* words are what the tokenizer splits */
static char ia_quotes[] = "\"";	/* a file name may be in a string */

/* --- names from the daemon ----------------------------------------------- */

struct name_ctx {
	const char *prefix;	/* of the word being completed */
};

/* A `1010` line is `NAME<spaces>KIND`: keep NAME. */
static void take_name(const struct reply_line *l, void *arg)
{
	struct name_ctx *nc = arg;

	if (l->code != 1010 || (l->kind != REPLY_MORE && l->kind != REPLY_LAST && l->kind != REPLY_CONT))
		return;
	const char *t = l->text;
	while (*t == ' ' || *t == '\t')
		t++;
	size_t n = strcspn(t, " \t");
	if (n)
		compl_list_add(&ia_cands, t, n, nc->prefix);
}

static void fetch_names(const char *what, const char *prefix)
{
	char cmd[64];
	struct name_ctx nc = { prefix };

	if (!ia_conn || !conn_alive(ia_conn))
		return;		/* the next command reconnects */
	snprintf(cmd, sizeof cmd, "show symbols %s", what);
	/* an error reply (an older daemon) just gives no names; a lost
	 * connection is said once and the next command reconnects */
	if (conn_send(ia_conn, cmd) == 0)
		conn_reply(ia_conn, take_name, &nc);
}

/* --- TAB ------------------------------------------------------------------ */

static char *ia_generate(const char *text, int state)
{
	static int i;

	(void)text;	/* ia_cands holds only words that fit it */
	if (!state)
		i = 0;
	if (i < ia_cands.n)
		return strdup(ia_cands.v[i++]);
	return NULL;
}

static char **ia_complete(const char *text, int start, int end)
{
	struct compl_ctx cx;

	(void)start;
	rl_attempted_completion_over = 1;	/* never fall back to file names */
	compl_list_init(&ia_cands);
	if (compl_analyze(rl_line_buffer, (size_t)end, &cx, &ia_cands) < 0)
		return NULL;
	if (cx.want & CMD_ARG_FILE) {
		/* readline closes the quote after a unique match */
		return rl_completion_matches(text, rl_filename_completion_function);
	}
	if (cx.ntok == 0) {
		compl_list_add(&ia_cands, "exit", 4, cx.prefix);
		compl_list_add(&ia_cands, "quit", 4, cx.prefix);
	}
	if (cx.want & CMD_ARG_PROTO)
		fetch_names("protocol", cx.prefix);
	if (cx.want & CMD_ARG_POOL)
		fetch_names("pool", cx.prefix);
	if (cx.want & CMD_ARG_SERVICE)
		fetch_names("service", cx.prefix);
	if (!ia_cands.n)
		return NULL;
	return rl_completion_matches(text, ia_generate);
}

/* --- ? --------------------------------------------------------------------- */

static void ia_help_one(const struct cmd_def *d, void *arg)
{
	char syn[512];

	(void)arg;
	/* as the daemon's `help` writes it */
	snprintf(syn, sizeof syn, "%s%s%s%s", d->words, *d->args ? " " : "", d->args,
		 d->flags & CMD_JSON ? " [json]" : "");
	if (strlen(syn) < IA_HELP_COLUMN)
		fprintf(rl_outstream, "%-*s %s\n", IA_HELP_COLUMN, syn, d->help);
	else
		fprintf(rl_outstream, "%s\n%-*s %s\n", syn, IA_HELP_COLUMN, "", d->help);
}

static int ia_help_key(int count, int key)
{
	/* a `?` in a string, or a count, is just a `?` */
	if (count != 1 || compl_in_string(rl_line_buffer, (size_t)rl_point))
		return rl_insert(count, key);

	/* list below the whole line, then show it again as it was */
	int point = rl_point;
	rl_point = rl_end;
	rl_redisplay();
	rl_point = point;
	rl_crlf();
	int n = compl_help(rl_line_buffer, (size_t)rl_point, ia_help_one, NULL);
	if (n && cmdline_blank(rl_line_buffer))
		fprintf(rl_outstream, "%-*s %s\n", IA_HELP_COLUMN, "exit, quit", "Leave metalbirdc");
	if (!n)
		fprintf(rl_outstream, "No such command.\n");
	fflush(rl_outstream);
	rl_on_new_line();
	rl_redisplay();
	return 0;
}

/* --- Ctrl-C ------------------------------------------------------------------ */

/* Ctrl-C drops the line being typed, or the reply being printed, as in a
 * shell, instead of ending the client. */
static void ia_sigint(int sig)
{
	(void)sig;
	conn_interrupt = 1;
}

/* Called by readline when a signal interrupted its read. */
static int ia_signal_hook(void)
{
	if (conn_interrupt) {
		conn_interrupt = 0;
		rl_replace_line("", 0);
		rl_crlf();
		rl_on_new_line();
		rl_redisplay();
	}
	return 0;
}

static void ia_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = ia_sigint;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: a read must return EINTR */
	sigaction(SIGINT, &sa, NULL);
	rl_signal_event_hook = ia_signal_hook;
}

/* --- the loop -------------------------------------------------------------- */

static char *history_path(void)
{
	const char *home = getenv("HOME");
	char *p;

	if (!home || !*home)
		return NULL;
	if (asprintf(&p, "%s/%s", home, RL_HISTORY) < 0)
		return NULL;
	return p;
}

int ia_main(struct conn *c, int verbose)
{
	char *hist = history_path(), *line;
	int status = CLIENT_EXIT_OK;

	ia_conn = c;
	/* the greeting is worth showing to a person */
	if (conn_open(c, client_print_line, &verbose) < 0) {
		free(hist);
		return CLIENT_EXIT_CONNECT;
	}

	ia_signals();
	compl_restrict(c->restricted);
	rl_readline_name = "metalbirdc";
	rl_attempted_completion_function = ia_complete;
	rl_completer_word_break_characters = ia_breaks;
	rl_completer_quote_characters = ia_quotes;
	rl_bind_key('?', ia_help_key);
	using_history();
	stifle_history(RL_HISTORY_LINES);
	if (hist)
		read_history(hist);	/* none yet is fine */

	while ((line = readline(RL_PROMPT))) {
		if (cmdline_blank(line)) {
			free(line);
			continue;
		}
		add_history(line);
		if (hist)
			write_history(hist);	/* a failure costs only history */
		if (cmdline_is(line, "exit") || cmdline_is(line, "quit")) {
			free(line);
			break;
		}
		if (strlen(line) >= CMD_MAX_LINE) {
			fprintf(stderr, "metalbirdc: command too long\n");
			free(line);
			continue;
		}
		/* after the daemon went away (a restart, `down`), try again */
		if (c->fd >= 0 && !conn_alive(c))
			fprintf(stderr, "metalbirdc: connection closed by the daemon, reconnecting\n");
		if (c->fd < 0 && conn_open(c, client_print_line, &verbose) < 0) {
			free(line);
			continue;
		}
		conn_interrupt = 0;	/* a Ctrl-C from before is spent */
		if (conn_send(c, line) == 0)
			conn_reply(c, client_print_line, &verbose);
		free(line);
	}
	if (!line)
		putchar('\n');	/* ^D leaves the prompt's line open */
	conn_close(c);
	free(hist);
	return status;
}
