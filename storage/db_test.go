package storage

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/baobot/baobot/retrieval"
	bolt "go.etcd.io/bbolt"
)

func TestOpenNew(t *testing.T) {
	for _, tt := range []struct {
		name   string
		before func(path string) error
	}{
		{"no file", func(string) error { return nil }},
		{"empty file", func(path string) error { return os.WriteFile(path, nil, 0o600) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "index.db")
			if err := tt.before(path); err != nil {
				t.Fatal(err)
			}
			db, err := Open(path, Options{Analyzer: retrieval.NewAnalyzer()})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if db.Path() != path {
				t.Errorf("Path %q, want %q", db.Path(), path)
			}
			if db.NeedsReindex() {
				t.Error("a new index needs a reindex")
			}
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if perm := info.Mode().Perm(); perm != 0o600 {
				t.Errorf("mode %v, want 0600", perm)
			}
			stats, err := db.Stats()
			if err != nil || stats != (retrieval.Stats{}) {
				t.Errorf("Stats = %+v, %v", stats, err)
			}
			checkIndex(t, db)
			m, err := db.meta()
			if err != nil {
				t.Fatal(err)
			}
			if m != newMeta() {
				t.Errorf("meta %+v, want %+v", m, newMeta())
			}
			// Reopened, it is the same index.
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if db, err = Open(path, Options{ReadOnly: true}); err != nil {
				t.Fatal(err)
			}
			db.Close()
		})
	}
}

func TestOpenOptions(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
		opts Options
		want error
	}{
		{"no analyzer", filepath.Join(dir, "a.db"), Options{}, nil},
		{"read-only, no file", filepath.Join(dir, "b.db"), Options{ReadOnly: true}, fs.ErrNotExist},
		{"no directory", filepath.Join(dir, "missing", "c.db"), Options{Analyzer: retrieval.NewAnalyzer()}, fs.ErrNotExist},
		{"a directory", dir, Options{Analyzer: retrieval.NewAnalyzer()}, ErrNotBaobot},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := Open(tt.path, tt.opts)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Open: %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.path) {
				t.Errorf("error %q does not name the path", err)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "a.db")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused open created a file: %v", err)
	}
}

// A file that is not a baobot index is refused, whether opened for writing
// or reading, and stays byte for byte as it was.
func TestOpenForeignFile(t *testing.T) {
	random := make([]byte, 10000)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	// bboltFile makes a bbolt file and lets fn shape its content.
	bboltFile := func(fn func(tx *bolt.Tx) error) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			bdb, err := bolt.Open(path, 0o644, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := bdb.Update(fn); err != nil {
				t.Fatal(err)
			}
			if err := bdb.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
	bytesFile := func(b []byte) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name string
		make func(t *testing.T, path string)
		want error
	}{
		{"random bytes", bytesFile(random), ErrNotBaobot},
		{"text", bytesFile([]byte("# notes\nThis is not a database.\n")), ErrNotBaobot},
		{"one byte", bytesFile([]byte{'\n'}), ErrNotBaobot},
		{"zeros", bytesFile(make([]byte, 16384)), ErrNotBaobot},
		{"bbolt, no buckets", bboltFile(func(*bolt.Tx) error { return nil }), ErrNotBaobot},
		{"bbolt, other buckets", bboltFile(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucket([]byte("settings"))
			if err != nil {
				return err
			}
			return b.Put([]byte("theme"), []byte("dark"))
		}), ErrNotBaobot},
		{"bbolt, other magic", bboltFile(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucket(bucketMeta)
			if err != nil {
				return err
			}
			return b.Put(keyMagic, []byte("someone else"))
		}), ErrNotBaobot},
		{"bbolt, damaged meta pages", func(t *testing.T, path string) {
			bboltFile(func(*bolt.Tx) error { return nil })(t, path)
			b := readFile(t, path)
			pageSize := int(binary.NativeEndian.Uint32(b[24:]))
			for _, page := range []int{0, pageSize} {
				b[page+40] ^= 0xFF // inside the meta, after the magic: a checksum mismatch
			}
			bytesFile(b)(t, path)
		}, ErrCorrupt},
	}
	for _, tt := range tests {
		for _, readOnly := range []bool{false, true} {
			name := tt.name
			if readOnly {
				name += "/read-only"
			}
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, "index.db")
				tt.make(t, path)
				before := readFile(t, path)
				beforeInfo, _ := os.Stat(path)

				db, err := Open(path, Options{Analyzer: retrieval.NewAnalyzer(), ReadOnly: readOnly, Timeout: 100 * time.Millisecond})
				if err == nil {
					db.Close()
					t.Fatal("Open succeeded")
				}
				if !errors.Is(err, tt.want) {
					t.Errorf("Open: %v, want %v", err, tt.want)
				}
				if !strings.Contains(err.Error(), path) {
					t.Errorf("error %q does not name the path", err)
				}
				if after := readFile(t, path); !slices.Equal(after, before) {
					t.Error("the file changed")
				}
				afterInfo, _ := os.Stat(path)
				if afterInfo.Mode() != beforeInfo.Mode() || !afterInfo.ModTime().Equal(beforeInfo.ModTime()) {
					t.Error("the file's mode or time changed")
				}
				if entries, _ := os.ReadDir(dir); len(entries) != 1 {
					t.Errorf("the directory holds %d entries, want 1", len(entries))
				}
			})
		}
	}
}

func TestOpenNewerSchema(t *testing.T) {
	db := openTest(t, nil)
	put(t, db, fixtures()...)
	path := db.Path()
	db.Close()
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchema, binary.BigEndian.AppendUint32(nil, SchemaVersion+1))
	})
	before := readFile(t, path)
	for _, opts := range []Options{{Analyzer: retrieval.NewAnalyzer()}, {ReadOnly: true}} {
		db, err := Open(path, opts)
		if err == nil {
			db.Close()
			t.Fatal("Open succeeded")
		}
		if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), path) {
			t.Errorf("Open: %v, want ErrNewerSchema naming the path", err)
		}
	}
	if !slices.Equal(readFile(t, path), before) {
		t.Error("the file changed")
	}
}

func TestOpenDamagedMeta(t *testing.T) {
	tests := []struct {
		name string
		key  []byte
		val  []byte
	}{
		{"schema 0", keySchema, binary.BigEndian.AppendUint32(nil, 0)},
		{"short stats", keyStats, []byte{1, 2, 3}},
		{"next passage 0", keyNextPassage, binary.BigEndian.AppendUint32(nil, 0)},
		{"no analysis", keyAnalysis, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t, nil)
			path := db.Path()
			db.Close()
			rawUpdate(t, path, func(tx *bolt.Tx) error {
				if tt.val == nil {
					return tx.Bucket(bucketMeta).Delete(tt.key)
				}
				return tx.Bucket(bucketMeta).Put(tt.key, tt.val)
			})
			if db, err := Open(path, Options{Analyzer: retrieval.NewAnalyzer()}); !errors.Is(err, ErrCorrupt) {
				if err == nil {
					db.Close()
				}
				t.Errorf("Open: %v, want ErrCorrupt", err)
			}
		})
	}
}

// bbolt's lock is per open file, so two opens in one process contend as two
// processes would.
func TestOpenInUse(t *testing.T) {
	db := openTest(t, nil)
	put(t, db, fixtures()...)
	for _, opts := range []Options{
		{Analyzer: retrieval.NewAnalyzer(), Timeout: 50 * time.Millisecond},
		{ReadOnly: true, Timeout: 50 * time.Millisecond},
	} {
		second, err := Open(db.Path(), opts)
		if err == nil {
			second.Close()
			t.Fatalf("second Open (read-only %v) succeeded", opts.ReadOnly)
		}
		if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), db.Path()) {
			t.Errorf("second Open (read-only %v): %v, want ErrInUse naming the path", opts.ReadOnly, err)
		}
	}
	checkIndex(t, db)

	// Readers share the file with each other, not with a writer.
	db = reopen(t, db, Options{ReadOnly: true})
	second, err := Open(db.Path(), Options{ReadOnly: true, Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatalf("second read-only Open: %v", err)
	}
	defer second.Close()
	if _, err := Open(db.Path(), Options{Analyzer: retrieval.NewAnalyzer(), Timeout: 50 * time.Millisecond}); !errors.Is(err, ErrInUse) {
		t.Errorf("writer Open beside readers: %v, want ErrInUse", err)
	}
}

// A timeout of zero means the default, not bbolt's "wait forever".
func TestOpenDefaultTimeout(t *testing.T) {
	db := openTest(t, nil)
	done := make(chan error, 1)
	go func() {
		second, err := Open(db.Path(), Options{Analyzer: retrieval.NewAnalyzer()})
		if err == nil {
			second.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrInUse) {
			t.Errorf("Open: %v, want ErrInUse", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Open still waiting after a minute")
	}
}
