/* report.c - what `weft templates list|show` and `weft new` print, as text
 * or JSON, into a buffer: the CLI writes it out.
 *
 * The JSON forms are documented in docs/templates.md. A secret variable's
 * value never appears in a report: `weft new --format json` gives it as
 * null, and `weft templates show` marks the variable secret.
 */
#include <stdlib.h>
#include <string.h>

#include "templates_int.h"

/* ---- shared ----------------------------------------------------------------- */

static void add_str_or_null(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

/* Append j printed (two-space indented, then a newline) to out and free j;
 * j NULL (out of memory while building it) is WEFT_ENOMEM. */
static int put_json(weft_buf *out, cJSON *j)
{
	char *s = j ? cJSON_Print(j) : NULL;
	cJSON_Delete(j);
	if (!s)
		return WEFT_ENOMEM;
	weft_buf_printf(out, "%s\n", s);
	free(s);
	return out->oom ? WEFT_ENOMEM : WEFT_OK;
}

static cJSON *strings_json(const char *const *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; a && i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

/* ---- weft templates list ---------------------------------------------------- */

int weft_templates_list_render(weft_buf *out, const char *const *names,
			       const weft_templates_manifest *const *ms, size_t n, weft_templates_format fmt)
{
	if (fmt == WEFT_TEMPLATES_FORMAT_JSON) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; arr && i < n; i++) {
			if (!ms[i])
				continue;
			const weft_templates_info *info = weft_templates_manifest_info(ms[i]);
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "name", info->name);
			cJSON_AddStringToObject(o, "version", info->version);
			cJSON_AddStringToObject(o, "summary", info->summary);
			cJSON_AddStringToObject(o, "path", info->dir);
			cJSON_AddItemToArray(arr, o);
		}
		return put_json(out, arr);
	}
	if (fmt == WEFT_TEMPLATES_FORMAT_TEXT && n)
		weft_buf_printf(out, "%-16s %-10s %s\n", "NAME", "VERSION", "SUMMARY");
	for (size_t i = 0; i < n; i++) {
		if (!ms[i])
			continue;
		const weft_templates_info *info = weft_templates_manifest_info(ms[i]);
		if (fmt == WEFT_TEMPLATES_FORMAT_NAMES)
			weft_buf_printf(out, "%s\n", names[i]);
		else
			weft_buf_printf(out, "%-16s %-10s %s\n", names[i], info->version, info->summary);
	}
	return out->oom ? WEFT_ENOMEM : WEFT_OK;
}

/* ---- weft templates show ---------------------------------------------------- */

static cJSON *var_json(const weft_templates_var *v)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", v->name);
	cJSON_AddStringToObject(o, "type", weft_templates_type_name(v->type));
	add_str_or_null(o, "help", v->help);
	/* a secret's default is not shown, as when it is asked */
	add_str_or_null(o, "default", v->secret && v->default_text ? "(secret)" : v->default_text);
	cJSON_AddBoolToObject(o, "required", !v->derived && !v->default_text);
	cJSON_AddBoolToObject(o, "derived", v->derived);
	cJSON_AddBoolToObject(o, "secret", v->secret);
	add_str_or_null(o, "when", v->when);
	add_str_or_null(o, "pattern", v->pattern);
	if (v->has_min)
		cJSON_AddNumberToObject(o, "min", (double)v->min);
	if (v->has_max)
		cJSON_AddNumberToObject(o, "max", (double)v->max);
	if (v->n_choices)
		cJSON_AddItemToObject(o, "choices", strings_json(v->choices, v->n_choices));
	return o;
}

static cJSON *validation_json(const weft_templates_validation *v)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "rule", v->rule);
	cJSON_AddStringToObject(o, "message", v->message);
	cJSON_AddItemToObject(o, "vars", strings_json(v->vars, v->n_vars));
	return o;
}

static int show_json(weft_buf *out, const weft_templates_manifest *m, const weft_templates_source *src)
{
	const weft_templates_info *info = weft_templates_manifest_info(m);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "name", info->name);
	cJSON_AddStringToObject(j, "version", info->version);
	cJSON_AddStringToObject(j, "summary", info->summary);
	add_str_or_null(j, "description", info->description);
	cJSON_AddStringToObject(j, "source", src ? weft_templates_source_origin(src) : info->dir);
	cJSON *vars = cJSON_AddArrayToObject(j, "variables");
	for (size_t i = 0; vars && i < weft_templates_manifest_nvars(m); i++)
		cJSON_AddItemToArray(vars, var_json(weft_templates_manifest_var(m, i)));
	cJSON *rules = cJSON_AddArrayToObject(j, "validations");
	for (size_t i = 0; rules && i < weft_templates_manifest_nvalidations(m); i++)
		cJSON_AddItemToArray(rules, validation_json(weft_templates_manifest_validation(m, i)));
	return put_json(out, j);
}

/* "a, b, c" */
static void put_list(weft_buf *out, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		weft_buf_printf(out, "%s%s", i ? ", " : "", v[i]);
}

static void var_text(weft_buf *out, const weft_templates_var *v)
{
	weft_buf_printf(out, "  %-20s %-7s", v->name, weft_templates_type_name(v->type));
	if (v->derived)
		weft_buf_printf(out, " computed: %s", v->value ? v->value : v->expr);
	else if (v->secret && v->default_text)
		weft_buf_puts(out, " default: (secret)");
	else if (v->default_text)
		weft_buf_printf(out, " default: %s", v->default_text);
	else
		weft_buf_puts(out, " required");
	weft_buf_puts(out, "\n");
	if (v->help)
		weft_buf_printf(out, "      %s\n", v->help);
	if (v->n_choices) {
		weft_buf_printf(out, "      %s: ", v->type == WEFT_TEMPLATES_LIST ? "items from" : "one of");
		put_list(out, v->choices, v->n_choices);
		weft_buf_puts(out, "\n");
	}
	if (v->pattern)
		weft_buf_printf(out, "      must match: %s\n", v->pattern);
	if (v->has_min || v->has_max) {
		weft_buf_puts(out, "      range:");
		if (v->has_min)
			weft_buf_printf(out, " >= %lld", v->min);
		if (v->has_max)
			weft_buf_printf(out, " <= %lld", v->max);
		weft_buf_puts(out, "\n");
	}
	if (v->when)
		weft_buf_printf(out, "      asked when: %s\n", v->when);
	if (v->secret)
		weft_buf_puts(out, "      secret: typed without echo, never shown nor written to "
				   WEFT_TEMPLATES_ANSWERS_FILE "\n");
}

/* The validate: rules, when there are any. */
static void rules_text(weft_buf *out, const weft_templates_manifest *m)
{
	size_t n = weft_templates_manifest_nvalidations(m);
	if (!n)
		return;
	weft_buf_puts(out, "\nRules (checked once every value is known):\n");
	for (size_t i = 0; i < n; i++) {
		const weft_templates_validation *v = weft_templates_manifest_validation(m, i);
		weft_buf_printf(out, "  %s\n      else: %s\n", v->rule, v->message);
		if (v->n_vars) {
			weft_buf_puts(out, "      asks again: ");
			put_list(out, v->vars, v->n_vars);
			weft_buf_puts(out, "\n");
		}
	}
}

static int show_text(weft_buf *out, const weft_templates_manifest *m)
{
	const weft_templates_info *info = weft_templates_manifest_info(m);
	size_t n = weft_templates_manifest_nvars(m);
	weft_buf_printf(out, "%s %s - %s\n", info->name, info->version, info->summary);
	if (info->description) {
		size_t len = strlen(info->description);
		weft_buf_printf(out, "\n%s%s", info->description,
				len && info->description[len - 1] == '\n' ? "" : "\n");
	}
	weft_buf_puts(out, "\nVariables (set with --set NAME=VALUE):\n");
	if (!n)
		weft_buf_puts(out, "  (none)\n");
	for (size_t i = 0; i < n; i++)
		var_text(out, weft_templates_manifest_var(m, i));
	rules_text(out, m);
	return out->oom ? WEFT_ENOMEM : WEFT_OK;
}

int weft_templates_show_render(weft_buf *out, const weft_templates_manifest *m,
			       const weft_templates_source *src, weft_templates_format fmt)
{
	return fmt == WEFT_TEMPLATES_FORMAT_JSON ? show_json(out, m, src) : show_text(out, m);
}

/* ---- weft new --------------------------------------------------------------- */

static const char *action_name(weft_templates_action a)
{
	switch (a) {
	case WEFT_TEMPLATES_RENDERED: return "rendered";
	case WEFT_TEMPLATES_COPIED: return "copied";
	case WEFT_TEMPLATES_SYMLINK: return "link";
	case WEFT_TEMPLATES_DIR: return "folder";
	}
	return "?";
}

static cJSON *files_json(const weft_templates_plan *plan)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; arr && i < weft_templates_plan_count(plan); i++) {
		const weft_templates_file *f = weft_templates_plan_file(plan, i);
		if (f->action == WEFT_TEMPLATES_DIR)
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "path", f->path);
		cJSON_AddStringToObject(o, "action", action_name(f->action));
		char mode[8];
		snprintf(mode, sizeof mode, "%04o", f->mode);
		cJSON_AddStringToObject(o, "mode", mode);
		cJSON_AddNumberToObject(o, "size", (double)f->size);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* The template object: what the answers file records of it. */
static cJSON *template_json(const weft_templates_new_report *r)
{
	const weft_templates_info *info = weft_templates_manifest_info(r->m);
	const weft_templates_source *src = r->src;
	const char *digest = weft_templates_plan_digest(r->plan);
	cJSON *t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "name", info->name);
	cJSON_AddStringToObject(t, "version", info->version);
	cJSON_AddStringToObject(t, "source", src ? weft_templates_source_origin(src) : info->dir);
	add_str_or_null(t, "subdir", src ? weft_templates_source_subdir(src) : NULL);
	add_str_or_null(t, "ref", src ? weft_templates_source_ref(src) : NULL);
	add_str_or_null(t, "commit", src ? weft_templates_source_commit(src) : NULL);
	cJSON_AddBoolToObject(t, "dirty", src && weft_templates_source_dirty(src));
	add_str_or_null(t, "template_digest", *digest ? digest : NULL);
	return t;
}

/* The values, less the secret ones' (null). */
static cJSON *answers_json(const weft_templates_manifest *m, const cJSON *values)
{
	cJSON *a = cJSON_Duplicate(values, true);
	for (size_t i = 0; a && i < weft_templates_manifest_nvars(m); i++) {
		const weft_templates_var *v = weft_templates_manifest_var(m, i);
		if (v->secret && cJSON_GetObjectItemCaseSensitive(a, v->name))
			cJSON_ReplaceItemInObjectCaseSensitive(a, v->name, cJSON_CreateNull());
	}
	return a;
}

static int new_json(weft_buf *out, const weft_templates_new_report *r)
{
	const weft_templates_write_result *res = r->res;
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "dest", r->dest);
	cJSON_AddBoolToObject(j, "dry_run", r->dry_run);
	cJSON_AddItemToObject(j, "template", template_json(r));
	cJSON_AddItemToObject(j, "answers", answers_json(r->m, r->values));
	cJSON_AddItemToObject(j, "files", files_json(r->plan));
	/* existing files of DEST replaced (with --dry-run: that would be) */
	cJSON_AddItemToObject(j, "replaced", res ? strings_json((const char *const *)res->replaced, res->n_replaced)
						 : cJSON_CreateArray());
	if (res && res->commit[0]) {
		cJSON *g = cJSON_AddObjectToObject(j, "git");
		cJSON_AddStringToObject(g, "commit", res->commit);
		cJSON_AddStringToObject(g, "author", res->author);
	} else {
		cJSON_AddNullToObject(j, "git");
	}
	return put_json(out, j);
}

/* "replaced: a, b" (--force): the existing files of DEST the template's files replace. */
static void replaced_text(weft_buf *out, const char *what, const weft_templates_write_result *res)
{
	if (!res || !res->n_replaced)
		return;
	weft_buf_printf(out, "%s:", what);
	for (size_t i = 0; i < res->n_replaced; i++)
		weft_buf_printf(out, "%s %s", i ? "," : "", res->replaced[i]);
	weft_buf_puts(out, "\n");
}

static int new_text(weft_buf *out, const weft_templates_new_report *r)
{
	const weft_templates_info *info = weft_templates_manifest_info(r->m);
	size_t n = 0;
	for (size_t i = 0; i < weft_templates_plan_count(r->plan); i++)
		n += weft_templates_plan_file(r->plan, i)->action != WEFT_TEMPLATES_DIR;
	if (r->dry_run) {
		weft_buf_printf(out, "Would create %s from %s %s (%zu files):\n", r->dest, info->name, info->version, n);
		for (size_t i = 0; i < weft_templates_plan_count(r->plan); i++) {
			const weft_templates_file *f = weft_templates_plan_file(r->plan, i);
			if (f->action != WEFT_TEMPLATES_DIR)
				weft_buf_printf(out, "  %s  (%s, %04o)\n", f->path, action_name(f->action), f->mode);
		}
		replaced_text(out, "would replace", r->res);
	} else {
		weft_buf_printf(out, "Created %s from %s %s (%zu files).\n", r->dest, info->name, info->version, n);
		if (r->res && r->res->commit[0])
			weft_buf_printf(out, "git: first commit %.12s by %s\n", r->res->commit, r->res->author);
		replaced_text(out, "replaced", r->res);
	}
	return out->oom ? WEFT_ENOMEM : WEFT_OK;
}

int weft_templates_new_render(weft_buf *out, const weft_templates_new_report *r, weft_templates_format fmt)
{
	return fmt == WEFT_TEMPLATES_FORMAT_JSON ? new_json(out, r) : new_text(out, r);
}
