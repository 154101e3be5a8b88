# metalbird -- non-recursive build.
#
# Each folder adds to the lists below in its own Makefile.inc:
#   DAEMON_SRCS   C sources of metalbird (besides the generated parser/lexer)
#   CLIENT_SRCS   C sources of metalbirdc
#   CONVERT_SRCS  C sources of metalbird-convert
#   GRAMMAR_FRAGS config.y grammar fragments merged into one bison grammar
#   UNIT_TESTS    names N of Check unit tests; each sets N_SRCS (what it links)
#                 and optionally N_LIBS
#   FUZZERS       names F of libFuzzer harnesses; each sets F_SRCS
# Everything is built under obj/; no generated file is committed.

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
DESTDIR ?=
VERSION := 0.1.0

CC ?= cc
O := obj
# The programs: at the top of the tree for the default build (where tests,
# README and the man pages expect them), inside $(O) for any other, so that a
# sanitizer build (O=obj-san) never replaces the normal ones.
BIN := $(if $(filter obj,$(O)),.,$(O))
PROGS := $(BIN)/metalbird $(BIN)/metalbirdc $(BIN)/metalbird-convert
PKGS := libevent jansson libcurl yaml-0.1 libcrypto
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT ?= -O2 -g
SAN ?=
CPPFLAGS += -I. -I$(O) -D_GNU_SOURCE -DMB_VERSION='"$(VERSION)"'
# GCC 12 with -fsanitize=undefined reports vsnprintf(NULL, 0, ...) as a
# truncation: a false positive, so the check is left to the normal build.
SAN_WARN := $(if $(SAN),-Wno-format-truncation)
CFLAGS := $(OPT) $(SAN) -std=gnu11 $(WARN) $(SAN_WARN) $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS := $(SAN) $(EXTRA_LDFLAGS)

DAEMON_SRCS :=
CLIENT_SRCS :=
CONVERT_SRCS :=
GRAMMAR_FRAGS := conf/confbase.y
UNIT_TESTS :=
FUZZERS :=

all: $(PROGS)

include $(sort $(wildcard */Makefile.inc */*/Makefile.inc))

# --- the config grammar: base plus every fragment, merged ---------------
$(O)/cf-parse.y: tools/merge-grammar.awk $(GRAMMAR_FRAGS)
	@mkdir -p $(O)
	awk -f tools/merge-grammar.awk -v out_keywords=$(O)/cf-keywords.h $(GRAMMAR_FRAGS) > $@.tmp
	mv $@.tmp $@

$(O)/cf-keywords.h: $(O)/cf-parse.y
	@test -f $@

$(O)/cf-parse.c $(O)/cf-parse.h &: $(O)/cf-parse.y
	bison -Wall -Werror=conflicts-sr -Werror=conflicts-rr -d -o $(O)/cf-parse.c $<

$(O)/cf-lex.c: conf/cf-lex.l
	@mkdir -p $(O)
	flex -o $@ $<

$(O)/protocols.c: $(GRAMMAR_FRAGS) tools/gen-protocols.sh
	@mkdir -p $(O)
	sh tools/gen-protocols.sh $(PROTOCOLS) > $@.tmp
	mv $@.tmp $@

GEN_SRCS := $(O)/cf-parse.c $(O)/cf-lex.c $(O)/protocols.c
GEN_OBJS := $(GEN_SRCS:.c=.o)

$(O)/cf-lex.o: CFLAGS += -Wno-sign-compare -Wno-unused-function -Wno-missing-prototypes
$(O)/cf-parse.o: CFLAGS += -Wno-missing-prototypes

obj_of = $(patsubst %.c,$(O)/%.o,$(1))

Q := $(if $(V),,@)

$(O)/%.o: %.c | gen-headers
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(O)/%.o: $(O)/%.c | gen-headers
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

.PHONY: gen-headers
gen-headers: $(O)/cf-parse.h $(O)/cf-keywords.h

DAEMON_OBJS := $(call obj_of,$(DAEMON_SRCS)) $(GEN_OBJS)
CLIENT_OBJS := $(call obj_of,$(CLIENT_SRCS))
CONVERT_OBJS := $(call obj_of,$(CONVERT_SRCS))

$(BIN)/metalbird: $(DAEMON_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BIN)/metalbirdc: $(CLIENT_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ -lreadline

$(BIN)/metalbird-convert: $(CONVERT_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

-include $(shell find $(O) -name '*.d' 2>/dev/null)

# --- unit tests (Check) ----------------------------------------------------
define unit_test_rule
$(O)/tests/$(1): $$(call obj_of,$$($(1)_SRCS)) $$(if $$($(1)_GEN),$$(GEN_OBJS))
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(CHECK_LIBS) $$($(1)_LIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_test_rule,$(t))))

$(O)/tests/%.o: CFLAGS += $(CHECK_CFLAGS)

unit: $(addprefix $(O)/tests/,$(UNIT_TESTS))
	@set -e; for t in $(UNIT_TESTS); do echo "== unit $$t"; CK_FORK=yes $(O)/tests/$$t; done

# --- fuzzers (libFuzzer, clang) -------------------------------------------
FUZZ_CC ?= clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -I. -I$(O) -D_GNU_SOURCE -DMB_FUZZ \
	-DMB_VERSION='"$(VERSION)"' $(PKG_CFLAGS)
define fuzz_rule
$(O)/fuzz/$(1): $$($(1)_SRCS) $$(if $$($(1)_GEN),$$(GEN_SRCS)) | gen-headers
	@mkdir -p $$(dir $$@)
	$$(FUZZ_CC) $$(FUZZ_FLAGS) -o $$@ $$^ $$($(1)_LIBS)
endef
$(foreach f,$(FUZZERS),$(eval $(call fuzz_rule,$(f))))

fuzz: $(addprefix $(O)/fuzz/,$(FUZZERS))
	sh tests/fuzz/run $(O) $(FUZZ_SECONDS) $(FUZZERS)
FUZZ_SECONDS ?= 30

# --- the whole suite ------------------------------------------------------
deps:
	sh tools/install-deps

# The whole suite: unit tests (Check), the golden config tests, the
# converter's tests, the documentation checks, then the integration tests,
# whose runner prints the closing "N passed, N failed".
check: deps
	$(MAKE) all
	$(MAKE) unit
	sh tests/conf/run.sh
	sh tests/convert/run.sh
	sh doc/check-docs.sh
	bash tests/integration/run

demo: deps
	$(MAKE) all
	bash tests/demo.sh

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(BIN)/metalbird $(DESTDIR)$(SBINDIR)/metalbird
	install -m 0755 $(BIN)/metalbirdc $(DESTDIR)$(BINDIR)/metalbirdc
	install -m 0755 $(BIN)/metalbird-convert $(DESTDIR)$(BINDIR)/metalbird-convert
	install -m 0644 doc/metalbird.8 doc/metalbirdc.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 doc/metallb.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0644 doc/metalbirdc.bash-completion $(DESTDIR)$(PREFIX)/share/bash-completion/completions/metalbirdc

clean:
	rm -rf $(O) $(PROGS)

.PHONY: all unit fuzz check demo deps install clean
