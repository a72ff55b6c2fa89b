#include "graders/code/sandbox/zygote.h"

/* The Makefile names graders/code/sandbox/zygote/zygote.py and the core's shared object
 * (ZYGOTE_CORE, built from graders/code/sandbox/zygote/core.c) as prerequisites of this
 * object and passes the latter's path. */
__asm__(".section .rodata\n"
	".global sbx_zygote_src\n"
	".type sbx_zygote_src, @object\n"
	"sbx_zygote_src:\n"
	".incbin \"graders/code/sandbox/zygote/zygote.py\"\n"
	".byte 0\n"
	".size sbx_zygote_src, . - sbx_zygote_src\n"
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
