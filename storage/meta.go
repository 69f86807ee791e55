package storage

import (
	"encoding/binary"
	"fmt"

	"github.com/baobot/baobot/retrieval"
	bolt "go.etcd.io/bbolt"
)

// SchemaVersion is the version of the file layout described in doc.go. It
// changes whenever this code could no longer read files written by the
// previous one; Open refuses files with a greater version.
//
// Version 2 keeps postings in runs (postings.go) instead of one key per
// term; version 3 marks the first passage of each article in the runs'
// norms; version 4 stores article text compressed (record version 2);
// version 5 may compress it with the index's text dictionary (codec 2),
// which a reader of version 4 cannot decode. A file of version 4 is
// upgraded in place when opened for writing; an older file's postings are
// dropped and it needs a reindex, which also rewrites its article records.
const SchemaVersion = 5

// oldestReadable is the oldest schema read as it is: from it to
// SchemaVersion, versions only added to the layout.
const oldestReadable = 4

// magic marks a bbolt file as a baobot index.
const magic = "baobot"

// An index is never marked as built by analysis version 0: that value means
// a Reindex started and did not finish. The constant below stops compiling if
// retrieval.AnalysisVersion ever becomes 0.
const _ = uint(retrieval.AnalysisVersion - 1)

// Bucket names.
var (
	bucketMeta      = []byte("meta")
	bucketArticles  = []byte("articles")
	bucketPassages  = []byte("passages")
	bucketRuns      = []byte("runs")
	bucketRunInfo   = []byte("runinfo")
	bucketAdded     = []byte("added")
	bucketLanguages = []byte("languages")

	// allBuckets are created together when an index is initialised.
	allBuckets = [][]byte{bucketMeta, bucketArticles, bucketPassages, bucketRuns, bucketRunInfo, bucketAdded, bucketLanguages}

	// bucketPostingsV1 held the postings in schema version 1.
	bucketPostingsV1 = []byte("postings")

	// The answers shown and the votes on them (feedback.go). They are not
	// in allBuckets: the first write that needs them creates them, so that
	// indexes made before they existed still open.
	bucketShown    = []byte("shown")
	bucketFeedback = []byte("feedback")
)

// Keys of the meta bucket.
var (
	keyMagic       = []byte("magic")
	keySchema      = []byte("schema")
	keyAnalysis    = []byte("analysis")
	keyNextPassage = []byte("next_passage")
	keyStats       = []byte("stats")
	keyLastAdded   = []byte("last_added")
	keyNextRun     = []byte("next_run")
	// keyTextDict holds the text dictionary (textdict.go), once trained.
	// meta.write leaves it alone.
	keyTextDict = []byte("textdict")
)

// meta is the content of the meta bucket, magic aside.
type meta struct {
	schema    uint32
	analysis  uint32              // retrieval.AnalysisVersion of the postings; 0: Reindex unfinished
	next      retrieval.PassageID // the ID the next passage gets
	stats     retrieval.Stats
	lastAdded int64  // the latest ingest time given, Unix nanoseconds
	nextRun   uint32 // the number of the next postings run
}

// newMeta is the meta of an empty index: an empty index is trivially built
// with the current analysis.
func newMeta() meta {
	return meta{schema: SchemaVersion, analysis: retrieval.AnalysisVersion, next: 1}
}

// readMeta reads the meta bucket of tx. It returns ErrNotBaobot when the
// bucket or its magic is missing, ErrNewerSchema for a schema it cannot read
// and ErrCorrupt for a malformed value.
func readMeta(tx *bolt.Tx) (meta, error) {
	b := tx.Bucket(bucketMeta)
	if b == nil || string(b.Get(keyMagic)) != magic {
		return meta{}, ErrNotBaobot
	}
	var m meta
	schema, ok := fixed32(b.Get(keySchema))
	switch {
	case !ok || schema == 0:
		return meta{}, corrupt("meta: schema version %x", b.Get(keySchema))
	case schema > SchemaVersion:
		return meta{}, fmt.Errorf("%w: schema version %d, this baobot reads up to %d", ErrNewerSchema, schema, SchemaVersion)
	}
	m.schema = schema
	var next uint32
	if m.analysis, ok = fixed32(b.Get(keyAnalysis)); !ok {
		return meta{}, corrupt("meta: analysis version")
	}
	if next, ok = fixed32(b.Get(keyNextPassage)); !ok || next == 0 {
		return meta{}, corrupt("meta: next passage")
	}
	m.next = retrieval.PassageID(next)
	s := b.Get(keyStats)
	if len(s) != 24 {
		return meta{}, corrupt("meta: stats")
	}
	m.stats = retrieval.Stats{
		Articles:    binary.BigEndian.Uint64(s[0:]),
		Passages:    binary.BigEndian.Uint64(s[8:]),
		TotalLength: binary.BigEndian.Uint64(s[16:]),
	}
	la := b.Get(keyLastAdded)
	if len(la) != 8 {
		return meta{}, corrupt("meta: last added")
	}
	m.lastAdded = int64(binary.BigEndian.Uint64(la))
	if schema < oldestReadable {
		// An older layout: readable as far as articles go, and in need of
		// an upgrade (upgradeSchema) and a reindex before anything else.
		m.analysis = 0
		return m, nil
	}
	if m.nextRun, ok = fixed32(b.Get(keyNextRun)); !ok {
		return meta{}, corrupt("meta: next run")
	}
	for _, name := range allBuckets[1:] {
		if tx.Bucket(name) == nil {
			return meta{}, corrupt("bucket %q missing", name)
		}
	}
	return m, nil
}

// write stores m, and the magic, in the meta bucket of a writable tx.
func (m meta) write(tx *bolt.Tx) error {
	b := tx.Bucket(bucketMeta)
	stats := make([]byte, 24)
	binary.BigEndian.PutUint64(stats[0:], m.stats.Articles)
	binary.BigEndian.PutUint64(stats[8:], m.stats.Passages)
	binary.BigEndian.PutUint64(stats[16:], m.stats.TotalLength)
	for _, kv := range []struct{ k, v []byte }{
		{keyMagic, []byte(magic)},
		{keySchema, binary.BigEndian.AppendUint32(nil, m.schema)},
		{keyAnalysis, binary.BigEndian.AppendUint32(nil, m.analysis)},
		{keyNextPassage, binary.BigEndian.AppendUint32(nil, uint32(m.next))},
		{keyStats, stats},
		{keyLastAdded, binary.BigEndian.AppendUint64(nil, uint64(m.lastAdded))},
		{keyNextRun, binary.BigEndian.AppendUint32(nil, m.nextRun)},
	} {
		if err := b.Put(kv.k, kv.v); err != nil {
			return err
		}
	}
	return nil
}

func fixed32(b []byte) (uint32, bool) {
	if len(b) != 4 {
		return 0, false
	}
	return binary.BigEndian.Uint32(b), true
}

// upgradeSchema brings an index of an older schema to SchemaVersion inside
// the writable tx: from oldestReadable, by its number alone; version 1 kept one postings key per term, which is
// dropped, and runs of version 2 lack article marks; the index is then
// marked as needing a reindex, which rebuilds passages and postings from
// the stored articles. It reports whether it changed anything.
func upgradeSchema(tx *bolt.Tx) (bool, error) {
	m, err := readMeta(tx)
	if err != nil || m.schema == SchemaVersion {
		return false, err
	}
	if m.schema >= oldestReadable {
		m.schema = SchemaVersion
		return true, m.write(tx)
	}
	if tx.Bucket(bucketPostingsV1) != nil {
		if err := tx.DeleteBucket(bucketPostingsV1); err != nil {
			return false, err
		}
	}
	for _, name := range allBuckets[1:] {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return false, err
		}
	}
	m.schema, m.analysis = SchemaVersion, 0
	return true, m.write(tx)
}
