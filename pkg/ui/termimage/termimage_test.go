package termimage

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mattn/go-sixel"
)

// page is a small picture with text-like strokes: a white page, black
// bars, a grey ramp.
func page() *image.Gray {
	img := image.NewGray(image.Rect(0, 0, 120, 170))
	for y := range 170 {
		for x := range 120 {
			v := uint8(255)
			if y%20 < 4 && x > 10 && x < 110 {
				v = 0
			}
			if y > 150 {
				v = uint8(x * 2)
			}
			img.SetGray(x, y, color.Gray{Y: v})
		}
	}
	return img
}

func samePixels(t *testing.T, got image.Image, want *image.Gray, tolerance int) {
	t.Helper()
	if got.Bounds().Size() != want.Bounds().Size() {
		t.Fatalf("decoded %v, want %v", got.Bounds(), want.Bounds())
	}
	worst := 0
	for y := range want.Bounds().Dy() {
		for x := range want.Bounds().Dx() {
			g := color.GrayModel.Convert(got.At(got.Bounds().Min.X+x, got.Bounds().Min.Y+y)).(color.Gray)
			worst = max(worst, abs(int(g.Y)-int(want.GrayAt(x, y).Y)))
		}
	}
	if worst > tolerance {
		t.Errorf("a pixel is off by %d, want ≤ %d", worst, tolerance)
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// TestKittyIsWellFormed: APC sequences (ESC _ G … ESC \), the first with
// a=T (show), f=100 (PNG), c (cells), q=2 (no answer), every payload at
// most 4096 bytes of base64, m=1 on all but the last; the payloads joined
// decode to the picture.
func TestKittyIsWellFormed(t *testing.T) {
	// A noisy picture, so the PNG needs several chunks.
	img := image.NewGray(image.Rect(0, 0, 200, 200))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = uint8(rng.UintN(256))
	}
	var b bytes.Buffer
	if err := Write(&b, Kitty, img, 40); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasSuffix(out, "\x1b\\\n") {
		t.Fatalf("does not end with ST and a newline: %q", out[max(0, len(out)-10):])
	}
	seqs := regexp.MustCompile("\x1b_G([^;\x1b]*);([A-Za-z0-9+/=]*)\x1b\\\\").FindAllStringSubmatch(out, -1)
	if joined := len(strings.Join(regexp.MustCompile("\x1b_G[^;\x1b]*;[A-Za-z0-9+/=]*\x1b\\\\").FindAllString(out, -1), "")); joined != len(out)-1 {
		t.Fatalf("bytes outside the APC sequences: %d of %d", len(out)-1-joined, len(out)-1)
	}
	if len(seqs) < 2 {
		t.Fatalf("%d sequence(s), want the picture in chunks", len(seqs))
	}
	var payload strings.Builder
	for i, s := range seqs {
		keys := map[string]string{}
		for _, kv := range strings.Split(s[1], ",") {
			k, v, _ := strings.Cut(kv, "=")
			keys[k] = v
		}
		if i == 0 && (keys["a"] != "T" || keys["f"] != "100" || keys["c"] != "40" || keys["q"] != "2") {
			t.Errorf("first sequence's keys %v", keys)
		}
		if want := strconv.Itoa(map[bool]int{true: 0, false: 1}[i == len(seqs)-1]); keys["m"] != want {
			t.Errorf("sequence %d: m=%s, want %s", i, keys["m"], want)
		}
		if len(s[2]) > 4096 {
			t.Errorf("sequence %d: %d bytes of payload, want ≤ 4096", i, len(s[2]))
		}
		payload.WriteString(s[2])
	}
	data, err := base64.StdEncoding.DecodeString(payload.String())
	if err != nil {
		t.Fatal(err)
	}
	got, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	samePixels(t, got, img, 0)
}

// TestITermIsWellFormed: one OSC 1337 File= sequence ended by BEL, inline,
// its size the PNG's, the base64 payload the picture.
func TestITermIsWellFormed(t *testing.T) {
	img := page()
	var b bytes.Buffer
	if err := Write(&b, ITerm, img, 30); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("^\x1b\\]1337;File=([^:\a]*):([A-Za-z0-9+/=]+)\a\n$").FindStringSubmatch(b.String())
	if m == nil {
		t.Fatalf("not one OSC 1337 sequence: %q…", b.String()[:min(60, b.Len())])
	}
	args := map[string]string{}
	for _, kv := range strings.Split(m[1], ";") {
		k, v, _ := strings.Cut(kv, "=")
		args[k] = v
	}
	data, err := base64.StdEncoding.DecodeString(m[2])
	if err != nil {
		t.Fatal(err)
	}
	if args["inline"] != "1" || args["width"] != "30" || args["size"] != strconv.Itoa(len(data)) {
		t.Errorf("arguments %v (payload %d bytes)", args, len(data))
	}
	got, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	samePixels(t, got, img, 0)
}

// TestSixelIsWellFormed: one DCS … q sequence ended by ST that a sixel
// decoder reads back to the picture (16 greys: within a step).
func TestSixelIsWellFormed(t *testing.T) {
	img := page()
	var b bytes.Buffer
	if err := Write(&b, Sixel, img, 30); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasPrefix(out, "\x1bP") || !strings.HasSuffix(out, "\x1b\\\n") || strings.Count(out, "\x1bP") != 1 {
		t.Fatalf("not one DCS sequence: %q … %q", out[:min(20, len(out))], out[max(0, len(out)-10):])
	}
	var got image.Image
	if err := sixel.NewDecoder(strings.NewReader(strings.TrimSuffix(out, "\n"))).Decode(&got); err != nil {
		t.Fatal(err)
	}
	samePixels(t, got, img, 255/15+1)
}

// TestThumbnail: scaled to the width asked, the aspect kept, a black bar
// still dark.
func TestThumbnail(t *testing.T) {
	th := Thumbnail(page(), 60)
	if th.Bounds().Dx() != 60 || th.Bounds().Dy() != 85 {
		t.Fatalf("thumbnail %v, want 60×85", th.Bounds())
	}
	if v := th.GrayAt(30, 1).Y; v > 100 {
		t.Errorf("the first bar became %d, want dark", v)
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want Protocol
	}{
		{map[string]string{"TERM": "xterm-256color"}, None},
		{map[string]string{"TERM": "xterm-kitty"}, Kitty},
		{map[string]string{"TERM": "xterm-256color", "KITTY_WINDOW_ID": "1"}, Kitty},
		{map[string]string{"TERM_PROGRAM": "ghostty", "TERM": "xterm-ghostty"}, Kitty},
		{map[string]string{"TERM_PROGRAM": "iTerm.app", "TERM": "xterm-256color"}, ITerm},
		{map[string]string{"LC_TERMINAL": "iTerm2"}, ITerm},
		{map[string]string{"TERM_PROGRAM": "WezTerm"}, ITerm},
		{map[string]string{"TERM": "foot"}, Sixel},
		{map[string]string{"TERM": "mlterm"}, Sixel},
		{map[string]string{"TERM": "xterm-kitty", "TMUX": "/tmp/tmux-0/default,1,0"}, None},
		{map[string]string{"TERM": "screen-256color", "TERM_PROGRAM": "iTerm.app"}, None},
		{map[string]string{"TERM": "xterm", "FAXJAM_IMAGES": "sixel"}, Sixel},
		{map[string]string{"TERM": "xterm-kitty", "FAXJAM_IMAGES": "none"}, None},
	}
	for _, tt := range tests {
		if got := Detect(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("Detect(%v) = %q, want %q", tt.env, got, tt.want)
		}
	}
}
