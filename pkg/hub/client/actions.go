package client

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/faxjam/faxjam/pkg/atomicfile"
)

// Action is one action sent to a hub, as this machine keeps it.
type Action struct {
	Hub       string    `json:"hub"`
	SignerKey string    `json:"signer_key"`
	Key       string    `json:"key"` // the idempotency key posted with it
	ID        string    `json:"id,omitempty"`
	Receipt   string    `json:"receipt,omitempty"` // a bearer token: the file is 0600
	Created   time.Time `json:"created"`
}

// Actions keeps the actions sent from here for one campaign, in a file in
// the data dir. The idempotency key is written before the action is
// posted, so a send that was cut off posts again with the same key and
// gets the same action; the receipt is written once the hub answers.
type Actions struct{ path string }

// ActionsIn is the action file of a campaign in dataDir.
func ActionsIn(dataDir, campaignID string) *Actions {
	return &Actions{path: filepath.Join(dataDir, "hub", campaignID+".json")}
}

// Path is the file's path.
func (s *Actions) Path() string { return s.path }

// All reads the actions kept; none when the file is missing.
func (s *Actions) All() ([]Action, error) {
	b, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var as []Action
	if err := json.Unmarshal(b, &as); err != nil {
		return nil, fmt.Errorf("%s: %w (remove it to start again)", s.path, err)
	}
	return as, nil
}

// Key is the action of signerKey at hubURL: the one kept, or a new one
// with a fresh idempotency key, kept before it returns.
func (s *Actions) Key(hubURL, signerKey string, now time.Time) (Action, error) {
	as, err := s.All()
	if err != nil {
		return Action{}, err
	}
	if i := slices.IndexFunc(as, func(a Action) bool { return a.Hub == hubURL && a.SignerKey == signerKey }); i >= 0 {
		return as[i], nil
	}
	var b [16]byte
	rand.Read(b[:])
	a := Action{Hub: hubURL, SignerKey: signerKey, Key: hex.EncodeToString(b[:]), Created: now.UTC()}
	if err := s.write(append(as, a)); err != nil {
		return Action{}, fmt.Errorf("keeping the action's key: %w", err)
	}
	return a, nil
}

// Answered keeps the hub's id and receipt for a.
func (s *Actions) Answered(a Action, id, receipt string) error {
	as, err := s.All()
	if err != nil {
		return err
	}
	i := slices.IndexFunc(as, func(b Action) bool { return b.Hub == a.Hub && b.SignerKey == a.SignerKey })
	if i < 0 {
		as, i = append(as, a), len(as)
	}
	as[i].ID, as[i].Receipt = id, receipt
	if err := s.write(as); err != nil {
		return fmt.Errorf("keeping the receipt: %w", err)
	}
	return nil
}

func (s *Actions) write(as []Action) error {
	b, err := json.MarshalIndent(as, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return err
	}
	return atomicfile.Write(s.path, append(b, '\n'), 0o600)
}
