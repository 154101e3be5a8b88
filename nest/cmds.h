/*
 * metalbird -- control commands: dispatch
 */
#ifndef MB_CMDS_H
#define MB_CMDS_H

#include "nest/cmdtab.h"

struct cli;
struct config;
struct reconf_plan;
struct json_t;

/* What a handler gets: the tokens after the command's fixed words (a
 * trailing `json` already removed and turned into cli->json). */
struct cmd_args {
	const struct cmd_line *line;
	const struct cmd_tok *tok;
	int n;
	enum cmd_id id;
};

typedef void (*cmd_handler)(struct cli *c, struct cmd_args *a);

void cmd_init(void);
void cmd_register(enum cmd_id id, cmd_handler fn);
void cmd_dispatch(struct cli *c, const char *line);
/* Is token i an abbreviation of word? (never for quoted tokens) */
int cmd_arg_is(const struct cmd_args *a, int i, const char *word);

/* Hooks other parts fill in. */
extern void (*cmd_down_hook)(void);
extern const char *cmd_router_id_text;
extern const char *cmd_node_name;
extern size_t (*cmd_mem_routes)(void);
extern cmd_handler cmd_pools_handler;
/* configure check: print what else would change (routes, services). */
extern void (*cmd_plan_hook)(struct cli *c, struct config *old, struct config *new,
			     struct reconf_plan *plan, int all);
/* show symbols: add names that are not config symbols (services). */
extern int (*cmd_symbols_hook)(struct cli *c, const char *kind, struct json_t *arr);

#endif
