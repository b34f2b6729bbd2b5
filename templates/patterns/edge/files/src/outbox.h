/* outbox.h - store-and-forward outbox of results (SQLite). */
#ifndef OUTBOX_H
#define OUTBOX_H

#include <stddef.h>
#include <stdint.h>

typedef struct outbox outbox;

typedef struct outbox_row {
	char id[128];       /* "<device_id>-<seq, 12 digits>": the Idempotency-Key */
	int64_t seq;
	char *body;         /* JSON result; owned by the row */
	long attempts;
} outbox_row;

/* Opens (creating) the outbox at path; max_rows bounds what it keeps. */
int outbox_open(outbox **out, const char *path, long max_rows, char *err, size_t errlen);
void outbox_close(outbox *o);
/* Takes the next sequence number for device_id and stores body_fmt's
 * result (called with the id and seq) in one transaction, so a crash never
 * reuses a sequence number. When the outbox is full the oldest row is
 * dropped and counted. The id is written to id_out (128 bytes). */
int outbox_put(outbox *o, const char *device_id,
	       char *(*make_body)(void *ctx, const char *id, int64_t seq), void *ctx, char *id_out);
/* Up to max rows due at now_ms, oldest first. Returns the count or -1. */
int outbox_due(outbox *o, int64_t now_ms, outbox_row *rows, int max);
void outbox_rows_free(outbox_row *rows, int n);
/* The endpoint accepted id: delete it. */
int outbox_ack(outbox *o, const char *id);
/* A try failed: count it and schedule the next try at next_ms. */
int outbox_retry_at(outbox *o, const char *id, int64_t next_ms);
long outbox_pending(outbox *o);
long outbox_dropped(outbox *o);

#endif
