# faxjam developer tasks. `make` builds; `make test` is the full suite.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo dev)
DATE    ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)
FUZZTIME ?= 10s

.PHONY: all build test bench fuzz lint startup man clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o faxjam ./cmd/faxjam

# The whole suite. .ci/deps installs the Debian test tools when run as root
# (else it says what is missing, and those tests skip; with CI=true they fail).
test:
	bash .ci/deps
	$(GO) test -race -timeout 30m ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Each fuzz target runs briefly; `go test -fuzz` takes one target per run.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$f"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

# staticcheck at the version .ci/run pins (go run fetches it once).
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2

lint:
	@out=$$(gofmt -l cmd pkg letters); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

# Start-up time of the commands that must feel instant (apt-get install hyperfine).
startup: build
	hyperfine -N --warmup 5 './faxjam version' './faxjam about'

# Man pages, as the release ships them (cmd/faxjam-man keeps their renderer
# out of faxjam).
man:
	rm -rf manpages && $(GO) run ./cmd/faxjam-man -version $(VERSION) manpages

clean:
	rm -rf faxjam dist completions manpages
