/* expect: wrong_answer
 * kind: stdio
 * language: c
 * Prints nothing: only a planted program could make it pass. */
int main(void) { return 0; }
