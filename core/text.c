/* text.c - small text utilities: edit distance and "did you mean", and the
 * UTF-8 reading every part needs to show untrusted text safely.
 *
 * Optimal-string-alignment distance (Levenshtein plus adjacent
 * transpositions, the commonest typo) over bytes; inputs are command names and
 * field names, so quadratic time is fine. The UTF-8 decoder is deliberately
 * small and lenient (a bad byte becomes U+FFFD and decoding goes on): it
 * serves display and escaping, never validation.
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

unsigned long weft_utf8_next(const unsigned char *s, size_t *len)
{
	unsigned char c = s[0];
	int n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
	if (n == 0) {
		*len = 1;
		return 0xFFFD;
	}
	unsigned long cp = n == 1 ? c : n == 2 ? (c & 0x1Fu) : n == 3 ? (c & 0x0Fu) : (c & 0x07u);
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) { /* also stops at the NUL */
			*len = 1;
			return 0xFFFD;
		}
		cp = (cp << 6) | (s[i] & 0x3Fu);
	}
	*len = (size_t)n;
	return cp;
}

bool weft_utf8_printable(unsigned long cp)
{
	if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
		return false;
	if (cp >= 0xD800 && cp <= 0xDFFF)
		return false;
	if (cp == 0xFFFE || cp == 0xFFFF || cp == 0x2028 || cp == 0x2029 || cp > 0x10FFFF)
		return false;
	return true;
}

size_t weft_utf8_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

void weft_buf_put_printable(weft_buf *b, const char *s, char replacement)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p) {
		size_t n;
		unsigned long cp = weft_utf8_next(p, &n);
		if ((cp == 0xFFFD && n == 1) || !weft_utf8_printable(cp))
			weft_buf_putc(b, replacement);
		else
			weft_buf_put(b, p, n);
		p += n;
	}
}
