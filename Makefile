# chatident — build and test entry points. `make test` is the one command that
# runs every test of every module (README, CI).

GO      ?= go
MODULES := . middleware/ginmw middleware/echomw examples/gin examples/echo
NPMDIRS := e2e/jsdom e2e/browser

.PHONY: test test-go js-deps go-deps lint vulncheck demo bench fuzz

test: js-deps test-go

# Every module with the race detector, then every test named *Alloc*
# without it (allocation counts mean nothing under the race detector, whose
# sync.Pool drops items on purpose). internal/testsum prints go test's usual
# lines plus one per skipped test and ends with the counts: tests passed,
# failed and skipped, and the skips by reason. It fails the run when a test
# skipped in the race build did not pass in the second pass.
test-go:
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(GO) build -o "$$tmp/testsum" ./internal/testsum || exit 1; \
	status=0; for m in $(MODULES); do \
		echo "== go test -race $$m"; \
		"$$tmp/testsum" -log "$$tmp/log" -C $$m -- $(GO) test -json -race -count=1 ./... || status=1; \
	done; \
	for m in $(MODULES); do \
		echo "== go test -run Alloc $$m (allocation counts, without the race detector)"; \
		"$$tmp/testsum" -log "$$tmp/log" -C $$m -- $(GO) test -json -count=1 -run Alloc ./... || status=1; \
	done; \
	"$$tmp/testsum" -summary "$$tmp/log" || status=1; \
	exit $$status

# Node packages for the end-to-end tests (jsdom, playwright-core, htmx, Turbo),
# installed again when the lockfile is newer than the installed tree. Without npm
# those tests skip and say so, except under CI=true, where a missing npm
# fails here and the tests would fail too (internal/testenv).
js-deps:
	@set -e; for d in $(NPMDIRS); do \
		if [ -f $$d/package-lock.json ] && command -v npm >/dev/null; then \
			if [ ! -d $$d/node_modules ] || [ $$d/package-lock.json -nt $$d/node_modules/.package-lock.json ]; then \
				npm ci --prefix $$d --no-audit --no-fund --loglevel=error; fi; \
		elif [ "$$CI" = true ]; then echo "js-deps: npm is missing and CI=true" >&2; exit 1; fi; \
	done

# Download every module's dependencies (CI does this before testing).
go-deps:
	@set -e; for m in $(MODULES); do (cd $$m && $(GO) mod download); done

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@set -e; for m in $(MODULES); do \
		if [ -f $$m/go.mod ]; then echo "== vet+staticcheck $$m"; (cd $$m && $(GO) vet ./... && staticcheck ./...); fi; \
	done

# Known vulnerabilities in every module (govulncheck, pinned in .ci/run),
# against the public database or, when it cannot be reached, the offline
# snapshot in ../shared/vulndb; VULNDB=URL picks one (see .ci/vulncheck).
# Without a database, or when the scan misses the vulnerability planted in
# .ci/vulncanary, it fails: it never passes without a scan.
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
