// Package faxjamhttp is the petition driver for faxjam's own petition server
// (`faxjam petition serve`, package petition/server), configured by its URL:
//
//	https://[TOKEN@]host[/prefix]    (http:// for loopback and tests)
//
// Each signature is POSTed to {prefix}/v1/campaigns/{campaign}/signatures; the
// server answers 201 {id} for a new one and 200 {id, duplicate: true} for a
// key or a person it already has. TOKEN, when the server was started with a
// signing token, is sent as "Authorization: Bearer TOKEN".
//
// The directory is named for the URL scheme; the package is faxjamhttp so
// that it does not shadow net/http where both are used. It imports petition
// and httpclient only.
package faxjamhttp

import (
	"context"
	"net/url"
	"strings"

	"github.com/faxjam/faxjam/pkg/httpclient"
	"github.com/faxjam/faxjam/pkg/petition"
)

// Driver declares the https:// (and http://) URL.
func Driver() petition.Driver {
	return petition.Driver{
		Scheme:  "https",
		Aliases: []string{"http"},
		Summary: "a faxjam petition server (faxjam petition serve)",
		Syntax:  "https://[TOKEN@]host[/prefix]",
		Example: "https://petition.example.org",
		Options: []petition.Option{
			{Name: "token", Place: petition.InUser, Help: "the server's signing token, if it requires one", Secret: true},
			{Name: "host", Place: petition.InHost, Help: "the server's host[:port]", Required: true},
			{Name: "prefix", Place: petition.InPath, Help: "path under which the server is mounted"},
		},
		Open: open,
	}
}

// Client signs people onto campaigns of one faxjam petition server.
type Client struct {
	base, token string
	http        *httpclient.Client
}

func open(u *url.URL, env petition.Env) (petition.Petition, error) {
	base := *u
	base.User = nil
	base.RawQuery = ""
	base.Fragment = ""
	return New(base.String(), u.User.Username(), httpclient.New(env.HTTP, env.Version)), nil
}

// New returns a client for the server at base (scheme, host and prefix).
func New(base, token string, hc *httpclient.Client) *Client {
	return &Client{base: strings.TrimRight(base, "/"), token: token, http: hc}
}

// Sign posts one signature to its campaign.
func (c *Client) Sign(ctx context.Context, s petition.Signature) (petition.Receipt, error) {
	if s.Campaign == "" {
		return petition.Receipt{}, &petition.Error{Driver: "faxjam", Op: "sign", Message: "signature has no campaign id"}
	}
	where := c.base + "/v1/campaigns/" + url.PathEscape(s.Campaign) + "/signatures"
	return petition.PostJSON(ctx, c.http, "faxjam", where, c.token, s)
}
