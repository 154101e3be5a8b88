/*
 * libFuzzer harness of the Kubernetes JSON decoding (proto/kubernetes/decode.c)
 * and of the allocator's state file parser (nest/pool_alloc.c): both read
 * outside input.  What decodes is then counted and allocated from a fixed
 * pool, so the allocator sees every odd Service the decoder lets through,
 * and every Service it serves must end with addresses or a reason.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nest/pool_alloc.h"
#include "proto/kubernetes/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pool_range r6 = { .af = AF_IP6 };
	static struct pool_range r4 = { .af = AF_IP4, .next = &r6 };
	static struct pool_config pool = { .name = "p", .ranges = &r4, .auto_assign = 1 };
	struct k8s_db db;
	struct pa_state st;
	char err[512];

	if (!r4.first.w[2]) {
		ip_pton("203.0.113.0", &r4.first);
		ip_pton("203.0.113.3", &r4.last);
		ip_pton("2001:db8::", &r6.first);
		ip_pton("2001:db8::3", &r6.last);
	}
	k8s_db_init(&db);
	if (k8s_decode_list((const char *)data, size, "fuzz", &db, err, sizeof err) == 0) {
		k8s_db_count_endpoints(&db, "node-1");
		pa_run(&pool, (struct service *const *)db.services.obj, db.services.n, NULL, NULL);
		for (int i = 0; i < db.services.n; i++) {
			struct service *s = db.services.obj[i];
			assert(!s->served || s->naddrs || s->reason[0]);
			assert(s->naddrs <= SVC_MAX_ADDRS);
		}
	} else {
		assert(err[0]);
	}
	k8s_db_free(&db);
	pa_state_init(&st);
	if (pa_state_parse(&st, (const char *)data, size, err, sizeof err) != 0) {
		assert(err[0]);
	} else {
		/* the state file is written by hand: what it writes reads back
		 * the same, and writing that again gives the same bytes */
		struct pa_state again;
		char *text = pa_state_format(&st);
		pa_state_init(&again);
		assert(pa_state_parse(&again, text, strlen(text), err, sizeof err) == 0);
		char *text2 = pa_state_format(&again);
		assert(!strcmp(text, text2));
		free(text);
		free(text2);
		pa_state_free(&again);
	}
	pa_state_free(&st);
	return 0;
}
