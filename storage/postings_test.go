package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/baobot/baobot/retrieval"
	bolt "go.etcd.io/bbolt"
)

func TestSegmentRoundTrip(t *testing.T) {
	tests := [][]retrieval.Posting{
		{{Passage: 1, TF: 1, Length: 1}},
		{{Passage: 7, TF: 3, Length: 40}, {Passage: 8, TF: 1, Length: 12}, {Passage: 1000, TF: 200, Length: 300}},
		{{Passage: math.MaxUint32 - 1, TF: math.MaxUint32, Length: math.MaxUint32}, {Passage: math.MaxUint32, TF: 0, Length: 0}},
	}
	for _, ps := range tests {
		v := binary.AppendUvarint(nil, uint64(len(ps)))
		v = appendPostings(v, ps[0].Passage, ps)
		got, err := appendSegment([]retrieval.Posting{{Passage: 99}}, ps[0].Passage, v)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got[1:], ps) || got[0].Passage != 99 {
			t.Errorf("round trip of %v: %v", ps, got)
		}
	}
}

func TestSegmentCorrupt(t *testing.T) {
	seg := func(count uint64, fields ...uint64) []byte {
		v := binary.AppendUvarint(nil, count)
		for _, f := range fields {
			v = binary.AppendUvarint(v, f)
		}
		return v
	}
	tests := []struct {
		name  string
		first retrieval.PassageID
		value []byte
	}{
		{"empty", 1, nil},
		{"count 0", 1, seg(0)},
		{"count beyond value", 1, seg(2, 0, 1, 1)},
		{"truncated posting", 1, seg(1, 0, 1)},
		{"trailing bytes", 1, append(seg(1, 0, 1, 1), 0)},
		{"repeated passage", 1, seg(2, 0, 1, 1, 0, 1, 1)},
		{"passage past uint32", math.MaxUint32, seg(2, 0, 1, 1, 1, 1, 1)},
		{"tf past uint32", 1, seg(1, 0, math.MaxUint32+1, 1)},
		{"bad varint", 1, append(seg(1), 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)},
	}
	for _, tt := range tests {
		if _, err := appendSegment(nil, tt.first, tt.value); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", tt.name, err)
		}
	}
}

func TestPostingsBatch(t *testing.T) {
	var b postingsBatch
	added := map[string][]retrieval.Posting{}
	for id := retrieval.PassageID(1); id <= 50; id++ {
		for _, term := range []string{"zeta", "alpha", "b", "a", "ab"} {
			if int(id)%len(term) == 0 {
				p := retrieval.Posting{Passage: id, TF: uint32(len(term)), Length: uint32(id)}
				b.add(term, p)
				added[term] = append(added[term], p)
			}
		}
	}
	var terms []string
	err := b.each(func(term string, ps []retrieval.Posting) error {
		terms = append(terms, term)
		if !slices.Equal(ps, added[term]) {
			t.Errorf("%q: %v, want %v", term, ps, added[term])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.IsSorted(terms) || len(terms) != len(added) {
		t.Errorf("terms %v", terms)
	}
}

// segmentModel checks segmentWriter against a plain map of postings lists,
// through random appends and removals in a real bbolt file.
func TestSegmentWriter(t *testing.T) {
	bdb, err := bolt.Open(filepath.Join(t.TempDir(), "segments.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	update := func(fn func(s *segmentWriter) error) {
		t.Helper()
		err := bdb.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(bucketPostings)
			if err != nil {
				return err
			}
			return fn(&segmentWriter{bucket: b, arena: new(arena)})
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	// Terms that are prefixes of each other, and one in every passage.
	terms := []string{"a", "ab", "abc", "b", "every", "rare"}
	model := make(map[string][]retrieval.Posting)
	next := retrieval.PassageID(1)
	rng := rand.New(rand.NewPCG(3, 4))
	type article struct{ lo, hi retrieval.PassageID }
	var articles []article

	check := func(step string) {
		t.Helper()
		err := bdb.View(func(tx *bolt.Tx) error {
			r := &reader{postings: tx.Bucket(bucketPostings)}
			for _, term := range terms {
				got, err := r.Postings(term)
				if err != nil {
					return err
				}
				if !slices.Equal(got, model[term]) {
					t.Fatalf("%s: postings of %q: %d, want %d", step, term, len(got), len(model[term]))
				}
			}
			// Every key is a segment of a term, named by its first posting,
			// at most a posting over segmentSize.
			return tx.Bucket(bucketPostings).ForEach(func(k, v []byte) error {
				i := bytes.IndexByte(k, 0)
				ps, err := appendSegment(nil, segmentFirst(k, i+1), v)
				if err != nil {
					return err
				}
				if ps[0].Passage != segmentFirst(k, i+1) || len(v) > segmentSize+3*binary.MaxVarintLen32+binary.MaxVarintLen32 {
					t.Errorf("%s: segment %q of %d bytes starts at %d", step, k, len(v), ps[0].Passage)
				}
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	for step := range 60 {
		if step%4 == 3 && len(articles) > 0 {
			// Remove a random article, as a replacement or Remove does.
			i := rng.IntN(len(articles))
			a := articles[i]
			articles = slices.Delete(articles, i, i+1)
			update(func(s *segmentWriter) error {
				for _, term := range terms {
					want := len(model[term])
					model[term] = slices.DeleteFunc(model[term], func(p retrieval.Posting) bool { return a.lo <= p.Passage && p.Passage < a.hi })
					want -= len(model[term])
					got, err := s.remove(term, a.lo, a.hi)
					if err != nil {
						return err
					}
					if got != want {
						t.Fatalf("step %d: remove %q %d…%d: %d postings, want %d", step, term, a.lo, a.hi, got, want)
					}
				}
				return nil
			})
		} else {
			// Append a batch of articles.
			batch := make(map[string][]retrieval.Posting)
			for range 1 + rng.IntN(5) {
				a := article{lo: next, hi: next + retrieval.PassageID(1+rng.IntN(300))}
				for id := a.lo; id < a.hi; id++ {
					for _, term := range terms {
						if term == "every" || (term == "rare" && id%97 == 0) || (len(term) < 4 && rng.IntN(3) == 0) {
							p := retrieval.Posting{Passage: id, TF: 1 + rng.Uint32N(5), Length: 10 + rng.Uint32N(500)}
							batch[term] = append(batch[term], p)
							model[term] = append(model[term], p)
						}
					}
				}
				articles, next = append(articles, a), a.hi
			}
			update(func(s *segmentWriter) error {
				for _, term := range terms {
					if ps := batch[term]; len(ps) > 0 {
						if err := s.append(term, ps); err != nil {
							return err
						}
					}
				}
				return nil
			})
		}
		check("step " + string(rune('0'+step%10)))
	}

	// A term in few passages keeps one key; a frequent one has several.
	err = bdb.View(func(tx *bolt.Tx) error {
		count := func(term string) int {
			n, c := 0, tx.Bucket(bucketPostings).Cursor()
			prefix := termPrefix(nil, term)
			for k, _ := c.Seek(prefix); isSegmentOf(k, prefix); k, _ = c.Next() {
				n++
			}
			return n
		}
		if n := count("rare"); n != 1 {
			t.Errorf("rare term: %d segments", n)
		}
		if n := count("every"); n < 2 {
			t.Errorf("frequent term: %d segments", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The same through the DB: many articles sharing a term, replaced and
// removed from the middle.
func TestSegmentsThroughDB(t *testing.T) {
	db := openTest(t, wordAnalyzer)
	articles := corpus(5, 600, "a")
	for batch := range slices.Chunk(articles, 150) {
		put(t, db, batch...)
	}
	checkIndex(t, db)
	for i := 100; i < 500; i += 37 {
		if err := db.Remove(articles[i].ID); err != nil {
			t.Fatal(err)
		}
		changed := articles[i+1]
		changed.Body = "common replaced body\ncommon and more"
		put(t, db, changed)
	}
	checkIndex(t, db)
}
