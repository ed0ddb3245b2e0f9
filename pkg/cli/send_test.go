package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/letter"
)

// fakePrompter answers prompts as a person would and records what was asked.
type fakePrompter struct {
	fill    letter.Signer
	confirm bool
	asked   []string
}

func (p *fakePrompter) Signer(_ context.Context, s *letter.Signer, _ bool) error {
	p.asked = append(p.asked, "signer")
	if s.Name == "" {
		s.Name = p.fill.Name
	}
	if s.City == "" {
		s.City = p.fill.City
	}
	if s.Country == "" {
		s.Country = p.fill.Country
	}
	return nil
}

func (p *fakePrompter) Confirm(_ context.Context, q, _, _ string) (bool, error) {
	p.asked = append(p.asked, "confirm: "+q)
	return p.confirm, nil
}

// testCampaign is a campaign without quiet hours, so a test sends at any
// time of day, written to a temp dir.
func testCampaign(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	yaml := `id: test-send
title: Test send
organizer: Example Org
started: 2026-01-01
summary: s
background: b
facts: [f]
asks: [a]
target:
  name: Minister
  title: Minister
  organization: Ministry of Justice
  address: [Somewhere 1]
  timezone: Europe/Berlin
  fax:
    - {number: "+12025550142", label: A, fictitious: true}
languages: {es: es.tmpl}
contact: campaigns@example.org
limits: {calls_per_number: 1, per_number_per_hour: 600, max_attempts_per_number: 2}
`
	tmpl := "{{.Sender.City}}, {{.Date}}\n\nSeñor Ministro:\n\nLibere a los defensores.\n\n{{.Sender.Name}}\n"
	if err := os.WriteFile(filepath.Join(dir, "campaign.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "es.tmpl"), []byte(tmpl), 0o644); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "campaign.yaml")
}

func sendOpts(t *testing.T, tty bool, p Prompter) (*SendOptions, *Factory) {
	f, _, _ := testFactory(t, tty)
	f.CampaignRef = testCampaign(t)
	opts := &SendOptions{Prompter: p, Paper: "a4", Poll: 10 * time.Millisecond}
	f.sendOptions(opts)
	return opts, f
}

func TestSendOneSignerPromptsOnlyOnATerminal(t *testing.T) {
	forBoth(t, func(t *testing.T, tty bool) {
		p := &fakePrompter{fill: letter.Signer{Name: "José Pérez", City: "Berlín", Country: "Alemania"}, confirm: true}
		opts, f := sendOpts(t, tty, p)
		err := sendRun(context.Background(), opts)
		if !tty {
			if ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), "missing name, city, country") {
				t.Fatalf("piped: err = %v, want usage error naming the fields", err)
			}
			if len(p.asked) != 0 {
				t.Errorf("piped: asked %v, want no prompts", p.asked)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(p.asked) != 2 || p.asked[0] != "signer" || !strings.HasPrefix(p.asked[1], "confirm: Fax this letter to Ministry of Justice") {
			t.Errorf("asked %q, want the details then one confirmation", p.asked)
		}
		errOut := ansi.Strip(f.IO.ErrOut.(interface{ String() string }).String())
		if !strings.Contains(errOut, "Libere a los defensores.") || !strings.Contains(errOut, "José Pérez") {
			t.Errorf("the letter was not shown before confirming:\n%s", errOut)
		}
		if !strings.Contains(errOut, "delivered José Pérez") {
			t.Errorf("no delivery reported:\n%s", errOut)
		}
	})
}

func TestSendCancelledSendsNothing(t *testing.T) {
	p := &fakePrompter{confirm: false}
	opts, _ := sendOpts(t, true, p)
	opts.Signer = letter.Signer{Name: "Ana", City: "Lima", Country: "Perú"}
	err := sendRun(context.Background(), opts)
	if err != nil || ExitCode(err) != ExitOK {
		t.Fatalf("err = %v (exit %d), want none: no is an answer, not an error", err, ExitCode(err))
	}
	if got := opts.IO.ErrOut.(interface{ String() string }).String(); !strings.Contains(got, "Nothing was sent.") {
		t.Errorf("stderr does not say nothing was sent:\n%s", got)
	}
	if _, err := os.Stat(filepath.Join(opts.DataDir, "outbox")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("outbox exists after a cancelled send: %v", err)
	}
}

func TestSendYesSkipsConfirmation(t *testing.T) {
	p := &fakePrompter{}
	opts, _ := sendOpts(t, true, p)
	opts.Signer = letter.Signer{Name: "Ana", City: "Lima", Country: "Perú"}
	opts.Yes = true
	if err := sendRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if len(p.asked) != 0 {
		t.Errorf("asked %v with --yes", p.asked)
	}
}

func TestParseRate(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"", 0, true}, {"2", 2, true}, {"2/s", 2, true}, {"30/m", 0.5, true}, {"3600/h", 1, true},
		{"fast", 0, false}, {"0/s", 0, false}, {"-1", 0, false}, {"5/d", 0, false},
	}
	for _, tt := range tests {
		got, err := parseRate(tt.in)
		if (err == nil) != tt.ok || (tt.ok && float64(got) != tt.want) {
			t.Errorf("parseRate(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestSendBundledCampaignToOutboxAtNight: the first thing an activist tries
// — the bundled campaign, the default outbox:// — works at any hour: the
// outbox dials nothing, so the target's quiet hours do not hold it back,
// and it says when a real gateway would have dialled.
func TestSendBundledCampaignToOutboxAtNight(t *testing.T) {
	f, _, errOut := testFactory(t, false)
	gt, err := time.LoadLocation("America/Guatemala")
	if err != nil {
		t.Fatal(err)
	}
	f.Now = func() time.Time { return time.Date(2026, 11, 27, 23, 30, 0, 0, gt) } // quiet hours 20:00-08:00
	opts := &SendOptions{Paper: "a4", Yes: true, Wait: 20 * time.Second, Poll: 10 * time.Millisecond,
		Signer: letter.Signer{Name: "Ana Gómez", City: "Lima", Country: "Perú"}}
	f.sendOptions(opts)
	if err := sendRun(context.Background(), opts); err != nil {
		t.Fatalf("send: %v\n%s", err, errOut)
	}
	if !strings.Contains(errOut.String(), "delivered Ana Gómez") {
		t.Errorf("want the letter written to the outbox at once, without waiting for the morning:\n%s", errOut)
	}
	// A rehearsal says what a real gateway would do (issue 13 §19), and so
	// does a dry run through the outbox.
	want := "a real gateway would wait until 08:00 America/Guatemala time (14:00 UTC); the outbox writes the faxes now"
	if !strings.Contains(errOut.String(), want) {
		t.Errorf("the rehearsal does not say %q:\n%s", want, errOut)
	}
	errOut.Reset()
	opts.DryRun, opts.Signer.Name = true, "Luis Pérez"
	if err := sendRun(context.Background(), opts); err != nil {
		t.Fatalf("dry run: %v\n%s", err, errOut)
	}
	if !strings.Contains(errOut.String(), want) {
		t.Errorf("the dry run does not say %q:\n%s", want, errOut)
	}
}

// recorder is a gateway that keeps what it is sent and dials nothing.
type recorder struct {
	mu    sync.Mutex
	faxes []gateway.Fax
}

func (r *recorder) Send(_ context.Context, f gateway.Fax) (gateway.Receipt, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faxes = append(r.faxes, f)
	return gateway.Receipt{ID: f.Key, To: f.To, State: gateway.Delivered}, nil
}

func (r *recorder) Status(_ context.Context, id string) (gateway.Status, error) {
	return gateway.Status{ID: id, State: gateway.Delivered}, nil
}

// TestSendRendersTIFFForDriversThatDeclareIt: whether a fax image is
// rendered follows the driver's declaration, not its name.
func TestSendRendersTIFFForDriversThatDeclareIt(t *testing.T) {
	for _, wants := range []bool{true, false} {
		t.Run(fmt.Sprintf("WantsTIFF=%v", wants), func(t *testing.T) {
			rec := &recorder{}
			reg := gateway.NewRegistry(gateway.Driver{Scheme: "modem", Syntax: "modem://", Offline: true, WantsTIFF: wants,
				Open: func(*url.URL, gateway.Env) (gateway.Gateway, error) { return rec, nil }})
			opts, _ := sendOpts(t, false, &fakePrompter{})
			opts.Gateways = func() *gateway.Registry { return reg }
			opts.Gateway, opts.Yes = "modem://", true
			opts.Signer = letter.Signer{Name: "Ana", City: "Lima", Country: "Perú"}
			if err := sendRun(context.Background(), opts); err != nil {
				t.Fatal(err)
			}
			if len(rec.faxes) != 1 {
				t.Fatalf("%d faxes sent, want 1", len(rec.faxes))
			}
			f := rec.faxes[0]
			if got := len(f.TIFF) > 0; got != wants {
				t.Errorf("fax has a TIFF: %v, want %v", got, wants)
			}
			if wants && !bytes.HasPrefix(f.TIFF, []byte("II*\x00")) {
				t.Errorf("the TIFF does not start as a little-endian TIFF: % x", f.TIFF[:min(8, len(f.TIFF))])
			}
			if !bytes.HasPrefix(f.PDF, []byte("%PDF-")) {
				t.Errorf("no PDF beside it")
			}
		})
	}
}

// TestSendRefusesAJournalInUse: two dispatchers on one journal would each
// poll, retry and reconcile the other's faxes; the second is told who holds
// it (exit 1), while status still reads it.
func TestSendRefusesAJournalInUse(t *testing.T) {
	opts, f := sendOpts(t, false, &fakePrompter{})
	opts.Signer, opts.Yes = letter.Signer{Name: "Ana", City: "Lima", Country: "Perú"}, true
	if err := sendRun(context.Background(), opts); err != nil { // makes the journal
		t.Fatal(err)
	}
	path := filepath.Join(opts.DataDir, "journal.db")
	held, err := journal.Acquire(path) // another faxjam, sending
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()

	opts2, _ := sendOpts(t, false, &fakePrompter{})
	opts2.DataDir, opts2.Signer, opts2.Yes = opts.DataDir, letter.Signer{Name: "Luis", City: "Quito", Country: "Ecuador"}, true
	err = sendRun(context.Background(), opts2)
	want := fmt.Sprintf("journal %s is in use by faxjam pid %d; wait for it or use another --journal", path, os.Getpid())
	if err == nil || err.Error() != want || ExitCode(err) != ExitError {
		t.Fatalf("send while the journal is held: %v (exit %d), want %q (exit 1)", err, ExitCode(err), want)
	}
	for _, so := range []*StatusOptions{{}, {Ref: "1"}, {Export: "csv"}} {
		f.sendOptions(&so.Send)
		so.Send.DataDir = opts.DataDir
		if err := statusRun(context.Background(), so); err != nil {
			t.Errorf("status %+v while a send holds the journal: %v", so, err)
		}
	}
	so := &StatusOptions{Follow: true}
	f.sendOptions(&so.Send)
	so.Send.DataDir, so.Send.Paper, so.Send.Poll = opts.DataDir, "a4", 10*time.Millisecond
	if err := statusRun(context.Background(), so); err == nil || !strings.Contains(err.Error(), "is in use by faxjam pid") {
		t.Errorf("status --follow while a send holds the journal: %v, want refused", err)
	}
}
