/* request.h - the body of POST /v1/predict.
 *
 *   {"key": "C-1042", "features": [0.3, 12, ...]}
 *   {"key": "C-1042", "features": {"tenure_months": 12, ...}}
 *
 * `features` is an array of exactly the model's input count, or an object
 * with every feature name of the model (when the model names them). `key`
 * is optional: it names the record, so that the last prediction for it can
 * serve as the fallback. Unknown top-level fields are ignored, so that a
 * caller written against a newer minor version of the contract still works.
 */
#ifndef REQUEST_H
#define REQUEST_H

#include <stddef.h>

#include "cache.h"

typedef struct predict_request {
	char key[CACHE_KEY_MAX + 1]; /* "" when absent */
	float *x;                    /* caller's buffer of n_inputs */
} predict_request;

/* Feature names from a comma-separated list (the model's weft.features
 * metadata). *out is one allocation (free it); returns the count, 0 when
 * list is NULL or empty, or (size_t)-1 when out of memory. */
size_t request_names_split(char ***out, const char *list);

/* Parse body[0..len) into r (r->x must hold n_inputs floats). names may be
 * NULL (then only the array form is accepted). Returns 0, or -1 with a
 * message for the caller in err. */
int request_parse(predict_request *r, const char *body, size_t len, size_t n_inputs, char *const *names,
		  size_t n_names, char *err, size_t errlen);

#endif
