package retrieval

import (
	"container/heap"
	"math"
	"math/bits"
	"slices"
	"sync"
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
	// frequencies of one passage summed, and what it holds (DF 0, with a
	// nil cursor, when nothing).
	Cursor(terms []string) (c PostingCursor, s ListStats, err error)
}

// ArticleKeyer is an IndexReader that tells, without a lookup, which
// passages belong to one article: ArticleKey gives the passages of one
// article the same key and those of different articles different keys
// (ok is false for a passage it does not know). Ranking keeps only each
// article's best passage with it, when MaxPerArticle is 1.
type ArticleKeyer interface {
	ArticleKey(id PassageID) (key uint64, ok bool)
}

// ListStats describes the postings a cursor walks: how many passages, and
// bounds on each posting, which bound what one posting can add to a BM25
// score. A zero MaxTF means no bound is known.
type ListStats struct {
	DF        int
	MaxTF     uint32 // no posting has a greater TF
	MinLength uint32 // no posting's passage is shorter
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
func groupCursor(r IndexReader, keys []string) (PostingCursor, ListStats, error) {
	if cr, ok := r.(CursorReader); ok {
		return cr.Cursor(keys)
	}
	var merged []Posting
	for _, key := range keys {
		ps, err := r.Postings(key)
		if err != nil {
			return nil, ListStats{}, err
		}
		merged = MergePostings(merged, ps)
	}
	if len(merged) == 0 {
		return nil, ListStats{}, nil
	}
	st := ListStats{DF: len(merged), MinLength: math.MaxUint32}
	for _, p := range merged {
		st.MaxTF = max(st.MaxTF, p.TF)
		st.MinLength = min(st.MinLength, p.Length)
	}
	return &sliceCursor{ps: merged, i: -1}, st, nil
}

// MergePostings returns the union of two posting lists in passage order,
// the frequencies of one passage summed, in a new slice. Lengths are taken
// from a where both lists hold a passage.
func MergePostings(a, b []Posting) []Posting {
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
	cur    Posting   // the cursor's posting; valid while live
	at     PassageID // cur.Passage
	live   bool
	w      float64 // weight × IDF
	cover  float64 // what a passage holding it adds to its coverage (termGroup.weights)
	upper  float64 // the most one passage can get from the group
}

// next moves the group's cursor to its next posting.
func (g *scoredGroup) next() {
	if g.live = g.cursor.Next(); g.live {
		g.cur = g.cursor.Posting()
		g.at = g.cur.Passage
	}
}

// seek moves the group's cursor to its first posting at or after id.
func (g *scoredGroup) seek(id PassageID) {
	if g.live = g.cursor.Seek(id); g.live {
		g.cur = g.cursor.Posting()
		g.at = g.cur.Passage
	}
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
// With perArticle set (r must be an ArticleKeyer), it keeps each article's
// best passage only, and depth counts articles: the threshold is then the
// depth-th best article's, which prunes far more.
//
// It returns the hits with coverage, best first, and whether they are all
// the passages (or articles) that hold a question term.
func (s *Searcher) maxScore(r IndexReader, q *query, depth int, perArticle bool) ([]hit, bool, error) {
	keyer, _ := r.(ArticleKeyer)
	if keyer == nil {
		perArticle = false
	}
	stats := r.Stats()
	if stats.Passages == 0 || len(q.groups) == 0 {
		return nil, true, nil
	}
	n := float64(stats.Passages)
	okapi := newBM25(s.params, stats)

	idfs := newWordIDFs(q)
	q.termWeight = 0
	groups := make([]scoredGroup, 0, len(q.groups))
	for i, g := range q.groups {
		c, st, err := groupCursor(r, g.keys)
		if err != nil {
			return nil, false, err
		}
		term, cover := g.weights(st.DF, n)
		q.termWeight += term
		if st.DF == 0 {
			continue
		}
		idf := idf(st.DF, n)
		idfs.note(g, idf)
		w := g.weight * idf
		// The most one posting can add: BM25 grows with the term
		// frequency and shrinks with the passage's length.
		upper := w * (okapi.k1 + 1)
		if st.MaxTF > 0 {
			upper = okapi.weigh(w, float64(st.MaxTF), st.MinLength)
		}
		sg := scoredGroup{index: i, cursor: c, w: w, cover: cover, upper: upper}
		sg.next()
		groups = append(groups, sg)
	}
	idfs.set(q, n, s.params.PrefixWeight)

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

	gw := make([]float64, len(q.groups)) // coverage by query group (termGroup.weights)
	for _, g := range groups {
		gw[g.index] = g.cover
	}
	contrib := make([]float64, len(q.groups))
	var touched []int // the query groups a candidate matched
	top := make(worstFirst, 0, depth)
	threshold := math.Inf(-1)
	essential := 0 // groups[essential:] are essential
	complete := true
	contribution := func(g *scoredGroup) float64 { return okapi.weigh(g.w, float64(g.cur.TF), g.cur.Length) }
	win := windows.Get().(*window)
	defer windows.Put(win)
	// The first windows are small, so that a threshold is known before
	// the frequent groups have given many postings; then each doubles.
	for size := firstWindow; win.gather(groups[essential:], size, contribution); size = min(2*size, 1<<windowBits) {
		// The window's candidates, in passage order. Groups that turn
		// non-essential meanwhile have already given theirs to the
		// window: only groups[:inWindow] are sought.
		inWindow := essential
		for {
			off, partial, from, ok := win.next()
			if !ok {
				break
			}
			id := win.lo + PassageID(off)
			touched = touched[:0]
			pruned := false
			for i := inWindow - 1; i >= 0; i-- {
				if partial+bound[i+1] < threshold-margin {
					pruned = true
					break
				}
				g := &groups[i]
				if g.live && g.at < id {
					g.seek(id)
				}
				if g.live && g.at == id {
					c := contribution(g)
					contrib[g.index] = c
					touched = append(touched, g.index)
					partial += c
				}
			}
			if pruned || partial < threshold-margin {
				complete = false
				continue
			}
			touched = win.contributions(from, contrib, touched)
			// Summed in the query's group order, as score sums them.
			slices.Sort(touched)
			h := hit{id: id}
			var weight float64
			for _, gi := range touched {
				h.score += contrib[gi]
				weight += gw[gi]
			}
			if q.termWeight > 0 {
				h.coverage = weight / q.termWeight
			}
			held := -1 // where the heap holds a passage of h's article
			if perArticle {
				key, ok := keyer.ArticleKey(id)
				if !ok {
					key = uint64(1)<<63 | uint64(id) // unknown: its own article
				}
				h.key = key
				for i := range top {
					if top[i].key == key {
						held = i
						break
					}
				}
			}
			switch {
			case held >= 0:
				if !better(&h, &top[held]) {
					continue
				}
				top[held] = h
				heap.Fix(&top, held)
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
	}
	hits := make([]hit, len(top))
	for i := len(top) - 1; i >= 0; i-- {
		hits[i] = heap.Pop(&top).(hit)
	}
	return hits, complete, nil
}

// windowBits sets how many consecutive passages (1 << windowBits) MaxScore
// gathers the essential groups' postings of at once: enough that a window
// costs little beyond its postings, few enough that its arrays stay in
// the CPU's cache and that the essential groups are chosen again often as
// the threshold rises.
const windowBits = 11

// firstWindow is the size of MaxScore's first window.
const firstWindow = 64

// window gathers, term group after term group, the postings of the
// essential groups in a range of passages: MaxScore's candidates, each
// with its partial score and the contributions it is made of, without a
// heap ordering the groups' cursors by passage.
type window struct {
	lo PassageID // the first passage of the window
	// By passage offset from lo: the sum of its contributions, and 1 + the
	// index in entries of the latest (0: none yet).
	partial [1 << windowBits]float64
	last    [1 << windowBits]int32
	has     [1 << windowBits / 64]uint64 // offsets that hold a contribution
	at      int                          // where next looks from
	entries []windowEntry
}

// windowEntry is what one group adds to one passage of a window.
type windowEntry struct {
	value float64
	group int32 // index into query.groups
	prev  int32 // 1 + the index of the passage's previous entry (0: none)
}

var windows = sync.Pool{New: func() any { return new(window) }}

// gather starts the next window at the first passage any live group of
// essential holds, and moves their cursors past it, taking what each
// posting in it adds (value). It returns false, the window empty, when no
// group has postings left.
func (w *window) gather(essential []scoredGroup, size int, value func(*scoredGroup) float64) bool {
	w.entries = w.entries[:0]
	lo, found := PassageID(math.MaxUint32), false
	for i := range essential {
		if g := &essential[i]; g.live {
			lo, found = min(lo, g.at), true
		}
	}
	if !found {
		return false
	}
	w.lo, w.at = lo, 0
	hi := uint64(lo) + uint64(size)
	for i := range essential {
		g := &essential[i]
		for ; g.live && uint64(g.at) < hi; g.next() {
			off := g.at - lo
			w.entries = append(w.entries, windowEntry{value: value(g), group: int32(g.index), prev: w.last[off]})
			w.last[off] = int32(len(w.entries))
			w.partial[off] += w.entries[len(w.entries)-1].value
			w.has[off/64] |= 1 << (off % 64)
		}
	}
	return true
}

// next takes the window's next passage that holds a contribution, in
// passage order, and clears it: its offset from lo, partial score and the
// handle of its contributions (see contributions); ok is false when none
// is left.
func (w *window) next() (off int, partial float64, from int32, ok bool) {
	for i := w.at / 64; i < len(w.has); i++ {
		if w.has[i] == 0 {
			continue
		}
		off = i*64 + bits.TrailingZeros64(w.has[i])
		w.has[i] &= w.has[i] - 1
		w.at = off
		partial, from = w.partial[off], w.last[off]
		w.partial[off], w.last[off] = 0, 0
		return off, partial, from, true
	}
	w.at = len(w.has) * 64
	return 0, 0, 0, false
}

// contributions sets contrib of the groups a passage's entries (from, as
// next returned it) come from and returns touched with those groups added.
func (w *window) contributions(from int32, contrib []float64, touched []int) []int {
	for e := from; e != 0; e = w.entries[e-1].prev {
		en := &w.entries[e-1]
		contrib[en.group] = en.value
		touched = append(touched, int(en.group))
	}
	return touched
}
