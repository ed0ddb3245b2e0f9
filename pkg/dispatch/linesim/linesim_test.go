package linesim

import (
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/gateway"
)

const num = "+12025550142"

func fax(key string) gateway.Fax {
	return gateway.Fax{To: num, PDF: []byte("%PDF"), Key: key, Fictitious: true}
}

func TestLineTakesOneCallAtATime(t *testing.T) {
	s := New(Config{Duration: time.Hour})
	first, err := s.Send(t.Context(), fax("a"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.Send(t.Context(), fax("b"))
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Status(t.Context(), first.ID); st.State != gateway.Sending {
		t.Errorf("first call: %+v, want sending", st)
	}
	if st, _ := s.Status(t.Context(), second.ID); st.State != gateway.Failed || st.Reason != gateway.ReasonBusy {
		t.Errorf("second call while the line is occupied: %+v, want failed busy", st)
	}
	if got := s.Received(); got["a"] != 1 || got["b"] != 0 {
		t.Errorf("received = %v, want only a", got)
	}
}

func TestLineModes(t *testing.T) {
	tests := []struct {
		mode Mode
		want gateway.Reason
	}{
		{NoAnswer, gateway.ReasonNoAnswer},
		{NotAFax, gateway.ReasonNotAFax},
		{Invalid, gateway.ReasonInvalidNumber},
		{On, gateway.ReasonNone},
	}
	for _, tt := range tests {
		s := New(Config{})
		s.SetLine(num, tt.mode)
		rec, err := s.Send(t.Context(), fax("k"))
		if err != nil {
			t.Fatal(err)
		}
		st, err := s.Status(t.Context(), rec.ID)
		if err != nil || st.Reason != tt.want || (tt.mode == On) != (st.State == gateway.Delivered) {
			t.Errorf("mode %d: %+v, %v; want reason %q", tt.mode, st, err, tt.want)
		}
	}
}

func TestFaultsAreDeterministicAndAcceptedTimeoutsAreFound(t *testing.T) {
	run := func() (errs []string, s *Sim) {
		s = New(Config{Seed: 42, Faults: Faults{Rate: 0.5}})
		for i := range 40 {
			_, err := s.Send(t.Context(), fax(string(rune('a'+i))))
			if err != nil {
				errs = append(errs, err.Error())
			} else {
				errs = append(errs, "")
			}
		}
		return errs, s
	}
	a, s := run()
	b, _ := run()
	if len(a) != len(b) {
		t.Fatal("runs differ in length")
	}
	accepted := 0
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("call %d: %q then %q: not deterministic", i, a[i], b[i])
		}
		if a[i] != "" && strings.Contains(a[i], "may have been taken") {
			accepted++
			if _, ok, _ := s.Lookup(t.Context(), string(rune('a'+i))); !ok {
				t.Errorf("call %d timed out after the fax was taken, but Lookup does not find it", i)
			}
		}
	}
	if accepted == 0 {
		t.Error("no accepted timeouts among 40 calls at rate 0.5")
	}
}

func TestRealNetworkRefusesFictitious(t *testing.T) {
	s := New(Config{RealNetwork: true})
	_, err := s.Send(t.Context(), fax("k"))
	if ge, ok := gateway.AsError(err); !ok || ge.Reason != gateway.ReasonFictitious {
		t.Errorf("err = %v, want a fictitious refusal", err)
	}
}
