package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faxjam/faxjam/pkg/pack/packtest"
)

func TestSendRefusesClosedCampaign(t *testing.T) {
	cases := map[string]struct{ yml, why string }{
		"closed": {"closed: true\n", "its organizer has closed it (closed: true)"},
		"ended":  {"ends: 2026-03-01\n", "it ended on 2026-03-01"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := cliHome{t: t, dir: t.TempDir()}
			dir := packtest.CampaignDir(t, "over", func(s string) string { return s + tc.yml })
			signer := []string{"--campaign", filepath.Join(dir, "campaign.yaml"), "send", "--name", "Ana", "--city", "Lima", "--country", "Perú"}
			code, _, errOut := h.run(signer...)
			if code != ExitUsage {
				t.Fatalf("send: exit %d, want %d\n%s", code, ExitUsage, errOut)
			}
			for _, w := range []string{"campaign over is closed: " + tc.why, "nothing is sent", "faxjam-campaigns@example.org"} {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			if _, err := os.Stat(filepath.Join(h.dir, "data", "outbox")); !os.IsNotExist(err) {
				t.Errorf("something was written to the outbox: %v", err)
			}
			if _, err := os.Stat(filepath.Join(h.dir, "data", "journal.db")); !os.IsNotExist(err) {
				t.Errorf("a journal was made: %v", err)
			}
			// status --follow (which carries queued work on) is refused too.
			open := packtest.CampaignDir(t, "over", nil)
			h.ok("--campaign", filepath.Join(open, "campaign.yaml"), "send", "--name", "Eva", "--city", "Lima", "--country", "Perú")
			code, _, errOut = h.run("--campaign", filepath.Join(dir, "campaign.yaml"), "status", "--follow")
			if code != ExitUsage || !strings.Contains(errOut, "is closed") {
				t.Errorf("status --follow: exit %d\n%s", code, errOut)
			}
			// A dry run dials nothing: it goes on.
			h.ok(append(signer, "--dry-run")...)
		})
	}
}
