package cli

import (
	"path/filepath"
	"strings"
)

// goRun is how the README runs faxjam from a checkout before installing it.
const goRun = "go run ./cmd/faxjam"

// selfCommand is how the person runs faxjam, for the hints that tell them
// the next command: "go run ./cmd/faxjam" when this process was built by
// `go run` (its executable sits in the go-build cache, in a folder named
// exe), the name they typed when it is not the faxjam on their PATH
// (./faxjam), else "faxjam". exe is os.Executable's answer, arg0 os.Args[0].
func selfCommand(exe, arg0 string, lookPath func(string) (string, error)) string {
	dir := filepath.Dir(exe)
	if filepath.Base(dir) == "exe" && strings.Contains(filepath.ToSlash(exe), "/go-build") {
		return goRun
	}
	if arg0 == "" || !strings.ContainsRune(arg0, filepath.Separator) {
		return "faxjam"
	}
	if p, err := lookPath("faxjam"); err == nil {
		a, errA := filepath.EvalSymlinks(p)
		b, errB := filepath.EvalSymlinks(exe)
		if errA == nil && errB == nil && a == b {
			return "faxjam"
		}
	}
	return shellQuote(arg0)
}

// self is the command hints name, "faxjam" unless the factory says other.
func self(s string) string {
	if s == "" {
		return "faxjam"
	}
	return s
}
