/*
 * metalbirdc -- parser of the daemon's reply lines
 *
 * The control protocol (SPEC section 2, BIRD's framing): every reply line is
 *   "DDDD-text"  a line with code DDDD, more lines follow;
 *   "DDDD text"  the last line of the reply;
 *   " text"      a continuation with the code of the line before;
 *   "+text"      spontaneous output, not part of any reply.
 * The parser is fed bytes as they come off the socket and hands back whole
 * lines; it knows nothing of sockets so the unit tests and the fuzzer drive it
 * directly.
 */
#ifndef MB_CLIENT_REPLY_H
#define MB_CLIENT_REPLY_H

#include <stddef.h>

/* Longest line kept whole; BIRD's lines are at most 512 bytes.  The tail of
 * a longer line is dropped and the line is marked truncated. */
#define REPLY_LINE_MAX 4096

enum reply_kind {
	REPLY_MORE,	/* "DDDD-text": more lines of the reply follow */
	REPLY_LAST,	/* "DDDD text": last line of the reply */
	REPLY_CONT,	/* " text": same code as the line before */
	REPLY_ASYNC,	/* "+text": spontaneous output (log echo) */
	REPLY_BAD,	/* not a reply line at all */
};

struct reply_line {
	enum reply_kind kind;	/* REPLY_* */
	int code;		/* 0..9999, inherited by continuations; -1 if none */
	const char *text;	/* the text after the prefix, NUL terminated */
	size_t len;		/* length of text */
	const char *raw;	/* the whole line without its newline */
	size_t rawlen;		/* length of raw */
	int truncated;		/* longer than REPLY_LINE_MAX; the tail was dropped */
	int final;		/* this line ends a reply */
};

struct reply_parser {
	char buf[REPLY_LINE_MAX + 1];	/* the line being assembled */
	size_t len;			/* bytes in buf */
	int code;			/* code continuations inherit; -1 if none */
	int skipping;			/* dropping the tail of an over-long line */
	int error;			/* the current reply carried an 8xxx/9xxx code */
	int ended;			/* the last line handed out ended a reply */
};

void reply_init(struct reply_parser *p);

/*
 * Feed up to len bytes.  Returns 1 when a line is complete: *out describes it
 * (its pointers are valid until the next call) and *used says how many bytes
 * were consumed; call again with the rest.  Returns 0 when all len bytes were
 * consumed (*used == len) without completing a line.
 */
int reply_feed(struct reply_parser *p, const char *data, size_t len,
	       size_t *used, struct reply_line *out);

/* Partial line held back: non-zero if the stream ended mid-line. */
static inline int reply_pending(const struct reply_parser *p)
{
	return p->len > 0 || p->skipping;
}

/* Did the reply that the last line belongs to carry an error code? */
static inline int reply_error(const struct reply_parser *p)
{
	return p->error;
}

/* 8xxx run-time errors and 9xxx parse errors. */
static inline int reply_code_is_error(int code)
{
	return code >= 8000 && code <= 9999;
}

/* birdc hides the empty "0000 " that closes a table. */
int reply_line_hidden(const struct reply_line *l);

#endif
