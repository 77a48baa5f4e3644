# port0 — make runs the main job; make test runs every test. See README.md.
GO       ?= go
BIN      ?= bin/port0
BEAM_BIN ?= bin/port0-beam
SCENARIO ?= paper
SEED     ?= 1
SCALE    ?= 1e-5
OUT      ?= out
RESULTS  ?= results
GALLERY  ?= gallery
FUZZTIME ?= 30s
SCALES   ?= 3e-6,1e-5,1e-4,1e-3
SEEDS    ?= 1-4
SWEEP    ?= sweep-results
INPUT    ?=
ASMAP    ?=
STUDY    ?= study-results
MIN_F1      ?= 0.95
MIN_TOOL_F1 ?= 0
# Q=-q silences the steps' progress (the checks below set it).
Q        ?=

.DEFAULT_GOAL := all
.PHONY: FORCE study sweep sweep-check all build beam beam-sdk beam-analyze beam-test gen analyze validate experiments figures report gallery figures-check test gotest duckdb-test validate-check vet fmt-check bench bench-compare fuzz update-golden testdata compare help clean

all: report ## the main job: generate, analyze and validate in $(OUT)/, then experiments, figures and $(RESULTS)/REPORT.md, ending with its verdict line (make beam builds $(BEAM_BIN))

build: $(BIN) ## build bin/port0

# The binary is rewritten only when its bytes change (Go builds are
# reproducible), so that the steps below, file targets that depend on it,
# rerun only when the program or the run's parameters changed.
$(BIN): FORCE
	@mkdir -p $(dir $(BIN))
	$(GO) build -buildvcs=auto -o $(BIN).new ./cmd/port0
	@if cmp -s $(BIN).new $(BIN); then rm $(BIN).new; else mv $(BIN).new $(BIN); fi

# $(OUT)/params holds the run's parameters; it changes when they do.
PARAMS = scenario=$(SCENARIO) seed=$(SEED) scale=$(SCALE)
$(OUT)/params: FORCE
	@mkdir -p $(OUT)
	@echo '$(PARAMS)' | cmp -s - $@ || echo '$(PARAMS)' > $@

FORCE:

# beam/sdk.sh makes beam/.sdk, the Beam module beam/go.mod's replace
# directive names: links to the module cache plus port0's files that make
# Prism listen on loopback only (beam/_prism); every go command in beam/
# needs it.
beam-sdk:
	@beam/sdk.sh

beam: beam-sdk ## build bin/port0-beam, the study as an Apache Beam pipeline (beam/, its own module; Prism in-process by default, on loopback only)
	cd beam && $(GO) build -buildvcs=auto -o ../$(BEAM_BIN) ./cmd/port0-beam

beam-analyze: beam analyze ## run the study of $(OUT)/gen on Prism in-process into $(OUT)/beam and diff it against $(OUT)/analysis
	rm -rf $(OUT)/beam && $(BEAM_BIN) -q -out $(OUT)/beam $(OUT)/gen 2> $(OUT)/beam.log || { tail -20 $(OUT)/beam.log; exit 1; }
	diff -r $(OUT)/analysis $(OUT)/beam && echo "beam-analyze: $$(ls $(OUT)/beam | wc -l) files byte-identical to $(OUT)/analysis"

study: build ## the port-0 study of your own captures: make study INPUT="capture.pcap folder/ ..." [ASMAP=pfx2as-or.mmdb] [STUDY=study-results]: analysis, the 16 analyses beside the published findings, figures and $(STUDY)/REPORT.md
	@test -n "$(INPUT)" || { echo 'make study: name your captures: make study INPUT="path/to/capture.pcap path/to/folder" (files, folders; ASMAP=file adds origin ASes)'; exit 2; }
	$(BIN) study -out $(STUDY) $(if $(ASMAP),-asmap $(ASMAP)) $(INPUT)

gen: $(OUT)/gen/manifest.json ## generate the default scenario into $(OUT)/gen (again only when the program or SCENARIO, SEED, SCALE changed)
$(OUT)/gen/manifest.json: $(BIN) $(OUT)/params
	$(BIN) gen $(Q) -scenario $(SCENARIO) -seed $(SEED) -scale $(SCALE) -out $(OUT)/gen

analyze: $(OUT)/analysis/summary.json ## analyze $(OUT)/gen into $(OUT)/analysis (summary.json and the CSV tables)
$(OUT)/analysis/summary.json: $(OUT)/gen/manifest.json
	$(BIN) analyze $(Q) -out $(OUT)/analysis $(OUT)/gen

validate: $(OUT)/validate.txt ## score $(OUT)/analysis against the truth in $(OUT)/gen: every class F1 ≥ $(MIN_F1), every tool F1 ≥ $(MIN_TOOL_F1)
	@cat $(OUT)/validate.txt
$(OUT)/validate.txt: $(OUT)/analysis/summary.json
	$(BIN) validate -min-f1 $(MIN_F1) -min-tool-f1 $(MIN_TOOL_F1) -truth $(OUT)/gen -analysis $(OUT)/analysis > $@.tmp || { cat $@.tmp; rm -f $@.tmp; exit 1; }
	@mv $@.tmp $@

experiments: $(RESULTS)/experiments.txt ## rerun the paper's 16 analyses on $(OUT)/ into $(RESULTS)/NAME/ (tables, targets)
$(RESULTS)/experiments.txt: $(OUT)/validate.txt
	@mkdir -p $(RESULTS)
	$(BIN) experiments $(Q) -out $(RESULTS) -seed $(SEED) -scale $(SCALE) -scenario $(SCENARIO) -gen $(OUT)/gen -analysis $(OUT)/analysis > $@.tmp || { cat $@.tmp; rm -f $@.tmp; exit 1; }
	@mv $@.tmp $@

figures: $(RESULTS)/figures.txt ## draw every figure from the tables into $(RESULTS)/figures (PNG and SVG)
$(RESULTS)/figures.txt: $(RESULTS)/experiments.txt
	$(BIN) figures $(Q) -in $(RESULTS) -out $(RESULTS)/figures > $@.tmp
	@mv $@.tmp $@

report: $(RESULTS)/figures.txt ## write $(RESULTS)/REPORT.md and print its verdict; fails if an experiment misses a target
	$(BIN) report -in $(RESULTS)

gallery: ## redraw the default run's figures into $(GALLERY)/ and README's study figure into docs/figures/ (commit them; make figures-check compares)
	$(MAKE) report SCENARIO=paper SEED=1 SCALE=1e-5
	rm -rf $(GALLERY) && mkdir -p $(GALLERY) && cp $(RESULTS)/figures/*.png $(RESULTS)/figures/*.svg $(GALLERY)/
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && $(BIN) study -q -out $$tmp/study testdata/realtools/real_tools.pcap > /dev/null && \
	for x in png svg; do cp $$tmp/study/figures/init_ttl.$$x docs/figures/study-realtools-init_ttl.$$x; done

figures-check: build ## rerun the default study in a temp folder (make figures) and fail if a figure differs by one byte from $(GALLERY)/
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(MAKE) -s --no-print-directory figures OUT=$$tmp/out RESULTS=$$tmp/results SCENARIO=paper SEED=1 SCALE=1e-5 Q=-q > /dev/null && \
	if diff -r $(GALLERY) $$tmp/results/figures; then echo "figures-check: $$(ls $(GALLERY) | wc -l) files byte-identical to $(GALLERY)/"; \
	else echo "figures-check: the figures differ from $(GALLERY)/ (if the change is intended: make gallery, and review the images)"; exit 1; fi && \
	$(BIN) study -q -out $$tmp/study testdata/realtools/real_tools.pcap > /dev/null && \
	for x in png svg; do cmp $$tmp/study/figures/init_ttl.$$x docs/figures/study-realtools-init_ttl.$$x || { echo "figures-check: README's study figure differs (if intended: make gallery)"; exit 1; }; done && \
	echo "figures-check: README's study figure (port0 study of testdata/realtools) byte-identical"

sweep: build ## rerun the study over SCALES × SEEDS into $(SWEEP)/: SWEEP.md, verdicts.csv, verdicts.png; fails if a target FAILs in some run (1e-3 needs ~2.5 min and ~25 GB of disk a run, freed after it)
	$(BIN) sweep -out $(SWEEP) -scales $(SCALES) -seeds $(SEEDS)

sweep-check: build ## a reduced sweep (two scales, one seed the rules were not developed on): no target may FAIL
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	{ $(BIN) sweep -q -out $$tmp -scales 3e-6,1e-5 -seeds 6 -project 1e-3 > $$tmp/sweep.txt; rc=$$?; cat $$tmp/sweep.txt; exit $$rc; }

test: vet fmt-check gotest beam-test duckdb-test validate-check figures-check sweep-check ## run vet, gofmt check, every test (fuzz seed corpora included), the Beam pipeline's tests, the DuckDB read-back, a CLI validation, the figure gallery check and a reduced sweep

gotest:
	$(GO) test -count=1 ./...

beam-test: beam-sdk ## the Beam pipeline's tests (beam/, its own module): byte-identical to analyze on Prism in-process and through port0-beam's Prism job server on loopback (LOOPBACK and PROCESS workers)
	cd beam && $(GO) test -count=1 ./...

duckdb-test: ## read every Parquet table back with DuckDB and compare it with the CSV (duckdbtest/, its own module: cgo, gcc)
	cd duckdbtest && CGO_ENABLED=1 $(GO) test -count=1 ./...

validate-check: build ## make validate, paper and wild, on seeds the rules were not developed on: every class F1 ≥ 0.95, every tool F1 ≥ 0.95
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	for run in paper:5:2e-6 wild:13:2e-6 wild:29:1e-4; do \
	  sc=$${run%%:*}; rest=$${run#*:}; seed=$${rest%%:*}; scale=$${rest#*:}; \
	  $(MAKE) -s --no-print-directory validate OUT=$$tmp/$$sc-$$seed SCENARIO=$$sc SEED=$$seed SCALE=$$scale MIN_TOOL_F1=0.95 Q=-q > $$tmp/validate.txt || { cat $$tmp/validate.txt; exit 1; }; \
	  echo "$$sc seed $$seed scale $$scale: $$(tail -1 $$tmp/validate.txt)"; \
	done

vet: beam-sdk ## go vet (the main module, beam/ and duckdbtest/)
	$(GO) vet ./...
	cd beam && $(GO) vet ./...
	cd duckdbtest && CGO_ENABLED=1 $(GO) vet ./...

fmt-check: ## fail if gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

bench: ## run the Go benchmarks (see BENCHMARKS.md); outputs go below PORT0_BENCH_DIR (default /dev/shm when it exists)
	PORT0_BENCH_DIR=$${PORT0_BENCH_DIR-$$(test -d /dev/shm && echo /dev/shm)} $(GO) test -run '^$$' -bench . -benchmem ./...

fuzz: ## run every fuzz target for FUZZTIME each
	@for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 50x -timeout 0 $$pkg || exit 1; \
	  done; \
	done

update-golden: ## rewrite every golden file and generated doc table (each package's go test -update: analyze's goldens, gen's sample, scan's corpus summary, figures, docs/FLOWS.md's tables, docs/CLI.md's flag tables); review the diff before committing
	$(GO) test -count=1 $$(grep -l 'flag.Bool("update"' $$(git ls-files '*_test.go') | xargs -n1 dirname | sort -u | sed 's|^|./|') -update

testdata: ## regenerate the committed captures in testdata/ (see testdata/README.md)
	$(GO) test ./gen -run TestCommittedSample -update
	$(GO) run ./analyze/internal/mkcorpus -out testdata/captures
	$(GO) test ./analyze -run TestGolden -update

bench-compare: ## time port0 analyze of this tree against revision OLD in alternating runs, printing the ratios: make bench-compare OLD=<rev> [RUNS=7] [SCALE=3e-5]
	@test -n "$(OLD)" || { echo 'make bench-compare: name the revision to compare with: make bench-compare OLD=<rev> (e.g. OLD=HEAD~1)'; exit 2; }
	bash scripts/bench-compare.sh $(OLD)

compare: build ## time port0 analyze beside cat, zcat, tcpdump, tshark and gopacket on a ~10 M-packet capture (scripts/compare.sh)
	bash scripts/compare.sh

clean: ## remove build outputs and generated data
	rm -rf bin $(OUT) $(RESULTS) $(SWEEP) $(STUDY)

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'
