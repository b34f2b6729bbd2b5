/* fuzz_http1.c - libFuzzer target for the event loops' own HTTP/1.1
 * response parser (pipelines/http1.c), the first thing a lying or broken
 * peer's bytes reach. The first input byte picks a HEAD request (bit 7) and
 * a piece size (the rest); the response is fed whole, then in pieces of
 * that size, then ended by the peer's close. Any input must give the same
 * verdict, status, body length and end both ways, never read past what it
 * was given, never count more body than it saw, and name every failure. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http1_int.h"

typedef struct {
	weft_h1_status st;
	size_t used;
	int status;
	uint64_t body;
	bool keep_alive;
} outcome;

static outcome feed(weft_h1_parser *p, const char *buf, size_t n, size_t piece, bool head)
{
	weft_h1_parser_reset(p, head);
	outcome o = { WEFT_H1_MORE, 0, 0, 0, false };
	size_t off = 0;
	while (off < n && o.st == WEFT_H1_MORE) {
		size_t k = n - off < piece ? n - off : piece, used = 0;
		o.st = weft_h1_parse(p, buf + off, k, &used);
		if (used > k || (o.st == WEFT_H1_MORE && used != k))
			abort();
		o.used += used;
		off += k;
	}
	if (o.st == WEFT_H1_MORE)
		o.st = weft_h1_parse_eof(p);
	if (o.st == WEFT_H1_MORE || (o.st == WEFT_H1_BAD && !p->error[0]) || p->body > o.used)
		abort();
	if (o.st == WEFT_H1_DONE) {
		/* a framed body is exactly as long as announced */
		if (p->chunked == false && p->has_length && !p->until_close && !head && p->status != 204 &&
		    p->status != 304 && p->body != p->content_length)
			abort();
		if (p->status < 200 || p->status > 999)
			abort();
		/* over means over */
		size_t used;
		if (weft_h1_parse(p, "x", 1, &used) != WEFT_H1_DONE || used)
			abort();
	}
	o.status = p->status;
	o.body = p->body;
	o.keep_alive = p->keep_alive;
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	static weft_h1_parser p;
	bool head = data[0] & 0x80;
	size_t piece = (size_t)(data[0] & 0x7f) + 1;
	const char *buf = (const char *)data + 1;
	size_t n = size - 1;
	outcome whole = feed(&p, buf, n, n ? n : 1, head);
	outcome cut = feed(&p, buf, n, piece, head);
	if (whole.st != cut.st || whole.status != cut.status || whole.body != cut.body ||
	    whole.keep_alive != cut.keep_alive || (whole.st == WEFT_H1_DONE && whole.used != cut.used))
		abort();
	return 0;
}
