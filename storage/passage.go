package storage

import (
	"encoding/binary"

	"github.com/baobot/baobot/retrieval"
)

// passageKey is the key of passage id in the passages bucket.
func passageKey(dst []byte, id retrieval.PassageID) []byte {
	return binary.BigEndian.AppendUint32(dst, uint32(id))
}

// appendPassage encodes a passage value.
func appendPassage(dst []byte, ref retrieval.PassageRef, length uint32) []byte {
	dst = binary.AppendUvarint(dst, uint64(ref.Ordinal))
	dst = binary.AppendUvarint(dst, uint64(ref.Start))
	dst = binary.AppendUvarint(dst, uint64(ref.End))
	dst = binary.AppendUvarint(dst, uint64(length))
	return append(dst, ref.ArticleID...)
}

// decodePassage decodes a passage value; the article ID is copied.
func decodePassage(id retrieval.PassageID, v []byte) (retrieval.PassageRef, uint32, error) {
	d := &decoder{b: v}
	ref := retrieval.PassageRef{Ordinal: d.int(), Start: d.int(), End: d.int()}
	length := d.uint32()
	if d.err == nil && len(d.b) == 0 {
		d.fail() // every passage belongs to an article
	}
	if d.err != nil {
		return retrieval.PassageRef{}, 0, corrupt("passage %d: %v", id, d.err)
	}
	ref.ArticleID = string(d.b)
	return ref, length, nil
}
