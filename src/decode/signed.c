/*
 * signed.c - files signed with CMS (PKCS #7, CAdES: the ".p7m" an
 * Italian e-invoice travels as, "Fattura.xml.p7m"), read with OpenSSL's
 * CMS API, in the forms found in the wild: DER, base64 (with or without
 * line breaks) and PEM.
 *
 * The signed file is a document and a container at once, as an e-mail
 * message is: the signed original is archived as it came; the content
 * inside it (usually a FatturaPA XML) is a child document linked to it
 * (source_sha256), read and extracted like any file, and named as the
 * original without ".p7m". Both carry what the signature says:
 * signed_by (the signer's certificate subject, RFC 2253), signature
 * ("valid", or "invalid: REASON": the bytes are not what was signed) and
 * signature_chain ("trusted", or "not trusted: REASON": the signer's
 * certificate checked against the system's CA certificates, offline; an
 * Italian qualified signature chains to a CA of the EU trusted lists,
 * which Debian's ca-certificates do not carry, so "not trusted" is the
 * usual answer there and says nothing against the signature itself).
 *
 * Refused with a reason: what does not parse as CMS, a CMS that is not
 * signed data, and a detached signature (the signed file is not inside).
 */
#include "decode_private.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/pem.h> /* before cms.h, for its PEM functions */
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "folio/strbuf.h"
#include "folio/util.h"

/* OID 1.2.840.113549.1.7.2, signedData, DER-encoded */
static const unsigned char oid_signed[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
					    0xf7, 0x0d, 0x01, 0x07, 0x02 };

static int der_signed(const unsigned char *d, size_t n)
{
	size_t i;

	if (n < 16 || d[0] != 0x30)
		return 0;
	for (i = 1; i + sizeof(oid_signed) <= n && i < 8; i++)
		if (!memcmp(d + i, oid_signed, sizeof(oid_signed)))
			return 1;
	return 0;
}

static int is_pem(const unsigned char *d, size_t n)
{
	static const char *const heads[] = { "-----BEGIN PKCS7-----", "-----BEGIN CMS-----" };
	size_t i;

	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
		if (n > strlen(heads[i]) && !memcmp(d, heads[i], strlen(heads[i])))
			return 1;
	return 0;
}

/* Base64 (white space anywhere) decoded into out (malloc'ed); at most
 * `max` input bytes are read when max > 0. -1 when it is not base64. */
static int unbase64(const unsigned char *d, size_t n, size_t max, unsigned char **out,
		    size_t *outlen)
{
	unsigned char *clean = malloc(n + 4), *bin;
	size_t k = 0, i;
	int len, pad = 0;

	if (!clean)
		return -2;
	for (i = 0; i < n && (!max || k < max); i++) {
		unsigned char c = d[i];

		if (isspace(c))
			continue;
		if (!isalnum(c) && c != '+' && c != '/' && c != '=') {
			free(clean);
			return -1;
		}
		clean[k++] = c;
	}
	if (max && k > max)
		k = max;
	k -= k % 4;
	if (!k || !(bin = malloc(k / 4 * 3 + 1))) {
		free(clean);
		return k ? -2 : -1;
	}
	if (clean[k - 1] == '=')
		pad++;
	if (k > 1 && clean[k - 2] == '=')
		pad++;
	len = EVP_DecodeBlock(bin, clean, (int)k);
	free(clean);
	if (len < 0) {
		free(bin);
		return -1;
	}
	*out = bin;
	*outlen = (size_t)len - (size_t)pad;
	return 0;
}

static int b64_signed(const unsigned char *d, size_t n)
{
	unsigned char *bin;
	size_t len;
	int yes;

	while (n && isspace(*d)) {
		d++;
		n--;
	}
	if (n < 24 || d[0] != 'M' || d[1] != 'I' || unbase64(d, n, 32, &bin, &len))
		return 0;
	yes = der_signed(bin, len);
	free(bin);
	return yes;
}

static int bid(const char *mime, const unsigned char *data, size_t size)
{
	if (mime && (!strcmp(mime, "application/pkcs7-mime") ||
		     !strcmp(mime, "application/pkcs7-signature")))
		return 95;
	if (der_signed(data, size) || is_pem(data, size) || b64_signed(data, size))
		return 95;
	return 0;
}

/* ---- reading ------------------------------------------------------------ */

/* The first OpenSSL error's reason, or `dflt`. */
static const char *ssl_reason(const char *dflt)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r ? r : dflt;
}

static CMS_ContentInfo *read_cms(const struct folio_doc *doc, struct folio_err *err)
{
	const unsigned char *d = doc->data;
	unsigned char *bin = NULL;
	size_t n = doc->size;
	CMS_ContentInfo *cms = NULL;
	BIO *in;

	if (is_pem(d, n)) {
		if ((in = BIO_new_mem_buf(d, (int)n))) {
			cms = PEM_read_bio_CMS(in, NULL, NULL, NULL);
			BIO_free(in);
		}
	} else {
		if (!der_signed(d, n)) {
			int r = unbase64(d, n, 0, &bin, &n);

			if (r == -2) {
				folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					      "out of memory");
				return NULL;
			}
			d = bin;
		}
		if (d && (in = BIO_new_mem_buf(d, (int)n))) {
			cms = d2i_CMS_bio(in, NULL);
			BIO_free(in);
		}
		free(bin);
	}
	if (!cms)
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
			      "not a readable CMS signature: %s", ssl_reason("malformed"));
	return cms;
}

/* The signed bytes inside (malloc'ed), or NULL for a detached signature. */
static unsigned char *content_of(CMS_ContentInfo *cms, size_t *n)
{
	ASN1_OCTET_STRING **pos = CMS_get0_content(cms);
	unsigned char *copy;

	*n = 0;
	if (!pos || !*pos)
		return NULL;
	*n = (size_t)ASN1_STRING_length(*pos);
	if (!(copy = malloc(*n ? *n : 1)))
		return NULL;
	memcpy(copy, ASN1_STRING_get0_data(*pos), *n);
	return copy;
}

/* The first signer's certificate subject (RFC 2253, UTF-8), into out. */
static void signer_subject(CMS_ContentInfo *cms, char *out, size_t size)
{
	STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
	CMS_SignerInfo *si =
		sis && sk_CMS_SignerInfo_num(sis) > 0 ? sk_CMS_SignerInfo_value(sis, 0) : NULL;
	X509 *cert = NULL;
	BIO *b;
	int len;

	snprintf(out, size, "unknown (no signer certificate)");
	CMS_set1_signers_certs(cms, NULL, 0);
	ERR_clear_error();
	if (!si)
		return;
	CMS_SignerInfo_get0_algs(si, NULL, &cert, NULL, NULL);
	if (!cert || !(b = BIO_new(BIO_s_mem())))
		return;
	X509_NAME_print_ex(b, X509_get_subject_name(cert), 0,
			   XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	len = BIO_read(b, out, (int)size - 1);
	out[len > 0 ? len : 0] = '\0';
	BIO_free(b);
}

/* Whether the signer's certificate chains to a system CA (offline);
 * `content` is the signed bytes of a detached signature, else NULL. */
static void chain_verdict(CMS_ContentInfo *cms, BIO *content, char *chain, size_t size)
{
	X509_STORE *store = X509_STORE_new();

	if (!store) {
		snprintf(chain, size, "not checked: out of memory");
		return;
	}
	X509_STORE_set_default_paths(store);
	if (CMS_verify(cms, NULL, store, content, NULL, content ? 0 : CMS_BINARY) == 1)
		snprintf(chain, size, "trusted");
	else
		snprintf(chain, size, "not trusted: %s", ssl_reason("no path to a trusted CA"));
	X509_STORE_free(store);
}

/* What the signature says: signature and chain, into the two buffers. */
static void verdicts(CMS_ContentInfo *cms, char *sig, char *chain, size_t size)
{
	if (CMS_verify(cms, NULL, NULL, NULL, NULL, CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) == 1)
		snprintf(sig, size, "valid");
	else
		snprintf(sig, size, "invalid: %s", ssl_reason("does not verify"));
	chain_verdict(cms, NULL, chain, size);
}

/* The content's name: the original's without ".p7m" (or ".p7s"). */
static void content_name(const struct folio_doc *doc, char *out, size_t size)
{
	const char *name = doc->name && *doc->name ? doc->name : "signed";
	size_t n = strlen(name);

	if (n > 4 && (!strcasecmp(name + n - 4, ".p7m") || !strcasecmp(name + n - 4, ".p7s")))
		n -= 4;
	else
		n = 0;
	if (n)
		snprintf(out, size, "%.*s", (int)n, name);
	else
		snprintf(out, size, "%s.content", name);
}

static int set_facts(struct folio_doc *d, const char *who, const char *sig, const char *chain)
{
	return folio_doc_set_field(d, "signed_by", who, NULL, 1.0f, FOLIO_SRC_TEXT, 0, NULL) ||
	       folio_doc_set_field(d, "signature", sig, NULL, 1.0f, FOLIO_SRC_TEXT, 0, NULL) ||
	       folio_doc_set_field(d, "signature_chain", chain, NULL, 1.0f, FOLIO_SRC_TEXT, 0,
				   NULL);
}

static int add_content(struct folio_doc *doc, unsigned char *data, size_t n, const char *who,
		       const char *sig, const char *chain)
{
	struct folio_doc *child;
	char name[256];

	content_name(doc, name, sizeof(name));
	child = folio_decode_part(doc, name, data, n, NULL);
	return !child || set_facts(child, who, sig, chain) ? -1 : 0;
}

static int envelope_page(struct folio_doc *doc, const char *content, const char *who,
			 const char *sig, const char *chain)
{
	struct folio_strbuf t = FOLIO_STRBUF_INIT;
	struct folio_page *pg;

	if (folio_strbuf_addf(
		    &t, "Signed file: %s\nSigned by: %s\nSignature: %s\nCertificate chain: %s\n",
		    content, who, sig, chain) ||
	    set_facts(doc, who, sig, chain) || !(pg = folio_doc_add_page(doc))) {
		folio_strbuf_release(&t);
		return -1;
	}
	pg->source = FOLIO_SRC_TEXT;
	pg->conf = 1.0f;
	pg->text = folio_strbuf_detach(&t);
	if (!pg->text || folio_page_words_from_text(pg))
		return -1;
	return 0;
}

static int decode(struct folio_decode_ctx *ctx, struct folio_doc *doc, struct folio_err *err)
{
	char who[512], sig[256], chain[256], name[256];
	CMS_ContentInfo *cms;
	unsigned char *data;
	size_t n;
	int ret = FOLIO_OK;

	if (doc->depth >= ctx->cfg->max_archive_depth)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_LIMIT, 0,
				     "signed file nested deeper than max_archive_depth = %d",
				     ctx->cfg->max_archive_depth);
	if (!(cms = read_cms(doc, err)))
		return err->kind == FOLIO_E_NOMEM ? FOLIO_FATAL : FOLIO_FAILED;
	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		CMS_ContentInfo_free(cms);
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				     "a CMS file that is not signed data");
	}
	if (!(data = content_of(cms, &n))) {
		CMS_ContentInfo_free(cms);
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				     "a detached signature: the signed file is not inside");
	}
	if (ctx->cfg->max_file_bytes && n > ctx->cfg->max_file_bytes) {
		free(data);
		CMS_ContentInfo_free(cms);
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_LIMIT, 0,
				     "signed content of %zu bytes is larger than max_file_bytes",
				     n);
	}
	signer_subject(cms, who, sizeof(who));
	verdicts(cms, sig, chain, sizeof(sig));
	CMS_ContentInfo_free(cms);
	content_name(doc, name, sizeof(name));
	if (folio_doc_set_str(&doc->mime, "application/pkcs7-mime") ||
	    add_content(doc, data, n, who, sig, chain) ||
	    envelope_page(doc, name, who, sig, chain)) {
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	} else {
		doc->also_document = 1;
		ret = folio_decode_page_ready(ctx, doc, doc->npages - 1, err);
	}
	if (ret != FOLIO_OK)
		folio_decode_drop_parts(doc);
	return ret;
}

int folio_smime_verdict(const unsigned char *msg, size_t n, struct folio_signature *s)
{
	BIO *in = BIO_new_mem_buf(msg, (int)n), *content = NULL;
	CMS_ContentInfo *cms = in ? SMIME_read_CMS(in, &content) : NULL;
	int ok = cms && content;

	if (ok) {
		signer_subject(cms, s->who, sizeof(s->who));
		/* content is read once: the first check gets a copy */
		{
			BUF_MEM *mem = NULL;
			BIO *copy;

			BIO_get_mem_ptr(content, &mem);
			copy = mem ? BIO_new_mem_buf(mem->data, (int)mem->length) : NULL;
			if (copy &&
			    CMS_verify(cms, NULL, NULL, copy, NULL, CMS_NO_SIGNER_CERT_VERIFY) == 1)
				snprintf(s->sig, sizeof(s->sig), "valid");
			else
				snprintf(s->sig, sizeof(s->sig), "invalid: %s",
					 ssl_reason("does not verify"));
			BIO_free(copy);
			copy = mem ? BIO_new_mem_buf(mem->data, (int)mem->length) : NULL;
			chain_verdict(cms, copy, s->chain, sizeof(s->chain));
			BIO_free(copy);
		}
	}
	ERR_clear_error();
	CMS_ContentInfo_free(cms);
	BIO_free(content);
	BIO_free(in);
	return ok ? 0 : -1;
}

const struct folio_decoder folio_decoder_signed = {
	.name = "signed",
	.bid = bid,
	.decode = decode,
};
