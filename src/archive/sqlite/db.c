/*
 * db.c - the archive database: open, migrations, storing and loading
 * documents, the audit log, statistics. See include/folio/archive.h.
 */
#include "sqlite_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "folio/simhash.h"
#include "folio/strbuf.h"
#include "folio/util.h"
#include "vendors.h"

/*
 * Numbered migrations: migrations[i] takes the schema from version i to
 * i + 1. Never edit a released one; append a new one.
 */
static const char *const migrations[] = {
	/* 0 -> 1: the core schema */
	"CREATE TABLE documents ("
	"  id INTEGER PRIMARY KEY,"
	"  sha256 TEXT NOT NULL UNIQUE,"
	"  path TEXT NOT NULL,"          /* where it came from */
	"  name TEXT NOT NULL,"
	"  title TEXT,"
	"  mime TEXT NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  pages INTEGER NOT NULL,"
	"  doc_type TEXT NOT NULL,"
	"  type_conf REAL NOT NULL,"
	"  type_reason TEXT,"
	"  status TEXT NOT NULL,"
	"  ocr_conf REAL,"
	"  text TEXT NOT NULL,"
	"  field_text TEXT NOT NULL DEFAULT '',"
	"  added_at TEXT NOT NULL"
	");"
	"CREATE INDEX documents_type ON documents(doc_type);"
	"CREATE INDEX documents_status ON documents(status);"
	"CREATE TABLE pages ("
	"  doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
	"  number INTEGER NOT NULL,"
	"  width INTEGER, height INTEGER, dpi INTEGER,"
	"  source TEXT NOT NULL,"
	"  conf REAL,"
	"  rotation INTEGER NOT NULL DEFAULT 0,"
	"  skew REAL NOT NULL DEFAULT 0,"
	"  blank INTEGER NOT NULL DEFAULT 0,"
	"  nwords INTEGER NOT NULL DEFAULT 0,"
	"  text TEXT NOT NULL,"
	"  words TEXT NOT NULL,"         /* 'x y w h conf line word' per line */
	"  PRIMARY KEY (doc_id, number)"
	") WITHOUT ROWID;"
	"CREATE TABLE fields ("
	"  doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  raw TEXT,"
	"  confidence REAL NOT NULL,"
	"  source TEXT NOT NULL,"
	"  page INTEGER NOT NULL DEFAULT 0,"
	"  x INTEGER NOT NULL DEFAULT 0, y INTEGER NOT NULL DEFAULT 0,"
	"  w INTEGER NOT NULL DEFAULT 0, h INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (doc_id, name)"
	") WITHOUT ROWID;"
	"CREATE TABLE tags ("
	"  doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
	"  tag TEXT NOT NULL,"
	"  PRIMARY KEY (doc_id, tag)"
	") WITHOUT ROWID;"
	"CREATE INDEX tags_tag ON tags(tag);"
	/* append-only audit log; each row's hash covers the previous one */
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  doc_id INTEGER,"
	"  sha256 TEXT,"
	"  path TEXT,"
	"  detail TEXT,"
	"  hash TEXT NOT NULL"
	");"
	"CREATE INDEX events_kind ON events(kind);"
	"CREATE TRIGGER events_append_only_u BEFORE UPDATE ON events "
	"  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;"
	"CREATE TRIGGER events_append_only_d BEFORE DELETE ON events "
	"  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;"
	"CREATE VIRTUAL TABLE doc_fts USING fts5("
	"  title, text, field_text,"
	"  content='documents', content_rowid='id',"
	"  tokenize='folio remove_diacritics 2'"
	");",
	/* 1 -> 2: the watcher's journal and the daemon's heartbeat */
	"CREATE TABLE journal ("
	"  id INTEGER PRIMARY KEY,"
	"  path TEXT NOT NULL,"
	"  size INTEGER,"
	"  state TEXT NOT NULL,"      /* received, archived, duplicate, quarantined, vanished,
					  retry, interrupted */
	"  sha256 TEXT,"
	"  documents INTEGER NOT NULL DEFAULT 0,"
	"  pages INTEGER NOT NULL DEFAULT 0,"
	"  reason TEXT,"
	"  moved_to TEXT,"
	"  received_at REAL NOT NULL,"
	"  updated_at REAL NOT NULL"
	");"
	"CREATE INDEX journal_state ON journal(state, updated_at);"
	"CREATE TABLE daemon ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  pid INTEGER NOT NULL,"
	"  started_at REAL NOT NULL,"
	"  heartbeat_at REAL NOT NULL,"
	"  queue INTEGER NOT NULL DEFAULT 0,"
	"  unsettled INTEGER NOT NULL DEFAULT 0,"
	"  inboxes TEXT NOT NULL"
	");",
	/* 2 -> 3: substring search (invoice and account numbers) */
	"CREATE VIRTUAL TABLE doc_tri USING fts5("
	"  text, field_text,"
	"  content='documents', content_rowid='id',"
	"  tokenize='trigram'"
	");"
	"INSERT INTO doc_tri(doc_tri) VALUES('rebuild');",
	/* 3 -> 4: near-duplicates (the same paper scanned twice) */
	"ALTER TABLE documents ADD COLUMN simhash INTEGER;"
	"ALTER TABLE documents ADD COLUMN dup_of INTEGER REFERENCES documents(id);"
	"CREATE TABLE simhash_band ("
	"  band INTEGER NOT NULL,"
	"  value INTEGER NOT NULL,"
	"  doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE"
	");"
	"CREATE INDEX simhash_band_value ON simhash_band(band, value);"
	"CREATE INDEX fields_name_value ON fields(name, value);",
	/* 4 -> 5: extraction (why a document needs review, disagreements
	 * between sources) and the barcodes of each page */
	"ALTER TABLE documents ADD COLUMN review TEXT;"
	"ALTER TABLE documents ADD COLUMN notes TEXT;"
	"CREATE TABLE codes ("
	"  doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
	"  page INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  type TEXT NOT NULL,"
	"  data TEXT NOT NULL,"
	"  x INTEGER NOT NULL, y INTEGER NOT NULL, w INTEGER NOT NULL, h INTEGER NOT NULL,"
	"  PRIMARY KEY (doc_id, page, seq)"
	") WITHOUT ROWID;"
	/* where a vendor prints each field, learnt from corrections */
	"CREATE TABLE vendor_templates ("
	"  seller_tax_id TEXT NOT NULL,"
	"  field TEXT NOT NULL,"
	"  page INTEGER NOT NULL,"
	"  x REAL NOT NULL, y REAL NOT NULL, w REAL NOT NULL, h REAL NOT NULL,"
	"  hits INTEGER NOT NULL DEFAULT 1,"
	"  updated_at TEXT NOT NULL,"
	"  PRIMARY KEY (seller_tax_id, field)"
	") WITHOUT ROWID;",
	/* 5 -> 6: correspondents (src/archive/vendors.c), built for the
	 * documents already there by the same rules: tax ID, then IBAN, then
	 * the name's key (folio_vendor_key; equal keys only) */
	"CREATE TABLE vendors ("
	"  id INTEGER PRIMARY KEY,"
	"  tax_id TEXT UNIQUE,"           /* NULL: known by name only */
	"  name TEXT,"                    /* the most frequent spelling */
	"  first_seen TEXT NOT NULL,"
	"  last_seen TEXT NOT NULL,"
	"  documents INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE TABLE vendor_names ("
	"  vendor_id INTEGER NOT NULL REFERENCES vendors(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  key TEXT NOT NULL,"
	"  count INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (vendor_id, name)"
	") WITHOUT ROWID;"
	"CREATE INDEX vendor_names_key ON vendor_names(key);"
	"CREATE TABLE vendor_ibans ("
	"  vendor_id INTEGER NOT NULL REFERENCES vendors(id) ON DELETE CASCADE,"
	"  iban TEXT NOT NULL,"
	"  count INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (vendor_id, iban)"
	") WITHOUT ROWID;"
	"CREATE INDEX vendor_ibans_iban ON vendor_ibans(iban);"
	"ALTER TABLE documents ADD COLUMN vendor_id INTEGER REFERENCES vendors(id);"
	"CREATE INDEX documents_vendor ON documents(vendor_id);"
	/* the backfill: one vendor per seller tax ID */
	"INSERT INTO vendors(tax_id, first_seen, last_seen)"
	"  SELECT f.value, min(d.added_at), max(d.added_at) FROM fields f"
	"  JOIN documents d ON d.id = f.doc_id"
	"  WHERE f.name = 'seller_tax_id' AND f.value != '' GROUP BY f.value;"
	"UPDATE documents SET vendor_id = (SELECT v.id FROM fields f JOIN vendors v"
	"  ON v.tax_id = f.value WHERE f.doc_id = documents.id AND f.name = 'seller_tax_id')"
	"  WHERE id IN (SELECT doc_id FROM fields WHERE name = 'seller_tax_id' AND value != '');"
	"CREATE TEMP TABLE vendor_keys AS SELECT doc_id, folio_vendor_key(value) AS key"
	"  FROM fields WHERE name = 'seller_name';"
	"DELETE FROM vendor_keys WHERE key = '';"
	"CREATE INDEX temp.vendor_keys_key ON vendor_keys(key);"
	"CREATE INDEX temp.vendor_keys_doc ON vendor_keys(doc_id);"
	/* no tax ID, a seller name: an IBAN on a vendor's document (the
	 * vendor of the oldest one; lookup tables keep this linear) */
	"CREATE TEMP TABLE vendor_doc_ibans AS SELECT doc_id,"
	"  upper(replace(value, ' ', '')) AS iban FROM fields WHERE name = 'iban' AND value != '';"
	"CREATE INDEX temp.vendor_doc_ibans_doc ON vendor_doc_ibans(doc_id);"
	"CREATE TEMP TABLE vendor_by_iban AS SELECT i.iban, d.vendor_id, min(d.id)"
	"  FROM vendor_doc_ibans i JOIN documents d ON d.id = i.doc_id"
	"  WHERE d.vendor_id IS NOT NULL GROUP BY i.iban;"
	"CREATE INDEX temp.vendor_by_iban_iban ON vendor_by_iban(iban);"
	"UPDATE documents SET vendor_id = (SELECT m.vendor_id FROM vendor_doc_ibans i"
	"  JOIN vendor_by_iban m ON m.iban = i.iban WHERE i.doc_id = documents.id)"
	"  WHERE vendor_id IS NULL AND id IN (SELECT doc_id FROM vendor_keys)"
	"  AND id IN (SELECT i.doc_id FROM vendor_doc_ibans i JOIN vendor_by_iban m"
	"  ON m.iban = i.iban);"
	/* then the same name key as a vendor's document */
	"CREATE TEMP TABLE vendor_by_key AS SELECT k.key, d.vendor_id, min(d.id)"
	"  FROM vendor_keys k JOIN documents d ON d.id = k.doc_id"
	"  WHERE d.vendor_id IS NOT NULL GROUP BY k.key;"
	"CREATE INDEX temp.vendor_by_key_key ON vendor_by_key(key);"
	"UPDATE documents SET vendor_id = (SELECT m.vendor_id FROM vendor_keys k"
	"  JOIN vendor_by_key m ON m.key = k.key WHERE k.doc_id = documents.id)"
	"  WHERE vendor_id IS NULL AND id IN (SELECT k.doc_id FROM vendor_keys k"
	"  JOIN vendor_by_key m ON m.key = k.key);"
	/* else a new vendor per name key (its name is the key until the end) */
	"INSERT INTO vendors(name, first_seen, last_seen)"
	"  SELECT k.key, min(d.added_at), max(d.added_at) FROM vendor_keys k"
	"  JOIN documents d ON d.id = k.doc_id WHERE d.vendor_id IS NULL GROUP BY k.key;"
	"CREATE INDEX vendors_backfill ON vendors(name) WHERE tax_id IS NULL;"
	"UPDATE documents SET vendor_id = (SELECT v.id FROM vendor_keys k JOIN vendors v"
	"  ON v.tax_id IS NULL AND v.name = k.key WHERE k.doc_id = documents.id)"
	"  WHERE vendor_id IS NULL AND id IN (SELECT doc_id FROM vendor_keys);"
	"DROP INDEX vendors_backfill;"
	/* the spellings, IBANs, counts and dates */
	"INSERT INTO vendor_names(vendor_id, name, key, count)"
	"  SELECT d.vendor_id, f.value, k.key, count(*) FROM documents d"
	"  JOIN fields f ON f.doc_id = d.id AND f.name = 'seller_name'"
	"  JOIN vendor_keys k ON k.doc_id = d.id"
	"  WHERE d.vendor_id IS NOT NULL GROUP BY d.vendor_id, f.value;"
	"INSERT INTO vendor_ibans(vendor_id, iban, count)"
	"  SELECT d.vendor_id, upper(replace(f.value, ' ', '')), count(*) FROM documents d"
	"  JOIN fields f ON f.doc_id = d.id AND f.name = 'iban' AND f.value != ''"
	"  WHERE d.vendor_id IS NOT NULL GROUP BY 1, 2;"
	"UPDATE vendors SET"
	"  documents = (SELECT count(*) FROM documents d WHERE d.vendor_id = vendors.id),"
	"  first_seen = (SELECT min(added_at) FROM documents d WHERE d.vendor_id = vendors.id),"
	"  last_seen = (SELECT max(added_at) FROM documents d WHERE d.vendor_id = vendors.id),"
	"  name = (SELECT n.name FROM vendor_names n WHERE n.vendor_id = vendors.id"
	"    ORDER BY n.count DESC, n.name LIMIT 1);"
	"DROP TABLE temp.vendor_keys; DROP TABLE temp.vendor_doc_ibans;"
	"DROP TABLE temp.vendor_by_iban; DROP TABLE temp.vendor_by_key;",
	/* 6 -> 7: the export ledger (src/export/service.c). A batch is
	 * 'pending' from the commit that records it until its files are in
	 * place, then 'done'; ARCHIVE/exports/ID/ keeps the bytes written,
	 * for recovery and --again. One row per document and target: each
	 * invoice goes to a target once. */
	"CREATE TABLE export_batches ("
	"  id INTEGER PRIMARY KEY,"
	"  target TEXT NOT NULL,"         /* format, or format:profile */
	"  format TEXT NOT NULL,"
	"  profile TEXT,"
	"  query TEXT,"
	"  out TEXT NOT NULL,"            /* absolute path of the file or folder, '-': stdout */
	"  state TEXT NOT NULL,"          /* pending, done */
	"  documents INTEGER NOT NULL DEFAULT 0,"
	"  bytes INTEGER NOT NULL DEFAULT 0,"
	"  created_at TEXT NOT NULL,"
	"  done_at TEXT"
	");"
	"CREATE TABLE export_files ("
	"  batch_id INTEGER NOT NULL REFERENCES export_batches(id),"
	"  seq INTEGER NOT NULL,"
	"  name TEXT NOT NULL,"           /* relative to the batch's out folder, '' for one file */
	"  sha256 TEXT NOT NULL,"
	"  bytes INTEGER NOT NULL,"
	"  PRIMARY KEY (batch_id, seq)"
	") WITHOUT ROWID;"
	"CREATE TABLE exports ("
	"  doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
	"  target TEXT NOT NULL,"
	"  batch_id INTEGER NOT NULL REFERENCES export_batches(id),"
	"  invoice_key TEXT,"             /* seller tax ID '|' invoice number */
	"  sha256 TEXT NOT NULL,"         /* of the bytes written for this document */
	"  at TEXT NOT NULL,"
	"  PRIMARY KEY (doc_id, target)"
	") WITHOUT ROWID;"
	"CREATE INDEX exports_key ON exports(target, invoice_key);"
	"CREATE INDEX exports_batch ON exports(batch_id);",
	/* 7 -> 8: search speed (src/archive/search.c). doc_dates holds each
	 * document's list date - the invoice date, else the day it was added -
	 * kept by triggers, so a list by date walks an index instead of
	 * computing every document's date; tax IDs without their country
	 * prefix get an index for nip:. */
	"CREATE TABLE doc_dates ("
	"  id INTEGER PRIMARY KEY,"       /* documents.id */
	"  date TEXT"
	");"
	"INSERT INTO doc_dates(id, date) SELECT id, coalesce((SELECT value FROM fields"
	"  WHERE doc_id = documents.id AND name = 'issue_date'), substr(added_at, 1, 10))"
	"  FROM documents;"
	"CREATE INDEX doc_dates_date ON doc_dates(date);"
	"CREATE TRIGGER doc_dates_doc_i AFTER INSERT ON documents BEGIN"
	"  INSERT OR REPLACE INTO doc_dates(id, date) VALUES (new.id, coalesce((SELECT value"
	"  FROM fields WHERE doc_id = new.id AND name = 'issue_date'),"
	"  substr(new.added_at, 1, 10))); END;"
	"CREATE TRIGGER doc_dates_doc_u AFTER UPDATE OF added_at ON documents BEGIN"
	"  UPDATE doc_dates SET date = coalesce((SELECT value FROM fields WHERE doc_id = new.id"
	"  AND name = 'issue_date'), substr(new.added_at, 1, 10)) WHERE id = new.id; END;"
	"CREATE TRIGGER doc_dates_doc_d AFTER DELETE ON documents BEGIN"
	"  DELETE FROM doc_dates WHERE id = old.id; END;"
	"CREATE TRIGGER doc_dates_field_i AFTER INSERT ON fields"
	"  WHEN new.name = 'issue_date' BEGIN"
	"  UPDATE doc_dates SET date = new.value WHERE id = new.doc_id; END;"
	"CREATE TRIGGER doc_dates_field_u AFTER UPDATE ON fields"
	"  WHEN old.name = 'issue_date' OR new.name = 'issue_date' BEGIN"
	"  UPDATE doc_dates SET date = coalesce((SELECT value FROM fields WHERE"
	"  doc_id = doc_dates.id AND name = 'issue_date'), (SELECT substr(added_at, 1, 10)"
	"  FROM documents WHERE id = doc_dates.id)) WHERE id IN (old.doc_id, new.doc_id); END;"
	"CREATE TRIGGER doc_dates_field_d AFTER DELETE ON fields"
	"  WHEN old.name = 'issue_date' BEGIN"
	"  UPDATE doc_dates SET date = (SELECT substr(added_at, 1, 10) FROM documents"
	"  WHERE id = old.doc_id) WHERE id = old.doc_id; END;"
	"CREATE INDEX fields_taxid_tail ON fields(substr(value, 3))"
	"  WHERE name IN ('seller_tax_id', 'buyer_tax_id');",
	/* 8 -> 9: prefix queries (fak*) read one list of the 2- or
	 * 3-letter prefix instead of merging every word that starts with it */
	"DROP TABLE doc_fts;"
	"CREATE VIRTUAL TABLE doc_fts USING fts5("
	"  title, text, field_text,"
	"  content='documents', content_rowid='id',"
	"  tokenize='folio remove_diacritics 2', prefix='2 3'"
	");"
	"INSERT INTO doc_fts(doc_fts) VALUES('rebuild');",
	/* 9 -> 10: the original a part of a split batch was cut from (kept in
	 * the store, named by each part) */
	"ALTER TABLE documents ADD COLUMN source_sha256 TEXT;"
	"CREATE INDEX documents_source ON documents(source_sha256)"
	"  WHERE source_sha256 IS NOT NULL;",
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

static const char *col(sqlite3_stmt *st, int i);

int folio_db_err(struct folio_store *arc, struct folio_err *err, const char *what)
{
	int code = sqlite3_extended_errcode(arc->db);

	/* another program (a second folio, a backup, sqlite3) kept the write
	 * lock past the busy timeout: nothing is wrong with the archive */
	if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_DB, EBUSY,
				     "%s: the archive is busy: another program has kept its "
				     "database locked for more than %g s; try again when it is done",
				     what, arc->busy_ms / 1000.0);
	if (code == SQLITE_FULL || code == SQLITE_IOERR_WRITE)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, ENOSPC,
				     "%s: the archive's disk is full or failing (%s)", what,
				     sqlite3_errmsg(arc->db));
	return folio_err_set(err, FOLIO_FAILED, FOLIO_E_DB, 0, "%s: %s", what,
			     sqlite3_errmsg(arc->db));
}

static int exec(struct folio_store *arc, const char *sql, struct folio_err *err)
{
	if (sqlite3_exec(arc->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return folio_db_err(arc, err, "database");
	return FOLIO_OK;
}

int sq_schema_version(struct folio_store *arc)
{
	sqlite3_stmt *st;
	int v = 0, rc;

	if (sqlite3_prepare_v2(arc->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	/* a database that cannot be read is no version 0: the caller must
	 * not take it for an empty archive to migrate */
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	else if (rc != SQLITE_DONE)
		v = -1;
	sqlite3_finalize(st);
	return v;
}

/* Tests build old archives by stopping the migrations early. */
static int migrate_limit = -1;

static int migrate(struct folio_store *arc, struct folio_err *err)
{
	int v = sq_schema_version(arc), ret;
	int last = migrate_limit >= 0 && migrate_limit < NMIGRATIONS ? migrate_limit : NMIGRATIONS;
	char sql[64];

	if (v < 0)
		return folio_db_err(arc, err, "cannot read the schema version");
	if (v > NMIGRATIONS)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_DB, 0,
				     "archive schema version %d is newer than this folio "
				     "understands (%d): upgrade folio", v, NMIGRATIONS);
	for (; v < last; v++) {
		/* IMMEDIATE: two processes opening a fresh archive at once must
		 * not both run a migration */
		if ((ret = exec(arc, "BEGIN IMMEDIATE", err)) != FOLIO_OK)
			return ret;
		if (sq_schema_version(arc) > v) {
			exec(arc, "ROLLBACK", NULL);
			continue;
		}
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if ((ret = exec(arc, migrations[v], err)) != FOLIO_OK ||
		    (ret = exec(arc, sql, err)) != FOLIO_OK) {
			exec(arc, "ROLLBACK", NULL);
			return ret;
		}
		if ((ret = exec(arc, "COMMIT", err)) != FOLIO_OK)
			return ret;
	}
	return FOLIO_OK;
}

/*
 * A WAL database can be read only where its "-shm" index can be made or
 * already exists. On a folder this user cannot write (a read-only mount,
 * an archive owned by the daemon's user) with no "-wal" file left, the
 * database file holds everything: open it as immutable, so SQLite reads
 * it without the shared-memory index. With a "-wal" file present a writer
 * may be active (or crashed) and the file alone is not the truth, so the
 * caller's error stands.
 */
static int open_immutable(struct folio_store *arc, const char *dbpath)
{
	struct folio_strbuf uri = FOLIO_STRBUF_INIT, wal = FOLIO_STRBUF_INIT;
	const char *p;
	int rc = SQLITE_CANTOPEN;

	if (folio_strbuf_addf(&wal, "%s-wal", dbpath) || !access(wal.buf, F_OK) ||
	    errno != ENOENT || folio_strbuf_adds(&uri, "file:"))
		goto out;
	for (p = dbpath; *p; p++) {
		if ((*p == '%' || *p == '?' || *p == '#') ?
			    folio_strbuf_addf(&uri, "%%%02X", (unsigned char)*p) :
			    folio_strbuf_addch(&uri, *p))
			goto out;
	}
	if (folio_strbuf_adds(&uri, "?immutable=1"))
		goto out;
	sqlite3_close_v2(arc->db);
	arc->db = NULL;
	rc = sqlite3_open_v2(uri.buf, &arc->db,
			     SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK && sq_schema_version(arc) < 0)
		rc = sqlite3_errcode(arc->db);
out:
	folio_strbuf_release(&uri);
	folio_strbuf_release(&wal);
	return rc;
}

struct folio_store *sq_open(const char *dir, int flags, struct folio_err *err)
{
	struct folio_store *arc = calloc(1, sizeof(*arc));
	char *dbpath = NULL;
	struct stat st;
	int oflags;

	if (!arc) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		return NULL;
	}
	arc->rdonly = !!(flags & FOLIO_ARCHIVE_RDONLY);
	if (!(arc->dir = strdup(dir)) || !(arc->store_dir = folio_path_join(dir, "store")) ||
	    !(dbpath = folio_path_join(dir, "folio.db"))) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		goto fail;
	}
	if (stat(dbpath, &st)) {
		if (!(flags & FOLIO_ARCHIVE_CREATE)) {
			folio_err_set(err, FOLIO_FAILED, FOLIO_E_NOTFOUND, errno,
				      "no archive at '%s' (run 'folio init')", dir);
			goto fail;
		}
		if (folio_mkdirs(dir, 0755, err) != FOLIO_OK ||
		    folio_mkdirs(arc->store_dir, 0755, err) != FOLIO_OK)
			goto fail;
	}
	oflags = arc->rdonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(dbpath, &arc->db, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_DB, 0, "cannot open '%s': %s", dbpath,
			      arc->db ? sqlite3_errmsg(arc->db) : "out of memory");
		goto fail;
	}
	if (arc->rdonly && sq_schema_version(arc) < 0 &&
	    (sqlite3_errcode(arc->db) & 0xff) == SQLITE_CANTOPEN &&
	    open_immutable(arc, dbpath) != SQLITE_OK) {
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_DB, 0, "cannot open '%s' for reading: %s",
			      dbpath, sqlite3_errmsg(arc->db));
		goto fail;
	}
	/* FOLIO_BUSY_TIMEOUT_MS: a test hook (tests/e2e/faults.sh), like FOLIO_FAULT */
	arc->busy_ms = 10000;
	if (getenv("FOLIO_BUSY_TIMEOUT_MS")) {
		long ms = strtol(getenv("FOLIO_BUSY_TIMEOUT_MS"), NULL, 10);

		if (ms > 0 && ms <= 600000)
			arc->busy_ms = (int)ms;
	}
	sqlite3_busy_timeout(arc->db, arc->busy_ms);
	sqlite3_extended_result_codes(arc->db, 1);
	if (folio_fts_register(arc->db) != SQLITE_OK) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_DB, 0,
			      "cannot register the full-text tokenizer (SQLite without FTS5?)");
		goto fail;
	}
	if (folio_vendor_register(arc->db) != SQLITE_OK) {
		folio_db_err(arc, err, "cannot register the vendor functions");
		goto fail;
	}
	if (!arc->rdonly &&
	    (exec(arc, "PRAGMA journal_mode = WAL", err) != FOLIO_OK ||
	     exec(arc, "PRAGMA synchronous = NORMAL", err) != FOLIO_OK))
		goto fail;
	/* up to 128 MB of pages, filled only as they are read: at 200,000
	 * documents the 2 MB default sent most index lookups to the disk
	 * (bench-search p99 55 -> 45 ms) */
	if (exec(arc, "PRAGMA foreign_keys = ON", err) != FOLIO_OK ||
	    exec(arc, "PRAGMA cache_size = -131072", err) != FOLIO_OK)
		goto fail;
	/* a non-database file in place of folio.db fails here, clearly */
	if (sq_schema_version(arc) < 0) {
		folio_db_err(arc, err, "cannot read the archive database");
		goto fail;
	}
	if (!arc->rdonly && migrate(arc, err) != FOLIO_OK)
		goto fail;
	if (arc->rdonly && sq_schema_version(arc) < NMIGRATIONS) {
		/* an archive from an older folio: upgrade it once, then read */
		struct folio_store *rw;

		sqlite3_close_v2(arc->db);
		arc->db = NULL;
		if (!(rw = sq_open(dir, 0, err)))
			goto fail;
		sq_close(rw);
		free(dbpath);
		sq_close(arc);
		return sq_open(dir, flags, err);
	}
	free(dbpath);
	return arc;
fail:
	free(dbpath);
	sq_close(arc);
	return NULL;
}

int folio_archive_create_version(const char *dir, int version, struct folio_err *err)
{
	struct folio_store *arc;

	migrate_limit = version;
	arc = sq_open(dir, FOLIO_ARCHIVE_CREATE, err);
	migrate_limit = -1;
	sq_close(arc);
	return arc ? FOLIO_OK : FOLIO_FAILED;
}

void sq_close(struct folio_store *arc)
{
	if (!arc)
		return;
	if (arc->db)
		sqlite3_close_v2(arc->db);
	free(arc->dir);
	free(arc->store_dir);
	free(arc);
}

const char *folio_archive_engine_version(void)
{
	return sqlite3_libversion();
}

int sq_readonly(const struct folio_store *arc)
{
	return arc->rdonly;
}

const char *sq_dir(const struct folio_store *arc)
{
	return arc->dir;
}

int sq_each_sha(struct folio_store *arc,
			   int (*fn)(void *ctx, const char *sha256, long long id),
			   void *ctx, struct folio_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(arc->db, "SELECT sha256, id FROM documents", -1, &st, NULL))
		return folio_db_err(arc, err, "cannot list documents");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1)))
			break;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return folio_db_err(arc, err, "cannot list documents");
	return FOLIO_OK;
}

long long sq_find_sha(struct folio_store *arc, const char *sha256,
				 struct folio_err *err)
{
	sqlite3_stmt *st;
	long long id = 0;

	if (sqlite3_prepare_v2(arc->db, "SELECT id FROM documents WHERE sha256 = ?", -1, &st,
			       NULL)) {
		folio_db_err(arc, err, "cannot look up a document");
		return -1;
	}
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

int sq_summary(struct folio_store *arc, long long id, int *pages, char *type,
			  size_t typelen, struct folio_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(arc->db, "SELECT pages, doc_type FROM documents WHERE id = ?", -1,
			       &st, NULL))
		return folio_db_err(arc, err, "cannot look up a document");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*pages = sqlite3_column_int(st, 0);
		snprintf(type, typelen, "%s", (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return FOLIO_OK;
	if (rc == SQLITE_DONE)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_NOTFOUND, 0,
				     "no document with id %lld", id);
	return folio_db_err(arc, err, "cannot look up a document");
}

int sq_has_path(struct folio_store *arc, long long id, const char *path)
{
	sqlite3_stmt *st;
	int r = 0;

	if (sqlite3_prepare_v2(arc->db, "SELECT 1 FROM documents WHERE id = ? AND path = ?", -1,
			       &st, NULL))
		return 0;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	r = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return r;
}

/* Prepare, bind by the format letters in `types` and step once. */
static int run(struct folio_store *arc, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int i, rc;

	if (sqlite3_prepare_v2(arc->db, sql, -1, &st, NULL) != SQLITE_OK)
		return sqlite3_errcode(arc->db);
	va_start(ap, types);
	for (i = 0; types[i]; i++) {
		switch (types[i]) {
		case 's': {
			const char *s = va_arg(ap, const char *);

			if (s)
				sqlite3_bind_text(st, i + 1, s, -1, SQLITE_STATIC);
			break;
		}
		case 'i':
			sqlite3_bind_int64(st, i + 1, va_arg(ap, long long));
			break;
		case 'd':
			sqlite3_bind_double(st, i + 1, va_arg(ap, double));
			break;
		}
	}
	va_end(ap);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int last_event_hash(struct folio_store *arc, char prev[65])
{
	sqlite3_stmt *st;

	strcpy(prev, "0");
	if (sqlite3_prepare_v2(arc->db, "SELECT hash FROM events ORDER BY id DESC LIMIT 1", -1,
			       &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(prev, 65, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return 0;
}

int sq_event(struct folio_store *arc, const char *kind, long long doc_id,
			const char *sha256, const char *path, const char *detail,
			struct folio_err *err)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	char at[32], prev[65], hash[65];
	int rc;

	folio_iso_now(at);
	if (last_event_hash(arc, prev))
		return folio_db_err(arc, err, "cannot read the event log");
	if (folio_strbuf_addf(&sb, "%s\n%s\n%s\n%lld\n%s\n%s\n%s", prev, at, kind, doc_id,
			      sha256 ? sha256 : "", path ? path : "", detail ? detail : "")) {
		folio_strbuf_release(&sb);
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	}
	folio_sha256_hex(sb.buf, sb.len, hash);
	folio_strbuf_release(&sb);
	rc = run(arc,
		 "INSERT INTO events(at, kind, doc_id, sha256, path, detail, hash) "
		 "VALUES (?, ?, NULLIF(?, 0), ?, ?, ?, ?)",
		 "ssissss", at, kind, doc_id, sha256, path, detail, hash);
	if (rc != SQLITE_OK)
		return folio_db_err(arc, err, "cannot write the event log");
	return FOLIO_OK;
}

/* Serialise a page's words as 'x y w h conf line text' lines. */
static int words_blob(const struct folio_page *pg, struct folio_strbuf *sb)
{
	size_t i;

	folio_strbuf_reset(sb);
	/* words without boxes (plain text, XML) add nothing to the page text:
	 * storing them would only multiply the database by eight */
	for (i = 0; i < pg->nwords; i++)
		if (pg->words[i].w || pg->words[i].h)
			break;
	if (i == pg->nwords)
		return folio_strbuf_grow(sb, 0);
	for (i = 0; i < pg->nwords; i++) {
		const struct folio_word *w = &pg->words[i];

		if (folio_strbuf_addf(sb, "%d %d %d %d %.3f %d %s\n", w->x, w->y, w->w, w->h,
				      (double)w->conf, w->line, w->text))
			return -1;
	}
	return folio_strbuf_grow(sb, 0);
}

/* What search finds besides the text: field values (not the JSON of
 * tables, whose words are in the text anyway) and barcode payloads. */
static int field_text(const struct folio_doc *doc, struct folio_strbuf *sb)
{
	size_t i, k;

	folio_strbuf_reset(sb);
	for (i = 0; i < doc->nfields; i++) {
		const char *v = doc->fields[i].value;

		if (*v == '[' || *v == '{')
			continue;
		if (folio_strbuf_adds(sb, v) || folio_strbuf_addch(sb, '\n'))
			return -1;
	}
	for (i = 0; i < doc->npages; i++)
		for (k = 0; k < doc->pages[i].ncodes; k++)
			if (folio_strbuf_adds(sb, doc->pages[i].codes[k].data) ||
			    folio_strbuf_addch(sb, '\n'))
				return -1;
	return folio_strbuf_grow(sb, 0);
}

static double mean_conf(const struct folio_doc *doc)
{
	double sum = 0;
	size_t i, n = 0;

	for (i = 0; i < doc->npages; i++) {
		if (doc->pages[i].source != FOLIO_SRC_OCR || doc->pages[i].blank)
			continue;
		sum += doc->pages[i].conf;
		n++;
	}
	return n ? sum / (double)n : -1;
}

/*
 * SimHash bands: 64 bits cut into 7 bands; two hashes within
 * FOLIO_SIMHASH_NEAR (6) bits agree on at least one band (pigeonhole), so
 * looking up the 7 bands finds every near-duplicate candidate.
 */
#define NBANDS 7

static long long band_value(uint64_t h, int band)
{
	int shift = band * 9, bits = band == NBANDS - 1 ? 10 : 9;

	return (long long)((h >> shift) & ((1ULL << bits) - 1));
}

/* The oldest archived document whose text is within FOLIO_SIMHASH_NEAR bits. */
static long long near_duplicate(struct folio_store *arc, uint64_t h)
{
	sqlite3_stmt *st;
	long long best = 0;
	int b;

	if (!h || sqlite3_prepare_v2(arc->db,
				     "SELECT d.id, d.simhash FROM simhash_band s JOIN documents d"
				     " ON d.id = s.doc_id WHERE s.band = ? AND s.value = ?"
				     " ORDER BY d.id", -1, &st, NULL))
		return 0;
	for (b = 0; b < NBANDS; b++) {
		sqlite3_reset(st);
		sqlite3_bind_int(st, 1, b);
		sqlite3_bind_int64(st, 2, band_value(h, b));
		while (sqlite3_step(st) == SQLITE_ROW) {
			long long id = sqlite3_column_int64(st, 0);
			uint64_t other = (uint64_t)sqlite3_column_int64(st, 1);

			if (folio_simhash_distance(h, other) <= FOLIO_SIMHASH_NEAR &&
			    (!best || id < best))
				best = id;
		}
	}
	sqlite3_finalize(st);
	return best;
}

/* The oldest other document with the same seller tax ID and invoice
 * number: the same invoice, whatever its text looks like. */
static long long same_invoice(struct folio_store *arc, const struct folio_doc *doc)
{
	const struct folio_field *nip = folio_doc_field(doc, "seller_tax_id");
	const struct folio_field *num = folio_doc_field(doc, "invoice_number");
	sqlite3_stmt *st;
	long long id = 0;

	if (!nip || !num || !*nip->value || !*num->value ||
	    sqlite3_prepare_v2(arc->db,
			       "SELECT a.doc_id FROM fields a JOIN fields b ON b.doc_id = a.doc_id"
			       " AND b.name = 'invoice_number' AND b.value = ?"
			       " WHERE a.name = 'seller_tax_id' AND a.value = ? AND a.doc_id != ?"
			       " ORDER BY a.doc_id LIMIT 1", -1, &st, NULL))
		return 0;
	sqlite3_bind_text(st, 1, num->value, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, nip->value, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, doc->id);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

/* The fields of `doc` as rows (inside the caller's transaction). */
static int insert_fields(struct folio_store *arc, const struct folio_doc *doc)
{
	size_t i;
	int rc = SQLITE_OK;

	for (i = 0; rc == SQLITE_OK && i < doc->nfields; i++) {
		const struct folio_field *f = &doc->fields[i];

		rc = run(arc,
			 "INSERT INTO fields(doc_id, name, value, raw, confidence, source, page,"
			 " x, y, w, h) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			 "isssdsiiiii", doc->id, f->name, f->value, f->raw, (double)f->confidence,
			 folio_source_name(f->source), (long long)f->page, (long long)f->bbox[0],
			 (long long)f->bbox[1], (long long)f->bbox[2], (long long)f->bbox[3]);
	}
	return rc;
}

/* insert_rows(): the documents row's UNIQUE sha256 refused it */
#define SAME_SHA (-100)

static int insert_rows(struct folio_store *arc, struct folio_doc *doc, const char *at,
		       struct folio_err *err)
{
	struct folio_strbuf words = FOLIO_STRBUF_INIT, ft = FOLIO_STRBUF_INIT;
	const char *title = doc->title && *doc->title ? doc->title : doc->name;
	double oc = mean_conf(doc);
	size_t i;
	int rc, ret = FOLIO_FAILED;

	if (field_text(doc, &ft) || folio_doc_join_text(doc)) {
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		goto out;
	}
	rc = run(arc,
		 "INSERT INTO documents(sha256, path, name, title, mime, size, pages, doc_type,"
		 " type_conf, type_reason, status, ocr_conf, text, field_text, added_at, review,"
		 " notes, source_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, -1.0),"
		 " ?, ?, ?, ?, ?, NULLIF(?, ''))",
		 "sssssiisdssdssssss", doc->sha256, doc->path, doc->name, title, doc->mime,
		 (long long)doc->size, (long long)doc->npages,
		 doc->doc_type ? doc->doc_type : "other", (double)doc->type_conf,
		 doc->type_reason, doc->needs_review ? "needs_review" : "archived", oc,
		 doc->text.buf ? doc->text.buf : "", ft.buf, at, doc->review, doc->notes,
		 doc->source_sha256);
	if (rc == SQLITE_CONSTRAINT_UNIQUE) { /* the same bytes, stored meanwhile */
		ret = SAME_SHA;
		goto out;
	}
	if (rc != SQLITE_OK) {
		ret = folio_db_err(arc, err, "cannot store the document");
		goto out;
	}
	doc->id = sqlite3_last_insert_rowid(arc->db);
	if (doc->simhash) {
		int b;

		doc->dup_of = near_duplicate(arc, doc->simhash);
		rc = run(arc, "UPDATE documents SET simhash = ? WHERE id = ?", "ii",
			 (long long)doc->simhash, doc->id);
		for (b = 0; rc == SQLITE_OK && b < NBANDS; b++)
			rc = run(arc, "INSERT INTO simhash_band(band, value, doc_id) VALUES (?, ?, ?)",
				 "iii", (long long)b, band_value(doc->simhash, b), doc->id);
		if (rc != SQLITE_OK) {
			ret = folio_db_err(arc, err, "cannot store the text fingerprint");
			goto out;
		}
	}
	for (i = 0; i < doc->npages; i++) {
		const struct folio_page *pg = &doc->pages[i];

		if (words_blob(pg, &words)) {
			ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
			goto out;
		}
		rc = run(arc,
			 "INSERT INTO pages(doc_id, number, width, height, dpi, source, conf,"
			 " rotation, skew, blank, nwords, text, words)"
			 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			 "iiiiisdidiiss", doc->id, (long long)pg->number, (long long)pg->width,
			 (long long)pg->height, (long long)pg->dpi, folio_source_name(pg->source),
			 (double)pg->conf, (long long)pg->rotation, (double)pg->skew,
			 (long long)pg->blank, (long long)pg->nwords, pg->text ? pg->text : "",
			 words.buf);
		if (rc != SQLITE_OK) {
			ret = folio_db_err(arc, err, "cannot store a page");
			goto out;
		}
		for (size_t k = 0; k < pg->ncodes; k++) {
			const struct folio_code *c = &pg->codes[k];

			rc = run(arc,
				 "INSERT INTO codes(doc_id, page, seq, type, data, x, y, w, h)"
				 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", "iiissiiii", doc->id,
				 (long long)pg->number, (long long)k, c->type, c->data,
				 (long long)c->x, (long long)c->y, (long long)c->w, (long long)c->h);
			if (rc != SQLITE_OK) {
				ret = folio_db_err(arc, err, "cannot store a barcode");
				goto out;
			}
		}
	}
	{
		const struct folio_field *asn = folio_doc_field(doc, "asn");
		long long other = asn ? sq_find_asn(arc, asn->value) : 0;

		if (other > 0) {
			ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
					    "archive serial number %s is already document %lld: each"
					    " paper needs its own ASN label", asn->value, other);
			goto out;
		}
	}
	if ((rc = insert_fields(arc, doc)) != SQLITE_OK) {
		ret = folio_db_err(arc, err, "cannot store a field");
		goto out;
	}
	if ((ret = folio_vendor_attach(arc, doc, at, err)) != FOLIO_OK)
		goto out;
	if (!doc->dup_of)
		doc->dup_of = same_invoice(arc, doc);
	if (doc->dup_of &&
	    run(arc, "UPDATE documents SET dup_of = ? WHERE id = ?", "ii", doc->dup_of,
		doc->id) != SQLITE_OK) {
		ret = folio_db_err(arc, err, "cannot mark a duplicate");
		goto out;
	}
	for (i = 0; i < doc->ntags; i++) {
		rc = run(arc, "INSERT OR IGNORE INTO tags(doc_id, tag) VALUES (?, ?)", "is",
			 doc->id, doc->tags[i]);
		if (rc != SQLITE_OK) {
			ret = folio_db_err(arc, err, "cannot store a tag");
			goto out;
		}
	}
	rc = run(arc, "INSERT INTO doc_fts(rowid, title, text, field_text) VALUES (?, ?, ?, ?)",
		 "isss", doc->id, title, doc->text.buf ? doc->text.buf : "", ft.buf);
	if (rc == SQLITE_OK)
		rc = run(arc, "INSERT INTO doc_tri(rowid, text, field_text) VALUES (?, ?, ?)", "iss",
			 doc->id, doc->text.buf ? doc->text.buf : "", ft.buf);
	if (rc != SQLITE_OK) {
		ret = folio_db_err(arc, err, "cannot index the document");
		goto out;
	}
	ret = FOLIO_OK;
out:
	folio_strbuf_release(&words);
	folio_strbuf_release(&ft);
	return ret;
}

int sq_add(struct folio_store *arc, struct folio_doc *doc, struct folio_err *err)
{
	char at[32];
	long long id;
	int ret;

	if (arc->rdonly)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_DB, 0, "the archive is read-only");
	id = sq_find_sha(arc, doc->sha256, err);
	if (id < 0)
		return FOLIO_FAILED;
	if (id > 0) {
		doc->id = id;
		folio_doc_set_str(&doc->status, "duplicate");
		return FOLIO_WARN;
	}
	/* the original (and the batch it was cut from) is durable before any
	 * row names it */
	if (doc->batch &&
	    (ret = folio_store_put(arc, doc->batch->sha256, doc->batch->data, doc->batch->size,
				   err)) != FOLIO_OK)
		return ret;
	if ((ret = folio_store_put(arc, doc->sha256, doc->data, doc->size, err)) != FOLIO_OK)
		return ret;
	folio_iso_now(at);
	if ((ret = exec(arc, "BEGIN IMMEDIATE", err)) != FOLIO_OK)
		return ret;
	if ((ret = insert_rows(arc, doc, at, err)) != FOLIO_OK ||
	    (ret = sq_event(arc, "archived", doc->id, doc->sha256, doc->path, NULL,
				       err)) != FOLIO_OK) {
		exec(arc, "ROLLBACK", NULL);
		doc->id = 0;
		if (ret != SAME_SHA)
			return ret;
		/* Another process stored the same bytes between the look-up
		 * above and this transaction: the database's UNIQUE constraint
		 * decided, and its verdict is a duplicate of that document. */
		if ((id = sq_find_sha(arc, doc->sha256, err)) <= 0)
			return id < 0 ? FOLIO_FAILED :
			       folio_err_set(err, FOLIO_FAILED, FOLIO_E_DB, 0,
					     "cannot store the document: its checksum is "
					     "recorded but no document has it");
		doc->id = id;
		folio_doc_set_str(&doc->status, "duplicate");
		return FOLIO_WARN;
	}
	if ((ret = exec(arc, "COMMIT", err)) != FOLIO_OK) {
		exec(arc, "ROLLBACK", NULL);
		doc->id = 0;
		return ret;
	}
	if (folio_doc_set_str(&doc->status, doc->needs_review ? "needs_review" : "archived") ||
	    folio_doc_set_str(&doc->added_at, at))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	return FOLIO_OK;
}

static int valid_tag(const char *t)
{
	size_t n = strlen(t), i;

	if (!n || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)t[i] <= ' ' || t[i] == 0x7f)
			return 0;
	return 1;
}

int sq_tag(struct folio_store *arc, long long id, const char *const *add,
		      const char *const *remove, struct folio_err *err)
{
	struct folio_strbuf detail = FOLIO_STRBUF_INIT;
	long long found;
	int ret, i, rc = SQLITE_OK;

	for (i = 0; add && add[i]; i++)
		if (!valid_tag(add[i]))
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
					     "'%s' is not a tag: 1 to 64 characters, no spaces",
					     add[i]);
	if ((ret = exec(arc, "BEGIN IMMEDIATE", err)) != FOLIO_OK)
		return ret;
	found = 0;
	{
		sqlite3_stmt *st;

		if (sqlite3_prepare_v2(arc->db, "SELECT 1 FROM documents WHERE id = ?", -1, &st,
				       NULL) == SQLITE_OK) {
			sqlite3_bind_int64(st, 1, id);
			found = sqlite3_step(st) == SQLITE_ROW;
			sqlite3_finalize(st);
		}
	}
	if (!found) {
		exec(arc, "ROLLBACK", NULL);
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_NOTFOUND, 0,
				     "no document with id %lld", id);
	}
	for (i = 0; rc == SQLITE_OK && add && add[i]; i++) {
		rc = run(arc, "INSERT OR IGNORE INTO tags(doc_id, tag) VALUES (?, ?)", "is", id,
			 add[i]);
		folio_strbuf_addf(&detail, "%s+%s", detail.len ? " " : "", add[i]);
	}
	for (i = 0; rc == SQLITE_OK && remove && remove[i]; i++) {
		rc = run(arc, "DELETE FROM tags WHERE doc_id = ? AND tag = ?", "is", id, remove[i]);
		folio_strbuf_addf(&detail, "%s-%s", detail.len ? " " : "", remove[i]);
	}
	if (rc != SQLITE_OK) {
		ret = folio_db_err(arc, err, "cannot change tags");
		exec(arc, "ROLLBACK", NULL);
	} else if ((ret = sq_event(arc, "tagged", id, NULL, NULL,
					      detail.buf ? detail.buf : "", err)) != FOLIO_OK ||
		   (ret = exec(arc, "COMMIT", err)) != FOLIO_OK) {
		exec(arc, "ROLLBACK", NULL);
	}
	folio_strbuf_release(&detail);
	return ret;
}

int sq_update_fields(struct folio_store *arc, const struct folio_doc *doc,
				const char *detail, struct folio_err *err)
{
	struct folio_strbuf ft = FOLIO_STRBUF_INIT;
	const struct folio_field *type = folio_doc_field(doc, "doc_type");
	int rc, ret;

	if (arc->rdonly)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_DB, 0, "the archive is read-only");
	if (field_text(doc, &ft))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	if ((ret = exec(arc, "BEGIN IMMEDIATE", err)) != FOLIO_OK) {
		folio_strbuf_release(&ft);
		return ret;
	}
	/* external-content FTS: the old row goes out with its old values */
	rc = run(arc,
		 "INSERT INTO doc_fts(doc_fts, rowid, title, text, field_text) SELECT 'delete', id,"
		 " title, text, field_text FROM documents WHERE id = ?", "i", doc->id);
	if (rc == SQLITE_OK)
		rc = run(arc,
			 "INSERT INTO doc_tri(doc_tri, rowid, text, field_text) SELECT 'delete', id,"
			 " text, field_text FROM documents WHERE id = ?", "i", doc->id);
	if (rc == SQLITE_OK)
		rc = run(arc, "DELETE FROM fields WHERE doc_id = ?", "i", doc->id);
	if (rc == SQLITE_OK)
		rc = insert_fields(arc, doc);
	if (rc == SQLITE_OK)
		rc = run(arc,
			 "UPDATE documents SET field_text = ?, review = ?, notes = ?,"
			 " status = CASE WHEN status IN ('archived', 'needs_review') THEN ?"
			 " ELSE status END WHERE id = ?", "ssssi", ft.buf, doc->review, doc->notes,
			 doc->needs_review ? "needs_review" : "archived", doc->id);
	if (rc == SQLITE_OK && type && type->source == FOLIO_SRC_USER)
		rc = run(arc,
			 "UPDATE documents SET doc_type = ?, type_conf = 1, type_reason = 'user'"
			 " WHERE id = ?", "si", type->value, doc->id);
	if (rc == SQLITE_OK)
		rc = run(arc,
			 "INSERT INTO doc_fts(rowid, title, text, field_text) SELECT id, title, text,"
			 " field_text FROM documents WHERE id = ?", "i", doc->id);
	if (rc == SQLITE_OK)
		rc = run(arc,
			 "INSERT INTO doc_tri(rowid, text, field_text) SELECT id, text, field_text"
			 " FROM documents WHERE id = ?", "i", doc->id);
	folio_strbuf_release(&ft);
	if (rc != SQLITE_OK) {
		ret = folio_db_err(arc, err, "cannot store the corrected fields");
		exec(arc, "ROLLBACK", NULL);
		return ret;
	}
	if ((ret = sq_event(arc, "fixed", doc->id, doc->sha256, NULL, detail, err)) !=
		    FOLIO_OK ||
	    (ret = exec(arc, "COMMIT", err)) != FOLIO_OK)
		exec(arc, "ROLLBACK", NULL);
	return ret;
}

int sq_template_put(struct folio_store *arc, const struct folio_template *t,
			       struct folio_err *err)
{
	char at[32];

	folio_iso_now(at);
	if (run(arc,
		"INSERT INTO vendor_templates(seller_tax_id, field, page, x, y, w, h, hits,"
		" updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT(seller_tax_id, field)"
		" DO UPDATE SET page = excluded.page, x = excluded.x, y = excluded.y,"
		" w = excluded.w, h = excluded.h, hits = hits + 1, updated_at = excluded.updated_at",
		"ssidddds", t->seller_tax_id, t->field, (long long)t->page, (double)t->x,
		(double)t->y, (double)t->w, (double)t->h, at) != SQLITE_OK)
		return folio_db_err(arc, err, "cannot store the vendor template");
	return FOLIO_OK;
}

int sq_templates(struct folio_store *arc,
			    int (*fn)(void *ctx, const struct folio_template *t), void *ctx,
			    struct folio_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(arc->db,
			       "SELECT seller_tax_id, field, page, x, y, w, h, hits FROM"
			       " vendor_templates ORDER BY seller_tax_id, field", -1, &st, NULL))
		return folio_db_err(arc, err, "cannot read the vendor templates");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct folio_template t;

		memset(&t, 0, sizeof(t));
		snprintf(t.seller_tax_id, sizeof(t.seller_tax_id), "%s", col(st, 0));
		snprintf(t.field, sizeof(t.field), "%s", col(st, 1));
		t.page = sqlite3_column_int(st, 2);
		t.x = (float)sqlite3_column_double(st, 3);
		t.y = (float)sqlite3_column_double(st, 4);
		t.w = (float)sqlite3_column_double(st, 5);
		t.h = (float)sqlite3_column_double(st, 6);
		t.hits = sqlite3_column_int(st, 7);
		if (fn(ctx, &t))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		return folio_db_err(arc, err, "cannot read the vendor templates");
	}
	sqlite3_finalize(st);
	return FOLIO_OK;
}

long long sq_find_asn(struct folio_store *arc, const char *asn)
{
	sqlite3_stmt *st;
	long long id = 0;

	if (sqlite3_prepare_v2(arc->db,
			       "SELECT doc_id FROM fields WHERE name = 'asn' AND value = ?"
			       " ORDER BY doc_id LIMIT 1", -1, &st, NULL))
		return -1;
	sqlite3_bind_text(st, 1, asn, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

int sq_each_confirmed(struct folio_store *arc,
				 int (*fn)(void *ctx, long long id, const char *type,
					   const char *text),
				 void *ctx, struct folio_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(arc->db,
			       "SELECT id, doc_type, text FROM documents WHERE type_reason = 'user'"
			       " ORDER BY id", -1, &st, NULL))
		return folio_db_err(arc, err, "cannot read the confirmed documents");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, sqlite3_column_int64(st, 0), col(st, 1), col(st, 2)))
			break;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		return folio_db_err(arc, err, "cannot read the confirmed documents");
	}
	sqlite3_finalize(st);
	return FOLIO_OK;
}

int sq_review(struct folio_store *arc, int limit,
			 int (*fn)(void *ctx, const struct folio_review_item *it), void *ctx,
			 struct folio_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(arc->db,
			       "SELECT id, path, doc_type, added_at, review, coalesce(dup_of, 0)"
			       " FROM documents WHERE status = 'needs_review' OR dup_of IS NOT NULL"
			       " ORDER BY id LIMIT ?", -1, &st, NULL))
		return folio_db_err(arc, err, "cannot list the documents to review");
	sqlite3_bind_int64(st, 1, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct folio_review_item it = {
			.id = sqlite3_column_int64(st, 0),
			.path = col(st, 1),
			.doc_type = col(st, 2),
			.added_at = col(st, 3),
			.review = sqlite3_column_type(st, 4) == SQLITE_NULL ? NULL : col(st, 4),
			.dup_of = sqlite3_column_int64(st, 5),
		};

		if (fn(ctx, &it))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		return folio_db_err(arc, err, "cannot list the documents to review");
	}
	sqlite3_finalize(st);
	return FOLIO_OK;
}

int sq_retype(struct folio_store *arc, long long id, const char *type,
			 struct folio_err *err)
{
	static const char *const types[] = { "invoice", "credit_note", "proforma", "receipt",
					     "order", "delivery_note", "contract", "form",
					     "letter", "other", NULL };
	char detail[96], old[64];
	int i, pages, ret;

	for (i = 0; types[i] && strcmp(types[i], type); i++)
		;
	if (!types[i])
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_USAGE, 0,
				     "'%s' is not a document type (invoice, credit_note, proforma,"
				     " receipt, order, delivery_note, contract, form, letter, other)",
				     type);
	if ((ret = sq_summary(arc, id, &pages, old, sizeof(old), err)) != FOLIO_OK)
		return ret;
	snprintf(detail, sizeof(detail), "%s -> %s", old, type);
	if ((ret = exec(arc, "BEGIN IMMEDIATE", err)) != FOLIO_OK)
		return ret;
	if (run(arc, "UPDATE documents SET doc_type = ?, type_conf = 1.0, type_reason = 'user'"
		" WHERE id = ?", "si", type, id) != SQLITE_OK) {
		ret = folio_db_err(arc, err, "cannot change the type");
		exec(arc, "ROLLBACK", NULL);
		return ret;
	}
	if ((ret = sq_event(arc, "retyped", id, NULL, NULL, detail, err)) != FOLIO_OK ||
	    (ret = exec(arc, "COMMIT", err)) != FOLIO_OK)
		exec(arc, "ROLLBACK", NULL);
	return ret;
}

static const char *col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}

static enum folio_source source_from(const char *s)
{
	static const enum folio_source all[] = {
		FOLIO_SRC_XML, FOLIO_SRC_QR, FOLIO_SRC_TEXT, FOLIO_SRC_OCR, FOLIO_SRC_USER,
	};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(s, folio_source_name(all[i])))
			return all[i];
	return FOLIO_SRC_NONE;
}

static int load_words(struct folio_page *pg, const char *blob)
{
	while (*blob) {
		const char *nl = strchr(blob, '\n');
		int x, y, w, h, line, off = 0;
		float conf;

		if (sscanf(blob, "%d %d %d %d %f %d %n", &x, &y, &w, &h, &conf, &line, &off) == 6 &&
		    off > 0) {
			size_t n = nl ? (size_t)(nl - blob - off) : strlen(blob + off);
			char *t = strndup(blob + off, n);

			if (!t || folio_page_add_word(pg, t, x, y, w, h, conf, line)) {
				free(t);
				return -1;
			}
			free(t);
		}
		if (!nl)
			break;
		blob = nl + 1;
	}
	return 0;
}

int sq_get(struct folio_store *arc, long long id, struct folio_doc **out,
		      struct folio_err *err)
{
	struct folio_doc *doc = NULL;
	sqlite3_stmt *st = NULL;
	int rc, ret = FOLIO_FAILED;

	*out = NULL;
	if (sqlite3_prepare_v2(arc->db,
			       "SELECT sha256, path, title, mime, size, doc_type, type_conf,"
			       " type_reason, status, text, added_at, coalesce(dup_of, 0),"
			       " review, notes, source_sha256 FROM documents WHERE id = ?",
			       -1, &st, NULL))
		return folio_db_err(arc, err, "cannot read the document");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_NOTFOUND, 0,
					     "no document with id %lld", id);
		return folio_db_err(arc, err, "cannot read the document");
	}
	doc = folio_doc_new(col(st, 1), NULL, 0);
	if (!doc)
		goto nomem;
	doc->id = id;
	snprintf(doc->sha256, sizeof(doc->sha256), "%s", col(st, 0));
	doc->size = (size_t)sqlite3_column_int64(st, 4);
	doc->type_conf = (float)sqlite3_column_double(st, 6);
	doc->dup_of = sqlite3_column_int64(st, 11);
	if (folio_doc_set_str(&doc->title, col(st, 2)) ||
	    folio_doc_set_str(&doc->mime, col(st, 3)) ||
	    folio_doc_set_str(&doc->doc_type, col(st, 5)) ||
	    folio_doc_set_str(&doc->type_reason, col(st, 7)) ||
	    folio_doc_set_str(&doc->status, col(st, 8)) ||
	    folio_strbuf_adds(&doc->text, col(st, 9)) ||
	    folio_doc_set_str(&doc->added_at, col(st, 10)))
		goto nomem;
	if ((sqlite3_column_type(st, 12) != SQLITE_NULL &&
	     folio_doc_set_str(&doc->review, col(st, 12))) ||
	    (sqlite3_column_type(st, 13) != SQLITE_NULL &&
	     folio_doc_set_str(&doc->notes, col(st, 13))))
		goto nomem;
	doc->needs_review = !strcmp(doc->status, "needs_review");
	if (sqlite3_column_type(st, 14) == SQLITE_TEXT)
		snprintf(doc->source_sha256, sizeof(doc->source_sha256), "%s", col(st, 14));
	sqlite3_finalize(st);
	st = NULL;

	if (sqlite3_prepare_v2(arc->db,
			       "SELECT number, width, height, dpi, source, conf, rotation, skew,"
			       " blank, text, words FROM pages WHERE doc_id = ? ORDER BY number",
			       -1, &st, NULL))
		goto dberr;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct folio_page *pg = folio_doc_add_page(doc);

		if (!pg)
			goto nomem;
		pg->number = sqlite3_column_int(st, 0);
		pg->width = sqlite3_column_int(st, 1);
		pg->height = sqlite3_column_int(st, 2);
		pg->dpi = sqlite3_column_int(st, 3);
		pg->source = source_from(col(st, 4));
		pg->conf = (float)sqlite3_column_double(st, 5);
		pg->rotation = sqlite3_column_int(st, 6);
		pg->skew = (float)sqlite3_column_double(st, 7);
		pg->blank = sqlite3_column_int(st, 8);
		if (folio_page_set_text(pg, col(st, 9)) || load_words(pg, col(st, 10)))
			goto nomem;
		/* text without geometry: its words were not stored, derive them */
		if (!pg->nwords && pg->source == FOLIO_SRC_TEXT && folio_page_words_from_text(pg))
			goto nomem;
	}
	if (rc != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(st);
	st = NULL;

	if (sqlite3_prepare_v2(arc->db,
			       "SELECT name, value, raw, confidence, source, page, x, y, w, h"
			       " FROM fields WHERE doc_id = ? ORDER BY name", -1, &st, NULL))
		goto dberr;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int bbox[4] = { sqlite3_column_int(st, 6), sqlite3_column_int(st, 7),
				sqlite3_column_int(st, 8), sqlite3_column_int(st, 9) };

		if (folio_doc_set_field(doc, col(st, 0), col(st, 1),
					sqlite3_column_type(st, 2) == SQLITE_NULL ? NULL : col(st, 2),
					(float)sqlite3_column_double(st, 3), source_from(col(st, 4)),
					sqlite3_column_int(st, 5), bbox))
			goto nomem;
	}
	if (rc != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(st);
	st = NULL;

	if (sqlite3_prepare_v2(arc->db,
			       "SELECT page, type, data, x, y, w, h FROM codes WHERE doc_id = ?"
			       " ORDER BY page, seq", -1, &st, NULL))
		goto dberr;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int pno = sqlite3_column_int(st, 0);

		if (pno < 1 || (size_t)pno > doc->npages)
			continue;
		if (folio_page_add_code(&doc->pages[pno - 1], col(st, 1), col(st, 2),
					sqlite3_column_int(st, 3), sqlite3_column_int(st, 4),
					sqlite3_column_int(st, 5), sqlite3_column_int(st, 6)))
			goto nomem;
	}
	if (rc != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(st);
	st = NULL;

	if (sqlite3_prepare_v2(arc->db, "SELECT tag FROM tags WHERE doc_id = ? ORDER BY tag", -1,
			       &st, NULL))
		goto dberr;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (folio_doc_add_tag(doc, col(st, 0)))
			goto nomem;
	if (rc != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(st);
	*out = doc;
	return FOLIO_OK;
dberr:
	ret = folio_db_err(arc, err, "cannot read the document");
	goto fail;
nomem:
	ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
fail:
	sqlite3_finalize(st);
	folio_doc_free(doc);
	return ret;
}

static int group(struct folio_store *arc, const char *sql, struct folio_stat_row *rows,
		 int max, int *n)
{
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	if (sqlite3_prepare_v2(arc->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		struct folio_stat_row *r = &rows[(*n)++];

		snprintf(r->key, sizeof(r->key), "%s", col(st, 0));
		r->count = sqlite3_column_int64(st, 1);
		r->pages = sqlite3_column_int64(st, 2);
		r->bytes = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static long long scalar(struct folio_store *arc, const char *sql)
{
	sqlite3_stmt *st;
	long long v = 0;

	if (sqlite3_prepare_v2(arc->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int sq_stats(struct folio_store *arc, struct folio_stats *st,
			struct folio_err *err)
{
	int max_types = (int)(sizeof(st->by_type) / sizeof(st->by_type[0]));
	int max_status = (int)(sizeof(st->by_status) / sizeof(st->by_status[0]));
	int max_mimes = (int)(sizeof(st->by_mime) / sizeof(st->by_mime[0]));

	memset(st, 0, sizeof(*st));
	st->documents = scalar(arc, "SELECT count(*) FROM documents");
	st->pages = scalar(arc, "SELECT coalesce(sum(pages), 0) FROM documents");
	st->bytes = scalar(arc, "SELECT coalesce(sum(size), 0) FROM documents");
	st->words = scalar(arc, "SELECT coalesce(sum(nwords), 0) FROM pages");
	st->quarantined = scalar(arc, "SELECT count(*) FROM events WHERE kind = 'quarantined'");
	st->duplicates = scalar(arc, "SELECT count(*) FROM events WHERE kind = 'duplicate'");
	st->db_bytes = scalar(arc, "SELECT page_count * page_size FROM pragma_page_count(),"
			      " pragma_page_size()");
	if (st->documents < 0 || st->pages < 0 || st->quarantined < 0 ||
	    group(arc, "SELECT doc_type, count(*), sum(pages), sum(size) FROM documents"
		  " GROUP BY doc_type ORDER BY count(*) DESC, doc_type", st->by_type, max_types,
		  &st->ntypes) ||
	    group(arc, "SELECT status, count(*), sum(pages), sum(size) FROM documents"
		  " GROUP BY status ORDER BY count(*) DESC, status", st->by_status, max_status,
		  &st->nstatus) ||
	    group(arc, "SELECT mime, count(*), sum(pages), sum(size) FROM documents"
		  " GROUP BY mime ORDER BY count(*) DESC, mime", st->by_mime, max_mimes,
		  &st->nmimes))
		return folio_db_err(arc, err, "cannot compute statistics");
	return FOLIO_OK;
}

/* ---- the backend table ---------------------------------------------------- */

/* A folder path; "scheme://..." belongs to another backend. */
static int sq_accepts(const char *where)
{
	size_t n = strspn(where, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");

	return !(n > 1 && !strncmp(where + n, "://", 3));
}

struct folio_store *folio_sqlite_store(struct folio_archive *arc)
{
	return folio_archive_store(arc, &folio_sqlite_ops);
}

sqlite3 *folio_sqlite_db(struct folio_archive *arc)
{
	struct folio_store *st = folio_sqlite_store(arc);

	return st ? st->db : NULL;
}

const struct folio_store_ops folio_sqlite_ops = {
	.version = FOLIO_STORE_OPS_VERSION,
	.name = "sqlite",
	.accepts = sq_accepts,
	.open = sq_open,
	.close = sq_close,
	.dir = sq_dir,
	.readonly = sq_readonly,
	.schema_version = sq_schema_version,
	.each_sha = sq_each_sha,
	.find_sha = sq_find_sha,
	.summary = sq_summary,
	.has_path = sq_has_path,
	.add = sq_add,
	.event = sq_event,
	.get = sq_get,
	.tag = sq_tag,
	.retype = sq_retype,
	.update_fields = sq_update_fields,
	.template_put = sq_template_put,
	.templates = sq_templates,
	.find_asn = sq_find_asn,
	.each_confirmed = sq_each_confirmed,
	.review = sq_review,
	.blob_path = sq_blob_path,
	.search = sq_search,
	.count = sq_count,
	.stats = sq_stats,
	.journal_received = sq_journal_received,
	.journal_settle = sq_journal_settle,
	.store_cleanup = sq_store_cleanup,
	.journal_recover = sq_journal_recover,
	.daemon_beat = sq_daemon_beat,
	.daemon_gone = sq_daemon_gone,
	.status = sq_status,
	.verify = sq_verify,
	.vendors = sq_vendors,
	.ledger_exported = sq_ledger_exported,
	.ledger_key_owner = sq_ledger_key_owner,
	.ledger_record = sq_ledger_record,
	.ledger_done = sq_ledger_done,
	.ledger_batches = sq_ledger_batches,
	.ledger_batch = sq_ledger_batch,
	.ledger_files = sq_ledger_files,
	.ledger_items = sq_ledger_items,
	.vendor_name = sq_vendor_name,
};
