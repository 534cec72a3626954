/* train.c - folio train: the type model learns what people confirmed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "folio/archive.h"
#include "folio/classify.h"
#include "folio/pipeline.h"
#include "folio/util.h"

#define CONFIRMED_WEIGHT 3.0f

struct confirmed {
	struct folio_trainer *t;
	struct folio_err *err;
	size_t n;
	int failed;
};

static int add_confirmed(void *ctx, long long id, const char *type, const char *text)
{
	struct confirmed *c = ctx;

	(void)id;
	if (folio_trainer_add_weighted(c->t, text, type, CONFIRMED_WEIGHT, c->err) != FOLIO_OK) {
		c->failed = 1;
		return 1;
	}
	c->n++;
	return 0;
}

struct fit {
	const struct folio_model *m;
	size_t n;
};

static int check_fit(void *ctx, long long id, const char *type, const char *text)
{
	struct fit *f = ctx;
	const char *got = NULL;
	float p;

	(void)id;
	if (folio_model_predict(f->m, text, &got, &p, NULL) == FOLIO_OK && got &&
	    !strcmp(got, type))
		f->n++;
	return 0;
}

int folio_train(struct folio_archive *arc, const struct folio_config *cfg,
		struct folio_train_report *rep, struct folio_err *err)
{
	struct folio_trainer *t = NULL;
	struct folio_model *m = NULL;
	struct confirmed c = { 0 };
	struct fit f = { 0 };
	char *models = NULL, *corpus = NULL, *out = NULL;
	struct stat sb;
	int ret;

	memset(rep, 0, sizeof(*rep));
	if (!(t = folio_trainer_new()) || !(models = folio_config_models_dir(cfg)) ||
	    !(corpus = folio_path_join(models, "doctype-corpus")) ||
	    !(out = folio_path_join(folio_archive_dir(arc), "doctype.model"))) {
		ret = folio_err_set(err, FOLIO_FATAL, FOLIO_E_NOMEM, ENOMEM, "out of memory");
		goto out;
	}
	if (!stat(corpus, &sb) && S_ISDIR(sb.st_mode)) {
		if ((ret = folio_trainer_add_dir(t, corpus, err)) != FOLIO_OK)
			goto out;
		rep->base = folio_trainer_count(t);
	}
	c.t = t;
	c.err = err;
	if ((ret = folio_archive_each_confirmed(arc, add_confirmed, &c, err)) != FOLIO_OK)
		goto out;
	if (c.failed) {
		ret = FOLIO_FAILED;
		goto out;
	}
	rep->confirmed = c.n;
	if (!rep->base && !rep->confirmed) {
		ret = folio_err_set(err, FOLIO_FAILED, FOLIO_E_NOTFOUND, 0,
				    "nothing to learn from: no corpus in %s and no confirmed"
				    " types (set them with 'folio retype ID TYPE')",
				    models);
		goto out;
	}
	if ((ret = folio_trainer_build(t, &m, err)) != FOLIO_OK ||
	    (ret = folio_model_save(m, out, err)) != FOLIO_OK)
		goto out;
	f.m = m;
	if ((ret = folio_archive_each_confirmed(arc, check_fit, &f, err)) != FOLIO_OK)
		goto out;
	rep->fit = f.n;
	snprintf(rep->path, sizeof(rep->path), "%s", out);
out:
	folio_model_free(m);
	folio_trainer_free(t);
	free(models);
	free(corpus);
	free(out);
	return ret;
}
