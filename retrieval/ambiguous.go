package retrieval

import "strings"

// Spelling is one exact index term of a folded form and the number of
// passages that hold it.
type Spelling struct {
	Term     string
	Passages int
}

// SpellingReader is an IndexReader that lists the exact spellings of a
// folded form: which accented words a word typed without accents can be
// in this collection, and how common each is.
type SpellingReader interface {
	IndexReader
	// Spellings returns the exact terms whose FoldedForm is form (form
	// itself included when it is a term), each with the number of
	// passages that hold it, in byte order of the terms; nil when there
	// are none. Passages removed since their postings were written may
	// still be counted.
	Spellings(form string) ([]Spelling, error)
}

// ambiguousWord is a word of a Vietnamese question typed without accents
// that is spelled as a question word ("duoc", "cho", "bao", "cua"), but
// may be a content word whose accents were left out ("dược" in "tu van
// duoc", "chợ", "bão", "cửa").
type ambiguousWord struct {
	folded string
	// left and right are the folded forms of the content words it forms
	// syllable pairs with, "" for none.
	left, right string
	// word is its index in query.words; wordGroup is the word's group when
	// this is the occurrence that made it, -1 otherwise; pairs are the
	// groups of this occurrence's pairs. Groups are indices into
	// query.groups.
	word      int
	wordGroup int
	pairs     []int
}

// readAmbiguousWords reads each ambiguous word of q by the company it keeps
// in the collection: as its likeliestSpelling next to the word's
// neighbours ("tư vấn dược", not "tư vấn được"). When that spelling is a
// question word, or the collection never writes the word next to its
// neighbours (or r cannot list spellings), that occurrence is a question
// word as in a question typed with accents: its pairs are not searched.
// Otherwise it is searched as typed. The word itself is searched when any
// of its occurrences is ("sach duoc ban … tu van duoc": the second).
func (q *query) readAmbiguousWords(r IndexReader) error {
	if len(q.ambiguous) == 0 {
		return nil
	}
	sr, _ := r.(SpellingReader)
	dropGroup := make([]bool, len(q.groups))
	content := make([]bool, len(q.words)) // some occurrence of the word is content
	for _, a := range q.ambiguous {
		read := false
		if sr != nil {
			spelling, err := a.likeliestSpelling(sr)
			if err != nil {
				return err
			}
			read = spelling != "" && !viQuestionWords[spelling]
		}
		if read {
			content[a.word] = true
			continue
		}
		for _, g := range a.pairs {
			dropGroup[g] = true
		}
	}
	dropWord := make([]bool, len(q.words))
	for _, a := range q.ambiguous {
		if !content[a.word] {
			dropWord[a.word] = true
			if a.wordGroup >= 0 {
				dropGroup[a.wordGroup] = true
			}
		}
	}
	q.ambiguous = nil
	q.removeGroups(dropGroup)
	q.removeWords(dropWord)
	return nil
}

// likeliestSpelling returns the spelling of a in the syllable pair with
// one of a's neighbours (any spelling of it) that the most passages hold,
// "" when they hold none; on a tie, the question word, else the one met
// first. The greatest pair, not the sum, so that one pair the passages
// hold often ("vấn dược") outweighs several rare ones ("văn được", "vận
// được") made of other spellings of the neighbour.
func (a ambiguousWord) likeliestSpelling(r SpellingReader) (string, error) {
	var order []string
	evidence := make(map[string]int)
	count := func(pair string, leftSide bool) error {
		spellings, err := r.Spellings(pair)
		if err != nil {
			return err
		}
		for _, s := range spellings {
			first, second, ok := strings.Cut(s.Term, " ")
			if !ok {
				continue
			}
			w := second
			if leftSide {
				w = first
			}
			if _, met := evidence[w]; !met {
				order = append(order, w)
			}
			evidence[w] = max(evidence[w], s.Passages)
		}
		return nil
	}
	if a.left != "" {
		if err := count(a.left+" "+a.folded, false); err != nil {
			return "", err
		}
	}
	if a.right != "" {
		if err := count(a.folded+" "+a.right, true); err != nil {
			return "", err
		}
	}
	best, most := "", 0
	for _, w := range order {
		if n := evidence[w]; n > most || n == most && viQuestionWords[w] && !viQuestionWords[best] {
			best, most = w, n
		}
	}
	return best, nil
}

// removeWords removes the words w of q with drop[w] set, and renumbers
// the groups' words. No group of a removed word may be left.
func (q *query) removeWords(drop []bool) {
	renumbered := make([]int, len(q.words))
	kept := q.words[:0]
	for i, w := range q.words {
		renumbered[i] = len(kept)
		if !drop[i] {
			kept = append(kept, w)
		}
	}
	q.words = kept
	for g := range q.groups {
		if w := q.groups[g].word; w >= 0 {
			q.groups[g].word = renumbered[w]
		}
	}
}
