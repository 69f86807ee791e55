package storage_test

import (
	"errors"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

// A panic in the code a View runs over the reader (here this test's, as
// it would be retrieval's) is a bug, not damage: it goes on as it was,
// and is not reported as ErrCorrupt sending the user to repair a sound
// file. The transaction is rolled back: the index reads and writes after.
// (Damaged pages are reported as ErrCorrupt: TestDamagedPagesNeverPanic.)
func TestViewPanicIsNotDamage(t *testing.T) {
	db, err := storage.Open(filepath.Join(t.TempDir(), "index.db"), storage.Options{Analyzer: retrieval.NewAnalyzer()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Put([]retrieval.Article{{ID: "a", Language: "vi", Body: "Ngoại trưởng Mỹ Antony Blinken."}}); err != nil {
		t.Fatal(err)
	}
	for name, bug := range map[string]func(retrieval.IndexReader){
		"index out of range": func(r retrieval.IndexReader) {
			ps, _ := r.Postings("blinken")
			_ = ps[len(ps)+1]
		},
		"panic of a value": func(retrieval.IndexReader) { panic("a bug") },
	} {
		var err error
		recovered := func() (r any) {
			defer func() { r = recover() }()
			err = db.View(func(r retrieval.IndexReader) error { bug(r); return nil })
			return nil
		}()
		if recovered == nil {
			t.Errorf("%s: View returned %v instead of panicking", name, err)
			continue
		}
		if e, ok := recovered.(error); ok && errors.Is(e, storage.ErrCorrupt) {
			t.Errorf("%s: the panic became %v", name, e)
		}
		if _, ok := recovered.(runtime.Error); name == "index out of range" && !ok {
			t.Errorf("%s: recovered %v, want the runtime error itself", name, recovered)
		}
	}
	if _, err := db.Put([]retrieval.Article{{ID: "b", Language: "vi", Body: "Bộ trưởng Motegi."}}); err != nil {
		t.Errorf("Put after the panics: %v", err)
	}
	ans, err := retrieval.NewSearcher(db, retrieval.NewAnalyzer(), retrieval.DefaultParams()).Ask("Blinken", 3)
	if err != nil || len(ans.Results) == 0 {
		t.Errorf("Ask after the panics: %+v, %v", ans, err)
	}
}
