// Package journal owns the durable record of a campaign's dispatch: every
// submission (one signer on one campaign), every attempt to fax it (written
// as an intent before the gateway is called and completed with its outcome
// after), the health of each fax number, and the petition fallback. It is an
// SQLite file (pure-Go modernc.org/sqlite, WAL) created 0600, because it
// holds signers' names and addresses.
//
// The journal stores facts; it decides nothing. pkg/dispatch decides what to
// send and when. It must not import dispatch, gateway, petition, letter or
// cli: its values are plain strings in their vocabularies.
package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// State is where a submission is: queued and sending are the two states a
// run works on, every other one is terminal (a re-run leaves it alone
// unless --force). Status, receipts and --json events use these words.
type State string

const (
	Queued     State = "queued"     // waiting for a line (or for a petition endpoint)
	Sending    State = "sending"    // an attempt is in flight to Submission.Number
	Delivered  State = "delivered"  // a fax arrived
	Failed     State = "failed"     // could not be faxed and will not be (e.g. the document could not be made)
	Petitioned State = "petitioned" // every number failed or was down: the name went to the petition
	GaveUp     State = "gave-up"    // every number failed and the petition endpoint refused it
	Unknown    State = "unknown"    // an attempt's outcome was lost and could not be reconciled: the organizer decides
	Submitted  State = "submitted"  // the gateway took it and cannot report delivery (email to fax)
)

// States lists every state, in the order reports show them.
func States() []State {
	return []State{Queued, Sending, Delivered, Submitted, Petitioned, Failed, GaveUp, Unknown}
}

// Terminal reports whether a submission in s is done with.
func (s State) Terminal() bool { return s != Queued && s != Sending }

// AttemptState is where one attempt to fax one number is.
type AttemptState string

const (
	AttemptIntent    AttemptState = "intent"    // recorded, the gateway is being called: outcome unknown until recorded
	AttemptAccepted  AttemptState = "accepted"  // the gateway took it (VendorID set) and is sending it
	AttemptDelivered AttemptState = "delivered" //
	AttemptFailed    AttemptState = "failed"    // the gateway reported failure (Reason)
	AttemptSubmitted AttemptState = "submitted" // the gateway took it and cannot report more
	AttemptNotSent   AttemptState = "not-sent"  // the gateway did not take it (refused, or not found after a crash)
	AttemptUnknown   AttemptState = "unknown"   // lost: may or may not have been sent
)

// Done reports whether the attempt has its outcome.
func (s AttemptState) Done() bool { return s != AttemptIntent && s != AttemptAccepted }

// Submission is one signer on one campaign.
type Submission struct {
	ID       int64  `json:"id"`
	Campaign string `json:"campaign"`
	Key      string `json:"key"` // the signer's identity (letter.SignerKey); unique per campaign
	// Seq orders the queue: set at Enqueue, moved to the end by Requeue.
	Seq     int64  `json:"seq"`
	Name    string `json:"name"`
	City    string `json:"city"`
	Country string `json:"country"`
	Email   string `json:"email,omitempty"`
	Note    string `json:"note,omitempty"`
	Lang    string `json:"lang,omitempty"`
	// Redirect is the rehearsal number (+E164) the submission was queued
	// for; empty for the real campaign. Only a run with the same redirect
	// dispatches it.
	Redirect string `json:"redirect,omitempty"`

	State     State     `json:"state"`
	Number    string    `json:"number,omitempty"`     // the number of the latest attempt
	Attempts  int       `json:"attempts"`             // attempts so far
	DocSHA256 string    `json:"doc_sha256,omitempty"` // of the latest document faxed
	Pages     int       `json:"pages,omitempty"`
	Reason    string    `json:"reason,omitempty"`  // why it is in State (gateway reason vocabulary, or e.g. "no-petition")
	Message   string    `json:"message,omitempty"` // a sentence for people
	Created   time.Time `json:"created"`
	Updated   time.Time `json:"updated"`
}

// Attempt is one try to fax a submission to one number.
type Attempt struct {
	ID           int64        `json:"id"`
	SubmissionID int64        `json:"submission_id"`
	N            int          `json:"n"`   // 1, 2, ... within the submission
	Key          string       `json:"key"` // the idempotency key given to the gateway
	Number       string       `json:"number"`
	Driver       string       `json:"driver"`
	VendorID     string       `json:"vendor_id,omitempty"`
	State        AttemptState `json:"state"`
	Reason       string       `json:"reason,omitempty"`
	Code         string       `json:"code,omitempty"`
	Message      string       `json:"message,omitempty"`
	Started      time.Time    `json:"started"`
	Finished     time.Time    `json:"finished,omitzero"`
}

// NumberHealth is what the journal knows of one of the target's fax numbers.
type NumberHealth struct {
	Campaign            string    `json:"campaign"`
	Number              string    `json:"number"`
	DownUntil           time.Time `json:"down_until,omitzero"` // the circuit breaker's cool-down; zero = up
	ConsecutiveFailures int       `json:"consecutive_failures"`
	LastResult          string    `json:"last_result,omitempty"` // "delivered" or a failure reason
	LastAt              time.Time `json:"last_at,omitzero"`
	Delivered           int       `json:"delivered"`
	Attempts            int       `json:"attempts"`
}

// Down reports whether the number is in its cool-down at t.
func (h NumberHealth) Down(t time.Time) bool { return t.Before(h.DownUntil) }

// PetitionRecord is a signer's name delivered to the petition endpoint.
type PetitionRecord struct {
	SubmissionID int64     `json:"submission_id"`
	Campaign     string    `json:"campaign"`
	Key          string    `json:"key"`
	ID           string    `json:"id,omitempty"` // the endpoint's id for the signature
	Duplicate    bool      `json:"duplicate,omitempty"`
	Signed       time.Time `json:"signed"`
}

// Receipt is one fax a gateway accepted, for the campaign report.
type Receipt struct {
	Campaign  string       `json:"campaign"`
	Key       string       `json:"key"`
	Name      string       `json:"name"`
	Number    string       `json:"number"`
	Driver    string       `json:"driver"`
	VendorID  string       `json:"vendor_id"`
	DocSHA256 string       `json:"doc_sha256"`
	Pages     int          `json:"pages"`
	State     AttemptState `json:"state"`
	Reason    string       `json:"reason,omitempty"`
	Started   time.Time    `json:"started"`
	Finished  time.Time    `json:"finished,omitzero"`
}

// ErrNotFound is returned when a looked-up record is not in the journal.
var ErrNotFound = errors.New("not in the journal")

// ErrAmbiguous is returned when a reference (a key prefix) could name more
// than one record: it is too short, or several keys start with it.
var ErrAmbiguous = errors.New("ambiguous reference")

// ErrClosed is returned by calls on a closed Journal.
var ErrClosed = errors.New("journal is closed")

// Journal is an open journal file. It is safe for concurrent use. Writes
// from concurrent callers are grouped into one transaction (one sync), each
// in its own savepoint, so an attempt's intent is durable before the call
// without paying one fsync per fax.
type Journal struct {
	path   string
	wdb    *sql.DB // one connection: SQLite has one writer
	rdb    *sql.DB // readers, query_only
	writes chan writeReq
	quit   chan struct{}
	done   chan struct{}
}

type writeReq struct {
	fn   func(tx *sql.Tx) error
	errc chan error
}

// maxGroup bounds how many writes share one transaction.
const maxGroup = 256

// Open opens the journal at path, creating it (mode 0600, directory 0700)
// and migrating its schema as needed.
func Open(path string) (*Journal, error) {
	if path == "" {
		return nil, fmt.Errorf("journal: no path given")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	// Create the file ourselves so it is 0600 from its first byte: SQLite
	// would create it with the umask's default, and it holds people's names.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	// An existing file made by hand or an older tool may be readable by
	// others: tighten it.
	if err := os.Chmod(path, 0o600); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	dsn := func(pragmas ...string) string {
		q := url.Values{}
		q.Add("_pragma", "busy_timeout(10000)")
		for _, p := range pragmas {
			q.Add("_pragma", p)
		}
		return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	}
	// secure_delete: freed space and pages are zeroed, so data deleted by
	// retention or forget (forget.go) does not linger in the file.
	// synchronous=FULL: in WAL mode each commit syncs the log, so an intent
	// survives a power cut, not only a killed process; grouping writes keeps
	// that affordable.
	wdb, err := sql.Open("sqlite", dsn("journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)", "secure_delete(1)")+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetConnMaxIdleTime(0)
	j := &Journal{path: path, wdb: wdb, writes: make(chan writeReq), quit: make(chan struct{}), done: make(chan struct{})}
	ctx := context.Background()
	if err := j.migrate(ctx); err != nil {
		wdb.Close()
		return nil, err
	}
	rdb, err := sql.Open("sqlite", dsn("query_only(1)"))
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	rdb.SetMaxOpenConns(4)
	j.rdb = rdb
	go j.commitLoop()
	return j, nil
}

// Path is the journal's file.
func (j *Journal) Path() string { return j.path }

// Close finishes pending writes and closes the file.
func (j *Journal) Close() error {
	select {
	case <-j.quit:
		return nil
	default:
	}
	close(j.quit)
	<-j.done
	return errors.Join(j.rdb.Close(), j.wdb.Close())
}

// write runs fn in a transaction shared with concurrent writers and returns
// once it is committed (or failed). Once handed over, a write is waited for
// even if ctx ends, so the caller never mistakes a committed write for a
// lost one.
func (j *Journal) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	req := writeReq{fn: fn, errc: make(chan error, 1)}
	select {
	case j.writes <- req:
	case <-j.quit:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-req.errc
}

func (j *Journal) commitLoop() {
	defer close(j.done)
	for {
		var batch []writeReq
		select {
		case r := <-j.writes:
			batch = append(batch, r)
		case <-j.quit:
			return
		}
	more:
		for len(batch) < maxGroup {
			select {
			case r := <-j.writes:
				batch = append(batch, r)
			default:
				break more
			}
		}
		errs, err := j.commit(batch)
		for i, r := range batch {
			if err != nil {
				r.errc <- err
			} else {
				r.errc <- errs[i]
			}
		}
	}
}

// commit runs each write of batch in its own savepoint of one transaction:
// a write that fails is rolled back alone.
func (j *Journal) commit(batch []writeReq) ([]error, error) {
	ctx := context.Background()
	tx, err := j.wdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("journal %s: begin: %w", j.path, err)
	}
	errs := make([]error, len(batch))
	for i, r := range batch {
		if len(batch) == 1 {
			errs[i] = r.fn(tx)
			if errs[i] != nil {
				tx.Rollback()
				return errs, nil
			}
			break
		}
		if _, err := tx.Exec("SAVEPOINT w"); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("journal %s: savepoint: %w", j.path, err)
		}
		if errs[i] = r.fn(tx); errs[i] != nil {
			if _, err := tx.Exec("ROLLBACK TO w"); err != nil {
				tx.Rollback()
				return nil, fmt.Errorf("journal %s: rollback to savepoint: %w", j.path, err)
			}
		}
		if _, err := tx.Exec("RELEASE w"); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("journal %s: release savepoint: %w", j.path, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("journal %s: commit: %w", j.path, err)
	}
	return errs, nil
}

// unix and fromUnix store times as Unix nanoseconds, 0 for none.
func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnix(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
