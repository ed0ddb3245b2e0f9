package journal

import (
	"context"
	"fmt"
	"time"
)

// NumberStats is a number's record, counted from its attempts: what an
// organizer (and /lines, as counts) reads to judge a number.
type NumberStats struct {
	Attempts  int `json:"attempts"` // finished
	Delivered int `json:"delivered"`
	Busy      int `json:"busy"`
	NoAnswer  int `json:"no_answer"`
	Failed    int `json:"failed"` // every other failure
	// The success rate over the last day and week: delivered over the
	// attempts that finished then; -1 when none did.
	Rate24h float64 `json:"rate_24h"`
	Rate7d  float64 `json:"rate_7d"`
	// LastDelivered is the end of the latest delivery; zero: none.
	LastDelivered time.Time `json:"last_delivered,omitzero"`
}

// NumberStats returns each number's health (Numbers) with its Stats
// counted at now, for every number the campaign's attempts reached.
func (j *Journal) NumberStats(ctx context.Context, campaign string, now time.Time) ([]NumberHealth, error) {
	hs, err := j.Numbers(ctx, campaign)
	if err != nil {
		return nil, err
	}
	day, week := unix(now.Add(-24*time.Hour)), unix(now.Add(-7*24*time.Hour))
	rows, err := j.rdb.QueryContext(ctx, `SELECT a.number,
		count(*),
		sum(CASE WHEN a.state = 'delivered' THEN 1 ELSE 0 END),
		sum(CASE WHEN a.reason = 'busy' THEN 1 ELSE 0 END),
		sum(CASE WHEN a.reason = 'no-answer' THEN 1 ELSE 0 END),
		sum(CASE WHEN a.state IN ('failed', 'not-sent') AND a.reason NOT IN ('busy', 'no-answer') THEN 1 ELSE 0 END),
		sum(CASE WHEN a.finished >= ? THEN 1 ELSE 0 END),
		sum(CASE WHEN a.finished >= ? AND a.state = 'delivered' THEN 1 ELSE 0 END),
		sum(CASE WHEN a.finished >= ? THEN 1 ELSE 0 END),
		sum(CASE WHEN a.finished >= ? AND a.state = 'delivered' THEN 1 ELSE 0 END),
		max(CASE WHEN a.state = 'delivered' THEN a.finished ELSE 0 END)
		FROM attempts a JOIN submissions s ON s.id = a.submission
		WHERE s.campaign = ? AND a.finished != 0 GROUP BY a.number ORDER BY a.number`,
		day, day, week, week, campaign)
	if err != nil {
		return nil, fmt.Errorf("journal: number stats of %s: %w", campaign, err)
	}
	defer rows.Close()
	byNumber := map[string]int{}
	for i, h := range hs {
		byNumber[h.Number] = i
	}
	rate := func(ok, n int) float64 {
		if n == 0 {
			return -1
		}
		return float64(ok) / float64(n)
	}
	for rows.Next() {
		var number string
		var st NumberStats
		var d, dOK, w, wOK int
		var last int64
		if err := rows.Scan(&number, &st.Attempts, &st.Delivered, &st.Busy, &st.NoAnswer, &st.Failed, &d, &dOK, &w, &wOK, &last); err != nil {
			return nil, fmt.Errorf("journal: number stats of %s: %w", campaign, err)
		}
		st.Rate24h, st.Rate7d = rate(dOK, d), rate(wOK, w)
		if last != 0 {
			st.LastDelivered = fromUnix(last)
		}
		i, ok := byNumber[number]
		if !ok {
			hs = append(hs, NumberHealth{Campaign: campaign, Number: number})
			i = len(hs) - 1
		}
		hs[i].Stats = &st
	}
	return hs, rows.Err()
}
