package storage

import (
	"encoding/binary"
	"slices"
	"strings"

	"github.com/baobot/baobot/retrieval"
)

var _ retrieval.SpellingReader = (*reader)(nil)

// Spellings returns the exact terms whose retrieval.FoldedForm is form
// (form itself included when it is a term), each with the number of
// passages that hold it, in byte order of the terms. The variants of a
// form are adjacent under the sort key, so this is one range of entries
// per run; a term's count is the sum of its lists' counts over the runs,
// which holds passages removed since their run was written until a merge
// drops them.
func (r *reader) Spellings(form string) ([]retrieval.Spelling, error) {
	if !storableTerm(form) {
		return nil, nil
	}
	r.key = append(append(r.key[:0], form...), 0)
	var out []retrieval.Spelling
	for i := range r.runs {
		run := &r.runs[i]
		err := lookup(r.cursors[i], r.key, true, &r.scratch.key, func(e entry) error {
			if len(e.key) == len(r.key) {
				return nil // the form's own entry: its variants' shared count
			}
			n, k := binary.Uvarint(e.postings)
			if k <= 0 || n == 0 {
				return corrupt("run %d: postings of %q: bad count", run.seq, e.key)
			}
			term := e.key[len(r.key):]
			for j := range out {
				if out[j].Term == string(term) {
					out[j].Passages += int(n)
					return nil
				}
			}
			out = append(out, retrieval.Spelling{Term: string(term), Passages: int(n)})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b retrieval.Spelling) int { return strings.Compare(a.Term, b.Term) })
	return out, nil
}
