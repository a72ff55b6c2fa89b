#include "harness/base/err.h"

const char *reval_strerror(enum reval_err err)
{
	switch (err) {
	case RV_OK: return "success";
	case RV_EUSAGE: return "usage error";
	case RV_EINPUT: return "bad input";
	case RV_EMISMATCH: return "settings differ";
	case RV_EIO: return "input/output error";
	case RV_EINFRA: return "infrastructure failure";
	case RV_EREGRESS: return "regression";
	case RV_EFAIL: return "check failed";
	case RV_EINTERNAL: return "internal error";
	case RV_EPARTIAL: return "samples failed outside the model";
	case RV_EINTERRUPTED: return "interrupted";
	}
	return "unknown error";
}

int reval_exit_code(enum reval_err err)
{
	switch (err) {
	case RV_OK: return 0;
	case RV_EUSAGE:
	case RV_EINPUT:
	case RV_EMISMATCH: return 2;
	case RV_EPARTIAL: return 3;
	case RV_EINTERRUPTED: return 130;
	default: return 1;
	}
}
