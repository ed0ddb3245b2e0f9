package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/hub/web/browsertest"
)

// TestSigningPageInChromium walks the whole page in a real headless
// Chromium, with JavaScript on (axe-core checks every step) and off, on
// the in-memory backend; pkg/hub runs the same flow against the real hub
// and the linesim.
func TestSigningPageInChromium(t *testing.T) {
	for _, js := range []bool{true, false} {
		name := "js-off"
		if js {
			name = "js-on"
		}
		t.Run(name, func(t *testing.T) {
			mb := newMemBackend(t)
			h, err := New(Config{Campaign: mb.c, Backend: mb, AdminToken: "admin-token-0123456789", RefreshSeconds: 1})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			b := browsertest.New(t, js)
			if probe := scriptProbe(t); b.ScriptsRun(probe) != js {
				t.Fatalf("JavaScript on = %v, but the probe page's script ran = %v", js, !js)
			}
			shots := browsertest.ShotsDir(t)
			b.Flow(srv.URL, shots, func() { time.AfterFunc(1500*time.Millisecond, mb.deliver) }, 30*time.Second)
			t.Logf("screenshots in %s", shots)
			if mb.count() != 1 {
				t.Errorf("%d actions stored, want 1", mb.count())
			}
		})
	}
}

// scriptProbe serves a page whose inline script marks the document, to
// tell whether the browser runs scripts.
func scriptProbe(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><html lang="en"><title>probe</title><script>document.documentElement.id = "ran"</script></html>`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestAxeFindsViolations: the accessibility check can fail. A page with an
// unlabelled input and no lang attribute must give serious or critical
// violations.
func TestAxeFindsViolations(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><html><title>bad</title><body><input type="text"><p style="color:#bbb">grey</p></body></html>`)
	}))
	defer srv.Close()
	b := browsertest.New(t, true)
	b.ScriptsRun(srv.URL) // navigates there
	serious := map[string]bool{}
	for _, v := range b.Violations() {
		if v.Impact == "serious" || v.Impact == "critical" {
			serious[v.ID] = true
		}
	}
	for _, id := range []string{"label", "html-has-lang", "color-contrast"} {
		if !serious[id] {
			t.Errorf("axe-core did not report %s on a page that breaks it (got %v)", id, serious)
		}
	}
}
