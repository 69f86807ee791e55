package retrieval

import "unicode"

// AnalysisVersion changes whenever the analysis rules change in a way that
// changes the terms of already indexed text. An index built with another
// version must be rebuilt (baobot reindex).
const AnalysisVersion = 2

// Index terms come in two namespaces. An exact term is a word as written
// (NFC, case-folded, canonical tone placement; stemmed for languages Snowball
// stems). A word whose accent-folded form differs also gets a folded term,
// foldedPrefix + folded form; a plain-ASCII word's exact term already is its
// folded form. So the folded key of a word is found under both "hoa" (words
// written hoa) and "~hoa" (hòa, hóa, họa…). Vietnamese adds the same two
// kinds of term for each pair of adjacent syllables, joined by a space.
// Languages Snowball stems add both kinds of term for each word's first
// prefixLetters letters, marked with prefixMark (see wordPrefix).
const foldedPrefix = "~"

// prefixMark starts a prefix term; prefixLetters is its length in letters.
const (
	prefixMark    = "^"
	prefixLetters = 4
)

// Analyzer turns article text and questions into index terms. It is safe for
// concurrent use.
type Analyzer struct{}

// NewAnalyzer returns the analyzer with baobot's rules.
func NewAnalyzer() *Analyzer { return &Analyzer{} }

// ArticleLanguage is the analysis language of a: its own when baobot has an
// analysis for it, else the detected one, else Vietnamese.
func (an *Analyzer) ArticleLanguage(a Article) string {
	if code, ok := SupportedLanguage(a.Language); ok {
		return code
	}
	code, _ := detectLanguage(a.Title + "\n" + a.Text())
	return code
}

// IndexArticle splits a into passages and analyzes each one.
func (an *Analyzer) IndexArticle(a Article) IndexedArticle { return an.indexArticle(a, false) }

// IndexArticleExact is IndexArticle without the folded terms (those with
// FoldedPrefix), for an index that derives them from the exact ones (see
// FoldedForm): the same analysis, less to count.
func (an *Analyzer) IndexArticleExact(a Article) IndexedArticle { return an.indexArticle(a, true) }

func (an *Analyzer) indexArticle(a Article, exactOnly bool) IndexedArticle {
	lang := an.ArticleLanguage(a)
	l := languages[lang]
	text := a.Text()
	spans := splitPassages(text)
	out := IndexedArticle{Article: a, Language: lang, Passages: make([]IndexedPassage, 0, len(spans))}
	for i, s := range spans {
		terms := make(map[string]uint32, (s.end-s.start)/4)
		length := analyzeTerms(l, text[s.start:s.end], !exactOnly, func(term string) { terms[term]++ })
		out.Passages = append(out.Passages, IndexedPassage{
			Ordinal: i + 1, Start: s.start, End: s.end, Length: length, Terms: terms,
		})
	}
	return out
}

// analyzeTerms emits the index terms of text under language l, the folded
// ones (FoldedPrefix + form) only when withFolded is set, and returns its
// length in words.
func analyzeTerms(l *language, text string, withFolded bool, emit func(term string)) uint32 {
	toks := tokenize(text)
	vietnamese := l.code == Vietnamese
	var prev wordForms
	for i, t := range toks {
		f := forms(text[t.start:t.end], vietnamese)
		if l.stopword != nil && l.stopword(f.exact) {
			prev = wordForms{}
			continue
		}
		if l.stem != nil {
			if p, ok := wordPrefix(f); ok {
				emitWord(emit, p, withFolded)
			}
			f = stemmed(l, f)
		}
		emitWord(emit, f, withFolded)
		if l.pairs && i > 0 && t.joined && prev.exact != "" {
			emit(prev.exact + " " + f.exact)
			if withFolded && (prev.folded != prev.exact || f.folded != f.exact) {
				emit(foldedPrefix + prev.folded + " " + f.folded)
			}
		}
		prev = f
	}
	return uint32(len(toks))
}

// emitWord emits the exact term of f and, when withFolded and it differs,
// its folded term.
func emitWord(emit func(string), f wordForms, withFolded bool) {
	emit(f.exact)
	if withFolded && f.folded != f.exact {
		emit(foldedPrefix + f.folded)
	}
}

// wordPrefix returns the prefix term of a word (before stemming) longer
// than prefixLetters letters: prefixMark and its first prefixLetters
// letters. It joins the forms of one word that Snowball stems apart
// (Суперкубок and Суперкубка) and words of one family that it does not
// conflate (colonia, colonos; septicemia, septicemic). ok is false for a
// shorter word or one holding a digit.
func wordPrefix(f wordForms) (wordForms, bool) {
	n := 0
	for i, r := range f.exact {
		if !unicode.IsLetter(r) {
			return wordForms{}, false
		}
		if n == prefixLetters {
			exact := prefixMark + f.exact[:i]
			return wordForms{exact: exact, folded: foldAccents(exact)}, true
		}
		n++
	}
	return wordForms{}, false
}

// stemmed applies l's stemmer to both forms of a word.
func stemmed(l *language, f wordForms) wordForms {
	exact := l.stem(f.exact, true)
	folded := exact
	if f.folded != f.exact {
		folded = foldAccents(exact)
	}
	return wordForms{exact: exact, folded: folded}
}
