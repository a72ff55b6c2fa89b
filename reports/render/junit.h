/*
 * junit: a gate result as JUnit XML, the format CI systems (GitHub Actions
 * test reporters, GitLab, Jenkins, Buildkite) show natively.
 *
 * One <testsuite> in a <testsuites> root; one <testcase> per gated task
 * (classname "reval.gate", name the task id) with a <failure> element when
 * the task failed and the figures in <system-out>.  Text is XML-escaped and
 * characters XML 1.0 forbids are dropped.  The file is written atomically.
 */
#ifndef REVAL_JUNIT_H
#define REVAL_JUNIT_H

#include "harness/base/err.h"
#include "reports/results/gate.h"

enum reval_err junit_write_gate(const char *path, const struct gate_result *g);

#endif
