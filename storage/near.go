package storage

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/baobot/baobot/retrieval"
	bolt "go.etcd.io/bbolt"
)

var _ retrieval.NearReader = (*reader)(nil)

// NearForms returns the folded forms of the collection's words at most
// maxEdits edits from form (see retrieval.NearReader), form left out, in
// byte order. Each run's sort keys start with their folded form, so the
// walk is one pass over the keys of the form's first letter in each run
// that seeks past every prefix the matcher finds hopeless: its cost grows
// with the forms near the word, not with the vocabulary. A form's count is its entry's (the
// union of its variants) or its one variant's, summed over the runs.
func (r *reader) NearForms(form string, maxEdits int) ([]retrieval.NearForm, error) {
	_, size := utf8.DecodeRuneInString(form)
	first := []byte(form[:size])
	m := retrieval.NewEditMatcher(form, maxEdits)
	var out []retrieval.NearForm
	var seek []byte
	for i := range r.runs {
		run := &r.runs[i]
		it := entryIter{c: r.cursors[i], key: r.scratch.key}
		ok := it.seek(first)
		for ok && bytes.HasPrefix(it.e.key, first) {
			key := it.e.key
			f := key[:bytes.IndexByte(key, 0)]
			edits, hopeless := m.Match(f)
			if hopeless > 0 {
				seek = successor(append(seek[:0], f[:hopeless]...))
				if seek == nil {
					break
				}
				ok = it.seekForward(seek)
				continue
			}
			if edits <= maxEdits && string(f) != form {
				n, k := binary.Uvarint(it.e.postings)
				if k <= 0 || n == 0 {
					return nil, corrupt("run %d: postings of %q: bad count", run.seq, key)
				}
				j := slices.IndexFunc(out, func(nf retrieval.NearForm) bool { return nf.Form == string(f) })
				if j < 0 {
					out = append(out, retrieval.NearForm{Form: string(f), Edits: edits})
					j = len(out) - 1
				}
				out[j].Passages += int(n)
			}
			// Past the form's variants: the next form.
			seek = append(append(seek[:0], f...), 1)
			ok = it.seekForward(seek)
		}
		r.scratch.key = it.key
		if it.err != nil {
			return nil, it.err
		}
	}
	slices.SortFunc(out, func(a, b retrieval.NearForm) int { return strings.Compare(a.Form, b.Form) })
	return out, nil
}

// successor returns the least key greater than every key that starts with
// prefix, in prefix's memory; nil when there is none (prefix is all 0xff).
func successor(prefix []byte) []byte {
	for i := len(prefix) - 1; i >= 0; i-- {
		if prefix[i] < 0xff {
			prefix[i]++
			return prefix[:i+1]
		}
	}
	return nil
}

// entryIter walks the entries of a run in sort key order, across its
// blocks.
type entryIter struct {
	c   *bolt.Cursor
	it  blockIter
	e   entry
	key []byte // the buffer the block iterator rebuilds keys in
	err error
}

// seek moves to the first entry whose sort key is at least key (the
// first entry for nil); false past the last entry or on a malformed
// block (err is then set).
func (x *entryIter) seek(key []byte) bool {
	k, v := seekBlock(x.c, key)
	if k == nil {
		return false
	}
	x.it = blockIter{b: v, key: x.key[:0]}
	return x.skipTo(key)
}

// seekForward is seek for a key after the current entry's: it stays in
// the current block or the next one when the key is there, which is
// cheaper than a seek from the root when the walk skips little.
func (x *entryIter) seekForward(key []byte) bool {
	for x.it.next(&x.e) {
		if bytes.Compare(x.e.key, key) >= 0 {
			x.key = x.it.key
			return true
		}
	}
	if x.it.err != nil {
		x.err = x.it.err
		return false
	}
	k, v := x.c.Next()
	if k == nil {
		return false
	}
	if bytes.Compare(k, key) > 0 {
		// The next block starts past key: its first entry is the one.
		x.it = blockIter{b: v, key: x.it.key[:0]}
		return x.next()
	}
	return x.seek(key)
}

// skipTo moves to the first entry from the current one on whose sort key
// is at least key.
func (x *entryIter) skipTo(key []byte) bool {
	for x.next() {
		if bytes.Compare(x.e.key, key) >= 0 {
			return true
		}
	}
	return false
}

// next moves to the next entry; false past the last one or on a
// malformed block (err is then set).
func (x *entryIter) next() bool {
	for {
		if x.it.next(&x.e) {
			x.key = x.it.key
			return true
		}
		if x.it.err != nil {
			x.err = x.it.err
			return false
		}
		_, v := x.c.Next()
		if v == nil {
			return false
		}
		x.it = blockIter{b: v, key: x.it.key[:0]}
	}
}
