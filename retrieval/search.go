package retrieval

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Params tune ranking and answers. DefaultParams gives the values chosen on
// the XQuAD development questions.
type Params struct {
	K1            float64 // BM25 term-frequency saturation
	B             float64 // BM25 length normalization
	MaxPerArticle int     // results from one article among the results
	MinConfidence float64 // share of the question's term weight (words and pairs, by IDF) the best passage must hold
	SnippetChars  int     // longest snippet, in characters
	MaxQuestion   int     // longest question, in characters
	FoldedWeight  float64 // weight of an accent-folded match in an accented question
	PairWeight    float64 // weight of a Vietnamese syllable pair relative to a syllable
	// Proximity boosts a passage whose best one- or two-sentence window
	// holds much of the question: score × (1 + Proximity × window share).
	Proximity float64
}

// DefaultParams returns baobot's default ranking parameters.
func DefaultParams() Params {
	return Params{
		K1: 1.2, B: 0.75, MaxPerArticle: 1, MinConfidence: 0.35,
		SnippetChars: 320, MaxQuestion: 1000, FoldedWeight: 0.35, PairWeight: 1, Proximity: 2,
	}
}

// Answer is baobot's reply to a question: quoted snippets and their sources.
// Confident is false when nothing matched well enough to be trusted; the
// results are then the closest passages, not an answer.
type Answer struct {
	Question  string
	Confident bool
	Results   []Result
}

// Result is one quoted passage.
type Result struct {
	Article Article
	Passage int      // 1-based position of the passage in the article
	Snippet string   // verbatim text of the passage, "…" where it was cut
	Marks   [][2]int // byte ranges of Snippet holding the question's words
	Score   float64
}

// QuestionError is a question that cannot be asked (empty, too long, no
// words). Its Reason is meant for the user.
type QuestionError struct {
	Reason string
	Limit  int // the length limit, for ErrTooLong
}

func (e *QuestionError) Error() string { return e.Reason }

// Reasons a question is refused.
const (
	ReasonEmpty   = "empty"
	ReasonTooLong = "too long"
	ReasonNoWords = "no words"
)

// Searcher answers questions from an index. It is safe for concurrent use.
type Searcher struct {
	index    Index
	analyzer *Analyzer
	params   Params
}

// NewSearcher returns a searcher over index.
func NewSearcher(index Index, analyzer *Analyzer, params Params) *Searcher {
	return &Searcher{index: index, analyzer: analyzer, params: params}
}

// CheckQuestion returns a *QuestionError when question cannot be asked.
func CheckQuestion(question string, maxChars int) error {
	q := strings.TrimSpace(question)
	if q == "" {
		return &QuestionError{Reason: ReasonEmpty}
	}
	if n := utf8.RuneCountInString(q); maxChars > 0 && n > maxChars {
		return &QuestionError{Reason: ReasonTooLong, Limit: maxChars}
	}
	if strings.IndexFunc(q, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
		return &QuestionError{Reason: ReasonNoWords}
	}
	return nil
}

// Ask answers question with up to k results.
func (s *Searcher) Ask(question string, k int) (Answer, error) {
	if err := CheckQuestion(question, s.params.MaxQuestion); err != nil {
		return Answer{Question: question}, err
	}
	if !utf8.ValidString(question) {
		question = strings.ToValidUTF8(question, " ")
	}
	ans := Answer{Question: strings.TrimSpace(question)}
	err := s.index.View(func(r IndexReader) error {
		q := analyzeQuery(ans.Question, r.Languages(), s.params)
		hits, err := s.rank(r, &q)
		if err != nil {
			return err
		}
		results, err := s.spread(r, hits, max(k, rerankDepth))
		if err != nil {
			return err
		}
		for i := range results {
			h := &results[i]
			text := h.article.Text()
			h.snippet = chooseSnippet(text[h.ref.Start:h.ref.End], q, s.params.SnippetChars)
			h.score *= 1 + s.params.Proximity*h.snippet.coverage
		}
		sort.SliceStable(results, func(i, j int) bool { return results[i].score > results[j].score })
		if len(results) > k {
			results = results[:k]
		}
		for _, h := range results {
			ans.Results = append(ans.Results, Result{
				Article: h.article, Passage: h.ref.Ordinal,
				Snippet: h.snippet.text, Marks: h.snippet.marks, Score: h.score,
			})
		}
		if len(results) > 0 {
			ans.Confident = results[0].coverage >= s.params.MinConfidence
		}
		return nil
	})
	if err != nil {
		return ans, fmt.Errorf("answering %q: %w", ans.Question, err)
	}
	return ans, nil
}

// hit is a scored passage.
type hit struct {
	id       PassageID
	score    float64
	coverage float64 // share of the question's term weight (IDF × group weight) this passage holds
	ref      PassageRef
	article  Article
	snippet  snippet
}

// accumulator collects a passage's score and which question words it holds.
type accumulator struct {
	score   float64
	matched float64 // idf × weight of the question's term groups the passage holds
}

// rank scores every passage that holds a question term with BM25 and returns
// them best first.
func (s *Searcher) rank(r IndexReader, q *query) ([]hit, error) {
	stats := r.Stats()
	if stats.Passages == 0 || len(q.groups) == 0 {
		return nil, nil
	}
	n := float64(stats.Passages)
	avgdl := stats.AverageLength()
	k1, b := s.params.K1, s.params.B

	acc := make(map[PassageID]*accumulator)
	wordIDF := make([]float64, len(q.words))
	var merged []Posting
	var groupTotal float64 // weight of every group: idf × weight
	for _, g := range q.groups {
		var err error
		merged, err = mergedPostings(r, g.keys, merged[:0])
		if err != nil {
			return nil, err
		}
		if len(merged) == 0 {
			// A term that occurs nowhere still counts in the question's
			// weight: a question about something the collection lacks must
			// not look covered.
			groupTotal += g.weight * math.Log(1+(n+0.5)/0.5)
			continue
		}
		df := float64(len(merged))
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		if g.word >= 0 && idf > wordIDF[g.word] {
			wordIDF[g.word] = idf
		}
		w := g.weight * idf
		groupTotal += w
		for _, p := range merged {
			tf := float64(p.TF)
			norm := k1 * (1 - b + b*float64(p.Length)/avgdl)
			a := acc[p.Passage]
			if a == nil {
				a = &accumulator{}
				acc[p.Passage] = a
			}
			a.score += w * tf * (k1 + 1) / (tf + norm)
			a.matched += w
		}
	}

	// A word that occurs nowhere still weighs in snippet choice.
	for i, idf := range wordIDF {
		if idf == 0 {
			idf = math.Log(1 + (n+0.5)/0.5)
		}
		q.words[i].idf = idf
	}
	hits := make([]hit, 0, len(acc))
	for id, a := range acc {
		h := hit{id: id, score: a.score}
		if groupTotal > 0 {
			h.coverage = a.matched / groupTotal
		}
		hits = append(hits, h)
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].score != hits[j].score {
			return hits[i].score > hits[j].score
		}
		return hits[i].id < hits[j].id
	})
	return hits, nil
}

// mergedPostings returns the union of the postings of keys, term
// frequencies of one passage summed, in passage order, appended to dst.
func mergedPostings(r IndexReader, keys []string, dst []Posting) ([]Posting, error) {
	for i, key := range keys {
		ps, err := r.Postings(key)
		if err != nil {
			return nil, err
		}
		if i == 0 || len(dst) == 0 {
			dst = append(dst, ps...)
			continue
		}
		if len(ps) == 0 {
			continue
		}
		out := make([]Posting, 0, len(dst)+len(ps))
		a, b := dst, ps
		for len(a) > 0 && len(b) > 0 {
			switch {
			case a[0].Passage < b[0].Passage:
				out, a = append(out, a[0]), a[1:]
			case a[0].Passage > b[0].Passage:
				out, b = append(out, b[0]), b[1:]
			default:
				p := a[0]
				p.TF += b[0].TF
				out, a, b = append(out, p), a[1:], b[1:]
			}
		}
		out = append(append(out, a...), b...)
		dst = append(dst[:0], out...)
	}
	return dst, nil
}

// spread takes hits best first, at most MaxPerArticle from one article,
// until it has k, and resolves their passages and articles.
func (s *Searcher) spread(r IndexReader, hits []hit, k int) ([]hit, error) {
	if k <= 0 {
		k = 3
	}
	perArticle := make(map[string]int)
	articles := make(map[string]Article)
	var out []hit
	for _, h := range hits {
		if len(out) == k {
			break
		}
		ref, err := r.Passage(h.id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if s.params.MaxPerArticle > 0 && perArticle[ref.ArticleID] >= s.params.MaxPerArticle {
			continue
		}
		a, ok := articles[ref.ArticleID]
		if !ok {
			if a, err = r.Article(ref.ArticleID); err != nil {
				if errors.Is(err, ErrNotFound) {
					continue
				}
				return nil, err
			}
			articles[ref.ArticleID] = a
		}
		if ref.End > len(a.Text()) || ref.Start > ref.End {
			continue
		}
		perArticle[ref.ArticleID]++
		h.ref, h.article = ref, a
		out = append(out, h)
	}
	return out, nil
}

// rerankDepth is how many of the best BM25 passages are re-scored by how
// closely together they hold the question's words.
const rerankDepth = 20
