/* assess_int.h - what the files of assess/ share and nobody else sees:
 * bounded YAML loading, id checks, text layout (UTF-8 aware wrapping and
 * padding), YAML/Markdown quoting, number formatting, and the roll-up.
 */
#ifndef WEFT_ASSESS_INT_H
#define WEFT_ASSESS_INT_H

#include <cjson/cJSON.h>

#include "weft_assess.h"

/* Load a YAML document under the assess limits (size, nodes, depth). A file
 * over WEFT_ASSESS_MAX_FILE is an error at the line and column where the
 * limit is passed. */
int assess_yaml_file(weft_yaml_doc **out, char sha256[65], const char *path, weft_diags *d);
int assess_yaml_buffer(weft_yaml_doc **out, char sha256[65], const char *name, const char *buf,
		       size_t len, weft_diags *d);
/* sha256 (may be NULL) receives the hex digest of the bytes read. */

/* Migrations of a model (model.c calls this for its `migrations:` list,
 * after the ids are indexed): every entry checked against m, every problem
 * recorded; returns the number of errors. */
size_t assess_migrations_read(weft_assess_model *m, const weft_yaml_doc *doc,
			      const weft_yaml_node *seq, weft_diags *d);
void assess_migrations_free(weft_assess_model *m);

/* The evidence rules of q's option for level (model.c calls this for each
 * option's `evidence:` list; seq may be NULL): every problem recorded,
 * returns the number of errors. assess_rules_free frees every option's. */
size_t assess_rules_read(weft_assess_question *q, int level, const weft_yaml_doc *doc,
			 const weft_yaml_node *seq, weft_diags *d);
void assess_rules_free(weft_assess_model *m);

/* The regular files under root (evidence_files.c): relative '/'-separated
 * paths, sorted, at most max; symbolic links not followed, .git skipped, and
 * in a git repository what git ignores. git: root is in a repository. */
typedef struct {
	char **paths;
	size_t n;
	bool git;
} assess_filelist;
int assess_files_list(assess_filelist *out, const char *root, size_t max, weft_diags *d);
void assess_files_free(assess_filelist *fl);
/* A glob of a rule against a relative path: without '/', the file's name at
 * any depth; with '/', the whole path, "**" standing for any number of
 * folders. '*' and '?' do not match a leading '.'. */
bool assess_glob_match(const char *glob, const char *path);

/* Answers sets: a new blank answer at the end (NULL on allocation failure),
 * and a deep copy of a whole set (NULL on allocation failure). */
weft_assess_answer *assess_answers_append(weft_assess_answers *a);
weft_assess_answers *assess_answers_dup(const weft_assess_answers *a);
/* Add a note (printf-style) to a->notes; WEFT_ENOMEM on failure. */
int assess_answers_note(weft_assess_answers *a, const char *fmt, ...) WEFT_PRINTF(2, 3);

/* [a-z0-9][a-z0-9._-]* (model ids: without '.' and '_'), at most 128 bytes. */
bool assess_id_ok(const char *s, bool model_id);

/* A required string field that must not be empty or blank. */
int assess_req_str(const char **out, const weft_yaml_doc *doc, const weft_yaml_node *map,
		   const char *key, weft_diags *d);

/* Questions and dimensions by id (sorted index held by the model). */
typedef struct {
	const char *id;
	const weft_assess_question *q; /* NULL for a dimension */
	const weft_assess_dimension *dim;
} assess_id_entry;
const assess_id_entry *assess_model_lookup(const weft_assess_model *m, const char *id);
/* Every id of the model (questions only when questions_only), for hints. */
const char *assess_model_suggest(const weft_assess_model *m, const char *word, bool questions_only);

/* Weights after an override: per dimension index and per question index. */
double assess_weights_dim(const weft_assess_weights *w, const weft_assess_model *m, size_t dim);
double assess_weights_question(const weft_assess_weights *w, const weft_assess_model *m,
			       size_t q);
const weft_assess_model *assess_weights_model(const weft_assess_weights *w);

/* Answers by question id in O(log n): a sorted view of an answers set
 * (which must not change while the index is used). */
typedef struct {
	const weft_assess_answer **v;
	size_t n;
} assess_aindex;
int assess_aindex_build(assess_aindex *ix, const weft_assess_answers *a);
const weft_assess_answer *assess_aindex_find(const assess_aindex *ix, const char *id);
void assess_aindex_free(assess_aindex *ix);

/* A list of answers sets, as the scorer takes them. */
typedef const weft_assess_answers *const *assess_alist;

/* ---- roll-up ---- */
typedef struct {
	weft_assess_status status;
	int level;
	const char *reason, *category, *note;
	char *const *evidence;
	size_t n_evidence;
	weft_assess_vote *votes; /* n_sources entries */
	size_t n_votes;
	bool disagreement;
} assess_rolled;

/* Per question of m (model order), the rolled-up answer of the files.
 * labels[i] names file i's respondent; scoped_out[i][dim] (may be NULL) says
 * file i put dimension dim out of scope, so its answers there do not vote.
 * *out has m->n_questions entries. */
int assess_rollup(assess_rolled **out, const weft_assess_model *m,
		  const weft_assess_answers *const *answers, const char *const *labels,
		  const bool *const *scoped_out, size_t n);
void assess_rolled_free(assess_rolled *r, size_t n);

/* ---- text ---- */

/* Display columns of UTF-8 text: weft_utf8_cols (core), kept for callers. */
size_t assess_utf8_cols(const char *s, size_t len);
/* Append s cut to at most cols columns ("..." when cut, or when s holds a
 * newline: the first line only), padded with spaces to exactly cols when
 * pad. A cut never splits a code point or a wide character. */
void assess_put_cols(weft_buf *b, const char *s, size_t cols, bool pad);
/* Append text word-wrapped to width columns; every line starts with
 * first (the first line) or indent (the others) and ends with '\n'. Existing
 * newlines start new lines. */
void assess_wrap(weft_buf *b, const char *text, size_t width, const char *first,
		 const char *indent);
/* A copy of s with everything YAML or a terminal would not print as text
 * (controls, escapes, odd line separators) replaced by spaces; line breaks
 * kept as '\n' when keep_newlines, else spaces. NULL on allocation failure. */
char *assess_printable(const char *s, bool keep_newlines);
/* s made safe to quote in a one-line diagnostic: control characters and
 * escapes as '?', cut to 80 code points with "...", written into out.
 * assess_clean(s) does it in a buffer of the calling block (a compound
 * literal), so any number may appear in one message and nothing is shared
 * between calls or threads. */
#define ASSESS_CLEAN_MAX 400
char *assess_clean_into(char out[ASSESS_CLEAN_MAX], const char *s);
#define assess_clean(s) assess_clean_into((char[ASSESS_CLEAN_MAX]){ 0 }, (s))
/* A YAML double-quoted scalar that reads back as s. */
void assess_put_yaml_str(weft_buf *b, const char *s);
/* Markdown table-cell text: '|' escaped, newlines as spaces, specials escaped. */
void assess_put_md(weft_buf *b, const char *s);
/* The same for any text (NULL as ""): made printable first (controls and
 * line breaks as spaces). */
void assess_put_md_text(weft_buf *b, const char *s);
/* End a sentence: '.' unless b already ends with '.', '!' or '?'. */
void assess_end_sentence(weft_buf *b);
/* A score with two decimals ("2.50"). */
void assess_put_score(weft_buf *b, double v);
/* Round to 4 decimals (for JSON, so output is stable). */
double assess_round4(double v);
/* A percentage 0..100 from a fraction, rounded down to a whole number unless
 * it is exactly 1 ("99%" for 0.999). */
int assess_pct(double frac);

/* JSON building for the report writers: cJSON's adders return NULL or
 * false on failure; collect that in one flag and free what was not added. */
typedef struct {
	bool oom;
} assess_jguard;
void assess_jadd(assess_jguard *g, cJSON *obj, const char *key, cJSON *val);
void assess_jpush(assess_jguard *g, cJSON *arr, cJSON *val);
/* A JSON string, or null for NULL. */
cJSON *assess_json_str_or_null(const char *s);
/* The WEFT_ASSESS_WHY_* bits as a JSON array of their stable names, and
 * weft_assess_explain's sentence as a JSON string (report and diff JSON). */
cJSON *assess_json_why(assess_jguard *g, unsigned why);
cJSON *assess_json_explain(const weft_assess_result *r, const weft_assess_dresult *dr);
/* The report's "overall" object (report_json.c), for the history too. */
cJSON *assess_json_overall(assess_jguard *g, const weft_assess_result *r);
/* The report's object for one dimension (report_json.c), for the portfolio. */
cJSON *assess_json_dimension(assess_jguard *g, const weft_assess_result *r, const weft_assess_dresult *dr);
/* Print root (then free it) into out with a final newline; WEFT_ENOMEM when
 * g saw a failure or printing fails. */
int assess_json_emit(weft_buf *out, const assess_jguard *g, cJSON *root);
/* Where r's target came from, as a phrase ("one above the overall level 2"),
 * for the HTML and Markdown provenance. */
void assess_target_from(weft_buf *b, const weft_assess_result *r);

/* ---- HTML (report_html.c) ---- */

/* The colour the score report gives a level against target (at target,
 * one below, further, no level), and s made printable and HTML-escaped. */
const char *assess_html_level_colour(bool rated, int level, int target);
void assess_html_text(weft_buf *b, const char *s);

/* ---- the trend in the score report (history_report.c) ---- */

/* weft_assess_history_json's object. */
cJSON *assess_history_json_obj(assess_jguard *g, const weft_assess_history *h,
			       const weft_assess_report_opts *o);
/* A short trend section: one line per version (date, commit, level, score). */
void assess_history_trend_text(weft_buf *b, const weft_assess_history *h);
void assess_history_trend_markdown(weft_buf *b, const weft_assess_history *h);
/* The SVG trend chart, its legend and the table of entries (a fragment). */
void assess_history_chart_html(weft_buf *b, const weft_assess_history *h);

/* ---- editing an answers file in place (answers_edit.c) ---- */

/* The text orig (an answers file that loads as before) with only what
 * differs in after edited: levels replaced in place, reason/category added
 * for na (and removed when leaving it), notes, header fields (unit,
 * respondent, date), new answers appended to the answers mapping in the
 * file's style; comments, order, quoting, blank lines and unknown fields
 * kept. The result is loaded again and must equal after; when it does not,
 * or the file cannot be edited safely (anchors or aliases in an edited
 * answer, tabs, multi-line values or flow mappings, ...), out gets the
 * layout of weft_assess_answers_render instead. orig may be NULL (render).
 * Appends to out. Returns 0 (edited in place), 1 (rendered in the standard
 * layout) or a negative weft_error (WEFT_ENOMEM, recorded in d). */
int assess_answers_patch(weft_buf *out, const char *orig, size_t len,
			 const weft_assess_answers *before, const weft_assess_answers *after,
			 const weft_assess_model *m, weft_diags *d);

#endif
