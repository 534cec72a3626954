/*
 * classify.c - `make bench-classify`: document-type accuracy on the
 * held-out fixture set, and the tool that trains models/doctype.model.
 *
 *   classify_bench RULES MODEL DIR    classify every DIR/<lang>-<type>-NNN.txt
 *                                     by rules only, model only and both
 *                                     (as the pipeline does) and print
 *                                     accuracy overall, per type, per
 *                                     language, confusion matrices and the
 *                                     model's calibration; exit 1 when the
 *                                     combined accuracy is under 0.95
 *   classify_bench --train DIR OUT    train a model on DIR and write OUT
 *   classify_bench --explain RULES MODEL FILE
 *                                     the rules' verdict and every type's
 *                                     probability for one text file
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "folio/classify.h"
#include "folio/doc.h"
#include "folio/util.h"

#define GOAL 0.95
#define MAXT 16
#define MAXL 16
#define NMODE 3

static const char *const mode_name[NMODE] = { "rules", "model", "combined" };

struct names {
	char v[MAXT][32];
	int n;
};

static int intern(struct names *s, const char *name)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], name))
			return i;
	if (s->n == MAXT)
		return -1;
	snprintf(s->v[s->n], sizeof(s->v[0]), "%s", name);
	return s->n++;
}

static const char *const type_order[] = { "invoice", "credit_note",   "proforma", "receipt",
					  "order",   "delivery_note", "contract", "form",
					  "letter",  "other" };

struct tally {
	int n, ok;
};

static struct names types, langs;
static struct tally all[NMODE], by_type[NMODE][MAXT], by_lang[NMODE][MAXL];
static int confusion[NMODE][MAXT][MAXT];
/* model calibration: 10 bins of predicted probability */
static struct {
	int n, ok;
	double p;
} bins[10];
static int rule_confident, rule_confident_ok;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void rate(const struct tally *t)
{
	if (t->n)
		printf("  %5.3f", (double)t->ok / t->n);
	else
		printf("      -");
}

static void report(const char *dir, const char *model_path)
{
	struct stat st;
	double ece = 0;
	int m, i, j, n = all[0].n;

	if (stat(model_path, &st))
		st.st_size = 0;
	printf("classify bench: %d held-out documents in %s\nmodel %s: %lld bytes\n\n", n, dir,
	       model_path, (long long)st.st_size);
	printf("%-16s %6s %6s %8s\n", "", "rules", "model", "combined");
	printf("%-16s", "overall");
	for (m = 0; m < NMODE; m++)
		rate(&all[m]);
	printf("\n\nper type\n");
	for (i = 0; i < types.n; i++) {
		printf("  %-14s", types.v[i]);
		for (m = 0; m < NMODE; m++)
			rate(&by_type[m][i]);
		printf("   (%d)\n", by_type[0][i].n);
	}
	printf("\nper language\n");
	for (i = 0; i < langs.n; i++) {
		printf("  %-14s", langs.v[i]);
		for (m = 0; m < NMODE; m++)
			rate(&by_lang[m][i]);
		printf("   (%d)\n", by_lang[0][i].n);
	}
	printf("\nrules confident on %d of %d documents (%.1f%%), right on %d of them\n",
	       rule_confident, n, n ? 100.0 * rule_confident / n : 0.0, rule_confident_ok);
	for (m = 0; m < NMODE; m++) {
		printf("\nconfusion, %s (rows: true type, columns: predicted)\n%-16s", mode_name[m],
		       "");
		for (j = 0; j < types.n; j++)
			printf(" %5.5s", types.v[j]);
		printf("\n");
		for (i = 0; i < types.n; i++) {
			printf("  %-14s", types.v[i]);
			for (j = 0; j < types.n; j++)
				printf(" %5d", confusion[m][i][j]);
			printf("\n");
		}
	}
	printf("\nmodel calibration (predicted probability of the top type vs accuracy)\n");
	for (i = 0; i < 10; i++) {
		if (!bins[i].n)
			continue;
		printf("  %.1f-%.1f  n=%-4d mean p %.3f  accuracy %.3f\n", i / 10.0, (i + 1) / 10.0,
		       bins[i].n, bins[i].p / bins[i].n, (double)bins[i].ok / bins[i].n);
		ece += (double)bins[i].n / n *
		       (bins[i].p / bins[i].n - (double)bins[i].ok / bins[i].n > 0 ?
				bins[i].p / bins[i].n - (double)bins[i].ok / bins[i].n :
				(double)bins[i].ok / bins[i].n - bins[i].p / bins[i].n);
	}
	printf("  expected calibration error %.3f\n", ece);
	printf("\ngoal %.2f combined: %s\n", GOAL,
	       n && (double)all[2].ok / n >= GOAL ? "met" : "MISSED");
}

static int classify_one(struct folio_classifier *rules, struct folio_classifier *both,
			const struct folio_model *model, const char *path, const char *name)
{
	struct folio_err err = { 0 };
	char lang[16], type[32];
	const char *pred[NMODE], *a = strchr(name, '-'), *b = strrchr(name, '-');
	struct folio_doc *d[2] = { NULL, NULL };
	unsigned char *data;
	size_t size;
	int m, t, l, k;
	float p;

	if (!a || a == b || (size_t)(a - name) >= sizeof(lang) || (size_t)(b - a) > sizeof(type))
		return 0;
	snprintf(lang, sizeof(lang), "%.*s", (int)(a - name), name);
	snprintf(type, sizeof(type), "%.*s", (int)(b - a - 1), a + 1);
	if (folio_read_file(path, 1u << 22, &data, &size, &err) != FOLIO_OK) {
		fprintf(stderr, "classify_bench: %s\n", err.msg);
		return -1;
	}
	for (k = 0; k < 2; k++) {
		d[k] = folio_doc_new(name, NULL, 0);
		if (!d[k] || folio_strbuf_add(&d[k]->text, data, size) ||
		    folio_classify_doc(k ? both : rules, d[k], &err) != FOLIO_OK) {
			fprintf(stderr, "classify_bench: %s: %s\n", name, err.msg);
			return -1;
		}
	}
	free(data);
	if (folio_model_predict(model, d[0]->text.buf, &pred[1], &p, &err) != FOLIO_OK)
		return -1;
	if (!pred[1])
		pred[1] = "other";
	pred[0] = d[0]->doc_type;
	pred[2] = d[1]->doc_type;
	if (!strncmp(d[1]->type_reason, "rule:", 5)) {
		rule_confident++;
		rule_confident_ok += !strcmp(pred[2], type);
	}
	k = p >= 1.0f ? 9 : (int)(p * 10);
	bins[k].n++;
	bins[k].p += p;
	bins[k].ok += !strcmp(pred[1], type);
	t = intern(&types, type);
	l = intern(&langs, lang);
	if (t < 0 || l < 0)
		return -1;
	for (m = 0; m < NMODE; m++) {
		int ok = !strcmp(pred[m], type), pt = intern(&types, pred[m]);

		if (pt < 0)
			return -1;
		all[m].n++;
		all[m].ok += ok;
		by_type[m][t].n++;
		by_type[m][t].ok += ok;
		by_lang[m][l].n++;
		by_lang[m][l].ok += ok;
		confusion[m][t][pt]++;
		if (getenv("BENCH_VERBOSE") && !ok)
			printf("%-8s %-28s -> %s\n", mode_name[m], name, pred[m]);
	}
	folio_doc_free(d[0]);
	folio_doc_free(d[1]);
	return 0;
}

static int explain(const char *rules_path, const char *model_path, const char *file)
{
	struct folio_err err = { 0 };
	struct folio_classifier *c = folio_classify_load(rules_path, &err);
	struct folio_model *m = c ? folio_model_load(model_path, &err) : NULL;
	struct folio_rule_verdict v;
	unsigned char *data = NULL;
	float probs[64];
	size_t size, i;
	char *text;

	if (!m || folio_read_file(file, 1u << 22, &data, &size, &err) != FOLIO_OK ||
	    !(text = realloc(data, size + 1))) {
		fprintf(stderr, "classify_bench: %s\n", err.msg);
		return 1;
	}
	text[size] = '\0';
	if (folio_classify_rules(c, text, &v, &err) != FOLIO_OK ||
	    folio_model_probs(m, text, probs, 64, &err) != FOLIO_OK)
		return 1;
	printf("rules: %s score %d, runner-up %d, strongest keyword %d ('%s'): %s\n", v.type,
	       v.score, v.second, v.strongest, v.keyword ? v.keyword : "",
	       v.confident ? "confident" : "not confident");
	for (i = 0; i < folio_model_nclasses(m); i++)
		printf("model: %-14s %.4f\n", folio_model_class(m, i), (double)probs[i]);
	free(text);
	folio_model_free(m);
	folio_classify_free(c);
	return 0;
}

int main(int argc, char **argv)
{
	struct folio_err err = { 0 };
	struct folio_classifier *rules, *both;
	struct folio_model *model;
	char **names = NULL;
	size_t n = 0, i;
	struct dirent *de;
	DIR *dir;
	double t;

	if (argc == 4 && !strcmp(argv[1], "--train")) {
		t = folio_clock();
		if (folio_model_train_dir(argv[2], argv[3], &err) != FOLIO_OK) {
			fprintf(stderr, "classify_bench: %s\n", err.msg);
			return 1;
		}
		printf("trained %s from %s in %.1f s\n", argv[3], argv[2], folio_clock() - t);
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "--explain"))
		return explain(argv[2], argv[3], argv[4]);
	if (argc != 4) {
		fprintf(stderr, "usage: classify_bench RULES MODEL DIR\n"
				"       classify_bench --train DIR OUT\n"
				"       classify_bench --explain RULES MODEL FILE\n");
		return 2;
	}
	if (!(rules = folio_classify_load(argv[1], &err)) ||
	    !(both = folio_classify_load(argv[1], &err)) ||
	    folio_classify_load_model(both, argv[2], &err) != FOLIO_OK ||
	    !(model = folio_model_load(argv[2], &err))) {
		fprintf(stderr, "classify_bench: %s\n", err.msg);
		return 1;
	}
	for (i = 0; i < sizeof(type_order) / sizeof(type_order[0]); i++)
		intern(&types, type_order[i]);
	if (!(dir = opendir(argv[3]))) {
		perror(argv[3]);
		return 1;
	}
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.' && strstr(de->d_name, ".txt")) {
			names = realloc(names, (n + 1) * sizeof(*names));
			if (!names || !(names[n++] = strdup(de->d_name)))
				return 1;
		}
	closedir(dir);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	t = folio_clock();
	for (i = 0; i < n; i++) {
		char *path = folio_path_join(argv[3], names[i]);

		if (!path || classify_one(rules, both, model, path, names[i]))
			return 1;
		free(path);
		free(names[i]);
	}
	free(names);
	t = folio_clock() - t;
	report(argv[3], argv[2]);
	printf("%.2f ms per document (rules + model twice)\n", n ? 1000 * t / (double)n : 0.0);
	folio_classify_free(rules);
	folio_classify_free(both);
	folio_model_free(model);
	return all[2].n && (double)all[2].ok / all[2].n >= GOAL ? 0 : 1;
}
