/*
 * metalbird-convert -- MetalLB configuration to metallb.conf
 *
 * metalbird-convert FILE... reads each file (`-` is standard input) as
 * MetalLB YAML and prints the equivalent metallb.conf on standard output
 * (SPEC section 2).  Exit 0 on success; 1 with "FILE:LINE: message" on
 * input it cannot read; 2 on a usage or system error.
 */
#include "conf/convert/convert.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* MetalLB configurations are small; this bounds what we read. */
#define CV_MAX_FILE (64u << 20)

static char *slurp(FILE *f, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);

	if (!buf)
		return NULL;
	for (;;) {
		if (n == cap) {
			if (cap >= CV_MAX_FILE) {
				free(buf);
				errno = EFBIG;
				return NULL;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0) {
			if (ferror(f)) {
				free(buf);
				return NULL;
			}
			break;
		}
	}
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	char err[512];

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(argc < 2 ? stderr : stdout,
			"Usage: metalbird-convert FILE...\n"
			"Reads MetalLB configuration (CRDs or the legacy ConfigMap) as YAML and prints\n"
			"the equivalent metallb.conf on standard output.  FILE - is standard input.\n");
		return argc < 2 ? 2 : 0;
	}
	struct cv_model *m = cv_model_new();
	for (int i = 1; i < argc; i++) {
		const char *name = argv[i];
		FILE *f = strcmp(name, "-") ? fopen(name, "r") : stdin;
		size_t len;
		if (!f) {
			fprintf(stderr, "%s:0: cannot open: %s\n", name, strerror(errno));
			cv_model_free(m);
			return 1;
		}
		char *buf = slurp(f, &len);
		int e = errno;
		if (f != stdin)
			fclose(f);
		if (!buf) {
			fprintf(stderr, "%s:0: cannot read: %s\n", name, strerror(e));
			cv_model_free(m);
			return 1;
		}
		int rc = cv_read(m, strcmp(name, "-") ? name : "<stdin>", buf, len, err, sizeof err);
		free(buf);
		if (rc < 0) {
			fprintf(stderr, "%s\n", err);
			cv_model_free(m);
			return 1;
		}
	}
	int rc = cv_emit(m, stdout);
	cv_model_free(m);
	if (rc < 0 || fflush(stdout) == EOF) {
		fprintf(stderr, "metalbird-convert: write error: %s\n", strerror(errno));
		return 2;
	}
	return 0;
}
