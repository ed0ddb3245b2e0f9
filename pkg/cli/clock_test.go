package cli

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestClockFromStartsAtTheTestTimeAndRuns(t *testing.T) {
	now, err := clockFrom("2026-01-15T03:00:00Z", "")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 1, 15, 3, 0, 0, 0, time.UTC)
	first := now()
	if first.Before(start) || first.Sub(start) > time.Minute {
		t.Fatalf("clock starts at %v, want %v", first, start)
	}
	time.Sleep(2 * time.Millisecond)
	if !now().After(first) {
		t.Fatal("the test clock does not advance")
	}
}

func TestClockFromEmptyIsTheRealClock(t *testing.T) {
	now, err := clockFrom("", "")
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(now()); d < 0 || d > time.Minute {
		t.Fatalf("empty FAXJAM_TEST_NOW gave %v, not the real time", now())
	}
}

func TestClockFromRefusesANonTimeNamingTheVariable(t *testing.T) {
	_, err := clockFrom("3am", "")
	if err == nil || !strings.Contains(err.Error(), "FAXJAM_TEST_NOW") || !strings.Contains(err.Error(), `"3am"`) {
		t.Fatalf("err = %v, want one naming FAXJAM_TEST_NOW and the value", err)
	}
}

// Processes anchored at one origin share one clock: a later process reads
// a later time, never the start again.
func TestClockFromAnOriginIsSharedAcrossProcesses(t *testing.T) {
	origin := time.Now().Add(-time.Hour)
	now, err := clockFrom("2026-01-15T03:00:00Z", strconv.FormatInt(origin.UnixNano(), 10))
	if err != nil {
		t.Fatal(err)
	}
	if d := now().Sub(time.Date(2026, 1, 15, 4, 0, 0, 0, time.UTC)); d < 0 || d > time.Minute {
		t.Fatalf("an hour after the origin the clock reads %v, want 04:00", now())
	}
	if _, err := clockFrom("2026-01-15T03:00:00Z", "soon"); err == nil {
		t.Error("a bad origin is accepted")
	}
}
