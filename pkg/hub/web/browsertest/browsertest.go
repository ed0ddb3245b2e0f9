// Package browsertest drives the signing page in a real headless Chromium
// for tests: Debian's chromium started by chromedp with the flags a closed
// network needs, axe-core (from .ci/node) injected to check accessibility,
// and screenshots at phone and laptop widths that fail when blank or when
// the page scrolls sideways. Flow is the signing page's whole journey, used
// by web's own tests (in-memory backend) and by the hub's (the real hub and
// the linesim). A missing chromium or axe-core goes through pkg/testtool:
// a failure on CI, a skip with install advice elsewhere. Tests only.
package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/faxjam/faxjam/pkg/testtool"
)

// Browser is one headless Chromium with one tab.
type Browser struct {
	t   testing.TB
	Ctx context.Context
	JS  bool
	axe string // axe.min.js, or "" when JS is off
}

// New starts Chromium (JavaScript on or off) for the test's lifetime.
func New(t testing.TB, js bool) *Browser {
	t.Helper()
	exe := testtool.Need(t, "chromium", "chromium", "/usr/bin/chromium")
	b := &Browser{t: t, JS: js}
	if js {
		b.axe = axeSource(t)
	}
	// Without these flags Chromium on a closed network waits on
	// background services (QUIC probes, component updates, sync).
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelB(); cancelA() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("chromium: %v", err)
	}
	b.Ctx = ctx
	if !js {
		if err := b.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		})); err != nil {
			t.Fatalf("disable JavaScript: %v", err)
		}
	}
	return b
}

// ShotsDir is where screenshots go: $FAXJAM_SHOTS (kept, to look at) or a
// temporary folder of the test.
func ShotsDir(t testing.TB) string {
	if d := os.Getenv("FAXJAM_SHOTS"); d != "" {
		d = filepath.Join(d, strings.ReplaceAll(t.Name(), "/", "_"))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

func (b *Browser) do(steps ...chromedp.Action[chromedp.Void]) error {
	ctx := b.Ctx
	if ctx == nil {
		return fmt.Errorf("no browser")
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	return chromedp.Do(ctx, steps...)
}

// Do runs steps, failing the test on error.
func (b *Browser) Do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := b.do(steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// Text is the text of the first element matching sel.
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// Attr is an attribute of the first element matching sel.
func (b *Browser) Attr(sel, name string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 30*time.Second)
	defer cancel()
	a, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		b.t.Fatalf("attribute %s of %s: %v", name, sel, err)
	}
	return a.Value
}

// URL is the tab's address.
func (b *Browser) URL() string {
	b.t.Helper()
	u, err := chromedp.Run(b.Ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	return u
}

// axeSource reads axe-core as .ci/deps installs it (npm ci in .ci/node).
func axeSource(t testing.TB) string {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("browsertest: no go.mod above the test's folder")
		}
		dir = up
	}
	return string(testtool.File(t, filepath.Join(dir, ".ci/node/node_modules/axe-core/axe.min.js"), "axe-core (cd .ci/node && npm ci)"))
}

// Violation is one of axe-core's findings.
type Violation struct {
	ID, Impact, Help string
	Nodes            []struct {
		Target []string `json:"target"`
	}
}

// Violations runs axe-core (WCAG 2.0–2.2 A and AA rules and best
// practice) on the page as it is.
func (b *Browser) Violations() []Violation {
	b.t.Helper()
	// DevTools evaluation is not bound by the page's CSP (script-src 'none').
	run := b.axe + `;axe.run(document, {runOnly: {type: "tag", values: ["wcag2a","wcag2aa","wcag21a","wcag21aa","wcag22aa","best-practice"]}, resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations))`
	ctx, cancel := context.WithTimeout(b.Ctx, 60*time.Second)
	defer cancel()
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](run, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("axe: %v", err)
	}
	var vs []Violation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		b.t.Fatalf("axe result: %v", err)
	}
	return vs
}

// Axe fails the test on any serious or critical violation axe-core finds
// on the page, and logs the others. With JavaScript off it cannot run and
// says so (the run with JavaScript on checks the same pages).
func (b *Browser) Axe(what string) {
	b.t.Helper()
	if !b.JS {
		b.t.Logf("%s: axe-core needs JavaScript; checked in the run with it on", what)
		return
	}
	vs := b.Violations()
	b.t.Logf("%s: axe-core found %d violations", what, len(vs))
	for _, v := range vs {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, strings.Join(n.Target, " "))
		}
		msg := fmt.Sprintf("%s: axe %s (%s): %s at %s", what, v.ID, v.Impact, v.Help, strings.Join(where, ", "))
		if v.Impact == "serious" || v.Impact == "critical" {
			b.t.Error(msg)
		} else {
			b.t.Log(msg)
		}
	}
}

// ScriptsRun reports whether the page's own scripts run: a <noscript>
// element is rendered (has a layout box) only when they do not.
func (b *Browser) ScriptsRun(url string) bool {
	b.t.Helper()
	b.Do("open "+url, chromedp.Navigate(url))
	ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
	defer cancel()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.getElementById("ran") ? 1 : 0`))
	if err != nil {
		b.t.Fatalf("scripts: %v", err)
	}
	return n == 1
}

// Screenshots writes the page at 390 px (a phone) and 1280 px wide into
// dir as name-390.png and name-1280.png, failing when one is blank or the
// page is wider than the window (it would scroll sideways). The window is
// left at 1280 px.
func (b *Browser) Screenshots(dir, name string) []string {
	b.t.Helper()
	var files []string
	for _, w := range []int64{390, 1280} {
		mobile := w < 600
		b.Do("viewport", chromedp.EmulateViewport(w, 844, func(p *emulation.SetDeviceMetricsOverrideParams, _ *emulation.SetTouchEmulationEnabledParams) {
			p.Mobile = mobile
		}))
		ctx, cancel := context.WithTimeout(b.Ctx, 30*time.Second)
		m, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) (page.GetLayoutMetricsResult, error) {
			return cdp.Call(ctx, t, page.GetLayoutMetrics, cdp.Empty{})
		})
		if err != nil {
			cancel()
			b.t.Fatalf("layout metrics: %v", err)
		}
		if m.CSSContentSize.Width > float64(m.CSSLayoutViewport.ClientWidth)+0.5 {
			b.t.Errorf("%s at %d px: the page is %.0f px wide and scrolls sideways", name, w, m.CSSContentSize.Width)
		}
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		cancel()
		if err != nil {
			b.t.Fatalf("screenshot: %v", err)
		}
		if blank(shot) {
			b.t.Errorf("%s at %d px: the screenshot is blank", name, w)
		}
		f := filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, w))
		if err := os.WriteFile(f, shot, 0o644); err != nil {
			b.t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// blank reports whether a PNG is one colour (or unreadable), or has almost
// no ink: a page that failed to render or to load its style.
func blank(p []byte) bool {
	img, err := png.Decode(bytes.NewReader(p))
	if err != nil {
		return true
	}
	r := img.Bounds()
	if r.Dx() < 100 || r.Dy() < 100 {
		return true
	}
	first := img.At(r.Min.X, r.Min.Y)
	fr, fg, fb, _ := first.RGBA()
	differ, total := 0, 0
	for y := r.Min.Y; y < r.Max.Y; y += 3 {
		for x := r.Min.X; x < r.Max.X; x += 3 {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			total++
			if cr != fr || cg != fg || cb != fb {
				differ++
			}
		}
	}
	return differ*200 < total // less than 0.5 % of the page differs
}
