/* migrate.c - template migrations (template.yaml `migrations:`): the
 * variables a template renamed and the files it moved between versions, so
 * that weft update can carry a project's answers and files across them.
 *
 * Design: a migration is tied to the version that made the change. Those
 * after the version a project records (and up to the template's own) apply,
 * oldest first; a name or path is traced back through them newest first, so
 * a chain (a -> b in 2.0, b -> c in 3.0) takes a 1.x project's a to c in one
 * update. Versions compare as dotted numbers (weft_templates_version_cmp);
 * nothing else of the template changes: the merge stays update.c's.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "templates_int.h"

static const char *const migration_keys[] = { "version", "rename", "move", NULL };

/* ---- versions ---------------------------------------------------------------- */

/* One part of a version: numeric parts compare as numbers of any length
 * (leading zeros skipped, then length, then digits), others as bytes. */
static int part_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	bool an = al > 0, bn = bl > 0;
	for (size_t k = 0; k < al; k++)
		an = an && isdigit((unsigned char)a[k]);
	for (size_t k = 0; k < bl; k++)
		bn = bn && isdigit((unsigned char)b[k]);
	if (an && bn) {
		while (al > 1 && *a == '0')
			a++, al--;
		while (bl > 1 && *b == '0')
			b++, bl--;
		if (al != bl)
			return al < bl ? -1 : 1;
		int c = memcmp(a, b, al);
		return (c > 0) - (c < 0);
	}
	if (an != bn) /* a number sorts before a word, as semver's identifiers do */
		return an ? -1 : 1;
	size_t k = al < bl ? al : bl;
	int c = memcmp(a, b, k);
	if (c)
		return (c > 0) - (c < 0);
	return (al > bl) - (al < bl);
}

/* Compare dot-separated parts of a[0..al) and b[0..bl); a missing part is 0. */
static int dotted_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	size_t i = 0, j = 0;
	while (i < al || j < bl) {
		size_t ie = i, je = j;
		while (ie < al && a[ie] != '.')
			ie++;
		while (je < bl && b[je] != '.')
			je++;
		int c = part_cmp(i < al ? a + i : "0", i < al ? ie - i : 1, j < bl ? b + j : "0", j < bl ? je - j : 1);
		if (c)
			return c;
		i = ie < al ? ie + 1 : al;
		j = je < bl ? je + 1 : bl;
	}
	return 0;
}

int weft_templates_version_cmp(const char *a, const char *b)
{
	if (*a == 'v' || *a == 'V')
		a++;
	if (*b == 'v' || *b == 'V')
		b++;
	/* build metadata (+...) does not order; a pre-release (-...) comes first */
	size_t al = strcspn(a, "+"), bl = strcspn(b, "+");
	size_t am = strcspn(a, "-+"), bm = strcspn(b, "-+");
	int c = dotted_cmp(a, am, b, bm);
	if (c)
		return c;
	bool ap = am < al, bp = bm < bl;
	if (ap != bp)
		return ap ? -1 : 1;
	return ap ? dotted_cmp(a + am + 1, al - am - 1, b + bm + 1, bl - bm - 1) : 0;
}

/* ---- loading ----------------------------------------------------------------- */

static int bad(weft_diags *d, const char *path, const weft_yaml_node *n, const char *hint, const char *what,
	       const char *text)
{
	weft_diags_add(d, WEFT_SEV_ERROR, path, n ? n->line : 0, n ? n->col : 0, hint, "%s%s", what,
		       text ? text : "");
	return WEFT_EINVALID;
}

static const char *scalar_of(const weft_yaml_node *n)
{
	return n && n->kind == WEFT_YAML_SCALAR && n->len == strlen(n->scalar) ? n->scalar : NULL;
}

static bool is_var(const weft_templates_manifest *m, const char *name)
{
	for (size_t k = 0; k < m->n_vars; k++)
		if (!strcmp(m->vars[k].pub.name, name))
			return true;
	return false;
}

/* One `rename:` or `move:` mapping into *pairs; names: identifiers, else
 * paths weft may write. */
static int load_pairs(weft_templates_pair **pairs, size_t *n, const weft_templates_manifest *m,
		      const weft_yaml_doc *doc, const weft_yaml_node *map, bool names, weft_diags *d)
{
	const char *what = names ? "rename" : "move";
	if (!map || weft_yaml_is_null(map))
		return WEFT_OK;
	int err = weft_yaml_expect(doc, map, WEFT_YAML_MAPPING, what, d);
	if (err)
		return err;
	if (!(*pairs = calloc(map->n ? map->n : 1, sizeof **pairs)))
		return WEFT_ENOMEM;
	for (size_t i = 0; i < map->n; i++) {
		const weft_yaml_node *nodes[2] = { map->keys[i], map->items[i] };
		const char *s[2];
		for (int j = 0; j < 2; j++) {
			s[j] = scalar_of(nodes[j]);
			if (!s[j]) {
				err = bad(d, m->path, nodes[j], NULL, names ? "expected a variable name" : "expected a path",
					  NULL);
			} else if (names && !weft_templates_ident_ok(s[j])) {
				err = bad(d, m->path, nodes[j], "letters, digits and '_', not starting with a digit; at most 64",
					  "not a variable name: ", s[j]);
			} else if (!names) {
				weft_templates_path_rule r = weft_templates_path_check(s[j], NULL);
				if (r != WEFT_TEMPLATES_PATH_OK)
					err = bad(d, m->path, nodes[j], weft_templates_path_rule_text(r),
						  "not a path weft writes: ", s[j]);
			}
		}
		if (err)
			continue;
		if (!strcmp(s[0], s[1])) {
			err = bad(d, m->path, nodes[1], NULL, names ? "renamed to itself: " : "moved to itself: ", s[0]);
			continue;
		}
		for (size_t k = 0; k < *n; k++)
			if (!strcmp((*pairs)[k].to, s[1]))
				err = bad(d, m->path, nodes[1], NULL, "two entries end at ", s[1]);
		weft_templates_pair *p = &(*pairs)[(*n)++];
		p->from = strdup(s[0]);
		p->to = strdup(s[1]);
		p->line = nodes[1]->line;
		p->col = nodes[1]->col;
		if (!p->from || !p->to)
			return WEFT_ENOMEM;
	}
	return err;
}

int weft_templates_migrations_load(weft_templates_manifest *m, const weft_yaml_doc *doc,
				   const weft_yaml_node *root, weft_diags *d)
{
	const weft_yaml_node *list = weft_yaml_get(root, "migrations");
	if (!list || weft_yaml_is_null(list))
		return WEFT_OK;
	int err = weft_yaml_expect(doc, list, WEFT_YAML_SEQUENCE, "migrations", d);
	if (err)
		return err;
	if (!(m->migrations = calloc(list->n ? list->n : 1, sizeof *m->migrations)))
		return WEFT_ENOMEM;
	for (size_t i = 0; i < list->n; i++) {
		const weft_yaml_node *e = list->items[i];
		if (weft_yaml_expect(doc, e, WEFT_YAML_MAPPING, "migration", d)) {
			err = WEFT_EINVALID;
			continue;
		}
		weft_yaml_check_keys(doc, e, migration_keys, WEFT_SEV_WARNING, d);
		const char *version = NULL;
		if (weft_yaml_str(&version, doc, e, "version", true, d)) {
			err = WEFT_EINVALID;
			continue;
		}
		const weft_yaml_node *vn = weft_yaml_get(e, "version");
		weft_templates_migration *g = &m->migrations[m->n_migrations++];
		if (!(g->version = strdup(version)))
			return WEFT_ENOMEM;
		g->line = vn->line;
		g->col = vn->col;
		if (weft_templates_version_cmp(version, m->version) > 0)
			err = bad(d, m->path, vn, "a migration belongs to the version that made the change",
				  "after this template's version: ", version);
		if (m->n_migrations > 1 && weft_templates_version_cmp(m->migrations[m->n_migrations - 2].version,
								      version) >= 0)
			err = bad(d, m->path, vn, "list migrations oldest first, one per version",
				  "not after the migration before it: ", version);
		int e1 = load_pairs(&g->renames, &g->n_renames, m, doc, weft_yaml_get(e, "rename"), true, d);
		int e2 = load_pairs(&g->moves, &g->n_moves, m, doc, weft_yaml_get(e, "move"), false, d);
		if (e1 == WEFT_ENOMEM || e2 == WEFT_ENOMEM)
			return WEFT_ENOMEM;
		if (e1 || e2)
			err = WEFT_EINVALID;
	}
	if (err)
		return err;
	/* a name renamed to must be a variable now, or be renamed again later */
	for (size_t i = 0; i < m->n_migrations; i++)
		for (size_t k = 0; k < m->migrations[i].n_renames; k++) {
			const weft_templates_pair *p = &m->migrations[i].renames[k];
			bool later = false;
			for (size_t j = i + 1; j < m->n_migrations && !later; j++)
				for (size_t q = 0; q < m->migrations[j].n_renames && !later; q++)
					later = !strcmp(m->migrations[j].renames[q].from, p->to);
			if (!later && !is_var(m, p->to)) {
				weft_diags_add(d, WEFT_SEV_ERROR, m->path, p->line, p->col,
					       "rename to one of the template's variables", "no variable '%s' to rename '%s' to",
					       p->to, p->from);
				err = WEFT_EINVALID;
			}
		}
	return err;
}

void weft_templates_migrations_free(weft_templates_manifest *m)
{
	for (size_t i = 0; i < m->n_migrations; i++) {
		weft_templates_migration *g = &m->migrations[i];
		for (size_t k = 0; k < g->n_renames; k++) {
			free(g->renames[k].from);
			free(g->renames[k].to);
		}
		for (size_t k = 0; k < g->n_moves; k++) {
			free(g->moves[k].from);
			free(g->moves[k].to);
		}
		free(g->renames);
		free(g->moves);
		free(g->version);
	}
	free(m->migrations);
	m->migrations = NULL;
	m->n_migrations = 0;
}

/* ---- tracing back -------------------------------------------------------------- */

/* Walk the migrations after from_version newest first, following s back
 * through renames (names) or moves; up to max earlier values into out. */
static size_t trace(const char **out, size_t max, const weft_templates_manifest *m, const char *from_version,
		    const char *s, bool names)
{
	size_t n = 0;
	if (!from_version)
		return 0;
	for (size_t i = m->n_migrations; i-- > 0;) {
		const weft_templates_migration *g = &m->migrations[i];
		if (weft_templates_version_cmp(g->version, from_version) <= 0)
			break;
		const weft_templates_pair *v = names ? g->renames : g->moves;
		size_t nv = names ? g->n_renames : g->n_moves;
		for (size_t k = 0; k < nv; k++)
			if (!strcmp(v[k].to, s)) {
				s = v[k].from;
				if (n < max)
					out[n++] = s;
				break;
			}
	}
	return n;
}

size_t weft_templates_migrate_old_names(const char **out, size_t max, const weft_templates_manifest *m,
					const char *from_version, const char *name)
{
	return trace(out, max, m, from_version, name, true);
}

const char *weft_templates_migrate_old_path(const weft_templates_manifest *m, const char *from_version,
					    const char *path)
{
	const char *v[64];
	size_t n = trace(v, 64, m, from_version, path, false);
	return n ? v[n - 1] : NULL;
}

bool weft_templates_migrate_renamed(const weft_templates_manifest *m, const char *from_version, const char *name)
{
	for (size_t k = 0; k < m->n_vars; k++) {
		const char *v[64];
		size_t n = weft_templates_migrate_old_names(v, 64, m, from_version, m->vars[k].pub.name);
		for (size_t j = 0; j < n; j++)
			if (!strcmp(v[j], name))
				return true;
	}
	return false;
}
