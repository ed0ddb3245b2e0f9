package hub_test

import (
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/faxjam/faxjam/pkg/hub"
	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/testtool"
)

// smallDisk mounts a 4 MiB tmpfs for the test (root only): a disk that
// really fills up.
func smallDisk(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", dir).CombinedOutput(); err != nil {
		testtool.Missing(t, "a small tmpfs to fill (mount -t tmpfs needs root): "+string(out))
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// fill writes to dir until the disk is full; the file's removal frees it.
func fill(t *testing.T, dir string) (free func()) {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	f.Sync()
	f.Close()
	return func() { os.Remove(path) }
}

// /healthz says whether the hub can take an action: on a full disk it is
// 503 (before, it said "ok" while every action was refused), and "ok"
// again once there is room.
func TestHealthzIsUnhealthyWhenTheDiskIsFull(t *testing.T) {
	dir := smallDisk(t)
	j, err := journal.Open(filepath.Join(dir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	th := start(t, nil, func(c *hub.Config) { c.Journal = j })
	if a := do(t, "GET", th.url+"/healthz", ""); a.status != 200 {
		t.Fatalf("healthz with room: %d %s", a.status, a.body)
	}
	free := fill(t, dir)
	a := th.act(t, "diskfull-key-0123456789abcdef", "Ana Llena")
	if a.status != http.StatusServiceUnavailable {
		t.Errorf("an action on a full disk: %d %s, want 503", a.status, a.body)
	}
	if h := do(t, "GET", th.url+"/healthz", ""); h.status != http.StatusServiceUnavailable {
		t.Errorf("healthz on a full disk: %d %s, want 503", h.status, h.body)
	}
	free()
}
