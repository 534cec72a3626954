/* config.c - defaults and the config file; see include/folio/config.h. */
#include "folio/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "folio/util.h"

/* One table of keys: the config file, `folio --help` and the docs agree. */
enum kind { K_STR, K_INT, K_SIZE, K_BOOL };

struct key {
	const char *name;
	enum kind kind;
	size_t off;
	long long min, max;
};

#define OFF(m) offsetof(struct folio_config, m)

/* clang-format off */
static const struct key keys[] = {
	{ "archive", K_STR, OFF(archive_dir), 0, 0 },
	{ "asn_pattern", K_STR, OFF(asn_pattern), 0, 0 },
	{ "done_dir", K_STR, OFF(done_dir), 0, 0 },
	{ "follow_symlinks", K_BOOL, OFF(follow_symlinks), 0, 1 },
	{ "inboxes", K_STR, OFF(inboxes), 0, 0 },
	{ "languages", K_STR, OFF(languages), 0, 0 },
	{ "log", K_STR, OFF(log), 0, 0 },
	{ "log_level", K_STR, OFF(log_level), 0, 0 },
	{ "locale", K_STR, OFF(locale), 0, 0 },
	{ "custom_fields", K_STR, OFF(custom_fields), 0, 0 },
	{ "retention", K_STR, OFF(retention), 0, 0 },
	{ "retention_country", K_STR, OFF(retention_country), 0, 0 },
	{ "max_archive_bytes", K_SIZE, OFF(max_archive_bytes), 1, 1LL << 50 },
	{ "max_archive_depth", K_INT, OFF(max_archive_depth), 0, 16 },
	{ "max_archive_entries", K_INT, OFF(max_archive_entries), 1, 10000000 },
	{ "max_archive_ratio", K_INT, OFF(max_archive_ratio), 1, 1000000 },
	{ "max_mail_parts", K_INT, OFF(max_mail_parts), 1, 1000000 },
	{ "mail_inline_image_bytes", K_SIZE, OFF(mail_inline_image_bytes), 0, 1LL << 40 },
	{ "max_file_bytes", K_SIZE, OFF(max_file_bytes), 1, 1LL << 40 },
	{ "max_page_pixels", K_SIZE, OFF(max_page_pixels), 1, 1LL << 34 },
	{ "max_pages", K_INT, OFF(max_pages), 1, 1000000 },
	{ "models", K_STR, OFF(models_dir), 0, 0 },
	{ "max_queue", K_INT, OFF(max_queue), 1, 100000 },
	{ "min_text_chars", K_INT, OFF(min_text_chars), 0, 100000 },
	{ "poll_ms", K_INT, OFF(poll_ms), 50, 3600000 },
	{ "quarantine_dir", K_STR, OFF(quarantine_dir), 0, 0 },
	{ "render_dpi", K_INT, OFF(render_dpi), 50, 1200 },
	{ "review_confidence", K_INT, OFF(review_confidence), 1, 100 },
	{ "rescan_seconds", K_INT, OFF(rescan_seconds), 1, 86400 },
	{ "split_barcode", K_STR, OFF(split_barcode), 0, 0 },
	{ "split_blank", K_INT, OFF(split_blank), 0, 1 },
	{ "settle_ms", K_INT, OFF(settle_ms), 0, 3600000 },
	{ "tag_rules", K_STR, OFF(tag_rules), 0, 0 },
	{ "tag_subfolders", K_INT, OFF(tag_subfolders), 0, 1 },
	{ "type_rules", K_STR, OFF(type_rules), 0, 0 },
	{ "tessdata", K_STR, OFF(tessdata_dir), 0, 0 },
	{ "watch_backend", K_STR, OFF(watch_backend), 0, 0 },
	{ "workers", K_INT, OFF(workers), 0, 256 },
};
/* clang-format on */

int folio_config_defaults(struct folio_config *cfg, struct folio_err *err)
{
	memset(cfg, 0, sizeof(*cfg));
	/* chosen by measurement: see README "OCR languages" */
	cfg->languages = strdup(FOLIO_DEFAULT_LANGUAGES);
	if (!cfg->languages)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	cfg->workers = 0;
	cfg->max_file_bytes = 256ULL << 20;
	cfg->max_pages = 2000;
	cfg->max_page_pixels = 200000000ULL; /* A0 at 300 dpi is ~140 Mpx */
	cfg->render_dpi = 300;
	cfg->min_text_chars = 16;
	cfg->review_confidence = 60;
	cfg->max_archive_entries = 10000;
	cfg->max_mail_parts = 1000;
	cfg->mail_inline_image_bytes = 32768;
	cfg->max_archive_bytes = 2ULL << 30;
	cfg->max_archive_ratio = 200;
	cfg->max_archive_depth = 3;
	cfg->watch_backend = strdup("auto");
	cfg->log = strdup("stderr");
	cfg->log_level = strdup("info");
	cfg->asn_pattern = strdup("ASN *[0-9]+");
	cfg->split_barcode = strdup("^(PATCHT|FOLIO-SEP)$");
	cfg->retention_country = strdup("none");
	if (!cfg->watch_backend || !cfg->log || !cfg->log_level || !cfg->asn_pattern ||
	    !cfg->split_barcode || !cfg->retention_country)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	cfg->settle_ms = 2000;
	cfg->rescan_seconds = 300;
	cfg->poll_ms = 5000;
	cfg->tag_subfolders = 1;
	cfg->max_queue = 64;
	return FOLIO_OK;
}

static int parse_size(const char *v, unsigned long long *out)
{
	char *end;
	unsigned long long n;

	errno = 0;
	if (!isdigit((unsigned char)*v))
		return -1;
	n = strtoull(v, &end, 10);
	if (errno)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'K':
		n <<= 10;
		end++;
		break;
	case 'M':
		n <<= 20;
		end++;
		break;
	case 'G':
		n <<= 30;
		end++;
		break;
	case 'T':
		n <<= 40;
		end++;
		break;
	default: break;
	}
	if (*end == 'i' || *end == 'I')
		end++;
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end)
		return -1;
	*out = n;
	return 0;
}

int folio_config_set(struct folio_config *cfg, const char *key, const char *value,
		     struct folio_err *err)
{
	const struct key *k = NULL;
	unsigned long long n;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(keys[i].name, key))
			k = &keys[i];
	if (!k) {
		const char *names[sizeof(keys) / sizeof(keys[0]) + 1], *meant;

		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			names[i] = keys[i].name;
		names[i] = NULL;
		if ((meant = folio_suggest(key, names)))
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
					     "unknown key '%s'; did you mean '%s'?", key, meant);
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0, "unknown key '%s'", key);
	}
	if (!strcmp(key, "watch_backend") && strcmp(value, "auto") && strcmp(value, "inotify") &&
	    strcmp(value, "poll"))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
				     "'watch_backend' is 'auto', 'inotify' or 'poll', not '%s'",
				     value);
	if (!strcmp(key, "log") && strcmp(value, "stderr") && strcmp(value, "syslog"))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
				     "'log' is 'stderr' or 'syslog', not '%s'", value);
	if (!strcmp(key, "retention_country") && folio_config_retention_country(value) < 0)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
				     "'retention_country' is pl, es, pt, it or none, not '%s'",
				     value);
	if (!strcmp(key, "retention")) {
		struct folio_retention_rule r;
		const char *p = value;
		int got;

		while ((got = folio_config_retention_next(&p, &r, err)) > 0)
			;
		if (got < 0)
			return FOLIO_FAILED;
	}
	if (!strcmp(key, "custom_fields")) {
		const char *p = value;

		while (*p) {
			size_t len;

			p += strspn(p, " ,\t");
			len = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_");
			if (!*p)
				break;
			if (!len || (*p >= '0' && *p <= '9') || *p == '_' || len > 32 ||
			    (p[len] && !strchr(" ,\t", p[len])))
				return folio_err_set(
					err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
					"'custom_fields' are names of lowercase letters,"
					" digits and _ (at most 32), e.g. cost_center,"
					" not '%.*s'",
					(int)strcspn(p, " ,\t"), p);
			p += len;
		}
	}
	if (!strcmp(key, "locale") && *value && strcmp(value, "pl") && strcmp(value, "es") &&
	    strcmp(value, "it") && strcmp(value, "pt") && strcmp(value, "excel") &&
	    strcmp(value, "none"))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
				     "'locale' is pl, es, it, pt, excel or none, not '%s'", value);
	if (!strcmp(key, "log_level") && strcmp(value, "debug") && strcmp(value, "info") &&
	    strcmp(value, "warning") && strcmp(value, "error"))
		return folio_err_set(
			err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
			"'log_level' is 'debug', 'info', 'warning' or 'error', not '%s'", value);
	if (k->kind == K_STR && !*value && !strcmp(key, "languages"))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
				     "'languages' must name at least one language, e.g. pol+eng");
	if (k->kind == K_STR) {
		char **slot = (char **)((char *)cfg + k->off);
		char *p = *value ? strdup(value) : NULL;

		if (*value && !p)
			return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					     "out of memory");
		free(*slot);
		*slot = p;
		return FOLIO_OK;
	}
	if (k->kind == K_BOOL) {
		static const char *const yes[] = { "yes", "1", "true", "on" };
		static const char *const no[] = { "no", "0", "false", "off" };
		int *slot = (int *)((char *)cfg + k->off);

		for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
			if (!strcasecmp(value, yes[i]) || !strcasecmp(value, no[i])) {
				*slot = !strcasecmp(value, yes[i]);
				return FOLIO_OK;
			}
		}
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
				     "'%s' is 'yes' or 'no', not '%s'", key, value);
	}
	if (parse_size(value, &n))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
				     "'%s' is not a valid number for '%s'", value, key);
	if ((long long)n < k->min || (long long)n > k->max)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
				     "'%s' = %s is out of range %lld..%lld", key, value, k->min,
				     k->max);
	if (k->kind == K_INT)
		*(int *)((char *)cfg + k->off) = (int)n;
	else
		*(uint64_t *)((char *)cfg + k->off) = n;
	return FOLIO_OK;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/*
 * "[export NAME]" starts the settings of export profile NAME, "[account
 * NAME]" those of IMAP account NAME (letters, digits, '_', '-'; up to 64);
 * every later "key = value" belongs to it. *account: 1 for an account.
 */
static int section(char *s, char **profile, int *account, const char *path, int lineno,
		   struct folio_err *err)
{
	size_t n = strlen(s), i, kw;
	char *name;

	if (n < 2 || s[n - 1] != ']')
		goto bad;
	s[n - 1] = '\0';
	s = trim(s + 1);
	if (!strncmp(s, "export", 6) && isspace((unsigned char)s[6]))
		kw = 6, *account = 0;
	else if (!strncmp(s, "account", 7) && isspace((unsigned char)s[7]))
		kw = 7, *account = 1;
	else
		goto bad;
	name = trim(s + kw);
	n = strlen(name);
	if (!n || n > 64)
		goto bad;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '-')
			goto bad;
	free(*profile);
	if (!(*profile = strdup(name)))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	return FOLIO_OK;
bad:
	return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
			     "%s:%d: expected a section '[export NAME]' or '[account NAME]' (NAME: "
			     "letters, digits, '_', '-')",
			     path, lineno);
}

/* The keys of an [account NAME] section (see config/folio.conf). */
/* clang-format off */
static const char *const account_keys[] = {
	"after", "attachment_types", "ca_file", "folders", "from", "host", "idle",
	"password_file", "poll_seconds", "port", "subject", "tag_folders", "tag_rule",
	"tags", "timeout_seconds", "tls", "to", "user", NULL,
};
/* clang-format on */

/* A value of an account key that cannot work, or NULL. */
static const char *account_bad(const char *key, const char *v)
{
	char *end;
	long n;

	if (!strcmp(key, "tls") && strcmp(v, "yes") && strcmp(v, "starttls") && strcmp(v, "no"))
		return "tls is yes, starttls or no";
	if (!strcmp(key, "after") && strcmp(v, "none") && strcmp(v, "delete") &&
	    strncmp(v, "flag", 4) && (strncmp(v, "move:", 5) || !v[5]))
		return "after is none, flag, flag:FLAG, move:FOLDER or delete";
	if (!strcmp(key, "tag_folders") && strcmp(v, "yes") && strcmp(v, "no"))
		return "tag_folders is yes or no";
	if (!strcmp(key, "idle") && strcmp(v, "yes") && strcmp(v, "no"))
		return "idle is yes or no";
	if (!strcmp(key, "tag_rule")) {
		const char *arrow = strstr(v, "->"), *t;
		size_t k = strcspn(v, ":");

		if (!arrow || v[k] != ':' || v + k > arrow ||
		    !((k == 4 && !strncmp(v, "from", 4)) || (k == 2 && !strncmp(v, "to", 2)) ||
		      (k == 7 && !strncmp(v, "subject", 7)) ||
		      (k == 6 && !strncmp(v, "folder", 6)) ||
		      (k == 16 && !strncmp(v, "attachment_types", 16))))
			return "tag_rule is KEY:PATTERNS -> TAGS (KEY from, to, subject, folder or"
			       " attachment_types)";
		for (t = arrow + 2; *t == ' ' || *t == ','; t++)
			;
		if (!*t)
			return "tag_rule names no tag after ->";
	}
	if (!strcmp(key, "after") && !strncmp(v, "flag", 4) && v[4] && (v[4] != ':' || !v[5]))
		return "after is none, flag, flag:FLAG, move:FOLDER or delete";
	if (!strcmp(key, "port") || !strcmp(key, "poll_seconds") ||
	    !strcmp(key, "timeout_seconds")) {
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno || *end || end == v || n < 1 || n > (strcmp(key, "port") ? 86400 : 65535))
			return "a number out of range";
	}
	return NULL;
}

static int profile_opt(struct folio_config *cfg, const char *profile, const char *key,
		       const char *value, struct folio_err *err);

/* An [account NAME] line: a known key with a value that can work. */
static int account_opt(struct folio_config *cfg, const char *name, const char *key,
		       const char *value, struct folio_err *err)
{
	struct folio_profile_opt *saved = cfg->export_opts;
	size_t n = cfg->nexport_opts, alloc = cfg->export_opts_alloc, i;
	const char *bad;
	int ret;

	for (i = 0; account_keys[i] && strcmp(account_keys[i], key); i++)
		;
	if (!account_keys[i])
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
				     "unknown key '%s' in [account %s]", key, name);
	if ((bad = account_bad(key, value)))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0, "%s: '%s': %s", key,
				     value, bad);
	/* the export list's helper, on the account list */
	cfg->export_opts = cfg->mail_opts;
	cfg->nexport_opts = cfg->nmail_opts;
	cfg->export_opts_alloc = cfg->mail_opts_alloc;
	ret = profile_opt(cfg, name, key, value, err);
	cfg->mail_opts = cfg->export_opts;
	cfg->nmail_opts = cfg->nexport_opts;
	cfg->mail_opts_alloc = cfg->export_opts_alloc;
	cfg->export_opts = saved;
	cfg->nexport_opts = n;
	cfg->export_opts_alloc = alloc;
	return ret;
}

static int profile_opt(struct folio_config *cfg, const char *profile, const char *key,
		       const char *value, struct folio_err *err)
{
	struct folio_profile_opt *o;

	if (cfg->nexport_opts == cfg->export_opts_alloc) {
		size_t n = cfg->export_opts_alloc ? cfg->export_opts_alloc * 2 : 16;

		if (!(o = realloc(cfg->export_opts, n * sizeof(*o))))
			goto nomem;
		cfg->export_opts = o;
		cfg->export_opts_alloc = n;
	}
	o = &cfg->export_opts[cfg->nexport_opts];
	o->profile = strdup(profile);
	o->key = strdup(key);
	o->value = strdup(value);
	if (!o->profile || !o->key || !o->value) {
		free(o->profile);
		free(o->key);
		free(o->value);
		goto nomem;
	}
	cfg->nexport_opts++;
	return FOLIO_OK;
nomem:
	return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
}

int folio_config_load(struct folio_config *cfg, const char *path, struct folio_err *err)
{
	FILE *f = fopen(path, "re");
	char line[4096], *profile = NULL;
	int lineno = 0, ret = FOLIO_OK, account = 0;

	if (!f)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, errno,
				     "cannot open config '%s': %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *s, *eq, *key, *val;
		size_t l;

		lineno++;
		l = strlen(line);
		if (l == sizeof(line) - 1 && line[l - 1] != '\n') {
			ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
					    "%s:%d: line too long", path, lineno);
			break;
		}
		s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			if ((ret = section(s, &profile, &account, path, lineno, err)) != FOLIO_OK)
				break;
			continue;
		}
		if (!(eq = strchr(s, '='))) {
			ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
					    "%s:%d: expected 'key = value'", path, lineno);
			break;
		}
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		l = strlen(val);
		if (l >= 2 && val[0] == '"' && val[l - 1] == '"') {
			val[l - 1] = '\0';
			val++;
		}
		if (profile && account) {
			if ((ret = account_opt(cfg, profile, key, val, err)) == FOLIO_FAILED) {
				char msg[FOLIO_ERR_MSG_MAX];

				snprintf(msg, sizeof(msg), "%s", err ? err->msg : "");
				ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
						    "%s:%d: %s", path, lineno, msg);
			}
			if (ret != FOLIO_OK)
				break;
			continue;
		}
		if (profile) {
			if ((ret = profile_opt(cfg, profile, key, val, err)) != FOLIO_OK)
				break;
			continue;
		}
		if ((ret = folio_config_set(cfg, key, val, err)) == FOLIO_FATAL)
			break; /* out of memory: not the line's fault */
		if (ret != FOLIO_OK) {
			char msg[FOLIO_ERR_MSG_MAX];

			snprintf(msg, sizeof(msg), "%s", err ? err->msg : "");
			ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0, "%s:%d: %s", path,
					    lineno, msg);
			break;
		}
	}
	fclose(f);
	free(profile);
	return ret;
}

char *folio_config_models_dir(const struct folio_config *cfg)
{
	/* relative to the binary: a source tree (./folio, build/folio) or a
	 * relocated install (PREFIX/bin/folio, PREFIX/libexec/folio/folio-engine) */
	static const char *const rel[] = { "models", "../models", "../share/folio/models",
					   "../../share/folio/models" };
	const char *env = getenv("FOLIO_MODELS");
	char exe[4096], *slash;
	struct stat st;
	ssize_t n;
	size_t i;

	if (cfg->models_dir)
		return strdup(cfg->models_dir);
	if (env && *env)
		return strdup(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 32);
	if (n > 0 && (exe[n] = '\0', slash = strrchr(exe, '/'))) {
		for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
			snprintf(slash + 1, sizeof(exe) - (size_t)(slash + 1 - exe), "%s", rel[i]);
			if (!stat(exe, &st) && S_ISDIR(st.st_mode))
				return strdup(exe);
		}
	}
	return strdup(FOLIO_DATADIR "/models");
}

int folio_config_custom_field(const struct folio_config *cfg, const char *name)
{
	const char *p = cfg->custom_fields;
	size_t len = strlen(name);

	while (p && *p) {
		size_t n;

		p += strspn(p, " ,\t");
		n = strcspn(p, " ,\t");
		if (n && n == len && !strncmp(p, name, n))
			return 1;
		p += n;
	}
	return 0;
}

int folio_config_workers(const struct folio_config *cfg)
{
	return cfg->workers > 0 ? cfg->workers : folio_ncores();
}

size_t folio_config_account_names(const struct folio_config *cfg, const char **names, size_t max)
{
	size_t i, j, n = 0;

	for (i = 0; i < cfg->nmail_opts; i++) {
		for (j = 0; j < n && strcmp(names[j], cfg->mail_opts[i].profile); j++)
			;
		if (j == n && n < max)
			names[n++] = cfg->mail_opts[i].profile;
	}
	return n;
}

void folio_config_release(struct folio_config *cfg)
{
	free(cfg->archive_dir);
	free(cfg->languages);
	free(cfg->tessdata_dir);
	free(cfg->models_dir);
	free(cfg->inboxes);
	free(cfg->watch_backend);
	free(cfg->done_dir);
	free(cfg->quarantine_dir);
	free(cfg->log);
	free(cfg->log_level);
	free(cfg->locale);
	free(cfg->custom_fields);
	free(cfg->retention);
	free(cfg->retention_country);
	free(cfg->type_rules);
	free(cfg->tag_rules);
	free(cfg->asn_pattern);
	free(cfg->split_barcode);
	cfg->type_rules = cfg->tag_rules = cfg->asn_pattern = cfg->split_barcode = NULL;
	cfg->archive_dir = cfg->languages = cfg->tessdata_dir = cfg->models_dir = NULL;
	cfg->inboxes = cfg->watch_backend = cfg->done_dir = cfg->quarantine_dir = NULL;
	cfg->log = cfg->log_level = cfg->locale = cfg->custom_fields = NULL;
	cfg->retention = cfg->retention_country = NULL;
	while (cfg->nexport_opts > 0) {
		struct folio_profile_opt *o = &cfg->export_opts[--cfg->nexport_opts];

		free(o->profile);
		free(o->key);
		free(o->value);
	}
	free(cfg->export_opts);
	cfg->export_opts = NULL;
	cfg->export_opts_alloc = 0;
	while (cfg->nmail_opts > 0) {
		struct folio_profile_opt *o = &cfg->mail_opts[--cfg->nmail_opts];

		free(o->profile);
		free(o->key);
		free(o->value);
	}
	free(cfg->mail_opts);
	cfg->mail_opts = NULL;
	cfg->mail_opts_alloc = 0;
}

int folio_config_retention_country(const char *cc)
{
	if (!cc || !*cc || !strcmp(cc, "none"))
		return 0;
	if (!strcmp(cc, "pl"))
		return 5;
	if (!strcmp(cc, "es"))
		return 6;
	if (!strcmp(cc, "pt") || !strcmp(cc, "it"))
		return 10;
	return -1;
}

int folio_config_retention_next(const char **p, struct folio_retention_rule *r,
				struct folio_err *err)
{
	const char *s = *p + strspn(*p, " ,\t"), *colon, *eq, *end;
	char *num_end;
	long years;
	size_t kn, vn;

	if (!*s) {
		*p = s;
		return 0;
	}
	end = s + strcspn(s, ",");
	colon = memchr(s, ':', (size_t)(end - s));
	eq = colon ? memchr(colon, '=', (size_t)(end - colon)) : NULL;
	kn = colon ? (size_t)(colon - s) : 0;
	vn = eq ? (size_t)(eq - colon - 1) : 0;
	while (vn && colon[vn] == ' ')
		vn--;
	if (!eq || !vn || vn >= sizeof(r->value) ||
	    !((kn == 4 && !strncmp(s, "type", 4)) || (kn == 3 && !strncmp(s, "tag", 3)) ||
	      (kn == 6 && !strncmp(s, "vendor", 6))))
		goto bad;
	errno = 0;
	years = strtol(eq + 1, &num_end, 10);
	num_end += strspn(num_end, " \t");
	if (errno || num_end == eq + 1 || num_end != end || years < 1 || years > 100)
		goto bad;
	snprintf(r->kind, sizeof(r->kind), "%.*s", (int)kn, s);
	snprintf(r->value, sizeof(r->value), "%.*s", (int)vn, colon + 1);
	r->years = (int)years;
	*p = end;
	return 1;
bad:
	folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
		      "'retention' rules are type:T=YEARS, tag:T=YEARS or vendor:NAME=YEARS"
		      " (1 to 100 years), comma-separated, not '%.*s'",
		      (int)(end - s), s);
	return -1;
}
