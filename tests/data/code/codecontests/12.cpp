#include <algorithm>
#include <cstdio>
#include <vector>
int main() {
	long long n, I;
	if (scanf("%lld %lld", &n, &I) != 2) return 1;
	std::vector<long long> a(n);
	for (auto &x : a) scanf("%lld", &x);
	std::sort(a.begin(), a.end());
	std::vector<long long> cnt;
	for (long long i = 0; i < n; i++)
		if (i == 0 || a[i] != a[i - 1]) cnt.push_back(1); else cnt.back()++;
	long long k = 8 * I / n;
	long long K = k >= 30 ? (1LL << 30) : (1LL << k);
	long long m = (long long)cnt.size(), best = 0, win = 0;
	for (long long i = 0; i < m; i++) {
		win += cnt[i];
		if (i >= K) win -= cnt[i - K];
		best = std::max(best, win);
	}
	printf("%lld\n", n - best);
	return 0;
}
