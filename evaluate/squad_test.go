package evaluate

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestTransforms(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"strip-accents", "Đà Nẵng hòa bình", "Da Nang hoa binh"},
		{"old-tone", "Hòa bình và thủy lợi, khỏe mạnh, quý, hoàn toàn", "Hoà bình và thuỷ lợi, khoẻ mạnh, quý, hoàn toàn"},
		{"nfd", "hòa", norm.NFD.String("hòa")},
		{"none", "hòa", "hòa"},
	}
	for _, tt := range tests {
		f, err := Transform(tt.name)
		if err != nil {
			t.Fatal(err)
		}
		if got := f(tt.in); got != tt.want {
			t.Errorf("%s(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
	if _, err := Transform("rot13"); err == nil {
		t.Error("unknown transform accepted")
	}
}

// A tiny SQuAD file: every question's own paragraph must come first.
func TestSQuADEndToEnd(t *testing.T) {
	squad := `{"version":"1.1","data":[{"title":"Thu_do","paragraphs":[
	 {"context":"Hà Nội là thủ đô của Việt Nam. Thành phố có khoảng 8 triệu dân.","qas":[
	   {"id":"q1","question":"Thủ đô của Việt Nam là gì?","answers":[{"text":"Hà Nội","answer_start":0}]},
	   {"id":"q2","question":"Thành phố có bao nhiêu dân?","answers":[{"text":"8 triệu","answer_start":50}]}]},
	 {"context":"Sông Hồng chảy qua miền Bắc và đổ ra vịnh Bắc Bộ.","qas":[
	   {"id":"q3","question":"Sông Hồng đổ ra đâu?","answers":[{"text":"vịnh Bắc Bộ","answer_start":38}]}]}]}]}`
	path := filepath.Join(t.TempDir(), "tiny.json")
	if err := os.WriteFile(path, []byte(squad), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, transform := range []string{"none", "strip-accents"} {
		var lines bytes.Buffer
		r, err := SQuAD(path, Options{Transform: transform, Questions: &lines})
		if err != nil {
			t.Fatal(err)
		}
		if r.Questions != 3 || r.Paragraphs != 2 || r.RecallAt1 != 1 || r.SnippetHitAt1 != 1 || r.MRRAt10 != 1 {
			t.Errorf("%s: %+v", transform, r)
		}
		// One line per question, in the file's order.
		dec := json.NewDecoder(&lines)
		for _, want := range []string{"Thu_do#1", "Thu_do#1", "Thu_do#2"} {
			var q QuestionResult
			if err := dec.Decode(&q); err != nil {
				t.Fatalf("%s: per-question line: %v", transform, err)
			}
			if q.ArticleID != want || q.TopArticleID != want || q.Rank != 1 || q.SnippetHit != 1 || q.Question == "" {
				t.Errorf("%s: per-question line %+v, want its paragraph %s first", transform, q, want)
			}
		}
		if dec.More() {
			t.Errorf("%s: more per-question lines than questions", transform)
		}
	}
	if _, err := SQuAD(filepath.Join(t.TempDir(), "missing.json"), Options{}); err == nil {
		t.Error("a missing file gave no error")
	}
}
