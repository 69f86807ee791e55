package bot

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/baobot/baobot/messages"
	"github.com/baobot/baobot/retrieval"
)

// FuzzRenderAnswer: whatever a question, an article's title, URL and source
// and a snippet hold (mentions, Markdown, links, zalgo, right-to-left text,
// control characters), the rendered answer, confident or not, stays within
// Discord's limits by itself, pings nobody visibly (every "@" is escaped),
// and links only to http(s) URLs.
func FuzzRenderAnswer(f *testing.F) {
	f.Add("Ngoại trưởng Mỹ là ai?", "Ngoại trưởng Nhật điện đàm", "https://vnexpress.net/a.html", "VnExpress", "Ngoại trưởng Mỹ Antony Blinken.", 0, 12, true)
	f.Add("@everyone <@&123>", "@here *họp* [khẩn](https://evil.example)", "javascript:alert(1)", "CLB `cờ` ||vua||", "[link](javascript:alert(1)) @everyone", 0, 5, false)
	f.Add("Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇", "مرحبا بالعالم", "http://x.example/(a)", "\u202eevil", "\x00\x01 \u200f🙂🙂", 2, 40, true)
	f.Add(strings.Repeat("dài ", 500), strings.Repeat("tiêu đề ", 100), "https://a.example/"+strings.Repeat("x", 400), strings.Repeat("s", 100), strings.Repeat("Câu rất dài. ", 200), 10, 2000, true)
	f.Fuzz(func(t *testing.T, question, title, url, source, snippet string, a, b int, confident bool) {
		art := retrieval.Article{ID: "x", Title: title, URL: url, Source: source, Body: snippet}
		r := retrieval.Result{Article: art, Passage: 1, Snippet: snippet, Marks: [][2]int{{a, b}}, Score: 1}
		ans := retrieval.Answer{Question: question, Confident: confident, Results: []retrieval.Result{r, r, r}}
		valid := utf8.ValidString(question + title + url + source + snippet)
		for _, lang := range []messages.Lang{messages.Vietnamese, messages.English} {
			for _, p := range []page{{}, {offset: 3, shown: 7, more: true}} {
				rep := renderAnswer(ans, p, lang)
				if cut := withinLimits(rep); !reflect.DeepEqual(cut, rep) {
					t.Fatalf("over Discord's limits: %+v", rep)
				}
				for _, e := range rep.embeds {
					texts := []string{e.Title, e.Description}
					if e.Footer != nil {
						texts = append(texts, e.Footer.Text)
					}
					for _, s := range append(texts, rep.content) {
						if valid && !utf8.ValidString(s) {
							t.Fatalf("invalid UTF-8 from valid input: %q", s)
						}
						text, targets := linkTargets(s)
						if i := unescaped(text, "@"); i >= 0 {
							t.Fatalf("an unescaped @ at %d of %q", i, text)
						}
						for _, target := range targets {
							if !strings.HasPrefix(target, "https://") && !strings.HasPrefix(target, "http://") {
								t.Fatalf("a link to %.40q in %q", target, s)
							}
						}
					}
				}
			}
		}
	})
}

// linkTargets splits the Markdown s into its text and the targets of its
// masked links: what follows an unescaped "](" up to the next ")" (linkURL
// writes parentheses in a URL as %28 and %29).
func linkTargets(s string) (text string, targets []string) {
	var b strings.Builder
	for from := 0; ; {
		i := strings.Index(s[from:], "](")
		if i < 0 {
			b.WriteString(s[from:])
			return b.String(), targets
		}
		i += from
		if escapedAt(s, i) {
			b.WriteString(s[from : i+2])
			from = i + 2
			continue
		}
		b.WriteString(s[from : i+1])
		end := strings.IndexByte(s[i+2:], ')')
		if end < 0 {
			targets = append(targets, s[i+2:])
			return b.String(), targets
		}
		targets = append(targets, s[i+2:i+2+end])
		from = i + 2 + end + 1
	}
}

// escapedAt reports whether the byte at i of s is escaped: an odd number of
// backslashes before it.
func escapedAt(s string, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

// unescaped is the index of the first unescaped occurrence of c in s, or -1.
func unescaped(s, c string) int {
	for from := 0; ; {
		i := strings.Index(s[from:], c)
		if i < 0 {
			return -1
		}
		if !escapedAt(s, from+i) {
			return from + i
		}
		from += i + len(c)
	}
}
