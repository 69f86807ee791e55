package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"sync"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"
)

// An article's text (its summary and body) is stored compressed, one
// zstd frame per article, so that reading one article decompresses that
// article only. Once an index holds textDictMinArticles articles, a zstd
// dictionary trained on them (textdict.go) is stored in meta and the texts
// written from then on are compressed with it: news articles share so
// much vocabulary that a frame of one article alone compresses far worse.
// See doc.go for the layout.

// Codecs of a stored text, its first byte.
const (
	textRaw      = 0 // stored as it is
	textZstd     = 1 // a zstd frame
	textZstdDict = 2 // a zstd frame made with the index's dictionary
)

// minCompressedText is the size below which a text is stored raw: a zstd
// frame's header and checksum would eat what it saves.
const minCompressedText = 64

// maxTextSize bounds what a stored text may decompress to: bbolt's largest
// value, which no text that was written can exceed.
const maxTextSize = 1<<31 - 2

// textCodec compresses texts into one codec and decompresses them. Both
// are safe for concurrent use.
type textCodec struct {
	codec byte // what enc writes: textZstd or textZstdDict
	enc   *zstd.Encoder
	dec   *zstd.Decoder
}

// plainCodec is the codec of an index without a dictionary (textZstd),
// shared by every DB.
var plainCodec = sync.OnceValue(func() *textCodec {
	c, err := newTextCodec(textZstd, nil)
	if err != nil {
		panic(err) // only for invalid options
	}
	return c
})

// newTextCodec makes the codec of a dictionary in zstd's format, or the
// plain one when dict is nil. Texts are compressed at zstd.SpeedDefault
// without a dictionary and textDictLevel with one.
func newTextCodec(codec byte, dict []byte) (*textCodec, error) {
	level := zstd.SpeedDefault
	if dict != nil {
		level = textDictLevel
	}
	eopts := []zstd.EOption{zstd.WithEncoderLevel(level), zstd.WithLowerEncoderMem(true)}
	dopts := []zstd.DOption{zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxMemory(maxTextSize)}
	if dict != nil {
		eopts = append(eopts, zstd.WithEncoderDict(dict))
		dopts = append(dopts, zstd.WithDecoderDicts(dict))
	}
	enc, err := zstd.NewWriter(nil, eopts...)
	if err != nil {
		return nil, err
	}
	dec, err := zstd.NewReader(nil, dopts...)
	if err != nil {
		enc.Close()
		return nil, err
	}
	return &textCodec{codec: codec, enc: enc, dec: dec}, nil
}

// plainPool holds the buffers texts are laid out in before compression
// and decompressed into.
var plainPool = sync.Pool{New: func() any { return new([]byte) }}

// appendText appends the stored form of an article's text: a codec byte,
// then, compressed with c or not, the summary as a string followed by the
// body.
func appendText(dst []byte, c *textCodec, summary, body string) []byte {
	buf := plainPool.Get().(*[]byte)
	defer plainPool.Put(buf)
	plain := append(appendString((*buf)[:0], summary), body...)
	*buf = plain
	return appendPlainText(dst, c, plain)
}

// appendPlainText is appendText of a text laid out already.
func appendPlainText(dst []byte, c *textCodec, plain []byte) []byte {
	if len(plain) >= minCompressedText {
		start := len(dst)
		packed := c.enc.EncodeAll(plain, append(dst, c.codec))
		if len(packed)-start-1 < len(plain) {
			return packed
		}
		dst = packed[:start]
	}
	return append(append(dst, textRaw), plain...)
}

// errText is decodeText's error for a stored text that does not decode.
var errText = errors.New("text")

// textSource finds the dictionary the texts of one transaction need: the
// DB's, or, when the DB has none (another process trained it after this
// one opened the index, or db is nil), the one the transaction's meta
// holds, which then becomes the DB's. The zero textSource has none.
type textSource struct {
	db *DB      // may be nil
	tx *bolt.Tx // may be nil
	// dictErr, in a source detached from its transaction, is why the
	// transaction's dictionary could not be loaded.
	dictErr error
}

// detached returns a source that finds the same dictionary as s without
// its transaction, which it reads now, so that texts can be decoded on
// other goroutines: a bolt.Tx is for one goroutine only. The dictionary
// found is kept in s.db, which must be set for the result to be detached
// (a reader's always is); without it, s is returned as it is.
func (s textSource) detached() textSource {
	if s.db == nil || s.tx == nil {
		return s
	}
	var err error
	if s.db.codec.Load() == nil {
		_, err = s.dictCodec()
	}
	return textSource{db: s.db, dictErr: err}
}

// dictCodec returns the codec of the index's dictionary. An index without
// one, or with one damaged, is ErrCorrupt: a text needs it.
func (s textSource) dictCodec() (*textCodec, error) {
	if s.db != nil {
		if c := s.db.codec.Load(); c != nil {
			return c, nil
		}
	}
	if s.dictErr != nil {
		return nil, s.dictErr
	}
	var c *textCodec
	var err error
	if s.tx != nil {
		c, err = loadTextDict(s.tx)
	}
	switch {
	case err != nil:
		return nil, err
	case c == nil:
		return nil, corrupt("meta: no text dictionary")
	case s.db != nil:
		// A dictionary is never replaced: whoever stored it first wins.
		s.db.codec.CompareAndSwap(nil, c)
	}
	return c, nil
}

// plainText appends to dst the text a stored text v holds, laid out as
// appendText lays it out before compression.
func plainText(dst, v []byte, src textSource) ([]byte, error) {
	if len(v) == 0 {
		return nil, fmt.Errorf("%w: missing", errText)
	}
	var dec *zstd.Decoder
	switch v[0] {
	case textRaw:
		return append(dst, v[1:]...), nil
	case textZstd:
		dec = plainCodec().dec
	case textZstdDict:
		c, err := src.dictCodec()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errText, err)
		}
		dec = c.dec
	default:
		return nil, fmt.Errorf("%w: unknown codec %d", errText, v[0])
	}
	plain, err := dec.DecodeAll(v[1:], dst)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errText, err)
	}
	return plain, nil
}

// decodeText decodes a stored text made by appendText; the strings are
// copies.
func decodeText(v []byte, src textSource) (summary, body string, err error) {
	buf := plainPool.Get().(*[]byte)
	defer plainPool.Put(buf)
	plain, err := plainText((*buf)[:0], v, src)
	if err != nil {
		return "", "", err
	}
	*buf = plain
	d := &decoder{b: plain}
	summary = d.string()
	if d.err != nil {
		return "", "", fmt.Errorf("%w: summary: %w", errText, d.err)
	}
	return summary, string(d.b), nil
}

// The text dictionary is stored in meta under keyTextDict: the dictionary
// in zstd's format, then its CRC-32C (Castagnoli), 4 bytes big-endian, so
// that a damaged one is told from a sound one.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// appendTextDict appends the value of keyTextDict for dict.
func appendTextDict(dst, dict []byte) []byte {
	return binary.BigEndian.AppendUint32(append(dst, dict...), crc32.Checksum(dict, castagnoli))
}

// loadTextDict returns the codec of the dictionary stored in the meta
// bucket of tx, nil when there is none, ErrCorrupt when it is damaged.
func loadTextDict(tx *bolt.Tx) (*textCodec, error) {
	v := tx.Bucket(bucketMeta).Get(keyTextDict)
	if v == nil {
		return nil, nil
	}
	dict, sum := v[:max(0, len(v)-4)], v[max(0, len(v)-4):]
	if len(sum) != 4 || binary.BigEndian.Uint32(sum) != crc32.Checksum(dict, castagnoli) {
		return nil, corrupt("meta: text dictionary: checksum mismatch")
	}
	if d, err := zstd.InspectDictionary(dict); err != nil || d.ID() != textDictID {
		return nil, corrupt("meta: text dictionary: not one of baobot's")
	}
	// The codec keeps dict: it must outlive the transaction.
	c, err := newTextCodec(textZstdDict, append([]byte(nil), dict...))
	if err != nil {
		return nil, corrupt("meta: text dictionary: %v", err)
	}
	return c, nil
}
