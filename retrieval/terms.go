package retrieval

import "strings"

// FoldedPrefix starts every folded index term: the analyzer emits, besides
// a word's exact term, FoldedPrefix + its accent-folded form when the two
// differ (see analyzer.go).
const FoldedPrefix = foldedPrefix

// FoldedTerm reports whether term is a folded term, and returns the folded
// form it stands for.
func FoldedTerm(term string) (form string, ok bool) {
	return strings.CutPrefix(term, foldedPrefix)
}

// FoldedForm returns the accent-folded form of an exact index term.
//
// The analyzer guarantees this identity, which lets an index store exact
// terms only and derive the rest: in every passage, the frequency of the
// folded term FoldedPrefix+x is the sum of the frequencies of the exact
// terms e with FoldedForm(e) == x and e != x. An exact term never starts
// with FoldedPrefix.
func FoldedForm(term string) string { return foldAccents(term) }
