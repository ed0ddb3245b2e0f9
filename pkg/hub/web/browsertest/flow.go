package browsertest

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

// Flow is what a person does on the signing page at base, checked at each
// step: open it, send the empty form (errors at their fields, a summary
// linking to them), fill it in and preview the letter (the fax page,
// 1728 px wide), send it and land on the receipt, and wait on that receipt
// (it reloads itself) until it says delivered and shows the faxed page.
// Axe runs on the form, the errors, the preview and the receipt;
// screenshots of each go to shots. onReceipt, if set, runs once the
// receipt is shown (a test without a real dispatcher delivers there).
// It returns the receipt's URL.
func (b *Browser) Flow(base, shots string, onReceipt func(), deliverWithin time.Duration) string {
	t := b.t
	t.Helper()
	b.Do("open the page", chromedp.Navigate(base+"/?lang=en"), chromedp.WaitVisible(chromedp.CSS("#f-name")))
	if h := b.Text("h1"); h == "" {
		t.Error("the page has no title")
	}
	b.keyboard()
	b.Axe("form")
	b.Screenshots(shots, "form")

	// The empty form: errors next to their fields, a summary linking to them.
	b.Do("send the empty form", chromedp.Click(chromedp.CSS("button.primary")), chromedp.WaitVisible(chromedp.CSS(".error-summary")))
	if got := b.Attr(".error-summary a", "href"); got != "#f-name" {
		t.Errorf("the error summary's first link goes to %q, want #f-name", got)
	}
	if d := b.Attr("#f-name", "aria-describedby"); !strings.Contains(d, "e-name") || b.Attr("#f-name", "aria-invalid") != "true" {
		t.Errorf("the name field is not tied to its error (aria-describedby %q)", d)
	}
	if e := b.Text("#e-name"); e == "" {
		t.Error("no error text next to the name field")
	}
	b.Axe("errors")
	b.Screenshots(shots, "errors")

	b.Do("fill in the form",
		chromedp.SendKeys(chromedp.CSS("#f-name"), "Ana López"),
		chromedp.SendKeys(chromedp.CSS("#f-city"), "Quetzaltenango"),
		chromedp.SendKeys(chromedp.CSS("#f-country"), "Guatemala"),
		chromedp.SendKeys(chromedp.CSS("#f-note"), "Estamos con Norma Cruz."),
		chromedp.Click(chromedp.CSS(`button[formaction^="/preview"]`)),
		chromedp.WaitVisible(chromedp.CSS("#preview-img")))
	if alt := b.Attr("#preview-img", "alt"); !strings.Contains(alt, "Ana López") {
		t.Errorf("the preview's alt text %q does not name the signer", alt)
	}
	if w := b.Attr("#preview-img", "width"); w != "1728" {
		t.Errorf("the preview is %s px wide, want the fax's 1728", w)
	}
	b.loaded("#preview-img")
	b.Axe("preview")
	b.Screenshots(shots, "preview")

	b.Do("send the letter", chromedp.Click(chromedp.CSS("button.primary")), chromedp.WaitVisible(chromedp.CSS("#state")))
	receipt := b.URL()
	if !regexp.MustCompile(`/r/[\w-]+\?(.*&)?t=[\w-]{22}`).MatchString(receipt) || strings.Contains(receipt, "Ana") {
		t.Fatalf("the receipt's address is %q", receipt)
	}
	b.Axe("receipt")
	b.Screenshots(shots, "receipt")
	if onReceipt != nil {
		onReceipt()
	}

	// The page reloads itself (Refresh header, no script) until final.
	ctx, cancel := context.WithTimeout(b.Ctx, deliverWithin)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#state[data-state="delivered"]`))); err != nil {
		t.Fatalf("the receipt did not turn delivered within %v (state %q): %v", deliverWithin, b.Attr("#state", "data-state"), err)
	}
	b.Do("the faxed page", chromedp.WaitVisible(chromedp.CSS("#fax-img")))
	b.loaded("#fax-img")
	b.Axe("delivered receipt")
	b.Screenshots(shots, "delivered")
	return receipt
}

// keyboard checks the page by keyboard: the first Tab reaches the skip
// link, Tab goes on to the form's first field, and every stop on the way
// shows its focus ring.
func (b *Browser) keyboard() {
	b.t.Helper()
	focus := func() (id, class, outline string) {
		ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
		defer cancel()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => { const e = document.activeElement, s = getComputedStyle(e);
			return [e.id, e.className, s.outlineStyle + " " + s.outlineWidth]; })()`))
		if err != nil || len(v) != 3 {
			b.t.Fatalf("focus: %v", err)
		}
		return v[0], v[1], v[2]
	}
	b.Do("Tab", chromedp.KeyEvent("\t"))
	if _, class, outline := focus(); class != "skip" || strings.HasPrefix(outline, "none") || strings.HasSuffix(outline, " 0px") {
		b.t.Errorf("the first Tab focuses class %q with outline %q, want the skip link with a visible ring", class, outline)
	}
	// On through the language switch and the letter's summary to the form:
	// every stop shows its focus ring.
	for i := range 15 {
		b.Do("Tab", chromedp.KeyEvent("\t"))
		id, class, outline := focus()
		if strings.HasPrefix(outline, "none") || strings.HasSuffix(outline, " 0px") {
			b.t.Errorf("Tab stop %d (#%s .%s) shows no focus ring (outline %q)", i+2, id, class, outline)
		}
		if id == "f-name" {
			return
		}
	}
	b.t.Error("16 presses of Tab did not reach the form's first field (#f-name)")
}

// loaded checks that an image really loaded at the fax's width. With
// JavaScript off the browser gives no way to ask, and the hub's tests fetch
// the same URL themselves.
func (b *Browser) loaded(sel string) {
	b.t.Helper()
	if !b.JS {
		return
	}
	ctx, cancel := context.WithTimeout(b.Ctx, 30*time.Second)
	defer cancel()
	w, err := chromedp.Run(ctx, chromedp.Poll[int](`(() => { const i = document.querySelector("`+sel+`"); return i && i.complete && i.naturalWidth; })()`))
	if err != nil || w != 1728 {
		b.t.Errorf("%s: natural width %d (%v), want 1728", sel, w, err)
	}
}
