package storage

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/baobot/baobot/retrieval"
	bolt "go.etcd.io/bbolt"
)

func TestShownAnswersPersist(t *testing.T) {
	db := openTest(t, wordAnalyzer)
	pages := []ShownAnswer{
		{Question: "Ngoại trưởng Mỹ là ai?", Lang: "vi", Articles: []string{"a", "b", "c"}},
		{Question: "Ngoại trưởng Mỹ là ai?", Lang: "vi", Offset: 3, Articles: []string{"d"}},
		{Question: "nothing matched", Lang: "en"},
	}
	var ids []uint64
	before := time.Now()
	for _, p := range pages {
		id, err := db.SaveShown(p)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if ids[0] == 0 || ids[1] <= ids[0] || ids[2] <= ids[1] {
		t.Fatalf("IDs %v: want increasing from 1", ids)
	}
	db = reopen(t, db, Options{ReadOnly: true})
	for i, id := range ids {
		got, err := db.Shown(id)
		if err != nil {
			t.Fatal(err)
		}
		if got.At.Before(before.Add(-time.Second)) || got.At.After(time.Now()) {
			t.Errorf("shown %d: At %v", id, got.At)
		}
		want := pages[i]
		want.ID, want.At = id, got.At
		if !reflect.DeepEqual(got, want) {
			t.Errorf("shown %d = %+v, want %+v", id, got, want)
		}
	}
	if _, err := db.Shown(ids[2] + 1); !errors.Is(err, retrieval.ErrNotFound) {
		t.Errorf("missing shown answer: %v, want ErrNotFound", err)
	}
	if _, err := db.SaveShown(pages[0]); !errors.Is(err, ErrReadOnly) {
		t.Errorf("SaveShown read-only: %v, want ErrReadOnly", err)
	}
}

func TestSaveShownRefusesBadInput(t *testing.T) {
	db := openTest(t, wordAnalyzer)
	for _, s := range []ShownAnswer{
		{},
		{Question: "q", Offset: -1},
		{Question: "q", Articles: []string{""}},
		{Question: "q", Articles: make([]string, maxShownArticles+1)},
	} {
		if _, err := db.SaveShown(s); err == nil {
			t.Errorf("SaveShown(%+v) accepted", s)
		}
	}
}

func TestFeedbackOneVotePerVoter(t *testing.T) {
	db := openTest(t, wordAnalyzer)
	first, _ := db.SaveShown(ShownAnswer{Question: "q1", Articles: []string{"a"}})
	second, _ := db.SaveShown(ShownAnswer{Question: "q2", Articles: []string{"b", "c"}})
	votes := []struct {
		f        Feedback
		replaced bool
	}{
		{Feedback{Shown: first, Voter: "ann", Helpful: true}, false},
		{Feedback{Shown: first, Voter: "bob", Helpful: false}, false},
		{Feedback{Shown: first, Voter: "ann", Helpful: false}, true}, // ann changes her mind
		{Feedback{Shown: second, Voter: "ann", Helpful: true}, false},
	}
	for _, v := range votes {
		replaced, err := db.PutFeedback(v.f)
		if err != nil {
			t.Fatal(err)
		}
		if replaced != v.replaced {
			t.Errorf("PutFeedback(%+v): replaced %v, want %v", v.f, replaced, v.replaced)
		}
	}
	if _, err := db.PutFeedback(Feedback{Shown: second + 1, Voter: "ann"}); !errors.Is(err, retrieval.ErrNotFound) {
		t.Errorf("vote on a missing answer: %v, want ErrNotFound", err)
	}
	if _, err := db.PutFeedback(Feedback{Shown: first}); err == nil {
		t.Error("vote without a voter accepted")
	}

	db = reopen(t, db, Options{Analyzer: retrieval.NewAnalyzer()})
	counts, err := db.FeedbackCounts()
	if err != nil {
		t.Fatal(err)
	}
	if counts != (FeedbackCounts{Helpful: 1, NotHelpful: 2}) {
		t.Errorf("counts %+v, want 1 helpful, 2 not", counts)
	}
	var got []string
	err = db.EachFeedback(func(f Feedback, s ShownAnswer) error {
		if f.At.IsZero() {
			t.Errorf("vote %+v has no time", f)
		}
		got = append(got, s.Question+"/"+f.Voter+"/"+map[bool]string{true: "+", false: "-"}[f.Helpful])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"q1/ann/-", "q1/bob/-", "q2/ann/+"}; !reflect.DeepEqual(got, want) {
		t.Errorf("EachFeedback: %v, want %v", got, want)
	}
	stop := errors.New("stop")
	if err := db.EachFeedback(func(Feedback, ShownAnswer) error { return stop }); err != stop {
		t.Errorf("EachFeedback returned %v, want the callback's error", err)
	}
}

func TestFeedbackOnAnIndexWithoutItsBuckets(t *testing.T) {
	// An index made before the feedback buckets existed: reads find
	// nothing, and the first write creates them.
	db := openTest(t, wordAnalyzer)
	if c, err := db.FeedbackCounts(); err != nil || c != (FeedbackCounts{}) {
		t.Fatalf("counts %+v, %v", c, err)
	}
	if _, err := db.Shown(1); !errors.Is(err, retrieval.ErrNotFound) {
		t.Fatalf("Shown: %v", err)
	}
	if n, err := db.ForgetShown(time.Now()); err != nil || n != 0 {
		t.Fatalf("ForgetShown: %d, %v", n, err)
	}
	put(t, db, fixtures()...)
	if _, err := db.SaveShown(ShownAnswer{Question: "q"}); err != nil {
		t.Fatal(err)
	}
	checkIndex(t, db)
	path := db.Path()
	db.Close()
	db2, err := Open(path, Options{Analyzer: retrieval.NewAnalyzer()})
	if err != nil {
		t.Fatalf("reopening an index with feedback buckets: %v", err)
	}
	db2.Close()
}

func TestForgetShownKeepsVotedAndRecent(t *testing.T) {
	db := openTest(t, wordAnalyzer)
	var ids []uint64
	for range 4 {
		id, err := db.SaveShown(ShownAnswer{Question: "q"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if _, err := db.PutFeedback(Feedback{Shown: ids[1], Voter: "v", Helpful: true}); err != nil {
		t.Fatal(err)
	}
	cut := time.Now()
	recent, _ := db.SaveShown(ShownAnswer{Question: "recent"})
	n, err := db.ForgetShown(cut)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("forgot %d, want 3", n)
	}
	for _, id := range []uint64{ids[1], recent} {
		if _, err := db.Shown(id); err != nil {
			t.Errorf("shown answer %d: %v", id, err)
		}
	}
	for _, id := range []uint64{ids[0], ids[2], ids[3]} {
		if _, err := db.Shown(id); !errors.Is(err, retrieval.ErrNotFound) {
			t.Errorf("shown answer %d still there: %v", id, err)
		}
	}
	if c, _ := db.FeedbackCounts(); c.Helpful != 1 {
		t.Errorf("the vote went with it: %+v", c)
	}
}

func TestCorruptFeedbackIsReported(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(filepath.Join(dir, "index.db"), Options{Analyzer: retrieval.NewAnalyzer()})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := db.SaveShown(ShownAnswer{Question: "q"})
	path := db.Path()
	db.Close()
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketShown).Put(shownKey(id), []byte{shownVersion, 0xff})
	})
	db, err = Open(path, Options{Analyzer: retrieval.NewAnalyzer()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Shown(id); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Shown of a damaged value: %v, want ErrCorrupt", err)
	}
}
