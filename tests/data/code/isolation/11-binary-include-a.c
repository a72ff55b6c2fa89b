/* expect: compile_error
 * kind: stdio
 * language: c
 * The compiler quotes a binary file in its error. */
#include </etc/ld.so.cache>
int main(void) { return 0; }
