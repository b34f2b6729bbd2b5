/* term.c - terminal helpers: colour decisions, SGR codes, a progress bar,
 * and the monotonic clock.
 *
 * Colour and progress appear only on a terminal, and NO_COLOR turns colour
 * off everywhere (https://no-color.org convention), so piped output and CI
 * logs stay plain.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "weft_core.h"

bool weft_term_colour(FILE *fp)
{
	const char *nc = getenv("NO_COLOR");
	if (nc && *nc)
		return false;
	const char *term = getenv("TERM");
	if (term && strcmp(term, "dumb") == 0)
		return false;
	return isatty(fileno(fp));
}

const char *weft_term_sgr(bool colour, const char *code)
{
	/* a small ring of buffers so several calls can sit in one printf */
	static char ring[8][16];
	static unsigned next;
	if (!colour)
		return "";
	char *s = ring[next++ % 8];
	snprintf(s, sizeof ring[0], "\033[%sm", code);
	return s;
}

uint64_t weft_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct weft_progress {
	FILE *fp;
	char *label;
	uint64_t total;
	uint64_t last_draw;
	bool active;
	bool drawn;
};

int weft_progress_new(weft_progress **out, FILE *fp, const char *label, uint64_t total)
{
	weft_progress *p = calloc(1, sizeof *p);
	if (!p)
		return WEFT_ENOMEM;
	p->fp = fp;
	p->label = strdup(label ? label : "");
	p->total = total;
	const char *np = getenv("NO_PROGRESS");
	p->active = isatty(fileno(fp)) && !(np && *np);
	*out = p;
	return WEFT_OK;
}

void weft_progress_update(weft_progress *p, uint64_t done)
{
	if (!p || !p->active)
		return;
	uint64_t now = weft_now_ns();
	if (p->drawn && now - p->last_draw < 100000000u && done < p->total)
		return;
	p->last_draw = now;
	p->drawn = true;
	const int width = 30;
	double frac = p->total ? (double)done / (double)p->total : 0.0;
	if (frac > 1.0)
		frac = 1.0;
	int fill = (int)(frac * width);
	fprintf(p->fp, "\r%s [", p->label ? p->label : "");
	for (int i = 0; i < width; i++)
		fputc(i < fill ? '#' : '.', p->fp);
	fprintf(p->fp, "] %3d%%", (int)(frac * 100.0));
	fflush(p->fp);
}

void weft_progress_free(weft_progress *p)
{
	if (!p)
		return;
	if (p->active && p->drawn) {
		fputs("\r\033[K", p->fp);
		fflush(p->fp);
	}
	free(p->label);
	free(p);
}
