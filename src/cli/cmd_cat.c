/* cmd_cat.c - folio cat ID: the original bytes to stdout. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "folio/doc.h"

static int copy_fd(int in, int out)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) != 0) {
		char *p = buf;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (n > 0) {
			ssize_t w = write(out, p, (size_t)n);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				return -1;
			}
			p += w;
			n -= w;
		}
	}
	return 0;
}

int cmd_cat(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { "asn=", "source", NULL };
	const char *vals[2] = { 0 };
	struct folio_archive *arc;
	struct folio_doc *doc;
	int fd, ret = cli_load_doc(cli, cli_command("cat"), argc, argv, specs, vals, &arc, &doc);
	char *path;

	if (ret >= 0)
		return ret;
	ret = EXIT_FAIL;
	path = NULL;
	if (vals[1] && !doc->source_sha256[0]) {
		ret = cli_error(EXIT_FAIL,
				"document %lld was not cut from a batch: it has no "
				"source original ('folio cat %lld' gives its original)",
				doc->id, doc->id);
		goto out;
	}
	if (!(path = folio_archive_blob_path(arc, vals[1] ? doc->source_sha256 : doc->sha256))) {
		cli_error(EXIT_FAIL, "cannot read the original of document %lld", doc->id);
		goto out;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		cli_error(EXIT_FAIL, "cannot open the original of document %lld ('%s'): %s",
			  doc->id, path, strerror(errno));
		goto out;
	}
	fflush(stdout);
	if (copy_fd(fd, STDOUT_FILENO))
		cli_error(EXIT_FAIL, "cannot copy the original: %s", strerror(errno));
	else
		ret = EXIT_OK;
	close(fd);
out:
	free(path);
	folio_doc_free(doc);
	folio_archive_close(arc);
	return ret;
}
