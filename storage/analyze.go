package storage

import (
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/baobot/baobot/retrieval"
)

// analyzeFunc is what the DB needs of retrieval.Analyzer. Tests substitute
// their own analysis through it.
type analyzeFunc func(retrieval.Article) retrieval.IndexedArticle

// analyzeAll analyses every article, spread over the available CPUs, and
// checks each result with checkAnalysis. On error, bad is the index of the
// article at fault. analyze must be safe for concurrent use, as
// retrieval.Analyzer is.
func analyzeAll(analyze analyzeFunc, articles []retrieval.Article) (analyses []retrieval.IndexedArticle, bad int, err error) {
	analyses = make([]retrieval.IndexedArticle, len(articles))
	errs := make([]error, len(articles))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(articles)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(articles); i = int(next.Add(1) - 1) {
				analyses[i] = analyze(articles[i])
				errs[i] = checkAnalysis(articles[i], analyses[i])
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, i, err
		}
	}
	return analyses, 0, nil
}

// checkArticle reports why a cannot be stored, if it cannot.
func checkArticle(a retrieval.Article) error {
	switch {
	case strings.TrimSpace(a.ID) == "":
		return invalid("empty ID")
	case len(a.ID) > maxIDLen:
		return invalid("ID longer than %d bytes", maxIDLen)
	case strings.TrimSpace(a.Body) == "":
		return invalid("empty body")
	}
	return nil
}

// checkAnalysis reports why the analysis ia of a cannot be stored, if it
// cannot: its terms become keys, its offsets slice the article's text.
func checkAnalysis(a retrieval.Article, ia retrieval.IndexedArticle) error {
	textLen := len(a.Text())
	for i, p := range ia.Passages {
		if p.Ordinal < 1 || p.Start < 0 || p.Start > p.End || p.End > textLen {
			return invalid("analysis: passage %d: ordinal %d, bytes %d to %d of %d", i, p.Ordinal, p.Start, p.End, textLen)
		}
		for term := range p.Terms {
			if !storableTerm(term) {
				return invalid("analysis: passage %d: unstorable term %.40q", i, term)
			}
		}
	}
	if len(ia.Language) > maxIDLen {
		return invalid("analysis: language %.40q", ia.Language)
	}
	return nil
}

// checkBatch checks every article of a Put batch, and that no ID occurs
// twice, and returns the first problem as an *ArticleError.
func checkBatch(articles []retrieval.Article) error {
	seen := make(map[string]int, len(articles))
	for i, a := range articles {
		err := checkArticle(a)
		if j, dup := seen[a.ID]; dup && err == nil {
			err = invalid("same ID as article %d of the batch", j)
		}
		if err != nil {
			return &ArticleError{Index: i, ID: a.ID, Err: err}
		}
		seen[a.ID] = i
	}
	return nil
}

// storableTerm reports whether term can be a postings key: it is not empty,
// not too long and has no 0x00 byte.
func storableTerm(term string) bool {
	return term != "" && len(term) <= maxTermLen && strings.IndexByte(term, 0) < 0
}
