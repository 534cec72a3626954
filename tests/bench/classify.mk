# Document-type classifier: accuracy bench and the shipped model.
# Included by the Makefile (include tests/bench/classify.mk); uses its
# BUILD, CC, ALL_CFLAGS, LIB_OBJ, LIBS and LDFLAGS.
#
#   make bench-classify   accuracy of rules, model and both on the held-out
#                         fixtures (tests/fixtures/classify/heldout)
#   make classify-model   retrain models/doctype.model on the train split
#   make classify-corpus  regenerate tests/fixtures/classify (python3)

.PHONY: bench-classify classify-model classify-corpus

$(BUILD)/classify_bench: tests/bench/classify.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJ) $(LIBS) $(LDFLAGS)

bench-classify: $(BUILD)/classify_bench
	@$(BUILD)/classify_bench models/doctype.rules models/doctype.model \
		tests/fixtures/classify/heldout

classify-model: $(BUILD)/classify_bench
	@$(BUILD)/classify_bench --train tests/fixtures/classify/train models/doctype.model

classify-corpus:
	@python3 tests/fixtures/gen_classify.py
