/*
 * libFuzzer harness of the config parser (conf/cf-lex.l, conf/confbase.y and
 * every grammar fragment): config_parse_string() over arbitrary text.  A
 * config is outside input (an operator's file, a peers file written by
 * `peer set`).  Each input is parsed twice: the second parse must give the
 * same outcome and the same error, which catches state that a failed parse
 * leaves behind in the lexer or the parser (the parse unwinds with longjmp).
 * A config that parses is dumped, and the dump must parse again.
 *
 * Includes: under MB_FUZZ the lexer takes only relative names without "..";
 * the harness works in a folder of its own holding two small files, so the
 * include and glob paths are exercised without reading the machine's files
 * (a text parsed from a string includes relative to the folder of its name).
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "conf/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char dir[] = "/tmp/mb-fuzz-conf-XXXXXX";
static char name[sizeof dir + 16];

static void put(const char *file, const char *text)
{
	char path[sizeof dir + 16];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	FILE *f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

static void cleanup(void)
{
	char path[sizeof dir + 16];
	snprintf(path, sizeof path, "%s/a.conf", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/b.conf", dir);
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (!mkdtemp(dir))
		abort();
	put("a.conf", "pool inc { addresses 192.0.2.0/28; }\n");
	put("b.conf", "router id 192.0.2.1;\ninclude \"a.conf\";\n");
	snprintf(name, sizeof name, "%s/fuzz.conf", dir);
	atexit(cleanup);
	return 0;
}

static struct config *parse(const char *text, char *err, size_t errlen)
{
	return config_parse_string(name, text, err, errlen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char err1[1024], err2[1024];

	if (size > 65536)
		return 0;
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = 0;

	struct config *c1 = parse(text, err1, sizeof err1);
	struct config *c2 = parse(text, err2, sizeof err2);
	assert(!c1 == !c2);
	if (!c1) {
		assert(err1[0]);
		assert(!strcmp(err1, err2));
	} else {
		char *dump = NULL;
		size_t dlen = 0;
		FILE *f = open_memstream(&dump, &dlen);
		config_dump(f, c1);
		fclose(f);
		struct config *c3 = parse(dump, err1, sizeof err1);
		if (!c3) {
			fprintf(stderr, "the dump does not parse: %s\n%s\n", err1, dump);
			abort();
		}
		config_free(c3);
		free(dump);
	}
	config_free(c1);
	config_free(c2);
	free(text);
	return 0;
}
