package storage

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"sort"

	"github.com/baobot/baobot/retrieval"
	bolt "go.etcd.io/bbolt"
)

// Cursors let ranking walk postings without decoding them whole: a list
// cursor skips whole blocks of a long postings list by its skip table, and
// the document frequency of a term group comes from the stored counts. The
// reader implements retrieval.CursorReader with them.

var (
	_ retrieval.CursorReader = (*reader)(nil)
	_ retrieval.ArticleKeyer = (*reader)(nil)
)

// ArticleKey is the first passage of the article that holds passage id,
// from the runs' norms, without a lookup.
func (r *reader) ArticleKey(id retrieval.PassageID) (uint64, bool) {
	i := sort.Search(len(r.runs), func(i int) bool { return r.runs[i].hi() > id })
	if i == len(r.runs) || id < r.runs[i].lo {
		return 0, false
	}
	return uint64(r.runs[i].articleStart(id)), true
}

// PassageSpan is the range of passage IDs of the runs.
func (r *reader) PassageSpan() (lo, hi retrieval.PassageID) {
	if len(r.runs) == 0 {
		return 0, 0
	}
	return r.runs[0].lo, r.runs[len(r.runs)-1].hi()
}

// seekBlock moves c to the block of a run where the entry with sort key
// key would be: the last block whose first key is at most key, or the
// first block. Its key is nil when the run has no blocks.
func seekBlock(c *bolt.Cursor, key []byte) (k, v []byte) {
	k, v = c.Seek(key)
	if k != nil && bytes.Equal(k, key) {
		return k, v
	}
	if k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	if k == nil {
		k, v = c.First()
	}
	return k, v
}

// lookup calls fn with every entry of the run whose cursor is c that has
// sort key key or, when prefix is set, that starts with key. Entries come
// in sort key order; their slices are valid for the transaction.
func lookup(c *bolt.Cursor, key []byte, prefix bool, buf *[]byte, fn func(e entry) error) error {
	_, v := seekBlock(c, key)
	it := blockIter{b: v, key: (*buf)[:0]}
	defer func() { *buf = it.key }()
	var e entry
	for {
		for it.next(&e) {
			if prefix && bytes.HasPrefix(e.key, key) || !prefix && bytes.Equal(e.key, key) {
				if err := fn(e); err != nil {
					return err
				}
				if !prefix {
					return nil
				}
				continue
			}
			if bytes.Compare(e.key, key) > 0 {
				return nil
			}
		}
		if it.err != nil || !prefix {
			return it.err
		}
		k, v := c.Next()
		if k == nil || !bytes.HasPrefix(k, key) && bytes.Compare(k, key) > 0 {
			return nil
		}
		it = blockIter{b: v, key: it.key[:0]}
	}
}

// Cursor returns a cursor over the union of the postings of terms and how
// many passages it holds. The groups ranking asks for (one exact term, or a
// form and its folded term, which together are every exact variant of the
// form) get their count from the stored counts, unless a run has removed
// passages; any other set of terms is counted by walking it.
func (r *reader) Cursor(terms []string) (retrieval.PostingCursor, retrieval.ListStats, error) {
	type want struct {
		key    []byte
		prefix bool
		skip   []byte // with prefix: the one variant to leave out (nil: none)
	}
	var wants []want
	group := false // terms are a form and its folded term: all variants
	if len(terms) == 2 {
		if form, ok := retrieval.FoldedTerm(terms[1]); ok && form == terms[0] && storableTerm(form) {
			wants = append(wants, want{key: append([]byte(form), 0), prefix: true})
			group = true
		}
	}
	if !group {
		for _, t := range terms {
			if form, ok := retrieval.FoldedTerm(t); ok {
				if form != "" {
					wants = append(wants, want{key: append([]byte(form), 0), prefix: true, skip: []byte(form)})
				}
			} else if storableTerm(t) {
				wants = append(wants, want{key: appendSortKey(nil, t)})
			}
		}
	}
	cc := &concatCursor{}
	st := retrieval.ListStats{MinLength: math.MaxUint32}
	df := 0
	counted := true // df holds every run's count
	for i := range r.runs {
		run := &r.runs[i]
		var lists []*listCursor
		formCount := -1
		for _, w := range wants {
			err := lookup(r.cursors[i], w.key, w.prefix, &r.scratch.key, func(e entry) error {
				if w.prefix && len(e.key) == len(w.key) {
					n, k := binary.Uvarint(e.postings)
					if k <= 0 {
						return corrupt("run %d: form entry %q", run.seq, e.key)
					}
					formCount = int(n)
					return nil
				}
				if w.skip != nil && bytes.Equal(e.key[len(w.key):], w.skip) {
					return nil
				}
				lc, err := newListCursor(run, e.postings)
				if err == nil {
					lists = append(lists, lc)
				}
				return err
			})
			if err != nil {
				return nil, retrieval.ListStats{}, err
			}
		}
		if len(lists) == 0 {
			continue
		}
		// A passage's TF is the sum of its variants': at most the sum of
		// their greatest.
		var maxTF uint64
		for _, l := range lists {
			maxTF += uint64(l.list.maxTF)
			st.MinLength = min(st.MinLength, l.list.minLen)
		}
		st.MaxTF = uint32(min(max(uint64(st.MaxTF), maxTF), math.MaxUint32))
		var c retrieval.PostingCursor
		if len(lists) == 1 {
			c = lists[0]
		} else {
			u := &unionCursor{children: make([]*listCursor, len(lists))}
			copy(u.children, lists)
			c = u
		}
		cc.runs = append(cc.runs, run)
		cc.cursors = append(cc.cursors, c)
		switch {
		case run.removed > 0 || (len(wants) > 1 || !group && len(lists) > 1):
			counted = false
		case len(lists) == 1:
			df += lists[0].list.count
		case formCount >= 0:
			df += formCount
		default:
			counted = false
		}
	}
	if len(cc.cursors) == 0 {
		return nil, retrieval.ListStats{}, nil
	}
	if !counted {
		// Decode to count what the stored counts cannot tell.
		var err error
		if df, err = r.count(terms); err != nil || df == 0 {
			return nil, retrieval.ListStats{}, err
		}
	}
	st.DF = df
	if len(cc.cursors) == 1 { // one run, as after a large write: no concatenation
		return cc.cursors[0], st, nil
	}
	cc.i = -1
	return cc, st, nil
}

// count is how many passages hold one of terms, from their decoded
// postings: the slow path for what the stored counts cannot tell.
func (r *reader) count(terms []string) (int, error) {
	var merged []retrieval.Posting
	for _, t := range terms {
		ps, err := r.Postings(t)
		if err != nil {
			return 0, err
		}
		merged = retrieval.MergePostings(merged, ps)
	}
	return len(merged), nil
}

// skipEntry is a block of a long list: its last passage and where it ends
// in the list's data.
type skipEntry struct {
	last retrieval.PassageID
	end  int
}

// listCursor walks one postings list of one run, skipping removed passages.
type listCursor struct {
	run     *run
	list    list
	skips   []skipEntry // parsed on the first Seek that can use them
	pos     int         // where the next posting starts in list.data
	decoded int         // postings decoded so far
	prev    uint64      // passage of the last posting decoded
	cur     retrieval.Posting
	ok      bool // cur is a posting: the cursor is not before the first nor past the last
	err     error
}

func newListCursor(r *run, value []byte) (*listCursor, error) {
	l, err := parseList(value, r)
	if err != nil {
		return nil, err
	}
	return &listCursor{run: r, list: l, prev: uint64(r.lo)}, nil
}

// uvarintAt decodes the uvarint at data[pos:], most often one byte, and
// returns it and where the next value starts; next is 0 when it is
// malformed.
func uvarintAt(data []byte, pos int) (v uint64, next int) {
	if pos < len(data) && data[pos] < 0x80 {
		return uint64(data[pos]), pos + 1
	}
	v, n := binary.Uvarint(data[min(pos, len(data)):])
	if n <= 0 {
		return 0, 0
	}
	return v, pos + n
}

// step decodes the next posting into prev and returns its TF; false at
// the end of the list or on a malformed posting (err is then set).
func (c *listCursor) step() (tf uint32, ok bool) {
	if c.decoded >= c.list.count || c.err != nil {
		return 0, false
	}
	v, next := uvarintAt(c.list.data, c.pos)
	switch {
	case next == 0:
		c.err = corrupt("postings of run %d: bad varint", c.run.seq)
		return 0, false
	case v>>1 == 0 && c.decoded > 0:
		c.err = corrupt("postings of run %d: repeated passage", c.run.seq)
		return 0, false
	}
	c.prev += v >> 1
	tf = 1
	if v&1 != 0 {
		f, after := uvarintAt(c.list.data, next)
		if after == 0 || f > math.MaxUint32 {
			c.err = corrupt("postings of run %d: bad term frequency", c.run.seq)
			return 0, false
		}
		tf, next = uint32(f), after
	}
	c.pos = next
	c.decoded++
	if c.prev >= uint64(c.run.hi()) {
		c.err = corrupt("postings of run %d: passage %d outside the run", c.run.seq, c.prev)
		return 0, false
	}
	return tf, true
}

// settle makes the posting step decoded, of tf, the current one, unless
// its passage was removed.
func (c *listCursor) settle(tf uint32) bool {
	id := retrieval.PassageID(c.prev)
	if length := c.run.norm(id); length != deletedNorm {
		c.cur, c.ok = retrieval.Posting{Passage: id, TF: tf, Length: length}, true
		return true
	}
	return false
}

// Next decodes postings until one of a stored passage.
func (c *listCursor) Next() bool {
	for {
		tf, ok := c.step()
		if !ok {
			break
		}
		if c.settle(tf) {
			return true
		}
	}
	c.decoded, c.ok = c.list.count, false
	return false
}

// Seek jumps, by the skip table, to the block that may hold id, then
// decodes up to it, reading the length only of the posting it stops at.
func (c *listCursor) Seek(id retrieval.PassageID) bool {
	if c.ok && c.cur.Passage >= id {
		return true
	}
	if c.decoded >= c.list.count {
		return false
	}
	if c.list.nskips > 0 {
		if c.skips == nil {
			c.parseSkips()
		}
		// The first block whose last passage is at least id (the last
		// block has no entry: it ends the list).
		lo, hi := c.decoded/skipInterval, len(c.skips)
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if c.skips[m].last < id {
				lo = m + 1
			} else {
				hi = m
			}
		}
		b := lo
		if b > 0 && b*skipInterval > c.decoded {
			c.pos = c.skips[b-1].end
			c.prev = uint64(c.skips[b-1].last)
			c.decoded = b * skipInterval
		}
	}
	for {
		tf, ok := c.step()
		if !ok {
			break
		}
		if retrieval.PassageID(c.prev) >= id && c.settle(tf) {
			return true
		}
	}
	c.decoded, c.ok = c.list.count, false
	return false
}

func (c *listCursor) parseSkips() {
	c.skips = make([]skipEntry, 0, c.list.nskips)
	d := decoder{b: c.list.skips}
	last, end := uint64(c.run.lo), 0
	for range c.list.nskips {
		last += d.uvarint()
		end += d.int()
		c.skips = append(c.skips, skipEntry{retrieval.PassageID(last), min(end, len(c.list.data))})
	}
}

func (c *listCursor) Posting() retrieval.Posting { return c.cur }

// Clone copies the cursor; both read the list, and the skip table once
// parsed, which neither changes.
func (c *listCursor) Clone() retrieval.PostingCursor { return c.clone() }

func (c *listCursor) clone() *listCursor { cp := *c; return &cp }

// unionCursor merges the lists of several variants in one run, frequencies
// of one passage summed.
type unionCursor struct {
	children []*listCursor
	live     []bool
	started  bool
	ok       bool // cur is a posting
	cur      retrieval.Posting
}

func (u *unionCursor) Next() bool {
	if !u.started {
		u.started = true
		u.live = make([]bool, len(u.children))
		for i, c := range u.children {
			u.live[i] = c.Next()
		}
	} else {
		for i, c := range u.children {
			if u.live[i] && c.cur.Passage == u.cur.Passage {
				u.live[i] = c.Next()
			}
		}
	}
	return u.settle()
}

func (u *unionCursor) Seek(id retrieval.PassageID) bool {
	if !u.started {
		u.started = true
		u.live = make([]bool, len(u.children))
		for i, c := range u.children {
			u.live[i] = c.Seek(id)
		}
		return u.settle()
	}
	if !u.ok {
		return false
	}
	if u.cur.Passage >= id {
		return true
	}
	for i, c := range u.children {
		if u.live[i] && c.cur.Passage < id {
			u.live[i] = c.Seek(id)
		}
	}
	return u.settle()
}

// settle makes cur the lowest passage among the children, TF summed.
func (u *unionCursor) settle() bool {
	found := false
	for i, c := range u.children {
		if !u.live[i] {
			continue
		}
		switch {
		case !found || c.cur.Passage < u.cur.Passage:
			u.cur, found = c.cur, true
		case c.cur.Passage == u.cur.Passage:
			u.cur.TF += c.cur.TF
		}
	}
	u.ok = found
	return found
}

func (u *unionCursor) Posting() retrieval.Posting { return u.cur }

func (u *unionCursor) Clone() retrieval.PostingCursor {
	cp := &unionCursor{children: make([]*listCursor, len(u.children)), live: slices.Clone(u.live), started: u.started, ok: u.ok, cur: u.cur}
	for i, c := range u.children {
		cp.children[i] = c.clone()
	}
	return cp
}

// concatCursor walks the cursors of one term group in run after run.
type concatCursor struct {
	runs    []*run
	cursors []retrieval.PostingCursor
	i       int // the current run; -1 before the first
}

func (c *concatCursor) Next() bool {
	if c.i < 0 {
		c.i = 0
	}
	for ; c.i < len(c.cursors); c.i++ {
		if c.cursors[c.i].Next() {
			return true
		}
	}
	return false
}

func (c *concatCursor) Seek(id retrieval.PassageID) bool {
	c.i = max(c.i, 0)
	for ; c.i < len(c.cursors); c.i++ {
		if c.runs[c.i].hi() <= id {
			continue
		}
		if c.cursors[c.i].Seek(id) {
			return true
		}
	}
	return false
}

func (c *concatCursor) Posting() retrieval.Posting { return c.cursors[c.i].Posting() }

func (c *concatCursor) Clone() retrieval.PostingCursor {
	cp := &concatCursor{runs: c.runs, cursors: make([]retrieval.PostingCursor, len(c.cursors)), i: c.i}
	for i, cur := range c.cursors {
		cp.cursors[i] = cur.(retrieval.CloningCursor).Clone()
	}
	return cp
}
