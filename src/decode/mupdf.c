/*
 * mupdf.c - the process-wide MuPDF state; see folio/decode.h.
 *
 * MuPDF shares its resource store, font and glyph caches between a base
 * context and the contexts cloned from it, so every worker clones the one
 * base made here. Clones may only run in parallel when the base was
 * created with locking callbacks: we back MuPDF's FZ_LOCK_MAX lock numbers
 * with pthread mutexes.
 *
 * MuPDF prints warnings and errors to stderr by default. folio reports
 * failures itself (quarantine reasons, the log), and a damaged PDF can
 * produce thousands of warnings, so both printers are silenced here.
 */
#include "decode/decode_private.h"

#include <libxml/parser.h>
#include <pthread.h>

#include "folio/err.h"

/*
 * Big enough to keep the fonts and decoded images of a few documents in
 * flight, small enough that N workers rendering 300 dpi pages stay within
 * a modest server's memory. The store is shared by all clones.
 */
#define STORE_MAX ((size_t)64 << 20)

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t fz_mutexes[FZ_LOCK_MAX];
static fz_context *fz_base;

static void lock_mutex(void *user, int lock)
{
	pthread_mutex_t *m = user;

	pthread_mutex_lock(&m[lock]);
}

static void unlock_mutex(void *user, int lock)
{
	pthread_mutex_t *m = user;

	pthread_mutex_unlock(&m[lock]);
}

/* MuPDF keeps the last error in fz_caught_message(); nothing to print. */
static void quiet(void *user, const char *message)
{
	(void)user;
	(void)message;
}

/* Separate from folio_decode_global_init() so no local of the caller
 * lives across the setjmp inside fz_try. */
static int register_handlers(fz_context *fz, struct folio_err *err)
{
	fz_try(fz) fz_register_document_handlers(fz);
	fz_catch(fz) return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0,
					  "cannot register the mupdf document handlers: %s",
					  fz_caught_message(fz));
	return FOLIO_OK;
}

int folio_decode_global_init(const struct folio_config *cfg, struct folio_err *err)
{
	fz_locks_context locks = { fz_mutexes, lock_mutex, unlock_mutex };
	fz_context *fz;
	int status = FOLIO_OK;
	int i, nmutex = 0;

	(void)cfg;
	pthread_mutex_lock(&init_lock);
	if (fz_base)
		goto out;
	/* the other decoders' libraries: once, before any worker starts */
	folio_image_global_init();
	folio_mail_global_init();
	folio_outlook_global_init();
	xmlInitParser();
	for (nmutex = 0; nmutex < FZ_LOCK_MAX; nmutex++) {
		if (pthread_mutex_init(&fz_mutexes[nmutex], NULL)) {
			status = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0,
					       "cannot create the mupdf locks");
			goto out;
		}
	}
	/* fz_new_context copies `locks`, so a stack struct is fine. */
	fz = fz_new_context(NULL, &locks, STORE_MAX);
	if (!fz) {
		status = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, 0,
				       "cannot create the mupdf context");
		goto out;
	}
	fz_set_warning_callback(fz, quiet, NULL);
	fz_set_error_callback(fz, quiet, NULL);
	status = register_handlers(fz, err);
	if (status != FOLIO_OK) {
		fz_drop_context(fz);
		goto out;
	}
	fz_base = fz;
out:
	if (!fz_base)
		for (i = 0; i < nmutex; i++)
			pthread_mutex_destroy(&fz_mutexes[i]);
	pthread_mutex_unlock(&init_lock);
	return status;
}

/* Every clone must have been dropped before this runs. */
void folio_decode_global_release(void)
{
	int i;

	pthread_mutex_lock(&init_lock);
	if (fz_base) {
		fz_drop_context(fz_base);
		fz_base = NULL;
		for (i = 0; i < FZ_LOCK_MAX; i++)
			pthread_mutex_destroy(&fz_mutexes[i]);
	}
	pthread_mutex_unlock(&init_lock);
}

fz_context *folio_decode_fz_base(void)
{
	return fz_base;
}
