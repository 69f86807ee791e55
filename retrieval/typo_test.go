package retrieval

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// osaDistance is the optimal string alignment distance of a and b in runes,
// by its definition: the reference EditMatcher is checked against.
func osaDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}

func TestEditMatcher(t *testing.T) {
	m := NewEditMatcher("ghandi", 2)
	for _, tt := range []struct {
		form     string
		edits    int
		hopeless int // bytes
	}{
		{"gandhi", 2, 0},  // a letter moved by two: two edits
		{"ghnadi", 1, 0},  // adjacent letters swapped: one
		{"ghandi", 0, 0},  //
		{"grand", 2, 0},   // one substitution, one deletion
		{"ghand", 1, 0},   // a prefix of the word
		{"xyz", 0, 3},     // three substitutions by the third letter
		{"xyzabc", 0, 3},  // the same prefix, skipped at the same place
		{"gh di", 0, 3},   // a syllable pair: the space is never matched
		{"^ghan", 0, 1},   // a prefix term
		{"ghandhi", 1, 0}, // an insertion
		{"ghаndi", 1, 0},  // a Cyrillic а: a substitution of one rune, not bytes
		{"gh4ndi", 0, 3},  // a digit: numbers are never matched
	} {
		edits, hopeless := m.Match([]byte(tt.form))
		if hopeless != tt.hopeless || hopeless == 0 && edits != tt.edits {
			t.Errorf("Match(%q) = %d, %d; want %d, %d", tt.form, edits, hopeless, tt.edits, tt.hopeless)
		}
	}
}

// TestEditMatcherAgainstDefinition walks random forms in the order of a
// sorted vocabulary and in random order: every form within the bound has
// its distance, and every hopeless prefix really is.
func TestEditMatcherAgainstDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	letters := []rune("abcđе")
	word := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteRune(letters[rng.IntN(len(letters))])
		}
		return b.String()
	}
	for range 200 {
		w, maxEdits := word(1+rng.IntN(6)), rng.IntN(3)
		m := NewEditMatcher(w, maxEdits)
		for range 50 {
			f := word(rng.IntN(8))
			edits, hopeless := m.Match([]byte(f))
			if hopeless > 0 {
				prefix := f[:hopeless]
				// No completion of prefix is near: its distance to every
				// prefix of w and beyond exceeds the bound.
				if d := bestCompletion(prefix, w); d <= maxEdits {
					t.Fatalf("%q within %d: %q hopeless, but a form starting with it is %d away", w, maxEdits, prefix, d)
				}
				continue
			}
			if d := osaDistance(f, w); edits != d {
				t.Fatalf("%q: Match(%q) = %d, want %d", w, f, edits, d)
			}
		}
	}
}

// bestCompletion is the fewest edits between w and any form that starts
// with prefix: the least distance between prefix and a prefix of w, since
// the rest of w can be typed as is.
func bestCompletion(prefix, w string) int {
	r := []rune(w)
	best := osaDistance(prefix, w)
	for i := range r {
		best = min(best, osaDistance(prefix, string(r[:i])))
	}
	return best
}

func TestNearest(t *testing.T) {
	for _, tt := range []struct {
		word string
		near []NearForm
		want string
	}{
		{"ghandi", nil, ""},
		// The same edits: the letters kept win over the common word.
		{"ghandi", []NearForm{{"gandhi", 2, 3}, {"grand", 2, 40}}, "gandhi"},
		// Fewer edits win over kept letters.
		{"ghandi", []NearForm{{"gandhi", 2, 3}, {"handi", 1, 1}}, "handi"},
		// The same edits: the one that keeps every letter typed.
		{"мелф", []NearForm{{"мел", 1, 30}, {"мельф", 1, 1}}, "мельф"},
		// Two edits that make another word are no reading of it.
		{"luther", []NearForm{{"later", 2, 50}}, ""},
		{"luther", []NearForm{{"later", 2, 50}, {"lutheran", 2, 1}}, "lutheran"},
		// The same edits and letters: the most passages.
		{"parlament", []NearForm{{"parlamento", 1, 2}, {"parliament", 1, 9}}, "parliament"},
	} {
		if got := nearest(tt.word, tt.near); got != tt.want {
			t.Errorf("nearest(%q, %v) = %q, want %q", tt.word, tt.near, got, tt.want)
		}
	}
}

func TestTypoEdits(t *testing.T) {
	for n, want := range []int{0, 0, 0, 0, 1, 1, 2, 2, 2} {
		if got := typoEdits(n); got != want {
			t.Errorf("typoEdits(%d) = %d, want %d", n, got, want)
		}
	}
}

// TestAskReadsMisspelledWords: a name no passage holds is read as the
// nearest word of the collection, the answer says so and is not
// confident; a word held by a passage, or one whose prefix is (an
// inflection the stemmer did not join), or a short one, is left alone.
func TestAskReadsMisspelledWords(t *testing.T) {
	idx := newMemIndex(t,
		Article{ID: "gandhi", Language: "en", Body: "Gandhi started the Salt March, a campaign of civil disobedience, in 1930."},
		Article{ID: "grand", Language: "en", Body: "The grand hotel opened with a grand dinner and a grand ball for grand guests."},
		Article{ID: "march", Language: "en", Body: "The march started in spring."},
	)
	s := NewSearcher(idx, NewAnalyzer(), DefaultParams())
	ans, err := s.Ask("What did Ghandi start?", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Results) == 0 || ans.Results[0].Article.ID != "gandhi" {
		t.Errorf("%q: %+v, want the Gandhi article first", ans.Question, ans.Results)
	}
	if want := []Correction{{Typed: "Ghandi", Read: "Gandhi"}}; len(ans.Corrections) != 1 || ans.Corrections[0] != want[0] {
		t.Errorf("%q: corrections %+v, want %+v", ans.Question, ans.Corrections, want)
	}
	if ans.Confident {
		t.Errorf("%q: confident on a guess", ans.Question)
	}
	if !hasMark(ans.Results, "Gandhi") {
		t.Errorf("%q: Gandhi is not marked in %+v", ans.Question, ans.Results)
	}

	for _, question := range []string{
		"Who started the Salt March?", // every word held
		"What did Gandhi start?",
		"Who made the startup?", // "startup": its prefix "^star" is held
		"Who is Ghan?",          // too short to guess
		"Zyxwvutsrq?",           // nothing near
		"What started in 1931?", // a number is meant as typed, not read as 1930
	} {
		ans, err := s.Ask(question, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(ans.Corrections) != 0 {
			t.Errorf("%q: corrections %+v, want none", question, ans.Corrections)
		}
	}

	// In Vietnamese, a well-formed syllable no passage holds is a word
	// the collection lacks, not a misspelling: "phim" is not read as
	// "phi", but "Ghandi" is read as "Gandhi".
	vi := newMemIndex(t, Article{ID: "vi", Language: "vi", Body: "Máy bay phản lực bay qua sân bay Tân Sơn Nhất. Phi công Gandhi hạ cánh."})
	for question, want := range map[string][]Correction{
		"Phim nào được chiếu?":   nil,
		"Phi công Ghandi là ai?": {{Typed: "Ghandi", Read: "Gandhi"}},
	} {
		ans, err := NewSearcher(vi, NewAnalyzer(), DefaultParams()).Ask(question, 3)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ans.Corrections, want) {
			t.Errorf("%q: corrections %+v, want %+v", question, ans.Corrections, want)
		}
	}

	// A reader that cannot find near words answers as before.
	ans, err = NewSearcher(plainIndex{idx}, NewAnalyzer(), DefaultParams()).Ask("What did Ghandi start?", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Corrections) != 0 {
		t.Errorf("plain reader: corrections %+v", ans.Corrections)
	}
}

// hasMark reports whether some result marks word (alone or in a marked
// phrase).
func hasMark(results []Result, word string) bool {
	for _, r := range results {
		for _, m := range r.Marks {
			if strings.Contains(r.Snippet[m[0]:m[1]], word) {
				return true
			}
		}
	}
	return false
}

// plainIndex is an Index whose readers can do no more than IndexReader.
type plainIndex struct{ Index }

func (p plainIndex) View(fn func(IndexReader) error) error {
	return p.Index.View(func(r IndexReader) error { return fn(plainReader{r}) })
}

// FuzzEditMatcher checks Match against the definition for any two words
// and bound, and a form matched after another (the rows it reuses).
func FuzzEditMatcher(f *testing.F) {
	f.Add("ghandi", "gandhi", "grand", 2)
	f.Add("nguyễn", "nguyen", "ng", 1)
	f.Add("", "a", "", 0)
	f.Fuzz(func(t *testing.T, word, before, form string, maxEdits int) {
		if maxEdits < 0 || maxEdits > 3 || len(word) > 32 || len(form) > 32 || len(before) > 32 {
			t.Skip()
		}
		word, before, form = strings.ToValidUTF8(word, ""), strings.ToValidUTF8(before, ""), strings.ToValidUTF8(form, "")
		m := NewEditMatcher(word, maxEdits)
		m.Match([]byte(before))
		edits, hopeless := m.Match([]byte(form))
		if hopeless > 0 {
			if d := bestCompletion(form[:hopeless], word); d <= maxEdits && isWord(form[:hopeless]) {
				t.Fatalf("%q within %d: %q hopeless, but a form starting with it is %d away", word, maxEdits, form[:hopeless], d)
			}
			return
		}
		if !isWord(form) {
			t.Fatalf("%q matched, but holds a rune that is not a letter", form)
		}
		if d := osaDistance(form, word); edits != d {
			t.Fatalf("%q: Match(%q) after %q = %d, want %d", word, form, before, edits, d)
		}
	})
}

// isWord reports whether s holds letters only.
func isWord(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}
