/* Unit tests: the PostgreSQL backend's addresses, with no server: which
 * addresses it takes, a password refused before anything connects (and
 * never repeated), a malformed address, and a refused connection named
 * without secrets. The backend against a real server: tests/e2e/pg.sh. */
#include <stdio.h>
#include <string.h>

#include "folio/archive.h"
#include "t.h"

/* open `where`: must fail with `kind`, the message holding `want` and
 * never "hunter2" */
static void refused(const char *where, enum folio_err_kind kind, const char *want)
{
	struct folio_err err = { 0 };
	struct folio_archive *arc = folio_archive_open(where, 0, &err);

	T_OK(!arc, "%s opened", where);
	folio_archive_close(arc);
	T_EQ_INT(err.kind, kind);
	T_OK(strstr(err.msg, want) != NULL, "%s: '%s' lacks '%s'", where, err.msg, want);
	T_OK(!strstr(err.msg, "hunter2"), "%s: the password repeated: %s", where, err.msg);
}

int main(void)
{
	T_OK(folio_pg_ops.accepts("postgresql://scan@db/folio"), "postgresql://");
	T_OK(folio_pg_ops.accepts("postgres://scan@db/folio"), "postgres://");
	T_OK(folio_pg_ops.accepts("service=folio"), "service=");
	T_OK(!folio_pg_ops.accepts("/srv/archive"), "a folder");
	T_OK(!folio_pg_ops.accepts("archive"), "a relative folder");
	T_OK(!folio_pg_ops.accepts("mysql://db/folio"), "another scheme");
	T_OK(!folio_sqlite_ops.accepts("postgresql://scan@db/folio"), "SQLite leaves URLs");
	T_EQ_INT(folio_pg_ops.version, FOLIO_STORE_OPS_VERSION);

	refused("postgresql://scan:hunter2@127.0.0.1:1/folio", FOLIO_E_USAGE, "PGPASSFILE");
	refused("postgres://scan@127.0.0.1:1/folio?password=hunter2", FOLIO_E_USAGE,
		"holds a password: refused");
	refused("service=folio password=hunter2", FOLIO_E_USAGE, "holds a password");
	refused("postgresql://scan@127.0.0.1:1/folio?nosuchoption=1", FOLIO_E_USAGE,
		"not a PostgreSQL address");
	/* nothing listens on port 1 of the loopback address */
	refused("postgresql://scan@127.0.0.1:1/folio?connect_timeout=2", FOLIO_E_DB,
		"cannot connect to the archive's database postgresql://scan@127.0.0.1:1/folio");
	return t_done();
}
