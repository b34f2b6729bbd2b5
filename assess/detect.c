/* detect.c - telling a maturity model, an answers file and a weights file
 * apart by their top-level keys, for `weft assess validate FILE...`.
 *
 * Design choice: detection looks only at which keys are present, never at
 * their values, so a broken file of one kind is still recognised as that
 * kind and then gets that kind's full list of errors.
 */
#include <string.h>

#include "assess_int.h"

int weft_assess_detect(weft_assess_file_kind *out, const char *path, weft_diags *d)
{
	*out = WEFT_ASSESS_FILE_UNKNOWN;
	weft_yaml_doc *doc = NULL;
	int err = assess_yaml_file(&doc, NULL, path, d);
	if (err)
		return err;
	const weft_yaml_node *root = weft_yaml_doc_root(doc);
	if (!root) {
		weft_diags_add(d, WEFT_SEV_ERROR, path, 1, 1,
			       "`weft assess init` writes a blank answers file; see docs/formats/ for models",
			       "the file is empty; expected a maturity model or an answers file");
		weft_yaml_doc_free(doc);
		return WEFT_EINVALID;
	}
	const weft_yaml_node *dims = weft_yaml_get(root, "dimensions");
	if (root->kind != WEFT_YAML_MAPPING) {
		err = weft_yaml_expect(doc, root, WEFT_YAML_MAPPING, "maturity model or answers file", d);
	} else if (weft_yaml_get(root, "answers") || weft_yaml_get(root, "model_version")) {
		*out = WEFT_ASSESS_FILE_ANSWERS;
	} else if (weft_yaml_get(root, "levels") || (dims && dims->kind == WEFT_YAML_SEQUENCE)) {
		*out = WEFT_ASSESS_FILE_MODEL;
	} else if ((dims && dims->kind == WEFT_YAML_MAPPING) || weft_yaml_get(root, "questions")) {
		*out = WEFT_ASSESS_FILE_WEIGHTS;
	} else {
		weft_diags_add(d, WEFT_SEV_ERROR, path, root->line, root->col,
			       "a model has levels: and dimensions:; an answers file has model_version: and "
			       "answers:; a weights file has dimensions: and/or questions: mappings",
			       "cannot tell what kind of file this is");
		err = WEFT_EINVALID;
	}
	weft_yaml_doc_free(doc);
	return err;
}
