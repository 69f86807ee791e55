package bot

import (
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Discord Markdown, and cutting text to Discord's limits. Every function here
// is pure. Lengths are counted in code points, as Discord counts them.

// ellipsis ends text that was cut.
const ellipsis = "…"

// runes is the length of s as Discord counts it.
func runes(s string) int { return utf8.RuneCountInString(s) }

// markdownSpecial are the characters that start formatting, a masked link,
// a mention, a spoiler or a code span anywhere in a line.
const markdownSpecial = "\\*_~`|[]<>@"

// escapeMarkdown makes s show as itself in Discord Markdown: it puts a
// backslash before every character that could start formatting, a link, a
// mention, a spoiler or a code span, and before a heading, list or quote
// marker at the start of a line.
func escapeMarkdown(s string) string {
	var b strings.Builder
	e := escaper{lineStart: true}
	for _, r := range s {
		e.write(&b, r)
	}
	return b.String()
}

// escaper escapes text one character at a time.
type escaper struct {
	lineStart bool // nothing written yet on this line
	digits    bool // the line so far is digits: a "." would make it a list item
}

func (e *escaper) write(b *strings.Builder, r rune) {
	switch {
	case e.lineStart && strings.ContainsRune("#-+>", r),
		e.digits && r == '.',
		strings.ContainsRune(markdownSpecial, r):
		b.WriteByte('\\')
	}
	b.WriteRune(r)
	e.digits = (e.lineStart || e.digits) && r >= '0' && r <= '9'
	e.lineStart = r == '\n'
}

// markedText renders a snippet for a block quote: whitespace runs become one
// space, the text is escaped, and the byte ranges marks (into snippet) are
// made bold. Escaping comes first, character by character, so that a mark
// boundary always falls between escaped characters and every "**" pairs up.
// Invalid, overlapping or touching marks are dropped or merged.
func markedText(snippet string, marks [][2]int) string {
	marks = cleanMarks(snippet, marks)
	var b strings.Builder
	b.Grow(len(snippet) + len(snippet)/8 + 4*len(marks))
	e := escaper{lineStart: true}
	m, open, space := 0, false, false
	for i, r := range snippet {
		if open && i >= marks[m][1] {
			b.WriteString("**")
			open = false
			m++
		}
		if unicode.IsSpace(r) {
			space = !e.lineStart
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		if !open && m < len(marks) && i >= marks[m][0] {
			b.WriteString("**")
			open = true
		}
		e.write(&b, r)
	}
	if open {
		b.WriteString("**")
	}
	return b.String()
}

// cleanMarks returns the valid marks of snippet sorted, with overlapping and
// touching ones merged and those covering only spaces dropped.
func cleanMarks(snippet string, marks [][2]int) [][2]int {
	var out [][2]int
	for _, m := range marks {
		if m[0] < 0 || m[1] > len(snippet) || m[0] >= m[1] ||
			!utf8.RuneStart(snippet[m[0]]) || (m[1] < len(snippet) && !utf8.RuneStart(snippet[m[1]])) ||
			strings.TrimSpace(snippet[m[0]:m[1]]) == "" {
			continue
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b [2]int) int { return a[0] - b[0] })
	merged := out[:0]
	for _, m := range out {
		if n := len(merged); n > 0 && m[0] <= merged[n-1][1] {
			merged[n-1][1] = max(merged[n-1][1], m[1])
			continue
		}
		merged = append(merged, m)
	}
	return merged
}

// clipMarks returns the marks that lie before end, cut at end.
func clipMarks(marks [][2]int, end int) [][2]int {
	var out [][2]int
	for _, m := range marks {
		if m[0] < end {
			out = append(out, [2]int{m[0], min(m[1], end)})
		}
	}
	return out
}

// fitted renders text with render and, while the rendering is longer than
// max code points, cuts text shorter (at a sentence, else a word, with an
// ellipsis) and renders again. render gets the cut text and the byte offset
// in text where the cut was made (len(text) when uncut).
func fitted(text string, max int, render func(cut string, end int) string) string {
	out := render(text, len(text))
	if runes(out) <= max {
		return out
	}
	if max < 1 {
		return ""
	}
	for n := len(text); ; {
		n = min(n-1, n*max/runes(out))
		end := cutPoint(text, n)
		if end <= 0 {
			return ellipsis
		}
		out = render(strings.TrimRight(text[:end], " \t\n,;:-–—")+ellipsis, end)
		if runes(out) <= max {
			return out
		}
		n = end
	}
}

// cut shortens plain text to at most max code points, at a sentence or a
// word, ending it with an ellipsis when anything was cut.
func cut(s string, max int) string {
	return fitted(s, max, func(c string, _ int) string { return c })
}

// escapedWithin is s escaped for Markdown, cut so that the escaped form is
// at most max code points.
func escapedWithin(s string, max int) string {
	return fitted(s, max, func(c string, _ int) string { return escapeMarkdown(c) })
}

// quoteWithin is markedText(snippet, marks), cut so that it is at most max
// code points. What is cut is the end, unless that would cut the first
// matched words too: then the start goes instead (from the sentence that
// holds them, or a few words before them) and an ellipsis takes its place.
func quoteWithin(snippet string, marks [][2]int, max int) string {
	if out := markedText(snippet, marks); runes(out) <= max {
		return out
	}
	marks = cleanMarks(snippet, marks)
	if len(marks) > 0 && runes(snippet[:marks[0][1]])+2*len(marks) > max*2/3 {
		first := marks[0][0]
		start := sentenceStart(snippet, first)
		if runes(snippet[start:first]) > max/3 {
			start = wordsBefore(snippet, first, max/6)
		}
		if start > 0 {
			prefix := ellipsis + " "
			var shifted [][2]int
			for _, m := range marks {
				if m[0] >= start {
					shifted = append(shifted, [2]int{m[0] - start + len(prefix), m[1] - start + len(prefix)})
				}
			}
			snippet, marks = prefix+snippet[start:], shifted
		}
	}
	return fitted(snippet, max, func(c string, end int) string { return markedText(c, clipMarks(marks, end)) })
}

// sentenceStart is the byte offset of the start of the sentence of s that
// holds offset i.
func sentenceStart(s string, i int) int {
	start := 0
	for _, end := range []string{". ", "! ", "? ", "… ", "\n"} {
		if j := strings.LastIndex(s[:i], end); j >= 0 && j+len(end) > start {
			start = j + len(end)
		}
	}
	return start
}

// wordsBefore is the byte offset of the start of a word about n code points
// before offset i of s (0 when s has fewer).
func wordsBefore(s string, i, n int) int {
	j := i
	for ; j > 0 && n > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(s[:j])
		j -= size
	}
	if j == 0 {
		return 0
	}
	if k := strings.IndexAny(s[j:i], " \t\n"); k >= 0 {
		return j + k + 1
	}
	return j
}

// cutPoint returns where to cut s to keep at most n bytes: after the last
// sentence end in the second half of s[:n], else at its last space there,
// else at n (moved back to a character boundary).
func cutPoint(s string, n int) int {
	if n >= len(s) {
		return len(s)
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	head := s[:n]
	best := -1
	for _, end := range []string{". ", "! ", "? ", "… ", ".\n", "!\n", "?\n"} {
		if i := strings.LastIndex(head, end); i >= 0 && i+1 > best {
			best = i + len(end) - 1
		}
	}
	if best > n/2 {
		return best
	}
	if i := strings.LastIndexAny(head, " \t\n"); i > n/2 {
		return i
	}
	return n
}

// linkURL returns raw made safe for a Markdown link target, or "" when it is
// not an absolute http(s) URL or is too long to be worth its characters.
func linkURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return ""
	}
	s := strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E").Replace(u.String())
	if runes(s) > maxLinkURL {
		return ""
	}
	return s
}

// maskedLink is [text](url), or the text alone without a usable URL. text
// must already be escaped.
func maskedLink(text, rawURL string) string {
	if u := linkURL(rawURL); u != "" {
		return "[" + text + "](" + u + ")"
	}
	return text
}
