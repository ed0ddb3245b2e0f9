package dispatch

import (
	"testing"
	"time"
)

// TestAPushBeforeTrackingIsKept: a vendor may push a short fax's end
// before the run has recorded its send and begun to track it; the tracker
// that comes later is woken at once (under load the push was lost and,
// with a long poll, the fax waited for it: TestPushedStatusFreesTheLine
// failed in CI).
func TestAPushBeforeTrackingIsKept(t *testing.T) {
	e := &Engine{}
	if e.Wake("fax-1") {
		t.Fatal("Wake reported a tracker that does not exist")
	}
	ch, done := e.wake.watch("fax-1")
	defer done()
	select {
	case <-ch:
	case <-time.After(time.Second):
		t.Fatal("the early push did not wake the tracker")
	}
	ch2, done2 := e.wake.watch("fax-2")
	defer done2()
	select {
	case <-ch2:
		t.Fatal("a tracker was woken without a push")
	default:
	}
	for i := range maxEarly + 10 {
		e.Wake(string(rune('a' + i%26)))
	}
	if n := len(e.wake.early); n > maxEarly {
		t.Errorf("%d early pushes kept, want at most %d", n, maxEarly)
	}
}
