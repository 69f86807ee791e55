package storage

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/baobot/baobot/retrieval"
	bolt "go.etcd.io/bbolt"
)

// at is a fixed instant of the digest tests, plus d.
func at(d time.Duration) time.Time {
	return time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC).Add(d)
}

func subscription(channel string) DigestSubscription {
	return DigestSubscription{
		Channel: channel, Guild: "g1", Schedule: "daily 08:00", Timezone: "Asia/Ho_Chi_Minh",
		Max: 10, Lang: "vi", Origin: FromDiscord, CreatedBy: "u1", CreatedAt: at(0),
		State: DigestState{Cursor: at(-time.Hour)},
	}
}

func TestDigestSubscriptionsPersist(t *testing.T) {
	db := openTest(t, wordAnalyzer)
	if subs, err := db.DigestSubscriptions(); err != nil || len(subs) != 0 {
		t.Fatalf("a new index: %v, %v; want no subscription", subs, err)
	}
	b, a := subscription("200"), subscription("100")
	a.Origin, a.Lang, a.Timezone, a.CreatedBy = FromConfig, "", "", ""
	for _, s := range []DigestSubscription{b, a} {
		if replaced, err := db.PutDigestSubscription(s); err != nil || replaced {
			t.Fatalf("put %s: replaced %v, %v", s.Channel, replaced, err)
		}
	}
	b.Schedule = "weekdays 18:30"
	if replaced, err := db.PutDigestSubscription(b); err != nil || !replaced {
		t.Fatalf("put again: replaced %v, %v; want replaced", replaced, err)
	}

	db = reopen(t, db, Options{ReadOnly: true})
	subs, err := db.DigestSubscriptions()
	if err != nil {
		t.Fatal(err)
	}
	if want := []DigestSubscription{a, b}; !reflect.DeepEqual(subs, want) {
		t.Errorf("subscriptions = %+v\nwant (by channel) %+v", subs, want)
	}
	got, err := db.DigestSubscription("200")
	if err != nil || !reflect.DeepEqual(got, b) {
		t.Errorf("subscription 200 = %+v, %v; want %+v", got, err, b)
	}
	if _, err := db.DigestSubscription("300"); !errors.Is(err, retrieval.ErrNotFound) {
		t.Errorf("missing subscription: %v, want ErrNotFound", err)
	}
	if _, err := db.PutDigestSubscription(a); !errors.Is(err, ErrReadOnly) {
		t.Errorf("put read-only: %v, want ErrReadOnly", err)
	}
	if _, err := db.MarkDigestDone("100", DigestDone{At: at(0)}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("mark done read-only: %v, want ErrReadOnly", err)
	}

	db = reopen(t, db, Options{Analyzer: retrieval.NewAnalyzer()})
	if err := db.DeleteDigestSubscription("100"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteDigestSubscription("100"); !errors.Is(err, retrieval.ErrNotFound) {
		t.Errorf("delete twice: %v, want ErrNotFound", err)
	}
	if subs, _ := db.DigestSubscriptions(); len(subs) != 1 || subs[0].Channel != "200" {
		t.Errorf("after delete: %+v", subs)
	}
}

func TestPutDigestSubscriptionRefusesBadInput(t *testing.T) {
	db := openTest(t, wordAnalyzer)
	tests := []struct {
		name   string
		change func(*DigestSubscription)
	}{
		{"no channel", func(s *DigestSubscription) { s.Channel = "" }},
		{"long channel", func(s *DigestSubscription) { s.Channel = strings.Repeat("1", 65) }},
		{"negative max", func(s *DigestSubscription) { s.Max = -1 }},
		{"no origin", func(s *DigestSubscription) { s.Origin = 0 }},
		{"long schedule", func(s *DigestSubscription) { s.Schedule = strings.Repeat("*", 300) }},
		{"too many articles", func(s *DigestSubscription) { s.State.LastArticles = make([]string, 101) }},
		{"negative attempts", func(s *DigestSubscription) { s.State.Attempts = -1 }},
	}
	for _, tt := range tests {
		s := subscription("1")
		tt.change(&s)
		if _, err := db.PutDigestSubscription(s); err == nil {
			t.Errorf("%s: stored", tt.name)
		}
	}
	if subs, _ := db.DigestSubscriptions(); len(subs) != 0 {
		t.Errorf("refused subscriptions were stored: %+v", subs)
	}
}

func TestMarkDigestDone(t *testing.T) {
	db := openTest(t, wordAnalyzer)
	s := subscription("1")
	s.State.Attempts, s.State.FailedAt, s.State.LastError, s.State.Paused = 2, at(-time.Minute), "HTTP 500", true
	if _, err := db.PutDigestSubscription(s); err != nil {
		t.Fatal(err)
	}

	posted := DigestDone{At: at(time.Hour), Cursor: at(30 * time.Minute), Posted: true, Articles: []string{"b", "a"}, Total: 3}
	got, err := db.MarkDigestDone("1", posted)
	if err != nil {
		t.Fatal(err)
	}
	want := DigestState{Cursor: at(30 * time.Minute), LastRun: at(time.Hour), LastPosted: at(time.Hour), LastArticles: []string{"b", "a"}, LastTotal: 3}
	if !reflect.DeepEqual(got.State, want) {
		t.Errorf("after a post: %+v\nwant %+v", got.State, want)
	}

	// Nothing to post, with an older cursor: the run is recorded, the
	// cursor and what was last posted stay.
	got, err = db.MarkDigestDone("1", DigestDone{At: at(2 * time.Hour), Cursor: at(0)})
	if err != nil {
		t.Fatal(err)
	}
	want.LastRun = at(2 * time.Hour)
	if !reflect.DeepEqual(got.State, want) {
		t.Errorf("after an empty run: %+v\nwant %+v", got.State, want)
	}
	if stored, _ := db.DigestSubscription("1"); !reflect.DeepEqual(stored, got) {
		t.Errorf("stored %+v, returned %+v", stored, got)
	}

	if _, err := db.MarkDigestDone("2", posted); !errors.Is(err, retrieval.ErrNotFound) {
		t.Errorf("mark an unknown subscription done: %v, want ErrNotFound", err)
	}
	if subs, _ := db.DigestSubscriptions(); len(subs) != 1 {
		t.Errorf("marking an unknown subscription created one: %+v", subs)
	}
	if _, err := db.MarkDigestDone("1", DigestDone{Articles: make([]string, 101)}); err == nil {
		t.Error("101 articles recorded")
	}
}

func TestRecordDigestFailure(t *testing.T) {
	db := openTest(t, wordAnalyzer)
	s := subscription("1")
	if _, err := db.PutDigestSubscription(s); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		f    DigestFailure
		want DigestState
	}{
		{DigestFailure{At: at(1), Reason: "HTTP 500"},
			DigestState{Cursor: s.State.Cursor, Attempts: 1, FailedAt: at(1), LastError: "HTTP 500"}},
		{DigestFailure{At: at(2), Reason: "HTTP 502", GiveUp: true},
			DigestState{Cursor: s.State.Cursor, LastRun: at(2), FailedAt: at(2), LastError: "HTTP 502"}},
		{DigestFailure{At: at(3), Reason: "HTTP 403"},
			DigestState{Cursor: s.State.Cursor, LastRun: at(2), Attempts: 1, FailedAt: at(3), LastError: "HTTP 403"}},
		{DigestFailure{At: at(4), Reason: strings.Repeat("é", 300), Pause: true},
			DigestState{Cursor: s.State.Cursor, LastRun: at(2), Attempts: 2, FailedAt: at(4), LastError: strings.Repeat("é", 256), Paused: true}},
	}
	for i, st := range steps {
		got, err := db.RecordDigestFailure("1", st.f)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.State, st.want) {
			t.Errorf("step %d: %+v\nwant %+v", i+1, got.State, st.want)
		}
	}
	if _, err := db.RecordDigestFailure("2", DigestFailure{At: at(5)}); !errors.Is(err, retrieval.ErrNotFound) {
		t.Errorf("unknown subscription: %v, want ErrNotFound", err)
	}
}

func TestDigestSubscriptionCorrupt(t *testing.T) {
	db := openTest(t, wordAnalyzer)
	if _, err := db.PutDigestSubscription(subscription("1")); err != nil {
		t.Fatal(err)
	}
	path := db.Path()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDigests)
		v := b.Get([]byte("1"))
		return b.Put([]byte("1"), append(append([]byte(nil), v...), 0))
	})
	db = reopen(t, db, Options{ReadOnly: true})
	if _, err := db.DigestSubscription("1"); !errors.Is(err, ErrCorrupt) {
		t.Errorf("a value with a trailing byte: %v, want ErrCorrupt", err)
	}
	if _, err := db.DigestSubscriptions(); !errors.Is(err, ErrCorrupt) {
		t.Errorf("list: %v, want ErrCorrupt", err)
	}
}
