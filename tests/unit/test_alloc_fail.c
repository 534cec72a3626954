/*
 * test_alloc_fail.c - the parsers of untrusted input when memory runs
 * out: each runs again and again with every allocation after the first N
 * failing, N = 0, 1, 2, ... until a run needs no more than N. Each run
 * must return the error its header documents for ENOMEM (FOLIO_FATAL
 * with FOLIO_E_NOMEM, or -1), leave its output list as it was, never
 * crash and, under ASan, never leak; a run that was not starved must give
 * the same result as an unhindered one.
 *
 * Allocations are counted and failed here: folio's own calls through the
 * linker's --wrap (malloc, calloc, realloc, strdup, strndup; see this
 * binary's rule in the Makefile) and libxml2's through xmlMemSetup().
 * FOLIO_FAIL_ALLOC_AFTER=N runs only that N (to debug one failure).
 * The inputs are the fuzz seeds (tests/fuzz/corpus/): every e-invoice
 * format, QR payloads, JSON lists, a config file.
 */
#include <dirent.h>
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/xmlmemory.h>
#include <stdint.h>
#include <sys/stat.h>

#include "folio/config.h"
#include "folio/doc.h"
#include "folio/export.h"
#include "folio/extract.h"
#include "folio/util.h"
#include "t.h"

/* ---- the failing allocator --------------------------------------------- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static int armed;	/* counting */
static long after = -1; /* allocations that succeed; -1: all */
static long count;	/* allocations asked for while armed */
static long failed;	/* of which refused */

/* 1 when this allocation is to fail */
static int refuse(void)
{
	if (!armed)
		return 0;
	if (after >= 0 && count++ >= after) {
		failed++;
		errno = ENOMEM;
		return 1;
	}
	if (after < 0)
		count++;
	return 0;
}

void *__wrap_malloc(size_t n)
{
	return refuse() ? NULL : __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t m)
{
	return refuse() ? NULL : __real_calloc(n, m);
}
void *__wrap_realloc(void *p, size_t n)
{
	return refuse() ? NULL : __real_realloc(p, n);
}
char *__wrap_strdup(const char *s)
{
	return refuse() ? NULL : __real_strdup(s);
}
char *__wrap_strndup(const char *s, size_t n)
{
	return refuse() ? NULL : __real_strndup(s, n);
}

static void *x_malloc(size_t n)
{
	return refuse() ? NULL : __real_malloc(n);
}
static void *x_realloc(void *p, size_t n)
{
	return refuse() ? NULL : __real_realloc(p, n);
}
static char *x_strdup(const char *s)
{
	return refuse() ? NULL : __real_strdup(s);
}
static void x_free(void *p)
{
	free(p);
}

/* libxml2 prints "out of memory" through its generic handler */
static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

/* ---- the runs ----------------------------------------------------------- */

/* A parser run: returns 0 when it gave the unhindered result, 1 when it
 * reported running out of memory the documented way, -1 otherwise (with
 * why in msg). */
typedef int (*run_fn)(const void *in, size_t len, char *msg, size_t msgsz);

static long only = -2; /* FOLIO_FAIL_ALLOC_AFTER, or -2 */

/* Run fn unhindered, then with the allocations after N failing for every
 * N below what it needs. Returns the number of allocations it needs. */
static long starve(const char *what, run_fn fn, const void *in, size_t len)
{
	char msg[512];
	long need, n;
	int r;

	armed = 1;
	after = -1;
	count = failed = 0;
	r = fn(in, len, msg, sizeof(msg));
	need = count;
	armed = 0;
	T_OK(r == 0, "%s: unhindered run: %s", what, msg);
	for (n = only >= 0 ? only : 0; n < need && (only < 0 || n == only); n++) {
		armed = 1;
		after = n;
		count = failed = 0;
		r = fn(in, len, msg, sizeof(msg));
		armed = 0;
		T_OK(r >= 0, "%s: allocations after %ld fail: %s", what, n, msg);
		T_OK(r != 0 || failed == 0,
		     "%s: allocations after %ld fail: %ld refused, yet the full result", what, n,
		     failed);
	}
	return need;
}

/* e-invoice XML: FOLIO_FATAL + FOLIO_E_NOMEM and the list untouched (or,
 * for a seed that is not an e-invoice, the same complaint as unhindered) */
static size_t xml_ncands;
static int xml_status;

static int run_einvoice(const void *in, size_t len, char *msg, size_t msgsz)
{
	struct folio_cands c = { 0 };
	struct folio_err err = { 0 };
	int r, ret;

	/* a candidate already there must stay as it is */
	if (folio_cands_add(&c, "before", "1", NULL, 1, FOLIO_SRC_QR, 0, NULL)) {
		snprintf(msg, msgsz, "cannot add the first candidate");
		folio_cands_free(&c);
		return failed ? 1 : -1;
	}
	r = folio_einvoice_parse(in, len, &c, &err);
	if (!failed) {
		if (after < 0) {
			xml_ncands = c.n;
			xml_status = r;
		}
		ret = r == xml_status && c.n == xml_ncands ? 0 : -1;
		snprintf(msg, msgsz, "status %d, %zu candidates (%zu unhindered): %s", r, c.n,
			 xml_ncands, err.msg);
	} else {
		ret = (r == FOLIO_FATAL && err.kind == FOLIO_E_NOMEM) ||
				      (r == xml_status && r != FOLIO_OK) ?
			      1 :
			      -1;
		if (c.n != 1 || strcmp(c.v[0].name, "before"))
			ret = -1;
		snprintf(msg, msgsz, "status %d, kind %s, %zu candidates: %s", r,
			 folio_err_kind_name(err.kind), c.n, err.msg);
	}
	folio_cands_free(&c);
	return ret;
}

/* QR payloads: -1 on ENOMEM (or, not an invoice's, 0 as unhindered) */
static int qr_status;
static size_t qr_ncands;

static int run_qr(const void *in, size_t len, char *msg, size_t msgsz)
{
	struct folio_cands c = { 0 };
	char *s = malloc(len + 1);
	int r, ret;

	if (!s) {
		snprintf(msg, msgsz, "cannot copy the payload");
		return failed ? 1 : -1;
	}
	memcpy(s, in, len);
	s[len] = '\0';
	r = folio_qr_parse(s, 1, NULL, &c);
	snprintf(msg, msgsz, "returned %d with %zu candidates", r, c.n);
	if (!failed && after < 0) {
		qr_status = r;
		qr_ncands = c.n;
	}
	if (failed)
		ret = r == -1 || (r == 0 && qr_status == 0) ? 1 : -1;
	else
		ret = r == qr_status && c.n == qr_ncands && r >= 0 ? 0 : -1;
	folio_cands_free(&c);
	free(s);
	return ret;
}

/* The JSON lists of a stored document (record.c): FOLIO_FATAL + NOMEM */
static int run_record(const void *in, size_t len, char *msg, size_t msgsz)
{
	struct folio_invoice inv;
	struct folio_err err = { 0 };
	struct folio_doc *doc = NULL;
	char *s = NULL, *line, *next, *eq;
	int r, ret = -1;

	(void)len;
	if (!(s = strdup(in)) || !(doc = folio_doc_new("x", NULL, 0))) {
		snprintf(msg, msgsz, "cannot make the document");
		ret = failed ? 1 : -1;
		goto out;
	}
	for (line = s; line; line = next) {
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		if (!(eq = strchr(line, '=')))
			continue;
		*eq = '\0';
		if (folio_doc_set_field(doc, line, eq + 1, NULL, 1, FOLIO_SRC_XML, 0, NULL)) {
			snprintf(msg, msgsz, "cannot set a field");
			ret = failed ? 1 : -1;
			goto out;
		}
	}
	r = folio_invoice_from_doc(&inv, doc, 1, "Vendor", &err);
	doc = NULL; /* the record owns it, also when it failed */
	snprintf(msg, msgsz, "status %d, kind %s: %s", r, folio_err_kind_name(err.kind), err.msg);
	if (r == FOLIO_OK) {
		ret = failed ? -1 : inv.nrates > 0 && inv.nlines > 0 ? 0 : -1;
		folio_invoice_release(&inv);
	} else {
		ret = failed && r == FOLIO_FATAL && err.kind == FOLIO_E_NOMEM ? 1 : -1;
	}
out:
	folio_doc_free(doc);
	free(s);
	return ret;
}

/* The config file: FOLIO_FATAL + NOMEM */
static int run_config(const void *in, size_t len, char *msg, size_t msgsz)
{
	struct folio_config cfg;
	struct folio_err err = { 0 };
	int r, ret;

	(void)len;
	if (folio_config_defaults(&cfg, &err) != FOLIO_OK) {
		snprintf(msg, msgsz, "defaults: %s", err.msg);
		folio_config_release(&cfg);
		return failed && err.kind == FOLIO_E_NOMEM ? 1 : -1;
	}
	r = folio_config_load(&cfg, in, &err);
	snprintf(msg, msgsz, "status %d, kind %s: %s", r, folio_err_kind_name(err.kind), err.msg);
	ret = r == FOLIO_OK					       ? (failed ? -1 : 0) :
	      failed && err.kind == FOLIO_E_NOMEM && r <= FOLIO_FAILED ? 1 :
									 -1;
	folio_config_release(&cfg);
	return ret;
}

/* Values: none of these parsers may need the heap at all. */
static void values_allocate_nothing(void)
{
	/* clang-format off */
	static const char *const v[] = {
		"15 marca 2024", "March 15, 2024", "1 234,56 zł", "(12.00)", "PL 526-000-12-46",
		"PL61 1090 1014 0000 0712 1981 2874", "RCCMNL83S18D969H", "ESB6471783O",
	};
	/* clang-format on */
	struct folio_amount a;
	char out[40];
	size_t i;

	armed = 1;
	after = 0; /* any allocation fails */
	count = failed = 0;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		(void)folio_date_parse(v[i], FOLIO_DMY, out);
		(void)folio_amount_parse(v[i], 0, &a);
		(void)folio_taxid_check(v[i], NULL, out, NULL);
		(void)folio_taxid_repair(v[i], NULL, out);
		(void)folio_iban_check(v[i], out);
		(void)folio_iban_repair(v[i], out);
		(void)folio_ksef_number_check(v[i]);
	}
	armed = 0;
	T_EQ_INT(count, 0);
}

/* A file's bytes and a NUL after them (for the text parsers). */
static unsigned char *slurp(const char *path, size_t *len)
{
	unsigned char *data = NULL, *z;
	struct folio_err err;

	if (folio_read_file(path, 1 << 20, &data, len, &err) != FOLIO_OK)
		return NULL;
	if (!(z = realloc(data, *len + 1))) {
		free(data);
		return NULL;
	}
	z[*len] = '\0';
	return z;
}

/* Every seed of a fuzz target through fn. Returns how many. */
static int each_seed(const char *target, const char *suffix, run_fn fn, long *most)
{
	char dir[256], path[512], what[600];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), "tests/fuzz/corpus/%s", target);
	if (!(d = opendir(dir)))
		return 0;
	while ((e = readdir(d))) {
		unsigned char *data;
		size_t len, sl = strlen(suffix), nl = strlen(e->d_name);
		long need;

		if (e->d_name[0] == '.' || nl < sl || strcmp(e->d_name + nl - sl, suffix))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (!(data = slurp(path, &len)))
			continue;
		snprintf(what, sizeof(what), "%s %s", target, e->d_name);
		need = starve(what, fn, data, len);
		if (need > *most)
			*most = need;
		free(data);
		n++;
	}
	closedir(d);
	return n;
}

int main(void)
{
	const char *env = getenv("FOLIO_FAIL_ALLOC_AFTER");
	long most = 0, need;
	int n;

	if (env && *env)
		only = strtol(env, NULL, 10);
	/* libxml2 allocates through these from now on */
	if (xmlMemSetup(x_free, x_malloc, x_realloc, x_strdup)) {
		T_OK(0, "xmlMemSetup failed");
		return t_done();
	}
	xmlInitParser();
	xmlSetGenericErrorFunc(NULL, quiet);

	values_allocate_nothing();

	n = each_seed("einvoice", ".xml", run_einvoice, &most);
	T_OK(n >= 8, "%d e-invoices starved", n);
	printf("# e-invoices: %d files, up to %ld allocations each\n", n, most);

	most = 0;
	n = each_seed("qr", "", run_qr, &most);
	T_OK(n >= 20, "%d QR payloads starved", n);
	printf("# QR payloads: %d, up to %ld allocations each\n", n, most);

	most = 0;
	n = each_seed("json", "charges", run_record, &most);
	n += each_seed("json", "doc-1", run_record, &most);
	T_OK(n == 2, "%d JSON records starved", n);
	printf("# JSON records: %d, up to %ld allocations each\n", n, most);

	need = starve("config", run_config, "tests/fuzz/corpus/config/profiles.conf", 0);
	printf("# config: %ld allocations\n", need);
	xmlCleanupParser();
	return t_done();
}
