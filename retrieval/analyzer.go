package retrieval

// AnalysisVersion changes whenever the analysis rules change in a way that
// changes the terms of already indexed text. An index built with another
// version must be rebuilt (baobot reindex).
const AnalysisVersion = 1

// Analyzer turns article text and questions into index terms.
type Analyzer struct{}

// NewAnalyzer returns the analyzer with baobot's rules.
func NewAnalyzer() *Analyzer { return &Analyzer{} }

// IndexArticle splits a into passages and analyzes each one. The language is
// the article's own or, when it has none, the detected one.
func (an *Analyzer) IndexArticle(a Article) IndexedArticle {
	// placeholder: replaced by the real analysis chain.
	return IndexedArticle{Article: a, Language: "vi", Passages: []IndexedPassage{{Ordinal: 1, Start: 0, End: len(a.Text()), Length: 1, Terms: map[string]uint32{"x": 1}}}}
}
