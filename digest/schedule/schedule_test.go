package schedule

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := LoadZone(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// TestNext follows schedules from a start and checks each firing, in UTC.
func TestNext(t *testing.T) {
	tests := []struct {
		name     string
		schedule string
		zone     string
		from     string
		want     []string
	}{
		{"daily 08:00 in Ho Chi Minh City is 01:00 UTC", "daily 08:00", "Asia/Ho_Chi_Minh", "2026-11-27T00:00:00Z",
			[]string{"2026-11-27T01:00:00Z", "2026-11-28T01:00:00Z"}},
		{"a slot exactly at the start is not after it", "daily 08:00", "Asia/Ho_Chi_Minh", "2026-11-27T01:00:00Z",
			[]string{"2026-11-28T01:00:00Z"}},
		{"Berlin daily 02:30 across spring forward: once, past the change", "daily 02:30", "Europe/Berlin", "2026-03-27T12:00:00Z",
			[]string{"2026-03-28T01:30:00Z", "2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"}},
		{"Berlin daily 02:30 across fall back: the first occurrence only", "daily 02:30", "Europe/Berlin", "2026-10-24T12:00:00Z",
			[]string{"2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"}},
		{"Berlin daily 08:00 across both changes stays 08:00", "daily 08:00", "Europe/Berlin", "2026-03-28T12:00:00Z",
			[]string{"2026-03-29T06:00:00Z", "2026-03-30T06:00:00Z"}},
		{"Berlin hourly across fall back: each wall hour once", "hourly", "Europe/Berlin", "2026-10-24T23:30:00Z",
			[]string{"2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z", "2026-10-25T03:00:00Z"}}, // 02:00 CEST, (not 02:00 CET), 03:00 CET
		{"Berlin hourly across spring forward: the skipped hour merges", "hourly", "Europe/Berlin", "2026-03-28T23:30:00Z",
			[]string{"2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"}},
		{"weekdays skip the weekend", "weekdays 18:30", "UTC", "2026-11-27T19:00:00Z", // a Friday
			[]string{"2026-11-30T18:30:00Z", "2026-12-01T18:30:00Z"}},
		{"cron weekdays", "0 8 * * 1-5", "Asia/Ho_Chi_Minh", "2026-11-27T02:00:00Z",
			[]string{"2026-11-30T01:00:00Z"}},
		{"cron names and descriptors", "@daily", "UTC", "2026-11-27T02:00:00Z",
			[]string{"2026-11-28T00:00:00Z"}},
		{"day of month or day of week", "0 9 1 * MON", "UTC", "2026-11-27T00:00:00Z",
			[]string{"2026-11-30T09:00:00Z", "2026-12-01T09:00:00Z", "2026-12-07T09:00:00Z"}},
		{"leap day", "0 0 29 2 *", "UTC", "2026-11-27T00:00:00Z",
			[]string{"2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"}},
		{"keywords without regard to case and spaces", "  Daily   07:05 ", "UTC", "2026-11-27T00:00:00Z",
			[]string{"2026-11-27T07:05:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(tt.schedule, zone(t, tt.zone))
			if err != nil {
				t.Fatal(err)
			}
			at := utc(tt.from)
			for i, w := range tt.want {
				at = s.Next(at)
				if !at.Equal(utc(w)) {
					t.Fatalf("firing %d = %s (%s), want %s", i+1, at.UTC().Format(time.RFC3339), at.Format(time.RFC3339), w)
				}
				if at.Location() != s.Location() {
					t.Errorf("firing %d is in %v, want the schedule's zone", i+1, at.Location())
				}
			}
		})
	}
}

func TestParseForms(t *testing.T) {
	tests := []struct{ in, cron, text string }{
		{"daily 08:00", "00 08 * * *", "daily 08:00"},
		{"WEEKDAYS 18:30", "30 18 * * 1-5", "weekdays 18:30"},
		{"hourly", "0 * * * *", "hourly"},
		{"0  8 * * 1-5", "0 8 * * 1-5", "0 8 * * 1-5"},
	}
	for _, tt := range tests {
		s, err := Parse(tt.in, nil)
		if err != nil {
			t.Fatalf("%q: %v", tt.in, err)
		}
		if s.Cron() != tt.cron || s.String() != tt.text || s.Location().String() != DefaultZone {
			t.Errorf("%q = cron %q, text %q, zone %v; want %q, %q, %s", tt.in, s.Cron(), s.String(), s.Location(), tt.cron, tt.text, DefaultZone)
		}
	}
}

func TestRefused(t *testing.T) {
	tests := []struct {
		in   string
		want Reason
	}{
		{"", BadSchedule},
		{"every morning", BadSchedule},
		{"0 0 8 * * *", BadSchedule}, // six fields
		{"61 8 * * *", BadSchedule},
		{"daily", BadTime},
		{"daily 8:00", BadTime},
		{"daily 24:00", BadTime},
		{"weekdays 18h30", BadTime},
		{"CRON_TZ=UTC 0 8 * * *", NamesZone},
		{"TZ=UTC", NamesZone},
		{"@every 1h", NoSlots},
		{"0 0 30 2 *", NoSlots},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in, nil)
		var se *Error
		if !errors.As(err, &se) || se.Reason != tt.want || se.Input != tt.in || se.Field() != "schedule" {
			t.Errorf("Parse(%q) = %v, want an *Error with reason %d", tt.in, err, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), ExampleSchedule) && tt.want != NamesZone {
			t.Errorf("Parse(%q): %q gives no example", tt.in, err)
		}
	}
	for _, name := range []string{"", "Local", "Mars/Olympus", "asia/ho chi minh"} {
		_, err := LoadZone(name)
		var se *Error
		if !errors.As(err, &se) || se.Reason != BadZone || se.Field() != "timezone" || !strings.Contains(err.Error(), ExampleZone) {
			t.Errorf("LoadZone(%q) = %v, want a BadZone *Error naming %s", name, err, ExampleZone)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"daily 08:00", "hourly", "0 8 * * 1-5", "@weekly", "TZ=X", "*/7 1-5/2 L * ?"} {
		f.Add(s)
	}
	loc, _ := LoadZone("Europe/Berlin")
	f.Fuzz(func(t *testing.T, text string) {
		s, err := Parse(text, loc)
		if err != nil {
			return
		}
		from := time.Date(2026, 3, 28, 0, 0, 0, 0, time.UTC)
		if next := s.Next(from); !next.After(from) {
			t.Fatalf("%q: Next(%v) = %v", text, from, next)
		}
	})
}
