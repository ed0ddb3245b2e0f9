package hylafax

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/gateway/gatewaytest"
)

// fake is the contract fake of hfaxd: a loopback TCP server speaking the
// subset of the client protocol the driver uses, refusing what real hfaxd
// refuses (commands before login, JSUBM without DIALSTRING, NOTIFYADDR or
// FROMUSER, JPARM on a submitted job, unquoted garbage) and calling
// t.Errorf where the driver deviates from what a job needs to be sent
// (LASTTIME 000259, VRES 196, NOTIFY NONE, TYPE I before the upload, a FORM
// that matches the bytes, a DOCUMENT that was uploaded).
type fake struct {
	gatewaytest.Script
	t          *testing.T
	ln         net.Listener
	user, pass string

	mu    sync.Mutex
	conns map[net.Conn]bool
	files map[string][]byte   // STOT uploads by server file name
	jobs  map[string]*fakeJob // by hfaxd job id
	seq   int
	wg    sync.WaitGroup
}

type fakeJob struct {
	id      string
	params  map[string]string
	docs    []string
	script  string // gatewaytest job id, once submitted
	outcome gatewaytest.Outcome
}

func startFake(t *testing.T, user, pass string) *fake {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("fake hfaxd: %v", err)
	}
	f := &fake{t: t, ln: ln, user: user, pass: pass, conns: map[net.Conn]bool{},
		files: map[string][]byte{}, jobs: map[string]*fakeJob{}}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			f.mu.Lock()
			f.conns[c] = true
			f.mu.Unlock()
			f.wg.Add(1)
			go func() {
				defer f.wg.Done()
				defer func() {
					f.mu.Lock()
					delete(f.conns, c)
					f.mu.Unlock()
					c.Close()
				}()
				f.serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		f.mu.Lock()
		for c := range f.conns {
			c.Close()
		}
		f.mu.Unlock()
		f.wg.Wait()
	})
	return f
}

func (f *fake) addr() string { return f.ln.Addr().String() }

// session is one control connection's state, as hfaxd keeps it.
type session struct {
	f        *fake
	tp       *textproto.Conn
	outcome  gatewaytest.Outcome
	user     string
	loggedIn bool
	binary   bool
	form     string
	pasv     net.Listener
	cur      *fakeJob
	view     *fakeView // the job JOB selected, as seen at that poll
	jobFmt   string
}

type fakeView struct {
	id, state, status, code, pages string
}

func (f *fake) serve(c net.Conn) {
	s := &session{f: f, tp: textproto.NewConn(c), outcome: f.Take()}
	defer func() {
		if s.pasv != nil {
			s.pasv.Close()
		}
	}()
	if s.outcome.Kind == gatewaytest.Hang {
		io.Copy(io.Discard, c) // until the client gives up
		return
	}
	s.reply("220 fake server (HylaFAX (tm) Version 6.0.7) ready.")
	for {
		line, err := s.tp.ReadLine()
		if err != nil {
			return
		}
		verb, rest, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		if !s.loggedIn && verb != "USER" && verb != "PASS" && verb != "QUIT" {
			s.reply("530 Please login with USER and PASS.")
			continue
		}
		if !s.handle(verb, rest) {
			return
		}
	}
}

func (s *session) reply(format string, args ...any) { s.tp.PrintfLine(format, args...) }

func (s *session) errorf(format string, args ...any) {
	s.f.t.Helper()
	s.f.t.Errorf("fake hfaxd: "+format, args...)
}

// handle answers one command; false ends the connection.
func (s *session) handle(verb, rest string) bool {
	f := s.f
	switch verb {
	case "USER":
		u, ok := unquoteArg(rest)
		if !ok {
			s.reply("500 'USER %s': Syntax error, unmatched quote mark.", rest)
			return true
		}
		s.user = u
		s.reply("331 Password required for %s.", u)
	case "PASS":
		p, _ := unquoteArg(rest)
		switch {
		case s.user == "":
			s.reply("503 Login with USER first.")
		case s.outcome.Kind == gatewaytest.Unauthorized || s.user != f.user || p != f.pass:
			s.reply("530 Login incorrect.")
		default:
			s.loggedIn = true
			s.reply("230 User %s logged in.", s.user)
		}
	case "TYPE":
		if rest != "I" {
			s.errorf("TYPE %q: documents go in binary (TYPE I)", rest)
		}
		s.binary = rest == "I"
		s.reply("200 Type set to %s.", map[bool]string{true: "Image", false: "ASCII"}[s.binary])
	case "FORM":
		switch rest {
		case "PDF", "TIFF", "PS":
			s.form = rest
			s.reply("200 Format set to %s.", rest)
		default:
			s.reply("504 Unknown format %s.", rest)
		}
	case "PASV":
		if s.pasv != nil {
			s.pasv.Close()
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			s.reply("425 Cannot open passive connection.")
			return true
		}
		s.pasv = ln
		p := ln.Addr().(*net.TCPAddr).Port
		s.reply("227 Entering passive mode (127,0,0,1,%d,%d)", p/256, p%256)
	case "STOT":
		s.stot()
	case "JNEW":
		switch s.outcome.Kind {
		case gatewaytest.ServerError:
			s.reply("421 Service not available, closing control connection.")
			return false
		case gatewaytest.Malformed:
			s.reply("2O0 New job created: jobid: ?")
			s.reply("garbage \x00\xff")
			return true
		}
		f.mu.Lock()
		f.seq++
		j := &fakeJob{id: strconv.Itoa(f.seq), params: map[string]string{}, outcome: s.outcome}
		f.jobs[j.id] = j
		f.mu.Unlock()
		s.cur = j
		s.reply("200 New job created: jobid: %s groupid: %s.", j.id, j.id)
	case "JPARM":
		s.jparm(rest)
	case "JSUBM":
		s.jsubm(rest)
	case "JOB":
		s.job(rest)
	case "JOBFMT":
		v, ok := unquoteArg(rest)
		if !ok {
			s.reply("500 'JOBFMT %s': Syntax error, unmatched quote mark.", rest)
			return true
		}
		s.jobFmt = v
		s.reply("200 JOBFMT command successful.")
	case "LIST":
		s.list(rest)
	case "JDELE", "JKILL":
		s.reply("200 Job %s deleted.", rest)
	case "QUIT":
		s.reply("221 Goodbye.")
		return false
	default:
		s.errorf("command %s is not one the driver needs", verb)
		s.reply("500 %s: Command not recognized.", verb)
	}
	return true
}

func (s *session) data() (net.Conn, bool) {
	if s.pasv == nil {
		s.errorf("data transfer without PASV")
		s.reply("425 Cannot build data connection: no PASV.")
		return nil, false
	}
	s.pasv.(*net.TCPListener).SetDeadline(time.Now().Add(5 * time.Second))
	dc, err := s.pasv.Accept()
	s.pasv.Close()
	s.pasv = nil
	if err != nil {
		s.reply("425 Cannot build data connection: %v.", err)
		return nil, false
	}
	return dc, true
}

func (s *session) stot() {
	f := s.f
	if !s.binary {
		s.errorf("STOT before TYPE I: the document would be mangled as text")
	}
	f.mu.Lock()
	f.seq++
	name := fmt.Sprintf("/tmp/doc%d.%s", f.seq, strings.ToLower(s.form))
	f.mu.Unlock()
	dc, ok := s.data()
	if !ok {
		return
	}
	s.reply("150 FILE: %s (Opening new data connection).", name)
	b, err := io.ReadAll(dc)
	dc.Close()
	if err != nil {
		s.reply("426 Data connection: %v.", err)
		return
	}
	switch {
	case s.form == "PDF" && !bytes.HasPrefix(b, []byte("%PDF-")):
		s.errorf("FORM PDF but the upload is not a PDF (%q...)", b[:min(len(b), 8)])
	case s.form == "TIFF" && !bytes.HasPrefix(b, []byte("II*\x00")) && !bytes.HasPrefix(b, []byte("MM\x00*")):
		s.errorf("FORM TIFF but the upload is not a TIFF")
	case s.form == "":
		s.errorf("STOT without FORM: sendfax names the document format first")
	}
	f.mu.Lock()
	f.files[name] = b
	f.mu.Unlock()
	s.reply("226 Transfer complete (FILE: %s).", name)
}

func (s *session) jparm(rest string) {
	name, value, hasValue := strings.Cut(rest, " ")
	name = strings.ToUpper(name)
	if !hasValue {
		s.query(name)
		return
	}
	j := s.cur
	if j == nil || j.script != "" {
		s.reply("503 Suspend the job with JSUSP first.")
		return
	}
	v, ok := unquoteArg(value)
	if !ok {
		s.reply("500 'JPARM %s %s': Syntax error, unmatched quote mark.", name, value)
		return
	}
	switch name {
	case "FROMUSER", "NOTIFYADDR", "DIALSTRING", "JOBINFO", "FAXNUMBER", "TSI", "NOTIFY", "FROMCOMPANY", "TAGLINE", "USETAGLINE":
		if name == "USETAGLINE" && v != "YES" && v != "NO" {
			s.reply("500 'JPARM USETAGLINE %s': Syntax error, expecting YES or NO.", v)
			return
		}
		if name == "TSI" && len(v) > gateway.CSIDMax {
			s.errorf("JPARM TSI %q: a station id has at most %d characters", v, gateway.CSIDMax)
		}
		if name == "NOTIFY" && v != "NONE" && v != "DONE" && v != "REQUEUE" && v != "DONE+REQUEUE" {
			s.reply("503 Unknown NOTIFY value %s.", v)
			return
		}
		j.params[name] = v
		s.reply("213 %s set to \"%s\".", name, v)
	case "LASTTIME":
		if len(v) != 6 || strings.Trim(v, "0123456789") != "" {
			s.reply("500 'JPARM LASTTIME %s': Syntax error, bad time specification (expecting 6 digits).", v)
			return
		}
		j.params[name] = v
		s.reply("213 LASTTIME set to %s.", v)
	case "MAXDIALS", "MAXTRIES", "VRES":
		if _, err := strconv.Atoi(v); err != nil {
			s.reply("500 'JPARM %s %s': Syntax error, invalid number.", name, v)
			return
		}
		j.params[name] = v
		s.reply("213 %s set to %s.", name, v)
	case "DOCUMENT":
		s.f.mu.Lock()
		_, ok := s.f.files[v]
		s.f.mu.Unlock()
		if !ok {
			s.reply("550 %s: No such file or directory.", v)
			return
		}
		j.docs = append(j.docs, v)
		s.reply("200 Added document %s as docq/%s.%s.", v, strings.TrimPrefix(v, "/tmp/"), j.id)
	default:
		s.errorf("JPARM %s is not a parameter the driver needs", name)
		s.reply("500 JPARM %s: Command not recognized.", name)
	}
}

func (s *session) jsubm(rest string) {
	f := s.f
	j := s.cur
	if rest != "" {
		f.mu.Lock()
		j = f.jobs[rest]
		f.mu.Unlock()
	}
	if j == nil {
		s.reply("504 Cannot submit job; no current job.")
		return
	}
	for _, p := range []string{"DIALSTRING", "NOTIFYADDR", "FROMUSER"} {
		if j.params[p] == "" {
			s.errorf("JSUBM without %s", p)
			s.reply("504 Cannot submit job %s; null or missing %s parameter.", j.id, p)
			return
		}
	}
	if len(j.docs) == 0 {
		s.errorf("JSUBM without a DOCUMENT")
		s.reply("504 Cannot submit job %s; no documents.", j.id)
		return
	}
	want := map[string]string{"LASTTIME": "000259", "VRES": "196", "NOTIFY": "NONE"}
	for p, v := range want {
		if j.params[p] != v {
			s.errorf("JPARM %s = %q, want %q (without a kill time faxq fails the job: \"Kill time expired\")", p, j.params[p], v)
		}
	}
	for _, p := range []string{"MAXDIALS", "MAXTRIES"} {
		if j.params[p] == "" {
			s.errorf("JPARM %s not set", p)
		}
	}
	f.mu.Lock()
	doc := f.files[j.docs[0]]
	f.mu.Unlock()
	// The server images TAGLINE only when the job asks for it.
	header := ""
	if j.params["USETAGLINE"] == "YES" {
		header = j.params["TAGLINE"]
	}
	sj := f.Accept("job", gatewaytest.Received{To: j.params["DIALSTRING"], PDF: doc, Key: j.params["JOBINFO"], Header: header}, j.outcome)
	f.mu.Lock()
	j.script = sj.ID
	f.mu.Unlock()
	s.reply("200 Job %s submitted.", j.id)
}

// expression is how HylaFAX words each failure: faxsend's STATUS text and
// HylaFAX 6's STATUSCODE.
func expression(r gateway.Reason) (text, code string) {
	switch r {
	case gateway.ReasonBusy:
		return "Busy signal detected; too many attempts to dial", "333"
	case gateway.ReasonNoAnswer:
		return "No carrier detected", "002"
	case gateway.ReasonNotAFax:
		return "No receiver protocol (T.30 T1 timeout)", "126"
	case gateway.ReasonInvalidNumber:
		return "REJECT: Unable to convert dial string to canonical format", "327"
	case gateway.ReasonRejected:
		return "Job aborted by request", "345"
	case gateway.ReasonLineError:
		return "Remote fax disconnected prematurely", "128"
	case gateway.ReasonDocument:
		return "Converted document is not valid TIFF", "321"
	case gateway.ReasonGatewayError:
		return "No local dialtone", "004"
	}
	return "Unknown problem", "006"
}

// look returns a job's parameters as the server shows them at this phase of
// its scripted life.
func look(j gatewaytest.Job, id string) fakeView {
	v := fakeView{id: id, code: "000", pages: "0"}
	switch {
	case j.Outcome.Kind == gatewaytest.Fail && j.Done():
		v.state = "FAILED"
		v.status, v.code = expression(j.Outcome.Reason)
	case j.Outcome.Kind == gatewaytest.Fail:
		v.state, v.status, v.code = "SLEEPING", "Busy signal detected", "001"
	case j.Done():
		v.state, v.pages = "DONE", "1"
	default:
		v.state = "ACTIVE"
	}
	return v
}

func (s *session) job(id string) {
	s.f.mu.Lock()
	j, ok := s.f.jobs[id]
	s.f.mu.Unlock()
	if !ok || j.script == "" {
		s.reply("500 Cannot set job %s; job does not exist (No such file or directory).", id)
		return
	}
	sj, _ := s.f.Poll(j.script)
	v := look(sj, id)
	s.view = &v
	s.reply("200 Current job: jobid: %s groupid: %s.", id, id)
}

func (s *session) query(name string) {
	if s.view == nil {
		s.errorf("JPARM %s query without JOB", name)
		s.reply("500 No current job.")
		return
	}
	v := map[string]string{"STATE": s.view.state, "STATUS": s.view.status, "STATUSCODE": s.view.code, "NPAGES": s.view.pages}
	val, ok := v[name]
	if !ok {
		s.errorf("JPARM %s query is not one the driver needs", name)
		s.reply("500 JPARM %s: Command not recognized.", name)
		return
	}
	s.reply("213 %s", val)
}

func (s *session) list(dir string) {
	if dir != "sendq" && dir != "doneq" {
		s.errorf("LIST %q: the job queues are sendq and doneq", dir)
	}
	if s.jobFmt == "" {
		s.errorf("LIST %s without JOBFMT: the default format truncates and has no job tag", dir)
	}
	dc, ok := s.data()
	if !ok {
		return
	}
	s.reply("150 Opening new data connection for \"%s\".", dir)
	w := bufio.NewWriter(dc)
	s.f.mu.Lock()
	var jobs []*fakeJob
	for _, j := range s.f.jobs {
		if j.script != "" {
			jobs = append(jobs, j)
		}
	}
	s.f.mu.Unlock()
	byScript := map[string]gatewaytest.Job{}
	for _, sj := range s.f.Jobs() {
		byScript[sj.ID] = sj
	}
	for _, j := range jobs {
		sj := byScript[j.script]
		v := look(sj, j.id)
		done := v.state == "DONE" || v.state == "FAILED"
		if done != (dir == "doneq") {
			continue
		}
		sym := map[string]string{"SLEEPING": "S", "ACTIVE": "R", "DONE": "D", "FAILED": "F"}[v.state]
		line, err := jobLine(s.jobFmt, map[byte]string{'j': j.id, 'a': sym, 'v': j.params["DIALSTRING"], 'J': j.params["JOBINFO"]})
		if err != nil {
			s.errorf("JOBFMT %q: %v", s.jobFmt, err)
		}
		fmt.Fprintf(w, "%s\r\n", line)
	}
	w.Flush()
	dc.Close()
	s.reply("226 Transfer complete.")
}

// jobLine renders a JOBFMT string for the fields the fake knows.
func jobLine(format string, fields map[byte]string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			b.WriteByte(format[i])
			continue
		}
		i++
		v, ok := fields[format[i]]
		if !ok {
			return "", fmt.Errorf("field %%%c unknown to the fake", format[i])
		}
		b.WriteString(v)
	}
	return b.String(), nil
}

// unquoteArg reads a parameter as hfaxd's lexer does: quoted strings with
// backslash escapes (octal after a backslash and digits), bare tokens, the
// parts of a multi-part value joined.
func unquoteArg(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			for i++; ; i++ {
				if i >= len(s) {
					return "", false
				}
				c := s[i]
				if c == '"' {
					break
				}
				if c == '\\' && i+1 < len(s) {
					i++
					c = s[i]
					if c >= '0' && c <= '9' {
						v := int(c - '0')
						for k := 0; k < 2 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9'; k++ {
							i++
							v = v<<3 + int(s[i]-'0')
						}
						c = byte(v)
					}
				}
				b.WriteByte(c)
			}
		case ' ':
			for i+1 < len(s) && s[i+1] == ' ' {
				i++
			}
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}
