package evaluate

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Transforms rewrite a question the way some users type it, to measure how
// retrieval copes. They apply to questions only, never to articles.
var Transforms = map[string]func(string) string{
	"none":          func(s string) string { return s },
	"strip-accents": StripAccents,
	"nfd":           norm.NFD.String,
	"old-tone":      OldTonePlacement,
}

// Transform returns the named transform, or an error listing the known ones.
func Transform(name string) (func(string) string, error) {
	if name == "" {
		name = "none"
	}
	if f, ok := Transforms[name]; ok {
		return f, nil
	}
	return nil, fmt.Errorf("unknown transform %q (want none, strip-accents, nfd or old-tone)", name)
}

// StripAccents removes every diacritic and writes đ as d, as a user typing
// Vietnamese without accents would.
func StripAccents(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			b.WriteByte('d')
		case r == 'Đ':
			b.WriteByte('D')
		default:
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// OldTonePlacement moves the tone mark of open syllables ending in "oa", "oe"
// or "uy" from the first vowel to the second ("hòa" → "hoà", "thủy" →
// "thuỷ"), the other of the two placements in use.
func OldTonePlacement(s string) string {
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) })
	seen := make(map[string]bool)
	for _, w := range words {
		if seen[w] {
			continue
		}
		seen[w] = true
		if moved := moveTone(w); moved != w {
			s = replaceWord(s, w, moved)
		}
	}
	return s
}

func moveTone(word string) string {
	rs := []rune(norm.NFD.String(word))
	// Find tone mark position right after the first vowel of a final oa/oe/uy.
	n := len(rs)
	if n < 3 {
		return word
	}
	last := unicode.ToLower(rs[n-1])
	tone := rs[n-2]
	first := unicode.ToLower(rs[n-3])
	if !isToneMark(tone) {
		return word
	}
	if !(first == 'o' && (last == 'a' || last == 'e') || first == 'u' && last == 'y') {
		return word
	}
	if first == 'u' && n >= 4 && unicode.ToLower(rs[n-4]) == 'q' {
		return word // "quý": the tone is already on y's side of the onset
	}
	rs[n-2], rs[n-1] = rs[n-1], tone
	return norm.NFC.String(string(rs))
}

func isToneMark(r rune) bool {
	switch r {
	case '\u0300', '\u0301', '\u0303', '\u0309', '\u0323':
		return true
	}
	return false
}

// replaceWord replaces whole-word occurrences of old in s.
func replaceWord(s, old, repl string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, old)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		before := i == 0 || !isWordEnd(s[:i])
		after := i+len(old) == len(s) || !isWordStart(s[i+len(old):])
		b.WriteString(s[:i])
		if before && after {
			b.WriteString(repl)
		} else {
			b.WriteString(old)
		}
		s = s[i+len(old):]
	}
}

func isWordEnd(s string) bool {
	r := []rune(s)
	return len(r) > 0 && (unicode.IsLetter(r[len(r)-1]) || unicode.Is(unicode.Mn, r[len(r)-1]))
}

func isWordStart(s string) bool {
	for _, r := range s {
		return unicode.IsLetter(r) || unicode.Is(unicode.Mn, r)
	}
	return false
}
