package digest

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/baobot/baobot/config"
	"github.com/baobot/baobot/digest/schedule"
	"github.com/baobot/baobot/messages"
)

// A daily 08:00 digest in Asia/Ho_Chi_Minh (the default zone) fires at
// 01:00 UTC, with the articles added since the subscription, and then the
// next day.
func TestDailyHoChiMinhFiresAt0100UTC(t *testing.T) {
	w := newWorld(t, "2026-11-27T00:00:00Z", Options{})
	w.ingest(2) // before the subscription: not in its digests
	st := w.subscribe("1", "daily 08:00", "", 0)
	if want := utc("2026-11-27T01:00:00Z"); !st.Next.Equal(want) {
		t.Fatalf("next = %v, want %v", st.Next.UTC(), want)
	}
	ids := w.ingest(3)
	if next := w.at("2026-11-27T00:59:59Z"); !next.Equal(utc("2026-11-27T01:00:00Z")) {
		t.Errorf("before the slot: next = %v", next.UTC())
	}
	w.expectPosts()
	next := w.at("2026-11-27T01:00:00Z")
	w.expectPosts(newestFirst(ids))
	if want := utc("2026-11-28T01:00:00Z"); !next.Equal(want) {
		t.Errorf("after the slot: next = %v, want %v", next.UTC(), want)
	}
	st = w.status("1")
	if st.State.LastTotal != 3 || len(st.State.LastArticles) != 3 || !st.State.LastPosted.Equal(utc("2026-11-27T01:00:00Z")) {
		t.Errorf("state after the post: %+v", st.State)
	}
}

// A daily Europe/Berlin digest fires once a day across both daylight-saving
// changes, at 02:30 local time (03:30 on the day 02:30 does not exist).
func TestBerlinAcrossDSTFiresOnce(t *testing.T) {
	tests := []struct {
		name, from, to string
		want           []string
	}{
		{"fall back", "2026-10-24T12:00:00Z", "2026-10-26T12:00:00Z",
			[]string{"2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"}},
		{"spring forward", "2026-03-28T12:00:00Z", "2026-03-30T12:00:00Z",
			[]string{"2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, tt.from, Options{PostEmpty: true})
			w.subscribe("1", "daily 02:30", "Europe/Berlin", 0)
			// Step through the days as Run would, every five minutes.
			var fired []string
			for at := utc(tt.from); !at.After(utc(tt.to)); at = at.Add(5 * time.Minute) {
				w.at(at.Format(time.RFC3339))
				posts, _ := w.poster.taken()
				for range posts {
					fired = append(fired, at.Format(time.RFC3339))
				}
			}
			if len(fired) != len(tt.want) {
				t.Fatalf("fired at %v, want %v", fired, tt.want)
			}
			for i := range fired {
				if fired[i] != tt.want[i] {
					t.Errorf("firing %d at %s, want %s", i+1, fired[i], tt.want[i])
				}
			}
		})
	}
}

// Articles ingested, then a restart before the slot: the slot posts them,
// exactly once.
func TestRestartBetweenIngestAndSchedule(t *testing.T) {
	w := newWorld(t, "2026-11-27T00:00:00Z", Options{})
	w.subscribe("1", "daily 08:00", "", 0)
	ids := w.ingest(4)
	w.clock.Set(utc("2026-11-27T00:30:00Z"))
	w.restart()
	w.at("2026-11-27T00:45:00Z")
	w.expectPosts()
	w.at("2026-11-27T01:00:00Z")
	w.expectPosts(newestFirst(ids))
	w.at("2026-11-27T01:00:30Z")
	w.expectPosts()
}

// A restart right after a post does not post it again.
func TestRestartRightAfterPostNoRepeat(t *testing.T) {
	w := newWorld(t, "2026-11-27T00:00:00Z", Options{})
	w.subscribe("1", "daily 08:00", "", 0)
	ids := w.ingest(2)
	w.at("2026-11-27T01:00:00Z")
	w.expectPosts(newestFirst(ids))
	w.clock.Advance(time.Second)
	w.restart()
	next := w.at("2026-11-27T01:00:02Z")
	w.expectPosts()
	if want := utc("2026-11-28T01:00:00Z"); !next.Equal(want) {
		t.Errorf("next = %v, want %v", next.UTC(), want)
	}
}

// Down over three slots (with articles ingested meanwhile by another
// process): one digest catches up on start, then the schedule resumes.
// A crash before posting is the same case: the digest is posted once on
// the next start.
func TestDowntimeOverThreeSlotsCatchesUpOnce(t *testing.T) {
	w := newWorld(t, "2026-11-27T00:00:00Z", Options{})
	w.subscribe("1", "daily 08:00", "", 0)
	first := w.ingest(1)
	w.at("2026-11-27T01:00:00Z")
	w.expectPosts(first)

	if err := w.db.Close(); err != nil {
		t.Fatal(err)
	}
	w.clock.Set(utc("2026-11-30T06:00:00Z")) // the 28th, 29th and 30th slots missed
	w.open()
	gap := w.ingest(5)
	next := w.at("2026-11-30T06:00:00Z")
	w.expectPosts(newestFirst(gap))
	if want := utc("2026-12-01T01:00:00Z"); !next.Equal(want) {
		t.Errorf("after the catch-up: next = %v, want %v", next.UTC(), want)
	}
	w.at("2026-11-30T23:00:00Z")
	w.expectPosts()
	later := w.ingest(1)
	w.at("2026-12-01T01:00:00Z")
	w.expectPosts(later)
}

// A channel that is gone (404) or forbidden (403) is tried again after a
// back-off that doubles, and paused after MaxAttempts attempts; a paused
// subscription is never tried again until subscribed again. Other failures
// give the digest up until the next slot, keeping its articles.
func TestFailuresPauseWithBackoffNeverLoop(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		pause bool
	}{
		{"channel gone", wrapped(ErrChannelGone), true},
		{"permission lost", wrapped(ErrForbidden), true},
		{"server error", errServer, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, "2026-11-27T00:00:00Z", Options{MaxAttempts: 3, Backoff: time.Minute})
			w.subscribe("1", "daily 08:00", "", 0)
			ids := w.ingest(2)
			w.poster.failWith(tt.err)

			// Run as Run would, every ten seconds for two days: count the attempts.
			var attempts []time.Time
			for at := utc("2026-11-27T00:59:50Z"); at.Before(utc("2026-11-29T00:00:00Z")); at = at.Add(10 * time.Second) {
				w.at(at.Format(time.RFC3339))
				if _, calls := w.poster.taken(); calls > 0 {
					for range calls {
						attempts = append(attempts, at)
					}
				}
			}
			want := []time.Time{utc("2026-11-27T01:00:00Z"), utc("2026-11-27T01:01:00Z"), utc("2026-11-27T01:03:00Z")}
			if !tt.pause {
				want = append(want, utc("2026-11-28T01:00:00Z"), utc("2026-11-28T01:01:00Z"), utc("2026-11-28T01:03:00Z"))
			}
			if len(attempts) != len(want) {
				t.Fatalf("attempts at %v, want %v", attempts, want)
			}
			for i := range want {
				if !attempts[i].Equal(want[i]) {
					t.Errorf("attempt %d at %v, want %v", i+1, attempts[i], want[i])
				}
			}

			st := w.status("1")
			if st.State.Paused != tt.pause {
				t.Fatalf("paused = %v, want %v", st.State.Paused, tt.pause)
			}
			if !errors.Is(tt.err, st.Problem()) && st.Problem().Error() != tt.err.Error() {
				t.Errorf("problem = %v, want %v", st.Problem(), tt.err)
			}
			if tt.pause && !st.Next.IsZero() {
				t.Errorf("a paused subscription is due at %v", st.Next)
			}

			// Fixed: subscribing again (paused) or the next slot (given up)
			// posts the articles kept, once.
			w.poster.failWith(nil)
			if tt.pause {
				if st, replaced, err := w.sched.Subscribe(Subscription{Channel: "1", Schedule: "daily 08:00"}, 0); err != nil || !replaced || st.State.Paused {
					t.Fatalf("subscribe again: %+v, %v, %v", st.State, replaced, err)
				}
			}
			w.at("2026-11-29T01:00:00Z")
			w.expectPosts(newestFirst(ids))
		})
	}
}

// A new subscription starts from now, unless asked for the last N articles.
func TestNewSubscriptionStartsFromNow(t *testing.T) {
	for _, last := range []int{0, 2, 10} {
		w := newWorld(t, "2026-11-27T00:00:00Z", Options{})
		old := w.ingest(3)
		w.subscribe("1", "hourly", "", last)
		fresh := w.ingest(1)
		w.at("2026-11-27T00:00:00Z")
		w.at("2026-11-27T01:00:00Z")
		want := fresh
		switch last {
		case 2:
			want = newestFirst(old[1:], fresh)
		case 10:
			want = newestFirst(old, fresh)
		}
		w.expectPosts(want)
	}
}

// At most max articles, newest first, the rest counted; then the next
// digest starts after them all.
func TestMaxAndMore(t *testing.T) {
	w := newWorld(t, "2026-11-27T00:00:00Z", Options{DefaultMax: 4})
	w.subscribe("1", "hourly", "", 0)
	ids := w.ingest(7)
	w.at("2026-11-27T01:00:00Z")
	posts, _ := w.poster.taken()
	if len(posts) != 1 {
		t.Fatalf("%d posts", len(posts))
	}
	d := posts[0].digest
	if got, want := d.IDs(), newestFirst(ids)[:4]; len(got) != 4 || got[0] != want[0] || got[3] != want[3] {
		t.Errorf("listed %v, want %v", got, want)
	}
	if d.Total != 7 || d.More() != 3 || d.Lang != "" || d.Zone.String() != schedule.DefaultZone || d.Channel != "1" {
		t.Errorf("digest: total %d, more %d, lang %q, zone %v, channel %q", d.Total, d.More(), d.Lang, d.Zone, d.Channel)
	}
	a := d.Articles[0]
	if a.Title != "Article 7" || a.Lead != "Summary of article 7." || a.Source != "Test News" || a.URL != "https://example.com/a007" {
		t.Errorf("first article: %+v", a)
	}
	w.at("2026-11-27T02:00:00Z")
	w.expectPosts()
}

// A period without new articles posts nothing, unless PostEmpty; either
// way its slot is done.
func TestEmptyPeriod(t *testing.T) {
	for _, postEmpty := range []bool{false, true} {
		w := newWorld(t, "2026-11-27T00:00:00Z", Options{PostEmpty: postEmpty})
		w.subscribe("1", "hourly", "", 0)
		next := w.at("2026-11-27T01:00:00Z")
		posts, calls := w.poster.taken()
		if postEmpty && (len(posts) != 1 || !posts[0].digest.Empty()) || !postEmpty && calls != 0 {
			t.Errorf("post_empty %v: %d posts, %d calls", postEmpty, len(posts), calls)
		}
		if want := utc("2026-11-27T02:00:00Z"); !next.Equal(want) {
			t.Errorf("post_empty %v: next %v, want %v", postEmpty, next.UTC(), want)
		}
		if st := w.status("1"); !st.State.LastRun.Equal(utc("2026-11-27T01:00:00Z")) || st.State.LastPosted.IsZero() == postEmpty {
			t.Errorf("post_empty %v: state %+v", postEmpty, st.State)
		}
	}
}

// A bad schedule, zone or max is refused with what is expected, and nothing
// is stored.
func TestSubscribeRefusesBadInput(t *testing.T) {
	w := newWorld(t, "2026-11-27T00:00:00Z", Options{})
	tests := []struct {
		name string
		sub  Subscription
		want error
	}{
		{"bad cron", Subscription{Channel: "1", Schedule: "0 25 * * *"}, &schedule.Error{Reason: schedule.BadSchedule}},
		{"bad time", Subscription{Channel: "1", Schedule: "daily 8am"}, &schedule.Error{Reason: schedule.BadTime}},
		{"bad zone", Subscription{Channel: "1", Schedule: "daily 08:00", Timezone: "Asia/Saigon City"}, &schedule.Error{Reason: schedule.BadZone}},
		{"max too large", Subscription{Channel: "1", Schedule: "daily 08:00", Max: MaxMax + 1}, ErrMax},
	}
	for _, tt := range tests {
		_, _, err := w.sched.Subscribe(tt.sub, 0)
		var se, want *schedule.Error
		switch {
		case errors.As(tt.want, &want):
			if !errors.As(err, &se) || se.Reason != want.Reason {
				t.Errorf("%s: %v, want a schedule error of reason %d", tt.name, err, want.Reason)
			}
			if msg := messages.ScheduleProblem(messages.Vietnamese, err, strconv.Quote); msg == "" {
				t.Errorf("%s: no Vietnamese message for %v", tt.name, err)
			}
		case !errors.Is(err, tt.want):
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	if subs, _ := w.sched.List(); len(subs) != 0 {
		t.Errorf("refused subscriptions stored: %+v", subs)
	}
}

// Subscriptions of the configuration file are stored, keep their state
// across restarts, cannot be changed from Discord, start again when paused
// and go when the configuration drops them.
func TestConfigSubscriptions(t *testing.T) {
	cfg := []Subscription{{Channel: "7", Schedule: "daily 08:00", Lang: "en-GB"}}
	w := newWorld(t, "2026-11-27T00:00:00Z", Options{Config: cfg, MaxAttempts: 1})
	ids := w.ingest(2)
	st := w.status("7")
	if st.Origin != 2 || st.Lang != "en" || !st.Next.Equal(utc("2026-11-27T01:00:00Z")) {
		t.Fatalf("configured subscription: %+v", st)
	}
	if _, _, err := w.sched.Subscribe(Subscription{Channel: "7", Schedule: "hourly"}, 0); !errors.Is(err, ErrConfigured) {
		t.Errorf("subscribe over the configuration: %v", err)
	}
	if err := w.sched.Unsubscribe("7"); !errors.Is(err, ErrConfigured) {
		t.Errorf("unsubscribe from the configuration: %v", err)
	}
	w.poster.failWith(wrapped(ErrForbidden))
	w.at("2026-11-27T01:00:00Z")
	if !w.status("7").State.Paused {
		t.Fatal("not paused after one failed attempt")
	}
	w.poster.failWith(nil)
	w.clock.Set(utc("2026-11-27T02:00:00Z"))
	w.restart()
	if st := w.status("7"); st.State.Paused || !st.Next.Equal(utc("2026-11-27T01:00:00Z")) {
		t.Errorf("after a restart: paused %v, next %v; want due at its missed slot", st.State.Paused, st.Next.UTC())
	}
	w.at("2026-11-27T02:00:00Z")
	w.expectPosts(newestFirst(ids))

	w.opts.Config = nil
	w.restart()
	if _, err := w.sched.Get("7"); !errors.Is(err, ErrNotSubscribed) {
		t.Errorf("dropped from the configuration: %v", err)
	}
}

func TestUnsubscribe(t *testing.T) {
	w := newWorld(t, "2026-11-27T00:00:00Z", Options{})
	w.subscribe("1", "hourly", "", 0)
	if err := w.sched.Unsubscribe("1"); err != nil {
		t.Fatal(err)
	}
	if err := w.sched.Unsubscribe("1"); !errors.Is(err, ErrNotSubscribed) {
		t.Errorf("twice: %v", err)
	}
	w.ingest(1)
	w.at("2026-11-27T05:00:00Z")
	w.expectPosts()
}

// PostNow posts at once, marks the digest done and starts a paused
// subscription again; Preview shows the same without posting.
func TestPostNowAndPreview(t *testing.T) {
	w := newWorld(t, "2026-11-27T00:00:00Z", Options{MaxAttempts: 1})
	w.subscribe("1", "daily 08:00", "UTC", 0)
	if _, err := w.sched.PostNow(context.Background(), w.poster, "2"); !errors.Is(err, ErrNotSubscribed) {
		t.Errorf("unknown channel: %v", err)
	}
	d, err := w.sched.PostNow(context.Background(), w.poster, "1")
	if err != nil || !d.Empty() {
		t.Fatalf("nothing new: %+v, %v", d, err)
	}
	w.expectPosts()

	ids := w.ingest(2)
	w.poster.failWith(wrapped(ErrChannelGone))
	w.at("2026-11-27T08:00:00Z")
	if !w.status("1").State.Paused {
		t.Fatal("not paused")
	}
	p, err := w.sched.Preview("1")
	if err != nil || len(p.Articles) != 2 {
		t.Fatalf("preview: %+v, %v", p, err)
	}
	w.expectPosts()
	if _, err := w.sched.PostNow(context.Background(), w.poster, "1"); !errors.Is(err, ErrChannelGone) {
		t.Errorf("post now into a gone channel: %v", err)
	}
	w.poster.failWith(nil)
	if _, err := w.sched.PostNow(context.Background(), w.poster, "1"); err != nil {
		t.Fatal(err)
	}
	w.expectPosts(newestFirst(ids))
	if st := w.status("1"); st.State.Paused || !st.Next.Equal(utc("2026-11-28T08:00:00Z")) {
		t.Errorf("after posting now: paused %v, next %v", st.State.Paused, st.Next)
	}
	if p, _ := w.sched.Preview("1"); !p.Empty() {
		t.Errorf("preview after the post: %v", p.IDs())
	}
}

// Run sleeps on the clock until a digest is due, posts it, and stops with
// its context; a new subscription wakes it.
func TestRun(t *testing.T) {
	w := newWorld(t, "2026-11-27T00:00:00Z", Options{})
	w.poster.notify = make(chan post, 4)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.sched.Run(ctx, w.poster) }()

	if err := w.clock.WaitForWaiters(1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	w.subscribe("1", "daily 08:00", "", 0)
	ids := w.ingest(2)
	// Run wakes up for the new subscription, and sleeps again until the slot
	// (or at most a minute).
	for w.clock.Now().Before(utc("2026-11-27T01:00:00Z")) {
		if err := w.clock.WaitForWaiters(1, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(time.Minute)
	}
	select {
	case p := <-w.poster.notify:
		if got := p.digest.IDs(); len(got) != 2 || got[0] != ids[1] {
			t.Errorf("posted %v", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no digest posted at the slot")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
}

func TestOptionsFromConfig(t *testing.T) {
	c := configDigest()
	opts, err := OptionsFrom(c)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Zone.String() != "Europe/Berlin" || opts.DefaultMax != 7 || !opts.PostEmpty || opts.MaxAttempts != 2 ||
		len(opts.Config) != 1 || opts.Config[0].Channel != "42" || opts.Config[0].Schedule != "weekdays 18:30" {
		t.Errorf("options %+v", opts)
	}
	c.Timezone = "Local"
	if _, err := OptionsFrom(c); err == nil {
		t.Error("a Local zone accepted")
	}
}

func configDigest() config.Digest {
	return config.Digest{Timezone: "Europe/Berlin", DefaultMax: 7, PostEmpty: true, MaxAttempts: 2,
		Subscriptions: []config.Subscription{{Channel: "42", Schedule: "weekdays 18:30"}}}
}
