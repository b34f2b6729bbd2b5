/* cmd_completion.c - `weft completion bash|zsh|fish`: a completion script for
 * the shell, written from the command table.
 *
 * Design choice: the scripts are data plus a small fixed engine. The data
 * (which subcommands each command has, which options take a value and what
 * that value is, what the positional arguments are) comes from walking
 * weft_cli_root, the same tables the commands parse with, so a new command
 * or option is completed as soon as it is in the table. The engine, written
 * once per shell in that shell's standard completion system (bash
 * `complete -F`, a zsh #compdef function built on _arguments, fish `complete
 * -c` lines), walks the words before the cursor to find the subcommand and
 * the argument being completed. Files are left to the shell's own file
 * completion; template names are asked of `weft templates list --names` when
 * completing, so templates added later are offered without regenerating.
 */
#include <string.h>

#include "cli.h"

static const char usage[] =
	"usage: weft completion bash|zsh|fish\n\n"
	"Print a completion script for the shell, made from weft's command table. It\n"
	"completes commands, subcommands, options, the values of options that take one\n"
	"of a few words (formats, scenarios, devices, levels), file arguments, and the\n"
	"names of the shipped templates, which it asks weft for when completing, so\n"
	"templates added later are offered without a new script. Installing weft puts\n"
	"all three scripts where the shells look; to use one without installing:\n\n"
	"  bash  source <(weft completion bash)\n"
	"  zsh   weft completion zsh > ~/.zfunc/_weft, with ~/.zfunc in fpath before\n"
	"        compinit runs; or source <(weft completion zsh) after compinit\n"
	"  fish  weft completion fish > ~/.config/fish/completions/weft.fish\n";

const weft_cli_option weft_cli_completion_opts[] = {
	{ "help", 'h', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ NULL, 0, 0, WEFT_HINT_NOTHING },
};

/* The options of a command whose table has none: --help, which every
 * command takes (dispatchers, version and help parse it by hand). */
static const weft_cli_option help_only[] = {
	{ "help", 'h', WEFT_CLI_SHORT, WEFT_HINT_NOTHING },
	{ NULL, 0, 0, WEFT_HINT_NOTHING },
};

static const weft_cli_option *opts_of(const weft_cli_command *c)
{
	return c->opts ? c->opts : help_only;
}

#define MAX_WORDS 64
#define MAX_PATH 128

/* ---- what the table says -------------------------------------------------------- */

/* The words a hint offers: the formats of a mask, or what its function gives. */
static size_t hint_words(const weft_cli_hint *h, const char **out, size_t max)
{
	size_t n = 0;
	if (h->kind == WEFT_HINT_FORMAT) {
		for (unsigned f = 0; f < 32 && n < max; f++)
			if ((h->formats & (1u << f)) && weft_cli_format_name((weft_cli_format)f))
				out[n++] = weft_cli_format_name((weft_cli_format)f);
	} else if (h->kind == WEFT_HINT_WORDS && h->words) {
		n = h->words(out, max);
	}
	return n;
}

/* The positional arguments a command describes: how many (the last one that
 * offers something, plus one). */
static size_t n_args(const weft_cli_command *c)
{
	size_t n = 0;
	for (size_t i = 0; i < WEFT_CLI_MAX_ARGS; i++)
		if (c->args[i].kind != WEFT_HINT_NONE)
			n = i + 1;
	return n;
}

/* Call visit for c and, depth first, for each of its subcommands; path is
 * the words after `weft` ("" for weft itself, "assess score"). */
typedef void (*visit_fn)(weft_buf *b, const weft_cli_command *c, const char *path);

static void walk(weft_buf *b, const weft_cli_command *c, const char *path, visit_fn visit)
{
	visit(b, c, path);
	for (size_t i = 0; c->subs && c->subs[i].name; i++) {
		weft_buf sub = WEFT_BUF_INIT;
		weft_buf_printf(&sub, "%s%s%s", path, *path ? " " : "", c->subs[i].name);
		if (sub.oom)
			b->oom = true;
		else
			walk(b, &c->subs[i], sub.ptr, visit);
		weft_buf_free(&sub);
	}
}

/* s between single quotes, for sh and zsh: ' becomes '\''. */
static void sh_quote(weft_buf *b, const char *s)
{
	weft_buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			weft_buf_puts(b, "'\\''");
		else
			weft_buf_putc(b, *s);
	}
	weft_buf_putc(b, '\'');
}

/* s between single quotes, for fish: \ and ' take a backslash. */
static void fish_quote(weft_buf *b, const char *s)
{
	weft_buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			weft_buf_putc(b, '\\');
		weft_buf_putc(b, *s);
	}
	weft_buf_putc(b, '\'');
}

/* The words, space-separated. */
static void put_words(weft_buf *b, const char *const *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		weft_buf_printf(b, "%s%s", i ? " " : "", w[i]);
}

static void put_sub_names(weft_buf *b, const weft_cli_command *c)
{
	for (size_t i = 0; c->subs && c->subs[i].name; i++)
		weft_buf_printf(b, "%s%s", i ? " " : "", c->subs[i].name);
}

/* ==== bash ======================================================================== */

static const char bash_head[] =
	"# bash completion for weft                                 -*- shell-script -*-\n"
	"#\n"
	"# Generated by `weft completion bash` from weft's command table (weft %s);\n"
	"# regenerate it rather than edit it. cmake --install puts it where\n"
	"# bash-completion looks (share/bash-completion/completions/weft); to use it in\n"
	"# the running shell:  source <(weft completion bash)\n"
	"\n";

static const char bash_engine[] =
	"# The words of $1 that start with $cur.\n"
	"_weft_words()\n"
	"{\n"
	"\tlocal w\n"
	"\tlocal -a ws\n"
	"\tread -r -d '' -a ws <<<\"$1\"\n"
	"\tfor w in \"${ws[@]}\"; do\n"
	"\t\t[[ $w == \"$cur\"* ]] && COMPREPLY+=(\"$w\")\n"
	"\tdone\n"
	"\treturn 0\n"
	"}\n"
	"\n"
	"# Files (those with one of the extensions in $1, when given) and folders:\n"
	"# bash-completion's _filedir when it is loaded, else compgen.\n"
	"_weft_files()\n"
	"{\n"
	"\tif declare -F _filedir >/dev/null; then\n"
	"\t\t_filedir \"${1// /|}\"\n"
	"\t\treturn 0\n"
	"\tfi\n"
	"\tcompopt -o filenames 2>/dev/null\n"
	"\tlocal f e\n"
	"\tlocal -a exts found\n"
	"\tread -r -a exts <<<\"$1\"\n"
	"\tmapfile -t found < <(compgen -f -- \"$cur\")\n"
	"\tfor f in \"${found[@]}\"; do\n"
	"\t\tif ((${#exts[@]} == 0)) || [[ -d $f ]]; then\n"
	"\t\t\tCOMPREPLY+=(\"$f\")\n"
	"\t\t\tcontinue\n"
	"\t\tfi\n"
	"\t\tfor e in \"${exts[@]}\"; do\n"
	"\t\t\tif [[ $f == *.\"$e\" ]]; then\n"
	"\t\t\t\tCOMPREPLY+=(\"$f\")\n"
	"\t\t\t\tbreak\n"
	"\t\t\tfi\n"
	"\t\tdone\n"
	"\tdone\n"
	"\treturn 0\n"
	"}\n"
	"\n"
	"# Folders.\n"
	"_weft_dirs()\n"
	"{\n"
	"\tif declare -F _filedir >/dev/null; then\n"
	"\t\t_filedir -d\n"
	"\t\treturn 0\n"
	"\tfi\n"
	"\tcompopt -o filenames 2>/dev/null\n"
	"\tlocal -a found\n"
	"\tmapfile -t found < <(compgen -d -- \"$cur\")\n"
	"\tCOMPREPLY+=(\"${found[@]}\")\n"
	"\treturn 0\n"
	"}\n"
	"\n"
	"# Template names, asked of weft now so that templates added later are\n"
	"# offered too, and folders (a template folder works as well).\n"
	"_weft_templates()\n"
	"{\n"
	"\t_weft_words \"$(\"$_weft_bin\" templates list --names 2>/dev/null)\"\n"
	"\t_weft_dirs\n"
	"}\n"
	"\n"
	"_weft()\n"
	"{\n"
	"\tlocal IFS=$' \\t\\n' cur=${COMP_WORDS[COMP_CWORD]} _weft_bin=${COMP_WORDS[0]}\n"
	"\tlocal _weft_subs _weft_long _weft_valued path='' opt='' prefix='' rest='' w i n=0\n"
	"\tCOMPREPLY=()\n"
	"\t[[ $_weft_bin == '~/'* ]] && _weft_bin=$HOME/${_weft_bin#'~/'}\n"
	"\t# the words before the cursor: a subcommand extends the path, an option\n"
	"\t# that takes a value takes the next word, anything else is an argument\n"
	"\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	"\t\tw=${COMP_WORDS[i]}\n"
	"\t\tif [[ $rest ]]; then\n"
	"\t\t\tn=$((n + 1))\n"
	"\t\telif [[ $w == -- ]]; then\n"
	"\t\t\trest=1\n"
	"\t\telif [[ $w == -* ]]; then\n"
	"\t\t\t_weft_node \"$path\"\n"
	"\t\t\tif [[ ${COMP_WORDS[i + 1]} == '=' ]]; then\n"
	"\t\t\t\t# --option=value, which bash splits at the '='\n"
	"\t\t\t\tif ((i + 1 == COMP_CWORD)); then\n"
	"\t\t\t\t\topt=$w cur=''\n"
	"\t\t\t\telif ((i + 2 == COMP_CWORD)); then\n"
	"\t\t\t\t\topt=$w\n"
	"\t\t\t\tfi\n"
	"\t\t\t\ti=$((i + 2))\n"
	"\t\t\telif [[ \" $_weft_valued \" == *\" $w \"* ]]; then\n"
	"\t\t\t\tif ((i + 1 == COMP_CWORD)); then\n"
	"\t\t\t\t\topt=$w\n"
	"\t\t\t\tfi\n"
	"\t\t\t\ti=$((i + 1))\n"
	"\t\t\tfi\n"
	"\t\telse\n"
	"\t\t\t_weft_node \"$path\"\n"
	"\t\t\tif ((n == 0)) && [[ \" $_weft_subs \" == *\" $w \"* ]]; then\n"
	"\t\t\t\tpath=${path:+$path }$w\n"
	"\t\t\telse\n"
	"\t\t\t\tn=$((n + 1))\n"
	"\t\t\tfi\n"
	"\t\tfi\n"
	"\tdone\n"
	"\t# --option=value as one word (when '=' does not break words)\n"
	"\tif [[ ! $opt && ! $rest && $cur == --*=* ]]; then\n"
	"\t\topt=${cur%%=*} prefix=${cur%%=*}= cur=${cur#*=}\n"
	"\tfi\n"
	"\tif [[ $opt ]]; then\n"
	"\t\t_weft_value \"$path\" \"$opt\"\n"
	"\telif [[ ! $rest && $cur == -* ]]; then\n"
	"\t\t_weft_node \"$path\"\n"
	"\t\t_weft_words \"$_weft_long\"\n"
	"\telse\n"
	"\t\t_weft_node \"$path\"\n"
	"\t\tif [[ $_weft_subs ]] && ((n == 0)); then\n"
	"\t\t\t_weft_words \"$_weft_subs\"\n"
	"\t\telse\n"
	"\t\t\t_weft_arg \"$path\" \"$n\"\n"
	"\t\tfi\n"
	"\tfi\n"
	"\tif [[ $prefix ]]; then\n"
	"\t\tCOMPREPLY=(\"${COMPREPLY[@]/#/$prefix}\")\n"
	"\tfi\n"
	"\treturn 0\n"
	"}\n"
	"\n"
	"complete -F _weft weft\n";

/* The shell code that completes a value of the hint's kind (appending to
 * COMPREPLY), or ":" when there is nothing to offer. */
static void bash_action(weft_buf *b, const weft_cli_hint *h)
{
	const char *w[MAX_WORDS];
	switch (h->kind) {
	case WEFT_HINT_FILE:
		weft_buf_puts(b, "_weft_files ");
		sh_quote(b, h->exts ? h->exts : "");
		break;
	case WEFT_HINT_DIR: weft_buf_puts(b, "_weft_dirs"); break;
	case WEFT_HINT_TEMPLATE: weft_buf_puts(b, "_weft_templates"); break;
	case WEFT_HINT_FORMAT:
	case WEFT_HINT_WORDS: {
		weft_buf list = WEFT_BUF_INIT;
		put_words(&list, w, hint_words(h, w, MAX_WORDS));
		weft_buf_puts(b, "_weft_words ");
		sh_quote(b, list.ptr ? list.ptr : "");
		if (list.oom)
			b->oom = true;
		weft_buf_free(&list);
		break;
	}
	case WEFT_HINT_NONE: weft_buf_puts(b, ":"); break;
	}
}

static void bash_node(weft_buf *b, const weft_cli_command *c, const char *path)
{
	const weft_cli_option *o = opts_of(c);
	weft_buf_puts(b, "\t");
	sh_quote(b, path);
	weft_buf_puts(b, ")\n\t\t_weft_subs='");
	put_sub_names(b, c);
	weft_buf_puts(b, "'\n\t\t_weft_long='");
	for (size_t i = 0; o[i].name; i++)
		weft_buf_printf(b, "%s--%s", i ? " " : "", o[i].name);
	weft_buf_puts(b, "'\n\t\t_weft_valued='");
	bool first = true;
	for (size_t i = 0; o[i].name; i++) {
		if (!(o[i].flags & WEFT_CLI_VALUE))
			continue;
		weft_buf_printf(b, "%s--%s", first ? "" : " ", o[i].name);
		if (o[i].flags & WEFT_CLI_SHORT)
			weft_buf_printf(b, " -%c", o[i].val);
		first = false;
	}
	weft_buf_puts(b, "'\n\t\t;;\n");
}

static void bash_value(weft_buf *b, const weft_cli_command *c, const char *path)
{
	const weft_cli_option *o = opts_of(c);
	for (size_t i = 0; o[i].name; i++) {
		if (!(o[i].flags & WEFT_CLI_VALUE) || o[i].value.kind == WEFT_HINT_NONE)
			continue;
		char key[MAX_PATH + 64];
		snprintf(key, sizeof key, "%s --%s", path, o[i].name);
		weft_buf_puts(b, "\t");
		sh_quote(b, key);
		if (o[i].flags & WEFT_CLI_SHORT) {
			snprintf(key, sizeof key, "%s -%c", path, o[i].val);
			weft_buf_puts(b, " | ");
			sh_quote(b, key);
		}
		weft_buf_puts(b, ") ");
		bash_action(b, &o[i].value);
		weft_buf_puts(b, " ;;\n");
	}
}

static void bash_arg(weft_buf *b, const weft_cli_command *c, const char *path)
{
	size_t n = n_args(c);
	if (!n)
		return;
	weft_buf_puts(b, "\t");
	sh_quote(b, path);
	weft_buf_puts(b, ")\n");
	for (size_t i = 0; i < n; i++) {
		bool more = c->args_repeat && i + 1 == n;
		weft_buf_printf(b, "\t\t%s (($2 %s %zu)); then ", i ? "elif" : "if", more ? ">=" : "==", i);
		bash_action(b, &c->args[i]);
		weft_buf_puts(b, "\n");
	}
	weft_buf_puts(b, "\t\tfi\n\t\t;;\n");
}

static void gen_bash(weft_buf *b)
{
	weft_buf_printf(b, bash_head, weft_version());
	weft_buf_puts(b, "# What the (sub)command $1 ('' for weft itself) takes: _weft_subs its\n"
			 "# subcommands, _weft_long its long options, _weft_valued its options (long\n"
			 "# and short) that take a value.\n"
			 "_weft_node()\n{\n\tcase $1 in\n");
	walk(b, &weft_cli_root, "", bash_node);
	weft_buf_puts(b, "\t*)\n\t\t_weft_subs='' _weft_long='' _weft_valued=''\n\t\t;;\n\tesac\n}\n\n");
	weft_buf_puts(b, "# Complete the value of option $2 of (sub)command $1.\n"
			 "_weft_value()\n{\n\tcase \"$1 $2\" in\n");
	walk(b, &weft_cli_root, "", bash_value);
	weft_buf_puts(b, "\tesac\n\treturn 0\n}\n\n");
	weft_buf_puts(b, "# Complete positional argument $2 (0 is the first) of (sub)command $1.\n"
			 "_weft_arg()\n{\n\tcase $1 in\n");
	walk(b, &weft_cli_root, "", bash_arg);
	weft_buf_puts(b, "\tesac\n\treturn 0\n}\n\n");
	weft_buf_puts(b, bash_engine);
}

/* ==== zsh ========================================================================= */

static const char zsh_head[] =
	"#compdef weft\n"
	"#\n"
	"# zsh completion for weft, generated by `weft completion zsh` from weft's\n"
	"# command table (weft %s); regenerate it rather than edit it. cmake --install\n"
	"# puts it in share/zsh/vendor-completions; elsewhere put it, named _weft, in a\n"
	"# folder of $fpath before compinit runs, or load it into the running shell\n"
	"# (after compinit) with:  source <(weft completion zsh)\n"
	"\n"
	"# Files with one of the extensions given (any file without), and folders.\n"
	"_weft_files() {\n"
	"\tif (( $# )); then\n"
	"\t\t_files -g \"*.(${(j:|:)@})\"\n"
	"\telse\n"
	"\t\t_files\n"
	"\tfi\n"
	"}\n"
	"\n"
	"# Template names, asked of weft now so that templates added later are\n"
	"# offered too, and folders (a template folder works as well).\n"
	"_weft_templates() {\n"
	"\tlocal -a names\n"
	"\tnames=(${(f)\"$(\"${_weft_bin:-weft}\" templates list --names 2>/dev/null)\"})\n"
	"\t_alternative 'templates:template:compadd -a names' 'folders:template folder:_files -/'\n"
	"}\n"
	"\n";

static const char zsh_tail[] =
	"_weft() {\n"
	"\tlocal _weft_bin=${(Q)words[1]}\n"
	"\t[[ $_weft_bin == '~/'* ]] && _weft_bin=$HOME/${_weft_bin#'~/'}\n"
	"\t_weft_cmd \"$@\"\n"
	"}\n"
	"\n"
	"if [[ $funcstack[1] == _weft ]]; then\n"
	"\t# autoloaded from $fpath: this file is the body of _weft, so run it\n"
	"\t_weft \"$@\"\n"
	"elif (( $+functions[compdef] )); then\n"
	"\tcompdef _weft weft\n"
	"else\n"
	"\tprint -u2 'weft: load the completion system first: autoload -U compinit && compinit'\n"
	"fi\n";

/* The zsh function name of a path: _weft_cmd, _weft_cmd_assess_score. */
static void zsh_fn_name(weft_buf *b, const char *path)
{
	weft_buf_puts(b, "_weft_cmd");
	if (*path)
		weft_buf_putc(b, '_');
	for (; *path; path++)
		weft_buf_putc(b, (*path == ' ' || *path == '-') ? '_' : *path);
}

/* An _arguments action for the hint. */
static void zsh_action(weft_buf *b, const weft_cli_hint *h)
{
	const char *w[MAX_WORDS];
	switch (h->kind) {
	case WEFT_HINT_FILE:
		weft_buf_printf(b, "_weft_files%s%s", h->exts ? " " : "", h->exts ? h->exts : "");
		break;
	case WEFT_HINT_DIR: weft_buf_puts(b, "_files -/"); break;
	case WEFT_HINT_TEMPLATE: weft_buf_puts(b, "_weft_templates"); break;
	case WEFT_HINT_FORMAT:
	case WEFT_HINT_WORDS:
		weft_buf_putc(b, '(');
		put_words(b, w, hint_words(h, w, MAX_WORDS));
		weft_buf_putc(b, ')');
		break;
	case WEFT_HINT_NONE: weft_buf_puts(b, " "); break;
	}
}

static const char *zsh_label(const weft_cli_hint *h)
{
	switch (h->kind) {
	case WEFT_HINT_FILE: return "file";
	case WEFT_HINT_DIR: return "folder";
	case WEFT_HINT_TEMPLATE: return "template";
	default: return "argument";
	}
}

static void zsh_node(weft_buf *b, const weft_cli_command *c, const char *path)
{
	const weft_cli_option *o = opts_of(c);
	zsh_fn_name(b, path);
	weft_buf_puts(b, "() {\n");
	if (c->subs)
		weft_buf_puts(b, "\tlocal curcontext=$curcontext state state_descr line ret=1\n"
				 "\ttypeset -A opt_args\n"
				 "\t_arguments -C -s -S");
	else
		weft_buf_puts(b, "\t_arguments -s -S");
	for (size_t i = 0; o[i].name; i++) {
		bool value = o[i].flags & WEFT_CLI_VALUE, s = o[i].flags & WEFT_CLI_SHORT;
		bool alone = !strcmp(o[i].name, "help") || !strcmp(o[i].name, "version");
		weft_buf_puts(b, " \\\n\t\t");
		if (alone)
			weft_buf_puts(b, "'(- : *)'");
		else if (o[i].flags & WEFT_CLI_MANY)
			weft_buf_puts(b, "'*'");
		else if (s)
			weft_buf_printf(b, "'(-%c --%s)'", o[i].val, o[i].name);
		if (s)
			weft_buf_printf(b, "{-%c%s,--%s%s}", o[i].val, value ? "+" : "", o[i].name, value ? "=" : "");
		else
			weft_buf_printf(b, "--%s%s", o[i].name, value ? "=" : "");
		if (value) {
			weft_buf_printf(b, "':%s:", o[i].name);
			zsh_action(b, &o[i].value);
			weft_buf_putc(b, '\'');
		}
	}
	if (c->subs) {
		weft_buf_puts(b, " \\\n\t\t': :->subcommand' \\\n\t\t'*:: :->argument' && ret=0\n"
				 "\tcase $state in\n\t(subcommand)\n\t\tlocal -a subs=(\n");
		for (size_t i = 0; c->subs[i].name; i++) {
			weft_buf_puts(b, "\t\t\t");
			weft_buf item = WEFT_BUF_INIT;
			weft_buf_printf(&item, "%s:%s", c->subs[i].name, c->subs[i].summary);
			sh_quote(b, item.ptr ? item.ptr : "");
			if (item.oom)
				b->oom = true;
			weft_buf_free(&item);
			weft_buf_puts(b, "\n");
		}
		weft_buf_printf(b, "\t\t)\n\t\t_describe -t commands 'weft%s%s %s' subs && ret=0\n\t\t;;\n",
				*path ? " " : "", path, *path ? "subcommand" : "command");
		weft_buf_puts(b, "\t(argument)\n\t\tcurcontext=${curcontext%:*:*}:weft-$words[1]:\n"
				 "\t\tcase $words[1] in\n");
		for (size_t i = 0; c->subs[i].name; i++) {
			weft_buf sub = WEFT_BUF_INIT;
			weft_buf_printf(&sub, "%s%s%s", path, *path ? " " : "", c->subs[i].name);
			weft_buf_printf(b, "\t\t(%s) ", c->subs[i].name);
			zsh_fn_name(b, sub.ptr ? sub.ptr : "");
			b->oom |= sub.oom;
			weft_buf_free(&sub);
			weft_buf_puts(b, " && ret=0 ;;\n");
		}
		weft_buf_puts(b, "\t\tesac\n\t\t;;\n\tesac\n\treturn ret\n}\n\n");
		return;
	}
	size_t n = n_args(c);
	for (size_t i = 0; i < n; i++) {
		weft_buf_puts(b, " \\\n\t\t'");
		if (c->args_repeat && i + 1 == n)
			weft_buf_putc(b, '*');
		else
			weft_buf_printf(b, "%zu", i + 1);
		weft_buf_printf(b, ":%s:", zsh_label(&c->args[i]));
		zsh_action(b, &c->args[i]);
		weft_buf_putc(b, '\'');
	}
	weft_buf_puts(b, "\n}\n\n");
}

static void gen_zsh(weft_buf *b)
{
	weft_buf_printf(b, zsh_head, weft_version());
	walk(b, &weft_cli_root, "", zsh_node);
	weft_buf_puts(b, zsh_tail);
}

/* ==== fish ======================================================================== */

static const char fish_head[] =
	"# fish completion for weft, generated by `weft completion fish` from weft's\n"
	"# command table (weft %s); regenerate it rather than edit it. cmake --install\n"
	"# puts it in share/fish/vendor_completions.d; elsewhere save it as\n"
	"# ~/.config/fish/completions/weft.fish, or load it into the running shell with\n"
	"#   weft completion fish | source\n"
	"\n";

static const char fish_engine[] =
	"# The (sub)command at the cursor, how many positional arguments it has before\n"
	"# the cursor, and 1 when the cursor is on the value of an option (else 0).\n"
	"function __weft_state\n"
	"    set -l path ''\n"
	"    set -l n 0\n"
	"    set -l skip 0\n"
	"    set -l rest 0\n"
	"    for t in (commandline -opc)[2..-1]\n"
	"        if test $skip = 1\n"
	"            set skip 0\n"
	"        else if test $rest = 1\n"
	"            set n (math $n + 1)\n"
	"        else if test \"$t\" = --\n"
	"            set rest 1\n"
	"        else if string match -q -- '-*' \"$t\"\n"
	"            if __weft_valued \"$path\" \"$t\"\n"
	"                set skip 1\n"
	"            end\n"
	"        else if test $n = 0; and contains -- \"$t\" (__weft_subs \"$path\")\n"
	"            if test -z \"$path\"\n"
	"                set path $t\n"
	"            else\n"
	"                set path \"$path $t\"\n"
	"            end\n"
	"        else\n"
	"            set n (math $n + 1)\n"
	"        end\n"
	"    end\n"
	"    printf '%s\\n' \"$path\" $n $skip\n"
	"end\n"
	"\n"
	"# Whether the cursor is at (sub)command $argv[1]; with $argv[2], also on its\n"
	"# positional argument number $argv[2] (0 is the first; N+ is N or later).\n"
	"function __weft_is\n"
	"    set -l s (__weft_state)\n"
	"    test \"$s[1]\" = \"$argv[1]\"; or return 1\n"
	"    set -q argv[2]; or return 0\n"
	"    test $s[3] = 0; or return 1\n"
	"    set -l want (string trim -r -c + -- $argv[2])\n"
	"    if string match -q -- '*+' $argv[2]\n"
	"        test $s[2] -ge $want\n"
	"    else\n"
	"        test $s[2] -eq $want\n"
	"    end\n"
	"end\n"
	"\n"
	"# Files with one of the extensions given (any file without), and folders:\n"
	"# fish's own file completion of the token, filtered.\n"
	"function __weft_files\n"
	"    set -l token (commandline -ct | string replace -r -- '^--[^=]*=' '')\n"
	"    set -l pattern '\\.('(string join '|' -- $argv)')$'\n"
	"    for c in (complete -C\"__weft_files_only $token\")\n"
	"        set -l p (string split -m 1 \\t -- $c)[1]\n"
	"        if not set -q argv[1]; or string match -q -- '*/' $p; or string match -q -r -- $pattern $p\n"
	"            printf '%s\\n' $c\n"
	"        end\n"
	"    end\n"
	"end\n"
	"\n"
	"# Template names, asked of weft now so that templates added later are\n"
	"# offered too, and folders (a template folder works as well).\n"
	"function __weft_templates\n"
	"    set -l bin (commandline -opc)[1]\n"
	"    command -q $bin; or set bin weft\n"
	"    command $bin templates list --names 2>/dev/null\n"
	"    __fish_complete_directories (commandline -ct) 'template folder'\n"
	"end\n"
	"\n";

static void fish_subs(weft_buf *b, const weft_cli_command *c, const char *path)
{
	if (!c->subs)
		return;
	weft_buf_puts(b, "        case ");
	fish_quote(b, path);
	weft_buf_puts(b, "\n            printf '%s\\n' ");
	put_sub_names(b, c);
	weft_buf_puts(b, "\n");
}

static void fish_valued(weft_buf *b, const weft_cli_command *c, const char *path)
{
	const weft_cli_option *o = opts_of(c);
	for (size_t i = 0; o[i].name; i++) {
		if (!(o[i].flags & WEFT_CLI_VALUE))
			continue;
		char key[MAX_PATH + 64];
		snprintf(key, sizeof key, "%s --%s", path, o[i].name);
		weft_buf_puts(b, "        case ");
		fish_quote(b, key);
		if (o[i].flags & WEFT_CLI_SHORT) {
			snprintf(key, sizeof key, "%s -%c", path, o[i].val);
			weft_buf_puts(b, " ");
			fish_quote(b, key);
		}
		weft_buf_puts(b, "\n            return 0\n");
	}
}

/* The `complete` arguments that offer the hint's values. */
static void fish_action(weft_buf *b, const weft_cli_hint *h)
{
	const char *w[MAX_WORDS];
	switch (h->kind) {
	case WEFT_HINT_FILE:
		weft_buf_printf(b, " -a '(__weft_files%s%s)'", h->exts ? " " : "", h->exts ? h->exts : "");
		break;
	case WEFT_HINT_DIR: weft_buf_puts(b, " -a '(__fish_complete_directories)'"); break;
	case WEFT_HINT_TEMPLATE: weft_buf_puts(b, " -a '(__weft_templates)'"); break;
	case WEFT_HINT_FORMAT:
	case WEFT_HINT_WORDS:
		weft_buf_puts(b, " -a '");
		put_words(b, w, hint_words(h, w, MAX_WORDS));
		weft_buf_putc(b, '\'');
		break;
	case WEFT_HINT_NONE: break;
	}
}

/* The condition of a line: -n "__weft_is 'PATH' [INDEX]". */
static void fish_cond(weft_buf *b, const char *path, const char *index)
{
	weft_buf_puts(b, "complete -c weft -n \"__weft_is ");
	fish_quote(b, path);
	if (index)
		weft_buf_printf(b, " %s", index);
	weft_buf_puts(b, "\"");
}

static void fish_node(weft_buf *b, const weft_cli_command *c, const char *path)
{
	const weft_cli_option *o = opts_of(c);
	weft_buf_printf(b, "\n# weft%s%s\n", *path ? " " : "", path);
	for (size_t i = 0; c->subs && c->subs[i].name; i++) {
		fish_cond(b, path, "0");
		weft_buf_printf(b, " -a %s -d ", c->subs[i].name);
		fish_quote(b, c->subs[i].summary);
		weft_buf_puts(b, "\n");
	}
	for (size_t i = 0; o[i].name; i++) {
		fish_cond(b, path, NULL);
		if (o[i].flags & WEFT_CLI_SHORT)
			weft_buf_printf(b, " -s %c", o[i].val);
		weft_buf_printf(b, " -l %s", o[i].name);
		if (o[i].flags & WEFT_CLI_VALUE) {
			weft_buf_puts(b, " -x");
			fish_action(b, &o[i].value);
		}
		weft_buf_puts(b, "\n");
	}
	size_t n = n_args(c);
	for (size_t i = 0; i < n; i++) {
		if (c->args[i].kind == WEFT_HINT_NONE)
			continue;
		char index[32];
		snprintf(index, sizeof index, "%zu%s", i, c->args_repeat && i + 1 == n ? "+" : "");
		fish_cond(b, path, index);
		fish_action(b, &c->args[i]);
		weft_buf_puts(b, "\n");
	}
}

static void gen_fish(weft_buf *b)
{
	weft_buf_printf(b, fish_head, weft_version());
	weft_buf_puts(b, "# The subcommands of (sub)command $argv[1] ('' for weft itself).\n"
			 "function __weft_subs\n    switch \"$argv[1]\"\n");
	walk(b, &weft_cli_root, "", fish_subs);
	weft_buf_puts(b, "    end\nend\n\n");
	weft_buf_puts(b, "# Whether option $argv[2] of (sub)command $argv[1] takes a value.\n"
			 "function __weft_valued\n    switch \"$argv[1] $argv[2]\"\n");
	walk(b, &weft_cli_root, "", fish_valued);
	weft_buf_puts(b, "    end\n    return 1\nend\n\n");
	weft_buf_puts(b, fish_engine);
	weft_buf_puts(b, "# no file completion but where an argument or a value is a file\n"
			 "complete -c weft -f\n");
	walk(b, &weft_cli_root, "", fish_node);
}

/* ==== the command =================================================================== */

static const struct {
	const char *name;
	void (*gen)(weft_buf *b);
} shells[] = {
	{ "bash", gen_bash },
	{ "zsh", gen_zsh },
	{ "fish", gen_fish },
};
#define N_SHELLS (sizeof shells / sizeof *shells)

size_t weft_cli_completion_shells(const char **out, size_t max)
{
	size_t n = 0;
	for (; n < N_SHELLS && n < max; n++)
		out[n] = shells[n].name;
	return n;
}

int weft_cmd_completion(int argc, char **argv)
{
	const char *cmd = "completion";
	int c;
	while ((c = weft_cli_getopt(cmd, argc, argv, weft_cli_completion_opts)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return WEFT_EXIT_OK;
		}
		return WEFT_EXIT_USAGE;
	}
	if (optind >= argc)
		return weft_cli_usage_error(cmd, "which shell? bash, zsh or fish");
	if (optind + 1 < argc)
		return weft_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	const char *want = argv[optind];
	for (size_t i = 0; i < N_SHELLS; i++) {
		if (strcmp(want, shells[i].name))
			continue;
		weft_buf b = WEFT_BUF_INIT;
		shells[i].gen(&b);
		if (b.oom || !b.ptr) {
			weft_buf_free(&b);
			fprintf(stderr, "weft: out of memory\n");
			return WEFT_EXIT_ENV;
		}
		size_t len = b.len, wrote = fwrite(b.ptr, 1, len, stdout);
		weft_buf_free(&b);
		if (wrote != len || fflush(stdout)) {
			fprintf(stderr, "weft completion: cannot write the script to stdout\n");
			return WEFT_EXIT_ENV;
		}
		return WEFT_EXIT_OK;
	}
	const char *names[N_SHELLS];
	size_t n = weft_cli_completion_shells(names, N_SHELLS);
	const char *s = weft_suggest(want, names, n);
	return weft_cli_usage_error(cmd, "no completion for '%s' (bash, zsh or fish)%s%s%s", want,
				    s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
}
