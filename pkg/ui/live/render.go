package live

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/faxjam/faxjam/pkg/journal"
	"github.com/faxjam/faxjam/pkg/ui"
)

// Options are what a frame is drawn with besides the state.
type Options struct {
	Width  int            // terminal columns; every line is kept shorter by one, so none wraps
	Height int            // terminal rows; 0: no limit. Rows that do not fit are summed up in one line
	Now    time.Time      // the clock: durations, what has run out
	Loc    *time.Location // times of day are shown in it; nil: Local
	Styles *ui.Styles     // colours; nil: plain
}

// sparks are the sparkline's bars, lowest first.
var sparks = []rune("▁▂▃▄▅▆▇█")

// column is one column of the table at a given width.
type column struct {
	head  string
	width int
	right bool
}

// Render draws st as text at o.Width columns: a title line, the table of
// lines and the totals. It is a pure function of its arguments.
func Render(st *State, o Options) string {
	s := o.Styles
	if s == nil {
		s = ui.NewStyles(io.Discard, false, func(string) string { return "" })
	}
	loc := o.Loc
	if loc == nil {
		loc = time.Local
	}
	w := max(40, o.Width) - 1
	now := o.Now
	clock := func(t time.Time) string { return t.In(loc).Format("15:04") }

	var b strings.Builder
	title := s.Title.Render(st.Campaign) + s.Muted.Render(" · lines")
	if st.LastHour {
		title += s.Muted.Render(" · counts of the last hour")
	}
	if st.Rehearsal {
		title += " " + s.Warning.Render("· rehearsal: dials nothing")
	}
	if st.Paused {
		title += " " + s.Warning.Render("· dialling paused")
	}
	stamp := now.In(loc).Format("15:04:05")
	b.WriteString(fit(title, stamp, w, s) + "\n")

	// Fixed columns, then the label and the fax in flight share what is
	// left; the number shows only where there is room for it.
	gap := 2
	if w < 79 {
		gap = 1
	}
	state := column{head: "STATE", width: len("quiet until 00:00")}
	deliv := column{head: "DELIV", width: 5, right: true}
	fail := column{head: "FAIL", width: 4, right: true}
	week := column{head: "7 DAYS", width: len("7 DAYS"), right: true}
	spark := column{head: "LAST HOUR", width: Buckets}
	bars := Buckets
	if w < 69 {
		// Narrow: 10-minute bars, so the names keep some room.
		spark.head, spark.width, bars = "HOUR", Buckets/2, Buckets/2
	}
	if w < 69 {
		week.head = "7D"
		week.width = len("100%")
	}
	fixed := state.width + deliv.width + fail.width + week.width + spark.width + 6*gap
	flex := w - fixed
	number := column{head: "NUMBER", width: 0}
	if flex >= 60 {
		number.width = 16
		flex -= number.width + gap
	}
	label := column{head: "LINE", width: max(6, min(24, flex*2/5))}
	flight := column{head: "IN FLIGHT", width: max(6, flex-label.width)}
	cols := []column{label, number, state, flight, deliv, fail, week, spark}

	row := func(cells []string) string {
		var parts []string
		for i, c := range cols {
			if c.width == 0 {
				continue
			}
			parts = append(parts, pad(cells[i], c.width, c.right))
		}
		return strings.TrimRight(strings.Join(parts, strings.Repeat(" ", gap)), " ")
	}
	heads := make([]string, len(cols))
	for i, c := range cols {
		heads[i] = s.Key.Render(c.head)
	}
	b.WriteString(row(heads) + "\n")

	lines := st.Lines
	hidden := 0
	if o.Height > 0 {
		// title, header, the rows, blank, two totals lines, the queue.
		room := max(1, o.Height-6)
		if len(lines) > room {
			hidden = len(lines) - (room - 1)
			lines = lines[:room-1]
		}
	}
	for _, l := range lines {
		name := l.Label
		if name == "" {
			name = l.Number
		}
		cells := []string{
			s.Key.Render(name), s.Muted.Render(l.Number), stateText(s, l, now, clock),
			flightText(s, l, now, flight.width), strconv.Itoa(l.Delivered), failText(s, l.Failed),
			weekText(s, l.Health), sparkline(s, merge(l.spark(now), bars)),
		}
		b.WriteString(row(cells) + "\n")
	}
	if hidden > 0 {
		b.WriteString(s.Muted.Render(fmt.Sprintf("… %d more line(s); a taller terminal shows them", hidden)) + "\n")
	}
	b.WriteString("\n")
	for _, parts := range totals(st, now, clock, s) {
		b.WriteString(joinParts(parts, w))
	}
	if st.Queue != nil {
		b.WriteString(queueText(st, s, w, now, o.Height))
	}
	return b.String()
}

// fit puts left and right on one line of width w, right-aligned; the left
// side is cut when both do not fit.
func fit(left, right string, w int, s *ui.Styles) string {
	rw := ansi.StringWidth(right)
	lw := w - rw - 1
	if lw < 1 {
		return ansi.Truncate(left, w, "…")
	}
	left = ansi.Truncate(left, lw, "…")
	return left + strings.Repeat(" ", w-ansi.StringWidth(left)-rw) + s.Muted.Render(right)
}

// pad cuts or pads cell to width cells.
func pad(cell string, width int, right bool) string {
	cell = ansi.Truncate(cell, width, "…")
	fill := strings.Repeat(" ", width-ansi.StringWidth(cell))
	if right {
		return fill + cell
	}
	return cell + fill
}

func stateText(s *ui.Styles, l *Line, now time.Time, clock func(time.Time) string) string {
	st, until := l.StateAt(now)
	text := string(st)
	if !until.IsZero() {
		text += " until " + clock(until)
	}
	switch st {
	case Up, Sending:
		return s.Success.Render(text)
	case Busy, Quiet:
		return s.Warning.Render(text)
	}
	return s.Error.Render(text)
}

func flightText(s *ui.Styles, l *Line, now time.Time, width int) string {
	if len(l.InFlight) == 0 {
		return s.Muted.Render("-")
	}
	f := l.InFlight[0]
	took := duration(now.Sub(f.Since))
	more := ""
	if n := len(l.InFlight) - 1; n > 0 {
		more = fmt.Sprintf(" +%d", n)
	}
	name := f.Name
	if name == "" {
		name = "a fax"
	}
	room := width - len(took) - len(more) - 1
	if room < 3 {
		return s.Accent.Render(took) + more
	}
	return ansi.Truncate(name, room, "…") + " " + s.Accent.Render(took) + more
}

func failText(s *ui.Styles, n int) string {
	if n == 0 {
		return "0"
	}
	return s.Error.Render(strconv.Itoa(n))
}

// weekText is a number's success over the last 7 days (h.Rate7d), in
// warning colour under one in two; "–" when nothing finished then or the
// journal was not read.
func weekText(s *ui.Styles, h *journal.NumberStats) string {
	if h == nil || h.Rate7d < 0 {
		return s.Muted.Render("–")
	}
	t := fmt.Sprintf("%.0f%%", math.Floor(h.Rate7d*100))
	if h.Rate7d < 0.5 {
		return s.Warning.Render(t)
	}
	return t
}

// sparkline draws counts as bars scaled to the largest; an empty bucket is
// a dot, so that one fax still shows.
func sparkline(s *ui.Styles, counts []int) string {
	top := 0
	for _, c := range counts {
		top = max(top, c)
	}
	var b strings.Builder
	for _, c := range counts {
		if c == 0 {
			b.WriteString(s.Muted.Render("·"))
			continue
		}
		i := int(math.Ceil(float64(c)*float64(len(sparks))/float64(top))) - 1
		b.WriteRune(sparks[max(0, min(len(sparks)-1, i))])
	}
	return s.Success.Render(b.String())
}

// merge sums counts into n bars.
func merge(counts []int, n int) []int {
	if n >= len(counts) || n <= 0 {
		return counts
	}
	out := make([]int, n)
	for i, c := range counts {
		out[i*n/len(counts)] += c
	}
	return out
}

// joinParts joins parts with " · " on lines of at most w cells, breaking
// only between parts (a count stays with its word), the next lines
// indented.
func joinParts(parts []string, w int) string {
	var b strings.Builder
	line := ""
	for _, p := range parts {
		switch {
		case line == "":
			line = p
		case ansi.StringWidth(line)+3+ansi.StringWidth(p) <= w:
			line += " · " + p
		default:
			b.WriteString(line + "\n")
			line = "  " + p
		}
	}
	b.WriteString(ansi.Truncate(line, w, "…") + "\n")
	return b.String()
}

// totals are the lines below the table: counts, then throughput and ETA.
func totals(st *State, now time.Time, clock func(time.Time) string, s *ui.Styles) [][]string {
	t := st.Tally
	counts := []string{
		s.Success.Render(fmt.Sprintf("%d delivered", t.Done)),
		fmt.Sprintf("%d queued", t.Queued),
		fmt.Sprintf("%d petitioned", t.Petitioned),
	}
	if t.Failed > 0 {
		counts = append(counts, s.Error.Render(fmt.Sprintf("%d failed", t.Failed)))
	} else {
		counts = append(counts, "0 failed")
	}
	if t.Rejected > 0 {
		counts = append(counts, s.Error.Render(fmt.Sprintf("%d rejected", t.Rejected)))
	}
	if t.Already > 0 {
		counts = append(counts, fmt.Sprintf("%d already done", t.Already))
	}
	head := s.Key.Render("Total")
	if t.Total > 0 {
		head += fmt.Sprintf(" %d:", t.Total)
	} else {
		head += ":"
	}
	out := [][]string{append([]string{head + " " + counts[0]}, counts[1:]...)}

	fig := st.Figures(now)
	rate, ideal := fig.PerHour, fig.IdealPerHour
	var parts []string
	if rate > 0 {
		parts = append(parts, fmt.Sprintf("%s/h", perHourText(rate)))
	} else {
		parts = append(parts, "- /h")
	}
	if ideal > 0 {
		ratio := ""
		if rate > 0 {
			ratio = fmt.Sprintf(" (%.0f%%)", 100*rate/ideal)
		}
		parts[0] += fmt.Sprintf(" of %s/h ideal%s", perHourText(ideal), ratio)
	}
	switch {
	case t.Queued == 0 && t.Finished() > 0:
		parts = append(parts, "nothing left")
	case t.Queued > 0 && fig.ETAKnown:
		parts = append(parts, fmt.Sprintf("ETA %s (%s)", duration(fig.ETA), clock(now.Add(fig.ETA))))
	default:
		parts = append(parts, "ETA -")
	}
	parts[0] = s.Key.Render("Throughput:") + " " + parts[0]
	return append(out, parts)
}

// perHourText is a rate: whole numbers, one decimal below 10.
func perHourText(r float64) string {
	if r < 10 {
		return strconv.FormatFloat(r, 'f', 1, 64)
	}
	return strconv.FormatFloat(math.Round(r), 'f', 0, 64)
}

// duration is d for a glance: 42s, 3m05s, 2h10m.
func duration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	case d < 100*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
}

// queueText is a hub's waiting actions, as many as fit.
func queueText(st *State, s *ui.Styles, w int, now time.Time, height int) string {
	var b strings.Builder
	total := max(st.QueueTotal, len(st.Queue))
	fmt.Fprintf(&b, "\n%s %d waiting\n", s.Heading.Render("Queue:"), total)
	items := st.Queue
	if height > 0 {
		// The queue comes after the lines: it gets what is left, at least 3.
		items = items[:min(len(items), max(3, height-len(st.Lines)-10))]
	}
	for _, q := range items {
		line := fmt.Sprintf("%-8s %-9s %s", q.ID, q.State, q.Name)
		if q.Line != "" {
			line += " → " + q.Line
		}
		if q.Attempts > 0 {
			line += fmt.Sprintf(" · %d attempt(s)", q.Attempts)
		}
		if !q.Updated.IsZero() {
			line += s.Muted.Render(" · " + duration(now.Sub(q.Updated)) + " ago")
		}
		b.WriteString(ansi.Truncate(line, w, "…") + "\n")
	}
	if more := total - len(items); more > 0 {
		b.WriteString(s.Muted.Render(fmt.Sprintf("… and %d more", more)) + "\n")
	}
	return b.String()
}
