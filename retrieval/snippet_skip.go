package retrieval

import "strings"

// Most words of a passage match no question word and name no number or
// date: for those markTokens needs neither the word's forms nor its memo
// entry. Under an analysis that neither stems nor has prefix terms (the
// Vietnamese one), whether a word matches depends on its folded form alone
// (markTokens looks its exact and folded forms up among the question's,
// and the folded form of either is its own folded form); for a word made
// of simple letters (skeletonLetters) that folded form is read off its
// letters one by one, without analysing it, and a Bloom filter of the
// folded forms that matter says when it cannot be one of them.

// skeletonLetters holds, for each rune below skeletonLettersSize, what it
// adds to the folded form of a word (forms(word, vietnamese).folded, for
// either analysis, and foldAccents of strings.ToLower(word), which
// wordKindOf reads): the lower-case ASCII letter or digit it folds to,
// skeletonDropped for a combining mark that folding drops, or 0 when it is
// anything else (a word holding such a rune is analysed). It is made from
// those functions, one rune at a time.
var skeletonLetters = func() (t [skeletonLettersSize]byte) {
	for _, block := range [][2]rune{{0, 0x7F}, {0xC0, 0x24F}, {0x300, 0x36F}, {0x1E00, 0x1EFF}} {
		for r := block[0]; r <= block[1]; r++ {
			s := string(r)
			folded := computeForms(s, false).folded
			if computeForms(s, true).folded != folded || foldAccents(strings.ToLower(s)) != folded {
				continue
			}
			switch {
			case folded == "" && isWordRune(r):
				t[r] = skeletonDropped
			case len(folded) == 1 && ('a' <= folded[0] && folded[0] <= 'z' || '0' <= folded[0] && folded[0] <= '9'):
				t[r] = folded[0]
			}
		}
	}
	return t
}()

const (
	skeletonLettersSize = 0x1F00
	skeletonDropped     = 1
)

// skeletonHash returns formHash of the folded form of w, and whether w is
// made of runes of skeletonLetters alone (when not, h means nothing).
func skeletonHash(w string) (h uint64, ok bool) {
	h = formHashSeed
	for _, r := range w {
		if r >= skeletonLettersSize {
			return 0, false
		}
		switch c := skeletonLetters[r]; c {
		case 0:
			return 0, false
		case skeletonDropped: // a mark folding drops
		default:
			h = formHashStep(h, c)
		}
	}
	return h, true
}

// formFilter is a Bloom filter of folded forms by their formHash: has is
// false for a hash of a form never added, and seldom true for one.
type formFilter [64]uint64

// FNV-1a.
const formHashSeed = 14695981039346656037

func formHashStep(h uint64, c byte) uint64 { return (h ^ uint64(c)) * 1099511628211 }

// formHash hashes s byte by byte: skeletonHash of a word is formHash of its
// folded form.
func formHash(s string) uint64 {
	h := uint64(formHashSeed)
	for i := 0; i < len(s); i++ {
		h = formHashStep(h, s[i])
	}
	return h
}

// add adds the form whose formHash is h.
func (f *formFilter) add(h uint64) {
	for _, b := range [2]uint64{h >> 52, h >> 40 & 0xFFF} {
		f[b/64] |= 1 << (b % 64)
	}
}

// has reports whether a form whose formHash is h may have been added.
func (f *formFilter) has(h uint64) bool {
	b1, b2 := h>>52, h>>40&0xFFF
	return f[b1/64]&(1<<(b1%64)) != 0 && f[b2/64]&(1<<(b2%64)) != 0
}

// kindFilter holds the folded forms of the words wordKindOf names.
var kindFilter = func() (f formFilter) {
	for w := range wordKinds {
		f.add(formHash(foldAccents(w)))
	}
	return f
}()

// setFilter makes m.filter, when m.langs allow it (they neither stem nor
// have prefix terms), hold the question's forms, their folded forms and
// kindFilter's: a passage word matches a question word only when its
// folded form is one of the first two, and has a kind of its own only when
// it is one of the last. m.filtered says whether it does.
func (m *snippetMemo) setFilter() {
	m.filtered = true
	for _, lw := range m.langs {
		if lw.lang.stem != nil || lw.byPrefix != nil {
			m.filtered = false
		}
	}
	if !m.filtered {
		return
	}
	m.filter = kindFilter
	for _, lw := range m.langs {
		for f := range lw.byForm {
			m.filter.add(formHash(f))
			m.filter.add(formHash(foldAccents(f)))
		}
	}
}

// mayMatter reports whether the passage word w may match a question word or
// have a kind of its own (wordKindOf): false only when m.filter proves it
// does neither.
func (m *snippetMemo) mayMatter(w string) bool {
	if !m.filtered {
		return true
	}
	h, ok := skeletonHash(w)
	return !ok || m.filter.has(h)
}
