package cli

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestConfigSecretsNamesCredentialSettings(t *testing.T) {
	p := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(p, []byte(`gateway: sinch://KEYID:KEYSECRET@PROJECT?from=+4930123456
petition: https://petition.example.org
hub_token: ""
sender:
  name: Ana
  email: ana@example.org
custom_api_key: abc
`), 0o600)
	if got := configSecrets(p); !slices.Equal(got, []string{"custom_api_key", "gateway"}) {
		t.Errorf("configSecrets = %q, want custom_api_key and gateway", got)
	}
}

func TestCheckConfigPerms(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits on Windows")
	}
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret.yaml")
	os.WriteFile(secret, []byte("petition_token: T0KEN-0123456789\n"), 0o600)
	plain := filepath.Join(dir, "plain.yaml")
	os.WriteFile(plain, []byte("paper: a4\n"), 0o600)
	var w strings.Builder
	if err := checkConfigPerms(&w, secret); err != nil || w.Len() > 0 {
		t.Errorf("0600 with a secret: %v %q", err, w.String())
	}
	os.Chmod(secret, 0o604)
	err := checkConfigPerms(&w, secret)
	if ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), "chmod 600 "+secret) || strings.Contains(err.Error(), "T0KEN") {
		t.Errorf("0604 with a secret: %v", err)
	}
	os.Chmod(plain, 0o660)
	if err := checkConfigPerms(&w, plain); err != nil || !strings.Contains(w.String(), "warning: config file "+plain) {
		t.Errorf("0660 without a secret: %v %q", err, w.String())
	}
}
