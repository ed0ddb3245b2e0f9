package cli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/faxjam/faxjam/pkg/atomicfile"
	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/campaignrun"
	"github.com/faxjam/faxjam/pkg/ledger"
	"github.com/faxjam/faxjam/pkg/ledger/handin"
	"github.com/faxjam/faxjam/pkg/pack"
	"github.com/faxjam/faxjam/pkg/ui"
)

// LedgerOptions are the inputs of `faxjam ledger`: the journal (as the
// privacy commands find it), the pack key, and the file.
type LedgerOptions struct {
	PrivacyOptions
	KeyFile string // seal: the private key; verify: the public key (.pub) or its base64
	Format  string
	Out     string
}

func newLedgerCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ledger",
		Short: "The signed delivery ledger: seal it, export it, verify an export",
		Long: `Every final outcome (delivered, submitted, petitioned, failed, gave up) is an
entry of the campaign's ledger, chained to the one before by its hash. 'seal'
signs the head with the campaign's pack key; 'export' writes the entries and
seals (JSON Lines or CSV) to hand in; 'verify' checks an export against the
public key and names each entry altered, removed or reordered, and each seal
that does not match or is replayed.`,
		Example: `  faxjam ledger seal
  faxjam ledger export -o ledger.jsonl
  faxjam ledger verify ledger.jsonl --key campaign.key.pub`,
	}
	cmd.AddCommand(newLedgerSealCmd(f), newLedgerExportCmd(f), newLedgerVerifyCmd(f))
	return cmd
}

func (f *Factory) ledgerOptions(o *LedgerOptions) {
	f.privacyOptions(&o.PrivacyOptions)
}

func newLedgerSealCmd(f *Factory) *cobra.Command {
	opts := &LedgerOptions{}
	cmd := &cobra.Command{
		Use:   "seal",
		Short: "Sign the ledger's head with the campaign's pack key",
		Long: `Sign the head of the campaign's ledger (its last entry's number and hash, and
the time) with the campaign's Ed25519 pack key, so that anyone with the public
key can check that no entry up to it was changed, removed or reordered.
Seal after each batch of faxes, and before handing the ledger in.`,
		Example: "  faxjam ledger seal --key campaign.key",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.ledgerOptions(opts)
			if opts.KeyFile == "" {
				opts.KeyFile = filepath.Join(f.ConfigHome(), "campaign.key")
			}
			c, err := f.Campaign(cmd.Context())
			if err != nil {
				return err
			}
			return ledgerSealRun(cmd.Context(), opts, c.ID)
		},
	}
	privacyFlags(cmd, &opts.PrivacyOptions)
	cmd.Flags().StringVar(&opts.KeyFile, "key", "", "the campaign's private pack `KEY` (default $XDG_CONFIG_HOME/faxjam/campaign.key; faxjam campaign keygen)")
	return cmd
}

func newLedgerExportCmd(f *Factory) *cobra.Command {
	opts := &LedgerOptions{}
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write the ledger's entries and seals (jsonl or csv)",
		Long: `Write every entry of the campaign's ledger and every seal, as JSON Lines
(the default) or CSV, to hand in to the target or publish: counts, numbers,
times, pages, the documents' SHA-256 and the gateway's job ids; petitioned
people only as salted hashes. 'faxjam ledger verify' checks the file.`,
		Example: "  faxjam ledger export -o ledger.jsonl\n  faxjam ledger export --format csv -o ledger.csv",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.ledgerOptions(opts)
			c, err := f.Campaign(cmd.Context())
			if err != nil {
				return err
			}
			return ledgerExportRun(cmd.Context(), opts, c)
		},
	}
	privacyFlags(cmd, &opts.PrivacyOptions)
	cmd.Flags().StringVar(&opts.Format, "format", "jsonl", "jsonl, csv, or pdf (the hand-in document in the target's language; needs -o)")
	cmd.Flags().StringVarP(&opts.Out, "output", "o", "", "write to `FILE` (whole: temp file, sync, rename); default stdout")
	return cmd
}

func newLedgerVerifyCmd(f *Factory) *cobra.Command {
	opts := &LedgerOptions{}
	cmd := &cobra.Command{
		Use:   "verify FILE",
		Short: "Check an exported ledger against the campaign's public key",
		Long: `Check an exported ledger (JSON Lines or CSV) against the campaign's public
pack key: every entry's hash and link, every seal's signature and head. Each
entry altered, removed, reordered or added twice, and each seal that does not
verify, does not match the chain or is replayed, is named; then it exits 1.`,
		Example: "  faxjam ledger verify ledger.jsonl --key campaign.key.pub",
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.ledgerOptions(opts)
			return ledgerVerifyRun(opts, args[0])
		},
	}
	cmd.Flags().StringVar(&opts.KeyFile, "key", "", "the campaign's public pack `KEY`: a .pub file or its base64 (required)")
	return cmd
}

// openLedgerJournal opens the journal the privacy commands would.
func openLedgerJournal(opts *LedgerOptions) (*campaignrun.Rig, error) {
	path := journalPath(opts.Journal, opts.DataDir, rehearsalGateway(opts.Gateways, opts.Gateway))
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, usagef("no journal at %s: nothing was sent, so the ledger is empty", path)
	}
	rg := &campaignrun.Rig{}
	if err := rg.OpenJournal(path, opts.Now); err != nil {
		return nil, err
	}
	return rg, nil
}

func ledgerSealRun(ctx context.Context, opts *LedgerOptions, campaignID string) error {
	keyPEM, err := os.ReadFile(opts.KeyFile)
	if err != nil {
		return &UsageError{Err: fmt.Errorf("--key: %w", err), Hint: "make one with `faxjam campaign keygen`"}
	}
	priv, err := pack.ParsePrivateKey(keyPEM)
	if err != nil {
		return usagef("--key %s: %v", opts.KeyFile, err)
	}
	rg, err := openLedgerJournal(opts)
	if err != nil {
		return err
	}
	defer rg.Close()
	seq, head, _, err := rg.Journal.LedgerHead(ctx, campaignID)
	if err != nil {
		return err
	}
	if seq == 0 {
		return usagef("the ledger of %s has no entry yet: nothing to seal", campaignID)
	}
	s := ledger.Sign(priv, campaignID, seq, head, opts.Now())
	if err := rg.Journal.AddSeal(ctx, s); err != nil {
		return err
	}
	if opts.JSON {
		return ui.NewJSON(opts.IO.Out).Print("sealed", s)
	}
	fmt.Fprintf(opts.IO.ErrOut, "Sealed the ledger of %s at entry %d (head %s…) with key %s\n", campaignID, seq, head[:min(16, len(head))], pack.Fingerprint(priv.Public().(ed25519.PublicKey)))
	return nil
}

func ledgerExportRun(ctx context.Context, opts *LedgerOptions, c *campaign.Campaign) error {
	campaignID := c.ID
	format, err := ledger.ParseFormat(opts.Format)
	if err != nil {
		return usagef("--format %q: want pdf, jsonl or csv", opts.Format)
	}
	if format == ledger.PDF && opts.Out == "" {
		return usagef("--format pdf: give -o FILE.pdf")
	}
	if opts.Out != "" {
		if err := checkOutput("--output", opts.Out); err != nil {
			return err
		}
	}
	rg, err := openLedgerJournal(opts)
	if err != nil {
		return err
	}
	defer rg.Close()
	x := ledger.Export{Campaign: campaignID}
	if x.Entries, err = rg.Journal.Ledger(ctx, campaignID); err != nil {
		return err
	}
	if x.Seals, err = rg.Journal.Seals(ctx, campaignID); err != nil {
		return err
	}
	var b bytes.Buffer
	switch format {
	case ledger.CSV:
		err = ledger.WriteCSV(&b, x)
	case ledger.PDF:
		// The hand-in document in the target's language: counts per day
		// and per number, the petition's names, the sealed head.
		var pdf []byte
		pdf, err = handin.PDF(c, x, ledger.Verify(x, nil), handin.Options{Date: opts.Now()})
		b.Write(pdf)
	default:
		err = ledger.WriteJSONL(&b, x)
	}
	if err != nil {
		return err
	}
	if opts.Out == "" {
		_, err = opts.IO.Out.Write(b.Bytes())
		return err
	}
	if err := atomicfile.Write(opts.Out, b.Bytes(), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "Wrote %d entr(ies) and %d seal(s) of %s to %s\n", len(x.Entries), len(x.Seals), campaignID, opts.Out)
	return nil
}

// readPublicKey reads a pack public key: a .pub file, or the key itself.
func readPublicKey(v string) (ed25519.PublicKey, error) {
	if b, err := os.ReadFile(v); err == nil {
		v = string(bytes.TrimSpace(b))
	}
	return pack.ParseKey(v)
}

func ledgerVerifyRun(opts *LedgerOptions, file string) error {
	if opts.KeyFile == "" {
		return usagef("verify needs --key: the campaign's public key (the .pub file of faxjam campaign keygen, or its base64)")
	}
	key, err := readPublicKey(opts.KeyFile)
	if err != nil {
		return usagef("--key %s: %v", opts.KeyFile, err)
	}
	f, err := os.Open(file)
	if err != nil {
		return usagef("%v", err)
	}
	defer f.Close()
	x, err := ledger.Read(f)
	if err != nil {
		return usagef("%s: %v", file, err)
	}
	r := ledger.Verify(x, key)
	if opts.JSON {
		if err := ui.NewJSON(opts.IO.Out).Print("verified", r); err != nil {
			return err
		}
	} else {
		s := opts.IO.Styles()
		for _, p := range r.Problems {
			fmt.Fprintf(opts.IO.Out, "%s %s\n", s.Error.Render(p.Kind+":"), p.Message)
		}
		if r.OK() {
			fmt.Fprintf(opts.IO.Out, "%s %d entr(ies) of %s, sealed up to entry %d by key %s; %d not sealed yet\n",
				s.Success.Render("Verified:"), r.Entries, r.Campaign, r.Sealed, r.Fingerprint, r.Unsealed())
		}
	}
	if !r.OK() {
		return fmt.Errorf("ledger verify: %d problem(s) in %s", len(r.Problems), file)
	}
	return nil
}
