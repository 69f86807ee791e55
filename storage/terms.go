package storage

import (
	"hash/maphash"
	"sync"

	"github.com/baobot/baobot/retrieval"
)

// termShards is how many shards a termTable has.
const termShards = 64

// termTable numbers the distinct terms of one write's postings. The workers
// that prepare a batch number their articles' terms through it in
// parallel, each shard under its own lock, so that the write transaction,
// which runs on one CPU, only appends numbers to its postingsBatch. A
// term's number is its index in its shard times termShards plus the
// shard's: the numbers of n terms stay below about n, dense enough to
// count-sort by.
type termTable struct {
	seed   maphash.Seed
	shards [termShards]termShard
}

type termShard struct {
	mu    sync.Mutex
	ids   map[string]int32
	terms []string
	_     [24]byte // a shard to a cache line: the workers lock different ones
}

func newTermTable() *termTable {
	t := &termTable{seed: maphash.MakeSeed()}
	for i := range t.shards {
		t.shards[i].ids = make(map[string]int32)
	}
	return t
}

// id returns the number of term, numbering it if it is new. It is safe for
// concurrent use.
func (t *termTable) id(term string) int32 {
	s := int32(maphash.String(t.seed, term) % termShards)
	sh := &t.shards[s]
	sh.mu.Lock()
	n, ok := sh.ids[term]
	if !ok {
		n = int32(len(sh.terms))
		sh.ids[term] = n
		sh.terms = append(sh.terms, term)
	}
	sh.mu.Unlock()
	return n*termShards + s
}

// term is the term numbered id. Not safe beside id.
func (t *termTable) term(id int32) string {
	return t.shards[id%termShards].terms[id/termShards]
}

// span is one more than the greatest number given so far. Not safe beside
// id.
func (t *termTable) span() int {
	n := 0
	for s := range t.shards {
		if k := len(t.shards[s].terms); k > 0 {
			n = max(n, (k-1)*termShards+s+1)
		}
	}
	return n
}

// termTF is a term, by its number in a termTable, and its frequency in a
// passage.
type termTF struct {
	term int32
	tf   uint32
}

// numberTerms returns, for each passage of analysis, its exact terms
// numbered in t (folded terms are derived from exact ones when read), and
// drops the passages' maps of terms, which are no longer needed.
func numberTerms(t *termTable, analysis retrieval.IndexedArticle) [][]termTF {
	total := 0
	for _, p := range analysis.Passages {
		total += len(p.Terms)
	}
	all := make([]termTF, 0, total)
	out := make([][]termTF, len(analysis.Passages))
	for i := range analysis.Passages {
		p := &analysis.Passages[i]
		start := len(all)
		for term, tf := range p.Terms {
			if _, folded := retrieval.FoldedTerm(term); !folded {
				all = append(all, termTF{t.id(term), tf})
			}
		}
		out[i] = all[start:len(all):len(all)]
		p.Terms = nil
	}
	return out
}
