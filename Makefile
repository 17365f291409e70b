# chatident — build and test entry points. `make test` is the one command that
# runs every test of every module (README, CI).

GO      ?= go
MODULES := . middleware/ginmw middleware/echomw examples/gin examples/echo
NPMDIRS := e2e/jsdom e2e/browser

.PHONY: test test-go js-deps go-deps lint vulncheck demo bench fuzz

test: js-deps test-go

# Every module, with the race detector.
test-go:
	@set -e; for m in $(MODULES); do \
		if [ -f $$m/go.mod ]; then echo "== go test $$m"; (cd $$m && $(GO) test -race -count=1 ./...); fi; \
	done

# Node packages for the end-to-end tests (jsdom, playwright-core). Without npm
# those tests skip and say so; CI installs everything.
js-deps:
	@for d in $(NPMDIRS); do \
		if [ -f $$d/package-lock.json ] && command -v npm >/dev/null; then \
			[ -d $$d/node_modules ] || npm ci --prefix $$d --no-audit --no-fund --loglevel=error; \
		fi; \
	done

# Download every module's dependencies (CI does this before testing).
go-deps:
	@set -e; for m in $(MODULES); do (cd $$m && $(GO) mod download); done

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@set -e; for m in $(MODULES); do \
		if [ -f $$m/go.mod ]; then echo "== vet+staticcheck $$m"; (cd $$m && $(GO) vet ./... && staticcheck ./...); fi; \
	done

# Known vulnerabilities in every module (govulncheck, pinned in .ci/run). It
# needs the Go vulnerability database: without it the check says so and is
# skipped; VULNDB=file:///path points it at a local copy (see .ci/vulncheck).
vulncheck:
	@bash .ci/vulncheck $(MODULES)

# Every fuzz target for FUZZTIME (10s) each, one after another; fails on any
# failing input, which it leaves under the package's testdata/fuzz (.ci/fuzz).
fuzz:
	@bash .ci/fuzz

demo:
	$(GO) run ./examples/demo

bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./inject/ ./middleware/
