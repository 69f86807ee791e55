package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

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
	// articleFirst is set in the norm of the first passage of an article:
	// the passages of one article are consecutive and in one run.
	articleFirst = 1 << 31
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
	seq     uint32
	level   uint32
	lo      retrieval.PassageID
	removed uint32 // passages marked removed since the run was written
	norms   []byte // 4 bytes, little-endian, per passage of lo … hi()-1
}

func (r *run) hi() retrieval.PassageID { return r.lo + retrieval.PassageID(len(r.norms)/4) }

// norm is the length of passage id, or deletedNorm.
func (r *run) norm(id retrieval.PassageID) uint32 {
	n := binary.LittleEndian.Uint32(r.norms[4*(id-r.lo):])
	if n == deletedNorm {
		return n
	}
	return n &^ articleFirst
}

// articleStart is the first passage of the article that holds passage id.
func (r *run) articleStart(id retrieval.PassageID) retrieval.PassageID {
	for ; id > r.lo; id-- {
		if n := binary.LittleEndian.Uint32(r.norms[4*(id-r.lo):]); n != deletedNorm && n&articleFirst != 0 {
			break
		}
	}
	return id
}

func runName(seq uint32) []byte { return binary.BigEndian.AppendUint32(nil, seq) }

// appendRunInfo encodes the runinfo value of r.
func appendRunInfo(dst []byte, r *run) []byte {
	dst = binary.AppendUvarint(dst, uint64(r.level))
	dst = binary.AppendUvarint(dst, uint64(r.lo))
	dst = binary.AppendUvarint(dst, uint64(r.removed))
	return append(dst, r.norms...)
}

// decodeRunInfo decodes the runinfo value v of run key k. norms aliases v.
func decodeRunInfo(k, v []byte) (run, error) {
	if len(k) != 4 {
		return run{}, corrupt("runinfo key %x", k)
	}
	d := &decoder{b: v}
	r := run{seq: binary.BigEndian.Uint32(k), level: d.uint32(), lo: retrieval.PassageID(d.uint32()), removed: d.uint32()}
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
//	string   the entry's value
//
// The entry of a term (sort key FoldedForm(term) + 0x00 + term) holds its
// postings list; an entry whose sort key is a folded form + 0x00 alone
// comes before the variants of that form when the run has two or more,
// and holds, as a uvarint, how many distinct passages they hold together:
// the document frequency of the form's folded group without a merge.
//
// A postings list, for passages in increasing order, is
//
//	uvarint  count of postings
//	when count > shortList (a reader of a shorter list derives both from
//	its postings and the run's norms)
//	uvarint  the greatest tf among them
//	uvarint  the least length (norm) of their passages: with the greatest
//	         tf, a bound on what one posting can add to a BM25 score
//	when count > skipInterval, a skip table: the postings come in blocks of
//	skipInterval, and for every block but the last
//	uvarint  its last passage − the previous block's last (the first: − lo)
//	uvarint  its length in bytes
//	then per posting
//	uvarint  (passage − previous passage) << 1 | (tf ≠ 1); the first
//	         passage is relative to the run's lo
//	uvarint  tf, only when tf ≠ 1

// skipInterval is how many postings a block of a long postings list holds:
// a cursor skips whole blocks by the skip table.
const skipInterval = 64

// shortList is the longest postings list stored without its greatest tf
// and least length: half the lists hold one posting, and those bounds
// would be half their size.
const shortList = 4

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

// list is a parsed postings list. Its fields alias the block.
type list struct {
	count  int
	maxTF  uint32
	minLen uint32
	skips  []byte // nskips pairs of uvarints
	nskips int
	data   []byte
}

// parseList parses a postings list value.
func parseList(b []byte, r *run) (list, error) {
	d := decoder{b: b}
	l := list{count: d.int()}
	if l.count > shortList {
		l.maxTF, l.minLen = d.uint32(), d.uint32()
	}
	if d.err != nil || l.count == 0 {
		return list{}, corrupt("postings of run %d: bad count", r.seq)
	}
	if l.count <= shortList {
		l.data = d.b
		return l, l.deriveBounds(r)
	}
	if l.count > skipInterval {
		l.nskips = (l.count - 1) / skipInterval
		start := d.b
		for range 2 * l.nskips {
			d.uvarint()
		}
		if d.err != nil {
			return list{}, corrupt("postings of run %d: bad skip table", r.seq)
		}
		l.skips = start[:len(start)-len(d.b)]
	}
	l.data = d.b
	return l, nil
}

// deriveBounds sets the greatest tf and least length of a short list from
// its postings and r's norms (removed passages have no length).
func (l *list) deriveBounds(r *run) error {
	l.minLen = math.MaxUint32
	id, hi := uint64(r.lo), uint64(r.hi())
	data := l.data
	for range l.count {
		v, n := binary.Uvarint(data)
		if n <= 0 {
			return corrupt("postings of run %d: bad varint", r.seq)
		}
		data = data[n:]
		tf := uint64(1)
		if v&1 != 0 {
			if tf, n = binary.Uvarint(data); n <= 0 || tf > math.MaxUint32 {
				return corrupt("postings of run %d: bad term frequency", r.seq)
			}
			data = data[n:]
		}
		if id += v >> 1; id >= hi {
			return corrupt("postings of run %d: passage %d outside %d…%d", r.seq, id, r.lo, hi-1)
		}
		l.maxTF = max(l.maxTF, uint32(tf))
		if n := r.norm(retrieval.PassageID(id)); n != deletedNorm {
			l.minLen = min(l.minLen, n)
		}
	}
	return nil
}

// decodePostings appends the postings of the list value b of run r to dst,
// with their lengths from r's norms. Removed passages are skipped.
func decodePostings(dst []retrieval.Posting, b []byte, r *run) ([]retrieval.Posting, error) {
	l, err := parseList(b, r)
	if err != nil {
		return dst, err
	}
	id := uint64(r.lo)
	hi := uint64(r.hi())
	data := l.data
	for i := range l.count {
		v, n := binary.Uvarint(data)
		if n <= 0 {
			return dst, corrupt("postings of run %d: bad varint", r.seq)
		}
		data = data[n:]
		delta := v >> 1
		if delta == 0 && i > 0 {
			return dst, corrupt("postings of run %d: repeated passage", r.seq)
		}
		id += delta
		tf := uint64(1)
		if v&1 != 0 {
			if tf, n = binary.Uvarint(data); n <= 0 || tf > math.MaxUint32 {
				return dst, corrupt("postings of run %d: bad term frequency", r.seq)
			}
			data = data[n:]
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
	if len(data) != 0 {
		return dst, corrupt("postings of run %d: trailing bytes", r.seq)
	}
	return dst, nil
}

// appendPosting encodes one posting after passage prev (or, for the first
// posting of a list, after the run's lo).
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

// post is a posting as a run is written: passage and frequency.
type post struct {
	id retrieval.PassageID
	tf uint32
}

// appendList encodes ps, whose passages are in r's range and increase, as
// a postings list; scratch is a buffer it may reuse, returned grown.
func appendList(dst, scratch []byte, r *run, ps []post) ([]byte, []byte) {
	lo := r.lo
	maxTF, minLen := uint32(0), uint32(math.MaxUint32)
	for _, p := range ps {
		maxTF = max(maxTF, p.tf)
		if n := r.norm(p.id); n != deletedNorm {
			minLen = min(minLen, n)
		}
	}
	dst = binary.AppendUvarint(dst, uint64(len(ps)))
	if len(ps) > shortList {
		dst = binary.AppendUvarint(dst, uint64(maxTF))
		dst = binary.AppendUvarint(dst, uint64(minLen))
	}
	if len(ps) <= skipInterval {
		prev := lo
		for _, p := range ps {
			dst = appendPosting(dst, prev, p.id, p.tf)
			prev = p.id
		}
		return dst, scratch
	}
	data := scratch[:0]
	prev, prevLast := lo, lo
	blockStart := 0
	for i, p := range ps {
		data = appendPosting(data, prev, p.id, p.tf)
		prev = p.id
		if (i+1)%skipInterval == 0 && i+1 < len(ps) {
			dst = binary.AppendUvarint(dst, uint64(p.id-prevLast))
			dst = binary.AppendUvarint(dst, uint64(len(data)-blockStart))
			prevLast, blockStart = p.id, len(data)
		}
	}
	return append(dst, data...), data
}

// runWriter writes a new run into a fresh bucket, entry by entry in sort
// key order, cutting blocks at blockTarget bytes. It holds back the
// variants of one folded form until the next form begins, to write the
// form's entry (the number of passages they hold together) before them.
type runWriter struct {
	bucket  *bolt.Bucket
	arena   *arena
	run     *run // the run written: its range and norms
	block   []byte
	first   []byte // sort key of the block's first entry
	prev    []byte // sort key of the last entry written
	scratch []byte

	form    []byte // the folded form + 0x00 of the variants held back, nil when none
	held    []heldEntry
	keyBuf  []byte
	postBuf []post
	stamps  []uint32 // per passage of the run: the stamp of the last form that held it
	stamp   uint32
	value   []byte
}

// heldEntry is a variant held back: its sort key and postings, as ranges
// of runWriter.keyBuf and postBuf.
type heldEntry struct{ key, ps [2]int }

func newRunWriter(tx *bolt.Tx, r *run, a *arena) (*runWriter, error) {
	b, err := tx.Bucket(bucketRuns).CreateBucket(runName(r.seq))
	if err != nil {
		return nil, fmt.Errorf("run %d: %w", r.seq, err)
	}
	// Keys arrive in order: pages can be filled.
	b.FillPercent = 1
	return &runWriter{bucket: b, arena: a, run: r}, nil
}

// add queues the postings of the term whose sort key is key; keys must
// increase and ps must not be empty. Neither is kept.
func (w *runWriter) add(key []byte, ps []post) error {
	z := bytes.IndexByte(key, 0)
	if w.form != nil && !bytes.Equal(key[:z+1], w.form) {
		if err := w.flushForm(); err != nil {
			return err
		}
	}
	if w.form == nil {
		w.form = append(w.form, key[:z+1]...)
	}
	e := heldEntry{key: [2]int{len(w.keyBuf), len(w.keyBuf) + len(key)}, ps: [2]int{len(w.postBuf), len(w.postBuf) + len(ps)}}
	w.keyBuf = append(w.keyBuf, key...)
	w.postBuf = append(w.postBuf, ps...)
	w.held = append(w.held, e)
	return nil
}

// flushForm writes the entries held back: the form's entry when it has
// two variants or more, then theirs.
func (w *runWriter) flushForm() error {
	if w.form == nil {
		return nil
	}
	if len(w.held) > 1 {
		// Count the distinct passages by stamping them, a stamp per form,
		// so that nothing needs clearing.
		if n := int(w.run.hi() - w.run.lo); len(w.stamps) < n {
			w.stamps = make([]uint32, n)
			w.stamp = 0
		}
		w.stamp++
		union := 0
		for _, p := range w.postBuf {
			if i := p.id - w.run.lo; w.stamps[i] != w.stamp {
				w.stamps[i] = w.stamp
				union++
			}
		}
		w.value = binary.AppendUvarint(w.value[:0], uint64(union))
		if err := w.entry(w.form, w.value); err != nil {
			return err
		}
	}
	for _, e := range w.held {
		w.value, w.scratch = appendList(w.value[:0], w.scratch, w.run, w.postBuf[e.ps[0]:e.ps[1]])
		if err := w.entry(w.keyBuf[e.key[0]:e.key[1]], w.value); err != nil {
			return err
		}
	}
	w.form, w.held = w.form[:0:0], w.held[:0]
	w.form = nil
	w.keyBuf, w.postBuf = w.keyBuf[:0], w.postBuf[:0]
	return nil
}

// entry appends an entry to the open block, closing it first when full.
func (w *runWriter) entry(key, value []byte) error {
	if len(w.block) > 0 && len(w.block)+len(key)+len(value) > blockTarget {
		if err := w.flushBlock(); err != nil {
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
	w.block = appendBytes(w.block, value)
	w.prev = append(w.prev[:0], key...)
	return nil
}

// flushBlock writes the open block.
func (w *runWriter) flushBlock() error {
	if len(w.block) == 0 {
		return nil
	}
	v := append(w.arena.alloc(len(w.block)), w.block...)
	k := append(w.arena.alloc(len(w.first)), w.first...)
	w.block = w.block[:0]
	return w.bucket.Put(k, v)
}

// close writes what is held back and the last block.
func (w *runWriter) close() error {
	if err := w.flushForm(); err != nil {
		return err
	}
	return w.flushBlock()
}

// postingsBatch gathers the new postings of a write transaction, so that
// each term is written once however many articles of the batch contain it.
// Postings must be added in increasing passage order.
type postingsBatch struct {
	terms   *termTable   // the numbers of the terms, the write's table
	entries []batchEntry // in the order added
}

type batchEntry struct {
	term    int32 // number in terms
	passage retrieval.PassageID
	tf      uint32
}

// add queues the posting of passage id for the terms numbered in
// b.terms.
func (b *postingsBatch) add(id retrieval.PassageID, terms []termTF) {
	for _, t := range terms {
		b.entries = append(b.entries, batchEntry{t.term, id, t.tf})
	}
}

func (b *postingsBatch) empty() bool { return len(b.entries) == 0 }

// each calls fn for every term that has postings, in increasing sort key
// order, with its sort key and its postings in increasing passage order.
// fn must keep neither.
func (b *postingsBatch) each(fn func(key []byte, ps []batchEntry) error) error {
	if b.empty() {
		return nil
	}
	// A counting sort by term keeps each term's postings in the order added.
	span := b.terms.span()
	offsets := make([]int, span+1)
	for _, e := range b.entries {
		offsets[e.term+1]++
	}
	var order []int32 // the terms that have postings
	for t := range span {
		if offsets[t+1] > 0 {
			order = append(order, int32(t))
		}
		offsets[t+1] += offsets[t]
	}
	sorted := make([]batchEntry, len(b.entries))
	next := slices.Clone(offsets[:span])
	for _, e := range b.entries {
		sorted[next[e.term]] = e
		next[e.term]++
	}
	// Sort keys, and the order they give, made on every CPU: a batch has
	// hundreds of thousands of distinct terms.
	keys := make([][]byte, span)
	compare := func(x, y int32) int { return bytes.Compare(keys[x], keys[y]) }
	parts := min(runtime.GOMAXPROCS(0), max(1, len(order)/10000))
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := p*len(order)/parts, (p+1)*len(order)/parts
		wg.Go(func() {
			var buf []byte
			for _, t := range order[lo:hi] {
				start := len(buf)
				buf = appendSortKey(buf, b.terms.term(t))
				keys[t] = buf[start:len(buf):len(buf)]
			}
			slices.SortFunc(order[lo:hi], compare)
		})
	}
	wg.Wait()
	if parts > 1 {
		order = mergeOrders(order, parts, compare)
	}
	for _, t := range order {
		if err := fn(keys[t], sorted[offsets[t]:offsets[t+1]]); err != nil {
			return err
		}
	}
	return nil
}

// mergeOrders merges the parts sorted runs of order (cut as each cut them)
// into one sorted order.
func mergeOrders(order []int32, parts int, compare func(x, y int32) int) []int32 {
	out := make([]int32, 0, len(order))
	heads := make([][]int32, parts)
	for p := range parts {
		heads[p] = order[p*len(order)/parts : (p+1)*len(order)/parts]
	}
	for {
		best := -1
		for p, h := range heads {
			if len(h) > 0 && (best < 0 || compare(h[0], heads[best][0]) < 0) {
				best = p
			}
		}
		if best < 0 {
			return out
		}
		out = append(out, heads[best][0])
		heads[best] = heads[best][1:]
	}
}

// writeRun writes the postings of batch as run r (whose passage range and
// norms are set) into a new bucket.
func writeRun(tx *bolt.Tx, r *run, batch *postingsBatch, a *arena) error {
	w, err := newRunWriter(tx, r, a)
	if err != nil {
		return err
	}
	var ps []post
	err = batch.each(func(key []byte, es []batchEntry) error {
		ps = ps[:0]
		for _, e := range es {
			ps = append(ps, post{e.passage, e.tf})
		}
		return w.add(key, ps)
	})
	if err != nil {
		return err
	}
	if err := w.close(); err != nil {
		return err
	}
	return putRunInfo(tx, r, a)
}

func putRunInfo(tx *bolt.Tx, r *run, a *arena) error {
	v := appendRunInfo(a.alloc(3*binary.MaxVarintLen32+len(r.norms)), r)
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

// cursorHeap is a min-heap of run cursors by the key of their entry, then
// by passage, so that the runs holding the least key come out one after
// the other in passage order: a k-way merge costs log k comparisons per
// entry, however many runs it merges.
type cursorHeap []*runCursor

func (h cursorHeap) less(i, j int) bool {
	c := bytes.Compare(h[i].cur.key, h[j].cur.key)
	return c < 0 || c == 0 && h[i].run.lo < h[j].run.lo
}

// init orders h as a heap.
func (h cursorHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

// down moves h[i] down until neither child is less: h[i] grew.
func (h cursorHeap) down(i int) {
	for {
		c := 2*i + 1
		if c >= len(h) {
			return
		}
		if c+1 < len(h) && h.less(c+1, c) {
			c++
		}
		if !h.less(c, i) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

// pop removes the least cursor, h[0].
func (h *cursorHeap) pop() {
	n := len(*h) - 1
	(*h)[0] = (*h)[n]
	*h = (*h)[:n]
	h.down(0)
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

	var h cursorHeap // a cursor per run that has entries left
	for i := range rs {
		rc, err := newRunCursor(tx, &rs[i])
		if err == nil {
			err = rc.err
		}
		if err != nil {
			return run{}, err
		}
		if rc.ok {
			h = append(h, rc)
		}
	}
	w, err := newRunWriter(tx, &out, a)
	if err != nil {
		return run{}, err
	}
	h.init()
	var key []byte
	var decoded []retrieval.Posting
	var ps []post
	for len(h) > 0 {
		key = append(key[:0], h[0].cur.key...)
		form := key[len(key)-1] == 0 // a folded form's entry: recomputed when written
		ps = ps[:0]
		for len(h) > 0 && bytes.Equal(h[0].cur.key, key) {
			rc := h[0]
			if !form {
				if decoded, err = decodePostings(decoded[:0], rc.cur.postings, rc.run); err != nil {
					return run{}, err
				}
				for _, p := range decoded {
					ps = append(ps, post{p.Passage, p.TF})
				}
			}
			switch rc.advance(); {
			case rc.err != nil:
				return run{}, rc.err
			case !rc.ok:
				h.pop()
			case bytes.Compare(rc.cur.key, key) <= 0:
				return run{}, corrupt("run %d: keys out of order", rc.run.seq)
			default:
				h.down(0)
			}
		}
		if len(ps) > 0 {
			if err := w.add(key, ps); err != nil {
				return run{}, err
			}
		}
	}
	if err := w.close(); err != nil {
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
	_, v := seekBlock(c, key)
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
			if len(e.key) == len(key) || bytes.Equal(e.key[len(key):], form) {
				continue // the form's own entry, or its exact term
			}
			start := len(scratch.buf)
			var err error
			if scratch.buf, err = decodePostings(scratch.buf, e.postings, r); err != nil {
				return dst, err
			}
			if len(scratch.buf) > start { // not every posting of a removed passage
				scratch.lists = append(scratch.lists, [2]int{start, len(scratch.buf)})
			}
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
