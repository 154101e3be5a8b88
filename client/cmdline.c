/*
 * metalbirdc -- a command line from the words given on the shell's line
 *
 * `metalbirdc peer remove 198.51.100.1 interface "vswitch 1"` reaches us as
 * separate words without the quotes; this puts back what the daemon's
 * tokenizer (cmd_tokenize) needs to see the same line the user meant.
 */
#include "client/cmdline.h"

#include <string.h>

#include "nest/cmdtab.h"

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int cmdline_blank(const char *line)
{
	while (is_blank(*line))
		line++;
	return !*line;
}

int cmdline_is(const char *line, const char *w)
{
	size_t n = strlen(w);

	while (is_blank(*line))
		line++;
	if (strncmp(line, w, n))
		return 0;
	return cmdline_blank(line + n);
}

/* Append n bytes of s; -1 when it does not fit (keeping room for NUL). */
static int put(char *buf, size_t len, size_t *off, const char *s, size_t n)
{
	if (n >= len - *off)
		return -1;
	memcpy(buf + *off, s, n);
	*off += n;
	buf[*off] = 0;
	return 0;
}

int cmdline_join(int argc, char *const argv[], char *buf, size_t len, const char **err)
{
	size_t off = 0;

	if (len < 1) {
		*err = "command too long";
		return -1;
	}
	if (len > CMD_MAX_LINE)
		len = CMD_MAX_LINE;	/* the daemon takes no longer line */
	buf[0] = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		/* one command is one line of the protocol */
		if (strpbrk(a, "\r\n")) {
			*err = "a command cannot contain a line break";
			return -1;
		}
		if (i > 0 && put(buf, len, &off, " ", 1) < 0)
			goto toolong;
		int quote = i > 0 && !strchr(a, '"') && (!*a || strpbrk(a, " \t"));
		if (!quote) {
			if (put(buf, len, &off, a, strlen(a)) < 0)
				goto toolong;
			continue;
		}
		if (put(buf, len, &off, "\"", 1) < 0)
			goto toolong;
		for (const char *p = a; *p; p++) {
			/* inside quotes the tokenizer reads \x as x */
			if (*p == '\\' && put(buf, len, &off, "\\", 1) < 0)
				goto toolong;
			if (put(buf, len, &off, p, 1) < 0)
				goto toolong;
		}
		if (put(buf, len, &off, "\"", 1) < 0)
			goto toolong;
	}
	if (cmdline_blank(buf)) {
		*err = "empty command";
		return -1;
	}
	return 0;
toolong:
	*err = "command too long";
	return -1;
}
