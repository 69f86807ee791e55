package retrieval

import (
	"errors"
	"math"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestBM25ByHand checks one score against the formula worked out by hand on
// a three-passage English corpus (English: no pairs, so one term, one group).
func TestBM25ByHand(t *testing.T) {
	idx := newMemIndex(t,
		Article{ID: "a", Language: "en", Body: "Rockets rockets everywhere."},
		Article{ID: "b", Language: "en", Body: "A rocket launch today was delayed by weather and wind."},
		Article{ID: "c", Language: "en", Body: "Gardens bloom in spring."},
	)
	p := DefaultParams()
	p.Proximity = 0    // plain BM25
	p.PrefixWeight = 0 // one group: the stem
	s := NewSearcher(idx, NewAnalyzer(), p)
	ans, err := s.Ask("rocket", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Results) != 2 || ans.Results[0].Article.ID != "a" {
		t.Fatalf("results %+v", ans.Results)
	}
	// Lengths count every word: a = 3, b = 10, c = 4; avgdl = 17/3.
	// df(rocket) = 2 of N = 3: idf = ln(1 + (3-2+0.5)/(2+0.5)) = ln 1.6.
	// Passage a: tf = 2, dl = 3.
	k1, b := 1.2, 0.75
	avgdl := 17.0 / 3
	idf := math.Log(1.6)
	want := idf * 2 * (k1 + 1) / (2 + k1*(1-b+b*3/avgdl))
	if got := ans.Results[0].Score; math.Abs(got-want) > 1e-9 {
		t.Errorf("score = %.12f, want %.12f", got, want)
	}
	wantB := idf * 1 * (k1 + 1) / (1 + k1*(1-b+b*10/avgdl))
	if got := ans.Results[1].Score; math.Abs(got-wantB) > 1e-9 {
		t.Errorf("score b = %.12f, want %.12f", got, wantB)
	}
}

func seedIndex(t *testing.T) *memIndex {
	t.Helper()
	return newMemIndex(t,
		Article{ID: "call", Language: "vi", Body: "Cuộc điện đàm diễn ra sau khi ông Fumio Kishida trở thành thủ tướng mới của Nhật Bản.\n" +
			"Theo Bộ Ngoại giao Nhật Bản, trong cuộc điện đàm kéo dài 15 phút, Ngoại trưởng Toshimitsu Motegi khẳng định sẽ tiếp tục hợp tác chặt chẽ với người đồng cấp Mỹ Antony Blinken."},
		Article{ID: "summit", Language: "vi", Body: "Nhật Bản dự kiến thành lập một trụ sở chung để chỉ huy lực lượng ba ngành cuối tháng 3/2025, đi đôi với việc Mỹ tăng cường chức năng của trụ sở chỉ huy tại Nhật Bản."},
		Article{ID: "peace", Language: "vi", Body: "Hai nước cam kết vì hòa bình và thịnh vượng của khu vực Ấn Độ Dương - Thái Bình Dương."},
	)
}

func TestAskExactAccentRanksAboveFolded(t *testing.T) {
	idx := newMemIndex(t,
		Article{ID: "hoa-flower", Language: "vi", Body: "Vườn hoa nở rộ vào mùa xuân năm nay ở thành phố."},
		Article{ID: "hoa-peace", Language: "vi", Body: "Người dân mong muốn hòa bình lâu dài cho thành phố."},
	)
	s := NewSearcher(idx, NewAnalyzer(), DefaultParams())
	for _, tt := range []struct{ q, first string }{{"hòa bình", "hoa-peace"}, {"hoa nở", "hoa-flower"}, {"vườn hòa", "hoa-flower"}} {
		ans, err := s.Ask(tt.q, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(ans.Results) == 0 || ans.Results[0].Article.ID != tt.first {
			t.Errorf("%q: first = %+v, want %s", tt.q, ans.Results, tt.first)
		}
	}
	// The folded form still finds the other spelling.
	ans, _ := s.Ask("hoa binh", 2)
	if len(ans.Results) == 0 || ans.Results[0].Article.ID != "hoa-peace" {
		t.Errorf("unaccented: %+v", ans.Results)
	}
}

// In a question typed with accents, a word typed without any is read as
// written when that spelling is a word of its own in the collection ("ty"
// of "công ty" does not match "tỷ"), and as the word with its accents left
// out when that spelling is (almost) nowhere ("Nguyen Xuan Phuc").
func TestAskReadsPlainWords(t *testing.T) {
	idx := newMemIndex(t,
		Article{ID: "pm", Language: "vi", Body: "Thủ tướng Nguyễn Xuân Phúc tiếp đoàn doanh nghiệp Nhật Bản tại Hà Nội."},
		Article{ID: "minister", Language: "vi", Body: "Bộ trưởng Nguyễn Văn Thể làm việc với tỉnh Đồng Nai về dự án sân bay."},
		Article{ID: "company", Language: "vi", Body: "Google là một công ty công nghệ có trụ sở ở California."},
		Article{ID: "gold", Language: "vi", Body: "Giá vàng tăng hai tỷ đồng, tỷ giá và tỷ lệ lạm phát ổn định."},
		Article{ID: "visit", Language: "vi", Body: "Ông Lê Văn Tám làm việc tại Đà Nẵng."},
	)
	s := NewSearcher(idx, NewAnalyzer(), DefaultParams())
	ans, err := s.Ask("Ông Nguyen Xuan Phuc làm gì?", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Results) == 0 || ans.Results[0].Article.ID != "pm" || !strings.Contains(ans.Results[0].Snippet, "Nguyễn Xuân Phúc") {
		t.Errorf("accents left out of a name: %+v", ans.Results)
	}
	ans, err = s.Ask("Công ty Google ở đâu?", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Results) == 0 || ans.Results[0].Article.ID != "company" {
		t.Errorf("plain words: %+v", ans.Results)
	}
	for _, r := range ans.Results {
		if r.Article.ID == "gold" {
			t.Errorf("%q matched %q: ty read as tỷ", ans.Question, r.Snippet)
		}
	}
}

func TestAskSnippetsAndMarks(t *testing.T) {
	s := NewSearcher(seedIndex(t), NewAnalyzer(), DefaultParams())
	tests := []struct{ q, fact, article string }{
		{"Ngoại trưởng Mỹ là ai?", "Antony Blinken", "call"},
		{"ngoai truong my la ai", "Antony Blinken", "call"},
		{"Cuộc điện đàm kéo dài bao lâu?", "15 phút", "call"},
		{"Nhật Bản dự kiến thành lập trụ sở chung khi nào?", "3/2025", "summit"},
	}
	for _, tt := range tests {
		ans, err := s.Ask(tt.q, 3)
		if err != nil {
			t.Fatal(err)
		}
		if !ans.Confident || len(ans.Results) == 0 {
			t.Fatalf("%q: not answered: %+v", tt.q, ans)
		}
		r := ans.Results[0]
		if r.Article.ID != tt.article || !strings.Contains(r.Snippet, tt.fact) {
			t.Errorf("%q: first result %s %q lacks %q", tt.q, r.Article.ID, r.Snippet, tt.fact)
		}
		// Verbatim, except that line breaks inside a quote become spaces.
		text := strings.ReplaceAll(r.Article.Text(), "\n", " ")
		if !strings.Contains(text, strings.Trim(r.Snippet, "…")) {
			t.Errorf("%q: snippet %q is not verbatim article text", tt.q, r.Snippet)
		}
		if len(r.Marks) == 0 {
			t.Errorf("%q: no marks", tt.q)
		}
		for _, m := range r.Marks {
			if m[0] < 0 || m[1] > len(r.Snippet) || m[0] >= m[1] || !utf8.ValidString(r.Snippet[m[0]:m[1]]) {
				t.Errorf("%q: bad mark %v in %q", tt.q, m, r.Snippet)
			}
		}
	}
}

func TestAskSpreadsOverArticles(t *testing.T) {
	long := strings.Repeat("Thủ tướng Nhật Bản gặp Tổng thống Mỹ tại Nhà Trắng để bàn về hợp tác quốc phòng. ", 60)
	idx := newMemIndex(t,
		Article{ID: "long", Language: "vi", Body: long},
		Article{ID: "other", Language: "vi", Body: "Thủ tướng Nhật Bản phát biểu về kinh tế."},
	)
	s := NewSearcher(idx, NewAnalyzer(), DefaultParams())
	ans, _ := s.Ask("Thủ tướng Nhật Bản", 3)
	if len(ans.Results) != 2 || ans.Results[0].Article.ID == ans.Results[1].Article.ID {
		t.Errorf("results not spread over articles: %d results", len(ans.Results))
	}
}

func TestAskNotConfident(t *testing.T) {
	s := NewSearcher(seedIndex(t), NewAnalyzer(), DefaultParams())
	for _, q := range []string{"giá vàng SJC hôm nay", "Who won the football match yesterday?"} {
		ans, err := s.Ask(q, 3)
		if err != nil {
			t.Fatal(err)
		}
		if ans.Confident {
			t.Errorf("%q answered confidently: %+v", q, ans.Results)
		}
	}
}

func TestCheckQuestion(t *testing.T) {
	tests := []struct {
		q      string
		reason string
	}{
		{"", ReasonEmpty}, {"  \n\t", ReasonEmpty}, {"🙂🙂", ReasonNoWords}, {"\x00\x01", ReasonNoWords},
		{strings.Repeat("a", 1001), ReasonTooLong}, {strings.Repeat("ạ", 1000), ""}, {"ai?", ""},
	}
	for _, tt := range tests {
		err := CheckQuestion(tt.q, 1000)
		var reason string
		if qe, ok := err.(*QuestionError); ok {
			reason = qe.Reason
		}
		if reason != tt.reason {
			t.Errorf("CheckQuestion(%.20q) = %v, want %q", tt.q, err, tt.reason)
		}
	}
}

func TestSnippetPrefersAnswerKind(t *testing.T) {
	passage := "Đội bóng đã thi đấu rất nhiều trận trong mùa giải vừa qua. " +
		"Trong mùa giải, đội bóng ghi được 42 bàn thắng và để thủng lưới 20 bàn. " +
		"Huấn luyện viên Nguyễn Văn A nói đội bóng sẽ tiếp tục cố gắng."
	idx := newMemIndex(t, Article{ID: "x", Language: "vi", Body: passage})
	tests := []struct{ q, want string }{
		{"Đội bóng ghi được bao nhiêu bàn thắng trong mùa giải?", "42"},
		{"Ai là huấn luyện viên của đội bóng?", "Nguyễn Văn A"},
	}
	s := NewSearcher(idx, NewAnalyzer(), DefaultParams())
	for _, tt := range tests {
		ans, _ := s.Ask(tt.q, 1)
		if len(ans.Results) == 0 || !strings.Contains(ans.Results[0].Snippet, tt.want) {
			t.Errorf("%q: snippet %+v lacks %q", tt.q, ans.Results, tt.want)
		}
	}
}

func TestSnippetLengthAndEllipsis(t *testing.T) {
	long := "Mở đầu " + strings.Repeat("các nhà lãnh đạo thảo luận nhiều vấn đề quan trọng khác nhau ", 12) +
		"và cuối cùng Blinken nói về hạt nhân " + strings.Repeat("trong một bài phát biểu dài dòng ", 10) + "."
	idx := newMemIndex(t, Article{ID: "x", Language: "vi", Body: long})
	ans, _ := NewSearcher(idx, NewAnalyzer(), DefaultParams()).Ask("Blinken hạt nhân", 1)
	if len(ans.Results) == 0 {
		t.Fatal("no result")
	}
	sn := ans.Results[0].Snippet
	if n := utf8.RuneCountInString(sn); n > 320 {
		t.Errorf("snippet has %d characters, want ≤ 320", n)
	}
	if !strings.Contains(sn, "Blinken") || !strings.HasPrefix(sn, "…") {
		t.Errorf("snippet %q: want the densest part with a leading ellipsis", sn)
	}
}

func TestSplitPassages(t *testing.T) {
	caption := "Ảnh: Thủ tướng tại Nhà Trắng. (Nguồn: Kyodo News) |"
	para := strings.Repeat("Đây là một câu văn bình thường trong bài báo. ", 5)
	long := strings.Repeat("Một câu dài trong một đoạn văn rất dài của bài báo điện tử. ", 80)
	text := caption + "\n" + para + "\n" + long
	spans := splitPassages(text)
	if len(spans) < 3 {
		t.Fatalf("%d passages, want the long paragraph cut into several", len(spans))
	}
	if spans[0].start != 0 || !strings.Contains(text[spans[0].start:spans[0].end], "câu văn bình thường") {
		t.Errorf("the caption was not merged into the next paragraph: %q", text[spans[0].start:spans[0].end])
	}
	for _, s := range spans[1:] {
		p := text[s.start:s.end]
		if len(p) > maxPassage || !strings.HasSuffix(p, ".") {
			t.Errorf("passage of %d bytes, ends %q", len(p), p[max(0, len(p)-10):])
		}
	}
}

func TestSplitSentences(t *testing.T) {
	text := `Ông Biden nói: "Chúng tôi sẵn sàng." Dân số TP.HCM tăng 3.5% năm 2019. Giá giảm... Thật sao? Có.Washington.Thủ tướng J. Biden đến.`
	var got []string
	for _, s := range splitSentences(text, span{0, len(text)}) {
		got = append(got, text[s.start:s.end])
	}
	want := []string{`Ông Biden nói: "Chúng tôi sẵn sàng."`, "Dân số TP.HCM tăng 3.5% năm 2019.", "Giá giảm...", "Thật sao?",
		"Có.", "Washington.", "Thủ tướng J. Biden đến."}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("sentences:\n got %q\nwant %q", got, want)
	}
}

// The same question always gets the same answer: no map order or other
// chance may break a tie differently from one call to the next.
func TestAskIsDeterministic(t *testing.T) {
	s := NewSearcher(seedIndex(t), NewAnalyzer(), DefaultParams())
	first, err := s.Ask("Mỹ và Nhật Bản hợp tác về gì?", 3)
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		again, _ := s.Ask("Mỹ và Nhật Bản hợp tác về gì?", 3)
		if len(again.Results) != len(first.Results) {
			t.Fatalf("%d results, then %d", len(first.Results), len(again.Results))
		}
		for i := range again.Results {
			if again.Results[i].Snippet != first.Results[i].Snippet || again.Results[i].Score != first.Results[i].Score {
				t.Fatalf("result %d changed between calls: %q vs %q", i, first.Results[i].Snippet, again.Results[i].Snippet)
			}
		}
	}
}

// A word that stemming keeps apart from the question's (septicemic,
// septicemia) is still found through its prefix, and only then, but
// without confidence.
func TestAskPrefixFindsWordFamily(t *testing.T) {
	idx := newMemIndex(t,
		Article{ID: "plague", Language: "en", Body: "The septicemic form of the plague killed within a day."},
		Article{ID: "garden", Language: "en", Body: "Gardens bloom in spring after the rain."},
	)
	ans, err := NewSearcher(idx, NewAnalyzer(), DefaultParams()).Ask("What is septicemia?", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Results) == 0 || ans.Results[0].Article.ID != "plague" {
		t.Fatalf("results %+v, want plague first", ans.Results)
	}
	// A prefix alone is no part of the question's weight: not confident.
	if ans.Confident {
		t.Error("confident on a prefix match alone")
	}
	// Without prefixes, and without the reading of misspelled words
	// (which reads septicemia as septicemic), nothing matches.
	p := DefaultParams()
	p.PrefixWeight = 0
	if ans, _ := NewSearcher(plainIndex{idx}, NewAnalyzer(), p).Ask("What is septicemia?", 3); len(ans.Results) != 0 {
		t.Errorf("without prefixes: results %+v, want none", ans.Results)
	}
}

// TestAskReadsAmbiguousWords asks questions typed without accents whose
// words are spelled as question words. "duoc" after "tu van" is "dược"
// where the collection writes "tư vấn dược", and is searched: the pharmacy
// article, longer than the law one, ranks first only through it (with
// "duoc" read as "được", as before, the shorter one wins). In "sach duoc
// ban" the collection writes "sách được bán": "duoc" stays a question word,
// as it does with no neighbour to read it by, or through an index that
// cannot list spellings.
func TestAskReadsAmbiguousWords(t *testing.T) {
	idx := newMemIndex(t,
		Article{ID: "pharmacy", Language: "vi", Body: "Dịch vụ tư vấn dược của nhà thuốc giúp bệnh nhân dùng thuốc đúng cách mỗi ngày."},
		Article{ID: "law", Language: "vi", Body: "Tư vấn pháp luật được miễn phí."},
		Article{ID: "books", Language: "vi", Body: "Sách được bán ở hiệu sách gần chợ."},
	)
	s := NewSearcher(idx, NewAnalyzer(), DefaultParams())
	ans, err := s.Ask("tu van duoc la gi", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Results) == 0 || ans.Results[0].Article.ID != "pharmacy" {
		t.Errorf("%q: %+v, want the pharmacy article first", ans.Question, ans.Results)
	}

	words := func(r IndexReader, question string) []string {
		q := analyzeQuery(question, r.Languages(), DefaultParams())
		if err := q.readAmbiguousWords(r); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, w := range q.words {
			out = append(out, w.exact)
		}
		for _, g := range q.groups {
			if g.word >= len(q.words) {
				t.Fatalf("%q: group %v of word %d of %d", question, g.keys, g.word, len(q.words))
			}
		}
		return out
	}
	for _, tt := range []struct {
		r        IndexReader
		question string
		want     []string
	}{
		{idx, "tu van duoc la gi", []string{"tu", "van", "duoc"}},
		{idx, "sach duoc ban o dau", []string{"sach", "ban", "o", "dau"}},
		{idx, "duoc", nil},
		// Typed twice: a question word first ("sách được bán"), "dược"
		// next ("tư vấn dược"): the word is searched, the first pairs not.
		{idx, "sach duoc ban o dau tu van duoc", []string{"sach", "duoc", "ban", "o", "dau", "tu", "van"}},
		{idx, "tu van duoc sach duoc ban", []string{"tu", "van", "duoc", "sach", "ban"}},
		{plainReader{idx}, "tu van duoc la gi", []string{"tu", "van"}},
		{idx, "Tư vấn dược là gì", []string{"tư", "vấn", "dược"}},
	} {
		if got := words(tt.r, tt.question); !slices.Equal(got, tt.want) {
			t.Errorf("%q: words %q, want %q", tt.question, got, tt.want)
		}
	}
	// Each occurrence's pairs follow its own reading.
	q := analyzeQuery("sach duoc ban o dau tu van duoc", idx.Languages(), DefaultParams())
	if err := q.readAmbiguousWords(idx); err != nil {
		t.Fatal(err)
	}
	var pairs []string
	for _, g := range q.groups {
		if g.word < 0 {
			pairs = append(pairs, g.keys[0])
		}
	}
	if !slices.Contains(pairs, "van duoc") || slices.Contains(pairs, "sach duoc") || slices.Contains(pairs, "duoc ban") {
		t.Errorf("pairs %q: want van duoc, not sach duoc nor duoc ban", pairs)
	}
}

// plainReader is an IndexReader that cannot list spellings.
type plainReader struct{ IndexReader }

func TestReadSpellings(t *testing.T) {
	idx := newMemIndex(t,
		Article{ID: "fresno", Language: "vi", Body: "Có 19,3% hộ gia đình có chủ nhà là nữ. Chủ nhà thường sống một mình."},
		Article{ID: "oxygen", Language: "vi", Body: "Chu kỳ của nước đổi theo mùa. Các nhà khoa học đo nó."},
	)
	spellings := func(question string) map[string]map[string]float64 {
		q := analyzeQuery(question, idx.Languages(), DefaultParams())
		if err := q.readSpellings(idx); err != nil {
			t.Fatal(err)
		}
		out := make(map[string]map[string]float64)
		for _, w := range q.words {
			if w.spellings != nil {
				out[w.exact] = w.spellings
			}
		}
		return out
	}
	// "chu nha": the collection writes "chủ nhà" only, so "chủ" and "nhà"
	// count in full, "chu" (of "chu kỳ") half.
	got := spellings("chu nha la ai")
	if w := got["chu"]; w["chủ"] != 1 || w["chu"] != 0 {
		t.Errorf("chu: %v, want chủ 1 and no vote for chu", w)
	}
	if w := got["nha"]; w["nhà"] != 1 {
		t.Errorf("nha: %v, want nhà 1", w)
	}
	if v := (queryWord{spellings: got["chu"]}).spellingWeight("chu"); v != unsupportedSpelling {
		t.Errorf("weight of chu: %v, want %v", v, unsupportedSpelling)
	}
	// The passage that writes "chu" of "chu kỳ" carries half the weight
	// of "chu" (both words weigh 1 here): support 0.75; the one that
	// writes "chủ nhà" all of it.
	q := analyzeQuery("chu nha", idx.Languages(), DefaultParams())
	if err := q.readSpellings(idx); err != nil {
		t.Fatal(err)
	}
	for wi := range q.words {
		q.words[wi].idf = 1
	}
	for _, tt := range []struct {
		article string
		want    float64
	}{{"oxygen", 0.75}, {"fresno", 1}} {
		if got := chooseSnippet(idx.articles[tt.article].Body, q, 320).support; got != tt.want {
			t.Errorf("%s: support %v, want %v", tt.article, got, tt.want)
		}
	}
	// A question typed with accents means its accents: nothing is weighed;
	// nor is a word in no pair the collection holds.
	if got := spellings("chủ nhà là ai"); len(got) != 0 {
		t.Errorf("accented question: %v, want no weights", got)
	}
	if got := spellings("mua he"); len(got) != 0 {
		t.Errorf("mua he: %v, want no weights (no pair held)", got)
	}
	// Without a SpellingReader every spelling counts in full.
	q2 := analyzeQuery("chu nha la ai", idx.Languages(), DefaultParams())
	if err := q2.readSpellings(plainReader{idx}); err != nil {
		t.Fatal(err)
	}
	for _, w := range q2.words {
		if w.spellings != nil {
			t.Errorf("plain reader: %s weighed %v", w.exact, w.spellings)
		}
	}
}

// TestAskWeighsSpellingsByContext: typed without accents, "chu nha may"
// is "chủ nhà máy" in this collection. The "cycle" passage holds every
// word and pair somewhere, and BM25 ranks it first, but its only sentence
// with all three words says "chu kỳ"; the "owner" passage says "chủ nhà
// máy" in one sentence. Its window now counts more (with every spelling
// in full the two windows tied, and "cycle" stayed first).
func TestAskWeighsSpellingsByContext(t *testing.T) {
	idx := newMemIndex(t,
		Article{ID: "cycle", Language: "vi", Body: "Chu kỳ của nhà máy là một năm. Trời mưa nhiều lắm. Chủ nhà nói vậy."},
		Article{ID: "owner", Language: "vi", Body: "Ông Nam là chủ nhà máy bia ở Hà Nội từ lâu."},
	)
	s := NewSearcher(idx, NewAnalyzer(), DefaultParams())
	if ids := askIDs(t, s, "chu nha may"); len(ids) == 0 || ids[0] != "owner" {
		t.Errorf("chu nha may: %v, want owner first", ids)
	}
}

// askIDs asks s question and returns the articles of its results, in order.
func askIDs(t *testing.T, s *Searcher, question string) []string {
	t.Helper()
	ans, err := s.Ask(question, 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range ans.Results {
		ids = append(ids, r.Article.ID)
	}
	return ids
}

// TestAskWeighsPassagesBySpellingSupport: typed without accents, "chu nha
// may" is "chủ nhà máy" in this collection ("chủ nhà" in two articles).
// "cycle" is shorter and BM25 ranks it first, with a window as good as
// "owner"'s, but its "chu" is "chu kỳ": its score is multiplied by its
// spelling support (0.9 here), and "owner" goes first. Without the
// support, "cycle" stays first.
func TestAskWeighsPassagesBySpellingSupport(t *testing.T) {
	idx := newMemIndex(t,
		Article{ID: "cycle", Language: "vi", Body: "Chu kỳ nhà máy."},
		Article{ID: "owner", Language: "vi", Body: "Ông Ba là chủ nhà máy bia lớn."},
		Article{ID: "guests", Language: "vi", Body: "Chủ nhà mời khách."},
		Article{ID: "away", Language: "vi", Body: "Chủ nhà đi vắng."},
		Article{ID: "weather", Language: "vi", Body: "Hôm nay trời đẹp."},
	)
	s := NewSearcher(idx, NewAnalyzer(), DefaultParams())
	// Typed with accents, the question means "chủ": "cycle" does not
	// even hold it exactly, and spellings are not weighed.
	for _, question := range []string{"chu nha may", "chủ nhà máy"} {
		if ids := askIDs(t, s, question); len(ids) == 0 || ids[0] != "owner" {
			t.Errorf("%s: %v, want owner first", question, ids)
		}
	}
}

// The hits are re-scored on every CPU (Searcher.rescore), and MaxScore may
// share a question's passages out among them: answers are the same, mark
// for mark and score for score, on one CPU and on several (with MaxScore
// in three parts however few the postings).
func TestAskSameOnOneCPUAndMany(t *testing.T) {
	s := NewSearcher(seedIndex(t), NewAnalyzer(), DefaultParams())
	questions := []string{"Mỹ và Nhật Bản hợp tác về gì?", "Ngoại trưởng Mỹ là ai?", "nhat ban thanh lap tru so chung khi nao", "hòa bình khu vực"}
	answers := func(procs, parts int) []Answer {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		forceParts = parts
		defer func() { forceParts = 0 }()
		var out []Answer
		for _, q := range questions {
			ans, err := s.Ask(q, 10)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, ans)
		}
		return out
	}
	one, many := answers(1, 1), answers(4, 3)
	for i := range questions {
		if len(one[i].Results) == 0 {
			t.Fatalf("%q: no results", questions[i])
		}
		if !reflect.DeepEqual(one[i], many[i]) {
			t.Errorf("%q: on one CPU %+v, on four %+v", questions[i], one[i], many[i])
		}
	}
}

// fetchingIndex is a memIndex read through ArticleFetcher, as storage's
// readers are, whose articles can be swapped for others (a damaged store)
// or fail to decode.
type fetchingIndex struct {
	*memIndex
	stored  map[string]Article // what decoding gives instead, by ID
	failing map[string]error   // decoding fails so, by ID
	fetched int
}

func (f *fetchingIndex) View(fn func(IndexReader) error) error { return fn(f) }

func (f *fetchingIndex) FetchArticle(id string) (func() (Article, error), error) {
	a, err := f.memIndex.Article(id)
	if err != nil {
		return nil, err
	}
	f.fetched++
	if s, ok := f.stored[id]; ok {
		a = s
	}
	return func() (Article, error) { return a, f.failing[id] }, nil
}

// Articles read through an ArticleFetcher give the same answers; a passage
// its stored article is too short for is left out, and an article that
// does not decode fails the question.
func TestAskThroughArticleFetcher(t *testing.T) {
	mem := seedIndex(t)
	const question = "Mỹ và Nhật Bản hợp tác về gì?"
	want, err := NewSearcher(mem, NewAnalyzer(), DefaultParams()).Ask(question, 3)
	if err != nil || len(want.Results) < 2 {
		t.Fatalf("%v, %d results", err, len(want.Results))
	}
	f := &fetchingIndex{memIndex: mem, stored: map[string]Article{}, failing: map[string]error{}}
	s := NewSearcher(f, NewAnalyzer(), DefaultParams())
	got, err := s.Ask(question, 3)
	if err != nil || !reflect.DeepEqual(got, want) || f.fetched == 0 {
		t.Fatalf("through FetchArticle (%d fetched): %v, %+v, want %+v", f.fetched, err, got, want)
	}

	first := want.Results[0].Article
	short := first
	short.Body = first.Body[:10]
	f.stored[first.ID] = short
	got, err = s.Ask(question, 3)
	if err != nil || len(got.Results) != len(want.Results)-1 || slices.ContainsFunc(got.Results, func(r Result) bool { return r.Article.ID == first.ID }) {
		t.Fatalf("article %q stored too short for its passage: %v, %+v", first.ID, err, got.Results)
	}

	damaged := errors.New("damaged")
	f.failing[first.ID] = damaged
	if _, err = s.Ask(question, 3); !errors.Is(err, damaged) {
		t.Fatalf("article %q does not decode: %v", first.ID, err)
	}
}
