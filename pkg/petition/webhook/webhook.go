// Package webhook is the generic petition driver: it POSTs each signature as
// one JSON object (petition.Signature: campaign, name, city, country, email,
// note, key) to an organizer's URL and reads back {"id", "duplicate"}. The
// receiver should treat a key it has seen as the same signature, which makes
// a retried POST harmless. It imports petition and httpclient only.
package webhook

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/faxjam/faxjam/pkg/httpclient"
	"github.com/faxjam/faxjam/pkg/petition"
)

// Driver declares the webhook+https:// (and webhook+http://) URL.
func Driver() petition.Driver {
	return petition.Driver{
		Scheme:  "webhook+https",
		Aliases: []string{"webhook+http"},
		Summary: "generic JSON POST of one signature; answer {id, duplicate}",
		Syntax:  "webhook+https://[TOKEN@]host/path",
		Example: "webhook+https://relay.example.org/petition",
		Options: []petition.Option{
			{Name: "token", Place: petition.InUser, Help: "sent as Authorization: Bearer TOKEN", Secret: true},
			{Name: "host", Place: petition.InHost, Help: "the receiver's host[:port]", Required: true},
			{Name: "path", Place: petition.InPath, Help: "the receiver's path"},
		},
		Open: open,
	}
}

// Client posts signatures to one URL.
type Client struct {
	url, token string
	http       *httpclient.Client
}

func open(u *url.URL, env petition.Env) (petition.Petition, error) {
	target := *u
	target.Scheme = strings.TrimPrefix(strings.ToLower(u.Scheme), "webhook+")
	token := u.User.Username()
	target.User = nil
	if target.Scheme != "https" && target.Scheme != "http" {
		return nil, fmt.Errorf("webhook: scheme %q: want webhook+https or webhook+http", u.Scheme)
	}
	return New(target.String(), token, httpclient.New(env.HTTP, env.Version)), nil
}

// New returns a client posting to rawURL (http or https).
func New(rawURL, token string, hc *httpclient.Client) *Client {
	return &Client{url: rawURL, token: token, http: hc}
}

// Sign posts one signature.
func (c *Client) Sign(ctx context.Context, s petition.Signature) (petition.Receipt, error) {
	return petition.PostJSON(ctx, c.http, "webhook", c.url, c.token, s)
}
