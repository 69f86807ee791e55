package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/baobot/baobot/retrieval"
	bolt "go.etcd.io/bbolt"
)

// checkedIndex writes an index the way baobot does (real analysis, several
// batches so that runs merge, a removal and a replacement, which leave
// removed passages in the runs) and closes it. It returns its path and the
// articles it holds, by ID.
func checkedIndex(t *testing.T) (string, map[string]retrieval.Article) {
	t.Helper()
	db := openTest(t, nil)
	want := make(map[string]retrieval.Article)
	add := func(articles ...retrieval.Article) {
		put(t, db, articles...)
		for _, a := range articles {
			want[a.ID] = a
		}
	}
	// Words of one folded form ("hoa") share a form entry in their run.
	add(append(fixtures(), retrieval.Article{ID: "hoa", Language: "vi", Body: "Hoa hồng, hòa bình và hóa học."})...)
	for i := range 5 { // five runs: four merge
		add(corpus(uint64(i), 4, fmt.Sprintf("b%d-", i))...)
	}
	if err := db.Remove("b1-00003"); err != nil {
		t.Fatal(err)
	}
	delete(want, "b1-00003")
	changed := want["b2-00001"]
	changed.Body += "\nmột đoạn mới được thêm vào"
	add(changed)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return db.Path(), want
}

// checkFile opens the index at path read-only and checks it with the real
// analyzer, failing t if the check changes a byte of the file.
func checkFile(t *testing.T, path string) *CheckReport {
	t.Helper()
	before := readFile(t, path)
	db, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := db.Check(CheckOptions{Analyzer: retrieval.NewAnalyzer()})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, readFile(t, path)) {
		t.Error("Check changed the file")
	}
	return rep
}

func kinds(rep *CheckReport) []ProblemKind {
	var ks []ProblemKind
	for _, p := range rep.Problems {
		ks = append(ks, p.Kind)
	}
	return ks
}

// A sound index passes, with every count of the recount.
func TestCheckSound(t *testing.T) {
	path, want := checkedIndex(t)
	rep := checkFile(t, path)
	if !rep.OK() {
		t.Fatalf("problems in a sound index: %+v", rep.Problems)
	}
	if !rep.Analyzed || rep.Articles != len(want) || rep.Stats.Articles != uint64(len(want)) ||
		rep.Passages == 0 || uint64(rep.Passages) != rep.Stats.Passages || rep.Runs < 2 || rep.Terms == 0 || rep.Postings == 0 ||
		rep.Schema != SchemaVersion || rep.Analysis != retrieval.AnalysisVersion {
		t.Errorf("report %+v", rep)
	}
	// Without an analyzer, the comparison with a fresh analysis is skipped.
	db, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if rep, err := db.Check(CheckOptions{}); err != nil || !rep.OK() || rep.Analyzed {
		t.Errorf("without an analyzer: %+v, %v", rep, err)
	}
}

// An empty index, and one with every article removed, pass.
func TestCheckEmpty(t *testing.T) {
	db := openTest(t, nil)
	for range 2 {
		rep, err := db.Check(CheckOptions{Analyzer: retrieval.NewAnalyzer()})
		if err != nil || !rep.OK() {
			t.Fatalf("%+v, %v", rep, err)
		}
		put(t, db, fixtures()...)
		for _, a := range fixtures() {
			if err := db.Remove(a.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// Each way of damaging an index is named by the check, and Repair brings
// the index back to one that passes, with every article that still decodes.
func TestCheckFindsAndRepairFixes(t *testing.T) {
	const victim = "vnexpress-4731" // an article of fixtures()
	getRecord := func(tx *bolt.Tx, id string) record {
		rec, err := decodeRecord(id, tx.Bucket(bucketArticles).Get([]byte(id)), textSource{tx: tx})
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	putRecord := func(tx *bolt.Tx, rec record) error {
		return tx.Bucket(bucketArticles).Put([]byte(rec.article.ID), appendRecord(nil, &rec, plainCodec()))
	}
	withMeta := func(fn func(m *meta)) func(tx *bolt.Tx) error {
		return func(tx *bolt.Tx) error {
			m, err := readMeta(tx)
			if err != nil {
				return err
			}
			fn(&m)
			return m.write(tx)
		}
	}
	tests := []struct {
		name    string
		corrupt func(tx *bolt.Tx) error
		want    []ProblemKind // at least these
		only    bool          // and no other
		dropped []string      // what Repair deletes
		remains []ProblemKind // what Repair leaves
	}{
		{
			name: "a passage deleted",
			corrupt: func(tx *bolt.Tx) error {
				rec := getRecord(tx, victim)
				return tx.Bucket(bucketPassages).Delete(passageKey(nil, rec.first+1))
			},
			// The article misses it, the stats count it, its run's norm and
			// postings point to it.
			want: []ProblemKind{ProblemPassageMissing, ProblemStats, ProblemNorms, ProblemPostingDangling},
			only: true,
		},
		{
			name: "a dangling posting: a run with a passage never stored",
			corrupt: func(tx *bolt.Tx) error {
				m, err := readMeta(tx)
				if err != nil {
					return err
				}
				r := run{seq: m.nextRun, lo: m.next, norms: binary.LittleEndian.AppendUint32(nil, 3)}
				var batch postingsBatch
				batch.addTerm("ghost", m.next, 1)
				if err := writeRun(tx, &r, &batch, &arena{}); err != nil {
					return err
				}
				m.next++
				m.nextRun++
				return m.write(tx)
			},
			want: []ProblemKind{ProblemNorms, ProblemPostingDangling},
			only: true,
		},
		{
			name:    "statistics skewed",
			corrupt: withMeta(func(m *meta) { m.stats.TotalLength += 7; m.stats.Articles-- }),
			want:    []ProblemKind{ProblemStats},
			only:    true,
		},
		{
			name: "an article record cut short",
			corrupt: func(tx *bolt.Tx) error {
				v := tx.Bucket(bucketArticles).Get([]byte(victim))
				return tx.Bucket(bucketArticles).Put([]byte(victim), slices.Clone(v[:len(v)/2]))
			},
			// Its passages and added key now name an article that is not there.
			want:    []ProblemKind{ProblemArticleRecord, ProblemAdded, ProblemPassageOrphan, ProblemStats, ProblemLanguages},
			dropped: []string{fmt.Sprintf("article %q", victim)},
		},
		{
			name: "an article record of an unknown version",
			corrupt: func(tx *bolt.Tx) error {
				v := slices.Clone(tx.Bucket(bucketArticles).Get([]byte(victim)))
				v[0] = 9
				return tx.Bucket(bucketArticles).Put([]byte(victim), v)
			},
			want:    []ProblemKind{ProblemArticleRecord},
			dropped: []string{fmt.Sprintf("article %q", victim)},
		},
		{
			name: "an article's hash is not its content's",
			corrupt: func(tx *bolt.Tx) error {
				rec := getRecord(tx, victim)
				rec.hash = "not the hash"
				return putRecord(tx, rec)
			},
			want: []ProblemKind{ProblemArticleHash},
			only: true,
		},
		{
			name: "an article's text changed behind the index's back",
			corrupt: func(tx *bolt.Tx) error {
				rec := getRecord(tx, victim)
				rec.article.Body = "Hoàn toàn khác.\nKhông còn gì như cũ: một đoạn văn dài hơn hẳn, với những từ chưa từng có."
				rec.hash = rec.article.ContentHash()
				return putRecord(tx, rec)
			},
			want: []ProblemKind{ProblemPostingsMismatch},
		},
		{
			name: "an added key gone",
			corrupt: func(tx *bolt.Tx) error {
				rec := getRecord(tx, victim)
				return tx.Bucket(bucketAdded).Delete(addedKey(rec.addedAt, victim))
			},
			want: []ProblemKind{ProblemAdded},
			only: true,
		},
		{
			name: "an added key of no article",
			corrupt: func(tx *bolt.Tx) error {
				return tx.Bucket(bucketAdded).Put(addedKey(12345, "ghost"), nil)
			},
			want: []ProblemKind{ProblemAdded},
			only: true,
		},
		{
			name: "two articles added at the same time",
			corrupt: func(tx *bolt.Tx) error {
				a, b := getRecord(tx, victim), getRecord(tx, "untitled")
				if err := tx.Bucket(bucketAdded).Delete(addedKey(b.addedAt, b.article.ID)); err != nil {
					return err
				}
				b.addedAt = a.addedAt
				if err := tx.Bucket(bucketAdded).Put(addedKey(b.addedAt, b.article.ID), nil); err != nil {
					return err
				}
				return putRecord(tx, b)
			},
			want: []ProblemKind{ProblemAdded},
			only: true,
		},
		{
			name: "a language count skewed",
			corrupt: func(tx *bolt.Tx) error {
				return tx.Bucket(bucketLanguages).Put([]byte("xx"), binary.BigEndian.AppendUint64(nil, 2))
			},
			want: []ProblemKind{ProblemLanguages},
			only: true,
		},
		{
			name: "a norm skewed",
			corrupt: func(tx *bolt.Tx) error {
				runs, err := loadRuns(tx)
				if err != nil {
					return err
				}
				r := runs[0]
				r.norms = slices.Clone(r.norms)
				r.norms[0]++
				return putRunInfo(tx, &r, &arena{})
			},
			want: []ProblemKind{ProblemNorms},
			only: true,
		},
		{
			name: "an article's first passage not marked in its run's norms",
			corrupt: func(tx *bolt.Tx) error {
				rec := getRecord(tx, victim)
				runs, err := loadRuns(tx)
				if err != nil {
					return err
				}
				for _, r := range runs {
					if rec.first >= r.lo && rec.first < r.hi() {
						r.norms = slices.Clone(r.norms)
						i := 4 * (rec.first - r.lo)
						binary.LittleEndian.PutUint32(r.norms[i:], binary.LittleEndian.Uint32(r.norms[i:])&^articleFirst)
						return putRunInfo(tx, &r, &arena{})
					}
				}
				return fmt.Errorf("no run holds passage %d", rec.first)
			},
			want: []ProblemKind{ProblemNorms},
			only: true,
		},
		{
			name: "a postings block overwritten",
			corrupt: func(tx *bolt.Tx) error {
				runs, err := loadRuns(tx)
				if err != nil {
					return err
				}
				b := tx.Bucket(bucketRuns).Bucket(runName(runs[0].seq))
				k, _ := b.Cursor().First()
				return b.Put(slices.Clone(k), []byte{0, 3, 'z', 0, 'z', 2, 0xff, 0xff})
			},
			want: []ProblemKind{ProblemPostingsFormat},
		},
		{
			name: "a run's info gone",
			corrupt: func(tx *bolt.Tx) error {
				runs, err := loadRuns(tx)
				if err != nil {
					return err
				}
				return tx.Bucket(bucketRunInfo).Delete(runName(runs[len(runs)-1].seq))
			},
			// Its passages lose their postings.
			want: []ProblemKind{ProblemRuns, ProblemNorms, ProblemPostingsMismatch},
			only: true,
		},
		{
			name:    "analysis version unknown",
			corrupt: withMeta(func(m *meta) { m.analysis = retrieval.AnalysisVersion + 1 }),
			want:    []ProblemKind{ProblemAnalysis},
			only:    true,
		},
		{
			name:    "a reindex unfinished",
			corrupt: withMeta(func(m *meta) { m.analysis = 0 }),
			want:    []ProblemKind{ProblemAnalysis},
			only:    true,
		},
		{
			name:    "next passage behind the passages",
			corrupt: withMeta(func(m *meta) { m.next = 2 }),
			want:    []ProblemKind{ProblemPassageMissing, ProblemPassageOrphan, ProblemRuns},
		},
		{
			name: "a shown answer that does not decode",
			corrupt: func(tx *bolt.Tx) error {
				b, err := tx.CreateBucketIfNotExists(bucketShown)
				if err != nil {
					return err
				}
				return b.Put(shownKey(7), []byte{shownVersion, 0xff})
			},
			want:    []ProblemKind{ProblemShown},
			only:    true,
			dropped: []string{"shown answer 0000000000000007"},
		},
		{
			name: "a vote on a shown answer that is not stored",
			corrupt: func(tx *bolt.Tx) error {
				b, err := tx.CreateBucketIfNotExists(bucketFeedback)
				if err != nil {
					return err
				}
				return b.Put(feedbackKey(9, "u1"), appendFeedback(nil, Feedback{Shown: 9, Voter: "u1", Helpful: true, At: time.Unix(1, 0)}))
			},
			want:    []ProblemKind{ProblemFeedback},
			only:    true,
			dropped: []string{fmt.Sprintf("vote %x", feedbackKey(9, "u1"))},
		},
		{
			name: "a digest subscription that does not decode",
			corrupt: func(tx *bolt.Tx) error {
				b, err := tx.CreateBucketIfNotExists(bucketDigests)
				if err != nil {
					return err
				}
				return b.Put([]byte("chan"), []byte{digestVersion})
			},
			want:    []ProblemKind{ProblemDigests},
			only:    true,
			dropped: []string{"digest subscription 6368616e"},
		},
		{
			name:    "an unknown bucket, which Repair leaves alone",
			corrupt: func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("junk")); return err },
			want:    []ProblemKind{ProblemBucket},
			only:    true,
			remains: []ProblemKind{ProblemBucket},
		},
	}
	// One index, copied for each case.
	original, articles := checkedIndex(t)
	data := readFile(t, original)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "index.db")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			want := maps.Clone(articles)
			rawUpdate(t, path, tt.corrupt)

			rep := checkFile(t, path)
			got := kinds(rep)
			for _, k := range tt.want {
				if !rep.Has(k) {
					t.Errorf("problems %v, want %s among them", got, k)
				}
			}
			if tt.only && len(got) != len(tt.want) {
				t.Errorf("problems %v, want only %v", got, tt.want)
			}
			for _, p := range rep.Problems {
				if p.Count < len(p.Examples) || len(p.Examples) == 0 || len(p.Examples) > maxExamples {
					t.Errorf("%s: count %d, examples %q", p.Kind, p.Count, p.Examples)
				}
			}
			if !rep.Repairable() {
				t.Errorf("%v: not repairable", got)
			}

			db, err := Open(path, Options{Analyzer: retrieval.NewAnalyzer()})
			if err != nil {
				t.Fatal(err)
			}
			rr, err := db.Repair(nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rr.Dropped, tt.dropped) {
				t.Errorf("dropped %q, want %q", rr.Dropped, tt.dropped)
			}
			for _, d := range tt.dropped {
				var id string
				if _, err := fmt.Sscanf(d, "article %q", &id); err == nil {
					delete(want, id)
				}
			}
			if rr.Articles != len(want) {
				t.Errorf("%d articles after the repair, want %d", rr.Articles, len(want))
			}
			if !db.NeedsReindex() {
				checkIndex(t, db)
			} else {
				t.Error("NeedsReindex after Repair")
			}
			for id, a := range want {
				got, err := db.Article(id)
				if err != nil {
					t.Errorf("%s: %v", id, err)
				} else if err := sameArticle(got, a); err != nil && tt.name != "an article's text changed behind the index's back" {
					t.Errorf("%s: %v", id, err)
				}
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if after := kinds(checkFile(t, path)); !slices.Equal(after, tt.remains) {
				t.Errorf("after the repair: %v, want %v", after, tt.remains)
			}
		})
	}
}

// Repair on a sound index changes no article and leaves it sound.
func TestRepairSound(t *testing.T) {
	path, want := checkedIndex(t)
	db, err := Open(path, Options{Analyzer: retrieval.NewAnalyzer()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	before, _, err := db.List(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	rr, err := db.Repair(nil)
	if err != nil || len(rr.Dropped) != 0 || len(rr.Rehashed) != 0 || rr.Retimed != 0 || rr.Articles != len(want) {
		t.Fatalf("%+v, %v", rr, err)
	}
	after, _, err := db.List(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	same := func(a, b ArticleInfo) bool {
		return a.ID == b.ID && a.AddedAt.Equal(b.AddedAt) && a.Hash == b.Hash && a.Passages == b.Passages
	}
	if !slices.EqualFunc(before, after, same) {
		t.Error("the articles' list changed")
	}
	checkIndex(t, db)
}

// Repair refuses a read-only index; Check runs on a closed one no more.
func TestRepairReadOnly(t *testing.T) {
	path, _ := checkedIndex(t)
	db, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Repair(nil); err == nil {
		t.Error("Repair on a read-only index")
	}
	db.Close()
	if _, err := db.Check(CheckOptions{}); err == nil {
		t.Error("Check on a closed index")
	}
}

// rewriteEntries changes, in every run of the index at path, the values of
// the entries change returns a new value for (nil: unchanged), and returns
// how many it changed.
func rewriteEntries(t *testing.T, path string, change func(key, value []byte) []byte) int {
	t.Helper()
	changed := 0
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		runs, err := loadRuns(tx)
		if err != nil {
			return err
		}
		for _, r := range runs {
			b := tx.Bucket(bucketRuns).Bucket(runName(r.seq))
			var rewritten [][2][]byte
			err := b.ForEach(func(k, v []byte) error {
				it := blockIter{b: v}
				var e entry
				var out, prev []byte
				dirty := false
				for it.next(&e) {
					value := e.postings
					if nv := change(e.key, value); nv != nil {
						value, dirty = nv, true
						changed++
					}
					shared := 0
					for shared < len(prev) && shared < len(e.key) && prev[shared] == e.key[shared] {
						shared++
					}
					out = binary.AppendUvarint(out, uint64(shared))
					out = appendBytes(out, e.key[shared:])
					out = appendBytes(out, value)
					prev = append(prev[:0], e.key...)
				}
				if dirty {
					rewritten = append(rewritten, [2][]byte{slices.Clone(k), out})
				}
				return it.err
			})
			if err != nil {
				return err
			}
			for _, kv := range rewritten {
				if err := b.Put(kv[0], kv[1]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return changed
}

// A folded form's entry that miscounts the passages of its variants is
// named. (Forms with two or more variants in one run, such as "hoa" of
// "hòa" and "hoa", get such an entry.)
func TestCheckFormCount(t *testing.T) {
	path, _ := checkedIndex(t)
	n := rewriteEntries(t, path, func(key, value []byte) []byte {
		if key[len(key)-1] != 0 {
			return nil
		}
		count, _ := binary.Uvarint(value)
		return binary.AppendUvarint(nil, count+5)
	})
	if n == 0 {
		t.Fatal("no run holds a folded form's entry")
	}
	if got := kinds(checkFile(t, path)); !slices.Equal(got, []ProblemKind{ProblemFormCount}) {
		t.Errorf("problems %v, want [%s]", got, ProblemFormCount)
	}
}

// The head of a postings list (its count, greatest tf, least length) and
// its skip table must agree with its postings: a search trusts them to skip.
func TestCheckPostingsBounds(t *testing.T) {
	// "common" is in every passage of corpus: one list of more than
	// skipInterval postings, with a skip table.
	db := openTest(t, nil)
	put(t, db, corpus(9, 60, "s")...)
	db.Close()
	original := readFile(t, db.Path())
	tests := []struct {
		name   string
		change func(count, maxTF, minLen uint64, rest []byte) []byte
	}{
		{"greatest tf too small", func(count, maxTF, minLen uint64, rest []byte) []byte {
			return appendHead(count, 0, minLen, rest)
		}},
		{"least length too great", func(count, maxTF, minLen uint64, rest []byte) []byte {
			return appendHead(count, maxTF, minLen+1000, rest)
		}},
		{"a skip entry off by one", func(count, maxTF, minLen uint64, rest []byte) []byte {
			d := decoder{b: rest}
			delta, length := d.uvarint(), d.uvarint()
			return appendHead(count, maxTF, minLen, binary.AppendUvarint(binary.AppendUvarint(nil, delta+1), length), d.b...)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "index.db")
			if err := os.WriteFile(path, original, 0o600); err != nil {
				t.Fatal(err)
			}
			n := rewriteEntries(t, path, func(key, value []byte) []byte {
				if string(key) != "common\x00common" {
					return nil
				}
				d := decoder{b: value}
				count, maxTF, minLen := d.uvarint(), d.uvarint(), d.uvarint()
				if count <= skipInterval {
					t.Fatalf("%d postings of common: no skip table", count)
				}
				return tt.change(count, maxTF, minLen, d.b)
			})
			if n != 1 {
				t.Fatalf("%d lists of common", n)
			}
			if got := kinds(checkFile(t, path)); !slices.Equal(got, []ProblemKind{ProblemPostingsBounds}) {
				t.Errorf("problems %v, want [%s]", got, ProblemPostingsBounds)
			}
		})
	}
}

// appendHead encodes the head of a postings list, then the rest.
func appendHead(count, maxTF, minLen uint64, rest []byte, more ...byte) []byte {
	b := binary.AppendUvarint(nil, count)
	b = binary.AppendUvarint(b, maxTF)
	b = binary.AppendUvarint(b, minLen)
	return append(append(b, rest...), more...)
}

// damagedPageSize is the unit damagedCopies overwrites: bbolt's page size
// on this machine (a wrong guess only damages other bytes).
const damagedPageSize = 4096

// damagedCopies calls fn, for each page from the third on, with its number
// and the path of a copy of data whose page it is overwritten with junk.
func damagedCopies(t *testing.T, data []byte, fn func(page int, path string)) {
	t.Helper()
	junk := make([]byte, damagedPageSize)
	for i := range junk {
		junk[i] = byte(i*7 + 3)
	}
	for page := 2; page < len(data)/damagedPageSize; page++ {
		path := filepath.Join(t.TempDir(), "index.db")
		broken := slices.Clone(data)
		copy(broken[page*damagedPageSize:], junk)
		if err := os.WriteFile(path, broken, 0o600); err != nil {
			t.Fatal(err)
		}
		fn(page, path)
	}
}

// A page overwritten with garbage, wherever it is, is reported by CheckFile
// as a damaged file (or not at all when the page was free), never with a
// crash; and the verdict says Repair cannot fix it.
func TestCheckFileDamagedPages(t *testing.T) {
	clean, _ := checkedIndex(t)
	damaged := 0
	damagedCopies(t, readFile(t, clean), func(page int, path string) {
		rep, err := CheckFile(path, 0, CheckOptions{Analyzer: retrieval.NewAnalyzer()})
		if err != nil {
			t.Errorf("page %d: %v", page, err)
			return
		}
		if rep.OK() {
			return // a free page
		}
		damaged++
		if !rep.Has(ProblemFile) && !rep.Has(ProblemPostingsFormat) && !rep.Has(ProblemSchema) {
			t.Errorf("page %d: problems %v", page, kinds(rep))
		}
		if rep.Has(ProblemFile) && rep.Repairable() {
			t.Errorf("page %d: a damaged file is repairable", page)
		}
	})
	if damaged == 0 {
		t.Error("no damaged page was found")
	}
}

// FuzzCheckFile: whatever bytes of an index are overwritten, CheckFile
// returns a report or one of Open's errors, and never crashes the process.
func FuzzCheckFile(f *testing.F) {
	db := openTest(f, nil)
	put(f, db, append(fixtures(), corpus(5, 6, "f")...)...)
	db.Close()
	base := readFile(f, db.Path())
	f.Add(uint32(0), []byte{0xff})
	f.Add(uint32(4096+16), []byte{1, 2, 3, 4})
	f.Add(uint32(3*4096+40), []byte("garbage"))
	f.Add(uint32(len(base)-100), []byte{0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, at uint32, data []byte) {
		b := slices.Clone(base)
		copy(b[int(at)%len(b):], data)
		path := filepath.Join(t.TempDir(), "index.db")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		rep, err := CheckFile(path, 0, CheckOptions{Analyzer: retrieval.NewAnalyzer()})
		switch {
		case err != nil && !errors.Is(err, ErrNotBaobot) && !errors.Is(err, ErrNewerSchema):
			t.Fatalf("CheckFile: %v", err)
		case err == nil && rep == nil:
			t.Fatal("no report")
		}
	})
}

// Open refuses a file whose pages are damaged with ErrCorrupt (or opens it,
// when the damage is where opening does not look), for reading or writing:
// never a panic.
func TestOpenDamagedPages(t *testing.T) {
	clean, _ := checkedIndex(t)
	data := readFile(t, clean)
	refused := 0
	for _, readOnly := range []bool{true, false} {
		damagedCopies(t, data, func(page int, path string) {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("page %d, read-only %v: Open panicked: %v", page, readOnly, r)
				}
			}()
			db, err := Open(path, Options{ReadOnly: readOnly, Analyzer: retrieval.NewAnalyzer()})
			if err != nil {
				refused++
				if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
					t.Errorf("page %d, read-only %v: %v, want ErrCorrupt naming the path", page, readOnly, err)
				}
				return
			}
			db.Close()
		})
	}
	if refused == 0 {
		t.Error("no damaged page made Open refuse the file")
	}
}

// Writes and reads on a file whose pages are damaged (where opening does not
// look) fail with ErrCorrupt, and write nothing: never a panic. Tried: every
// 4 KB of the file overwritten with junk, then a Put of new articles, a
// Remove, a listing, an article read and a question.
func TestDamagedPagesNeverPanic(t *testing.T) {
	clean, want := checkedIndex(t)
	analyzer := retrieval.NewAnalyzer()
	fresh := corpus(99, 3, "new-")
	var someID string
	for id := range want {
		someID = id
		break
	}
	corrupt := 0
	damagedCopies(t, readFile(t, clean), func(page int, path string) {
		db, err := Open(path, Options{Analyzer: analyzer})
		if err != nil {
			return // refused at open: TestOpenDamagedPages
		}
		steps := []struct {
			name string
			run  func() error
		}{
			{"put", func() error { _, err := db.Put(fresh); return err }},
			{"remove", func() error { return db.Remove(someID) }},
			{"list", func() error { _, _, err := db.List(0, 100); return err }},
			{"article", func() error { _, err := db.Article(someID); return err }},
			{"ask", func() error {
				_, err := retrieval.NewSearcher(db, analyzer, retrieval.DefaultParams()).Ask("hòa bình hóa học", 5)
				return err
			}},
		}
		for _, step := range steps {
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("page %d: %s panicked: %v", page, step.name, r)
					}
				}()
				if err := step.run(); errors.Is(err, ErrCorrupt) {
					corrupt++
				}
			}()
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("page %d: Close panicked: %v", page, r)
				}
			}()
			db.Close()
		}()
	})
	if corrupt == 0 {
		t.Error("no damaged page made a read or write report ErrCorrupt")
	}
}
