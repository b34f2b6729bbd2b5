/* report_int.h - what the report writers share (report.c has the helpers). */
#ifndef WEFT_PIPELINES_REPORT_INT_H
#define WEFT_PIPELINES_REPORT_INT_H

#include "pipelines_int.h"

/* A unit that suits ms: multiplier and name (µs, ms, s). */
void weft_pl_scale(double ms, double *mult, const char **unit, bool ascii);
/* "41.2 ms (40.1-42.5)": the estimate and its interval in one unit. */
char *weft_pl_fmt_pctl(char *buf, size_t size, const weft_pipelines_pctl *p, bool ascii);
char *weft_pl_fmt_ms(char *buf, size_t size, double ms, bool ascii);
/* "pass", "fail" or "inconclusive". */
const char *weft_pl_overall(const weft_pipelines_result *r);
/* The end-to-end check with that label, or NULL. */
const weft_pipelines_check *weft_pl_e2e_check(const weft_pipelines_result *r, const char *label);
/* A stage budget over the end-to-end budget at the same percentile, or NaN. */
double weft_pl_budget_share(const weft_pipelines_result *r, const weft_pipelines_check *c);
/* The worst verdict of a series' checks. */
weft_pipelines_verdict weft_pl_series_verdict(const weft_pipelines_series *s, bool *any);
/* "p99 41.2 ms, 95% CI [40.1 ms, 42.5 ms]" (none for a missing bound). */
void weft_pl_pctl_sentence(weft_buf *b, const char *label, const weft_pipelines_pctl *p, double confidence,
			   bool ascii);
/* The numbers behind a verdict, as one clause. */
void weft_pl_check_sentence(weft_buf *b, const weft_pipelines_result *r, const weft_pipelines_check *c,
			    bool ascii);
void weft_pl_error_sentence(weft_buf *b, const weft_pipelines_result *r);
/* "11 seconds, 4703-5828 q/s, worst p99 11.8 ms (second 2), errors in 0 of
 * them": the time series in one clause (rates and p99 without a short last
 * second); false (nothing written) under two seconds. */
bool weft_pl_seconds_sentence(weft_buf *b, const weft_pipelines_result *r, bool ascii);
void weft_pl_window_sentence(weft_buf *b, const weft_pipelines_result *r, bool ascii);
/* "server at 50 q/s (Poisson), 16 workers, 10 s, seed 1" */
void weft_pl_scenario_line(weft_buf *b, const weft_pipelines_result *r, bool ascii);

/* JSON pieces shared by the run and candidates reports (cJSON trees the
 * caller owns; put_json prints and deletes root). */
struct cJSON;
struct cJSON *weft_pl_result_json(const weft_pipelines_result *r, const weft_pipelines_report_opts *o);
struct cJSON *weft_pl_pctl_json(const weft_pipelines_pctl *p);
void weft_pl_put_json(weft_buf *b, struct cJSON *root);
/* The page head (title escaped, shared stylesheet) and foot of HTML reports. */
void weft_pl_html_head(weft_buf *b, const char *title);
void weft_pl_html_foot(weft_buf *b);

void weft_pl_report_json(weft_buf *b, const weft_pipelines_result *r, const weft_pipelines_report_opts *o);
void weft_pl_report_markdown(weft_buf *b, const weft_pipelines_result *r,
			     const weft_pipelines_report_opts *o);
void weft_pl_report_html(weft_buf *b, const weft_pipelines_result *r, const weft_pipelines_report_opts *o);
void weft_pl_report_junit(weft_buf *b, const weft_pipelines_result *r, const weft_pipelines_report_opts *o);

/* The percentile spectrum of one series as an inline SVG (report_html.c):
 * latency against log(1/(1-p)), the reported percentiles with their
 * intervals, the budgets; base (n_base weighted samples in ms, any order;
 * NULL for none) drawn dashed as the baseline. */
void weft_pl_html_spectrum(weft_buf *b, const weft_pipelines_series *s, const weft_pipelines_wsample *base,
			   size_t n_base);

/* The candidates' latency against their accuracy as an inline SVG
 * (report_html.c): each candidate's judged p99 with its interval across and
 * its accuracy with its exact interval over the evaluation rows up and
 * down, coloured by whether it fits, the recommended one ringed, the
 * candidates no other beats on both joined, the p99 budget as a line. A
 * sentence instead when no candidate was timed and evaluated. */
void weft_pl_html_tradeoff(weft_buf *b, const weft_pipelines_candidates *c);

#endif
