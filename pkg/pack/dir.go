package pack

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"

	"github.com/faxjam/faxjam/pkg/campaign"
)

// FromDir reads a campaign folder as a pack's files: campaign.yaml as it is
// and each template it names. The campaign must be valid: a pack of a
// broken campaign would only fail on every activist's machine.
func FromDir(dir string) ([]File, *campaign.Campaign, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("campaign folder: %w", err)
	}
	defer root.Close()
	c, err := campaign.LoadFS(root.FS(), campaign.FileName)
	if err != nil {
		return nil, c, err
	}
	read := func(name string) ([]byte, error) {
		b, err := fs.ReadFile(root.FS(), name)
		if err != nil {
			return nil, fmt.Errorf("campaign folder %s: %w", dir, err)
		}
		return b, nil
	}
	yml, err := read(campaign.FileName)
	if err != nil {
		return nil, c, err
	}
	files := []File{{Name: campaign.FileName, Data: yml}}
	seen := map[string]bool{}
	for _, l := range c.Languages {
		name := path.Clean(l.Template)
		if seen[name] {
			continue
		}
		seen[name] = true
		b, err := read(name)
		if err != nil {
			return nil, c, err
		}
		files = append(files, File{Name: name, Data: b})
	}
	sort.Slice(files[1:], func(i, j int) bool { return files[1+i].Name < files[1+j].Name })
	return files, c, checkFiles(files)
}
