package retrieval

import "errors"

// PassageID numbers a passage within one index. IDs are assigned in
// increasing order as passages are written and never reused, so postings
// lists are sorted by PassageID.
type PassageID uint32

// Posting records that a term occurs TF times in a passage of Length terms.
// Length is carried in the posting so that BM25 needs no second lookup.
type Posting struct {
	Passage PassageID
	TF      uint32
	Length  uint32
}

// Stats are the collection statistics BM25 needs. They always agree with the
// postings: a writer updates both in one transaction.
type Stats struct {
	Articles    uint64 // articles in the index
	Passages    uint64 // passages in the index
	TotalLength uint64 // sum of every passage's Length
}

// AverageLength is the mean passage length in terms (0 for an empty index).
func (s Stats) AverageLength() float64 {
	if s.Passages == 0 {
		return 0
	}
	return float64(s.TotalLength) / float64(s.Passages)
}

// PassageRef locates a stored passage: which article, which position, and
// which bytes of the article's Text it spans.
type PassageRef struct {
	ArticleID string
	Ordinal   int // 1-based position of the passage in its article
	Start     int // byte offset into Article.Text()
	End       int
}

// IndexReader is a consistent, read-only view of an index. It is only valid
// inside the Index.View call that produced it.
type IndexReader interface {
	// Stats returns the collection statistics.
	Stats() Stats
	// Postings returns the postings of term in increasing Passage order, or
	// nil when the term does not occur. The slice may be reused by the next
	// call: callers must not keep it.
	Postings(term string) ([]Posting, error)
	// Passage resolves a passage ID; ErrNotFound when there is none.
	Passage(id PassageID) (PassageRef, error)
	// Article returns a stored article; ErrNotFound when there is none.
	Article(id string) (Article, error)
	// Languages counts the stored articles by analysis language.
	Languages() map[string]uint64
}

// ArticleFetcher is an IndexReader that reads an article in two steps, so
// that the costlier one can run beside others: FetchArticle finds article
// id (ErrNotFound when there is none) in the reader's goroutine, as every
// IndexReader method, and the function it returns decodes it, on any
// goroutine, until the View that gave the reader returns.
type ArticleFetcher interface {
	FetchArticle(id string) (decode func() (Article, error), err error)
}

// Index is a searchable collection. View runs fn with a consistent snapshot;
// any number of Views may run at once.
type Index interface {
	View(fn func(IndexReader) error) error
}

// ErrNotFound is returned for an article or passage that is not in the index.
var ErrNotFound = errors.New("not found")

// IndexedPassage is a passage as analysis produced it, ready to be written:
// its place in the article, its length and the frequency of each term.
type IndexedPassage struct {
	Ordinal int
	Start   int
	End     int
	Length  uint32
	Terms   map[string]uint32
}

// IndexedArticle is an article with the analysis language chosen for it and
// its passages.
type IndexedArticle struct {
	Article  Article
	Language string
	Passages []IndexedPassage
}
