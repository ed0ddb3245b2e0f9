package httpclient

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// A redirect from https to plain http is refused, before anything is
// asked of the plain server (issue 16: campaign add and pack fetches
// followed one, and pinned a pack's key from the plain copy); https to
// https is followed.
func TestRedirectsNeverLeaveHTTPS(t *testing.T) {
	var plainHits atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plainHits.Add(1)
		w.Write([]byte("key: ed25519:EVIL"))
	}))
	defer plain.Close()
	var tlsSrv *httptest.Server
	tlsSrv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/down":
			http.Redirect(w, r, plain.URL+"/pack", http.StatusFound)
		case "/same":
			http.Redirect(w, r, tlsSrv.URL+"/ok", http.StatusFound)
		default:
			w.Write([]byte("ok"))
		}
	}))
	defer tlsSrv.Close()
	for name, c := range map[string]*http.Client{
		"NewHTTP": NewHTTP(5 * time.Second),
		"New":     New(&http.Client{Timeout: 5 * time.Second}, "test").HTTP,
	} {
		c.Transport = tlsSrv.Client().Transport
		_, err := c.Get(tlsSrv.URL + "/down")
		if !errors.Is(err, ErrDowngrade) {
			t.Errorf("%s: https → http redirect: err = %v, want ErrDowngrade", name, err)
		}
		resp, err := c.Get(tlsSrv.URL + "/same")
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("%s: https → https redirect: %v", name, err)
		} else {
			resp.Body.Close()
		}
	}
	if n := plainHits.Load(); n != 0 {
		t.Errorf("the plain server was asked %d times", n)
	}
}
