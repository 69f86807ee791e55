package retrieval

import (
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// answerKind is the kind of answer a question word asks for; snippet choice
// prefers a sentence holding one.
type answerKind int

const (
	anyAnswer answerKind = iota
	numberAnswer
	dateAnswer
	personAnswer
)

func (k answerKind) String() string {
	return [...]string{"any", "number", "date", "person"}[k]
}

// answerCues are question phrases (accent-folded, lower case, space-separated
// words) and the kind of answer each asks for. A longer phrase wins over a
// shorter one it contains ("nam bao nhieu" is a date, "bao nhieu" a number).
var answerCues = []struct {
	phrase string
	kind   answerKind
}{
	{"khi nao", dateAnswer}, {"bao gio", dateAnswer}, {"nam nao", dateAnswer},
	{"ngay nao", dateAnswer}, {"thang nao", dateAnswer}, {"luc nao", dateAnswer},
	{"nam bao nhieu", dateAnswer}, {"thoi diem nao", dateAnswer}, {"thoi gian nao", dateAnswer},
	{"bao nhieu", numberAnswer}, {"bao lau", numberAnswer}, {"bao xa", numberAnswer},
	{"bao lon", numberAnswer}, {"may", numberAnswer}, {"ai", personAnswer},
	{"when", dateAnswer}, {"what year", dateAnswer}, {"which year", dateAnswer},
	{"what date", dateAnswer}, {"what century", dateAnswer},
	{"how many", numberAnswer}, {"how much", numberAnswer}, {"how long", numberAnswer},
	{"how old", numberAnswer}, {"how far", numberAnswer}, {"how large", numberAnswer},
	{"what percentage", numberAnswer}, {"who", personAnswer}, {"whom", personAnswer},
	{"cuando", dateAnswer}, {"que ano", dateAnswer}, {"cuantos", numberAnswer},
	{"cuantas", numberAnswer}, {"cuanto", numberAnswer}, {"cuanta", numberAnswer},
	{"quien", personAnswer}, {"quienes", personAnswer},
	{"quand", dateAnswer}, {"combien", numberAnswer}, {"qui", personAnswer},
	{"когда", dateAnswer}, {"в каком году", dateAnswer}, {"сколько", numberAnswer},
	{"кто", personAnswer}, {"кого", personAnswer}, {"кому", personAnswer},
}

// detectAnswerKind finds the kind of answer a question asks for.
func detectAnswerKind(folded []string) answerKind {
	text := " " + strings.Join(folded, " ") + " "
	best, bestLen := anyAnswer, 0
	for _, c := range answerCues {
		if len(c.phrase) > bestLen && strings.Contains(text, " "+c.phrase+" ") {
			best, bestLen = c.kind, len(c.phrase)
		}
	}
	return best
}

// queryWord is one content word of a question under one analysis.
type queryWord struct {
	lang     *language
	exact    string // exact form (stemmed where the language stems)
	folded   string // accent-folded form
	accented bool   // typed with accents: an exact match counts more
	typed    string // the word as the question first writes it
	// misspelled is set when no passage holds the word and it is read as
	// the nearest word of the collection (readMisspelledWords): exact and
	// folded are then that word's form.
	misspelled bool
	idf        float64 // set by ranking: the word's inverse document frequency
	// name, when not 0, numbers the run of capitalised words (a proper
	// name; the question's first word is not counted) the word belongs to.
	name int
	// prefix is the prefix term (wordPrefix) of the word as first typed
	// when the question searches it for this word, exact "" otherwise.
	prefix wordForms
	// prefixValue, set by ranking, is what a passage word matching the word
	// through its prefix alone is worth in a snippet: its IDF times the
	// share of a passage's score for the word that ranking gives the
	// prefix, P / (IDF + P) with P = PrefixWeight × the prefix's IDF; 0
	// when no prefix is searched.
	prefixValue float64
	// spellings, for a Vietnamese word typed without accents, weighs the
	// spellings a passage gives it (readSpellings); nil: all count.
	spellings map[string]float64
}

// termGroup is one scoring unit: the index terms whose postings are merged
// (a word's folded key lives under two terms) and its weight.
type termGroup struct {
	keys   []string
	weight float64
	word   int // index into query.words for a word or its prefix; -1 for a pair
	// partial marks a prefix group: it scores, but is no part of the
	// question's term weight, so a passage's coverage (confidence) counts
	// words and pairs only.
	partial bool
	// alt marks the folded key of a word typed without accents in a
	// question typed with them: an alternative to the exact group before
	// it, until readPlainWords keeps one of the two.
	alt bool
	// guess marks the group a word no passage holds is read as
	// (readMisspelledWords): it ranks, but weighs in coverage as the word
	// it replaces, which no passage holds, so that a guess never makes an
	// answer confident.
	guess bool
}

// weights returns what group g adds to the question's term weight and to
// the coverage of a passage that holds it, in a collection of n passages
// where df hold it: weight × IDF for both, except that a partial group
// adds to neither, and a group no passage holds, or a guess, adds to the
// term weight that of a term in no passage and to coverage nothing.
func (g termGroup) weights(df int, n float64) (term, cover float64) {
	switch {
	case g.partial:
		return 0, 0
	case df == 0 || g.guess:
		return g.weight * idf(0, n), 0
	}
	w := g.weight * idf(df, n)
	return w, w
}

// idf is the BM25 inverse document frequency of a term df of n passages
// hold.
func idf(df int, n float64) float64 {
	return math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5))
}

// query is an analyzed question.
type query struct {
	text   string
	words  []queryWord
	groups []termGroup
	want   answerKind
	// termWeight, set by ranking, is the weight of all the groups but the
	// partial ones: Σ weight × IDF, the denominator of a passage's coverage.
	termWeight float64
	// ambiguous are the words of a Vietnamese question typed without
	// accents that are spelled as question words, until
	// readAmbiguousWords reads them.
	ambiguous []ambiguousWord
	// pairs are the folded syllable pairs of a Vietnamese question typed
	// without accents, for readSpellings.
	pairs []string
}

// analyzeQuery analyzes a question for a collection whose articles use the
// given analysis languages.
func analyzeQuery(question string, collection map[string]uint64, p Params) query {
	question = norm.NFC.String(question)
	q := query{text: question}
	accented := hasDiacritics(question)
	seen := make(map[string]bool)
	var allFolded []string
	for _, l := range queryLanguages(question, accented, collection) {
		toks := tokenize(question)
		names := nameRuns(question, toks)
		words := make([]wordForms, len(toks))
		prefixes := make([]wordForms, len(toks)) // exact "" when a word has none
		content := make([]bool, len(toks))
		// In Vietnamese typed without accents a question word's spelling
		// may be another word's ("duoc": "được" or "dược"): such a word is
		// searched like the others until readAmbiguousWords reads it.
		ambiguous := make([]bool, len(toks))
		for i, t := range toks {
			f := forms(question[t.start:t.end], l.code == Vietnamese)
			if len(allFolded) < len(toks) {
				allFolded = append(allFolded, f.folded)
			}
			content[i] = !l.question[f.exact] && (l.stopword == nil || !l.stopword(f.exact))
			if l.code == Vietnamese && !accented && !content[i] {
				content[i], ambiguous[i] = true, true
			}
			if l.stem != nil {
				prefixes[i], _ = wordPrefix(f)
				f = stemmed(l, f)
			}
			words[i] = f
		}
		wordGroups := make([]int, len(toks)) // the group of each token's word, -1 for none
		pairGroups := make([]int, len(toks)) // the group of the pair ending at each token, -1 for none
		for i, f := range words {
			wordGroups[i], pairGroups[i] = -1, -1
			if !content[i] {
				continue
			}
			if !seen[f.exact+"\x00"+l.code] {
				seen[f.exact+"\x00"+l.code] = true
				q.words = append(q.words, queryWord{lang: l, exact: f.exact, folded: f.folded, accented: accented, typed: question[toks[i].start:toks[i].end], name: names[i]})
				if n := len(q.groups); q.addGroups(f, accented, 1, len(q.words)-1, seen) {
					wordGroups[i] = n
				}
			}
			if prefixes[i].exact != "" && p.PrefixWeight > 0 {
				wi := slices.IndexFunc(q.words, func(w queryWord) bool { return w.lang == l && w.exact == f.exact })
				n := len(q.groups)
				q.addGroups(prefixes[i], accented, p.PrefixWeight, wi, seen)
				for g := n; g < len(q.groups); g++ {
					q.groups[g].partial = true
				}
				if w := &q.words[wi]; len(q.groups) > n && w.prefix.exact == "" {
					w.prefix = prefixes[i]
				}
			}
			if l.pairs && i > 0 && toks[i].joined && content[i-1] {
				pair := wordForms{exact: words[i-1].exact + " " + f.exact, folded: words[i-1].folded + " " + f.folded}
				if !accented && l.code == Vietnamese {
					q.pairs = append(q.pairs, pair.folded)
				}
				if n := len(q.groups); q.addGroups(pair, accented, p.PairWeight, -1, seen) {
					pairGroups[i] = n
				}
			}
		}
		for i, f := range words {
			if !ambiguous[i] {
				continue
			}
			a := ambiguousWord{folded: f.folded, wordGroup: wordGroups[i]}
			a.word = slices.IndexFunc(q.words, func(w queryWord) bool { return w.lang == l && w.exact == f.exact })
			if g := pairGroups[i]; g >= 0 {
				a.left = words[i-1].folded
				a.pairs = append(a.pairs, g)
			}
			if i+1 < len(words) {
				if g := pairGroups[i+1]; g >= 0 {
					a.right = words[i+1].folded
					a.pairs = append(a.pairs, g)
				}
			}
			q.ambiguous = append(q.ambiguous, a)
		}
	}
	q.want = detectAnswerKind(allFolded)
	return q
}

// addGroups adds the scoring groups of one word or pair. In a question
// typed without accents its folded key matches every spelling. In one typed
// with accents, the accents a word was given are meant: its exact term
// alone. A word typed there without any (a foreign word, "ty" of "công ty",
// or "Nguyen" typed in haste) gets its exact term and its folded key as
// alternatives, of which readPlainWords keeps one. It reports whether it
// added a group (a word or pair met before adds none).
func (q *query) addGroups(f wordForms, accented bool, weight float64, word int, seen map[string]bool) (added bool) {
	add := func(alt bool, keys ...string) bool {
		sig := strings.Join(keys, "\x00")
		if seen["g\x00"+sig] {
			return false
		}
		seen["g\x00"+sig] = true
		q.groups = append(q.groups, termGroup{keys: keys, weight: weight, word: word, alt: alt})
		return true
	}
	folded := []string{f.folded, foldedPrefix + f.folded}
	switch {
	case !accented:
		return add(false, folded...)
	case f.exact != f.folded:
		return add(false, f.exact)
	default:
		if !add(false, f.exact) {
			return false
		}
		add(true, folded...)
		return true
	}
}

// plainShare decides how a word typed without accents in a question typed
// with them is read: as written when that spelling holds at least this
// share of the passages that hold any spelling of the word ("ty", "Google"
// are words of their own), otherwise as the word with its accents left out
// ("nguyen" is rare beside "nguyễn"), every spelling matching at full
// weight. Of 20, 5 and 1 %, the most literal reading, 1 %, did best on the
// XQuAD development questions (recall@1 0.9281, 0.9314, 0.9330).
const plainShare = 0.01

// readPlainWords keeps one of each pair of alternative groups addGroups
// made for a word typed without accents, by plainShare, from the document
// frequencies in r.
func (q *query) readPlainWords(r IndexReader) error {
	drop := make([]bool, len(q.groups))
	for i := 1; i < len(q.groups); i++ {
		if !q.groups[i].alt {
			continue
		}
		q.groups[i].alt = false
		exact, err := groupDF(r, q.groups[i-1].keys)
		if err != nil {
			return err
		}
		spellings, err := groupDF(r, q.groups[i].keys)
		if err != nil {
			return err
		}
		if float64(exact) >= plainShare*float64(spellings) {
			drop[i] = true
		} else {
			drop[i-1] = true
		}
	}
	q.removeGroups(drop)
	return nil
}

// removeGroups removes the groups g of q with drop[g] set.
func (q *query) removeGroups(drop []bool) {
	kept := q.groups[:0]
	for i, g := range q.groups {
		if !drop[i] {
			kept = append(kept, g)
		}
	}
	q.groups = kept
}

// groupDF is how many passages hold one of keys.
func groupDF(r IndexReader, keys []string) (int, error) {
	_, st, err := groupCursor(r, keys)
	return st.DF, err
}

// wordIDFs are the IDFs of a question's words and of their prefixes, the
// greatest of their groups', as ranking meets the groups.
type wordIDFs struct{ word, prefix []float64 }

// newWordIDFs returns the IDFs of q's words, none met yet.
func newWordIDFs(q *query) wordIDFs {
	return wordIDFs{make([]float64, len(q.words)), make([]float64, len(q.words))}
}

// note records idf, the IDF of group g: its word's when g is the word's,
// its prefix's when g is a prefix group.
func (w wordIDFs) note(g termGroup, idf float64) {
	if g.word < 0 {
		return
	}
	into := w.word
	if g.partial {
		into = w.prefix
	}
	into[g.word] = max(into[g.word], idf)
}

// set gives q's words their IDFs in a collection of n passages (a word met
// nowhere that of a term in no passage) and their prefixValue.
func (w wordIDFs) set(q *query, n, prefixWeight float64) {
	for i, v := range w.word {
		if v == 0 {
			v = idf(0, n)
		}
		q.words[i].idf = v
		q.words[i].prefixValue = 0
		if p := prefixWeight * w.prefix[i]; p > 0 {
			q.words[i].prefixValue = v * p / (v + p)
		}
	}
}

// queryLanguages chooses the analyses a question is run under, given the
// collection's article count per language: its own language when it can be
// told and the collection has it, otherwise the collection's main languages
// (those with at least a tenth of its articles). A question typed without
// accents is also read as Vietnamese when the collection has Vietnamese.
func queryLanguages(question string, accented bool, collection map[string]uint64) []*language {
	var total uint64
	for _, n := range collection {
		total += n
	}
	chosen := make(map[string]bool)
	if code, ok := detectLanguage(question); ok && collection[code] > 0 {
		chosen[code] = true
		if !accented && collection[Vietnamese] > 0 {
			chosen[Vietnamese] = true
		}
	} else {
		for code, n := range collection {
			if _, known := languages[code]; known && n*10 >= total {
				chosen[code] = true
			}
		}
	}
	if len(chosen) == 0 {
		chosen[Vietnamese] = true
	}
	codes := make([]string, 0, len(chosen))
	for c := range chosen {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	out := make([]*language, len(codes))
	for i, c := range codes {
		out[i] = languages[c]
	}
	return out
}

// nameRuns numbers the runs of capitalised words of a question, the proper
// names ("Super Bowl", "Hốt Tất Liệt"): 1 for the first run, 0 for a word in
// none. The first word is capitalised as any sentence's is, so it starts no
// run.
func nameRuns(question string, toks []token) []int {
	runs := make([]int, len(toks))
	n := 0
	for i := 1; i < len(toks); i++ {
		r, _ := utf8.DecodeRuneInString(question[toks[i].start:])
		if !unicode.IsUpper(r) {
			continue
		}
		if runs[i-1] == 0 || !toks[i].joined {
			n++
		}
		runs[i] = n
	}
	return runs
}
