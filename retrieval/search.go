package retrieval

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
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
	PairWeight    float64 // weight of a Vietnamese syllable pair relative to a syllable
	// PrefixWeight is the weight, relative to a word, of its first four
	// letters (stemmed languages: see wordPrefix), which also match the
	// words of its family that stemming keeps apart.
	PrefixWeight float64
	// Proximity boosts a passage whose best one- or two-sentence window
	// holds much of the question: score × (1 + Proximity × window share).
	Proximity float64
	// NameWeight boosts a passage that holds the question's proper names:
	// score × (1 + NameWeight × name share) when the question has names,
	// see nameShare.
	NameWeight float64
}

// DefaultParams returns baobot's default ranking parameters.
func DefaultParams() Params {
	return Params{
		K1: 1.2, B: 0.75, MaxPerArticle: 1, MinConfidence: 0.35,
		SnippetChars: 320, MaxQuestion: 1000, PairWeight: 1, PrefixWeight: 1,
		Proximity: 2, NameWeight: 0.5,
	}
}

// Answer is baobot's reply to a question: quoted snippets and their sources.
// Confident is false when nothing matched well enough to be trusted; the
// results are then the closest passages, not an answer.
type Answer struct {
	Question  string
	Confident bool
	Results   []Result
	// Corrections are the question's words that no passage holds, read
	// as the nearest words of the collection (misspellings: "Ghandi" read
	// as "Gandhi"). An answer they alone support is not confident.
	Corrections []Correction
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
	asking   atomic.Int32 // questions being answered: MaxScore's parts share the CPUs out among them
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
	s.asking.Add(1)
	defer s.asking.Add(-1)
	err := s.index.View(func(r IndexReader) error {
		q := analyzeQuery(ans.Question, r.Languages(), s.params)
		if err := q.readPlainWords(r); err != nil {
			return err
		}
		if err := q.readAmbiguousWords(r); err != nil {
			return err
		}
		if err := q.readMisspelledWords(r); err != nil {
			return err
		}
		if err := q.readSpellings(r); err != nil {
			return err
		}
		results, err := s.rankSpread(r, &q, max(k, rerankDepth))
		if err != nil {
			return err
		}
		if results, err = s.rescore(results, q); err != nil {
			return err
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
		ans.Corrections = q.corrections(ans.Results)
		return nil
	})
	if err != nil {
		return ans, fmt.Errorf("answering %q: %w", ans.Question, err)
	}
	return ans, nil
}

// rescore reads each hit's article, chooses its snippet and re-scores the
// hit by it (see rerankDepth). It runs inside the View that found the hits.
// The hits are independent of each other and, once spread has found their
// articles, need nothing of the transaction's goroutine, so they are
// shared out among up to GOMAXPROCS goroutines: a question is answered
// sooner while the other CPUs are idle, and each hit comes out as it would
// alone. A hit whose passage lies outside its article's text is dropped;
// an article that does not decode is an error.
func (s *Searcher) rescore(results []hit, q query) ([]hit, error) {
	var next atomic.Int32
	work := func() {
		for i := int(next.Add(1)) - 1; i < len(results); i = int(next.Add(1)) - 1 {
			h := &results[i]
			if h.article, h.err = h.stored(); h.err != nil {
				continue
			}
			text := h.article.Text()
			if h.ref.End > len(text) || h.ref.Start > h.ref.End {
				h.dropped = true
				continue
			}
			h.snippet = chooseSnippet(text[h.ref.Start:h.ref.End], q, s.params.SnippetChars)
			h.score *= h.snippet.support * (1 + s.params.Proximity*h.snippet.coverage)
			if share, ok := nameShare(h.snippet.held, q); ok {
				h.score *= 1 + s.params.NameWeight*share
			}
		}
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(results)) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	for _, h := range results {
		if h.err != nil {
			return nil, h.err
		}
	}
	return slices.DeleteFunc(results, func(h hit) bool { return h.dropped }), nil
}

// hit is a scored passage.
type hit struct {
	id       PassageID
	score    float64
	coverage float64 // share of the question's term weight (IDF × group weight) this passage holds
	key      uint64  // ranking's article key (ArticleKeyer), when it keeps one passage per article
	ref      PassageRef
	stored   func() (Article, error) // the article of ref, read once however often called (spread)
	article  Article                 // what stored returned (rescore)
	err      error                   // what stored returned
	dropped  bool                    // ref lies outside the article's text
	snippet  snippet
}

// rankDepth is how many of the best hits rank returns at first; spread
// asks for more when they do not hold enough distinct articles.
const rankDepth = 4 * rerankDepth

// rank scores every passage that holds a question term with BM25 and returns
// the best rankDepth of them, best first.
func (s *Searcher) rank(r IndexReader, q *query) ([]hit, error) {
	sc := scratchPool.Get().(*rankScratch)
	defer scratchPool.Put(sc)
	defer sc.reset()
	if err := s.score(r, q, sc); err != nil {
		return nil, err
	}
	hits, _ := s.withCoverage(q, sc, rankDepth)
	return hits, nil
}

// bm25 weighs the occurrences of a term in a passage as BM25 does, in one
// collection: its length normalisation k1·(1 − b + b·length/avgdl) is
// base + slope·length.
type bm25 struct {
	k1, base, slope float64
}

func newBM25(p Params, s Stats) bm25 {
	return bm25{k1: p.K1, base: p.K1 * (1 - p.B), slope: p.K1 * p.B / s.AverageLength()}
}

// weigh is what a term of weight w (its group's weight × IDF), found tf
// times in a passage of length, adds to the passage's score.
func (m bm25) weigh(w, tf float64, length uint32) float64 {
	return w * tf * (m.k1 + 1) / (tf + m.base + m.slope*float64(length))
}

// score accumulates the BM25 score of every passage holding a question term
// into sc, term group after term group (time for one group is in
// proportion to its postings: dense arrays, no map, no sort), and sets the
// IDF of the question's words.
func (s *Searcher) score(r IndexReader, q *query, sc *rankScratch) error {
	stats := r.Stats()
	if stats.Passages == 0 || len(q.groups) == 0 {
		return nil
	}
	n := float64(stats.Passages)
	okapi := newBM25(s.params, stats)

	idfs := newWordIDFs(q)
	q.termWeight = 0
	for _, g := range q.groups {
		// The group's postings: the passages of all its keys, their term
		// frequencies summed.
		sc.group = sc.group[:0]
		for _, key := range g.keys {
			ps, err := r.Postings(key)
			if err != nil {
				return err
			}
			if len(ps) > 0 {
				sc.grow(ps[len(ps)-1].Passage)
			}
			for _, p := range ps {
				if sc.tf[p.Passage] == 0 {
					sc.group = append(sc.group, p.Passage)
					sc.length[p.Passage] = p.Length
				}
				sc.tf[p.Passage] += p.TF
			}
		}
		term, cover := g.weights(len(sc.group), n)
		q.termWeight += term
		if len(sc.group) == 0 {
			continue
		}
		idf := idf(len(sc.group), n)
		idfs.note(g, idf)
		w := g.weight * idf
		for _, id := range sc.group {
			tf := float64(sc.tf[id])
			sc.tf[id] = 0
			if sc.score[id] == 0 && sc.matched[id] == 0 {
				sc.touched = append(sc.touched, id)
			}
			sc.score[id] += okapi.weigh(w, tf, sc.length[id])
			sc.matched[id] += cover
		}
	}

	// A word that occurs nowhere still weighs in snippet choice.
	idfs.set(q, n, s.params.PrefixWeight)
	return nil
}

// withCoverage returns the best depth hits of sc, best first, with the
// share of the question's term weight (words and pairs, by IDF) each holds,
// and whether they are all the hits.
func (s *Searcher) withCoverage(q *query, sc *rankScratch, depth int) ([]hit, bool) {
	hits, all := sc.topHits(depth)
	if q.termWeight > 0 {
		for i := range hits {
			hits[i].coverage = sc.matched[hits[i].id] / q.termWeight
		}
	}
	return hits, all
}

// rankSpread ranks the passages for q and returns the best k of them, at
// most MaxPerArticle from one article, resolved. It spreads the best 2k
// hits that MaxScore finds; only when they hold too few distinct articles
// does it score every passage and spread over deeper hits.
func (s *Searcher) rankSpread(r IndexReader, q *query, k int) ([]hit, error) {
	// One passage per article: MaxScore keeps each article's best, and
	// the best k articles are exactly what spread would take.
	perArticle := s.params.MaxPerArticle == 1
	depth := 2 * k
	if perArticle {
		depth = k
	}
	hits, all, err := s.maxScore(r, q, depth, perArticle)
	if err != nil {
		return nil, err
	}
	out, err := s.spread(r, hits, k)
	if err != nil || len(out) >= k || all {
		return out, err
	}
	sc := scratchPool.Get().(*rankScratch)
	defer scratchPool.Put(sc)
	defer sc.reset()
	if err := s.score(r, q, sc); err != nil {
		return nil, err
	}
	for depth := 8 * k; ; depth *= 8 {
		hits, all := s.withCoverage(q, sc, depth)
		out, err := s.spread(r, hits, k)
		if err != nil || len(out) >= k || all {
			return out, err
		}
	}
}

// fetchArticle finds article id in r and returns what reads it, once
// however often it is called: through an ArticleFetcher, whose decoding
// may run on any goroutine, the article is decoded when first needed; else
// it is read at once.
func fetchArticle(r IndexReader, id string) (func() (Article, error), error) {
	if f, ok := r.(ArticleFetcher); ok {
		decode, err := f.FetchArticle(id)
		if err != nil {
			return nil, err
		}
		return sync.OnceValues(decode), nil
	}
	a, err := r.Article(id)
	if err != nil {
		return nil, err
	}
	return func() (Article, error) { return a, nil }, nil
}

// spread takes hits best first, at most MaxPerArticle from one article,
// until it has k, resolves their passages and finds their articles
// (hit.stored: read later, by rescore).
func (s *Searcher) spread(r IndexReader, hits []hit, k int) ([]hit, error) {
	if k <= 0 {
		k = 3
	}
	perArticle := make(map[string]int)
	articles := make(map[string]func() (Article, error))
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
		stored, ok := articles[ref.ArticleID]
		if !ok {
			if stored, err = fetchArticle(r, ref.ArticleID); err != nil {
				if errors.Is(err, ErrNotFound) {
					continue
				}
				return nil, err
			}
			articles[ref.ArticleID] = stored
		}
		perArticle[ref.ArticleID]++
		h.ref, h.stored = ref, stored
		out = append(out, h)
	}
	return out, nil
}

// rerankDepth is how many of the best BM25 passages are re-scored by how
// closely together they hold the question's words, the share of its names
// they hold (nameShare) and, in a Vietnamese question typed without
// accents, how well their spellings fit the question (spellingSupport).
const rerankDepth = 20
