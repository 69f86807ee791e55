// Package digesttest helps test code that schedules digests: a Clock whose
// time moves only when the test says, so that a test crosses days of
// schedules in microseconds.
package digesttest

import (
	"fmt"
	"sync"
	"time"
)

// Clock is a fake digest.Clock. Its time moves only with Advance and Set;
// a timer fires once the clock reaches its time. It is safe for concurrent
// use.
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []*waiter
	changed chan struct{} // closed and replaced when waiters change
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

// NewClock returns a Clock reading start.
func NewClock(start time.Time) *Clock {
	return &Clock{now: start, changed: make(chan struct{})}
}

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Timer returns a channel that receives the clock's time once it has moved
// d past now (at once when d <= 0), and a function that stops it: it reports
// whether the timer was still waiting, which it no longer is.
func (c *Clock) Timer(d time.Duration) (<-chan time.Time, func() bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch, func() bool { return false }
	}
	w := &waiter{at: c.now.Add(d), ch: ch}
	c.waiters = append(c.waiters, w)
	c.notify()
	return ch, func() bool { return c.stop(w) }
}

// stop removes w from the waiters, reporting whether it was there.
func (c *Clock) stop(w *waiter) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, x := range c.waiters {
		if x == w {
			c.waiters = append(c.waiters[:i], c.waiters[i+1:]...)
			c.notify()
			return true
		}
	}
	return false
}

// Advance moves the clock d forward, firing the waiters it reaches.
func (c *Clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// Set moves the clock to t (never backwards), firing the waiters it
// reaches.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.Before(c.now) {
		panic(fmt.Sprintf("digesttest: clock moved back from %v to %v", c.now, t))
	}
	c.now = t
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(t) {
			kept = append(kept, w)
			continue
		}
		w.ch <- t
	}
	clear(c.waiters[len(kept):])
	c.waiters = kept
	c.notify()
}

// Waiters is the number of timers waiting: neither fired nor stopped.
func (c *Clock) Waiters() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waiters)
}

// WaitForWaiters waits, in real time up to timeout, until at least n timers
// are waiting: the sign that a goroutine is asleep on the clock and the test
// may move it.
func (c *Clock) WaitForWaiters(n int, timeout time.Duration) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		got, changed := len(c.waiters), c.changed
		c.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-changed:
		case <-deadline.C:
			return fmt.Errorf("digesttest: %d waiters after %v, want %d", got, timeout, n)
		}
	}
}

// notify wakes WaitForWaiters; c.mu must be held.
func (c *Clock) notify() {
	close(c.changed)
	c.changed = make(chan struct{})
}
