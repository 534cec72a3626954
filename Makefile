# folio - build, test, install. See README.md.
#
#   make            build ./folio
#   make deps       install missing Debian packages (as root)
#   make demo       deps + build + ingest the bundled samples + search
#   make check      deps + build + unit and e2e tests, then again under ASan+UBSan
#   make bench      throughput vs tesseract CLI and ocrmypdf (bundled scans,
#                   then the shared rendered scans and the invoice photos)
#   make bench-langs   OCR language sets: time vs accuracy
#   make bench-watch   the daemon: sustained pages/min, memory with 10,000 files
#   make bench-search  200,000 synthetic documents: query latency percentiles
#   make bench-extract invoice fields: precision/recall/F1 per field
#   make bench-ocr     scan preparation: CER vs tesseract per degradation
#   make bench-classify document types: accuracy and confusion matrix
#   make bench-export  invoices/s per export format; e-invoice round trip
#   make install    PREFIX=/usr/local DESTDIR=

VERSION  := 0.1.0
PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR   := $(PREFIX)/bin
DATADIR  := $(PREFIX)/share/folio
MANDIR   := $(PREFIX)/share/man/man1
COMPDIR  := $(PREFIX)/share/bash-completion/completions
SYSCONFDIR ?= $(PREFIX)/etc

CC       ?= cc
PKGS     := tesseract lept libarchive sqlite3 libxml-2.0 zbar
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
	     -DFOLIO_SYSCONFDIR='"$(SYSCONFDIR)"' $(CFLAGS)
LIBS     = $(PKG_LIBS) $(MUPDF_LIBS) -ltiff -lmagic -lpthread

BUILD    ?= build
LIB_SRC  := $(filter-out src/cli/%,$(wildcard src/*/*.c))
CLI_SRC  := $(wildcard src/cli/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HDRS     := $(wildcard include/folio/*.h src/*/*.h)

.PHONY: all deps demo check test test-asan bench bench-langs bench-watch bench-search bench-export \
	bench-extract bench-ocr install uninstall clean fixtures

all: folio

folio: $(BUILD)/folio
	cp $< $@

$(BUILD)/folio: $(LIB_OBJ) $(CLI_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS) $(LDFLAGS)

$(BUILD)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJ) tests/unit/t.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(LIB_OBJ) $(LIBS) $(LDFLAGS)

unit-bins: $(TEST_BIN) $(BUILD)/folio

deps:
	@sh tests/deps.sh

demo: deps
	@$(MAKE) --no-print-directory folio
	@sh tests/demo.sh

# The test suite: a normal build, then an ASan+UBSan build of everything.
check: deps
	@$(MAKE) --no-print-directory test
	@$(MAKE) --no-print-directory test-asan

test: folio
	@$(MAKE) --no-print-directory unit-bins
	@sh tests/run.sh $(BUILD)

test-asan:
	@$(MAKE) --no-print-directory BUILD=build-asan \
		CFLAGS='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all' \
		LDFLAGS='-fsanitize=address,undefined' unit-bins
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		FOLIO_TEST_ASAN=1 sh tests/run.sh build-asan

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
bench-search: deps $(BUILD)/search_bench
	@rm -rf $(BUILD)/bench-search-archive
	@$(BUILD)/search_bench $(BUILD)/bench-search-archive $(or $(BENCH_DOCS),200000)

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
	@sh tests/bench/deps.sh python3 poppler-utils
	@sh tests/bench/extract.sh

bench-langs: deps folio
	@sh tests/bench/deps.sh python3
	@sh tests/bench/langs.sh

fixtures:
	@sh tests/fixtures/make-fixtures.sh

include tests/bench/classify.mk

install: folio
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/models $(DESTDIR)$(MANDIR) \
		$(DESTDIR)$(COMPDIR) $(DESTDIR)$(SYSCONFDIR)/folio
	install -m 755 folio $(DESTDIR)$(BINDIR)/folio
	cp -RL models/. $(DESTDIR)$(DATADIR)/models/
	install -m 644 config/folio.conf $(DESTDIR)$(SYSCONFDIR)/folio/folio.conf
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system
	install -m 644 config/folio-watch.service $(DESTDIR)$(PREFIX)/lib/systemd/system/folio-watch.service
	install -m 644 src/cli/folio.1 $(DESTDIR)$(MANDIR)/folio.1
	install -m 644 src/cli/folio.bash-completion $(DESTDIR)$(COMPDIR)/folio

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/folio $(DESTDIR)$(MANDIR)/folio.1 $(DESTDIR)$(COMPDIR)/folio
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build build-asan folio
