/*
 * metalbird -- the protocol core
 *
 * Config side: the helpers that grammar fragments call to build a protocol
 * config (name, template, defaults, checks).  Run side: the list of running
 * protocols, their states, and reconfiguration as a plan of same / soft /
 * restart / add / remove that is computed by a pure function of the old and
 * the new config (proto_plan) and then applied (proto_apply).
 */
#include "nest/protocol.h"
#include "nest/channel.h"
#include "nest/filter/filter.h"
#include "nest/log.h"
#include "nest/mem.h"
#include "nest/selector.h"
#include "sysdep/unix/loop.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct proto *proto_list;
struct proto_config *this_proto;
void (*proto_all_down_hook)(void);
static const struct label_set *node_labels;	/* NULL: unknown yet */
static int shutting_down;

struct proto_class *proto_class_find(const char *name)
{
	for (int i = 0; proto_classes[i]; i++)
		if (!strcmp(proto_classes[i]->name, name))
			return proto_classes[i];
	return NULL;
}

const char *proto_state_name(enum proto_state s)
{
	switch (s) {
	case PS_DOWN: return "down";
	case PS_START: return "start";
	case PS_UP: return "up";
	case PS_STOP: return "stop";
	}
	return "?";
}

/* --- config time ------------------------------------------------------------- */

struct proto_config *proto_config_new(struct proto_class *cls, int is_template,
				      const struct cf_loc *loc)
{
	struct proto_config *c = cf_alloc(cls->config_size);

	c->class = cls;
	c->loc = *loc;
	c->is_template = is_template;
	c->debug = new_config->debug_protos;
	c->in_filter = FILTER_REJECT;
	c->out_filter = FILTER_ACCEPT;
	c->global = new_config;
	if (cls->init_config)
		cls->init_config(c);
	cf_ctx_push(cf_printf("%s %s", is_template ? "template" : "protocol", cls->name));
	return c;
}

void proto_config_name(struct proto_config *c, const char *name, const struct cf_loc *loc)
{
	c->name_loc = *loc;
	if (!name) {
		if (c->is_template)
			cf_error_at(loc, "a template needs a name: template %s NAME { ... }", c->class->name);
		if (c->class->needs_name)
			cf_error_at(loc, "protocol %s needs a name: protocol %s NAME { ... }",
				    c->class->name, c->class->name);
		/* bgp1, bgp2, ...: the first free one */
		for (int i = 1;; i++) {
			char buf[64];
			snprintf(buf, sizeof buf, "%s%d", c->class->name, i);
			if (!cf_find_symbol(buf)) {
				name = cf_strdup(buf);
				break;
			}
		}
	}
	c->name = name;
	cf_define_symbol(name, c->is_template ? SYM_TEMPLATE : SYM_PROTO, c, loc);
}

void proto_config_from(struct proto_config *c, const char *tmpl, const struct cf_loc *loc)
{
	struct symbol *s = cf_find_symbol(tmpl);

	if (!s)
		cf_error_at(loc, "unknown template '%s'", tmpl);
	if (s->class != SYM_TEMPLATE)
		cf_error_at(loc, "'%s' is a %s, not a template", tmpl, cf_symbol_class_name(s->class));
	struct proto_config *t = s->def;
	if (t->class != c->class)
		cf_error_at(loc, "template '%s' is for protocol %s, not %s", tmpl, t->class->name, c->class->name);

	/* take every option of the template; keep our own identity */
	struct proto_config keep = *c;
	memcpy(c, t, c->class->config_size);
	c->next = NULL;
	c->name = keep.name;
	c->loc = keep.loc;
	c->name_loc = keep.name_loc;
	c->is_template = keep.is_template;
	c->proto = NULL;
	if (c->class->copy_config)
		c->class->copy_config(c, t);
}

void proto_config_finish(struct proto_config *c)
{
	if (c->class->postconfig)
		c->class->postconfig(c);
	cf_ctx_pop();
	if (c->is_template)
		return;
	struct proto_config **pp = &new_config->protos;
	while (*pp)
		pp = &(*pp)->next;
	*pp = c;
}

void proto_config_implicit(struct config *c)
{
	for (int i = 0; proto_classes[i]; i++) {
		struct proto_class *k = proto_classes[i];
		int found = 0;

		if (!k->implicit_unless)
			continue;
		for (struct proto_config *p = c->protos; p && !found; p = p->next) {
			found = p->class == k;
			for (const char *const *n = k->implicit_unless; *n && !found; n++)
				found = !strcmp(p->class->name, *n);
		}
		if (found)
			continue;
		struct cf_loc loc = { 0 };
		loc.file = c->file;
		struct proto_config *pc = proto_config_new(k, 0, &loc);
		/* named after the class unless that name is taken */
		proto_config_name(pc, cf_find_symbol(k->name) ? NULL : k->name, &loc);
		proto_config_finish(pc);
	}
}

/* --- logging ------------------------------------------------------------------- */

void proto_log(struct proto *p, int cls, const char *fmt, ...)
{
	char buf[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	log_msg(cls, "%s: %s", p->name, buf);
}

void proto_trace(struct proto *p, unsigned flag, const char *fmt, ...)
{
	char buf[900];
	va_list ap;

	if (!(p->debug & flag))
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	log_msg(L_TRACE, "%s: %s", p->name, buf);
}

void proto_set_error(struct proto *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->last_error, sizeof p->last_error, fmt, ap);
	va_end(ap);
}

/* --- run time ---------------------------------------------------------------- */

struct proto *proto_find(const char *name)
{
	for (struct proto *p = proto_list; p; p = p->next)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

static int proto_should_run(struct proto *p)
{
	return !p->disabled && !p->disabled_by_cmd && !p->selector_blocks && !shutting_down;
}

static void proto_set_state(struct proto *p, enum proto_state s)
{
	if (p->state == s)
		return;
	proto_trace(p, D_STATES, "state changed from %s to %s", proto_state_name(p->state), proto_state_name(s));
	enum proto_state old = p->state;
	p->state = s;
	p->since = now_real();
	/* route table glue (nest/channel.c): channels follow PS_UP, routes
	 * of a stopping protocol leave the table */
	channel_proto_state(p, old, s);
}

static void proto_do_start(struct proto *p)
{
	if (p->state != PS_DOWN || !proto_should_run(p))
		return;
	p->last_error[0] = 0;
	proto_set_state(p, PS_START);
	int s = p->class->start ? p->class->start(p) : PS_UP;
	proto_set_state(p, (enum proto_state)s);
}

static void proto_unlink_free(struct proto *p)
{
	for (struct proto **pp = &proto_list; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	if (p->class->cleanup)
		p->class->cleanup(p);
	channel_proto_free(p);	/* channels the protocol left behind */
	free(p);
}


static void proto_check_all_down(void)
{
	if (!shutting_down)
		return;
	for (struct proto *p = proto_list; p; p = p->next)
		if (p->state != PS_DOWN)
			return;
	if (proto_all_down_hook)
		proto_all_down_hook();
}

/* A protocol reached PS_DOWN: free it if removed, restart it if asked. */
static void proto_went_down(struct proto *p)
{
	if (p->down_reason == PDR_CF_REMOVE && p->cf == NULL) {
		proto_unlink_free(p);
		proto_check_all_down();
		return;
	}
	if (p->pending_cf) {
		p->cf = p->pending_cf;
		p->name = p->cf->name;
		p->pending_cf = NULL;
	}
	if (p->restart_pending) {
		p->restart_pending = 0;
		proto_do_start(p);
	}
	proto_check_all_down();
}

static void proto_do_stop(struct proto *p, enum proto_down_reason why)
{
	if (p->state == PS_DOWN || p->state == PS_STOP) {
		if (p->state == PS_DOWN)
			proto_went_down(p);
		return;
	}
	p->down_reason = why;
	proto_set_state(p, PS_STOP);
	int s = p->class->shutdown ? p->class->shutdown(p, why) : PS_DOWN;
	if (s == PS_DOWN) {
		proto_set_state(p, PS_DOWN);
		proto_went_down(p);
	}
}

void proto_notify_state(struct proto *p, enum proto_state s)
{
	enum proto_state old = p->state;

	proto_set_state(p, s);
	if (s == PS_DOWN && old != PS_DOWN)
		proto_went_down(p);
}

static struct proto *proto_create(struct proto_config *c)
{
	struct proto *p = xzalloc(c->class->proto_size);

	p->class = c->class;
	p->cf = c;
	p->name = c->name;
	p->state = PS_DOWN;
	p->disabled = c->disabled;
	p->debug = c->debug;
	p->since = now_real();
	p->selector_blocks = c->node_selector && !selector_match(c->node_selector, node_labels);
	c->proto = p;
	/* keep config order */
	struct proto **pp = &proto_list;
	while (*pp)
		pp = &(*pp)->next;
	*pp = p;
	return p;
}

void proto_start_all(struct config *c)
{
	for (struct proto_config *pc = c->protos; pc; pc = pc->next)
		proto_do_start(proto_create(pc));
}

int proto_shutdown_all(enum proto_down_reason why)
{
	shutting_down = 1;
	for (struct proto *p = proto_list; p; p = p->next)
		if (p->state != PS_DOWN)
			proto_do_stop(p, why);
	for (struct proto *p = proto_list; p; p = p->next)
		if (p->state != PS_DOWN)
			return 0;
	return 1;
}

int proto_cmd_enable(struct proto *p, int enable)
{
	if (enable) {
		if (!p->disabled_by_cmd && !p->disabled)
			return 0;
		p->disabled_by_cmd = 0;
		p->disabled = 0;
		proto_do_start(p);
		return 1;
	}
	if (p->disabled_by_cmd || p->disabled)
		return 0;
	p->disabled_by_cmd = 1;
	proto_do_stop(p, PDR_DISABLE);
	return 1;
}

void proto_cmd_restart(struct proto *p)
{
	if (p->state == PS_DOWN) {
		proto_do_start(p);
		return;
	}
	p->restart_pending = 1;
	proto_do_stop(p, PDR_RESTART);
}

void proto_node_labels_changed(const struct label_set *labels)
{
	node_labels = labels;
	for (struct proto *p = proto_list; p; p = p->next) {
		if (!p->cf || !p->cf->node_selector)
			continue;
		int block = !selector_match(p->cf->node_selector, labels);
		if (block == p->selector_blocks)
			continue;
		p->selector_blocks = block;
		proto_log(p, L_INFO, "node selector \"%s\" %s this node: %s", p->cf->node_selector_text,
			  block ? "no longer matches" : "now matches", block ? "stopping" : "starting");
		if (block)
			proto_do_stop(p, PDR_NODE_SELECTOR);
		else
			proto_do_start(p);
	}
}

/* --- reconfiguration --------------------------------------------------------- */

const char *reconf_action_name(enum reconf_action a)
{
	switch (a) {
	case RC_SAME: return "unchanged";
	case RC_SOFT: return "changed in place";
	case RC_RESTART: return "restarted";
	case RC_ADD: return "added";
	case RC_REMOVE: return "removed";
	}
	return "?";
}

static int str_same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

enum reconf_action proto_compare_common(const struct proto_config *o, const struct proto_config *n,
					struct reconf_why *why)
{
	if (!filter_same(o->out_filter, n->out_filter)) {
		snprintf(why->text, sizeof why->text, "export filter changed");
		return RC_SOFT;
	}
	if (!filter_same(o->in_filter, n->in_filter)) {
		snprintf(why->text, sizeof why->text, "import filter changed");
		return RC_SOFT;
	}
	if (!str_same(o->node_selector_text, n->node_selector_text)) {
		snprintf(why->text, sizeof why->text, "node selector changed");
		return RC_SOFT;
	}
	if (o->disabled != n->disabled) {
		snprintf(why->text, sizeof why->text, "%s", n->disabled ? "disabled" : "enabled");
		return RC_SOFT;
	}
	if (o->debug != n->debug || !str_same(o->description, n->description)) {
		snprintf(why->text, sizeof why->text, "%s changed", o->debug != n->debug ? "debug" : "description");
		return RC_SOFT;
	}
	return RC_SAME;
}

static void plan_add(struct reconf_plan *plan, enum reconf_action a, struct proto *p,
		     struct proto_config *o, struct proto_config *n, const struct reconf_why *why)
{
	plan->items = xrealloc(plan->items, sizeof(struct reconf_item) * (plan->n + 1));
	struct reconf_item *it = &plan->items[plan->n++];
	memset(it, 0, sizeof *it);
	it->action = a;
	it->proto = p;
	it->old_cf = o;
	it->new_cf = n;
	if (why)
		it->why = *why;
}

void proto_plan(struct config *old, struct config *new, struct reconf_plan *plan)
{
	plan->items = NULL;
	plan->n = 0;
	for (struct proto_config *n = new->protos; n; n = n->next) {
		struct proto *p = NULL;
		for (struct proto *q = proto_list; q; q = q->next)
			if (q->cf && !strcmp(q->name, n->name) && q->class == n->class) {
				p = q;
				break;
			}
		if (!p) {
			plan_add(plan, RC_ADD, NULL, NULL, n, NULL);
			continue;
		}
		struct reconf_why why = { "" };
		enum reconf_action a = n->class->compare ? n->class->compare(p->cf, n, &why) : RC_RESTART;
		if (a == RC_SAME)
			a = proto_compare_common(p->cf, n, &why);
		else if (a == RC_SOFT) {
			struct reconf_why w2 = { "" };
			proto_compare_common(p->cf, n, &w2);
		}
		plan_add(plan, a, p, p->cf, n, &why);
	}
	for (struct proto *p = proto_list; p; p = p->next) {
		if (!p->cf)
			continue;
		int found = 0;
		for (struct proto_config *n = new->protos; n; n = n->next)
			if (!strcmp(p->name, n->name) && p->class == n->class)
				found = 1;
		if (!found)
			plan_add(plan, RC_REMOVE, p, p->cf, NULL, NULL);
	}
	(void)old;
}

void proto_plan_free(struct reconf_plan *plan)
{
	free(plan->items);
	plan->items = NULL;
	plan->n = 0;
}

void proto_apply(struct config *new, struct reconf_plan *plan)
{
	(void)new;
	/* removals first, so that a name can move to another class */
	for (int i = 0; i < plan->n; i++) {
		struct reconf_item *it = &plan->items[i];
		if (it->action != RC_REMOVE)
			continue;
		struct proto *p = it->proto;
		proto_log(p, L_INFO, "removed from the configuration");
		p->cf = NULL;
		if (p->state == PS_DOWN)
			proto_unlink_free(p);
		else
			proto_do_stop(p, PDR_CF_REMOVE);
	}
	for (int i = 0; i < plan->n; i++) {
		struct reconf_item *it = &plan->items[i];
		struct proto *p = it->proto;
		switch (it->action) {
		case RC_SAME:
			p->cf = it->new_cf;
			p->name = p->cf->name;
			it->new_cf->proto = p;
			break;
		case RC_SOFT: {
			int ok = 1;
			it->new_cf->proto = p;
			if (p->class->reconfigure && p->state != PS_DOWN)
				ok = p->class->reconfigure(p, it->new_cf);
			if (!ok) {
				it->action = RC_RESTART;
				goto restart;
			}
			p->cf = it->new_cf;
			p->name = p->cf->name;
			p->debug = p->cf->debug;
			channel_proto_reconfigured(p);	/* new export filter: refeed */
			if (p->disabled != p->cf->disabled) {
				p->disabled = p->cf->disabled;
				if (p->disabled)
					proto_do_stop(p, PDR_DISABLE);
				else
					proto_do_start(p);
			}
			break;
		}
		case RC_RESTART:
		restart:
			proto_log(p, L_INFO, "restarting: %s", it->why.text[0] ? it->why.text : "configuration changed");
			it->new_cf->proto = p;
			p->debug = it->new_cf->debug;
			p->disabled = it->new_cf->disabled;
			if (p->state == PS_DOWN) {
				p->cf = it->new_cf;
				p->name = p->cf->name;
				proto_do_start(p);
			} else {
				p->pending_cf = it->new_cf;
				p->restart_pending = 1;
				proto_do_stop(p, PDR_CF_RESTART);
			}
			break;
		case RC_ADD:
			proto_do_start(proto_create(it->new_cf));
			break;
		case RC_REMOVE:
			break;
		}
	}
}
