/* store.h - cases, reviews and feedback in SQLite.
 *
 * Tables: cases (one row per routed case, with the model's output and the
 * review state), feedback (one row per human decision: the label together
 * with what the model said, the training data of the next model) and events
 * (who did what when, the audit trail a regulator asks for).
 *
 * Review state machine: queued -> claimed -> decided, claimed -> queued on
 * release; auto cases never enter it. Every transition is one IMMEDIATE
 * transaction whose UPDATE checks the expected state in its WHERE clause,
 * so two reviewers (threads, processes or HTTP requests) can never both
 * hold a claim, and a decision is recorded at most once.
 */
#ifndef HITL_STORE_H
#define HITL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "router.h"

#define HITL_ID_MAX 101     /* external ids: 1..100 printable characters */
#define HITL_REVIEWER_MAX 65 /* reviewer names: 1..64 characters */
#define HITL_REASON_MAX 1001 /* decision reasons: 1..1000 bytes */

/* Results of store and service operations. */
typedef enum hitl_status {
	HITL_OK = 0,
	HITL_ENOTFOUND = -1, /* no such case */
	HITL_ECONFLICT = -2, /* the case is not in a state that allows this */
	HITL_EINVALID = -3,  /* bad argument (label, reviewer, reason, features) */
	HITL_EJUDGMENT = -4, /* blind first: the reviewer's own judgment is missing */
	HITL_EDB = -5,       /* database or I/O failure */
} hitl_status;

typedef struct hitl_case {
	int64_t id;
	char external_id[HITL_ID_MAX];
	char status[12]; /* auto, queued, claimed, decided */
	hitl_route route;
	int64_t created_at, due_at; /* due_at 0 for auto cases */
	double weight;              /* 1 / probability of review (audit: 1 / audit_rate) */
	size_t n_features;
	double features[HITL_MAX_FEATURES];
	hitl_prediction pred;
	char recommendation[HITL_NAME_MAX];
	double threshold; /* the threshold in force when it was routed */
	char model_version[64];
	char model_digest[65];
	char claimed_by[HITL_REVIEWER_MAX];
	int64_t claimed_at;
	char first_judgment[HITL_NAME_MAX]; /* "" until recorded */
	int64_t first_judgment_at;
	char decision[HITL_NAME_MAX]; /* auto cases: the recommendation */
	char decided_by[HITL_REVIEWER_MAX];
	char reason[HITL_REASON_MAX];
	int64_t decided_at;
} hitl_case;

/* A human decision with the model's output next to it. */
typedef struct hitl_feedback {
	int64_t case_id;
	char external_id[HITL_ID_MAX];
	size_t n_features;
	double features[HITL_MAX_FEATURES];
	char label[HITL_NAME_MAX];          /* the reviewer's decision */
	char first_judgment[HITL_NAME_MAX]; /* "" when none was recorded */
	char recommendation[HITL_NAME_MAX]; /* the model's */
	double confidence;
	size_t n_classes;
	double probs[HITL_MAX_LABELS];
	char reviewer[HITL_REVIEWER_MAX];
	char reason[HITL_REASON_MAX];
	hitl_route route;
	double weight;
	bool blind; /* the model's output was withheld until the first judgment */
	char model_version[64];
	char model_digest[65];
	int64_t decided_at;
	int64_t review_seconds; /* routed -> decided */
} hitl_feedback;

typedef struct hitl_counts {
	int64_t total, automated, queued, claimed, decided, audited, overdue;
} hitl_counts;

typedef struct hitl_store hitl_store;

/* Open (creating if needed) the database at path; ":memory:" works for
 * tests. Returns 0, or -1 with a message. */
int hitl_store_open(hitl_store **out, const char *path, char *err, size_t errlen);
void hitl_store_close(hitl_store *s);

/* Insert a routed case (c->id is set). When c->external_id is already
 * stored, nothing is inserted, *existed becomes true and c is overwritten
 * with the stored case: submitting twice is safe. */
int hitl_store_insert(hitl_store *s, hitl_case *c, bool *existed, char *err, size_t errlen);

int hitl_store_get(hitl_store *s, int64_t id, hitl_case *c, char *err, size_t errlen);

/* Cases with this status (NULL: all), the most urgent first (earliest due,
 * then oldest), at most limit. *out is malloc'ed. */
int hitl_store_list(hitl_store *s, const char *status, size_t limit, hitl_case **out, size_t *n, char *err,
		    size_t errlen);

/* Review transitions. Each returns HITL_OK or a hitl_status with a message.
 * claim: queued -> claimed by reviewer; claiming again by the holder is OK;
 *        held by someone else, decided or automatic is HITL_ECONFLICT.
 * release: claimed -> queued, by the holder (or anyone with force); the
 *        first judgment is cleared with the claim, since it belonged to the
 *        reviewer who made it.
 * judge: record the holder's first, independent judgment; once only.
 * decide: the holder's final decision and reason; with blind_first the
 *        first judgment must exist (HITL_EJUDGMENT). Writes the feedback
 *        row in the same transaction. */
int hitl_store_claim(hitl_store *s, int64_t id, const char *reviewer, int64_t now, char *err, size_t errlen);
int hitl_store_release(hitl_store *s, int64_t id, const char *reviewer, bool force, int64_t now, char *err,
		       size_t errlen);
int hitl_store_judge(hitl_store *s, int64_t id, const char *reviewer, const char *label, int64_t now, char *err,
		     size_t errlen);
int hitl_store_decide(hitl_store *s, int64_t id, const char *reviewer, const char *label, const char *reason,
		      bool blind_first, int64_t now, char *err, size_t errlen);

/* Call fn for every feedback row in decision order; fn returning non-zero
 * stops the walk and is returned. */
int hitl_store_feedback_each(hitl_store *s, int (*fn)(void *ctx, const hitl_feedback *f), void *ctx, char *err,
			     size_t errlen);

/* Case counts; overdue = queued or claimed with due_at < now. */
int hitl_store_counts(hitl_store *s, int64_t now, hitl_counts *out, char *err, size_t errlen);

/* Number of events recorded for a case of this kind ("claim", ...), for
 * tests and the audit trail. */
int hitl_store_event_count(hitl_store *s, int64_t case_id, const char *kind, int64_t *out, char *err,
			   size_t errlen);

#endif
