package retrieval

import (
	"container/heap"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
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

// CloningCursor is a PostingCursor that can be cloned.
type CloningCursor interface {
	PostingCursor
	// Clone returns a cursor at the same position that moves
	// independently of this one, on any goroutine (one at a time) while
	// the View that made this one lasts.
	Clone() PostingCursor
}

// PassageSpanner is an IndexReader that tells the range of its passage IDs,
// which lets MaxScore share a question's passages out among CPUs.
type PassageSpanner interface {
	// PassageSpan returns lo and hi such that every passage ID is in
	// lo … hi-1.
	PassageSpan() (lo, hi PassageID)
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
func (c *sliceCursor) Posting() Posting     { return c.ps[c.i] }
func (c *sliceCursor) Clone() PostingCursor { cp := *c; return &cp }

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
// The essential groups' postings are taken window after window of
// passages, group after group (window.gather), rather than passage after
// passage from a heap of cursors. A question whose groups hold many
// postings has its passages cut into parts, one per CPU (cuts), searched
// on goroutines of their own with clones of the cursors; the parts share
// their thresholds, and their best hits are merged.
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
	m := &maxScorer{okapi: newBM25(s.params, stats), depth: depth, perArticle: perArticle, keyer: keyer, q: q}
	m.cpus = s.cpusPerQuestion()

	idfs := newWordIDFs(q)
	q.termWeight = 0
	groups := make([]scoredGroup, 0, len(q.groups))
	postings := 0
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
		postings += st.DF
		idf := idf(st.DF, n)
		idfs.note(g, idf)
		w := g.weight * idf
		// The most one posting can add: BM25 grows with the term
		// frequency and shrinks with the passage's length.
		upper := w * (m.okapi.k1 + 1)
		if st.MaxTF > 0 {
			upper = m.okapi.weigh(w, float64(st.MaxTF), st.MinLength)
		}
		groups = append(groups, scoredGroup{index: i, cursor: c, w: w, cover: cover, upper: upper})
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
	m.bound = make([]float64, len(groups)+1)
	for i, g := range groups {
		m.bound[i+1] = m.bound[i] + g.upper
	}
	m.gw = make([]float64, len(q.groups))
	for _, g := range groups {
		m.gw[g.index] = g.cover
	}

	cuts := m.cuts(r, groups, postings)
	parts := make([]maxScorePart, len(cuts)+1)
	for i := range parts {
		p := &parts[i]
		p.groups = groups
		if i > 0 {
			p.groups = cloneGroups(groups)
			p.lo = cuts[i-1]
		}
		p.hi = PassageID(math.MaxUint32)
		if i < len(cuts) {
			p.hi = cuts[i]
		}
	}
	var wg sync.WaitGroup
	for i := 1; i < len(parts); i++ {
		wg.Go(func() { m.search(&parts[i]) })
	}
	m.search(&parts[0])
	wg.Wait()

	var top []hit
	complete := true
	for _, p := range parts {
		top = append(top, p.top...)
		complete = complete && p.complete
	}
	slices.SortFunc(top, func(a, b hit) int {
		switch {
		case better(&a, &b):
			return -1
		case better(&b, &a):
			return 1
		}
		return 0
	})
	if len(top) > depth {
		top, complete = top[:depth], false
	}
	return top, complete, nil
}

// maxScorer is what the parts of one MaxScore share: the question, its
// groups' bounds and the best threshold any part has reached.
type maxScorer struct {
	okapi      bm25
	depth      int
	perArticle bool
	keyer      ArticleKeyer
	q          *query
	cpus       int       // the CPUs this question may take: GOMAXPROCS over the questions being answered
	bound      []float64 // bound[i]: the sum of the bounds of groups 0 … i-1
	gw         []float64 // coverage by query group (termGroup.weights)
	// threshold holds the bits of the greatest depth-th best score any
	// part has found: the depth-th best of all is at least that, since
	// parts hold different passages (and, per article, different
	// articles).
	threshold atomic.Uint64
}

// maxScorePart is one range of passages lo … hi-1 that MaxScore searches on
// a goroutine of its own, with cursors of its own.
type maxScorePart struct {
	groups   []scoredGroup
	lo, hi   PassageID
	top      worstFirst
	complete bool
}

// minPartPostings is how many postings a question's groups must hold, at
// least, for each part MaxScore searches on a CPU of its own: below, the
// cost of starting a goroutine and cloning cursors is more than it saves.
const minPartPostings = 1 << 15

// forceParts, when not 0, is how many parts MaxScore cuts every question's
// passages into, whatever its postings and the CPUs (for tests).
var forceParts int

// cuts returns where MaxScore's parts start, after the first: up to one
// part per CPU the question may take (m.cpus), of about equal ranges of
// passage IDs, each cut at the first passage of an article; none when the
// cursors cannot be cloned or the question holds too few postings. Parts
// cost more work in all than one search (each finds its own threshold
// before the parts share theirs), which only CPUs left idle repay: with as
// many questions being answered as CPUs, each question is one part.
func (m *maxScorer) cuts(r IndexReader, groups []scoredGroup, postings int) []PassageID {
	n := min(m.cpus, postings/minPartPostings)
	if forceParts != 0 {
		n = forceParts
	}
	sp, ok := r.(PassageSpanner)
	if n < 2 || !ok {
		return nil
	}
	for _, g := range groups {
		if _, ok := g.cursor.(CloningCursor); !ok {
			return nil
		}
	}
	lo, hi := sp.PassageSpan()
	var cuts []PassageID
	for i := 1; i < n; i++ {
		cut := lo + PassageID(uint64(hi-lo)*uint64(i)/uint64(n))
		if m.keyer != nil { // back to the first passage of cut's article
			key, ok := m.keyer.ArticleKey(cut)
			for ok && cut > lo {
				prev, known := m.keyer.ArticleKey(cut - 1)
				if !known || prev != key {
					break
				}
				cut--
			}
		}
		if len(cuts) == 0 && cut > lo || len(cuts) > 0 && cut > cuts[len(cuts)-1] {
			cuts = append(cuts, cut)
		}
	}
	return cuts
}

// cpusPerQuestion is how many CPUs a question may take: GOMAXPROCS shared
// out among the questions s is answering, at least one.
func (s *Searcher) cpusPerQuestion() int {
	return max(1, runtime.GOMAXPROCS(0)/max(1, int(s.asking.Load())))
}

// cloneGroups returns a copy of groups whose cursors are clones.
func cloneGroups(groups []scoredGroup) []scoredGroup {
	out := slices.Clone(groups)
	for i := range out {
		out[i].cursor = out[i].cursor.(CloningCursor).Clone()
	}
	return out
}

// search finds the best depth passages (or articles) of part p.
func (m *maxScorer) search(p *maxScorePart) {
	// Bounds are compared with a margin, so that rounding never prunes a
	// passage whose exact score ties the threshold.
	const margin = 1e-9
	groups, bound, q := p.groups, m.bound, m.q
	for i := range groups {
		if p.lo > 0 {
			groups[i].seek(p.lo)
		} else {
			groups[i].next()
		}
	}
	contrib := make([]float64, len(q.groups))
	var touched []int // the query groups a candidate matched
	top := make(worstFirst, 0, m.depth)
	threshold := math.Inf(-1)
	essential := 0 // groups[essential:] are essential
	complete := true
	// raise makes the threshold the part's own or another part's, the
	// greater, and the groups whose bounds add up to less non-essential.
	raise := func() {
		if len(top) == m.depth {
			threshold = max(threshold, top[0].score)
			shared := m.threshold.Load()
			for threshold > math.Float64frombits(shared) && !m.threshold.CompareAndSwap(shared, math.Float64bits(threshold)) {
				shared = m.threshold.Load()
			}
		}
		if t := m.threshold.Load(); t != 0 {
			threshold = max(threshold, math.Float64frombits(t))
		}
		for essential < len(groups) && bound[essential+1] < threshold-margin {
			essential++
		}
	}
	contribution := func(g *scoredGroup) float64 { return m.okapi.weigh(g.w, float64(g.cur.TF), g.cur.Length) }
	win := windows.Get().(*window)
	defer windows.Put(win)
	// The first windows are small, so that a threshold is known before
	// the frequent groups have given many postings; then each doubles.
	for size := firstWindow; win.gather(groups[essential:], size, p.hi, contribution); size = min(2*size, 1<<windowBits) {
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
				weight += m.gw[gi]
			}
			if q.termWeight > 0 {
				h.coverage = weight / q.termWeight
			}
			held := -1 // where the heap holds a passage of h's article
			if m.perArticle {
				key, ok := m.keyer.ArticleKey(id)
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
			case len(top) < m.depth:
				heap.Push(&top, h)
			case better(&h, &top[0]):
				top[0] = h
				heap.Fix(&top, 0)
				complete = false
			default:
				complete = false
				continue
			}
			raise()
		}
		raise()
	}
	p.top, p.complete = top, complete
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
func (w *window) gather(essential []scoredGroup, size int, end PassageID, value func(*scoredGroup) float64) bool {
	w.entries = w.entries[:0]
	lo, found := PassageID(math.MaxUint32), false
	for i := range essential {
		if g := &essential[i]; g.live && g.at < end {
			lo, found = min(lo, g.at), true
		}
	}
	if !found {
		return false
	}
	w.lo, w.at = lo, 0
	hi := min(uint64(lo)+uint64(size), uint64(end))
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
