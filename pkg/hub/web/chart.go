package web

import (
	"fmt"
	"html/template"
	"strings"
	"time"
)

type hourRow struct {
	Label string
	Count int
}

// The chart's drawing area, in SVG user units (the SVG scales to the page).
const (
	chartW, chartH           = 720.0, 220.0
	chartLeft, chartRight    = 44.0, 8.0
	chartTop, chartBottom    = 12.0, 26.0
	chartLabelEvery          = 3 // hours between x-axis labels
	chartMinBarGap, chartGap = 1.0, 0.15
)

// chart draws deliveries per hour as a bar chart in SVG, server-side: a
// few dozen rects and lines need no library. start is the start of the
// first hour; desc is the chart's text alternative.
func chart(perHour []int, start time.Time, desc string) (template.HTML, []hourRow) {
	n := len(perHour)
	rows := make([]hourRow, n)
	for i, c := range perHour {
		rows[i] = hourRow{Label: start.Add(time.Duration(i) * time.Hour).UTC().Format("2006-01-02 15:00"), Count: c}
	}
	top := niceCeil(maxOf(perHour))
	plotW, plotH := chartW-chartLeft-chartRight, chartH-chartTop-chartBottom
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" id="chart" role="img" aria-labelledby="chart-h chart-d" viewBox="0 0 %g %g" xmlns="http://www.w3.org/2000/svg">`, chartW, chartH)
	fmt.Fprintf(&b, `<desc id="chart-d">%s</desc>`, template.HTMLEscapeString(desc))
	for _, f := range []float64{0, 0.5, 1} {
		y := chartTop + plotH*(1-f)
		class := "grid"
		if f == 0 {
			class = "axis"
		}
		fmt.Fprintf(&b, `<line class="%s" x1="%g" y1="%.1f" x2="%g" y2="%.1f"/>`, class, chartLeft, y, chartW-chartRight, y)
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" text-anchor="end">%g</text>`, chartLeft-6, y+4, float64(top)*f) // 2.5 for a top of 5
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%g" y1="%g" x2="%g" y2="%g"/>`, chartLeft, chartTop, chartLeft, chartTop+plotH)
	if n > 0 {
		slot := plotW / float64(n)
		gap := max(chartMinBarGap, slot*chartGap)
		for i, c := range perHour {
			x := chartLeft + float64(i)*slot + gap/2
			h := plotH * float64(c) / float64(top)
			fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s UTC: %d</title></rect>`,
				x, chartTop+plotH-h, slot-gap, h, rows[i].Label, c)
			if i%chartLabelEvery == 0 {
				fmt.Fprintf(&b, `<text x="%.1f" y="%g" text-anchor="middle">%s</text>`, x+(slot-gap)/2, chartH-8,
					start.Add(time.Duration(i)*time.Hour).UTC().Format("15h"))
			}
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()), rows // every value in it is a number or escaped
}

// niceCeil rounds m up to 1, 2 or 5 times a power of ten (at least 1), so
// the axis reads in round numbers.
func niceCeil(m int) int {
	if m <= 1 {
		return 1
	}
	for p := 1; ; p *= 10 {
		for _, f := range []int{1, 2, 5} {
			if f*p >= m {
				return f * p
			}
		}
	}
}
