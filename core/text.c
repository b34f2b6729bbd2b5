/* text.c - small text utilities: edit distance and "did you mean".
 *
 * Optimal-string-alignment distance (Levenshtein plus adjacent
 * transpositions, the commonest typo) over bytes; inputs are command names and
 * field names, so quadratic time is fine.
 */
#include <stdlib.h>
#include <string.h>

#include "weft_core.h"

size_t weft_edit_distance(const char *a, const char *b)
{
	/* three rows: the row before the previous one serves transpositions */
	size_t la = strlen(a), lb = strlen(b);
	size_t *rows = malloc(3 * (lb + 1) * sizeof *rows);
	if (!rows)
		return la > lb ? la : lb;
	size_t *pp = rows, *prev = rows + lb + 1, *cur = rows + 2 * (lb + 1);
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			size_t m = sub < del ? sub : del;
			m = m < ins ? m : ins;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    pp[j - 2] + 1 < m)
				m = pp[j - 2] + 1;
			cur[j] = m;
		}
		size_t *t = pp;
		pp = prev;
		prev = cur;
		cur = t;
	}
	size_t r = prev[lb];
	free(rows);
	return r;
}

const char *weft_suggest(const char *word, const char *const *candidates, size_t n)
{
	size_t len = strlen(word);
	/* allow one edit per three characters, at least one, at most three */
	size_t limit = len / 3;
	if (limit < 1)
		limit = 1;
	if (limit > 3)
		limit = 3;
	const char *best = NULL;
	size_t best_d = limit + 1;
	for (size_t i = 0; i < n; i++) {
		if (!candidates[i])
			continue;
		size_t dist = weft_edit_distance(word, candidates[i]);
		/* a prefix of a longer name is a good guess too ("diag" -> "doctor" no, "templ" -> "templates") */
		if (dist > limit && len >= 3 && strncmp(word, candidates[i], len) == 0)
			dist = limit;
		if (dist < best_d) {
			best_d = dist;
			best = candidates[i];
		}
	}
	return best;
}
