/* train-examples.c - trains the three example candidate models of
 * pipelines/examples/ on a synthetic churn data set, for real, and writes
 * them with weft's safetensors writer, plus the evaluation split as CSV.
 * Built and run by scripts/make-example-models; not part of the weft binary.
 *
 * Design choice: everything deterministic and dependency-free. The data
 * come from a known rule with noise, drawn with a fixed-seed xorshift
 * generator and only + - * / (normal-ish noise as a sum of uniforms), so
 * the same data set appears on every machine; training is plain mini-batch
 * SGD with momentum in scalar C loops (no BLAS: its summation order varies
 * with the CPU), compiled without FMA contraction. Inputs are standardised
 * for training and the standardisation is folded into the first layer
 * afterwards, so the saved models take the raw features.
 *
 * The rule (the "true" churn probability, sigmoid of z):
 *   z = -1.9
 *     + 2.0 [month-to-month and tenure < 12]      new, uncommitted customers
 *     + 0.8 [month-to-month] - 0.6 [one-year contract]
 *     - 0.03 tenure
 *     + 0.55 max(0, support calls - 2)             a threshold effect
 *     + 0.5 late payments [no autopay]             an interaction
 *     - 0.035 usage change %                       falling usage
 *     + 1.3 [satisfaction <= 2]
 *     + 0.02 (monthly charges - 70) [no discount]
 *     - 0.35 (products - 1)
 *     + 0.9 [age < 25 and month-to-month]
 * and the label is drawn from Bernoulli(sigmoid(z)), so no model can be
 * right every time; the linear model cannot express the thresholds and
 * interactions, the two networks can, the larger one better.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weft_core.h"
#include "weft_kernels.h"

#define NF 12
#define N_TRAIN 60000
#define N_EVAL 2000
#define MAX_LAYERS 3
#define MAX_W 128

static const char *const feature_names[NF] = {
	"tenure_months",   "monthly_charges", "contract_monthly", "contract_annual",
	"support_calls",   "late_payments",   "usage_change_pct", "satisfaction",
	"products",        "has_discount",    "age_years",        "autopay",
};

/* ---- deterministic randomness ----------------------------------------------------- */

static uint64_t rng_state;

static uint64_t next_u64(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static double uniform(void)
{
	return (double)(next_u64() >> 11) / 9007199254740992.0;
}

static int uniform_int(int lo, int hi) /* inclusive */
{
	return lo + (int)(uniform() * (double)(hi - lo + 1));
}

/* approximately N(0, 1): Irwin-Hall with 12 terms */
static double normalish(void)
{
	double s = 0;
	for (int i = 0; i < 12; i++)
		s += uniform();
	return s - 6.0;
}

static double clampd(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

static double round_to(double x, double step)
{
	return floor(x / step + 0.5) * step;
}

/* ---- the data set --------------------------------------------------------------- */

static double true_logit(const float *f)
{
	double tenure = f[0], charges = f[1], m2m = f[2], annual = f[3], calls = f[4];
	double late = f[5], usage = f[6], sat = f[7], products = f[8], discount = f[9];
	double age = f[10], autopay = f[11];
	double z = -1.6;
	z += 2.2 * (m2m > 0 && tenure < 12);
	z += 0.6 * m2m - 0.6 * annual;
	z -= 0.025 * tenure;
	z += 0.7 * (calls > 2 ? calls - 2 : 0);
	z += 0.6 * late * (1 - autopay);
	z += 1.8 * (usage < -15 && sat <= 3);
	z += 1.2 * (sat <= 2);
	z += 0.0009 * (charges - 70) * (charges - 70) * (1 - discount) - 0.5;
	z -= 0.35 * (products - 1);
	z += 1.0 * (age < 25 && m2m > 0);
	return z;
}

static double sigmoid(double z)
{
	return z >= 0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z));
}

static void make_row(float *f, int *label)
{
	double u = uniform();
	int contract = u < 0.5 ? 0 : u < 0.8 ? 1 : 2; /* monthly, annual, two-year */
	f[0] = (float)uniform_int(0, 72);
	f[1] = (float)round_to(clampd(70 + 25 * normalish(), 18, 130), 0.05);
	f[2] = contract == 0;
	f[3] = contract == 1;
	int calls = 0;
	while (calls < 12 && uniform() < 0.45)
		calls++;
	f[4] = (float)calls;
	int late = 0;
	while (late < 8 && uniform() < 0.3)
		late++;
	f[5] = (float)late;
	f[6] = (float)round_to(clampd(-5 + 18 * normalish(), -80, 60), 0.1);
	f[7] = (float)uniform_int(1, 5);
	f[8] = (float)uniform_int(1, 5);
	f[9] = uniform() < 0.3;
	f[10] = (float)uniform_int(18, 80);
	f[11] = uniform() < 0.55;
	*label = uniform() < sigmoid(true_logit(f));
}

/* ---- a dense network and its training ---------------------------------------------- */

typedef struct {
	int n_layers;
	int width[MAX_LAYERS + 1]; /* width[0] = NF, width[n_layers] = 1 */
	float *w[MAX_LAYERS], *b[MAX_LAYERS];   /* w: out x in */
	float *vw[MAX_LAYERS], *vb[MAX_LAYERS]; /* momentum */
	float *gw[MAX_LAYERS], *gb[MAX_LAYERS]; /* gradients of a mini-batch */
} net;

static void net_init(net *n, int n_layers, const int *width, uint64_t seed)
{
	memset(n, 0, sizeof *n);
	n->n_layers = n_layers;
	memcpy(n->width, width, (size_t)(n_layers + 1) * sizeof *width);
	rng_state = seed;
	for (int l = 0; l < n_layers; l++) {
		int in = width[l], out = width[l + 1];
		size_t nw = (size_t)in * (size_t)out;
		n->w[l] = calloc(nw, sizeof(float));
		n->vw[l] = calloc(nw, sizeof(float));
		n->gw[l] = calloc(nw, sizeof(float));
		n->b[l] = calloc((size_t)out, sizeof(float));
		n->vb[l] = calloc((size_t)out, sizeof(float));
		n->gb[l] = calloc((size_t)out, sizeof(float));
		/* He-uniform: U(-a, a), a = sqrt(6 / fan_in) */
		double a = sqrt(6.0 / in);
		for (size_t i = 0; i < nw; i++)
			n->w[l][i] = (float)((uniform() * 2 - 1) * a);
	}
}

static void net_free(net *n)
{
	for (int l = 0; l < n->n_layers; l++) {
		free(n->w[l]), free(n->b[l]), free(n->vw[l]), free(n->vb[l]);
		free(n->gw[l]), free(n->gb[l]);
	}
}

/* Forward one row; act[l] holds layer l's input (act[0] = x) and act[L]
 * the output probability. Hidden layers relu, the last sigmoid. */
static float forward(const net *n, const float *x, float act[MAX_LAYERS + 1][MAX_W])
{
	memcpy(act[0], x, NF * sizeof(float));
	for (int l = 0; l < n->n_layers; l++) {
		int in = n->width[l], out = n->width[l + 1];
		bool last = l + 1 == n->n_layers;
		for (int o = 0; o < out; o++) {
			float s = n->b[l][o];
			const float *wr = n->w[l] + (size_t)o * in;
			for (int i = 0; i < in; i++)
				s += wr[i] * act[l][i];
			act[l + 1][o] = last ? (float)sigmoid(s) : (s > 0 ? s : 0);
		}
	}
	return act[n->n_layers][0];
}

/* Accumulate the gradient of the cross-entropy of one row. */
static void backward(net *n, float act[MAX_LAYERS + 1][MAX_W], int label)
{
	float delta[MAX_W], prev[MAX_W];
	int L = n->n_layers;
	delta[0] = act[L][0] - (float)label; /* d loss / d logit */
	for (int l = L - 1; l >= 0; l--) {
		int in = n->width[l], out = n->width[l + 1];
		for (int i = 0; i < in; i++)
			prev[i] = 0;
		for (int o = 0; o < out; o++) {
			float dl = delta[o];
			float *gw = n->gw[l] + (size_t)o * in;
			const float *wr = n->w[l] + (size_t)o * in;
			n->gb[l][o] += dl;
			for (int i = 0; i < in; i++) {
				gw[i] += dl * act[l][i];
				prev[i] += dl * wr[i];
			}
		}
		if (l > 0) /* through the relu of layer l - 1 */
			for (int i = 0; i < in; i++)
				delta[i] = act[l][i] > 0 ? prev[i] : 0;
	}
}

static void sgd_step(net *n, float lr, float momentum, float decay, int batch)
{
	for (int l = 0; l < n->n_layers; l++) {
		size_t nw = (size_t)n->width[l] * (size_t)n->width[l + 1];
		for (size_t i = 0; i < nw; i++) {
			float g = n->gw[l][i] / (float)batch + decay * n->w[l][i];
			n->vw[l][i] = momentum * n->vw[l][i] - lr * g;
			n->w[l][i] += n->vw[l][i];
			n->gw[l][i] = 0;
		}
		for (int o = 0; o < n->width[l + 1]; o++) {
			float g = n->gb[l][o] / (float)batch;
			n->vb[l][o] = momentum * n->vb[l][o] - lr * g;
			n->b[l][o] += n->vb[l][o];
			n->gb[l][o] = 0;
		}
	}
}

static void train(net *n, const float *x, const int *y, int rows, int epochs, float lr0,
		  uint64_t seed)
{
	int *order = malloc((size_t)rows * sizeof *order);
	for (int i = 0; i < rows; i++)
		order[i] = i;
	rng_state = seed;
	float act[MAX_LAYERS + 1][MAX_W];
	const int batch = 32;
	for (int e = 0; e < epochs; e++) {
		for (int i = rows - 1; i > 0; i--) { /* Fisher-Yates */
			int j = (int)(uniform() * (double)(i + 1));
			int t = order[i];
			order[i] = order[j], order[j] = t;
		}
		/* step decay: full rate for half the epochs, then 1/4, then 1/16 */
		float lr = e < epochs / 2 ? lr0 : e < 3 * epochs / 4 ? lr0 / 4 : lr0 / 16;
		for (int s = 0; s + batch <= rows; s += batch) {
			for (int k = 0; k < batch; k++) {
				int r = order[s + k];
				forward(n, x + (size_t)r * NF, act);
				backward(n, act, y[r]);
			}
			sgd_step(n, lr, 0.9f, 3e-4f, batch);
		}
	}
	free(order);
}

/* ---- writing ------------------------------------------------------------------------- */

/* Fold x' = (x - mean) / sd into layer 0: w' = w / sd, b' = b - sum w mean / sd. */
static void fold_standardisation(net *n, const double *mean, const double *sd)
{
	int out = n->width[1];
	for (int o = 0; o < out; o++) {
		float *wr = n->w[0] + (size_t)o * NF;
		double shift = 0;
		for (int i = 0; i < NF; i++) {
			double w = wr[i] / sd[i];
			shift += w * mean[i];
			wr[i] = (float)w;
		}
		n->b[0][o] = (float)(n->b[0][o] - shift);
	}
}

static int save(const net *n, const char *path, const char *description, unsigned flags,
		weft_diags *d)
{
	weft_safetensors_writer *w = NULL;
	if (weft_safetensors_writer_new(&w))
		return WEFT_ENOMEM;
	char acts[64] = "";
	for (int l = 0; l < n->n_layers; l++)
		strcat(acts, l + 1 < n->n_layers ? "relu," : "sigmoid");
	char features[512] = "";
	for (int i = 0; i < NF; i++) {
		strcat(features, feature_names[i]);
		if (i + 1 < NF)
			strcat(features, ",");
	}
	weft_safetensors_writer_meta(w, "weft.activations", acts);
	weft_safetensors_writer_meta(w, "weft.softmax", "false");
	weft_safetensors_writer_meta(w, "weft.prefix", "net");
	weft_safetensors_writer_meta(w, "weft.features", features);
	weft_safetensors_writer_meta(w, "weft.label", "churned");
	weft_safetensors_writer_meta(w, "weft.description", description);
	weft_safetensors_writer_meta(w, "weft.trained_by", "scripts/make-example-models");
	int err = 0;
	for (int l = 0; l < n->n_layers && !err; l++) {
		char name[32];
		uint64_t ws[2] = { (uint64_t)n->width[l + 1], (uint64_t)n->width[l] };
		uint64_t bs[1] = { (uint64_t)n->width[l + 1] };
		snprintf(name, sizeof name, "net.%d.weight", l);
		err = weft_safetensors_writer_add(w, name, WEFT_DTYPE_F32, 2, ws, n->w[l]);
		snprintf(name, sizeof name, "net.%d.bias", l);
		if (!err)
			err = weft_safetensors_writer_add(w, name, WEFT_DTYPE_F32, 1, bs, n->b[l]);
	}
	if (!err)
		err = weft_safetensors_writer_save(w, path, flags, d);
	weft_safetensors_writer_free(w);
	return err;
}

static int save_csv(const char *path, const float *x, const int *y, int rows, unsigned flags,
		    weft_diags *d)
{
	weft_buf b = WEFT_BUF_INIT;
	for (int i = 0; i < NF; i++)
		weft_buf_printf(&b, "%s,", feature_names[i]);
	weft_buf_puts(&b, "label\n");
	for (int r = 0; r < rows; r++) {
		const float *f = x + (size_t)r * NF;
		/* %.10g of values stored rounded to 0.05 / 0.1: short and exact in float */
		for (int i = 0; i < NF; i++)
			weft_buf_printf(&b, "%.6g,", (double)f[i]);
		weft_buf_printf(&b, "%d\n", y[r]);
	}
	int err = b.oom ? WEFT_ENOMEM : weft_file_write_atomic(path, b.ptr, b.len, flags, d);
	weft_buf_free(&b);
	return err;
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	unsigned flags = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--force"))
			flags |= WEFT_WRITE_FORCE;
		else
			dir = argv[i];
	}
	if (!dir) {
		fprintf(stderr, "usage: train-examples [--force] OUTPUT-DIR\n");
		return 2;
	}
	weft_diags *d = NULL;
	weft_diags_new(&d);

	/* data: a training split and an evaluation split from separate seeds */
	float *xt = malloc((size_t)N_TRAIN * NF * sizeof *xt), *xe = malloc((size_t)N_EVAL * NF * sizeof *xe);
	int *yt = malloc(N_TRAIN * sizeof *yt), *ye = malloc(N_EVAL * sizeof *ye);
	rng_state = 20240611;
	for (int r = 0; r < N_TRAIN; r++)
		make_row(xt + (size_t)r * NF, &yt[r]);
	rng_state = 777001;
	for (int r = 0; r < N_EVAL; r++)
		make_row(xe + (size_t)r * NF, &ye[r]);

	/* what the true rule itself scores on the evaluation split */
	int bayes_right = 0, churned = 0;
	double *zt = malloc(N_EVAL * sizeof *zt), bayes_auc = 0;
	for (int r = 0; r < N_EVAL; r++) {
		zt[r] = true_logit(xe + (size_t)r * NF);
		bayes_right += (zt[r] >= 0) == ye[r];
		churned += ye[r];
	}
	weft_metrics_roc_auc(&bayes_auc, zt, ye, N_EVAL);
	free(zt);

	double mean[NF] = { 0 }, sd[NF] = { 0 };
	for (int r = 0; r < N_TRAIN; r++)
		for (int i = 0; i < NF; i++)
			mean[i] += xt[(size_t)r * NF + i];
	for (int i = 0; i < NF; i++)
		mean[i] /= N_TRAIN;
	for (int r = 0; r < N_TRAIN; r++)
		for (int i = 0; i < NF; i++) {
			double v = xt[(size_t)r * NF + i] - mean[i];
			sd[i] += v * v;
		}
	for (int i = 0; i < NF; i++)
		sd[i] = sqrt(sd[i] / N_TRAIN);
	float *xs = malloc((size_t)N_TRAIN * NF * sizeof *xs);
	for (int r = 0; r < N_TRAIN; r++)
		for (int i = 0; i < NF; i++)
			xs[(size_t)r * NF + i] = (float)((xt[(size_t)r * NF + i] - mean[i]) / sd[i]);

	static const struct {
		const char *name, *description;
		int layers, width[MAX_LAYERS + 1], epochs;
		float lr;
	} models[] = {
		{ "churn-small", "logistic regression on 12 churn features", 1, { NF, 1 }, 10, 0.05f },
		{ "churn-medium", "MLP 12-8-1 (relu, sigmoid) on 12 churn features", 2,
		  { NF, 8, 1 }, 20, 0.05f },
		{ "churn-large", "MLP 12-128-64-1 (relu, relu, sigmoid) on 12 churn features", 3,
		  { NF, 128, 64, 1 }, 40, 0.03f },
	};
	char path[1024];
	int err = 0;
	snprintf(path, sizeof path, "%s/churn-eval.csv", dir);
	err = save_csv(path, xe, ye, N_EVAL, flags, d);
	printf("evaluation split: %d rows, %d churned (%.1f%%); the true rule itself scores "
	       "accuracy %.4f, ROC AUC %.4f\n", N_EVAL, churned, 100.0 * churned / N_EVAL,
	       (double)bayes_right / N_EVAL, bayes_auc);
	weft_evalset *ev = NULL;
	if (!err)
		err = weft_evalset_load(&ev, path, d);
	for (size_t k = 0; k < 3 && !err; k++) {
		net n;
		net_init(&n, models[k].layers, models[k].width, 1000 + k);
		train(&n, xs, yt, N_TRAIN, models[k].epochs, models[k].lr, 5000 + k);
		fold_standardisation(&n, mean, sd);
		snprintf(path, sizeof path, "%s/%s.safetensors", dir, models[k].name);
		err = save(&n, path, models[k].description, flags, d);
		net_free(&n);
		if (err)
			break;
		/* score the saved file the way weft will */
		weft_model_opts o;
		weft_model_opts_init(&o);
		o.device = WEFT_DEVICE_CPU;
		o.max_batch = 256;
		weft_model *m = NULL;
		weft_model_eval r;
		err = weft_model_load(&m, path, &o, d);
		if (!err)
			err = weft_model_evaluate(&r, m, ev, d);
		if (!err)
			printf("%-13s %6zu parameters  accuracy %.4f  ROC AUC %.4f\n", models[k].name,
			       weft_model_params(m), r.accuracy, r.auc);
		weft_model_free(m);
	}
	weft_evalset_free(ev);
	weft_diags_print(d, stderr, false);
	weft_diags_free(d);
	free(xt), free(xe), free(yt), free(ye), free(xs);
	return err ? 1 : 0;
}
