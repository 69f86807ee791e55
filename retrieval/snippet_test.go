package retrieval

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// firstSnippet asks question of a collection holding body alone (plus a
// few unrelated articles, so that words have distinct weights) and returns
// the first result's snippet.
func firstSnippet(t *testing.T, body, question string) string {
	t.Helper()
	idx := newMemIndex(t,
		Article{ID: "x", Language: Vietnamese, Body: body},
		Article{ID: "y", Language: Vietnamese, Body: "Thời tiết hôm nay đẹp. Người dân đi chơi công viên."},
		Article{ID: "z", Language: Vietnamese, Body: "Giá vàng tăng mạnh trong tuần qua. Nhiều người mua vàng."},
	)
	ans, err := NewSearcher(idx, NewAnalyzer(), DefaultParams()).Ask(question, 1)
	if err != nil || len(ans.Results) == 0 {
		t.Fatalf("%q: no result (%v)", question, err)
	}
	return ans.Results[0].Snippet
}

func TestSnippetFillsRoomWithNeighbour(t *testing.T) {
	short := "Hội nghị thượng đỉnh khai mạc tại Hà Nội."
	next := "Các nhà lãnh đạo " + strings.Repeat("thảo luận nhiều vấn đề kinh tế và an ninh của khu vực, ", 8) + "rồi ra tuyên bố chung."
	sn := firstSnippet(t, "Mở đầu bài viết. "+short+" "+next, "Hội nghị thượng đỉnh khai mạc ở đâu?")
	if !strings.Contains(sn, short) {
		t.Fatalf("snippet %q lacks the best sentence whole", sn)
	}
	if !strings.Contains(sn, "Các nhà lãnh đạo thảo luận") || !strings.HasSuffix(sn, "…") {
		t.Errorf("snippet %q: want the next sentence's start, cut with an ellipsis", sn)
	}
	if n := utf8.RuneCountInString(sn); n > 320 || n < 280 {
		t.Errorf("snippet of %d characters, want the room (320) nearly filled", n)
	}
}

func TestSnippetPrefersQuotedPhrase(t *testing.T) {
	scattered := "Rừng ở phần phía bắc có diện tích lớn và nằm gần biên giới."
	quoted := "Phần lớn rừng nằm trong Brazil, với 60% diện tích."
	filler := strings.Repeat("Khu vực này có khí hậu nhiệt đới ẩm quanh năm với lượng mưa cao. ", 6)
	sn := firstSnippet(t, scattered+" "+filler+quoted, "Phần lớn rừng nằm ở quốc gia nào?")
	if !strings.Contains(sn, "Brazil") {
		t.Errorf("snippet %q: want the sentence quoting the question's phrase", sn)
	}
}

func TestAnswerBefore(t *testing.T) {
	vi := map[string]uint64{Vietnamese: 1, "en": 1}
	en := map[string]uint64{"en": 1}
	tests := []struct {
		q     string
		langs map[string]uint64
		want  func(float64) bool
	}{
		{"Ai dẫn đầu đội bóng về số bàn thắng?", vi, func(v float64) bool { return v > 0.5 }},
		{"Luther đã viết bài thánh ca nào?", vi, func(v float64) bool { return v < defaultBefore }},
		{"Tại sao đội bóng thua trận?", vi, func(v float64) bool { return v == defaultBefore }},
		{"Who led the team in sacks?", vi, func(v float64) bool { return v == defaultBefore }},
		{"What is AI used for in the team?", en, func(v float64) bool { return v == defaultBefore }},
	}
	for _, tt := range tests {
		q := analyzeQuery(tt.q, tt.langs, DefaultParams())
		if got := answerBefore(q); !tt.want(got) {
			t.Errorf("answerBefore(%q) = %.2f", tt.q, got)
		}
	}
}

func TestLocalRarity(t *testing.T) {
	passage := "Amazon có rừng lớn. Amazon có sông dài. Amazon có Brazil."
	q := analyzeQuery("Amazon Brazil", map[string]uint64{Vietnamese: 1}, DefaultParams())
	for i := range q.words {
		q.words[i].idf = 1
	}
	toks := markTokens(passage, q)
	r := localRarity(toks, splitSentences(passage, span{0, len(passage)}), len(q.words))
	if len(r) != 2 || r[1] != 1 || !(r[0] < r[1]) {
		t.Errorf("rarity of [Amazon Brazil] = %v, want Amazon (in every sentence) below Brazil (in one) = 1", r)
	}
}

func TestSnippetKeepsWholeName(t *testing.T) {
	body := "Trong nhiều năm qua, các nhà nghiên cứu và " + strings.Repeat("những người quan tâm đến lịch sử triều đại đã tranh luận ", 3) +
		"và nhà sử học Frederick W. Mote đã viết rằng thuật ngữ giai cấp xã hội cho hệ thống này là sai lệch " +
		strings.Repeat("vì những người trong hệ thống không có sức mạnh thực sự tương ứng với vị thế ", 4) + "."
	sn := firstSnippet(t, body, "Ai đã viết rằng thuật ngữ giai cấp xã hội là sai lệch?")
	if !strings.HasPrefix(sn, "…") || !strings.Contains(sn, "Frederick W. Mote") {
		t.Errorf("snippet %q: want it cut, holding the whole name", sn)
	}
}
