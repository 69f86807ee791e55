package bot

import (
	"testing"
	"time"
)

func TestRateLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	l := newRateLimiter(3, 30*time.Second, func() time.Time { return now })
	for i := range 3 {
		if ok, _ := l.allow("ann"); !ok {
			t.Fatalf("question %d refused", i+1)
		}
		now = now.Add(5 * time.Second)
	}
	// ann asked at 0, 5 and 10 s; it is 15 s: the next slot frees at 30 s.
	if ok, wait := l.allow("ann"); ok || wait != 15*time.Second {
		t.Errorf("4th question: ok %v, wait %v; want refused, 15s", ok, wait)
	}
	if ok, _ := l.allow("bob"); !ok {
		t.Error("another user was refused")
	}
	// A refused question does not count: at 30 s one slot is free again.
	now = now.Add(15 * time.Second)
	if ok, _ := l.allow("ann"); !ok {
		t.Error("refused after the window moved on")
	}
	if ok, wait := l.allow("ann"); ok || wait != 5*time.Second {
		t.Errorf("next: ok %v, wait %v; want refused, 5s (the question at 5 s)", ok, wait)
	}
	// Users idle for a whole window are forgotten.
	now = now.Add(time.Hour)
	l.allow("carol")
	if _, ok := l.asked["ann"]; ok || len(l.asked) != 1 {
		t.Errorf("users remembered: %v", l.asked)
	}
}

func TestRateLimiterOff(t *testing.T) {
	l := newRateLimiter(0, time.Second, nil)
	for range 100 {
		if ok, _ := l.allow("ann"); !ok {
			t.Fatal("a limit of 0 refused a question")
		}
	}
}
