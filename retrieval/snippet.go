package retrieval

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// snippet is a quote chosen from a passage.
type snippet struct {
	text  string
	marks [][2]int
	// coverage is the share of the question's word weight that the chosen
	// window of one or two sentences holds: a measure of how closely
	// together the passage answers.
	coverage float64
	// held says, for each question word, whether the passage holds it,
	// exactly or accent-folded (prefix matches aside).
	held []bool
	// support is the share of the weight of the question words the passage
	// holds that its spellings of them carry (spellingSupport).
	support float64
}

// markedToken is a passage word and which question word it matches.
type markedToken struct {
	token
	word  int     // index into query.words, -1 when it matches none
	value float64 // how much the match counts
	kind  answerKind
	// marked: the word is shown as a match. A word typed with accents
	// marks only its exact spelling when the passage has it, so "giá"
	// marks "giá", not "giả" or "gia".
	marked bool
	// prefix: the word matches only through its prefix term (wordPrefix),
	// a weaker match that ranking's coverage does not count.
	prefix bool
}

// chooseSnippet picks the best window of one or two sentences of passage for
// q: the one holding the most question-word weight (and, in Vietnamese,
// question phrases quoted whole), preferring a window that holds the kind
// of answer the question asks for (a number for "bao nhiêu", a date for
// "khi nào", a name for "ai"). A window longer than maxChars is cut around
// its densest part, leaning to the side where the answer is expected, with
// "…" where text was cut; a sentence much shorter than maxChars is shown
// with as much of a neighbour as fits.
func chooseSnippet(passage string, q query, maxChars int) snippet {
	if maxChars <= 0 {
		maxChars = 320
	}
	m := memoFor(q)
	defer snippetMemos.Put(m)
	toks := markTokens(passage, q, m)
	sents := splitSentences(passage, span{0, len(passage)})
	if len(sents) == 0 {
		return snippet{}
	}
	before := m.before
	fits := func(w span) bool { return utf8.RuneCountInString(passage[w.start:w.end]) <= maxChars }
	// Coverage, which ranking uses, weighs words by their weight in the
	// collection only and, as ranking's coverage, leaves out prefix
	// matches; the shown window also weighs them by their rarity in the
	// passage, and weighs quoted phrases.
	covered := pickWindow(sents, windowScorer(toks, q, false, nil, false), fits, before)
	shown := pickWindow(sents, windowScorer(toks, q, hasSyllables(q), localRarity(toks, sents, len(q.words)), true), fits, before)
	sn := cutSnippet(passage, shown, toks, q.want, before, maxChars)
	var total float64
	for _, w := range q.words {
		total += w.idf
	}
	if total > 0 {
		sn.coverage = matchedWeight(toks, covered.window, nil, make([]float64, len(q.words)), false) / total
	}
	sn.held = slices.Clone(m.held)
	sn.support = spellingSupport(toks, span{0, len(passage)}, m.held, q)
	return sn
}

// windowChoice is the part of a passage a snippet quotes.
type windowChoice struct {
	sentence span // the best sentence
	window   span // it alone, or with the neighbour that adds to its score or fits with it
	shown    span // window, or the sentence with the neighbour that fills the room it leaves
}

// windowScorer returns the score of a window for q: the weight of the
// distinct question words it holds (times their rarity, when not nil),
// plus, with phrases, that of the question's phrases it quotes, plus a
// bonus when it also holds a word of the kind of answer wanted that is not
// a question word. Prefix matches count only withPrefix.
func windowScorer(toks []markedToken, q query, phrases bool, rarity []float64, withPrefix bool) func(span) float64 {
	var maxWeight float64
	for _, w := range q.words {
		maxWeight = max(maxWeight, w.idf)
	}
	kindBonus := 0.6 * maxWeight
	scratch := make([]float64, len(q.words))
	return func(w span) float64 {
		s := matchedWeight(toks, w, rarity, scratch, withPrefix)
		if phrases {
			s += phraseWeight(toks, w, q, scratch)
		}
		if s > 0 && q.want != anyAnswer {
			for _, t := range within(toks, w) {
				if isAnswerWord(t, q.want) {
					return s + kindBonus
				}
			}
		}
		return s
	}
}

// pickWindow chooses the best sentence by score and its better neighbour,
// on the side where the answer is expected when they tie (before: the
// share of the room to give to text before the question's words). The
// window is the pair when the neighbour adds to the score, or ties and the
// pair fits in the snippet; otherwise the sentence alone, shown with the
// neighbour for context (more chances to hold the answer).
func pickWindow(sents []span, score func(span) float64, fits func(span) bool, before float64) windowChoice {
	bi, bestScore := 0, -1.0
	for i, sent := range sents {
		if sc := score(sent); sc > bestScore {
			bi, bestScore = i, sc
		}
	}
	c := windowChoice{sentence: sents[bi], window: sents[bi], shown: sents[bi]}
	neighbours := []int{bi + 1, bi - 1}
	if before > 0.5 {
		neighbours = []int{bi - 1, bi + 1}
	}
	pairScore := -1.0
	for _, j := range neighbours {
		if j < 0 || j >= len(sents) {
			continue
		}
		pair := span{min(sents[bi].start, sents[j].start), max(sents[bi].end, sents[j].end)}
		if sc := score(pair); sc > pairScore+1e-9 {
			c.shown, pairScore = pair, sc
		}
	}
	if pairScore > bestScore+1e-9 || (pairScore > bestScore-1e-9 && fits(c.shown)) {
		c.window = c.shown
	}
	return c
}

// matchedWeight sums the weight of the distinct question words matched
// inside w, each at its best match (prefix matches only withPrefix) and,
// when scale is not nil, multiplied by its scale. best is scratch space,
// one per question word. The sum runs in word order, so equal windows
// always score equally.
func matchedWeight(toks []markedToken, w span, scale, best []float64, withPrefix bool) float64 {
	clear(best)
	for _, t := range within(toks, w) {
		if t.word >= 0 && (withPrefix || !t.prefix) && t.value > best[t.word] {
			best[t.word] = t.value
		}
	}
	var s float64
	for i, v := range best {
		if scale != nil {
			v *= scale[i]
		}
		s += v
	}
	return s
}

// within returns the tokens of toks, in text order, that lie inside w.
func within(toks []markedToken, w span) []markedToken {
	lo := sort.Search(len(toks), func(i int) bool { return toks[i].start >= w.start })
	n := sort.Search(len(toks)-lo, func(i int) bool { return toks[lo+i].end > w.end })
	return toks[lo : lo+n]
}

// markTokens analyzes the words of passage and marks those that match a
// question word, exactly or accent-folded, or, failing that, through its
// prefix term as ranking does (see queryWord.prefixValue). m is the memo of q
// (memoFor), whose space the tokens returned use until its next call; it
// also sets m.held: which question words some passage word matches,
// exactly or accent-folded, whether or not it is that word's best match.
// Words that cannot matter (snippetMemo.mayMatter) are not analysed.
func markTokens(passage string, q query, m *snippetMemo) []markedToken {
	toks := tokenize(passage)
	m.held = slices.Grow(m.held[:0], len(q.words))[:len(q.words)]
	clear(m.held)
	out := slices.Grow(m.marked[:0], len(toks))[:len(toks)]
	m.marked = out
	// Whether the sentence holding each token has text before it, found
	// from the gaps between tokens: tokens hold no sentence-ending mark.
	midSentence, gapStart := false, 0
	vietnamese := len(q.words) > 0 && q.words[0].lang.code == Vietnamese
	for i, t := range toks {
		out[i] = markedToken{token: t, word: -1}
		gap := passage[gapStart:t.start]
		if j := lastSentenceBreak(gap); j >= 0 {
			midSentence = hasNonSpace(gap[j+1:])
		} else if !midSentence {
			midSentence = hasNonSpace(gap)
		}
		kind := anyAnswer
		if w := passage[t.start:t.end]; m.mayMatter(w) {
			kind = m.mark(&out[i], w, q.words, vietnamese)
		}
		out[i].kind = tokenKind(passage, t, midSentence, kind)
		midSentence, gapStart = true, t.end
	}
	markFolded(out, q)
	return out
}

// mark makes t, whose word is w, match the question words it matches (see
// markTokens), sets m.held for them, and returns w's kind (wordKindOf).
func (m *snippetMemo) mark(t *markedToken, w string, words []queryWord, vietnamese bool) answerKind {
	word := m.word(w, vietnamese)
	// Every analysis starts from the forms under the first word's
	// language; the best match is the greatest value, the first word on
	// ties.
	plain := word.plain
	for _, lw := range m.langs {
		f := plain
		if lw.lang.stem != nil {
			f = lw.stemmed(plain)
		}
		c, ok := lw.byForm[f.exact]
		if ok {
			t.match(words, c.exact, f, m.held)
		}
		if f.folded != f.exact {
			c, ok = lw.byForm[f.folded]
		}
		if ok {
			t.match(words, c.folded, f, m.held)
		}
	}
	if p := word.prefix; t.word < 0 && p.exact != "" {
		for _, lw := range m.langs {
			c, ok := lw.byPrefix[p.exact]
			if ok {
				t.matchPrefix(words, c.exact, p)
			}
			if p.folded != p.exact {
				c, ok = lw.byPrefix[p.folded]
			}
			if ok {
				t.matchPrefix(words, c.folded, p)
			}
		}
	}
	return word.kind
}

// markFolded marks the tokens matched only through a folded form: for a
// word typed without accents always, for an accented question word only
// when the passage holds no exact match of it (an exact match is marked
// instead).
func markFolded(out []markedToken, q query) {
	hasExact := make([]bool, len(q.words))
	for _, t := range out {
		if t.word >= 0 && t.marked && !t.prefix {
			hasExact[t.word] = true
		}
	}
	for i, t := range out {
		if t.word >= 0 && !t.marked {
			out[i].marked = !q.words[t.word].accented || !hasExact[t.word]
		}
	}
}

// match makes t match the question word of words[wi], for each wi of
// candidates, when the word's forms f match it better than t's current
// match, or as well with a lower index; it sets held[wi] for each word f
// matches at all. A match is worth the word's IDF, half that for an
// accented word matched only accent-folded, and for a word typed without
// accents its IDF times the weight of t's spelling (spellingWeight).
func (t *markedToken) match(words []queryWord, candidates []int, f wordForms, held []bool) {
	for _, wi := range candidates {
		w := words[wi]
		var v float64
		switch {
		case f.exact == w.exact:
			v = w.idf * w.spellingWeight(f.exact)
		case f.folded == w.folded && w.accented:
			v = w.idf * 0.5
		case f.folded == w.folded:
			v = w.idf * w.spellingWeight(f.exact)
		}
		if f.exact == w.exact || f.folded == w.folded {
			held[wi] = true
		}
		if v > 0 && (v > t.value || v == t.value && wi < t.word) {
			t.word, t.value = wi, v
			t.marked = f.exact == w.exact
		}
	}
}

// matchPrefix makes t match the question word of words[wi], for each wi of
// candidates, through its prefix: when the prefix forms p of t's word
// match the word's prefix, worth prefixValue (half that only accent-folded
// in a question typed with accents: less than a full match), and more
// than t's current prefix match, or as much with a lower index.
func (t *markedToken) matchPrefix(words []queryWord, candidates []int, p wordForms) {
	for _, wi := range candidates {
		w := words[wi]
		var v float64
		switch {
		case p.exact == w.prefix.exact:
			v = w.prefixValue
		case p.folded == w.prefix.folded && w.accented:
			v = w.prefixValue * 0.5
		case p.folded == w.prefix.folded:
			v = w.prefixValue
		}
		if v > 0 && (v > t.value || v == t.value && wi < t.word) {
			t.word, t.value, t.prefix = wi, v, true
			t.marked = p.exact == w.prefix.exact
		}
	}
}

// lastSentenceBreak is strings.LastIndexAny(s, ".!?\n"): the index of the
// last of these bytes in s, -1 when none.
func lastSentenceBreak(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		switch s[i] {
		case '.', '!', '?', '\n':
			return i
		}
	}
	return -1
}

// hasNonSpace reports whether s holds anything but white space.
func hasNonSpace(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) {
			return true
		}
	}
	return false
}

// tokenKind tells what kind of answer a word could be: a number, a date, or
// part of a name (a capitalized word not at the start of a sentence).
// wordKind is the kind of the word wherever it stands (wordKindOf).
func tokenKind(text string, t token, midSentence bool, wordKind answerKind) answerKind {
	r, _ := utf8.DecodeRuneInString(text[t.start:t.end])
	switch {
	case isDigit(r):
		if isDateLike(text, t) {
			return dateAnswer
		}
		return numberAnswer
	case midSentence && isUpper(r):
		return personAnswer
	}
	return wordKind
}

// isDigit is unicode.IsDigit, isUpper unicode.IsUpper, looked up in a table
// for the runes of wordRuneTable.
func isDigit(r rune) bool {
	if r >= 0 && r < wordRuneTableSize {
		return digitRunes.has(r)
	}
	return unicode.IsDigit(r)
}

func isUpper(r rune) bool {
	if r >= 0 && r < wordRuneTableSize {
		return upperRunes.has(r)
	}
	return unicode.IsUpper(r)
}

var digitRunes, upperRunes = runeSetOf(unicode.IsDigit), runeSetOf(unicode.IsUpper)

// wordKindOf tells whether word names a date or a number (wordKinds).
func wordKindOf(word string) answerKind {
	return wordKinds[strings.ToLower(word)]
}

// isDateLike reports whether the number token t reads as part of a date: a
// year, a day/month form, or a number after a date word.
func isDateLike(text string, t token) bool {
	word := text[t.start:t.end]
	if len(word) == 4 && (strings.HasPrefix(word, "19") || strings.HasPrefix(word, "20")) {
		return true
	}
	if t.end < len(text) && text[t.end] == '/' || t.start > 0 && text[t.start-1] == '/' {
		return true
	}
	// A date word ends the lower-case text before t only when it ends with
	// the lower case of its last rune.
	before := strings.TrimSpace(text[max(0, t.start-12):t.start])
	last, _ := utf8.DecodeLastRuneInString(before)
	words := dateWordsEnding[unicode.ToLower(last)]
	if len(words) == 0 {
		return false
	}
	before = strings.ToLower(before)
	for _, w := range words {
		if strings.HasSuffix(before, w) {
			return true
		}
	}
	return false
}

// dateWords and numberWords name dates and quantities in baobot's languages.
var dateWords = setOf(
	"ngày", "tháng", "năm", "thế kỷ", "thập niên", "january", "february", "march", "april",
	"may", "june", "july", "august", "september", "october", "november", "december",
	"century", "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
	"septiembre", "octubre", "noviembre", "diciembre", "siglo", "году", "год", "века", "веке",
	"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
	"октября", "ноября", "декабря",
)

// dateWordsEnding are the words of dateWords by their last rune.
var dateWordsEnding = func() map[rune][]string {
	m := make(map[rune][]string)
	for w := range dateWords {
		last, _ := utf8.DecodeLastRuneInString(w)
		m[last] = append(m[last], w)
	}
	return m
}()

// wordKinds is the kind of each word of dateWords and numberWords, a date
// when it is both.
var wordKinds = func() map[string]answerKind {
	m := make(map[string]answerKind, len(dateWords)+len(numberWords))
	for w := range numberWords {
		m[w] = numberAnswer
	}
	for w := range dateWords {
		m[w] = dateAnswer
	}
	return m
}()

var numberWords = setOf(
	"một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín", "mười", "trăm", "nghìn",
	"ngàn", "triệu", "tỷ", "tỉ", "phút", "giờ", "one", "two", "three", "four", "five", "six",
	"seven", "eight", "nine", "ten", "hundred", "thousand", "million", "billion", "uno", "dos",
	"tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "cien", "mil", "millones",
	"один", "два", "три", "четыре", "пять", "десять", "сто", "тысяч", "миллионов",
)

// snippetMemo holds what the snippets of one question share: what depends
// on the question alone, made once for all its results, and the stemmed
// forms of passage words, kept across questions. One call uses it at a
// time: it is taken from snippetMemos and given back.
type snippetMemo struct {
	text    string
	words   []queryWord // the question's words (their idf is read from the query)
	before  float64     // answerBefore
	langs   []langWords // the languages of the words, in their order
	stems   map[*language]map[string]stemmedForms
	surface [2]map[string]passageWord // by surface form; [1] under Vietnamese analysis
	marked  []markedToken             // markTokens' result
	held    []bool                    // markTokens' result: the question words the passage holds
	// filter holds the forms passage words that matter have (setFilter),
	// when filtered.
	filter   formFilter
	filtered bool
}

// passageWord is what markTokens needs to know of a passage word wherever
// it stands.
type passageWord struct {
	plain  wordForms  // forms(word, vietnamese)
	prefix wordForms  // wordPrefix(plain), exact "" when it has none
	kind   answerKind // wordKindOf(word)
}

// langWords are the question words of one language by form.
type langWords struct {
	lang   *language
	byForm map[string]wordsWithForm
	// byPrefix are the words by the forms of their prefix (queryWord.prefix).
	byPrefix map[string]wordsWithForm
	stems    map[string]stemmedForms // by plain exact form; nil when lang does not stem
}

// wordsWithForm are the question words (indices into query.words) whose
// exact, or folded, form is a given one, in order.
type wordsWithForm struct{ exact, folded []int }

// stemmedForms are the stemmed forms of a word whose plain folded form is
// folded.
type stemmedForms struct {
	folded  string
	stemmed wordForms
}

// maxMemoWords bounds the words a memo keeps (surface words per analysis,
// stemmed forms per language); a full map starts over. Every CPU that
// re-scores hits (Searcher.rescore) keeps a memo of its own, and a full one
// holds a few MB: 1 << 13 keeps two of them about as small as one of
// 1 << 14 was, as fast; 1 << 12 starts over too often (see README,
// Performance).
const maxMemoWords = 1 << 13

var snippetMemos = sync.Pool{New: func() any {
	return &snippetMemo{stems: make(map[*language]map[string]stemmedForms)}
}}

// memoFor returns a memo from snippetMemos made for q.
func memoFor(q query) *snippetMemo {
	m := snippetMemos.Get().(*snippetMemo)
	if m.text == q.text && slices.EqualFunc(m.words, q.words, sameWord) {
		return m
	}
	m.text, m.words = q.text, append(m.words[:0], q.words...)
	m.before = answerBefore(q)
	m.langs = m.langs[:0]
	for wi, w := range q.words {
		k := slices.IndexFunc(m.langs, func(lw langWords) bool { return lw.lang == w.lang })
		if k < 0 {
			stems := m.stems[w.lang]
			if stems == nil && w.lang.stem != nil {
				stems = make(map[string]stemmedForms)
				m.stems[w.lang] = stems
			}
			k = len(m.langs)
			m.langs = append(m.langs, langWords{lang: w.lang, byForm: make(map[string]wordsWithForm), stems: stems})
		}
		m.langs[k].byForm = addForms(m.langs[k].byForm, w.exact, w.folded, wi)
		if w.prefix.exact != "" {
			m.langs[k].byPrefix = addForms(m.langs[k].byPrefix, w.prefix.exact, w.prefix.folded, wi)
		}
	}
	m.setFilter()
	return m
}

// addForms adds word wi to byForm under its exact and folded forms, making
// byForm when nil, and returns it.
func addForms(byForm map[string]wordsWithForm, exact, folded string, wi int) map[string]wordsWithForm {
	if byForm == nil {
		byForm = make(map[string]wordsWithForm)
	}
	e := byForm[exact]
	e.exact = append(e.exact, wi)
	byForm[exact] = e
	e = byForm[folded]
	e.folded = append(e.folded, wi)
	byForm[folded] = e
	return byForm
}

// sameWord reports whether a and b are the same word, whatever their IDFs.
func sameWord(a, b queryWord) bool {
	return a.lang == b.lang && a.exact == b.exact && a.folded == b.folded && a.accented == b.accented && a.prefix == b.prefix
}

// stemmed returns stemmed(lw.lang, plain), remembered.
func (lw langWords) stemmed(plain wordForms) wordForms {
	if s, ok := lw.stems[plain.exact]; ok && s.folded == plain.folded {
		return s.stemmed
	}
	f := stemmed(lw.lang, plain)
	if len(lw.stems) >= maxMemoWords {
		clear(lw.stems)
	}
	// Copies: the forms may be parts of the passage's article.
	lw.stems[strings.Clone(plain.exact)] = stemmedForms{
		folded:  strings.Clone(plain.folded),
		stemmed: wordForms{exact: strings.Clone(f.exact), folded: strings.Clone(f.folded)},
	}
	return f
}

// word returns what markTokens needs to know of the passage word w under
// the Vietnamese analysis or not, remembered.
func (m *snippetMemo) word(w string, vietnamese bool) passageWord {
	v := 0
	if vietnamese {
		v = 1
	}
	if pw, ok := m.surface[v][w]; ok {
		return pw
	}
	pw := passageWord{plain: forms(w, vietnamese), kind: wordKindOf(w)}
	if !vietnamese { // Vietnamese is not stemmed: no prefix terms
		pw.prefix, _ = wordPrefix(pw.plain)
	}
	if m.surface[v] == nil || len(m.surface[v]) >= maxMemoWords {
		m.surface[v] = make(map[string]passageWord)
	}
	// Copies: the forms may be parts of the passage's article.
	m.surface[v][strings.Clone(w)] = passageWord{
		plain:  wordForms{exact: strings.Clone(pw.plain.exact), folded: strings.Clone(pw.plain.folded)},
		prefix: pw.prefix, // made afresh: no part of the article
		kind:   pw.kind,
	}
	return pw
}

// cutSnippet returns the shown window of c as a snippet of at most maxChars
// characters, with the marks of the question words inside it. A sentence
// shown with a neighbour for context stays whole, the neighbour cut; any
// other window too long is cut around its densest part (densestWindow).
func cutSnippet(passage string, c windowChoice, toks []markedToken, want answerKind, before float64, maxChars int) snippet {
	w := c.shown
	start, end := w.start, w.end
	if utf8.RuneCountInString(passage[start:end]) > maxChars {
		n := utf8.RuneCountInString(passage[c.sentence.start:c.sentence.end])
		switch {
		case c.window == c.sentence && n <= maxChars-2 && w.end > c.sentence.end:
			start, end = c.sentence.start, runeLimit(passage, c.sentence.start, w.end, maxChars-1)
		case c.window == c.sentence && n <= maxChars-2:
			start, end = extendLeft(passage, c.sentence.start, w.start, maxChars-1-n), c.sentence.end
		default:
			start, end = densestWindow(passage, w, toks, want, before, maxChars-2)
		}
	}
	var b strings.Builder
	if start > w.start {
		b.WriteString("…")
	}
	offset := b.Len() - start
	b.WriteString(strings.ReplaceAll(passage[start:end], "\n", " "))
	if end < w.end {
		b.WriteString("…")
	}
	var marks [][2]int
	for _, t := range within(toks, span{start, end}) {
		if !t.marked {
			continue
		}
		m := [2]int{t.start + offset, t.end + offset}
		if n := len(marks); n > 0 && strings.TrimSpace(passage[marks[n-1][1]-offset:t.start]) == "" {
			marks[n-1][1] = m[1]
			continue
		}
		marks = append(marks, m)
	}
	return snippet{text: b.String(), marks: marks}
}

// densestWindow finds the span of at most maxChars characters inside w,
// starting and ending at word boundaries, that holds the most question-word
// weight: the shortest run of matched words with the most distinct weight,
// then widened on both sides, the share before given by before (answers
// sit around the question's words, not only after them), leaning instead
// towards the nearest word of the wanted kind when there is one, kept whole
// with the words of its kind next to it (a name, a date).
func densestWindow(passage string, w span, toks []markedToken, want answerKind, before float64, maxChars int) (int, int) {
	inside := within(toks, w)
	core := densestCore(passage, inside, maxChars)
	if core.start < 0 {
		return w.start, runeLimit(passage, w.start, w.end, maxChars)
	}

	budget := maxChars - utf8.RuneCountInString(passage[core.start:core.end])
	left := int(float64(budget) * before)
	if want != anyAnswer {
		nearest, dist := -1, -1
		for i, t := range inside {
			if !isAnswerWord(t, want) || (t.start >= core.start && t.end <= core.end) {
				continue
			}
			d := t.start - core.end
			if t.end <= core.start {
				d = core.start - t.end
			}
			if dist < 0 || d < dist {
				nearest, dist = i, d
			}
		}
		// The nearest word of the wanted kind, with the words of that kind
		// next to it: a whole name or date.
		if nearest >= 0 && inside[nearest].end <= core.start {
			for nearest > 0 && isAnswerWord(inside[nearest-1], want) && adjacent(passage, inside[nearest-1], inside[nearest]) {
				nearest--
			}
			left = min(budget, utf8.RuneCountInString(passage[inside[nearest].start:core.start])+8)
		} else if nearest >= 0 {
			for nearest+1 < len(inside) && isAnswerWord(inside[nearest+1], want) && adjacent(passage, inside[nearest], inside[nearest+1]) {
				nearest++
			}
			left = max(0, budget-utf8.RuneCountInString(passage[core.end:inside[nearest].end])-24)
		}
	}
	start := extendLeft(passage, core.start, w.start, left)
	end := runeLimit(passage, start, w.end, maxChars)
	if end < core.end { // the word boundary cut into the core: keep the core whole
		start = core.start
		end = runeLimit(passage, start, w.end, maxChars)
	}
	// Room left at the end (the window's end was reached): give it to the start.
	if rest := maxChars - utf8.RuneCountInString(passage[start:end]); end == w.end && rest > 0 {
		start = extendLeft(passage, start, w.start, rest)
	}
	return start, end
}

// densestCore returns the shortest run of the tokens inside (in text order)
// of at most maxChars characters with the most distinct question-word
// weight, its start -1 when no token matches. Prefix matches, weaker and
// less sure, are left out: they are shown but do not pull the cut.
func densestCore(passage string, inside []markedToken, maxChars int) span {
	// The characters from the first token to each token's start and end:
	// a run's length is a difference of two.
	startAt, endAt := make([]int, len(inside)), make([]int, len(inside))
	nWords, n := 0, 0
	for k, t := range inside {
		if k > 0 {
			n += utf8.RuneCountInString(passage[inside[k-1].end:t.start])
		}
		startAt[k] = n
		n += utf8.RuneCountInString(passage[t.start:t.end])
		endAt[k] = n
		nWords = max(nWords, t.word+1)
	}
	seen := make([]int, nWords) // i+1 for the words counted in the runs from inside[i]
	core, bestScore := span{-1, -1}, 0.0
	for i, first := range inside {
		if first.word < 0 || first.prefix {
			continue
		}
		var sc float64
		for j := i; j < len(inside); j++ {
			t := inside[j]
			if t.word < 0 || t.prefix || seen[t.word] == i+1 {
				continue
			}
			if endAt[j]-startAt[i] > maxChars {
				break
			}
			seen[t.word] = i + 1
			sc += t.value
			if sc > bestScore+1e-9 || (sc > bestScore-1e-9 && t.end-first.start < core.end-core.start) {
				core, bestScore = span{first.start, t.end}, sc
			}
		}
	}
	return core
}

// isAnswerWord reports whether t could be (part of) the answer a question
// wanting kind asks for: a word of that kind that is not a question word.
func isAnswerWord(t markedToken, kind answerKind) bool {
	return t.kind == kind && t.word < 0
}

// adjacent reports whether tokens a and b (a first) are next to each other:
// nothing but spaces and a few characters of punctuation between them, as
// in "Frederick W. Mote" or "ngày 12 tháng 5".
func adjacent(passage string, a, b markedToken) bool {
	gap := passage[a.end:b.start]
	return len(gap) <= 3 && strings.TrimLeft(gap, " .-/") == ""
}

// extendLeft moves start left by up to n characters, not past limit, to the
// start of a word.
func extendLeft(passage string, start, limit, n int) int {
	i := start
	for i > limit && n > 0 {
		_, size := utf8.DecodeLastRuneInString(passage[:i])
		i -= size
		n--
	}
	if i == limit {
		return i
	}
	// Inside a word: move on to its end, then past spaces and punctuation.
	for i < start {
		if r, _ := utf8.DecodeLastRuneInString(passage[:i]); unicode.IsSpace(r) {
			break
		}
		_, size := utf8.DecodeRuneInString(passage[i:])
		i += size
	}
	for i < start {
		r, size := utf8.DecodeRuneInString(passage[i:])
		if !unicode.IsSpace(r) && !strings.ContainsRune(",;:)", r) {
			break
		}
		i += size
	}
	return i
}

// runeLimit returns the end of the longest prefix of passage[start:end] of
// at most maxChars characters that ends at a word boundary.
func runeLimit(passage string, start, end, maxChars int) int {
	n, i := 0, start
	for i < end && n < maxChars {
		_, size := utf8.DecodeRuneInString(passage[i:])
		i += size
		n++
	}
	if i >= end {
		return end
	}
	if sp := strings.LastIndexAny(passage[start:i], " \t\n"); sp > 0 {
		i = start + sp
	}
	for i > start {
		r, size := utf8.DecodeLastRuneInString(passage[:i])
		if !unicode.IsSpace(r) && !strings.ContainsRune(",;:(–-", r) {
			break
		}
		i -= size
	}
	return i
}
