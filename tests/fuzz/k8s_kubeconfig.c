/*
 * libFuzzer harness of kubeconfig reading (proto/kubernetes/kubeconfig.c):
 * a kubeconfig is outside input (YAML, libyaml's document API walked by our
 * helpers).  Whatever parses must name an http(s) server; whatever does not
 * must say why.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/kubernetes/kubeconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct k8s_auth a;
	char err[256];
	char *s;
	size_t n;

	err[0] = 0;
	if (k8s_kubeconfig_parse((const char *)data, size, "fuzz", "/d", &a, err, sizeof err) == 0) {
		assert(a.server && (!strncmp(a.server, "https://", 8) || !strncmp(a.server, "http://", 7)));
		k8s_auth_free(&a);
	} else {
		assert(err[0]);
	}
	/* the base64 decoder on the same bytes, as a string */
	s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = 0;
	unsigned char *d = k8s_base64_decode(s, &n);
	if (d)
		assert(n <= size);
	free(d);
	free(s);
	return 0;
}
