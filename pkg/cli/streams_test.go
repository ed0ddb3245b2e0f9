package cli

import (
	"context"
	"strings"
	"testing"
)

// TestRunFuncsStyleOnlyTerminals runs each read-only command's run func
// once on a terminal and once into a pipe: colour on the terminal, plain
// text into the pipe, and the same words in both.
func TestRunFuncsStyleOnlyTerminals(t *testing.T) {
	tests := []struct {
		name string
		run  func(ctx context.Context, f *Factory) error
		want string
	}{
		{"campaign list", func(ctx context.Context, f *Factory) error {
			o := &CampaignOptions{}
			f.campaignOptions(o)
			return campaignListRun(ctx, o)
		}, "norma-cruz-2012"},
		{"campaign show", func(ctx context.Context, f *Factory) error {
			o := &CampaignOptions{}
			f.campaignOptions(o)
			o.Ref = o.Active
			return campaignShowRun(ctx, o)
		}, "+1 202 555 0142"},
		{"gateway list", func(ctx context.Context, f *Factory) error {
			o := &GatewayOptions{}
			f.gatewayOptions(o)
			return gatewayListRun(ctx, o)
		}, "telnyx://API_KEY@CONNECTION_ID"},
		{"gateway check", func(ctx context.Context, f *Factory) error {
			o := &GatewayOptions{}
			f.gatewayOptions(o)
			return gatewayCheckRun(ctx, o)
		}, "outbox://"},
		{"config show", func(ctx context.Context, f *Factory) error {
			o := &ConfigOptions{}
			f.configOptions(o)
			return configShowRun(ctx, o)
		}, "sender.name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forBoth(t, func(t *testing.T, tty bool) {
				f, out, _ := testFactory(t, tty)
				if err := tt.run(context.Background(), f); err != nil {
					t.Fatal(err)
				}
				got := out.String()
				if !strings.Contains(got, tt.want) {
					t.Errorf("output lacks %q:\n%s", tt.want, got)
				}
				if hasANSI := strings.Contains(got, "\x1b["); hasANSI != tty {
					t.Errorf("escape codes: %v, want %v:\n%q", hasANSI, tty, got)
				}
			})
		})
	}
}

func TestStatusRunBeforeAndAfterSending(t *testing.T) {
	forBoth(t, func(t *testing.T, tty bool) {
		opts, f := sendOpts(t, tty, &fakePrompter{})
		opts.Signer.Name, opts.Signer.City, opts.Signer.Country, opts.Yes = "Ana", "Lima", "Perú", true
		st := &StatusOptions{}
		f.sendOptions(&st.Send)
		if err := statusRun(context.Background(), st); err != nil {
			t.Fatal(err)
		}
		if err := sendRun(context.Background(), opts); err != nil {
			t.Fatal(err)
		}
		out := f.IO.Out.(interface{ String() string })
		if err := statusRun(context.Background(), st); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		if !strings.Contains(got, "+1 202 555 0142") || !strings.Contains(got, "Petition fallback") {
			t.Errorf("status:\n%s", got)
		}
		if hasANSI := strings.Contains(got, "\x1b["); hasANSI != tty {
			t.Errorf("escape codes: %v, want %v", hasANSI, tty)
		}
	})
}
