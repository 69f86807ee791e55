package retrieval

import (
	"os"
	"strings"
	"testing"
)

func TestSeedQuestionsQuick(t *testing.T) {
	var arts []Article
	for i, f := range []string{"../seeds/000_motegi_blinken_call.txt", "../seeds/001_kishida_biden_summit.txt"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		arts = append(arts, Article{ID: string(rune('a' + i)), Body: string(b)})
	}
	s := NewSearcher(newMemIndex(t, arts...), NewAnalyzer(), DefaultParams())
	for _, q := range []string{"Ngoại trưởng Mỹ là ai?", "Cuộc điện đàm kéo dài bao lâu?", "Nhật Bản dự kiến thành lập trụ sở chung khi nào?",
		"Ngoai truong My la ai?", "Cuoc dien dam keo dai bao lau?", "Nhat Ban du kien thanh lap tru so chung khi nao?", "giá vàng hôm nay"} {
		a, err := s.Ask(q, 3)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s confident=%v", q, a.Confident)
		for _, r := range a.Results {
			var b strings.Builder
			last := 0
			for _, m := range r.Marks {
				b.WriteString(r.Snippet[last:m[0]] + "[" + r.Snippet[m[0]:m[1]] + "]")
				last = m[1]
			}
			b.WriteString(r.Snippet[last:])
			t.Logf("  %.2f %s#%d %s", r.Score, r.Article.ID, r.Passage, b.String())
		}
	}
}
