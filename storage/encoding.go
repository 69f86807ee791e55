package storage

import (
	"encoding/binary"
	"errors"
)

// The primitives every stored value is made of. See doc.go for the layouts.

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

func appendBytes(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

// errShort is the decoder's error for a value that ends too early or holds a
// malformed varint; callers wrap it with what they were decoding.
var errShort = errors.New("truncated or malformed value")

// decoder reads a value field by field. The first error sticks: later reads
// return zero values, so a caller checks err once at the end.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errShort
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errShort
		return 0
	}
	d.b = d.b[n:]
	return v
}

// uint32 reads a uvarint that must fit in 32 bits.
func (d *decoder) uint32() uint32 {
	v := d.uvarint()
	if v > 1<<32-1 {
		d.fail()
		return 0
	}
	return uint32(v)
}

// int reads a uvarint that must fit in an int.
func (d *decoder) int() int {
	v := d.uvarint()
	if v > uint64(maxInt) {
		d.fail()
		return 0
	}
	return int(v)
}

const maxInt = int(^uint(0) >> 1)

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if len(d.b) == 0 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

// bytes reads a length-prefixed field without copying it: the result aliases
// the value, which bbolt only keeps valid for the transaction.
func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	b := d.b[:n:n]
	d.b = d.b[n:]
	return b
}

// string reads a length-prefixed field into a new string, safe to keep
// after the transaction.
func (d *decoder) string() string { return string(d.bytes()) }

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errShort
	}
}
