/*
 * metalbird -- configuration: the parsed config and its lifecycle
 *
 * A config is parsed completely into a fresh struct config that owns an
 * arena; only a config that parsed and passed every check replaces the
 * running one (conf/conf.c), and the protocol core then applies the
 * difference (nest/protocol.c).  Errors are reported as FILE:LINE:COL: msg.
 */
#ifndef MB_CONF_H
#define MB_CONF_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "nest/ip.h"
#include "nest/mem.h"

/* Position of a token: also bison's location type (YYLTYPE). */
struct cf_loc {
	const char *file;	/* file name as given (arena string) */
	int line, col;		/* 1-based */
	int first_line, first_column, last_line, last_column;	/* bison needs these names */
};
#define YYLTYPE struct cf_loc
#define YYLTYPE_IS_DECLARED 1
#define YYLTYPE_IS_TRIVIAL 0
#define YYLLOC_DEFAULT(Cur, Rhs, N)					\
	do {								\
		if (N)							\
			(Cur) = YYRHSLOC(Rhs, 1);			\
		else							\
			(Cur) = YYRHSLOC(Rhs, 0);			\
	} while (0)

enum sym_class {
	SYM_VOID,		/* seen but not defined */
	SYM_CONSTANT,		/* define NAME = EXPR; def: struct f_val * */
	SYM_POOL,		/* def: struct pool_config * */
	SYM_PROTO,		/* def: struct proto_config * */
	SYM_TEMPLATE,		/* def: struct proto_config * */
	SYM_FILTER,		/* def: struct filter * */
	SYM_FUNCTION,		/* def: struct f_function * */
	SYM_VARIABLE,		/* def: filter-local variable */
};

struct symbol {
	struct symbol *next;	/* hash chain */
	const char *name;
	enum sym_class class;
	int scope;		/* nesting depth where defined, 0 = global */
	void *def;		/* depends on class */
	struct cf_loc loc;	/* where it was defined */
};

enum log_target { LOG_T_STDERR, LOG_T_SYSLOG, LOG_T_FILE };

struct log_cfg {
	struct log_cfg *next;
	enum log_target type;
	const char *path;	/* LOG_T_FILE */
	unsigned mask;		/* 1 << L_* */
};

struct pool_config;
struct proto_config;

struct config {
	struct arena *mem;	/* everything of this config lives here */
	const char *file;	/* main config file */
	const char *dir;	/* its directory: base of relative paths */
	ip_addr router_id;	/* zero: take it from the node */
	int router_id_set;
	const char *node_name;	/* NULL: $NODE_NAME, else the hostname */
	struct log_cfg *logs;	/* NULL: the default (stderr when foreground, else syslog) */
	unsigned debug_protos;	/* default debug flags of protocols (D_*) */
	const char *state_dir;
	ip_addr metrics_addr;
	int metrics_port;	/* 0: no metrics listener */
	const char *peers_file;	/* absolute path, or NULL */
	struct pool_config *pools;	/* in config order */
	struct proto_config *protos;	/* in config order, templates excluded */
	struct symbol **symtab;
	unsigned symtab_size, nsyms;
	int scope;		/* current scope depth while parsing */
	double load_time;	/* wall clock when it was read */
	void *ext[4];		/* per-module data hung on the config (CF_EXT_*) */
};

/* Slots of config->ext used by modules that are not in conf/. */
#define CF_EXT_FILTER 0

/* The config being parsed, and the running one. */
extern struct config *new_config;
extern struct config *config;

/* Parse FILE (and peers_file if the config names one) into a new config.
 * On failure returns NULL and writes "FILE:LINE:COL: message" into err. */
struct config *config_parse(const char *file, char *err, size_t errlen);
/* Parse from a string (unit tests, fuzzers); name is used in errors. */
struct config *config_parse_string(const char *name, const char *text, char *err, size_t errlen);
void config_free(struct config *c);
/* Write the canonical form (for metalbird -p -v). */
void config_dump(FILE *out, const struct config *c);
/* A string in config syntax, quoted and escaped (for dump_config hooks). */
void cf_dump_string(FILE *out, const char *s);

/* --- for grammar actions and module hooks, while parsing ----------------- */

/* Report an error at a location / at the last token and abandon the parse. */
void cf_error_at(const struct cf_loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
void cf_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void cf_verror_at(const struct cf_loc *loc, const char *fmt, va_list ap) __attribute__((noreturn));
/* Report a warning (printed by -p, logged by configure) at a location. */
void cf_warn_at(const struct cf_loc *loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void *cf_alloc(size_t n);	/* zeroed, from the new config's arena */
char *cf_strdup(const char *s);
char *cf_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A path relative to the main config file's directory, made absolute. */
char *cf_path(const char *p);

struct symbol *cf_find_symbol(const char *name);
/* Define name (which must not be defined in the current scope). */
struct symbol *cf_define_symbol(const char *name, enum sym_class cls, void *def,
				const struct cf_loc *loc);
void cf_push_scope(void);
void cf_pop_scope(void);
const char *cf_symbol_class_name(enum sym_class c);

/* Block context for error messages: "in protocol bgp", "in pool prod". */
void cf_ctx_push(const char *what);
void cf_ctx_pop(void);

/* Lexer interface (conf/cf-lex.l) */
int cf_lex_open(const char *file, const struct cf_loc *from, char *err, size_t errlen);
int cf_lex_open_string(const char *name, const char *text);
void cf_lex_cleanup(void);
const char *cf_stmt_text(const struct cf_loc *upto);	/* statement so far, with the last token */
const char *cf_stmt_prefix(void);			/* ... without it */
int cf_tok_starts_stmt(void);
extern int cf_prev_tok_line;		/* where the token before the last one ended */
extern struct cf_loc cf_tok_loc;	/* position of the last token read */
extern int cf_tok_len;			/* its length */
extern const char *cf_tok_text;		/* its text */
int cf_keyword_token(const char *word);	/* token of a keyword, or 0 */
/* Print a name as the config language reads it back: bare when it is a
 * plain word and no keyword, else in apostrophes ('prod-pool'). */
void cf_put_name(FILE *out, const char *name);
extern int cf_start_token;		/* a start token the lexer returns first (CLI parsing) */

/* The generated parser's stack memory (YYMALLOC/YYFREE): what an error
 * leaves behind is freed by the parse that longjmps out. */
void *cf_parser_alloc(size_t n);
void cf_parser_free(void *p);

/* Time parsing helper for values with units ("300 ms"). */
#define CF_MAX_INCLUDE_DEPTH 8

#endif
