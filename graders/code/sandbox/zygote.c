#include "graders/code/sandbox/zygote.h"

/*
 * What the worker's python3 runs (-c): load the core from descriptor 4 and
 * run the fork server's source, which the core carries, with the core as the
 * global `core`.  compile() frees its syntax tree before the source runs.
 */
const char sbx_zygote_boot[] =
	"import _imp, importlib.machinery, os\n"
	"core = _imp.create_dynamic(importlib.machinery.ModuleSpec(\n"
	"    'reval_zygote', None, origin='/proc/self/fd/4'))\n"
	"os.close(4)\n"
	"exec(compile(core.source(), 'zygote.py', 'exec'),\n"
	"     {'__name__': '__main__', '__builtins__': __builtins__, 'core': core})\n";

/* The Makefile names the core's shared object (ZYGOTE_CORE, built from
 * graders/code/sandbox/zygote/, zygote.py included) as a prerequisite of this
 * object and passes its path. */
__asm__(".section .rodata\n"
	".global sbx_zygote_core\n"
	".type sbx_zygote_core, @object\n"
	".balign 64\n"
	"sbx_zygote_core:\n"
	".incbin \"" ZYGOTE_CORE "\"\n"
	"sbx_zygote_core_end:\n"
	".size sbx_zygote_core, . - sbx_zygote_core\n"
	".balign 8\n"
	".global sbx_zygote_core_len\n"
	".type sbx_zygote_core_len, @object\n"
	"sbx_zygote_core_len:\n"
	".quad sbx_zygote_core_end - sbx_zygote_core\n"
	".size sbx_zygote_core_len, 8\n"
	".previous\n");
