/*
 * fuzz.h - what folio's libFuzzer targets share (tests/fuzz/fuzz_*.c).
 *
 * Each target is one program built with clang -fsanitize=fuzzer,address,
 * undefined (`make fuzz`): LLVMFuzzerTestOneInput() feeds one input to one
 * family of parsers of untrusted input and checks the contracts their
 * headers promise. A broken promise calls fuzz_fail(), which aborts, so
 * libFuzzer keeps the input as a crash like any sanitizer report.
 *
 * Targets never write outside the temp folder the runner gives them
 * ($TMPDIR) and never use the network.
 */
#ifndef FOLIO_FUZZ_H
#define FOLIO_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folio/config.h"
#include "folio/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A contract broken: say which and abort (libFuzzer keeps the input). */
#define fuzz_fail(...)                                                \
	do {                                                          \
		fprintf(stderr, "fuzz: %s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__);                         \
		fputc('\n', stderr);                                  \
		abort();                                              \
	} while (0)

#define fuzz_assert(cond, ...)                  \
	do {                                    \
		if (!(cond))                    \
			fuzz_fail(__VA_ARGS__); \
	} while (0)

/* The input as a NUL-terminated string (cut at its first NUL, as the C
 * string parsers see it). Caller frees. Aborts on ENOMEM: the harness,
 * not the code under test, ran out. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* The input as a heap copy of exactly its bytes (at least 1 byte
 * allocated), for folio_doc_new(), which takes ownership. */
static inline unsigned char *fuzz_bytes(const uint8_t *data, size_t size)
{
	unsigned char *p = malloc(size ? size : 1);

	if (!p)
		abort();
	if (size)
		memcpy(p, data, size);
	return p;
}

/* A status every fallible folio call may return. */
static inline int fuzz_status_ok(int r)
{
	return r == FOLIO_OK || r == FOLIO_WARN || r == FOLIO_FAILED || r == FOLIO_FATAL;
}

/* A failure's message: set, NUL-terminated within the buffer. */
static inline void fuzz_check_err(int r, const struct folio_err *err, const char *what)
{
	fuzz_assert(fuzz_status_ok(r), "%s returned %d", what, r);
	if (r < 0) {
		fuzz_assert(memchr(err->msg, '\0', sizeof(err->msg)) != NULL,
			    "%s: error message not terminated", what);
		fuzz_assert(err->msg[0] != '\0', "%s failed (%d) without a message", what, r);
	}
}

/* The defaults, as `folio` starts with; aborts when they cannot be had. */
static inline void fuzz_config(struct folio_config *cfg)
{
	struct folio_err err;

	if (folio_config_defaults(cfg, &err) != FOLIO_OK) {
		fprintf(stderr, "fuzz: config defaults: %s\n", err.msg);
		abort();
	}
}

/* 1 when s is "YYYY-MM-DD" of a real day (years 1900..2199). */
static inline int fuzz_iso_date(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, i, leap;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1)
		return 0;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

#endif
