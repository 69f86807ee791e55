package retrieval

// nameShare is the share of the question's proper names that a passage
// holds, each name (a run of capitalised question words, see
// queryWord.name) weighed by the IDF of its words and held when any of its
// words is, exactly or accent-folded: held[wi] says whether the passage
// holds q.words[wi] so (snippet.held). A passage about another subject
// that shares the question's common words lacks its names. ok is false
// when the question has no name.
func nameShare(held []bool, q query) (share float64, ok bool) {
	type nameKey struct {
		lang *language
		name int
	}
	weight := make(map[nameKey]float64)
	hasName := make(map[nameKey]bool)
	for wi, w := range q.words {
		if w.name > 0 {
			k := nameKey{w.lang, w.name}
			weight[k] += w.idf
			hasName[k] = hasName[k] || held[wi]
		}
	}
	if len(weight) == 0 {
		return 0, false
	}
	var total, got float64
	for k, v := range weight {
		total += v
		if hasName[k] {
			got += v
		}
	}
	return got / total, true
}
