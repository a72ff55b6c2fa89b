#include "cmd.h"
#include "util.h"

enum reval_err cmd_check_math(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	diag("'reval check math' is not built yet");
	return RV_EUSAGE;
}
