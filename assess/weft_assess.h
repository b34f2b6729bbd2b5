/* weft_assess.h - integration-maturity assessments: maturity models,
 * answers, scoring, roll-up of several respondents, diffs and reports.
 *
 * A maturity model (YAML) holds levels 1..5, dimensions and questions, each
 * question with one option per level and an improvement plan per option. An
 * answers file (YAML) gives a level 1..5 or "na" per question. Scoring is
 * documented in docs/scoring.md; the file formats in docs/formats/.
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

typedef struct {
	int level;           /* 1..5 */
	const char *text;    /* what this level looks like, as an observable fact */
	const char *improve; /* how to get to the next level; NULL for level 5 */
	int line, col;
} weft_assess_option;

typedef struct {
	const char *id, *text;
	const char *help; /* may be NULL */
	double weight;    /* > 0 */
	bool critical, allow_na;
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
	weft_assess_question *questions;
	size_t n_questions;
	size_t index;
	int line, col; /* of its id */
} weft_assess_dimension;

typedef struct {
	const char *name, *description;
} weft_assess_level;

typedef struct weft_assess_model {
	const char *path; /* as given to the loader */
	const char *id, *version, *title;
	const char *description; /* may be NULL */
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
	char *note;           /* may be NULL */
	char **evidence;
	size_t n_evidence;
	int line, col;         /* the id key */
	int level_line, level_col; /* the level value (or the key when absent) */
} weft_assess_answer;

typedef struct {
	char *path;
	char *model, *model_version, *unit;
	char *respondent, *date; /* may be NULL */
	weft_assess_answer *answers; /* in file order */
	size_t n_answers, cap_answers;
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
 * ids (with did-you-mean), na where the question does not allow it. Records
 * errors and returns WEFT_EINVALID on any. With warn_missing, records one
 * warning naming the questions left unanswered. */
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
 * NA with a reason, or UNANSWERED to clear it. note may be NULL (an
 * existing note is kept when NULL). */
int weft_assess_answers_set(weft_assess_answers *a, const char *id, weft_assess_status st,
			    int level, const char *reason, const char *note);
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

typedef struct {
	int target;                         /* 1..5; 0 = overall level + 1 (at most 5) */
	const weft_assess_weights *weights; /* NULL: the model's own */
} weft_assess_score_opts;

/* One respondent's answer to a question (for roll-ups and disagreements). */
typedef struct {
	const char *respondent;
	weft_assess_status status;
	int level;
	const char *reason, *note; /* may be NULL */
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
	weft_assess_vote *votes;  /* every respondent's answer, files order */
	size_t n_votes;
	bool disagreement;        /* answered levels differ by 2 or more */
} weft_assess_qresult;

typedef struct {
	const weft_assess_dimension *dim;
	double weight;          /* effective */
	bool assessed;          /* at least one answered question */
	double score;           /* weighted mean of answered levels; 0 when not assessed */
	int level;              /* 1..5; 0 when not assessed */
	int score_level;        /* the level the score alone gives (floor) */
	const char *capped_by;  /* "score", or the id of the critical question holding the
				   level below score_level; NULL when not assessed */
	double coverage;        /* answered weight / total weight, 0..1 */
	double answered_weight, total_weight;
	size_t n_answered, n_na, n_unanswered;
	double percent_to_target; /* 0..1; 0 when not assessed */
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
	const char *path, *respondent, *date; /* respondent: name or file name */
} weft_assess_source;

typedef struct weft_assess_result {
	const weft_assess_model *model;
	const char *unit; /* NULL when no answers were given */
	weft_assess_source *sources;
	size_t n_sources;
	int target;
	bool target_explicit;
	bool assessed;           /* at least one dimension assessed */
	int level;               /* overall: lowest dimension level; 0 when not assessed */
	double score;            /* weighted mean of dimension scores */
	double coverage;         /* dimension-weighted mean of coverages, all dimensions */
	double percent_to_target;
	weft_assess_dresult *dims;
	size_t n_dims;
	weft_assess_gapref *gaps; /* every gap, most points first */
	size_t n_gaps;
	const weft_assess_qresult **disagreements; /* model order */
	size_t n_disagreements;
	const weft_assess_qresult **unanswered;    /* model order */
	size_t n_unanswered;
} weft_assess_result;

/* Score one or more answers files of the same unit against m. Each is
 * checked against the model first (errors -> WEFT_EINVALID); files of
 * different units are an error at the later file's `unit`. Several files
 * are rolled up per question (median, low on ties; na only when all said
 * na). n_answers may be 0 (nothing assessed). */
int weft_assess_score(weft_assess_result **out, const weft_assess_model *m,
		      const weft_assess_answers *const *answers, size_t n_answers,
		      const weft_assess_score_opts *opts, weft_diags *d);
void weft_assess_result_free(weft_assess_result *r);

/* The level of a score alone: floor with a small tolerance (2.9999999 -> 3). */
int weft_assess_score_level(double score);

/* ---- reports ------------------------------------------------------------------------ */

typedef struct {
	bool colour;     /* SGR colours (text only) */
	size_t top_gaps; /* gaps listed in text/markdown; 0 = 5 */
	const char *generator; /* "weft 0.1.0", written into json/html; may be NULL */
} weft_assess_report_opts;

int weft_assess_report_text(weft_buf *out, const weft_assess_result *r,
			    const weft_assess_report_opts *o);
int weft_assess_report_json(weft_buf *out, const weft_assess_result *r,
			    const weft_assess_report_opts *o);
int weft_assess_report_markdown(weft_buf *out, const weft_assess_result *r,
				const weft_assess_report_opts *o);
int weft_assess_report_html(weft_buf *out, const weft_assess_result *r,
			    const weft_assess_report_opts *o);

/* ---- diff ----------------------------------------------------------------------------- */

/* What moved between two results of the same model, per dimension and
 * question. Text (colour on request) or JSON. */
int weft_assess_diff_text(weft_buf *out, const weft_assess_result *old_r,
			  const weft_assess_result *new_r, bool colour);
int weft_assess_diff_json(weft_buf *out, const weft_assess_result *old_r,
			  const weft_assess_result *new_r);

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

#ifdef __cplusplus
}
#endif
#endif
