package retrieval

import (
	"unicode"
	"unicode/utf8"
)

// nameShare is the share of the question's proper names that passage
// holds, each name (a run of capitalised question words, see
// queryWord.name) weighed by the IDF of its words and held when any of its
// words is, exactly or accent-folded: a passage about another subject that
// shares the question's common words lacks its names. ok is false when the
// question has no name.
func nameShare(passage string, q query) (share float64, ok bool) {
	type nameKey struct {
		lang *language
		name int
	}
	weight := make(map[nameKey]float64)
	initials := make(map[rune]bool) // first letters of the names' folded words
	for _, w := range q.words {
		if w.name > 0 {
			weight[nameKey{w.lang, w.name}] += w.idf
			r, _ := utf8.DecodeRuneInString(w.folded)
			initials[r] = true
		}
	}
	if len(weight) == 0 {
		return 0, false
	}
	held := make(map[nameKey]bool)
	for _, t := range tokenize(passage) {
		word := passage[t.start:t.end]
		r, _ := utf8.DecodeRuneInString(word)
		if r, _ = utf8.DecodeRuneInString(foldAccents(string(unicode.ToLower(r)))); !initials[r] {
			continue // cannot match: skips the analysis of most words
		}
		for _, w := range q.words {
			if w.name == 0 || held[nameKey{w.lang, w.name}] {
				continue
			}
			f := forms(word, w.lang.code == Vietnamese)
			if w.lang.stem != nil {
				f = stemmed(w.lang, f)
			}
			if f.exact == w.exact || f.folded == w.folded {
				held[nameKey{w.lang, w.name}] = true
			}
		}
	}
	var total, got float64
	for k, v := range weight {
		total += v
		if held[k] {
			got += v
		}
	}
	return got / total, true
}
