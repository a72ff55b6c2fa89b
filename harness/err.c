#include "err.h"

const char *reval_strerror(enum reval_err err)
{
	switch (err) {
	case R_OK: return "success";
	case R_EUSAGE: return "usage error";
	case R_EINPUT: return "bad input";
	case R_EMISMATCH: return "settings differ";
	case R_EIO: return "input/output error";
	case R_EINFRA: return "infrastructure failure";
	case R_EREGRESS: return "regression";
	case R_EFAIL: return "check failed";
	case R_EINTERNAL: return "internal error";
	}
	return "unknown error";
}

int reval_exit_code(enum reval_err err)
{
	switch (err) {
	case R_OK: return 0;
	case R_EUSAGE:
	case R_EINPUT:
	case R_EMISMATCH: return 2;
	default: return 1;
	}
}
