/* source.c - where a template comes from: shipped pattern, folder or git.
 *
 * Design: a bare name (no '/') is a shipped pattern, looked up in
 * <data>/templates/patterns, where <data> is weft_data_dir() ($WEFT_DATA_DIR,
 * else the source tree, else the installed share/weft). Anything that looks
 * like a URL is cloned; a local folder is used in place unless a ref (or a
 * commit pinned by an answers file) asks for a version of it, in which case a
 * local repository is cloned too. Clones live in a private temporary folder
 * that weft_templates_source_free removes. What gets recorded (origin, ref,
 * commit) is what a second run needs to reproduce the project.
 */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "templates_int.h"

struct weft_templates_source {
	char *dir;    /* template folder */
	char *origin; /* pattern name, absolute folder, or URL */
	char *ref;
	char commit[41];
	char *clone;  /* temporary clone to remove, or NULL */
};

static bool is_url(const char *s)
{
	if (strstr(s, "://"))
		return true;
	/* scp-like user@host:path: an '@' before the first ':', no '/' before it */
	const char *colon = strchr(s, ':');
	if (!colon)
		return false;
	size_t n = (size_t)(colon - s);
	return memchr(s, '@', n) && !memchr(s, '/', n);
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *data_dir_of(const weft_templates_source_opts *o)
{
	return o->data_dir ? o->data_dir : weft_data_dir();
}

int weft_templates_shipped_list(char ***names, size_t *n, const char *data_dir, weft_diags *d)
{
	*names = NULL;
	*n = 0;
	weft_buf dir = WEFT_BUF_INIT;
	weft_buf_printf(&dir, "%s/templates/patterns", data_dir ? data_dir : weft_data_dir());
	if (dir.oom)
		return WEFT_ENOMEM;
	struct dirent **ents = NULL;
	int k = scandir(dir.ptr, &ents, NULL, alphasort);
	if (k < 0) {
		weft_diags_add(d, WEFT_SEV_ERROR, dir.ptr, 0, 0,
			       "set WEFT_DATA_DIR to the folder holding templates/patterns",
			       "cannot read the shipped patterns folder");
		weft_buf_free(&dir);
		return WEFT_EENV;
	}
	char **v = calloc((size_t)k + 1, sizeof *v);
	int err = v ? WEFT_OK : WEFT_ENOMEM;
	for (int i = 0; i < k; i++) {
		if (!err && ents[i]->d_name[0] != '.') {
			weft_buf p = WEFT_BUF_INIT;
			weft_buf_printf(&p, "%s/%s/template.yaml", dir.ptr, ents[i]->d_name);
			struct stat st;
			if (p.ptr && stat(p.ptr, &st) == 0 && S_ISREG(st.st_mode)) {
				if (!(v[*n] = strdup(ents[i]->d_name)))
					err = WEFT_ENOMEM;
				else
					(*n)++;
			}
			weft_buf_free(&p);
		}
		free(ents[i]);
	}
	free(ents);
	weft_buf_free(&dir);
	if (err) {
		weft_templates_names_free(v, *n);
		*n = 0;
		return err;
	}
	*names = v;
	return WEFT_OK;
}

void weft_templates_names_free(char **names, size_t n)
{
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

static int make_clone_dir(char **out, weft_diags *d)
{
	const char *tmp = getenv("TMPDIR");
	weft_buf p = WEFT_BUF_INIT;
	weft_buf_printf(&p, "%s/weft-template-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (p.oom)
		return WEFT_ENOMEM;
	if (!mkdtemp(p.ptr)) {
		weft_diags_add(d, WEFT_SEV_ERROR, p.ptr, 0, 0, NULL, "cannot create a temporary folder");
		weft_buf_free(&p);
		return WEFT_EENV;
	}
	*out = weft_buf_detach(&p);
	return WEFT_OK;
}

int weft_templates_source_open(weft_templates_source **out, const weft_templates_source_opts *o,
			       weft_diags *d)
{
	*out = NULL;
	if (!o || !o->spec || !*o->spec) {
		weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, NULL, "no template given");
		return WEFT_EUSAGE;
	}
	weft_templates_source *s = calloc(1, sizeof *s);
	if (!s)
		return WEFT_ENOMEM;
	const char *spec = o->spec;
	int err = WEFT_OK;
	const char *ref = o->ref ? o->ref : o->pin;
	if (is_url(spec)) {
		if (!(s->origin = strdup(spec)) || (err = make_clone_dir(&s->clone, d)))
			goto fail;
		if ((err = weft_templates_git_clone(s->commit, spec, ref, s->clone, d)))
			goto fail;
		s->dir = strdup(s->clone);
	} else if (!strchr(spec, '/') && strcmp(spec, ".") && strcmp(spec, "..")) {
		/* a shipped pattern; a local folder of that name as a fallback */
		weft_buf p = WEFT_BUF_INIT;
		weft_buf_printf(&p, "%s/templates/patterns/%s", data_dir_of(o), spec);
		if (p.oom) {
			err = WEFT_ENOMEM;
			goto fail;
		}
		if (is_dir(p.ptr)) {
			if (o->ref) {
				weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0,
					       "--ref selects a version of a git template source",
					       "'%s' is a shipped pattern; --ref does not apply", spec);
				weft_buf_free(&p);
				err = WEFT_EUSAGE;
				goto fail;
			}
			s->dir = weft_buf_detach(&p);
			s->origin = strdup(spec);
		} else if (is_dir(spec)) {
			weft_buf_free(&p);
			goto local;
		} else {
			char **names = NULL;
			size_t n = 0;
			weft_diags *scratch = NULL;
			weft_diags_new(&scratch);
			weft_templates_shipped_list(&names, &n, data_dir_of(o), scratch);
			weft_diags_free(scratch);
			const char *sug = weft_suggest(spec, (const char *const *)names, n);
			char hint[200];
			snprintf(hint, sizeof hint, "did you mean '%s'? ('weft templates list' shows them)",
				 sug ? sug : "");
			weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0,
				       sug ? hint : "'weft templates list' shows the shipped patterns; a folder path needs a '/' (./name)",
				       "no template '%s': not a shipped pattern nor a folder", spec);
			weft_templates_names_free(names, n);
			weft_buf_free(&p);
			err = WEFT_EUSAGE;
			goto fail;
		}
	} else {
local:
		if (!is_dir(spec)) {
			weft_diags_add(d, WEFT_SEV_ERROR, spec, 0, 0, NULL, "template folder not found");
			err = WEFT_EUSAGE;
			goto fail;
		}
		char abs[PATH_MAX];
		if (!realpath(spec, abs)) {
			weft_diags_add(d, WEFT_SEV_ERROR, spec, 0, 0, NULL, "cannot resolve the template folder");
			err = WEFT_EENV;
			goto fail;
		}
		if (!(s->origin = strdup(abs))) {
			err = WEFT_ENOMEM;
			goto fail;
		}
		char head[41];
		bool repo = weft_templates_git_head(head, abs) == 0;
		if (ref && repo) {
			if ((err = make_clone_dir(&s->clone, d)) ||
			    (err = weft_templates_git_clone(s->commit, abs, ref, s->clone, d)))
				goto fail;
			s->dir = strdup(s->clone);
		} else if (o->ref) {
			weft_diags_add(d, WEFT_SEV_ERROR, spec, 0, 0, NULL,
				       "--ref '%s' given, but the template folder is not a git repository", o->ref);
			err = WEFT_EUSAGE;
			goto fail;
		} else {
			if (repo)
				memcpy(s->commit, head, sizeof head);
			s->dir = strdup(abs);
		}
	}
	if (!s->dir || !s->origin) {
		err = WEFT_ENOMEM;
		goto fail;
	}
	const char *keep = o->ref ? o->ref : o->pin_ref;
	if (keep && s->clone && !(s->ref = strdup(keep))) {
		err = WEFT_ENOMEM;
		goto fail;
	}
	*out = s;
	return WEFT_OK;
fail:
	if (err == WEFT_OK)
		err = WEFT_ENOMEM;
	weft_templates_source_free(s);
	return err;
}

void weft_templates_source_free(weft_templates_source *s)
{
	if (!s)
		return;
	if (s->clone)
		weft_templates_rm_tree(s->clone);
	free(s->clone);
	free(s->dir);
	free(s->origin);
	free(s->ref);
	free(s);
}

const char *weft_templates_source_dir(const weft_templates_source *s)
{
	return s->dir;
}

const char *weft_templates_source_origin(const weft_templates_source *s)
{
	return s->origin;
}

const char *weft_templates_source_ref(const weft_templates_source *s)
{
	return s->ref;
}

const char *weft_templates_source_commit(const weft_templates_source *s)
{
	return s->commit[0] ? s->commit : NULL;
}
