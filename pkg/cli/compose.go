package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/campaignrun"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/render"
)

// newRenderer parses the fonts (and --font) for a run. It is called only by
// commands that lay out pages, never at start-up.
func newRenderer(paper, fontFile string) (*render.Renderer, error) {
	if paper != "" && paper != "a4" && paper != "letter" {
		return nil, usagef("--paper %q: want a4 or letter", paper)
	}
	extra, err := readFont(fontFile)
	if err != nil {
		return nil, err
	}
	r, err := render.New(render.Options{Paper: paper, ExtraFont: extra})
	if err != nil {
		if fontFile != "" {
			return nil, &UsageError{Err: fmt.Errorf("--font %s: %w", fontFile, err), Hint: "give a TrueType (.ttf) font"}
		}
		return nil, err
	}
	return r, nil
}

// readFont reads --font; "" is no extra font.
func readFont(path string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &UsageError{Err: fmt.Errorf("--font: %w", err), Hint: "give a readable .ttf file"}
	}
	return b, nil
}

// checkLang makes an unknown letter language a usage error naming the ones
// the campaign has.
func checkLang(c *campaign.Campaign, lang string) error {
	if lang == "" || slices.Contains(c.Languages.Codes(), lang) {
		return nil
	}
	return usagef("--lang %q: campaign %s has letters in %s", lang, c.ID, strings.Join(c.Languages.Codes(), ", "))
}

// composeLetter writes and lays out one letter: the same path `letter`,
// `send` and the dispatcher take, so a preview is what gets faxed.
func composeLetter(ctx context.Context, c *campaign.Campaign, r *render.Renderer, lang string, s letter.Signer, now time.Time) (letter.Letter, *render.Layout, error) {
	if err := checkLang(c, lang); err != nil {
		return letter.Letter{}, nil, err
	}
	return campaignrun.Layout(ctx, c, r, lang, s, now)
}

// document draws a layout in one of the binary formats.
func document(r *render.Renderer, lay *render.Layout, format string) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	switch format {
	case "pdf":
		err = r.PDF(lay, &buf)
	case "png":
		err = r.PNG(lay, 0, &buf)
	case "tiff":
		err = r.TIFF(lay, &buf, render.TIFFOptions{TwoD: true})
	default:
		return nil, usagef("--format %q: want text, pdf, png or tiff", format)
	}
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// missingSigner names the required sender fields that are empty.
func missingSigner(s letter.Signer) []string {
	var m []string
	for _, f := range []struct{ name, v string }{{"name", s.Name}, {"city", s.City}, {"country", s.Country}} {
		if strings.TrimSpace(f.v) == "" {
			m = append(m, f.name)
		}
	}
	return m
}

// signerError turns a rejected signer into a usage error that says how to
// give the details.
func signerError(err error) error {
	var fe *letter.FieldErrors
	if errors.As(err, &fe) && len(fe.Fields) > 0 {
		flags := make([]string, len(fe.Fields))
		for i, f := range fe.Fields {
			flags[i] = "--" + f.Field
		}
		return &UsageError{Err: err, Hint: "fix " + strings.Join(flags, ", ") + " (or the sender.* settings in config)"}
	}
	return &UsageError{Err: err, Hint: "give --name, --city and --country (or `faxjam config set sender.name ...`)"}
}
