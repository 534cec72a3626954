/*
 * imap.c - a small IMAP4rev1 client on a connection libcurl opened,
 * secured and logged in (see include/folio/imap.h for why).
 *
 * A response is read whole into memory (a line, and after a line ending
 * in {n} the n bytes of a literal and the rest of the line), bounded by
 * MAX_RESPONSE, except the literal of BODY[] in a FETCH of a body, which
 * streams to a file. Parsing works on the response in memory: atoms,
 * quoted strings, literals, NIL and parenthesised lists, into a small
 * tree (bounded nodes and depth).
 */
#include "folio/imap.h"

#include <curl/curl.h>
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "folio/strbuf.h"
#include "folio/util.h"

#define MAX_RESPONSE (4u << 20) /* one response, bodies apart */
#define MAX_NODES 20000
#define MAX_DEPTH 32
#define MAX_PARTS 256

struct folio_imap {
	CURL *curl;
	curl_socket_t sock;
	char host[256];
	int timeout;
	unsigned tag;
	uint64_t bytes_in;
	char buf[16384]; /* received, not yet consumed: buf[pos..len) */
	size_t pos, len;
	struct folio_strbuf resp; /* the response being read */
	int can_move, can_idle;
	uint32_t exists; /* messages in the selected folder (SELECT, IDLE) */
	int broken;	 /* the connection is out of step: only close it */
};

/* ---- the connection --------------------------------------------------- */

static int io_fail(struct folio_imap *c, struct folio_err *err, const char *what)
{
	c->broken = 1;
	return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, 0, "imap %s: %s", c->host, what);
}

static int wait_sock(struct folio_imap *c, int out, struct folio_err *err)
{
	struct pollfd p = { .fd = c->sock, .events = out ? POLLOUT : POLLIN };
	int n;

	while ((n = poll(&p, 1, c->timeout * 1000)) < 0 && errno == EINTR)
		;

	if (n > 0)
		return FOLIO_OK;
	return io_fail(c, err, n == 0 ? "the server did not answer in time" : strerror(errno));
}

static int send_all(struct folio_imap *c, const char *s, size_t len, struct folio_err *err)
{
	while (len) {
		size_t n = 0;
		CURLcode rc = curl_easy_send(c->curl, s, len, &n);

		if (rc == CURLE_AGAIN) {
			if (wait_sock(c, 1, err) != FOLIO_OK)
				return FOLIO_FAILED;
			continue;
		}
		if (rc != CURLE_OK)
			return io_fail(c, err, curl_easy_strerror(rc));
		s += n;
		len -= n;
	}
	return FOLIO_OK;
}

/* More bytes into buf (after moving what is left to the front). */
static int fill(struct folio_imap *c, struct folio_err *err)
{
	if (c->pos) {
		memmove(c->buf, c->buf + c->pos, c->len - c->pos);
		c->len -= c->pos;
		c->pos = 0;
	}
	for (;;) {
		size_t n = 0;
		CURLcode rc = curl_easy_recv(c->curl, c->buf + c->len, sizeof(c->buf) - c->len, &n);

		if (rc == CURLE_AGAIN) {
			if (wait_sock(c, 0, err) != FOLIO_OK)
				return FOLIO_FAILED;
			continue;
		}
		if (rc != CURLE_OK)
			return io_fail(c, err, curl_easy_strerror(rc));
		if (n == 0)
			return io_fail(c, err, "the server closed the connection");
		c->len += n;
		c->bytes_in += n;
		return FOLIO_OK;
	}
}

/* n literal bytes: to fd when fd >= 0, else appended to the response. */
static int read_literal(struct folio_imap *c, uint64_t n, int fd, struct folio_err *err)
{
	while (n) {
		size_t k;

		if (c->pos == c->len && fill(c, err) != FOLIO_OK)
			return FOLIO_FAILED;
		k = c->len - c->pos;
		if (k > n)
			k = (size_t)n;
		if (fd >= 0) {
			const char *p = c->buf + c->pos;
			size_t left = k;

			while (left) {
				ssize_t w = write(fd, p, left);

				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0)
					return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno,
							     "cannot write a message: %s",
							     strerror(errno));
				p += w;
				left -= (size_t)w;
			}
		} else if (folio_strbuf_add(&c->resp, c->buf + c->pos, k)) {
			return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					     "out of memory");
		}
		c->pos += k;
		n -= k;
	}
	return FOLIO_OK;
}

/* One line (without CRLF) appended to the response; *start gets where. */
static int read_line(struct folio_imap *c, size_t *start, struct folio_err *err)
{
	*start = c->resp.len;
	for (;;) {
		char *nl = memchr(c->buf + c->pos, '\n', c->len - c->pos);
		size_t k = nl ? (size_t)(nl - (c->buf + c->pos)) : c->len - c->pos;

		if (folio_strbuf_add(&c->resp, c->buf + c->pos, k))
			return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					     "out of memory");
		c->pos += k;
		if (c->resp.len > MAX_RESPONSE)
			return io_fail(c, err, "a response longer than 4 MB");
		if (nl) {
			c->pos++;
			if (c->resp.len > *start && c->resp.buf[c->resp.len - 1] == '\r')
				c->resp.buf[--c->resp.len] = '\0';
			return FOLIO_OK;
		}
		if (fill(c, err) != FOLIO_OK)
			return FOLIO_FAILED;
	}
}

/* The literal's size when line [start, end) ends with {n} or {n+}, else -1. */
static long long literal_at_end(const char *s, size_t start, size_t end)
{
	size_t i = end;
	long long n = 0, mul = 1;

	if (end - start < 3 || s[end - 1] != '}')
		return -1;
	i = end - 1;
	if (s[i - 1] == '+')
		i--;
	if (i == start || !isdigit((unsigned char)s[i - 1]))
		return -1;
	while (i > start && isdigit((unsigned char)s[i - 1]) && mul < 1000000000000LL) {
		n += (s[i - 1] - '0') * mul;
		mul *= 10;
		i--;
	}
	return i > start && s[i - 1] == '{' ? n : -1;
}

/*
 * Read one whole response into c->resp (literals kept as {n}CRLF and
 * their bytes). With fd >= 0, a literal that follows "BODY[] " goes to fd
 * instead (its size into *streamed) and stands as {0} in the response.
 */
static int read_response(struct folio_imap *c, int fd, uint64_t *streamed, struct folio_err *err)
{
	size_t start;
	long long n;

	folio_strbuf_reset(&c->resp);
	for (;;) {
		if (read_line(c, &start, err) != FOLIO_OK)
			return FOLIO_FAILED;
		if ((n = literal_at_end(c->resp.buf, start, c->resp.len)) < 0)
			return FOLIO_OK;
		if (fd >= 0 && c->resp.len - start >= 7 + 2 &&
		    strstr(c->resp.buf + start, "BODY[] {")) {
			char *brace = strrchr(c->resp.buf + start, '{');

			c->resp.len = (size_t)(brace - c->resp.buf);
			folio_strbuf_adds(&c->resp, "{0}\r\n");
			if (read_literal(c, (uint64_t)n, fd, err) != FOLIO_OK)
				return FOLIO_FAILED;
			if (streamed)
				*streamed += (uint64_t)n;
			continue;
		}
		if ((uint64_t)n > MAX_RESPONSE)
			return io_fail(c, err, "a literal longer than 4 MB");
		if (folio_strbuf_adds(&c->resp, "\r\n"))
			return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM,
					     "out of memory");
		if (read_literal(c, (uint64_t)n, -1, err) != FOLIO_OK)
			return FOLIO_FAILED;
	}
}

/* ---- a tree of a response's data ---------------------------------------- */

enum { N_ATOM, N_STRING, N_NIL, N_LIST };

struct node {
	int type;
	const char *s; /* atom or string bytes (not terminated) */
	size_t len;
	struct node *kid, *next; /* lists: first child; siblings */
};

struct tree {
	struct node *nodes;
	size_t n;
	const char *p, *end;
};

static struct node *new_node(struct tree *t, int type)
{
	struct node *n;

	if (t->n >= MAX_NODES)
		return NULL;
	n = &t->nodes[t->n++];
	memset(n, 0, sizeof(*n));
	n->type = type;
	return n;
}

static int atom_char(int ch)
{
	return ch > ' ' && ch < 127 && ch != '(' && ch != ')' && ch != '{' && ch != '"';
}

/* The next item at t->p: NULL at a ')' or the end (or on a bad item). */
static struct node *parse_item(struct tree *t, int depth)
{
	struct node *n = NULL;

	while (t->p < t->end && *t->p == ' ')
		t->p++;
	if (t->p >= t->end || *t->p == ')')
		return NULL;
	if (*t->p == '(') {
		struct node **tail, *k;

		if (depth >= MAX_DEPTH || !(n = new_node(t, N_LIST)))
			return NULL;
		t->p++;
		tail = &n->kid;
		while ((k = parse_item(t, depth + 1))) {
			*tail = k;
			tail = &k->next;
		}
		if (t->p < t->end && *t->p == ')')
			t->p++;
		return n;
	}
	if (*t->p == '"') {
		const char *s = ++t->p;
		char *w;

		if (!(n = new_node(t, N_STRING)))
			return NULL;
		/* unescape in place: the response buffer is ours */
		w = (char *)s;
		n->s = s;
		while (t->p < t->end && *t->p != '"') {
			if (*t->p == '\\' && t->p + 1 < t->end)
				t->p++;
			*w++ = *t->p++;
		}
		n->len = (size_t)(w - s);
		if (t->p < t->end)
			t->p++;
		return n;
	}
	if (*t->p == '{') {
		unsigned long long len = strtoull(t->p + 1, NULL, 10);
		const char *nl = memchr(t->p, '\n', (size_t)(t->end - t->p));

		if (!nl || len > (unsigned long long)(t->end - nl - 1) ||
		    !(n = new_node(t, N_STRING)))
			return NULL;
		n->s = nl + 1;
		n->len = (size_t)len;
		t->p = nl + 1 + len;
		return n;
	}
	if (!atom_char((unsigned char)*t->p))
		return NULL;
	if (!(n = new_node(t, N_ATOM)))
		return NULL;
	n->s = t->p;
	/* BODY[HEADER.FIELDS (A B)] and the like are one atom */
	while (t->p < t->end && (atom_char((unsigned char)*t->p) || *t->p == '[')) {
		if (*t->p == '[') {
			const char *close = memchr(t->p, ']', (size_t)(t->end - t->p));

			t->p = close ? close + 1 : t->end;
			continue;
		}
		t->p++;
	}
	n->len = (size_t)(t->p - n->s);
	if (n->len == 3 && !strncasecmp(n->s, "NIL", 3))
		n->type = N_NIL;
	return n;
}

static int is_atom(const struct node *n, const char *s)
{
	return n && n->type == N_ATOM && n->len == strlen(s) && !strncasecmp(n->s, s, n->len);
}

static unsigned long long num(const struct node *n)
{
	char tmp[24];

	if (!n || n->type != N_ATOM || n->len >= sizeof(tmp))
		return 0;
	memcpy(tmp, n->s, n->len);
	tmp[n->len] = '\0';
	return strtoull(tmp, NULL, 10);
}

static struct node *nth(struct node *list, int i)
{
	struct node *k = list && list->type == N_LIST ? list->kid : NULL;

	while (k && i--)
		k = k->next;
	return k;
}

/* ---- commands ------------------------------------------------------------ */

/*
 * Send "TAG command" and read responses until the tagged one; each
 * untagged response goes to fn (may be NULL) as text (c->resp, starting
 * after "* "). FOLIO_OK on OK; FOLIO_FAILED with the server's words on NO
 * or BAD (*no set to 1 for NO).
 */
static int command(struct folio_imap *c, const char *cmd, int fd, uint64_t *streamed,
		   int (*fn)(struct folio_imap *c, void *ctx), void *ctx, struct folio_err *err)
{
	char tag[16];
	size_t tl;
	int stop = 0;

	if (c->broken)
		return io_fail(c, err, "the connection is out of step");
	tl = (size_t)snprintf(tag, sizeof(tag), "F%u ", ++c->tag);
	if (send_all(c, tag, tl, err) != FOLIO_OK || send_all(c, cmd, strlen(cmd), err) ||
	    send_all(c, "\r\n", 2, err) != FOLIO_OK)
		return FOLIO_FAILED;
	for (;;) {
		if (read_response(c, fd, streamed, err) != FOLIO_OK)
			return FOLIO_FAILED;
		if (!c->resp.buf)
			continue; /* an empty line */
		if (!strncmp(c->resp.buf, tag, tl)) {
			const char *st = c->resp.buf + tl;

			if (!strncasecmp(st, "OK", 2))
				return FOLIO_OK;
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
					     "imap %s: %.*s refused: %.300s", c->host,
					     (int)strcspn(cmd, " "), cmd, st);
		}
		if (!strncmp(c->resp.buf, "* ", 2) && fn && !stop) {
			int r = fn(c, ctx);

			if (r < 0)
				return FOLIO_FATAL;
			stop = r;
		}
		if (!strncasecmp(c->resp.buf, "* BYE", 5))
			return io_fail(c, err, "the server ended the session");
	}
}

/* ---- modified UTF-7 (RFC 3501 5.1.3) ---- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/* The next code point of UTF-8 `*s` (advanced), or -1 when invalid. */
static long utf8_next(const unsigned char **s)
{
	const unsigned char *p = *s;
	long cp;
	int n, i;

	if (p[0] < 0x80)
		n = 0, cp = p[0];
	else if ((p[0] & 0xe0) == 0xc0)
		n = 1, cp = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		n = 2, cp = p[0] & 0x0f;
	else if ((p[0] & 0xf8) == 0xf0)
		n = 3, cp = p[0] & 0x07;
	else
		return -1;
	for (i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*s = p + n + 1;
	return cp;
}

int folio_imap_utf7_encode(const char *utf8, struct folio_strbuf *out)
{
	const unsigned char *s = (const unsigned char *)utf8;
	unsigned long bits = 0;
	int nbits = 0, open = 0;

	while (*s) {
		long cp;

		if (*s >= 0x20 && *s < 0x7f) {
			if (open) { /* close the base64 run, its last bits padded */
				if (nbits)
					folio_strbuf_addch(out, b64[(bits << (6 - nbits)) & 0x3f]);
				folio_strbuf_addch(out, '-');
				open = nbits = 0;
				bits = 0;
			}
			if (*s == '&')
				folio_strbuf_adds(out, "&-");
			else
				folio_strbuf_addch(out, (char)*s);
			s++;
			continue;
		}
		if ((cp = utf8_next(&s)) < 0)
			return -1;
		if (!open)
			folio_strbuf_addch(out, '&');
		open = 1;
		for (int k = cp > 0xffff ? 2 : 1; k > 0; k--) {
			unsigned long u = (unsigned long)cp, unit = u;

			if (u > 0xffff)
				unit = k == 2 ? 0xd800 + ((u - 0x10000) >> 10) :
						0xdc00 + ((u - 0x10000) & 0x3ff);
			bits = (bits << 16) | unit;
			nbits += 16;
			while (nbits >= 6) {
				nbits -= 6;
				folio_strbuf_addch(out, b64[(bits >> nbits) & 0x3f]);
			}
			bits &= (1ul << nbits) - 1;
		}
	}
	if (open) {
		if (nbits)
			folio_strbuf_addch(out, b64[(bits << (6 - nbits)) & 0x3f]);
		folio_strbuf_addch(out, '-');
	}
	return out->buf || !*utf8 ? 0 : -1;
}

static void put_utf8(struct folio_strbuf *out, unsigned long cp)
{
	if (cp < 0x80) {
		folio_strbuf_addch(out, (char)cp);
	} else if (cp < 0x800) {
		folio_strbuf_addch(out, (char)(0xc0 | cp >> 6));
		folio_strbuf_addch(out, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		folio_strbuf_addch(out, (char)(0xe0 | cp >> 12));
		folio_strbuf_addch(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
		folio_strbuf_addch(out, (char)(0x80 | (cp & 0x3f)));
	} else {
		folio_strbuf_addch(out, (char)(0xf0 | cp >> 18));
		folio_strbuf_addch(out, (char)(0x80 | ((cp >> 12) & 0x3f)));
		folio_strbuf_addch(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
		folio_strbuf_addch(out, (char)(0x80 | (cp & 0x3f)));
	}
}

/* One base64 run (after '&', up to '-'), its UTF-16 as UTF-8; the end of
 * the run, or NULL when invalid. */
static const char *decode_run(const char *s, struct folio_strbuf *out)
{
	unsigned long bits = 0, high = 0;
	int nbits = 0;

	for (; *s && *s != '-'; s++) {
		const char *d = strchr(b64, *s);

		if (!d)
			return NULL;
		bits = (bits << 6) | (unsigned long)(d - b64);
		if ((nbits += 6) < 16)
			continue;
		nbits -= 16;
		unsigned long unit = (bits >> nbits) & 0xffff;

		bits &= (1ul << nbits) - 1;
		if (unit >= 0xd800 && unit < 0xdc00 && !high) {
			high = unit;
		} else if (unit >= 0xdc00 && unit < 0xe000 && high) {
			put_utf8(out, 0x10000 + ((high - 0xd800) << 10) + (unit - 0xdc00));
			high = 0;
		} else if (high || (unit >= 0xd800 && unit < 0xe000) ||
			   (unit >= 0x20 && unit < 0x7f)) {
			return NULL; /* a lone surrogate; ASCII must not be encoded */
		} else {
			put_utf8(out, unit);
		}
	}
	/* closed, nothing left over but zero padding */
	return *s == '-' && !high && nbits < 6 && !bits ? s : NULL;
}

int folio_imap_utf7_decode(const char *s, struct folio_strbuf *out)
{
	while (*s) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return -1;
		if (*s != '&') {
			folio_strbuf_addch(out, *s++);
		} else if (s[1] == '-') {
			folio_strbuf_addch(out, '&');
			s += 2;
		} else if (!(s = decode_run(s + 1, out))) {
			return -1;
		} else {
			s++;
		}
	}
	return 0;
}

/* An IMAP quoted string for a folder name (UTF-8), in modified UTF-7. */
static int quoted(struct folio_strbuf *sb, const char *folder, struct folio_err *err)
{
	struct folio_strbuf enc = FOLIO_STRBUF_INIT;
	const char *s;

	if (folio_imap_utf7_encode(folder, &enc) || !enc.buf) {
		folio_strbuf_release(&enc);
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_CONFIG, 0,
				     "imap folder name '%s' is not valid UTF-8", folder);
	}
	folio_strbuf_addch(sb, '"');
	for (s = enc.buf; *s; s++) {
		if (*s == '"' || *s == '\\')
			folio_strbuf_addch(sb, '\\');
		folio_strbuf_addch(sb, *s);
	}
	folio_strbuf_addch(sb, '"');
	folio_strbuf_release(&enc);
	return sb->buf ? FOLIO_OK : FOLIO_FATAL;
}

static int capability_line(struct folio_imap *c, void *ctx)
{
	(void)ctx;
	if (!strncasecmp(c->resp.buf, "* CAPABILITY", 12) && strstr(c->resp.buf, " MOVE"))
		c->can_move = 1;
	if (!strncasecmp(c->resp.buf, "* CAPABILITY", 12) && strstr(c->resp.buf, " IDLE"))
		c->can_idle = 1;
	return 0;
}

static size_t curl_discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

static int connect_error(const struct folio_imap_opts *o, CURLcode rc, const char *detail,
			 struct folio_err *err)
{
	const char *what;

	switch (rc) {
	case CURLE_LOGIN_DENIED: what = "login refused (wrong user or password)"; break;
	case CURLE_PEER_FAILED_VERIFICATION:
		what = "the server's certificate is not trusted";
		break;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_USE_SSL_FAILED: what = "TLS failed"; break;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_OPERATION_TIMEDOUT: what = "cannot connect"; break;
	default: what = curl_easy_strerror(rc);
	}
	return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, 0, "imap %s:%d: %s%s%s", o->host,
			     o->port, what, *detail ? ": " : "", detail);
}

struct folio_imap *folio_imap_connect(const struct folio_imap_opts *o, struct folio_err *err)
{
	struct folio_imap *c = calloc(1, sizeof(*c));
	char url[600], errbuf[CURL_ERROR_SIZE] = "";
	int port = o->port ? o->port : !strcmp(o->tls, "yes") ? 993 : 143;
	CURLcode rc;

	if (!c) {
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		return NULL;
	}
	snprintf(c->host, sizeof(c->host), "%s", o->host);
	c->timeout = o->timeout_seconds > 0 ? o->timeout_seconds : 60;
	snprintf(url, sizeof(url), "%s://%s:%d/", !strcmp(o->tls, "yes") ? "imaps" : "imap",
		 o->host, port);
	if (!(c->curl = curl_easy_init()))
		goto nomem;
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "imap,imaps");
	curl_easy_setopt(c->curl, CURLOPT_USERNAME, o->user);
	curl_easy_setopt(c->curl, CURLOPT_PASSWORD, o->password);
	curl_easy_setopt(c->curl, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, (long)c->timeout);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, curl_discard);
	curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (!strcmp(o->tls, "starttls"))
		curl_easy_setopt(c->curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (o->ca_file && *o->ca_file)
		curl_easy_setopt(c->curl, CURLOPT_CAINFO, o->ca_file);
	if ((rc = curl_easy_perform(c->curl)) != CURLE_OK) {
		struct folio_imap_opts po = *o;

		po.port = port;
		connect_error(&po, rc, errbuf, err);
		goto fail;
	}
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, NULL);
	if (curl_easy_getinfo(c->curl, CURLINFO_ACTIVESOCKET, &c->sock) != CURLE_OK ||
	    c->sock == CURL_SOCKET_BAD) {
		folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, 0, "imap %s: no connection", o->host);
		goto fail;
	}
	if (command(c, "CAPABILITY", -1, NULL, capability_line, NULL, err) != FOLIO_OK)
		goto fail;
	return c;
nomem:
	folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
fail:
	c->broken = 1;
	folio_imap_close(c);
	return NULL;
}

void folio_imap_close(struct folio_imap *c)
{
	if (!c)
		return;
	if (c->curl && !c->broken)
		command(c, "LOGOUT", -1, NULL, NULL, NULL, NULL);
	if (c->curl)
		curl_easy_cleanup(c->curl);
	folio_strbuf_release(&c->resp);
	free(c);
}

uint64_t folio_imap_bytes_in(const struct folio_imap *c)
{
	return c ? c->bytes_in : 0;
}

/* "* N EXISTS": the folder's message count. 1 when the line was one. */
static int exists_line(struct folio_imap *c)
{
	char *end;
	unsigned long n = strtoul(c->resp.buf + 2, &end, 10);

	if (end == c->resp.buf + 2 || strcasecmp(end, " EXISTS"))
		return 0;
	c->exists = (uint32_t)n;
	return 1;
}

uint32_t folio_imap_exists(const struct folio_imap *c)
{
	return c ? c->exists : 0;
}

struct select_ctx {
	uint32_t uidvalidity, uidnext;
};

static int select_line(struct folio_imap *c, void *ctx)
{
	struct select_ctx *s = ctx;
	const char *p;

	if ((p = strstr(c->resp.buf, "[UIDVALIDITY ")))
		s->uidvalidity = (uint32_t)strtoul(p + 13, NULL, 10);
	if ((p = strstr(c->resp.buf, "[UIDNEXT ")))
		s->uidnext = (uint32_t)strtoul(p + 9, NULL, 10);
	exists_line(c);
	return 0;
}

int folio_imap_select(struct folio_imap *c, const char *folder, uint32_t *uidvalidity,
		      uint32_t *uidnext, struct folio_err *err)
{
	struct folio_strbuf cmd = FOLIO_STRBUF_INIT;
	struct select_ctx s = { 0 };
	int ret;

	c->exists = 0;
	folio_strbuf_adds(&cmd, "SELECT ");
	if ((ret = quoted(&cmd, folder, err)) == FOLIO_OK)
		ret = command(c, cmd.buf, -1, NULL, select_line, &s, err);
	folio_strbuf_release(&cmd);
	*uidvalidity = s.uidvalidity;
	*uidnext = s.uidnext;
	return ret;
}

/* ---- describing messages ----------------------------------------------------- */

struct scan_ctx {
	uint32_t from_uid;
	int (*fn)(void *ctx, const struct folio_imap_msg *m);
	void *ctx;
	struct tree t;
	struct folio_strbuf from, to, subject;
	const char *types[MAX_PARTS], *pnames[MAX_PARTS];
	size_t ntypes;
	char *typebuf; /* "type/subtype" strings, NUL-separated */
	size_t typelen, typecap;
};

static int b64val(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	return ch == '+' ? 62 : ch == '/' ? 63 : -1;
}

/* One byte of a decoded word: Latin-1 and Windows-1252 as UTF-8 (their
 * letters; the 0x80-0x9f range of 1252 left as is), others as sent. */
static void word_byte(struct folio_strbuf *sb, unsigned char ch, int latin1)
{
	if (ch < ' ')
		ch = ' ';
	if (latin1 && ch >= 0xa0) {
		folio_strbuf_addch(sb, 0xc0 | (ch >> 6));
		folio_strbuf_addch(sb, 0x80 | (ch & 0x3f));
	} else {
		folio_strbuf_addch(sb, ch);
	}
}

/* "=?charset?B|Q?text?=" at s (len bytes left): decoded into sb, the
 * bytes taken returned; 0 when s holds no encoded word. */
static size_t encoded_word(struct folio_strbuf *sb, const char *s, size_t len)
{
	const char *cs = s + 2, *q1, *q2, *end;
	unsigned bits = 0;
	int latin1, nbits = 0;

	if (len < 8 || s[0] != '=' || s[1] != '?' || !(q1 = memchr(cs, '?', len - 2)) ||
	    (size_t)(q1 - s) + 3 >= len || q1[2] != '?' ||
	    !(end = memmem(q1 + 3, len - (size_t)(q1 + 3 - s), "?=", 2)))
		return 0;
	latin1 = !strncasecmp(cs, "iso-8859-1", 10) || !strncasecmp(cs, "windows-1252", 12) ||
		 !strncasecmp(cs, "iso-8859-15", 11);
	for (q2 = q1 + 3; q2 < end; q2++) {
		if (q1[1] == 'B' || q1[1] == 'b') {
			int v = b64val((unsigned char)*q2);

			if (v < 0)
				continue;
			bits = ((bits << 6) | (unsigned)v) & 0xffffffu;
			if ((nbits += 6) >= 8) {
				nbits -= 8;
				word_byte(sb, (unsigned char)((bits >> nbits) & 0xff), latin1);
			}
		} else if (*q2 == '_') {
			folio_strbuf_addch(sb, ' ');
		} else if (*q2 == '=' && end - q2 > 2 && isxdigit((unsigned char)q2[1]) &&
			   isxdigit((unsigned char)q2[2])) {
			char hex[3] = { q2[1], q2[2], 0 };

			word_byte(sb, (unsigned char)strtoul(hex, NULL, 16), latin1);
			q2 += 2;
		} else {
			word_byte(sb, (unsigned char)*q2, latin1);
		}
	}
	return (size_t)(end + 2 - s);
}

/* 1 when s starts an encoded word. */
static int encoded_word_at(const char *s, size_t len)
{
	struct folio_strbuf tmp = FOLIO_STRBUF_INIT;
	size_t k = encoded_word(&tmp, s, len);

	folio_strbuf_release(&tmp);
	return k > 0;
}

/* A header value with its RFC 2047 words decoded (blanks between two
 * words dropped), for the rules to match what a reader sees. */
static void add_text(struct folio_strbuf *sb, const struct node *n)
{
	size_t i = 0, k, blank;
	int after_word = 0;

	if (!n || n->type != N_STRING)
		return;
	while (i < n->len) {
		if ((k = encoded_word(sb, n->s + i, n->len - i))) {
			i += k;
			after_word = 1;
			continue;
		}
		for (blank = i; blank < n->len && strchr(" \t\r\n", n->s[blank]) && n->s[blank];
		     blank++)
			;
		if (blank > i && after_word && encoded_word_at(n->s + blank, n->len - blank)) {
			i = blank;
			continue;
		}
		after_word = 0;
		folio_strbuf_addch(sb, (unsigned char)n->s[i] < ' ' ? ' ' : n->s[i]);
		i++;
	}
}

/* An ENVELOPE address list: ((name adl mailbox host) ...) */
static void add_addresses(struct folio_strbuf *sb, struct node *list)
{
	struct node *a;

	for (a = list && list->type == N_LIST ? list->kid : NULL; a; a = a->next) {
		if (sb->len)
			folio_strbuf_adds(sb, ", ");
		if (nth(a, 0) && nth(a, 0)->type == N_STRING) {
			add_text(sb, nth(a, 0));
			folio_strbuf_addch(sb, ' ');
		}
		folio_strbuf_addch(sb, '<');
		add_text(sb, nth(a, 2));
		folio_strbuf_addch(sb, '@');
		add_text(sb, nth(a, 3));
		folio_strbuf_addch(sb, '>');
	}
}

static size_t lower_copy(struct scan_ctx *s, const struct node *a, const struct node *b)
{
	size_t need = (a ? a->len : 0) + (b ? b->len + 1 : 0) + 1, at = s->typelen, i;

	if (s->typelen + need > s->typecap) {
		size_t cap = (s->typecap + need) * 2;
		char *nb = realloc(s->typebuf, cap);

		if (!nb)
			return (size_t)-1;
		s->typebuf = nb;
		s->typecap = cap;
	}
	for (i = 0; a && i < a->len; i++)
		s->typebuf[s->typelen++] = (char)tolower((unsigned char)a->s[i]);
	if (b) {
		s->typebuf[s->typelen++] = '/';
		for (i = 0; i < b->len; i++)
			s->typebuf[s->typelen++] = (char)tolower((unsigned char)b->s[i]);
	}
	s->typebuf[s->typelen++] = '\0';
	return at;
}

/* The "name" or "filename" value in a parameter list (k v k v ...). */
static struct node *param(struct node *list, const char *key)
{
	struct node *k;

	for (k = list && list->type == N_LIST ? list->kid : NULL; k && k->next; k = k->next->next)
		if (k->type == N_STRING && k->len == strlen(key) && !strncasecmp(k->s, key, k->len))
			return k->next;
	return NULL;
}

/*
 * The leaves of a BODYSTRUCTURE: a multipart is (part part ... "subtype"
 * ...); a leaf ("type" "subtype" (params) id desc enc size ...), and a
 * disposition ("attachment" (params)) further on. The first text/plain or
 * text/html leaf that is not an attachment is the message's text.
 */
static void walk_parts(struct scan_ctx *s, struct node *b, size_t *offs, size_t *noffs,
		       int *text_seen)
{
	struct node *k, *type = nth(b, 0), *sub = nth(b, 1), *name = NULL, *disp = NULL;

	if (!b || b->type != N_LIST)
		return;
	if (type && type->type == N_LIST) {
		for (k = b->kid; k && k->type == N_LIST; k = k->next)
			walk_parts(s, k, offs, noffs, text_seen);
		return;
	}
	if (*noffs >= MAX_PARTS || !type || type->type != N_STRING)
		return;
	for (k = b->kid; k; k = k->next)
		if (k->type == N_LIST && nth(k, 0) && nth(k, 0)->type == N_STRING && nth(k, 1) &&
		    nth(k, 1)->type == N_LIST && k != nth(b, 2))
			disp = k;
	if (disp)
		name = param(nth(disp, 1), "filename");
	if (!name)
		name = param(nth(b, 2), "name");
	if (type->len == 4 && !strncasecmp(type->s, "text", 4) && !name && !*text_seen) {
		*text_seen = 1;
		return;
	}
	offs[(*noffs)++] = lower_copy(s, type, sub);
	offs[(*noffs)++] = name ? lower_copy(s, name, NULL) : lower_copy(s, NULL, NULL);
}

static int fetch_line(struct folio_imap *c, void *ctx)
{
	struct scan_ctx *s = ctx;
	struct folio_imap_msg m = { 0 };
	struct node *data = NULL, *k, *env = NULL, *body = NULL;
	size_t offs[MAX_PARTS * 2 + 2], noffs = 0, i;
	int text_seen = 0;

	s->t.n = 0;
	s->t.p = c->resp.buf + 2;
	s->t.end = c->resp.buf + c->resp.len;
	/* "* N FETCH (...)" */
	if (!parse_item(&s->t, 0) || !is_atom(parse_item(&s->t, 0), "FETCH") ||
	    !(data = parse_item(&s->t, 0)) || data->type != N_LIST)
		return 0;
	for (k = data->kid; k && k->next; k = k->next->next) {
		if (is_atom(k, "UID"))
			m.uid = (uint32_t)num(k->next);
		else if (is_atom(k, "RFC822.SIZE"))
			m.size = num(k->next);
		else if (is_atom(k, "ENVELOPE"))
			env = k->next;
		else if (is_atom(k, "BODYSTRUCTURE"))
			body = k->next;
	}
	/* n:* names the last message too when n is past it */
	if (!m.uid || m.uid < s->from_uid)
		return 0;
	folio_strbuf_reset(&s->from);
	folio_strbuf_reset(&s->to);
	folio_strbuf_reset(&s->subject);
	add_addresses(&s->from, nth(env, 2));
	add_addresses(&s->to, nth(env, 5));
	add_addresses(&s->to, nth(env, 6));
	add_text(&s->subject, nth(env, 1));
	s->typelen = 0;
	walk_parts(s, body, offs, &noffs, &text_seen);
	for (i = 0; i + 1 < noffs; i += 2) {
		if (offs[i] == (size_t)-1 || offs[i + 1] == (size_t)-1)
			return -1;
		s->types[i / 2] = s->typebuf + offs[i];
		s->pnames[i / 2] = s->typebuf + offs[i + 1];
	}
	m.from = s->from.buf ? s->from.buf : "";
	m.to = s->to.buf ? s->to.buf : "";
	m.subject = s->subject.buf ? s->subject.buf : "";
	m.part_types = s->types;
	m.part_names = s->pnames;
	m.nparts = noffs / 2;
	return s->fn(s->ctx, &m) ? 1 : 0;
}

int folio_imap_scan(struct folio_imap *c, uint32_t from_uid, uint32_t to_uid,
		    int (*fn)(void *ctx, const struct folio_imap_msg *m), void *ctx,
		    struct folio_err *err)
{
	struct scan_ctx s = { .from_uid = from_uid ? from_uid : 1, .fn = fn, .ctx = ctx };
	char cmd[96];
	int ret;

	if (!(s.t.nodes = calloc(MAX_NODES, sizeof(*s.t.nodes))))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	if (to_uid)
		snprintf(cmd, sizeof(cmd),
			 "UID FETCH %u:%u (UID RFC822.SIZE ENVELOPE BODYSTRUCTURE)", s.from_uid,
			 to_uid);
	else
		snprintf(cmd, sizeof(cmd),
			 "UID FETCH %u:* (UID RFC822.SIZE ENVELOPE BODYSTRUCTURE)", s.from_uid);
	ret = command(c, cmd, -1, NULL, fetch_line, &s, err);
	if (ret == FOLIO_FATAL)
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	free(s.t.nodes);
	free(s.typebuf);
	folio_strbuf_release(&s.from);
	folio_strbuf_release(&s.to);
	folio_strbuf_release(&s.subject);
	return ret;
}

/* ---- bodies and after-actions --------------------------------------------------- */

static int body_line(struct folio_imap *c, void *ctx)
{
	int *found = ctx;

	if (strstr(c->resp.buf, " FETCH ") && strstr(c->resp.buf, "BODY[] {"))
		*found = 1;
	return 0;
}

int folio_imap_fetch(struct folio_imap *c, uint32_t uid, int fd, uint64_t *bytes,
		     struct folio_err *err)
{
	char cmd[64];
	int found = 0, ret;

	*bytes = 0;
	snprintf(cmd, sizeof(cmd), "UID FETCH %u (UID BODY.PEEK[])", uid);
	ret = command(c, cmd, fd, bytes, body_line, &found, err);
	if (ret == FOLIO_OK && !found)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_NOTFOUND, 0,
				     "imap %s: message UID %u is gone", c->host, uid);
	return ret;
}

int folio_imap_flag(struct folio_imap *c, uint32_t uid, const char *flag, struct folio_err *err)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "UID STORE %u +FLAGS.SILENT (%s)", uid, flag);
	return command(c, cmd, -1, NULL, NULL, NULL, err);
}

int folio_imap_delete(struct folio_imap *c, uint32_t uid, struct folio_err *err)
{
	char cmd[64];
	int ret = folio_imap_flag(c, uid, "\\Deleted", err);

	if (ret != FOLIO_OK)
		return ret;
	snprintf(cmd, sizeof(cmd), "UID EXPUNGE %u", uid);
	return command(c, cmd, -1, NULL, NULL, NULL, err);
}

int folio_imap_move(struct folio_imap *c, uint32_t uid, const char *folder, struct folio_err *err)
{
	struct folio_strbuf cmd = FOLIO_STRBUF_INIT;
	int ret;

	folio_strbuf_addf(&cmd, "UID %s %u ", c->can_move ? "MOVE" : "COPY", uid);
	if ((ret = quoted(&cmd, folder, err)) == FOLIO_OK)
		ret = command(c, cmd.buf, -1, NULL, NULL, NULL, err);
	folio_strbuf_release(&cmd);
	if (ret == FOLIO_OK && !c->can_move)
		ret = folio_imap_delete(c, uid, err);
	return ret;
}

/* ---- IDLE (RFC 2177) ------------------------------------------------------------ */

int folio_imap_can_idle(const struct folio_imap *c)
{
	return c && c->can_idle;
}

/* Bytes into buf if the server sent any, without waiting: 1 when some
 * came (or buf is full), 0 when none, -1 on failure. */
static int try_fill(struct folio_imap *c, struct folio_err *err)
{
	size_t n = 0;
	CURLcode rc;

	if (c->pos) {
		memmove(c->buf, c->buf + c->pos, c->len - c->pos);
		c->len -= c->pos;
		c->pos = 0;
	}
	if (c->len == sizeof(c->buf))
		return 1;
	rc = curl_easy_recv(c->curl, c->buf + c->len, sizeof(c->buf) - c->len, &n);
	if (rc == CURLE_AGAIN)
		return 0;
	if (rc != CURLE_OK)
		return io_fail(c, err, curl_easy_strerror(rc)), -1;
	if (n == 0)
		return io_fail(c, err, "the server closed the connection"), -1;
	c->len += n;
	c->bytes_in += n;
	return 1;
}

/* Until the socket is readable (0), `deadline` passes (1) or stop_fd is
 * readable (2); -1 on failure. */
static int idle_wait(struct folio_imap *c, int stop_fd, double deadline, struct folio_err *err)
{
	for (;;) {
		struct pollfd p[2] = { { .fd = c->sock, .events = POLLIN },
				       { .fd = stop_fd, .events = POLLIN } };
		double left = deadline - folio_now();
		int n;

		if (left <= 0)
			return 1;
		n = poll(p, stop_fd >= 0 ? 2 : 1, (int)(left * 1000) + 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return io_fail(c, err, strerror(errno)), -1;
		if (n > 0 && stop_fd >= 0 && (p[1].revents & (POLLIN | POLLHUP)))
			return 2;
		if (n > 0 && p[0].revents)
			return 0;
	}
}

/* An untagged line while idling: news on EXISTS; BYE ends the session. */
static int idle_line(struct folio_imap *c, int *woke, struct folio_err *err)
{
	if (!c->resp.buf || strncmp(c->resp.buf, "* ", 2))
		return FOLIO_OK;
	if (exists_line(c))
		*woke = FOLIO_IMAP_NEWS;
	else if (!strncasecmp(c->resp.buf, "* BYE", 5))
		return io_fail(c, err, "the server ended the session");
	return FOLIO_OK;
}

int folio_imap_idle(struct folio_imap *c, int stop_fd, double seconds, int *woke,
		    struct folio_err *err)
{
	double deadline = folio_now() + seconds;
	char tag[16];
	size_t tl;
	int r;

	*woke = 0;
	if (c->broken)
		return io_fail(c, err, "the connection is out of step");
	if (!c->can_idle)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				     "imap %s: the server does not offer IDLE", c->host);
	tl = (size_t)snprintf(tag, sizeof(tag), "F%u ", ++c->tag);
	if (send_all(c, tag, tl, err) != FOLIO_OK || send_all(c, "IDLE\r\n", 6, err) != FOLIO_OK)
		return FOLIO_FAILED;
	/* the continuation ("+ idling") starts it; a tagged answer refuses it */
	for (;;) {
		if (read_response(c, -1, NULL, err) != FOLIO_OK)
			return FOLIO_FAILED;
		if (c->resp.buf && c->resp.buf[0] == '+')
			break;
		if (c->resp.buf && !strncmp(c->resp.buf, tag, tl))
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
					     "imap %s: IDLE refused: %.300s", c->host,
					     c->resp.buf + tl);
		if (idle_line(c, woke, err) != FOLIO_OK)
			return FOLIO_FAILED;
	}
	/* idling: lines the server sends, until news, the deadline or stop */
	while (!*woke) {
		if (memchr(c->buf + c->pos, '\n', c->len - c->pos)) {
			if (read_response(c, -1, NULL, err) != FOLIO_OK ||
			    idle_line(c, woke, err) != FOLIO_OK)
				return FOLIO_FAILED;
			continue;
		}
		/* TLS may hold decrypted bytes the socket no longer shows */
		if ((r = try_fill(c, err)) < 0)
			return FOLIO_FAILED;
		if (r > 0)
			continue;
		if ((r = idle_wait(c, stop_fd, deadline, err)) < 0)
			return FOLIO_FAILED;
		if (r == 1)
			break;
		if (r == 2)
			*woke = FOLIO_IMAP_STOP;
	}
	/* DONE; the tagged OK ends the IDLE */
	if (send_all(c, "DONE\r\n", 6, err) != FOLIO_OK)
		return FOLIO_FAILED;
	for (;;) {
		int news = 0;

		if (read_response(c, -1, NULL, err) != FOLIO_OK)
			return FOLIO_FAILED;
		if (c->resp.buf && !strncmp(c->resp.buf, tag, tl)) {
			if (!strncasecmp(c->resp.buf + tl, "OK", 2))
				return FOLIO_OK;
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
					     "imap %s: IDLE ended badly: %.300s", c->host,
					     c->resp.buf + tl);
		}
		if (idle_line(c, &news, err) != FOLIO_OK)
			return FOLIO_FAILED;
		if (news && *woke != FOLIO_IMAP_STOP)
			*woke = FOLIO_IMAP_NEWS;
	}
}
