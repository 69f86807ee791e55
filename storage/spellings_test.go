package storage

import (
	"slices"
	"testing"

	"github.com/baobot/baobot/retrieval"
)

// spellingsOf lists the spellings of form in db, through a View.
func spellingsOf(t *testing.T, db *DB, form string) []retrieval.Spelling {
	t.Helper()
	return viewed(t, db, func(r *reader) ([]retrieval.Spelling, error) { return r.Spellings(form) })
}

// viewed returns what read returns in a View of db, failing t on its error.
func viewed[T any](t *testing.T, db *DB, read func(*reader) (T, error)) T {
	t.Helper()
	var got T
	err := db.View(func(r retrieval.IndexReader) error {
		var err error
		got, err = read(r.(*reader))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestSpellings writes the spellings of "cho" and "tu van" over two runs
// (two Puts), then closes and reopens the file: every spelling is listed
// once with the passages of both runs, a pair's spellings as well as a
// syllable's, and a form with no term lists nothing.
func TestSpellings(t *testing.T) {
	db := openTest(t, nil)
	put(t, db,
		retrieval.Article{ID: "a", Language: "vi", Body: "Chợ Bến Thành mở cửa. Tư vấn dược cho bệnh nhân."},
		retrieval.Article{ID: "b", Language: "vi", Body: "Giá rau ở chợ tăng."},
	)
	put(t, db,
		retrieval.Article{ID: "c", Language: "vi", Body: "Người bán chó ở chợ. Tư vấn được miễn phí."},
	)
	for _, reopened := range []bool{false, true} {
		if reopened {
			db = reopen(t, db, Options{ReadOnly: true})
		}
		want := []retrieval.Spelling{{Term: "cho", Passages: 1}, {Term: "chó", Passages: 1}, {Term: "chợ", Passages: 3}}
		if got := spellingsOf(t, db, "cho"); !slices.Equal(got, want) {
			t.Errorf("reopened %v: spellings of cho %v, want %v", reopened, got, want)
		}
		want = []retrieval.Spelling{{Term: "vấn dược", Passages: 1}, {Term: "vấn được", Passages: 1}}
		if got := spellingsOf(t, db, "van duoc"); !slices.Equal(got, want) {
			t.Errorf("reopened %v: spellings of van duoc %v, want %v", reopened, got, want)
		}
		if got := spellingsOf(t, db, "xyz"); got != nil {
			t.Errorf("reopened %v: spellings of a form with no term: %v", reopened, got)
		}
	}
}
