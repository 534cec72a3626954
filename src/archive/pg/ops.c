/*
 * ops.c - the PostgreSQL backend's table, and the operations it does not
 * have yet: each fails with "... is not available on PostgreSQL archives
 * yet", never a success it did not earn. The IMAP state belongs with the
 * work queue of issue 16 and comes with its own design. The export ledger
 * is ledger.c.
 */
#include "pg_private.h"

static int no_mail(struct folio_err *err)
{
	return pg_unavailable(err, "IMAP mailboxes (folio mail)");
}

static int pg_mail_folder(struct folio_store *s, const char *account, const char *folder,
			  uint32_t *uidvalidity, uint32_t *last_uid, struct folio_err *err)
{
	(void)s, (void)account, (void)folder;
	*uidvalidity = *last_uid = 0;
	return no_mail(err);
}

static int pg_mail_folder_reset(struct folio_store *s, const char *account, const char *folder,
				uint32_t uidvalidity, struct folio_err *err)
{
	(void)s, (void)account, (void)folder, (void)uidvalidity;
	return no_mail(err);
}

static int pg_mail_message(struct folio_store *s, const char *account, const char *folder,
			   uint32_t uidvalidity, uint32_t uid, const char *state,
			   const char *sha256, long long size, const char *reason,
			   struct folio_err *err)
{
	(void)s, (void)account, (void)folder, (void)uidvalidity, (void)uid, (void)state;
	(void)sha256, (void)size, (void)reason;
	return no_mail(err);
}

static int pg_mail_unfinished(struct folio_store *s, const char *account, const char *folder,
			      uint32_t uidvalidity,
			      int (*fn)(void *ctx, uint32_t uid, const char *state,
					const char *sha256),
			      void *ctx, struct folio_err *err)
{
	(void)s, (void)account, (void)folder, (void)uidvalidity, (void)fn, (void)ctx;
	return no_mail(err);
}

static int pg_mail_poll_record(struct folio_store *s, const char *account, const char *error,
			       struct folio_err *err)
{
	(void)s, (void)account, (void)error;
	return no_mail(err);
}

/* folio status asks every configured account: a database archive has
 * none polled yet (folio mail refuses it), which is the truth */
static int pg_mail_state(struct folio_store *s, const char *account, struct folio_mail_state *st,
			 int (*fn)(void *ctx, const char *folder, uint32_t uidvalidity,
				   uint32_t last_uid),
			 void *ctx, struct folio_err *err)
{
	(void)s, (void)account, (void)fn, (void)ctx, (void)err;
	st->polled_at = 0;
	st->error[0] = '\0';
	st->handled = 0;
	return FOLIO_OK;
}

const struct folio_store_ops folio_pg_ops = {
	.version = FOLIO_STORE_OPS_VERSION,
	.name = "postgresql",
	.accepts = pg_accepts,
	.open = pg_open,
	.close = pg_close,
	.dir = pg_dir,
	.readonly = pg_readonly,
	.schema_version = pg_schema_version,
	.each_sha = pg_each_sha,
	.find_sha = pg_find_sha,
	.summary = pg_summary,
	.has_path = pg_has_path,
	.add = pg_add,
	.event = pg_event,
	.get = pg_get,
	.tag = pg_tag,
	.retype = pg_retype,
	.update_fields = pg_update_fields,
	.template_put = pg_template_put,
	.templates = pg_templates,
	.find_asn = pg_find_asn,
	.each_confirmed = pg_each_confirmed,
	.review = pg_review,
	.blob_path = pg_blob_path,
	.search = pg_search,
	.count = pg_count,
	.stats = pg_stats,
	.journal_received = pg_journal_received,
	.journal_settle = pg_journal_settle,
	.store_cleanup = pg_store_cleanup,
	.journal_recover = pg_journal_recover,
	.daemon_beat = pg_daemon_beat,
	.daemon_gone = pg_daemon_gone,
	.status = pg_status,
	.verify = pg_verify,
	.vendors = pg_vendors,
	.ledger_exported = pg_ledger_exported,
	.ledger_key_owner = pg_ledger_key_owner,
	.ledger_record = pg_ledger_record,
	.ledger_done = pg_ledger_done,
	.ledger_batches = pg_ledger_batches,
	.ledger_batch = pg_ledger_batch,
	.ledger_files = pg_ledger_files,
	.ledger_items = pg_ledger_items,
	.vendor_name = pg_vendor_name,
	.ledger_next = pg_ledger_next,
	.near_texts = pg_near_texts,
	.find_invoice = pg_find_invoice,
	.vendor_by_tax = pg_vendor_by_tax,
	.vendor_by_iban = pg_vendor_by_iban,
	.vendor_by_key = pg_vendor_by_key,
	.vendor_keys = pg_vendor_keys,
	.mail_folder = pg_mail_folder,
	.mail_folder_reset = pg_mail_folder_reset,
	.mail_message = pg_mail_message,
	.mail_unfinished = pg_mail_unfinished,
	.sdi_invoice = pg_sdi_invoice,
	.sdi_notices = pg_sdi_notices,
	.sdi_by_id = pg_sdi_by_id,
	.mail_poll_record = pg_mail_poll_record,
	.mail_state = pg_mail_state,
	.ledger_copy = pg_ledger_copy,
	.rows = pg_rows,
	.put_row = pg_put_row,
	.put_original = pg_move_original,
	.moving = pg_moving,
	.table_rows = pg_table_rows,
	.empty = pg_empty,
	.events = pg_events,
	.hold = pg_hold,
	.hold_state = pg_hold_state,
	/* not yet: folio backup refuses (pg_dump, or folio migrate --to DIR) */
	.snapshot = NULL,
};
