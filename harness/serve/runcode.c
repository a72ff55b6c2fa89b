#include "harness/serve/runcode.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/json.h"

#define STDERR_KEEP (64u << 10) /* bytes of stderr returned */

static int num_field(const cJSON *o, const char *k, double dflt, double max, double *out,
		     struct strbuf *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!v || cJSON_IsNull(v)) {
		*out = dflt;
		return 0;
	}
	if (!cJSON_IsNumber(v)) {
		strbuf_addf(err, "\"%s\" must be a number", k);
		return -1;
	}
	*out = v->valuedouble <= 0 ? dflt : v->valuedouble > max ? max : v->valuedouble;
	return 0;
}

static int valid_file_name(const char *s)
{
	if (!*s || strlen(s) > 128 || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (; *s; s++)
		if (!(('a' <= *s && *s <= 'z') || ('A' <= *s && *s <= 'Z') ||
		      ('0' <= *s && *s <= '9') || strchr("._-", *s)))
			return 0;
	return 1;
}

/* Python: one leading line that writes the files into the working directory
 * (one line, so the program's own line numbers move by exactly one). */
static int files_preamble(const cJSON *files, struct strbuf *out, struct strbuf *err)
{
	if (!files || cJSON_IsNull(files) || (cJSON_IsObject(files) && !files->child))
		return 0;
	if (!cJSON_IsObject(files)) {
		strbuf_adds(err, "\"files\" must be an object of name: base64 content");
		return -1;
	}
	strbuf_adds(out, "import base64 as _b64;[open(_n,'wb').write(_b64.b64decode(_d)) for _n,_d in {");
	const cJSON *f;
	cJSON_ArrayForEach(f, files)
	{
		if (!cJSON_IsString(f) || !valid_file_name(f->string)) {
			strbuf_addf(err, "\"files\": '%s' needs a plain file name and base64 text",
				    f->string);
			return -1;
		}
		json_quote(out, f->string);
		strbuf_addch(out, ':');
		json_quote(out, f->valuestring);
		strbuf_addch(out, ',');
	}
	strbuf_adds(out, "}.items()];del _b64\n");
	return 0;
}

int runcode_parse(const cJSON *body, const struct runcode_caps *caps, struct runcode_req *out,
		  struct strbuf *err)
{
	memset(out, 0, sizeof(*out));
	const char *code = json_str(body, "code");
	const char *lang = json_str(body, "language");
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(body, "stdin");
	if (!cJSON_IsObject(body)) {
		strbuf_adds(err, "the body must be a JSON object");
		return -1;
	}
	if (!code) {
		strbuf_adds(err, "missing string field \"code\"");
		return -1;
	}
	int l = code_lang_parse(lang ? lang : "python");
	if (l < 0) {
		strbuf_addf(err, "unsupported \"language\" '%s' (python, c, cpp)", lang);
		return -1;
	}
	if (in && !cJSON_IsNull(in) && !cJSON_IsString(in)) {
		strbuf_adds(err, "\"stdin\" must be a string");
		return -1;
	}
	out->lang = (enum code_lang)l;
	double mem;
	if (num_field(body, "compile_timeout", 10, caps->max_timeout_s, &out->compile_s, err) ||
	    num_field(body, "run_timeout", 10, caps->max_timeout_s, &out->run_s, err) ||
	    num_field(body, "memory_limit_MB", (double)caps->max_memory_mb,
		      (double)caps->max_memory_mb, &mem, err))
		return -1;
	out->memory_mb = (long)mem;
	out->output_mb = caps->max_output_mb;
	struct strbuf prog = STRBUF_INIT;
	const cJSON *files = cJSON_GetObjectItemCaseSensitive(body, "files");
	if (out->lang != CODE_PYTHON && cJSON_IsObject(files) && files->child) {
		strbuf_adds(err, "\"files\" are supported for python only");
		return -1;
	}
	if (files_preamble(files, &prog, err)) {
		strbuf_release(&prog);
		return -1;
	}
	strbuf_adds(&prog, code);
	out->code = strbuf_detach(&prog);
	out->stdin_text = xstrdup(cJSON_IsString(in) ? in->valuestring : "");
	return 0;
}

void runcode_req_release(struct runcode_req *r)
{
	free(r->code);
	free(r->stdin_text);
	memset(r, 0, sizeof(*r));
}

/* Out of time: the wall clock, or the CPU limit (SIGXCPU at the soft limit,
 * SIGKILL at the hard one). */
static int out_of_time(const struct sandbox_result *r, double cpu_s)
{
	return r->status == SBX_TIMEOUT ||
	       (r->status == SBX_SIGNALED &&
		(r->signal == SIGXCPU || (r->signal == SIGKILL && r->cpu_ms >= cpu_s * 1000)));
}

/* One CommandRunResult object; returns 1 when the command finished with 0. */
static int add_result(struct strbuf *o, const struct sandbox_result *r, double cpu_s)
{
	const char *status = out_of_time(r, cpu_s) ? "TimeLimitExceeded"
			     : r->status == SBX_EXITED || r->status == SBX_SIGNALED ? "Finished"
										   : "Error";
	int code = r->status == SBX_EXITED ? r->exit_code : r->status == SBX_SIGNALED ? -r->signal : -1;
	strbuf_adds(o, "{\"status\":");
	json_quote(o, status);
	strbuf_addf(o, ",\"execution_time\":%.6f,\"return_code\":", r->wall_ms / 1000.0);
	if (r->status == SBX_EXITED || r->status == SBX_SIGNALED)
		strbuf_addf(o, "%d", code);
	else
		strbuf_adds(o, "null");
	strbuf_adds(o, ",\"stdout\":");
	json_quote_n(o, r->out.buf, r->out.len);
	strbuf_adds(o, ",\"stderr\":");
	struct strbuf e = STRBUF_INIT;
	strbuf_add(&e, r->err.buf, r->err.len < STDERR_KEEP ? r->err.len : STDERR_KEEP);
	if (r->status == SBX_OUTPUT_LIMIT)
		strbuf_adds(&e, "\n[reval: output limit reached]");
	if ((r->status == SBX_INFRA || r->status == SBX_SETUP_FAILED) && r->error)
		strbuf_addf(&e, "\n[reval: %s]", r->error);
	json_quote_n(o, e.buf, e.len);
	strbuf_release(&e);
	strbuf_addch(o, '}');
	return r->status == SBX_EXITED && r->exit_code == 0;
}

static int is_infra(const struct sandbox_result *r)
{
	return r->status == SBX_INFRA || r->status == SBX_SETUP_FAILED;
}

static void finish(struct strbuf *out, const char *status, const char *message,
		   const struct strbuf *compile, const struct strbuf *run)
{
	strbuf_adds(out, "{\"status\":");
	json_quote(out, status);
	strbuf_adds(out, ",\"message\":");
	json_quote(out, message);
	strbuf_addf(out, ",\"compile_result\":%s,\"run_result\":%s", compile->len ? compile->buf : "null",
		    run->len ? run->buf : "null");
	strbuf_adds(out, ",\"executor_pod_name\":null,\"files\":{}}");
}

void runcode_exec(struct sandbox *sb, const struct runcode_req *r, struct strbuf *out)
{
	static atomic_ulong next_job;
	char job[32];
	snprintf(job, sizeof(job), "rc%lu", (unsigned long)atomic_fetch_add(&next_job, 1));
	struct strbuf compile = STRBUF_INIT, run = STRBUF_INIT;
	const char *status = "Success", *message = "";
	struct sandbox_result res;
	if (r->lang != CODE_PYTHON) {
		static const char *const cc[] = {"/usr/bin/gcc", "-O2", "-std=gnu11", "-pipe", "-o",
						 "a.out", "main.c", "-lm", NULL};
		static const char *const cxx[] = {"/usr/bin/g++", "-O2", "-std=gnu++17", "-pipe", "-o",
						  "a.out", "main.cpp", NULL};
		struct sandbox_run c = {
			.mode = SBX_EXEC,
			.job = job,
			.argv = r->lang == CODE_C ? cc : cxx,
			.src_name = r->lang == CODE_C ? "main.c" : "main.cpp",
			.keep = "a.out",
			.program = sv_from(r->code),
			.lim = {.cpu_s = r->compile_s, .wall_s = r->compile_s, .mem_mb = 2048,
				.out_bytes = 1 << 20, .fsize_mb = 256, .nproc = 64, .nofile = 256},
		};
		sandbox_exec(sb, &c, &res);
		int ok = add_result(&compile, &res, r->compile_s);
		int infra = is_infra(&res);
		sandbox_result_release(&res);
		if (!ok) {
			status = infra ? "SandboxError" : "Failed";
			message = infra ? "the sandbox failed while compiling" : "compilation failed";
			goto out;
		}
	}
	static const char *const bin[] = {"@job/bin/a.out", NULL};
	struct sandbox_run x = {
		.mode = r->lang == CODE_PYTHON ? SBX_PY_STDIO : SBX_EXEC,
		.job = job,
		.argv = r->lang == CODE_PYTHON ? NULL : bin,
		.input = sv_from(r->stdin_text),
		.program = r->lang == CODE_PYTHON ? sv_from(r->code) : sv_from(""),
		.lim = {.cpu_s = r->run_s, .wall_s = r->run_s + 1, .mem_mb = r->memory_mb,
			.out_bytes = r->output_mb << 20},
	};
	sandbox_exec(sb, &x, &res);
	int ok = add_result(&run, &res, r->run_s);
	if (is_infra(&res)) {
		status = "SandboxError";
		message = "the sandbox failed";
	} else if (!ok) {
		status = "Failed";
	}
	sandbox_result_release(&res);
out:
	sandbox_job_end(sb, job);
	finish(out, status, message, &compile, &run);
	strbuf_release(&compile);
	strbuf_release(&run);
}

void runcode_error(const char *message, struct strbuf *out)
{
	struct strbuf none = STRBUF_INIT;
	finish(out, "SandboxError", message, &none, &none);
}
