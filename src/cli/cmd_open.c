/* cmd_open.c - folio open ID: the original in a temp file, opened with
 * xdg-open when there is a desktop, its path printed either way. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "folio/doc.h"
#include "folio/util.h"

static int have_program(const char *name)
{
	const char *path = getenv("PATH");
	char buf[4096];

	while (path && *path) {
		size_t n = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, name);
		if (!access(buf, X_OK))
			return 1;
		path += n + (path[n] == ':');
	}
	return 0;
}

int cmd_open(struct cli *cli, int argc, char **argv)
{
	static const char *const specs[] = { "print", NULL };
	const char *vals[1] = { 0 };
	struct folio_err err = { 0 };
	struct folio_archive *arc;
	struct folio_doc *doc;
	unsigned char *data = NULL;
	size_t size;
	char *blob = NULL, target[4096], *safe = NULL, *p;
	const char *tmp = getenv("TMPDIR");
	int ret = cli_load_doc(cli, cli_command("open"), argc, argv, specs, vals, &arc, &doc);
	long long id;

	if (ret >= 0)
		return ret;
	ret = EXIT_FAIL;
	id = doc->id;
	if (!(blob = folio_archive_blob_path(arc, doc->sha256)) ||
	    folio_read_file(blob, UINT64_MAX, &data, &size, &err) != FOLIO_OK) {
		ret = cli_error(EXIT_FAIL, "cannot read the original of document %lld: %s", id,
				err.msg);
		goto out;
	}
	/* the original's name, for the viewer; no path separators from archives */
	if (!(safe = strdup(doc->name)))
		goto out;
	for (p = safe; *p; p++)
		if (*p == '/' || *p == '!')
			*p = '_';
	snprintf(target, sizeof(target), "%s/folio-%lld-%s", tmp && *tmp ? tmp : "/tmp", id, safe);
	if (folio_write_file_atomic(target, data, size, 0600, &err) != FOLIO_OK) {
		ret = cli_fail(&err);
		goto out;
	}
	printf("%s\n", target);
	fflush(stdout);
	ret = EXIT_OK;
	if (!vals[0] && (getenv("DISPLAY") || getenv("WAYLAND_DISPLAY")) &&
	    have_program("xdg-open")) {
		pid_t pid = fork();

		if (pid == 0) {
			execlp("xdg-open", "xdg-open", target, (char *)NULL);
			_exit(127);
		}
		if (pid < 0)
			cli_error(EXIT_FAIL, "cannot run xdg-open: %s", strerror(errno));
	}
out:
	free(safe);
	free(blob);
	free(data);
	folio_doc_free(doc);
	folio_archive_close(arc);
	return ret;
}
