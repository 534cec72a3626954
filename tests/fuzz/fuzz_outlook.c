/*
 * fuzz_outlook.c - Outlook's formats on memory: .msg files
 * (src/decode/outlook.c, libgsf's compound-file reader, the property
 * streams, the compressed RTF body of mapi.c, embedded messages written
 * out again with libgsf's writer) and TNEF (src/decode/tnef.c), with
 * folio's default limits. An input starting with TNEF's signature is read
 * as a winmail.dat, any other as a .msg; embedded messages are read in
 * turn, as the pipeline does, down to max_archive_depth.
 *
 * Checked: a message read is one page of valid UTF-8 text whose fields
 * are valid UTF-8 too; every attachment is inside the message
 * ("MSG!/name"), its name one component without control characters,
 * linked to the message (source_sha256) one level deeper and no larger
 * than the message; a refused message has no children and no page.
 */
#include "fuzz_decode.h"

static int utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t k, n = *p < 0x80	      ? 1 :
			      (*p >> 5) == 6  ? 2 :
			      (*p >> 4) == 14 ? 3 :
			      (*p >> 3) == 30 ? 4 :
						0;

		if (!n)
			return 0;
		for (k = 1; k < n; k++)
			if ((p[k] & 0xc0) != 0x80)
				return 0;
		p += n;
	}
	return 1;
}

static void check_child(const struct folio_doc *m, const struct folio_doc *c)
{
	size_t n = strlen(m->path);
	const char *name = c->path + n + 2, *p;

	fuzz_assert(!strncmp(c->path, m->path, n) && !strncmp(c->path + n, "!/", 2),
		    "attachment '%s' not inside '%s'", c->path, m->path);
	fuzz_assert(*name && *name != '.', "attachment name '%s'", name);
	for (p = name; *p; p++)
		fuzz_assert((unsigned char)*p >= 0x20 && *p != 0x7f && *p != '/' && *p != '\\',
			    "byte %#x in attachment name '%s'", (unsigned char)*p, name);
	fuzz_assert(utf8_ok(name), "attachment name '%s' is not UTF-8", name);
	fuzz_assert(!strcmp(c->source_sha256, m->sha256), "'%s' not linked to its message", name);
	fuzz_assert(c->depth == m->depth + 1, "attachment depth %d under %d", c->depth, m->depth);
	/* an embedded message is written out again: a few sectors more */
	fuzz_assert(c->size <= m->size + 65536, "attachment of %zu bytes in %zu", c->size, m->size);
}

static void read_message(struct folio_doc *d)
{
	struct folio_err err = { 0 };
	size_t i;
	int r = folio_decode(fd_ctx, d, &err);

	fuzz_check_err(r, &err, "outlook decode");
	fuzz_assert(r != FOLIO_FATAL, "outlook: fatal: %s", err.msg);
	if (r < 0) {
		fuzz_assert(d->nchildren == 0 && d->npages == 0, "refused (%s) with %zu parts",
			    err.msg, d->nchildren);
		return;
	}
	fuzz_assert(d->npages == 1 && d->pages[0].text, "a message of %zu pages", d->npages);
	fuzz_assert(utf8_ok(d->pages[0].text), "the message's text is not UTF-8");
	for (i = 0; i < d->nfields; i++)
		fuzz_assert(utf8_ok(d->fields[i].value), "%s is not UTF-8", d->fields[i].name);
	fuzz_assert(!!d->is_container == (d->nchildren > 0), "container flag and %zu children",
		    d->nchildren);
	fuzz_assert(d->nchildren <= (size_t)fd_cfg.max_mail_parts, "%zu attachments", d->nchildren);
	for (i = 0; i < d->nchildren; i++) {
		struct folio_doc *c = d->children[i];

		check_child(d, c);
		if (c->mime && !strcmp(c->mime, "application/vnd.ms-outlook") &&
		    c->depth < fd_cfg.max_archive_depth) {
			folio_sha256_hex(c->data, c->size, c->sha256);
			read_message(c);
		}
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fd_decode_init(0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int tnef = folio_tnef_magic(data, size);
	struct folio_doc *d =
		fd_doc(tnef ? "winmail.dat" : "in.msg", data, size,
		       tnef ? "application/vnd.ms-tnef" : "application/vnd.ms-outlook");

	read_message(d);
	folio_doc_free(d);
	fd_done();
	return 0;
}
