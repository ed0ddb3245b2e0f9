package hylafax

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// reply is one RFC 959 reply: a three-digit code and its text (the lines of
// a multi-line reply joined with "\n").
type reply struct {
	Code int
	Msg  string
}

// replyError is a reply of a class the command did not expect: the server
// refused or failed the command.
type replyError struct {
	Cmd   string // the command verb, never its arguments (PASS carries a secret)
	Reply reply
}

func (e *replyError) Error() string {
	return fmt.Sprintf("%s answered %d %s", e.Cmd, e.Reply.Code, e.Reply.Msg)
}

// malformed is a reply the client cannot use: garbled lines, a missing job
// id or file name.
type malformed struct{ msg string }

func (e *malformed) Error() string { return "malformed reply: " + e.msg }

// conn is one control connection to hfaxd. It is used by one call and
// closed at its end: hfaxd keeps per-connection state (current job, formats)
// that a shared connection would leak between calls.
type conn struct {
	nc   net.Conn
	tp   *textproto.Conn
	host string // the server's address, for data connections
	stop func() bool
	// deadline bounds the whole call, data connections included.
	deadline time.Time
}

// readReply reads one reply, single- or multi-line.
func readReply(r *textproto.Reader) (reply, error) {
	code, msg, err := r.ReadResponse(0)
	if err != nil {
		var pe textproto.ProtocolError
		if errors.As(err, &pe) {
			return reply{}, &malformed{msg: string(pe)}
		}
		return reply{}, err
	}
	return reply{Code: code, Msg: msg}, nil
}

// read reads a reply and wants its class (1, 2 or 3).
func (c *conn) read(cmd string, class int) (reply, error) {
	r, err := readReply(&c.tp.Reader)
	if err != nil {
		return r, err
	}
	if r.Code/100 != class {
		return r, &replyError{Cmd: cmd, Reply: r}
	}
	return r, nil
}

// cmd sends one command line and reads its reply. verb names the command in
// errors; line is the whole command, already quoted.
func (c *conn) cmd(verb string, class int, line string) (reply, error) {
	if err := c.tp.PrintfLine("%s", line); err != nil {
		return reply{}, err
	}
	return c.read(verb, class)
}

// jparm sets one job parameter to a string value.
func (c *conn) jparm(name, value string) error {
	q, err := quote(value)
	if err != nil {
		return fmt.Errorf("JPARM %s: %w", name, err)
	}
	_, err = c.cmd("JPARM "+name, 2, "JPARM "+name+" "+q)
	return err
}

// get reads one job parameter of the current job.
func (c *conn) get(name string) (string, error) {
	r, err := c.cmd("JPARM "+name, 2, "JPARM "+name)
	return strings.TrimSpace(r.Msg), err
}

func (c *conn) close() {
	c.stop()
	// QUIT is a courtesy: the server cleans up either way.
	if c.tp.PrintfLine("QUIT") == nil {
		c.nc.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		readReply(&c.tp.Reader)
	}
	c.tp.Close()
}

var pasvRE = regexp.MustCompile(`(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})`)

// pasv opens a passive data connection. The server's advertised address is
// ignored (only its port is used): the data connection goes to the host of
// the control connection, as curl and most FTP clients do, so a server
// behind NAT works and a server cannot point the client elsewhere.
func (c *conn) pasv(ctx context.Context) (net.Conn, error) {
	r, err := c.cmd("PASV", 2, "PASV")
	if err != nil {
		return nil, err
	}
	m := pasvRE.FindStringSubmatch(r.Msg)
	if m == nil {
		return nil, &malformed{msg: fmt.Sprintf("PASV reply %q has no address", r.Msg)}
	}
	hi, _ := strconv.Atoi(m[5])
	lo, _ := strconv.Atoi(m[6])
	if hi > 255 || lo > 255 || hi*256+lo == 0 {
		return nil, &malformed{msg: fmt.Sprintf("PASV reply %q has no valid port", r.Msg)}
	}
	dctx, cancel := context.WithDeadline(ctx, c.deadline)
	defer cancel()
	var d net.Dialer
	dc, err := d.DialContext(dctx, "tcp", net.JoinHostPort(c.host, strconv.Itoa(hi*256+lo)))
	if err != nil {
		return nil, fmt.Errorf("data connection: %w", err)
	}
	dc.SetDeadline(c.deadline)
	return dc, nil
}

var fileRE = regexp.MustCompile(`FILE: (\S+?)[).]*(?:\s|$)`)

// store uploads data with STOT (store unique temporary) and returns the
// name the server gave the file.
func (c *conn) store(ctx context.Context, data []byte) (string, error) {
	dc, err := c.pasv(ctx)
	if err != nil {
		return "", err
	}
	defer dc.Close()
	r, err := c.cmd("STOT", 1, "STOT")
	if err != nil {
		return "", err
	}
	name := fileName(r.Msg)
	if _, err := dc.Write(data); err != nil {
		return "", fmt.Errorf("upload: %w", err)
	}
	if err := dc.Close(); err != nil {
		return "", fmt.Errorf("upload: %w", err)
	}
	r, err = c.read("STOT", 2)
	if err != nil {
		return "", err
	}
	if name == "" {
		name = fileName(r.Msg)
	}
	if name == "" {
		return "", &malformed{msg: fmt.Sprintf("STOT reply %q names no file", r.Msg)}
	}
	return name, nil
}

func fileName(msg string) string {
	m := fileRE.FindStringSubmatch(msg)
	if m == nil {
		return ""
	}
	return m[1]
}

// list reads a LIST of dir (sendq, doneq) in the current JOBFMT.
func (c *conn) list(ctx context.Context, dir string) ([]string, error) {
	dc, err := c.pasv(ctx)
	if err != nil {
		return nil, err
	}
	defer dc.Close()
	if _, err := c.cmd("LIST", 1, "LIST "+dir); err != nil {
		return nil, err
	}
	// A queue listing of many thousand jobs stays far below this.
	b, err := io.ReadAll(io.LimitReader(dc, 32<<20))
	if err != nil {
		return nil, fmt.Errorf("LIST %s: %w", dir, err)
	}
	dc.Close()
	if _, err := c.read("LIST", 2); err != nil {
		return nil, err
	}
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimRight(l, "\r"); l != "" {
			lines = append(lines, l)
		}
	}
	return lines, nil
}

var jobidRE = regexp.MustCompile(`jobid: (\d+)`)

// jobID takes the job id out of a JNEW reply.
func jobID(msg string) (string, error) {
	m := jobidRE.FindStringSubmatch(msg)
	if m == nil {
		return "", &malformed{msg: fmt.Sprintf("JNEW reply %q has no job id", msg)}
	}
	return m[1], nil
}

// quote writes s as an hfaxd quoted string: inside "...", a backslash
// escapes the next character (a backslash followed by digits is an octal
// escape, so backslashes themselves are escaped). Control characters would
// end or corrupt the command line and are refused.
func quote(s string) (string, error) {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch < 0x20 || ch == 0x7f:
			return "", fmt.Errorf("value contains a control character (byte %d at %d)", ch, i)
		case ch == '"' || ch == '\\':
			b.WriteByte('\\')
		}
		b.WriteByte(ch)
	}
	b.WriteByte('"')
	return b.String(), nil
}
