package storage

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/baobot/baobot/retrieval"
	bolt "go.etcd.io/bbolt"
)

// segmentSize is the size in bytes at which a postings segment is full:
// postings are appended to a term's last segment while it is smaller, so a
// segment holds at most segmentSize bytes plus one posting.
const segmentSize = 4096

// maxTermLen bounds terms so that a segment key fits bbolt's key limit.
const maxTermLen = bolt.MaxKeySize - 5

// termPrefix appends the prefix every segment key of term starts with.
func termPrefix(dst []byte, term string) []byte {
	dst = append(dst, term...)
	return append(dst, 0)
}

// segmentKey appends to prefix (a termPrefix) the ID of a segment's first
// posting.
func segmentKey(prefix []byte, first retrieval.PassageID) []byte {
	return binary.BigEndian.AppendUint32(prefix, uint32(first))
}

// isSegmentOf reports whether k is a segment key of the term whose
// termPrefix is prefix.
func isSegmentOf(k, prefix []byte) bool {
	return len(k) == len(prefix)+4 && bytes.HasPrefix(k, prefix)
}

// segmentFirst is the PassageID in a segment key whose term prefix is n bytes.
func segmentFirst(k []byte, n int) retrieval.PassageID {
	return retrieval.PassageID(binary.BigEndian.Uint32(k[n:]))
}

// appendPostings encodes ps, which follow a posting of passage prev, without
// a count.
func appendPostings(dst []byte, prev retrieval.PassageID, ps []retrieval.Posting) []byte {
	for _, p := range ps {
		dst = binary.AppendUvarint(dst, uint64(p.Passage-prev))
		dst = binary.AppendUvarint(dst, uint64(p.TF))
		dst = binary.AppendUvarint(dst, uint64(p.Length))
		prev = p.Passage
	}
	return dst
}

// appendSegment decodes the segment value v, whose key names passage first,
// and appends its postings to dst. It checks that the value is well formed
// and its passages increase.
func appendSegment(dst []retrieval.Posting, first retrieval.PassageID, v []byte) ([]retrieval.Posting, error) {
	count, n := binary.Uvarint(v)
	// A posting takes at least three bytes.
	if n <= 0 || count == 0 || count > uint64(len(v)-n)/3 {
		return dst, corrupt("postings segment of passage %d: bad count", first)
	}
	v = v[n:]
	dst = slices.Grow(dst, int(count))
	id := uint64(first)
	for i := range count {
		delta, n1 := binary.Uvarint(v)
		if n1 <= 0 {
			break
		}
		tf, n2 := binary.Uvarint(v[n1:])
		if n2 <= 0 {
			break
		}
		length, n3 := binary.Uvarint(v[n1+n2:])
		if n3 <= 0 {
			break
		}
		v = v[n1+n2+n3:]
		id += delta
		if (delta == 0 && i > 0) || id > math.MaxUint32 || tf > math.MaxUint32 || length > math.MaxUint32 {
			return dst, corrupt("postings segment of passage %d: posting %d out of range", first, i)
		}
		dst = append(dst, retrieval.Posting{Passage: retrieval.PassageID(id), TF: uint32(tf), Length: uint32(length)})
		count--
	}
	if count != 0 || len(v) != 0 {
		return dst, corrupt("postings segment of passage %d: truncated or trailing bytes", first)
	}
	return dst, nil
}

// segmentWriter edits the postings bucket inside a write transaction. Its
// buffers are reused from term to term.
type segmentWriter struct {
	bucket *bolt.Bucket
	arena  *arena
	key    []byte
	buf    []byte
	tmp    []retrieval.Posting
	segs   []segment
	edits  []segmentEdit
}

// segment is a segment as read from the bucket.
type segment struct {
	first retrieval.PassageID
	value []byte
}

// segmentEdit is a segment that remove rewrites: the one whose key names
// passage old now holds tmp[start:end].
type segmentEdit struct {
	old        retrieval.PassageID
	start, end int
}

// prefix returns the segment key prefix of term, with room to append a
// PassageID in place: segmentKey(prefix, id) does not disturb prefix.
func (s *segmentWriter) prefix(term string) []byte {
	s.key = termPrefix(slices.Grow(s.key[:0], len(term)+5), term)
	return s.key
}

// lastSegment returns the key and value of the last segment of the term
// whose prefix is given, or nil.
//
// It walks the term's segments forward: in a write transaction that has
// deleted keys, bbolt's Cursor.Last and Prev can loop forever on the leaf
// nodes the deletes emptied, while Seek and Next skip them.
func (s *segmentWriter) lastSegment(prefix []byte) (key, value []byte) {
	c := s.bucket.Cursor()
	for k, v := c.Seek(prefix); isSegmentOf(k, prefix); k, v = c.Next() {
		key, value = k, v
	}
	return key, value
}

// append adds ps, sorted by passage and all after the term's existing
// postings, to the postings of term. It fills the term's last segment up to
// segmentSize and opens new segments for the rest.
func (s *segmentWriter) append(term string, ps []retrieval.Posting) error {
	prefix := s.prefix(term)
	n := len(prefix)

	// The open segment: first, its key; count and body, its postings; last,
	// the passage of its last posting.
	var (
		open  bool
		first retrieval.PassageID
		count int
		body  []byte
		last  retrieval.PassageID
	)
	if k, v := s.lastSegment(prefix); k != nil && len(v) < segmentSize {
		var err error
		first = segmentFirst(k, n)
		if s.tmp, err = appendSegment(s.tmp[:0], first, v); err != nil {
			return fmt.Errorf("term %q: %w", term, err)
		}
		open, count, last = true, len(s.tmp), s.tmp[len(s.tmp)-1].Passage
		_, hdr := binary.Uvarint(v)
		body = v[hdr:]
	}
	for len(ps) > 0 {
		if !open {
			open, first, count, body, last = true, ps[0].Passage, 0, nil, ps[0].Passage
		} else if ps[0].Passage <= last {
			return fmt.Errorf("term %q: passage %d appended after passage %d", term, ps[0].Passage, last)
		}
		s.buf = s.buf[:0]
		i := 0
		for i < len(ps) && len(body)+len(s.buf) < segmentSize {
			s.buf = appendPostings(s.buf, last, ps[i:i+1])
			last = ps[i].Passage
			i++
		}
		total := uint64(count + i)
		value := s.arena.alloc(uvarintLen(total) + len(body) + len(s.buf))
		value = binary.AppendUvarint(value, total)
		value = append(value, body...)
		value = append(value, s.buf...)
		if err := s.bucket.Put(segmentKey(prefix, first), value); err != nil {
			return fmt.Errorf("term %q: %w", term, err)
		}
		ps = ps[i:]
		open = false
	}
	return nil
}

// remove deletes the postings of term for passages lo … hi-1 and returns how
// many it deleted. A segment that loses its first posting is stored again
// under the key of its new first one; a segment left empty is deleted.
func (s *segmentWriter) remove(term string, lo, hi retrieval.PassageID) (int, error) {
	prefix := s.prefix(term)
	n := len(prefix)

	// The segments to edit: the last one starting at or before lo (it may
	// hold lo), and those starting after lo and before hi.
	s.segs = s.segs[:0]
	c := s.bucket.Cursor()
	for k, v := c.Seek(prefix); isSegmentOf(k, prefix); k, v = c.Next() {
		first := segmentFirst(k, n)
		if first >= hi {
			break
		}
		if first <= lo {
			s.segs = s.segs[:0]
		}
		s.segs = append(s.segs, segment{first, v})
	}
	// Decode them all before changing any: the values are only valid until
	// the bucket changes.
	s.tmp, s.edits = s.tmp[:0], s.edits[:0]
	removed := 0
	for _, seg := range s.segs {
		start := len(s.tmp)
		var err error
		if s.tmp, err = appendSegment(s.tmp, seg.first, seg.value); err != nil {
			return 0, fmt.Errorf("term %q: %w", term, err)
		}
		had := len(s.tmp) - start
		kept := slices.DeleteFunc(s.tmp[start:], func(p retrieval.Posting) bool {
			return lo <= p.Passage && p.Passage < hi
		})
		s.tmp = s.tmp[:start+len(kept)]
		if len(kept) < had {
			removed += had - len(kept)
			s.edits = append(s.edits, segmentEdit{old: seg.first, start: start, end: len(s.tmp)})
		}
	}
	for _, e := range s.edits {
		if err := s.bucket.Delete(segmentKey(prefix, e.old)); err != nil {
			return 0, fmt.Errorf("term %q: %w", term, err)
		}
		kept := s.tmp[e.start:e.end]
		if len(kept) == 0 {
			continue
		}
		first := kept[0].Passage
		s.buf = appendPostings(s.buf[:0], first, kept)
		value := s.arena.alloc(uvarintLen(uint64(len(kept))) + len(s.buf))
		value = binary.AppendUvarint(value, uint64(len(kept)))
		value = append(value, s.buf...)
		if err := s.bucket.Put(segmentKey(prefix, first), value); err != nil {
			return 0, fmt.Errorf("term %q: %w", term, err)
		}
	}
	return removed, nil
}

// uvarintLen is the length of the uvarint encoding of x.
func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
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
	posting retrieval.Posting
}

func (b *postingsBatch) add(term string, p retrieval.Posting) {
	id, ok := b.ids[term]
	if !ok {
		if b.ids == nil {
			b.ids = make(map[string]int32)
		}
		id = int32(len(b.terms))
		b.ids[term] = id
		b.terms = append(b.terms, term)
	}
	b.entries = append(b.entries, batchEntry{id, p})
}

// each calls fn for every term in increasing term order, with its postings
// in increasing passage order. fn must not keep ps.
func (b *postingsBatch) each(fn func(term string, ps []retrieval.Posting) error) error {
	// A counting sort by term keeps each term's postings in the order added.
	offsets := make([]int, len(b.terms)+1)
	for _, e := range b.entries {
		offsets[e.term+1]++
	}
	for i := 1; i < len(offsets); i++ {
		offsets[i] += offsets[i-1]
	}
	sorted := make([]retrieval.Posting, len(b.entries))
	next := slices.Clone(offsets[:len(b.terms)])
	for _, e := range b.entries {
		sorted[next[e.term]] = e.posting
		next[e.term]++
	}
	order := make([]int32, len(b.terms))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(x, y int32) int { return cmp.Compare(b.terms[x], b.terms[y]) })
	for _, t := range order {
		if err := fn(b.terms[t], sorted[offsets[t]:offsets[t+1]]); err != nil {
			return err
		}
	}
	return nil
}
