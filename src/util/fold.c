/* fold.c - text folding for search and matching; see include/folio/util.h. */
#include "folio/util.h"

#include <stdlib.h>
#include <string.h>

char *folio_fold(const char *s)
{
	/* two-byte UTF-8 letters that have no Unicode decomposition */
	/* clang-format off */
	static const struct { unsigned char b0, b1; char to; } map[] = {
		{ 0xc5, 0x82, 'l' }, { 0xc5, 0x81, 'L' }, /* ł Ł */
		{ 0xc4, 0x91, 'd' }, { 0xc4, 0x90, 'D' }, /* đ Đ */
		{ 0xc3, 0xb8, 'o' }, { 0xc3, 0x98, 'O' }, /* ø Ø */
		{ 0xc4, 0xa7, 'h' }, { 0xc4, 0xa6, 'H' }, /* ħ Ħ */
		{ 0xc4, 0xb1, 'i' },                      /* ı */
	};
	/* clang-format on */
	size_t len = strlen(s), i, j, k;
	char *out = malloc(len + 1);

	if (!out)
		return NULL;
	for (i = j = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0xc3 && c <= 0xc5 && i + 1 < len) {
			for (k = 0; k < sizeof(map) / sizeof(map[0]); k++)
				if (map[k].b0 == c && map[k].b1 == (unsigned char)s[i + 1])
					break;
			if (k < sizeof(map) / sizeof(map[0])) {
				out[j++] = map[k].to;
				i += 2;
				continue;
			}
		}
		out[j++] = s[i++];
	}
	out[j] = '\0';
	return out;
}

/* U+00C0..U+017F to their lowercase ASCII base letter (generated from
 * Unicode NFD, plus the letters that have no decomposition). */
static const char latin_base[193] = "aaaaaaaceeeeiiiidnoooooxouuuuytsaaaaaaaceeeeiiii"
				    "dnooooo/ouuuuytyaaaaaaccccccccddddeeeeeeeeeegggg"
				    "gggghhhhiiiiiiiiiiiijjkkkllllllllllnnnnnnnnnoooo"
				    "oooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

char *folio_fold_key(const char *s)
{
	size_t len = strlen(s);
	char *out = malloc(len + 1);

	return out ? folio_fold_key_to(s, out, len + 1) : NULL;
}

char *folio_fold_key_to(const char *s, char *out, size_t n)
{
	size_t len, i, j;

	if (!n)
		return out;
	len = strnlen(s, n - 1);

	for (i = j = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80) {
			out[j++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			i++;
		} else if (c >= 0xc3 && c <= 0xc5 && i + 1 < len &&
			   ((unsigned char)s[i + 1] & 0xc0) == 0x80) {
			unsigned cp =
				((unsigned)(c & 0x1f) << 6) | ((unsigned char)s[i + 1] & 0x3f);

			if (cp >= 0xc0 && cp < 0x180) {
				out[j++] = latin_base[cp - 0xc0];
			} else {
				out[j++] = s[i];
				out[j++] = s[i + 1];
			}
			i += 2;
		} else {
			out[j++] = s[i++];
		}
	}
	out[j] = '\0';
	return out;
}
