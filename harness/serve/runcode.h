/*
 * runcode: SandboxFusion's POST /run_code, for the fields verl and other
 * trainers send, run through our sandbox (graders/code/sandbox).
 *
 * Request: {"code", "language": "python" | "c" | "cpp", "stdin",
 * "compile_timeout", "run_timeout" (seconds), "memory_limit_MB", "files":
 * {name: base64} (Python only)}; other fields (fetch_files...) are ignored.
 * Response: {"status": "Success" | "Failed" | "SandboxError", "message",
 * "compile_result", "run_result": {"status": "Finished" |
 * "TimeLimitExceeded" | "Error", "execution_time", "return_code", "stdout",
 * "stderr"}, "executor_pod_name": null, "files": {}}.
 *
 * runcode_parse checks a request and copies what it needs into a struct
 * runcode_req (owned; runcode_req_release); runcode_exec runs it in one
 * sandbox worker and writes the response text.
 */
#ifndef REVAL_SERVE_RUNCODE_H
#define REVAL_SERVE_RUNCODE_H

#include <cjson/cJSON.h>

#include "graders/code/extract.h"
#include "graders/code/sandbox/sandbox.h"
#include "harness/base/util.h"

struct runcode_caps {
	double max_timeout_s; /* compile_timeout and run_timeout are clamped to it */
	long max_memory_mb;   /* memory_limit_MB is clamped to it; also the default */
	long max_output_mb;   /* stdout cap per run */
};

struct runcode_req {
	enum code_lang lang;
	char *code;         /* with the files preamble for Python */
	char *stdin_text;
	double compile_s;
	double run_s;
	long memory_mb;
	long output_mb;
};

/* 0, or -1 with a one-line reason (naming the field) in err. */
int runcode_parse(const cJSON *body, const struct runcode_caps *caps, struct runcode_req *out,
		  struct strbuf *err);
void runcode_req_release(struct runcode_req *r);

/* Run in sb and append the response JSON to out. */
void runcode_exec(struct sandbox *sb, const struct runcode_req *r, struct strbuf *out);

/* The response of a request that never ran (no sandbox, deadline passed). */
void runcode_error(const char *message, struct strbuf *out);

#endif
