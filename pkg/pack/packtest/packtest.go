// Package packtest is for tests of campaign packs: it writes the bundled
// campaign into a folder under another id, optionally edited, for a test to
// sign. Nothing in the product imports it.
package packtest

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faxjam/faxjam/letters"
)

// CampaignDir writes the bundled campaign norma-cruz-2012 into a new temp
// folder as campaign id, with edit (if not nil) applied to its
// campaign.yaml, and returns the folder.
func CampaignDir(t testing.TB, id string, edit func(yml string) string) string {
	t.Helper()
	dir := t.TempDir()
	src, err := fs.Sub(letters.FS(), "norma-cruz-2012")
	if err != nil {
		t.Fatal(err)
	}
	err = fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		if p == "campaign.yaml" {
			s := strings.Replace(string(b), "id: norma-cruz-2012", "id: "+id, 1)
			if edit != nil {
				s = edit(s)
			}
			b = []byte(s)
		}
		return os.WriteFile(filepath.Join(dir, filepath.FromSlash(p)), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}
