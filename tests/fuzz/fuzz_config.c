/*
 * fuzz_config.c - the config file parser, folio_config_load()
 * (src/util/config.c): `key = value` lines, comments, quotes, sizes with
 * suffixes, `[export NAME]` sections. The bytes are handed over as a
 * file through a memfd (/proc/self/fd/N), so nothing touches the disk.
 *
 * Checked: the documented statuses, a failure naming the file and line,
 * and every bound still within its documented range after a load that
 * succeeded (what keeps memory finite on hostile input).
 */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct folio_config cfg;
	struct folio_err err = { 0 };
	char path[64];
	int fd, r;
	size_t off = 0;

	if ((fd = memfd_create("folio-fuzz.conf", MFD_CLOEXEC)) < 0)
		abort();
	while (off < size) {
		ssize_t w = write(fd, data + off, size - off);

		if (w <= 0)
			abort();
		off += (size_t)w;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	fuzz_config(&cfg);
	r = folio_config_load(&cfg, path, &err);
	fuzz_check_err(r, &err, "folio_config_load");
	if (r == FOLIO_OK) {
		fuzz_assert(cfg.languages && *cfg.languages, "no languages left");
		fuzz_assert(cfg.max_pages >= 1 && cfg.max_file_bytes >= 1 &&
				    cfg.max_page_pixels >= 1 &&
				    cfg.max_page_pixels <= (1ULL << 34) &&
				    cfg.max_archive_entries >= 1 && cfg.max_archive_ratio >= 1 &&
				    cfg.max_archive_depth >= 0 && cfg.max_archive_depth <= 16 &&
				    cfg.render_dpi >= 50 && cfg.render_dpi <= 1200 &&
				    cfg.workers >= 0 && cfg.workers <= 256,
			    "a bound out of its range after a successful load");
	} else {
		fuzz_assert(r == FOLIO_FAILED, "status %d: %s", r, err.msg);
		fuzz_assert(!strncmp(err.msg, path, strlen(path)) && err.msg[strlen(path)] == ':',
			    "message '%s' names no file:line", err.msg);
	}
	folio_config_release(&cfg);
	close(fd);
	return 0;
}
