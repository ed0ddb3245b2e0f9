// Package termimage shows a picture inside a terminal that can draw one:
// the kitty graphics protocol, iTerm2's inline images, or sixel. Which one a
// terminal speaks is read from its environment (TERM, TERM_PROGRAM,
// LC_TERMINAL, KITTY_WINDOW_ID, TMUX) and never asked of the terminal: a
// query costs a round trip on every start and, where nothing answers,
// prints junk (why faxjam dropped huh). FAXJAM_IMAGES=kitty|iterm2|sixel|none
// overrides the guess.
//
// Sixel is encoded by github.com/mattn/go-sixel, whose terminal queries
// (IsSupported, CellSize) are never called here.
package termimage

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/png"
	"io"
	"strings"

	"github.com/mattn/go-sixel"
	"golang.org/x/image/draw"
)

// Protocol is a way of drawing images in a terminal.
type Protocol string

const (
	None  Protocol = ""       // text only
	Kitty Protocol = "kitty"  // kitty graphics protocol (kitty, Ghostty, Konsole)
	ITerm Protocol = "iterm2" // iTerm2 inline images (iTerm2, WezTerm)
	Sixel Protocol = "sixel"  // DEC sixel (foot, mlterm, contour, xterm -ti vt340)
)

// Detect guesses the protocol of the terminal from its environment.
func Detect(getenv func(string) string) Protocol {
	switch p := Protocol(strings.ToLower(getenv("FAXJAM_IMAGES"))); p {
	case Kitty, ITerm, Sixel:
		return p
	case "none", "off", "0":
		return None
	}
	term := getenv("TERM")
	// A multiplexer passes images through only when set up to; without a
	// way to ask, text is the safe answer.
	if getenv("TMUX") != "" || strings.HasPrefix(term, "screen") || strings.HasPrefix(term, "tmux") {
		return None
	}
	switch getenv("TERM_PROGRAM") {
	case "iTerm.app", "WezTerm":
		return ITerm
	case "ghostty":
		return Kitty
	}
	if getenv("LC_TERMINAL") == "iTerm2" {
		return ITerm
	}
	if getenv("KITTY_WINDOW_ID") != "" || term == "xterm-kitty" || term == "xterm-ghostty" {
		return Kitty
	}
	for _, p := range []string{"foot", "mlterm", "contour", "yaft"} {
		if strings.HasPrefix(term, p) {
			return Sixel
		}
	}
	if strings.Contains(term, "sixel") {
		return Sixel
	}
	return None
}

// Thumbnail scales img down to width pixels wide (keeping its aspect) as
// grey: a 1-bit fax page becomes smooth text instead of broken strokes.
func Thumbnail(img image.Image, width int) *image.Gray {
	b := img.Bounds()
	if width <= 0 || width > b.Dx() {
		width = b.Dx()
	}
	height := max(1, b.Dy()*width/max(1, b.Dx()))
	dst := image.NewGray(image.Rect(0, 0, width, height))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}

// chunk is the kitty protocol's largest payload per escape sequence.
const chunk = 4096

// Write draws img on w with protocol p, cols character cells wide (kitty
// and iTerm2 scale it to that; sixel draws it at its own pixel size), and
// ends the line after it.
func Write(w io.Writer, p Protocol, img image.Image, cols int) error {
	var out bytes.Buffer
	switch p {
	case Kitty, ITerm:
		var pngData bytes.Buffer
		if err := png.Encode(&pngData, img); err != nil {
			return err
		}
		payload := base64.StdEncoding.EncodeToString(pngData.Bytes())
		if p == ITerm {
			fmt.Fprintf(&out, "\x1b]1337;File=inline=1;size=%d;width=%d;preserveAspectRatio=1:%s\a", pngData.Len(), cols, payload)
			break
		}
		// a=T transmits and shows it, f=100 is PNG, c is the width in
		// cells, q=2 asks for no answer (it would arrive as typed input).
		for i := 0; i < len(payload); i += chunk {
			more := 1
			if i+chunk >= len(payload) {
				more = 0
			}
			data := payload[i:min(len(payload), i+chunk)]
			if i == 0 {
				fmt.Fprintf(&out, "\x1b_Ga=T,f=100,c=%d,q=2,m=%d;%s\x1b\\", cols, more, data)
			} else {
				fmt.Fprintf(&out, "\x1b_Gm=%d;%s\x1b\\", more, data)
			}
		}
	case Sixel:
		enc := sixel.NewEncoder(&out)
		enc.Colors = 16
		if err := enc.Encode(img); err != nil {
			return err
		}
	default:
		return fmt.Errorf("termimage: no protocol")
	}
	out.WriteString("\n")
	_, err := w.Write(out.Bytes())
	return err
}
