/*
 * metalbird -- the protocol core
 *
 * A protocol is a table of functions (struct proto_class) that registers
 * itself at build time (obj/protocols.c, generated from the PROTOCOLS list of
 * the Makefile.inc files); the core never names one.  Each `protocol NAME
 * ...` block of the config gives a struct proto_config (embedded at the
 * start of the class's own config struct), and each running instance a
 * struct proto (embedded at the start of the class's own state struct).
 *
 * Reconfiguration is parse, plan, apply (STYLE.md item 4): proto_plan()
 * compares old and new config into a plan of same / soft / restart / add /
 * remove per protocol, which `configure check` prints and `configure`
 * applies with proto_apply().
 */
#ifndef MB_PROTOCOL_H
#define MB_PROTOCOL_H

#include <stddef.h>

#include "conf/conf.h"

struct cli;
struct proto;
struct proto_config;
struct selector;
struct dumpbuf;
struct json_t;

/* Debug flags (`debug protocols { states, routes, filters, events, packets }`) */
#define D_STATES	0x01
#define D_ROUTES	0x02
#define D_FILTERS	0x04
#define D_EVENTS	0x08
#define D_PACKETS	0x10
#define D_ALL		0x1f

/* Protocol states, as `show protocols` names them. */
enum proto_state { PS_DOWN, PS_START, PS_UP, PS_STOP };

/* Why a protocol is being shut down: BGP maps these to Cease subcodes. */
enum proto_down_reason {
	PDR_SHUTDOWN,		/* daemon shutdown: Cease/2 Administrative Shutdown */
	PDR_DISABLE,		/* `disable NAME`: Cease/2 */
	PDR_RESTART,		/* `restart NAME`: Cease/4 Administrative Reset */
	PDR_CF_REMOVE,		/* removed from the config: Cease/3 Peer De-configured */
	PDR_CF_RESTART,		/* session options changed: Cease/6 Other Configuration Change */
	PDR_NODE_SELECTOR,	/* this node stopped matching `node selector`: Cease/2 */
};

/* What a reconfiguration does to one protocol. */
enum reconf_action {
	RC_SAME,		/* nothing changed */
	RC_SOFT,		/* changed in place: the session stays (e.g. export filter) */
	RC_RESTART,		/* session options changed: stop and start again */
	RC_ADD,			/* new */
	RC_REMOVE,		/* gone */
};

/* A note of what differs, for `configure check`. */
struct reconf_why {
	char text[160];		/* e.g. "hold time 90 -> 15" */
};

struct proto_class {
	const char *name;		/* config keyword: "bgp" */
	const char *label;		/* `show protocols` Proto column: "BGP" */
	size_t config_size;		/* size of the class's config struct */
	size_t proto_size;		/* size of the class's instance struct */
	int max_instances;		/* 0 = any number */
	int needs_name;			/* name required (else generated: bgp1, bgp2...) */
	int exports;			/* has an export channel (for `configure check`) */
	/* Run by default: when a config has no protocol of this class nor of
	 * any class named here (NULL-terminated), the core adds one named
	 * after the class with default options (proto_config_implicit). */
	const char *const *implicit_unless;

	void (*class_init)(void);		/* once at daemon start: register commands */

	/* Config time (parser actions run these). */
	void (*init_config)(struct proto_config *c);		/* defaults */
	void (*copy_config)(struct proto_config *dst, const struct proto_config *src); /* from template */
	void (*postconfig)(struct proto_config *c);		/* checks at '}'; cf_error_at() */
	/* Compare two configs of one protocol: RC_SAME, RC_SOFT or RC_RESTART,
	 * describing the first difference in why. */
	enum reconf_action (*compare)(const struct proto_config *old, const struct proto_config *new,
				      struct reconf_why *why);
	void (*dump_config)(FILE *out, const struct proto_config *c);	/* canonical options */

	/* Run time. */
	int (*start)(struct proto *p);			/* returns PS_UP or PS_START */
	int (*shutdown)(struct proto *p, enum proto_down_reason why);	/* PS_DOWN or PS_STOP */
	int (*reconfigure)(struct proto *p, struct proto_config *new);	/* soft change; 0 = cannot */
	void (*cleanup)(struct proto *p);		/* after PS_DOWN, before free */
	void (*get_info)(struct proto *p, char *buf, size_t len);	/* Info column */
	void (*show_details)(struct proto *p, struct cli *c);	/* `show protocols all` */
	void (*show_json)(struct proto *p, struct json_t *obj);	/* `show protocols ... json` */
};

extern struct proto_class *const proto_classes[];	/* NULL-terminated, generated */
struct proto_class *proto_class_find(const char *name);

struct filter;

struct proto_config {
	struct proto_config *next;	/* in config order */
	struct proto_class *class;
	const char *name;
	struct cf_loc loc;		/* of the `protocol` keyword */
	struct cf_loc name_loc;
	int is_template;
	const char *description;
	int disabled;
	unsigned debug;			/* D_* */
	int debug_set;			/* given in this block (not the global default) */
	const char *node_selector_text;	/* as written */
	struct selector *node_selector;	/* NULL: every node */
	const struct filter *in_filter;	/* NULL = none (reject) unless in_all */
	const struct filter *out_filter;
	int in_set, out_set;		/* import/export given explicitly */
	struct proto *proto;		/* the running instance (valid while committing) */
	struct config *global;		/* the config it belongs to */
};

struct proto {
	struct proto *next;
	struct proto_class *class;
	struct proto_config *cf;	/* current config */
	const char *name;		/* == cf->name, owned by the config */
	enum proto_state state;
	int disabled;			/* by config or by `disable` */
	int disabled_by_cmd;		/* `disable`: survives reconfiguration */
	int selector_blocks;		/* node selector does not match this node */
	unsigned debug;
	double since;			/* wall clock of the last state change */
	char last_error[160];
	enum proto_down_reason down_reason;
	int restart_pending;		/* start again when down */
	struct proto_config *pending_cf;	/* config to restart with */
	void *channels;			/* nest/ route table glue (struct channel list) */
};

extern struct proto *proto_list;

/* Config-time helpers used by grammar fragments. */
extern struct proto_config *this_proto;
struct proto_config *proto_config_new(struct proto_class *cls, int is_template,
				      const struct cf_loc *loc);
void proto_config_name(struct proto_config *c, const char *name, const struct cf_loc *loc);
void proto_config_from(struct proto_config *c, const char *tmpl, const struct cf_loc *loc);
void proto_config_finish(struct proto_config *c);
/* At the end of a parse: add the protocols that run by default
 * (proto_class.implicit_unless). */
void proto_config_implicit(struct config *c);
/* Generic options compared by the core (description, debug, filters...). */
enum reconf_action proto_compare_common(const struct proto_config *o, const struct proto_config *n,
					struct reconf_why *why);

/* The plan of a reconfiguration. */
struct reconf_item {
	enum reconf_action action;
	struct proto *proto;		/* existing instance, or NULL for RC_ADD */
	struct proto_config *old_cf, *new_cf;
	struct reconf_why why;
};
struct reconf_plan {
	struct reconf_item *items;
	int n;
};
void proto_plan(struct config *old, struct config *new, struct reconf_plan *plan);
void proto_plan_free(struct reconf_plan *plan);
const char *reconf_action_name(enum reconf_action a);
/* Apply a plan: the new config becomes current for every protocol. */
void proto_apply(struct config *new, struct reconf_plan *plan);
/* Start every protocol of the first config. */
void proto_start_all(struct config *c);
/* Shut everything down for exit; returns 1 when all are down. */
int proto_shutdown_all(enum proto_down_reason why);

/* Run-time helpers used by protocols. */
void proto_notify_state(struct proto *p, enum proto_state state);
void proto_set_error(struct proto *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void proto_log(struct proto *p, int cls, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void proto_trace(struct proto *p, unsigned flag, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct proto *proto_find(const char *name);
const char *proto_state_name(enum proto_state s);

/* Commands */
int proto_cmd_enable(struct proto *p, int enable);	/* 1 changed, 0 already */
void proto_cmd_restart(struct proto *p);

/* This node's labels changed (from the Kubernetes source): protocols with a
 * `node selector` start or stop accordingly.  The core keeps the pointer
 * (protocols started later are matched against it): labels must stay valid
 * until the next call. */
struct label_set;
void proto_node_labels_changed(const struct label_set *labels);
extern void (*proto_all_down_hook)(void);	/* called when shutdown completes */

#endif
