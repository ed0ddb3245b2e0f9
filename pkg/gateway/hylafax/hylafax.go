// Package hylafax is the gateway driver for a self-hosted HylaFAX server:
// hylafax://USER[:PASS]@host[:4559]. It speaks hfaxd's client protocol
// (docs/gateways.md §6) directly: an FTP-like control connection with RFC
// 959 replies (net/textproto, multi-line replies included) and passive data
// connections for uploads and queue listings. It imports pkg/gateway and
// nothing else of faxjam's.
//
// Send: USER/PASS, TYPE I, FORM TIFF|PDF, STOT (upload on a PASV data
// connection; the TIFF class F pages when the fax has them, which spares the
// server a Ghostscript conversion, else the PDF), JNEW, JPARM FROMUSER,
// NOTIFYADDR, DIALSTRING, LASTTIME 000259, MAXDIALS, MAXTRIES, VRES 196,
// NOTIFY NONE, JOBINFO <key>, DOCUMENT, JSUBM, QUIT. The job id comes from
// JNEW's "jobid: N". Status: JOB N, JPARM STATE / STATUS / STATUSCODE /
// NPAGES (hfaxd finds a job in doneq when it left sendq). Lookup: JOBFMT
// "%j|%a|%v|%J" and LIST sendq, LIST doneq.
//
// Looked up in ifax/HylaFAX (hfaxd/Parser.c++, hfaxd/Jobs.c++) and checked
// against Debian's hylafax-server 6.0.7:
//   - there is no JPARM JOBTAG: the job tag (sendq "jobtag", JOBFMT %J,
//     sendfax -i) is set with JPARM JOBINFO (USRKEY is an alias). It holds
//     the idempotency key. hfaxd lets any user read it in a queue listing.
//   - string values are quoted ("..." with backslash escapes; a backslash
//     before digits is an octal escape), so keys and names with spaces,
//     commas or quotes arrive intact; control characters are refused.
//   - JPARM may only change a SUSPENDED job; a JNEW job is suspended until
//     JSUBM. A job left suspended by a connection that died before JSUBM is
//     not one faxjam submitted, so Lookup ignores suspended jobs.
//   - LASTTIME is required in practice (without it faxq kills the job with
//     "Kill time expired"); sendfax sends 000259.
//   - a killed job ends FAILED with STATUS "Job aborted by request"
//     (STATUSCODE 345).
//   - the fax header: the server images a tag line at the top of every
//     page (sendq(5) "tagline", hylafax-config(5) TagLineFormat) when the
//     job asks for its own with JPARM USETAGLINE (sendq "desiredtl") and
//     gives it as JPARM TAGLINE; strftime escapes are the time of sending
//     (the server's clock and zone), %%P/%%T the page and pages. faxjam
//     sends "date time|sender|station|Page %%P of %%T", the fields
//     centred ("|"), the sender as FROMCOMPANY too. JPARM TSI sets the
//     station id the modem sends (csid=; the device may be configured to
//     send its LocalIdentifier instead), FAXNUMBER the sending number
//     (from=).
//
// Dial strings: by default the E.164 number is passed as is ("+12025550142")
// and the server's dial rules (etc/dialrules, CountryCode, LongDistancePrefix,
// InternationalPrefix) turn the canonical "+" form into what its line needs,
// which is what HylaFAX's rules are written for. `dial=` is a pattern for
// servers without such rules ({e164} or {digits}, e.g. dial=011{digits}),
// `dialprefix=` is put in front (e.g. "9," for an outside line).
//
// Errors: 530 and refused logins are auth; 4xx replies, refused or broken
// connections, timeouts and garbled replies are gateway-error (retryable);
// other 5xx replies are rejected with the server's text. Completion is
// learned by polling: HylaFAX reports by e-mail only (NOTIFY NONE here).
//
// Idempotency (DedupeByKey): no. hfaxd has no idempotency: every JNEW makes
// a new job, and JOBINFO (the job tag carrying the key) is a label that
// Lookup searches the send and done queues for, not a key hfaxd refuses
// twice. After a crash or a lost reply faxjam waits until the call's
// timeout (the timeout= option, RequestTimeout) + LateMargin since the call
// began, then looks the tag up. LateMargin is 10 s: hfaxd works on one
// client session at a time and a job is queued at JSUBM, within the
// session.
package hylafax

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/faxjam/faxjam/pkg/e164"
	"github.com/faxjam/faxjam/pkg/gateway"
)

// DefaultPort is hfaxd's client protocol port (config.h FAX_DEFPORT).
const DefaultPort = "4559"

// killTime is LASTTIME: the job may be tried for 2 h 59 min (DDHHMM), as
// sendfax does; after that faxq fails it with "Kill time expired".
const killTime = "000259"

// Driver declares the hylafax driver.
func Driver() gateway.Driver {
	return gateway.Driver{
		DedupeByKey: false,
		LateMargin:  10 * time.Second,
		Scheme:      "hylafax",
		Summary:     "self-hosted HylaFAX server (hfaxd client protocol; dials real lines)",
		Syntax:      "hylafax://USER[:PASS]@host[:4559][?notify=EMAIL&dial={e164}&dialprefix=9,]",
		Example:     "hylafax://faxjam:secret@fax.example.org:4559?notify=organizer@example.org",
		// HylaFAX dials real telephone lines through its modems.
		RealNetwork: true,
		// hfaxd transmits TIFF class F as is; a PDF it would have to
		// convert with Ghostscript on the server.
		WantsTIFF: true,
		// The server images the header (tag line) faxjam asks for.
		Header: true,
		// hfaxd has no upload limit of its own; 50 MB bounds what a
		// one-page letter could ever be and keeps a mistake off the spool.
		MaxDocument:    50 << 20,
		StationOptions: []string{"csid", "from"},
		Options: []gateway.Option{
			{Name: "user", Place: gateway.InUser, Required: true, Help: "HylaFAX login (etc/hosts.hfaxd)"},
			{Name: "password", Place: gateway.InPassword, Secret: true, Help: "password, when hosts.hfaxd demands one"},
			{Name: "host", Place: gateway.InHost, Required: true, Help: "server host[:port]; port 4559 by default"},
			{Name: "notify", Place: gateway.InQuery, Help: "NOTIFYADDR: e-mail address for the server's notices (faxjam asks for none); default the user"},
			{Name: "dial", Place: gateway.InQuery, Default: "{e164}", Help: "dial string pattern: {e164} (+12025550142, for the server's dial rules) or {digits} (12025550142)"},
			{Name: "dialprefix", Place: gateway.InQuery, Help: `put before every dial string, e.g. "9," for an outside line`},
			{Name: "maxdials", Place: gateway.InQuery, Default: "3", Help: "MAXDIALS: calls the server makes before it gives up (busy, no answer)"},
			{Name: "maxtries", Place: gateway.InQuery, Default: "3", Help: "MAXTRIES: transmissions the server attempts before it gives up"},
			{Name: "timeout", Place: gateway.InQuery, Default: "30s", Help: "limit for one call to the server (connect, upload, replies)"},
			gateway.CSIDOption("TSI: the station id the modem sends and the header shows (default: the server's LocalIdentifier)"),
			{Name: "from", Place: gateway.InQuery, Help: "FAXNUMBER: the sending number, E.164 (write + as %2B or +); the header shows it when csid= is not set"},
		},
		Open: open,
	}
}

// Gateway is an opened hylafax:// URL.
type Gateway struct {
	addr     string
	host     string
	user     string
	password string
	notify   string
	dial     string
	prefix   string
	maxDials int
	maxTries int
	timeout  time.Duration
	csid     string // TSI
	from     string // FAXNUMBER, E.164
}

var dialRE = regexp.MustCompile(`^[0-9+*#,;wWpPtT() -]*$`)

func open(u *url.URL, _ gateway.Env) (gateway.Gateway, error) {
	d := Driver()
	v, err := d.Values(u)
	if err != nil {
		return nil, err
	}
	g := &Gateway{user: v["user"], password: v["password"], notify: v["notify"], dial: v["dial"], prefix: v["dialprefix"]}
	g.host = u.Hostname()
	if g.host == "" {
		return nil, fmt.Errorf("hylafax: gateway URL has no host; syntax: %s", d.Syntax)
	}
	port := u.Port()
	if port == "" {
		port = DefaultPort
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, fmt.Errorf("hylafax: port %q is not a TCP port", port)
	}
	g.addr = net.JoinHostPort(g.host, port)
	if g.notify == "" {
		g.notify = g.user
	}
	for name, s := range map[string]string{"user": g.user, "password": g.password, "notify": g.notify} {
		if _, err := quote(s); err != nil {
			return nil, fmt.Errorf("hylafax: %s: %v", name, err)
		}
	}
	if !strings.Contains(g.dial, "{e164}") && !strings.Contains(g.dial, "{digits}") {
		return nil, fmt.Errorf("hylafax: dial=%q must contain {e164} or {digits}", g.dial)
	}
	rest := strings.NewReplacer("{e164}", "", "{digits}", "").Replace(g.dial)
	if !dialRE.MatchString(rest) || !dialRE.MatchString(g.prefix) {
		return nil, fmt.Errorf("hylafax: dial=%q dialprefix=%q: only digits, + * # , ; W P T ( ) - and spaces may surround the number", g.dial, g.prefix)
	}
	if g.maxDials, err = count("maxdials", v["maxdials"]); err != nil {
		return nil, err
	}
	if g.maxTries, err = count("maxtries", v["maxtries"]); err != nil {
		return nil, err
	}
	if g.timeout, err = time.ParseDuration(v["timeout"]); err != nil || g.timeout <= 0 {
		return nil, fmt.Errorf("hylafax: timeout=%q is not a positive duration (e.g. 30s)", v["timeout"])
	}
	if g.csid, err = gateway.CSID("hylafax", "csid", v["csid"]); err != nil {
		return nil, err
	}
	if g.from, err = gateway.CallerID("hylafax", v["from"]); err != nil {
		return nil, err
	}
	return g, nil
}

// Station is the station id the header shows: csid=, else from=.
func (g *Gateway) Station() string { return cmp.Or(g.csid, g.from) }

// tagLine is the JPARM TAGLINE format of fax's header: the time of
// sending (strftime, the server's clock), the sender, the station, the
// page; "|" centres each in a field of its own. A "%" in the text is
// doubled so it prints as itself.
func (g *Gateway) tagLine(fax gateway.Fax) string {
	lit := strings.NewReplacer("%", "%%", "|", "/")
	parts := []string{"%Y-%m-%d %H:%M %Z", lit.Replace(fax.SenderID)}
	if st := g.Station(); st != "" {
		parts = append(parts, st)
	}
	return strings.Join(append(parts, "Page %%P of %%T"), "|")
}

func count(name, s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 255 {
		return 0, fmt.Errorf("hylafax: %s=%q must be a number from 1 to 255", name, s)
	}
	return n, nil
}

// dialString turns an E.164 number into the job's DIALSTRING.
func (g *Gateway) dialString(number string) string {
	return g.prefix + strings.NewReplacer("{e164}", number, "{digits}", e164.Digits(number)).Replace(g.dial)
}

// connect opens a control connection and logs in. The call's deadline (the
// context's, or the timeout option's when sooner) is set on the connection,
// and a cancelled context unblocks any read or write at once.
func (g *Gateway) connect(ctx context.Context) (*conn, error) {
	deadline := time.Now().Add(g.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	dctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	var d net.Dialer
	nc, err := d.DialContext(dctx, "tcp", g.addr)
	if err != nil {
		return nil, err
	}
	nc.SetDeadline(deadline)
	host, _, _ := net.SplitHostPort(nc.RemoteAddr().String())
	c := &conn{nc: nc, tp: textproto.NewConn(nc), host: host, deadline: deadline}
	c.stop = context.AfterFunc(ctx, func() { nc.SetDeadline(time.Unix(1, 0)) })
	if err := g.login(c); err != nil {
		c.stop()
		c.tp.Close()
		return nil, err
	}
	return c, nil
}

func (g *Gateway) login(c *conn) error {
	if _, err := c.read("greeting", 2); err != nil {
		return err
	}
	user, _ := quote(g.user)
	if err := c.tp.PrintfLine("USER %s", user); err != nil {
		return err
	}
	rp, err := readReply(&c.tp.Reader)
	if err != nil {
		return err
	}
	switch rp.Code / 100 {
	case 2: // no password demanded (hosts.hfaxd line without one)
		return nil
	case 3:
	default:
		return &loginError{rp}
	}
	pass, _ := quote(g.password)
	if err := c.tp.PrintfLine("PASS %s", pass); err != nil {
		return err
	}
	rp, err = readReply(&c.tp.Reader)
	if err != nil {
		return err
	}
	if rp.Code/100 != 2 {
		return &loginError{rp}
	}
	return nil
}

// loginError is a refused USER or PASS.
type loginError struct{ Reply reply }

func (e *loginError) Error() string {
	return fmt.Sprintf("login refused: %d %s", e.Reply.Code, e.Reply.Msg)
}

// fail turns what went wrong in a call into a *gateway.Error. Server texts
// may echo the user name: the URL's credentials are scrubbed from every
// message.
func (g *Gateway) fail(ctx context.Context, op string, err error) *gateway.Error {
	if ge, ok := gateway.AsError(err); ok {
		return ge
	}
	e := &gateway.Error{Driver: "hylafax", Op: op, Reason: gateway.ReasonGatewayError, Err: errors.New(g.scrub(err.Error()))}
	var le *loginError
	var re *replyError
	var me *malformed
	switch {
	case errors.As(err, &le):
		e.Code = strconv.Itoa(le.Reply.Code)
		e.Message = "login refused: " + g.scrub(le.Reply.Msg)
		e.Reason = gateway.ReasonAuth
		if le.Reply.Code/100 == 4 {
			e.Reason = gateway.ReasonGatewayError
		}
	case errors.As(err, &re):
		e.Code = strconv.Itoa(re.Reply.Code)
		e.Message = g.scrub(re.Error())
		switch {
		case re.Reply.Code == 530:
			e.Reason = gateway.ReasonAuth
		case re.Reply.Code/100 == 5:
			e.Reason = gateway.ReasonRejected
		}
	case errors.As(err, &me):
		e.Message = g.scrub(me.Error())
	case ctx.Err() != nil:
		e.Message = fmt.Sprintf("gave up waiting for %s: %v", g.addr, ctx.Err())
	default:
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			e.Message = fmt.Sprintf("no answer from %s within the time limit", g.addr)
		} else {
			e.Message = g.scrub(err.Error())
		}
	}
	return e
}

func (g *Gateway) scrub(s string) string {
	for _, secret := range []string{g.password, g.user} {
		if len(secret) >= 3 {
			s = strings.ReplaceAll(s, secret, "***")
		}
	}
	return s
}

// Send submits one fax as one HylaFAX job.
func (g *Gateway) Send(ctx context.Context, fax gateway.Fax) (gateway.Receipt, error) {
	to, err := gateway.Prepare(Driver(), fax)
	if err != nil {
		return gateway.Receipt{}, err
	}
	doc, form := fax.PDF, "PDF"
	if len(fax.TIFF) > 0 {
		doc, form = fax.TIFF, "TIFF"
	}
	from := fax.Sender
	if from == "" {
		from = g.user
	}
	params := []struct{ name, value string }{
		{"FROMUSER", from},
		{"NOTIFYADDR", g.notify},
		{"DIALSTRING", g.dialString(to)},
	}
	if fax.SenderID != "" {
		params = append(params, struct{ name, value string }{"FROMCOMPANY", fax.SenderID})
	}
	if g.csid != "" {
		params = append(params, struct{ name, value string }{"TSI", g.csid})
	}
	if g.from != "" {
		params = append(params, struct{ name, value string }{"FAXNUMBER", g.from})
	}
	params = append(params, []struct{ name, value string }{{"TAGLINE", g.tagLine(fax)}, {"USETAGLINE", "YES"}}...)
	// Checked before connecting, so a bad value costs no half-built job.
	for _, p := range append(params, struct{ name, value string }{"JOBINFO", fax.Key}) {
		if _, err := quote(p.value); err != nil {
			return gateway.Receipt{}, &gateway.Error{Driver: "hylafax", Op: "send", Reason: gateway.ReasonRejected,
				Message: fmt.Sprintf("%s: %v", p.name, err)}
		}
	}
	c, err := g.connect(ctx)
	if err != nil {
		return gateway.Receipt{}, g.fail(ctx, "send", err)
	}
	defer c.close()
	id, submitted, err := g.submit(ctx, c, form, doc, params, fax.Key)
	if err != nil {
		ge := g.fail(ctx, "send", err)
		// JSUBM went out and its answer did not come back: the job may be
		// queued. Lookup by key reconciles; a blind resend could fax twice.
		ge.Accepted = submitted
		if id != "" && !submitted {
			// Best effort: drop the half-built job so it never lingers.
			c.cmd("JDELE", 2, "JDELE "+id)
		}
		return gateway.Receipt{}, ge
	}
	return gateway.Receipt{ID: id, Driver: "hylafax", To: to, State: gateway.Queued, Submitted: time.Now().UTC()}, nil
}

func (g *Gateway) submit(ctx context.Context, c *conn, form string, doc []byte, params []struct{ name, value string }, key string) (id string, submitted bool, err error) {
	if _, err := c.cmd("TYPE", 2, "TYPE I"); err != nil {
		return "", false, err
	}
	if _, err := c.cmd("FORM", 2, "FORM "+form); err != nil {
		return "", false, err
	}
	file, err := c.store(ctx, doc)
	if err != nil {
		return "", false, err
	}
	r, err := c.cmd("JNEW", 2, "JNEW")
	if err != nil {
		return "", false, err
	}
	if id, err = jobID(r.Msg); err != nil {
		return "", false, err
	}
	for _, p := range params {
		if err := c.jparm(p.name, p.value); err != nil {
			return id, false, err
		}
	}
	for _, line := range []string{
		"LASTTIME " + killTime,
		"MAXDIALS " + strconv.Itoa(g.maxDials),
		"MAXTRIES " + strconv.Itoa(g.maxTries),
		"VRES 196",
		"NOTIFY NONE",
	} {
		if _, err := c.cmd("JPARM "+strings.Fields(line)[0], 2, "JPARM "+line); err != nil {
			return id, false, err
		}
	}
	if key != "" {
		if err := c.jparm("JOBINFO", key); err != nil {
			return id, false, err
		}
	}
	if err := c.jparm("DOCUMENT", file); err != nil {
		return id, false, err
	}
	if err := c.tp.PrintfLine("JSUBM %s", id); err != nil {
		return id, false, err
	}
	if _, err := c.read("JSUBM", 2); err != nil {
		var re *replyError
		// A refusal is a definite answer: the job was not submitted.
		return id, !errors.As(err, &re), err
	}
	return id, true, nil
}

func validID(id string) bool {
	if id == "" || len(id) > 10 {
		return false
	}
	for _, r := range id {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Status reads a job's state; a job that left the send queue is found in
// the done queue by hfaxd itself.
func (g *Gateway) Status(ctx context.Context, id string) (gateway.Status, error) {
	if !validID(id) {
		return gateway.Status{}, &gateway.Error{Driver: "hylafax", Op: "status", Reason: gateway.ReasonRejected,
			Message: fmt.Sprintf("%q is not a HylaFAX job id (a number)", id)}
	}
	c, err := g.connect(ctx)
	if err != nil {
		return gateway.Status{}, g.fail(ctx, "status", err)
	}
	defer c.close()
	st, err := g.status(c, id)
	if err != nil {
		return gateway.Status{}, g.fail(ctx, "status", err)
	}
	return st, nil
}

func (g *Gateway) status(c *conn, id string) (gateway.Status, error) {
	if _, err := c.cmd("JOB", 2, "JOB "+id); err != nil {
		return gateway.Status{}, err
	}
	state, err := c.get("STATE")
	if err != nil {
		return gateway.Status{}, err
	}
	s, ok := stateOf(state)
	if !ok {
		return gateway.Status{}, &malformed{msg: fmt.Sprintf("job %s has state %q", id, state)}
	}
	st := gateway.Status{ID: id, State: s, Updated: time.Now().UTC()}
	if st.Message, err = c.get("STATUS"); err != nil {
		return gateway.Status{}, err
	}
	// STATUSCODE and NPAGES are HylaFAX 6 additions: older servers refuse
	// them, which costs only the detail.
	if code, err := c.get("STATUSCODE"); err == nil && code != "000" && code != "0" {
		st.Code = code
	}
	if n, err := c.get("NPAGES"); err == nil {
		st.Pages, _ = strconv.Atoi(n)
	}
	if s == gateway.Failed {
		st.Reason = reasonOf(st.Message, st.Code)
		st.Retryable = st.Reason.Retryable()
	}
	return st, nil
}

// jobFormat lists id, state symbol, dial string and job tag; the tag comes
// last so a key with "|" in it still parses.
const jobFormat = "%j|%a|%v|%J"

// Lookup finds the job submitted with key, in the send queue or the done
// queue (the newest when several carry it).
func (g *Gateway) Lookup(ctx context.Context, key string) (gateway.Receipt, bool, error) {
	if key == "" {
		return gateway.Receipt{}, false, nil
	}
	c, err := g.connect(ctx)
	if err != nil {
		return gateway.Receipt{}, false, g.fail(ctx, "lookup", err)
	}
	defer c.close()
	rc, ok, err := g.lookup(ctx, c, key)
	if err != nil {
		return gateway.Receipt{}, false, g.fail(ctx, "lookup", err)
	}
	return rc, ok, nil
}

func (g *Gateway) lookup(ctx context.Context, c *conn, key string) (gateway.Receipt, bool, error) {
	f, _ := quote(jobFormat)
	if _, err := c.cmd("JOBFMT", 2, "JOBFMT "+f); err != nil {
		return gateway.Receipt{}, false, err
	}
	var found []gateway.Receipt
	for _, dir := range []string{"sendq", "doneq"} {
		lines, err := c.list(ctx, dir)
		if err != nil {
			return gateway.Receipt{}, false, err
		}
		for _, l := range lines {
			if rc, ok := parseJobLine(l, key); ok {
				found = append(found, rc)
			}
		}
	}
	if len(found) == 0 {
		return gateway.Receipt{}, false, nil
	}
	sort.Slice(found, func(i, j int) bool {
		a, _ := strconv.Atoi(found[i].ID)
		b, _ := strconv.Atoi(found[j].ID)
		return a > b
	})
	return found[0], true, nil
}

// parseJobLine reads one jobFormat line and reports whether it is a
// submitted job carrying key. Suspended jobs ("T") were never submitted by
// faxjam (a connection lost between JNEW and JSUBM leaves one).
func parseJobLine(line, key string) (gateway.Receipt, bool) {
	f := strings.SplitN(line, "|", 4)
	if len(f) != 4 || f[3] != key || f[1] == "T" || !validID(strings.TrimSpace(f[0])) {
		return gateway.Receipt{}, false
	}
	st, ok := stateOfSymbol(f[1])
	if !ok {
		return gateway.Receipt{}, false
	}
	rc := gateway.Receipt{ID: strings.TrimSpace(f[0]), Driver: "hylafax", State: st}
	if to, err := e164.Normalize(f[2]); err == nil {
		rc.To = to
	}
	return rc, true
}

// Check logs in and out: credentials, reachability and hosts.hfaxd access.
func (g *Gateway) Check(ctx context.Context) error {
	c, err := g.connect(ctx)
	if err != nil {
		return g.fail(ctx, "check", err)
	}
	c.close()
	return nil
}

// RequestTimeout is the bound on one call (the timeout= option), so the
// dispatcher knows when a call it lost track of can no longer submit a job.
func (g *Gateway) RequestTimeout() time.Duration { return g.timeout }
