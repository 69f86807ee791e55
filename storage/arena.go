package storage

// arena hands out the memory of the values a write transaction puts. bbolt
// keeps a reference to every value until the transaction ends, so no value's
// memory may be reused before then; carving values out of large chunks saves
// an allocation per value. The zero arena is ready to use.
type arena struct {
	chunk []byte
}

const (
	arenaChunk = 1 << 20        // bytes allocated at a time
	arenaLarge = arenaChunk / 8 // larger values get their own allocation
)

// alloc returns an empty slice with capacity n, to append a value of n bytes
// to. The slice does not share memory with any other alloc result.
func (a *arena) alloc(n int) []byte {
	if n > arenaLarge {
		return make([]byte, 0, n)
	}
	if cap(a.chunk)-len(a.chunk) < n {
		a.chunk = make([]byte, 0, arenaChunk)
	}
	start := len(a.chunk)
	a.chunk = a.chunk[:start+n]
	return a.chunk[start : start : start+n]
}
