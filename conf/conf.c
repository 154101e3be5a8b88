/*
 * metalbird -- configuration lifecycle
 *
 * config_parse() reads a config into a new struct config with its own
 * arena.  Grammar actions report errors with cf_error_at(), which unwinds
 * the parse with longjmp; nothing of the half-built config escapes, and the
 * arena is freed whole.  The running config is never touched by a parse: the
 * caller decides to commit (sysdep/unix/main.c, nest/cmds.c).
 *
 * After the main file, the `peers file` (if named and present) is read as if
 * included at the end (SPEC section 3), so that peers managed by
 * `peer set` go through exactly the same checks as the config.
 */
#include "conf/conf.h"
#include "nest/log.h"
#include "nest/pool.h"
#include "nest/protocol.h"
#include "nest/selector.h"
#include "nest/filter/filter.h"

#include <errno.h>
#include <libgen.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cf-parse.h"

struct config *new_config;
struct config *config;

static jmp_buf cf_jmp;
static char *cf_errbuf;
static size_t cf_errlen;

#define CTX_MAX 8
static const char *ctx_stack[CTX_MAX];
static struct cf_loc ctx_loc[CTX_MAX];	/* where each block was opened */
static int ctx_depth;

void cf_verror_at(const struct cf_loc *loc, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (loc && loc->file)
		snprintf(cf_errbuf, cf_errlen, "%s:%d:%d: %s", loc->file, loc->line, loc->col, msg);
	else
		snprintf(cf_errbuf, cf_errlen, "%s", msg);
	longjmp(cf_jmp, 1);
}

void cf_error_at(const struct cf_loc *loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cf_verror_at(loc, fmt, ap);
}

void cf_error(const char *fmt, ...)
{
	va_list ap;
	struct cf_loc at = cf_tok_loc;
	va_start(ap, fmt);
	cf_verror_at(&at, fmt, ap);
}

void cf_warn_at(const struct cf_loc *loc, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_msg(L_WARN, "%s:%d:%d: warning: %s", loc->file, loc->line, loc->col, msg);
}

void *cf_alloc(size_t n)
{
	return arena_alloc(new_config->mem, n);
}

char *cf_strdup(const char *s)
{
	return arena_strdup(new_config->mem, s);
}

char *cf_printf(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return cf_strdup(buf);
}

char *cf_path(const char *p)
{
	if (p[0] == '/' || !new_config->dir)
		return cf_strdup(p);
	return cf_printf("%s/%s", new_config->dir, p);
}

void cf_ctx_push(const char *what)
{
	if (ctx_depth < CTX_MAX) {
		ctx_stack[ctx_depth] = what;
		ctx_loc[ctx_depth] = cf_tok_loc;
	}
	ctx_depth++;
}

void cf_ctx_pop(void)
{
	if (ctx_depth > 0)
		ctx_depth--;
}

const char *cf_ctx_top(void);
const char *cf_ctx_top(void)
{
	if (!ctx_depth)
		return NULL;
	return ctx_stack[(ctx_depth > CTX_MAX ? CTX_MAX : ctx_depth) - 1];
}

const struct cf_loc *cf_ctx_top_loc(void);
const struct cf_loc *cf_ctx_top_loc(void)
{
	if (!ctx_depth)
		return NULL;
	return &ctx_loc[(ctx_depth > CTX_MAX ? CTX_MAX : ctx_depth) - 1];
}

/* --- symbols --------------------------------------------------------------- */

static unsigned sym_hash(const char *s)
{
	unsigned h = 2166136261u;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void symtab_grow(struct config *c)
{
	unsigned size = c->symtab_size ? c->symtab_size * 2 : 64;
	struct symbol **t = arena_alloc(c->mem, sizeof(struct symbol *) * size);

	for (unsigned i = 0; i < c->symtab_size; i++)
		for (struct symbol *s = c->symtab[i], *n; s; s = n) {
			n = s->next;
			unsigned h = sym_hash(s->name) & (size - 1);
			s->next = t[h];
			t[h] = s;
		}
	c->symtab = t;
	c->symtab_size = size;
}

struct symbol *cf_find_symbol(const char *name)
{
	struct config *c = new_config;

	if (!c->symtab_size)
		return NULL;
	/* innermost scope first: chains hold newer definitions first */
	for (struct symbol *s = c->symtab[sym_hash(name) & (c->symtab_size - 1)]; s; s = s->next)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

const char *cf_symbol_class_name(enum sym_class c)
{
	switch (c) {
	case SYM_CONSTANT: return "constant";
	case SYM_POOL: return "pool";
	case SYM_PROTO: return "protocol";
	case SYM_TEMPLATE: return "template";
	case SYM_FILTER: return "filter";
	case SYM_FUNCTION: return "function";
	case SYM_VARIABLE: return "variable";
	default: return "name";
	}
}

struct symbol *cf_define_symbol(const char *name, enum sym_class cls, void *def,
				const struct cf_loc *loc)
{
	struct config *c = new_config;
	struct symbol *old = cf_find_symbol(name);

	if (old && old->scope == c->scope)
		cf_error_at(loc, "'%s' is already defined as a %s at %s:%d:%d",
			    name, cf_symbol_class_name(old->class), old->loc.file, old->loc.line, old->loc.col);
	if (c->nsyms + 1 > c->symtab_size)
		symtab_grow(c);
	struct symbol *s = cf_alloc(sizeof *s);
	s->name = cf_strdup(name);
	s->class = cls;
	s->def = def;
	s->scope = c->scope;
	s->loc = *loc;
	unsigned h = sym_hash(name) & (c->symtab_size - 1);
	s->next = c->symtab[h];
	c->symtab[h] = s;
	c->nsyms++;
	return s;
}

void cf_push_scope(void)
{
	new_config->scope++;
}

void cf_pop_scope(void)
{
	struct config *c = new_config;

	/* drop the symbols of the closing scope from the chains */
	for (unsigned i = 0; i < c->symtab_size; i++) {
		struct symbol **pp = &c->symtab[i];
		while (*pp) {
			if ((*pp)->scope >= c->scope) {
				*pp = (*pp)->next;
				c->nsyms--;
			} else
				pp = &(*pp)->next;
		}
	}
	c->scope--;
}

/* --- parse ------------------------------------------------------------------ */

int yyparse(void);

static struct config *config_new(const char *file)
{
	struct arena *a = arena_new();
	struct config *c = arena_alloc(a, sizeof *c);

	c->mem = a;
	c->file = arena_strdup(a, file);
	char *tmp = xstrdup(file);
	c->dir = arena_strdup(a, dirname(tmp));
	free(tmp);
	c->state_dir = "/var/lib/metalbird";
	c->load_time = 0;
	return c;
}

static void postconfig(struct config *c)
{
	/* protocols that run by default when the config has none of theirs */
	proto_config_implicit(c);
	/* at most max_instances of a class */
	for (struct proto_config *p = c->protos; p; p = p->next) {
		if (!p->class->max_instances)
			continue;
		int n = 0;
		for (struct proto_config *q = c->protos; q != p; q = q->next)
			if (q->class == p->class && ++n >= p->class->max_instances)
				cf_error_at(&p->loc, "only %d protocol %s allowed; '%s' is already defined at %s:%d:%d",
					    p->class->max_instances, p->class->name, q->name,
					    q->loc.file, q->loc.line, q->loc.col);
	}
}

static struct config *parse_common(struct config *c, char *err, size_t errlen, int (*open_fn)(void *), void *arg)
{
	struct config *volatile vc = c;

	new_config = c;
	cf_errbuf = err;
	cf_errlen = errlen;
	ctx_depth = 0;
	err[0] = 0;
	if (setjmp(cf_jmp)) {
		cf_lex_cleanup();
		new_config = NULL;
		config_free(vc);
		return NULL;
	}
	if (open_fn(arg) < 0) {
		cf_lex_cleanup();
		new_config = NULL;
		config_free(vc);
		return NULL;
	}
	yyparse();
	cf_lex_cleanup();
	if (c->peers_file && access(c->peers_file, F_OK) == 0) {
		char e[256];
		if (cf_lex_open(c->peers_file, NULL, e, sizeof e) < 0)
			cf_error_at(NULL, "%s", e);
		yyparse();
		cf_lex_cleanup();
	}
	postconfig(c);
	new_config = NULL;
	c->load_time = 0;
	return c;
}

struct open_arg {
	const char *file, *name, *text;
	char *err;
	size_t errlen;
};

static int open_file(void *p)
{
	struct open_arg *a = p;
	char e[256];

	if (cf_lex_open(a->file, NULL, e, sizeof e) < 0) {
		snprintf(a->err, a->errlen, "%s", e);
		return -1;
	}
	return 0;
}

static int open_string(void *p)
{
	struct open_arg *a = p;
	return cf_lex_open_string(a->name, a->text);
}

struct config *config_parse(const char *file, char *err, size_t errlen)
{
	struct open_arg a = { file, NULL, NULL, err, errlen };
	return parse_common(config_new(file), err, errlen, open_file, &a);
}

struct config *config_parse_string(const char *name, const char *text, char *err, size_t errlen)
{
	struct open_arg a = { NULL, name, text, err, errlen };
	return parse_common(config_new(name), err, errlen, open_string, &a);
}

void config_free(struct config *c)
{
	if (c)
		arena_free(c->mem);
}

/* --- canonical dump (metalbird -p -v) ---------------------------------------- */

/* A string as the lexer reads it back: in double quotes, with the quote and
 * the backslash escaped by a backslash, and newline and tab as \n and \t. */
void cf_dump_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		switch (*s) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		default: fputc(*s, out); break;
		}
	}
	fputc('"', out);
}

static void dump_kv(FILE *out, const char *indent, const char *key, const char *value)
{
	fprintf(out, "%s%s ", indent, key);
	cf_dump_string(out, value);
	fprintf(out, ";\n");
}

static void dump_debug(FILE *out, unsigned m)
{
	static const char *names[] = { "states", "routes", "filters", "events", "packets" };
	if (m == D_ALL) {
		fprintf(out, "all");
		return;
	}
	if (!m) {
		fprintf(out, "off");
		return;
	}
	fprintf(out, "{ ");
	for (int i = 0, first = 1; i < 5; i++)
		if (m & (1u << i)) {
			fprintf(out, "%s%s", first ? "" : ", ", names[i]);
			first = 0;
		}
	fprintf(out, " }");
}

void config_dump(FILE *out, const struct config *c)
{
	char a[IP_STRLEN];

	if (c->router_id_set)
		fprintf(out, "router id %s;\n", ip_ntop(c->router_id, a));
	if (c->node_name)
		dump_kv(out, "", "node name", c->node_name);
	for (const struct log_cfg *l = c->logs; l; l = l->next) {
		fprintf(out, "log ");
		if (l->type == LOG_T_STDERR)
			fprintf(out, "stderr");
		else if (l->type == LOG_T_SYSLOG)
			fprintf(out, "syslog");
		else
			cf_dump_string(out, l->path);
		if (l->mask == ~0u)
			fprintf(out, " all;\n");
		else {
			fprintf(out, " {");
			for (int i = 0, first = 1; i < L__MAX; i++)
				if (l->mask & (1u << i)) {
					static const char *n[] = { "debug", "trace", "info", "remote", "warning",
								   "error", "auth", "fatal", "bug" };
					fprintf(out, "%s %s", first ? "" : ",", n[i]);
					first = 0;
				}
			fprintf(out, " };\n");
		}
	}
	fprintf(out, "debug protocols ");
	dump_debug(out, c->debug_protos);
	fprintf(out, ";\n");
	dump_kv(out, "", "state dir", c->state_dir);
	if (c->metrics_port)
		fprintf(out, "metrics listen %s port %d;\n", ip_ntop(c->metrics_addr, a), c->metrics_port);
	if (c->peers_file)
		dump_kv(out, "", "peers file", c->peers_file);
	for (const struct pool_config *p = c->pools; p; p = p->next) {
		fprintf(out, "\n");
		pool_config_dump(out, p);
	}
	/* constants, functions and filters before the protocols that name them */
	filter_dump_defs(out, c);
	for (const struct proto_config *p = c->protos; p; p = p->next) {
		fprintf(out, "\nprotocol %s ", p->class->name);
		cf_put_name(out, p->name);
		fputs(" {\n", out);
		if (p->description)
			dump_kv(out, "\t", "description", p->description);
		fprintf(out, "\tdisabled %s;\n", p->disabled ? "yes" : "no");
		fprintf(out, "\tdebug ");
		dump_debug(out, p->debug);
		fprintf(out, ";\n");
		if (p->node_selector_text)
			dump_kv(out, "\t", "node selector", p->node_selector_text);
		fprintf(out, "\timport ");
		filter_dump_spec(out, p->in_filter ? p->in_filter : FILTER_REJECT);
		fprintf(out, ";\n\texport ");
		filter_dump_spec(out, p->out_filter ? p->out_filter : FILTER_REJECT);
		fprintf(out, ";\n");
		if (p->class->dump_config)
			p->class->dump_config(out, p);
		fprintf(out, "}\n");
	}
}
