/*
 * libFuzzer harness of the client's reply-line parser (client/reply.c):
 * the daemon's output is outside input to the client.  The input is cut into
 * reads at sizes taken from its first byte, and every line handed out must
 * be consistent with what was fed.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "client/reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct reply_parser p;
	struct reply_line l;
	size_t chunk;

	if (size < 1)
		return 0;
	chunk = (size_t)data[0] + 1;
	data++;
	size--;
	reply_init(&p);
	while (size > 0) {
		size_t piece = size < chunk ? size : chunk, used;
		const char *d = (const char *)data;
		size_t left = piece;
		while (left > 0) {
			int r = reply_feed(&p, d, left, &used, &l);
			assert(used <= left);
			if (!r) {
				assert(used == left);
				break;
			}
			assert(l.rawlen <= REPLY_LINE_MAX);
			assert(l.text >= l.raw && l.text + l.len == l.raw + l.rawlen);
			assert(l.kind != REPLY_CONT || l.code >= 0);
			assert(l.code <= 9999);
			assert(!l.final || l.kind == REPLY_LAST);
			d += used;
			left -= used;
		}
		data += piece;
		size -= piece;
	}
	return 0;
}
