/* weft_core.h - what every part of weft shares.
 *
 * Error codes, diagnostics (path:line:col: message, collected and printed by
 * the CLI only), a growable string buffer, a YAML loader that keeps the
 * position of every node, atomic file writes, and terminal helpers.
 *
 * Conventions (libgit2 style): functions return 0 or a negative weft_error;
 * out-parameters come first; every _new/_load has a _free that accepts NULL.
 * Nothing here prints unless handed a FILE* by the caller, and nothing exits.
 */
#ifndef WEFT_CORE_H
#define WEFT_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define WEFT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define WEFT_PRINTF(f, a)
#endif

/* ---- errors and exit codes --------------------------------------------- */

typedef enum {
	WEFT_OK = 0,
	WEFT_EGATE = -1,    /* a gate failed: level below target, budget broken */
	WEFT_EUSAGE = -2,   /* bad command line */
	WEFT_EINVALID = -3, /* invalid input: bad YAML, unknown id, bad model */
	WEFT_EENV = -4,     /* environment: I/O error, missing device */
	WEFT_EEXISTS = -5,  /* would overwrite a file without --force */
	WEFT_ENOMEM = -6,   /* out of memory */
} weft_error;

/* Process exit codes, the contract documented in docs/cli.md. */
enum {
	WEFT_EXIT_OK = 0,
	WEFT_EXIT_GATE = 1,
	WEFT_EXIT_USAGE = 2,
	WEFT_EXIT_INVALID = 3,
	WEFT_EXIT_ENV = 4,
};

/* Map a weft_error (0 or negative) to the process exit code. */
int weft_exit_code(int err);

/* A short English name for an error code ("invalid input"). */
const char *weft_error_str(int err);

/* ---- diagnostics --------------------------------------------------------- */

typedef enum {
	WEFT_SEV_ERROR,
	WEFT_SEV_WARNING,
	WEFT_SEV_NOTE,
} weft_severity;

/* One diagnostic. line and col are 1-based; 0 means "not known". */
typedef struct {
	weft_severity severity;
	char *path; /* may be NULL */
	int line, col;
	char *message;
	char *hint; /* may be NULL */
} weft_diag;

typedef struct weft_diags weft_diags;

int weft_diags_new(weft_diags **out);
void weft_diags_free(weft_diags *d);

/* Record a diagnostic. path and hint may be NULL. Never fails: on allocation
 * failure the diagnostic is counted but its text is dropped. */
void weft_diags_add(weft_diags *d, weft_severity sev, const char *path, int line, int col,
		    const char *hint, const char *fmt, ...) WEFT_PRINTF(7, 8);
void weft_diags_vadd(weft_diags *d, weft_severity sev, const char *path, int line, int col,
		     const char *hint, const char *fmt, va_list ap);

/* Shorthand for an error; returns WEFT_EINVALID so callers can
 * `return weft_diags_error(...)`. */
int weft_diags_error(weft_diags *d, const char *path, int line, int col, const char *fmt, ...)
	WEFT_PRINTF(5, 6);

size_t weft_diags_count(const weft_diags *d);
size_t weft_diags_errors(const weft_diags *d);
const weft_diag *weft_diags_get(const weft_diags *d, size_t i);
/* Drop every diagnostic. */
void weft_diags_clear(weft_diags *d);

/* Write every diagnostic as "path:line:col: error: message" (+ "  hint: ...")
 * to fp, in insertion order; colour when asked. For the CLI. */
void weft_diags_print(const weft_diags *d, FILE *fp, bool colour);

/* ---- string buffer --------------------------------------------------------- */

/* A growable NUL-terminated byte buffer. Zero-initialise to start
 * (weft_buf b = WEFT_BUF_INIT). On allocation failure the buffer goes into a
 * sticky error state (oom = true) and further appends are ignored. */
typedef struct {
	char *ptr;
	size_t len, cap;
	bool oom;
} weft_buf;
#define WEFT_BUF_INIT { NULL, 0, 0, false }

void weft_buf_put(weft_buf *b, const void *data, size_t len);
void weft_buf_puts(weft_buf *b, const char *s);
void weft_buf_putc(weft_buf *b, char c);
void weft_buf_printf(weft_buf *b, const char *fmt, ...) WEFT_PRINTF(2, 3);
void weft_buf_vprintf(weft_buf *b, const char *fmt, va_list ap);
/* Append s with HTML special characters (&<>"') escaped. */
void weft_buf_put_html(weft_buf *b, const char *s);
/* Take ownership of the contents (never NULL unless oom; "" when empty). */
char *weft_buf_detach(weft_buf *b);
void weft_buf_free(weft_buf *b);

/* ---- files ------------------------------------------------------------------- */

/* Read a whole file, capped at max_bytes (0 = 64 MiB). The result is
 * NUL-terminated; *len_out (optional) excludes the NUL. Errors are recorded in
 * d: WEFT_EENV for I/O, WEFT_EINVALID when the file is larger than the cap. */
int weft_file_read(char **out, size_t *len_out, const char *path, size_t max_bytes,
		   weft_diags *d);

enum {
	WEFT_WRITE_FORCE = 1u << 0, /* replace an existing file */
	WEFT_WRITE_EXEC = 1u << 1,  /* mode 0755 instead of 0644 (both less the umask) */
};

/* Write len bytes to path atomically: a temporary file in the same directory
 * (".weft-tmp-" and 12 random characters, so any name up to NAME_MAX works),
 * created with mode 0644 or 0755 less the process umask (applied by the
 * kernel; umask() is never called, so this is safe in threaded programs),
 * fsync, then rename into place. Without WEFT_WRITE_FORCE an existing file is
 * never replaced (WEFT_EEXISTS), atomically: renameat2(RENAME_NOREPLACE), or
 * link + unlink where the file system lacks it. The temporary is removed on
 * any failure; the destination is either untouched or complete. path "-"
 * writes to stdout; an existing device or pipe (/dev/null, a FIFO) is written
 * into, never replaced; a directory is an error (WEFT_EENV). */
int weft_file_write_atomic(const char *path, const void *data, size_t len, unsigned flags,
			   weft_diags *d);

/* The same, streamed: open gives a writer on a temporary beside path (or
 * on stdout for "-", or straight into an existing device or pipe), with
 * the same refusals as above; write appends (0, or -1 after which every
 * write fails and the commit reports the first error); commit makes the
 * file appear whole (fsync, rename; WEFT_EEXISTS as above) and frees the
 * writer; abort removes the temporary and frees it (NULL: nothing). */
typedef struct weft_file_out weft_file_out;
int weft_file_out_open(weft_file_out **out, const char *path, unsigned flags, weft_diags *d);
int weft_file_out_write(weft_file_out *f, const void *data, size_t len);
int weft_file_out_commit(weft_file_out *f, weft_diags *d);
void weft_file_out_abort(weft_file_out *f);

/* Does path exist (as anything)? */
bool weft_path_exists(const char *path);

/* Remove path and everything under it, never following symbolic links (a
 * link is removed, not what it points to); nesting is bounded at 64 levels.
 * Best effort and silent: for folders weft made itself (temporary clones,
 * unfinished projects). NULL or "" does nothing. */
void weft_file_rm_tree(const char *path);

/* ---- YAML with positions ------------------------------------------------------ */

typedef enum {
	WEFT_YAML_SCALAR,
	WEFT_YAML_SEQUENCE,
	WEFT_YAML_MAPPING,
} weft_yaml_kind;

typedef struct weft_yaml_node weft_yaml_node;

/* A node of a loaded document. Read-only for callers; owned by the document.
 * An alias shares the anchored node (the tree is a DAG), so a node may be
 * reached more than once. */
struct weft_yaml_node {
	weft_yaml_kind kind;
	int line, col;  /* 1-based position of the node's first character */
	char *tag;      /* explicit tag or NULL */
	/* scalars */
	char *scalar;   /* NUL-terminated; may contain NULs, see len */
	size_t len;
	bool quoted;    /* written in quotes or block style (never null/bool/number) */
	/* sequences: items[0..n); mappings: keys[i] -> items[i] */
	size_t n;
	weft_yaml_node **items;
	weft_yaml_node **keys;
};

typedef struct weft_yaml_doc weft_yaml_doc;

/* Limits against hostile documents. Zero fields take the defaults. */
typedef struct {
	size_t max_bytes;      /* document size, default 16 MiB */
	size_t max_nodes;      /* nodes after alias expansion, default 1,000,000 */
	unsigned max_depth;    /* nesting, default 256 */
	bool allow_duplicates; /* duplicate mapping keys; default: an error */
} weft_yaml_opts;

/* Load the first document of a file (or of a buffer, whose name is used in
 * diagnostics). An empty document gives a NULL root, not an error. Errors go
 * to d with line and column; returns WEFT_EINVALID or WEFT_EENV. */
int weft_yaml_load_file(weft_yaml_doc **out, const char *path, const weft_yaml_opts *opts,
			weft_diags *d);
int weft_yaml_load_buffer(weft_yaml_doc **out, const char *name, const char *buf, size_t len,
			  const weft_yaml_opts *opts, weft_diags *d);
void weft_yaml_doc_free(weft_yaml_doc *doc);

const weft_yaml_node *weft_yaml_doc_root(const weft_yaml_doc *doc);
const char *weft_yaml_doc_path(const weft_yaml_doc *doc);

/* "a mapping", "a sequence", "a string", "a number", "a boolean", "null". */
const char *weft_yaml_describe(const weft_yaml_node *n);

/* The value under key in a mapping, or NULL (also when map is not a mapping). */
const weft_yaml_node *weft_yaml_get(const weft_yaml_node *map, const char *key);

/* Record "path:line:col: expected K, got a sequence" unless n has kind k.
 * Returns 0 or WEFT_EINVALID. what names the thing for the message, e.g.
 * "dimension" -> "dimension: expected a mapping, got a sequence"; may be NULL. */
int weft_yaml_expect(const weft_yaml_doc *doc, const weft_yaml_node *n, weft_yaml_kind k,
		     const char *what, weft_diags *d);

/* Typed scalar readers over mapping fields. When the key is absent: required
 * fields record "missing required field 'key'" at the mapping's position and
 * return WEFT_EINVALID; optional ones leave *out untouched and return 0.
 * Type errors are recorded at the value's position. */
int weft_yaml_str(const char **out, const weft_yaml_doc *doc, const weft_yaml_node *map,
		  const char *key, bool required, weft_diags *d);
int weft_yaml_int(long long *out, const weft_yaml_doc *doc, const weft_yaml_node *map,
		  const char *key, bool required, weft_diags *d);
int weft_yaml_num(double *out, const weft_yaml_doc *doc, const weft_yaml_node *map,
		  const char *key, bool required, weft_diags *d);
int weft_yaml_bool(bool *out, const weft_yaml_doc *doc, const weft_yaml_node *map,
		   const char *key, bool required, weft_diags *d);

/* Scalar conversions of a single node (no diagnostics; 0 or WEFT_EINVALID). */
bool weft_yaml_is_null(const weft_yaml_node *n);
int weft_yaml_as_int(long long *out, const weft_yaml_node *n);
int weft_yaml_as_num(double *out, const weft_yaml_node *n);
int weft_yaml_as_bool(bool *out, const weft_yaml_node *n);

/* Record a warning for every key of map not in the NULL-terminated list
 * `known` ("unknown field 'x'", with a did-you-mean hint). Returns the number
 * of unknown keys. */
size_t weft_yaml_check_keys(const weft_yaml_doc *doc, const weft_yaml_node *map,
			    const char *const *known, weft_severity sev, weft_diags *d);

/* ---- text helpers ----------------------------------------------------------- */

/* Edit distance between two strings: insertions, deletions, substitutions
 * and adjacent transpositions each cost 1 (optimal string alignment). */
size_t weft_edit_distance(const char *a, const char *b);

/* The candidate closest to word within a distance that scales with its length,
 * or NULL. For "did you mean" hints. */
const char *weft_suggest(const char *word, const char *const *candidates, size_t n);

/* UTF-8: the code point at s and its length in bytes (*len >= 1); a
 * malformed or truncated sequence reads as U+FFFD with *len 1. s must be
 * NUL-terminated (the NUL stops a sequence). */
unsigned long weft_utf8_next(const unsigned char *s, size_t *len);
/* Fit to show on a terminal and to put in YAML, JSON or XML text: not a
 * C0/C1 control, DEL, surrogate, non-character or line/paragraph separator. */
bool weft_utf8_printable(unsigned long cp);
/* Strict UTF-8: the length (1-4) of the well-formed sequence that starts the
 * first len bytes of s, its code point in *cp; 0 when there is none (a stray
 * continuation byte, an overlong form, a surrogate, past U+10FFFF, or cut
 * short by len), and then *cp is U+FFFD. NUL decodes as U+0000, length 1. */
size_t weft_utf8_decode(unsigned long *cp, const char *s, size_t len);
/* Terminal columns of one code point: 0 for combining marks, zero-width and
 * format characters and controls, 2 for East Asian Wide and Fullwidth (CJK,
 * Hangul, fullwidth forms, emoji), else 1. The same everywhere: no locale. */
int weft_utf8_cp_cols(unsigned long cp);
/* Terminal columns of the first len bytes of s (weft_utf8_cp_cols summed;
 * every byte that is not well-formed UTF-8 counts 1, as U+FFFD). NUL does
 * not end the text here: it is a control, 0 columns. */
size_t weft_utf8_cols(const char *s, size_t len);
/* The byte length of the longest prefix of s[0..len) that fits in cols
 * columns: never splits a code point or a wide character, and keeps the
 * zero-width marks that follow the last character that fits. *used (may be
 * NULL) gets the prefix's columns. */
size_t weft_utf8_fit(size_t *used, const char *s, size_t len, size_t cols);
/* Terminal columns of the NUL-terminated s (weft_utf8_cols); 0 for NULL. */
size_t weft_utf8_width(const char *s);
/* Append s with every malformed byte and unprintable code point (see
 * weft_utf8_printable) replaced by the character replacement. */
void weft_buf_put_printable(weft_buf *b, const char *s, char replacement);

/* ---- terminal ------------------------------------------------------------------- */

/* Colour on fp? True only for a terminal, and never when NO_COLOR is set
 * (non-empty) or TERM is "dumb". */
bool weft_term_colour(FILE *fp);

/* SGR sequences, or "" when colour is off. */
const char *weft_term_sgr(bool colour, const char *code); /* e.g. "1;31" */
#define WEFT_SGR_RESET "0"
#define WEFT_SGR_BOLD "1"
#define WEFT_SGR_RED "31"
#define WEFT_SGR_GREEN "32"
#define WEFT_SGR_YELLOW "33"
#define WEFT_SGR_DIM "2"

/* A progress bar on a terminal stream; silent when fp is not a terminal
 * (or when NO_PROGRESS/CI style environments make it so). */
typedef struct weft_progress weft_progress;
int weft_progress_new(weft_progress **out, FILE *fp, const char *label, uint64_t total);
/* Update to done (of total); redraws at most ~10 times a second. */
void weft_progress_update(weft_progress *p, uint64_t done);
/* Clear the line and free. Accepts NULL. */
void weft_progress_free(weft_progress *p);

/* Monotonic clock in nanoseconds. */
uint64_t weft_now_ns(void);

/* ---- shipped data ------------------------------------------------------------ */

/* Folder holding the data weft ships (assess/questionnaires,
 * templates/patterns, pipelines/examples), looked up once: $WEFT_DATA_DIR
 * when set; else share/weft beside the installed binary (the path from its
 * bin folder is recorded at build time, so a copied prefix works); else the
 * source tree, only when the binary runs from its own build folder. When none
 * exists, the path beside the binary (so errors name it). */
const char *weft_data_dir(void);
/* Why weft_data_dir() is what it is, in words ("installed beside the binary
 * ...", "not found: ..."), for `weft doctor`. */
const char *weft_data_dir_why(void);
/* Folder of the running executable (from /proc/self/exe), or NULL. */
const char *weft_exe_dir(void);
/* Whether the running executable lies inside the build folder it was
 * built in (tests and `build/weft`). */
bool weft_running_from_build(void);

/* ---- version ---------------------------------------------------------------------- */

/* "0.1.0" and, when built from a checkout, "0.1.0 (v0.1.0-3-gabc1234)". */
const char *weft_version(void);
const char *weft_version_long(void);

/* ---- SHA-256 (FIPS 180-4): fingerprints of models, answers and weights files ---- */

typedef struct {
	uint32_t h[8];
	uint64_t bytes;
	uint8_t block[64];
	size_t fill;
} weft_sha256;

void weft_sha256_init(weft_sha256 *s);
void weft_sha256_update(weft_sha256 *s, const void *data, size_t len);
void weft_sha256_final(weft_sha256 *s, uint8_t digest[32]);
/* Lower-case hex digest of data into hex (65 bytes with the NUL). */
void weft_sha256_hex(char hex[65], const void *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif
