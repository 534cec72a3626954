/*
 * schema.c - the SQLite backend's database: the numbered migrations,
 * opening (read-write, read-only, immutable) and closing. See
 * include/folio/archive.h.
 */
#include "sqlite_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "folio/strbuf.h"
#include "folio/util.h"
#include "vendors.h"

/*
 * Numbered migrations: migrations[i] takes the schema from version i to
 * i + 1. Never edit a released one; append a new one.
 */
/* clang-format off */
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
	/* 10 -> 11: IMAP mailboxes: per account and folder the UIDVALIDITY
	 * and the highest UID handled; per message its state (skipped,
	 * downloaded, stored, nodoc, done) and the sha256 of its bytes */
	"CREATE TABLE mail_folders ("
	"  account TEXT NOT NULL,"
	"  folder TEXT NOT NULL,"
	"  uidvalidity INTEGER NOT NULL,"
	"  last_uid INTEGER NOT NULL DEFAULT 0,"
	"  updated_at REAL NOT NULL,"
	"  PRIMARY KEY (account, folder)"
	") WITHOUT ROWID;"
	"CREATE TABLE mail_messages ("
	"  account TEXT NOT NULL,"
	"  folder TEXT NOT NULL,"
	"  uidvalidity INTEGER NOT NULL,"
	"  uid INTEGER NOT NULL,"
	"  state TEXT NOT NULL,"
	"  sha256 TEXT,"
	"  size INTEGER,"
	"  reason TEXT,"
	"  updated_at REAL NOT NULL,"
	"  PRIMARY KEY (account, folder, uidvalidity, uid)"
	") WITHOUT ROWID;"
	"CREATE INDEX mail_messages_open ON mail_messages(account, folder, uidvalidity)"
	"  WHERE state IN ('downloaded', 'stored');",
	/* 11 -> 12: an SDI notice finds its invoice by the file's name */
	"CREATE INDEX documents_name ON documents(name);",
	/* 12 -> 13: each IMAP account's last poll, for folio status */
	"CREATE TABLE mail_polls ("
	"  account TEXT PRIMARY KEY,"
	"  polled_at REAL NOT NULL,"
	"  error TEXT"
	") WITHOUT ROWID;",
};
/* clang-format on */

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int folio_db_err(struct folio_store *arc, struct folio_err *err, const char *what)
{
	int code = sqlite3_extended_errcode(arc->db);

	/* another program (a second folio, a backup, sqlite3) kept the write
	 * lock past the busy timeout: nothing is wrong with the archive */
	if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
		return folio_err_set(
			err, FOLIO_FAILED, FOLIO_E_DB, EBUSY,
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

int folio_db_exec(struct folio_store *arc, const char *sql, struct folio_err *err)
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
				     "understands (%d): upgrade folio",
				     v, NMIGRATIONS);
	for (; v < last; v++) {
		/* IMMEDIATE: two processes opening a fresh archive at once must
		 * not both run a migration */
		if ((ret = folio_db_exec(arc, "BEGIN IMMEDIATE", err)) != FOLIO_OK)
			return ret;
		if (sq_schema_version(arc) > v) {
			folio_db_exec(arc, "ROLLBACK", NULL);
			continue;
		}
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if ((ret = folio_db_exec(arc, migrations[v], err)) != FOLIO_OK ||
		    (ret = folio_db_exec(arc, sql, err)) != FOLIO_OK) {
			folio_db_exec(arc, "ROLLBACK", NULL);
			return ret;
		}
		if ((ret = folio_db_exec(arc, "COMMIT", err)) != FOLIO_OK)
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
	int oflags, created = 0;

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
		created = 1;
	}
	if (created && folio_mkdirs(dir, 0700, err) != FOLIO_OK)
		goto fail;
	if (!stat(dir, &st) && (st.st_mode & S_IRGRP)) {
		arc->dir_mode = 0750;
		arc->file_mode = 0640;
		arc->blob_mode = 0440;
	} else {
		arc->dir_mode = 0700;
		arc->file_mode = 0600;
		arc->blob_mode = 0400;
	}
	if (created && folio_mkdirs(arc->store_dir, arc->dir_mode, err) != FOLIO_OK)
		goto fail;
	oflags = arc->rdonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(dbpath, &arc->db, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_DB, 0, "cannot open '%s': %s", dbpath,
			      arc->db ? sqlite3_errmsg(arc->db) : "out of memory");
		goto fail;
	}
	/* SQLite makes its -wal and -shm files with the database's mode */
	if (created && chmod(dbpath, arc->file_mode)) {
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno,
			      "cannot set the mode of '%s': %s", dbpath, strerror(errno));
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
	if (!arc->rdonly && (folio_db_exec(arc, "PRAGMA journal_mode = WAL", err) != FOLIO_OK ||
			     folio_db_exec(arc, "PRAGMA synchronous = NORMAL", err) != FOLIO_OK))
		goto fail;
	/* up to 128 MB of pages, filled only as they are read: at 200,000
	 * documents the 2 MB default sent most index lookups to the disk
	 * (bench-search p99 55 -> 45 ms). A streaming writer keeps less: the
	 * cache filled with what it wrote, and grew with the archive
	 * (bench-mail: 106 MB at 1,000 messages, 186 MB at 10,000). */
	if (folio_db_exec(arc, "PRAGMA foreign_keys = ON", err) != FOLIO_OK ||
	    folio_db_exec(arc,
			  (flags & FOLIO_ARCHIVE_STREAM) ? "PRAGMA cache_size = -8192" :
							   "PRAGMA cache_size = -131072",
			  err) != FOLIO_OK)
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
