# port0 — make runs the main job; make test runs every test. See README.md.
GO       ?= go
BIN      ?= bin/port0
SCENARIO ?= paper
SEED     ?= 1
SCALE    ?= 1e-5
OUT      ?= out
FUZZTIME ?= 30s

.DEFAULT_GOAL := all
.PHONY: all build gen analyze validate experiments test gotest validate-check vet fmt-check bench fuzz testdata help clean

all: validate ## build bin/port0 and run the main job: generate, analyze and validate the default scenario in $(OUT)/

build: ## build bin/port0
	$(GO) build -o $(BIN) ./cmd/port0

gen: build ## generate the default scenario into $(OUT)/gen
	$(BIN) gen -scenario $(SCENARIO) -seed $(SEED) -scale $(SCALE) -out $(OUT)/gen

analyze: gen ## analyze $(OUT)/gen into $(OUT)/analysis (summary.json and the CSV tables)
	$(BIN) analyze -out $(OUT)/analysis $(OUT)/gen

validate: analyze ## score $(OUT)/analysis against the truth in $(OUT)/gen
	$(BIN) validate -truth $(OUT)/gen -analysis $(OUT)/analysis

experiments: build ## rerun the paper's analyses into results/ (tables, figures, REPORT.md); work in progress (issue 5)
	$(BIN) experiments -out results -seed $(SEED) -scale $(SCALE) -scenario $(SCENARIO)

test: vet fmt-check gotest validate-check ## run vet, gofmt check, every test (fuzz seed corpora included) and a CLI validation

gotest:
	$(GO) test -count=1 ./...

validate-check: build ## gen → analyze → validate through the CLI on a seed the rules were not developed on
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(BIN) gen -q -scenario paper -seed 5 -scale 2e-6 -out $$tmp/gen && \
	$(BIN) analyze -q -out $$tmp/analysis $$tmp/gen && \
	{ $(BIN) validate -truth $$tmp/gen -analysis $$tmp/analysis > $$tmp/validate.txt; rc=$$?; tail -1 $$tmp/validate.txt; exit $$rc; }

vet: ## go vet
	$(GO) vet ./...

fmt-check: ## fail if gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

bench: ## run the Go benchmarks (see BENCHMARKS.md)
	$(GO) test -run '^$$' -bench . -benchmem ./...

fuzz: ## run every fuzz target for FUZZTIME each
	@for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

testdata: ## regenerate the committed captures in testdata/ (see testdata/README.md)
	$(GO) test ./gen -run TestCommittedSample -update
	$(GO) run ./analyze/internal/mkcorpus -out testdata/captures

clean: ## remove build outputs and generated data
	rm -rf bin $(OUT)

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'
