/*
 * model.c - the trainable document-type model; see classify.h.
 *
 * Multinomial logistic regression over hashed features of the folded text:
 * word unigrams, word bigrams and character 3..5-grams of each word with
 * its boundaries ("<faktura>" gives "<fa", "fak", ..., "ura>"). Features
 * are hashed into 2^FEAT_BITS buckets, counted, damped (1 + ln count) and
 * the vector is scaled to unit length, so that a long contract and a short
 * receipt speak equally loud.
 *
 * Training is AdaGrad SGD on the cross-entropy with an L2 penalty, in a
 * fixed order (a seeded shuffle), so that the same examples give the same
 * model byte for byte. Logistic regression is less overconfident than
 * naive Bayes but still too sure of itself on a small corpus it has learnt
 * by heart, so the trainer also fits a temperature: a k-fold run gives
 * every example a score from a model that did not see it, and the
 * temperature that minimises their log loss divides the logits at
 * prediction time ("model: 0.93" is then roughly right 93% of the time).
 *
 * File format, version 1 (all integers little-endian):
 *
 *   offset size
 *   0      8    magic "FOLIOMDL"
 *   8      4    version (1)
 *   12     4    hash bits B (buckets are 0 .. 2^B-1)
 *   16     4    number of classes C (2 .. 64)
 *   20     4    number of weight rows N
 *   24     4    temperature T (IEEE 754 float)
 *   28     4    weight scale S (float): weight = int16 * S
 *   32     4    number of training documents (informational)
 *   36     4    feature set: char n-gram min | max << 8 | 1 << 16 (unigrams)
 *               | 1 << 17 (bigrams); version 1 only knows 3 | 5 << 8 | 3 << 16
 *   40     ...  C class names: a length byte (1..31) and [a-z0-9_] bytes
 *          4*C  C biases (float)
 *          ...  N rows in increasing bucket order: a LEB128 varint (the first
 *               row's bucket + 1, then the step from the previous row's
 *               bucket), then C int16 weights
 *   end-4  4    CRC-32 (IEEE) of every byte before it
 *
 * A bucket without a row has all-zero weights. Rows whose weights all
 * quantise to zero are not written.
 */
#include "folio/classify.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "folio/util.h"

#define FEAT_BITS 18
#define FEAT_SET (3u | 5u << 8 | 3u << 16)
#define MODEL_MAGIC "FOLIOMDL"
#define MODEL_VERSION 1
#define MODEL_MAX_BYTES (64u << 20)
#define MAX_CLASSES 64
#define MAX_WORDS 20000 /* words of a document looked at */
#define EPOCHS 25
#define LEARN_RATE 0.5f
#define L2 1e-5f
#define FOLDS 5

struct folio_model {
	unsigned nclass, bits, ndocs;
	char **names;
	float temp;
	float *bias;	  /* [nclass] */
	uint32_t *bucket; /* [nrows], increasing */
	float *w;	  /* [nrows * nclass] */
	size_t nrows;
};

/* A document as a sparse vector: sorted unique buckets and their values. */
struct fvec {
	uint32_t *idx;
	float *val;
	size_t n;
};

struct example {
	struct fvec x;
	unsigned y;
	float weight;
};

struct folio_trainer {
	struct example *ex;
	size_t n, alloc;
	char *names[MAX_CLASSES];
	unsigned nclass;
};

/* ---- features ---------------------------------------------------------- */

static uint32_t fnv(uint32_t h, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

/* Seeds keep the feature kinds apart: "ab" as a word and as a 2-gram. */
#define SEED_WORD 2166136261u
#define SEED_BIGRAM 0x9747b28cu
#define SEED_CHAR 0x5bd1e995u

static uint32_t mix(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	return h;
}

struct hashes {
	uint32_t *h;
	size_t n, alloc;
};

static int push(struct hashes *hs, uint32_t h, unsigned bits)
{
	if (hs->n == hs->alloc) {
		size_t cap = hs->alloc ? hs->alloc * 2 : 1024;
		uint32_t *nh = realloc(hs->h, cap * sizeof(*nh));

		if (!nh)
			return -1;
		hs->h = nh;
		hs->alloc = cap;
	}
	hs->h[hs->n++] = mix(h) & ((1u << bits) - 1);
	return 0;
}

static int word_char(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Hash every feature of one word (already with digits as '0'). */
static int word_feats(struct hashes *hs, const char *w, size_t len, const char *prev, size_t plen,
		      unsigned bits)
{
	char buf[72];
	size_t i, n, k;
	int digits = 1;

	if (push(hs, fnv(SEED_WORD, w, len), bits))
		return -1;
	if (plen && push(hs, fnv(fnv(fnv(SEED_BIGRAM, prev, plen), " ", 1), w, len), bits))
		return -1;
	for (i = 0; i < len; i++)
		if (w[i] != '0')
			digits = 0;
	if (digits || len > 64)
		return 0;
	buf[0] = '<';
	memcpy(buf + 1, w, len);
	buf[len + 1] = '>';
	n = len + 2;
	for (k = 3; k <= 5; k++)
		for (i = 0; i + k <= n; i++)
			if (push(hs, fnv(SEED_CHAR, buf + i, k), bits))
				return -1;
	return 0;
}

/* Turn `text` into a unit-length sparse vector. 0 or -1 on ENOMEM. */
static int featurize(const char *text, unsigned bits, struct fvec *out)
{
	struct hashes hs = { 0 };
	char *f, *p, *w, *prev = NULL;
	size_t plen = 0, i, j, nwords = 0;
	double norm = 0;

	memset(out, 0, sizeof(*out));
	if (!(f = folio_fold_key(text ? text : "")))
		return -1;
	for (p = f; *p && nwords < MAX_WORDS;) {
		if (!word_char((unsigned char)*p)) {
			p++;
			continue;
		}
		w = p;
		while (word_char((unsigned char)*p)) {
			if (isdigit((unsigned char)*p))
				*p = '0';
			p++;
		}
		if (word_feats(&hs, w, (size_t)(p - w), prev, plen, bits))
			goto nomem;
		prev = w;
		plen = (size_t)(p - w);
		nwords++;
	}
	free(f);
	f = NULL;
	if (!hs.n)
		goto out;
	folio_sort(hs.h, hs.n, sizeof(*hs.h), cmp_u32);
	if (!(out->idx = malloc(hs.n * sizeof(*out->idx))) ||
	    !(out->val = malloc(hs.n * sizeof(*out->val))))
		goto nomem;
	for (i = 0; i < hs.n; i = j) {
		for (j = i + 1; j < hs.n && hs.h[j] == hs.h[i]; j++)
			;
		out->idx[out->n] = hs.h[i];
		out->val[out->n] = 1.0f + logf((float)(j - i));
		norm += (double)out->val[out->n] * out->val[out->n];
		out->n++;
	}
	norm = sqrt(norm);
	for (i = 0; i < out->n; i++)
		out->val[i] = (float)(out->val[i] / norm);
out:
	free(hs.h);
	return 0;
nomem:
	free(f);
	free(hs.h);
	free(out->idx);
	free(out->val);
	memset(out, 0, sizeof(*out));
	return -1;
}

static void fvec_release(struct fvec *v)
{
	free(v->idx);
	free(v->val);
}

/* ---- prediction -------------------------------------------------------- */

/* Softmax of the logits of `x` divided by the temperature into p[]. */
static void model_probs(const struct folio_model *m, const struct fvec *x, double *p)
{
	size_t i, lo = 0, hi;
	unsigned c;
	double max, sum = 0;

	for (c = 0; c < m->nclass; c++)
		p[c] = m->bias[c];
	/* both lists are sorted: each search starts where the last ended */
	for (i = 0; i < x->n && lo < m->nrows; i++) {
		size_t a = lo, b = m->nrows;

		while (a < b) {
			size_t mid = a + (b - a) / 2;

			if (m->bucket[mid] < x->idx[i])
				a = mid + 1;
			else
				b = mid;
		}
		lo = a;
		if (a < m->nrows && m->bucket[a] == x->idx[i]) {
			const float *w = m->w + a * m->nclass;

			for (c = 0; c < m->nclass; c++)
				p[c] += (double)w[c] * x->val[i];
		}
	}
	hi = 0;
	for (c = 1; c < m->nclass; c++)
		if (p[c] > p[hi])
			hi = c;
	max = p[hi];
	for (c = 0; c < m->nclass; c++) {
		p[c] = exp((p[c] - max) / m->temp);
		sum += p[c];
	}
	for (c = 0; c < m->nclass; c++)
		p[c] /= sum;
}

int folio_model_predict(const struct folio_model *m, const char *text, const char **type,
			float *prob, struct folio_err *err)
{
	double p[MAX_CLASSES];
	struct fvec x;
	unsigned c, best = 0;

	if (type)
		*type = NULL;
	if (prob)
		*prob = 0;
	if (featurize(text, m->bits, &x))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	if (!x.n)
		return FOLIO_OK; /* no words: nothing to go by */
	model_probs(m, &x, p);
	fvec_release(&x);
	for (c = 1; c < m->nclass; c++)
		if (p[c] > p[best])
			best = c;
	if (type)
		*type = m->names[best];
	if (prob)
		*prob = (float)p[best];
	return FOLIO_OK;
}

int folio_model_probs(const struct folio_model *m, const char *text, float *probs, size_t n,
		      struct folio_err *err)
{
	double p[MAX_CLASSES];
	struct fvec x;
	unsigned c;

	if (featurize(text, m->bits, &x))
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	model_probs(m, &x, p);
	fvec_release(&x);
	for (c = 0; c < m->nclass && c < n; c++)
		probs[c] = (float)p[c];
	return FOLIO_OK;
}

size_t folio_model_nclasses(const struct folio_model *m)
{
	return m->nclass;
}

const char *folio_model_class(const struct folio_model *m, size_t i)
{
	return i < m->nclass ? m->names[i] : NULL;
}

void folio_model_free(struct folio_model *m)
{
	unsigned c;

	if (!m)
		return;
	for (c = 0; m->names && c < m->nclass; c++)
		free(m->names[c]);
	free(m->names);
	free(m->bias);
	free(m->bucket);
	free(m->w);
	free(m);
}

/* ---- the file ---------------------------------------------------------- */

/* The file's checksum: zlib's CRC-32 (IEEE), the one gzip and PNG use. */
static uint32_t crc32_ieee(const unsigned char *p, size_t n)
{
	return (uint32_t)crc32_z(0L, p, n);
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static float getf(const unsigned char *p)
{
	uint32_t u = get32(p);
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

static int valid_name(const char *s, size_t n)
{
	size_t i;

	if (!n || n > 31)
		return 0;
	for (i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_'))
			return 0;
	return 1;
}

static int bad(struct folio_err *err, const char *path, const char *why)
{
	return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0, "model '%s': %s", path, why);
}

/* Parse a whole model file image into `m`. */
static int parse_model(const unsigned char *d, size_t size, const char *path, struct folio_model *m,
		       struct folio_err *err)
{
	const unsigned char *p, *end;
	uint32_t version, nrows, prev = 0;
	float scale;
	size_t i;
	unsigned c;

	if (size < 8 || memcmp(d, MODEL_MAGIC, 8))
		return bad(err, path, "not a folio model file");
	if (size < 44)
		return bad(err, path, "truncated");
	version = get32(d + 8);
	if (version != MODEL_VERSION)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				     "model '%s': unsupported version %u (this folio reads %d)",
				     path, version, MODEL_VERSION);
	if (get32(d + size - 4) != crc32_ieee(d, size - 4))
		return bad(err, path, "checksum mismatch (corrupt or truncated file)");
	m->bits = get32(d + 12);
	m->nclass = get32(d + 16);
	nrows = get32(d + 20);
	m->temp = getf(d + 24);
	scale = getf(d + 28);
	m->ndocs = get32(d + 32);
	if (m->bits < 8 || m->bits > 24 || m->nclass < 2 || m->nclass > MAX_CLASSES ||
	    get32(d + 36) != FEAT_SET || !(m->temp > 0.01f && m->temp < 100.0f) ||
	    !(scale >= 0.0f && scale < 1e6f) || nrows > (1u << m->bits))
		return bad(err, path, "bad header");
	p = d + 40;
	end = d + size - 4;
	if (!(m->names = calloc(m->nclass, sizeof(*m->names))) ||
	    !(m->bias = calloc(m->nclass, sizeof(*m->bias))))
		goto nomem;
	for (c = 0; c < m->nclass; c++) {
		size_t n;

		if (p >= end || (size_t)(end - p) < 1u + *p)
			return bad(err, path, "truncated class names");
		n = *p++;
		if (!valid_name((const char *)p, n))
			return bad(err, path, "bad class name");
		if (!(m->names[c] = strndup((const char *)p, n)))
			goto nomem;
		p += n;
	}
	if ((size_t)(end - p) < 4u * m->nclass)
		return bad(err, path, "truncated");
	for (c = 0; c < m->nclass; c++, p += 4)
		m->bias[c] = getf(p);
	/* every row takes at least 1 + 2C bytes: no allocation a file cannot back */
	if ((uint64_t)nrows * (1u + 2u * m->nclass) > (uint64_t)(end - p))
		return bad(err, path, "truncated weights");
	m->nrows = nrows;
	if (nrows && (!(m->bucket = malloc(nrows * sizeof(*m->bucket))) ||
		      !(m->w = malloc((size_t)nrows * m->nclass * sizeof(*m->w)))))
		goto nomem;
	for (i = 0; i < nrows; i++) {
		uint64_t delta = 0, at;
		int shift = 0;

		do {
			if (p >= end || shift > 28)
				return bad(err, path, "truncated or bad weight row");
			delta |= (uint64_t)(*p & 0x7f) << shift;
			shift += 7;
		} while (*p++ & 0x80);
		/* the first row stores bucket + 1, the others the step up */
		at = i ? (uint64_t)prev + delta : delta - 1;
		if (!delta || at >= (1u << m->bits))
			return bad(err, path, "bad bucket");
		m->bucket[i] = prev = (uint32_t)at;
		if ((size_t)(end - p) < 2u * m->nclass)
			return bad(err, path, "truncated weight row");
		for (c = 0; c < m->nclass; c++, p += 2)
			m->w[i * m->nclass + c] = (float)(int16_t)(p[0] | p[1] << 8) * scale;
	}
	if (p != end)
		return bad(err, path, "trailing bytes after the weights");
	return FOLIO_OK;
nomem:
	return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
}

struct folio_model *folio_model_load(const char *path, struct folio_err *err)
{
	struct folio_model *m;
	unsigned char *data = NULL;
	size_t size = 0;

	if (folio_read_file(path, MODEL_MAX_BYTES, &data, &size, err) != FOLIO_OK)
		return NULL;
	if (!(m = calloc(1, sizeof(*m)))) {
		free(data);
		folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		return NULL;
	}
	if (parse_model(data, size, path, m, err) != FOLIO_OK) {
		folio_model_free(m);
		m = NULL;
	}
	free(data);
	return m;
}

struct obuf {
	unsigned char *d;
	size_t n, alloc;
	int oom;
};

static void put(struct obuf *b, const void *p, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n > b->alloc) {
		size_t cap = b->alloc ? b->alloc : 4096;
		unsigned char *nd;

		while (cap < b->n + n)
			cap *= 2;
		if (!(nd = realloc(b->d, cap))) {
			b->oom = 1;
			return;
		}
		b->d = nd;
		b->alloc = cap;
	}
	memcpy(b->d + b->n, p, n);
	b->n += n;
}

static void put32(struct obuf *b, uint32_t v)
{
	unsigned char x[4] = { v & 0xff, v >> 8 & 0xff, v >> 16 & 0xff, v >> 24 };

	put(b, x, 4);
}

static void putf(struct obuf *b, float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	put32(b, u);
}

int folio_model_save(const struct folio_model *m, const char *path, struct folio_err *err)
{
	struct obuf b = { 0 };
	float maxw = 0, scale;
	size_t i, nrows = 0, rows_at;
	uint32_t prev = 0;
	unsigned c;
	int ret;

	for (i = 0; i < m->nrows * m->nclass; i++)
		if (fabsf(m->w[i]) > maxw)
			maxw = fabsf(m->w[i]);
	scale = maxw > 0 ? maxw / 32767.0f : 1.0f;
	put(&b, MODEL_MAGIC, 8);
	put32(&b, MODEL_VERSION);
	put32(&b, m->bits);
	put32(&b, m->nclass);
	rows_at = b.n;
	put32(&b, 0); /* filled in below */
	putf(&b, m->temp);
	putf(&b, scale);
	put32(&b, m->ndocs);
	put32(&b, FEAT_SET);
	for (c = 0; c < m->nclass; c++) {
		unsigned char len = (unsigned char)strlen(m->names[c]);

		put(&b, &len, 1);
		put(&b, m->names[c], len);
	}
	for (c = 0; c < m->nclass; c++)
		putf(&b, m->bias[c]);
	for (i = 0; i < m->nrows; i++) {
		const float *w = m->w + i * m->nclass;
		unsigned char row[2 * MAX_CLASSES], v[5];
		uint32_t delta;
		int any = 0, nv = 0;

		for (c = 0; c < m->nclass; c++) {
			long q = lroundf(w[c] / scale);
			int16_t s = (int16_t)(q > 32767 ? 32767 : q < -32767 ? -32767 : q);

			any |= s != 0;
			row[2 * c] = (unsigned char)((uint16_t)s & 0xff);
			row[2 * c + 1] = (unsigned char)((uint16_t)s >> 8);
		}
		if (!any)
			continue;
		delta = nrows ? m->bucket[i] - prev : m->bucket[i] + 1;
		prev = m->bucket[i];
		do {
			v[nv] = delta & 0x7f;
			delta >>= 7;
			if (delta)
				v[nv] |= 0x80;
			nv++;
		} while (delta);
		put(&b, v, (size_t)nv);
		put(&b, row, 2u * m->nclass);
		nrows++;
	}
	if (b.oom) {
		free(b.d);
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	}
	b.d[rows_at] = nrows & 0xff;
	b.d[rows_at + 1] = nrows >> 8 & 0xff;
	b.d[rows_at + 2] = nrows >> 16 & 0xff;
	b.d[rows_at + 3] = (unsigned char)(nrows >> 24);
	put32(&b, crc32_ieee(b.d, b.n));
	if (b.oom) {
		free(b.d);
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	}
	ret = folio_write_file_atomic(path, b.d, b.n, 0644, err);
	free(b.d);
	return ret;
}

/* ---- training ---------------------------------------------------------- */

struct folio_trainer *folio_trainer_new(void)
{
	return calloc(1, sizeof(struct folio_trainer));
}

void folio_trainer_free(struct folio_trainer *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		fvec_release(&t->ex[i].x);
	for (i = 0; i < t->nclass; i++)
		free(t->names[i]);
	free(t->ex);
	free(t);
}

size_t folio_trainer_count(const struct folio_trainer *t)
{
	return t->n;
}

int folio_trainer_add_weighted(struct folio_trainer *t, const char *text, const char *type,
			       float weight, struct folio_err *err)
{
	struct example *e;
	unsigned c;

	if (!type || !valid_name(type, strlen(type)))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				     "bad document type '%s' (expected [a-z0-9_], 1..31 bytes)",
				     type ? type : "");
	if (!(weight > 0 && weight <= 100))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				     "example weight %g out of range (0, 100]", (double)weight);
	for (c = 0; c < t->nclass; c++)
		if (!strcmp(t->names[c], type))
			break;
	if (c == t->nclass) {
		if (c == MAX_CLASSES)
			return folio_err_set(err, FOLIO_FAILED, FOLIO_E_LIMIT, 0,
					     "more than %d document types", MAX_CLASSES);
		if (!(t->names[c] = strdup(type)))
			goto nomem;
		t->nclass++;
	}
	if (t->n == t->alloc) {
		size_t cap = t->alloc ? t->alloc * 2 : 64;
		struct example *ne = realloc(t->ex, cap * sizeof(*ne));

		if (!ne)
			goto nomem;
		t->ex = ne;
		t->alloc = cap;
	}
	e = &t->ex[t->n];
	if (featurize(text, FEAT_BITS, &e->x))
		goto nomem;
	e->y = c;
	e->weight = weight;
	t->n++;
	return FOLIO_OK;
nomem:
	return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
}

int folio_trainer_add(struct folio_trainer *t, const char *text, const char *type,
		      struct folio_err *err)
{
	return folio_trainer_add_weighted(t, text, type, 1.0f, err);
}

/* Dense weights while training: [bucket * C + class]. */
struct sgd {
	unsigned C;
	size_t nb;
	float *w, *g; /* weights and AdaGrad's sums of squares */
	float *b, *gb;
};

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void logits(const struct sgd *m, const struct fvec *x, double *z)
{
	size_t i;
	unsigned c;

	for (c = 0; c < m->C; c++)
		z[c] = m->b[c];
	for (i = 0; i < x->n; i++) {
		const float *w = m->w + (size_t)x->idx[i] * m->C;

		for (c = 0; c < m->C; c++)
			z[c] += (double)w[c] * x->val[i];
	}
}

static void softmax(double *z, unsigned C, double temp)
{
	double max = z[0], sum = 0;
	unsigned c;

	for (c = 1; c < C; c++)
		if (z[c] > max)
			max = z[c];
	for (c = 0; c < C; c++)
		sum += (z[c] = exp((z[c] - max) / temp));
	for (c = 0; c < C; c++)
		z[c] /= sum;
}

/* Train on the examples whose fold differs from `skip` (-1: all). */
static void sgd_train(struct sgd *m, const struct folio_trainer *t, const int *fold, int skip)
{
	size_t *order, i, n = 0;
	uint32_t seed = 0x2545f491u;
	int epoch;

	memset(m->w, 0, m->nb * m->C * sizeof(*m->w));
	memset(m->g, 0, m->nb * m->C * sizeof(*m->g));
	memset(m->b, 0, m->C * sizeof(*m->b));
	memset(m->gb, 0, m->C * sizeof(*m->gb));
	if (!(order = malloc((t->n ? t->n : 1) * sizeof(*order))))
		return;
	for (i = 0; i < t->n; i++)
		if (fold[i] != skip)
			order[n++] = i;
	for (epoch = 0; epoch < EPOCHS; epoch++) {
		for (i = n; i > 1; i--) {
			size_t j = xorshift(&seed) % i, tmp = order[i - 1];

			order[i - 1] = order[j];
			order[j] = tmp;
		}
		for (i = 0; i < n; i++) {
			const struct example *e = &t->ex[order[i]];
			double p[MAX_CLASSES];
			size_t k;
			unsigned c;

			logits(m, &e->x, p);
			softmax(p, m->C, 1.0);
			for (c = 0; c < m->C; c++) {
				float d = (float)(p[c] - (c == e->y)) * e->weight;

				m->gb[c] += d * d;
				m->b[c] -= LEARN_RATE * d / sqrtf(m->gb[c] + 1e-8f);
				if (fabsf(d) < 1e-6f)
					continue;
				for (k = 0; k < e->x.n; k++) {
					size_t at = (size_t)e->x.idx[k] * m->C + c;
					float gr = d * e->x.val[k] + L2 * m->w[at];

					m->g[at] += gr * gr;
					m->w[at] -= LEARN_RATE * gr / sqrtf(m->g[at] + 1e-8f);
				}
			}
		}
	}
	free(order);
}

/* Mean log loss of held-out logits z[i * C ..] at temperature 1/beta. */
static double nll(const double *z, const struct folio_trainer *t, double beta)
{
	double sum = 0, p[MAX_CLASSES];
	size_t i;
	unsigned c;

	for (i = 0; i < t->n; i++) {
		for (c = 0; c < t->nclass; c++)
			p[c] = z[i * t->nclass + c] * beta;
		softmax(p, t->nclass, 1.0);
		sum -= log(p[t->ex[i].y] > 1e-300 ? p[t->ex[i].y] : 1e-300);
	}
	return sum / (double)t->n;
}

/* The temperature from a k-fold run (1 when there is too little data). */
static float fit_temperature(struct sgd *m, const struct folio_trainer *t, int *fold)
{
	unsigned seen[MAX_CLASSES] = { 0 };
	double *z, lo = 0.05, hi = 20;
	size_t i;
	int f, it;

	if (t->n < 4 * FOLDS || !(z = malloc(t->n * t->nclass * sizeof(*z))))
		return 1.0f;
	/* stratified: each type spread over the folds */
	for (i = 0; i < t->n; i++)
		fold[i] = (int)(seen[t->ex[i].y]++ % FOLDS);
	for (f = 0; f < FOLDS; f++) {
		sgd_train(m, t, fold, f);
		for (i = 0; i < t->n; i++)
			if (fold[i] == f)
				logits(m, &t->ex[i].x, z + i * t->nclass);
	}
	/* the log loss is convex in 1/T: ternary search */
	for (it = 0; it < 60; it++) {
		double a = lo + (hi - lo) / 3, b = hi - (hi - lo) / 3;

		if (nll(z, t, a) < nll(z, t, b))
			hi = b;
		else
			lo = a;
	}
	free(z);
	return (float)(2 / (lo + hi));
}

int folio_trainer_build(const struct folio_trainer *t, struct folio_model **out,
			struct folio_err *err)
{
	struct sgd s = { .C = t->nclass, .nb = (size_t)1 << FEAT_BITS };
	struct folio_model *m = NULL;
	int *fold = NULL, ret = FOLIO_OK;
	size_t i, r;
	unsigned c;

	*out = NULL;
	if (t->nclass < 2)
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				     "training needs examples of at least two document types "
				     "(have %u)",
				     t->nclass);
	if (!(s.w = calloc(s.nb * s.C, sizeof(*s.w))) ||
	    !(s.g = calloc(s.nb * s.C, sizeof(*s.g))) || !(s.b = calloc(s.C, sizeof(*s.b))) ||
	    !(s.gb = calloc(s.C, sizeof(*s.gb))) || !(fold = calloc(t->n, sizeof(*fold))) ||
	    !(m = calloc(1, sizeof(*m))))
		goto nomem;
	m->temp = fit_temperature(&s, t, fold);
	memset(fold, 0, t->n * sizeof(*fold));
	sgd_train(&s, t, fold, -1);
	m->nclass = t->nclass;
	m->bits = FEAT_BITS;
	m->ndocs = (unsigned)t->n;
	if (!(m->names = calloc(m->nclass, sizeof(*m->names))) ||
	    !(m->bias = malloc(m->nclass * sizeof(*m->bias))))
		goto nomem;
	for (c = 0; c < m->nclass; c++)
		if (!(m->names[c] = strdup(t->names[c])))
			goto nomem;
	memcpy(m->bias, s.b, m->nclass * sizeof(*m->bias));
	for (i = 0; i < s.nb; i++)
		for (c = 0; c < s.C; c++)
			if (s.w[i * s.C + c] != 0) {
				m->nrows++;
				break;
			}
	if (m->nrows && (!(m->bucket = malloc(m->nrows * sizeof(*m->bucket))) ||
			 !(m->w = malloc(m->nrows * s.C * sizeof(*m->w)))))
		goto nomem;
	for (i = 0, r = 0; i < s.nb; i++)
		for (c = 0; c < s.C; c++)
			if (s.w[i * s.C + c] != 0) {
				m->bucket[r] = (uint32_t)i;
				memcpy(m->w + r * s.C, s.w + i * s.C, s.C * sizeof(*m->w));
				r++;
				break;
			}
	*out = m;
	goto out;
nomem:
	ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	folio_model_free(m);
out:
	free(s.w);
	free(s.g);
	free(s.b);
	free(s.gb);
	free(fold);
	return ret;
}

int folio_trainer_save(const struct folio_trainer *t, const char *path, struct folio_err *err)
{
	struct folio_model *m;
	int ret = folio_trainer_build(t, &m, err);

	if (ret != FOLIO_OK)
		return ret;
	ret = folio_model_save(m, path, err);
	folio_model_free(m);
	return ret;
}

/* "<lang>-<type>-NNN.txt" → type (in buf); 0 when the name does not fit. */
static int type_from_name(const char *name, char *buf, size_t len)
{
	const char *a = strchr(name, '-'), *b = strrchr(name, '-');
	size_t n = strlen(name);

	if (!a || a == b || n < 4 || strcmp(name + n - 4, ".txt") || (size_t)(b - a - 1) >= len)
		return 0;
	memcpy(buf, a + 1, (size_t)(b - a - 1));
	buf[b - a - 1] = '\0';
	return valid_name(buf, strlen(buf));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

#define TRAIN_FILE_MAX (4u << 20)

int folio_trainer_add_dir(struct folio_trainer *t, const char *dir, struct folio_err *err)
{
	char **names = NULL, type[32];
	size_t n = 0, alloc = 0, i;
	struct dirent *de;
	int ret = FOLIO_OK;
	DIR *d;

	if (!(d = opendir(dir)))
		return folio_err_set(err, FOLIO_FAILED, FOLIO_E_IO, errno, "cannot open '%s': %s",
				     dir, strerror(errno));
	/* sorted, so that the model does not depend on the directory order */
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !type_from_name(de->d_name, type, sizeof(type)))
			continue;
		if (n == alloc) {
			size_t cap = alloc ? alloc * 2 : 256;
			char **nn = realloc(names, cap * sizeof(*nn));

			if (!nn)
				goto nomem;
			names = nn;
			alloc = cap;
		}
		if (!(names[n] = strdup(de->d_name)))
			goto nomem;
		n++;
	}
	if (n)
		folio_sort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n && ret == FOLIO_OK; i++) {
		unsigned char *data = NULL;
		size_t size = 0;
		char *path = folio_path_join(dir, names[i]);

		if (!path)
			goto nomem;
		type_from_name(names[i], type, sizeof(type));
		ret = folio_read_file(path, TRAIN_FILE_MAX, &data, &size, err);
		free(path);
		if (ret == FOLIO_OK) {
			char *text = realloc(data, size + 1);

			if (!text) {
				free(data);
				goto nomem;
			}
			text[size] = '\0';
			ret = folio_trainer_add(t, text, type, err);
			free(text);
		}
	}
	if (ret == FOLIO_OK && !n)
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_INPUT, 0,
				    "no training files '<lang>-<type>-NNN.txt' in '%s'", dir);
	goto out;
nomem:
	ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return ret;
}

int folio_model_train_dir(const char *dir, const char *out_path, struct folio_err *err)
{
	struct folio_trainer *t = folio_trainer_new();
	int ret;

	if (!t)
		return folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
	ret = folio_trainer_add_dir(t, dir, err);
	if (ret == FOLIO_OK)
		ret = folio_trainer_save(t, out_path, err);
	folio_trainer_free(t);
	return ret;
}
