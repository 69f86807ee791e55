package retrieval

import (
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// This file holds the character-level stages of the analysis chain: Unicode
// NFC, case folding, Vietnamese tone-mark placement and accent folding. Each
// works on one word at a time.

// foldCase returns the NFC, case-folded form of word.
func foldCase(word string) string {
	if isASCII(word) {
		return asciiLower(word)
	}
	return cases.Fold().String(norm.NFC.String(word))
}

// Vietnamese tone marks, as combining characters.
const (
	toneGrave = '\u0300' // huyền
	toneAcute = '\u0301' // sắc
	toneTilde = '\u0303' // ngã
	toneHook  = '\u0309' // hỏi
	toneDot   = '\u0323' // nặng
)

func isTone(r rune) bool {
	switch r {
	case toneGrave, toneAcute, toneTilde, toneHook, toneDot:
		return true
	}
	return false
}

// isViVowel reports whether r (NFC, lower case, without tone) is a Vietnamese
// vowel letter.
func isViVowel(r rune) bool {
	switch r {
	case 'a', 'ă', 'â', 'e', 'ê', 'i', 'o', 'ô', 'ơ', 'u', 'ư', 'y':
		return true
	}
	return false
}

// hasQualityMark reports whether the vowel r carries a breve, circumflex or
// horn: the vowels that take the tone mark whenever they are in the nucleus.
func hasQualityMark(r rune) bool {
	switch r {
	case 'ă', 'â', 'ê', 'ô', 'ơ', 'ư':
		return true
	}
	return false
}

// canonicalTone moves the tone mark of one lower-case NFC Vietnamese syllable
// to its canonical vowel, so that the old and new placements ("hoà"/"hòa",
// "thuỷ"/"thủy") are one term. The canonical placement is the classic one
// most Vietnamese news uses: in an open syllable with two plain vowels the
// mark sits on the first ("hòa", "thủy", "của"); with a final consonant on
// the second ("hoàn"); a vowel with a breve, circumflex or horn always takes it
// ("người", "tiếng"). Words that are not a single Vietnamese syllable are
// returned unchanged.
func canonicalTone(syllable string) string {
	if isASCII(syllable) {
		return syllable
	}
	var tone rune
	base := make([]rune, 0, len(syllable))
	for _, r := range norm.NFD.String(syllable) {
		if isTone(r) {
			if tone != 0 {
				return syllable // two tone marks: not Vietnamese
			}
			tone = r
			continue
		}
		base = append(base, r)
	}
	if tone == 0 {
		return syllable
	}
	letters := []rune(norm.NFC.String(string(base)))

	first, last := -1, -1
	for i, r := range letters {
		if !isViVowel(r) {
			continue
		}
		if first < 0 {
			first = i
		} else if last != i-1 {
			return syllable // two vowel groups: not one syllable
		}
		last = i
	}
	if first < 0 {
		return syllable
	}
	// "qu" and "gi" before another vowel: the u and i belong to the onset.
	if last > first && first == 1 &&
		((letters[0] == 'q' && letters[1] == 'u') || (letters[0] == 'g' && letters[1] == 'i')) {
		first++
	}

	pos := -1
	for i := first; i <= last; i++ {
		if hasQualityMark(letters[i]) {
			pos = i // the last marked vowel: ơ in "ươ"
		}
	}
	if pos < 0 {
		switch n := last - first + 1; {
		case n == 1:
			pos = first
		case n >= 3:
			pos = first + 1
		case last < len(letters)-1: // two vowels and a final consonant
			pos = last
		default:
			pos = first
		}
	}

	var b strings.Builder
	for i, r := range letters {
		b.WriteRune(r)
		if i == pos {
			b.WriteRune(tone)
		}
	}
	return norm.NFC.String(b.String())
}

// foldAccents removes every diacritic from a lower-case word and maps đ to d,
// giving the form a user who types without accents would write.
func foldAccents(word string) string {
	if isASCII(word) {
		return word
	}
	if f, ok := foldPrecomposed(word); ok {
		return f
	}
	return foldAccentsSlow(word)
}

// foldAccentsSlow is foldAccents by its definition: decompose, drop the
// nonspacing marks, map đ to d, recompose.
func foldAccentsSlow(word string) string {
	var b strings.Builder
	b.Grow(len(word))
	for _, r := range norm.NFD.String(word) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ' || r == 'Đ':
			b.WriteByte('d')
		default:
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// hasDiacritics reports whether s holds any letter that accent folding
// changes: the sign that a user typed with accents.
func hasDiacritics(s string) bool {
	for _, r := range s {
		if r < utf8.RuneSelf {
			continue
		}
		if unicode.Is(unicode.Mn, r) {
			return true
		}
		if unicode.IsLetter(r) {
			lower := string(unicode.ToLower(r))
			if foldAccents(lower) != lower {
				return true
			}
		}
	}
	return false
}

// wordForms is the normalized forms of one surface word.
type wordForms struct {
	exact  string // NFC, case-folded, tone placement canonical (Vietnamese)
	folded string // exact without diacritics
}

// formCache remembers the forms of non-ASCII words: a language has a few
// thousand distinct syllables and normalizing one costs several
// allocations. Lookups read an immutable snapshot without locking (ingest
// analyses on every core, and snippets on every question); new words wait
// in pending, under mu, until there are enough of them to publish a new
// snapshot holding them too.
var formCache formCacheState

// formCacheState is the type of formCache.
type formCacheState struct {
	snapshot    atomic.Pointer[formMaps]
	mu          sync.Mutex
	pending     formMaps
	pendingHits int // lookups that found a pending word since the last snapshot
	size        int // words in the snapshot and pending together
}

// formMaps are the forms of words, by analysis: [1] Vietnamese, [0] other.
type formMaps [2]map[string]wordForms

// formCacheLimit bounds the words formCache holds; formCachePublish is the
// fewest pending words that make a new snapshot (or a quarter of the
// snapshot, when more), so that copying costs a few times the words cached.
const (
	formCacheLimit   = 1 << 18
	formCachePublish = 256
)

// forms returns the normalized forms of a surface word. Vietnamese words also
// get their tone placement made canonical.
func forms(word string, vietnamese bool) wordForms {
	if isASCII(word) {
		w := asciiLower(word)
		return wordForms{exact: w, folded: w}
	}
	v := 0
	if vietnamese {
		v = 1
	}
	if snap := formCache.snapshot.Load(); snap != nil {
		if f, ok := snap[v][word]; ok {
			return f
		}
	}
	formCache.mu.Lock()
	f, ok := formCache.pending[v][word]
	if ok {
		formCache.pendingHits++
		formCache.publishIfDue()
	}
	formCache.mu.Unlock()
	if ok {
		return f
	}
	f = computeForms(word, vietnamese)
	formCache.mu.Lock()
	defer formCache.mu.Unlock()
	if formCache.size >= formCacheLimit {
		return f
	}
	if _, ok := formCache.pending[v][word]; ok {
		return f // another caller added it meanwhile
	}
	if formCache.pending[v] == nil {
		formCache.pending[v] = make(map[string]wordForms)
	}
	formCache.pending[v][strings.Clone(word)] = f
	formCache.size++
	formCache.publishIfDue()
	return f
}

// publishIfDue publishes the pending words in a new snapshot when there
// are many of them, or they were looked up (under the lock) often: at least
// formCachePublish, and at least a quarter of the snapshot's words. The
// caller holds mu.
func (c *formCacheState) publishIfDue() {
	snap := c.snapshot.Load()
	published := 0
	if snap != nil {
		published = len(snap[0]) + len(snap[1])
	}
	due := max(formCachePublish, published/4)
	if c.size == published || c.size-published < due && c.pendingHits < due {
		return
	}
	var next formMaps
	for i := range next {
		var old map[string]wordForms
		if snap != nil {
			old = snap[i]
		}
		next[i] = make(map[string]wordForms, len(old)+len(c.pending[i]))
		maps.Copy(next[i], old)
		maps.Copy(next[i], c.pending[i])
	}
	c.snapshot.Store(&next)
	c.pending, c.pendingHits = formMaps{}, 0
}

// computeForms is forms without the cache.
func computeForms(word string, vietnamese bool) wordForms {
	exact := foldCase(word)
	if vietnamese {
		exact = canonicalTone(exact)
	}
	return wordForms{exact: exact, folded: foldAccents(exact)}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// foldTable maps each precomposed letter of the Latin, Greek and Cyrillic
// blocks to its folded form (foldAccentsSlow of that one letter).
var foldTable = func() map[rune]string {
	m := make(map[rune]string)
	for _, block := range [][2]rune{{0x80, 0x52F}, {0x1E00, 0x1EFF}} {
		for r := block[0]; r <= block[1]; r++ {
			if unicode.Is(unicode.Mn, r) || !unicode.IsLetter(r) {
				continue
			}
			m[r] = foldAccentsSlow(string(r))
		}
	}
	return m
}()

// foldPrecomposed folds word letter by letter through foldTable: the same
// result as foldAccentsSlow, without allocating per step, for words made of
// ASCII and precomposed letters (the only kind NFC Vietnamese has). ok is
// false for any other word.
func foldPrecomposed(word string) (string, bool) {
	b := make([]byte, 0, len(word))
	for _, r := range word {
		if r < utf8.RuneSelf {
			b = append(b, byte(r))
			continue
		}
		f, ok := foldTable[r]
		if !ok {
			return "", false
		}
		b = append(b, f...)
	}
	return string(b), true
}
