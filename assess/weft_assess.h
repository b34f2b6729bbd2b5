/* weft_assess.h - integration-maturity assessments: maturity models,
 * answers, scoring, roll-up of several respondents, diffs and reports.
 *
 * A maturity model (YAML) holds levels 1..5, dimensions and questions, each
 * question with one option per level and an improvement plan per option. An
 * answers file (YAML) gives a level 1..5 or "na" per question and may put
 * optional dimensions out of scope. A dimension with too little evidence is
 * not rated, never rated high. Scoring is documented in docs/scoring.md; the
 * file formats in docs/formats/.
 *
 * Loaded models and answers are read-only structures the caller may walk;
 * results point into the model and answers they were computed from, which
 * must outlive them. Functions return 0 or a negative weft_error and record
 * diagnostics (path:line:col) in d; nothing here prints, except the
 * interview, which talks to the FILE streams its caller hands it.
 */
#ifndef WEFT_ASSESS_H
#define WEFT_ASSESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "weft_core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WEFT_ASSESS_LEVELS 5
/* Models and answers files larger than this are refused (bytes). */
#define WEFT_ASSESS_MAX_FILE (4u << 20)
/* Largest weight a model or a --weights file may give. */
#define WEFT_ASSESS_MAX_WEIGHT 1000000.0

/* ---- maturity model ---------------------------------------------------------- */

/* What an evidence rule looks for in a repository
 * (docs/formats/maturity-model.md#evidence). */
typedef enum {
	WEFT_ASSESS_RULE_FILE = 1, /* a file matching one of globs exists */
	WEFT_ASSESS_RULE_CONTAINS, /* such a file has a line matching pattern */
	WEFT_ASSESS_RULE_KEY,      /* such a YAML/JSON file has key (value matching pattern) */
	WEFT_ASSESS_RULE_CI,       /* a CI file runs a command matching pattern */
	WEFT_ASSESS_RULE_OPENAPI,  /* such a file is an OpenAPI (or Swagger 2) document */
	WEFT_ASSESS_RULE_TEST,     /* a test file whose name matches pattern (and contains) */
} weft_assess_rule_kind;

typedef struct {
	const char *id;       /* unique within its question */
	const char *text;     /* what it looks for, as a noun phrase: "a CI job that runs weft bench" */
	weft_assess_rule_kind kind;
	const char **globs;   /* files looked at; n_globs 0: every file (TEST, OPENAPI) */
	size_t n_globs;
	const char *pattern;  /* CONTAINS, CI: line; TEST: file name; KEY: value (may be NULL) */
	const char *contains; /* TEST: a line the test file must have; may be NULL */
	const char *key;      /* KEY: dotted path, '*' one level, '**' any depth */
	int line, col;
} weft_assess_rule;

typedef struct {
	int level;           /* 1..5 */
	const char *text;    /* what this level looks like, as an observable fact */
	const char *improve; /* how to get to the next level; NULL for level 5 */
	int line, col;
	weft_assess_rule *evidence; /* what in a repository supports this option; all must be found */
	size_t n_evidence;
} weft_assess_option;

typedef struct {
	const char *id, *text;
	const char *help; /* may be NULL */
	double weight;    /* > 0 */
	bool critical;    /* caps its dimension's level; unanswered: not rated */
	bool allow_na;    /* optional within its dimension: may be na (never with critical) */
	const char **considerations; /* DOMAIN consideration ids */
	size_t n_considerations;
	weft_assess_option options[WEFT_ASSESS_LEVELS]; /* options[L-1] is level L */
	size_t index;                                    /* in the model's flat question list */
	size_t dim;                                      /* index of its dimension */
	int line, col;                                   /* of its id */
} weft_assess_question;

typedef struct {
	const char *id, *title;
	const char *description; /* may be NULL */
	double weight;           /* > 0 */
	bool optional;           /* an answers file may put it out of scope */
	weft_assess_question *questions;
	size_t n_questions;
	size_t index;
	int line, col; /* of its id */
} weft_assess_dimension;

typedef struct {
	const char *name, *description;
} weft_assess_level;

/* How answers written for an earlier version of a model are carried over
 * (docs/formats/maturity-model.md#migrations). */
typedef struct {
	const char *from;    /* question id in the earlier version */
	const char **to;     /* question ids now; n_to 0 when removed */
	size_t n_to;
	const char *removed; /* why, when the question was dropped; else NULL */
	bool remap;          /* levels[] given */
	int levels[WEFT_ASSESS_LEVELS]; /* old level L becomes levels[L-1] */
	int line, col;
} weft_assess_qmigration;

typedef struct {
	const char *from; /* dimension id in the earlier version */
	const char **to;  /* dimension ids now */
	size_t n_to;
	int line, col;
} weft_assess_dmigration;

typedef struct {
	const char *from; /* the earlier version ("1.0") */
	const char *note; /* what changed, for the reports; may be NULL */
	weft_assess_qmigration *questions;
	size_t n_questions;
	weft_assess_dmigration *dims;
	size_t n_dims;
	int line, col;
} weft_assess_migration;

/* The min_coverage of a model that does not give one. */
#define WEFT_ASSESS_DEFAULT_MIN_COVERAGE 0.8

typedef struct weft_assess_model {
	const char *path; /* as given to the loader */
	const char *id, *version, *title;
	const char *description; /* may be NULL */
	char sha256[65];         /* of the file's bytes, lower-case hex */
	double min_coverage;     /* 0 < x <= 1: answered share of a dimension's
				    applicable weight needed to rate it */
	const char *na_category; /* an na answer must give this category; may be NULL */
	weft_assess_migration *migrations;
	size_t n_migrations;
	weft_assess_level levels[WEFT_ASSESS_LEVELS]; /* levels[L-1] */
	weft_assess_dimension *dims;
	size_t n_dims;
	const weft_assess_question **questions; /* all questions, model order */
	size_t n_questions;
	void *priv;
} weft_assess_model;

/* Load and validate a maturity model. Every problem found is recorded (not
 * only the first); on any error returns WEFT_EINVALID and *out is NULL.
 * Warnings (unknown fields, unknown consideration ids) do not fail. */
int weft_assess_model_load(weft_assess_model **out, const char *path, weft_diags *d);
int weft_assess_model_load_buffer(weft_assess_model **out, const char *name, const char *buf,
				  size_t len, weft_diags *d);
void weft_assess_model_free(weft_assess_model *m);

/* The question or dimension with this id, or NULL. */
const weft_assess_question *weft_assess_model_question(const weft_assess_model *m, const char *id);
const weft_assess_dimension *weft_assess_model_dimension(const weft_assess_model *m,
							  const char *id);

/* "Foundational" for 1 etc. from the model, "not assessed" for 0. */
const char *weft_assess_level_name(const weft_assess_model *m, int level);

/* The path of the model weft ships: <weft_data_dir()>/assess/questionnaires/
 * ai-integration.yaml. Static storage. */
const char *weft_assess_default_model_path(void);

/* ---- telling files apart ---------------------------------------------------- */

typedef enum {
	WEFT_ASSESS_FILE_UNKNOWN = 0,
	WEFT_ASSESS_FILE_MODEL,   /* has levels: or a dimensions: sequence */
	WEFT_ASSESS_FILE_ANSWERS, /* has answers: or model_version: */
	WEFT_ASSESS_FILE_WEIGHTS, /* only dimensions:/questions: mappings of id to weight */
} weft_assess_file_kind;

/* Which kind of assess file path is, from its top-level keys. Unreadable,
 * malformed, empty or unrecognisable files record an error in d (with
 * line:col) and give WEFT_ASSESS_FILE_UNKNOWN with a negative return. */
int weft_assess_detect(weft_assess_file_kind *out, const char *path, weft_diags *d);

/* ---- answers -------------------------------------------------------------------- */

typedef enum {
	WEFT_ASSESS_UNANSWERED = 0,
	WEFT_ASSESS_ANSWERED, /* level 1..5 */
	WEFT_ASSESS_NA,
} weft_assess_status;

typedef struct {
	char *question;       /* question id as written */
	weft_assess_status status;
	int level;            /* 1..5 when answered, else 0 */
	char *reason;         /* na: why; may be NULL */
	char *category;       /* na: the reason's category ("does-not-apply"); may be NULL */
	char *note;           /* may be NULL */
	char **evidence;
	size_t n_evidence;
	int line, col;         /* the id key */
	int level_line, level_col; /* the level value (or the key when absent) */
} weft_assess_answer;

/* A dimension the answers put out of scope, and why. */
typedef struct {
	char *dim, *reason;
	int line, col;
} weft_assess_scope;

typedef struct {
	char *path;
	char *model, *model_version, *unit;
	char *respondent, *date; /* may be NULL */
	char sha256[65];         /* of the file's bytes; "" when built in memory */
	weft_assess_answer *answers; /* in file order */
	size_t n_answers, cap_answers;
	weft_assess_scope *out_of_scope; /* in file order */
	size_t n_out_of_scope;
	char *migrated_from;     /* the version the file was written for, when migrated */
	char **notes;            /* what a migration did, one sentence each */
	size_t n_notes;
	/* positions of the fields, for diagnostics (0 when absent) */
	int model_line, model_col, version_line, version_col, unit_line, unit_col;
	int answers_line, answers_col;
} weft_assess_answers;

/* Load an answers file and check its own structure (types, level range,
 * na with a reason, ISO date, duplicate ids). Checks against a model are
 * weft_assess_answers_check's. */
int weft_assess_answers_load(weft_assess_answers **out, const char *path, weft_diags *d);
int weft_assess_answers_load_buffer(weft_assess_answers **out, const char *name, const char *buf,
				    size_t len, weft_diags *d);
void weft_assess_answers_free(weft_assess_answers *a);

/* Check answers against a model: model id and version, unknown question
 * ids (with did-you-mean), na where the question does not allow it (critical
 * questions never do), the na category the model requires, out-of-scope
 * dimensions that are not optional. Answers inside an out-of-scope dimension
 * are a warning (they are left out). Records errors and returns WEFT_EINVALID
 * on any. With warn_missing, records one warning naming the questions left
 * unanswered. */
int weft_assess_answers_check(const weft_assess_answers *a, const weft_assess_model *m,
			      bool warn_missing, weft_diags *d);

/* A blank answers set for model m (no answers yet). unit, respondent and
 * date may be NULL; a date that is not a real YYYY-MM-DD day gives
 * WEFT_EINVALID (as does one given to weft_assess_answers_set_field). */
int weft_assess_answers_new(weft_assess_answers **out, const weft_assess_model *m,
			    const char *unit, const char *respondent, const char *date);
/* The answer for question id, or NULL. */
const weft_assess_answer *weft_assess_answers_find(const weft_assess_answers *a, const char *id);
/* Set (replace) the answer to a question: status ANSWERED with level 1..5,
 * NA with a reason and a category (may be NULL), or UNANSWERED to clear it.
 * note may be NULL (an existing note is kept when NULL). A reason and
 * category are dropped when the answer is not NA. */
int weft_assess_answers_set(weft_assess_answers *a, const char *id, weft_assess_status st,
			    int level, const char *reason, const char *category,
			    const char *note);

/* Answers written for an earlier version of m, carried over through m's
 * migration from that version into a new set for m's version (*out; notes
 * say what moved). Answers already for m's version are copied unchanged. A
 * version with no migration is an error at the answers' model_version. */
int weft_assess_answers_migrate(weft_assess_answers **out, const weft_assess_answers *a,
				const weft_assess_model *m, weft_diags *d);
/* Set one of the header fields ("unit", "respondent", "date"). */
int weft_assess_answers_set_field(weft_assess_answers *a, const char *field, const char *value);

/* Write the answers as YAML in the layout of `weft assess init`: every
 * question of m in model order, its text, help and options as comments,
 * answered ones filled in, the others with an empty level. */
int weft_assess_answers_render(weft_buf *out, const weft_assess_answers *a,
			       const weft_assess_model *m);

/* ---- weights override ----------------------------------------------------------- */

typedef struct weft_assess_weights weft_assess_weights;

/* Load a weights file ({dimensions: {id: w}, questions: {id: w}}) for model
 * m; unknown ids and bad weights are errors at their position. */
int weft_assess_weights_load(weft_assess_weights **out, const char *path,
			     const weft_assess_model *m, weft_diags *d);
int weft_assess_weights_load_buffer(weft_assess_weights **out, const char *name, const char *buf,
				    size_t len, const weft_assess_model *m, weft_diags *d);
void weft_assess_weights_free(weft_assess_weights *w);

/* ---- scoring ----------------------------------------------------------------------- */

/* What changed a weight, for the reports. */
typedef struct {
	const char *id;    /* dimension or question id */
	bool dimension;
	double from, to;
} weft_assess_weight_change;

/* The weights file's name (no folder), its digest and the weights it changed. */
const char *weft_assess_weights_name(const weft_assess_weights *w);
const char *weft_assess_weights_sha256(const weft_assess_weights *w);
int weft_assess_weights_changes(weft_assess_weight_change **out, size_t *n,
				const weft_assess_weights *w);

/* The most days apart respondents' dates may be before the report warns. */
#define WEFT_ASSESS_DEFAULT_MAX_SPREAD 90

typedef struct {
	int target;                         /* 1..5; 0 = overall level + 1 (at most 5) */
	const weft_assess_weights *weights; /* NULL: the model's own */
	double min_coverage;                /* 0: the model's; else 0 < x <= 1 */
	int max_spread_days;                /* 0: WEFT_ASSESS_DEFAULT_MAX_SPREAD; < 0: no check */
} weft_assess_score_opts;

/* One respondent's answer to a question (for roll-ups and disagreements). */
typedef struct {
	const char *respondent;
	weft_assess_status status;
	int level;
	const char *reason, *note; /* may be NULL */
	bool out_of_scope;         /* this respondent put the question's dimension out of scope */
} weft_assess_vote;

typedef struct {
	const weft_assess_question *q;
	double weight;            /* effective weight (after --weights) */
	weft_assess_status status; /* after roll-up */
	int level;                /* 1..5 when answered, else 0 */
	const char *option;       /* text of the chosen option, or NULL */
	const char *improve;      /* plan of the chosen option, or NULL */
	const char *reason, *note; /* single respondent only; may be NULL */
	char *const *evidence;
	size_t n_evidence;
	int gap;                  /* max(0, target - level); 0 when not answered */
	double weighted_gap;      /* gap * weight */
	double points;            /* percentage points of the overall
				     PercentToTarget that closing the gap adds */
	bool critical_cap;        /* a critical question below the score-derived level */
	bool counted_as_1;        /* unanswered in an in-scope dimension: scored as level 1 */
	bool holds_level;         /* critical, at or below its rated dimension's level (below
				     the target): the dimension cannot rise until it does */
	weft_assess_vote *votes;  /* every respondent's answer, files order */
	size_t n_votes;
	bool disagreement;        /* answered levels differ by 2 or more, or na against a level */
	const char *category;     /* na: the reason's category, single respondent; may be NULL */
} weft_assess_qresult;

/* What sets a rated dimension's level. */
typedef enum {
	WEFT_ASSESS_CAP_SCORE = 1, /* the floor of the score */
	WEFT_ASSESS_CAP_CRITICAL,  /* a critical question answered below it */
} weft_assess_cap_kind;

typedef struct {
	weft_assess_cap_kind kind;         /* 0 when not rated */
	const weft_assess_question *question; /* CRITICAL: the question; else NULL */
} weft_assess_cap;

/* Why a dimension (or the overall result) has no level: bits. */
enum {
	WEFT_ASSESS_WHY_OUT_OF_SCOPE = 1 << 0, /* put out of scope by the answers */
	WEFT_ASSESS_WHY_COVERAGE = 1 << 1,     /* answered weight below min_coverage */
	WEFT_ASSESS_WHY_CRITICAL = 1 << 2,     /* a critical question unanswered */
	WEFT_ASSESS_WHY_ALL_NA = 1 << 3,       /* every question na: nothing to rate */
	WEFT_ASSESS_WHY_DIMENSIONS = 1 << 4,   /* overall: an in-scope dimension not rated */
	WEFT_ASSESS_WHY_NO_ANSWERS = 1 << 5,   /* overall: no question answered or na in any file */
};

typedef struct {
	const weft_assess_dimension *dim;
	double weight;          /* effective */
	bool in_scope;          /* false: out of scope (scope_reason says why) */
	const char *scope_reason;
	bool rated;             /* has a level */
	unsigned why;           /* WEFT_ASSESS_WHY_* bits when not rated */
	bool scored;            /* has a score: in scope and something applies (a dimension
				   with nothing answered scores 1, at coverage 0) */
	double score;           /* weighted mean over applicable questions, unanswered as 1 */
	int level;              /* 1..5 when rated, else 0 */
	int score_level;        /* the level the score alone gives (floor); 0 when not scored */
	weft_assess_cap cap;    /* what sets the level; kind 0 when not rated */
	double coverage;        /* answered weight / applicable weight, 0..1 */
	double answered_weight, applicable_weight, total_weight; /* applicable: not na */
	size_t n_answered, n_na, n_unanswered;
	const weft_assess_question *critical_unanswered; /* the first, model order; or NULL */
	size_t n_critical_unanswered;
	double percent_to_target; /* 0..1 at the result's target; 0 when not scored */
	weft_assess_qresult *questions; /* model order */
	size_t n_questions;
	size_t *gaps;           /* indices into questions with gap > 0, most weighted first */
	size_t n_gaps;
} weft_assess_dresult;

typedef struct {
	const weft_assess_qresult *q;
	const weft_assess_dresult *d;
} weft_assess_gapref;

typedef struct {
	const char *path;       /* the file's name without its folder */
	const char *respondent; /* name, or the file's name */
	const char *date;       /* may be NULL */
	const char *sha256;     /* of the file's bytes; "" when not read from a file */
	const char *migrated_from; /* the model version it was written for, when migrated */
} weft_assess_source;

/* Where the target came from. */
typedef enum {
	WEFT_ASSESS_TARGET_NEXT = 0, /* the overall level + 1; when not rated, the lowest
					dimension score level + 1 (2 when nothing is scored) */
	WEFT_ASSESS_TARGET_OPTION,   /* given by the caller (--target) */
} weft_assess_target_from;

/* Something a reader of the report must know. */
typedef enum {
	WEFT_ASSESS_NOTE_MIGRATION = 1, /* answers carried over from an earlier model version */
	WEFT_ASSESS_NOTE_RESPONDENT,    /* the same respondent in several files */
	WEFT_ASSESS_NOTE_SPREAD,        /* respondents' dates far apart */
	WEFT_ASSESS_NOTE_SCOPE,         /* files disagree on a dimension's scope */
	WEFT_ASSESS_NOTE_IGNORED,       /* answers inside an out-of-scope dimension left out */
} weft_assess_note_kind;

typedef struct {
	weft_assess_note_kind kind;
	char *text; /* one or two sentences */
} weft_assess_note;

typedef struct weft_assess_result {
	const weft_assess_model *model;
	const char *unit; /* NULL when no answers were given */
	weft_assess_source *sources;
	size_t n_sources;
	int target;
	bool target_explicit;
	weft_assess_target_from target_from;
	bool rated;              /* every in-scope dimension rated (and at least one) */
	unsigned why;            /* WEFT_ASSESS_WHY_* bits when not rated */
	bool scored;             /* at least one dimension scored */
	int level;               /* overall: lowest in-scope dimension level; 0 when not rated */
	double score;            /* dimension-weight mean of the scored dimensions' scores */
	double coverage;         /* dimension-weight mean of the in-scope dimensions' coverages */
	double min_coverage;     /* the threshold used */
	double percent_to_target;
	size_t n_in_scope, n_rated; /* dimensions */
	const char *weights_name, *weights_sha256; /* NULL: the model's own weights */
	weft_assess_weight_change *weight_changes;
	size_t n_weight_changes;
	weft_assess_note *notes;
	size_t n_notes;
	weft_assess_dresult *dims;
	size_t n_dims;
	weft_assess_gapref *gaps; /* every gap, most points first */
	size_t n_gaps;
	const weft_assess_qresult **disagreements; /* model order */
	size_t n_disagreements;
	const weft_assess_qresult **unanswered;    /* model order */
	size_t n_unanswered;
} weft_assess_result;

/* Score one or more answers files of the same unit against m. Answers for
 * an earlier model version are migrated first; each is then checked against
 * the model (errors -> WEFT_EINVALID); files of different units are an
 * error at the later file's `unit`, and the same file (or the same answers)
 * twice an error too. Several files are rolled up per question (median, low
 * on ties; na when every respondent who answered said na; na against a
 * level is a disagreement). A dimension is out of scope only when every file puts it
 * out. n_answers may be 0 (nothing rated). */
int weft_assess_score(weft_assess_result **out, const weft_assess_model *m,
		      const weft_assess_answers *const *answers, size_t n_answers,
		      const weft_assess_score_opts *opts, weft_diags *d);
void weft_assess_result_free(weft_assess_result *r);

/* The level of a score alone: floor with a small tolerance (2.9999999 -> 3). */
int weft_assess_score_level(double score);

/* PercentToTarget (0..1) of r's scored dimensions at another target (1..5),
 * the same way r->percent_to_target is computed at r->target. */
double weft_assess_percent_to_target(const weft_assess_result *r, int target);

/* ---- gate ------------------------------------------------------------------------- */

typedef struct {
	int fail_below;        /* 1..5; 0: no level gate */
	double fail_below_score; /* < 0: no score gate */
	double fail_below_coverage; /* 0..1; < 0: no coverage gate */
} weft_assess_gate;

/* Check r against g. Returns 0 when it passes, 1 when it fails, with one
 * line per failed condition in why (a not-rated result fails a level or
 * score gate and says why it is not rated). */
int weft_assess_gate_check(const weft_assess_result *r, const weft_assess_gate *g, weft_buf *why);

/* The sentence that says why dimension dr (or, when dr is NULL, the overall
 * result) has the level it has, or why it has none: "capped at 2 by rt-auth
 * (critical)", "not rated: 55% of the weight answered, 80% needed". The one
 * place that words levels, caps and not-rated reasons for every report. */
void weft_assess_explain(weft_buf *out, const weft_assess_result *r,
			 const weft_assess_dresult *dr);

/* ---- reports ------------------------------------------------------------------------ */

typedef struct {
	bool colour;     /* SGR colours (text only) */
	size_t top_gaps; /* gaps listed in text/markdown; 0 = 5 */
	const char *generator; /* "weft 0.1.0", written into every report; may be NULL */
	const char *generated_at; /* "2026-12-03T12:00:00Z", written into every report; may be NULL */
	/* score --history: the answers file's trend, scored at the report's
	 * target, added to every format (a "history" key in JSON); may be NULL */
	const struct weft_assess_history *history;
} weft_assess_report_opts;

int weft_assess_report_text(weft_buf *out, const weft_assess_result *r,
			    const weft_assess_report_opts *o);
int weft_assess_report_json(weft_buf *out, const weft_assess_result *r,
			    const weft_assess_report_opts *o);
int weft_assess_report_markdown(weft_buf *out, const weft_assess_result *r,
				const weft_assess_report_opts *o);
int weft_assess_report_html(weft_buf *out, const weft_assess_result *r,
			    const weft_assess_report_opts *o);

/* ---- history ----------------------------------------------------------------------- */

/* One version of an answers file: a commit that changed it, or the working
 * tree when the file on disk differs from HEAD. */
typedef struct {
	char commit[41];        /* hex; "" for the working tree */
	bool working_tree;
	int64_t time;           /* seconds since the epoch: commit time, or the file's mtime */
	int offset_min;         /* the commit's time zone, minutes east of UTC */
	char *author;           /* "Name <email>"; NULL for the working tree */
	char *message;          /* the commit's first line; NULL for the working tree */
	char *path;             /* the file's path in the repository at that version */
	weft_assess_answers *answers; /* NULL when it did not load */
	weft_assess_result *result;   /* NULL when it could not be scored */
	char *error;            /* then why: "path@commit:line:col: message" */
} weft_assess_history_entry;

typedef struct weft_assess_history {
	char *file;             /* as given */
	char *repo;             /* the repository's working directory */
	int target;             /* the one target every entry is scored at */
	weft_assess_history_entry *entries; /* oldest first */
	size_t n;
} weft_assess_history;

typedef struct {
	int64_t since;          /* keep versions at or after this time (epoch s); 0: all */
	bool working_tree;      /* a last entry for uncommitted changes */
	weft_assess_score_opts score; /* target 0: one above the latest rated level, for all */
} weft_assess_history_opts;

/* The assessments of the answers file at path over its git history (first
 * parents of HEAD, following renames), each scored against m. Not in a
 * repository, or not tracked -> WEFT_EINVALID with a hint; a repository
 * that cannot be read -> WEFT_EENV. A version that does not load or score
 * is an entry with its error. o NULL: all versions and the working tree. */
int weft_assess_history_load(weft_assess_history **out, const char *path, const weft_assess_model *m,
			     const weft_assess_history_opts *o, weft_diags *d);
void weft_assess_history_free(weft_assess_history *h);
/* The trend: a table of entries (commit, date, author, overall level,
 * score, coverage, PercentToTarget) then each dimension's levels in turn
 * (text); the same as JSON (docs/formats/assess-history.md). */
int weft_assess_history_text(weft_buf *out, const weft_assess_history *h, const weft_assess_report_opts *o);
int weft_assess_history_json(weft_buf *out, const weft_assess_history *h, const weft_assess_report_opts *o);
/* Markdown: the trend table and the per-dimension table. HTML: one
 * self-contained page, an SVG trend chart (a line per dimension and the
 * overall score over level bands, the target dashed) above the table. */
int weft_assess_history_markdown(weft_buf *out, const weft_assess_history *h, const weft_assess_report_opts *o);
int weft_assess_history_html(weft_buf *out, const weft_assess_history *h, const weft_assess_report_opts *o);

/* ---- diff ----------------------------------------------------------------------------- */

/* What moved between two results (OLD, an earlier assessment, and NEW), per
 * dimension and question, matched by id (two versions of a model still
 * diff; ids in one model only are added or removed). A dimension's level
 * is compared with its rating status: rated -> not rated is reported as
 * such, with weft_assess_explain's reason, never as a drop to level 0; a
 * question going from a level to unanswered is "no longer answered", never
 * a drop. PercentToTarget is compared with both results evaluated at the
 * same target (weft_assess_percent_to_target), so a moved target cannot
 * move the delta. Formats: docs/formats/assess-diff.md. */
typedef struct {
	bool colour;  /* SGR colours (text only) */
	int target;   /* 1..5; 0: the NEW result's target */
	const char *generator;    /* "weft 0.1.0"; may be NULL */
	const char *generated_at; /* "2026-12-03T12:00:00Z"; may be NULL */
} weft_assess_diff_opts;

/* Why a diff may not mean what it seems to. */
typedef enum {
	WEFT_ASSESS_DIFF_WARN_UNIT = 1,     /* the two are for different units */
	WEFT_ASSESS_DIFF_WARN_ORDER,        /* NEW's latest date is before OLD's */
	WEFT_ASSESS_DIFF_WARN_MODEL,        /* other model id, version or file digest */
	WEFT_ASSESS_DIFF_WARN_MIGRATION,    /* one side's answers were migrated from an earlier
					       model version and the other's were not (or from
					       another) */
	WEFT_ASSESS_DIFF_WARN_MIN_COVERAGE, /* scored with different min_coverage */
	WEFT_ASSESS_DIFF_WARN_WEIGHTS,      /* scored with different weights */
} weft_assess_diff_warning_kind;

typedef struct {
	weft_assess_diff_warning_kind kind;
	char *text; /* one sentence, file names only (no folders) */
} weft_assess_diff_warning;

typedef struct {
	int target;               /* the target both PercentToTargets are evaluated at */
	bool target_from_option;  /* opts->target given; else the NEW result's target */
	bool changed;             /* anything below moved */
	bool overall_changed;     /* overall level, rating status, score, coverage or PercentToTarget */
	size_t dims_changed, questions_changed, questions_same;
	weft_assess_diff_warning *warnings; /* in kind order */
	size_t n_warnings;
} weft_assess_diff_summary;

/* The summary and warnings of the diff of old_r and new_r (what every
 * format prints), for a caller to show the warnings as diagnostics. opts
 * may be NULL. Free with weft_assess_diff_summary_free. */
int weft_assess_diff_summarize(weft_assess_diff_summary *out, const weft_assess_result *old_r,
			       const weft_assess_result *new_r, const weft_assess_diff_opts *opts);
void weft_assess_diff_summary_free(weft_assess_diff_summary *s);

/* The diff as text (colour on request), JSON (docs/schemas/
 * assess-diff.schema.json) or Markdown. opts may be NULL. */
int weft_assess_diff_text(weft_buf *out, const weft_assess_result *old_r,
			  const weft_assess_result *new_r, const weft_assess_diff_opts *opts);
int weft_assess_diff_json(weft_buf *out, const weft_assess_result *old_r,
			  const weft_assess_result *new_r, const weft_assess_diff_opts *opts);
int weft_assess_diff_markdown(weft_buf *out, const weft_assess_result *old_r,
			      const weft_assess_result *new_r, const weft_assess_diff_opts *opts);

/* ---- interview ------------------------------------------------------------------------ */

typedef struct {
	const weft_assess_model *model;
	const char *path;       /* answers file: resumed when it exists, saved after every answer */
	FILE *in, *out;         /* questions to out, answers from in (lines) */
	bool colour;
	const char *unit, *respondent, *date; /* for a new file; asked for when NULL */
} weft_assess_interview_opts;

typedef struct {
	size_t asked, answered, na, unanswered;
	bool quit;              /* stopped with q or end of input before the last question */
} weft_assess_interview_stats;

/* Ask the questions of o->model one by one: 1-5, na (asks a reason), ? for
 * help, b to go back, q to quit, Enter to keep the current answer. Saves the
 * file atomically after every answer. A file that exists is resumed from its
 * first unanswered question (it must be a valid answers file for the model). */
int weft_assess_interview(weft_assess_interview_stats *stats, const weft_assess_interview_opts *o,
			  weft_diags *d);

/* ---- evidence ------------------------------------------------------------------------- */

/* Where a rule found something: a file, and the line that matched (0: the
 * file as a whole). via: the CI file line that runs the script the match is
 * in, when the match is in a script a CI job runs. Paths are relative to the
 * scanned folder, '/'-separated. */
typedef struct {
	char *path;
	int line;
	char *via;
	int via_line;
} weft_assess_evidence_hit;

/* One rule of one option, and what it found (n_hits 0: not found). */
typedef struct {
	const weft_assess_rule *rule;
	int level;                      /* of the option the rule belongs to */
	weft_assess_evidence_hit *hits; /* at most WEFT_ASSESS_EVIDENCE_MAX_HITS */
	size_t n_hits;
} weft_assess_evidence_rule;

#define WEFT_ASSESS_EVIDENCE_MAX_HITS 5

/* How an answer and the evidence disagree. */
typedef enum {
	WEFT_ASSESS_CONFLICT_NONE = 0,
	WEFT_ASSESS_CONFLICT_OVER,  /* answered at or above a level whose evidence was not found */
	WEFT_ASSESS_CONFLICT_UNDER, /* evidence for a level above the answer (or na, out of scope) */
} weft_assess_conflict_kind;

typedef struct {
	const weft_assess_question *q;
	weft_assess_evidence_rule *rules; /* every rule of every option, by level */
	size_t n_rules;
	int supports_level;  /* the highest level L such that every option from 2 to L has rules
				and every one of them was found; 0: none */
	/* with answers (answer_status UNANSWERED and conflict NONE without) */
	weft_assess_status answer_status;
	int answer_level;
	bool out_of_scope;   /* the answers put the question's dimension out of scope */
	int answer_line, answer_col; /* in the answers file; 0 when not written there */
	weft_assess_conflict_kind conflict;
	int conflict_level;  /* OVER: the lowest answered-for level with a rule not found;
				UNDER: supports_level */
	char *conflict_text; /* one sentence, e.g. "answered 4; not found for level 4: ..." */
} weft_assess_evidence_q;

typedef struct {
	char *root;          /* the scanned folder, as given */
	bool git;            /* files git ignores were left out */
	size_t n_files;      /* files looked at */
	const weft_assess_model *model;
	const weft_assess_answers *answers; /* NULL without --answers */
	weft_assess_evidence_q *qs;         /* questions with rules, model order */
	size_t n_qs;
	size_t n_found;      /* questions with at least one rule found */
	size_t n_conflicts;
} weft_assess_evidence;

typedef struct {
	const weft_assess_answers *answers; /* NULL: no conflicts are looked for */
	size_t max_files;    /* 0: WEFT_ASSESS_EVIDENCE_MAX_FILES */
} weft_assess_evidence_opts;

#define WEFT_ASSESS_EVIDENCE_MAX_FILES 200000
/* Files larger than this are matched by name only (bytes). */
#define WEFT_ASSESS_EVIDENCE_MAX_READ (4u << 20)

/* Scan the folder root for the evidence m's rules describe: every regular
 * file under it (symbolic links are not followed, .git is skipped, and in a
 * git repository so is what git ignores), each rule matched against them.
 * With o->answers (checked against m; migrated when written for an older
 * version), every question's answer is compared with what was found:
 * conflicts both ways. Over-conflicts are only looked for in dimensions
 * where the evidence supports a level for some question, so a batch project does not
 * contradict a unit's real-time answers. Not a folder -> WEFT_EINVALID;
 * unreadable -> WEFT_EENV. */
int weft_assess_evidence_scan(weft_assess_evidence **out, const char *root, const weft_assess_model *m,
			      const weft_assess_evidence_opts *o, weft_diags *d);
void weft_assess_evidence_free(weft_assess_evidence *e);

/* Reports: each question with rules, found / not found per rule with
 * path:line, the level the evidence supports and any conflict. JSON:
 * docs/formats/assess-evidence.md; SARIF 2.1.0: one rule per question,
 * a result per conflict (warning) and per evidence found (note, kind pass). */
int weft_assess_evidence_text(weft_buf *out, const weft_assess_evidence *e, const weft_assess_report_opts *o);
int weft_assess_evidence_json(weft_buf *out, const weft_assess_evidence *e, const weft_assess_report_opts *o);
int weft_assess_evidence_markdown(weft_buf *out, const weft_assess_evidence *e,
				  const weft_assess_report_opts *o);
int weft_assess_evidence_sarif(weft_buf *out, const weft_assess_evidence *e, const weft_assess_report_opts *o);

/* ---- portfolio ------------------------------------------------------------------------ */

/* One view across business units (docs/formats/assess-portfolio.md): each
 * unit's latest assessment (its files with the latest date, rolled up as
 * weft_assess_score rolls up several files), every unit scored at one
 * target, the organisation's weakest dimensions and the gaps most units
 * share. */
typedef struct {
	char *unit;              /* as the answers write it */
	char *date;              /* the latest date among its files; NULL when none has one */
	char **files;            /* the files used (rolled up), as found */
	size_t n_files;
	char **older;            /* its files with an earlier date, left out */
	size_t n_older;
	weft_assess_answers **answers; /* of files[], owned */
	weft_assess_result *result;    /* at the portfolio's target */
} weft_assess_portfolio_unit;

typedef struct {
	const weft_assess_dimension *dim;
	size_t n_in_scope;       /* units where it is in scope */
	size_t n_scored;         /* ... and has a score */
	double median;           /* of those scores (mean of the middle two); 0 when n_scored is 0 */
	size_t n_below;          /* rated below the target */
	size_t n_not_rated;      /* in scope but not rated */
} weft_assess_portfolio_dim;

typedef struct {
	const weft_assess_question *q;
	size_t n_units;          /* units where it is answered below the target */
	const char **units;      /* their names, portfolio order */
	double weighted_gap;     /* the sum over those units */
} weft_assess_portfolio_gap;

typedef struct {
	char *path;
	weft_assess_file_kind kind; /* UNKNOWN: YAML, but no assess file */
} weft_assess_portfolio_skip;

typedef struct {
	const weft_assess_model *model;
	int target;              /* the one target of every unit */
	bool target_explicit;    /* from opts; else one above the lowest rated overall level */
	weft_assess_portfolio_unit *units; /* by unit name */
	size_t n_units;
	weft_assess_portfolio_dim *dims;   /* weakest first: lowest median, then most below */
	size_t n_dims;
	weft_assess_portfolio_gap *gaps;   /* most units first, then largest weighted gap */
	size_t n_gaps;
	weft_assess_portfolio_skip *skipped; /* files that are not answers files */
	size_t n_skipped;
} weft_assess_portfolio;

typedef struct {
	weft_assess_score_opts score; /* target 0: one above the lowest rated overall level */
} weft_assess_portfolio_opts;

/* Load the answers files among paths (files, or folders: their *.yaml and
 * *.yml, not recursive), group them by unit, keep each unit's latest and
 * score it against m. Files that are not answers files are skipped with a
 * note; a broken one is an error (path:line:col, WEFT_EINVALID); one that
 * cannot be read WEFT_EENV; no answers file at all WEFT_EINVALID with a
 * hint. opts may be NULL. */
int weft_assess_portfolio_load(weft_assess_portfolio **out, const char *const *paths, size_t n,
			       const weft_assess_model *m, const weft_assess_portfolio_opts *opts,
			       weft_diags *d);
void weft_assess_portfolio_free(weft_assess_portfolio *p);
/* The portfolio as aligned text, JSON (docs/schemas/assess-portfolio.schema.json;
 * each unit's overall and dimensions as in the score report), Markdown, or
 * one self-contained HTML page with a heat map. */
int weft_assess_portfolio_text(weft_buf *out, const weft_assess_portfolio *p,
			       const weft_assess_report_opts *o);
int weft_assess_portfolio_json(weft_buf *out, const weft_assess_portfolio *p,
			       const weft_assess_report_opts *o);
int weft_assess_portfolio_markdown(weft_buf *out, const weft_assess_portfolio *p,
				   const weft_assess_report_opts *o);
int weft_assess_portfolio_html(weft_buf *out, const weft_assess_portfolio *p,
			       const weft_assess_report_opts *o);

#ifdef __cplusplus
}
#endif
#endif
