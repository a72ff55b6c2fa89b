/*
 * math_bench: checks per second of the math checker on one core.
 *
 *   math_bench CONFORMANCE.jsonl QWEN_RECORDING.jsonl
 *
 * Answer pairs are the conformance cases (gold, pred as written); full
 * outputs are the 800 recorded Qwen2.5-Math responses, extracted and judged
 * against their gold.  Prints the rate for each and the slowest single case.
 * Nothing is asserted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "graders/math/judge.h"
#include "harness/base/util.h"

struct item {
	char *gold, *pred, *id;
	int full;
};

struct items {
	struct item *v;
	size_t n, cap;
};

static void add(struct items *it, const char *gold, const char *pred, int full, const char *id)
{
	GROW(it->v, it->cap, it->n + 1);
	it->v[it->n++] = (struct item){xstrdup(gold), xstrdup(pred), xstrdup(id), full};
}

static int load(const char *path, struct items *pairs, struct items *outputs)
{
	char *data, *save = NULL;
	size_t len;
	int rc = read_file(path, 1u << 30, &data, &len);
	if (rc) {
		diag("cannot read '%s'", path);
		return 1;
	}
	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cJSON *j = cJSON_Parse(line);
		if (!j)
			continue;
		const cJSON *code = cJSON_GetObjectItem(j, "code");
		if (pairs && cJSON_IsString(cJSON_GetObjectItem(j, "gold"))) {
			const cJSON *k = cJSON_GetObjectItem(j, "pred_kind");
			add(pairs, cJSON_GetObjectItem(j, "gold")->valuestring, cJSON_GetObjectItem(j, "pred")->valuestring,
			    cJSON_IsString(k) && !strcmp(k->valuestring, "full_output"),
			    cJSON_GetObjectItem(j, "id")->valuestring);
		} else if (outputs && cJSON_IsArray(code)) {
			for (int i = 0; i < cJSON_GetArraySize(code); i++) {
				char id[64];
				snprintf(id, sizeof(id), "idx %d sample %d", cJSON_GetObjectItem(j, "idx")->valueint, i);
				add(outputs, cJSON_GetObjectItem(j, "gt")->valuestring,
				    cJSON_GetArrayItem(code, i)->valuestring, 1, id);
			}
		}
		cJSON_Delete(j);
	}
	free(data);
	return 0;
}

static void run(const char *name, const struct items *it, int rounds)
{
	struct math_opts o;
	math_opts_default(&o);
	struct math_checker *c = math_checker_new(&o);
	double slowest = 0;
	const struct item *worst = NULL;
	size_t checks = 0;
	double t0 = now_ms();
	for (int r = 0; r < rounds; r++) {
		for (size_t k = 0; k < it->n; k++) {
			double s = now_ms();
			struct math_verdict v;
			math_judge(c, it->v[k].gold, it->v[k].pred, it->v[k].full, &v);
			math_verdict_release(&v);
			double d = now_ms() - s;
			if (d > slowest) {
				slowest = d;
				worst = &it->v[k];
			}
			checks++;
		}
	}
	double secs = (now_ms() - t0) / 1000.0;
	printf("%-34s %6zu checks in %.3f s: %9.0f checks/s; slowest %.3f ms (%s)\n", name, checks, secs,
	       checks / secs, slowest, worst ? worst->id : "-");
	math_checker_free(c);
}

static void release(struct items *it)
{
	for (size_t k = 0; k < it->n; k++) {
		free(it->v[k].gold);
		free(it->v[k].pred);
		free(it->v[k].id);
	}
	free(it->v);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		diag("usage: math_bench CONFORMANCE.jsonl QWEN_RECORDING.jsonl");
		return 2;
	}
	struct items pairs = {0}, answers = {0}, outputs = {0};
	if (load(argv[1], &pairs, NULL) || load(argv[2], NULL, &outputs))
		return 1;
	for (size_t k = 0; k < pairs.n; k++)
		if (!pairs.v[k].full)
			add(&answers, pairs.v[k].gold, pairs.v[k].pred, 0, pairs.v[k].id);
	run("conformance, answer pairs", &answers, 20);
	run("conformance, all cases", &pairs, 10);
	run("qwen2.5-math, 800 full outputs", &outputs, 5);
	release(&pairs);
	release(&answers);
	release(&outputs);
	return 0;
}
