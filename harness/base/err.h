/*
 * err: the one error enum of the program.
 *
 * Fallible functions return an enum reval_err (zero is success) and print
 * their own diagnostic, naming the file, line or request, at the point where
 * the facts are known.  main maps the error to an exit code.
 */
#ifndef REVAL_ERR_H
#define REVAL_ERR_H

enum reval_err {
	RV_OK = 0,
	RV_EUSAGE,    /* bad flag, bad flag value, unknown command: exit 2 */
	RV_EINPUT,    /* malformed or missing input file, task, dataset: exit 2 */
	RV_EMISMATCH, /* refusing to mix runs or resume with other settings: exit 2 */
	RV_EIO,       /* cannot write output: exit 1 */
	RV_EINFRA,    /* the engine or endpoint failed the run as a whole: exit 1 */
	RV_EREGRESS,  /* the gate found a regression: exit 1 */
	RV_EFAIL,     /* a check asked for by the user failed (verify, reproduce): exit 1 */
	RV_EINTERNAL, /* a bug of ours: exit 1 */
	RV_EPARTIAL,  /* finished, but samples failed outside the model (kept out of scores): exit 3 */
	RV_EINTERRUPTED, /* stopped by a signal after saving what finished: exit 130 */
};

const char *reval_strerror(enum reval_err err);
int reval_exit_code(enum reval_err err);

#endif
