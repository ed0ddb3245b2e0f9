package cli

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/campaignrun"
	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/petition/store"
	"github.com/faxjam/faxjam/pkg/ui"
)

// brokenPipe is a stdout whose reader went away (faxjam ... --json | head -0).
type brokenPipe struct{}

func (brokenPipe) Write([]byte) (int, error) { return 0, syscall.EPIPE }

// TestRunEngineReportsABrokenPipe: every command that dispatches reports a
// --json stdout it could not write to, instead of exiting 0 with the
// events lost.
func TestRunEngineReportsABrokenPipe(t *testing.T) {
	pipeOpts := func(t *testing.T) (*SendOptions, *Factory) {
		opts, f := sendOpts(t, false, &fakePrompter{})
		f.IO.Out, f.JSON = brokenPipe{}, true
		f.sendOptions(opts)
		return opts, f
	}
	tests := []struct {
		name string
		run  func(t *testing.T) error
	}{
		{"send --json", func(t *testing.T) error {
			opts, _ := pipeOpts(t)
			opts.Signer, opts.Yes = letter.Signer{Name: "Ana", City: "Lima", Country: "Perú"}, true
			return sendRun(context.Background(), opts)
		}},
		{"status --follow --json", func(t *testing.T) error {
			opts, f := pipeOpts(t)
			opts.Signer, opts.Yes = letter.Signer{Name: "Ana", City: "Lima", Country: "Perú"}, true
			opts.IO = ui.New(nil, discard{}, discard{}, f.Getenv) // the send itself prints fine
			opts.JSON = false
			if err := sendRun(context.Background(), opts); err != nil {
				t.Fatal(err)
			}
			so := &StatusOptions{Follow: true}
			f.sendOptions(&so.Send)
			so.Send.Paper, so.Send.Poll = "a4", 10*time.Millisecond
			c, err := so.Send.Campaign(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			// follow alone: the status printed after it would report the
			// pipe on its own.
			return follow(context.Background(), &so.Send, c)
		}},
		{"petition deliver --json", func(t *testing.T) error {
			_, f := pipeOpts(t)
			db := filepath.Join(t.TempDir(), "petition.db")
			st, err := store.OpenSQLite(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := st.Add(context.Background(), store.Signature{Campaign: "test-send", Name: "Ana", City: "Lima", Country: "Perú", Key: "k1", Person: "p1"}); err != nil {
				t.Fatal(err)
			}
			st.Close()
			po := &PetitionOptions{DB: db}
			f.petitionOptions(po)
			po.Send.Paper, po.Send.Poll = "a4", 10*time.Millisecond
			return petitionDeliverRun(context.Background(), po)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run(t)
			if !errors.Is(err, syscall.EPIPE) {
				t.Fatalf("err = %v, want the broken pipe reported", err)
			}
			if ExitCode(err) == ExitOK {
				t.Errorf("exit %d for a lost --json stream", ExitCode(err))
			}
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// TestGatewayWatch: three gateway errors in a row make one warning; a 429
// (the gateway pacing us) is not an outage; an answer re-arms it.
func TestGatewayWatch(t *testing.T) {
	w := gatewayWatch{gateway: "telnyx://***@conn"}
	retry := dispatch.Event{Type: dispatch.EventRetry, Reason: gateway.ReasonGatewayError, Message: "connection refused"}
	var warned []string
	feed := func(evs ...dispatch.Event) {
		for _, ev := range evs {
			if got, ok := w.observe(ev); ok {
				warned = append(warned, got.Message)
			}
		}
	}
	feed(retry, dispatch.Event{Type: dispatch.EventRetry, Reason: gateway.ReasonRateLimited}, retry)
	if len(warned) != 0 {
		t.Fatalf("warned after 2 gateway errors and a 429: %q", warned)
	}
	feed(retry, retry, retry)
	if len(warned) != 1 || !strings.Contains(warned[0], "telnyx://***@conn is not answering (3 tries in a row: connection refused)") {
		t.Fatalf("warnings %q, want one naming the gateway", warned)
	}
	feed(dispatch.Event{Type: dispatch.EventDelivered}, retry, retry, retry)
	if len(warned) != 2 {
		t.Errorf("after the gateway answered, a new outage is not told: %q", warned)
	}
}

// TestTheHubsGatewayKeepsItsOwnRequestTimeout: serve hands the hub its
// gateway wrapped (secrets scrubbed from errors); the engine must still see
// the timeout= the gateway was opened with, or a hub on
// hylafax://…?timeout=5m judges a lost call after the HTTP default (60 s)
// and may fax twice after a crash.
func TestTheHubsGatewayKeepsItsOwnRequestTimeout(t *testing.T) {
	opts, _ := sendOpts(t, false, &fakePrompter{})
	opts.Gateway = "hylafax://fax:secret0pw@127.0.0.1:1?timeout=5m"
	rg, err := openRig(opts, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	defer rg.Close()
	hubs := campaignrun.Opened{Gateway: scrubGateway(rg.Gateway, opts.Secrets), Driver: rg.Driver, Env: rg.Env}
	if got := hubs.RequestTimeout(); got != 5*time.Minute {
		t.Errorf("request timeout through the wrapper = %s, want the gateway's 5m", got)
	}
}
