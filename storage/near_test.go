package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/baobot/baobot/retrieval"
)

// nearFormsOf lists the forms near form in db, through a View.
func nearFormsOf(t *testing.T, db *DB, form string, maxEdits int) []retrieval.NearForm {
	t.Helper()
	return viewed(t, db, func(r *reader) ([]retrieval.NearForm, error) { return r.NearForms(form, maxEdits) })
}

// TestNearForms writes "Gandhi" and its neighbours over two runs, then
// reopens the file: the forms within the edits are listed once with the
// passages of both runs (a form's variants counted once), the word itself
// and syllable pairs are not, and a word with nothing near lists nothing.
func TestNearForms(t *testing.T) {
	db := openTest(t, nil)
	put(t, db,
		retrieval.Article{ID: "a", Language: "en", Body: "Gandhi led the march."},
		retrieval.Article{ID: "b", Language: "vi", Body: "Ông Ghandi và bà Nguyễn. Bà Nguyen."},
	)
	put(t, db,
		retrieval.Article{ID: "c", Language: "en", Body: "Mahatma Gandhi spoke."},
		retrieval.Article{ID: "d", Language: "vi", Body: "Nguyên đán."},
	)
	for _, reopened := range []bool{false, true} {
		if reopened {
			db = reopen(t, db, Options{ReadOnly: true})
		}
		want := []retrieval.NearForm{{Form: "gandhi", Edits: 2, Passages: 2}}
		if got := nearFormsOf(t, db, "ghandi", 2); !slices.Equal(got, want) {
			t.Errorf("reopened %v: near ghandi %v, want %v", reopened, got, want)
		}
		want = []retrieval.NearForm{{Form: "ghandi", Edits: 2, Passages: 1}}
		if got := nearFormsOf(t, db, "gandhi", 2); !slices.Equal(got, want) {
			t.Errorf("reopened %v: near gandhi %v, want %v", reopened, got, want)
		}
		// "nguyễn", "nguyen" (one passage: b) and "nguyên" (d) share
		// the form nguyen; "ông nguyễn" is a pair.
		want = []retrieval.NearForm{{Form: "nguyen", Edits: 1, Passages: 2}}
		if got := nearFormsOf(t, db, "nguyan", 1); !slices.Equal(got, want) {
			t.Errorf("reopened %v: near nguyan %v, want %v", reopened, got, want)
		}
		if got := nearFormsOf(t, db, "zyxwvu", 2); got != nil {
			t.Errorf("reopened %v: near zyxwvu %v, want nothing", reopened, got)
		}
	}
}

// TestNearFormsAgainstEveryForm checks the walk that skips hopeless
// prefixes against matching every form of the file one by one, on a
// vocabulary of random words over a few letters (many near forms, many
// blocks, three runs, one article removed).
func TestNearFormsAgainstEveryForm(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	letters := []string{"a", "á", "b", "c", "đ", "e", "o", "ơ"}
	word := func() string {
		var b strings.Builder
		for range 1 + rng.IntN(7) {
			b.WriteString(letters[rng.IntN(len(letters))])
		}
		return b.String()
	}
	db := openTest(t, nil)
	for run := range 3 {
		var batch []retrieval.Article
		for i := range 60 {
			words := make([]string, 12)
			for j := range words {
				words[j] = word()
			}
			batch = append(batch, retrieval.Article{ID: fmt.Sprintf("%d-%d", run, i), Language: "vi", Body: strings.Join(words, " ") + "."})
		}
		put(t, db, batch...)
	}
	if err := db.Remove("1-7"); err != nil {
		t.Fatal(err)
	}

	every := everyForm(t, db)
	if len(every) < 1000 {
		t.Fatalf("only %d forms: the test needs a larger vocabulary", len(every))
	}
	for range 100 {
		w, maxEdits := retrieval.FoldedForm(word()), 1+rng.IntN(2)
		var want []retrieval.NearForm
		m := retrieval.NewEditMatcher(w, maxEdits)
		for _, f := range every {
			if f.Form[0] != w[0] { // the letters are one byte once folded
				continue
			}
			if edits, hopeless := m.Match([]byte(f.Form)); hopeless == 0 && edits <= maxEdits && f.Form != w {
				want = append(want, retrieval.NearForm{Form: f.Form, Edits: edits, Passages: f.Passages})
			}
		}
		if got := nearFormsOf(t, db, w, maxEdits); !slices.Equal(got, want) {
			t.Fatalf("near %q within %d:\n got %v\nwant %v", w, maxEdits, got, want)
		}
	}
}

// everyForm lists each folded word form of db (no pairs, no prefix
// terms) with its passage count summed over the runs, by reading every
// entry of every run.
func everyForm(t *testing.T, db *DB) []retrieval.NearForm {
	t.Helper()
	count := viewed(t, db, func(r *reader) (map[string]int, error) {
		count := map[string]int{}
		for i := range r.runs {
			it := entryIter{c: r.cursors[i]}
			last := ""
			for ok := it.seek(nil); ok; ok = it.next() {
				f := string(it.e.key[:bytes.IndexByte(it.e.key, 0)])
				if f == last || strings.ContainsAny(f, " ^") {
					continue // a later variant of a form counted by its first entry
				}
				last = f
				n, _ := binary.Uvarint(it.e.postings)
				count[f] += int(n)
			}
			if it.err != nil {
				return nil, it.err
			}
		}
		return count, nil
	})
	var out []retrieval.NearForm
	for f, n := range count {
		out = append(out, retrieval.NearForm{Form: f, Passages: n})
	}
	slices.SortFunc(out, func(a, b retrieval.NearForm) int { return strings.Compare(a.Form, b.Form) })
	return out
}
