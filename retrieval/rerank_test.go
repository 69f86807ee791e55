package retrieval

import (
	"reflect"
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
		if got, ok := nameShare(c.passage, q); !ok || got != c.want {
			t.Errorf("nameShare(%q) = %v, want %v", c.passage, got, c.want)
		}
	}
	plain := analyzeQuery("ai đã hát quốc ca", map[string]uint64{Vietnamese: 1}, DefaultParams())
	if _, ok := nameShare("Một bài hát khác.", plain); ok {
		t.Error("a question without names has a name share")
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
