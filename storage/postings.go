package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/baobot/baobot/retrieval"
	bolt "go.etcd.io/bbolt"
)

// Postings live in runs (see doc.go): every write transaction that adds
// passages writes their postings as one new, immutable run, and runs are
// merged as they accumulate, the way an LSM tree or Lucene's segments are.
// A write then costs in proportion to what it adds, not to the size of the
// index, and a term is found with one B+tree seek per run.

const (
	// blockTarget is the size in bytes at which a block is closed: small
	// enough that a lookup scans little and several blocks share a page,
	// large enough that block keys cost little.
	blockTarget = 1000
	// mergeFanIn runs of one level are merged into one run of the next.
	mergeFanIn = 4
	// deletedNorm marks a removed passage in a run's norms.
	deletedNorm = math.MaxUint32
	// maxTermLen bounds terms so that a sort key fits bbolt's key limit.
	maxTermLen = (bolt.MaxKeySize - 1) / 3
)

// appendSortKey appends the key a term sorts under: its folded form, 0x00,
// the term. All the exact variants of one folded form are adjacent, so the
// postings of a folded term are one range of keys.
func appendSortKey(dst []byte, term string) []byte {
	dst = append(dst, retrieval.FoldedForm(term)...)
	dst = append(dst, 0)
	return append(dst, term...)
}

// run describes one run: its sequence number (runs are ordered by it and by
// passage: a later run only holds later passages), its merge level, and the
// norms of its passage range.
type run struct {
	seq   uint32
	level uint32
	lo    retrieval.PassageID
	norms []byte // 4 bytes, little-endian, per passage of lo … hi()-1
}

func (r *run) hi() retrieval.PassageID { return r.lo + retrieval.PassageID(len(r.norms)/4) }

// norm is the length of passage id, or deletedNorm.
func (r *run) norm(id retrieval.PassageID) uint32 {
	return binary.LittleEndian.Uint32(r.norms[4*(id-r.lo):])
}

func runName(seq uint32) []byte { return binary.BigEndian.AppendUint32(nil, seq) }

// appendRunInfo encodes the runinfo value of r.
func appendRunInfo(dst []byte, r *run) []byte {
	dst = binary.AppendUvarint(dst, uint64(r.level))
	dst = binary.AppendUvarint(dst, uint64(r.lo))
	return append(dst, r.norms...)
}

// decodeRunInfo decodes the runinfo value v of run key k. norms aliases v.
func decodeRunInfo(k, v []byte) (run, error) {
	if len(k) != 4 {
		return run{}, corrupt("runinfo key %x", k)
	}
	d := &decoder{b: v}
	r := run{seq: binary.BigEndian.Uint32(k), level: d.uint32(), lo: retrieval.PassageID(d.uint32())}
	if d.err != nil || len(d.b)%4 != 0 || uint64(r.lo)+uint64(len(d.b)/4) > math.MaxUint32 {
		return run{}, corrupt("runinfo of run %d", r.seq)
	}
	r.norms = d.b
	return r, nil
}

// loadRuns reads every run's info, in order.
func loadRuns(tx *bolt.Tx) ([]run, error) {
	var runs []run
	err := tx.Bucket(bucketRunInfo).ForEach(func(k, v []byte) error {
		r, err := decodeRunInfo(k, v)
		if err != nil {
			return err
		}
		if n := len(runs); n > 0 && r.lo < runs[n-1].hi() {
			return corrupt("run %d overlaps run %d", r.seq, runs[n-1].seq)
		}
		runs = append(runs, r)
		return nil
	})
	return runs, err
}

// A block is a sequence of entries sorted by sort key:
//
//	uvarint  bytes shared with the previous entry's sort key (0 for the first)
//	string   the rest of the sort key
//	string   the postings
//
// and the postings of an entry, for passages in increasing order, are per
// posting
//
//	uvarint  (passage − previous passage) << 1 | (tf ≠ 1); the first
//	         passage is relative to the run's lo
//	uvarint  tf, only when tf ≠ 1

// entry is one decoded block entry; key and postings alias the block.
type entry struct {
	key      []byte
	postings []byte
}

// blockIter walks the entries of a block.
type blockIter struct {
	b   []byte
	key []byte // the current sort key, rebuilt from the shared prefixes
	err error
}

// next advances to the next entry; false at the end of the block or on a
// malformed one (err is then set).
func (it *blockIter) next(e *entry) bool {
	if len(it.b) == 0 || it.err != nil {
		return false
	}
	d := decoder{b: it.b}
	shared := d.int()
	suffix := d.bytes()
	postings := d.bytes()
	if d.err != nil || shared > len(it.key) || (shared == 0 && len(suffix) == 0) {
		it.err = corrupt("postings block entry")
		return false
	}
	it.key = append(it.key[:shared], suffix...)
	it.b = d.b
	e.key, e.postings = it.key, postings
	return true
}

// decodePostings appends the postings encoded in b, of a passage range
// starting at lo, to dst, with their lengths from r's norms. Removed
// passages are skipped.
func decodePostings(dst []retrieval.Posting, b []byte, r *run) ([]retrieval.Posting, error) {
	id := uint64(r.lo)
	hi := uint64(r.hi())
	first := true
	for len(b) > 0 {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return dst, corrupt("postings of run %d: bad varint", r.seq)
		}
		b = b[n:]
		delta := v >> 1
		if delta == 0 && !first {
			return dst, corrupt("postings of run %d: repeated passage", r.seq)
		}
		first = false
		id += delta
		tf := uint64(1)
		if v&1 != 0 {
			if tf, n = binary.Uvarint(b); n <= 0 || tf > math.MaxUint32 {
				return dst, corrupt("postings of run %d: bad term frequency", r.seq)
			}
			b = b[n:]
		}
		if id >= hi {
			return dst, corrupt("postings of run %d: passage %d outside %d…%d", r.seq, id, r.lo, hi-1)
		}
		length := r.norm(retrieval.PassageID(id))
		if length == deletedNorm {
			continue
		}
		dst = append(dst, retrieval.Posting{Passage: retrieval.PassageID(id), TF: uint32(tf), Length: length})
	}
	return dst, nil
}

// appendPosting encodes one posting after passage prev (or, for the first
// posting of a list, after lo with first set).
func appendPosting(dst []byte, prev, id retrieval.PassageID, tf uint32) []byte {
	v := uint64(id-prev) << 1
	if tf != 1 {
		v |= 1
	}
	dst = binary.AppendUvarint(dst, v)
	if tf != 1 {
		dst = binary.AppendUvarint(dst, uint64(tf))
	}
	return dst
}

// runWriter writes a new run into a fresh bucket, entry by entry in sort
// key order, cutting blocks at blockTarget bytes.
type runWriter struct {
	bucket   *bolt.Bucket
	arena    *arena
	block    []byte
	first    []byte // sort key of the block's first entry
	prev     []byte // sort key of the last entry written
	postings []byte // scratch for one entry's postings
	entries  int
}

func newRunWriter(tx *bolt.Tx, seq uint32, a *arena) (*runWriter, error) {
	b, err := tx.Bucket(bucketRuns).CreateBucket(runName(seq))
	if err != nil {
		return nil, fmt.Errorf("run %d: %w", seq, err)
	}
	// Keys arrive in order: pages can be filled.
	b.FillPercent = 1
	return &runWriter{bucket: b, arena: a}, nil
}

// add writes an entry; keys must increase and postings must be non-empty.
func (w *runWriter) add(key, postings []byte) error {
	if len(w.block) > 0 && len(w.block)+len(key)+len(postings) > blockTarget {
		if err := w.flush(); err != nil {
			return err
		}
	}
	shared := 0
	if len(w.block) == 0 {
		w.first = append(w.first[:0], key...)
	} else {
		for shared < len(key) && shared < len(w.prev) && key[shared] == w.prev[shared] {
			shared++
		}
	}
	w.block = binary.AppendUvarint(w.block, uint64(shared))
	w.block = appendBytes(w.block, key[shared:])
	w.block = appendBytes(w.block, postings)
	w.prev = append(w.prev[:0], key...)
	w.entries++
	return nil
}

// flush writes the open block.
func (w *runWriter) flush() error {
	if len(w.block) == 0 {
		return nil
	}
	v := append(w.arena.alloc(len(w.block)), w.block...)
	k := append(w.arena.alloc(len(w.first)), w.first...)
	w.block = w.block[:0]
	return w.bucket.Put(k, v)
}

// postingsBatch gathers the new postings of a write transaction, so that
// each term is written once however many articles of the batch contain it.
// Postings must be added in increasing passage order.
type postingsBatch struct {
	ids     map[string]int32 // term → index into terms
	terms   []string
	entries []batchEntry // in the order added
}

type batchEntry struct {
	term    int32
	passage retrieval.PassageID
	tf      uint32
}

func (b *postingsBatch) add(term string, id retrieval.PassageID, tf uint32) {
	t, ok := b.ids[term]
	if !ok {
		if b.ids == nil {
			b.ids = make(map[string]int32)
		}
		t = int32(len(b.terms))
		b.ids[term] = t
		b.terms = append(b.terms, term)
	}
	b.entries = append(b.entries, batchEntry{t, id, tf})
}

func (b *postingsBatch) empty() bool { return len(b.entries) == 0 }

// each calls fn for every term in increasing sort key order, with its sort
// key and its postings in increasing passage order. fn must keep neither.
func (b *postingsBatch) each(fn func(key []byte, ps []batchEntry) error) error {
	// A counting sort by term keeps each term's postings in the order added.
	offsets := make([]int, len(b.terms)+1)
	for _, e := range b.entries {
		offsets[e.term+1]++
	}
	for i := 1; i < len(offsets); i++ {
		offsets[i] += offsets[i-1]
	}
	sorted := make([]batchEntry, len(b.entries))
	next := slices.Clone(offsets[:len(b.terms)])
	for _, e := range b.entries {
		sorted[next[e.term]] = e
		next[e.term]++
	}
	keys := make([][]byte, len(b.terms))
	var buf []byte
	for i, term := range b.terms {
		start := len(buf)
		buf = appendSortKey(buf, term)
		keys[i] = buf[start:len(buf):len(buf)]
	}
	order := make([]int32, len(b.terms))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(x, y int32) int { return bytes.Compare(keys[x], keys[y]) })
	for _, t := range order {
		if err := fn(keys[t], sorted[offsets[t]:offsets[t+1]]); err != nil {
			return err
		}
	}
	return nil
}

// writeRun writes the postings of batch as run r (whose passage range and
// norms are set) into a new bucket.
func writeRun(tx *bolt.Tx, r *run, batch *postingsBatch, a *arena) error {
	w, err := newRunWriter(tx, r.seq, a)
	if err != nil {
		return err
	}
	err = batch.each(func(key []byte, ps []batchEntry) error {
		w.postings = w.postings[:0]
		prev := r.lo
		for _, p := range ps {
			w.postings = appendPosting(w.postings, prev, p.passage, p.tf)
			prev = p.passage
		}
		return w.add(key, w.postings)
	})
	if err != nil {
		return err
	}
	if err := w.flush(); err != nil {
		return err
	}
	return putRunInfo(tx, r, a)
}

func putRunInfo(tx *bolt.Tx, r *run, a *arena) error {
	v := appendRunInfo(a.alloc(2*binary.MaxVarintLen32+len(r.norms)), r)
	return tx.Bucket(bucketRunInfo).Put(runName(r.seq), v)
}

// runCursor walks the entries of a run in sort key order, block after block.
type runCursor struct {
	run *run
	c   *bolt.Cursor
	it  blockIter
	cur entry
	ok  bool
	err error
}

func newRunCursor(tx *bolt.Tx, r *run) (*runCursor, error) {
	b := tx.Bucket(bucketRuns).Bucket(runName(r.seq))
	if b == nil {
		return nil, corrupt("run %d: bucket missing", r.seq)
	}
	rc := &runCursor{run: r, c: b.Cursor()}
	_, v := rc.c.First()
	rc.it = blockIter{b: v}
	rc.advance()
	return rc, nil
}

// advance moves to the next entry, into the next block when needed.
func (rc *runCursor) advance() {
	for {
		if rc.it.next(&rc.cur) {
			rc.ok = true
			return
		}
		if rc.it.err != nil {
			rc.ok, rc.err = false, rc.it.err
			return
		}
		k, v := rc.c.Next()
		if k == nil {
			rc.ok = false
			return
		}
		rc.it = blockIter{b: v, key: rc.it.key[:0]}
	}
}

// mergeRuns merges the consecutive runs rs (at least two) into one new run
// of the next level, numbered seq, dropping the postings of removed
// passages, and deletes them. It returns the new run.
func mergeRuns(tx *bolt.Tx, rs []run, seq uint32, a *arena) (run, error) {
	out := run{seq: seq, level: rs[0].level + 1, lo: rs[0].lo}
	hi := rs[len(rs)-1].hi()
	norms := a.alloc(4 * int(hi-out.lo))
	for i := range rs {
		// Runs may leave gaps (a transaction that added no passage):
		// passages there do not exist.
		for id := out.lo + retrieval.PassageID(len(norms)/4); id < rs[i].lo; id++ {
			norms = binary.LittleEndian.AppendUint32(norms, deletedNorm)
		}
		norms = append(norms, rs[i].norms...)
	}
	out.norms = norms

	cursors := make([]*runCursor, len(rs))
	for i := range rs {
		var err error
		if cursors[i], err = newRunCursor(tx, &rs[i]); err != nil {
			return run{}, err
		}
	}
	w, err := newRunWriter(tx, seq, a)
	if err != nil {
		return run{}, err
	}
	var key []byte
	var decoded []retrieval.Posting
	for {
		// The smallest key among the cursors, and every run that has it.
		key = key[:0]
		found := false
		for _, rc := range cursors {
			if rc.err != nil {
				return run{}, rc.err
			}
			if rc.ok && (!found || bytes.Compare(rc.cur.key, key) < 0) {
				key, found = append(key[:0], rc.cur.key...), true
			}
		}
		if !found {
			break
		}
		w.postings = w.postings[:0]
		prev := out.lo
		for _, rc := range cursors {
			if !rc.ok || !bytes.Equal(rc.cur.key, key) {
				continue
			}
			if decoded, err = decodePostings(decoded[:0], rc.cur.postings, rc.run); err != nil {
				return run{}, err
			}
			for _, p := range decoded {
				w.postings = appendPosting(w.postings, prev, p.Passage, p.TF)
				prev = p.Passage
			}
			rc.advance()
		}
		if len(w.postings) > 0 {
			if err := w.add(key, w.postings); err != nil {
				return run{}, err
			}
		}
	}
	if err := w.flush(); err != nil {
		return run{}, err
	}
	for _, r := range rs {
		if err := tx.Bucket(bucketRuns).DeleteBucket(runName(r.seq)); err != nil {
			return run{}, fmt.Errorf("run %d: %w", r.seq, err)
		}
		if err := tx.Bucket(bucketRunInfo).Delete(runName(r.seq)); err != nil {
			return run{}, err
		}
	}
	return out, putRunInfo(tx, &out, a)
}

// compact merges runs while the last mergeFanIn of them share a level, so
// that an index of n passages added in batches of b keeps at most
// (mergeFanIn-1)·log(n/b) runs, and each posting is rewritten once per
// level. next numbers the runs it creates; it returns the next free number.
func compact(tx *bolt.Tx, runs []run, next uint32, a *arena) (uint32, error) {
	for len(runs) >= mergeFanIn {
		tail := runs[len(runs)-mergeFanIn:]
		if slices.ContainsFunc(tail, func(r run) bool { return r.level != tail[0].level }) {
			break
		}
		merged, err := mergeRuns(tx, tail, next, a)
		if err != nil {
			return next, err
		}
		next++
		runs = append(runs[:len(runs)-mergeFanIn], merged)
	}
	return next, nil
}

// findPostings appends to dst the postings of term in run r, whose bucket
// cursor is c. A folded term (retrieval.FoldedPrefix + form) gets the
// postings of every exact term of that folded form but the form itself,
// their frequencies summed per passage; scratch holds the lists meanwhile.
func findPostings(dst []retrieval.Posting, c *bolt.Cursor, r *run, key []byte, prefix bool, scratch *lookupScratch) ([]retrieval.Posting, error) {
	k, v := c.Seek(key)
	if k == nil || !bytes.Equal(k, key) {
		// The key, if anywhere, is in the block before.
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		if k == nil {
			k, v = c.First()
		}
	}
	it := blockIter{b: v, key: scratch.key[:0]}
	defer func() { scratch.key = it.key }()
	var e entry
	if !prefix {
		for it.next(&e) {
			switch bytes.Compare(e.key, key) {
			case 0:
				return decodePostings(dst, e.postings, r)
			case 1:
				return dst, nil
			}
		}
		return dst, it.err
	}
	// A prefix: collect every entry that starts with it but is not the
	// form's own exact term (key is form + 0x00, the exact term's key is
	// key + form).
	form := key[:len(key)-1]
	scratch.lists = scratch.lists[:0]
	scratch.buf = scratch.buf[:0]
	for {
		for it.next(&e) {
			if !bytes.HasPrefix(e.key, key) {
				if bytes.Compare(e.key, key) > 0 {
					goto merge
				}
				continue
			}
			if bytes.Equal(e.key[len(key):], form) {
				continue
			}
			start := len(scratch.buf)
			var err error
			if scratch.buf, err = decodePostings(scratch.buf, e.postings, r); err != nil {
				return dst, err
			}
			scratch.lists = append(scratch.lists, [2]int{start, len(scratch.buf)})
		}
		if it.err != nil {
			return dst, it.err
		}
		k, v := c.Next()
		if k == nil || !bytes.HasPrefix(k, key) && bytes.Compare(k, key) > 0 {
			break
		}
		it = blockIter{b: v, key: it.key[:0]}
	}
merge:
	return mergeLists(dst, scratch), nil
}

// lookupScratch holds the buffers of a lookup, reused from one to the next.
type lookupScratch struct {
	key   []byte
	buf   []retrieval.Posting
	lists [][2]int // ranges of buf, each sorted by passage
	heads []int
	heap  []int
}

// mergeLists appends the union of scratch's lists to dst in passage order,
// the frequencies of one passage summed: a k-way merge over a heap of the
// lists' heads.
func mergeLists(dst []retrieval.Posting, s *lookupScratch) []retrieval.Posting {
	switch len(s.lists) {
	case 0:
		return dst
	case 1:
		return append(dst, s.buf[s.lists[0][0]:s.lists[0][1]]...)
	}
	// heads[i] is the next posting of list i; h is a min-heap of lists by
	// the passage of their head.
	s.heads = s.heads[:0]
	h := s.heap[:0]
	for i, l := range s.lists {
		s.heads = append(s.heads, l[0])
		h = append(h, i)
	}
	less := func(a, b int) bool { return s.buf[s.heads[h[a]]].Passage < s.buf[s.heads[h[b]]].Passage }
	down := func(i int) {
		for {
			c := 2*i + 1
			if c >= len(h) {
				return
			}
			if c+1 < len(h) && less(c+1, c) {
				c++
			}
			if !less(c, i) {
				return
			}
			h[i], h[c] = h[c], h[i]
			i = c
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		down(i)
	}
	for len(h) > 0 {
		l := h[0]
		p := s.buf[s.heads[l]]
		if n := len(dst); n > 0 && dst[n-1].Passage == p.Passage {
			dst[n-1].TF += p.TF
		} else {
			dst = append(dst, p)
		}
		if s.heads[l]++; s.heads[l] == s.lists[l][1] {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		down(0)
	}
	s.heap = h
	return dst
}
