package ledger

import (
	"cmp"
	"slices"
	"time"
)

// Summary is the public part of a ledger: counts and sealed heads, no
// names, no job ids. A hub serves it, so anyone can check the numbers an
// organizer publishes against the seals.
type Summary struct {
	Campaign string         `json:"campaign"`
	Entries  int            `json:"entries"`
	Outcomes map[string]int `json:"outcomes"` // outcome → entries
	Days     []DayCount     `json:"days"`
	Numbers  []NumberCount  `json:"numbers"`
	HeadSeq  int64          `json:"head_seq"`
	Head     string         `json:"head"`
	// Seals are every seal of the head, oldest first, with the key's
	// fingerprint to compare with the one the organizer published.
	Seals       []Seal `json:"seals"`
	Fingerprint string `json:"fingerprint,omitempty"`
}

// DayCount is one day's outcomes.
type DayCount struct {
	Date     string         `json:"date"` // YYYY-MM-DD in the summary's time zone
	Outcomes map[string]int `json:"outcomes"`
}

// NumberCount is the outcomes of the faxes to one number (petitioned and
// gave-up entries name none).
type NumberCount struct {
	Label    string         `json:"label,omitempty"`
	Number   string         `json:"number"`
	Outcomes map[string]int `json:"outcomes"`
}

// Summarize counts x's entries by outcome, by day in loc (the target's
// time zone; nil is UTC) and by number.
func Summarize(x Export, loc *time.Location) Summary {
	if loc == nil {
		loc = time.UTC
	}
	s := Summary{Campaign: x.Campaign, Entries: len(x.Entries), Outcomes: map[string]int{}, Days: []DayCount{},
		Numbers: []NumberCount{}, Head: Genesis, Seals: x.Seals}
	if s.Seals == nil {
		s.Seals = []Seal{}
	}
	days := map[string]int{}
	nums := map[string]int{}
	for _, e := range x.Entries {
		s.Outcomes[e.Outcome]++
		d := e.Time.In(loc).Format(time.DateOnly)
		i, ok := days[d]
		if !ok {
			i = len(s.Days)
			days[d] = i
			s.Days = append(s.Days, DayCount{Date: d, Outcomes: map[string]int{}})
		}
		s.Days[i].Outcomes[e.Outcome]++
		if e.Number != "" {
			i, ok := nums[e.Number]
			if !ok {
				i = len(s.Numbers)
				nums[e.Number] = i
				s.Numbers = append(s.Numbers, NumberCount{Number: e.Number, Outcomes: map[string]int{}})
			}
			s.Numbers[i].Label = cmp.Or(e.NumberLabel, s.Numbers[i].Label)
			s.Numbers[i].Outcomes[e.Outcome]++
		}
		if e.Seq > s.HeadSeq {
			s.HeadSeq, s.Head = e.Seq, e.Hash
		}
	}
	slices.SortFunc(s.Days, func(a, b DayCount) int { return cmp.Compare(a.Date, b.Date) })
	slices.SortFunc(s.Numbers, func(a, b NumberCount) int { return cmp.Compare(a.Number, b.Number) })
	if n := len(x.Seals); n > 0 {
		s.Fingerprint = x.Seals[n-1].Fingerprint()
	}
	return s
}
