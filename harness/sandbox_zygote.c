#include "sandbox_zygote.h"

/* The Makefile names harness/sandbox_zygote.py as a prerequisite of this object. */
__asm__(".section .rodata\n"
	".global sbx_zygote_src\n"
	".type sbx_zygote_src, @object\n"
	"sbx_zygote_src:\n"
	".incbin \"harness/sandbox_zygote.py\"\n"
	".byte 0\n"
	".size sbx_zygote_src, . - sbx_zygote_src\n"
	".previous\n");
