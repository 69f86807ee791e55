package load

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/baobot/baobot/ingest"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

func article(id, body string) ingest.Record {
	return ingest.Record{Origin: id + ".txt", Article: retrieval.Article{ID: id, Title: id, Body: body}}
}

// Records are written a batch at a time; a record that failed to parse and
// an article storage refuses are counted and named, and cost nothing else.
func TestLoader(t *testing.T) {
	db, err := storage.Open(filepath.Join(t.TempDir(), "b.db"), storage.Options{Analyzer: retrieval.NewAnalyzer()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var failed, written []string
	progress := 0
	l := &Loader{
		DB: db, BatchSize: 2,
		Failed:   func(origin string, err error) { failed = append(failed, origin) },
		Written:  func(origins []string, _ []storage.Outcome) { written = append(written, origins...) },
		Progress: func(n int) { progress += n },
	}
	add := func(r ingest.Record) {
		t.Helper()
		if err := l.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	add(article("a", "Bão số ba đổ bộ vào miền Trung."))
	if l.Pending() != 1 {
		t.Errorf("pending %d after one article, want 1", l.Pending())
	}
	add(ingest.Record{Origin: "bad.txt", Err: errors.New("no text")})
	add(article("b", "Giá xăng giảm 500 đồng."))
	// The full batch is being written in the background: pending until
	// Wait (or the next batch's dispatch) sees it written.
	if l.Pending() != 2 {
		t.Errorf("%d pending while the first batch is written, want 2", l.Pending())
	}
	if err := l.Wait(); err != nil {
		t.Fatal(err)
	}
	if l.Pending() != 0 || !slices.Equal(written, []string{"a.txt", "b.txt"}) {
		t.Errorf("after Wait: %d pending, written %q", l.Pending(), written)
	}
	add(article("c", "Mưa lớn ở Huế."))
	add(article("c", "The same ID twice in one batch."))
	add(article("a", "Bão số ba đổ bộ vào miền Trung."))
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	want := Summary{Added: 3, Unchanged: 1, Failed: 2}
	if l.Summary != want || l.Summary.String() != "added 3, replaced 0, unchanged 1, failed 2" {
		t.Errorf("summary %+v, want %+v", l.Summary, want)
	}
	if !slices.Equal(failed, []string{"bad.txt", "c.txt"}) || !slices.Equal(written, []string{"a.txt", "b.txt", "c.txt", "a.txt"}) || progress != 6 {
		t.Errorf("failed %q, written %q, progress %d", failed, written, progress)
	}
	if stats, _ := db.Stats(); stats.Articles != 3 {
		t.Errorf("%d articles stored, want 3", stats.Articles)
	}
}

// A batch is written while the next is read; a storage failure of the
// batch being written comes back from the next Add that completes a batch,
// or from Flush, and counts nothing of that batch.
func TestLoaderStorageFailure(t *testing.T) {
	path := filepath.Join(t.TempDir(), "b.db")
	db, err := storage.Open(path, storage.Options{Analyzer: retrieval.NewAnalyzer()})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	ro, err := storage.Open(path, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	var written []string
	l := &Loader{DB: ro, BatchSize: 1, Written: func(origins []string, _ []storage.Outcome) { written = append(written, origins...) }}
	if err := l.Add(article("a", "Bão số ba đổ bộ vào miền Trung.")); err != nil {
		t.Fatalf("the first batch's Add: %v (its write runs in the background)", err)
	}
	if err := l.Add(article("b", "Giá xăng giảm 500 đồng.")); !errors.Is(err, storage.ErrReadOnly) {
		t.Errorf("the second batch's Add: %v, want the first batch's ErrReadOnly", err)
	}
	if err := l.Flush(); err != nil {
		t.Errorf("Flush after the failure: %v", err)
	}
	if l.Summary != (Summary{}) || len(written) != 0 || l.Pending() != 0 {
		t.Errorf("summary %+v, written %q, pending %d: nothing was written", l.Summary, written, l.Pending())
	}
}
