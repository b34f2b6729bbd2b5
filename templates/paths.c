/* paths.c - the one checker for every path a template names or makes.
 *
 * Design: template files (after their names are rendered), include sources
 * and destinations, the files and partials folders and file-rule patterns
 * all go through weft_templates_path_check, which answers with the first
 * rule a path breaks, so that every refusal can name the path and the rule.
 * The rules are those of a relative, '/'-separated path that stays inside
 * its folder on every system a project may be checked out on, and never
 * reaches the project's git repository:
 *
 *   - not empty, no empty component ("a//b", "a/"), not absolute;
 *   - no "." or ".." component;
 *   - no backslash (a separator on Windows), no control character (bytes
 *     below 0x20, and 0x7f);
 *   - no component longer than 255 bytes, no path longer than 1024;
 *   - no component that a file system takes for ".git": compared without
 *     case (".GIT", ".Git"), without trailing dots and spaces (".git.",
 *     ".git "; Windows drops them), without an NTFS stream suffix
 *     (".git::$INDEX_ALLOCATION"), without the code points HFS+ ignores
 *     (U+200C..U+200F, U+202A..U+202E, U+206A..U+206F, U+FEFF), and its
 *     8.3 short name "git~1". These are the forms git itself refuses
 *     (core.protectNTFS, core.protectHFS), at any depth: a nested .git
 *     is a repository too.
 *
 * Names that merely contain "git" (".github", ".gitignore", "git.md",
 * "a.git") are ordinary files and pass.
 *
 * Also here, because they are about paths rather than about writing: the
 * key under which two paths are the same file on a case-insensitive file
 * system (macOS, Windows), and a small .gitignore matcher, used to warn
 * when a template's own .gitignore would leave some of its files out of
 * the first commit.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "templates_int.h"

const char *weft_templates_path_rule_text(weft_templates_path_rule r)
{
	switch (r) {
	case WEFT_TEMPLATES_PATH_OK: return "a safe relative path";
	case WEFT_TEMPLATES_PATH_EMPTY: return "empty paths and empty components ('a//b', 'a/') are refused";
	case WEFT_TEMPLATES_PATH_ABSOLUTE: return "absolute paths are refused";
	case WEFT_TEMPLATES_PATH_DOTS: return "'.' and '..' components are refused";
	case WEFT_TEMPLATES_PATH_BACKSLASH: return "backslashes are refused (a separator on Windows)";
	case WEFT_TEMPLATES_PATH_CONTROL: return "control characters are refused";
	case WEFT_TEMPLATES_PATH_GIT:
		return "nothing may reach the project's git repository: '.git' in any case, with trailing "
		       "dots or spaces, or as 'git~1', is refused";
	case WEFT_TEMPLATES_PATH_NAME_LONG: return "components longer than 255 bytes are refused";
	case WEFT_TEMPLATES_PATH_TOO_LONG: return "paths longer than 1024 bytes are refused";
	}
	return "?";
}

/* The length of an HFS+-ignored code point at s (UTF-8), or 0. */
static size_t hfs_ignored(const unsigned char *s, size_t n)
{
	if (n < 3)
		return 0;
	if (s[0] == 0xe2 && s[1] == 0x80 && ((s[2] >= 0x8c && s[2] <= 0x8f) || (s[2] >= 0xaa && s[2] <= 0xae)))
		return 3;
	if (s[0] == 0xe2 && s[1] == 0x81 && s[2] >= 0xaa && s[2] <= 0xaf)
		return 3;
	if (s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
		return 3;
	return 0;
}

bool weft_templates_name_is_git(const char *name, size_t len)
{
	char buf[256];
	size_t k = 0;
	const unsigned char *u = (const unsigned char *)name;
	for (size_t i = 0; i < len && k < sizeof buf;) {
		size_t skip = hfs_ignored(u + i, len - i);
		if (skip) {
			i += skip;
			continue;
		}
		char c = (char)u[i++];
		buf[k++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	if (k == sizeof buf)
		return false;
	size_t stem;
	if (k >= 4 && !memcmp(buf, ".git", 4))
		stem = 4;
	else if (k >= 5 && !memcmp(buf, "git~1", 5))
		stem = 5;
	else
		return false;
	/* what follows: nothing, trailing dots and spaces, or an NTFS stream */
	for (size_t i = stem; i < k; i++) {
		if (buf[i] == ':')
			return true;
		if (buf[i] != '.' && buf[i] != ' ')
			return false;
	}
	return true;
}

weft_templates_path_rule weft_templates_path_check(const char *rel, weft_templates_path_why *why)
{
	weft_templates_path_why w = { WEFT_TEMPLATES_PATH_OK, 0, 0 };
	size_t total = rel ? strlen(rel) : 0;
	if (!rel || !*rel) {
		w.rule = WEFT_TEMPLATES_PATH_EMPTY;
	} else if (rel[0] == '/') {
		w.rule = WEFT_TEMPLATES_PATH_ABSOLUTE;
		w.len = total;
	} else if (total > WEFT_TEMPLATES_PATH_MAX) {
		w.rule = WEFT_TEMPLATES_PATH_TOO_LONG;
		w.len = total;
	} else {
		for (const char *s = rel;;) {
			const char *e = strchr(s, '/');
			size_t n = e ? (size_t)(e - s) : strlen(s);
			w.off = (size_t)(s - rel);
			w.len = n;
			if (n == 0)
				w.rule = WEFT_TEMPLATES_PATH_EMPTY;
			else if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
				w.rule = WEFT_TEMPLATES_PATH_DOTS;
			for (size_t i = 0; i < n && !w.rule; i++) {
				unsigned char c = (unsigned char)s[i];
				if (c == '\\')
					w.rule = WEFT_TEMPLATES_PATH_BACKSLASH;
				else if (c < 0x20 || c == 0x7f)
					w.rule = WEFT_TEMPLATES_PATH_CONTROL;
			}
			if (!w.rule && n > WEFT_TEMPLATES_NAME_MAX)
				w.rule = WEFT_TEMPLATES_PATH_NAME_LONG;
			if (!w.rule && weft_templates_name_is_git(s, n))
				w.rule = WEFT_TEMPLATES_PATH_GIT;
			if (w.rule || !e)
				break;
			s = e + 1;
		}
	}
	if (!w.rule)
		w.off = w.len = 0;
	if (why)
		*why = w;
	return w.rule;
}

bool weft_templates_name_has_partial(const char *name)
{
	for (const char *s = strstr(name, "{{"); s; s = strstr(s + 1, "{{"))
		if (s[2] == '>' || s[2] == '<')
			return true;
	return false;
}

char *weft_templates_path_fold(const char *path)
{
	size_t n = strlen(path);
	char *out = malloc(n + 1);
	if (!out)
		return NULL;
	size_t k = 0, comp = 0; /* comp: where the current component starts in out */
	for (size_t i = 0; i <= n; i++) {
		char c = path[i];
		if (c == '/' || c == '\0') {
			/* Windows drops trailing dots and spaces; a name of dots alone stays */
			size_t end = k;
			while (end > comp && (out[end - 1] == '.' || out[end - 1] == ' '))
				end--;
			if (end > comp)
				k = end;
			if (c == '\0')
				break;
			out[k++] = '/';
			comp = k;
			continue;
		}
		out[k++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	out[k] = '\0';
	return out;
}

/* ---- .gitignore ---------------------------------------------------------------------- */

typedef struct {
	char *base;     /* folder of the .gitignore, "" at the top */
	char **parts;   /* the pattern's components (anchored) or its one component */
	size_t n_parts;
	bool anchored;  /* has a '/' before its end: matched from base */
	bool negate;    /* "!pattern" */
	bool dir_only;  /* "pattern/" */
} ignore_pat;

struct weft_templates_ignore {
	ignore_pat *v;
	size_t n, cap;
};

void weft_templates_ignore_free(weft_templates_ignore *ig)
{
	if (!ig)
		return;
	for (size_t i = 0; i < ig->n; i++) {
		free(ig->v[i].base);
		for (size_t k = 0; k < ig->v[i].n_parts; k++)
			free(ig->v[i].parts[k]);
		free(ig->v[i].parts);
	}
	free(ig->v);
	free(ig);
}

static int add_pattern(weft_templates_ignore *ig, const char *base, char *line)
{
	ignore_pat pat = { 0 };
	size_t n = strlen(line);
	/* trailing spaces go unless escaped with a backslash */
	while (n && line[n - 1] == ' ' && !(n >= 2 && line[n - 2] == '\\'))
		line[--n] = '\0';
	if (!n || line[0] == '#')
		return WEFT_OK;
	if (line[0] == '!') {
		pat.negate = true;
		line++;
		n--;
	} else if (line[0] == '\\' && (line[1] == '#' || line[1] == '!')) {
		line++;
		n--;
	}
	if (n && line[n - 1] == '/') {
		pat.dir_only = true;
		line[--n] = '\0';
	}
	if (!n)
		return WEFT_OK;
	pat.anchored = strchr(line, '/') != NULL;
	if (line[0] == '/')
		line++;
	size_t cap = 1;
	for (const char *s = line; *s; s++)
		cap += *s == '/';
	if (!(pat.parts = calloc(cap, sizeof *pat.parts)) || !(pat.base = strdup(base)))
		goto oom;
	for (char *s = line;;) {
		char *e = strchr(s, '/');
		size_t k = e ? (size_t)(e - s) : strlen(s);
		if (k) {
			if (!(pat.parts[pat.n_parts] = strndup(s, k)))
				goto oom;
			pat.n_parts++;
		}
		if (!e)
			break;
		s = e + 1;
	}
	if (!pat.n_parts) {
		free(pat.parts);
		free(pat.base);
		return WEFT_OK;
	}
	if (ig->n == ig->cap) {
		size_t nc = ig->cap ? ig->cap * 2 : 16;
		ignore_pat *nv = realloc(ig->v, nc * sizeof *nv);
		if (!nv)
			goto oom;
		ig->v = nv;
		ig->cap = nc;
	}
	ig->v[ig->n++] = pat;
	return WEFT_OK;
oom:
	for (size_t k = 0; k < pat.n_parts; k++)
		free(pat.parts[k]);
	free(pat.parts);
	free(pat.base);
	return WEFT_ENOMEM;
}

int weft_templates_ignore_add(weft_templates_ignore **ig, const char *base, const char *text, size_t len)
{
	if (!*ig && !(*ig = calloc(1, sizeof **ig)))
		return WEFT_ENOMEM;
	char *copy = malloc(len + 1);
	if (!copy)
		return WEFT_ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	int err = WEFT_OK;
	for (char *s = copy; !err && s < copy + len;) {
		char *e = memchr(s, '\n', (size_t)(copy + len - s));
		if (e)
			*e = '\0';
		size_t n = strlen(s);
		if (n && s[n - 1] == '\r')
			s[n - 1] = '\0';
		if ((*ig)->n < 10000)
			err = add_pattern(*ig, base, s);
		if (!e)
			break;
		s = e + 1;
	}
	free(copy);
	return err;
}

/* Pattern components g[0..ng) against path components p[0..np), "**"
 * matching any number of components. */
static bool match_comps(char *const *g, size_t ng, char *const *p, size_t np, unsigned *budget)
{
	if (!*budget)
		return false;
	--*budget;
	if (!ng)
		return !np;
	if (!strcmp(g[0], "**")) {
		for (size_t skip = 0; skip <= np; skip++)
			if (match_comps(g + 1, ng - 1, p + skip, np - skip, budget))
				return true;
		return false;
	}
	return np && fnmatch(g[0], p[0], 0) == 0 && match_comps(g + 1, ng - 1, p + 1, np - 1, budget);
}

/* Does pat say something about the path p[0..np) (a folder when is_dir)? */
static bool pat_matches(const ignore_pat *pat, char *const *p, size_t np, bool is_dir)
{
	if (pat->dir_only && !is_dir)
		return false;
	/* the .gitignore speaks for its own folder and below */
	size_t skip = 0;
	if (*pat->base) {
		for (const char *s = pat->base;;) {
			const char *e = strchr(s, '/');
			size_t k = e ? (size_t)(e - s) : strlen(s);
			if (skip >= np || strlen(p[skip]) != k || strncmp(p[skip], s, k))
				return false;
			skip++;
			if (!e)
				break;
			s = e + 1;
		}
		if (skip >= np)
			return false;
	}
	unsigned budget = 4096;
	if (pat->anchored)
		return match_comps(pat->parts, pat->n_parts, p + skip, np - skip, &budget);
	return fnmatch(pat->parts[0], p[np - 1], 0) == 0;
}

bool weft_templates_ignore_match(const weft_templates_ignore *ig, const char *path)
{
	if (!ig || !ig->n)
		return false;
	char *copy = strdup(path);
	if (!copy)
		return false;
	char *parts[WEFT_TEMPLATES_PATH_MAX / 2 + 1];
	size_t np = 0;
	for (char *s = copy; np < sizeof parts / sizeof *parts;) {
		char *e = strchr(s, '/');
		if (e)
			*e = '\0';
		if (*s)
			parts[np++] = s;
		if (!e)
			break;
		s = e + 1;
	}
	bool ignored = false;
	/* a folder that is ignored takes all it holds: no pattern re-includes them */
	for (size_t k = 1; k <= np && !ignored; k++) {
		bool st = false;
		for (size_t i = 0; i < ig->n; i++)
			if (pat_matches(&ig->v[i], parts, k, k < np))
				st = !ig->v[i].negate;
		ignored = st;
	}
	free(copy);
	return ignored;
}
