package cli

import (
	"context"
	"errors"
	"path/filepath"
	"syscall"
	"testing"
	"time"

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
