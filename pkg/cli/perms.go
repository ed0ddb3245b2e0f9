package cli

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"

	"gopkg.in/yaml.v3"
)

// Secrets at rest. The config file may hold gateway credentials and
// tokens; the journal and the data folder hold signers' names, e-mails and
// notes. Each is created private (0600 files, 0700 folders); one that other
// users may read or write (a copy with cp, an archive unpacked, a umask of
// 000) gets a warning naming it and the chmod that fixes it. A config file
// that holds credentials is refused until it is fixed, as ssh refuses a
// private key others can read. Windows has no such modes: nothing is
// checked there.

// openToOthers reports whether path exists and group or other users have
// any access to it, with its permission bits.
func openToOthers(path string) (fs.FileMode, bool) {
	if runtime.GOOS == "windows" {
		return 0, false
	}
	st, err := os.Stat(path)
	if err != nil {
		return 0, false
	}
	return st.Mode().Perm(), st.Mode().Perm()&0o077 != 0
}

// permFix is the chmod that makes path private.
func permFix(path string, dir bool) string {
	mode := "600"
	if dir {
		mode = "700"
	}
	return "chmod " + mode + " " + shellQuote(path)
}

// warnOpen writes a warning for each path that others may read or write:
// a file of personal data (the journal) or a folder (dir).
func warnOpen(w io.Writer, what, path string, dir bool) {
	if mode, open := openToOthers(path); open {
		fmt.Fprintf(w, "warning: %s %s can be read or written by other users (mode %04o); fix it with: %s\n", what, path, mode, permFix(path, dir))
		if what == "the journal" {
			fmt.Fprintln(w, "  (faxjam makes the journal 0600 as it opens it; anyone who could read it may have copied it)")
		}
	}
}

// warnJournal checks the journal file and, when the journal lives there,
// faxjam's data folder (a --journal elsewhere is in a folder of the user's
// choosing).
func warnJournal(w io.Writer, path, dataDir string) {
	warnOpen(w, "the journal", path, false)
	if filepath.Clean(filepath.Dir(path)) == filepath.Clean(dataDir) {
		warnOpen(w, "the data folder", dataDir, true)
	}
}

// checkConfigPerms refuses a config file others may read or write when it
// holds credentials (the keys redactValue hides), and warns for one that
// does not.
func checkConfigPerms(w io.Writer, path string) error {
	mode, open := openToOthers(path)
	if !open {
		return nil
	}
	if keys := configSecrets(path); len(keys) > 0 {
		return &UsageError{
			Err:  fmt.Errorf("config file %s holds credentials (%s) and other users can read or write it (mode %04o)", path, keys[0], mode),
			Hint: "fix it with: " + permFix(path, false) + " (faxjam will not use credentials others can read)",
		}
	}
	fmt.Fprintf(w, "warning: config file %s can be read or written by other users (mode %04o); fix it with: %s\n", path, mode, permFix(path, false))
	return nil
}

// configSecrets names the settings in the config file at path whose values
// are credentials, sorted.
func configSecrets(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var m map[string]any
	if yaml.Unmarshal(data, &m) != nil {
		return nil
	}
	var out []string
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			key := prefix + k
			switch v := v.(type) {
			case map[string]any:
				walk(key+".", v)
			case string:
				ck, _ := lookupConfigKey(key)
				if v != "" && redactValue(ck, key, v) != v {
					out = append(out, key)
				}
			}
		}
	}
	walk("", m)
	sort.Strings(out)
	return out
}
