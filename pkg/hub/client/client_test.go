package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/faxjam/faxjam/pkg/hub"
	"github.com/faxjam/faxjam/pkg/hub/client"
	"github.com/faxjam/faxjam/pkg/hub/hubtest"
)

// TestActRetriesTheSameKeyThroughFailures: a hub behind a proxy that
// fails the first answers (503, 429 with Retry-After) still gets the one
// action, and the client gets its receipt; bad input is an *Error naming
// the field, not retried.
func TestActRetriesTheSameKeyThroughFailures(t *testing.T) {
	c := hubtest.Campaign(t)
	h := hubtest.Start(t, hub.Config{Campaign: c})
	target, _ := url.Parse(h.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var calls atomic.Int32
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			proxy.ServeHTTP(httptest.NewRecorder(), r) // taken, but the answer is lost: a 503 instead
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		case 2:
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()
	cl, err := client.New(front.URL, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	req := hub.ActionRequest{Key: "retry-key-1-0123456789abcdef", Name: "Ana Pérez", City: "Lyon", Country: "Francia"}
	a, err := cl.Act(context.Background(), c.ID, req)
	if err != nil {
		t.Fatal(err)
	}
	if a.Receipt == "" || !a.Duplicate || calls.Load() != 3 {
		t.Errorf("after a lost answer and a 429: %+v, %d calls; want the first action again with its receipt", a, calls.Load())
	}
	st, err := cl.Status(context.Background(), a.ID, a.Receipt)
	if err != nil || st.State != "queued" {
		t.Errorf("status: %+v %v", st, err)
	}
	req.Key, req.City = "retry-key-2", "<b>Lyon</b>"
	_, err = cl.Act(context.Background(), c.ID, req)
	var he *client.Error
	if !errors.As(err, &he) || he.Status != 400 || he.Field != "city" || he.Retryable() {
		t.Errorf("bad city: %v", err)
	}
	if _, err := cl.Status(context.Background(), a.ID, "wrong"); !errors.As(err, &he) || he.Status != 404 {
		t.Errorf("wrong receipt: %v", err)
	}
}

func TestCheckURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://hub.example.org":        true,
		"https://hub.example.org/prefix": true,
		"http://127.0.0.1:8080":          true,
		"http://localhost:8080":          true,
		"http://hub.example.org":         false,
		"https://u:p@hub.example.org":    false,
		"https://hub.example.org/?a=b":   false,
		"hub.example.org":                false,
		"ftp://hub.example.org":          false,
	} {
		if _, err := client.CheckURL(raw); (err == nil) != ok {
			t.Errorf("CheckURL(%q) = %v, want ok %v", raw, err, ok)
		}
	}
}
