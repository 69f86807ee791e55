package bot

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestEscapeMarkdown(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain Tiếng Việt", "plain Tiếng Việt"},
		{"*bold* _it_ ~~s~~ `c` ||sp||", `\*bold\* \_it\_ \~\~s\~\~ \` + "`" + `c\` + "`" + ` \|\|sp\|\|`},
		{"@everyone <@123> <#9> <t:1>", `\@everyone \<\@123\> \<#9\> \<t:1\>`},
		{"[a](https://x.y)", `\[a\](https://x.y)`},
		{`back\slash`, `back\\slash`},
		{"# heading", `\# heading`},
		{"- item", `\- item`},
		{"> quote", `\> quote`},
		{"2024. Năm", `2024\. Năm`},
		{"a - b # c 3. d", "a - b # c 3. d"},
		{"line\n# two", "line\n\\# two"},
	}
	for _, tt := range tests {
		if got := escapeMarkdown(tt.in); got != tt.want {
			t.Errorf("escapeMarkdown(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMarkedText(t *testing.T) {
	s := "Ngoại trưởng Mỹ  Antony\nBlinken *nói*."
	at := func(word string) [2]int { i := strings.Index(s, word); return [2]int{i, i + len(word)} }
	ngoai, truong, my, noi := at("Ngoại"), at("trưởng"), at("Mỹ"), at("*nói*")
	tests := []struct {
		name  string
		marks [][2]int
		want  string
	}{
		{"none", nil, `Ngoại trưởng Mỹ Antony Blinken \*nói\*.`},
		{"words", [][2]int{ngoai, my}, `**Ngoại** trưởng **Mỹ** Antony Blinken \*nói\*.`},
		{"merged when overlapping", [][2]int{ngoai, {ngoai[0] + 1, truong[1]}, truong}, `**Ngoại trưởng** Mỹ Antony Blinken \*nói\*.`},
		{"merged when touching", [][2]int{{ngoai[0], ngoai[1] + 1}, truong}, `**Ngoại trưởng** Mỹ Antony Blinken \*nói\*.`},
		{"escaped inside bold", [][2]int{noi}, `Ngoại trưởng Mỹ Antony Blinken **\*nói\***.`},
		{"unsorted", [][2]int{my, ngoai}, `**Ngoại** trưởng **Mỹ** Antony Blinken \*nói\*.`},
		{"invalid ones dropped", [][2]int{{-1, 3}, {5, 2}, {0, 999}, {ngoai[1], ngoai[1] + 1}, {4, 5}}, `Ngoại trưởng Mỹ Antony Blinken \*nói\*.`},
	}
	for _, tt := range tests {
		if got := markedText(s, tt.marks); got != tt.want {
			t.Errorf("%s: markedText = %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := markedText("# 1. heading", nil); got != `\# 1. heading` {
		t.Errorf("line start: %q", got)
	}
	if got := markedText("12. tháng", [][2]int{{0, 2}}); got != `**12**\. tháng` {
		t.Errorf("numbered start: %q", got)
	}
}

// parseRendered reads markedText's output back: the text it shows and
// whether every bold run is closed.
func parseRendered(s string) (shown string, balanced bool) {
	var b strings.Builder
	open := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case strings.HasPrefix(s[i:], "**"):
			open = !open
			i++
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), !open
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

func FuzzMarkedText(f *testing.F) {
	f.Add("Ngoại trưởng **Mỹ** là *ai*?", 0, 7, 20, 25)
	f.Add("@everyone\\ <@1> `x` ||y||", 1, 5, 3, 9)
	f.Add("  \n\t x  y ", 0, 3, 4, 10)
	f.Fuzz(func(t *testing.T, s string, a, b, c, d int) {
		if !utf8.ValidString(s) {
			return
		}
		marks := [][2]int{{a, b}, {c, d}}
		out := markedText(s, marks)
		shown, balanced := parseRendered(out)
		if !balanced {
			t.Fatalf("markedText(%q, %v) = %q: unbalanced bold", s, marks, out)
		}
		if want := collapse(strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return ' '
			}
			return r
		}, s)); shown != want {
			t.Fatalf("markedText(%q, %v) = %q shows %q, want %q", s, marks, out, shown, want)
		}
		for _, max := range []int{1, 10, 50} {
			q := quoteWithin(s, marks, max)
			if runes(q) > max {
				t.Fatalf("quoteWithin(%q, %v, %d) = %q: %d code points", s, marks, max, q, runes(q))
			}
			if _, ok := parseRendered(q); !ok {
				t.Fatalf("quoteWithin(%q, %v, %d) = %q: unbalanced bold", s, marks, max, q)
			}
		}
	})
}

func TestCut(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"First sentence here. Second sentence is longer.", 30, "First sentence here.…"},
		{"one two three four five six seven", 20, "one two three four…"},
		{"Tiếngviệtkhôngcódấucách", 10, "Tiếngviệt…"},
		{"abc", 0, ""},
		{"abcdef", 1, "…"},
	}
	for _, tt := range tests {
		got := cut(tt.in, tt.max)
		if got != tt.want || runes(got) > tt.max {
			t.Errorf("cut(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func TestQuoteWithinKeepsTheMatchInView(t *testing.T) {
	s := strings.Repeat("Filler words that say nothing at all. ", 20) + "The key fact: Antony Blinken is the US Secretary of State."
	i := strings.Index(s, "Antony Blinken")
	q := quoteWithin(s, [][2]int{{i, i + len("Antony Blinken")}}, 120)
	if !strings.Contains(q, "**Antony Blinken**") || !strings.HasPrefix(q, "… The key fact") || runes(q) > 120 {
		t.Errorf("quoteWithin = %q", q)
	}
	// A match near the start: the end is cut.
	q = quoteWithin(s[i-14:], [][2]int{{14, 14 + len("Antony Blinken")}}, 60)
	if !strings.HasPrefix(q, "The key fact: **Antony Blinken**") || !strings.HasSuffix(q, "…") {
		t.Errorf("quoteWithin = %q", q)
	}
}

func TestLinks(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://vnexpress.net/a-b-4731.html", "https://vnexpress.net/a-b-4731.html"},
		{"https://x.y/wiki/Foo_(bar)", "https://x.y/wiki/Foo_%28bar%29"},
		{"javascript:alert(1)", ""},
		{"ftp://x.y/file", ""},
		{"/relative", ""},
		{"https://user:pw@x.y/", ""},
		{"https://x.y/" + strings.Repeat("a", 400), ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := linkURL(tt.in); got != tt.want {
			t.Errorf("linkURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := maskedLink("T", "https://x.y"); got != "[T](https://x.y)" {
		t.Errorf("maskedLink = %q", got)
	}
	if got := maskedLink("T", "nope"); got != "T" {
		t.Errorf("maskedLink without a URL = %q", got)
	}
}
