# folio - build, test, install. See README.md.
#
#   make            build ./folio
#   make deps       install missing Debian packages (as root)
#   make demo       deps + build + ingest the bundled samples + search
#   make check      deps + build + unit and e2e tests, then again under ASan+UBSan,
#                   then each fuzz target briefly (make fuzz-smoke)
#   make bench      throughput vs tesseract CLI and ocrmypdf (bundled scans,
#                   then the shared rendered scans and the invoice photos)
#   make bench-langs   OCR language sets: time vs accuracy
#   make bench-watch   the daemon: sustained pages/min, memory with 10,000 files
#   make bench-search  200,000 synthetic documents: query latency percentiles
#   make bench-extract invoice fields: precision/recall/F1 per field
#   make bench-receipts photographed receipts: date, total, currency F1
#   make bench-ocr     scan preparation: CER vs tesseract per degradation
#   make bench-classify document types: accuracy and confusion matrix
#   make bench-export  invoices/s per export format; e-invoice round trip
#   make bench-verify  folio verify: MB/s of originals re-hashed (a 1 GB store)
#   make bench-mail    IMAP: first sync of 1,000 messages, re-poll bytes and ms
#   make bench-pg      ms/document of ingest into SQLite vs PostgreSQL (text-layer PDFs)
#   make fuzz       libFuzzer targets (tests/fuzz), FUZZ_SECONDS each (default 600),
#                   FUZZ_TARGETS="date qr" for some; results in build-fuzz/results.md
#   make fuzz-smoke each target for FUZZ_SMOKE_SECONDS (default 8), its regressions
#                   replayed (part of make check)
#   make install    PREFIX=/usr/local DESTDIR=

VERSION  := 0.1.0
PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR   := $(PREFIX)/bin
LIBEXECDIR := $(PREFIX)/libexec/folio
DATADIR  := $(PREFIX)/share/folio
MANDIR   := $(PREFIX)/share/man/man1
MAN5DIR  := $(PREFIX)/share/man/man5
COMPDIR  := $(PREFIX)/share/bash-completion/completions
SYSCONFDIR ?= $(PREFIX)/etc

CC       ?= cc
PKGS     := tesseract lept libarchive sqlite3 libpq libxml-2.0 zbar nettle xlsxwriter
# Debian's MuPDF is static-only and its .pc is broken: link by hand.
MUPDF_LIBS := -lmupdf -lmupdf-third -lmujs -lgumbo -ljbig2dec -lopenjp2 -ljpeg \
	      -lharfbuzz -lfreetype -lz -lm

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	    -Wvla -Wformat=2
CFLAGS   ?= -O2 -g
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) -Iinclude -Isrc $(PKG_CFLAGS) \
	     -DFOLIO_VERSION='"$(VERSION)"' -DFOLIO_DATADIR='"$(DATADIR)"' \
	     -DFOLIO_SYSCONFDIR='"$(SYSCONFDIR)"' -DFOLIO_LIBEXECDIR='"$(LIBEXECDIR)"' \
	     -DFOLIO_TESSERACT_VERSION='"$(TESS_VERSION)"' $(CFLAGS)
TESS_VERSION = $(shell pkg-config --modversion tesseract 2>/dev/null)
# GMime (e-mail): its headers and GLib's as system headers, only where used
GMIME_CFLAGS = $(patsubst -I%,-isystem %,$(shell pkg-config --cflags gmime-3.0 2>/dev/null))
GMIME_LIBS = $(shell pkg-config --libs gmime-3.0 2>/dev/null)
# libgsf (Outlook .msg): likewise, in the Outlook decoders only
GSF_CFLAGS = $(patsubst -I%,-isystem %,$(shell pkg-config --cflags libgsf-1 2>/dev/null))
GSF_LIBS = $(shell pkg-config --libs libgsf-1 2>/dev/null)
LIBS     = $(PKG_LIBS) $(MUPDF_LIBS) $(GMIME_LIBS) $(GSF_LIBS) -lcurl -lcrypto -ltiff -lmagic -lpthread
# the lean front (src/cli/main.c): the commands that only read the archive
# (SQLite, and libpq for archives on PostgreSQL)
LEAN_LIBS = -Wl,--as-needed -lsqlite3 $(shell pkg-config --libs libpq 2>/dev/null) -lnettle -lm -lpthread

BUILD    ?= build
LIB_SRC  := $(filter-out src/cli/%,$(wildcard src/*/*.c src/*/*/*.c))
CLI_SRC  := $(wildcard src/cli/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
# run by folio-engine (they decode, OCR or write invoices); the rest in folio
ENGINE_CMDS := ingest watch export fix train note mail backup
LEAN_OBJ := $(BUILD)/src/cli/main-lean.o \
	    $(filter-out $(ENGINE_CMDS:%=$(BUILD)/src/cli/cmd_%.o) $(BUILD)/src/cli/main.o,$(CLI_OBJ))
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps demo check test lint test-asan fuzz fuzz-build fuzz-bins fuzz-smoke bench bench-langs bench-watch bench-search bench-export bench-verify \
	bench-extract bench-receipts bench-ocr bench-mail bench-pg install uninstall clean fixtures

all: folio

folio: $(BUILD)/folio $(BUILD)/folio-engine
	cp $(BUILD)/folio $@
	cp $(BUILD)/folio-engine $@-engine

# folio-engine: every command, the whole stack
$(BUILD)/folio-engine: $(LIB_OBJ) $(CLI_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS) $(LDFLAGS)

# folio: the lean front, linked against an archive of folio's objects so
# that only what the read-only commands call comes in (SQLite, no OCR or
# PDF stack: an undefined reference here means a read path grew a heavy
# dependency); it runs folio-engine for ENGINE_CMDS
$(BUILD)/libfolio.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/src/cli/main-lean.o: src/cli/main.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DFOLIO_LEAN -MMD -MP -c -o $@ $<

$(BUILD)/folio: $(LEAN_OBJ) $(BUILD)/libfolio.a $(BUILD)/folio-engine
	$(CC) $(ALL_CFLAGS) -o $@ $(LEAN_OBJ) $(BUILD)/libfolio.a $(LEAN_LIBS) $(LDFLAGS)

# each object depends on the headers it includes (-MMD writes BUILD/x.d;
# -MP keeps a deleted header from breaking the build)
$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/src/decode/mail.o: ALL_CFLAGS += $(GMIME_CFLAGS)
$(BUILD)/src/decode/outlook.o $(BUILD)/src/decode/mapi.o $(BUILD)/src/decode/tnef.o: \
	ALL_CFLAGS += $(GSF_CFLAGS)

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(BUILD)/src/cli/main-lean.d

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJ) tests/unit/t.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(LIB_OBJ) $(LIBS) $(LDFLAGS) $(TEST_LDFLAGS)

# the allocation-failure test counts and fails folio's own allocations
$(BUILD)/tests/test_alloc_fail: TEST_LDFLAGS = -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc \
	-Wl,--wrap=strdup,--wrap=strndup

unit-bins: $(TEST_BIN) $(BUILD)/folio

deps:
	@sh tests/deps.sh

demo: deps
	@$(MAKE) --no-print-directory folio
	@sh tests/demo.sh

# The test suite: a normal build, an ASan+UBSan build of everything, then
# the fuzz targets' seeds, regressions and a few seconds of fuzzing each.
check: deps
	@$(MAKE) --no-print-directory test
	@$(MAKE) --no-print-directory test-asan
	@$(MAKE) --no-print-directory fuzz-smoke

test: folio
	@$(MAKE) --no-print-directory unit-bins
	@$(MAKE) --no-print-directory lint
	@sh tests/run.sh $(BUILD)

# Static checks: no include against the data flow (tests/layering.sh),
# the layout of .clang-format (Debian's clang-format 14; hand-aligned
# tables are fenced with clang-format off/on), cppcheck's warnings
# (MuPDF's exception macros spelled out for it).
FORMAT_SRC = $(wildcard src/*/*.[ch] src/*/*/*.[ch] include/folio/*.h tests/unit/*.[ch] \
		tests/fuzz/*.[ch] tests/bench/*.c)
lint:
	@sh tests/layering.sh . $(BUILD)
	@clang-format --dry-run --Werror $(FORMAT_SRC) && echo "clang-format: clean"
	@cppcheck --quiet --enable=warning,portability --inline-suppr --std=c11 \
		-Iinclude -Isrc -D_GNU_SOURCE '-Dfz_try(c)=if(1)' '-Dfz_always(c)=if(1)' \
		'-Dfz_catch(c)=else' --error-exitcode=1 -j2 src && echo "cppcheck: clean"

test-asan:
	@$(MAKE) --no-print-directory BUILD=build-asan \
		CFLAGS='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all' \
		LDFLAGS='-fsanitize=address,undefined' unit-bins
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		FOLIO_TEST_ASAN=1 sh tests/run.sh build-asan

# Fuzzing (tests/fuzz/README.md): clang's libFuzzer with ASan+UBSan. folio's
# own objects are instrumented for coverage; the libraries are not.
FUZZ_CC      ?= clang
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_ALL     := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 8

$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) -Itests/fuzz -fsanitize=fuzzer -o $@ $< $(LIB_OBJ) $(LIBS) $(LDFLAGS)

fuzz-bins: $(FUZZ_ALL:%=$(BUILD)/fuzz_%)

fuzz-build:
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=$(FUZZ_CC) \
		CFLAGS='-O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link' LDFLAGS='$(FUZZ_SAN)' fuzz-bins

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@sh tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz-build
	@sh tests/fuzz/smoke.sh build-fuzz $(FUZZ_SMOKE_SECONDS) $(FUZZ_ALL)

bench: deps folio
	@sh tests/bench/deps.sh
	@sh tests/bench/bench.sh
	@sh tests/bench/ocr_speed.sh $(CURDIR)/folio

bench-watch: deps folio
	@sh tests/bench/deps.sh
	@sh tests/bench/watch.sh

$(BUILD)/search_bench: tests/bench/search_bench.c $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJ) $(LIBS) $(LDFLAGS)

# BENCH_DOCS=200000 by default (about 5 minutes to build on this machine)
bench-search: deps $(BUILD)/search_bench $(BUILD)/folio
	@rm -rf $(BUILD)/bench-search-archive
	@$(BUILD)/search_bench $(BUILD)/bench-search-archive $(or $(BENCH_DOCS),200000) \
		$(BUILD)/folio $(BUILD)/folio-engine

$(BUILD)/export_bench: tests/bench/export_bench.c $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJ) $(LIBS) $(LDFLAGS)

# export speed on 10,000 archived invoices per format, then the round trip
# of the shared e-invoices (ingest, export, ingest the export, compare)
bench-export: deps folio $(BUILD)/export_bench
	@rm -rf $(BUILD)/bench-export-archive
	@$(BUILD)/export_bench $(BUILD)/bench-export-archive $(or $(BENCH_INVOICES),10000)
	@sh tests/bench/roundtrip.sh

$(BUILD)/ocr_driver: tests/bench/ocr_driver.c $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJ) $(LIBS) $(LDFLAGS)

# page preparation: CER and word recall vs the tesseract CLI per degradation
bench-ocr: deps $(BUILD)/ocr_driver $(BUILD)/folio
	@sh tests/bench/deps.sh
	@sh tests/bench/ocr.sh $(BUILD)/ocr_driver

# invoice fields vs ground truth (tests/fixtures/invoices, ../shared e-invoices)
bench-extract: deps folio
	@sh tests/bench/deps.sh python3 poppler-utils python3-reportlab fonts-dejavu-core \
		python3-numpy python3-pil
	@sh tests/bench/extract.sh

# till receipts made by tests/bench/make_receipts.py: dev and held-out splits
bench-receipts: deps folio
	@sh tests/bench/deps.sh
	@FOLIO=$(CURDIR)/folio sh tests/bench/receipts.sh

bench-verify: deps folio
	@sh tests/bench/verify.sh

# BENCH_MAILS=1000 by default
bench-mail: deps folio
	@FOLIO=$(CURDIR)/folio sh tests/bench/mail.sh

# BENCH_PG_COPIES=100 by default (500 documents)
bench-pg: deps folio
	@FOLIO=$(CURDIR)/folio sh tests/bench/pg.sh

bench-langs: deps folio
	@sh tests/bench/deps.sh python3
	@sh tests/bench/langs.sh

fixtures:
	@sh tests/fixtures/make-fixtures.sh

include tests/bench/classify.mk

install: folio
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/models $(DESTDIR)$(MANDIR) \
		$(DESTDIR)$(COMPDIR) $(DESTDIR)$(SYSCONFDIR)/folio $(DESTDIR)$(LIBEXECDIR)
	install -m 755 folio $(DESTDIR)$(BINDIR)/folio
	install -m 755 folio-engine $(DESTDIR)$(LIBEXECDIR)/folio-engine
	cp -RL models/. $(DESTDIR)$(DATADIR)/models/
	@# the config a person may have edited is never overwritten: the
	@# shipped one always goes beside it as folio.conf.dist
	install -m 644 config/folio.conf $(DESTDIR)$(SYSCONFDIR)/folio/folio.conf.dist
	[ -e $(DESTDIR)$(SYSCONFDIR)/folio/folio.conf ] || \
		install -m 644 config/folio.conf $(DESTDIR)$(SYSCONFDIR)/folio/folio.conf
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system
	sed -e 's#/usr/local/bin/#$(BINDIR)/#g' -e 's#/usr/local/etc/#$(SYSCONFDIR)/#g' \
		config/folio-watch.service >$(DESTDIR)$(PREFIX)/lib/systemd/system/folio-watch.service
	chmod 644 $(DESTDIR)$(PREFIX)/lib/systemd/system/folio-watch.service
	install -m 644 src/cli/folio.1 $(DESTDIR)$(MANDIR)/folio.1
	install -d $(DESTDIR)$(MAN5DIR)
	install -m 644 src/cli/folio.conf.5 $(DESTDIR)$(MAN5DIR)/folio.conf.5
	install -m 644 src/cli/folio.bash-completion $(DESTDIR)$(COMPDIR)/folio
	install -d $(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 644 src/cli/_folio $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_folio

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/folio $(DESTDIR)$(MANDIR)/folio.1 $(DESTDIR)$(COMPDIR)/folio
	rm -f $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_folio $(DESTDIR)$(MAN5DIR)/folio.conf.5
	rm -rf $(DESTDIR)$(LIBEXECDIR)
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build build-asan build-fuzz folio folio-engine
