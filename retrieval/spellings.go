package retrieval

import (
	"slices"
	"strings"
)

// unsupportedSpelling is what a passage spelling of a word typed without
// accents counts, relative to the word's IDF, when the collection never
// writes that spelling next to the word's neighbours in the question: half,
// as an accented question word matched only accent-folded (match).
const unsupportedSpelling = 0.5

// readSpellings weighs, for each Vietnamese word of a question typed
// without accents, the spellings a passage may give it by the company the
// word keeps in the question. For each syllable pair of the question, a
// spelling of either syllable gets the share, of the pair's commonest
// spelling, of the passages holding its commonest pair spelling with it:
// for "chu nha", "chủ" gets 1 from "chủ nhà" and "chu" nothing when the
// collection never writes "chu nhà" ("chu" of "chu kỳ"). A word's
// spellings then count in a snippet in proportion to their votes summed
// over its pairs, from unsupportedSpelling for none to all for the
// most voted (queryWord.spellingWeight), so the re-scoring of passages by
// their best window, and by their spellingSupport, prefers the words the
// question most likely means. A word in no pair the collection holds
// counts every spelling in full; so does every word when r cannot list
// spellings.
func (q *query) readSpellings(r IndexReader) error {
	sr, ok := r.(SpellingReader)
	if !ok || len(q.pairs) == 0 {
		return nil
	}
	votes := make(map[string]map[string]float64) // folded word → spelling → votes
	vote := func(folded string, counts map[string]int, best int) {
		if votes[folded] == nil {
			votes[folded] = make(map[string]float64)
		}
		for spelling, n := range counts {
			votes[folded][spelling] += float64(n) / float64(best)
		}
	}
	for i, pair := range q.pairs {
		if slices.Contains(q.pairs[:i], pair) {
			continue
		}
		spellings, err := sr.Spellings(pair)
		if err != nil {
			return err
		}
		left, right := make(map[string]int), make(map[string]int)
		best := 0
		for _, s := range spellings {
			first, second, ok := strings.Cut(s.Term, " ")
			if !ok {
				continue
			}
			left[first] = max(left[first], s.Passages)
			right[second] = max(right[second], s.Passages)
			best = max(best, s.Passages)
		}
		if best == 0 {
			continue
		}
		first, second, _ := strings.Cut(pair, " ")
		vote(first, left, best)
		vote(second, right, best)
	}
	for wi := range q.words {
		w := &q.words[wi]
		v := votes[w.folded]
		if w.accented || w.lang.code != Vietnamese || len(v) == 0 {
			continue
		}
		var most float64
		for _, x := range v {
			most = max(most, x)
		}
		w.spellings = make(map[string]float64, len(v))
		for spelling, x := range v {
			w.spellings[spelling] = unsupportedSpelling + (1-unsupportedSpelling)*x/most
		}
	}
	return nil
}

// spellingWeight is what a passage word spelled exact (its exact form)
// counts for w, relative to w's IDF: 1 unless readSpellings weighed w's
// spellings.
func (w queryWord) spellingWeight(exact string) float64 {
	if w.spellings == nil {
		return 1
	}
	if x, ok := w.spellings[exact]; ok {
		return x
	}
	return unsupportedSpelling
}

// spellingSupport is, of the IDF of the question words with weighed
// spellings (readSpellings) that the passage of toks, all inside whole,
// holds (held), the share its best match of each carries: 1 when it writes each as the
// question's context makes likeliest, down to unsupportedSpelling when it
// writes none so; 1 for a question without weighed spellings. Ranking
// multiplies a re-scored passage's score by it, as BM25 would weigh the
// passage had it counted each spelling by its weight: a passage that owes
// its rank to "chu" of "chu kỳ" for "chu nha" goes down.
func spellingSupport(toks []markedToken, whole span, held []bool, q query) float64 {
	var weight float64
	for wi, w := range q.words {
		if held[wi] && w.spellings != nil {
			weight += w.idf
		}
	}
	if weight == 0 {
		return 1
	}
	best := make([]float64, len(q.words))
	matchedWeight(toks, whole, nil, best, false)
	var carried float64
	for wi, w := range q.words {
		if held[wi] && w.spellings != nil {
			carried += best[wi]
		}
	}
	return carried / weight
}
