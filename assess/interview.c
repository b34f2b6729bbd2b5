/* interview.c - `weft assess interview`: the questions asked one by one in
 * the terminal, answers saved after each one.
 *
 * Design choice: the interview reads whole lines from any FILE (a terminal,
 * a pipe, a test's memory stream) and writes prompts to another, so it works
 * the same interactively and scripted, and is tested by feeding it lines.
 * The answers file is written atomically after every answer, so an
 * interrupted interview (Ctrl-C, closed laptop) loses at most the answer
 * being typed and resumes at the first unanswered question. A new file is
 * written in the layout of `weft assess init`; after that (and for a file
 * resumed, perhaps written by hand) each save edits the text of the last
 * save in place (assess_answers_patch), so comments, order, quoting and
 * fields weft does not know survive. Where that is not safe the file is
 * rewritten in the standard layout, with a one-line notice.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "assess_int.h"

#define WIDTH 100

typedef struct {
	const weft_assess_interview_opts *o;
	weft_assess_answers *a;
	weft_diags *d;
	bool echo;
	char *line;
	size_t cap;
	char *text;                  /* the file as last read or saved; NULL for a new file */
	size_t text_len;
	weft_assess_answers *saved;  /* what text holds */
	bool told;                   /* the rewrite notice was given */
} iv;

static void say_wrapped(iv *v, const char *text, const char *first, const char *indent)
{
	weft_buf b = WEFT_BUF_INIT;
	char *c = assess_printable(text, true);
	assess_wrap(&b, c ? c : "", WIDTH, first, indent);
	free(c);
	if (b.ptr)
		fputs(b.ptr, v->o->out);
	weft_buf_free(&b);
}

/* Prompt and read one line, trimmed. NULL at end of input. */
static const char *ask(iv *v, const char *prompt)
{
	fputs(prompt, v->o->out);
	fflush(v->o->out);
	ssize_t n = getline(&v->line, &v->cap, v->o->in);
	if (n < 0) {
		fputc('\n', v->o->out);
		return NULL;
	}
	char *s = v->line;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (*s && isspace((unsigned char)*s))
		s++;
	if (v->echo) /* piped input is not echoed by a terminal: show it */
		fprintf(v->o->out, "%s\n", s);
	return s;
}

static int save(iv *v)
{
	weft_buf b = WEFT_BUF_INIT;
	int err = v->text ? assess_answers_patch(&b, v->text, v->text_len, v->saved, v->a,
						 v->o->model, v->d)
			  : weft_assess_answers_render(&b, v->a, v->o->model);
	bool rewrote = err == 1;
	if (err == 1)
		err = WEFT_OK;
	if (!err && b.oom)
		err = WEFT_ENOMEM;
	if (!err)
		err = weft_file_write_atomic(v->o->path, b.ptr ? b.ptr : "", b.len, WEFT_WRITE_FORCE, v->d);
	if (!err) {
		weft_assess_answers *now = assess_answers_dup(v->a);
		if (!now) {
			err = WEFT_ENOMEM;
		} else {
			weft_assess_answers_free(v->saved);
			v->saved = now;
			free(v->text);
			v->text_len = b.len;
			v->text = weft_buf_detach(&b);
			if (rewrote && !v->told) {
				fprintf(v->o->out,
					"rewrote %s in the standard layout: it could not be edited in place\n",
					v->o->path);
				v->told = true;
			}
		}
	}
	weft_buf_free(&b);
	return err;
}

static bool answered(const weft_assess_answers *a, const char *id)
{
	const weft_assess_answer *r = weft_assess_answers_find(a, id);
	return r && r->status != WEFT_ASSESS_UNANSWERED;
}

static void show(iv *v, size_t i)
{
	const weft_assess_model *m = v->o->model;
	const weft_assess_question *q = m->questions[i];
	const char *bold = weft_term_sgr(v->o->colour, WEFT_SGR_BOLD);
	const char *dim = weft_term_sgr(v->o->colour, WEFT_SGR_DIM);
	const char *reset = weft_term_sgr(v->o->colour, WEFT_SGR_RESET);
	char *title = assess_printable(m->dims[q->dim].title, false);
	fprintf(v->o->out, "\n%s[%zu/%zu] %s%s - %s%s%s%s\n", dim, i + 1, m->n_questions, title ? title : "",
		reset, bold, q->id, reset, q->critical ? " (critical)" : "");
	free(title);
	say_wrapped(v, q->text, "", "");
	for (int L = 1; L <= WEFT_ASSESS_LEVELS; L++) {
		char lead[16];
		snprintf(lead, sizeof lead, "  %d  ", L);
		say_wrapped(v, q->options[L - 1].text, lead, "     ");
	}
	if (q->allow_na)
		fputs("  na (the thing asked about does not exist in this unit; not yet is 1; you will be asked why)\n", v->o->out);
	const weft_assess_answer *r = weft_assess_answers_find(v->a, q->id);
	if (r && r->status == WEFT_ASSESS_ANSWERED)
		fprintf(v->o->out, "Current answer: %d\n", r->level);
	else if (r && r->status == WEFT_ASSESS_NA)
		fprintf(v->o->out, "Current answer: na\n");
}

static void show_help(iv *v, const weft_assess_question *q)
{
	if (q->help)
		say_wrapped(v, q->help, "Help: ", "      ");
	else
		fputs("Help: the model gives no help text for this question; pick the option that is "
		      "observably true today.\n",
		      v->o->out);
	fputs("Keys: 1-5 answer (text after it is kept as a note), na, ? help, b back, q quit, "
	      "Enter keep/skip.\n",
	      v->o->out);
}

static void today(char out[16])
{
	time_t t = time(NULL);
	struct tm tm;
	if (!localtime_r(&t, &tm) || !strftime(out, 16, "%Y-%m-%d", &tm))
		snprintf(out, 16, "1970-01-01");
}

/* Open or create the answers set. Returns 1 when the user ended input
 * before a new file could be started. */
static int start(iv *v)
{
	const weft_assess_interview_opts *o = v->o;
	if (weft_path_exists(o->path)) {
		/* the bytes as read, to edit in place; the answers from the same bytes */
		int err = weft_file_read(&v->text, &v->text_len, o->path, WEFT_ASSESS_MAX_FILE, NULL);
		if (err) {
			free(v->text);
			v->text = NULL;
		}
		err = v->text ? weft_assess_answers_load_buffer(&v->a, o->path, v->text, v->text_len, v->d)
			      : weft_assess_answers_load(&v->a, o->path, v->d);
		if (!err)
			err = weft_assess_answers_check(v->a, o->model, false, v->d);
		if (!err && !(v->saved = assess_answers_dup(v->a)))
			err = WEFT_ENOMEM;
		return err;
	}
	char date[16];
	today(date);
	int err = weft_assess_answers_new(&v->a, o->model, o->unit, o->respondent, o->date ? o->date : date);
	if (err)
		return err;
	while (!o->unit) {
		const char *s = ask(v, "Business unit assessed: ");
		if (!s)
			return 1;
		if (*s) {
			err = weft_assess_answers_set_field(v->a, "unit", s);
			break;
		}
	}
	if (!err && !o->respondent) {
		const char *s = ask(v, "Your name (respondent; Enter to leave out): ");
		if (!s)
			return 1;
		if (*s)
			err = weft_assess_answers_set_field(v->a, "respondent", s);
	}
	if (!err)
		err = save(v);
	return err;
}

/* Ask for a reason for na; keeps an existing one on Enter. NULL at EOF. */
static const char *ask_reason(iv *v, const weft_assess_answer *cur)
{
	for (;;) {
		const char *s = ask(v, "Why does it not apply here? ");
		if (!s)
			return NULL;
		if (*s)
			return s;
		if (cur && cur->status == WEFT_ASSESS_NA && cur->reason)
			return cur->reason;
		fputs("A reason is needed for na (it shows in the report).\n", v->o->out);
	}
}

int weft_assess_interview(weft_assess_interview_stats *stats, const weft_assess_interview_opts *o,
			  weft_diags *d)
{
	memset(stats, 0, sizeof *stats);
	iv v = { o, NULL, d, !isatty(fileno(o->in)), NULL, 0, NULL, 0, NULL, false };
	const weft_assess_model *m = o->model;
	int err = start(&v);
	if (err == 1) {
		stats->quit = true;
		err = WEFT_OK;
		goto done;
	}
	if (err)
		goto done;
	size_t i = 0;
	while (i < m->n_questions && answered(v.a, m->questions[i]->id))
		i++;
	if (i == m->n_questions) {
		fprintf(o->out, "All %zu questions are answered; going through them again (Enter keeps an "
				"answer, q stops).\n",
			m->n_questions);
		i = 0;
	} else if (i > 0) {
		fprintf(o->out, "Resuming %s at question %zu of %zu.\n", o->path, i + 1, m->n_questions);
	}
	fputs("Answer 1-5, na where allowed, ? for help, b to go back, q to quit. Every answer is saved "
	      "at once.\n",
	      o->out);
	bool shown = false;
	while (i < m->n_questions) {
		const weft_assess_question *q = m->questions[i];
		if (!shown)
			show(&v, i);
		shown = true;
		const char *s = ask(&v, "> ");
		if (!s || !strcmp(s, "q") || !strcmp(s, "quit")) {
			stats->quit = true;
			break;
		}
		const weft_assess_answer *cur = weft_assess_answers_find(v.a, q->id);
		if (!*s) { /* keep or skip */
			stats->asked++;
			i++;
			shown = false;
			continue;
		}
		if (!strcmp(s, "?") || !strcmp(s, "h") || !strcmp(s, "help")) {
			show_help(&v, q);
			continue;
		}
		if (!strcmp(s, "b") || !strcmp(s, "back")) {
			if (i == 0) {
				fputs("This is the first question.\n", o->out);
				continue;
			}
			i--;
			shown = false;
			continue;
		}
		if (!strcasecmp(s, "na") || !strcasecmp(s, "n/a")) {
			if (!q->allow_na) {
				fputs("This question does not allow na: answer 1-5 (1 where nothing is in place).\n",
				      o->out);
				continue;
			}
			const char *reason = ask_reason(&v, cur);
			if (!reason) {
				stats->quit = true;
				break;
			}
			char *keep = strdup(reason);
			if (!keep) {
				err = WEFT_ENOMEM;
				break;
			}
			err = weft_assess_answers_set(v.a, q->id, WEFT_ASSESS_NA, 0, keep,
						      o->model->na_category, NULL);
			free(keep);
		} else if (s[0] >= '1' && s[0] <= '5' && (!s[1] || isspace((unsigned char)s[1]))) {
			const char *note = s + 1;
			while (*note && isspace((unsigned char)*note))
				note++;
			err = weft_assess_answers_set(v.a, q->id, WEFT_ASSESS_ANSWERED, s[0] - '0', NULL, NULL,
						      *note ? note : NULL);
		} else {
			fputs("Please answer 1-5, na, ? (help), b (back), q (quit) or Enter (keep/skip).\n", o->out);
			continue;
		}
		if (!err)
			err = save(&v);
		if (err)
			break;
		stats->asked++;
		i++;
		shown = false;
	}
	if (!err) {
		for (size_t k = 0; k < m->n_questions; k++) {
			const weft_assess_answer *r = weft_assess_answers_find(v.a, m->questions[k]->id);
			if (r && r->status == WEFT_ASSESS_ANSWERED)
				stats->answered++;
			else if (r && r->status == WEFT_ASSESS_NA)
				stats->na++;
			else
				stats->unanswered++;
		}
		fprintf(o->out, "\n%s %s: %zu answered, %zu na, %zu not answered.\n",
			stats->quit ? "Stopped; saved" : "Done; saved", o->path, stats->answered, stats->na,
			stats->unanswered);
		if (stats->quit)
			fputs("Run the same command again to resume.\n", o->out);
	}
done:
	free(v.line);
	free(v.text);
	weft_assess_answers_free(v.saved);
	weft_assess_answers_free(v.a);
	return err;
}
