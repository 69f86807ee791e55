package retrieval

import (
	"container/heap"
	"math"
	"slices"
)

// PostingCursor walks a posting list in increasing passage order. A new
// cursor is before its first posting.
type PostingCursor interface {
	// Next moves to the next posting; false at the end.
	Next() bool
	// Seek moves forward to the first posting whose passage is at least id
	// (it never moves back); false at the end.
	Seek(id PassageID) bool
	// Posting is the current posting.
	Posting() Posting
}

// CursorReader is an IndexReader that can walk postings without decoding
// them whole, which lets ranking skip most of the postings of frequent
// terms (dynamic pruning).
type CursorReader interface {
	IndexReader
	// Cursor returns a cursor over the union of the postings of terms, the
	// frequencies of one passage summed, and how many passages that union
	// holds (0, with a nil cursor, when none).
	Cursor(terms []string) (c PostingCursor, df int, err error)
}

// sliceCursor is a PostingCursor over decoded postings.
type sliceCursor struct {
	ps []Posting
	i  int
}

func (c *sliceCursor) Next() bool { c.i++; return c.i < len(c.ps) }
func (c *sliceCursor) Seek(id PassageID) bool {
	if c.i < 0 {
		c.i = 0
	}
	if c.i < len(c.ps) && c.ps[c.i].Passage >= id {
		return true
	}
	c.i += slices.IndexFunc(c.ps[c.i:], func(p Posting) bool { return p.Passage >= id })
	if c.i < 0 || c.i >= len(c.ps) {
		c.i = len(c.ps)
		return false
	}
	return true
}
func (c *sliceCursor) Posting() Posting { return c.ps[c.i] }

// groupCursor opens the cursor of one term group: through the reader's own
// cursors when it has them, else over the merged decoded postings.
func groupCursor(r IndexReader, keys []string) (PostingCursor, int, error) {
	if cr, ok := r.(CursorReader); ok {
		return cr.Cursor(keys)
	}
	var merged []Posting
	for _, key := range keys {
		ps, err := r.Postings(key)
		if err != nil {
			return nil, 0, err
		}
		merged = mergeTwo(merged, ps)
	}
	if len(merged) == 0 {
		return nil, 0, nil
	}
	return &sliceCursor{ps: merged, i: -1}, len(merged), nil
}

// mergeTwo returns the union of two posting lists in passage order, the
// frequencies of one passage summed, in a new slice.
func mergeTwo(a, b []Posting) []Posting {
	out := make([]Posting, 0, len(a)+len(b))
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
	return append(append(out, a...), b...)
}

// scoredGroup is a term group ready for MaxScore.
type scoredGroup struct {
	index  int // position in query.groups: contributions are summed in this order
	cursor PostingCursor
	at     PassageID // the cursor's passage; valid while live
	live   bool
	w      float64 // weight × IDF
	upper  float64 // the most one passage can get from the group
}

// maxScore finds the best depth passages for q with BM25, as score would
// rank them, without scoring every passage: it is the MaxScore algorithm
// (Turtle and Flood, 1995). Groups are ordered by the most they can add to
// a passage; once the depth-th best score so far (the threshold) exceeds
// the sum of the smallest bounds, those groups are non-essential: a passage
// found only in them cannot make the top, so they are only consulted (by
// Seek, skipping the rest of their postings) for passages found in the
// others. Scores are summed in the query's group order, so they are the
// exhaustive scores bit for bit, and ties go to the lower passage ID as in
// topHits.
//
// It returns the hits with coverage, best first, and whether they are all
// the passages that hold a question term.
func (s *Searcher) maxScore(r IndexReader, q *query, depth int) ([]hit, bool, error) {
	stats := r.Stats()
	if stats.Passages == 0 || len(q.groups) == 0 {
		return nil, true, nil
	}
	n := float64(stats.Passages)
	avgdl := stats.AverageLength()
	k1, b := s.params.K1, s.params.B

	wordIDF := make([]float64, len(q.words))
	q.termWeight = 0
	groups := make([]scoredGroup, 0, len(q.groups))
	for i, g := range q.groups {
		c, df, err := groupCursor(r, g.keys)
		if err != nil {
			return nil, false, err
		}
		if df == 0 {
			// A term that occurs nowhere still counts in the question's
			// weight: a question about something the collection lacks
			// must not look covered.
			q.termWeight += g.weight * math.Log(1+(n+0.5)/0.5)
			continue
		}
		idf := math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5))
		if g.word >= 0 && idf > wordIDF[g.word] {
			wordIDF[g.word] = idf
		}
		w := g.weight * idf
		q.termWeight += w
		sg := scoredGroup{index: i, cursor: c, w: w, upper: w * (k1 + 1)}
		if sg.live = c.Next(); sg.live {
			sg.at = c.Posting().Passage
		}
		groups = append(groups, sg)
	}
	for i, idf := range wordIDF {
		if idf == 0 {
			idf = math.Log(1 + (n+0.5)/0.5)
		}
		q.words[i].idf = idf
	}

	// Smallest bound first; bound[i] is the sum of the bounds of groups
	// 0 … i-1.
	slices.SortStableFunc(groups, func(a, b scoredGroup) int {
		switch {
		case a.upper < b.upper:
			return -1
		case a.upper > b.upper:
			return 1
		}
		return 0
	})
	bound := make([]float64, len(groups)+1)
	for i, g := range groups {
		bound[i+1] = bound[i] + g.upper
	}
	// Bounds are compared with a margin, so that rounding never prunes a
	// passage whose exact score ties the threshold.
	const margin = 1e-9

	gw := make([]float64, len(q.groups)) // weight × IDF by query group
	for _, g := range groups {
		gw[g.index] = g.w
	}
	contrib := make([]float64, len(q.groups))
	matched := make([]bool, len(q.groups))
	top := make(worstFirst, 0, depth)
	threshold := math.Inf(-1)
	essential := 0 // groups[essential:] are essential
	complete := true
	bm25 := func(g *scoredGroup, p Posting) float64 {
		tf := float64(p.TF)
		norm := k1 * (1 - b + b*float64(p.Length)/avgdl)
		return g.w * tf * (k1 + 1) / (tf + norm)
	}
	for {
		// The next candidate: the lowest passage among essential groups.
		var id PassageID
		found := false
		for i := essential; i < len(groups); i++ {
			if g := &groups[i]; g.live && (!found || g.at < id) {
				id, found = g.at, true
			}
		}
		if !found {
			break
		}
		clear(contrib)
		clear(matched)
		var partial float64
		for i := essential; i < len(groups); i++ {
			g := &groups[i]
			if !g.live || g.at != id {
				continue
			}
			c := bm25(g, g.cursor.Posting())
			contrib[g.index], matched[g.index] = c, true
			partial += c
			if g.live = g.cursor.Next(); g.live {
				g.at = g.cursor.Posting().Passage
			}
		}
		pruned := false
		for i := essential - 1; i >= 0; i-- {
			if partial+bound[i+1] < threshold-margin {
				pruned = true
				break
			}
			g := &groups[i]
			if g.live && g.at < id {
				if g.live = g.cursor.Seek(id); g.live {
					g.at = g.cursor.Posting().Passage
				}
			}
			if g.live && g.at == id {
				c := bm25(g, g.cursor.Posting())
				contrib[g.index], matched[g.index] = c, true
				partial += c
			}
		}
		if pruned {
			complete = false
			continue
		}
		// Summed in the query's group order, as score sums them.
		h := hit{id: id}
		var weight float64
		for gi, c := range contrib {
			if matched[gi] {
				h.score += c
				weight += gw[gi]
			}
		}
		if q.termWeight > 0 {
			h.coverage = weight / q.termWeight
		}
		switch {
		case len(top) < depth:
			heap.Push(&top, h)
		case better(&h, &top[0]):
			top[0] = h
			heap.Fix(&top, 0)
			complete = false
		default:
			complete = false
			continue
		}
		if len(top) == depth {
			threshold = top[0].score
			for essential < len(groups) && bound[essential+1] < threshold-margin {
				essential++
			}
		}
	}
	hits := make([]hit, len(top))
	for i := len(top) - 1; i >= 0; i-- {
		hits[i] = heap.Pop(&top).(hit)
	}
	return hits, complete, nil
}
