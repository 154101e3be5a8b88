/*
 * metalbird -- control commands: dispatch and the core's own commands
 *
 * The words of every command are in nest/cmdtab.def; here each ID gets its
 * handler.  Modules that own a command (route table, pools, BGP peers, BFD)
 * register their handler with cmd_register() at start-up, so the core names
 * none of them.  Restricted sessions may run only entries flagged CMD_RO:
 * deny by default.
 */
#include "nest/cmds.h"
#include "conf/commit.h"
#include "nest/cli.h"
#include "nest/log.h"
#include "nest/pool.h"
#include "nest/protocol.h"
#include "sysdep/unix/loop.h"

#include <fnmatch.h>
#include <jansson.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cmd_handler handlers[CMD__COUNT];
void (*cmd_down_hook)(void);
const char *cmd_router_id_text = "";
const char *cmd_node_name = "";

void cmd_register(enum cmd_id id, cmd_handler fn)
{
	handlers[id] = fn;
}

/* --- arguments --------------------------------------------------------------- */

int cmd_arg_is(const struct cmd_args *a, int i, const char *word)
{
	if (i >= a->n || a->tok[i].quoted)
		return 0;
	size_t n = strlen(a->tok[i].s);
	return n && !strncmp(a->tok[i].s, word, n);
}

/* --- dispatch ------------------------------------------------------------------ */

void cmd_dispatch(struct cli *c, const char *line)
{
	static struct cmd_line l;
	const char *err = NULL;
	char msg[512];
	int nw;

	c->json = 0;
	c->errors = 0;
	c->last_code = -1;
	if (strlen(line) >= CMD_MAX_LINE) {
		cli_msg(c, RC_E_TOO_LONG, "Command too long");
		return;
	}
	if (cmd_tokenize(line, &l, &err) < 0) {
		cli_msg(c, RC_E_PARSE, "Parse error: %s", err);
		return;
	}
	if (!l.ntok)
		return;
	if (l.ntok == 1 && !strcmp(l.tok[0].s, "?") && !l.tok[0].quoted) {
		handlers[CMD_HELP](c, &(struct cmd_args){ &l, l.tok, 0, CMD_HELP });
		return;
	}
	const struct cmd_def *d = cmd_match(&l, &nw, msg, sizeof msg);
	if (!d) {
		cli_msg(c, RC_E_PARSE, "%s", msg);
		return;
	}
	if (c->restricted && !(d->flags & CMD_RO)) {
		cli_msg(c, RC_E_ACCESS_DENIED, "Access denied: '%s' is not allowed in restricted mode", d->words);
		return;
	}
	struct cmd_args a = { &l, l.tok + nw, l.ntok - nw, d->id };
	if ((d->flags & CMD_JSON) && a.n && !a.tok[a.n - 1].quoted && !strcmp(a.tok[a.n - 1].s, "json")) {
		c->json = 1;
		a.n--;
	}
	if (!handlers[d->id]) {
		cli_msg(c, RC_E_NOT_AVAILABLE, "'%s' is not available: no part of this daemon provides it", d->words);
		return;
	}
	handlers[d->id](c, &a);
}

/* --- show status ------------------------------------------------------------ */

static void cmd_show_status(struct cli *c, struct cmd_args *a)
{
	char now[64], start[64], reconf[64];

	if (a->n) {
		cli_msg(c, RC_E_PARSE, "show status takes no arguments");
		return;
	}
	cli_fmt_time(now_real(), now, sizeof now);
	cli_fmt_time(config_start_time, start, sizeof start);
	cli_fmt_time(config_reconf_time ? config_reconf_time : config_start_time, reconf, sizeof reconf);
	if (c->json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
				      "version", MB_VERSION, "router_id", cmd_router_id_text,
				      "node_name", cmd_node_name, "server_time", now, "last_reboot", start,
				      "last_reconfiguration", reconf, "status", "Daemon is up and running");
		cli_json(c, RC_JSON, o);
		return;
	}
	cli_msg(c, -RC_VERSION, "metalbird %s", MB_VERSION);
	cli_msg(c, -RC_UPTIME, "Router ID is %s", cmd_router_id_text);
	cli_msg(c, -RC_UPTIME, "Node name is %s", cmd_node_name);
	cli_msg(c, -RC_UPTIME, "Current server time is %s", now);
	cli_msg(c, -RC_UPTIME, "Last reboot on %s", start);
	cli_msg(c, -RC_UPTIME, "Last reconfiguration on %s", reconf);
	double undo = config_undo_remains();
	if (undo > 0)
		cli_msg(c, -RC_UNDO_SCHEDULED, "Configuration unconfirmed, undo in %.0f s", undo);
	cli_msg(c, RC_STATUS, "Daemon is up and running");
}

/* --- show protocols ----------------------------------------------------------- */

static void proto_info(struct proto *p, char *info, size_t len)
{
	info[0] = 0;
	if (p->class->get_info && p->state != PS_DOWN)
		p->class->get_info(p, info, len);
	else if (p->disabled || p->disabled_by_cmd)
		snprintf(info, len, "%s", "Disabled");
	else if (p->last_error[0])
		snprintf(info, len, "%s", p->last_error);
	else if (p->selector_blocks)
		snprintf(info, len, "%s", "Node selector does not match");
}

static void cmd_show_protocols(struct cli *c, struct cmd_args *a)
{
	int all = 0, matched = 0;
	const char *pat = NULL;
	int quoted = 0;

	for (int i = 0; i < a->n; i++) {
		if (!a->tok[i].quoted && !strcmp(a->tok[i].s, "all") && !all && !pat)
			all = 1;
		else if (!pat) {
			pat = a->tok[i].s;
			quoted = a->tok[i].quoted;
		} else {
			cli_msg(c, RC_E_PARSE, "unexpected '%s': show protocols [all] [NAME | \"PATTERN\"]",
				a->tok[i].s);
			return;
		}
	}
	json_t *arr = c->json ? json_array() : NULL;
	for (struct proto *p = proto_list; p; p = p->next) {
		if (pat && (quoted ? fnmatch(pat, p->name, 0) : strcmp(pat, p->name)))
			continue;
		char since[32], info[256];
		cli_fmt_since(p->since, since, sizeof since);
		proto_info(p, info, sizeof info);
		if (arr) {
			json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name", p->name,
					      "proto", p->class->label, "table", "---",
					      "state", proto_state_name(p->state), "since", since, "info", info);
			if (all) {
				if (p->cf && p->cf->description)
					json_object_set_new(o, "description", json_string(p->cf->description));
				if (p->last_error[0])
					json_object_set_new(o, "last_error", json_string(p->last_error));
				if (p->class->show_json)
					p->class->show_json(p, (struct json_t *)o);
			}
			json_array_append_new(arr, o);
			matched++;
			continue;
		}
		if (!matched)
			cli_msg(c, -RC_PROTO_HEADING, "%-10s %-10s %-10s %-6s %-12s  %s",
				"Name", "Proto", "Table", "State", "Since", "Info");
		matched++;
		cli_msg(c, -RC_PROTO_LIST, "%-10s %-10s %-10s %-6s %-12s  %s", p->name, p->class->label,
			"---", proto_state_name(p->state), since, info);
		if (all) {
			if (p->cf && p->cf->description)
				cli_msg(c, -RC_PROTO_DETAILS, "  Description:    %s", p->cf->description);
			if (p->class->show_details)
				p->class->show_details(p, c);
			if (p->last_error[0])
				cli_msg(c, -RC_PROTO_DETAILS, "  Last error:     %s", p->last_error);
			cli_msg(c, -RC_PROTO_DETAILS, "%s", "");
		}
	}
	if (arr) {
		if (pat && !matched) {
			json_decref(arr);
			cli_msg(c, RC_E_NO_PROTOCOLS, "No protocols match");
			return;
		}
		cli_json(c, RC_JSON, json_pack("{s:o}", "protocols", arr));
		return;
	}
	if (pat && !matched) {
		cli_msg(c, RC_E_NO_PROTOCOLS, "No protocols match");
		return;
	}
	cli_ok(c);
}

/* --- show memory -------------------------------------------------------------- */

size_t (*cmd_mem_routes)(void);

static void cmd_show_memory(struct cli *c, struct cmd_args *a)
{
	struct mallinfo2 mi = mallinfo2();
	size_t cfg = config ? arena_size(config->mem) : 0;
	size_t protos = 0, routes = cmd_mem_routes ? cmd_mem_routes() : 0;

	for (struct proto *p = proto_list; p; p = p->next)
		protos += p->class->proto_size;
	size_t total = mi.uordblks + mi.hblkhd;
	if (c->json) {
		cli_json(c, RC_JSON, json_pack("{s:I, s:I, s:I, s:I}", "routing_tables", (json_int_t)routes,
					       "protocols", (json_int_t)protos, "current_config", (json_int_t)cfg,
					       "total", (json_int_t)total));
		return;
	}
	cli_msg(c, -RC_MEMORY, "metalbird memory usage");
	cli_msg(c, -RC_MEMORY, "%-17s %10s", "", "Effective");
	cli_msg(c, -RC_MEMORY, "%-17s %8zu kB", "Routing tables:", routes / 1024);
	cli_msg(c, -RC_MEMORY, "%-17s %8zu kB", "Protocols:", protos / 1024);
	cli_msg(c, -RC_MEMORY, "%-17s %8zu kB", "Current config:", cfg / 1024);
	cli_msg(c, -RC_MEMORY, "%-17s %8zu kB", "Total:", total / 1024);
	cli_ok(c);
}

/* --- show symbols --------------------------------------------------------------- */

static void cmd_show_symbols(struct cli *c, struct cmd_args *a)
{
	const char *kind = a->n ? a->tok[0].s : NULL;
	json_t *arr = c->json ? json_array() : NULL;
	int n = 0;

	if (a->n > 1) {
		cli_msg(c, RC_E_PARSE, "show symbols takes at most one word");
		return;
	}
	/* symbols live in the config's hash: walk it */
	for (unsigned i = 0; config && i < config->symtab_size; i++)
		for (struct symbol *s = config->symtab[i]; s; s = s->next) {
			const char *k = cf_symbol_class_name(s->class);
			if (kind && strcmp(kind, k))
				continue;
			n++;
			if (arr)
				json_array_append_new(arr, json_pack("{s:s, s:s}", "name", s->name, "kind", k));
			else
				cli_msg(c, -RC_SYMBOLS, "%-20s %s", s->name, k);
		}
	if (cmd_symbols_hook)
		n += cmd_symbols_hook(c, kind, arr);
	if (arr) {
		cli_json(c, RC_JSON, json_pack("{s:o}", "symbols", arr));
		return;
	}
	cli_ok(c);
}

int (*cmd_symbols_hook)(struct cli *c, const char *kind, struct json_t *arr);

/* --- configure ------------------------------------------------------------------ */

static const char *file_arg(struct cmd_args *a, int i)
{
	return i < a->n ? a->tok[i].s : config_main_file;
}

static void print_plan(struct cli *c, struct config *newc, int all)
{
	struct reconf_plan plan;

	proto_plan(config, newc, &plan);
	for (int i = 0; i < plan.n; i++) {
		struct reconf_item *it = &plan.items[i];
		struct proto_config *pc = it->new_cf ? it->new_cf : it->old_cf;
		if (it->action == RC_SAME && !all)
			continue;
		cli_msg(c, -RC_PLAN, "protocol %s (%s): %s%s%s", pc->name, pc->class->name,
			reconf_action_name(it->action), it->why.text[0] ? ": " : "", it->why.text);
	}
	if (cmd_plan_hook)
		cmd_plan_hook(c, config, newc, &plan, all);
	proto_plan_free(&plan);
}

void (*cmd_plan_hook)(struct cli *c, struct config *old, struct config *new,
		      struct reconf_plan *plan, int all);

static void cmd_configure_check(struct cli *c, struct cmd_args *a)
{
	char err[1024];
	int all = 0, i = 0;

	if (i < a->n && !a->tok[i].quoted && !strcmp(a->tok[i].s, "all")) {
		all = 1;
		i++;
	}
	if (a->n > i + 1) {
		cli_msg(c, RC_E_PARSE, "unexpected '%s': configure check [all] [\"FILE\"]", a->tok[i + 1].s);
		return;
	}
	const char *file = file_arg(a, i);
	cli_msg(c, -RC_READING_CONFIG, "Reading configuration from %s", file);
	struct config *nc = config_parse(file, err, sizeof err);
	if (!nc) {
		cli_msg(c, RC_E_CONFIG, "%s", err);
		return;
	}
	print_plan(c, nc, all);
	config_free(nc);
	cli_msg(c, RC_CONFIG_OK, "Configuration OK");
}

static void do_configure(struct cli *c, const char *file, int timeout)
{
	char err[1024];

	cli_msg(c, -RC_READING_CONFIG, "Reading configuration from %s", file);
	if (config_reload(file, timeout, err, sizeof err) < 0) {
		cli_msg(c, RC_E_CONFIG, "%s", err);
		return;
	}
	if (timeout > 0)
		cli_msg(c, -RC_UNDO_SCHEDULED, "Undo scheduled in %d s", timeout);
	cli_msg(c, RC_RECONFIGURED, "Reconfigured");
}

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-')
		return -1;
	v = strtoul(s, &end, 10);
	if (*end || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static void cmd_configure(struct cli *c, struct cmd_args *a)
{
	const char *file = config_main_file;
	unsigned timeout = 0;
	int i = 0;

	if (i < a->n && (a->tok[i].quoted || !cmd_arg_is(a, i, "timeout")))
		file = a->tok[i++].s;
	if (i < a->n && cmd_arg_is(a, i, "timeout")) {
		i++;
		timeout = 300;	/* BIRD's default */
		if (i < a->n && parse_uint(a->tok[i++].s, 86400, &timeout) < 0) {
			cli_msg(c, RC_E_PARSE, "timeout must be a number of seconds (1-86400)");
			return;
		}
	}
	if (i < a->n) {
		cli_msg(c, RC_E_PARSE, "unexpected '%s': configure [\"FILE\"] [timeout N]", a->tok[i].s);
		return;
	}
	do_configure(c, file, (int)timeout);
}

static void cmd_configure_timeout(struct cli *c, struct cmd_args *a)
{
	unsigned timeout = 300;
	int i = 0;

	if (i < a->n && !a->tok[i].quoted && parse_uint(a->tok[i].s, 86400, &timeout) == 0)
		i++;
	const char *file = file_arg(a, i);
	if (a->n > i + 1) {
		cli_msg(c, RC_E_PARSE, "unexpected '%s': configure timeout N [\"FILE\"]", a->tok[i + 1].s);
		return;
	}
	if (!timeout) {
		cli_msg(c, RC_E_PARSE, "timeout must be at least 1 s");
		return;
	}
	do_configure(c, file, (int)timeout);
}

static void cmd_configure_confirm(struct cli *c, struct cmd_args *a)
{
	if (config_confirm())
		cli_msg(c, RC_RECONF_CONFIRMED, "Reconfiguration confirmed");
	else
		cli_msg(c, RC_NOTHING_TO_DO, "Nothing to do");
}

static void cmd_configure_undo(struct cli *c, struct cmd_args *a)
{
	if (!config_undo()) {
		cli_msg(c, RC_NOTHING_TO_DO, "Nothing to do");
		return;
	}
	cli_msg(c, -RC_UNDO_REQUESTED, "Undo requested");
	cli_msg(c, RC_RECONFIGURED, "Reconfigured");
}

static void cmd_configure_status(struct cli *c, struct cmd_args *a)
{
	double undo = config_undo_remains();

	cli_msg(c, -RC_RECONFIGURED, "Daemon is up and running");
	if (undo > 0)
		cli_msg(c, -RC_UNDO_SCHEDULED, "Configuration unconfirmed, undo in %.0f s", undo);
	cli_msg(c, -RC_RECONFIGURED, "Last reload %s (%d reloads)", config_last_reload_ok ? "succeeded" : "failed",
		config_reload_count);
	cli_ok(c);
}

/* --- enable / disable / restart ------------------------------------------------- */

static void cmd_proto_op(struct cli *c, struct cmd_args *a)
{
	if (a->n != 1) {
		cli_msg(c, RC_E_PARSE, "give one protocol name, a \"pattern\" or all");
		return;
	}
	const char *pat = a->tok[0].s;
	int quoted = a->tok[0].quoted, any = 0;
	int is_all = !quoted && !strcmp(pat, "all");

	for (struct proto *p = proto_list; p; p = p->next) {
		if (!p->cf)
			continue;
		if (!is_all && (quoted ? fnmatch(pat, p->name, 0) : strcmp(pat, p->name)))
			continue;
		any = 1;
		switch (a->id) {
		case CMD_ENABLE:
			if (proto_cmd_enable(p, 1))
				cli_msg(c, -RC_ENABLED, "%s: enabled", p->name);
			else
				cli_msg(c, -RC_ALREADY_ENABLED, "%s: already enabled", p->name);
			break;
		case CMD_DISABLE:
			if (proto_cmd_enable(p, 0))
				cli_msg(c, -RC_DISABLED, "%s: disabled", p->name);
			else
				cli_msg(c, -RC_ALREADY_DISABLED, "%s: already disabled", p->name);
			break;
		default:
			if (p->disabled || p->disabled_by_cmd) {
				cli_msg(c, -RC_ALREADY_DISABLED, "%s: is disabled", p->name);
				break;
			}
			proto_cmd_restart(p);
			cli_msg(c, -RC_RESTARTED, "%s: restarted", p->name);
			break;
		}
	}
	if (!any) {
		cli_msg(c, RC_E_NO_PROTOCOLS, "No protocols match");
		return;
	}
	cli_ok(c);
}

/* --- debug ---------------------------------------------------------------------- */

static void cmd_debug(struct cli *c, struct cmd_args *a)
{
	static const char *flags[] = { "states", "routes", "filters", "events", "packets" };
	unsigned mask = 0;
	int i = 1;

	if (a->n < 2) {
		cli_msg(c, RC_E_PARSE, "debug NAME | \"PATTERN\" | all (all | off | { states, routes, filters, events, packets })");
		return;
	}
	if (cmd_arg_is(a, 1, "all") && a->n == 2)
		mask = D_ALL;
	else if (cmd_arg_is(a, 1, "off") && a->n == 2)
		mask = 0;
	else {
		if (strcmp(a->tok[i].s, "{")) {
			cli_msg(c, RC_E_PARSE, "expected all, off or { flags }");
			return;
		}
		for (i = 2; i < a->n && strcmp(a->tok[i].s, "}"); i++) {
			char w[32];
			snprintf(w, sizeof w, "%s", a->tok[i].s);
			size_t l = strlen(w);
			if (l && w[l - 1] == ',')
				w[--l] = 0;
			if (!l)
				continue;
			int f = -1;
			for (int k = 0; k < 5; k++)
				if (!strcmp(w, flags[k]))
					f = k;
			if (f < 0) {
				cli_msg(c, RC_E_PARSE, "unknown debug flag '%s'", w);
				return;
			}
			mask |= 1u << f;
		}
		if (i >= a->n) {
			cli_msg(c, RC_E_PARSE, "missing '}'");
			return;
		}
	}
	const char *pat = a->tok[0].s;
	int quoted = a->tok[0].quoted, any = 0;
	for (struct proto *p = proto_list; p; p = p->next) {
		if (!(!quoted && !strcmp(pat, "all")) && (quoted ? fnmatch(pat, p->name, 0) : strcmp(pat, p->name)))
			continue;
		p->debug = mask;
		any = 1;
	}
	if (!any) {
		cli_msg(c, RC_E_NO_PROTOCOLS, "No protocols match");
		return;
	}
	cli_ok(c);
}

/* --- down, help, restrict ---------------------------------------------------------- */

static void cmd_down(struct cli *c, struct cmd_args *a)
{
	cli_msg(c, RC_SHUTDOWN, "Shutdown requested");
	if (cmd_down_hook)
		cmd_down_hook();
}

static void cmd_help(struct cli *c, struct cmd_args *a)
{
	for (int i = 0; i < CMD__COUNT; i++) {
		const struct cmd_def *d = &cmd_table[i];
		if (d->flags & CMD_HIDDEN)
			continue;
		if (a->n && strncmp(d->words, a->tok[0].s, strlen(a->tok[0].s)))
			continue;
		char syn[256];
		snprintf(syn, sizeof syn, "%s%s%s%s", d->words, d->args[0] ? " " : "", d->args,
			 d->flags & CMD_JSON ? " [json]" : "");
		cli_msg(c, -RC_HELP, "%-60s %s", syn, d->help);
	}
	cli_ok(c);
}

static void cmd_restrict(struct cli *c, struct cmd_args *a)
{
	c->restricted = 1;
	cli_msg(c, RC_ACCESS_RESTRICTED, "Access restricted");
}

/* --- show pools (configuration view; the allocator adds usage) --------------------- */

static void cmd_show_pools(struct cli *c, struct cmd_args *a)
{
	if (cmd_pools_handler) {
		cmd_pools_handler(c, a);
		return;
	}
	cli_msg(c, RC_E_NOT_AVAILABLE, "pool usage is not available");
}

cmd_handler cmd_pools_handler;

void cmd_init(void)
{
	cmd_register(CMD_SHOW_STATUS, cmd_show_status);
	cmd_register(CMD_SHOW_PROTOCOLS, cmd_show_protocols);
	cmd_register(CMD_SHOW_MEMORY, cmd_show_memory);
	cmd_register(CMD_SHOW_SYMBOLS, cmd_show_symbols);
	cmd_register(CMD_SHOW_POOLS, cmd_show_pools);
	cmd_register(CMD_CONFIGURE, cmd_configure);
	cmd_register(CMD_CONFIGURE_CHECK, cmd_configure_check);
	cmd_register(CMD_CONFIGURE_TIMEOUT, cmd_configure_timeout);
	cmd_register(CMD_CONFIGURE_CONFIRM, cmd_configure_confirm);
	cmd_register(CMD_CONFIGURE_UNDO, cmd_configure_undo);
	cmd_register(CMD_CONFIGURE_STATUS, cmd_configure_status);
	cmd_register(CMD_ENABLE, cmd_proto_op);
	cmd_register(CMD_DISABLE, cmd_proto_op);
	cmd_register(CMD_RESTART, cmd_proto_op);
	cmd_register(CMD_DEBUG, cmd_debug);
	cmd_register(CMD_DOWN, cmd_down);
	cmd_register(CMD_HELP, cmd_help);
	cmd_register(CMD_RESTRICT, cmd_restrict);
}
