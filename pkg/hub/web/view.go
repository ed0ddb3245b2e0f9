package web

import (
	"encoding/binary"
	"time"
)

// fieldArgs is what the "field" template gets.
type fieldArgs struct {
	V                 *view
	Field, Type, Auto string
	Required          bool
}

func args(v *view, field, typ, auto string, required bool) fieldArgs {
	return fieldArgs{V: v, Field: field, Type: typ, Auto: auto, Required: required}
}

// FormValue is what was typed into field, to give it back.
func (v *view) FormValue(field string) string {
	switch field {
	case "name":
		return v.Form.Name
	case "city":
		return v.Form.City
	case "country":
		return v.Form.Country
	case "email":
		return v.Form.Email
	}
	return ""
}

// RefreshSeconds is how often an unfinished receipt reloads.
func (v *view) RefreshSeconds() int { return v.h.cfg.RefreshSeconds }

// PrivacyNotice is the organizer's notice (`serve --privacy-notice`).
func (v *view) PrivacyNotice() string { return v.h.cfg.PrivacyNotice }

// StateKey is the message key of a receipt's state.
func (r *receiptView) StateKey() string {
	switch r.State {
	case "delivered", "submitted":
		if r.rehearsal {
			return "written"
		}
		return r.State
	case "queued", "sending", "petitioned", "failed", "unconfirmed", "expired":
		return r.State
	case "gave-up":
		return "failed"
	}
	return "unknown"
}

// clock is a time for the admin table, or "" for none.
// when is an instant that may be days away: date and time, UTC.
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func clock(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("15:04:05 UTC")
}

// pngSize reads a PNG's width and height from its header (0, 0 if it is
// not one), for the img element's intrinsic size.
func pngSize(b []byte) (w, h int) {
	if len(b) < 24 || string(b[1:4]) != "PNG" || string(b[12:16]) != "IHDR" {
		return 0, 0
	}
	return int(binary.BigEndian.Uint32(b[16:20])), int(binary.BigEndian.Uint32(b[20:24]))
}

// LangName is a language's name in that language.
func (v *view) LangName(code string) string { return langName(code) }
