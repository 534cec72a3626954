/*
 * sdi.c - the notices of Italy's e-invoicing exchange system (SDI, the
 * Sistema di Interscambio): XML files in the namespace
 * http://www.fatturapa.gov.it/sdi/messaggi/v1.0 named like
 * IT01234567890_00001_RC_001.xml, each about one invoice file that SDI
 * received (NomeFile) under its identifier (IdentificativoSdI).
 *
 * A notice is a document of its own whose fields are what it says:
 * sdi_notice (RC ricevuta di consegna, NS notifica di scarto, MC mancata
 * consegna, NE notifica di esito, DT decorrenza termini, MT metadati,
 * EC esito committente, SE scarto esito, AT attestazione di trasmissione),
 * sdi_id, sdi_file (the invoice's file name), sdi_time (delivery, else
 * reception time, as written), sdi_outcome, sdi_errors ("CODE: text; ..."),
 * sdi_message_id; its page is the same in words a person reads. Like an
 * e-mail message its fields are its decoder's (doc->also_document): it is
 * no invoice, and nothing is extracted from it. The storage links it to
 * the invoice whose file name is sdi_file (folio_archive_sdi_invoice).
 * A signed notice (.xml.p7m) is read once signed.c has taken it out. A
 * file in SDI's namespace that is no notice folio knows (or no XML) is
 * left to the text decoder, as before this one bid for it.
 */
#include "decode_private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "folio/strbuf.h"
#include "folio/util.h"

#define SDI_NS "http://www.fatturapa.gov.it/sdi/messaggi/v1.0"

/* clang-format off */
static const struct kind {
	const char *root, *code, *what, *outcome;
} kinds[] = {
	{ "RicevutaConsegna", "RC", "ricevuta di consegna", "delivered" },
	{ "NotificaScarto", "NS", "notifica di scarto", "rejected by SDI" },
	{ "NotificaMancataConsegna", "MC", "notifica di mancata consegna", "not delivered" },
	{ "NotificaEsito", "NE", "notifica di esito", NULL },
	{ "NotificaDecorrenzaTermini", "DT", "notifica di decorrenza termini", "terms expired" },
	{ "MetadatiInvioFile", "MT", "file dei metadati", NULL },
	{ "NotificaEsitoCommittente", "EC", "esito committente", NULL },
	{ "ScartoEsitoCommittente", "SE", "scarto esito committente", "outcome rejected by SDI" },
	{ "AttestazioneTrasmissioneFattura", "AT", "attestazione di trasmissione", "not delivered, made available" },
};
/* clang-format on */

static int bid(const char *mime, const unsigned char *data, size_t size)
{
	size_t n = size < 4096 ? size : 4096;

	if (!mime || (strncmp(mime, "text/", 5) && !strstr(mime, "xml")))
		return 0;
	/* above the text decoder's 60 for XML */
	return memmem(data, n, SDI_NS, strlen(SDI_NS)) ? 70 : 0;
}

/* The text of the first element `name` below n (depth first), trimmed
 * (xmlFree), or NULL. */
static xmlChar *text_of(xmlNode *n, const char *name, int depth)
{
	for (; n && depth < 16; n = n->next) {
		xmlChar *t;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!strcmp((const char *)n->name, name))
			return xmlNodeGetContent(n);
		if ((t = text_of(n->children, name, depth + 1)))
			return t;
	}
	return NULL;
}

struct notice {
	struct folio_doc *doc;
	struct folio_strbuf page;
	int nomem;
};

/* A field and a line of the page ("label: value"); value trimmed, cut to
 * 512 bytes of valid UTF-8. */
static void put(struct notice *s, const char *field, const char *label, const char *value)
{
	char buf[520];
	size_t n;
	const char *v = value;

	if (!v)
		return;
	while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
		v++;
	n = strlen(v);
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' || v[n - 1] == '\n'))
		n--;
	if (n > 512)
		n = 512;
	while (n && ((unsigned char)v[n] & 0xc0) == 0x80)
		n--; /* not in the middle of a character */
	if (!n)
		return;
	memcpy(buf, v, n);
	buf[n] = '\0';
	if (folio_strbuf_addf(&s->page, "%s: %s\n", label, buf) ||
	    (field && folio_doc_set_field(s->doc, field, buf, NULL, 1.0f, FOLIO_SRC_XML, 1, NULL)))
		s->nomem = 1;
}

static void put_el(struct notice *s, xmlNode *root, const char *el, const char *field,
		   const char *label)
{
	xmlChar *t = text_of(root->children, el, 0);

	put(s, field, label, (const char *)t);
	xmlFree(t);
}

/* ListaErrori/Errore: "CODE: text; ..." as sdi_errors, a line each. */
static void errors(struct notice *s, xmlNode *root)
{
	struct folio_strbuf all = FOLIO_STRBUF_INIT;
	xmlNode *list = root->children, *e;
	int n = 0;

	for (; list &&
	       (list->type != XML_ELEMENT_NODE || strcmp((const char *)list->name, "ListaErrori"));
	     list = list->next)
		;
	for (e = list ? list->children : NULL; e && n < 100; e = e->next) {
		xmlChar *code, *what;

		if (e->type != XML_ELEMENT_NODE || strcmp((const char *)e->name, "Errore"))
			continue;
		code = text_of(e->children, "Codice", 0);
		what = text_of(e->children, "Descrizione", 0);
		if (folio_strbuf_addf(&all, "%s%s: %s", n++ ? "; " : "",
				      code ? (const char *)code : "?",
				      what ? (const char *)what : ""))
			s->nomem = 1;
		xmlFree(code);
		xmlFree(what);
	}
	if (all.len)
		put(s, "sdi_errors", "Errors", all.buf);
	folio_strbuf_release(&all);
}

/* The outcome: the kind's own, or an Esito (EC01 accepted, EC02 refused). */
static void outcome(struct notice *s, xmlNode *root, const struct kind *k)
{
	xmlChar *esito = text_of(root->children, "Esito", 0);
	char buf[64];

	if (esito) {
		const char *e = (const char *)esito;

		snprintf(buf, sizeof(buf), "%.16s%s", e,
			 !strcmp(e, "EC01") ? " (accepted)" :
			 !strcmp(e, "EC02") ? " (refused)" :
					      "");
		put(s, "sdi_outcome", "Outcome", buf);
	} else if (k->outcome) {
		put(s, "sdi_outcome", "Outcome", k->outcome);
	}
	xmlFree(esito);
}

static int read_notice(struct notice *s, xmlNode *root, const struct kind *k)
{
	struct folio_page *pg;
	xmlChar *got = text_of(root->children, "DataOraConsegna", 0);
	char head[160];

	snprintf(head, sizeof(head), "SDI notice %s (%s)", k->code, k->what);
	if (folio_strbuf_addf(&s->page, "%s\n", head) ||
	    folio_doc_set_field(s->doc, "sdi_notice", k->code, NULL, 1.0f, FOLIO_SRC_XML, 1,
				NULL) ||
	    (!s->doc->title && folio_doc_set_str(&s->doc->title, head)))
		s->nomem = 1;
	put_el(s, root, "NomeFile", "sdi_file", "File");
	put_el(s, root, "IdentificativoSdI", "sdi_id", "SDI id");
	put_el(s, root, "DataOraRicezione", got ? NULL : "sdi_time", "Received");
	put(s, "sdi_time", "Delivered", (const char *)got);
	xmlFree(got);
	outcome(s, root, k);
	errors(s, root);
	put_el(s, root, "MessageId", "sdi_message_id", "Message id");
	put_el(s, root, "Hash", NULL, "Hash");
	put_el(s, root, "Note", NULL, "Note");
	if (s->nomem || !(pg = folio_doc_add_page(s->doc)))
		return -1;
	pg->source = FOLIO_SRC_TEXT; /* the notice in words */
	pg->conf = 1.0f;
	pg->text = folio_strbuf_detach(&s->page);
	return !pg->text || folio_page_words_from_text(pg) ? -1 : 0;
}

static int decode(struct folio_decode_ctx *ctx, struct folio_doc *doc, struct folio_err *err)
{
	struct notice s = { .doc = doc, .page = FOLIO_STRBUF_INIT };
	xmlDoc *x;
	xmlNode *root;
	size_t i;
	int ret;

	if (doc->size > (16u << 20) || doc->size > (size_t)INT32_MAX)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_LIMIT, 0,
				     "SDI notice larger than 16 MiB");
	if ((ret = folio_xml_guard(doc->data, doc->size, err)) != FOLIO_OK)
		return ret;
	x = xmlReadMemory((const char *)doc->data, (int)doc->size, "notice.xml", NULL,
			  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	root = x ? xmlDocGetRootElement(x) : NULL;
	for (i = 0; root && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp((const char *)root->name, kinds[i].root))
			break;
	if (!root || i == sizeof(kinds) / sizeof(kinds[0]) || !root->ns || !root->ns->href ||
	    strcmp((const char *)root->ns->href, SDI_NS)) {
		/* no notice folio knows (or no XML): a file like any other */
		xmlFreeDoc(x);
		return folio_decoder_text.decode(ctx, doc, err);
	}
	if (read_notice(&s, root, &kinds[i])) {
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	} else {
		doc->also_document = 1; /* its fields are these: nothing to extract */
		ret = folio_decode_page_ready(ctx, doc, doc->npages - 1, err);
	}
	folio_strbuf_release(&s.page);
	xmlFreeDoc(x);
	return ret;
}

const struct folio_decoder folio_decoder_sdi = {
	.name = "sdi",
	.bid = bid,
	.decode = decode,
};
