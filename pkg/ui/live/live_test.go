package live

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/faxjam/faxjam/pkg/dispatch"
	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/testtool"
	"github.com/faxjam/faxjam/pkg/ui"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden and testdata/run.jsonl")

var t0 = time.Date(2026, 12, 2, 16, 0, 0, 0, time.UTC)

var numbers = []Line{
	{Label: "Despacho", Number: "+50222000001"},
	{Label: "Secretaría General", Number: "+50222000002"},
	{Label: "Fiscalía", Number: "+50222000003"},
}

// script is fifty minutes of a bulk run to three numbers as the engine
// reports it: Despacho answers every call, Secretaría is often busy (and
// was at its last call),
// Fiscalía never answers and is taken out by the circuit breaker; one
// signer goes to the petition, one letter cannot be made. It is written to
// testdata/run.jsonl in the JSON Lines `faxjam send --json` prints.
func script() []dispatch.Event {
	var evs []dispatch.Event
	at := func(d time.Duration, ev dispatch.Event) {
		ev.Time = t0.Add(d)
		evs = append(evs, ev)
	}
	names := []string{"Ana Gómez", "Luis Rojas", "Marta Díaz", "Jorge Pérez", "Sofía Ruiz", "Pedro Sánchez", "Lucía Torres", "Diego Ramos"}
	const n = 60
	key := func(i int) string { return fmt.Sprintf("k%02d", i) }
	name := func(i int) string { return fmt.Sprintf("%s %d", names[i%len(names)], i) }
	for i := range n {
		at(0, dispatch.Event{Type: dispatch.EventQueued, Key: key(i), Name: name(i)})
	}
	at(time.Second, dispatch.Event{Type: dispatch.EventRejected, Key: key(59), Name: name(59), Message: "letter: too long"})
	// Fiscalía: three calls that ring out, then down for 20 minutes.
	for i := range 3 {
		d := time.Duration(i)*3*time.Minute + 2*time.Second
		at(d, dispatch.Event{Type: dispatch.EventSubmitted, Key: key(50 + i), Name: name(50 + i), Number: numbers[2].Number, Attempt: 1, VendorID: fmt.Sprintf("v%d", 50+i)})
		at(d+90*time.Second, dispatch.Event{Type: dispatch.EventFailed, Key: key(50 + i), Name: name(50 + i), Number: numbers[2].Number, Attempt: 1, Reason: gateway.ReasonNoAnswer})
	}
	at(8*time.Minute, dispatch.Event{Type: dispatch.EventNumberDown, Number: numbers[2].Number, Reason: gateway.ReasonNoAnswer, Until: t0.Add(68 * time.Minute)})
	// Despacho: a fax every 70 s; Secretaría: every third call busy.
	i := 0
	for d := 5 * time.Second; d < 49*time.Minute; d += 70 * time.Second {
		at(d, dispatch.Event{Type: dispatch.EventSubmitted, Key: key(i), Name: name(i), Number: numbers[0].Number, Attempt: 1, VendorID: "v" + key(i)})
		at(d+62*time.Second, dispatch.Event{Type: dispatch.EventDelivered, Key: key(i), Name: name(i), Number: numbers[0].Number, Attempt: 1, VendorID: "v" + key(i)})
		i++
	}
	at(49*time.Minute+20*time.Second, dispatch.Event{Type: dispatch.EventSubmitted, Key: key(i), Name: name(i), Number: numbers[0].Number, Attempt: 1, VendorID: "v" + key(i)})
	i++
	for c, d := 0, 10*time.Second; d < 50*time.Minute; c, d = c+1, d+3*time.Minute {
		if c%3 == 2 {
			at(d, dispatch.Event{Type: dispatch.EventFailed, Key: key(i), Name: name(i), Number: numbers[1].Number, Attempt: 1, Reason: gateway.ReasonBusy})
			continue
		}
		at(d, dispatch.Event{Type: dispatch.EventSubmitted, Key: key(i), Name: name(i), Number: numbers[1].Number, Attempt: 1, VendorID: "v" + key(i)})
		at(d+65*time.Second, dispatch.Event{Type: dispatch.EventDelivered, Key: key(i), Name: name(i), Number: numbers[1].Number, Attempt: 1, VendorID: "v" + key(i)})
		i++
	}
	at(49*time.Minute+40*time.Second, dispatch.Event{Type: dispatch.EventFailed, Key: key(i), Name: name(i), Number: numbers[1].Number, Attempt: 1, Reason: gateway.ReasonBusy})
	at(30*time.Minute, dispatch.Event{Type: dispatch.EventPetitioned, Key: key(53), Name: name(53)})
	// the engine reports in time order
	sortByTime(evs)
	return evs
}

func sortByTime(evs []dispatch.Event) {
	for i := 1; i < len(evs); i++ {
		for j := i; j > 0 && evs[j].Time.Before(evs[j-1].Time); j-- {
			evs[j], evs[j-1] = evs[j-1], evs[j]
		}
	}
}

// recorded reads testdata/run.jsonl (rewriting it from script with
// -update): the events as `faxjam send --json` prints them.
func recorded(t *testing.T) []dispatch.Event {
	t.Helper()
	path := filepath.Join("testdata", "run.jsonl")
	if *update {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		for _, ev := range script() {
			if err := enc.Encode(ev); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var evs []dispatch.Event
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var ev dispatch.Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		evs = append(evs, ev)
	}
	return evs
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	testtool.Golden(t, filepath.Join("testdata", name), got, *update)
}

var guatemala = time.FixedZone("CST", -6*3600)

func replay(t *testing.T) *State {
	st := NewState("norma-cruz-2012", time.Time{}, numbers...)
	// What the journal knew of the numbers when the run began: Despacho
	// answers, Secretaría is often busy, Fiscalía has no record yet.
	st.Lines[0].Health = &journal.NumberStats{Attempts: 50, Delivered: 49, Rate24h: 1, Rate7d: 0.98}
	st.Lines[1].Health = &journal.NumberStats{Attempts: 40, Delivered: 14, Busy: 26, Rate24h: 0.2, Rate7d: 0.35}
	st.Lines[2].Health = &journal.NumberStats{Rate24h: -1, Rate7d: -1}
	for _, ev := range recorded(t) {
		st.Apply(ev)
	}
	return st
}

// TestRenderGolden: the view of the recorded run at 60, 80 and 120
// columns, fifty minutes in.
func TestRenderGolden(t *testing.T) {
	st := replay(t)
	now := t0.Add(50 * time.Minute)
	for _, w := range []int{60, 80, 120} {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			got := Render(st, Options{Width: w, Now: now, Loc: guatemala})
			for i, l := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
				if lw := ansi.StringWidth(l); lw >= w {
					t.Errorf("line %d is %d cells wide at %d columns (it would wrap): %q", i+1, lw, w, l)
				}
			}
			golden(t, fmt.Sprintf("run-%d.golden", w), got)
		})
	}
}

// TestStateFromEvents checks the model itself, so that a golden file
// recorded from a wrong model cannot pass.
func TestStateFromEvents(t *testing.T) {
	st := replay(t)
	now := t0.Add(50 * time.Minute)
	desp, secr, fisc := st.Lines[0], st.Lines[1], st.Lines[2]
	if desp.Delivered != 42 || desp.Failed != 0 || len(desp.InFlight) != 1 || desp.InFlight[0].Since != t0.Add(49*time.Minute+20*time.Second) {
		t.Errorf("Despacho: %d delivered, %d failed, in flight %+v", desp.Delivered, desp.Failed, desp.InFlight)
	}
	if s, _ := secr.StateAt(now); secr.Failed != 6 || secr.Delivered != 12 || s != Busy {
		t.Errorf("Secretaría: %d delivered, %d failed, %s", secr.Delivered, secr.Failed, s)
	}
	if s, until := fisc.StateAt(now); s != Down || !until.Equal(t0.Add(68*time.Minute)) || fisc.Failed != 3 {
		t.Errorf("Fiscalía: %s until %v, %d failed", s, until, fisc.Failed)
	}
	if s, _ := fisc.StateAt(t0.Add(68 * time.Minute)); s != Up {
		t.Errorf("Fiscalía after its down time: %s, want up", s)
	}
	if tl := st.Tally; tl.Total != 60 || tl.Done != 54 || tl.Petitioned != 1 || tl.Failed != 0 || tl.Rejected != 1 || tl.Queued != 4 {
		t.Errorf("tally %+v", tl)
	}
	// The hour before the run began is empty, then 4 or 5 every 5 minutes.
	if got := desp.spark(now); fmt.Sprint(got) != "[0 0 4 4 4 5 4 4 5 4 4 4]" {
		t.Errorf("Despacho sparkline %v", got)
	}
	if got := merge(desp.spark(now), 6); fmt.Sprint(got) != "[0 8 9 8 9 8]" {
		t.Errorf("Despacho sparkline in 6 bars %v", got)
	}
	// The throughput is the pace of the last 15 minutes: the deliveries
	// the script made in them, four times over.
	recent := 0
	for _, ev := range script() {
		if ev.Type == dispatch.EventDelivered && ev.Time.After(now.Add(-15*time.Minute)) && !ev.Time.After(now) {
			recent++
		}
	}
	fig := st.Figures(now)
	if want := float64(recent) * 4; fig.PerHour < want-0.1 || fig.PerHour > want+0.1 {
		t.Errorf("throughput %.1f/h, want %.1f (%d in the last 15 min)", fig.PerHour, want, recent)
	}
	// The ideal counts the lines with a measured time only: Despacho (62 s)
	// and Secretaría (65 s), ~113 an hour; Fiscalía never delivered, so
	// it adds no guess.
	if want := 3600.0/62 + 3600.0/65; fig.IdealPerHour < want-1 || fig.IdealPerHour > want+1 {
		t.Errorf("ideal %.1f/h, want %.1f", fig.IdealPerHour, want)
	}
	if !fig.ETAKnown || fig.ETA <= 0 {
		t.Errorf("ETA %v (known %v) with work queued", fig.ETA, fig.ETAKnown)
	}
}

// TestBusyAndQuiet: a busy answer marks the line until it takes a call;
// quiet hours mark every line until they end, a down line that stays down
// longer keeps its own time.
func TestBusyAndQuiet(t *testing.T) {
	st := NewState("c", t0, numbers...)
	st.Apply(dispatch.Event{Type: dispatch.EventFailed, Key: "a", Number: numbers[0].Number, Reason: gateway.ReasonBusy, Time: t0})
	if got, _ := st.Lines[0].StateAt(t0); got != Busy {
		t.Fatalf("after a busy answer: %s", got)
	}
	st.Apply(dispatch.Event{Type: dispatch.EventSubmitted, Key: "a", Number: numbers[0].Number, Time: t0.Add(time.Minute)})
	if got, _ := st.Lines[0].StateAt(t0); got != Sending || len(st.Lines[0].InFlight) != 1 {
		t.Fatalf("after a call got through: %s, %v", got, st.Lines[0].InFlight)
	}
	st.Apply(dispatch.Event{Type: dispatch.EventNumberDown, Number: numbers[2].Number, Until: t0.Add(5 * time.Hour), Time: t0})
	st.Apply(dispatch.Event{Type: dispatch.EventWaiting, Until: t0.Add(2 * time.Hour), Message: "quiet hours", Time: t0})
	got := Render(st, Options{Width: 80, Now: t0.Add(time.Minute), Loc: time.UTC})
	for _, want := range []string{"sending", "quiet until 18:00", "down until 21:00", "a fax 0s"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in\n%s", want, got)
		}
	}
	// A Rehearsal number the campaign does not list gets its own row.
	st.Apply(dispatch.Event{Type: dispatch.EventDelivered, Key: "b", Number: "+4930123456", Time: t0})
	if l := st.Lines[len(st.Lines)-1]; l.Number != "+4930123456" || l.Delivered != 1 {
		t.Errorf("unlisted number: %+v", l)
	}
}

// TestRenderFitsTheHeight: rows that do not fit are summed up in one line.
func TestRenderFitsTheHeight(t *testing.T) {
	var many []Line
	for i := range 30 {
		many = append(many, Line{Label: fmt.Sprintf("L%d", i), Number: fmt.Sprintf("+1202555%04d", i)})
	}
	st := NewState("c", t0, many...)
	got := Render(st, Options{Width: 80, Height: 20, Now: t0})
	if n := strings.Count(got, "\n"); n > 19 {
		t.Errorf("%d lines at a height of 20:\n%s", n, got)
	}
	if !strings.Contains(got, "… 17 more line(s)") {
		t.Errorf("the hidden rows are not counted:\n%s", got)
	}
}

// TestRenderColour: with colour on, states are styled; without, the text is
// the same with no escape sequences.
func TestRenderColour(t *testing.T) {
	st := replay(t)
	now := t0.Add(50 * time.Minute)
	env := func(string) string { return "" }
	colour := Render(st, Options{Width: 80, Now: now, Loc: guatemala, Styles: ui.NewStyles(&bytes.Buffer{}, true, env)})
	plain := Render(st, Options{Width: 80, Now: now, Loc: guatemala})
	if !strings.Contains(colour, "\x1b[") || strings.Contains(plain, "\x1b[") {
		t.Fatalf("escapes: colour %v, plain %v", strings.Contains(colour, "\x1b["), strings.Contains(plain, "\x1b["))
	}
	if ansi.Strip(colour) != plain {
		t.Errorf("colour and plain differ beyond escapes:\n%s\n%s", ansi.Strip(colour), plain)
	}
}

// TestRejectedIsNotFailed: a letter that could not be made (a rejected
// event of a queued signer) and a row of the list that could not be read
// are counted rejected, as the plain summary counts them, never failed:
// nothing was faxed.
func TestRejectedIsNotFailed(t *testing.T) {
	st := NewState("c", time.Time{})
	st.Apply(dispatch.Event{Type: dispatch.EventQueued, Key: "a", Name: "A"})
	st.Apply(dispatch.Event{Type: dispatch.EventQueued, Key: "b", Name: "B"})
	st.Apply(dispatch.Event{Type: dispatch.EventRejected, Key: "a", Name: "A", Message: "letter: no glyph for 王"})
	st.Apply(dispatch.Event{Type: dispatch.EventRejected, Message: "line 4: name: empty"})
	if tl := st.Tally; tl.Rejected != 2 || tl.Failed != 0 || tl.Queued != 1 || tl.Total != 3 || tl.Finished() != 2 {
		t.Errorf("tally %+v, want 2 rejected, 0 failed, 1 queued of 3", tl)
	}
}

// A rehearsal (the outbox) says so in the view's title, and the note that a
// real gateway would wait for quiet hours does not turn its lines quiet:
// the outbox writes on.
func TestRehearsalIsLabelledAndItsLinesDoNotWaitForQuietHours(t *testing.T) {
	st := NewState("norma-cruz-2012", t0, numbers...)
	st.Rehearsal = true
	st.Apply(dispatch.Event{Type: dispatch.EventWaiting, Time: t0, Until: t0.Add(10 * time.Hour), Message: "rehearsal in the target's quiet hours"})
	for _, l := range st.Lines {
		if got, _ := l.StateAt(t0); got != Up {
			t.Errorf("%s is %s in a rehearsal, want up", l.Label, got)
		}
	}
	out := ansi.Strip(Render(st, Options{Width: 80, Now: t0, Styles: ui.NewStyles(&bytes.Buffer{}, false, func(string) string { return "" })}))
	if !strings.Contains(out, "rehearsal: dials nothing") {
		t.Errorf("the view does not say it is a rehearsal:\n%s", out)
	}
	if strings.Contains(out, "quiet until") {
		t.Errorf("a rehearsal's lines read quiet:\n%s", out)
	}
	real := NewState("norma-cruz-2012", t0, numbers...)
	real.Apply(dispatch.Event{Type: dispatch.EventWaiting, Time: t0, Until: t0.Add(10 * time.Hour)})
	if got, _ := real.Lines[0].StateAt(t0); got != Quiet {
		t.Errorf("a real run waiting for quiet hours shows %s, want quiet", got)
	}
}

// A re-run's rows done by an earlier run count in its total, as already
// done: the totals add up to the rows.
func TestAlreadyDoneRowsCountInTheTotal(t *testing.T) {
	st := NewState("c", t0, numbers...)
	for i := range 3 {
		st.Apply(dispatch.Event{Type: dispatch.EventAlready, Key: fmt.Sprint("a", i), Time: t0})
	}
	for i := range 2 {
		st.Apply(dispatch.Event{Type: dispatch.EventQueued, Key: fmt.Sprint("q", i), Time: t0})
	}
	if tl := st.Tally; tl.Total != 5 || tl.Already != 3 || tl.Queued != 2 || tl.Finished()+tl.Queued != tl.Total {
		t.Fatalf("tally %+v, want 5 = 3 already + 2 queued", tl)
	}
	out := Render(st, Options{Width: 100, Now: t0, Loc: time.UTC})
	if !strings.Contains(out, "Total 5:") || !strings.Contains(out, "3 already done") {
		t.Errorf("the totals do not say 5 rows, 3 already done:\n%s", out)
	}
}
