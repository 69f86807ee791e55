package digest

import "time"

// Clock tells the Scheduler the time and wakes it up. Tests use a fake one
// (digesttest.Clock) to move time on without sleeping.
type Clock interface {
	// Now is the current time.
	Now() time.Time
	// Timer returns a channel that receives the time once d has passed (at
	// once when d <= 0), and a function that stops it, as time.Timer's
	// Stop does.
	Timer(d time.Duration) (c <-chan time.Time, stop func() bool)
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now is time.Now.
func (SystemClock) Now() time.Time { return time.Now() }

// Timer is a time.Timer.
func (SystemClock) Timer(d time.Duration) (<-chan time.Time, func() bool) {
	t := time.NewTimer(d)
	return t.C, t.Stop
}
