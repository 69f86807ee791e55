package storage

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"

	bolt "go.etcd.io/bbolt"
)

// bbolt never shrinks a file: the pages of merged runs, of replaced
// records and of a file grown ahead stay in it, free, for later writes to
// reuse. After a large ingest most of that space is never needed again, so
// Close copies the index into a fresh, dense file that replaces the old one
// when enough of the old one is free.

const (
	// compactFreeRatio: Close compacts when at least this share of the
	// file is free…
	compactFreeRatio = 0.25
	// compactMinFree: …and at least this many bytes are.
	compactMinFree = 8 << 20
	// compactTxSize is how many bytes of keys and values one transaction
	// of the copy holds: its dirty pages stay in memory until it commits.
	compactTxSize = 16 << 20
	// compactPageSize is the page size of the copy. Its values (compressed
	// articles of 1 to 2 KB, postings blocks of 1 KB, long postings lists)
	// leave a quarter of 4 KB pages empty, a twentieth of 16 KB ones and
	// less of 64 KB ones: on the news corpus the copy is 167, 147 and 141
	// MB, and a process answering questions maps 12 MB less of the file
	// with 64 KB pages than with 16 KB. Each later write rewrites whole
	// pages: 64 KB for each article record it changes.
	compactPageSize = 64 << 10
)

// compactSuffix names the fresh file beside the index while it is written.
const compactSuffix = ".compact"

// wasted is how many bytes of the file hold no data: free pages, the
// unused part of pages in use (a bucket whose keys arrive in no order
// leaves its pages a third empty), and the space past the last page in
// use that bbolt allocated ahead. It reads every page, as Check does, and
// returns ErrCorrupt for a damaged page tree, which must not be copied:
// bbolt's cursors trust it.
func (db *DB) wasted() (wasted, size int64, err error) {
	info, err := os.Stat(db.path)
	if err != nil {
		return 0, 0, err
	}
	err = db.bolt.View(func(tx *bolt.Tx) error {
		c := &checker{tx: tx, rep: &CheckReport{}, problems: make(map[ProblemKind]*Problem), path: db.path}
		if !c.walkPages() {
			return fmt.Errorf("%w: %s", ErrCorrupt, c.problems[ProblemFile].Examples[0])
		}
		// The two meta pages and the free list's are in no tree.
		used := c.pagesUsed + 3*int64(db.bolt.Info().PageSize)
		wasted = max(0, info.Size()-used)
		return nil
	})
	return wasted, info.Size(), err
}

// freeBytes is how many bytes of the file bbolt's free list and the space
// allocated ahead hold, without reading any page.
func (db *DB) freeBytes() (free, size int64, err error) {
	info, err := os.Stat(db.path)
	if err != nil {
		return 0, 0, err
	}
	var used int64
	err = db.bolt.View(func(tx *bolt.Tx) error {
		used = tx.Size()
		return nil
	})
	free = int64(db.bolt.Stats().FreePageN)*int64(db.bolt.Info().PageSize) + max(0, info.Size()-used)
	return free, info.Size(), err
}

// compactIfWasteful compacts the index when the share of the file that
// holds no data is at least minRatio and at least minBytes. It reports
// whether it did. Counting the empty part of pages reads every page, so
// it does that only when the free pages alone are that many, or when this
// DB added at least a quarter of the index's passages: otherwise the index
// is left as it is. The caller holds db.mu and closes db.bolt afterwards:
// the new file takes the old one's place (a rename) while db.bolt still
// holds the old one's lock.
func (db *DB) compactIfWasteful(minRatio float64, minBytes int64) (bool, error) {
	free, size, err := db.freeBytes()
	if err != nil {
		return false, err
	}
	m, err := db.meta()
	if err != nil {
		return false, err
	}
	wasteful := func(wasted, size int64) bool { return wasted >= minBytes && float64(wasted) >= minRatio*float64(size) }
	if !wasteful(free, size) && 4*db.addedPassages < m.stats.Passages {
		return false, nil
	}
	wasted, size, err := db.wasted()
	if err != nil || !wasteful(wasted, size) {
		return false, err
	}
	if err := db.mergeAllRuns(); err != nil {
		return false, err
	}
	return true, db.compactInto(db.path + compactSuffix)
}

// mergeAllRuns merges every run of the index into one, as a compaction
// begins: the copy then holds one run, which answers a question with one
// lookup per term instead of one per run and holds each term's key once.
// It costs a rewrite of every posting, as the copy costs a rewrite of the
// file; both happen only when a large write leaves the file mostly free.
func (db *DB) mergeAllRuns() error {
	return db.updateTx(func(tx *bolt.Tx) error {
		m, err := readMeta(tx)
		if err != nil {
			return err
		}
		runs, err := loadRuns(tx)
		if err != nil || len(runs) < 2 {
			return err
		}
		var a arena
		if _, err := mergeRuns(tx, runs, m.nextRun, &a); err != nil {
			return err
		}
		m.nextRun++
		return m.write(tx)
	})
}

// compactInto copies the index into a fresh file at tmp, makes it durable
// and renames it over the index's path. On error the index is left as it
// was and tmp is removed.
func (db *DB) compactInto(tmp string) (err error) {
	info, err := os.Stat(db.path)
	if err != nil {
		return err
	}
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	opts := boltOptions(db.timeout, false, true)
	// One sync at the end instead of one per transaction of the copy.
	opts.NoSync = true
	opts.PageSize = cmp.Or(db.compactPage, compactPageSize)
	dst, err := bolt.Open(tmp, info.Mode().Perm(), opts)
	if err != nil {
		return fmt.Errorf("compacting: %w", err)
	}
	if err := copyIndex(dst, db.bolt, db.codec.Load()); err != nil {
		dst.Close()
		return fmt.Errorf("compacting: %w", err)
	}
	var used int64
	dst.View(func(tx *bolt.Tx) error {
		used = tx.Size()
		return nil
	})
	if err := dst.Close(); err != nil {
		return fmt.Errorf("compacting: %w", err)
	}
	if used >= info.Size() {
		// Nothing to gain (a small index in larger pages).
		return os.Remove(tmp)
	}
	// Drop what bbolt allocated ahead, then make the file durable before
	// it replaces the index.
	f, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("compacting: %w", err)
	}
	if err := f.Truncate(used); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("compacting: %w", err)
	}
	if err := os.Rename(tmp, db.path); err != nil {
		return fmt.Errorf("compacting: %w", err)
	}
	return syncDir(filepath.Dir(db.path))
}

// copyIndex copies every bucket of src into the empty dst, filling its
// pages, in transactions of about compactTxSize bytes of keys and values.
// When the index has a text dictionary, of codec c, the article texts
// compressed without it (before it was trained) are compressed with it.
// (bbolt.Compact, but for that.)
func copyIndex(dst, src *bolt.DB, c *textCodec) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverDamage(&err)
	tx, err := dst.Begin(true)
	if err != nil {
		return err
	}
	defer func() { tx.Rollback() }()
	var size int64
	// put stores k and v in the bucket at path of dst, or, when v is nil,
	// creates the bucket k with sequence seq there. Keys and values are
	// src's: they stay valid until its transaction ends, after dst's.
	put := func(path [][]byte, k, v []byte, seq uint64) error {
		if size += int64(len(k) + len(v)); size > compactTxSize {
			if err := tx.Commit(); err != nil {
				return err
			}
			if tx, err = dst.Begin(true); err != nil {
				return err
			}
			size = int64(len(k) + len(v))
		}
		var b *bolt.Bucket
		for i, name := range path {
			if i == 0 {
				b = tx.Bucket(name)
			} else {
				b = b.Bucket(name)
			}
			if b == nil {
				return fmt.Errorf("bucket %q missing from the copy", name)
			}
		}
		if b != nil {
			b.FillPercent = 1
		}
		if v != nil {
			return b.Put(k, v)
		}
		var nb *bolt.Bucket
		if b == nil {
			nb, err = tx.CreateBucket(k)
		} else {
			nb, err = b.CreateBucket(k)
		}
		if err != nil {
			return err
		}
		return nb.SetSequence(seq)
	}
	var walk func(b *bolt.Bucket, path [][]byte) error
	walk = func(b *bolt.Bucket, path [][]byte) error {
		return b.ForEach(func(k, v []byte) error {
			if v == nil {
				nested := b.Bucket(k)
				if err := put(path, k, nil, nested.Sequence()); err != nil {
					return err
				}
				return walk(nested, append(path[:len(path):len(path)], k))
			}
			if c != nil && len(path) == 1 && bytes.Equal(path[0], bucketArticles) {
				v = recompressText(v, c)
			}
			return put(path, k, v, 0)
		})
	}
	return src.View(func(stx *bolt.Tx) error {
		err := stx.ForEach(func(name []byte, b *bolt.Bucket) error {
			if err := put(nil, name, nil, b.Sequence()); err != nil {
				return err
			}
			return walk(b, [][]byte{name})
		})
		if err != nil {
			return err
		}
		return tx.Commit()
	})
}

// recompressText returns the article record v with its text compressed
// with c when it was compressed without a dictionary, else v itself: a
// record that does not decode is copied as it is, for Check to report.
func recompressText(v []byte, c *textCodec) []byte {
	d, _ := decodeHead("", v)
	if d.err != nil || v[0] != recordVersion || len(d.b) == 0 || d.b[0] != textZstd {
		return v
	}
	plain, err := plainText(nil, d.b, textSource{})
	if err != nil {
		return v
	}
	head := v[:len(v)-len(d.b)]
	return appendPlainText(append(make([]byte, 0, len(v)), head...), c, plain)
}

// syncDir makes the entries of directory dir durable: a rename in it.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
