package hylafax

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/textproto"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/gateway/gatewaytest"
)

const (
	testUser = "faxjam"
	testPass = "s3cret-pw"
)

func TestConformance(t *testing.T) {
	gatewaytest.Run(t, gatewaytest.Harness{
		Driver: Driver(),
		Start: func(t *testing.T) (string, gatewaytest.Fake) {
			f := startFake(t, testUser, testPass)
			return "hylafax://" + testUser + ":" + testPass + "@" + f.addr() + "?timeout=1s", f
		},
		Reasons: gatewaytest.Reasons(),
		// FTP-style replies carry no retry delay and hfaxd has no rate limit.
		Kinds:      []gatewaytest.Kind{gatewaytest.Unauthorized, gatewaytest.ServerError, gatewaytest.Hang, gatewaytest.Malformed},
		RetryAfter: false,
		Keyed:      true,
	})
}

func openURL(t *testing.T, raw string) *Gateway {
	t.Helper()
	return gatewaytest.Open(t, Driver(), raw).(*Gateway)
}

func TestSendUsesTIFFWhenTheFaxHasIt(t *testing.T) {
	f := startFake(t, testUser, testPass)
	g := openURL(t, "hylafax://"+testUser+":"+testPass+"@"+f.addr())
	tiff := append([]byte("II*\x00"), make([]byte, 64)...)
	ctx := context.Background()
	_, err := g.Send(ctx, gateway.Fax{To: "+12025550142", PDF: []byte("%PDF-1.4 x"), TIFF: tiff, Key: "k, with \"quotes\" and \\ spaces"})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := f.Received()
	if len(got) != 1 || string(got[0].PDF) != string(tiff) {
		t.Fatalf("uploaded %q, want the TIFF", got)
	}
	if got[0].Key != "k, with \"quotes\" and \\ spaces" {
		t.Errorf("key arrived as %q", got[0].Key)
	}
}

func TestDialString(t *testing.T) {
	tests := []struct {
		query string
		want  string
	}{
		{"", "+12025550142"},
		{"?dial={digits}", "12025550142"},
		{"?dial=011{digits}", "01112025550142"},
		{"?dialprefix=9,", "9,+12025550142"},
		{"?dialprefix=9,&dial=1{digits}", "9,112025550142"},
	}
	for _, tt := range tests {
		g := openURL(t, "hylafax://u@localhost"+tt.query)
		if got := g.dialString("+12025550142"); got != tt.want {
			t.Errorf("%q: dial string %q, want %q", tt.query, got, tt.want)
		}
	}
}

func TestOpen(t *testing.T) {
	tests := []struct {
		raw     string
		addr    string
		wantErr string
	}{
		{"hylafax://u:p@fax.example", "fax.example:4559", ""},
		{"hylafax://u@fax.example:14559", "fax.example:14559", ""},
		{"hylafax://u@[::1]", "[::1]:4559", ""},
		{"hylafax://fax.example", "", "missing user"},
		{"hylafax://u@", "", "missing host"},
		{"hylafax://u@h?dial=123", "", "{e164}"},
		{"hylafax://u@h?dial={e164}%0AJKILL", "", "only digits"},
		{"hylafax://u@h?maxdials=0", "", "maxdials"},
		{"hylafax://u@h?timeout=soon", "", "timeout"},
		{"hylafax://u@h?fax=1", "", "unknown option"},
		{"hylafax://u@h:99999", "", "not a TCP port"},
	}
	for _, tt := range tests {
		g, ok := gatewaytest.OpenCase(t, Driver(), tt.raw, tt.wantErr)
		if !ok {
			continue
		}
		if a := g.(*Gateway).addr; a != tt.addr {
			t.Errorf("Open(%s) addr %q, want %q", tt.raw, a, tt.addr)
		}
	}
}

func TestStateMapping(t *testing.T) {
	tests := []struct {
		in   string
		want gateway.State
		ok   bool
	}{
		{"SUSPENDED", gateway.Queued, true},
		{"PENDING", gateway.Queued, true},
		{"SLEEPING", gateway.Queued, true},
		{"BLOCKED", gateway.Queued, true},
		{"READY", gateway.Queued, true},
		{"ACTIVE", gateway.Sending, true},
		{"DONE", gateway.Delivered, true},
		{"FAILED", gateway.Failed, true},
		{"UNDEFINED", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := stateOf(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("stateOf(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	for sym, want := range map[string]gateway.State{"T": gateway.Queued, "P": gateway.Queued, "S": gateway.Queued,
		"B": gateway.Queued, "W": gateway.Queued, "R": gateway.Sending, "D": gateway.Delivered, "F": gateway.Failed} {
		if got, ok := stateOfSymbol(sym); !ok || got != want {
			t.Errorf("stateOfSymbol(%q) = %q, %v; want %q", sym, got, ok, want)
		}
	}
	if _, ok := stateOfSymbol("?"); ok {
		t.Errorf("stateOfSymbol(?) is a state; want none")
	}
}

func TestReasonMapping(t *testing.T) {
	tests := []struct {
		text, code string
		want       gateway.Reason
	}{
		{"Busy signal detected", "001", gateway.ReasonBusy},
		{"Busy signal detected; too many attempts to dial", "333", gateway.ReasonBusy},
		{"No answer from remote", "003", gateway.ReasonNoAnswer},
		{"No carrier detected", "002", gateway.ReasonNoAnswer},
		{"Ringback detected, no answer (timeout)", "215", gateway.ReasonNoAnswer},
		{"No answer (T.30 T1 timeout)", "218", gateway.ReasonNotAFax},
		{"No receiver protocol (T.30 T1 timeout)", "126", gateway.ReasonNotAFax},
		{"Ringback detected, no answer without CED", "011", gateway.ReasonNotAFax},
		{"Data connection established (wanted fax)", "008", gateway.ReasonNotAFax},
		{"No local dialtone", "004", gateway.ReasonGatewayError},
		{"Unknown problem (check modem power)", "", gateway.ReasonGatewayError},
		{"Kill time expired", "325", gateway.ReasonGatewayError},
		{"REJECT: Unable to convert dial string to canonical format", "327", gateway.ReasonInvalidNumber},
		{"Job aborted by request", "345", gateway.ReasonRejected},
		{"Blacklisted by modem", "010", gateway.ReasonRejected},
		{"Remote fax disconnected prematurely", "128", gateway.ReasonLineError},
		{"Failure to train remote modem at 2400 bps or minimum speed", "137", gateway.ReasonLineError},
		{"No response to MPS repeated 3 tries", "150", gateway.ReasonLineError},
		{"REJECT: Too many attempts to dial: 3, max 3", "333", gateway.ReasonLineError},
		{"Converted document is not valid TIFF", "321", gateway.ReasonDocument},
		{"REJECT: Too many pages in submission: 30, max 25", "335", gateway.ReasonDocument},
		{"Modem does not support document page width, max page width 1728 pixels, image width 2048 pixels", "417", gateway.ReasonDocument},
		{"", "001", gateway.ReasonBusy},
		{"Something new", "E218", gateway.ReasonNotAFax},
		{"Something new", "", gateway.ReasonGatewayError},
	}
	for _, tt := range tests {
		if got := reasonOf(tt.text, tt.code); got != tt.want {
			t.Errorf("reasonOf(%q, %q) = %q, want %q", tt.text, tt.code, got, tt.want)
		}
	}
}

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", `"plain"`},
		{`a "b" c`, `"a \"b\" c"`},
		{`back\1`, `"back\\1"`},
		{"José, Pérez", `"José, Pérez"`},
	}
	for _, tt := range tests {
		got, err := quote(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("quote(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		if back, ok := unquoteArg(got); !ok || back != tt.in {
			t.Errorf("hfaxd would read %q back as %q", got, back)
		}
	}
	if _, err := quote("a\r\nJKILL 1"); err == nil {
		t.Errorf("quote accepted a line break: a value could inject a command")
	}
}

func TestStatusOfAnUnknownJob(t *testing.T) {
	f := startFake(t, testUser, testPass)
	g := openURL(t, "hylafax://"+testUser+":"+testPass+"@"+f.addr())
	_, err := g.Status(context.Background(), "4711")
	ge, ok := gateway.AsError(err)
	if !ok || ge.Code != "500" || !strings.Contains(ge.Message, "does not exist") {
		t.Fatalf("Status(4711) = %v; want the server's 500 job does not exist", err)
	}
}

func TestContextCancelUnblocks(t *testing.T) {
	f := startFake(t, testUser, testPass)
	f.Next(gatewaytest.Outcome{Kind: gatewaytest.Hang})
	g := openURL(t, "hylafax://"+testUser+":"+testPass+"@"+f.addr()+"?timeout=1m")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := g.Check(ctx)
	if err == nil {
		t.Fatal("Check against a hung server returned no error")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Check took %v; the context's 100ms deadline must bound it", d)
	}
	if ge, ok := gateway.AsError(err); !ok || ge.Reason != gateway.ReasonGatewayError || !ge.Retryable() {
		t.Errorf("error %v, want a retryable gateway-error", err)
	}
}

func TestConnectionRefusedIsRetryable(t *testing.T) {
	g := openURL(t, "hylafax://u@127.0.0.1:1?timeout=1s")
	err := g.Check(context.Background())
	ge, ok := gateway.AsError(err)
	if !ok || ge.Reason != gateway.ReasonGatewayError || !ge.Retryable() {
		t.Fatalf("Check on a closed port: %v; want a retryable gateway-error", err)
	}
}

func TestParseJobLine(t *testing.T) {
	tests := []struct {
		line, key string
		ok        bool
		want      gateway.Receipt
	}{
		{"12|W|+12025550142|k1", "k1", true, gateway.Receipt{ID: "12", Driver: "hylafax", To: "+12025550142", State: gateway.Queued}},
		{"13|F|9,011442079460000|a|b", "a|b", true, gateway.Receipt{ID: "13", Driver: "hylafax", State: gateway.Failed}},
		{"14|T|+12025550142|k1", "k1", false, gateway.Receipt{}},
		{"15|W|+12025550142|k10", "k1", false, gateway.Receipt{}},
		{"x|W|+1|k1", "k1", false, gateway.Receipt{}},
		{"garbage", "k1", false, gateway.Receipt{}},
	}
	for _, tt := range tests {
		got, ok := parseJobLine(tt.line, tt.key)
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseJobLine(%q, %q) = %+v, %v; want %+v, %v", tt.line, tt.key, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzOpen(f *testing.F) {
	for _, s := range []string{
		"hylafax://faxjam:s3cret-pw@127.0.0.1:4559",
		"hylafax://u:p%0A@h?dial={digits}&dialprefix=9,",
		"hylafax://u:pw@[::1]:0?timeout=-1s",
		"hylafax://:secretpw@h?notify=a%0Db",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		_, err = Driver().Open(u, gateway.Env{})
		if err == nil {
			return
		}
		if p, ok := u.User.Password(); ok && len(p) >= 4 && strings.Contains(err.Error(), p) {
			t.Errorf("Open error %q contains the password", err)
		}
	})
}

// FuzzReply feeds arbitrary server output to the reply parser and the
// reply readers built on it: never a panic, and a reply is either a valid
// code or an error.
func FuzzReply(f *testing.F) {
	for _, s := range []string{
		"200 New job created: jobid: 14 groupid: 14.\r\n",
		"213-DOCUMENT PDF docq/doc1.pdf\r\n213 End of documents.\r\n",
		"227 Entering passive mode (127,0,0,1,178,71)\r\n",
		"150 FILE: /tmp/doc1.pdf (Opening new data connection).\r\n",
		"2O0 garbage\r\n",
		"220-multi\r\nno code line\r\n220 end\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := readReply(textproto.NewReader(bufio.NewReader(strings.NewReader(s))))
		if err == nil && (r.Code < 100 || r.Code > 999) {
			t.Errorf("reply code %d accepted from %q", r.Code, s)
		}
		var me *malformed
		if err != nil && !errors.As(err, &me) && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("reply %q: error %T %v is neither malformed nor a truncation", s, err, err)
		}
		jobID(r.Msg)
		fileName(r.Msg)
		pasvRE.FindStringSubmatch(r.Msg)
		parseJobLine(s, "k")
	})
}

// TestDeclaresFaxImage: hfaxd transmits TIFF class F as is, so the sender
// renders one for it; it dials real lines, so it is not offline.
func TestDeclaresFaxImage(t *testing.T) {
	d := Driver()
	if !d.WantsTIFF || d.Offline || !d.RealNetwork {
		t.Errorf("hylafax declares WantsTIFF=%v Offline=%v RealNetwork=%v; want a TIFF-taking driver that dials", d.WantsTIFF, d.Offline, d.RealNetwork)
	}
}
