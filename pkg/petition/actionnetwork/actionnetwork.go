// Package actionnetwork is the petition driver for Action Network's OSDI API
// v2, using the record-signature helper, which creates or finds the person
// (by email or phone) and signs them in one call (docs/gateways.md §8):
//
//	POST {endpoint}/petitions/{petition_id}/signatures/
//	OSDI-API-Token: <token>
//	{"identifiers":["faxjam:<key>"], "comments":"<note>",
//	 "person":{"given_name","family_name","email_addresses":[{"address"}],
//	           "postal_addresses":[{"locality","country"}]}}
//
// Action Network keeps one signature per person and petition, so a signature
// sent again with the same key (and email) answers the same signature: the
// retry is harmless. The person needs an email (faxjam collects no phone
// numbers). It imports petition and httpclient only.
package actionnetwork

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/faxjam/faxjam/pkg/httpclient"
	"github.com/faxjam/faxjam/pkg/petition"
)

// DefaultEndpoint is Action Network's API base.
const DefaultEndpoint = "https://actionnetwork.org/api/v2"

// Driver declares the actionnetwork:// URL.
func Driver() petition.Driver {
	return petition.Driver{
		Scheme:  "actionnetwork",
		Summary: "Action Network petition (OSDI record-signature helper)",
		Syntax:  "actionnetwork://API_TOKEN@PETITION_ID",
		Example: "actionnetwork://0123abcd@7f1d9c0e-0000-4000-8000-000000000000",
		Options: []petition.Option{
			{Name: "token", Place: petition.InUser, Help: "API key (Action Network: Start Organizing → Details → API & Sync)", Required: true, Secret: true},
			{Name: "petition", Place: petition.InHost, Help: "the petition's id (the last part of its API URL)", Required: true},
			{Name: "endpoint", Place: petition.InQuery, Help: "API base URL", Default: DefaultEndpoint},
		},
		Open: open,
	}
}

// Client signs people onto one Action Network petition.
type Client struct {
	token, petition, endpoint string
	http                      *httpclient.Client
}

func open(u *url.URL, env petition.Env) (petition.Petition, error) {
	v, err := Driver().Values(u)
	if err != nil {
		return nil, err
	}
	return New(v["token"], v["petition"], v["endpoint"], httpclient.New(env.HTTP, env.Version)), nil
}

// New returns a client; endpoint "" means DefaultEndpoint.
func New(token, petitionID, endpoint string, hc *httpclient.Client) *Client {
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	return &Client{token: token, petition: petitionID, endpoint: strings.TrimRight(endpoint, "/"), http: hc}
}

type person struct {
	GivenName       string    `json:"given_name"`
	FamilyName      string    `json:"family_name,omitempty"`
	EmailAddresses  []email   `json:"email_addresses"`
	PostalAddresses []address `json:"postal_addresses,omitempty"`
}

type email struct {
	Address string `json:"address"`
}

type address struct {
	Locality string `json:"locality,omitempty"`
	Country  string `json:"country,omitempty"`
}

type signature struct {
	Identifiers []string `json:"identifiers"`
	Comments    string   `json:"comments,omitempty"`
	Person      person   `json:"person"`
}

// Sign records one signature.
func (c *Client) Sign(ctx context.Context, s petition.Signature) (petition.Receipt, error) {
	if strings.TrimSpace(s.Email) == "" {
		return petition.Receipt{}, &petition.Error{Driver: "actionnetwork", Op: "sign", Message: "actionnetwork needs an email: Action Network identifies every signer by email or phone, and this signer has no email"}
	}
	given, family := SplitName(s.Name)
	body := signature{
		Identifiers: []string{"faxjam:" + s.Key},
		Comments:    s.Note,
		Person: person{
			GivenName: given, FamilyName: family,
			EmailAddresses:  []email{{Address: strings.TrimSpace(s.Email)}},
			PostalAddresses: []address{{Locality: s.City, Country: s.Country}},
		},
	}
	where := c.endpoint + "/petitions/" + url.PathEscape(c.petition) + "/signatures/"
	req, err := httpclient.JSON(http.MethodPost, where, body)
	if err != nil {
		return petition.Receipt{}, &petition.Error{Driver: "actionnetwork", Op: "sign", Err: err}
	}
	req.Header.Set("OSDI-API-Token", c.token)
	req.Header.Set("Accept", "application/hal+json, application/json")
	var out struct {
		Identifiers []string `json:"identifiers"`
	}
	if _, _, err := c.http.Do(ctx, req, &out); err != nil {
		return petition.Receipt{}, petition.FromHTTP("actionnetwork", "sign", err)
	}
	for _, id := range out.Identifiers {
		if strings.HasPrefix(id, "action_network:") {
			return petition.Receipt{ID: id}, nil
		}
	}
	// The unauthenticated ("blind") API answers {} even when it failed; an
	// answer without Action Network's own identifier was not a signature.
	return petition.Receipt{}, &petition.Error{Driver: "actionnetwork", Op: "sign", Retryable: true,
		Message: fmt.Sprintf("malformed answer: no action_network identifier among %q", out.Identifiers)}
}

// SplitName splits a full name into OSDI's given and family names. The
// first word is the given name and the rest the family name, which keeps
// double surnames ("José Pérez García") and particles ("Norma de la Cruz",
// "Ludwig van Beethoven") whole; "Family, Given" is read as written. A single
// word is a given name only. Inner whitespace is collapsed.
func SplitName(name string) (given, family string) {
	if f, g, ok := strings.Cut(name, ","); ok && strings.TrimSpace(f) != "" && strings.TrimSpace(g) != "" {
		return strings.Join(strings.Fields(g), " "), strings.Join(strings.Fields(f), " ")
	}
	w := strings.Fields(name)
	switch len(w) {
	case 0:
		return "", ""
	case 1:
		return w[0], ""
	}
	return w[0], strings.Join(w[1:], " ")
}
