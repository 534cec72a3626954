/*
 * registry.c - the table of export modules and what they share: profile
 * lookups, file names, XML escaping.
 */
#include "export_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct folio_export_module *const modules[] = {
	&folio_export_csv, &folio_export_xlsx, &folio_export_jsonl, &folio_export_ledger,
	&folio_export_ubl, &folio_export_cii,  &folio_export_ksef,  NULL,
};

const struct folio_export_module *const *folio_export_modules(void)
{
	return modules;
}

const struct folio_export_module *folio_export_module_find(const char *name)
{
	size_t i;

	for (i = 0; name && modules[i]; i++)
		if (!strcmp(modules[i]->name, name))
			return modules[i];
	return NULL;
}

const char *folio_export_opt(const struct folio_export *x, const char *key, const char *def)
{
	size_t i = x->nopts;

	while (i-- > 0)
		if (!strcmp(x->opts[i].key, key))
			return x->opts[i].value;
	return def;
}

static int known_key(const struct folio_export_module *m, const char *key)
{
	const char *const *k;
	size_t n = strlen(key);

	if (!strcmp(key, "target"))
		return 1;
	for (k = m->keys; k && *k; k++) {
		size_t kn = strcspn(*k, "\t");

		if (!strncmp(*k, key, n) && ((*k)[n] == '\t' || (*k)[n] == '\0'))
			return 1;
		/* "prefix." stands for every "prefix.something" */
		if (kn && (*k)[kn - 1] == '.' && n > kn && !strncmp(*k, key, kn))
			return 1;
	}
	return 0;
}

int folio_export_check_keys(const struct folio_export *x, struct folio_err *err)
{
	const char *const *k;
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	size_t i;
	int r;

	for (i = 0; i < x->nopts; i++) {
		if (known_key(x->mod, x->opts[i].key))
			continue;
		for (k = x->mod->keys; k && *k; k++)
			folio_strbuf_addf(&sb, "%s%.*s", k == x->mod->keys ? "" : ", ",
					  (int)strcspn(*k, "\t"), *k);
		r = folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
				  "%s%s%s: '%s' is not a setting of the %s format (it has: %s)",
				  x->profile ? "profile '" : "", x->profile ? x->profile : "",
				  x->profile ? "'" : "settings", x->opts[i].key, x->mod->name,
				  sb.buf ? sb.buf : "none");
		folio_strbuf_release(&sb);
		return r;
	}
	return FOLIO_OK;
}

char *folio_export_file_name(const struct folio_export *x, const struct folio_invoice *inv)
{
	struct folio_strbuf sb = FOLIO_STRBUF_INIT;
	const char *s = inv->number ? inv->number : "";
	size_t n = 0;

	folio_strbuf_addf(&sb, "%lld", inv->doc_id);
	if (*s)
		folio_strbuf_addch(&sb, '-');
	for (; *s && n < 80; s++, n++) {
		unsigned char c = (unsigned char)*s;

		folio_strbuf_addch(&sb, (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
							(c >= '0' && c <= '9') || c == '.' ||
							c == '_' || c == '-' ?
						c :
						'_');
	}
	folio_strbuf_addf(&sb, ".%s", x->mod->ext);
	return folio_strbuf_detach(&sb);
}

int folio_xml_escape(struct folio_strbuf *sb, const char *s)
{
	int r = 0;

	for (; s && *s && !r; s++) {
		switch (*s) {
		case '<': r = folio_strbuf_adds(sb, "&lt;"); break;
		case '>': r = folio_strbuf_adds(sb, "&gt;"); break;
		case '&': r = folio_strbuf_adds(sb, "&amp;"); break;
		case '"': r = folio_strbuf_adds(sb, "&quot;"); break;
		case '\'': r = folio_strbuf_adds(sb, "&apos;"); break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n')
				break;
			r = folio_strbuf_addch(sb, *s);
		}
	}
	return r;
}

int folio_xml_elem(struct folio_strbuf *sb, const char *tag, const char *text)
{
	if (!text || !*text)
		return 0;
	return folio_strbuf_addf(sb, "<%s>", tag) || folio_xml_escape(sb, text) ||
	       folio_strbuf_addf(sb, "</%s>", tag);
}
