/*
 * metalbird -- control sessions: reply framing
 */
#include "nest/cli.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sysdep/unix/loop.h"

static void put_line(struct cli *c, int code, int final, const char *text, size_t len)
{
	char head[8];
	int n;

	if (!final && code == c->last_code)
		n = snprintf(head, sizeof head, " ");
	else
		n = snprintf(head, sizeof head, "%04d%c", code, final ? ' ' : '-');
	c->write(c, head, (size_t)n);
	c->write(c, text, len);
	c->write(c, "\n", 1);
	c->last_code = final ? -1 : code;
	if (code >= 8000)
		c->errors++;
}

void cli_msg(struct cli *c, int code, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int final = code >= 0;

	if (code < 0)
		code = -code;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	/* embedded newlines become continuation lines of the same code */
	char *p = buf;
	for (;;) {
		char *nl = strchr(p, '\n');
		if (!nl) {
			put_line(c, code, final, p, strlen(p));
			break;
		}
		put_line(c, code, 0, p, (size_t)(nl - p));
		p = nl + 1;
	}
}

void cli_ok(struct cli *c)
{
	put_line(c, 0, 1, "", 0);
}

void cli_json(struct cli *c, int code, json_t *doc)
{
	char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	json_decref(doc);
	if (!s) {
		cli_msg(c, RC_E_RUNTIME, "cannot encode JSON");
		return;
	}
	char *p = s;
	for (;;) {
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		put_line(c, code, 0, p, len);
		if (!nl)
			break;
		p = nl + 1;
	}
	free(s);
	cli_ok(c);
}

void cli_fmt_time(double t, char *buf, size_t len)
{
	time_t s = (time_t)t;
	struct tm tm;
	char b[32];

	localtime_r(&s, &tm);
	strftime(b, sizeof b, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03d", b, (int)((t - (double)s) * 1000));
}

void cli_fmt_since(double t, char *buf, size_t len)
{
	time_t s = (time_t)t;
	struct tm tm;
	char b[32];

	localtime_r(&s, &tm);
	if (now_real() - t < 20 * 3600) {
		strftime(b, sizeof b, "%H:%M:%S", &tm);
		snprintf(buf, len, "%s.%03d", b, (int)((t - (double)s) * 1000));
	} else
		strftime(buf, len, "%Y-%m-%d", &tm);
}
