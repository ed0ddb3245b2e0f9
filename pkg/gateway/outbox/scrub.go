package outbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Scrub deletes the documents of fax id in dir (the PDF and TIFF carry the
// signer's name, city, e-mail and note) and keeps its manifest, marked
// scrubbed: the fax is still accounted for by its SHA-256 and pages, and
// Lookup still finds its key, so it is never written again. A fax that is
// not in dir, or already scrubbed, is no error: there is nothing to delete.
func Scrub(dir, id string) error {
	g := &Gateway{Dir: dir}
	m, err := g.manifest(id)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("outbox: scrub: %w", err)
	}
	for _, doc := range []string{m.PDF, m.TIFF} {
		if doc == "" {
			continue
		}
		if err := os.Remove(filepath.Join(dir, filepath.Base(doc))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("outbox: scrub: %w", err)
		}
	}
	if m.Scrubbed && m.PDF == "" && m.TIFF == "" {
		return nil
	}
	m.PDF, m.TIFF, m.Scrubbed = "", "", true
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("outbox: scrub: %w", err)
	}
	if err := writeFile(filepath.Join(dir, id+".json"), append(b, '\n')); err != nil {
		return fmt.Errorf("outbox: scrub: %w", err)
	}
	return nil
}
