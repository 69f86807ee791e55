package retrieval

import (
	"unicode"
	"unicode/utf8"
)

// token is one word of a text, located by byte offsets into that text.
type token struct {
	start, end int
	// joined is true when only spaces or a single hyphen separate this token
	// from the previous one: the two are in the same clause and may form a
	// Vietnamese syllable pair.
	joined bool
}

// maxTokenBytes bounds a word; longer runs (hashes, base64, garbage) are not
// words anyone asks about and are skipped.
const maxTokenBytes = 64

// isWordRune reports whether r belongs inside a word: letters, digits and
// the combining marks of decomposed (NFD) input.
func isWordRune(r rune) bool {
	if r < wordRuneTableSize {
		return wordRuneTable.has(r)
	}
	return isWordRuneSlow(r)
}

// isWordRuneSlow is isWordRune by its definition.
func isWordRuneSlow(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r)
}

// wordRuneTable holds isWordRuneSlow of every rune below
// wordRuneTableSize: the Latin, Greek and Cyrillic letters and the
// combining marks, without searching Unicode's range tables.
const wordRuneTableSize = 0x2000

var wordRuneTable = runeSetOf(isWordRuneSlow)

// runeSet holds a property of every rune below wordRuneTableSize, a bit
// each.
type runeSet [wordRuneTableSize / 64]uint64

// runeSetOf returns the runes below wordRuneTableSize that f holds of.
func runeSetOf(f func(rune) bool) (s runeSet) {
	for r := rune(0); r < wordRuneTableSize; r++ {
		if f(r) {
			s[r>>6] |= 1 << (r & 63)
		}
	}
	return s
}

// has reports whether r, below wordRuneTableSize, is in s.
func (s *runeSet) has(r rune) bool { return s[r>>6]&(1<<(r&63)) != 0 }

// tokenize splits text into words. Invalid UTF-8 bytes separate words.
func tokenize(text string) []token {
	toks := make([]token, 0, len(text)/5)
	start := -1
	gapJoins := false // the gap since the last token is only spaces / one hyphen
	hyphens := 0
	for i, r := range text {
		if r != utf8.RuneError && isWordRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			kept := len(toks)
			toks = appendToken(toks, start, i, gapJoins)
			start = -1
			gapJoins, hyphens = len(toks) > kept, 0
		}
		switch {
		case r == ' ' || r == '\u00a0' || r == '\t':
		case r == '-' && hyphens == 0:
			hyphens++
		default:
			gapJoins = false
		}
	}
	if start >= 0 {
		toks = appendToken(toks, start, len(text), gapJoins)
	}
	return toks
}

func appendToken(toks []token, start, end int, joined bool) []token {
	if end-start > maxTokenBytes {
		return toks
	}
	return append(toks, token{start: start, end: end, joined: joined})
}
