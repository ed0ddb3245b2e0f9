package render

import (
	"fmt"
	"io"
	"time"

	"github.com/go-pdf/fpdf"
)

// pdfDate stands in for the creation and modification dates, which would
// otherwise make two renderings of the same letter differ.
var pdfDate = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// fpdfPDF is the old backend, kept to compare against until removed: it writes l as a PDF with the fonts it uses embedded (subset). The same
// layout always gives the same bytes.
func (r *Renderer) fpdfPDF(l *Layout, w io.Writer) error {
	pdf := fpdf.NewCustom(&fpdf.InitType{
		OrientationStr: "P",
		UnitStr:        "pt",
		Size:           fpdf.SizeType{Wd: l.paper.w, Ht: l.paper.h},
	})
	pdf.SetCompression(true)
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(pdfDate)
	pdf.SetModificationDate(pdfDate)
	pdf.SetProducer("faxjam", false)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	pdf.SetFillColor(0, 0, 0)

	var used [faceExtra + 1]bool
	for _, p := range l.pages {
		for _, s := range p.spans {
			used[s.face] = true
		}
	}
	for id, u := range used {
		if u {
			if id >= len(r.faces) {
				return fmt.Errorf("render: pdf: layout uses a font this renderer lacks (%d)", id)
			}
			pdf.AddUTF8FontFromBytes(r.faces[id].name, "", r.faces[id].data)
		}
	}
	for _, p := range l.pages {
		pdf.AddPage()
		for _, q := range p.rules {
			pdf.Rect(q.x, q.y, q.w, q.h, "F")
		}
		cur, curSize := faceID(255), 0.0
		for _, s := range p.spans {
			if s.face != cur || s.size != curSize {
				pdf.SetFont(r.faces[s.face].name, "", s.size)
				cur, curSize = s.face, s.size
			}
			pdf.Text(s.x, s.y, s.text)
		}
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("render: pdf: %w", err)
	}
	return nil
}
