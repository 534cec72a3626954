/*
 * seedtool.c - makes the seed files of tests/fuzz/corpus/ that shell tools
 * cannot (built and run by tests/fuzz/make-corpus.sh only; not part of
 * folio). Two commands:
 *
 *   seedtool archive OUT FORMAT FILTER [-o OPTION] ENTRY...
 *     an archive through libarchive: FORMAT zip, 7zip, ustar, pax, gnutar,
 *     cpio; FILTER none, gzip, bzip2, xz, zstd; OPTION for
 *     archive_write_set_options() ("zip:encryption=zipcrypt", with the
 *     passphrase "folio"). ENTRY is
 *       NAME=FILE     a regular file with FILE's bytes
 *       NAME:TEXT     a regular file holding TEXT
 *       NAME->TARGET  a symbolic link
 *       NAME=>TARGET  a hard link
 *       NAME/         a folder
 *       NAME#c NAME#b NAME#p   a character device, block device, fifo
 *
 *   seedtool image IN WIDTH OUT FORMAT [DEPTH]
 *     IN (any image Leptonica reads) scaled to WIDTH pixels wide,
 *     converted to DEPTH bits (1, 8 or 32; default 8) and written as
 *     FORMAT: png, jpg, tif, tif-g4, bmp, gif, webp, jp2, pnm; "tif+" adds
 *     a page to an existing TIFF.
 */
#include <archive.h>
#include <archive_entry.h>
#include <leptonica/allheaders.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int die(const char *what, const char *why)
{
	fprintf(stderr, "seedtool: %s: %s\n", what, why ? why : "failed");
	return 1;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 && !fseek(f, 0, SEEK_SET) &&
	    (b = malloc((size_t)n + 1)) && fread(b, 1, (size_t)n, f) == (size_t)n) {
		*len = (size_t)n;
	} else {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

static int add_entry(struct archive *a, const char *spec)
{
	struct archive_entry *e = archive_entry_new();
	char *name = strdup(spec), *p;
	unsigned char *data = NULL;
	size_t len = 0, n = strlen(spec);
	int ret = 0;

	archive_entry_set_mtime(e, 1700000000, 0);
	archive_entry_set_perm(e, 0644);
	if ((p = strstr(name, "=>"))) {
		*p = '\0';
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_hardlink(e, p + 2);
	} else if ((p = strstr(name, "->"))) {
		*p = '\0';
		archive_entry_set_filetype(e, AE_IFLNK);
		archive_entry_set_symlink(e, p + 2);
	} else if (n > 2 && name[n - 2] == '#') {
		archive_entry_set_filetype(e, name[n - 1] == 'c' ? AE_IFCHR :
					      name[n - 1] == 'b' ? AE_IFBLK :
								   AE_IFIFO);
		archive_entry_set_rdev(e, 0x0103);
		name[n - 2] = '\0';
	} else if (name[n - 1] == '/') {
		archive_entry_set_filetype(e, AE_IFDIR);
		archive_entry_set_perm(e, 0755);
	} else if ((p = strchr(name, '='))) {
		*p = '\0';
		if (!(data = slurp(p + 1, &len)))
			return die(p + 1, "cannot read");
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_size(e, (la_int64_t)len);
	} else if ((p = strchr(name, ':'))) {
		*p = '\0';
		data = (unsigned char *)strdup(p + 1);
		len = strlen(p + 1);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_size(e, (la_int64_t)len);
	} else {
		return die(spec, "not an entry");
	}
	archive_entry_set_pathname(e, name);
	if (archive_write_header(a, e) < ARCHIVE_WARN ||
	    (len && archive_write_data(a, data, len) != (la_ssize_t)len))
		ret = die(name, archive_error_string(a));
	archive_entry_free(e);
	free(data);
	free(name);
	return ret;
}

static int cmd_archive(int argc, char **argv)
{
	struct archive *a = archive_write_new();
	int i, r = 0;

	if (argc < 5)
		return die("archive", "usage: archive OUT FORMAT FILTER ENTRY...");
	if (archive_write_set_format_by_name(a, argv[3]) != ARCHIVE_OK)
		return die(argv[3], archive_error_string(a));
	if (strcmp(argv[4], "none") && archive_write_add_filter_by_name(a, argv[4]) != ARCHIVE_OK)
		return die(argv[4], archive_error_string(a));
	archive_write_set_passphrase(a, "folio");
	for (i = 5; i < argc && !strcmp(argv[i], "-o") && i + 1 < argc; i += 2)
		if (archive_write_set_options(a, argv[i + 1]) != ARCHIVE_OK)
			return die(argv[i + 1], archive_error_string(a));
	if (archive_write_open_filename(a, argv[2]) != ARCHIVE_OK)
		return die(argv[2], archive_error_string(a));
	for (; i < argc && !r; i++)
		r = add_entry(a, argv[i]);
	if (archive_write_close(a) != ARCHIVE_OK)
		r = die(argv[2], archive_error_string(a));
	archive_write_free(a);
	return r;
}

static int cmd_image(int argc, char **argv)
{
	/* clang-format off */
	static const struct { const char *name; int fmt; } fmts[] = {
		{ "png", IFF_PNG }, { "jpg", IFF_JFIF_JPEG }, { "tif", IFF_TIFF_LZW },
		{ "tif-g4", IFF_TIFF_G4 }, { "bmp", IFF_BMP }, { "gif", IFF_GIF },
		{ "webp", IFF_WEBP }, { "jp2", IFF_JP2 }, { "pnm", IFF_PNM },
	};
	/* clang-format on */
	PIX *in, *scaled, *out;
	int width, depth = argc > 6 ? atoi(argv[6]) : 8, fmt = -1, append = 0, r;
	size_t i;
	char name[16];

	if (argc < 6)
		return die("image", "usage: image IN WIDTH OUT FORMAT [DEPTH]");
	snprintf(name, sizeof(name), "%s", argv[5]);
	if (name[0] && name[strlen(name) - 1] == '+') {
		append = 1;
		name[strlen(name) - 1] = '\0';
	}
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
		if (!strcmp(fmts[i].name, name))
			fmt = fmts[i].fmt;
	if (fmt < 0)
		return die(argv[5], "unknown format");
	if (!(in = pixRead(argv[2])))
		return die(argv[2], "cannot read");
	width = atoi(argv[3]);
	scaled = pixScaleToSize(in, width, 0);
	out = depth == 1  ? pixConvertTo1(scaled, 160) :
	      depth == 32 ? pixConvertTo32(scaled) :
			    pixConvertTo8(scaled, 0);
	if (!out)
		return die(argv[2], "cannot convert");
	pixSetResolution(out, 30, 30);
	if (fmt == IFF_TIFF_LZW || fmt == IFF_TIFF_G4)
		r = pixWriteTiff(argv[4], out, depth == 1 ? IFF_TIFF_G4 : IFF_TIFF_LZW,
				 append ? "a" : "w");
	else
		r = pixWrite(argv[4], out, fmt);
	pixDestroy(&in);
	pixDestroy(&scaled);
	pixDestroy(&out);
	return r ? die(argv[4], "cannot write") : 0;
}

int main(int argc, char **argv)
{
	setLeptDebugOK(0);
	if (argc > 1 && !strcmp(argv[1], "archive"))
		return cmd_archive(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "image"))
		return cmd_image(argc, argv);
	fprintf(stderr, "usage: seedtool archive|image ... (see tests/fuzz/seedtool.c)\n");
	return 2;
}
