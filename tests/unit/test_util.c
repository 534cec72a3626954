/* Unit tests: SHA-256, strbuf/JSON, folding, config, files. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "folio/config.h"
#include "folio/strbuf.h"
#include "folio/util.h"
#include "t.h"

static void test_sha256(void)
{
	char hex[65];
	struct folio_sha256 s;
	char *big;
	int i;

	folio_sha256_hex("", 0, hex);
	T_EQ_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	folio_sha256_hex("abc", 3, hex);
	T_EQ_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	folio_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	T_EQ_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* one million 'a', fed in uneven pieces */
	big = malloc(1000000);
	memset(big, 'a', 1000000);
	folio_sha256_init(&s);
	for (i = 0; i < 1000000;) {
		int n = (i % 7) * 13 + 1;

		if (i + n > 1000000)
			n = 1000000 - i;
		folio_sha256_update(&s, big + i, (size_t)n);
		i += n;
	}
	folio_sha256_final_hex(&s, hex);
	T_EQ_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(big);
}

static void test_strbuf(void)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	char *d;

	folio_strbuf_addf(&sb, "%d-%s", 42, "x");
	T_EQ_STR(sb.buf, "42-x");
	folio_strbuf_reset(&sb);
	folio_strbuf_add_json(&sb, "a\"b\\c\nd\te\x01 Łódź");
	T_EQ_STR(sb.buf, "\"a\\\"b\\\\c\\nd\\te\\u0001 Łódź\"");
	folio_strbuf_reset(&sb);
	/* invalid UTF-8 becomes U+FFFD: output is always valid JSON */
	folio_strbuf_add_json(&sb, "x\xff\xc3y");
	T_EQ_STR(sb.buf, "\"x\xef\xbf\xbd\xef\xbf\xbdy\"");
	folio_strbuf_reset(&sb);
	folio_strbuf_add_json(&sb, NULL);
	T_EQ_STR(sb.buf, "\"\"");
	/* long formatted strings grow the buffer */
	folio_strbuf_reset(&sb);
	folio_strbuf_addf(&sb, "%0500d", 7);
	T_EQ_INT(sb.len, 500);
	d = folio_strbuf_detach(&sb);
	T_EQ_INT(strlen(d), 500);
	T_OK(sb.buf == NULL && sb.len == 0, "detach resets");
	free(d);
	d = folio_strbuf_detach(&sb);
	T_EQ_STR(d, "");
	free(d);
	folio_strbuf_release(&sb);
}

static void test_fold(void)
{
	char *s;

	s = folio_fold("Łódź, Wałbrzych, Đakovo, Ørsted");
	T_EQ_STR(s, "Lódź, Walbrzych, Dakovo, Orsted");
	free(s);
	s = folio_fold_key("FAKTURA KORYGUJĄCA Łódź Żółć São Paulo Müller ß");
	T_EQ_STR(s, "faktura korygujaca lodz zolc sao paulo muller s");
	free(s);
	s = folio_fold_key("日本 ok");
	T_EQ_STR(s, "日本 ok");
	free(s);
}

static void test_config(void)
{
	struct folio_config cfg;
	struct folio_err err = { 0 };
	char path[] = "/tmp/folio-test-conf-XXXXXX";
	FILE *f;
	int fd;

	T_EQ_INT(folio_config_defaults(&cfg, &err), FOLIO_OK);
	T_EQ_STR(cfg.languages, FOLIO_DEFAULT_LANGUAGES);
	T_EQ_INT(cfg.render_dpi, 300);
	T_EQ_INT(folio_config_set(&cfg, "max_file_bytes", "2M", &err), FOLIO_OK);
	T_EQ_INT(cfg.max_file_bytes, 2 << 20);
	T_EQ_INT(folio_config_set(&cfg, "max_archive_bytes", "3GiB", &err), FOLIO_OK);
	T_EQ_INT(cfg.max_archive_bytes, 3ULL << 30);
	T_EQ_INT(folio_config_set(&cfg, "render_dpi", "5000", &err), FOLIO_FAILED);
	T_CONTAINS(err.msg, "out of range");
	T_EQ_INT(folio_config_set(&cfg, "max_pages", "-1", &err), FOLIO_FAILED);
	T_EQ_INT(folio_config_set(&cfg, "max_pages", "12x", &err), FOLIO_FAILED);
	T_EQ_INT(folio_config_set(&cfg, "nope", "1", &err), FOLIO_FAILED);
	T_CONTAINS(err.msg, "unknown key 'nope'");
	T_OK(folio_config_workers(&cfg) >= 1, "workers resolves to cores");

	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fprintf(f, "# comment\n\nlanguages = \"eng\"\n  workers=3  \nmax_pages = 10\n");
	fclose(f);
	T_EQ_INT(folio_config_load(&cfg, path, &err), FOLIO_OK);
	T_EQ_STR(cfg.languages, "eng");
	T_EQ_INT(cfg.workers, 3);
	T_EQ_INT(cfg.max_pages, 10);
	f = fopen(path, "w");
	fprintf(f, "workers = 1\nthis line is wrong\n");
	fclose(f);
	T_EQ_INT(folio_config_load(&cfg, path, &err), FOLIO_FAILED);
	T_CONTAINS(err.msg, ":2: expected 'key = value'");
	unlink(path);
	folio_config_release(&cfg);
}

/* [account NAME] sections: their lines kept in order, keys and values
 * checked where they are read (line numbers in the message). */
static void test_config_accounts(void)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "[account a]\nhost = h\ncolour = red\n",
		  ":3: unknown key 'colour' in [account a]" },
		{ "[account a]\ntls = maybe\n", ":2: tls: 'maybe': tls is yes, starttls or no" },
		{ "[account a]\nafter = move:\n", ":2: after: 'move:'" },
		{ "[account a]\nafter = flagged\n", ":2: after: 'flagged'" },
		{ "[account a]\nport = 70000\n", ":2: port: '70000': a number out of range" },
		{ "[account a b]\n", ":1: expected a section" },
		{ "[account a]\ntag_folders = maybe\n", ":2: tag_folders: 'maybe'" },
		{ "[account a]\ntag_rule = sender:x -> t\n", ":2: tag_rule: 'sender:x -> t'" },
		{ "[account a]\ntag_rule = from:x\n", ":2: tag_rule: 'from:x'" },
		{ "[account a]\ntag_rule = from:x -> ,\n", "tag_rule names no tag" },
	};
	struct folio_config cfg;
	struct folio_err err = { 0 };
	char path[] = "/tmp/folio-test-accounts-XXXXXX";
	FILE *f;
	size_t i;
	int fd = mkstemp(path);

	T_OK(fd >= 0, "temp file");
	f = fdopen(fd, "w");
	fputs("workers = 2\n[account office]\nhost = imap.example.com\ntls = starttls\n"
	      "after = move:Archived\n[export biuro]\nformat = csv\n[account pec]\n"
	      "after = flag:$Done\nport = 995\n",
	      f);
	fclose(f);
	folio_config_defaults(&cfg, &err);
	T_EQ_INT(folio_config_load(&cfg, path, &err), FOLIO_OK);
	T_EQ_INT(cfg.nmail_opts, 5);
	T_EQ_INT(cfg.nexport_opts, 1);
	T_EQ_STR(cfg.mail_opts[1].profile, "office");
	T_EQ_STR(cfg.mail_opts[1].key, "tls");
	T_EQ_STR(cfg.mail_opts[1].value, "starttls");
	T_EQ_STR(cfg.mail_opts[3].profile, "pec");
	T_EQ_STR(cfg.mail_opts[3].value, "flag:$Done");
	T_EQ_STR(cfg.export_opts[0].profile, "biuro");
	folio_config_release(&cfg);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f = fopen(path, "w");
		fputs(bad[i].text, f);
		fclose(f);
		folio_config_defaults(&cfg, &err);
		T_EQ_INT(folio_config_load(&cfg, path, &err), FOLIO_FAILED);
		T_CONTAINS(err.msg, bad[i].msg);
		folio_config_release(&cfg);
	}
	unlink(path);
}

/* Names on one terminal line; bytes that JSON cannot carry, in base64. */
static void test_names(void)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;

	folio_strbuf_add_quoted(&sb, "scans/Łódź faktura 1.pdf");
	T_EQ_STR(sb.buf, "scans/Łódź faktura 1.pdf");
	folio_strbuf_reset(&sb);
	folio_strbuf_add_quoted(&sb, "a\nb\033[31mred\xff.pdf");
	T_EQ_STR(sb.buf, "\"a\\nb\\033[31mred\\377.pdf\"");
	folio_strbuf_reset(&sb);
	folio_strbuf_add_quoted(&sb, "q\"uo\\te\t\r\x7f.pdf");
	T_EQ_STR(sb.buf, "\"q\\\"uo\\\\te\\t\\r\\177.pdf\"");
	folio_strbuf_reset(&sb);
	/* a C1 control (U+009B, CSI on some terminals) is escaped byte by byte */
	folio_strbuf_add_quoted(&sb, "x\xc2\x9b"
				     "2J");
	T_EQ_STR(sb.buf, "\"x\\302\\2332J\"");
	folio_strbuf_reset(&sb);
	/* free text: controls escaped, quotes and backslashes kept, no quotes */
	folio_strbuf_add_escaped(&sb, "cannot open 'a\nb\\c \"d\"\033': x");
	T_EQ_STR(sb.buf, "cannot open 'a\\nb\\c \"d\"\\033': x");
	folio_strbuf_reset(&sb);

	T_EQ_INT(folio_utf8_valid("Łódź.pdf"), 1);
	T_EQ_INT(folio_utf8_valid("x\xff.pdf"), 0);
	T_EQ_INT(folio_utf8_valid("\xc0\xaf"), 0);     /* overlong '/' */
	T_EQ_INT(folio_utf8_valid("\xed\xa0\x80"), 0); /* surrogate */
	/* valid UTF-8: nothing added (path carries it) */
	folio_strbuf_add_json_bytes(&sb, "path_bytes", "Łódź.pdf");
	T_EQ_INT(sb.len, 0);
	folio_strbuf_add_json_bytes(&sb, "path_bytes", "in/a\nb\033[31mred\377.pdf");
	T_EQ_STR(sb.buf, ",\"path_bytes\":\"aW4vYQpiG1szMW1yZWT/LnBkZg==\"");
	folio_strbuf_reset(&sb);
	folio_strbuf_add_json_bytes(&sb, "k", "\xff");
	T_EQ_STR(sb.buf, ",\"k\":\"/w==\"");
	folio_strbuf_reset(&sb);
	folio_strbuf_add_json_bytes(&sb, "k", "a\xff");
	T_EQ_STR(sb.buf, ",\"k\":\"Yf8=\"");
	folio_strbuf_release(&sb);
}

static void test_files(void)
{
	char dir[] = "/tmp/folio-test-fs-XXXXXX", *p, *q;
	struct folio_err err = { 0 };
	unsigned char *data;
	size_t size;

	T_OK(mkdtemp(dir) != NULL, "mkdtemp");
	/* a location "scheme://..." is no folder; a path that has "://"
	 * further on, or a one-letter "scheme", is */
	T_EQ_INT((int)folio_url_scheme("postgresql://folio@localhost/folio"), 10);
	T_EQ_INT((int)folio_url_scheme("pg+ssl://x"), 6);
	T_EQ_INT((int)folio_url_scheme("/var/lib/folio"), 0);
	T_EQ_INT((int)folio_url_scheme("archive"), 0);
	T_EQ_INT((int)folio_url_scheme("a://x"), 0);
	T_EQ_INT((int)folio_url_scheme("1db://x"), 0);
	T_EQ_INT((int)folio_url_scheme("dir/x://y"), 0);
	T_EQ_INT((int)folio_url_scheme(""), 0);
	p = folio_path_join(dir, "a/b/c");
	T_EQ_INT(folio_mkdirs(p, 0755, &err), FOLIO_OK);
	T_EQ_INT(folio_mkdirs(p, 0755, &err), FOLIO_OK);
	q = folio_path_join(p, "f.txt");
	T_EQ_INT(folio_write_file_atomic(q, "hello", 5, 0644, &err), FOLIO_OK);
	T_EQ_INT(folio_read_file(q, 100, &data, &size, &err), FOLIO_OK);
	T_EQ_INT(size, 5);
	T_OK(!memcmp(data, "hello", 5), "content");
	free(data);
	T_EQ_INT(folio_read_file(q, 4, &data, &size, &err), FOLIO_FAILED);
	T_EQ_INT(err.kind, FOLIO_E_LIMIT);
	T_EQ_INT(folio_read_file(p, 100, &data, &size, &err), FOLIO_FAILED);
	T_CONTAINS(err.msg, "not a regular file");
	free(q);
	q = folio_path_join(dir, "missing");
	T_EQ_INT(folio_read_file(q, 100, &data, &size, &err), FOLIO_FAILED);
	T_EQ_INT(err.kind, FOLIO_E_IO);
	T_CONTAINS(err.msg, "No such file");
	free(q);

	/* the fault points: the write fails as the system call would, the
	 * temp file goes, an existing file stays as it was */
	q = folio_path_join(p, "f.txt");
	setenv("FOLIO_FAULT", "store-fsync-eio,store-rename-enospc:1", 1);
	T_EQ_INT(folio_fault("store-fsync-eio"), 1);
	T_EQ_INT(folio_fault("store-fsync"), 0);
	T_EQ_INT(folio_fault("fsync-eio"), 0);
	T_EQ_INT(folio_write_file_atomic_by(q, "bye", 3, 0644, "store", &err), FOLIO_FAILED);
	T_CONTAINS(err.msg, "Input/output error");
	T_EQ_INT(err.sys_errno, EIO);
	T_EQ_INT(folio_read_file(q, 100, &data, &size, &err), FOLIO_OK);
	T_OK(size == 5 && !memcmp(data, "hello", 5), "the old content kept");
	free(data);
	setenv("FOLIO_FAULT", "store-rename-enospc:1", 1);
	T_EQ_INT(folio_write_file_atomic_by(q, "bye", 3, 0644, "store", &err), FOLIO_FAILED);
	T_EQ_INT(err.sys_errno, ENOSPC);
	T_CONTAINS(err.msg, "No space left on device");
	/* ":1": once only; another caller's name never */
	T_EQ_INT(folio_write_file_atomic_by(q, "bye", 3, 0644, "store", &err), FOLIO_OK);
	setenv("FOLIO_FAULT", "store-fsync-eio", 1);
	T_EQ_INT(folio_write_file_atomic_by(q, "ok", 2, 0644, "export", &err), FOLIO_OK);
	T_EQ_INT(folio_write_file_atomic(q, "ok", 2, 0644, &err), FOLIO_OK);
	unsetenv("FOLIO_FAULT");
	T_EQ_INT(folio_fault("store-fsync-eio"), 0);
	{
		char cmd[512];
		FILE *ls;

		snprintf(cmd, sizeof(cmd), "ls -a '%s'", p);
		ls = popen(cmd, "r");
		size = 0;
		while (ls && fgets(cmd, sizeof(cmd), ls)) {
			T_OK(!strstr(cmd, ".tmp."), "a temp file left: %s", cmd);
			size++;
		}
		if (ls)
			pclose(ls);
		T_EQ_INT(size, 3); /* ".", "..", f.txt */
	}
	free(q);
	free(p);
	q = malloc(strlen(dir) + 32);
	snprintf(q, strlen(dir) + 32, "rm -rf '%s'", dir);
	T_EQ_INT(system(q), 0);
	free(q);
}

/* An element with n attributes, after `pre`, as one string (caller frees). */
static char *attrs_xml(const char *pre, int n, const char *post)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	int i;

	folio_strbuf_adds(&sb, pre);
	folio_strbuf_adds(&sb, "<e");
	for (i = 0; i < n; i++)
		folio_strbuf_addf(&sb, " a%d='x=y'", i);
	folio_strbuf_adds(&sb, "/>");
	folio_strbuf_adds(&sb, post);
	return folio_strbuf_detach(&sb);
}

static void test_xml_guard(void)
{
	struct folio_err err = { 0 };
	char *x;
	int i;
	struct folio_strbuf deep = FOLIO_STRBUF_INIT;

	x = attrs_xml("<?xml version=\"1.0\"?>\n<r>\n", FOLIO_XML_MAX_ATTRS, "</r>");
	T_EQ_INT(folio_xml_guard(x, strlen(x), &err), FOLIO_OK);
	free(x);
	x = attrs_xml("<?xml version=\"1.0\"?>\n<r>\n", FOLIO_XML_MAX_ATTRS + 1, "</r>");
	T_EQ_INT(folio_xml_guard(x, strlen(x), &err), FOLIO_FAILED);
	T_EQ_INT(err.kind, FOLIO_E_LIMIT);
	T_CONTAINS(err.msg, "XML line 3: an element has more than 256 attributes");
	free(x);
	/* '=' in comments, CDATA, PIs, the DOCTYPE and text is no attribute */
	x = "<?xml version='1.0' a='b' c='d'?><!DOCTYPE r [<!ENTITY e 'a=b'>]>"
	    "<r><!-- a=b a=b a=b --><![CDATA[a=b a=b]]>a=b a=b</r>";
	T_EQ_INT(folio_xml_guard(x, strlen(x), &err), FOLIO_OK);
	for (i = 0; i < FOLIO_XML_MAX_DEPTH + 1; i++)
		folio_strbuf_adds(&deep, "<a>");
	T_EQ_INT(folio_xml_guard(deep.buf, deep.len, &err), FOLIO_FAILED);
	T_CONTAINS(err.msg, "nested more than 256 deep");
	folio_strbuf_reset(&deep);
	/* closed elements do not deepen, nor do self-closing ones */
	for (i = 0; i < 1000; i++)
		folio_strbuf_adds(&deep, "<a><b/></a>");
	T_EQ_INT(folio_xml_guard(deep.buf, deep.len, &err), FOLIO_OK);
	folio_strbuf_release(&deep);
	/* truncated input ends the scan without a verdict of its own */
	T_EQ_INT(folio_xml_guard("<a b='", 6, &err), FOLIO_OK);
	T_EQ_INT(folio_xml_guard("<!--", 4, &err), FOLIO_OK);
	T_EQ_INT(folio_xml_guard("", 0, &err), FOLIO_OK);

	x = "\xef\xbb\xbf  <?xml version='1.0'?><a/>";
	T_OK(folio_xml_declared(x, strlen(x)), "declaration");
	x = "<Invoice xmlns=\"urn:x\">";
	T_OK(folio_xml_declared(x, strlen(x)), "namespace");
	x = "<GST> 23%";
	T_OK(!folio_xml_declared(x, strlen(x)), "a tag on a receipt");
}

static void put_file(const char *path, const char *data)
{
	FILE *f = fopen(path, "w");

	T_OK(f != NULL, "cannot create %s", path);
	if (f) {
		fputs(data, f);
		fclose(f);
	}
}

/* Read what folio_open_input() lets through; NULL and err set otherwise. */
static char *read_input(const char *root, const char *path, int follow, struct folio_err *err)
{
	unsigned char *data = NULL;
	char *text = NULL;
	size_t size;
	int fd;

	folio_err_clear(err);
	if (folio_open_input(root, path, follow, &fd, NULL, err) != FOLIO_OK)
		return NULL;
	if (folio_read_fd(fd, path, 1 << 20, &data, &size, err) == FOLIO_OK)
		text = strndup((const char *)data, size);
	free(data);
	close(fd);
	return text;
}

/*
 * The symlink rule for inbox files: a link is never followed unless
 * follow, and then only to a regular file inside the root; FIFOs and
 * sockets are refused without blocking; a link or another file swapped
 * in after the check is refused by the open itself.
 */
static void test_open_input(void)
{
	char dir[] = "/tmp/folio-test-open-XXXXXX", in[96], p[160], q[160];
	struct folio_err err = { 0 };
	struct stat st, st2;
	unsigned char *bytes;
	size_t size;
	char *data;
	int fd, dfd;

	T_OK(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(in, sizeof(in), "%s/in", dir);
	snprintf(p, sizeof(p), "%s/in/sub", dir);
	T_EQ_INT(folio_mkdirs(p, 0755, &err), FOLIO_OK);
	snprintf(p, sizeof(p), "%s/secret.txt", dir);
	put_file(p, "secret");
	snprintf(p, sizeof(p), "%s/in/sub/real.txt", dir);
	put_file(p, "real");

	/* a plain file below the root, through a subfolder */
	data = read_input(in, p, 0, &err);
	T_EQ_STR(data, "real");
	free(data);
	/* the root may be spelled with extra slashes */
	snprintf(q, sizeof(q), "%s//in/", dir);
	data = read_input(q, p, 0, &err);
	T_EQ_STR(data, "real");
	free(data);

	/* links: refused by default, whatever they point to */
	snprintf(p, sizeof(p), "%s/in/out.txt", dir);
	T_EQ_INT(symlink("../secret.txt", p), 0);
	T_OK(read_input(in, p, 0, &err) == NULL, "link outside followed");
	T_EQ_STR(err.msg, "symbolic link: not followed");
	snprintf(p, sizeof(p), "%s/in/inside.txt", dir);
	T_EQ_INT(symlink("sub/real.txt", p), 0);
	T_OK(read_input(in, p, 0, &err) == NULL, "link inside followed without follow");
	T_EQ_STR(err.msg, "symbolic link: not followed");
	snprintf(p, sizeof(p), "%s/in/shadow.txt", dir);
	T_EQ_INT(symlink("/etc/passwd", p), 0);
	T_OK(read_input(in, p, 0, &err) == NULL, "link to /etc/passwd followed");
	/* with follow: inside yes, outside, folders and dangling links no */
	snprintf(p, sizeof(p), "%s/in/inside.txt", dir);
	data = read_input(in, p, 1, &err);
	T_EQ_STR(data, "real");
	free(data);
	snprintf(p, sizeof(p), "%s/in/out.txt", dir);
	T_OK(read_input(in, p, 1, &err) == NULL, "link outside followed with follow");
	T_CONTAINS(err.msg, "outside");
	snprintf(p, sizeof(p), "%s/in/shadow.txt", dir);
	T_OK(read_input(in, p, 1, &err) == NULL, "link to /etc/passwd followed with follow");
	T_CONTAINS(err.msg, "symbolic link to '/etc/passwd', outside");
	snprintf(p, sizeof(p), "%s/in/dir", dir);
	T_EQ_INT(symlink("sub", p), 0);
	T_OK(read_input(in, p, 1, &err) == NULL, "link to a folder followed");
	T_CONTAINS(err.msg, "folder");
	snprintf(p, sizeof(p), "%s/in/dangling", dir);
	T_EQ_INT(symlink("nowhere", p), 0);
	T_OK(read_input(in, p, 1, &err) == NULL, "dangling link read");
	/* a folder on the way swapped for a link: never followed */
	snprintf(p, sizeof(p), "%s/in/evil", dir);
	T_EQ_INT(symlink(dir, p), 0);
	snprintf(p, sizeof(p), "%s/in/evil/secret.txt", dir);
	T_OK(read_input(in, p, 0, &err) == NULL, "folder link on the way followed");
	T_OK(read_input(in, p, 1, &err) == NULL, "folder link on the way followed (follow)");
	/* named by the user (root NULL): followed */
	snprintf(p, sizeof(p), "%s/in/out.txt", dir);
	data = read_input(NULL, p, 0, &err);
	T_EQ_STR(data, "secret");
	free(data);

	/* a FIFO: refused, and nothing blocks (no writer ever comes) */
	snprintf(p, sizeof(p), "%s/in/pipe.pdf", dir);
	T_EQ_INT(mkfifo(p, 0644), 0);
	T_OK(read_input(in, p, 0, &err) == NULL, "FIFO read");
	T_EQ_STR(err.msg, "not a regular file (FIFO)");
	T_OK(read_input(NULL, p, 0, &err) == NULL, "FIFO read by name");
	T_EQ_STR(err.msg, "not a regular file (FIFO)");
	snprintf(q, sizeof(q), "%s/in/to-pipe", dir);
	T_EQ_INT(symlink("pipe.pdf", q), 0);
	T_OK(read_input(in, q, 1, &err) == NULL, "link to a FIFO read");
	T_EQ_STR(err.msg, "not a regular file (FIFO)");
	/* the fd-level open itself never blocks on one either */
	dfd = open(in, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	T_EQ_INT(folio_openat_regular(dfd, "pipe.pdf", NULL, &fd, NULL, &err), FOLIO_FAILED);
	T_EQ_INT(fd, -1);
	T_EQ_STR(err.msg, "not a regular file (FIFO)");
	/* folio_read_file too (config files, models) */
	T_EQ_INT(folio_read_file(p, 100, &bytes, &size, &err), FOLIO_FAILED);
	T_CONTAINS(err.msg, "not a regular file");

	/* TOCTOU: the name was checked (lstat) as a regular file, then a
	 * link was swapped in before the open: the open refuses it */
	snprintf(p, sizeof(p), "%s/in/swap.pdf", dir);
	put_file(p, "innocent");
	T_EQ_INT(fstatat(dfd, "swap.pdf", &st, AT_SYMLINK_NOFOLLOW), 0);
	snprintf(q, sizeof(q), "%s/in/swap.tmp", dir);
	T_EQ_INT(symlink("../secret.txt", q), 0);
	T_EQ_INT(rename(q, p), 0);
	T_EQ_INT(folio_openat_regular(dfd, "swap.pdf", &st, &fd, NULL, &err), FOLIO_FAILED);
	T_EQ_INT(fd, -1);
	T_EQ_INT(err.sys_errno, ELOOP);
	T_EQ_STR(err.msg, "symbolic link: not followed");
	/* ... or another regular file swapped in: not the file checked */
	unlink(p);
	put_file(p, "first");
	T_EQ_INT(fstatat(dfd, "swap.pdf", &st, AT_SYMLINK_NOFOLLOW), 0);
	put_file(q, "second");
	T_EQ_INT(rename(q, p), 0);
	T_EQ_INT(folio_openat_regular(dfd, "swap.pdf", &st, &fd, NULL, &err), FOLIO_FAILED);
	T_CONTAINS(err.msg, "replaced by another file");
	/* the file checked is the file opened */
	T_EQ_INT(fstatat(dfd, "swap.pdf", &st, AT_SYMLINK_NOFOLLOW), 0);
	T_EQ_INT(folio_openat_regular(dfd, "swap.pdf", &st, &fd, &st2, &err), FOLIO_OK);
	T_OK(fd >= 0 && st2.st_ino == st.st_ino, "opened another file");
	if (fd >= 0)
		close(fd);
	close(dfd);

	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	T_EQ_INT(system(p), 0);
}

/* The JSON writer: commas, nesting, escapes, numbers kept exact. */
static void test_json_writer(void)
{
	/* clang-format off */
	static const struct { const char *in, *out; } dec[] = {
		{ "1234.50", "1234.50" }, { "-7", "-7" }, { "+7", "7" }, { "007.50", "7.50" },
		{ ".5", "0.5" }, { "5.", "5" }, { " 12.00 ", "12.00" }, { "1e3", "null" },
		{ "", "null" }, { "-", "null" }, { "12,50", "null" }, { NULL, "null" },
	};
	/* clang-format on */
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	struct folio_json j;
	size_t i;

	folio_json_init(&j, &sb);
	folio_json_open(&j, NULL, '{');
	folio_json_int(&j, "id", 42);
	folio_json_str(&j, "s", "a\"b\n\x01");
	folio_json_str(&j, "none", NULL);
	folio_json_str_if(&j, "skipped", NULL);
	folio_json_open(&j, "list", '[');
	folio_json_bool(&j, NULL, 1);
	folio_json_null(&j, NULL);
	folio_json_open(&j, NULL, '{');
	folio_json_close(&j, '}');
	folio_json_real(&j, NULL, 0.5, 3);
	folio_json_close(&j, ']');
	folio_json_open(&j, "empty", '[');
	folio_json_close(&j, ']');
	folio_json_raw(&j, "raw", "[1,2]");
	folio_json_path(&j, "path", "bad\xff.pdf");
	folio_json_path(&j, "good", "ok.pdf");
	folio_json_close(&j, '}');
	T_OK(!j.err, "no error");
	T_EQ_STR(sb.buf, "{\"id\":42,\"s\":\"a\\\"b\\n\\u0001\",\"none\":null,"
			 "\"list\":[true,null,{},0.500],\"empty\":[],\"raw\":[1,2],"
			 "\"path\":\"bad\xef\xbf\xbd.pdf\",\"path_bytes\":\"YmFk/y5wZGY=\","
			 "\"good\":\"ok.pdf\"}");
	for (i = 0; i < sizeof(dec) / sizeof(dec[0]); i++) {
		folio_strbuf_reset(&sb);
		folio_json_init(&j, &sb);
		folio_json_decimal(&j, NULL, dec[i].in);
		T_EQ_STR(sb.buf, dec[i].out);
	}
	folio_strbuf_reset(&sb);
	folio_json_init(&j, &sb);
	folio_json_real(&j, NULL, (double)NAN, 2);
	T_EQ_STR(sb.buf, "null");
	folio_strbuf_release(&sb);
}

int main(void)
{
	test_sha256();
	test_strbuf();
	test_fold();
	test_config();
	test_config_accounts();
	test_files();
	test_xml_guard();
	test_names();
	test_open_input();
	test_json_writer();
	return t_done();
}
