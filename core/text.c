/* text.c - small text utilities: edit distance and "did you mean".
 *
 * Plain Levenshtein over bytes with two rows; inputs are command names and
 * field names, so quadratic time is fine.
 */
#include <stdlib.h>
#include <string.h>

#include "weft_core.h"

size_t weft_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *prev = malloc((lb + 1) * sizeof *prev);
	size_t *cur = malloc((lb + 1) * sizeof *cur);
	if (!prev || !cur) {
		free(prev);
		free(cur);
		return la > lb ? la : lb;
	}
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			size_t m = sub < del ? sub : del;
			cur[j] = m < ins ? m : ins;
		}
		size_t *t = prev;
		prev = cur;
		cur = t;
	}
	size_t r = prev[lb];
	free(prev);
	free(cur);
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
