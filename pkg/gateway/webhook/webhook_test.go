package webhook

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/faxjam/faxjam/pkg/gateway"
	"github.com/faxjam/faxjam/pkg/gateway/gatewaytest"
)

func TestConformance(t *testing.T) {
	gatewaytest.Run(t, gatewaytest.Harness{
		Driver:     Driver(),
		Start:      startRelay,
		Reasons:    gatewaytest.Reasons(),
		RetryAfter: true,
		Keyed:      true,
	})
}

func openRelay(t *testing.T, raw string) *relay {
	t.Helper()
	return gatewaytest.Open(t, Driver(), raw).(*relay)
}

func TestStatusMapping(t *testing.T) {
	tests := []struct {
		name    string
		answer  answer
		want    gateway.Status
		wantErr bool
	}{
		{"queued", answer{ID: "1", Status: "queued"}, gateway.Status{ID: "1", State: gateway.Queued}, false},
		{"sending", answer{ID: "1", Status: "sending"}, gateway.Status{ID: "1", State: gateway.Sending}, false},
		{"delivered with pages", answer{ID: "1", Status: "delivered", Pages: 2}, gateway.Status{ID: "1", State: gateway.Delivered, Pages: 2}, false},
		{"failed busy is retryable", answer{ID: "1", Status: "failed", Reason: "busy", Message: "line busy"},
			gateway.Status{ID: "1", State: gateway.Failed, Reason: gateway.ReasonBusy, Retryable: true, Code: "busy", Message: "line busy"}, false},
		{"unknown reason counts as rejected, kept as code", answer{ID: "1", Status: "failed", Reason: "toner-empty"},
			gateway.Status{ID: "1", State: gateway.Failed, Reason: gateway.ReasonRejected, Code: "toner-empty"}, false},
		{"failed without reason says so", answer{ID: "1", Status: "failed"},
			gateway.Status{ID: "1", State: gateway.Failed, Reason: gateway.ReasonRejected, Message: "the relay reported the fax failed without saying why"}, false},
		{"unknown status is the relay's error", answer{ID: "1", Status: "done"}, gateway.Status{}, true},
	}
	r := openRelay(t, "webhook+https://relay.example/fax")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.status(tt.answer, "status")
			if (err != nil) != tt.wantErr {
				t.Fatalf("status(%+v) error %v, want error %v", tt.answer, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("status(%+v)\n got %+v\nwant %+v", tt.answer, got, tt.want)
			}
		})
	}
}

func TestOpenBuildsTheRelayURL(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"webhook+https://relay.example/fax/?token=t", "https://relay.example/fax"},
		{"webhook+http://127.0.0.1:8080/in", "http://127.0.0.1:8080/in"},
		{"WEBHOOK+HTTPS://u:p@relay.example", "https://relay.example"},
	}
	for _, tt := range tests {
		if got := openRelay(t, tt.raw).url; got != tt.want {
			t.Errorf("Open(%s) posts to %q, want %q", tt.raw, got, tt.want)
		}
	}
}

func TestFourXXReasonFromTheRelay(t *testing.T) {
	srv := gatewaytest.StartHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnprocessableEntity)
		w.Write([]byte(`{"message":"not a fax line","reason":"not-a-fax"}`))
	}))
	r := openRelay(t, "webhook+"+srv.URL+"/fax")
	_, err := r.Send(context.Background(), gateway.Fax{To: gatewaytest.Number, PDF: []byte("%PDF"), Key: "k"})
	ge, ok := gateway.AsError(err)
	if !ok || ge.Reason != gateway.ReasonNotAFax || ge.HTTPStatus != 422 || !strings.Contains(err.Error(), "not a fax line") {
		t.Fatalf("Send answered 422 reason not-a-fax: %v, want a not-a-fax *gateway.Error with the relay's message", err)
	}
}

func TestErrorsNameTheSchemeGiven(t *testing.T) {
	srv := gatewaytest.StartHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnprocessableEntity)
		w.Write([]byte(`{"message":"not a fax line","reason":"not-a-fax"}`))
	}))
	tests := []struct{ name, raw, want string }{
		{"plain http", "webhook+" + srv.URL + "/fax", "webhook+http: "},
		{"upper case", "WEBHOOK+" + srv.URL + "/fax", "webhook+http: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := openRelay(t, tt.raw)
			_, err := r.Send(context.Background(), gateway.Fax{To: gatewaytest.Number, PDF: []byte("%PDF"), Key: "k"})
			ge, ok := gateway.AsError(err)
			if !ok || ge.Driver != strings.TrimSuffix(tt.want, ": ") || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("Send through %s: %v, want an error from %q", tt.raw, err, tt.want)
			}
		})
	}
	if r := openRelay(t, "webhook+https://relay.example/fax"); r.scheme != Scheme {
		t.Errorf("webhook+https relay names itself %q, want %q", r.scheme, Scheme)
	}
}

func TestBasicAuthAndFictitiousField(t *testing.T) {
	var gotAuth, gotFict string
	srv := gatewaytest.StartHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth = r.Header.Get("Authorization")
		gotFict = r.FormValue("fictitious")
		w.Write([]byte(`{"id":"x1","status":"queued"}`))
	}))
	u, _ := url.Parse(srv.URL)
	r := openRelay(t, "webhook+http://ana:pa%20ss@"+u.Host+"/fax")
	rc, err := r.Send(context.Background(), gateway.Fax{To: gatewaytest.Number, PDF: []byte("%PDF"), Key: "k", Fictitious: true})
	if err != nil {
		t.Fatal(err)
	}
	if rc.ID != "x1" || rc.State != gateway.Queued || rc.To != gatewaytest.Number {
		t.Errorf("receipt %+v", rc)
	}
	if want := "Basic " + base64.StdEncoding.EncodeToString([]byte("ana:pa ss")); gotAuth != want {
		t.Errorf("Authorization %q, want %q", gotAuth, want)
	}
	if gotFict != "true" {
		t.Errorf("fictitious field %q, want true so the relay can refuse", gotFict)
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		status int
		want   gateway.Reason // "" = no error
	}{
		{200, ""}, {404, ""}, {405, ""}, {401, gateway.ReasonAuth}, {403, gateway.ReasonAuth}, {500, gateway.ReasonGatewayError},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer tok" {
				t.Errorf("check without the token")
			}
			w.WriteHeader(tt.status)
		}))
		err := openRelay(t, "webhook+"+srv.URL+"/fax?token=tok").Check(context.Background())
		srv.Close()
		ge, _ := gateway.AsError(err)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Check against HTTP %d: %v, want reachable", tt.status, err)
		case tt.want != "" && (ge == nil || ge.Reason != tt.want):
			t.Errorf("Check against HTTP %d: %v, want %s", tt.status, err, tt.want)
		}
	}
}

func FuzzOpen(f *testing.F) {
	for _, s := range []string{
		"webhook+https://relay.example/fax?token=SECRETTOKEN",
		"webhook+http://user:SECRETPASS@127.0.0.1:8/x",
		"webhook+https://h/p?token=SECRETTOKEN&x=1",
		"webhook+https://:SECRETPASS@/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		var secrets []string
		if p, ok := u.User.Password(); ok && len(p) >= 6 {
			secrets = append(secrets, p)
		}
		if tok := u.Query().Get("token"); len(tok) >= 6 {
			secrets = append(secrets, tok)
		}
		_, err = Driver().Open(u, gateway.Env{})
		if err == nil {
			return
		}
		for _, s := range secrets {
			if strings.Contains(err.Error(), s) && !strings.Contains(Driver().Syntax, s) {
				t.Errorf("Open(%q) error %q shows the secret %q", raw, err, s)
			}
		}
	})
}
