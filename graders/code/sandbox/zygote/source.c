/*
 * The fork server's Python source (zygote.py, beside this file), carried by
 * its C core and handed to Python by core.c's source(): the fork server then
 * compiles it from a bytes object it drops, not from its command line.  A
 * `-c` program's syntax tree lives until the program returns, which the fork
 * server never does, and its command line is kept in three wide-character
 * copies: some 1.5 MiB that every fork would map and every candidate unmap.
 * The Makefile names zygote.py as a prerequisite of the core.
 */
__asm__(".section .rodata\n"
	".global zygote_source\n"
	".hidden zygote_source\n"
	".type zygote_source, @object\n"
	"zygote_source:\n"
	".incbin \"graders/code/sandbox/zygote/zygote.py\"\n"
	"zygote_source_end:\n"
	".size zygote_source, . - zygote_source\n"
	".balign 8\n"
	".global zygote_source_len\n"
	".hidden zygote_source_len\n"
	".type zygote_source_len, @object\n"
	"zygote_source_len:\n"
	".quad zygote_source_end - zygote_source\n"
	".size zygote_source_len, 8\n"
	".previous\n");
