package retrieval

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// splitSentencesPlain is splitSentences as first written: every rune
// decoded.
func splitSentencesPlain(text string, p span) []span {
	var out []span
	start := p.start
	emit := func(end int) {
		if s := trimSpan(text, span{start, end}); s.end > s.start {
			out = append(out, s)
		}
		start = end
	}
	for i := p.start; i < p.end; {
		r, n := utf8.DecodeRuneInString(text[i:])
		if r == '\n' {
			emit(i)
			i += n
			continue
		}
		if !(r == '.' || r == '!' || r == '?' || r == '…') {
			i += n
			continue
		}
		j := i + n
		for j < p.end {
			c, m := utf8.DecodeRuneInString(text[j:])
			if c == '.' || c == '!' || c == '?' || c == '"' || c == '\'' || c == '”' || c == '’' || c == ')' || c == '»' || c == ']' {
				j += m
				continue
			}
			break
		}
		if j >= p.end {
			break
		}
		next, _ := utf8.DecodeRuneInString(text[j:])
		prev, _ := utf8.DecodeLastRuneInString(text[:i])
		ends := false
		switch {
		case unicode.IsSpace(next):
			k := j
			for k < p.end {
				c, m := utf8.DecodeRuneInString(text[k:])
				if !unicode.IsSpace(c) {
					break
				}
				k += m
			}
			after, _ := utf8.DecodeRuneInString(text[k:])
			ends = k < p.end && startsSentence(after) && !(r == '.' && isAbbreviation(text[start:i]))
		case r == '.' && unicode.IsUpper(next) && unicode.IsLower(prev):
			ends = !isAbbreviation(text[start:i])
		}
		if ends {
			emit(j)
		}
		i = j
	}
	emit(p.end)
	return out
}

// TestSplitSentencesMatchesPlain compares splitSentences, which steps over
// bytes that cannot end a sentence, with splitSentencesPlain on the seeds
// and on random texts of sentence marks, "…" and its bytes alone or torn
// (invalid UTF-8 around and inside runes), multi-byte letters whose
// continuation bytes equal those of "…", and spans starting or ending
// inside runes. Stepping over the lead byte of "…" (0xE2) makes it fail.
func TestSplitSentencesMatchesPlain(t *testing.T) {
	pieces := []string{"…", "\xe2", "\xe2\x80", "\x80\xa6", "\xa6", "\xe2\xe2\x80\xa6", "\xff", ".", "!", "?", "\n", " ",
		"  ", "\u00a0", "\"", "”", "’", ")", "»", "Ă", "ư", "ầ", "\u2026\u2026", "\u2080", "a", "Hà", "Nội", "TP.", "St.",
		"3.5", "12", "«", "“", "(", "–", "x"}
	texts := seedTexts(t)
	rng := rand.New(rand.NewPCG(9, 10))
	for range 3000 {
		var b strings.Builder
		for range 1 + rng.IntN(40) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		texts = append(texts, b.String())
	}
	for _, text := range texts {
		spans := []span{{0, len(text)}}
		for range 3 {
			a, b := rng.IntN(len(text)+1), rng.IntN(len(text)+1)
			spans = append(spans, span{min(a, b), max(a, b)})
		}
		for _, p := range spans {
			if got, want := splitSentences(text, p), splitSentencesPlain(text, p); !slices.Equal(got, want) {
				t.Fatalf("%q %v: splitSentences %v, want %v", text, p, got, want)
			}
		}
	}
}
