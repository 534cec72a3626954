/*
 * t.h - the unit tests' tiny harness. Each tests/unit/test_*.c is one
 * program: it calls T_OK/T_EQ_* and ends with `return t_done();`.
 * Prints TAP-ish lines; exits 1 when any check failed, 77 when skipped.
 */
#ifndef FOLIO_T_H
#define FOLIO_T_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_pass, t_fail;

#define T_OK(cond, ...)                                                                   \
	do {                                                                              \
		if (cond) {                                                               \
			t_pass++;                                                         \
		} else {                                                                  \
			t_fail++;                                                         \
			fprintf(stderr, "not ok %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                     \
			fputc('\n', stderr);                                              \
		}                                                                         \
	} while (0)

#define T_EQ_INT(a, b)                                                          \
	do {                                                                    \
		long long t_a_ = (long long)(a), t_b_ = (long long)(b);         \
		T_OK(t_a_ == t_b_, "%s = %lld, expected %lld", #a, t_a_, t_b_); \
	} while (0)

#define T_EQ_STR(a, b)                                                                       \
	do {                                                                                 \
		const char *t_a_ = (a), *t_b_ = (b);                                         \
		T_OK(t_a_ &&t_b_ && !strcmp(t_a_, t_b_), "%s = \"%s\", expected \"%s\"", #a, \
		     t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)");                        \
	} while (0)

#define T_CONTAINS(hay, needle)                                                            \
	do {                                                                               \
		const char *t_h_ = (hay), *t_n_ = (needle);                                \
		T_OK(t_h_ &&strstr(t_h_, t_n_), "%s does not contain \"%s\"", #hay, t_n_); \
	} while (0)

#define T_SKIP(why)                                     \
	do {                                            \
		printf("skip %s: %s\n", __FILE__, why); \
		exit(77);                               \
	} while (0)

#define t_done() t_done_(__FILE__)
static inline int t_done_(const char *file)
{
	printf("%s: %d passed, %d failed\n", file, t_pass, t_fail);
	return t_fail ? 1 : 0;
}

/* The repository root's shared/ data folder, or NULL when absent. */
static inline const char *t_shared_data(void)
{
	const char *d = getenv("FOLIO_SHARED_DATA");
	return d && *d ? d : NULL;
}

#endif
