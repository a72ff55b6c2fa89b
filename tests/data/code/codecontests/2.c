#include <stdio.h>
#include <string.h>
static char s[100005];
static int dist[100005], queue[100005], seen_digit[10];
static int by_digit[10][100005], nby[10];
int main(void)
{
	if (scanf("%100004s", s) != 1)
		return 1;
	int n = (int)strlen(s);
	for (int i = 0; i < n; i++)
		by_digit[s[i] - '0'][nby[s[i] - '0']++] = i;
	for (int i = 0; i < n; i++)
		dist[i] = -1;
	int head = 0, tail = 0;
	dist[0] = 0;
	queue[tail++] = 0;
	while (head < tail) {
		int u = queue[head++];
		int d = s[u] - '0';
		int next[2] = {u - 1, u + 1};
		for (int k = 0; k < 2; k++)
			if (next[k] >= 0 && next[k] < n && dist[next[k]] < 0) {
				dist[next[k]] = dist[u] + 1;
				queue[tail++] = next[k];
			}
		if (!seen_digit[d]) {
			seen_digit[d] = 1;
			for (int k = 0; k < nby[d]; k++) {
				int v = by_digit[d][k];
				if (dist[v] < 0) {
					dist[v] = dist[u] + 1;
					queue[tail++] = v;
				}
			}
		}
	}
	printf("%d\n", dist[n - 1]);
	return 0;
}
