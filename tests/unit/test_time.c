/* SPDX-License-Identifier: Apache-2.0 */
/* rfc3339_utc (state.json's `created`) against glibc's gmtime_r + strftime. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/util.h"
#include "tap.h"

static void same_as_libc(long long secs, long nsec)
{
	struct timespec ts = {.tv_sec = (time_t)secs, .tv_nsec = nsec};
	struct tm tm;
	char want[96], date[64];
	char *got = rfc3339_utc(&ts);

	gmtime_r(&ts.tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(want, sizeof(want), "%s.%09ldZ", date, nsec);
	is_str(got, want, "%lld s, %ld ns", secs, nsec);
	free(got);
}

int main(void)
{
	static const long long fixed[] = {
		0,
		-1,
		86399,
		86400,
		951782400 /* 2000-02-29 */,
		951868800,
		4107542400 /* 2100-03-01 */,
		1767225599 /* 2025-12-31 23:59:59 */,
		-86400 * 366LL,
		253402300799 /* 9999-12-31 23:59:59 */,
	};

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		same_as_libc(fixed[i], 123456789);
	/* a day's worth of steps across four centuries, leap days and turns of the year */
	for (long long s = -4000000000LL; s < 9000000000LL; s += 86400 * 97 + 3607)
		same_as_libc(s, 7);
	same_as_libc(1798765432, 999999999);
	return done_testing();
}
