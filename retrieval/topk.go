package retrieval

import (
	"container/heap"
	"slices"
	"sync"
)

// rankScratch is the memory of one ranking: per-passage accumulators
// indexed by PassageID (dense arrays beat maps by a wide margin here), and
// the lists of passages they hold values for, so that resetting costs what
// was touched. Scratches are pooled: a serving process keeps as many as
// questions it answers at once, each a few bytes per passage of the index.
type rankScratch struct {
	score   []float64
	matched []float64 // idf × weight of the question's term groups the passage holds
	touched []PassageID

	tf     []uint32 // a group's summed term frequency, per passage
	length []uint32 // passage lengths met in the group's postings
	group  []PassageID
}

var scratchPool = sync.Pool{New: func() any { return new(rankScratch) }}

// grow makes the arrays hold passage id.
func (s *rankScratch) grow(id PassageID) {
	if int(id) < len(s.score) {
		return
	}
	n := max(int(id)+1, 2*len(s.score), 1024)
	s.score = slices.Grow(s.score, n-len(s.score))[:n]
	s.matched = slices.Grow(s.matched, n-len(s.matched))[:n]
	s.tf = slices.Grow(s.tf, n-len(s.tf))[:n]
	s.length = slices.Grow(s.length, n-len(s.length))[:n]
}

// reset clears what the last ranking touched.
func (s *rankScratch) reset() {
	for _, id := range s.touched {
		s.score[id], s.matched[id] = 0, 0
	}
	s.touched = s.touched[:0]
}

// better orders hits best first: higher score, then lower passage ID.
func better(a, b *hit) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.id < b.id
}

// worstFirst is a heap of hits whose root is the worst: the bounded
// selection keeps the best k seen so far and replaces the root.
type worstFirst []hit

func (h worstFirst) Len() int           { return len(h) }
func (h worstFirst) Less(i, j int) bool { return better(&h[j], &h[i]) }
func (h worstFirst) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *worstFirst) Push(x any)        { *h = append(*h, x.(hit)) }
func (h *worstFirst) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// topHits returns the best k of the touched passages, best first, and
// whether they are all of them.
func (s *rankScratch) topHits(k int) (hits []hit, all bool) {
	if k >= len(s.touched) {
		hits = make([]hit, len(s.touched))
		for i, id := range s.touched {
			hits[i] = hit{id: id, score: s.score[id]}
		}
		slices.SortFunc(hits, func(a, b hit) int {
			if better(&a, &b) {
				return -1
			}
			return 1
		})
		return hits, true
	}
	h := make(worstFirst, 0, k)
	for _, id := range s.touched {
		c := hit{id: id, score: s.score[id]}
		switch {
		case len(h) < k:
			heap.Push(&h, c)
		case better(&c, &h[0]):
			h[0] = c
			heap.Fix(&h, 0)
		}
	}
	hits = make([]hit, len(h))
	for i := len(h) - 1; i >= 0; i-- {
		hits[i] = heap.Pop(&h).(hit)
	}
	return hits, false
}
