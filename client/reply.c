/*
 * metalbirdc -- parser of the daemon's reply lines
 *
 * Bytes from the control socket go in, whole classified lines come out (see
 * reply.h for the framing).  The parser remembers the code that continuation
 * lines inherit and whether the current reply carried an error, so the client
 * only has to print lines and stop at the final one.  A line longer than
 * REPLY_LINE_MAX is handed out cut short and its tail dropped, so a broken
 * daemon cannot make the client grow without bound.
 */
#include "client/reply.h"

#include <string.h>

void reply_init(struct reply_parser *p)
{
	memset(p, 0, sizeof *p);
	p->code = -1;
}

int reply_line_hidden(const struct reply_line *l)
{
	return l->kind == REPLY_LAST && l->code == 0 && l->len == 0;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Classify the line held in p->buf and describe it in *out. */
static int reply_finish(struct reply_parser *p, struct reply_line *out, int truncated)
{
	char *b = p->buf;
	size_t n = p->len;

	if (n > 0 && b[n - 1] == '\r' && !truncated)
		n--;
	b[n] = 0;
	p->len = 0;

	memset(out, 0, sizeof *out);
	out->raw = b;
	out->rawlen = n;
	out->truncated = truncated;
	out->code = -1;

	if (n >= 4 && is_digit(b[0]) && is_digit(b[1]) && is_digit(b[2]) && is_digit(b[3]) &&
	    (n == 4 || b[4] == '-' || b[4] == ' ')) {
		out->code = (b[0] - '0') * 1000 + (b[1] - '0') * 100 + (b[2] - '0') * 10 + (b[3] - '0');
		/* "DDDD" alone is taken as a last line with no text. */
		out->kind = n > 4 && b[4] == '-' ? REPLY_MORE : REPLY_LAST;
		out->text = n > 4 ? b + 5 : b + 4;
		out->len = n > 4 ? n - 5 : 0;
	} else if (n >= 1 && b[0] == ' ' && p->code >= 0) {
		out->kind = REPLY_CONT;
		out->code = p->code;
		out->text = b + 1;
		out->len = n - 1;
	} else if (n >= 1 && b[0] == '+') {
		/* Spontaneous output belongs to no reply: leave the state alone. */
		out->kind = REPLY_ASYNC;
		out->text = b + 1;
		out->len = n - 1;
		return 1;
	} else {
		/* A continuation with nothing to continue is as bad as garbage. */
		out->kind = REPLY_BAD;
		out->text = b;
		out->len = n;
	}

	if (p->ended) {
		/* first line of a new reply */
		p->ended = 0;
		p->error = 0;
	}
	if (reply_code_is_error(out->code))
		p->error = 1;
	switch (out->kind) {
	case REPLY_MORE:
		p->code = out->code;
		break;
	case REPLY_LAST:
		out->final = 1;
		p->ended = 1;
		p->code = -1;
		break;
	default:
		break;
	}
	return 1;
}

int reply_feed(struct reply_parser *p, const char *data, size_t len,
	       size_t *used, struct reply_line *out)
{
	size_t i = 0;

	while (i < len) {
		char ch = data[i++];

		if (p->skipping) {
			if (ch == '\n')
				p->skipping = 0;
			continue;
		}
		if (ch == '\n') {
			*used = i;
			return reply_finish(p, out, 0);
		}
		if (p->len == REPLY_LINE_MAX) {
			/* The line goes on past what we keep: hand out what we
			 * have and drop the rest up to its newline. */
			p->skipping = 1;
			*used = i;
			return reply_finish(p, out, 1);
		}
		p->buf[p->len++] = ch;
	}
	*used = len;
	return 0;
}
