# port0 — make runs the main job; make test runs every test. See README.md.
GO       ?= go
BIN      ?= bin/port0
SCENARIO ?= paper
SEED     ?= 1
SCALE    ?= 1e-5
OUT      ?= out
FUZZTIME ?= 30s

.DEFAULT_GOAL := all
.PHONY: all build gen test vet fmt-check bench fuzz testdata help clean

all: gen ## build bin/port0 and run the main job (default scenario into $(OUT)/gen)

build: ## build bin/port0
	$(GO) build -o $(BIN) ./cmd/port0

gen: build ## generate the default scenario into $(OUT)/gen
	$(BIN) gen -scenario $(SCENARIO) -seed $(SEED) -scale $(SCALE) -out $(OUT)/gen

test: vet fmt-check ## run vet, gofmt check and every test (fuzz seed corpora included)
	$(GO) test -count=1 ./...

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
