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

// prepared is what a write needs of an article that takes CPU time and no
// transaction: its analysis (without the passages' maps of terms), the
// terms of each passage numbered in the write's termTable, and its stored
// text (appendText).
type prepared struct {
	analysis retrieval.IndexedArticle
	terms    [][]termTF
	text     []byte
}

// prepare analyses a and checks the result with checkAnalysis, numbers its
// terms in terms, then lays out its stored text, compressed with c.
func prepare(analyze analyzeFunc, c *textCodec, terms *termTable, a retrieval.Article) (prepared, error) {
	p := prepared{analysis: analyze(a)}
	if err := checkAnalysis(a, p.analysis); err != nil {
		return prepared{}, err
	}
	p.terms = numberTerms(terms, p.analysis)
	p.text = appendText(nil, c, a.Summary, a.Body)
	return p, nil
}

// prepareAll prepares every article with codec c and term table terms,
// spread over the available CPUs. On error, bad is the index of the
// article at fault. analyze must be safe for concurrent use, as
// retrieval.Analyzer is.
func prepareAll(analyze analyzeFunc, c *textCodec, terms *termTable, articles []retrieval.Article) (ps []prepared, bad int, err error) {
	ps = make([]prepared, len(articles))
	errs := make([]error, len(articles))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(articles)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(articles); i = int(next.Add(1) - 1) {
				ps[i], errs[i] = prepare(analyze, c, terms, articles[i])
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, i, err
		}
	}
	return ps, 0, nil
}

// prepareStream prepares articles on every CPU, in the background, while
// the caller consumes them in order: a write transaction indexes the first
// articles while the others are still being prepared.
type prepareStream struct {
	prepared []prepared
	errs     []error
	ran      []bool // whether each article was prepared
	done     []chan struct{}
	stop     atomic.Bool
	wg       sync.WaitGroup
}

// streamPrepared starts preparing with codec c and term table terms the
// articles whose skip entry is false (every article when skip is nil),
// once the streams q started before it are done: batches are prepared one
// at a time, on every CPU, in the order they were given, so that a batch
// prepared ahead does not slow down the one being written. Every result
// must be consumed with get or the stream closed with close.
func streamPrepared(analyze analyzeFunc, c *textCodec, terms *termTable, articles []retrieval.Article, skip []bool, q *prepareQueue) *prepareStream {
	s := &prepareStream{
		prepared: make([]prepared, len(articles)),
		errs:     make([]error, len(articles)),
		ran:      make([]bool, len(articles)),
		done:     make([]chan struct{}, len(articles)),
	}
	for i := range s.done {
		s.done[i] = make(chan struct{})
	}
	before, finished := q.join()
	s.wg.Go(func() {
		defer close(finished)
		if before != nil {
			<-before
		}
		var next atomic.Int64
		var workers sync.WaitGroup
		for range min(runtime.GOMAXPROCS(0), len(articles)) {
			workers.Go(func() {
				for i := int(next.Add(1) - 1); i < len(articles); i = int(next.Add(1) - 1) {
					if !s.stop.Load() && (skip == nil || !skip[i]) {
						s.prepared[i], s.errs[i] = prepare(analyze, c, terms, articles[i])
						s.ran[i] = true
					}
					close(s.done[i])
				}
			})
		}
		workers.Wait()
	})
	return s
}

// prepareQueue orders the streams of one DB: each starts when the one
// before it is done.
type prepareQueue struct {
	mu   sync.Mutex
	last chan struct{} // closed when the last stream joined is done
}

// join returns the channel closed when the streams joined before are done
// (nil when there are none) and the one to close when this one is.
func (q *prepareQueue) join() (before, finished chan struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	before, finished = q.last, make(chan struct{})
	q.last = finished
	return before, finished
}

// get waits for article i to be prepared and hands it over: the stream
// forgets it. ok is false when the article was skipped (or the stream
// closed before its turn).
func (s *prepareStream) get(i int) (p prepared, ok bool, err error) {
	<-s.done[i]
	p, err = s.prepared[i], s.errs[i]
	s.prepared[i] = prepared{}
	return p, s.ran[i], err
}

// close stops the preparations not yet begun and waits for the others.
func (s *prepareStream) close() {
	s.stop.Store(true)
	s.wg.Wait()
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
