/* expect: timeout|runtime_error */
/* kind: stdio */
/* language: c */
#include <unistd.h>
int main(void)
{
	for (;;)
		fork();
}
