package retrieval

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
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
	toks := markTokens(passage, q, memoFor(q))
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

// markTokensPlain is markTokens as first written: every passage word
// compared with every question word, the question's forms made anew, then
// a word matching none compared with every question word's prefix.
func markTokensPlain(passage string, q query) []markedToken {
	toks := tokenize(passage)
	out := make([]markedToken, len(toks))
	for i, t := range toks {
		out[i] = markedToken{token: t, word: -1}
		word := passage[t.start:t.end]
		sentStart := strings.LastIndexAny(passage[:t.start], ".!?\n") + 1
		out[i].kind = tokenKindPlain(passage, t, strings.TrimSpace(passage[sentStart:t.start]) != "")
		plain := wordForms{}
		for wi, w := range q.words {
			if plain.exact == "" {
				plain = forms(word, w.lang.code == Vietnamese)
			}
			f := plain
			if w.lang.stem != nil {
				f = stemmed(w.lang, plain)
			}
			var v float64
			switch {
			case f.exact == w.exact:
				v = w.idf
			case f.folded == w.folded && w.accented:
				v = w.idf * 0.5
			case f.folded == w.folded:
				v = w.idf
			}
			if v > 0 && v > out[i].value {
				out[i].word, out[i].value = wi, v
				out[i].marked = f.exact == w.exact
			}
		}
		p, ok := wordPrefix(plain)
		for wi, w := range q.words {
			if out[i].word >= 0 && !out[i].prefix || !ok || w.prefix.exact == "" {
				continue
			}
			var v float64
			switch {
			case p.exact == w.prefix.exact:
				v = w.prefixValue
			case p.folded == w.prefix.folded && w.accented:
				v = w.prefixValue * 0.5
			case p.folded == w.prefix.folded:
				v = w.prefixValue
			}
			if v > 0 && v > out[i].value {
				out[i].word, out[i].value, out[i].prefix = wi, v, true
				out[i].marked = p.exact == w.prefix.exact
			}
		}
	}
	markFolded(out, q)
	return out
}

// tokenKindPlain is tokenKind as first written.
func tokenKindPlain(text string, t token, midSentence bool) answerKind {
	word := text[t.start:t.end]
	r, _ := utf8.DecodeRuneInString(word)
	switch {
	case unicode.IsDigit(r):
		if isDateLike(text, t) {
			return dateAnswer
		}
		return numberAnswer
	case unicode.IsUpper(r) && midSentence:
		return personAnswer
	}
	if dateWords[strings.ToLower(word)] {
		return dateAnswer
	}
	if numberWords[strings.ToLower(word)] {
		return numberAnswer
	}
	return anyAnswer
}

// TestMarkTokensMatchesPlain compares markTokens with markTokensPlain on the
// seeds and on passages in other languages, for questions made of their
// words (with and without accents, in other cases, with tied weights), the
// memos reused across questions as Ask reuses them.
func TestMarkTokensMatchesPlain(t *testing.T) {
	passages := seedTexts(t)
	passages = append(passages,
		"The Panthers' defense gave up just 308 points, ranking sixth in the league. In 1996, Thomas Davis led the team with 5½ sacks.\n  “Peyton Manning” threw 12 touchdowns in March!  ... Running runners ran, happily; studies studied.",
		"El Parlamento Europeo aprobó en marzo de 2019 una directiva. ¿Quién la firmó? Los diputados, tres veces: “Bruselas” decidió cuántos votos.",
		"В 1812 году Наполеон вошёл в Москву. Сколько солдат погибло? Десять тысяч человек, по словам историков; Кутузов отступил.",
		"Giá vàng tăng mạnh. Gia đình ông Nguyễn mua 2 lượng vàng ngày 12/5 — giả sử giá giảm?\n\t(Tháng năm) hai nghìn người đến.",
		"\u00a0 «Ai» đã viết? \x80Mote\xff viết. ...Frederick W. Mote, năm 1999.",
	)
	langs := []map[string]uint64{{Vietnamese: 1}, {Vietnamese: 1, "en": 1}, {"en": 1}, {"es": 1}, {"ru": 1}, {"en": 1, "es": 1, "ru": 1}}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, p := range passages {
		toks := tokenize(p)
		for n := range 40 {
			var words []string
			for range 1 + rng.IntN(8) {
				tk := toks[rng.IntN(len(toks))]
				w := p[tk.start:tk.end]
				switch rng.IntN(4) {
				case 0:
					w = strings.ToUpper(w)
				case 1:
					w = foldAccents(w)
				}
				words = append(words, w)
			}
			question := strings.Join(words, " ") + "?"
			if n%5 == 0 {
				question = "Ai " + question
			}
			q := analyzeQuery(question, langs[n%len(langs)], DefaultParams())
			for i := range q.words {
				q.words[i].idf = float64(1 + rng.IntN(3))
				if q.words[i].prefix.exact != "" {
					q.words[i].prefixValue = float64(1+rng.IntN(2)) / 2
				}
			}
			want := markTokensPlain(p, q)
			m := memoFor(q)
			if got := markTokens(p, q, m); !slices.Equal(got, want) {
				t.Fatalf("question %q on %.40q: markTokens and markTokensPlain differ:\n%v\n%v", question, p, got, want)
			}
			snippetMemos.Put(m)
		}
	}
}

// TestSnippetMarksPrefixMatch: a question word that reaches the passage
// only through its prefix term (Суперкубок, Суперкубка: stemmed apart) is
// marked in the snippet.
func TestSnippetMarksPrefixMatch(t *testing.T) {
	idx := newMemIndex(t,
		Article{ID: "bowl", Language: "ru", Body: "Матч прошёл в Калифорнии. Команда «Денвер Бронкос» выиграла матч Суперкубка в 2016 году."},
		Article{ID: "rain", Language: "ru", Body: "Дождь шёл весь день. Команда осталась дома."},
		Article{ID: "city", Language: "ru", Body: "Город строит новый мост через реку."},
	)
	ans, err := NewSearcher(idx, NewAnalyzer(), DefaultParams()).Ask("Кто выиграл Суперкубок?", 1)
	if err != nil || len(ans.Results) == 0 || ans.Results[0].Article.ID != "bowl" {
		t.Fatalf("results %+v (%v), want bowl", ans.Results, err)
	}
	r := ans.Results[0]
	var marked []string
	for _, m := range r.Marks {
		marked = append(marked, r.Snippet[m[0]:m[1]])
	}
	if !slices.Contains(marked, "Суперкубка") {
		t.Errorf("snippet %q marks %q, want Суперкубка marked", r.Snippet, marked)
	}
}

// TestWithinMatchesFilter compares within with filtering every token.
func TestWithinMatchesFilter(t *testing.T) {
	text := seedTexts(t)[0]
	q := analyzeQuery(benchQuestions[0], map[string]uint64{Vietnamese: 1}, DefaultParams())
	toks := markTokensPlain(text, q)
	rng := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		a, b := rng.IntN(len(text)+1), rng.IntN(len(text)+1)
		w := span{min(a, b), max(a, b)}
		var want []markedToken
		for _, t := range toks {
			if t.start >= w.start && t.end <= w.end {
				want = append(want, t)
			}
		}
		if got := within(toks, w); !slices.Equal(got, want) {
			t.Fatalf("within %v: %v, want %v", w, got, want)
		}
	}
}

// densestCorePlain is the search of densestCore as first written: the
// characters of every run counted anew.
func densestCorePlain(passage string, inside []markedToken, maxChars int) span {
	core, bestScore := span{-1, -1}, 0.0
	for i, first := range inside {
		if first.word < 0 || first.prefix {
			continue
		}
		seen := make(map[int]bool)
		var sc float64
		for _, t := range inside[i:] {
			if t.word < 0 || t.prefix || seen[t.word] {
				continue
			}
			if utf8.RuneCountInString(passage[first.start:t.end]) > maxChars {
				break
			}
			seen[t.word] = true
			sc += t.value
			if sc > bestScore+1e-9 || (sc > bestScore-1e-9 && t.end-first.start < core.end-core.start) {
				core, bestScore = span{first.start, t.end}, sc
			}
		}
	}
	return core
}

// TestDensestCoreMatchesPlain compares densestCore with densestCorePlain on
// windows of the seeds (one with invalid UTF-8) for questions made of their
// words.
func TestDensestCoreMatchesPlain(t *testing.T) {
	texts := append(seedTexts(t), "Giá vàng \xff tăng; Frederick W. Mote\x80viết năm 1999 về giá vàng, “giá” và gia đình. Vàng tăng giá.",
		strings.Repeat("«Giá» — “vàng” … tăng — «giá» “gia” — đình … vàng — ", 6))
	rng := rand.New(rand.NewPCG(7, 8))
	for _, text := range texts {
		toks := tokenize(text)
		for n := range 200 {
			var words []string
			for range 1 + rng.IntN(6) {
				tk := toks[rng.IntN(len(toks))]
				words = append(words, text[tk.start:tk.end])
			}
			q := analyzeQuery(strings.Join(words, " "), map[string]uint64{Vietnamese: 1}, DefaultParams())
			for i := range q.words {
				q.words[i].idf = float64(1 + rng.IntN(3))
			}
			marked := markTokensPlain(text, q)
			a, b := rng.IntN(len(text)+1), rng.IntN(len(text)+1)
			inside := within(marked, span{min(a, b), max(a, b)})
			maxChars := 5 + n%120
			if got, want := densestCore(text, inside, maxChars), densestCorePlain(text, inside, maxChars); got != want {
				t.Fatalf("%q, %d characters: densestCore %v, want %v", words, maxChars, got, want)
			}
		}
	}
}

// TestSnippetsConcurrent asks questions from several goroutines at once, as
// the bot does, and wants the answers asked one at a time (memos are shared
// through a pool).
func TestSnippetsConcurrent(t *testing.T) {
	var articles []Article
	for i, text := range seedTexts(t) {
		articles = append(articles, Article{ID: string(rune('a' + i)), Language: Vietnamese, Body: text})
	}
	s := NewSearcher(newMemIndex(t, articles...), NewAnalyzer(), DefaultParams())
	want := make([]Answer, len(benchQuestions))
	for i, q := range benchQuestions {
		want[i], _ = s.Ask(q, 5)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for n := range 20 {
				i := (g + n) % len(benchQuestions)
				if got, _ := s.Ask(benchQuestions[i], 5); !reflect.DeepEqual(got, want[i]) {
					t.Errorf("%q asked concurrently: %+v, want %+v", benchQuestions[i], got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestSkeletonHashMatchesForms: for words made of the runes
// skeletonLetters knows (ASCII, Latin letters with any case and accents,
// đ, combining marks, precomposed or decomposed), skeletonHash is the
// formHash of the folded forms markTokens and wordKindOf compare, under
// either analysis. Hashing a dropped mark, or a letter's unfolded form,
// makes it fail.
func TestSkeletonHashMatchesForms(t *testing.T) {
	var letters []rune
	for r := range rune(skeletonLettersSize) {
		if skeletonLetters[r] != 0 {
			letters = append(letters, r)
		}
	}
	words := formsTestWords(t)
	rng := rand.New(rand.NewPCG(11, 12))
	for range 20000 {
		var b strings.Builder
		for range 1 + rng.IntN(8) {
			b.WriteRune(letters[rng.IntN(len(letters))])
		}
		words = append(words, b.String())
	}
	for _, w := range slices.Clone(words) {
		words = append(words, norm.NFD.String(w), strings.ToUpper(w))
	}
	read := 0
	for _, w := range words {
		h, ok := skeletonHash(w)
		if !ok {
			continue
		}
		read++
		for _, folded := range []string{forms(w, true).folded, forms(w, false).folded, foldAccents(strings.ToLower(w))} {
			if formHash(folded) != h {
				t.Fatalf("%q: skeletonHash %x, want formHash(%q) = %x", w, h, folded, formHash(folded))
			}
		}
	}
	if read < len(words)/2 {
		t.Errorf("skeletonHash read %d words of %d", read, len(words))
	}
}

// TestMarkTokensSkipsOnlyWhatCannotMatter compares markTokens with
// markTokensPlain where skipping words (snippetMemo.mayMatter) could go
// wrong: passages, precomposed and decomposed, holding the question's
// words in other cases and accents and with combining marks, number and
// date words in capitals, for Vietnamese questions (words skipped) and for
// English and Spanish ones (stemmed: none skipped). It fails when the
// filter leaves out the number and date words or the question's forms,
// hashes dropped marks, or is used under a stemming analysis; leaving out
// the folded forms of the question's forms (setFilter adds them so as not
// to rely on folding being idempotent) goes unnoticed.
func TestMarkTokensSkipsOnlyWhatCannotMatter(t *testing.T) {
	vocab := []string{"Năm", "NĂM", "năm", "nam", "Nam", "Tháng", "THÁNG", "ngày", "Ngày", "hai", "HAI", "Hai", "một", "MỘT",
		"mười", "giá", "Giá", "gia", "giả", "GIÁ", "đình", "Đình", "dinh", "vàng", "Vang", "hòa", "hoà", "Hoà", "Thủy", "thuỷ",
		"Hà", "Nội", "NỘI", "e\u0301", "a\u0301\u0323", "Ðà", "đà", "2019", "12/5", "MARCH", "March", "running", "Runs",
		"ran", "decidió", "DECIDIÓ", "Bruselas", "tres", "TRES", "1996", "año", "Año", "Straße", "ſtore", "İzmir", "Ǆ"}
	langs := []map[string]uint64{{Vietnamese: 1}, {"en": 1}, {"es": 1}, {Vietnamese: 1, "en": 1}}
	rng := rand.New(rand.NewPCG(13, 14))
	skipped := 0
	for n := range 600 {
		var b strings.Builder
		for range 20 + rng.IntN(40) {
			b.WriteString(vocab[rng.IntN(len(vocab))])
			b.WriteString([]string{" ", " ", ", ", ". ", "\n", " - "}[rng.IntN(6)])
		}
		passage := b.String()
		if n%3 == 0 {
			passage = norm.NFD.String(passage)
		}
		var words []string
		for range 1 + rng.IntN(5) {
			words = append(words, vocab[rng.IntN(len(vocab))])
		}
		q := analyzeQuery(strings.Join(words, " ")+"?", langs[n%len(langs)], DefaultParams())
		if len(q.words) == 0 {
			continue
		}
		for i := range q.words {
			q.words[i].idf = float64(1 + rng.IntN(3))
			if q.words[i].prefix.exact != "" {
				q.words[i].prefixValue = 0.5
			}
		}
		want := markTokensPlain(passage, q)
		m := memoFor(q)
		if got := markTokens(passage, q, m); !slices.Equal(got, want) {
			t.Fatalf("question %q on %q: markTokens and markTokensPlain differ:\n%v\n%v", words, passage, got, want)
		}
		for _, tk := range tokenize(passage) {
			if !m.mayMatter(passage[tk.start:tk.end]) {
				skipped++
			}
		}
		snippetMemos.Put(m)
	}
	if skipped == 0 {
		t.Error("no word skipped: the test does not try the filter")
	}
}

// TestRuneTablesMatchUnicode checks isDigit and isUpper on every rune of
// their tables and around them.
func TestRuneTablesMatchUnicode(t *testing.T) {
	for r := rune(-1); r < wordRuneTableSize+0x100; r++ {
		if isDigit(r) != unicode.IsDigit(r) || isUpper(r) != unicode.IsUpper(r) {
			t.Fatalf("%U: isDigit %v, isUpper %v", r, isDigit(r), isUpper(r))
		}
	}
}

// isDateLikePlain is isDateLike as first written: every date word tried.
func isDateLikePlain(text string, t token) bool {
	word := text[t.start:t.end]
	if len(word) == 4 && (strings.HasPrefix(word, "19") || strings.HasPrefix(word, "20")) {
		return true
	}
	if t.end < len(text) && text[t.end] == '/' || t.start > 0 && text[t.start-1] == '/' {
		return true
	}
	before := strings.ToLower(strings.TrimSpace(text[max(0, t.start-12):t.start]))
	for w := range dateWords {
		if strings.HasSuffix(before, w) {
			return true
		}
	}
	return false
}

// TestIsDateLikeMatchesPlain compares isDateLike, which tries only the date
// words ending with the rune before the number, with isDateLikePlain on
// numbers after date words in any case, cut anywhere (the 12 bytes looked
// at may start inside a rune), after invalid UTF-8 and after other words;
// and lastSentenceBreak with strings.LastIndexAny.
func TestIsDateLikeMatchesPlain(t *testing.T) {
	var pieces []string
	for w := range dateWords {
		pieces = append(pieces, w, strings.ToUpper(w), strings.ToTitle(w[:1])+w[1:])
	}
	pieces = append(pieces, " ", "  ", "\t", "\u00a0", ".", "\n", "\xff", "\xe1\xbb", "ữ", "Ỷ", "năm nay", "là", "KỶ", "Đ", "/", "?")
	rng := rand.New(rand.NewPCG(15, 16))
	for range 20000 {
		var b strings.Builder
		for range 1 + rng.IntN(4) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		gap := b.String()
		for _, num := range []string{"12", "1999", "7", "305"} {
			text := gap + num + gap
			tk := token{start: len(gap), end: len(gap) + len(num)}
			if got, want := isDateLike(text, tk), isDateLikePlain(text, tk); got != want {
				t.Fatalf("%q: isDateLike %v, want %v", text, got, want)
			}
		}
		if got, want := lastSentenceBreak(gap), strings.LastIndexAny(gap, ".!?\n"); got != want {
			t.Fatalf("%q: lastSentenceBreak %d, want %d", gap, got, want)
		}
	}
}
