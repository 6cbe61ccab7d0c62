/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one TAP helper of the unit tests: it counts by itself.
 *
 *   ok(cond, "name %d", i);          is_int(got, want, "name");      is_str(got, want, "name");
 *   diag("context: %s", s);          return done_testing();          (prints 1..N)
 *
 * done_testing() returns 0 when everything passed and 1 otherwise, so `return done_testing();`
 * from main() gives the right exit status. Each helper returns whether its check passed.
 * Header-only: include it from exactly one file per test binary.
 */
#ifndef EDGERUN_TESTS_TAP_H
#define EDGERUN_TESTS_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int tap_run_;
static int tap_failed_;

__attribute__((format(printf, 2, 0))) static bool tap_vok_(bool pass, const char *fmt, va_list ap)
{
	tap_run_++;
	if (!pass)
		tap_failed_++;
	printf("%sok %d - ", pass ? "" : "not ", tap_run_);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	return pass;
}

__attribute__((format(printf, 1, 2), unused)) static void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

__attribute__((format(printf, 2, 3), unused)) static bool ok(bool pass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pass = tap_vok_(pass, fmt, ap);
	va_end(ap);
	return pass;
}

__attribute__((format(printf, 3, 4), unused)) static bool is_int(long long got, long long want,
								 const char *fmt, ...)
{
	va_list ap;
	bool pass = got == want;

	va_start(ap, fmt);
	tap_vok_(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#   got:      %lld\n#   expected: %lld\n", got, want);
	return pass;
}

__attribute__((unused)) static void tap_show_(const char *label, const char *s)
{
	printf("#   %s", label);
	if (!s) {
		puts("NULL");
		return;
	}
	putchar('\'');
	for (; *s; s++) {
		putchar(*s);
		if (*s == '\n')
			fputs("#             ", stdout);
	}
	puts("'");
}

/* NULL is a value here: is_str(NULL, NULL, ...) passes, is_str(NULL, "x", ...) does not. */
__attribute__((format(printf, 3, 4), unused)) static bool is_str(const char *got, const char *want,
								 const char *fmt, ...)
{
	va_list ap;
	bool pass = (!got && !want) || (got && want && strcmp(got, want) == 0);

	va_start(ap, fmt);
	tap_vok_(pass, fmt, ap);
	va_end(ap);
	if (!pass) {
		tap_show_("got:      ", got);
		tap_show_("expected: ", want);
	}
	return pass;
}

__attribute__((unused)) static int done_testing(void)
{
	printf("1..%d\n", tap_run_);
	if (tap_failed_)
		printf("# failed %d of %d tests\n", tap_failed_, tap_run_);
	fflush(stdout);
	return tap_failed_ ? 1 : 0;
}

#endif
