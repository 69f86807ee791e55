package retrieval

import (
	"reflect"
	"strings"
	"testing"
)

func TestNameRuns(t *testing.T) {
	for _, c := range []struct {
		question string
		want     []int
	}{
		{"Ai đã hát Quốc Ca tại Super Bowl 50?", []int{0, 0, 0, 1, 1, 0, 2, 2, 0}},
		{"Khi nào chính quyền của Hốt Tất Liệt hết tiền?", []int{0, 0, 0, 0, 0, 1, 1, 1, 0, 0}},
		{"Who led Apollo, Gemini and NASA?", []int{0, 0, 1, 2, 0, 3}},
	} {
		if got := nameRuns(c.question, tokenize(c.question)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("nameRuns(%q) = %v, want %v", c.question, got, c.want)
		}
	}
}

// TestNameShare: a name is held when any of its words is, accent-folded
// or not, and names weigh by the IDF of their words.
func TestNameShare(t *testing.T) {
	q := analyzeQuery("Ai đã hát Quốc Ca tại Super Bowl 50?", map[string]uint64{Vietnamese: 1}, DefaultParams())
	for i := range q.words {
		q.words[i].idf = 1
	}
	for _, c := range []struct {
		passage string
		want    float64
	}{
		{"Lady Gaga hát quoc ca trước trận Super Bowl.", 1},
		{"Trận Bowl năm đó diễn ra ở California.", 0.5},
		{"Một bài hát khác.", 0},
	} {
		if got, ok := passageNameShare(c.passage, q); !ok || got != c.want {
			t.Errorf("nameShare(%q) = %v, want %v", c.passage, got, c.want)
		}
	}
	plain := analyzeQuery("ai đã hát quốc ca", map[string]uint64{Vietnamese: 1}, DefaultParams())
	if _, ok := passageNameShare("Một bài hát khác.", plain); ok {
		t.Error("a question without names has a name share")
	}
}

// passageNameShare is nameShare of passage for q, as Ask computes it: from
// the words the snippet chooser finds the passage holds.
func passageNameShare(passage string, q query) (float64, bool) {
	return nameShare(chooseSnippet(passage, q, 320).held, q)
}

// namesHeldByDefinition says, for each name word of q (a word of a proper
// name), whether passage holds it by nameShare's definition: a passage
// word, analysed under the name word's language, has its exact or its
// accent-folded form. Other words are false.
func namesHeldByDefinition(passage string, q query) []bool {
	held := make([]bool, len(q.words))
	for _, t := range tokenize(passage) {
		for wi, w := range q.words {
			f := forms(passage[t.start:t.end], w.lang.code == Vietnamese)
			if w.lang.stem != nil {
				f = stemmed(w.lang, f)
			}
			if w.name > 0 && (f.exact == w.exact || f.folded == w.folded) {
				held[wi] = true
			}
		}
	}
	return held
}

// The names Ask takes as held from the snippet chooser's matches are the
// definition's (TestNameShare checks how nameShare weighs them), for questions with names in every language, with and
// without accents, over the seed articles' passages and the passages of
// other languages.
func TestNameShareAgainstDefinition(t *testing.T) {
	collection := map[string]uint64{Vietnamese: 10, "en": 3, "es": 3, "ru": 3}
	questions := []string{
		"Ai đã hát Quốc Ca tại Super Bowl 50?",
		"Ngoại trưởng Mỹ Antony Blinken đã gặp ai ở Hà Nội?",
		"Ngoai truong My Antony Blinken da gap ai o Ha Noi?",
		"Who did Secretary Blinken meet in Hanoi and Ho Chi Minh City?",
		"¿Dónde jugaron los Panthers de Carolina en el Super Bowl?",
		"Кто победил в Супербоуле в Калифорнии?",
	}
	passages := append(seedTexts(t),
		"Antony Blinken visited Hanoi; the Panthers and Carolina met in California.",
		"Los Panthers de Carolina jugaron en el Levi's Stadium de California.",
		"Супербоул прошёл в Калифорнии, победили «Денвер Бронкос».",
		"Ngoại trưởng Antony Blinken thăm Hà Nội và Thành phố Hồ Chí Minh.")
	checked := 0
	for _, question := range questions {
		q := analyzeQuery(question, collection, DefaultParams())
		for i := range q.words {
			q.words[i].idf = float64(1 + i%3)
		}
		for _, text := range passages {
			for _, passage := range strings.Split(text, "\n") {
				want := namesHeldByDefinition(passage, q)
				got := chooseSnippet(passage, q, 320).held
				for wi, w := range q.words {
					if w.name > 0 && got[wi] != want[wi] {
						t.Errorf("%q in %.60q: name word %q held %v, by definition %v", question, passage, w.typed, got[wi], want[wi])
					}
				}
				share, _ := nameShare(want, q)
				if share > 0 {
					checked++
				}
			}
		}
	}
	if checked < 10 {
		t.Errorf("only %d passages hold a name: the test shows little", checked)
	}
}

// TestAskPrefersPassageWithName: of two passages with the same common
// words, the one holding the question's name ranks first.
func TestAskPrefersPassageWithName(t *testing.T) {
	idx := newMemIndex(t,
		Article{ID: "river", Language: "vi", Body: "Con sông St. Johns chạy qua Jacksonville về phía biển."},
		Article{ID: "comb", Language: "vi", Body: "Các hàng lược chạy dọc theo thân con vật."},
		Article{ID: "other", Language: "vi", Body: "Thành phố có nhiều cây cầu và bến cảng."},
	)
	p := DefaultParams()
	ask := func(p Params) string {
		ans, err := NewSearcher(idx, NewAnalyzer(), p).Ask("Con sông nào chạy dọc theo Jacksonville?", 3)
		if err != nil || len(ans.Results) == 0 {
			t.Fatalf("ask: %v %+v", err, ans)
		}
		return ans.Results[0].Article.ID
	}
	if got := ask(p); got != "river" {
		t.Errorf("first result %s, want river", got)
	}
	p.NameWeight = 0
	if got := ask(p); got != "comb" {
		t.Errorf("without the name boost: first result %s, want comb (the test shows nothing)", got)
	}
}

// nameShare sums the weights of the question's names in the question's
// order: the same share, to the bit, however often it is asked. Summed in a
// map's order (as it was) the share of these weights, whose sums round
// differently by order (0.1 + 0.2 + 0.3), changed between calls.
func TestNameShareDoesNotDependOnMapOrder(t *testing.T) {
	q := query{words: []queryWord{{name: 1, idf: 0.1}, {name: 2, idf: 0.2}, {name: 3, idf: 0.3}, {name: 4, idf: 0.7}}}
	held := []bool{true, true, true, false}
	var got, total float64 // in the question's order, at run time
	for i, w := range q.words {
		total += w.idf
		if held[i] {
			got += w.idf
		}
	}
	want := got / total
	for range 200 {
		if share, ok := nameShare(held, q); !ok || share != want {
			t.Fatalf("share %v (%v), want %v", share, ok, want)
		}
	}
}
