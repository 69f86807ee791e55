package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/baobot/baobot/retrieval"
	bolt "go.etcd.io/bbolt"
)

// testRun is a run of passages lo … lo+len(lengths)-1 with those lengths.
func testRun(lo retrieval.PassageID, lengths ...uint32) *run {
	r := &run{lo: lo}
	for _, l := range lengths {
		r.norms = binary.LittleEndian.AppendUint32(r.norms, l)
	}
	return r
}

func TestPostingsRoundTrip(t *testing.T) {
	r := testRun(10, 5, 6, deletedNorm, 8, 9, 10, 11, 12)
	ps := []post{{10, 1}, {11, 3}, {12, 2}, {17, math.MaxUint32}}
	b, _ := appendList(nil, nil, r, ps)
	got, err := decodePostings([]retrieval.Posting{{Passage: 99}}, b, r)
	if err != nil {
		t.Fatal(err)
	}
	// Passage 12 is removed: not decoded.
	want := []retrieval.Posting{{Passage: 99}, {Passage: 10, TF: 1, Length: 5}, {Passage: 11, TF: 3, Length: 6}, {Passage: 17, TF: math.MaxUint32, Length: 12}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// A short list stores no bounds: they come from its postings and the
	// norms of the passages not removed.
	if l, err := parseList(b, r); err != nil || l.maxTF != math.MaxUint32 || l.minLen != 5 {
		t.Errorf("short list: greatest tf %d, least length %d, %v", l.maxTF, l.minLen, err)
	}

	// A long list, with a skip table.
	var lengths []uint32
	for range 1000 {
		lengths = append(lengths, 7)
	}
	long := testRun(1, lengths...)
	ps = nil
	for id := retrieval.PassageID(1); id <= 1000; id += 3 {
		ps = append(ps, post{id, uint32(id%4) + 1})
	}
	b, _ = appendList(nil, nil, long, ps)
	got, err = decodePostings(nil, b, long)
	if err != nil || len(got) != len(ps) {
		t.Fatalf("long list: %d postings, %v", len(got), err)
	}
	for i, p := range got {
		if p.Passage != ps[i].id || p.TF != ps[i].tf || p.Length != 7 {
			t.Fatalf("long list: posting %d: %+v, want %+v", i, p, ps[i])
		}
	}
	if l, err := parseList(b, long); err != nil || l.nskips != (len(ps)-1)/skipInterval {
		t.Errorf("long list: %d skips, %v", l.nskips, err)
	}
}

func TestPostingsCorrupt(t *testing.T) {
	r := testRun(1, 3, 3, 3)
	enc := func(fields ...uint64) []byte {
		var b []byte
		for _, f := range fields {
			b = binary.AppendUvarint(b, f)
		}
		return b
	}
	tests := []struct {
		name  string
		value []byte
	}{
		{"no count", nil},
		{"count 0", enc(0)},
		{"no postings", enc(1)},
		{"no bounds", enc(shortList + 1)},
		{"repeated passage", enc(2, 0, 0)},
		{"past the run", enc(2, 2<<1, 2<<1)},
		{"tf past uint32", enc(1, 1, math.MaxUint32+1)},
		{"truncated tf", enc(1, 1)},
		{"fewer than counted", enc(3, 0, 2)},
		{"trailing bytes", enc(1, 0, 2)},
		{"bad varint", append(enc(1), 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)},
		{"bad skip table", append(enc(skipInterval+1, 1, 3), 0xFF)},
	}
	for _, tt := range tests {
		if _, err := decodePostings(nil, tt.value, r); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", tt.name, err)
		}
	}
	if _, err := decodeRunInfo([]byte{0, 0, 0, 1}, []byte{0, 1, 0, 7}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("runinfo with a partial norm: %v, want ErrCorrupt", err)
	}
	it := blockIter{b: []byte{3, 1, 'a', 0}}
	if it.next(new(entry)) || !errors.Is(it.err, ErrCorrupt) {
		t.Errorf("entry sharing more than the previous key: %v, want ErrCorrupt", it.err)
	}
}

func TestPostingsBatchOrder(t *testing.T) {
	var b postingsBatch
	added := map[string][]retrieval.PassageID{}
	for id := retrieval.PassageID(1); id <= 50; id++ {
		for _, term := range []string{"zeta", "hòa", "hoa", "b", "a", "hóa", "ab", "họa bình"} {
			if int(id)%len(term) == 0 {
				b.addTerm(term, id, uint32(len(term)))
				added[term] = append(added[term], id)
			}
		}
	}
	var keys []string
	err := b.each(func(key []byte, ps []batchEntry) error {
		keys = append(keys, string(key))
		term := string(key[strings.IndexByte(string(key), 0)+1:])
		if string(appendSortKey(nil, term)) != string(key) {
			t.Errorf("key %q is not the sort key of %q", key, term)
		}
		if len(ps) != len(added[term]) {
			t.Errorf("%q: %d postings, want %d", term, len(ps), len(added[term]))
		}
		for i, p := range ps {
			if p.passage != added[term][i] || p.tf != uint32(len(term)) {
				t.Errorf("%q: posting %d: %+v", term, i, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.IsSorted(keys) || len(keys) != len(added) {
		t.Errorf("keys %q", keys)
	}
	// The variants of one folded form are adjacent.
	if i := slices.Index(keys, "hoa\x00hoa"); i < 0 || !strings.HasPrefix(keys[i+1], "hoa\x00") || !strings.HasPrefix(keys[i+2], "hoa\x00") {
		t.Errorf("variants of hoa not adjacent: %q", keys)
	}
}

// Runs against a model: articles of random accented words put in small
// batches (so runs are merged at several levels), some replaced and
// removed; every exact and folded term reads back as the model says, and
// the runs stay few.
func TestRunsModel(t *testing.T) {
	db := openTest(t, wordAnalyzer)
	words := []string{"hoa", "hòa", "hóa", "họa", "hoà", "ban", "bản", "bàn", "bạn", "nhật", "nhat", "đường", "duong", "every"}
	rng := rand.New(rand.NewPCG(7, 8))
	article := func(id string) retrieval.Article {
		var lines []string
		for range 1 + rng.IntN(3) {
			var ws []string
			for range 1 + rng.IntN(8) {
				ws = append(ws, words[rng.IntN(len(words))])
			}
			lines = append(lines, strings.Join(append(ws, "every"), " "))
		}
		return retrieval.Article{ID: id, Body: strings.Join(lines, "\n")}
	}
	var ids []string
	for step := range 60 {
		var batch []retrieval.Article
		for range 1 + rng.IntN(4) {
			id := fmt.Sprintf("a%03d", len(ids))
			ids = append(ids, id)
			batch = append(batch, article(id))
		}
		if step%5 == 4 { // a replacement in the batch
			batch = append(batch, article(ids[rng.IntN(len(ids)-len(batch))]))
		}
		put(t, db, batch...)
		if step%7 == 6 {
			i := rng.IntN(len(ids))
			if err := db.Remove(ids[i]); err != nil && !errors.Is(err, retrieval.ErrNotFound) {
				t.Fatal(err)
			}
		}
		if step%10 == 9 {
			checkIndex(t, db)
		}
	}
	checkIndex(t, db)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		runs, err := loadRuns(tx)
		if err != nil {
			return err
		}
		if len(runs) > 3*(mergeFanIn-1) {
			t.Errorf("%d runs after 60 writes", len(runs))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// An index of an older schema is upgraded when opened for writing: it
// needs a reindex, after which it is whole again.
func TestUpgradeOlderSchema(t *testing.T) {
	for _, old := range []uint32{1, 2, 3} {
		db := openTest(t, nil)
		put(t, db, fixtures()...)
		path := db.Path()
		db.Close()
		rawUpdate(t, path, func(tx *bolt.Tx) error {
			if old == 1 {
				if err := tx.DeleteBucket(bucketRuns); err != nil {
					return err
				}
				if _, err := tx.CreateBucket(bucketPostingsV1); err != nil {
					return err
				}
			}
			if old <= 3 { // article text as it is
				articles := tx.Bucket(bucketArticles)
				var ids [][]byte
				articles.ForEach(func(k, _ []byte) error { ids = append(ids, slices.Clone(k)); return nil })
				for _, id := range ids {
					if err := articles.Put(id, plainRecord(string(id), articles.Get(id))); err != nil {
						return err
					}
				}
			}
			return tx.Bucket(bucketMeta).Put(keySchema, binary.BigEndian.AppendUint32(nil, old))
		})
		db, err := Open(path, Options{Analyzer: retrieval.NewAnalyzer()})
		if err != nil {
			t.Fatalf("schema %d: %v", old, err)
		}
		if !db.NeedsReindex() {
			t.Errorf("schema %d: no reindex needed after the upgrade", old)
		}
		if err := db.Reindex(nil); err != nil {
			t.Fatal(err)
		}
		checkIndex(t, db)
		db.View(func(r retrieval.IndexReader) error {
			for _, a := range fixtures() {
				if got, err := r.Article(a.ID); err != nil || sameArticle(got, a) != nil {
					t.Errorf("schema %d: article %q after the reindex: %v", old, a.ID, err)
				}
			}
			return nil
		})
		db.Close()
	}
}

// An index of schema 4 (before text dictionaries) is read as it is, and
// upgraded in place, without a reindex, when opened for writing.
func TestUpgradeSchema4InPlace(t *testing.T) {
	db := openTest(t, nil)
	put(t, db, fixtures()...)
	path := db.Path()
	db.Close()
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchema, binary.BigEndian.AppendUint32(nil, 4))
	})
	for _, readOnly := range []bool{true, false} {
		db, err := Open(path, Options{Analyzer: retrieval.NewAnalyzer(), ReadOnly: readOnly})
		if err != nil {
			t.Fatalf("read-only %v: %v", readOnly, err)
		}
		if db.NeedsReindex() {
			t.Errorf("read-only %v: a reindex is asked for", readOnly)
		}
		want := uint32(4)
		if !readOnly {
			want = SchemaVersion
		}
		if m, err := db.meta(); err != nil || m.schema != want {
			t.Errorf("read-only %v: schema %d (%v), want %d", readOnly, m.schema, err, want)
		}
		s := retrieval.NewSearcher(db, retrieval.NewAnalyzer(), retrieval.DefaultParams())
		for _, a := range fixtures() {
			ans, err := s.Ask(a.Title+" "+a.Body[:min(len(a.Body), 40)], 1)
			if err != nil || len(ans.Results) == 0 {
				t.Errorf("read-only %v: %q unanswered: %v", readOnly, a.ID, err)
			}
		}
		if !readOnly {
			checkIndex(t, db)
		}
		db.Close()
	}
}

// A batch large enough to be sorted in parts still gives every term once,
// in sort key order.
func TestPostingsBatchLarge(t *testing.T) {
	var b postingsBatch
	rng := rand.New(rand.NewPCG(1, 1))
	want := map[string]bool{}
	for id := retrieval.PassageID(1); id <= 30; id++ {
		for range 2000 {
			term := fmt.Sprintf("%c%d", 'a'+rune(rng.IntN(26)), rng.IntN(40000))
			if rng.IntN(3) == 0 {
				term = "đ" + term
			}
			b.addTerm(term, id, 1)
			want[term] = true
		}
	}
	var prev []byte
	got := 0
	err := b.each(func(key []byte, ps []batchEntry) error {
		if prev != nil && string(prev) >= string(key) {
			t.Fatalf("key %q after %q", key, prev)
		}
		prev = append(prev[:0], key...)
		got++
		return nil
	})
	if err != nil || got != len(want) {
		t.Fatalf("%d terms, want %d (%v)", got, len(want), err)
	}
}

// Merging many runs at once (wider than any merge of the ingest), some of
// their passages removed and gaps between them, writes exactly the run
// that one write of the live postings would: the same blocks, byte for
// byte (folded forms' entries included), and the same norms. Tried:
// without the heap's tie-break on the runs' passages, a term that several
// runs hold gets its postings out of order and this fails; so does keeping
// the postings of removed passages, and, in a fast path tried and dropped
// (too little gain), copying the list of a term that one run holds without
// shifting its first posting or first skip to the merged run's first
// passage. The linear merge before the heap passes.
func TestMergeRunsWide(t *testing.T) {
	db := openTest(t, nil)
	rng := rand.New(rand.NewPCG(3, 4))
	vocab := []string{"hoa", "hòa", "hóa", "họa", "ban", "bản", "bàn", "đường", "duong", "every"}
	for i := range 3000 {
		vocab = append(vocab, fmt.Sprintf("x%d", i)) // rare terms, most in one run
	}
	errRollback := errors.New("rollback")
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		var a arena
		var runs []run
		var live postingsBatch // every posting of a passage not removed
		var all []byte         // the norms of passages 1 … the last, gaps as removed
		next := retrieval.PassageID(1)
		for seq := range uint32(40) {
			for range rng.IntN(3) * min(1, int(seq)) { // a gap after a run: passages never stored
				all = binary.LittleEndian.AppendUint32(all, deletedNorm)
				next++
			}
			r := run{seq: 1000 + seq, lo: next}
			var batch postingsBatch
			passages := 1 + rng.IntN(20)
			if seq == 30 {
				passages = 100 // each with a term of its own: a skip table
			}
			for range passages {
				// Run 7 loses every passage, every third run none.
				removed := seq == 7 || seq%3 != 0 && rng.IntN(5) == 0
				length := uint32(1 + rng.IntN(50))
				terms := rng.Perm(len(vocab))[:1+rng.IntN(12)]
				if seq == 30 {
					terms = append(terms, len(vocab))
				}
				for _, i := range terms {
					tf := uint32(1 + rng.IntN(3))
					term := "zlong"
					if i < len(vocab) {
						term = vocab[i]
					}
					batch.addTerm(term, next, tf)
					if !removed {
						live.addTerm(term, next, tf)
					}
				}
				norm := length | articleFirst
				if removed {
					norm = deletedNorm
				}
				r.norms = binary.LittleEndian.AppendUint32(r.norms, norm)
				all = binary.LittleEndian.AppendUint32(all, norm)
				next++
			}
			if err := writeRun(tx, &r, &batch, &a); err != nil {
				return err
			}
			runs = append(runs, r)
		}
		merged, err := mergeRuns(tx, runs, 2000, &a)
		if err != nil {
			return err
		}
		want := run{seq: 3000, level: 1, lo: 1, norms: all}
		if err := writeRun(tx, &want, &live, &a); err != nil {
			return err
		}
		for _, r := range runs {
			if tx.Bucket(bucketRuns).Bucket(runName(r.seq)) != nil || tx.Bucket(bucketRunInfo).Get(runName(r.seq)) != nil {
				t.Errorf("run %d left after the merge", r.seq)
			}
		}
		if got, want := tx.Bucket(bucketRunInfo).Get(runName(merged.seq)), tx.Bucket(bucketRunInfo).Get(runName(want.seq)); string(got) != string(want) {
			t.Errorf("merged run info %x, want %x", got, want)
		}
		contents := func(seq uint32) (kvs []string) {
			tx.Bucket(bucketRuns).Bucket(runName(seq)).ForEach(func(k, v []byte) error {
				kvs = append(kvs, fmt.Sprintf("%q=%x", k, v))
				return nil
			})
			return kvs
		}
		got, wantBlocks := contents(merged.seq), contents(want.seq)
		if !slices.Equal(got, wantBlocks) {
			t.Errorf("merged run: %d blocks, differ from the %d of one write", len(got), len(wantBlocks))

		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
}
