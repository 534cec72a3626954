/* Unit tests: SHA-256, strbuf/JSON, folding, config, files. */
#include <errno.h>
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

static void test_files(void)
{
	char dir[] = "/tmp/folio-test-fs-XXXXXX", *p, *q;
	struct folio_err err = { 0 };
	unsigned char *data;
	size_t size;

	T_OK(mkdtemp(dir) != NULL, "mkdtemp");
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
		T_EQ_INT(size, 3);   /* ".", "..", f.txt */
	}
	free(q);
	free(p);
	q = malloc(strlen(dir) + 32);
	snprintf(q, strlen(dir) + 32, "rm -rf '%s'", dir);
	T_EQ_INT(system(q), 0);
	free(q);
}

int main(void)
{
	test_sha256();
	test_strbuf();
	test_fold();
	test_config();
	test_files();
	return t_done();
}
