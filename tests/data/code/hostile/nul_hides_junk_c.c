/* expect: wrong_answer */
/* kind: stdio */
/* language: c */
/* The same in C: the right sum, a NUL byte, then junk on the same line. */
#include <stdio.h>
int main(void)
{
	long a, b;
	if (scanf("%ld %ld", &a, &b) != 2)
		return 1;
	printf("%ld", a + b);
	fwrite("\0junk\n", 1, 6, stdout);
	return 0;
}
