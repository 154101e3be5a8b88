/*
 * metalbird -- the base config grammar
 *
 * Top-level statements, pools and what every protocol block shares.
 * Protocol-specific syntax lives in each protocol's config.y fragment and is
 * merged in by tools/merge-grammar.awk (see DEVELOPERS.md).
 */

CF_HDR
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <syslog.h>

#include "conf/conf.h"
#include "nest/log.h"
#include "nest/pool.h"
#include "nest/protocol.h"
#include "nest/selector.h"

int yylex(void);
static void yyerror(const char *msg);

/* Errors leave the parser by longjmp (conf/conf.c), past the code that
 * frees the parser's stacks once they have grown on the heap (deep nesting,
 * or lookahead correction exploring far): they are allocated through
 * conf.c, which frees what is left after an error. */
#define YYMALLOC cf_parser_alloc
#define YYFREE cf_parser_free
static struct pool_config *this_pool;
static unsigned this_agg[POOL_MAX_AGG];
static int this_nagg;

CF_DECLS

%define parse.error custom
%define parse.lac full
%define api.token.prefix {K_}
%locations
%expect 0

%union {
	uint64_t i;
	char *s;
	ip_addr a;
	net_addr net;
	void *p;
}

%token <i> NUM
%token <a> IP4 IP6
%token <s> SYM STRING
%token NEQ LEQ GEQ NMA AND OR DDOT

%type <i> bool proto_start log_class log_classes debug_flag debug_flags debug_mask agg_item
%type <a> ipa
%type <s> string_item

CF_KEYWORDS(ROUTER, ID, NODE, NAME, LOG, STDERR, SYSLOG, ALL, OFF, ON, YES, NO, TRUE, FALSE)
CF_KEYWORDS(DEBUG, PROTOCOLS, STATES, ROUTES, FILTERS, EVENTS, PACKETS)
CF_KEYWORDS(TRACE, INFO, REMOTE, WARNING, ERROR, AUTH, FATAL, BUG)
CF_KEYWORDS(STATE, DIR, METRICS, LISTEN, PORT, PEERS, FILE)
CF_KEYWORDS(POOL, ADDRESSES, AUTO, ASSIGN, AVOID, BUGGY, IPS, AGGREGATION, LENGTH, LENGTH6)
CF_KEYWORDS(NAMESPACES, SERVICE, SELECTOR, PRIORITY)
CF_KEYWORDS(PROTOCOL, TEMPLATE, FROM, DESCRIPTION, DISABLED, IMPORT, EXPORT)

CF_GRAMMAR

config: conf_list ;

conf_list:
   %empty
 | conf_list conf_item
 ;

conf_item:
   ';'
 | ROUTER ID IP4 ';' {
	if (!ip4_get($3))
		cf_error_at(&@3, "router id 0.0.0.0 is not allowed: give a non-zero IPv4 address");
	new_config->router_id = $3;
	new_config->router_id_set = 1;
   }
 | ROUTER ID IP6 ';' { cf_error_at(&@3, "router id must be an IPv4 address (a 32-bit identifier), not IPv6"); }
 | NODE NAME STRING ';' {
	if (!*$3)
		cf_error_at(&@3, "node name must not be empty");
	new_config->node_name = $3;
   }
 | LOG log_target log_mask ';' {
	/* cf_log_target() put the new target first so that log_mask could fill
	 * it in; keep config order (the canonical dump shows it) */
	struct log_cfg *l = new_config->logs, **pp;
	if (l->next) {
		new_config->logs = l->next;
		for (pp = &new_config->logs; *pp; pp = &(*pp)->next)
			;
		*pp = l;
		l->next = NULL;
	}
   }
 | DEBUG PROTOCOLS debug_mask ';' { new_config->debug_protos = $3; }
 | STATE DIR STRING ';' {
	if (!*$3)
		cf_error_at(&@3, "state dir must not be empty");
	new_config->state_dir = cf_path($3);
   }
 | METRICS LISTEN ipa PORT NUM ';' {
	if ($5 < 1 || $5 > 65535)
		cf_error_at(&@5, "port %u is out of range (1-65535)", (unsigned)$5);
	new_config->metrics_addr = $3;
	new_config->metrics_port = (int)$5;
   }
 | PEERS FILE STRING ';' {
	if (!*$3)
		cf_error_at(&@3, "peers file must not be empty");
	new_config->peers_file = cf_path($3);
   }
 | pool_def
 | proto
 ;

ipa: IP4 { $$ = $1; } | IP6 { $$ = $1; } ;

bool:
   %empty { $$ = 1; }
 | YES { $$ = 1; } | ON { $$ = 1; } | TRUE { $$ = 1; }
 | NO { $$ = 0; } | OFF { $$ = 0; } | FALSE { $$ = 0; }
 | SYM { cf_error_at(&@1, "'%s' is not a yes/no value: write yes, no, on, off, true or false", $1); }
 ;

/* --- log ----------------------------------------------------------------- */

log_target:
   STDERR { cf_log_target(LOG_T_STDERR, NULL); }
 | SYSLOG { cf_log_target(LOG_T_SYSLOG, NULL); }
 | STRING {
	if (!*$1)
		cf_error_at(&@1, "log file name must not be empty");
	cf_log_target(LOG_T_FILE, cf_path($1));
   }
 ;

log_mask:
   ALL { new_config->logs->mask = ~0u; }
 | '{' log_classes '}' { new_config->logs->mask = (unsigned)$2; }
 ;

log_classes:
   log_class { $$ = $1; }
 | log_classes ',' log_class { $$ = $1 | $3; }
 ;

log_class:
   DEBUG { $$ = 1u << L_DEBUG; } | TRACE { $$ = 1u << L_TRACE; }
 | INFO { $$ = 1u << L_INFO; } | REMOTE { $$ = 1u << L_REMOTE; }
 | WARNING { $$ = 1u << L_WARN; } | ERROR { $$ = 1u << L_ERR; }
 | AUTH { $$ = 1u << L_AUTH; } | FATAL { $$ = 1u << L_FATAL; }
 | BUG { $$ = 1u << L_BUG; }
 ;

/* --- debug masks --------------------------------------------------------- */

debug_mask:
   ALL { $$ = D_ALL; }
 | OFF { $$ = 0; }
 | '{' debug_flags '}' { $$ = $2; }
 ;

debug_flags:
   debug_flag { $$ = $1; }
 | debug_flags ',' debug_flag { $$ = $1 | $3; }
 ;

debug_flag:
   STATES { $$ = D_STATES; } | ROUTES { $$ = D_ROUTES; } | FILTERS { $$ = D_FILTERS; }
 | EVENTS { $$ = D_EVENTS; } | PACKETS { $$ = D_PACKETS; }
 ;

/* --- pools --------------------------------------------------------------- */

pool_def: pool_start '{' pool_items '}' {
	pool_config_finish(this_pool);
	cf_ctx_pop();
	this_pool = NULL;
   }
 ;

pool_start: POOL SYM {
	this_pool = pool_config_new($2, &@2);
	cf_define_symbol($2, SYM_POOL, this_pool, &@2);
	cf_ctx_push(cf_printf("pool %s", $2));
   }
 ;

pool_items:
   %empty
 | pool_items pool_item ';'
 ;

pool_item:
   ADDRESSES pool_ranges
 | AUTO ASSIGN bool { this_pool->auto_assign = (int)$3; }
 | AVOID BUGGY IPS bool { this_pool->avoid_buggy_ips = (int)$4; }
 | AGGREGATION LENGTH agg_list {
	for (int i = 0; i < this_nagg; i++)
		if (this_agg[i] > 32)
			cf_error_at(&@3, "aggregation length %u is too long for IPv4 (at most 32; use aggregation length6 for IPv6)", this_agg[i]);
	memcpy(this_pool->agg4, this_agg, sizeof(int) * this_nagg);
	this_pool->nagg4 = this_nagg;
	this_pool->agg4_loc = @3;
   }
 | AGGREGATION LENGTH6 agg_list {
	for (int i = 0; i < this_nagg; i++)
		if (this_agg[i] > 128)
			cf_error_at(&@3, "aggregation length6 %u is too long (at most 128)", this_agg[i]);
	memcpy(this_pool->agg6, this_agg, sizeof(int) * this_nagg);
	this_pool->nagg6 = this_nagg;
	this_pool->agg6_loc = @3;
   }
 | NAMESPACES pool_namespaces
 | SERVICE SELECTOR STRING {
	char err[128];
	int off = 0;
	this_pool->service_selector = selector_parse(new_config->mem, $3, err, sizeof err, &off);
	if (!this_pool->service_selector)
		cf_error_at(&@3, "invalid service selector \"%s\": %s at character %d", $3, err, off + 1);
	this_pool->service_selector_text = $3;
   }
 | PRIORITY NUM {
	if ($2 > 0x7fffffff)
		cf_error_at(&@2, "priority %u is too large", (unsigned)$2);
	this_pool->priority = (int)$2;
	this_pool->has_priority = 1;
   }
 ;

pool_ranges: pool_range | pool_ranges ',' pool_range ;

pool_range:
   ipa '/' NUM { pool_add_prefix(this_pool, $1, ip_af($1), (unsigned)$3, &@1); }
 | ipa '-' ipa { pool_add_range(this_pool, $1, $3, &@1); }
 | ipa { pool_add_prefix(this_pool, $1, ip_af($1), (unsigned)af_maxlen(ip_af($1)), &@1); }
 ;

agg_list:
   agg_item { this_nagg = 0; this_agg[this_nagg++] = (unsigned)$1; }
 | agg_list ',' agg_item {
	if (this_nagg == POOL_MAX_AGG)
		cf_error_at(&@3, "at most %d aggregation lengths", POOL_MAX_AGG);
	this_agg[this_nagg++] = (unsigned)$3;
   }
 ;

agg_item: NUM {
	if ($1 < 1)
		cf_error_at(&@1, "aggregation length must be at least 1");
	$$ = $1;
   }
 ;

pool_namespaces: string_item {
	this_pool->namespaces = cf_alloc(sizeof(char *) * 64);
	this_pool->nnamespaces = 0;
	this_pool->namespaces[this_pool->nnamespaces++] = $1;
   }
 | pool_namespaces ',' string_item {
	if (this_pool->nnamespaces == 64)
		cf_error_at(&@3, "at most 64 namespaces per pool");
	this_pool->namespaces[this_pool->nnamespaces++] = $3;
   }
 ;

string_item: STRING {
	if (!*$1)
		cf_error_at(&@1, "empty string is not allowed here");
	$$ = $1;
   }
 ;

/* --- what every protocol shares ------------------------------------------ */

/*
 * A protocol fragment writes:
 *   proto: NAME_proto '}' { proto_config_finish(this_proto); } ;
 *   NAME_proto_start: proto_start KEYWORD { this_proto = proto_config_new(&proto_NAME, $1, &@2); } ;
 *   NAME_proto:
 *      NAME_proto_start proto_name '{'
 *    | NAME_proto proto_item ';'
 *    | NAME_proto NAME_item ';'
 *    ;
 */
proto_start:
   PROTOCOL { $$ = 0; }
 | TEMPLATE { $$ = 1; }
 ;

proto_name:
   %empty { proto_config_name(this_proto, NULL, &@$); }
 | SYM { proto_config_name(this_proto, $1, &@1); }
 | FROM SYM { proto_config_name(this_proto, NULL, &@1); proto_config_from(this_proto, $2, &@2); }
 | SYM FROM SYM { proto_config_name(this_proto, $1, &@1); proto_config_from(this_proto, $3, &@3); }
 ;

proto_item:
   %empty
 | DESCRIPTION STRING { this_proto->description = $2; }
 | DISABLED bool { this_proto->disabled = (int)$2; }
 | DEBUG debug_mask { this_proto->debug = (unsigned)$2; this_proto->debug_set = 1; }
 | NODE SELECTOR STRING {
	char err[128];
	int off = 0;
	this_proto->node_selector = selector_parse(new_config->mem, $3, err, sizeof err, &off);
	if (!this_proto->node_selector)
		cf_error_at(&@3, "invalid node selector \"%s\": %s at character %d", $3, err, off + 1);
	this_proto->node_selector_text = $3;
   }
 | IMPORT imexport_in
 | EXPORT imexport_out
 ;

CF_CODE

static void yyerror(const char *msg)
{
	if (!strcmp(msg, "memory exhausted"))
		cf_error("nested too deeply");
	cf_error("%s", msg);
}

/* A token's name as a person reads it in a message. */
static const char *tok_desc(yysymbol_kind_t k, char *buf, size_t len)
{
	const char *n = yysymbol_name(k);

	switch (k) {
	case YYSYMBOL_NUM: return "a number";
	case YYSYMBOL_IP4: return "an IPv4 address";
	case YYSYMBOL_IP6: return "an IPv6 address";
	case YYSYMBOL_SYM: return "a name";
	case YYSYMBOL_STRING: return "a string in double quotes";
	case YYSYMBOL_YYEOF: return "end of file";
	case YYSYMBOL_NEQ: return "'!='";
	case YYSYMBOL_LEQ: return "'<='";
	case YYSYMBOL_GEQ: return "'>='";
	case YYSYMBOL_NMA: return "'!~'";
	case YYSYMBOL_AND: return "'&&'";
	case YYSYMBOL_OR: return "'||'";
	case YYSYMBOL_DDOT: return "'..'";
	default: break;
	}
	if (n[0] == '"' || n[0] == '\'')
		return n;
	/* a keyword: its config word */
	size_t i;
	buf[0] = '\'';
	for (i = 0; n[i] && i + 3 < len; i++)
		buf[i + 1] = (char)(n[i] >= 'A' && n[i] <= 'Z' ? n[i] - 'A' + 'a' : n[i]);
	buf[i + 1] = '\'';
	buf[i + 2] = 0;
	return buf;
}

static int tok_is_keyword(yysymbol_kind_t k)
{
	const char *n = yysymbol_name(k);
	char low[64];
	size_t i;

	for (i = 0; n[i] && i < sizeof low - 1; i++)
		low[i] = (char)(n[i] >= 'A' && n[i] <= 'Z' ? n[i] - 'A' + 'a' : n[i]);
	low[i] = 0;
	return cf_keyword_token(low) != 0;
}

const char *cf_ctx_top(void);
const struct cf_loc *cf_ctx_top_loc(void);

/* Only words (keywords and names) so far: "hold tim" is an option misspelt,
 * "{ states, route" is a value list. */
static int words_only(const char *s)
{
	for (; *s; s++)
		if (!(*s == ' ' || *s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9')))
			return 0;
	return 1;
}

/* Syntax errors, in words (SPEC section 3):
 * - a statement that starts with a word no rule knows, or option words that
 *   continue as no option does: "unknown option 'hold tim' in protocol bgp";
 * - a complete statement followed by something else: "missing ';'", at the
 *   token where the ';' was expected;
 * - the end of the input inside a block: "missing '}'", naming the block;
 * - anything else: what came, after which words, and what could have come. */
static int yyreport_syntax_error(const yypcontext_t *ctx)
{
	yysymbol_kind_t exp[YYNTOKENS];
	int n = yypcontext_expected_tokens(ctx, exp, YYNTOKENS);
	yysymbol_kind_t got = yypcontext_token(ctx);
	const struct cf_loc *at = yypcontext_location(ctx);
	char found[80], b1[64], after[160], in[160];
	int semi = 0, kw = 0, other = 0;

	if (n < 0)
		n = 0;
	if (got == YYSYMBOL_YYEOF || !cf_tok_text)
		snprintf(found, sizeof found, "end of file");
	else
		snprintf(found, sizeof found, "'%.*s'", cf_tok_len > 60 ? 60 : cf_tok_len, cf_tok_text);

	for (int i = 0; i < n; i++) {
		if (exp[i] == YYSYMBOL_YYEOF)
			continue;
		if (!strcmp(yysymbol_name(exp[i]), "';'"))
			semi = 1;
		else if (!strcmp(yysymbol_name(exp[i]), "'}'"))
			;
		else if (tok_is_keyword(exp[i]))
			kw++;
		else
			other++;
	}
	const char *ctx_name = cf_ctx_top();
	const struct cf_loc *ctx_at = cf_ctx_top_loc();
	int got_word = got == YYSYMBOL_SYM || tok_is_keyword(got);
	const char *prefix = cf_stmt_prefix();

	in[0] = after[0] = 0;
	if (ctx_name)
		snprintf(in, sizeof in, " in %s", ctx_name);
	const char *so_far = NULL;
	if (*prefix && !strchr(prefix, ',') && got != YYSYMBOL_YYEOF)
		so_far = prefix;
	else if (got == YYSYMBOL_YYEOF && *cf_stmt_text(NULL))
		so_far = cf_stmt_text(NULL);
	/* a long statement: its end is what the reader needs */
	if (so_far && strlen(so_far) > 60)
		snprintf(after, sizeof after, " after '...%s'", so_far + strlen(so_far) - 57);
	else if (so_far)
		snprintf(after, sizeof after, " after '%s'", so_far);

	/* the end of the input inside a block, between statements */
	if (got == YYSYMBOL_YYEOF && ctx_name && !after[0])
		cf_error_at(at, "unexpected end of file%s: missing '}' to close the block opened at line %d",
			    in, ctx_at->line);
	/* a word where a yes/no value goes */
	for (int i = 0; i < n && got_word; i++)
		if (exp[i] == YYSYMBOL_YES)
			cf_error_at(at, "%s is not a yes/no value: write yes, no, on, off, true or false", found);
	/* a word where a string goes, and the other way round */
	if (n == 1 && exp[0] == YYSYMBOL_STRING && (got == YYSYMBOL_SYM || tok_is_keyword(got)))
		cf_error_at(at, "%s must be a string in double quotes: \"%.*s\"", found,
			    cf_tok_len > 60 ? 60 : cf_tok_len, cf_tok_text);
	if (n == 1 && exp[0] == YYSYMBOL_SYM && got == YYSYMBOL_STRING)
		cf_error_at(at, "unexpected string %.*s: a name is written without quotes",
			    cf_tok_len > 60 ? 60 : cf_tok_len, cf_tok_text);
	/* a keyword where a name goes */
	if (n == 1 && exp[0] == YYSYMBOL_SYM && got != YYSYMBOL_SYM && tok_is_keyword(got))
		cf_error_at(at, "%s is a keyword and cannot be used as a name", found);
	/* protocol NAME-OF-NO-CLASS */
	if (got == YYSYMBOL_SYM && (!strcmp(prefix, "protocol") || !strcmp(prefix, "template")))
		cf_error_at(at, "unknown protocol type %s", found);
	/* an option misspelt, or a statement that does not exist */
	if (got_word && (cf_tok_starts_stmt() || (kw && !other && !semi && words_only(prefix)))) {
		if (ctx_name)
			cf_error_at(at, "unknown option '%s'%s", cf_stmt_text(at), in);
		cf_error_at(at, "unknown statement '%s'", cf_stmt_text(at));
	}
	/* the statement was complete: what follows must be ';' */
	int in_stmt = got == YYSYMBOL_YYEOF ? !!*cf_stmt_text(NULL) : !!*prefix;
	if (semi && in_stmt && (got_word || got == YYSYMBOL_YYEOF || got == YYSYMBOL_STRING || got == YYSYMBOL_NUM ||
		     !strcmp(yysymbol_name(got), "'}'") || !strcmp(yysymbol_name(got), "'{'")))
		cf_error_at(at, "missing ';' before %s", found);
	if (!strcmp(yysymbol_name(got), "'}'") && !ctx_name && !*prefix)
		cf_error_at(at, "unexpected '}': no block is open here");

	char list[320];
	size_t o = 0;
	int shown = 0, total = 0;
	list[0] = 0;
	for (int i = 0; i < n; i++)
		total += exp[i] != YYSYMBOL_YYEOF;
	for (int i = 0; i < n && shown < 10; i++) {
		if (exp[i] == YYSYMBOL_YYEOF)
			continue;
		const char *sep = !shown ? "" : (shown == total - 1 ? " or " : ", ");
		o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", sep, tok_desc(exp[i], b1, sizeof b1));
		shown++;
		if (o >= sizeof list)
			break;
	}
	if (shown < total && o < sizeof list)
		snprintf(list + o, sizeof list - o, ", ...");
	/* `pool prod-pool {`: a name with '-' read as a name and a minus */
	const char *hint = "";
	size_t pl = strlen(prefix);
	if (cf_tok_text && cf_tok_len == 1 && cf_tok_text[0] == '-' && pl &&
	    (isalnum((unsigned char)prefix[pl - 1]) || prefix[pl - 1] == '_'))
		hint = " (a name with '-' is written in apostrophes, as 'prod-pool')";
	if (shown)
		cf_error_at(at, "unexpected %s%s%s: expected %s%s", found, after, in, list, hint);
	cf_error_at(at, "unexpected %s%s%s%s", found, after, in, hint);
}
