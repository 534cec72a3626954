/*
 * fuzz_archive.c - container expansion (src/decode/container.c, libarchive
 * on memory): ZIP, TAR (gzip, bzip2, xz, zstd), 7z and bare compressed
 * files, with folio's default limits (entries, expanded bytes, ratio,
 * max_file_bytes per entry, nesting depth). Children that are archives
 * themselves are expanded in turn, as the pipeline does, down to
 * max_archive_depth. Nothing is written to disk.
 *
 * Checked: every child is either data with a safe name (no absolute
 * path, no "..", no control character) or a refused marker without
 * bytes whose type_reason says why; a failed container has no children;
 * no child is larger than max_file_bytes and the children of one
 * container together no more than max_archive_bytes.
 */
#include "fuzz_decode.h"

static void check_name(const char *container, const char *path)
{
	size_t n = strlen(container);
	const char *name, *seg, *p;

	fuzz_assert(!strncmp(path, container, n) && !strncmp(path + n, "!/", 2),
		    "child '%s' not inside '%s'", path, container);
	name = path + n + 2;
	fuzz_assert(*name && *name != '/', "child name '%s'", name);
	for (p = name; *p; p++)
		fuzz_assert((unsigned char)*p >= 0x20 && *p != 0x7f, "control byte in '%s'", name);
	for (seg = p = name;; p++) {
		if (*p && *p != '/')
			continue;
		fuzz_assert(!(p - seg == 2 && seg[0] == '.' && seg[1] == '.'), "'..' in '%s'",
			    name);
		fuzz_assert(p > seg, "empty component in '%s'", name);
		if (!*p)
			break;
		seg = p + 1;
	}
}

static int is_container(const struct folio_doc *d)
{
	const struct folio_decoder *const *dec = folio_decoders();
	int best = 0, who = -1, i;

	for (i = 0; dec[i]; i++) {
		int b = dec[i]->bid("application/octet-stream", d->data, d->size);

		if (b > best) {
			best = b;
			who = i;
		}
	}
	return who >= 0 && !strcmp(dec[who]->name, "archive");
}

static void expand(struct folio_doc *d)
{
	struct folio_err err = { 0 };
	uint64_t total = 0;
	size_t i;
	int r = folio_decode(fd_ctx, d, &err);

	fuzz_check_err(r, &err, "archive decode");
	fuzz_assert(r != FOLIO_FATAL, "archive: fatal: %s", err.msg);
	if (r < 0) {
		fuzz_assert(d->nchildren == 0, "failed (%s) with %zu children", err.msg,
			    d->nchildren);
		return;
	}
	fuzz_assert(d->is_container && d->nchildren > 0, "a container without children");
	for (i = 0; i < d->nchildren; i++) {
		struct folio_doc *c = d->children[i];

		check_name(d->path, c->path);
		fuzz_assert(c->depth == d->depth + 1, "child depth %d under %d", c->depth,
			    d->depth);
		if (!c->data) {
			fuzz_assert(c->type_reason && !strncmp(c->type_reason, "refused: ", 9),
				    "'%s': no bytes and no reason", c->path);
			continue;
		}
		fuzz_assert(c->size <= fd_cfg.max_file_bytes, "'%s': %zu bytes", c->path, c->size);
		total += c->size;
		fuzz_assert(total <= fd_cfg.max_archive_bytes, "children add up to %llu bytes",
			    (unsigned long long)total);
		if (c->depth < fd_cfg.max_archive_depth && is_container(c) &&
		    !folio_doc_set_str(&c->mime, "application/octet-stream"))
			expand(c);
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
	struct folio_doc *d = fd_doc("in.zip", data, size, "application/zip");

	if (folio_doc_set_str(&d->name, "in.tar.gz"))
		abort();
	expand(d);
	folio_doc_free(d);
	fd_done();
	return 0;
}
