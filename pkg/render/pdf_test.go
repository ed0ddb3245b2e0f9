package render

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func writePDF(t *testing.T, r *Renderer, l *Layout) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.PDF(l, &b); err != nil {
		t.Fatalf("PDF: %v", err)
	}
	path := filepath.Join(t.TempDir(), "out.pdf")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLetterPDFIsOneValidPageWithTheTextIntact(t *testing.T) {
	pdfinfo := needTool(t, "pdfinfo", "poppler-utils")
	pdftotext := needTool(t, "pdftotext", "poppler-utils")
	qpdf := needTool(t, "qpdf", "qpdf")

	for _, paperName := range []string{"a4", "letter"} {
		t.Run(paperName, func(t *testing.T) {
			r := newRenderer(t, Options{Paper: paperName})
			l, err := r.Letter(testLetter())
			if err != nil {
				t.Fatalf("Letter: %v", err)
			}
			path := writePDF(t, r, l)

			info := run(t, pdfinfo, path)
			if !regexp.MustCompile(`(?m)^Pages:\s+1$`).MatchString(info) {
				t.Errorf("pdfinfo: want Pages: 1, got\n%s", info)
			}
			wantSize := map[string]string{"a4": "595.28 x 841.89", "letter": "612 x 792"}[paperName]
			if !strings.Contains(info, wantSize) {
				t.Errorf("pdfinfo: want page size %s, got\n%s", wantSize, info)
			}
			text := run(t, pdftotext, "-layout", path, "-")
			for _, want := range []string{"José Pérez", "Norma Cruz", "Señora Fiscal General:", "Página 1/1", "Sevilla, España", "avisos@example.org"} {
				if !strings.Contains(text, want) {
					t.Errorf("pdftotext: %q missing from\n%s", want, text)
				}
			}
			if out := run(t, qpdf, "--check", path); !strings.Contains(out, "No syntax or stream encoding errors") {
				t.Errorf("qpdf --check:\n%s", out)
			}
		})
	}
}
