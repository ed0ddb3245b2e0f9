package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/faxjam/faxjam/pkg/campaign"
	"github.com/faxjam/faxjam/pkg/campaignrun"
	"github.com/faxjam/faxjam/pkg/letter"
	"github.com/faxjam/faxjam/pkg/ui"
)

// LetterOptions are the inputs of `faxjam letter`.
type LetterOptions struct {
	IO       *ui.IOStreams
	Campaign func(context.Context) (*campaign.Campaign, error)
	Now      func() time.Time
	JSON     bool

	Signer letter.Signer
	Lang   string // the letter's language; "" = the target's
	Format string // text, pdf, png, tiff
	Paper  string
	Font   string
	Output string // file; "" or "-" = stdout
}

// addSignerFlags declares --name --city --country --email --note, falling
// back to the sender.* config keys.
func addSignerFlags(cmd *cobra.Command, s *letter.Signer) {
	fl := cmd.Flags()
	fl.StringVar(&s.Name, "name", "", "your name, as it goes under the letter (config sender.name)")
	fl.StringVar(&s.City, "city", "", "your city (config sender.city)")
	fl.StringVar(&s.Country, "country", "", "your country (config sender.country)")
	fl.StringVar(&s.Email, "email", "", "your email, optional: for the petition, never printed on the fax (config sender.email)")
	fl.StringVar(&s.Note, "note", "", "a personal paragraph, optional: it makes your letter yours")
	bindConfig(fl, "name", "sender.name")
	bindConfig(fl, "city", "sender.city")
	bindConfig(fl, "country", "sender.country")
	bindConfig(fl, "email", "sender.email")
}

func newLetterCmd(f *Factory) *cobra.Command {
	opts := &LetterOptions{IO: f.IO, Campaign: f.Campaign, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "letter",
		Short: "Show your letter, or write it as PDF, PNG (fax preview) or TIFF",
		Long: `Compose your personal letter to the campaign's target. Text goes to stdout;
--format pdf|png|tiff writes the one fax page exactly as it will be sent
(PNG is the black-and-white preview at fax resolution). Binary formats need
-o FILE or a pipe: faxjam does not write binary to a terminal.`,
		Example: `  faxjam letter --name "José Pérez" --city Berlín --country Alemania
  faxjam letter --lang en --note "I stand with Norma."
  faxjam letter --format pdf -o carta.pdf
  faxjam letter --format png | display`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.JSON = f.JSON
			if !cmd.Flags().Changed("format") {
				f, err := formatOfOutput(opts.Output, opts.Format, "text, pdf, png or tiff")
				if err != nil {
					return err
				}
				opts.Format = f
			}
			return letterRun(cmd.Context(), opts)
		},
	}
	addSignerFlags(cmd, &opts.Signer)
	fl := cmd.Flags()
	fl.StringVar(&opts.Lang, "lang", "", "letter language (default: the target's; e.g. en for a translation)")
	fl.StringVar(&opts.Format, "format", "text", "text, pdf, png or tiff")
	fl.StringVar(&opts.Paper, "paper", "a4", "a4 or letter")
	fl.StringVar(&opts.Font, "font", "", "extra TrueType font for characters the built-in fonts lack")
	fl.StringVarP(&opts.Output, "output", "o", "", "write to FILE (whole: temp file, sync, rename)")
	bindConfig(fl, "lang", "lang")
	bindConfig(fl, "paper", "paper")
	bindConfig(fl, "font", "font")
	return cmd
}

// formatOfOutput is the format -o's extension names when --format was not
// given; an extension faxjam does not write (-o letter.gif) is an error
// rather than text in a file that claims to be an image.
func formatOfOutput(name, def, formats string) (string, error) {
	ext := filepath.Ext(name)
	f := formatFromName(name, "")
	if f == "" && ext != "" && name != "-" {
		return "", usagef("-o %s: faxjam does not write %s files; give --format (%s) or a name ending in its extension", name, ext, formats)
	}
	if f == "" {
		f = def
	}
	return f, nil
}

// formatFromName picks the format from -o's extension when --format was not
// given: `-o carta.pdf` means PDF.
func formatFromName(name, def string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".pdf":
		return "pdf"
	case ".png":
		return "png"
	case ".tif", ".tiff":
		return "tiff"
	case ".txt":
		return "text"
	case ".csv":
		return "csv"
	case ".json", ".jsonl":
		return "json"
	}
	return def
}

type letterFileJSON struct {
	Path   string `json:"path"`
	Format string `json:"format"`
	Bytes  int    `json:"bytes"`
	Pages  int    `json:"pages"`
	SHA256 string `json:"sha256"`
}

func letterRun(ctx context.Context, opts *LetterOptions) error {
	switch opts.Format {
	case "text", "pdf", "png", "tiff":
	default:
		return usagef("--format %q: want text, pdf, png or tiff", opts.Format)
	}
	if err := checkOutput("-o", opts.Output); err != nil {
		return err
	}
	toStdout := opts.Output == "" || opts.Output == "-"
	if opts.Format != "text" && toStdout && opts.IO.IsStdoutTTY() {
		return usagef("--format %s writes a binary file: give -o FILE, or pipe it (faxjam letter --format %s > letter.%s)", opts.Format, opts.Format, opts.Format)
	}
	if m := missingSigner(opts.Signer); len(m) > 0 {
		return usagef("missing %s: give %s (or set sender.%s in config)", strings.Join(m, ", "), flagList(m), m[0])
	}
	c, err := opts.Campaign(ctx)
	if err != nil {
		return err
	}
	r, err := newRenderer(opts.Paper, opts.Font)
	if err != nil {
		return err
	}
	lt, lay, err := composeLetter(ctx, c, r, opts.Lang, opts.Signer, opts.Now())
	var fe *letter.FieldErrors
	if errors.As(err, &fe) {
		return signerError(err)
	}
	if err != nil {
		return err
	}

	var data []byte
	if opts.Format == "text" {
		if toStdout {
			return printLetter(opts, lt)
		}
		data = []byte(letterPlain(lt))
	} else if data, err = document(r, lay, opts.Format); err != nil {
		return err
	}
	if toStdout {
		_, err = opts.IO.Out.Write(data)
		return err
	}
	if err := writeFileAtomic(opts.Output, data, 0o644); err != nil {
		return err
	}
	if opts.JSON {
		return ui.NewJSON(opts.IO.Out).Print("letter_file", letterFileJSON{opts.Output, opts.Format, len(data), lay.Pages(), campaignrun.Sum(data)})
	}
	fmt.Fprintf(opts.IO.ErrOut, "Wrote %s (%s, %d bytes, %d page)\n", opts.Output, opts.Format, len(data), lay.Pages())
	return nil
}

func flagList(names []string) string {
	fs := make([]string, len(names))
	for i, n := range names {
		fs[i] = "--" + n
	}
	return strings.Join(fs, ", ")
}

// letterPlain is the letter as text: body, a blank line, the footer.
func letterPlain(lt letter.Letter) string {
	return strings.TrimRight(lt.Body, "\n") + "\n\n" + fmt.Sprintf(lt.PageLabel, 1, 1) + " · " + lt.Footer + "\n"
}

func printLetter(opts *LetterOptions, lt letter.Letter) error {
	if opts.JSON {
		return ui.NewJSON(opts.IO.Out).Print("letter", lt)
	}
	if !opts.IO.IsStdoutTTY() {
		_, err := fmt.Fprint(opts.IO.Out, letterPlain(lt))
		return err
	}
	s := opts.IO.Styles()
	_, err := fmt.Fprint(opts.IO.Out, letterPreview(s, min(opts.IO.TerminalWidth(), 90), lt))
	return err
}

// letterPreview frames the letter for a terminal, wrapped to width.
func letterPreview(s *ui.Styles, width int, lt letter.Letter) string {
	inner := max(width-4, 30)
	body := ui.Wrap(strings.TrimRight(lt.Body, "\n"), inner)
	foot := s.Muted.Render(ui.Wrap(fmt.Sprintf(lt.PageLabel, 1, 1)+" · "+lt.Footer, inner))
	if !s.Color {
		// Plain text: no frame, and no padding to the frame's width.
		return body + "\n\n" + foot + "\n\n"
	}
	return s.Box.Render(body+"\n\n"+foot) + "\n"
}
