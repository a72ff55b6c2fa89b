/*
 * cmd: the subcommands of the reval binary.  Each takes the arguments
 * after the word "reval" with argv[0] naming the subcommand, and returns an
 * error that main turns into the exit code.  main.c holds the table and the
 * help text of each.
 */
#ifndef REVAL_CMD_H
#define REVAL_CMD_H

#include "harness/base/err.h"

enum reval_err cmd_run(int argc, char **argv);
enum reval_err cmd_grade(int argc, char **argv);
enum reval_err cmd_merge(int argc, char **argv);
enum reval_err cmd_tasks(int argc, char **argv);
enum reval_err cmd_reproduce(int argc, char **argv);
enum reval_err cmd_check(int argc, char **argv);
enum reval_err cmd_check_math(int argc, char **argv); /* reval check math ... */
enum reval_err cmd_check_code(int argc, char **argv); /* reval check code ... */
struct grader_ops;
/* reval check GRADER ... for graders without a checker of their own. */
enum reval_err cmd_check_grader(const struct grader_ops *g, int argc, char **argv);
enum reval_err cmd_report(int argc, char **argv);
enum reval_err cmd_gate(int argc, char **argv);
enum reval_err cmd_serve(int argc, char **argv);
enum reval_err cmd_export(int argc, char **argv);

/* Where a run's outputs are, on stdout (run, grade, merge). */
void cmd_print_run_outputs(const char *dir);

/* The options of report, gate, serve, export and check, for 'reval help' (not run settings). */
void cmd_report_options(void);
void cmd_check_options(void);
void cmd_gate_options(void);
void cmd_serve_options(void);
void cmd_export_options(void);

#endif
