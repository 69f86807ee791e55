package digest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/baobot/baobot/digest/digesttest"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

// utc parses an RFC 3339 time.
func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// world is a database in a temporary directory, a fake clock and a fake
// Discord, which a test can restart as a process would.
type world struct {
	t      *testing.T
	path   string
	db     *storage.DB
	clock  *digesttest.Clock
	poster *poster
	opts   Options
	sched  *Scheduler
	seq    int
}

func newWorld(t *testing.T, start string, opts Options) *world {
	t.Helper()
	w := &world{t: t, path: filepath.Join(t.TempDir(), "baobot.db"), clock: digesttest.NewClock(utc(start)),
		poster: &poster{}, opts: opts}
	w.open()
	t.Cleanup(func() { w.db.Close() })
	return w
}

// open opens the database and makes a Scheduler on it, as a start does.
func (w *world) open() {
	w.t.Helper()
	db, err := storage.Open(w.path, storage.Options{Analyzer: retrieval.NewAnalyzer()})
	if err != nil {
		w.t.Fatal(err)
	}
	w.db = db
	opts := w.opts
	opts.Clock = w.clock
	if w.sched, err = New(db, opts); err != nil {
		w.t.Fatal(err)
	}
}

// restart closes the database and opens it again with a new Scheduler.
func (w *world) restart() {
	w.t.Helper()
	if err := w.db.Close(); err != nil {
		w.t.Fatal(err)
	}
	w.open()
}

// ingest stores n new articles and returns their IDs, oldest first.
func (w *world) ingest(n int) []string {
	w.t.Helper()
	var arts []retrieval.Article
	var ids []string
	for range n {
		w.seq++
		id := fmt.Sprintf("a%03d", w.seq)
		arts = append(arts, retrieval.Article{
			ID: id, Title: fmt.Sprintf("Article %d", w.seq), Source: "Test News", URL: "https://example.com/" + id,
			Language: "en", Summary: fmt.Sprintf("Summary of article %d.", w.seq),
			Body: fmt.Sprintf("Article %d says something new about the economy. It goes on about it.", w.seq),
		})
		ids = append(ids, id)
	}
	if _, err := w.db.Put(arts); err != nil {
		w.t.Fatal(err)
	}
	return ids
}

// subscribe subscribes channel, failing the test on error.
func (w *world) subscribe(channel, sched, zone string, last int) Status {
	w.t.Helper()
	st, _, err := w.sched.Subscribe(Subscription{Channel: channel, Schedule: sched, Timezone: zone, By: "admin"}, last)
	if err != nil {
		w.t.Fatal(err)
	}
	return st
}

// at sets the clock (forward) and runs what is due, returning when the
// next digest is due.
func (w *world) at(when string) time.Time {
	w.t.Helper()
	w.clock.Set(utc(when))
	next, err := w.sched.RunDue(context.Background(), w.poster)
	if err != nil {
		w.t.Fatal(err)
	}
	return next
}

// status returns channel's subscription.
func (w *world) status(channel string) Status {
	w.t.Helper()
	st, err := w.sched.Get(channel)
	if err != nil {
		w.t.Fatal(err)
	}
	return st
}

// poster is a fake Discord: it records the digests posted and fails as
// told.
type poster struct {
	mu     sync.Mutex
	posts  []post
	calls  int
	fail   error // returned by every call while set
	notify chan post
}

type post struct {
	channel string
	digest  Digest
}

func (p *poster) PostDigest(_ context.Context, channel string, d Digest) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if p.fail != nil {
		return p.fail
	}
	p.posts = append(p.posts, post{channel, d})
	if p.notify != nil {
		p.notify <- post{channel, d}
	}
	return nil
}

func (p *poster) failWith(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fail = err
}

// taken returns the posts made since the last call, and how many calls
// (successful or not) were made.
func (p *poster) taken() ([]post, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	posts, calls := p.posts, p.calls
	p.posts, p.calls = nil, 0
	return posts, calls
}

// expectPosts checks the posts made since the last check: one per want,
// each listing the articles named, newest first.
func (w *world) expectPosts(want ...[]string) {
	w.t.Helper()
	posts, _ := w.poster.taken()
	if len(posts) != len(want) {
		w.t.Fatalf("%d posts, want %d: %v", len(posts), len(want), posts)
	}
	for i, p := range posts {
		got := p.digest.IDs()
		if fmt.Sprint(got) != fmt.Sprint(want[i]) {
			w.t.Errorf("post %d lists %v, want %v", i+1, got, want[i])
		}
	}
}

// newestFirst reverses ids.
func newestFirst(ids ...[]string) []string {
	var all []string
	for _, part := range ids {
		all = append(all, part...)
	}
	out := make([]string, len(all))
	for i, id := range all {
		out[len(all)-1-i] = id
	}
	return out
}

// wrapped is a post error as package bot makes them.
func wrapped(err error) error { return fmt.Errorf("posting in channel 1: %w (HTTP 404)", err) }

var errServer = errors.New("HTTP 500 Internal Server Error")
