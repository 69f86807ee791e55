package retrieval

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// NearForm is a folded form of a collection's words that is a few edits
// away from a word, and the number of passages that hold any spelling of
// it.
type NearForm struct {
	Form     string
	Edits    int
	Passages int
}

// NearReader is an IndexReader that finds the words of its vocabulary near
// a word no passage holds: what a misspelled word ("Ghandi",
// "parliment") was meant to be, in this collection.
type NearReader interface {
	IndexReader
	// NearForms returns the folded forms of the collection's words made
	// of letters (not syllable pairs, not prefix terms) that start with the letter form
	// starts with and are at most maxEdits edits from it, as an
	// EditMatcher counts them, form itself left out, in byte order. (A
	// typo seldom changes the first letter, and keeping it bounds the
	// search to that letter's share of the vocabulary.) Passages removed
	// since their postings were written may still be counted.
	NearForms(form string, maxEdits int) ([]NearForm, error)
}

// EditMatcher counts the edits between one word and each form of a
// vocabulary walked in sorted order: insertions, deletions, substitutions
// of one letter and transpositions of two adjacent ones (the optimal
// string alignment distance, in runes). It also tells the shortest prefix
// of a form that every form starting with it is more than the bound away
// from, so that the walk can skip them all. A rune that is not a letter
// makes the prefix it ends hopeless: forms holding one, such as syllable
// pairs, prefix terms and numbers, are never matched.
// Consecutive forms share the work of their common prefix.
type EditMatcher struct {
	word []rune
	max  int
	form []rune  // the prefix of the last form that rows are for
	rows [][]int // rows[i][j]: edits between form[:i] and word[:j]
}

// NewEditMatcher returns a matcher of word within maxEdits edits.
func NewEditMatcher(word string, maxEdits int) *EditMatcher {
	m := &EditMatcher{word: []rune(word), max: maxEdits}
	first := make([]int, len(m.word)+1)
	for j := range first {
		first[j] = j
	}
	m.rows = [][]int{first}
	return m
}

// Match returns the edits between the word and form when hopeless is 0.
// Otherwise no form that starts with form[:hopeless] is within the bound,
// and edits is meaningless.
func (m *EditMatcher) Match(form []byte) (edits, hopeless int) {
	i, off := 0, 0
	for i < len(m.form) && off < len(form) {
		r, size := utf8.DecodeRune(form[off:])
		if r != m.form[i] {
			break
		}
		i, off = i+1, off+size
	}
	m.form, m.rows = m.form[:i], m.rows[:i+1]
	for off < len(form) {
		r, size := utf8.DecodeRune(form[off:])
		off += size
		if !unicode.IsLetter(r) || !m.push(r) {
			return 0, off
		}
	}
	return m.rows[len(m.form)][len(m.word)], 0
}

// push extends the rows by one rune of a form; false, leaving them as they
// were, when the new row is past the bound everywhere: no later row can
// be nearer, since every step adds edits or keeps them.
func (m *EditMatcher) push(r rune) bool {
	i := len(m.form) + 1
	if len(m.rows) < cap(m.rows) {
		m.rows = m.rows[:i+1]
	} else {
		m.rows = append(m.rows, nil)
	}
	row := m.rows[i]
	if cap(row) < len(m.word)+1 {
		row = make([]int, len(m.word)+1)
	}
	row = row[:len(m.word)+1]
	m.rows[i] = row
	prev := m.rows[i-1]
	row[0] = i
	least := i
	for j := 1; j <= len(m.word); j++ {
		cost := 1
		if m.word[j-1] == r {
			cost = 0
		}
		d := min(prev[j]+1, row[j-1]+1, prev[j-1]+cost)
		if i > 1 && j > 1 && r == m.word[j-2] && m.form[i-2] == m.word[j-1] {
			d = min(d, m.rows[i-2][j-2]+1)
		}
		row[j] = d
		least = min(least, d)
	}
	if least > m.max {
		m.rows = m.rows[:i]
		return false
	}
	m.form = append(m.form, r)
	return true
}

// twoEditBag is how many letters, as bags, a word may differ by from a
// form two edits away that it is read as: a letter moved ("Ghandi",
// "Gandhi": none) or one changed and one added, not another word
// ("Luther" and "later": three). On the XQuAD development questions it
// changes no figure but makes fewer guesses, nearly all of those it
// drops for words the collection lacks (the off-topic runs).
const twoEditBag = 2

// typoEdits is how many edits a word of n letters that no passage holds may
// be read through: none for the shortest words, where one edit makes
// another common word ("cat", "car"), one up to five letters, two from
// six ("Ghandi" is two from "Gandhi").
func typoEdits(n int) int {
	switch {
	case n < 4:
		return 0
	case n < 6:
		return 1
	default:
		return 2
	}
}

// readMisspelledWords reads each word of q made of letters that no
// passage holds in any spelling, nor by its prefix, as the nearest word of
// the collection that NearReader finds (see nearest). That word's group
// ranks as a guess (termGroup.guess) and its prefix is no longer
// searched. A word with no near word, or an r that cannot find them, is
// left as it is: it matches nothing.
func (q *query) readMisspelledWords(r IndexReader) error {
	nr, ok := r.(NearReader)
	if !ok {
		return nil
	}
	drop := make([]bool, len(q.groups))
	for wi := range q.words {
		w := &q.words[wi]
		maxEdits := typoEdits(utf8.RuneCountInString(w.folded))
		if maxEdits == 0 || strings.IndexFunc(w.folded, func(r rune) bool { return !unicode.IsLetter(r) }) >= 0 {
			continue // a number or a code ("2015", "B-52") is meant as typed
		}
		if w.lang.code == Vietnamese && viSyllable.MatchString(w.folded) {
			continue // a well-formed syllable is a word of the language: "phim", not "phi" misspelled
		}
		var groups []int
		held := false
		for g := range q.groups {
			if q.groups[g].word != wi {
				continue
			}
			df, err := groupDF(r, q.groups[g].keys)
			if err != nil {
				return err
			}
			held = held || df > 0
			if !q.groups[g].partial {
				groups = append(groups, g)
			}
		}
		if held || len(groups) == 0 {
			continue
		}
		near, err := nr.NearForms(w.folded, maxEdits)
		if err != nil {
			return err
		}
		form := nearest(w.folded, near)
		if form == "" {
			continue
		}
		q.groups[groups[0]].keys = []string{form, foldedPrefix + form}
		q.groups[groups[0]].guess = true
		for _, g := range groups[1:] {
			drop[g] = true
		}
		for g := range q.groups {
			if q.groups[g].word == wi && q.groups[g].partial {
				drop[g] = true
			}
		}
		w.exact, w.folded, w.accented, w.prefix, w.misspelled = form, form, false, wordForms{}, true
	}
	q.removeGroups(drop)
	return nil
}

// nearest returns the form of near that word was likeliest meant as: the
// fewest edits away, then the one that lacks the fewest of the letters
// typed (a letter left out is the commonest slip: "Мелфи" is "Мельфи",
// not "мел"), then the one whose letters differ least from the word's,
// counted as bags (a letter typed out of place, "Ghandi" for "Gandhi",
// keeps them all), then the one the most passages hold, then the first;
// "" when there is none. A form two edits away must differ by
// at most twoEditBag letters as bags.
func nearest(word string, near []NearForm) string {
	best, bestLost, bestBag := -1, 0, 0
	for i, n := range near {
		lost, bag := bagDistance(word, n.Form)
		if n.Edits > 1 && bag > twoEditBag {
			continue
		}
		if best < 0 || n.Edits < near[best].Edits ||
			n.Edits == near[best].Edits && (lost < bestLost || lost == bestLost && (bag < bestBag || bag == bestBag && n.Passages > near[best].Passages)) {
			best, bestLost, bestBag = i, lost, bag
		}
	}
	if best < 0 {
		return ""
	}
	return near[best].Form
}

// bagDistance compares a and b as bags of runes: lost is how many runes of
// a b lacks, d how many one holds that the other lacks.
func bagDistance(a, b string) (lost, d int) {
	count := make(map[rune]int)
	for _, r := range a {
		count[r]++
	}
	for _, r := range b {
		count[r]--
	}
	for _, c := range count {
		d += max(c, -c)
		lost += max(c, 0)
	}
	return lost, d
}

// Correction is a word of a question that no passage holds and the word
// of the collection it was read as.
type Correction struct {
	Typed string // as the question writes it
	Read  string // as the first result that holds it writes it, else its index form
}

// corrections returns the words of q read as others, each with the way
// the first of results that holds it writes that other word.
func (q *query) corrections(results []Result) []Correction {
	var out []Correction
	for _, w := range q.words {
		if !w.misspelled {
			continue
		}
		c := Correction{Typed: w.typed, Read: w.folded}
	search:
		for _, r := range results {
			for _, t := range tokenize(r.Snippet) {
				f := forms(r.Snippet[t.start:t.end], w.lang.code == Vietnamese)
				if w.lang.stem != nil {
					f = stemmed(w.lang, f)
				}
				if f.folded == w.folded {
					c.Read = r.Snippet[t.start:t.end]
					break search
				}
			}
		}
		out = append(out, c)
	}
	return out
}
