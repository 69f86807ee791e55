package retrieval

import (
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"Ngoại trưởng Mỹ là ai?", "hoà bình thuỷ lợi", "Cuoc dien dam keo dai bao lau", "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
	"\x00\x01\xff\xfe", "@everyone <@&123> `code` ||spoiler|| [link](javascript:alert(1))", "مرحبا بالعالم",
	"🙂🙂🙂", strings.Repeat("a", 200), "TP.HCM 3.5% 7/10. (Nguồn: Kyodo) |", "Ё ё й", "...!!!???",
}

// FuzzAnalyze: any text indexes without panicking, into passages that lie
// inside the text, in order, with valid UTF-8 terms that contain no NUL.
func FuzzAnalyze(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "")
		f.Add(s+"\n"+s, "en")
	}
	an := NewAnalyzer()
	f.Fuzz(func(t *testing.T, body, lang string) {
		ia := an.IndexArticle(Article{ID: "x", Body: body, Language: lang})
		text := ia.Article.Text()
		prevEnd := 0
		for _, p := range ia.Passages {
			if p.Start < prevEnd || p.End > len(text) || p.Start >= p.End {
				t.Fatalf("passage [%d,%d) out of order or outside %d bytes", p.Start, p.End, len(text))
			}
			prevEnd = p.End
			for term := range p.Terms {
				if term == "" || strings.ContainsRune(term, 0) || !utf8.ValidString(term) {
					t.Fatalf("bad term %q", term)
				}
			}
		}
	})
}

// FuzzAsk: any question over any article answers without panicking, with
// snippets of at most SnippetChars (+ ellipses) and marks inside them.
func FuzzAsk(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "Ngoại trưởng Mỹ Antony Blinken nói về hòa bình. "+s)
	}
	f.Fuzz(func(t *testing.T, question, body string) {
		if strings.TrimSpace(body) == "" {
			return
		}
		idx := newMemIndex(t, Article{ID: "x", Body: body})
		p := DefaultParams()
		ans, err := NewSearcher(idx, NewAnalyzer(), p).Ask(question, 3)
		if err != nil {
			if _, ok := err.(*QuestionError); !ok {
				t.Fatalf("Ask(%q): %v", question, err)
			}
			return
		}
		for _, r := range ans.Results {
			if n := utf8.RuneCountInString(r.Snippet); n > p.SnippetChars+2 {
				t.Fatalf("snippet of %d characters", n)
			}
			for _, m := range r.Marks {
				if m[0] < 0 || m[1] > len(r.Snippet) || m[0] >= m[1] {
					t.Fatalf("mark %v outside snippet %q", m, r.Snippet)
				}
			}
		}
	})
}
