package client_test

import (
	"os"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/hub/client"
)

// TestActionsKeepTheKeyBeforeThePostAndTheReceiptAfter: a send cut off
// after its key was kept posts again with the same key; the receipt (a
// bearer token) is kept in a file only its owner reads.
func TestActionsKeepTheKeyBeforeThePostAndTheReceiptAfter(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	st := client.ActionsIn(dir, "camp")
	a, err := st.Key("http://hub.example", "signer-1", now)
	if err != nil {
		t.Fatal(err)
	}
	again, err := client.ActionsIn(dir, "camp").Key("http://hub.example", "signer-1", now.Add(time.Hour))
	if err != nil || again.Key != a.Key || len(a.Key) != 32 {
		t.Fatalf("key %q then %q (%v), want the same kept key", a.Key, again.Key, err)
	}
	other, err := st.Key("http://other.example", "signer-1", now)
	if err != nil || other.Key == a.Key {
		t.Fatalf("another hub got key %q (%v), want its own", other.Key, err)
	}
	if err := st.Answered(a, "act-1", "receipt-secret"); err != nil {
		t.Fatal(err)
	}
	all, err := st.All()
	if err != nil || len(all) != 2 || all[0].ID != "act-1" || all[0].Receipt != "receipt-secret" || all[1].Receipt != "" {
		t.Fatalf("kept %+v (%v)", all, err)
	}
	fi, err := os.Stat(st.Path())
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the file's mode is %v (%v), want 0600", fi.Mode().Perm(), err)
	}
}
