package storage

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"maps"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/baobot/baobot/retrieval"
	bolt "go.etcd.io/bbolt"
)

// Checking an index: does the file keep every promise of doc.go?
//
// Check reads the whole index in one read transaction and recounts what
// the writes keep in step: it never changes the file, and it reports every
// problem it finds (not only the first), counted by kind with a few
// examples each. Repair rebuilds what can be derived from the stored
// articles, so that Check passes again.

// ProblemKind names one way an index can be wrong. Its value is short and
// stable, fit for a test or a script to match.
type ProblemKind string

// The kinds of problem Check finds, in the order it reports them.
const (
	// ProblemFile: the file's pages are damaged: reading them fails, or
	// their keys are out of order, or (on an index open for writing)
	// bbolt's own check fails. Repair cannot fix it.
	ProblemFile ProblemKind = "file"
	// ProblemSchema: the file's layout is older than this baobot's (it is
	// upgraded when opened for writing) or its meta bucket is incomplete.
	ProblemSchema ProblemKind = "schema"
	// ProblemAnalysis: the postings were built with other analysis rules
	// than this baobot's, or a Reindex did not finish.
	ProblemAnalysis ProblemKind = "analysis"
	// ProblemBucket: a top-level bucket that is not in the schema, or a
	// value where the runs bucket should hold only nested buckets.
	ProblemBucket ProblemKind = "bucket"
	// ProblemTextDict: the text dictionary in meta is damaged; the texts
	// compressed with it do not decode (ProblemArticleRecord). Repair
	// drops both, and a later write trains a new dictionary.
	ProblemTextDict ProblemKind = "text-dictionary"
	// ProblemArticleRecord: an article record that does not decode, or
	// whose key is not a valid article ID.
	ProblemArticleRecord ProblemKind = "article-record"
	// ProblemArticleHash: an article whose stored content hash is not its
	// content's.
	ProblemArticleHash ProblemKind = "article-hash"
	// ProblemAdded: the added bucket (articles by ingest time) does not
	// match the articles' ingest times, or those times are not unique and
	// at most meta's last_added.
	ProblemAdded ProblemKind = "added-index"
	// ProblemPassageRecord: a passage whose key or value does not decode.
	ProblemPassageRecord ProblemKind = "passage-record"
	// ProblemPassageOrphan: a passage of no stored article, or outside its
	// article's passage range, or not below meta's next_passage.
	ProblemPassageOrphan ProblemKind = "passage-orphan"
	// ProblemPassageMissing: a passage in an article's range that is not
	// stored (or is stored under another article).
	ProblemPassageMissing ProblemKind = "passage-missing"
	// ProblemStats: the statistics in meta differ from a recount.
	ProblemStats ProblemKind = "stats"
	// ProblemLanguages: the language counts differ from a recount.
	ProblemLanguages ProblemKind = "languages"
	// ProblemRuns: a run's info does not decode, runs overlap or pass
	// meta's next_passage or next_run, or a run's info and bucket are not
	// both there.
	ProblemRuns ProblemKind = "runs"
	// ProblemNorms: a run's norm of a passage is not the passage's stored
	// length, marks a stored passage removed, or a passage is in no run.
	ProblemNorms ProblemKind = "norms"
	// ProblemPostingsFormat: a postings block or entry does not decode,
	// or its keys are not term sort keys in increasing order.
	ProblemPostingsFormat ProblemKind = "postings-format"
	// ProblemPostingsBounds: a postings list whose head (its count, its
	// greatest tf and least passage length, which let a search skip it)
	// or skip table disagrees with its postings.
	ProblemPostingsBounds ProblemKind = "postings-bounds"
	// ProblemPostingDangling: a posting of a passage that is not stored
	// and not marked removed.
	ProblemPostingDangling ProblemKind = "posting-dangling"
	// ProblemFormCount: a folded form's entry (the number of passages of
	// its variants in a run) is missing, superfluous or wrong.
	ProblemFormCount ProblemKind = "form-count"
	// ProblemPostingsMismatch: a passage's postings, offsets or length
	// differ from what the analyzer makes of its article today.
	ProblemPostingsMismatch ProblemKind = "postings-mismatch"
	// ProblemShown, ProblemFeedback, ProblemDigests: a value of those
	// buckets that does not decode.
	ProblemShown    ProblemKind = "shown"
	ProblemFeedback ProblemKind = "feedback"
	ProblemDigests  ProblemKind = "digests"
)

// maxExamples is how many examples a Problem keeps.
const maxExamples = 5

// Problem is one kind of thing wrong with an index: how many times Check
// found it, and the first few occurrences, described.
type Problem struct {
	Kind     ProblemKind
	Count    int
	Examples []string
}

// CheckReport is what Check found. The counts are those of the recount.
type CheckReport struct {
	Path     string
	Schema   uint32          // the file's schema version
	Analysis uint32          // its analysis version; 0: a Reindex did not finish
	Stats    retrieval.Stats // the statistics meta holds

	Articles int // article records
	Passages int // passage records
	Runs     int // postings runs
	Terms    int // exact term entries, over all runs
	Postings int // postings of passages not removed, over all runs

	// Analyzed reports whether every passage's postings were compared with
	// a fresh analysis of its article (CheckOptions.Analyzer was set and
	// the index was built with the current analysis version).
	Analyzed bool

	// Problems lists what is wrong, one entry per kind, in the order of
	// the Problem constants. Empty when the index is sound.
	Problems []Problem
}

// OK reports whether Check found nothing wrong.
func (r *CheckReport) OK() bool { return len(r.Problems) == 0 }

// Has reports whether Check found a problem of kind k.
func (r *CheckReport) Has(k ProblemKind) bool {
	return slices.ContainsFunc(r.Problems, func(p Problem) bool { return p.Kind == k })
}

// Repairable reports whether Repair can fix every problem found: all but a
// damaged file (ProblemFile) or meta bucket.
func (r *CheckReport) Repairable() bool { return !r.Has(ProblemFile) && r.Schema != 0 }

// CheckOptions configure Check.
type CheckOptions struct {
	// Analyzer, when set, is used to analyse every stored article again
	// and compare the result with its stored passages and postings. That
	// is the slowest part of a check (about as slow as a reindex without
	// the writes); without an analyzer it is skipped.
	Analyzer *retrieval.Analyzer
}

// Check verifies the index against every invariant of the package doc and
// returns what it found. It reads one consistent snapshot and never writes;
// a write that must grow the file waits until it is done. The error is
// for a check that could not run at all (a closed index); a damaged index
// is a report with problems, not an error.
func (db *DB) Check(opts CheckOptions) (*CheckReport, error) {
	rep := &CheckReport{Path: db.path}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		// bbolt's own check of a read-only file first rebuilds its free
		// list, and panics, beyond recovery, on what it finds wrong: it
		// only runs on a file open for writing, whose free list is built.
		c := &checker{tx: tx, rep: rep, problems: make(map[ProblemKind]*Problem), boltCheck: !db.readOnly, path: db.path, texts: textSource{db: db, tx: tx}}
		if opts.Analyzer != nil {
			c.analyze = opts.Analyzer.IndexArticleExact
		}
		c.run()
		return nil
	})
	if err != nil {
		return nil, db.errorf("check: %w", err)
	}
	return rep, nil
}

// CheckFile opens the index at path read-only (waiting up to timeout for a
// process that holds it for writing), checks it and closes it. A file Open
// refuses as damaged (ErrCorrupt: pages bbolt cannot read, a meta bucket
// that does not decode) is a report with a ProblemFile, where Open followed
// by Check would fail. Other errors of Open (not a baobot index, in use,
// newer schema) are returned as they are.
func CheckFile(path string, timeout time.Duration, opts CheckOptions) (rep *CheckReport, err error) {
	damaged := func(format string, args ...any) *CheckReport {
		return &CheckReport{Path: path, Problems: []Problem{{Kind: ProblemFile, Count: 1, Examples: []string{fmt.Sprintf(format, args...)}}}}
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		// The file lock of an Open that panicked stays with the process.
		if r := recover(); r != nil {
			rep, err = damaged("opening it failed: %v", r), nil
		}
	}()
	db, err := Open(path, Options{ReadOnly: true, Timeout: timeout})
	if errors.Is(err, ErrCorrupt) {
		return damaged("%v", err), nil
	}
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return db.Check(opts)
}

// problemOrder is the order of the Problem constants, the report's order.
var problemOrder = []ProblemKind{
	ProblemFile, ProblemSchema, ProblemAnalysis, ProblemBucket,
	ProblemTextDict, ProblemArticleRecord, ProblemArticleHash, ProblemAdded,
	ProblemPassageRecord, ProblemPassageOrphan, ProblemPassageMissing,
	ProblemStats, ProblemLanguages, ProblemRuns, ProblemNorms,
	ProblemPostingsFormat, ProblemPostingsBounds, ProblemPostingDangling, ProblemFormCount,
	ProblemPostingsMismatch, ProblemShown, ProblemFeedback, ProblemDigests,
}

// checker is one run of Check.
type checker struct {
	tx       *bolt.Tx
	rep      *CheckReport
	analyze  analyzeFunc // nil: no comparison with a fresh analysis
	problems map[ProblemKind]*Problem
	// boltCheck: run bbolt's own check of the pages (tx.Check) too.
	boltCheck bool
	path      string // of the file (bbolt's may be the name it was created under)
	texts     textSource
	pagesUsed int64 // set by walkPages: bytes of the pages in use that hold data

	meta     meta
	articles map[string]*checkedArticle
	passages map[retrieval.PassageID]*checkedPassage
	seed     maphash.Seed
}

// checkedArticle is what the check keeps of an article record.
type checkedArticle struct {
	first    retrieval.PassageID
	count    uint32
	addedAt  int64
	language string
	textLen  int
}

// checkedPassage is what the check keeps of a passage record, and the
// fingerprint of the postings the runs hold for it.
type checkedPassage struct {
	ref      retrieval.PassageRef // ArticleID left empty: the map has it
	length   uint32
	owner    string // the article ID it names
	terms    int    // exact terms the runs give it
	print    uint64 // sum of the fingerprints of (term, tf) over them
	inRun    bool
	analysed bool
}

// addf records a problem of kind k.
func (c *checker) addf(k ProblemKind, format string, args ...any) {
	p := c.problems[k]
	if p == nil {
		p = &Problem{Kind: k}
		c.problems[k] = p
	}
	p.Count++
	if len(p.Examples) < maxExamples {
		p.Examples = append(p.Examples, fmt.Sprintf(format, args...))
	}
}

func (c *checker) run() {
	defer func() {
		for _, k := range problemOrder {
			if p := c.problems[k]; p != nil {
				c.rep.Problems = append(c.rep.Problems, *p)
			}
		}
	}()
	// A damaged page makes bbolt panic (an assertion) or read outside the
	// file's mapping: both become a ProblemFile, and the check stops there.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			c.addf(ProblemFile, "reading the file failed: %v", r)
		}
	}()
	// bbolt's cursors trust the page tree: a page that points back to
	// itself makes them loop until memory runs out. Walk the tree from the
	// file first, then through bbolt.
	if !c.walkPages() {
		return
	}
	c.walk(nil, "", c.tx.Cursor())
	if c.problems[ProblemFile] == nil && c.boltCheck {
		// Every page has been read without harm, so bbolt's own check (in a
		// goroutine of its own, where no panic can be caught) is safe.
		for err := range c.tx.Check() {
			c.addf(ProblemFile, "%v", err)
		}
	}
	if !c.checkMeta() {
		return
	}
	c.seed = maphash.MakeSeed()
	c.checkBuckets()
	if _, err := loadTextDict(c.tx); err != nil {
		c.addf(ProblemTextDict, "%v", err)
	}
	c.checkArticles()
	c.checkAdded()
	c.checkPassages()
	c.checkLanguages()
	if c.meta.schema >= oldestReadable {
		c.checkRuns()
	}
	if c.analyze != nil && c.meta.analysis == retrieval.AnalysisVersion && c.meta.schema >= oldestReadable {
		c.compareAnalysis()
	}
	c.checkFrontEndBuckets()
}

// walk reads every key and value of the bucket cur walks, and of the
// buckets nested in it: every page of the file in use. Keys must come in
// increasing order.
func (c *checker) walk(b *bolt.Bucket, path string, cur *bolt.Cursor) {
	var prev []byte
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		if prev != nil && bytes.Compare(prev, k) >= 0 {
			c.addf(ProblemFile, "bucket %q: key %x after %x", path, k, prev)
		}
		prev = append(prev[:0], k...)
		if v != nil {
			continue
		}
		var nested *bolt.Bucket
		if b == nil {
			nested = c.tx.Bucket(k)
		} else {
			nested = b.Bucket(k)
		}
		if nested != nil {
			c.walk(nested, path+"/"+fmt.Sprintf("%.40x", k), nested.Cursor())
		}
	}
}

// The layout of bbolt's pages (go.etcd.io/bbolt/internal/common), in the
// machine's byte order: a 16-byte header (id, flags, count, overflow), then
// count 16-byte elements. A branch element is (pos, ksize, child page); a
// leaf element (flags, pos, ksize, vsize), its key and value pos bytes
// after the element; a bucket's value starts with its root page (0 for an
// inline bucket, whose page follows) and sequence.
const (
	pageHeaderSize   = 16
	pageElementSize  = 16
	bucketHeaderSize = 16
	branchPage       = 0x01
	leafPage         = 0x02
	bucketLeaf       = 0x01
	maxPageDepth     = 64
)

// pageWalker walks the B+trees of the file's pages by reading them from the
// file, outside bbolt: every page once, within the file, of the kind its
// parent expects, its elements within it. The pages reachable from a read
// transaction stay as they are while it is open, so the file can be read
// beside it.
type pageWalker struct {
	c        *checker
	f        *os.File
	pageSize int
	pages    uint64 // the high-water mark: pages 0 … pages-1 exist
	seen     map[uint64]bool
	used     int64 // bytes of the pages walked that hold headers, keys and values
	bufs     [][]byte
}

// walkPages walks the page tree of the transaction and reports whether it
// is sound enough for bbolt's cursors. It sets c.pagesUsed.
func (c *checker) walkPages() bool {
	f, err := os.Open(c.path)
	if err != nil {
		c.addf(ProblemFile, "reading the file: %v", err)
		return false
	}
	defer f.Close()
	size := c.tx.DB().Info().PageSize
	w := &pageWalker{c: c, f: f, pageSize: size, pages: uint64(c.tx.Size()) / uint64(size), seen: make(map[uint64]bool)}
	before := c.problems[ProblemFile]
	w.tree(uint64(c.tx.Cursor().Bucket().Root()), "root", 0)
	c.pagesUsed = w.used
	return c.problems[ProblemFile] == before
}

// tree walks the tree whose root is page id.
func (w *pageWalker) tree(id uint64, where string, depth int) {
	switch {
	case depth > maxPageDepth:
		w.c.addf(ProblemFile, "%s: pages nested deeper than %d", where, maxPageDepth)
		return
	case id < 2 || id >= w.pages:
		w.c.addf(ProblemFile, "%s: page %d outside the file's %d pages", where, id, w.pages)
		return
	case w.seen[id]:
		w.c.addf(ProblemFile, "%s: page %d reached twice", where, id)
		return
	}
	w.seen[id] = true
	var head [pageHeaderSize]byte
	if _, err := w.f.ReadAt(head[:], int64(id)*int64(w.pageSize)); err != nil {
		w.c.addf(ProblemFile, "%s: page %d: %v", where, id, err)
		return
	}
	overflow := uint64(binary.NativeEndian.Uint32(head[12:]))
	if got := binary.NativeEndian.Uint64(head[:]); got != id || id+overflow >= w.pages {
		w.c.addf(ProblemFile, "%s: page %d says it is page %d of %d", where, id, got, overflow+1)
		return
	}
	for i := id + 1; i <= id+overflow; i++ {
		w.seen[i] = true
	}
	// One buffer per depth: a page's buffer is in use while the pages
	// below it are read.
	for len(w.bufs) <= depth {
		w.bufs = append(w.bufs, nil)
	}
	n := (overflow + 1) * uint64(w.pageSize)
	if uint64(cap(w.bufs[depth])) < n {
		w.bufs[depth] = make([]byte, n)
	}
	p := w.bufs[depth][:n]
	if _, err := w.f.ReadAt(p, int64(id)*int64(w.pageSize)); err != nil {
		w.c.addf(ProblemFile, "%s: page %d: %v", where, id, err)
		return
	}
	w.page(p, fmt.Sprintf("%s, page %d", where, id), depth)
}

// page checks the elements of page p (a page of the file, or an inline
// bucket's) and walks the pages and buckets they name.
func (w *pageWalker) page(p []byte, where string, depth int) {
	if len(p) < pageHeaderSize {
		w.c.addf(ProblemFile, "%s: %d bytes", where, len(p))
		return
	}
	flags, count := binary.NativeEndian.Uint16(p[8:]), int(binary.NativeEndian.Uint16(p[10:]))
	if flags != branchPage && flags != leafPage || pageHeaderSize+count*pageElementSize > len(p) || count == 0 && flags == branchPage {
		w.c.addf(ProblemFile, "%s: flags %#x, %d elements in %d bytes", where, flags, count, len(p))
		return
	}
	w.used += int64(pageHeaderSize + count*pageElementSize)
	for i := range count {
		at := pageHeaderSize + i*pageElementSize
		e := p[at : at+pageElementSize]
		if flags == branchPage {
			pos, ksize := uint64(binary.NativeEndian.Uint32(e)), uint64(binary.NativeEndian.Uint32(e[4:]))
			if uint64(at)+pos+ksize > uint64(len(p)) {
				w.c.addf(ProblemFile, "%s: branch element %d outside the page", where, i)
				return
			}
			w.used += int64(ksize)
			w.tree(binary.NativeEndian.Uint64(e[8:]), where, depth+1)
			continue
		}
		eflags := binary.NativeEndian.Uint32(e)
		pos, ksize, vsize := uint64(binary.NativeEndian.Uint32(e[4:])), uint64(binary.NativeEndian.Uint32(e[8:])), uint64(binary.NativeEndian.Uint32(e[12:]))
		if uint64(at)+pos+ksize+vsize > uint64(len(p)) {
			w.c.addf(ProblemFile, "%s: leaf element %d outside the page", where, i)
			return
		}
		w.used += int64(ksize + vsize)
		if eflags&bucketLeaf == 0 {
			continue
		}
		v := p[uint64(at)+pos+ksize : uint64(at)+pos+ksize+vsize]
		name := fmt.Sprintf("%s, bucket %.40x", where, p[uint64(at)+pos:uint64(at)+pos+ksize])
		if len(v) < bucketHeaderSize {
			w.c.addf(ProblemFile, "%s: a %d-byte header", name, len(v))
			return
		}
		if root := binary.NativeEndian.Uint64(v); root != 0 {
			w.tree(root, name, depth+1)
		} else if depth < maxPageDepth {
			w.page(v[bucketHeaderSize:], name+" (inline)", depth+1)
		}
	}
}

// checkMeta reads meta. It reports false when the rest cannot be checked.
func (c *checker) checkMeta() bool {
	m, err := readMeta(c.tx)
	if err != nil {
		c.addf(ProblemSchema, "meta: %v", err)
		return false
	}
	c.meta = m
	c.rep.Schema, c.rep.Analysis, c.rep.Stats = m.schema, m.analysis, m.stats
	if m.schema < oldestReadable {
		c.addf(ProblemSchema, "schema version %d, this baobot writes %d: the file is upgraded (and needs a reindex) when opened for writing", m.schema, SchemaVersion)
		for _, name := range [][]byte{bucketArticles, bucketPassages, bucketAdded, bucketLanguages} {
			if c.tx.Bucket(name) == nil {
				c.addf(ProblemSchema, "bucket %q missing", name)
				return false
			}
		}
	}
	switch a := m.analysis; {
	case m.schema < oldestReadable:
		// An older layout reads as analysis 0: the upgrade says it all.
	case a == 0:
		c.addf(ProblemAnalysis, "a reindex did not finish: passages and postings are incomplete")
	case a > retrieval.AnalysisVersion:
		c.addf(ProblemAnalysis, "built with analysis version %d, unknown to this baobot (it knows up to %d)", a, retrieval.AnalysisVersion)
	case a < retrieval.AnalysisVersion:
		c.addf(ProblemAnalysis, "built with analysis version %d, this baobot analyses with %d: it needs a reindex", a, retrieval.AnalysisVersion)
	}
	return true
}

// knownBuckets are the top-level buckets the schema names.
var knownBuckets = [][]byte{
	bucketMeta, bucketArticles, bucketPassages, bucketRuns, bucketRunInfo, bucketAdded,
	bucketLanguages, bucketShown, bucketFeedback, bucketDigests,
}

// checkBuckets reports top-level keys the schema does not name.
func (c *checker) checkBuckets() {
	cur := c.tx.Cursor()
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		switch {
		case v != nil:
			c.addf(ProblemBucket, "top-level key %.40q is not a bucket", k)
		case !slices.ContainsFunc(knownBuckets, func(b []byte) bool { return bytes.Equal(b, k) }):
			if bytes.Equal(k, bucketPostingsV1) && c.meta.schema < oldestReadable {
				continue // the postings of a version 1 file
			}
			c.addf(ProblemBucket, "unknown bucket %.40q", k)
		}
	}
}

// checkArticles decodes every article record and keeps what the other
// checks need.
func (c *checker) checkArticles() {
	c.articles = make(map[string]*checkedArticle)
	addedAt := make(map[int64]string)
	err := c.tx.Bucket(bucketArticles).ForEach(func(k, v []byte) error {
		id := string(k)
		if v == nil {
			c.addf(ProblemArticleRecord, "article %.60q: a bucket, not a record", id)
			return nil
		}
		if err := checkArticleKey(id); err != nil {
			c.addf(ProblemArticleRecord, "article %.60q: %v", id, err)
		}
		rec, err := decodeRecord(id, v, c.texts)
		if err != nil {
			c.addf(ProblemArticleRecord, "%v", err)
			return nil
		}
		if h := rec.article.ContentHash(); h != rec.hash {
			c.addf(ProblemArticleHash, "article %.60q: stored hash %.16s…, its content's %.16s…", id, rec.hash, h)
		}
		if other, dup := addedAt[rec.addedAt]; dup {
			c.addf(ProblemAdded, "articles %.60q and %.60q: the same ingest time", other, id)
		}
		addedAt[rec.addedAt] = id
		if rec.addedAt > c.meta.lastAdded {
			c.addf(ProblemAdded, "article %.60q: ingest time after meta's last_added", id)
		}
		if uint64(rec.first)+uint64(rec.passages) > uint64(c.meta.next) || (rec.first == 0 && rec.passages > 0) {
			c.addf(ProblemPassageMissing, "article %.60q: passages %d…%d, next passage is %d", id, rec.first, rec.end()-1, c.meta.next)
		}
		c.articles[id] = &checkedArticle{
			first: rec.first, count: rec.passages, addedAt: rec.addedAt,
			language: rec.language, textLen: len(rec.article.Text()),
		}
		return nil
	})
	if err != nil {
		c.addf(ProblemArticleRecord, "%v", err)
	}
	c.rep.Articles = len(c.articles)
}

// checkArticleKey reports why id cannot be an article's key, if it cannot.
func checkArticleKey(id string) error {
	switch {
	case len(id) == 0:
		return fmt.Errorf("empty ID")
	case len(id) > maxIDLen:
		return fmt.Errorf("ID longer than %d bytes", maxIDLen)
	}
	return nil
}

// checkAdded checks that the added bucket holds exactly one key per
// article, made of its ingest time and ID.
func (c *checker) checkAdded() {
	seen := 0
	err := c.tx.Bucket(bucketAdded).ForEach(func(k, v []byte) error {
		if len(k) <= 8 {
			c.addf(ProblemAdded, "key %x: too short", k)
			return nil
		}
		at, id := int64(binary.BigEndian.Uint64(k)), string(k[8:])
		a, ok := c.articles[id]
		switch {
		case !ok:
			c.addf(ProblemAdded, "key for article %.60q, which is not stored", id)
		case a.addedAt != at:
			c.addf(ProblemAdded, "article %.60q: key at %d, the article's ingest time is %d", id, at, a.addedAt)
		default:
			seen++
		}
		return nil
	})
	if err != nil {
		c.addf(ProblemAdded, "%v", err)
	}
	if missing := len(c.articles) - seen; missing > 0 {
		for id, a := range c.articles {
			if c.tx.Bucket(bucketAdded).Get(addedKey(a.addedAt, id)) == nil {
				c.addf(ProblemAdded, "article %.60q: not in the added index", id)
			}
		}
	}
}

// checkPassages decodes every passage, checks it against its article and
// recounts the statistics.
func (c *checker) checkPassages() {
	c.passages = make(map[retrieval.PassageID]*checkedPassage)
	recount := retrieval.Stats{Articles: uint64(len(c.articles))}
	err := c.tx.Bucket(bucketPassages).ForEach(func(k, v []byte) error {
		if len(k) != 4 || v == nil {
			c.addf(ProblemPassageRecord, "key %x: not a passage ID", k)
			return nil
		}
		id := retrieval.PassageID(binary.BigEndian.Uint32(k))
		ref, length, err := decodePassage(id, v)
		if err != nil {
			c.addf(ProblemPassageRecord, "%v", err)
			return nil
		}
		a, ok := c.articles[ref.ArticleID]
		switch {
		case !ok:
			c.addf(ProblemPassageOrphan, "passage %d: its article %.60q is not stored", id, ref.ArticleID)
		case id < a.first || id >= a.first+retrieval.PassageID(a.count):
			c.addf(ProblemPassageOrphan, "passage %d: outside its article %.60q's passages %d…%d", id, ref.ArticleID, a.first, a.first+retrieval.PassageID(a.count)-1)
		case ref.Start > ref.End || ref.End > a.textLen:
			c.addf(ProblemPassageRecord, "passage %d: bytes %d to %d of a %d-byte text", id, ref.Start, ref.End, a.textLen)
		}
		if id >= c.meta.next {
			c.addf(ProblemPassageOrphan, "passage %d: not below meta's next passage %d", id, c.meta.next)
		}
		owner := ref.ArticleID
		ref.ArticleID = ""
		c.passages[id] = &checkedPassage{ref: ref, length: length, owner: owner}
		recount.Passages++
		recount.TotalLength += uint64(length)
		return nil
	})
	if err != nil {
		c.addf(ProblemPassageRecord, "%v", err)
	}
	c.rep.Passages = len(c.passages)
	if c.meta.stats != recount {
		c.addf(ProblemStats, "meta holds %d articles, %d passages, total length %d; a recount finds %d, %d, %d",
			c.meta.stats.Articles, c.meta.stats.Passages, c.meta.stats.TotalLength,
			recount.Articles, recount.Passages, recount.TotalLength)
	}
	if c.meta.analysis != retrieval.AnalysisVersion {
		return // passages are rebuilt by the reindex the index needs
	}
	for _, id := range slices.Sorted(maps.Keys(c.articles)) {
		a := c.articles[id]
		for p := a.first; p < a.first+retrieval.PassageID(a.count); p++ {
			switch s := c.passages[p]; {
			case s == nil:
				c.addf(ProblemPassageMissing, "article %.60q: passage %d is not stored", id, p)
			case s.owner != id:
				c.addf(ProblemPassageMissing, "article %.60q: passage %d belongs to %.60q", id, p, s.owner)
			}
		}
	}
}

// checkLanguages compares the language counts with a recount.
func (c *checker) checkLanguages() {
	want := make(map[string]uint64)
	for _, a := range c.articles {
		if a.language != "" {
			want[a.language]++
		}
	}
	got := make(map[string]uint64)
	c.tx.Bucket(bucketLanguages).ForEach(func(k, v []byte) error {
		if len(v) != 8 {
			c.addf(ProblemLanguages, "language %.40q: count %x", k, v)
			return nil
		}
		got[string(k)] = binary.BigEndian.Uint64(v)
		return nil
	})
	if c.meta.analysis != retrieval.AnalysisVersion {
		return // rebuilt by the reindex the index needs
	}
	for _, lang := range slices.Sorted(maps.Keys(want)) {
		if got[lang] != want[lang] {
			c.addf(ProblemLanguages, "language %q: count %d, a recount finds %d", lang, got[lang], want[lang])
		}
	}
	for _, lang := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[lang]; !ok {
			c.addf(ProblemLanguages, "language %q: count %d, no article is in it", lang, got[lang])
		}
	}
}

// checkRuns checks the postings runs: their info, their norms against the
// passages, the format of their entries, and that every posting names a
// stored passage. It fingerprints what each passage gets for the
// comparison with a fresh analysis.
func (c *checker) checkRuns() {
	var runs []run
	var prev *run
	err := c.tx.Bucket(bucketRunInfo).ForEach(func(k, v []byte) error {
		r, err := decodeRunInfo(k, v)
		if err != nil {
			c.addf(ProblemRuns, "%v", err)
			return nil
		}
		switch {
		case prev != nil && r.lo < prev.hi():
			c.addf(ProblemRuns, "run %d (passages %d…%d) overlaps run %d (up to %d)", r.seq, r.lo, r.hi()-1, prev.seq, prev.hi()-1)
			return nil
		case r.hi() > c.meta.next:
			c.addf(ProblemRuns, "run %d: passages %d…%d, meta's next passage is %d", r.seq, r.lo, r.hi()-1, c.meta.next)
		case r.seq >= c.meta.nextRun:
			c.addf(ProblemRuns, "run %d: not below meta's next run %d", r.seq, c.meta.nextRun)
		}
		runs = append(runs, r)
		prev = &runs[len(runs)-1]
		return nil
	})
	if err != nil {
		c.addf(ProblemRuns, "%v", err)
	}
	c.rep.Runs = len(runs)

	// Every run bucket has its info, and the other way round.
	parent := c.tx.Bucket(bucketRuns)
	cur := parent.Cursor()
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		switch {
		case v != nil:
			c.addf(ProblemBucket, "runs: key %x is a value, not a run bucket", k)
		case c.tx.Bucket(bucketRunInfo).Get(k) == nil:
			c.addf(ProblemRuns, "run bucket %x has no info", k)
		}
	}

	for i := range runs {
		c.checkRun(&runs[i], parent.Bucket(runName(runs[i].seq)) != nil)
	}
	if c.meta.analysis != retrieval.AnalysisVersion {
		return // a stale or unfinished index: passages are not all in runs
	}
	missing := 0
	for _, id := range slices.Sorted(maps.Keys(c.passages)) {
		if !c.passages[id].inRun {
			missing++
			if missing <= maxExamples {
				c.addf(ProblemNorms, "passage %d is in no run", id)
			}
		}
	}
	if missing > maxExamples {
		c.problems[ProblemNorms].Count += missing - maxExamples
	}
}

// checkRun checks one run. hasBucket reports whether its bucket exists.
func (c *checker) checkRun(r *run, hasBucket bool) {
	// Norms: the stored passages' lengths, or marked removed; the first
	// passage of each article marked, and the article's other passages in
	// the same run. removed counts no more than the norms marked removed.
	deleted := uint32(0)
	for id := r.lo; id < r.hi(); id++ {
		s := c.passages[id]
		raw := binary.LittleEndian.Uint32(r.norms[4*(id-r.lo):])
		if raw == deletedNorm {
			deleted++
		} else if a := c.articleOf(s); a != nil {
			if first := raw&articleFirst != 0; first != (id == a.first) {
				c.addf(ProblemNorms, "run %d: passage %d: marked as its article's first %v, it is %v", r.seq, id, first, id == a.first)
			}
			if id == a.first && a.first+retrieval.PassageID(a.count) > r.hi() {
				c.addf(ProblemNorms, "run %d: article %.60q: passages %d…%d, the run ends at %d", r.seq, s.owner, a.first, a.first+retrieval.PassageID(a.count)-1, r.hi()-1)
			}
		}
		switch norm := r.norm(id); {
		case s != nil && s.inRun:
			c.addf(ProblemNorms, "passage %d is in run %d and in an earlier one", id, r.seq)
		case s != nil && norm != s.length:
			if norm == deletedNorm {
				c.addf(ProblemNorms, "run %d: stored passage %d is marked removed", r.seq, id)
			} else {
				c.addf(ProblemNorms, "run %d: passage %d: norm %d, its stored length %d", r.seq, id, norm, s.length)
			}
		case s == nil && norm != deletedNorm:
			c.addf(ProblemNorms, "run %d: passage %d has a norm but is not stored", r.seq, id)
		}
		if s != nil {
			s.inRun = true
		}
	}
	if r.removed > deleted {
		c.addf(ProblemRuns, "run %d: %d passages removed, %d marked so", r.seq, r.removed, deleted)
	}
	if !hasBucket {
		c.addf(ProblemRuns, "run %d: info without a bucket", r.seq)
		return
	}
	rc, err := newRunCursor(c.tx, r)
	if err != nil {
		c.addf(ProblemRuns, "%v", err)
		return
	}

	// Entries: sort keys in increasing order, postings that decode and name
	// stored passages; a folded form's entry before its variants when it has
	// two or more, counting the passages they hold. Postings are decoded
	// against norms that mark nothing removed, so that those of removed
	// passages, which stay until a merge, are seen too: the form's count
	// includes them.
	all := *r
	all.norms = make([]byte, len(r.norms))
	var prev []byte
	var decoded []retrieval.Posting
	type form struct {
		key      []byte // the form + 0x00
		count    int    // its entry's count; -1: no entry
		variants int
		union    map[retrieval.PassageID]struct{}
	}
	var f form
	closeForm := func() {
		switch {
		case f.key == nil:
		case f.variants > 1 && f.count < 0:
			c.addf(ProblemFormCount, "run %d: form %q has %d variants and no entry", r.seq, f.key[:len(f.key)-1], f.variants)
		case f.variants <= 1 && f.count >= 0:
			c.addf(ProblemFormCount, "run %d: form %q has an entry and %d variants", r.seq, f.key[:len(f.key)-1], f.variants)
		case f.count >= 0 && f.count != len(f.union):
			c.addf(ProblemFormCount, "run %d: form %q: count %d, its variants hold %d passages", r.seq, f.key[:len(f.key)-1], f.count, len(f.union))
		}
		f = form{}
	}
	for ; rc.ok; rc.advance() {
		key := rc.cur.key
		if prev != nil && bytes.Compare(prev, key) >= 0 {
			c.addf(ProblemPostingsFormat, "run %d: key %.60q after %.60q", r.seq, key, prev)
		}
		prev = append(prev[:0], key...)
		z := bytes.IndexByte(key, 0)
		if z < 0 {
			c.addf(ProblemPostingsFormat, "run %d: key %.60q is no term's sort key", r.seq, key)
			continue
		}
		if f.key == nil || !bytes.HasPrefix(key, f.key) {
			closeForm()
			f = form{key: slices.Clone(key[:z+1]), count: -1}
		}
		if z == len(key)-1 { // the form's own entry
			n, k := binary.Uvarint(rc.cur.postings)
			if k <= 0 || k != len(rc.cur.postings) {
				c.addf(ProblemPostingsFormat, "run %d: form entry %.60q: %x", r.seq, key, rc.cur.postings)
				continue
			}
			f.count = int(n)
			continue
		}
		term := string(key[z+1:])
		if !bytes.Equal(appendSortKey(nil, term), key) || !storableTerm(term) {
			c.addf(ProblemPostingsFormat, "run %d: key %.60q is no term's sort key", r.seq, key)
			continue
		}
		if decoded, err = decodePostings(decoded[:0], rc.cur.postings, &all); err != nil {
			c.addf(ProblemPostingsFormat, "term %.60q: %v", term, err)
			continue
		}
		if err := checkList(rc.cur.postings, r, decoded); err != nil {
			c.addf(ProblemPostingsBounds, "run %d: term %.60q: %v", r.seq, term, err)
		}
		f.variants++
		if f.union == nil {
			f.union = make(map[retrieval.PassageID]struct{})
		}
		c.rep.Terms++
		h := maphash.String(c.seed, term)
		for _, p := range decoded {
			f.union[p.Passage] = struct{}{}
			if r.norm(p.Passage) == deletedNorm {
				continue // removed: dropped at the next merge
			}
			c.rep.Postings++
			s := c.passages[p.Passage]
			if s == nil {
				c.addf(ProblemPostingDangling, "run %d: term %.60q: passage %d is not stored", r.seq, term, p.Passage)
				continue
			}
			s.terms++
			s.print += termPrint(h, p.TF)
		}
	}
	closeForm()
	if rc.err != nil {
		c.addf(ProblemPostingsFormat, "run %d: %v", r.seq, rc.err)
	}
}

// articleOf is the article of a stored passage, or nil.
func (c *checker) articleOf(s *checkedPassage) *checkedArticle {
	if s == nil {
		return nil
	}
	return c.articles[s.owner]
}

// checkList checks the head of the postings list b of run r against its
// postings ps, all of them, those of removed passages included: the count;
// the greatest tf and least length, which must bound every posting (a
// removal may leave them looser than the postings that stay); and the skip
// table, whose every entry must name the last passage of its block of
// skipInterval postings and the block's length in bytes.
func checkList(b []byte, r *run, ps []retrieval.Posting) error {
	l, err := parseList(b, r)
	if err != nil {
		return err
	}
	if l.count != len(ps) {
		return fmt.Errorf("count %d, %d postings", l.count, len(ps))
	}
	skips := decoder{b: l.skips}
	prev, blockLast := r.lo, r.lo
	size, blockStart := 0, 0
	for i, p := range ps {
		if p.TF > l.maxTF {
			return fmt.Errorf("passage %d: tf %d above the list's greatest, %d", p.Passage, p.TF, l.maxTF)
		}
		if n := r.norm(p.Passage); n != deletedNorm && n < l.minLen {
			return fmt.Errorf("passage %d: length %d below the list's least, %d", p.Passage, n, l.minLen)
		}
		v := uint64(p.Passage-prev) << 1
		if p.TF != 1 {
			v |= 1
			size += uvarintLen(uint64(p.TF))
		}
		size += uvarintLen(v)
		prev = p.Passage
		if (i+1)%skipInterval == 0 && i+1 < len(ps) {
			delta, length := skips.uvarint(), skips.uvarint()
			if skips.err != nil || delta != uint64(p.Passage-blockLast) || length != uint64(size-blockStart) {
				return fmt.Errorf("skip entry %d: (%d, %d), the block ends at passage %d after %d bytes", i/skipInterval, delta, length, p.Passage, size-blockStart)
			}
			blockLast, blockStart = p.Passage, size
		}
	}
	if len(skips.b) != 0 || size != len(l.data) {
		return fmt.Errorf("skip table or postings of a wrong length")
	}
	return nil
}

func uvarintLen(v uint64) int {
	var b [binary.MaxVarintLen64]byte
	return binary.PutUvarint(b[:], v)
}

// termPrint is the fingerprint of a term (its hash h) occurring tf times in
// a passage. A passage's fingerprint is the sum of its terms': equal sums
// mean, but for a 2⁻⁶⁴ chance, equal postings.
func termPrint(h uint64, tf uint32) uint64 {
	x := h ^ uint64(tf)*0x9e3779b97f4a7c15
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// analysed is a fresh analysis of one article, reduced to what the
// comparison needs.
type analysed struct {
	id       string
	language string
	passages []analysedPassage
}

type analysedPassage struct {
	ref    retrieval.PassageRef // ArticleID left empty
	length uint32
	terms  int
	print  uint64
}

// compareAnalysis analyses every stored article again, on every CPU, and
// compares the result with its stored passages and the fingerprints of
// their postings.
func (c *checker) compareAnalysis() {
	c.rep.Analyzed = true
	in := make(chan retrieval.Article, 64)
	out := make(chan analysed, 64)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for a := range in {
				out <- c.reduce(a)
			}
		})
	}
	go func() {
		defer close(out)
		defer wg.Wait()
		defer close(in)
		c.tx.Bucket(bucketArticles).ForEach(func(k, v []byte) error {
			if rec, err := decodeRecord(string(k), v, c.texts); err == nil && c.articles[rec.article.ID] != nil {
				in <- rec.article
			}
			return nil
		})
	}()
	for got := range out {
		c.compare(got)
	}
}

// reduce analyses a and fingerprints the exact terms of each passage.
func (c *checker) reduce(a retrieval.Article) analysed {
	ia := c.analyze(a)
	r := analysed{id: a.ID, language: ia.Language, passages: make([]analysedPassage, len(ia.Passages))}
	for i, p := range ia.Passages {
		ap := &r.passages[i]
		ap.ref = retrieval.PassageRef{Ordinal: p.Ordinal, Start: p.Start, End: p.End}
		ap.length = p.Length
		for term, tf := range p.Terms {
			if _, folded := retrieval.FoldedTerm(term); folded {
				continue
			}
			ap.terms++
			ap.print += termPrint(maphash.String(c.seed, term), tf)
		}
	}
	return r
}

// compare compares the fresh analysis of an article with what is stored.
func (c *checker) compare(got analysed) {
	a := c.articles[got.id]
	if int(a.count) != len(got.passages) || a.language != got.language {
		c.addf(ProblemPostingsMismatch, "article %.60q: %d passages in %q, the analysis gives %d in %q", got.id, a.count, a.language, len(got.passages), got.language)
		return
	}
	for i, want := range got.passages {
		id := a.first + retrieval.PassageID(i)
		s := c.passages[id]
		switch {
		case s == nil || s.owner != got.id:
			// Already reported as a missing passage.
		case s.ref != want.ref || s.length != want.length:
			c.addf(ProblemPostingsMismatch, "passage %d of %.60q: %+v of length %d, the analysis gives %+v of length %d", id, got.id, s.ref, s.length, want.ref, want.length)
		case s.terms != want.terms || s.print != want.print:
			c.addf(ProblemPostingsMismatch, "passage %d of %.60q: the runs give it %d terms, the analysis %d (or other frequencies)", id, got.id, s.terms, want.terms)
		}
	}
}

// checkFrontEndBuckets decodes the values of the shown, feedback and
// digests buckets.
func (c *checker) checkFrontEndBuckets() {
	if b := c.tx.Bucket(bucketShown); b != nil {
		b.ForEach(func(k, v []byte) error {
			if len(k) != 8 {
				c.addf(ProblemShown, "key %x", k)
			} else if _, err := decodeShown(binary.BigEndian.Uint64(k), v); err != nil {
				c.addf(ProblemShown, "%v", err)
			}
			return nil
		})
	}
	if b := c.tx.Bucket(bucketFeedback); b != nil {
		b.ForEach(func(k, v []byte) error {
			if f, err := decodeFeedback(k, v); err != nil {
				c.addf(ProblemFeedback, "%v", err)
			} else if !c.shownStored(f.Shown) {
				c.addf(ProblemFeedback, "vote %x on shown answer %d, which is not stored", k, f.Shown)
			}
			return nil
		})
	}
	if b := c.tx.Bucket(bucketDigests); b != nil {
		b.ForEach(func(k, v []byte) error {
			if _, err := decodeDigest(k, v); err != nil {
				c.addf(ProblemDigests, "%v", err)
			}
			return nil
		})
	}
}

// shownStored reports whether the shown answer id is stored: a vote is
// kept with the answer it is about (ForgetShown spares voted answers).
func (c *checker) shownStored(id uint64) bool {
	b := c.tx.Bucket(bucketShown)
	return b != nil && b.Get(shownKey(id)) != nil
}

// RepairReport says what Repair did.
type RepairReport struct {
	// Dropped names the records that could not be decoded (or, for a vote,
	// whose shown answer is gone) and were deleted: "article \"ID\"", or
	// "shown answer", "vote" or "digest subscription" and the key in hex,
	// or "text dictionary" (a damaged one).
	// An article among them must be ingested again.
	Dropped []string
	// Rehashed names the articles whose stored content hash was replaced
	// by their content's: the hash or the text was damaged, and which one
	// cannot be known, so they are worth ingesting again.
	Rehashed []string
	// Retimed counts the articles given a new, unique ingest time.
	Retimed int
	// Articles and Passages count the index after the repair.
	Articles, Passages int
}

// Repair rebuilds everything that derives from the stored articles: the
// added index, the article count and last ingest time in meta, then (by
// Reindex) the passages, postings, language counts and statistics. Records
// that do not decode are deleted and named in the report; an article whose
// stored hash is not its content's gets its content's. A damaged file
// (ProblemFile) is beyond it: bbolt cannot walk its pages.
//
// The first step is one transaction; the reindex works in batches and, if
// interrupted, leaves an index that NeedsReindex (Repair or Reindex again
// finish it). progress is Reindex's.
func (db *DB) Repair(progress func(done, total int)) (RepairReport, error) {
	var rep RepairReport
	if err := db.checkWritable(); err != nil {
		return rep, err
	}
	db.mu.Lock()
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		rep = RepairReport{}
		m, err := readMeta(tx)
		if err != nil {
			return err
		}
		return repairArticles(db, tx, &m, &rep)
	})
	db.mu.Unlock()
	if err != nil {
		return rep, db.errorf("repair: %w", err)
	}
	if err := db.Reindex(progress); err != nil {
		return rep, err
	}
	stats, err := db.Stats()
	if err != nil {
		return rep, err
	}
	rep.Articles, rep.Passages = int(stats.Articles), int(stats.Passages)
	return rep, nil
}

// repairArticles is the first step of Repair, in the writable tx of db:
// drop what does not decode and a damaged text dictionary, fix hashes and
// ingest times, rebuild the added index and meta's article count and last
// ingest time.
func repairArticles(db *DB, tx *bolt.Tx, m *meta, rep *RepairReport) error {
	articles := tx.Bucket(bucketArticles)
	var recs []record
	var drop [][]byte
	err := articles.ForEach(func(k, v []byte) error {
		rec, err := decodeRecord(string(k), v, textSource{db: db, tx: tx})
		if v == nil || err != nil || checkArticleKey(string(k)) != nil {
			drop = append(drop, slices.Clone(k))
			return nil
		}
		recs = append(recs, rec)
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range drop {
		rep.Dropped = append(rep.Dropped, fmt.Sprintf("article %.60q", k))
		if err := articles.Delete(k); err != nil {
			if err := articles.DeleteBucket(k); err != nil {
				return err
			}
		}
	}

	// The texts compressed with a damaged dictionary are gone with it.
	if _, err := loadTextDict(tx); err != nil {
		rep.Dropped = append(rep.Dropped, "text dictionary")
		if err := tx.Bucket(bucketMeta).Delete(keyTextDict); err != nil {
			return err
		}
	}

	// Unique ingest times, in the order they had (ties by ID), none later
	// than needed.
	slices.SortFunc(recs, func(a, b record) int {
		return cmp.Or(cmp.Compare(a.addedAt, b.addedAt), cmp.Compare(a.article.ID, b.article.ID))
	})
	var a arena
	for i := range recs {
		rec := &recs[i]
		changed := false
		if i > 0 && rec.addedAt <= recs[i-1].addedAt {
			rec.addedAt = recs[i-1].addedAt + 1
			rep.Retimed++
			changed = true
		}
		if h := rec.article.ContentHash(); h != rec.hash {
			rec.hash = h
			rep.Rehashed = append(rep.Rehashed, rec.article.ID)
			changed = true
		}
		if changed {
			v := appendRecord(a.alloc(rec.maxSize()), rec, db.codecForWrites())
			if err := articles.Put([]byte(rec.article.ID), v); err != nil {
				return err
			}
		}
	}
	if err := tx.DeleteBucket(bucketAdded); err != nil {
		return err
	}
	added, err := tx.CreateBucket(bucketAdded)
	if err != nil {
		return err
	}
	added.FillPercent = 0.95
	for i := range recs {
		if err := added.Put(addedKey(recs[i].addedAt, recs[i].article.ID), nil); err != nil {
			return err
		}
	}
	m.stats.Articles = uint64(len(recs))
	if n := len(recs); n > 0 {
		m.lastAdded = max(m.lastAdded, recs[n-1].addedAt)
	}
	// Passage IDs only grow: the reindex numbers the new passages from
	// next on, above every passage and run that may still be there.
	next := uint64(m.next)
	if k, _ := tx.Bucket(bucketPassages).Cursor().Last(); len(k) == 4 {
		next = max(next, uint64(binary.BigEndian.Uint32(k))+1)
	}
	for i := range recs {
		next = max(next, uint64(recs[i].end()))
	}
	if runs, err := loadRuns(tx); err == nil && len(runs) > 0 {
		next = max(next, uint64(runs[len(runs)-1].hi()))
	}
	if next > math.MaxUint32 {
		return fmt.Errorf("passage IDs exhausted")
	}
	m.next = retrieval.PassageID(next)
	// Reindex empties the runs; their numbers go on from the highest.
	if k, _ := tx.Bucket(bucketRunInfo).Cursor().Last(); len(k) == 4 {
		m.nextRun = max(m.nextRun, binary.BigEndian.Uint32(k)+1)
	}

	// Front-end records that do not decode.
	dropBad := func(name []byte, what string, ok func(k, v []byte) bool) error {
		b := tx.Bucket(name)
		if b == nil {
			return nil
		}
		var bad [][]byte
		b.ForEach(func(k, v []byte) error {
			if !ok(k, v) {
				bad = append(bad, slices.Clone(k))
			}
			return nil
		})
		for _, k := range bad {
			rep.Dropped = append(rep.Dropped, fmt.Sprintf("%s %x", what, k))
			if err := b.Delete(k); err != nil {
				if err := b.DeleteBucket(k); err != nil {
					return err
				}
			}
		}
		return nil
	}
	err = dropBad(bucketShown, "shown answer", func(k, v []byte) bool {
		if len(k) != 8 {
			return false
		}
		_, err := decodeShown(binary.BigEndian.Uint64(k), v)
		return err == nil
	})
	if err == nil {
		// After the shown answers: a vote on one dropped goes too.
		shown := tx.Bucket(bucketShown)
		err = dropBad(bucketFeedback, "vote", func(k, v []byte) bool {
			f, err := decodeFeedback(k, v)
			return err == nil && shown != nil && shown.Get(shownKey(f.Shown)) != nil
		})
	}
	if err == nil {
		err = dropBad(bucketDigests, "digest subscription", func(k, v []byte) bool { _, err := decodeDigest(k, v); return err == nil })
	}
	if err != nil {
		return err
	}

	// Unknown top-level keys and buckets are left alone: they may hold
	// something of value. Check keeps naming them.
	return m.write(tx)
}
