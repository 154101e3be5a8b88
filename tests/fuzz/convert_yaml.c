/*
 * libFuzzer harness of metalbird-convert's reader and writer
 * (conf/convert/): the YAML it reads is outside input.  Every input must
 * either be rejected with a "FILE:LINE: message" error or convert to text,
 * without a crash, a leak or unbounded work.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/convert/convert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cv_model *m = cv_model_new();
	char err[512];

	if (cv_read(m, "f.yaml", (const char *)data, size, err, sizeof err) < 0) {
		assert(!strncmp(err, "f.yaml:", 7));
	} else {
		FILE *out = fopen("/dev/null", "w");
		assert(out);
		assert(cv_emit(m, out) == 0);
		fclose(out);
	}
	cv_model_free(m);
	return 0;
}
