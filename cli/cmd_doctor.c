/* cmd_doctor.c - `weft doctor`: what this build has and what this machine
 * offers (CUDA compiled in, the CUDA module and device, the data folder and
 * why it was chosen, library versions), as text or JSON. Opening the CUDA
 * module and OpenBLAS here is deliberate: it is the command that reports
 * them. */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <git2.h>
#include <string.h>
#include <yaml.h>

#include "cli.h"
#include "weft_kernels.h"

static const char usage[] =
	"usage: weft doctor [--format text|json]\n\n"
	"Show what this build of weft has (CUDA kernels compiled in or not, and the CUDA\n"
	"module it opens on demand), whether a CUDA device is present (name, compute\n"
	"capability, memory), the folder it reads its shipped data from and why, and the\n"
	"versions of the libraries it uses. Always exits 0 unless the arguments are wrong.\n";

const weft_cli_option weft_cli_doctor_opts[] = {
	{ "format", 'f', WEFT_CLI_VALUE | WEFT_CLI_SHORT, WEFT_HINT_FORMATS(WEFT_CLI_TEXT_JSON) },
	{ "help", 'h', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ NULL, 0, 0, WEFT_HINT_NOTHING },
};

int weft_cmd_doctor(int argc, char **argv)
{
	weft_cli_format fmt = WEFT_FMT_TEXT;
	int c;
	while ((c = weft_cli_getopt("doctor", argc, argv, weft_cli_doctor_opts)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return WEFT_EXIT_OK;
		case 'f':
			if (weft_cli_format_parse(&fmt, "doctor", optarg, WEFT_CLI_TEXT_JSON))
				return WEFT_EXIT_USAGE;
			break;
		default:
			return WEFT_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return weft_cli_usage_error("doctor", "unexpected argument '%s'", argv[optind]);

	weft_kernels_info k;
	weft_kernels_probe(&k);
	int gmaj, gmin, grev;
	git_libgit2_version(&gmaj, &gmin, &grev);
	char git_v[32], cuda_v[32] = "", cublas_v[32] = "", cc[16] = "";
	snprintf(git_v, sizeof git_v, "%d.%d.%d", gmaj, gmin, grev);
	if (k.cuda_loaded) {
		snprintf(cuda_v, sizeof cuda_v, "%d.%d", k.runtime_version / 1000,
			 (k.runtime_version % 1000) / 10);
		snprintf(cublas_v, sizeof cublas_v, "%d.%d.%d", k.cublas_version / 10000,
			 (k.cublas_version / 100) % 100, k.cublas_version % 100);
	}
	if (k.device_found)
		snprintf(cc, sizeof cc, "%d.%d", k.cc_major, k.cc_minor);
	const char *curl_v = curl_version_info(CURLVERSION_NOW)->version;

	if (fmt == WEFT_FMT_JSON) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "version", weft_version_long());
		cJSON *data = cJSON_AddObjectToObject(o, "data");
		cJSON_AddStringToObject(data, "path", weft_data_dir());
		cJSON_AddStringToObject(data, "why", weft_data_dir_why());
		cJSON *cu = cJSON_AddObjectToObject(o, "cuda");
		cJSON_AddBoolToObject(cu, "compiled", k.cuda_compiled);
		if (k.cuda_compiled) {
			cJSON_AddStringToObject(cu, "module", k.cuda_module);
			cJSON_AddBoolToObject(cu, "module_loaded", k.cuda_loaded);
		}
		cJSON_AddBoolToObject(cu, "device_found", k.device_found);
		if (k.cuda_loaded) {
			cJSON_AddStringToObject(cu, "runtime", cuda_v);
			cJSON_AddStringToObject(cu, "cublas", cublas_v);
		}
		if (k.device_found) {
			cJSON_AddNumberToObject(cu, "device_count", k.device_count);
			cJSON_AddStringToObject(cu, "device", k.device_name);
			cJSON_AddStringToObject(cu, "compute_capability", cc);
			cJSON_AddNumberToObject(cu, "memory_bytes", (double)k.device_memory);
		} else {
			cJSON_AddStringToObject(cu, "reason", k.reason);
		}
		cJSON *lib = cJSON_AddObjectToObject(o, "libraries");
		cJSON_AddStringToObject(lib, "libyaml", yaml_get_version_string());
		cJSON_AddStringToObject(lib, "cjson", cJSON_Version());
		cJSON_AddStringToObject(lib, "libgit2", git_v);
		cJSON_AddStringToObject(lib, "libcurl", curl_v);
		cJSON_AddStringToObject(lib, "blas", k.blas);
		char *s = cJSON_Print(o);
		cJSON_Delete(o);
		if (!s)
			return WEFT_EXIT_ENV;
		printf("%s\n", s);
		cJSON_free(s);
		return WEFT_EXIT_OK;
	}

	printf("weft %s\n", weft_version_long());
	printf("data:     %s\n          %s\n", weft_data_dir(), weft_data_dir_why());
	if (!k.cuda_compiled)
		printf("CUDA not compiled in: CPU reference path only\n");
	else if (!k.cuda_loaded)
		printf("CUDA compiled in, module not usable: %s; the CPU path is used\n", k.reason);
	else if (!k.device_found)
		printf("CUDA compiled in, no device found: %s\n"
		       "          runtime %s, cuBLAS %s; the CPU path is used\n",
		       k.reason, cuda_v, cublas_v);
	else
		printf("CUDA compiled in, device found: %s (compute capability %s, %.1f GiB)%s\n"
		       "          runtime %s, cuBLAS %s\n",
		       k.device_name, cc, (double)k.device_memory / (1u << 30),
		       k.device_count > 1 ? " and more" : "", cuda_v, cublas_v);
	if (k.cuda_loaded)
		printf("          module %s\n", k.cuda_module);
	printf("libyaml:  %s\n", yaml_get_version_string());
	printf("cJSON:    %s\n", cJSON_Version());
	printf("libgit2:  %s\n", git_v);
	printf("libcurl:  %s\n", curl_v);
	printf("BLAS:     %s\n", k.blas);
	return WEFT_EXIT_OK;
}
