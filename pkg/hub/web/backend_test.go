package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/render"
)

// memBackend is the page's unit-test backend: actions in memory, letters
// composed and drawn by the real letter and render packages (the hub's
// own composer), lines set by the test. The browser tests against the
// real hub are in pkg/hub.
type memBackend struct {
	c   *campaign.Campaign
	r   *render.Renderer
	now func() time.Time

	mu      sync.Mutex
	lines   Lines
	actions map[string]*memAction
	byKey   map[string]string // idempotency key or signer key → id
	paused  bool
	perHour []int
	calls   map[string]int // Act, Preview
	revoked map[string]bool
}

type memAction struct {
	Action
	token  string
	signer letter.Signer
}

func newMemBackend(t testing.TB) *memBackend {
	t.Helper()
	cs, err := campaign.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	r, err := render.New(render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return &memBackend{c: cs[0], r: r, now: time.Now,
		lines: Lines{Lines: []Line{{Label: "Despacho", Number: "+12025550142", State: "up"},
			{Label: "Secretaría General", Number: "+12025550143", State: "busy"},
			{Label: "Fiscalía", Number: "+12025550144", State: "down"}}, DeliveredToday: 7, Queue: 2},
		actions: map[string]*memAction{}, byKey: map[string]string{}, calls: map[string]int{},
		perHour: []int{0, 3, 5, 12, 40, 38, 22, 0, 1, 9, 14, 2},
	}
}

func (b *memBackend) Lines(context.Context) (Lines, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	l := b.lines
	l.Paused = b.paused
	return l, nil
}

func (b *memBackend) page(s letter.Signer) ([]byte, error) {
	lt, err := letter.Compose(b.c, "", s, b.now()) // the hub faxes the letter the target reads
	if err != nil {
		var fe *letter.FieldErrors
		if errors.As(err, &fe) {
			return nil, fe
		}
		return nil, err
	}
	l, err := b.r.Letter(lt)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = b.r.PNG(l, 0, &buf)
	return buf.Bytes(), err
}

func (b *memBackend) Preview(_ context.Context, s letter.Signer) ([]byte, error) {
	b.mu.Lock()
	b.calls["Preview"]++
	b.mu.Unlock()
	return b.page(s)
}

func (b *memBackend) Act(_ context.Context, key string, s letter.Signer) (Receipt, error) {
	if why := b.c.ClosedWhy(b.now()); why != "" {
		return Receipt{}, fmt.Errorf("%w: %s", ErrClosed, why)
	}
	if err := letter.ValidateSigner(s, b.c.RequireNote); err != nil {
		return Receipt{}, err
	}
	s = letter.Normalize(s)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls["Act"]++
	sk := letter.SignerKey(b.c.ID, s)
	// As the hub: the same key gets its receipt again; the same person
	// under another key gets the first action without it.
	if id, ok := b.byKey[key]; ok {
		a := b.actions[id]
		return Receipt{ID: id, Token: a.token, State: a.State, Duplicate: true}, nil
	}
	if id, ok := b.byKey[sk]; ok {
		return Receipt{ID: id, State: b.actions[id].State, Duplicate: true}, nil
	}
	id := randomID(9)
	a := &memAction{Action: Action{ID: id, State: "queued", UpdatedAt: b.now()}, token: randomID(16), signer: s}
	b.actions[id] = a
	b.byKey[key], b.byKey[sk] = id, id
	return Receipt{ID: id, Token: a.token, State: a.State}, nil
}

func randomID(n int) string {
	p := make([]byte, n)
	_, _ = rand.Read(p)
	return base64.RawURLEncoding.EncodeToString(p)
}

func (b *memBackend) get(id, token string) (*memAction, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	a, ok := b.actions[id]
	if !ok || a.token != token {
		return nil, ErrNotFound
	}
	return a, nil
}

func (b *memBackend) Action(_ context.Context, id, token string) (Action, error) {
	a, err := b.get(id, token)
	if err != nil {
		return Action{}, err
	}
	return a.Action, nil
}

func (b *memBackend) FaxPNG(_ context.Context, id, token string) ([]byte, error) {
	a, err := b.get(id, token)
	if err != nil || !a.Faxed() {
		return nil, ErrNotFound
	}
	return b.page(a.signer)
}

// deliver marks every action delivered, as the dispatcher would.
func (b *memBackend) deliver() { b.setState("delivered") }

func (b *memBackend) setState(st string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, a := range b.actions {
		a.State, a.NumberLabel, a.DeliveredAt = st, "Despacho", b.now()
	}
}

func (b *memBackend) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.actions)
}

func (b *memBackend) Admin(context.Context) (AdminView, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return AdminView{Paused: b.paused, Petitioned: 3, PerHour: b.perHour, Start: b.now().Truncate(time.Hour).Add(-time.Duration(len(b.perHour)-1) * time.Hour)}, nil
}

func (b *memBackend) Pause(_ context.Context, p bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.paused = p
	return nil
}

func (b *memBackend) RevokeSession(_ context.Context, id string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.revoked == nil {
		b.revoked = map[string]bool{}
	}
	b.revoked[id] = true
	return nil
}

func (b *memBackend) Revoked(_ context.Context, id string) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.revoked[id], nil
}

func (b *memBackend) People(_ context.Context, q string, limit int) ([]PersonRow, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []PersonRow
	q = strings.ToLower(q)
	for id, a := range b.actions {
		if strings.Contains(strings.ToLower(a.signer.Name), q) || a.signer.Email != "" && strings.Contains(strings.ToLower(a.signer.Email), q) {
			out = append(out, PersonRow{ID: id, Name: a.signer.Name, City: a.signer.City, Country: a.signer.Country, Email: a.signer.Email, State: a.State})
		}
	}
	return out[:min(len(out), limit)], nil
}

func (b *memBackend) Person(_ context.Context, id string) (PersonHistory, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	a, ok := b.actions[id]
	if !ok {
		return PersonHistory{}, ErrNotFound
	}
	return PersonHistory{PersonRow: PersonRow{ID: id, Name: a.signer.Name, City: a.signer.City, Country: a.signer.Country, Email: a.signer.Email, State: a.State}}, nil
}

func (b *memBackend) Forget(_ context.Context, id string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.actions, id)
	return nil
}

func (b *memBackend) Export(_ context.Context, w io.Writer, csv bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for id, a := range b.actions {
		fmt.Fprintf(w, "%s,%s\n", id, a.signer.Name)
	}
	return nil
}

func (b *memBackend) Release(context.Context, string) error { return nil }
