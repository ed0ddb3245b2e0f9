package cli

import (
	"runtime/debug"
	"testing"
)

// TestBuildInfoFromTheToolchain: a build the linker stamped nothing into
// (go build, go run, go install) reports the module version and the VCS
// revision the Go toolchain recorded; stamped values are kept.
func TestBuildInfoFromTheToolchain(t *testing.T) {
	read := func(version string, settings ...string) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/faxjam/faxjam", Version: version}}
			for i := 0; i+1 < len(settings); i += 2 {
				bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
			}
			return bi, true
		}
	}
	dev := BuildInfo{Version: "dev", Commit: "dev", Date: "dev"}
	for _, tt := range []struct {
		name string
		in   BuildInfo
		read func() (*debug.BuildInfo, bool)
		want BuildInfo
	}{
		{"go install @v1.4.0", dev, read("v1.4.0"), BuildInfo{"v1.4.0", "dev", "dev"}},
		{"go build in a checkout", dev, read("(devel)", "vcs.revision", "0123456789abcdef0123", "vcs.time", "2026-11-30T10:00:00Z", "vcs.modified", "false"),
			BuildInfo{"dev", "0123456789ab", "2026-11-30T10:00:00Z"}},
		{"uncommitted changes", dev, read("(devel)", "vcs.revision", "0123456789abcdef", "vcs.modified", "true"), BuildInfo{"dev", "0123456789ab-dirty", "dev"}},
		{"ldflags win", BuildInfo{"1.2.3", "abc", "2026-01-02"}, read("v9.9.9", "vcs.revision", "ffff"), BuildInfo{"1.2.3", "abc", "2026-01-02"}},
		{"no build info", BuildInfo{}, func() (*debug.BuildInfo, bool) { return nil, false }, BuildInfo{}},
		{"nothing recorded", BuildInfo{}, read(""), dev},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.fillFrom(tt.read); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	// The test binary itself has build info: a real read never fails.
	if got := dev.fillFrom(debug.ReadBuildInfo); got.Version == "" || got.Commit == "" || got.Date == "" {
		t.Errorf("from this binary: %+v", got)
	}
}
