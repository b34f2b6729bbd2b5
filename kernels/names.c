/* names.c - the names of devices, precisions and activations, as written
 * on the command line, in __metadata__ and in reports, and their parsers.
 *
 * A file of its own so that the CUDA module (which reports precisions by
 * name) can be built from it without the rest of the model code. */
#include <string.h>

#include "weft_kernels.h"

static const char *const device_names[] = { "auto", "cpu", "gpu" };
static const char *const precision_names[] = { "fp32", "tf32", "fp16", "bf16" };
static const char *const activation_names[] = { "none", "relu", "gelu", "tanh", "sigmoid" };

static int parse_name(int *out, const char *name, const char *const *names, int n)
{
	for (int i = 0; i < n; i++) {
		if (name && strcmp(name, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return WEFT_EINVALID;
}

const char *weft_device_name(weft_device v)
{
	return (unsigned)v < 3 ? device_names[v] : "?";
}

int weft_device_parse(weft_device *out, const char *name)
{
	int v;
	if (parse_name(&v, name, device_names, 3))
		return WEFT_EINVALID;
	*out = (weft_device)v;
	return 0;
}

const char *weft_precision_name(weft_precision v)
{
	return (unsigned)v < 4 ? precision_names[v] : "?";
}

int weft_precision_parse(weft_precision *out, const char *name)
{
	int v;
	if (parse_name(&v, name, precision_names, 4))
		return WEFT_EINVALID;
	*out = (weft_precision)v;
	return 0;
}

const char *weft_activation_name(weft_activation v)
{
	return (unsigned)v < 5 ? activation_names[v] : "?";
}

int weft_activation_parse(weft_activation *out, const char *name)
{
	int v;
	if (parse_name(&v, name, activation_names, 5))
		return WEFT_EINVALID;
	*out = (weft_activation)v;
	return 0;
}
