/*
 * regrade: real run directories for the report and gate suites, made the
 * way a user makes them: `reval run` with the replay engine over a bundled
 * recording of reasoning-gym (DeepSeek-R1, o3-mini, QwQ-32B on the same 16
 * tasks), with the settings `reval reproduce` uses.
 */
#ifndef REVAL_TEST_REGRADE_H
#define REVAL_TEST_REGRADE_H

/* The recording's tasks as one comma-separated list; caller frees. */
char *regrade_tasks(void);

/* The bundled replay file of a setting ("deepseek-r1", "o3-mini", "qwq-32b"); caller frees. */
char *regrade_replay(const char *setting);

/*
 * Regrade a setting into parent/name with `reval run`; replay overrides the
 * bundled file when not NULL; extra is NULL or a NULL-terminated list of
 * more flags.  Asserts success; returns the run directory (caller frees).
 */
char *regrade(const char *parent, const char *name, const char *setting, const char *replay,
	      const char *const *extra);

/* Split text in place: the next line (without its newline) or NULL at the end. */
char *regrade_next_line(char **cursor);

/* Read a whole file as a string (asserts); caller frees. */
char *regrade_slurp(const char *path);

#endif
