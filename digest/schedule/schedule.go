// Package schedule reads the schedules of digests: cron expressions, through
// robfig/cron/v3, and the friendly forms "daily HH:MM", "weekdays HH:MM" and
// "hourly" that map onto them, each in an IANA time zone.
//
// It is the one parser of schedules: the configuration file's
// [[digest.subscription]] tables and /digest subscribe both go through Parse.
//
// # Time zones and daylight saving
//
// A schedule names wall-clock slots (a date, an hour, a minute) in its zone,
// and Next returns each slot exactly once:
//
//   - a slot that a spring-forward change skips (02:30 in Europe/Berlin on the
//     last Sunday of March) happens at the same distance past the change, as
//     time.Date reads it (03:30 summer time);
//   - a slot that a fall-back change repeats (02:30 on the last Sunday of
//     October) happens at its first occurrence only;
//   - slots that land on the same instant happen once.
//
// So a daily digest fires once a day whatever the zone does.
package schedule

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // zones resolve on hosts without a zoneinfo database

	"github.com/robfig/cron/v3"
)

// DefaultZone is the zone of schedules that name none.
const DefaultZone = "Asia/Ho_Chi_Minh"

// Examples of good input, quoted by every refusal.
const (
	ExampleSchedule = "daily 08:00"
	ExampleCron     = "0 8 * * 1-5"
	ExampleZone     = DefaultZone
)

// Schedule is a parsed schedule in its time zone. The zero Schedule is not
// usable; get one from Parse. A Schedule is a value: copy it freely.
type Schedule struct {
	text string // the schedule as written, spaces collapsed
	cron string // its cron expression
	spec *cron.SpecSchedule
	loc  *time.Location
}

// Reason says why a schedule or a zone was refused.
type Reason int

// Reasons of an Error.
const (
	// BadSchedule: neither a friendly form nor a 5-field cron expression.
	BadSchedule Reason = iota + 1
	// BadTime: a friendly form ("daily", "weekdays") without a 24-hour HH:MM.
	BadTime
	// NamesZone: the expression names a time zone (CRON_TZ=, TZ=); the
	// zone is a field of its own.
	NamesZone
	// NoSlots: the expression names no wall-clock slots ("@every 1h"), or
	// none that ever happen ("0 0 30 2 *").
	NoSlots
	// BadZone: not an IANA time zone name.
	BadZone
)

// Error is a schedule or a zone that Parse or LoadZone refused. Its text,
// in English, says what is expected with an example; messages.ScheduleProblem
// says the same in Vietnamese or English for people.
type Error struct {
	Reason Reason
	Input  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s; got %q", e.Want(), e.Input)
}

// Want is what the input must be, with an example, without the input.
func (e *Error) Want() string {
	switch e.Reason {
	case BadTime:
		return fmt.Sprintf(`must be "daily HH:MM" or "weekdays HH:MM" with a 24-hour time, such as %q`, ExampleSchedule)
	case NamesZone:
		return "must not name a time zone; set the subscription's timezone instead"
	case NoSlots:
		return fmt.Sprintf("must name times of day that happen, such as %q or %q", ExampleSchedule, ExampleCron)
	case BadZone:
		return fmt.Sprintf("must be an IANA time zone name, such as %q or \"Europe/Berlin\"", ExampleZone)
	}
	return fmt.Sprintf(`must be a 5-field cron expression such as %q, or "daily HH:MM", "weekdays HH:MM" or "hourly", such as %q`, ExampleCron, ExampleSchedule)
}

// Field is the setting the Error is about: "schedule" or "timezone".
func (e *Error) Field() string {
	if e.Reason == BadZone {
		return "timezone"
	}
	return "schedule"
}

// friendly matches the friendly forms with a time of day.
var friendly = regexp.MustCompile(`^(daily|weekdays) ([01][0-9]|2[0-3]):([0-5][0-9])$`)

// Parse reads a schedule in loc (nil means DefaultZone): a friendly form
//
//	daily HH:MM      every day at HH:MM       (cron "MM HH * * *")
//	weekdays HH:MM   Monday to Friday         (cron "MM HH * * 1-5")
//	hourly           every hour on the hour   (cron "0 * * * *")
//
// or a standard 5-field cron expression ("minute hour day-of-month month
// day-of-week", names and descriptors such as "@daily" allowed). Keywords are
// read without regard to case and extra spaces. An error is an *Error.
func Parse(text string, loc *time.Location) (Schedule, error) {
	if loc == nil {
		var err error
		if loc, err = LoadZone(DefaultZone); err != nil {
			return Schedule{}, err
		}
	}
	norm := strings.Join(strings.Fields(text), " ")
	lower := strings.ToLower(norm)
	expr := norm
	switch m := friendly.FindStringSubmatch(lower); {
	case m != nil && m[1] == "daily":
		expr = m[3] + " " + m[2] + " * * *"
		norm = lower
	case m != nil:
		expr = m[3] + " " + m[2] + " * * 1-5"
		norm = lower
	case lower == "hourly":
		expr, norm = "0 * * * *", lower
	case strings.HasPrefix(lower, "daily") || strings.HasPrefix(lower, "weekdays"):
		return Schedule{}, &Error{BadTime, text}
	case strings.Contains(norm, "TZ="):
		// Checked before cron sees it: robfig/cron panics on "TZ=X" without a space.
		return Schedule{}, &Error{NamesZone, text}
	case norm == "":
		return Schedule{}, &Error{BadSchedule, text}
	}
	parsed, err := parseCron(expr)
	if err != nil {
		return Schedule{}, &Error{BadSchedule, text}
	}
	spec, ok := parsed.(*cron.SpecSchedule)
	if !ok {
		return Schedule{}, &Error{NoSlots, text}
	}
	s := Schedule{text: norm, cron: expr, spec: spec, loc: loc}
	if s.Next(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		return Schedule{}, &Error{NoSlots, text}
	}
	return s, nil
}

// parseCron is cron.ParseStandard, with a panic (robfig/cron has a few on
// odd input) turned into an error.
func parseCron(expr string) (s cron.Schedule, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("cron: %v", p)
		}
	}()
	return cron.ParseStandard(expr)
}

// LoadZone returns the IANA time zone name, refusing "" and "Local" (the
// host's zone is not a setting anyone can see) with an *Error.
func LoadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, &Error{BadZone, name}
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, &Error{BadZone, name}
	}
	return loc, nil
}

// String is the schedule as written, spaces collapsed and friendly
// keywords in lower case.
func (s Schedule) String() string { return s.text }

// Cron is the schedule's cron expression.
func (s Schedule) Cron() string { return s.cron }

// Location is the schedule's time zone.
func (s Schedule) Location() *time.Location { return s.loc }

// searchYears bounds how far Next looks: a cron expression for a date that
// never comes ("0 0 31 2 *") is found out within it.
const searchYears = 9

// Next returns the first time strictly after t at which a slot of the
// schedule happens (see the package documentation for daylight saving), in
// the schedule's zone, or the zero time when there is none in the next nine
// years.
func (s Schedule) Next(t time.Time) time.Time {
	if s.spec == nil {
		return time.Time{}
	}
	t = t.In(s.loc)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) // a calendar date
	end := day.AddDate(searchYears, 0, 0)
	// A slot of the day before t's can happen after t only through a
	// spring-forward change at midnight; start there to be sure.
	for day = day.AddDate(0, 0, -1); day.Before(end); day = day.AddDate(0, 0, 1) {
		if !s.dayMatches(day) {
			continue
		}
		// The earliest slot of the day after t. Slots of a day are in
		// increasing order except around a change, so look at them all.
		var best time.Time
		for h := 0; h < 24; h++ {
			if s.spec.Hour&(1<<uint(h)) == 0 {
				continue
			}
			for m := 0; m < 60; m++ {
				if s.spec.Minute&(1<<uint(m)) == 0 {
					continue
				}
				at := wallTime(day, h, m, s.loc)
				if at.After(t) && (best.IsZero() || at.Before(best)) {
					best = at
				}
			}
		}
		if !best.IsZero() {
			return best
		}
	}
	return time.Time{}
}

// starBit marks a cron field written as "*" (robfig/cron's convention).
const starBit = 1 << 63

// dayMatches reports whether the calendar date day (in UTC) is a day of the
// schedule, with cron's rule: when both day of month and day of week are
// restricted, either one matching is enough.
func (s Schedule) dayMatches(day time.Time) bool {
	if s.spec.Month&(1<<uint(day.Month())) == 0 {
		return false
	}
	dom := s.spec.Dom&(1<<uint(day.Day())) != 0
	dow := s.spec.Dow&(1<<uint(day.Weekday())) != 0
	if s.spec.Dom&starBit != 0 || s.spec.Dow&starBit != 0 {
		return dom && dow
	}
	return dom || dow
}

// wallTime is the instant the wall clock of loc reads h:m on the calendar
// date day: for a time a spring-forward change skips, the instant time.Date
// gives (as far past the change as the time is past its start); for a time a
// fall-back change repeats, its first occurrence.
func wallTime(day time.Time, h, m int, loc *time.Location) time.Time {
	t := time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc)
	_, before := t.Add(-3 * time.Hour).Zone()
	_, now := t.Zone()
	if before > now { // a fall-back change within the last hours
		earlier := t.Add(-time.Duration(before-now) * time.Second)
		if earlier.Hour() == h && earlier.Minute() == m && earlier.Day() == t.Day() {
			return earlier
		}
	}
	return t
}
