package storage

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/baobot/baobot/retrieval"
)

func TestPutRoundTrip(t *testing.T) {
	for _, an := range analyzers {
		t.Run(an.name, func(t *testing.T) {
			db := openTest(t, an.analyze)
			articles := fixtures()
			outcomes := put(t, db, articles...)
			if want := slices.Repeat([]Outcome{Added}, len(articles)); !slices.Equal(outcomes, want) {
				t.Fatalf("outcomes %v, want %v", outcomes, want)
			}
			checkIndex(t, db)
			before := snapshot(t, db)

			for _, opts := range []Options{{Analyzer: retrieval.NewAnalyzer()}, {ReadOnly: true}} {
				db = reopen(t, db, opts)
				sameSnapshot(t, before, snapshot(t, db))
				checkIndex(t, db)
				stats, err := db.Stats()
				if err != nil {
					t.Fatal(err)
				}
				if stats.Articles != uint64(len(articles)) || stats.Passages == 0 || stats.TotalLength == 0 {
					t.Errorf("stats %+v", stats)
				}
				for _, want := range articles {
					got, err := db.Article(want.ID)
					if err != nil {
						t.Fatal(err)
					}
					if err := sameArticle(got, want); err != nil {
						t.Errorf("Article(%q): %v", want.ID, err)
					}
					if got.ContentHash() != want.ContentHash() {
						t.Errorf("Article(%q): content hash changed", want.ID)
					}
					info, err := db.Info(want.ID)
					if err != nil {
						t.Fatal(err)
					}
					analysis := an.analyze(want)
					if info.ID != want.ID || info.Title != want.Title || info.URL != want.URL || info.Source != want.Source ||
						!info.Published.Equal(want.Published) || info.Language != analysis.Language ||
						info.Passages != len(analysis.Passages) || info.Hash != want.ContentHash() || info.AddedAt.IsZero() {
						t.Errorf("Info(%q) = %+v", want.ID, info)
					}
				}
				err = db.View(func(r retrieval.IndexReader) error {
					if got := r.Stats(); got != stats {
						t.Errorf("reader stats %+v, want %+v", got, stats)
					}
					for _, want := range articles {
						got, err := r.Article(want.ID)
						if err != nil {
							return err
						}
						if err := sameArticle(got, want); err != nil {
							t.Errorf("reader Article(%q): %v", want.ID, err)
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// Through the reader alone: every passage the analysis makes is stored, and
// found through each of its terms with its frequency and length.
func TestReaderPostingsFollowAnalysis(t *testing.T) {
	for _, an := range analyzers {
		t.Run(an.name, func(t *testing.T) {
			db := openTest(t, an.analyze)
			articles := fixtures()
			put(t, db, articles...)
			err := db.View(func(r retrieval.IndexReader) error {
				type place struct {
					article string
					ordinal int
				}
				ids := make(map[place]retrieval.PassageID)
				for id := retrieval.PassageID(1); id <= retrieval.PassageID(r.Stats().Passages); id++ {
					ref, err := r.Passage(id)
					if err != nil {
						return err
					}
					ids[place{ref.ArticleID, ref.Ordinal}] = id
				}
				for _, a := range articles {
					for _, p := range an.analyze(a).Passages {
						id, ok := ids[place{a.ID, p.Ordinal}]
						if !ok {
							t.Fatalf("%s: passage %d not stored", a.ID, p.Ordinal)
						}
						if ref, _ := r.Passage(id); ref.Start != p.Start || ref.End != p.End {
							t.Errorf("%s passage %d: %+v", a.ID, p.Ordinal, ref)
						}
						for term, tf := range p.Terms {
							ps, err := r.Postings(term)
							if err != nil {
								return err
							}
							i, ok := slices.BinarySearchFunc(ps, id, func(p retrieval.Posting, id retrieval.PassageID) int { return cmp.Compare(p.Passage, id) })
							if !ok || ps[i].TF != tf || ps[i].Length != p.Length {
								t.Errorf("%s passage %d: term %q: posting missing or wrong in %v", a.ID, p.Ordinal, term, ps)
							}
						}
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestReaderMissing(t *testing.T) {
	db := openTest(t, wordAnalyzer)
	put(t, db, fixtures()...)
	err := db.View(func(r retrieval.IndexReader) error {
		for _, term := range []string{"", "no-such-term", "bad\x00term", strings.Repeat("x", maxTermLen+1)} {
			if ps, err := r.Postings(term); ps != nil || err != nil {
				t.Errorf("Postings(%.20q) = %v, %v; want nil, nil", term, ps, err)
			}
		}
		for _, id := range []retrieval.PassageID{0, 10000} {
			if _, err := r.Passage(id); !errors.Is(err, retrieval.ErrNotFound) {
				t.Errorf("Passage(%d): %v, want ErrNotFound", id, err)
			}
		}
		if _, err := r.Article("nope"); !errors.Is(err, retrieval.ErrNotFound) {
			t.Errorf("Article: %v, want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Article("nope"); !errors.Is(err, retrieval.ErrNotFound) {
		t.Errorf("DB.Article: %v, want ErrNotFound", err)
	}
	if _, err := db.Info("nope"); !errors.Is(err, retrieval.ErrNotFound) {
		t.Errorf("DB.Info: %v, want ErrNotFound", err)
	}
}

func TestViewReturnsFnError(t *testing.T) {
	db := openTest(t, nil)
	if err := db.View(func(retrieval.IndexReader) error { return errBoom }); err != errBoom {
		t.Errorf("View = %v, want fn's error as is", err)
	}
}

func TestPutOutcomes(t *testing.T) {
	a, b, c := fixtures()[0], fixtures()[1], fixtures()[2]
	a2 := a
	a2.Body += "\nMột đoạn mới được thêm vào."
	b2 := b
	b2.Title = "Only the title changed"
	tests := []struct {
		name    string
		batches [][]retrieval.Article
		want    [][]Outcome
	}{
		{"new", [][]retrieval.Article{{a, b}}, [][]Outcome{{Added, Added}}},
		{"same again", [][]retrieval.Article{{a}, {a}}, [][]Outcome{{Added}, {Unchanged}}},
		{"new body", [][]retrieval.Article{{a, b}, {a2}}, [][]Outcome{{Added, Added}, {Replaced}}},
		{"new title", [][]retrieval.Article{{b}, {b2}}, [][]Outcome{{Added}, {Replaced}}},
		{"back and forth", [][]retrieval.Article{{a}, {a2}, {a}, {a}}, [][]Outcome{{Added}, {Replaced}, {Replaced}, {Unchanged}}},
		{"mixed batch", [][]retrieval.Article{{a, b}, {c, b2, a}}, [][]Outcome{{Added, Added}, {Added, Replaced, Unchanged}}},
		{"empty batch", [][]retrieval.Article{{}}, [][]Outcome{{}}},
	}
	// Batches are put one by one, or each prepared before the one before
	// it is written (as load.Loader does), or all prepared before the
	// first is written: a batch's preparation may then be out of date, an
	// article it found unchanged changed since, or one it prepared stored
	// since with the same content.
	ahead := map[string]int{"one by one": 0, "one ahead": 1, "all ahead": 10}
	for _, an := range analyzers {
		for _, tt := range tests {
			for mode, n := range ahead {
				t.Run(an.name+"/"+tt.name+"/"+mode, func(t *testing.T) {
					db := openTest(t, an.analyze)
					prepared := make([]*Batch, len(tt.batches))
					prepare := func(i int) {
						if i < len(tt.batches) && prepared[i] == nil {
							prepared[i] = db.Prepare(tt.batches[i])
						}
					}
					for i := range tt.batches {
						for j := i; j <= i+n; j++ {
							prepare(j)
						}
						got, failures, err := db.PutEachBatch(prepared[i])
						prepared[i].Close()
						if err != nil || slices.ContainsFunc(failures, func(err error) bool { return err != nil }) {
							t.Fatal(err, failures)
						}
						if !slices.Equal(got, tt.want[i]) {
							t.Errorf("batch %d: outcomes %v, want %v", i, got, tt.want[i])
						}
						checkIndex(t, db)
					}
					checkStored(t, db, tt.batches)
				})
			}
		}
	}
}

// checkStored checks that db holds the last version of each article of
// batches.
func checkStored(t *testing.T, db *DB, batches [][]retrieval.Article) {
	t.Helper()
	last := make(map[string]retrieval.Article)
	for _, batch := range batches {
		for _, a := range batch {
			last[a.ID] = a
		}
	}
	for id, want := range last {
		got, err := db.Article(id)
		if err != nil {
			t.Fatal(err)
		}
		if err := sameArticle(got, want); err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}
}

func TestPutUnchangedWritesNothing(t *testing.T) {
	db := openTest(t, nil)
	put(t, db, fixtures()...)
	before, id := snapshot(t, db), txID(t, db)
	outcomes := put(t, db, fixtures()...)
	if want := slices.Repeat([]Outcome{Unchanged}, len(fixtures())); !slices.Equal(outcomes, want) {
		t.Errorf("outcomes %v, want %v", outcomes, want)
	}
	if got := txID(t, db); got != id {
		t.Errorf("a transaction was committed (%d → %d)", id, got)
	}
	sameSnapshot(t, before, snapshot(t, db))
}

func TestReplace(t *testing.T) {
	for _, an := range analyzers {
		t.Run(an.name, func(t *testing.T) {
			db := openTest(t, an.analyze)
			articles := fixtures()
			put(t, db, articles...)
			old, err := db.Info(articles[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			oldStats, _ := db.Stats()

			replacement := articles[0]
			replacement.Title = "Đã cập nhật"
			replacement.Summary = ""
			replacement.Body = "Một nội dung hoàn toàn khác.\nKhông còn từ nào của bản cũ."
			if got := put(t, db, replacement); !slices.Equal(got, []Outcome{Replaced}) {
				t.Fatalf("outcomes %v", got)
			}
			checkIndex(t, db)

			info, err := db.Info(replacement.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !info.AddedAt.Equal(old.AddedAt) {
				t.Errorf("AddedAt %v, was %v: a replacement keeps it", info.AddedAt, old.AddedAt)
			}
			if info.Hash != replacement.ContentHash() || info.Title != replacement.Title {
				t.Errorf("info %+v", info)
			}
			stats, _ := db.Stats()
			oldPassages, newPassages := len(an.analyze(articles[0]).Passages), len(an.analyze(replacement).Passages)
			if stats.Articles != oldStats.Articles || stats.Passages != oldStats.Passages-uint64(oldPassages)+uint64(newPassages) {
				t.Errorf("stats %+v, was %+v", stats, oldStats)
			}
			// The old passages are gone, not reused.
			err = db.View(func(r retrieval.IndexReader) error {
				for id := retrieval.PassageID(1); id <= retrieval.PassageID(oldPassages); id++ {
					if _, err := r.Passage(id); !errors.Is(err, retrieval.ErrNotFound) {
						t.Errorf("old passage %d: %v, want ErrNotFound", id, err)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestRemove(t *testing.T) {
	for _, an := range analyzers {
		t.Run(an.name, func(t *testing.T) {
			db := openTest(t, an.analyze)
			articles := fixtures()
			put(t, db, articles...)
			for i, a := range articles {
				if err := db.Remove(a.ID); err != nil {
					t.Fatal(err)
				}
				checkIndex(t, db)
				if _, err := db.Article(a.ID); !errors.Is(err, retrieval.ErrNotFound) {
					t.Errorf("Article after Remove: %v", err)
				}
				if err := db.Remove(a.ID); !errors.Is(err, retrieval.ErrNotFound) || !strings.Contains(err.Error(), db.Path()) {
					t.Errorf("second Remove: %v, want ErrNotFound naming the path", err)
				}
				_, total, _ := db.List(0, 0)
				if total != len(articles)-i-1 {
					t.Errorf("total %d after %d removals", total, i+1)
				}
			}
			stats, _ := db.Stats()
			if stats != (retrieval.Stats{}) {
				t.Errorf("stats of an emptied index: %+v", stats)
			}
			err := db.View(func(r retrieval.IndexReader) error {
				if langs := r.Languages(); len(langs) != 0 {
					t.Errorf("languages of an emptied index: %v", langs)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// Removed IDs can come back.
			put(t, db, articles...)
			checkIndex(t, db)
		})
	}
}

func TestPutInvalid(t *testing.T) {
	valid := fixtures()[0]
	withID := func(a retrieval.Article, id string) retrieval.Article { a.ID = id; return a }
	tests := []struct {
		name    string
		article retrieval.Article
		dup     bool
	}{
		{name: "empty ID", article: withID(valid, "")},
		{name: "blank ID", article: withID(valid, " \t")},
		{name: "long ID", article: withID(valid, strings.Repeat("x", maxIDLen+1))},
		{name: "empty body", article: retrieval.Article{ID: "empty", Summary: "only a summary"}},
		{name: "blank body", article: retrieval.Article{ID: "blank", Body: " \n\t\n"}},
		{name: "duplicate ID", article: withID(fixtures()[1], "dup"), dup: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t, nil)
			put(t, db, fixtures()[2])
			before, id := snapshot(t, db), txID(t, db)

			batch := []retrieval.Article{withID(valid, "first"), fixtures()[3], tt.article}
			if tt.dup {
				batch[0].ID = "dup"
			}
			_, err := db.Put(batch)
			var ae *ArticleError
			if !errors.As(err, &ae) || ae.Index != 2 || ae.ID != tt.article.ID || !errors.Is(err, ErrInvalidArticle) {
				t.Fatalf("Put: %v, want an ArticleError for article 2", err)
			}
			if !strings.Contains(err.Error(), db.Path()) {
				t.Errorf("error %q does not name the index", err)
			}
			if txID(t, db) != id {
				t.Error("a transaction was committed")
			}
			sameSnapshot(t, before, snapshot(t, db))
		})
	}
}

func TestPutUnstorableAnalysis(t *testing.T) {
	tests := []struct {
		name   string
		poison func(*retrieval.IndexedArticle)
	}{
		{"term with 0x00", func(ia *retrieval.IndexedArticle) { ia.Passages[0].Terms["bad\x00term"] = 1 }},
		{"empty term", func(ia *retrieval.IndexedArticle) { ia.Passages[0].Terms[""] = 1 }},
		{"passage past the text", func(ia *retrieval.IndexedArticle) { ia.Passages[0].End = 1 << 20 }},
		{"ordinal 0", func(ia *retrieval.IndexedArticle) { ia.Passages[0].Ordinal = 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t, nil)
			db.analyze = func(a retrieval.Article) retrieval.IndexedArticle {
				ia := wordAnalyzer(a)
				if a.ID == "poison" {
					tt.poison(&ia)
				}
				return ia
			}
			put(t, db, fixtures()...)
			before := snapshot(t, db)
			batch := corpus(1, 5, "c")
			batch[3].ID = "poison"
			_, err := db.Put(batch)
			var ae *ArticleError
			if !errors.As(err, &ae) || ae.Index != 3 || ae.ID != "poison" {
				t.Fatalf("Put: %v, want an ArticleError for article 3", err)
			}
			sameSnapshot(t, before, snapshot(t, db))
		})
	}
}

// A write that fails at its very end, everything written but not committed,
// leaves no trace, and the next write works.
func TestFailedWriteLeavesNoTrace(t *testing.T) {
	a2 := fixtures()[0]
	a2.Body = "Nội dung mới.\nHoàn toàn mới."
	tests := []struct {
		name  string
		write func(db *DB) error
	}{
		{"put new", func(db *DB) error { _, err := db.Put(corpus(2, 50, "new")); return err }},
		{"put replacing", func(db *DB) error { _, err := db.Put([]retrieval.Article{a2, fixtures()[1]}); return err }},
		{"put mixed", func(db *DB) error {
			_, err := db.Put(append(corpus(3, 20, "mixed"), a2, fixtures()[1], fixtures()[2]))
			return err
		}},
		{"remove", func(db *DB) error { return db.Remove(fixtures()[3].ID) }},
	}
	for _, an := range analyzers {
		for _, tt := range tests {
			t.Run(an.name+"/"+tt.name, func(t *testing.T) {
				db := openTest(t, an.analyze)
				put(t, db, fixtures()...)
				put(t, db, corpus(1, 30, "old")...)
				before, id := snapshot(t, db), txID(t, db)

				db.beforeCommit = func() error { return errBoom }
				if err := tt.write(db); !errors.Is(err, errBoom) {
					t.Fatalf("write: %v, want %v", err, errBoom)
				}
				if txID(t, db) != id {
					t.Error("a transaction was committed")
				}
				sameSnapshot(t, before, snapshot(t, db))
				checkIndex(t, db)

				db.beforeCommit = nil
				if err := tt.write(db); err != nil {
					t.Fatal(err)
				}
				checkIndex(t, db)
			})
		}
	}
}

func TestWritesOnReadOnly(t *testing.T) {
	db := openTest(t, nil)
	put(t, db, fixtures()...)
	db = reopen(t, db, Options{ReadOnly: true})
	before := readFile(t, db.Path())
	if _, err := db.Put(fixtures()); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Put: %v, want ErrReadOnly", err)
	}
	if err := db.Remove(fixtures()[0].ID); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Remove: %v, want ErrReadOnly", err)
	}
	if err := db.Reindex(nil); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Reindex: %v, want ErrReadOnly", err)
	}
	if string(readFile(t, db.Path())) != string(before) {
		t.Error("file changed")
	}
}

func TestOutcomeString(t *testing.T) {
	for o, want := range map[Outcome]string{Added: "added", Replaced: "replaced", Unchanged: "unchanged", 0: "Outcome(0)"} {
		if got := o.String(); got != want {
			t.Errorf("%d: %q, want %q", int(o), got, want)
		}
	}
}

// Readers see whole batches only, while writes go on.
func TestViewsDuringWrites(t *testing.T) {
	db := openTest(t, wordAnalyzer)
	batches := [][]retrieval.Article{corpus(1, 40, "a"), corpus(2, 40, "b"), corpus(3, 40, "c")}
	var wg sync.WaitGroup
	done := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				err := db.View(func(r retrieval.IndexReader) error {
					s := r.Stats()
					if s.Articles%40 != 0 {
						t.Errorf("a view saw %d articles: part of a batch", s.Articles)
					}
					ps, err := r.Postings("common")
					if err != nil {
						return err
					}
					if uint64(len(ps)) != s.Passages {
						t.Errorf("%d postings of a term in every passage, %d passages", len(ps), s.Passages)
					}
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	for _, b := range batches {
		put(t, db, b...)
	}
	close(done)
	wg.Wait()
	checkIndex(t, db)
}

// A batch prepared before the one it follows is written may find an
// article it prepared stored since, unchanged: its write does not wait
// for that preparation, yet no preparation may still number terms while
// the write lays out its postings (go test -race tells).
func TestPutWhileAPreparationRuns(t *testing.T) {
	slow := retrieval.Article{ID: "slow", Body: "Chậm mà chắc, từng chữ một."}
	other := retrieval.Article{ID: "other", Body: "Một bài khác với những chữ khác."}
	db := openTest(t, func(a retrieval.Article) retrieval.IndexedArticle {
		if a.ID == slow.ID {
			time.Sleep(50 * time.Millisecond)
		}
		return wordAnalyzer(a)
	})
	first, second := db.Prepare([]retrieval.Article{slow}), db.Prepare([]retrieval.Article{slow, other})
	defer first.Close()
	defer second.Close()
	for i, b := range []*Batch{first, second} {
		if _, _, err := db.PutEachBatch(b); err != nil {
			t.Fatalf("batch %d: %v", i, err)
		}
	}
	checkIndex(t, db)
	checkStored(t, db, [][]retrieval.Article{{slow}, {slow, other}})
}
