/*
 * metalbird -- control sessions: reply lines in BIRD's framing
 *
 * A reply is a sequence of lines, each with a four-digit code: "DDDD-text"
 * starts a block, " text" continues the same code, "DDDD text" ends the
 * reply (SPEC section 2, doc/reply-codes).  Handlers write with cli_msg():
 * a negative code for a line that more lines follow, a positive one for the
 * last line.  A long reply is produced in slices: the handler sets c->cont
 * and is called again when the client has read what was sent, so that no
 * client can make the daemon buffer without bound or wait.
 */
#ifndef MB_CLI_H
#define MB_CLI_H

#include <stddef.h>

struct json_t;

struct cli {
	void *conn;			/* the control connection (sysdep/unix/ctl.c) */
	void (*write)(struct cli *c, const char *buf, size_t len);
	int restricted;			/* only read-only commands */
	int json;			/* reply as one JSON document */
	int last_code;			/* code of the last non-final line */
	int errors;			/* error lines sent in this reply */
	/* Streaming: called again when the output has drained; the handler
	 * clears cont when it has sent its final line. */
	void (*cont)(struct cli *c);
	void *cont_data;
	void (*cont_cleanup)(struct cli *c);	/* the client left mid-reply */
};

void cli_msg(struct cli *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Send a JSON document as the whole reply (consumes the reference). */
void cli_json(struct cli *c, int code, struct json_t *doc);
/* End a reply that has no final line of its own: "0000 " */
void cli_ok(struct cli *c);
/* A command finished with an error: code 8xxx/9xxx. */
#define cli_err(c, code, ...) cli_msg(c, code, __VA_ARGS__)

/* Reply codes (doc/reply-codes lists them all) */
enum {
	RC_OK = 0, RC_WELCOME = 1, RC_READING_CONFIG = 2, RC_RECONFIGURED = 3,
	RC_RECONF_IN_PROGRESS = 4, RC_SHUTDOWN = 7, RC_ALREADY_DISABLED = 8, RC_DISABLED = 9,
	RC_ALREADY_ENABLED = 10, RC_ENABLED = 11, RC_RESTARTED = 12, RC_STATUS = 13,
	RC_ROUTE_COUNT = 14, RC_ACCESS_RESTRICTED = 16, RC_RECONF_CONFIRMED = 18,
	RC_NOTHING_TO_DO = 19, RC_CONFIG_OK = 20, RC_UNDO_REQUESTED = 21, RC_UNDO_SCHEDULED = 22,
	RC_PEER_SET = 26, RC_PEER_REMOVED = 27,

	RC_VERSION = 1000, RC_IFACE_LIST = 1001, RC_PROTO_LIST = 1002, RC_IFACE_ADDR = 1003,
	RC_IFACE_FLAGS = 1004, RC_PROTO_DETAILS = 1006, RC_ROUTE_LIST = 1007,
	RC_ROUTE_DETAILS = 1008, RC_SYMBOLS = 1010, RC_UPTIME = 1011, RC_ROUTE_ATTRS = 1012,
	RC_MEMORY = 1018, RC_BFD_SESSIONS = 1020, RC_HELP = 1025,
	RC_PLAN = 1030, RC_POOL_LIST = 1031, RC_SERVICE_LIST = 1032, RC_PEER_LIST = 1033,
	RC_JSON = 1040,

	RC_PROTO_HEADING = 2002, RC_POOL_HEADING = 2031, RC_SERVICE_HEADING = 2032,
	RC_PEER_HEADING = 2033, RC_BFD_HEADING = 2020,

	RC_E_REPLY_TOO_LONG = 8000, RC_E_NOT_FOUND = 8001, RC_E_CONFIG = 8002,
	RC_E_NO_PROTOCOLS = 8003, RC_E_STOPPED_RECONF = 8004, RC_E_RELOAD_FAILED = 8006,
	RC_E_ACCESS_DENIED = 8007, RC_E_RUNTIME = 8008, RC_E_FILE = 8009,
	RC_E_NOT_AVAILABLE = 8010, RC_E_PEER = 8011,

	RC_E_TOO_LONG = 9000, RC_E_PARSE = 9001, RC_E_SYMBOL = 9002, RC_E_ARG_TOO_LONG = 9003,
};

/* Time formatting as BIRD's `show protocols` Since column. */
void cli_fmt_since(double t, char *buf, size_t len);
void cli_fmt_time(double t, char *buf, size_t len);

#endif
