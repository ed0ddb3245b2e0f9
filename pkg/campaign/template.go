package campaign

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"text/template"
	"text/template/parse"
	"time"
)

// Bounds on executing a letter template. Campaigns load by URL, so a
// template is untrusted code: `{{range 3000000000}}x{{end}}` must not take
// the machine. A letter is one fax page, a few kilobytes; these bounds are
// far above any real letter and far below what hurts.
const (
	// MaxLetterBytes bounds a template's output: execution stops with
	// ErrTemplateBounds at the first write past it.
	MaxLetterBytes = 64 << 10
	// MaxTemplateSteps bounds the range iterations and template calls of
	// one execution.
	MaxTemplateSteps = 100_000
	// MaxTemplateDepth bounds nested template calls ({{template "x"}}).
	MaxTemplateDepth = 64
	// MaxFormatWidth bounds a width or precision in printf's format.
	MaxFormatWidth = 1000
	// TemplateTimeout bounds one execution in wall time. It is a
	// backstop: the step, depth, width and output bounds already bound the
	// work, since signer values are bounded by the input rules, and an
	// honest letter runs in microseconds. (Thread CPU time was tried: it
	// needs runtime.LockOSThread per execution, and with parallel
	// composers that grew a dry run's peak RSS from 30 to 194 MiB.)
	TemplateTimeout = 500 * time.Millisecond
)

// ErrTemplateBounds is what a template that exceeds a bound fails with.
var ErrTemplateBounds = errors.New("letter template exceeds faxjam's bounds")

// Names of the hooks ParseTemplate inserts: a step at the start of every
// range body, enter and leave around every template's body. A template
// that calls them itself only spends its own budget.
const (
	stepFunc  = "faxjam_step"
	enterFunc = "faxjam_enter"
	leaveFunc = "faxjam_leave"
)

// budget is the state of one execution: steps taken, template depth, the
// context and deadline that bound it.
type budget struct {
	ctx   context.Context
	steps int
	depth int
}

func (b *budget) check() error {
	if err := b.ctx.Err(); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("%w: runs longer than %s", ErrTemplateBounds, TemplateTimeout)
		}
		return err
	}
	return nil
}

func (b *budget) step() (string, error) {
	b.steps++
	if b.steps > MaxTemplateSteps {
		return "", fmt.Errorf("%w: more than %d loop steps and template calls", ErrTemplateBounds, MaxTemplateSteps)
	}
	return "", b.check()
}

func (b *budget) enter() (string, error) {
	b.depth++
	if b.depth > MaxTemplateDepth {
		return "", fmt.Errorf("%w: templates nested more than %d deep", ErrTemplateBounds, MaxTemplateDepth)
	}
	return b.step()
}

func (b *budget) leave() string {
	b.depth--
	return ""
}

// funcs are the functions a letter template sees: the builtins that build
// text are replaced by versions that refuse output past MaxLetterBytes
// before building it (fmt builds a whole string before writing it, so a
// capped writer alone comes too late), and the hooks the parser inserts.
func (b *budget) funcs() template.FuncMap {
	return template.FuncMap{
		stepFunc:  b.step,
		enterFunc: b.enter,
		leaveFunc: b.leave,
		"printf": func(format string, args ...any) (string, error) {
			if err := checkFormat(format); err != nil {
				return "", err
			}
			if err := b.argsFit(len(format), args); err != nil {
				return "", err
			}
			return fmt.Sprintf(format, args...), nil
		},
		"print":    b.bounded(fmt.Sprint),
		"println":  b.bounded(fmt.Sprintln),
		"html":     b.bounded(template.HTMLEscaper),
		"js":       b.bounded(template.JSEscaper),
		"urlquery": b.bounded(template.URLQueryEscaper),
	}
}

// bounded is a text builtin that first checks its arguments fit.
func (b *budget) bounded(f func(...any) string) func(...any) (string, error) {
	return func(args ...any) (string, error) {
		if err := b.argsFit(0, args); err != nil {
			return "", err
		}
		return f(args...), nil
	}
}

// argsFit refuses arguments whose text would exceed MaxLetterBytes. Each is
// measured on its own (at most the size of the campaign's data), so the
// whole is never built.
func (b *budget) argsFit(n int, args []any) error {
	for _, a := range args {
		if err := b.check(); err != nil {
			return err
		}
		var c counter
		fmt.Fprint(&c, a)
		n += c.n
		if n > MaxLetterBytes {
			return fmt.Errorf("%w: output larger than %d bytes", ErrTemplateBounds, MaxLetterBytes)
		}
	}
	return nil
}

type counter struct{ n int }

func (c *counter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }

// checkFormat refuses printf widths and precisions above MaxFormatWidth
// and those taken from arguments (`%*d`), which fmt would honour up to a
// million characters each.
func checkFormat(format string) error {
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		for i < len(format) {
			c := format[i]
			switch {
			case c == '*':
				return fmt.Errorf("%w: printf width from an argument (%%*)", ErrTemplateBounds)
			case c >= '0' && c <= '9':
				n := 0
				for i < len(format) && format[i] >= '0' && format[i] <= '9' {
					if n = n*10 + int(format[i]-'0'); n > MaxFormatWidth {
						return fmt.Errorf("%w: printf width or precision above %d", ErrTemplateBounds, MaxFormatWidth)
					}
					i++
				}
				continue
			case c == '+' || c == '-' || c == '#' || c == ' ' || c == '.' || c == '[' || c == ']':
			default:
				c = 0 // the verb ends the directive
			}
			if c == 0 {
				break
			}
			i++
		}
	}
	return nil
}

// Template is a parsed letter template. Execute runs it within the bounds
// above; a Template may be executed by one goroutine at a time.
type Template struct {
	t *template.Template
	b *budget
}

// ParseTemplate parses a letter template the one way faxjam executes it, so
// that Validate and pkg/letter agree on what a valid template is. A field
// the data lacks is an error, not "<no value>" on a fax.
func ParseTemplate(name, text string) (*Template, error) {
	b := &budget{ctx: context.Background()}
	t, err := template.New(name).Option("missingkey=error").Funcs(b.funcs()).Parse(text)
	if err != nil {
		return nil, err
	}
	hooks, err := template.New("hooks").Funcs(b.funcs()).Parse("{{" + stepFunc + "}}{{" + enterFunc + "}}{{" + leaveFunc + "}}")
	if err != nil {
		return nil, err // cannot happen: a constant template
	}
	h := hooks.Tree.Root.Nodes
	for _, d := range t.Templates() {
		if d.Tree == nil || d.Tree.Root == nil {
			continue
		}
		instrument(d.Tree.Root, h[0])
		d.Tree.Root.Nodes = append(append([]parse.Node{h[1]}, d.Tree.Root.Nodes...), h[2])
	}
	return &Template{t: t, b: b}, nil
}

// instrument puts a step at the start of every range body under n, so a
// loop, even an empty one, counts and sees the context.
func instrument(n parse.Node, step parse.Node) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			instrument(c, step)
		}
	case *parse.RangeNode:
		instrument(n.List, step)
		instrument(n.ElseList, step)
		n.List.Nodes = append([]parse.Node{step}, n.List.Nodes...)
	case *parse.IfNode:
		instrument(n.List, step)
		instrument(n.ElseList, step)
	case *parse.WithNode:
		instrument(n.List, step)
		instrument(n.ElseList, step)
	}
}

// Execute runs the template on data and returns its output. It stops with
// an error wrapping ErrTemplateBounds past MaxLetterBytes of output,
// MaxTemplateSteps, MaxTemplateDepth or TemplateTimeout, and with ctx's
// error when ctx is done.
func (t *Template) Execute(ctx context.Context, data any) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, TemplateTimeout)
	defer cancel()
	*t.b = budget{ctx: ctx}
	defer func() { t.b.ctx = context.Background() }()
	w := &cappedBuffer{}
	if err := t.t.Execute(w, data); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ErrTemplateBounds) {
			return "", t.b.check()
		}
		return "", err
	}
	return w.String(), nil
}

// cappedBuffer is a buffer that refuses writes past MaxLetterBytes.
type cappedBuffer struct{ bytes.Buffer }

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if c.Len()+len(p) > MaxLetterBytes {
		return 0, fmt.Errorf("%w: output larger than %d bytes", ErrTemplateBounds, MaxLetterBytes)
	}
	return c.Buffer.Write(p)
}

// textFields matches the campaign text a template prints: .Campaign.Title
// and the like, as the parse tree spells them.
var textFields = regexp.MustCompile(`\.Campaign\.(Title|Summary|Background|Facts|Asks)\b`)

// TextParts names the parts of the campaign's text ("title", "asks"...)
// the template prints through .Campaign, so a letter in a language the
// campaign has no translation of them into can be said to mix languages.
func (t *Template) TextParts() []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range t.t.Templates() {
		if d.Tree == nil || d.Tree.Root == nil {
			continue
		}
		for _, m := range textFields.FindAllStringSubmatch(d.Tree.Root.String(), -1) {
			if p := strings.ToLower(m[1]); !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}
