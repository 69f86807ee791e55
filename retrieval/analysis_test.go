package retrieval

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestCanonicalTone(t *testing.T) {
	tests := []struct{ in, want string }{
		// old and new placement of open oa / oe / uy syllables are one term
		{"hoà", "hòa"}, {"hòa", "hòa"}, {"thuỷ", "thủy"}, {"thủy", "thủy"},
		{"khoẻ", "khỏe"}, {"khỏe", "khỏe"}, {"hoá", "hóa"}, {"tuỳ", "tùy"}, {"uỷ", "ủy"},
		// a final consonant puts the mark on the second vowel
		{"hòan", "hoàn"}, {"hoàn", "hoàn"}, {"tóan", "toán"},
		// qu and gi belong to the onset
		{"quý", "quý"}, {"qúy", "quý"}, {"già", "già"}, {"gìa", "già"}, {"gì", "gì"},
		// a vowel with a breve, circumflex or horn takes the mark
		{"ngừơi", "người"}, {"người", "người"}, {"tíêng", "tiếng"}, {"muốn", "muốn"},
		{"thuở", "thuở"}, {"cứu", "cứu"},
		// three vowels: the middle one
		{"ngòai", "ngoài"}, {"xoáy", "xoáy"},
		// two plain vowels, open syllable: the first
		{"của", "của"}, {"mía", "mía"}, {"múa", "múa"},
		// not a Vietnamese syllable, or no tone: unchanged
		{"canción", "canción"}, {"está", "está"}, {"hoa", "hoa"}, {"kishida", "kishida"},
	}
	for _, tt := range tests {
		if got := canonicalTone(tt.in); got != tt.want {
			t.Errorf("canonicalTone(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := forms(norm.NFD.String(tt.in), true).exact; got != tt.want {
			t.Errorf("forms(NFD %q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFoldAccents(t *testing.T) {
	tests := []struct{ in, want string }{
		{"đà nẵng", "da nang"}, {"nhật bản", "nhat ban"}, {"người", "nguoi"},
		{"canción", "cancion"}, {"ё", "е"}, {"plain", "plain"},
	}
	for _, tt := range tests {
		if got := foldAccents(tt.in); got != tt.want {
			t.Errorf("foldAccents(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestForms(t *testing.T) {
	tests := []struct {
		word       string
		vietnamese bool
		exact      string
		folded     string
	}{
		{"Hoà", true, "hòa", "hoa"},
		{norm.NFD.String("Hoà"), true, "hòa", "hoa"}, // decomposed keyboard input
		{"ĐÀ", true, "đà", "da"},
		{"Blinken", true, "blinken", "blinken"},
		{"Canción", false, "canción", "cancion"},
		{"STRASSE", false, "strasse", "strasse"},
	}
	for _, tt := range tests {
		f := forms(tt.word, tt.vietnamese)
		if f.exact != tt.exact || f.folded != tt.folded {
			t.Errorf("forms(%q) = %+v, want {%q %q}", tt.word, f, tt.exact, tt.folded)
		}
	}
}

func TestTokenize(t *testing.T) {
	text := "Mỹ-Nhật, hạt nhân  3/2025 (Kyodo)"
	var words []string
	var joined []bool
	for _, tok := range tokenize(text) {
		words = append(words, text[tok.start:tok.end])
		joined = append(joined, tok.joined)
	}
	wantWords := []string{"Mỹ", "Nhật", "hạt", "nhân", "3", "2025", "Kyodo"}
	wantJoined := []bool{false, true, false, true, true, false, false}
	if !slices.Equal(words, wantWords) || !slices.Equal(joined, wantJoined) {
		t.Errorf("tokenize = %q %v, want %q %v", words, joined, wantWords, wantJoined)
	}
	// Decomposed input stays one word per syllable.
	nfd := norm.NFD.String("Triều Tiên")
	if n := len(tokenize(nfd)); n != 2 {
		t.Errorf("NFD %q: %d tokens, want 2", nfd, n)
	}
}

// termsOf returns the index terms of text under language code.
func termsOf(code, text string) map[string]uint32 {
	terms := map[string]uint32{}
	analyzeTerms(languages[code], text, true, func(term string) { terms[term]++ })
	return terms
}

func TestAnalyzeTermsVietnamese(t *testing.T) {
	terms := termsOf("vi", "Chương trình hạt nhân của Triều Tiên")
	for _, want := range []string{
		"hạt", "nhân", "hạt nhân", "~hat nhan", "~hat", "triều tiên", "~trieu tien",
		"của", "~cua", "chương trình",
	} {
		if terms[want] == 0 {
			t.Errorf("missing term %q in %v", want, terms)
		}
	}
	// A plain-ASCII word has no separate folded term: its exact term is it.
	if terms["~tien"] == 0 || terms["~nhan"] == 0 {
		t.Errorf("folded terms missing: %v", terms)
	}
	// Pairs never cross punctuation.
	if terms := termsOf("vi", "Hà Nội, Việt Nam"); terms["nội việt"] != 0 {
		t.Errorf("pair across a comma: %v", terms)
	}
	// Old and new tone placement, NFC and NFD give the same terms.
	a, b, c := termsOf("vi", "hoà bình thuỷ lợi"), termsOf("vi", "hòa bình thủy lợi"), termsOf("vi", norm.NFD.String("hoà bình thuỷ lợi"))
	if !equalTerms(a, b) || !equalTerms(a, c) {
		t.Errorf("tone placement or NFD changes terms:\n%v\n%v\n%v", a, b, c)
	}
}

func equalTerms(a, b map[string]uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestAnalyzeTermsStemmed(t *testing.T) {
	tests := []struct {
		lang, text string
		want       []string
		absent     []string
	}{
		{"en", "The Panthers were defeated", []string{"panther", "defeat"}, []string{"the", "were"}},
		// Snowball's own stems, whatever they look like.
		{"es", "Las canciones más famosas", []string{"cancion", "fam"}, []string{"las", "más"}},
		{"ru", "Победа команды", []string{"побед", "команд"}, nil},
		{"fr", "Des chanteuses françaises", []string{"chanteux", "français", "~francais"}, []string{"des"}},
	}
	for _, tt := range tests {
		terms := termsOf(tt.lang, tt.text)
		for _, w := range tt.want {
			if terms[w] == 0 {
				t.Errorf("%s %q: missing %q in %v", tt.lang, tt.text, w, terms)
			}
		}
		for _, w := range tt.absent {
			if terms[w] != 0 {
				t.Errorf("%s %q: stop word %q indexed", tt.lang, tt.text, w)
			}
		}
	}
}

func TestQueryDropsQuestionWords(t *testing.T) {
	q := analyzeQuery("Ngoại trưởng Mỹ là ai?", map[string]uint64{"vi": 1}, DefaultParams())
	var words []string
	for _, w := range q.words {
		words = append(words, w.exact)
	}
	if !slices.Equal(words, []string{"ngoại", "trưởng", "mỹ"}) {
		t.Errorf("content words = %q", words)
	}
	if q.want != personAnswer {
		t.Errorf("want = %v, want person", q.want)
	}
	for _, g := range q.groups {
		for _, k := range g.keys {
			for _, w := range strings.Fields(strings.TrimPrefix(k, foldedPrefix)) {
				if w == "là" || w == "ai" || w == "la" {
					t.Errorf("question word in group %v", g.keys)
				}
			}
		}
	}
}

func TestAnswerKind(t *testing.T) {
	tests := []struct {
		q    string
		want answerKind
	}{
		{"Cuộc điện đàm kéo dài bao lâu?", numberAnswer},
		{"Có bao nhiêu người?", numberAnswer},
		{"Nhật Bản thành lập trụ sở khi nào?", dateAnswer},
		{"Năm bao nhiêu thì xảy ra?", dateAnswer},
		{"Ngoai truong My la ai", personAnswer},
		{"How many points?", numberAnswer},
		{"When did it start?", dateAnswer},
		{"¿Quién ganó?", personAnswer},
		{"Сколько стоит?", numberAnswer},
		{"Chương trình Artemis là gì?", anyAnswer},
	}
	for _, tt := range tests {
		q := analyzeQuery(tt.q, map[string]uint64{"vi": 1, "en": 1, "es": 1, "ru": 1}, DefaultParams())
		if q.want != tt.want {
			t.Errorf("%q: %v, want %v", tt.q, q.want, tt.want)
		}
	}
}

func TestDetectLanguage(t *testing.T) {
	tests := []struct{ text, want string }{
		{"Ngoại trưởng Mỹ là ai?", "vi"},
		{"Ngoai truong My la ai", "vi"},
		{"thu tuong nhat ban", "vi"},
		{"¿Quién ganó el Super Bowl 50?", "es"},
		{"Кто выиграл Суперкубок?", "ru"},
		{"The American Football Conference champion Denver Broncos defeated the National Football Conference champion.", "en"},
	}
	for _, tt := range tests {
		if got, _ := DetectLanguage(tt.text); got != tt.want {
			t.Errorf("DetectLanguage(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestWordPrefix(t *testing.T) {
	tests := []struct {
		word          string
		exact, folded string // "" when the word has no prefix term
	}{
		{"septicemia", "^sept", "^sept"},
		{"Суперкубка", "^супе", "^супе"},
		{"Término", "^térm", "^term"},
		{"ёлками", "^ёлка", "^елка"},
		{"name", "", ""},   // not longer than the prefix
		{"1967a", "", ""},  // holds a digit
		{"co2abc", "", ""}, // holds a digit
	}
	for _, tt := range tests {
		p, ok := wordPrefix(forms(tt.word, false))
		if ok != (tt.exact != "") || p.exact != tt.exact || p.folded != tt.folded {
			t.Errorf("wordPrefix(%q) = %+v, %v; want {%q %q}", tt.word, p, ok, tt.exact, tt.folded)
		}
	}
}

// Forms that Snowball stems apart share their prefix term, and so match.
func TestPrefixTermJoinsForms(t *testing.T) {
	terms := func(lang, text string) map[string]bool {
		m := make(map[string]bool)
		analyzeTerms(languages[lang], text, true, func(term string) { m[term] = true })
		return m
	}
	for _, tt := range []struct{ lang, a, b string }{
		{"ru", "Суперкубок", "Суперкубка"},
		{"en", "septicemia", "septicemic"},
		{"es", "colonia", "colonos"},
	} {
		ta, tb := terms(tt.lang, tt.a), terms(tt.lang, tt.b)
		var shared []string
		for term := range ta {
			if tb[term] {
				shared = append(shared, term)
			}
		}
		if len(shared) != 1 || !strings.HasPrefix(shared[0], prefixMark) {
			t.Errorf("%s %q and %q share %q, want their prefix term only", tt.lang, tt.a, tt.b, shared)
		}
	}
	if vi := terms("vi", "thành phố"); vi["^thàn"] || vi["^thanh"] {
		t.Errorf("Vietnamese has prefix terms: %v", vi)
	}
}
