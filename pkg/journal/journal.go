// Package journal owns the durable record of a campaign's dispatch: every
// submission (one signer on one campaign), every attempt to fax it (written
// as an intent before the gateway is called and completed with its outcome
// after), the health of each fax number, and the petition fallback. It is an
// SQLite file (pure-Go modernc.org/sqlite, WAL) created 0600, because it
// holds signers' names and addresses.
//
// The same journal lives in PostgreSQL for several processes sharing one
// campaign (the hub with --db postgres://): OpenPostgres, or OpenDSN for
// either kind by its DSN, with one SQL implementation for both (see
// dialect.go). Every process may record and read; exactly one dispatches,
// elected by pkg/leader — the file lock (Acquire) is SQLite's, for
// processes on one machine.
//
//	j, err := journal.OpenDSN(ctx, "postgres://faxjam@db/faxjam") // or a file path
//
// A journal is marked: a meta table written when it is created (format,
// origin, creation time) and the campaigns it serves. Open refuses a file
// that is not what it was, and Claim a journal of another campaign.
//
// Which failures are survivable:
//   - The process killed at any instant (SIGKILL, a crash, Ctrl-C): every
//     write is a committed transaction or nothing, and an attempt's intent
//     is durable before the gateway is called, so a run started again
//     finds every interrupted attempt and reconciles it (pkg/dispatch).
//   - Power loss: synchronous=FULL in WAL mode syncs each commit, so what a
//     run was told is written survives it.
//   - A crash while a new journal is being made: it is made under a
//     temporary name and linked into place whole; the leftover is removed.
//   - A journal of an older faxjam: migrated in place, one version per
//     transaction; it keeps serving the campaigns it holds.
//
// Which are not, and are refused instead of taken for a new journal (that
// would fax every recorded signer again): a file truncated to 0 bytes, a
// file that does not begin as an SQLite database (its first page zeroed or
// overwritten), a damaged page anywhere (SQLite's quick_check at Open), a
// database without a schema or whose marker was lost, a journal of another
// campaign given as a --journal FILE (Claim), and a schema newer than this faxjam knows. The
// organizer restores the file from a backup. A journal that is lost
// outright (deleted) cannot be told from a first run: the dispatcher then
// looks each signer's deterministic attempt keys up at the gateway before
// the first fax, while CheckKeys says so, which catches what a gateway that
// can look up by key knows; a gateway that cannot look up will fax again.
// Keep backups of the journal; it is the campaign's record.
//
// People are found by their signer key (letter.SignerKey: a SHA-256 of the
// campaign, name, city, country and e-mail), which stays deterministic
// because the gateway's and the petition's idempotency keys are made from
// it. Forget blanks a person's data and replaces that key, in the
// submission, its finished attempts and its petition record, with a
// tombstone: HMAC-SHA256 under the journal's own random secret (setting
// journal.person-secret, made with the journal; person.go). The person is
// still recognized when they come back (Enqueue, Accept: never faxed
// twice), but the key left no longer confirms a guessed identity by
// itself, nor links to the keys the gateway and the petition were given:
// testing a guess takes the secret too. The secret is kept in the journal
// so that tombstones work wherever it goes (a backup, another hub on the
// same database); the whole file, secret included, stays 0600. Journals of older
// faxjams get the secret and their forgotten people's tombstones when
// opened (migrateV5).
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
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver "pgx"
	_ "modernc.org/sqlite"             // the database/sql driver "sqlite"

	"github.com/faxjam/faxjam/pkg/sqlitecheck"
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
	return []State{Queued, Sending, Delivered, Submitted, Petitioned, Failed, GaveUp, Unknown, Unconfirmed, Expired}
}

// Terminal reports whether a submission in s is done with.
func (s State) Terminal() bool { return s != Queued && s != Sending && s != Unconfirmed }

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
	// Tried is when the latest request to the gateway for this attempt
	// began (the first at Started; a resend of the same attempt, same key,
	// moves it): a request lost in a crash may reach the gateway until
	// Tried + the request timeout + the driver's late margin.
	Tried    time.Time `json:"tried,omitzero"`
	Finished time.Time `json:"finished,omitzero"`
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
	// Held is why the number is held down until the organizer releases
	// it (Release): its recent calls all found no fax there (not in
	// service, a voice line). Empty: not held.
	Held string `json:"held,omitempty"`
	// Stats is its record counted from the attempts (NumberStats only).
	Stats *NumberStats `json:"stats,omitempty"`
}

// Down reports whether the number is held or in its cool-down at t.
func (h NumberHealth) Down(t time.Time) bool { return h.Held != "" || t.Before(h.DownUntil) }

// PetitionRecord is a signer's name delivered to the petition endpoint.
type PetitionRecord struct {
	SubmissionID int64     `json:"submission_id"`
	Campaign     string    `json:"campaign"`
	Key          string    `json:"key"`
	ID           string    `json:"id,omitempty"` // the endpoint's id for the signature
	Duplicate    bool      `json:"duplicate,omitempty"`
	Signed       time.Time `json:"signed"`
	// Reason and Message say why the signer went to the petition, when
	// not every number being down (the gateway was: "gateway-down").
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
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
	path   string // the file, or a PostgreSQL DSN without credentials
	fresh  bool
	pg     bool // PostgreSQL (OpenPostgres), not a SQLite file
	wdb    db   // one connection: SQLite has one writer
	rdb    db   // readers (query_only on SQLite)
	writes chan writeReq
	quit   chan struct{}
	done   chan struct{}
	clock  func() time.Time // SetClock; nil is time.Now
	secret []byte           // keys the tombstones of forgotten people (person.go)

	labelMu sync.Mutex
	labels  map[string]map[string]string // Label: campaign → number → label
}

// SetClock makes now the clock of the times the journal records (queued,
// attempts started and finished, petitioned), so they agree with the run's
// own clock: the letter's date is made again from them. Call it before
// any other method; nil is time.Now.
func (j *Journal) SetClock(now func() time.Time) { j.clock = now }

func (j *Journal) now() time.Time {
	if j.clock == nil {
		return time.Now()
	}
	return j.clock()
}

type writeReq struct {
	fn   func(tx *txn) error
	errc chan error
}

// maxGroup bounds how many writes share one transaction.
const maxGroup = 256

// Open opens the journal at path, creating it when there is no file there
// and migrating its schema as needed. A new journal is made whole under a
// temporary name and linked into place (mode 0600, directory 0700), so a
// file at path is always a complete journal or not faxjam's. An existing
// file that is not what it was — empty (0 bytes), not an SQLite database,
// damaged (a failed quick_check: a zeroed page), without a schema or with
// its marker missing — is refused with a *RefusedError: starting afresh
// over it would send every signer again.
func Open(path string) (*Journal, error) {
	if path == "" {
		return nil, fmt.Errorf("journal: no path given")
	}
	fresh := false
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if fresh, err = create(path); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, fmt.Errorf("journal: %w", err)
	case fi.IsDir():
		return nil, &RefusedError{Path: path, Why: "is a directory"}
	case fi.Size() == 0:
		return nil, &RefusedError{Path: path, Why: "is empty (0 bytes): it was truncated, or something other than faxjam made it"}
	}
	// An existing file made by hand or an older tool may be readable by
	// others: tighten it.
	if err := os.Chmod(path, 0o600); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if err := checkHeader(path); err != nil {
		return nil, err
	}
	// secure_delete: freed space and pages are zeroed, so data deleted by
	// retention or forget (forget.go) does not linger in the file.
	// synchronous=FULL: in WAL mode each commit syncs the log, so an intent
	// survives a power cut, not only a killed process; grouping writes keeps
	// that affordable.
	wdb, err := sql.Open("sqlite", dsn(path, "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)", "secure_delete(1)")+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetConnMaxIdleTime(0)
	j := &Journal{path: path, wdb: db{DB: wdb}, writes: make(chan writeReq), quit: make(chan struct{}), done: make(chan struct{})}
	ctx := context.Background()
	if err := j.verify(ctx); err != nil {
		wdb.Close()
		return nil, err
	}
	if err := j.migrate(ctx, false); err != nil {
		wdb.Close()
		return nil, err
	}
	if err := j.loadPersonSecret(ctx); err != nil {
		wdb.Close()
		return nil, err
	}
	rdb, err := sql.Open("sqlite", dsn(path, "query_only(1)"))
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	rdb.SetMaxOpenConns(4)
	j.rdb = db{DB: rdb}
	j.fresh = fresh
	go j.commitLoop()
	return j, nil
}

// OpenDSN opens the journal a DSN names: postgres:// or postgresql:// for
// PostgreSQL (OpenPostgres), anything else a SQLite file (Open; a
// sqlite:// prefix is allowed).
func OpenDSN(ctx context.Context, dsn string) (*Journal, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return OpenPostgres(ctx, dsn)
	}
	return Open(strings.TrimPrefix(dsn, "sqlite://"))
}

// OpenPostgres opens the journal in the PostgreSQL database dsn names,
// creating its schema in an empty database and migrating it as needed
// (one process at a time: the migration holds an advisory lock). Several
// processes may open one journal: every one may read and record
// submissions, and exactly one dispatches (pkg/leader elects it). A
// database that has journal tables without the journal's schema version,
// or whose marker is lost, is refused as Open refuses a file.
func OpenPostgres(ctx context.Context, dsn string) (*Journal, error) {
	where := redactDSN(dsn)
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", where, err)
	}
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("journal %s: %w", where, err)
	}
	// Writes keep one connection, as on SQLite: this process's writes are
	// grouped into one transaction each.
	wdb, err := sql.Open("pgx", dsn)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("journal %s: %w", where, err)
	}
	wdb.SetMaxOpenConns(1)
	pool.SetMaxOpenConns(8)
	j := &Journal{path: where, pg: true, wdb: db{DB: wdb, pg: true}, rdb: db{DB: pool, pg: true},
		writes: make(chan writeReq), quit: make(chan struct{}), done: make(chan struct{})}
	err = j.migrate(ctx, false)
	if err == nil {
		err = j.loadPersonSecret(ctx)
	}
	if err != nil {
		wdb.Close()
		pool.Close()
		return nil, err
	}
	go j.commitLoop()
	return j, nil
}

// redactDSN is dsn without its credentials and parameters, for messages.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	u.User, u.RawQuery = nil, ""
	return u.String()
}

// dsn is the database/sql name of the SQLite file at path with pragmas.
func dsn(path string, pragmas ...string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// create makes a new journal at path: whole under a temporary name, then
// linked into place, which fails if another process made one first (then
// that one is opened). It reports whether the journal at path is the one
// it made.
func create(path string) (bool, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return false, fmt.Errorf("journal: %w", err)
	}
	tmp := fmt.Sprintf("%s.new-%d", path, os.Getpid())
	defer removeDB(tmp)
	removeDB(tmp) // left by a crash
	// Create the file ourselves so it is 0600 from its first byte: SQLite
	// would create it with the umask's default, and it holds people's names.
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return false, fmt.Errorf("journal: %w", err)
	}
	if err := f.Close(); err != nil {
		return false, fmt.Errorf("journal: %w", err)
	}
	sdb, err := sql.Open("sqlite", dsn(tmp, "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)"))
	if err != nil {
		return false, fmt.Errorf("journal %s: %w", path, err)
	}
	sdb.SetMaxOpenConns(1)
	nj := &Journal{path: path, wdb: db{DB: sdb}}
	err = nj.migrate(context.Background(), true)
	if err == nil {
		_, err = sdb.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	}
	if cerr := sdb.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = syncFile(tmp)
	}
	if err != nil {
		return false, fmt.Errorf("journal %s: create: %w", path, err)
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return false, nil
		}
		// A file system without hard links: rename, which could replace a
		// journal another process made this instant (the writers' lock,
		// Acquire, is taken before Open, so none is).
		if _, serr := os.Stat(path); serr == nil {
			return false, nil
		}
		if err := os.Rename(tmp, path); err != nil {
			return false, fmt.Errorf("journal: %w", err)
		}
	}
	if err := syncFile(filepath.Dir(path)); err != nil {
		return false, fmt.Errorf("journal: %w", err)
	}
	return true, nil
}

func removeDB(p string) {
	for _, s := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(p + s)
	}
}

func syncFile(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// checkHeader refuses a file that does not begin as an SQLite database: its
// first page was overwritten (zeroed) or it is something else.
func checkHeader(path string) error {
	if err := sqlitecheck.File(path); err != nil {
		return refused(path, err)
	}
	return nil
}

// verify runs SQLite's quick_check: a page zeroed or torn is found here,
// before anything is read as if it were the journal.
func (j *Journal) verify(ctx context.Context) error {
	if j.pg {
		return nil // PostgreSQL checks its own pages
	}
	if err := sqlitecheck.Quick(ctx, j.wdb.DB); err != nil {
		return refused(j.path, err)
	}
	return nil
}

// refused is a sqlitecheck problem as the journal's RefusedError.
func refused(path string, err error) error {
	var p *sqlitecheck.Problem
	if errors.As(err, &p) {
		return &RefusedError{Path: path, Why: p.Why}
	}
	return fmt.Errorf("journal: %w", err)
}

// RefusedError says a journal file is not what it was (empty, damaged, not a
// journal, its marker lost) and was not opened: taking it for a new journal
// would fax every signer again.
type RefusedError struct {
	Path string
	Why  string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("journal %s %s; faxjam will not start afresh over it, since every signer it recorded would be faxed again: restore it from a backup, or, if nothing was ever sent with it, move it away", e.Path, e.Why)
}

// CampaignError says a journal serves other campaigns than the one a run
// is for.
type CampaignError struct {
	Path     string
	Campaign string   // the run's
	Holds    []string // the journal's
}

func (e *CampaignError) Error() string {
	return fmt.Sprintf("journal %s is the journal of campaign %s, not of %s: a journal made for one campaign never takes another's signers (a wrong file or a copy would send them all again); give the journal of %s, or --journal with a new file",
		e.Path, strings.Join(e.Holds, ", "), e.Campaign, e.Campaign)
}

// Claim checks that the journal serves campaign before a run dispatches
// from it, and records it. A journal made by this faxjam serves the
// campaign it was first claimed for only, unless shared (the data dir's
// default journal, which every campaign run from that data dir uses):
// another campaign's run is refused with a *CampaignError. A journal of an
// older faxjam (before the marker) serves the campaigns it holds and takes
// new ones, as journals were shared then.
func (j *Journal) Claim(ctx context.Context, campaign string, shared bool) error {
	var origin string
	if err := j.rdb.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'origin'").Scan(&origin); err != nil {
		return fmt.Errorf("journal %s: read its marker: %w", j.path, err)
	}
	rows, err := j.rdb.QueryContext(ctx, "SELECT campaign FROM campaigns ORDER BY campaign")
	if err != nil {
		return fmt.Errorf("journal %s: campaigns: %w", j.path, err)
	}
	var holds []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return fmt.Errorf("journal %s: campaigns: %w", j.path, err)
		}
		holds = append(holds, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("journal %s: campaigns: %w", j.path, err)
	}
	if slices.Contains(holds, campaign) {
		return nil
	}
	if len(holds) > 0 && origin != originMigrated && !shared {
		return &CampaignError{Path: j.path, Campaign: campaign, Holds: holds}
	}
	err = j.write(ctx, func(tx *txn) error {
		_, err := tx.Exec("INSERT INTO campaigns (campaign, added) VALUES (?, ?) ON CONFLICT DO NOTHING", campaign, unix(j.now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("journal %s: claim for campaign %s: %w", j.path, campaign, err)
	}
	return nil
}

// Fresh reports whether this Open created the journal.
func (j *Journal) Fresh() bool { return j.fresh }

// CheckKeys reports whether the journal is new since its first complete
// run: until then, a signer queued in it may have been faxed through a
// journal that was lost, and a dispatcher that can look faxes up by key
// asks the gateway before a signer's first fax (insurance against a lost
// journal). KeysChecked ends it.
func (j *Journal) CheckKeys(ctx context.Context) (bool, error) {
	var v string
	err := j.rdb.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'check_keys'").Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("journal %s: meta: %w", j.path, err)
	}
	return v == "1", nil
}

// Probe writes and syncs one small record, as an accepted action would: an
// error says the journal cannot take writes now (a full disk, a read-only
// file system, a database gone), for a health check.
func (j *Journal) Probe(ctx context.Context) error {
	err := j.write(ctx, func(tx *txn) error {
		_, err := tx.Exec("INSERT INTO meta (key, value) VALUES ('probe', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			strconv.FormatInt(j.now().UnixNano(), 10))
		return err
	})
	if err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	return nil
}

// RequireKeyCheck makes CheckKeys true again, as for a new journal: a
// journal put back from a backup may not know of faxes sent after the
// backup was taken, so before a signer's first fax the dispatcher asks the
// gateway whether it already has it (faxjam hub restore).
func (j *Journal) RequireKeyCheck(ctx context.Context) error {
	err := j.write(ctx, func(tx *txn) error {
		_, err := tx.Exec("INSERT INTO meta (key, value) VALUES ('check_keys', '1') ON CONFLICT (key) DO UPDATE SET value = '1'")
		return err
	})
	if err != nil {
		return fmt.Errorf("journal %s: meta: %w", j.path, err)
	}
	return nil
}

// KeysChecked records that every signer queued so far has been checked (a
// run ended with the campaign done): CheckKeys is false from now on.
func (j *Journal) KeysChecked(ctx context.Context) error {
	err := j.write(ctx, func(tx *txn) error {
		_, err := tx.Exec("DELETE FROM meta WHERE key = 'check_keys'")
		return err
	})
	if err != nil {
		return fmt.Errorf("journal %s: meta: %w", j.path, err)
	}
	return nil
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
func (j *Journal) write(ctx context.Context, fn func(tx *txn) error) error {
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
	stx, err := j.wdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("journal %s: begin: %w", j.path, err)
	}
	tx := &txn{Tx: stx, pg: j.pg}
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
