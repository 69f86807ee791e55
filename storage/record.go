package storage

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/baobot/baobot/retrieval"
)

// Record versions, the first byte of every article record: version 1
// (schema 3 and older) holds the summary and body as they are, version 2
// holds them compressed (text.go). Both are read; version 2 is written.
const (
	recordVersionPlain = 1
	recordVersion      = 2
)

// maxIDLen bounds article IDs, which are bbolt keys.
const maxIDLen = 1024

// record is the value of an article in the articles bucket: the article as
// it was given, and what the index knows about it.
type record struct {
	article  retrieval.Article // ID comes from the key
	hash     string            // article.ContentHash()
	addedAt  int64             // ingest time, Unix nanoseconds
	language string            // analysis language
	first    retrieval.PassageID
	passages uint32 // the article's passages are first … first+passages-1
	// text, when set, is the stored form of the article's summary and
	// body (appendText), made ahead of the write; appendRecord makes it
	// otherwise.
	text []byte
}

// end is the PassageID after the article's last passage.
func (r *record) end() retrieval.PassageID { return r.first + retrieval.PassageID(r.passages) }

// ArticleInfo describes a stored article without its text.
type ArticleInfo struct {
	ID        string
	Title     string
	URL       string
	Source    string
	Language  string    // the analysis language: the article's own or the detected one
	Published time.Time // zero when unknown
	AddedAt   time.Time // when it was first stored (UTC); a replacement keeps it
	Passages  int
	Hash      string // retrieval.Article.ContentHash
}

// maxSize bounds the size of r's encoding.
func (r *record) maxSize() int {
	a := &r.article
	zone, _ := a.Published.Zone()
	text := len(r.hash) + len(r.language) + len(a.Title) + len(a.URL) + len(a.Source) +
		len(a.Language) + len(zone) + len(a.Summary) + len(a.Body)
	if r.text != nil {
		text += len(r.text) - len(a.Summary) - len(a.Body)
	}
	// The version and codec bytes, then 16 varints at most: 3 numbers, 9
	// lengths and the time's 4. A text is only stored compressed when
	// that makes it smaller.
	return 2 + 16*binary.MaxVarintLen64 + text
}

// appendRecord encodes r, compressing its text with c unless r.text is
// set (c may then be nil).
func appendRecord(dst []byte, r *record, c *textCodec) []byte {
	a := &r.article
	dst = append(dst, recordVersion)
	dst = binary.AppendVarint(dst, r.addedAt)
	dst = binary.AppendUvarint(dst, uint64(r.first))
	dst = binary.AppendUvarint(dst, uint64(r.passages))
	dst = appendString(dst, r.hash)
	dst = appendString(dst, r.language)
	dst = appendString(dst, a.Title)
	dst = appendString(dst, a.URL)
	dst = appendString(dst, a.Source)
	dst = appendString(dst, a.Language)
	dst = appendTime(dst, a.Published)
	if r.text != nil {
		return append(dst, r.text...)
	}
	return appendText(dst, c, a.Summary, a.Body)
}

// appendTime encodes t as a length-prefixed field: empty for the zero time,
// else its Unix seconds and nanoseconds and, unless it is in UTC, its zone's
// offset and name. (time.Time.MarshalBinary garbles negative offsets that
// are not whole minutes.)
func appendTime(dst []byte, t time.Time) []byte {
	if t.IsZero() {
		return appendBytes(dst, nil)
	}
	var b [4*binary.MaxVarintLen64 + 16]byte
	field := binary.AppendVarint(b[:0], t.Unix())
	field = binary.AppendUvarint(field, uint64(t.Nanosecond()))
	if t.Location() != time.UTC {
		name, offset := t.Zone()
		field = binary.AppendVarint(field, int64(offset))
		field = appendString(field, name)
	}
	return appendBytes(dst, field)
}

// time decodes a field of appendTime. A time that was not in UTC comes back
// in a fixed zone with the same offset and name.
func (d *decoder) time() time.Time {
	field := d.bytes()
	if len(field) == 0 {
		return time.Time{}
	}
	f := &decoder{b: field}
	t := time.Unix(f.varint(), int64(f.uvarint()))
	if len(f.b) == 0 {
		t = t.UTC()
	} else {
		offset := f.varint()
		t = t.In(time.FixedZone(f.string(), int(offset)))
	}
	if f.err == nil && len(f.b) != 0 {
		f.fail()
	}
	if f.err != nil {
		d.err = fmt.Errorf("time: %w", f.err)
	}
	return t
}

// decodeRecord decodes the record of article id, read in the transaction of
// src. Every string is copied, so the record outlives the transaction.
func decodeRecord(id string, v []byte, src textSource) (record, error) {
	d, r := decodeHead(id, v)
	switch {
	case d.err != nil:
	case v[0] == recordVersionPlain:
		r.article.Summary = d.string()
		r.article.Body = d.string()
		if d.err == nil && len(d.b) != 0 {
			d.fail()
		}
	default:
		r.article.Summary, r.article.Body, d.err = decodeText(d.b, src)
	}
	if d.err != nil {
		return record{}, corrupt("article %q: %v", id, d.err)
	}
	return r, nil
}

// decodeInfo decodes what ArticleInfo needs of a record, without reading
// the summary and body.
func decodeInfo(id string, v []byte) (ArticleInfo, error) {
	d, r := decodeHead(id, v)
	if d.err != nil {
		return ArticleInfo{}, corrupt("article %q: %v", id, d.err)
	}
	a := &r.article
	return ArticleInfo{
		ID:        id,
		Title:     a.Title,
		URL:       a.URL,
		Source:    a.Source,
		Language:  r.language,
		Published: a.Published,
		AddedAt:   time.Unix(0, r.addedAt).UTC(),
		Passages:  int(r.passages),
		Hash:      r.hash,
	}, nil
}

// decodeHead decodes a record up to its summary and returns the decoder
// positioned there; the caller checks d.err.
func decodeHead(id string, v []byte) (*decoder, record) {
	d := &decoder{b: v}
	var r record
	if version := d.byte(); d.err == nil && version != recordVersion && version != recordVersionPlain {
		d.err = fmt.Errorf("unknown record version %d", version)
		return d, r
	}
	r.article.ID = id
	r.addedAt = d.varint()
	r.first = retrieval.PassageID(d.uint32())
	r.passages = d.uint32()
	r.hash = d.string()
	r.language = d.string()
	r.article.Title = d.string()
	r.article.URL = d.string()
	r.article.Source = d.string()
	r.article.Language = d.string()
	r.article.Published = d.time()
	return d, r
}
