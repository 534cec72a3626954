/*
 * xmlguard.c - a linear pre-pass over XML bytes before libxml2 sees them.
 *
 * libxml2 checks each attribute of an element against every earlier one,
 * so one element with 50,000 attributes (a 600 KB file) holds a worker
 * for 13 s and 200,000 for minutes. Its own limits (depth 256, 10 MB text
 * nodes, 50,000-byte names without XML_PARSE_HUGE) cover the rest. This
 * scan bounds attributes per element and nesting before parsing, in one
 * pass with no allocation, and names the line of the offending element.
 * It recognises only what it must to stay in step with the markup:
 * comments, CDATA, processing instructions, the DOCTYPE with its internal
 * subset, quoted attribute values; anything malformed is left for the
 * parser to report.
 */
#include "folio/util.h"

#include <string.h>

/* What bytes [p, end) begin with. */
static int starts(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(end - p) >= n && !memcmp(p, s, n);
}

/* Skip to just past `close`, counting lines; NULL when it never comes. */
static const char *skip_to(const char *p, const char *end, const char *close, long *line)
{
	size_t n = strlen(close);

	for (; p < end; p++) {
		if (*p == '\n')
			(*line)++;
		if ((size_t)(end - p) >= n && !memcmp(p, close, n))
			return p + n;
	}
	return NULL;
}

/* The DOCTYPE: to its '>' outside quotes and the [internal subset]. */
static const char *skip_doctype(const char *p, const char *end, long *line)
{
	int bracket = 0;
	char q = 0;

	for (; p < end; p++) {
		if (*p == '\n')
			(*line)++;
		if (q) {
			if (*p == q)
				q = 0;
		} else if (*p == '"' || *p == '\'') {
			q = *p;
		} else if (*p == '[') {
			bracket++;
		} else if (*p == ']' && bracket) {
			bracket--;
		} else if (*p == '>' && !bracket) {
			return p + 1;
		}
	}
	return NULL;
}

int folio_xml_guard(const void *xml, size_t len, struct folio_err *err)
{
	const char *p = xml, *end = p + len;
	long line = 1, depth = 0;

	while (p < end) {
		const char *lt = memchr(p, '<', (size_t)(end - p)), *q;
		long attrs = 0, tag_line;
		char quote = 0;

		if (!lt)
			break;
		for (q = p; q < lt; q++)
			line += *q == '\n';
		p = lt + 1;
		if (starts(p, end, "!--"))
			p = skip_to(p + 3, end, "-->", &line);
		else if (starts(p, end, "![CDATA["))
			p = skip_to(p + 8, end, "]]>", &line);
		else if (starts(p, end, "?"))
			p = skip_to(p + 1, end, "?>", &line);
		else if (starts(p, end, "!"))
			p = skip_doctype(p + 1, end, &line);
		else if (starts(p, end, "/")) {
			if (depth)
				depth--;
			p = skip_to(p, end, ">", &line);
		} else {
			/* a start tag: attributes are its '=' outside quotes */
			tag_line = line;
			for (; p < end; p++) {
				if (*p == '\n')
					line++;
				if (quote) {
					if (*p == quote)
						quote = 0;
				} else if (*p == '"' || *p == '\'') {
					quote = *p;
				} else if (*p == '=') {
					if (++attrs > FOLIO_XML_MAX_ATTRS)
						return folio_err_set(
							err, FOLIO_FAILED, FOLIO_E_LIMIT, 0,
							"XML line %ld: an element has more than %d "
							"attributes (refused before parsing: such "
							"a file takes libxml2 minutes)",
							tag_line, FOLIO_XML_MAX_ATTRS);
				} else if (*p == '>') {
					break;
				}
			}
			if (p < end && p[-1] != '/' && ++depth > FOLIO_XML_MAX_DEPTH)
				return folio_err_set(
					err, FOLIO_FAILED, FOLIO_E_LIMIT, 0,
					"XML line %ld: elements nested more than %d deep", tag_line,
					FOLIO_XML_MAX_DEPTH);
			if (p < end)
				p++;
		}
		if (!p)
			break;
	}
	return FOLIO_OK;
}

int folio_xml_declared(const void *xml, size_t len)
{
	const unsigned char *s = xml;
	size_t i = 0;

	if (len >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
		i = 3;
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	if (len - i >= 5 && !memcmp(s + i, "<?xml", 5))
		return 1;
	return memmem(s, len < 1024 ? len : 1024, "xmlns", 5) != NULL;
}
