package storage

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/baobot/baobot/retrieval"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// DefaultTimeout is how long Open waits for a file another process holds.
const DefaultTimeout = time.Second

// Options configure Open.
type Options struct {
	// Analyzer analyses articles when they are written. It is required
	// unless ReadOnly is set.
	Analyzer *retrieval.Analyzer
	// Timeout is how long to wait for the file lock; zero or less means
	// DefaultTimeout.
	Timeout time.Duration
	// ReadOnly opens an existing index for reading only. Any number of
	// processes may hold an index read-only, but none while a process holds
	// it for writing.
	ReadOnly bool
}

// DB is an open baobot index. It is safe for concurrent use: any number of
// readers run at once and never block; writes run one at a time.
type DB struct {
	bolt     *bolt.DB
	path     string
	timeout  time.Duration
	readOnly bool
	created  bool        // this Open initialised the index
	analyze  analyzeFunc // nil when read-only

	// mu serialises writes: each reads what it replaces, analyses outside
	// any transaction, then writes.
	mu sync.Mutex
	// prepares makes batches (Prepare) take turns at being prepared.
	prepares prepareQueue
	// analysis mirrors meta.analysis. Only this DB writes the file (the
	// lock is exclusive), so the copy stays true.
	analysis atomic.Uint32
	// codec is that of the index's text dictionary, nil until one is
	// loaded: none was stored when the DB opened, or it is damaged. It
	// never changes once set (a dictionary is never replaced).
	codec atomic.Pointer[textCodec]
	// textDictErr is why training the text dictionary last failed, nil
	// when it did not; under mu.
	textDictErr error

	// closed is set by Close; wrote once a write committed; addedPassages
	// counts the passages the writes added. All three under mu.
	closed        bool
	wrote         bool
	addedPassages uint64

	// reindexBatch, when a test sets it, replaces reindexBatchSize.
	reindexBatch int
	// compactMin and compactPage, when a test sets them, replace
	// compactMinFree and compactPageSize.
	compactMin  int64
	compactPage int
	// beforeCommit, when a test sets it, runs at the end of every write
	// transaction; an error aborts the transaction.
	beforeCommit func() error
}

var _ retrieval.Index = (*DB)(nil)

// Open opens the index at path, creating it (mode 0600) unless it exists or
// opts.ReadOnly is set. An existing file that is not a baobot index is
// refused with ErrNotBaobot and not modified; a newer index with
// ErrNewerSchema; a file held by another process with ErrInUse after
// opts.Timeout. An empty file is initialised like a new one.
func Open(path string, opts Options) (*DB, error) {
	if opts.Analyzer == nil && !opts.ReadOnly {
		return nil, fmt.Errorf("storage: %s: Options.Analyzer is required to open for writing", path)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	db, err := open(path, opts)
	if errors.Is(err, fs.ErrExist) {
		// Another process created the file between our look and our
		// create: open it as the existing file it now is.
		db, err = open(path, opts)
	}
	if err != nil {
		return nil, err
	}
	if opts.Analyzer != nil && !opts.ReadOnly {
		// Folded terms are derived when read: no need to count them.
		db.analyze = opts.Analyzer.IndexArticleExact
	}
	return db, nil
}

func open(path string, opts Options) (*DB, error) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !opts.ReadOnly:
		return createNew(path, opts.Timeout)
	case err != nil:
		return nil, fmt.Errorf("storage: %w", err)
	case !info.Mode().IsRegular():
		return nil, fmt.Errorf("storage: %s: %w: not a regular file", path, ErrNotBaobot)
	case info.Size() == 0 && opts.ReadOnly:
		return nil, fmt.Errorf("storage: %s: %w: empty file", path, ErrNotBaobot)
	case info.Size() == 0:
		return create(path, opts.Timeout, false)
	}
	// Check, without writing, that the file is ours before bbolt opens it
	// for writing: on some systems that alone resizes the file.
	db, err := openExisting(path, opts.Timeout, true)
	if err != nil || opts.ReadOnly {
		return db, err
	}
	if err := db.bolt.Close(); err != nil {
		return nil, db.errorf("%w", err)
	}
	if db, err = openExisting(path, opts.Timeout, false); err != nil {
		return nil, err
	}
	// A compaction that died left its copy behind; only the holder of the
	// write lock, as we now are, compacts.
	if err := os.Remove(path + compactSuffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
		db.bolt.Close()
		return nil, db.errorf("%w", err)
	}
	// Upgrade an older schema. Only then: the first write transaction of a
	// process rebuilds bbolt's freelist by reading the whole file.
	m, err := db.meta()
	if err != nil {
		db.bolt.Close()
		return nil, err
	}
	if m.schema < SchemaVersion {
		if err := db.updateTx(func(tx *bolt.Tx) error {
			_, err := upgradeSchema(tx)
			return err
		}); err != nil {
			db.bolt.Close()
			return nil, db.errorf("upgrading the schema: %w", err)
		}
		if err := db.loadMeta(); err != nil {
			db.bolt.Close()
			return nil, err
		}
	}
	return db, nil
}

// openExisting opens the existing file at path, after checking its first
// bytes when readOnly, and checks that it is a baobot index.
//
// A file whose pages are damaged makes bbolt panic (an assertion) or read
// outside its mapping while opening it or reading the meta bucket: that is
// ErrCorrupt too, not a crash. (Check reports such damage in detail.)
func openExisting(path string, timeout time.Duration, readOnly bool) (db *DB, err error) {
	if readOnly {
		if err := checkBbolt(path); err != nil {
			return nil, err
		}
	}
	var bdb *bolt.DB
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if bdb != nil {
				bdb.Close()
			}
			db, err = nil, fmt.Errorf("storage: %s: %w: %v", path, ErrCorrupt, r)
		}
	}()
	// The process we waited for may have compacted the index, putting a
	// new file in the place of the one we opened and locked: open again.
	for range maxReopens {
		var file *os.File
		opts := boltOptions(timeout, readOnly, false)
		opts.OpenFile = func(name string, flag int, perm os.FileMode) (*os.File, error) {
			f, err := os.OpenFile(name, flag, perm)
			file = f
			return f, err
		}
		if bdb, err = bolt.Open(path, 0o600, opts); err != nil {
			return nil, openError(path, err)
		}
		if same, err := sameFile(path, file); err != nil || same {
			if err != nil {
				bdb.Close()
				return nil, fmt.Errorf("storage: %w", err)
			}
			break
		}
		bdb.Close()
		bdb = nil
	}
	if bdb == nil {
		return nil, fmt.Errorf("storage: %s: %w (replaced again and again while opening)", path, ErrInUse)
	}
	db = &DB{bolt: bdb, path: path, timeout: timeout, readOnly: readOnly}
	if err := db.loadMeta(); err != nil {
		bdb.Close()
		return nil, err
	}
	return db, nil
}

// maxReopens bounds how many times openExisting opens a file that turns
// out to have been replaced meanwhile.
const maxReopens = 10

// sameFile reports whether path still names the open file f.
func sameFile(path string, f *os.File) (bool, error) {
	fi, err := f.Stat()
	if err != nil {
		return false, err
	}
	pi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil && os.SameFile(fi, pi), err
}

// create opens a new or empty file and initialises the index in it. When
// exclusive is set the file must not exist yet: if it does, create returns an
// error wrapping fs.ErrExist. A file create made is removed if it fails.
func create(path string, timeout time.Duration, exclusive bool) (*DB, error) {
	bdb, err := bolt.Open(path, 0o600, boltOptions(timeout, false, exclusive))
	if err != nil {
		return nil, openError(path, err)
	}
	db := &DB{bolt: bdb, path: path, timeout: timeout}
	err = bdb.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketMeta) != nil {
			return nil // someone initialised it meanwhile
		}
		db.created = true
		// A file that was empty when we looked holds no buckets, unless
		// someone else wrote it meanwhile: then it is not ours to change.
		if k, _ := tx.Cursor().First(); k != nil {
			return ErrNotBaobot
		}
		for _, name := range allBuckets {
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		return newMeta().write(tx)
	})
	if err != nil {
		bdb.Close()
		if exclusive {
			os.Remove(path)
		}
		return nil, db.errorf("initialising: %w", err)
	}
	if err := db.loadMeta(); err != nil {
		bdb.Close()
		return nil, err
	}
	return db, nil
}

// boltOptions are the bbolt options of every open.
func boltOptions(timeout time.Duration, readOnly, exclusive bool) *bolt.Options {
	o := &bolt.Options{
		Timeout:  timeout,
		ReadOnly: readOnly,
		// Write transactions free and allocate many pages: a hash map
		// freelist makes that cheaper. The freelist is written at every
		// commit: otherwise bbolt rebuilds it when a file is opened for
		// writing by reading every page, which costs seconds and keeps
		// the whole file resident in a process that only serves.
		FreelistType: bolt.FreelistMapType,
	}
	if exclusive {
		o.OpenFile = func(name string, flag int, perm os.FileMode) (*os.File, error) {
			return os.OpenFile(name, flag|os.O_EXCL, perm)
		}
	}
	return o
}

// openError translates an error of bolt.Open.
func openError(path string, err error) error {
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("storage: %s: %w (the file is locked)", path, ErrInUse)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch):
		return fmt.Errorf("storage: %s: %w: %w", path, ErrCorrupt, err)
	}
	return fmt.Errorf("storage: %s: %w", path, err)
}

// bboltMagic is the number bbolt writes in its two meta pages, in the
// machine's byte order, after a 16-byte page header whose flags (bytes 8
// and 9) mark a meta page.
const (
	bboltMagic    = 0xED0CDAED
	bboltMetaPage = 0x04
)

// checkBbolt reads the first bytes of the file at path and returns
// ErrNotBaobot unless one of the places bbolt looks for its meta pages holds
// one: the start of the file, or the second page, for any page size bbolt
// supports.
func checkBbolt(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	defer f.Close()
	offsets := []int64{0}
	for shift := range 15 {
		offsets = append(offsets, 1024<<shift)
	}
	var hdr [20]byte
	for _, off := range offsets {
		if _, err := f.ReadAt(hdr[:], off); err == io.EOF {
			break
		} else if err != nil {
			return fmt.Errorf("storage: %w", err)
		}
		if binary.NativeEndian.Uint16(hdr[8:]) == bboltMetaPage && binary.NativeEndian.Uint32(hdr[16:]) == bboltMagic {
			return nil
		}
	}
	return fmt.Errorf("storage: %s: %w: not a bbolt file", path, ErrNotBaobot)
}

// loadMeta checks the meta bucket and caches the analysis version and the
// text dictionary. A damaged dictionary does not stop the index opening:
// only the texts compressed with it fail to read (ErrCorrupt), and Check
// reports it.
func (db *DB) loadMeta() error {
	m, err := db.meta()
	if err != nil {
		return err
	}
	db.analysis.Store(m.analysis)
	db.loadTextDict()
	return nil
}

// meta reads the meta bucket in a read transaction.
func (db *DB) meta() (m meta, err error) {
	err = db.viewTx(func(tx *bolt.Tx) error {
		m, err = readMeta(tx)
		return err
	})
	if err != nil {
		return meta{}, db.errorf("%w", err)
	}
	return m, nil
}

// Close closes the index, after waiting for running transactions. An index
// this DB wrote to is first compacted when at least a quarter of its file
// (and 8 MB) holds no data, as after a large ingest: bbolt never shrinks a
// file, so the index is copied into a fresh file that takes its place
// (see doc.go). That takes about as long as reading the index; a
// compaction that fails, or finds the file damaged, leaves the index as it
// was, and its error is returned after closing.
func (db *DB) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	var compactErr error
	if !db.readOnly && !db.closed && db.wrote {
		_, compactErr = db.compactIfWasteful(compactFreeRatio, cmp.Or(db.compactMin, compactMinFree))
	}
	db.closed = true
	if err := db.bolt.Close(); err != nil {
		return db.errorf("closing: %w", err)
	}
	if compactErr != nil {
		return db.errorf("closing: %w", compactErr)
	}
	return nil
}

// Path is the path the index was opened with.
func (db *DB) Path() string { return db.path }

// Created reports whether this Open created the index (in a new or empty
// file): the one moment to fill it with seed articles, so that articles a
// user removed later never come back.
func (db *DB) Created() bool { return db.created }

// NeedsReindex reports whether the index was built with other analysis rules
// than retrieval.AnalysisVersion, or a Reindex did not finish. Until Reindex
// has run, queries may miss matches, and Put and Remove return
// ErrNeedsReindex.
func (db *DB) NeedsReindex() bool { return db.analysis.Load() != retrieval.AnalysisVersion }

// View runs fn with a consistent read-only snapshot of the index, valid only
// during the call. Views run concurrently with each other and with writes.
// fn's error is returned as it is.
func (db *DB) View(fn func(retrieval.IndexReader) error) error {
	var fnErr error
	err := db.viewTx(func(tx *bolt.Tx) error {
		r, err := newReader(db, tx)
		if err != nil {
			return err
		}
		fnErr = fn(r)
		return fnErr
	})
	if err != nil && fnErr == nil {
		return db.errorf("%w", err)
	}
	return err
}

// errorf formats an error that names the index.
func (db *DB) errorf(format string, args ...any) error {
	return fmt.Errorf("storage: %s: "+format, append([]any{db.path}, args...)...)
}

// updateTx runs fn in a write transaction, viewTx in a read-only one. A damaged
// page makes bbolt panic (an assertion, or a fault reading outside its
// mapping) in the middle of a transaction; they turn that into an
// ErrCorrupt error instead of a crash. bbolt rolls the transaction back
// first, so a failed update writes nothing, and the user is told the index
// is damaged (baobot check --repair), not shown a stack trace.
func (db *DB) updateTx(fn func(*bolt.Tx) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverDamage(&err)
	return db.bolt.Update(fn)
}

// viewTx: see updateTx.
func (db *DB) viewTx(fn func(*bolt.Tx) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverDamage(&err)
	return db.bolt.View(fn)
}
