package bot

import (
	"sync"
	"time"
)

// rateLimiter lets each user ask at most limit questions in any window of
// time (a sliding window). Refused questions do not count. It is safe for
// concurrent use; its memory is bounded by the users who asked within the
// last window.
type rateLimiter struct {
	limit  int // 0: no limit
	window time.Duration
	now    func() time.Time

	mu        sync.Mutex
	asked     map[string][]time.Time // per user, oldest first, within the window
	lastSweep time.Time
}

func newRateLimiter(limit int, window time.Duration, now func() time.Time) *rateLimiter {
	if now == nil {
		now = time.Now
	}
	return &rateLimiter{limit: limit, window: window, now: now, asked: map[string][]time.Time{}}
}

// allow records a question by user and reports whether it may be answered.
// When it may not, wait is how long until it may.
func (l *rateLimiter) allow(user string) (ok bool, wait time.Duration) {
	if l.limit <= 0 || l.window <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweep(now)
	times := recent(l.asked[user], now.Add(-l.window))
	if len(times) >= l.limit {
		l.asked[user] = times
		return false, times[len(times)-l.limit].Add(l.window).Sub(now)
	}
	l.asked[user] = append(times, now)
	return true, 0
}

// sweep forgets, once per window, the users who asked nothing within it.
func (l *rateLimiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < l.window {
		return
	}
	l.lastSweep = now
	for user, times := range l.asked {
		if len(recent(times, now.Add(-l.window))) == 0 {
			delete(l.asked, user)
		}
	}
}

// recent returns the times after since, which end the slice.
func recent(times []time.Time, since time.Time) []time.Time {
	i := 0
	for i < len(times) && !times[i].After(since) {
		i++
	}
	return times[i:]
}
