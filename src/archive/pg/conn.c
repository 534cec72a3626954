/*
 * conn.c - the PostgreSQL backend's connection: which addresses it takes,
 * opening (no password on the command line, ever), closing, and the small
 * query helpers its other files share. See pg_private.h.
 */
#include "pg_private.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "folio/strbuf.h"
#include "folio/util.h"

#define MAX_PARAMS 32

/* postgresql://..., postgres://... (libpq's URIs) or service=NAME (a
 * section of the libpq service file); a folder path is SQLite's */
int pg_accepts(const char *where)
{
	return !strncmp(where, "postgresql://", 13) || !strncmp(where, "postgres://", 11) ||
	       !strncmp(where, "service=", 8);
}

/* ---- helpers -------------------------------------------------------------- */

/* libpq's message without its trailing newline, its first line only */
static void one_line(char *out, size_t n, const char *msg)
{
	size_t k;

	snprintf(out, n, "%s", msg && *msg ? msg : "unknown error");
	k = strcspn(out, "\n");
	out[k] = '\0';
}

int pg_err(struct folio_store *s, const PGresult *res, struct folio_err *err, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char msg[400];

	snprintf(s->sqlstate, sizeof(s->sqlstate), "%s", state ? state : "");
	one_line(msg, sizeof(msg), primary ? primary : PQerrorMessage(s->conn));
	/* the connection itself (08000, 08003, 08006), or the server going
	 * away (57P01..57P03); not a protocol complaint (08P01) */
	if (PQstatus(s->conn) == CONNECTION_BAD ||
	    (state && (!strcmp(state, "08000") || !strcmp(state, "08003") ||
		       !strcmp(state, "08006") || !strncmp(state, "57P0", 4))))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_DB, ECONNRESET,
				     "%s: lost the connection to the archive's database %s: %s",
				     what, s->display, msg);
	if (state && !strncmp(state, "53", 2))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, ENOSPC,
				     "%s: the archive's database is out of space or resources (%s)",
				     what, msg);
	if (state && !strcmp(state, "25006"))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_DB, EROFS,
				     "%s: the archive's database is read-only (%s)", what, msg);
	if (state && !strcmp(state, "42501"))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_DB, EACCES,
				     "%s: the database role may not do this (%s)", what, msg);
	return folio_err_set(err, FOLIO_FAILED, FOLIO_E_DB, 0, "%s: %s", what, msg);
}

void pg_alive(struct folio_store *s)
{
	/* a connection the server dropped (a restart, a failover) is opened
	 * again before the next statement: what was in flight failed with its
	 * own error, what comes next need not. A server still starting gets
	 * 0.25 + 0.5 + 1 + 2 + 4 + 8 + 16 s (a restart under load took 8 s
	 * here) before the failure stands. */
	static const unsigned waits_ms[] = { 0, 250, 500, 1000, 2000, 4000, 8000, 16000 };
	size_t i;

	if (PQstatus(s->conn) != CONNECTION_BAD)
		return;
	for (i = 0; i < sizeof(waits_ms) / sizeof(waits_ms[0]); i++) {
		struct timespec ts = { (time_t)(waits_ms[i] / 1000),
				       (long)(waits_ms[i] % 1000) * 1000000L };

		nanosleep(&ts, NULL);
		PQreset(s->conn);
		if (PQstatus(s->conn) == CONNECTION_OK) {
			PQclear(PQexec(s->conn, s->rdonly ?
							"SET client_min_messages = warning;"
							" SET default_transaction_read_only = on" :
							"SET client_min_messages = warning"));
			return;
		}
	}
}

static PGresult *vrun(struct folio_store *s, struct folio_err *err, const char *what,
		      const char *sql, const char *types, va_list ap)
{
	const char *vals[MAX_PARAMS];
	int lens[MAX_PARAMS], fmts[MAX_PARAMS];
	char nums[MAX_PARAMS][32];
	int n = (int)strlen(types), i;
	ExecStatusType st;
	PGresult *res;

	if (n > MAX_PARAMS) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_DB, 0, "%s: too many parameters", what);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		lens[i] = 0;
		fmts[i] = 0;
		switch (types[i]) {
		case 's': vals[i] = va_arg(ap, const char *); break;
		case 'i':
			snprintf(nums[i], sizeof(nums[i]), "%lld", va_arg(ap, long long));
			vals[i] = nums[i];
			break;
		case 'd':
			snprintf(nums[i], sizeof(nums[i]), "%.17g", va_arg(ap, double));
			vals[i] = nums[i];
			break;
		case 'b':
			vals[i] = va_arg(ap, const char *);
			lens[i] = (int)va_arg(ap, size_t);
			fmts[i] = 1;
			break;
		default:
			folio_err_set(err, FOLIO_FATAL, FOLIO_E_DB, 0, "%s: bad parameter type",
				      what);
			return NULL;
		}
	}
	pg_alive(s);
	res = PQexecParams(s->conn, sql, n, NULL, vals, lens, fmts, 0);
	st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		pg_err(s, res, err, what);
		PQclear(res);
		return NULL;
	}
	s->sqlstate[0] = '\0';
	return res;
}

PGresult *pg_run(struct folio_store *s, struct folio_err *err, const char *what, const char *sql,
		 const char *types, ...)
{
	PGresult *res;
	va_list ap;

	va_start(ap, types);
	res = vrun(s, err, what, sql, types, ap);
	va_end(ap);
	return res;
}

int pg_do(struct folio_store *s, struct folio_err *err, const char *what, const char *sql,
	  const char *types, ...)
{
	PGresult *res;
	va_list ap;

	va_start(ap, types);
	res = vrun(s, err, what, sql, types, ap);
	va_end(ap);
	if (!res)
		return FOLIO_FAILED;
	PQclear(res);
	return FOLIO_OK;
}

long long pg_one(struct folio_store *s, struct folio_err *err, const char *what, const char *sql,
		 const char *types, ...)
{
	PGresult *res;
	long long v = 0;
	va_list ap;

	va_start(ap, types);
	res = vrun(s, err, what, sql, types, ap);
	va_end(ap);
	if (!res)
		return -1;
	if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
		v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return v;
}

int pg_begin(struct folio_store *s, struct folio_err *err)
{
	return pg_do(s, err, "cannot begin a transaction", "BEGIN", "");
}

int pg_begin_on_doc(struct folio_store *s, long long id, const char *what, struct folio_err *err)
{
	long long found;

	if (pg_begin(s, err) != FOLIO_OK)
		return FOLIO_FAILED;
	found = pg_one(s, err, what, "SELECT 1 FROM documents WHERE id = $1 FOR UPDATE", "i", id);
	if (found > 0)
		return FOLIO_OK;
	pg_rollback(s);
	return found < 0 ? FOLIO_FAILED :
			   folio_err_set(err, FOLIO_FAILED, FOLIO_E_NOTFOUND, 0,
					 "no document with id %lld", id);
}

int pg_commit(struct folio_store *s, struct folio_err *err)
{
	return pg_do(s, err, "cannot commit", "COMMIT", "");
}

void pg_rollback(struct folio_store *s)
{
	PQclear(PQexec(s->conn, "ROLLBACK"));
}

const char *pg_str(const PGresult *r, int i, int j)
{
	return PQgetisnull(r, i, j) ? "" : PQgetvalue(r, i, j);
}

long long pg_ll(const PGresult *r, int i, int j)
{
	return PQgetisnull(r, i, j) ? 0 : strtoll(PQgetvalue(r, i, j), NULL, 10);
}

double pg_dbl(const PGresult *r, int i, int j)
{
	return PQgetisnull(r, i, j) ? 0 : strtod(PQgetvalue(r, i, j), NULL);
}

int pg_null(const PGresult *r, int i, int j)
{
	return PQgetisnull(r, i, j);
}

int pg_unavailable(struct folio_err *err, const char *what)
{
	return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, ENOSYS,
			     "%s is not available on PostgreSQL archives yet (folio %s)", what,
			     FOLIO_VERSION);
}

/* ---- opening --------------------------------------------------------------- */

/*
 * What messages and dir() show of the address: user, host, port and
 * database as libpq understood them, never a password (refused anyway)
 * nor any other option. A service name is shown as given.
 */
static char *display_of(const char *where, PQconninfoOption *opts)
{
	const char *user = NULL, *host = NULL, *port = NULL, *db = NULL;
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	PQconninfoOption *o;

	if (!strncmp(where, "service=", 8) && !strchr(where, ' '))
		return strdup(where);
	for (o = opts; o && o->keyword; o++) {
		if (!o->val || !*o->val)
			continue;
		if (!strcmp(o->keyword, "user"))
			user = o->val;
		else if (!strcmp(o->keyword, "host"))
			host = o->val;
		else if (!strcmp(o->keyword, "port"))
			port = o->val;
		else if (!strcmp(o->keyword, "dbname"))
			db = o->val;
	}
	if (folio_strbuf_adds(&sb, "postgresql://") ||
	    (user && folio_strbuf_addf(&sb, "%s@", user)) ||
	    (host && *host != '/' && folio_strbuf_adds(&sb, host)) ||
	    (port && host && *host != '/' && folio_strbuf_addf(&sb, ":%s", port)) ||
	    folio_strbuf_addf(&sb, "/%s", db ? db : "") ||
	    (host && *host == '/' && folio_strbuf_addf(&sb, "?host=%s", host)) ||
	    (port && host && *host == '/' && folio_strbuf_addf(&sb, "&port=%s", port))) {
		folio_strbuf_release(&sb);
		return NULL;
	}
	return sb.buf;
}

/* A password written into the address is refused: it would be seen in
 * the process list, in shell histories, in config files and logs. */
static int check_address(const char *where, PQconninfoOption **opts, struct folio_err *err)
{
	char *msg = NULL, line[300];
	PQconninfoOption *o;

	if (!(*opts = PQconninfoParse(where, &msg))) {
		one_line(line, sizeof(line), msg ? msg : "out of memory");
		PQfreemem(msg);
		/* libpq's message quotes nothing of a password's value */
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, EINVAL,
				     "not a PostgreSQL address: %s", line);
	}
	for (o = *opts; o->keyword; o++)
		if (!strcmp(o->keyword, "password") && o->val && *o->val)
			return folio_err_set(
				err, FOLIO_FAILED, FOLIO_E_USAGE, EINVAL,
				"the archive address holds a password: refused (it would show in "
				"the process list and in logs); keep it in a password file "
				"(PGPASSFILE, ~/.pgpass), use a service file (service=NAME, "
				"PGSERVICEFILE) or peer/certificate authentication, and give "
				"the address without it");
	return FOLIO_OK;
}

/* Connect; the address is libpq's (URI or service=NAME). Keywords are
 * taken in order, later ones winning: a connect_timeout of 10 s unless
 * the address names one, application_name "folio" unless it does. */
static PGconn *connect_to(const char *where, const char *display, struct folio_err *err)
{
	static const char *const keys[] = { "connect_timeout", "dbname",
					    "fallback_application_name", NULL };
	const char *vals[] = { "10", where, "folio", NULL };
	PGconn *conn = PQconnectdbParams(keys, vals, 1);
	char line[400];

	if (!conn) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		one_line(line, sizeof(line), PQerrorMessage(conn));
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_DB, ECONNREFUSED,
			      "cannot connect to the archive's database %s: %s", display, line);
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

struct folio_store *pg_open(const char *where, int flags, struct folio_err *err)
{
	struct folio_store *s = calloc(1, sizeof(*s));
	PQconninfoOption *opts = NULL;

	if (!s) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		return NULL;
	}
	s->rdonly = !!(flags & FOLIO_ARCHIVE_RDONLY);
	if (check_address(where, &opts, err) != FOLIO_OK)
		goto fail;
	if (!(s->display = display_of(where, opts))) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		goto fail;
	}
	PQconninfoFree(opts);
	opts = NULL;
	if (!(s->conn = connect_to(where, s->display, err)))
		goto fail;
	/* the server's notices ("relation exists, skipping") are not for the
	 * person running folio */
	if (pg_do(s, err, "cannot set up the session", "SET client_min_messages = warning", "") !=
	    FOLIO_OK)
		goto fail;
	if (pg_migrate(s, !!(flags & FOLIO_ARCHIVE_CREATE), err) != FOLIO_OK)
		goto fail;
	if (s->rdonly && pg_do(s, err, "cannot set up the session",
			       "SET default_transaction_read_only = on", "") != FOLIO_OK)
		goto fail;
	return s;
fail:
	PQconninfoFree(opts);
	pg_close(s);
	return NULL;
}

void pg_close(struct folio_store *s)
{
	if (!s)
		return;
	if (s->conn)
		PQfinish(s->conn);
	free(s->display);
	free(s);
}

const char *pg_dir(const struct folio_store *s)
{
	return s->display;
}

int pg_readonly(const struct folio_store *s)
{
	return s->rdonly;
}
