package e2e

import (
	"strings"
	"testing"
	"time"
)

// A fresh machine watches a hub with nothing but its address: status --hub
// learns the campaign from the hub (GET /v1/campaigns) instead of failing
// on the default campaign's id. And after `send --hub URL`, a plain
// `status` shows what the hub says about the receipt kept here, as the
// send's hint promises; an outbox hub says it was a rehearsal.
func TestStatusWatchesAHubWithoutTheCampaignFileAndShowsHubReceipts(t *testing.T) {
	org := newWorkspace(t)
	if res := org.run(time.Minute, "campaign", "init", "river-keepers"); res.code != 0 {
		t.Fatalf("%v", res)
	}
	h := org.startHub("127.0.0.1:0", "--campaign", org.path("river-keepers"), "--gateway", "outbox:"+org.path("ob"), "--db", org.path("hub.db"))

	fresh := newWorkspace(t)
	res := fresh.run(time.Minute, "status", "--hub", h.url)
	if res.code != 0 || !strings.Contains(res.stdout, "river-keepers") || !strings.Contains(res.stdout, "rehearsal") {
		t.Fatalf("%v\nstdout:\n%s\nwant the hub's campaign river-keepers and its lines (a rehearsal)", res, res.stdout)
	}
	if res := fresh.run(time.Minute, "status", "--hub", h.url, "--json"); res.code != 0 || !strings.Contains(res.stdout, `"campaign":"river-keepers"`) {
		t.Fatalf("%v\nstdout:\n%s", res, res.stdout)
	}

	if res := org.run(time.Minute, "--campaign", org.path("river-keepers"), "send", "--hub", h.url, "--yes",
		"--name", "Ana Río", "--city", "Lima", "--country", "Perú"); res.code != 0 {
		t.Fatalf("%v", res)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		res := org.run(time.Minute, "--campaign", org.path("river-keepers"), "status")
		if res.code != 0 {
			t.Fatalf("%v", res)
		}
		if strings.Contains(res.stdout, "delivered") {
			if !strings.Contains(res.stdout, "rehearsal: written for") || !strings.Contains(res.stdout, "nothing was faxed") {
				t.Fatalf("plain status of an outbox hub's receipt does not say rehearsal:\n%s", res.stdout)
			}
			break
		}
		if !strings.HasPrefix(res.stdout, "action ") || time.Now().After(deadline) {
			t.Fatalf("plain status after send --hub does not show the hub's receipt:\n%s\n%s", res.stdout, res.stderr)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
