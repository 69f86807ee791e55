package storage

import (
	"errors"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/baobot/baobot/retrieval"
	bolt "go.etcd.io/bbolt"
)

// fileSize is the size of the file at path.
func fileSize(t testing.TB, path string) int64 {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Size()
}

// After writes that leave most of the file free, Close copies the index
// into a smaller file that holds the same index, with the texts written
// before the index had its text dictionary compressed with it.
func TestCloseCompacts(t *testing.T) {
	db := openTest(t, nil)
	db.compactMin, db.compactPage = 1, 4096 // a small index compacts into small pages
	articles := corpus(1, 600, "a")
	for i := 0; i < len(articles); i += 50 {
		put(t, db, articles[i:i+50]...)
	}
	// The shown bucket's sequence numbers answers: a copy must keep it.
	id, err := db.SaveShown(ShownAnswer{Question: "q", Lang: "en", Articles: []string{articles[0].ID}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range articles[100:] {
		if err := db.Remove(a.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(loadedRuns(t, db)); n < 2 {
		t.Fatalf("%d runs: the test needs several", n)
	}
	if storedDict(t, db) == nil || !slices.Contains(slices.Collect(maps.Values(textCodecs(t, db))), textZstd) {
		t.Fatal("no text dictionary, or no text compressed without it")
	}
	before := decodedSnapshot(t, db)
	path := db.Path()
	wasted, size, err := db.wasted()
	if err != nil || wasted < size/4 {
		t.Fatalf("%d of %d bytes free (%v): the test needs more", wasted, size, err)
	}
	db = reopen(t, db, Options{Analyzer: retrieval.NewAnalyzer()})
	if after := fileSize(t, path); after > size-wasted/2 {
		t.Errorf("%d bytes after compacting, %d before of which %d free", after, size, wasted)
	}
	if _, err := os.Stat(path + compactSuffix); !os.IsNotExist(err) {
		t.Errorf("the copy is still there: %v", err)
	}
	// The copy holds one run, the merge of all (checkIndex checks its
	// postings against the articles); everything else is as it was.
	sameSnapshot(t, withoutRuns(before), withoutRuns(decodedSnapshot(t, db)))
	if n := len(loadedRuns(t, db)); n != 1 {
		t.Errorf("%d runs after compacting, want 1", n)
	}
	for id, c := range textCodecs(t, db) {
		if c == textZstd {
			t.Errorf("article %q: compressed without the dictionary after compacting", id)
		}
	}
	checkIndex(t, db)
	next, err := db.SaveShown(ShownAnswer{Question: "q2", Lang: "en"})
	if err != nil || next <= id {
		t.Errorf("shown answer %d after %d (%v)", next, id, err)
	}
	put(t, db, articles[100])
	checkIndex(t, db)
}

// withoutRuns is a snapshot without the runs, their info and the number of
// the next one.
func withoutRuns(snap map[string]string) map[string]string {
	out := make(map[string]string)
	for k, v := range snap {
		if !strings.HasPrefix(k, string(bucketRuns)+"/") && !strings.HasPrefix(k, string(bucketRunInfo)+"/") && k != string(bucketMeta)+"/"+string(keyNextRun) {
			out[k] = v
		}
	}
	return out
}

// loadedRuns is the runs of db.
func loadedRuns(t testing.TB, db *DB) []run {
	t.Helper()
	var runs []run
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		runs, err = loadRuns(tx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

// An index with few free bytes is closed as it is, whatever their share.
func TestCloseKeepsSmallFile(t *testing.T) {
	db := openTest(t, nil)
	articles := corpus(2, 300, "a")
	put(t, db, articles...)
	for _, a := range articles[20:] {
		if err := db.Remove(a.ID); err != nil {
			t.Fatal(err)
		}
	}
	if wasted, size, err := db.wasted(); err != nil || wasted < size/4 || wasted >= compactMinFree {
		t.Fatalf("%d of %d bytes free (%v): not what the test needs", wasted, size, err)
	}
	path := db.Path()
	info, _ := os.Stat(path)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.Stat(path); !os.SameFile(info, after) {
		t.Errorf("a small index was compacted")
	}
}

// A process that waited for the lock of an index that was compacted
// meanwhile opens the new file, not the old one it had opened: it holds
// the lock of the file that is the index now, so no writer can change it
// behind its back.
func TestOpenAfterCompaction(t *testing.T) {
	db := openTest(t, nil)
	db.compactMin, db.compactPage = 1, 4096 // a small index compacts into small pages
	articles := corpus(3, 300, "a")
	put(t, db, articles...)
	for _, a := range articles[20:] {
		if err := db.Remove(a.ID); err != nil {
			t.Fatal(err)
		}
	}
	path := db.Path()
	opened := make(chan *DB)
	go func() {
		reader, err := Open(path, Options{ReadOnly: true, Timeout: 10 * time.Second})
		if err != nil {
			t.Error(err)
		}
		opened <- reader
	}()
	time.Sleep(100 * time.Millisecond) // the reader is waiting for the lock
	before := fileSize(t, path)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	reader := <-opened
	if reader == nil {
		return
	}
	defer reader.Close()
	if after := fileSize(t, path); after >= before {
		t.Errorf("not compacted: %d bytes, %d before", after, before)
	}
	writer, err := Open(path, Options{Analyzer: retrieval.NewAnalyzer(), Timeout: 100 * time.Millisecond})
	if !errors.Is(err, ErrInUse) {
		t.Errorf("a writer opened the index beside a reader: %v", err)
	}
	if err == nil {
		writer.Close()
	}
}

// A copy left by a compaction that died is removed when the index is next
// opened for writing.
func TestOpenRemovesDeadCopy(t *testing.T) {
	db := openTest(t, nil)
	path := db.Path()
	db.Close()
	if err := os.WriteFile(path+compactSuffix, []byte("half a copy"), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := Open(path, Options{Analyzer: retrieval.NewAnalyzer()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := os.Stat(path + compactSuffix); !os.IsNotExist(err) {
		t.Errorf("the dead copy is still there: %v", err)
	}
}

// A process that only read the index closes it as it is, however much of
// it is free: Close reads no page then.
func TestCloseWithoutWritesKeepsFile(t *testing.T) {
	db := openTest(t, nil)
	db.compactMin = 1 << 40
	articles := corpus(4, 300, "a")
	put(t, db, articles...)
	for _, a := range articles[20:] {
		if err := db.Remove(a.ID); err != nil {
			t.Fatal(err)
		}
	}
	db = reopen(t, db, Options{Analyzer: retrieval.NewAnalyzer()})
	db.compactMin, db.compactPage = 1, 4096 // a small index compacts into small pages
	if wasted, size, err := db.wasted(); err != nil || wasted < size/4 {
		t.Fatalf("%d of %d bytes free (%v): the test needs more", wasted, size, err)
	}
	checkIndex(t, db)
	path := db.Path()
	info, _ := os.Stat(path)
	db = reopen(t, db, Options{Analyzer: retrieval.NewAnalyzer()})
	if after, _ := os.Stat(path); !os.SameFile(info, after) {
		t.Errorf("an index only read was compacted")
	}
}

// A copy that would not be smaller than the index (a small index in large
// pages) is dropped: the index stays as it was.
func TestCloseDropsLargerCopy(t *testing.T) {
	db := openTest(t, nil)
	db.compactMin, db.compactPage = 1, 64<<10
	articles := corpus(6, 300, "a")
	put(t, db, articles...)
	for _, a := range articles[20:] {
		if err := db.Remove(a.ID); err != nil {
			t.Fatal(err)
		}
	}
	path := db.Path()
	info, _ := os.Stat(path)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.Stat(path); !os.SameFile(info, after) {
		t.Errorf("the index was replaced by a copy of %d bytes, %d before", after.Size(), info.Size())
	}
	if _, err := os.Stat(path + compactSuffix); !os.IsNotExist(err) {
		t.Errorf("the copy is still there: %v", err)
	}
}
