package storage

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/baobot/baobot/retrieval"
	bolt "go.etcd.io/bbolt"
)

// setAnalysis makes the index at path look built by analysis version v.
func setAnalysis(t *testing.T, path string, v uint32) {
	t.Helper()
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyAnalysis, binary.BigEndian.AppendUint32(nil, v))
	})
}

func TestNeedsReindex(t *testing.T) {
	for _, stored := range []uint32{0, retrieval.AnalysisVersion + 1} {
		db := openTest(t, wordAnalyzer)
		articles := fixtures()
		put(t, db, articles...)
		db.Close()
		setAnalysis(t, db.Path(), stored)

		for _, opts := range []Options{{ReadOnly: true}, {Analyzer: retrieval.NewAnalyzer()}} {
			db = reopen(t, db, opts)
			if !db.NeedsReindex() {
				t.Fatalf("stored analysis %d, current %d: NeedsReindex false", stored, retrieval.AnalysisVersion)
			}
			// Reads work as before.
			if got, err := db.Article(articles[0].ID); err != nil || sameArticle(got, articles[0]) != nil {
				t.Errorf("Article: %v", err)
			}
		}
		before := snapshot(t, db)
		if _, err := db.Put(corpus(1, 2, "new")); !errors.Is(err, ErrNeedsReindex) || !strings.Contains(err.Error(), db.Path()) {
			t.Errorf("Put: %v, want ErrNeedsReindex naming the path", err)
		}
		if err := db.Remove(articles[0].ID); !errors.Is(err, ErrNeedsReindex) {
			t.Errorf("Remove: %v, want ErrNeedsReindex", err)
		}
		sameSnapshot(t, before, snapshot(t, db))

		if err := db.Reindex(nil); err != nil {
			t.Fatal(err)
		}
		if db.NeedsReindex() {
			t.Error("NeedsReindex after Reindex")
		}
		checkIndex(t, db)
		if db = reopen(t, db, Options{Analyzer: retrieval.NewAnalyzer()}); db.NeedsReindex() {
			t.Error("NeedsReindex after Reindex and reopening")
		}
		put(t, db, corpus(1, 2, "new")...)
		checkIndex(t, db)
	}
}

// Reindex rebuilds the index with the current rules, whatever the old ones
// made of it.
func TestReindex(t *testing.T) {
	tests := []struct {
		name     string
		articles int
		batch    int
	}{
		{"empty", 0, 0},
		{"one batch", 20, 0},
		{"several batches", 23, 5},
		{"exact batches", 20, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t, prefixAnalyzer("old:"))
			put(t, db, corpus(7, tt.articles, "a")...)
			put(t, db, fixtures()...)
			if err := db.Remove(fixtures()[1].ID); err != nil {
				t.Fatal(err)
			}
			infos, total, err := db.List(0, 0)
			if err != nil {
				t.Fatal(err)
			}
			articles := make(map[string]retrieval.Article)
			for _, info := range infos {
				if articles[info.ID], err = db.Article(info.ID); err != nil {
					t.Fatal(err)
				}
			}
			db.Close()
			setAnalysis(t, db.Path(), 0)

			db = reopen(t, db, Options{Analyzer: retrieval.NewAnalyzer()})
			db.analyze, db.reindexBatch = prefixAnalyzer("new:"), tt.batch
			var calls [][2]int
			err = db.Reindex(func(done, total int) { calls = append(calls, [2]int{done, total}) })
			if err != nil {
				t.Fatal(err)
			}
			checkIndex(t, db) // with the new rules

			// Progress: from 0 to total, increasing.
			if len(calls) == 0 || calls[0] != [2]int{0, total} || calls[len(calls)-1] != [2]int{total, total} {
				t.Errorf("progress %v, want from (0, %d) to (%d, %d)", calls, total, total, total)
			}
			for i := 1; i < len(calls); i++ {
				if calls[i][0] <= calls[i-1][0] {
					t.Errorf("progress %v does not increase", calls)
				}
			}
			// Articles, their order and their ingest times are untouched.
			after, _, err := db.List(0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(after) != len(infos) {
				t.Fatalf("%d articles after, %d before", len(after), len(infos))
			}
			for i := range after {
				if after[i].ID != infos[i].ID || !after[i].AddedAt.Equal(infos[i].AddedAt) || after[i].Hash != infos[i].Hash {
					t.Errorf("article %d: %+v, was %+v", i, after[i], infos[i])
				}
				got, err := db.Article(after[i].ID)
				if err != nil {
					t.Fatal(err)
				}
				if err := sameArticle(got, articles[after[i].ID]); err != nil {
					t.Errorf("%s: %v", after[i].ID, err)
				}
			}
			// No term of the old rules is left.
			err = db.View(func(r retrieval.IndexReader) error {
				ps, err := r.Postings("old:common")
				if ps != nil || err != nil {
					t.Errorf("old term: %v, %v", ps, err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A Reindex that stops part way leaves the index marked as needing one, and
// the next one finishes the job.
func TestReindexInterrupted(t *testing.T) {
	db := openTest(t, wordAnalyzer)
	put(t, db, corpus(3, 30, "a")...)
	db.reindexBatch = 4
	commits := 0
	db.beforeCommit = func() error {
		if commits++; commits == 3 {
			return errBoom
		}
		return nil
	}
	if err := db.Reindex(nil); !errors.Is(err, errBoom) {
		t.Fatalf("Reindex: %v, want %v", err, errBoom)
	}
	if !db.NeedsReindex() {
		t.Fatal("an interrupted Reindex left the index current")
	}
	checkIndex(t, db) // stats agree with the passages done so far
	if _, err := db.Put(fixtures()); !errors.Is(err, ErrNeedsReindex) {
		t.Errorf("Put: %v, want ErrNeedsReindex", err)
	}

	db.beforeCommit = nil
	db = reopen(t, db, Options{Analyzer: retrieval.NewAnalyzer()})
	if !db.NeedsReindex() {
		t.Fatal("reopened, an interrupted Reindex is forgotten")
	}
	if err := db.Reindex(nil); err != nil {
		t.Fatal(err)
	}
	if db.NeedsReindex() {
		t.Error("NeedsReindex after Reindex")
	}
	checkIndex(t, db)
}

// Reindexing a current index changes nothing but the passage IDs.
func TestReindexCurrent(t *testing.T) {
	for _, an := range analyzers {
		t.Run(an.name, func(t *testing.T) {
			db := openTest(t, an.analyze)
			put(t, db, fixtures()...)
			before, _ := db.Stats()
			if err := db.Reindex(nil); err != nil {
				t.Fatal(err)
			}
			checkIndex(t, db)
			if after, _ := db.Stats(); after != before {
				t.Errorf("stats %+v, were %+v", after, before)
			}
		})
	}
}
