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
	var names []nameKey // in the question's order: sums do not depend on a map's
	for wi, w := range q.words {
		if w.name > 0 {
			k := nameKey{w.lang, w.name}
			if _, ok := weight[k]; !ok {
				names = append(names, k)
			}
			weight[k] += w.idf
			hasName[k] = hasName[k] || held[wi]
		}
	}
	if len(names) == 0 {
		return 0, false
	}
	var total, got float64
	for _, k := range names {
		total += weight[k]
		if hasName[k] {
			got += weight[k]
		}
	}
	return got / total, true
}
