package cli

import (
	"net/url"

	"github.com/spf13/pflag"

	"github.com/faxjam/faxjam/pkg/gateway/telnyx"
	"github.com/faxjam/faxjam/pkg/hub"
)

// ServePush are serve's flags for the vendors' status pushes (pkg/hub
// push.go): the keys that sign them.
type ServePush struct {
	TelnyxKey       string // --push-telnyx-key: the account's public key, base64
	PhaxioToken     string // --push-phaxio-token: the webhook token (a secret)
	PhaxioTokenFile string // --push-phaxio-token-file
	PhaxioURL       string // --push-phaxio-url: the callback URL as given to Phaxio
}

func addPushFlags(fl *pflag.FlagSet, p *ServePush) {
	fl.StringVar(&p.TelnyxKey, "push-telnyx-key", "", "receive Telnyx's signed fax webhooks at /v1/push/telnyx, checked with this public `KEY` (Mission Control → Keys & Credentials → Public Key); set webhook_url= in the telnyx:// gateway URL")
	fl.StringVar(&p.PhaxioToken, "push-phaxio-token", "", "receive Phaxio's signed callbacks at /v1/push/phaxio, checked with this webhook `TOKEN`; set callback_url= in the phaxio:// gateway URL")
	fl.StringVar(&p.PhaxioTokenFile, "push-phaxio-token-file", "", "read --push-phaxio-token from this `FILE`")
	fl.StringVar(&p.PhaxioURL, "push-phaxio-url", "", "the callback `URL` exactly as given to Phaxio (it is signed too), e.g. https://fax.example.org/v1/push/phaxio")
}

// config checks the flags and makes the hub's PushConfig.
func (p ServePush) config() (hub.PushConfig, error) {
	var out hub.PushConfig
	if p.TelnyxKey != "" {
		k, err := telnyx.ParsePublicKey(p.TelnyxKey)
		if err != nil {
			return out, usagef("--push-telnyx-key: %v", err)
		}
		out.TelnyxKey = k
	}
	if p.PhaxioToken != "" {
		u, err := url.Parse(p.PhaxioURL)
		if p.PhaxioURL == "" || err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
			return out, usagef("--push-phaxio-url %q: give the callback URL as given to Phaxio, e.g. https://fax.example.org/v1/push/phaxio (Phaxio signs it)", p.PhaxioURL)
		}
		out.PhaxioToken, out.PhaxioURL = p.PhaxioToken, p.PhaxioURL
	}
	return out, nil
}
